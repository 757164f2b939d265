"""Lesson 504's playground, driven without a browser: scenarios, timeout and delay sliders."""

from __future__ import annotations

from http import HTTPStatus

import pytest

import labkit
from labkit import scenarios
from labkit.widgets import Playground


@pytest.mark.parametrize("scenario", [s.id for s in scenarios.for_lesson("504")])
def test_each_scenario_shows_its_status(lab: labkit.Lab, scenario: str) -> None:
    """The lesson's 504s, and the 408 it teaches beside them, each from the hop that makes it."""
    expected = scenarios.get(scenario)
    p = Playground(lab, "504")
    p.scenario.value = scenario
    p.run_button.click()
    assert p.message.value == ""
    ex = p.inspector.exchange
    assert ex is not None and ex.status == expected.status
    assert ex.generated_by == expected.made_by
    assert f"{expected.status} {HTTPStatus(expected.status).phrase}" in p.inspector.summary.value
    assert expected.made_by in p.inspector.summary.value


def test_sliders_decide_between_504_and_200(lab: labkit.Lab) -> None:
    p = Playground(lab, "504")
    slow = p.buttons["GET /slow"]
    p.read_timeout.value = 0.2
    p.delay.value = 0.4
    assert lab.gateway.route("/").read_timeout == pytest.approx(0.2)
    slow.click()
    assert p.message.value == ""
    ex = p.inspector.exchange
    assert ex is not None and ex.status == 504 and ex.generated_by == "gateway"
    assert ex.target == "/slow?delay=0.4"
    assert "504 Gateway Timeout" in p.inspector.summary.value
    first_picture = p.timeline.value
    assert "data:image/png;base64," in first_picture and len(first_picture) > 1000
    # the text alternative lists the numbers and the gateway's clock
    assert (
        "gateway: answered 504" in first_picture
        and "gateway read timeout (200 ms)" in first_picture
    )

    p.read_timeout.value = 0.5
    p.delay.value = 0.1
    slow.click()
    assert p.message.value == ""
    ex = p.inspector.exchange
    assert ex is not None and ex.status == 200 and ex.generated_by == "origin"
    assert "200 OK" in p.inspector.summary.value
    assert len(p.timeline.value) > 1000 and p.timeline.value != first_picture
