"""Lesson 07's playground driven without a browser: scenarios, log in / log out, the GET buttons."""

from __future__ import annotations

import pytest
from helpers import pressed_as_shown

import labkit
from labkit import scenarios
from labkit.widgets import Playground


@pytest.mark.parametrize("scenario", scenarios.for_lesson("511"), ids=lambda s: s.id)
def test_each_scenario(lab: labkit.Lab, scenario: scenarios.Scenario) -> None:
    p = Playground(lab, "511")
    p.scenario.value = scenario.id
    p.run_button.click()
    assert p.message.value == ""
    ex = p.inspector.exchange
    assert ex is not None and ex.status == scenario.status
    assert f"<h3 style='margin:4px 0'>{scenario.status} " in p.inspector.summary.value
    assert lab.portal.logged_in is False  # every scenario puts the portal back


def test_buttons(lab: labkit.Lab) -> None:
    p = Playground(lab, "511")
    buttons = p.buttons
    log_in, log_out = buttons["log in"], buttons["log out"]
    get_order = buttons["GET /orders/7 via the portal"]
    get_check = buttons["GET /generate_204"]

    def shown(button) -> int:
        button.click()
        assert p.message.value == ""
        ex = p.inspector.exchange
        assert ex is not None
        assert f"<h3 style='margin:4px 0'>{ex.status} " in p.inspector.summary.value
        return ex.status

    assert shown(get_order) == 511
    assert p.inspector.exchange.generated_by == "portal"
    assert "no-store" in p.inspector.headers.value
    assert shown(get_check) == 511

    log_in.click()
    assert p.message.value == "" and lab.portal.logged_in is True
    assert "portal: logged in" in p.status.value and "portal: logged in" in p.portal_state.value
    assert p.inspector.exchange is None  # the 511 above is no longer the last result
    assert shown(get_check) == 204
    assert shown(get_order) == 200
    assert [h.name for h in p.inspector.exchange.hops] == ["client", "portal", "gateway", "origin"]
    assert p.inspector.exchange.generated_by == "origin"

    log_out.click()
    assert p.message.value == "" and lab.portal.logged_in is False
    assert "portal: logged out" in p.status.value and "portal: logged out" in p.portal_state.value
    assert shown(get_order) == 511
    assert shown(get_check) == 511


def test_log_in_when_logged_in_says_it_already_was(lab: labkit.Lab) -> None:
    """The "log in" button pressed while logged in said "portal: logged in.", as if something
    had just changed: it says it already was, and so for "log out" (fails before)."""
    p = Playground(lab, "511")
    log_in, log_out = p.buttons["log in"], p.buttons["log out"]
    log_out.click()
    assert p.message.value == "" and "portal: already logged out" in p.status.value
    log_in.click()
    assert "portal: logged in" in p.status.value and "already" not in p.status.value
    log_in.click()
    assert p.message.value == "" and "portal: already logged in" in p.status.value
    assert "portal: logged in" in p.portal_state.value and lab.portal.logged_in
    log_out.click()
    assert "portal: logged out" in p.status.value and "already" not in p.status.value


def test_log_in_when_logged_in_says_it_already_was_in_chinese() -> None:
    with labkit.start(lang="zh-CN") as lab:
        p = Playground(lab, "511")
        p.buttons["log out"].click()
        assert "门户：本来就已退出登录" in p.status.value, p.status.value


def test_an_action_that_changes_nothing_leaves_the_inspector_as_it_was(lab: labkit.Lab) -> None:
    """The "log in" button pressed while logged in emptied the inspector ("Send a request
    again to see its effect") though the lab was as before: the 200 it showed stays, and the
    line says nothing changed (fails before)."""
    p = Playground(lab, "511")
    p.buttons["log in"].click()
    p.buttons["GET /orders/7 via the portal"].click()
    shown = p.inspector.exchange
    assert shown is not None and shown.status == 200
    p.buttons["log in"].click()
    assert p.message.value == ""
    assert p.inspector.exchange is shown and "200 OK" in p.inspector.summary.value
    assert p.status.value == (
        "portal: already logged in, so nothing changed, and the last result still holds: "
        "200 OK, made by the origin. The inspector below shows it."
    )
    # a change still empties it, and so the next no-op has no result to keep
    p.buttons["log out"].click()
    assert p.inspector.exchange is None
    p.buttons["log out"].click()
    assert p.status.value == "portal: already logged out, so nothing changed."
    assert "Send a request again to see its effect" in p.inspector.summary.value


def test_an_action_that_changes_nothing_says_so_in_chinese() -> None:
    with labkit.start(lang="zh-CN") as lab:
        p = Playground(lab, "511")
        p.buttons["GET /orders/7 via the portal"].click()
        p.buttons["log out"].click()
        assert p.inspector.exchange is not None and p.inspector.exchange.status == 511
        assert (
            p.status.value
            == "门户：本来就已退出登录，所以什么也没变，上一个结果依然有效：511 Network Authentication Required，由门户生成。详情见下方的检查器。"
        )


def test_a_get_carries_log_in_pressed_before_it_and_has_it_done_first(lab: labkit.Lab) -> None:
    """ "log in" pressed, then "GET /orders/7 via the portal", and the GET's press handled
    first: the kernel handles a button that has answered the browser once on a thread of its
    own, ahead of a press waiting behind a busy cell (tests/test_browser_busy.py), and the GET
    got the portal's 511 though the learner had logged in. The GET carries the count of the
    switch buttons' presses and has any not handled yet done first; "log in"'s own press,
    when it comes, is then not done again (fails before: the GET carried no such count)."""
    p = Playground(lab, "511")
    log_in, get_order = p.buttons["log in"], p.buttons["GET /orders/7 via the portal"]
    said: list[str] = []
    p.status.observe(lambda change: change["new"] and said.append(change["new"]), names="value")
    pressed_as_shown(get_order, {(log_in, "presses"): log_in.presses + 1})
    assert lab.portal.logged_in
    ex = p.inspector.exchange
    assert ex is not None and ex.status == 200, (said, p.message.value)
    assert said[-2].startswith("portal: logged in"), said
    log_in.set_state({"presses": log_in.presses + 1})  # its own press, late
    assert said[-1].startswith("GET /orders/7 via the portal: 200 OK"), said
    assert p.inspector.exchange is ex
    log_in.set_state({"presses": log_in.presses + 1})  # pressed again: done, as ever
    assert said[-1].startswith("portal: already logged in, so nothing changed"), said


def test_log_out_then_log_in_pending_are_done_in_the_order_pressed(lab: labkit.Lab) -> None:
    """ "log out" then "log in" pressed in the browser, neither handled yet, then the GET:
    the GET had the switch buttons' presses done first in the panel's order, "log in" before
    "log out", and the learner, whose last press was "log in", was logged out and got 511
    (fails before). Each press carries when it was made (``stamp``, the page's count of
    presses), and the buttons a press follows are done in that order."""
    p = Playground(lab, "511")
    log_in, log_out = p.buttons["log in"], p.buttons["log out"]
    get_order = p.buttons["GET /orders/7 via the portal"]
    lab.portal.login()
    said: list[str] = []
    p.status.observe(lambda change: change["new"] and said.append(change["new"]), names="value")
    get_order.set_state(
        {
            get_order.copy_of(log_out, "presses"): log_out.presses + 1,
            get_order.copy_of(log_out, "stamp"): 3,
            get_order.copy_of(log_in, "presses"): log_in.presses + 1,
            get_order.copy_of(log_in, "stamp"): 4,
            "stamp": 5,
            "presses": get_order.presses + 1,
        }
    )
    assert lab.portal.logged_in, said
    assert [line.split(",")[0].split(".")[0] for line in said] == [
        "portal: logged out",
        "portal: logged in",
        "GET /orders/7 via the portal: 200 OK",
    ], said
    log_out.set_state({"stamp": 3, "presses": log_out.presses + 1})  # their own, late: done
    log_in.set_state({"stamp": 4, "presses": log_in.presses + 1})
    assert lab.portal.logged_in and len(said) == 3, said


def test_a_switch_pressed_after_the_get_is_not_done_before_it(lab: labkit.Lab) -> None:
    """The GET pressed, then "log in", and the GET's update, held back in the browser,
    carrying "log in"'s press too: the GET is done as the learner pressed it, logged out
    (511), and "log in" after it, when its own update comes (fails before: the GET had every
    press it carried done first)."""
    p = Playground(lab, "511")
    log_in, get_order = p.buttons["log in"], p.buttons["GET /orders/7 via the portal"]
    get_order.set_state(
        {
            get_order.copy_of(log_in, "presses"): log_in.presses + 1,
            get_order.copy_of(log_in, "stamp"): 8,
            "stamp": 7,
            "presses": get_order.presses + 1,
        }
    )
    ex = p.inspector.exchange
    assert ex is not None and ex.status == 511 and not lab.portal.logged_in
    log_in.set_state({"stamp": 8, "presses": log_in.presses + 1})
    assert lab.portal.logged_in and p.status.value.startswith("portal: logged in")


def test_each_switch_button_follows_the_others(lab: labkit.Lab) -> None:
    """ "log in" pressed, then "log out", and "log out"'s update handled first, carrying
    "log in"'s press (a second press of each, held back in the browser, comes in the order
    the first ones were answered): "log in" is done first, and the learner, whose last press
    was "log out", is logged out (fails before: a switch button followed none)."""
    p = Playground(lab, "511")
    log_in, log_out = p.buttons["log in"], p.buttons["log out"]
    log_out.set_state(
        {
            log_out.copy_of(log_in, "presses"): log_in.presses + 1,
            log_out.copy_of(log_in, "stamp"): 1,
            "stamp": 2,
            "presses": log_out.presses + 1,
        }
    )
    assert not lab.portal.logged_in
    assert p.status.value.startswith("portal: logged out"), p.status.value
    log_in.set_state({"stamp": 1, "presses": log_in.presses + 1})  # its own, late: done
    assert not lab.portal.logged_in
