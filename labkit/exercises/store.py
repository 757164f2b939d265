"""Exercise results in a small JSON file that survives kernel restarts and can be collected.

The file is ``$LABKIT_PROGRESS`` or ``~/.local/share/labkit/progress.json``. Every
update takes a lock, re-reads the file, changes one entry and replaces the file
atomically, so a kernel killed mid-write or two kernels writing at once never
leave it corrupt.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: no lock between kernels, but writes stay atomic
    fcntl = None  # type: ignore[assignment]

VERSION = 1


def path() -> Path:
    env = os.environ.get("LABKIT_PROGRESS")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "labkit" / "progress.json"


def load(file: Path | None = None) -> dict[str, dict[str, Any]]:
    """Every exercise's record; an unreadable file counts as empty (and is kept aside)."""
    file = file or path()
    try:
        data = json.loads(file.read_text())
        if isinstance(data, dict) and isinstance(data.get("exercises"), dict):
            return data["exercises"]
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            file.replace(file.with_suffix(".corrupt.json"))
    return {}


@contextlib.contextmanager
def _locked(file: Path) -> Iterator[None]:
    file.parent.mkdir(parents=True, exist_ok=True)
    with open(file.with_suffix(".lock"), "w") as lock:
        if fcntl is None:
            yield
            return
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _write(file: Path, exercises: dict[str, dict[str, Any]]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".progress-", dir=file.parent)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump({"version": VERSION, "exercises": exercises}, f, indent=1, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, file)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def update(exercise_id: str, *, attempt: bool | None = None, hint: bool = False,
           solution: bool = False, file: Path | None = None) -> dict[str, Any]:  # fmt: skip
    """Record one event for one exercise; returns its record afterwards.

    ``attempt`` True/False records a checked answer (right/wrong).
    """
    file = file or path()
    with _locked(file):
        exercises = load(file)
        rec = exercises.setdefault(
            exercise_id,
            {"attempts": 0, "solved": False, "first_success": None, "hints": 0,
             "solution_viewed": False, "last_attempt": None},
        )  # fmt: skip
        if attempt is not None:
            rec["attempts"] += 1
            rec["last_attempt"] = _now()
            if attempt and not rec["solved"]:
                rec["solved"] = True
                rec["first_success"] = _now()
        if hint:
            rec["hints"] += 1
        if solution:
            rec["solution_viewed"] = True
        _write(file, exercises)
        return dict(rec)


def status(record: dict[str, Any] | None) -> str:
    if not record or not record.get("attempts"):
        return "not tried"
    return "solved" if record.get("solved") else "tried"
