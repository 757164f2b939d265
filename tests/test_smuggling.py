"""Request framing as h11 reads it (RFC 9112 2.2, 5.2, 6.1, 6.3), over real sockets.

h11, which parses every request the lab's servers read, takes a bare LF for CRLF (nginx
does too) and joins a folded line to the field above it. The checks that refuse a request
with both Content-Length and Transfer-Encoding, judge its chunk sizes and answer 501 for
a coding the server lacks read the head's lines themselves: they must find the same head,
the same lines and the same fields that h11 does, or a request framed one way for the
check is framed another for the server (request smuggling's mechanism).
"""

from __future__ import annotations

import re
import socket
import time

import pytest

import labkit
from labkit.personalities import PERSONALITIES
from labkit.recorder import Event, Kind

STATUS = re.compile(rb"HTTP/1\.1 (\d{3}) ")
SMUGGLED = b"GET /smuggled HTTP/1.1\r\nHost: lab\r\n\r\n"
CL_AND_TE = b"both Content-Length and Transfer-Encoding"
SERVERS = ["origin", *(f"gateway:{name}" for name in PERSONALITIES)]


def _port(lab: labkit.Lab, server: str) -> int:
    name, _, personality = server.partition(":")
    if personality:
        lab.gateway.personality = personality
    return int(getattr(lab, name).port)


def _talk(port: int, data: bytes, wait: float = 3.0) -> tuple[list[bytes], bytes, str]:
    """Send ``data`` in one write and read until the server closes (or ``wait`` passes):
    the statuses, the bytes, and how it ended."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        sock.sendall(data)
        reply = b""
        deadline = time.monotonic() + wait
        try:
            while time.monotonic() < deadline:
                chunk = sock.recv(65536)
                if not chunk:
                    return STATUS.findall(reply), reply, "closed"
                reply += chunk
        except TimeoutError:
            pass
        return STATUS.findall(reply), reply, "open"


@pytest.mark.parametrize("server", SERVERS)
@pytest.mark.parametrize(
    "head",
    [
        b"POST /orders HTTP/1.1\nHost: lab\nContent-Length: 3\nTransfer-Encoding: chunked\n\n",
        b"POST /orders HTTP/1.1\r\nHost: lab\r\nContent-Length: 3\nTransfer-Encoding: chunked"
        b"\r\n\r\n",
    ],
    ids=["bare-lf", "one-bare-lf"],
)
def test_content_length_beside_transfer_encoding_is_refused_whatever_ends_the_lines(
    lab: labkit.Lab, server: str, head: bytes
) -> None:
    """Refused with 400 and closed, as with CRLF and as real nginx does (observed: 400 for
    both heads): the check read CRLF lines only, so with bare LFs it saw neither field;
    h11 framed the body by Transfer-Encoding, the request was served and the bytes after
    its chunks were served as a second request on the same connection. Fails before."""
    statuses, reply, ended = _talk(_port(lab, server), head + b"0\r\n\r\n" + SMUGGLED)
    assert (statuses, ended) == ([b"400"], "closed"), reply[:800]
    assert CL_AND_TE in reply


@pytest.mark.parametrize("server", SERVERS)
def test_a_chunk_size_past_any_count_is_refused_at_once_after_a_bare_lf_head(
    lab: labkit.Lab, server: str
) -> None:
    """A size of 20 hex digits is refused from its line (ChunkSizes), as after a CRLF head:
    after a head in bare LFs the sizes were never judged and h11 waited for 2^80 bytes
    until the body's time ran out (408). Fails before (408)."""
    port = _port(lab, server)
    getattr(lab, server.partition(":")[0]).head_timeout = 0.3
    head = b"POST /orders HTTP/1.1\nHost: lab\nTransfer-Encoding: chunked\n\n"
    statuses, reply, ended = _talk(port, head + b"ffffffffffffffffffff\r\nhello")
    assert (statuses, ended) == ([b"400"], "closed"), reply[:800]
    assert b"ffffffffffffffffffff" in reply


@pytest.mark.parametrize("server", SERVERS)
def test_crlf_pairs_in_the_body_of_a_bare_lf_head_are_the_body(
    lab: labkit.Lab, server: str
) -> None:
    """The head ends at its first empty line as h11 finds it (LF, CR optional): the body's
    bytes are not head lines. A body with 'Transfer-Encoding: gzip' between CRLF pairs
    after a head in bare LFs was refused with 400 for a Transfer-Encoding the request never
    had ('chunked' not its final coding). Fails before (the origin was never asked)."""
    body = b"x\r\nTransfer-Encoding: gzip\r\n\r\n"
    head = b"POST /orders HTTP/1.1\nHost: lab\nContent-Length: %d\n\n" % len(body)
    statuses, reply, _ = _talk(_port(lab, server), head + body + SMUGGLED)
    assert statuses == [b"400", b"404"], reply[:800]
    assert reply.count(b"made by the labkit origin") == 2  # 'the body must be JSON', /smuggled


@pytest.mark.parametrize("server", SERVERS)
def test_a_folded_line_belongs_to_the_field_above_it(lab: labkit.Lab, server: str) -> None:
    """An obs-fold line (RFC 9112 5.2) continues the field above it, as h11 reads it, and
    the request is served: '  Transfer-Encoding: chunked' under X-Note was taken for a
    field of its own and the request refused for carrying Content-Length beside it.
    Fails before (400, 'both Content-Length and Transfer-Encoding')."""
    head = (
        b"GET /orders HTTP/1.1\r\nHost: lab\r\nX-Note: a\r\n  Transfer-Encoding: chunked\r\n"
        b"Content-Length: 0\r\n\r\n"
    )
    statuses, reply, _ = _talk(_port(lab, server), head + SMUGGLED)
    assert statuses == [b"200", b"404"], reply[:800]
    assert CL_AND_TE not in reply


FIRST = b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\n\r\n"
LAST = b"GET /orders/8 HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n"


@pytest.mark.parametrize("server", ["origin", "gateway"])
@pytest.mark.parametrize("empty", [b"\r\n", b"\n", b"\r\n\r\n\r\n"], ids=["crlf", "lf", "three"])
@pytest.mark.parametrize("how", ["pipelined", "first", "written-apart"])
def test_empty_lines_before_a_request_line_are_ignored(
    lab: labkit.Lab, server: str, empty: bytes, how: str
) -> None:
    """RFC 9112 2.2: a server SHOULD ignore at least one empty line before a request line
    (a client's CRLF after a body); nginx skips them (observed). h11 refuses them, and the
    lab answered 400 'the request line is not METHOD target HTTP/x.y'. Ignored now, after a
    request in the same write, at a connection's start, or in a write of their own; the
    next request's recording holds its own bytes only. Fails before (400)."""
    port = _port(lab, server)
    if how == "written-apart":
        with socket.create_connection(("127.0.0.1", port), timeout=3.0) as sock:
            sock.sendall(FIRST)
            reply = sock.recv(65536)
            sock.sendall(empty)
            sock.sendall(LAST)
            while chunk := sock.recv(65536):
                reply += chunk
        statuses = STATUS.findall(reply)
    else:
        sent = FIRST + empty + LAST if how == "pipelined" else empty + LAST
        statuses, reply, _ = _talk(port, sent)
    assert statuses == ([b"404"] if how == "first" else [b"200", b"404"]), reply[:800]
    hop = server
    lab.recorder.wait_for(
        lambda: any(e.hop == hop and e.target == "/orders/8" for e in _received(lab)), timeout=2.0
    )
    assert [e.data for e in _received(lab) if e.hop == hop and e.target == "/orders/8"] == [LAST]


@pytest.mark.parametrize("server", ["origin", "gateway", "portal"])
def test_empty_lines_alone_are_no_request(lab: labkit.Lab, server: str) -> None:
    """Empty lines and then the client's close: closed without a word, as an idle
    connection is (before: 400 for a request line that was never sent); the server goes on."""
    port = _port(lab, server)
    with socket.create_connection(("127.0.0.1", port), timeout=3.0) as sock:
        sock.sendall(b"\r\n\r\n\n")
        sock.shutdown(socket.SHUT_WR)
        assert sock.recv(65536) == b""
    statuses, reply, _ = _talk(port, b"\r\n" + LAST)
    assert len(statuses) == 1 and statuses[0] != b"400", reply[:800]


def _received(lab: labkit.Lab) -> list[Event]:
    return [
        e
        for rid in lab.recorder.ids()
        for e in lab.recorder.events(rid)
        if e.kind is Kind.RECEIVED and e.method
    ]
