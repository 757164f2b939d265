"""The progress store never moves or overwrites what it cannot read, and never stops feedback."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import labkit_in_process

from labkit import classroom, exercises
from labkit.exercises import store

# A learner's session in a fresh process: one answer, one hint, the solution, then the table.
SESSION = r"""
from labkit.exercises.lesson_500 import q1
from labkit import exercises
r = q1.check("gateway")
print("FEEDBACK", r.label, "|", r.message[:40])
print("HINT", q1.hint().title)
print("SOLUTION", q1.solution().title)
r = q1.check("origin")
print("FEEDBACK", r.label)
print("TABLE", exercises.progress("500").rows[0]["status"])
"""


def _session(env_file: Path, **popen) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, LABKIT_PROGRESS=str(env_file))
    env.update(popen.pop("env", {}))
    return subprocess.run(
        [sys.executable, "-c", SESSION],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        **popen,
    )


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "labkit", "progress", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _cli_in_process(*args: str) -> subprocess.CompletedProcess[str]:
    """`labkit progress ARGS` through labkit.cli.main (a real process: the pipe's test)."""
    return labkit_in_process("progress", *args)


def _one_warning(proc: subprocess.CompletedProcess[str], words: str) -> None:
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, lines  # once, not once per check/hint/solution
    assert lines[0].startswith("labkit: progress is not being saved:") and words in lines[0]
    out = proc.stdout
    assert "FEEDBACK Not yet | Via only says the response passed throug" in out
    assert "HINT Hint 1 of" in out and "SOLUTION Solution" in out
    assert "FEEDBACK Correct" in out


def test_a_directory_path_is_refused_and_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "progress.json"
    target.mkdir()
    (target / "mine.txt").write_text("keep me")
    proc = _session(target)
    _one_warning(proc, "is a directory")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["progress.json", "progress.json.lock"]
    assert (target / "mine.txt").read_text() == "keep me"
    cli = _cli_in_process("--file", str(target))
    assert cli.returncode == 1 and cli.stdout == ""
    assert cli.stderr.strip() == (
        f"labkit: error: the progress file {target} is a directory; set LABKIT_PROGRESS to a "
        "file path (for example ~/.local/share/labkit/progress.json)"
    )


def test_a_notes_file_is_never_moved_or_overwritten(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("502 = the gateway could not read the upstream\n")
    before = notes.stat()
    proc = _session(notes)
    _one_warning(proc, "is not a labkit progress file")
    assert notes.read_text() == "502 = the gateway could not read the upstream\n"
    assert notes.stat().st_ino == before.st_ino
    assert not list(tmp_path.glob("*corrupt*"))
    cli = _cli_in_process("--file", str(notes))
    assert cli.returncode == 1
    assert cli.stderr.startswith(f"labkit: error: {notes} is not a labkit progress file")
    assert len(cli.stderr.splitlines()) == 1
    # the instructor's collect gets no advice to set LABKIT_PROGRESS (nothing they can set)
    found = classroom.collect([notes])
    assert found.errors == [
        f"{notes} is not a labkit progress file or submission (it does not start with '{{'); "
        "it was not read"
    ]


def test_json_of_another_shape_is_left_as_it_is(tmp_path: Path) -> None:
    other = tmp_path / "settings.json"
    other.write_text('{"theme": "dark"}')
    _one_warning(_session(other), "(JSON without 'exercises'); it is left as it is: set LABKIT_")
    assert other.read_text() == '{"theme": "dark"}'


def test_a_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "progress.json"
    os.mkfifo(fifo)
    cli = _cli("--file", str(fifo))
    assert cli.returncode == 1 and "is not a regular file" in cli.stderr


def test_a_missing_file_is_said_beside_the_table(tmp_path: Path) -> None:
    """`labkit progress --file /no/such` printed 45 "not tried" rows and no word that the file
    is not there (a path typed wrong looked like a learner who had done nothing)."""
    missing = tmp_path / "no" / "such.json"
    cli = _cli_in_process("--file", str(missing), "--format", "csv")
    assert cli.returncode == 0 and cli.stdout.startswith("user,")
    assert {row.split(",")[3] for row in cli.stdout.splitlines()[1:]} == {"not tried"}
    assert cli.stderr.splitlines() == [
        f"labkit: note: there is no file {missing}: nothing has been tried yet, or the path is "
        "wrong"
    ]
    zh = labkit_in_process("progress", "--file", str(missing), env={"LABKIT_LANG": "zh-CN"})
    assert zh.stderr.splitlines() == [
        f"labkit: note: 没有文件 {missing}：还没有做过任何练习，或者路径写错了"
    ]
    missing.parent.mkdir()
    missing.write_text('{"version": 2, "exercises": {}}')
    assert _cli_in_process("--file", str(missing)).stderr == ""  # a file there: no note


def test_a_damaged_progress_file_is_copied_aside_before_writing(progress_file: Path) -> None:
    damaged = b'{"version": 1, "exercises": {"x": '
    progress_file.write_bytes(damaged)
    assert store.load(progress_file) == {}  # reading changes nothing
    assert progress_file.read_bytes() == damaged and not list(
        progress_file.parent.glob("*corrupt*")
    )
    cli = _cli("--file", str(progress_file), "--format", "csv")
    assert cli.returncode == 1 and "is damaged" in cli.stderr and cli.stdout.startswith("user,")
    store.update("x.y", attempt=True)
    assert store.load(progress_file)["x.y"]["solved"] is True
    (copy,) = progress_file.parent.glob("progress.corrupt-*.json")
    assert copy.read_bytes() == damaged
    store.update("x.y", attempt=True)  # the file is sound now: no second copy
    assert len(list(progress_file.parent.glob("progress.corrupt-*.json"))) == 1


def test_wrong_value_types_never_raise_and_good_records_survive(progress_file: Path) -> None:
    good = {
        "attempts": 2,
        "solved": True,
        "first_success": "2026-12-01T10:00:00+00:00",
        "hints": 1,
        "solution_viewed": False,
        "last_attempt": "2026-12-01T10:00:00+00:00",
    }
    bad = {
        "a.attempts": {"attempts": "3"},
        "a.solved": {"attempts": 1, "solved": "yes"},
        "a.hints": {"hints": 1.5},
        "a.bool": {"attempts": True},
        "a.time": {"attempts": 1, "first_success": 12},
        "a.list": [1, 2],
        "a.events": {"events": [{"kind": "rm -rf", "t": "x"}]},
    }
    progress_file.write_text(
        json.dumps({"version": 1, "exercises": {"500.who-made-it": good, **bad}})
    )
    snap = store.read(progress_file)
    assert (
        list(snap.records) == ["500.who-made-it"]
        and snap.records["500.who-made-it"]["attempts"] == 2
    )
    assert len(snap.problems) == len(bad)
    assert any(
        "a.attempts: attempts must be a whole number from 0 to 999999999, not '3'" in p
        for p in snap.problems
    )
    table = exercises.progress("500")
    row = next(r for r in table.rows if r["exercise"] == "500.who-made-it")
    assert row["status"] == "solved" and row["attempts"] == 2
    assert len(table.problems) == len(bad) and "warning: " in repr(table)
    from labkit.exercises.lesson_500 import q1

    assert q1.check("origin")  # feedback as usual; the file is rewritten from the good records
    assert store.load(progress_file)["500.who-made-it"]["attempts"] == 3
    assert len(list(progress_file.parent.glob("progress.corrupt-*.json"))) == 1


def test_html_in_values_is_escaped(progress_file: Path) -> None:
    evil = "<img src=x onerror=alert(1)>"
    table = exercises.Progress(
        [
            {
                "user": evil,
                "exercise": evil,
                "lesson": evil,
                "status": evil,
                "attempts": evil,
                "hints_used": evil,
                "first_success": evil,
                "solution_viewed": evil,
            }
        ],
        problems=[evil],
    )
    page = table._repr_html_()
    assert "<img" not in page and page.count("&lt;img src=x onerror=alert(1)&gt;") == 5
    progress_file.write_text(json.dumps({"version": 2, "user": evil, "exercises": {evil: {}}}))
    page = exercises.progress()._repr_html_()
    assert "<img" not in page


def _read_only(home: Path, argv: list[str]) -> list[str]:
    """argv run with ``home`` read-only: a read-only mount for root (who writes anywhere
    else), the permission bits for anyone else."""
    if os.geteuid() != 0:
        home.chmod(0o500)
        return argv
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
    return ["unshare", "-m", "sh", "-c", script, str(home), *argv]


def test_a_read_only_home_still_gives_feedback(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("LABKIT_PROGRESS", "XDG_DATA_HOME")}
    env["HOME"] = str(home)
    argv = _read_only(home, [sys.executable, "-c", SESSION])
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=env)
    home.chmod(0o700)
    _one_warning(proc, "cannot save progress to")
    assert "Read-only file system" in proc.stderr or "Permission denied" in proc.stderr
    assert "set LABKIT_PROGRESS to a writable path" in proc.stderr
    assert list(home.iterdir()) == []


KILLED_WRITER = r"""
from labkit.exercises import store
i = 0
while True:
    store.update(f"k.{i % 3}", attempt=True, answer={"args": [{"kind": "value", "value": "x" * 20000}]})
    i += 1
"""


def test_kill_9_in_a_loop_never_corrupts_and_leaves_no_temp_files(progress_file: Path) -> None:
    env = dict(os.environ, LABKIT_PROGRESS=str(progress_file))
    rng = random.Random(15)
    last = 0
    for _ in range(12):
        proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER], env=env)
        deadline = time.monotonic() + 30
        while not progress_file.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0, 0.15))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        data = json.loads(progress_file.read_text())  # valid JSON after every kill
        total = sum(r["attempts"] for r in data["exercises"].values())
        assert total >= last
        last = total
    (progress_file.parent / ".progress.json.tmp-planted").write_text("{")  # as a kill leaves it
    store.update("k.0", attempt=True)
    assert not list(progress_file.parent.glob(".progress.json.tmp-*"))
    assert sum(r["attempts"] for r in store.load(progress_file).values()) == last + 1


def test_records_carry_identity_and_timed_events(progress_file: Path, monkeypatch) -> None:
    monkeypatch.setenv("JUPYTERHUB_USER", "ada")
    from labkit.exercises.lesson_500 import q1

    q1.check("gateway")
    q1.hint()
    q1.solution()
    q1.check("origin")
    data = json.loads(progress_file.read_text())
    assert data["user"] == "ada"
    events = data["exercises"]["500.who-made-it"]["events"]
    assert [(e["kind"], e.get("correct")) for e in events] == [
        ("attempt", False),
        ("hint", None),
        ("solution", None),
        ("attempt", True),
    ]
    times = [e["t"] for e in events]
    assert times == sorted(times) and all(t.endswith("+00:00") for t in times)


def test_an_unknown_exercise_id_shape_is_refused(progress_file: Path) -> None:
    with pytest.raises(store.ProgressError, match="short printable name"):
        store.update("bad\nid", attempt=True)
    assert not progress_file.exists()


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (b"", "it is empty"),
        (b"\xef\xbb\xbf \n", "it is empty"),
        (b"{}", "JSON without 'exercises'"),
        (b" {}\n", "JSON without 'exercises'"),
    ],
    ids=["0-bytes", "bom-and-space", "empty-object", "empty-object-spaced"],
)
def test_collect_refuses_an_empty_file(tmp_path: Path, raw: bytes, why: str) -> None:
    """`labkit collect` of a 0-byte file (or "{}") read it as a learner's progress: 45 "not
    tried" rows under its owner's name and exit 0. labkit never writes such a file; the
    kernel still reads one as no records yet (and writes over it)."""
    file = tmp_path / "progress.json"
    file.write_bytes(raw)
    cli = labkit_in_process("collect", str(file))
    assert cli.returncode == 1 and len(cli.stdout.splitlines()) == 1  # the header, no rows
    (line,) = [x for x in cli.stderr.splitlines() if x.startswith("labkit: error:")]
    assert line == (
        f"labkit: error: {file} is not a labkit progress file or submission ({why}); "
        "it was not read"
    )
    mine = store.read(file)  # the learner's kernel: nothing tried yet
    assert (mine.records, mine.problems) == ({}, [])
    # a fresh progress file as labkit writes it still reads: no records, its learner
    file.write_text(json.dumps({"version": store.VERSION, "user": "ann", "exercises": {}}))
    found = classroom.collect([file])
    assert found.errors == [] and list(found.learners) == ["ann"]


def test_collect_refuses_a_submission_of_empty_progress(tmp_path: Path) -> None:
    """A submission whose 'progress' is {} read as 45 "not tried" rows for its user: `labkit
    submit` never writes one (its progress always has 'exercises', and an empty one is
    refused), so it is said and not read, as an empty progress file is."""
    file = tmp_path / "ann.json"
    entry = {"kind": classroom.SUBMISSION_KIND, "version": 1, "user": "ann", "progress": {}}
    file.write_text(json.dumps(entry))
    found = classroom.collect([file])
    assert found.errors == [
        f"{file} is not a labkit progress file or submission (its 'progress' is empty); it "
        "was not read"
    ]
    assert not found.learners
    entry["progress"] = {"version": store.VERSION, "user": "ann", "exercises": {}}
    file.write_text(json.dumps(entry))  # as a learner's live board entry may be: read
    found = classroom.collect([file])
    assert found.errors == [] and list(found.learners) == ["ann"]


PROGRESS = {"version": 2, "user": "ann", "exercises": {"500.who-made-it": {"attempts": 1}}, "n": 0}
DIGITS = f"{sys.get_int_max_str_digits():,}"


@pytest.mark.parametrize(
    ("encode", "user", "refused"),
    [
        (str.encode, "ann", None),
        # RFC 8259 8.1: a parser may ignore a byte order mark (an editor may add one)
        (lambda t: b"\xef\xbb\xbf \n" + t.encode(), "ann", None),
        # bytes that are not UTF-8 (a name typed in Latin-1) read as U+FFFD, records kept
        (lambda t: t.replace('"ann"', '"ann\xe9"').encode("latin-1"), "ann\ufffd", None),
        # JSON exchanged is UTF-8 (8.1): json.loads of bytes detects UTF-16 and UTF-32, and
        # collect read them; the kernel never did
        (lambda t: t.encode("utf-16"), None, "is not a labkit progress file"),
        (lambda t: t.encode("utf-16-le"), None, "is damaged (Expecting property name enclosed"),
        (lambda t: t.encode("utf-32"), None, "is not a labkit progress file"),
        # damaged after its records (cut, a number too long, nested too deeply): the kernel
        # goes on with them (store.decode), and collect reads them too
        (lambda t: t[:-1].encode(), None, "salvaged: Expecting ',' delimiter at character"),
        (
            lambda t: t.replace('"n": 0', '"n": ' + "1" * 5000).encode(),
            None,
            f"salvaged: a number of more than {DIGITS} digits",
        ),
        (
            lambda t: t[:-1].encode() + b', "x": ' + b"[" * 100_000,
            None,
            "salvaged: nested too deeply to read",
        ),
        (lambda t: f"[{t}]".encode(), None, "is not a labkit progress file"),
    ],
    ids=[
        "utf-8",
        "bom",
        "latin-1",
        "utf-16",
        "utf-16-le",
        "utf-32",
        "cut",
        "digits",
        "deep",
        "list",
    ],
)
@pytest.mark.parametrize("kind", ["progress file", "submission"])
def test_what_the_kernel_reads_back_collect_reads_and_nothing_else(
    tmp_path: Path, encode, user: str | None, refused: str | None, kind: str
) -> None:
    """One parse for both (store.parse): collect parsed a file's bytes with json.loads,
    which detects UTF-16 and a byte order mark, and the kernel with its own reading of
    UTF-8, so a file one refused the other read; and an over-long number was refused by
    each in its own words. Each says what fits its reader: the kernel to set
    LABKIT_PROGRESS, collect that the file was not read."""
    file = tmp_path / "progress.json"
    entry = {"kind": classroom.SUBMISSION_KIND, "user": "ann", "progress": PROGRESS}
    file.write_bytes(encode(json.dumps(entry if kind == "submission" else PROGRESS)))
    found = classroom.collect([file])
    if refused is None:
        assert found.errors == [] and list(found.learners) == [user]
        assert list(found.learners[user].snapshot.records) == ["500.who-made-it"]
        if kind == "progress file":  # what the learner's kernel reads back
            mine = store.read(file)
            assert (mine.user, list(mine.records), mine.problems) == (
                user,
                list(PROGRESS["exercises"]),
                [],
            )
        return
    (line,) = found.errors
    if refused.startswith("salvaged: "):
        assert line.startswith(f"{file} is damaged ({refused.removeprefix('salvaged: ')}")
        assert line.endswith("); its 1 whole record before the damage was read, the rest was not")
        (one,) = found.learners.values()  # no name read past the damage: the owner's row
        assert list(one.snapshot.records) == list(PROGRESS["exercises"])
        assert {row["evidence"] for row in classroom.rows(found)} == {
            "self-reported; damaged: 1 records salvaged"
        }
        if kind == "progress file":  # what the learner's kernel reads back: the same records
            assert list(store.read(file).records) == list(PROGRESS["exercises"])
        return
    assert line.startswith(f"{file} ") and refused in line and line.endswith("; it was not read")
    assert "LABKIT_PROGRESS" not in line and not found.learners
    if kind == "submission":
        return
    try:
        mine = store.read(file)
    except store.ProgressError as exc:  # the kernel: not a progress file, left as it is
        said = str(exc)
        assert said.endswith("it is left as it is: set LABKIT_PROGRESS to another path")
    else:  # the kernel: damaged, set aside at its next write; whole records before the damage kept
        (said,) = mine.problems
        kept = {name: r["attempts"] for name, r in mine.records.items()}
        assert kept.items() <= {n: r["attempts"] for n, r in PROGRESS["exercises"].items()}.items()
    assert refused in said and said.startswith(f"{file} ")


def test_a_submitted_time_that_is_no_time_is_one_line_and_ranks_by_the_file(
    tmp_path: Path,
) -> None:
    """'submitted' ranks a learner's own entries (classroom._rank). It was any string, compared
    as text: 'zzz' beat every real hand-in of the learner, and '16:30+08:00' (08:30 UTC) beat
    09:00 UTC. Now a time with its offset is compared in UTC, and anything else is one line
    naming the file, its entry ranked by the file's last change."""
    old = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc).timestamp()

    def entry(name: str, submitted: object, attempts: int) -> Path:
        file = tmp_path / f"ann.{name}.json"
        records = {"500.who-made-it": {"attempts": attempts}}
        progress = {"version": store.VERSION, "user": "ann", "exercises": records}
        data = {"kind": classroom.SUBMISSION_KIND, "version": 1, "user": "ann"}
        file.write_text(json.dumps({**data, "submitted": submitted, "progress": progress}))
        os.utime(file, (old, old))
        return file

    entry("real", "2026-12-06T09:00:00+00:00", 3)  # the newest hand-in
    entry("east", "2026-12-06T16:30:00+08:00", 2)  # 08:30 UTC: older
    bad = [entry("text", "zzz", 1), entry("number", 20261206, 1), entry("naive", "2026-12-07", 1)]
    found = classroom.collect([tmp_path])
    assert found.learners["ann"].snapshot.records["500.who-made-it"]["attempts"] == 3
    assert sorted(found.errors) == sorted(
        f"{file}: 'submitted' must be a time such as 2026-12-06T08:00:00+00:00 (ISO 8601, with "
        f"its offset), not {given}; the file's last change is used instead"
        for file, given in zip(bad, ["'zzz'", "20261206", "'2026-12-07'"], strict=True)
    )


# A learner whose umask is 000 answers once (progress in the default place) and starts a lab
# whose registry goes where LABKIT_RUNTIME_DIR says, three folders that do not exist yet.
UMASK_000 = r"""
import os, sys
os.umask(0)
from labkit.exercises.lesson_500 import q1
print("FEEDBACK", q1.check("gateway").label)
import labkit
lab = labkit.start()
lab.stop()
"""


def test_folders_labkit_makes_are_private_whatever_the_umask(tmp_path: Path) -> None:
    """mkdir(mode=0o700, parents=True) gave the folders above the last one 0777 less the
    umask: with umask 000 ``~/.local`` and ``~/.local/share`` were world-writable, so a
    classmate who could enter the home could move the learner's progress folder aside and
    put their own in its place. Every folder labkit makes is now 0700 (the XDG base
    directory specification's mode); folders that were there are left as they were."""
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    os.chmod(home, 0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("LABKIT_PROGRESS", "XDG_DATA_HOME")}
    env.update(HOME=str(home), LABKIT_RUNTIME_DIR=str(home / "run" / "labkit" / "reg"))
    proc = subprocess.run(
        [sys.executable, "-c", UMASK_000], env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert "FEEDBACK" in proc.stdout
    assert (home / ".local" / "share" / "labkit" / "progress.json").is_file()
    made = [
        home / ".local",
        home / ".local" / "share",
        home / ".local" / "share" / "labkit",
        home / "run",
        home / "run" / "labkit",
        home / "run" / "labkit" / "reg",
    ]
    modes = {str(p.relative_to(home)): oct(p.stat().st_mode & 0o777) for p in made}
    assert modes == {str(p.relative_to(home)): "0o700" for p in made}
    assert oct(home.stat().st_mode & 0o777) == "0o755"  # the home is the learner's: untouched


def test_a_link_another_user_made_is_not_written_through(tmp_path: Path) -> None:
    """LABKIT_PROGRESS pointed into a shared directory where a classmate planted a link to a
    progress file the classmate reads (a directory of theirs anyone may write): the kernel
    says so in one line and writes nothing through it. The learner's own link is followed."""
    if os.geteuid() != 0:
        pytest.skip("needs root to make a link owned by another user (os.lchown)")
    theirs = tmp_path / "theirs.json"
    assert _session(theirs).returncode == 0  # a progress file, as a classmate's would be
    before = theirs.read_text()
    planted = tmp_path / "progress.json"
    planted.symlink_to(theirs)
    os.lchown(planted, 65534, 65534)  # nobody's link
    proc = _session(planted)
    _one_warning(proc, f"goes through {planted}, a link another user made")
    assert theirs.read_text() == before
    assert planted.is_symlink() and os.lstat(planted).st_uid == 65534
    # the learner's own link is followed, as before: written where it points
    os.lchown(planted, os.getuid(), os.getgid())
    proc = _session(planted)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert planted.is_symlink()
    old, new = (json.loads(t)["exercises"] for t in (before, theirs.read_text()))
    assert [r["attempts"] for r in new.values()] == [2 * r["attempts"] for r in old.values()]
