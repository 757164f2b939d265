"""The gateway's side of an upstream connection: connect, send, read, and say what broke.

It speaks h11 to the upstream directly (not through an HTTP client library) so that
it sees the raw bytes and can tell the faults apart: a refused connect, a reset, a
close before or inside the headers, a line that is not HTTP.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import h11

from labkit.conditions import Condition
from labkit.http.deadline import within
from labkit.http.messages import BodyCut, Headers

MAX_UPSTREAM_HEAD = 8 * 1024  # like nginx's proxy_buffer_size on 64-bit systems


class UpstreamFailure(Exception):
    """The upstream gave no usable response head; ``condition`` says how."""

    def __init__(self, condition: Condition, detail: str, raw: bytes = b"") -> None:
        super().__init__(detail)
        self.condition = condition
        self.detail = detail
        self.raw = raw


def classify_protocol_error(raw: bytes, message: str) -> Condition:
    """Map h11's complaint about an upstream's response head to a Condition (pure)."""
    if "status line" in message or "InformationalResponse" in message:
        return Condition.INVALID_STATUS_LINE
    if "header line" in message:
        return Condition.INVALID_HEADER
    if "Content-Length" in message:
        return Condition.INVALID_CONTENT_LENGTH
    if "Transfer-Encoding" in message:
        return Condition.INVALID_FRAMING
    if "too long" in message or "buffer" in message:
        return Condition.HEADER_TOO_BIG
    if not raw.startswith(b"HTTP/"):
        return Condition.INVALID_STATUS_LINE
    return Condition.INVALID_HEADER


def classify_eof(raw: bytes) -> Condition:
    """The upstream closed before its head was complete: what had it sent?"""
    if not raw:
        return Condition.CLOSED_WITHOUT_RESPONSE
    if not b"HTTP/".startswith(raw[:5]) and not raw.startswith(b"HTTP/"):
        return Condition.INVALID_STATUS_LINE
    return Condition.HEADERS_CUT


@dataclass
class UpstreamReply:
    status: int
    reason: str
    headers: Headers
    raw_head: bytes
    body: AsyncIterator[bytes]


async def connect(
    host: str, port: int, timeout: float
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    try:
        return await within(timeout, asyncio.open_connection(host, port))
    except TimeoutError:
        raise UpstreamFailure(
            Condition.CONNECT_TIMEOUT, f"connect() did not complete within {timeout:g} s"
        ) from None
    except ConnectionRefusedError:
        raise UpstreamFailure(Condition.REFUSED, "connect() failed: connection refused") from None
    except OSError as exc:
        raise UpstreamFailure(Condition.REFUSED, f"connect() failed: {exc.strerror}") from None


async def exchange(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    request: h11.Request,
    body: bytes,
    read_timeout: float,
    max_head: int = MAX_UPSTREAM_HEAD,
) -> UpstreamReply:
    """Send the request and read the response head; the body is streamed afterwards."""
    conn = h11.Connection(h11.CLIENT, max_incomplete_event_size=max_head)
    data = conn.send(request)
    if body:
        data += conn.send(h11.Data(data=body))
    data += conn.send(h11.EndOfMessage())
    try:
        writer.write(data)
        await within(read_timeout, writer.drain())  # an upstream that does not read
    except ConnectionError as exc:
        raise UpstreamFailure(Condition.RESET, f"sending the request failed: {exc}") from None
    except TimeoutError:
        raise UpstreamFailure(
            Condition.READ_TIMEOUT,
            f"the upstream did not take the request within the read timeout of {read_timeout:g} s",
        ) from None
    raw = bytearray()
    eof = False
    while True:
        try:
            event = conn.next_event()
        except h11.RemoteProtocolError as exc:
            if eof:
                raise UpstreamFailure(
                    classify_eof(bytes(raw)), _eof_detail(raw), bytes(raw)
                ) from None
            cond = classify_protocol_error(bytes(raw), str(exc))
            raise UpstreamFailure(cond, f"invalid response: {exc}", bytes(raw)) from None
        if event is h11.NEED_DATA:
            if len(raw) > max_head:
                raise UpstreamFailure(
                    Condition.HEADER_TOO_BIG,
                    f"the response head exceeds {max_head} bytes",
                    bytes(raw),
                )
            chunk = await _read(reader, read_timeout, raw, before_head=True)
            eof = not chunk
            raw += chunk
            conn.receive_data(chunk)
            continue
        if isinstance(event, h11.InformationalResponse):
            continue
        if isinstance(event, h11.Response):
            end = raw.find(b"\r\n\r\n")
            if end > max_head:
                raise UpstreamFailure(
                    Condition.HEADER_TOO_BIG,
                    f"the response head is {end} bytes, more than {max_head}",
                    bytes(raw),
                )
            head = bytes(raw[: end + 4]) if end >= 0 else bytes(raw)
            return UpstreamReply(
                status=event.status_code,
                reason=event.reason.decode("latin-1"),
                headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in event.headers],
                raw_head=head,
                body=_body(conn, reader, read_timeout),
            )
        raise UpstreamFailure(Condition.INVALID_STATUS_LINE, f"unexpected {event!r}", bytes(raw))


async def read_rest(reader: asyncio.StreamReader, timeout: float, limit: int = 1 << 20) -> bytes:
    """Whatever the upstream still sends, until it closes, stalls or passes ``limit``."""
    rest = bytearray()
    try:
        while len(rest) < limit:
            chunk = await within(timeout, reader.read(65536))
            if not chunk:
                break
            rest += chunk
    except (TimeoutError, ConnectionError):
        pass
    return bytes(rest)


def _eof_detail(raw: bytearray) -> str:
    if not raw:
        return "the upstream closed the connection before sending anything"
    if classify_eof(bytes(raw)) is Condition.INVALID_STATUS_LINE:
        return f"the upstream sent {len(raw)} bytes that do not start with 'HTTP/', then closed"
    return f"the upstream closed the connection after {len(raw)} bytes of an unfinished head"


async def _read(
    reader: asyncio.StreamReader, timeout: float, raw: bytearray, *, before_head: bool
) -> bytes:
    try:
        return await within(timeout, reader.read(65536))
    except TimeoutError:
        if before_head:
            what = "no response" if not raw else "no complete response head"
            raise UpstreamFailure(
                Condition.READ_TIMEOUT,
                f"{what} within the read timeout of {timeout:g} s",
                bytes(raw),
            ) from None
        raise
    except ConnectionResetError:
        if before_head:
            raise UpstreamFailure(
                Condition.RESET, "recv() failed: connection reset by peer", bytes(raw)
            ) from None
        raise


async def _body(
    conn: h11.Connection, reader: asyncio.StreamReader, read_timeout: float
) -> AsyncIterator[bytes]:
    while True:
        try:
            event = conn.next_event()
        except h11.RemoteProtocolError as exc:
            raise BodyCut(f"the upstream's body ended early ({exc})") from None
        if event is h11.NEED_DATA:
            try:
                chunk = await within(read_timeout, reader.read(65536))
            except TimeoutError:
                raise BodyCut(
                    f"the upstream stalled for {read_timeout:g} s inside the body"
                ) from None
            except ConnectionError:
                raise BodyCut("the upstream reset the connection inside the body") from None
            conn.receive_data(chunk)
            continue
        if isinstance(event, h11.Data):
            yield bytes(event.data)
        elif isinstance(event, (h11.EndOfMessage, h11.ConnectionClosed)):
            return
        else:  # PAUSED: the upstream switched protocols (a 2xx to CONNECT, a 101)
            raise BodyCut("the upstream switched to another protocol; the gateway relays HTTP only")
