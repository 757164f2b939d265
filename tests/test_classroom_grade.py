"""labkit grade re-runs each learner's kept answers, never with the instructor's rights."""

from __future__ import annotations

import contextlib
import csv
import glob
import io
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sharedhost import User, held_dir, shared_dir, shared_python, system_users

from labkit.exercises.lesson_502 import q4

pytestmark = pytest.mark.slow

RIGHT = q4.solution_text.split("q4.check(")[0]
WRONG = "def who_made_it(status, headers):\n    return 'origin'\n"
SPY = """import os

def who_made_it(status, headers):
    stolen = open({secret!r}).read()  # the instructor's file
    raise RuntimeError(f"uid={{os.getuid()}} read {{stolen!r}}")
"""
WRITER = """def who_made_it(status, headers):
    try:  # with the instructor's rights this would change their file
        with open({secret!r}, "w") as f:
            f.write("pwned")
    except OSError:
        pass
    if "labkit-gateway" in headers.get("server", "") and "via" not in headers:
        return "gateway"
    return "origin"
"""
LEARNER = """
import labkit
from labkit.exercises.lesson_502 import q4
from answer import who_made_it
with labkit.start() as lab:
    print(bool(q4.check(who_made_it, lab)))
"""


@pytest.fixture(scope="module")
def room():
    python = shared_python()
    with shared_dir() as shared, system_users("gteach", "gann", "gbo", "gcy", "gdi") as users:
        teacher, *learners = users
        course = shared / "course"
        course.mkdir()
        os.chown(course, teacher.uid, teacher.gid)
        env = {"PYTHONPATH": str(shared / "pythonpath"), "LABKIT_EXCHANGE": str(course / "ex")}
        secret = teacher.home / "grades-draft.txt"
        secret.write_text("B+ for everyone")
        os.chown(secret, teacher.uid, teacher.gid)
        secret.chmod(0o600)
        answers = [RIGHT, WRONG, SPY.format(secret=str(secret)), WRITER.format(secret=str(secret))]
        assert (
            teacher.run(
                [str(python), "-m", "labkit", "exchange", "init", str(course / "ex")], env=env
            ).returncode
            == 0
        )
        verdicts = []
        for learner, answer in zip(learners, answers, strict=True):
            (learner.home / "answer.py").write_text(answer)
            (learner.home / "session.py").write_text(LEARNER)
            subprocess.run(
                ["chown", "-R", f"{learner.uid}:{learner.gid}", str(learner.home)], check=True
            )
            env_l = {**env, "PYTHONPATH": f"{env['PYTHONPATH']}:{learner.home}"}
            out = learner.run([str(python), "session.py"], env=env_l, timeout=120)
            assert out.returncode == 0, out.stderr
            verdicts.append(out.stdout.strip())
            assert learner.run([str(python), "-m", "labkit", "submit"], env=env).returncode == 0
        yield {
            "python": python,
            "teacher": teacher,
            "learners": learners,
            "env": env,
            "exchange": course / "ex",
            "secret": secret,
            "verdicts": verdicts,
        }


def _book(out: str) -> dict[str, dict[str, str]]:
    return {r["user"]: r for r in csv.DictReader(io.StringIO(out))}


@contextlib.contextmanager
def _own_tmp(owner) -> Iterator[Path]:
    """A TMPDIR for one `labkit grade` run, so that what it leaves is counted there: every
    /tmp/labkit-grade-* on the host counted others' runs too (one failure in six beside
    other engineers' tests). Others may pass (a learner's re-run has its home in it). It
    lies in a held_dir, so a run killed before its cleanup leaves it to the next run."""
    with held_dir("labkit-test-grade-") as outer:
        outer.chmod(0o711)
        tmp = outer / "tmp"
        tmp.mkdir()
        os.chown(tmp, owner.uid if owner else 0, owner.gid if owner else 0)
        tmp.chmod(0o711)
        yield tmp


def _scratch_left(tmp: Path) -> list[str]:
    return [p.name for p in tmp.iterdir()]


def test_an_instructor_who_is_not_root_grades_without_lending_their_rights(room) -> None:
    ann, bo, cy, di = room["learners"]
    assert room["verdicts"] == ["True", "False", "False", "True"]  # di's kernel said solved
    with _own_tmp(room["teacher"]) as tmp:
        proc = room["teacher"].run(
            [str(room["python"]), "-m", "labkit", "grade", str(room["exchange"])],
            env={**room["env"], "TMPDIR": str(tmp)},
            timeout=240,
        )
        assert proc.returncode == 0, proc.stderr
        book = _book(proc.stdout)
        assert book[ann.name]["502.who-made-it"] == "1" and book[ann.name]["total"] == "1"
        assert book[bo.name]["502.who-made-it"] == "0"
        assert "502.who-made-it:" in book[bo.name]["failed"]
        assert book[cy.name]["502.who-made-it"] == "0"
        assert "PermissionError" in book[cy.name]["failed"]  # could not read the instructor's file
        assert "B+" not in proc.stdout
        assert book[di.name]["502.who-made-it"] == "1"  # a right answer, that could not write
        assert room["secret"].read_text() == "B+ for everyone"
        assert book[ann.name]["500.who-made-it"] == "-"  # nothing kept to re-run
        assert "re-running each kept answer" in proc.stderr
        assert glob.glob(f"{tmp}/labkit-grade-*") == [] and tmp.exists()  # (the test's own)
        assert _scratch_left(tmp) == []  # each re-run's home is removed after it


def test_root_grades_each_learner_as_that_learner(room) -> None:
    ann, _, cy, _ = room["learners"]
    with _own_tmp(None) as tmp:
        grade = [str(room["python"]), "-m", "labkit", "grade", "--format", "json"]
        proc = subprocess.run(
            [*grade, "--jobs", "4", str(room["exchange"])],  # every learner at once
            capture_output=True,
            text=True,
            env={"PATH": os.environ["PATH"], **room["env"], "TMPDIR": str(tmp)},
            timeout=240,
        )
        assert proc.returncode == 0, proc.stderr
        rows = {(r["user"], r["exercise"]): r for r in json.loads(proc.stdout)}
        spy = rows[cy.name, "502.who-made-it"]
        assert spy["result"] == "failed" and "PermissionError" in spy["message"]
        assert rows[ann.name, "502.who-made-it"]["points"] == 1
        assert room["secret"].read_text() == "B+ for everyone"
        assert _scratch_left(tmp) == []  # removed, though the learner's code wrote in it
    wrong = subprocess.run(
        [*grade, "--jobs", "0", str(room["exchange"])], capture_output=True, text=True, timeout=60
    )
    assert (wrong.returncode, wrong.stderr.splitlines()[0]) == (
        2,  # a command line refused, as every number option's (tests/test_i18n_cli.py)
        "labkit: error: --jobs must be a whole number from 1 to 256, not 0",
    )


def test_a_forged_progress_file_does_not_change_the_grade(room, tmp_path) -> None:
    bo = room["learners"][1]
    inbox = room["exchange"] / "inbox"
    (inbox_entry,) = [
        p
        for p in inbox.iterdir()  # the submission, not the board's live entry
        if p.name.startswith(bo.name) and not json.loads(p.read_text()).get("live")
    ]
    data = json.loads(inbox_entry.read_text())
    rec = data["progress"]["exercises"]["502.who-made-it"]
    rec.update(solved=True, first_success=rec["last_attempt"])
    rec["answer"]["correct"] = True
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(data))
    os.chown(forged, bo.uid, bo.gid)
    proc = _grade_as_root(room, forged)
    assert proc.returncode == 0, proc.stderr
    assert _book(proc.stdout)[bo.name]["502.who-made-it"] == "0"


PLANTER = """import os, sys, time
tmp = sys.argv[1]
while True:  # until the test ends it
    for name in os.listdir(tmp):
        home = os.path.join(tmp, name, "home")  # the re-run's home had this name
        try:
            os.mkfifo(os.path.join(home, "progress.json"))  # a save that never ends
            os.mkdir(os.path.join(home, "run"), 0o755)  # a runtime dir others may read
            print("planted in", home, flush=True)
        except OSError:
            pass
    time.sleep(0.002)
"""


def test_a_learner_cannot_fill_their_re_runs_home_before_it_starts(room) -> None:
    """Root's re-run of ann's answers has a scratch home of ann's in /tmp, made before the
    re-run starts. Named "home" in a directory /tmp lists, ann (from a process of hers that
    nothing confines) found it and filled it first: a FIFO at its progress path, a runtime
    directory of her making. Its name is random now and the directory around it cannot be
    listed. Fails before: 'planted in .../labkit-grade-.../home'."""
    ann = room["learners"][0]
    grade = [str(room["python"]), "-m", "labkit", "grade", "--jobs", "4", str(room["exchange"])]
    with _own_tmp(None) as tmp:
        tmp.chmod(0o755)  # listable, as /tmp is
        planter = ann.popen(
            [str(room["python"]), "-c", PLANTER, str(tmp)], stdout=subprocess.PIPE, text=True
        )
        try:
            proc = subprocess.run(
                grade,
                capture_output=True,
                text=True,
                env={"PATH": os.environ["PATH"], **room["env"], "TMPDIR": str(tmp)},
                timeout=240,
            )
        finally:
            planter.kill()
            planted = planter.communicate(timeout=30)[0]
        assert planted == ""
        assert proc.returncode == 0, proc.stderr
        book = _book(proc.stdout)
        assert (book[ann.name]["502.who-made-it"], book[ann.name]["total"]) == ("1", "1")
        assert _scratch_left(tmp) == []


FORGE_AT_EXIT = """import atexit as atexit
import json as json
def _forge():
    print(json.dumps({{i: {{"points": 1, "message": "ok"}} for i in {ids!r}}}))
@atexit.register
def _registered():
    _forge()
"""
HALF_A_LINE = """import os as os
def who_made_it(status, headers):
    os.write(1, b'{"502.who-made-it": ')  # half a line on the grader's stdout
    raise RuntimeError("\\x1b]0;pwned\\x07\\x1b[2J")
"""

# a kept context's imports ran in the verdict process: venv's __main__ (no __name__ guard)
# ran its command there (exit 2: every exercise of the learner an error), and any installed
# module's import ran code the instructor never chose (JupyterHub's, here)
MAIN_IMPORT = "import venv.__main__ as run_venv\n"
NOT_LOADED = "from json import dumps as dumps\nimport jupyterhub as helper\n"

NAMED_DEFAULT = """def who_made_it(status, headers, gateway=GW, sep=os.sep):
    return "origin"
"""


def test_a_crafted_kept_answer_cannot_write_its_own_verdicts(room, tmp_path) -> None:
    """A learner writes the submission by hand: a kept context that registered an atexit
    handler printed full points after the real verdicts (the grader read the last line);
    a function that wrote half a line made the grader end in a traceback."""
    bo = room["learners"][1]
    ids = ["502.who-made-it", "500.who-made-it", "capstone.incident-1"]

    cases = {
        "atexit": (FORGE_AT_EXIT.format(ids=ids), WRONG),
        "half-line": ("", HALF_A_LINE),
        "default": ("", WRONG.replace("headers)", "headers, seen=print('\\n{}'))")),
        "named-default": ("import os as os\nGW = 'gateway'", NAMED_DEFAULT),
        "main-import": (MAIN_IMPORT, WRONG),
        "not-loaded": (NOT_LOADED, WRONG),
    }
    for name, (context, source) in cases.items():
        crafted = _kept_answer(tmp_path / f"{name}.json", bo, source, context=context)
        proc = _grade_as_root(room, crafted)
        assert "Traceback" not in proc.stderr, (name, proc.stderr)
        assert "\x1b" not in proc.stdout + proc.stderr, name
        row = _book(proc.stdout)[bo.name]
        assert (row["total"], row[ids[0]], row[ids[1]], row[ids[2]]) == ("0", "0", "-", "-"), name
        if name == "atexit":  # refused before anything of it ran
            assert "line 5 of the kept context runs code when it is defined" in row["failed"]
        elif name == "default":
            assert "line 1 of the kept answer runs code when it is defined" in row["failed"]
        elif name == "main-import":  # refused before it was imported
            assert (
                "line 1 of the kept context imports venv.__main__, which grading does not "
                "import (only the standard library, labkit and what labkit uses)" in row["failed"]
            )
        elif name == "not-loaded":
            assert "line 2 of the kept context imports jupyterhub" in row["failed"]
        elif name == "half-line":  # its failure is shown, escaped
            assert "RuntimeError" in row["failed"] and "\\x1b" in row["failed"]
        else:  # a default that names a constant is still re-run: a wrong answer, judged
            assert "wrong for" in row["failed"]


# A kept answer that leaves a file in /dev/shm and makes a POSIX semaphore there (as
# multiprocessing's Lock and Pool do), then answers right
SHM_WRITER = """def who_made_it(status, headers):
    with open({path!r}, "w") as f:
        f.write("left by the re-run")
    with multiprocessing.Lock():
        pass
    if "labkit-gateway" in headers.get("server", "") and "via" not in headers:
        return "gateway"
    return "origin"
"""


def test_roots_re_run_leaves_nothing_in_the_hosts_dev_shm(room, tmp_path) -> None:
    """Root's re-run as the learner was lent the host's /dev/shm (Landlock let it write
    there): a file the learner's code made in it stayed in the machine's memory after
    grading, where others' programs meet it. The re-run now has a /dev/shm of its own,
    mounted while it is still root and gone with it; multiprocessing's semaphores still
    work there (fails before: the file is left on the host)."""
    bo = room["learners"][1]
    left = Path(f"/dev/shm/labkit-grade-test-{os.getpid()}")
    crafted = _kept_answer(
        tmp_path / "shm.json",
        bo,
        SHM_WRITER.format(path=str(left)),
        context="import multiprocessing as multiprocessing\n",
    )
    try:
        proc = _grade_as_root(room, crafted)
        assert not left.exists()
    finally:
        left.unlink(missing_ok=True)
    row = _book(proc.stdout)[bo.name]
    assert row["502.who-made-it"] == "1", (row, proc.stderr)


# Learner code that the learner runs in their own session meanwhile (not a kept answer):
# it finds the grader's re-run of its submission in /proc, takes that process's stdout and
# stderr (the re-run was a process of the learner's uid, dumpable: the kernel let the
# learner take its descriptors, or ptrace it), and writes its own verdicts after the real
# ones once the re-run has ended, with an escape sequence on stderr.
THIEF = r"""import ctypes, json, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
ids = sys.argv[1:]
deadline = time.monotonic() + 150
while time.monotonic() < deadline:
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if not f.read().endswith(b"\0-m\0labkit.grading\0"):
                    continue
            pidfd = os.pidfd_open(int(pid))
        except (OSError, ValueError):
            continue
        # pidfd_getfd (438): a copy of its descriptors, as ptrace would (same rights)
        out = libc.syscall(438, pidfd, 1, 0)
        err = libc.syscall(438, pidfd, 2, 0)
        if out < 0 or err < 0:
            print("refused", os.strerror(ctypes.get_errno()), flush=True)
            sys.exit(0)
        while True:  # until the re-run has printed its verdicts and exited
            try:
                with open(f"/proc/{pid}/stat", "rb") as f:
                    if f.read().rsplit(b")", 1)[1].split()[0] == b"Z":
                        break
            except OSError:
                break
            time.sleep(0.01)
        forged = {i: {"points": 1, "message": "ok"} for i in ids}
        os.write(out, ("\n" + json.dumps(forged) + "\n").encode())
        os.write(err, b"\x1b]0;pwned\x07\n")
        os.close(out)
        os.close(err)
        print("forged", flush=True)
        sys.exit(0)
    time.sleep(0.002)
print("never saw it", flush=True)
"""


def _grade_as_root(room: dict, path: Path) -> subprocess.CompletedProcess[str]:
    """`labkit grade PATH` run by root, as an instructor on the room's host would."""
    return subprocess.run(
        [str(room["python"]), "-m", "labkit", "grade", str(path)],
        capture_output=True,
        text=True,
        env={"PATH": os.environ["PATH"], **room["env"]},
        timeout=240,
    )


def _kept_answer(path: Path, learner: User, source: str, context: str) -> Path:
    """A submission file of ``learner``'s, as they could craft it: 502 q4 ("who made it")
    answered with ``source``, kept for the instructor's `labkit grade` to re-run."""
    code = {"kind": "code", "source": source, "name": "who_made_it", "context": context}
    answer = {"args": [code, {"kind": "lab"}], "correct": True, "t": "2026-01-01T00:00:00+00:00"}
    entry = {
        "kind": "labkit-submission",
        "user": learner.name,
        "progress": {
            "version": 2,
            "exercises": {"502.who-made-it": {"attempts": 1, "answer": answer}},
        },
    }
    path.write_text(json.dumps(entry))
    os.chown(path, learner.uid, learner.gid)
    return path


def test_a_learner_cannot_reach_roots_re_run_of_their_answers(room, tmp_path) -> None:
    """Root re-ran a learner's answers in a process of that learner's uid, which the learner
    could reach from their own session (ptrace, pidfd_getfd): a learner who watched for it
    wrote full points for every exercise after the real verdicts, and an escape sequence
    into the instructor's terminal. The re-run now starts as root and drops to the learner
    itself, which leaves it out of the learner's reach. Fails before: 'forged', 45 points."""
    from labkit.exercises import all_exercises

    bo = room["learners"][1]
    ids = [ex.id for ex in all_exercises()]
    crafted = _kept_answer(tmp_path / "mine.json", bo, WRONG, context="")
    thief = bo.popen([str(room["python"]), "-c", THIEF, *ids], stdout=subprocess.PIPE, text=True)
    try:
        proc = _grade_as_root(room, crafted)
        said = thief.communicate(timeout=160)[0]
    finally:
        thief.kill()
        thief.wait()
    assert "\x1b" not in proc.stdout + proc.stderr
    row = _book(proc.stdout)[bo.name]
    assert (row["total"], row["502.who-made-it"]) == ("0", "0"), (said, row)
    assert said == "refused Operation not permitted\n", said


# A kept answer that tries the instructor's local sockets: an ssh-agent's (a named socket in
# their home) and an abstract one (D-Bus, X11). With a socket of the instructor's session
# bus, code running as the instructor can have systemd start any command as them, unconfined.
KNOCKER = """def who_made_it(status, headers):
    said = []
    for where in ({path!r}, {abstract!r}):
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(where)
            s.sendall(b"from the learner")
            said.append("connected")
        except OSError as exc:
            said.append(type(exc).__name__)
    raise RuntimeError(" ".join(said))
"""
LISTENER = r"""import os, socket, sys
socks = []
for where in sys.argv[1:]:
    s = socket.socket(socket.AF_UNIX)
    s.bind(where.replace("@", "\0", 1) if where.startswith("@") else where)
    s.listen()
    s.settimeout(0.2)
    socks.append(s)
print("ready", flush=True)
sys.stdin.read()  # until the test is done
got = []
for s in socks:
    try:
        got.append(s.accept()[0].recv(100).decode())
    except OSError:
        got.append("-")
print(" ".join(got), flush=True)
"""


def test_a_kept_answer_cannot_reach_the_instructors_local_sockets(room, tmp_path) -> None:
    """An instructor who is not root grades under Landlock, which governs files but not
    connect() to a Unix socket: a kept answer, running as the instructor, talked to their
    ssh-agent's socket and to abstract ones (the session bus: a command run unconfined).
    The re-run now may not create Unix sockets, nor reach abstract ones made outside it.
    Fails before: 'connected connected'."""
    teacher, bo = room["teacher"], room["learners"][1]
    path = str(teacher.home / f"agent.{os.getpid()}.sock")
    abstract = f"\0labkit-test-{os.getpid()}"
    listener = teacher.popen(
        [str(room["python"]), "-c", LISTENER, path, "@" + abstract[1:]],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )

    def source_of(line: str) -> str:
        assert line == "ready\n"
        return KNOCKER.format(path=path, abstract=abstract)

    row, got, _ = _grade_a_knock(room, bo, listener, source_of)
    assert "RuntimeError: PermissionError PermissionError" in row["failed"], row
    assert got == "- -\n"


# A kept answer that knocks on the instructor's local TCP service (their own lab's origin
# would do: its owner check admits the instructor's uid)
TCP_KNOCKER = """def who_made_it(status, headers):
    try:
        s = socket.create_connection(("127.0.0.1", {port}), timeout=2)
        s.sendall(b"from the learner")
        said = "connected"
    except OSError as exc:
        said = type(exc).__name__
    raise RuntimeError(said)
"""
TCP_LISTENER = r"""import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen()
s.settimeout(0.2)
print(s.getsockname()[1], flush=True)
sys.stdin.read()  # until the test is done
try:
    print(s.accept()[0].recv(100).decode() or "-", flush=True)
except OSError:
    print("-", flush=True)
"""


def _grade_a_knock(room, learner, listener, source_of) -> tuple[dict, str, str]:
    """The instructor grades ``learner``'s kept answer, ``source_of`` the listener's first
    line, which knocks on the instructor's ``listener``: the learner's row, what the
    listener got, and grade's stderr."""
    try:
        with held_dir("labkit-test-knock-") as place:
            source = source_of(listener.stdout.readline())
            crafted = _kept_answer(
                place / "knock.json", learner, source, context="import socket as socket\n"
            )
            place.chmod(0o755)
            proc = room["teacher"].run(
                [str(room["python"]), "-m", "labkit", "grade", str(crafted)],
                env=room["env"],
                timeout=240,
            )
            got = listener.communicate("", timeout=30)[0]
    finally:
        listener.kill()
        listener.wait()
    return _book(proc.stdout)[learner.name], got, proc.stderr


def test_a_kept_answer_cannot_reach_the_instructors_local_tcp_services(room, tmp_path) -> None:
    """Under Landlock and seccomp a re-run with the instructor's rights still reached every
    TCP service on 127.0.0.1 that trusts their uid (their own lab: its owner check admits
    them). The re-run now runs in a network of its own (a user and network namespace, where
    the host allows them: here it does), whose loopback holds its own lab and nothing else.
    Fails before: 'connected', and the instructor's service read the learner's bytes."""
    teacher, bo = room["teacher"], room["learners"][1]
    listener = teacher.popen(
        [str(room["python"]), "-c", TCP_LISTENER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    row, got, stderr = _grade_a_knock(
        room, bo, listener, lambda line: TCP_KNOCKER.format(port=int(line))
    )
    assert "RuntimeError: ConnectionRefusedError" in row["failed"], (row, stderr)
    assert got == "-\n"


def test_root_grades_where_seccomp_cannot_keep_unix_sockets(tmp_path) -> None:
    """On a machine where the Unix-socket filter cannot be installed (an architecture it
    does not know), a re-run as the instructor is refused, and root's re-run as the learner
    (whose sockets are theirs) goes on, confined as before. Fails before: both refused."""
    import platform

    from labkit import grading

    said = []
    for as_you in (True, False):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # confining is for good: in a process of its own
            os.close(read)
            platform.machine = lambda: "s390x"  # an architecture the filter does not know
            try:
                grading.confine([], [str(tmp_path)], as_you=as_you)
                os.write(write, b"confined")
            except BaseException as exc:  # never back into pytest from the fork
                os.write(write, str(exc).encode())
            finally:
                os._exit(0)
        os.close(write)
        with os.fdopen(read, "rb") as f:
            said.append(f.read().decode())
        os.waitpid(pid, 0)
    assert said == [
        "cannot keep learner code from your Unix sockets (seccomp) on this machine; run "
        "`labkit grade` as root",
        "confined",
    ]


def test_where_a_re_run_cannot_have_its_own_network_the_instructor_is_told(
    tmp_path, monkeypatch
) -> None:
    """Where the host refuses unprivileged user namespaces (AppArmor's
    restrict_unprivileged_userns, a container's seccomp profile), a re-run with the
    instructor's rights shares their loopback as before: `labkit grade` says so once, with
    what to do, instead of nothing."""
    from labkit import grading

    entry = {
        "kind": "labkit-submission",
        "user": "ann",
        "progress": {
            "version": 2,
            "exercises": {"502.who-made-it": {"attempts": 1, "answer": {"args": []}}},
        },
    }
    (tmp_path / "ann.json").write_text(json.dumps(entry))
    monkeypatch.setattr(grading, "replayable", lambda kept: "")  # every answer re-runs ...
    monkeypatch.setattr(grading, "_run_for", lambda found, answers: ({}, ""))  # ... here
    monkeypatch.setattr(grading.os, "geteuid", lambda: 4242)  # an instructor who is not root
    for possible, said in ((True, []), (False, [grading.SHARED_LOOPBACK.render("en")])):
        monkeypatch.setattr(grading, "own_network_possible", lambda possible=possible: possible)
        _rows, _errors, notes = grading.grade([tmp_path])
        assert notes == said


PLANTED = "import os\nwith open({marker!r}, 'a') as f:\n    f.write(__name__ + ' ' + str(os.geteuid()) + chr(10))\n"


def test_root_never_imports_a_module_a_learner_planted() -> None:
    """Root's `labkit grade` starts each re-run as root and imports labkit before it drops
    to the learner: a `labkit/` package, a sitecustomize or usercustomize, a .pth file or a
    module that shadows the standard library (csv, concurrent) in the learner's home, their
    user site-packages or their re-run's scratch home would run as root if any of those were
    on the re-run's import path. None is: the re-run's working directory is /, its
    PYTHONPATH is labkit's own parent, its HOME the scratch one only after Python started."""
    python = shared_python()
    with held_dir("labkit-test-planted-") as marker_dir:
        marker_dir.chmod(0o1777)
        marker = marker_dir / "ran"
        with shared_dir() as shared, system_users("gev") as (eve,):
            env = {"PYTHONPATH": str(shared / "pythonpath")}
            session = "from labkit.exercises.lesson_500 import q1\nprint(bool(q1.check('origin')))"
            ran = eve.run([str(python), "-c", session], env=env, timeout=120)
            assert ran.stdout.strip() == "True", ran.stderr
            user_site = eve.run(
                [str(python), "-c", "import site; print(site.getusersitepackages())"]
            )
            code = PLANTED.format(marker=str(marker))
            plant = {
                "labkit/__init__.py": code,
                "labkit/grading.py": code,
                "sitecustomize.py": code,
                "usercustomize.py": code,
                "csv.py": code,
                "concurrent/__init__.py": code,
                f"{user_site.stdout.strip()}/labkit/__init__.py": code,
                f"{user_site.stdout.strip()}/usercustomize.py": code,
                f"{user_site.stdout.strip()}/planted.pth": f"import os; exec({code!r})\n",
            }
            for name, text in plant.items():
                path = eve.home / name
                made = eve.run(
                    ["sh", "-c", 'mkdir -p "$(dirname "$0")" && cat > "$0"', str(path)], input=text
                )
                assert made.returncode == 0, made.stderr
            # the plant works where her home is on the path (her own python, run there)
            assert eve.run([str(python), "-c", "import csv, labkit"]).returncode == 0
            assert marker.read_text().splitlines() == [f"csv {eve.uid}", f"labkit {eve.uid}"]
            marker.unlink()
            grade = subprocess.run(
                [str(python), "-m", "labkit", "grade", "--format", "json", str(eve.home)],
                capture_output=True,
                text=True,
                env={"PATH": os.environ["PATH"], **env},
                cwd="/",
                timeout=240,
            )
            assert not marker.exists(), marker.read_text()
            assert grade.returncode == 0, grade.stderr
            rows = {r["exercise"]: r for r in json.loads(grade.stdout) if r["user"] == eve.name}
            assert rows["500.who-made-it"]["points"] == 1  # re-run as eve, all the same
