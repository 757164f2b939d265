"""Misbehaving upstreams: one real socket per fault, each wrong in one way on purpose.

A registry of small objects, after Toxiproxy's toxics. Each kind of misbehaviour is one
class (``Fault`` answers its bytes and closes; ``Close``, ``Reset``, ``Slow``,
``IdleClose``, ``Refused``, ``Blackhole``...), declares its knobs (``Knob``: name, unit,
allowed range, default) and has one method that serves a connection. ``FAULTS`` names
one instance of a kind for each upstream the lab runs; adding a kind of misbehaviour is
one class plus one entry there (docs/architecture.md, "Add a kind of fault").

Two kinds are sockets that never answer at all, so their one method takes the port
instead of serving a connection: ``Refused`` binds without listening (the kernel
refuses), ``Blackhole`` listens with a full accept queue (the kernel drops the SYN, so
connecting hangs until the gateway's connect timeout).
"""

from __future__ import annotations

import asyncio
import copy
import re
import socket
from collections.abc import Iterable
from typing import Any, ClassVar, TypeVar

from labkit import personalities
from labkit.conditions import Condition
from labkit.errors import BadArgument, check_number, unit_words
from labkit.http import ports, server
from labkit.http.deadline import within
from labkit.http.headend import first_line
from labkit.http.server import Listener, set_linger_reset
from labkit.i18n import ENGLISH, Listed, Msg, Said, Text, said
from labkit.record import FrozenRecord
from labkit.recorder import Ending, Kind, Recorder, Role

# The whole request head must arrive within this: a client that drips a byte at a time
# cannot hold a fault upstream's connection (each read alone is not bounded enough).
REQUEST_TIMEOUT = 5.0
MAX_REQUEST_BYTES = 65536

# compiled by re when an upstream first reads a request, not at import (0.08 ms of it)
_REQUEST_ID = rb"\r\nx-request-id:[ \t]*([A-Za-z0-9._-]{1,64})"
_CONTENT_LENGTH = rb"\r\ncontent-length:[ \t]*(\d{1,18})[ \t]*\r\n"

F = TypeVar("F", bound="Fault")

# The huge-headers fault's response head, its empty last line included: a 20,000-byte field
# value makes it larger than any gateway buffer of a few KB (personalities' max_response_head),
# and its size in the fault's and scenario's words is counted from these bytes, not typed
HUGE_HEAD = (
    b"HTTP/1.1 200 OK\r\nX-Padding: "
    + b"a" * 20_000
    + b"\r\nContent-Length: 3\r\nConnection: close\r\n\r\n"
)


class Knob(FrozenRecord):
    """One setting of a kind of fault that a learner may turn (``lab.upstreams[NAME].<name>``)."""

    __slots__ = ("default", "maximum", "meaning", "minimum", "name", "unit")
    name: str
    unit: str
    minimum: float
    maximum: float
    default: float
    meaning: Text  # what it sets, in words (a Msg: said in the CLI's language)

    def __init__(
        self, name: str, unit: str, minimum: float, maximum: float, default: float, meaning: Text
    ) -> None:
        set_ = object.__setattr__
        set_(self, "name", name)
        set_(self, "unit", unit)
        set_(self, "minimum", minimum)
        set_(self, "maximum", maximum)
        set_(self, "default", default)
        set_(self, "meaning", meaning)

    def check(self, value: object) -> float:
        """The value as a float, or BadArgument naming the knob and its range."""
        return float(
            check_number(
                self.name, value, minimum=self.minimum, maximum=self.maximum, unit=self.unit
            )
        )

    def words(self, lang: str = ENGLISH) -> str:
        """The knob in words, in ``lang``: its name, what it sets, its range and default."""
        return Msg(
            "{name}: {meaning}, {minimum} to {maximum} {unit}, default {default}",
            name=self.name,
            meaning=self.meaning,
            minimum=f"{self.minimum:g}",
            maximum=f"{self.maximum:g}",
            unit=unit_words(self.unit, lang),
            default=f"{self.default:g}",
        ).render(lang)

    def __str__(self) -> str:
        return self.words()


# what an upstream is recorded to have sent, in words (Saids: a Chinese panel says them in
# Chinese); the bytes themselves are quoted as they were
NOTHING = Msg("(nothing)", context="sent")
RESET_SENT = Said(Msg("RST (connection reset, nothing sent)"))
# a fault whose answer comes after the client reset the connection (a slow one, say): the
# recording said the answer went out, then FIN
CLIENT_GONE = Said(Msg("(nothing): the client had reset the connection before this answer"))


class Connection:
    """One connection a fault upstream accepted, and the words to record what it did there."""

    def __init__(
        self, upstream: FaultServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.upstream = upstream
        self.reader = reader
        self.writer = writer
        self.peer = writer.get_extra_info("peername")
        # what came after the request read last (a client that pipelines, RFC 9112 9.3.2):
        # the next request's start, read before the socket is read again
        self.unread = b""

    @property
    def is_open(self) -> bool:
        return not self.writer.transport.is_closing()

    async def request(self) -> str:
        """Read one request head (bounded: REQUEST_TIMEOUT), record it; its request id."""
        return self.received(await self._one_request(REQUEST_TIMEOUT))

    async def next_request(self) -> str | None:
        """Wait for another request on this kept connection (idle up to server.IDLE_TIMEOUT);
        record and give its id, or None if none came."""
        raw = await self._one_request(server.IDLE_TIMEOUT, idle=True)
        return self.received(raw) if raw else None

    async def _one_request(self, limit: float, *, idle: bool = False) -> bytes:
        """The next request's bytes: its head and as much of the body its Content-Length
        announces as came with it; what came after them waits in ``unread``. The recording of
        the first of two pipelined requests held the second's bytes too, and idle-close
        waited its idle timeout for a second request that had come already."""
        raw = await read_head(self.reader, limit, idle=idle, start=self.unread)
        end = raw.find(b"\r\n\r\n")
        if end < 0:
            self.unread = b""
            return raw
        end += 4
        length = re.search(_CONTENT_LENGTH, raw[:end], re.IGNORECASE)
        if length:
            end += min(int(length.group(1)), len(raw) - end)
        self.unread = raw[end:]
        return raw[:end]

    def received(self, raw: bytes) -> str:
        match = re.search(_REQUEST_ID, raw, re.IGNORECASE)
        up = self.upstream
        rid = up.recorder.continue_or_new(match.group(1).decode() if match else None)
        first = first_line(raw).decode("latin-1")
        port = self.peer[1] if isinstance(self.peer, tuple) else None
        method, target, version = _request_line(first)
        up.recorder.record(
            rid,
            up.name,
            up.role,
            Kind.RECEIVED,
            first or "(no request)",
            data=raw,
            peer_port=port,
            method=method,
            target=target,
            version=version,
        )
        return rid

    def sent(
        self, rid: str, summary: str, why: str, *, ended: Ending | None = None, **extra: Any
    ) -> None:
        """Record what this upstream did in answer (bytes, a close, a reset) and how it then
        ended the connection (None: kept open)."""
        up = self.upstream
        up.recorder.record(
            rid, up.name, up.role, Kind.SENT, summary, generated=True, why=why, ended=ended, **extra
        )

    async def answer(
        self,
        rid: str,
        reply: bytes,
        why: str,
        *,
        keep_open: bool = False,
        delay: float | None = None,
    ) -> None:
        """Send ``reply`` (nothing if empty); the connection is closed (FIN) when serve returns,
        unless ``keep_open``. ``delay``: the configured seconds it was held back, for the
        recording. A client that reset the connection meanwhile gets nothing, recorded so."""
        if not self.is_open:
            self.sent(rid, CLIENT_GONE, why, delay=delay)
            return
        summary: Text = first_line(reply)[:80].decode("latin-1") if reply else NOTHING
        # the bytes' first line as sent, the words around it in the panel's language
        if keep_open:
            told = Said.now("{sent}, kept open", sent=summary)
        else:
            told = Said.now("{sent}, then FIN (closed)", sent=summary)
        self.sent(
            rid,
            told,
            why,
            ended=None if keep_open else Ending.FIN,
            data=reply,
            status=_status_of(reply),
            delay=delay,
        )
        if reply:
            await self.write(reply)

    async def write(self, data: bytes) -> None:
        """Write bytes and wait until they are sent, at most server.WRITE_TIMEOUT (a peer that
        does not read is cut by the Listener)."""
        self.writer.write(data)
        await within(server.WRITE_TIMEOUT, self.writer.drain)

    def reset(self, rid: str, why: str) -> None:
        """Abort the connection with RST (SO_LINGER 0) instead of FIN (or record that the
        client reset it first)."""
        if not self.is_open:
            self.sent(rid, CLIENT_GONE, why)
            return
        set_linger_reset(self.writer)
        self.sent(rid, RESET_SENT, why, ended=Ending.RST)
        self.writer.transport.abort()


class Fault:
    """An upstream that answers ``reply`` to any request, then closes (FIN); every other kind
    of misbehaviour is a subclass that overrides ``serve`` (or ``occupy``) and may declare
    ``knobs``.

    ``condition`` is what the lab's gateway observes (None: nothing it calls a failure);
    ``answers`` says what the gateway answers where a status alone would not say it.
    """

    knobs: ClassVar[tuple[Knob, ...]] = ()
    listens: ClassVar[bool] = True  # False: ``occupy`` takes the port, nobody accepts

    def __init__(
        self,
        name: str,
        condition: Condition | None,
        description: Text,
        reply: bytes = b"",
        *,
        answers: Text = "",
    ) -> None:
        self.name = name
        self.condition = condition
        self.description = description
        self.reply = reply
        self.answers = answers
        self.reset()

    def __setattr__(self, name: str, value: object) -> None:
        for knob in self.knobs:
            if knob.name == name:
                value = knob.check(value)
        super().__setattr__(name, value)

    def reset(self) -> None:
        """Every knob back to its default."""
        for knob in self.knobs:
            setattr(self, knob.name, knob.default)

    def copy(self: F, name: str | None = None) -> F:
        """A fresh instance with default knobs for one server (optionally under another name)."""
        twin = copy.copy(self)
        twin.reset()
        if name is not None:
            twin.name = name
        return twin

    async def serve(self, conn: Connection) -> None:
        rid = await conn.request()
        await conn.answer(rid, self.reply, said(self.description))

    def occupy(self, host: str) -> list[socket.socket]:
        """Kinds that do not listen: take a port on ``host`` (the first socket's) and hold it."""
        raise NotImplementedError(f"{type(self).__name__} listens: it serves connections")

    def __repr__(self) -> str:
        knobs = "".join(f", {k.name}={getattr(self, k.name):g}" for k in self.knobs)
        return f"{type(self).__name__}({self.name!r}, {self.condition}{knobs})"


class Close(Fault):
    """Reads the request and closes without a byte (FIN): a ``Fault`` whose reply is empty."""


class Reset(Fault):
    """Reads the request and resets the connection (RST): nothing sent."""

    async def serve(self, conn: Connection) -> None:
        rid = await conn.request()
        conn.reset(rid, said(self.description))


class Slow(Fault):
    """Answers ``reply`` after ``delay`` seconds."""

    DELAY = Knob("delay", "seconds", 0, 30, 1.0, Msg("how long it waits before answering"))
    knobs = (DELAY,)
    delay: float

    async def serve(self, conn: Connection) -> None:
        rid = await conn.request()
        await asyncio.sleep(self.delay)
        await conn.answer(rid, self.reply, said(self.description), delay=self.delay)


class IdleClose(Fault):
    """Answers ``reply`` and keeps the connection; the next request on it is closed
    unanswered, as when a keep-alive timeout fires just as a request arrives."""

    async def serve(self, conn: Connection) -> None:
        rid = await conn.request()
        await conn.answer(rid, self.reply, said(self.description), keep_open=True)
        if conn.is_open and (again := await conn.next_request()) is not None:
            conn.sent(
                again,
                Said(
                    Msg(
                        "(nothing), then FIN (closed): the connection had been idle, and its "
                        "keep-alive timeout fired as this request arrived"
                    )
                ),
                said(self.description),
                ended=Ending.FIN,
            )


class Refused(Fault):
    """The port is bound but nothing listens: the kernel refuses every connection."""

    listens = False

    def occupy(self, host: str) -> list[socket.socket]:
        return [ports.bind(host)]


class Blackhole(Fault):
    """Listens with a full accept queue and never accepts: Linux drops further SYNs, so
    connecting hangs."""

    listens = False

    def occupy(self, host: str) -> list[socket.socket]:
        sock = ports.bind(host)
        socks = [sock]
        try:
            sock.listen(0)
            for _ in range(2):  # fill the accept queue
                filler = socket.socket(sock.family)
                socks.append(filler)
                filler.setblocking(False)
                try:
                    filler.connect(sock.getsockname()[:2])
                except BlockingIOError:
                    pass
        except OSError as exc:  # the lab cannot stop what it was never given: close them here
            for each in socks:
                each.close()
            if exc.errno in ports.OUT_OF_FILES:
                raise ports.out_of_files(exc) from None
            raise
        return socks


def _ok_response(body: bytes = b"ok\n") -> bytes:
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\nConnection: close\r\n\r\n"
        + body
    )


def _registry(faults: Iterable[Fault]) -> dict[str, Fault]:
    return {f.name: f for f in faults}


FAULTS: dict[str, Fault] = _registry(
    [
        Fault("ok", None, Msg("answers 200 OK correctly (the baseline)"), _ok_response()),
        Fault(
            "garbage",
            Condition.INVALID_STATUS_LINE,
            Msg("answers with bytes that are not HTTP at all, then closes"),
            b"SSH-2.0-OpenSSH_9.2 hello, this is not an HTTP server\r\n",
        ),
        Close(
            "close",
            Condition.CLOSED_WITHOUT_RESPONSE,
            Msg("reads the request, then closes the connection without a word (FIN)"),
        ),
        Reset(
            "reset",
            Condition.RESET,
            Msg("reads the request, then resets the connection (RST, SO_LINGER 0)"),
        ),
        Fault(
            "truncated-headers",
            Condition.HEADERS_CUT,
            Msg("sends half of its response headers, then closes"),
            b"HTTP/1.1 200 OK\r\nContent-Type: text/pla",
        ),
        Fault(
            "bad-status-line",
            Condition.INVALID_STATUS_LINE,
            Msg("sends the status line 'HTTP/1.1 2OO OK' (letters O, not zeros)"),
            b"HTTP/1.1 2OO OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n",
        ),
        Fault(
            "no-colon",
            Condition.INVALID_HEADER,
            Msg("sends a header line without a colon"),
            b"HTTP/1.1 200 OK\r\nThis header has no colon\r\nContent-Length: 3\r\n\r\nok\n",
        ),
        Fault(
            "huge-headers",
            Condition.HEADER_TOO_BIG,
            Msg(
                "sends a {head}-byte response head (more than the gateway's {limit}-byte buffer)",
                head=f"{len(HUGE_HEAD):,}",
                limit=f"{personalities.RFC.max_response_head:,}",
            ),
            HUGE_HEAD + b"ok\n",
        ),
        Fault(
            "bad-content-length",
            Condition.INVALID_CONTENT_LENGTH,
            Msg("sends 'Content-Length: abc'"),
            b"HTTP/1.1 200 OK\r\nContent-Length: abc\r\nConnection: close\r\n\r\nhello, world\n",
        ),
        Fault(
            "bad-transfer-encoding",
            Condition.INVALID_FRAMING,
            Msg("sends 'Transfer-Encoding: foo', a coding nobody knows"),
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: foo\r\nConnection: close\r\n\r\nhello\n",
        ),
        Fault(
            "body-cut",
            Condition.BODY_CUT,
            Msg("sends a 200 with Content-Length: 100, then only 10 bytes, then closes"),
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n0123456789",
        ),
        Slow(
            "slow",
            Condition.READ_TIMEOUT,
            Msg("waits `delay` seconds before answering 200 OK"),
            _ok_response(b"finally\n"),
        ),
        IdleClose(
            "idle-close",
            None,
            Msg(
                "answers 200 and keeps the connection open, then closes it without a word when "
                "the next request arrives on it (its keep-alive timeout fired just then)"
            ),
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n",
            answers=Msg("200: a GET is sent again on a new connection; a POST gets 502"),
        ),
        Refused(
            "refused",
            Condition.REFUSED,
            Msg("nothing listens: the port is bound but not listening, so connecting is refused"),
        ),
        Blackhole(
            "blackhole",
            Condition.CONNECT_TIMEOUT,
            Msg("listens with a full accept queue and never accepts: connecting hangs"),
        ),
    ]
)


class FaultServer(Listener):
    """A raw-socket upstream that behaves as its fault says; the fault's knobs are its
    attributes (``lab.upstreams["slow"].delay = 2``), refused once the lab has stopped."""

    role = Role.UPSTREAM

    def __init__(self, fault: Fault, recorder: Recorder, host: str = "127.0.0.1") -> None:
        super().__init__(fault.name, recorder, host)
        # its own copy only if it has knobs to set: a fault without any holds no state
        self.fault = fault.copy() if fault.knobs else fault
        self._socks: list[socket.socket] = []

    def __repr__(self) -> str:
        """Its name and knobs, never its port or address: ``lab.upstreams`` reads the same
        in every run (it showed ``<labkit.faults.FaultServer object at 0x7f2c...>``)."""
        fault = self.__dict__.get("fault")
        knobs = [f"{k.name}={getattr(fault, k.name)!r}" for k in fault.knobs] if fault else []
        return f"<upstream {self.__dict__.get('name', '?')!r}{': ' + ', '.join(knobs) if knobs else ''}>"

    def _knob(self, name: str) -> Knob | None:
        fault = self.__dict__.get("fault")
        return next((k for k in fault.knobs if k.name == name), None) if fault else None

    def __getattr__(self, name: str) -> float:
        if self._knob(name) is None:
            raise AttributeError(_no_knob(self.__dict__.get("name", "?"), name))
        value: float = getattr(self.fault, name)
        return value

    def __setattr__(self, name: str, value: object) -> None:
        attrs = self.__dict__
        if "fault" not in attrs or name.startswith("_") or name in attrs:
            # being built (the listener's own attributes come before the fault), private, or
            # the listener's own set again (port, loop, peers, stopped: 119 writes each start
            # and stop of a lab): no knob (a knob lives on the fault, never here), and no look
            # through the fault's knobs or every registered fault's (17 servers a lab)
            object.__setattr__(self, name, value)
        elif self._knob(name) is not None:  # a switch: set on the lab's loop thread
            self.switch(lambda: setattr(self.fault, name, value))
        elif hasattr(type(self), name):  # the listener's own, set a first time
            super().__setattr__(name, value)
        elif name in {k.name for f in FAULTS.values() for k in f.knobs}:
            raise BadArgument(_no_knob(self.name, name))
        else:
            super().__setattr__(name, value)

    async def start(self) -> None:
        self.take_port()

    def take_port(self) -> None:
        """Take this upstream's port on the lab's loop: a listening kind listens
        (``Listener.listen``), a kind that never accepts occupies its port at once."""
        if self.fault.listens:
            self.listen()
            return
        self.loop = asyncio.get_running_loop()
        self._socks = self.fault.occupy(self.host)
        self.port = self._socks[0].getsockname()[1]

    async def stop(self) -> None:
        for sock in self._socks:
            sock.close()
        self._socks.clear()
        await super().stop()

    async def serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await self.fault.serve(Connection(self, reader, writer))


def knobs_text(fault: Fault, lang: str = ENGLISH) -> str:
    """A fault's knobs in words ("-" if it has none): the CLI's and the README's listing."""
    return Listed((k.words(lang) for k in fault.knobs), sentences=True).render(lang) or "-"


LISTING_HEADINGS = (
    Msg("upstream", context="faults"),
    Msg("the gateway observes"),
    Msg("knobs: lab.upstreams[NAME].KNOB = value"),
)


def listing(lang: str = ENGLISH) -> str:
    """Every registered fault: its name, what the gateway observes, its knobs; the headings
    in ``lang`` (``labkit scenarios`` speaks LABKIT_LANG), the names and conditions as code
    spells them. What each one does is its ``description``, which the lab's panels show as
    the upstream's "why" in the lab's language.

    At most LISTING_WIDTH columns a line, as `labkit scenarios`' table above it: a fault's
    knobs go on the line below its row, indented (beside it, the slow upstream's row was 117
    columns wide)."""
    from labkit.render.text import columns, wrap  # a Chinese character is two columns

    heads = [h.render(lang) for h in LISTING_HEADINGS]
    rows = [(heads[0], heads[1], heads[2])]
    for name, fault in FAULTS.items():
        condition = fault.condition.value if fault.condition else "-"
        rows.append((name, condition, knobs_text(fault, lang) if fault.knobs else ""))
    width = max(columns(row[0]) for row in rows)
    lines = []
    for name, condition, knobs in rows:
        lines.append(f"{name}{' ' * (width - columns(name))}  {condition}")
        lines += [_KNOBS_INDENT + k for k in wrap(knobs, LISTING_WIDTH - len(_KNOBS_INDENT))]
    return "\n".join(lines)


LISTING_WIDTH = 80  # columns, as `labkit scenarios`' table (cli.TABLE_WIDTH)
_KNOBS_INDENT = "    "


def _no_knob(upstream: str, knob: str) -> str:
    owners = [n for n, f in FAULTS.items() if any(k.name == knob for k in f.knobs)]
    has = f"; only {', '.join(owners)} has it" if owners else ""
    return f"the upstream {upstream!r} has no attribute or knob {knob!r}{has}"


async def read_head(
    reader: asyncio.StreamReader, limit: float, *, idle: bool = False, start: bytes = b""
) -> bytes:
    """A request head, bounded in bytes and in time as a whole (``limit`` seconds), and what
    came with it.

    ``idle``: the connection is waiting for its next request; nothing arriving is not an
    error, and the head's own deadline starts with its first byte. ``start``: bytes of it
    read already (they came after the request before).
    """
    raw = bytearray(start)
    clock = asyncio.get_running_loop().time  # the lab's clock: leaves out time the process was away
    deadline = clock() + (REQUEST_TIMEOUT if idle and raw else limit)
    try:
        while b"\r\n\r\n" not in raw and len(raw) < MAX_REQUEST_BYTES:
            chunk = await within(0.0, lambda: reader.read(65536), until=deadline)
            if not chunk:
                break
            if idle and not raw:
                deadline = clock() + REQUEST_TIMEOUT
            raw += chunk
    except TimeoutError:
        pass
    return bytes(raw)


def _request_line(first: str) -> tuple[str, str, str]:
    """Method, target and version of a request line as received ("" each if it is none)."""
    words = first.split(" ")
    if len(words) != 3 or not words[2].startswith("HTTP/"):
        return "", "", ""
    return words[0], words[1], words[2][5:]


def _status_of(reply: bytes) -> int | None:
    m = re.match(rb"HTTP/\d\.\d (\d{3})[ \r]", reply)
    return int(m.group(1)) if m else None
