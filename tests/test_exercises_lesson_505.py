"""Lesson 06 (505) exercises: reference solutions pass, typical mistakes fail and say why."""

from __future__ import annotations

import time

import pytest

import labkit
from labkit.exercises.lesson_505 import q1, q2, q3, q4

GOOD_12 = b"GET /orders/7 HTTP/1.2\r\nHost: lab\r\nConnection: close\r\n\r\n"
GOOD_10 = b"GET /orders/7 HTTP/1.0\r\n\r\n"


def test_q1_which_status_for_http2_request_line() -> None:
    assert q1.check("505")
    wrong = q1.check("400")
    assert wrong.correct is False and "malformed" in wrong.message
    two = q1.check("200").message
    assert "major" in two and "505" not in two
    assert "not one of the options" in q1.check("404").message
    blank = q1.check(...)
    assert blank.correct is None and "not answered" in blank.message


def test_q2_served_although_not_1_1(lab: labkit.Lab) -> None:
    result = q2.check(GOOD_12, lab)
    assert result, result.message
    assert "HTTP/1.1 200 OK" in result.message and "6.2" in result.message
    assert q2.check(GOOD_10, lab)
    assert q2.check(GOOD_12.decode(), lab)  # a str is taken as its bytes


def test_q2_typical_mistakes(lab: labkit.Lab) -> None:
    http2 = q2.check(b"GET /orders/7 HTTP/2.0\r\nHost: lab\r\nConnection: close\r\n\r\n", lab)
    assert http2.correct is False and "505" in http2.message and "major version" in http2.message
    assert "HTTP/1.0" not in http2.message and "major version 1" not in http2.message
    same = q2.check(b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\n\r\n", lab)
    assert same.correct is False and "says HTTP/1.1" in same.message
    lower = q2.check(b"GET /orders/7 http/1.2\r\nHost: lab\r\nConnection: close\r\n\r\n", lab)
    assert lower.correct is False and "400" in lower.message and "malformed" in lower.message
    unended = q2.check(b"GET /orders/7 HTTP/1.2\r\nHost: lab\r\n", lab)
    assert unended.correct is False and "head does not end" in unended.message
    missing = q2.check(b"GET /nowhere HTTP/1.2\r\nHost: lab\r\nConnection: close\r\n\r\n", lab)
    assert missing.correct is False and "404" in missing.message and "/orders/7" in missing.message
    not_bytes = q2.check(42, lab)
    assert not_bytes.correct is None and "bytes" in not_bytes.message
    no_lab = q2.check(GOOD_12)
    assert no_lab.correct is None and "pass the lab" in no_lab.message
    blank = q2.check(..., lab)
    assert blank.correct is None and "not answered" in blank.message


def test_q3_headers_of_a_426() -> None:
    assert q3.check("Upgrade and Connection: upgrade")
    assert q3.check("upgrade and connection: UPGRADE")  # case does not matter
    half = q3.check("Upgrade")
    assert half.correct is False and "RFC 9110 7.8" in half.message
    assert "Connection" not in half.message
    assert "503" in q3.check("Retry-After").message
    assert q3.check(...).correct is None


def test_q4_how_http2_is_negotiated() -> None:
    assert q4.check("ALPN")
    wrong = q4.check("HTTP/2.0 in the request line")
    assert wrong.correct is False and "505" in wrong.message
    assert "deprecated" in q4.check("Upgrade: h2c").message
    assert q4.check(...).correct is None


@pytest.mark.parametrize("request_", ["GET /orders/7 HTTP/1.2\r\nHost: ✓\r\n\r\n", b""])
def test_q2_a_request_that_is_not_bytes_is_refused_in_one_line(lab: labkit.Lab, request_) -> None:
    """A str with a character that is no byte raised UnicodeEncodeError, an empty request
    BadArgument, both counted as attempts (issue 14 re-examination)."""
    result = q2.check(request_, lab)
    assert result.refused and "q2.check(b'...', lab)" in result.message, result.message
    assert "\n" not in result.message


@pytest.mark.parametrize("kind", [bytearray, memoryview])
def test_q2_bytes_built_up_are_bytes(lab: labkit.Lab, kind) -> None:
    """A request built in a bytearray (or a view of one) was refused: "give the bytes of a
    whole request ... not a bytearray"."""
    assert q2.check(kind(b"GET /orders/7 HTTP/1.0\r\nHost: x\r\n\r\n"), lab)


@pytest.mark.slow  # an origin slowed by 0.8 s, then a quiet wait
def test_q2_waits_for_a_slow_origin_and_not_after_its_answer(lab: labkit.Lab) -> None:
    """The judge waited 0.5 s for the first byte, so an origin slowed by load (here by its
    own /slow route, 0.8 s) got a correct answer rejected as "no status line"; it now waits
    as long as lab.request does for the answer, and only QUIET after it on a connection the
    origin keeps open (no Connection: close), so that check still ends soon after the 200."""
    from labkit.exercises.lesson_505 import QUIET

    slow = q2.check(b"GET /slow?delay=0.8 HTTP/1.2\r\nHost: lab\r\nConnection: close\r\n\r\n", lab)
    assert slow, slow.message
    started = time.monotonic()
    kept_open = q2.check(b"GET /orders/7 HTTP/1.2\r\nHost: lab\r\n\r\n", lab)
    assert kept_open, kept_open.message
    assert time.monotonic() - started < QUIET + 4  # not lab.raw's wait for a first byte (5 s)
    late = lab.raw(b"GET /slow?delay=0.3 HTTP/1.1\r\nHost: lab\r\n\r\n", timeout=0.1)
    assert late.status == 200 and late.client_error == (
        "no more bytes within 0.1 s (the server kept the connection open)"
    )


def test_q3_asks_about_the_origins_426_and_what_it_says_of_gateways_is_what_they_do(
    lab: labkit.Lab,
) -> None:
    """ "Which header fields must a 426 carry?" with the answer "Upgrade and Connection:
    upgrade" and "the 426's headers show it": but lab.get('/chat') through the lab's gateway
    shows neither (RFC 9110 7.6.1: both are hop-by-hop), as lesson 06 teaches. The question
    asks about the origin's 426, and what the feedback and solution say a gateway does is
    what each personality does over real sockets."""
    from labkit.i18n import render

    for lang in ("en", "zh-CN"):
        assert ("origin's 426" if lang == "en" else "源服务器的这个 426") in render(
            q3.prompt_text, lang
        )
    assert "via='origin'" in q3.check("Upgrade").message
    solution = render(q3.solution_text, "en")
    direct = lab.get("/chat", via="origin")
    assert (direct.status, direct.header("Upgrade"), direct.header("Connection")) == (
        426,
        "websocket",
        "upgrade",
    )
    seen = {}
    try:
        for name in ("rfc", "nginx", "haproxy", "caddy"):
            lab.gateway.personality = name
            relayed = lab.get("/chat")
            assert relayed.status == 426, name
            seen[name] = (relayed.header("Upgrade"), relayed.header("Connection"))
    finally:
        lab.gateway.personality = "rfc"
    assert seen["rfc"] == seen["caddy"] == (None, None), seen
    assert seen["nginx"][0] == "websocket" and seen["nginx"][1] != "upgrade", seen
    assert seen["haproxy"] == ("websocket", "upgrade"), seen
    assert "neither (the lab's gateway, Caddy)" in solution
    assert "Upgrade with the gateway's own Connection (nginx)" in solution
    assert "both (HAProxy)" in solution
