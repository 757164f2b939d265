"""Exercises of lesson 502 (Bad Gateway): who made it, when it is too late, what to do.

The notebook imports ``q1`` ... ``q4``. The code task runs the learner's classifier
against real responses from the live lab and compares its answers with what the
lab recorded (``Exchange.generated_by``).
"""

from __future__ import annotations

from labkit.exercises import answers, runner
from labkit.exercises.checks import (
    CheckedTask,
    Refused,
    Run,
    State,
    function_param,
    lab_param,
    setting,
)
from labkit.exercises.core import hop_name, make_choice, make_short_answer
from labkit.exercises.observe import made_by, quoted
from labkit.i18n import Msg, Text
from labkit.recorder import Role

LESSON = "502"

# -- q1: which of these is not a 502 --

q1 = make_choice(
    "502.not-a-502",
    LESSON,
    Msg(
        "Four things an upstream can do. Which one does the lab's gateway NOT turn into a 502 of "
        "its own?"
    ),
    ["garbage bytes", "connection refused", "a 500 from the handler", "reset before headers"],
    "a 500 from the handler",
    why={
        "a 500 from the handler": Msg(
            "a 500 is a valid HTTP response. The gateway relays it "
            "unchanged (scenario 500-relayed-not-502: generated_by is 'origin'); the gateway itself "
            "worked."
        ),
        "garbage bytes": Msg(
            "bytes that do not start with a status line are an invalid response: "
            "the lab's gateway does not relay them and makes its own 502 (scenario 502-garbage; "
            "nginx relays them, lesson 09)."
        ),
        "connection refused": Msg(
            "no response at all counts as no valid response: the lab's "
            "gateway (like nginx and Caddy) makes a 502 (scenario 502-refused). HAProxy would say "
            "503, and so would Envoy by its documentation, as lesson 09 shows."
        ),
        "reset before headers": Msg(
            "a reset before any header leaves the gateway with nothing to "
            "relay: it makes its own 502 (scenario 502-reset)."
        ),
    },
    # other words for the options, as learners write them (refused as no option)
    also={
        "a 500 from the handler": (
            "处理函数返回的 500",
            "处理函数返回 500",
            "处理函数的 500",
            "来自处理函数的 500",
            # refused as no option (an outside re-examination)
            "处理函数抛出的 500",
            "handler 的 500",
            "源服务器的 500",
            # the origin by its other name, or returning it (refused as no option)
            "源服务器返回的 500",
            "源站的 500",
            "源站返回的 500",
            # refused as no option (a fresh examination, December 2026): the handler's 500
            # said as the application's or the origin's, in English too ("源服务器的 500"
            # was read, "the origin's 500" refused)
            "a 500 from the application",
            "the application's 500",
            "a 500 from the app",
            "the app's 500",
            "a 500 from the origin",
            "a 500 from the origin server",
            "the origin's 500",
            "应用返回的 500",
            "应用程序的 500",
            "应用的 500",
            "来自源服务器的 500",
            "一个来自处理函数的 500",
        ),
        # wrong options in other words, refused as no option, their feedback never seen
        "garbage bytes": ("垃圾字节", "乱码", "garbage", "junk bytes"),
        "connection refused": ("refused", "a refused connection"),
        "reset before headers": (
            "标头之前连接被重置",
            "在标头之前连接被重置",
            "发送标头之前重置",
            "a reset before the headers",
            "connection reset before the headers",
            "the connection reset before the headers",
            "发送头部之前被重置",
            "头部之前被重置",
            "在发送头部之前重置连接",
        ),
    },
    hints=(
        Msg("A gateway makes a 502 only when the upstream gives it nothing it can relay."),
        Msg("Which of the four is a complete, valid HTTP response, even though it is an error?"),
    ),
    hops=("origin", "upstream"),  # the handler is the upstream's: the origin's in the lab
    solution=Msg(
        "a 500 from the handler: the origin's 500 is a valid response, relayed unchanged. "
        "Garbage, a refused connection and a reset give the gateway nothing valid, so it makes a 502."
    ),
)

# -- q2: too late for a 502 --

_BODY_CUT = "502.body-cut"

q2 = make_short_answer(
    _BODY_CUT,
    LESSON,
    Msg(
        "The upstream 'body-cut' sends 'HTTP/1.1 200 OK' with 'Content-Length: 100', then only 10 "
        "bytes of body, then closes. Which status code does the client receive through the gateway?"
    ),
    accepted={"200"},
    why={
        "200": Msg(
            "200, with an incomplete body. The status line was "
            "already relayed when the body broke off, so the gateway can only close the connection; "
            "the client must notice the missing bytes (httpx raises RemoteProtocolError) and treat "
            "the message as incomplete (RFC 9112 8)."
        ),
        "502": Msg(
            "when the body breaks off, what has the gateway already sent the "
            "client? Run the scenario and read ex.status beside ex.client_error."
        ),
        "504": Msg(
            "nothing timed out here: the upstream closed the connection "
            "early. And the status line was already on its way to the client."
        ),
        "500": Msg(
            "nobody raised an error and made a page here: which status line did "
            "the upstream send, and when did the gateway pass it on?"
        ),
    },
    hints=(
        Msg(
            "In what order does the gateway pass things on: status line and headers first, or only "
            "after the whole body has arrived?"
        ),
        Msg(
            "Run labkit.scenarios.run('200-body-cut-after-headers', lab) and look at ex.status and "
            "ex.client_error."
        ),
    ),
    kind="status",
    default=Msg("run the scenario and read ex.status: which status line reached the client?"),
    solution=Msg(
        "200. The gateway relayed the upstream's status line and headers as soon as they "
        "arrived; when the body broke off after 10 of 100 bytes, the status could not be changed "
        "any more. The gateway closes the connection and the client sees an incomplete body "
        "(httpx: RemoteProtocolError)."
    ),
)

# -- q3: what a client should do --

q3 = make_choice(
    "502.retry",
    LESSON,
    Msg(
        "Your client sent GET /orders/7 and got a 502 whose page says the gateway made it "
        "(Server: labkit-gateway). What should the client do?"
    ),
    ["retry at once in a loop", "retry with backoff", "never retry", "retry, even a POST"],
    "retry with backoff",
    why={
        "retry with backoff": Msg(
            "a 502 is often short-lived (an upstream restarting), and GET is idempotent (RFC "
            "9110 9.2.2): several identical GETs ask for the effect of one, so a retry asks for "
            "nothing the first did not. What each retry does add is load on an upstream already "
            "in trouble: with growing pauses, a few times at most, then give up and report it "
            "with the request id."
        ),
        "retry at once in a loop": Msg(
            "a tight loop hammers a gateway whose upstream is already in "
            "trouble and can keep it down. What would give the upstream time to recover?"
        ),
        "never retry": Msg(
            "a 502 says the upstream failed this time, not that the request is wrong. "
            "Is GET idempotent (RFC 9110 9.2.2), so that sending it again asks for nothing the "
            "first did not?"
        ),
        "retry, even a POST": Msg(
            "what may the upstream already have done with the POST before its "
            "answer broke? A retried POST can do harm, such as a second order; RFC 9110 9.2.2 "
            "says which requests may be retried automatically."
        ),
    },
    # other words for the options, as learners write them (refused as no option)
    also={
        "retry with backoff": (
            "退避后重试",
            "退避重试",
            "指数退避重试",
            "带退避地重试",
            "带退避的重试",
            "用退避的方式重试",
            "以退避方式重试",
            "用指数退避重试",
            "retry after backing off",
            # the retry first, then how (refused as no option)
            "重试并退避",
            "重试，但要退避",
            "重试，要退避",
            "重试时退避",
        ),
        # the wrong options in other Chinese words than the Quiz's (refused as no option,
        # their feedback never seen)
        "retry at once in a loop": (
            "立即循环重试",
            "立刻在循环里重试",
            "在循环里立即重试",
            "立即重试",
            "马上重试",
            "立刻重试",
        ),
        "never retry": ("从不重试", "永远不要重试", "永不重试", "不要重试", "不重试", "永远不重试"),
        "retry, even a POST": ("即使是 POST 也重试", "连 POST 也重试", "POST 也重试"),
    },
    hints=(
        Msg(
            "Is the request itself wrong, or did something between you and the origin fail this time?"
        ),
        Msg(
            "GET is idempotent (RFC 9110 9.2.2): the intended effect on the server of sending it "
            "twice is the same as of sending it once. What happens to a server in trouble if "
            "every client retries at once, without pausing?"
        ),
    ),
    solution=Msg(
        "retry with backoff: the 502 was made by the gateway because its upstream failed; "
        "GET is idempotent (RFC 9110 9.2.2), so a retry asks for nothing the first did not, but "
        "each one loads an upstream already in trouble. RFC 9110 9.2.2 also says a "
        "client SHOULD NOT automatically retry a failed automatic retry: more than one retry, with "
        "growing pauses and a limit, is a policy the application chooses on purpose (as in lesson "
        "05), not something a library or proxy should do silently. Never retry a POST "
        "automatically: the upstream may have stored the order before its answer broke, and a "
        "retry would place a second one (a proxy MUST NOT retry a non-idempotent request)."
    ),
)

# -- q4: a classifier that tells a gateway-made 502 from a relayed origin 500 --

# each one a real request through the lab: gateway-made and relayed 5xx side by side
WHO_SCENARIOS = (
    "502-garbage",
    "502-refused",
    "500-relayed-not-502",
    "503-no-healthy-upstream",
    "503-maintenance",
    "500-handler-bug",
    "504-slow",
)


def _describe(status: int | None, headers: dict[str, str]) -> Msg:
    server, via = headers.get("server"), headers.get("via")
    if "server" in headers and "via" in headers:
        return Msg(
            "the {status} with Server: {server} and Via: {via}",
            status=status,
            server=server,
            via=via,
        )
    if "server" in headers:
        return Msg("the {status} with Server: {server} and no Via", status=status, server=server)
    if "via" in headers:
        return Msg("the {status} and Via: {via}", status=status, via=via)
    return Msg("the {status} and no Via", status=status)


def _responses(run: Run) -> list[tuple[str, int | None, dict[str, str], Role | None]]:
    """Every scenario's response over real sockets (all of them before learner code runs)."""
    from labkit import scenarios

    seen = []
    for sid in WHO_SCENARIOS:
        ex = scenarios.run(sid, run.lab)
        headers = {k.lower(): v for k, v in ex.headers}
        seen.append((sid, ex.status, headers, made_by(ex)))
    return seen


# The lab's record of the judge's requests, which says who made each response: a function
# that looked its response up there by X-Request-ID (lab.exchange(rid).generated_by) was
# Correct without reading a header. It is told to work from what it is given.
_GIVEN_ONLY: runner.View = tuple(
    runner.Seen(
        name,
        refused=Msg(
            "your function read lab.{name}, the lab's record of the judge's requests, which "
            "says who made each response: who_made_it must tell it from the status and the "
            "headers it is given",
            name=name,
        ),
    )
    for name in ("exchange", "last", "recorder")
)


def _classified(run: Run) -> Text:
    """Ask the learner's function about each response; compare with who made it."""
    fn = run["who_made_it"]
    seen = run["responses"]
    wrong = []
    lines: list[str] = []
    for sid, status, headers, truth in seen:
        said = fn.run(status, dict(headers), view=_GIVEN_ONLY).value
        answer = answers.returned_hop(said, ("gateway", "origin"))
        line = Msg(
            "{scenario} {status}  you said {said} made by the {hop}",
            scenario=f"{sid:<26}",
            status=status,
            said=f"{said!r:<10}",
            hop=hop_name(truth),
        )
        lines.append(run.say(line))
        run.detail = "\n".join(lines)
        if answer is None:  # not an attempt: the function's values are not yet answers
            raise Refused(
                Msg(
                    "who_made_it returned {said} for {response}; it must return 'gateway' or 'origin'.",
                    said=quoted(said),
                    response=_describe(status, headers),
                )
            )
        if truth is None or answer != truth.value:
            wrong.append((sid, status, headers, truth))
    if not wrong:
        return ""
    sid, status, headers, truth = wrong[0]
    if truth is Role.ORIGIN:
        why = Msg(
            "{response} ({scenario}) was made by the origin and only relayed by "
            "the gateway: the status number alone does not tell who made it.",
            response=_describe(status, headers),
            scenario=sid,
        )
    else:
        why = Msg(
            "{response} ({scenario}) was made by the gateway itself. Compare the "
            "headers of a page the gateway made with those of one it relayed.",
            response=_describe(status, headers),
            scenario=sid,
        )
    return Msg(
        "wrong for {wrong} of {count} responses. For example, {why}",
        wrong=len(wrong),
        count=len(seen),
        why=why,
    )


q4 = CheckedTask(
    "502.who-made-it",
    LESSON,
    Msg(
        "Write who_made_it(status, headers) -> 'gateway' or 'origin': given the status and the "
        "response headers (names in lower case), say who made the response. It is checked against "
        "real responses from the lab: 502s, 503s, 504s and 500s, some made by the gateway, some "
        "relayed from the origin. Check it with q4.check(who_made_it, lab)."
    ),
    usage="q4.check(who_made_it, lab)",
    takes=(function_param("who_made_it"), lab_param()),
    state=State(
        sets=(setting("personality", name="rfc"),)
    ),  # the lab's own gateway, whatever a playground left
    observe={"responses": _responses},
    checks=(_classified,),
    success=Msg(
        "all {count} responses classified correctly. In this lab the "
        "gateway's own pages name it in Server and carry no Via, and relayed ones keep the "
        "origin's Server and gain Via. Behind real gateways that rule fails (nginx replaces the "
        "origin's Server, none of nginx, HAProxy, Caddy adds Via): Proxy-Status (RFC 9209: error= "
        "when the gateway made it, received-status= when it relayed) is the evidence that holds, "
        "where the gateway is configured to send it.",
        count=len(WHO_SCENARIOS),
    ),
    hints=(
        Msg(
            "The status number is not enough: the origin can answer 500 or 503 too, and the gateway "
            "makes 503 and 504 as well as 502 (and 501 or 505 for requests it cannot handle)."
        ),
        Msg(
            "Compare headers['server'] of a gateway-made 502 with that of a relayed 500; then "
            "compare whether each has a 'via' header."
        ),
        Msg(
            "Or read headers.get('proxy-status') (RFC 9209): what does the gateway write there "
            "when it made the response, and what when it relayed one?"
        ),
    ),
    solution=Msg("""def who_made_it(status, headers):
    # the gateway's own error page names it in Server (and has no Via);
    # a relayed response keeps the origin's Server and gains the gateway's Via
    if "labkit-gateway" in headers.get("server", "") and "via" not in headers:
        return "gateway"
    return "origin"

q4.check(who_made_it, lab)"""),
)
