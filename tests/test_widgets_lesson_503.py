"""Lesson 503's playground, driven without a browser: scenarios, maintenance, bursts."""

from __future__ import annotations

import pytest
from helpers import pressed_as_shown

import labkit
from labkit import scenarios
from labkit.load import MAX_BURST
from labkit.widgets import Playground
from labkit.widgets.press import Press


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
    assert p.progress.layout.display == "none"  # no "burst sent" bar before a burst is sent
    p.buttons["Burst"].click()
    assert p.message.value == ""
    assert p.progress.max == 6 and p.progress.value == 6 and p.progress.layout.display is None
    # the bar's words, which a screen reader reads (aria-valuetext) and the page shows beside it
    assert p.progress.said == "6 of 6 requests answered"
    assert p.progress.description == "burst sent"
    assert "6 requests" in p.burst_result.value and "shed (503)" in p.burst_result.value
    assert "2 served" in p.burst_result.value
    assert lab.origin.capacity is None  # the burst put the capacity back


def test_errors_are_shown_in_the_panel(lab: labkit.Lab) -> None:
    p = Playground(lab, "503")
    lab.stop()
    p.buttons["GET /orders/7"].click()
    assert "stopped" in p.message.value


def test_the_rate_limit_control_decides_which_request_gets_429(lab: labkit.Lab) -> None:
    """The rate-limit switch on the playground where 429 is taught: its value in words, then
    the request after the limit, within the window, is the origin's 429; reset puts it back."""
    from labkit.origin import RATE_LIMIT, RATE_PATH
    from labkit.widgets import PLAYGROUND_API_KEY

    p = Playground(lab, "503")
    quote = p.buttons[f"GET {RATE_PATH} with X-Api-Key: {PLAYGROUND_API_KEY}"]
    assert p.rate_limit.value == RATE_LIMIT
    assert f"rate limit: {RATE_LIMIT} requests to {RATE_PATH}" in p.rate_limit_state.value

    def statuses(n: int) -> list[int | None]:
        out = []
        for _ in range(n):
            quote.click()
            assert p.message.value == ""
            out.append(p.inspector.exchange.status)
        return out

    p.rate_limit.value = 2
    assert lab.origin.rate_limit == 2
    assert p.status.value.startswith("rate limit: 2 requests to /api/quote")
    assert "every key's count forgotten" in p.status.value
    assert "rate limit: 2 requests" in p.rate_limit_state.value
    assert statuses(3) == [200, 200, 429]
    ex = p.inspector.exchange
    assert ex.generated_by == "origin" and "429 Too Many Requests" in p.status.value
    assert "Retry-After" in p.inspector.headers.value or "retry-after" in p.inspector.headers.value
    assert lab.get(RATE_PATH, headers={"X-Api-Key": "someone-else"}).status == 200

    p.rate_limit.value = RATE_LIMIT  # a new limit forgets the counts: the 4th gets 429
    assert statuses(RATE_LIMIT + 1) == [200] * RATE_LIMIT + [429]

    p.rate_limit.value = 1
    lab.reset()
    assert lab.origin.rate_limit == RATE_LIMIT
    assert statuses(1) == [200]  # reset forgot the count and the limit of 1
    assert p.rate_limit.value == RATE_LIMIT  # the control follows the lab it was reset to
    assert f"rate limit: {RATE_LIMIT} requests" in p.rate_limit_state.value


def test_the_capacity_is_this_playgrounds_own_and_says_so(lab: labkit.Lab) -> None:
    """capacity is a per-playground switch (the table says so): its control, from the table,
    sets the origin's capacity for this playground's requests only, shown in words beside the
    lab's own; 'unlimited' is its checkbox; the lab and later cells never see it."""
    from labkit import switches
    from labkit.widgets import BURST_CAPACITY

    param = switches.get("capacity").param("value")
    p = Playground(lab, "503")
    assert p.capacity.value == BURST_CAPACITY and p.capacity.description == param.title
    p.capacity.value = -5  # refused in words with the table's range, not clamped to 0
    assert p.message.value == (
        f"Capacity (requests at once) must be a whole number from {param.minimum:g} to "
        f"{param.maximum:g}, or None (unlimited), not -5."
    )
    assert p.capacity.value == BURST_CAPACITY and p.capacity.number.value == BURST_CAPACITY
    assert p.capacity_state.value == (
        f"<p class='labkit-hint'>On this playground only: capacity: {BURST_CAPACITY} at once. "
        "The lab, in the other cells: capacity: unlimited.</p>"
    )
    p.capacity.value = 0  # sheds everything this playground sends to the origin
    assert p.status.value == "On this playground only: capacity: 0 at once."
    p.buttons["GET /orders/7"].click()
    ex = p.inspector.exchange
    assert ex is not None and ex.status == 503 and ex.generated_by == "origin"
    assert lab.origin.capacity is None and lab.get("/orders/7").status == 200
    p.capacity.none.value = True  # the table's None: unlimited
    assert p.capacity.value is None and p.capacity.number.disabled
    # the lab has no limit either: the same, not "on this playground only" (it said so)
    assert p.status.value == "capacity: unlimited, as the lab has it."
    assert p.capacity_state.value == (
        "<p class='labkit-hint'>capacity: unlimited, as the lab has it. A change here applies "
        "to this playground&#x27;s requests only.</p>"
    )
    p.burst_size.value = 4
    p.buttons["Burst"].click()
    assert "4 served" in p.burst_result.value
    # one sentence, not "Burst at unlimited capacity: 4 requests: ..." with two colons
    assert p.status.value == (
        "Burst at unlimited capacity, 4 requests: 4 served (200), 0 shed (503)."
    )
    assert lab.origin.capacity is None
    assert Playground(lab, "503").capacity.value == BURST_CAPACITY  # a new one starts afresh


def test_a_nullable_switch_parameter_has_its_none_as_a_checkbox(lab: labkit.Lab) -> None:
    """Retry-After is nullable in the table: its control ticks 'no Retry-After' (the table's
    words for None), and the 503 then goes out without one; unticked, the number is back."""
    p = Playground(lab, "503")
    p.maintenance.value = True
    assert p.retry_after.none.description == "no Retry-After"
    p.retry_after.none.value = True
    assert p.retry_after.value is None and p.status.value == "maintenance: on, no Retry-After."
    p.buttons["GET /orders/7"].click()
    ex = p.inspector.exchange
    assert ex is not None and ex.status == 503 and ex.header("Retry-After") is None
    p.retry_after.none.value = False
    assert p.retry_after.value == 120 and "Retry-After 120" in p.maintenance_state.value
    p.buttons["GET /orders/7"].click()
    assert p.inspector.exchange.header("Retry-After") == "120"


def test_a_burst_during_maintenance_is_not_called_load_shedding(lab: labkit.Lab) -> None:
    """Maintenance on, then Burst: '0 served (200), 10 shed (503)', maintenance's 503s counted
    as load shedding. Said as what they are; with maintenance off the burst sheds."""
    p = Playground(lab, "503")
    p.maintenance.value = True
    p.buttons["Burst"].click()
    line = (
        "10 requests with maintenance on: 10 answered 503 by maintenance, which answers "
        "before any load is counted, so none was shed; turn maintenance off to see load shedding"
    )
    assert p.message.value == "" and p.burst_result.value == line
    assert p.status.value == f"Burst at capacity 3, {line}."
    p.maintenance.value = False
    p.buttons["Burst"].click()
    assert p.message.value == "" and " shed (503)" in p.burst_result.value
    assert "maintenance" not in p.burst_result.value


@pytest.mark.slow
def test_a_burst_result_is_cleared_once_it_no_longer_shows_the_lab(lab: labkit.Lab) -> None:
    """A burst at capacity 3, then the capacity set to 5: its line '3 served (200)' stayed under
    a box saying 5, and under the results of the requests sent after it. It is cleared as
    the inspector and the 504 timeline are: by a change of switch, a request, an error."""
    p = Playground(lab, "503")

    def burst() -> None:
        p.buttons["Burst"].click()
        assert "3 served (200)" in p.burst_result.value and p.progress.layout.display is None

    for later in (
        lambda: setattr(p.capacity, "value", 5),
        lambda: p.buttons["GET /orders/7"].click(),
        lambda: setattr(p.maintenance, "value", True),
        lambda: p.refuse(labkit.BadArgument("a number box refused what was typed")),
    ):
        p.capacity.value = 3
        lab.origin.maintenance(False)
        burst()
        later()
        assert p.burst_result.value == "" and p.progress.layout.display == "none"


def test_load_shedding_is_shown_with_maintenance_left_on(lab: labkit.Lab) -> None:
    """Maintenance on, then '503-load-shedding' run: its held request never reached a busy
    origin (maintenance answered it) and the alert asked whether the machine was overloaded.
    The scenario sheds as its cause says, and maintenance is on again afterwards."""
    p = Playground(lab, "503")
    p.maintenance.value = True
    p.scenario.value = "503-load-shedding"
    p.run_button.click()
    ex = p.inspector.exchange
    assert p.message.value == "" and ex is not None and ex.status == 503
    assert "maintenance" not in ex.why and "maintenance set aside" in p.status.value, ex.why
    assert lab.origin.in_maintenance and p.maintenance.value is True


def test_a_scenario_says_that_it_emptied_the_gateway_cache(lab: labkit.Lab) -> None:
    """A scenario runs on a fresh lab's settings, the cache emptied (a stored 503 would answer
    its request in the origin's place): the learner's stored answer is gone, and the line
    says so with the switches set aside."""
    p = Playground(lab, "503")
    p.maintenance.value = True
    p.cache_mistake.value = True
    p.buttons["GET /orders/7"].click()  # stored: the caching mistake
    p.scenario.value = "503-maintenance"
    p.run_button.click()
    assert p.status.value.startswith(
        "Ran 503-maintenance on a fresh lab's settings (maintenance set aside for it, then put "
        "back as you left them; gateway cache emptied: 1 entry): 503 Service Unavailable, "
        "made by the origin."
    ), p.status.value
    p.run_button.click()  # nothing stored, nothing set aside but maintenance
    assert "cache emptied" not in p.status.value


def test_a_setting_changed_while_maintenance_is_off_is_confirmed(lab: labkit.Lab) -> None:
    """With maintenance off, a new Retry-After, 'no Retry-After' or the caching mistake was
    answered 'maintenance: off.', the line before it: nothing said the change was kept. It
    is, for when maintenance is turned on."""
    p = Playground(lab, "503")
    pending = "maintenance: off; the change takes effect once it is on."
    for change in (
        lambda: setattr(p.retry_after, "value", 30),
        lambda: setattr(p.retry_after.none, "value", True),
        lambda: setattr(p.retry_after.none, "value", False),
        lambda: setattr(p.cache_mistake, "value", True),
    ):
        change()
        assert (p.status.value, p.message.value) == (pending, "")
        assert "maintenance: off" in p.maintenance_state.value and not lab.origin.in_maintenance
    p.maintenance.value = True  # the toggle itself is said as it is, with what was kept
    assert p.status.value == (
        "maintenance: on, Retry-After 30, Cache-Control max-age=60 (the caching mistake)."
    )
    p.maintenance.value = False
    assert p.status.value == "maintenance: off."


def test_a_chinese_playground_says_only_where_it_differs_from_the_lab() -> None:
    """Lesson 04 in Chinese said 仅在这个练习场：容量：不限 beside a lab without a limit
    either; it says the value is the lab's, and "only here" again once it differs."""
    with labkit.start(lang="zh-CN") as lab:
        p = Playground(lab, "503")
        p.capacity.none.value = True
        assert p.status.value.startswith("容量：不限，与实验室当前的设置相同"), p.status.value
        assert "仅在这个练习场" not in p.capacity_state.value, p.capacity_state.value
        p.capacity.none.value = False
        assert p.status.value.startswith("仅在这个练习场："), p.status.value
        assert "仅在这个练习场" in p.capacity_state.value


def test_the_hold_checkbox_says_what_it_is_for(lab: labkit.Lab) -> None:
    """Nothing on this playground sends GET /busy, so turning the hold on changed nothing a
    learner could see: its line said only "GET /busy waits" (fails before). It says what a
    hold does to the next request and where to see it: a scenario this playground runs."""
    p = Playground(lab, "503")
    p.hold.value = True
    said = p.status.value
    assert said.startswith("hold: on (GET /busy waits until the hold is off"), said
    assert (
        "each request held takes one of the origin's places, so once as many are held as its "
        "capacity the next request is shed (503): the scenario 503-load-shedding shows it; or, "
        "from a terminal, give the origin a capacity (labkit ctl capacity 1), send GET /busy in "
        "the background (curl ... &), then another request"
    ) in said, said
    assert "503-load-shedding" in [value for _, value in p.scenario.options]
    assert scenarios.get("503-load-shedding").busy, "the scenario named holds a request"
    assert "hold: on" in p.hold_state.value and "places" not in p.hold_state.value
    p.hold.value = False
    assert p.status.value.startswith("hold: off") and not lab.origin.hold


def test_the_hold_checkbox_says_what_it_is_for_in_chinese() -> None:
    with labkit.start(lang="zh-CN") as lab:
        p = Playground(lab, "503")
        p.hold.value = True
        assert p.status.value.startswith("挂起：开（GET /busy 会一直等到挂起关闭"), p.status.value
        assert "下一个请求会被卸载（503）：场景 503-load-shedding 演示了这一点" in p.status.value
        p.hold.value = False


def test_burst_sends_the_size_its_press_carries_and_says_a_size_in_order(
    lab: labkit.Lab,
) -> None:
    """In the browser, the size box's words reach Python as the box's own message, which can
    come after Burst's press (jupyter-widgets/ipywidgets#1382; tests/test_browser.py drives
    the real one): Burst sent the size Python held, and the box's late message said "Burst
    size set to" over the burst's result. Burst now carries the words the box showed (a
    Press), and a size typed there is said from Burst's copy of them, in order with the
    presses; the box's own message says nothing (fails before: Burst was a Button)."""
    from labkit.widgets.press import Press

    p = Playground(lab, "503")
    burst = p.buttons["Burst"]
    assert isinstance(burst, Press)
    burst.set_state({"typed_0": "4"})  # Burst's copy of the box's words: said
    assert p.status.value == "Burst size set to 4: press Burst to send it."
    burst.set_state({"typed_0": "5", "presses": burst.presses + 1})  # Python holds 10
    said = p.status.value
    assert said == "Burst at capacity 3, 5 requests: 3 served (200), 2 shed (503).", said
    p.burst_size.from_browser = True  # the box's own message with the words, late
    p.burst_size.typed("5")
    p.burst_size.from_browser = False
    assert p.burst_size.value == 5 and p.status.value == said
    burst.set_state({"typed_0": "many", "presses": burst.presses + 1})
    # refused ahead of the box's own message with them: not done, said so
    assert p.status.value == "" and p.message.value == (
        f"Burst size (requests) must be a whole number from 1 to {MAX_BURST}, not 'many'. Burst"
        " was not done, so that you read this first: press it again to go ahead with the values"
        " the boxes show."
    )
    p.burst_size.value = 6  # set from Python: said here, and its copy is no change
    assert p.status.value == "Burst size set to 6: press Burst to send it."


def test_burst_applies_the_capacity_its_press_carries_before_it_bursts(lab: labkit.Lab) -> None:
    """The capacity's "unlimited" ticked and cleared in the browser, then Burst pressed, and
    the checkbox's second change reached Python after the press (ipywidgets holds it back
    while the first is unanswered, jupyter-widgets/ipywidgets#1382; tests/test_browser.py
    drives the real one): the burst went at unlimited capacity, none shed, under a box
    showing 3, and the late change then said the capacity over the burst's result. Burst
    now carries the capacity's boxes and applies what they showed first; the late change is
    then no change (fails before)."""
    p = Playground(lab, "503")
    burst = p.buttons["Burst"]
    assert isinstance(burst, Press)
    p.capacity.none.value = True  # the first change, which reached Python
    assert p.capacity.value is None
    said: list[str] = []
    p.status.observe(lambda change: change["new"] and said.append(change["new"]), names="value")
    pressed_as_shown(
        burst,
        {(p.burst_size, "text"): "10", (p.capacity.none, "value"): False},
    )
    assert p.capacity.value == 3 and p.capacity.none.value is False
    assert said[-1] == "Burst at capacity 3, 10 requests: 3 served (200), 7 shed (503).", said
    assert said[-2].startswith("On this playground only: capacity: 3 at once."), said
    p.capacity.none.set_state({"value": False})  # the checkbox's own change, late
    assert said[-1].startswith("Burst at capacity 3"), said
    assert lab.origin.capacity is None  # the lab's own, as ever
    with p.capacity.number.from_the_browser():  # 3 typed again later: confirmed, as ever
        p.capacity.number.typed("3")
    assert said[-1].startswith("On this playground only: capacity: 3 at once."), said


def test_get_applies_maintenance_and_the_caching_mistake_as_shown(lab: labkit.Lab) -> None:
    """GET /orders/7 carries the maintenance boxes and the caching-mistake box beside them:
    pressed while the browser showed maintenance on with the mistake, before Python had
    either, it gets the 503 with max-age the boxes promise."""
    p = Playground(lab, "503")
    get = p.buttons["GET /orders/7"]
    assert isinstance(get, Press)
    pressed_as_shown(get, {(p.maintenance, "value"): True, (p.cache_mistake, "value"): True})
    assert lab.origin.in_maintenance and p.maintenance.value and p.cache_mistake.value
    ex = p.inspector.exchange
    assert ex is not None and ex.status == 503, (p.status.value, p.message.value)
    assert "max-age=60" in (ex.header("cache-control") or ""), ex.headers


def test_the_burst_box_takes_the_range_load_burst_takes(lab: labkit.Lab) -> None:
    """The playground's burst box stopped at 40 while ``load.burst`` took 100, each with its
    own words (fails before): one range, ``load.MAX_BURST``, refused in the switches' words."""
    from labkit import load
    from labkit.errors import BadArgument

    p = Playground(lab, "503")
    p.burst_size.typed(str(MAX_BURST))
    assert p.burst_size.value == MAX_BURST and p.message.value == ""
    p.burst_size.typed(str(MAX_BURST + 1))
    assert p.burst_size.value == MAX_BURST
    assert p.message.value == (
        f"Burst size (requests) must be a whole number from 1 to {MAX_BURST}, not {MAX_BURST + 1}."
    )
    with pytest.raises(BadArgument) as refused:
        load.burst(lab, MAX_BURST + 1)
    assert str(refused.value) == (
        f"size must be a whole number from 1 to {MAX_BURST}, not {MAX_BURST + 1}"
    )


def test_a_refused_capacity_names_none_as_the_learner_gives_it(lab: labkit.Lab) -> None:
    """Set from Python, a capacity is refused with "or None (unlimited)"; typed in the box,
    which takes no such word, with the checkbox beside it (it named nothing but numbers, so
    a learner who wanted no limit was not told how: fails before)."""
    p = Playground(lab, "503")
    p.capacity.value = -5
    assert "from 0 to 100000, or None (unlimited), not -5." in p.message.value
    for typed in ("-5", "none"):
        p.capacity.number.typed(typed)
        assert p.message.value == (
            "Capacity (requests at once) must be a whole number from 0 to 100000, "
            f"or tick “unlimited”, not '{typed}'."
        ), p.message.value
    p.capacity.none.value = True  # what the message says to do
    assert p.capacity.value is None and p.message.value == ""
    with labkit.start(lang="zh-CN") as zh:
        box = Playground(zh, "503").capacity.number
        with pytest.raises(labkit.BadArgument, match=r"，或者勾选“不限”，而不是 '-5'$"):
            box.read("-5")
