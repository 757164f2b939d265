"""HTTP/1.1 serving on asyncio with h11: what bytes arrive, what bytes go out.

Subclasses implement ``handle(request) -> Response``; this layer reads and
validates requests (400, 408, 413, 414, 431, 501, 505 are answered here, before a
handler runs), gives each request its id, records bytes in and out, and writes
the response, streaming bodies that come from an upstream.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import errno
import functools
import re
import socket
import time
import weakref
from collections.abc import AsyncIterator, Callable, Hashable
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    import h11
else:  # imported by the first message that needs it
    from labkit.http import lazyh11 as h11

if TYPE_CHECKING:
    from h11._headers import Headers as H11Headers

from labkit.errors import LabkitError, LabNotRunning, check_number, say, stopped, traceback_text
from labkit.http import pages, peers, ports
from labkit.http.connections import BUDGET, turn_away
from labkit.http.deadline import machine_deadline, waited_for_a_cpu, within
from labkit.http.headend import first_line, head_end, message_head
from labkit.http.messages import (
    BodyCut,
    Headers,
    Request,
    Response,
    decoded,
    http_date,
)
from labkit.http.peers import PeerCheck, refusal, refuse
from labkit.http.requestcheck import (
    HTTP2_EXPLANATION,
    MAX_HEAD_BYTES,
    ChunkSizes,
    Verdict,
    check_connect,
    check_framing,
    check_host,
    check_host_value,
    check_target,
    check_transfer_codings,
    check_version,
    classify_rejection,
    too_large,
    transfer_codings,
)
from labkit.i18n import Msg, Said, Text, said
from labkit.record import FrozenRecord, replace
from labkit.recorder import Event, Kind, Recorder, Role

MAX_BODY_BYTES = 1024 * 1024
BODY_TOO_LARGE = Msg("the request body is larger than {limit} bytes", limit=MAX_BODY_BYTES)
# RFC 9112 2.2: a server SHOULD ignore at least one empty line before a request line (a
# client's CRLF after a body). This many in a row are ignored (Enter pressed in nc before the
# request line, too); nginx and HAProxy skip any number until their header timeouts, Go's
# net/http at most two, after a POST. One more is no request on its way: 400 at once, where
# the connection was closed without a word when the idle timeout (5 s) ran out.
MAX_EMPTY_LINES = 4
TOO_MANY_EMPTY_LINES = Msg(
    "more than {limit} empty lines came before a request line: this server ignores up to "
    "{limit} there (RFC 9112 2.2 asks a server to ignore at least one), then expects the "
    "request line, METHOD target HTTP/1.1",
    limit=MAX_EMPTY_LINES,
)
# RFC 9112 3: method SP request-target SP HTTP-version (a lenient version: h11 judges it).
# A string, compiled by re when a head first arrives in pieces (and kept in re's cache): a
# pattern compiled at import costs `import labkit` 0.05-0.2 ms, each (benchmarks/README.md)
REQUEST_LINE = rb"^\r?$|^[!#$%&'*+.^_`|~0-9A-Za-z-]+ [^ \r\n]+ [^ \r\n]+\r?$"
IDLE_TIMEOUT = 5.0  # keep-alive connection with no new request
HEAD_TIMEOUT = 10.0  # a request's head must arrive within this (slow clients)
HEAD_TIMEOUT_RANGE = (0.05, 60.0)  # seconds a server's head_timeout may be set to
# A client that stops reading (40,000 pipelined requests, never a recv) must not hold a
# connection for ever: each write must drain within this, else the connection is cut.
WRITE_TIMEOUT = 10.0
# Then the connection closes after its answer, as nginx's keepalive_requests (default 1000)
# does: pipelined requests cannot keep one connection busy without end.
MAX_REQUESTS_PER_CONNECTION = 1000
LINGER_SECONDS = 1.0  # after a refusal or a last answer, how long what follows is read and dropped
SWITCH_SECONDS = 2.0  # how long a switch waits for the lab's loop to apply it
# and on top, at most this many times SWITCH_SECONDS, the time the loop's thread waited, ready,
# for a CPU the machine gave to others (deadline.waited_for_a_cpu): a capstone incident's stop
# was refused after 2 s with the kernel niced to 19 beside two busy loops, where nothing held
# the loop; a loop that a handler holds is still told after SWITCH_SECONDS on an idle machine
SWITCH_LOAD_EXCUSED = 5.0

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def on_loop(loop: asyncio.AbstractEventLoop | None, change: Callable[[], T]) -> T:
    """Run ``change`` on ``loop``'s thread and return its result (or raise its error).

    Switches are written from the kernel's thread (a notebook cell, a widget) while the
    loop's thread serves requests that read the same state; running every change on the
    loop makes each one whole between two requests (the gateway's cache is never emptied
    while a request is reading it). On the loop's own thread, or before the loop runs, the
    change runs at once.
    """
    if loop is None or loop.is_closed() or not loop.is_running():
        return change()
    try:
        if asyncio.get_running_loop() is loop:
            return change()
    except RuntimeError:  # no loop runs in this thread
        pass
    future: concurrent.futures.Future[T] = concurrent.futures.Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return  # the caller gave up waiting: change nothing
        try:
            future.set_result(change())
        except BaseException as exc:
            future.set_exception(exc)

    loop.call_soon_threadsafe(run)
    # one deadline: SWITCH_SECONDS from now, moved on by what the loop's thread has waited
    # for a CPU meanwhile (the machine's time, not the loop's; SWITCH_LOAD_EXCUSED)
    start, before = time.monotonic(), waited_for_a_cpu(loop)
    left = SWITCH_SECONDS
    while left >= 0.01:
        try:
            return future.result(left)
        except concurrent.futures.TimeoutError:
            pass
        now = waited_for_a_cpu(loop)
        if now is None or before is None:
            break
        excused = min(now - before, SWITCH_LOAD_EXCUSED * SWITCH_SECONDS)
        left = start + SWITCH_SECONDS + excused - time.monotonic()
    changed = not future.cancel()
    raise LabkitError(
        say(
            Msg(
                "the lab's loop did not take the switch within {seconds} s (something "
                "holds it, e.g. a handler that never awaits); it was applied late"
                if changed
                else "the lab's loop did not take the switch within {seconds} s (something "
                "holds it, e.g. a handler that never awaits); nothing was changed",
                seconds=f"{SWITCH_SECONDS:g}",
            )
        )
    ) from None


class _Closed(Exception):
    pass


async def settle(timeout: float) -> None:
    """Let every other task on the loop end (cancel what is left after ``timeout``).

    Called once every listener has stopped, before the loop stops. A connection accepted
    just before is still on its way to its handler (``Listener._streams`` waits a few loop
    turns for its transport); a loop stopped then leaves its socket open, and its client
    waits out its own timeout. Let them arrive: each handler sees ``stopped`` and cuts its
    connection.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while others := asyncio.all_tasks() - {asyncio.current_task()}:
        left = deadline - loop.time()
        if left <= 0:
            for task in others:
                task.cancel()
            await asyncio.wait(others, timeout=0.1)
            return
        await asyncio.wait(others, timeout=left)


BACKLOG = 4096  # connections the kernel queues for a listener before it refuses more
_OUT_OF_RESOURCES = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})
_STREAM_LIMIT = 2**16  # asyncio.start_server's buffer limit for a connection's reader

# A listener accepts this many connections a turn (``Listener._accept``): each costs an
# accept, the owner check and an epoll registration (about 30 us), and one past the budget
# is closed in the same turn, so no descriptor waits for a handler. asyncio's accept took
# up to its backlog argument a turn and made each a stream and a task before its handler
# could refuse it: 512 at a time ran a kernel's 1024 out; 32 a turn at each of a lab's 18
# listeners did too (another user's bursts); 4 a turn (ACCEPT_BURST, its last setting) let
# a flood of connects at a misbehaving upstream's port hold the gateway's connect to it
# in the queue past its read timeout (a 504 for the learner's GET /up/ok/).
HOLD_BURST = 64


# The connections held on each lab's loop (nothing arrived on them yet), oldest first: those
# a new connection may take the place of when the budget is full (``_make_room``)
_HELD: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[Listener, int], None]] = (
    weakref.WeakKeyDictionary()
)
MAKE_ROOM_LOOKS = 16  # held connections looked at for one that sent nothing, at most


def _make_room(loop: asyncio.AbstractEventLoop) -> None:
    """The budget is full and one of the learner's own connections comes: close the oldest
    connection held on this loop that has sent nothing, to make room for it.

    nginx does so with its idle keep-alive connections ("worker_connections are not enough,
    reusing connections"). Before, in a kernel that may open 1,024 files (a budget of 256
    connections), 300 connects that sent nothing turned the learner's next request away,
    reset, until the idle timeout closed them 5 s later. One whose bytes have come and
    wait to be read is not idle: it is served, and the new one is closed if none is.

    Only this loop's: a kernel where ``labkit.start()`` ran twice (a start cell run again)
    has two labs, two loops, one budget, and one lab's idle connections never make room for
    the other's. Not done across loops: a held connection belongs to its loop's thread (its
    reader, its timer), so another loop could only ask for the close (call_soon_threadsafe)
    and would have to take the budget before it came; and the harm is bounded as before:
    the other lab's held connections are closed by their idle timeout, 5 s at most, and
    filling the budget with them takes a third of the process's file limit in connects that
    send nothing (256 in a 1,024-file kernel)."""
    held = _HELD.get(loop)
    if not held:
        return
    for looked, (listener, fd) in enumerate(held):
        if looked == MAKE_ROOM_LOOKS:
            return
        try:
            came = listener._held[fd].conn.recv(1, socket.MSG_PEEK)
        except (BlockingIOError, InterruptedError):
            came = b""  # nothing: idle
        except OSError:
            came = b""  # reset: gone
        if not came:
            listener._drop(fd)  # changes ``held``: no further step of this loop
            return


class _Held:
    """A connection accepted and waiting for its first byte (``Listener._hold``)."""

    __slots__ = ("conn", "ends", "timer")

    def __init__(self, conn: socket.socket, ends: float, timer: asyncio.TimerHandle) -> None:
        self.conn = conn
        self.ends = ends  # time.monotonic() at which it is closed if nothing came
        self.timer = timer


class Listener:
    """A TCP listener on the lab's loop that tracks its connections for a clean stop."""

    role: Role = Role.SERVER
    peers: PeerCheck | None = None  # who may connect; set by the lab (see http/peers.py)
    # Nothing any lab server does before a request's first byte can be seen from outside
    # (an HTTP server reads first, and so does every misbehaving upstream: it closes,
    # resets or stalls after reading the request): a connection is accepted at once but
    # only made a stream, and served, once something arrives (``_hold``). 3,000 connects
    # that send nothing made the gateway set up each in turn, 0.3 ms apiece, while its
    # kernel queue (512) overflowed and dropped the next client's SYN: its request waited
    # for the SYN's retransmission, 1 to 3 s (nginx, which accepts in C, answered it in
    # 0.3 ms). Now a connect costs about 30 us and a client that sends its request is
    # served before the idle ones, as nginx's ``listen ... deferred`` would have the
    # kernel do.

    def __init__(self, name: str, recorder: Recorder, host: str = "127.0.0.1") -> None:
        self.name = name
        self.recorder = recorder
        self.host = host
        self.port = 0
        self.fixed_port = 0  # the port to listen on, when it must be that one (0: any)
        self._tasks: dict[asyncio.Task[None], asyncio.StreamWriter] = {}
        self._listening: socket.socket | None = None  # accepted from by ``_accept``
        self._held: dict[int, _Held] = {}  # connections with nothing arrived yet, by fd
        self.stopped = False
        self.loop: asyncio.AbstractEventLoop | None = None  # the lab's loop, once started

    def refuse_if_stopped(self) -> None:
        """Switches of a stopped server are refused, even through a reference kept from before."""
        if self.stopped:
            raise LabNotRunning(stopped())

    def switch(self, change: Callable[[], T]) -> T:
        """Apply a change to this server's switches on the lab's loop thread (see ``on_loop``),
        its moment noted (``Recorder.switched``)."""
        self.refuse_if_stopped()
        recorder = self.recorder

        def noted() -> T:
            recorder.switched()
            return change()

        return on_loop(self.loop, noted)

    @property
    def url(self) -> str:
        return url_of(self.host, self.port)

    async def start(self) -> None:
        self.listen()

    def listen(self) -> None:
        """Take this listener's port now, on the lab's loop, and accept from it.

        No asyncio server is made: a listener costs its socket and an epoll registration
        until a connection comes, so the seventeen misbehaving upstreams and pool members
        of a lab that a lesson never calls cost next to nothing (200 labs on one host each
        made seventeen asyncio servers for nothing, before they were made at the first
        connection)."""
        loop = asyncio.get_running_loop()
        self.loop = loop
        # in the lab's range (labkit/http/ports.py), unless a fixed port was asked for
        sock = ports.bind(self.host, backlog=BACKLOG, port=self.fixed_port)
        sock.setblocking(False)
        self.port = sock.getsockname()[1]
        self._listening = sock
        if self.peers is not None:  # the lab's own client's connections, noted to be claimed
            peers.checks(self.host, self.port)
        loop.add_reader(sock.fileno(), self._accept)

    def _accept(self) -> None:
        """The listener is readable: accept what waits (``HOLD_BURST`` at most), close at
        once what the budget has no room for, hold the rest until they send something."""
        loop = self._running()
        sock = self._listening
        assert sock is not None
        for _ in range(HOLD_BURST):
            try:
                conn, _addr = sock.accept()
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                return
            except OSError as exc:
                if exc.errno not in _OUT_OF_RESOURCES:
                    continue  # the connection's own trouble (accept(2): as for EAGAIN)
                # as asyncio's accept does: one line (connections.Budget.out_of_files),
                # and no accepting for a second (the listener stays readable meanwhile)
                loop.call_exception_handler(
                    {"message": "socket.accept() out of system resource", "exception": exc}
                )
                loop.remove_reader(sock.fileno())
                loop.call_later(1.0, self._accept_again)
                return
            conn.setblocking(False)
            # another user's connection is refused at once (its 403), from its own budget
            try:
                stranger = self.peers is not None and not self.peers.admits_socket(conn)
            except OSError as exc:  # the owner check's own socket (made at the first
                conn.close()  # connection) found no descriptor: closed, said in one line,
                if exc.errno in _OUT_OF_RESOURCES:  # and accepting goes on
                    BUDGET.unchecked()
                continue
            if not stranger and BUDGET.open >= BUDGET.limit:
                _make_room(loop)
            if self.stopped:
                conn.close()
                continue
            if not BUDGET.take(stranger):  # another user's past their budget: still a 403
                turn_away(conn, refusal() if stranger else b"")
                continue
            if stranger:
                self._adopt(conn, stranger)
            else:
                self._hold(loop, conn)

    def _accept_again(self) -> None:
        if self._listening is not None and not self.stopped:
            self._running().add_reader(self._listening.fileno(), self._accept)

    def _hold(self, loop: asyncio.AbstractEventLoop, conn: socket.socket) -> None:
        """Wait for ``conn``'s first byte (or its close) before making it a stream; closed
        without a word after IDLE_TIMEOUT with nothing, as ``serve_connection`` closes an
        idle connection (by the machine's clock: its client times it)."""
        fd = conn.fileno()
        timer = loop.call_later(IDLE_TIMEOUT, self._idle, fd)
        self._held[fd] = _Held(conn, time.monotonic() + IDLE_TIMEOUT, timer)
        _HELD.setdefault(loop, {})[(self, fd)] = None
        loop.add_reader(fd, self._arrived, fd)

    def _arrived(self, fd: int) -> None:
        """Something came on a held connection: its request, served now; or its close
        (3,000 connects let go at once), closed here without making a stream of it."""
        try:
            came = self._held[fd].conn.recv(1, socket.MSG_PEEK)
        except (BlockingIOError, InterruptedError):
            return  # nothing after all: still held
        except OSError:
            came = b""  # reset
        if not came:
            self._drop(fd)
            return
        held = self._held.pop(fd)
        loop = self._running()
        _HELD.get(loop, {}).pop((self, fd), None)
        loop.remove_reader(fd)
        held.timer.cancel()
        self._adopt(held.conn, False)

    def _idle(self, fd: int) -> None:
        held = self._held[fd]
        left = held.ends - time.monotonic()
        if left > 0:  # the loop's clock left out time the process was away: the rest
            held.timer = self._running().call_later(left, self._idle, fd)
            return
        self._drop(fd)

    def _drop(self, fd: int) -> None:
        held = self._held.pop(fd)
        loop = self._running()
        _HELD.get(loop, {}).pop((self, fd), None)
        loop.remove_reader(fd)
        held.timer.cancel()
        held.conn.close()
        BUDGET.give(False)

    def _adopt(self, conn: socket.socket, stranger: bool) -> None:
        """Serve an accepted connection, admitted already (its budget taken)."""
        self._running().create_task(self._streams(conn, stranger))

    async def _streams(self, conn: socket.socket, stranger: bool) -> None:
        loop = self._running()
        reader = asyncio.StreamReader(limit=_STREAM_LIMIT, loop=loop)
        try:
            transport, protocol = await loop.connect_accepted_socket(
                lambda: asyncio.StreamReaderProtocol(reader, loop=loop), conn
            )
        except BaseException:
            conn.close()
            BUDGET.give(stranger)
            raise
        writer = asyncio.StreamWriter(transport, protocol, reader, loop)
        await self._serve_admitted(reader, writer, stranger)

    def _running(self) -> asyncio.AbstractEventLoop:
        """The lab's loop, for a coroutine running on it (kept: asking asyncio makes a
        system call each time)."""
        assert self.loop is not None, "a connection is served only on a started server"
        return self.loop

    async def stop(self) -> None:
        self.stopped = True
        if self._listening is not None:
            if self.loop is not None and not self.loop.is_closed():
                self.loop.remove_reader(self._listening.fileno())
                for fd in list(self._held):
                    self._drop(fd)
            self._listening.close()
            self._listening = None
            peers.forget(self.host, self.port)  # none of its own client's will be accepted
        # Cancel every connection and cut its socket, so nothing waits on a peer.
        for _ in range(3):
            if not self._tasks:
                break
            for task, writer in list(self._tasks.items()):
                task.cancel()
                writer.transport.abort()
            await asyncio.wait(list(self._tasks), timeout=1.0)

    async def _serve_admitted(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stranger: bool
    ) -> None:
        """Serve a connection whose budget is taken (given back here, at its end)."""
        if self.stopped:  # accepted just before the listener closed: see settle()
            BUDGET.give(stranger)
            writer.transport.abort()
            return
        task = asyncio.current_task()
        assert task is not None
        self._tasks[task] = writer
        clean = False
        try:
            if stranger:
                await refuse(reader, writer)
            else:
                await self.serve_connection(reader, writer)
            clean = True
        except (ConnectionError, asyncio.IncompleteReadError, _Closed, TimeoutError):
            pass  # TimeoutError here: a write deadline passed, the peer does not read
        except asyncio.CancelledError:
            pass
        finally:
            self._tasks.pop(task, None)
            BUDGET.give(stranger)
            _close(writer, clean)

    async def serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        raise NotImplementedError


def url_of(host: str, port: int) -> str:
    """The http:// URL of ``host``:``port``, an IPv6 address in brackets (RFC 3986 3.2.2)."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class HTTPServer(Listener):
    """A server that speaks HTTP/1.1 through h11."""

    server_header = "labkit"
    # reads a plain request without h11 (``_read_plain``): for a server whose answers mostly
    # go out without h11 too (a relayed head, ``_relayed_head``; a plain one, ``_send_plain``),
    # as the gateway's and the origin's do
    plain_requests = False
    _head_timeout: float | None = None  # None: HEAD_TIMEOUT
    # relayed heads made once (_relayed_head), from the first relayed response on
    _relayed_heads: Generations[tuple[object, ...], tuple[bytes, bytes, str | None, int]] | None = (
        None
    )
    # writes 'Connection: keep-alive' when it keeps an HTTP/1.1 client's connection (HTTP/1.1
    # needs none, RFC 9112 9.3; nginx sends it: the gateway's nginx personality does)
    says_keep_alive = False
    # writes Date on a response that has none (RFC 9110 6.6.1: an origin with a clock MUST on
    # 2xx-4xx, and a recipient forwarding a response without one MUST add it); HAProxy does not
    sends_date = True
    # how it spells the field names it writes (``personalities.Headers.relayed_case``):
    # "keep" them as made, "lower" (HAProxy), "canonical" (Go's form: Caddy)
    spelling = "keep"
    # a HEAD of its own page carries the page's Content-Length (RFC 9110 9.3.2: the GET's
    # fields); Go's net/http (Caddy) sends none
    head_length = True
    # a HEAD answer whose GET body would be chunked says so (RFC 9112 6.1 allows it; HAProxy
    # does); else it carries no framing field (nginx, Go's net/http)
    head_chunked = False

    @property
    def head_timeout(self) -> float:
        """Seconds a started request may take to arrive; then 408 (RFC 9110 15.5.9) and close."""
        return HEAD_TIMEOUT if self._head_timeout is None else self._head_timeout

    @head_timeout.setter
    def head_timeout(self, seconds: float | None) -> None:
        self.refuse_if_stopped()
        low, high = HEAD_TIMEOUT_RANGE
        check_number("head_timeout", seconds, minimum=low, maximum=high, allow_none=True)
        self.switch(lambda: setattr(self, "_head_timeout", seconds))

    async def handle(self, request: Request) -> Response:
        raise NotImplementedError

    def version_refusal(self, request: Request) -> Verdict | None:
        """Why this server refuses the request line's version, or None to serve it."""
        return check_version(request.http_version)

    async def slow_client(
        self, conn: h11.Connection, writer: asyncio.StreamWriter, raw: bytearray, peer: int | None
    ) -> None:
        """A client started a request and did not finish it in time: 408, then close."""
        why = Msg(
            "the request did not arrive in full within {seconds} s",
            seconds=f"{self.head_timeout:g}",
        )
        await self._reject(conn, writer, raw, peer, 408, why)

    async def serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        peer = writer.get_extra_info("peername")
        peer_port = peer[1] if isinstance(peer, tuple) else None
        # None: nothing is waiting in a parser, and this server reads plain requests itself
        # (``plain_requests``); else the h11 connection that reads the next request
        conn: h11.Connection | None = None if self.plain_requests else _new_connection()
        served = 0
        # bytes of the next request that came with the one before (pipelined, RFC 9112
        # 9.3.2): they start the next request's recording, and its head timeout
        pipelined = b""
        # empty lines that came after the last request and no request line yet: the next
        # request's count of them (MAX_EMPTY_LINES) goes on from these
        empty = b""
        while True:
            raw = bytearray(pipelined)
            pipelined = b""
            before, empty = empty, b""
            try:
                read_plain = False  # read by plain_request
                if conn is None:
                    read = await self._read_plain(reader, raw, before)
                    if isinstance(read, Request):
                        request, read_plain = read, True
                    else:  # not plain: h11 reads it, from the bytes that came
                        conn, deadline = read
                        request = await self._read_request(conn, reader, writer, raw, deadline)
                else:
                    request = await self._read_request(conn, reader, writer, raw, empty=before)
            except _Closed:
                # it closed in the middle of a head
                if raw and conn is not None and conn.their_state is h11.IDLE:
                    self.record_abandoned(raw, peer_port)
                return
            except TimeoutError as exc:
                if raw and conn is not None:  # a slow client: it started a request
                    await self._refuse(exc, conn, reader, writer, raw, peer_port)
                return  # else an idle connection, closed without a word
            except (asyncio.CancelledError, ConnectionError):
                raise  # (a lab stopped, a reset): not h11's, which a plain lab never imports
            except (h11.RemoteProtocolError, _Refused) as exc:
                # h11 refuses a request while reading it, or too many empty lines came before
                # a plain one (no parser was made for it yet)
                await self._refuse(exc, conn or _new_connection(), reader, writer, raw, peer_port)
                return
            request.peer_port = peer_port
            offered = request.header("x-request-id")
            rid = self.recorder.recognise(offered)
            request.request_id = rid or self.recorder.new_id()
            self.recorder.received(
                request.request_id,
                self.name,
                self.role,
                f"{request.method} {request.target} HTTP/{request.http_version}",
                request.raw,
                peer_port,
                request.method,
                request.target,
                request.http_version,
            )
            if offered is not None and rid is None:
                self.recorder.record(
                    request.request_id,
                    self.name,
                    self.role,
                    Kind.LOG,
                    f"the client sent its own X-Request-ID {offered!r}; this lab did not "
                    f"issue it, so it is kept as the client's and the lab's id is "
                    f"{request.request_id}",
                )
            response = await self._respond_to(request, read_plain)
            served += 1
            limited = served >= MAX_REQUESTS_PER_CONNECTION
            if limited and not response.close:
                response = replace(response, close=True)
            relayed = self._relayed_head(request, response)
            try:
                if relayed is not None:
                    keep = await self._send_relayed(writer, request, response, relayed)
                elif conn is not None:
                    keep = await self._send(conn, writer, request, response)
                else:
                    keep_alive = _keeps_alive(request)
                    plain = await self._send_plain(writer, request, response, keep_alive)
                    if plain:  # a plain answer to a plain request: h11 saw neither
                        if keep_alive:
                            continue
                        return  # it asked to close: closed after the answer, as h11 does
                    # a plain request whose answer h11 writes: h11 reads it now, as it would
                    # have at first
                    conn = _replayed(request.raw)
                    keep = await self._send(conn, writer, request, response)
            finally:
                await _close_body(response)  # an upstream's socket ends with its exchange
            if relayed is not None or (
                response.raw is not None and not response.close and _keeps_alive(request)
            ):
                # nginx keeps the connection after relaying HTTP/0.9 bytes and serves the
                # next request on it (observed): h11 saw no response, so a fresh one reads it;
                # as after a relayed head written without h11 (_send_relayed)
                if conn is None:  # a plain request, read whole, and nothing came after it
                    continue
                # a request that offered to switch protocols (Upgrade) is whole too: h11 waits
                # to see whether the answer was a 101, and this one was not (a relayed 101
                # tunnels: _switched), so the connection goes on with the next request
                # (h11 0.16 has MIGHT_SWITCH_PROTOCOL at its top level but not in its
                # __all__, which mypy --strict reads as not exported: known by its name, as
                # each of h11's states is a class named as it is)
                might_switch = conn.their_state.__name__ == "MIGHT_SWITCH_PROTOCOL"
                if conn.their_state is not h11.DONE and not might_switch:
                    await _wait_for_close(reader)  # the request's body was never read
                    return
                trailing, closed = conn.trailing_data
                if closed:
                    return
                skipped = await self._skip_empty_lines(trailing, conn, reader, writer, peer_port)
                if skipped is None:
                    return
                pipelined, empty = skipped
                if pipelined:  # (b"" would tell h11 the client closed)
                    conn = _new_connection()
                    conn.receive_data(pipelined)
                else:
                    conn = None if self.plain_requests else _new_connection()
                continue
            assert conn is not None  # _send's
            if not keep or conn.our_state is not h11.DONE or conn.their_state is not h11.DONE:
                if limited or conn.trailing_data[0]:
                    # the client may still be sending (it pipelines): closed on unread
                    # bytes, the kernel sends RST, which can destroy the answers before
                    # the client reads them; nginx's lingering close reads and drops them
                    await _linger(reader, writer)
                return
            try:
                conn.start_next_cycle()
            except h11.LocalProtocolError:
                return
            pipelined = conn.trailing_data[0]
            if pipelined[:1] in (b"\r", b"\n"):  # h11 would refuse the empty lines it holds
                skipped = await self._skip_empty_lines(pipelined, conn, reader, writer, peer_port)
                if skipped is None:
                    return
                pipelined, empty = skipped
                conn = _new_connection()
                if pipelined:
                    conn.receive_data(pipelined)

    async def _skip_empty_lines(
        self,
        trailing: bytes,
        conn: h11.Connection,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        peer_port: int | None,
    ) -> tuple[bytes, bytes] | None:
        """What came after a request (``trailing``) less the empty lines before the next
        request line (``_past_empty_lines``): that request's first bytes, and the empty
        lines the next read's count goes on from (all of ``trailing`` when nothing else
        came). None when there were too many: refused with a 400 and closed (``_refuse``)."""
        try:
            rest = _past_empty_lines(trailing)
        except _Refused as exc:
            await self._refuse(exc, conn, reader, writer, bytearray(trailing), peer_port)
            return None
        return rest, b"" if rest else trailing

    async def _respond_to(self, request: Request, plain: bool = False) -> Response:
        """The response to ``request``: this server's refusal of what it will not serve as
        sent (its version, its framing, its Host, its target), else its handler's answer.
        ``plain``: ``plain_request`` read it, so it is HTTP/1.1 with one Host, no
        Transfer-Encoding and not CONNECT: of the head's checks, the Host's value and the
        target are left (the head is not split into its fields again for its Host)."""
        verdict = self.version_refusal(request)
        if verdict and verdict.status != 505:
            return self._refusal(request, verdict)
        if verdict:
            headers, body = pages.page(
                request,
                505,
                made_by=self.role,
                paragraphs=[pages.Reason(verdict.why), *HTTP2_EXPLANATION],
            )
            return Response(505, headers, body, why=said(verdict.why), close=True)
        if plain:
            host = request.header("host")
            assert host is not None  # plain_request's: one Host
            verdict = check_host_value(host) or check_target(request.target)
        else:
            head = message_head(request.raw)
            codings = transfer_codings(head)
            verdict = (
                (check_transfer_codings(codings) if codings is not None else None)
                or check_framing(head, codings)
                or check_host(head)
                or check_connect(request.method, request.target)
                or check_target(request.target)
            )
        if verdict:
            return self._refusal(request, verdict)
        try:
            response = await self.handle(request)
            if request.method == "CONNECT" and 200 <= response.status < 300:
                # a 2xx to CONNECT means "the tunnel is open" (RFC 9110 9.3.6)
                await _close_body(response)
                return self._refusal(request, NO_TUNNELS)
            return response
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug in labkit itself, not a lesson's bug
            self.recorder.record(
                request.request_id,
                self.name,
                self.role,
                Kind.LOG,
                "unexpected error in labkit: " + traceback_text(exc),
            )
            headers, body = pages.page(
                request,
                500,
                made_by=self.role,
                paragraphs=[
                    Msg(
                        "labkit itself failed while handling this request. "
                        "Please report it, with the lab's log."
                    )
                ],
            )
            # said in the panel's language as every why of the lab's own servers is; the
            # exception's repr as Python wrote it (the page never shows it: no traceback
            # or internal detail reaches a client)
            why = Said.now("labkit error: {error}", error=repr(exc))
            return Response(500, headers, body, why=why, close=True)

    def unwritable(self, request: Request, response: Response, problem: str) -> Response:
        """What this server sends instead of a response HTTP/1.1 does not allow (``problem``
        says why). A server's own response that cannot be written is a bug in the server: 500.
        A proxy answers for a relayed one as for any invalid upstream response (proxy.py)."""
        headers, body = pages.page(
            request,
            500,
            made_by=self.role,
            paragraphs=[Msg("This server made a response that HTTP/1.1 does not allow.")],
        )
        why = said(
            Msg(
                "a response HTTP/1.1 does not allow ({status}): {problem}",
                status=response.status,
                problem=problem,
            )
        )
        return Response(500, headers, body, why=why, close=True)

    def _refusal(self, request: Request, verdict: Verdict) -> Response:
        """A request this server will not serve as sent: its page, then close."""
        headers, body = pages.page(
            request, verdict.status, made_by=self.role, paragraphs=[pages.Reason(verdict.why)]
        )
        return Response(verdict.status, headers, body, why=said(verdict.why), close=True)

    async def _read_request(
        self,
        conn: h11.Connection,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        raw: bytearray,
        deadline: float | None = None,
        *,
        empty: bytes = b"",
    ) -> Request:
        """The next request on ``conn`` (``deadline``: the head's, when its first bytes have
        arrived already and are in ``conn`` and ``raw``: ``_read_plain``; ``empty``: the
        empty lines that came after the last request, counted on in ``_past_empty_lines``)."""
        # deadlines on the loop's clock, as its timers are (CatchUpLoop leaves out the time
        # the process was away): one clock for a deadline and the timer that ends it
        loop = self._running()
        if deadline is None:  # a pipelined head (in ``raw`` already) has begun: no idle wait
            deadline = machine_deadline(loop, self.head_timeout if raw else IDLE_TIMEOUT)
        event = await self._next_event(conn, reader, raw, deadline, head=True, empty=empty)
        if not isinstance(event, h11.Request):  # closed, or h11 paused on a tunnel
            raise _Closed
        ended = head_end(raw)
        assert ended is not None  # h11 read a whole head from these bytes
        end, body_at = ended
        if end > MAX_HEAD_BYTES:
            verdict = too_large(raw[:end])
            raise _Refused(verdict.status, verdict.why)
        headers = decoded(event.headers)
        length = "0"
        chunked = False
        for name, value in headers:  # a loop, not a generator: no call per field
            if name == "content-length":
                length = value
            elif name == "transfer-encoding":
                chunked = True
        if int(length) > MAX_BODY_BYTES:  # h11 checked that it is digits
            # known from the head alone (nginx's client_max_body_size does the same): no
            # need to take a body that will be refused
            raise _Refused(413, BODY_TOO_LARGE)
        if conn.client_is_waiting_for_100_continue:
            # RFC 9110 10.1.1: an origin server MUST NOT wait for the content before
            # sending 100 (Continue); without it curl waits a second before each upload
            writer.write(
                conn.send(
                    h11.InformationalResponse(status_code=100, headers=[], reason=b"Continue")
                )
            )
        body = bytearray()
        deadline = machine_deadline(loop, self.head_timeout)
        sizes: ChunkSizes | None = None
        # chunked, from the fields h11 read (it refuses a request with any other coding):
        # transfer_codings would lower the whole head, which _respond_to lowers again
        if chunked:
            sizes = ChunkSizes(MAX_BODY_BYTES)
            _judge_chunks(sizes, bytes(raw[body_at:]))
        while True:
            ev = await self._next_event(conn, reader, raw, deadline, head=False, sizes=sizes)
            if isinstance(ev, h11.Data):
                body += ev.data
                if len(body) > MAX_BODY_BYTES:
                    raise _Refused(413, BODY_TOO_LARGE)
            elif isinstance(ev, h11.EndOfMessage):
                break
            else:
                raise _Closed
        # what came after this request (pipelined) is the next one's: h11 holds it unread
        rest = len(conn.trailing_data[0])
        return Request(
            method=event.method.decode("ascii", "replace"),
            target=event.target.decode("latin-1"),  # so a proxy passes on the same bytes
            http_version=event.http_version.decode("ascii", "replace"),
            headers=headers,
            body=bytes(body),
            raw=bytes(raw[: len(raw) - rest] if rest else raw),
        )

    async def _read_plain(
        self, reader: asyncio.StreamReader, raw: bytearray, empty: bytes = b""
    ) -> Request | tuple[h11.Connection, float]:
        """The next request, on a connection where nothing waits to be parsed, when the
        first read holds a plain request whole and nothing after it (``plain_request``):
        read without h11. Else a new h11 connection given the bytes read (also in ``raw``)
        and the head's deadline, for ``_read_request`` to go on as it would have from the
        start: the same reads, checks and deadlines, so a request h11 refuses is refused
        the same.

        h11 reading the gateway's request was its largest single cost per relayed request
        (a connection made, a state machine, two events, the fields decoded again).
        ``empty``: the empty lines that came after the last request (``_past_empty_lines``)."""
        loop = self._running()
        deadline = machine_deadline(loop, IDLE_TIMEOUT)
        while True:
            data = await within(0.0, lambda: reader.read(65536), until=deadline, loop=loop)
            try:
                rest = _past_empty_lines(data, empty)
            except _Refused:
                raw += empty + data  # what arrived, for the refusal's recording
                raise
            if rest or not data:  # a request begun, or the client closed
                break
            empty += data
        data = rest
        raw += data
        request = plain_request(data)
        if request is not None:
            return request
        if not data:
            raise _Closed  # as h11's ConnectionClosed on an idle connection
        conn = _new_connection()
        conn.receive_data(data)
        return conn, machine_deadline(loop, self.head_timeout)  # idle ended, the head began

    async def _next_event(
        self,
        conn: h11.Connection,
        reader: asyncio.StreamReader,
        raw: bytearray,
        deadline: float,
        *,
        head: bool,
        sizes: ChunkSizes | None = None,
        empty: bytes = b"",
    ) -> object:
        """h11's next event, reading as it needs; ``empty``: the empty lines that came after
        the last request (``_past_empty_lines``)."""
        while True:
            event = conn.next_event()
            if event is not h11.NEED_DATA:
                return event
            if head and b"\n" in raw and not re.match(REQUEST_LINE, raw.split(b"\n", 1)[0]):
                # h11 waits for the whole head; a first line that is not a request line
                # will never become one, so answer now instead of after the head timeout
                raise h11.RemoteProtocolError("illegal request line", error_status_hint=400)
            if head and len(raw) > MAX_HEAD_BYTES:
                verdict = too_large(raw)
                raise _Refused(verdict.status, verdict.why)
            loop = self._running()
            data = await within(0.0, lambda: reader.read(65536), until=deadline, loop=loop)
            if head and raw == b"" and data:
                try:
                    rest = _past_empty_lines(data, empty)
                except _Refused:
                    raw += empty + data  # what arrived, for the refusal's recording
                    raise
                if not rest:  # only empty lines: no request has begun
                    empty += data
                    continue
                data = rest
                deadline = machine_deadline(loop, self.head_timeout)  # idle ended, head began
            raw += data
            if sizes is not None:
                _judge_chunks(sizes, data)
            conn.receive_data(data)
            if not data and conn.their_state is h11.IDLE:
                return h11.ConnectionClosed()

    async def _refuse(
        self,
        exc: TimeoutError | h11.RemoteProtocolError | _Refused,
        conn: h11.Connection,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        raw: bytearray,
        peer_port: int | None,
    ) -> None:
        """A request that will not be served, because of ``exc``: answer it as this server
        does (408 for a slow client, the status its fault calls for), then close the way
        nginx's lingering close does (``_linger``), whatever the answer was."""
        if isinstance(exc, TimeoutError):
            await self.slow_client(conn, writer, raw, peer_port)
        elif isinstance(exc, _Refused):
            await self._reject(conn, writer, raw, peer_port, exc.status, exc.why)
        else:
            verdict = classify_rejection(bytes(raw), str(exc), exc.error_status_hint)
            await self._reject(conn, writer, raw, peer_port, verdict.status, verdict.why)
        await _linger(reader, writer)

    async def _reject(
        self,
        conn: h11.Connection,
        writer: asyncio.StreamWriter,
        raw: bytearray,
        peer_port: int | None,
        status: int,
        why: Text,
        response: Response | None = None,
    ) -> None:
        """Answer a request that could not be parsed or accepted (with ``response``, or
        the lab's page for ``status``), then close. The page negotiates on the head when
        the whole head arrived (``head_of``), else it is English."""
        rid = self.record_unparsed(raw, peer_port, status)
        if response is None:
            asked = head_of(bytes(raw))
            headers, page = pages.page(
                asked, status, made_by=self.role, paragraphs=[pages.Reason(why)]
            )
            response = Response(status, headers, page, why=said(why), close=True)
        body = response.body if isinstance(response.body, bytes) else b""
        head = self._spelt(_head_bytes(response, self._extra_headers(rid, response)))
        data = head + body
        event = self.recorder.record(
            rid,
            self.name,
            self.role,
            Kind.SENT,
            f"{status} {response.reason}",
            data=data,
            status=status,
            generated=True,
            why=said(why),
        )
        self._write(writer, event, data)
        await _drain_quietly(writer)

    def record_abandoned(self, raw: bytearray, peer_port: int | None) -> None:
        """A client closed its connection after part of a request's head (it gave up before
        this server's head timeout ran out): recorded, so that the story and the picture show
        what arrived here and that nothing was answered, not the client's lane alone."""
        line = first_line(raw)[:120].decode("latin-1")
        summary = Msg(
            "incomplete request: {line}; the client closed the connection before the rest "
            "came, so there was nothing to answer",
            line=repr(line),
        )
        self.recorder.record(
            self.recorder.new_id(),
            self.name,
            self.role,
            Kind.RECEIVED,
            said(summary),
            data=bytes(raw),
            peer_port=peer_port,
        )

    def record_unparsed(self, raw: bytearray, peer_port: int | None, status: int) -> str:
        """Record what arrived of a request that will not be served; returns its new id.

        A 408's request is recorded as received when its head began, one head timeout ago
        (the deadline that ran out), not when the server gave up: the picture's measured
        time for the 408 then shows the server's wait (300 ms), where it showed '<1 ms'."""
        rid = self.recorder.new_id()
        now = time.perf_counter()
        self.recorder.add(
            Event(
                rid,
                self.name,
                self.role,
                Kind.RECEIVED,
                now - self.head_timeout if status == 408 else now,
                said(_arrived(bytes(raw), status)),
                data=bytes(raw),
                peer_port=peer_port,
            )
        )
        return rid

    def _extra_headers(
        self,
        request_id: str,
        response: Response,
        date: bool | None = None,
        server: bool | None = None,
    ) -> list[tuple[str, str]]:
        """The fields this server adds to a response: Date and Server unless it has them
        (``date``, ``server``: whether it does, when the caller has looked already), its
        X-Request-ID, and Connection: close when it closes."""
        extra = []
        if self.sends_date and not (response.header("date") is not None if date is None else date):
            extra.append(("Date", http_date()))
        if server is None:
            server = response.header("server") is not None
        if not server and response.generated and response.server:
            extra.append(("Server", self.server_header))  # a relayed response keeps its maker's
        extra.append(("X-Request-ID", request_id))
        if response.close:
            extra.append(("Connection", "close"))
        return extra

    async def _send(
        self,
        conn: h11.Connection,
        writer: asyncio.StreamWriter,
        request: Request,
        response: Response,
    ) -> bool:
        """Write the response; returns whether the connection may be reused. Which fields go
        out is ``_fields``'s decision, how the head is written ``_head``'s; a body is written
        whole (``_send_whole``) or as it arrives (``_send_stream``)."""
        if response.raw is not None:
            return await self._send_raw(writer, request, response)
        fields = self._fields(request, response)
        try:
            head = self._head(conn, request, response, fields)
        except h11.LocalProtocolError as exc:
            return await self._send_unwritable(writer, request, response, str(exc))
        payload = response.body
        if isinstance(payload, bytes):
            return await self._send_whole(conn, writer, request, response, head, payload)
        return await self._send_stream(conn, writer, request, response, head, payload)

    async def _send_plain(
        self, writer: asyncio.StreamWriter, request: Request, response: Response, keep_alive: bool
    ) -> bool:
        """The answer to a plain request (read without h11, ``plain_request``), written as
        ``_send`` would write it but without h11, where its head is plain too
        (``plain_head``): a body held whole, the connection kept, or closed after it where
        the request asked to close (``keep_alive``: ``_keeps_alive``; the caller closes
        it). False, nothing
        written, where h11 is to write it (a HEAD's answer, a stream, a close of this
        server's own, a field h11 would move or add).

        curl's one-shot requests, urllib's and the benchmark's cold start ask to close:
        taken by h11 they cost its import (41 M instructions) and its slower path."""
        body = response.body
        if (
            type(body) is not bytes
            or response.raw is not None
            or response.close
            or request.method == "HEAD"
        ):
            return False
        fields = self._fields(request, response)
        head = plain_head(response.status, response.reason, fields, len(body), not keep_alive)
        if head is None:
            return False
        data = self._spelt(head) + body
        event = self._record_sent(request.request_id, response, data)
        writer.write(data)
        try:
            await _drain(writer)
        except _Unsent:
            self._unsent(event)
            raise
        return True

    async def _send_raw(
        self, writer: asyncio.StreamWriter, request: Request, response: Response
    ) -> bool:
        """Bytes relayed as they came, with no status line of this server's (HTTP/0.9), or,
        for a response with a status, with the status line and fields its ``raw`` starts with
        (an upstream's 1xx that nginx takes as final: gateway.Gateway.relay)."""
        raw = response.raw or b""
        if response.status:
            self._write(writer, self._record_sent(request.request_id, response, raw), raw)
            await _drain_quietly(writer)
            return False
        event = self.recorder.record(
            request.request_id,
            self.name,
            self.role,
            Kind.SENT,
            Said.now(
                "{size} bytes relayed as they came, with no status line (HTTP/0.9)", size=len(raw)
            ),
            data=raw,
            status=None,
            generated=response.generated,
            why=response.why,
        )
        self._write(writer, event, raw)
        await _drain_quietly(writer)
        return False

    async def _send_unwritable(
        self, writer: asyncio.StreamWriter, request: Request, response: Response, problem: str
    ) -> bool:
        """A response h11 will not write (``problem`` says why): this server's own answer
        instead, written by hand (h11's side of the connection is now in its error state)."""
        response = replace(self.unwritable(request, response, problem), close=True)
        body = response.body if isinstance(response.body, bytes) else b""
        rid = request.request_id
        head = self._spelt(_head_bytes(response, self._extra_headers(rid, response)))
        data = head + (b"" if request.method == "HEAD" else body)
        writer.write(data)
        await _drain_quietly(writer)
        self._record_sent(rid, response, data)
        return False

    def _relayed_head(self, request: Request, response: Response) -> tuple[bytes, bytes] | None:
        """The head of a relayed response as ``_send`` would write it, around the request's
        id, made once for each relayed head (``_relayed_parts``); None where ``_send`` is to
        write it: a response this server made, a body it streams, a HEAD, a client that is
        not keeping an HTTP/1.1 connection, a connection that closes after it.

        A relayed response's head is the upstream's head, less its id, with this hop's
        fields: the same for each request that gets the same answer. h11 wrote it anew for
        each one, a third of the gateway's own work per request once its upstream's side
        went without h11 (callgrind): its state machine, its framing looked up field by
        field, three events; and the fields were looked up and encoded again before that."""
        if (
            response.generated
            or type(response.body) is not bytes
            or response.close
            or response.raw is not None
            or request.method == "HEAD"
            or request.method == "CONNECT"
            or request.http_version != "1.1"
        ):
            return None
        options = request.header("connection")
        if options is not None and "close" in options.lower():
            return None
        key = (
            tuple(response.headers),
            response.status,
            response.reason,
            self.spelling,
            self.says_keep_alive,
            self.sends_date,
        )
        heads = self._relayed_heads
        if heads is None:
            heads = self._relayed_heads = Generations(MAX_RELAYED_HEADS)
        try:
            made = heads.get(key)
        except TypeError:  # a field given as a list (a handler's [name, value]): not kept
            return None
        if made is None or (made[2] is not None and made[2] != http_date()):
            made = self._relayed_parts(request, response)
            heads.keep(key, made)
        before, after, _, length = made
        if length != len(response.body) or not _plain_id(request.request_id):
            return None
        return before, after

    def _relayed_parts(
        self, request: Request, response: Response
    ) -> tuple[bytes, bytes, str | None, int]:
        """What ``_relayed_head`` keeps for a relayed head: the bytes ``_send`` writes before
        the request's id and after it (``plain_head``, or the same code on an h11 connection
        of its own that has read a GET), the date it holds if this server added it (made
        again once the second has changed), and the body length it frames (-1: ``_send``
        writes it)."""
        fields = self._fields(request, response)
        if not _plain_id(request.request_id):
            return b"", b"", None, -1
        for k, v in fields:
            name = k.lower()
            if name == "host" or (name == "connection" and "close" in v.lower()):
                # h11 writes a Host first, and closes after a Connection: close
                return b"", b"", None, -1
        marked = [
            (k, _ID_MARK) if k == "X-Request-ID" and v is request.request_id else (k, v)
            for k, v in fields
        ]
        body = response.body
        assert isinstance(body, bytes)  # _relayed_head's
        plain = plain_head(response.status, response.reason, marked, len(body))
        if plain is not None:  # as h11 writes it (_send_plain)
            head = self._spelt(plain)
        else:
            scratch = h11.Connection(h11.SERVER)
            scratch.receive_data(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            scratch.next_event()
            scratch.next_event()
            try:
                head = self._head(scratch, request, response, marked)
            except h11.LocalProtocolError:
                return b"", b"", None, -1
        parts = head.split(_ID_MARK.encode("ascii"))
        framing = [v for k, v in fields if k.lower() in ("content-length", "transfer-encoding")]
        if len(parts) != 2 or len(framing) != 1 or not framing[0].isascii():
            return b"", b"", None, -1
        if not framing[0].isdecimal():
            return b"", b"", None, -1
        dated = None
        if self.sends_date and response.header("date") is None:
            dated = next(v for k, v in fields if k == "Date")
        return parts[0], parts[1], dated, int(framing[0])

    async def _send_relayed(
        self,
        writer: asyncio.StreamWriter,
        request: Request,
        response: Response,
        head: tuple[bytes, bytes],
    ) -> bool:
        """A relayed response whose head ``_relayed_head`` made: head and body in one write,
        as ``_send_whole``; the caller reads the next request with a fresh h11 connection
        (this one saw no response)."""
        before, after = head
        payload = response.body
        assert isinstance(payload, bytes)
        data = before + request.request_id.encode("ascii") + after + payload
        event = self._record_sent(request.request_id, response, data)
        writer.write(data)
        try:
            await _drain(writer)
        except _Unsent:
            self._unsent(event)
            raise
        return True

    def _fields(self, request: Request, response: Response) -> Headers:
        """The fields the response goes out with: its own (less an X-Request-ID: this
        server's goes instead), what this server adds (``_extra_headers``), Connection:
        keep-alive where it says so, and the Content-Length of a body it holds whole.

        Not for a HEAD of its own page where ``head_length`` is off (Go's net/http, Caddy:
        a handler's HEAD answer has only the length it set, and its error pages set none;
        RFC 9110 9.3.2 lets a server leave out what it knows only by making the content)."""
        headers = []
        date = server = length = False  # one look at each field, not one pass for each
        for field in response.headers:  # a name is lowered only when its length matches
            k = field[0]
            size = len(k)
            if size == 12 and k.lower() == "x-request-id":  # this server's own goes instead
                continue
            headers.append(field)
            if size == 4 and k.lower() == "date":
                date = True
            elif size == 6 and k.lower() == "server":
                server = True
            elif size == 14 and k.lower() == "content-length":
                length = True
        headers += self._extra_headers(request.request_id, response, date, server)
        if self.says_keep_alive and not response.close and request.http_version == "1.1":
            if _keeps_alive(request):
                headers.append(("Connection", "keep-alive"))
        if (
            isinstance(response.body, bytes)
            and not length
            and not (response.status == 204 or response.status == 304)
            and (self.head_length or request.method != "HEAD" or not response.generated)
        ):
            headers.append(("Content-Length", str(len(response.body))))
        return headers

    def _head(
        self, conn: h11.Connection, request: Request, response: Response, headers: Headers
    ) -> bytes:
        """The response head as h11 writes it (h11.LocalProtocolError: h11 will not), with
        what h11 decides for itself undone where this server differs:

        - a relayed ``Connection`` naming ``upgrade`` goes out as it came (``_relayed_connection``);
        - a HEAD answer without a length gets no ``Transfer-Encoding: chunked`` (h11 frames it
          as the GET's answer would be): nothing is framed, so nothing is said, as nginx does
          for a body it would read to the close and Go's net/http for a HEAD (RFC 9110 9.3.2),
          unless this server says it as HAProxy does (``head_chunked``);
        - every field name is spelt as this server spells them (``spelling``)."""
        fields, fit = h11_fields(headers)  # a relayed byte stays a byte
        reason = response.reason.encode("latin-1", "replace")
        head: bytes = conn.send(response_event(response.status, fields, reason, fit))
        if not response.generated and head.find(_ADDED_CLOSE) != -1:
            head = _relayed_connection(head, response.headers)
        if request.method == "HEAD" and not self.head_chunked and head.find(_ADDED_CHUNKED) != -1:
            head = head.replace(_ADDED_CHUNKED, b"\r\n", 1)
        return self._spelt(head)

    def _spelt(self, head: bytes) -> bytes:
        """``head`` with its field names spelt as this server spells every name it writes
        (``spelling``): as they are, in lower case (HAProxy), or in Go's canonical form
        (Caddy)."""
        spelling = self.spelling
        if spelling == "keep":
            return head
        first, *lines = head[:-4].split(b"\r\n")
        spelt = [first]
        for line in lines:
            name, sep, value = line.partition(b":")
            spelt.append(
                (name.lower() if spelling == "lower" else _go_canonical(name)) + sep + value
            )
        return b"\r\n".join(spelt) + b"\r\n\r\n"

    async def _send_whole(
        self,
        conn: h11.Connection,
        writer: asyncio.StreamWriter,
        request: Request,
        response: Response,
        head: bytes,
        payload: bytes,
    ) -> bool:
        """A body this server holds whole: head and body in one write."""
        sent = bytearray(head)
        if payload and not (request.method == "HEAD" or response.status in (204, 304)):
            sent += conn.send(h11.Data(data=payload))
        sent += conn.send(h11_parts().end)
        event = self._record_sent(request.request_id, response, bytes(sent))
        writer.write(sent)
        try:
            await _drain(writer)
        except _Unsent:
            self._unsent(event)
            raise
        return not response.close

    async def _send_stream(
        self,
        conn: h11.Connection,
        writer: asyncio.StreamWriter,
        request: Request,
        response: Response,
        head: bytes,
        payload: AsyncIterator[bytes],
    ) -> bool:
        """A body relayed as it arrives: the head goes out with its first chunk; a body the
        upstream cut ends the connection without the message's end (RFC 9112 8)."""
        no_body = request.method == "HEAD" or response.status in (204, 304)
        rid = request.request_id
        sent = bytearray(head)
        out = _Coalesced(writer, head)
        cut = ""
        try:
            async for chunk in payload:
                if chunk and not no_body:
                    data = conn.send(h11.Data(data=chunk))
                    out.write(data)
                    sent += data
                    await _drain(writer)
        except BodyCut as exc:
            cut = said(exc.detail)  # keeps its message: a Chinese picture says it in Chinese
        finally:
            out.flush()
        if cut:
            self._record_sent(rid, response, bytes(sent), cut=cut)
            await _drain_quietly(writer)
            return False
        end = conn.send(h11_parts().end)
        sent += end
        self._record_sent(rid, response, bytes(sent))
        writer.write(end)
        await _drain(writer)
        return not response.close

    def _record_sent(self, rid: str, response: Response, data: bytes, cut: str = "") -> Event:
        summary = f"{response.status} {response.reason}".strip()
        if cut:
            summary = said(Msg("{status} (body cut off: {cut})", status=summary, cut=cut))
        return self.recorder.sent(
            rid,
            self.name,
            self.role,
            summary,
            data,
            response.status,
            response.generated,
            cut or response.why,
            cut,
            response.delay,
        )

    def _write(self, writer: asyncio.StreamWriter, event: Event, data: bytes) -> None:
        """Write ``data``, the answer ``event`` recorded as it went, where a failed write
        is not a ConnectionError (a refusal's, an HTTP/0.9 relay's: ``_drain_quietly``);
        the others learn it from ``_drain`` (``_Unsent``), at no cost to an answer that
        leaves."""
        writer.write(data)
        if writer.transport.is_closing():
            self._unsent(event)

    def _unsent(self, event: Event) -> None:
        """The answer ``event`` recorded as it was written never left: the client had reset
        the connection (the send failed at once, or the transport was closed already). The
        answer is recorded before it is written, so that the lab's own client, reading it
        in another thread, never records it before this server does; the record then says
        so, as a fault upstream's does, not that the answer went out."""
        from labkit.faults import CLIENT_GONE  # (it imports this module)

        gone = event._replace(summary=CLIENT_GONE, data=b"", status=None, not_kept=0)
        self.recorder.amend(event, gone)


MAX_RELAYED_HEADS = 64  # relayed heads kept (HTTPServer._relayed_head, in two generations)
# Where the request's id goes in a relayed head made once (in h11's grammar, never an id)
_ID_MARK = "labkit\x7fid"


def _plain_id(request_id: str) -> bool:
    """Whether an id goes on the wire as it is (visible ASCII, as the lab's ids are)."""
    return request_id.isascii() and request_id.isprintable() and " " not in request_id


class _Refused(Exception):
    """A request refused before its handler runs (too large, or a chunk size never taken)."""

    def __init__(self, status: int, why: Msg) -> None:
        super().__init__(str(why))
        self.status = status
        self.why = why


def _past_empty_lines(data: bytes, before: bytes = b"") -> bytes:
    """``data`` less the empty lines before a request line. RFC 9112 2.2: a server SHOULD
    ignore at least one there (a client's CRLF after a POST body, an old habit), and nginx
    skips any number of CR and LF (observed: a LF after a body, then a request, answered);
    h11 refuses them ('no request line received'), and the lab answered a pipelined request
    after a CRLF 400 'the request line is not METHOD target HTTP/x.y'.

    ``before``: the empty lines that came before ``data`` since the last request. More than
    MAX_EMPTY_LINES in all (a CRLF, a LF or a lone CR each one), however the bytes were split
    into reads: _Refused, 400."""
    rest = data.lstrip(b"\r\n")
    skipped = len(data) - len(rest)
    if skipped + len(before) > MAX_EMPTY_LINES:  # (each line is a byte or two)
        lines = before + data[:skipped]
        if len(lines.replace(b"\r\n", b"\n")) > MAX_EMPTY_LINES:
            raise _Refused(400, TOO_MANY_EMPTY_LINES)
    return rest


def _new_connection() -> h11.Connection:
    """h11's side of a connection to a client, as this server reads requests with it."""
    return h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD_BYTES)


def _replayed(raw: bytes) -> h11.Connection:
    """A new h11 connection that has read the plain request ``raw`` (``plain_request``), in
    the state reading it would have left it in: ready for the response."""
    conn = _new_connection()
    conn.receive_data(raw)
    while type(conn.next_event()) is not h11.EndOfMessage:
        pass
    return conn


# Fields with which h11 does more than read the head (a body's framing other than a length,
# 100-continue, a protocol switch): a request with one is not plain (``plain_request``)
_NOT_PLAIN = ("transfer-encoding", "expect", "upgrade")


def plain_request(data: bytes) -> Request | None:
    """The request ``data`` holds, when it is plain: within MAX_HEAD_BYTES, a request line
    of HTTP/1.1, a method of letters other than CONNECT, then fields each on its line, all
    in h11's grammar (h11/_abnf.py) narrowed to visible ASCII, spaces and CRLF (a name of
    letters, digits and hyphens); one Host, at most one Content-Length, of digits, no field
    that makes h11 do more than read it (``_NOT_PLAIN``), a Connection that closes only as
    its one line's option ``close``; then exactly its body, nothing more. That is the request h11 reads from the same bytes, field
    for field (tests/test_gateway_fastpath.py); None for anything else, which h11 reads and
    judges as it always has.

    String methods, not a regular expression: compiling one cost each lab's first request
    more than it saves there."""
    end = data.find(b"\r\n\r\n")
    if end < 0 or end > MAX_HEAD_BYTES:
        return None
    first, *lines = data[:end].decode("latin-1").split("\r\n")
    method, _, rest = first.partition(" ")
    target, _, version = rest.partition(" ")
    if (
        version != "HTTP/1.1"
        or not (method.isalpha() and method.isascii())
        or method == "CONNECT"
        or not (target.isascii() and target.isprintable())
        or not target
    ):
        return None
    headers = []
    for line in lines:
        name, colon, value = line.partition(":")
        if not (colon and name.isascii() and name.replace("-", "").isalnum()):
            return None
        value = value.strip(" \t")  # h11's OWS
        if value and not (value.isascii() and value.isprintable()):
            return None
        headers.append((name.lower(), value))
    names = [name for name, _ in headers]
    if names.count("host") != 1:
        return None
    length = 0
    count = names.count("content-length")
    if count:
        if count > 1:
            return None
        value = headers[names.index("content-length")][1]
        # digits, fewer than h11 allows (CONTENT_LENGTH_MAX_DIGITS, 20 in 0.16): a body
        # read whole in one read is shorter than a million
        if not (len(value) <= 6 and value.isdigit()):
            return None
        length = int(value)
    if len(data) != end + 4 + length:
        return None
    for name in _NOT_PLAIN:
        if name in names:
            return None
    if "connection" in names:
        # a close asked as h11 reads it (one option "close" among the comma-separated, in
        # any case): the answer then says so and the connection ends after it (``_send_plain``),
        # as h11 does, and ``_keeps_alive`` says the same as h11 of every plain request. A
        # "close" within another word, or Connection on two lines, h11 reads as before
        values = [value.lower() for name, value in headers if name == "connection"]
        if any("close" in value for value in values) and (
            len(values) > 1 or "close" not in [option.strip() for option in values[0].split(",")]
        ):
            return None
    return Request(method, target, "1.1", headers, body=data[end + 4 :], raw=data)


def plain_head(
    status: int, reason: str, fields: Headers, length: int, close: bool = False
) -> bytes | None:
    """The head of an answer to a plain request (``plain_request``: HTTP/1.1) with a body
    of ``length`` bytes, as h11 writes it, without h11: the status line, then each field as
    written, then ``Connection: close`` where the request asked to close (``close``: h11
    adds it last), then the blank line. None where h11 is to write it, or would write
    something else: a status that is not a plain final one with a body (204, 304), a
    reason that is not visible ASCII, a field outside h11's grammar, a Host (h11 writes it
    first), a Connection that closes (h11 writes its own, last), any Connection to a client
    that asked to close (h11 rewrites them into its own), a Transfer-Encoding, other than
    one Content-Length of ``length``.

    h11 writes such a head as it is given (no field added, moved or dropped:
    ``_clean_up_response_headers_for_sending`` changes only the framing and Connection
    fields); tests/test_gateway_fastpath.py compares the two over real sockets."""
    if type(status) is not int or not 200 <= status < 1000 or status == 204 or status == 304:
        return None
    if not (reason.isascii() and reason.isprintable()):
        return None
    entries, _ = _entries(fields)
    if entries is None:
        return None
    lengths = 0
    for _, name, value in entries:
        if name == b"content-length":
            if value != b"%d" % length:
                return None
            lengths += 1
        elif name == b"connection":
            if close or b"close" in [option.strip() for option in value.lower().split(b",")]:
                return None  # h11 writes its own Connection: close, last
        elif name == b"host" or name == b"transfer-encoding":
            return None
    if lengths != 1:
        return None
    lines = b"".join([b"%s: %s\r\n" % (raw, value) for raw, _, value in entries])
    if close:
        lines += b"Connection: close\r\n"  # as h11's set_comma_header writes it
    return b"HTTP/1.1 %d %s\r\n%s\r\n" % (status, reason.encode("ascii"), lines)


def head_of(raw: bytes) -> Request | None:
    """The head of a request refused before it was parsed, after a request line: its page
    then negotiates (Accept, Accept-Language) as any other. That is the whole head when its
    blank line arrived within MAX_HEAD_BYTES; for a head over the limit (431), the whole
    lines within its first MAX_HEAD_BYTES (a browser sends Accept-Language before the
    cookies that usually make a head too large). Either way the lines read do not depend
    on how the bytes were split: h11 judges a head only once it is whole, and a head over
    the limit is refused only once more than MAX_HEAD_BYTES arrived. A head cut short
    negotiated nothing: English, no Vary. So did a first line that is not shaped as a
    request line (``REQUEST_LINE``: three parts): it is refused as soon as it ends, before
    any field need have arrived, and a language read from the fields would depend on how
    the bytes were split. A request line of that shape whose version is malformed
    (``http/1.1``) is held until the head is whole, as any other, and negotiates: it was
    refused in English whatever it asked for. Lines end where h11 ends them (``headend``),
    with or without a CR: a head in bare LFs, which h11 reads, was taken for one cut short
    and refused in English whatever it asked for."""
    ended = head_end(raw)
    if ended is None or ended[0] > MAX_HEAD_BYTES:
        if len(raw) <= MAX_HEAD_BYTES:  # cut short: the head never arrived
            return None
        end = raw.rfind(b"\n", 0, MAX_HEAD_BYTES)  # the last whole line within the limit
        if end < 0:
            return None
        head, kept = raw[:end], raw[: end + 1]
    else:
        head, kept = raw[: ended[0]], raw[: ended[1]]
    first, *lines = [line.removesuffix(b"\r") for line in head.split(b"\n")]
    if not first or not re.match(REQUEST_LINE, first):
        return None
    parts = first.split(b" ")
    headers = []
    for line in lines:  # the lines that are 'name: value'; a malformed one is skipped
        name, sep, value = line.partition(b":")
        if sep and name and name == name.strip():
            headers.append((name.decode("latin-1"), value.strip().decode("latin-1")))
    method, target, version = (part.decode("latin-1") for part in parts)
    return Request(method, target, version.removeprefix("HTTP/"), headers, raw=kept)


def _arrived(raw: bytes, status: int) -> Msg:
    """What arrived of a request refused with ``status`` before its handler ran, as the story
    and the picture say it: its head cut short (408), too large (431), its request line
    too long (414), read whole and refused
    for what it asks, its transfer coding (501) or the size of its body (413), or not valid
    HTTP. A 501's head was read and understood: it said 'unparseable request' (lesson 02)."""
    line = first_line(raw)[:120].decode("latin-1")
    if status == 408:
        return Msg("incomplete request: {line}", line=repr(line))
    if status == 431:
        return Msg("request head too large: {line}", line=repr(line))
    if status == 414:
        return Msg("request line too long: {line}", line=repr(line))
    if status in (413, 501) and head_of(raw) is not None:
        if status == 501:
            return Msg("{line} (head read; transfer coding not implemented here)", line=line)
        return Msg("{line} (head read; body larger than this server accepts)", line=line)
    return Msg("unparseable request: {line}", line=repr(line))


def _judge_chunks(sizes: ChunkSizes, data: bytes) -> None:
    verdict = sizes.feed(data)
    if verdict:
        raise _Refused(verdict.status, verdict.why)


def _head_bytes(response: Response, extra: list[tuple[str, str]]) -> bytes:
    """Serialize a response head without h11 (for requests h11 could not parse)."""
    body_len = len(response.body) if isinstance(response.body, bytes) else 0
    lines = [f"HTTP/1.1 {response.status} {response.reason}"]
    lines += [f"{k}: {v}" for k, v in [*response.headers, *extra]]
    lines.append(f"Content-Length: {body_len}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


_ADDED_CLOSE = b"\r\nConnection: close\r\n"  # as h11 writes it (set_comma_header)
_ADDED_CHUNKED = b"\r\nTransfer-Encoding: chunked\r\n"  # the same


def _go_canonical(name: bytes) -> bytes:
    """Go's canonical form of a field name (``textproto.CanonicalMIMEHeaderKey``): each
    dash-separated word capitalised, the rest in lower case (``X-Request-Id``)."""
    return b"-".join(word[:1].upper() + word[1:].lower() for word in name.split(b"-"))


def _relayed_connection(head: bytes, headers: Headers) -> bytes:
    """A relayed response whose own Connection header names ``upgrade`` (HAProxy relays an
    origin's 426 so) goes out with that header as it came and no ``close`` added, as real
    HAProxy sends it to a client that asked to close (it closes all the same). h11 wrote one
    ``Connection`` line per option, ``close`` among them. Any other relayed Connection (real
    HAProxy adds its ``close`` beside it) leaves the head as h11 wrote it."""
    kept = [(k, v) for k, v in headers if k.lower() == "connection"]
    if not any("upgrade" in v.lower() for _, v in kept):
        return head
    lines = head[:-4].split(b"\r\n")
    lines = [line for line in lines if not line.lower().startswith(b"connection:")]
    lines += [f"{k}: {v}".encode("latin-1", "replace") for k, v in kept]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def _keeps_alive(request: Request) -> bool:
    """Did the client ask to keep the connection open (RFC 9112 9.3)?"""
    options = (request.header("connection") or "").lower()
    if request.http_version == "1.0":
        return "keep-alive" in options
    return "close" not in options


async def _wait_for_close(reader: asyncio.StreamReader) -> None:
    """Hold a connection that can carry nothing more until the client closes it (or idles)."""
    deadline = asyncio.get_running_loop().time() + IDLE_TIMEOUT
    while True:
        try:
            if not await within(0.0, lambda: reader.read(65536), until=deadline):
                return
        except TimeoutError:
            return


NO_TUNNELS = Verdict(
    501,
    Msg(
        "labkit's servers do not open tunnels: a 2xx answer to CONNECT would mean the "
        "connection now carries raw bytes to another host (RFC 9110 9.3.6)"
    ),
)


# h11's grammar for a field (h11/_abnf.py): a token, then a value of visible characters or
# obs-text with spaces or tabs only inside
_FIELD_NAME = re.compile(rb"[-!#$%&'*+.^_`|~0-9a-zA-Z]+")
_FIELD_VALUE = rb"(?:[^\x00\s]+(?:[ \t]+[^\x00\s]+)*)?"  # compiled when first needed (REQUEST_LINE)


def takes_parsed(event: Callable[..., object]) -> bool:
    """Whether this h11 event class takes ``_parsed=True``: a private argument (h11 passes it
    for events its own parser made, whose fields it has checked), present in h11 0.10 to
    0.16. Without it every event is built through the public constructor."""
    try:
        event(status_code=200, headers=[], reason=b"OK", _parsed=True)
    except TypeError:
        return False
    return True


class _H11(FrozenRecord):
    """What the lab's messages use of the installed h11 beyond its public events, asked of it
    once, when a message first needs h11 (``h11_parts``).

    A record, not a typed NamedTuple: building that class at import compiled its ``__new__``
    from source, 1.0 M instructions in every lab's process, most of which never need h11."""

    __slots__ = ("end", "headers", "judged", "normalize", "parsed")
    # h11's own header list (0.14 to 0.16): an event given one takes it as it is. A private
    # module of h11's, listed with its reason in tests/test_public_api.py
    # (FOREIGN_PRIVATE_MODULES); None with an h11 without it: fields go as byte pairs
    headers: type[H11Headers] | None
    normalize: Callable[..., H11Headers] | None  # its check of a framing field
    parsed: bool  # its events take _parsed=True (takes_parsed)
    judged: bool  # a request event built field by field is h11's own (_judged_equal)
    end: h11.EndOfMessage  # the end of a message, made once: h11's events are frozen

    def __init__(
        self,
        headers: type[H11Headers] | None,
        normalize: Callable[..., H11Headers] | None,
        parsed: bool,
        judged: bool,
        end: h11.EndOfMessage,
    ) -> None:
        set_ = object.__setattr__
        set_(self, "headers", headers)
        set_(self, "normalize", normalize)
        set_(self, "parsed", parsed)
        set_(self, "judged", judged)
        set_(self, "end", end)


@functools.cache
def h11_parts() -> _H11:
    """``_H11`` of the installed h11, which this imports (lazyh11): asked on the first use,
    not at import, where a lab that sends only plain messages would never need it."""
    try:
        from h11._headers import Headers, normalize_and_validate
    except ImportError:  # pragma: no cover - an h11 without them: fields go as byte pairs
        return _H11(None, None, takes_parsed(h11.Response), False, h11.EndOfMessage())
    judged = _judged_equal(Headers)
    return _H11(
        Headers, normalize_and_validate, takes_parsed(h11.Response), judged, h11.EndOfMessage()
    )


def request_event(method: bytes, target: bytes, fields: Fields, fit: bool) -> h11.Request:
    """An h11 request event; built without h11's own field check when ``h11_fields`` found
    every field in its grammar and this h11 allows it (``_H11.parsed``)."""
    if fit and h11_parts().parsed:
        return h11.Request(method=method, target=target, headers=fields, _parsed=True)
    return h11.Request(method=method, target=target, headers=fields)


def judged_request(method: bytes, target: bytes, fields: Fields) -> h11.Request:
    """An h11 request event from parts h11 has judged already: the method and target of a
    request it parsed (a proxy's, as it passes the request on) and fields from
    ``h11_fields`` (or ``id_entry``) that all fit. Built without h11's ``__init__`` where
    this h11's events allow it (``_H11.judged``): that looks for the Host fields and matches
    method and target with regexes again, three quarters of what building an upstream
    request's event cost (callgrind: 30 of 40 kIr), for what h11 checked when the request
    arrived."""
    parts = h11_parts()
    if not parts.judged:
        return request_event(method, target, fields, parts.headers is not None)
    event: h11.Request = _new_event(h11.Request)
    _set_field(event, "method", method)
    _set_field(event, "target", target)
    _set_field(event, "headers", fields)
    _set_field(event, "http_version", b"1.1")
    return event


def _judged_equal(headers: type[H11Headers]) -> bool:
    """Whether a request event built field by field equals h11's own (the installed h11's
    events have the four fields h11 0.14 to 0.16 give them)."""
    try:
        fields = headers([(b"Host", b"host", b"x")])
        made = h11.Request(method=b"GET", target=b"/", headers=fields)
        event = _new_event(h11.Request)
        for name, value in (("method", b"GET"), ("target", b"/"), ("headers", fields)):
            _set_field(event, name, value)
        _set_field(event, "http_version", b"1.1")
        slots = sorted(h11.Request.__slots__)
        return bool(event == made) and slots == ["headers", "http_version", "method", "target"]
    except Exception:  # another h11: its events are built by its __init__
        return False


_new_event = object.__new__
_set_field = object.__setattr__


def h11_entries(headers: Headers) -> list[tuple[bytes, bytes, bytes]] | None:
    """The entries ``h11_fields`` makes of the fields, or None when they go as byte pairs
    (one does not fit, two frame the body: h11 judges them)."""
    return _entries(headers)[0]


def entries_fields(entries: list[tuple[bytes, bytes, bytes]]) -> Fields:
    """Entries of ``h11_entries`` and ``id_entry`` as the fields an event takes."""
    headers = h11_parts().headers
    if headers is None:  # pragma: no cover - an h11 without its list: byte pairs
        return [(raw, value) for raw, _, value in entries]
    return headers(entries)


def id_entry(value: str) -> tuple[bytes, bytes, bytes] | None:
    """The lab's X-Request-ID field as h11 keeps it (``h11_fields``), or None when ``value``
    is not visible ASCII with spaces only inside (then ``h11_fields`` judges it)."""
    if value.isascii() and value.isprintable() and value[:1] != " " != value[-1:]:
        return b"X-Request-ID", b"x-request-id", value.encode("ascii")
    return None


def response_event(status: int, fields: Fields, reason: bytes, fit: bool) -> h11.Response:
    """An h11 response event, as ``request_event`` (a status that is not an int, such as
    True, gets h11's own check)."""
    if fit and h11_parts().parsed and type(status) is int:
        return h11.Response(status_code=status, headers=fields, reason=reason, _parsed=True)
    return h11.Response(status_code=status, headers=fields, reason=reason)


def h11_fields(headers: Headers) -> tuple[Fields, bool]:
    """Header text back to the bytes it was read from (headers are decoded as latin-1),
    and whether every field already fits h11's grammar.

    When they all fit, the fields come as h11's own header list (``H11Headers``: each
    field's name as written, in lower case, and its value), which an event takes as it is,
    and the event may be built with ``_parsed=True`` (``request_event``,
    ``response_event``): h11 then neither checks each field (one Python call and a regex
    match per name and per value) nor lowers and sorts them out again (a Python loop over
    the fields, 2.9 us of the 4.8 a relayed response's event cost). Each field's entry
    is made once by h11's own rules (``_entry``). When one does not fit, the fields come
    as byte pairs, the event is built as before and h11 refuses it with its own error;
    as they do when two fields frame the body (Content-Length, Transfer-Encoding): h11
    judges them together.
    """
    entries, fit = _entries(headers)
    made = h11_parts().headers
    if entries is not None and made is not None:
        return made(entries), True
    return [
        (k.encode("latin-1", "replace"), v.encode("latin-1", "replace")) for k, v in headers
    ], fit


def _entries(headers: Headers) -> tuple[list[tuple[bytes, bytes, bytes]] | None, bool]:
    """``h11_fields``' entries (None where the fields go as byte pairs), and whether every
    field fits h11's grammar."""
    entries = []
    fit = True
    framing = 0
    known = _FITTING
    for field in headers:  # each (name, value) pair is its own key
        if type(field) is not tuple:  # a handler's [name, value]
            name, value = field
            field = (name, value)
        entry = known.new.get(field)
        if entry is None:
            entry = known.old.get(field)
            if entry is not None:
                known.keep(field, entry)  # brought forward: a field in use stays
            else:
                k, v = field
                entry = _entry(k, v)
                if entry is None:
                    fit = False
                    break
                if k not in _ONCE and len(v) <= MAX_FITTING_VALUE:
                    known.keep(field, entry)
        if entry[1] in _FRAMING:
            framing += 1
        entries.append(entry)
    if fit and framing < 2:
        return entries, True
    return None, fit


def _entry(name: str, value: str) -> tuple[bytes, bytes, bytes] | None:
    """A field as h11 keeps it (name as written, in lower case, value), or None when it
    does not fit h11's grammar. A Content-Length or Transfer-Encoding field's value is
    h11's own reading of it (``normalize_and_validate``: one length of a list, a coding in
    lower case); one h11 refuses is None too."""
    raw = name.encode("latin-1", "replace")
    data = value.encode("latin-1", "replace")
    if _FIELD_NAME.fullmatch(raw) is None:
        return None
    # visible ASCII with spaces only inside fits the value's grammar: no regex for it (an
    # X-Request-ID, new in each message, is never kept, so this runs for each one)
    printable = value.isascii() and value.isprintable() and value[:1] != " " != value[-1:]
    if not printable and re.fullmatch(_FIELD_VALUE, data) is None:
        return None
    lower = raw.lower()
    if lower in _FRAMING and not (
        lower == b"content-length" and data.isdigit() and len(data) <= _PLAIN_LENGTH_DIGITS
    ):  # a length of digits is as h11 reads it (one value, of digits): h11 not asked
        normalize = h11_parts().normalize
        if normalize is not None:
            try:
                (lower, data), *_ = normalize([(raw, data)], _parsed=True)
            except h11.LocalProtocolError:
                return None
    return raw, lower, data


class Generations(Generic[K, V]):
    """What a server worked out once and uses again (a field's bytes, a path's route, the
    headers forwarded for a client's fields, a failure page), kept in two generations of at
    most ``size // 2`` entries each.

    An entry is looked up in the new generation, then in the old one, which hands it on to
    the new; when the new one is full it becomes the old one and the old one is dropped.
    So what a lab's messages use all the time stays (each use brings it forward), while a
    stream of keys seen once (a hostile client's new fields or paths) passes through: the
    table never holds more than ``size`` entries and never loses them all at once. Emptying
    a whole table when it was full, as before, made every entry be worked out again after
    each ``size`` new ones, the ones in use included.
    """

    def __init__(self, size: int) -> None:
        self.half = max(1, size // 2)
        self.new: dict[K, V] = {}
        self.old: dict[K, V] = {}

    def get(self, key: K) -> V | None:
        """The entry kept for ``key`` (brought forward if it was old), or None."""
        value = self.new.get(key)
        if value is None:
            value = self.old.get(key)
            if value is not None:
                self.keep(key, value)
        return value

    def keep(self, key: K, value: V) -> None:
        if len(self.new) >= self.half:
            self.old = self.new
            self.new = {}
        self.new[key] = value

    def __len__(self) -> int:
        return len(self.new) + len(self.old)


FieldCache = Generations[tuple[str, str], tuple[bytes, bytes, bytes]]  # h11_fields' table
# An event's fields: h11's own list, or byte pairs for h11 to judge (h11_fields)
if TYPE_CHECKING:
    Fields = list[tuple[bytes, bytes]] | H11Headers
_FRAMING = frozenset({b"content-length", b"transfer-encoding"})  # h11 judges these together
_PLAIN_LENGTH_DIGITS = 18  # a Content-Length as h11 reads it without asking h11 (it takes 20)


# Fields already found to fit h11's grammar, as bytes: most fields of a lab's messages come
# again and again (Host, Via, Content-Type, X-Forwarded-For...), so each is encoded and
# checked once, not per message. Not kept: the names whose value is new in each message
# (as the lab writes them), and long values (a client's cookies: the table stays small).
# Date is kept: its value is new once a second (messages.http_date), the same for every
# message of that second, origin's and relayed alike (one entry more a second).
MAX_FITTING = 512  # fields kept at most (FieldCache)
_FITTING = FieldCache(MAX_FITTING)
MAX_FITTING_VALUE = 128  # characters
_ONCE = frozenset({"X-Request-ID"})


class _Coalesced:
    """Writes a streamed response's head with the body bytes that are already here.

    A relayed body usually arrived with the upstream's head, so head and body go out in
    one send instead of two. What is held goes out on the loop's next turn at the latest
    (before any wait for an upstream's next bytes), so a slow body's head is not held back.
    """

    def __init__(self, writer: asyncio.StreamWriter, data: bytes) -> None:
        self._writer = writer
        self._held = bytearray(data)
        self._soon: asyncio.Handle | None = asyncio.get_running_loop().call_soon(self.flush)

    def write(self, data: bytes) -> None:
        self._held += data
        if self._soon is None:
            self._soon = asyncio.get_running_loop().call_soon(self.flush)

    def flush(self) -> None:
        if self._soon is not None:
            self._soon.cancel()
            self._soon = None
        if self._held:
            self._writer.write(bytes(self._held))
            self._held.clear()


class _Unsent(ConnectionResetError):
    """Not a byte of the last write left: the connection was reset (or closed) before it."""


async def _drain(writer: asyncio.StreamWriter) -> None:
    """Wait until the peer has taken what was written, at most WRITE_TIMEOUT. Nothing held
    and the transport closing after a write (no wait came between): the send failed at
    once, or the transport was closed already, and not a byte of it left (``_Unsent``)."""
    transport = writer.transport
    if not transport.get_write_buffer_size():
        if not transport.is_closing():
            return  # all of it is in the kernel's buffer already: nothing to wait for
        raise _Unsent("the connection was reset before the answer was sent")
    await within(WRITE_TIMEOUT, writer.drain)


async def _linger(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Close after a refusal the way nginx's lingering close does: send FIN after the
    answer, then read and drop what the client is still sending, for at most
    LINGER_SECONDS. Closing at once with unread bytes makes the kernel send RST, which can
    destroy the 431 or 413 before the client reads it (it sees "connection reset")."""
    if writer.transport.is_closing() or not writer.can_write_eof():
        return
    try:
        writer.write_eof()
        end = asyncio.get_running_loop().time() + LINGER_SECONDS
        while await within(0.0, lambda: reader.read(65536), until=end):
            pass
    except (OSError, TimeoutError):
        pass


async def _drain_quietly(writer: asyncio.StreamWriter) -> None:
    try:
        await _drain(writer)
    except (ConnectionError, TimeoutError):
        writer.transport.abort()


def _close(writer: asyncio.StreamWriter, clean: bool) -> None:
    """Close after a clean end (bytes still buffered get WRITE_TIMEOUT to go); else cut."""
    transport = writer.transport
    if not clean:
        transport.abort()
        return
    writer.close()
    if transport.get_write_buffer_size():
        asyncio.get_running_loop().call_later(WRITE_TIMEOUT, transport.abort)


async def _close_body(response: Response) -> None:
    """A streamed body that was not (or not fully) sent still releases its upstream."""
    aclose = getattr(response.body, "aclose", None)
    if aclose is not None:
        await aclose()


def set_linger_reset(writer: asyncio.StreamWriter) -> None:
    """Make the next close send RST instead of FIN (SO_LINGER with timeout 0)."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
