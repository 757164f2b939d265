"""Bad input gets a clear error, never corrupts the lab's state and never kills the lab.

Three doors a learner can push the wrong thing through: the Python API (a BadArgument
whose message names what was wrong and what is allowed), the `labkit` command (one
error line, no traceback) and the sockets themselves (a 4xx or a closed connection,
and the server keeps answering everyone else).
"""

import datetime as dt
import gc
import json
import os
import random
import re
import socket
import threading
import time
import warnings

import httpx
import pytest
from helpers import ROOT, labkit_in_process, run_labkit

import labkit
import labkit.scenarios
from labkit.switches import CAPACITY_MAX, YEAR

STATUS_LINE = re.compile(rb"^HTTP/1\.1 (\d{3}) ")
VALID_REQUEST = b"GET /orders/7 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
# What a valid request gets from each server when nothing is switched on.
EXPECTED = {"origin": 200, "gateway": 200, "portal": 511, "control": 403}
SERVERS = list(EXPECTED)


# `labkit env` is read by eval: when it refuses, its stdout empties the variables a stopped
# lab left and fails the eval (cli._env), and says nothing else
ENV_REFUSED = "unset ORIGIN ORIGIN_PORT GATEWAY GATEWAY_PORT PORTAL PORTAL_PORT LABKIT_LAB; false\n"


def server(lab, name):
    return lab.portal if name == "portal" else getattr(lab, name)


def switches(lab):
    """Every switch a learner can set, as a learner would read it back."""
    return {
        "capacity": lab.origin.capacity,
        "maintenance": lab.origin.in_maintenance,
        "debug": lab.origin.debug,
        "portal_logged_in": lab.portal.logged_in,
        "slow_delay": lab.upstreams["slow"].delay,
        "routes": {r.prefix: (r.connect_timeout, r.read_timeout) for r in lab.gateway.routes},
    }


def assert_lab_unharmed(lab, before):
    assert lab.get("/orders/7").status == 200
    assert switches(lab) == before


# -- the Python API --


ALLOWED_ENTRIES = "gateway, origin, portal"
BAD_CALLS = [
    # (id, call, exception, fragments the message must contain)
    (
        "get-path-without-slash",
        lambda lab: lab.get("orders/7"),
        labkit.BadArgument,
        ["path must start with '/'", "'/orders/7'", "'orders/7'"],
    ),
    (
        "request-path-without-slash",
        lambda lab: lab.request("GET", "orders/7"),
        labkit.BadArgument,
        ["path must start with '/'", "'orders/7'"],
    ),
    (
        "get-unknown-via",
        lambda lab: lab.get("/orders/7", via="nope"),
        labkit.UnknownName,
        ["via=", "'nope'", ALLOWED_ENTRIES],
    ),
    (
        "request-method-with-space",
        lambda lab: lab.request("GE T", "/orders/7"),
        labkit.BadArgument,
        ["method must be a word", "'GET'", "'GE T'"],
    ),
    (
        "request-method-not-a-string",
        lambda lab: lab.request(123, "/orders/7"),
        labkit.BadArgument,
        ["method must be a word", "'GET'", "not 123"],
    ),
    (
        "get-negative-timeout",
        lambda lab: lab.get("/orders/7", timeout=-1),
        labkit.BadArgument,
        ["timeout", "between 0.01 and 120 seconds", "-1"],
    ),
    (
        "get-huge-timeout",
        lambda lab: lab.get("/orders/7", timeout=10**9),
        labkit.BadArgument,
        ["timeout", "between 0.01 and 120 seconds", "not 1000000000"],  # as written
    ),
    (
        "get-timeout-not-a-number",
        lambda lab: lab.get("/orders/7", timeout="5"),
        labkit.BadArgument,
        ["timeout must be a number of seconds", "0.01 and 120", "'5'"],
    ),
    (
        "raw-empty-data",
        lambda lab: lab.raw(b""),
        labkit.BadArgument,
        ["data must be non-empty bytes"],
    ),
    (
        "raw-unknown-to",
        lambda lab: lab.raw(b"GET / HTTP/1.1\r\n\r\n", to="nope"),
        labkit.UnknownName,
        ["to=", "'nope'", ALLOWED_ENTRIES],
    ),
    (
        "url-unknown-server",
        lambda lab: lab.url("nope"),
        labkit.UnknownName,
        ["unknown server 'nope'", "gateway", "origin", "portal", "slow", "garbage"],
    ),
    (
        "gateway-unknown-route",
        lambda lab: lab.gateway.route("nope"),
        labkit.UnknownName,
        ["unknown route 'nope'", "/, ", "/up/slow/", "/pool/"],
    ),
    (
        "read-timeout-negative",
        lambda lab: setattr(lab.gateway.route("/"), "read_timeout", -1),
        labkit.BadArgument,
        ["read_timeout", "between 0.01 and 60 seconds", "-1"],
    ),
    (
        "read-timeout-text",
        lambda lab: setattr(lab.gateway.route("/"), "read_timeout", "abc"),
        labkit.BadArgument,
        ["read_timeout must be a number of seconds", "0.01 and 60", "'abc'"],
    ),
    (
        "read-timeout-bool",
        lambda lab: setattr(lab.gateway.route("/"), "read_timeout", True),
        labkit.BadArgument,
        ["read_timeout must be a number of seconds", "0.01 and 60", "True"],
    ),
    # "must be seconds > 0", a shape of its own (fails before): check_number's, as the others
    (
        "learner-handler-seconds-zero",
        lambda lab: setattr(lab.origin, "learner_handler_seconds", 0),
        labkit.BadArgument,
        ["learner_handler_seconds must be between 0.01 and 60 seconds, not 0"],
    ),
    (
        "learner-handler-seconds-text",
        lambda lab: setattr(lab.origin, "learner_handler_seconds", "1"),
        labkit.BadArgument,
        ["learner_handler_seconds must be a number of seconds between 0.01 and 60, not '1'"],
    ),
    (
        "capacity-negative",
        lambda lab: setattr(lab.origin, "capacity", -1),
        labkit.BadArgument,
        ["capacity must be a whole number from 0 to 100000, or None (unlimited), not -1"],
    ),
    (
        "capacity-fraction",
        lambda lab: setattr(lab.origin, "capacity", 1.5),
        labkit.BadArgument,
        ["capacity must be a whole number from 0 to 100000, or None (unlimited), not 1.5"],
    ),
    (
        "capacity-text",
        lambda lab: setattr(lab.origin, "capacity", "x"),
        labkit.BadArgument,
        ["capacity must be a whole number from 0 to 100000, or None (unlimited), not 'x'"],
    ),
    (
        "maintenance-negative-retry-after",
        lambda lab: lab.origin.maintenance(retry_after=-5),
        labkit.BadArgument,
        [
            "retry_after must be a whole number from 0 to 31536000, a timezone-aware datetime, or None (no Retry-After), not -5"
        ],
    ),
    (
        "maintenance-naive-datetime",
        lambda lab: lab.origin.maintenance(retry_after=dt.datetime.now()),
        labkit.BadArgument,
        ["retry_after", "timezone-aware", "timezone.utc"],
    ),
    (
        "maintenance-on-yes",
        lambda lab: lab.origin.maintenance(on="yes"),
        labkit.BadArgument,
        ["on must be True or False", "'yes'"],
    ),
    (
        "slow-delay-too-long",
        lambda lab: setattr(lab.upstreams["slow"], "delay", 99),
        labkit.BadArgument,
        ["delay", "between 0 and 30 seconds", "99"],
    ),
    (
        # quoted in full: :g's six digits said "not 30", a value the range allows
        "slow-delay-just-past-its-bound",
        lambda lab: setattr(lab.upstreams["slow"], "delay", 30.0000001),
        labkit.BadArgument,
        ["between 0 and 30 seconds, not 30.0000001"],
    ),
    (
        "scenario-unknown",
        lambda lab: labkit.scenarios.get("nope"),
        labkit.UnknownName,
        ["unknown scenario 'nope'; `labkit scenarios` lists them all"],
    ),
    (
        "lesson-unknown",
        lambda lab: labkit.scenarios.for_lesson("999"),
        labkit.UnknownName,
        ["unknown lesson '999'", "500, 501, 502, 503, 504, 505, 511"],
    ),
]


def ex(lab):
    """Any exchange, for the rows that ask one something."""
    return lab.get("/orders/7")


# Every public entry, with the wrong kind of value: one labkit error naming it and what is
# allowed, never an exception from httpx, h11 or Python itself.
BAD = labkit.BadArgument
UNKNOWN = labkit.UnknownName
BAD_CALLS += [
    # lab.get / lab.request: what a client library can send, or a pointer to lab.raw
    ("path-with-crlf", lambda lab: lab.get("/a\r\nb"), BAD, ["control characters", "'/a\\r\\nb'", "lab.raw"]),
    ("path-with-nul", lambda lab: lab.get("/a\x00b"), BAD, ["control characters", "lab.raw"]),
    ("header-value-not-ascii", lambda lab: lab.get("/", headers={"X-Name": "café"}), BAD, ["X-Name", "ASCII", "'café'", "lab.raw"]),
    ("header-value-with-crlf", lambda lab: lab.get("/", headers={"X-A": "1\r\nX-B: 2"}), BAD, ["X-A", "control characters", "lab.raw"]),
    ("header-name-with-space", lambda lab: lab.get("/", headers={"X Y": "1"}), BAD, ["header name 'X Y'", "token", "'X-Debug'"]),
    ("header-name-empty", lambda lab: lab.get("/", headers={"": "1"}), BAD, ["header name ''", "token"]),
    ("header-value-int", lambda lab: lab.get("/", headers={"X-A": 5}), BAD, ["dict of str to str", "'X-A': 5"]),
    ("method-not-ascii", lambda lab: lab.request("GÉT", "/"), BAD, ["method must be a word", "'GÉT'"]),
    ("method-empty", lambda lab: lab.request("", "/"), BAD, ["method must be a word", "''"]),
    # labkit.start: refused before any thread or socket exists
    ("start-host-int", lambda lab: labkit.start(host=0), BAD, ["host must be an IP address", "'127.0.0.1'", "not 0"]),
    ("start-host-name", lambda lab: labkit.start(host="my.lab"), BAD, ["host must be an IP address", "'my.lab'"]),
    ("start-gateway-unknown", lambda lab: labkit.start(gateway="apache"), UNKNOWN, ["'apache'", "caddy, envoy, haproxy, nginx, rfc"]),
    ("start-gateway-int", lambda lab: labkit.start(gateway=1), UNKNOWN, ["gateway personality 1", "nginx"]),
    ("start-allow-users-float", lambda lab: labkit.start(allow_users=1.5), BAD, ["allow_users", "['www-data']", "1.5"]),
    # scenarios
    ("run-scenario-id-int", lambda lab: labkit.scenarios.run(5, lab), UNKNOWN, ["unknown scenario 5: an id is a status and a name, such as 500-handler-bug; the statuses that start with 5: 500, 501, 502, 503, 504, 505, 511"]),
    ("run-lab-a-string", lambda lab: labkit.scenarios.run("502-garbage", "lab"), BAD, ["lab must be a lab from labkit.start()", "'lab'"]),
    ("scenario-run-lab-none", lambda lab: labkit.scenarios.get("502-garbage").run(None), BAD, ["lab must be a lab", "None"]),
    ("scenario-get-list", lambda lab: labkit.scenarios.get([]), UNKNOWN, ["unknown scenario []; `labkit scenarios` lists them all"]),
    ("lesson-int", lambda lab: labkit.scenarios.for_lesson(503), UNKNOWN, ["unknown lesson 503", "500, 501"]),
    # an exchange and the lab's records
    ("exchange-header-int", lambda lab: ex(lab).header(5), BAD, ["header name such as 'Retry-After'", "5"]),
    ("exchange-header-none", lambda lab: ex(lab).header(None), BAD, ["header name", "None"]),
    ("exchange-json-of-text", lambda lab: lab.get("/").json(), labkit.errors.NotJSON, ["not JSON", "text/plain", "ex.text"]),
    ("exchange-hop-int", lambda lab: ex(lab).hop(5), UNKNOWN, ["unknown hop 5", "gateway", "origin"]),
    ("lab-exchange-list", lambda lab: lab.exchange([]), UNKNOWN, ["unknown request id []"]),
    ("lab-exchange-unknown", lambda lab: lab.exchange("req-9999"), UNKNOWN, ["unknown request id 'req-9999'"]),
    ("browser-link-server-int", lambda lab: lab.browser_link(5), UNKNOWN, ["unknown server 5", "gateway"]),
    ("browser-link-path-int", lambda lab: lab.browser_link("gateway", 5), BAD, ["path must start with '/'", "not 5"]),
    ("browser-link-text-int", lambda lab: lab.browser_link("gateway", "/", 5), BAD, ["text", "str", "5"]),
    ("browser-link-path-with-crlf", lambda lab: lab.browser_link("gateway", "/a\r\nb"), BAD, ["control characters", "'/a\\r\\nb'"]),
    ("maintenance-max-age-fraction", lambda lab: lab.origin.maintenance(cache_max_age=1.5), BAD, ["cache_max_age must be a whole number from 1 to 86400, or None (no-store, not cached), not 1.5"]),
    # switches
    ("personality-int", lambda lab: setattr(lab.gateway, "personality", 5), UNKNOWN, ["gateway personality 5", "nginx"]),
    ("personality-list", lambda lab: setattr(lab.gateway, "personality", ["nginx"]), UNKNOWN, ["gateway personality ['nginx']", "haproxy"]),
    ("route-int", lambda lab: lab.gateway.route(5), UNKNOWN, ["unknown route 5", "/up/slow/"]),
    # load
    ("burst-lab-a-string", lambda lab: labkit.load.burst("lab", 3), BAD, ["lab must be a lab from labkit.start()", "'lab'"]),
    ("burst-size-text", lambda lab: labkit.load.burst(lab, "3"), BAD, ["size must be a whole number from 1 to 100", "'3'"]),
    ("burst-progress-int", lambda lab: labkit.load.burst(lab, 1, delay=0, on_progress=5), BAD, ["on_progress must be a function", "5"]),
    ("sweep-sizes-text", lambda lab: labkit.load.sweep(lab, "abc", capacity=2), BAD, ["sizes must be a list", "[1, 3, 6]", "'abc'"]),
    ("sweep-size-zero", lambda lab: labkit.load.sweep(lab, [0], capacity=2), BAD, ["size must be a whole number from 1 to 100", "0"]),
    ("sweep-capacity-text", lambda lab: labkit.load.sweep(lab, [1], capacity="2"), BAD, ["capacity must be a whole number from 0 to 100000, not '2'"]),
    # charts
    ("timeline-a-string", lambda lab: labkit.charts.timeline("x"), BAD, ["timeline takes an exchange", "'x'"]),
    ("timeline-none", lambda lab: labkit.charts.timeline(None), BAD, ["timeline takes an exchange", "None"]),
    ("load-curve-a-string", lambda lab: labkit.charts.load_curve("x", 3), BAD, ["results must be a list of bursts", "load.sweep()"]),
    ("load-curve-capacity-text", lambda lab: labkit.charts.load_curve([], "3"), BAD, ["capacity must be a whole number", "'3'"]),
    # widgets
    ("playground-lab-a-string", lambda lab: labkit.widgets.Playground("lab", "503"), BAD, ["lab must be a lab from labkit.start()", "'lab'"]),
    ("playground-lesson-int", lambda lab: labkit.widgets.Playground(lab, 503), UNKNOWN, ["unknown lesson 503", "500, 501"]),
    ("playground-lesson-unknown", lambda lab: labkit.widgets.playground(lab, "599"), UNKNOWN, ["unknown lesson '599'"]),
    ("gateways-compared-none", lambda lab: labkit.widgets.GatewaysCompared(None), BAD, ["lab must be a lab", "None"]),
    ("quiz-a-string", lambda lab: labkit.widgets.Quiz("q1"), BAD, ["Quiz takes an exercise", "'q1'"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "error", "fragments"),
    [pytest.param(*case[1:], id=case[0]) for case in BAD_CALLS],
)
def test_bad_argument_is_named_and_nothing_sticks(lab, call, error, fragments):
    before = switches(lab)
    with pytest.raises(error) as info:
        call(lab)
    assert isinstance(info.value, ValueError)  # BadArgument (and NotJSON) is also a ValueError
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} missing from the message {message!r}"
    assert_lab_unharmed(lab, before)


def test_unknown_name_is_also_a_key_error_with_a_readable_message(lab):
    with pytest.raises(KeyError) as info:
        lab.url("nope")
    assert isinstance(info.value, labkit.UnknownName)
    assert str(info.value).startswith("unknown server 'nope'")  # not the repr() KeyError shows


@pytest.mark.parametrize(
    ("call", "said"),
    [
        (
            lambda lab: labkit.scenarios.get("503-maintenanc"),
            "unknown scenario '503-maintenanc'; did you mean 503-maintenance? "
            "(`labkit scenarios` lists them all)",
        ),
        (
            lambda lab: setattr(lab.gateway, "personality", "ngnix"),
            "unknown gateway personality 'ngnix'; did you mean nginx?",
        ),
    ],
    ids=["scenario", "personality"],
)
def test_a_typo_is_answered_with_the_name_meant_in_python_as_on_the_terminal(lab, call, said):
    """The terminal's `labkit run 503-maintenanc` named the id meant; in a notebook
    `scenarios.get` listed all sixty ids in one line of 937 characters instead."""
    with pytest.raises(labkit.UnknownName) as info:
        call(lab)
    assert str(info.value) == said


def test_a_name_near_none_still_lists_what_is_allowed(lab):
    with pytest.raises(labkit.UnknownName) as info:
        lab.gateway.personality = "apache"
    assert str(info.value) == (
        "unknown gateway personality 'apache'; choose one of: caddy, envoy, haproxy, nginx, rfc"
    )


def test_bad_values_leave_the_previous_good_value_in_place(lab):
    lab.origin.capacity = 3
    lab.gateway.route("/").read_timeout = 1.5
    lab.upstreams["slow"].delay = 0.2
    for bad in (-1, 1.5, "x", True):
        with pytest.raises(labkit.BadArgument):
            lab.origin.capacity = bad
    for bad in (-1, "abc", True, 61):
        with pytest.raises(labkit.BadArgument):
            lab.gateway.route("/").read_timeout = bad
    with pytest.raises(labkit.BadArgument):
        lab.upstreams["slow"].delay = 99
    assert lab.origin.capacity == 3
    assert lab.gateway.route("/").read_timeout == 1.5
    assert lab.upstreams["slow"].delay == 0.2
    assert lab.get("/orders/7").status == 200


def test_bad_maintenance_call_keeps_maintenance_as_it_was(lab):
    lab.origin.maintenance(retry_after=30)
    with pytest.raises(labkit.BadArgument):
        lab.origin.maintenance(retry_after=-5)
    with pytest.raises(labkit.BadArgument):
        lab.origin.maintenance(on="no")
    ex = lab.get("/orders/7")
    assert ex.status == 503
    assert ex.header("retry-after") == "30"
    lab.origin.maintenance(False)
    assert lab.get("/orders/7").status == 200


def test_request_body_of_the_wrong_type_is_a_bad_argument(lab):
    with pytest.raises(labkit.BadArgument, match="body"):
        lab.request("POST", "/orders", body=123)
    assert lab.get("/orders/7").status == 200


def test_request_headers_of_the_wrong_type_is_a_bad_argument(lab):
    with pytest.raises(labkit.BadArgument, match="headers"):
        lab.get("/orders/7", headers="X-Debug: 1")
    assert lab.get("/orders/7").status == 200


def test_raw_text_that_is_not_latin1_is_a_bad_argument(lab):
    with pytest.raises(labkit.BadArgument, match="latin-1"):
        lab.raw("GET /caf\u20ac HTTP/1.1\r\nHost: x\r\n\r\n")
    assert lab.get("/orders/7").status == 200


def test_debug_must_be_true_or_false(lab):
    with pytest.raises(labkit.BadArgument, match="True or False"):
        lab.origin.debug = "off"
    assert lab.origin.debug is False
    assert "Traceback" not in lab.get("/orders/abc").text


# Every use of a stopped lab: LabNotRunning, whose message says what to run.
STOPPED_CALLS = {
    "get": lambda lab: lab.get("/orders/7"),
    "request": lambda lab: lab.request("GET", "/orders/7", via="origin"),
    "raw": lambda lab: lab.raw(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
    "get-with-bad-arguments": lambda lab: lab.get("no-slash", via="nope"),  # stopped comes first
    "reset": lambda lab: lab.reset(),
    "url": lambda lab: lab.url("gateway"),
    "urls": lambda lab: lab.urls(),
    "browser-link": lambda lab: lab.browser_link(),
    "exchange": lambda lab: lab.exchange("req-0001"),
    "last": lambda lab: lab.last(),
    "capacity": lambda lab: setattr(lab.origin, "capacity", 3),
    "maintenance": lambda lab: lab.origin.maintenance(retry_after=30),
    "debug": lambda lab: setattr(lab.origin, "debug", True),
    "personality": lambda lab: setattr(lab.gateway, "personality", "nginx"),
    "read-timeout": lambda lab: setattr(lab.gateway.route("/"), "read_timeout", 1.0),
    "purge": lambda lab: lab.gateway.purge(),
    "slow-delay": lambda lab: setattr(lab.upstreams["slow"], "delay", 0.1),
    "portal-login": lambda lab: lab.portal.login(),
    "burst": lambda lab: labkit.load.burst(lab, 3),
    "sweep": lambda lab: labkit.load.sweep(lab, [1, 2], capacity=1),
    "scenarios-run": lambda lab: labkit.scenarios.run("502-garbage", lab),
    "scenario-run": lambda lab: labkit.scenarios.get("503-maintenance").run(lab),
    "playground": lambda lab: labkit.widgets.Playground(lab, "503"),
    "gateways-compared": lambda lab: labkit.widgets.GatewaysCompared(lab),
}


@pytest.mark.parametrize("call", list(STOPPED_CALLS.values()), ids=list(STOPPED_CALLS))
def test_a_stopped_lab_says_what_to_run_for_every_use(lab, call):
    lab.get("/orders/7")
    lab.stop()
    with pytest.raises(labkit.LabNotRunning) as info:
        call(lab)
    message = str(info.value)
    assert "stopped" in message
    assert "labkit.start()" in message
    assert "then the cell you were in" in message


def _start_line(notebook: str) -> str:
    """The lab = labkit.start(...) line of a lesson's start cell."""
    cells = json.loads((ROOT / notebook).read_text(encoding="utf-8"))["cells"]
    lines = ("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return next(ln for cell in lines for ln in cell.splitlines() if "labkit.start(" in ln)


def test_a_stopped_lab_names_the_start_line_of_its_own_lessons():
    """A Chinese lab said to run `lab = labkit.start()`, where the Chinese lessons' start cell
    starts a Chinese lab (fails before): each language names its lessons' own line."""
    for notebook, lang in (
        ("notebooks/01-500-internal-server-error.ipynb", "en"),
        ("notebooks/zh/01-500-internal-server-error.ipynb", "zh-CN"),
    ):
        line = _start_line(notebook)
        lab = labkit.start(lang=lang)
        lab.stop()
        with pytest.raises(labkit.LabNotRunning) as info:
            lab.get("/orders/7")
        assert line in str(info.value), (line, str(info.value))
    assert _start_line("notebooks/zh/01-500-internal-server-error.ipynb") == (
        'lab = labkit.start(lang="zh-CN")'
    )


def test_a_lab_not_started_yet_has_no_portal_and_says_how_to_start_it():
    """lab.portal is typed Portal, so that a learner's lab.portal.login() type-checks
    (tests/test_typing.py): before the start there is none, and it says so, not None."""
    lab = labkit.Lab()
    with pytest.raises(labkit.LabNotRunning, match=r"not been started: call lab\.start\(\)"):
        lab.portal.login()


def event_loops_open():
    """The epoll instances this process holds: one per open asyncio event loop (Linux)."""
    fds = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            fds.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:  # closed meanwhile (listdir's own fd)
            pass
    return fds.count("anon_inode:[eventpoll]")


def test_a_lab_never_started_holds_no_event_loop_and_leaves_no_warning():
    """A Lab made and dropped (a cell run by mistake, a lab kept for later) opens nothing: its
    event loop (an epoll fd and a socket pair) is made by start(). Before, each such lab held
    three fds until collected, then warned "unclosed event loop" (a ResourceWarning)."""
    gc.collect()
    before = event_loops_open()
    labs = [labkit.Lab() for _ in range(5)]
    assert event_loops_open() == before
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del labs
        gc.collect()
    assert [str(w.message) for w in caught if w.category is ResourceWarning] == []
    later = labkit.Lab()  # one started later runs, and closes its loop when it stops
    with later.start():
        assert later.get("/orders/7").status == 200
        assert event_loops_open() == before + 1
    assert event_loops_open() == before


def test_a_stopped_lab_starts_again_as_a_fresh_one(lab, runtime_dir):
    lab.origin.capacity = 0
    assert lab.get("/orders/7").status == 503
    threads = lab_threads()
    lab.stop()
    assert list(runtime_dir.glob("lab-*.json")) == []
    assert lab.start() is lab
    assert lab.get("/orders/7").status == 200  # every switch as in a fresh lab
    assert lab.origin.capacity is None
    assert lab.get("/orders/7", via="portal").status == 511
    assert len(list(runtime_dir.glob("lab-*.json"))) == 1
    assert lab_threads() == threads
    lab.stop()
    assert list(runtime_dir.glob("lab-*.json")) == []
    assert len(lab_threads()) == len(threads) - 1


def lab_threads():
    return sorted(t.name for t in threading.enumerate() if t.name == "labkit-lab")


def test_a_refused_start_leaves_no_thread_behind():
    before = lab_threads()
    for kwargs in ({"host": 0}, {"gateway": "apache"}, {"allow_users": ["no-such-user-bnd"]}):
        with pytest.raises(labkit.BadArgument):
            labkit.start(**kwargs)
    assert lab_threads() == before


# -- the `labkit` command --


def run_cli(tmp_path, *args):
    env = {**os.environ, "LABKIT_RUNTIME_DIR": str(tmp_path)}
    return run_labkit(*args, env=env, timeout=20)


def run_cli_in_process(tmp_path, *args):
    """The same command through labkit.cli.main in this process (helpers.labkit_in_process)."""
    return labkit_in_process(*args, env={"LABKIT_RUNTIME_DIR": str(tmp_path)})


def assert_one_error_line(result, *fragments):
    err = result.stderr
    assert result.returncode != 0, result
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines, "nothing on stderr"
    # one prefix for every refusal, argparse's as labkit's and the lab's: argparse's named
    # the command (`labkit ctl capacity: error:`), so `labkit ctl` said it two ways
    assert lines[0].startswith("labkit: error: "), err
    hint = lines[1:]
    assert len(hint) <= 1, f"more than one error line: {err!r}"
    if hint:
        assert hint[0].startswith("(see ") and "--help" in hint[0], err
    for fragment in fragments:
        assert fragment in lines[0], f"{fragment!r} missing from {lines[0]!r}"


CLI_CASES = [
    ("unknown-subcommand", ["frobnicate"], ["invalid choice: 'frobnicate'", "serve", "ctl"]),
    # the whole range, from the switches table: "whole number >= 0" never said the maximum
    ("negative-capacity", ["ctl", "capacity", "-3"], [f"capacity must be a whole number from 0 to {CAPACITY_MAX}, or none (unlimited), not '-3'"]),
    ("read-timeout-text", ["ctl", "timeout", "/", "--read", "abc"], ["--read", "'abc'"]),
    (
        "maintenance-sideways",
        ["ctl", "maintenance", "sideways"],
        ["'sideways'", "'on', 'off'"],
    ),
    ("unknown-lesson", ["scenarios", "--lesson", "999"], ["'999'", "500, 501"]),
    ("unknown-scenario", ["run", "no-such-scenario"], ["'no-such-scenario'", "`labkit scenarios` lists them all"]),
    (
        "no-such-lab",
        ["ctl", "--lab", "http://127.0.0.1:1", "state"],
        ["no running lab", "labkit serve"],
    ),
    ("serve-host-not-an-address", ["serve", "--host", "nowhere"], ["host must be an IP address", "'nowhere'"]),
    ("serve-unknown-gateway", ["serve", "--gateway", "apache"], ["invalid choice: 'apache'", "'nginx'"]),
    ("env-without-a-lab", ["env"], ["no running lab found", "labkit serve"]),
    ("env-lab-not-a-url", ["env", "--lab", "gateway"], ["no running lab"]),
    ("ctl-without-a-command", ["ctl"], ["required: COMMAND"]),
    ("ctl-timeout-without-values", ["ctl", "timeout", "/"], ["give --connect SECONDS, --read SECONDS or both"]),
    ("ctl-capacity-fraction", ["ctl", "capacity", "1.5"], [f"whole number from 0 to {CAPACITY_MAX}, or none (unlimited), not '1.5'"]),
    ("ctl-delay-negative", ["ctl", "delay", "-1"], ["delay must be between 0 and 30", "-1"]),
    # quoted as typed, not as the inf it becomes (issue 16); nan and inf are not numbers here
    ("ctl-delay-too-large", ["ctl", "delay", "1e400"], ["delay must be between 0 and 30 seconds, not 1e400"]),
    ("ctl-delay-inf", ["ctl", "delay", "inf"], ["delay must be a number of seconds between 0 and 30, not 'inf'"]),
    ("ctl-delay-nan", ["ctl", "delay", "nan"], ["delay must be a number of seconds between 0 and 30, not 'nan'"]),
    ("ctl-delay-just-past-its-bound", ["ctl", "delay", "30.0000001"], ["delay must be between 0 and 30 seconds, not 30.0000001"]),
    ("ctl-delay-empty", ["ctl", "delay", ""], ["delay must be a number of seconds between 0 and 30, not nothing (the value is empty)"]),
    ("ctl-capacity-other-digits", ["ctl", "capacity", "٣"], [f"capacity must be a whole number from 0 to {CAPACITY_MAX}", "'٣'"]),
    ("ctl-unknown-personality", ["ctl", "personality", "apache"], ["invalid choice: 'apache'", "'nginx'"]),
    ("ctl-portal-dance", ["ctl", "portal", "dance"], ["invalid choice: 'dance'", "'login', 'logout'"]),
    ("ctl-wait-busy-many", ["ctl", "wait-busy", "many"], [f"whole number from 0 to {CAPACITY_MAX}, not 'many'"]),
    ("ctl-maintenance-retry-text", ["ctl", "maintenance", "on", "--retry-after", "soon"], [f"whole number from 0 to {YEAR}, or none (no Retry-After), not 'soon'"]),
    ("run-without-a-scenario", ["run"], ["required: scenario"]),
    ("scenarios-lesson-word", ["scenarios", "--lesson", "five"], ["unknown lesson 'five'", "500, 501"]),
    ("scenarios-lesson-empty", ["scenarios", "--lesson", ""], ["unknown lesson ''", "500, 501"]),
    ("progress-lesson-unknown", ["progress", "--lesson", "999"], ["unknown lesson '999'", "503", "capstone"]),
    # an empty path (a variable that was not set: --file "$F") read the default file instead
    ("progress-file-empty", ["progress", "--file", ""], ["--file is empty", "progress.json"]),
    # likewise `--lab "$GATEWAY"` with GATEWAY not set: "no running lab has a server at ;"
    ("ctl-lab-empty", ["ctl", "--lab", "", "state"], ["--lab is empty", "leave --lab out"]),
    ("env-lab-empty", ["env", "--lab", ""], ["--lab is empty", "leave --lab out"]),
]  # fmt: skip


# each command's first case runs as a real `python -m labkit` process; the others in process
SUBPROCESS_CASES = {
    "unknown-subcommand",
    "negative-capacity",  # ctl
    "ctl-lab-empty",
    "unknown-lesson",  # scenarios
    "unknown-scenario",  # run
    "serve-host-not-an-address",
    "env-without-a-lab",
    "progress-lesson-unknown",
}


@pytest.mark.parametrize(
    ("case", "args", "fragments"), [pytest.param(*c, id=c[0]) for c in CLI_CASES]
)
def test_cli_bad_option_is_one_clear_line(tmp_path, case, args, fragments):
    run = run_cli if case in SUBPROCESS_CASES else run_cli_in_process
    result = run(tmp_path, *args)
    assert_one_error_line(result, *fragments)
    assert result.stdout == (ENV_REFUSED if args[0] == "env" else "")


def test_every_command_with_bad_input_is_run_once_as_a_real_process():
    assert {c[1][0] for c in CLI_CASES if c[0] in SUBPROCESS_CASES} == {c[1][0] for c in CLI_CASES}


@pytest.mark.parametrize(
    "args", [["scenarios"], ["env"], ["progress", "--format", "csv"]], ids=" ".join
)
def test_a_closed_standard_output_is_one_line_not_a_traceback(tmp_path, args):
    """`labkit scenarios >&-`: Python leaves sys.stdout None when its descriptor is closed,
    and the command ended in a traceback (AttributeError: 'NoneType' object has no attribute
    'flush'); coreutils say "write error: Bad file descriptor" (`ls >&-`)."""
    import subprocess
    import sys

    closed = subprocess.run(
        ["sh", "-c", 'exec "$@" >&-', "sh", sys.executable, "-m", "labkit", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "LABKIT_RUNTIME_DIR": str(tmp_path)},
        timeout=20,
        check=False,
    )
    assert closed.returncode == 1
    assert closed.stderr.splitlines()[-1:] == [
        "labkit: error: standard output is closed, so nothing could be written: send the "
        "output to a file (> FILE), or to /dev/null if you do not need it"
    ], closed.stderr


@pytest.fixture
def registered_lab(tmp_path, monkeypatch):
    """A lab that `labkit ctl` in a subprocess can find (registered in tmp_path)."""
    monkeypatch.setenv("LABKIT_RUNTIME_DIR", str(tmp_path))
    with labkit.start() as running:
        yield running


def test_cli_after_the_lab_stopped_says_no_lab_is_running(tmp_path, registered_lab):
    assert run_cli(tmp_path, "ctl", "state").returncode == 0
    registered_lab.stop()
    for args in (["ctl", "state"], ["ctl", "debug", "on"], ["env"]):
        result = run_cli_in_process(tmp_path, *args)  # a real process found the lab above
        assert_one_error_line(result, "no running lab found", "labkit serve")
        assert result.stdout == (ENV_REFUSED if args == ["env"] else "")


def test_cli_lab_url_that_is_not_a_lab_lists_the_running_ones(tmp_path, registered_lab):
    result = run_cli(tmp_path, "ctl", "--lab", "http://127.0.0.1:1", "state")
    assert_one_error_line(result, "http://127.0.0.1:1", registered_lab.gateway.url)


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        pytest.param(["ctl", "delay", "99"], ["delay", "between 0 and 30"], id="delay-99"),
        pytest.param(
            ["ctl", "timeout", "nope", "--read", "1"],
            ["unknown route 'nope'", "/up/slow/"],
            id="unknown-route",
        ),
        pytest.param(
            ["ctl", "timeout", "/", "--read", "100"],
            ["--read must be between 0.01 and 60"],
            id="read-timeout-100",
        ),
        pytest.param(
            ["ctl", "maintenance", "on", "--cache-max-age", "0"],
            [
                "--cache-max-age must be a whole number from 1 to 86400, or none (no-store, not cached), not 0"
            ],
            id="cache-max-age-0",
        ),
    ],
)
def test_cli_value_the_lab_refuses_is_one_line_and_does_not_stick(
    tmp_path, registered_lab, args, fragments
):
    before = switches(registered_lab)
    run = run_cli if args[:2] == ["ctl", "delay"] else run_cli_in_process  # one real process
    result = run(tmp_path, *args)
    assert_one_error_line(result, *fragments)
    assert_lab_unharmed(registered_lab, before)


def test_cli_refused_timeout_change_changes_nothing(tmp_path, registered_lab):
    before = switches(registered_lab)
    result = run_cli_in_process(
        tmp_path, "ctl", "timeout", "/", "--connect", "1.5", "--read", "100"
    )
    assert_one_error_line(result, "--read must be between 0.01 and 60")
    assert_lab_unharmed(registered_lab, before)


def test_cli_retry_in_too_far_ahead_is_one_line(tmp_path, registered_lab):
    before = switches(registered_lab)
    result = run_cli_in_process(
        tmp_path, "ctl", "maintenance", "on", "--retry-in", "99999999999999"
    )
    assert_one_error_line(result, "retry")
    assert_lab_unharmed(registered_lab, before)


# -- the control API (what `labkit ctl` sends; anyone on the machine can try it) --


def control(lab, command, body, token=None):
    """POST a raw JSON body to the lab's control server, as any local process could."""
    token = lab.control.token if token is None else token
    return httpx.post(
        f"{lab.control.url}/{command}",
        content=body if isinstance(body, bytes) else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}"} if token else {},
        trust_env=False,
        timeout=5,
    )


CONTROL_BAD = [
    # (id, command, body, fragments of the 400's error)
    ("maintenance-on-string-false", "maintenance", {"on": "false"}, ["on must be true or false", "'false'"]),
    ("maintenance-on-1", "maintenance", {"on": 1}, ["on must be true or false", "1"]),
    ("maintenance-without-on", "maintenance", {}, ["maintenance takes on", "missing on"]),
    ("debug-on-string-off", "debug", {"on": "off"}, ["on must be true or false", "'off'"]),
    ("debug-on-null", "debug", {"on": None}, ["on must be true or false", "None"]),
    ("portal-unknown-action", "portal", {"action": "dance"}, ["unknown portal action 'dance'", "login, logout"]),
    ("portal-action-null", "portal", {"action": None}, ["unknown portal action None", "login, logout"]),
    ("unknown-argument", "debug", {"on": True, "also": 1}, ["debug takes on", "not also"]),
    ("capacity-string", "capacity", {"value": "2"}, ["capacity must be a whole number", "'2'"]),
    ("capacity-float", "capacity", {"value": 2.0}, ["capacity must be a whole number", "2.0"]),
    ("timeout-route-number", "timeout", {"route": 7, "read": 1}, ["route must be", "7"]),
    ("timeout-read-string", "timeout", {"route": "/", "read": "1"}, ["read_timeout", "'1'"]),
    ("delay-bool", "delay", {"seconds": True}, ["delay", "True"]),
    ("personality-list", "personality", {"name": ["nginx"]}, ["personality", "nginx"]),
    ("retry-in-string", "maintenance", {"on": True, "retry_in": "5"}, ["retry_in", "'5'"]),
    ("unknown-command", "explode", {}, ["unknown command 'explode'", "maintenance", "state"]),
    ("body-a-list", "state", [], ["JSON object"]),
    ("reset-with-arguments", "reset", {"now": True}, ["reset takes no arguments", "not now"]),
    ("body-not-json", "state", b"{on: true", ["the body is not JSON", "(a property name in double quotes was expected at line 1, column 2)", "must be a JSON object"]),
    # Python's reader: a RecursionError (a 500, "Please report it"), and its own words for the rest
    ("body-nested-deeply", "state", b"[" * 100_000 + b"]" * 100_000, ["is nested too deeply", "JSON object"]),
    ("body-not-utf-8", "maintenance", b'{"on": "\xff"}', ["the body is not JSON", "(it is not UTF-8)"]),
    ("body-huge-number", "capacity", b'{"value": ' + b"9" * 5000 + b"}", ["has too many digits"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("command", "body", "fragments"),
    [pytest.param(*case[1:], id=case[0]) for case in CONTROL_BAD],
)
def test_control_api_takes_booleans_and_known_actions_only(lab, command, body, fragments):
    lab.portal.login()  # so that a guessed "logout" would show
    before = switches(lab)
    resp = control(lab, command, body)
    assert resp.status_code == 400, resp.text
    error = resp.json()["error"]
    for fragment in fragments:
        assert fragment in error, f"{fragment!r} missing from {error!r}"
    assert switches(lab) == before
    assert lab.portal.logged_in


@pytest.mark.parametrize(
    "token", ["", "x", "wrong-but-as-long-as-the-real-one-is!", None], ids=repr
)  # "": no Authorization header at all
def test_control_api_refuses_a_wrong_token(lab, token):
    wrong = (lab.control.token[:-1] + "?") if token is None else token  # None: off by one char
    before = switches(lab)
    resp = control(lab, "maintenance", {"on": True}, token=wrong)
    assert resp.status_code == 403
    assert resp.json() == {"error": "missing or wrong token"}
    assert switches(lab) == before


def test_control_api_token_compare_takes_any_header_bytes(lab):
    resp = httpx.post(
        f"{lab.control.url}/state",
        headers={"Authorization": "Bearer caf\xe9".encode("latin-1")},
        trust_env=False,
    )
    assert resp.status_code == 403
    assert control(lab, "state", {}).status_code == 200


# -- the sockets --


def exchange_bytes(port, data, timeout=2.0):
    """Send ``data`` as a client that keeps its side open would; return what came back.

    Returns the bytes received before the server closed (b"" for a bare close or a
    reset), or None when the server neither answered nor closed within ``timeout``.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        deadline = time.monotonic() + timeout
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before reading all of it
        received = bytearray()
        try:
            while True:
                sock.settimeout(max(0.01, deadline - time.monotonic()))
                chunk = sock.recv(65536)
                if not chunk:
                    return bytes(received)
                received += chunk
        except ConnectionResetError:
            return bytes(received)
        except TimeoutError:
            return None if not received else bytes(received)


def status_of(port, data=VALID_REQUEST, timeout=2.0):
    answer = exchange_bytes(port, data, timeout)
    match = STATUS_LINE.match(answer or b"")
    assert match, f"no status line in {answer!r}"
    return int(match.group(1))


def assert_4xx_or_closed(name, answer):
    assert answer is not None, f"{name} neither answered nor closed within 2 s"
    if answer:
        assert answer.startswith(b"HTTP/1.1 4"), f"{name} answered {answer[:80]!r}"


TLS_CLIENT_HELLO = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(32))
HUGE_HEADER = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n"
GARBAGE = {
    "tls-client-hello": TLS_CLIENT_HELLO,
    "100-kb-header": HUGE_HEADER,
    "request-line-without-version": b"GET /\r\n\r\n",
}  # (empty lines alone are no request: test_smuggling.py, RFC 9112 2.2)
RANDOM_BYTES = random.Random(2024).randbytes(1024)


@pytest.mark.parametrize("garbage", list(GARBAGE))
@pytest.mark.parametrize("name", SERVERS)
def test_garbage_gets_4xx_or_close_and_the_server_lives_on(lab, name, garbage):
    port = server(lab, name).port
    answer = exchange_bytes(port, GARBAGE[garbage])
    assert_4xx_or_closed(name, answer)
    assert status_of(port) == EXPECTED[name]
    if name in ("origin", "gateway"):
        assert lab.get("/orders/7", via=name).status == 200


def test_random_bytes_do_not_stop_any_server_answering_others(lab):
    held = []
    try:
        for name in SERVERS:
            sock = socket.create_connection(("127.0.0.1", server(lab, name).port), timeout=2)
            sock.sendall(RANDOM_BYTES)
            held.append(sock)
        for name in SERVERS:
            start = time.monotonic()
            assert status_of(server(lab, name).port) == EXPECTED[name]
            assert time.monotonic() - start < 0.5
    finally:
        for sock in held:
            sock.close()
    assert lab.get("/orders/7").status == 200


def test_random_bytes_get_4xx_or_close_promptly(lab):
    socks = {}
    try:
        for name in SERVERS:
            socks[name] = socket.create_connection(("127.0.0.1", server(lab, name).port))
            socks[name].sendall(RANDOM_BYTES)
        deadline = time.monotonic() + 2.0
        answers = {}
        for name, sock in socks.items():
            received = bytearray()
            try:
                while True:
                    sock.settimeout(max(0.01, deadline - time.monotonic()))
                    chunk = sock.recv(65536)
                    if not chunk:
                        break
                    received += chunk
                answers[name] = bytes(received)
            except ConnectionResetError:
                answers[name] = bytes(received)
            except TimeoutError:
                answers[name] = bytes(received) or None
    finally:
        for sock in socks.values():
            sock.close()
    for name in SERVERS:
        assert status_of(server(lab, name).port) == EXPECTED[name]
    for name, answer in answers.items():
        assert_4xx_or_closed(name, answer)


def test_a_slow_client_does_not_stop_the_server_answering_others(lab):
    """While a client dribbles an unfinished request to every server, the others are served.

    A server that waited on the slow client would answer nobody until its head deadline
    (seconds): every other request here must be answered, whatever the machine's load,
    and the slow client itself once its request is complete. No latency is asserted.
    """
    socks = {
        name: socket.create_connection(("127.0.0.1", server(lab, name).port), timeout=5)
        for name in SERVERS
    }
    dripped = VALID_REQUEST[:5]
    try:
        for byte in dripped:  # one byte at a time, each answered around by other clients
            for sock in socks.values():
                sock.sendall(bytes([byte]))
            for name in SERVERS:
                assert status_of(server(lab, name).port, timeout=5.0) == EXPECTED[name], name
        for name, sock in socks.items():
            sock.sendall(VALID_REQUEST[len(dripped) :])
            received = bytearray()
            while chunk := sock.recv(65536):
                received += chunk
            match = STATUS_LINE.match(bytes(received))
            assert match and int(match.group(1)) == EXPECTED[name], (name, bytes(received[:80]))
    finally:
        for sock in socks.values():
            sock.close()


def test_switches_kept_from_before_stop_are_refused_too() -> None:
    """`o = lab.origin; lab.stop(); o.capacity = 2` says the lab stopped, like `lab.origin` does."""
    lab = labkit.start()
    origin, gateway, portal, slow = lab.origin, lab.gateway, lab.portal, lab.upstreams["slow"]
    assert portal is not None
    lab.stop()
    kept = [
        lambda: setattr(origin, "capacity", 2),
        lambda: setattr(origin, "debug", True),
        lambda: origin.maintenance(retry_after=30),
        lambda: setattr(gateway, "personality", "nginx"),
        lambda: gateway.route("/"),
        gateway.purge,
        portal.login,
        portal.logout,
        lambda: setattr(slow, "delay", 2),
    ]
    for use in kept:
        with pytest.raises(labkit.LabNotRunning, match="run the cell that starts it"):
            use()
    assert origin.capacity is None and not origin.debug and portal.logged_in is False
