"""Many requests at once: bursts against the origin's capacity (lesson 04, load shedding).

Each request runs on its own thread with its own connection, so a burst really is
concurrent; ``on_progress`` lets a widget move a progress bar.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

import httpx

from labkit.errors import check_number
from labkit.lab import Lab

MAX_BURST = 100


@dataclass
class Burst:
    size: int
    statuses: Counter[int | None] = field(default_factory=Counter)
    retry_after: set[str] = field(default_factory=set)
    shed_without_retry_after: int = 0

    @property
    def served(self) -> int:
        return self.statuses.get(200, 0)

    @property
    def shed(self) -> int:
        return self.statuses.get(503, 0)

    def __repr__(self) -> str:
        other = self.size - self.served - self.shed
        text = f"{self.size} requests: {self.served} served (200), {self.shed} shed (503)"
        return text + (f", {other} other" if other else "")


def burst(lab: Lab, size: int, *, delay: float = 0.5, via: str = "origin",
          on_progress: Callable[[int, int], None] | None = None) -> Burst:  # fmt: skip
    """Send ``size`` slow requests at once (each holds the origin for ``delay`` s)."""
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_BURST:
        from labkit.errors import BadArgument

        raise BadArgument(f"size must be a whole number from 1 to {MAX_BURST}, not {size!r}")
    check_number("delay", delay, minimum=0, maximum=5)
    url = f"{lab.url(via)}/slow?delay={delay:g}"
    result = Burst(size)

    def one(_: int) -> tuple[int | None, str | None]:
        try:
            with httpx.Client(trust_env=False, timeout=delay + 5) as client:
                r = client.get(url)
                return r.status_code, r.headers.get("retry-after")
        except httpx.HTTPError:
            return None, None

    with ThreadPoolExecutor(max_workers=size, thread_name_prefix="labkit-burst") as pool:
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
    return result


def sweep(lab: Lab, sizes: list[int], *, capacity: int, delay: float = 0.5,
          on_progress: Callable[[int, int], None] | None = None) -> list[Burst]:  # fmt: skip
    """Bursts of growing size against a fixed capacity: served levels off, shed grows."""
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
