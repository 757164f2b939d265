"""Exercise results in a small JSON file that survives kernel restarts and can be collected.

The file is ``$LABKIT_PROGRESS`` or ``~/.local/share/labkit/progress.json``. Every
update takes a lock, re-reads the file, changes one entry and replaces the file
atomically, so a kernel killed mid-write or two kernels writing at once never
leave it corrupt.

The store is careful with what it finds at that path, because it may be something the
learner cares about: a path that is not a regular file (a directory, a pipe) or a file
that is not a progress file (notes, another program's JSON) is refused with one clear
line and left untouched; a progress file that is damaged is copied aside under a dated
name before anything is written; records are validated field by field, so a hand-edited
value never raises inside ``check()``. When progress cannot be saved at all (a read-only
home), exercises still give their feedback and say once that nothing is being saved.

Each record is the learner's own account of what happened (a self-report): an instructor
who needs a grade re-runs the code answers kept here with ``labkit grade``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import json
import os
import re
import stat
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labkit.atomic import private_dirs, replace_file
from labkit.errors import LabkitError, os_reason, say, whole_in
from labkit.i18n import Msg

try:
    import fcntl
except ImportError:  # Windows: no lock between kernels, but writes stay atomic
    fcntl = None  # type: ignore[assignment]

VERSION = 2
MAX_BYTES = 4_000_000  # a progress file of the whole course is about 100 kB
MAX_EVENTS = 200  # per exercise: the first ones tell the story, the count keeps the rest
MAX_ANSWER = 64_000  # characters of one kept answer (a code answer's source and its context)
EVENT_KINDS = ("attempt", "hint", "solution")  # what a record's events say, as its file spells it
ATTEMPT, HINT, SOLUTION = EVENT_KINDS
# an exercise's state as ``status`` says it (exercises.STATES words each for the learner)
SOLVED, TRIED, NOT_TRIED = "solved", "tried", "not tried"
CANNOT_READ = Msg("cannot read the progress file {file}: {why}")


class ProgressError(LabkitError):
    """The progress file cannot be used: the message says why and what to do instead."""


@dataclass
class Snapshot:
    """What one progress file holds: whose it is, every valid record, and what was wrong."""

    user: str | None
    records: dict[str, dict[str, Any]]
    problems: list[str] = field(default_factory=list)


def path() -> Path:
    env = os.environ.get("LABKIT_PROGRESS")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "labkit" / "progress.json"


def identity() -> str:
    """Who is learning: the hub's name for the learner, else the login name."""
    hub = os.environ.get("JUPYTERHUB_USER", "").strip()
    if hub:
        return hub
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a uid without a passwd entry (containers)
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


def empty_record() -> dict[str, Any]:
    return {
        "attempts": 0,
        "solved": False,
        "first_success": None,
        "hints": 0,
        "solution_viewed": False,
        "last_attempt": None,
        "events": [],
    }


# -- reading: never changes anything on disk --

_COUNTS = ("attempts", "hints")
COUNT_MAX = 10**9 - 1  # the most attempts or hints a record may count
_FLAGS = ("solved", "solution_viewed")
_TIMES = ("first_success", "last_attempt")


def _valid_time(value: object) -> bool:
    if not isinstance(value, str) or len(value) > 40:
        return False
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def validate_record(exercise_id: object, rec: object) -> tuple[dict[str, Any] | None, str | None]:
    """A clean copy of one record, or None and what is wrong with it (for the message)."""
    if not isinstance(exercise_id, str) or not exercise_id.isprintable() or len(exercise_id) > 100:
        shown = repr(str(exercise_id)[:40])
        return None, say(Msg("an exercise id {id} that is not a short printable name", id=shown))
    if not isinstance(rec, dict):
        wrong = Msg(
            "{exercise}: the record is {type}, not an object",
            exercise=exercise_id,
            type=type(rec).__name__,
        )
        return None, say(wrong)
    out = empty_record()
    for key in _COUNTS:
        value = rec.get(key, 0)
        if not whole_in(value, 0, COUNT_MAX):
            return None, say(  # both bounds, as a switch's whole-number refusal says them
                Msg(
                    "{exercise}: {key} must be a whole number from 0 to {maximum}, not {value}",
                    exercise=exercise_id,
                    key=key,
                    maximum=COUNT_MAX,
                    value=f"{value!r:.40}",
                )
            )
        out[key] = value
    for key in _FLAGS:
        value = rec.get(key, False)
        if not isinstance(value, bool):
            return None, say(
                Msg(
                    "{exercise}: {key} must be true or false, not {value}",
                    exercise=exercise_id,
                    key=key,
                    value=f"{value!r:.40}",
                )
            )
        out[key] = value
    for key in _TIMES:
        value = rec.get(key)
        if value is not None and not _valid_time(value):
            return None, say(
                Msg(
                    "{exercise}: {key} must be an ISO time or null, not {value}",
                    exercise=exercise_id,
                    key=key,
                    value=f"{value!r:.40}",
                )
            )
        out[key] = value
    events = rec.get("events", [])
    if not isinstance(events, list) or not all(_valid_event(e) for e in events):
        return None, say(
            Msg(
                "{exercise}: events must be a list of {shape} objects",
                exercise=exercise_id,
                shape="{t, kind}",
            )
        )
    out["events"] = [dict(e) for e in events[:MAX_EVENTS]]
    answer = rec.get("answer")
    if answer is not None:
        if not _valid_answer(answer):
            return None, say(
                Msg(
                    "{exercise}: answer must be an object with args, correct and time",
                    exercise=exercise_id,
                )
            )
        out["answer"] = answer
    return out, None


def _valid_event(e: object) -> bool:
    return (
        isinstance(e, dict)
        and e.get("kind") in EVENT_KINDS
        and _valid_time(e.get("t"))
        and isinstance(e.get("correct", False), bool)
        and set(e) <= {"t", "kind", "correct"}
    )


ARG_KINDS = ("lab", "value", "bytes", "code", "none")  # see labkit/grading.py


def _valid_arg(arg: object) -> bool:
    """One argument of a kept answer, with what its kind needs (labkit/grading.py reads it):
    one edited by hand without it stopped `labkit grade` with "KeyError: 'source'"."""
    if not isinstance(arg, dict) or arg.get("kind") not in ARG_KINDS:
        return False
    kind = arg["kind"]
    if kind == "code":
        return (
            isinstance(arg.get("source"), str)
            and isinstance(arg.get("name"), str)
            and arg["name"].isidentifier()
            and isinstance(arg.get("context", ""), str)
            and isinstance(arg.get("labs", []), list)
            and all(isinstance(n, str) and n.isidentifier() for n in arg.get("labs", []))
        )
    if kind == "bytes":
        return isinstance(arg.get("value"), str)
    if kind == "value":
        return "value" in arg
    if kind == "none":
        return isinstance(arg.get("why", ""), str)
    return True


def _valid_answer(answer: object) -> bool:
    """A kept answer (labkit/grading.py makes them): small, and only plain JSON inside."""
    return (
        isinstance(answer, dict)
        and set(answer) <= {"args", "correct", "t", "why"}
        and _valid_time(answer.get("t"))
        and isinstance(answer.get("correct"), bool)
        and isinstance(answer.get("args"), list)
        and all(_valid_arg(a) for a in answer["args"])
        and isinstance(answer.get("why", ""), str)
        and len(json.dumps(answer)) <= MAX_ANSWER
    )


def _check_kind(file: Path, st: os.stat_result) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise ProgressError(
            say(
                Msg(
                    "the progress file {file} is a directory; set LABKIT_PROGRESS to a file "
                    "path (for example ~/.local/share/labkit/progress.json)",
                    file=file,
                )
            )
        )
    if not stat.S_ISREG(st.st_mode):
        raise ProgressError(
            say(
                Msg(
                    "the progress file {file} is not a regular file; set LABKIT_PROGRESS to a "
                    "file path",
                    file=file,
                )
            )
        )


def _check_links(file: Path) -> None:
    """Refuse a path through a link another user made, to read or to write. The learner's own link is followed
    (a progress file kept elsewhere); one planted by a classmate where LABKIT_PROGRESS points
    into a shared directory such as /tmp would have this kernel replace whatever file of the
    learner's it names (fs.protected_symlinks, which stops that in sticky directories, is off
    on some hosts). Root's links (/var/run) are the system's."""
    me = os.getuid() if hasattr(os, "getuid") else 0
    for place in (file, *file.parents):
        try:
            st = os.lstat(place)
        except OSError:
            continue  # not there yet: nothing to follow
        if stat.S_ISLNK(st.st_mode) and st.st_uid not in (me, 0):
            raise ProgressError(
                say(
                    Msg(
                        "the progress file's path {file} goes through {link}, a link another "
                        "user made: labkit neither reads nor writes through it; set "
                        "LABKIT_PROGRESS to a path of yours (for example "
                        "~/.local/share/labkit/progress.json)",
                        file=file,
                        link=place,
                    )
                )
            )


class NotProgressFile(ProgressError):
    """A file that is no labkit progress file at all (notes, another program's JSON).

    ``why`` says how it shows, without the file's name or advice: the learner's kernel
    leaves the file as it is and says to set LABKIT_PROGRESS (its message), while the
    instructor's ``labkit collect`` says only that it was not read (LABKIT_PROGRESS is
    nothing an instructor can set for a learner's file)."""

    def __init__(self, file: Path, why: Msg) -> None:
        self.file, self.why = file, why
        super().__init__(say(NOT_PROGRESS.bind(file=file, why=why)))


NOT_PROGRESS = Msg(
    "{file} is not a labkit progress file ({why}); it is left as it is: set LABKIT_PROGRESS "
    "to another path"
)
DAMAGED = Msg("{file} is damaged ({why})")


@dataclass(frozen=True)
class Unparsed:
    """Why a file's bytes give no JSON object (``parse``): ``damaged`` (torn, cut short, a
    number too long) or no progress file at all; ``why`` without the file's name."""

    why: Msg
    damaged: bool


class _Twice(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


def _once_each(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose names are each there once. A file edited by hand with a name
    twice ("exercises", or one exercise's record) was read as its last, silently, and the
    kernel's next write kept only that: the other's records were gone, with no copy."""
    found: dict[str, Any] = {}
    for name, value in pairs:
        if name in found:
            raise _Twice(name[:40])
        found[name] = value
    return found


def parse(raw: bytes) -> dict[str, Any] | Unparsed:
    """The JSON object in a progress file's or a submission's bytes, or why there is none:
    the one parse of the learner's kernel (``decode``) and of ``labkit collect``, so that
    what the kernel writes and reads back, collect reads, and what it refuses, collect
    refuses too. The rule: UTF-8 (the kernel writes it; RFC 8259 8.1: JSON exchanged is
    UTF-8), a leading byte order mark ignored (8.1 allows a parser to: an editor may add
    one), bytes that are not UTF-8 read as U+FFFD (a name typed in another encoding keeps
    the records), leading white space allowed. So UTF-16 and UTF-32 are no progress file
    (``json.loads`` of bytes would detect them; the kernel never read them)."""
    text = raw.decode("utf-8", errors="replace").removeprefix("\ufeff").lstrip()
    if not text:
        return {}
    if not text.startswith("{"):
        return Unparsed(Msg("it does not start with '{brace}'", brace="{"), damaged=False)
    try:
        data = json.loads(text, object_pairs_hook=_once_each)
    except _Twice as exc:  # one wins silently, and the kernel's next write drops the other
        return Unparsed(Msg("{name} appears twice in one object", name=repr(exc.name)), True)
    except json.JSONDecodeError as exc:
        return Unparsed(Msg("{why} at character {pos}", why=exc.msg, pos=exc.pos), damaged=True)
    except ValueError:  # a number of more than sys.get_int_max_str_digits() digits
        digits = f"{getattr(sys, 'get_int_max_str_digits', lambda: 4300)():,}"
        return Unparsed(Msg("a number of more than {digits} digits", digits=digits), True)
    except RecursionError:  # "[[[[..." in a 200 kB file
        return Unparsed(Msg("nested too deeply to read"), damaged=True)
    assert isinstance(data, dict)  # JSON that starts with "{" is an object
    return data


def decode(file: Path, raw: bytes) -> Snapshot:
    """Parse a file's bytes (``parse``); refuse what is not a progress file, salvage what is
    damaged."""
    data = parse(raw)
    if isinstance(data, Unparsed):
        if data.damaged:
            snap = snapshot(file, {"exercises": _salvage(raw)})
            snap.problems.insert(0, say(DAMAGED.bind(file=file, why=data.why)))
            return snap
        raise NotProgressFile(file, data.why)
    return snapshot(file, data)


def _salvage(raw: bytes) -> dict[str, Any]:
    """The whole records of a progress file cut short or torn: each '"id": {...}' of its
    "exercises" object read one after the other, until the first that does not read. A
    learner who cut the file (an editor that saved half of it, a cell that wrote over its
    end) lost the progress of every exercise, all set aside into the damaged copy; now only
    the records past the damage are."""
    text = raw.decode("utf-8", errors="replace")
    found: dict[str, Any] = {}
    start = re.search(r'"exercises"\s*:\s*\{', text)
    if start is None:
        return found
    decoder = json.JSONDecoder()
    pos = start.end()
    with contextlib.suppress(ValueError, RecursionError):
        while True:
            key_at = re.compile(r"\s*,?\s*").match(text, pos)
            pos = key_at.end() if key_at else pos
            if text.startswith("}", pos) or not text.startswith('"', pos):
                break
            key, pos = decoder.raw_decode(text, pos)
            colon = re.compile(r"\s*:\s*").match(text, pos)
            if colon is None:
                break
            value, pos = decoder.raw_decode(text, colon.end())
            if isinstance(key, str) and isinstance(value, dict):
                found[key] = value
    return found


def snapshot(file: Path, data: dict[str, Any]) -> Snapshot:
    """What a progress file's parsed JSON holds; NotProgressFile for an object without
    'exercises' (another program's JSON). Damaged records are left out and named."""
    if data and "exercises" not in data:
        raise NotProgressFile(file, Msg("JSON without '{key}'", key="exercises"))
    snap = Snapshot(None, {})
    user = data.get("user")
    if user is not None:
        if isinstance(user, str) and user.isprintable() and 0 < len(user) <= 100:
            snap.user = user
        else:
            snap.problems.append(
                say(
                    Msg(
                        "{file}: user must be a short name, not {user}",
                        file=file,
                        user=f"{user!r:.40}",
                    )
                )
            )
    exercises = data.get("exercises", {})
    if not isinstance(exercises, dict):
        snap.problems.append(say(Msg("{file}: exercises must be an object", file=file)))
        return snap
    for key, rec in exercises.items():
        clean, problem = validate_record(key, rec)
        if clean is None:
            snap.problems.append(say(Msg("{file}: {problem}", file=file, problem=problem)))
        else:
            snap.records[key] = clean
    return snap


def read(file: Path | None = None, *, follow_symlinks: bool = True) -> Snapshot:
    """Read one progress file without changing anything on disk.

    A missing file is an empty snapshot; a path that is not a regular file, a file that
    is not a progress file, or one that cannot be read raises ProgressError. Damaged
    records are left out and named in ``problems``.
    """
    file = file or path()
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)  # a FIFO must not block us
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    else:
        _check_links(file)  # nor read through one: its owner would choose what we read
    try:
        fd = os.open(file, flags)
    except FileNotFoundError:
        return Snapshot(None, {})
    except IsADirectoryError:
        _check_kind(file, os.stat(file))
        raise
    except OSError as exc:
        if not follow_symlinks and os.path.islink(file):
            not_followed = Msg("{path} is a symbolic link; it was not followed", path=file)
            raise ProgressError(say(not_followed)) from None
        raise ProgressError(say(CANNOT_READ.bind(file=file, why=os_reason(exc)))) from None
    try:
        _check_kind(file, os.fstat(fd))
        chunks, size = [], 0
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_BYTES:
                too_large = Msg(
                    "{file} is larger than {size} bytes: not a labkit progress file",
                    file=file,
                    size=f"{MAX_BYTES:,}",
                )
                raise ProgressError(say(too_large))
    except OSError as exc:
        raise ProgressError(say(CANNOT_READ.bind(file=file, why=os_reason(exc)))) from None
    finally:
        os.close(fd)
    return decode(file, b"".join(chunks))


def load(file: Path | None = None) -> dict[str, dict[str, Any]]:
    """Every valid exercise record (an absent file has none); see read() for what it refuses."""
    return read(file).records


# -- writing --


@contextlib.contextmanager
def _locked(file: Path) -> Iterator[None]:
    private_dirs(file.parent)
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(file.with_name(file.name + ".lock"), flags, 0o600)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _temp_prefix(file: Path) -> str:
    return f".{file.name}.tmp-"


def _remove_stale_temps(file: Path) -> None:
    """Temp files of writers killed mid-write; safe under the lock, since only writers
    holding it create them."""
    prefix = _temp_prefix(file)
    with contextlib.suppress(OSError), os.scandir(file.parent) as entries:
        for entry in entries:
            if entry.name.startswith(prefix) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _keep_copy(file: Path) -> Path | None:
    """Copy a damaged file aside under a dated name that is never reused."""
    try:
        raw = file.read_bytes()
    except OSError:
        return None
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    for n in range(100):
        copy = file.with_name(f"{file.stem}.corrupt-{stamp}{f'-{n}' if n else ''}{file.suffix}")
        try:
            fd = os.open(copy, flags, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
        return copy
    return None


def _write(file: Path, user: str, exercises: dict[str, dict[str, Any]]) -> None:
    record = {"version": VERSION, "user": user, "exercises": exercises}
    replace_file(
        file,
        lambda f: json.dump(record, f, indent=1, sort_keys=True),
        prefix=_temp_prefix(file),
        fsync=True,
    )


def _whole(file: Path) -> bytes | None:
    """The file's bytes, if it is a progress file read whole (no damaged part); else None."""
    try:
        st = os.stat(file, follow_symlinks=False)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_BYTES:
            return None
        raw = file.read_bytes()
        snap = decode(file, raw)
    except (OSError, ProgressError):
        return None
    return None if snap.problems else raw


def _bytes_to(f: Any, raw: bytes) -> None:
    f.buffer.write(raw)


@contextlib.contextmanager
def kept_whole(restored: list[Path]) -> Iterator[None]:
    """While learner code runs: a progress file that was whole before and is damaged, not a
    progress file or gone after is put back as it was (``restored`` gets its path). Code that
    wrote '{not json' to it had the learner's progress set aside at the next record, as a torn
    file is; another kernel's write in between leaves a whole file, kept as it is."""
    file = path()
    before = _whole(file)
    try:
        yield
    finally:
        if before is not None and _whole(file) is None:
            with contextlib.suppress(OSError), _locked(file):
                if _whole(file) is None:
                    # its bytes as they were (a text file's buffer: nothing went through it)
                    replace_file(file, lambda f: _bytes_to(f, before), prefix=_temp_prefix(file))
                    restored.append(file)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


def update(
    exercise_id: str,
    *,
    attempt: bool | None = None,
    hint: bool = False,
    solution: bool = False,
    answer: dict[str, Any] | None = None,
    file: Path | None = None,
) -> dict[str, Any]:
    """Record one event for one exercise; returns its record afterwards.

    ``attempt`` True/False records a checked answer (right/wrong); ``answer`` (from
    ``labkit.grading.keep``) is the answer itself, kept so that ``labkit grade`` can
    re-run it: the last correct one, else the last one.
    Raises ProgressError when the file cannot be used (see ``record`` for the kernel's way).
    """
    clean, problem = validate_record(exercise_id, {})
    if clean is None:
        raise ProgressError(say(Msg("cannot record progress: {problem}", problem=problem)))
    file = file or path()
    _check_links(file)
    if file.is_symlink() and file.exists():
        file = file.resolve()  # keep the learner's link; write where it points
    try:
        with _locked(file):
            _remove_stale_temps(file)
            snap = read(file)
            if snap.problems:
                copy = _keep_copy(file)
                _SET_ASIDE_NOTES.append(
                    say(
                        SET_ASIDE.bind(
                            why=snap.problems[0],
                            copy=copy if copy is not None else Msg("(no copy could be made)"),
                            count=len(snap.records),
                        )
                    )
                )
            rec = snap.records.setdefault(exercise_id, empty_record())
            now = _now()
            if attempt is not None:
                rec["attempts"] += 1
                rec["last_attempt"] = now
                if attempt and not rec["solved"]:
                    rec["solved"] = True
                    rec["first_success"] = now
                _event(rec, now, ATTEMPT, correct=bool(attempt))
            if hint:
                rec["hints"] += 1
                _event(rec, now, HINT)
            if solution:
                rec["solution_viewed"] = True
                _event(rec, now, SOLUTION)
            if answer is not None and attempt is not None:
                kept = {**answer, "correct": bool(attempt), "t": now}
                previous = rec.get("answer")
                if (attempt or not (previous and previous["correct"])) and _valid_answer(kept):
                    rec["answer"] = kept
            _write(file, identity(), snap.records)
            return dict(rec)
    except OSError as exc:
        raise ProgressError(
            say(
                Msg(
                    "cannot save progress to {file}: {why}; set LABKIT_PROGRESS to a writable "
                    "path to keep it",
                    file=file,
                    why=os_reason(exc),
                )
            )
        ) from None


def _event(rec: dict[str, Any], now: str, kind: str, **extra: Any) -> None:
    if len(rec["events"]) < MAX_EVENTS:
        rec["events"].append({"t": now, "kind": kind, **extra})


_warned: set[str] = set()

# A damaged progress file (a learner cut or edited it) is copied aside before the next
# record is written, and what could be read is kept: the learner is told, in one line, at
# that record (it was silent: the progress of other exercises was gone without a word)
SET_ASIDE = Msg(
    "{why}: a copy of it as it was is kept as {copy}; the exercise records that could be "
    "read ({count}) are kept"
)
_SET_ASIDE_NOTES: list[str] = []


_SET_ASIDE: ContextVar[bool] = ContextVar("labkit_progress_set_aside", default=False)


@contextlib.contextmanager
def set_aside() -> Iterator[None]:
    """While it lasts, ``record`` writes nothing (in this thread): the incident drill judges
    with lesson 08's check, and a drill's tries are the drill's own (its memo), not lesson
    08's; they marked the capstone's incident tried or solved, and counted towards its
    wrong tries."""
    token = _SET_ASIDE.set(True)
    try:
        yield
    finally:
        _SET_ASIDE.reset(token)


def record(exercise_id: str, **event: Any) -> None:
    """update() for the exercises: feedback never depends on the file, so a store that cannot
    save says so once (per file) and the exercise goes on."""
    if _SET_ASIDE.get():
        return
    _SET_ASIDE_NOTES.clear()  # a direct update()'s (labkit's tools) are not this record's
    try:
        try:
            update(exercise_id, **event)
        finally:
            for note in _SET_ASIDE_NOTES:
                print(f"labkit: {note}", file=sys.stderr)
            _SET_ASIDE_NOTES.clear()
    except ProgressError as exc:
        key = str(path())
        if key not in _warned:
            _warned.add(key)
            unsaved = say(Msg("progress is not being saved: {why}", why=exc))
            print(f"labkit: {unsaved}", file=sys.stderr)
    else:
        from labkit.board import live  # the instructor's board sees it now (issue 19)

        live()


def status(record: dict[str, Any] | None) -> str:
    if not record or not record.get("attempts"):
        return NOT_TRIED
    return SOLVED if record.get("solved") else TRIED
