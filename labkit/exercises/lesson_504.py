"""Exercises of lesson 05: 504 Gateway Timeout.

``from labkit.exercises.lesson_504 import q1, q2, q3, q4, q5`` in the notebook.
Importable without a running lab: the make-it-happen task is checked with
``q2.check(lab)``, the code task with ``q5.check(fetch_with_retries, lab)``. Both
judges send real requests through the gateway and put back what they changed.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from typing import Any

from labkit.exercises import observe
from labkit.exercises.core import Task, make_choice, make_short_answer
from labkit.exercises.observe import requests_since, status_problem

LESSON = "504"

# -- q1: who answers when the upstream is too slow --

q1 = make_choice(
    "504.who-answers",
    LESSON,
    "The gateway's read timeout for the origin is 0.3 s, and GET /slow?delay=1 takes the "
    "origin 1 s. What does the client get, and from whom?",
    ["504 from the gateway", "504 from the origin", "502 from the gateway", "200 after 1 s"],
    "504 from the gateway",
    why={
        "504 from the gateway": "right: after 0.3 s without a response the gateway gives up and "
        "makes its own 504 (RFC 9110 15.6.5). The origin never said anything wrong; it was "
        "just not done yet.",
        "504 from the origin": "the origin is still working on the request and has nothing to "
        "say yet; a 504 is made by the gateway that got tired of waiting.",
        "502 from the gateway": "a 502 means the upstream answered with something invalid (or "
        "closed on the gateway). Here it did not answer at all within the time: that is a 504.",
        "200 after 1 s": "the gateway does not wait 1 s: its read timeout runs out after 0.3 s, "
        "and it answers the client then. The origin's 200 arrives too late for anyone.",
    },
    hints=(
        "Which clock runs out first: the origin's 1 s of work, or the gateway's 0.3 s of patience?",
        "Run labkit.scenarios.run('504-slow-origin', lab) and look at ex.generated_by.",
    ),
    solution="504 from the gateway: its read timeout (0.3 s) ran out before the origin's "
    "answer (1 s), so the gateway made the 504 itself.",
)


# -- q2: make it happen: a 504 by setting the gateway's timeout --


def judge_gateway_timeout(lab: Any = None, *rest: Any) -> tuple[bool, str, str]:
    """The slow upstream's route waits less than the upstream takes, and a real GET gets 504."""
    from labkit.lab import Lab

    if not isinstance(lab, Lab) or not lab.running:
        return False, "pass the running lab: q2.check(lab).", ""
    route = lab.gateway.route("slow")
    delay = lab.upstreams["slow"].delay
    ex = lab.get("/up/slow/")
    detail = repr(ex)
    if route.read_timeout >= delay:
        hint = ""
        if route.connect_timeout < delay:
            hint = (
                " (The connect timeout only covers opening the connection; the slow upstream "
                "accepts at once and is slow to answer.)"
            )
        return (
            False,
            f"the gateway waits {route.read_timeout:g} s for an answer "
            f"(lab.gateway.route('slow').read_timeout) and the slow upstream answers after "
            f"{delay:g} s, so the answer arrives in time: GET /up/slow/ gave {ex.status}.{hint}",
            detail,
        )
    if ex.status != 504 or ex.generated_by != "gateway":
        return (
            False,
            f"the read timeout ({route.read_timeout:g} s) is below the delay ({delay:g} s), but "
            f"GET /up/slow/ gave {ex.status} made by the {ex.generated_by}: {ex.why}",
            detail,
        )
    return (
        True,
        f"the gateway waited {route.read_timeout:g} s, the upstream needed {delay:g} s: 504 "
        "made by the gateway. Put it back with lab.reset() when you are done.",
        detail,
    )


q2 = Task(
    "504.cause-a-timeout",
    LESSON,
    "The lab now lets the gateway wait long enough for the slow upstream (its route's read "
    "timeout is above the upstream's delay), so GET /up/slow/ gives 200. Without touching the "
    "upstream, change the gateway so that GET /up/slow/ ends in a 504 made by the gateway. "
    "Check with q2.check(lab).",
    judge_gateway_timeout,
    hints=(
        "lab.gateway.route('slow') is the route to that upstream; it has connect_timeout and "
        "read_timeout.",
        "The slow upstream accepts the connection at once and then waits "
        "lab.upstreams['slow'].delay seconds before answering. Which timeout runs while it "
        "waits?",
    ),
    solution="lab.gateway.route('slow').read_timeout = 0.2   # below lab.upstreams['slow'].delay"
    "\nq2.check(lab)",
)


# -- q3: 502 or 504 --

_WHICH = "504.or-502"

q3 = make_short_answer(
    _WHICH,
    LESSON,
    "Two upstreams fail. A answers at once with 'HTTP/1.1 2OO OK' (letters O). B accepts the "
    "request and says nothing for a minute. The gateway answers 502 for one and 504 for the "
    "other. Which status does it give for B?",
    accepted={"504"},
    why={
        "504": "yes: B did not answer in time, 504. A answered wrongly, 502.",
        "502": "502 is for A: an answer that is not valid HTTP. B gave no "
        "answer at all before the gateway's read timeout ran out.",
        "503": "503 is for an upstream that is known to be unavailable "
        "(maintenance, overload, no healthy member); B accepted the request and then was too "
        "slow.",
        "500": "500 would come from the upstream's own failure, relayed; here "
        "the gateway makes the status itself.",
    },
    hints=(
        "One upstream answered wrongly, the other did not answer in time.",
        "Run lab.get('/up/bad-status-line/') and lab.get('/up/slow/') and compare.",
    ),
    kind="status",
    default="compare lab.get('/up/bad-status-line/') with lab.get('/up/slow/').",
    solution="504: B said nothing within the read timeout (Gateway Timeout). A answered, but "
    "not with valid HTTP: 502 (Bad Gateway).",
)


# -- q4: real gateways disagree --

q4 = make_choice(
    "504.haproxy-connect-timeout",
    LESSON,
    "An upstream never accepts the connection (like the lab's 'blackhole'), and the proxy's "
    "connect timeout runs out. The lab and nginx answer 504. What does HAProxy 2.6 answer?",
    ["502", "503", "504", "nothing, it waits forever"],
    "503",
    why={
        "503": "right: HAProxy counts a server it cannot connect to as unavailable and answers "
        "503 (termination state sC), both for a connect timeout and for a refused connection. "
        "nginx says 504 and 502 for those (gateways-observed rows 26 and 2).",
        "504": "that is the lab's and nginx's answer (RFC 9110: the gateway did not get a "
        "timely response). HAProxy, observed, answers 503 for a connect timeout.",
        "502": "502 is Caddy's answer to a connect timeout (it reports the dial error); HAProxy "
        "says 503.",
        "nothing, it waits forever": "every proxy has a connect timeout; when it runs out the "
        "proxy answers. The question is which status.",
    },
    hints=(
        "HAProxy treats a server it cannot reach as 'not available'.",
        "Which 5xx means 'service unavailable'?",
    ),
    solution="503 (HAProxy 2.6, termination state sC). The lab and nginx answer 504, Caddy 502: "
    "read the status together with the Server header and the error page.",
)


# -- q5: retries with backoff and jitter within a total budget --

PATH = "/up/slow/"
BUDGET = 1.0
FAST_504 = 0.05  # the judge lets the gateway give up quickly, so each attempt is cheap
OVER_BUDGET = 0.15  # slack for returning after the budget
MIN_WAIT = 0.03
SEEDS = (22, 59)  # random.random() differs by > 0.6 between these seeds in its first 5 draws
SAME = 0.01  # waits closer than this in both runs are "the same"
HEALTHY_AFTER = 0.25


def _waits(rows: list[dict[str, Any]]) -> list[float]:
    return [b["arrived"] - (a["answered"] or a["arrived"]) for a, b in itertools.pairwise(rows)]


def _run(fn: Any, lab: Any, seed: int) -> tuple[Any, float, list[dict[str, Any]], float]:
    before = set(lab.recorder.ids())
    state = random.getstate()
    random.seed(seed)
    start = time.perf_counter()
    try:
        value = fn(lab, PATH, BUDGET)
    finally:
        took = time.perf_counter() - start
        random.setstate(state)
    return value, took, requests_since(lab, before), start


def judge_retries(fn: Any, lab: Any = None, *rest: Any) -> tuple[bool, str, str]:
    """Against an upstream that keeps timing out, then one that recovers."""
    from labkit.lab import Lab

    if not callable(fn):
        return (
            False,
            "pass your function itself: q5.check(fetch_with_retries, lab) (no () after it).",
            "",
        )
    if not isinstance(lab, Lab) or not lab.running:
        return False, "pass the running lab too: q5.check(fetch_with_retries, lab).", ""
    route = lab.gateway.route("slow")
    upstream = lab.upstreams["slow"]
    saved = (route.read_timeout, upstream.delay)
    timer: threading.Timer | None = None
    try:
        route.read_timeout = FAST_504
        upstream.delay = 1.0
        runs = []
        for seed in SEEDS:
            value, took, rows, start = _run(fn, lab, seed)
            story = observe.story(rows, start, "attempt")
            problem = status_problem(value, "your function")
            if problem:
                return False, problem, story
            if took > BUDGET + OVER_BUDGET:
                return (
                    False,
                    f"with a budget of {BUDGET:g} s your function took {took:.2f} s. Before "
                    "each wait and each attempt, check how much time is left, give the attempt "
                    "no more than that (timeout=), and give up when it is used up.",
                    story,
                )
            if len(rows) < 2:
                return (
                    False,
                    f"only {len(rows)} request reached the gateway, and it answered 504. A GET "
                    "is idempotent and a 504 is often temporary: retry it.",
                    story,
                )
            waits = _waits(rows)
            if min(waits) < MIN_WAIT:
                i = waits.index(min(waits))
                return (
                    False,
                    f"attempt {i + 2} went out {waits[i]:.2f} s after the previous 504: wait "
                    "before each retry (backoff), or every client hammers the gateway at once.",
                    story,
                )
            if len(rows) < 3:
                return (
                    False,
                    f"only 2 attempts in {BUDGET:g} s: start with a short wait (about 0.1 s) "
                    "and double it each time, so that several attempts fit in the budget.",
                    story,
                )
            if max(waits[1:]) <= waits[0]:
                shown = ", ".join(f"{w:.2f}" for w in waits)
                return (
                    False,
                    f"your waits were {shown} s: they should grow (for example double) from one "
                    "retry to the next, so a struggling upstream gets more room.",
                    story,
                )
            if value != rows[-1]["status"] and value != 504:
                return (
                    False,
                    f"your function returned {value}, but the last answer was "
                    f"{rows[-1]['status']}: return the last status you got.",
                    story,
                )
            runs.append(waits)
        common = min(len(runs[0]), len(runs[1]))
        if all(abs(a - b) < SAME for a, b in zip(runs[0][:common], runs[1][:common], strict=False)):
            shown = ", ".join(f"{w:.2f}" for w in runs[0])
            return (
                False,
                f"your waits were the same in two runs ({shown} s): add jitter (a random part, "
                "e.g. random.uniform(d / 2, d)), so that many clients that failed together do "
                "not all retry at the same moment.",
                "",
            )
        # the upstream recovers after a moment: the function must stop at the first 200
        timer = threading.Timer(HEALTHY_AFTER, lambda: setattr(upstream, "delay", 0.0))
        timer.daemon = True
        timer.start()
        value, took, rows, start = _run(fn, lab, SEEDS[0])
        story = observe.story(rows, start, "attempt")
        problem = status_problem(value, "your function")
        if problem:
            return False, problem, story
        if value != 200 or not rows or rows[-1]["status"] != 200:
            return (
                False,
                f"the upstream recovered after {HEALTHY_AFTER:g} s, but your function returned "
                f"{value}. Keep retrying while the budget lasts, and stop at the first answer "
                "that is not a 5xx.",
                story,
            )
        shown = ", ".join(f"{w:.2f}" for w in runs[0])
        return (
            True,
            f"waits of {shown} s (growing, different each run), within the {BUDGET:g} s "
            "budget, and a stop at the first 200 once the upstream recovered.",
            story,
        )
    finally:
        if timer is not None:
            timer.cancel()
        route.read_timeout, upstream.delay = saved


q5 = Task(
    "504.retry-with-backoff",
    LESSON,
    "Write `def fetch_with_retries(lab, path: str, budget: float) -> int` that GETs path with "
    "lab.get(path, timeout=...) and returns the last status. On a 502, 503, 504 or no answer "
    "at all (status None), wait and try again: start with about 0.1 s, double the wait each "
    "time, add jitter (a random part), and never go past `budget` seconds in total. Check with "
    "q5.check(fetch_with_retries, lab): the judge makes /up/slow/ time out quickly, twice, "
    "then lets it recover.",
    judge_retries,
    hints=(
        "time.monotonic() at the start gives a deadline: deadline = start + budget. Before "
        "each attempt and each wait, compute what is left.",
        "wait = 0.1 * 2 ** attempt; sleep random.uniform(wait / 2, wait) (that is the jitter), "
        "but never longer than the time left.",
        "Give each attempt timeout=min(2.0, time left) and stop when less than about 0.05 s "
        "is left; lab.get refuses a timeout below 0.01 s.",
    ),
    solution="""import random, time

def fetch_with_retries(lab, path, budget):
    deadline = time.monotonic() + budget
    status, attempt = None, 0
    while True:
        left = deadline - time.monotonic()
        if left < 0.05:
            return status
        ex = lab.get(path, timeout=min(2.0, left))
        status = ex.status
        if status is not None and status not in (502, 503, 504):
            return status
        wait = random.uniform(0.05, 0.1) * 2 ** attempt
        attempt += 1
        if time.monotonic() + wait + 0.05 > deadline:
            return status
        time.sleep(wait)

q5.check(fetch_with_retries, lab)""",
    time_limit=6.0,
)
