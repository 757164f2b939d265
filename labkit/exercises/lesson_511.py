"""Exercises of lesson 07: 511 Network Authentication Required (the captive portal).

``from labkit.exercises.lesson_511 import q1, q2, q3, q4`` in the notebook. Importable
without a running lab: the tasks take the lab as an answer. Every judge puts the portal
back as it found it (q3 logs out after checking, as its prompt says).
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from typing import Any

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
from labkit.exercises.core import make_choice
from labkit.exercises.observe import quoted
from labkit.http.server import url_of
from labkit.i18n import Msg, Text
from labkit.recorder import MAX_EXCHANGES, Kind, Role

LESSON = "511"
LOGIN_PATH = "/_portal/login"

q1 = make_choice(
    "511.who-made-it",
    LESSON,
    Msg(
        "Before you log in, GET /orders/7 through the portal answers 511. Which hop made that 511?"
    ),
    ["client", "portal", "gateway", "origin"],
    "portal",
    why={
        "client": Msg(
            "the client received this response; a 5xx is an answer from the server side."
        ),
        "portal": Msg(
            "the captive portal answers itself; the gateway and the shop never "
            "saw the request (ex.hops lists only the portal)."
        ),
        "gateway": Msg("look at ex.hops: which hops saw this request at all?"),
        "origin": Msg(
            "look at ex.hops: did the shop see this request? RFC 6585 6 says an origin "
            "server SHOULD NOT send 511: who speaks for the network?"
        ),
    },
    hints=(
        Msg("Look at ex.generated_by and at the hops in ex.hops."),
        Msg("Who stands between you and the whole network?"),
    ),
    solution=Msg(
        "portal: ex.generated_by == 'portal' and ex.hops holds the client and the portal only."
    ),
)

q2 = make_choice(
    "511.which-auth",
    LESSON,
    Msg(
        "Your company's forward proxy wants your user name and password before it forwards "
        "anything. Which status does it answer?"
    ),
    ["401", "407", "511"],
    "407",
    why={
        "407": Msg(
            "407 Proxy Authentication Required, with Proxy-Authenticate; the client "
            "answers with Proxy-Authorization (RFC 9110 15.5.8). A proxy you configured yourself "
            "speaks 407."
        ),
        "401": Msg(
            "401 is the site asking for credentials (WWW-Authenticate, Authorization); "
            "here it is the proxy in between that asks. RFC 9110 15.5.2 defines 401; which "
            "status does 15.5.8 define?"
        ),
        "511": Msg(
            "511 is for a network that intercepts traffic you never pointed at it (a hotel "
            "Wi-Fi's captive portal) and sends you to a login page; this proxy is one you "
            "configured yourself. 511 is RFC 6585's; RFC 9110 defines the statuses that ask "
            "for credentials, the site's in 15.5.2 and a proxy's in 15.5.8."
        ),
    },
    hints=(
        Msg(
            "Three different parties can ask who you are: the site, a proxy you chose, the "
            "network you joined."
        ),
        Msg(
            "The proxy's status has its own header pair: Proxy-Authenticate / Proxy-Authorization."
        ),
    ),
    solution=Msg(
        "407 Proxy Authentication Required. 401 is the site asking, 511 is a network "
        "(captive portal) that intercepts and sends you to its login page."
    ),
)


def _form_post(lab: Any, rid: str) -> tuple[float, int | None] | None:
    """(time, status) of the portal's answer if request ``rid`` is, in the exchange the lab
    recorded, a POST to the login form; else None."""
    events = [e for e in lab.recorder.events(rid) if e.role is Role.PORTAL]
    got = [e for e in events if e.kind is Kind.RECEIVED]
    sent = [e for e in events if e.kind is Kind.SENT]
    if not got or not sent:
        return None
    if got[0].method != "POST" or got[0].target.split("?")[0] != LOGIN_PATH:
        return None
    return sent[-1].at, sent[-1].status


def _posts_elsewhere(lab: Any) -> list[tuple[float, str]]:
    """POSTs to the login path that reached another server than the portal (time, hop)."""
    found = []
    for rid in lab.recorder.ids():
        for e in lab.recorder.events(rid):
            if (
                e.kind is Kind.RECEIVED
                and e.role in (Role.GATEWAY, Role.ORIGIN)
                and e.method == "POST"
                and e.target.split("?")[0] == LOGIN_PATH
            ):
                found.append((e.at, e.hop))
                break
    return sorted(found)


def _form_posts(lab: Any) -> list[tuple[float, int | None]]:
    """The portal's answers to POSTs of its login form (time, status), oldest first."""
    posts = (_form_post(lab, rid) for rid in lab.recorder.ids())
    return sorted(post for post in posts if post is not None)


def _logged_in_by_form(lab: Any) -> bool | None:
    """Whether this session began with a form POST the portal answered 200, as the lab
    recorded it (the portal names the request; ``lab.portal.login()`` names none); None when
    the portal names a request the lab no longer keeps."""
    rid = lab.portal.login_request_id
    if rid and rid not in lab.recorder.ids():
        return None
    post = _form_post(lab, rid) if rid else None
    return post is not None and post[1] == 200


def _last_form_get(lab: Any) -> float | None:
    """When the portal last answered a GET (or HEAD) of its login page, if it did."""
    found = []
    for rid in lab.recorder.ids():
        events = [e for e in lab.recorder.events(rid) if e.role is Role.PORTAL]
        got = [e for e in events if e.kind is Kind.RECEIVED]
        sent = [e for e in events if e.kind is Kind.SENT]
        if got and sent and got[0].method in ("GET", "HEAD"):
            if got[0].target.split("?")[0] == LOGIN_PATH:
                found.append(sent[-1].at)
    return max(found, default=None)


def _logged_in(run: Run) -> Text:
    if run.lab.portal.logged_in:
        return ""
    posts = _form_posts(run.lab)
    elsewhere = _posts_elsewhere(run.lab)
    shown = _last_form_get(run.lab)
    if (
        shown is not None
        and (not posts or shown > posts[-1][0])
        and (not elsewhere or shown > elsewhere[-1][0])
    ):  # a 400 POST, then the form read again (or sent with GET): the GET is what came last
        return Msg(
            "your last request to /_portal/login was a GET: the portal showed its form "
            "(200) and logged no one in. Read the form's method and its field, and send it "
            "as a browser would."
        )
    if elsewhere and (not posts or elsewhere[-1][0] > posts[-1][0]):
        return Msg(
            "your last POST to /_portal/login went to the {hop}, which has no login form: "
            "send it to the portal, lab.portal.url + '/_portal/login'.",
            hop=elsewhere[-1][1],
        )
    if posts and posts[-1][1] == 400:
        return Msg(
            "the portal answered your POST with 400: look at its page (r.text) and at the "
            "form's field in the login page; how does a browser send a form?"
        )
    if not posts:
        return Msg(
            "you are not logged in, and the portal has seen no POST to /_portal/login: "
            "POST the form there with httpx (lab.portal.url + '/_portal/login')."
        )
    return Msg(
        "you are not logged in (the judge logs you out after each check): POST the form "
        "again, then check."
    )


def _connectivity_check(run: Run) -> Any:
    check = run.lab.get("/generate_204", via="portal")
    run.detail = run.say(
        Msg(
            "GET /generate_204 via the portal: {status} {reason}",
            status=check.status,
            reason=check.reason,
        )
    )
    return check


q3 = CheckedTask(
    "511.login-form",
    LESSON,
    Msg(
        "Make it happen: log in to the network the way a browser would, by POSTing the portal's "
        "login form (field accept=yes) to lab.portal.url + '/_portal/login' with httpx "
        "(trust_env=False). Then run q3.check(lab). The judge checks /generate_204 answers 204 "
        "and logs you out again."
    ),
    usage="q3.check(lab)",
    takes=(lab_param(),),
    state=State(after=(setting("portal", action="logout"),)),  # as the prompt says
    observe={"by form": lambda run: _logged_in_by_form(run.lab), "check": _connectivity_check},
    checks=(
        _logged_in,
        expect(
            lambda run: run["by form"] is not None,
            Msg(
                "the lab no longer keeps the exchange of your login (it keeps the last "
                "{count} requests), so the judge cannot see how you logged in. The "
                "judge logged you out; POST the form again, then check at once.",
                count=MAX_EXCHANGES,
            ),
        ),
        expect(
            lambda run: bool(run["by form"]),
            Msg(
                "you are logged in, but not through the form: no POST to /_portal/login that "
                "the portal answered 200 began this session (lab.portal.login() is the shortcut "
                "the task asks you not to take). The judge logged you out; POST the form with "
                "httpx."
            ),
        ),
        expect(
            lambda run: run["check"].status == 204,
            lambda run: Msg(
                "logged in, yet the connectivity check answered {status}, not 204.",
                status=run["check"].status,
            ),
        ),
    ),
    success=Msg(
        "logged in through the form: the portal answered your POST with 200, and "
        "/generate_204 now answers 204 No Content. (The judge logged you out again.)"
    ),
    hints=(
        Msg(
            "GET lab.portal.url + '/_portal/login' and read the form: its method, action and field."
        ),
        Msg(
            "httpx.Client(trust_env=False).post(url, data={...}) sends a form "
            "(application/x-www-form-urlencoded)."
        ),
        Msg("The checkbox's name is 'accept' and its value 'yes'."),
    ),
    solution="import httpx\n"
    "with httpx.Client(trust_env=False) as client:\n"
    "    r = client.post(lab.portal.url + '/_portal/login', data={'accept': 'yes'})\n"
    "print(r.status_code)  # 200\n"
    "q3.check(lab)",
    time_limit=5.0,
)


def _portal_requests(lab: Any) -> int:
    count = 0
    for rid in lab.recorder.ids():
        events = lab.recorder.events(rid)
        if any(e.role is Role.PORTAL and e.kind is Kind.RECEIVED for e in events):
            count += 1
    return count


# What a device cannot read from outside the network: it must ask with a request.
_INSIDE: runner.View = (
    runner.Seen(
        "logged_in",
        refused=Msg(
            "your function read lab.portal.logged_in, which a phone cannot see: it must "
            "find out with a real request through lab.portal.url"
        ),
    ),
)


@contextlib.contextmanager
def _no_network(lab: Any) -> Iterator[runner.View]:
    """What the learner's function reads instead while it lasts: lab.portal.url (and .port)
    name a port that refuses every connection (bound, not listening), as a device with no
    network at all finds: the request fails, no status. The lab itself is untouched."""
    with socket.socket() as closed:
        closed.bind((lab.portal.host, 0))
        port = closed.getsockname()[1]
        yield (
            *_INSIDE,
            runner.Seen("port", port, target=lab.portal),
            runner.Seen("url", url_of(lab.portal.host, port), target=lab.portal),
        )


def _no_network_is_no_portal(run: Run) -> Text:
    """With no network at all the request fails: that is no portal, so False, not an
    exception (the reference solution raised httpx.ConnectError there until December 2026, though
    the hint says so)."""
    calls: _Calls = run["calls"]
    if calls.no_network_error is not None:
        name = calls.no_network_error.type_name
        line = Msg("with no network: is_captive(lab) raised {name}", name=name)
        run.detail = "\n".join(filter(None, [run.detail, run.say(line)]))
        return Msg(
            "with no network at all (the request to lab.portal.url cannot connect), your "
            "function raised {name}. It must return a bool: no answer is no portal in the "
            "way, so False (a phone then says 'no internet', not 'sign in').",
            name=name,
        )
    answer = calls.no_network
    line = Msg("with no network: is_captive(lab) returned {answer}", answer=quoted(answer))
    run.detail = "\n".join(filter(None, [run.detail, run.say(line)]))
    if answer is not False:
        return Msg(
            "with no network at all (the request to lab.portal.url cannot connect), your "
            "function returned {answer}: no answer is no portal in the way, so False.",
            answer=quoted(answer),
        )
    return ""


def _login_undone(state: Text) -> Text:
    """Say first that the learner's function changed the portal's login itself, when its
    answer was wrong: a checker that calls lab.reset() logs out the judge's login before its
    own request, and was told "after login your function still says captive", evidence of
    the status, with the call named only after it. It is an attempt (the function is the
    answer, and it changes the network it was to observe), counted wrong."""
    from labkit.exercises import runner

    calls = runner.changed()
    if "reset()" in calls:
        return Msg(
            "{state}, your function called lab.reset(), which puts every switch back as a "
            "fresh lab has it and so logs the portal out: its request then met the portal "
            "whatever the judge had set. A checker only asks the network: take the call out.",
            state=state,
        )
    if "login()" in calls or "logout()" in calls:
        return Msg(
            "{state}, your function logged the portal in or out itself (lab.portal.login() or "
            "lab.portal.logout()), so its request did not see the network the judge set up. A "
            "checker only asks the network: take the call out.",
            state=state,
        )
    return ""


# Before login, after login, after logout: the portal as the judge sets it for each call
# (logged in?), what the function must say (captive?), and what the detail calls the moment.
_STEPS = (
    (False, True, Msg("before login")),
    (True, False, Msg("after login")),
    (False, True, Msg("after logout")),
)


def _step_problem(state: Text, expected: bool, answer: Any, asked: int) -> Text:
    """What is wrong with the function's answer at one step ("" if nothing)."""
    if asked == 0:
        return Msg(
            "{state} your function sent no request to the portal: a device cannot "
            "look inside the network, it must ask it with a real request through "
            "lab.portal.url.",
            state=state,
        )
    if not isinstance(answer, bool):
        return Msg(
            "{state} your function returned {answer}; return True or False.",
            state=state,
            answer=quoted(answer),
        )
    undone = _login_undone(state) if answer != expected else ""
    if undone:
        return undone
    if answer != expected and expected:
        return Msg(
            "behind the portal, {state}, your function said the network is "
            "open. Print the status its request got then: does that status say the way "
            "out is open?",
            state=state,
        )
    if answer != expected:
        return Msg(
            "after login your function still says captive: which status did its request "
            "get after login, and what does that status say (RFC 9110 15.3)?"
        )
    return ""


class _Calls:
    """The learner's function called as the judge plans: once at each step, then once with
    no network, the first wrong step ending the calls."""

    def __init__(self) -> None:
        self.problem: Text = ""  # the first step's problem, "" if every step was right
        self.no_network: Any = None  # its answer with no network (if called)
        self.no_network_error: runner.LearnerError | None = None  # or what it raised


def _captive_calls(run: Run) -> _Calls:
    """The four calls of the learner's function, in one process (runner.run's ``before``):
    the judge logs the portal in or out between them, from the kernel, and reads each
    answer as it comes, stopping at the first wrong one as it did with a process a call.
    Four processes, each one forked and started, took up to 4 s a check under load; the
    function's state between calls (a module's global it set) is kept now, as a device's
    checker keeps its own. A real request each time, the right bool. (The third read
    "before login" again until December 2026, as though the second had not happened.)"""
    lab, fn = run.lab, run["is_captive"]
    calls = _Calls()
    lines: list[str] = []
    counted = [0]  # the portal's requests when the call now running started
    offline = contextlib.ExitStack()

    def before(index: int, values: list[Any]) -> runner.View | None:
        if index:  # the call before has returned: what it asked, and whether it was right
            _, expected, state = _STEPS[index - 1]
            asked = _portal_requests(lab) - counted[0]
            line = Msg(
                "{state}: is_captive(lab) returned {answer} ({asked} request(s))",
                state=state,
                answer=quoted(values[-1]),
                asked=asked,
            )
            lines.append(run.say(line))
            run.detail = "\n".join(lines)
            calls.problem = _step_problem(state, expected, values[-1], asked)
            if calls.problem:
                return None
        if index < len(_STEPS):
            if _STEPS[index][0]:
                lab.portal.login()
            else:
                lab.portal.logout()
            counted[0] = _portal_requests(lab)
            return _INSIDE
        return offline.enter_context(_no_network(lab))

    with offline:
        try:
            values = fn.paced([(lab,)] * (len(_STEPS) + 1), before).value
        except runner.LearnerExit:
            raise
        except runner.LearnerError as exc:
            if exc.call != len(_STEPS):  # at a step: said as any error of the function's
                raise
            calls.no_network_error = exc
            return calls
    if len(values) > len(_STEPS):
        calls.no_network = values[-1]
    return calls


def _asks_the_network(run: Run) -> Text:
    """Before login, after login, after logout: a real request each time, the right bool."""
    calls: _Calls = run["calls"]
    return calls.problem


q4 = CheckedTask(
    "511.is-captive",
    LESSON,
    Msg(
        "Write def is_captive(lab: labkit.Lab) -> bool: a connectivity checker, like a phone's. It returns "
        "True when a captive portal is in the way (before login) and False when the network is "
        "open (after login), and False with no network at all (the request cannot connect: no "
        "answer is no portal). It must find out with a real request through lab.portal.url. "
        "Check with q4.check(is_captive, lab)."
    ),
    usage="q4.check(is_captive, lab)",
    takes=(function_param("is_captive"), lab_param()),
    state=State(judge_changes=True),  # the judge logs in and out; the learner's login is kept
    observe={"calls": _captive_calls},
    checks=(_asks_the_network, _no_network_is_no_portal),
    success=Msg(
        "your checker says captive before login and online after, from real requests, as "
        "Android's and Chrome's checks of /generate_204 do (Apple and Windows compare a 200's "
        "body instead). What a device then does differs: Chrome takes the 511 for a portal, "
        "Android shows its sign-in notification only for a 200-399 answer, which is why real "
        "portals redirect the check."
    ),
    hints=(
        Msg("Request lab.portal.url + '/generate_204' with httpx (trust_env=False)."),
        Msg(
            "On /generate_204, Android's and Chrome's check, an open network answers 204 No "
            "Content, as the lab's does after login (Android also takes an empty 200 for it; "
            "Apple and Windows ask other URLs and compare a 200's body). A 511, a "
            "200 with a login page or a redirect means someone is in the way; no answer at all "
            "(the request fails or times out) means no network, which is not a portal either."
        ),
        Msg(
            "Return a bool made from the response: a 204 (or a 200 with an empty body) says the "
            "way is open; a 511, or another answer from 200 to 399 (a login page, a redirect), "
            "says someone is in the way. And a 4xx or 5xx other than 511: a portal, or only a "
            "check that failed?"
        ),
    ),
    solution="import httpx\nimport labkit\n\n"
    "def is_captive(lab: labkit.Lab) -> bool:\n"
    "    try:\n"
    "        with httpx.Client(trust_env=False, timeout=2.0, follow_redirects=False) as client:\n"
    "            r = client.get(lab.portal.url + '/generate_204')\n"
    "    except httpx.TransportError:\n"
    "        return False\n"
    "    if r.status_code == 204 or (r.status_code == 200 and not r.content):\n"
    "        return False\n"
    "    return r.status_code == 511 or 200 <= r.status_code < 400\n\n"
    "q4.check(is_captive, lab)",
    time_limit=5.0,
)

__all__ = ["q1", "q2", "q3", "q4"]
