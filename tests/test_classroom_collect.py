"""Submit and collect with real users: learners hand in, an instructor who is not root collects."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import errno
import io
import json
import os
import stat
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sharedhost import shared_dir, shared_python, system_users

from labkit import classroom

pytestmark = pytest.mark.slow

SESSION = r"""
from labkit.exercises.lesson_500 import q1
q1.check("gateway")
q1.hint()
print(bool(q1.check("origin")))
"""


@pytest.fixture(scope="module")
def room():
    python = shared_python()
    with shared_dir() as shared, system_users("teach", "alice", "bob", "cid") as users:
        teacher, alice, bob, cid = users
        course = shared / "course"
        course.mkdir()
        os.chown(course, teacher.uid, teacher.gid)
        env = {
            "PYTHONPATH": str(shared / "pythonpath"),
            "LABKIT_EXCHANGE": str(course / "exchange"),
        }

        def labkit(user, *args, **kw):
            return user.run(
                [str(python), "-m", "labkit", *args], env={**env, **kw.pop("env", {})}, **kw
            )

        def session(user):
            return user.run([str(python), "-c", SESSION], env=env)

        init = labkit(teacher, "exchange", "init", str(course / "exchange"))
        assert init.returncode == 0, init.stderr
        yield {
            "python": python,
            "teacher": teacher,
            "alice": alice,
            "bob": bob,
            "cid": cid,  # never submits
            "course": course,
            "labkit": labkit,
            "session": session,
            "env": env,
        }


def _unchanged(folder) -> dict:
    return {
        p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir()
    }


def _submitted(inbox, name: str) -> list:
    """A learner's submissions (not the live entry the board keeps, labkit/board.py)."""
    return [
        p
        for p in inbox.iterdir()
        if p.name.startswith(name) and not json.loads(p.read_text()).get("live")
    ]


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_learners_submit_and_an_instructor_who_is_not_root_collects(room) -> None:
    alice, bob, teacher, labkit = room["alice"], room["bob"], room["teacher"], room["labkit"]
    assert room["session"](alice).stdout.strip() == "True"
    assert room["session"](bob).stdout.strip() == "True"
    for learner in (alice, bob):
        sub = labkit(learner, "submit")
        assert sub.returncode == 0, sub.stderr
        assert f"only the inbox's owner '{teacher.name}' can read it" in sub.stdout
    inbox = room["course"] / "exchange" / "inbox"
    # a learner can neither list the inbox nor remove or read what is in it
    peek = bob.run(["ls", str(inbox)])
    assert peek.returncode != 0 and "Permission denied" in peek.stderr
    (entry,) = _submitted(inbox, alice.name)
    assert len(entry.name) > len(alice.name) + 32  # an unguessable name
    assert bob.run(["rm", "-f", str(entry)]).returncode != 0 and entry.exists()
    assert bob.run(["sh", "-c", f"echo x > {entry}"]).returncode != 0
    before = _unchanged(inbox)

    out = labkit(teacher, "collect", str(room["course"] / "exchange"))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == ",".join(classroom.COLUMNS) and lines.count(lines[0]) == 1
    rows = _csv(out.stdout)
    assert {r["user"] for r in rows} == {alice.name, bob.name}
    course = {r["exercise"] for r in rows if r["user"] == alice.name}
    assert len(rows) == 2 * len(course)  # one row per learner and exercise
    mine = next(r for r in rows if r["user"] == alice.name and r["exercise"] == "500.who-made-it")
    assert (mine["status"], mine["attempts"], mine["hints_used"]) == ("solved", "2", "1")
    assert mine["owner"] == alice.name and mine["evidence"] == "self-reported"
    assert all(r["status"] == "not tried" for r in rows if r["exercise"] == "503.polite-client")
    assert "progress is self-reported" in out.stderr
    assert _unchanged(inbox) == before  # nothing written or renamed

    as_json = json.loads(labkit(teacher, "collect", "--format", "json", str(inbox)).stdout)
    assert "self-reported" in as_json["note"] and len(as_json["rows"]) == len(rows)


def _squatted(room, name: str) -> tuple[Path, Path]:
    """A directory ``name`` anyone may write (mode 1777, as /tmp) beside the course, and the
    exchange bob made in it before the instructor: his, with an inbox learners can write to
    but not list (1733, as `exchange init` makes one)."""
    open_dir = room["course"].parent / name
    open_dir.mkdir(mode=0o1777)
    open_dir.chmod(0o1777)
    squatted = open_dir / "exchange"
    made = room["bob"].run(
        ["sh", "-c", f"mkdir {squatted} {squatted}/inbox && chmod 1733 {squatted}/inbox"]
    )
    assert made.returncode == 0, made.stderr
    return open_dir, squatted


def test_a_classmate_who_made_the_exchange_first_is_named_to_whoever_submits(room) -> None:
    """A learner who makes the exchange's directories at its path before the instructor
    (in a directory anyone may write, as /tmp) owns the inbox: they list it and read every
    submission, and each submit still said "only your instructor can read it". It names the
    inbox's owner now; the instructor's own `exchange init` there is refused, naming them.
    Fails before (the line named nobody)."""
    alice, bob, teacher, labkit = room["alice"], room["bob"], room["teacher"], room["labkit"]
    _open_dir, squatted = _squatted(room, "anyone-writes")
    assert room["session"](alice).stdout.strip() == "True"
    sub = labkit(alice, "submit", "--exchange", str(squatted))
    assert sub.returncode == 0, sub.stderr
    assert (
        f"(only the inbox's owner '{bob.name}' can read it: if that is not your instructor, "
        "tell your instructor)" in sub.stdout
    )
    assert bob.run(["sh", "-c", f"cat {squatted}/inbox/{alice.name}.*"]).returncode == 0
    init = labkit(teacher, "exchange", "init", str(squatted))
    assert init.returncode == 1 and f"belongs to '{bob.name}', not to you" in init.stderr


def test_live_progress_goes_to_no_inbox_a_classmate_made_first(room) -> None:
    """Each check sends the learner's progress (code answers too) live into the exchange's
    inbox, without a word: into an inbox a classmate made first, in a directory anyone may
    write, it went unseen. It goes now only into an inbox that only root or its owner could
    have put there; elsewhere the learner is told once, in one line of their language, and
    the instructor's `exchange init` in such a place says the board will not see it. The
    instructor's exchange (in a directory of theirs, in root's) still gets it.
    Fails before (alice's live entry was in bob's inbox; no line)."""
    alice, bob, teacher, labkit = room["alice"], room["bob"], room["teacher"], room["labkit"]
    open_dir, squatted = _squatted(room, "anyone-writes-live")
    for lang, said in (
        ("en", f"the inbox {squatted}/inbox may be a classmate's, not your instructor's"),
        ("zh-CN", f"收件箱 {squatted}/inbox 可能是某个同学的"),
    ):
        env = {**room["env"], "LABKIT_EXCHANGE": str(squatted), "LABKIT_LANG": lang}
        done = alice.run([str(room["python"]), "-c", SESSION], env=env)
        assert done.returncode == 0 and done.stdout.strip() == "True", done.stderr
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and said in lines[0], done.stderr  # once for three events
        assert f"'{bob.name}'" in lines[0] and "Traceback" not in done.stderr
    listed = bob.run(["ls", "-A", str(squatted / "inbox")])
    assert listed.returncode == 0 and listed.stdout == "", listed.stdout
    # the instructor's own exchange (course/ is theirs, in root's 0755 directory) gets it
    ok = alice.run([str(room["python"]), "-c", SESSION], env=room["env"])
    assert ok.returncode == 0 and ok.stderr == "", ok.stderr
    inbox = room["course"] / "exchange" / "inbox"
    assert any(json.loads(p.read_text()).get("live") for p in inbox.glob(f"{alice.name}.*"))
    # an instructor who makes the exchange where anyone may write is told
    mine = open_dir / "teachers-exchange"
    init = labkit(teacher, "exchange", "init", str(mine))
    assert init.returncode == 0, init.stderr
    assert (
        "note: learners' live progress (`labkit board`, drills) will not be sent here: "
        f"{mine} is in {open_dir}, where others may create names too (mode 1777)" in init.stdout
    )
    assert (
        "will not be sent"
        not in labkit(teacher, "exchange", "init", str(room["course"] / "exchange")).stdout
    )


def _let_write(directory: Path, uid: int) -> None:
    """Give user ``uid`` rwx on ``directory`` by a POSIX access ACL, as ``setfacl -m
    u:NAME:rwx`` does (its bytes in system.posix_acl_access, acl(5): so the test needs no
    setfacl); skips where the filesystem keeps no ACLs."""
    undefined = 0xFFFFFFFF
    entries = [(0x01, 7, undefined), (0x02, 7, uid), (0x04, 5, undefined), (0x10, 7, undefined)]
    raw = struct.pack("<I", 2) + b"".join(
        struct.pack("<HHI", *entry) for entry in [*entries, (0x20, 5, undefined)]
    )
    try:
        os.setxattr(directory, "system.posix_acl_access", raw)
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.ENOTSUP):
            pytest.skip(f"the filesystem of {directory} keeps no POSIX ACLs")
        raise


def test_a_directory_whose_acl_lets_a_classmate_write_vouches_for_no_inbox(room) -> None:
    """A directory of root's, mode 0755, where an ACL lets bob create names (``setfacl -m
    u:bob:rwx``): its mode then reads 0775, whose group is root's own, so the exchange an
    instructor made there was vouched for, though bob could have made it first. Its ACL is
    read now: `exchange init` and the learner's kernel say so, naming the entry, and no live
    entry goes there. Fails before (no note; alice's live entry in that inbox)."""
    alice, bob, teacher, labkit = room["alice"], room["bob"], room["teacher"], room["labkit"]
    acl_dir = room["course"].parent / "acl-writes"
    acl_dir.mkdir(mode=0o755)
    acl_dir.chmod(0o755)
    _let_write(acl_dir, bob.uid)
    assert stat.S_IMODE(acl_dir.stat().st_mode) == 0o775  # the group bits: the ACL's mask
    made = bob.run(["mkdir", str(acl_dir / "bobs")])
    assert made.returncode == 0, made.stderr  # the ACL is real: bob may create names there
    exchange = acl_dir / "exchange"
    exchange.mkdir()
    os.chown(exchange, teacher.uid, teacher.gid)
    init = labkit(teacher, "exchange", "init", str(exchange))
    assert init.returncode == 0, init.stderr
    assert (
        "note: learners' live progress (`labkit board`, drills) will not be sent here: "
        f"{exchange} is in {acl_dir}, whose access control list lets others create names too "
        f"(user:{bob.name}:rwx; see getfacl), so it belongs to whoever made it first, here "
        f"'{teacher.name}'" in init.stdout
    ), init.stdout
    env = {**room["env"], "LABKIT_EXCHANGE": str(exchange)}
    done = alice.run([str(room["python"]), "-c", SESSION], env=env)
    assert done.returncode == 0 and done.stdout.strip() == "True", done.stderr
    assert f"the inbox {exchange}/inbox may be a classmate's" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert not any((exchange / "inbox").iterdir())  # no live entry went there


def test_a_forged_identity_and_a_broken_file_are_reported_with_a_failing_exit(room) -> None:
    alice, bob, teacher, labkit = room["alice"], room["bob"], room["teacher"], room["labkit"]
    room["session"](bob)
    forged = labkit(bob, "submit", env={"JUPYTERHUB_USER": alice.name})
    assert forged.returncode == 0
    inbox = room["course"] / "exchange" / "inbox"
    bob.run(["sh", "-c", f'printf \'{{"kind": "labkit-\' > {inbox}/{bob.name}.broken.json'])
    # 200 kB of "[" (Python's JSON parser raised RecursionError: collect ended in a traceback
    # for the whole class) and a name with terminal escapes (they reached the CSV and stderr)
    deep = '{"kind": "labkit-submission", "progress": ' + "[" * 200_000
    escapes = {
        "kind": classroom.SUBMISSION_KIND,
        "user": "\x1b]0;pwned\x07\x1b[2J",
        "progress": {"version": 2, "exercises": {}},
    }
    # and a number of 5,000 digits (Python's int() refuses more than 4,300 by default: its
    # ValueError ended collect in a traceback too)
    number = '{"exercises": {}, "n": ' + "1" * 5000 + "}"
    for name, text in (("deep", deep), ("escapes", json.dumps(escapes)), ("number", number)):
        made = bob.run(["sh", "-c", f"cat > {inbox}/{bob.name}.{name}.json"], input=text)
        assert made.returncode == 0, made.stderr
    # a file name that retitles the terminal and clears its screen (printed in each error),
    # and 300 with a newline: each was a line of its own (10,000 made in 3 s, 1.3 MB of
    # stderr at each collect and in each refresh of the board)
    titled = "\x1b]0;pwned\x07\x1b[2J.json"
    made = bob.run(["sh", "-c", 'printf "{" > "$0"', str(inbox / titled)])
    assert made.returncode == 0, made.stderr
    lines = f'for n in $(seq 300); do printf "{{" > "$0/{bob.name}.$n\n.json"; done'
    made = bob.run(["sh", "-c", lines, str(inbox)])
    assert made.returncode == 0, made.stderr
    try:
        out = labkit(teacher, "collect", str(inbox))
    finally:
        for p in inbox.iterdir():
            if p.name.startswith(f"{bob.name}.") and "\n" in p.name:
                p.unlink()
    assert out.returncode == 1
    assert f"the record says {alice.name!r} but the file belongs to {bob.name!r}" in out.stderr
    assert f"{bob.name}.broken.json is damaged" in out.stderr
    assert f"{bob.name}.deep.json is damaged (nested too deeply to read); it was" in out.stderr
    assert f"{bob.name}.escapes.json: user must be a short printable name" in out.stderr
    digits = f"{sys.get_int_max_str_digits():,}"  # 4,300 unless PYTHONINTMAXSTRDIGITS says
    assert f"{bob.name}.number.json is damaged (a number of more than {digits} digits)" in (
        out.stderr
    )
    unprintable = [line for line in out.stderr.splitlines() if "control characters" in line]
    assert unprintable == [
        f"labkit: error: {inbox}: 301 file names with control characters, of {bob.name!r}, "
        f"such as {titled!a}; none was read"
    ]
    assert "Traceback" not in out.stderr and "\x1b" not in out.stdout + out.stderr
    assert out.stdout.splitlines()[0] == ",".join(classroom.COLUMNS)
    assert bob.name in {r["user"] for r in _csv(out.stdout)}  # the class is still there


def test_a_future_dated_entry_in_another_learners_name_never_replaces_their_row(room) -> None:
    alice, bob, teacher, labkit = room["alice"], room["bob"], room["teacher"], room["labkit"]
    assert room["session"](alice).stdout.strip() == "True"
    assert labkit(alice, "submit").returncode == 0
    inbox = room["course"] / "exchange" / "inbox"
    forged = {
        "kind": classroom.SUBMISSION_KIND,
        "version": 1,
        "user": alice.name,
        "submitted": "2999-01-01T00:00:00+00:00",
        "progress": {"version": 2, "user": alice.name, "exercises": {}},
    }
    fake = inbox / f"{alice.name}.{'f' * 32}.json"
    made = bob.run(["sh", "-c", f"cat > {fake}"], input=json.dumps(forged))
    assert made.returncode == 0, made.stderr
    try:
        out = labkit(teacher, "collect", str(inbox))
    finally:
        fake.unlink()  # it would be bob's newest entry (year 2999) in the tests after this
    assert out.returncode == 1  # reported as an error ...
    assert f"{fake}: the record says {alice.name!r} but the file belongs to {bob.name!r}" in (
        out.stderr
    )
    rows = [r for r in _csv(out.stdout) if r["user"] == alice.name]
    # ... and alice's row is still her own entry, not the newer-claiming forged one
    assert rows and all(r["owner"] == alice.name and r["source"] != str(fake) for r in rows)
    mine = next(r for r in rows if r["exercise"] == "500.who-made-it")
    assert mine["status"] == "solved"


def test_homes_an_instructor_cannot_read_are_errors_not_empty_rows(room) -> None:
    alice, bob, teacher, labkit = room["alice"], room["bob"], room["teacher"], room["labkit"]
    room["session"](alice)
    out = labkit(teacher, "collect", str(alice.home), str(bob.home))
    assert out.returncode == 1 and out.stdout.splitlines() == [",".join(classroom.COLUMNS)]
    assert f"cannot read the directory {alice.home}: Permission denied" in out.stderr


def test_root_collects_homes_with_each_learner_named_by_their_record(room, tmp_path) -> None:
    alice, bob = room["alice"], room["bob"]
    room["session"](alice)
    room["session"](bob)
    files = [u.home / ".local/share/labkit/progress.json" for u in (alice, bob)]
    before = [(f.stat().st_mtime_ns, f.stat().st_ino, f.read_bytes()) for f in files]
    env = {k: v for k, v in os.environ.items() if k != "LABKIT_PROGRESS"}
    out = subprocess.run(
        [sys.executable, "-m", "labkit", "collect", str(alice.home), str(bob.home)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    rows = _csv(out.stdout)
    assert {r["user"] for r in rows} == {alice.name, bob.name}  # never "root"
    assert all(r["user"] == r["owner"] for r in rows)
    assert [(f.stat().st_mtime_ns, f.stat().st_ino, f.read_bytes()) for f in files] == before


def test_a_home_without_a_lab_yet_is_a_home_not_an_inbox() -> None:
    """A learner who never started a lab has no ~/.local: their JSON files are not read
    as submissions (a package.json was an error line, a ``{}`` 45 "not tried" rows)."""
    with system_users("dan") as (dan,):
        for name, text in (("package.json", '{"name": "site"}'), ("tsconfig.json", "{}")):
            (dan.home / name).write_text(text)
            os.chown(dan.home / name, dan.uid, dan.gid)
        out = subprocess.run(
            [sys.executable, "-m", "labkit", "collect", str(dan.home)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert out.stdout.splitlines() == [",".join(classroom.COLUMNS)]
    assert out.stderr.splitlines()[0] == (
        f"labkit: note: {dan.home}: no progress file (nothing tried yet)"
    ), out.stderr
    assert "error" not in out.stderr and out.returncode == 0, out.stderr


def _link_refused(path, link, owner) -> str:
    return (
        f"labkit: error: {path} was not read: {link} is a symbolic link owned by {owner!r} "
        "(collect follows only links owned by root or you: a learner's may lead to someone "
        "else's files)"
    )


# bob, swapping his progress folder for a link to root's and back (rename(2) is atomic),
# until his stdin closes
SWAPPER = """
import os, sys, threading
folder, real, link = sys.argv[1:]
stop = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
os.rename(folder, real)
print("swapping", flush=True)
while not stop.is_set():
    os.rename(link, folder)
    os.rename(folder, link)
    os.rename(real, folder)
    os.rename(folder, real)
os.rename(real, folder)
"""


def test_root_never_follows_a_learners_link_on_the_way_to_a_progress_file(room, tmp_path) -> None:
    """Root collecting home directories opened ~/.local/share/labkit/progress.json by its
    path: only its last name was not followed. alice, who linked ~/.local to a folder of
    root's, made root's file (naming cid, who never tried anything) cid's row; cid, who
    linked his progress folder to bob's, gave bob's progress under cid's home. A link of
    root's on the way (the host's /home -> /data/home) is still followed, and a link bob
    swaps in and out while collect runs is never followed."""
    alice, bob, cid = room["alice"], room["bob"], room["cid"]
    assert room["session"](bob).stdout.strip() == "True"
    roots = tmp_path / "root" / ".local" / "share" / "labkit"
    roots.mkdir(parents=True)
    (roots / "progress.json").write_text(
        json.dumps({"version": 2, "user": cid.name, "exercises": {}})
    )
    homes = tmp_path / "homes"
    homes.symlink_to(bob.home.parent)  # root's link
    bob_home = homes / bob.home.name
    linked = {
        alice: (alice.home / ".local", tmp_path / "root" / ".local"),
        cid: (cid.home / ".local/share/labkit", bob.home / ".local/share/labkit"),
    }
    for user, (link, target) in linked.items():
        script = 'mkdir -p "${0%/*}" && mv -T "$0" "$0.kept"; ln -s "$1" "$0"'
        made = user.run(["sh", "-c", script, str(link), str(target)])
        assert made.returncode == 0, made.stderr
    env = {k: v for k, v in os.environ.items() if k != "LABKIT_PROGRESS"}
    try:
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "labkit",
                "collect",
                *map(str, (alice.home, cid.home, bob_home)),
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
    finally:
        for user, (link, _) in linked.items():
            user.run(["sh", "-c", 'rm "$0" && { mv -T "$0.kept" "$0" || true; }', str(link)])
    assert out.returncode == 1, out.stderr
    progress = ".local/share/labkit/progress.json"
    lines = out.stderr.splitlines()
    assert _link_refused(alice.home / progress, alice.home / ".local", alice.name) in lines
    assert _link_refused(cid.home / progress, linked[cid][0], cid.name) in lines
    rows = _csv(out.stdout)
    assert {r["user"] for r in rows} == {bob.name}  # no cid (root's file), no second bob
    assert {r["source"] for r in rows} == {str(bob_home / progress)}

    # swapped while collect runs: a look and a read in between found the link
    folder = bob.home / ".local/share/labkit"
    made = bob.run(["ln", "-s", str(roots), f"{folder}.link"])
    assert made.returncode == 0, made.stderr
    swapper = bob.popen(
        [str(room["python"]), "-c", SWAPPER, str(folder), f"{folder}.real", f"{folder}.link"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    refused = _link_refused(bob.home / progress, folder, bob.name)[len("labkit: error: ") :]
    absent = f"cannot read {bob.home / progress}: No such file or directory"  # mid-swap
    seen: set[str] = set()
    try:
        assert swapper.stdout.readline() == "swapping\n"
        deadline = time.monotonic() + 30  # a generous bound: both are seen within a second
        while not {"bob", "refused"} <= seen and time.monotonic() < deadline:
            found = classroom.collect([bob.home])
            assert set(found.learners) <= {bob.name}, found.learners  # never cid's (root's)
            assert set(found.errors) <= {refused, absent}, found.errors
            if found.learners:
                assert found.learners[bob.name].path == bob.home / progress
                seen.add("bob")
            seen |= {"refused"} if refused in found.errors else set()
    finally:
        swapper.communicate("", timeout=30)
        bob.run(["rm", f"{folder}.link"])
    assert seen == {"bob", "refused"}
    assert folder.is_dir() and not folder.is_symlink()


def test_one_account_owning_every_entry_is_said_not_taken_as_checked(room) -> None:
    """A container spawner (DockerSpawner, KubeSpawner) runs every learner as the image's
    one user (jovyan), and a shared exchange holds only that user's files: the owner check
    cannot tell learners apart. An instructor in such a container (jovyan too) got every
    entry as a copy of their own, exit 0, as though each name had been checked; another
    instructor got one row, 'jovyan', and a line per entry. Both get one line, exit 1, a row
    per learner named; names that are accounts of this host stay checked."""
    teacher, alice, bob, labkit = room["teacher"], room["alice"], room["bob"], room["labkit"]
    with system_users("jovyan") as (jovyan,):
        folder = room["course"] / "containers"
        folder.mkdir(mode=0o755)
        os.chown(folder, jovyan.uid, jovyan.gid)
        ann, ben = f"ann-{jovyan.name}", f"ben-{jovyan.name}"  # hub names, no account here
        for n, name in enumerate((ann, ben, ben)):
            _plant(
                jovyan,
                folder / f"{name}.{n:032}.json",
                _entry(name, f"2026-01-0{n + 1}T00:00:00+00:00"),
            )
        said = (
            f"labkit: error: all 3 entries read belong to one account, {jovyan.name!r}, and "
            "name 2 learners: the owner cannot tell learners apart (a container spawner such "
            "as DockerSpawner or KubeSpawner with a shared exchange runs every learner as one "
            "user), so each entry counts for the learner it names, unchecked"
        )
        for instructor in (teacher, jovyan):
            out = labkit(instructor, "collect", str(folder))
            assert out.returncode == 1 and said in out.stderr.splitlines(), out.stderr
            assert out.stderr.count("error:") == 1
            sources = {r["user"]: r["source"] for r in _csv(out.stdout)}
            assert sources == {
                ann: f"{folder}/{ann}.{0:032}.json",
                ben: f"{folder}/{ben}.{2:032}.json",
            }
        # names that are accounts of this host: an entry in another's name, as before
        for n, name in enumerate((alice.name, bob.name)):
            _plant(
                jovyan,
                folder / f"{name}.{n + 3:032}.json",
                _entry(name, "2026-01-09T00:00:00+00:00"),
            )
        out = labkit(teacher, "collect", str(folder))
        assert out.returncode == 1 and "belong to one account" not in out.stderr
        assert f"the record says {alice.name!r} but the file belongs to {jovyan.name!r}" in (
            out.stderr
        )
        assert {r["user"] for r in _csv(out.stdout)} == {jovyan.name}  # each is jovyan's


def test_submit_refuses_an_inbox_others_can_list(tmp_path, monkeypatch) -> None:
    ex = tmp_path / "exchange"
    (ex / "inbox").mkdir(parents=True)
    (ex / "inbox").chmod(0o777)
    monkeypatch.setenv("LABKIT_EXCHANGE", str(ex))
    out = subprocess.run(
        [sys.executable, "-m", "labkit", "submit"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 1
    assert out.stderr.strip() == (
        f"labkit: error: the inbox {ex / 'inbox'} has mode 0777: others could list or remove "
        f"submissions; its owner must run `labkit exchange init {ex}` (mode 1733)"
    )
    # a right inbox, but nothing checked yet: refused, so it never hides an earlier submission
    (ex / "inbox").chmod(0o1733)
    monkeypatch.setenv("LABKIT_PROGRESS", str(tmp_path / "progress.json"))
    out = subprocess.run(
        [sys.executable, "-m", "labkit", "submit"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 1
    assert out.stderr.startswith(
        f"labkit: error: nothing to submit: {tmp_path / 'progress.json'} has no checked exercise"
    )
    assert len(out.stderr.splitlines()) == 1 and os.listdir(ex / "inbox") == []
    # a name that cannot name an entry: a right-to-left override (U+202E) turned it around in
    # every terminal and collect never read it, '/' failed with ENOENT; both said "submitted"
    checked = subprocess.run(
        [sys.executable, "-c", "from labkit.exercises.lesson_500 import q1; q1.check('origin')"],
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k != "LABKIT_EXCHANGE"},  # no live entry
    )
    assert checked.returncode == 0, checked.stderr
    for name in ("\u202eann", "a/b", ".hidden", "x" * 101):
        out = subprocess.run(
            [sys.executable, "-m", "labkit", "submit"],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "JUPYTERHUB_USER": name},
        )
        assert out.returncode == 1, (name, out.stdout)
        assert out.stderr.startswith(f"labkit: error: your name {name!a} cannot name a ")
        assert len(out.stderr.splitlines()) == 1 and os.listdir(ex / "inbox") == []
    monkeypatch.delenv("LABKIT_EXCHANGE")
    out = subprocess.run(
        [sys.executable, "-m", "labkit", "submit"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 1 and "set LABKIT_EXCHANGE" in out.stderr


def test_drill_answers_with_terminal_escapes_never_reach_the_debrief(room) -> None:
    """The debrief prints learners' answers as given; a hand-written entry's answers held
    ESC ] 0; ... BEL (retitle the terminal) and ESC [2J (clear it)."""
    bob, teacher, labkit = room["bob"], room["teacher"], room["labkit"]
    exchange = room["course"] / "exchange"
    assert labkit(teacher, "drill", "start", "escapes").returncode == 0
    try:
        drill_id = json.loads((exchange / "outbox" / "drill.json").read_text())["id"]
        t = dt.datetime.now(dt.timezone.utc).isoformat()
        tries = [{"t": t, "made_by": "\x1b]0;pwned\x07", "cause": "\x1b[2J"}]
        entry = {
            "kind": classroom.SUBMISSION_KIND,
            "user": bob.name,
            "submitted": t,
            "progress": {"version": 2, "user": bob.name, "exercises": {}},
            "drills": {drill_id: {"joined": t, "tries": tries}},
        }
        fake = exchange / "inbox" / f"{bob.name}.{'d' * 32}.json"
        made = bob.run(["sh", "-c", f"cat > {fake}"], input=json.dumps(entry))
        assert made.returncode == 0, made.stderr
        out = labkit(teacher, "drill", "debrief")
        assert out.returncode == 0, out.stderr
        assert f"{bob.name} joined" in out.stdout  # the entry was read ...
        assert "\x1b" not in out.stdout + out.stderr  # ... and its answers were not printed
    finally:
        labkit(teacher, "drill", "stop")


def _plant(user, path, entry: dict) -> None:
    """A file ``user`` writes by hand into the inbox (they may create, not list)."""
    made = user.run(["sh", "-c", 'cat > "$0"', str(path)], input=json.dumps(entry))
    assert made.returncode == 0, made.stderr


def _entry(user: str, submitted: str, **extra) -> dict:
    progress = {"version": 2, "user": user, "exercises": {}}
    return {
        "kind": classroom.SUBMISSION_KIND,
        "user": user,
        "submitted": submitted,
        "progress": progress,
        **extra,
    }


def test_an_entry_in_the_name_of_a_learner_without_one_counts_as_its_writers(room) -> None:
    """bob hands in as cid, who never submitted: that entry was cid's row (and `labkit
    grade` gave cid the points of bob's code), with one line on stderr that an instructor
    of 200 learners does not see among the rest. It counts for bob now: the owner is the
    identity a learner cannot forge."""
    bob, cid, teacher, labkit = room["bob"], room["cid"], room["teacher"], room["labkit"]
    assert room["session"](bob).stdout.strip() == "True"
    sub = labkit(bob, "submit", env={"JUPYTERHUB_USER": cid.name})
    assert sub.returncode == 0, sub.stderr
    inbox = room["course"] / "exchange" / "inbox"
    forged = inbox / sub.stdout.split(" as ", 1)[1].split()[0]
    out = labkit(teacher, "collect", str(inbox))
    assert out.returncode == 1
    assert (
        f"{forged}: the record says {cid.name!r} but the file belongs to {bob.name!r}; it "
        f"counts for {bob.name!r}"
    ) in out.stderr
    rows = _csv(out.stdout)
    assert cid.name not in {r["user"] for r in rows}
    assert {r["source"] for r in rows if r["user"] == bob.name} == {str(forged)}  # his newest


def test_a_name_that_starts_like_a_formula_is_text_in_the_csv_and_the_gradebook(room) -> None:
    """useradd takes '=cls...' as a login name: its CSV cell was a formula when the
    instructor opened class.csv in a spreadsheet (OWASP, CSV injection)."""
    teacher, labkit = room["teacher"], room["labkit"]
    inbox = room["course"] / "exchange" / "inbox"
    with system_users("formula", lead="=") as (eq,):
        try:
            assert room["session"](eq).stdout.strip() == "True"
            sub = labkit(eq, "submit")
            assert sub.returncode == 0, sub.stderr
            out = labkit(teacher, "collect", str(inbox))
            rows = [r for r in _csv(out.stdout) if r["user"].endswith(eq.name)]
            assert rows and all(r["user"] == r["owner"] == f"'{eq.name}" for r in rows)
            cells = [c for line in csv.reader(io.StringIO(out.stdout)) for c in line]
            assert not [c for c in cells if c.startswith(classroom.FORMULA_START)]
            (mine,) = [p for p in _submitted(inbox, eq.name)]
            book = subprocess.run(
                [str(room["python"]), "-m", "labkit", "grade", str(mine)],
                capture_output=True,
                text=True,
                env={"PATH": os.environ["PATH"], "PYTHONPATH": labkit_path(room)},
                timeout=120,
            )
            assert book.returncode == 0, book.stderr
            assert book.stdout.splitlines()[1].startswith(f"'{eq.name},")
        finally:
            for p in inbox.iterdir():
                if p.lstat().st_uid == eq.uid:
                    p.unlink()


def labkit_path(room) -> str:
    return str(room["course"].parent / "pythonpath")


def test_a_learner_keeps_ten_submissions_and_collect_reads_eleven_files_of_anyone(room) -> None:
    """Each `labkit submit` was a new file of up to 4 MB and nothing limited how many: a
    cell running it in a loop (or a student writing files by hand) filled the
    instructor's disk and made collect, grade and each refresh of the board read them all."""
    alice, bob, teacher, labkit = room["alice"], room["bob"], room["teacher"], room["labkit"]
    inbox = room["course"] / "exchange" / "inbox"
    assert room["session"](alice).stdout.strip() == "True"
    said = [labkit(alice, "submit") for _ in range(classroom.MAX_SUBMISSIONS + 2)]
    assert all(s.returncode == 0 for s in said), said[-1].stderr
    assert "in place of your oldest submission (labkit keeps your newest 10" in said[-1].stdout
    assert len(said[-1].stdout.splitlines()) == 1
    hers = [p for p in _submitted(inbox, alice.name) if p.stat().st_uid == alice.uid]
    assert len(hers) == classroom.MAX_SUBMISSIONS  # (bob wrote two in her name, above)
    newest = max(hers, key=lambda p: p.stat().st_mtime_ns)
    # bob writes his own entries by hand, as many as he likes: collect reads his newest 11
    planted = []
    try:
        for n in range(30):
            planted.append(inbox / f"{bob.name}.flood{n:02d}.json")
            _plant(bob, planted[-1], _entry(bob.name, f"2026-01-01T00:00:{n:02d}+00:00"))
        out = labkit(teacher, "collect", str(inbox))
        assert out.returncode == 1
        files = len(
            [
                p
                for p in inbox.iterdir()  # what collect reads (*.json, a printable name)
                if p.lstat().st_uid == bob.uid and p.name.endswith(".json") and p.name.isprintable()
            ]
        )
        assert (
            f"{inbox}: {bob.name!r} has {files} files here, more than labkit submit and the "
            f"board leave (11); only their newest 11 were read"
        ) in out.stderr
        rows = _csv(out.stdout)
        assert {r["source"] for r in rows if r["user"] == bob.name} == {str(planted[-1])}
        assert {r["source"] for r in rows if r["user"] == alice.name} == {str(newest)}
    finally:
        for p in planted:
            p.unlink(missing_ok=True)


DRILL_SESSION = """
import labkit
with labkit.start() as lab:
    drill = labkit.drill.join(lab)
    print(bool(drill.check({"made_by": "origin", "cause": "handler-bug"})))
"""


def test_a_future_dated_join_or_try_is_not_in_the_debrief_timeline(room) -> None:
    """A hand-written entry dated 2999 put '+38125043:32 joined' in the debrief; the
    board's drill table said 'found after' as long. And a learner who joined the drill in
    their notebook and then ran `labkit submit` vanished from the debrief and the board's
    drill table: the submission, their newest entry, did not carry their drill tries."""
    alice, bob, teacher, labkit = room["alice"], room["bob"], room["teacher"], room["labkit"]
    exchange = room["course"] / "exchange"
    assert labkit(teacher, "drill", "start", "future").returncode == 0
    planted = exchange / "inbox" / f"{alice.name}.{'e' * 32}.json"
    try:
        drill_id = json.loads((exchange / "outbox" / "drill.json").read_text())["id"]
        future = "2999-01-01T00:00:00+00:00"
        tries = [{"t": future, "made_by": "gateway", "cause": "timeout"}]
        drills = {drill_id: {"joined": future, "tries": tries}}
        _plant(alice, planted, _entry(alice.name, future, drills=drills))
        joined = bob.run([str(room["python"]), "-c", DRILL_SESSION], env=room["env"], timeout=60)
        assert joined.stdout.strip() == "False", joined.stderr
        assert labkit(bob, "submit").returncode == 0  # his newest entry now
        out = labkit(teacher, "drill", "stop")
        assert out.returncode == 0, out.stderr
        timeline = [line for line in out.stdout.splitlines() if line.startswith("  +")]
        assert timeline and all(line.startswith("  +0:") for line in timeline), timeline
        assert f"{bob.name} joined" in out.stdout and f"{alice.name} joined" not in out.stdout
        assert f"{bob.name} tried origin / handler-bug" in out.stdout
        assert (
            f"{alice.name}: 2 joins or tries dated outside the drill (before its start or "
            "after its end) were not counted"
        ) in out.stdout
        assert "0 of 1 learner(s) who joined solved it." in out.stdout
    finally:
        labkit(teacher, "drill", "stop")
        planted.unlink(missing_ok=True)


def test_on_the_littlest_jupyterhub_each_learner_is_their_jupyter_account(room) -> None:
    """TLJH runs hub user alice as the system user jupyter-alice (longer names cut and
    hashed): every entry was reported as an error and collect always exited 1 there. Each
    learner's entry counts as theirs now, under their hub name; a jupyter-NAME account's
    entry never counts for a system user NAME who exists, nor for another learner."""
    teacher, python = room["teacher"], room["python"]
    exchange = room["course"] / "tljh"
    assert room["labkit"](teacher, "exchange", "init", str(exchange)).returncode == 0
    roles = ("ann", "longlearnername", "ben", "benhub")
    hub = {"ann": "ann", "longlearnername": "longlearnername", "benhub": "ben"}
    with system_users(*roles, tljh=hub) as users:
        ann, long, ben, benhub = users
        # benhub: the hub's account for a hub user of ben's name, who has an account of his own
        assert benhub.name == classroom.tljh_account(ben.name) and benhub.hub == ben.name
        assert ann.name == f"jupyter-{ann.hub}" and len(long.name) == 32
        assert long.name != f"jupyter-{long.hub}"[:32]  # cut to 26, "-" and a hash

        def hand_in(user):
            env = {"PYTHONPATH": room["env"]["PYTHONPATH"], "JUPYTERHUB_USER": user.hub_name}
            assert user.run([str(python), "-c", SESSION], env=env).stdout.strip() == "True"
            env["LABKIT_EXCHANGE"] = str(exchange)  # one entry each: the submission
            sub = user.run([str(python), "-m", "labkit", "submit"], env=env)
            assert sub.returncode == 0, sub.stderr
            return exchange / "inbox" / sub.stdout.split(" as ", 1)[1].split()[0]

        own = {u.hub_name: hand_in(u) for u in (ann, long, ben)}
        out = room["labkit"](teacher, "collect", str(exchange))
        assert out.returncode == 0, out.stderr
        assert "error:" not in out.stderr
        rows = _csv(out.stdout)
        accounts = {u.hub_name: u.name for u in (ann, long, ben)}
        assert {(r["user"], r["owner"]) for r in rows} == set(accounts.items())
        assert {r["user"]: r["source"] for r in rows} == {k: str(v) for k, v in own.items()}

        forged = hand_in(benhub)  # as ben, who has an account of his own
        planted = exchange / "inbox" / f"{long.hub}.{'a' * 32}.json"
        _plant(ann, planted, _entry(long.hub, "2999-01-01T00:00:00+00:00"))
        out = room["labkit"](teacher, "collect", str(exchange))
        assert out.returncode == 1
        errors = [line for line in out.stderr.splitlines() if "error:" in line]
        assert sorted(errors) == sorted(
            [
                f"labkit: error: {forged}: the record says {ben.name!r} but the file belongs "
                f"to {benhub.name!r}; it counts for {benhub.name!r}",
                f"labkit: error: {planted}: the record says {long.hub!r} but the file belongs "
                f"to {ann.name!r}; it counts for {ann.hub!r}",
            ]
        )
        rows = _csv(out.stdout)
        sources = {r["user"]: r["source"] for r in rows}
        # ben's and the long-named learner's rows are their own; ann's newest is what she wrote
        assert sources[ben.name] == str(own[ben.name]) and sources[long.hub] == str(own[long.hub])
        assert sources[ann.hub] == str(planted) and sources[benhub.name] == str(forged)


def test_a_file_with_more_than_one_name_is_never_read(room) -> None:
    """Where fs.protected_hardlinks is 0, a learner can hard-link into the inbox any file
    whose path they can reach, even one they cannot read: a file of the instructor's that
    names a learner counted for that learner without a word. This host has it at 1, so
    root makes the link bob could make there (the link is the same whoever makes it), and
    bob links a file of his own, which the setting allows."""
    bob, cid, teacher, labkit = room["bob"], room["cid"], room["teacher"], room["labkit"]
    inbox = room["course"] / "exchange" / "inbox"
    copy = teacher.home / "copies" / "cid.json"  # the instructor's copy of cid's (no entry)
    made = teacher.run(
        ["sh", "-c", 'mkdir -p "${0%/*}" && cat > "$0"', str(copy)],
        input=json.dumps(_entry(cid.name, "2999-01-01T00:00:00+00:00")),
    )
    assert made.returncode == 0, made.stderr
    theirs = inbox / f"{bob.name}.{'1' * 32}.json"
    os.link(copy, theirs)
    kept = bob.home / "kept.json"
    _plant(bob, kept, _entry(bob.name, "2999-01-01T00:00:00+00:00"))
    his = inbox / f"{bob.name}.{'2' * 32}.json"
    linked = bob.run(["ln", str(kept), str(his)])
    assert linked.returncode == 0, linked.stderr
    folder = inbox / f"{bob.name}.{'3' * 32}.json"  # a directory has two names or more
    assert bob.run(["mkdir", str(folder)]).returncode == 0
    try:
        out = labkit(teacher, "collect", str(inbox))
        alone = labkit(teacher, "collect", str(copy))  # named on the command line
    finally:
        theirs.unlink()
        his.unlink()
        folder.rmdir()
    assert f"labkit: error: {folder} is not a regular file" in out.stderr.splitlines()
    assert out.returncode == 1
    linked = [line for line in out.stderr.splitlines() if "more than one name" in line]
    assert linked == [
        f"labkit: error: {inbox}: 2 files with more than one name (hard links: a learner may "
        f"have linked someone else's files here), such as {theirs.name!a}; none was read"
    ]
    rows = _csv(out.stdout)
    assert cid.name not in {r["user"] for r in rows}
    assert not {r["source"] for r in rows} & {str(theirs), str(his)}
    refused = (
        f"labkit: error: {copy} has 2 names (hard links): it may be a file of someone else's "
        "that a learner linked here; it was not read (labkit writes each entry under one name)"
    )
    assert alone.returncode == 1 and refused in alone.stderr.splitlines()


# bob, changing his own file when told (as he can at any moment): the test tells him while
# collect is between its first and its second read, the moment he would have to hit
CHANGER = """
import os, sys
for line in sys.stdin:
    if line.strip() == "replace":  # a new file renamed over it, as labkit replaces an entry
        with open(sys.argv[1] + ".new", "w") as f:
            f.write("{}")
        os.rename(sys.argv[1] + ".new", sys.argv[1])
        print("done", flush=True)
        continue
    fd = os.open(sys.argv[1], os.O_WRONLY)
    if line.strip() == "grow":  # 100 MB more, sparse: no disk is used
        os.ftruncate(fd, os.fstat(fd).st_size + 100_000_000)
    else:  # one byte written in place: the same size, the same valid JSON
        os.pwrite(fd, b" ", 1)
    os.close(fd)
    print("done", flush=True)
"""


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ("grow", "is larger than 4,000,000 bytes"),
        ("write", "changed while it was read (its owner is writing it); it was not read"),
        # the board's live entry is replaced so at every check: what was read is the whole
        # of the entry it was (c65017c counted its lost name as a change: an error, no row)
        ("replace", None),
    ],
)
def test_a_file_its_owner_changes_while_collect_reads_it_is_not_used(
    room, monkeypatch, change, said
) -> None:
    """collect read a learner's file to its end: one who kept growing it (here 100 MB
    between two reads) made it read past the 4 MB limit for as long as they liked, each
    refresh of the board too; one who wrote into it as it was read gave half of each."""
    bob = room["bob"]
    mine = bob.home / "progress-draft.json"
    entry = json.dumps(_entry(bob.name, "2026-01-01T00:00:00+00:00"))
    made = bob.run(["sh", "-c", 'cat > "$0"', str(mine)], input="{ " + entry[1:] + " " * 200_000)
    assert made.returncode == 0, made.stderr
    changer = bob.popen(
        [str(room["python"]), "-c", CHANGER, str(mine)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    read, told = os.read, []

    def read_and_tell(fd: int, size: int) -> bytes:
        data = read(fd, size)
        if os.readlink(f"/proc/self/fd/{fd}") == str(mine):
            told.append(len(data))
            if len(told) == 1:
                changer.stdin.write(change + "\n")
                changer.stdin.flush()
                assert changer.stdout.readline() == "done\n"
        return data

    try:
        monkeypatch.setattr(os, "read", read_and_tell)
        found = classroom.collect([mine])
        monkeypatch.undo()
    finally:
        changer.kill()
        changer.wait()
    if said is None:
        assert found.errors == [] and found.learners[bob.name].path == mine
    else:
        assert found.errors == [f"{mine} {said}"] and not found.learners
    assert sum(told) <= classroom.store.MAX_BYTES + 1  # not 100 MB


def test_collect_says_when_learners_cannot_hand_in(tmp_path) -> None:
    """An inbox of mode 1730 or 1700 passed the submission's check (nobody but its owner can
    list it) and collect said nothing: the instructor saw a class that never submitted."""
    import grp

    from helpers import labkit_in_process

    exchange = tmp_path / "exchange"
    classroom.init_exchange(exchange)
    inbox = exchange / "inbox"
    assert classroom.collect([exchange]).notes == [f"{inbox}: no submissions or progress files"]
    group = grp.getgrgid(inbox.stat().st_gid).gr_name
    inbox.chmod(0o1730)
    shut = classroom.collect([exchange]).notes
    assert shut[0] == (
        f"the inbox {inbox} has mode 1730: only members of its group {group} can hand in "
        f"there; run `labkit exchange init {exchange}` to let every learner hand in (mode 1733)"
    )
    inbox.chmod(0o1700)
    zh = labkit_in_process("collect", str(exchange), env={"LABKIT_LANG": "zh-CN"})
    assert (
        zh.returncode == 0
        and (
            f"labkit: note: 收件箱 {inbox} 的权限是 1700：没有学员能在那里提交；运行 `labkit "
            f"exchange init {exchange}` 让每个学员都能提交（权限 1733）"
        )
        in zh.stderr.splitlines()
    )
    assert classroom.init_exchange(exchange) == [f"{inbox}: mode 1733"]  # init says it too
    assert len(classroom.collect([exchange]).notes) == 1


DAMAGED_SESSION = r"""
from labkit.exercises.lesson_500 import q1, q2
from labkit.exercises import store
q1.check("gateway")
q2.check("X-Request-ID")  # records are kept in order of id: q2's before q1's
print(store.path())
"""


def test_a_cut_progress_file_counts_its_whole_records_in_kernel_collect_and_grade() -> None:
    """One rule for a damaged progress file: the learner's kernel went on with its whole
    records (store.decode) while `labkit collect` and `labkit grade` read nothing of it (an
    error line, and a learner with progress shown with none). Now collect and grade read
    the same whole records the kernel does, say how many on stderr (exit 1), and the rows'
    evidence says the file was damaged."""
    python = shared_python()
    with shared_dir() as shared, system_users("dan") as (dan,):
        env = {"PYTHONPATH": str(shared / "pythonpath")}
        ran = dan.run([str(python), "-c", DAMAGED_SESSION], env=env, timeout=120)
        assert ran.returncode == 0, ran.stderr
        progress = ran.stdout.strip().splitlines()[-1]
        text = dan.run(["cat", progress]).stdout
        records = json.loads(text)["exercises"]
        assert list(records) == ["500.find-the-traceback", "500.who-made-it"]
        # dan cuts his own file inside the second record (an editor that saved half of it)
        cut = text[: text.index('"500.who-made-it"') + 30]
        assert dan.run(["sh", "-c", f"cat > {progress}"], input=cut).returncode == 0
        kernel = dan.run(
            [str(python), "-c", "from labkit.exercises import store; print(*store.read().records)"],
            env=env,
        )
        assert kernel.stdout.split() == ["500.find-the-traceback"], kernel.stderr
        run = {"PATH": os.environ["PATH"], **env, "LABKIT_LANG": "en"}
        collect = subprocess.run(
            [str(python), "-m", "labkit", "collect", str(dan.home)],
            capture_output=True,
            text=True,
            env=run,
            timeout=120,
        )
        assert collect.returncode == 1
        said = [line for line in collect.stderr.splitlines() if "is damaged" in line]
        assert len(said) == 1 and said[0].startswith(f"labkit: error: {progress} is damaged (")
        assert said[0].endswith("its 1 whole record before the damage was read, the rest was not")
        rows = {r["exercise"]: r for r in _csv(collect.stdout) if r["user"] == dan.name}
        assert rows["500.find-the-traceback"]["status"] == "solved"
        assert rows["500.who-made-it"]["status"] == "not tried"  # past the damage
        assert {r["evidence"] for r in rows.values()} == {
            "self-reported; damaged: 1 records salvaged"
        }
        grade = subprocess.run(
            [str(python), "-m", "labkit", "grade", "--format", "json", str(dan.home)],
            capture_output=True,
            text=True,
            env=run,
            timeout=240,
        )
        assert grade.returncode == 1 and said[0] in grade.stderr.splitlines(), grade.stderr
        points = {r["exercise"]: r for r in json.loads(grade.stdout) if r["user"] == dan.name}
        assert points["500.find-the-traceback"]["points"] == 1  # its kept answer, re-run
        assert points["500.who-made-it"]["result"] == "not re-run"


# -- a file system that never answers --


@contextlib.contextmanager
def never_answering(path: Path, *, file: bool = False, owner: int = 0) -> Iterator[Path]:
    """A FUSE file system mounted at ``path`` (a directory, or a regular file with
    ``file``) that never answers a request: any look inside it (or, for a file, at it)
    blocks until the mount goes. What a learner can make with fusermount3 where it is
    installed (/dev/fuse is 0666 on most hosts; with fuse.conf's user_allow_other, root's
    looks block too); made here by root with mount(2), and no daemon reading /dev/fuse.
    Unmounted after (lazily: the blocked looks then fail with ENOTCONN)."""
    import ctypes

    if os.geteuid() != 0:
        pytest.skip("needs root to mount a file system that never answers")
    libc = ctypes.CDLL(None, use_errno=True)
    try:
        fd = os.open("/dev/fuse", os.O_RDWR)
    except OSError as exc:
        pytest.skip(f"needs /dev/fuse to mount a file system that never answers: {exc}")
    root_mode = "100000" if file else "40000"
    options = f"fd={fd},rootmode={root_mode},user_id={owner},group_id=0,allow_other"
    if libc.mount(b"labkit-test", bytes(path), b"fuse", 0, options.encode()) != 0:
        os.close(fd)
        pytest.skip(f"cannot mount FUSE here: {os.strerror(ctypes.get_errno())}")
    try:
        yield path
    finally:
        libc.umount2(bytes(path), 2)  # MNT_DETACH
        os.close(fd)


def test_a_file_that_never_answers_is_skipped_with_one_line_in_bounded_time(
    tmp_path, monkeypatch
) -> None:
    """A learner with fusermount3 can mount a file system that never answers over their
    ~/.local, their home or their entry in the inbox: collect's look at it blocked until
    the process was killed (no signal but SIGKILL ends it), and `labkit collect`, `labkit
    grade` and the board hung for the whole class. Each look is bounded now: such a path
    is one line naming it, the rest of the class is read. A FIFO at a progress path never
    blocked (opened O_NONBLOCK: 'not a regular file'), and still does not. Fails before:
    collect still running after 60 s."""
    from labkit import grading

    monkeypatch.setattr(classroom, "ANSWER_TIME", 2)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "ann.json").write_text(json.dumps(_entry("ann", "2026-12-06T10:00:00+00:00")))
    (inbox / "bo.json").write_text("")  # the mount point of bo's entry
    os.mkfifo(inbox / "cy.json")
    di = tmp_path / "di"  # a home (it has a ~/.local) whose ~/.local never answers
    (di / ".local").mkdir(parents=True)
    ed = tmp_path / "ed"  # a home that never answers itself
    ed.mkdir()
    stuck = [inbox / "bo.json", di / ".local" / "share" / "labkit" / "progress.json", ed]

    with (
        never_answering(inbox / "bo.json", file=True),
        never_answering(di / ".local"),
        never_answering(ed),
    ):
        found, took = _bounded(lambda: classroom.collect([inbox, di, ed]))
    assert set(found.learners) == {"ann"}
    assert found.errors == [
        f"{inbox / 'bo.json'} did not answer within 2 s (a file system that never answers, "
        "such as a learner's FUSE mount); it was not read",
        f"{inbox / 'cy.json'} is not a regular file",
        *(
            f"{path} did not answer within 2 s (a file system that never answers, such as a "
            "learner's FUSE mount); it was not read"
            for path in stuck[1:]
        ),
    ]
    assert took < 3 * 2 + 10  # one wait each, and no more
    # grade reads with collect: the same, in a fresh place (a path that did not answer is
    # not looked at again by the same process)
    again = tmp_path / "again"
    (again / ".local").mkdir(parents=True)
    with never_answering(again / ".local"):
        (rows, errors, _notes), took = _bounded(lambda: grading.grade([inbox, again]))
    assert {row["user"] for row in rows} == {"ann"}
    assert errors[-1] == (
        f"{again / '.local/share/labkit/progress.json'} did not answer within 2 s (a file "
        "system that never answers, such as a learner's FUSE mount); it was not read"
    )
    assert took < 2 + 10


_FUSE_IN = struct.Struct("<IIQQIIIHH")  # fuse_in_header: len, opcode, unique, nodeid, ...
_FUSE_OUT = struct.Struct("<IiQ")  # fuse_out_header: len, error, unique
_FUSE_ATTR = struct.Struct("<QQQQQQIIIIIIIIII")  # struct fuse_attr


@contextlib.contextmanager
def lying_file(path: Path, content: bytes, says_owner: int, mounter: int) -> Iterator[Path]:
    """A FUSE file system of one regular file at ``path`` that answers, and says the file
    is ``says_owner``'s: what a learner (``mounter``: fusermount3 sets user_id to the
    caller) can mount over their entry in the inbox, where fuse.conf has user_allow_other.
    Its daemon (a thread here) answers INIT, GETATTR, OPEN, READ, FLUSH, RELEASE."""
    import ctypes
    import errno
    import threading

    if os.geteuid() != 0:
        pytest.skip("needs root to mount a FUSE file system")
    libc = ctypes.CDLL(None, use_errno=True)
    try:
        fd = os.open("/dev/fuse", os.O_RDWR)
    except OSError as exc:
        pytest.skip(f"needs /dev/fuse: {exc}")

    def serve() -> None:
        now = int(time.time())
        while True:
            try:
                asked = os.read(fd, 1 << 20)
            except OSError as exc:
                if exc.errno in (errno.EINTR, errno.ENOENT):
                    continue
                return  # unmounted (ENODEV) or closed
            _len, opcode, unique, *_ = _FUSE_IN.unpack_from(asked)
            body, said, error = asked[_FUSE_IN.size :], b"", 0
            if opcode == 26:  # INIT: protocol 7.31
                readahead = struct.unpack_from("<III", body)[2]
                said = struct.pack(
                    "<IIIIHHIIHHII24x", 7, 31, readahead, 0, 16, 12, 1 << 17, 1, 32, 0, 0, 0
                )
            elif opcode == 3:  # GETATTR: a regular file of says_owner's, one name
                attr = (1, len(content), 1, now, now, now, 0, 0, 0, 0o100644, 1, says_owner)
                said = struct.pack("<QII", 0, 0, 0) + _FUSE_ATTR.pack(*attr, says_owner, 0, 4096, 0)
            elif opcode == 14:  # OPEN (FOPEN_DIRECT_IO)
                said = struct.pack("<QIi", 1, 1, 0)
            elif opcode == 15:  # READ
                _fh, offset, size = struct.unpack_from("<QQI", body)
                said = content[offset : offset + size]
            elif opcode not in (25, 18):  # FLUSH and RELEASE: nothing to say
                error = errno.ENOSYS
            with contextlib.suppress(OSError):
                os.write(fd, _FUSE_OUT.pack(_FUSE_OUT.size + len(said), -error, unique) + said)

    options = f"fd={fd},rootmode=100000,user_id={mounter},group_id={mounter},allow_other"
    if libc.mount(b"labkit-test", bytes(path), b"fuse", 0, options.encode()) != 0:
        os.close(fd)
        pytest.skip(f"cannot mount FUSE here: {os.strerror(ctypes.get_errno())}")
    threading.Thread(target=serve, daemon=True).start()
    try:
        yield path
    finally:
        libc.umount2(bytes(path), 2)
        os.close(fd)


def test_a_learners_fuse_mounts_are_refused_before_anything_is_asked(
    room, tmp_path, monkeypatch
) -> None:
    """A learner's FUSE file system (fusermount3 sets user_id to the caller; where
    fuse.conf has user_allow_other, root reads it too) says what its program likes. bob's
    file in the inbox said it was alice's (st_uid) and named her: it counted as alice's
    newest entry (and `labkit grade` as root would re-run its answers as alice). bob's
    200 never-answering entries (fusermount3's mount_max is 1,000) each cost one wait of
    ANSWER_TIME, one after another. Now the kernel's record of who mounted each file system
    is read first: nothing on a learner's mount is asked, one line per learner, alice's own
    entry counts. Fails before: still running after 60 s (200 waits of 2 s); without the
    200, alice's row is bob's file; a PATH argument on bob's mount waited 2 s."""
    monkeypatch.setattr(classroom, "ANSWER_TIME", 2)
    alice, bob = room["alice"], room["bob"]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    hers = inbox / "alice.json"
    hers.write_text(json.dumps(_entry(alice.name, "2026-12-06T10:00:00+00:00")))
    os.chown(hers, alice.uid, alice.gid)
    lie = inbox / "alice.forged.json"
    lie.write_text("")
    os.chown(lie, bob.uid, bob.gid)  # bob's entry, the mount point
    stuck = [inbox / f"bob.{n:03}.json" for n in range(200)]
    home = tmp_path / "bo"  # bob's home (a ~/.local), with a ~/.local that never answers
    (home / ".local").mkdir(parents=True)
    forged = json.dumps(_entry(alice.name, "2026-12-06T11:00:00+00:00")).encode()
    with contextlib.ExitStack() as mounts:
        mounts.enter_context(lying_file(lie, forged, says_owner=alice.uid, mounter=bob.uid))
        assert lie.stat().st_uid == alice.uid  # what the file system says
        for path in stuck:
            path.write_text("")
            mounts.enter_context(never_answering(path, file=True, owner=bob.uid))
        mounts.enter_context(never_answering(home / ".local", owner=bob.uid))
        found, took = _bounded(lambda: classroom.collect([inbox, home]))
        # a PATH argument (`labkit collect /home/*`) is looked at before collecting
        given, looked = _bounded(lambda: classroom.given_paths([str(home / ".local")]))
    assert given == [home / ".local"] and looked < 1
    assert found.learners[alice.name].path == hers
    assert found.errors == [
        f"{inbox}: 201 entries on file systems that {bob.name!r} mounted (FUSE), such as "
        "'alice.forged.json'; none was read",
        f"{home / '.local'} is on a file system that {bob.name!r} mounted (FUSE): its "
        "program, not the kernel, says who owns each file there and what it holds, and may "
        "never answer; it was not read",
    ]
    assert took < 2  # no wait at all


def test_looks_that_never_answer_are_waited_for_side_by_side(tmp_path, monkeypatch) -> None:
    """Paths that never answer on a file system the kernel cannot tell is a learner's (here
    root's own mounts; a network file system whose server is gone) were waited for one
    after another, ANSWER_TIME each: 12 such entries took 24 s with ANSWER_TIME 2. They are
    looked at side by side now (LOOKERS threads), and a process leaves at most MAX_WAITING
    threads waiting on them: past that, a path is not looked at (one line each). Fails
    before: 24 s."""
    import threading

    monkeypatch.setattr(classroom, "ANSWER_TIME", 2)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "ann.json").write_text(json.dumps(_entry("ann", "2026-12-06T10:00:00+00:00")))
    stuck = [inbox / f"bo.{n:02}.json" for n in range(12)]
    with contextlib.ExitStack() as mounts:
        for path in stuck:
            path.write_text("")
            mounts.enter_context(never_answering(path, file=True))
        found, took = _bounded(lambda: classroom.collect([inbox]))
        assert set(found.learners) == {"ann"}
        assert found.errors == [
            f"{path} did not answer within 2 s (a file system that never answers, such as a "
            "learner's FUSE mount); it was not read"
            for path in stuck
        ]
        assert took < 2 * 2 + 2  # 12 looks in two rounds at most, not 12 waits
        # a board's many refreshes: the threads left waiting are bounded
        more = tmp_path / "more"
        more.mkdir()
        again = [more / f"cy.{n:02}.json" for n in range(12)]
        for path in again:
            path.write_text("")
            mounts.enter_context(never_answering(path, file=True))
        waiting = classroom.waiting_looks()
        monkeypatch.setattr(classroom, "MAX_WAITING", waiting + 5)
        threads = threading.active_count()
        found, took = _bounded(lambda: classroom.collect([more]))
        assert threading.active_count() <= threads + 5
    assert classroom.waiting_looks() - waiting <= 5
    said = [line.removeprefix(str(more) + "/").split(" ", 1) for line in found.errors]
    assert [name for name, _ in said] == [path.name for path in again]
    assert {why for _, why in said} == {
        "did not answer within 2 s (a file system that never answers, such as a learner's "
        "FUSE mount); it was not read",
        f"was not looked at: {waiting + 5} earlier looks at file systems that never answered "
        "still hold a thread each (the most labkit leaves waiting)",
    }
    assert took < 2 + 2


def _bounded(call):
    """``call()``'s result and how long it took; a failure past 60 s."""
    import threading

    box: list = []
    worker = threading.Thread(target=lambda: box.append(call()), daemon=True)
    start = time.monotonic()
    worker.start()
    worker.join(60)
    assert box, "still running after 60 s"
    return box[0], time.monotonic() - start


def test_a_folder_given_twice_is_read_once(tmp_path) -> None:
    """An instructor who names the exchange and its inbox (or a home that /home/* already
    gives) had every file read twice and every line about it said twice: 200 learners'
    errors became 400 lines. Fails before: each error and note twice."""
    exchange = tmp_path / "exchange"
    classroom.init_exchange(exchange)
    inbox = exchange / "inbox"
    (inbox / "ann.json").write_text(json.dumps(_entry("ann", "2026-12-06T10:00:00+00:00")))
    (inbox / "bo.json").write_text("{not json")
    home = tmp_path / "cy"
    (home / ".local").mkdir(parents=True)  # a home with no progress file yet
    once = classroom.collect([exchange, home])
    assert set(once.learners) == {"ann"} and len(once.errors) == 1 and len(once.notes) == 1
    for given in ([exchange, inbox, home, home], [inbox, exchange, home, tmp_path / "." / "cy"]):
        again = classroom.collect(given)
        assert (again.errors, again.notes) == (once.errors, once.notes), given
        assert again.learners.keys() == once.learners.keys()


# -- the tests' own shared directories --


def test_a_shared_dir_left_by_a_killed_run_is_removed_by_the_next_one() -> None:
    """A test run killed inside shared_dir() (SIGKILL: no finaliser runs) left
    /tmp/labkit-cls-* (root's, a course exchange inside) for good. The next shared_dir()
    now removes it, and leaves one that a running test holds. Fails before: the killed
    run's directory is still there."""
    import shutil
    import signal

    import sharedhost

    script = (
        f"import sys, time; sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "import sharedhost\n"
        "with sharedhost.shared_dir() as where:\n"
        "    print(where, flush=True); time.sleep(300)\n"
    )
    runs = [
        subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    made: list[Path] = []
    try:
        made += (Path(run.stdout.readline().strip()) for run in runs)
        killed, running = made
        runs[0].send_signal(signal.SIGKILL)
        runs[0].wait(30)
        old = time.time() - 2 * sharedhost.LEFT_AFTER  # as if made a while ago
        for where in (killed, running):
            assert where.is_dir(), where
            os.utime(where, (old, old))
        with shared_dir() as mine:
            assert mine.is_dir()
        assert not killed.exists()
        assert running.is_dir()  # held by a run that is still going
    finally:
        for run in runs:
            run.kill()
            run.wait(30)
            run.stdout.close()
        for where in made:  # the second run's, killed just now
            shutil.rmtree(where, ignore_errors=True)
