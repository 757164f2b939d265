"""The classroom commands' refusals of a bad path: one line of labkit's, in LABKIT_LANG, naming
what was wrong and what to do; never Python's "[Errno 2] No such file or directory: ...", nor
the C library's English inside a Chinese line."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import pytest
from helpers import labkit_in_process
from sharedhost import shared_dir, shared_python, system_users

SESSION = 'from labkit.exercises.lesson_500 import q1\nq1.check("gateway")\n'
_LATIN_WORD = re.compile(r"\b[A-Z]?[a-z]{3,}\b")


def labkit(*args: str, lang: str) -> tuple[int, str]:
    """`labkit ARGS` with LABKIT_LANG=lang: its exit status and its error line."""
    done = labkit_in_process(*args, env={"LABKIT_LANG": lang})
    return done.returncode, done.stderr


def _chinese_only(line: str) -> bool:
    """No English word outside the paths, commands and code a line quotes."""
    bare = re.sub(r"`[^`]*`|/\S*|labkit: error:|mkdir -p|chown|~\S*", "", line)
    return not _LATIN_WORD.findall(bare)


def test_exchange_init_names_the_missing_directory_on_the_way(tmp_path: Path) -> None:
    where = tmp_path / "no" / "such" / "dir"
    code, english = labkit("exchange", "init", str(where), lang="en")
    assert code == 1
    assert english == (
        f"labkit: error: cannot create {where}: {tmp_path / 'no'} does not exist; create "
        f"{where.parent} first (mkdir -p {where.parent}), or give a path in a directory that "
        "exists\n"
    )
    code, chinese = labkit("exchange", "init", str(where), lang="zh-CN")
    assert code == 1
    assert chinese == (
        f"labkit: error: 无法创建 {where}：{tmp_path / 'no'} 不存在；请先创建 {where.parent}"
        f"（mkdir -p {where.parent}），或者给出一个已有目录里的路径\n"
    )
    assert not (tmp_path / "no").exists()


def test_exchange_init_names_a_file_where_a_directory_is_wanted(tmp_path: Path) -> None:
    afile = tmp_path / "notes.txt"
    afile.write_text("x")
    code, line = labkit("exchange", "init", str(afile / "exchange"), lang="en")
    assert (code, line) == (
        1,
        f"labkit: error: cannot create {afile / 'exchange'}: {afile} is a file, not a "
        "directory; give a path in a directory\n",
    )
    code, line = labkit("exchange", "init", str(afile), lang="zh-CN")
    assert (code, line) == (
        1,
        f"labkit: error: {afile} 不是目录：请把它移走，或者给交换目录另选一个地方\n",
    )
    (tmp_path / "ex").mkdir()
    (tmp_path / "ex" / "inbox").write_text("x")
    code, line = labkit("exchange", "init", str(tmp_path / "ex"), lang="en")
    assert (code, line) == (
        1,
        f"labkit: error: {tmp_path / 'ex' / 'inbox'} is not a directory: move it away, or "
        "choose another place for the exchange\n",
    )


def test_exchange_init_refuses_an_empty_path_and_leaves_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    before = tmp_path.stat().st_mode
    code, line = labkit("exchange", "init", "", lang="en")
    assert (code, line) == (
        1,
        "labkit: error: the exchange's path is empty: give a directory, such as "
        "~/course/exchange\n",
    )
    assert list(tmp_path.iterdir()) == [] and tmp_path.stat().st_mode == before


def test_submit_to_a_file_or_a_linked_inbox_says_what_the_exchange_is(tmp_path: Path) -> None:
    afile = tmp_path / "exchange"
    afile.write_text("x")
    code, line = labkit("submit", "--exchange", str(afile), lang="en")
    assert (code, line) == (
        1,
        f"labkit: error: there is no inbox at {afile / 'inbox'}: {afile} is a file, not a "
        "directory; ask your instructor for the exchange's path\n",
    )
    code, line = labkit("submit", "--exchange", str(afile), lang="zh-CN")
    assert code == 1 and "Not a directory" not in line and _chinese_only(line), line
    linked = tmp_path / "linked"
    linked.mkdir()
    (tmp_path / "elsewhere").mkdir(mode=0o1733)
    (linked / "inbox").symlink_to(tmp_path / "elsewhere")
    code, line = labkit("submit", "--exchange", str(linked), lang="en")
    assert (code, line) == (
        1,
        f"labkit: error: the inbox {linked / 'inbox'} is a symbolic link, which labkit does "
        f"not follow; its owner must make it a directory (`labkit exchange init {linked}`)\n",
    )


@pytest.mark.parametrize("command", ["collect", "grade"])
def test_a_path_that_does_not_exist_prints_nothing_but_one_line(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`labkit collect /no/such` printed the CSV's header (an empty table a script would take
    as the class's) before its error; now nothing is read and nothing is on stdout."""
    missing, there = tmp_path / "no" / "such", tmp_path / "exchange"
    there.mkdir()
    done = labkit_in_process(command, str(missing), env={"LABKIT_LANG": "en"})
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"labkit: error: {missing} does not exist; nothing was read: give an exchange or its "
        "inbox, home directories or progress files\n"
    )
    done = labkit_in_process(command, str(missing), str(there), "/no/2", env={"LABKIT_LANG": "en"})
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.startswith(f"labkit: error: {missing}, /no/2 do not exist; nothing was")
    assert done.stderr.count("\n") == 1
    done = labkit_in_process(command, str(missing), env={"LABKIT_LANG": "zh-CN"})
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.startswith(f"labkit: error: {missing} 不存在；")
    assert _chinese_only(done.stderr)
    monkeypatch.chdir(there)  # "" was the working directory, collected unasked
    done = labkit_in_process(command, "", env={"LABKIT_LANG": "en"})
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        "labkit: error: a PATH is empty: give an exchange or its inbox, home directories or "
        "progress files\n"
    )


def test_an_os_error_the_commands_do_not_word_is_one_line_without_errno(tmp_path: Path) -> None:
    """cli.main's last resort: the path and the system's reason, in LABKIT_LANG."""
    from labkit import errors, i18n

    exc = FileNotFoundError(2, os.strerror(2), str(tmp_path / "x"))
    assert i18n.render(errors.os_error(exc), "en") == f"{tmp_path / 'x'}: No such file or directory"
    assert i18n.render(errors.os_error(exc), "zh-CN") == f"{tmp_path / 'x'}：没有那个文件或目录"
    # the catalogue's English is the C library's own words
    for number, msg in errors.OS_REASONS.items():
        assert msg.text == os.strerror(number), number


@pytest.mark.slow
def test_as_real_users_no_permission_is_said_with_whom_to_ask() -> None:
    """An instructor who may not write where they init, a learner who may not enter the
    exchange or write into its inbox, and an instructor who cannot reach a learner's file:
    each one line in the user's language. "[Errno 13] Permission denied: '/srv/x'" and
    "[Errno 13] Permission denied: '.ann.5bdab70741c9a1b5'" were all they said."""
    python = shared_python()
    with shared_dir() as shared, system_users("teach", "ann") as (teacher, ann):
        env = {"PYTHONPATH": str(shared / "pythonpath")}

        def run(user, lang, *args):
            done = user.run([str(python), "-m", "labkit", *args], env={**env, "LABKIT_LANG": lang})
            return done.returncode, done.stderr

        code, line = run(teacher, "en", "exchange", "init", str(shared / "exchange"))
        assert (code, line) == (
            1,
            f"labkit: error: cannot create {shared / 'exchange'}: you may not create it in "
            f"{shared} (Permission denied); choose a directory of your own (such as "
            f"~/course/exchange), or have an administrator create {shared / 'exchange'} and "
            "make it yours (chown)\n",
        )
        code, line = run(teacher, "zh-CN", "exchange", "init", str(shared / "exchange"))
        assert code == 1 and "（权限不够）" in line and _chinese_only(line), line

        exchange = teacher.home / "exchange"
        os.chmod(teacher.home, 0o755)
        assert run(teacher, "en", "exchange", "init", str(exchange))[0] == 0
        session = ann.run([str(python), "-c", SESSION], env=env)
        assert session.returncode == 0, session.stderr
        inbox = exchange / "inbox"

        os.chmod(exchange, 0o700)
        code, line = run(ann, "en", "submit", "--exchange", str(exchange))
        assert (code, line) == (
            1,
            f"labkit: error: you may not enter the inbox {inbox} (Permission denied): the "
            "exchange and every directory above it must let learners through (mode 0711 or "
            "0755); ask your instructor\n",
        )
        code, line = run(ann, "zh-CN", "submit", "--exchange", str(exchange))
        assert code == 1 and "（权限不够）" in line and _chinese_only(line), line

        os.chmod(exchange, 0o755)
        os.chmod(inbox, 0o1730)
        code, line = run(ann, "en", "submit", "--exchange", str(exchange))
        assert (code, line) == (
            1,
            f"labkit: error: you cannot hand in to the inbox {inbox}: it has mode 1730, so "
            f"only members of its group {teacher.name} can hand in there; ask your instructor "
            f"to run `labkit exchange init {exchange}` (mode 1733)\n",
        )
        code, line = run(ann, "zh-CN", "submit", "--exchange", str(exchange))
        assert (code, line) == (
            1,
            f"labkit: error: 你无法提交到收件箱 {inbox}：它的权限是 1730，所以只有它的组 "
            f"{teacher.name} 的成员能在那里提交；请讲师运行 `labkit exchange init {exchange}`"
            "（权限 1733）\n",
        )
        os.chmod(inbox, 0o1700)
        code, line = run(ann, "en", "submit", "--exchange", str(exchange))
        assert (code, line) == (
            1,
            f"labkit: error: you cannot hand in to the inbox {inbox}: it has mode 1700, so no "
            f"learner can hand in there; ask your instructor to run `labkit exchange init "
            f"{exchange}` (mode 1733)\n",
        )
        assert list(inbox.iterdir()) == []
        # a member of the inbox's group hands in to a 1730 inbox, as collect's note says
        os.chown(inbox, teacher.uid, ann.gid)
        os.chmod(inbox, 0o1730)
        code, line = run(ann, "en", "submit", "--exchange", str(exchange))
        assert code == 0, line
        assert len(list(inbox.iterdir())) == 1

        progress = ann.home / ".local" / "share" / "labkit" / "progress.json"
        done = teacher.run([str(python), "-m", "labkit", "collect", str(progress)], env=env)
        assert done.returncode == 1
        assert f"labkit: error: cannot reach {progress}: Permission denied\n" in done.stderr
        done = teacher.run(
            [str(python), "-m", "labkit", "collect", str(progress)],
            env={**env, "LABKIT_LANG": "zh-CN"},
        )
        assert f"labkit: error: 无法访问 {progress}：权限不够\n" in done.stderr


def test_a_reason_from_the_system_is_in_the_learners_language(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    """The progress file's, the board's and the lab registry's lines carried exc.strerror,
    the C library's English, inside a Chinese sentence ("无法读取 F：Not a directory"); now
    errors.os_reason: the catalogue's words for it."""
    import warnings

    from labkit import board, control, errors, i18n
    from labkit.exercises import store

    monkeypatch.setenv("LABKIT_LANG", "zh-CN")
    monkeypatch.delenv("LABKIT_RUNTIME_DIR", raising=False)
    plain = tmp_path / "plain"
    plain.write_text("")
    under = plain / "progress.json"  # ENOTDIR: a path through a regular file
    said: list[str] = []
    with pytest.raises(store.ProgressError) as read:
        store.read(under)
    said.append(str(read.value))
    monkeypatch.setenv("LABKIT_PROGRESS", str(under))
    with pytest.raises(store.ProgressError) as save:
        store.update("500.who-made-it", attempt=True)
    said.append(str(save.value))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(under))
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the fallback: tmp_path/labkit-UID
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert control.runtime_dir() == tmp_path / f"labkit-{os.getuid()}"
        runtime = tmp_path / "runtime"
        runtime.mkdir(mode=0o700)
        (runtime / "lab-1.json").symlink_to(plain)  # ELOOP: O_NOFOLLOW
        monkeypatch.setenv("LABKIT_RUNTIME_DIR", str(runtime))
        assert control.live_labs() == []
    said += [str(w.message) for w in caught]
    (tmp_path / "data").mkdir()
    monkeypatch.setenv("LABKIT_PROGRESS", str(tmp_path / "data" / "progress.json"))
    (tmp_path / "data" / "progress.json.live").mkdir()  # EISDIR: the memo cannot be replaced
    monkeypatch.setenv("LABKIT_EXCHANGE", str(tmp_path / "exchange"))
    board.live()
    said.append(capsys.readouterr().err)
    notdir = errno.ENOTDIR  # the order said above:
    # saving under the file: ENOTDIR when the lock file is opened (mkdir said EEXIST before)
    reasons = [notdir, notdir, notdir, errno.ELOOP, errno.EISDIR]
    assert len(said) == len(reasons), said
    for line, number in zip(said, reasons, strict=True):
        zh = i18n.render(errors.OS_REASONS[number], "zh-CN")
        assert zh in line and os.strerror(number) not in line, line


@pytest.mark.slow
def test_submit_from_a_full_home_hands_in_and_says_what_it_could_not_note() -> None:
    """A learner whose home is full (a quota; here a 48 KiB tmpfs): `labkit submit` wrote
    the entry into the inbox, then failed to save its memo beside the progress file and
    said only "labkit: error: No space left on device" (exit 1): neither that the work was
    handed in nor which file. Now it is handed in (exit 0) and one warning names the memo.
    A read-only home was told to free some space in it: now to set LABKIT_PROGRESS. Fails
    before on the read-only home's advice."""
    import subprocess

    python = shared_python()
    with shared_dir() as shared, system_users("fteach", "full") as (teacher, full):
        exchange = shared / "course" / "exchange"
        exchange.parent.mkdir()
        os.chown(exchange.parent, teacher.uid, teacher.gid)
        env = {"PYTHONPATH": str(shared / "pythonpath"), "LABKIT_EXCHANGE": str(exchange)}
        made = teacher.run(
            [str(python), "-m", "labkit", "exchange", "init", str(exchange)], env=env
        )
        assert made.returncode == 0, made.stderr
        mount = ["mount", "-t", "tmpfs", "-o", f"size=48k,mode=0700,uid={full.uid},gid={full.gid}"]
        subprocess.run([*mount, "tmpfs", str(full.home)], check=True)
        try:
            session = {"PYTHONPATH": env["PYTHONPATH"]}  # no exchange yet: no live entry
            ran = full.run([str(python), "-c", SESSION], env=session, timeout=120)
            assert ran.returncode == 0, ran.stderr
            full.run(["sh", "-c", "head -c 1000000 /dev/zero > filler"])  # the home is full
            sub = full.run([str(python), "-m", "labkit", "submit"], env=env, timeout=120)
            memo = full.home / ".local" / "share" / "labkit" / "progress.json.live"
            assert sub.returncode == 0, sub.stderr
            assert sub.stdout.startswith("submitted 1 exercise record(s) as ")
            assert sub.stderr == (
                "labkit: warning: your submission is handed in, but labkit could not note its "
                f"name in {memo} (No space left on device), so a later submit will not replace "
                "it: free some space in your home\n"
            )
            names = [p.name for p in (exchange / "inbox").iterdir()]
            assert len(names) == 1 and names[0].startswith(f"{full.name}.")
            # a home that is read-only (a mount an administrator made so) was told to free
            # some space in it too
            subprocess.run(["mount", "-o", "remount,ro", str(full.home)], check=True)
            sub = full.run([str(python), "-m", "labkit", "submit"], env=env, timeout=120)
            assert sub.returncode == 0, sub.stderr
            assert sub.stderr == (
                "labkit: warning: your submission is handed in, but labkit could not note its "
                f"name in {memo} (Read-only file system), so a later submit will not replace "
                "it: set LABKIT_PROGRESS to a path you can write (the note is kept beside it)\n"
            )
            assert len(list((exchange / "inbox").iterdir())) == 2
        finally:
            subprocess.run(["umount", str(full.home)], check=True)
