"""The benchmark command runs from a clean checkout and prints its whole table (quick mode)."""

from __future__ import annotations

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
