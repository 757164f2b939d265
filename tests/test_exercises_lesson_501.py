"""Lesson 501's exercises: reference solutions pass, typical mistakes fail with useful words."""

from __future__ import annotations

import pytest

from labkit.exercises.lesson_501 import q1, q2, q3, q4, q5

TE = b"POST /orders HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding: %s\r\nConnection: close\r\n\r\n0\r\n\r\n"


@pytest.mark.parametrize(
    ("exercise", "right", "wrong", "words"),
    [
        (q1, "501", "405", "knows but this resource does not allow"),
        (q1, "501", "404", "checked first"),
        (q2, "Allow", "Retry-After", "will not make DELETE allowed"),
        (q2, "allow", "Allowed", "ex.headers"),
        (q4, "400", "501", "framing itself is broken"),
        (q5, "405 with Allow", "501", "implements on no resource"),
        (q5, "405 with allow", "405 without Allow", "15.5.6"),
    ],
)
def test_quiz_accepts_the_answer_and_explains_a_mistake(exercise, right, wrong, words):
    assert exercise.check(right)
    result = exercise.check(wrong)
    assert result.correct is False
    assert words in result.message


def test_reference_solution_passes(lab):
    namespace = {"lab": lab, "q3": q3}
    exec(q3.solution_text.replace("q3.check(ex)", "result = q3.check(ex)"), namespace)
    assert namespace["result"], namespace["result"]
    assert "RFC 9112 6.1" in namespace["result"].message


@pytest.mark.parametrize("to", ["origin", "gateway"])
def test_transfer_coding_501_from_either_server(lab, to):
    result = q3.check(lab.raw(TE % b"gzip, chunked", to=to))
    assert result, result
    assert f"the {to} found where the body ends" in result.message


def test_the_lab_itself_is_judged_by_its_last_request(lab):
    lab.raw(TE % b"br, chunked")
    assert q3.check(lab)
    lab.request("BREW", "/orders/7")
    result = q3.check(lab)
    assert result.correct is False
    assert "a 501 for the method" in result.message


def test_chunked_not_last_is_the_400(lab):
    result = q3.check(lab.raw(TE % b"chunked, gzip"))
    assert result.correct is False
    assert "got 400" in result.message
    assert "RFC 9112 6.3" in result.message and "ex.why" in result.message
    assert "must come last" not in result.message  # that is hint 2, one step further


def test_plain_chunked_is_implemented(lab):
    result = q3.check(lab.raw(TE % b"chunked"))
    assert result.correct is False
    assert "every HTTP/1.1 recipient must be able to parse (RFC 9112 7.1)" in result.message
    # a sentence, not "422: chunked is ..." (fails before)
    assert "Transfer-Encoding: chunked got 4" in result.message, result.message


def test_unknown_method_is_not_a_transfer_coding(lab):
    result = q3.check(lab.request("BREW", "/orders/7"))
    assert result.correct is False
    assert "no Transfer-Encoding header" in result.message


def test_httpx_refusal_points_to_raw(lab):
    ex = lab.request(
        "POST", "/orders", headers={"Transfer-Encoding": "gzip, chunked"}, body="0\r\n\r\n"
    )
    result = q3.check(ex)
    assert result.correct is False
    assert "never reached the lab" in result.message
    assert "lab.raw" in result.message


def test_something_else_is_explained():
    result = q3.check("gzip, chunked")
    assert result.correct is None  # not an attempt
    assert "pass the Exchange" in result.message


def test_a_chinese_verdict_quotes_the_header_as_it_was_sent() -> None:
    """The Chinese verdict read "请求写的是 Transfer-Encoding: gzip、chunked": the header's
    list joined with the Chinese enumeration comma, which no request carries (RFC 9110 5.6.1:
    a list is separated by commas). It quotes the header value as it was sent, in both
    languages, for the 501 and for the 400 of chunked not last."""
    import labkit

    with labkit.start(lang="zh-CN") as lab:
        passed = q3.check(lab.raw(TE % b"gzip, chunked"))
        assert passed and "Transfer-Encoding: gzip, chunked" in passed.message, passed.message
        failed = q3.check(lab.raw(TE % b"chunked, gzip"))
        assert "Transfer-Encoding: chunked, gzip" in failed.message, failed.message


def test_q5_a_405_that_leaves_out_allow_is_told_what_tells_the_options_apart() -> None:
    """ "405" fits two options, with Allow and without: it was told only "not one of the
    options" (fails before), where what it leaves out is what the question asks."""
    for given in ("405", "405 Method Not Allowed"):
        result = q5.check(given)
        assert result.correct is None and result.refused, result.message
        assert "fits more than one option" in result.message, result.message
        assert "('405 without Allow', '405 with Allow')" in result.message, result.message
    assert "not one of the options" in q5.check("404 with no Allow header").message


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_the_lab_before_any_request_is_not_an_attempt(lang: str) -> None:
    """q3.check(lab) before anything was sent: nothing to judge, so not an attempt, and the
    learner is told to send the request first. It was counted as a wrong answer, "your
    answer raised LabNotRunning: no request has reached the lab yet" (还不对：你的答案抛出了
    LabNotRunning), though the lab ran and the learner's answer raised nothing (fails
    before); a stopped lab is not an attempt either."""
    import labkit

    with labkit.start(lang=lang) as lab:
        early = q3.check(lab)
    late = q3.check(lab)
    for result in (early, late):
        assert result.correct is None and result.refused, result
        assert "LabNotRunning" not in result.message, result.message
    if lang == "en":
        assert "no request has reached the lab yet" in early.message, early.message
        assert "lab.raw(...)" in early.message and "q3.check(lab)" in early.message
        assert late.message.startswith("the lab is stopped"), late.message
    else:
        assert "还没有任何请求到达实验室" in early.message, early.message
        assert "实验室已经停止" in late.message, late.message
