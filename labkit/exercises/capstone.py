"""Capstone (notebook 08): diagnose the incident from the evidence alone.

Each incident is a hidden setup of the lab that makes one request fail: a scenario of
the catalogue (labkit.scenarios), so its statuses and numbers are the lessons' own.
``start(lab)`` puts every switch back as a fresh lab has it, sets the scenario's switches
(as ``labkit ctl`` would), sends the failing request and returns the Exchange; it never
says which setup it chose. The learner reads the evidence (status line, Server, Via,
Retry-After, Cache-Control, X-Cache, Age, the body, ``ex.hops``, ``ex.raw(hop)``,
``ex.elapsed``, ``lab.origin.logs()``) and answers, for each incident, which hop made
the response and why::

    q1.check({"made_by": "gateway", "cause": "maintenance"})

``made_by`` is one of MAKERS, ``cause`` one of the keys of CAUSES. ``stop(lab)``
ends the incident and puts every switch back.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from typing import Any

from labkit import scenarios
from labkit.exchange import Exchange
from labkit.exercises import answers, store
from labkit.exercises.checks import CheckedTask, Param, Refused, Run
from labkit.exercises.core import MAX_ANSWER, Result, is_blank, too_long
from labkit.lab import UPSTREAM_TIMEOUTS
from labkit.origin import SHED_RETRY_AFTER as _SHED

LESSON = "capstone"

MAKERS = ("client", "portal", "gateway", "origin", "upstream")

CAUSES: dict[str, str] = {
    "maintenance": "the origin is down for planned maintenance",
    "overload": "the origin is at capacity and sheds the extra request (load shedding)",
    "handler-bug": "the application's own code raised an exception",
    "cached-error": "a cache serves its stored copy of an earlier error (still fresh by the "
    "max-age the error carried, so the cache does not ask again)",
    "invalid-response": "the upstream answered with bytes that are not valid HTTP",
    "refused": "nothing listens at the upstream's address (connection refused)",
    "connect-timeout": "the upstream never accepted the connection in time",
    "read-timeout": "the upstream accepted the request but answered too slowly",
    "no-healthy-upstream": "the gateway had no healthy upstream to send the request to",
    "network-login": "the network wants you to log in before anything passes (captive portal)",
}

answers.describe_causes(CAUSES)  # a learner may paste a cause's description from the list

CONFIRMED_TRIES = 3  # after this many wrong diagnoses, no more "made_by is right"
_CONNECT = UPSTREAM_TIMEOUTS.connect  # incident 5: how long the gateway waits


def _switch_arg(scenario_id: str, name: str) -> Any:
    """A number an incident's scenario sets (its first switch's), so that prose quotes it."""
    return scenarios.get(scenario_id).switches[0].args[name]


MAINTENANCE_RETRY = _switch_arg("503-maintenance", "retry_after")  # incident 6's Retry-After
CACHED_MAX_AGE = _switch_arg("503-served-from-cache", "cache_max_age")  # incident 3's mistake


# -- incidents --


@dataclass
class Incident:
    """One hidden setup, built from a scenario of the catalogue (labkit.scenarios): its
    switches, priming requests, busy clients and request, so that the capstone's statuses and
    numbers are the lessons' own. ``start(lab)`` causes it and returns the Exchange and leaves
    the setup in place while the learner investigates; ``stop(lab)`` ends it."""

    number: int
    report: str  # what the people affected say: the symptom, never the cause
    _scenario_id: str = field(repr=False)  # private: its id names the cause
    _via: str | None = field(default=None, repr=False)  # send to this hop, not the scenario's
    _threads: list[threading.Thread] = field(default_factory=list, repr=False)

    def start(self, lab: Any) -> Exchange:
        """Set the incident up on a running lab, send the failing request, return what happened."""
        lab.reset()  # first: it releases the requests a previous start held
        self._join()
        scenario = scenarios.get(self._scenario_id)
        for switch in scenario.switches:
            switch.apply(lab)
        for call in scenario.prime:
            call.send(lab)
        for switch in scenario.after_prime:
            switch.apply(lab)
        if scenario.busy:
            self._threads.extend(scenarios.hold_busy(lab, scenario.busy))
        request = scenario.request
        if self._via is not None and isinstance(request, scenarios.Call):
            request = replace(request, via=self._via)
        return request.send(lab)

    def stop(self, lab: Any) -> None:
        """End the incident: put every switch back as a fresh lab has it (the cache emptied,
        the held requests released)."""
        lab.reset()
        self._join()

    def _join(self) -> None:
        for t in self._threads:
            t.join(timeout=5)
        self._threads.clear()

    def __repr__(self) -> str:
        return f"<Incident {self.number}: {self.report}>"


incident1 = Incident(1, "the reports page GET /pool/ fails for everyone", "503-no-healthy-upstream")
incident2 = Incident(
    2,
    "a customer cannot open her order: GET /orders/13; other orders open fine",
    "500-missing-data",
)
incident3 = Incident(
    3,
    "the team says the shop is up again, yet GET /orders/7 still fails",
    "503-served-from-cache",
)
incident4 = Incident(
    4,
    "a visitor in a café opens GET /orders/7 on the café's network (via the portal)",
    "511-portal-intercepts",
)
incident5 = Incident(5, "the stock service GET /up/blackhole/ fails", "504-blackhole")
incident6 = Incident(6, "GET /orders/7 fails for everyone this morning", "503-maintenance")
incident7 = Incident(7, "the partner service GET /up/garbage/ fails", "502-garbage")
incident8 = Incident(
    8,
    "GET /orders/7 fails for some customers and works for others",
    "503-load-shedding",
    _via="gateway",  # the customers' requests come through the gateway
)

INCIDENTS = [incident1, incident2, incident3, incident4, incident5, incident6, incident7, incident8]


# -- the diagnosis exercise --


def _maker(value: object) -> str:
    try:
        return answers.hop(value)
    except answers.WrongKind:
        return answers.clean(value)


def _cause(value: object) -> str:
    return answers.cause(value)


_FORM = "{'made_by': '<a hop>', 'cause': '<a cause>'}"
_EXPECTS = (
    "answer {'made_by': <one of "
    + ", ".join(MAKERS)
    + ">, 'cause': <one of "
    + ", ".join(CAUSES)
    + ">}"
)


def _diagnosis(given: Any) -> tuple[str, str]:
    """The answer read as (maker, cause); Refused (not an attempt) for one of another shape."""
    if not isinstance(given, dict):
        problem = f"answer with a dict such as {_FORM}, not {given!r}"
    elif missing := [k for k in ("made_by", "cause") if is_blank(given.get(k))]:
        problem = f"fill in {' and '.join(missing)}: the answer looks like {_FORM}"
    elif extra := sorted(str(k)[:40] for k in given if k not in ("made_by", "cause")):
        problem = f"the answer has two keys, made_by and cause, not {', '.join(extra)}"
    elif long := [v for v in given.values() if isinstance(v, str) and len(v) > MAX_ANSWER]:
        raise Refused(too_long(long[0]))
    elif (maker := _maker(given["made_by"])) not in MAKERS:
        problem = f"made_by {given['made_by']!r} is not a hop"
    elif (cause := _cause(given["cause"])) not in CAUSES:
        problem = f"cause {given['cause']!r} is not one of the causes"
    else:
        return maker, cause
    raise Refused(f"{problem}; {_EXPECTS}.")


def _wrong_so_far(exercise_id: str) -> int:
    """Wrong attempts recorded for an incident (the progress file's, as for hints)."""
    try:
        record = store.load().get(exercise_id, {})
    except store.ProgressError:
        return 0
    if record.get("solved"):
        return 0
    return int(record.get("attempts", 0) or 0)


class Diagnosis(CheckedTask):
    """Which hop made the response, and why: ``q.check({"made_by": ..., "cause": ...})``.

    A judged task like the others (labkit.exercises.checks): it takes the diagnosis (a
    dict of another shape is refused with one line, not counted), and one check compares
    it with the incident's, part by part until CONFIRMED_TRIES wrong tries."""

    def __init__(
        self,
        incident: Incident,
        made_by: str,
        cause: str,
        *,
        wrong_maker: dict[str, str],
        wrong_cause: dict[str, str],
        maker_default: str,
        cause_default: str,
        hints: tuple[str, ...],
        solution: str,
    ) -> None:
        assert made_by in MAKERS and cause in CAUSES
        self.incident = incident
        self._made_by = made_by
        self._cause = cause
        self.wrong_maker = wrong_maker
        self.wrong_cause = wrong_cause
        self.maker_default = maker_default
        self.cause_default = cause_default
        number = incident.number
        prompt = (
            f"Incident {number} ({incident.report}): which hop made the response "
            "(made_by: one of "
            + ", ".join(MAKERS)
            + ") and why (cause: one of "
            + ", ".join(CAUSES)
            + ")? Answer {'made_by': ..., 'cause': ...}."
        )
        super().__init__(
            f"capstone.incident-{number}",
            LESSON,
            prompt,
            usage=f"q{number}.check({{'made_by': ..., 'cause': ...}})",
            takes=(Param("diagnosis", _diagnosis),),
            checks=(self._diagnosed,),
            success=lambda run: (
                f"that's it: made by the {run['diagnosis'][0]}, because "
                f"{CAUSES[run['diagnosis'][1]]}."
            ),
            hints=hints,
            solution=solution,
        )

    def expects(self) -> str:
        return _EXPECTS

    def check(self, *answer: Any) -> Result:
        if answer and isinstance(answer[0], dict) and answer[0]:
            if all(is_blank(v) for v in answer[0].values()):
                return super().check(...)
        return super().check(*answer)

    def _diagnosed(self, run: Run) -> str:
        maker, cause = run["diagnosis"]
        maker_ok, cause_ok = maker == self._made_by, cause == self._cause
        if maker_ok and cause_ok:
            return ""
        if _wrong_so_far(self.id) >= CONFIRMED_TRIES:
            return (
                f"not yet. After {CONFIRMED_TRIES} wrong tries the feedback no longer says which "
                "part is right, so that an incident cannot be solved by trying every pair: go "
                "back to the evidence (the headers, the body, ex.hops, ex.elapsed) and decide "
                "both parts from it; .hint() goes one step further each time."
            )
        parts = []
        if maker_ok:
            parts.append(f"made_by is right ({maker}).")
        else:
            parts.append(f"made_by {maker!r}: " + self.wrong_maker.get(maker, self.maker_default))
        if cause_ok:
            parts.append(f"The cause is right ({cause}).")
        else:
            parts.append(f"cause {cause!r}: " + self.wrong_cause.get(cause, self.cause_default))
        return " ".join(parts)


# Evidence phrases the messages point to (kept short and the same in every incident).
_NO_ORIGIN_HOP = "ex.hops has no origin hop: the origin never received this request"
_WHO_WROTE_IT = (
    "read Proxy-Status (RFC 9209: error= when a proxy made the response, received-status= "
    "when it relayed one) and the last line of the body"
)

q1 = Diagnosis(
    incident1,
    "gateway",
    "no-healthy-upstream",
    wrong_maker={
        "origin": f"{_WHO_WROTE_IT}. And which hops does ex.hops show?",
        "upstream": "ex.hops shows no upstream hop at all: no upstream received the request, so "
        f"none could answer; {_WHO_WROTE_IT}.",
        "portal": "ex.hops has no portal hop: the portal never saw this request.",
    },
    wrong_cause={
        "maintenance": "a maintenance 503 comes from the origin and carries Retry-After; this one "
        "has no Retry-After and no hop behind the gateway.",
        "overload": f"load shedding is an upstream's 503 with Retry-After: {_SHED}; here no upstream "
        "saw the request at all.",
        "connect-timeout": "a connect timeout means the gateway tried and waited, then 504. This "
        "is a 503 that came at once (ex.elapsed): read the body's 'What it "
        "observed' line.",
        "refused": "a refused connection is an attempt the gateway notes in ex.hops (and a 502 in "
        "this lab); here it attempted nothing: read 'What it observed' in the body.",
        "cached-error": "a stored copy carries X-Cache: HIT and Age; this response has neither.",
    },
    maker_default=f"{_WHO_WROTE_IT}.",
    cause_default="read the body's 'What it observed' line, and which hops ex.hops shows.",
    hints=(
        "Who wrote this page? Compare the Server header, Via, and the last line of the body.",
        "Look at ex.hops and ex.elapsed: did the request go anywhere behind the gateway, and did "
        "anyone wait for an answer?",
        "The gateway's page has a line 'What it observed'. What does it say about the targets?",
    ),
    solution=(
        "{'made_by': 'gateway', 'cause': 'no-healthy-upstream'}\n"
        "Proxy-Status: labkit-gateway; error=destination_unavailable, and the body ends 'made "
        "by the labkit gateway': the "
        "gateway wrote this 503 itself. ex.hops shows only the gateway, and the answer came at "
        "once: no upstream was tried. The body says why: 'the health checks mark all 2 targets "
        "of 'pool' as down'. Here the gateway's 503 says it had nowhere to send the request. RFC "
        "9110 15.6.4 names overload or maintenance; reading 'no healthy upstream' as 503 is an "
        "interpretation HAProxy and Caddy share (observed), as does Envoy by its documentation, "
        "and nginx answers 502."
    ),
)

q2 = Diagnosis(
    incident2,
    "origin",
    "handler-bug",
    wrong_maker={
        "gateway": "did the gateway make this 500, or is it one it relayed? Server, Via, "
        "Proxy-Status and the body's last line say; so does ex.hops.",
        "upstream": "name the hop as ex.hops names it: which hop is 'made here'?",
    },
    wrong_cause={
        "maintenance": "maintenance is a 503 with Retry-After; this is a 500 with a generic page "
        "and a reference to quote.",
        "overload": f"load shedding is a 503 with Retry-After: {_SHED}; this is a 500, and other orders "
        "work at the same time.",
        "invalid-response": "the gateway received a valid HTTP response and relayed it; an "
        "invalid one would have become a 502 made by the gateway.",
        "cached-error": "there is no X-Cache or Age header, and the origin answered this request "
        "itself (ex.hops).",
    },
    maker_default="look at the Server and Via headers and at the last line of the body.",
    cause_default="a 500 says the server failed while handling the request; the page asks you "
    "to quote a reference. Where does the server keep the details? "
    "lab.origin.logs().",
    hints=(
        "Two headers tell who wrote the response and who passed it on: Server and Via.",
        "The page is generic on purpose and gives a reference. Search the origin's log for it: "
        "lab.origin.logs()[-1].",
        "Order 7 opens and order 13 does not: what is different about order 13's data? The last "
        "line of the traceback says.",
    ),
    solution=(
        "{'made_by': 'origin', 'cause': 'handler-bug'}\n"
        "Server: labkit-origin and Via: 1.1 labkit-gateway: the origin wrote it, the gateway "
        "relayed it unchanged (a valid 500 stays a 500 through a gateway). The page only gives "
        "a reference; lab.origin.logs()[-1] holds the traceback for that reference: "
        "TypeError: 'NoneType' object is not subscriptable in _order: order 13 has no customer "
        "and the code reads order['customer']['name']. A bug in the handler, not a gateway "
        "failure."
    ),
)

q3 = Diagnosis(
    incident3,
    "gateway",
    "cached-error",
    wrong_maker={
        "origin": "Server says labkit-origin: is that enough to say the origin answered this "
        "request? Look at every header, and at ex.hops.",
        "upstream": f"{_NO_ORIGIN_HOP}; look at X-Cache and Age.",
    },
    wrong_cause={
        "maintenance": "the body speaks of maintenance because it is a copy of an earlier page. "
        "Is the origin in maintenance now? Ask it directly: lab.get('/orders/7', "
        "via='origin'). Then read X-Cache, Age and Cache-Control.",
        "overload": f"no Retry-After: {_SHED} here, and the origin did not see this request: X-Cache "
        "and ex.hops.",
        "no-healthy-upstream": "the gateway did not try any upstream; look at X-Cache: it did "
        "not need to.",
    },
    maker_default=f"look at X-Cache and Age, and at ex.hops: {_NO_ORIGIN_HOP}.",
    cause_default="the page says maintenance, but X-Cache: HIT and Cache-Control: max-age=60 "
    "tell where it really came from.",
    hints=(
        "Server says labkit-origin. Is that enough to say the origin answered this request? "
        "Look at every header, including X-Cache and Age (RFC 9111 4: a cache MUST send Age "
        "with a stored response; real nginx sends none, so behind nginx look for its "
        "$upstream_cache_status in the log, or a header an operator adds for it).",
        "Compare ex.hops with an exchange that reached the origin. Then ask the origin directly: "
        "lab.get('/orders/7', via='origin').",
        "Which header of this 503 allowed someone to keep it: Cache-Control?",
    ),
    solution=(
        "{'made_by': 'gateway', 'cause': 'cached-error'}\n"
        "The body and Server: labkit-origin describe a maintenance page, but X-Cache: HIT and "
        "Age say it came out of the gateway's cache, and ex.hops shows no origin hop: the origin "
        "was not asked. Asked directly (via='origin'), it answers 200: it has recovered. The "
        f"maintenance 503 was sent with Cache-Control: max-age={CACHED_MAX_AGE} instead of "
        "no-store, so the gateway stored it, and for its "
        f"{CACHED_MAX_AGE} s the stored copy is fresh (RFC 9111 4.2), not stale: the cache "
        "serves it without asking. No RFC forbids caching a 503; it is the origin's choice, "
        "and for a maintenance page a poor one. Fix: purge the cache (lab.gateway.purge()), "
        "and send no-store on errors that should not outlive their cause. Age is what told "
        "you here; RFC 9111 4 says a cache MUST send it, but real nginx cache hits carry none."
    ),
)

q4 = Diagnosis(
    incident4,
    "portal",
    "network-login",
    wrong_maker={
        "origin": "RFC 6585 6 says a 511 SHOULD NOT come from an origin. Read Server, and "
        "look in ex.hops: how far did the request get?",
        "gateway": "read Server, and look in ex.hops: did the gateway see this request?",
        "client": "the client received a full HTTP response with a status line; someone made it: "
        "read Server and the end of the body.",
    },
    wrong_cause={
        "maintenance": "no Retry-After, and the body does not speak of the shop: it asks you "
        "to do something. Read it.",
        "cached-error": "Cache-Control: no-store: nobody may store this, and there is no X-Cache.",
    },
    maker_default="read the Server header and the last line of the body.",
    cause_default="read the body: who wants what from you, and where does its link lead?",
    hints=(
        "511 is a rare status. Which server in the lab writes its own name into Server here?",
        "ex.hops: how far did the request get?",
        "The body has a link. Where does it lead, and what would you do there?",
    ),
    solution=(
        "{'made_by': 'portal', 'cause': 'network-login'}\n"
        "511 Network Authentication Required, Server: labkit-portal, Cache-Control: no-store, "
        "and a body with a link to the network's login page. ex.hops shows only the portal: the "
        "request never reached the gateway or the shop. The network (a captive portal) wants "
        "you to log in first (RFC 6585 6); the shop is fine. After lab.portal.login() the same "
        "request passes."
    ),
)

q5 = Diagnosis(
    incident5,
    "gateway",
    "connect-timeout",
    wrong_maker={
        "upstream": f"is there an upstream hop in ex.hops that answered? Then {_WHO_WROTE_IT}.",
        "origin": f"this route does not lead to the origin, and {_WHO_WROTE_IT}.",
    },
    wrong_cause={
        "read-timeout": "a read timeout means the upstream accepted the request and then stayed "
        "silent, so ex.hops would show it receiving the request. It never "
        "received it: read 'What it observed' in the body.",
        "refused": "a refused connection fails at once (and is a 502 here); this one took about "
        f"{_CONNECT:g} s (ex.elapsed) before the gateway gave up.",
        "no-healthy-upstream": "that is a 503 made at once without trying; this 504 came after "
        "a wait (ex.elapsed): the gateway did try.",
        "invalid-response": "the upstream sent no bytes at all (ex.hops has no upstream hop), "
        "so nothing could be invalid.",
        "overload": f"load shedding is an upstream's 503 with Retry-After: {_SHED}; no upstream answered "
        "here.",
    },
    maker_default=f"{_WHO_WROTE_IT}.",
    cause_default="read 'What it observed' in the body, ex.elapsed, and whether an upstream hop "
    "appears in ex.hops.",
    hints=(
        "504 is the gateway saying it waited and gave up. Who wrote the page: Server, Via?",
        "How long did it take (ex.elapsed)? Compare with the route's timeouts in repr(lab).",
        "Did the upstream ever receive the request? Look for it in ex.hops, then read 'What it "
        "observed'.",
    ),
    solution=(
        "{'made_by': 'gateway', 'cause': 'connect-timeout'}\n"
        "Proxy-Status: labkit-gateway; error=connection_timeout: the gateway's own 504. It "
        f"took about {_CONNECT:g} s, the route's "
        "connect timeout, and ex.hops has no upstream hop: the upstream never accepted the "
        "connection (its accept queue is full, so the kernel drops the SYN). The body says "
        f"'connect() did not complete within {_CONNECT:g} s'. A read timeout would show the upstream "
        "receiving the request; a refused connection would fail at once (502)."
    ),
)

q6 = Diagnosis(
    incident6,
    "origin",
    "maintenance",
    wrong_maker={
        "gateway": "Via only says the response passed through the gateway: read Server, "
        "Proxy-Status and X-Cache, and which hop is 'made here' in ex.hops.",
        "upstream": "name the hop as ex.hops names it: which hop is 'made here'?",
    },
    wrong_cause={
        "cached-error": "a stored copy would carry X-Cache: HIT and Age, and the origin would not "
        "see the request. Here there is no X-Cache, Cache-Control is no-store, "
        "and the origin answered this very request (ex.hops).",
        "overload": f"load shedding says 'try again in a second' (Retry-After: {_SHED}). Read this "
        "Retry-After and the body.",
        "no-healthy-upstream": "the gateway reached the origin and relayed its answer "
        "(ex.hops): it had a healthy upstream.",
        "handler-bug": "a bug gives a 500 with a reference to quote; this is a 503 with "
        "Retry-After: read the body.",
    },
    maker_default="look at Server, Via and X-Cache, and at which hop is 'made here' in ex.hops.",
    cause_default="read Retry-After, Cache-Control and the body.",
    hints=(
        "Server and Via: who wrote it, who passed it on?",
        "Is there an X-Cache or Age header? Did the origin receive this request (ex.hops)?",
        "Retry-After says how long to wait. Is that a second, or a planned pause? The body says "
        "more.",
    ),
    solution=(
        "{'made_by': 'origin', 'cause': 'maintenance'}\n"
        "Server: labkit-origin with Via: 1.1 labkit-gateway: the origin wrote it, the gateway "
        "relayed it. No X-Cache, Cache-Control: no-store, and ex.hops shows the origin answering "
        "this request: it is live, not stored. Retry-After: "
        f"{MAINTENANCE_RETRY} and the body ('down for maintenance') say it is a planned pause. A "
        f"client should wait the {MAINTENANCE_RETRY} s before trying "
        "again."
    ),
)

q7 = Diagnosis(
    incident7,
    "gateway",
    "invalid-response",
    wrong_maker={
        "upstream": "the upstream did send bytes (ex.raw('garbage') shows them): are they "
        f"what you received? {_WHO_WROTE_IT}.",
        "origin": "there is no origin in this path: which hops does ex.hops show?",
    },
    wrong_cause={
        "refused": "the upstream accepted and answered: ex.raw('garbage') shows what it sent.",
        "connect-timeout": "it answered at once: ex.elapsed, and ex.raw('garbage') shows what "
        "it sent.",
        "read-timeout": "it answered at once: ex.elapsed, and ex.raw('garbage') shows what it "
        "sent.",
        "no-healthy-upstream": "the gateway did send the request to an upstream (ex.hops); "
        "what came back? ex.raw('garbage').",
        "handler-bug": "a handler bug is a 500 relayed from the origin; this is a 502, and "
        "is there an origin in ex.hops?",
    },
    maker_default=f"{_WHO_WROTE_IT}.",
    cause_default="read what the upstream sent: ex.raw('garbage'). Does it start with 'HTTP/'?",
    hints=(
        "Who wrote the page: Server, Via, and the body's last line?",
        "The upstream did say something. Look at the raw bytes: ex.raw('garbage').",
        "An HTTP response starts with a status line such as 'HTTP/1.1 200 OK'. Does this one?",
    ),
    solution=(
        "{'made_by': 'gateway', 'cause': 'invalid-response'}\n"
        "Proxy-Status: labkit-gateway; error=http_protocol_error: the gateway made this 502. "
        "ex.hops shows the upstream "
        "received the request and answered at once, and ex.raw('garbage') shows what it sent: "
        "'SSH-2.0-OpenSSH_9.2 hello, ...', not a status line. The gateway cannot relay bytes "
        "that are not HTTP, so it answers 502 Bad Gateway (RFC 9110 15.6.3). nginx would relay "
        "those bytes raw as HTTP/0.9 instead."
    ),
)

q8 = Diagnosis(
    incident8,
    "origin",
    "overload",
    wrong_maker={
        "gateway": "Via only says the response passed through the gateway: read Server and "
        "Proxy-Status, and which hop is 'made here' in ex.hops.",
        "upstream": "name the hop as ex.hops names it: which hop is 'made here'?",
    },
    wrong_cause={
        "maintenance": f"a maintenance pause is long and planned; here Retry-After is {_SHED}. What "
        "does the body count?",
        "cached-error": "no X-Cache, Cache-Control: no-store, and the origin answered this "
        "request itself (ex.hops).",
        "no-healthy-upstream": "the gateway reached the origin and relayed its answer (ex.hops).",
        "handler-bug": f"a bug gives a 500; this is a 503 with Retry-After: {_SHED}. Read the body.",
    },
    maker_default="look at Server and Via, and at which hop is 'made here' in ex.hops.",
    cause_default="read Retry-After and the body.",
    hints=(
        "Server and Via: who wrote it, who passed it on?",
        "Retry-After: how long does the server want you to wait, and what does that say about "
        "how long the problem lasts?",
        "The body counts something. What?",
    ),
    solution=(
        "{'made_by': 'origin', 'cause': 'overload'}\n"
        "Server: labkit-origin with Via: 1.1 labkit-gateway: the origin wrote it, the gateway "
        f"relayed it. Retry-After: {_SHED} and the body ('1 request is in flight and its capacity "
        "is 1') say the origin is shedding load: it is full right now, not broken and not in "
        "maintenance. Try again in a second (a few moments later the same request works): a "
        "client that honours Retry-After and backs off helps the origin recover."
    ),
)

EXERCISES = [q1, q2, q3, q4, q5, q6, q7, q8]
