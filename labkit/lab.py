"""Lab: the origin, gateway, portal and misbehaving upstreams on one background event loop.

The servers run on their own asyncio loop in one daemon thread, never on the
kernel's loop, so a synchronous request from a notebook cell cannot deadlock, and
``stop()`` (or the end of the interpreter) leaves no thread or socket behind.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import ipaddress
import itertools
import re
import socket
import threading
import time
import warnings
import weakref
from collections.abc import Callable, Coroutine, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import h11
else:  # imported by the first message that needs it
    from labkit.http import lazyh11 as h11

from labkit import i18n, personalities
from labkit.control import ControlServer
from labkit.errors import (
    STOPPED,
    Interrupted,
    LabkitWarning,
    LabNotRunning,
    check_number,
    refuse,
    shown,
    unknown,
)
from labkit.faults import FAULTS, FaultServer, Slow
from labkit.gateway import Gateway, pool
from labkit.http import deadline, peers, ports
from labkit.http.headend import first_line
from labkit.http.messages import Headers, parse_response, read_response
from labkit.http.server import Listener, on_loop, settle
from labkit.i18n import Msg
from labkit.origin import Origin
from labkit.portal import Portal
from labkit.proxy import Route, Target, Timeouts
from labkit.recorder import Event, Kind, Recorder, Role, hops_of, until_answered, waited

if TYPE_CHECKING:
    import httpx

    from labkit.exchange import Exchange

T = TypeVar("T")

ENTRIES = ("portal", "gateway", "origin")
ORIGIN_TIMEOUTS = Timeouts(connect=0.5, read=2.0)
UPSTREAM_TIMEOUTS = Timeouts(connect=0.2, read=0.3)
SLOW_DELAY = Slow.DELAY.default  # the slow upstream's delay in a fresh lab

_running: weakref.WeakSet[Lab] = weakref.WeakSet()
_starts = itertools.count(1)  # each start's number: the newest running lab has the highest
# the language of the lab started last in this process, kept after it stops (learner_language)
_last_language: str | None = None

START_SECONDS = 10.0  # how long start() waits for every server to listen
STOP_SECONDS = 5.0  # how long stop() waits for the servers, then for the loop thread
CLIENT_TIMEOUT = 5.0  # lab.request's own timeout (seconds) when none is given
REQUEST_TIMEOUTS = (0.01, 120.0)  # the timeouts lab.request accepts (seconds), least and most
POOL_SIZE = 2  # targets of the gateway's health-checked pool (/pool/), none of them listening
SEEN_WITHIN = 0.05  # a request no server recorded by then was never sent (the client refused)
POLL = 0.02  # seconds between looks at what the machine keeps the lab waiting (_due_before)
READ_TIMEOUT = "ReadTimeout: timed out"  # httpx's words when the client's timeout ran out reading
# what lab.raw's client saw when the bytes stopped (ex.client_error, in the lab's language)
RAW_QUIET = Msg("no more bytes within {seconds} s (the server kept the connection open)")
RAW_SILENT = Msg("no answer within {seconds} s (the server kept the connection open)")
RAW_RESET = Msg("connection reset by the server")
NOT_STARTED = i18n.Msg(
    "this lab has not been started: call lab.start(), or use lab = labkit.start()"
)


class Upstreams(dict[str, FaultServer]):
    """The misbehaving upstreams by name; an unknown name lists the real ones."""

    def __missing__(self, name: str) -> FaultServer:
        raise unknown("upstream", name, self)


class Lab:
    """A running lab. Use ``labkit.start()`` to get one; ``stop()`` or ``with`` to end it."""

    control: ControlServer  # set by start(); a restart keeps who started it

    def __init__(
        self,
        host: str = "127.0.0.1",
        gateway: str = "rfc",
        allow_users: Iterable[str] = (),
        lang: str | None = None,
    ) -> None:
        # first: the lab's language is the one its other refusals are said in
        self.lang = i18n.check_language(lang) if lang is not None else i18n.environment_language()
        if not isinstance(host, str):
            raise refuse(
                Msg(
                    "host must be an IP address as text, such as '127.0.0.1' (the default) or "
                    "'0.0.0.0', not {given}",
                    given=shown(host),
                ),
                lang=self.lang,
            )
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise refuse(
                Msg(
                    "host must be an IP address such as '127.0.0.1' (the default) or "
                    "'0.0.0.0', not {given}",
                    given=shown(host),
                ),
                lang=self.lang,
            ) from None
        if not isinstance(allow_users, (str, int, list, tuple, set, frozenset)):
            raise refuse(
                Msg(
                    "allow_users must be a list of user names such as ['www-data'], not {given}",
                    given=shown(allow_users),
                ),
                lang=self.lang,
            )
        personalities.get(gateway)  # an unknown name is refused before anything starts
        ports.configured(self.lang)  # so is a bad LABKIT_PORTS, in the lab's language
        self.host = host
        self._personality = gateway
        self._allow_users = allow_users
        self._stopped = False
        self._start_number = 0  # set by start(): see newest_running
        # who may connect cannot be checked on this host: said once, by the first start() that
        # bound every server (said when the lab was made, it came before the error of a bind
        # that then failed, `labkit serve --host 8.8.8.8`, warning of a lab that never served)
        self._host_warning = ""
        self._build()

    def _build(self) -> None:
        """Make every server afresh (a new lab, or a stopped one started again)."""
        host = self.host
        self._peers, warning = peers.policy(host, self._allow_users, self.lang)  # who may connect
        if not self._start_number:  # never started: its first start gives the warning
            self._host_warning = warning
        self.recorder = Recorder()
        self._origin = Origin(self.recorder, host)
        self._gateway = Gateway(self.recorder, host)
        self._gateway.personality = self._personality
        self._upstreams = Upstreams(
            (name, FaultServer(fault, self.recorder, host)) for name, fault in FAULTS.items()
        )
        refused = FAULTS["refused"]
        self._pool_members = [
            FaultServer(refused.copy(name=f"pool-{i}"), self.recorder, host)
            for i in range(1, POOL_SIZE + 1)
        ]
        self._portal: Portal | None = None
        started_by = self.control.started_by if hasattr(self, "control") else None
        self.control = ControlServer(self)
        if started_by:
            self.control.started_by = started_by
        # the loop (an epoll fd and a socket pair) is made by start(), which closes it on every
        # way out: a Lab made and never started holds nothing open
        self._thread = threading.Thread(target=self._run_loop, name="labkit-lab", daemon=True)
        self._client: httpx.Client | None = None  # made on the first request
        self._client_lock = threading.Lock()
        self.running = False

    # -- the servers, whose attributes are the lab's switches (refused once it has stopped) --

    @property
    def origin(self) -> Origin:
        """The origin: maintenance (04), capacity (04), debug (01) and its log."""
        self._refuse_if_stopped()
        return self._origin

    @property
    def gateway(self) -> Gateway:
        """The gateway (reverse proxy): its routes' timeouts, its personality, its cache."""
        self._refuse_if_stopped()
        return self._gateway

    @property
    def portal(self) -> Portal:
        """The captive portal in front of the gateway (lesson 07): login(), logout().

        Made when the lab starts (it needs the gateway's port), and typed as always there,
        so that a learner's ``lab.portal.login()`` type-checks under ``mypy --strict``: a lab
        not started yet has none, and says how to start it (LabNotRunning), not None."""
        self._refuse_if_stopped()
        if self._portal is None:
            raise LabNotRunning(NOT_STARTED.render(self.lang))
        return self._portal

    @property
    def upstreams(self) -> Upstreams:
        """The misbehaving upstreams by name (lesson 03); the slow one's delay is a switch."""
        self._refuse_if_stopped()
        return self._upstreams

    # -- life cycle --

    def _run_loop(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    def start(self) -> Lab:
        """Start the servers; a stopped lab starts again as a fresh one (new ports, switches off)."""
        if self.running:
            return self
        if self._stopped:
            self._build()
            self._stopped = False
        self._loop = deadline.new_loop()
        self.recorder.keep_arrivals(self._loop.time)  # for _due_before
        self._thread.start()
        try:
            self._call(self._start_all(), timeout=START_SECONDS)
        except BaseException:
            try:
                self._call(self._stop_all(), timeout=STOP_SECONDS)  # close what did start
            finally:
                self._shutdown()
            raise
        self.running = True
        self._start_number = next(_starts)
        _running.add(self)
        global _last_language
        _last_language = self.lang
        if self._host_warning:
            warnings.warn(self._host_warning, LabkitWarning, stacklevel=3)
            self._host_warning = ""
        for note in self.control.notes:
            warnings.warn(note, LabkitWarning, stacklevel=3)
        return self

    async def _start_all(self) -> None:
        faults = [*self._upstreams.values(), *self._pool_members]
        for server in (self._origin, *faults, self._gateway, self.control):
            server.peers = self._peers
        for fault in faults:  # each takes its port now, and serves from its first connection
            fault.take_port()
        await self._origin.start()
        host = self.host
        self._gateway.add_route(
            Route("/", "origin", [Target("origin", host, self._origin.port)], ORIGIN_TIMEOUTS)
        )
        for name, up in self._upstreams.items():
            self._gateway.add_route(
                Route(
                    f"/up/{name}/",
                    name,
                    [Target(name, host, up.port)],
                    UPSTREAM_TIMEOUTS,
                    strip_prefix=True,
                )
            )
        self._gateway.add_route(
            pool(
                "pool",
                [Target(m.name, host, m.port) for m in self._pool_members],
                UPSTREAM_TIMEOUTS,
            )
        )
        self._origin.front_read_timeout = lambda: min(
            r.read_timeout for r in self._gateway.routes if r.upstream == "origin"
        )
        await self._gateway.start()
        self._portal = Portal(self.recorder, Target("gateway", host, self._gateway.port), host)
        self._portal.peers = self._peers
        await self._portal.start()
        await self.control.start()

    def stop(self) -> None:
        """Stop every server and the loop thread; safe to call twice."""
        if not self.running:
            return
        self.running = False
        self._stopped = True
        _running.discard(self)
        self.recorder.wake()  # a wait for this lab's story ends: no answer is coming
        stopping = asyncio.run_coroutine_threadsafe(self._stop_all(), self._loop)
        try:
            stopping.result(STOP_SECONDS)
        except concurrent.futures.TimeoutError:
            stopping.cancel()  # never run late, beside the stop that frees the held loop
            # something holds the loop (it never awaits): say so, but never hang or raise here
            warnings.warn(
                f"the lab's servers did not stop within {STOP_SECONDS:g} s; its thread is left "
                "to end with the kernel (restart the kernel to free its ports)",
                LabkitWarning,
                stacklevel=2,
            )
        finally:
            self._shutdown()

    async def _stop_all(self) -> None:
        servers: list[Listener] = [
            self._origin,
            self._gateway,
            *self._upstreams.values(),
            *self._pool_members,
        ]
        if self._portal is not None:
            servers.insert(0, self._portal)
        servers.insert(0, self.control)
        await asyncio.gather(*(s.stop() for s in servers), return_exceptions=True)
        await settle(STOP_SECONDS / 2)
        if self._peers is not None:
            self._peers.close()

    def _shutdown(self) -> None:
        with self._client_lock:
            if self._client is not None:
                self._client.close()
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=STOP_SECONDS)
        if not self._loop.is_closed() and not self._loop.is_running():
            self._loop.close()

    def __enter__(self) -> Lab:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _call(self, coro: Coroutine[Any, Any, T], timeout: float = 10) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def _require_running(self) -> None:
        if not self.running:
            raise LabNotRunning((STOPPED if self._stopped else NOT_STARTED).render(self.lang))

    def _refuse_if_stopped(self) -> None:
        if self._stopped:
            raise LabNotRunning(STOPPED.render(self.lang))

    # -- switches --

    def reset(self) -> None:
        """Put every switch back as a fresh lab has it (cache emptied, portal logged out).

        Each switch goes back to the default declared in ``labkit.switches``, on the loop
        thread, and so do the settings that are not switches (``switches.others``: the
        learner's own order handler of lesson 01, the fault upstreams' knobs).
        """
        self._require_running()
        from labkit import switches

        switches.reset(self)

    # -- URLs --

    def url(self, server: str) -> str:
        """Base URL of "origin", "gateway", "portal" or an upstream's name."""
        self._require_running()
        if not isinstance(server, str):
            raise unknown("server", server, [*ENTRIES, *self._upstreams])
        if server in ENTRIES:
            url: str = getattr(self, server).url  # origin, gateway or portal
            return url
        if server in self._upstreams:
            return self._upstreams[server].url
        raise unknown("server", server, [*ENTRIES, *self._upstreams])

    def browser_link(self, server: str = "gateway", path: str = "/", text: str = "") -> Any:
        """A link that opens ``path`` on a lab server in the browser (via jupyter-server-proxy)."""
        from labkit.browser import link, link_words

        if not isinstance(text, str):
            raise refuse(
                Msg("text must be the link's words as a str, not {given}", given=shown(text)),
                lang=self.lang,
            )
        base = self.url(server)
        port = int(base.rsplit(":", 1)[1])
        # a lesson's words are in a code cell both languages share: the catalogue says them
        # in the lab's language (browser.link_words); a learner's own words as given
        words = (
            link_words(text, self.lang)
            if text
            else Msg("open {path} on the {server} in the browser", path=path, server=server).render(
                self.lang
            )
        )
        return link(port, path, words, base, self.lang, server)

    def urls(self) -> dict[str, Any]:
        self._refuse_if_stopped()
        return {
            "origin": self._origin.url,
            "gateway": self._gateway.url,
            "portal": self._portal.url if self._portal else None,
            "upstreams": {name: up.url for name, up in self._upstreams.items()},
        }

    def __repr__(self) -> str:
        """The lab's entries and routes, its words in the lab's language (names, URLs and
        prefixes as code spells them)."""
        if not self.running:
            return Msg("<Lab (stopped)>").render(self.lang)
        lines = [Msg("<Lab running on this machine>").render(self.lang)]
        lines += [f"  {name:<8} {self.url(name)}" for name in ENTRIES]
        lines.append("  " + Msg("gateway routes:").render(self.lang))
        routes = sorted(self._gateway.routes, key=lambda r: r.prefix)
        # columns as wide as their longest entry: a fixed 20 pushed the timeouts of
        # bad-transfer-encoding (21 characters) one column over
        prefix = max((len(r.prefix) for r in routes), default=0)
        upstream = max((len(r.upstream) for r in routes), default=0)
        for r in routes:
            timeouts = Msg(
                "connect {connect} s, read {read} s",
                connect=f"{r.connect_timeout:g}",
                read=f"{r.read_timeout:g}",
            ).render(self.lang)
            lines.append(f"    {r.prefix:<{prefix}} -> {r.upstream:<{upstream}} {timeouts}")
        return "\n".join(lines)

    # -- the learner's client --

    def get(self, path: str, **kwargs: Any) -> Exchange:
        """GET ``path`` through the gateway (or ``via=`` another entry)."""
        return self.request("GET", path, **kwargs)

    def request(
        self,
        method: str,
        path: str,
        *,
        via: str = "gateway",
        headers: dict[str, str] | None = None,
        body: bytes | str | None = None,
        timeout: float = CLIENT_TIMEOUT,
    ) -> Exchange:
        """Send one real HTTP request with httpx and return what every hop did."""
        self._require_running()
        _check_path(path, self.lang)
        if via not in ENTRIES:
            raise unknown("entry point via=", via, ENTRIES, lang=self.lang)
        if not isinstance(method, str) or not re.fullmatch(TOKEN, method):
            raise refuse(
                Msg(
                    "method must be a word such as 'GET' or 'BREW', not {given}",
                    given=shown(method),
                ),
                lang=self.lang,
            )
        check_number("timeout", timeout, minimum=REQUEST_TIMEOUTS[0], maximum=REQUEST_TIMEOUTS[1])
        if body is not None and not isinstance(body, (bytes, str)):
            raise refuse(
                Msg("body must be bytes, str or None, not {type}", type=type(body).__name__),
                lang=self.lang,
            )
        _check_headers(headers, self.lang)
        rid = self.recorder.new_id(arrival=True)  # for _due_before
        sent_headers = {**(headers or {}), "X-Request-ID": self.recorder.tagged(rid)}
        if self.lang != i18n.ENGLISH and not any(
            k.lower() == "accept-language" for k in sent_headers
        ):
            # the learner's language, asked for the HTTP way: the lab's pages negotiate it
            sent_headers["Accept-Language"] = self.lang
        content = body.encode() if isinstance(body, str) else body
        self.recorder.record(rid, "client", Role.CLIENT, Kind.SENT, f"{method} {path}")
        # for an answer that came after the client gave up (_due_before): what the machine
        # kept the lab's loop waiting for a CPU so far
        behind = deadline.waited_for_a_cpu(self._loop)
        start = time.perf_counter()
        status, reason, resp_headers, data, error, timed_out = self._fetch(
            method, path, via, sent_headers, content, timeout
        )
        elapsed = time.perf_counter() - start
        if status is not None and self._due_after(rid, via, timeout):
            # the answer was due after the client's timeout: it had given up (see _due_after)
            status, reason, resp_headers, data = None, "", [], b""
            error, timed_out = READ_TIMEOUT, True
        elif status is None and error == READ_TIMEOUT:
            try:
                answer = self._due_before(rid, method, via, timeout, start, behind)
            except KeyboardInterrupt:  # Kernel > Interrupt while the lab's record is read
                raise Interrupted(f"{method} {path}", self.lang) from None
            if answer is not None:  # it was due in time (see _due_before)
                status, reason, resp_headers, data = answer
                error, timed_out = None, False
        self.recorder.record(
            rid,
            "client",
            Role.CLIENT,
            Kind.RECEIVED,
            f"{status} {reason}" if status else str(error),
            status=status,
            timed_out=timed_out,
            waited=timeout if timed_out else None,
        )
        # a client that gave up (timeout) must not wait here for the server's late answer
        self._wait_for_story(rid, via, patience=0.05 if timed_out else 1.0)
        return self._exchange(
            rid, method, path, via, status, reason, resp_headers, data, error, elapsed, told=True
        )

    def _fetch(
        self,
        method: str,
        path: str,
        via: str,
        headers: dict[str, str],
        content: bytes | None,
        timeout: float,
    ) -> tuple[int | None, str, Headers, bytes, str | None, bool]:
        """httpx's part of ``request``: the status, reason, fields and body it read, the error
        it met (as the learner reads it), and whether that was the client's own timeout."""
        status, reason, resp_headers, data, error = None, "", [], b"", None
        timed_out = False  # the client's own timeout ran out
        httpx = _httpx()
        try:
            with self._http().stream(
                method, self.url(via) + path, headers=headers, content=content, timeout=timeout
            ) as resp:
                status, reason = resp.status_code, resp.reason_phrase
                resp_headers = [
                    (k.decode("latin-1"), v.decode("latin-1")) for k, v in resp.headers.raw
                ]
                try:
                    data = resp.read()
                except httpx.HTTPError as exc:
                    data = b""
                    error = i18n.said(
                        Msg(
                            "{error} (the status line had already arrived)",
                            error=f"{type(exc).__name__}: {exc}",
                        )
                    )
                    timed_out = isinstance(exc, httpx.TimeoutException)
        except (httpx.HTTPError, h11.ProtocolError) as exc:  # h11's own: httpx does not wrap all
            error = f"{type(exc).__name__}: {exc}"
            timed_out = isinstance(exc, httpx.TimeoutException)
        except KeyboardInterrupt:  # Kernel > Interrupt: one line, not httpx's frames
            raise Interrupted(f"{method} {path}", self.lang) from None
        except RuntimeError:  # the lab was stopped (and its client closed) meanwhile
            self._require_running()
            raise
        return status, reason, resp_headers, data, error, timed_out

    def _due_before(
        self,
        rid: str,
        method: str,
        via: str,
        timeout: float,
        start: float,
        behind: float | None,
    ) -> tuple[int, str, Headers, bytes] | None:
        """The answer the entry hop ``via`` made for a client whose read timed out, when the
        lab's record says it was due before the client's ``timeout`` (``_due_after``'s
        opposite): its status, reason, fields and body, read from the bytes the hop wrote;
        else None.

        On a loaded host the lab's loop is kept off the CPU too: lesson 05's 504, due at
        0.3 s, was written after a client that leaves at 0.4 s had given up (15 runs in 20
        at nice 19 beside two busy loops). The lab tells what its clocks decide, the same
        every run, so such an answer is the answer, as on an idle machine.

        It is waited for until the lab, too, has counted the client's timeout, by two
        clocks, since each alone misses some of the time it fell behind. The loop's
        (deadline.CatchUpLoop), from the request's arrival (``recorder.reached``, read as
        the hop recorded it): a timer there runs in order with the lab's own, after every answer
        due before it, however late by the machine's clock; but that clock counts a wait
        it cannot tell from a slow peer (the loop asleep until a socket is ready, while
        the machine ran others: 3 runs in 20 still a client timeout). And the machine's,
        from ``start`` (time.perf_counter()), plus the time the machine kept the loop's
        thread waiting for a CPU since (``behind`` was its run delay then:
        ``deadline.waited_for_a_cpu``), which the kernel counts only once the thread runs
        (8 runs in 20 alone). At most ``deadline.MAX_LAG`` more of the loop's own time
        (``deadline.progress``): time the loop slept with nothing to do, or turned; not
        time the machine kept its thread from running. Bounded by the machine's clock, the
        wait ended while the loop's thread had not run once since the client gave up (at
        nice 19 beside busy loops: its schedstat showed 2.3 s waiting for a CPU and not one
        slice run, the request read but its 504 not yet written), and the 504 due at 0.3 s
        was a client timeout in 1-2 runs of 10. An answer the record cannot give whole (a
        body cut, or not all kept) stays a client timeout.

        So does an answer made after a switch changed once the client's timeout had run
        out, by the one clock both are read on (``time.perf_counter()``: ``start`` and
        ``Recorder.switched``): the record times it from the request's arrival, but what
        it says was decided by a switch the client never waited for. A held GET /busy let
        go after the client gave up reached the origin after the release when the loop
        had not run since (load ~15): the origin's 200 "not held", due at 0 s, was told as
        the answer, where an idle machine held the request and the client saw no answer.
        Which of the two came first is what happened; when the loop saw them is not."""
        loop = self._loop
        counted: list[bool] = []  # the loop's clock counted the client's timeout

        def client_gave_up() -> None:  # on the lab's loop
            counted.append(True)
            self.recorder.wake()

        def start_the_clients_timer(reached: float) -> None:  # on the lab's loop
            # one turn more: a task that a timer due just before it woke has its turn first
            loop.call_at(reached + timeout, loop.call_soon, client_gave_up)

        def ends() -> float:  # the machine's clock, plus what it kept the loop waiting
            now = deadline.waited_for_a_cpu(loop)
            late = 0.0 if now is None or behind is None else min(now - behind, deadline.MAX_LAG)
            return start + timeout + late + deadline.STARVED

        def answered() -> bool:
            return self._answer_event(rid, via) is not None or not self.running

        def arrived() -> bool:
            return self.recorder.reached(rid) is not None or answered()

        progress = deadline.progress(loop)
        most = progress() + deadline.MAX_LAG  # the loop had that much of its own time
        while not self.recorder.wait_for(arrived, POLL):
            if progress() >= most:
                return None
        reached = self.recorder.reached(rid)
        if reached is None:
            return None
        try:
            loop.call_soon_threadsafe(start_the_clients_timer, reached)
        except RuntimeError:  # the lab stopped meanwhile: its loop is closed
            return None
        while not self.recorder.wait_for(answered, POLL):
            if progress() >= most or (counted and time.perf_counter() >= ends()):
                return None
        sent = self._answer_event(rid, via)
        if sent is None or sent.cut or sent.not_kept:
            return None
        if self.recorder.switched_between(start + timeout, sent.at):
            return None  # made after a switch changed, which the client had not waited for
        due = self._due(rid, via)
        if due is None or due >= timeout:
            return None
        return read_response(sent.data, method)

    def _answer_event(self, rid: str, via: str) -> Event | None:
        """What the entry hop ``via`` recorded as it wrote its answer, if it has."""
        for event in self.recorder.events(rid):
            if event.kind is Kind.SENT and event.hop == via:
                return event
        return None

    def _due_after(self, rid: str, via: str, timeout: float) -> bool:
        """Whether the answer the client read was due, by the lab's record, only after its
        ``timeout`` ran out: the timeouts that ran out on the way and the delay set on the hop
        that made it (``recorder.waited``), the time the lab made it wait on purpose.

        httpx's timer runs on the learner's kernel thread: kept off the CPU a tenth of a
        second on a loaded host, the thread first reads after the answer came and takes it
        (lesson 05's budget: a client that leaves at 0.2 s read the gateway's 504 made at
        0.3 s). A real client there sees the same 504; the lab tells what its clocks
        decide, the same every run, so such an answer counts as a client timeout, as it does
        on an idle machine. An answer due before the timeout stays the answer however late
        it is read."""
        self._wait_for_story(rid, via)
        due = self._due(rid, via)
        return due is not None and due >= timeout

    def _due(self, rid: str, via: str) -> float | None:
        """When the answer the entry hop ``via`` made was due, by the lab's record: the time
        the lab made it wait on purpose (``recorder.waited``), read from the events the
        client's story holds, without making the story.

        None where the record cannot say, and then the client's own clock decides, as it
        read the answer or gave up: an answer made by a hop that waited for something the
        lab does not time (``recorder.untimed``: a hold the learner released, a learner's
        handler). Counted as no wait, a GET /busy held until just after the client's timeout
        read as the answer, since the lab waits a little past the timeout for what it
        owes (``_due_before``)."""
        hops = hops_of(until_answered(self.recorder.events(rid), via))
        for hop in hops:
            if hop.role is not Role.CLIENT and hop.generated and hop.sent is not None:
                if self.recorder.is_untimed(rid, hop.name):
                    return None
                break
        return waited(hops)

    def _http(self) -> httpx.Client:
        """The learner's HTTP client, made on first use: a lab that only serves never pays
        for importing httpx (about as long as starting the lab)."""
        with self._client_lock:
            if self._client is None:
                self._require_running()
                self._client = http_client(timeout=CLIENT_TIMEOUT)
            return self._client

    def raw(
        self,
        data: bytes | str,
        *,
        to: str = "origin",
        timeout: float = 1.0,
        wait: float = CLIENT_TIMEOUT,
    ) -> Exchange:
        """Send bytes as they are (no library would send them) and read what comes back.

        It reads until the server closes, with two patiences. ``wait``: seconds, at most, for
        the connection and the answer's first byte, as long as ``lab.request`` waits, because
        that is the server's time to answer and a busy machine stretches it. ``timeout``:
        seconds of silence, once bytes came, after which the answer is taken as whole on a
        connection the server keeps open; it only decides that nothing more comes, so it can
        stay short. One patience for both made a check slow or made its verdict depend on load.
        """
        self._require_running()
        if isinstance(data, str):
            try:
                data = data.encode("latin-1")
            except UnicodeEncodeError:
                raise refuse(
                    Msg(
                        "data as str may hold only latin-1 characters (HTTP's own); pass bytes "
                        "for anything else, e.g. {example}",
                        example="'é'.encode('utf-8')",
                    ),
                    lang=self.lang,
                ) from None
        if not isinstance(data, bytes) or not data:
            raise refuse(
                Msg(
                    "data must be non-empty bytes (or str), e.g. {example}",
                    example="b'GET / HTTP/2.0\\r\\n\\r\\n'",
                ),
                lang=self.lang,
            )
        if to not in ENTRIES:
            raise unknown("server to=", to, ENTRIES, lang=self.lang)
        check_number("timeout", timeout, minimum=0.01, maximum=60)
        check_number("wait", wait, minimum=0.01, maximum=60)
        server = getattr(self, to)
        start = time.perf_counter()
        received = bytearray()
        error = None
        gave_up = None  # when nothing came for the whole wait
        # Kernel > Interrupt: one line, as lab.request says it, from the connect on (one that
        # came as sendall returned, before the read began, showed Python's traceback)
        try:
            with socket.create_connection((server.host, server.port), timeout=wait) as sock:
                peers.opened(sock)
                port = sock.getsockname()[1]
                sock.sendall(data)
                try:
                    while chunk := sock.recv(65536):
                        received += chunk
                        sock.settimeout(timeout)
                except TimeoutError:
                    if not received:
                        gave_up = time.perf_counter()
                    error = (
                        RAW_QUIET.bind(seconds=f"{timeout:g}")
                        if received
                        else RAW_SILENT.bind(seconds=f"{wait:g}")
                    ).render(self.lang)
                except ConnectionResetError:
                    error = RAW_RESET.render(self.lang)
        except KeyboardInterrupt:
            line = first_line(data).decode("latin-1")
            raise Interrupted(repr(line), self.lang) from None
        elapsed = time.perf_counter() - start
        # every server records what reached it, a head cut short too once the client closed
        # (above, leaving the `with`): 0.2 s for it under load left the client's lane alone
        self.recorder.wait_for(
            lambda: self.recorder.find_by_peer_port(port, start) is not None, timeout=1.0
        )
        rid = self.recorder.find_by_peer_port(port, start)
        if rid is None:
            rid = self.recorder.new_id()
        elif received:
            self._wait_for_story(rid, to)
        status, reason, headers, body = parse_response(bytes(received))
        line = first_line(data).decode("latin-1")  # where h11 ends it: bare LFs too
        first = line.split(" ")
        method = first[0] if first else ""
        target = first[1] if len(first) > 1 else ""
        if gave_up is not None and error is not None:
            # the client's part, as lab.request records one that gave up: the story (and the
            # inspector's heading) can then say after how long, as the client's words do
            client = (rid, "client", Role.CLIENT)
            self.recorder.add(Event(*client, Kind.SENT, start, line))
            self.recorder.add(
                Event(*client, Kind.RECEIVED, gave_up, error, timed_out=True, waited=wait)
            )
        ex = self._exchange(rid, method, target, to, status, reason, headers, body, error, elapsed)
        ex.raw_response = bytes(received)
        return ex

    def exchange(self, request_id: str, *, wait: float = 0.0) -> Exchange:
        """The recorded story of any request, e.g. one made with curl (its X-Request-ID).

        ``wait``: seconds to wait, at most, until every server that received the request
        has sent its answer (a client that gave up early leaves hops still working); the
        story as it stands after that, finished or not.
        """
        self._require_running()
        if not isinstance(request_id, str):
            raise unknown("request id", request_id, self.recorder.ids()[-5:])
        check_number("wait", wait, minimum=0, maximum=120)
        if wait:

            def finished() -> bool:
                hops = hops_of(self.recorder.events(request_id))
                servers = [h for h in hops if h.role is not Role.CLIENT]
                return bool(servers) and all(h.sent is not None for h in servers)

            self.recorder.wait_for(finished, wait)
        events = self.recorder.events(request_id)
        if not events:
            raise unknown("request id", request_id, self.recorder.ids()[-5:])
        hops = hops_of(events)
        first = next((h for h in hops if h.role is not Role.CLIENT), None)
        if first is None or first.received is None:
            raise LabNotRunning(
                Msg("request {id} has not reached a server yet", id=request_id).render(self.lang)
            )
        status, reason, headers, body = parse_response(first.bytes_out)
        words = first_line(first.bytes_in).decode("latin-1").split(" ")
        method, target = ([*words, "", ""])[:2]
        duration = first.duration or 0.0
        from labkit.exchange import Exchange  # with its renderers, on the first exchange

        return Exchange(
            request_id,
            method,
            target,
            first.name,
            status,
            reason,
            headers,
            body,
            hops,
            None,
            duration,
        )

    def last(self) -> Exchange:
        """The most recent request the lab saw (from any client)."""
        self._require_running()
        for rid in reversed(self.recorder.ids()):
            if any(e.role is not Role.CLIENT for e in self.recorder.events(rid)):
                return self.exchange(rid)
        raise LabNotRunning(Msg("no request has reached the lab yet").render(self.lang))

    def _wait_for_story(self, rid: str, entry: str, patience: float = 1.0) -> None:
        """The entry hop records its answer as it writes it; wait until it has.

        If no server saw the request at all (the client refused to send it), stop early;
        a lab stopped meanwhile sends no answer either.
        """
        start = time.monotonic()

        def answered() -> bool:
            events = self.recorder.events(rid)
            return not self.running or any(e.kind is Kind.SENT and e.hop == entry for e in events)

        def reached() -> bool:
            events = self.recorder.events(rid)
            return answered() or any(e.role is not Role.CLIENT for e in events)

        if self.recorder.wait_for(reached, min(SEEN_WITHIN, patience)):
            self.recorder.wait_for(answered, patience - (time.monotonic() - start))

    def _exchange(
        self,
        rid: str,
        method: str,
        target: str,
        entry: str,
        status: int | None,
        reason: str,
        headers: Headers,
        body: bytes,
        error: str | None,
        elapsed: float,
        told: bool = False,
    ) -> Exchange:
        """The exchange as recorded; ``told``: only up to the answer the client got
        (``recorder.until_answered``), where the entry hop's answer is what was awaited."""
        from labkit.exchange import Exchange  # with its renderers, on the first exchange

        events = self.recorder.events(rid)
        if told:
            events = _before_the_client_left(until_answered(events, entry), entry)

        return Exchange(
            rid,
            method,
            target,
            entry,
            status,
            reason,
            headers,
            body,
            hops_of(events),
            error,
            elapsed,
        )


def _before_the_client_left(events: list[Event], entry: str) -> list[Event]:
    """The story of a client that gave up: what the hops recorded until its timeout ran out,
    counted from the request's arrival at the entry hop. A hop's later events (the gateway's
    own read timeout, its 504 written after the client had gone) reached no client, and
    whether they were in the story depended on how soon the lab looked: the client's
    record waits on a loaded host (``_due_before``), and a 504 due 0.1 s after the client
    left was in the timeline 1 run in 6 beside two busy loops, never on an idle machine.
    A hop's timer never runs early, so what is due after the client's timeout is always
    left out; what came before it stays unless the machine delayed its record by the whole
    timeout."""
    gave_up = next(
        (e for e in events if e.role is Role.CLIENT and e.timed_out and e.waited is not None),
        None,
    )
    arrived = next((e for e in events if e.hop == entry and e.kind is Kind.RECEIVED), None)
    if gave_up is None or arrived is None or gave_up.waited is None:
        return events
    end = arrived.at + gave_up.waited
    return [e for e in events if e.role is Role.CLIENT or e.at <= end]


def _httpx() -> Any:
    import httpx

    return httpx


def http_client(*, timeout: float, limits: Any = None) -> httpx.Client:
    """An httpx client for the lab's own requests (plain http to 127.0.0.1): every connection
    it opens is noted for the owner check (``peers.opened``), which otherwise takes one its
    timeout closed before the lab's loop accepted it for another user's, and never records
    it.

    Noted through public seams only: a request hook (httpx's ``event_hooks``) gives each
    request httpcore's ``trace`` extension, which is told of each connection once connect()
    returned, before a byte is sent (``_note_connections``). httpx's transport takes no
    network backend, and this client replaced the transport's private ``_pool`` with an
    httpcore pool of its own to pass one, until December 2026."""
    import httpx

    transport = httpx.HTTPTransport(
        trust_env=False, verify=False, limits=httpx.Limits() if limits is None else limits
    )
    return httpx.Client(
        trust_env=False,
        timeout=timeout,
        transport=transport,
        event_hooks={"request": [_note_connections]},
    )


CONNECTED = "connection.connect_tcp.complete"  # httpcore's trace event: connect() returned


def _note_connections(request: httpx.Request) -> None:
    """Give ``request`` a ``trace`` extension that notes each connection opened for it
    (``peers.opened``), then passes every event on to a trace the request had already."""
    theirs = request.extensions.get("trace")

    def trace(event: str, info: dict[str, Any]) -> None:
        if event == CONNECTED:
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if isinstance(sock, socket.socket):
                peers.opened(sock)
        if theirs is not None:
            theirs(event, info)

    request.extensions["trace"] = trace


# compiled by re when lab.request first checks a request, not at import (0.08 ms of it)
TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"  # a method or header name, RFC 9110 5.6.2
FIELD_VALUE = r"[\t\x20-\x7e]*"  # visible ASCII, space and tab (RFC 9110 5.5)


def _check_path(path: object, lang: str | None = None) -> None:
    if not isinstance(path, str) or not path.startswith("/"):
        raise refuse(
            Msg("path must start with '/', like '/orders/7', not {given}", given=shown(path)),
            lang=lang,
        )
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in path):
        raise refuse(
            Msg(
                "path must not hold control characters such as \\r or \\n, not {given}; to "
                "send such bytes on purpose, use lab.raw(...)",
                given=shown(path),
            ),
            lang=lang,
        )


def _check_headers(headers: object, lang: str | None = None) -> None:
    """Headers that are HTTP at all; anything else is lab.raw()'s job.

    Framing headers (Content-Length, Transfer-Encoding) pass: httpx refuses the ones it
    cannot send, and lesson 02 shows that refusal in the exchange.
    """
    if headers is None:
        return
    example = "{'Accept': 'text/html'}"
    if not isinstance(headers, dict):
        raise refuse(
            Msg(
                "headers must be a dict of str to str, like {example}, not {given}",
                example=example,
                given=shown(headers),
            ),
            lang=lang,
        )
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise refuse(
                Msg(
                    "headers must be a dict of str to str, like {example}, not {given}",
                    example=example,
                    given=shown({name: value}),  # the item as written: no words to translate
                ),
                lang=lang,
            )
        if not re.fullmatch(TOKEN, name):
            raise refuse(
                Msg(
                    "header name {given} must be one word of letters, digits and {symbols} (a "
                    "token, RFC 9110 5.1), like 'X-Debug'",
                    given=shown(name),
                    symbols="!#$%&'*+-.^_`|~",
                ),
                lang=lang,
            )
        if not re.fullmatch(FIELD_VALUE, value):
            raise refuse(
                Msg(
                    "the value of {name} must be ASCII text without control characters (RFC "
                    "9110 5.5), not {given}; to send other bytes, use lab.raw(...)",
                    name=name,
                    given=shown(value),
                ),
                lang=lang,
            )


def check_lab(lab: object, name: str = "lab") -> Lab:
    """The entry check of every function that takes a lab: a running Lab, or one clear error."""
    if not isinstance(lab, Lab):
        raise refuse(
            Msg(
                "{name} must be a lab from labkit.start(), not {given}", name=name, given=shown(lab)
            )
        )
    lab._require_running()
    return lab


def start(
    *,
    host: str = "127.0.0.1",
    gateway: str = "rfc",
    allow_users: Iterable[str] = (),
    lang: str | None = None,
) -> Lab:
    """Start a lab: origin, gateway, portal and misbehaving upstreams on ``host``.

    Every server binds an ephemeral port on 127.0.0.1 unless you pass another host.
    ``gateway`` picks how the gateway answers upstream failures: "rfc" (default),
    "nginx", "haproxy", "envoy" or "caddy" (lesson 09). Several labs can run in one
    process; each stops with ``lab.stop()``.

    A lab answers only connections from your own user: another user's process gets a
    403. ``allow_users`` names users who may connect too (for example ``["www-data"]``
    for a real nginx in front of the lab); see ``labkit/http/peers.py``.

    ``lang`` is the learner's language, "en" (default) or "zh-CN" (also "zh"); without
    it, the LABKIT_LANG environment variable's. The lab's requests then ask for it with
    Accept-Language (unless yours set one), and its pages answer in it.
    """
    return Lab(host=host, gateway=gateway, allow_users=allow_users, lang=lang).start()


def newest_running() -> Lab | None:
    """The running lab started most recently in this process (None when none runs): the
    lab a notebook's exercises and widgets mean when they are not given one."""
    labs = [lab for lab in list(_running) if lab.running]
    return max(labs, key=lambda lab: lab._start_number, default=None)


def learner_language() -> str | None:
    """The language of the newest running lab, else of the lab started last in this process
    though stopped since, else None (no lab was started): what a notebook's exercises speak
    (``i18n.learner_language``). A Chinese lesson keeps its Chinese feedback after
    ``lab.stop()``, which turned it English (LABKIT_LANG, unset) until December 2026."""
    lab = newest_running()
    return lab.lang if lab is not None else _last_language


# -- the seams labkit's own modules use (switches.py, the judges' runner): not the learner's --


def on_lab_loop(lab: Lab, change: Callable[[], T]) -> T:
    """Run ``change`` on the lab's loop thread, where requests read what it changes, and
    return what it returns (``http.server.on_loop``; in the caller's thread while the lab is
    not started yet); a stopped lab refuses. ``labkit.switches`` applies, resets and restores
    every switch through it, its moment noted (``Recorder.switched``)."""
    lab._refuse_if_stopped()

    def noted() -> T:
        lab.recorder.switched()
        return change()

    return on_loop(lab._loop if lab.running else None, noted)


def first_personality(lab: Lab) -> str:
    """The gateway personality the lab was made with (``labkit.start(gateway=...)``), which
    ``lab.reset()`` puts back: the personality switch's default for this lab."""
    return lab._personality


def ready_to_ask(lab: Lab) -> None:
    """Do once, now, what the lab's first request in this process does besides asking: make
    its client (``Lab._http``: httpx and httpcore imported, a pool made) and import what an
    Exchange is drawn with. The judges' runner calls it before a learner's process is forked
    and its clock starts: a kernel's first check answered the learner's first ``lab.get``
    with these, 0.08 s of the kernel's CPU and 0.016 s of the learner's process's (which
    imported labkit.exchange to unpickle the answer), 1.0-2.6 s of the time limit at load
    12-19, where the next checks' took 0.005 s of CPU. Forked after it, the learner's
    process imports none of it either. Nothing is sent: the lab's record stays the
    learner's. A lab as a learner's process sees it (the runner's
    subclass, every use forwarded to the kernel: a check run from learner code) is left as
    it is."""
    if type(lab) is not Lab:
        return
    import labkit.exchange  # noqa: F401  (the process unpickles Exchanges: forked with it)

    try:
        lab._http()
    except LabNotRunning:  # stopped meanwhile: nothing to ask it
        pass


def running_labs() -> list[Lab]:
    """Every lab started in this process and not stopped since, in no order: the judges'
    runner forwards each one's use from the learner's process to the kernel."""
    return list(_running)


@atexit.register
def _stop_all_labs() -> None:
    for lab in list(_running):
        try:
            lab.stop()
        except Exception:
            pass
