"""What lab.request tells is what the lab's record decides, never the machine's noise."""

from __future__ import annotations

import os

import labkit
from labkit.http import deadline


def test_the_loops_schedstat_is_read_while_it_runs_and_closed_when_it_stops() -> None:
    """The lab reads what the machine kept its loop's thread waiting for a CPU on every
    request (deadline.waited_for_a_cpu) from one descriptor kept open while the loop runs;
    a stopped lab leaves no descriptor behind. Test-only guard of the kept descriptor."""

    def schedstats() -> int:
        found = 0
        for fd in os.listdir("/proc/self/fd"):
            try:
                found += os.readlink(f"/proc/self/fd/{fd}").endswith("/schedstat")
            except OSError:
                continue
        return found

    before = schedstats()
    lab = labkit.start()
    loop = lab._loop
    try:
        first = deadline.waited_for_a_cpu(loop)
        assert first is not None and first >= 0
        assert schedstats() == before + 1
        assert lab.get("/orders/7").status == 200
        later = deadline.waited_for_a_cpu(loop)
        assert later is not None and later >= first
    finally:
        lab.stop()
    assert deadline.waited_for_a_cpu(loop) is None
    assert schedstats() == before
