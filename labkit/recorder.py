"""Every hop appends what it received, sent and why; an Exchange is one request's story.

The id (``X-Request-ID``) is given at the first hop: the lab's own client, or the first
server a request from curl or a browser reaches. Later hops recognise an id the
recorder already knows and continue it; an id the lab never issued is replaced, so
exchanges cannot be mixed up by a client that sends its own.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

MAX_EXCHANGES = 500
MAX_RECORDED_BYTES = 64 * 1024

ROLE_ORDER = {"client": 0, "portal": 1, "gateway": 2, "origin": 3, "upstream": 3}


@dataclass(frozen=True)
class Event:
    """One thing one hop saw or did. ``at`` is time.perf_counter()."""

    request_id: str
    hop: str  # "client", "portal", "gateway", "origin" or an upstream's name
    role: str  # "client", "portal", "gateway", "origin" or "upstream"
    kind: str  # "received", "sent", "upstream", "log"
    at: float
    summary: str
    data: bytes = b""
    status: int | None = None
    generated: bool | None = None  # on "sent": True if this hop made the response
    why: str = ""
    peer_port: int | None = None


@dataclass
class Hop:
    """What one server (or the client) did for one request."""

    name: str
    role: str
    received: Event | None = None
    sent: Event | None = None
    events: list[Event] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"upstream {self.name!r}" if self.role == "upstream" else self.name

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
    def bytes_in(self) -> bytes:
        return self.received.data if self.received else b""

    @property
    def bytes_out(self) -> bytes:
        return self.sent.data if self.sent else b""


class Recorder:
    """Thread-safe store of events, bounded to the last MAX_EXCHANGES requests."""

    def __init__(self, prefix: str = "req") -> None:
        self._lock = threading.Lock()
        self._events: OrderedDict[str, list[Event]] = OrderedDict()
        self._counter = itertools.count(1)
        self._prefix = prefix

    def new_id(self) -> str:
        with self._lock:
            rid = f"{self._prefix}-{next(self._counter):04d}"
            self._events[rid] = []
            while len(self._events) > MAX_EXCHANGES:
                self._events.popitem(last=False)
            return rid

    def continue_or_new(self, offered: str | None) -> str:
        """Keep an id this lab issued (an earlier hop's); otherwise issue a new one."""
        if offered:
            with self._lock:
                if offered in self._events:
                    return offered
        return self.new_id()

    def add(self, event: Event) -> None:
        if len(event.data) > MAX_RECORDED_BYTES:
            cut = len(event.data) - MAX_RECORDED_BYTES
            event = _replace_data(event, event.data[:MAX_RECORDED_BYTES], cut)
        with self._lock:
            events = self._events.get(event.request_id)
            if events is not None:
                events.append(event)

    def record(
        self,
        request_id: str,
        hop: str,
        role: str,
        kind: str,
        summary: str,
        **extra: object,
    ) -> Event:
        event = Event(request_id, hop, role, kind, time.perf_counter(), summary, **extra)  # type: ignore[arg-type]
        self.add(event)
        return event

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


def _replace_data(event: Event, data: bytes, cut: int) -> Event:
    from dataclasses import replace

    return replace(event, data=data, summary=f"{event.summary} ({cut} more bytes not recorded)")


def hops_of(events: list[Event]) -> list[Hop]:
    """Group events by hop, in the order of the path: client, portal, gateway, origin."""
    hops: dict[str, Hop] = {}
    for ev in events:
        hop = hops.get(ev.hop)
        if hop is None:
            hop = hops[ev.hop] = Hop(ev.hop, ev.role)
        hop.events.append(ev)
        if ev.kind == "received" and hop.received is None:
            hop.received = ev
        elif ev.kind == "sent":
            hop.sent = ev
    return sorted(hops.values(), key=lambda h: ROLE_ORDER.get(h.role, 9))
