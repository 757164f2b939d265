"""Every hop appends what it received, sent and why; an Exchange is one request's story.

The id (``X-Request-ID``) is given at the first hop: the lab's own client, or the first
server a request from curl or a browser reaches. It stays short and readable
(``req-0007``), because learners copy it from curl. Between hops it travels with a tag
only this lab can make (a MAC, keyed BLAKE2b with a per-lab secret:
``req-0007.1f2e3d4c5b6a``), and a hop continues only an id whose tag it recognises.
Any other ``X-Request-ID`` (one a client made up, or one it saw in an earlier response)
is recorded as the client's and the request gets a new id, so a client cannot merge its
request into another's story.

Memory is bounded twice: the last MAX_EXCHANGES requests, and MAX_TOTAL_BYTES of
recorded bytes in all (each event keeps at most MAX_RECORDED_BYTES and says how many
bytes it did not keep).

Events are typed: a role and a kind from small enums, and the facts a view needs as
fields (the request line received, the status sent and whether the body was cut, each
upstream attempt's target, condition and timeouts). ``summary`` is the sentence a
learner reads; no code parses it back. Callers that wait for something to be recorded
(``wait_for``) are woken by each new event instead of polling.
"""

# Annotations are evaluated here, not kept as strings (PEP 563): typing.NamedTuple makes each
# string annotation of Event a ForwardRef, which compiles it; evaluated, they are only checked.
# Event's class took 250 us to build with strings, 125 us without. The one annotation naming
# a class not yet defined is quoted.
import itertools
import os
import threading
import time

# What hashlib.blake2b and hmac.compare_digest are, taken from the C modules that define them:
# `import hashlib` (and hmac, which imports it) first sets up every OpenSSL digest, 1.5-2 ms
# of a lab process's start (about 2% of it, spawn to first answer) for two functions.
from _operator import _compare_digest as compare_digest

try:
    from _blake2 import blake2b
except ImportError:  # a CPython built without its own blake2 (hashlib then wraps OpenSSL's)
    from hashlib import blake2b
from collections import OrderedDict
from collections.abc import Callable
from enum import Enum
from typing import Any, NamedTuple

from labkit.conditions import Condition
from labkit.record import FrozenRecord, Record, frozen

MAX_EXCHANGES = 500
MAX_RECORDED_BYTES = 64 * 1024  # per event
MAX_TOTAL_BYTES = 16 * 1024 * 1024  # all events of all kept exchanges
TAG_HEX = 12  # hex digits of the tag that marks an id as this lab's own


class _Word(str, Enum):
    """A str-valued enum that prints as its value on every Python (3.11 changed format())."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


class Role(_Word):
    """What part a hop plays: the path a request takes is client, portal, gateway, origin."""

    CLIENT = "client"
    PORTAL = "portal"
    GATEWAY = "gateway"
    ORIGIN = "origin"
    UPSTREAM = "upstream"  # one of the misbehaving upstreams
    SERVER = "server"  # a server with no part in the path (the base class's)
    CONTROL = "control"
    BOARD = "board"


class Kind(_Word):
    """What an event tells."""

    RECEIVED = "received"  # a request arrived (on the client: its answer arrived)
    SENT = "sent"  # a response went out (on the client: its request went out)
    UPSTREAM = "upstream"  # a proxy's attempt to reach an upstream: an ``Attempt``
    CACHE = "cache"  # the gateway answered from its cache; no upstream was asked
    LOG = "log"  # a line of a server's log (a traceback, a foreign X-Request-ID)


class Step(_Word):
    """Where a proxy's attempt to reach an upstream stands."""

    FORWARDED = "forwarded"  # the request went out on a connection
    ANSWERED = "answered"  # the upstream's response head arrived
    FAILED = "failed"  # connecting or the exchange failed: ``condition`` says how
    RETRY = "retry"  # a kept-alive connection closed unused: sent again on a new one
    NO_RETRY = "no-retry"  # the same, but the method is not idempotent: not sent again
    NOT_TRIED = "not-tried"  # no healthy target: nothing was sent


class Ending(_Word):
    """How a hop ended a connection, where its story tells it (TCP's words)."""

    FIN = "FIN"  # closed normally: what was sent before is all there is
    RST = "RST"  # reset: bytes still in flight are thrown away


class Attempt(FrozenRecord):
    """One step of a proxy's attempt to reach an upstream, as data.

    ``number`` counts the connections this request was sent on (1, then 2 after a failed
    connect to the next target or a retry); ``retry`` is True from the request sent again
    after a stale kept-alive connection closed.
    """

    __slots__ = (
        "condition",
        "connect_timeout",
        "connection",
        "detail",
        "host",
        "number",
        "port",
        "read_timeout",
        "retry",
        "reused",
        "status",
        "step",
        "target",
        "upstream",
    )
    step: Step
    upstream: str  # the route's upstream (pool) name
    target: str | None  # the target's name; None when none was tried
    host: str | None
    port: int | None
    connect_timeout: float
    read_timeout: float
    number: int
    retry: bool
    condition: Condition | None  # on FAILED and NOT_TRIED
    detail: str  # what was observed, in words (on FAILED and NOT_TRIED)
    connection: int | None  # the connection's number, once there is one
    reused: bool  # a kept-alive connection from the pool
    status: int | None  # on ANSWERED: the upstream's status

    def __init__(
        self,
        step: Step,
        upstream: str,
        target: str | None,
        host: str | None,
        port: int | None,
        connect_timeout: float,
        read_timeout: float,
        number: int,
        retry: bool = False,
        condition: Condition | None = None,
        detail: str = "",
        connection: int | None = None,
        reused: bool = False,
        status: int | None = None,
    ) -> None:
        set_ = object.__setattr__
        set_(self, "step", step)
        set_(self, "upstream", upstream)
        set_(self, "target", target)
        set_(self, "host", host)
        set_(self, "port", port)
        set_(self, "connect_timeout", connect_timeout)
        set_(self, "read_timeout", read_timeout)
        set_(self, "number", number)
        set_(self, "retry", retry)
        set_(self, "condition", condition)
        set_(self, "detail", detail)
        set_(self, "connection", connection)
        set_(self, "reused", reused)
        set_(self, "status", status)


_new_event = tuple.__new__
_perf_counter = time.perf_counter
# Members read from their classes once: on CPython 3.11 each read of a member from its class
# (``Kind.SENT``) goes through EnumType's ``__getattr__`` hook, about 900 instructions
_CLIENT = Role.CLIENT
_RECEIVED, _SENT, _UPSTREAM = Kind.RECEIVED, Kind.SENT, Kind.UPSTREAM

# switch changes whose times are kept (Recorder.switched): lab.request asks about the
# last moments of one request, so only the newest few can fall inside it
SWITCHES_KEPT = 16

ROLE_ORDER = {Role.CLIENT: 0, Role.PORTAL: 1, Role.GATEWAY: 2, Role.ORIGIN: 3, Role.UPSTREAM: 3}


class Event(NamedTuple):
    """One thing one hop saw or did. ``at`` is time.perf_counter().

    A named tuple, not a ``FrozenRecord``: six are made for each relayed request (each hop's
    request and answer, the gateway's two upstream steps), and a record's ``__init__`` sets
    its 21 fields one ``object.__setattr__`` at a time (``Recorder.record`` took 3.5 us an
    event here, 1.6 us now). It behaves as the records do where the lab uses them: frozen
    (assigning a field raises ``FrozenInstanceError``), a dataclass's repr, equal and
    hashable by its fields, ``record.replace``, copies and pickles.
    """

    request_id: str
    hop: str  # "client", "portal", "gateway", "origin" or an upstream's name
    role: Role
    kind: Kind
    at: float
    summary: str  # the sentence a learner reads; never parsed
    data: bytes = b""
    status: int | None = None
    generated: bool | None = None  # on SENT: True if this hop made the response
    why: str = ""
    peer_port: int | None = None
    not_kept: int = 0  # bytes of ``data`` the recorder dropped (MAX_RECORDED_BYTES)
    method: str = ""  # on RECEIVED by a server: the request line, "" if it had none
    target: str = ""
    version: str = ""
    cut: str = ""  # on SENT: why the body broke off after the head went out, "" if it did not
    timed_out: bool = False  # on the client's RECEIVED: its own timeout ran out
    ended: Ending | None = None  # on SENT: the hop then closed (FIN) or reset (RST) it
    attempt: Attempt | None = None  # on UPSTREAM
    delay: float | None = None  # on SENT: the configured delay this hop waited on purpose
    waited: float | None = None  # on the client's RECEIVED that timed out: the wait given up

    def __setattr__(self, name: str, value: object) -> None:
        raise frozen(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise frozen(f"cannot delete field {name!r}")

    def _values(self) -> tuple[Any, ...]:
        """The fields' values, in order (as a record's)."""
        return tuple(self)

    def trimmed(self, limit: int) -> "Event":
        """The event with at most ``limit`` bytes of its data kept, saying how many it lost."""
        lost = len(self.data) - limit
        return self._replace(
            data=self.data[:limit], summary=f"{self.summary} ({lost} bytes not kept)", not_kept=lost
        )

    @property
    def request_line(self) -> str:
        """Method and target as received ("GET /orders/7"); the summary if there was none."""
        return f"{self.method} {self.target}" if self.method else self.summary


class Hop(Record):
    """What one server (or the client) did for one request."""

    __slots__ = ("events", "name", "received", "role", "sent")

    def __init__(
        self,
        name: str,
        role: Role,
        received: Event | None = None,
        sent: Event | None = None,
        events: list[Event] | None = None,
    ) -> None:
        self.name = name
        self.role = role
        self.received = received
        self.sent = sent
        self.events: list[Event] = [] if events is None else events

    def __repr__(self) -> str:
        """One line a learner can read when a cell shows ``ex.hops``: the hop, what it
        received and sent and whether it made the answer. Its events, each with the bytes
        it carried, made a list of three hops about 8,000 characters long; they stay in
        ``hop.events`` and ``ex.raw(name)``."""
        return (
            f"Hop(name={self.name!r}, received={self.received_summary!r}, "
            f"sent={self.sent.summary if self.sent else ''!r}, generated={self.generated})"
        )

    @property
    def label(self) -> str:
        return f"upstream {self.name!r}" if self.role is Role.UPSTREAM else self.name

    @property
    def status(self) -> int | None:
        return self.sent.status if self.sent else None

    @property
    def generated(self) -> bool:
        return bool(self.sent and self.sent.generated)

    @property
    def duration(self) -> float | None:
        if self.received and self.sent:
            return max(0.0, self.sent.at - self.received.at)
        return None

    @property
    def received_summary(self) -> str:
        """What this hop received, in one line (a server: the request line as it came,
        "GET /orders/7 HTTP/1.2"); "" if nothing arrived. ``received.summary`` without the
        None check that ``received`` (an Event, or None) needs under ``mypy --strict``."""
        return self.received.summary if self.received else ""

    @property
    def bytes_in(self) -> bytes:
        return self.received.data if self.received else b""

    @property
    def bytes_out(self) -> bytes:
        return self.sent.data if self.sent else b""

    @property
    def not_kept(self) -> tuple[int, int]:
        """Bytes received and sent that the recorder did not keep (MAX_RECORDED_BYTES)."""
        return (
            self.received.not_kept if self.received else 0,
            self.sent.not_kept if self.sent else 0,
        )


class Recorder:
    """Thread-safe store of events, bounded in requests (MAX_EXCHANGES) and bytes."""

    def __init__(self, prefix: str = "req") -> None:
        self._lock = threading.Lock()
        self._added = threading.Condition()  # notified after each event is stored
        self._waiting = 0  # threads inside wait_for
        self._events: OrderedDict[str, list[Event]] = OrderedDict()
        self._sizes: dict[str, int] = {}
        self._total = 0
        self._counter = itertools.count(1)
        self._prefix = prefix
        self._secret = os.urandom(16)  # what secrets.token_bytes reads, without its imports
        # the tags of kept ids, made once: the gateway tags an id and the origin checks it
        self._tags: dict[str, str] = {}
        self._clock: Callable[[], float] | None = None  # see keep_arrivals
        self._awaited: set[str] = set()  # the lab client's requests not at a server yet
        self._reached: dict[str, float] = {}  # request id: its first server's clock then
        self._untimed: dict[str, set[str]] = {}  # request id: its hops that waited untimed
        self._switched: list[float] = []  # the last SWITCHES_KEPT changes' times (switched)

    def new_id(self, *, arrival: bool = False) -> str:
        """A new request id; with ``arrival``, its arrival at its first server is timed
        (``keep_arrivals``): the lab's own client asks it."""
        with self._lock:
            rid = f"{self._prefix}-{next(self._counter):04d}"
            self._events[rid] = []
            self._sizes[rid] = 0
            if arrival and self._clock is not None:
                self._awaited.add(rid)
            self._trim()
            return rid

    def tagged(self, request_id: str) -> str:
        """The id as one hop passes it to the next: with this lab's tag."""
        return f"{request_id}.{self._tag(request_id)}"

    def recognise(self, offered: str | None) -> str | None:
        """The id inside ``offered`` if this lab tagged it and still keeps it, else None.

        Whether it is still kept is one look in ``_events`` without the lock: a membership
        test of a dict by a str key runs no Python code (str's hash and equality are C), so
        under the GIL it sees the dict between two of another thread's changes, never
        inside one, as the lock would have it; and the lock promised no more than that
        either, since the id can be forgotten (``_trim``) as soon as the answer is given,
        lock or no lock. The other thread's compound changes (an id, its size and its tag
        forgotten together) need not be seen whole here: the answer reads the one dict.
        The origin asks it of every request the gateway forwards (1.6 k instructions for
        the lock)."""
        if not offered:
            return None
        rid, _, tag = offered.strip().rpartition(".")
        if not rid or not compare_digest(tag.encode(), self._tag(rid).encode()):
            return None
        return rid if rid in self._events else None

    def continue_or_new(self, offered: str | None) -> str:
        """Keep an id this lab tagged (an earlier hop's); otherwise issue a new one."""
        return self.recognise(offered) or self.new_id()

    def _tag(self, request_id: str) -> str:
        tag = self._tags.get(request_id)
        if tag is None:
            # keyed BLAKE2b is a MAC in itself, and a tenth of HMAC-SHA256's cost here
            mac = blake2b(
                request_id.encode("utf-8", "replace"), key=self._secret, digest_size=TAG_HEX // 2
            )
            tag = mac.hexdigest()
            with self._lock:
                if request_id in self._events:  # an id offered from outside is not kept
                    self._tags[request_id] = tag
        return tag

    def add(self, event: Event) -> None:
        self._kept(event, event.request_id, len(event.data))

    def amend(self, kept: Event, event: Event) -> None:
        """Put ``event`` where ``kept`` (an event this recorder returned) is in its request's
        story: a hop's record of what it did, corrected once it knows more (an answer
        recorded as it was written, which never left: ``HTTPServer._write``). A correction
        says less than the event it corrects, never more bytes (that one was trimmed as it
        was kept, ``_kept``), so it is not trimmed again here."""
        with self._lock:
            events = self._events.get(kept.request_id)
            if events is None:
                return
            for i in range(len(events) - 1, -1, -1):
                if events[i] is kept:
                    events[i] = event
                    grown = len(event.data) - len(kept.data)
                    self._sizes[kept.request_id] += grown
                    self._total += grown
                    break
        self.wake()

    def _kept(self, event: Event, request_id: str, size: int) -> Event:
        """Keep ``event`` in its request's story, if still kept, its data (``size`` bytes)
        trimmed past MAX_RECORDED_BYTES: the event as kept. Every entry point ends here, and
        the trim is made here so that the three of every relayed request call nothing more
        for it."""
        if size > MAX_RECORDED_BYTES:
            event = event.trimmed(MAX_RECORDED_BYTES)
            size = MAX_RECORDED_BYTES
        with self._lock:
            events = self._events.get(request_id)
            if events is not None:
                events.append(event)
                self._sizes[request_id] += size
                self._total += size
                if self._total > MAX_TOTAL_BYTES:  # no new id here: only bytes can grow
                    self._trim()
                if self._awaited and request_id in self._awaited and event.role is not _CLIENT:
                    self._awaited.discard(request_id)  # at its first server: keep_arrivals
                    clock = self._clock
                    if clock is not None:
                        self._reached[request_id] = clock()
        if self._waiting:
            self.wake()
        return event

    def keep_arrivals(self, clock: Callable[[], float]) -> None:
        """From now on keep, for each request whose id was made with ``arrival`` (the lab's
        own client's), ``clock()`` read as the first server it reached records it
        (``reached``), before any ``wait_for`` is woken. The lab's servers record on the lab's
        loop, so ``clock`` is the loop's (``Lab._due_before`` starts the client's timer there
        from the request's arrival). Set once for the lab, not a hook and a closure for each
        request: only a read timeout without a status reads it, and a request from another
        client (curl, a browser) pays one look at an empty set."""
        self._clock = clock

    def untimed(self, request_id: str, hop: str) -> None:
        """Say that ``hop``'s answer to request ``request_id`` waited for something the lab's
        clocks do not time: a hold the learner releases (the origin's GET /busy), a learner's
        handler run in a process of its own. ``waited`` counts such a wait as none, so the
        record cannot say whether the answer was due before a client's timeout
        (``Lab._due``)."""
        with self._lock:
            if request_id in self._events:
                self._untimed.setdefault(request_id, set()).add(hop)

    def is_untimed(self, request_id: str, hop: str) -> bool:
        """Whether ``hop``'s answer to ``request_id`` waited for something untimed (``untimed``)."""
        return hop in self._untimed.get(request_id, ())

    def switched(self) -> None:
        """Note that a switch of the lab changes now (``time.perf_counter()``, the clock of
        every event and of ``lab.request``'s client), on the lab's loop as it changes: what
        a server answers from then on may differ from what it answered before (a hold let
        go, a fault turned off). ``switched_between`` reads it."""
        with self._lock:
            self._switched.append(_perf_counter())
            if len(self._switched) > SWITCHES_KEPT:
                del self._switched[0]

    def switched_between(self, after: float, until: float) -> bool:
        """Whether a switch changed after ``after`` and no later than ``until``
        (``time.perf_counter()`` both: ``switched``)."""
        with self._lock:
            return any(after < at <= until for at in self._switched)

    def reached(self, request_id: str) -> float | None:
        """``keep_arrivals``'s clock as request ``request_id`` reached its first server (the
        entry hop of the lab's client), or None before it did (or once it is forgotten)."""
        return self._reached.get(request_id)

    def wake(self) -> None:
        """Wake every ``wait_for``: an event was stored, or what they wait on may have changed."""
        if not self._waiting:  # read after the change: a waiter that came later has seen it
            return
        with self._added:
            self._added.notify_all()

    def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Block until ``predicate()`` is true, checked now and after each event is stored
        (or ``wake()``); False if ``timeout`` seconds pass first.

        The predicate may call this recorder's other methods.
        """
        with self._added:
            self._waiting += 1  # before the first check of the predicate (see wake)
            try:
                return self._added.wait_for(predicate, timeout)
            finally:
                self._waiting -= 1

    def _trim(self) -> None:
        """Forget the oldest requests until both bounds hold (the lock is held)."""
        while len(self._events) > MAX_EXCHANGES or (
            self._total > MAX_TOTAL_BYTES and len(self._events) > 1
        ):
            rid, _ = self._events.popitem(last=False)
            self._total -= self._sizes.pop(rid, 0)
            self._tags.pop(rid, None)
            # kept for the lab's own client, or a held request: often empty
            if self._reached:
                self._reached.pop(rid, None)
            if self._awaited:
                self._awaited.discard(rid)
            if self._untimed:
                self._untimed.pop(rid, None)

    def record(
        self,
        request_id: str,
        hop: str,
        role: Role,
        kind: Kind,
        summary: str,
        *,
        data: bytes = b"",
        status: int | None = None,
        generated: bool | None = None,
        why: str = "",
        peer_port: int | None = None,
        method: str = "",
        target: str = "",
        version: str = "",
        cut: str = "",
        timed_out: bool = False,
        ended: Ending | None = None,
        attempt: Attempt | None = None,
        delay: float | None = None,
        waited: float | None = None,
    ) -> Event:
        # tuple.__new__, not Event(...): the same tuple, without the Python-level __new__ that
        # collections.namedtuple writes (its 21 parameters bound, then a tuple made of them)
        event: Event = _new_event(
            Event,
            (
                request_id,
                hop,
                role if type(role) is Role else Role(role),
                kind if type(kind) is Kind else Kind(kind),
                time.perf_counter(),
                summary,
                data,
                status,
                generated,
                why,
                peer_port,
                0,  # not_kept: trimmed() says it
                method,
                target,
                version,
                cut,
                timed_out,
                ended,
                attempt,
                delay,
                waited,
            ),
        )
        return self._kept(event, request_id, len(data))

    # The entry points of the three events every relayed request makes (a server's request
    # received and answer sent, a proxy's upstream step), their fields positional and in
    # order: the lab's thread records six events per relayed request, four of them the
    # gateway's, and ``record``'s nineteen parameters, most of them keywords, cost more to
    # bind than the event costs to build (``record``: 16.7 k instructions an event).
    # Each spells its placeholders out: module tuples of them joined on saved nothing
    # (benchmarks/instructions.py: 2.1 k instructions a direct request more, in one run).

    def received(
        self,
        request_id: str,
        hop: str,
        role: Role,
        summary: str,
        data: bytes,
        peer_port: int | None,
        method: str,
        target: str,
        version: str,
    ) -> Event:
        """``record`` of a RECEIVED event (a server's request arrived)."""
        event: Event = _new_event(
            Event,
            (
                request_id,
                hop,
                role,
                _RECEIVED,
                _perf_counter(),
                summary,
                data,
                None,
                None,
                "",
                peer_port,
                0,
                method,
                target,
                version,
                "",
                False,
                None,
                None,
                None,
                None,
            ),
        )
        return self._kept(event, request_id, len(data))

    def sent(
        self,
        request_id: str,
        hop: str,
        role: Role,
        summary: str,
        data: bytes,
        status: int | None,
        generated: bool | None,
        why: str,
        cut: str,
        delay: float | None,
    ) -> Event:
        """``record`` of a SENT event (a server's answer went out)."""
        event: Event = _new_event(
            Event,
            (
                request_id,
                hop,
                role,
                _SENT,
                _perf_counter(),
                summary,
                data,
                status,
                generated,
                why,
                None,
                0,
                "",
                "",
                "",
                cut,
                False,
                None,
                None,
                delay,
                None,
            ),
        )
        return self._kept(event, request_id, len(data))

    def upstream(
        self, request_id: str, hop: str, role: Role, summary: str, data: bytes, attempt: Attempt
    ) -> Event:
        """``record`` of an UPSTREAM event (a proxy's step in reaching an upstream)."""
        event: Event = _new_event(
            Event,
            (
                request_id,
                hop,
                role,
                _UPSTREAM,
                _perf_counter(),
                summary,
                data,
                None,
                None,
                "",
                None,
                0,
                "",
                "",
                "",
                "",
                False,
                None,
                attempt,
                None,
                None,
            ),
        )
        return self._kept(event, request_id, len(data))

    def events(self, request_id: str) -> list[Event]:
        with self._lock:
            return list(self._events.get(request_id, ()))

    def ids(self) -> list[str]:
        with self._lock:
            return list(self._events)

    def find_by_peer_port(self, port: int, since: float) -> str | None:
        """The exchange whose first hop saw a connection from this client port."""
        with self._lock:
            for rid in reversed(self._events):
                for ev in self._events[rid][:1]:
                    if ev.peer_port == port and ev.at >= since:
                        return rid
        return None


def waited(hops: list[Hop]) -> float | None:
    """The time a request waited on purpose, by the lab's own record, never measured:
    the timeouts that ran out (a proxy's attempts one after another, summed; a proxy in
    front of another waits at the same time, so the longest), and the delay set on the
    hop that made the answer. The client waited at least this long (``deadline.
    told_after`` holds a timeout's answer until the machine's clock agrees); a loaded
    machine only adds to it. None where the record does not say: a server's 408, made
    when its head timeout ran out, which no attempt records.

    Read by the story's words (``render.text.waited``) and by the lab's client, which
    decides from it whether an answer came in time (``Lab._due_after``) on every timed
    request: here, on the hops of the record, so that it renders nothing."""
    ran_out = 0.0
    for hop in hops:
        timeouts = 0.0
        for event in hop.events:
            attempt = event.attempt
            if attempt is None or attempt.step is not Step.FAILED:
                continue
            if attempt.condition is Condition.CONNECT_TIMEOUT:
                timeouts += attempt.connect_timeout
            elif attempt.condition is Condition.READ_TIMEOUT:
                timeouts += attempt.read_timeout
        ran_out = max(ran_out, timeouts)
    for hop in hops:
        if hop.role is not Role.CLIENT and hop.generated and hop.sent is not None:
            if hop.sent.status == 408:
                return None
            return ran_out + (hop.sent.delay or 0.0)
    return ran_out


def until_answered(events: list[Event], entry: str) -> list[Event]:
    """The story of a request up to the answer its client got: the events recorded until the
    entry hop sent that answer, and the client's own. What a hop records later (an upstream
    that answers after the gateway gave up: "answered, not relayed") reached no client, and
    whether it was in the story depended on how soon the client looked: on a loaded host the
    origin's late 200 came after the gateway's 504 as the story's last line (tests/
    test_recording.py, 6 runs in 6 with the process stopped at random), never on an idle one. Without an answer from the entry
    hop (the client gave up first), the story as it stands."""
    for i, ev in enumerate(events):
        if ev.kind is Kind.SENT and ev.hop == entry:
            return events[: i + 1] + [e for e in events[i + 1 :] if e.role is Role.CLIENT]
    return events


def hops_of(events: list[Event]) -> list[Hop]:
    """Group events by hop, in the order of the path: client, portal, gateway, origin."""
    hops: dict[str, Hop] = {}
    for ev in events:
        hop = hops.get(ev.hop)
        if hop is None:
            hop = hops[ev.hop] = Hop(ev.hop, ev.role)
        hop.events.append(ev)
        if ev.kind is Kind.RECEIVED and hop.received is None:
            hop.received = ev
        elif ev.kind is Kind.SENT:
            hop.sent = ev
    return sorted(hops.values(), key=lambda h: ROLE_ORDER.get(h.role, 9))
