"""The scenario catalogue: every status the lab teaches, each caused by its real reason.

One registry (compare Toxiproxy's toxics): a scenario is data, an id, its lesson,
its cause, the status it must produce, the switches it needs, and one request.
From that one description come both ``run(lab)`` (Python, over real sockets) and
the shell commands (``setup``, ``reproduce``, ``teardown``) that do the same with
curl or nc against ``labkit serve``. Adding a scenario is adding one entry.
"""

from __future__ import annotations

import dataclasses
import shlex
import threading
from dataclasses import dataclass, field
from typing import Any

from labkit import personalities
from labkit import switches as switch_table
from labkit.conditions import Condition
from labkit.errors import LabkitError, UnknownName, shown, unknown
from labkit.exchange import Exchange
from labkit.faults import FAULTS, HUGE_HEAD
from labkit.gateway import all_targets_down
from labkit.http.server import HEAD_TIMEOUT
from labkit.i18n import ENGLISH, Listed, Msg, Text, learner_language, render
from labkit.lab import (
    CLIENT_TIMEOUT,
    ORIGIN_TIMEOUTS,
    POOL_SIZE,
    SLOW_DELAY,
    UPSTREAM_TIMEOUTS,
    Lab,
)
from labkit.origin import (
    BUSY_PATH,
    HOLD_MAX,
    RATE_LIMIT,
    RATE_PATH,
    RATE_WINDOW,
    SHED_RETRY_AFTER,
)
from labkit.personalities import AnswerKind
from labkit.proxy import Timeouts
from labkit.switches import Setting

SLOW_ORIGIN = 0.6  # seconds /slow takes in 504-slow-origin: longer than SHORT_READ
SHORT_READ = 0.3  # the read timeout 504-slow-origin gives the origin's route
# the head timeout 408-slow-client gives the origin: a request must arrive within it
SHORT_HEAD = 0.3
# how long 408-slow-client's client stays silent: far longer than SHORT_HEAD, so the 408
# comes first however slow the machine
STALL = 2.0
# the max-age 503-served-from-cache's maintenance 503 asks for: the caching trap's mistake
CACHE_TRAP_MAX_AGE = 60
MAINTENANCE_RETRY_AFTER = 120  # seconds: the Retry-After of 503-maintenance

LESSONS = ("500", "501", "502", "503", "504", "505", "511")

# why a scenario's page is English in a lab of another language: a server refuses a head that
# never ended before it reads any field of it, so no Accept-Language chooses (docs/i18n.md)
ENGLISH_PAGE = Msg(
    "Its page is in English whatever the lab's language: the request's head never ended, "
    "and a server chooses no language from a head cut short"
)

# -- switches: settings of the lab's switch table (labkit/switches.py), which also gives
# each one's `labkit ctl` words, so that Python and the shell cannot disagree --

Switch = Setting  # a scenario's switch: a setting of one switch, and how to undo it


def maintenance(
    retry_after: int | None = 120, *, retry_in: int | None = None, cache_max_age: int | None = None
) -> Switch:
    args: dict[str, Any] = {"on": True}
    if retry_in is not None:
        args["retry_in"] = retry_in
    else:
        args["retry_after"] = retry_after
    if cache_max_age is not None:
        args["cache_max_age"] = cache_max_age
    return Switch("maintenance", args)


def capacity(n: int) -> Switch:
    return Switch("capacity", {"value": n})


DEBUG = Switch("debug", {"on": True})
LOGIN = Switch("portal", {"action": "login"})
LOGOUT = Switch("portal", {"action": "logout"})


def read_timeout(route: str, seconds: float, default: float) -> Switch:
    return Switch("timeout", {"route": route, "read": seconds}, {"route": route, "read": default})


def timeouts_of(route: str, timeouts: Timeouts) -> Switch:
    """A route's connect and read timeouts as a fresh lab has them: named by a scenario that
    relies on them (504-slow on its route's 0.3 s read timeout), so that a learner's earlier
    setting (05's q2 makes the route wait 1 s) cannot turn its 504 into a 200."""
    args = {"route": route, "connect": timeouts.connect, "read": timeouts.read}
    return Switch("timeout", args, args)


def slow_delay(seconds: float) -> Switch:
    return Switch("delay", {"seconds": seconds})


def head_timeout(server: str, seconds: float) -> Switch:
    return Switch(
        "head-timeout",
        {"server": server, "seconds": seconds},
        {"server": server, "seconds": HEAD_TIMEOUT},
    )


HOLD = Switch("hold", {"on": True})  # undone: off, which releases the held requests
MAINTENANCE_OFF = Switch("maintenance", {"on": False})
PURGE = Switch("cache", {"action": "purge"})

# -- requests --


@dataclass(frozen=True)
class Call:
    """An HTTP request sent with httpx (Python) or curl (shell)."""

    method: str
    path: str
    via: str = "gateway"
    headers: tuple[tuple[str, str], ...] = ()
    body: str | None = None
    timeout: float = CLIENT_TIMEOUT  # the client's own timeout (httpx), seconds

    def send(self, lab: Lab) -> Exchange:
        return lab.request(
            self.method,
            self.path,
            via=self.via,
            headers=dict(self.headers),
            body=self.body,
            timeout=self.timeout,
        )

    def curl(self, quiet: bool = False) -> str:
        words = ["curl", "-sS", "--max-time", "10", "-o", "/dev/null"]
        if not quiet:
            words += ["-D", "-"]
        if self.method == "HEAD":
            words.append("-I")
        elif self.method != "GET" or self.body is not None:
            words += ["-X", self.method]
        for k, v in self.headers:
            words += ["-H", f"{k}: {v}"]
        if self.body is not None:
            words += ["--data-binary", self.body]
        return " ".join(shlex.quote(w) for w in words) + f' "${self.via.upper()}{self.path}"'


@dataclass(frozen=True)
class Raw:
    """Bytes sent as they are (Python: a socket; shell: printf | nc)."""

    data: bytes
    to: str = "origin"
    # seconds the shell's client then keeps its side open, sending nothing more (a stalled
    # request): nc would otherwise end the request at once by closing its side. lab.raw never
    # closes its side; it waits for the answer as long as lab.request does (its own wait), so
    # a server's late answer on a busy machine is still the one the scenario shows.
    stall: float = 0.0

    def send(self, lab: Lab) -> Exchange:
        return lab.raw(self.sent_in(lab.lang), to=self.to)

    @property
    def whole_head(self) -> bool:
        """Whether its head ends (the empty line): a server chooses no language from a head cut
        short, so one that stops (408-slow-client) gets the English page in every language."""
        return b"\r\n\r\n" in self.data

    def sent_in(self, lang: str) -> bytes:
        """The bytes sent in a lab speaking ``lang``. In a language other than English a whole
        head asks for it, ``Accept-Language: zh-CN`` after its Host line, as ``lab.request``
        and the playground's raw buttons ask: the 501, 505 and 400 pages of the raw scenarios
        were English in a Chinese lab until December 2026. English, and a head that never
        ends, are sent as written: that header would change no page there, and 408-slow-client
        is a request line and one header. The shell form (``shell``) sends none, as curl does."""
        if lang == ENGLISH or not self.whole_head:
            return self.data
        head, _, rest = self.data.partition(b"\r\n")
        if rest.lower().startswith(b"host:"):
            host, _, rest = rest.partition(b"\r\n")
            head += b"\r\n" + host
        return head + b"\r\nAccept-Language: " + lang.encode("ascii") + b"\r\n" + rest

    def shell(self) -> str:
        text = self.data.decode("latin-1").replace("\\", "\\\\").replace("%", "%%")
        text = text.replace("\r", "\\r").replace("\n", "\\n").replace("'", "'\\''")
        send = f"printf '{text}'"
        if self.stall:
            send = f"{{ {send}; sleep {self.stall:g}; }}"
        return f"{send} | nc -N 127.0.0.1 \"${self.to.upper()}_PORT\" | sed '/^\\r\\{{0,1\\}}$/q'"


@dataclass(frozen=True)
class Scenario:
    id: str
    lesson: str
    status: int
    made_by: str  # the hop that makes the status: "origin", "gateway", "portal", "upstream 'x'"
    # in the lesson's words: a Msg (the playground shows it in the lab's language; str() is
    # the English that `labkit scenarios --json`, scripts and the English lessons read)
    title: Text
    cause: Text
    request: Call | Raw
    switches: tuple[Switch, ...] = ()
    prime: tuple[Call, ...] = ()  # requests sent first (after the switches), e.g. to fill a cache
    after_prime: tuple[Switch, ...] = ()  # switches set after the priming requests
    busy: int = 0  # slow requests kept in flight at the origin during the request
    upstream: str | None = None  # the misbehaving upstream a gateway scenario exercises
    condition: Condition | None = None  # the upstream condition, when not the upstream's own
    teardown_extra: tuple[Switch, ...] = field(default=())

    def title_in(self, lang: str) -> str:
        """Its title in ``lang`` (``lab.lang`` in a lesson: ``s.title`` is the English)."""
        return render(self.title, lang)

    def cause_in(self, lang: str) -> str:
        """Its cause in ``lang``; in a language other than English, for a request whose head
        never ends, also why its page is English (``Raw.sent_in``): the playground and
        `labkit run` say so beside the cause."""
        if lang != ENGLISH and isinstance(self.request, Raw) and not self.request.whole_head:
            return Msg("{cause}. {why}", cause=self.cause, why=ENGLISH_PAGE).render(lang)
        return render(self.cause, lang)

    @property
    def upstream_condition(self) -> Condition | None:
        if self.condition is not None:
            return self.condition
        return FAULTS[self.upstream].condition if self.upstream else None

    def expected(self, personality: str = "rfc") -> int | None:
        """The status this scenario gives with a gateway personality (None: no status line)."""
        cond = self.upstream_condition
        if cond is None or personality == "rfc":
            return self.status
        answer = personalities.get(personality).answer(cond)
        return self.status if answer.kind is AnswerKind.CUT else answer.status

    def run(self, lab: Lab) -> Exchange:
        """Set the lab up, cause the status, put the lab back, return what happened."""
        from labkit.lab import check_lab

        check_lab(lab)
        # the learner's own values of what it changes, put back after (a judge does the same):
        # a scenario that sets the slow upstream's delay leaves 05's q2 set-up as it was
        before = switch_table.save(lab, sorted({s.name for s in self._touched}))
        done: list[Switch] = []
        holders: list[threading.Thread] = []
        try:
            for s in self.switches:
                s.apply(lab)
                done.append(s)
            for call in self.prime:
                call.send(lab)
            for s in self.after_prime:
                s.apply(lab)
                done.append(s)
            if self.busy:
                holders = hold_busy(lab, self.busy)
            return self.send(lab)
        finally:
            if holders:
                HOLD.undo(lab)  # the held requests go on
            for s in reversed(done):
                s.undo(lab)
            for s in self.teardown_extra:
                s.apply(lab)
            for t in holders:
                t.join(timeout=5)
            switch_table.restore(lab, before)

    @property
    def _touched(self) -> tuple[Switch, ...]:
        return self.switches + self.after_prime + self.teardown_extra

    def send(self, lab: Lab, via: str | None = None) -> Exchange:
        """Send the scenario's request (to ``via`` instead of its own hop, if given), its
        client waiting as long as the gateway's personality calls for (``client_wait``)."""
        return self._request(lab, via).send(lab)

    def _request(self, lab: Lab, via: str | None) -> Call | Raw:
        request = self.request
        if isinstance(request, Call):
            if via is not None:
                request = dataclasses.replace(request, via=via)
            if request.via == "gateway" and self.upstream_condition is not None:
                wait = client_wait(lab.gateway.personality, self.upstream_condition)
                request = dataclasses.replace(request, timeout=min(request.timeout, wait))
        return request

    # -- the shell form --

    @property
    def setup(self) -> list[str]:
        cmds = [_ctl(s.cli) for s in self.switches]
        cmds += [c.curl(quiet=True) for c in self.prime]
        cmds += [_ctl(s.cli) for s in self.after_prime]
        if self.busy:
            cmds.append(_ctl(HOLD.cli))
            for _ in range(self.busy):
                cmds.append(BUSY_CALL.curl(quiet=True) + " &")
            cmds.append(_ctl(f"wait-busy {self.busy}"))
        return cmds

    @property
    def reproduce(self) -> str:
        if isinstance(self.request, Raw):
            return self.request.shell()
        cmd = self.request.curl()
        return cmd + " || true" if self.status_may_fail_curl else cmd

    @property
    def status_may_fail_curl(self) -> bool:
        return self.upstream == "body-cut"

    @property
    def teardown(self) -> list[str]:
        cmds = [_ctl(HOLD.undo_cli)] if self.busy else []  # the held requests go on
        cmds += [_ctl(s.undo_cli) for s in reversed(self.switches + self.after_prime)]
        cmds += [_ctl(s.cli) for s in self.teardown_extra]
        cmds = [c for i, c in enumerate(cmds) if i == 0 or c != cmds[i - 1]]
        if self.busy:
            cmds.append("wait")
        return cmds

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "lesson": self.lesson,
            "status": self.status,
            "made_by": self.made_by,
            "title": str(self.title),
            "cause": str(self.cause),
            "upstream": self.upstream,
            "setup": self.setup,
            "reproduce": self.reproduce,
            "teardown": self.teardown,
        }

    def __repr__(self) -> str:
        return f"<Scenario {self.id}: {self.status}, {self.title}>"


# a request that keeps the origin busy while the hold switch is on (until it is turned off);
# its client waits as long as the origin may hold it
BUSY_CALL = Call("GET", BUSY_PATH, via="origin", timeout=HOLD_MAX + 5)
BUSY_WITHIN = 3.0  # seconds for the held requests to reach the origin


def _ctl(words: str) -> str:
    return f'labkit ctl --lab "$GATEWAY" {words}'


def hold_busy(lab: Lab, n: int) -> list[threading.Thread]:
    """Keep n held requests (BUSY_CALL) in flight at the origin, and wait until it counts them.

    It turns the hold switch on; the requests stay in flight until it is turned off (the
    scenario's teardown, ``lab.reset()``) or HOLD_MAX passes, so the request sent meanwhile
    meets a busy origin however slow the machine. A scenario with ``busy`` uses it to fill the
    origin before its request; the capstone to keep an incident's origin busy while the learner
    investigates. The caller releases the hold, then joins the threads."""
    HOLD.apply(lab)
    threads = [threading.Thread(target=BUSY_CALL.send, args=(lab,), daemon=True) for _ in range(n)]
    for t in threads:
        t.start()
    if not lab.recorder.wait_for(lambda: lab.origin.in_flight >= n, BUSY_WITHIN):
        held = lab.origin.in_flight
        HOLD.undo(lab)
        for t in threads:
            t.join(timeout=5)
        raise LabkitError(
            Msg(
                "the origin had {held} of the {count} held requests in flight after {seconds} s, "
                "so the scenario's request would not meet a busy origin; is the machine "
                "overloaded?",
                held=held,
                count=n,
                seconds=f"{BUSY_WITHIN:g}",
            ).render(lab.lang)
        )
    return threads


# how long a client waits where the gateway passes an upstream's garbage on as HTTP/0.9
# and keeps the connection open (nginx): nothing more will come (see client_wait)
FAULT_CLIENT_TIMEOUT = 1.0


def client_wait(personality: str, condition: Condition | None) -> float:
    """How long a client waits for a gateway's answer to an upstream ``condition``.

    As long as ``lab.get`` (CLIENT_TIMEOUT): the gateway's own 502 or 504 comes once its
    timeouts end, which on a busy hub (or with a timeout the learner lengthened) is over a
    second, and a client that gave up first would show no status line where the lesson's
    status was on its way. Only where the personality passes the upstream's garbage on as
    HTTP/0.9 does the client give up after FAULT_CLIENT_TIMEOUT: that connection stays
    open and nothing more comes (nginx)."""
    answer = personalities.get(personality).answer(condition) if condition is not None else None
    if answer is not None and answer.kind is AnswerKind.HTTP09:
        return FAULT_CLIENT_TIMEOUT
    return CLIENT_TIMEOUT


def _fault(
    name: str,
    status: int,
    title: Msg,
    cause: Msg,
    made_by: str = "gateway",
    relies_on: tuple[Switch, ...] = (),
) -> Scenario:
    """The scenario of upstream ``name``'s fault; ``relies_on``: the settings of a fresh lab
    its status needs (its route's timeouts, the upstream's delay), set for its run."""
    call = Call("GET", f"/up/{name}/")
    return Scenario(
        f"{status}-{name}",
        str(status),
        status,
        made_by,
        title,
        cause,
        call,
        switches=relies_on,
        upstream=name,
    )


def _catalogue() -> list[Scenario]:
    order7 = Call("GET", "/orders/7")
    quote = Call("GET", RATE_PATH, headers=(("X-Api-Key", "scenario-429"),))
    return [
        # 500
        Scenario("500-handler-bug", "500", 500, "origin", Msg("A handler bug raises"),
                 Msg("GET /orders/abc: the handler calls int('abc'), which raises ValueError; the "
                     "client gets a generic page, the traceback goes to the server log"),
                 Call("GET", "/orders/abc")),
        Scenario("500-missing-data", "500", 500, "origin", Msg("Data the code did not expect"),
                 Msg("order 13 has no customer; the handler reads order['customer']['name'] and "
                     "raises TypeError"),
                 Call("GET", "/orders/13")),
        Scenario("500-debug-leak", "500", 500, "origin", Msg("Debug mode leaks the traceback"),
                 Msg("with the debug switch on, the 500 page shows the traceback: file paths, code "
                     "and values an attacker should never see"),
                 Call("GET", "/orders/abc"), switches=(DEBUG,)),
        Scenario("500-direct-to-origin", "500", 500, "origin", Msg("The same bug, without a gateway"),
                 Msg("the origin's 500 seen directly: the same status and page; through the "
                     "gateway it only gains Via and Proxy-Status"),
                 Call("GET", "/orders/abc", via="origin")),
        # 501 and 405
        Scenario("501-unknown-method", "501", 501, "origin", Msg("A method nobody implements"),
                 Msg("BREW is not a method this server recognises on any resource (RFC 9110 9.1)"),
                 Call("BREW", "/orders/7")),
        Scenario("405-delete-read-only", "501", 405, "origin", Msg("A known method, not allowed here"),
                 Msg("DELETE is a method the server knows, but /orders/7 is read-only: 405 with an "
                     "Allow header (RFC 9110 15.5.6)"),
                 Call("DELETE", "/orders/7")),
        Scenario("204-options-allow", "501", 204, "origin", Msg("OPTIONS says what is allowed"),
                 Msg("OPTIONS /orders/7 answers 204 with Allow: GET, HEAD, OPTIONS"),
                 Call("OPTIONS", "/orders/7")),
        Scenario("501-transfer-coding", "501", 501, "origin", Msg("A transfer coding not implemented"),
                 Msg("Transfer-Encoding: gzip, chunked: chunked is last (so framing is clear), but "
                     "the server does not implement gzip as a transfer coding (RFC 9112 6.1)"),
                 Raw(b"POST /orders HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding: gzip, chunked\r\n"
                     b"Connection: close\r\n\r\n0\r\n\r\n")),
        Scenario("400-chunked-not-final", "501", 400, "origin", Msg("chunked must be the last coding"),
                 Msg("Transfer-Encoding: chunked, gzip: the body's end cannot be found, so the "
                     "server MUST answer 400 and close (RFC 9112 6.3)"),
                 Raw(b"POST /orders HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding: chunked, gzip\r\n"
                     b"Connection: close\r\n\r\n0\r\n\r\n")),
        # 502
        _fault("garbage", 502, Msg("Upstream answers with garbage"),
               Msg("the upstream sends bytes that are not HTTP; the lab's gateway does not relay them")),
        _fault("close", 502, Msg("Upstream closes without answering"),
               Msg("the upstream reads the request and closes the connection without a response")),
        _fault("reset", 502, Msg("Upstream resets the connection"),
               Msg("the upstream resets the connection (RST) before any response")),
        _fault("truncated-headers", 502, Msg("Upstream's headers are cut off"),
               Msg("the upstream closes in the middle of its response headers")),
        _fault("bad-status-line", 502, Msg("Upstream sends a bad status line"),
               Msg("'HTTP/1.1 2OO OK' with the letter O: not a status code")),
        _fault("no-colon", 502, Msg("Upstream sends a header without a colon"),
               Msg("a header line that is not 'name: value' makes the whole response invalid")),
        _fault("huge-headers", 502, Msg("Upstream's headers are too big"),
               Msg("a {head}-byte response head overflows the gateway's {limit}-byte buffer",
                   head=f"{len(HUGE_HEAD):,}", limit=f"{personalities.RFC.max_response_head:,}")),
        _fault("bad-content-length", 502, Msg("Upstream sends an invalid Content-Length"),
               Msg("'Content-Length: abc': the gateway cannot tell where the body ends (RFC 9112 6.3)")),
        _fault("bad-transfer-encoding", 502, Msg("Upstream uses an unknown transfer coding"),
               Msg("'Transfer-Encoding: foo': a coding the gateway cannot decode (by its framing "
                   "alone the body would run to the close, RFC 9112 6.3)")),
        _fault("refused", 502, Msg("Nothing listens at the upstream"),
               Msg("connecting to the upstream is refused: no process listens on its port")),
        Scenario("500-relayed-not-502", "502", 500, "origin", Msg("A 500 relayed is not a 502"),
                 Msg("the origin answered 500 validly; the gateway relays it unchanged: the gateway "
                     "itself worked"),
                 Call("GET", "/orders/abc")),
        Scenario("200-body-cut-after-headers", "502", 200, "upstream 'body-cut'",
                 Msg("Too late for a 502: the body breaks off"),
                 Msg("the upstream sends 200 and Content-Length: 100, then 10 bytes and closes; the "
                     "status line has already been relayed, so the client sees 200 and an "
                     "incomplete body (RFC 9112 8)"),
                 Call("GET", "/up/body-cut/"), upstream="body-cut"),
        Scenario("200-kept-connection-closed-get-sent-again", "502", 200, "upstream 'idle-close'",
                 Msg("No 502: a GET meets a kept connection closing and is sent again"),
                 Msg("the gateway kept its connection to the upstream after the first GET; the "
                     "upstream closes it without a word as the second arrives, and the gateway sends "
                     "that GET again on a new connection, as RFC 9110 9.2.2 allows for idempotent "
                     "methods (never for a POST)"),
                 Call("GET", "/up/idle-close/"), prime=(Call("GET", "/up/idle-close/"),),
                 upstream="idle-close"),
        # 503
        Scenario("503-maintenance", "503", 503, "origin", Msg("Maintenance with Retry-After"),
                 Msg("the origin is in maintenance: 503 with Retry-After: {seconds} (seconds) "
                     "and Cache-Control: no-store", seconds=MAINTENANCE_RETRY_AFTER),
                 order7, switches=(maintenance(MAINTENANCE_RETRY_AFTER),)),
        Scenario("503-maintenance-http-date", "503", 503, "origin",
                 Msg("Maintenance with Retry-After as a date"),
                 Msg("Retry-After can also be an HTTP-date: come back at this time (RFC 9110 10.2.3)"),
                 order7, switches=(maintenance(None, retry_in=300),)),
        Scenario("503-load-shedding", "503", 503, "origin", Msg("Load shedding at capacity"),
                 Msg("the origin has capacity for 1 request in flight and one request it holds "
                     "(GET {path}, the hold switch on) takes it: the next is shed with 503 and "
                     "Retry-After: {retry}", path=BUSY_PATH, retry=SHED_RETRY_AFTER),
                 Call("GET", "/orders/7", via="origin"), switches=(capacity(1),), busy=1),
        Scenario("429-rate-limited", "503", 429, "origin", Msg("Too many requests from one client"),
                 Msg("the quote API allows {limit} requests in {window} s for each API key; "
                     "one more with the same key gets 429 with Retry-After (RFC 6585 4), while "
                     "other clients are served: the server is fine, this client is too fast",
                     limit=RATE_LIMIT, window=f"{RATE_WINDOW:g}"),
                 quote, switches=(Switch("rate-limit", {"requests": RATE_LIMIT}),),
                 prime=(quote,) * RATE_LIMIT),
        Scenario("503-no-healthy-upstream", "503", 503, "gateway", Msg("No healthy upstream in the pool"),
                 Msg("{observed}, so the gateway tries none and answers 503 at once",
                     observed=all_targets_down(POOL_SIZE, "pool")),
                 Call("GET", "/pool/"), condition=Condition.NO_HEALTHY_UPSTREAM),
        Scenario("503-served-from-cache", "503", 503, "gateway", Msg("The caching trap"),
                 Msg("during maintenance the origin sent its 503 with max-age={age} instead of "
                     "no-store; the gateway cached it and keeps serving it after the origin is "
                     "back", age=CACHE_TRAP_MAX_AGE),
                 order7, switches=(maintenance(30, cache_max_age=CACHE_TRAP_MAX_AGE),),
                 prime=(order7,),
                 after_prime=(MAINTENANCE_OFF,), teardown_extra=(PURGE,)),
        # 504
        _fault("slow", 504, Msg("Upstream slower than the read timeout"),
               Msg("the upstream takes {delay} s to answer; the gateway's read timeout is "
                   "{read} s", delay=f"{SLOW_DELAY:g}", read=f"{UPSTREAM_TIMEOUTS.read:g}"),
               relies_on=(slow_delay(SLOW_DELAY), timeouts_of("/up/slow/", UPSTREAM_TIMEOUTS))),
        _fault("blackhole", 504, Msg("Upstream never accepts the connection"),
               Msg("the upstream's accept queue is full, so connecting hangs until the "
                   "gateway's connect timeout ({connect} s)",
                   connect=f"{UPSTREAM_TIMEOUTS.connect:g}"),
               relies_on=(timeouts_of("/up/blackhole/", UPSTREAM_TIMEOUTS),)),
        Scenario("504-slow-origin", "504", 504, "gateway", Msg("The origin is slower than the gateway waits"),
                 Msg("GET /slow?delay={delay} takes {delay} s; the route's read timeout is "
                     "set to {read} s", delay=f"{SLOW_ORIGIN:g}", read=f"{SHORT_READ:g}"),
                 Call("GET", f"/slow?delay={SLOW_ORIGIN:g}"),
                 switches=(read_timeout("/", SHORT_READ, ORIGIN_TIMEOUTS.read),)),
        Scenario("408-slow-client", "504", 408, "origin", Msg("The client is slower than the server waits"),
                 Msg("the client sends a request line and one header, then nothing: the "
                     "origin's head timeout, set to {head} s, passes and it answers 408 and "
                     "closes (RFC 9110 15.5.9); the mirror image of a 504, where the gateway "
                     "waits for the server", head=f"{SHORT_HEAD:g}"),
                 Raw(b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\n", stall=STALL),
                 switches=(head_timeout("origin", SHORT_HEAD),)),
        # 505 and 426
        Scenario("505-http2-request-line", "505", 505, "origin", Msg("HTTP/2.0 in a text request line"),
                 Msg("'GET /orders/7 HTTP/2.0' is not how HTTP/2 starts; the server answers 505 and says "
                     "which versions it speaks"),
                 Raw(b"GET /orders/7 HTTP/2.0\r\nHost: lab\r\n\r\n")),
        Scenario("505-http3-request-line", "505", 505, "origin", Msg("HTTP/3.0 in a text request line"),
                 Msg("HTTP/3 runs over QUIC; a text request line cannot ask for it"),
                 Raw(b"GET /orders/7 HTTP/3.0\r\nHost: lab\r\n\r\n")),
        Scenario("200-http-1.2-served-as-1.1", "505", 200, "origin", Msg("HTTP/1.2 is served as 1.1"),
                 Msg("a higher minor version of HTTP/1 is served with the highest the server "
                     "supports (RFC 9110 6.2): no 505"),
                 Raw(b"GET /orders/7 HTTP/1.2\r\nHost: lab\r\nConnection: close\r\n\r\n")),
        Scenario("400-lowercase-version", "505", 400, "origin", Msg("http/1.1 in lower case"),
                 Msg("the protocol name is case-sensitive: 'http/1.1' is a malformed request line, "
                     "400, not 505"),
                 Raw(b"GET /orders/7 http/1.1\r\nHost: lab\r\n\r\n")),
        Scenario("400-https-version", "505", 400, "origin", Msg("HTTPS/1.1 is not a version"),
                 Msg("'HTTPS/1.1' is not a protocol name: 400 (TLS is not asked for in the request "
                     "line)"),
                 Raw(b"GET /orders/7 HTTPS/1.1\r\nHost: lab\r\n\r\n")),
        Scenario("426-upgrade-required", "505", 426, "origin", Msg("This resource needs another protocol"),
                 Msg("/chat speaks WebSocket only: 426 with Upgrade: websocket and Connection: upgrade "
                     "(asked of the origin: the lab's gateway drops both as hop-by-hop headers, "
                     "RFC 9110 7.6.1; nginx keeps Upgrade, HAProxy both, lesson 06)"),
                 Call("GET", "/chat", via="origin")),
        # 511
        Scenario("511-portal-intercepts", "511", 511, "portal", Msg("The network wants you to log in"),
                 Msg("before login the captive portal answers every request itself with 511 and a "
                     "link to its login page; the site never sees the request"),
                 Call("GET", "/orders/7", via="portal"), switches=(LOGOUT,)),
        Scenario("511-connectivity-check", "511", 511, "portal", Msg("The connectivity check fails"),
                 Msg("Android and Chrome request /generate_204 to test the network (Apple and "
                     "Windows ask other URLs for a 200, lesson 07): 511 instead of 204 tells them the "
                     "network is not open; Chrome takes a 511 as a portal, Android only a 200-399 "
                     "answer (real portals redirect the check to their login page)"),
                 Call("GET", "/generate_204", via="portal"), switches=(LOGOUT,)),
        Scenario("204-connectivity-check-after-login", "511", 204, "portal",
                 Msg("After login the check passes"),
                 Msg("once logged in, /generate_204 answers 204 No Content: the device is online. On a "
                     "real network the 204 comes from the vendor's check server on the internet, "
                     "which the portal now lets through; the lab's portal plays that server"),
                 Call("GET", "/generate_204", via="portal"), switches=(LOGIN,)),
        Scenario("200-after-login", "511", 200, "origin", Msg("After login requests pass through"),
                 Msg("logged in, the portal forwards to the gateway, which forwards to the origin"),
                 Call("GET", "/orders/7", via="portal"), switches=(LOGIN,)),
    ]  # fmt: skip


SCENARIOS: dict[str, Scenario] = {s.id: s for s in _catalogue()}


def get(scenario_id: str) -> Scenario:
    if not isinstance(scenario_id, str) or scenario_id not in SCENARIOS:
        raise unknown_scenario(scenario_id)
    return SCENARIOS[scenario_id]


LISTED_BY = "labkit scenarios"  # the command that lists every scenario


def unknown_scenario(typed: object, lang: str | None = None) -> UnknownName:
    """No scenario ``typed``, said in one line in ``lang`` (default: the learner's), from
    Python (``get``) as from `labkit run`: the nearest id, or the ids it is part of, and
    the command that lists them all. ``get("nope")`` listed all forty ids in one line.

    Digits short of a status (`labkit run 50`, ``get(50)``) are part of nearly every id:
    they are answered with what an id is and the statuses that start with them (500 to
    505), where `labkit run 50` listed 27 ids."""
    word = str(typed) if isinstance(typed, int) and not isinstance(typed, bool) else typed
    if isinstance(word, str) and word.isascii() and word.isdigit() and len(word) < 3:
        statuses = sorted({sid.split("-", 1)[0] for sid in SCENARIOS if sid.startswith(word)})
        example = next(sid for sid in SCENARIOS if sid.startswith(statuses[0])) if statuses else ""
        message = (
            Msg(
                "unknown scenario {name}: an id is a status and a name, such as {example}; "
                "the statuses that start with {digits}: {statuses} (`{command}` lists them all)",
                statuses=Listed(statuses),
                example=example,
            )
            if statuses
            else Msg(
                "unknown scenario {name}: an id is a status and a name, such as {example}; "
                "no status starts with {digits} (`{command}` lists them all)",
                example=next(iter(SCENARIOS)),  # the catalogue's first: never one it lacks
            )
        )
        bound = message.bind(name=shown(typed), digits=word, command=LISTED_BY)
        return UnknownName(bound.render(lang or learner_language()))
    return unknown("scenario", typed, SCENARIOS, lang=lang, listed_by=LISTED_BY)


def for_lesson(lesson: str) -> list[Scenario]:
    if not isinstance(lesson, str) or lesson not in LESSONS:
        raise unknown("lesson", lesson, LESSONS)
    return [s for s in SCENARIOS.values() if s.lesson == lesson]


def run(scenario_id: str, lab: Lab) -> Exchange:
    """Run one scenario by id on a lab and return the exchange it caused."""
    return get(scenario_id).run(lab)
