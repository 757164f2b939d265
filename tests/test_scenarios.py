"""Every scenario of the catalogue produces its status, made by the right hop, on a fresh lab."""

from __future__ import annotations

import xml.dom.minidom

import pytest

import labkit
from labkit import i18n, scenarios
from labkit.recorder import Kind, Role

IDS = list(scenarios.SCENARIOS)


def _words(node) -> str:
    """Every word inside a picture's text element: a long lane name's lines are tspans."""
    return "".join(c.data if c.nodeType == c.TEXT_NODE else _words(c) for c in node.childNodes)


@pytest.mark.parametrize("scenario_id", IDS)
def test_scenario_produces_its_status_and_draws_a_valid_svg(
    lab: labkit.Lab, scenario_id: str
) -> None:
    scenario = scenarios.get(scenario_id)
    exchange = scenario.run(lab)
    assert exchange.status == scenario.status, repr(exchange)
    assert exchange.generated_by == scenario.made_by, repr(exchange)
    # its picture: well-formed XML that renders anywhere, naming the client and the status
    svg = exchange.picture()._repr_svg_()
    doc = xml.dom.minidom.parseString(svg)
    texts = " ".join(_words(t) for t in doc.getElementsByTagName("text"))
    assert "client" in texts
    if exchange.status is not None:
        assert str(exchange.status) in texts, scenario_id
    assert repr(exchange.picture()) == repr(exchange)  # the text fallback tells the same story
    # the gateway's notes (each forwarded request, each answer or failure, a retry, a cache
    # hit) are made from messages, so a Chinese panel says them in Chinese: an f-string
    # here was English in every language (docs/i18n.md)
    notes = [e for h in exchange.hops for e in h.events if e.kind in (Kind.UPSTREAM, Kind.CACHE)]
    # what a misbehaving upstream is recorded to have sent: its bytes in words ("..., then
    # FIN (closed)", "RST (connection reset, nothing sent)")
    notes += [h.sent for h in exchange.hops if h.role is Role.UPSTREAM and h.sent is not None]
    english = [e.summary for e in notes if not isinstance(e.summary, i18n.Said)]
    assert not english, f"{scenario_id}: notes not said from a message: {english}"
    NOTED.update(e.kind for e in notes if e.kind is not Kind.SENT)
    # and so is why the lab's own servers answered as they did (ex.why: the "why" line)
    own = [h for h in exchange.hops if h.generated and h.sent is not None and h.sent.why]
    plain = [h.sent.why for h in own if not isinstance(h.sent.why, i18n.Said)]
    assert not plain, f"{scenario_id}: whys not said from a message: {plain}"


NOTED: set[Kind] = set()  # the kinds of notes the scenarios above made


def test_the_scenarios_make_every_kind_of_gateway_note() -> None:
    """The check above saw a forwarded request, an answer and a cache hit at least."""
    if len(NOTED) < 2:
        pytest.skip("run with the scenarios above")
    assert NOTED == {Kind.UPSTREAM, Kind.CACHE}


@pytest.mark.slow
def test_scenarios_put_the_lab_back(lab: labkit.Lab) -> None:
    for scenario in scenarios.SCENARIOS.values():
        scenario.run(lab)
    assert lab.get("/orders/7").status == 200
    assert lab.get("/generate_204", via="portal").status == 511
    assert lab.get("/slow?delay=0.4").status == 200  # the 504 scenario restored the timeout


def test_a_scenario_shows_its_status_whatever_the_learner_set_before(lab: labkit.Lab) -> None:
    """Lesson 05 run out of order: after q2's set-up cell (the slow upstream at 0.4 s) and the
    learner's answer (its route waiting 1 s), cell 6's `scenarios.run("504-slow", lab)` gave
    (200, "upstream 'slow'") under prose that says 504. A scenario names the fresh lab's
    settings it relies on, and puts the learner's back as they were; a chosen personality
    still applies (lessons 03 and 09 run scenarios under one)."""
    from labkit import switches
    from labkit.exercises.lesson_504 import EXERCISE_DELAY

    lab.upstreams["slow"].delay = EXERCISE_DELAY
    lab.gateway.route("slow").read_timeout = 1.0
    lab.gateway.route("blackhole").connect_timeout = 30.0  # a client would give up first
    before = switches.save(lab)
    for scenario_id in ("504-slow", "504-blackhole"):
        ex = scenarios.run(scenario_id, lab)
        assert (ex.status, ex.generated_by) == (504, "gateway"), (scenario_id, repr(ex))
    assert switches.save(lab) == before  # the learner's settings, as they left them
    assert lab.upstreams["slow"].delay == EXERCISE_DELAY
    lab.gateway.personality = "haproxy"
    ex = scenarios.run("504-slow", lab)
    assert ex.status == scenarios.get("504-slow").expected("haproxy")
    assert lab.gateway.personality == "haproxy"


def test_no_healthy_upstream_cause_says_what_the_gateway_observed(lab: labkit.Lab) -> None:
    """The catalogue's cause quotes the gateway's own 503 page for the lab's pool, so a pool of
    another size changes both; in English and in Chinese."""
    from labkit import i18n

    scenario = scenarios.get("503-no-healthy-upstream")
    ex = scenario.run(lab)
    for lang in (i18n.ENGLISH, i18n.CHINESE):
        page = lab.get("/pool/", headers={"Accept-Language": lang}).text
        observed = scenario.cause.render(lang).split(", so" if lang == i18n.ENGLISH else "，")[0]
        assert observed in page, (observed, page)
    assert scenario.cause.render(i18n.ENGLISH) == (
        "the health checks mark both targets of 'pool' as down, so the gateway tries none "
        "and answers 503 at once"
    )
    assert ex.status == 503


def test_a_request_line_a_cause_quotes_is_the_one_its_scenario_sends() -> None:
    """505-http2-request-line's cause said "'GET / HTTP/2.0' is not how HTTP/2 starts" above
    the inspector's GET /orders/7 HTTP/2.0, the line it sends."""
    import re

    quoted = 0
    for s in scenarios.SCENARIOS.values():
        if isinstance(s.request, scenarios.Raw):
            sent = s.request.data.split(b"\r\n")[0].decode("latin-1")
        else:
            sent = f"{s.request.method} {s.request.path} HTTP/1.1"
        for line in re.findall(r"'([A-Za-z]+ \S+ [A-Za-z]+/\S+)'", str(s.cause)):
            quoted += 1
            assert line == sent, f"{s.id}'s cause quotes {line!r}; it sends {sent!r}"
    assert quoted


def test_catalogue_covers_every_lesson_status() -> None:
    statuses = {s.status for s in scenarios.SCENARIOS.values()}
    assert len(scenarios.SCENARIOS) >= 25
    assert {500, 501, 502, 503, 504, 505, 511, 405, 408, 426, 429} <= statuses
    for lesson in scenarios.LESSONS:
        assert any(s.status == int(lesson) for s in scenarios.for_lesson(lesson))


def test_every_upstream_fault_has_a_scenario(lab: labkit.Lab) -> None:
    exercised = {s.upstream for s in scenarios.SCENARIOS.values() if s.upstream}
    assert exercised == set(lab.upstreams) - {"ok"}


def test_run_by_id(lab: labkit.Lab) -> None:
    exchange = scenarios.run("502-garbage", lab)
    assert exchange.status == 502
    assert "not start with a valid HTTP status line" in exchange.why


def test_hold_busy_keeps_the_origin_busy_until_the_hold_is_released(lab: labkit.Lab) -> None:
    """The public helper the capstone uses: the origin counts the held requests, so a request
    beyond its capacity is shed with a 503, however long it comes after; once the hold switch
    is off, the held requests are answered and the origin answers again."""
    threads = scenarios.hold_busy(lab, 2)
    try:
        assert lab.origin.hold and lab.origin.in_flight == 2
        lab.origin.capacity = 2
        shed = lab.get("/orders/7", via="origin")
        assert (shed.status, shed.generated_by) == (503, "origin"), repr(shed)
        assert lab.origin.in_flight == 2  # still held
    finally:
        lab.origin.hold = False
        for t in threads:
            t.join(timeout=5)
    assert not any(t.is_alive() for t in threads)
    assert lab.origin.in_flight == 0
    assert lab.get("/orders/7", via="origin").status == 200


def test_busy_answers_at_once_without_a_hold(lab: labkit.Lab) -> None:
    ex = lab.get("/busy", via="origin")
    assert (ex.status, ex.text) == (200, "not held: the hold is off\n")
