"""Lesson 503's exercises: reference answers pass, typical mistakes fail with a reason."""

from __future__ import annotations

import copy
import datetime
import datetime as dt
import email.utils
import time

import pytest
from helpers import solution_function

import labkit
from labkit.exercises.lesson_503 import q1, q2, q3, q4, q5


def test_q1_retry_after_header() -> None:
    assert q1.check("Retry-After")
    assert q1.check("  retry-after ")
    wrong = q1.check("Cache-Control")
    assert not wrong and "caches" in wrong.message


def test_q2_maintenance_done_right(lab: labkit.Lab) -> None:
    assert "not in maintenance" in q2.check(lab).message
    lab.origin.maintenance(retry_after=300)
    result = q2.check(lab)
    assert result, result.message
    assert "Retry-After: 300" in result.message
    soon = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=5)
    lab.origin.maintenance(retry_after=soon)
    assert q2.check(lab)


def test_q2_typical_mistakes(lab: labkit.Lab) -> None:
    lab.origin.maintenance(retry_after=None)
    no_header = q2.check(lab)
    assert not no_header and "no Retry-After" in no_header.message
    assert "retry_after" not in no_header.message  # the argument is the learner's to find
    lab.origin.maintenance(retry_after=0)
    assert "come back at once" in q2.check(lab).message
    past = dt.datetime(2001, 1, 1, tzinfo=dt.timezone.utc)
    lab.origin.maintenance(retry_after=past)
    assert "in the past" in q2.check(lab).message
    lab.origin.maintenance(retry_after=30, cache_max_age=60)
    cached = q2.check(lab)
    assert not cached and "max-age=60" in cached.message and "no-store" in cached.message
    assert "cache_max_age" not in cached.message
    # that answer went into the gateway cache: fixing the origin is not enough
    lab.origin.maintenance(retry_after=30)
    stale = q2.check(lab)
    assert not stale and "X-Cache: HIT" in stale.message and "purge" in stale.message
    lab.gateway.purge()
    assert q2.check(lab)
    assert "pass the lab" in q2.check("lab").message


def test_q3_how_many_are_shed() -> None:
    assert q3.check("5")
    wrong = q3.check("3")
    assert not wrong and "served" in wrong.message


def test_q4_heuristically_cacheable() -> None:
    assert q4.check("501")
    wrong = q4.check("503")
    assert not wrong and "RFC 9110 15.1" in wrong.message
    assert "501" not in wrong.message  # the feedback points to the evidence, not the answer


# -- q5: the polite client --


polite_get = solution_function(q5, "polite_get")  # the reference solution, as shown


def test_q5_reference_solution_passes_and_puts_the_lab_back(lab: labkit.Lab) -> None:
    lab.origin.capacity = 7
    result = q5.check(polite_get, lab)
    assert result, result.message + "\n" + result.detail
    assert "POST was sent once" in result.message
    assert not lab.origin.in_maintenance and lab.origin.capacity == 7
    assert lab.get("/orders/7").status == 200


def test_q5_no_retry_at_all(lab: labkit.Lab) -> None:
    def once(lab, method, path):
        return lab.request(method, path).status

    result = q5.check(once, lab)
    assert not result and "once" in result.message and "Retry-After: 1" in result.message
    assert not lab.origin.in_maintenance


def test_q5_retrying_without_waiting(lab: labkit.Lab) -> None:
    def hammer(lab, method, path):
        for _ in range(200):
            ex = lab.request(method, path)
            if ex.status != 503:
                break
        return ex.status

    result = q5.check(hammer, lab)
    assert not result and "after a 503 that said Retry-After: 1" in result.message


def test_q5_retrying_a_post(lab: labkit.Lab) -> None:
    def retries_everything(lab, method, path):
        for _ in range(4):
            ex = lab.request(method, path)
            if ex.status != 503:
                break
            time.sleep(_seconds(ex.header("Retry-After")))
        return ex.status

    result = q5.check(retries_everything, lab)
    assert not result and "POST /orders 4 times" in result.message
    assert "not idempotent" in result.message and "RFC 9110 9.2.2" in result.message
    assert "return the 503" not in result.message.lower()
    assert not lab.origin.in_maintenance


def test_q5_returning_the_exchange(lab: labkit.Lab) -> None:
    result = q5.check(lambda lab, method, path: lab.request(method, path), lab)
    assert not result and "ex.status" in result.message


def test_q5_code_that_raises_is_reported(lab: labkit.Lab) -> None:
    def broken(lab, method, path):
        return int(lab.request(method, path).header("Retry-After")) / 0

    result = q5.check(broken, lab)
    assert not result and "ZeroDivisionError" in result.message
    assert not lab.origin.in_maintenance


def test_q5_code_that_sleeps_forever_is_stopped(lab: labkit.Lab) -> None:
    quick = copy.copy(q5)
    quick.time_limit = 0.5

    def sleeper(lab, method, path):
        while True:  # time.sleep is virtual here: a real hang is a loop
            pass

    start = time.monotonic()
    result = quick.check(sleeper, lab)
    assert time.monotonic() - start < 2
    assert not result and "did not finish" in result.message
    assert not lab.origin.in_maintenance


def _seconds(value):
    if value.isdigit():
        return int(value)
    when = email.utils.parsedate_to_datetime(value)
    return max(0.0, (when - datetime.datetime.now(datetime.timezone.utc)).total_seconds())


def fixed_sleep(lab, method, path):
    for _ in range(4):
        ex = lab.request(method, path)
        if ex.status != 503 or method != "GET":
            break
        time.sleep(1)  # ignores what Retry-After says
    return ex.status


def digits_only(lab, method, path):
    for _ in range(4):
        ex = lab.request(method, path)
        if ex.status != 503 or method != "GET":
            break
        time.sleep(int(ex.header("Retry-After")))
    return ex.status


def never_gives_up(lab, method, path):
    while True:
        ex = lab.request(method, path)
        if ex.status != 503 or method != "GET":
            return ex.status
        time.sleep(_seconds(ex.header("Retry-After")))


def test_q5_a_fixed_sleep_fails(lab: labkit.Lab) -> None:
    result = q5.check(fixed_sleep, lab)
    assert not result and "came back 1.00 s after a 503 that said Retry-After: " in result.message
    assert "HTTP-date 4 s ahead" in result.message  # the date it did not wait for


def test_q5_a_client_that_reads_only_seconds_is_told(lab: labkit.Lab) -> None:
    result = q5.check(digits_only, lab)
    assert not result and "ValueError" in result.message


def test_q5_a_client_that_never_gives_up_fails(lab: labkit.Lab) -> None:
    result = q5.check(never_gives_up, lab)
    assert not result and "still retrying a 503 that did not end" in result.message
    assert not lab.origin.in_maintenance


@pytest.mark.slow
def test_q5_verdicts_are_the_same_ten_times_under_load(lab: labkit.Lab, busy_cores) -> None:
    for client, verdict in ((polite_get, True), (fixed_sleep, False), (never_gives_up, False)):
        results = [q5.check(client, lab) for _ in range(10)]
        assert len({r.message for r in results}) == 1, (
            client.__name__,
            [repr(r) for r in results if r.message != results[0].message],
        )
        assert all(bool(r) is verdict for r in results), client.__name__
