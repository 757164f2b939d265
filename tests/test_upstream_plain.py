"""The gateway reads a plain answer head without h11 (``upstream._plain_reply``): whatever it
reads that way must be what h11 alone reads from the same bytes, and a head at the edge of
h11's grammar (an obs-fold, a bare LF, an empty or long value, a colon inside a value,
whitespace before the colon) must reach h11 and be read, or refused, exactly as h11 does.

Over a real socket, one kept connection per answer to an upstream that sends it; the reply
the gateway's pool reads (status, reason, fields as sent, body), or the failure it reports
(its condition and words), is compared with what h11 alone makes of the answer. Without a
socket, the reader's test of a plain head (``upstream._PLAIN_HEAD``) is compared with h11's
grammar written rule for rule (``PLAIN_HEAD``), on these heads and thousands of variants
of them (one byte dropped, changed or put in)."""

from __future__ import annotations

import asyncio
import re

import h11
import pytest
from helpers import h11_reads

from labkit.conditions import Condition
from labkit.http import upstream
from labkit.http.server import h11_fields

LONG = b"v" * 3000 + b" " + b"w" * 3000

# (read without h11, the answer); the heads h11 refuses are in REFUSED below
EDGES = [
    (True, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"),
    (True, b"HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nhi"),  # no reason, no space
    (True, b"HTTP/1.1 200 \r\nContent-Length: 2\r\n\r\nhi"),  # empty reason
    (True, b"HTTP/1.1 299 a \t b\t\r\nContent-Length: 2\r\n\r\nhi"),
    (True, b"HTTP/1.1 200 OK\r\nX-Empty:\r\nX-Blank: \t \r\nContent-Length: 2\r\n\r\nhi"),
    (True, b"HTTP/1.1 200 OK\r\nX-Long: " + LONG + b"\r\nContent-Length: 2\r\n\r\nhi"),
    (
        True,
        b"HTTP/1.1 200 OK\r\nX-Time: 12:30:00\r\nLink: <http://a:1/>\r\nContent-Length: 2\r\n\r\nhi",
    ),
    (True, b"HTTP/1.1 200 OK\r\nX-Colon::\r\ncontent-length:2\r\n\r\nhi"),
    (True, b"HTTP/1.1 503 Busy\r\nRetry-After: 1\r\nContent-Length:  0 \r\n\r\n"),
    (True, b"HTTP/1.1 200 OK\r\n!#$%&'*+.^_`|~: x\r\nContent-Length: 2\r\n\r\nhi"),
    (True, b"HTTP/1.1 200 \x80\xff\r\nX-Obs: \x80\xfe\x7e\r\nContent-Length: 2\r\n\r\nhi"),
    (False, b"HTTP/1.1 200 OK\r\nX-B: a\r\n b\r\nContent-Length: 2\r\n\r\nhi"),  # obs-fold
    (False, b"HTTP/1.1 200 OK\r\nX-B: a\r\n\tb\r\nContent-Length: 2\r\n\r\nhi"),
    (False, b"HTTP/1.1 200 OK\nContent-Length: 2\n\nhi"),  # bare LFs
    (False, b"HTTP/1.1 200 OK\r\nX-A: 1\nContent-Length: 2\r\n\r\nhi"),  # one bare LF
    (False, b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi"),
    (False, b"HTTP/1.1 204 No Content\r\n\r\n"),
    (False, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nhi"),
    (False, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nhi"),
]
# (the answer, h11 refuses it: the condition the gateway reports, the line it quotes)
H, S = Condition.INVALID_HEADER, Condition.INVALID_STATUS_LINE
REFUSED = [
    (b"HTTP/1.1 200 OK\r\nX-A : 1\r\nContent-Length: 2\r\n\r\nhi", H, "'X-A : 1'"),
    (b"HTTP/1.1 200 OK\r\nX-A\t: 1\r\nContent-Length: 2\r\n\r\nhi", H, "'X-A\\x09: 1'"),
    (b"HTTP/1.1 200 OK\r\n: 1\r\nContent-Length: 2\r\n\r\nhi", H, "': 1'"),
    (b"HTTP/1.1 200 OK\r\nX-A 1\r\nContent-Length: 2\r\n\r\nhi", H, "'X-A 1'"),
    (b"HTTP/1.1 200 OK\r\nX-A: a\x00b\r\nContent-Length: 2\r\n\r\nhi", H, "'X-A: a\\x00b'"),
    (b"HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 2\r\n\r\nhi", H, "'X-A: a\\x0db'"),
    (b"HTTP/1.1 200 OK\r\nX-A: a\x0bb\r\nContent-Length: 2\r\n\r\nhi", H, "'X-A: a\\x0bb'"),
    (b"HTTP/1.1 20 OK\r\nContent-Length: 2\r\n\r\nhi", S, "'HTTP/1.1 20 OK'"),
    (b"HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\nhi", S, "'HTTP/1.1 2000 OK'"),
    (b"HTTP/1.1 200OK\r\nContent-Length: 2\r\n\r\nhi", S, "'HTTP/1.1 200OK'"),
    (b"HTTP/1.1 200 O\x0cK\r\nContent-Length: 2\r\n\r\nhi", S, "'HTTP/1.1 200 O\\x0cK'"),
]


async def _pool_reads(answer: bytes) -> tuple[bool, object]:
    """What the gateway's pool reads of ``answer`` sent (then closed) by a real upstream:
    whether h11 read it, and the reply (as ``helpers.h11_reads`` gives it) or the failure (its
    condition and words)."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(answer)
        await writer.drain()
        writer.close()

    listening = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    conn = await upstream.Pool().connect("127.0.0.1", port, 1.0)
    try:
        event = h11.Request(method="GET", target="/", headers=h11_fields([("Host", "x")])[0])
        try:
            reply = await conn.exchange(event, b"", 1.0)
        except upstream.UpstreamFailure as exc:
            return True, (exc.condition, str(exc))
        body = b"".join([chunk async for chunk in reply.body])
        told = conn._h11 is not None and conn._h11.our_state is not h11.IDLE
        return told, (reply.status, reply.reason, reply.headers, body)
    finally:
        conn.close()
        listening.close()
        await listening.wait_closed()


@pytest.mark.parametrize(("plain", "answer"), EDGES)
def test_an_edge_head_is_read_as_h11_reads_it(plain: bool, answer: bytes) -> None:
    told, read = asyncio.run(asyncio.wait_for(_pool_reads(answer), 5.0))
    assert read == h11_reads(answer, closed=True)
    assert told is not plain  # read without h11 exactly when the head is plain


@pytest.mark.parametrize(("answer", "condition", "line"), REFUSED)
def test_a_head_h11_refuses_is_refused_as_before(
    answer: bytes, condition: Condition, line: str
) -> None:
    told, read = asyncio.run(asyncio.wait_for(_pool_reads(answer), 5.0))
    with pytest.raises(h11.RemoteProtocolError):
        h11_reads(answer, closed=True)
    assert told
    assert isinstance(read, tuple)
    assert read[0] is condition
    assert f"the {'status ' if condition is S else ''}line {line} is not" in str(read[1])


# h11's grammar for a plain head (h11/_abnf.py): its status line of HTTP/1.1, fields each a
# token, ':' and a value of field-vchar (VCHAR or obs-text: any byte but NUL and whitespace)
# with spaces or tabs only inside and optional whitespace around it, CRLF each, then CRLF
VCHAR = rb"[^\x00\s]"
PLAIN_HEAD = re.compile(
    rb"HTTP/1\.1 ([0-9]{3})(?: ((?:[ \t]|" + VCHAR + rb")*))?\r\n"
    rb"(?:[-!#$%&'*+.^_`|~0-9a-zA-Z]+:[ \t]*(?:" + VCHAR + rb"+(?:[ \t]+" + VCHAR + rb"+)*"
    rb"[ \t]*)?\r\n)*\r\n"
)
BYTES = b'\x00\t\n\x0b\x0c\r "(),/:;=@[]{}~\x7f\x80\xffaZ0-!'


def _heads() -> list[bytes]:
    """EDGES' and REFUSED's heads and every variant of each with one byte dropped, changed
    to one of BYTES or put in before it, each cut after its first CRLF CRLF."""
    answers = [answer for _, answer in EDGES] + [answer for answer, _, _ in REFUSED]
    heads = set()
    for answer in answers:
        head = answer[: answer.find(b"\r\n\r\n") + 4][:200]  # LONG's head: its start
        for at in range(len(head)):
            heads.add(head[:at] + head[at + 1 :])
            for byte in BYTES:
                heads.add(head[:at] + bytes([byte]) + head[at + 1 :])
                heads.add(head[:at] + bytes([byte]) + head[at:])
    return sorted(
        variant[: end + 4] for variant in heads if (end := variant.find(b"\r\n\r\n")) >= 0
    )


def test_the_plain_reader_takes_exactly_the_heads_of_h11s_grammar() -> None:
    heads = _heads()
    assert len(heads) > 10_000
    taken = 0
    for head in heads:
        match = PLAIN_HEAD.fullmatch(head)
        expected = None if match is None else (int(match[1]), match[2] or b"")
        taken_by = upstream._PLAIN_HEAD.fullmatch(head)
        assert (None if taken_by is None else (int(taken_by[1]), taken_by[2] or b"")) == expected
        taken += expected is not None
    assert 1000 < taken < len(heads) - 1000  # both kinds, many of each
