"""tests/procguard.py's bounds, each seen doing what it is for: a command kept from the CPU
is not killed for the machine's load, a hang is, and a starved run still ends at the ceiling."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
from procguard import Overran, run_guarded

from labkit.exercises import proctree

QUICK = [sys.executable, "-c", "pass"]  # about 0.03 s of CPU


@pytest.fixture
def starved() -> Iterator[dict[str, object]]:
    """What makes a command wait for a CPU: run on the same core as a busy loop of 2 s, at
    nice 19 (it then gets about 1.5% of that core, whatever else the machine runs)."""
    core = max(os.sched_getaffinity(0))
    hog = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import os, time\nos.sched_setaffinity(0, {{{core}}})\n"
            "ends = time.monotonic() + 2\nwhile time.monotonic() < ends: pass",
        ]
    )

    def behind_the_hog() -> None:
        os.sched_setaffinity(0, {core})
        os.nice(19)

    try:
        yield {"preexec_fn": behind_the_hog}
    finally:
        hog.kill()
        hog.wait()


@pytest.mark.slow  # a command kept from the CPU for seconds
def test_a_command_kept_waiting_for_a_cpu_is_not_killed_at_its_bound(starved) -> None:
    began = time.monotonic()
    done = run_guarded(QUICK, timeout=1, **starved)
    took = time.monotonic() - began
    assert done.returncode == 0, done.stderr
    # the case is real only if the clock ran past the bound: a bound on the clock killed it
    assert took > 1, f"the command was not kept from the CPU ({took:.2f} s)"


def test_a_command_that_hangs_is_killed_at_its_bound_and_the_bound_is_named() -> None:
    began = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired) as hung:
        run_guarded(["sleep", "30"], timeout=0.3)
    assert time.monotonic() - began < 10  # not the sleep's 30 s (the kill, at any load)
    said = str(hung.value)
    assert said.startswith("'sleep 30' took more than 0.3 s of its own time ("), said
    assert said.endswith("waiting for a CPU others had): killed"), said


@pytest.mark.slow  # a command kept from the CPU for seconds
def test_a_starved_command_still_ends_at_the_ceiling_and_says_so(starved) -> None:
    loop = [sys.executable, "-c", "while True: pass"]
    with pytest.raises(Overran) as hung:
        run_guarded(loop, timeout=60, ceiling=1, **starved)
    assert "ran past the ceiling of 1 s on the machine's clock (" in str(hung.value), hung.value


@pytest.mark.skipif(not os.path.exists("/proc/self/schedstat"), reason="no schedstat")
def test_one_schedstat_reader_for_the_judges_and_the_bounds() -> None:
    """proctree.schedstat, which the runner's excuse for the load and these bounds both read:
    a thread's time run and its wait for a CPU, in nanoseconds, each only growing; None for
    a thread that has ended (or never was)."""
    me = threading.get_native_id()
    ran, waited = proctree.schedstat("self", me)
    end = time.thread_time() + 0.05
    while time.thread_time() < end:  # 50 ms of this thread's CPU
        pass
    later = proctree.schedstat(os.getpid(), me)
    assert later is not None and later[0] >= ran + 40_000_000 and later[1] >= waited
    assert proctree.waits_here()[me] >= later[1] / 1e9  # this process's threads: the same
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    pid = int(done.stdout)
    assert proctree.schedstat(pid, pid) is None
