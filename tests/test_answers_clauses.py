"""Answers as learners write them around the answer itself: a reason after it (with "not" in
it, after a dash, a semicolon or a Chinese comma), what happens to the requests a count
counts ("5 requests are not served"), a status given where a count is asked, an answer
named and then taken back ("Allow, which is wrong"), and the capstone's network login said
the right and the wrong way round.

Each block below is one short-answer or choice question of lessons 01, 02, 03 and 06, and
lesson 04's count. A line is the verdict wanted, then the answer: "+" accepted, "?" refused as
no answer of the kind asked (not counted), "!" anything but accepted (a near miss, which a
lenient matcher would let pass).
"""

from __future__ import annotations

import pytest
from helpers import misjudged

from labkit.exercises import answers
from labkit.exercises import lesson_500 as L500
from labkit.exercises import lesson_501 as L501
from labkit.exercises import lesson_502 as L502
from labkit.exercises import lesson_503 as L503
from labkit.exercises import lesson_504 as L504
from labkit.exercises import lesson_505 as L505
from labkit.exercises.core import Exercise

EXAMINED = [
    (
        L500.q1,
        """
! origin - not sure
! the origin — maybe
! origin (not sure)
! origin - not really
+ 源服务器，因为 Proxy-Status 说 received-status=500
! the gateway, so the origin or the client
+ origin
+ The origin.
+ the origin server
+ Origin server.
+ 源服务器
+ 源服务器。
+ the origin — the gateway only relayed it
+ origin, because Proxy-Status says received-status=500
+ origin (labkit-origin)
+ the origin, not the gateway
+ origin server, since the gateway did not make it
+ It was the origin.
+ ORIGIN
+ 是源服务器，网关只是转发
+ 源服务器（网关只是转发）
+ the origin made it
+ the application server
+ origin；
+ 'origin'
+ the origin, which raised ValueError
! gateway
! the gateway
! the gateway, because of Via
! not the origin
! origin or gateway
! 网关
! maybe the origin
! the origin?
! client
! the origin, which is wrong
! origin — wrong
""",
    ),
    (
        L500.q2,
        """
+ X-Request-ID, which holds req-0001
+ X-Request-ID; it matches the log line
+ X-Request-ID 头，和日志里的一样
! X-Request-ID, it isn't
+ X-Request-ID。
+ 「X-Request-ID」
+ X-Request-ID 头。
+ X-Request-ID
+ x-request-id
+ X-Request-ID:
+ the X-Request-ID header
+ X-Request-Id.
+ "X-Request-ID"
+ X-Request-ID: req-0001
+ X-Request-ID header, which carries req-0001
+ X-Request-ID — it is also in the log
+ X-Request-ID, because the log entry starts with it
+ X-Request-ID 响应头
+ 响应头 X-Request-ID。
+ X-Request-ID，因为日志里也有它
+ X_Request_ID
+ X-Request-ID (not Via)
+ X-Request-ID, not Via
+ X-Request-ID；
+ X-Request-ID header, not the Server header
! Request-ID
! Via
! Server
! X-Request-ID or Via
! not X-Request-ID
! X-Request-ID, which is wrong
! X-Request-ID (wrong)
! X-Request-ID — which is wrong
! req-0001
! X-Request
! X-Correlation-ID
""",
    ),
    (
        L500.q3,
        """
+ leaks internals
+ It leaks internals.
+ leaks internals, because the traceback shows code and values
+ it leaks internal details
+ 泄露内部信息
+ leaks internals — attackers see the code
+ leaks internals (paths, values)
+ LEAKS INTERNALS
+ leaks internals.
! hides the error
! loses the log
! leaks internals or loses the log
! not leaks internals
! leaks internals, which is wrong
""",
    ),
    (
        L500.q4,
        """
+ check before resending
+ Check before resending.
+ check before resending, because POST is not idempotent
+ check before resending — the order may exist already
+ check first, then resend if not created
+ 先检查再重发
+ check before resending; POST is not idempotent
! retry until it works
! retry once after a pause
! switch to GET
! retry once after a pause, since it is a 500
! not check before resending
! check before resending, which is wrong
""",
    ),
    (
        L501.q1,
        """
+ ５０１。
+ 「501」
+ 501！
+ 答案：501
+ 501 Not Implemented（未实现）
+ the status is 501
+ 501
+ 501 Not Implemented
+ HTTP/1.1 501 Not Implemented
+ 501.
+ 501 not implemented
+ "501"
+ Not Implemented
+ five hundred one
+ five oh one
+ ５０１
+ 501，因为服务器不认识 BREW
+ 501 未实现
+ 501, because BREW is not a method it knows
+ 501 — the server does not know BREW
+ 501 (not 405)
+ 501, not 405
+ the answer is 501
+ 501 Not Implemented.
+ 501: the method is unknown everywhere
! 405
! 405 Method Not Allowed
! 400
! 404
! 501 or 405
! not 501
! 501, which is wrong
! 501 — wrong
! 501?
! maybe 501
! 5xx
""",
    ),
    (
        L501.q2,
        """
! Allow - not sure
! Allow — maybe
! Allow (not sure)
! Allow - not really
! Allow（可能）
+ Allow; it lists the methods
+ Allow, which isn't sent by http.server
! Allow, which isn't it
! Allow; it is wrong
+ Allow
+ allow
+ Allow:
+ the Allow header
+ Allow.
+ "Allow"
+ Allow: GET, HEAD, OPTIONS
+ Allow header, listing GET, HEAD, OPTIONS
+ Allow, because it lists the allowed methods
+ Allow — it lists GET, HEAD and OPTIONS
+ Allow 头
+ Allow 响应头。
+ Allow，列出允许的方法
+ an Allow header
+ ALLOW
+ Allow (RFC 9110 15.5.6)
+ Allow, not Retry-After
+ It must carry an Allow header.
+ The 405 must carry Allow.
+ Allow: the methods it does allow
! Retry-After
! Allow or Upgrade
! not Allow
! Allow, which is wrong
! Allow — which is wrong
! Allow (which is wrong)
! Allow header, which is wrong
! Allow - wrong
! Allowed
! Accept
! Allow？
! Allow，这是错的
""",
    ),
    (
        L501.q4,
        """
+ 400
+ 400 Bad Request
+ HTTP/1.1 400 Bad Request
+ 400.
+ bad request
+ 400, because chunked is not last
+ 400 — the framing is broken
+ 400 错误请求
+ 400，因为 chunked 不是最后一个
+ four hundred
+ 400 (and close the connection)
+ 400 Bad Request, then close the connection
+ 400, not 501
! 501
! 411
! 200
! 400 or 501
! not 400
! 400, which is wrong
! 400?
""",
    ),
    (
        L501.q5,
        """
+ 405 with Allow
+ 405 with an Allow header
+ 405 Method Not Allowed with Allow
+ 405 with Allow, listing GET and HEAD
+ 405 带 Allow 头
+ 405, with Allow
+ 405 with Allow.
+ 405 (with Allow)
+ 405 Method Not Allowed, with an Allow header
+ 405 with Allow, because a 405 must list what is allowed
! 405 without Allow
! 405
! 501
! 404
! 405 with Allow, which is wrong
! 405 with or without Allow
! 405 without an Allow header
""",
    ),
    (
        L502.q1,
        """
+ a 500 from the handler
+ 500 from the handler
+ the 500 from the handler
+ a 500 from the handler, because it is valid HTTP
+ a 500 from the handler.
+ 500
+ 处理函数给出的 500
+ a 500 from the handler — the gateway relays it
! garbage bytes
! connection refused
! reset before headers
! a 500 from the handler or garbage bytes
! not a 500 from the handler
! a 500 from the handler, which is wrong
""",
    ),
    (
        L502.q2,
        """
! 200 - not sure
! 200 — maybe
! 200 — I guess
! 200 (not sure)
! 200 – probably
+ 200 — not a 502
+ 200 but the body is not complete
! 200 but maybe 502
! 200 but not really
! 200 - not really
+ ２００
+ 200。
+ “200 OK”
+ a 200
+ it gets a 200 OK
+ 200
+ 200 OK
+ HTTP/1.1 200 OK
+ 200.
+ OK
+ 200, with a short body
+ 200 — the body is cut
+ 200, because the status line was already sent
+ 200, but the body is incomplete
+ 200 (the body is incomplete)
+ two hundred
+ 200 成功
+ 200，但正文不完整
+ 200 OK, but only 10 bytes of body
+ 200, not 502
! 502
! 502 Bad Gateway
! 500
! 200 or 502
! not 200
! 200, which is wrong
! 200?
! 206
! 2xx
""",
    ),
    (
        L502.q3,
        """
+ retry with backoff
+ Retry with backoff.
+ retry with exponential backoff
+ retry with backoff, because the 502 may be temporary
+ retry with backoff — a GET is safe to repeat
+ 带退避地重试
+ retry, with backoff
+ retry after a backoff
! retry at once in a loop
! never retry
! retry, even a POST
! retry with backoff or never retry
! not retry with backoff
! retry with backoff, which is wrong
""",
    ),
    (
        L505.q1,
        """
+ 505！
+ HTTP 505
+ a 505
! 5xx
! HTTP/1.1
+ 505
+ 505 HTTP Version Not Supported
+ HTTP/1.1 505 HTTP Version Not Supported
+ 505.
+ HTTP Version Not Supported
+ 505, because the server does not speak HTTP/2 in text
+ 505 — HTTP/2 is not spoken as text
+ 505 HTTP 版本不受支持
+ five oh five
+ 505 (not 400)
! 400
! 426
! 200
! 505 or 426
! not 505
! 505, which is wrong
""",
    ),
    (
        L505.q3,
        """
+ Upgrade and Connection: upgrade
+ Upgrade and Connection
+ Upgrade, Connection
+ Upgrade: websocket and Connection: upgrade
+ both Upgrade and Connection
+ Upgrade and Connection: upgrade.
+ Upgrade 和 Connection
+ Upgrade + Connection: upgrade
! Upgrade
! Retry-After
! Alt-Svc
! Upgrade and Connection: close
! Upgrade and Connection: upgrade, which is wrong
""",
    ),
    (
        L505.q4,
        """
+ ALPN
+ alpn
+ ALPN.
+ Application-Layer Protocol Negotiation
+ ALPN, in the TLS handshake
+ ALPN (in the TLS handshake)
+ ALPN, because HTTP/2 is negotiated in TLS
+ ALPN — during the TLS handshake
+ 用 ALPN
+ via ALPN
+ by ALPN
! Upgrade: h2c
! HTTP/2.0 in the request line
! retry after a 505
! ALPN or Upgrade: h2c
! not ALPN
! ALPN, which is wrong
""",
    ),
    (
        L503.q3,
        """
+ 5 requests: 3 are served and 5 aren't
+ 3 succeed, the other 5 don't
! 5, 3
! 3, 5 are served
+ ５个
+ 五个。
+ 5 个请求被卸载
+ 3 are served, 5 are not
+ 5
+ 5 requests are not served
+ 5 — 3 fit, the rest do not
+ 5 - 3 fit, the rest do not
+ five requests
+ 5.
+ five
+ 5 requests don't get served
+ 5 requests not served
+ 5, because only 3 fit
+ 5; 3 fit and the rest are shed
+ 5 are not served
+ 5 of them are not served
+ 五个请求没有被处理
+ 5 个没被服务
+ 5 requests aren't served: only 3 fit
+ 5 requests won't be served
+ 5 requests never get served
+ 5 requests are shed with 503
+ five, since 3 fit
? 503
? 503 requests
! 3
! 8
! 5 or 3
! not 5
! 5, which is wrong
! 5 is not right
! 5 isn't the answer
! 3 requests are not served
! 5 are served
""",
    ),
]


@pytest.mark.parametrize(("q", "block"), EXAMINED, ids=[q.id for q, _ in EXAMINED])
def test_answers_as_learners_write_them_get_their_verdict(q: Exercise, block: str) -> None:
    wrong = misjudged(q, block)
    assert not wrong, "\n".join(wrong)


def test_a_status_given_for_a_count_says_a_number_of_requests_is_asked() -> None:
    for given in ("503", "503 requests", "HTTP 503"):
        result = L503.q3.check(given)
        assert not result and "how many requests get 503" in result.message, (given, result)
        assert "count them" not in result.message


def test_a_count_said_as_served_counts_the_200s() -> None:
    """ "5 are served" says 5 requests got a 200: wrong, where 5 alone (or shed) is right."""
    assert not L503.q3.check("5 are served")
    assert not L503.q3.check("3 requests are not served")
    assert L503.q3.check("3 are served, 5 are not")
    assert L503.q3.check("5 requests are not served")


def test_the_chinese_words_of_an_option_said_with_the_verbs_helpers_name_it() -> None:
    """ "它会一直等" says "它一直等下去" (the option "nothing, it waits forever"): judged as that
    option, a wrong one with its own feedback, where it was refused as no option."""
    for given in ("它会一直等", "会一直等下去", "一直等"):
        assert L504.q4.option(given) == "nothing, it waits forever", given
    wrong = L504.q4.check("它会一直等")
    assert not wrong and "does not wait for ever" in wrong.message
    # a clause that is a word of another option too names none: 重试 ("retry") is a clause of
    # "重试，连 POST 也重试" and a word of "带退避地重试", as "retry" names no option
    with pytest.raises(answers.WrongKind):
        L502.q3.option("重试")


@pytest.mark.parametrize(
    "given",
    [
        "the visitor is logged in",
        "visitor logged in",
        "the visitor is already signed in",
        "访客已登录",
        "用户已经登录了",
    ],
)
def test_a_visitor_who_is_logged_in_is_no_network_login(given: str) -> None:
    """Network login is the cause where the visitor has not logged in (the portal answers 511
    until they do); "the visitor is logged in" says the opposite, and names no cause of the
    list (it was read as network-login)."""
    assert answers.cause(given) != "network-login"


@pytest.mark.parametrize(
    "given",
    [
        "the visitor has not logged in",
        "the visitor is not logged in",
        "the visitor must log in",
        "the visitor must be logged in",
        "needs to sign in first",
        "访客没有登录",
        "需要登录",
        "login required",
    ],
)
def test_a_visitor_who_has_not_logged_in_is_network_login(given: str) -> None:
    assert answers.cause(given) == "network-login"
