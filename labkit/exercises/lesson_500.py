"""Exercises of lesson 01 (notebooks/01-500-internal-server-error.ipynb): 500 Internal Server Error.

``q1`` .. ``q4`` ask who made the 500, where its traceback is found, why debug
pages are dangerous and what a client may retry; ``q5`` is a code task: the
learner's own order handler must turn the 500s of ``/orders/{id}`` into the
right 4xx, judged over real sockets through the gateway.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from labkit.errors import whole_in
from labkit.exercises.checks import CheckedTask, Run, State, function_param, lab_param, setting
from labkit.exercises.core import Learner, hop_name, make_choice, make_short_answer
from labkit.exercises.observe import maker, quoted
from labkit.exercises.runner import LearnerError, LearnerExit
from labkit.i18n import Msg, Text
from labkit.lab import ORIGIN_TIMEOUTS
from labkit.origin import LEARNER_HANDLER_SECONDS, REPORT_REFERENCE

LESSON = "500"

q1 = make_choice(
    "500.who-made-it",
    LESSON,
    Msg(
        "You send GET /orders/abc with lab.get(...). The answer is 500 Internal Server Error and it "
        "carries the header 'Via: 1.1 labkit-gateway'. Which hop made the 500?"
    ),
    ["client", "portal", "gateway", "origin"],
    "origin",
    why={
        "origin": Msg(
            "the origin's handler raised, the origin answered a valid 500, and the "
            "gateway relayed it unchanged (ex.generated_by is 'origin')."
        ),
        "gateway": Msg(
            "Via only says the response passed through the gateway. What does the "
            "gateway's own Proxy-Status header say it got from the next hop?"
        ),
        "client": Msg(
            "the client received this response; a 5xx is an answer from the server side."
        ),
        "portal": Msg(
            "lab.get goes through the gateway, not the portal; and a captive portal "
            "answers 511, not 500."
        ),
    },
    hints=(
        Msg(
            "Look at ex.generated_by, or at the '[made here]' mark when you print the exchange: "
            "they name the hop that made the response, whoever relayed it after."
        ),
        Msg(
            "Via says only that a response passed through a proxy, not who made it. Read "
            "Proxy-Status (RFC 9209): 'received-status=' names the status the gateway got from "
            "the next hop, 'error=' an error the gateway met itself."
        ),
    ),
    solution=Msg(
        "q1.check('origin'): the origin's handler raised ValueError and answered a valid "
        "500; the gateway relayed it. Proxy-Status: labkit-gateway; received-status=500 says the "
        "gateway received that 500 from the origin (Via only says it passed through). Behind real "
        "gateways Server and Via prove nothing (nginx replaces Server, none of nginx, HAProxy, "
        "Caddy adds Via): look for Proxy-Status where the gateway is configured to send it, and "
        "at the gateway's log of this request (found by its request id where the access log "
        "records one): a relayed 500 leaves no error of the gateway's own (no line in nginx's "
        "error log, no error entry from Caddy, termination state '----' in HAProxy's one line "
        "per request), where a 502 it made does ('connect() failed ...', 'dial tcp ...', 'SC--')."
    ),
)

_Q2 = "500.find-the-traceback"
q2 = make_short_answer(
    _Q2,
    LESSON,
    Msg(
        "The generic 500 page says '{line}' Which response header carries the same reference, "
        "so that whoever runs the server can find the traceback in the server log "
        "(lab.origin.logs())?",
        line=REPORT_REFERENCE.bind(id="req-0001"),
    ),
    accepted={"X-Request-ID"},
    why={
        "X-Request-ID": Msg(
            "the same id is in the page, in the X-Request-ID "
            "header and at the start of the log entry that holds the traceback."
        ),
        "Request-ID": Msg(
            "the reference is a request id, yes; the question asks for the exact name of the "
            "header that carries it: read the names in ex.headers."
        ),
        "Via": Msg(
            "Via names the proxies the response passed through (here the "
            "gateway); it is the same for every request, so it cannot find one traceback."
        ),
        "Server": Msg(
            "Server names the software that made the response "
            "(labkit-origin); it is the same for every request."
        ),
        "Date": Msg("many requests share the same second; the reference is an id, not a time."),
        "Traceback": Msg(
            "there is no such header, and there must not be: the "
            "traceback stays in the server's log. Which header carries the reference?"
        ),
        "Content-Type": Msg(
            "Content-Type says what the body is (plain text or HTML), not which request it answers."
        ),
    },
    hints=(
        Msg("Print ex.headers for a 500 and look for the value that also appears in ex.text."),
        Msg("Its name ends in '-ID'."),
    ),
    kind="header",
    default=Msg(
        "that header is not where the reference is: look for the value that appears both "
        "in the page and in ex.headers."
    ),
    solution=Msg(
        "X-Request-ID. For example: ref = ex.header('X-Request-ID'); "
        "[entry for entry in lab.origin.logs() if entry.startswith(ref)]"
    ),
)

q3 = make_choice(
    "500.debug-danger",
    LESSON,
    Msg(
        "With lab.origin.debug = True the 500 page shows the traceback. Why must a debug page like "
        "this never be switched on for a public server?"
    ),
    ["hides the error", "becomes a 502", "leaks internals", "loses the log"],
    "leaks internals",
    why={
        "leaks internals": Msg(
            "file paths, code, library versions and the values in play "
            "tell an attacker how the application is built and where to push next; the client "
            "needs none of it."
        ),
        "hides the error": Msg(
            "the status stays 500 with debug on; only the body changes. Compare "
            "ex.status with debug on and off."
        ),
        "becomes a 502": Msg(
            "the origin's 500 is still a valid HTTP response, so the gateway "
            "relays it as it is: generated_by stays 'origin'."
        ),
        "loses the log": Msg(
            "the log entry is written either way: look at lab.origin.logs() "
            "after a request with debug on."
        ),
    },
    # other words for the options, as learners write them (refused as no option)
    also={
        "leaks internals": (
            "泄露内部细节",
            "暴露内部信息",
            "泄漏内部信息",
            "泄漏内部细节",
            # as English "exposes internals", "leaks server internals" were read (refused as
            # no option: a side-by-side reading, December 2026)
            "暴露内部细节",
            "泄露服务器内部信息",
            "泄露服务器的内部信息",
            "把内部信息泄露出去",
        ),
        "hides the error": (
            "the error gets hidden",
            "the error is hidden",
            "隐藏错误",
            "隐藏了错误",
            "掩盖错误",
        ),
        "loses the log": ("the log gets lost", "the log is lost", "日志丢失", "日志会丢失"),
    },
    hints=(
        Msg("Turn debug on, request /orders/abc and read ex.text: what does a stranger learn?"),
        Msg("The status and the log are the same with debug on or off; only the body differs."),
    ),
    solution=Msg(
        "q3.check('leaks internals'): the traceback shows file paths, source lines and "
        "values to anyone who can make the server fail."
    ),
)

q4 = make_choice(
    "500.retry-a-post",
    LESSON,
    Msg("POST /orders (it creates an order) came back 500. What should a client do?"),
    [
        "retry until it works",
        "retry once after a pause",
        "check before resending",
        "switch to GET",
    ],
    "check before resending",
    why={
        "check before resending": Msg(
            "the 500 may have happened after the order was "
            "stored. POST is not idempotent (RFC 9110 9.2.2), so sending it again blindly can "
            "create the order twice."
        ),
        "retry once after a pause": Msg(
            "that is what a client may do for a GET: GET is safe (RFC "
            "9110 9.2.1, it asks the server to change nothing) and therefore idempotent (9.2.2: "
            "the intended effect on the server of sending it twice is the same as of sending it "
            "once). Is POST idempotent?"
        ),
        "retry until it works": Msg(
            "a 500 is usually a bug, and a bug does not go away by "
            "asking again; retrying in a loop only adds load. And what would each resent POST do?"
        ),
        "switch to GET": Msg(
            "GET reads, it does not create the order; changing the method "
            "changes the request's meaning."
        ),
    },
    hints=(
        Msg("Which methods are idempotent (RFC 9110 9.2.2)? Is POST one of them?"),
        Msg("The handler may have failed after it stored the order."),
    ),
    # other words for the options: the solution's other way to make resending safe is the
    # same advice
    also={
        "check before resending": (
            "use an idempotency key",
            "resend with an idempotency key",
            "先检查再重发",
            "检查之后再重发",
            "先检查再重试",
            "重发前先检查",
            "先检查，再重发",
            # as "use an idempotency key" and "check whether the order was created, then
            # resend" were read (refused as no option)
            "用幂等键",
            "使用幂等键",
            "带上幂等键重发",
            "先确认订单是否已创建再重发",
            "先确认订单是否已经创建再重发",
        ),
        "retry until it works": ("keep retrying", "一直重试", "不停地重试"),
        "retry once after a pause": ("暂停后重试一次", "暂停一下再重试一次"),
        "switch to GET": (
            "use GET instead",
            "resend it as a GET",
            # the Quiz's 改用 GET said with another verb (refused as no option)
            "改成 GET",
            "换成 GET",
            "改为 GET",
            "用 GET 代替",
        ),
    },
    solution=Msg(
        "q4.check('check before resending'): a POST is not idempotent (RFC 9110 9.2.2), "
        "so the order may already exist; find out whether it took effect (or use an idempotency "
        "key) before sending it again. RFC 9110 9.2.2 also says a client SHOULD NOT "
        "automatically retry a non-idempotent request, and a proxy MUST NOT."
    ),
)


# -- q5: the learner's own handler, judged over real sockets --

# order id -> (what the answer must be, in words; test of status and body)
_EXPECTED: dict[str, tuple[Msg, Callable[[int, str], bool]]] = {
    "abc": (Msg("400 or 404 ('abc' is not an order number)"), lambda s, b: s in (400, 404)),
    "7": (
        Msg("200 with order 7 in the body (its item, 'espresso beans')"),
        lambda s, b: s == 200 and "espresso beans" in b,
    ),
    "13": (
        Msg("200 with order 13 in the body (it exists; it only has no customer)"),
        lambda s, b: s == 200 and "teapot" in b,
    ),
    "99": (Msg("404 (there is no order 99)"), lambda s, b: s == 404),
    # beyond the prompt's four: a handler that only knows those has not fixed the bug
    "2": (
        Msg("200 with order 2 in the body (its item, 'oolong')"),
        lambda s, b: s == 200 and "oolong" in b,
    ),
    "1000": (Msg("404 (there is no order 1000)"), lambda s, b: s == 404),
}


def _answers(fn: Callable[..., object]) -> list[object]:
    """The handler's answer for every order id, all in one child process: one process per
    id (six forks and starts, then the origin's six) took ~9.6 s of a check at load 19."""
    ids = [(order_id,) for order_id in _EXPECTED]
    if isinstance(fn, Learner):
        return fn.each(ids)
    return [fn(*one) for one in ids]


def _shape_problem(run: Run) -> Text:
    """Call it here first: a hang is stopped by the time limit in this process, not inside
    the origin's event loop, and a wrong shape is explained before it becomes a 500."""
    try:
        results = _answers(run["show_order"])
    except LearnerExit:
        raise
    except LearnerError as exc:
        run.detail = exc.trace
        order_id = list(_EXPECTED)[exc.call or 0]
        if not exc.text:  # raise KeyboardInterrupt: no ": ." after its name
            return Msg(
                "show_order({order}) raised {name}. In the origin that is exactly the 500 "
                "you are fixing: handle this case and return (status, body).",
                order=repr(order_id),
                name=exc.type_name,
            )
        return Msg(
            "show_order({order}) raised {name}: {text}. In the origin "
            "that is exactly the 500 you are fixing: handle this case and return "
            "(status, body).",
            order=repr(order_id),
            name=exc.type_name,
            text=exc.text,
        )
    for order_id, result in zip(_EXPECTED, results, strict=True):
        if not (isinstance(result, tuple) and len(result) == 2):
            return Msg(
                "show_order({order}) returned {result}; it must return a pair "
                "(status, body), e.g. (404, 'there is no order 99').",
                order=repr(order_id),
                result=quoted(result),
            )
        status = result[0]
        # 200-599, as the origin takes it (origin._learner_order): a 1xx is interim, never a
        # response's final status (RFC 9110 15.2); 101 here passed, then became the origin's 500
        if not whole_in(status, 200, 599):
            return Msg(
                "show_order({order}) returned the status {status}; the status must be "
                "a whole number from 200 to 599 (a 1xx is only ever interim, RFC 9110 15.2), "
                "e.g. 404.",
                order=repr(order_id),
                status=repr(status),
            )
    return ""


# How long the learner's handler may take in the origin while the judge sends its requests
# (the lab's own limit is origin.LEARNER_HANDLER_SECONDS, 1 s), and the gateway's read
# timeout that leaves room for it. The origin runs the handler in a child process, whose
# start is counted: at load 19 (two busy loops beside other work) the reference solution
# was "the handler did not return within 1 s" in 10 of 10 checks. _shape_problem has called
# it for every id within the check's time limit first, so a handler that hangs never gets
# here; this is only the machine's room.
JUDGED_HANDLER_SECONDS = 5.0
JUDGED_READ_TIMEOUT = 2 * JUDGED_HANDLER_SECONDS


def _through_the_gateway(run: Run) -> Text:
    """Install the handler in the origin and send every order id through the gateway."""
    lab, fn = run.lab, run["show_order"]
    lab.origin.order_handler = fn.fn if isinstance(fn, Learner) else fn
    lab.origin.learner_handler_seconds = JUDGED_HANDLER_SECONDS
    try:
        return _each_order(run)
    finally:
        lab.origin.learner_handler_seconds = LEARNER_HANDLER_SECONDS


def _each_order(run: Run) -> Text:
    """Every order id's request at once, as clients send them: the origin runs the handler
    for each in a process of its own, and those starts, one after another, were most of the
    check's time on a loaded machine. Reported in the ids' order."""
    lab = run.lab
    seen: list[str] = []
    problems: list[Text] = []
    with ThreadPoolExecutor(len(_EXPECTED), thread_name_prefix="labkit-judge") as pool:
        answers = pool.map(
            lambda order_id: lab.get(f"/orders/{order_id}", headers={"Cache-Control": "no-cache"}),
            _EXPECTED,
        )
    for ex, (order_id, (expected, ok)) in zip(answers, _EXPECTED.items(), strict=True):
        seen.append(
            run.say(
                Msg(
                    "GET /orders/{order} -> {status} (made by the {hop})",
                    order=order_id,
                    status=ex.status,
                    hop=hop_name(maker(ex)),
                )
            )
        )
        if ex.status is None or not ok(ex.status, ex.text):
            problem = run.say(
                Msg(
                    "/orders/{order} answered {status}, expected {expected}",
                    order=order_id,
                    status=ex.status,
                    expected=expected,
                )
            )
            if ex.status is not None and ex.status >= 500 and ex.why:
                # the lab's explanation, in the feedback's language (a why is an i18n.Said)
                problem = run.say(Msg("{problem} [{why}]", problem=problem, why=ex.why))
            problems.append(problem)
    run.detail = "\n".join(seen)
    if not problems:
        return ""
    return Msg("through the gateway: {problems}.", problems=run.listed(problems))


q5 = CheckedTask(
    "500.fix-the-handler",
    LESSON,
    Msg(
        "Write show_order(order_id: str) -> tuple[int, object] that returns (status, body) for "
        "GET /orders/{order_id}, so that the 500s become the right answers: 'abc' -> 400 or 404, "
        "'7' -> 200 with the order, '99' -> 404, '13' (an order without a customer) -> 200 with "
        "the order. "
        "Check it with q5.check(show_order, lab): the judge installs it in the origin and sends "
        "real requests through the gateway."
    ),
    usage="q5.check(show_order, lab)",
    takes=(function_param("show_order"), lab_param()),
    # the origin serving, the gateway as the lesson's, with its usual patience for the origin
    state=State(
        sets=(
            setting("personality", name="rfc"),
            setting(
                "timeout", route="/", connect=ORIGIN_TIMEOUTS.connect, read=JUDGED_READ_TIMEOUT
            ),
            setting("maintenance", on=False),
            setting("capacity", value=None),
            setting("debug", on=False),
        ),
        judge_changes=True,  # the origin's order_handler: the learner's, while it is judged
    ),
    checks=(_shape_problem, _through_the_gateway),
    success=Msg(
        "every order id gets an honest answer through the gateway: a bad id is the "
        "client's mistake (4xx), a missing order is 404, and no 500 is left."
    ),
    hints=(
        Msg(
            "The orders are in labkit.origin.ORDERS, a dict from int to dict. Check the id before "
            "calling int(): order_id.isdigit() is False for 'abc'."
        ),
        Msg(
            "ORDERS.get(number) is None for an order that does not exist: that is a 404. The body "
            "may be a dict (sent as JSON) or a string (sent as a page)."
        ),
        Msg("Order 13's 'customer' is None; read the name only when there is a customer."),
    ),
    solution="""from labkit.origin import ORDERS

def show_order(order_id: str) -> tuple[int, object]:
    if not order_id.isdigit():
        return 400, f"{order_id!r} is not an order number"
    order = ORDERS.get(int(order_id))
    if order is None:
        return 404, f"there is no order {order_id}"
    customer = order["customer"]["name"] if order["customer"] else None
    return 200, {"id": order["id"], "item": order["item"], "customer": customer}

q5.check(show_order, lab)""",
)

__all__ = ["q1", "q2", "q3", "q4", "q5"]
