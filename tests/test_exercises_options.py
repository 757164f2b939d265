"""Where a choice question puts its right option, and how the lessons' prose lists the options.

Seven of the seventeen choice questions put the right option first, and in five of the nine
quiz panels the notebooks show, ticking the first box was Correct: a learner who clicks the
first box learns that it pays. The options keep a natural order where there is one (statuses
ascending, hops in the request's order), and the prose that lists them lists them as the
panel shows them.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest

from labkit.exercises import all_exercises, answers
from labkit.exercises.core import Choice, digest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted(
    (ROOT / "notebooks" / "zh").glob("*.ipynb")
)
QUOTED = re.compile(r'`"([^"`]+)"`')


def _choices() -> list[Choice]:
    return [ex for ex in all_exercises() if isinstance(ex, Choice)]


def _place(ex: Choice) -> int:
    """The index of the right option among the options."""
    return next(
        i for i, o in enumerate(ex.options) if digest(ex.id, answers.text(o)) == ex.answer_digest
    )


def _cells(path: Path) -> list[tuple[str, str]]:
    return [(c["cell_type"], "".join(c["source"])) for c in json.loads(path.read_text())["cells"]]


def _panels(path: Path) -> list[Choice]:
    """The choice questions a notebook shows as a quiz panel (labkit.widgets.Quiz(qN))."""
    code = "\n".join(src for kind, src in _cells(path) if kind == "code")
    found = re.search(r"from (labkit\.exercises\.\w+) import", code)
    if found is None:
        return []
    module = importlib.import_module(found.group(1))
    shown = [getattr(module, name) for name in re.findall(r"labkit\.widgets\.Quiz\((q\d)\)", code)]
    return [ex for ex in shown if isinstance(ex, Choice)]


def test_the_right_option_is_first_in_no_more_than_a_third_of_the_choice_questions() -> None:
    choices = _choices()
    first = sorted(ex.id for ex in choices if _place(ex) == 0)
    assert len(choices) >= 10
    assert 3 * len(first) <= len(choices), first


def test_ticking_the_first_box_is_not_correct_in_most_quiz_panels() -> None:
    panels = [ex for path in NOTEBOOKS for ex in _panels(path)]
    first = [ex.id for ex in panels if _place(ex) == 0]
    assert len(panels) >= 9
    assert 2 * len(first) < len(panels), first


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_prose_that_lists_a_questions_options_lists_them_in_its_order(path: Path) -> None:
    """A cell that names every option of a question, each as `"option"`, names them in the
    order the question (and its quiz panel) has them."""
    checked = 0
    for kind, text in _cells(path):
        if kind != "markdown":
            continue
        named = QUOTED.findall(text)
        for ex in _choices():
            if not set(ex.options) <= set(named):
                continue
            order = [o for o in dict.fromkeys(named) if o in ex.options]
            assert order == ex.options, (ex.id, text)
            checked += 1
    if path.stem[:2] in ("01", "02", "07", "09"):
        assert checked, f"{path}: no cell lists a question's options"


def test_the_haproxy_question_lists_its_conditions_as_haproxy_logs_them() -> None:
    """Lesson 09's HAProxy question (SC-- on a 503) lists its options by the termination state
    HAProxy logs for each (labkit.personalities.HAPROXY): phase by phase, C (connecting) before
    H (waiting for headers), and in each phase the timeout (lower-case s) before the server's
    abort (upper-case S): sC--, SC--, sH--, SH--. The question is about those two letters, so
    each option stands beside the one it is told apart from by a letter. Not labkit.conditions'
    order (refused, connect-timeout, closed-without-response, read-timeout), which would part
    read-timeout from closed-without-response and put the right option first; the prose that
    lists the options lists them in this order (the test above holds it). Test-only."""
    from labkit.conditions import Condition
    from labkit.exercises.gateways import q2
    from labkit.personalities import HAPROXY

    def state(option: str) -> tuple[str, str]:
        found = re.search(r"\b([sS])([CH])--", HAPROXY.table[Condition(option)].log)
        assert found, option
        return found.group(1), found.group(2)

    assert [state(o) for o in q2.options] == [("s", "C"), ("S", "C"), ("s", "H"), ("S", "H")]
    assert q2.options == sorted(
        q2.options, key=lambda o: ("CH".index(state(o)[1]), state(o)[0].isupper())
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_prose_asks_to_choose_an_option_not_to_tick_it(path: Path) -> None:
    """A one-answer quiz panel (and the capstone's two groups) is a group of radio buttons
    (labkit.widgets.OneOf): prose that says "tick" an option, as for a checkbox, tells a
    learner a panel other than the one they see. Ticking a real checkbox (lesson 01's debug
    switch, the portal's terms) is still ticking."""
    ticked = [
        text
        for kind, text in _cells(path)
        if kind == "markdown" and re.search(r"\btick one\b|勾选一", text, flags=re.IGNORECASE)
    ]
    assert not ticked, ticked
