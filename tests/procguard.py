"""A command run to its end, its hang's bound counted in its own time, not the machine's load.

A test's ``subprocess.run(..., timeout=20)`` bounds a hang, but beside busy cores a command
waits for a CPU far longer than it runs: `labkit ctl` took 11 s of the machine's clock for
0.3 s of its own CPU (load 17, nice 5), and tests failed on their 20 s before the command
had answered. ``run_guarded`` waits for the command's end and counts, toward its bound, the
machine's clock less the time the command waited, ready to run, for a CPU others had
(schedstat's run_delay, as the exercises' time limits count it: labkit/exercises/proctree.py).
"""

from __future__ import annotations

import os
import subprocess
import time
from typing import Any

from labkit.exercises import proctree


def run_guarded(
    args: list[str], *, timeout: float = 20, input: str | None = None, **popen: Any
) -> subprocess.CompletedProcess[str]:
    """``args`` run to its end, as ``subprocess.run(args, capture_output=True, text=True)``
    runs it; TimeoutExpired (the command killed) once it has spent more than ``timeout``
    seconds of the machine's clock that were not spent waiting for a CPU."""
    with subprocess.Popen(
        args,
        stdin=subprocess.PIPE if input is not None else None,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    ) as proc:
        began = time.monotonic()
        waited = 0.0
        while True:
            try:
                out, err = proc.communicate(
                    input, timeout=began + waited + timeout - time.monotonic()
                )
            except subprocess.TimeoutExpired:
                input = None  # written already (communicate keeps what it had sent)
                waited = max(waited, waited_for_a_cpu(proc.pid))  # (read while it runs)
                if time.monotonic() - began - waited > timeout:
                    proc.kill()
                    raise
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
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat", "rb") as f:
                longest = max(longest, int(f.read().split()[1]) / 1e9)
        except (OSError, IndexError, ValueError):
            continue
    return longest
