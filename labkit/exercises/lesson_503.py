"""Exercises of lesson 04: 503 Service Unavailable.

``from labkit.exercises.lesson_503 import q1, q2, q3, q4, q5`` in the notebook.
Importable without a running lab: the make-it-happen task is checked with
``q2.check(lab)``, the code task with ``q5.check(polite_get, lab)``. Both judges send
real requests through the gateway and put back every switch they touched.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import itertools
import math
import re
from collections.abc import Callable
from typing import Any, NamedTuple

from labkit.exchange import Exchange
from labkit.exercises import runner
from labkit.exercises.checks import (
    CheckedTask,
    Run,
    State,
    expect,
    function_param,
    lab_param,
    setting,
)
from labkit.exercises.core import make_choice, make_short_answer
from labkit.exercises.observe import quoted, seconds, status_problem
from labkit.http.messages import http_date
from labkit.i18n import Listed, Msg, Text
from labkit.lab import ORIGIN_TIMEOUTS
from labkit.origin import SHED_RETRY_AFTER

LESSON = "503"

# -- q1: the header that says when to come back --

_HEADER = "503.retry-after-header"

q1 = make_short_answer(
    _HEADER,
    LESSON,
    Msg(
        "The origin is down for maintenance and answers 503. Which response header tells the "
        "client when it is worth trying again?"
    ),
    accepted={"Retry-After"},
    why={
        "Retry-After": Msg(
            "Retry-After (RFC 9110 10.2.3), as a number of seconds ('30') or as "
            "an HTTP-date ('Tue, 01 Jan 2030 00:00:00 GMT')."
        ),
        "Cache-Control": Msg(
            "Cache-Control says what caches may do with the 503 "
            "(no-store: keep it out of every cache), not when the service is back."
        ),
        "Expires": Msg(
            "Expires tells caches when a stored response goes stale; "
            "it says nothing about when the service comes back."
        ),
        "Age": Msg(
            "Age is a cache's estimate of the seconds since the origin made (or last revalidated) the response (RFC 9111 5.1): it says the answer came from a cache, not when to come back."
        ),
        "Date": Msg("Date is when the response was made, not when to come back."),
    },
    hints=(
        Msg("Look at ex.headers of the maintenance 503 in this lesson: which header holds '30'?"),
        Msg("RFC 9110 10.2.3 defines it; the value is seconds or an HTTP-date."),
    ),
    kind="header",
    default=Msg(
        "that header does not say when to come back: which header of the maintenance "
        "503 holds a number of seconds?"
    ),
    solution=Msg(
        "Retry-After: seconds (Retry-After: 30) or an HTTP-date "
        "(Retry-After: Tue, 01 Jan 2030 00:00:00 GMT), RFC 9110 10.2.3."
    ),
)


# -- q2: make it happen: maintenance done right --


def _retry_after_problem(value: str | None, sent: str | None = None) -> Msg | None:
    """None when ``value`` is a usable Retry-After, else what is wrong with it. An HTTP-date
    must be later than the response's own Date (``sent``): both are the origin's, made when
    it answered, so the verdict is the same however long the check took. Compared with the
    judge's clock (1 s of slack), a date of "now" was accepted when checked at once and
    refused a second later, and it sends every client back at once, as 0 does."""
    if value is None:
        return Msg(
            "the 503 has no Retry-After header (the headers are below), so a client cannot "
            "know when to come back: which argument of lab.origin.maintenance sets it?"
        )
    value = value.strip()
    if re.fullmatch(r"\d+", value):
        if int(value) == 0:
            return Msg(
                "Retry-After: 0 tells every client to come back at once, which only adds load "
                "during maintenance: give a number of seconds above 0"
            )
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        when = None
    if when is None or not value.endswith("GMT"):
        return Msg(
            "Retry-After: {value} is neither a number of seconds nor an HTTP-date such as "
            "'Tue, 01 Jan 2030 00:00:00 GMT' (RFC 9110 10.2.3)",
            value=quoted(value),
        )
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    try:
        now = email.utils.parsedate_to_datetime(sent or "")
    except (TypeError, ValueError, IndexError):
        now = None
    if now is None or now.tzinfo is None:  # no Date of its own: the judge's clock, 1 s slack
        late = when < dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    else:
        late = when <= now
    if late:
        return Msg(
            "Retry-After: {value} is not later than the 503's Date, so a client would come "
            "back at once: compare the two headers",
            value=value,
        )
    return None


def _maintenance_get(run: Run) -> Any:
    ex = run.lab.get("/orders/7")
    run.detail = repr(ex)
    return ex


def _no_store(run: Run) -> Text:
    cache_control = (run["ex"].header("Cache-Control") or "").lower()
    if "no-store" in cache_control:
        return ""
    shown: Text = f"Cache-Control: {cache_control}" if cache_control else Msg("no Cache-Control")
    return Msg(
        "the 503 carries {shown}: a cache (like the gateway's) may store it and keep "
        "answering 503 after you are back (a response no cache may keep says no-store). Which "
        "of your arguments to lab.origin.maintenance put that there?",
        shown=shown,
    )


def _retry_after(run: Run) -> Text:
    problem = _retry_after_problem(run["ex"].header("Retry-After"), run["ex"].header("Date"))
    return Msg("{problem}.", problem=problem) if problem else ""


q2 = CheckedTask(
    "503.maintenance-done-right",
    LESSON,
    Msg(
        "Put the origin into maintenance correctly, so that a client knows when to come back and "
        "no cache keeps the 503 afterwards. Then check with q2.check(lab); the judge sends a real "
        "GET /orders/7 through the gateway."
    ),
    usage="q2.check(lab)",
    takes=(lab_param(),),  # the learner's own settings are the answer: the judge sets nothing
    observe={"ex": _maintenance_get},
    checks=(
        expect(
            lambda run: run.lab.origin.in_maintenance,
            Msg(
                "the origin is not in maintenance (ask it: lab.get('/orders/7', via='origin')): put "
                "it into maintenance, then check again."
            ),
        ),
        expect(
            lambda run: run["ex"].status == 503,
            lambda run: Msg(
                "GET /orders/7 through the gateway answered {status}, not "
                "503. Is the origin's capacity or the gateway in the way? lab.reset() puts every "
                "switch back.",
                status=run["ex"].status,
            ),
        ),
        expect(
            lambda run: run["ex"].header("X-Cache") != "HIT",
            Msg(
                "this 503 came out of the gateway cache (X-Cache: HIT), stored from an earlier "
                "answer with max-age: the origin was not even asked. Empty the cache with "
                "lab.gateway.purge() and check again."
            ),
        ),
        _retry_after,
        _no_store,
    ),
    success=lambda run: Msg(
        "the gateway relays the origin's 503 with Retry-After: "
        "{retry_after} and Cache-Control: {cache_control}: "
        "clients know when to come back, and no cache keeps the error. Switch maintenance off "
        "when you are done: lab.origin.maintenance(False).",
        retry_after=run["ex"].header("Retry-After"),
        cache_control=run["ex"].header("Cache-Control"),
    ),
    hints=(
        Msg("lab.origin.maintenance(...) takes retry_after= (seconds) and cache_max_age=."),
        Msg(
            "For this task Retry-After must be seconds above 0 (RFC 9110 10.2.3 allows 0, which "
            "sends every client back at once), or a future time (an aware datetime such as "
            "datetime.now(timezone.utc) + timedelta(minutes=5)); Cache-Control must be no-store, "
            "which is what you get without cache_max_age."
        ),
    ),
    solution=Msg(
        "lab.gateway.purge()  # in case an earlier 503 sits in the cache\n"
        "lab.origin.maintenance(retry_after=300)\nq2.check(lab)"
    ),
)


# -- q3: load shedding --

_SHED = "503.how-many-shed"

q3 = make_short_answer(
    _SHED,
    LESSON,
    Msg(
        "The origin's capacity is 3, and 8 slow requests arrive at the same moment. How many of "
        "them are shed with 503?"
    ),
    accepted={"5"},
    why={
        "5": Msg(
            "3 are served, the other 5 are shed at once with 503 and "
            "Retry-After: {retry_after}, instead of all 8 waiting in a queue.",
            retry_after=SHED_RETRY_AFTER,
        ),
        "3": Msg(
            "3 is how many are served (the capacity); the question asks how many are turned away."
        ),
        "8": Msg(
            "not all of them: up to the capacity, requests are served. Only "
            "those above it are shed."
        ),
        "0": Msg(
            "an origin with load shedding does not queue requests above its "
            "capacity; it refuses them at once with 503."
        ),
    },
    hints=(
        Msg("Capacity is how many requests may be in flight at once."),
        Msg("Run labkit.load.burst(lab, 8) with lab.origin.capacity = 3 and read the result."),
    ),
    kind="number",
    counts=503,
    default=Msg("count them with labkit.load.burst(lab, 8) and lab.origin.capacity = 3."),
    solution=Msg("5: the first 3 are in flight (the capacity), the other 5 are shed with 503."),
)


# -- q4: which 5xx may be cached without being told --

q4 = make_choice(
    "503.heuristic-cache",
    LESSON,
    Msg(
        "A response has no Cache-Control and no Expires. For which of these statuses may a shared "
        "cache still store it and reuse it (it is 'heuristically cacheable', RFC 9110 15.1)?"
    ),
    ["500", "501", "503", "504"],
    "501",
    why={
        "501": Msg(
            "501 (the method is not implemented) is the only 5xx on the list in "
            "RFC 9110 15.1, because it does not change from one minute to the next. A 503 is "
            "stored only when it says so itself (max-age, s-maxage, Expires or public, RFC 9111 "
            "3): that is the caching trap."
        ),
        "503": Msg(
            "a 503 says the problem is temporary: would a cache do well to keep it without "
            "being told? Look for it in the list of RFC 9110 15.1."
        ),
        "500": Msg(
            "an error in the handler may be gone at the next request: is 500 in the list of "
            "RFC 9110 15.1?"
        ),
        "504": Msg(
            "a 504 depends on how the upstream did at that moment: is it in the list of RFC "
            "9110 15.1?"
        ),
    },
    hints=(
        Msg("Which of these says something that stays true for a long time?"),
        Msg(
            "RFC 9110 15.1 lists 200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414 and one 5xx."
        ),
    ),
    solution=Msg(
        "501 Not Implemented. No other 5xx is heuristically cacheable (RFC 9110 15.1 lists "
        "200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414 and 501), so a 503 is stored only "
        "when it carries explicit freshness such as max-age. No RFC forbids that, and real caches "
        "do it (nginx's proxy_cache stored a 503 with max-age=60): the trap is that the stored "
        "503 keeps being served after the service is back. That is why the lab's maintenance "
        "503 says no-store unless you ask for max-age."
    ),
)


# -- q5: a client that honours Retry-After and does not retry a POST --

# What the origin answers the GETs of a planned outage, one after the other: seconds,
# an HTTP-date this many seconds ahead (rounded up to a whole second), seconds again.
# No fixed sleep fits them all; the request after the last one is served.
OUTAGE: tuple[tuple[str, int], ...] = (("seconds", 1), ("date", 4), ("seconds", 2))
MAX_TRIES = len(OUTAGE) + 1  # the prompt's "a few times at most": the first try and 3 more
SLACK = (
    1.0  # a wait may be this much longer than asked; an HTTP-date (whole seconds) this much shorter
)
REQUEST_TIME = 0.01  # what a request takes, in the judge's virtual time
REAL_TIMEOUT = runner.CALL_FORGIVEN  # the real request waits for the origin's answer, however busy
# the machine is (the runner does not charge the learner for a call this long)
ENDLESS = 20  # a client still retrying a never-ending outage after this many requests is ended
TIME_LIMIT = 6.0  # the check's: every run of the client is over within this (and the grace)


class _Outage:
    """One run of the learner's client in virtual time, against an outage the judge drives.

    Before each request the origin is switched into the state the outage has for it:
    the n-th GET gets OUTAGE[n] (or 200 after it; or Retry-After: 1 for ever when
    ``endless``), a POST gets a 503 with Retry-After: 1.
    """

    def __init__(self, lab: Any, endless: bool = False) -> None:
        self.lab = lab
        self.endless = endless
        self.rows: list[dict[str, Any]] = []
        self.disturbed = False  # a request got what the outage did not plan (a stalled machine)
        # The client's time.time() starts at runner.VIRTUAL_EPOCH, and every date it is
        # shown is on that clock: the Retry-After the outage plans and each answer's Date
        # (after()). Dates of the machine's clock made the message differ at each check
        # when a learner's parse of them failed ("invalid literal for int() ...: 'Sun, 06
        # Dec 2026 05:19:33 GMT'"), and needed the client's clock set ahead of the
        # origin's so that a client reading Retry-After against Date came back in time.
        self.clock = runner.Clock(
            on_call=self.before,
            after_call=self.after,
            max_calls=ENDLESS,
            too_many=Msg(
                "your function sent {count} requests and was still retrying a 503 "
                "that did not end: stop after a few tries and return the 503",
                count=ENDLESS,
            ),
        )

    def before(self, now: float, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if name not in ("get", "request"):
            return 0.0
        method = "GET" if name == "get" else str(args[0] if args else kwargs.get("method", ""))
        n = sum(r["method"] == method for r in self.rows)
        row: dict[str, Any] = {
            "method": method,
            "at": now,
            "wait_until": None,
            "status": None,
            "retry_after": None,
            "asked": "",
        }
        if method.upper() in ("GET", "HEAD") and not self.endless and n < len(OUTAGE):
            form, amount = OUTAGE[n]
            row["asked"] = f"Retry-After: {amount}"
            row["planned"] = 503
            if form == "seconds":
                self.lab.origin.maintenance(True, retry_after=amount)
                row["wait_until"] = (now + REQUEST_TIME + amount, now + REQUEST_TIME + amount)
            else:
                when = math.ceil(self.clock.wall(now + REQUEST_TIME)) + amount
                self.lab.origin.maintenance(
                    True, retry_after=dt.datetime.fromtimestamp(when, dt.timezone.utc)
                )
                due = when - self.clock.start_wall
                row["wait_until"] = (due - SLACK, due)
                row["when"] = when  # after() reads the 503's own Date beside it
                row["asked"] = Msg("Retry-After: <an HTTP-date {seconds} s ahead>", seconds=amount)
        elif method.upper() in ("GET", "HEAD") and not self.endless:
            self.lab.origin.maintenance(False)
            row["planned"] = 200
        else:
            self.lab.origin.maintenance(True, retry_after=1)
            row["wait_until"] = (now + REQUEST_TIME + 1, now + REQUEST_TIME + 1)
            row["asked"] = "Retry-After: 1"
            row["planned"] = 503
        self.rows.append(row)
        return REQUEST_TIME, {"timeout": REAL_TIMEOUT}

    def after(self, name: str, value: Any) -> Any:
        if name not in ("get", "request") or not self.rows:
            return None
        row = self.rows[-1]
        row["status"] = getattr(value, "status", None)
        if row["status"] != row.get("planned"):
            self.disturbed = True
        if not isinstance(value, Exchange):
            return None
        value = _dated(value, self.clock.wall(row["at"] + REQUEST_TIME))
        row["retry_after"] = value.header("Retry-After")
        self._by_date(row, value)
        return value

    def _by_date(self, row: dict[str, Any], ex: Any) -> None:
        """An HTTP-date may be read against the 503's own Date (the server's clock; RFC 9110
        6.6.1), as well as against the client's clock: Date is the whole second before the
        client's clock at the answer (_dated), so a client that waited Retry-After minus Date
        waits up to a second longer. A wait that ends by the date as the Date header counts
        from is in time too; the earliest stays the judge's, so a fixed sleep is as early as
        ever, and a Date-reading client never comes back before it."""
        if row.get("when") is None or row["wait_until"] is None or not ex:
            return
        try:
            date = email.utils.parsedate_to_datetime(ex.header("Date") or "").timestamp()
        except (TypeError, ValueError, IndexError):
            return
        earliest, due = row["wait_until"]
        by_date = row["at"] + REQUEST_TIME + row["when"] - date
        if due < by_date <= due + 30:  # later by the Date (within half a minute): not sooner
            row["wait_until"] = (earliest, by_date)

    def story(self, lang: str) -> str:
        lines = []
        for i, r in enumerate(self.rows, 1):
            told = f" (Retry-After: {r['retry_after']})" if r.get("retry_after") else ""
            line = Msg(
                "request {number} at {at} s: {method} -> {status}{told}",
                number=i,
                at=seconds(r["at"]),
                method=r["method"],
                status=r["status"],
                told=told,
            )
            lines.append(line.render(lang))
        return "\n".join(lines)


def _dated(ex: Exchange, wall: float) -> Exchange:
    """The answer as the client in virtual time sees it: its Date is the virtual clock's
    (``wall``, the client's time.time() as the answer came), not the machine's; the
    Retry-After the outage planned is on that clock already."""
    return ex.with_header("Date", http_date(wall))


def _run(fn: Any, lab: Any, method: str, path: str, endless: bool = False) -> tuple[_Outage, Any]:
    """One run of the client; again (twice at most) if the machine, not the client, changed
    what a request got (a real request that stalled past the origin's route timeout)."""
    for _ in range(3):
        run = _Outage(lab, endless)
        value = fn.run(lab, method, path, clock=run.clock).value
        if not run.disturbed:
            break
    return run, value


def _timing_problem(run: _Outage) -> Text:
    """A retry that came too early or far too late ("" if every wait fits what was asked)."""
    for prev, nxt in itertools.pairwise(run.rows):
        if prev["wait_until"] is None:
            continue
        earliest, due = prev["wait_until"]
        came = nxt["at"] - prev["at"] - REQUEST_TIME
        asked = prev["asked"]
        if nxt["at"] < earliest - 1e-6:
            return Msg(
                "your {method} came back {came} s after a 503 that said {asked}: "
                "compare each request's time below with the Retry-After before it (RFC 9110 "
                "10.2.3: seconds, or an HTTP-date).",
                method=nxt["method"],
                came=seconds(came),
                asked=asked,
            )
        if nxt["at"] > due + SLACK + 1e-6:
            return Msg(
                "your {method} waited {came} s after a 503 that said {asked}: the "
                "server said when it expects to be back; come back then, not much later.",
                method=nxt["method"],
                came=seconds(came),
                asked=asked,
            )
    return ""


def _client_run(method: str, path: str, endless: bool = False) -> Callable[[Run], Any]:
    """A fact: one run of the learner's client (the outage, what it returned)."""

    def observe(run: Run) -> tuple[_Outage, Any]:
        return _run(run["polite_get"], run.lab, method, path, endless)

    return observe


def _client_result(run: Run, fact: str, call: str) -> tuple[_Outage, Any, Text]:
    """One run of the learner's client as the checks read it: the outage it met (shown as
    the detail), what it returned, and what is wrong with that value ("" if it is a status)."""
    outage, value = run[fact]
    run.detail = outage.story(run.lang)
    return outage, value, status_problem(value, f"polite_get(lab, {call})")


def _waits_out_the_outage(run: Run) -> Text:
    """GET through a planned outage: three 503s with different Retry-After, then 200."""
    outage, value, problem = _client_result(run, "outage", "'GET', '/orders/7'")
    if problem:
        return problem
    if not outage.rows:
        return Msg("no request reached the lab: send it with lab.request(method, path).")
    if len(outage.rows) == 1:
        return Msg(
            "your function sent GET /orders/7 once and returned {value}. The 503 said "
            "{asked}: what does that tell a client, and may a GET be sent "
            "again (RFC 9110 9.2.2)?",
            value=value,
            asked=outage.rows[0]["asked"],
        )
    problem = _timing_problem(outage)
    if problem:
        return problem
    if outage.rows[-1]["status"] != 200:
        return Msg(
            "your function gave up after {count} requests, while the server kept "
            "saying when to come back; this outage ended at request {last}. Retry up "
            "to {retries} times.",
            count=len(outage.rows),
            last=MAX_TRIES,
            retries=MAX_TRIES - 1,
        )
    if value != 200:
        return Msg(
            "polite_get(lab, 'GET', '/orders/7') returned {value}, but the last answer was "
            "200: return the last status.",
            value=value,
        )
    return ""


def _gives_up(run: Run) -> Text:
    """GET through an outage that does not end: a few tries, then the 503 is returned."""
    outage, value, problem = _client_result(run, "endless", "'GET', '/orders/7'")
    if problem:
        return problem
    if len(outage.rows) > MAX_TRIES:
        return Msg(
            "during an outage that did not end your function sent GET /orders/7 "
            "{count} times: retry a few times at most ({retries}), then "
            "return the 503 and let the caller decide.",
            count=len(outage.rows),
            retries=MAX_TRIES - 1,
        )
    problem = _timing_problem(outage)
    if problem:
        return problem
    if value != 503:
        return Msg("the last answer was 503, but your function returned {value}.", value=value)
    return ""


def _heads_too(run: Run) -> Text:
    """HEAD through the same planned outage: safe as GET is, retried the same way. A client
    that retried GET only passed (the prompt asks for GET or HEAD). Fails before."""
    outage, value, problem = _client_result(run, "head", "'HEAD', '/orders/7'")
    if problem:
        return problem
    if len(outage.rows) < 2 or outage.rows[-1]["status"] != 200:
        return Msg(
            "your function sent HEAD /orders/7 {count} time(s) through an outage that said "
            "when to come back, and returned {value}. HEAD is safe too (RFC 9110 9.2.1): "
            "the task retries a GET or a HEAD.",
            count=len(outage.rows),
            value=value,
        )
    problem = _timing_problem(outage)
    if problem:
        return problem
    if value != 200:
        return Msg(
            "polite_get(lab, 'HEAD', '/orders/7') returned {value}, but the last answer was "
            "200: return the last status.",
            value=value,
        )
    return ""


def _posts_once(run: Run) -> Text:
    """POST: the same 503, but a POST may have taken effect; send it once only."""
    outage, value, problem = _client_result(run, "post", "'POST', '/orders'")
    if problem:
        return problem
    if len(outage.rows) > 1:
        return Msg(
            "your function sent POST /orders {count} times. POST is not "
            "idempotent (RFC 9110 9.2.2): what would a resent POST do if the first one had "
            "been carried out before its 503?",
            count=len(outage.rows),
        )
    if value != 503:
        return Msg(
            "polite_get(lab, 'POST', '/orders') returned {value}, but the lab answered "
            "{status}: return the status you got.",
            value=value,
            status=outage.rows[0]["status"] if outage.rows else Msg("nothing"),
        )
    return ""


class ClientRun(NamedTuple):
    """One run of the learner's client that the judge makes: the fact its checks read, the
    request, whether the outage ends, and what a client that passes did in it."""

    fact: str
    method: str
    path: str
    endless: bool
    passed: Msg


# The judge's runs, in order: what it observes, and all that the success message and the
# detail under it speak of (a run named there and not shown was one more place to look for).
RUNS = (
    ClientRun(
        "outage",
        "GET",
        "/orders/7",
        False,
        Msg(
            "GET waited out every Retry-After, in seconds and as an HTTP-date, and got 200 "
            "once the outage ended"
        ),
    ),
    ClientRun(
        "endless",
        "GET",
        "/orders/7",
        True,
        Msg("GET gave up on an outage that did not end and returned its 503"),
    ),
    ClientRun("post", "POST", "/orders", False, Msg("POST was sent once and its 503 returned")),
    # the prompt's "a GET or HEAD": a client that retried only GET passed
    ClientRun(
        "head",
        "HEAD",
        "/orders/7",
        False,
        Msg("HEAD, safe as GET is, was retried the same way and got 200"),
    ),
)


def _polite(run: Run) -> Text:
    """Success: each of the judge's runs (``RUNS``), what the client did in it, and under the
    message the requests of each, in the same order."""
    run.detail = "\n\n".join(
        Msg("{number}. {run}:", number=i, run=client.passed).render(run.lang)
        + "\n"
        + run[client.fact][0].story(run.lang)
        for i, client in enumerate(RUNS, 1)
    )
    return Msg("{runs}.", runs=Listed((client.passed for client in RUNS), sentences=True))


q5 = CheckedTask(
    "503.polite-client",
    LESSON,
    Msg(
        "Write `def polite_get(lab, method: str, path: str) -> int` that sends the request with "
        "lab.request(method, path) and returns the final status. On a 503 with Retry-After, a "
        "GET or HEAD (safe, RFC 9110 9.2.1: asking again changes nothing) waits as long as "
        "Retry-After says (in seconds or until "
        "its HTTP-date) and tries again, 3 times at most; a POST is never retried. Wait with "
        "time.sleep. Check with q5.check(polite_get, lab): the judge runs your function in "
        "virtual time (time.sleep returns at once and moves the clock), puts the origin into "
        "maintenance with several Retry-After values, and watches every request."
    ),
    usage="q5.check(polite_get, lab)",
    takes=(function_param("polite_get"), lab_param()),
    # the origin serving everyone, the gateway as the lesson's with its usual patience, no
    # stored 503; the outage drives maintenance itself. The client runs in virtual time.
    state=State(
        sets=(
            setting("personality", name="rfc"),
            setting("capacity", value=None),
            setting(
                "timeout", route="/", connect=ORIGIN_TIMEOUTS.connect, read=ORIGIN_TIMEOUTS.read
            ),
            setting("cache", action="purge"),
        ),
        judge_changes=True,  # maintenance: the outage drives it
    ),
    observe={run.fact: _client_run(run.method, run.path, run.endless) for run in RUNS},
    checks=(_waits_out_the_outage, _gives_up, _posts_once, _heads_too),
    success=_polite,
    hints=(
        Msg(
            "ex = lab.request(method, path); ex.status and ex.header('Retry-After') are what you "
            "need. time.sleep(seconds) waits."
        ),
        Msg(
            "Retry-After is either digits (int(value)) or an HTTP-date: "
            "email.utils.parsedate_to_datetime(value) minus datetime.now(timezone.utc)."
        ),
        Msg(
            "Loop at most a few times: stop when the status is not 503, when the method is not "
            "GET or HEAD, or when there is no Retry-After."
        ),
    ),
    solution="""import email.utils, time
from datetime import datetime, timezone

def polite_get(lab, method, path):
    for attempt in range(4):
        ex = lab.request(method, path)
        retry_after = ex.header("Retry-After")
        if ex.status != 503 or method not in ("GET", "HEAD") or retry_after is None:
            return ex.status
        if retry_after.isdigit():
            wait = int(retry_after)
        else:
            when = email.utils.parsedate_to_datetime(retry_after)
            wait = (when - datetime.now(timezone.utc)).total_seconds()
        time.sleep(max(0, min(wait, 10)))
    return ex.status

q5.check(polite_get, lab)""",
    time_limit=TIME_LIMIT,
)
