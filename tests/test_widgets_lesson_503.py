"""Lesson 503's playground, driven without a browser: scenarios, maintenance, bursts."""

from __future__ import annotations

import pytest

import labkit
from labkit import scenarios
from labkit.widgets import Playground


@pytest.mark.parametrize("scenario", [s.id for s in scenarios.for_lesson("503")])
def test_each_scenario_shows_its_status(lab: labkit.Lab, scenario: str) -> None:
    p = Playground(lab, "503")
    p.scenario.value = scenario
    expected = scenarios.get(scenario).status
    assert str(expected) in p.cause.value
    p.run_button.click()
    assert p.message.value == ""
    assert p.inspector.exchange is not None and p.inspector.exchange.status == expected
    assert f"{expected} " in p.inspector.summary.value
    assert "<svg" in p.inspector.picture.value


def test_maintenance_toggle_and_retry_after(lab: labkit.Lab) -> None:
    p = Playground(lab, "503")
    p.maintenance.value = True
    p.retry_after.value = 45
    p.buttons["GET /orders/7"].click()
    assert p.message.value == ""
    ex = p.inspector.exchange
    assert ex is not None and ex.status == 503 and ex.generated_by == "origin"
    assert "Retry-After" in p.inspector.headers.value or "retry-after" in p.inspector.headers.value
    assert "45" in p.inspector.headers.value and "no-store" in p.inspector.headers.value
    assert "503 Service Unavailable" in p.inspector.summary.value
    # the caching mistake: max-age instead of no-store, then the 503 outlives maintenance
    p.cache_mistake.value = True
    p.buttons["GET /orders/7"].click()
    assert "max-age=60" in p.inspector.headers.value
    p.maintenance.value = False
    p.buttons["GET /orders/7"].click()
    assert p.inspector.exchange.status == 503 and "HIT" in p.inspector.headers.value
    p.buttons["purge the gateway cache"].click()
    p.buttons["GET /orders/7"].click()
    assert p.message.value == ""
    assert p.inspector.exchange.status == 200 and "200 OK" in p.inspector.summary.value


def test_burst_against_capacity(lab: labkit.Lab) -> None:
    p = Playground(lab, "503")
    p.capacity.value = 2
    p.burst_size.value = 6
    p.buttons["Burst"].click()
    assert p.message.value == ""
    assert p.progress.max == 6 and p.progress.value == 6
    assert "6 requests" in p.burst_result.value and "shed (503)" in p.burst_result.value
    assert "2 served" in p.burst_result.value
    assert lab.origin.capacity is None  # the burst put the capacity back


def test_errors_are_shown_in_the_panel(lab: labkit.Lab) -> None:
    p = Playground(lab, "503")
    lab.stop()
    p.buttons["GET /orders/7"].click()
    assert "stopped" in p.message.value
