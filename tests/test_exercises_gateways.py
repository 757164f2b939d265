"""Lesson 09's exercises (real gateways disagree): log lines mapped back to upstream conditions."""

from __future__ import annotations

import labkit
from labkit import personalities
from labkit.conditions import Condition
from labkit.exercises.gateways import q1, q2, q3, q4, q5

EXERCISES = [q1, q2, q3, q4, q5]


def logged(gateway: str, words: str) -> set[str]:
    """The conditions for which a personality's table has these log words."""
    table = personalities.get(gateway).table
    return {c.value for c, answer in table.items() if words in answer.log}


def test_the_log_lines_asked_about_are_the_personalities_own() -> None:
    assert logged(
        "nginx", "upstream prematurely closed connection while reading response header"
    ) == {"closed-without-response", "headers-cut"}
    # the two with no server to name log <NOSRV>, not q2's 'server app1'
    assert logged("haproxy", "503 SC--") == {
        "refused",
        "no-healthy-upstream",
        "unreachable",
        "dns-error",
    }
    assert logged("envoy", "503 UF") == {"refused", "connect-timeout", "unreachable"}
    assert logged("caddy", "dial tcp: i/o timeout") == {"connect-timeout"}


def test_q1_nginx() -> None:
    assert q1.check("closed-without-response")
    assert q1.check("headers-cut")
    assert q1.check("CLOSED_WITHOUT_RESPONSE")
    assert q1.check(str(Condition.CLOSED_WITHOUT_RESPONSE))
    reset = q1.check("reset")
    assert reset.correct is False and "Connection reset by peer" in reset.message
    status = q1.check("502")
    assert status.correct is None and "asks for the upstream condition" in status.message


def test_q2_haproxy() -> None:
    right = q2.check("refused")
    assert right and "503" in right.message
    wrong = q2.check("connect-timeout")
    assert wrong.correct is False and "lower-case 's'" in wrong.message
    assert "not one of the options" in q2.check("503").message


def test_q3_envoy() -> None:
    assert q3.check("refused")
    assert q3.check("connect-timeout")
    uh = q3.check("no-healthy-upstream")
    assert uh.correct is False and "UH" in uh.message
    uc = q3.check("closed-without-response")
    assert not uc and "UC" in uc.message


def test_q4_caddy() -> None:
    right = q4.check("connect-timeout")
    assert right and "504" in right.message
    wrong = q4.check("read-timeout")
    assert wrong.correct is False and "Which step does 'dial' name?" in wrong.message
    assert "connect" not in wrong.message.split("504.")[-1]  # the step is the learner's to name
    garbage = q4.check("garbage")  # the upstream's name reads as its condition
    assert garbage.correct is False and "timeout, a close or a refusal" in garbage.message


def test_q5_reference_solution_passes(lab) -> None:
    for name in ("haproxy", "envoy"):
        lab.gateway.personality = name
        result = q5.check(lab)
        assert result, result
        assert name in result.message


def test_q5_wrong_personalities_fail(lab) -> None:
    for name in ("rfc", "nginx", "caddy"):
        lab.gateway.personality = name
        result = q5.check(lab)
        assert result.correct is False
        assert "gave 502" in result.message and name in result.message
    assert "pass the lab" in q5.check("haproxy").message


def test_q5_a_503_for_another_reason_than_the_refused_connection_fails(lab) -> None:
    """The route made to check its upstream's health, the personality left as 'rfc': the
    gateway answers 503 "every upstream of the pool is marked unhealthy" without trying the
    refused upstream, and the judge said Correct, "with the rfc personality the gateway
    answers the refused connection with its own 503" (fails before). The question is what a
    personality answers for a refused connection: the judge now needs one in the exchange."""
    lab.gateway.route("/up/refused/").health_checked = True
    assert lab.get("/up/refused/").status == 503  # the lab's own 503, no connection tried
    for name in ("rfc", "haproxy"):
        lab.gateway.personality = name
        result = q5.check(lab)
        assert result.correct is False, result.message
        assert "did not try the upstream" in result.message, result.message
        assert name != "rfc" or "marked unhealthy" in result.message  # the lab's own words
    lab.gateway.route("/up/refused/").health_checked = False
    assert q5.check(lab)  # haproxy, the refused connection tried: its 503


def _depth(text: str) -> int:
    """How deep brackets nest in ``text``: "(a (b))" is 2."""
    deepest = depth = 0
    for ch in text:
        depth += ch in "(（"
        depth -= ch in ")）"
        deepest = max(deepest, depth)
    return deepest


def test_q5_success_sets_the_gateways_words_in_no_brackets_of_its_own(lab) -> None:
    """The success line put the gateway's reason in brackets, and Envoy's reason has its
    long title's aside and its flag's meaning in brackets already: "503 (Envoy, ... (from its
    documentation ...) answers 503: 503 UF (upstream connection failure))" (fails before)."""
    with labkit.start(lang="zh-CN") as chinese:
        for each in (lab, chinese):
            for name in ("envoy", "haproxy"):
                each.gateway.personality = name
                result = q5.check(each)
                assert result, result.message
                assert _depth(result.message) <= 1, result.message
