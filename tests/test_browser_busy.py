"""In a real browser: a playground's buttons act on the switches their boxes showed when
pressed, while the kernel is busy (tests/test_browser.py's "while the kernel is busy" tests
do the same for the boxes a button reads itself).

Why a press can overtake a box's change here (JupyterLab 4.6, ipykernel 7.4, ipywidgets 8):
ipywidgets holds a widget's state update back while its previous one is unanswered, and
sends a plain Button's click, a custom message, at once (jupyter-widgets/ipywidgets#1382); a
number box's words are a custom message too, never held back. And the kernel handles a comm's
messages on the subshell it last answered the browser from (ipykernel/comm/comm.py,
_reply_subshell_for): on the main shell until the widget has published in reply to a message
of its own (ipywidgets' echo_update of any state the browser set, a number box's answer),
then on the comm target's subshell, a thread of its own that a busy cell does not hold. So a
button pressed once before is handled at once while a slow cell runs, ahead of a box's words
waiting behind the cell on the main shell (the read timeout test below), and a checkbox's
held-back second change runs on that thread during a burst (the capacity test). The number
box tests of tests/test_browser.py passed before their fix because a Button's click, never
echoed, went to the main shell behind the box's words.

A module of its own, with the JupyterLab and the Chromium of tests/test_browser.py's
module-scoped fixtures (imported from there, as tests/test_browser_zh.py does).
"""

from __future__ import annotations

import json

from test_browser import (
    _CELL_OUTPUT,
    _KERNEL_BUSY,
    _KERNEL_BUSY_NOW,
    _KERNEL_READY,
    _RUN_CELL,
    _open_panel,
    browser,
    jupyter,
    pytestmark,
)

__all__ = ["browser", "jupyter", "pytestmark"]  # the fixtures and marks, used by name


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
    source = (
        "import labkit\nimport labkit.widgets\nlab = labkit.start()\n"
        f'p = labkit.widgets.Playground(lab, "{lesson}")\nsaid = []\n'
        "p.status.observe(lambda c: c['new'] and said.append(c['new']), names='value')\np"
    )
    held = (
        "import json, time\nfor _ in range(400):\n"
        f"    if {done}:\n        break\n    time.sleep(0.05)\n"
        f"print(json.dumps([said, {also}]))"
    )
    with _open_panel(browser, jupyter, name, source, held) as (page, panel):
        box = panel.get_by_role("checkbox", name=switch, exact=True)
        page.evaluate(_KERNEL_BUSY, 4)
        page.wait_for_function(_KERNEL_BUSY_NOW, timeout=15000)
        box.click()  # ticked: sent at once
        box.click()  # cleared: held back until the first is answered
        panel.get_by_role("button", name=button, exact=True).click()
        page.wait_for_function(_KERNEL_READY, timeout=60000)
        page.evaluate(_RUN_CELL, 1)
        shown = page.wait_for_function(_CELL_OUTPUT, arg=1, timeout=60000).json_value()[0]
        lines, value = json.loads(shown)
        return lines, value


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


def test_a_read_timeout_typed_while_busy_then_get_slow_sends_with_it(browser, jupyter: str) -> None:
    """Lesson 05's 504 playground: GET /slow pressed once, then, while the kernel is busy (a
    slow cell), 0.2 typed as the route's read timeout and GET /slow pressed again. The box's
    words go as its own message to the main shell, busy with the cell; but GET /slow's comm,
    which has answered the browser once (ipywidgets' echo of its first press), is handled on
    the comm's subshell since (ipykernel 7's comms over subshells), which is free: its press
    ran at once, with the read timeout before, 2 s, and got 200 for a delay of 0.5 s under a
    box showing 0.2; the box's words, handled after the cell, then said the timeout over it
    (fails before). GET /slow now carries the read timeout's box and applies it first: 504."""
    name = "playground-504-read-timeout-busy.ipynb"
    source = (
        "import labkit\nimport labkit.widgets\nlab = labkit.start()\n"
        'p = labkit.widgets.Playground(lab, "504")\nsaid = []\n'
        "p.status.observe(lambda c: c['new'] and said.append(c['new']), names='value')\np"
    )
    held = (
        "import json, time\nfor _ in range(400):\n"
        "    if p.read_timeout.value == 0.2 and len(said) >= 3:\n        break\n"
        "    time.sleep(0.05)\nprint(json.dumps(said))"
    )
    with _open_panel(browser, jupyter, name, source, held) as (page, panel):
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
        page.evaluate(_RUN_CELL, 1)
        said = json.loads(
            page.wait_for_function(_CELL_OUTPUT, arg=1, timeout=60000).json_value()[0]
        )
        assert said[-1].startswith("GET /slow?delay=0.5 via the gateway: 504 Gateway Timeout"), said


def test_log_in_then_get_while_busy_gets_through_the_portal(browser, jupyter: str) -> None:
    """Lesson 07's 511 playground: "GET /orders/7 via the portal" pressed once (511), then,
    while the kernel is busy (a slow cell), "log in" and the GET again. The GET, pressed once
    before, is handled at once on its comm's subshell, while "log in" waits behind the cell on
    the main shell (the module's docstring says why): the GET got 511 again though the learner
    had logged in, and "portal: logged in" came after it (fails once every sending button is
    a Press, before the GET carried the switch buttons' presses). The GET now has "log in"
    done first: 200, and "log in"'s own press, late, is not done again."""
    name = "playground-511-log-in-busy.ipynb"
    source = (
        "import labkit\nimport labkit.widgets\nlab = labkit.start()\n"
        'p = labkit.widgets.Playground(lab, "511")\nsaid = []\n'
        "p.status.observe(lambda c: c['new'] and said.append(c['new']), names='value')\np"
    )
    held = (
        "import json, time\nfor _ in range(400):\n"
        "    if lab.portal.logged_in and len(said) >= 3:\n        break\n"
        "    time.sleep(0.05)\ntime.sleep(0.5)\nprint(json.dumps(said))"
    )
    with _open_panel(browser, jupyter, name, source, held) as (page, panel):
        get = panel.get_by_role("button", name="GET /orders/7 via the portal", exact=True)
        status = panel.get_by_role("status")
        get.click()
        page.wait_for_function(
            "(s) => s.textContent.includes('511')", arg=status.element_handle(), timeout=30000
        )
        page.wait_for_function(_KERNEL_READY, timeout=30000)
        page.evaluate(_KERNEL_BUSY, 4)
        page.wait_for_function(_KERNEL_BUSY_NOW, timeout=15000)
        panel.get_by_role("button", name="log in", exact=True).click()
        get.click()
        page.wait_for_function(_KERNEL_READY, timeout=60000)
        page.evaluate(_RUN_CELL, 1)
        said = json.loads(
            page.wait_for_function(_CELL_OUTPUT, arg=1, timeout=60000).json_value()[0]
        )
        assert said[-1].startswith("GET /orders/7 via the portal: 200 OK"), said
        assert sum(line.startswith("portal: logged in") for line in said) == 1, said
