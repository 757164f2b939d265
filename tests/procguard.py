"""A command run to its end, its hang's bound counted in its own time, not the machine's load.

A test's ``subprocess.run(..., timeout=20)`` bounds a hang, but beside busy cores a command
waits for a CPU far longer than it runs: `labkit ctl` took 11 s of the machine's clock for
0.3 s of its own CPU (load 17, nice 5), and tests failed on their 20 s before the command
had answered; `jupyter lab --version` took 54 s for 2.4 s of CPU (load 20-24). A ``Bound``
counts, toward a process's bound, the machine's clock less the time the process waited,
ready to run, for a CPU others had (schedstat's run_delay, as the exercises' time limits
count it: labkit/exercises/proctree.py). A hang still ends: a process that sleeps or blocks
waits for no CPU, so its own time is the clock's; and a ``ceiling`` on the machine's clock
ends any run, however starved, well inside what a CI run allows.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from labkit.exercises import proctree

# the most a guarded run may take by the machine's clock, whatever it waited for a CPU
CEILING = 300.0
# how often (seconds) a guarded run's threads are looked at (``Bound.look``)
LOOK = 0.25


class Bound:
    """``seconds`` of ``pid``'s own time (the clock less its wait for a CPU), and at most
    ``ceiling`` seconds of the machine's clock, from now.

    schedstat's run_delay counts a wait only once it is over (when the thread is given a
    CPU), and a thread at nice 19 beside busy loops waited 2-4 s a time: counted from
    run_delay alone, those seconds were the command's own, and a command of 0.03 s of CPU
    was killed at a bound of 1 s. So each ``look`` also notes a thread ready to run that has
    not run since an earlier look (its schedstat unchanged): it has been waiting since."""

    def __init__(self, pid: int, seconds: float, ceiling: float = CEILING) -> None:
        self.pid, self.seconds, self.ceiling = pid, seconds, ceiling
        self.began = time.monotonic()
        self.waited = 0.0  # the longest wait for a CPU seen so far (``look``)
        # each thread ready to run at the last look: its schedstat then, and since when
        # (a look) it has been ready with that schedstat
        self.ready: dict[int, tuple[tuple[int, int], float]] = {}

    def look(self) -> None:
        """Read the process's wait for a CPU now (while it runs: what a thread or child that
        has ended had waited is not kept)."""
        now = time.monotonic()
        ready: dict[int, tuple[tuple[int, int], float]] = {}
        for tid, state, schedstat in _threads(self.pid):
            waited = schedstat[1] / 1e9
            if state == b"R":
                seen, since = self.ready.get(tid, (schedstat, now))
                if seen != schedstat:
                    since = now  # it has run since the last look
                ready[tid] = (schedstat, since)
                waited += now - since
            self.waited = max(self.waited, waited)
        self.ready = ready

    def left(self) -> float:
        """Seconds, by the machine's clock, before the bound can be reached: it is reached only
        if the process waits for no CPU meanwhile (``look`` again then)."""
        ends = self.began + min(self.waited + self.seconds, self.ceiling)
        return ends - time.monotonic()

    def reached(self) -> bool:
        self.look()
        return self.left() <= 0

    def said(self) -> str:
        """Which bound was reached, with the clock's time and the wait for a CPU."""
        clock = time.monotonic() - self.began
        if clock >= self.ceiling:
            return (
                f"ran past the ceiling of {self.ceiling:g} s on the machine's clock "
                f"({self.waited:.1f} s of it waiting for a CPU others had)"
            )
        return (
            f"took more than {self.seconds:g} s of its own time ({clock:.1f} s on the machine's "
            f"clock less {self.waited:.1f} s waiting for a CPU others had)"
        )


def _threads(pid: int) -> Iterator[tuple[int, bytes, tuple[int, int]]]:
    """Each thread of ``pid`` and of its descendants: its id, its state letter (b"R": running
    or ready to run) and its schedstat (ns run on a CPU, ns waited for one:
    proctree.schedstat)."""
    for process in [pid, *proctree.descendants(pid)]:
        try:
            tasks = os.listdir(f"/proc/{process}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                with open(f"/proc/{process}/task/{tid}/stat", "rb") as f:
                    stat = f.read()
            except OSError:
                continue  # it ended meanwhile
            schedstat = proctree.schedstat(process, tid)
            if schedstat is not None:
                yield int(tid), stat[stat.rfind(b")") + 2 :][:1], schedstat


class Overran(subprocess.TimeoutExpired):
    """A guarded command killed at its bound; said with the bound it reached."""

    def __init__(self, cmd: list[str], bound: Bound, output: str | None, stderr: str | None):
        super().__init__(cmd, bound.seconds, output, stderr)
        self.said = f"{' '.join(cmd)!r} {bound.said()}: killed"

    def __str__(self) -> str:
        return self.said


def run_guarded(
    args: list[str],
    *,
    timeout: float = 20,
    input: str | None = None,
    ceiling: float = CEILING,
    **popen: Any,
) -> subprocess.CompletedProcess[str]:
    """``args`` run to its end, as ``subprocess.run(args, capture_output=True, text=True)``
    runs it; ``Overran`` (a TimeoutExpired: the command killed) once it has spent more than
    ``timeout`` seconds of its own time, or ``ceiling`` seconds of the machine's clock."""
    with subprocess.Popen(
        args,
        stdin=subprocess.PIPE if input is not None else None,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    ) as proc:
        bound = Bound(proc.pid, timeout, ceiling)
        while True:
            try:
                # looked at each LOOK s: a thread kept waiting is seen while it waits
                wait = max(0.0, min(bound.left(), LOOK))
                out, err = proc.communicate(input, timeout=wait)
            except subprocess.TimeoutExpired:
                input = None  # written already (communicate keeps what it had sent)
                if bound.reached():
                    proc.kill()
                    try:  # what it had said (a child it started may hold the pipes open)
                        out, err = proc.communicate(timeout=5)
                    except subprocess.TimeoutExpired:
                        out = err = None
                    raise Overran(args, bound, out, err) from None
                continue
            return subprocess.CompletedProcess(args, proc.returncode, out, err)


def waited_for_a_cpu(pid: int) -> float:
    """The longest any thread of ``pid`` or of its descendants has waited, ready to run, for
    a CPU (schedstat's run_delay; what it had waited once it has ended is not kept)."""
    longest = proctree.kept_waiting(pid)
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return longest
    for tid in tasks:
        schedstat = proctree.schedstat(pid, tid)
        if schedstat is not None:
            longest = max(longest, schedstat[1] / 1e9)
    return longest


# the most a judge takes, of its own time, to stop learner code past its deadline: the kill
# and the reap of the learner's processes (0.1 s at most in 20 checks at load 10-13)
STOPPING = 1.0


class Stopwatch:
    """From the moment learner code began, in the process a judge runs it in, to the judge's
    verdict, less the time the judge's thread waited meanwhile, ready to run, for a CPU.

    A check's time on the clock counts the machine twice over: the fork and start of the
    learner's process (which the runner does not charge, within its start-up grace) and the
    judge's own waits to run, to notice the deadline and to stop the code. What a test of a
    time limit means is the time the code was let run and the judge took to stop it: made
    at a test's ``Stopwatch(tmp_path / "began")``, the learner's code calls ``began()`` first
    (a file: it runs in another process), and the test reads ``since_began()`` after the
    check returned."""

    def __init__(self, mark: Path) -> None:
        self.mark = mark
        self.judge = (os.getpid(), threading.get_native_id())

    def began(self) -> None:
        self.mark.write_text(f"{time.monotonic()!r} {self._judge_waited()!r}")

    def since_began(self) -> float:
        now, waited = time.monotonic(), self._judge_waited()
        began, waited_then = map(float, self.mark.read_text().split())
        return now - began - (waited - waited_then)

    def _judge_waited(self) -> float:
        schedstat = proctree.schedstat(*self.judge)
        assert schedstat is not None, "no schedstat for the judge's thread"
        return schedstat[1] / 1e9


def own_clock() -> Callable[[], float]:
    """A clock for the thread that calls this (a test's, where a judge runs its check): the
    machine's clock less the time the thread has waited, ready to run, for a CPU others had
    (its schedstat's run_delay), read in that thread. Beside busy cores a check's judge
    waits to run at each of its wake-ups: of checks of 0.44-0.72 s at load 14, 0.26-0.46 s
    were its thread's wait, and the learner's processes' 0.1-0.2 s. The machine's clock
    where there is no schedstat."""
    me = ("self", threading.get_native_id())
    if proctree.schedstat(*me) is None:
        return time.monotonic

    def now() -> float:
        schedstat = proctree.schedstat(*me)
        return time.monotonic() - (schedstat[1] / 1e9 if schedstat is not None else 0.0)

    return now
