"""A route's timeouts are one value, Timeouts(connect, read), and the dict form of before still works."""

from __future__ import annotations

import dataclasses
import socket
import time

import pytest

import labkit
from labkit.http import deadline
from labkit.lab import ORIGIN_TIMEOUTS, UPSTREAM_TIMEOUTS
from labkit.proxy import Route


def test_a_route_answers_by_the_timeouts_it_is_given(lab: labkit.Lab) -> None:
    route = lab.gateway.route("slow")
    assert route.timeouts == UPSTREAM_TIMEOUTS
    lab.upstreams["slow"].delay = 0.3
    route.timeouts = labkit.Timeouts(connect=0.2, read=0.1)
    assert (route.connect_timeout, route.read_timeout) == (0.2, 0.1)
    ex = lab.get("/up/slow/")
    assert ex.status == 504 and ex.generated_by == "gateway"
    route.timeouts = labkit.Timeouts(connect=0.2, read=1.0)
    assert lab.get("/up/slow/").status == 200
    route.read_timeout = 0.5  # one of the two, as lessons do
    assert route.timeouts == labkit.Timeouts(connect=0.2, read=0.5)
    # where lesson 08 sends learners to read a route's timeouts: repr(lab)
    shown = [line.split() for line in repr(lab).splitlines()]
    assert [route.prefix, "->", "slow", "connect", "0.2", "s,", "read", "0.5", "s"] in shown
    assert repr(lab).startswith("<Lab running on this machine>\n")
    assert ["gateway", lab.gateway.url] in shown and ["origin", lab.origin.url] in shown
    # an upstream shows its name and knobs, the same in every run (no address, no port)
    assert repr(lab.upstreams["slow"]) == "<upstream 'slow': delay=0.3>"
    assert repr(lab.upstreams["garbage"]) == "<upstream 'garbage'>"
    assert "0x" not in repr(lab.upstreams) and str(lab.upstreams["slow"].port) not in repr(
        lab.upstreams
    )
    lab.reset()
    assert route.timeouts == UPSTREAM_TIMEOUTS
    assert lab.gateway.route("/").timeouts == ORIGIN_TIMEOUTS


BAD = {
    "negative": (
        {"connect": -1, "read": 0.3},
        "connect=...) must be between 0.01 and 60 seconds, not -1",
    ),
    "text": (
        {"connect": 0.2, "read": "1"},
        "read=...) must be a number of seconds between 0.01 and 60, not '1'",
    ),
    "bool": ({"connect": True, "read": 0.3}, "connect=...) must be a number of seconds"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_timeouts_are_one_clear_line(case: str) -> None:
    given, words = BAD[case]
    with pytest.raises(labkit.BadArgument) as caught:
        labkit.Timeouts(**given)
    assert str(caught.value).startswith("Timeouts(" + words)
    assert "\n" not in str(caught.value)


def test_a_route_takes_only_timeouts(lab: labkit.Lab) -> None:
    route = lab.gateway.route("slow")
    with pytest.raises(
        labkit.BadArgument, match=r"timeouts must be Timeouts\(connect=\.\.\., read"
    ):
        route.timeouts = {"connect_timeout": 1.0, "read_timeout": 1.0}
    with pytest.raises(labkit.BadArgument, match="takes its timeouts"):
        Route("/x/", "x", [])
    with pytest.raises(labkit.BadArgument, match="takes its timeouts"):
        Route("/x/", "x", [], UPSTREAM_TIMEOUTS, read_timeout=1.0)
    assert route.timeouts == UPSTREAM_TIMEOUTS  # nothing changed


def test_timeouts_are_a_frozen_value() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        UPSTREAM_TIMEOUTS.read = 5
    assert labkit.Timeouts(0.2, 0.3) == labkit.Timeouts(connect=0.2, read=0.3)
    assert str(labkit.Timeouts(0.2, 0.3)) == "connect timeout 0.2 s, read timeout 0.3 s"


def test_the_dict_form_of_before_still_works() -> None:
    """Exercises and notebooks read UPSTREAM_TIMEOUTS["read_timeout"] and splat it into Route."""
    assert UPSTREAM_TIMEOUTS["read_timeout"] == UPSTREAM_TIMEOUTS.read
    assert UPSTREAM_TIMEOUTS["connect_timeout"] == UPSTREAM_TIMEOUTS.connect
    assert dict(**UPSTREAM_TIMEOUTS) == {
        "connect_timeout": UPSTREAM_TIMEOUTS.connect,
        "read_timeout": UPSTREAM_TIMEOUTS.read,
    }
    assert Route("/x/", "x", [], **UPSTREAM_TIMEOUTS).timeouts == UPSTREAM_TIMEOUTS
    assert Route("/x/", "x", [], connect_timeout=1, read_timeout=2).timeouts == (
        labkit.Timeouts(connect=1, read=2)
    )
    with pytest.raises(labkit.UnknownName, match="connect_timeout, read_timeout"):
        UPSTREAM_TIMEOUTS["read"]
    with pytest.raises(labkit.BadArgument, match=r"read_timeout must be between 0\.01 and 60"):
        Route("/x/", "x", [], connect_timeout=1, read_timeout=0)


def test_the_labs_loop_waits_less_than_a_millisecond_when_asked_to() -> None:
    """The lab's loop keeps a timeout's part under a millisecond: epoll alone counts whole
    milliseconds and ``selectors`` rounds up, so a timer due in 0.4 ms waited a full
    millisecond, and a 504 came up to 1 ms after its read timeout."""
    waits: list[float] = []
    # a busy host may delay any one wake-up: until one is on time, at most 50 tries (a
    # selector that rounds up to 1 ms never is); a new selector each time, as one that woke
    # late leaves that time out of the loop's clock by not sleeping the next wait (CatchUpLoop)
    while len(waits) < 50 and not (waits and 0.0004 <= min(waits) < 0.001):
        selector = deadline.PreciseEpollSelector()
        try:
            start = time.monotonic()
            assert selector.select(0.0004) == []
            waits.append(time.monotonic() - start)
        finally:
            selector.close()
    assert 0.0004 <= min(waits) < 0.001, waits


def test_a_ready_socket_wakes_the_labs_loop_inside_a_timers_last_millisecond() -> None:
    """While the loop waits for a timer less than a millisecond away, a socket that is ready
    is still served first, as in any other wait."""
    loop = deadline.new_loop()
    a, b = socket.socketpair()
    try:
        order: list[str] = []

        async def race() -> None:
            done = loop.create_future()
            loop.call_later(0.0009, lambda: (order.append("timer"), done.set_result(None)))
            loop.add_reader(a.fileno(), lambda: (order.append("socket"), a.recv(16)))
            b.send(b"x")
            await done

        loop.run_until_complete(race())
        assert order[:2] == ["socket", "timer"]
    finally:
        loop.remove_reader(a.fileno())
        a.close()
        b.close()
        loop.close()


def test_exchange_waits_for_hops_still_working_after_the_client_gave_up(lab) -> None:
    """Lesson 05's budget: the client leaves at 0.2 s; the gateway answers 504 at 0.3 s and
    the origin 200 at 0.5 s. exchange(wait=) returns once both have answered, not by a sleep."""
    lab.gateway.route("/").read_timeout = 0.3
    budget = lab.get("/slow?delay=0.5", timeout=0.2)
    assert budget.status is None
    story = lab.exchange(budget.id, wait=2)
    assert (story.hop("gateway").status, story.hop("origin").status) == (504, 200)


class _LateReader:
    """The client's network backend, whose first read starts ``late`` seconds after the
    request went out: the learner's kernel thread kept off the CPU, as on a loaded host.
    The sockets and the lab's servers stay real; only the client's turn comes late."""

    def __init__(self, late: float) -> None:
        import httpcore

        self.backend = httpcore.SyncBackend()
        self.late = late

    def connect_tcp(self, *args: object, **kwargs: object) -> object:
        stream = self.backend.connect_tcp(*args, **kwargs)  # type: ignore[arg-type]
        late, read = self.late, stream.read

        def read_late(max_bytes: int, timeout: float | None = None) -> bytes:
            nonlocal late
            time.sleep(late)
            late = 0.0
            return read(max_bytes, timeout)

        stream.read = read_late  # type: ignore[method-assign]
        return stream

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def test_a_client_kept_off_the_cpu_past_its_timeout_still_gave_up(lab) -> None:
    """The budget's outcome is the lab's record, not the scheduler's: the gateway's 504 was
    due at 0.3 s, after the client's 0.2 s, so the client had given up, even when its thread
    first reads after 0.15 s and so finds the 504 already there."""
    import httpx

    lab.gateway.route("/").read_timeout = 0.3
    transport = httpx.HTTPTransport()
    transport._pool._network_backend = _LateReader(0.15)  # type: ignore[assignment]
    lab._http().close()  # the lab's own client, replaced by one whose reads come late
    lab._client = httpx.Client(transport=transport, trust_env=False)
    budget = lab.get("/slow?delay=0.5", timeout=0.2)
    assert (budget.status, budget.client_error) == (None, "ReadTimeout: timed out")
    assert budget.observed().took == "no answer (the client gave up after 0.2 s)"
    fast = lab.get("/orders/7", timeout=0.2)  # an answer due before the timeout is read late
    assert fast.status == 200


@pytest.fixture
def loop_away_after_the_forward(lab, monkeypatch: pytest.MonkeyPatch):
    """The lab's loop is away (off the CPU, as on a loaded host: a callback that blocks)
    for AWAY seconds right after the gateway wrote its request to the upstream, so nothing
    the lab does reaches the client until the client's 0.4 s timeout has run out."""
    from labkit.http import upstream

    exchange = upstream.Connection.exchange

    async def away(self: upstream.Connection, *args: object, **kwargs: object) -> object:
        sent = kwargs.get("sent")

        def then() -> None:
            self.loop.call_soon(time.sleep, AWAY)
            if callable(sent):
                sent()

        kwargs["sent"] = then
        return await exchange(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(upstream.Connection, "exchange", away)
    return lab


AWAY = 0.6  # longer than the client's 0.4 s timeout


@pytest.mark.parametrize(  # 1.2 s each: the answer due before the client's timeout is quick
    ("read_timeout", "seen"),
    [
        (0.3, (504, None)),
        pytest.param(0.5, (None, "ReadTimeout: timed out"), marks=pytest.mark.slow),
    ],
    ids=["due-before", "due-after"],
)
def test_an_answer_due_before_the_clients_timeout_is_the_answer_however_late_the_lab_was(
    loop_away_after_the_forward, read_timeout: float, seen: tuple[object, object]
) -> None:
    """Lesson 05's budget with a client that leaves at 0.4 s: the gateway's 504 is due at
    0.3 s, before it, so the client gets the 504, as on an idle machine, though the lab's
    loop was away until after 0.4 s and wrote it late. Before: (None, 'ReadTimeout: timed
    out'), every time (and 15 runs in 20 at nice 19 beside two busy loops, without the
    stall). A 504 due at 0.5 s stays the client's timeout."""
    lab = loop_away_after_the_forward
    lab.gateway.route("/").read_timeout = read_timeout
    for _ in range(2):
        budget = lab.get("/slow?delay=0.8", timeout=0.4)
        assert (budget.status, budget.client_error) == seen, budget
    if budget.status is None:
        assert budget.observed().took == "no answer (the client gave up after 0.4 s)"
        return
    assert budget.observed().took == "answered after 0.3 s"
    assert budget.generated_by == "gateway"
    assert budget.body.startswith(b"504 Gateway Timeout\n"), budget.body[:80]
    assert budget.header("Content-Length") == str(len(budget.body))
    assert budget.header("X-Request-ID") == budget.id


def test_exchange_refuses_a_wait_that_is_not_a_number_of_seconds(lab) -> None:
    budget = lab.get("/orders/7")
    with pytest.raises(labkit.BadArgument, match="wait"):
        lab.exchange(budget.id, wait=-1)


def test_a_504_page_is_made_once_and_says_the_timeout_that_applied(lab: labkit.Lab) -> None:
    """The gateway's page for a failure is made once per failure, language and form (its
    504 goes out as soon as the timer fires); every 504 still says what was observed, in
    the language asked for, and a changed read timeout is a new observation."""
    lab.upstreams["slow"].delay = 0.5
    route = lab.gateway.route("slow")
    route.read_timeout = 0.1
    zh = {"Accept-Language": "zh-CN"}
    first, again, chinese = (lab.get("/up/slow/", headers=h) for h in ({}, {}, zh))
    assert [ex.status for ex in (first, again, chinese)] == [504, 504, 504]
    assert first.body == again.body and "read timeout of 0.1 s" in first.text
    assert chinese.body != first.body and "0.1" in chinese.text
    assert chinese.header("content-language") == "zh-CN"
    proxy_status = first.header("proxy-status")
    assert proxy_status == again.header("proxy-status") == chinese.header("proxy-status")
    assert first.header("x-request-id") != again.header("x-request-id")
    route.read_timeout = 0.2
    later = lab.get("/up/slow/")
    assert later.status == 504 and "read timeout of 0.2 s" in later.text
    assert "0.2 s" in later.header("proxy-status")


@pytest.mark.slow  # the loop away 1 s on purpose
def test_the_wait_for_a_late_answer_counts_the_labs_own_time_not_the_machines(
    loop_away_after_the_forward, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wait for an answer due before the client's timeout is bounded by the time the
    lab's loop had (``deadline.progress``), not by the machine's clock: a loop kept from
    running past the bound (here away 1.0 s, the bound made 0.5 s) still gives its 504, due
    at 0.3 s, as the client's answer. Before: the wait ended 0.5 s after the client gave up
    by the machine's clock, while the loop had not run since the forward: a client timeout."""
    monkeypatch.setattr(deadline, "MAX_LAG", 0.5)
    monkeypatch.setitem(globals(), "AWAY", 1.0)
    lab = loop_away_after_the_forward
    lab.gateway.route("/").read_timeout = 0.3
    budget = lab.get("/slow?delay=0.8", timeout=0.4)
    assert (budget.status, budget.client_error) == (504, None), budget
    assert budget.observed().took == "answered after 0.3 s"


@pytest.mark.slow  # the loop away 1 s: 2 s (one-line Interrupted: test_widgets_learner)
def test_an_interrupt_while_the_lab_is_asked_for_a_late_answer_is_one_line(
    loop_away_after_the_forward, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kernel > Interrupt after the client gave up, while the lab is asked whether its answer
    was due in time (the loop away 1.0 s, the client's timeout 0.4 s), is the lab's one-line
    Interrupted, as during the request itself. Before: the bare KeyboardInterrupt of the
    recorder's wait, a traceback through threading."""
    import ctypes
    import threading

    from labkit.errors import Interrupted

    monkeypatch.setitem(globals(), "AWAY", 1.0)
    lab = loop_away_after_the_forward
    lab.gateway.route("/").read_timeout = 0.3
    # Kernel > Interrupt's KeyboardInterrupt, raised in this thread (under xdist, not the
    # process's main thread, which is where _thread.interrupt_main would raise it)
    here = ctypes.c_ulong(threading.get_ident())
    interrupt = ctypes.py_object(KeyboardInterrupt)
    stop = threading.Timer(0.7, ctypes.pythonapi.PyThreadState_SetAsyncExc, (here, interrupt))
    stop.start()
    try:
        with pytest.raises(KeyboardInterrupt) as info:
            lab.get("/slow?delay=0.8", timeout=0.4)
    finally:
        stop.cancel()
    assert isinstance(info.value, Interrupted), repr(info.value)
    assert "before its answer came" in str(info.value)
    assert lab.get("/orders/7").status == 200  # the lab still runs
