"""Many requests at once: bursts against the origin's capacity (lesson 04, load shedding).

Each request runs on its own thread with its own connection, so a burst really is
concurrent; ``on_progress`` lets a widget move a progress bar. The threads share one
client and wait for each other before sending (a barrier): a client each, made one after
another (its TLS context takes about 0.1 s on a busy machine), spread a burst of 8 over
more than a slow request's delay, so a late request found a finished one's place free and
a capacity of 3 served 4. Even so, a machine at load 15 spread a burst of 5 over more than
0.5 s (capacity 3 served 5): each request names its burst in a header
(``origin.BURST_HEADER``), and the origin serves none of a burst's admitted requests
until the whole burst has arrived, as a real burst from many clients arrives together.
"""

from __future__ import annotations

import secrets
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

import httpx

from labkit.errors import Interrupted, check_number, not_whole, refuse, shown, whole_in
from labkit.i18n import ENGLISH, Msg
from labkit.lab import Lab, check_lab, http_client
from labkit.origin import BURST_HEADER

# the largest burst: ``burst``'s and the 503 playground's box (widgets.BURST_SIZE), one range
# refused in the switches' words (errors.not_whole); the box stopped at 40 and Python at 100
MAX_BURST = 100


@dataclass
class Burst:
    size: int
    statuses: Counter[int | None] = field(default_factory=Counter)
    retry_after: set[str] = field(default_factory=set)
    shed_without_retry_after: int = 0
    # the language its result line is said in: the lab's (``labkit.start(lang=...)``)
    lang: str = field(default=ENGLISH, compare=False)

    @property
    def served(self) -> int:
        return self.statuses.get(200, 0)

    @property
    def shed(self) -> int:
        return self.statuses.get(503, 0)

    def __repr__(self) -> str:
        """The result line, in the burst's language: a notebook shows it as the cell's value."""
        other = self.size - self.served - self.shed
        line = Msg(
            "{n} request: {served} served (200), {shed} shed (503)",
            plural="{n} requests: {served} served (200), {shed} shed (503)",
            n=self.size,
            served=self.served,
            shed=self.shed,
        )
        if other:
            line = Msg("{line}, {other} other", line=line, other=other)
        return line.render(self.lang)


def burst(
    lab: Lab,
    size: int,
    *,
    delay: float = 0.5,
    via: str = "origin",
    on_progress: Callable[[int, int], None] | None = None,
) -> Burst:
    """Send ``size`` slow requests at once (each holds the origin for ``delay`` s)."""
    check_lab(lab)
    _check_size(size)
    check_number("delay", delay, minimum=0, maximum=5)
    _check_progress(on_progress)
    url = f"{lab.url(via)}/slow?delay={delay:g}"
    result = Burst(size, lang=lab.lang)
    together = threading.Barrier(size)
    named = {BURST_HEADER: f"{secrets.token_hex(6)} {size}"}
    limits = httpx.Limits(max_connections=size, max_keepalive_connections=0)
    client = http_client(timeout=delay + 5, limits=limits)

    def one(_: int) -> tuple[int | None, str | None]:
        try:
            together.wait(timeout=5)
        except threading.BrokenBarrierError:
            pass  # a thread started late: the rest went on, and so does this one
        try:
            r = client.get(url, headers=named)
            return r.status_code, r.headers.get("retry-after")
        except httpx.HTTPError:
            return None, None

    try:
        with client, ThreadPoolExecutor(size, thread_name_prefix="labkit-burst") as pool:
            futures = [pool.submit(one, i) for i in range(size)]
            for done, future in enumerate(as_completed(futures), 1):
                status, retry = future.result()
                result.statuses[status] += 1
                if retry:
                    result.retry_after.add(retry)
                elif status == 503:
                    result.shed_without_retry_after += 1
                if on_progress:
                    on_progress(done, size)
    except KeyboardInterrupt:  # Kernel > Interrupt: one line, not concurrent.futures' frames
        # (raised once the requests already sent are answered: the pool waits for them)
        burst_of = Msg(
            "a burst of {size} requests (GET /slow?delay={delay})", size=size, delay=f"{delay:g}"
        )
        raise Interrupted(burst_of, lab.lang) from None
    return result


def _check_size(size: object) -> None:
    if not whole_in(size, 1, MAX_BURST):
        raise not_whole("size", shown(size), minimum=1, maximum=MAX_BURST)


def _check_progress(on_progress: object) -> None:
    if on_progress is not None and not callable(on_progress):
        raise refuse(
            Msg(
                "on_progress must be a function of (done, total) or None, not {given}",
                given=shown(on_progress),
            )
        )


def sweep(
    lab: Lab,
    sizes: list[int],
    *,
    capacity: int,
    delay: float = 0.5,
    on_progress: Callable[[int, int], None] | None = None,
) -> list[Burst]:
    """Bursts of growing size against a fixed capacity: served levels off, shed grows."""
    check_lab(lab)
    if not isinstance(sizes, (list, tuple)) or not sizes:
        raise refuse(
            Msg(
                "sizes must be a list of burst sizes such as [1, 3, 6], not {given}",
                given=shown(sizes),
            )
        )
    for size in sizes:
        _check_size(size)
    check_number("delay", delay, minimum=0, maximum=5)
    _check_progress(on_progress)
    from labkit.switches import FIXED_CAPACITY  # it imports this module's lab

    FIXED_CAPACITY.check(capacity)
    before = lab.origin.capacity
    lab.origin.capacity = capacity
    try:
        results = []
        for i, size in enumerate(sizes):
            results.append(burst(lab, size, delay=delay))
            if on_progress:
                on_progress(i + 1, len(sizes))
        return results
    finally:
        lab.origin.capacity = before
