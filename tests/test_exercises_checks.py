"""Judges as declared checks on one base: arguments read one way, state set and put back.

Every code or make-it-happen task is a CheckedTask; the base reads its arguments (one line
naming what to pass), sets the state the task declares for the judge, and puts the
learner's settings back whatever the verdict: right, wrong, raising or stopped.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator

import pytest

import labkit
from labkit import exercises
from labkit.exercises.checks import CheckedTask, Run, State, expect, function_param, lab_param
from labkit.exercises.core import REGISTRY, Task


def test_every_task_is_declared_checks() -> None:
    tasks = [q for q in exercises.all_exercises() if isinstance(q, Task)]
    assert len(tasks) >= 10
    for q in tasks:
        assert isinstance(q, CheckedTask), q.id
        assert q.checks and q.usage.startswith("q") and ".check(" in q.usage, q.id


def _seen_through_the_gateway(run: Run) -> object:
    """What the judge's state looks like from outside: a real request through the gateway."""
    ex = run.lab.get("/orders/7")
    run.detail = f"{ex.status} {ex.header('Server')}"
    return ex


@pytest.fixture
def task() -> Iterator[CheckedTask]:
    t = CheckedTask(
        "test.checked", "test", "Return the status your GET /orders/7 got.",
        usage="q.check(fetch, lab)",
        takes=(function_param("fetch"), lab_param()),
        state=State(personality="rfc", timeouts={"/": labkit.lab.ORIGIN_TIMEOUTS},
                    capacity=None, maintenance=False, debug=False,
                    changes=("delay:slow",)),
        observe={"ex": _seen_through_the_gateway},
        checks=(
            expect(lambda run: run["ex"].status == 200,
                   lambda run: f"the judge's own GET got {run['ex'].status}"),
            expect(lambda run: run["fetch"](run.lab) == 200, "your function did not say 200"),
        ),
        success="200 it is.", hints=("GET it.",), solution="lab.get('/orders/7').status",
        time_limit=1.0,
    )  # fmt: skip
    yield t
    del REGISTRY["test.checked"]


def _learner_settings(lab: labkit.Lab) -> None:
    """What a learner may have left on: every one of them would change the judge's GET."""
    lab.gateway.personality = "nginx"
    lab.gateway.route("/").read_timeout = 0.05
    lab.origin.capacity = 0
    lab.origin.maintenance(True, retry_after=30)
    lab.origin.debug = True
    lab.upstreams["slow"].delay = 0.25


def _assert_put_back(lab: labkit.Lab) -> None:
    assert lab.gateway.personality == "nginx"
    assert lab.gateway.route("/").read_timeout == 0.05
    assert lab.origin.capacity == 0 and lab.origin.debug is True
    assert lab.origin.in_maintenance
    assert lab.upstreams["slow"].delay == 0.25
    assert lab.get("/orders/7", via="origin").status == 503  # still in maintenance


def test_the_judge_runs_in_the_declared_state_and_puts_the_learner_s_back(task, lab) -> None:
    _learner_settings(lab)

    def fetch(lab):
        return lab.get("/orders/7").status

    result = task.check(fetch, lab)
    assert result, result.message
    assert result.detail == "200 labkit-origin"
    _assert_put_back(lab)


def test_the_state_is_put_back_when_learner_code_raises_or_hangs(task, lab) -> None:
    _learner_settings(lab)

    def raises(lab):
        raise RuntimeError("no network")

    raised = task.check(raises, lab)
    assert raised.correct is False and "RuntimeError: no network" in raised.message
    _assert_put_back(lab)

    def hangs(lab):
        time.sleep(60)

    quick = copy.copy(task)
    quick.time_limit = 0.3
    start = time.monotonic()
    hung = quick.check(hangs, lab)
    assert time.monotonic() - start < 3
    assert hung.correct is False and "did not finish" in hung.message
    _assert_put_back(lab)


def test_wrong_arguments_get_one_line_naming_what_to_pass(task, lab) -> None:
    def fetch(lab):
        return 200

    cases = [
        ((fetch,), "pass the lab too: q.check(fetch, lab)"),
        ((fetch, "lab"), "pass the lab too: q.check(fetch, lab)"),
        (("fetch", lab), "pass your function itself: q.check(fetch, lab) (no () after it)"),
        ((fetch, lab, 3), "q.check(fetch, lab) takes 2 argument(s), not 3"),
    ]
    for args, words in cases:
        result = task.check(*args)
        assert result.correct is False and words in result.message, result.message
        assert "\n" not in result.message and not result.detail
    lab.stop()
    stopped = task.check(fetch, lab)
    assert stopped.correct is False and "the lab is stopped" in stopped.message


def test_a_task_that_sets_state_must_take_the_lab() -> None:
    with pytest.raises(ValueError, match="must take the lab"):
        CheckedTask("test.no-lab", "test", "?", usage="q.check(f)",
                    takes=(function_param("f"),), state=State(personality="rfc"),
                    checks=(), success="", hints=(), solution="")  # fmt: skip
    assert "test.no-lab" not in REGISTRY
