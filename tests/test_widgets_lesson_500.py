"""Lesson 500's playground and quiz widgets, driven without a browser over real sockets."""

from __future__ import annotations

import html
import re

import pytest
from helpers import pressed_as_shown

from labkit import scenarios
from labkit.exercises.lesson_500 import q1
from labkit.widgets import Playground, Quiz
from labkit.widgets.press import Press

LESSON_500 = [s.id for s in scenarios.for_lesson("500")]


@pytest.mark.parametrize("scenario_id", LESSON_500)
def test_each_scenario_runs_and_shows_its_status(lab, scenario_id):
    p = Playground(lab, "500")
    p.scenario.value = scenario_id
    assert "Expected:</b> 500" in p.cause.value
    p.run_button.click()
    assert p.message.value == ""
    ex = p.inspector.exchange
    assert ex.status == 500
    assert ex.generated_by == "origin"
    assert "500 Internal Server Error" in p.inspector.summary.value
    assert "origin" in p.inspector.summary.value
    assert lab.origin.debug is False  # the debug scenario switches it off again


def test_debug_toggle_shows_and_hides_the_traceback(lab):
    p = Playground(lab, "500")
    assert p.debug.value is False
    get_abc = p.buttons["GET /orders/abc"]
    assert "debug: off (no tracebacks in the origin&#x27;s 500 pages)" in p.debug_state.value
    p.debug.value = True
    assert lab.origin.debug is True
    assert "debug: on" in p.debug_state.value
    assert "debug: on" in p.status.value
    get_abc.click()
    assert p.message.value == ""
    assert p.inspector.exchange.status == 500
    assert "Traceback" in p.inspector.body.value
    assert "ValueError" in p.inspector.body.value
    p.debug.value = False
    assert lab.origin.debug is False
    get_abc.click()
    assert "Traceback" not in p.inspector.body.value
    assert "quote this reference" in p.inspector.body.value
    assert "X-Request-ID" in p.inspector.headers.value
    assert "origin" in p.inspector.summary.value


def _seen(quiz: Quiz) -> str:
    """The words the panel shows after an action: its feedback box, status line and alert."""
    box = re.sub(r"<style>.*?</style>|<[^>]+>", " ", quiz.feedback.value, flags=re.S)
    return " ".join(" ".join((html.unescape(box), quiz.status.value, quiz.message.value)).split())


def test_quiz_widget_checks_hints_and_solves(lab):
    quiz = Quiz(q1)
    quiz.check_button.click()
    assert "Not answered yet" in quiz.feedback.value
    quiz.answer.value = "gateway"
    quiz.check_button.click()
    assert "Not yet" in quiz.feedback.value
    assert "Proxy-Status" in quiz.feedback.value
    # each message once: the status line said the whole verdict again under the box
    wrong = q1.check("gateway").message.split("  (Stuck?")[0]
    assert _seen(quiz).count(" ".join(wrong.split())) == 1, _seen(quiz)
    assert quiz.status.value == "Checked: Not yet. Why: shown below."
    quiz.hint_button.click()
    assert "Hint" in quiz.feedback.value
    hint = q1.hints[0]
    assert _seen(quiz).count(hint) == 1 and quiz.status.value == "Hint 1 of 2: shown below."
    quiz.answer.value = "origin"
    quiz.check_button.click()
    assert "Correct" in quiz.feedback.value
    right = q1.check("origin").message
    seen = _seen(quiz)
    assert seen.count(right) == 1 and quiz.status.value == "Checked: Correct. Why: shown below.", (
        seen
    )
    assert "right:" not in seen.lower() and "Correct (500.who-made-it) the origin's" in seen
    quiz.solution_button.click()
    assert "Solution" in quiz.feedback.value
    assert quiz.message.value == ""


def test_the_debug_box_follows_a_cell_that_switches_debug_off(lab):
    """Lesson 01's link cell turns debug off (its page must be the generic one): the
    playground's box, ticked above it, then still said on. After each cell (IPython's
    post_run_cell, here a real EventManager) the playground shows the lab as it is, without
    announcing anything; closed, it stops following."""
    from types import SimpleNamespace

    from IPython.core.events import EventManager, available_events

    from labkit.widgets import follow_cells

    shell = SimpleNamespace()
    shell.events = EventManager(shell, available_events)
    p = Playground(lab, "500")
    follow_cells(p, shell)
    p.debug.value = True  # the learner ticks it
    said = p.status.value
    lab.origin.debug = False  # the link cell
    shell.events.trigger("post_run_cell", None)
    assert p.debug.value is False and "debug: off" in p.debug_state.value
    assert p.status.value == said  # nothing new said: the learner did not act here
    assert "Traceback" not in lab.get("/orders/abc").text
    p.close()
    shell.events.trigger("post_run_cell", None)
    assert shell.events.callbacks["post_run_cell"] == []


def test_a_playground_cell_run_five_times_leaves_one_playground_following(lab, monkeypatch):
    """Re-running a playground's cell made a new playground while ipywidgets kept the old
    one alive (its output area cleared): each registered a post_run_cell callback, so five
    runs meant five refreshes after every later cell. One callback now follows the live
    playgrounds, and one made by a cell that ran again (JupyterLab's cell id) is closed."""
    from types import SimpleNamespace

    from IPython.core.events import EventManager, available_events
    from IPython.core.interactiveshell import ExecutionInfo, ExecutionResult

    from labkit.widgets import follow_cells

    refreshed: list[Playground] = []
    follow = Playground.follow_lab
    monkeypatch.setattr(
        Playground, "follow_lab", lambda self: (refreshed.append(self), follow(self))[1]
    )
    shell = SimpleNamespace()
    shell.events = EventManager(shell, available_events)

    def ran(cell: str) -> None:  # what IPython does once a cell has run
        info = ExecutionInfo("...", True, False, True, cell_id=cell)
        shell.events.trigger("post_run_cell", ExecutionResult(info))

    made = []
    for _ in range(5):
        made.append(Playground(lab, "500"))
        follow_cells(made[-1], shell)
        ran("playground-cell")
    assert len(shell.events.callbacks["post_run_cell"]) == 1
    assert [p.comm is None for p in made] == [True] * 4 + [False]  # the replaced ones closed
    assert all(child.comm is None for child in made[0].children)
    refreshed.clear()
    lab.origin.debug = True
    ran("another-cell")
    assert refreshed == [made[-1]] and made[-1].debug.value is True  # one refresh per cell
    lab.origin.debug = False


def test_get_applies_debug_as_its_box_showed_when_pressed(lab) -> None:
    """Debug ticked and cleared in the browser, then GET /orders/abc pressed, and the
    checkbox's second change reached Python after the press (jupyter-widgets/ipywidgets#1382;
    tests/test_browser.py drives the real one): the 500 page showed the traceback under a box
    not ticked, then "debug: off ... Send a request again" emptied the inspector. The button
    carries debug's box and applies it first; the late change is then no change (fails
    before: GET /orders/abc was a Button)."""
    p = Playground(lab, "500")
    get_abc = p.buttons["GET /orders/abc"]
    assert isinstance(get_abc, Press)
    p.debug.value = True  # the first change, which reached Python
    pressed_as_shown(get_abc, {(p.debug, "value"): False})
    assert lab.origin.debug is False and p.debug.value is False
    ex = p.inspector.exchange
    assert ex is not None and ex.status == 500 and "Traceback" not in ex.text
    said = p.status.value
    assert said.startswith("GET /orders/abc via the gateway: 500"), said
    p.debug.set_state({"value": False})  # the checkbox's own change, late
    assert p.status.value == said and p.inspector.exchange is ex
