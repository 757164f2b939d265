"""In a real browser: a playground's buttons act on the switches their boxes showed when
pressed, and a learner's last press wins, while the kernel is busy (tests/test_browser.py's
"while the kernel is busy" tests do the same for the boxes a button reads itself).

Why a press can overtake a box's change, or another press (JupyterLab 4.6, ipykernel 7.4,
ipywidgets 8): ipywidgets holds a widget's state update back while its previous one is
unanswered, and sends a plain Button's click, a custom message, at once
(jupyter-widgets/ipywidgets#1382); a number box's words are a custom message too, never held
back. Each widget's updates are held back on their own: two buttons pressed twice each
behind a busy cell reach Python as the first of each, then the second of each in the order
their first were answered, not in the order pressed.

And by JupyterLab's default (its commsOverSubshells setting, "perCommTarget") the kernel
handles a comm's messages on the subshell it last answered the browser from
(ipykernel/comm/comm.py, _reply_subshell_for): on the main shell until the widget has
published in reply to a message of its own (ipywidgets' echo_update of any state the
browser set, a number box's answer), then on the comm target's subshell, a thread of its
own that a busy cell does not hold. So a button pressed once before was handled at once
while a slow cell ran, ahead of a box's words waiting behind the cell on the main shell, and
one panel's handlers ran on two threads at once. labkit's JupyterLab defaults
(jupyter-config/lab/settings/overrides.d/labkit-defaults.json) turn that off: every widget
message goes to the main shell, in the order sent, and a button pressed while a cell runs is
done when the cell ends (measured: "log in" and a GET pressed 0.0 s into a 4.0 s cell were
said 4.03 and 4.08 s in; on a subshell the GET was said 0.15 s in, during the cell). A
learner's own setting, or another front end, can still send them over subshells: the tests
whose race needs one run both ways.

A module of its own, with the JupyterLab and the Chromium of tests/test_browser.py's
module-scoped fixtures (imported from there, as tests/test_browser_zh.py does).
"""

from __future__ import annotations

import pytest
from test_browser import (
    _COMMS_NOW,
    _KERNEL_BUSY,
    _KERNEL_BUSY_NOW,
    _KERNEL_READY,
    _kernel_value,
    _open_panel,
    browser,
    jupyter,
    pytestmark,
)

__all__ = ["browser", "jupyter", "pytestmark"]  # the fixtures and marks, used by name


# how the page sends widget messages: as labkit's JupyterLab defaults say (each to the main
# shell, in order), and over subshells, as JupyterLab's own default does
COMMS = pytest.mark.parametrize("comms", [None, "perCommTarget"], ids=["labkit", "subshells"])


def _switched_while_busy_then_pressed(
    browser, jupyter: str, lesson: str, switch: str, button: str, done: str, also: str = "None"
) -> tuple[list[str], object]:
    """Lesson ``lesson``'s playground while the kernel is busy (a slow cell): the checkbox
    named ``switch`` ticked, then cleared, then ``button`` clicked. ipywidgets sends the
    checkbox's first change at once and holds the second until the first is answered, and
    sent the click at once (jupyter-widgets/ipywidgets#1382): the button acted on the switch
    as ticked, and the cleared box's late update then said its line over the result. Returns
    every line the panel's status said, once ``done`` (Python, of ``p`` and ``said``) held
    or 20 s passed, and the value of ``also`` (Python) then."""
    name = f"playground-{lesson}-switched-busy.ipynb"
    with _open_panel(browser, jupyter, name, _PLAYGROUND.format(lesson=lesson)) as (page, panel):
        box = panel.get_by_role("checkbox", name=switch, exact=True)
        page.evaluate(_KERNEL_BUSY, 4)
        page.wait_for_function(_KERNEL_BUSY_NOW, timeout=15000)
        box.click()  # ticked: sent at once
        box.click()  # cleared: held back until the first is answered
        panel.get_by_role("button", name=button, exact=True).click()
        page.wait_for_function(_KERNEL_READY, timeout=60000)
        lines, value = _kernel_value(page, f"[said, {also}]", done)
        return lines, value


# a lesson's playground, and every line its status says
_PLAYGROUND = (
    "import labkit\nimport labkit.widgets\nlab = labkit.start()\n"
    'p = labkit.widgets.Playground(lab, "{lesson}")\nsaid = []\n'
    "p.status.observe(lambda c: c['new'] and said.append(c['new']), names='value')\np"
)


def test_capacity_unlimited_ticked_and_cleared_while_busy_then_burst_bursts_at_the_box(
    browser, jupyter: str
) -> None:
    """Lesson 04's 503 playground while the kernel is busy: the capacity's "unlimited" ticked
    and cleared (the box shows 3), then Burst. The checkbox's second change reached Python
    after the click (jupyter-widgets/ipywidgets#1382): the burst went at unlimited capacity,
    none shed, and the capacity's line came after it (fails before). Burst now carries the
    capacity's boxes as they were when pressed, and applies them before it bursts."""
    said, _ = _switched_while_busy_then_pressed(
        browser,
        jupyter,
        "503",
        "unlimited",
        "Burst",
        "p.capacity.value == 3 and any(s.startswith('Burst at') for s in said)",
    )
    assert said[-1] == "Burst at capacity 3, 10 requests: 3 served (200), 7 shed (503).", said


def test_debug_ticked_and_cleared_while_busy_then_get_sends_with_debug_off(
    browser, jupyter: str
) -> None:
    """Lesson 01's 500 playground while the kernel is busy: debug ticked and cleared, then
    GET /orders/abc. The checkbox's second change reached Python after the click
    (jupyter-widgets/ipywidgets#1382): the request went with debug on, its 500 page a
    traceback, and then "debug: off ... Send a request again" emptied the inspector (fails
    before). The button now carries debug's box as it was when pressed."""
    said, traceback = _switched_while_busy_then_pressed(
        browser,
        jupyter,
        "500",
        "debug: show tracebacks in 500 pages",
        "GET /orders/abc",
        "not lab.origin.debug and any(s.startswith('GET') for s in said)",
        "'Traceback' in p.inspector.exchange.text if p.inspector.exchange else None",
    )
    assert traceback is False, said
    assert said[-1].startswith("GET /orders/abc via the gateway: 500 Internal Server Error"), said


@COMMS
def test_a_read_timeout_typed_while_busy_then_get_slow_sends_with_it(
    browser, jupyter: str, comms: str | None
) -> None:
    """Lesson 05's 504 playground: GET /slow pressed once, then, while the kernel is busy (a
    slow cell), 0.2 typed as the route's read timeout and GET /slow pressed again. The box's
    words go as its own message to the main shell, busy with the cell; but GET /slow's comm,
    which has answered the browser once (ipywidgets' echo of its first press), is handled on
    the comm's subshell since (ipykernel 7's comms over subshells), which is free: its press
    ran at once, with the read timeout before, 2 s, and got 200 for a delay of 0.5 s under a
    box showing 0.2; the box's words, handled after the cell, then said the timeout over it
    (fails before). GET /slow now carries the read timeout's box and applies it first: 504.
    With labkit's defaults both wait for the cell, and come in order."""
    name = f"playground-504-read-timeout-busy-{comms}.ipynb"
    source = _PLAYGROUND.format(lesson="504")
    with _open_panel(browser, jupyter, name, source, comms=comms) as (page, panel):
        get_slow = panel.get_by_role("button", name="GET /slow", exact=True)
        status = panel.get_by_role("status")
        get_slow.click()
        page.wait_for_function(
            "(s) => s.textContent.includes('GET /slow?delay=0.5')",
            arg=status.element_handle(),
            timeout=30000,
        )
        page.wait_for_function(_KERNEL_READY, timeout=30000)
        box = panel.get_by_role("textbox", name="route /: gateway read timeout (s)")
        page.evaluate(_KERNEL_BUSY, 4)
        page.wait_for_function(_KERNEL_BUSY_NOW, timeout=15000)
        box.click()
        page.keyboard.press("Control+A")
        page.keyboard.type("0.2")
        page.keyboard.press("Tab")  # left: its words go to the kernel, and wait for the cell
        get_slow.click()
        page.wait_for_function(_KERNEL_READY, timeout=60000)
        said = _kernel_value(page, "said", "p.read_timeout.value == 0.2 and len(said) >= 3")
        assert said[-1].startswith("GET /slow?delay=0.5 via the gateway: 504 Gateway Timeout"), said


def _portal_pressed_while_busy(
    browser, jupyter: str, comms: str | None, name: str, pressed: tuple[str, ...]
) -> tuple[list[str], bool]:
    """Lesson 07's 511 playground: "GET /orders/7 via the portal" pressed once (511), then,
    while the kernel is busy (a slow cell), the buttons named ``pressed``, in order, then the
    GET again. Returns every line the panel said once the second GET was said and the
    buttons' own messages were handled (or 20 s passed), and whether the lab is logged in."""
    with _open_panel(browser, jupyter, name, _PLAYGROUND.format(lesson="511"), comms=comms) as (
        page,
        panel,
    ):
        assert page.evaluate(_COMMS_NOW) == (comms or "disabled")  # labkit's default, if None
        get = panel.get_by_role("button", name="GET /orders/7 via the portal", exact=True)
        status = panel.get_by_role("status")
        get.click()
        page.wait_for_function(
            "(s) => s.textContent.includes('511')", arg=status.element_handle(), timeout=30000
        )
        page.wait_for_function(_KERNEL_READY, timeout=30000)
        page.evaluate(_KERNEL_BUSY, 4)
        page.wait_for_function(_KERNEL_BUSY_NOW, timeout=15000)
        for button in pressed:
            panel.get_by_role("button", name=button, exact=True).click()
        get.click()
        page.wait_for_function(_KERNEL_READY, timeout=60000)
        gets = "sum(line.startswith('GET') for line in said) >= 2"
        presses = " and ".join(
            f"p.buttons[{button!r}]._handled == p.buttons[{button!r}].presses"
            for button in set(pressed)
        )
        said, logged_in = _kernel_value(
            page, "[said, lab.portal.logged_in]", f"{gets} and {presses}"
        )
        return said, logged_in


@COMMS
def test_log_in_then_get_while_busy_gets_through_the_portal(
    browser, jupyter: str, comms: str | None
) -> None:
    """Lesson 07's 511 playground: "GET /orders/7 via the portal" pressed once (511), then,
    while the kernel is busy (a slow cell), "log in" and the GET again. Over subshells the
    GET, pressed once before, is handled at once on its comm's subshell, while "log in" waits
    behind the cell on the main shell (the module's docstring says why): the GET got 511
    again though the learner had logged in, and "portal: logged in" came after it (fails
    once every sending button is a Press, before the GET followed the switch buttons'
    presses). The GET now has "log in" done first: 200, and "log in"'s own press, late, is
    not done again. With labkit's defaults both wait for the cell, and come in order."""
    said, logged_in = _portal_pressed_while_busy(
        browser, jupyter, comms, f"playground-511-log-in-busy-{comms}.ipynb", ("log in",)
    )
    assert said[-1].startswith("GET /orders/7 via the portal: 200 OK"), said
    assert sum(line.startswith("portal: logged in") for line in said) == 1, said
    assert logged_in, said


@COMMS
def test_log_out_then_log_in_pressed_twice_while_busy_the_last_press_wins(
    browser, jupyter: str, comms: str | None
) -> None:
    """Lesson 07's 511 playground while the kernel is busy: "log in", "log out", "log out",
    "log in", then the GET. Each button's second press is held back until its first is
    answered (the module's docstring says why), and so reached Python in the order the first
    presses were answered: log in, log out, log in, log out, and the learner, whose last
    press was "log in", was logged out and the GET got 511; over subshells the GET, handled
    at once, had the switch buttons' presses done first in the panel's order, "log in"'s
    before "log out"'s, with the same end (fails before, both ways). Each press now carries
    when it was made, and the presses a button follows are done in that order: logged in,
    and the GET got 200."""
    said, logged_in = _portal_pressed_while_busy(
        browser,
        jupyter,
        comms,
        f"playground-511-switched-twice-busy-{comms}.ipynb",
        ("log in", "log out", "log out", "log in"),
    )
    assert logged_in, said
    assert said[-1].startswith("GET /orders/7 via the portal: 200 OK"), said
