"""A starved process does not turn an upstream's answer into a timeout (labkit/http/deadline.py).

On a loaded classroom host the lab's process can be off the CPU for longer than the gateway's
0.2 s connect or 0.3 s read timeout; when it runs again, the timer and the upstream's answer
are due together. These upstreams freeze the lab's event loop (``time.sleep`` on the loop
thread: nothing in the process runs, just as when the host is busy) and then answer, so the
timer is overdue when the answer arrives: deterministic, on real sockets.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

import labkit
from labkit import faults
from labkit.conditions import Condition
from labkit.errors import LabkitError
from labkit.faults import Connection, Fault
from labkit.http import deadline, server, upstream
from labkit.http.deadline import STARVED
from labkit.lab import UPSTREAM_TIMEOUTS, on_lab_loop
from labkit.recorder import Kind, Step

FROZEN = UPSTREAM_TIMEOUTS.read + 0.3  # the loop is away longer than the read timeout
GARBAGE = b"SSH-2.0-OpenSSH_9.2\r\n"


class Frozen(Fault):
    """Reads the request, freezes the whole loop, then sends ``reply`` at once."""

    freeze = FROZEN

    async def serve(self, conn: Connection) -> None:
        rid = await conn.request()
        time.sleep(self.freeze)
        await conn.answer(rid, self.reply, self.description)


class FrozenThenSlow(Fault):
    """Freezes the loop, then really is slow: it answers a second later."""

    async def serve(self, conn: Connection) -> None:
        rid = await conn.request()
        time.sleep(FROZEN)
        await asyncio.sleep(1.0)
        await conn.answer(rid, self.reply, self.description)


class FrozenPastItsAnswer(Fault):
    """Answers at once after the read timeout, but the loop is frozen from just before the
    gateway's deadline until after that answer was due: both timers are overdue together."""

    async def serve(self, conn: Connection) -> None:
        rid = await conn.request()
        read = UPSTREAM_TIMEOUTS.read
        asyncio.get_running_loop().call_later(read - 0.05, time.sleep, 0.2)
        await asyncio.sleep(read + 0.05)
        await conn.answer(rid, self.reply, self.description)


@pytest.fixture
def frozen_lab(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(
        faults.FAULTS,
        "frozen",
        Frozen("frozen", Condition.INVALID_STATUS_LINE, "freezes the loop, then garbage", GARBAGE),
    )
    monkeypatch.setitem(
        faults.FAULTS,
        "frozen-slow",
        FrozenThenSlow("frozen-slow", Condition.READ_TIMEOUT, "freezes, then slow", GARBAGE),
    )
    monkeypatch.setitem(
        faults.FAULTS,
        "frozen-past",
        FrozenPastItsAnswer(
            "frozen-past", Condition.READ_TIMEOUT, "due after the deadline, frozen", GARBAGE
        ),
    )
    with labkit.start() as lab:
        yield lab


# long after the deadline (graces), and just after it (the one look at what arrived)
# the long freeze is slow; the one just after the deadline is in the quick tier
@pytest.mark.parametrize(
    "freeze", [pytest.param(FROZEN, marks=pytest.mark.slow), UPSTREAM_TIMEOUTS.read + 0.003]
)
def test_an_answer_that_waited_on_a_starved_loop_is_still_the_answer(
    frozen_lab, monkeypatch: pytest.MonkeyPatch, freeze: float
) -> None:
    monkeypatch.setattr(Frozen, "freeze", freeze)
    for _ in range(3):
        ex = frozen_lab.get("/up/frozen/")
        assert ex.status == 502, ex
        failed = [
            e.attempt
            for e in frozen_lab.recorder.events(ex.id)
            if e.kind is Kind.UPSTREAM and e.attempt and e.attempt.step is Step.FAILED
        ]
        assert [a.condition for a in failed] == [Condition.INVALID_STATUS_LINE]


def test_an_upstream_that_is_slow_after_the_freeze_still_times_out(frozen_lab) -> None:
    """The grace is short: the 504 comes before the upstream's answer, a second after the
    freeze (its garbage would be a 502), and the gateway records its read timeout. Not
    timed by the wall's clock: at nice 19 beside two busy loops the 504 came 1.8 s after
    the request, the machine's delay, not the grace's."""
    ex = frozen_lab.get("/up/frozen-slow/")
    assert ex.status == 504, ex
    failed = [
        e.attempt.condition
        for e in frozen_lab.recorder.events(ex.id)
        if e.kind is Kind.UPSTREAM and e.attempt and e.attempt.step is Step.FAILED
    ]
    assert failed == [Condition.READ_TIMEOUT], failed


@pytest.mark.slow  # a freeze and a read timeout: 1.4 s of waiting
def test_an_answer_due_after_the_deadline_does_not_win_on_a_starved_loop(frozen_lab) -> None:
    """The grace is for what already arrived: an answer the upstream was to send after the
    deadline is a timeout, however late the starved loop saw the timer (lesson 504 q2: a
    0.3 s read timeout in front of a 0.4 s upstream gave 200 in 2 checks of 20 under load)."""
    for _ in range(3):
        ex = frozen_lab.get("/up/frozen-past/")
        assert ex.status == 504, ex


STALL = UPSTREAM_TIMEOUTS.read + 0.1  # longer than the read timeout


@pytest.fixture
def stalled_after_each_write(lab, monkeypatch: pytest.MonkeyPatch):
    """The loop blocks for STALL right after the gateway wrote its request to the upstream,
    before the upstream has had a turn to read it: the read timer is overdue when the loop
    runs again, and the upstream's read, its answer and the gateway's read are all still to
    come (each a turn of the loop, or a timer of its own)."""
    exchange = upstream.Connection.exchange

    async def stalled(self: upstream.Connection, *args: object, **kwargs: object) -> object:
        sent = kwargs.get("sent")

        def then() -> None:
            self.loop.call_soon(time.sleep, STALL)
            if callable(sent):
                sent()

        kwargs["sent"] = then
        return await exchange(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(upstream.Connection, "exchange", stalled)
    return lab


@pytest.mark.slow  # a stall and a read timeout: 1.3 s
def test_a_stall_before_the_upstream_read_the_request_changes_no_status(
    stalled_after_each_write,
) -> None:
    """The upstream shares the loop: after a stall it has not yet read the request when the
    gateway's timer is overdue. Its answer still decides (the loop's clock leaves the stall
    out, deadline.CatchUpLoop): garbage is a 502, a body cut short a 200, an upstream 0.1 s
    slow behind a 0.3 s read timeout a 200. Before: 504 for each, every time."""
    lab = stalled_after_each_write
    lab.upstreams["slow"].delay = UPSTREAM_TIMEOUTS.read / 3
    for path, status in [("/up/garbage/", 502), ("/up/body-cut/", 200), ("/up/slow/", 200)]:
        ex = lab.get(path)
        assert ex.status == status, (path, ex)


@pytest.mark.slow  # two stalls and a real timeout
def test_a_stall_does_not_save_an_upstream_slower_than_the_read_timeout(
    stalled_after_each_write,
) -> None:
    """Lesson 504's 0.4 s upstream behind a 0.3 s read timeout: the stall left out, its
    answer is still due after the deadline, so the gateway's timer fires first: 504."""
    lab = stalled_after_each_write
    lab.upstreams["slow"].delay = UPSTREAM_TIMEOUTS.read + 0.1
    for _ in range(2):
        assert lab.get("/up/slow/").status == 504


@pytest.fixture
def starved_before_the_deadline_was_read(lab, monkeypatch: pytest.MonkeyPatch):
    """The process is away (off the CPU, as on a busy host) after the gateway wrote its
    request to the upstream and before it reads the loop's clock for its read timeout, in
    the same turn of the loop: the deadline counts from after the stall, and the upstream
    starts to wait only in a later turn."""
    exchange = upstream.Connection.exchange

    async def starved(self: upstream.Connection, *args: object, **kwargs: object) -> object:
        sent = kwargs.get("sent")

        def then() -> None:
            time.sleep(STALL)
            if callable(sent):
                sent()

        kwargs["sent"] = then
        return await exchange(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(upstream.Connection, "exchange", starved)
    return lab


@pytest.mark.parametrize(  # 1 s each: the answer due before the deadline in the quick tier
    ("late", "status"),
    [pytest.param(0.05, 504, marks=pytest.mark.slow), (-0.05, 200)],
    ids=["due-after", "due-before"],
)
def test_a_stall_inside_a_turn_does_not_move_an_answer_across_the_deadline(
    starved_before_the_deadline_was_read, late: float, status: int
) -> None:
    """An upstream answering 0.05 s after the read timeout is a 504, one answering 0.05 s
    before it a 200, though the process was away inside the turn that began the timeout.
    Before, the loop's clock counted the stall while that turn read it (the gateway's
    deadline) and left it out afterwards (the upstream's sleep, begun later, counted from
    a clock set back by the stall): the answer due after the deadline came before it,
    a 200 in place of the 504, every time; at nice 19 beside two busy loops a host's
    scheduler does the same now and then (a 502 from lesson 502's garbage upstream)."""
    lab = starved_before_the_deadline_was_read
    lab.upstreams["slow"].delay = UPSTREAM_TIMEOUTS.read + late
    for _ in range(2):
        ex = lab.get("/up/slow/")
        assert ex.status == status, ex


class StarvedAnswer(Fault):
    """Answers ``early`` seconds before the gateway's read timeout; the process is away
    (off the CPU, as at nice 19 beside busy loops) for a while in each of the turns that
    carry the answer to the gateway."""

    early = 0.015

    async def serve(self, conn: Connection) -> None:
        rid = await conn.request()
        loop = asyncio.get_running_loop()

        def away(turns: int) -> None:
            time.sleep(STARVED * 3)
            if turns > 1:
                loop.call_soon(away, turns - 1)

        answer_in = UPSTREAM_TIMEOUTS.read - self.early
        loop.call_later(answer_in - 0.001, away, 8)  # from just before the answer is due
        await asyncio.sleep(answer_in)
        await conn.answer(rid, self.reply, self.description)


@pytest.mark.slow  # stalls beside a timeout: 1 s
def test_turns_the_process_was_away_in_do_not_count_against_an_answer_due_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An answer due 15 ms before the read timeout, carried to the gateway by turns in each
    of which the process was away: its garbage is read (502). Before, the loop's clock
    counted STARVED (10 ms) of each such turn, so two of them put the answer after the
    deadline: a 504, every time (at nice 19 beside two busy loops, 1 in 20 of lesson 504's
    answers due 0.05 s before the timeout was a 504: each turn on its way counted 10 ms)."""
    monkeypatch.setitem(
        faults.FAULTS,
        "starved-answer",
        StarvedAnswer("starved-answer", Condition.READ_TIMEOUT, "early, then starved", GARBAGE),
    )
    with labkit.start() as lab:
        for _ in range(2):
            ex = lab.get("/up/starved-answer/")
            assert ex.status == 502, ex  # its garbage, read before the deadline


# -- a request's head that arrived while the process was away is not late (the origin's and
# the gateway's own head deadlines are on the loop's clock, as their timers are) --

HEAD_TIMEOUT = 0.3
AWAY = 0.6  # the loop is away twice the head timeout


@pytest.mark.parametrize("hop", ["origin", "gateway"])
def test_a_head_that_arrived_while_the_loop_was_away_is_answered(hop: str) -> None:
    """First line, then the loop is away (a busy host) for twice the head timeout while the
    rest of the head arrives in two pieces: on the machine's clock the head was complete
    only after its timeout, but the client sent every piece in time, so the answer is 200.

    Every piece is sent from the loop's thread, the rest while it is away, so they arrive
    when the loop's turns say, not whenever the test's own thread gets a CPU: sent from that
    thread, at nice 19 beside two busy loops the 'Host' line went out 0.35 s to 0.66 s after
    the first line (3 runs of 12), past the head timeout by every clock, and the 408 was the
    right answer to a late client. The loop is away 0.05 s after the first line by its own
    clock, which never runs ahead of the machine's: the head's deadline is running, not past."""
    with labkit.start() as lab:
        server = getattr(lab, hop)
        server.head_timeout = HEAD_TIMEOUT
        # the loop's clock leaves out turns the process was away, up to deadline.MAX_LAG: at
        # nice 19 beside two busy loops the 0.05 s below lasted over 3 s by the machine's clock
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:

            def away() -> None:
                sock.sendall(b"Host: lab\r\n")
                time.sleep(AWAY / 2)
                sock.sendall(b"\r\n")
                time.sleep(AWAY / 2)

            def first_line() -> None:
                sock.sendall(b"GET / HTTP/1.1\r\n")
                asyncio.get_running_loop().call_later(0.05, away)  # once the server has it

            on_lab_loop(lab, first_line)
            reply = sock.recv(65536)
    assert reply.split(b"\r\n", 1)[0] == b"HTTP/1.1 200 OK", reply[:200]


@pytest.mark.parametrize(  # a whole head timeout each: the origin's in the quick tier
    "hop", ["origin", pytest.param("gateway", marks=pytest.mark.slow)]
)
def test_a_head_begun_after_the_loop_was_away_still_gets_its_whole_head_timeout(hop: str) -> None:
    """The loop is away (a busy host) for twice the head timeout; a client connects and sends
    half a head while it is away. The head's deadline starts once the server has read those
    bytes, after the loop is back: the 408 comes a whole head timeout after that, by the
    machine's clock too. Before, the deadline counted on the loop's clock, which then caught
    up on the time it had left out: the 408 came at once (0.0 s of its 0.3 s), as the lab's
    catch-up loop measured on a shared host."""
    with labkit.start() as lab:
        server = getattr(lab, hop)
        server.head_timeout = HEAD_TIMEOUT
        # no blank line: never whole
        reply, waited = _sent_while_away(lab, server.port, b"GET / HTTP/1.1\r\nHost: lab\r\n")
    assert reply.split(b"\r\n", 1)[0] == b"HTTP/1.1 408 Request Timeout", reply[:200]
    assert waited >= HEAD_TIMEOUT, waited


@pytest.mark.parametrize(  # a timeout each: the read timeout's in the quick tier
    "upstream_name", ["slow", pytest.param("blackhole", marks=pytest.mark.slow)]
)
def test_a_504_never_reaches_a_client_before_the_timeout_it_names(upstream_name: str) -> None:
    """The loop is away (a busy host) while a client sends a request to an upstream that is
    too slow (or never accepts). Back, the gateway forwards it; its read (or connect) timer
    begins while the loop's clock catches up on the time it left out, and fired early by the
    machine's clock: the 504 'within the read timeout of 0.3 s' came at once, 0.0 s after the
    loop was back (lesson 502's comparison: a 504 after a 1.1 s read timeout came 1.073 s
    after the client's request). The outcome is still the loop's to decide; the 504 is now
    told no earlier than the timeout lasted by the machine's clock, so a client never reads
    it before the time it names."""
    with labkit.start() as lab:
        route = lab.gateway.route(upstream_name)
        named = route.read_timeout if upstream_name == "slow" else route.connect_timeout
        lab.upstreams["slow"].delay = route.read_timeout + 2
        request = f"GET /up/{upstream_name}/ HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n"
        reply, waited = _sent_while_away(lab, lab.gateway.port, request.encode())
    assert reply.split(b"\r\n", 1)[0] == b"HTTP/1.1 504 Gateway Timeout", reply[:200]
    assert f"{named:g} s".encode() in reply, reply
    assert waited >= named, (waited, named)


@pytest.mark.slow  # a stall, then a read timeout: 1 s
def test_an_upstream_slower_than_the_read_timeout_still_times_out_after_a_stall() -> None:
    """Lesson 504's slow upstream (0.1 s past the read timeout) behind a request sent while
    the loop is away: the gateway's read timer and the upstream's sleep both begin while the
    loop's clock catches up, and keep their order: 504. The 504 is held until the timeout has
    lasted by the machine's clock (``told_after``); the decision is not: a read timer kept by
    the machine's clock itself (``machine_deadline``, as a server's head timeout is) let the
    upstream's sleep, early by that clock as much, win: 200 in 3 of 3, stalls of 0.4 to 1 s."""
    with labkit.start() as lab:
        lab.upstreams["slow"].delay = UPSTREAM_TIMEOUTS.read + 0.1
        request = b"GET /up/slow/ HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n"
        reply, waited = _sent_while_away(lab, lab.gateway.port, request)
    assert reply.split(b"\r\n", 1)[0] == b"HTTP/1.1 504 Gateway Timeout", reply[:200]
    assert waited >= UPSTREAM_TIMEOUTS.read, waited


def _sent_while_away(lab: labkit.Lab, port: int, data: bytes) -> tuple[bytes, float]:
    """Send ``data`` to ``port`` while the lab's loop is away for AWAY seconds; what came
    back until the lab closed the connection, and how long after the loop was back the
    close came (nothing was read, forwarded or timed before that)."""
    back: list[float] = []

    def away() -> None:
        time.sleep(AWAY)
        back.append(time.monotonic())

    stall = threading.Thread(target=on_lab_loop, args=(lab, away))
    stall.start()
    time.sleep(0.05)  # the loop is away
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(data)
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
        answered = time.monotonic()
    stall.join(5)
    return reply, answered - back[0]


@pytest.mark.slow
def test_a_switch_waits_out_the_time_the_machine_kept_the_loop_waiting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A switch waits SWITCH_SECONDS for the lab's loop, plus what the loop's thread waited,
    ready to run, for a CPU the machine gave to others (deadline.waited_for_a_cpu): with the
    kernel niced to 19 beside two busy loops, capstone incident 5's stop was refused ("the
    lab's loop did not take the switch within 2 s ... it was applied late") though nothing
    held the loop. A thread cannot be kept off a CPU on demand, so here the loop is held a
    little past SWITCH_SECONDS and its thread's run delay reads that it waited all that time:
    the switch is applied (before: refused). Held without waiting for a CPU (blocked on a lock:
    its real run delay does not grow), it is refused at SWITCH_SECONDS as before."""
    with labkit.start() as lab:
        loop = on_lab_loop(lab, asyncio.get_running_loop)
        assert deadline.waited_for_a_cpu(loop) is not None  # this thread's schedstat
        release = threading.Event()
        _hold_the_loop(lab, release)
        start = time.monotonic()
        with pytest.raises(LabkitError, match="did not take the switch within 2 s"):
            lab.origin.maintenance(retry_after=5)
        assert time.monotonic() - start < server.SWITCH_SECONDS + 1
        release.set()
        lab.origin.maintenance(False)  # what the refused switch left, put back
        assert lab.get("/orders/7", via="origin").status == 200

        _hold_the_loop(lab, threading.Event(), server.SWITCH_SECONDS + 0.5)
        began = time.monotonic()
        monkeypatch.setattr(server, "waited_for_a_cpu", lambda loop: time.monotonic() - began)
        lab.origin.maintenance(retry_after=5)
        assert time.monotonic() - began >= server.SWITCH_SECONDS
        ex = lab.get("/orders/7", via="origin")
        assert (ex.status, ex.header("Retry-After")) == (503, "5")


def _hold_the_loop(lab: labkit.Lab, release: threading.Event, most: float = 30.0) -> None:
    """Hold the lab's loop from another thread (a callback that blocks, as a handler that
    never awaits does) until ``release`` is set or ``most`` seconds passed; return once held."""
    holding = threading.Event()

    def hold() -> None:
        holding.set()
        release.wait(most)

    def holder() -> None:
        try:
            on_lab_loop(lab, hold)
        except LabkitError:  # the holder's own switch is refused too: it held the loop
            pass

    threading.Thread(target=holder, daemon=True).start()
    assert holding.wait(5)


# A process that keeps one core from every ordinary thread for a while: real-time (SCHED_FIFO)
# on that core, it runs whenever it is ready. Told to go, it waits ``HOG_PAUSE`` (the loop
# meanwhile goes to sleep on its socket), sends a byte, which wakes the loop's thread, and
# then spins: the loop's thread is ready to run and kept waiting for the core.
HOG = """
import os, socket, sys, time
core, go, sock = (int(a) for a in sys.argv[1:4])
spin, pause = float(sys.argv[4]), float(sys.argv[5])
os.sched_setaffinity(0, {core})
try:
    os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(1))
except PermissionError:  # root without CAP_SYS_NICE (a container's)
    print("refused", flush=True)
    sys.exit(0)
print("ready", flush=True)
os.read(go, 1)
time.sleep(pause)
socket.socket(fileno=sock).send(b"x")
ends = time.monotonic() + spin
while time.monotonic() < ends:
    pass
"""
HOG_PAUSE = 0.05
KEPT = 0.6  # the seconds the loop's thread then waits for its core


class _PlayedWait:
    """Where no real-time scheduling is allowed, the hog's part played: once ``armed``, the
    lab's selector (its ``select.select``, deadline.select), about to sleep, finds the hog's
    byte ready on the socket, and then sleeps KEPT, which the loop's run delay
    (CatchUpLoop.run_delay: the kernel's, plus what was played) counts as a wait for a CPU,
    as a thread woken and then kept from its core sees it. Nothing unprivileged keeps a woken
    thread from a CPU for a set time: at nice 19 beside a busy loop on its core, the wait
    after a socket woke it was 0.0-1.1 s (12 tries, Linux 6.18, load 12), and with
    SCHED_IDLE this test never failed with that wait left uncounted. Played, it does (the
    client's timer first): the selector's part is proved, not the kernel's count."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, hog_end: socket.socket) -> None:
        import select as real

        self.armed = False
        self.played = 0.0
        self._select = real.select
        self._hog_end = hog_end
        kernels = deadline.CatchUpLoop.run_delay
        monkeypatch.setattr(deadline, "select", self)
        monkeypatch.setattr(
            deadline.CatchUpLoop, "run_delay", lambda loop: (kernels(loop) or 0.0) + self.played
        )

    def select(self, *args: Any) -> Any:
        if not self.armed:
            return self._select(*args)
        self.armed = False
        self._hog_end.send(b"x")
        ready = self._select(*args)
        time.sleep(KEPT)
        self.played += KEPT
        return ready


@pytest.mark.serial  # one core given to a real-time spinner for KEPT seconds
def test_a_wait_for_a_cpu_after_a_socket_woke_the_loop_is_not_the_loops_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The lab's loop sleeps on a socket (the gateway's connect to the origin, waiting for it
    to be writable); the socket wakes it, and its thread then waits KEPT seconds for a CPU.
    On a loaded host that wait was counted as the loop's own time: a read timeout started
    after it (0.3 s) then fell after a client's timeout started before it (0.5 s), and the
    client gave up before the gateway's 504 (lesson 05's outcome, changed by the machine's
    load). Left out of the loop's clock, as a turn or an oversleep the process was away in
    is, the timers fire in the order they would have without the wait (before: the client's
    first). Without real-time scheduling (CAP_SYS_NICE or RLIMIT_RTPRIO) the wait is played
    (``_PlayedWait``): the selector's part is still proved, not the kernel's run delay."""
    core = max(os.sched_getaffinity(0))
    mine, theirs = socket.socketpair()
    go_r, go_w = os.pipe()
    hog = subprocess.Popen(
        [sys.executable, "-c", HOG, *map(str, (core, go_r, theirs.fileno(), KEPT, HOG_PAUSE))],
        pass_fds=(go_r, theirs.fileno()),
        stdout=subprocess.PIPE,
        text=True,
    )
    order: list[str] = []
    played: list[_PlayedWait] = []

    async def wait_for_the_socket() -> None:
        loop = asyncio.get_running_loop()
        reader, writer = await asyncio.open_connection(sock=mine)
        loop.call_at(loop.time() + HOG_PAUSE + 0.45, order.append, "the client gave up")
        for wait in played:
            wait.armed = True
        os.write(go_w, b"g")
        await reader.read(1)  # woken HOG_PAUSE later, then kept from the CPU
        loop.call_later(0.3, order.append, "the read timed out")
        await asyncio.sleep(0.6)
        writer.close()

    def on_its_core() -> None:
        os.sched_setaffinity(threading.get_native_id(), {core})
        loop = deadline.new_loop()
        try:
            loop.run_until_complete(wait_for_the_socket())
        finally:
            loop.close()

    try:
        assert hog.stdout is not None
        said = hog.stdout.readline()
        if said == "refused\n":  # the hog's part played: its byte, then the wait
            played.append(_PlayedWait(monkeypatch, theirs))
        else:
            assert said == "ready\n", hog.returncode
        thread = threading.Thread(target=on_its_core)
        thread.start()
        thread.join(10)
    finally:
        hog.kill()
        hog.wait()
        theirs.close()
        os.close(go_r)
        os.close(go_w)
    assert order == ["the read timed out", "the client gave up"]
