"""Pipelined requests (RFC 9112 9.3.2): two requests in one write, over real sockets.

A server answers pipelined requests in the order they came (nginx does), and the lab's
recording of each request holds that request's bytes, no more and no less: before, the
first request's recording held the second's bytes too and the second's was empty. A second
request whose head is cut off is a request that began: it gets the server's head timeout
and then its 408 (lesson 504, section 6), as any started request does; before, it waited
the idle timeout (5 s) and was closed without a word.
"""

from __future__ import annotations

import re
import socket
import time

import pytest

import labkit
from labkit.recorder import Event, Kind

FIRST = b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\n\r\n"
SECOND = b"GET /orders/8 HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n"
POSTED = b"POST /orders HTTP/1.1\r\nHost: lab\r\nContent-Length: 2\r\n\r\nhi"
CUT = b"GET /orders/8 HTTP/1.1\r\nHost: lab\r\n"  # no blank line: the head never ends
STATUS = re.compile(rb"HTTP/1\.1 (\d{3}) ")


def _send(port: int, data: bytes, wait: float = 5.0) -> tuple[bytes, float, int]:
    """Send ``data`` in one write; read until the server closes. The reply, how long the
    close took, and this client's port (the recordings' ``peer_port``)."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as s:
        mine = s.getsockname()[1]
        start = time.monotonic()
        s.sendall(data)
        reply = b""
        while chunk := s.recv(65536):
            reply += chunk
        return reply, time.monotonic() - start, mine


def _received(lab: labkit.Lab, hop: str, port: int) -> list[Event]:
    """What ``hop`` recorded as received from the client at ``port``, in order."""
    found = [
        e
        for rid in lab.recorder.ids()
        for e in lab.recorder.events(rid)
        if e.hop == hop and e.kind is Kind.RECEIVED and e.peer_port == port
    ]
    return sorted(found, key=lambda e: e.at)


@pytest.mark.parametrize("server", ["origin", "gateway"])
@pytest.mark.parametrize("first", [FIRST, POSTED], ids=["get", "post"])
def test_pipelined_requests_are_answered_in_order_each_recorded_with_its_own_bytes(
    lab: labkit.Lab, server: str, first: bytes
) -> None:
    port = getattr(lab, server).port
    reply, _took, mine = _send(port, first + SECOND)
    statuses = STATUS.findall(reply)
    # in order: the second (order 8, which does not exist) is answered last
    assert len(statuses) == 2 and statuses[1] == b"404", reply[:600]
    assert statuses[0] == (b"200" if first is FIRST else statuses[0]), reply[:600]
    lab.recorder.wait_for(lambda: len(_received(lab, server, mine)) == 2, timeout=2.0)
    assert [e.data for e in _received(lab, server, mine)] == [first, SECOND]


@pytest.mark.parametrize("server", ["origin", "gateway"])
def test_a_pipelined_request_cut_off_gets_its_408_after_the_head_timeout(
    lab: labkit.Lab, server: str
) -> None:
    hop = getattr(lab, server)
    hop.head_timeout = 0.3
    reply, took, mine = _send(hop.port, FIRST + CUT)
    assert STATUS.findall(reply) == [b"200", b"408"], reply[:600]
    assert took < 2.0, took  # the head timeout (0.3 s), not the idle one (5 s)
    lab.recorder.wait_for(lambda: len(_received(lab, server, mine)) == 2, timeout=2.0)
    assert [e.data for e in _received(lab, server, mine)] == [FIRST, CUT]
    assert lab.get("/orders/7").status == 200
