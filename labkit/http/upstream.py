"""The gateway's side of an upstream connection: connect, send, read, and say what broke.

It speaks HTTP/1.1 to the upstream directly (not through an HTTP client library) so
that it sees the raw bytes and can tell the faults apart: a refused connect, a reset, a
close before or inside the headers, a line that is not HTTP. h11 reads every answer but a
plain one (``_plain_reply``: HTTP/1.1, a final status, fields in h11's grammar, a body
framed by one Content-Length that arrived whole with the head, as the lab's origin sends
each), which is read as h11 would read it without h11's work around it.
"""

from __future__ import annotations

import asyncio
import re
import socket
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import h11
else:  # imported by the first message that needs it
    from labkit.http import lazyh11 as h11

from labkit.conditions import Condition, connect_error
from labkit.errors import os_reason
from labkit.http.complaints import body_complaint, head_complaint
from labkit.http.deadline import next_chance, told_after, within
from labkit.http.headend import head_end
from labkit.http.messages import BodyCut, Headers, decoded_as_sent
from labkit.http.server import h11_parts
from labkit.i18n import Msg, Text
from labkit.record import Record

# A response head read without h11 (``_plain_reply``): HTTP/1.1, a final status, field lines
# in h11's own grammar (h11/_abnf.py: a token, ':', a value of visible characters or
# obs-text with spaces or tabs only inside, optional whitespace around it), each ending in
# CRLF, then CRLF. Anything else, h11 reads (a bare LF, an obs-fold, HTTP/1.0, a 1xx).
# A value (and a reason) of field-vchar (VCHAR or obs-text), spaces and tabs in any order is
# every byte but NUL, LF, VT, FF and CR: the one class h11's value grammar comes to, here
# repeated by itself, where alternatives nested in the repeat cost about 23 k instructions on
# the origin's usual 150-byte head and this class about 12 k (benchmarks/README.md)
_IN_LINE = rb"[^\x00\n-\r]*"
_PLAIN_HEAD = re.compile(
    rb"HTTP/1\.1 ([0-9]{3})(?: (" + _IN_LINE + rb"))?\r\n"
    rb"(?:[-!#$%&'*+.^_`|~0-9a-zA-Z]+:" + _IN_LINE + rb"\r\n)*\r\n"
)
MAX_PLAIN_LENGTH = 18  # digits of a Content-Length read without h11 (h11 takes up to 20)

# bytes of a response head (status line, fields and the empty line): nginx's proxy_buffer_size
# where a memory page is 8 KB (4 KB on x86-64, the nginx personality's limit)
MAX_UPSTREAM_HEAD = 8 * 1024
MAX_ANY_HEAD = (
    16 * 1024 * 1024
)  # above every personality's limit (Caddy: 10 MB); each exchange checks its own


class UpstreamFailure(Exception):
    """The upstream gave no usable response head; ``condition`` says how, ``detail`` what
    was observed (a catalogue message: the gateway's page shows it in the request's
    language; ``str()`` of it, the English, goes to Proxy-Status and the recordings)."""

    def __init__(
        self,
        condition: Condition,
        detail: Text,
        raw: bytes = b"",
        error: str = "",
        number: int | None = None,
    ) -> None:
        super().__init__(str(detail))
        self.condition = condition
        self.detail = detail
        self.raw = raw
        self.error = error  # RFC 9209 error type where the condition's own is not exact
        self.number = number  # the errno of a failed connect(), which a gateway's log quotes


def classify_protocol_error(raw: bytes, message: str) -> Condition:
    """Map h11's complaint about an upstream's response head to a Condition (pure)."""
    if "_SWITCH_UPGRADE" in message:  # h11: a 101 to a request that proposed no Upgrade
        return Condition.UNASKED_SWITCH
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


def _head_end(raw: bytearray) -> int:
    """How many bytes of ``raw`` the head takes, its empty last line included, or -1 before
    that line has come: where h11 finds its end, as for a request (``headend.head_end``:
    an empty line after CRLF or a bare LF, RFC 9112 2.2), so the head counted is the head h11
    read. A head in bare LFs is as long as its bytes: real nginx refuses one of 4,097 bytes
    past its 4 KB buffer, as it refuses one in CRLFs."""
    end = head_end(raw)
    return -1 if end is None else end[1]


def _too_big(raw: bytearray, max_head: int) -> UpstreamFailure:
    """A response head that does not fit in ``max_head`` bytes, told the same however its
    bytes were split: the gateway holds the first ``max_head`` of them, as nginx's buffer
    does, and neither the page nor Proxy-Status's ``header-section-size`` counts what came
    after them (a head that arrived in one read would otherwise say its whole size, one that
    arrived in pieces only what had come when the limit was passed)."""
    return UpstreamFailure(
        Condition.HEADER_TOO_BIG,
        Msg("the response head exceeds {limit} bytes", limit=max_head),
        bytes(raw[:max_head]),
    )


def classify_eof(raw: bytes) -> Condition:
    """The upstream closed before its head was complete: what had it sent?"""
    if not raw:
        return Condition.CLOSED_WITHOUT_RESPONSE
    if not b"HTTP/".startswith(raw[:5]) and not raw.startswith(b"HTTP/"):
        return Condition.INVALID_STATUS_LINE
    return Condition.HEADERS_CUT


class UpstreamReply(Record):
    """A response head from the upstream, and its body: ``body`` streams it; ``whole`` is the
    whole body when it arrived with the head, framed by Content-Length (else None). The
    exchange is then over: the connection may carry the next request, and the body may be
    relayed as plain bytes without streaming it (``body`` still yields it if asked).
    ``fields``: the head's fields as h11 read them, or None for a plain head
    (``_plain_reply``), whose fields ``headers`` reads from ``raw_head`` when asked;
    ``headers``, the fields as text. ``unnamed``: for a plain head that carried the
    request's own id, the head less that X-Request-ID line, the same bytes object for each
    answer that repeats the one before with another id (``Connection._seen``); else None."""

    __slots__ = ("body", "fields", "raw_head", "reason", "status", "unnamed", "whole")

    def __init__(
        self,
        status: int,
        reason: str,
        fields: Sequence[tuple[bytes, bytes]] | None,
        raw_head: bytes,
        body: AsyncIterator[bytes],
        whole: bytes | None = None,
        unnamed: bytes | None = None,
    ) -> None:
        self.status = status
        self.reason = reason
        self.fields = fields
        self.raw_head = raw_head
        self.body = body
        self.whole = whole
        self.unnamed = unnamed

    @property
    def headers(self) -> Headers:
        """The fields as text, each name as the upstream wrote it (``decoded_as_sent``):
        decoded when asked, as a proxy that has relayed the same head before does not ask
        (``proxy.Proxy.relayed_fields``)."""
        if self.fields is None:
            return decoded_as_sent(_plain_fields(self.raw_head))
        return decoded_as_sent(self.fields)


class _Protocol(asyncio.StreamReaderProtocol):
    """A stream protocol that counts what arrives and tells the pool about an idle socket.

    While a connection waits in the pool nobody reads it, so without this the upstream's
    close would leave our end in CLOSE-WAIT until the next request found it dead.
    """

    def __init__(self, reader: asyncio.StreamReader, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(reader, loop=loop)
        self.loop = loop
        self.received = 0
        self.on_idle_event: Callable[[], None] | None = None

    def data_received(self, data: bytes) -> None:
        self.received += len(data)
        super().data_received(data)
        if self.on_idle_event is not None:
            self.on_idle_event()  # bytes nobody asked for: the connection is out of step

    def eof_received(self) -> bool:
        keep = super().eof_received()
        if self.on_idle_event is not None:
            self.on_idle_event()
        return bool(keep)

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        if self.on_idle_event is not None:
            self.on_idle_event()


class Connection:
    """One connection to an upstream, kept alive across requests when both sides agree.

    ``number`` counts the connections this proxy opened to the target (1 for the first),
    ``requests`` the requests this connection has carried, so the recording can say
    "connection #1, request 3 on it" without naming a port.
    """

    def __init__(
        self,
        key: tuple[str, int],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        protocol: _Protocol,
        number: int = 0,
    ) -> None:
        self.key = key
        # the loop it was opened on, which serves it: kept, as asking asyncio for the running
        # loop makes a system call (getpid) each time, and an exchange needs it twice
        self.loop = protocol.loop
        self.reader = reader
        self.writer = writer
        self.protocol = protocol
        self.number = number
        self.requests = 0
        self._consumed = 0
        # the last exchange went without h11 (``plain_lines``, ``_plain_reply``) and ended
        # cleanly: h11 saw none of it, its states are still those of a fresh cycle
        self._plain_done = False
        # what the proxy keeps of this connection's last exchange, to reuse (proxy._attempt_on)
        self.memo: dict[int | None, tuple[tuple[object, ...], Any]] = {}
        # the English of the proxy's note of each request on it, made once (proxy._forwarded)
        self.note: tuple[tuple[object, ...], str, str, dict[str, object]] | None = None
        # h11's side of it, made when an exchange first needs h11 (``_told``): None while
        # every exchange went without it
        self._h11: h11.Connection | None = None
        # the last plain answer that carried its request's id, around that id (``_plain``)
        self._seen: _Seen | None = None
        # The head's read timer, kept from one answer to the next (``_read_by``): when it
        # is due, and the read it times now (its task, deadline and the timer's mark)
        self._alarm: asyncio.Handle | None = None
        self._alarm_at = 0.0
        self._timed: tuple[asyncio.Task[Any], float, list[bool]] | None = None
        # While idle in a pool: until when it may stay, and the pool's callback that ends it
        # early (see Pool.put). The timer outlives a reuse: a connection taken and put back
        # moves ``idle_until`` and keeps its timer, instead of a new timer per request.
        self.idle = False
        self.idle_until = 0.0
        self.idle_timer: asyncio.TimerHandle | None = None
        self.expire_now: Callable[[], None] | None = None
        # the pool that opened it, the only one that may keep it (Pool.put)
        self.opened_by: Pool | None = None

    @property
    def reused(self) -> bool:
        """Has this connection carried a request before the one in flight?"""
        return self.requests > 1

    def abort(self) -> None:
        self._stop_timers()
        self.writer.transport.abort()

    def close(self) -> None:
        self._stop_timers()
        self.writer.close()

    def _stop_timers(self) -> None:
        if self.idle_timer is not None:
            self.idle_timer.cancel()
            self.idle_timer = None
        if self._alarm is not None:
            self._alarm.cancel()
            self._alarm = None

    def reusable(self) -> bool:
        """Did the last exchange end cleanly, so another request may follow on it?

        Both sides must be done (no ``Connection: close``, no HTTP/1.0), and no byte may
        have arrived beyond the response: one would be read as the next answer.
        """
        conn = self._h11
        return (
            (
                self._plain_done
                or (
                    conn is not None
                    and conn.our_state is h11.DONE
                    and conn.their_state is h11.DONE
                    and conn.trailing_data == (b"", False)
                )
            )
            and self.protocol.received == self._consumed
            and not self.writer.transport.is_closing()
            and not self.reader.at_eof()
        )

    async def exchange(
        self,
        request: h11.Request | Callable[[], h11.Request],
        body: bytes,
        read_timeout: float,
        max_head: int = MAX_UPSTREAM_HEAD,
        sent: Callable[[], None] | None = None,
        version: bytes = b"1.1",
        head: bytes | None = None,
        interim_final: bool = False,
        own_id: bytes | None = None,
    ) -> UpstreamReply:
        """Send the request (head and body in one write) and read the response head;
        ``sent`` is called once the request is written, before anything is awaited.
        ``version``: the request line's HTTP version, where a gateway passes on another one
        than h11's 1.1 (HAProxy passes ``HTTP/0.9`` with headers on as it came).
        ``head``: the request's head as h11 writes it, made by the caller from lines of
        ``plain_lines`` (``proxy.Proxy._plain_head``); without it, a request that comes as an
        h11 event gets its lines there too (``_plain_request``), or h11 writes it. With a
        head, ``request`` may be what makes its h11 event, called only if h11 must be told
        of it. ``interim_final``: an interim (1xx) response is the reply, as nginx takes it
        (``_interim_as_final``); else it is skipped and the final one read. ``own_id``: the
        id a labkit upstream answers with in its X-Request-ID (the one the request's tagged
        id continues), given with a ``head`` whose X-Request-ID was fit for a field (``_plain``).

        The read timeout runs from the moment the request is written and covers the whole
        response head, on the loop's clock (``deadline.within``, with its grace for a starved
        process), so a 504 fires at the loop's timer floor. So do nginx (its timer set when the
        request went out is not re-armed while the head arrives, whatever its docs say of
        "two successive read operations"), HAProxy and Caddy (response_header_timeout):
        observed, a head sending one field line every 0.2 s got 504 at 0.3 s from all three.
        The body is streamed afterwards, each read within the whole read timeout (``_body``).
        """
        conn = self._h11
        if conn is not None and conn.our_state is h11.DONE:
            conn.start_next_cycle()
        self.requests += 1
        self._plain_done = False
        # without h11 where its answer will not need it (h11 is told of the request only
        # when the answer does: ``_read_head``)
        if head is not None:
            data: bytes | None = head + body if body else head
        elif version == b"1.1" and type(request) is h11.Request:
            data = _plain_request(request, body)
        else:
            data = None
        plain = data is not None
        if data is None:
            conn = self._told()
            if not isinstance(request, h11.Request):
                request = request()
            data = conn.send(request)
            if version != b"1.1":
                line, _, rest = data.partition(b"\r\n")
                data = line[: -len(b"1.1")] + version + b"\r\n" + rest
            if body:
                data += conn.send(h11.Data(data=body))
            data += conn.send(h11_parts().end)
        writer = self.writer
        writer.write(data)
        if sent is not None:
            sent()
        # the read timeout runs from here, on the loop's clock (the timer is armed with it);
        # its 504 is told no earlier than it lasted by the machine's clock (``told_after``)
        until: float | None = self.loop.time() + read_timeout
        began = time.monotonic()
        if writer.transport.get_write_buffer_size():  # an upstream that does not read
            until = None  # then from the end of the write, once the upstream took it all
            try:
                await within(read_timeout, writer.drain)
            except ConnectionError as exc:
                raise UpstreamFailure(
                    Condition.RESET, Msg("sending the request failed: {error}", error=str(exc))
                ) from None
            except TimeoutError:
                await told_after(began + read_timeout)
                raise UpstreamFailure(
                    Condition.READ_TIMEOUT,
                    Msg(
                        "the upstream did not take the request within the read timeout of "
                        "{seconds} s",
                        seconds=f"{read_timeout:g}",
                    ),
                ) from None
        raw = bytearray()
        try:
            told = request if plain else None
            return await self._read_head(
                raw, read_timeout, max_head, until, told, body, interim_final, own_id
            )
        except TimeoutError:
            await told_after(began + read_timeout)
            seconds = f"{read_timeout:g}"
            what = (
                Msg("no response within the read timeout of {seconds} s", seconds=seconds)
                if not raw
                else Msg(
                    "no complete response head within the read timeout of {seconds} s",
                    seconds=seconds,
                )
            )
            raise UpstreamFailure(Condition.READ_TIMEOUT, what, bytes(raw)) from None

    async def _interim_as_final(
        self, event: h11.InformationalResponse, raw: bytearray, end: int, read_timeout: float
    ) -> UpstreamReply:
        """An interim response taken as the final one, as nginx 1.22 takes it (it knows no 1xx
        from an upstream; personalities.NGINX): its head, and as its body whatever followed it,
        read to the upstream's close (or a stall of the read timeout). The connection is
        not reused after it: the caller closes it."""
        rest = bytes(raw[end:]) + await read_rest(self.reader, read_timeout)

        async def body() -> AsyncIterator[bytes]:
            yield rest

        return UpstreamReply(
            status=event.status_code,
            reason=event.reason.decode("latin-1"),
            fields=event.headers,
            raw_head=bytes(raw[:end]),
            body=body(),
            whole=rest,
        )

    async def _read_by(self, until: float) -> bytes:
        """A read of the answer's head, given up at ``until`` on the loop's clock: what
        ``deadline.within`` does for it (TimeoutError at the deadline, the same graces for a
        starved loop, another's cancel passed on), with one timer for the connection kept
        from one answer to the next instead of one set and cancelled for each.

        Each timed wait set a timer on the loop and cancelled it once the answer came: a
        push onto the loop's heap of timers (a comparison in Python at each level) and a
        cancelled entry left to sift out later, about 20 k instructions a wait. The answers
        on a kept connection come one after another, each deadline later than the one
        before: the timer set for one answer stays, and when it fires while a later read
        waits, it is set again for that read's deadline (``_ring``), or ends if none waits.
        A deadline before it (a read timeout made shorter) sets it anew."""
        loop = self.loop
        task = asyncio.current_task(loop)
        assert task is not None
        deadline: float | None = until
        tries = 0
        while deadline is not None:
            fired: list[bool] = []  # the timer's mark: the cancel, if any, is this timer's
            alarm = self._alarm
            if alarm is None or self._alarm_at > deadline:
                if alarm is not None:
                    alarm.cancel()
                if deadline <= loop.time():
                    self._alarm = loop.call_soon(self._ring)
                else:
                    self._alarm = loop.call_at(deadline, self._ring)
                self._alarm_at = deadline
            self._timed = (task, deadline, fired)
            cancelling = task.cancelling()
            try:
                chunk = await self.reader.read(65536)
            except asyncio.CancelledError:
                self._timed = None
                if not fired or task.uncancel() > cancelling:
                    raise  # someone else's cancel (the lab stopping): not a timeout
                deadline = next_chance(deadline, tries, self._arrived())
                tries += 1
                continue
            except BaseException:
                self._timed = None
                if fired:
                    task.uncancel()
                raise
            self._timed = None
            if fired:
                task.uncancel()
            return chunk
        raise TimeoutError

    def _ring(self) -> None:
        """The head's read timer fired (``_read_by``): the read that waits is given up if
        its deadline has come, else the timer is set again for it; with none waiting, the
        timer ends."""
        self._alarm = None
        timed = self._timed
        if timed is None:
            return
        task, deadline, fired = timed
        if deadline > self._alarm_at:  # set for an earlier read: now for this one's deadline
            self._alarm = self.loop.call_at(deadline, self._ring)
            self._alarm_at = deadline
            return
        fired.append(True)
        task.cancel()

    def _arrived(self) -> bool:
        """Whether bytes (or the end) arrived that no read has taken yet."""
        return self.protocol.received > self._consumed or self.reader.at_eof()

    def _told(self) -> h11.Connection:
        """h11's side of this connection, made when an exchange first needs h11: our own
        head-size check (max_head) runs on every read; this is h11's backstop."""
        conn = self._h11
        if conn is None:
            conn = self._h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_ANY_HEAD)
        return conn

    async def _read_head(
        self,
        raw: bytearray,
        read_timeout: float,
        max_head: int,
        until: float | None,
        told: h11.Request | Callable[[], h11.Request] | None = None,
        body: bytes = b"",
        interim_final: bool = False,
        own_id: bytes | None = None,
    ) -> UpstreamReply:
        """The response head. ``told``: the request h11 was not told of (it went out as
        ``plain_lines`` wrote its fields), or None. The first read of such a request's answer is
        read without h11 when it is a plain one (``_plain``); else h11 is told of the
        request now and reads what arrived, as if it had written the request itself."""
        eof = False
        # Nothing of the answer is in h11's buffer yet (a connection is reused only with
        # nothing left over: reusable), so a first look would only say NEED_DATA: read first.
        # (and h11, not asked then, is not imported for a plain answer)
        first = True
        while True:
            try:
                event = None if first else self._told().next_event()
                first = False
            except h11.RemoteProtocolError as exc:
                if eof:
                    raise UpstreamFailure(
                        classify_eof(bytes(raw)), _eof_detail(raw), bytes(raw)
                    ) from None
                cond = classify_protocol_error(bytes(raw), str(exc))
                raise UpstreamFailure(
                    cond, head_complaint(bytes(raw), str(exc)), bytes(raw)
                ) from None
            if event is None or event is h11.NEED_DATA:
                if len(raw) > max_head:
                    raise _too_big(raw, max_head)
                if until is None:  # the request's write ended only now (``exchange``)
                    until = self.loop.time() + read_timeout
                try:  # every read of the head by the same deadline (``exchange``)
                    chunk = await self._read_by(until)
                except ConnectionResetError:
                    raise UpstreamFailure(
                        Condition.RESET, Msg("recv() failed: connection reset by peer"), bytes(raw)
                    ) from None
                self._consumed += len(chunk)
                eof = not chunk
                raw += chunk
                if told is not None and chunk:
                    reply = self._plain(raw, max_head, own_id)
                    if reply is not None:
                        self._plain_done = True
                        return reply
                conn = self._told()
                if told is not None:
                    if not isinstance(told, h11.Request):
                        told = told()
                    conn.send(told)  # the bytes it makes went out already
                    if body:
                        conn.send(h11.Data(data=body))
                    conn.send(h11_parts().end)
                    told = None
                    if chunk:
                        conn.receive_data(bytes(raw))
                        continue
                conn.receive_data(chunk)
                continue
            if isinstance(event, h11.InformationalResponse):  # 100 Continue, 103: not the answer
                end = _head_end(raw)
                if interim_final and event.status_code != 101:  # 101: the lab opens no tunnel
                    return await self._interim_as_final(event, raw, end, read_timeout)
                del raw[:end]
                continue
            if isinstance(event, h11.Response):
                end = _head_end(raw)
                # the whole head, its empty last line too, as nginx's buffer must hold it
                # (observed: 4,095 bytes accepted, 4,097 refused) and as a capture counts it
                if end > max_head:
                    raise _too_big(raw, max_head)
                head = bytes(raw[:end]) if end >= 0 else bytes(raw)
                arrived, ended, error = _arrived_body(self._told())
                whole = None
                if ended and _length_framed(event.headers):
                    whole = b"".join(arrived)
                return UpstreamReply(
                    status=event.status_code,
                    reason=event.reason.decode("latin-1"),
                    fields=event.headers,
                    raw_head=head,
                    body=self._body(read_timeout, arrived, ended, error),
                    whole=whole,
                )
            # h11 pauses where the upstream accepted a protocol switch the request proposed (a
            # 101 to its Upgrade): the lab opens no tunnel, and its gateway never passes Upgrade
            # on (proxy.py), so only a caller that sends one meets this. No other event comes
            # before a response head.
            raise UpstreamFailure(
                Condition.INVALID_STATUS_LINE,
                Msg(
                    "the upstream switched the connection to another protocol (101 Switching "
                    "Protocols), and the gateway opens no tunnel"
                ),
                bytes(raw),
            )

    def _plain(self, raw: bytearray, max_head: int, own_id: bytes | None) -> UpstreamReply | None:
        """``_plain_reply`` of ``raw``, without reading the head again where it is the last
        plain head this connection read, with ``own_id`` where that one had its own.

        A labkit upstream answers each request on a kept connection with the same head but
        for its X-Request-ID (and its Date, once a second), and reading it was the largest
        single cost of the gateway's upstream side: ``_PLAIN_HEAD`` alone, about 12 k
        instructions a head, with the lowered head's look at its framing. The head read
        again is the bytes of one read before with another id in the same place, an id that
        went out in the request's own X-Request-ID, which ``own_id`` is only where that field
        is in h11's grammar (``proxy.Proxy._plain_head``): so in ``_PLAIN_HEAD`` too, and the
        status, reason and framing are the last head's."""
        seen = self._seen
        if seen is not None and own_id is not None:
            before, after, status, reason, length, unnamed = seen
            head = before + own_id + after
            if len(raw) == len(head) + length and len(head) <= max_head and raw.startswith(head):
                whole = bytes(raw[len(head) :])
                return UpstreamReply(
                    status, reason, None, head, self._plain_body(whole), whole, unnamed
                )
        reply = _plain_reply(raw, max_head, self._plain_body)
        if reply is None or own_id is None or reply.whole is None:
            return reply
        head = reply.raw_head
        found = without_id(head)
        if found is None or head[found[1] : found[2]] != own_id:
            self._seen = None
            return reply
        unnamed, value_at, after_at = found
        reply.unnamed = unnamed
        self._seen = (
            head[:value_at],
            head[after_at:],
            reply.status,
            reply.reason,
            len(reply.whole),
            unnamed,
        )
        return reply

    async def _plain_body(self, whole: bytes) -> AsyncIterator[bytes]:
        """The body of a plain reply (``_plain_reply``): all of it arrived with the head."""
        if whole:
            yield whole

    async def _body(
        self, read_timeout: float, arrived: list[bytes], ended: bool, error: str
    ) -> AsyncIterator[bytes]:
        """The body: what arrived with the head (``_arrived_body``), then the rest as it comes."""
        for chunk in arrived:
            yield chunk
        if ended:
            return
        if error:
            # the complaint says what ended the body: it is the whole detail, so a picture's
            # label "200 OK (body cut off: ...)" keeps one level of parentheses
            raise BodyCut(body_complaint(error, MAX_ANY_HEAD))
        conn = self._told()
        while True:
            try:
                event = conn.next_event()
            except h11.RemoteProtocolError as exc:
                raise BodyCut(body_complaint(str(exc), MAX_ANY_HEAD)) from None
            if event is h11.NEED_DATA:
                try:
                    chunk = await within(read_timeout, lambda: self.reader.read(65536))
                except TimeoutError:
                    raise BodyCut(
                        Msg(
                            "the upstream stalled for {seconds} s inside the body",
                            seconds=f"{read_timeout:g}",
                        )
                    ) from None
                except ConnectionError:
                    raise BodyCut(
                        Msg("the upstream reset the connection inside the body")
                    ) from None
                self._consumed += len(chunk)
                conn.receive_data(chunk)
                continue
            if isinstance(event, h11.Data):
                yield bytes(event.data)
            elif isinstance(event, (h11.EndOfMessage, h11.ConnectionClosed)):
                return
            else:  # PAUSED: the upstream switched protocols (a 2xx to CONNECT, a 101)
                raise BodyCut(
                    Msg("the upstream switched to another protocol; the gateway relays HTTP only")
                )


# A field as h11 keeps it: its name as written, in lower case, and its value
Entry = tuple[bytes, bytes, bytes]
# A plain head a connection read (``Connection._plain``): its bytes before its request's id
# and after it, its status, reason and body length, and the head less that id's line
_Seen = tuple[bytes, bytes, int, str, int, bytes]
# Requests h11 writes itself whatever their fields: their answers' framing is h11's to judge
H11_METHODS = frozenset({b"HEAD", b"CONNECT"})


_ID_LINE = b"\r\nX-Request-ID: "  # as a labkit server writes it


def without_id(head: bytes) -> tuple[bytes, int, int] | None:
    """``head`` less its X-Request-ID line (as a labkit server writes it, the CRLF before it
    dropped with it), and where that line's value begins and ends in ``head``; None without
    one. The heads of a labkit upstream's answers differ in that line alone (and in Date,
    once a second): less it, a head is the key its relayed fields are kept by
    (``proxy.Proxy.relayed_fields``), made here both for a head read again
    (``Connection._plain``, which keeps it as ``UpstreamReply.unnamed``) and for any other."""
    start = head.find(_ID_LINE)
    end = head.find(b"\r\n", start + 2) if start >= 0 else -1
    if end < 0:
        return None
    return head[:start] + head[end:], start + len(_ID_LINE), end


def plain_lines(
    first: Sequence[Entry], then: Sequence[Entry], length: int
) -> tuple[bytes, bytes] | None:
    """The field lines of a request with a body of ``length`` bytes as h11 writes them (the
    Host lines first, then the others in order, each 'name: value'), split where a line goes
    between the fields ``first`` and ``then`` (the proxy's X-Request-ID); the second part ends
    with the blank line. None where h11 is to write the request: without a Host, with a
    Connection or Transfer-Encoding field, with more than one Content-Length or a body its
    Content-Length does not frame.

    The one writer of a request as h11 writes it: the proxy makes the lines once for a
    client's fields (``proxy._forwarding_parts``), and a request that comes as an h11 event
    gets them here too (``_plain_request``). h11 writes a request with a call for each field
    and its state machine's work around it (the events, their transitions, the framing looked
    up): about a quarter of what the gateway spent on its upstream's side."""
    host = b""
    length_seen = False
    for raw, name, value in (*first, *then):
        if name == b"host":
            host += b"%s: %s\r\n" % (raw, value)
        elif name == b"content-length":
            if length_seen or value != b"%d" % length:
                return None
            length_seen = True
        elif name == b"connection" or name == b"transfer-encoding":
            return None
    if not host or (length and not length_seen):
        return None
    before = b"".join(
        [b"%s: %s\r\n" % (raw, value) for raw, name, value in first if name != b"host"]
    )
    after = b"".join([b"%s: %s\r\n" % (raw, value) for raw, name, value in then if name != b"host"])
    return host + before, after + b"\r\n"


def _plain_request(request: h11.Request, body: bytes) -> bytes | None:
    """The bytes of a request that comes as an h11 event as h11 writes them (``plain_lines``,
    then the body), without h11, or None where h11 is to write it: a HEAD or CONNECT
    (``H11_METHODS``), fields that are byte pairs, fields ``plain_lines`` leaves to h11."""
    if request.method in H11_METHODS:
        return None
    items = getattr(request.headers, "raw_items", None)
    if items is None:
        return None
    lines = plain_lines([(name, name.lower(), value) for name, value in items()], (), len(body))
    if lines is None:
        return None
    return b"%s %s HTTP/1.1\r\n%s%s%s" % (request.method, request.target, *lines, body)


def _plain_reply(
    raw: bytearray, max_head: int, body: Callable[[bytes], AsyncIterator[bytes]]
) -> UpstreamReply | None:
    """The reply in ``raw`` when it is a plain one, read without h11, or None for h11 to read:
    the whole head and body arrived and nothing more, the head is ``_PLAIN_HEAD`` within
    ``max_head``, its status final (not 204 or 304), one Content-Length of digits frames the
    body, no Transfer-Encoding, no Connection (HTTP/1.1 keep-alive as h11 reads it). What h11
    would make of such a head is exactly this: the status, the reason, each field's name and
    value less the whitespace around it; the body is ``whole``."""
    end = raw.find(b"\r\n\r\n")
    if end < 0 or end + 4 > max_head:  # the whole head, as _read_head counts it
        return None
    head = bytes(raw[: end + 4])
    match = _PLAIN_HEAD.fullmatch(head)
    if match is None:
        return None
    status = int(match[1])
    if status < 200 or status == 204 or status == 304:
        return None
    lower = head.lower()
    at = lower.find(b"\r\ncontent-length:")
    # find, not ``in``: on CPython 3.11 ``bytes in bytes`` first tries its argument as an
    # integer and raises and clears a TypeError, 1.1 k instructions more a test
    if at < 0 or lower.find(b"\r\ntransfer-encoding:") >= 0 or lower.find(b"\r\nconnection:") >= 0:
        return None
    if lower.find(b"\r\ncontent-length:", at + 2) >= 0:
        return None
    length = head[at + 17 : head.find(b"\r\n", at + 2)].strip(b" \t")
    if not length.isdigit() or len(length) > MAX_PLAIN_LENGTH:
        return None
    if len(raw) - end - 4 != int(length):
        return None
    whole = bytes(raw[end + 4 :])
    reason = match[2] or b""
    return UpstreamReply(status, reason.decode("latin-1"), None, head, body(whole), whole)


def _plain_fields(head: bytes) -> list[tuple[bytes, bytes]]:
    """A plain head's fields (``_PLAIN_HEAD``) as h11 reads them: each name as written and
    its value less the whitespace around it. Read only when asked (``UpstreamReply.headers``):
    a proxy that relayed the same head before does not ask (``proxy.Proxy.relayed_fields``)."""
    lines = head[head.find(b"\r\n") + 2 : -4]
    fields = []
    for line in lines.split(b"\r\n") if lines else ():
        name, _, value = line.partition(b":")
        fields.append((name, value.strip(b" \t")))
    return fields


def _arrived_body(conn: h11.Connection) -> tuple[list[bytes], bool, str]:
    """The body bytes that arrived with the head, whether the body ended there, and h11's
    complaint if it is already wrong; what is not taken here (more to read, a PAUSED) is
    left for the stream (``Connection._body``)."""
    chunks: list[bytes] = []
    while True:
        try:
            event = conn.next_event()
        except h11.RemoteProtocolError as exc:
            return chunks, False, str(exc)
        if type(event) is h11.Data:
            chunks.append(bytes(event.data))
        else:
            return chunks, type(event) is h11.EndOfMessage, ""


def _length_framed(fields: Sequence[tuple[bytes, bytes]]) -> bool:
    """Whether the response's body is framed by its Content-Length (no Transfer-Encoding).

    Only such a body, once whole, is relayed as plain bytes (``UpstreamReply.whole``): the
    relayed response keeps that Content-Length and goes out byte for byte as streamed would;
    a chunked or close-delimited one is streamed, its framing the relaying server's own.
    Read through h11's public ``raw_items()`` when it has it, as ``messages.decoded`` does
    (the list inside its fields is h11's own), each name lowercased as h11 does.
    """
    raw = getattr(fields, "raw_items", None)
    length = False
    for name, _ in raw() if raw is not None else fields:
        name = name.lower()
        if name == b"content-length":
            length = True
        elif name == b"transfer-encoding":
            return False
    return length


class Pool:
    """Idle keep-alive connections of one proxy, per upstream address, newest used first.

    A connection waits here only after an exchange that ended cleanly. It leaves when a
    request takes it, when its idle time runs out, when the upstream closes it or sends
    a byte nobody asked for, when the pool is full (the oldest goes, as nginx's
    ``keepalive N`` closes the least recently used), or when the proxy stops.
    """

    def __init__(self) -> None:
        self._idle: dict[tuple[str, int], list[Connection]] = {}
        self._opened: dict[tuple[str, int], int] = {}
        self._closed = False

    def __len__(self) -> int:
        return sum(len(idle) for idle in self._idle.values())

    async def connect(self, host: str, port: int, timeout: float) -> Connection:
        """A new connection to the upstream, numbered among those opened to it."""
        key = (host, port)
        reader, writer, protocol = await _open(host, port, timeout)
        number = self._opened.get(key, 0) + 1
        self._opened[key] = number
        conn = Connection(key, reader, writer, protocol, number)
        conn.opened_by = self
        return conn

    def take(self, host: str, port: int) -> Connection | None:
        """An idle connection to this upstream, or None."""
        idle = self._idle.get((host, port))
        while idle:
            conn = idle.pop()
            self._leave(conn)
            if not conn.writer.transport.is_closing() and not conn.reader.at_eof():
                return conn
            conn.abort()
        return None

    def put(self, conn: Connection, max_idle: int, idle_timeout: float) -> bool:
        """Keep the connection for the next request if it may carry one; else close it (as
        one another pool opened: its exchange began before the pool was ``renewed``)."""
        if self._closed or conn.opened_by is not self or max_idle < 1 or not conn.reusable():
            conn.close() if conn.reusable() else conn.abort()
            return False
        idle = self._idle.setdefault(conn.key, [])
        while len(idle) >= max_idle:
            oldest = idle.pop(0)
            self._leave(oldest)
            oldest.close()
        loop = conn.loop
        conn.idle_until = until = loop.time() + idle_timeout
        timer = conn.idle_timer
        if timer is not None and timer.when() > until:  # the idle time was made shorter
            timer.cancel()
            timer = None
        if timer is None:
            conn.idle_timer = loop.call_at(until, self._idle_ended, conn)
        if conn.expire_now is None:
            conn.expire_now = lambda: self._expire(conn)
        conn.protocol.on_idle_event = conn.expire_now
        conn.idle = True
        idle.append(conn)
        return True

    def renewed(self) -> Pool:
        """This pool closed, and an empty one in its place that numbers its connections on
        from this one's (a recording never shows two connections #1 to one upstream).

        A gateway that switches personality becomes another real server, which never held
        the connections the one before kept (``gateway.Gateway._become``): under caddy, a
        POST took the idle connection haproxy had kept to the idle-close upstream and got
        502. An exchange still under way ends with its connection closed: the new pool
        refuses it, the old one is closed."""
        self.close()
        fresh = Pool()
        fresh._opened = self._opened
        return fresh

    def close(self) -> None:
        """Close every idle connection; nothing is kept after this."""
        self._closed = True
        for idle in self._idle.values():
            for conn in idle:
                self._leave(conn)
                conn.abort()
        self._idle.clear()

    def _idle_ended(self, conn: Connection) -> None:
        """The idle timer of ``conn`` fired: it ends the connection if it is still idle and
        was not put back since (then the timer moves to the new end)."""
        conn.idle_timer = None
        if not conn.idle:
            return  # in use: the exchange that took it decides what happens to it
        loop = asyncio.get_running_loop()
        if conn.idle_until > loop.time():
            conn.idle_timer = loop.call_at(conn.idle_until, self._idle_ended, conn)
        else:
            self._expire(conn)

    def _expire(self, conn: Connection) -> None:
        idle = self._idle.get(conn.key, [])
        if conn in idle:
            idle.remove(conn)
        self._leave(conn)
        conn.close()

    @staticmethod
    def _leave(conn: Connection) -> None:
        conn.protocol.on_idle_event = None
        conn.idle = False


async def _open(
    host: str, port: int, timeout: float
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, _Protocol]:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=2**16, loop=loop)
    protocol = _Protocol(reader, loop)
    # a task of its own, so that a starved timer's grace (http/deadline.py) waits for this
    # same attempt rather than starting another
    opening = loop.create_task(loop.create_connection(lambda: protocol, host, port))
    began = time.monotonic()
    try:
        transport, _ = await within(timeout, lambda: asyncio.shield(opening))
    except TimeoutError:
        _abandon(opening)
        await told_after(began + timeout)  # never before the time it names, by the machine's
        raise UpstreamFailure(
            Condition.CONNECT_TIMEOUT,
            Msg("connect() did not complete within {seconds} s", seconds=f"{timeout:g}"),
        ) from None
    except asyncio.CancelledError:
        _abandon(opening)
        raise
    except ConnectionRefusedError:
        raise UpstreamFailure(
            Condition.REFUSED, Msg("connect() failed: connection refused")
        ) from None
    except socket.gaierror as exc:  # a host name with no address: connect() never ran
        raise name_failed(host, exc) from None
    except OSError as exc:  # no route, a firewall, no local port...: not a refusal
        raise connect_failed(exc) from None
    return reader, asyncio.StreamWriter(transport, protocol, reader, loop), protocol


def connect_failed(exc: OSError) -> UpstreamFailure:
    """A connect() that failed neither by a refusal nor by the gateway's timeout: the
    unreachable condition, whose Proxy-Status names the errno's own error type
    (conditions.CONNECT_ERRORS: no route, a local firewall, no local port are told apart)."""
    return UpstreamFailure(
        Condition.UNREACHABLE,
        Msg("connect() failed: {error}", error=os_reason(exc)),
        error=connect_error(exc.errno),
        number=exc.errno,
    )


def name_failed(host: str, exc: socket.gaierror) -> UpstreamFailure:
    """A host name the resolver found no address for (a learner's Route to a name; the lab's
    own targets are addresses): the dns-error condition, RFC 9209 2.3.2's dns_error, told as
    the resolver's failure in its own words, not as a connect() that failed. Its ``rcode`` parameter is left out, as
    2.3.2 allows (its parameters are optional, 2.1.1): getaddrinfo() says EAI_NONAME both for
    a name that does not exist (NXDOMAIN) and for one with no address (NOERROR without
    data), and EAI_AGAIN for a SERVFAIL and for a resolver that never answered, so the DNS
    RCODE is not known here."""
    return UpstreamFailure(
        Condition.DNS_ERROR,
        Msg(
            "the host name {host} did not resolve to an address: {reason}",
            host=repr(host),
            reason=exc.strerror or str(exc),
        ),
    )


def _abandon(opening: asyncio.Task[tuple[asyncio.BaseTransport, asyncio.BaseProtocol]]) -> None:
    """Give up a connect attempt; should it have completed anyway, close what it opened."""

    def close(done: asyncio.Task[tuple[asyncio.BaseTransport, asyncio.BaseProtocol]]) -> None:
        if not done.cancelled() and done.exception() is None:
            done.result()[0].close()

    opening.cancel()
    opening.add_done_callback(close)


async def connect(
    host: str, port: int, timeout: float
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Open a connection and nothing more (the gateway's active health check)."""
    reader, writer, _ = await _open(host, port, timeout)
    return reader, writer


async def read_rest(reader: asyncio.StreamReader, timeout: float, limit: int = 1 << 20) -> bytes:
    """Whatever the upstream still sends, until it closes, stalls or passes ``limit``."""
    rest = bytearray()
    try:
        while len(rest) < limit:
            chunk = await within(timeout, lambda: reader.read(65536))
            if not chunk:
                break
            rest += chunk
    except (TimeoutError, ConnectionError):
        pass
    return bytes(rest)


def _eof_detail(raw: bytearray) -> Msg:
    if not raw:
        return Msg("the upstream closed the connection before sending anything")
    if classify_eof(bytes(raw)) is Condition.INVALID_STATUS_LINE:
        return Msg(
            "the upstream sent {count} bytes that do not start with 'HTTP/', then closed",
            count=len(raw),
        )
    return Msg(
        "the upstream closed the connection after {count} bytes of an unfinished head",
        count=len(raw),
    )
