"""Lesson 502's widgets without a browser: the Playground and the gateways side by side."""

from __future__ import annotations

import dataclasses
import html

import pytest

import labkit
from labkit import personalities, scenarios
from labkit.conditions import Condition
from labkit.faults import FAULTS
from labkit.widgets import GatewaysCompared, Playground


def test_playground_runs_every_502_scenario(lab) -> None:
    p = Playground(lab, "502")
    ids = [value for _, value in p.scenario.options]
    assert ids == [s.id for s in scenarios.for_lesson("502")]
    for sid in ids:
        p.scenario.value = sid
        expected = scenarios.get(sid)
        assert str(expected.status) in p.cause.value
        p.run_button.click()
        assert p.message.value == "", p.message.value
        ex = p.inspector.exchange
        assert ex is not None and ex.status == expected.status, sid
        assert f"{ex.status} {ex.reason}" in p.inspector.summary.value
        if expected.made_by == "gateway":
            assert ex.generated_by == "gateway"
            assert "labkit-gateway" in p.inspector.headers.value
        assert "<svg" in p.inspector.picture.value


def test_playground_shows_the_relayed_500_and_the_cut_body(lab) -> None:
    p = Playground(lab, "502")
    p.scenario.value = "500-relayed-not-502"
    p.run_button.click()
    assert p.inspector.exchange.generated_by == "origin"
    assert "labkit-origin" in p.inspector.headers.value
    p.scenario.value = "200-body-cut-after-headers"
    p.run_button.click()
    assert p.message.value == ""
    assert "RemoteProtocolError" in p.inspector.summary.value


def expected_status(answer: personalities.Answer) -> int | None:
    """What the client's status line says for one table entry."""
    if answer.kind == "http09":
        return None  # no status line at all
    if answer.kind == "cut":
        return 200  # the upstream's own status, relayed before the body broke off
    return answer.status


def status_of(cell: str) -> int | None:
    first = cell.split(" ", 1)[0]
    return int(first) if first.isdigit() else None


FAULT_NAMES = [name for name, f in FAULTS.items() if f.condition is not None] + ["pool"]


@pytest.mark.slow
@pytest.mark.parametrize("fault", FAULT_NAMES)
def test_gateways_compared_matches_the_personalities_tables(lab, fault) -> None:
    g = GatewaysCompared(lab)
    assert fault in [value for _, value in g.fault.options]
    g.fault.value = fault
    g.run_button.click()
    assert g.message.value == "", g.message.value
    condition = Condition.NO_HEALTHY_UPSTREAM if fault == "pool" else FAULTS[fault].condition
    by_title = {p.title: p for p in personalities.PERSONALITIES.values()}
    assert [row[0] for row in g.rows] == [p.title for p in personalities.PERSONALITIES.values()]
    for title, client_sees, why in g.rows:
        answer = by_title[title].answer(condition)
        assert status_of(client_sees) == expected_status(answer), (title, client_sees, why)
        if answer.kind in ("page", "http09"):
            assert answer.log in why, (title, why)
        assert client_sees in g.table.value or "passthrough" in g.table.value
    assert lab.gateway.personality == "rfc"  # put back after the comparison


def test_gateways_compared_refused_disagree(lab) -> None:
    g = GatewaysCompared(lab)
    g.fault.value = "refused"
    rows = g.run()
    statuses = {
        name: status_of(cell) for name, (_, cell, _) in zip(g.personalities, rows, strict=True)
    }
    assert statuses == {"rfc": 502, "nginx": 502, "haproxy": 503, "envoy": 503, "caddy": 502}
    assert "503 UF" in g.table.value and "503 SC--" in g.table.value


@pytest.mark.slow  # five answers over a second each, by design
def test_a_client_waits_for_an_answer_that_takes_over_a_second(lab, monkeypatch) -> None:
    """On a busy hub (or with a timeout the learner lengthened) a gateway's answer can take
    longer than the 1 s a client gives a gateway that passes garbage on: the comparison, the
    scenario and the capstone's incidents (scenarios.client_wait) still show the status the
    gateway sent. The scenario's client gave up at 1 s and showed no status line."""
    assert scenarios.FAULT_CLIENT_TIMEOUT < 1.1
    lab.upstreams["slow"].delay = 3
    lab.gateway.route("slow").read_timeout = 1.1  # every answer comes after the 1 s
    g = GatewaysCompared(lab)
    g.fault.value = "slow"
    rows = g.run()
    statuses = [status_of(cell) for _, cell, _ in rows]
    assert statuses == [504] * len(personalities.PERSONALITIES), rows
    # a scenario sets the timeouts it relies on (the learner's are put back after it): one
    # whose route waits 1.1 s
    slow = scenarios.get("504-slow")
    waits = labkit.Timeouts(connect=scenarios.UPSTREAM_TIMEOUTS.connect, read=1.1)
    relies_on = (scenarios.slow_delay(3), scenarios.timeouts_of("/up/slow/", waits))
    monkeypatch.setitem(scenarios.SCENARIOS, slow.id, dataclasses.replace(slow, switches=relies_on))
    ex = scenarios.run("504-slow", lab)
    assert (ex.status, ex.generated_by) == (504, "gateway") and ex.elapsed >= 1.1, ex


@pytest.mark.slow  # a client's 0.3 s wait for each gateway, then the 2 s ones end
def test_gateways_compared_says_when_the_client_gave_up_on_silence(lab, monkeypatch) -> None:
    """A gateway slower than the client: no byte came, so the row says the client gave up and
    after how long (the comparison's own wait), never 'HTTP/0.9 passthrough', which is for
    bytes that came without a status line (nginx and garbage, in the same table)."""
    # the comparison's wait (scenarios.client_wait), shorter than the gateway's 2 s
    monkeypatch.setattr(scenarios, "CLIENT_TIMEOUT", 0.3)
    lab.upstreams["slow"].delay = 3
    lab.gateway.route("slow").read_timeout = 2
    g = GatewaysCompared(lab)
    g.fault.value = "slow"
    rows = g.run()
    assert [cell for _, cell, _ in rows] == ["no answer (the client gave up after 0.3 s)"] * len(
        personalities.PERSONALITIES
    ), rows
    g.fault.value = "garbage"
    nginx = {title: cell for title, cell, _ in g.run()}[personalities.get("nginx").title]
    assert nginx == "no status line (HTTP/0.9 passthrough)"


def test_the_cause_says_whose_it_is_when_another_gateway_is_chosen(lab):
    """502-garbage's cause says the gateway cannot relay the garbage: true of the lab's default
    gateway, not of nginx, which relays it as HTTP/0.9. With nginx chosen the line stood as it
    was above nginx's answer; now it says whose reading it is (the expectation is nginx's)."""
    p = Playground(lab, "502")
    p.scenario.value = "502-garbage"
    assert p.cause.value.startswith("<b>Cause:</b> the upstream sends bytes that are not HTTP")
    p.personality.value = "nginx"
    assert p.cause.value.startswith(
        "<b>Cause</b> (with the lab's default gateway): the upstream sends bytes"
    )
    assert "<b>Expected:</b> no valid status line with the gateway behaving like nginx." in (
        p.cause.value
    )


def test_the_personality_options_are_the_names_and_what_each_is_stands_above(lab) -> None:
    """A closed drop-down 320 px wide showed "rfc: the RFC reading (the lab…": its options
    were each gateway's name and description. The options are now the names Python and
    `labkit ctl personality` take, and the list right above the drop-down says what each is."""
    p = Playground(lab, "502")
    assert list(p.personality.options) == list(personalities.PERSONALITIES)
    controls = p.switch_controls["personality"]
    assert controls.children[1] is p.personality
    line = controls.children[0].value
    for name, person in personalities.PERSONALITIES.items():
        words = html.escape(person.label.render("en"))
        assert f"<li><code>{name}</code>: {words}</li>" in line, line
