"""Exercises with answers checked on the spot: ``q.check(answer)``, ``q.hint()``, ``q.solution()``.

Each lesson has a module (``labkit.exercises.lesson_503`` ...) whose exercises the
notebook imports. ``progress()`` shows every exercise's state; ``labkit progress``
exports it (CSV or JSON) for an instructor.
"""

from __future__ import annotations

import csv
import getpass
import html
import importlib
import io
import json
import os
from typing import Any

from labkit.exercises import store as _store
from labkit.exercises.core import (
    REGISTRY,
    Choice,
    Exercise,
    Note,
    Result,
    ShortAnswer,
    Task,
    get,
    is_blank,
    make_choice,
    make_short_answer,
)
from labkit.exercises.timelimit import TimeLimit, call_with_time_limit

LESSON_MODULES = [
    "lesson_500",
    "lesson_501",
    "lesson_502",
    "lesson_503",
    "lesson_504",
    "lesson_505",
    "lesson_511",
    "capstone",
    "gateways",
]

__all__ = [
    "Choice",
    "Exercise",
    "Note",
    "Progress",
    "Result",
    "ShortAnswer",
    "Task",
    "TimeLimit",
    "all_exercises",
    "call_with_time_limit",
    "get",
    "is_blank",
    "make_choice",
    "make_short_answer",
    "progress",
]


def all_exercises() -> list[Exercise]:
    """Every exercise of every lesson, in lesson order."""
    for name in LESSON_MODULES:
        try:
            importlib.import_module(f"labkit.exercises.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"labkit.exercises.{name}":
                raise
    return list(REGISTRY.values())


COLUMNS = ["user", "exercise", "lesson", "status", "attempts", "hints_used", "first_success",
           "solution_viewed"]  # fmt: skip


class Progress:
    """A table of every exercise: not tried, tried or solved, attempts, hints used."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows

    @property
    def solved(self) -> int:
        return sum(r["status"] == "solved" for r in self.rows)

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows)
        return out.getvalue()

    def to_json(self) -> str:
        return json.dumps(self.rows, indent=1)

    def __repr__(self) -> str:
        lines = [f"{'exercise':<32} {'status':<10} {'attempts':>8} {'hints':>5}"]
        for r in self.rows:
            lines.append(
                f"{r['exercise']:<32} {r['status']:<10} {r['attempts']:>8} {r['hints_used']:>5}"
            )
        lines.append(f"{self.solved} of {len(self.rows)} solved")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour = {"solved": "#1b7f3b", "tried": "#b35900", "not tried": "#777"}
        rows = "".join(
            f"<tr><td>{html.escape(r['exercise'])}</td>"
            f"<td style='color:{colour[r['status']]}'>{r['status']}</td>"
            f"<td>{r['attempts']}</td><td>{r['hints_used']}</td></tr>"
            for r in self.rows
        )
        return (
            "<table><tr><th>exercise</th><th>status</th><th>attempts</th><th>hints</th></tr>"
            f"{rows}</table><p>{self.solved} of {len(self.rows)} solved</p>"
        )


def progress(lesson: str | None = None) -> Progress:
    """Where you are: every exercise (or one lesson's) with its status."""
    records = _store.load()
    user = os.environ.get("JUPYTERHUB_USER") or getpass.getuser()
    rows = []
    for ex in all_exercises():
        if lesson is not None and ex.lesson != lesson:
            continue
        rec = records.get(ex.id, {})
        rows.append({
            "user": user,
            "exercise": ex.id,
            "lesson": ex.lesson,
            "status": _store.status(rec),
            "attempts": rec.get("attempts", 0),
            "hints_used": rec.get("hints", 0),
            "first_success": rec.get("first_success") or "",
            "solution_viewed": bool(rec.get("solution_viewed", False)),
        })  # fmt: skip
    return Progress(rows)
