"""Bursts against the origin's capacity (lesson 04): served stays at the capacity, as the lesson says."""

from __future__ import annotations

import time

import pytest

import labkit
from labkit import load, origin


def test_a_burst_above_capacity_serves_exactly_the_capacity(
    lab: labkit.Lab, busy_cores: None
) -> None:
    """With both cores busy: the burst's requests reach the origin together, so none finds a
    finished request's place free (the lesson's chart once showed 4 served at capacity 3)."""
    lab.origin.capacity = 3
    for _ in range(3):
        result = load.burst(lab, 8, delay=0.3)
        assert (result.served, result.shed) == (3, 5), repr(result)
        assert result.retry_after == {"1"}


def test_a_sweep_levels_off_at_the_capacity(lab: labkit.Lab, busy_cores: None) -> None:
    results = load.sweep(lab, [1, 2, 3, 4, 5, 6], capacity=3, delay=0.2)
    assert [(b.served, b.shed) for b in results] == [
        (1, 0),
        (2, 0),
        (3, 0),
        (3, 1),
        (3, 2),
        (3, 3),
    ]
    assert lab.origin.capacity is None  # the sweep put it back


def test_a_burst_says_what_it_sent_in_words(lab: labkit.Lab) -> None:
    """The line the 503 playground speaks after a burst ('1 requests' read wrong)."""
    lab.origin.capacity = 1
    assert repr(load.burst(lab, 1, delay=0.1)) == "1 request: 1 served (200), 0 shed (503)"
    assert repr(load.burst(lab, 2, delay=0.3)) == "2 requests: 1 served (200), 1 shed (503)"


def _get_slow(lab: labkit.Lab, delay: float, header: str | None) -> int:
    import httpx

    headers = {} if header is None else {origin.BURST_HEADER: header}
    url = f"{lab.url('origin')}/slow?delay={delay:g}"
    with httpx.Client(trust_env=False, timeout=10) as client:
        return client.get(url, headers=headers).status_code


def test_a_burst_spread_out_by_a_busy_machine_still_meets_a_full_origin(lab: labkit.Lab) -> None:
    """A burst of 5 at capacity 3 whose last 2 requests come 0.4 s after the first 3 (a
    machine at load 15 spread one so; each request holds the origin 0.1 s): the origin holds
    the first 3 until the whole burst is in, so the last 2 are shed, as in a real burst. Fails
    before: the first 3 were done by then, and all 5 were served."""
    from concurrent.futures import ThreadPoolExecutor

    lab.origin.capacity = 3
    with ThreadPoolExecutor(5) as pool:
        first = [pool.submit(_get_slow, lab, 0.1, "spread1 5") for _ in range(3)]
        assert lab.recorder.wait_for(lambda: lab.origin.in_flight == 3, 5)
        time.sleep(0.4)
        late = [pool.submit(_get_slow, lab, 0.1, "spread1 5") for _ in range(2)]
        assert sorted(f.result() for f in first + late) == [200, 200, 200, 503, 503]


def test_a_burst_that_never_completes_is_served_after_the_most_it_waits(
    lab: labkit.Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A header naming 5 where 1 request comes (a learner's curl copying it): served once the
    gathering gives up; a request of no burst, or a header that is not one, waits for nothing."""
    monkeypatch.setattr(origin, "GATHER_MAX", 0.3)
    started = time.monotonic()
    assert _get_slow(lab, 0, "alone 5") == 200
    assert 0.25 < time.monotonic() - started < 5
    for header in (None, "nonsense", "x 0", "x -1", "x 5000", "y" * 40 + " 2"):
        started = time.monotonic()
        assert _get_slow(lab, 0, header) == 200, header
        assert time.monotonic() - started < 0.25, header


def test_forged_burst_names_cannot_pile_up_in_the_origin(
    lab: labkit.Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each name of a burst whose other requests never come is kept until GATHER_MAX has
    passed (here, longer than the test), and no more than MAX_GATHERINGS at once: once that
    many are kept, a request naming yet another burst is not held for it (before the cap it
    is, until the rest of its burst comes)."""
    monkeypatch.setattr(origin, "GATHER_MAX", 600.0)
    lab.origin.capacity = 0  # shed at once: only the count is kept
    for i in range(origin.MAX_GATHERINGS):
        assert _get_slow(lab, 0, f"forged{i} 9") == 503
    lab.origin.capacity = None
    started = time.monotonic()
    assert _get_slow(lab, 0, "one-more 2") == 200
    assert time.monotonic() - started < 5
