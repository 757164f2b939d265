"""Lesson 504's playground, driven without a browser: scenarios, timeout and delay sliders."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from helpers import pressed_as_shown

import labkit
from labkit import scenarios
from labkit.widgets import Playground
from labkit.widgets.number import NumberBox
from labkit.widgets.press import Press


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


def test_a_scenario_runs_as_its_expected_line_says_whatever_was_left_set(
    lab: labkit.Lab,
) -> None:
    """The slow upstream's delay set to 0.1 s on this playground, then '504-slow' run: it
    answered 200 under 'Expected: 504'. A scenario runs on a fresh lab's settings, says what
    it set aside, each once (the slow upstream's delay, which is the delay switch's, was named
    twice: "timeout, delay, slow.delay"), and leaves them as the learner set them."""
    p = Playground(lab, "504")
    p.slow_delay.value = 0.1
    p.read_timeout.value = 0.1
    p.scenario.value = "504-slow"
    p.run_button.click()
    ex = p.inspector.exchange
    assert ex is not None and (ex.status, ex.generated_by) == (504, "gateway"), p.message.value
    assert p.status.value.startswith(
        "Ran 504-slow on a fresh lab's settings (gateway timeouts, the slow upstream's delay "
        "set aside for it, then put back as you left them): 504 Gateway Timeout"
    )
    assert lab.upstreams["slow"].delay == pytest.approx(0.1) and p.slow_delay.value == 0.1
    assert lab.gateway.route("/").read_timeout == pytest.approx(0.1)
    # nothing set aside: said as before
    lab.reset()
    p.run_button.click()
    assert p.status.value.startswith("Ran 504-slow: 504 Gateway Timeout")


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


@pytest.mark.slow
def test_the_slow_upstreams_delay_decides_between_504_and_200(lab: labkit.Lab) -> None:
    """The `delay` switch on the 504 playground: the upstream `slow` longer than its route's read
    timeout gives the gateway's 504, shorter its 200; the value in words; reset puts it back."""
    from labkit.faults import Slow
    from labkit.lab import UPSTREAM_TIMEOUTS

    p = Playground(lab, "504")
    read = UPSTREAM_TIMEOUTS.read  # the route /up/slow/ waits this long for an answer
    route = lab.gateway.route("slow").prefix
    send = p.buttons[f"GET {route} (the slow upstream)"]
    assert p.slow_delay.value == Slow.DELAY.default
    assert p.slow_delay.description == "the slow upstream's delay (s)"
    assert f"answers after {Slow.DELAY.default:g} s" in p.slow_delay_state.value

    p.slow_delay.value = 2 * read
    assert lab.upstreams["slow"].delay == pytest.approx(2 * read)
    assert p.status.value == f"slow upstream: answers after {2 * read:g} s."
    send.click()
    assert p.message.value == ""
    ex = p.inspector.exchange
    assert ex is not None and ex.status == 504 and ex.generated_by == "gateway"
    assert ex.target == route and "504 Gateway Timeout" in p.inspector.summary.value
    assert f"gateway read timeout ({read * 1000:.0f} ms)" in p.timeline.value

    p.slow_delay.value = read / 6
    assert f"answers after {read / 6:g} s" in p.slow_delay_state.value
    send.click()
    ex = p.inspector.exchange
    assert ex is not None and ex.status == 200 and ex.generated_by == "upstream 'slow'"

    lab.reset()
    assert lab.upstreams["slow"].delay == Slow.DELAY.default
    assert lab.get(route).status == 504  # a fresh lab's slow upstream outlasts its route


def test_the_status_line_says_when_the_client_gave_up(lab: labkit.Lab, monkeypatch) -> None:
    """A gateway slower than the client: no byte came, so the playground's status line says the
    client gave up and after how long, the wait it used (a scenario's, or send's own timeout),
    not a bare 'no status line'; in the lab's language."""
    import dataclasses

    from labkit import i18n

    monkeypatch.setattr(scenarios, "CLIENT_TIMEOUT", 0.3)  # the scenario's wait (client_wait)
    # the scenario sets the settings it relies on: here, the slow route waits 2 s, so the slow
    # upstream's 200 (after its default 1 s) comes long after the client gave up at 0.3 s
    slow = scenarios.get("504-slow")
    read = labkit.Timeouts(connect=scenarios.UPSTREAM_TIMEOUTS.connect, read=2.0)
    waits_long = (scenarios.slow_delay(1.0), scenarios.timeouts_of("/up/slow/", read))
    monkeypatch.setitem(
        scenarios.SCENARIOS, slow.id, dataclasses.replace(slow, switches=waits_long)
    )
    p = Playground(lab, "504")
    p.scenario.value = "504-slow"
    ex = p.run()
    assert ex.status is None and p.message.value == ""
    assert p.status.value.startswith("Ran 504-slow")
    assert p.status.value.endswith(
        ": no answer (the client gave up after 0.3 s). The inspector below shows it."
    )
    lab.upstreams["slow"].delay = 3
    lab.gateway.route("slow").read_timeout = 2  # the gateway's 504 comes long after 0.2 s
    p.send("GET", "/up/slow/", timeout=0.2)
    assert p.status.value == (
        "GET /up/slow/ via the gateway: no answer (the client gave up after 0.2 s). "
        "The inspector below shows it."
    )
    p.lang = i18n.CHINESE
    p.send("GET", "/up/slow/", timeout=0.2)
    assert "没有响应（客户端等了 0.2 秒后放弃）" in p.status.value, p.status.value


@pytest.mark.slow
def test_the_origin_delay_box_alone_makes_the_504_the_lesson_promises(lab: labkit.Lab) -> None:
    """The lesson: "504 when the delay is longer than the timeout". The box's most (2 s) was
    route /'s read timeout as a lab starts (2 s), so on a fresh lab no delay it took outlasted
    the gateway. A delay past that timeout is taken now, and GET /slow answers 504 from the
    gateway, with no other control touched (fails before: the box refused it)."""
    from labkit.lab import CLIENT_TIMEOUT, ORIGIN_TIMEOUTS
    from labkit.widgets import SLOW_MAX

    read = lab.gateway.route("/").read_timeout
    assert read == ORIGIN_TIMEOUTS.read < SLOW_MAX < CLIENT_TIMEOUT
    p = Playground(lab, "504")
    longer = f"{read + 0.3:g}"
    p.delay.typed(longer)
    assert p.message.value == ""
    assert p.status.value == f"Origin delay set to {longer} s: press GET /slow to send it."
    p.buttons["GET /slow"].click()
    ex = p.inspector.exchange
    assert ex is not None and ex.target == f"/slow?delay={longer}"
    assert (ex.status, ex.generated_by) == (504, "gateway")


def test_half_a_request_says_why_its_408_page_is_english_in_chinese() -> None:
    """The 408 page a half request gets is English in every language (the origin chooses
    no language from a head that never ended): a Chinese playground showed it without a
    word on why; it says so, and an English one says what it said (fails before)."""
    stall = f"Send half a request to the origin, then nothing for {scenarios.STALL:g} s"
    with labkit.start(lang="zh-CN") as zh_lab:
        p = Playground(zh_lab, "504")
        p.head_timeout.value = 0.3
        p.buttons[stall].click()
        ex = p.inspector.exchange
        assert ex is not None and ex.status == 408, p.message.value
        assert ex.header("Content-Language") == "en"
        assert p.status.value == (
            "向源服务器发送了半个请求并等待：408 Request Timeout，由源服务器生成。"
            f"{scenarios.ENGLISH_PAGE.render('zh-CN')}。详情见下方的检查器。"
        )
    with labkit.start() as lab:
        p = Playground(lab, "504")
        p.head_timeout.value = 0.3
        p.buttons[stall].click()
        assert p.status.value == (
            "Sent half a request to the origin and waited: 408 Request Timeout, made by the "
            "origin. The inspector below shows it."
        )


@pytest.mark.slow  # waits out the client's 2 s on purpose
def test_half_a_request_without_an_answer_says_how_to_get_the_408(lab: labkit.Lab) -> None:
    """With the lab's own head timeout (10 s) the half request got "no answer (the client gave
    up after 2 s)" and no word on what would give the 408 the button is there for: the line
    says the head timeout is not shorter than the wait, and to lower it (fails before)."""
    stall = f"Send half a request to the origin, then nothing for {scenarios.STALL:g} s"
    p = Playground(lab, "504")
    head = lab.origin.head_timeout
    assert head >= scenarios.STALL
    p.buttons[stall].click()
    ex = p.inspector.exchange
    assert ex is not None and ex.status is None, p.message.value
    assert p.status.value == (
        "Sent half a request to the origin and waited: no answer (the client gave up after "
        f"{scenarios.STALL:g} s). The origin's head timeout ({head:g} s) is not shorter than "
        f"the {scenarios.STALL:g} s the client waits, so the origin was still waiting when the "
        f"client gave up: lower it below {scenarios.STALL:g} s in the box above to see the "
        "408. The inspector below shows it."
    )


def test_get_slow_sends_the_delay_its_press_carries_from_the_browser(lab: labkit.Lab) -> None:
    """In the browser, the delay box's words reach Python as the box's own message, which
    can come after GET /slow's press (jupyter-widgets/ipywidgets#1382; tests/test_browser.py
    drives the real one): GET /slow sent the delay Python held, and the box's late message
    then said "Origin delay set to" over the result. The press now carries the words the box
    showed (a Press), read by the box's rule; words it refuses are refused aloud and nothing
    is sent (fails before: GET /slow was a Button)."""
    from labkit.widgets import SLOW_MAX
    from labkit.widgets.press import Press

    p = Playground(lab, "504")
    slow = p.buttons["GET /slow"]
    assert isinstance(slow, Press)
    slow.set_state({"typed_0": "0.2", "presses": slow.presses + 1})  # Python still holds 0.5
    said = p.status.value
    assert said.startswith("GET /slow?delay=0.2 via the gateway: 200 OK"), said
    ex = p.inspector.exchange
    assert ex is not None and ex.target == "/slow?delay=0.2"
    p.delay.from_browser = True  # the box's own message with the words, late
    p.delay.typed("0.2")
    p.delay.from_browser = False
    assert p.delay.value == 0.2 and p.status.value == said
    slow.set_state({"typed_0": "０．３"})  # the box's words copied without a press: said
    assert p.status.value == "Origin delay set to 0.3 s: press GET /slow to send it."
    slow.set_state({"typed_0": "soon", "presses": slow.presses + 1})
    assert p.inspector.exchange is None and p.status.value == ""  # refused: nothing sent
    assert p.message.value.startswith(
        f"Origin delay (s) must be a number of seconds between 0 and {SLOW_MAX:g}, not 'soon'."
    )


def test_words_a_press_refused_are_refused_quietly_by_the_box_and_the_next_press_sends(
    lab: labkit.Lab,
) -> None:
    """A delay past the box's most typed, then GET /slow clicked, and the press handled
    before the box's own message with the words (over subshells the two run on two kernel
    threads: tests/test_browser.py's "refuses what was typed" test failed 1 run in 6 so).
    The press refused the words it carried and said only that, then the box's message said
    the refusal again and made the next press "not done" too: the alert never said "GET
    /slow was not done", and the learner pressed twice more to send (fails before). The
    press now says it was not done, as when the box refused first; the box's late message
    refuses the same words quietly, and the next press sends what the box shows."""
    from labkit.widgets import SLOW_MAX

    p = Playground(lab, "504")
    slow = p.buttons["GET /slow"]
    typed = f"{SLOW_MAX + 0.5:g}"
    slow.set_state({"typed_0": typed, "presses": slow.presses + 1})
    refused = p.message.value
    assert refused.startswith("Origin delay (s) must be") and refused.endswith(
        "GET /slow was not done, so that you read this first: press it again to go ahead"
        " with the values the boxes show."
    ), refused
    p.delay.from_browser = True  # the box's own message with the words, late
    p.delay.typed(typed)
    p.delay.from_browser = False
    assert p.message.value == refused and p.delay.text == "0.5"
    slow.set_state({"typed_0": "0.5", "presses": slow.presses + 1})  # as the box shows
    assert p.status.value.startswith("GET /slow?delay=0.5 via the gateway: 200 OK")
    assert p.message.value == ""


def test_get_slow_applies_the_read_timeout_its_press_carries_before_it_sends(
    lab: labkit.Lab,
) -> None:
    """The read timeout typed in the browser, then GET /slow pressed, and the box's words
    reached Python after the press (jupyter-widgets/ipywidgets#1382): GET /slow went with the
    route's read timeout before, 2 s, and answered 200 for a delay of 0.5 s under a box
    showing 0.2; then the box's late words said "read timeout ..." and emptied the inspector
    over its result. The press now carries every switch box of the playground and applies
    the read timeout it showed before sending: a 504, said after the timeout's line; the
    box's own words, when they come, change nothing and say nothing (fails before)."""
    p = Playground(lab, "504")
    slow = p.buttons["GET /slow"]
    assert isinstance(slow, Press) and isinstance(p.read_timeout, NumberBox)
    said: list[str] = []
    p.status.observe(lambda change: change["new"] and said.append(change["new"]), names="value")
    assert lab.gateway.route("/").read_timeout == pytest.approx(2.0)
    pressed_as_shown(slow, {(p.delay, "text"): "0.5", (p.read_timeout, "text"): "0.2"})
    assert lab.gateway.route("/").read_timeout == pytest.approx(0.2)
    assert p.read_timeout.value == 0.2
    ex = p.inspector.exchange
    assert ex is not None and (ex.status, ex.generated_by) == (504, "gateway"), p.message.value
    assert said[-2] == "route /: connect timeout 0.5 s, read timeout 0.2 s.", said
    assert said[-1].startswith("GET /slow?delay=0.5 via the gateway: 504 Gateway Timeout"), said
    p.read_timeout.from_browser = True  # the box's own message with the words, late
    p.read_timeout.typed("0.2")
    p.read_timeout.from_browser = False
    assert said[-1].startswith("GET /slow?delay=0.5 via the gateway: 504"), said
    assert p.inspector.exchange is ex
    # typed again later, as any learner may: applied and confirmed, as before
    p.read_timeout.from_browser = True
    p.read_timeout.typed("0.2")
    p.read_timeout.from_browser = False
    assert said[-1] == "route /: connect timeout 0.5 s, read timeout 0.2 s.", said


def test_a_carried_switch_box_whose_words_are_refused_sends_nothing(lab: labkit.Lab) -> None:
    """GET /slow pressed while the read timeout box showed words it refuses, not yet read
    in Python: refused aloud, as the box says them, and nothing sent."""
    p = Playground(lab, "504")
    slow = p.buttons["GET /slow"]
    assert isinstance(slow, Press)
    pressed_as_shown(slow, {(p.read_timeout, "text"): "soon"})
    assert p.inspector.exchange is None and p.status.value == ""
    assert p.message.value.startswith("Gateway read timeout (s) must be"), p.message.value
    assert "'soon'" in p.message.value
    assert lab.gateway.route("/").read_timeout == pytest.approx(2.0)


def test_half_a_request_applies_the_head_timeout_its_press_carries(lab: labkit.Lab) -> None:
    """The origin's head timeout typed as 1 s, then "Send half a request" pressed before the
    box's words reached Python: the request went with the lab's 10 s, and got no answer under
    a box showing 1 (fails before). The press carries the box and applies it first: 408."""
    stall = f"Send half a request to the origin, then nothing for {scenarios.STALL:g} s"
    p = Playground(lab, "504")
    half = p.buttons[stall]
    assert isinstance(half, Press) and isinstance(p.head_timeout, NumberBox)
    pressed_as_shown(half, {(p.head_timeout, "text"): "1"})
    assert lab.origin.head_timeout == 1 and p.head_timeout.value == 1
    ex = p.inspector.exchange
    assert ex is not None and ex.status == 408, (p.status.value, p.message.value)
