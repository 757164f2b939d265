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


def _answer(
    rid: bytes, date: bytes = b"Mon, 07 Dec 2026 06:00:00 GMT", body: bytes = b"hi"
) -> bytes:
    """An answer as the lab's origin writes it, with the request's id ``rid``."""
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: %s\r\nX-Request-ID: %s\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (date, rid, len(body), body)
    )


LATER_DATE = b"Mon, 07 Dec 2026 06:00:01 GMT"
# (the request's own id, the answer, the head is the last one again with that id): answers on
# one kept connection, each to a request whose X-Request-ID continues ``own``
REPEATS = [
    (b"req-0001", _answer(b"req-0001"), False),
    (b"req-0002", _answer(b"req-0002"), True),
    (b"req-0003", _answer(b"req-0003"), True),
    (b"req-10000", _answer(b"req-10000"), True),  # a longer id in the same place
    (b"req-0005", _answer(b"someone-else"), False),  # not its own id: read again
    (b"req-0006", _answer(b"req-0006"), False),  # (so the head before is another)
    (b"req-0007", _answer(b"req-0007", body=b"hey"), False),  # another length
    (b"req-0008", _answer(b"req-0008", body=b"hey"), True),
    (b"req-0009", _answer(b"req-0009", LATER_DATE, b"hey"), False),  # the second changed
    (b"req-0010", _answer(b"req-0010", LATER_DATE, b"hey")[:-1], False),  # body cut short
    (b"req-0011", _answer(b"req-0011", LATER_DATE, b"hey") + b"!", False),  # a byte after
]


def test_a_head_repeated_with_another_id_is_read_as_h11_reads_it() -> None:
    """A kept connection reads a plain head that repeats the one before but for its
    request's own id without reading it again (``Connection._plain``): each reply must still
    be what h11 reads of the answer, and any other answer (another id, another length or
    date, a body cut short or a byte too many) is read anew, by the plain reader or h11."""
    replies: list[upstream.UpstreamReply] = []
    answers = iter(REPEATS)

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for _, answer, _ in answers:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(answer)
            if answer.endswith(b"he"):  # cut short: the rest comes in a second read
                await asyncio.sleep(0.05)
                writer.write(b"y")

    async def run() -> None:
        listening = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = listening.sockets[0].getsockname()[1]
        conn = await upstream.Pool().connect("127.0.0.1", port, 1.0)
        try:
            for own, answer, repeated in REPEATS:
                fields = [("Host", "up"), ("X-Request-ID", f"{own.decode()}.tag")]
                head = b"GET / HTTP/1.1\r\nHost: up\r\nX-Request-ID: %s.tag\r\n\r\n" % own
                event = h11.Request(method="GET", target="/", headers=h11_fields(fields)[0])
                reply = await conn.exchange(event, b"", 1.0, head=head, own_id=own)
                body = b"".join([chunk async for chunk in reply.body])
                if answer.endswith(b"he"):
                    answer += b"y"
                read = h11_reads(answer[: len(answer) - answer.endswith(b"!")], closed=False)
                assert (reply.status, reply.reason, reply.headers, body) == read, answer
                assert reply.raw_head == answer[: answer.find(b"\r\n\r\n") + 4]
                if answer.endswith(b"!"):
                    assert not conn.reusable()  # a byte beyond the answer: out of step
                    break
                assert conn.reusable(), answer
                # the same head less the id's line, the same bytes object: not read again
                again = bool(replies) and replies[-1].unnamed is not None
                assert (again and reply.unnamed is replies[-1].unnamed) is repeated, answer
                replies.append(reply)
        finally:
            conn.close()
            listening.close()
            await listening.wait_closed()

    asyncio.run(asyncio.wait_for(run(), 5.0))
    assert len(replies) == len(REPEATS) - 1


def test_a_repeated_head_over_a_smaller_limit_is_refused_as_before() -> None:
    """The limit on a head is the personality's, which may change between two requests on
    a kept connection: a head read before under a larger one is refused as too big now."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for rid in (b"req-0001", b"req-0002"):
            await reader.readuntil(b"\r\n\r\n")
            writer.write(_answer(rid))

    async def run() -> tuple[int, object]:
        listening = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = listening.sockets[0].getsockname()[1]
        conn = await upstream.Pool().connect("127.0.0.1", port, 1.0)
        try:
            fields = [("Host", "up")]
            event = h11.Request(method="GET", target="/", headers=h11_fields(fields)[0])
            head = b"GET / HTTP/1.1\r\nHost: up\r\n\r\n"
            first = await conn.exchange(event, b"", 1.0, head=head, own_id=b"req-0001")
            size = len(first.raw_head)
            try:
                await conn.exchange(event, b"", 1.0, size - 1, head=head, own_id=b"req-0002")
            except upstream.UpstreamFailure as exc:
                return size, exc.condition
            return size, None
        finally:
            conn.close()
            listening.close()
            await listening.wait_closed()

    size, condition = asyncio.run(asyncio.wait_for(run(), 5.0))
    assert size == len(_answer(b"req-0002")) - 2
    assert condition is Condition.HEADER_TOO_BIG
