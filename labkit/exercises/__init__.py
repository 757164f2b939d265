"""Exercises with answers checked on the spot: ``q.check(answer)``, ``q.hint()``, ``q.solution()``.

Each lesson has a module (``labkit.exercises.lesson_503`` ...) whose exercises the
notebook imports. ``progress()`` shows every exercise's state; ``labkit progress``
exports it (CSV or JSON) for an instructor.
"""

from __future__ import annotations

import csv
import html
import importlib
import io
import json
from typing import TYPE_CHECKING, Any

from labkit.errors import language
from labkit.exercises import store as _store
from labkit.i18n import Msg
from labkit.render.palette import THEMED, on_notebook
from labkit.render.text import columns

if TYPE_CHECKING:
    from labkit.exercises.core import (
        REGISTRY as REGISTRY,
    )
    from labkit.exercises.core import (
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

# The exercises' own names load with the first that is asked for (PEP 562): the classroom's
# commands and the board read only the progress file (store), and the judges' answer
# matcher that core brings costs 60 ms, a quarter of every `labkit` command's start.
_LATER = {
    **dict.fromkeys(
        (
            "REGISTRY",
            "Choice",
            "Exercise",
            "Note",
            "Result",
            "ShortAnswer",
            "Task",
            "get",
            "is_blank",
            "make_choice",
            "make_short_answer",
        ),
        "core",
    ),
    "TimeLimit": "timelimit",
    "call_with_time_limit": "timelimit",
}


def __getattr__(name: str) -> Any:
    module = _LATER.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"labkit.exercises.{module}"), name)
    globals()[name] = value
    return value


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
    from labkit.exercises.core import REGISTRY

    for name in LESSON_MODULES:
        try:
            importlib.import_module(f"labkit.exercises.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"labkit.exercises.{name}":
                raise
    return list(REGISTRY.values())


COLUMNS = [
    "user",
    "exercise",
    "lesson",
    "status",
    "attempts",
    "hints_used",
    "first_success",
    "solution_viewed",
    "evidence",
]
SELF_REPORTED = "self-reported"  # what a progress file is: the learner's kernel wrote it


class Progress:
    """A table of every exercise: not tried, tried or solved, attempts, hints used.

    ``problems`` names what could not be read (the rows then show less than was done).
    """

    def __init__(self, rows: list[dict[str, Any]], problems: list[str] | None = None) -> None:
        self.rows = rows
        self.problems = problems or []

    @property
    def solved(self) -> int:
        return sum(r["status"] == _store.SOLVED for r in self.rows)

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows)
        return out.getvalue()

    def to_json(self) -> str:
        return json.dumps(self.rows, indent=1)

    def __repr__(self) -> str:
        lang = language()  # the learner's (i18n.learner_language): read when it is shown
        exercise, status, attempts, hints = (h.render(lang) for h in HEADINGS)
        lines = [
            f"{_left(exercise, 32)} {_left(status, 10)} {_right(attempts, 8)} {_right(hints, 5)}"
        ]
        for r in self.rows:
            lines.append(
                f"{_left(r['exercise'], 32)} {_left(_state(r['status'], lang), 10)} "
                f"{r['attempts']:>8} {r['hints_used']:>5}"
            )
        lines.append(self._total().render(lang))
        lines += [WARNING.bind(problem=p).render(lang) for p in self.problems]
        return "\n".join(lines)

    def _total(self) -> Msg:
        return Msg("{solved} of {total} solved", solved=self.solved, total=len(self.rows))

    def _repr_html_(self) -> str:
        lang = language()
        kind = {_store.SOLVED: "ok", _store.TRIED: "client_error"}
        rows = "".join(
            f"<tr><td>{esc(r['exercise'])}</td>"
            f"<td style='border-left:4px solid {on_notebook(kind.get(r['status'], 'neutral'))};"
            "padding-left:4px'>"
            f"{esc(_state(r['status'], lang))}</td>"  # the colour marks the cell; the text keeps
            f"<td>{esc(r['attempts'])}</td><td>{esc(r['hints_used'])}</td></tr>"  # the theme's
            for r in self.rows
        )
        warnings = "".join(
            f"<p style='border-left:4px solid {on_notebook('failed')};padding-left:4px'>{esc(p)}</p>"
            for p in self.problems
        )
        heads = "".join(f"<th>{esc(h.render(lang))}</th>" for h in HEADINGS)
        return (
            f"{THEMED}<table><tr>{heads}</tr>"
            f"{rows}</table><p>{esc(self._total().render(lang))}</p>{warnings}"
        )


# The table's words, in the learner's language when shown; the rows' values (exercise ids,
# the status keys of the CSV and JSON) stay as they are. The board says the states with STATES.
HEADINGS = (
    Msg("exercise", context="progress"),
    Msg("status", context="progress"),
    Msg("attempts", context="progress"),
    Msg("hints", context="progress"),
)
STATES = {
    _store.SOLVED: Msg("solved"),
    _store.TRIED: Msg("tried"),
    _store.NOT_TRIED: Msg("not tried"),
}
WARNING = Msg("warning: {problem}")


def _state(status: str, lang: str) -> str:
    """A row's status as shown: its word in ``lang`` (a hand-edited value as written)."""
    word = STATES.get(status)
    return word.render(lang) if word is not None else status


def _left(text: object, width: int) -> str:
    """``text`` padded to ``width`` columns (a Chinese character takes two)."""
    text = str(text)
    return text + " " * max(0, width - columns(text))


def _right(text: str, width: int) -> str:
    return " " * max(0, width - columns(text)) + text


def esc(value: object) -> str:
    """Any value as HTML text: records are hand-editable, so nothing in them is markup."""
    return html.escape(str(value))


def rows_for(
    snapshot: _store.Snapshot, user: str, lesson: str | None = None
) -> list[dict[str, Any]]:
    """One row per exercise of the course (or of one lesson) from one learner's records."""
    rows = []
    for ex in all_exercises():
        if lesson is not None and ex.lesson != lesson:
            continue
        rec = snapshot.records.get(ex.id, {})
        rows.append(
            {
                "user": user,
                "exercise": ex.id,
                "lesson": ex.lesson,
                "status": _store.status(rec),
                "attempts": rec.get("attempts", 0),
                "hints_used": rec.get("hints", 0),
                "first_success": rec.get("first_success") or "",
                "solution_viewed": bool(rec.get("solution_viewed", False)),
                "evidence": SELF_REPORTED,
            }
        )
    return rows


def progress(lesson: str | None = None) -> Progress:
    """Where you are: every exercise (or one lesson's) with its status.

    A progress file that cannot be read gives an empty table with a warning, not an error:
    the lessons go on (``labkit progress`` in a terminal exits non-zero instead).
    """
    try:
        snapshot = _store.read()
    except _store.ProgressError as exc:
        snapshot = _store.Snapshot(None, {}, [str(exc)])
    return Progress(
        rows_for(snapshot, snapshot.user or _store.identity(), lesson), snapshot.problems
    )
