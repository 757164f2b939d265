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

import contextlib
import re
import threading
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from labkit import i18n, scenarios
from labkit.exchange import Exchange
from labkit.exercises import answers, store
from labkit.exercises.checks import CheckedTask, Param, Refused, Run
from labkit.exercises.core import (
    MAX_ANSWER,
    Asker,
    HintCount,
    Result,
    asker_now,
    hop_name,
    is_blank,
    too_long,
)
from labkit.gateway import all_targets_down
from labkit.i18n import Listed, Msg, Text
from labkit.lab import POOL_SIZE, UPSTREAM_TIMEOUTS
from labkit.origin import SHED_RETRY_AFTER as _SHED

LESSON = "capstone"

MAKERS = ("client", "portal", "gateway", "origin", "upstream")

CAUSE_TEXTS: dict[str, Msg] = {
    "maintenance": Msg("the origin is down for planned maintenance"),
    "overload": Msg("the origin is at capacity and sheds the extra request (load shedding)"),
    "handler-bug": Msg("the application's own code raised an exception"),
    "cached-error": Msg(
        "a cache serves its stored copy of an earlier error (still fresh by the "
        "max-age the error carried, so the cache does not ask again)"
    ),
    "invalid-response": Msg("the upstream answered with bytes that are not valid HTTP"),
    "refused": Msg("nothing listens at the upstream's address (connection refused)"),
    "connect-timeout": Msg("the upstream never accepted the connection in time"),
    "read-timeout": Msg("the upstream accepted the request but answered too slowly"),
    "no-healthy-upstream": Msg("the gateway had no healthy upstream to send the request to"),
    "network-login": Msg("the network wants you to log in before anything passes (captive portal)"),
}
# the causes in English: what the answer matcher reads (answers.describe_causes)
CAUSES: dict[str, str] = {key: str(text) for key, text in CAUSE_TEXTS.items()}

# A learner may paste a cause's description from the list, in each language the list is
# shown in: a Chinese learner pastes the Chinese description (4 of the 10 were read by their
# words, the other 6 refused as no cause). Rendered by the first answer that needs them.
answers.describe_causes(CAUSE_TEXTS)

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
    report_text: Msg  # what the people affected say: the symptom, never the cause
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
        return scenario.send(lab, via=self._via)

    def stop(self, lab: Any) -> None:
        """End the incident: put every switch back as a fresh lab has it (the cache emptied,
        the held requests released)."""
        lab.reset()
        self._join()

    def _join(self) -> None:
        for t in self._threads:
            t.join(timeout=5)
        self._threads.clear()

    @property
    def report(self) -> str:
        """The report in English (the drill's records and the board keep it)."""
        return str(self.report_text)

    def __repr__(self) -> str:
        """The incident as lesson 08 heads it, in the learner's language (a Chinese lab
        showed "<Incident 1: ...>" until December 2026); never its cause."""
        said = Msg("<Incident {number}: {report}>", number=self.number, report=self.report_text)
        return said.render(i18n.learner_language())


incident1 = Incident(
    1, Msg("the reports page GET /pool/ fails for everyone"), "503-no-healthy-upstream"
)
incident2 = Incident(
    2,
    Msg("a customer cannot open her order: GET /orders/13; other orders open fine"),
    "500-missing-data",
)
incident3 = Incident(
    3,
    Msg("the team brought the shop back up a moment ago, yet GET /orders/7 still fails"),
    "503-served-from-cache",
)
incident4 = Incident(
    4,
    Msg("a visitor in a café opens GET /orders/7 on the café's network (via the portal)"),
    "511-portal-intercepts",
)
incident5 = Incident(5, Msg("the stock service GET /up/blackhole/ fails"), "504-blackhole")
incident6 = Incident(6, Msg("GET /orders/7 fails for everyone this morning"), "503-maintenance")
incident7 = Incident(7, Msg("the partner service GET /up/garbage/ fails"), "502-garbage")
incident8 = Incident(
    8,
    Msg("GET /orders/7 fails for some customers and works for others"),
    "503-load-shedding",
    _via="gateway",  # the customers' requests come through the gateway
)

INCIDENTS = [incident1, incident2, incident3, incident4, incident5, incident6, incident7, incident8]


# -- the diagnosis exercise --


def _maker(value: object) -> str:
    """The hop a made_by names; "origin → 500" (a hop and what it made, as the lessons draw
    it) is the origin. Anything else as the learner wrote it (cleaned), which no hop is."""
    try:
        return answers.hop(value)
    except answers.WrongKind:
        pass
    hops: set[str] = set()
    for side in answers.arrow_sides(value):
        with contextlib.suppress(answers.WrongKind):
            hops.add(answers.hop(side))
    if len(hops) == 1:
        return hops.pop()
    return answers.clean(value)


def _which_server(value: object) -> Msg | None:
    """ "which server?" for a made_by of "the server" (the portal, the gateway, the origin and
    the upstreams are all servers; it was read as the origin); None for any other."""
    try:
        answers.hop(value)
    except answers.Ambiguous:
        return answers.which_server(value, [m for m in MAKERS if m in answers.SERVERS])
    except answers.WrongKind:
        pass
    return None


def _cause(value: object) -> str:
    return answers.cause(value)


def _lists_several(value: object) -> bool:
    """Whether a part of the diagnosis names two hops or two causes ("gateway or origin",
    "maintenance or overload"); a cause's description pasted whole has commas, and is one."""
    if not isinstance(value, str):
        return False
    # "the portal (well, the gateway)", "maintenance, but really overload": a correction
    # after the answer names another (answers.really_was)
    for kind, read, known in (("hop", _maker, MAKERS), ("cause", _cause, CAUSES)):
        other = answers.really_was(kind, value)  # a cause's words read as one: it may be none
        if other in known and other != _read_or_none(read, value):
            return True
    if _reads_as(value) != (set(), set()):
        return False
    hops: set[str] = set()
    causes: set[str] = set()
    for part in _SEVERAL.split(value):
        found = _reads_as(part)
        hops |= found[0]
        causes |= found[1]
    return len(hops) > 1 or len(causes) > 1


def _read_or_none(read: Callable[[object], str], value: object) -> str | None:
    try:
        return read(value)
    except answers.WrongKind:
        return None


def _reads_as(text: str) -> tuple[set[str], set[str]]:
    """The hop and the cause ``text`` reads as, each in a set (empty: none)."""
    found: tuple[set[str], set[str]] = (set(), set())
    for read, known, into in ((_maker, MAKERS, found[0]), (_cause, CAUSES, found[1])):
        try:
            value = read(text)
        except answers.WrongKind:
            continue
        if value in known:
            into.add(value)
    return found


_SEVERAL = re.compile(r"\bor\b|\beither\b|/|或者|或|,|，|、")  # what lists answers


_EXPECTS = Msg(
    "answer {{'made_by': <one of {makers}>, 'cause': <one of {causes}>}}",
    makers=Listed(MAKERS),
    causes=Listed(CAUSES),
)


def _diagnosis(given: Any) -> tuple[str, str]:
    """The answer read as (maker, cause); Refused (not an attempt) for one of another shape."""
    problem: Msg
    if not isinstance(given, dict):  # the form said once: "such as {...}; answer {...}" was twice
        raise Refused(
            Msg(
                "answer with a dict, {{'made_by': <one of {makers}>, 'cause': <one of "
                "{causes}>}}, not {given}.",
                makers=Listed(MAKERS),
                causes=Listed(CAUSES),
                given=repr(given),
            )
        )
    elif missing := [k for k in ("made_by", "cause") if is_blank(given.get(k))]:
        missing_keys: Text = missing[0] if len(missing) == 1 else Msg("made_by and cause")
        problem = Msg("fill in {keys}", keys=missing_keys)  # the line goes on with the form
    elif extra := sorted(str(k)[:40] for k in given if k not in ("made_by", "cause")):
        problem = Msg(
            "the answer has two keys, made_by and cause, not {extra}", extra=Listed(extra)
        )
    elif long := [v for v in given.values() if isinstance(v, str) and len(v) > MAX_ANSWER]:
        raise Refused(too_long(long[0]))
    elif asked := [v for v in given.values() if answers.questioned(v)]:
        raise Refused(  # "gateway?": a hedge, as a short answer's "200?" is told
            Msg(
                "{problem}; {expected}.",
                problem=answers.HEDGES.bind(given=repr(asked[0]), word=repr("?")),
                expected=_EXPECTS,
            )
        )
    elif several := [v for v in given.values() if _lists_several(v)]:
        raise Refused(  # "gateway or origin": as a short answer's hedge is told
            Msg(
                "{problem}; {expected}.",
                problem=answers.SEVERAL.bind(given=repr(several[0])),
                expected=_EXPECTS,
            )
        )
    elif (which := _which_server(given["made_by"])) is not None:
        problem = which
    elif (maker := _maker(given["made_by"])) not in MAKERS:
        problem = Msg("made_by {given} is not a hop", given=repr(given["made_by"]))
    elif (cause := _cause(given["cause"])) not in CAUSES:
        problem = Msg("cause {given} is not one of the causes", given=repr(given["cause"]))
    else:
        return maker, cause
    raise Refused(Msg("{problem}; {expected}.", problem=problem, expected=_EXPECTS))


_DRILL_WRONG: ContextVar[int | None] = ContextVar("labkit_drill_wrong", default=None)


@contextlib.contextmanager
def judged_for_a_drill(wrong_so_far: int) -> Iterator[None]:
    """An incident judged for a drill (labkit.drill): nothing goes into lesson 08's progress
    record, and the feedback's rule for wrong tries counts the drill's own, ``wrong_so_far``."""
    token = _DRILL_WRONG.set(wrong_so_far)
    try:
        with store.set_aside():
            yield
    finally:
        _DRILL_WRONG.reset(token)


def _wrong_so_far(exercise_id: str) -> int:
    """Wrong attempts recorded for an incident (the progress file's, as for hints; a drill's
    own while it judges, ``judged_for_a_drill``)."""
    drill = _DRILL_WRONG.get()
    if drill is not None:
        return drill
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
        wrong_maker: dict[str, Text],
        wrong_cause: dict[str, Text],
        maker_default: Text,
        cause_default: Text,
        hints: tuple[Text, ...],
        solution: Text,
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
        prompt = Msg(
            "Incident {number} ({report}): which hop made the response "
            "(made_by: one of {makers}) and why (cause: one of {causes})? "
            "Answer {{'made_by': ..., 'cause': ...}}.",
            number=number,
            report=incident.report_text,
            makers=Listed(MAKERS),
            causes=Listed(CAUSES),
        )
        super().__init__(
            f"capstone.incident-{number}",
            LESSON,
            prompt,
            usage=f"q{number}.check({{'made_by': ..., 'cause': ...}})",
            takes=(Param("diagnosis", _diagnosis),),
            checks=(self._diagnosed,),
            success=lambda run: Msg(
                "made by the {hop}, because {cause}.",
                hop=hop_name(run["diagnosis"][0]),
                cause=CAUSE_TEXTS[run["diagnosis"][1]],
            ),
            hints=hints,
            solution=solution,
        )

    def expects(self) -> Text:
        return _EXPECTS

    def check(
        self, *answer: Any, count: HintCount | None = None, asker: Asker | None = None
    ) -> Result:
        if answer and isinstance(answer[0], dict) and answer[0]:
            if all(is_blank(v) for v in answer[0].values()):
                answer = (...,)
        return super().check(*answer, count=count, asker=asker)

    def _diagnosed(self, run: Run) -> Text:
        maker, cause = run["diagnosis"]
        maker_ok, cause_ok = maker == self._made_by, cause == self._cause
        if maker_ok and cause_ok:
            return ""
        if _wrong_so_far(self.id) >= CONFIRMED_TRIES:
            return Msg(
                # the verdict's label says "Not yet" (it read "Not yet: not yet. After ..."
                # until December 2026)
                "After {tries} wrong tries the feedback no longer says which "
                "part is right, so that an incident cannot be solved by trying every pair: go "
                "back to the evidence (the headers, the body, ex.hops, ex.observed().took) and decide "
                "both parts from it; {next_hint} goes one step further each time.",
                tries=CONFIRMED_TRIES,
                # what this learner calls or presses: q4.hint(), the quiz panel's Hint
                # button, drill.hint() (".hint()" in all three until December 2026)
                next_hint=(asker_now() or self.asker()).next_hint,
            )
        said_maker: Msg
        if maker_ok:
            said_maker = Msg("made_by is right ({maker}).", maker=maker)
        else:
            said_maker = Msg(
                "made_by {maker}: {why}",
                maker=repr(maker),
                why=self.wrong_maker.get(maker, self.maker_default),
            )
        said_cause: Msg
        if cause_ok:
            said_cause = Msg("The cause is right ({cause}).", cause=cause)
        else:
            said_cause = Msg(
                "cause {cause}: {why}",
                cause=repr(cause),
                why=self.wrong_cause.get(cause, self.cause_default),
            )
        return Msg("{maker_part} {cause_part}", maker_part=said_maker, cause_part=said_cause)


# Evidence phrases the messages point to (kept short and the same in every incident).
_NO_ORIGIN_HOP = Msg("ex.hops has no origin hop: the origin never received this request")
_WHO_WROTE_IT = Msg(
    "read Proxy-Status (RFC 9209: error= when a proxy made the response, received-status= "
    "when it relayed one) and the last line of the body"
)

q1 = Diagnosis(
    incident1,
    "gateway",
    "no-healthy-upstream",
    wrong_maker={
        "origin": Msg(
            "{who_wrote_it}. And which hops does ex.hops show?", who_wrote_it=_WHO_WROTE_IT
        ),
        "upstream": Msg(
            "ex.hops shows no upstream hop at all: no upstream received the request, so "
            "none could answer; {who_wrote_it}.",
            who_wrote_it=_WHO_WROTE_IT,
        ),
        "portal": Msg("ex.hops has no portal hop: the portal never saw this request."),
    },
    wrong_cause={
        "maintenance": Msg(
            "a maintenance 503 comes from the origin and carries Retry-After; this one "
            "has no Retry-After and no hop behind the gateway."
        ),
        "overload": Msg(
            "load shedding is an upstream's 503 with Retry-After: {shed}; here no "
            "upstream saw the request at all.",
            shed=_SHED,
        ),
        "connect-timeout": Msg(
            "a connect timeout means the gateway tried and waited, then 504. This "
            "is a 503 that came at once (ex.observed().took): read the body's 'What it "
            "observed' line."
        ),
        "refused": Msg(
            "a refused connection is an attempt that failed: the gateway's page says "
            "'connect() failed' in 'What it observed' and Proxy-Status says "
            "error=connection_refused (a 502 in this lab); here it attempted nothing: read "
            "'What it observed' in the body."
        ),
        "cached-error": Msg(
            "a stored copy carries X-Cache: HIT and Age; this response has neither."
        ),
    },
    maker_default=Msg("{who_wrote_it}.", who_wrote_it=_WHO_WROTE_IT),
    cause_default=Msg("read the body's 'What it observed' line, and which hops ex.hops shows."),
    hints=(
        Msg(
            "Who wrote this page? Compare Proxy-Status, the Server header and the body's last line."
        ),
        Msg(
            "Look at ex.hops and ex.observed().took: did the request go anywhere behind the gateway, and did "
            "anyone wait for an answer?"
        ),
        Msg(
            "The gateway's page has a line 'What it observed'. What does it say about the targets?"
        ),
    ),
    solution=(
        Msg(
            "{{'made_by': 'gateway', 'cause': 'no-healthy-upstream'}}\n"
            "Proxy-Status: labkit-gateway; error=destination_unavailable, and the body ends 'made "
            "by the labkit gateway': the "
            "gateway wrote this 503 itself. ex.hops shows only the gateway, and the answer came at "
            "once: no upstream was tried. The body says why: '{observed}'. Here the gateway's 503 "
            "says it had nowhere to send the request. RFC "
            "9110 15.6.4 names overload or maintenance; reading 'no healthy upstream' as 503 is an "
            "interpretation HAProxy and Caddy share (observed), as does Envoy by its documentation, "
            "and nginx answers 502.",
            # the page's own line, as the gateway words it for the lab's pool
            observed=all_targets_down(POOL_SIZE, "pool"),
        )
    ),
)

q2 = Diagnosis(
    incident2,
    "origin",
    "handler-bug",
    wrong_maker={
        "gateway": Msg(
            "did the gateway make this 500, or is it one it relayed? Server, Via, "
            "Proxy-Status and the body's last line say; so does what each hop sent back "
            "(ex.observed())."
        ),
        "upstream": Msg("name the hop as ex.observed() names the hops the request reached."),
    },
    wrong_cause={
        "maintenance": Msg(
            "maintenance is a 503 with Retry-After; this is a 500 with a generic page "
            "and a reference to quote."
        ),
        "overload": Msg(
            "load shedding is a 503 with Retry-After: {shed}; this is a 500, and other "
            "orders work at the same time.",
            shed=_SHED,
        ),
        "invalid-response": Msg(
            "the gateway received a valid HTTP response and relayed it; an "
            "invalid one would have become a 502 made by the gateway."
        ),
        "cached-error": Msg(
            "there is no X-Cache or Age header, and the origin answered this request "
            "itself (ex.hops)."
        ),
    },
    maker_default=Msg("look at the Server and Via headers and at the last line of the body."),
    cause_default=Msg(
        "a 500 says the server failed while handling the request; the page asks you "
        "to quote a reference. Where does the server keep the details? "
        "lab.origin.logs()."
    ),
    hints=(
        Msg(
            "Proxy-Status names the proxy and what it got from the next hop: received-status (it "
            "relayed that response) or error (it made its own). In this lab Server and Via agree "
            "with it; behind nginx, HAProxy or Caddy they need not."
        ),
        Msg(
            "The page is generic on purpose and gives a reference. Search the origin's log for it: "
            "lab.origin.logs()[-1]."
        ),
        Msg(
            "Order 7 opens and order 13 does not: what is different about order 13's data? The last "
            "line of the traceback says."
        ),
    ),
    solution=(
        Msg(
            "{'made_by': 'origin', 'cause': 'handler-bug'}\n"
            "Proxy-Status: labkit-gateway; received-status=500: the gateway received this 500 "
            "from the origin and relayed it unchanged (a valid 500 stays a 500 through a gateway). "
            "Server: labkit-origin and Via: 1.1 labkit-gateway say the same in this lab; behind "
            "nginx, Server would name nginx and no Via would come. The page only gives "
            "a reference; lab.origin.logs()[-1] holds the traceback for that reference: "
            "TypeError: 'NoneType' object is not subscriptable in _order: order 13 has no customer "
            "and the code reads order['customer']['name']. A bug in the handler, not a gateway "
            "failure."
        )
    ),
)

q3 = Diagnosis(
    incident3,
    "gateway",
    "cached-error",
    wrong_maker={
        "origin": Msg(
            "Server says labkit-origin: is that enough to say the origin answered this "
            "request? Look at every header, and at ex.hops."
        ),
        "upstream": Msg("{no_origin_hop}; look at X-Cache and Age.", no_origin_hop=_NO_ORIGIN_HOP),
    },
    wrong_cause={
        "maintenance": Msg(
            "the body speaks of maintenance because it is a copy of an earlier page. "
            "Is the origin in maintenance now? Ask it directly: lab.get('/orders/7', "
            "via='origin'). Then read X-Cache, Age and Cache-Control."
        ),
        "overload": Msg(
            "no Retry-After: {shed} here, and the origin did not see this request: "
            "X-Cache and ex.hops.",
            shed=_SHED,
        ),
        "no-healthy-upstream": Msg(
            "the gateway did not try any upstream; look at X-Cache: it did not need to."
        ),
    },
    maker_default=Msg(
        "look at X-Cache and Age, and at ex.hops: {no_origin_hop}.", no_origin_hop=_NO_ORIGIN_HOP
    ),
    cause_default=Msg(
        "the page says maintenance, but X-Cache: HIT and Cache-Control: max-age={max_age} "
        "tell where it really came from.",
        max_age=CACHED_MAX_AGE,
    ),
    hints=(
        Msg(
            "Server says labkit-origin. Is that enough to say the origin answered this request? "
            "Look at every header, including X-Cache and Age (RFC 9111 4: a cache MUST send Age "
            "with a stored response; real nginx sends none, so behind nginx look for its "
            "$upstream_cache_status in a log whose log_format names it (its default, combined, "
            "does not), or in a header an operator adds for it)."
        ),
        Msg(
            "Compare ex.hops with an exchange that reached the origin. Then ask the origin directly: "
            "lab.get('/orders/7', via='origin')."
        ),
        Msg("Which header of this 503 allowed someone to keep it: Cache-Control?"),
    ),
    solution=(
        Msg(
            "{{'made_by': 'gateway', 'cause': 'cached-error'}}\nThe body and Server: "
            "labkit-origin describe a maintenance page, but X-Cache: HIT and Age say it "
            "came out of the gateway's cache, and ex.hops shows no origin hop: the "
            "origin was not asked. Asked directly (via='origin'), it answers 200: it has "
            "recovered. The maintenance 503 was sent with Cache-Control: "
            "max-age={cached_max_age} instead of no-store, so the gateway stored it, and "
            "for its {cached_max_age} s the stored copy is fresh (RFC 9111 4.2), not "
            "stale: the cache serves it without asking. No RFC forbids caching a 503; it "
            "is the origin's choice, and for a maintenance page a poor one. Fix: purge "
            "the cache (lab.gateway.purge()), and send no-store on errors that should "
            "not outlive their cause. Age is what told you here; RFC 9111 4 says a cache "
            "MUST send it, but real nginx cache hits carry none.",
            cached_max_age=CACHED_MAX_AGE,
        )
    ),
)

q4 = Diagnosis(
    incident4,
    "portal",
    "network-login",
    wrong_maker={
        "origin": Msg(
            "RFC 6585 6 says a 511 SHOULD NOT come from an origin. Read Server, and "
            "look in ex.hops: how far did the request get?"
        ),
        "gateway": Msg("read Server, and look in ex.hops: did the gateway see this request?"),
        "client": Msg(
            "the client received a full HTTP response with a status line; someone made it: "
            "read Server and the end of the body."
        ),
    },
    wrong_cause={
        "maintenance": Msg(
            "no Retry-After, and the body does not speak of the shop: it asks you "
            "to do something. Read it."
        ),
        "cached-error": Msg(
            "Cache-Control: no-store: nobody may store this, and there is no X-Cache."
        ),
    },
    maker_default=Msg("read the Server header and the last line of the body."),
    cause_default=Msg("read the body: who wants what from you, and where does its link lead?"),
    hints=(
        Msg("511 is a rare status. Which server in the lab writes its own name into Server here?"),
        Msg("ex.hops: how far did the request get?"),
        Msg("The body has a link. Where does it lead, and what would you do there?"),
    ),
    solution=(
        Msg(
            "{'made_by': 'portal', 'cause': 'network-login'}\n"
            "511 Network Authentication Required, Server: labkit-portal, Cache-Control: no-store, "
            "and a body with a link to the network's login page. ex.hops shows only the portal: the "
            "request never reached the gateway or the shop. The network (a captive portal) wants "
            "you to log in first (RFC 6585 6); the shop is fine. After lab.portal.login() the same "
            "request passes."
        )
    ),
)

q5 = Diagnosis(
    incident5,
    "gateway",
    "connect-timeout",
    wrong_maker={
        "upstream": Msg(
            "is there an upstream hop in ex.hops that answered? Then {who_wrote_it}.",
            who_wrote_it=_WHO_WROTE_IT,
        ),
        "origin": Msg(
            "this route does not lead to the origin; {who_wrote_it}.",
            who_wrote_it=_WHO_WROTE_IT,
        ),
    },
    wrong_cause={
        "read-timeout": Msg(
            "a read timeout means the upstream accepted the request and then stayed "
            "silent, so ex.hops would show it receiving the request. It never "
            "received it: read 'What it observed' in the body."
        ),
        "refused": Msg(
            "a refused connection fails at once (and is a 502 here); this one took about "
            "{connect} s (ex.observed().took) before the gateway gave up.",
            connect=f"{_CONNECT:g}",
        ),
        "no-healthy-upstream": Msg(
            "that is a 503 made at once without trying; this 504 came after "
            "a wait (ex.observed().took): the gateway did try."
        ),
        "invalid-response": Msg(
            "the upstream sent no bytes at all (ex.hops has no upstream hop), "
            "so nothing could be invalid."
        ),
        "overload": Msg(
            "load shedding is an upstream's 503 with Retry-After: {shed}; no upstream "
            "answered here.",
            shed=_SHED,
        ),
    },
    maker_default=Msg("{who_wrote_it}.", who_wrote_it=_WHO_WROTE_IT),
    cause_default=Msg(
        "read 'What it observed' in the body, ex.observed().took, and whether an upstream hop "
        "appears in ex.hops."
    ),
    hints=(
        Msg(
            "504 is the gateway saying it waited and gave up. Who wrote the page: Proxy-Status, Server?"
        ),
        Msg(
            "How long did it take (ex.observed().took)? Compare it with the route's two timeouts, "
            "lab.gateway.route('/up/blackhole/'): connect_timeout, the wait for the upstream to "
            "accept the connection, and read_timeout, the wait for an answer once the request "
            "is sent."
        ),
        Msg(
            "Did the upstream ever receive the request? Look for it in ex.hops, then read 'What it "
            "observed'."
        ),
    ),
    solution=(
        Msg(
            "{{'made_by': 'gateway', 'cause': 'connect-timeout'}}\nProxy-Status: "
            "labkit-gateway; error=connection_timeout: the gateway's own 504. It took "
            "about {connect} s, the route's connect timeout, and ex.hops has no upstream "
            "hop: the upstream never accepted the connection (its accept queue is full, "
            "so the kernel drops the SYN). The body says 'connect() did not complete "
            "within {connect} s'. A read timeout would show the upstream receiving the "
            "request; a refused connection would fail at once (502).",
            connect=f"{_CONNECT:g}",
        )
    ),
)

q6 = Diagnosis(
    incident6,
    "origin",
    "maintenance",
    wrong_maker={
        "gateway": Msg(
            "Via only says the response passed through the gateway: read Server, "
            "Proxy-Status and X-Cache, and what each hop sent back (ex.observed())."
        ),
        "upstream": Msg("name the hop as ex.observed() names the hops the request reached."),
    },
    wrong_cause={
        "cached-error": Msg(
            "a stored copy would carry X-Cache: HIT and Age, and the origin would not "
            "see the request. Here there is no X-Cache, Cache-Control is no-store, "
            "and the origin answered this very request (ex.hops)."
        ),
        "overload": Msg(
            "load shedding says 'try again in a second' (Retry-After: {shed}). Read this "
            "Retry-After and the body.",
            shed=_SHED,
        ),
        "no-healthy-upstream": Msg(
            "the gateway reached the origin and relayed its answer "
            "(ex.hops): it had a healthy upstream."
        ),
        "handler-bug": Msg(
            "a bug gives a 500 with a reference to quote; this is a 503 with "
            "Retry-After: read the body."
        ),
    },
    maker_default=Msg(
        "look at Server, Via and X-Cache, and at what each hop sent back (ex.observed())."
    ),
    cause_default=Msg("read Retry-After, Cache-Control and the body."),
    hints=(
        Msg(
            "Proxy-Status: did the gateway make this answer (error) or relay one it received "
            "(received-status)? Server and Via say the same here, in the lab."
        ),
        Msg("Is there an X-Cache or Age header? Did the origin receive this request (ex.hops)?"),
        Msg(
            "Retry-After says how long to wait. Is that a second, or a planned pause? The body says "
            "more."
        ),
    ),
    solution=(
        Msg(
            "{{'made_by': 'origin', 'cause': 'maintenance'}}\nProxy-Status: labkit-gateway; "
            "received-status=503: the gateway relayed a 503 it received from the origin "
            "(Server: labkit-origin and Via: 1.1 labkit-gateway say the same, in this lab). No "
            "X-Cache, Cache-Control: no-store, and ex.hops shows the origin answering "
            "this request: it is live, not stored. Retry-After: {maintenance_retry} and "
            "the body ('down for maintenance') say it is a planned pause. A client "
            "should wait the {maintenance_retry} s before trying again.",
            maintenance_retry=MAINTENANCE_RETRY,
        )
    ),
)

q7 = Diagnosis(
    incident7,
    "gateway",
    "invalid-response",
    wrong_maker={
        "upstream": Msg(
            "the upstream did send bytes (ex.raw('garbage') shows them): are they what "
            "you received? {who_wrote_it}.",
            who_wrote_it=_WHO_WROTE_IT,
        ),
        "origin": Msg("there is no origin in this path: which hops does ex.hops show?"),
    },
    wrong_cause={
        "refused": Msg("the upstream accepted and answered: ex.raw('garbage') shows what it sent."),
        "connect-timeout": Msg(
            "it answered at once: ex.observed().took, and ex.raw('garbage') shows what it sent."
        ),
        "read-timeout": Msg(
            "it answered at once: ex.observed().took, and ex.raw('garbage') shows what it sent."
        ),
        "no-healthy-upstream": Msg(
            "the gateway did send the request to an upstream (ex.hops); "
            "what came back? ex.raw('garbage')."
        ),
        "handler-bug": Msg(
            "a handler bug is a 500 relayed from the origin; this is a 502, and "
            "is there an origin in ex.hops?"
        ),
    },
    maker_default=Msg("{who_wrote_it}.", who_wrote_it=_WHO_WROTE_IT),
    cause_default=Msg(
        "read what the upstream sent: ex.raw('garbage'). Does it start with 'HTTP/'?"
    ),
    hints=(
        Msg("Who wrote the page: Proxy-Status, Server, and the body's last line?"),
        Msg("The upstream did say something. Look at the raw bytes: ex.raw('garbage')."),
        Msg("An HTTP response starts with a status line such as 'HTTP/1.1 200 OK'. Does this one?"),
    ),
    solution=(
        Msg(
            "{'made_by': 'gateway', 'cause': 'invalid-response'}\n"
            "Proxy-Status: labkit-gateway; error=http_protocol_error: the gateway made this 502. "
            "ex.hops shows the upstream "
            "received the request and answered at once, and ex.raw('garbage') shows what it sent: "
            "'SSH-2.0-OpenSSH_9.2 hello, ...', not a status line. The lab's gateway does not relay "
            "bytes that are not HTTP, so it answers 502 Bad Gateway (RFC 9110 15.6.3). nginx would relay "
            "those bytes raw as HTTP/0.9 instead."
        )
    ),
)

q8 = Diagnosis(
    incident8,
    "origin",
    "overload",
    wrong_maker={
        "gateway": Msg(
            "Via only says the response passed through the gateway: read Server and "
            "Proxy-Status, and what each hop sent back (ex.observed())."
        ),
        "upstream": Msg("name the hop as ex.observed() names the hops the request reached."),
    },
    wrong_cause={
        "maintenance": Msg(
            "a maintenance pause is long and planned; here Retry-After is {shed}. What "
            "does the body count?",
            shed=_SHED,
        ),
        "cached-error": Msg(
            "no X-Cache, Cache-Control: no-store, and the origin answered this "
            "request itself (ex.hops)."
        ),
        "no-healthy-upstream": Msg(
            "the gateway reached the origin and relayed its answer (ex.hops)."
        ),
        "handler-bug": Msg(
            "a bug gives a 500; this is a 503 with Retry-After: {shed}. Read the body.", shed=_SHED
        ),
    },
    maker_default=Msg("look at Server and Via, and at what each hop sent back (ex.observed())."),
    cause_default=Msg("read Retry-After and the body."),
    hints=(
        Msg(
            "Proxy-Status: did the gateway make this answer (error) or relay one it received "
            "(received-status)? Server and Via say the same here, in the lab."
        ),
        Msg(
            "Retry-After: how long does the server want you to wait, and what does that say about "
            "how long the problem lasts?"
        ),
        Msg("The body counts something. What?"),
    ),
    solution=(
        Msg(
            "{{'made_by': 'origin', 'cause': 'overload'}}\nProxy-Status: labkit-gateway; "
            "received-status=503: the gateway relayed a 503 it received from the origin "
            "(Server: labkit-origin and Via: 1.1 labkit-gateway say the same, in this lab). "
            "Retry-After: {shed} and the body ('1 request is in flight and its capacity "
            "is 1') say the origin is shedding load: it is full right now, not broken "
            "and not in maintenance. Try again in a second (a few moments later the same "
            "request works): a client that honours Retry-After and backs off helps the "
            "origin recover.",
            shed=_SHED,
        )
    ),
)

EXERCISES = [q1, q2, q3, q4, q5, q6, q7, q8]
