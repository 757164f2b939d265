"""Bursts against the origin's capacity (lesson 04): served stays at the capacity, as the lesson says."""

from __future__ import annotations

import labkit
from labkit import load


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
