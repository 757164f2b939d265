"""A client that pipelines two requests to a misbehaving upstream, then resets (RST).

Over real sockets, for every kind of fault upstream that accepts connections: each records
the first request with that request's bytes alone, answers it or fails it as its fault says
(or finds the client gone), and ends the connection: no task, socket or traceback is left,
and the upstream answers the next client as before. The idle-close upstream closes a second
request that came pipelined at once, unanswered, as it closes one that comes later.
"""

from __future__ import annotations

import logging
import socket
import struct
import time

import pytest

import labkit
from labkit import faults
from labkit.http.connections import BUDGET
from labkit.recorder import Event, Kind

FIRST = b"GET /first HTTP/1.1\r\nHost: upstream\r\n\r\n"
SECOND = b"GET /second HTTP/1.1\r\nHost: upstream\r\n\r\n"
LISTENING = [name for name, fault in faults.FAULTS.items() if fault.listens]


def _events(lab: labkit.Lab, name: str, port: int) -> list[Event]:
    """What upstream ``name`` recorded of the exchanges that began with the client at ``port``."""
    found = []
    for rid in lab.recorder.ids():
        events = lab.recorder.events(rid)
        if any(e.hop == name and e.peer_port == port for e in events):
            found += [e for e in events if e.hop == name]
    return found


def _connections_back_to(held: int, within: float = 2.0) -> bool:
    """Whether the lab's servers hold ``held`` connections again (waits ``within``): each
    served connection gives its place in the budget back when its serving ends."""
    deadline = time.monotonic() + within
    while BUDGET.open != held and time.monotonic() < deadline:
        time.sleep(0.01)
    return BUDGET.open == held


@pytest.mark.parametrize("when", ["at-once", "after-the-answer"])
@pytest.mark.parametrize("name", LISTENING)
def test_two_pipelined_requests_then_a_reset_leave_nothing_behind(
    lab: labkit.Lab, name: str, when: str, caplog: pytest.LogCaptureFixture
) -> None:
    upstream = lab.upstreams[name]
    if name == "slow":
        upstream.delay = 0.1  # it answers, later: the reset may come first
    held = BUDGET.open
    with caplog.at_level(logging.WARNING):
        sock = socket.create_connection(("127.0.0.1", upstream.port), timeout=3.0)
        mine = sock.getsockname()[1]
        sock.sendall(FIRST + SECOND)
        # the upstream has read the first request (the event it records), then the reset
        assert lab.recorder.wait_for(
            lambda: any(e.kind is Kind.RECEIVED for e in _events(lab, name, mine)), timeout=3.0
        )
        if when == "after-the-answer":
            lab.recorder.wait_for(
                lambda: any(e.kind is Kind.SENT for e in _events(lab, name, mine)), timeout=3.0
            )
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
        assert _connections_back_to(held), f"{name} still serves the reset connection"
        # and the next client's request is read as before
        with socket.create_connection(("127.0.0.1", upstream.port), timeout=3.0) as again:
            port = again.getsockname()[1]
            again.sendall(FIRST)
            assert lab.recorder.wait_for(lambda: bool(_events(lab, name, port)), timeout=3.0)
        assert _connections_back_to(held), f"{name} still serves the next connection"
    received = [e for e in _events(lab, name, mine) if e.kind is Kind.RECEIVED]
    assert [e.data for e in received][:1] == [FIRST], received
    problems = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert problems == [], problems


def test_a_second_request_pipelined_to_idle_close_is_closed_unanswered_at_once(
    lab: labkit.Lab,
) -> None:
    """idle-close answers a request and closes the next one on the connection unanswered; a
    second request that came in the same write as the first was read with it (its bytes in
    the first's recording) and the upstream waited its idle timeout (5 s) for another.
    Fails before (no close within 3 s)."""
    port = lab.upstreams["idle-close"].port
    with socket.create_connection(("127.0.0.1", port), timeout=3.0) as sock:
        mine = sock.getsockname()[1]
        sock.sendall(FIRST + SECOND)
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    assert reply.count(b"HTTP/1.1 200 OK") == 1, reply
    events = _events(lab, "idle-close", mine)
    assert [e.data for e in events if e.kind is Kind.RECEIVED] == [FIRST, SECOND]
    sent = [e for e in events if e.kind is Kind.SENT]
    assert [e.ended for e in sent] == [None, "FIN"], sent


def test_a_slow_answer_after_the_client_reset_is_recorded_as_nothing_sent(
    lab: labkit.Lab,
) -> None:
    """The slow upstream answers after its delay; a client that reset the connection during
    it gets nothing, and the recording says so. It said '200 OK, then FIN (closed)', an
    answer that never left. Fails before."""
    upstream = lab.upstreams["slow"]
    upstream.delay = 0.3
    sock = socket.create_connection(("127.0.0.1", upstream.port), timeout=3.0)
    mine = sock.getsockname()[1]
    sock.sendall(FIRST)
    assert lab.recorder.wait_for(lambda: bool(_events(lab, "slow", mine)), timeout=3.0)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
    assert lab.recorder.wait_for(
        lambda: any(e.kind is Kind.SENT for e in _events(lab, "slow", mine)), timeout=3.0
    )
    (sent,) = [e for e in _events(lab, "slow", mine) if e.kind is Kind.SENT]
    assert str(sent.summary) == (
        "(nothing): the client had reset the connection before this answer"
    ), sent.summary
    assert (sent.data, sent.ended) == (b"", None)
