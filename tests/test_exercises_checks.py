"""Judges as declared checks on one base: arguments read one way, state set and put back.

Every code or make-it-happen task is a CheckedTask; the base reads its arguments (one line
naming what to pass), sets the state the task declares for the judge, and puts the
learner's settings back whatever the verdict: right, wrong, raising or stopped.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import time
from collections.abc import Iterator

import pytest

import labkit
from labkit import exercises
from labkit.exercises import store
from labkit.exercises.checks import (
    CheckedTask,
    Run,
    State,
    expect,
    function_param,
    lab_param,
    setting,
)
from labkit.exercises.core import REGISTRY, Exercise, Task


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
        "test.checked",
        "test",
        "Return the status your GET /orders/7 got.",
        usage="q.check(fetch, lab)",
        takes=(function_param("fetch"), lab_param()),
        state=State(
            sets=(
                setting("personality", name="rfc"),
                setting("timeout", route="/", connect=0.5, read=2.0),
                setting("capacity", value=None),
                setting("maintenance", on=False),
                setting("debug", on=False),
            ),
            judge_changes=True,
        ),
        observe={"ex": _seen_through_the_gateway},
        checks=(
            expect(
                lambda run: run["ex"].status == 200,
                lambda run: f"the judge's own GET got {run['ex'].status}",
            ),
            expect(lambda run: run["fetch"](run.lab) == 200, "your function did not say 200"),
        ),
        success="200 it is.",
        hints=("GET it.",),
        solution="lab.get('/orders/7').status",
        time_limit=1.0,
    )
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
        assert result.correct is None and words in result.message, result.message
        assert "\n" not in result.message and not result.detail
    lab.stop()
    stopped = task.check(fetch, lab)
    assert stopped.correct is None and "the lab is stopped" in stopped.message
    assert store.load().get(task.id) is None  # none of them was an attempt


def _bad_calls(lab: labkit.Lab) -> list[tuple[Exercise, tuple[object, ...], list[str]]]:
    """For each kind of exercise, calls with a bad argument (a wrong type, an unknown name, a
    number out of range, a missing or extra argument) and words the one line must hold: what
    was wrong and what is allowed."""
    from labkit.exercises import (
        capstone,
        gateways,
        lesson_500,
        lesson_501,
        lesson_503,
        lesson_504,
        lesson_505,
    )

    def fetch(lab, path, budget):
        return 200

    async def fetch_async(lab, path, budget):
        return 200

    def fetch_yields(lab, path, budget):
        yield 200

    class Fetcher:
        async def __call__(self, lab, path, budget):
            return 200

    diagnosis = capstone.q1
    return [
        # a choice: an unknown option, two answers
        (lesson_504.q4, ("HAProxy",), ["'HAProxy' is not one of the options", "'503', '504'"]),
        (lesson_504.q4, ("503", "504"), ["give one answer, not 2", "one of the options"]),
        # the lab passed where an answer goes: named by its type, not its page of routes
        (lesson_504.q4, (lab,), ["a value of type Lab is not one of the options"]),
        # a short answer: a status out of range, a bool, a sentence, the wrong kind
        (lesson_504.q3, (700,), ["700 is not a status", "from 100 to 599", "a status code"]),
        (lesson_504.q3, (True,), ["True is not a status", "a status code"]),
        (
            lesson_503.q3,
            ("most of them, I think, were turned away",),
            ["not a number", "a number, such as"],
        ),
        (lesson_503.q1, (30,), ["is not a header name", "a header name, such as"]),
        (gateways.q4, ("504",), ["is a status", "an upstream condition such as"]),
        # a hedge: the same words for a choice and a short answer (they differed)
        (lesson_504.q4, ("502 or 504",), ["'502 or 504' gives several answers", "one of the"]),
        (lesson_504.q4, ("503, 504",), ["'503, 504' gives several answers", "one of the"]),
        (lesson_504.q3, ("502 or 504",), ["'502 or 504' gives several answers", "a status code"]),
        (lesson_504.q3, ("502/504",), ["'502/504' gives several answers", "a status code"]),
        # a word that may not be meant as a header: not "that header is not where ..."
        (lesson_500.q2, ("banana",), ["'banana' is not a header name HTTP", "a header name"]),
        (lesson_503.q1, ("origin or gateway",), ["not a header name HTTP", "a header name"]),
        # a task taking the lab: a string, two labs, no lab
        (lesson_503.q2, ("lab",), ["pass the lab", "q2.check(lab)"]),
        (lesson_503.q2, (lab, lab), ["q2.check(lab) takes 1 argument(s), not 2"]),
        # a task taking a function and the lab: its result instead of it, no lab
        (
            lesson_504.q5,
            (fetch(lab, "/", 1), lab),
            ["pass your function itself", "q5.check(fetch_with_retries, lab)"],
        ),
        (lesson_504.q5, (fetch,), ["pass the lab too", "q5.check(fetch_with_retries, lab)"]),
        # a function whose call makes a coroutine or a generator, not an answer
        (
            lesson_504.q5,
            (fetch_async, lab),
            ["written with async def", "a plain def", "q5.check(fetch_with_retries, lab)"],
        ),
        (lesson_504.q5, (Fetcher(), lab), ["written with async def", "a plain def"]),
        (
            lesson_504.q5,
            (functools.partial(fetch_async), lab),
            ["written with async def", "a plain def"],
        ),
        (
            lesson_504.q5,
            (fetch_yields, lab),
            ["uses yield", "return the answer", "q5.check(fetch_with_retries, lab)"],
        ),
        # tasks taking an Exchange, or the bytes of a request
        (lesson_501.q3, ("GET / HTTP/1.1",), ["pass the Exchange", "not a str"]),
        (lesson_505.q2, (42, lab), ["give the bytes of a whole request", "not a int"]),
        # the capstone's diagnosis: not a dict, an unknown hop or cause, an extra key
        (diagnosis, ("gateway",), ["answer with a dict", "'made_by': <one of client"]),
        (
            diagnosis,
            ({"made_by": "nginx", "cause": "refused"},),
            ["'nginx' is not a hop", "one of client, portal"],
        ),
        (
            diagnosis,
            ({"made_by": "gateway", "cause": "it broke"},),
            ["not one of the causes", "no-healthy-upstream"],
        ),
        (
            diagnosis,
            ({"made_by": "gateway", "cause": "refused", "why": "x"},),
            ["two keys, made_by and cause, not why"],
        ),
    ]


def test_a_bad_argument_is_one_line_and_never_an_attempt(lab) -> None:
    """Every kind of exercise: one line saying what was wrong and what is allowed; no
    attempt counted, nothing in the progress file or the grading record, no hint offered."""
    calls = _bad_calls(lab)
    assert {type(q).__name__ for q, _, _ in calls} >= {
        "Choice",
        "ShortAnswer",
        "CheckedTask",
        "Diagnosis",
    }
    for q, args, words in calls:
        result = q.check(*args)
        assert result.correct is None, (q.id, args, result.message)
        assert "\n" not in result.message and not result.detail, (q.id, result.message)
        for word in words:
            assert word in result.message, (q.id, args, word, result.message)
        assert "hint" not in result.message, result.message
    records = store.load()
    assert not [q.id for q, _, _ in calls if q.id in records], records
    assert exercises.progress().rows and all(r["attempts"] == 0 for r in exercises.progress().rows)


@pytest.mark.parametrize(
    "state",
    [
        State(sets=(setting("personality", name="rfc"),)),
        State(sets=(setting("maintenance", on=False),)),
        State(sets=(setting("cache", action="purge"),)),
        State(after=(setting("portal", action="logout"),)),  # lesson 11's login ends with it
        State(judge_changes=True),  # the judge changes a setting itself (lesson 11's login)
    ],
)
def test_a_task_that_sets_state_must_take_the_lab(state: State) -> None:
    with pytest.raises(ValueError, match="must take the lab"):
        CheckedTask(
            "test.no-lab",
            "test",
            "?",
            usage="q.check(f)",
            takes=(function_param("f"),),
            state=state,
            checks=(),
            success="",
            hints=(),
            solution="",
        )
    assert "test.no-lab" not in REGISTRY
    CheckedTask(  # a state that changes nothing needs no lab
        "test.no-lab",
        "test",
        "?",
        usage="q.check(f)",
        takes=(function_param("f"),),
        state=State(),
        checks=(),
        success="",
        hints=(),
        solution="",
    )
    del REGISTRY["test.no-lab"]


def test_a_judge_s_settings_are_the_switch_table_s() -> None:
    """One table for the lab's settings: a judge names switches of labkit.switches.SWITCHES
    and their arguments, checked against the table when the exercise is made. State kept a
    second list (personality, timeouts, capacity, maintenance, debug, login, cache) with its
    own way of applying each, and took any value: State(personality="nginxx") was made, and
    failed only when a learner checked an answer."""
    from labkit import switches

    with pytest.raises(labkit.errors.BadArgument, match="'nginxx'"):
        setting("personality", name="nginxx")
    with pytest.raises(labkit.errors.BadArgument, match="capacity takes value; not size"):
        setting("capacity", value=3, size=3)
    with pytest.raises(labkit.errors.BadArgument, match="'personalty'"):
        setting("personalty", name="rfc")
    named = [
        name
        for q in exercises.all_exercises()
        if isinstance(q, CheckedTask)
        for name, _ in (*q.state.sets, *q.state.after)
    ]
    assert named and set(named) <= set(switches.SWITCHES), named
    # every field of State is a list of settings or says that the judge changes some itself
    assert {f.name for f in dataclasses.fields(State)} == {"sets", "after", "judge_changes"}


def test_judges_read_event_fields_never_prose() -> None:
    """Events are typed (recorder.Role, Kind, Attempt): a judge compares their fields, never
    a hop's name or label, a summary or a why with a string (issue 14, f75f667)."""
    import ast
    from pathlib import Path

    prose = {"generated_by", "summary", "label", "hop", "why", "request_line"}
    found = []
    for path in sorted(Path(exercises.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Compare):
                continue
            sides = [node.left, *node.comparators]
            reads_prose = any(isinstance(s, ast.Attribute) and s.attr in prose for s in sides)
            strings = [
                n
                for s in sides
                for n in ast.walk(s)
                if isinstance(n, ast.Constant) and isinstance(n.value, str)
            ]
            if reads_prose and strings:
                found.append(f"{path.name}:{node.lineno}")
    assert not found, found
