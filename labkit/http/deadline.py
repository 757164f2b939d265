"""Awaiting with a time limit that a starved process does not turn into a false timeout.

Two things are decided here. First, no extra task: ``asyncio.wait_for`` runs the awaitable
in a task of its own, and on Python 3.11 a cancel that lands as that inner task finishes can
be lost, so a stopping lab waits for a read that nobody will answer; ``asyncio.timeout_at``
cancels the current task itself (on 3.10 we fall back to ``wait_for``).

Second, fairness under load. The lab's servers share one event loop, so on a loaded host (a
classroom's JupyterHub) the whole process can be off the CPU, or stopped, for longer than a
0.2 s connect or 0.3 s read timeout. When it runs again, the gateway's timer is overdue while
its upstream, on the same loop, has not yet had its turns: to accept the connection, read
the request, answer. Left to the timer, a garbage upstream's 502 becomes a 504 because the
machine was busy, not because anything was slow (lesson 502's comparison with the process
stopped for up to 0.8 s: a garbage row 502 -> 504, a body cut short 200 -> 504). nginx handles ready events before it
expires timers; here the upstream's work takes several turns, so that is not enough. The
lab's loop (``CatchUpLoop``) keeps a clock that leaves out the time the process was away:
after a stall every ready socket, and every task it wakes, runs before a timer that was
due after the moment the process stopped, and the timers then fire in their order, each
after the work the one before it started. An upstream that really is slow (it sleeps past
the deadline: lesson 504's 0.4 s upstream behind a 0.3 s read timeout) still times out,
and on time the loop's clock is the machine's.

What the clock cannot see is a peer in another process (a learner's client, a real
nginx) whose bytes came while the process was stopped: those arrive at the same turn as
the overdue timer. For them a timer that fires more than ``STARVED`` seconds late gives
the operation a few short ``GRACE`` periods to finish what already arrived (a caller that
can tell passes ``arrived``; with nothing arrived, a late timer is a timeout), and a timer
on time still gets one look at what arrived in the same loop iteration. The graces are
only for what has arrived: given whatever the loop would find next, they let an answer
the upstream was to send after the deadline win (lesson 504's upstream, its 0.4 s a timer
due after the gateway's 0.3 s, was relayed as a 200 in 2 checks of 20 with both cores busy
when the graces were for anything).
"""

from __future__ import annotations

import asyncio
import os
import select
import selectors
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from labkit.http import connections, ports

T = TypeVar("T")

STARVED = 0.01  # a timer this late (seconds; its floor is about 1 ms) means the loop was away
GRACE = 0.02  # seconds given back each time, enough for a few loop iterations
GRACES = 3  # at most this many (a loop still starved after them is truly overloaded)
MAX_LAG = 2.0  # the most the loop's clock leaves out (seconds) before it catches up

_monotonic = time.monotonic
_timeout_at = getattr(asyncio, "timeout_at", None)


def next_chance(deadline: float, tries: int, arrived: bool = True) -> float | None:
    """After a timer due at ``deadline`` fired (``tries`` chances given so far): the new
    deadline, or None to give up.

    A timer more than ``STARVED`` late gets up to ``GRACES`` short graces when something
    arrived; one on time still gets one look at what already arrived (a new deadline of
    now: whatever is buffered is read without waiting, anything else times out in the same
    loop iteration). A caller that knows nothing arrived (``arrived=False``) gets neither:
    the look would only cost two more turns of the loop before the same timeout, and a
    grace would wait for an answer due after the deadline.
    """
    now = asyncio.get_running_loop().time()
    if now - deadline > STARVED and tries <= GRACES and arrived:
        return now + GRACE
    return now if tries == 0 and arrived else None


async def within(
    seconds: float,
    start: Callable[[], Awaitable[T]],
    arrived: Callable[[], bool] | None = None,
    *,
    until: float | None = None,
    loop: asyncio.AbstractEventLoop | None = None,
) -> T:
    """Await ``start()``; raise TimeoutError after ``seconds`` of the loop's time (or at
    ``until`` on the loop's clock, when the time started earlier: a read timeout starts
    when the request was written, not when its reader began to wait).

    ``start`` makes the awaitable (``lambda: reader.read(n)``) because after the timer it is
    awaited again (``next_chance``): it must be safe to cancel and start anew (reads and
    ``drain`` are; wrap anything else in a task and pass ``lambda: asyncio.shield(task)``).
    ``arrived``, when given, says whether anything came that the look after an on-time
    timer would find (see ``next_chance``). ``loop``: the running loop, when the caller
    keeps it (asking asyncio for it makes a system call, getpid, each time).

    The timer is ``asyncio.timeout_at``'s, without its object: a relayed request waits
    three times (the gateway for its client, the origin for the gateway, the gateway for
    the origin), and the context manager cost 4.3 us a wait here, most of it looking up
    the running loop (each look asks the kernel for the process id) and a state machine
    that nothing else reads. The same steps in the same order: the task is cancelled when
    the timer fires (at once when the deadline has passed, as ``reschedule`` does), and a
    cancel that the timer made, and no one else, becomes TimeoutError.

    A deadline made by ``machine_deadline`` (``until``) also holds by the machine's clock:
    when its timer fires before that time, it is set again for what is left (``_expire``).
    """
    if _timeout_at is None:  # pragma: no cover - Python 3.10
        return await asyncio.wait_for(start(), seconds)
    if loop is None:
        loop = asyncio.get_running_loop()
    task = asyncio.current_task(loop)
    assert task is not None
    deadline: float | None = loop.time() + seconds if until is None else until
    tries = 0
    while deadline is not None:
        fired: list[bool] = []  # the timer's mark: the cancel, if any, is this timer's
        # the timer now (``_expire`` sets it again when early by the machine's clock), and
        # the machine's time the wait ends (a grace, a plain float, has none)
        timer: list[asyncio.Handle] = []
        ends = deadline.ends if type(deadline) is MachineDeadline else None
        if deadline <= loop.time():
            timer.append(loop.call_soon(_expire, task, fired, timer, ends))
        else:
            timer.append(loop.call_at(deadline, _expire, task, fired, timer, ends))
        cancelling = task.cancelling()
        try:
            result = await start()
        except asyncio.CancelledError:
            timer[0].cancel()
            if not fired or task.uncancel() > cancelling:
                raise  # someone else's cancel (the lab stopping): not a timeout
            deadline = next_chance(deadline, tries, arrived is None or arrived())
            tries += 1
            continue
        except BaseException:
            timer[0].cancel()
            if fired:
                task.uncancel()
            raise
        timer[0].cancel()
        if fired:
            task.uncancel()
        return result
    raise TimeoutError


def _expire(
    task: asyncio.Task[Any], fired: list[bool], timer: list[asyncio.Handle], ends: float | None
) -> None:
    """A wait's timer fired: mark it as this timer's, and cancel the waiting task; unless
    the wait ends at ``ends`` by the machine's clock and that is still ahead (the loop's
    clock caught up on time it had left out), then the timer is set again for what is left."""
    if ends is not None:
        left = ends - _monotonic()
        if left > 0:
            loop = task.get_loop()
            timer[0] = loop.call_at(loop.time() + left, _expire, task, fired, timer, ends)
            return
    fired.append(True)
    task.cancel()


async def told_after(ends: float) -> None:
    """Wait, if need be, until the machine's clock (time.monotonic()) reaches ``ends``.

    For a timeout decided on the loop's clock that a client in another process will time:
    the gateway's connect and read timeouts toward an in-lab upstream. Their decision stays
    the loop's (their order against the upstream's own timers is the lesson's outcome:
    tests/test_starved.py), but a timer begun while the loop caught up on time it had left
    out fires early by the machine's clock, by the lag left when it began: a 504 'within the
    read timeout of 1.1 s' reached a client 1.073 s after it sent its request. Held here until
    the timeout has lasted as long by the machine's clock too, the 504 never comes before
    the time it names. (``asyncio.sleep`` is on the loop's clock, which may jump while it
    catches up: hence the loop.)"""
    while (left := ends - _monotonic()) > 0:
        await asyncio.sleep(left)


class MachineDeadline(float):
    """A deadline on the loop's clock (this float) that also holds by the machine's clock
    (``ends``, time.monotonic()): made by ``machine_deadline``, kept by ``within``."""

    ends: float


def machine_deadline(loop: asyncio.AbstractEventLoop, seconds: float) -> float:
    """The deadline ``seconds`` from now for a wait that faces another process: the server's
    idle and head timeouts, whose clients (a learner's curl, lab.raw) time the lab with
    the machine's clock.

    Both clocks count. The loop's, as for every timer: after a stall the timer still fires
    after the work that was ready then (and a head that arrived while the process was away
    is read before its deadline: tests/test_starved.py). And the machine's, fixed now:
    a deadline made while the loop catches up on time it left out (``CatchUpLoop``)
    counts from the lagged clock, which then jumps to its timers, so a 0.3 s head timeout
    begun after a 0.5 s stall ran out after 0.0 s and the client got its 408 at once (measured
    on a shared host). Kept across the reads of one head, so that a piece that comes
    after the catch-up does not move it. Waits inside the lab (the gateway's read timeout
    for an in-lab upstream) keep the loop's clock alone: the lab's outcomes depend on their
    order (an upstream's sleep begun during the catch-up must end before an older read
    timeout: test_starved), and their other end is the lab itself."""
    deadline = MachineDeadline(loop.time() + seconds)
    deadline.ends = _monotonic() + seconds
    return deadline


FD_SETSIZE = 1024  # select() takes no descriptor above this


class PreciseEpollSelector(selectors.EpollSelector):
    """An epoll selector whose timeout is kept to the microsecond, not rounded up to a
    millisecond, and which keeps the lab's loop's clock (``CatchUpLoop``): how far it lags
    behind the machine's after the process was away.

    epoll_wait() counts its timeout in whole milliseconds and ``selectors`` rounds it up,
    so a timer whose deadline falls between two milliseconds fires up to 1 ms late (0.5 ms
    on average): a 504 after a 0.2 s read timeout came 0.2 s and about a millisecond after
    the request. Here the wait is one select() on the epoll descriptor itself, whose
    timeout is in microseconds and which wakes as soon as a socket is ready; epoll_wait()
    then only collects what is ready, without waiting. One sleep, as before: a second
    wake-up for the last fraction of a millisecond would be one more chance for a busy
    host to keep the thread waiting.

    A socket is often ready already when the loop comes to wait: the lab's servers share
    the loop, so the gateway's request to the origin (and the origin's answer) is in the
    receiving socket as soon as it is written, two of the three waits of a relayed request.
    So epoll is asked first without waiting (one system call, as a wait with a timeout of 0
    always was); only when nothing is ready does the loop sleep in select(). A wait that
    sleeps makes one call more (0.4 us here), a ready one one call less (select() of the
    epoll descriptor, 1.9 us).

    The clock. The loop calls ``select`` once a turn, so the selector sees how long each
    turn took and how late each sleep woke. A turn that took more than ``STARVED``, or a
    sleep that woke more than ``STARVED`` after its timeout, means the process was away
    (stopped, or off the CPU on a busy host, or a callback that blocked): that time is
    added to ``lag``, and the loop's clock (``time() - lag``) does not count it. So is a
    sleep a ready socket ended whose thread then waited more than ``STARVED`` for a CPU
    (the growth of the thread's schedstat run_delay across the sleep, ``CatchUpLoop``):
    counted as the loop's time, a gateway's connect that waited so moved its read timeout
    past a client's timeout begun before it, and the client gave up before the 504. While the
    loop then has work ready (callbacks, or sockets epoll reports), nothing moves the clock
    on; once nothing is ready, the wait for the next timer is taken out of the lag instead
    of slept (the clock jumps to that timer) until the lag is gone. So after a stall the
    loop does, in the order of its timers, what it would have done without it: every ready
    socket and every task it wakes (an upstream's accept, its read of the request, its
    answer) runs before a timer that was due later, and a timer due before them (an
    upstream that sleeps past the deadline) still fires first.

    The clock is read once a turn, as nginx reads its own once an iteration: everything a
    turn does happens at the turn's start on the loop's clock. Read afresh at each call, it
    counted a stall inside a turn while that turn read it and left the stall out after it:
    the gateway's read timeout, begun after a stall in the turn that wrote the request,
    ended after the sleep of an upstream begun a turn later and due 0.05 s after it, so the
    answer due after the deadline won (a 200 in place of a 504, a garbage upstream's 502,
    at nice 19 beside two busy loops; tests/test_starved.py stalls inside that turn). A turn
    the process was away in counts nothing, not even ``STARVED`` of it: at nice 19 beside
    busy loops nearly every turn is one, and when each counted 10 ms, the few turns that
    carry an answer to the gateway made one due 0.05 s before its deadline a 504 (1 in 20).
    So a loop busy without a pause, each turn away, moves its clock only once the lag
    reaches ``MAX_LAG``.

    The price of one clock for every timer: a timer started during the catch-up counts
    from the lagged clock, and each jump after that brings it nearer, so it can fire early
    in wall-clock time, by at most the lag left when it started (``MAX_LAG`` at most).
    Inside the lab every timer is on this clock, so their order and outcomes hold. A wait
    that faces another process (a server's idle and head timeouts: a learner's client
    times them with its own clock) takes a ``machine_deadline`` too, which ``within`` keeps
    by setting an early timer again for what is left. The gateway's read timeout for an
    in-lab upstream does not: its order against the upstream's own timers is the lesson's
    outcome (tests/test_starved.py); its 504 is held until the timeout has lasted as long
    by the machine's clock (``told_after``), so a client in another process never gets it
    before the time it names. The upstreams of
    labkit/faults.py wait on the loop's clock alone too.
    """

    def __init__(self) -> None:
        super().__init__()
        self.lag = 0.0  # seconds the process was away that the loop's clock leaves out
        self._ran_from: float | None = None  # when the loop's current turn began (monotonic)
        self.now = _monotonic()  # the loop's clock for the current turn (read once a turn)
        # the loop's own time (``progress``): the machine's clock less every turn and sleep
        # it was away, all of it (``lag`` keeps at most MAX_LAG, and gives it back), and that
        # clock as the current turn began
        self.away = 0.0
        self.own = self.now
        # while the loop sleeps with nothing to do: when it began (the machine's clock), its
        # own time then, and the sleep's timeout (None: until a socket is ready)
        self.asleep: tuple[float, float, float | None] | None = None

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        now = _monotonic()
        began = self._ran_from
        if began is not None:
            ran = now - began  # the turn, which the loop's clock has not counted yet
            if ran > STARVED:  # the last turn was away: none of it counts
                self.away += ran
                added = min(ran, MAX_LAG - self.lag)
                if added > 0:
                    self.lag += added
                    ran -= added
            if timeout:  # the loop reckoned it on the clock of the turn's start
                timeout = max(timeout - ran, 0.0)
        self._ran_from = now
        self.now = now - self.lag
        self.own = now - self.away
        ready = super().select(0)
        if ready or timeout == 0:  # work ready (a timeout of 0: callbacks or a timer due)
            return ready
        lag = self.lag
        if lag:  # nothing ready: the clock moves on to the next timer without waiting
            if timeout is None:
                self.lag = 0.0
            elif timeout <= lag:
                self.lag = lag - timeout
                self.now = now - self.lag
                return ready
            else:
                self.lag = 0.0
                timeout -= lag
        fd = self.fileno()
        self.asleep = (now, self.own, timeout)
        waited = self.run_delay()
        if timeout is None or fd >= FD_SETSIZE:  # no timer, or epoll's own wait (a process
            ready = super().select(timeout)  # with a thousand files open)
        else:
            select.select([fd], [], [], timeout)
            ready = super().select(0)
        woke = _monotonic()
        self._ran_from = woke
        # away: past the sleep's timeout, or kept from the CPU after a socket woke it
        late = 0.0 if timeout is None else woke - now - timeout
        if woke - now > STARVED and waited is not None:
            after = self.run_delay()
            if after is not None:
                late = max(late, after - waited)
        if late > STARVED:
            self.lag = min(late, MAX_LAG)
            self.away += late
        self.now = woke - self.lag
        self.asleep = None
        return ready

    def run_delay(self) -> float | None:
        """The seconds the loop's thread has waited, ready to run, for a CPU (``CatchUpLoop``
        tells); None where unknown."""
        return None

    def progress(self) -> float:
        """The loop's own time, as another thread can read it now: the machine's clock less
        every turn and sleep the loop was away (``away``: unlike the loop's clock, which
        leaves out at most ``MAX_LAG`` and then jumps to its timers to catch up), read as the
        current turn began, and while the loop sleeps with nothing to do, plus the time slept
        so far (up to the sleep's timeout: past it, the thread has been woken and waits to
        run). It stands still while the loop's thread is kept from running (off the CPU, or
        waiting for the interpreter another thread holds) and while a turn runs, and moves
        with the machine's clock while the loop sleeps: how much time the loop has had."""
        asleep = self.asleep
        if asleep is None:
            return self.own
        since, clock, timeout = asleep
        slept = _monotonic() - since
        return clock + (slept if timeout is None else min(slept, timeout))


class CatchUpLoop(asyncio.SelectorEventLoop):
    """The lab's event loop: its clock leaves out the time the process was away
    (``PreciseEpollSelector``), so a timer never fires before the work that was ready when
    the process stopped."""

    thread_id: int | None = None  # the kernel's id of the thread running it (waited_for_a_cpu)

    def __init__(self) -> None:
        self._clock = PreciseEpollSelector()
        self._clock.run_delay = self.run_delay  # type: ignore[method-assign]
        super().__init__(self._clock)
        # that thread's schedstat, opened once and read with pread (``run_delay``); the lock
        # keeps a read from meeting the descriptor closed, or its number given to another file
        self._schedstat: int | None = None
        self._schedstat_lock = threading.Lock()

    def run_forever(self) -> None:
        tid = threading.get_native_id()
        if tid != self.thread_id or self._schedstat is None:
            self.thread_id = tid
            with self._schedstat_lock:
                self._close_schedstat()
                try:
                    self._schedstat = os.open(f"/proc/self/task/{tid}/schedstat", os.O_RDONLY)
                except OSError:  # no schedstat (a kernel without CONFIG_SCHED_INFO)
                    pass
        super().run_forever()

    def time(self) -> float:
        return self._clock.now

    def run_delay(self) -> float | None:
        """The seconds the loop's thread has waited, ready to run, for a CPU (its schedstat's
        second field); None where unknown. One pread of the file kept open: opening and
        reading it each time took 53 us under load, about 3% of a lab.get, which reads it
        on every request (pread: 1-5 us)."""
        with self._schedstat_lock:
            fd = self._schedstat
            if fd is None:
                return None
            try:
                data = os.pread(fd, 128, 0)
            except OSError:  # the thread has ended
                return None
        try:
            return int(data.split()[1]) / 1e9
        except (IndexError, ValueError):
            return None

    def close(self) -> None:
        with self._schedstat_lock:
            self._close_schedstat()
        super().close()

    def _close_schedstat(self) -> None:
        if self._schedstat is not None:
            os.close(self._schedstat)
            self._schedstat = None


def progress(loop: asyncio.AbstractEventLoop) -> Callable[[], float]:
    """A clock that moves with the time ``loop`` has had to do its work
    (``PreciseEpollSelector.progress``), read from another thread; the machine's clock for a
    loop that is not the lab's."""
    if isinstance(loop, CatchUpLoop):
        return loop._clock.progress
    return _monotonic


def waited_for_a_cpu(loop: asyncio.AbstractEventLoop) -> float | None:
    """The seconds the thread running ``loop`` has waited, ready to run, for a CPU the
    machine gave to others (its schedstat's run_delay): what a busy host adds to anything
    that waits for the loop. None where it is unknown: a loop not the lab's or not running,
    no schedstat (macOS, a kernel without CONFIG_SCHED_INFO)."""
    if not isinstance(loop, CatchUpLoop) or loop.thread_id is None:
        return None
    return loop.run_delay()


def new_loop() -> asyncio.AbstractEventLoop:
    """An event loop for the lab's thread whose timers fire on time (see ``PreciseEpollSelector``);
    where there is no epoll (macOS's kqueue counts in nanoseconds already), the default."""
    try:
        if not hasattr(selectors, "EpollSelector"):  # pragma: no cover - not Linux
            loop = asyncio.new_event_loop()
        else:
            loop = CatchUpLoop()
    except OSError as exc:  # its epoll and self-pipe need descriptors
        if exc.errno in ports.OUT_OF_FILES:
            raise ports.out_of_files(exc) from None
        raise
    connections.prepare(loop)
    return loop
