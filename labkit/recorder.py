"""Every hop appends what it received, sent and why; an Exchange is one request's story.

The id (``X-Request-ID``) is given at the first hop: the lab's own client, or the first
server a request from curl or a browser reaches. It stays short and readable
(``req-0007``), because learners copy it from curl. Between hops it travels with a tag
only this lab can make (an HMAC with a per-lab secret: ``req-0007.1f2e3d4c5b6a``), and a
hop continues only an id whose tag it recognises. Any other ``X-Request-ID`` (one a
client made up, or one it saw in an earlier response) is recorded as the client's and
the request gets a new id, so a client cannot merge its request into another's story.

Memory is bounded twice: the last MAX_EXCHANGES requests, and MAX_TOTAL_BYTES of
recorded bytes in all (each event keeps at most MAX_RECORDED_BYTES and says how many
bytes it did not keep).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace

MAX_EXCHANGES = 500
MAX_RECORDED_BYTES = 64 * 1024  # per event
MAX_TOTAL_BYTES = 16 * 1024 * 1024  # all events of all kept exchanges
TAG_HEX = 12  # hex digits of the tag that marks an id as this lab's own

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
    not_kept: int = 0  # bytes of ``data`` the recorder dropped (MAX_RECORDED_BYTES)


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
        self._events: OrderedDict[str, list[Event]] = OrderedDict()
        self._sizes: dict[str, int] = {}
        self._total = 0
        self._counter = itertools.count(1)
        self._prefix = prefix
        self._secret = secrets.token_bytes(16)

    def new_id(self) -> str:
        with self._lock:
            rid = f"{self._prefix}-{next(self._counter):04d}"
            self._events[rid] = []
            self._sizes[rid] = 0
            self._trim()
            return rid

    def tagged(self, request_id: str) -> str:
        """The id as one hop passes it to the next: with this lab's tag."""
        return f"{request_id}.{self._tag(request_id)}"

    def recognise(self, offered: str | None) -> str | None:
        """The id inside ``offered`` if this lab tagged it and still keeps it, else None."""
        if not offered:
            return None
        rid, _, tag = offered.strip().rpartition(".")
        if not rid or not hmac.compare_digest(tag.encode(), self._tag(rid).encode()):
            return None
        with self._lock:
            return rid if rid in self._events else None

    def continue_or_new(self, offered: str | None) -> str:
        """Keep an id this lab tagged (an earlier hop's); otherwise issue a new one."""
        return self.recognise(offered) or self.new_id()

    def _tag(self, request_id: str) -> str:
        mac = hmac.new(self._secret, request_id.encode("utf-8", "replace"), hashlib.sha256)
        return mac.hexdigest()[:TAG_HEX]

    def add(self, event: Event) -> None:
        if len(event.data) > MAX_RECORDED_BYTES:
            cut = len(event.data) - MAX_RECORDED_BYTES
            event = replace(
                event,
                data=event.data[:MAX_RECORDED_BYTES],
                summary=f"{event.summary} ({cut} bytes not kept)",
                not_kept=cut,
            )
        with self._lock:
            events = self._events.get(event.request_id)
            if events is not None:
                events.append(event)
                self._sizes[event.request_id] += len(event.data)
                self._total += len(event.data)
                self._trim()

    def _trim(self) -> None:
        """Forget the oldest requests until both bounds hold (the lock is held)."""
        while len(self._events) > MAX_EXCHANGES or (
            self._total > MAX_TOTAL_BYTES and len(self._events) > 1
        ):
            rid, _ = self._events.popitem(last=False)
            self._total -= self._sizes.pop(rid, 0)

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
