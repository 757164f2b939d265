"""Lesson 06's playground driven without a browser: scenarios, the Version dropdown, the button."""

from __future__ import annotations

import pytest

import labkit
from labkit import scenarios
from labkit.widgets import Playground


@pytest.mark.parametrize("scenario", scenarios.for_lesson("505"), ids=lambda s: s.id)
def test_each_scenario(lab: labkit.Lab, scenario: scenarios.Scenario) -> None:
    p = Playground(lab, "505")
    p.scenario.value = scenario.id
    assert str(scenario.status) in p.cause.value
    p.run_button.click()
    assert p.message.value == ""
    assert p.inspector.exchange is not None
    assert p.inspector.exchange.status == scenario.status
    assert f"<h3 style='margin:4px 0'>{scenario.status} " in p.inspector.summary.value


VERSIONS = {
    "HTTP/1.0": (200, "OK"),
    "HTTP/1.1": (200, "OK"),
    "HTTP/1.2": (200, "OK"),
    "HTTP/2.0": (505, "HTTP Version Not Supported"),
    "HTTP/3.0": (505, "HTTP Version Not Supported"),
    "http/1.1": (400, "Bad Request"),
    "HTTPS/1.1": (400, "Bad Request"),
}


def test_version_dropdown_and_send_button(lab: labkit.Lab) -> None:
    p = Playground(lab, "505")
    assert set(p.version.options) == set(VERSIONS)
    (row,) = p.controls
    version, send = row.children
    assert version is p.version and send.description == "Send the request line"
    for value, (status, reason) in VERSIONS.items():
        p.version.value = value
        send.click()
        assert p.message.value == "", value
        ex = p.inspector.exchange
        assert ex is not None and ex.status == status, value
        assert ex.hop("origin").received is not None
        assert f"{status} {reason}" in p.inspector.summary.value
        assert f"GET /orders/7 {value}" in p.inspector.raw.value


def test_send_sends_the_version_its_press_carries_from_the_browser(lab: labkit.Lab) -> None:
    """In the browser, the version list's own update can reach Python after Send's press
    (jupyter-widgets/ipywidgets#1382; tests/test_browser.py drives the real one): Send sent
    the version Python held. Its press now carries the version the list showed (a Press,
    labkit.widgets.press), and that is what is sent (fails before: Send was a Button)."""
    from labkit.widgets.press import Press

    p = Playground(lab, "505")
    send = p.controls[0].children[1]
    assert isinstance(send, Press)
    p.version.value = "HTTP/2.0"  # what Python holds, the list's update still to come
    send.set_state({"typed_0": p.version.options.index("HTTP/1.1"), "presses": send.presses + 1})
    assert p.status.value.startswith("Sent 'GET /orders/7 HTTP/1.1' to the origin: 200 OK")
    assert "GET /orders/7 HTTP/1.1" in p.inspector.raw.value


def test_505_inspector_tabs(lab: labkit.Lab) -> None:
    p = Playground(lab, "505")
    p.version.value = "HTTP/2.0"
    p.controls[0].children[1].click()
    assert "Supported versions: HTTP/1.0, HTTP/1.1" in p.inspector.body.value
    assert "ALPN" in p.inspector.body.value
    assert "<svg" in p.inspector.picture.value


def test_the_empty_inspector_names_both_ways_to_send(lab: labkit.Lab) -> None:
    """Lesson 06's playground sends by its scenario or by "Send the request line", and its
    empty inspector said only "Nothing sent yet: run a scenario.". Fails before."""
    p = Playground(lab, "505")
    assert (
        "Nothing sent yet: press Run scenario, or Send the request line."
        in p.inspector.summary.value
    )
    zh = labkit.start(lang="zh-CN")
    try:
        shown = Playground(zh, "505").inspector.summary.value
        assert "还没有发送任何请求：请按“运行场景”，或者按“发送请求行”。" in shown, shown
    finally:
        zh.stop()
