"""Misbehaving upstreams: one real socket per fault, each wrong in one way on purpose.

A registry of small objects (compare Toxiproxy's toxics): each fault has a name,
the upstream condition it makes the gateway observe, and a ``behave`` coroutine
that writes bytes no HTTP library would send. Two faults are sockets that never
answer at all: ``refused`` is bound but not listening (the kernel refuses), and
``blackhole`` listens with a full accept queue (the kernel drops the SYN, so
connecting hangs until the gateway's connect timeout).
"""

from __future__ import annotations

import asyncio
import re
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from labkit.conditions import Condition
from labkit.errors import check_number
from labkit.http import ports, server
from labkit.http.deadline import within
from labkit.http.server import Listener, set_linger_reset
from labkit.recorder import Recorder

Behaviour = Callable[["FaultServer", asyncio.StreamWriter], Awaitable[str]]

# The whole request head must arrive within this: a client that drips a byte at a time
# cannot hold a fault upstream's connection (each read alone is not bounded enough).
REQUEST_TIMEOUT = 5.0
MAX_REQUEST_BYTES = 65536

_REQUEST_ID = re.compile(rb"\r\nx-request-id:[ \t]*([A-Za-z0-9._-]{1,64})", re.IGNORECASE)


def _ok_response(body: bytes = b"ok\n") -> bytes:
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\nConnection: close\r\n\r\n"
        + body
    )


@dataclass(frozen=True)
class Fault:
    name: str
    condition: Condition | None  # None: a well-behaved upstream
    description: str
    reply: bytes = b""  # bytes written after reading the request (then FIN)
    listens: bool = True
    # keeps the connection after its reply; the next request on it is closed unanswered
    idle_close: bool = False
    answers: str = ""  # what the lab's gateway answers, where "200" would not say it


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in [
        Fault("ok", None, "answers 200 OK correctly (the baseline)", _ok_response()),
        Fault(
            "garbage",
            Condition.INVALID_STATUS_LINE,
            "answers with bytes that are not HTTP at all, then closes",
            b"SSH-2.0-OpenSSH_9.2 hello, this is not an HTTP server\r\n",
        ),
        Fault(
            "close",
            Condition.CLOSED_WITHOUT_RESPONSE,
            "reads the request, then closes the connection without a word (FIN)",
        ),
        Fault(
            "reset",
            Condition.RESET,
            "reads the request, then resets the connection (RST, SO_LINGER 0)",
        ),
        Fault(
            "truncated-headers",
            Condition.HEADERS_CUT,
            "sends half of its response headers, then closes",
            b"HTTP/1.1 200 OK\r\nContent-Type: text/pla",
        ),
        Fault(
            "bad-status-line",
            Condition.INVALID_STATUS_LINE,
            "sends the status line 'HTTP/1.1 2OO OK' (letters O, not zeros)",
            b"HTTP/1.1 2OO OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n",
        ),
        Fault(
            "no-colon",
            Condition.INVALID_HEADER,
            "sends a header line without a colon",
            b"HTTP/1.1 200 OK\r\nThis header has no colon\r\nContent-Length: 3\r\n\r\nok\n",
        ),
        Fault(
            "huge-headers",
            Condition.HEADER_TOO_BIG,
            "sends 20 KB of response headers (more than the gateway's 8 KB buffer)",
            b"HTTP/1.1 200 OK\r\nX-Padding: "
            + b"a" * 20_000
            + b"\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n",
        ),
        Fault(
            "bad-content-length",
            Condition.INVALID_CONTENT_LENGTH,
            "sends 'Content-Length: abc'",
            b"HTTP/1.1 200 OK\r\nContent-Length: abc\r\nConnection: close\r\n\r\nhello, world\n",
        ),
        Fault(
            "bad-transfer-encoding",
            Condition.INVALID_FRAMING,
            "sends 'Transfer-Encoding: foo', a coding nobody knows",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: foo\r\nConnection: close\r\n\r\nhello\n",
        ),
        Fault(
            "body-cut",
            Condition.BODY_CUT,
            "sends a 200 with Content-Length: 100, then only 10 bytes, then closes",
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n0123456789",
        ),
        Fault(
            "slow",
            Condition.READ_TIMEOUT,
            "waits `delay` seconds (default 1.0) before answering 200 OK",
            _ok_response(b"finally\n"),
        ),
        Fault(
            "idle-close",
            None,
            "answers 200 and keeps the connection open, then closes it without a word when "
            "the next request arrives on it (its keep-alive timeout fired just then)",
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n",
            idle_close=True,
            answers="200: a GET is sent again on a new connection; a POST gets 502",
        ),
        Fault(
            "refused",
            Condition.REFUSED,
            "nothing listens: the port is bound but not listening, so connecting is refused",
            listens=False,
        ),
        Fault(
            "blackhole",
            Condition.CONNECT_TIMEOUT,
            "listens with a full accept queue and never accepts: connecting hangs",
            listens=False,
        ),
    ]
}


class FaultServer(Listener):
    """A raw-socket upstream that behaves as its Fault says."""

    role = "upstream"

    def __init__(self, fault: Fault, recorder: Recorder, host: str = "127.0.0.1") -> None:
        super().__init__(fault.name, recorder, host)
        self.fault = fault
        self._delay = 1.0
        self._socks: list[socket.socket] = []

    @property
    def delay(self) -> float:
        """Seconds the ``slow`` upstream waits before answering."""
        return self._delay

    @delay.setter
    def delay(self, seconds: float) -> None:
        self.refuse_if_stopped()
        self._delay = float(check_number("delay", seconds, minimum=0, maximum=30))

    async def start(self) -> None:
        if self.fault.listens:
            await super().start()
            return
        sock = ports.bind(self.host)
        self.port = sock.getsockname()[1]
        self._socks.append(sock)
        if self.fault.condition is Condition.CONNECT_TIMEOUT:
            sock.listen(0)
            # Fill the accept queue; Linux then drops further SYNs (connect hangs).
            for _ in range(2):
                filler = socket.socket(sock.family)
                filler.setblocking(False)
                try:
                    filler.connect((self.host, self.port))
                except BlockingIOError:
                    pass
                self._socks.append(filler)

    async def stop(self) -> None:
        for sock in self._socks:
            sock.close()
        self._socks.clear()
        await super().stop()

    async def serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        peer = writer.get_extra_info("peername")
        raw = await _read_head(reader, REQUEST_TIMEOUT)
        await self._answer(raw, writer, peer)
        if self.fault.idle_close and not writer.transport.is_closing():
            again = await _read_head(reader, server.IDLE_TIMEOUT, idle=True)
            if again:
                rid = self._received(again, peer)
                self.recorder.record(
                    rid, self.name, self.role, "sent",
                    "(nothing), then FIN (closed): the connection had been idle, and its "
                    "keep-alive timeout fired as this request arrived",
                    generated=True, why=self.fault.description,
                )  # fmt: skip

    def _received(self, raw: bytes, peer: object) -> str:
        match = _REQUEST_ID.search(raw)
        rid = self.recorder.continue_or_new(match.group(1).decode() if match else None)
        first = raw.split(b"\r\n", 1)[0].decode("latin-1")
        self.recorder.record(
            rid,
            self.name,
            self.role,
            "received",
            first or "(no request)",
            data=raw,
            peer_port=peer[1] if isinstance(peer, tuple) else None,
        )
        return rid

    async def _answer(self, raw: bytes, writer: asyncio.StreamWriter, peer: object) -> None:
        rid = self._received(raw, peer)
        fault = self.fault
        if fault.condition is Condition.READ_TIMEOUT:
            await asyncio.sleep(self._delay)
        if fault.condition is Condition.RESET:
            set_linger_reset(writer)
            self.recorder.record(
                rid,
                self.name,
                self.role,
                "sent",
                "RST (connection reset, nothing sent)",
                generated=True,
                why=fault.description,
            )
            writer.transport.abort()
            return
        summary = fault.reply.split(b"\r\n", 1)[0][:80].decode("latin-1") if fault.reply else ""
        self.recorder.record(
            rid,
            self.name,
            self.role,
            "sent",
            (summary or "(nothing)")
            + (", kept open" if fault.idle_close else ", then FIN (closed)"),
            data=fault.reply,
            generated=True,
            why=fault.description,
            status=_status_of(fault.reply),
        )
        if fault.reply:
            writer.write(fault.reply)
            await within(server.WRITE_TIMEOUT, writer.drain())  # else Listener cuts it


async def _read_head(reader: asyncio.StreamReader, limit: float, *, idle: bool = False) -> bytes:
    """A request head, bounded in bytes and in time as a whole (``limit`` seconds).

    ``idle``: the connection is waiting for its next request; nothing arriving is not an
    error, and the head's own deadline starts with its first byte.
    """
    raw = bytearray()
    deadline = time.monotonic() + limit
    try:
        while b"\r\n\r\n" not in raw and len(raw) < MAX_REQUEST_BYTES:
            chunk = await within(deadline - time.monotonic(), reader.read(65536))
            if not chunk:
                break
            if idle and not raw:
                deadline = time.monotonic() + REQUEST_TIMEOUT
            raw += chunk
    except TimeoutError:
        pass
    return bytes(raw)


def _status_of(reply: bytes) -> int | None:
    m = re.match(rb"HTTP/\d\.\d (\d{3})[ \r]", reply)
    return int(m.group(1)) if m else None
