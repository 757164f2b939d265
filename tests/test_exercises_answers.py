"""One answer matcher for every exercise: every form of a right answer counts, near misses do not.

The stated answer of each solution text must be accepted by its own check(); every
exercise has near-miss wrong answers (neighbouring statuses, the wrong hop, hedges)
that must be rejected, so a lenient matcher cannot pass.
"""

from __future__ import annotations

import ast
import http
import re
import time
from collections.abc import Sequence

import pytest

from labkit import drill, exercises
from labkit.exercises import answers, store
from labkit.exercises.capstone import Diagnosis
from labkit.exercises.core import REGISTRY, Choice, Exercise, ShortAnswer, digest, make_choice
from labkit.http.pages import MADE_BY
from labkit.i18n import render

QUIZZES = [q for q in exercises.all_exercises() if isinstance(q, (Choice, ShortAnswer, Diagnosis))]


def stated_answer(q: Exercise) -> object:
    """What the solution text gives as the answer: q.check(X), a dict, or its first phrase."""
    text = q.solution_text
    call = re.match(r"q\d\.check\((.*?)\)[:\s]", text)
    if call:
        return ast.literal_eval(call.group(1))
    if text.startswith("{"):
        return ast.literal_eval(text.split("\n", 1)[0])
    return re.split(r": |\. | \(|\n", text, maxsplit=1)[0]


@pytest.mark.parametrize("q", QUIZZES, ids=lambda q: q.id)
def test_the_answer_each_solution_states_is_accepted(q: Exercise) -> None:
    result = q.check(stated_answer(q))
    assert result, f"{q.id}: {stated_answer(q)!r} -> {result.message}"


# Other forms of the right answer, as learners write them.
RIGHT: dict[str, list[object]] = {
    "500.who-made-it": ["the origin", "Origin server", "ORIGIN.", "labkit-origin"],
    "500.find-the-traceback": [
        "x-request-id",
        "X-Request-ID:",
        "the X-Request-ID header",
        "'X-Request-Id'",
        "x_request_id",
    ],
    "500.debug-danger": ["Leaks internals.", "'leaks internals'"],
    "500.retry-a-post": ["Check before resending", "Check before resending!"],
    "501.unknown-method": [
        501,
        "501 Not Implemented",
        "HTTP/1.1 501 Not Implemented",
        "Not Implemented",
    ],
    "501.allow-header": [
        "allow",
        "Allow:",
        "the Allow header",
        "Allow: GET, HEAD, OPTIONS",
        '"Allow"',
    ],
    "501.chunked-not-final": [400, "400 Bad Request", "HTTP/1.1 400 Bad Request", "bad request"],
    "501.python-http-server": ["405 with allow", "405 Method Not Allowed with Allow"],
    "502.not-a-502": ["500 from the handler", "a 500 from the handler."],
    "502.body-cut": [200, "200 OK", "HTTP/1.1 200 OK", "200.", "ok"],
    "502.retry": ["Retry with backoff", "retry with backoff."],
    "503.retry-after-header": [
        "retry-after",
        "Retry-After:",
        "the Retry-After header",
        "retry_after",
    ],
    "503.how-many-shed": [5, "5", "five", "5 requests", 5.0, "Five."],
    "503.heuristic-cache": [501, "501 Not Implemented", "not implemented"],
    "504.who-answers": [
        "504 from gateway",
        "504 Gateway Timeout from the gateway",
        "504 Gateway Time-out from the gateway",
    ],
    "504.or-502": [
        504,
        "504 Gateway Timeout",
        "504 Gateway Time-out",
        "HTTP/1.1 504 Gateway Timeout",
        "Gateway Timeout",
        "504 from the gateway",
    ],
    "504.haproxy-connect-timeout": [503, "503 Service Unavailable", "Service Unavailable"],
    "505.http2-request-line": [505, "505 HTTP Version Not Supported"],
    "505.426-headers": ["upgrade and connection: upgrade", "Upgrade and Connection upgrade"],
    "505.alpn": ["alpn", "ALPN."],
    "511.who-made-it": ["the portal", "captive portal", "labkit-portal"],
    "511.which-auth": [407, "407 Proxy Authentication Required"],
    "gateways.nginx-premature-close": [
        "closed without response",
        "Condition.CLOSED_WITHOUT_RESPONSE",
        "headers cut",
        "close",
    ],
    "gateways.haproxy-sc": ["Refused", "connection refused"],
    "gateways.envoy-uf": [
        "connection refused",
        "Condition.REFUSED",
        "connect timeout",
        "blackhole",
        "refused or connect-timeout",
    ],
    "gateways.caddy-dial-timeout": [
        "connect timeout",
        "Connect-Timeout.",
        "blackhole",
        "Condition.CONNECT_TIMEOUT",
        "connection timed out",
    ],
    "capstone.incident-1": [{"made_by": "The gateway", "cause": "no healthy upstream"}],
    "capstone.incident-2": [{"made_by": "origin server", "cause": "handler bug"}],
    "capstone.incident-3": [{"made_by": "gateway", "cause": "stale cache"}],
    "capstone.incident-4": [{"made_by": "captive portal", "cause": "network login"}],
    "capstone.incident-5": [{"made_by": "the gateway", "cause": "connect timeout"}],
    "capstone.incident-6": [{"made_by": "labkit-origin", "cause": "Maintenance."}],
    "capstone.incident-7": [{"made_by": "gateway", "cause": "invalid_response"}],
    "capstone.incident-8": [{"made_by": "the origin", "cause": "load shedding"}],
}

# Near misses: neighbouring statuses, the wrong hop, hedges, the neighbouring option.
WRONG: dict[str, list[object]] = {
    "500.who-made-it": ["gateway", "labkit-gateway", "origin or gateway"],
    "500.find-the-traceback": ["Via", "X-Request", "Request-ID", "X-Request-ID or Via", "Server"],
    "500.debug-danger": ["hides the error", "loses the log", "leaks internals or hides the error"],
    "500.retry-a-post": [
        "retry once after a pause",
        "retry until it works",
        "check before resending or retry until it works",
    ],
    "501.unknown-method": [405, "405 Method Not Allowed", "400", "502", "501 or 405"],
    "501.allow-header": ["Allowed", "Allow-Methods", "Allow or Upgrade", "Retry-After"],
    "501.chunked-not-final": [501, "411", "501 Not Implemented", "400 or 501"],
    "501.python-http-server": ["405 without Allow", "501", "405 with Allow or 501"],
    "502.not-a-502": ["garbage bytes", "connection refused", "a 500 from the handler or garbage"],
    "502.body-cut": [502, "502 Bad Gateway", "200 or 502", "500", 206],
    "502.retry": [
        "never retry",
        "retry, even a POST",
        "retry at once in a loop",
        "retry with backoff or never retry",
    ],
    "503.retry-after-header": ["Retry", "Cache-Control", "Retry-After or Expires", "After"],
    "503.how-many-shed": [3, "8", "three", "3 or 5", 5.5],
    "503.heuristic-cache": [503, "500", "504 Gateway Timeout", "501 or 503"],
    "504.who-answers": [
        "504 from the origin",
        "502 from the gateway",
        "504 from the gateway or the origin",
    ],
    "504.or-502": [502, "502 or 504", "503", "502 Gateway Timeout", "500"],
    "504.haproxy-connect-timeout": [504, "502", "504 Gateway Timeout", "503 or 504"],
    "505.http2-request-line": [426, "400", "505 or 426"],
    "505.426-headers": ["Upgrade", "Alt-Svc", "Upgrade or Alt-Svc"],
    "505.alpn": ["Upgrade: h2c", "HTTP/2.0 in the request line", "ALPN or Upgrade: h2c"],
    "511.who-made-it": ["gateway", "origin", "labkit-gateway", "portal or gateway"],
    "511.which-auth": [401, "511", "401 or 407"],
    "gateways.nginx-premature-close": ["reset", "read-timeout", "refused", "reset or headers-cut"],
    "gateways.haproxy-sc": ["connect-timeout", "read-timeout", "refused or connect-timeout"],
    "gateways.envoy-uf": ["no-healthy-upstream", "reset", "refused or reset", "read timeout"],
    "gateways.caddy-dial-timeout": [
        "read-timeout",
        "refused",
        "slow",
        "connect-timeout or read-timeout",
    ],
    "capstone.incident-1": [
        {"made_by": "origin", "cause": "no-healthy-upstream"},
        {"made_by": "gateway", "cause": "refused"},
        {"made_by": "gateway or origin", "cause": "no-healthy-upstream"},
        {"made_by": "gateway", "cause": "no-healthy-upstream or refused"},
    ],
    "capstone.incident-2": [
        {"made_by": "gateway", "cause": "handler-bug"},
        {"made_by": "origin or gateway", "cause": "handler-bug"},
    ],
    "capstone.incident-3": [
        {"made_by": "origin", "cause": "maintenance"},
        {"made_by": "gateway or origin", "cause": "cached-error"},
    ],
    "capstone.incident-4": [
        {"made_by": "gateway", "cause": "network-login"},
        {"made_by": "portal or gateway", "cause": "network-login"},
    ],
    "capstone.incident-5": [
        {"made_by": "gateway", "cause": "read-timeout"},
        {"made_by": "upstream", "cause": "connect-timeout"},
        {"made_by": "gateway or upstream", "cause": "connect-timeout"},
    ],
    "capstone.incident-6": [
        {"made_by": "origin", "cause": "overload"},
        {"made_by": "origin or gateway", "cause": "maintenance"},
    ],
    "capstone.incident-7": [
        {"made_by": "upstream", "cause": "invalid-response"},
        {"made_by": "gateway or upstream", "cause": "invalid-response"},
    ],
    "capstone.incident-8": [
        {"made_by": "origin", "cause": "maintenance"},
        {"made_by": "origin or gateway", "cause": "overload"},
    ],
}


# Held out: forms of the right answer written after the matcher, never tuned against: case,
# "HTTP 504", a status line of another version, reason phrases alone, trailing punctuation,
# quotes and backticks, a float, "the X header", a condition with underscores.
HELD_OUT: dict[str, list[object]] = {
    "500.who-made-it": ["Origin!", "the Origin Server.", "'origin'", "ORIGIN SERVER"],
    "500.find-the-traceback": [
        "X-REQUEST-ID",
        "x-request-id:",
        "The X-Request-ID header.",
        "`X-Request-ID`",
        "X-Request-Id header",
    ],
    "500.debug-danger": ["LEAKS INTERNALS", "leaks internals!", "Leaks Internals."],
    "500.retry-a-post": ["CHECK BEFORE RESENDING.", "check before resending"],
    "501.unknown-method": [
        "HTTP 501",
        "501 not implemented",
        "not implemented.",
        "501!",
        "'501'",
        501.0,
        "HTTP/1.0 501 Not Implemented",
    ],
    "501.allow-header": ["ALLOW", "allow header", "The Allow header.", "`Allow`", "Allow: GET"],
    "501.chunked-not-final": [
        "HTTP 400",
        "400 bad request.",
        "Bad Request!",
        "'400'",
        "HTTP/1.1 400",
    ],
    "501.python-http-server": [
        "405 WITH ALLOW",
        "405 with Allow.",
        "405 Method Not Allowed with Allow.",
    ],
    "502.not-a-502": ["A 500 FROM THE HANDLER", "500 from the handler."],
    "502.body-cut": ["HTTP 200", "200 ok.", "OK!", "'200'", 200.0, "HTTP/1.0 200 OK"],
    "502.retry": ["RETRY WITH BACKOFF", "Retry with backoff!"],
    "503.retry-after-header": [
        "RETRY-AFTER",
        "retry after",
        "The Retry-After header.",
        "`Retry-After`",
        "Retry-After header field",
    ],
    "503.how-many-shed": ["5.", "FIVE", "5 of them", "five requests.", "5 requests shed"],
    "503.heuristic-cache": ["HTTP 501", "501.", "Not Implemented!", "'501'", "501 not implemented"],
    "504.who-answers": [
        "504 FROM THE GATEWAY",
        "504 from the gateway.",
        "504 Gateway Timeout from gateway",
    ],
    "504.or-502": [
        "HTTP 504",
        "gateway timeout",
        "GATEWAY TIMEOUT",
        "504.",
        "504!",
        "'504'",
        "504 gateway time-out.",
        "HTTP/1.0 504 Gateway Timeout",
        504.0,
    ],
    "504.haproxy-connect-timeout": [
        "HTTP 503",
        "service unavailable",
        "503.",
        "503 Service Temporarily Unavailable",
    ],
    "505.http2-request-line": [
        "HTTP 505",
        "http version not supported",
        "505.",
        "505 HTTP Version Not Supported.",
    ],
    "505.426-headers": ["UPGRADE AND CONNECTION: UPGRADE", "Upgrade and Connection: upgrade."],
    "505.alpn": ["alpn!", "'ALPN'"],
    "511.who-made-it": ["PORTAL", "the captive portal.", "Portal!"],
    "511.which-auth": ["HTTP 407", "proxy authentication required", "407.", "'407'"],
    "gateways.nginx-premature-close": [
        "Closed without response.",
        "closed_without_response",
        "CLOSED-WITHOUT-RESPONSE",
        "headers-cut.",
    ],
    "gateways.haproxy-sc": ["REFUSED", "refused.", "Connection refused!"],
    "gateways.envoy-uf": ["REFUSED", "refused.", "connect-timeout.", "Connect Timeout"],
    "gateways.caddy-dial-timeout": [
        "CONNECT-TIMEOUT",
        "connect_timeout",
        "connect timeout.",
        "Connection timeout",
    ],
    "capstone.incident-1": [{"made_by": "GATEWAY", "cause": "No-Healthy-Upstream."}],
    "capstone.incident-2": [{"made_by": "the origin.", "cause": "Handler_Bug"}],
    "capstone.incident-3": [{"made_by": "The Gateway", "cause": "cached error."}],
    "capstone.incident-4": [{"made_by": "labkit-portal", "cause": "NETWORK-LOGIN"}],
    "capstone.incident-5": [{"made_by": "gateway!", "cause": "Connect_Timeout"}],
    "capstone.incident-6": [{"made_by": "Origin Server", "cause": "planned maintenance"}],
    "capstone.incident-7": [{"made_by": "the gateway.", "cause": "Invalid Response"}],
    "capstone.incident-8": [{"made_by": "ORIGIN", "cause": "Overload."}],
}


def test_every_quiz_has_right_and_wrong_forms() -> None:
    ids = {q.id for q in QUIZZES}
    assert ids == set(RIGHT) == set(WRONG) == set(HELD_OUT)


def _hedged(form: object) -> bool:
    values = form.values() if isinstance(form, dict) else [form]
    return any(isinstance(v, str) and " or " in v for v in values)


def test_every_quiz_has_a_hedge_among_its_near_misses() -> None:
    """'502 or 504' names the right answer too: a matcher that accepts any answer containing
    it would pass every other near miss, not this one."""
    assert not [q for q, forms in WRONG.items() if not any(_hedged(f) for f in forms)]


@pytest.mark.parametrize("q", QUIZZES, ids=lambda q: q.id)
def test_held_out_forms_of_the_right_answer_are_accepted(q: Exercise) -> None:
    for form in HELD_OUT[q.id]:
        result = q.check(form)
        assert result, f"{q.id}: {form!r} -> {result.message}"


@pytest.mark.parametrize("q", QUIZZES, ids=lambda q: q.id)
def test_other_forms_of_the_right_answer_are_accepted(q: Exercise) -> None:
    for form in RIGHT[q.id]:
        result = q.check(form)
        assert result, f"{q.id}: {form!r} -> {result.message}"


@pytest.mark.parametrize("q", QUIZZES, ids=lambda q: q.id)
def test_near_misses_are_rejected(q: Exercise) -> None:
    for form in WRONG[q.id]:
        result = q.check(form)
        assert not result, f"{q.id}: {form!r} was accepted"


def test_an_answer_of_the_wrong_kind_says_what_is_expected_and_is_not_counted() -> None:
    from labkit.exercises import gateways, lesson_503, lesson_504

    cases = [
        (lesson_504.q3, "because B timed out", "a status code"),
        (lesson_503.q3, "most of them were turned away by the origin at once", "a number"),
        (lesson_503.q1, "the one that says when to come back to the server", "a header name"),
        (gateways.q4, "504", "upstream condition"),
        (lesson_504.q1, "the gateway", "one of the options"),
    ]
    for q, answer, expected in cases:
        result = q.check(answer)
        assert result.correct is None and expected in result.message, result.message
        assert store.load().get(q.id) is None


def test_statuses_read_every_way_they_are_written() -> None:
    for form in (
        504,
        "504",
        "504 Gateway Timeout",
        "504 gateway time-out",
        "HTTP/1.1 504 Gateway Time-out",
        "Gateway Timeout",
        " 504. ",
    ):
        assert answers.status(form) == "504"
    assert answers.status("502 or 504") == "502 | 504"
    assert answers.status("502 Gateway Timeout") == "502 | 504"  # a number and another's phrase
    with pytest.raises(answers.WrongKind):
        answers.status("the upstream was too slow")


def _right_forms(q: Exercise) -> list[str]:
    """The answer as feedback could give it away: the option, status, header or condition."""
    if isinstance(q, Choice):
        return [o for o in q.options if digest(q.id, answers.text(o)) == q.answer_digest]
    if isinstance(q, ShortAnswer):
        forms = [f for f in [stated_answer(q), *RIGHT[q.id]] if isinstance(f, (str, int))]
        keys = {answers.canonical(q.kind, f) for f in forms}
        parts = {p for k in keys for p in k.split(answers.HEDGE)}
        return sorted(parts | {p.replace("-", " ") for p in parts})
    assert isinstance(q, Diagnosis)
    return []


def _wrong_feedback(q: Exercise) -> list[str]:
    if isinstance(q, Choice):
        return [m for d, m in q.feedback.items() if d != q.answer_digest]
    if isinstance(q, ShortAnswer):
        return [m for d, m in q.feedback.items() if d not in q.accepted] + [q.default]
    return []


def _says(text: object, answer: str) -> bool:
    """Whether the English text says the answer (a message is read in English)."""
    return (
        re.search(rf"(?<![\w-]){re.escape(answer.lower())}(?![\w-])", str(text).lower()) is not None
    )


@pytest.mark.parametrize("q", QUIZZES, ids=lambda q: q.id)
def test_no_wrong_answer_feedback_states_the_answer(q: Exercise) -> None:
    """Wrong-answer feedback points to the evidence; the answer is only in solution()."""
    if isinstance(q, Diagnosis):
        made_by, cause = drill.right_answer(q.incident.number)  # what its checker accepts
        for text in [*q.wrong_maker.values(), q.maker_default]:
            assert not _says(text, made_by), (q.id, text)
        for text in [*q.wrong_cause.values(), q.cause_default]:
            assert not _says(text, cause) and not _says(text, cause.replace("-", " ")), (q.id, text)
        return
    forms = _right_forms(q)
    assert forms
    for text in _wrong_feedback(q):
        for form in forms:
            assert not _says(text, form), (q.id, form, text)


# The outside re-examination (issue 14, done when): forms written by a careful learner and a
# hostile one, never tuned against: markdown emphasis and backticks, asides in brackets
# ("504 (Gateway Timeout)", "Allow (GET, HEAD, OPTIONS)"), the Server header's line, "it
# was the origin", "5 of 8" and "8 - 3 = 5", an option with a word more ("retry with
# exponential backoff"), a cause by its description in the capstone's list or by its
# Proxy-Status error type (RFC 9209); and wrong ones: negations ("not 504"), hedges with
# "/", "either", the neighbouring answer.
REEXAMINED_RIGHT: dict[str, list[object]] = {
    "500.who-made-it": [
        " origin ",
        "`origin`",
        "**origin**",
        "The origin server.",
        "origin (labkit-origin)",
        "the origin (the shop)",
        "Server: labkit-origin",
        "made by the origin",
        "by the origin",
        "the origin did",
        "the application server",
        "the backend",
        "origin.",
        '"origin"',
        "It was the origin",
        "origin server (the shop's app)",
        "源服务器",
        "the upstream origin",
    ],
    "500.find-the-traceback": [
        "X-Request-ID",
        "`X-Request-ID`",
        "X-Request-ID (req-...)",
        "X-Request-ID: req-1234",
        "the X-Request-ID response header",
        "x-request-id header field",
        "**X-Request-ID**",
        "X-Request-Id.",
        "'x-request-id:'",
        "X Request ID",
        "the 'X-Request-ID' header",
    ],
    "500.debug-danger": [
        "it leaks internals",
        "Leaks internals",
        "leaks internal details",
        "`leaks internals`",
    ],
    "500.retry-a-post": [
        "check before re-sending",
        "Check before resending.",
        "check before resending (it may have been created)",
    ],
    "501.unknown-method": [
        "501",
        " 501 ",
        "`501`",
        "501 Not Implemented.",
        "HTTP/1.1 501",
        "Error 501",
        "status 501",
        "501 (Not Implemented)",
        "not implemented",
        "NOT IMPLEMENTED",
        "501 - Not Implemented",
        "a 501",
        "HTTP/2 501",
        "501 not-implemented",
        "it answers 501",
    ],
    "501.allow-header": [
        "Allow",
        "`Allow:`",
        "Allow (GET, HEAD, OPTIONS)",
        "the 'Allow' header",
        "**Allow**",
        "Allow header.",
        "Allow: GET, HEAD, OPTIONS.",
        "ALLOW:",
    ],
    "501.chunked-not-final": [
        "400",
        "400 Bad Request.",
        "`400`",
        "Bad request",
        "HTTP/1.1 400 Bad Request",
        "400 (Bad Request)",
        "status 400",
        "a 400",
    ],
    "501.python-http-server": [
        "405 with allow header",
        "405 with Allow",
        "405 with the Allow header",
        "405 Method Not Allowed with Allow",
    ],
    "502.not-a-502": ["a 500 from the handler", "500 from the handler", "A 500 from the handler."],
    "502.body-cut": [
        "200",
        "200 OK",
        "`200`",
        "HTTP/1.1 200 OK",
        "200 (with an incomplete body)",
        "still 200",
        "200, truncated body",
        "the 200",
        "status 200",
        "HTTP/1.1 200",
    ],
    "502.retry": [
        "retry with backoff",
        "Retry with back-off",
        "retry with exponential backoff",
        "retry with backoff.",
        "retry, with backoff",
        "Retry with backoff and jitter",
    ],
    "503.retry-after-header": [
        "Retry-After",
        "Retry-After: 30",
        "`Retry-After`",
        "retry-after header",
        "Retry-After (seconds)",
        "the Retry-After response header",
        "**Retry-After**",
        "RETRY-AFTER:",
        "Retry After",
        "retry_after header",
    ],
    "503.how-many-shed": [
        5,
        "5",
        " 5 ",
        "five",
        "Five",
        "5 requests",
        "5 of 8",
        "5 out of 8",
        "five requests are shed",
        "`5`",
        "5.0",
        "8 - 3 = 5",
        "5 (8 - 3)",
        "five (5)",
        "5 shed",
        "5 get 503",
        "5个",
    ],
    "503.heuristic-cache": [
        "501",
        "501 Not Implemented",
        "`501`",
        "HTTP/1.1 501 Not Implemented",
        "not implemented.",
    ],
    "504.who-answers": [
        "504 from the gateway",
        "504, from the gateway",
        "a 504 from the gateway",
        "504 Gateway Timeout from the gateway",
        "504 from the gateway.",
        "504 from gateway",
    ],
    "504.or-502": [
        "504",
        "504 Gateway Timeout",
        "`504`",
        "504 (Gateway Timeout)",
        "HTTP/1.1 504 Gateway Time-out",
        "Gateway timeout.",
        "status 504",
        "504 for B",
        "B: 504",
        "a 504",
        "504 - Gateway Timeout",
        "gateway time out",
        "504 GATEWAY TIMEOUT",
    ],
    "504.haproxy-connect-timeout": [
        "503",
        "503 Service Unavailable",
        "`503`",
        "HTTP/1.1 503 Service Unavailable",
        "service unavailable.",
        "503 (Service Unavailable)",
        "it answers 503",
    ],
    "505.http2-request-line": [
        "505",
        "505 HTTP Version Not Supported",
        "HTTP/1.1 505 HTTP Version Not Supported",
        "`505`",
        "http version not supported.",
        "505 (HTTP Version Not Supported)",
    ],
    "505.426-headers": [
        "Upgrade and Connection: upgrade",
        "upgrade and connection: Upgrade",
        "Upgrade and Connection: upgrade.",
    ],
    "505.alpn": ["ALPN", "alpn", "`ALPN`", "ALPN."],
    "511.who-made-it": [
        "portal",
        "the portal",
        "The captive portal.",
        "labkit-portal",
        "Server: labkit-portal",
        "`portal`",
        "门户",
        "the portal (labkit-portal)",
    ],
    "511.which-auth": [
        "407",
        "407 Proxy Authentication Required",
        "`407`",
        "HTTP/1.1 407 Proxy Authentication Required",
        "Proxy Authentication Required.",
    ],
    "gateways.nginx-premature-close": [
        "closed-without-response",
        "closed without response",
        "closed without a response",
        "Closed-Without-Response.",
        "`closed-without-response`",
        "headers-cut",
        "headers cut",
        "the upstream closed the connection without a response",
        "premature close",
        "connection closed",
        "closed_without_response",
    ],
    "gateways.haproxy-sc": [
        "refused",
        "connection refused",
        "Refused.",
        "`refused`",
        "Condition.REFUSED",
        "ECONNREFUSED",
    ],
    "gateways.envoy-uf": [
        "refused",
        "connect-timeout",
        "connection refused",
        "connect timeout",
        "`refused`",
        "Refused.",
        "connection refused (ECONNREFUSED)",
        "connect_timeout",
        "Condition.CONNECT_TIMEOUT",
    ],
    "gateways.caddy-dial-timeout": [
        "connect-timeout",
        "connect timeout",
        "Connect Timeout",
        "`connect-timeout`",
        "dial timeout",
        "connection timeout",
        "connect timed out",
        "connect-timeout.",
        "timeout while connecting",
        "TCP connect timeout",
    ],
    "capstone.incident-1": [
        {"made_by": "gateway", "cause": "no-healthy-upstream"},
        {"made_by": "the gateway (labkit-gateway)", "cause": "no healthy upstream"},
        {"made_by": "Server: labkit-gateway", "cause": "no healthy upstreams"},
        {"made_by": "gateway", "cause": "all upstreams down"},
        {"made_by": "gateway", "cause": "destination_unavailable"},
        {
            "made_by": "gateway",
            "cause": "the gateway had no healthy upstream to send the request to",
        },
        {"made_by": "gateway", "cause": "`no-healthy-upstream`"},
        {"made_by": "reverse proxy", "cause": "no healthy upstream"},
        {"made_by": "the gateway (nginx)", "cause": "no-healthy-upstream"},
    ],
    "capstone.incident-2": [
        {"made_by": "origin", "cause": "handler-bug"},
        {"made_by": "the origin", "cause": "bug in the handler"},
        {"made_by": "origin", "cause": "the application's own code raised an exception"},
        {"made_by": "origin", "cause": "handler exception"},
        {"made_by": "origin", "cause": "a bug"},
        {"made_by": "the origin server", "cause": "application bug"},
        {"made_by": "origin", "cause": "TypeError"},
        {"made_by": "origin", "cause": "bug in the code"},
    ],
    "capstone.incident-3": [
        {"made_by": "gateway", "cause": "cached-error"},
        {"made_by": "gateway", "cause": "cached error page"},
        {"made_by": "gateway", "cause": "served from cache"},
        {"made_by": "the gateway's cache", "cause": "cached error"},
        {"made_by": "gateway", "cause": "a cache serves its stored copy of an earlier error"},
        {"made_by": "gateway", "cause": "cached 503"},
        {"made_by": "gateway", "cause": "stale cache"},
        {"made_by": "the cache", "cause": "cached-error"},
    ],
    "capstone.incident-4": [
        {"made_by": "portal", "cause": "network-login"},
        {"made_by": "captive portal", "cause": "captive portal"},
        {"made_by": "portal", "cause": "network authentication required"},
        {"made_by": "portal", "cause": "login required"},
        {"made_by": "portal", "cause": "not logged in"},
        {"made_by": "portal", "cause": "network login"},
        {"made_by": "the portal", "cause": "must log in to the network"},
    ],
    "capstone.incident-5": [
        {"made_by": "gateway", "cause": "connect-timeout"},
        {"made_by": "gateway", "cause": "connection timeout"},
        {"made_by": "gateway", "cause": "connect timed out"},
        {"made_by": "gateway", "cause": "connection_timeout"},
        {"made_by": "gateway", "cause": "the upstream never accepted the connection in time"},
        {"made_by": "gateway", "cause": "blackhole"},
        {"made_by": "gateway", "cause": "timeout while connecting"},
    ],
    "capstone.incident-6": [
        {"made_by": "origin", "cause": "maintenance"},
        {"made_by": "origin", "cause": "planned maintenance"},
        {"made_by": "origin", "cause": "down for maintenance"},
        {"made_by": "origin", "cause": "maintenance mode"},
        {"made_by": "origin", "cause": "the origin is down for planned maintenance"},
        {"made_by": "origin", "cause": "scheduled maintenance"},
        {"made_by": "origin", "cause": "in maintenance"},
    ],
    "capstone.incident-7": [
        {"made_by": "gateway", "cause": "invalid-response"},
        {"made_by": "gateway", "cause": "invalid response"},
        {"made_by": "gateway", "cause": "garbage"},
        {"made_by": "gateway", "cause": "not HTTP"},
        {"made_by": "gateway", "cause": "invalid status line"},
        {"made_by": "gateway", "cause": "http_protocol_error"},
        {"made_by": "gateway", "cause": "the upstream answered with bytes that are not valid HTTP"},
        {"made_by": "gateway", "cause": "malformed response"},
        {"made_by": "gateway", "cause": "bad response"},
        {"made_by": "gateway", "cause": "invalid HTTP response"},
    ],
    "capstone.incident-8": [
        {"made_by": "origin", "cause": "overload"},
        {"made_by": "origin", "cause": "overloaded"},
        {"made_by": "origin", "cause": "load shedding"},
        {"made_by": "origin", "cause": "at capacity"},
        {"made_by": "origin", "cause": "the origin is at capacity and sheds the extra request"},
        {"made_by": "origin", "cause": "capacity exceeded"},
        {"made_by": "origin", "cause": "too many requests"},
        {"made_by": "origin", "cause": "shedding load"},
        {"made_by": "origin", "cause": "load-shedding"},
    ],
}

REEXAMINED_WRONG: dict[str, list[object]] = {
    "500.who-made-it": [
        "gateway",
        "the gateway (nginx)",
        "not origin",
        "not the gateway",
        "either",
        "origin/gateway",
        "both",
        "origin or gateway",
        "reverse proxy",
        "client",
    ],
    "500.find-the-traceback": [
        "Via",
        "not X-Request-ID",
        "Server",
        "X-Request-ID/Via",
        "Request-ID",
        "X-Trace-ID",
        "Traceback",
    ],
    "500.debug-danger": ["doesn't leak internals", "hides the error", "not leaks internals"],
    "500.retry-a-post": [
        "don't check before resending",
        "retry once after a pause",
        "never check before resending",
    ],
    "501.unknown-method": [
        "405",
        "not 501",
        "501/405",
        "either 501 or 405",
        "501 or 405",
        "405 Method Not Allowed",
        "5xx",
        "50x",
        "502",
        "400",
    ],
    "501.allow-header": [
        "Allowed",
        "Allow-Methods",
        "not Allow",
        "Access-Control-Allow-Methods",
        "Allow/Upgrade",
        "Methods",
    ],
    "501.chunked-not-final": ["501", "not 400", "400/501", "411", "413", "4xx", "400 or 501"],
    "501.python-http-server": ["405 without Allow", "not 405 with Allow", "501", "405"],
    "502.not-a-502": ["garbage bytes", "not a 500 from the handler", "connection refused"],
    "502.body-cut": [
        "502",
        "not 200",
        "200/502",
        "502 Bad Gateway",
        "either 200 or 502",
        "500",
        "206",
    ],
    "502.retry": [
        "never retry",
        "don't retry with backoff",
        "retry at once in a loop",
        "retry with backoff or never retry",
        "retry at once with backoff",
        "retry without backoff",
        "never retry with backoff",
    ],
    "503.retry-after-header": [
        "Cache-Control",
        "not Retry-After",
        "Retry-After/Expires",
        "Expires",
        "Retry",
    ],
    "503.how-many-shed": [
        3,
        "3",
        "8",
        "-5",
        "not 5",
        "5/3",
        "three",
        "3 or 5",
        "0",
        "5.5",
        "about 5 or 6",
    ],
    "503.heuristic-cache": ["503", "not 501", "501/503", "500", "504"],
    "504.who-answers": [
        "504 from the origin",
        "not 504 from the gateway",
        "502 from the gateway",
        "504",
    ],
    "504.or-502": [
        "502",
        "not 504",
        "502/504",
        "either",
        "503",
        "504 or 502",
        "502 Bad Gateway",
        "not 502",
        "it isn't 504",
        "never 504",
    ],
    "504.haproxy-connect-timeout": ["504", "not 503", "503/504", "502", "Gateway Timeout"],
    "505.http2-request-line": ["426", "not 505", "505/400", "400", "200"],
    "505.426-headers": ["Upgrade", "Connection", "Alt-Svc"],
    "505.alpn": ["Upgrade: h2c", "not ALPN", "HTTP/2.0 in the request line"],
    "511.who-made-it": ["gateway", "origin", "not the portal", "portal/gateway", "either"],
    "511.which-auth": ["401", "511", "not 407", "407/401", "401 Unauthorized"],
    "gateways.nginx-premature-close": [
        "reset",
        "not closed-without-response",
        "read-timeout",
        "closed/reset",
        "refused",
        "connection reset",
    ],
    "gateways.haproxy-sc": [
        "connect-timeout",
        "not refused",
        "refused/connect-timeout",
        "read-timeout",
    ],
    "gateways.envoy-uf": [
        "no-healthy-upstream",
        "not refused",
        "reset",
        "read-timeout",
        "refused/reset",
    ],
    "gateways.caddy-dial-timeout": [
        "read-timeout",
        "not connect-timeout",
        "refused",
        "connect-timeout/read-timeout",
        "read timed out",
        "timeout",
    ],
    "capstone.incident-1": [
        {"made_by": "origin", "cause": "no-healthy-upstream"},
        {"made_by": "gateway", "cause": "not no-healthy-upstream"},
        {"made_by": "gateway", "cause": "refused"},
        {"made_by": "gateway", "cause": "overload"},
        {"made_by": "not the origin", "cause": "no-healthy-upstream"},
    ],
    "capstone.incident-2": [
        {"made_by": "gateway", "cause": "handler-bug"},
        {"made_by": "origin", "cause": "not a bug"},
        {"made_by": "origin", "cause": "maintenance"},
    ],
    "capstone.incident-3": [
        {"made_by": "origin", "cause": "maintenance"},
        {"made_by": "gateway", "cause": "maintenance"},
        {"made_by": "gateway", "cause": "not cached"},
    ],
    "capstone.incident-4": [
        {"made_by": "gateway", "cause": "network-login"},
        {"made_by": "portal", "cause": "maintenance"},
    ],
    "capstone.incident-5": [
        {"made_by": "gateway", "cause": "read-timeout"},
        {"made_by": "gateway", "cause": "refused"},
        {"made_by": "upstream", "cause": "connect-timeout"},
        {"made_by": "gateway", "cause": "not connect-timeout"},
        {"made_by": "gateway", "cause": "timeout"},
    ],
    "capstone.incident-6": [
        {"made_by": "origin", "cause": "overload"},
        {"made_by": "gateway", "cause": "maintenance"},
        {"made_by": "origin", "cause": "not maintenance"},
    ],
    "capstone.incident-7": [
        {"made_by": "upstream", "cause": "invalid-response"},
        {"made_by": "gateway", "cause": "refused"},
        {"made_by": "gateway", "cause": "not invalid response"},
    ],
    "capstone.incident-8": [
        {"made_by": "origin", "cause": "maintenance"},
        {"made_by": "gateway", "cause": "overload"},
        {"made_by": "origin", "cause": "not overloaded"},
    ],
}


NOT, HEDGE = "says what it is not", "hedges"
# (qid, form, the word of the one line that refuses it): a negation ("not 504") and a hedge by
# a word ("maybe 504", 'about five') name no answer; each is refused and not counted
REFUSED = [
    ("504.or-502", "not 504", NOT),
    ("504.or-502", "it isn't 504", NOT),
    ("503.how-many-shed", "not 5", NOT),
    ("501.unknown-method", "not 501", NOT),
    ("500.who-made-it", "not the gateway", NOT),
    ("gateways.haproxy-sc", "not refused", NOT),
    ("500.find-the-traceback", "not X-Request-ID", NOT),
    ("505.alpn", "not ALPN", NOT),
    ("504.or-502", "不是 504", NOT),
    ("504.or-502", "maybe 504", HEDGE),
    ("503.how-many-shed", "about five", HEDGE),
    ("501.unknown-method", "probably 501", HEDGE),
    ("511.which-auth", "maybe 407", HEDGE),
    ("503.how-many-shed", "大约 5 个", HEDGE),
    ("504.or-502", "可能是 504", HEDGE),
    # round 4: digits spaced apart, and a count given as a time, are refused, not counted
    ("504.or-502", "5 0 4", "spaces its digits apart"),
    ("501.unknown-method", "5 0 1", "spaces its digits apart"),
    ("503.how-many-shed", "5 seconds", "is a time"),
    ("503.how-many-shed", "5s", "is a time"),
    # "I guess" and "not sure" hedge as "maybe" does (each was accepted, and counted)
    ("501.unknown-method", "501, I guess", "hedges ('i guess')"),
    ("503.how-many-shed", "我猜是 5 个", "hedges ('我猜')"),
    ("500.debug-danger", "leaks internals, I guess", "hedges ('i guess')"),
    ("501.allow-header", "not sure: Allow", "hedges ('not sure')"),
    ("gateways.haproxy-sc", "I'm not sure, refused", "hedges"),
    # a clause after the answer that denies or hedges it (the first and last were
    # accepted: ", not sure" read as a contrast, "which is wrong" as a reason)
    ("501.chunked-not-final", "400, which is wrong", NOT),
    ("501.chunked-not-final", "400, it isn't", NOT),
    ("501.chunked-not-final", "400, I don't think so", NOT),
    ("504.or-502", "504, not sure", "hedges ('not sure')"),
    ("504.or-502", "504, not 100% sure", "hedges"),
    ("501.chunked-not-final", "400, or 411", "several answers"),
    # a hedge in brackets was taken for the answer: counted as a wrong 501
    ("501.python-http-server", "405 (or 501)", "several answers"),
    # a question in brackets: counted as the wrong "405 without Allow"
    ("501.python-http-server", "405 (without Allow?)", "hedges ('?')"),
    # near misses of the sentences now read as meant (a conclusion, "resend if
    # not", "with no", "turns into") stay refused
    ("500.who-made-it", "maybe the gateway relayed it, so the origin", "hedges ('maybe')"),
    ("500.who-made-it", "I'm not so sure, the origin", NOT),
    ("500.who-made-it", "the gateway, so the origin or the client", "several answers"),
    ("500.who-made-it", "Via says labkit-gateway, so not the origin", "not one of the options"),
    ("500.retry-a-post", "don't check, then resend if not", NOT),
    ("500.retry-a-post", "resend if not", NOT),
    ("500.retry-a-post", "retry until it works, then resend if not", NOT),
    ("500.debug-danger", "it would not turn the 500 into a 502", NOT),
    ("500.debug-danger", "turns it into a 504", "not one of the options"),
    ("501.python-http-server", "404 with no Allow header", "not one of the options"),
    ("501.python-http-server", "405 maybe with no Allow header", "hedges ('maybe')"),
    ("505.alpn", "HTTP/2.0 in the request header", "not one of the options"),
    ("500.who-made-it", "client → gateway", "several answers"),  # an arrow between two hops
    # a question mark after the answer asks rather than answers: "200?" was accepted as 200,
    # "retry with backoff?" as the option (only one in brackets was a hedge)
    ("502.body-cut", "200?", "hedges ('?')"),
    ("501.unknown-method", "501?", "hedges ('?')"),
    ("gateways.caddy-dial-timeout", "connect timeout (0.2 seconds)?", "hedges ('?')"),
    ("502.body-cut", "200？", "hedges ('?')"),
    ("502.body-cut", "200 (?)", "hedges ('?')"),
    ("502.retry", "retry with backoff?", "hedges ('?')"),
    ("502.retry", "'retry with backoff'?", "hedges ('?')"),
    ("504.or-502", "504 Gateway Timeout?", "hedges ('?')"),
    ("503.retry-after-header", "Retry-After?", "hedges ('?')"),
    ("503.how-many-shed", "五个？", "hedges ('?')"),
    ("500.who-made-it", "源服务器？", "hedges ('?')"),
    ("gateways.envoy-uf", "refused?", "hedges ('?')"),
]


@pytest.mark.parametrize(("qid", "form", "word"), REFUSED)
def test_a_negation_or_a_hedge_names_no_answer_and_is_not_counted(
    qid: str, form: str, word: str
) -> None:
    """'maybe 504' was accepted as 504: a hedge, as '502 or 504' is, but not an attempt."""
    result = exercises.get(qid).check(form)
    assert result.correct is None and result.refused, result
    assert word in result.message
    assert store.load().get(qid) is None


def test_a_diagnosis_that_asks_is_refused_not_counted() -> None:
    """{"made_by": "gateway?"} was accepted as the gateway (clean() drops a trailing "?")."""
    q = exercises.get("capstone.incident-1")
    for diagnosis in (
        {"made_by": "gateway?", "cause": "no-healthy-upstream"},
        {"made_by": "网关", "cause": "no-healthy-upstream？"},
    ):
        result = q.check(diagnosis)
        assert result.correct is None and result.refused, result
        assert "hedges ('?')" in result.message
    assert store.load().get(q.id) is None


# "the server": lesson 01 q1 accepted it for the hop that made the 500 (read as the origin),
# yet the gateway that relayed it is a server too, and so is the portal; 07 q1 and the
# capstone counted it as a wrong attempt. Where several options are servers it is asked which
# one, not counted; where only one is, it is that one.
WHICH_SERVER = {
    "en": (
        ["server", "the server", "The server.", "it was the server", "the server side"],
        "which server?",
    ),
    "zh-CN": (["服务器", "是服务器", "服务器生成的", "服务端", "the server"], "哪个服务器？"),
}


@pytest.mark.parametrize("lang", sorted(WHICH_SERVER))
def test_the_server_is_asked_which_server_where_several_hops_are_and_not_counted(
    lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LABKIT_LANG", lang)
    forms, asked = WHICH_SERVER[lang]
    servers = {
        "500.who-made-it": ("origin", "gateway", "portal"),
        "511.who-made-it": ("portal", "gateway", "origin"),
    }
    for qid, named in servers.items():
        for form in forms:
            result = exercises.get(qid).check(form)
            assert result.correct is None and result.refused, (form, result)
            assert asked in result.message and "\n" not in result.message, result.message
            asks = re.split(r"; answer|；请用", result.message)[0]  # before the options
            assert "client" not in asks and "客户端" not in asks, result.message
            assert all(render(MADE_BY[hop], lang) in asks for hop in named), result.message
        assert store.load().get(qid) is None, qid
        assert exercises.get(qid).check("the origin server").correct is (qid == "500.who-made-it")
    incident = exercises.get("capstone.incident-6")
    for form in forms:
        result = incident.check({"made_by": form, "cause": "maintenance"})
        assert result.correct is None and result.refused and asked in result.message, result
    assert store.load().get(incident.id) is None


def test_the_server_is_the_one_server_among_the_options() -> None:
    q = make_choice(
        "test.one-server",
        "test",
        "Which end answered?",
        ["client", "origin"],
        "origin",
        {},
        (),
        "origin",
    )
    try:
        for form in ("the server", "服务器", "it was the server"):
            assert q.check(form).correct is True, form
        assert q.check("the client").correct is False
    finally:
        del REGISTRY["test.one-server"]


def test_reason_phrases_with_not_are_not_negations() -> None:
    assert answers.status("501 Not Implemented") == "501"
    assert answers.status("HTTP Version Not Supported") == "505"
    assert answers.status("405 Method Not Allowed") == "405"
    assert answers.cause("not logged in") == "network-login"
    assert answers.cause("not HTTP") == "invalid-response"


def test_a_negative_number_is_negative() -> None:
    assert answers.number("-5") == "-5"
    assert answers.number(-5) == "-5"
    assert answers.number("8 - 3 = 5") == "5"
    assert answers.number("8-3") == "3 | 8"  # an expression names two numbers: a hedge


# A second round, after the fixes above: Chinese forms where the matcher claims them, other
# dashes and full-width punctuation, "5 requests get a 503", "B: 504"; hedges and "not".
SECOND_ROUND_RIGHT: dict[str, list[object]] = {
    "500.who-made-it": [
        "Origin Server",
        "the origin server did",
        "由源服务器生成的",
        "源服务器（商店）",
        "'the origin'",
        "origin server.",
    ],
    "500.find-the-traceback": [
        "X-Request-Id",
        '"X-Request-ID" header',
        "X-Request-ID header (req-…)",
        "x-request-id：",
        "请求头 X-Request-ID",
    ],
    "501.unknown-method": [
        "HTTP/1.1 501 Not Implemented\r\n",
        "501 未实现。",
        "  501\n",
        "501 Not Implemented (RFC 9110 15.6.2)",
        "501 – Not Implemented",
    ],
    "501.allow-header": ["Allow：GET, HEAD, OPTIONS", "Allow 头", "the Allow response header"],
    "502.body-cut": [
        "200（正文不完整）",
        "200 OK, but the body is cut",
        "HTTP/1.1 200 OK (incomplete body)",
    ],
    "503.how-many-shed": [
        "5 个",
        "五个请求",
        "5 (five)",
        "Answer: 5",
        "5 requests get a 503",
        "5 get 503s",
        "5 of the 8",
        "five of eight",
    ],
    "504.or-502": [
        "504 网关超时。",
        "B → 504",
        "B gets 504",
        "B: 504 Gateway Timeout",
        "504 Gateway Time-out (nginx)",
        # what it is not, then the answer: it answers 504 as "504, not 502" does (refused as
        # a denial until December 2026)
        "not 502 but 504",
    ],
    "504.who-answers": ["504 from the gateway (it times out)", "a 504, from the gateway"],
    "504.haproxy-connect-timeout": ["503 Service Unavailable (sC)", "503 服务不可用"],
    "505.http2-request-line": ["505 HTTP 版本不受支持", "HTTP/1.1 505 HTTP Version Not Supported"],
    "511.which-auth": [
        "407 需要代理身份验证",
        "407 Proxy Authentication Required (Proxy-Authenticate)",
    ],
    "gateways.nginx-premature-close": [
        "closed without a response.",
        "连接被关闭",
        "the upstream closed without a response",
        "closed (FIN) without response",
    ],
    "gateways.haproxy-sc": ["refused (SC)", "connection refused.", "连接被拒绝。"],
    "gateways.caddy-dial-timeout": ["connect timeout (dial)", "连接超时。", "Connect-timeout"],
    "capstone.incident-5": [
        {"made_by": "网关", "cause": "连接超时"},
        {"made_by": "gateway", "cause": "connect timeout (blackhole)"},
    ],
    "capstone.incident-7": [
        {"made_by": "网关", "cause": "无效的响应"},
        {"made_by": "the gateway", "cause": "invalid response (SSH banner)"},
    ],
    "capstone.incident-3": [{"made_by": "网关", "cause": "缓存的错误页面"}],
    "capstone.incident-1": [{"made_by": "网关", "cause": "没有健康的上游"}],
    "capstone.incident-2": [{"made_by": "源服务器", "cause": "代码缺陷"}],
}

SECOND_ROUND_WRONG: dict[str, list[object]] = {
    "500.who-made-it": [
        "the origin, or maybe the gateway",
        "origin and gateway",
        "不是源服务器",
        "网关",
    ],
    "501.unknown-method": ["501? or 405?", "four hundred and five", "5O1", "50l"],
    "503.how-many-shed": ["5 or 6", "3 served", "8 requests", "5-8", "either 3 or 5", "不是五"],
    "504.or-502": ["A: 504, B: 502", "502 then 504", "504 Bad Gateway", "5O4", "not 504 but 502"],
    "gateways.caddy-dial-timeout": [
        "not read-timeout",
        "connect timeout or refused",
        "read timeout (dial)",
    ],
    "gateways.envoy-uf": ["refused, connect-timeout or reset"],
    "capstone.incident-5": [
        {"made_by": "gateway", "cause": "connect timeout or read timeout"},
        {"made_by": "不是网关", "cause": "连接超时"},
    ],
    "capstone.incident-7": [{"made_by": "gateway", "cause": "invalid response or refused"}],
}


def test_a_negation_among_the_options_own_words_is_that_option() -> None:
    result = exercises.get("502.retry").check("Never retry!")
    assert result.correct is False and not result.refused  # the option, judged wrong


@pytest.mark.parametrize(
    ("qid", "answer"),
    [
        ("504.or-502", "5" * 1_000_000),
        ("502.retry", "retry " * 100_000),
        ("500.find-the-traceback", "x" * 100_000),
        ("capstone.incident-1", {"made_by": "g " * 100_000, "cause": "refused"}),
    ],
)
def test_an_answer_too_long_to_be_one_is_refused_at_once(qid, answer) -> None:
    """A megabyte pasted as an answer took seconds to match, came back whole in the message
    and, for a header, counted as an attempt."""
    start = time.monotonic()
    result = exercises.get(qid).check(answer)
    assert time.monotonic() - start < 0.5
    assert result.refused and "characters long" in result.message
    assert len(result.message) < 200 and store.load().get(qid) is None


# A third round (issue 14, the last re-examination), none of them tried before: "status:
# 504", "it's a 503", "header X-Request-ID", reason phrases alone in Chinese, a hop with an
# adjective ("the shop's server", "the web application"), "check before you resend", "the
# connection was closed without a response", "i/o timeout" in an aside, markdown and curly
# quotes; and hedges by a word ("maybe 504", "about five", "probably"), a percentage.
THIRD_ROUND_RIGHT: dict[str, list[object]] = {
    "500.who-made-it": [
        "the origin's handler",
        "Origin (app server)",
        "*origin*",
        "__origin__",
        "the Origin.",
        "origin server!",
        "the shop's origin server",
        "the shop's server",
        "it's the origin",
        "it was made by the origin server",
        "> origin",
        "- origin",
        "the origin hop",
        "ORIGIN (labkit-origin)",
        "“origin”",
        "origin server (labkit-origin/1.0)",
        "源服务器。",
        "是源服务器",
        "the application",
        "the web application",
        "Origin Server.",
    ],
    "500.find-the-traceback": [
        "X-Request-ID header.",
        "`X-Request-ID:`",
        "X-Request-ID response header field",
        "‘X-Request-ID’",
        "“X-Request-ID”",
        "header X-Request-ID",
        "the header X-Request-ID",
        "X-REQUEST-ID:",
        "*X-Request-ID*",
        "X-Request-ID: req-7f3a",
        "x-request-id (req-…)",
        "响应头 X-Request-ID",
        "X-Request-ID 标头",
    ],
    "500.debug-danger": [
        "leaks internals.",
        "*leaks internals*",
        "LEAKS internals!",
        "it leaks the internals",
        "Leaks internal information",
    ],
    "500.retry-a-post": [
        "check before resending!",
        "`check before resending`",
        "Check before re-sending.",
        "check before you resend",
        "first check, before resending",
    ],
    "501.unknown-method": [
        "status: 501",
        "Status: 501 Not Implemented",
        "it's a 501",
        "it is 501",
        "HTTP 501 Not Implemented",
        "501 Not implemented",
        "**501**",
        "501 NOT IMPLEMENTED.",
        "code 501",
        "501 (not implemented)",
        "501 — Not Implemented",
        "HTTP/1.1 501 Not Implemented.",
        "501 未实现",
        "未实现",
        "a 501 Not Implemented",
        "501\n",
        "error code 501",
        "the server answers 501",
        "501 Not Implemented!",
    ],
    "501.allow-header": [
        "Allow: GET, HEAD",
        "allow:",
        "the allow header.",
        "ALLOW header",
        "Allow header field",
        "`Allow: GET, HEAD, OPTIONS`",
        "“Allow”",
        "Allow 标头",
        "Allow 响应头",
        "header Allow",
        "the header Allow",
        "*Allow*",
    ],
    "501.chunked-not-final": [
        "status: 400",
        "it's a 400",
        "HTTP 400 Bad Request",
        "400 BAD REQUEST",
        "**400**",
        "400 — Bad Request",
        "400 错误的请求",
        "error 400",
        "the server answers 400",
        "400 Bad Request (and it closes)",
        "400 Bad request.",
    ],
    "501.python-http-server": [
        "405 with Allow header.",
        "405, with Allow",
        "a 405 with Allow",
        "405 with an Allow header",
        "**405 with Allow**",
    ],
    "502.not-a-502": [
        "500 from the handler!",
        "`a 500 from the handler`",
        "A 500 from the Handler",
        "the 500 from the handler",
    ],
    "502.body-cut": [
        "status: 200",
        "it's a 200",
        "HTTP 200 OK",
        "200 OK (the body is cut short)",
        "**200**",
        "200 ok!",
        "a 200 OK",
        "200 (OK)",
        "it stays 200",
        "200 — OK",
        "200 成功",
        "200, because the status line was already sent",
        "HTTP/1.1 200 OK\r\n",
    ],
    "502.retry": [
        "retry with backoff!",
        "`retry with backoff`",
        "Retry With Backoff",
        "retry with exponential back-off",
        "retry with a backoff",
        "retry with backoff + jitter",
        "retry, with exponential backoff",
    ],
    "503.retry-after-header": [
        "Retry-After header.",
        "`Retry-After:`",
        "“Retry-After”",
        "Retry-After: 120",
        "Retry-After: Tue, 01 Jan 2030 00:00:00 GMT",
        "the Retry-After header field",
        "retry-after:",
        "*Retry-After*",
        "Retry-After 响应头",
        "header Retry-After",
        "Retry-After (delay-seconds or HTTP-date)",
    ],
    "503.how-many-shed": [
        "5 requests.",
        "**5**",
        "5 (five)",
        "five.",
        "5 shed requests",
        "5 get a 503",
        "5 are shed",
        "5 of 8 requests",
        "5 of them get 503",
        "five of them",
        "5个请求",
        "五",
        "5 个请求被拒绝",
        "`5`.",
        "5 requests are shed with 503",
        "=5",
        "8-3=5",
    ],
    "503.heuristic-cache": [
        "status: 501",
        "it's a 501",
        "HTTP 501",
        "**501**",
        "501 (Not Implemented)",
        "501 not implemented.",
        "501 未实现",
        "only 501",
    ],
    "504.who-answers": [
        "504 from the gateway!",
        "a 504 from the gateway.",
        "504 — from the gateway",
        "`504 from the gateway`",
        "504 from the gateway (read timeout)",
    ],
    "504.or-502": [
        "status: 504",
        "it's a 504",
        "HTTP 504 Gateway Timeout",
        "Status: 504 Gateway Timeout",
        "**504**",
        "504 — Gateway Timeout",
        "504 gateway-timeout",
        "Gateway Time-out",
        "GATEWAY TIME-OUT",
        "504 Gateway Time-Out",
        "504 网关超时",
        "网关超时",
        "error 504",
        "B gets a 504",
        "for B: 504",
        "504 (B)",
        "504 Gateway Timeout (nginx says Gateway Time-out)",
    ],
    "504.haproxy-connect-timeout": [
        "status: 503",
        "it's a 503",
        "HTTP 503 Service Unavailable",
        "**503**",
        "503 Service Temporarily Unavailable.",
        "503 — Service Unavailable",
        "503 服务不可用",
        "服务不可用",
        "503 (sC)",
        "HAProxy answers 503",
    ],
    "505.http2-request-line": [
        "status: 505",
        "it's a 505",
        "HTTP 505",
        "**505**",
        "505 HTTP version not supported",
        "505 — HTTP Version Not Supported",
        "505 HTTP 版本不受支持",
        "505 (HTTP Version Not Supported).",
    ],
    "505.426-headers": [
        "Upgrade and Connection: upgrade!",
        "upgrade AND connection: upgrade",
        "`Upgrade and Connection: upgrade`",
        "Upgrade and Connection:upgrade",
    ],
    "505.alpn": [
        "ALPN!",
        "**ALPN**",
        "`alpn`",
        "“ALPN”",
        "Alpn",
    ],
    "511.who-made-it": [
        "the captive portal!",
        "Portal.",
        "**portal**",
        "`the portal`",
        "the network's captive portal",
        "it's the portal",
        "it was the portal",
        "captive portal (labkit-portal)",
        "强制门户",
        "门户。",
        "the portal hop",
    ],
    "511.which-auth": [
        "status: 407",
        "it's a 407",
        "HTTP 407",
        "**407**",
        "407 (Proxy Authentication Required)",
        "407 proxy authentication required.",
        "407 — Proxy Authentication Required",
        "407 需要代理身份验证",
        "需要代理身份验证",
    ],
    "gateways.nginx-premature-close": [
        "closed without response!",
        "**closed-without-response**",
        "Closed Without Response",
        "closed-without-response (nginx: prematurely closed)",
        "upstream closed without response",
        "the connection was closed without a response",
        "closed connection without a response",
        "没有响应就关闭了连接",
        "headers-cut!",
        "headers_cut",
        "connection closed by upstream",
    ],
    "gateways.haproxy-sc": [
        "refused!",
        "**refused**",
        "Connection Refused",
        "connection refused (SC)",
        "ECONNREFUSED.",
        "the connection was refused",
        "连接被拒绝",
        "拒绝连接",
    ],
    "gateways.envoy-uf": [
        "refused!",
        "**connect-timeout**",
        "Connection refused.",
        "CONNECT TIMEOUT",
        "connect timed out",
        "连接被拒绝",
        "连接超时",
        "upstream connection refused",
        "connection refused (UF)",
    ],
    "gateways.caddy-dial-timeout": [
        "connect-timeout!",
        "**connect-timeout**",
        "Connect Timeout.",
        "dial timeout.",
        "TCP connect timeout.",
        "connection timed out (dial)",
        "连接超时",
        "建立连接超时",
        "connect timeout (i/o timeout)",
        "upstream connect timeout",
    ],
    "capstone.incident-1": [
        {"made_by": "**gateway**", "cause": "no healthy upstream!"},
        {"made_by": "网关", "cause": "no-healthy-upstream"},
        {"made_by": "the reverse proxy", "cause": "No healthy upstreams."},
    ],
    "capstone.incident-2": [
        {"made_by": "the origin server", "cause": "a bug in the handler"},
        {"made_by": "origin", "cause": "Handler bug."},
        {"made_by": "源服务器", "cause": "handler-bug"},
    ],
    "capstone.incident-3": [
        {"made_by": "the gateway", "cause": "cached error page."},
        {"made_by": "gateway", "cause": "Cached-Error"},
        {"made_by": "网关", "cause": "缓存"},
    ],
    "capstone.incident-4": [
        {"made_by": "the captive portal", "cause": "Network login."},
        {"made_by": "门户", "cause": "网络登录"},
        {"made_by": "portal", "cause": "login required!"},
    ],
    "capstone.incident-5": [
        {"made_by": "the gateway", "cause": "connect-timeout."},
        {"made_by": "gateway", "cause": "Connect Timeout"},
        {"made_by": "网关", "cause": "connect timeout"},
    ],
    "capstone.incident-6": [
        {"made_by": "the origin", "cause": "maintenance!"},
        {"made_by": "源服务器", "cause": "维护"},
        {"made_by": "origin server", "cause": "Maintenance mode."},
    ],
    "capstone.incident-7": [
        {"made_by": "the gateway", "cause": "invalid response!"},
        {"made_by": "gateway", "cause": "Invalid-Response"},
        {"made_by": "网关", "cause": "无效响应"},
    ],
    "capstone.incident-8": [
        {"made_by": "the origin", "cause": "overloaded!"},
        {"made_by": "源服务器", "cause": "过载"},
        {"made_by": "origin", "cause": "Load shedding."},
    ],
}

THIRD_ROUND_WRONG: dict[str, list[object]] = {
    "500.who-made-it": [
        "the gateway!",
        "maybe the origin",
        "probably the origin or the gateway",
        "origin, gateway",
        "origin and the gateway",
        "网关或源服务器",
        "the client",
        "gateway (not the origin)",
    ],
    "500.find-the-traceback": [
        "X-Request-ID, Via",
        "Via header",
        "Proxy-Status",
        "X-Request-ID or X-Correlation-ID",
        "X-Correlation-ID",
        "Request-Id",
        "maybe X-Request-ID",
    ],
    "500.debug-danger": [
        "hides the error!",
        "it hides the error",
        "loses the log.",
        "becomes a 502",
    ],
    "500.retry-a-post": [
        "retry until it works!",
        "switch to GET",
        "retry once after a pause, then check",
    ],
    "501.unknown-method": [
        "status: 405",
        "it's a 405",
        "HTTP 405",
        "405 Method Not Allowed.",
        "501, or maybe 405",
        "501 / 405",
        "maybe 501",
        "probably 501 or 405",
        "5O1",
        "51",
    ],
    "501.allow-header": [
        "Allow-Origin",
        "Access-Control-Allow-Origin",
        "Allow or Retry-After",
        "Accept",
        "maybe Allow",
        "Allow, Upgrade",
    ],
    "501.chunked-not-final": [
        "status: 501",
        "it's a 501",
        "HTTP 411 Length Required",
        "400 or maybe 501",
        "maybe 400",
        "4OO",
    ],
    "501.python-http-server": [
        "405 without an Allow header",
        "404",
        "405 with or without Allow",
        "501 Not Implemented",
    ],
    "502.not-a-502": [
        "reset before headers",
        "a 500 from the handler or reset before headers",
    ],
    "502.body-cut": [
        "status: 502",
        "it's a 502",
        "HTTP 502",
        "200 or maybe 502",
        "maybe 200",
        "504",
        "2OO",
    ],
    "502.retry": [
        "retry at once",
        "retry with backoff, even a POST",
        "never retry!",
        "maybe retry with backoff or never retry",
    ],
    "503.retry-after-header": [
        "Retry-Later",
        "Expires:",
        "Cache-Control: max-age",
        "Retry-After or Cache-Control",
        "maybe Retry-After",
        "Location",
    ],
    "503.how-many-shed": [
        "3 requests",
        "8 requests shed",
        "five or six",
        "about five",
        "maybe 5",
        "5 or 3",
        "6",
        "3 of 8",
        "-5",
        "5%",
    ],
    "503.heuristic-cache": [
        "status: 503",
        "it's a 503",
        "HTTP 503",
        "501 or maybe 503",
        "maybe 501",
        "none",
        "all of them",
    ],
    "504.who-answers": [
        "504 from the origin!",
        "200 after 0.6 s",
        "502 from the gateway.",
        "504 from the gateway or 502 from the gateway",
    ],
    "504.or-502": [
        "status: 502",
        "it's a 502",
        "HTTP 502 Bad Gateway",
        "maybe 504",
        "probably 504 or 502",
        "504, or 502",
        "A: 502",
        "Bad Gateway",
        "5O4",
        "54",
    ],
    "504.haproxy-connect-timeout": [
        "status: 504",
        "it's a 504",
        "HTTP 504",
        "nothing, it waits forever",
        "maybe 503",
        "503 or 502",
        "Gateway Time-out",
    ],
    "505.http2-request-line": [
        "status: 426",
        "it's a 426",
        "HTTP 400",
        "maybe 505",
        "505 or maybe 426",
        "200 OK",
    ],
    "505.426-headers": [
        "Upgrade only",
        "Connection: upgrade",
        "Upgrade or Connection",
        "Retry-After",
    ],
    "505.alpn": [
        "Upgrade: h2c!",
        "retry after a 505",
        "ALPN or HTTP/2.0 in the request line",
    ],
    "511.who-made-it": [
        "the gateway!",
        "the origin server",
        "maybe the portal",
        "portal, gateway",
        "网关",
    ],
    "511.which-auth": [
        "status: 511",
        "it's a 401",
        "HTTP 511",
        "maybe 407",
        "407 or 511",
        "401 Unauthorized.",
    ],
    "gateways.nginx-premature-close": [
        "connection reset by peer",
        "read timed out",
        "maybe closed",
        "closed-without-response, reset",
        "refused!",
    ],
    "gateways.haproxy-sc": [
        "connect timeout",
        "maybe refused",
        "refused, connect-timeout",
        "closed without response",
    ],
    "gateways.envoy-uf": [
        "read timed out",
        "no healthy upstream",
        "maybe refused",
        "connection reset",
    ],
    "gateways.caddy-dial-timeout": [
        "read timeout",
        "connection refused",
        "maybe connect-timeout",
        "connect-timeout, read-timeout",
        "i/o timeout",
    ],
    "capstone.incident-1": [
        {"made_by": "gateway", "cause": "maybe no healthy upstream"},
        {"made_by": "origin server", "cause": "no healthy upstream"},
    ],
    "capstone.incident-2": [
        {"made_by": "origin", "cause": "maybe a bug"},
        {"made_by": "the gateway", "cause": "a bug in the handler"},
    ],
    "capstone.incident-3": [
        {"made_by": "gateway", "cause": "maybe cached"},
        {"made_by": "the origin", "cause": "cached error page"},
    ],
    "capstone.incident-4": [
        {"made_by": "portal", "cause": "maybe network login"},
        {"made_by": "the gateway", "cause": "network login"},
    ],
    "capstone.incident-5": [
        {"made_by": "gateway", "cause": "read timed out"},
        {"made_by": "origin", "cause": "connect timeout"},
    ],
    "capstone.incident-6": [
        {"made_by": "origin", "cause": "maybe maintenance"},
        {"made_by": "origin", "cause": "overloaded"},
    ],
    "capstone.incident-7": [
        {"made_by": "gateway", "cause": "maybe invalid response"},
        {"made_by": "origin", "cause": "invalid response"},
    ],
    "capstone.incident-8": [
        {"made_by": "origin", "cause": "maybe overloaded"},
        {"made_by": "origin", "cause": "maintenance!"},
    ],
}


def test_header_x_names_x_and_an_aside_that_explains_is_not_a_hedge() -> None:
    """'header Allow' was judged a wrong header (and counted); an aside with 'or' that
    explains the value ('delay-seconds or HTTP-date') was read as a hedge."""
    assert answers.header("header X-Request-ID") == "x-request-id"
    assert answers.header("Retry-After (delay-seconds or HTTP-date)") == "retry-after"
    assert not exercises.get("501.allow-header").check("Allow (or Upgrade)")


# A fourth round (issue 14, round 4), forms none of the rounds above holds: a status line with
# trailing spaces or a newline, upper case, "status code 504", "the answer is 504" (a header
# answered so was judged wrong and counted), "503!", full-width digits from an IME (５０３, once
# refused as naming no status), reason phrases in Chinese, markdown code spans, emoji, a
# condition with its time ("connect timeout after 0.2 seconds"); and wrong ones: "5 0 3" (a
# choice once read it as 503, a short answer refused it: now both refuse it, not counted), a
# count given as a time ("5 seconds", once accepted as 5), hedges, "not", the neighbour.
FOURTH_ROUND_RIGHT: dict[str, list[object]] = {
    "500.debug-danger": [
        "LEAKS INTERNALS\n",
        "the answer is leaks internals",
    ],
    "500.find-the-traceback": [
        "X-Request-ID   ",
        "X-Request-ID\n",
        "the answer is X-Request-ID",
        "X-Request-ID!",
        "X-Request-ID 头",
    ],
    "500.retry-a-post": [
        "CHECK BEFORE RESENDING\n",
    ],
    "500.who-made-it": [
        "origin  ",
        "ORIGIN\n",
        "the answer is the origin",
        "origin!",
        "the origin 🖥",
    ],
    "501.allow-header": [
        "Allow  ",
        "ALLOW\n",
        "the answer is Allow",
        "Allow!",
    ],
    "501.chunked-not-final": [
        "HTTP/1.1 400 Bad Request  ",
        "400 BAD REQUEST\n",
        "status code 400",
        "the answer is 400",
        "400!",
        "４００",
        "`400 Bad Request`",
        "400 错误请求",
        "400 👍",
    ],
    "501.python-http-server": [
        "405 WITH ALLOW\n",
        "`405 with Allow`",
        "405 with Allow!",
        "HTTP/1.1 405 Method Not Allowed with Allow",
    ],
    "501.unknown-method": [
        "HTTP/1.1 501 Not Implemented   ",
        "HTTP/1.1 501 Not Implemented\n",
        "http/1.1 501 not implemented",
        "501 NOT IMPLEMENTED",
        "status code 501",
        "the answer is 501",
        "５０１",
        "```501```",
        "501 ✅",
        "✅ 501",
        "Status code: 501",
        "the status code is 501",
    ],
    "502.body-cut": [
        "HTTP/1.1 200 OK  ",
        "status code 200",
        "the answer is 200",
        "200!",
        "２００",
        "`200 OK`",
        "200 OK 👍",
    ],
    "502.not-a-502": [
        "A 500 FROM THE HANDLER\n",
        "a 500 from the handler!",
        "a ５００ from the handler",
    ],
    "502.retry": [
        "RETRY WITH BACKOFF\n",
        "the answer is retry with backoff",
    ],
    "503.heuristic-cache": [
        "HTTP/1.1 501 Not Implemented \n",
        "status code 501",
        "the answer is 501",
        "５０１",
    ],
    "503.how-many-shed": [
        "5!",
        "５",
        "the answer is 5",
        "５ requests",
        "5 ✅",
    ],
    "503.retry-after-header": [
        "Retry-After  ",
        "RETRY-AFTER\n",
        "the answer is Retry-After",
        "Retry-After!",
        "Retry-After: 0.2 seconds",
        "Retry-After: 200ms",
    ],
    "504.haproxy-connect-timeout": [
        "HTTP/1.1 503 Service Unavailable  ",
        "status code 503",
        "the answer is 503",
        "503!",
        "５０３",
    ],
    "504.or-502": [
        "HTTP/1.1 504 Gateway Timeout   ",
        "HTTP/1.1 504 Gateway Time-out\n",
        "status code 504",
        "the answer is 504",
        "５０４",
        "504 ⏱",
        "⏱ 504",
    ],
    "504.who-answers": [
        "504 FROM GATEWAY\n",
        "`504 from gateway`",
        "504 from gateway!",
        "５０４ from the gateway",
        "HTTP/1.1 504 Gateway Timeout from the gateway",
    ],
    "505.426-headers": [
        "UPGRADE AND CONNECTION: UPGRADE\n",
        "`Upgrade` and `Connection: upgrade`",
        "upgrade and connection: upgrade!",
    ],
    "505.alpn": [
        "ALPN\n",
        "the answer is ALPN",
    ],
    "505.http2-request-line": [
        "HTTP/1.1 505 HTTP Version Not Supported \n",
        "status code 505",
        "the answer is 505",
        "505!",
        "５０５",
    ],
    "511.which-auth": [
        "HTTP/1.1 407 Proxy Authentication Required  ",
        "status code 407",
        "the answer is 407",
        "407!",
        "４０７",
    ],
    "511.who-made-it": [
        "PORTAL\n",
        "the answer is the portal",
        "portal!",
    ],
    "capstone.incident-1": [
        {"made_by": "GATEWAY\n", "cause": "`no-healthy-upstream`"},
        {"made_by": "gateway!", "cause": "no healthy upstream!"},
    ],
    "capstone.incident-2": [
        {"made_by": "`origin`", "cause": "HANDLER BUG\n"},
    ],
    "capstone.incident-3": [
        {"made_by": "GATEWAY!", "cause": "`cached-error`"},
    ],
    "capstone.incident-4": [
        {"made_by": "`portal`", "cause": "NETWORK LOGIN\n"},
    ],
    "capstone.incident-5": [
        {"made_by": "`gateway`", "cause": "connect timeout after 0.2 seconds"},
    ],
    "capstone.incident-6": [
        {"made_by": "origin!", "cause": "maintenance  "},
    ],
    "capstone.incident-7": [
        {"made_by": "网关", "cause": "INVALID RESPONSE\n"},
    ],
    "capstone.incident-8": [
        {"made_by": "`origin`", "cause": "overload!"},
        {"made_by": "ORIGIN\n", "cause": "`overload`"},
    ],
    "gateways.caddy-dial-timeout": [
        "CONNECT TIMEOUT\n",
        "connect timeout after 0.2 seconds",
    ],
    "gateways.envoy-uf": [
        "REFUSED\n",
    ],
    "gateways.haproxy-sc": [
        "REFUSED\n",
    ],
    "gateways.nginx-premature-close": [
        "closed without response  ",
        "CLOSED WITHOUT RESPONSE\n",
        "closed-without-response!",
    ],
}

FOURTH_ROUND_WRONG: dict[str, list[object]] = {
    "500.debug-danger": [
        "maybe leaks internals",
    ],
    "500.find-the-traceback": [
        "X-Request-ID or Server",
        "Request-ID!",
    ],
    "500.retry-a-post": [
        "maybe check before resending",
    ],
    "500.who-made-it": [
        "maybe origin",
    ],
    "501.allow-header": [
        "Upgrade!",
    ],
    "501.chunked-not-final": [
        "4 0 0",
        "５０１",
    ],
    "501.python-http-server": [
        "405 without Allow!",
        "５０１",
        "maybe 405 with Allow",
    ],
    "501.unknown-method": [
        "5 0 1",
        "405!",
        "４０５",
        "🤷",
    ],
    "502.body-cut": [
        "2 0 0",
        "502!",
        "５０２",
        "502 错误网关",
    ],
    "502.not-a-502": [
        "garbage bytes!",
        "maybe a 500 from the handler",
    ],
    "502.retry": [
        "maybe retry with backoff",
        "retry at once in a loop!",
    ],
    "503.heuristic-cache": [
        "5 0 1",
        "503!",
        "５０３",
    ],
    "503.how-many-shed": [
        "3!",
        "３",
        "5 seconds",
        "0.5",
        "55",
        "5 5",
        "5s",
        "5 ms",
        "5 秒",
    ],
    "503.retry-after-header": [
        "Expires!",
    ],
    "504.haproxy-connect-timeout": [
        "5 0 3",
        "５０４",
    ],
    "504.or-502": [
        "5 0 4",
        "502!",
        "５０２",
        "错误网关",
        "502 错误网关",
    ],
    "504.who-answers": [
        "502 from the gateway!",
        "maybe 504 from gateway",
    ],
    "505.426-headers": [
        "Upgrade!",
        "Alt-Svc!",
        "maybe upgrade and connection: upgrade",
    ],
    "505.alpn": [
        "maybe ALPN",
    ],
    "505.http2-request-line": [
        "5 0 5",
        "426!",
        "４２６",
    ],
    "511.which-auth": [
        "4 0 7",
        "407 or 401",
        "511!",
        "５１１",
        "需要网络身份验证",
        "401 未授权",
    ],
    "511.who-made-it": [
        "`gateway`",
        "GATEWAY\n",
        "门户或网关",
    ],
    "capstone.incident-1": [
        {"made_by": "gateway", "cause": "refused after 0.2 s"},
    ],
    "capstone.incident-2": [
        {"made_by": "origin", "cause": "handler bug or overload"},
    ],
    "capstone.incident-3": [
        {"made_by": "gateway", "cause": "maybe cached error"},
    ],
    "capstone.incident-4": [
        {"made_by": "portal", "cause": "not logged in or overload"},
    ],
    "capstone.incident-5": [
        {"made_by": "gateway", "cause": "read timeout after 0.2 s"},
    ],
    "capstone.incident-6": [
        {"made_by": "`origin`", "cause": "OVERLOAD\n"},
    ],
    "capstone.incident-7": [
        {"made_by": "gateway!", "cause": "connect timeout after 200 ms"},
    ],
    "capstone.incident-8": [
        {"made_by": "origin", "cause": "maintenance  "},
    ],
    "gateways.caddy-dial-timeout": [
        "read-timeout!",
        "maybe connect timeout",
        "读取超时",
    ],
    "gateways.envoy-uf": [
        "reset!",
        "read-timeout!",
    ],
    "gateways.haproxy-sc": [
        "CONNECT TIMEOUT\n",
        "connect timeout after 0.2 s",
    ],
    "gateways.nginx-premature-close": [
        "reset!",
        "maybe closed without response",
        "closed without response or reset",
    ],
}


# A fifth round (issue 14, round 5), from the learner's side: answers in a sentence with their
# reason ("400, because the length cannot be determined": the reason's "cannot" was read as a
# denial and the answer refused), a response pasted whole with its headers (their numbers were
# read as more statuses: "give one answer"), a header given with its value, "made by the
# gateway" for "from the gateway", "check before resending it" (an extra "it"), "ALPN in the
# TLS handshake", "Upgrade + Connection: upgrade", "the origin made it, the gateway only relayed
# it", a hop misspelt by one letter ("orgin", "potral"; a teacher accepts it, and no other hop
# is one letter away), "it's a connect timeout", "not logged in to the network" (a cause); the
# Chinese forms of each status, hop, condition and cause question; and wrong ones: the right
# thing with a wrong extra ("504, the origin made it"), the neighbour in a sentence or pasted
# whole, a reason-phrase typo without its number ("Gatway Timeout", refused, not counted), a
# misspelt header ("Retry-Afterr"), hedges.
FIFTH_ROUND_RIGHT: dict[str, list[object]] = {
    "500.debug-danger": [
        "it leaks internals",
        "because it leaks internals",
        "leaks internal details",
        "LEAKS_INTERNALS",
        "leaks-internals",
    ],
    "500.find-the-traceback": [
        "X-Request-ID: req-1a2b3c",
        "the header X-Request-ID",
        "X-Request-ID response header",
        "x-request-id header",
        "X-Request-Id (its value is the reference)",
        "响应头 X-Request-ID",
    ],
    "500.retry-a-post": [
        "check before resending it",
        "I would check before resending",
        "check before re-sending",
        "check first before resending",
    ],
    "500.who-made-it": [
        "the origin made it, the gateway only relayed it",
        "origin (the gateway just relayed it)",
        "It was made by the origin server.",
        "Server: labkit-origin",
        "orgin",
        "Origin; the gateway relayed it",
        "源服务器生成的",
        "是源服务器",
    ],
    "501.allow-header": [
        "Allow: GET, HEAD, OPTIONS\r\nContent-Length: 0",
        "the Allow header (listing GET, HEAD, OPTIONS)",
        "Allow header",
        "'Allow:'",
        "Allow 响应头",
        "Allow 头部",
    ],
    "501.chunked-not-final": [
        "400, because the length cannot be determined",
        "HTTP/1.1 400 Bad Request\r\nConnection: close",
        "400 bad request.",
        "400 错误的请求",
    ],
    "501.python-http-server": [
        "405 with an Allow header",
        "405 Method Not Allowed with Allow: GET, HEAD",
        "405, with Allow",
        "405 with the Allow header",
    ],
    "501.unknown-method": [
        "501 Not Implemented, because no resource knows BREW",
        "HTTP/1.1 501 Not Implemented\r\nContent-Type: text/plain\r\nContent-Length: 20",
        "status 501",
        "501 未实现",
        "Not implemented.",
    ],
    "502.body-cut": [
        "200, because the status line was already relayed",
        "HTTP/1.1 200 OK\r\nContent-Length: 100",
        "200 OK (body cut short)",
        "status 200",
        "200 成功",
    ],
    "502.not-a-502": [
        "a 500 from the handler (it is relayed unchanged)",
        "the 500 from the handler",
        "500 from handler",
    ],
    "502.retry": [
        "retry with exponential backoff",
        "retry with backoff and jitter",
        "retry, with backoff",
        "retry with back off",
        "retry with a backoff",
    ],
    "503.heuristic-cache": [
        "501, it is heuristically cacheable",
        "HTTP/1.1 501 Not Implemented",
        "501 未实现",
        "the 501",
    ],
    "503.how-many-shed": [
        "5 of them",
        "5 (8 minus 3)",
        "5 requests are shed",
        "five requests",
        "8-3=5",
        "5 个",
        "五个",
    ],
    "503.retry-after-header": [
        "Retry-After: 120",
        "Retry-After: Tue, 01 Jan 2030 00:00:00 GMT",
        "the Retry-After header field",
        "Retry-After (seconds or an HTTP-date)",
        "Retry-After 头",
        "RETRY-AFTER",
    ],
    "504.haproxy-connect-timeout": [
        "503, HAProxy's sC",
        "HTTP/1.0 503 Service Unavailable\r\nCache-Control: no-cache",
        "it answers 503",
        "503 服务不可用",
    ],
    "504.or-502": [
        "it's a 504 because the upstream was too slow",
        "504, because B timed out",
        "HTTP/1.1 504 Gateway Time-out\r\nServer: nginx",
        "504 gateway timeout.",
        "B gets 504",
        "504 网关超时",
        "504 Gatway Timeout",
        "504 网关超时。",
    ],
    "504.who-answers": [
        "504 from the gateway, because its read timeout ran out first",
        "a 504 made by the gateway",
        "504 Gateway Timeout, made by the gateway",
        "504 from gateway.",
    ],
    "505.426-headers": [
        "Upgrade and Connection: upgrade (Upgrade: websocket)",
        "Upgrade + Connection: upgrade",
        "upgrade and connection upgrade",
        "Upgrade and Connection: Upgrade.",
    ],
    "505.alpn": [
        "with ALPN",
        "ALPN (h2 in the TLS handshake)",
        "ALPN in the TLS handshake",
        "alpn.",
    ],
    "505.http2-request-line": [
        "505 HTTP Version Not Supported, since HTTP/2 is not written in a request line",
        "HTTP/1.1 505 HTTP Version Not Supported\r\nContent-Type: text/plain",
        "505 HTTP 版本不受支持",
    ],
    "511.which-auth": [
        "407, proxy authentication",
        "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic",
        "it answers 407",
        "407 需要代理身份验证",
    ],
    "511.who-made-it": [
        "the portal made it",
        "potral",
        "the portal made it, the gateway only forwarded it",
        "Server: labkit-portal",
        "门户",
        "强制门户生成的",
    ],
    "capstone.incident-1": [
        {"made_by": "the gateway (labkit-gateway)", "cause": "no healthy upstreams"},
        {"made_by": "网关", "cause": "没有健康的上游"},
        {"made_by": "gatway", "cause": "no-healthy-upstream"},
    ],
    "capstone.incident-2": [
        {"made_by": "origin (labkit-origin)", "cause": "a bug in the handler"},
        {"made_by": "源服务器", "cause": "代码缺陷"},
    ],
    "capstone.incident-3": [
        {"made_by": "the gateway's cache", "cause": "cached error page"},
        {"made_by": "网关", "cause": "缓存的错误页面"},
    ],
    "capstone.incident-4": [
        {"made_by": "Server: labkit-portal", "cause": "not logged in to the network"},
        {"made_by": "门户", "cause": "未登录"},
    ],
    "capstone.incident-5": [
        {"made_by": "gateway", "cause": "connection timeout"},
        {"made_by": "网关", "cause": "连接超时"},
    ],
    "capstone.incident-6": [
        {"made_by": "origin server", "cause": "down for maintenance"},
        {"made_by": "源服务器", "cause": "维护"},
    ],
    "capstone.incident-7": [
        {"made_by": "gateway", "cause": "invalid HTTP response"},
        {"made_by": "网关", "cause": "无效的响应"},
    ],
    "capstone.incident-8": [
        {"made_by": "origin", "cause": "over capacity"},
        {"made_by": "源服务器", "cause": "超出容量"},
    ],
    "gateways.caddy-dial-timeout": [
        "connect-timeout (dial i/o timeout)",
        "TCP connect timeout",
        "it's a connect timeout",
        "连接超时",
    ],
    "gateways.envoy-uf": [
        "refused (upstream connection failure)",
        "connect-timeout (UF)",
        "connection refused",
        "连接超时",
    ],
    "gateways.haproxy-sc": [
        "refused (S = server side, C = connect)",
        "connection refused by the server",
        "ECONNREFUSED",
        "连接被拒绝",
    ],
    "gateways.nginx-premature-close": [
        "closed without a response",
        "the upstream closed the connection without a response",
        "it was closed without response",
        "连接被关闭",
    ],
}

FIFTH_ROUND_WRONG: dict[str, list[object]] = {
    "500.debug-danger": [
        "it hides the error",
        "it becomes a 502",
        "it loses the log",
        "leaks internals and hides the error",
    ],
    "500.find-the-traceback": [
        "Via: 1.1 labkit-gateway",
        "Server: labkit-origin",
        "Date",
        "X-Cache",
        "Request-Id",
        "请求头 Via",
    ],
    "500.retry-a-post": [
        "retry it until it works",
        "retry once after a pause",
        "switch to GET and retry",
        "check before resending or retry once after a pause",
        "retry it until it works",
        "I would retry it once after a pause",
    ],
    "500.who-made-it": [
        "the gateway made it, the origin relayed it",
        "gateway (Via: 1.1 labkit-gateway)",
        "Via: 1.1 labkit-gateway",
        "the client",
        "网关生成的",
        "the gateway made it, the origin only relayed it",
        "gatway",
        "origin or gatway",
    ],
    "501.allow-header": [
        "Allowed: GET, HEAD",
        "Access-Control-Allow-Methods",
        "Retry-After: 120",
        "Allow or Access-Control-Allow-Methods",
        "Upgrade",
    ],
    "501.chunked-not-final": [
        "501, gzip is not implemented",
        "HTTP/1.1 501 Not Implemented\r\nConnection: close",
        "411 Length Required",
        "400 or 501",
        "200 OK",
    ],
    "501.python-http-server": [
        "405 without an Allow header",
        "501 Not Implemented",
        "404 Not Found",
        "405 with Allow or 501",
    ],
    "501.unknown-method": [
        "405, the server doesn't allow BREW",
        "HTTP/1.1 405 Method Not Allowed\r\nAllow: GET",
        "400 Bad Request",
        "501 or 405 Method Not Allowed",
        "405 方法不允许",
    ],
    "502.body-cut": [
        "502, the body was cut",
        "HTTP/1.1 502 Bad Gateway\r\nServer: labkit-gateway",
        "200 or 502",
        "502 错误网关",
    ],
    "502.not-a-502": [
        "garbage bytes",
        "connection refused",
        "reset before the headers",
        "a 500 from the handler or garbage bytes",
    ],
    "502.retry": [
        "retry at once in a loop",
        "never retry a 502",
        "retry even a POST",
        "retry with backoff or at once in a loop",
    ],
    "503.heuristic-cache": [
        "503, with Retry-After",
        "HTTP/1.1 503 Service Unavailable",
        "504 Gateway Timeout",
        "501 or 503",
    ],
    "503.how-many-shed": ["3", "3 are shed, 5 are served", "8", "5 or 3", "三个"],
    "503.retry-after-header": [
        "Cache-Control: no-store",
        "Expires",
        "Retry-After or Cache-Control",
        "Retry",
        "X-Retry-After",
        "Retry-Afterr",
    ],
    "504.haproxy-connect-timeout": [
        "504 like nginx",
        "HTTP/1.1 504 Gateway Time-out",
        "502",
        "503 or 504",
        "it waits forever",
    ],
    "504.or-502": [
        "502, B sent nothing valid",
        "HTTP/1.1 502 Bad Gateway\r\nServer: nginx",
        "503",
        "Gatway Timeout or Bad Gateway",
        "Gatway Timeout",
        "502 Bad Gatway",
        "504, because it is not 502 or 504",
        "502 or 504, depending on the proxy",
    ],
    "504.who-answers": [
        "504, the origin made it",
        "a 504 made by the origin",
        "502 from the gateway",
        "200 after 0.6 s",
        "504 from the gateway or the origin",
        "504 made by the origin",
        "504 sent by the origin, not the gateway",
    ],
    "505.426-headers": ["Upgrade only", "Upgrade: websocket", "Retry-After", "Alt-Svc or Upgrade"],
    "505.alpn": [
        "HTTP/2.0 in the request line",
        "Upgrade: h2c",
        "retry after a 505",
        "ALPN or Upgrade: h2c",
        "ALPN in the request line",
        "Upgrade: h2c in the TLS handshake",
    ],
    "505.http2-request-line": [
        "426 Upgrade Required",
        "400 Bad Request",
        "200 OK over HTTP/2",
        "505 or 426",
    ],
    "511.which-auth": [
        "401 Unauthorized",
        "511 Network Authentication Required",
        "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic",
        "407 or 401",
        "401, because the proxy is not the site",
    ],
    "511.who-made-it": [
        "the gateway",
        "the origin made it",
        "Server: labkit-gateway",
        "portal or gateway",
        "网关",
    ],
    "capstone.incident-1": [
        {"made_by": "origin", "cause": "no-healthy-upstream"},
        {"made_by": "gateway", "cause": "refused"},
        {"made_by": "网关", "cause": "过载"},
    ],
    "capstone.incident-2": [
        {"made_by": "gateway", "cause": "handler-bug"},
        {"made_by": "origin", "cause": "overload"},
        {"made_by": "源服务器", "cause": "维护"},
    ],
    "capstone.incident-3": [
        {"made_by": "origin", "cause": "maintenance"},
        {"made_by": "gateway", "cause": "maintenance"},
        {"made_by": "源服务器", "cause": "缓存"},
    ],
    "capstone.incident-4": [
        {"made_by": "gateway", "cause": "network-login"},
        {"made_by": "portal", "cause": "maintenance"},
        {"made_by": "网关", "cause": "未登录"},
        {"made_by": "portal", "cause": "not logged in to the network, because of maintenance"},
    ],
    "capstone.incident-5": [
        {"made_by": "gateway", "cause": "read timeout"},
        {"made_by": "upstream", "cause": "connect-timeout"},
        {"made_by": "网关", "cause": "读取超时"},
    ],
    "capstone.incident-6": [
        {"made_by": "gateway", "cause": "maintenance"},
        {"made_by": "origin", "cause": "cached-error"},
        {"made_by": "源服务器", "cause": "过载"},
    ],
    "capstone.incident-7": [
        {"made_by": "upstream", "cause": "invalid-response"},
        {"made_by": "gateway", "cause": "reset"},
        {"made_by": "网关", "cause": "读取超时"},
    ],
    "capstone.incident-8": [
        {"made_by": "gateway", "cause": "overload"},
        {"made_by": "origin", "cause": "maintenance"},
        {"made_by": "源服务器", "cause": "维护"},
    ],
    "gateways.caddy-dial-timeout": [
        "read timeout (i/o timeout)",
        "refused",
        "dial tcp refused",
        "connect-timeout or read-timeout",
        "读取超时",
    ],
    "gateways.envoy-uf": [
        "read timeout",
        "reset",
        "closed-without-response",
        "refused or read-timeout",
        "读取超时",
    ],
    "gateways.haproxy-sc": [
        "connect timeout",
        "sC",
        "read-timeout",
        "refused or connect-timeout",
        "连接超时",
    ],
    "gateways.nginx-premature-close": [
        "connection reset by peer",
        "read timeout",
        "invalid status line",
        "closed without response or read timeout",
        "读取超时",
    ],
}


# A sixth round (issue 14, round 6): the numbers a learner writes in words, above all in
# Chinese (a code said as a number, 两百 and 五百零四, or digit by digit, 五零四, as codes are
# read aloud; English "two hundred", "five oh four"), Chinese particles (连接超时了) and
# connectives (和), and the forms of earlier rounds with a final full stop. A teacher
# accepts each; "5xx" names a class, never a status or a count (it was taken as 5), and a
# neighbour in words (五零二, "five oh two") is as wrong as in digits.
SIXTH_ROUND_RIGHT: dict[str, list[object]] = {
    "500.debug-danger": ["leaks internals!", "Leaks internals (file paths, source lines)"],
    "500.find-the-traceback": [
        "X-Request-ID 响应头",
        "X-Request-ID 头",
        "“X-Request-ID”",
        "x_request_id",
    ],
    "500.retry-a-post": ["check before resending.", "Check before resending!"],
    "500.who-made-it": [
        "源服务器生成的",
        "是源服务器",
        "源服务器（网关只是转发）",
        "origin server.",
    ],
    "501.allow-header": ["Allow 头", "Allow 响应头", "“Allow”", "allow:"],
    "501.chunked-not-final": ["四百", "四零零", "four hundred", "400 错误的请求。"],
    "501.python-http-server": ["405 with Allow.", "405 with an Allow header"],
    "501.unknown-method": ["五零一", "五百零一", "five oh one", "five hundred and one"],
    "502.body-cut": ["二百", "两百", "二〇〇", "二零零", "two hundred", "两百（成功）"],
    "502.not-a-502": ["a 500 from the handler.", "A 500 from the handler"],
    "502.retry": ["retry with backoff.", "retry with exponential backoff"],
    "503.heuristic-cache": ["五零一", "五百零一", "five oh one", "501 未实现"],
    "503.how-many-shed": ["伍", "被拒绝的有5个", "八减三等于五", "八个里有五个", "8个请求中有5个"],
    "503.retry-after-header": ["Retry-After 头", "Retry-After 响应头", "retry_after"],
    "504.haproxy-connect-timeout": ["五零三", "五百零三", "five oh three", "503 服务不可用"],
    "504.or-502": ["五零四", "五百零四", "五〇四", "five oh four", "five hundred and four"],
    "504.who-answers": [
        "504 from the gateway.",
        "504, from the gateway",
    ],
    "505.426-headers": ["Upgrade 和 Connection: upgrade", "Upgrade and Connection: upgrade."],
    "505.alpn": ["alpn.", "ALPN（TLS 握手里）"],
    "505.http2-request-line": ["五零五", "五百零五", "five oh five", "505 HTTP 版本不受支持。"],
    "511.which-auth": ["四零七", "四百零七", "four oh seven", "407 需要代理身份验证"],
    "511.who-made-it": ["门户生成的", "是门户", "强制门户。"],
    "capstone.incident-1": [{"made_by": "网关", "cause": "没有健康的上游"}],
    "capstone.incident-2": [{"made_by": "源服务器", "cause": "代码缺陷"}],
    "capstone.incident-3": [{"made_by": "网关", "cause": "缓存的错误页面"}],
    "capstone.incident-4": [{"made_by": "门户", "cause": "未登录"}],
    "capstone.incident-5": [{"made_by": "网关", "cause": "连接超时了"}],
    "capstone.incident-6": [{"made_by": "源服务器", "cause": "维护"}],
    "capstone.incident-7": [{"made_by": "网关", "cause": "无效的响应"}],
    "capstone.incident-8": [{"made_by": "源服务器", "cause": "过载"}],
    "gateways.caddy-dial-timeout": ["连接超时了", "拨号超时", "dial timeout."],
    "gateways.envoy-uf": ["连接被拒绝或连接超时", "refused or connect-timeout."],
    "gateways.haproxy-sc": ["连接被拒绝了", "拒绝连接", "refused."],
    "gateways.nginx-premature-close": ["没有响应就关闭了连接", "closed without response."],
}
SIXTH_ROUND_WRONG: dict[str, list[object]] = {
    "500.debug-danger": ["隐藏了错误", "hides the error"],
    "500.find-the-traceback": ["Retry-After 头", "Server"],
    "500.retry-a-post": ["一直重试直到成功", "retry until it works"],
    "500.who-made-it": ["网关", "网关生成的"],
    "501.allow-header": ["Upgrade 头", "Retry-After"],
    "501.chunked-not-final": ["五零一", "五百零一", "4xx", "四一一"],
    "501.python-http-server": ["五零一", "405 without Allow"],
    "501.unknown-method": ["四零五", "四百零五", "5xx", "five oh two"],
    "502.body-cut": ["五零二", "五百零二", "two hundred and two", "5xx", "2xx"],
    "502.not-a-502": ["垃圾字节", "garbage bytes"],
    "502.retry": ["立即循环重试", "never retry"],
    "503.heuristic-cache": ["五零三", "五百零三", "5xx", "五零零"],
    "503.how-many-shed": ["三", "两百", "5xx", "八", "5 hundred"],
    "503.retry-after-header": ["Cache-Control 头", "Allow"],
    "504.haproxy-connect-timeout": ["五零四", "五百零二", "5xx"],
    "504.or-502": ["五零二", "五百零二", "5xx", "five oh two", "fifty-four"],
    "504.who-answers": ["504 由源服务器生成", "502 from the gateway"],
    "505.426-headers": ["Retry-After", "Alt-Svc"],
    "505.alpn": ["请求行里写 HTTP/2.0", "retry after a 505"],
    "505.http2-request-line": ["四零零", "四百二十六", "5xx", "two hundred"],
    "511.which-auth": ["四零一", "五一一", "五百一十一", "4xx"],
    "511.who-made-it": ["网关", "源服务器"],
    "capstone.incident-1": [{"made_by": "网关", "cause": "连接超时"}],
    "capstone.incident-2": [{"made_by": "网关", "cause": "代码缺陷"}],
    "capstone.incident-3": [{"made_by": "源服务器", "cause": "维护"}],
    "capstone.incident-4": [{"made_by": "网关", "cause": "未登录"}],
    "capstone.incident-5": [{"made_by": "网关", "cause": "读取超时"}],
    "capstone.incident-6": [{"made_by": "源服务器", "cause": "过载"}],
    "capstone.incident-7": [{"made_by": "源服务器", "cause": "无效的响应"}],
    "capstone.incident-8": [{"made_by": "源服务器", "cause": "维护"}],
    "gateways.caddy-dial-timeout": ["读取超时了", "连接被拒绝"],
    "gateways.envoy-uf": ["读取超时", "连接被重置"],
    "gateways.haproxy-sc": ["连接超时了", "读取超时"],
    "gateways.nginx-premature-close": ["连接被拒绝", "读取超时了"],
}


# The seventh round (judges9, held out: written before this file was read). Its misses were lists
# read as their one item (["501"] accepted), "405 with no Allow" accepted, and right answers
# refused: "500" for "a 500 from the handler", "405 and Allow", "the gateway answers 504",
# "Upgrade and Connection", "check before sending it again".
SEVENTH_ROUND_RIGHT: dict[str, list[object]] = {
    "500.debug-danger": [
        "Leaks internals",
        "it leaks internals",
        "leaks internals.",
        "LEAKS INTERNALS",
        "leaks internal details",
        "it leaks the internals",
        "leaks-internals",
    ],
    "500.find-the-traceback": [
        "x-request-id",
        "X-Request-Id:",
        "the X-Request-ID header",
        "`X-Request-ID`",
        "X-REQUEST-ID.",
        "X_Request_ID",
        "'X-Request-ID'",
        "X-Request-ID: req-3f2a",
        "header X-Request-ID",
        "X-Request-ID 头",
        "X-Request-ID response header",
    ],
    "500.retry-a-post": [
        "check before resending",
        "Check before resending.",
        "check before resending it",
        "check before re-sending",
        "check first before resending",
        "check before you resend",
        "CHECK BEFORE RESENDING",
        "check before sending it again",
    ],
    "500.who-made-it": [
        "Origin",
        "the origin server",
        "ORIGIN.",
        "origin server (labkit-origin)",
        "the shop's origin",
        "it was the origin",
        "labkit-origin",
        "Origin!",
        "由源服务器生成",
        "源服务器",
    ],
    "501.allow-header": [
        "allow",
        "Allow:",
        "the Allow header",
        "ALLOW",
        "`Allow`",
        "Allow: GET, HEAD, OPTIONS",
        "Allow.",
        "'allow'",
        "allow header",
        "Allow 头",
    ],
    "501.chunked-not-final": [
        400,
        "400",
        "400 Bad Request",
        "HTTP/1.1 400 Bad Request",
        "Bad Request",
        "bad request.",
        "400!",
        "four hundred",
        "错误的请求",
        "400 错误请求",
    ],
    "501.python-http-server": [
        "405 with Allow",
        "405 with the Allow header",
        "405 Method Not Allowed with Allow",
        "405 with allow.",
        "405, with Allow",
        "405 + Allow",
        "405 and Allow",
        "HTTP/1.1 405 Method Not Allowed with Allow",
        "405 with an Allow header",
        "405 plus Allow",
    ],
    "501.unknown-method": [
        501,
        "501",
        "501 Not Implemented",
        "HTTP/1.1 501 Not Implemented",
        "not implemented",
        "Not Implemented.",
        "501.",
        "five oh one",
        "501 未实现",
        "a 501",
        "status 501",
    ],
    "502.body-cut": [
        200,
        "200",
        "200 OK",
        "HTTP/1.1 200 OK",
        "OK",
        "200.",
        "two hundred",
        "a 200",
        "200 (with an incomplete body)",
        "200 成功",
        "二百",
    ],
    "502.not-a-502": [
        "a 500 from the handler",
        "500 from the handler",
        "A 500 from the handler.",
        "500",
        "the 500 from the handler",
        "500 Internal Server Error from the handler",
        "a 500 Internal Server Error from the handler",
        "a 500 from the handler!",
        "a 500",
        "status 500",
    ],
    "502.retry": [
        "retry with backoff",
        "Retry with backoff.",
        "retry with exponential backoff",
        "retry with back-off",
        "retry, with backoff",
        "retry with a backoff",
        "RETRY WITH BACKOFF",
        "retry with backoff and jitter",
        "retry with back off",
    ],
    "503.heuristic-cache": [
        501,
        "501",
        "501 Not Implemented",
        "Not Implemented",
        "HTTP/1.1 501 Not Implemented",
        "501.",
        "a 501",
        "status 501",
        "501 未实现",
    ],
    "503.how-many-shed": [
        5,
        "5",
        "five",
        "Five.",
        "5 requests",
        "5.0",
        5.0,
        "5 of 8",
        "8 - 3 = 5",
        "五",
        "5个",
        "five requests are shed",
    ],
    "503.retry-after-header": [
        "retry-after",
        "Retry-After:",
        "the Retry-After header",
        "Retry After",
        "retry_after",
        "RETRY-AFTER",
        "Retry-After: 30",
        "`Retry-After`",
        "Retry-After.",
        "Retry-After 头",
    ],
    "504.haproxy-connect-timeout": [
        503,
        "503",
        "503 Service Unavailable",
        "Service Unavailable",
        "HTTP/1.1 503 Service Unavailable",
        "503.",
        "a 503",
        "503 服务不可用",
        "it answers 503",
    ],
    "504.or-502": [
        504,
        "504",
        "504 Gateway Timeout",
        "504 Gateway Time-out",
        "HTTP/1.1 504 Gateway Timeout",
        "Gateway Timeout",
        "gateway timeout.",
        "five oh four",
        "504 网关超时",
        "网关超时",
        "B: 504",
        "504 for B",
    ],
    "504.who-answers": [
        "504 from the gateway",
        "504 Gateway Timeout from the gateway",
        "a 504 made by the gateway",
        "504, from the gateway",
        "504 from gateway",
        "The gateway answers 504.",
        "504 Gateway Time-out from the gateway",
        "HTTP/1.1 504 Gateway Timeout from the gateway",
        "504 from the gateway.",
        "the gateway answers 504",
        "gateway: 504",
    ],
    "505.426-headers": [
        "Upgrade and Connection: upgrade",
        "upgrade and connection: upgrade",
        "Upgrade + Connection: upgrade",
        "Upgrade and Connection",
        "Upgrade, Connection: upgrade",
        "Upgrade & Connection: upgrade",
        "both Upgrade and Connection: upgrade",
        "Upgrade and Connection: upgrade.",
    ],
    "505.alpn": [
        "ALPN",
        "alpn",
        "ALPN.",
        "with ALPN",
        "via ALPN",
        "ALPN (TLS)",
        "the ALPN extension",
        "TLS ALPN",
        "using ALPN in the TLS handshake",
    ],
    "505.http2-request-line": [
        505,
        "505",
        "505 HTTP Version Not Supported",
        "HTTP Version Not Supported",
        "http version not supported.",
        "HTTP/1.1 505 HTTP Version Not Supported",
        "505!",
        "a 505",
    ],
    "511.which-auth": [
        407,
        "407",
        "407 Proxy Authentication Required",
        "Proxy Authentication Required",
        "HTTP/1.1 407 Proxy Authentication Required",
        "407.",
        "a 407",
        "四零七",
    ],
    "511.who-made-it": [
        "portal",
        "the portal",
        "captive portal",
        "the captive portal",
        "Portal.",
        "labkit-portal",
        "it was the portal",
        "门户",
        "强制门户",
    ],
    "capstone.incident-1": [
        {"made_by": "the gateway", "cause": "no healthy upstream"},
        {"made_by": "Gateway.", "cause": "No healthy upstreams."},
        {"made_by": "reverse proxy", "cause": "no_healthy_upstream"},
        {"made_by": "labkit-gateway", "cause": "all upstreams down"},
        {"made_by": "网关", "cause": "the gateway had no healthy upstream to send the request to"},
        {"made_by": "the gateway", "cause": "没有健康的上游"},
        {"made_by": "Gateway.", "cause": "no healthy upstream available"},
        {"made_by": "reverse proxy", "cause": "no healthy targets"},
        {"made_by": "gateway", "cause": "no healthy upstream available"},
    ],
    "capstone.incident-2": [
        {"made_by": "the origin", "cause": "handler bug"},
        {"made_by": "origin server", "cause": "a bug in the handler"},
        {"made_by": "Origin!", "cause": "handler_bug"},
        {"made_by": "labkit-origin", "cause": "the application's own code raised an exception"},
        {"made_by": "源服务器", "cause": "TypeError"},
        {"made_by": "the application", "cause": "an unhandled exception"},
        {"made_by": "the origin", "cause": "代码缺陷"},
        {"made_by": "origin server", "cause": "bug"},
    ],
    "capstone.incident-3": [
        {"made_by": "gateway", "cause": "cached error"},
        {"made_by": "the gateway's cache", "cause": "a cached error page"},
        {"made_by": "the cache", "cause": "stale cache"},
        {"made_by": "gateway cache", "cause": "served from cache"},
        {"made_by": "网关", "cause": "cached_error"},
        {"made_by": "gateway", "cause": "缓存的错误页面"},
        {"made_by": "the gateway's cache", "cause": "the cache served a stored error"},
        {"made_by": "the cache", "cause": "cached 503"},
        {"made_by": "gateway", "cause": "the cache served a stored error"},
    ],
    "capstone.incident-4": [
        {"made_by": "portal", "cause": "network login"},
        {"made_by": "the captive portal", "cause": "captive portal"},
        {"made_by": "labkit-portal", "cause": "login required"},
        {"made_by": "门户", "cause": "not logged in"},
        {"made_by": "Portal.", "cause": "network_login"},
        {
            "made_by": "portal",
            "cause": "the network wants you to log in before anything passes (captive portal)",
        },
        {"made_by": "the captive portal", "cause": "未登录"},
        {"made_by": "labkit-portal", "cause": "network authentication required"},
    ],
    "capstone.incident-5": [
        {"made_by": "gateway", "cause": "connect timeout"},
        {"made_by": "the gateway", "cause": "connect-timeout"},
        {"made_by": "proxy", "cause": "connection timeout"},
        {"made_by": "网关", "cause": "Connect Timeout."},
        {
            "made_by": "the reverse proxy",
            "cause": "the upstream never accepted the connection in time",
        },
        {"made_by": "gateway", "cause": "timed out while connecting"},
        {"made_by": "the gateway", "cause": "连接超时"},
        {"made_by": "proxy", "cause": "connect_timeout"},
    ],
    "capstone.incident-6": [
        {"made_by": "origin", "cause": "maintenance"},
        {"made_by": "the origin server", "cause": "planned maintenance"},
        {"made_by": "backend", "cause": "down for maintenance"},
        {"made_by": "源服务器", "cause": "Maintenance."},
        {"made_by": "the shop", "cause": "under maintenance"},
        {"made_by": "origin", "cause": "停机维护"},
        {"made_by": "the origin server", "cause": "the origin is down for planned maintenance"},
        {"made_by": "backend", "cause": "scheduled maintenance"},
    ],
    "capstone.incident-7": [
        {"made_by": "gateway", "cause": "invalid response"},
        {"made_by": "the gateway", "cause": "invalid-response"},
        {"made_by": "labkit-gateway", "cause": "garbage"},
        {"made_by": "网关", "cause": "not HTTP"},
        {
            "made_by": "Gateway!",
            "cause": "the upstream answered with bytes that are not valid HTTP",
        },
        {"made_by": "gateway", "cause": "invalid status line"},
        {"made_by": "the gateway", "cause": "无效的响应"},
        {"made_by": "labkit-gateway", "cause": "protocol error"},
        {"made_by": "网关", "cause": "malformed response"},
    ],
    "capstone.incident-8": [
        {"made_by": "origin", "cause": "overload"},
        {"made_by": "the origin", "cause": "overloaded"},
        {"made_by": "origin server", "cause": "load shedding"},
        {"made_by": "源服务器", "cause": "at capacity"},
        {"made_by": "app server", "cause": "Load shedding."},
        {
            "made_by": "origin",
            "cause": "the origin is at capacity and sheds the extra request (load shedding)",
        },
        {"made_by": "the origin", "cause": "过载"},
        {"made_by": "origin server", "cause": "too many requests"},
        {"made_by": "源服务器", "cause": "over capacity"},
    ],
    "gateways.caddy-dial-timeout": [
        "connect-timeout",
        "connect timeout",
        "Connect Timeout.",
        "connection timeout",
        "Condition.CONNECT_TIMEOUT",
        "dial timeout",
        "timed out while connecting",
        "connect_timeout",
        "a connect timeout",
        "连接超时",
        "connect timeout (dial)",
    ],
    "gateways.envoy-uf": [
        "refused",
        "connect-timeout",
        "connection refused",
        "connect timeout",
        "Connect timeout.",
        "Condition.CONNECT_TIMEOUT",
        "refused or connect-timeout",
        "the connection timed out while connecting",
        "连接超时",
        "连接被拒绝",
    ],
    "gateways.haproxy-sc": [
        "refused",
        "Refused.",
        "connection refused",
        "the connection was refused",
        "Condition.REFUSED",
        "ECONNREFUSED",
        "it was refused",
        "连接被拒绝",
        "connection refused (SC--)",
    ],
    "gateways.nginx-premature-close": [
        "closed-without-response",
        "closed without response",
        "Closed without a response.",
        "the upstream closed the connection without a response",
        "headers-cut",
        "headers cut",
        "Condition.CLOSED_WITHOUT_RESPONSE",
        "premature close",
        "connection closed",
        "closed_without_response",
        "没有响应就关闭了连接",
    ],
}
SEVENTH_ROUND_WRONG: dict[str, list[object]] = {
    "500.debug-danger": [
        "hides the error",
        "becomes a 502",
        "loses the log",
        "leaks internals or loses the log",
        "doesn't leak internals",
        "502",
    ],
    "500.find-the-traceback": [
        "Request-ID",
        "X-Correlation-ID",
        "Via",
        "Server",
        "X-Request-ID or Via",
        "not X-Request-ID",
        ["X-Request-ID"],
        42,
        "Traceback",
        "Date",
    ],
    "500.retry-a-post": [
        "retry until it works",
        "retry once after a pause",
        "switch to GET",
        "retry",
        "check before resending or retry once",
        "never check before resending",
        "GET",
    ],
    "500.who-made-it": [
        "gateway",
        "the gateway",
        "origin or gateway",
        "not the origin",
        ["origin"],
        "the client",
        "origin, gateway",
        "maybe origin",
        "Via",
    ],
    "501.allow-header": [
        "Allowed",
        "Accept",
        "Upgrade",
        "Retry-After",
        "Allow or Upgrade",
        "not Allow",
        "Access-Control-Allow-Methods",
        "Allow-Methods",
        ["Allow"],
    ],
    "501.chunked-not-final": [
        501,
        "501 Not Implemented",
        "411",
        "411 Length Required",
        "200",
        "400 or 501",
        "not 400",
        "4xx",
        ["400"],
    ],
    "501.python-http-server": [
        "405 without Allow",
        "405",
        "501",
        "404",
        "405 with or without Allow",
        "not 405 with Allow",
        "Allow",
        "405 and no Allow",
        "405 with no Allow",
        "405 and Allow or 501",
    ],
    "501.unknown-method": [
        405,
        "405 Method Not Allowed",
        "400",
        "404",
        "501 or 405",
        "not 501",
        "5xx",
        "50x",
        ["501"],
        "method not allowed",
        501.5,
    ],
    "502.body-cut": [
        502,
        "502 Bad Gateway",
        "500",
        "504",
        "200 or 502",
        "not 200",
        "2xx",
        ["200"],
        200.5,
        "206",
    ],
    "502.not-a-502": [
        "garbage bytes",
        "connection refused",
        "reset before headers",
        "502",
        "garbage",
        "a 500 from the handler or garbage bytes",
        "not a 500 from the handler",
        "a 500 from the gateway",
        "500 or garbage",
    ],
    "502.retry": [
        "never retry",
        "retry at once in a loop",
        "retry, even a POST",
        "retry",
        "retry with backoff or never retry",
        "don't retry with backoff",
        "retry at once",
    ],
    "503.heuristic-cache": [
        503,
        "503 Service Unavailable",
        "500",
        "504",
        "501 or 503",
        "not 501",
        "5xx",
        ["501"],
        502,
    ],
    "503.how-many-shed": [
        3,
        "3",
        "8",
        "0",
        "4",
        "5 or 3",
        "about 5",
        "not 5",
        "5 seconds",
        "50%",
        ["5"],
        5.5,
        "5xx",
    ],
    "503.retry-after-header": [
        "Expires",
        "Cache-Control",
        "Age",
        "Date",
        "Retry-After or Expires",
        "not Retry-After",
        "Retry",
        "After",
        ["Retry-After"],
        30,
    ],
    "504.haproxy-connect-timeout": [
        504,
        "504 Gateway Timeout",
        "502",
        "nothing, it waits forever",
        "503 or 504",
        "not 503",
        "5xx",
        ["503"],
    ],
    "504.or-502": [
        502,
        "502 Bad Gateway",
        "503",
        "500",
        "502 or 504",
        "not 504",
        "504 or 502",
        "maybe 504",
        "5xx",
        ["504"],
        "A",
    ],
    "504.who-answers": [
        "504 from the origin",
        "502 from the gateway",
        "200 after 0.6 s",
        "504",
        "gateway",
        "504 from the gateway or the origin",
        "not 504 from the gateway",
        "504 from the gateway or 502 from the gateway",
        "the gateway answers 504 after 0.6 s",
        "origin 504 gateway",
    ],
    "505.426-headers": [
        "Upgrade",
        "Retry-After",
        "Alt-Svc",
        "Connection",
        "Upgrade or Connection: upgrade",
        "not Upgrade and Connection: upgrade",
        "Upgrade and Alt-Svc",
        "Connection and Alt-Svc",
        "Upgrade/Connection",
    ],
    "505.alpn": [
        "Upgrade: h2c",
        "HTTP/2.0 in the request line",
        "retry after a 505",
        "h2c",
        "ALPN or h2c",
        "not ALPN",
        "TLS",
        "NPN",
    ],
    "505.http2-request-line": [
        200,
        "400",
        "426",
        "426 Upgrade Required",
        "505 or 400",
        "not 505",
        ["505"],
        "HTTP/2.0",
    ],
    "511.which-auth": [
        401,
        "401 Unauthorized",
        "511",
        "511 Network Authentication Required",
        "407 or 511",
        "not 407",
        ["407"],
        "403",
    ],
    "511.who-made-it": [
        "gateway",
        "origin",
        "the gateway",
        "portal or gateway",
        "not the portal",
        "client",
        ["portal"],
    ],
    "capstone.incident-1": [
        {"made_by": "the gateway", "cause": "refused"},
        {"made_by": "the gateway", "cause": "maintenance"},
        {"made_by": "the gateway", "cause": "no healthy upstream or refused"},
        {"made_by": "the gateway", "cause": "not no-healthy-upstream"},
        {"made_by": "the gateway", "cause": "overload"},
        {"made_by": "origin", "cause": "no healthy upstream"},
        {"made_by": "upstream", "cause": "no healthy upstream"},
        {"made_by": "gateway or origin", "cause": "no healthy upstream"},
        {"made_by": "not the gateway", "cause": "no healthy upstream"},
        {"made_by": "portal", "cause": "no healthy upstream"},
    ],
    "capstone.incident-2": [
        {"made_by": "the origin", "cause": "maintenance"},
        {"made_by": "the origin", "cause": "invalid response"},
        {"made_by": "the origin", "cause": "handler bug or cached error"},
        {"made_by": "the origin", "cause": "overload"},
        {"made_by": "the origin", "cause": "not a handler bug"},
        {"made_by": "gateway", "cause": "handler bug"},
        {"made_by": "upstream", "cause": "handler bug"},
        {"made_by": "origin or gateway", "cause": "handler bug"},
        {"made_by": "client", "cause": "handler bug"},
        {"made_by": "portal", "cause": "handler bug"},
    ],
    "capstone.incident-3": [
        {"made_by": "gateway", "cause": "maintenance"},
        {"made_by": "gateway", "cause": "overload"},
        {"made_by": "gateway", "cause": "cached error or maintenance"},
        {"made_by": "gateway", "cause": "no-healthy-upstream"},
        {"made_by": "gateway", "cause": "handler-bug"},
        {"made_by": "origin", "cause": "cached error"},
        {"made_by": "upstream", "cause": "cached error"},
        {"made_by": "gateway or origin", "cause": "cached error"},
        {"made_by": "client", "cause": "cached error"},
        {"made_by": "portal", "cause": "cached error"},
    ],
    "capstone.incident-4": [
        {"made_by": "portal", "cause": "maintenance"},
        {"made_by": "portal", "cause": "cached-error"},
        {"made_by": "portal", "cause": "overload"},
        {"made_by": "portal", "cause": "refused"},
        {"made_by": "portal", "cause": "network login or maintenance"},
        {"made_by": "gateway", "cause": "network login"},
        {"made_by": "origin", "cause": "network login"},
        {"made_by": "portal or gateway", "cause": "network login"},
        {"made_by": "client", "cause": "network login"},
        {"made_by": "upstream", "cause": "network login"},
    ],
    "capstone.incident-5": [
        {"made_by": "gateway", "cause": "read-timeout"},
        {"made_by": "gateway", "cause": "refused"},
        {"made_by": "gateway", "cause": "connect timeout or read timeout"},
        {"made_by": "gateway", "cause": "no-healthy-upstream"},
        {"made_by": "gateway", "cause": "timeout"},
        {"made_by": "upstream", "cause": "connect timeout"},
        {"made_by": "origin", "cause": "connect timeout"},
        {"made_by": "gateway or upstream", "cause": "connect timeout"},
        {"made_by": "client", "cause": "connect timeout"},
        {"made_by": "portal", "cause": "connect timeout"},
    ],
    "capstone.incident-6": [
        {"made_by": "origin", "cause": "overload"},
        {"made_by": "origin", "cause": "cached-error"},
        {"made_by": "origin", "cause": "maintenance or overload"},
        {"made_by": "origin", "cause": "handler-bug"},
        {"made_by": "origin", "cause": "not maintenance"},
        {"made_by": "gateway", "cause": "maintenance"},
        {"made_by": "upstream", "cause": "maintenance"},
        {"made_by": "origin or gateway", "cause": "maintenance"},
        {"made_by": "client", "cause": "maintenance"},
        {"made_by": "portal", "cause": "maintenance"},
    ],
    "capstone.incident-7": [
        {"made_by": "gateway", "cause": "refused"},
        {"made_by": "gateway", "cause": "read-timeout"},
        {"made_by": "gateway", "cause": "connect-timeout"},
        {"made_by": "gateway", "cause": "handler-bug"},
        {"made_by": "gateway", "cause": "invalid response or refused"},
        {"made_by": "upstream", "cause": "invalid response"},
        {"made_by": "origin", "cause": "invalid response"},
        {"made_by": "gateway or upstream", "cause": "invalid response"},
        {"made_by": "client", "cause": "invalid response"},
        {"made_by": "portal", "cause": "invalid response"},
    ],
    "capstone.incident-8": [
        {"made_by": "origin", "cause": "maintenance"},
        {"made_by": "origin", "cause": "cached-error"},
        {"made_by": "origin", "cause": "handler-bug"},
        {"made_by": "origin", "cause": "overload or maintenance"},
        {"made_by": "origin", "cause": "no-healthy-upstream"},
        {"made_by": "gateway", "cause": "overload"},
        {"made_by": "upstream", "cause": "overload"},
        {"made_by": "origin or gateway", "cause": "overload"},
        {"made_by": "client", "cause": "overload"},
        {"made_by": "portal", "cause": "overload"},
    ],
    "gateways.caddy-dial-timeout": [
        "read-timeout",
        "refused",
        "reset",
        "connect-timeout or read-timeout",
        "not connect-timeout",
        "502",
        "timeout",
        "i/o timeout",
        ["connect-timeout"],
    ],
    "gateways.envoy-uf": [
        "reset",
        "no-healthy-upstream",
        "read-timeout",
        "closed-without-response",
        "not refused",
        "503",
        "503 UF",
        "refused or reset",
        ["refused"],
    ],
    "gateways.haproxy-sc": [
        "connect-timeout",
        "read-timeout",
        "closed-without-response",
        "refused or connect-timeout",
        "not refused",
        "503",
        "reset",
    ],
    "gateways.nginx-premature-close": [
        "reset",
        "read-timeout",
        "refused",
        "connect-timeout",
        "closed-without-response or reset",
        "not closed-without-response",
        "502",
        "502 Bad Gateway",
        ["closed-without-response"],
        "connection reset by peer",
    ],
}


# The eighth round, written before this file was read: 5 or more right forms and 5
# near misses for every quiz, English and Chinese; its misses were "the shop application
# (origin)" (lesson 08's words for the origin), "the handler's 500", 被拒绝 and 未响应就关闭.
EIGHTH_ROUND_RIGHT: dict[str, list[object]] = {
    "500.debug-danger": [
        "Leaks internals.",
        "it leaks internals",
        "leaks internal details",
        "LEAKS INTERNALS",
        "leaking internals",
        "it leaks the internals",
    ],
    "500.find-the-traceback": [
        "x-request-id",
        "`X-Request-Id`",
        "X-Request-ID header.",
        "the x_request_id header",
        "X-REQUEST-ID: req-0007",
        "header X-Request-ID",
    ],
    "500.retry-a-post": [
        "Check before resending.",
        "check before resending it",
        "check first, before resending",
        "check before you resend",
        "check before re-sending",
    ],
    "500.who-made-it": [
        "The Origin.",
        "origin server",
        "the shop application (origin)",
        "It was the origin",
        "ORIGIN",
        "labkit-origin",
        "the upstream origin server",
        "源服务器",
        "是源服务器。",
        "源站",
    ],
    "501.allow-header": [
        "Allow:",
        "the 'Allow' header",
        "ALLOW",
        "allow header field",
        "Allow: GET, HEAD, OPTIONS",
        "`Allow`",
    ],
    "501.chunked-not-final": [
        "400 Bad Request",
        "Bad Request",
        "HTTP/1.1 400 Bad Request",
        "400.",
        "four hundred",
    ],
    "501.python-http-server": [
        "405 with Allow header",
        "405 Method Not Allowed with Allow",
        "405 + Allow",
        "a 405 with an Allow header",
        "405 and Allow",
    ],
    "501.unknown-method": [
        "501 Not Implemented",
        "HTTP/1.1 501",
        "five hundred one",
        "501.",
        "Not Implemented",
        501.0,
        "501 未实现",
        "未实现",
        "501。",
    ],
    "502.body-cut": [
        "200 OK",
        "HTTP/1.1 200 OK",
        "two hundred",
        "200.",
        "OK",
        "status 200",
        "200",
        "200 成功",
        "200。",
    ],
    "502.not-a-502": [
        "A 500 from the handler.",
        "500 from the handler",
        "the handler's 500",
        "a 500",
        "500",
    ],
    "502.retry": [
        "Retry with backoff.",
        "retry with exponential backoff",
        "retry, with backoff",
        "retry with back-off",
        "retry with backoff and jitter",
    ],
    "503.heuristic-cache": [
        "501 Not Implemented",
        "Not Implemented",
        "HTTP/1.1 501",
        "501.",
        "status 501",
    ],
    "503.how-many-shed": [
        "five",
        "5 requests",
        "5.",
        "5 of them",
        "Five.",
        "5.0",
        "５",
        "五",
        "5 个",
        "五个请求",
    ],
    "503.retry-after-header": [
        "retry-after",
        "Retry-After: 30",
        "the Retry-After header.",
        "Retry_After",
        "'Retry-After'",
        "retry after",
        "Retry-After 头",
        "响应头 Retry-After",
        "Retry-After 标头",
    ],
    "504.haproxy-connect-timeout": [
        "503 Service Unavailable",
        "Service Unavailable",
        "503.",
        "HTTP/1.1 503",
        "503 (sC--)",
        "503 服务不可用",
        "服务不可用",
        "503。",
    ],
    "504.or-502": [
        "504 Gateway Timeout",
        "Gateway Time-out",
        "HTTP/1.1 504",
        "504.",
        "five hundred four",
        "gateway timeout",
        "504 网关超时",
        "网关超时",
        "五百零四",
    ],
    "504.who-answers": [
        "504 from the gateway.",
        "a 504 made by the gateway",
        "504 Gateway Timeout from the gateway",
        "the gateway answers 504",
        "504 Gateway Time-out, from the gateway",
    ],
    "505.426-headers": [
        "Upgrade and Connection: upgrade.",
        "upgrade and connection",
        "Upgrade + Connection: upgrade",
        "Upgrade, Connection: upgrade",
        "both Upgrade and Connection",
    ],
    "505.alpn": ["ALPN.", "alpn", "with ALPN", "ALPN (h2 in the TLS handshake)", "TLS ALPN"],
    "505.http2-request-line": [
        "505 HTTP Version Not Supported",
        "HTTP Version Not Supported",
        "505.",
        "HTTP/1.1 505",
        "status 505",
    ],
    "511.which-auth": [
        "407 Proxy Authentication Required",
        "Proxy Authentication Required",
        "407.",
        "HTTP/1.1 407",
        "four hundred seven",
        "407 需要代理身份验证",
        "需要代理身份验证",
        "407。",
    ],
    "511.who-made-it": [
        "the portal",
        "Portal.",
        "the captive portal",
        "labkit-portal",
        "captive portal",
        "门户",
        "强制门户",
        "是门户",
    ],
    "capstone.incident-1": [
        {"made_by": "the gateway", "cause": "no healthy upstream"},
        {"made_by": "Gateway.", "cause": "No-Healthy-Upstream"},
        {"made_by": "labkit-gateway", "cause": "no_healthy_upstream"},
        {"made_by": "reverse proxy", "cause": "no healthy upstreams"},
        {"made_by": "网关", "cause": "没有健康的上游"},
    ],
    "capstone.incident-2": [
        {"made_by": "the origin server", "cause": "handler bug"},
        {"made_by": "Origin", "cause": "a bug in the handler"},
        {"made_by": "labkit-origin", "cause": "handler_bug"},
        {"made_by": "the application", "cause": "Handler-Bug."},
        {"made_by": "源服务器", "cause": "handler-bug"},
    ],
    "capstone.incident-3": [
        {"made_by": "the gateway's cache", "cause": "cached error"},
        {"made_by": "cache", "cause": "cached-error."},
        {"made_by": "gateway", "cause": "a cached error"},
        {"made_by": "Gateway", "cause": "Cached_Error"},
        {"made_by": "网关", "cause": "cached error"},
    ],
    "capstone.incident-4": [
        {"made_by": "the captive portal", "cause": "network login"},
        {"made_by": "Portal", "cause": "network-login."},
        {"made_by": "labkit-portal", "cause": "network_login"},
        {"made_by": "portal", "cause": "captive portal"},
        {"made_by": "门户", "cause": "网络登录"},
    ],
    "capstone.incident-5": [
        {"made_by": "the gateway", "cause": "connect timeout"},
        {"made_by": "Gateway", "cause": "Connect-Timeout"},
        {"made_by": "gateway", "cause": "connect_timeout"},
        {"made_by": "reverse proxy", "cause": "connection timeout"},
        {"made_by": "网关", "cause": "连接超时"},
    ],
    "capstone.incident-6": [
        {"made_by": "the origin", "cause": "planned maintenance"},
        {"made_by": "origin server", "cause": "Maintenance."},
        {"made_by": "labkit-origin", "cause": "maintenance mode"},
        {"made_by": "ORIGIN", "cause": "down for maintenance"},
        {"made_by": "源服务器", "cause": "maintenance"},
    ],
    "capstone.incident-7": [
        {"made_by": "the gateway", "cause": "invalid response"},
        {"made_by": "Gateway", "cause": "Invalid-Response."},
        {"made_by": "gateway", "cause": "invalid_response"},
        {"made_by": "labkit-gateway", "cause": "an invalid response"},
        {"made_by": "网关", "cause": "无效的响应"},
    ],
    "capstone.incident-8": [
        {"made_by": "the origin", "cause": "load shedding"},
        {"made_by": "origin server", "cause": "Overload."},
        {"made_by": "labkit-origin", "cause": "overloaded"},
        {"made_by": "the application", "cause": "over capacity"},
        {"made_by": "源服务器", "cause": "overload"},
    ],
    "gateways.caddy-dial-timeout": [
        "connect timeout",
        "Connect-Timeout",
        "connect_timeout",
        "connection timeout",
        "dial timeout",
        "连接超时",
        "连接超时。",
        "connect-timeout（连接超时）",
    ],
    "gateways.envoy-uf": [
        "connect timeout",
        "refused",
        "connection refused",
        "connect-timeout.",
        "connection timeout",
    ],
    "gateways.haproxy-sc": [
        "Refused.",
        "connection refused",
        "REFUSED",
        "refused connection",
        "the connection was refused",
        "连接被拒绝",
        "拒绝连接",
        "被拒绝",
    ],
    "gateways.nginx-premature-close": [
        "closed without response",
        "closed-without-response.",
        "Closed_Without_Response",
        "headers-cut",
        "closed without a response",
        "未响应就关闭",
        "没有响应就关闭了连接",
        "closed-without-response",
    ],
}

EIGHTH_ROUND_WRONG: dict[str, list[object]] = {
    "500.debug-danger": [
        "hides the error",
        "becomes a 502",
        "loses the log",
        "it does not leak internals",
        "leaks internals or hides the error",
    ],
    "500.find-the-traceback": ["Via", "Server", "X-Request", "Request", "Date", "X-Cache"],
    "500.retry-a-post": [
        "retry until it works",
        "retry once after a pause",
        "switch to GET",
        "never check before resending",
        "retry",
    ],
    "500.who-made-it": [
        "gateway",
        "the client",
        "not the origin",
        "origin or gateway",
        "portal",
        "the gateway relayed it from nowhere",
        "网关",
        "不是源服务器",
        "源服务器或网关",
    ],
    "501.allow-header": [
        "Accept",
        "Allowed",
        "Content-Type",
        "Upgrade",
        "Allow or Accept",
        "Methods",
    ],
    "501.chunked-not-final": [
        "501",
        "411 Length Required",
        "200 OK",
        "400 or 501",
        "not 400",
        "4000",
    ],
    "501.python-http-server": ["405 without Allow", "501", "404", "405", "405 or 501"],
    "501.unknown-method": [
        405,
        "405 Method Not Allowed",
        "400",
        "404 Not Found",
        "501 or 405",
        "not 501",
        "405",
        "方法不被允许",
        "501 或 405",
    ],
    "502.body-cut": [502, "502 Bad Gateway", "504", "500", "200 or 502", "not 200", "20"],
    "502.not-a-502": [
        "garbage bytes",
        "connection refused",
        "reset before headers",
        "not a 500 from the handler",
        "refused",
    ],
    "502.retry": [
        "retry at once in a loop",
        "never retry",
        "retry, even a POST",
        "retry at once",
        "don't retry with backoff",
    ],
    "503.heuristic-cache": ["503", "500", "504", "501 or 503", "not 501"],
    "503.how-many-shed": [
        "3",
        "8",
        "three",
        "6",
        "5 or 3",
        "about 5",
        "maybe 5",
        "55",
        "三",
        "大约五个",
        "五或三",
    ],
    "503.retry-after-header": [
        "Cache-Control",
        "Expires",
        "Retry",
        "After",
        "Date",
        "Retry-After or Expires",
        "Cache-Control 头",
        "Expires",
        "Date 标头",
    ],
    "504.haproxy-connect-timeout": [
        "504",
        "502",
        "nothing, it waits forever",
        "503 or 504",
        "not 503",
    ],
    "504.or-502": [
        502,
        "Bad Gateway",
        "503",
        "500",
        "502 or 504",
        "not 504",
        "5040",
        "502 或 504",
        "错误的网关",
        "不是 504",
    ],
    "504.who-answers": [
        "504 from the origin",
        "502 from the gateway",
        "200 after 0.6 s",
        "504 from the origin server",
        "504",
    ],
    "505.426-headers": [
        "Upgrade",
        "Retry-After",
        "Alt-Svc",
        "Connection",
        "Upgrade without Connection",
    ],
    "505.alpn": [
        "HTTP/2.0 in the request line",
        "Upgrade: h2c",
        "retry after a 505",
        "not ALPN",
        "ALPN or Upgrade: h2c",
    ],
    "505.http2-request-line": ["200", "400", "426 Upgrade Required", "505 or 400", "not 505"],
    "511.which-auth": [
        "401",
        "511",
        "401 Unauthorized",
        "407 or 511",
        "not 407",
        "401",
        "未授权",
        "需要网络身份验证",
    ],
    "511.who-made-it": [
        "gateway",
        "origin",
        "the origin server",
        "not the portal",
        "portal or gateway",
        "网关",
        "源服务器",
        "可能是门户",
    ],
    "capstone.incident-1": [
        {"made_by": "origin", "cause": "no-healthy-upstream"},
        {"made_by": "gateway", "cause": "refused"},
        {"made_by": "gateway", "cause": "overload"},
        {"made_by": "upstream", "cause": "no-healthy-upstream"},
        {"made_by": "gateway", "cause": "maintenance"},
    ],
    "capstone.incident-2": [
        {"made_by": "gateway", "cause": "handler-bug"},
        {"made_by": "origin", "cause": "overload"},
        {"made_by": "origin", "cause": "maintenance"},
        {"made_by": "upstream", "cause": "handler-bug"},
        {"made_by": "origin", "cause": "invalid-response"},
    ],
    "capstone.incident-3": [
        {"made_by": "origin", "cause": "maintenance"},
        {"made_by": "origin", "cause": "cached-error"},
        {"made_by": "gateway", "cause": "maintenance"},
        {"made_by": "gateway", "cause": "overload"},
        {"made_by": "gateway", "cause": "no-healthy-upstream"},
    ],
    "capstone.incident-4": [
        {"made_by": "origin", "cause": "network-login"},
        {"made_by": "gateway", "cause": "network-login"},
        {"made_by": "portal", "cause": "maintenance"},
        {"made_by": "client", "cause": "network-login"},
        {"made_by": "portal", "cause": "refused"},
    ],
    "capstone.incident-5": [
        {"made_by": "gateway", "cause": "read-timeout"},
        {"made_by": "upstream", "cause": "connect-timeout"},
        {"made_by": "gateway", "cause": "refused"},
        {"made_by": "origin", "cause": "connect-timeout"},
        {"made_by": "gateway", "cause": "no-healthy-upstream"},
    ],
    "capstone.incident-6": [
        {"made_by": "gateway", "cause": "maintenance"},
        {"made_by": "origin", "cause": "overload"},
        {"made_by": "origin", "cause": "cached-error"},
        {"made_by": "origin", "cause": "handler-bug"},
        {"made_by": "upstream", "cause": "maintenance"},
    ],
    "capstone.incident-7": [
        {"made_by": "upstream", "cause": "invalid-response"},
        {"made_by": "gateway", "cause": "refused"},
        {"made_by": "gateway", "cause": "read-timeout"},
        {"made_by": "origin", "cause": "invalid-response"},
        {"made_by": "gateway", "cause": "handler-bug"},
    ],
    "capstone.incident-8": [
        {"made_by": "origin", "cause": "maintenance"},
        {"made_by": "gateway", "cause": "overload"},
        {"made_by": "origin", "cause": "handler-bug"},
        {"made_by": "origin", "cause": "no-healthy-upstream"},
        {"made_by": "upstream", "cause": "overload"},
    ],
    "gateways.caddy-dial-timeout": [
        "read-timeout",
        "refused",
        "reset",
        "connect-timeout or read-timeout",
        "not connect-timeout",
        "读取超时",
        "连接被拒绝",
        "连接超时或读取超时",
    ],
    "gateways.envoy-uf": [
        "read-timeout",
        "reset",
        "no-healthy-upstream",
        "invalid-header",
        "body-cut",
    ],
    "gateways.haproxy-sc": [
        "connect-timeout",
        "read-timeout",
        "closed-without-response",
        "not refused",
        "refused or connect-timeout",
        "连接超时",
        "读取超时",
        "不是连接被拒绝",
    ],
    "gateways.nginx-premature-close": [
        "read-timeout",
        "reset",
        "refused",
        "connection reset",
        "invalid-status-line",
    ],
}


# The ninth round (2026-12-05), written after reading the rounds above and before
# running any of it: a status as browsers' developer tools, curl -v and httpx's repr show it
# ("Status Code: 504 Gateway Timeout", "< HTTP/1.1 504 ...", "<Response [504 Gateway
# Timeout]>"), as http.HTTPStatus (the object and its name), "状态码 504"; a header as code
# reads it (ex.header('Allow'), headers['Vary']), "HTTP header X", "X field", 响应头里的 X,
# "X 字段", several fields with their values ("Upgrade: websocket, Connection: Upgrade", once
# counted as the Upgrade option); a hop with a contrast ("the origin, not the gateway", once
# refused as a negation), "origin, relayed by the gateway", "the upstream (origin)", 源服务器发的;
# an option then its reason after a colon ("Check before resending: POST is not idempotent");
# "405 including Allow", "back off and retry", "Application-Layer Protocol Negotiation"; a
# count with its reason ("five, since only 3 fit": read as two answers), "5 个会收到 503"; a
# condition in nginx's and curl's own words ("upstream prematurely closed connection", "no
# live upstreams", "Empty reply from server") or with its label or example ("upstream
# connection failure: refused", "refused, e.g. nothing listens"); a cause in a learner's own
# phrase ("origin in maintenance mode", "the gateway served a cached 503", "a TypeError in the
# handler", 维护中, 超载). 66 of its 217 right forms were refused or judged wrong (5 of them
# counted as wrong attempts: "HTTP header Allow" and the fields with values); one wrong form of
# 171 was accepted ("a 500 from the gateway's handler", left: see below). Left: "check before
# resending, or use an idempotency key" (refused as a hedge, not counted), "Connection: upgrade
# and Upgrade" (refused, not counted).
NINTH_ROUND_RIGHT: dict[str, list[object]] = {
    "500.who-made-it": [
        "the origin wrote it",
        "the origin sent it",
        "origin, relayed by the gateway",
        "the origin, not the gateway",
        "the upstream (origin)",
        "the origin server itself",
        "源服务器发的",
        "是源服务器返回的",
        "由源服务器产生",
        "origin server – the gateway only passed it through",
    ],
    "500.find-the-traceback": [
        "ex.header('X-Request-ID')",
        "X-Request-ID: <the reference>",
        "HTTP header X-Request-ID",
        "X-Request-ID field",
        "响应头里的 X-Request-ID",
        "X‑Request‑ID",
        "x-request-id (same value as the page's reference)",
    ],
    "500.debug-danger": [
        "it leaks internals to attackers",
        "leaks internals (information disclosure)",
        "Leaks internals: paths, source and values",
        "because the page leaks internals to anyone",
        "leaks internals, e.g. file paths",
    ],
    "500.retry-a-post": [
        "check before resending (the order may exist)",
        "check whether it took effect before resending",
        "Check before resending: POST is not idempotent",
        "check before resending the POST",
    ],
    "501.unknown-method": [
        "Status Code: 501 Not Implemented",
        "< HTTP/1.1 501 Not Implemented",
        "<Response [501 Not Implemented]>",
        "<Response [501]>",
        "HTTPStatus.NOT_IMPLEMENTED",
        http.HTTPStatus.NOT_IMPLEMENTED,
        "501 error",
        "HTTP status 501",
        "状态码 501",
        "答案是 501",
        "501 状态码",
        "#501",
        "response code 501",
        "Error 501: Not Implemented",
    ],
    "501.allow-header": [
        "Allow: <methods>",
        "Allow field",
        "HTTP header Allow",
        "ex.header('Allow')",
        "Allow 字段",
        "Allow (RFC 9110 §10.2.1)",
        "Allow response header field (lists the methods)",
    ],
    "501.chunked-not-final": [
        "Status Code: 400 Bad Request",
        "< HTTP/1.1 400 Bad Request",
        "<Response [400 Bad Request]>",
        "HTTPStatus.BAD_REQUEST",
        http.HTTPStatus.BAD_REQUEST,
        "400 error",
        "状态码 400",
        "400 Bad Request, then close",
        "400 (and close the connection)",
    ],
    "501.python-http-server": [
        "405 Method Not Allowed + Allow header",
        "405 with Allow: GET, HEAD, OPTIONS",
        "405 including Allow",
        "a 405 that carries Allow",
        "405 with Allow (RFC 9110 15.5.6)",
    ],
    "502.not-a-502": [
        "a 500 Internal Server Error from the handler",
        "the handler's own 500",
        "500 from the handler (relayed as is)",
        "a 500 from the origin's handler",
        "HTTP 500 from the handler",
    ],
    "502.body-cut": [
        "Status Code: 200 OK",
        "< HTTP/1.1 200 OK",
        "<Response [200 OK]>",
        "HTTPStatus.OK",
        http.HTTPStatus.OK,
        "状态码 200",
        "200 (then the body breaks off)",
        "200, with a truncated body",
        "200 OK – the body is incomplete",
    ],
    "502.retry": [
        "back off and retry",
        "retry with backoff (GET is idempotent)",
        "retry later, with backoff",
        "retry with exponential backoff, capped",
        "Retry with backoff (and jitter).",
    ],
    "503.retry-after-header": [
        "Retry-After: <delay-seconds>",
        "ex.header('Retry-After')",
        "Retry-After field",
        "HTTP header Retry-After",
        "响应头里的 Retry-After",
        "Retry‑After",
        "Retry-After (RFC 9110 §10.2.3)",
    ],
    "503.how-many-shed": [
        "5 of them are rejected",
        "5 requests will be shed",
        "five, since only 3 fit",
        "8 − 3 = 5",
        "8 – 3 = 5",
        "共 5 个",
        "5 个会收到 503",
        "5 (3 served, 5 shed)",
        "five get 503 Service Unavailable",
    ],
    "503.heuristic-cache": [
        "Status Code: 501 Not Implemented",
        "<Response [501 Not Implemented]>",
        "HTTPStatus.NOT_IMPLEMENTED",
        http.HTTPStatus.NOT_IMPLEMENTED,
        "501 (heuristically cacheable per RFC 9110 15.1)",
        "状态码 501",
        "only 501 Not Implemented",
    ],
    "504.who-answers": [
        "504 by the gateway",
        "504 Gateway Timeout, generated by the gateway",
        "the gateway, with a 504",
        "gateway → 504",
        "a 504 Gateway Time-out made by the gateway",
    ],
    "504.or-502": [
        "Status Code: 504 Gateway Timeout",
        "< HTTP/1.1 504 Gateway Time-out",
        "<Response [504 Gateway Timeout]>",
        "HTTPStatus.GATEWAY_TIMEOUT",
        http.HTTPStatus.GATEWAY_TIMEOUT,
        "504 error",
        "状态码 504",
        "B 是 504",
        "B → 504 Gateway Timeout",
        "Error 504: Gateway Timeout",
    ],
    "504.haproxy-connect-timeout": [
        "Status Code: 503 Service Unavailable",
        "<Response [503 Service Unavailable]>",
        "HTTPStatus.SERVICE_UNAVAILABLE",
        http.HTTPStatus.SERVICE_UNAVAILABLE,
        "503 (HAProxy: sC--)",
        "HAProxy: 503",
        "状态码 503",
    ],
    "505.http2-request-line": [
        "Status Code: 505 HTTP Version Not Supported",
        "<Response [505 HTTP Version Not Supported]>",
        "HTTPStatus.HTTP_VERSION_NOT_SUPPORTED",
        http.HTTPStatus.HTTP_VERSION_NOT_SUPPORTED,
        "505 error",
        "状态码 505",
    ],
    "505.426-headers": [
        "Upgrade + Connection",
        "Upgrade: websocket, Connection: Upgrade",
        "Upgrade and Connection (Connection: upgrade)",
        "Upgrade and Connection: upgrade headers",
    ],
    "505.alpn": [
        "ALPN (Application-Layer Protocol Negotiation)",
        "Application-Layer Protocol Negotiation",
        "TLS ALPN extension",
        "ALPN: it offers h2 in the TLS handshake",
        "with ALPN during the TLS handshake",
    ],
    "511.who-made-it": [
        "the captive portal, not the gateway",
        "the Wi-Fi's captive portal",
        "the network's portal",
        "the portal did",
        "门户（强制门户）",
        "是强制门户生成的",
    ],
    "511.which-auth": [
        "Status Code: 407 Proxy Authentication Required",
        "<Response [407 Proxy Authentication Required]>",
        "HTTPStatus.PROXY_AUTHENTICATION_REQUIRED",
        http.HTTPStatus.PROXY_AUTHENTICATION_REQUIRED,
        "407 (with Proxy-Authenticate)",
        "状态码 407",
        "407 Proxy Auth Required",
    ],
    "gateways.nginx-premature-close": [
        "empty reply from server",
        "upstream prematurely closed connection",
        "prematurely closed",
        "closed prematurely",
        "closed without response (the upstream sent nothing)",
        "上游没有响应就关闭了连接",
    ],
    "gateways.haproxy-sc": [
        "the server refused the connection",
        "refused (SC: server side, connection)",
        "ECONNREFUSED (connection refused)",
        "connection refused: nothing listens",
        "refused connection (SC--)",
    ],
    "gateways.envoy-uf": [
        "upstream connection failure: refused",
        "connection refused (errno 111)",
        "refused, e.g. nothing listens",
        "connection refused / connect timeout",
        "connect timeout or connection refused",
    ],
    "gateways.caddy-dial-timeout": [
        "upstream timed out while connecting to upstream",
        "connect timeout (dial i/o timeout)",
        "TCP handshake timed out",
        "connect() timed out",
        "TCP 连接超时",
        "连接建立超时",
    ],
    "capstone.incident-1": [
        {"made_by": "gateway", "cause": "no live upstreams"},
        {"made_by": "gateway", "cause": "destination unavailable"},
        {"made_by": "gateway", "cause": "every upstream is unhealthy"},
        {"made_by": "网关", "cause": "没有可用的上游"},
        {"made_by": "the gateway itself", "cause": "no healthy upstream (all members down)"},
    ],
    "capstone.incident-2": [
        {"made_by": "origin", "cause": "the handler raised TypeError"},
        {"made_by": "origin", "cause": "a TypeError in the handler"},
        {"made_by": "origin", "cause": "bug in the handler (TypeError)"},
        {"made_by": "源服务器", "cause": "处理函数抛出异常"},
        {"made_by": "the shop", "cause": "handler crashed"},
    ],
    "capstone.incident-3": [
        {"made_by": "gateway", "cause": "a stale 503 from the cache"},
        {"made_by": "gateway", "cause": "the gateway served a cached 503"},
        {"made_by": "gateway", "cause": "X-Cache: HIT"},
        {"made_by": "网关", "cause": "缓存命中"},
        {"made_by": "gateway", "cause": "cached maintenance page"},
    ],
    "capstone.incident-4": [
        {"made_by": "portal", "cause": "needs network login"},
        {"made_by": "portal", "cause": "captive portal login"},
        {"made_by": "门户", "cause": "需要登录网络"},
        {"made_by": "门户", "cause": "未登录网络"},
        {"made_by": "portal", "cause": "511: log in to the network"},
    ],
    "capstone.incident-5": [
        {"made_by": "gateway", "cause": "timed out connecting to the upstream"},
        {"made_by": "gateway", "cause": "TCP connect timeout"},
        {"made_by": "网关", "cause": "连接建立超时"},
        {"made_by": "gateway", "cause": "connect timeout (the upstream never accepted)"},
        {"made_by": "gateway", "cause": "connection timed out"},
    ],
    "capstone.incident-6": [
        {"made_by": "origin", "cause": "maintenance (Retry-After: 120)"},
        {"made_by": "origin", "cause": "origin in maintenance mode"},
        {"made_by": "源服务器", "cause": "维护中"},
        {"made_by": "源服务器", "cause": "正在维护"},
        {"made_by": "origin", "cause": "down for maintenance (planned)"},
    ],
    "capstone.incident-7": [
        {"made_by": "gateway", "cause": "the upstream sent garbage"},
        {"made_by": "gateway", "cause": "not a valid HTTP response"},
        {"made_by": "网关", "cause": "无效的 HTTP 响应"},
        {"made_by": "网关", "cause": "协议错误"},
        {"made_by": "gateway", "cause": "invalid response (SSH banner, not HTTP)"},
    ],
    "capstone.incident-8": [
        {"made_by": "origin", "cause": "overloaded (capacity 1)"},
        {"made_by": "origin", "cause": "load shedding (Retry-After: 1)"},
        {"made_by": "origin", "cause": "too busy"},
        {"made_by": "源服务器", "cause": "超载"},
        {"made_by": "源服务器", "cause": "负载过高"},
    ],
}
NINTH_ROUND_WRONG: dict[str, list[object]] = {
    "500.who-made-it": [
        "the gateway, relayed by the origin",
        "the portal, not the origin",
        "the gateway wrote it",
        "the gateway, not the origin",
        "origin, or the gateway",
        "the upstream gateway",
        "网关发的",
    ],
    "500.find-the-traceback": [
        "ex.header('Via')",
        "X-Request-ID or Proxy-Status",
        "Proxy-Status: received-status=500",
        "Request-Id header",
        "X-Forwarded-For",
    ],
    "500.debug-danger": [
        "it hides the error from attackers",
        "loses the log to anyone",
        "becomes a 502 (gateway)",
        "hides the error, e.g. file paths",
        "leaks internals? or hides the error",
    ],
    "500.retry-a-post": [
        "retry until it works (the order may exist)",
        "switch to GET before resending",
        "retry once after a pause, POST is idempotent",
        "resend at once",
        "retry until it works, then check",
    ],
    "501.unknown-method": [
        "Status Code: 405 Method Not Allowed",
        "<Response [405 Method Not Allowed]>",
        "HTTPStatus.METHOD_NOT_ALLOWED",
        http.HTTPStatus.METHOD_NOT_ALLOWED,
        "状态码 405",
        "Error 400: Bad Request",
    ],
    "501.allow-header": [
        "headers['Vary']",
        "ex.header('Upgrade')",
        "Accept-Patch",
        "Allow-Methods field",
        "Access-Control-Allow-Methods: GET",
        "Vary",
    ],
    "501.chunked-not-final": [
        "Status Code: 501 Not Implemented",
        "<Response [411 Length Required]>",
        "HTTPStatus.NOT_IMPLEMENTED",
        http.HTTPStatus.LENGTH_REQUIRED,
        "状态码 501",
    ],
    "501.python-http-server": [
        "405 Method Not Allowed, no Allow header",
        "405 without an Allow field",
        "501 Not Implemented, like http.server",
        "405 (Allow optional)",
        "404 with Allow",
    ],
    "502.not-a-502": [
        "garbage bytes from the handler",
        "a reset from the handler",
        "connection refused by the handler",
        "a 502 from the handler",
    ],
    "502.body-cut": [
        "Status Code: 502 Bad Gateway",
        "<Response [502 Bad Gateway]>",
        "HTTPStatus.BAD_GATEWAY",
        http.HTTPStatus.PARTIAL_CONTENT,
        "状态码 502",
    ],
    "502.retry": [
        "retry at once, with no backoff",
        "never retry a GET",
        "retry at once in a loop with backoff",
        "retry without backing off",
        "retry a POST with backoff",
    ],
    "503.retry-after-header": [
        "ex.header('Cache-Control')",
        "Retry-After or Expires header",
        "Expires field",
        "Cache-Control: no-store header",
        "Age header",
    ],
    "503.how-many-shed": [
        "3, since 5 are shed",
        "3 of them are rejected",
        "3 (8 − 5)",
        "8 − 5 = 3",
        "共 3 个",
        "three get 503 Service Unavailable",
    ],
    "503.heuristic-cache": [
        "Status Code: 503 Service Unavailable",
        "HTTPStatus.SERVICE_UNAVAILABLE",
        http.HTTPStatus.SERVICE_UNAVAILABLE,
        "状态码 503",
        "only 503 with max-age",
    ],
    "504.who-answers": [
        "504 by the origin",
        "the origin, with a 504",
        "origin → 504",
        "a 502 Bad Gateway made by the gateway",
        "200 from the origin after 0.6 s",
    ],
    "504.or-502": [
        "502, not 504",
        "Status Code: 502 Bad Gateway",
        "<Response [502 Bad Gateway]>",
        "HTTPStatus.BAD_GATEWAY",
        http.HTTPStatus.BAD_GATEWAY,
        "B 是 502",
    ],
    "504.haproxy-connect-timeout": [
        "Status Code: 504 Gateway Timeout",
        "HTTPStatus.GATEWAY_TIMEOUT",
        http.HTTPStatus.GATEWAY_TIMEOUT,
        "HAProxy: 504",
        "状态码 502",
    ],
    "505.http2-request-line": [
        "Status Code: 426 Upgrade Required",
        "HTTPStatus.BAD_REQUEST",
        http.HTTPStatus.UPGRADE_REQUIRED,
        "状态码 400",
        "<Response [200 OK]>",
    ],
    "505.426-headers": [
        "Upgrade: websocket, Alt-Svc: h2",
        "Upgrade: websocket",
        "Connection: upgrade only",
        "Upgrade + Alt-Svc",
        "Alt-Svc and Connection: upgrade",
        "Retry-After and Upgrade",
    ],
    "505.alpn": [
        "Upgrade: h2c over TLS",
        "HTTP/2.0 in the request line, over TLS",
        "NPN in the TLS handshake",
        "SNI",
        "an Alt-Svc header",
    ],
    "511.who-made-it": [
        "the gateway, not the portal",
        "the Wi-Fi's gateway",
        "the origin did",
        "网关（不是门户）",
        "是源服务器生成的",
    ],
    "511.which-auth": [
        "Status Code: 401 Unauthorized",
        "HTTPStatus.UNAUTHORIZED",
        http.HTTPStatus.NETWORK_AUTHENTICATION_REQUIRED,
        "状态码 511",
        "401 (with WWW-Authenticate)",
    ],
    "gateways.nginx-premature-close": [
        "connection reset by upstream",
        "upstream timed out",
        "read timeout (upstream timed out)",
        "连接被重置",
        "refused (errno 111)",
    ],
    "gateways.haproxy-sc": [
        "the server timed out the connection",
        "connect timeout (sC)",
        "closed without response (SC)",
        "连接被重置",
        "read timeout: the server was slow",
    ],
    "gateways.envoy-uf": [
        "upstream reset: reset",
        "read timeout (errno 110)",
        "no healthy upstream (UH)",
        "连接被重置",
        "closed without response",
    ],
    "gateways.caddy-dial-timeout": [
        "dial tcp: connection refused",
        "read timeout (i/o timeout while reading)",
        "upstream timed out while reading response header",
        "TCP 连接被拒绝",
        "connection reset",
    ],
    "capstone.incident-1": [
        {"made_by": "gateway", "cause": "upstream refused the connection"},
        {"made_by": "origin", "cause": "no live upstreams"},
        {"made_by": "gateway", "cause": "overloaded (capacity 1)"},
        {"made_by": "网关", "cause": "维护中"},
        {"made_by": "upstream", "cause": "destination unavailable"},
    ],
    "capstone.incident-2": [
        {"made_by": "gateway", "cause": "the handler raised TypeError"},
        {"made_by": "origin", "cause": "overloaded (capacity 1)"},
        {"made_by": "origin", "cause": "maintenance (Retry-After: 120)"},
        {"made_by": "网关", "cause": "处理函数抛出异常"},
        {"made_by": "origin", "cause": "invalid HTTP response"},
    ],
    "capstone.incident-3": [
        {"made_by": "gateway", "cause": "cache miss"},
        {"made_by": "gateway", "cause": "no X-Cache, maintenance"},
        {"made_by": "origin", "cause": "a stale 503 from the cache"},
        {"made_by": "gateway", "cause": "origin in maintenance mode"},
        {"made_by": "origin", "cause": "maintenance (Retry-After: 120)"},
        {"made_by": "源服务器", "cause": "缓存命中"},
        {"made_by": "gateway", "cause": "no live upstreams"},
    ],
    "capstone.incident-4": [
        {"made_by": "gateway", "cause": "needs network login"},
        {"made_by": "portal", "cause": "maintenance (Retry-After: 120)"},
        {"made_by": "portal", "cause": "overloaded (capacity 1)"},
        {"made_by": "网关", "cause": "需要登录网络"},
        {"made_by": "origin", "cause": "captive portal login"},
    ],
    "capstone.incident-5": [
        {"made_by": "gateway", "cause": "timed out reading the response"},
        {"made_by": "upstream", "cause": "TCP connect timeout"},
        {"made_by": "gateway", "cause": "connection refused (errno 111)"},
        {"made_by": "网关", "cause": "读取超时"},
        {"made_by": "origin", "cause": "connection timed out"},
    ],
    "capstone.incident-6": [
        {"made_by": "gateway", "cause": "maintenance (Retry-After: 120)"},
        {"made_by": "origin", "cause": "overloaded (capacity 1)"},
        {"made_by": "origin", "cause": "a stale 503 from the cache"},
        {"made_by": "网关", "cause": "维护中"},
        {"made_by": "origin", "cause": "too busy"},
    ],
    "capstone.incident-7": [
        {"made_by": "upstream", "cause": "the upstream sent garbage"},
        {"made_by": "gateway", "cause": "TCP connect timeout"},
        {"made_by": "origin", "cause": "not a valid HTTP response"},
        {"made_by": "网关", "cause": "连接建立超时"},
        {"made_by": "gateway", "cause": "connection reset"},
    ],
    "capstone.incident-8": [
        {"made_by": "origin", "cause": "maintenance (Retry-After: 120)"},
        {"made_by": "gateway", "cause": "overloaded (capacity 1)"},
        {"made_by": "origin", "cause": "the handler raised TypeError"},
        {"made_by": "网关", "cause": "超载"},
        {"made_by": "源服务器", "cause": "维护中"},
    ],
}


# The tenth round (2026-12-05b), written after reading the rounds above and before
# running any of it: forms none of them holds ("it came from the origin", "the origin; the
# gateway only added Via", "the backend app", r.headers.get('X-Request-ID'), "X-Request-ID 响应头",
# "leaks internal details", "check before you resend it", "five hundred one", 五百零一, 四百,
# "405 + Allow", "an HTTP 500 from the handler", "back off, then retry", "5 (the other 3 are
# served)", "504 — the gateway", "B gets 504", "Upgrade plus Connection: upgrade", "ALPN in the
# ClientHello", "four oh seven", Go's "i/o timeout while dialing", the capstone's keys in title
# case) and wrong ones (X-Correlation-ID, the Public header of RFC 2068, "405 but no Allow",
# "HAProxy answers 504"). 9 of its 190 right forms were refused, none counted: the two left by
# the ninth round ("check before resending, or use an idempotency key", the solution's own
# alternative, now words the exercise gives its option; "Connection: upgrade and Upgrade", the
# two headers in the other order), "Upgrade plus Connection: upgrade", "the origin; the gateway
# only added Via", "the backend app", "upstream closed the connection before sending a
# response", "closed without any response", "i/o timeout while dialing", a cause "connection
# timeout to the upstream". One wrong form of 152 was accepted, the ninth round's leftover "a
# 500 from the gateway's handler" (502 q1 now says which hops its options speak of: the
# upstream's handler, never the gateway's; refused, not counted).
TENTH_ROUND_RIGHT: dict[str, list[object]] = {
    "500.who-made-it": [
        "it came from the origin",
        "made by the origin",
        "ORIGIN SERVER",
        "the origin (labkit-origin)",
        "Server: labkit-origin",
        "the origin; the gateway only added Via",
        "源站生成的",
        "源服务器。",
        "the backend app",
        "Origin!",
        " origin\n",
    ],
    "500.find-the-traceback": [
        "X-Request-Id: req-...",
        "response.headers['x-request-id']",
        "X-REQUEST-ID",
        "X Request ID",
        "r.headers.get('X-Request-ID')",
        "X-Request-ID 头",
        "X-Request-ID 响应头",
        "the X-Request-ID response header",
        "x-request-id header (the same req-... value)",
    ],
    "500.debug-danger": [
        "It leaks internals.",
        "leaking internals",
        "leaks internal details",
        "it would leak internals to the public",
        "**leaks internals**",
        "leaks internals (CWE-209)",
    ],
    "500.retry-a-post": [
        "check before resending, or use an idempotency key",
        "check whether the order exists before resending",
        "Check before re-sending",
        "check before you resend it",
        "check before resending it with an idempotency key",
        "CHECK BEFORE RESENDING",
    ],
    "501.unknown-method": [
        "501 Not Implemented.",
        "HTTP/2 501",
        "501 - Not Implemented",
        "Not Implemented (501)",
        "status=501",
        "code 501",
        "five hundred one",
        "五百零一",
        "501 未实现",
        "未实现",
    ],
    "501.allow-header": [
        "Allow: GET, HEAD",
        "allow header field",
        "The 'Allow' response header",
        "ALLOW",
        "Allow头",
        "Allow 响应头",
        "headers['Allow']",
        "Allow (lists the methods)",
        "Allow: GET and HEAD",
    ],
    "501.chunked-not-final": [
        "400 (Bad Request)",
        "HTTP/1.0 400 Bad Request",
        "Bad Request.",
        "四百",
        "400 错误请求",
        "400 and close the connection",
        "four hundred",
    ],
    "501.python-http-server": [
        "405 + Allow",
        "405, with an Allow header",
        "405 with the Allow header listing GET and HEAD",
        "405 Method Not Allowed and Allow",
        "a 405 carrying Allow",
        "405 with Allow header field",
    ],
    "502.not-a-502": [
        "the 500 from the handler",
        "500 Internal Server Error from the handler",
        "an HTTP 500 from the handler",
        "500 (from the handler)",
        "500",
        "a 500 from the upstream's handler",
    ],
    "502.body-cut": [
        "200 OK, body cut",
        "HTTP/1.1 200",
        "200 (incomplete body)",
        "two hundred",
        "200 but truncated",
        "200 OK (then RemoteProtocolError)",
        "二百",
    ],
    "502.retry": [
        "Retry with backoff and jitter",
        "retry, with exponential backoff",
        "back off, then retry",
        "retry with a backoff",
        "RETRY WITH BACKOFF",
        "retry with backoff!",
    ],
    "503.retry-after-header": [
        "Retry-After: 120",
        "Retry-After (seconds or an HTTP-date)",
        "`Retry-After`",
        "RETRY-AFTER",
        "Retry After",
        "the Retry-After response header",
        "Retry-After 头",
    ],
    "503.how-many-shed": [
        "5 shed",
        "5 of 8",
        "Five (8 - 3)",
        "answer: 5",
        "5 requests get 503",
        "五个请求",
        "5 (the other 3 are served)",
        "5.",
    ],
    "503.heuristic-cache": [
        "501 Not Implemented only",
        "just 501",
        "501 (RFC 9110 15.1)",
        "HTTP 501",
        "501 未实现",
    ],
    "504.who-answers": [
        "the gateway answers 504 Gateway Timeout",
        "504, made by the gateway",
        "504 — the gateway",
        "gateway: 504",
        "504 from labkit-gateway",
        "a 504 generated by the gateway",
    ],
    "504.or-502": [
        "504 for B",
        "B: 504 Gateway Timeout",
        "B gets 504",
        "HTTP/1.1 504 Gateway Timeout\r\n",
        "Gateway Time-out",
        "五百零四",
    ],
    "504.haproxy-connect-timeout": [
        "503 (sC)",
        "HAProxy answers 503",
        "503 Service Unavailable, not 504",
        "a 503",
        "503 服务不可用",
    ],
    "505.http2-request-line": [
        "505 HTTP Version Not Supported.",
        "HTTP Version Not Supported",
        "505 (version not supported)",
        "HTTP/1.1 505",
        "505 HTTP 版本不受支持",
    ],
    "505.426-headers": [
        "Upgrade, Connection",
        "Upgrade & Connection",
        "Connection: upgrade and Upgrade",
        "both Upgrade and Connection: upgrade",
        "Upgrade plus Connection: upgrade",
        "Upgrade + Connection: Upgrade",
    ],
    "505.alpn": [
        "alpn extension",
        "via ALPN",
        "ALPN (h2)",
        "it uses ALPN",
        "by ALPN",
        "ALPN in the ClientHello",
    ],
    "511.who-made-it": [
        "portal (labkit-portal)",
        "the captive portal did it",
        "captive-portal",
        "it's the portal",
        "门户生成的",
        "强制门户",
    ],
    "511.which-auth": [
        "HTTP/1.1 407",
        "407 需要代理身份验证",
        "four oh seven",
        "407, with Proxy-Authenticate",
        "Proxy Authentication Required.",
    ],
    "gateways.nginx-premature-close": [
        "closed-without-response",
        "CLOSED_WITHOUT_RESPONSE",
        "the upstream closed the connection",
        "upstream closed the connection before sending a response",
        "closed without any response",
    ],
    "gateways.haproxy-sc": [
        "refused (sC would be a timeout)",
        "connection refused by server",
        "REFUSED",
        "it was refused",
    ],
    "gateways.envoy-uf": [
        "refused",
        "connect timeout",
        "ECONNREFUSED",
        "connection refused.",
    ],
    "gateways.caddy-dial-timeout": [
        "connect-timeout",
        "dial timeout",
        "i/o timeout while dialing",
        "CONNECT_TIMEOUT",
        "timeout while connecting",
    ],
    "capstone.incident-1": [
        {"made_by": "Gateway", "cause": "No-Healthy-Upstream"},
        {"made_by": "labkit-gateway", "cause": "no healthy upstreams"},
        {"made_by": "the gateway", "cause": "all upstreams are down"},
    ],
    "capstone.incident-2": [
        {"made_by": "Origin", "cause": "Handler-Bug"},
        {"made_by": "the origin server", "cause": "a bug in the handler"},
        {"made_by": "origin", "cause": "unhandled exception in the handler"},
    ],
    "capstone.incident-3": [
        {"made_by": "Gateway", "cause": "Cached-Error"},
        {"made_by": "the gateway's cache", "cause": "cached error"},
        {"made_by": "gateway", "cause": "served a stale cached 503"},
    ],
    "capstone.incident-4": [
        {"made_by": "Portal", "cause": "Network-Login"},
        {"made_by": "the captive portal", "cause": "not logged in"},
        {"made_by": "portal", "cause": "network login required"},
    ],
    "capstone.incident-5": [
        {"made_by": "Gateway", "cause": "Connect-Timeout"},
        {"made_by": "the gateway", "cause": "connect timed out"},
        {"made_by": "gateway", "cause": "connection timeout to the upstream"},
    ],
    "capstone.incident-6": [
        {"made_by": "Origin", "cause": "Maintenance"},
        {"made_by": "the origin", "cause": "planned maintenance"},
        {"made_by": "origin", "cause": "the origin is in maintenance"},
    ],
    "capstone.incident-7": [
        {"made_by": "Gateway", "cause": "Invalid-Response"},
        {"made_by": "the gateway", "cause": "invalid http response from the upstream"},
        {"made_by": "gateway", "cause": "malformed response"},
    ],
    "capstone.incident-8": [
        {"made_by": "Origin", "cause": "Overload"},
        {"made_by": "the origin", "cause": "over capacity"},
        {"made_by": "origin", "cause": "the origin sheds load"},
    ],
}
TENTH_ROUND_WRONG: dict[str, list[object]] = {
    "500.who-made-it": [
        "the gateway (Via says so)",
        "Via: 1.1 labkit-gateway",
        "gateway made it",
        "由网关生成",
        "the gateway's cache",
        "the client",
    ],
    "500.find-the-traceback": [
        "X-Correlation-ID",
        "Via",
        "Server",
        "Request-Id",
        "Traceparent",
        "Location",
    ],
    "500.debug-danger": [
        "it hides the error from users",
        "loses the log",
        "becomes a 502 at the gateway",
        "it leaks nothing",
        "doesn't leak internals",
    ],
    "500.retry-a-post": [
        "resend once after a pause",
        "retry until it works: POST is idempotent",
        "switch to GET and retry",
        "retry at once",
        "just resend it",
    ],
    "501.unknown-method": [
        "405 Method Not Allowed",
        "501 or 405",
        "not 501",
        "400 Bad Request",
        "HTTP/1.1 405",
        "五零五",
    ],
    "501.allow-header": [
        "Access-Control-Allow-Methods",
        "Allow-Methods",
        "Accept",
        "Upgrade",
        "Public",
        "Retry-After",
    ],
    "501.chunked-not-final": [
        "411 Length Required",
        "501 Not Implemented",
        "200 OK",
        "400 or 411",
        "HTTP/1.1 501",
    ],
    "501.python-http-server": [
        "405 but no Allow",
        "501 Unsupported method",
        "404 Not Found",
        "405 without an Allow header",
        "405 with Allow or 501",
    ],
    "502.not-a-502": [
        "a 500 from the gateway's handler",
        "garbage bytes from the upstream",
        "reset before the headers",
        "refused connection",
        "a 502 from the handler",
        "a 504 from the handler",
    ],
    "502.body-cut": [
        "502 Bad Gateway (body cut)",
        "206 Partial Content",
        "200 or 502",
        "500",
        "HTTP/1.1 502",
    ],
    "502.retry": [
        "retry at once",
        "retry in a tight loop",
        "never retry it",
        "retry with no backoff",
        "retry, even a POST, with backoff",
    ],
    "503.retry-after-header": ["Expires", "Cache-Control: max-age=0", "Retry", "After", "Date"],
    "503.how-many-shed": ["3 (capacity)", "8", "all 8", "0", "5 or 3", "三个"],
    "503.heuristic-cache": [
        "503 Service Unavailable",
        "504",
        "500 and 501",
        "HTTP 503",
        "500 Internal Server Error",
    ],
    "504.who-answers": [
        "504, made by the origin",
        "200 after 0.6 s",
        "the origin answers 200 after 0.6 s",
        "502 made by the gateway",
        "gateway: 502",
    ],
    "504.or-502": ["502 for B", "B: 502", "503", "504 or 502", "Bad Gateway"],
    "504.haproxy-connect-timeout": [
        "504 like nginx",
        "it waits forever",
        "502 Bad Gateway",
        "503 or 504",
        "HAProxy answers 504",
    ],
    "505.http2-request-line": [
        "426 Upgrade Required",
        "400 Bad Request",
        "200",
        "505 or 400",
        "HTTP/1.1 426",
    ],
    "505.426-headers": [
        "Upgrade only",
        "Alt-Svc and Upgrade",
        "Retry-After",
        "Upgrade or Connection",
        "Alt-Svc",
    ],
    "505.alpn": ["Upgrade: h2c header", "HTTP/2.0 request line", "retry after 505", "SNI", "NPN"],
    "511.who-made-it": [
        "the gateway did it",
        "the origin server",
        "网关",
        "portal or origin",
        "labkit-origin",
    ],
    "511.which-auth": [
        "401 Unauthorized",
        "511 Network Authentication Required",
        "407 or 511",
        "HTTP/1.1 401",
        "Unauthorized",
    ],
    "gateways.nginx-premature-close": [
        "reset",
        "read timeout",
        "refused",
        "invalid status line",
        "connection reset by peer",
    ],
    "gateways.haproxy-sc": [
        "connect-timeout",
        "closed",
        "reset",
        "read timeout",
        "CONNECT_TIMEOUT",
    ],
    "gateways.envoy-uf": [
        "reset",
        "read-timeout",
        "no healthy upstream",
        "headers cut",
        "READ_TIMEOUT",
    ],
    "gateways.caddy-dial-timeout": [
        "refused",
        "read timeout",
        "reset",
        "READ_TIMEOUT",
        "connection refused",
    ],
    "capstone.incident-1": [
        {"made_by": "origin", "cause": "No-Healthy-Upstream"},
        {"made_by": "gateway", "cause": "connect timed out"},
    ],
    "capstone.incident-2": [
        {"made_by": "Gateway", "cause": "Handler-Bug"},
        {"made_by": "origin", "cause": "over capacity"},
    ],
    "capstone.incident-3": [
        {"made_by": "origin", "cause": "Cached-Error"},
        {"made_by": "gateway", "cause": "planned maintenance"},
    ],
    "capstone.incident-4": [
        {"made_by": "gateway", "cause": "Network-Login"},
        {"made_by": "portal", "cause": "no healthy upstreams"},
    ],
    "capstone.incident-5": [
        {"made_by": "upstream", "cause": "Connect-Timeout"},
        {"made_by": "gateway", "cause": "read timeout"},
    ],
    "capstone.incident-6": [
        {"made_by": "gateway", "cause": "Maintenance"},
        {"made_by": "origin", "cause": "over capacity"},
    ],
    "capstone.incident-7": [
        {"made_by": "upstream", "cause": "Invalid-Response"},
        {"made_by": "gateway", "cause": "refused"},
    ],
    "capstone.incident-8": [
        {"made_by": "gateway", "cause": "Overload"},
        {"made_by": "origin", "cause": "planned maintenance"},
    ],
}


# -- every round of held-out answers, judged the same way --

# -- the eleventh held-out round (2026-12-05c), written before it was run; the forms
# an earlier round or table already had are left out (216 of 521 written are kept). On main
# before this round, 20 of the 133 right forms were refused (none counted): an explanation after
# a dash (8: "Allow — GET, HEAD, OPTIONS", "refused — UF", a capstone cause), an option's
# Chinese words (6), "Allow header, listing GET, HEAD, OPTIONS", "Allow, e.g. Allow: GET,
# HEAD", "a handler 500", "504 (gateway)", "5 shed, 3 served", "the lab's gateway". No wrong
# form was accepted, before or after. --
ELEVENTH_ROUND_RIGHT: dict[str, list[object]] = {
    "500.who-made-it": [
        "The origin made it.",
        "origin — the gateway just relayed it",
        "It's the origin",
        "the origin（源服务器）",
        "origin (Server: labkit-origin)",
        "origin; Via only means it passed the gateway",
    ],
    "500.find-the-traceback": [
        "X-Request-ID header field",
        'ex.header("X-Request-ID")',
        "the x-request-id response header.",
        "X-Request-ID（响应头）",
        "'X-Request-ID:'",
        "X-Request-ID — the same req-0001",
        "ex.headers['X-Request-ID']",
    ],
    "500.debug-danger": [
        "Leaks internals!",
        "泄露内部信息。",
        "leaks internals（泄露内部信息）",
        "It would leak internals to attackers",
        "leaks internals — file paths and code",
        "it leaks internals, e.g. file paths",
        "leaks internals!!",
    ],
    "500.retry-a-post": [
        "重发之前先检查",
        "check before resending（重发之前先检查）",
        "check whether it went through before resending",
        "check before resending — POST is not idempotent",
        "'check before resending'",
        "check before resending - it may already exist",
        "check before resending (or use an idempotency key)",
        "Check before re-sending!",
    ],
    "501.unknown-method": [
        "Status 501.",
        "it should be 501",
        "501: Not Implemented",
        "[501]",
        "501，未实现",
    ],
    "501.allow-header": [
        "the Allow field",
        "Allow 头字段",
        "Allow header, listing GET, HEAD, OPTIONS",
        "'Allow'",
        "Allow, e.g. Allow: GET, HEAD",
        "the Allow response header field",
        "Allow — GET, HEAD, OPTIONS",
    ],
    "501.chunked-not-final": [
        "Bad Request (400)",
        "400, and close the connection",
        "400 — bad request",
        "400: Bad Request",
    ],
    "501.python-http-server": [
        "带 Allow 的 405",
        "405 with Allow（带 Allow 的 405）",
        "'405 with Allow'",
    ],
    "502.not-a-502": [
        "处理函数给出的 500",
        "a 500 from the handler（处理函数给出的 500）",
        "500 from the handler — it is relayed",
        "a handler 500",
        "500 from the handler, relayed",
        "the 500 (from the handler)",
    ],
    "502.body-cut": [
        "200 OK.",
        "200 (the body is cut short)",
        "the client still gets 200",
        "200 — the body is cut",
        "200: OK",
    ],
    "502.retry": [
        "用退避的方式重试",
        "retry with exponential backoff and jitter",
        "retry with backoff（用退避的方式重试）",
        "retry with backoff — GET is idempotent",
        "retry with backoff - GET is idempotent",
    ],
    "503.retry-after-header": [
        "the retry-after response header.",
        "retry after header",
        "Retry-After — seconds or a date",
    ],
    "503.how-many-shed": [
        "5 shed, 3 served",
    ],
    "503.heuristic-cache": [
        "501 Not Implemented.",
        "five hundred and one",
        "501 — Not Implemented",
    ],
    "504.who-answers": [
        "由网关生成的 504",
        "504 from the gateway（由网关生成的 504）",
        "the gateway's 504",
        "504 from the gateway — its read timeout ran out",
        "gateway 504",
        "504 (gateway)",
    ],
    "504.or-502": [
        "504 Gateway Timeout.",
        "Gateway Time-out (504)",
        "504 — B timed out",
        "504: Gateway Timeout",
    ],
    "504.haproxy-connect-timeout": [
        "503 Service Unavailable.",
        "503 — HAProxy counts it unavailable",
    ],
    "505.http2-request-line": [
        "505 不支持的 HTTP 版本",
        "it answers 505",
    ],
    "505.426-headers": [
        "Upgrade and Connection: upgrade（Upgrade 和 Connection: upgrade）",
        "'Upgrade and Connection: upgrade'",
        "Upgrade and Connection: upgrade — both",
        "Upgrade, plus Connection: upgrade",
    ],
    "505.alpn": [
        "with ALPN (in the TLS handshake)",
        "用 ALPN",
        "ALPN, offering h2",
        "ALPN — in the TLS handshake",
        "ALPN（应用层协议协商）",
    ],
    "511.who-made-it": [
        "The portal.",
        "the captive portal (labkit-portal)",
        "portal（门户）",
        "It's the portal",
        "the portal — labkit-portal",
        "portal (captive)",
    ],
    "511.which-auth": [
        "407 Proxy Authentication Required.",
    ],
    "gateways.nginx-premature-close": [
        "Closed-Without-Response",
        "closed-without-response — the upstream closed early",
    ],
    "gateways.haproxy-sc": [
        "refused（连接被拒绝）",
        "'refused'",
        "refused — SC--",
    ],
    "gateways.envoy-uf": [
        "`connect-timeout`",
        "Refused",
        "refused — UF",
    ],
    "gateways.caddy-dial-timeout": [
        "the connect timed out",
        "connect-timeout — i/o timeout on dial",
    ],
    "capstone.incident-1": [
        {"made_by": "gateway.", "cause": "no-healthy-upstream."},
        {"made_by": "the lab's gateway", "cause": "no healthy upstream"},
        {"made_by": "GATEWAY", "cause": "no-healthy-upstream — every member is down"},
    ],
    "capstone.incident-2": [
        {"made_by": "origin.", "cause": "handler-bug."},
        {"made_by": "the origin", "cause": "handler bug (TypeError)"},
        {"made_by": "ORIGIN", "cause": "handler-bug — TypeError in the log"},
    ],
    "capstone.incident-3": [
        {"made_by": "gateway.", "cause": "cached-error."},
        {"made_by": "网关", "cause": "缓存的错误"},
        {"made_by": "the gateway", "cause": "a cached error"},
        {"made_by": "GATEWAY", "cause": "cached-error — X-Cache: HIT"},
    ],
    "capstone.incident-4": [
        {"made_by": "portal.", "cause": "network-login."},
        {"made_by": "the portal", "cause": "network login"},
        {"made_by": "PORTAL", "cause": "network-login — the café's login page"},
    ],
    "capstone.incident-5": [
        {"made_by": "gateway.", "cause": "connect-timeout."},
        {"made_by": "GATEWAY", "cause": "connect-timeout — no upstream hop"},
    ],
    "capstone.incident-6": [
        {"made_by": "origin.", "cause": "maintenance."},
        {"made_by": "the origin", "cause": "down for maintenance"},
        {"made_by": "ORIGIN", "cause": "maintenance — Retry-After: 120"},
    ],
    "capstone.incident-7": [
        {"made_by": "gateway.", "cause": "invalid-response."},
        {"made_by": "the gateway", "cause": "an invalid response"},
        {"made_by": "GATEWAY", "cause": "invalid-response — SSH banner"},
    ],
    "capstone.incident-8": [
        {"made_by": "origin.", "cause": "overload."},
        {"made_by": "ORIGIN", "cause": "overload — capacity 1"},
    ],
}
ELEVENTH_ROUND_WRONG: dict[str, list[object]] = {
    "500.who-made-it": [
        "the gateway, per Via",
        "both the gateway and the origin",
        "the browser",
    ],
    "500.find-the-traceback": [
        "X-Request-Start",
        "Via or X-Request-ID",
        "Retry-After",
    ],
    "500.debug-danger": [
        "hides the error.",
        "丢失日志",
        "it slows the server down",
        "hides the error — users see nothing",
    ],
    "500.retry-a-post": [
        "retry until it works.",
        "改用 GET",
        "retry or check before resending",
        "never check, just resend",
    ],
    "501.unknown-method": [
        "405 — BREW is not allowed here",
        "状态码 400",
        "400: Bad Request",
    ],
    "501.allow-header": [
        "Allowed-Methods",
        "Accept header, listing GET, HEAD",
        "Allow or Accept header, listing GET",
        "Content-Type header: text/plain",
    ],
    "501.chunked-not-final": [
        "四百零一",
    ],
    "501.python-http-server": [
        "501.",
        "不带 Allow 的 405",
    ],
    "502.not-a-502": [
        "garbage bytes.",
        "乱码字节",
        "none of them",
        "a gateway 500",
        "garbage bytes — nothing valid",
    ],
    "502.body-cut": [
        "no status",
    ],
    "502.retry": [
        "retry at once in a loop.",
        "绝不重试",
        "retry immediately forever",
        "never retry — it is the gateway's fault",
    ],
    "503.retry-after-header": [
        "Last-Modified",
    ],
    "503.how-many-shed": [
        "four",
        "11",
        "六",
    ],
    "503.heuristic-cache": [
        "none of them",
    ],
    "504.who-answers": [
        "504 from the origin.",
        "由源服务器生成的 504",
        "a 504 from the client",
        "origin 504",
        "gateway 502",
    ],
    "504.or-502": [
        "408 Request Timeout",
        "502 — A sent garbage",
        "502 - B never answered",
    ],
    "504.haproxy-connect-timeout": [
        "一直等下去",
        "500",
    ],
    "505.http2-request-line": [
        "HTTP/2 200",
        "500",
    ],
    "505.426-headers": [
        "Upgrade.",
        "only Upgrade",
    ],
    "505.alpn": [
        "HTTP/2.0 in the request line.",
        "在请求行里写 HTTP/2.0",
        "with a 505",
        "Upgrade: h2c — the old way",
    ],
    "511.who-made-it": [
        "the gateway.",
        "the client",
    ],
    "511.which-auth": [
        "四百零一",
        "proxy",
    ],
    "gateways.nginx-premature-close": [
        "body-cut",
    ],
    "gateways.haproxy-sc": [
        "connect-timeout.",
        "connect-timeout — SC",
    ],
    "gateways.envoy-uf": [
        "invalid-status-line",
    ],
    "gateways.caddy-dial-timeout": [
        "read-timeout.",
        "no-healthy-upstream",
    ],
    "capstone.incident-1": [
        {"made_by": "网关", "cause": "维护"},
        {"made_by": "the gateway", "cause": "the upstream timed out"},
        {"made_by": "origin server", "cause": "no healthy upstream"},
    ],
    "capstone.incident-2": [
        {"made_by": "网关", "cause": "处理函数的 bug"},
        {"made_by": "the origin", "cause": "it was overloaded"},
    ],
    "capstone.incident-3": [
        {"made_by": "portal", "cause": "cached-error"},
    ],
    "capstone.incident-4": [
        {"made_by": "网关", "cause": "需要登录网络"},
        {"made_by": "the portal", "cause": "it is down for maintenance"},
    ],
    "capstone.incident-5": [
        {"made_by": "网关", "cause": "读取超时"},
        {"made_by": "the gateway", "cause": "the connection was refused"},
    ],
    "capstone.incident-6": [
        {"made_by": "gateway", "cause": "cached-error"},
        {"made_by": "origin", "cause": "network-login"},
    ],
    "capstone.incident-7": [
        {"made_by": "上游", "cause": "无效的响应"},
        {"made_by": "the gateway", "cause": "the upstream timed out"},
    ],
    "capstone.incident-8": [
        {"made_by": "gateway", "cause": "no-healthy-upstream"},
        {"made_by": "origin", "cause": "network-login"},
    ],
}


# -- the twelfth held-out round (2026-12-05d), written before it was run: forms as a
# learner types them in a chat or an editor (markdown emphasis and code quotes, an "Answer:"
# or a list item's "- " before it, full-width digits, a no-break space, a trailing newline),
# the same in Chinese (答案：, 答：, 应该是, 「」 and 【】, "Allow 这个头"), negations and hedges
# in other words; the forms an earlier round had are left out (190 of 276 written are kept).
# On main before this round, 9 of the 95 right forms were refused: "- Allow" and "- X-Request-ID"
# counted as wrong attempts (a header name may start with a hyphen); "答案：源服务器",
# "应该是源服务器", "答：Allow", "答：X-Request-ID", "答：Retry-After", "Allow 这个头" and
# "X-Request-ID 这个响应头" not counted, as no option or header name. No wrong form (95) was
# accepted, before or after. --
TWELFTH_ROUND_RIGHT: dict[str, list[object]] = {
    "500.who-made-it": [
        "Answer: origin",
        "- the origin",
        "origin\n",
        "I'd say the origin",
        "答案：源服务器",
        "【源服务器】",
        "应该是源服务器",
    ],
    "500.find-the-traceback": [
        "Answer: X-Request-ID",
        "- X-Request-ID",
        "答：X-Request-ID",
        "「X-Request-ID」",
        "X-Request-ID 这个响应头",
    ],
    "500.debug-danger": [
        "Answer: leaks internals",
        "- leaks internals",
        "leaks internals\n",
    ],
    "500.retry-a-post": [
        "**check before resending**",
        "Answer: check before resending",
        "- check before resending",
        "check before resending\n",
    ],
    "501.unknown-method": [
        "Answer: 501",
        "501\xa0Not Implemented",
        "HTTP 501",
        "答案：501",
        "【501】",
        "应该是 501",
    ],
    "501.allow-header": [
        "Answer: Allow",
        "Allow\n",
        "- Allow",
        "答：Allow",
        "「Allow」",
        "Allow 这个头",
    ],
    "501.chunked-not-final": [
        "Answer: 400",
        "400\xa0Bad Request",
        "HTTP 400",
    ],
    "501.python-http-server": [
        "Answer: 405 with Allow",
    ],
    "502.not-a-502": [
        "**a 500 from the handler**",
        "Answer: a 500 from the handler",
        "- a 500 from the handler",
    ],
    "502.body-cut": [
        "Answer: 200",
        "200\xa0OK",
        "HTTP 200",
        "答案：200",
        "「200」",
        "应该是 200",
    ],
    "502.retry": [
        "**retry with backoff**",
        "Answer: retry with backoff",
        "- retry with backoff",
        "retry with backoff\n",
    ],
    "503.retry-after-header": [
        "Answer: Retry-After",
        "`Retry-After: 120`",
        "答：Retry-After",
        "「Retry-After」",
    ],
    "503.how-many-shed": [
        "答案：5",
        "【五】",
        "应该是 5 个",
    ],
    "503.heuristic-cache": [
        "Answer: 501",
    ],
    "504.who-answers": [
        "**504 from the gateway**",
        "Answer: 504 from the gateway",
        "- 504 from the gateway",
    ],
    "504.or-502": [
        "Answer: 504",
        "504\xa0Gateway Timeout",
        "HTTP 504",
        "答案：504",
        "「504」",
        "应该是 504",
    ],
    "504.haproxy-connect-timeout": [
        "Answer: 503",
        "HTTP 503",
    ],
    "505.http2-request-line": [
        "Answer: 505",
    ],
    "505.426-headers": [
        "**Upgrade and Connection: upgrade**",
        "Answer: Upgrade and Connection: upgrade",
    ],
    "505.alpn": [
        "Answer: ALPN",
        "- ALPN",
    ],
    "511.who-made-it": [
        "Answer: the portal",
        "- portal",
        "portal\n",
    ],
    "511.which-auth": [
        "Answer: 407",
        "答案：407",
        "【407】",
    ],
    "gateways.nginx-premature-close": [
        "Answer: closed-without-response",
    ],
    "gateways.haproxy-sc": [
        "Answer: refused",
    ],
    "gateways.envoy-uf": [
        "Answer: refused",
    ],
    "gateways.caddy-dial-timeout": [
        "Answer: connect-timeout",
        "答：connect-timeout",
        "「connect-timeout」",
    ],
    "capstone.incident-1": [
        {"made_by": "`gateway`", "cause": "`no-healthy-upstream`"},
        {"made_by": "**gateway**", "cause": "**no-healthy-upstream**"},
    ],
    "capstone.incident-2": [
        {"made_by": "`origin`", "cause": "`handler-bug`"},
        {"made_by": "origin\n", "cause": "handler-bug\n"},
    ],
    "capstone.incident-3": [
        {"made_by": "`gateway`", "cause": "`cached-error`"},
    ],
    "capstone.incident-4": [
        {"made_by": "`portal`", "cause": "`network-login`"},
    ],
    "capstone.incident-5": [
        {"made_by": "`gateway`", "cause": "`connect-timeout`"},
        {"made_by": "「网关」", "cause": "「连接建立超时」"},
    ],
    "capstone.incident-6": [
        {"made_by": "`origin`", "cause": "`maintenance`"},
    ],
    "capstone.incident-7": [
        {"made_by": "`gateway`", "cause": "`invalid-response`"},
    ],
    "capstone.incident-8": [
        {"made_by": "`origin`", "cause": "`overload`"},
    ],
}
TWELFTH_ROUND_WRONG: dict[str, list[object]] = {
    "500.who-made-it": [
        "**gateway**",
        "`gateway`",
        "Answer: the gateway",
        "答案：网关",
    ],
    "500.find-the-traceback": [
        "`Via`",
        "**Server**",
        "Answer: Date",
        "答：Via",
        "「Server」",
    ],
    "500.debug-danger": [
        "**it is slow**",
        "`hides the error`",
    ],
    "500.retry-a-post": [
        "**retry until it works**",
        "`switch to GET`",
    ],
    "501.unknown-method": [
        "**405**",
        "`400`",
        "５０５",
        "HTTP 404",
        "答案：405",
        "不是 501",
    ],
    "501.allow-header": [
        "`Accept`",
        "**Content-Type**",
        "Answer: Vary",
        "答：Accept",
        "不是 Allow",
    ],
    "501.chunked-not-final": [
        "**501**",
        "`411`",
        "４１５",
    ],
    "501.python-http-server": [
        "**501**",
        "`400`",
        "Answer: 404",
    ],
    "502.not-a-502": [
        "**garbage bytes**",
        "`garbage bytes`",
        "Answer: a refused connection",
    ],
    "502.body-cut": [
        "**502**",
        "`504`",
        "答案：502",
        "「504」",
    ],
    "502.retry": [
        "**retry at once**",
        "`give up`",
    ],
    "503.retry-after-header": [
        "`Expires`",
        "**Cache-Control**",
        "答：Expires",
    ],
    "503.how-many-shed": [
        "**3**",
        "`8`",
        "Answer: 3",
        "8 of the 8",
        "答案：3",
        "【八】",
    ],
    "503.heuristic-cache": [
        "**500**",
        "`503`",
    ],
    "504.who-answers": [
        "**504 from the origin**",
        "`502 from the gateway`",
        "not from the gateway",
    ],
    "504.or-502": [
        "**502**",
        "`503`",
        "HTTP 502",
        "答案：502",
        "可能是 502 也可能是 504",
    ],
    "504.haproxy-connect-timeout": [
        "**504**",
        "`502`",
    ],
    "505.http2-request-line": [
        "**200**",
        "`400`",
        "Answer: 426",
        "５００",
    ],
    "505.426-headers": [
        "**Upgrade**",
        "`Connection: close`",
    ],
    "505.alpn": [
        "**Upgrade: h2c**",
        "`HTTP/2.0 in the request line`",
    ],
    "511.who-made-it": [
        "**gateway**",
        "`origin`",
        "Answer: the client",
    ],
    "511.which-auth": [
        "**401**",
        "`511`",
        "４０１",
        "答案：401",
        "【511】",
    ],
    "gateways.nginx-premature-close": [
        "`refused`",
        "**read-timeout**",
    ],
    "gateways.haproxy-sc": [
        "`connect-timeout`",
        "**read-timeout**",
    ],
    "gateways.envoy-uf": [
        "`read-timeout`",
        "**invalid-status-line**",
    ],
    "gateways.caddy-dial-timeout": [
        "`refused`",
        "**read-timeout**",
        "答：read-timeout",
        "「refused」",
    ],
    "capstone.incident-1": [
        {"made_by": "`origin`", "cause": "`no-healthy-upstream`"},
    ],
    "capstone.incident-2": [
        {"made_by": "`gateway`", "cause": "`handler-bug`"},
    ],
    "capstone.incident-3": [
        {"made_by": "`gateway`", "cause": "`maintenance`"},
    ],
    "capstone.incident-4": [
        {"made_by": "`gateway`", "cause": "`network-login`"},
    ],
    "capstone.incident-5": [
        {"made_by": "`gateway`", "cause": "`read-timeout`"},
        {"made_by": "「源服务器」", "cause": "「连接建立超时」"},
    ],
    "capstone.incident-6": [
        {"made_by": "`origin`", "cause": "`overload`"},
    ],
    "capstone.incident-7": [
        {"made_by": "`origin`", "cause": "`invalid-response`"},
    ],
    "capstone.incident-8": [
        {"made_by": "`origin`", "cause": "`maintenance`"},
    ],
}

# -- the thirteenth held-out round (2026-12-05e), written before it was run: forms
# with a word of certainty ("definitely Allow", "clearly the origin", 肯定是, 就是), an arrow or
# an equals sign before the answer ("=> 504", "→ origin"), the option picked by name ("option:
# origin", "I pick origin", 我选, 选), what kind of answer follows ("header: Allow", "code 504",
# "status=504", 状态码是504), a remark in brackets, all capitals; wrong forms: neighbours said
# with certainty, hedges in words not tried ("504, I guess", "not sure", 我猜, 或许) and "the
# server" where several hops are servers. The forms an earlier round had are left out (337 of
# 383 written are kept). On main before this round, 45 of the 179 right forms were refused, 3 of
# them counted as wrong attempts ("definitely X-Request-ID", "definitely Allow", "definitely
# Retry-After": read as header names); 22 of the 158 wrong forms were accepted (each "..., I
# guess" and "我猜是 ...", where "maybe 504" was refused as a hedge). None of either now. --
THIRTEENTH_ROUND_RIGHT: dict[str, list[object]] = {
    "500.who-made-it": [
        "definitely the origin",
        "=> origin",
        "→ origin",
        "option: origin",
        "I pick origin",
        "the origin did it",
        "clearly the origin; the gateway only relayed it",
        "origin (its handler raised ValueError)",
        "我选源服务器",
        "选 origin",
        "肯定是源服务器",
        "就是源服务器",
    ],
    "500.find-the-traceback": [
        "definitely X-Request-ID",
        "=> X-Request-ID",
        "the X-Request-Id response header",
        "X-Request-ID (req-0001)",
        "header: X-Request-ID",
        "就是 X-Request-ID",
        "X-Request-ID 头部字段",
        "肯定是 X-Request-ID",
    ],
    "500.debug-danger": [
        "option: leaks internals",
        "=> leaks internals",
        "definitely leaks internals",
        "leaks internals (file paths and source lines)",
        "我选 leaks internals",
        "选 leaks internals",
    ],
    "500.retry-a-post": [
        "option: check before resending",
        "=> check before resending",
        "definitely check before resending",
        "check before resending (POST is not idempotent)",
        "我选 check before resending",
        "选 check before resending",
    ],
    "501.unknown-method": [
        "definitely 501",
        "=> 501",
        "the server answers 501 Not Implemented",
        "状态码是501",
        "选 501",
        "肯定是 501",
    ],
    "501.allow-header": [
        "definitely Allow",
        "=> Allow",
        "header: Allow",
        "就是 Allow",
        "Allow 头部字段",
        "肯定是 Allow 头",
    ],
    "501.chunked-not-final": [
        "definitely 400",
        "=> 400",
        "code 400",
        "status=400",
        "状态码是400",
        "选 400",
    ],
    "501.python-http-server": [
        "option: 405 with Allow",
        "=> 405 with Allow",
        "definitely 405 with Allow",
        "选 405 with Allow",
    ],
    "502.not-a-502": [
        "option: a 500 from the handler",
        "=> a 500 from the handler",
        "definitely a 500 from the handler",
        "选 a 500 from the handler",
    ],
    "502.body-cut": [
        "definitely 200",
        "=> 200",
        "code 200",
        "status=200",
        "200 OK (with a cut body)",
        "状态码是200",
        "肯定是 200",
    ],
    "502.retry": [
        "option: retry with backoff",
        "=> retry with backoff",
        "definitely retry with backoff",
        "选 retry with backoff",
    ],
    "503.retry-after-header": [
        "definitely Retry-After",
        "=> Retry-After",
        "header: Retry-After",
        "the Retry-After response header field",
        "就是 Retry-After",
        "Retry-After 头部字段",
    ],
    "503.how-many-shed": [
        "definitely 5",
        "=> 5",
        "exactly 5",
        "5 in total",
        "a total of 5",
        "总共五个",
        "肯定是 5 个",
    ],
    "503.heuristic-cache": [
        "definitely 501",
        "=> 501",
        "code 501",
        "501 NOT IMPLEMENTED",
        "选 501",
        "状态码是501",
    ],
    "504.who-answers": [
        "option: 504 from the gateway",
        "=> 504 from the gateway",
        "definitely 504 from the gateway",
        "504 from the gateway (its read timeout ran out)",
        "选 504 from the gateway",
    ],
    "504.or-502": [
        "definitely 504",
        "=> 504",
        "code 504",
        "status=504",
        "状态码是504",
        "肯定是 504",
    ],
    "504.haproxy-connect-timeout": [
        "definitely 503",
        "=> 503",
        "code 503",
        "503 SERVICE UNAVAILABLE",
        "选 503",
        "状态码是503",
    ],
    "505.http2-request-line": [
        "definitely 505",
        "=> 505",
        "code 505",
        "505 HTTP VERSION NOT SUPPORTED",
        "status=505",
        "选 505",
        "状态码是505",
    ],
    "505.426-headers": [
        "option: Upgrade and Connection: upgrade",
        "=> Upgrade and Connection: upgrade",
        "definitely Upgrade and Connection: upgrade",
        "选 Upgrade and Connection: upgrade",
    ],
    "505.alpn": [
        "option: ALPN",
        "=> ALPN",
        "definitely ALPN",
        "ALPN (h2 offered in the TLS handshake)",
        "选 ALPN",
    ],
    "511.who-made-it": [
        "definitely the portal",
        "=> portal",
        "→ portal",
        "option: portal",
        "I pick portal",
        "CAPTIVE PORTAL",
        "the portal did it",
        "我选门户",
        "选 portal",
        "肯定是门户",
    ],
    "511.which-auth": [
        "definitely 407",
        "=> 407",
        "code 407",
        "407 PROXY AUTHENTICATION REQUIRED",
        "status=407",
        "选 407",
        "状态码是407",
    ],
    "gateways.nginx-premature-close": [
        "definitely closed-without-response",
        "=> closed-without-response",
        "closed without response (prematurely)",
        "the upstream closed the connection prematurely",
        "就是 closed-without-response",
    ],
    "gateways.haproxy-sc": [
        "option: refused",
        "=> refused",
        "definitely refused",
        "refused (SC: server side, connect)",
        "选 refused",
    ],
    "gateways.envoy-uf": [
        "definitely refused",
        "=> connect-timeout",
        "connect-timeout (UF: upstream connection failure)",
        "就是 refused",
    ],
    "gateways.caddy-dial-timeout": [
        "definitely connect-timeout",
        "=> connect-timeout",
        "就是连接超时",
    ],
    "capstone.incident-1": [
        {"made_by": "=> gateway", "cause": "=> no-healthy-upstream"},
        {"made_by": "GATEWAY", "cause": "NO HEALTHY UPSTREAM"},
        {"made_by": "definitely the gateway", "cause": "no healthy upstream (every one is down)"},
    ],
    "capstone.incident-2": [
        {"made_by": "=> origin", "cause": "=> handler-bug"},
        {"made_by": "ORIGIN", "cause": "HANDLER BUG"},
        {"made_by": "definitely the origin", "cause": "handler bug (a TypeError)"},
    ],
    "capstone.incident-3": [
        {"made_by": "=> gateway", "cause": "=> cached-error"},
        {"made_by": "GATEWAY", "cause": "CACHED ERROR"},
        {"made_by": "definitely the gateway", "cause": "cached error (X-Cache: HIT)"},
    ],
    "capstone.incident-4": [
        {"made_by": "=> portal", "cause": "=> network-login"},
        {"made_by": "PORTAL", "cause": "NETWORK LOGIN"},
        {"made_by": "definitely the portal", "cause": "network login (not logged in yet)"},
    ],
    "capstone.incident-5": [
        {"made_by": "=> gateway", "cause": "=> connect-timeout"},
        {"made_by": "GATEWAY", "cause": "CONNECT TIMEOUT"},
        {"made_by": "definitely the gateway", "cause": "connect timeout (after 0.2 s)"},
    ],
    "capstone.incident-6": [
        {"made_by": "=> origin", "cause": "=> maintenance"},
        {"made_by": "ORIGIN", "cause": "MAINTENANCE"},
        {"made_by": "definitely the origin", "cause": "maintenance (Retry-After: 120)"},
    ],
    "capstone.incident-7": [
        {"made_by": "=> gateway", "cause": "=> invalid-response"},
        {"made_by": "GATEWAY", "cause": "INVALID RESPONSE"},
        {"made_by": "definitely the gateway", "cause": "invalid response (SSH banner)"},
    ],
    "capstone.incident-8": [
        {"made_by": "=> origin", "cause": "=> overload"},
        {"made_by": "ORIGIN", "cause": "OVERLOAD"},
        {"made_by": "definitely the origin", "cause": "overload (capacity 1)"},
    ],
}


THIRTEENTH_ROUND_WRONG: dict[str, list[object]] = {
    "500.who-made-it": [
        "definitely the gateway",
        "=> gateway",
        "option: gateway",
        "I pick gateway",
        "the origin, I guess",
        "not sure: origin or gateway",
        "the server",
        "我选网关",
        "我猜是源服务器",
        "或许是源服务器",
    ],
    "500.find-the-traceback": [
        "definitely Via",
        "=> Server",
        "X-Request-ID, I guess",
        "header: Date",
        "我猜是 X-Request-ID",
    ],
    "500.debug-danger": [
        "option: hides the error",
        "=> loses the log",
        "definitely becomes a 502",
        "leaks internals, I guess",
        "我选 hides the error",
    ],
    "500.retry-a-post": [
        "option: retry until it works",
        "=> switch to GET",
        "definitely retry once after a pause",
        "check before resending, I guess",
        "我选 retry until it works",
    ],
    "501.unknown-method": [
        "definitely 405",
        "=> 405",
        "code 400",
        "501, I guess",
        "status=404",
        "我猜是 501",
        "状态码是405",
    ],
    "501.allow-header": [
        "definitely Accept",
        "=> Content-Type",
        "Allow, I guess",
        "header: Upgrade",
        "我猜是 Allow",
    ],
    "501.chunked-not-final": [
        "definitely 501",
        "=> 411",
        "code 200",
        "400, I guess",
        "状态码是501",
    ],
    "501.python-http-server": [
        "option: 405 without Allow",
        "=> 501",
        "definitely 404",
        "405 with Allow, I guess",
    ],
    "502.not-a-502": [
        "option: garbage bytes",
        "=> connection refused",
        "definitely reset before headers",
        "a 500 from the handler, I guess",
    ],
    "502.body-cut": ["definitely 502", "=> 502", "code 504", "200, I guess", "状态码是502"],
    "502.retry": [
        "option: never retry",
        "=> retry at once in a loop",
        "definitely retry, even a POST",
        "retry with backoff, I guess",
    ],
    "503.retry-after-header": [
        "definitely Expires",
        "=> Cache-Control",
        "Retry-After, I guess",
        "header: Age",
        "Retry-In",
        "我猜是 Retry-After",
    ],
    "503.how-many-shed": [
        "definitely 3",
        "=> 8",
        "exactly 3",
        "5, I guess",
        "a total of 8",
        "总共三个",
        "我猜是 5 个",
    ],
    "503.heuristic-cache": ["definitely 503", "=> 503", "code 500", "501, I guess", "状态码是503"],
    "504.who-answers": [
        "option: 504 from the origin",
        "=> 502 from the gateway",
        "definitely 200 after 0.6 s",
        "504 from the gateway, I guess",
        "504 from the server",
    ],
    "504.or-502": [
        "definitely 502",
        "=> 502",
        "code 502",
        "504, I guess",
        "B gets 502",
        "状态码是502",
    ],
    "504.haproxy-connect-timeout": ["definitely 504", "=> 502", "503, I guess", "状态码是504"],
    "505.http2-request-line": [
        "definitely 400",
        "=> 426",
        "code 200",
        "505, I guess",
        "状态码是400",
    ],
    "505.426-headers": [
        "option: Upgrade",
        "=> Retry-After",
        "definitely Alt-Svc",
        "Upgrade and Connection: upgrade, I guess",
    ],
    "505.alpn": [
        "option: Upgrade: h2c",
        "=> HTTP/2.0 in the request line",
        "definitely retry after a 505",
        "ALPN, I guess",
    ],
    "511.who-made-it": [
        "definitely the gateway",
        "=> origin",
        "option: gateway",
        "the portal, I guess",
        "the server",
        "我选网关",
        "我猜是门户",
    ],
    "511.which-auth": ["definitely 401", "=> 511", "code 401", "407, I guess", "状态码是511"],
    "gateways.nginx-premature-close": [
        "definitely refused",
        "=> read-timeout",
        "closed-without-response, I guess",
        "RESET",
        "我猜是 closed-without-response",
    ],
    "gateways.haproxy-sc": [
        "option: connect-timeout",
        "=> read-timeout",
        "definitely closed-without-response",
        "refused, I guess",
    ],
    "gateways.envoy-uf": ["definitely read-timeout", "=> body-cut", "refused, I guess", "RESET"],
    "gateways.caddy-dial-timeout": [
        "definitely refused",
        "=> read-timeout",
        "connect-timeout, I guess",
        "READ-TIMEOUT",
    ],
    "capstone.incident-1": [
        {"made_by": "=> origin", "cause": "=> overload"},
        {"made_by": "the server", "cause": "no-healthy-upstream"},
        {"made_by": "gateway", "cause": "no healthy upstream, I guess"},
    ],
    "capstone.incident-2": [
        {"made_by": "=> gateway", "cause": "=> invalid-response"},
        {"made_by": "the server", "cause": "handler-bug"},
        {"made_by": "origin", "cause": "handler bug, I guess"},
    ],
    "capstone.incident-3": [
        {"made_by": "=> origin", "cause": "=> maintenance"},
        {"made_by": "the server", "cause": "cached-error"},
        {"made_by": "gateway", "cause": "cached error, I guess"},
    ],
    "capstone.incident-4": [
        {"made_by": "=> gateway", "cause": "=> maintenance"},
        {"made_by": "the server", "cause": "network-login"},
        {"made_by": "portal", "cause": "network login, I guess"},
    ],
    "capstone.incident-5": [
        {"made_by": "=> upstream", "cause": "=> read-timeout"},
        {"made_by": "the server", "cause": "connect-timeout"},
        {"made_by": "gateway", "cause": "connect timeout, I guess"},
    ],
    "capstone.incident-6": [
        {"made_by": "=> gateway", "cause": "=> cached-error"},
        {"made_by": "the server", "cause": "maintenance"},
        {"made_by": "origin", "cause": "maintenance, I guess"},
    ],
    "capstone.incident-7": [
        {"made_by": "=> upstream", "cause": "=> invalid-response"},
        {"made_by": "the server", "cause": "invalid-response"},
        {"made_by": "gateway", "cause": "invalid response, I guess"},
    ],
    "capstone.incident-8": [
        {"made_by": "=> origin", "cause": "=> maintenance"},
        {"made_by": "the server", "cause": "overload"},
        {"made_by": "origin", "cause": "overload, I guess"},
    ],
}


# -- the fourteenth re-examination (2026-12-05): a held-out set of 144 answers; the
# right forms below were refused or counted wrong before (the app server "behind the gateway"
# was judged the gateway; "405 Method Not Allowed, with an Allow header" kept its "not" after
# the comma; 网关返回 504 named no hop; "the request id header X-Request-ID" was read as one
# long header name and counted wrong; 错误请求 named no status; "it waits forever" no option)

FOURTEENTH_ROUND_RIGHT: dict[str, list[object]] = {
    "500.who-made-it": [
        "the app server behind the gateway",
        "app behind the gateway",
        "the origin, behind the gateway",
        "the origin server sitting behind the proxy",
        "网关后面的源服务器",
        "The origin server made it.",
    ],
    "500.find-the-traceback": [
        "the request id header X-Request-ID",
        "the request id header, X-Request-ID",
        "请求 ID 头 X-Request-ID",
        "请求 ID 头：X-Request-ID",
        "`X-Request-ID`",
    ],
    "501.allow-header": ["the methods header Allow", "The Allow header field"],
    "501.python-http-server": [
        "405 Method Not Allowed, with an Allow header",
        "405 Method Not Allowed; with Allow",
    ],
    "501.chunked-not-final": ["错误请求", "400 Bad Request, because the length is unknown"],
    "504.who-answers": ["网关返回 504", "504，由网关返回", "网关返回的 504"],
    "504.haproxy-connect-timeout": ["503, HAProxy counts it unavailable"],
    "501.unknown-method": ["501（未实现）", "five oh one", 501.0],
    "503.how-many-shed": ["8 - 3 = 5", "5 个"],
    "502.body-cut": ["the client still gets 200", "200（成功）"],
}

FOURTEENTH_ROUND_WRONG: dict[str, list[object]] = {
    "500.who-made-it": ["the gateway behind the portal", "the gateway (Via says labkit-gateway)"],
    "500.find-the-traceback": ["the request id header Via", "the tracing header traceparent"],
    "501.allow-header": ["the allowed methods header, Accept", "Access-Control-Allow-Methods"],
    "501.python-http-server": ["405 Method Not Allowed, without an Allow header"],
    "501.chunked-not-final": ["411 Length Required", "501"],
    "504.who-answers": ["源服务器返回 504", "502 from the gateway"],
    "504.haproxy-connect-timeout": ["it waits forever", "waits forever", "504", "502"],
    "501.unknown-method": ["405 Method Not Allowed", 405],
    "503.how-many-shed": ["5.5", "3", "8"],
    "502.body-cut": ["502 Bad Gateway"],
}


# -- the fifteenth re-examination (2026-12-06): a status, then why after a comma
# ("400 Bad Request, the length cannot be found") was refused as a denial, its reason's
# "cannot" read as the answer's; with "because" it was accepted. A reason that denies the
# answer ("400, which is wrong") or hedges it ("400, not sure": accepted before, as "400" with
# a contrast) names no answer.

FIFTEENTH_ROUND_RIGHT: dict[str, list[object]] = {
    "501.chunked-not-final": [
        "400 Bad Request, the length cannot be found",
        "400; the server can't find where the body ends",
        "Bad Request, the length cannot be found",
        "HTTP/1.1 400 Bad Request, the body's end can't be found",
        "400 Bad Request, and close the connection",
        "400，长度无法确定",
    ],
    "504.or-502": [
        "504, the origin never answered in time",
        "50\u200b4",  # a zero-width space from a web page (named no status)
        "50\u00ad4",  # a soft hyphen
    ],
    # the held-out set's forms refused as naming no option: other words for an option's
    # word, an option's Chinese words inside a sentence, a path in brackets read as a hedge
    "500.debug-danger": ["exposes internals", "泄露内部细节", "泄露内部信息给攻击者"],
    "500.retry-a-post": [
        "check first, then resend",
        "先检查再重发",
        "检查之后再重发",
        "check (GET /orders) before resending",
    ],
    "501.python-http-server": ["405 带 Allow", "405（带 Allow 头）"],
    "502.not-a-502": ["a 500 the handler returns", "处理函数返回的 500"],
    "502.retry": ["退避后重试"],
}

FIFTEENTH_ROUND_WRONG: dict[str, list[object]] = {
    "501.chunked-not-final": [
        "411, the length cannot be found",
        "400, which is wrong",
        "400, it isn't",
        "400, not sure",
        "not 400, the length cannot be found",
    ],
    "504.or-502": ["504, not 100% sure", "502, the answer cannot be parsed"],
    # wrong options in other words: judged wrong, with their feedback (refused before)
    "500.debug-danger": ["the log gets lost", "the error gets hidden", "没有泄露内部信息"],
    "500.retry-a-post": ["retry until it succeeds", "resend it as a GET"],
    "502.retry": ["retry immediately in a loop"],
    "504.haproxy-connect-timeout": ["it hangs forever"],
    "501.python-http-server": ["405 (不带 Allow)", "405 (or 501)"],
}

# -- the sixteenth round: the fifteenth's two leftovers, refused and not counted before --
# a time beside the option ("after 0.3 s", the gateway's read timeout) is an aside unless its
# number is another option's; a description of backoff is backoff.

SIXTEENTH_ROUND_RIGHT: dict[str, list[object]] = {
    "504.who-answers": [
        "504 by the gateway after 0.3 s",
        "the gateway answers 504 after 0.3 s",
        "504 from the gateway, after 300 ms",
        "网关在 0.3 秒后返回 504",
        "The gateway replies 504 after its 0.3 s read timeout",  # a held-out set
        "504 from the gateway after a 0.3 s timeout",
    ],
    "502.retry": [
        "wait, then retry, waiting longer each time",
        "retry with growing pauses",
        "retry, with increasing delays between attempts",
    ],
    # a held-out set: whose header it is (counted wrong, read as the header
    # "response's-x-request-id"), 和 between header names, a condition's other words (refused)
    "500.find-the-traceback": ["the response's X-Request-ID header field"],
    "501.allow-header": ["the 405 response's Allow header"],
    "503.retry-after-header": ["the maintenance 503's Retry-After header"],
    "505.426-headers": ["Upgrade 和 Connection", "Upgrade和Connection"],
    "gateways.nginx-premature-close": [
        "closed without responding",
        "the upstream closed before sending headers",
    ],
}

SIXTEENTH_ROUND_WRONG: dict[str, list[object]] = {
    "504.who-answers": [
        "504 by the gateway after 0.6 s",  # the time of "200 after 0.6 s": refused
        "504 after 0.3 s",
        "504 from the origin after 0.3 s",
        "504 from the gateway after its 0.6 s read timeout",
        "504 after the 0.3 s read timeout",
    ],
    "502.retry": [
        "retry at once, waiting longer each time",
        "retry without waiting longer each time",
        "retry a POST, waiting longer each time",
    ],
    "500.find-the-traceback": ["the response's Via header", "the request id header"],
    "505.426-headers": ["Upgrade 和 Alt-Svc"],
    "gateways.nginx-premature-close": ["the upstream reset before sending headers"],
}

# right answers in reasoning sentences, refused (not counted) before
SEVENTEENTH_ROUND_RIGHT: dict[str, list[object]] = {
    "500.who-made-it": [
        "Proxy-Status says received-status=500, so the origin",
        "the gateway only relayed it, so the origin",
        "Proxy-Status 说 received-status=500，所以是源服务器",
    ],
    "500.retry-a-post": [
        "first check whether the order was created, then resend if not",
        "check whether the order exists, then resend if it wasn't",
        "check if the order was created, then resend only if not",
    ],
}

SEVENTEENTH_ROUND_WRONG: dict[str, list[object]] = {
    "500.who-made-it": ["Proxy-Status says received-status=500, so the gateway"],
    "500.retry-a-post": ["first check whether the order was created, then switch to GET"],
}

# lessons 03, 06 and 09 examined as a careful and a hostile learner would answer them, en and
# zh: forms not in the tables above. Refused before: "retry (with backoff)", "exponential
# backoff", "the handler returning 500", "处理函数的 500", "Upgrade; Connection", and "505
# Version Not Supported" (read as a denial); accepted before: "Connection: close and Upgrade"
# for the 426's fields, its wrong value set aside.
EIGHTEENTH_ROUND_RIGHT: dict[str, list[object]] = {
    "502.not-a-502": [
        "a 500 from the handler",
        "500",
        "the 500 from the handler",
        "A 500 FROM THE HANDLER",
        "a 500 from the handler.",
        "500 from handler",
        "the handler's 500",
        "500 from the handler",
        "500 Internal Server Error",
        "'a 500 from the handler'",
        "处理函数给出的 500",
        "a 500 from the handler（处理函数给出的 500）",
        "an HTTP 500 from the handler",
        "处理函数的 500",
        "the handler returning 500",
        "500 internal server error from the handler",
        "HTTP 500",
        "“处理函数给出的 500”",
    ],
    "502.body-cut": [
        "客户端收到 200",
        "收到的是 200",
        "状态码 200（正文不完整）",
        "200, with a truncated body",
        "200 but the body is cut",
        "200",
        200,
        "200 OK",
        "HTTP/1.1 200 OK",
        "status 200",
        "200。",
        "状态码 200",
        "２００",
        "200 ok",
        "a 200",
        "200.",
        "'200'",
        "200 (OK)",
        "200 OK（成功）",
        "it receives 200",
        "200 成功",
        "two hundred",
    ],
    "502.retry": [
        "retry with backoff",
        "Retry with exponential backoff",
        "retry with backoff.",
        "RETRY WITH BACKOFF",
        "用退避的方式重试",
        "退避重试",
        "retry with back-off",
        "retry with a backoff",
        "retry (with backoff)",
        "带退避的重试",
        "retry with backoff（用退避的方式重试）",
        "retry, with backoff",
        "retry after backing off",
        "retry it with backoff",
    ],
    "505.http2-request-line": [
        "五百零五",
        "505 错误",
        "状态码是 505",
        "返回 505",
        "http/1.1 505",
        "505 (HTTP Version Not Supported)",
        "HTTP_VERSION_NOT_SUPPORTED",
        "HTTPStatus.HTTP_VERSION_NOT_SUPPORTED",
        "505 HTTP-Version Not Supported",
        "HTTP 版本不支持",
        "505 HTTP 版本不受支持",
        "五零五",
        "HTTPStatus.HTTP_VERSION_NOT_SUPPORTED",
        "505",
        505,
        "505 HTTP Version Not Supported",
        "HTTP Version Not Supported",
        "http version not supported",
        "505 http version not supported.",
        "HTTP/1.1 505 HTTP Version Not Supported",
        "HTTP 版本不受支持",
        "505（HTTP 版本不受支持）",
        "status 505",
        "505。",
        "'505'",
        "５０５",
        "505 Version Not Supported",
        "a 505",
    ],
    "505.426-headers": [
        "Upgrade: websocket, Connection: Upgrade",
        "Connection: Upgrade, Upgrade: websocket",
        "Upgrade: h2c and Connection: upgrade",
        "Upgrade and Connection: upgrade",
        "Upgrade, Connection",
        "Upgrade + Connection",
        "Connection: upgrade and Upgrade",
        "Upgrade: websocket and Connection: upgrade",
        "upgrade and connection",
        "the Upgrade and Connection headers",
        "Upgrade 和 Connection",
        "Upgrade、Connection",
        "Upgrade 和 Connection: upgrade",
        "Upgrade & Connection",
        "Upgrade and Connection",
        "UPGRADE AND CONNECTION: UPGRADE",
        "Connection, Upgrade",
        "Upgrade; Connection",
        "Upgrade 与 Connection 标头",
    ],
    "505.alpn": [
        "用 ALPN 协商",
        "ALPN 协商",
        "TLS 的 ALPN 扩展",
        "the ALPN extension",
        "via the ALPN extension of TLS",
        "ALPN, offering h2",
        "ALPN",
        "alpn",
        "ALPN in the TLS handshake",
        "Application-Layer Protocol Negotiation",
        "via ALPN",
        "TLS ALPN",
        "用 ALPN",
        "ALPN。",
        "ALPN (h2)",
        "with ALPN",
        "'ALPN'",
        "application layer protocol negotiation",
        "by ALPN",
        "ALPN：在 TLS 握手中提供 h2",
        "通过 ALPN",
    ],
    "gateways.nginx-premature-close": [
        "上游没有响应就关闭了连接",
        "响应头被截断",
        "the upstream closed the connection without a response",
        "closed without responding",
        "closed without response",
        "closed-without-response",
        "CLOSED_WITHOUT_RESPONSE",
        "Closed Without Response.",
        "headers cut",
        "headers-cut",
        "Condition.HEADERS_CUT",
        "没有响应就关闭了连接",
        "closed_without_response",
        "'closed-without-response'",
        "closed-without-response。",
        "Headers-Cut",
        "condition: closed-without-response",
        "closed without a response",
        "Condition.CLOSED_WITHOUT_RESPONSE",
        "closed-without-response (or headers-cut)",
    ],
    "gateways.haproxy-sc": [
        "拒绝",
        "服务器拒绝连接",
        "refused connection",
        "Connection refused (ECONNREFUSED)",
        "connection refused by the server",
        "the server refused the connection",
        "refused",
        "connection refused",
        "Refused.",
        "REFUSED",
        "连接被拒绝",
        "Condition.REFUSED",
        "'refused'",
        "refused。",
        "refused (SC--)",
        "the connection was refused",
        "conn refused",
        "connection-refused",
        "ECONNREFUSED",
        "被拒绝",
        "拒绝连接",
    ],
    "gateways.envoy-uf": [
        "refused",
        "connect-timeout",
        "connect timeout",
        "connection refused",
        "connect_timeout",
        "连接超时",
        "refused or connect-timeout",
        "Connect Timeout",
        "CONNECT_TIMEOUT",
        "连接被拒绝",
        "Condition.REFUSED",
        "connect-timeout.",
        "refused, connect-timeout",
        "connect-timeout or refused",
        "连接被拒绝或连接超时",
    ],
    "gateways.caddy-dial-timeout": [
        "连接建立超时",
        "TCP 连接超时",
        "connect timed out",
        "timeout while connecting",
        "dial timeout",
        "the connection timed out",
        "connect-timeout",
        "connect timeout",
        "Connect Timeout",
        "connect_timeout",
        "连接超时",
        "CONNECT-TIMEOUT",
        "Condition.CONNECT_TIMEOUT",
        "connect-timeout.",
        "'connect-timeout'",
        "connect-timeout。",
        "a connect timeout",
        "connection timeout",
        "the connect timeout",
        "连接超时（connect-timeout）",
        "connect‐timeout",
    ],
}
EIGHTEENTH_ROUND_WRONG: dict[str, list[object]] = {
    "502.not-a-502": [
        "garbage bytes",
        "connection refused",
        "reset before headers",
        "502",
        "reset",
        "refused",
        "garbage",
        "500 or reset before headers",
        "乱码字节",
        "被拒绝的连接",
        "连接重置",
        "504",
        "a 502 from the handler",
        "none of them",
        "all of them",
        "500 or 502",
        "the reset",
        "503",
    ],
    "502.body-cut": [
        "502（网关）",
        "收到 502",
        "先 200 后 502",
        "200 then 502",
        "it gets a 502",
        "502",
        "500",
        "504",
        "200 or 502",
        "206",
        "499",
        "502 Bad Gateway",
        "502 错误的网关",
        "200/502",
        "400",
        "100",
        "HTTP/1.1 502 Bad Gateway",
        "201",
        "2OO",
        "either 200 or 502",
    ],
    "502.retry": [
        "retry at once in a loop",
        "never retry",
        "retry, even a POST",
        "retry immediately",
        "don't retry",
        "retry",
        "立即重试",
        "不要重试",
        "retry with backoff or never retry",
        "retry at once",
        "loop",
        "give up",
        "retry a POST",
        "retry with backoff, even a POST",
        "永不重试",
        "retry without backoff",
        "从不重试",
    ],
    "505.http2-request-line": [
        "505 还是 426",
        "四二六",
        "400 错误请求",
        "HTTPStatus.UPGRADE_REQUIRED",
        "5xx",
        "505?? or 426",
        "not 426 but 400",
        "426 (not 505)",
        "426",
        "400",
        "200",
        "501",
        "502",
        "505 or 400",
        "Upgrade Required",
        "426 Upgrade Required",
        "bad request",
        "400 Bad Request",
        "需要升级",
        "错误请求",
        "500",
        "505/426",
        "HTTP/2",
        "400 或 505",
    ],
    "505.426-headers": [
        "Upgrade and Connection: close",
        "Connection: keep-alive and Upgrade",
        "Upgrade: websocket, Connection: close",
        "Upgrade 和 Connection：close",
        "Upgrade",
        "Connection",
        "Retry-After",
        "Alt-Svc",
        "Upgrade and Alt-Svc",
        "Upgrade or Connection",
        "Upgrade, Connection, Retry-After",
        "Connection: upgrade",
        "Upgrade: h2c",
        "Upgrade 或 Connection",
        "Alt-Svc and Upgrade",
        "Upgrade and Retry-After",
        "Location",
        "Upgrade: websocket",
        "Connection: close and Upgrade",
    ],
    "505.alpn": [
        "用 Upgrade: h2c 头",
        "在请求行里写 HTTP/2.0",
        "Upgrade header",
        "h2c upgrade",
        "ALPN? or Upgrade",
        "HTTP/2 prior knowledge",
        "Upgrade: h2c",
        "HTTP/2.0 in the request line",
        "h2c",
        "retry after a 505",
        "Alt-Svc",
        "ALPN or Upgrade: h2c",
        "Upgrade",
        "HTTP/2.0",
        "505",
        "请求行里写 HTTP/2.0",
        "upgrade h2c",
        "retry",
        "Upgrade: h2c or ALPN",
        "the request line",
        "Alt-Svc header",
    ],
    "gateways.nginx-premature-close": [
        "上游重置了连接",
        "连接被重置",
        "body cut",
        "正文被截断",
        "读取超时",
        "reset by peer",
        "connection reset by peer",
        "reset",
        "read-timeout",
        "refused",
        "502",
        "closed-without-response or reset",
        "body-cut",
        "invalid-header",
        "connect-timeout",
        "reset or headers-cut",
        "连接被拒绝",
        "连接超时",
        "no-healthy-upstream",
        "invalid-status-line",
        "504",
        "upstream",
    ],
    "gateways.haproxy-sc": [
        "连接超时",
        "超时",
        "连接重置",
        "SC-- 是超时",
        "refused? or timeout",
        "read timeout",
        "服务器关闭了连接",
        "connect-timeout",
        "read-timeout",
        "closed-without-response",
        "503",
        "reset",
        "refused or connect-timeout",
        "连接超时",
        "SC",
        "server closed",
        "timeout",
        "no-healthy-upstream",
        "502",
        "connect timeout",
        "读取超时",
        "closed",
    ],
    "gateways.envoy-uf": [
        "read-timeout",
        "no-healthy-upstream",
        "reset",
        "UF",
        "503",
        "closed-without-response",
        "读取超时",
        "refused or read-timeout",
        "upstream connection failure",
        "dns-error",
        "502",
        "timeout",
        "headers-cut",
        "read timeout",
        "connection reset",
    ],
    "gateways.caddy-dial-timeout": [
        "读超时",
        "读取响应超时",
        "read timed out",
        "dns",
        "DNS 错误",
        "refused connection",
        "timeout reading the response",
        "无法访问",
        "read-timeout",
        "refused",
        "502",
        "connect-timeout or read-timeout",
        "dns-error",
        "timeout",
        "i/o timeout",
        "读取超时",
        "连接被拒绝",
        "504",
        "read timeout",
        "refused or connect-timeout",
        "reset",
        "no-healthy-upstream",
    ],
}


# Still refused after eighteen rounds, each naming its one answer as plainly as forms
# accepted before it: lesson 09's conditions in other words, lesson 03's backoff without
# the verb every option shares.
NINETEENTH_ROUND_RIGHT: dict[str, list[object]] = {
    "gateways.haproxy-sc": ["连接被拒", "连接被拒。"],
    "gateways.caddy-dial-timeout": ["connecting timed out", "Connecting timed out."],
    "gateways.nginx-premature-close": [
        "头部被截断",
        "closed before the response",
        "the connection closed before the response",
    ],
    "502.retry": ["exponential backoff", "backoff", "Backoff.", "back off", "指数退避"],
    # lessons 04, 05, 07 and the capstone as a careful learner writes them (the first six
    # capstone forms and "Retry-After，例如 Retry-After: 30" were refused before)
    "503.retry-after-header": [
        "Retry-After header field",
        "retry-after response header",
        "'Retry-After' (RFC 9110 10.2.3)",
        "Retry-After: 120",
        "RETRY-AFTER",
        "Retry After",
        "the Retry-After field",
        "Retry-After 头",
        "响应头 Retry-After",
        "Retry-After 首部",
        "Retry-After，例如 Retry-After: 30",
        "headers['Retry-After']",
        "It's Retry-After",
        "Retry-After (seconds or an HTTP-date)",
        "The Retry-After header.",
        "`Retry-After`",
        "retry-after:",
        "Retry-After header (RFC 9110 10.2.3)",
        "答：Retry-After",
        "Retry-After 响应头",
        "ex.header('Retry-After')",
        "the Retry-After response header field",
    ],
    "503.how-many-shed": [
        "5 of them",
        "five requests",
        "5 shed",
        "8 - 3 = 5",
        "five of the eight",
        "五个",
        "5 个",
        "五个请求",
        "5个被拒绝",
        "Five.",
        "5 (8 minus the capacity of 3)",
        "five are shed with 503",
        "5 requests are shed",
        "five (8 - 3)",
        "5 of the 8",
        "答案是 5",
        "共 5 个",
        "5 requests get 503",
        "5 (the other 3 are served)",
        "5 个请求被拒",
    ],
    "503.heuristic-cache": [
        "501 Not Implemented",
        "HTTP/1.1 501 Not Implemented",
        "only 501",
        "501, it is heuristically cacheable",
        "the 501",
        "501 未实现",
        "未实现",
        "501.",
        "'501'",
        "Not Implemented",
        "501 only",
        "just 501",
        "501 — RFC 9110 15.1 lists it",
        "501 (Not Implemented)",
        "答案：501",
        "501 未实现，因为它默认可缓存",
        "the 501 Not Implemented",
        "HTTP 501",
    ],
    "504.who-answers": [
        "504 from gateway",
        "a 504 made by the gateway",
        "504 Gateway Timeout from the gateway",
        "the gateway answers 504",
        "504 by the gateway",
        "网关返回 504",
        "网关的 504",
        "504（网关生成）",
        "504, the gateway",
        "the gateway's 504",
        "504 Gateway Time-out from the gateway",
        "gateway → 504",
        "504 Gateway Timeout, made by the gateway",
        "the gateway sends a 504",
        "504 from the gateway after 0.3 s",
        "a 504 generated by the gateway",
        "网关生成的 504",
        "504，由网关生成",
        "the gateway times out and answers 504",
        "504 (gateway)",
    ],
    "504.or-502": [
        "504 Gateway Timeout",
        "504 Gateway Time-out",
        "Gateway Timeout",
        "HTTP/1.1 504 Gateway Timeout",
        "504 网关超时",
        "网关超时",
        "５０４",
        "a 504",
        "status 504",
        "504 for B",
        "B: 504",
        "it gives 504",
        "504, B timed out",
        "504 because B said nothing",
        "HTTP 504",
        "504 Gateway Timeout (B)",
        "504，因为 B 超时",
        "B gets 504",
        "the gateway answers 504 for B",
        "504 网关超时（B）",
    ],
    "504.haproxy-connect-timeout": [
        "503 Service Unavailable",
        "HTTP/1.1 503 Service Unavailable",
        "HAProxy answers 503",
        "503 服务不可用",
        "服务不可用",
        "503 (sC--)",
        "a 503",
        "503.",
        "Service Unavailable",
        "'503'",
        "503 (HAProxy)",
        "HAProxy 2.6 answers 503 Service Unavailable",
        "503 — sC--",
        "503，HAProxy 的 sC--",
        "it says 503",
        "503 Service Unavailable.",
        "HAProxy: 503",
        "503 服务不可用。",
    ],
    "511.who-made-it": [
        "the portal",
        "captive portal",
        "the captive portal",
        "Portal.",
        "门户",
        "强制门户",
        "labkit-portal",
        "made by the portal",
        "it was the portal",
        "the portal made it",
        "portal (ex.generated_by)",
        "由门户生成",
        "The portal.",
        "the captive portal made it",
        "门户生成的",
        "由门户",
        "portal (captive portal)",
        "the portal itself",
        "captive portal.",
        "门户。",
    ],
    "511.which-auth": [
        "407 Proxy Authentication Required",
        "HTTP/1.1 407 Proxy Authentication Required",
        "Proxy Authentication Required",
        "407 需要代理身份验证",
        "需要代理身份验证",
        "a 407",
        "407.",
        "status 407",
        "407, with Proxy-Authenticate",
        "it answers 407",
        "407 Proxy Authentication Required.",
        "407 (with Proxy-Authenticate)",
        "it answers 407 Proxy Authentication Required",
        "答案是 407",
        "407 需要代理认证",
        "407，需要代理身份验证",
        "the proxy answers 407",
        "HTTP/1.1 407",
    ],
    "capstone.incident-1": [
        {"made_by": "网关自己", "cause": "上游全部不健康"},
        {"made_by": "the gateway", "cause": "no live upstreams"},
        {"made_by": "gateway itself", "cause": "all upstreams are unhealthy"},
    ],
    "capstone.incident-3": [
        {"made_by": "网关缓存", "cause": "缓存里的错误"},
        {"made_by": "the gateway's cache", "cause": "cached error"},
        {"made_by": "网关的缓存", "cause": "缓存中的错误"},
    ],
    "capstone.incident-7": [
        {"made_by": "网关", "cause": "上游返回的不是 HTTP"},
        {"made_by": "网关", "cause": "不是有效的 HTTP 响应"},
        {"made_by": "gateway", "cause": "malformed response from upstream"},
    ],
    "capstone.incident-8": [
        {"made_by": "the origin", "cause": "too many requests at once"},
        {"made_by": "源服务器", "cause": "过载"},
        {"made_by": "origin", "cause": "too many concurrent requests"},
    ],
}
NINETEENTH_ROUND_WRONG: dict[str, list[object]] = {
    "gateways.haproxy-sc": ["连接超时", "连接被重置", "read timed out"],
    "gateways.caddy-dial-timeout": ["reading timed out", "connection refused", "读超时"],
    "gateways.nginx-premature-close": ["连接被拒", "read timed out", "正文被截断"],
    "502.retry": ["retry at once in a loop", "never retry", "no retry"],
    # near misses: neighbouring statuses, the wrong hop, hedges and denials
    "503.retry-after-header": [
        "Cache-Control",
        "Expires",
        "Retry",
        "Date",
        "Location",
        "Age",
        "Refresh",
        "X-Retry-After",
        "Retry-After?",
        "not Retry-After",
        "maybe Retry-After",
        "Retry-After or Cache-Control",
        "Warning",
        "Expires header",
        "Cache-Control: no-store",
        "Location 头",
    ],
    "503.how-many-shed": [
        3,
        8,
        "3",
        "eight",
        "11",
        "4",
        "6",
        "5?",
        "about 5",
        "at least 5",
        "3 or 5",
        "8 - 3",
        "not 5",
        "5 or 6",
        "三个",
    ],
    "503.heuristic-cache": [
        "503",
        "500",
        "504",
        "503 Service Unavailable",
        "none",
        "all of them",
        "501 or 503",
        "Internal Server Error",
        "501?",
        "maybe 501",
        "not 501",
        "501 or 503",
        "503 with Retry-After",
        "503 服务不可用",
        "504 网关超时",
        "500 服务器内部错误",
    ],
    "504.who-answers": [
        "504 from the origin",
        "502 from the gateway",
        "200 after 0.6 s",
        "504 from origin",
        "the origin's 504",
        "502",
        "200",
        "504 from the client",
        "504 from the gateway?",
        "maybe 504 from the gateway",
        "504 from the gateway or the origin",
        "not 504 from the gateway",
        "the origin answers 504",
        "源服务器的 504",
        "502 from the gateway after 0.3 s",
        "200 after 0.6 s, from the origin",
    ],
    "504.or-502": [
        "502",
        "502 Bad Gateway",
        "500",
        "503",
        "Bad Gateway",
        "408",
        "504 or 502",
        "599",
        "504?",
        "502 or 504",
        "maybe 504",
        "not 504",
        "502 for B",
        "502 Bad Gateway (B)",
        "5xx",
        "错误网关",
    ],
    "504.haproxy-connect-timeout": [
        "504",
        "502",
        "504 Gateway Timeout",
        "nothing, it waits forever",
        "it waits forever",
        "500",
        "408",
        "Bad Gateway",
        "503?",
        "maybe 503",
        "503 or 504",
        "not 503",
        "504 (like nginx)",
        "502 (like Caddy)",
        "网关超时",
        "it waits forever",
    ],
    "511.who-made-it": [
        "gateway",
        "origin",
        "the gateway",
        "origin server",
        "client",
        "网关",
        "源服务器",
        "upstream",
        "portal?",
        "maybe the portal",
        "portal or gateway",
        "not the portal",
        "the gateway behind the portal",
        "源服务器",
        "网关",
        "the origin",
    ],
    "511.which-auth": [
        "401",
        "511",
        "401 Unauthorized",
        "403",
        "Network Authentication Required",
        "407 or 401",
        "未授权",
        "需要网络身份验证",
        "407?",
        "maybe 407",
        "401 or 407",
        "not 407",
        "511 Network Authentication Required",
        "401 Unauthorized",
        "403 Forbidden",
        "需要网络认证",
    ],
    "capstone.incident-1": [
        {"made_by": "origin", "cause": "no-healthy-upstream"},
        {"made_by": "gateway", "cause": "refused"},
        {"made_by": "gateway?", "cause": "no-healthy-upstream"},
    ],
    "capstone.incident-3": [
        {"made_by": "origin", "cause": "cached-error"},
        {"made_by": "gateway", "cause": "maintenance"},
        {"made_by": "gateway", "cause": "cached-error?"},
    ],
    "capstone.incident-7": [
        {"made_by": "upstream", "cause": "invalid-response"},
        {"made_by": "gateway", "cause": "handler-bug"},
        {"made_by": "origin", "cause": "invalid-response"},
    ],
    "capstone.incident-8": [
        {"made_by": "gateway", "cause": "overload"},
        {"made_by": "origin", "cause": "maintenance"},
        {"made_by": "upstream", "cause": "overload"},
    ],
}


ROUNDS: dict[str, tuple[dict[str, list[object]], dict[str, list[object]]]] = {
    "first": (REEXAMINED_RIGHT, REEXAMINED_WRONG),
    "second": (SECOND_ROUND_RIGHT, SECOND_ROUND_WRONG),
    "third": (THIRD_ROUND_RIGHT, THIRD_ROUND_WRONG),
    "fourth": (FOURTH_ROUND_RIGHT, FOURTH_ROUND_WRONG),
    "fifth": (FIFTH_ROUND_RIGHT, FIFTH_ROUND_WRONG),
    "sixth": (SIXTH_ROUND_RIGHT, SIXTH_ROUND_WRONG),
    "seventh": (SEVENTH_ROUND_RIGHT, SEVENTH_ROUND_WRONG),
    "eighth": (EIGHTH_ROUND_RIGHT, EIGHTH_ROUND_WRONG),
    "ninth": (NINTH_ROUND_RIGHT, NINTH_ROUND_WRONG),
    "tenth": (TENTH_ROUND_RIGHT, TENTH_ROUND_WRONG),
    "eleventh": (ELEVENTH_ROUND_RIGHT, ELEVENTH_ROUND_WRONG),
    "twelfth": (TWELFTH_ROUND_RIGHT, TWELFTH_ROUND_WRONG),
    "thirteenth": (THIRTEENTH_ROUND_RIGHT, THIRTEENTH_ROUND_WRONG),
    "fourteenth": (FOURTEENTH_ROUND_RIGHT, FOURTEENTH_ROUND_WRONG),  # the failures it found
    "fifteenth": (FIFTEENTH_ROUND_RIGHT, FIFTEENTH_ROUND_WRONG),
    "sixteenth": (SIXTEENTH_ROUND_RIGHT, SIXTEENTH_ROUND_WRONG),
    "seventeenth": (SEVENTEENTH_ROUND_RIGHT, SEVENTEENTH_ROUND_WRONG),
    "eighteenth": (EIGHTEENTH_ROUND_RIGHT, EIGHTEENTH_ROUND_WRONG),  # lessons 03, 06, 09
    "nineteenth": (NINETEENTH_ROUND_RIGHT, NINETEENTH_ROUND_WRONG),
}


@pytest.mark.parametrize(
    "round_name",
    [
        "first",
        "third",
        "fourth",
        "fifth",
        "sixth",
        "seventh",
        "eighth",
        "ninth",
        "tenth",
        "eleventh",
        "twelfth",
        "thirteenth",
    ],
)  # the second took some quizzes
def test_a_round_covers_every_quiz(round_name: str) -> None:
    right, wrong = ROUNDS[round_name]
    assert {q.id for q in QUIZZES} == set(right) == set(wrong)


def _round_cases(side: int) -> list[tuple[str, str]]:
    return [(name, qid) for name, tables in ROUNDS.items() for qid in sorted(tables[side])]


@pytest.mark.parametrize(("round_name", "qid"), _round_cases(0))
def test_held_out_right_forms_of_each_round_are_accepted(round_name: str, qid: str) -> None:
    for form in ROUNDS[round_name][0][qid]:
        result = exercises.get(qid).check(form)
        assert result, f"{qid}: {form!r} -> {result.message}"


@pytest.mark.parametrize(("round_name", "qid"), _round_cases(1))
def test_held_out_wrong_forms_of_each_round_are_not_accepted(round_name: str, qid: str) -> None:
    for form in ROUNDS[round_name][1][qid]:
        result = exercises.get(qid).check(form)
        assert not result, f"{qid}: {form!r} was accepted"


# answers that cannot be judged: refused with what is expected, never counted as an attempt
NOT_COUNTED: dict[str, list[object]] = {
    "502.body-cut": ["5xx", "2xx", "fifty-four"],
    "503.how-many-shed": ["5xx", "50x"],
    "504.or-502": ["5XX", "5xx error"],
    "501.unknown-method": ["5xx"],
    "511.which-auth": ["4xx"],
    # the hop a hop has, which no option is: it was counted as the gateway
    "500.who-made-it": ["gateway's upstream", "the gateway's backend"],
    # an option's Chinese words (泄露内部信息, 504 由网关生成) were refused here until December 2026:
    # they name that option (tests/test_exercises_i18n.py, the Quiz shows them beside it)
}


@pytest.mark.parametrize("qid", sorted(NOT_COUNTED))
def test_a_class_of_statuses_or_an_option_not_given_is_refused_not_counted(qid: str) -> None:
    for form in NOT_COUNTED[qid]:
        result = exercises.get(qid).check(form)
        assert result.correct is None and result.refused, f"{qid}: {form!r} -> {result!r}"


def test_a_status_class_says_what_it_is() -> None:
    message = exercises.get("503.how-many-shed").check("5xx").message
    assert "class of statuses (all of 500 to 599), not a count" in message, message


# -- Chinese forms, as a learner of the Chinese lessons types them (2026-12-05) --
# The words the Chinese lessons, panels and feedback themselves use for the same hops, causes
# and conditions (负载卸载, 维护模式, 处理函数, 缓存陷阱, 乱码, 需要登录网络...) are answers;
# the near misses are rejected in Chinese as in English.

CHINESE_RIGHT_2026_12_05: dict[str, list[object]] = {
    "capstone.incident-1": [{"made_by": "网关", "cause": "池中没有健康的上游"}],
    "capstone.incident-2": [
        {"made_by": "源服务器", "cause": "处理函数的 bug"},
        {"made_by": "源服务器", "cause": "处理函数抛出异常"},
    ],
    "capstone.incident-3": [{"made_by": "网关", "cause": "缓存陷阱"}],
    "capstone.incident-4": [{"made_by": "强制门户", "cause": "需要登录网络"}],
    "capstone.incident-5": [{"made_by": "网关", "cause": "连接建立超时"}],
    "capstone.incident-6": [{"made_by": "源服务器", "cause": "维护模式"}],
    "capstone.incident-7": [{"made_by": "网关", "cause": "乱码"}],
    "capstone.incident-8": [
        {"made_by": "源服务器", "cause": "负载卸载"},
        {"made_by": "源服务器", "cause": "容量已满"},
    ],
    "500.who-made-it": [
        "由源服务器生成",
        "源服务器（origin）",
        "源服务器生成了它",
        "源服务器返回了这个响应",
    ],
    "503.how-many-shed": ["五个", "5 个请求被卸载", "五次"],
    "504.or-502": ["504（网关超时）", "五零四"],
    "511.which-auth": ["407 需要代理认证"],
    "gateways.nginx-premature-close": ["上游还没有发送任何东西就关闭了连接", "过早关闭了连接"],
    "gateways.caddy-dial-timeout": ["连接建立超时", "拨号超时"],
}

CHINESE_WRONG_2026_12_05: dict[str, list[object]] = {
    "500.who-made-it": ["网关生成了它"],
    "capstone.incident-3": [{"made_by": "源服务器", "cause": "缓存陷阱"}],
    "capstone.incident-6": [{"made_by": "源服务器", "cause": "负载卸载"}],
    "capstone.incident-8": [{"made_by": "源服务器", "cause": "维护模式"}],
    "capstone.incident-2": [{"made_by": "源服务器", "cause": "乱码"}],
    "503.how-many-shed": ["三", "八个"],
    "504.or-502": ["502 错误的网关"],
    "511.which-auth": ["需要网络认证"],
    "gateways.caddy-dial-timeout": ["读取超时"],
    "gateways.nginx-premature-close": ["连接被拒绝"],
}


def test_chinese_forms_of_2026_12_05_are_judged_as_their_english() -> None:
    for qid, forms in CHINESE_RIGHT_2026_12_05.items():
        for form in forms:
            result = exercises.get(qid).check(form)
            assert result, f"{qid}: {form!r} -> {result.message}"
    for qid, forms in CHINESE_WRONG_2026_12_05.items():
        for form in forms:
            result = exercises.get(qid).check(form)
            assert result.correct is False, f"{qid}: {form!r} -> {result!r}"


def test_other_words_for_an_option_name_it_alone_and_never_hide_a_hedge() -> None:
    """The words a lesson gives an option (500 q4: an idempotency key) name that option, also
    listed beside it; beside another option they are a hedge (refused, not counted)."""
    q = exercises.get("500.retry-a-post")
    assert q.check("use an idempotency key")
    assert q.check("check before resending / use an idempotency key")
    for hedge in ("use an idempotency key or retry until it works", "keep retrying, or check"):
        result = q.check(hedge)
        assert not result, hedge
    result = q.check("use an idempotency key or switch to GET")
    assert result.correct is None and result.refused, result.message


def test_a_hop_the_options_do_not_mean_makes_another_answer() -> None:
    """502 q1's handler is the upstream's: the gateway's handler is something else (refused,
    not counted), the origin's and the upstream's are the option."""
    q = exercises.get("502.not-a-502")
    for right in ("a 500 from the origin's handler", "a 500 from the upstream's handler"):
        assert q.check(right), right
    for other in ("a 500 from the gateway's handler", "a 500 from the portal's handler"):
        result = q.check(other)
        assert result.correct is None and result.refused, (other, result.message)


def test_a_number_of_another_library_is_that_number() -> None:
    """numpy's int64 (np.sum of a list), a Decimal: "a value of type int64 is not a number"
    refused a count computed with numpy, and a status read from a DataFrame."""
    import decimal

    np = pytest.importorskip("numpy")
    assert exercises.get("503.how-many-shed").check(np.int64(5))
    assert exercises.get("504.or-502").check(np.int64(504))
    assert exercises.get("504.or-502").check(decimal.Decimal("504"))
    assert exercises.get("501.chunked-not-final").check(np.int64(400))
    wrong = exercises.get("504.or-502").check(np.int64(502))
    assert wrong.correct is False and "not valid HTTP" in wrong.message
    assert exercises.get("504.or-502").check(np.True_).correct is None


# wrong options said in other words: judged wrong with that option's feedback, counted as the
# option itself is (refused as no option, the feedback never seen)
OTHER_WORDS_WRONG = {
    "500.retry-a-post": ["retry until it succeeds", "resend it as a GET"],
    "502.retry": ["retry immediately in a loop"],
    "504.haproxy-connect-timeout": ["it hangs forever"],
    "501.python-http-server": [
        "405 (不带 Allow)",
        "405 不带 Allow",
        "405 but with no Allow header",  # refused, the feedback unseen
        "405 with no Allow",
    ],
    "500.debug-danger": [
        "the log gets lost",
        "the error gets hidden",
        "it would turn the 500 into a 502",
        "the gateway turns it into a 502",
    ],
    "505.alpn": [
        "retries after a 505",
        "using an Upgrade: h2c request header",  # "request" was "request line"'s word
    ],
}


@pytest.mark.parametrize("qid", sorted(OTHER_WORDS_WRONG))
def test_a_wrong_option_in_other_words_is_judged_as_that_option(qid: str) -> None:
    for form in OTHER_WORDS_WRONG[qid]:
        result = exercises.get(qid).check(form)
        assert result.correct is False, f"{qid}: {form!r} -> {result.message}"


# a count written with the status it counts, as a tally or the lesson's table writes
# it, was refused as several answers ("5 × 503": the status read as a second count); each of
# these was refused before. Near misses: another status counted, a hedge, a plain product.
TALLIES_RIGHT = ["5 × 503", "5x503", "5 x 503", "五个 503", "5×503s", "503 × 5", "3 × 200, 5 × 503"]
TALLIES_WRONG = ["3 x 200", "5 × 200", "5 x 504", "4 × 503, 4 × 200"]
TALLIES_REFUSED = ["5 × 503 or 4", "5 × 3", "5 × 503, 6 × 503"]


def test_a_count_with_the_status_it_counts_is_that_count() -> None:
    q = exercises.get("503.how-many-shed")
    for form in TALLIES_RIGHT:
        assert q.check(form).correct is True, form
    for form in TALLIES_WRONG:
        assert q.check(form).correct is False, form
    for form in TALLIES_REFUSED:
        result = q.check(form)
        assert result.correct is None and result.refused, form


# an arrow from a hop (or an upstream's flag) to what it made, as the lessons draw
# them, was "not one of the options" / "not a hop" (refused before, each one); judged with
# the other forms (VERDICT_TABLES)
ARROWS_RIGHT = [
    ("500.who-made-it", "origin → 500"),
    ("500.who-made-it", "origin -> 500"),
    ("500.who-made-it", "源服务器 → 500"),
    ("500.who-made-it", "the origin ⇒ 500"),
    ("504.who-answers", "gateway → 504"),
    ("gateways.envoy-uf", "UF → refused"),
]
ARROWS_WRONG = [
    ("500.who-made-it", "gateway → 500"),
    ("504.who-answers", "origin → 504"),
]


def test_a_made_by_drawn_as_an_arrow_is_that_hop() -> None:
    incident = exercises.get("capstone.incident-2")  # the origin's handler raised: a 500
    for form in ("origin → 500", "源服务器 → 500", "origin -> 500", "origin→500"):
        assert incident.check({"made_by": form, "cause": "handler-bug"}).correct is True, form
    result = incident.check({"made_by": "origin → gateway", "cause": "handler-bug"})
    assert result.correct is None and result.refused


# a held-out forms, each refused before (not counted): a Condition and the burst's
# statuses pasted as the notebook shows them, a sentence and Chinese verb forms of a condition
PASTED_AND_SAID = [
    (
        "gateways.nginx-premature-close",
        "<Condition.CLOSED_WITHOUT_RESPONSE: 'closed-without-response'>",
    ),
    (
        "gateways.nginx-premature-close",
        "The upstream closed the connection without sending a response.",
    ),
    ("gateways.envoy-uf", "上游拒绝了连接"),
    ("gateways.haproxy-sc", "服务器拒绝了连接"),
    ("503.how-many-shed", "Counter({200: 3, 503: 5})"),
    ("503.how-many-shed", "{200: 3, 503: 5}"),
]


@pytest.mark.parametrize(("qid", "form"), PASTED_AND_SAID)
def test_pasted_output_and_sentences_of_the_twentieth_round_are_accepted(
    qid: str, form: str
) -> None:
    assert exercises.get(qid).check(form).correct is True


def test_a_pasted_tally_of_other_statuses_is_wrong() -> None:
    q = exercises.get("503.how-many-shed")
    assert q.check("Counter({200: 5, 503: 3})").correct is False
    assert q.check("<Condition.RESET: 'reset'>").refused


# Right answers a careful learner gives, each refused (not counted) before: both upstreams
# named with their statuses (the question asks about B), a sentence that names the hop that
# made the 500 and the one that only relayed it, a sentence saying which header a 405 owes,
# what a flag means and then the condition, the Chinese words "带退避地重试".
SENTENCES_RIGHT = [
    ("504.or-502", "A → 502, B → 504"),
    ("504.or-502", "A: 502, B: 504"),
    ("504.or-502", "A 502, B 504"),
    ("504.or-502", "A is 502 and B is 504"),
    ("504.or-502", "A 返回 502，B 返回 504"),
    ("504.or-502", "upstream B → 504"),
    ("504.or-502", "a 504"),  # an article, not upstream A
    ("500.who-made-it", "The origin made the 500; the gateway only relayed it."),
    ("500.who-made-it", "这个 500 是源服务器生成的，网关只是转发"),
    ("501.allow-header", "The 405 must carry an Allow header listing GET, HEAD, OPTIONS."),
    ("501.allow-header", "必须带 Allow 头"),
    ("501.allow-header", "405 必须包含 Allow 响应头，列出 GET、HEAD、OPTIONS"),
    ("gateways.envoy-uf", "UF = upstream connection failure, i.e. refused"),
    ("gateways.envoy-uf", "UF 是上游连接失败，即 refused"),
    ("502.retry", "带退避地重试"),
    ("502.retry", "带退避的重试"),
]
# their near misses: the wrong status for B, the wrong hop, the wrong header, the wrong
# condition (counted wrong); A's status alone, a status the question does not ask about
# beside the right hop, two answers for B, two headers (refused, not counted)
SENTENCES_WRONG = [
    ("504.or-502", "A → 504, B → 502"),
    ("504.or-502", "B → 502"),
    ("500.who-made-it", "The gateway made the 500; the origin only relayed it."),
    ("500.who-made-it", "网关生成的，源服务器只是转发"),
    ("501.allow-header", "The 405 must carry a Retry-After header."),
    ("501.allow-header", "必须带 Retry-After 头"),
    ("gateways.envoy-uf", "UF = upstream connection failure, i.e. reset"),
]
SENTENCES_REFUSED = [
    ("504.or-502", "A → 502"),
    ("504.or-502", "B → 502, B → 504"),
    ("504.or-502", "A → 502, B → 504 or 502"),
    ("500.who-made-it", "origin → 502"),
    ("500.who-made-it", "the origin made the 502"),
    ("511.who-made-it", "portal → 502"),
    ("501.allow-header", "must carry an Allow or Retry-After header"),
    ("501.allow-header", "must carry an Allow header and a Retry-After header"),
    ("501.allow-header", "must not carry an Allow header"),
    ("502.retry", "不带退避地重试"),
]


def test_a_refusal_names_what_the_answer_spoke_of() -> None:
    assert "asks about B" in exercises.get("504.or-502").check("A → 502").message
    message = exercises.get("500.who-made-it").check("origin → 502").message
    assert "502" in message and "asks about the 500" in message


# Right answers pasted from what the lessons show (the Chinese notebooks' outputs, `labkit run`
# and print(ex)) or written with Chinese punctuation, each refused (not counted) before: a
# cell's value "ex.status, ex.generated_by", an exchange's line, the burst's line in Chinese,
# the statuses listed, 、 between header names, the lesson's own Chinese words for a
# condition and an option, the labels of 504 q3 with "for" and 的是.
PASTED_RIGHT = [
    ("500.who-made-it", "(500, 'origin')"),
    ("500.who-made-it", "(500, 'Internal Server Error', 'origin')"),
    ("500.who-made-it", "('origin', 500, 'made it')"),
    ("500.who-made-it", "(500, 'origin', 'labkit-origin', '1.1 labkit-gateway')"),
    ("511.who-made-it", "(511, 'portal')"),
    (
        "500.who-made-it",
        "Exchange req-0001: GET /orders/abc -> 500 Internal Server Error, made by the origin",
    ),
    ("500.who-made-it", "500 Internal Server Error, made by the origin"),
    ("500.who-made-it", "GET /orders/abc -> 500 Internal Server Error，由源服务器生成"),
    ("511.who-made-it", "GET /orders/7 -> 511 Network Authentication Required, made by the portal"),
    ("503.how-many-shed", "8 个请求：3 个已处理（200），5 个被卸载（503）"),
    ("503.how-many-shed", "[200, 200, 200, 503, 503, 503, 503, 503]"),
    ("505.426-headers", "Upgrade、Connection"),
    ("gateways.nginx-premature-close", "上游不响应就关闭连接"),
    ("gateways.nginx-premature-close", "上游在发送响应头之前关闭了连接"),
    ("gateways.caddy-dial-timeout", "连接超时：拨号没有完成"),
    ("501.python-http-server", "带 Allow 头的 405"),
    ("501.python-http-server", "405（带上 Allow 头）"),
    ("502.retry", "用指数退避重试"),
    ("504.or-502", "For B, 504; for A, 502."),
    ("504.or-502", "给 B 的是 504，给 A 的是 502"),
]
# their near misses, counted wrong: another hop or count pasted the same way, a wrong option in
# other Chinese words (refused before: its feedback never seen)
PASTED_WRONG = [
    ("500.who-made-it", "(500, 'gateway')"),
    ("500.who-made-it", "GET /orders/abc -> 500 Internal Server Error, made by the gateway"),
    ("503.how-many-shed", "8 个请求：5 个已处理（200），3 个被卸载（503）"),
    ("503.how-many-shed", "[200, 200, 200, 200, 200, 503, 503, 503]"),
    ("501.python-http-server", "不带 Allow 头的 405"),
    ("502.retry", "立即循环重试"),
    ("502.retry", "永远不要重试"),
    ("502.retry", "即使是 POST 也重试"),
    ("504.or-502", "for B, 502; for A, 504"),
]
# refused, not counted: a status the question does not ask about, two hops, A's alone, a hedge
PASTED_REFUSED = [
    ("500.who-made-it", "(502, 'origin')"),
    ("500.who-made-it", "GET /orders/abc -> 502 Bad Gateway, made by the origin"),
    ("500.who-made-it", "(500, 'origin', 'gateway')"),
    ("504.or-502", "A 502"),
    ("505.426-headers", "Retry-After、Upgrade"),
    ("gateways.caddy-dial-timeout", "refused: no, connect-timeout"),
]


# A bound where a count is asked ("How many of them are shed?"): each was accepted as 5 (or
# counted as a wrong 4), though it does not say how many. Refused, not counted.
BOUNDS = [
    "at least 5",
    "at least five",
    "at most 5",
    "up to 5",
    "5 or more",
    "5+",
    "more than 4",
    "over 4",
    "至少五个",
    "最多五个",
    "至多 5 个",
    "不少于5个",
    "五个以上",
    "超过四个",
]


@pytest.mark.parametrize("form", BOUNDS)
def test_a_bound_is_no_count(form: str) -> None:
    result = exercises.get("503.how-many-shed").check(form)
    assert result.correct is None and result.refused, result.message
    assert "hedges" in result.message


def test_a_count_beside_words_that_bound_nothing_is_that_count() -> None:
    q = exercises.get("503.how-many-shed")
    for form in ("5 (the ones over capacity)", "5 of the 8", "five requests", "五个请求被拒绝"):
        assert q.check(form).correct is True, form


# Right answers a careful learner gives, each refused (not counted) before: 504 q3's status for
# B first, unlabelled, then A's; a subtraction and its result in words; "头：" before a header
# name; a hedge of two right conditions in brackets (told "not one of the upstream conditions",
# as if it named none); an aside after the lesson's own Chinese words for backoff, or after the
# option in English that says how many tries.
ASIDES_RIGHT = [
    ("504.or-502", "504，A 是 502"),
    ("504.or-502", "504, A is 502"),
    ("504.or-502", "504; A got 502"),
    ("503.how-many-shed", "8 减 3，也就是 5"),
    ("503.how-many-shed", "8 - 3, that is 5"),
    ("503.how-many-shed", "八减三，即五个"),
    ("500.find-the-traceback", "头：X-Request-ID"),
    ("gateways.envoy-uf", "refused（或 connect-timeout）"),
    ("gateways.envoy-uf", "refused (or connect-timeout)"),
    ("502.retry", "用指数退避重试，最多几次"),
    ("502.retry", "用指数退避重试，最多 3 次"),
    ("502.retry", "retry with exponential backoff, at most 3 times"),
]
# their near misses: the wrong status for B first, the wrong result, the wrong header, the
# wrong option before the aside (counted wrong); two answers for B, a hedge in the result or
# in brackets, a denial or another option after the comma (refused, not counted)
ASIDES_WRONG = [
    ("504.or-502", "502，A 是 504"),
    ("503.how-many-shed", "8 减 3，也就是 4"),
    ("500.find-the-traceback", "头：Retry-After"),
    ("502.retry", "立即循环重试，最多几次"),
]
ASIDES_REFUSED = [
    ("504.or-502", "504，B 是 502"),
    ("504.or-502", "504 or 502, A is 502"),
    ("503.how-many-shed", "8 - 3, that is 5 or 6"),
    ("503.how-many-shed", "8 - 3, that is about 5"),
    ("gateways.envoy-uf", "refused (or reset)"),
    ("502.retry", "用指数退避重试，不要太多次"),
    ("502.retry", "用指数退避重试，或者立即重试"),
    ("502.retry", "retry at once in a loop, or with backoff 3 times"),
]


# Answers as a learner types them in a chat or notes: full-width digits and letters from an
# IME, Markdown and quotes around them, a "yes" before the answer. Each accepted; their near
# misses wrong. "yes, Allow" was refused as no header name while "yes, 504" was 504.
DRESSED_RIGHT = [
    ("504.or-502", "ＨＴＴＰ／１．１　５０４　Ｇａｔｅｗａｙ　Ｔｉｍｅｏｕｔ"),
    ("504.or-502", "```\n504\n```"),
    ("504.or-502", "**504 Gateway Timeout**"),
    ("504.or-502", "『504』"),
    ("500.find-the-traceback", "Ｘ＿Ｒｅｑｕｅｓｔ＿ＩＤ："),
    ("500.find-the-traceback", "the `X-Request-ID` header"),
    ("501.allow-header", "yes, Allow"),
    ("501.allow-header", "对，Allow"),
    ("505.426-headers", "**Upgrade**, **Connection**"),
    ("gateways.nginx-premature-close", "`Condition.CLOSED_WITHOUT_RESPONSE`"),
    ("503.how-many-shed", "「五个」"),
]
DRESSED_WRONG = [
    ("504.or-502", "**502**"),
    ("501.allow-header", "yes, Retry-After"),
    ("503.how-many-shed", "３"),
]
# the question's own words given back: the reference it quotes is no header name (it was
# counted as a wrong header, "that header is not where the reference is")
DRESSED_REFUSED = [
    ("500.find-the-traceback", "req-0001"),
    ("501.allow-header", "yes"),
    ("504.or-502", "**502** or **504**"),
]


def test_the_reference_the_question_quotes_is_said_to_be_no_header_name() -> None:
    message = exercises.get("500.find-the-traceback").check("req-0001").message
    assert "a value the question quotes, not a header name" in message


@pytest.mark.parametrize(
    ("answer", "name"),
    [
        ("It is X-Request-ID.", "x-request-id"),
        ("it's X-Request-ID", "x-request-id"),
        ("That is Allow.", "allow"),
        ("It must carry Allow.", "allow"),
        ("The 405 must include Allow", "allow"),
        ("It should be Retry-After", "retry-after"),
    ],
)
def test_a_header_said_in_a_sentence_is_its_name(answer, name) -> None:
    """Examined as a careful learner: 'It is X-Request-ID.' (500 q2) and 'It must carry
    Allow.' (501 q2) were read as the headers 'it-is-x-request-id' and 'it-must-carry-allow'
    and counted as wrong. Fails before."""
    assert answers.canonical("header", answer) == name


@pytest.mark.parametrize("answer", ["It is not Allow.", "it is maybe Allow"])
def test_a_header_said_in_a_sentence_still_denies_or_hedges(answer) -> None:
    with pytest.raises(answers.WrongKind):
        answers.canonical("header", answer)


def test_a_header_said_in_a_sentence_with_two_names_names_both() -> None:
    assert answers.canonical("header", "It is Allow or Vary") == "allow | vary"


# Examined as careful learners write, in English and Chinese: a condition said as a clause
# (who did what to the connection), the condition in brackets after what Envoy's flag means,
# a count of the headers listed ("both headers", 两个头), a status's reason phrase before an
# aside in Chinese, "not" in a clause about the answer or after a dash (a capstone cause's
# too), Go's "dial" timing out, "never" in what follows a colon, the label after the status
# ("504 for B"). Each was refused (not counted) before.
EXAMINED_RIGHT = [
    ("gateways.envoy-uf", "upstream connection failure (refused)"),
    ("gateways.envoy-uf", "上游连接失败（连接被拒绝）"),
    ("gateways.envoy-uf", "the upstream refused the connection"),
    ("gateways.envoy-uf", "connection to the upstream was refused"),
    ("gateways.nginx-premature-close", "上游关闭了连接"),
    ("gateways.caddy-dial-timeout", "the dial timed out"),
    ("gateways.caddy-dial-timeout", "connect-timeout: the upstream never accepted in time"),
    ("505.426-headers", "Upgrade 和 Connection 两个头"),
    ("505.426-headers", "两个头：Upgrade 和 Connection"),
    ("505.426-headers", "both headers, Upgrade and Connection"),
    ("505.426-headers", "the two headers Upgrade and Connection"),
    ("501.python-http-server", "405 Method Not Allowed（带 Allow）"),
    ("501.python-http-server", "HTTP/1.1 405 Method Not Allowed（带 Allow）"),
    ("501.python-http-server", "405 方法不被允许（带 Allow）"),
    ("503.retry-after-header", "Retry-After header, which is not always sent"),
    ("504.or-502", "504 — B does not answer in time"),
    ("504.or-502", "504 for B, 502 for A"),
    ("capstone.incident-6", {"made_by": "origin", "cause": "maintenance — it is not broken"}),
    (
        "capstone.incident-2",
        {"made_by": "origin", "cause": "handler-bug, as it is not the gateway"},
    ),
    ("capstone.incident-8", {"made_by": "origin", "cause": "overload, 容量不够"}),
    ("503.retry-after-header", "是 Retry-After 头"),
    ("503.retry-after-header", "Retry-After 响应头，它不总是有"),
    ("gateways.nginx-premature-close", "the upstream closed the connection early"),
    ("gateways.caddy-dial-timeout", "the connection attempt timed out"),
]
# their near misses: the wrong condition, option, header or status in the same form (counted
# wrong) ...
EXAMINED_WRONG = [
    ("gateways.envoy-uf", "upstream connection failure (reset)"),
    ("gateways.envoy-uf", "上游重置了连接"),
    ("gateways.caddy-dial-timeout", "the upstream refused the connection"),
    ("gateways.caddy-dial-timeout", "the read timed out"),
    ("505.426-headers", "Upgrade, both"),
    ("501.python-http-server", "405 Method Not Allowed（不带 Allow）"),
    ("501.python-http-server", "501 Not Implemented（带 Allow）"),
    ("503.retry-after-header", "Expires header, which is not Retry-After"),
    ("504.or-502", "502 — B says nothing"),
    ("501.allow-header", "it is Vary"),
    ("504.or-502", "502 for B, 504 for A"),
    ("capstone.incident-6", {"made_by": "origin", "cause": "overload — the origin is not broken"}),
    ("capstone.incident-8", {"made_by": "origin", "cause": "maintenance, 维护窗口"}),
    ("503.retry-after-header", "是 Expires 头"),
    ("gateways.nginx-premature-close", "the upstream refused the connection early"),
    ("gateways.caddy-dial-timeout", "the read attempt timed out"),
]
# ... and the same forms that deny, hedge or name no header at all (refused, not counted):
# "it is" was read as the header "it-is" and counted as a wrong header; a hedge in the clause
# after a status ("504, which I am not sure about") was set aside with the clause, and counted
EXAMINED_REFUSED = [
    ("501.allow-header", "it is"),
    ("503.retry-after-header", "it is"),
    ("501.allow-header", "that header"),
    ("gateways.envoy-uf", "the upstream did not refuse the connection"),
    ("gateways.envoy-uf", "upstream connection failure (not refused)"),
    ("gateways.envoy-uf", "upstream connection failure (maybe refused)"),
    ("gateways.envoy-uf", "上游没有拒绝连接"),
    ("gateways.caddy-dial-timeout", "connect-timeout: no"),
    ("504.or-502", "502 - no, 504"),
    ("503.retry-after-header", "Retry-After, which is wrong"),
    ("505.426-headers", "Upgrade 或 Connection 两个头"),
    ("504.or-502", "504, which I am not sure about"),
    ("504.or-502", "504, though I might be wrong"),
    ("504.or-502", "504 for A"),
    ("capstone.incident-6", {"made_by": "origin", "cause": "not maintenance — it is down"}),
    ("capstone.incident-8", {"made_by": "origin", "cause": "overload, maintenance"}),
    ("capstone.incident-8", {"made_by": "origin", "cause": "overload, maybe maintenance"}),
    ("capstone.incident-8", {"made_by": "origin", "cause": "overload, refused"}),
    ("capstone.incident-8", {"made_by": "origin", "cause": "overload, not really"}),
    ("504.or-502", "504, not really"),
    (
        "capstone.incident-4",
        {"made_by": "portal", "cause": "network-login — because of maintenance"},
    ),
    ("501.allow-header", "Allow，它不是"),
    ("503.retry-after-header", "Retry-After，它可能是"),
]


@pytest.mark.parametrize(
    ("cause", "key"),
    [
        ("the upstream refused the connection", "refused"),
        ("the server refused the connection", "refused"),
        ("nothing listens", "refused"),
        ("nobody is listening", "refused"),
        ("the connection timed out", "connect-timeout"),
    ],
)
def test_a_capstone_cause_said_as_a_clause_is_that_cause(cause: str, key: str) -> None:
    """A cause said as a sentence ("the upstream refused the connection") or in the list's
    own words ("nothing listens", the description of refused) was no cause: refused, not
    counted, as a typo would be. Read, it is judged: wrong for incident 5 (a connect timeout)."""
    assert answers.cause(cause) == key
    result = exercises.get("capstone.incident-5").check({"made_by": "gateway", "cause": cause})
    assert result.correct is (key == "connect-timeout"), result.message


# A second examination of the same lessons: a cause or condition whose own words say "not"
# ("the upstream sent something that is not HTTP", "has not logged in to the network"), the
# connect timeout's description in Chinese ("上游没有及时接受连接"), what follows a colon
# naming the same condition again ("closed-without-response: the upstream closed before
# sending headers"), a cause then how after a colon, every upstream said unhealthy. Each was
# refused (not counted) before; their near misses name another cause or condition, deny or
# hedge.
REEXAMINED_CAUSES_RIGHT = [
    (
        "gateways.nginx-premature-close",
        "closed-without-response: the upstream closed before sending headers",
    ),
    ("gateways.caddy-dial-timeout", "上游没有及时接受连接"),
    ("gateways.caddy-dial-timeout", "the upstream never accepted the connection in time"),
    (
        "capstone.incident-5",
        {"made_by": "gateway", "cause": "connect timeout: the connection was never accepted"},
    ),
    (
        "capstone.incident-7",
        {"made_by": "gateway", "cause": "the upstream sent something that is not HTTP"},
    ),
    ("capstone.incident-7", {"made_by": "gateway", "cause": "上游返回的东西不是 HTTP"}),
    (
        "capstone.incident-4",
        {"made_by": "portal", "cause": "the visitor has not logged in to the café's network"},
    ),
    ("capstone.incident-4", {"made_by": "portal", "cause": "访客还没有登录咖啡馆的网络"}),
    (
        "capstone.incident-1",
        {"made_by": "gateway", "cause": "every upstream in the pool is unhealthy"},
    ),
]
REEXAMINED_CAUSES_WRONG = [
    (
        "capstone.incident-5",
        {"made_by": "gateway", "cause": "refused: the connection was never accepted"},
    ),
    ("capstone.incident-6", {"made_by": "origin", "cause": "the visitor has not logged in"}),
    (
        "capstone.incident-8",
        {"made_by": "origin", "cause": "every upstream in the pool is unhealthy"},
    ),
]
REEXAMINED_CAUSES_REFUSED = [
    (
        "gateways.nginx-premature-close",
        "closed-without-response: the upstream reset the connection",
    ),
    ("gateways.caddy-dial-timeout", "the upstream never accepted the connection"),
    (
        "gateways.caddy-dial-timeout",
        "not connect-timeout, the upstream never accepted the connection in time",
    ),
    (
        "capstone.incident-7",
        {"made_by": "gateway", "cause": "the upstream sent something that is not HTTP, maybe"},
    ),
    (
        "capstone.incident-7",
        {"made_by": "gateway", "cause": "it is not HTTP, it is in maintenance"},
    ),
    ("capstone.incident-1", {"made_by": "gateway", "cause": "not every upstream is unhealthy"}),
]


# A cause said in two clauses joined by "and", each naming the same cause ("the origin is
# overloaded and sheds requests"): refused as a list of causes before. Two causes joined, a
# hedge ("or"), or a part naming no cause still name none.
JOINED_CAUSES_RIGHT = [
    (
        "capstone.incident-8",
        {"made_by": "origin", "cause": "the origin is overloaded and sheds requests"},
    ),
    (
        "capstone.incident-2",
        {"made_by": "origin", "cause": "the handler raised an exception and crashed"},
    ),
]
JOINED_CAUSES_WRONG = [
    (
        "capstone.incident-6",
        {"made_by": "origin", "cause": "the origin is overloaded and sheds requests"},
    ),
]
JOINED_CAUSES_REFUSED = [
    (
        "capstone.incident-8",
        {"made_by": "origin", "cause": "the origin is overloaded and in maintenance"},
    ),
    (
        "capstone.incident-8",
        {"made_by": "origin", "cause": "the origin is overloaded or sheds requests"},
    ),
    ("capstone.incident-8", {"made_by": "origin", "cause": "overloaded and slow"}),
]


# Every table above of a kind of form, by its name: its right answers (accepted), its near misses
# counted wrong, and those refused (not counted). Each table had its own three tests, the same
# three; a new table of forms joins here.
VERDICT_TABLES: dict[str, tuple[Sequence[tuple[str, object]], ...]] = {
    "sentences": (SENTENCES_RIGHT, SENTENCES_WRONG, SENTENCES_REFUSED),
    "pasted": (PASTED_RIGHT, PASTED_WRONG, PASTED_REFUSED),
    "asides": (ASIDES_RIGHT, ASIDES_WRONG, ASIDES_REFUSED),
    "dressed": (DRESSED_RIGHT, DRESSED_WRONG, DRESSED_REFUSED),
    "examined": (EXAMINED_RIGHT, EXAMINED_WRONG, EXAMINED_REFUSED),
    "reexamined-causes": (
        REEXAMINED_CAUSES_RIGHT,
        REEXAMINED_CAUSES_WRONG,
        REEXAMINED_CAUSES_REFUSED,
    ),
    "arrows": (ARROWS_RIGHT, ARROWS_WRONG, []),
    "joined-causes": (JOINED_CAUSES_RIGHT, JOINED_CAUSES_WRONG, JOINED_CAUSES_REFUSED),
}


def _form_id(form: object) -> str:
    if isinstance(form, dict):
        return f"{form['made_by']}/{form['cause']}"
    return str(form)


def _verdict_cases(verdict: int) -> list[object]:
    """The (qid, form) cases of every table for one verdict (0 right, 1 wrong, 2 refused),
    each with an id naming its table, quiz and form: 'asides:504.or-502:504, A is 502'."""
    return [
        pytest.param(qid, form, id=f"{table}:{qid}:{_form_id(form)}")
        for table, tables in VERDICT_TABLES.items()
        for qid, form in tables[verdict]
    ]


@pytest.mark.parametrize(("qid", "form"), _verdict_cases(0))
def test_a_right_answer_in_such_a_form_is_accepted(qid: str, form: object) -> None:
    result = exercises.get(qid).check(form)
    assert result.correct is True, result.message


@pytest.mark.parametrize(("qid", "form"), _verdict_cases(1))
def test_a_wrong_answer_in_such_a_form_is_wrong(qid: str, form: object) -> None:
    result = exercises.get(qid).check(form)
    assert result.correct is False, result.message


@pytest.mark.parametrize(("qid", "form"), _verdict_cases(2))
def test_such_a_form_that_hedges_denies_or_names_something_else_is_refused_not_counted(
    qid: str, form: object
) -> None:
    result = exercises.get(qid).check(form)
    assert result.correct is None and result.refused, result.message
    if (qid, form) in ASIDES_REFUSED:  # the aside's hedge or denial is named
        assert "not one of the upstream conditions" not in result.message
