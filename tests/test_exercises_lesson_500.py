"""Lesson 500's exercises: reference solutions pass, typical mistakes fail with useful words."""

from __future__ import annotations

import copy
import time

import pytest
from procguard import own_clock

from labkit.exercises.lesson_500 import q1, q2, q3, q4, q5
from labkit.lab import ORIGIN_TIMEOUTS
from labkit.origin import ORDERS

# -- quizzes --


@pytest.mark.parametrize(
    ("exercise", "right", "wrong", "words"),
    [
        (q1, "origin", "gateway", "Proxy-Status"),
        (q1, "Origin", "client", "server side"),
        (q2, "X-Request-ID", "Via", "proxies"),
        (q2, " x-request-id ", "Server", "same for every request"),
        (q3, "leaks internals", "hides the error", "status stays 500"),
        (q3, "leaks internals", "becomes a 502", "relays it"),
        (q4, "check before resending", "retry once after a pause", "idempotent"),
        (q4, "check before resending", "retry until it works", "bug"),
    ],
)
def test_quiz_accepts_the_answer_and_explains_a_mistake(exercise, right, wrong, words):
    assert exercise.check(right)
    result = exercise.check(wrong)
    assert result.correct is False
    assert words in result.message


def test_choice_outside_the_options_is_named():
    result = q1.check("the database")
    assert result.correct is None  # not an option: said, not counted
    assert "not one of the options" in result.message


def test_short_answer_unknown_header_is_not_it():
    result = q2.check("X-Trace")
    assert result.correct is False
    assert "look for the value that appears both in the page" in result.message


# -- q5: the learner's handler, over real sockets through the gateway --


def _reference_solution():
    namespace: dict = {}
    exec(q5.solution_text.replace("q5.check(show_order, lab)", ""), namespace)
    return namespace["show_order"]


def test_reference_handler_passes_and_lab_is_restored(lab):
    result = q5.check(_reference_solution(), lab)
    assert result, result
    assert "GET /orders/abc -> 400" in result.detail
    assert "GET /orders/99 -> 404" in result.detail
    assert lab.origin.order_handler is None
    assert lab.get("/orders/abc").status == 500  # the original bug is back


def test_blank_handler_is_not_answered(lab):
    def show_order(order_id: str) -> tuple[int, object]: ...

    result = q5.check(show_order, lab)
    assert result.correct is None
    assert "not answered" in result.message


def test_handler_that_raises_is_reported_not_raised(lab):
    def show_order(order_id):
        return 200, ORDERS[int(order_id)]

    result = q5.check(show_order, lab)
    assert result.correct is False
    assert "show_order('abc') raised ValueError" in result.message
    assert "500" in result.message
    assert "int(order_id)" in result.detail
    assert lab.origin.order_handler is None


def test_handler_that_forgets_order_13_is_told(lab):
    def show_order(order_id):
        if not order_id.isdigit():
            return 404, "no such order"
        order = ORDERS.get(int(order_id))
        if order is None:
            return 404, "no such order"
        return 200, {"customer": order["customer"]["name"]}

    result = q5.check(show_order, lab)
    assert result.correct is False
    assert "show_order('13') raised TypeError" in result.message


def test_wrong_status_is_found_through_the_gateway(lab):
    def show_order(order_id):
        return 200, {"id": order_id}  # every id "exists"

    result = q5.check(show_order, lab)
    assert result.correct is False
    assert "through the gateway" in result.message
    assert "/orders/abc answered 200, expected 400 or 404" in result.message
    assert "/orders/99 answered 200, expected 404" in result.message
    assert lab.origin.order_handler is None


def test_handler_that_fails_only_inside_the_origin_shows_the_500(lab):
    def show_order(order_id):
        import threading

        if threading.current_thread().name != "MainThread":  # only in the origin
            raise KeyError(order_id)
        return {"abc": 400, "99": 404}.get(order_id, 200), "espresso beans teapot"

    result = q5.check(show_order, lab)
    assert result.correct is False
    assert "answered 500" in result.message
    assert "the handler raised KeyError" in result.message


@pytest.mark.parametrize(
    ("returned", "words"),
    [
        (200, "must return a pair"),
        ((200, "ok", "x"), "must return a pair"),
        (("200", "ok"), "whole number"),
        ((999, "ok"), "whole number"),
        # the origin takes 200-599 (a 1xx is interim): 101 passed this check and became a 500
        ((101, "ok"), "from 200 to 599"),
    ],
)
def test_wrong_shape_is_explained(lab, returned, words):
    result = q5.check(lambda order_id: returned, lab)
    assert result.correct is False
    assert words in result.message


def test_missing_lab_or_function_is_explained(lab):
    result = q5.check(_reference_solution())
    assert result.correct is None  # not an attempt
    assert "pass the lab" in result.message
    result = q5.check("show_order", lab)
    assert result.correct is None
    assert "pass your function itself" in result.message


def test_handler_that_hangs_is_stopped(lab):
    quick = copy.copy(q5)
    quick.time_limit = 0.3

    def show_order(order_id):
        time.sleep(60)
        return 200, "never"

    start = time.monotonic()
    result = quick.check(show_order, lab)
    assert time.monotonic() - start < 2
    assert result.correct is False
    assert "did not finish" in result.message
    assert lab.origin.order_handler is None
    assert lab.get("/orders/7").status == 200  # the lab still answers


@pytest.mark.slow
def test_q5_a_handler_that_knows_only_the_prompts_four_ids_fails(lab) -> None:
    """Re-examination (issue 14): a table of the four ids in the prompt passed."""

    def show_order(order_id):
        known = {"7": (200, {"item": "espresso beans"}), "13": (200, {"item": "teapot"})}
        return known.get(order_id, (404, "no such order"))

    result = q5.check(show_order, lab)
    assert not result and "/orders/2 answered 404, expected 200 with order 2" in result.message


def test_q5_an_exception_without_a_message_is_named_without_an_empty_colon(lab) -> None:
    """raise KeyboardInterrupt read "show_order('abc') raised KeyboardInterrupt: . In the
    origin ...": a colon before nothing."""

    def show_order(order_id):
        raise KeyboardInterrupt

    result = q5.check(show_order, lab)
    assert not result and "raised KeyboardInterrupt. In the origin" in result.message, (
        result.message
    )
    assert ": ." not in result.message


@pytest.mark.slow  # a judge's run: 1 s of CPU (a handler that raises: test_handler_that_raises_..., quick)
def test_a_body_that_holds_itself_is_what_pythons_json_says(lab):
    """The origin sends a dict body as JSON: one that holds itself was reported as "the handler
    raised RecursionError" (the origin's own JSON writer recursing), where Python's json.dumps
    says "ValueError: Circular reference detected"."""

    def show_order(order_id):
        body = {"id": order_id}
        body["self"] = body
        return 200, body

    result = q5.check(show_order, lab)
    assert result.correct is False
    assert "ValueError: Circular reference detected" in result.message, result.message
    assert "RecursionError" not in result.message


@pytest.mark.slow  # each call's child starts 1.2 s late: about 15 s
def test_a_machine_that_starts_the_handler_slowly_does_not_fail_the_reference(
    lab, monkeypatch
) -> None:
    """The origin counts a handler's time from the request, its child process's start too
    (the 500 is due before the gateway's read timeout). At load 19 that start took over the
    lab's 1 s: the reference solution was "the handler did not return within 1 s" in 10 of
    10 checks. The judge now allows JUDGED_HANDLER_SECONDS while it sends its
    requests, and puts the lab's limit back. Fails before: a start slowed to 1.2 s."""
    import select

    from labkit.exercises import runner

    real = runner._limit_memory

    def slow_start():  # in the child, before the learner's time starts
        select.select([], [], [], 1.2)
        real()

    monkeypatch.setattr(runner, "_limit_memory", slow_start)
    result = q5.check(_reference_solution(), lab)
    assert result, result.message
    assert lab.origin.learner_time_limit() == 1.0
    assert lab.gateway.route("/").read_timeout == ORIGIN_TIMEOUTS.read


def test_q1_s_first_hint_says_where_to_look_and_no_hint_names_the_answer() -> None:
    """A newcomer needs first where the lab names the maker (ex.generated_by, the '[made
    here]' mark); the first hint was one 90-word sentence of RFC 9209 detail, and that
    pointer came second. Each hint is short, and neither names the hop that made the 500."""
    from labkit.i18n import render

    for lang, answer in (("en", "origin"), ("zh-CN", "源服务器")):
        first, second = (render(h, lang) for h in q1.hint_texts)
        assert "ex.generated_by" in first and "Proxy-Status" not in first, first
        assert "Proxy-Status" in second and "RFC 9209" in second, second
        assert answer not in first + second
    first, second = (render(h, "en") for h in q1.hint_texts)
    assert len(first.split()) <= 35 and len(second.split()) <= 40, (first, second)


# -- q5 under load (issue 14): the same verdict every time, within a few seconds --


def _raises_on_abc(order_id):
    return 200, ORDERS[int(order_id)]


def _every_id_exists(order_id):
    return 200, {"id": order_id}


def _forgets_order_13(order_id):
    if not order_id.isdigit():
        return 404, "no such order"
    order = ORDERS.get(int(order_id))
    if order is None:
        return 404, "no such order"
    return 200, {"customer": order["customer"]["name"]}


def _fails_only_in_the_origin(order_id):
    import threading

    if threading.current_thread().name != "MainThread":
        raise KeyError(order_id)
    return {"abc": 400, "99": 404}.get(order_id, 200), "espresso beans teapot"


def _fails_only_beyond_the_prompt(order_id):
    known = {"7": (200, {"item": "espresso beans"}), "13": (200, {"item": "teapot"})}
    return known.get(order_id, (404, "no such order"))


# seconds one check may take with both cores busy (and the other engineers' or a classroom's
# load beside them): one process per call of the handler, twelve in all, took ~9.6 s at load 19.
# Counted on the judge's clock (procguard.own_clock: the machine's less what the test's thread
# waited for a CPU others had): by the machine's alone the slowest took 5.47 s in a run
# at load 13-18 (another worker's busy test beside this one), a verdict of the load.
Q5_UNDER_LOAD_SECONDS = 5.0


@pytest.mark.slow
def test_q5_verdicts_are_the_same_ten_times_under_load_and_each_check_is_quick(
    lab, busy_cores
) -> None:
    """The reference and five typical wrong handlers, 10 checks each with both cores busy:
    one verdict and one message per handler, and no check longer than a few seconds."""
    clients = (
        (_reference_solution(), True),
        (_raises_on_abc, False),
        (_every_id_exists, False),
        (_forgets_order_13, False),
        (_fails_only_in_the_origin, False),
        (_fails_only_beyond_the_prompt, False),
    )
    took: list[float] = []
    clock = own_clock()
    for client, verdict in clients:
        results = []
        for _ in range(10):
            start = clock()
            results.append(q5.check(client, lab))
            took.append(clock() - start)
        assert len({r.message for r in results}) == 1, (
            client.__name__,
            {r.message for r in results},
        )
        assert all(bool(r) is verdict for r in results), (client.__name__, results[0].message)
    assert max(took) < Q5_UNDER_LOAD_SECONDS, sorted(took)[-5:]


def test_q5_calls_the_handler_in_one_process_in_the_judge(lab, monkeypatch) -> None:
    """A process is started per call of learner code; on a loaded machine its fork and start
    are most of a call's time. The judge calls the handler for all six ids in one process,
    and the origin once per request: 7 processes, where one per id in the judge made 12.
    Fails before (12)."""
    from labkit.exercises import runner

    started: list[object] = []
    real = runner.run

    def counted(*args, **kwargs):
        started.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(runner, "run", counted)
    assert q5.check(_reference_solution(), lab)
    assert len(started) == 1 + 6, len(started)


def test_q5_names_the_order_whose_call_raised_after_others_returned(lab) -> None:
    """All six ids are called in one process: the one that raised (the third) is named, with
    the learner's own line."""

    def show_order(order_id):
        if order_id == "13":
            raise LookupError("no customer")
        return (400 if not order_id.isdigit() else 200), "espresso beans"

    result = q5.check(show_order, lab)
    assert not result and "show_order('13') raised LookupError: no customer" in result.message
    assert 'raise LookupError("no customer")' in result.detail, result.detail
