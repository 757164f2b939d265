"""The benchmark command runs from a clean checkout and prints its whole table (quick mode)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# serial: its load section keeps both cores busy, as busy_cores does
pytestmark = [pytest.mark.slow, pytest.mark.serial]


def test_benchmark_quick_run_prints_the_table() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--skip-notebooks"],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert "| part |" in out and "0 section(s) failed." in out
    for part in ("start-up", "stop", "memory (RSS)", "50 clients", "504 timing", "scale"):
        assert f"| {part} |" in out, part
    assert "ThreadingHTTPServer" in out  # the peer is measured in the same run
    # every target of benchmarks/README.md's table is printed, a quick run's too (then n/a)
    rows = [[cell.strip() for cell in line.split("|")[1:-1]] for line in out.splitlines()]
    targets = {row[3] for row in rows if len(row) == 5}
    for target in (
        "< 20 ms",
        "≤ 1.5×",
        "< 25 ms",
        "≤ 0.15 ms or ≤ 3×",
        "median < 1 ms",
        "< 10 MB",
        "< 10 s for 200",
        "< 0.2 ms",
        "< 1 s",
        "< 60 s on 2 cores",
    ):
        assert target in targets, target
    # the 200 labs' row says the bare servers' time of the same run beside its own
    (scale,) = [row for row in rows if row[:1] == ["scale"] and "labs, one per process" in row[1]]
    assert "bare asyncio + h11 floor in this run" in scale[2], scale
    assert scale[3:] == ["< 10 s for 200", "n/a (12 labs, --quick)"], scale
    # and each lab process's CPU beside the bare server's, which the machine's load moves least
    (cpu,) = [row for row in rows if row[:1] == ["scale"] and "CPU time of its process" in row[1]]
    assert re.fullmatch(
        r"[\d.]+ ms \(bare server [\d.]+ ms, labs [\d.]+×; interpreter [\d.]+ ms\)", cpu[2]
    ), cpu
