"""Exercises of lesson 09 (real gateways disagree): read a real gateway's log, name the cause.

Answers are upstream conditions as ``labkit.conditions.Condition`` names them
("refused", "connect-timeout", "read-timeout", ...). The log words are the ones in
``labkit.personalities`` (nginx, HAProxy and Caddy observed; Envoy from its docs and source).
The notebook imports ``q1`` ... ``q5``.
"""

from __future__ import annotations

from typing import Any

from labkit.conditions import Condition
from labkit.exercises.checks import CheckedTask, Run, expect, lab_param
from labkit.exercises.core import hop_name, make_choice, make_short_answer
from labkit.exercises.observe import failed_on, made_by, maker
from labkit.i18n import Listed, Msg, Text
from labkit.recorder import Role

LESSON = "09"

CONDITIONS = Listed(c.value for c in Condition)


def _accepted(*conditions: Condition) -> list[str]:
    return [c.value for c in conditions]


def _feedback(plain: dict[str, Text]) -> dict[str, Text]:
    """Feedback by condition (every spelling of a condition reads as its value)."""
    return plain


# -- q1: nginx --

_NGINX = "gateways.nginx-premature-close"
q1 = make_short_answer(
    _NGINX,
    LESSON,
    Msg(
        "nginx's error.log says: 'upstream prematurely closed connection while reading response "
        "header from upstream', and the client got 502. Name the upstream condition "
        "(one of: {conditions}).",
        conditions=CONDITIONS,
    ),
    accepted=_accepted(Condition.CLOSED_WITHOUT_RESPONSE, Condition.HEADERS_CUT),
    why=_feedback(
        {
            "closed-without-response": Msg(
                "the upstream closed the connection "
                "(FIN) before nginx had a complete response head. nginx writes the same words when the "
                "upstream closes in the middle of its headers (headers-cut)."
            ),
            "headers-cut": Msg(
                "the upstream closed the connection before its "
                "headers were complete. nginx writes the same words when nothing at all was sent "
                "(closed-without-response)."
            ),
            "reset": Msg(
                "a reset reads differently in nginx's log: 'recv() failed (104: "
                "Connection reset by peer)'. Which words of this line say how the connection "
                "ended?"
            ),
            "read-timeout": Msg(
                "a read timeout reads 'upstream timed out (110: "
                "Connection timed out)' and gives 504; this line names no timeout. What does it "
                "say the upstream did?"
            ),
            "refused": Msg(
                "a refused connection never reaches 'reading response header': "
                "nginx logs 'connect() failed (111: Connection refused) while connecting to upstream'."
            ),
        },
    ),
    hints=(
        Msg(
            "'while reading response header' tells you the connection was made and the request "
            "sent: nginx was waiting for the status line and headers."
        ),
        Msg("'Prematurely closed' is an orderly close (FIN), not a reset (RST) and not a timeout."),
    ),
    kind="condition",
    default=Msg(
        "that condition would read differently in the log: which phase does the log line name, and was it a timeout, a close or a refusal?"
    ),
    solution=Msg(
        "closed-without-response (or headers-cut: nginx logs both with these words). The "
        "upstream closed the connection before nginx had a complete response head; nginx answered "
        "502. See labkit.personalities.NGINX.table."
    ),
)

# -- q2: HAProxy --

q2 = make_choice(
    "gateways.haproxy-sc",
    LESSON,
    Msg(
        "HAProxy logs a request to server app1 with status 503 and termination state 'SC--'. "
        "Which upstream condition was it?"
    ),
    # in the order of the termination states HAProxy logs for them, sC--, SC--, sH--, SH--:
    # phase by phase, the timeout before the server's abort (tests/test_exercises_options.py)
    ["connect-timeout", "refused", "read-timeout", "closed-without-response"],
    "refused",
    why={
        "refused": Msg(
            "'S' means the server side aborted or refused, 'C' that HAProxy was "
            "still connecting. The connection was refused, and HAProxy answers 503 where nginx "
            "says 502. (With no server left to try, HAProxy logs the same SC-- and names "
            "<NOSRV> instead of a server.)"
        ),
        "connect-timeout": Msg(
            "close: the 'C' does mean HAProxy was still connecting, but a "
            "timeout is a lower-case 's' ('sC--'). What does the upper-case 'S' in SC-- say?"
        ),
        "read-timeout": Msg(
            "a read timeout happens after the connection, while waiting for "
            "headers: HAProxy logs '504 sH--' ('H' for headers, lower-case 's' for a timeout)."
        ),
        "closed-without-response": Msg(
            "a close after the connection was made is 'SH--' ('H': "
            "waiting for headers) and gives 502. 'C' says the connection never got made."
        ),
    },
    hints=(
        Msg(
            "HAProxy's termination state: the first letter says who ended it (upper-case S: the "
            "server aborted or refused; lower-case s: a server-side timeout)."
        ),
        Msg(
            "The second letter says in which phase: C while connecting, H while waiting for "
            "headers, D during the body."
        ),
    ),
    solution=Msg(
        "refused: 'S' (the server side refused) + 'C' (during the connection). HAProxy "
        "answers 503 for a refused connection; nginx and the lab's default answer 502."
    ),
)

# -- q3: Envoy --

_ENVOY = "gateways.envoy-uf"
q3 = make_short_answer(
    _ENVOY,
    LESSON,
    Msg(
        "An Envoy access log line shows '503 UF' (the flags as Envoy's documentation defines "
        "them). Name an upstream condition that produces it (one of: {conditions}).",
        conditions=CONDITIONS,
    ),
    accepted=_accepted(Condition.REFUSED, Condition.CONNECT_TIMEOUT, Condition.UNREACHABLE),
    why=_feedback(
        {
            "refused": Msg(
                "UF is 'upstream connection failure': Envoy could not "
                "connect. By Envoy's documentation a refused connection and a connect timeout both "
                "give 503 UF; the flag does not say which. Its 503 body does, by its source: "
                "'remote connection failure' for a refusal, 'connection timeout' for a timeout."
            ),
            "connect-timeout": Msg(
                "UF is 'upstream connection failure': the "
                "connection did not get made. By Envoy's documentation a refused connection gives "
                "the same 503 UF."
            ),
            "unreachable": Msg(
                "UF is 'upstream connection failure': there was no route to the upstream's "
                "address. By Envoy's source a refused connection and a connect timeout give the "
                "same 503 UF; its 503 body names the failure."
            ),
            "no-healthy-upstream": Msg(
                "that is UH ('no healthy upstream', in Envoy's documentation). UF means "
                "Envoy tried a host and could not connect to it."
            ),
            "reset": Msg("a reset by the upstream is UR ('upstream remote reset')."),
            "closed-without-response": Msg(
                "a connection that was made and then closed "
                "is UC ('upstream connection termination'). UF: it was never made."
            ),
            "read-timeout": Msg("a read timeout is UT ('upstream request timeout') and gives 504."),
        },
    ),
    hints=(
        Msg(
            "By Envoy's documentation, most of its response flags for trouble with the upstream "
            "start with U (UF, UH, "
            "UT, UR, UC, UPE; DF, a failed DNS lookup, does not), and NR (no route) and DC (the "
            "downstream closed) name other trouble; the letters after the U name the kind of "
            "failure."
        ),
        Msg("UF stands for 'upstream connection failure': in which phase did it go wrong?"),
    ),
    kind="condition",
    default=Msg(
        "that condition would read differently in the log: which phase does the log line name, and was it a timeout, a close or a refusal?"
    ),
    solution=Msg(
        "refused or connect-timeout: UF means 'upstream connection failure', the "
        "connection to the upstream could not be made. Envoy answers 503 for both (by its "
        "documentation: Envoy is not run here), where nginx answers 502 (refused) or 504 "
        "(connect timeout)."
    ),
)

# -- q4: Caddy --

_CADDY = "gateways.caddy-dial-timeout"
q4 = make_short_answer(
    _CADDY,
    LESSON,
    Msg(
        "Caddy answered 502 and its log says 'dial tcp 127.0.0.1:9101: i/o timeout'. Name the "
        "upstream condition (one of: {conditions}).",
        conditions=CONDITIONS,
    ),
    accepted=_accepted(Condition.CONNECT_TIMEOUT),
    why=_feedback(
        {
            "connect-timeout": Msg(
                "'dial' is Go's word for connecting. The "
                "upstream never accepted the connection in time. Caddy answers 502, nginx 504, "
                "HAProxy 503 (and Envoy 503, by its documentation): one condition, three statuses."
            ),
            "read-timeout": Msg(
                "a read timeout comes after the connection: Caddy logs "
                "'timeout awaiting response headers' and answers 504. Which step does 'dial' name?"
            ),
            "refused": Msg(
                "a refused connection fails at once: Caddy logs 'dial tcp "
                "...: connect: connection refused'. 'i/o timeout' means it waited and gave up."
            ),
        },
    ),
    hints=(
        Msg("In Go, 'dial' means opening the connection."),
        Msg("Caddy waited (timeout) during the dial: the connection was never accepted."),
    ),
    kind="condition",
    default=Msg(
        "that condition would read differently in the log: which phase does the log line name, and was it a timeout, a close or a refusal?"
    ),
    solution=Msg(
        "connect-timeout: 'dial tcp ...: i/o timeout' means the TCP connection could not "
        "be made in time. Caddy answers it with 502 (nginx 504, HAProxy 503, and Envoy 503 by its "
        "documentation)."
    ),
)

# -- q5: make the lab's gateway answer a refused connection with 503 --


def _refused_get(run: Run) -> Any:
    return run.lab.get("/up/refused/")


q5 = CheckedTask(
    "gateways.make-503",
    LESSON,
    Msg(
        "Switch the lab's gateway to a personality that answers a refused connection with 503 "
        "instead of 502, then check with q5.check(lab): the judge sends GET /up/refused/."
    ),
    usage="q5.check(lab)",
    takes=(lab_param(),),  # the learner's personality is the answer: the judge sets nothing
    observe={"ex": _refused_get},
    checks=(
        # the refused connection itself, not a 503 for another reason: a route made to check
        # its upstream's health answered 503 "every upstream ... is marked unhealthy" with the
        # rfc personality, and the judge said so was its answer to a refused connection
        expect(
            lambda run: (
                Condition.REFUSED in failed_on(run["ex"]) or made_by(run["ex"]) is not Role.GATEWAY
            ),
            lambda run: Msg(
                "GET /up/refused/ gave {status} made by the gateway, which did not try the "
                "upstream: {why}. The question is how a personality answers a refused "
                "connection: put the route back as the lesson set it, so that the gateway tries "
                "the upstream, and check again.",
                status=run["ex"].status,
                why=run["ex"].why,
            ),
        ),
        expect(
            lambda run: run["ex"].status == 503 and made_by(run["ex"]) is Role.GATEWAY,
            lambda run: Msg(
                "GET /up/refused/ gave {status} made by the "
                "{hop}: the {personality} personality maps a "
                "refused connection to {status}. Set lab.gateway.personality to a "
                "gateway that answers 503 for it.",
                status=run["ex"].status,
                hop=hop_name(maker(run["ex"])),
                personality=run.lab.gateway.personality,
            ),
        ),
    ),
    success=lambda run: Msg(
        "with the {personality} personality the gateway "
        "answers the refused connection with its own 503: {why}. A 503 in HAProxy's "
        "log (or, by its documentation, Envoy's) can mean 'nothing listens at the upstream', "
        "where nginx would have said 502.",
        personality=run.lab.gateway.personality,
        why=run["ex"].why,
    ),
    hints=(
        Msg("lab.gateway.personality can be 'rfc', 'nginx', 'haproxy', 'envoy' or 'caddy'."),
        Msg("Look at the table above: which gateways answer 503 for 'refused'?"),
    ),
    solution=Msg('lab.gateway.personality = "haproxy"   # or "envoy"\nq5.check(lab)'),
    time_limit=5.0,
)
