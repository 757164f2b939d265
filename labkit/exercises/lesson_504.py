"""Exercises of lesson 05: 504 Gateway Timeout.

``from labkit.exercises.lesson_504 import q1, q2, q3, q4, q5`` in the notebook.
Importable without a running lab: the make-it-happen task is checked with
``q2.check(lab)``, the code task with ``q5.check(fetch_with_retries, lab)``. Both
judges send real requests through the gateway and put back what they changed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from labkit.exercises import runner
from labkit.exercises.checks import (
    CheckedTask,
    Refused,
    Run,
    State,
    expect,
    function_param,
    lab_param,
    setting,
)
from labkit.exercises.core import hop_name, make_choice, make_short_answer
from labkit.exercises.observe import made_by, maker, quoted, seconds, status_problem
from labkit.i18n import Listed, Msg, Text
from labkit.lab import CLIENT_TIMEOUT, REQUEST_TIMEOUTS, UPSTREAM_TIMEOUTS
from labkit.recorder import Role
from labkit.scenarios import SHORT_READ, SLOW_ORIGIN

LESSON = "504"

# -- q1: who answers when the upstream is too slow --

# the scenario '504-slow-origin' this question is about (its hint runs it): its numbers
Q1_READ = SHORT_READ
Q1_DELAY = SLOW_ORIGIN

q1 = make_choice(
    "504.who-answers",
    LESSON,
    Msg(
        "The gateway's read timeout for the origin is {read} s, and GET /slow?delay={delay} "
        "takes the origin {delay} s. What does the client get, and from whom?",
        read=f"{Q1_READ:g}",
        delay=f"{Q1_DELAY:g}",
    ),
    [
        f"200 after {Q1_DELAY:g} s",
        "502 from the gateway",
        "504 from the gateway",
        "504 from the origin",
    ],
    "504 from the gateway",
    # the wrong option in Chinese words other than the Quiz's (refused as no option, its
    # feedback never seen)
    also={
        f"200 after {Q1_DELAY:g} s": (
            f"{Q1_DELAY:g} 秒后得到 200",
            f"源服务器 {Q1_DELAY:g} 秒后返回 200",
            f"源服务器在 {Q1_DELAY:g} 秒后返回 200",
        )
    },
    why={
        "504 from the gateway": Msg(
            "after {read} s without a response the gateway gives up and "
            "makes its own 504 (RFC 9110 15.6.5). The origin never said anything wrong; it was "
            "just not done yet.",
            read=f"{Q1_READ:g}",
        ),
        "504 from the origin": Msg(
            "the origin is still working on the request and has nothing to "
            "say yet; a 504 is made by the gateway that got tired of waiting."
        ),
        "502 from the gateway": Msg(
            "a 502 means the upstream answered with something invalid (or "
            "closed on the gateway). Here, did the origin answer at all within the gateway's read "
            "timeout?"
        ),
        f"200 after {Q1_DELAY:g} s": Msg(
            "the gateway does not wait {delay} s: its read timeout runs out after {read} s, "
            "and it answers the client then. The origin's 200 arrives too late for anyone.",
            read=f"{Q1_READ:g}",
            delay=f"{Q1_DELAY:g}",
        ),
    },
    hints=(
        Msg(
            "Which clock runs out first: the origin's {delay} s of work, or the gateway's "
            "{read} s of patience?",
            read=f"{Q1_READ:g}",
            delay=f"{Q1_DELAY:g}",
        ),
        Msg("Run labkit.scenarios.run('504-slow-origin', lab) and look at ex.generated_by."),
    ),
    solution=Msg(
        "504 from the gateway: its read timeout ({read} s) ran out before the origin's "
        "answer ({delay} s), so the gateway made the 504 itself.",
        read=f"{Q1_READ:g}",
        delay=f"{Q1_DELAY:g}",
    ),
)


# -- q2: make it happen: a 504 by setting the gateway's timeout --


EXERCISE_DELAY = 0.4  # the notebook's set-up cell makes the slow upstream answer after this
EXERCISE_READ_TIMEOUT = 1.0  # and lets the gateway wait this long for it


def _slow_get(run: Run) -> Any:
    """GET /up/slow/, once: a starved loop no longer relays an answer due after the route's
    read timeout (labkit/http/deadline.py), so the learner's setting decides the status."""
    ex = run.lab.get("/up/slow/")
    run.detail = repr(ex)
    return ex


def _route_gives_up_first(run: Run) -> Text:
    """Refuse a read timeout that does not run out before the slow upstream answers.

    Said from the settings alone, never from the status this one GET happened to get: a
    kernel held up for a second or two (a loaded hub, the process stopped) gave a read
    timeout of 1 s against the 0.4 s upstream a 504, or no answer within the client's
    timeout, and the learner was told "a margin that small is a race" with that status,
    where the other checks said "gave 200" (3 checks in 15 with stops of up to
    2.5 s). The status a learner should see is the one their settings make."""
    route, delay = run.lab.gateway.route("slow"), run.lab.upstreams["slow"].delay
    if route.read_timeout < delay:
        return ""
    if route.read_timeout == delay:
        return Msg(
            "the gateway's read timeout is the upstream's delay ({delay} s): which of the two "
            "runs out first is a race the machine decides. Set the read timeout below the "
            "delay.",
            delay=f"{delay:g}",
        )
    hint: Text = ""
    if route.connect_timeout < delay:
        hint = Msg(
            " (The connect timeout only covers opening the connection, and the slow upstream "
            "accepts at once: which phase is it slow in?)"
        )
    return Msg(
        "the slow upstream answers after {delay} s and the gateway is still waiting then, so "
        "the answer arrives in time and GET /up/slow/ gives {status}. repr(lab) shows the "
        "route's timeouts.{hint}",
        delay=f"{delay:g}",
        status=200,
        hint=hint,
    )


def _set_up(run: Run) -> Text:
    """Refuse to judge a lab that is not in the exercise's set-up: not an attempt.

    After lab.reset() (or a changed upstream) the slow upstream's delay is not the exercise's,
    and nothing the learner did to the gateway can be judged. The feedback was a red "Not
    yet" whose instruction came after two numbers and before "Stuck? q2.hint()" (a hint does
    not help there): learners read it as a wrong answer. The refusal says
    first what to run, by the line that cell begins with."""
    delay = run.lab.upstreams["slow"].delay
    route = run.lab.gateway.route("slow")
    if delay == EXERCISE_DELAY and route.timeouts_changed:
        return ""
    # both of the cell's lines: run alone on a fresh lab, the first leaves the lab's own read
    # timeout, already below the delay, and nothing done to the gateway passed (the route's
    # record of a change tells that lab from a learner's own timeout of the same value)
    wanted, read = f"{EXERCISE_DELAY:g}", f"{EXERCISE_READ_TIMEOUT:g}"
    if delay != EXERCISE_DELAY:
        raise Refused(
            Msg(
                "first run the whole set-up cell above this one "
                '(`lab.upstreams["slow"].delay = {wanted}` and '
                '`lab.gateway.route("slow").read_timeout = {read}`), then change only the '
                "gateway and check again. Now the slow upstream answers after {delay} s, not "
                "the exercise's {wanted} s (`lab.reset()`, another cell or this one changed it).",
                delay=f"{delay:g}",
                wanted=wanted,
                read=read,
            )
        )
    raise Refused(
        Msg(
            "first run the whole set-up cell above this one "
            '(`lab.upstreams["slow"].delay = {wanted}` and '
            '`lab.gateway.route("slow").read_timeout = {read}`), then change only the '
            "gateway and check again. Now the gateway's timeouts are still the lab's own "
            "(read timeout {now} s): nothing has set them since the lab started or was reset.",
            now=f"{route.read_timeout:g}",
            wanted=wanted,
            read=read,
        )
    )


q2 = CheckedTask(
    "504.cause-a-timeout",
    LESSON,
    Msg(
        "The lab now lets the gateway wait long enough for the slow upstream (its route's read "
        "timeout is above the upstream's delay), so GET /up/slow/ gives 200. Without touching the "
        "upstream, change the gateway so that GET /up/slow/ ends in a 504 made by the gateway. "
        "Check with q2.check(lab)."
    ),
    usage="q2.check(lab)",
    # The learner's gateway settings are the answer: the judge sets nothing. The exercise
    # starts from the notebook's set-up (the upstream answers after EXERCISE_DELAY, the
    # gateway waits longer): on a fresh or reset lab the route already gives up first, so a
    # 504 there would pass with nothing done.
    takes=(lab_param(),),
    observe={"ex": _slow_get},
    checks=(
        _set_up,
        _route_gives_up_first,
        expect(
            lambda run: run["ex"].status == 504 and made_by(run["ex"]) is Role.GATEWAY,
            lambda run: Msg(
                "the read timeout ({read} s) "
                "is below the delay ({delay} s), but GET /up/slow/ "
                "gave {status} made by the {hop}: {why}",
                read=f"{run.lab.gateway.route('slow').read_timeout:g}",
                delay=f"{run.lab.upstreams['slow'].delay:g}",
                status=run["ex"].status,
                hop=hop_name(maker(run["ex"])),
                why=run["ex"].why,
            ),
        ),
    ),
    success=lambda run: Msg(
        "the gateway waited {read} "
        "s, the upstream needed {delay} s: 504 made by the gateway. "
        "Put it back with lab.reset() when you are done.",
        read=f"{run.lab.gateway.route('slow').read_timeout:g}",
        delay=f"{run.lab.upstreams['slow'].delay:g}",
    ),
    hints=(
        Msg(
            "lab.gateway.route('slow') is the route to that upstream; it has connect_timeout and "
            "read_timeout."
        ),
        Msg(
            "The slow upstream accepts the connection at once and then waits "
            "lab.upstreams['slow'].delay seconds before answering. Which timeout runs while it "
            "waits?"
        ),
    ),
    solution=Msg(
        "lab.gateway.route('slow').read_timeout = {timeout}   # below "
        "lab.upstreams['slow'].delay\nq2.check(lab)",
        timeout=f"{EXERCISE_DELAY / 2:g}",
    ),
)


# -- q3: 502 or 504 --

_WHICH = "504.or-502"

q3 = make_short_answer(
    _WHICH,
    LESSON,
    Msg(
        "Two upstreams fail. A answers at once with 'HTTP/1.1 2OO OK' (letters O). B accepts the "
        "request and says nothing for a minute. The gateway answers 502 for one and 504 for the "
        "other. Which status does it give for B?"
    ),
    accepted={"504"},
    why={
        "504": Msg("B did not answer in time, 504. A answered wrongly, 502."),
        "502": Msg(
            "502 is for an answer that is not valid HTTP. Did B send any answer "
            "before the gateway's read timeout ran out?"
        ),
        "503": Msg(
            "503 says the server cannot handle the request right now: RFC 9110 15.6.4 names "
            "overload and maintenance, and HAProxy and Caddy also answer it when no healthy "
            "upstream is left. B accepted the request and then was too slow."
        ),
        "500": Msg(
            "500 would come from the upstream's own failure, relayed; here "
            "the gateway makes the status itself."
        ),
    },
    hints=(
        Msg("One upstream answered wrongly, the other did not answer in time."),
        Msg("Run lab.get('/up/bad-status-line/') and lab.get('/up/slow/') and compare."),
    ),
    kind="status",
    about=("B", "AB"),
    default=Msg("compare lab.get('/up/bad-status-line/') with lab.get('/up/slow/')."),
    solution=Msg(
        "504: B said nothing within the read timeout (Gateway Timeout). A answered, but "
        "not with valid HTTP: 502 (Bad Gateway)."
    ),
)


# -- q4: real gateways disagree --

q4 = make_choice(
    "504.haproxy-connect-timeout",
    LESSON,
    Msg(
        "An upstream never accepts the connection (like the lab's 'blackhole'), and the proxy's "
        "connect timeout runs out. The lab and nginx answer 504. What does HAProxy 2.6 answer?"
    ),
    ["502", "503", "504", "nothing, it waits forever"],
    "503",
    # the option's own words, shortened as learners write them (refused as no option)
    also={
        "nothing, it waits forever": (
            "it waits forever",
            "waits forever",
            "nothing",
            "永远等待",
            "一直等待",
            "一直等下去",
        )
    },
    why={
        "503": Msg(
            "HAProxy counts a server it cannot connect to as unavailable and answers "
            "503, both for a connect timeout (its log's termination state: sC--) and for a refused "
            "connection (SC--). "
            "nginx says 504 and 502 for those (docs/gateways.md, the rows 'connect timeout' and "
            "'connection refused')."
        ),
        "504": Msg(
            "that is the lab's and nginx's answer (RFC 9110: the gateway did not get a "
            "timely response). Does HAProxy count a server it cannot connect to as slow, or as "
            "unavailable? docs/gateways.md has its column."
        ),
        "502": Msg(
            "502 is Caddy's answer to a connect timeout (it reports the dial error). Look "
            "at HAProxy's column in docs/gateways.md, or switch lab.gateway.personality to "
            "'haproxy' and try."
        ),
        "nothing, it waits forever": Msg(
            "a proxy does not wait for ever: its connect timeout runs out (nginx's "
            "proxy_connect_timeout, HAProxy's timeout connect) or, where none is set, the "
            "operating system gives up the handshake (Linux after about two minutes); then the "
            "proxy answers. The question is which status."
        ),
    },
    hints=(
        Msg("HAProxy treats a server it cannot reach as 'not available'."),
        # what lesson 05 itself shows (its section 5 runs each personality against
        # /up/blackhole/), not lesson 09's table, which a learner of lesson 05 has not met
        Msg(
            "Look at seen in section 5 of this lesson (504 or 502?): its second status for "
            "'haproxy' is what HAProxy answered for /up/blackhole/. Or switch "
            "lab.gateway.personality to 'haproxy' and GET /up/blackhole/ yourself."
        ),
    ),
    solution=Msg(
        "503 (HAProxy 2.6, termination state sC--). The lab and nginx answer 504, Caddy 502: "
        "read the status together with the error page's shape (and the Server header where "
        "the gateway writes one: HAProxy's own pages carry none)."
    ),
)


# -- q5: retries with backoff and jitter within a total budget --

PATH = "/up/slow/"
BUDGET = 1.0
GATEWAY_WAIT = 0.05  # the gateway's read timeout during the judge: each failed attempt is short
ANSWER_TIME = 0.01  # what a 200 takes, in the judge's virtual time
MIN_WAIT = 0.03
HEALTHY_AFTER = 0.25
LOW, HIGH = 0.1, 0.9  # every random draw returns this in a run: the schedule's two extremes
REAL_TIMEOUT = runner.CALL_FORGIVEN  # the real request waits for the gateway's answer, however busy
# the machine is (the runner does not charge the learner for a call this long)
# A client whose own timeout is shorter than the gateway's wait gives up first, really: the
# request goes out with that timeout while the upstream and the gateway wait this long, so
# no stall of the machine lets the gateway's 504 arrive first.
GIVE_UP_WAIT = 3.0
MAX_ATTEMPTS = 40  # a loop without waits is ended here (it cannot fit more in the budget)
# The prompt asks to double the wait. In BUDGET a schedule fits two or three waits, too few to
# tell doubling from a wait that grows by the same step each time (0.12, 0.23, 0.35 s passed as
# "growing"); one more run, at the high end of the draws, gets LONG_BUDGET, in which
# any client that fits three attempts in BUDGET makes at least five waits. Between waits that
# go on growing, each step must be GROWTH times the one before at least: doubling makes 2,
# gRPC's multiplier 1.6, adding the same each time 1. The last growing step may be anything (a
# cap on the wait, or the budget's end, stops the growth there).
LONG_BUDGET = 5.0
GROWTH = 1.5
# Advice the third hint and the solution give, not the lab's numbers (the hint says so): a cap
# on one attempt, so that one slow answer cannot use the whole budget, and the time left below
# which another attempt is not worth starting
ATTEMPT_CAP = 2.0
STOP_UNDER = 0.05


class _Attempts:
    """The judge's view of one run, in the virtual time the learner's function ran in.

    Before each lab.get the upstream is put in the state the outage has at that moment;
    the attempt takes the gateway's read timeout (or the caller's timeout, if shorter)
    for a 504 and ANSWER_TIME for a 200.
    """

    def __init__(self, lab: Any, recovers_at: float | None, budget: float = BUDGET) -> None:
        self.lab = lab
        self.recovers_at = recovers_at
        self.budget = budget
        self.rows: list[dict[str, Any]] = []
        self.disturbed = False  # a request got what the outage did not plan (a stalled machine)
        self.read_timeout: float | None = None  # the route's, while a client that gives up waits
        self.notes: frozenset[str] = frozenset()  # what the child noted (runner.IDENTITY...)

    def clock(self) -> runner.Clock:
        return runner.Clock(
            on_call=self.before,
            after_call=self.after,
            max_calls=MAX_ATTEMPTS,
            too_many=Msg(
                "your function sent more than {count} requests within the "
                "{budget} s budget: wait before each retry (time.sleep)",
                count=MAX_ATTEMPTS,
                budget=f"{self.budget:g}",
            ),
        )

    def before(
        self, now: float, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[float, dict[str, Any]]:
        if name not in ("get", "request"):
            return 0.0, {}
        if len(self.rows) == MAX_ATTEMPTS - 1 and now > self.budget and max(self.waits()) > 0:
            # the last request it may send, long after the budget: a client that waits and
            # never stops was told "more than 40 requests within the 1 s budget: wait before
            # each retry", of waits that had taken it far past the budget
            raise runner.LearnerExit(
                "TooManyRequests",
                Msg(
                    "your function sent {count} requests and was still retrying at {at} s, "
                    "past the {budget} s budget: look at how much of the budget is left before "
                    "each wait and each attempt, and stop when it is spent",
                    count=MAX_ATTEMPTS,
                    at=seconds(now),
                    budget=f"{self.budget:g}",
                ),
            )
        self.after("", None)  # a call that raised left no after(): the route's timeout back
        healthy = self.recovers_at is not None and now >= self.recovers_at
        timeout = kwargs.get("timeout", CLIENT_TIMEOUT)
        least, most = REQUEST_TIMEOUTS
        if isinstance(timeout, bool) or not (
            isinstance(timeout, (int, float)) and least <= timeout <= most
        ):
            return 0.0, {}  # the lab will say what is wrong with it
        gives_up = not healthy and timeout < GATEWAY_WAIT
        self.lab.upstreams["slow"].delay = 0.0 if healthy else GIVE_UP_WAIT if gives_up else 1.0
        if gives_up:  # for this request only (after() puts back what was set)
            route = self.lab.gateway.route("slow")
            self.read_timeout = route.read_timeout
            route.read_timeout = REAL_TIMEOUT
        took = float(timeout) if gives_up else ANSWER_TIME if healthy else GATEWAY_WAIT
        method = "GET" if name == "get" else str(args[0] if args else kwargs.get("method", ""))
        self.rows.append(
            {
                "method": method.upper(),
                "arrived": now,
                "answered": now + took,
                "status": None,
                "planned": (200,) if healthy else (None,) if gives_up else (504,),
                "gave_up": float(timeout) if gives_up else None,
            }
        )
        # the real request waits for the gateway's answer however busy the machine is, or,
        # where the client gives up first, for as long as the client's own timeout says
        return took, {"timeout": float(timeout) if gives_up else REAL_TIMEOUT}

    def after(self, name: str, value: Any) -> None:
        if self.read_timeout is not None:
            self.lab.gateway.route("slow").read_timeout = self.read_timeout
            self.read_timeout = None
        if name in ("get", "request") and self.rows:
            self.rows[-1]["status"] = getattr(value, "status", None)
            if self.rows[-1]["status"] not in self.rows[-1]["planned"]:
                self.disturbed = True

    def waits(self) -> list[float]:
        return [b["arrived"] - a["answered"] for a, b in itertools.pairwise(self.rows)]

    def story(self, lang: str) -> str:
        lines = []
        for i, r in enumerate(self.rows, 1):
            said: Text = r["status"]
            if r["gave_up"] is not None and r["status"] is None:
                said = GAVE_UP.bind(timeout=f"{r['gave_up']:g}", wait=f"{GATEWAY_WAIT:g}")
            line = Msg(
                "attempt {number} at {at} s: GET {path} -> {status}",
                number=i,
                at=seconds(r["arrived"]),
                path=PATH,
                status=said,
            )
            lines.append(line.render(lang))
        return "\n".join(lines)


GAVE_UP = Msg(
    "no answer: your client gave up after its timeout of {timeout} s, before the gateway's "
    "504 (the gateway waits {wait} s)"
)


def _shown(waits: list[float]) -> Listed:
    return Listed(seconds(w) for w in waits)


def _one_run(
    fn: Any, lab: Any, value: float, recovers_at: float | None, budget: float = BUDGET
) -> tuple[Any, float, _Attempts]:
    for _ in range(3):  # again if the machine, not the code, changed what a request got
        attempts = _Attempts(lab, recovers_at, budget)
        outcome = fn.run(lab, PATH, budget, clock=attempts.clock(), random_value=value)
        attempts.notes = outcome.notes
        if not attempts.disturbed or runner.changed():
            break  # the machine may have stalled; a change of the learner's is the same again
    return outcome.value, outcome.elapsed, attempts


def _failing_run_problem(
    value: Any,
    took: float,
    run: _Attempts,
    shape: bool,
    most_attempts: int = 0,
    other_waits: list[float] | None = None,
) -> Text:
    """What is wrong with one run against an upstream that keeps timing out ("" if nothing).

    ``shape``: also judge the waits (in the run with random draws at their high end: with
    full jitter, the low end may wait almost nothing, by design). ``most_attempts``: the
    attempts of the run with the most of them; a schedule fits several in the budget if
    either run does (decorrelated jitter, min(cap, uniform(0.1, 3 * last)), makes only two
    at the high end with a cap of 0.8 s or none, and grows gently at the low end); its
    growth is then judged in the other run's waits, ``other_waits``."""
    other_waits = other_waits or []
    # None is the last status of a client whose own timeout ran out (the prompt's "no answer
    # at all"): returned as it was, it is the right value
    gave_up_last = value is None and bool(run.rows) and run.rows[-1]["status"] is None
    problem = "" if gave_up_last else status_problem(value, Msg("your function"))
    if problem:
        return problem
    waits = run.waits()
    if took > BUDGET + 1e-6:
        return Msg(
            "with a budget of {budget} s your function took {took} s (the attempts are "
            "below): where does your code look at how much of the budget is left, before a "
            "wait and before an attempt?",
            budget=f"{BUDGET:g}",
            took=seconds(took),
        )
    if not run.rows:
        return Msg("no request reached the gateway: send it with lab.get(path, timeout=...).")
    sent = next((r["method"] for r in run.rows if r["method"] != "GET"), None)
    if sent is not None:
        # a client that POSTed and retried the POST passed: the judge looked at the statuses
        return Msg(
            "your function sent {method} {path}: the task GETs it (lab.get(path, "
            "timeout=...)). Retrying on its own is safe only for an idempotent request "
            "(RFC 9110 9.2.2), and the client's code decides which method it retries.",
            method=quoted(sent),
            path=PATH,
        )
    if run.disturbed and runner.changed():
        return Msg(
            "GET {path} answered {statuses}, where the outage the judge set up makes the "
            "gateway answer 504 after its {wait} s read timeout: what your function changed "
            "on the lab decided these answers, not your retries.",
            path=PATH,
            statuses=Listed(str(r["status"]) for r in run.rows),
            wait=f"{GATEWAY_WAIT:g}",
        )
    if len(run.rows) < 2 and run.rows[0]["status"] is None:
        return Msg(
            "only 1 request reached the gateway, and your client gave up on it (no answer "
            "within its timeout). A GET is idempotent and a timeout is often temporary: retry it."
        )
    if len(run.rows) < 2:
        return Msg(
            "only {count} request reached the gateway, and it got {status}. A GET is "
            "idempotent and a 504 is often temporary: retry it.",
            count=len(run.rows),
            status=run.rows[0]["status"],
        )
    if shape and min(waits) < MIN_WAIT:
        # said whatever the real wait was: a client that waited with select or Event.wait
        # (real time, which the virtual clock does not see) was told it went out 0.00 s after,
        # as if it had not waited; measured, the real wait would change the message with load
        i = waits.index(min(waits))
        return Msg(
            "attempt {number} went out {wait} s after the previous 504 in the judge's virtual "
            "time, where only time.sleep moves the clock (a wait with select, "
            "threading.Event.wait or a socket's timeout counts as none): wait before each "
            "retry (backoff) with time.sleep, or every client hammers the gateway at once.",
            number=i + 2,
            wait=seconds(waits[i]),
        )
    if shape and max(len(run.rows), most_attempts) < 3:
        return Msg(
            "only 2 attempts in {budget} s: start with a short wait (about 0.1 s) and double "
            "it each time, so that several attempts fit in the budget.",
            budget=f"{BUDGET:g}",
        )
    grown = waits if len(waits) > 1 else other_waits  # one wait shows no growth: the other run's
    if shape and len(grown) > 1 and max(grown[1:]) <= grown[0] + 1e-9:
        return Msg(
            "your waits were {waits} s: they should grow (for example double) from one "
            "retry to the next, so a struggling upstream gets more room.",
            waits=_shown(grown),
        )
    last = run.rows[-1]["status"]
    if value != last:
        return Msg(
            "your function returned {value}, but the last answer was {last}: return it.",
            value=value,
            last=last,
        )
    return ""


def _failing_run(value: float) -> Callable[[Run], tuple[Any, float, _Attempts]]:
    """A fact: one run against an upstream that keeps timing out, every random draw at
    ``value`` (returned value, virtual time taken, the attempts)."""

    def observe(run: Run) -> tuple[Any, float, _Attempts]:
        return _one_run(run["fetch_with_retries"], run.lab, value, recovers_at=None)

    return observe


def _retries_well(value: float) -> Callable[[Run], Text]:
    """What is wrong with the run whose random draws are at ``value``; its waits are judged
    in the run at the high end (with full jitter, the low end may wait almost nothing)."""

    def check(run: Run) -> Text:
        returned, took, attempts = run[f"draws at {value}"]
        if value != HIGH:
            run.detail = attempts.story(run.lang)
            return _failing_run_problem(returned, took, attempts, False)
        low = run[f"draws at {LOW}"][2]
        run.detail = attempts.story(run.lang)
        most = max(len(attempts.rows), len(low.rows))
        return _failing_run_problem(returned, took, attempts, True, most, low.waits())

    return check


def _long_run(run: Run) -> tuple[Any, float, _Attempts]:
    """A fact: one run with LONG_BUDGET against an upstream that keeps timing out, every
    random draw at HIGH."""
    return _one_run(run["fetch_with_retries"], run.lab, HIGH, recovers_at=None, budget=LONG_BUDGET)


def _steps(waits: list[float]) -> list[float]:
    """How much each wait grew over the one before, for the waits that grew, in order."""
    return [b - a for a, b in itertools.pairwise(waits) if b > a + 1e-9]


def _doubles(run: Run) -> Text:
    """The waits multiply (the prompt: double), not grow by the same step each time: with
    LONG_BUDGET, each step of growth but the last is GROWTH times the one before at least."""
    waits = run["long run"][2].waits()
    steps = _steps(waits)[:-1]  # the last may be into a cap, or cut by the time left
    if all(b >= GROWTH * a - 1e-9 for a, b in itertools.pairwise(steps)):
        return ""
    run.detail = run["long run"][2].story(run.lang)
    return Msg(
        "with a budget of {budget} s your waits were {waits} s: each grows by about as much "
        "as the one before, or little more (linear growth). The prompt asks to double the "
        "wait at each retry (exponential backoff): only a wait that multiplies soon gives a "
        "struggling upstream room, however long the outage.",
        budget=f"{LONG_BUDGET:g}",
        waits=_shown(waits),
    )


def _waits(run: Run, value: float) -> list[float]:
    waits: list[float] = run[f"draws at {value}"][2].waits()
    return waits


def _noted(run: Run, note: str) -> bool:
    """Whether the child noted ``note`` (runner.IDENTITY, runner.SEEDED) in a failing run."""
    return any(note in run[f"draws at {value}"][2].notes for value in (HIGH, LOW))


def _no_process_id(run: Run) -> Text:
    """A wait drawn from the process id differs between the judge's runs (each is another
    process) and never between one client's retries: one fixed schedule per client, the same
    for clients in containers (pid 1). The waits are not quoted: they are the process's."""
    if not _noted(run, runner.IDENTITY):
        return ""
    return Msg(
        "your code read its process's id (os.getpid(), or a thread's id): the judge cannot "
        "vary it, and a wait drawn from it is one fixed schedule for each client (the same "
        "for every client in a container, where each runs as pid 1). Jitter is a random "
        "part drawn afresh for each wait: where does yours come from?"
    )


def _jitter(run: Run) -> Text:
    """A schedule with jitter differs between the two ends; a fixed one does not."""
    high, low = _waits(run, HIGH), _waits(run, LOW)
    if any(abs(a - b) >= 1e-9 for a, b in zip(high, low, strict=False)):
        return ""
    run.detail = run[f"draws at {HIGH}"][2].story(run.lang)
    if _noted(run, runner.SEEDED):
        return Msg(
            "your code seeds its random generator with a value (random.seed(...), "
            "random.Random(...) or numpy's, in your function or in a cell before the check), so "
            "it draws the same numbers every time: your waits were {waits} s in both of the "
            "judge's runs. Every client seeded alike waits alike: leave the seeding to Python "
            "(it seeds from the system) and draw the random part of each wait.",
            waits=_shown(high),
        )
    return Msg(
        "your waits were {waits} s however the random numbers fell (the judge ran "
        "your function with different random draws): without jitter, clients that failed "
        "together all retry at the same moment. Where does a random part enter your wait?",
        waits=_shown(high),
    )


def _stops_at_recovery(run: Run) -> Text:
    returned, _, attempts = _one_run(
        run["fetch_with_retries"], run.lab, 0.5, recovers_at=HEALTHY_AFTER
    )
    run.detail = attempts.story(run.lang)
    problem = status_problem(returned, Msg("your function"))
    if problem:
        return problem
    if returned != 200 or not attempts.rows or attempts.rows[-1]["status"] != 200:
        return Msg(
            "the upstream recovered after {seconds} s, but your function returned "
            "{returned}. Keep retrying while the budget lasts, and stop at the first answer "
            "that is not a 5xx.",
            seconds=f"{HEALTHY_AFTER:g}",
            returned=returned,
        )
    return ""


q5 = CheckedTask(
    "504.retry-with-backoff",
    LESSON,
    Msg(
        "Write `def fetch_with_retries(lab, path: str, budget: float) -> int` that GETs path with "
        "lab.get(path, timeout=...) and returns the last status. On a 502, 503, 504 or no answer "
        "at all (status None), wait and try again: start with about 0.1 s, double the wait each "
        "time, add jitter (a random part), and never go past `budget` seconds in total. Wait with "
        "time.sleep and measure with time.monotonic(). Check with q5.check(fetch_with_retries, "
        "lab): the judge runs your function in virtual time (time.sleep returns at once and moves "
        "the clock), makes /up/slow/ time out, and then lets it recover."
    ),
    usage="q5.check(fetch_with_retries, lab)",
    takes=(function_param("fetch_with_retries"), lab_param()),
    # Against an upstream that keeps timing out, then one that recovers, in virtual time: the
    # learner's function runs in a child whose clock only sleeps move, so the waits the judge
    # sees are exactly the ones the code chose, whatever the machine's load. It runs with
    # every random draw at its low and at its high end: full, equal and decorrelated jitter
    # all grow at the high end and differ between the two.
    state=State(
        sets=(
            setting("personality", name="rfc"),
            setting("timeout", route="slow", connect=UPSTREAM_TIMEOUTS.connect, read=GATEWAY_WAIT),
        ),
        judge_changes=True,  # the slow upstream's delay: the outage the judge sets up
    ),
    observe={
        **{f"draws at {value}": _failing_run(value) for value in (HIGH, LOW)},
        "long run": _long_run,
    },
    checks=(
        _no_process_id,
        _retries_well(HIGH),
        _retries_well(LOW),
        _jitter,  # before _doubles: draws the judge cannot fix make a long run's waits noise
        _doubles,
        _stops_at_recovery,
    ),
    success=lambda run: Msg(
        "waits of {high} s at one end of the random "
        "range and {low} s at the other: growing, with jitter, within the "
        "{budget} s budget, and a stop at the first 200 once the upstream recovered.",
        high=_shown(_waits(run, HIGH)),
        low=_shown(_waits(run, LOW)),
        budget=f"{BUDGET:g}",
    ),
    hints=(
        Msg(
            "time.monotonic() at the start gives a deadline: deadline = start + budget. Before "
            "each attempt and each wait, compute what is left."
        ),
        Msg(
            "wait = 0.1 * 2 ** attempt; sleep random.uniform(wait / 2, wait) (that is the jitter), "
            "but never longer than the time left."
        ),
        Msg(
            "Give each attempt {timeout}, where left is the time left, and stop when less than "
            "{stop} s is left. Both numbers are advice, not the lab's settings: the cap keeps "
            "one slow answer from using the whole budget, and with less time left another "
            "attempt is not worth starting. lab.get refuses a timeout below {minimum} s.",
            timeout=f"timeout=min({ATTEMPT_CAP:g}, left)",
            stop=f"{STOP_UNDER:g}",
            minimum=f"{REQUEST_TIMEOUTS[0]:g}",
        ),
    ),
    solution=f"""import random, time

CAP, STOP_UNDER = {ATTEMPT_CAP!r}, {STOP_UNDER!r}


def fetch_with_retries(lab, path, budget):
    deadline = time.monotonic() + budget
    status, attempt = None, 0
    while True:
        left = deadline - time.monotonic()
        if left < STOP_UNDER:
            return status
        ex = lab.get(path, timeout=min(CAP, left))
        status = ex.status
        if status is not None and status not in (502, 503, 504):
            return status
        wait = 0.1 * 2 ** attempt
        wait = random.uniform(wait / 2, wait)
        attempt += 1
        if time.monotonic() + wait + STOP_UNDER > deadline:
            return status
        time.sleep(wait)

q5.check(fetch_with_retries, lab)""",
    time_limit=6.0,
)
