"""Real system users for the classroom tests: created for a test, removed after it.

Names start with ``cls`` and carry a random part, so parallel runs never share one. Only
root can create users; without root the tests that need them skip and say why (on CI,
LABKIT_REQUIRE_ALL=1 turns that skip into a failure).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pwd
import secrets
import shutil
import stat
import subprocess
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class User:
    name: str
    uid: int
    gid: int
    home: Path
    hub: str = ""  # the name JupyterHub knows them by, where it is not the system user's

    @property
    def hub_name(self) -> str:
        return self.hub or self.name

    def run(self, argv: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
        """Run a command as this user (a clean environment, their home as cwd)."""
        env = {
            "HOME": str(self.home),
            "USER": self.name,
            "LOGNAME": self.name,
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            **kwargs.pop("env", {}),
        }
        return subprocess.run(
            argv,
            user=self.uid,
            group=self.gid,
            extra_groups=[],
            env=env,
            cwd=self.home,
            capture_output=True,
            text=True,
            timeout=kwargs.pop("timeout", 30),
            **kwargs,
        )

    def popen(self, argv: list[str], **kwargs) -> subprocess.Popen:
        env = {
            "HOME": str(self.home),
            "USER": self.name,
            "LOGNAME": self.name,
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            **kwargs.pop("env", {}),
        }
        return subprocess.Popen(
            argv, user=self.uid, group=self.gid, extra_groups=[], env=env, cwd=self.home, **kwargs
        )


def need_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to create real system users (cls...) for the test")
    if shutil.which("useradd") is None:
        pytest.skip("needs useradd to create real system users")


@contextlib.contextmanager
def system_users(
    *roles: str, lead: str = "", tljh: dict[str, str] | None = None
) -> Iterator[list[User]]:
    """One real user per role, with a home of mode 0700; removed (with their homes) after.
    ``lead`` starts each name (useradd takes ``=`` or ``@``: a name a spreadsheet reads
    as a formula). ``tljh`` maps a role to the role whose hub name it is made for as The
    Littlest JupyterHub makes users (``{"ann": "ann"}``): its system user is
    ``classroom.tljh_account(hub name)`` (``jupyter-clsann...``, cut and hashed past 26
    characters) and ``hub`` the name the hub knows."""
    from labkit.classroom import tljh_account

    need_root()
    tag = secrets.token_hex(3)
    made: list[User] = []
    try:
        for role in roles:
            hub = f"{lead}cls{(tljh or {}).get(role, role)[:12]}{tag}"
            name = tljh_account(hub) if role in (tljh or {}) else hub
            user_database(
                ["useradd", "--create-home", "--shell", "/bin/sh", "--user-group", name], name
            )
            entry = pwd.getpwnam(name)
            home = Path(entry.pw_dir)
            home.chmod(0o700)
            made.append(User(name, entry.pw_uid, entry.pw_gid, home, hub if hub != name else ""))
        yield made
    finally:
        for user in made:
            remove_runtime_dir(user)
            try:
                user_database(["userdel", "--remove", user.name], user.name)
            except pytest.fail.Exception as exc:  # never hide the test's own failure
                warnings.warn(str(exc), stacklevel=1)


# useradd and userdel refuse at once while another of them holds /etc/passwd.lock
# (shadow's "cannot lock /etc/passwd; try again later."): under parallel tests, and on a
# shared host where other sessions make users, a test failed on a lock held for a moment
LOCKED = "try again later"
LOCK_WAIT = 30.0  # seconds: longer is a lock nobody will release (an empty one, left behind)


def user_database(
    argv: list[str], name: str, wait: float = LOCK_WAIT
) -> subprocess.CompletedProcess[str]:
    """Run useradd/userdel ``argv`` for user ``name``, again while the user database is
    locked, for at most ``wait`` seconds; a failure names the user and what the tool said."""
    deadline = time.monotonic() + wait
    while True:
        done = subprocess.run(argv, capture_output=True, text=True)
        if done.returncode == 0:
            return done
        if LOCKED not in done.stderr or time.monotonic() >= deadline:
            break
        time.sleep(0.2)
    said = " ".join(done.stderr.split()) or f"exit status {done.returncode}"
    waited = f" (waited {wait:g} s for the lock)" if LOCKED in done.stderr else ""
    pytest.fail(f"{argv[0]} could not make or remove the user {name}: {said}{waited}")


# where labkit run as one of these users registers its labs: control.runtime_dir()'s fallback
# (User.run's clean environment sets neither LABKIT_RUNTIME_DIR, XDG_RUNTIME_DIR nor TMPDIR)
TEMP_DIRS = (Path("/tmp"), Path("/var/tmp"))


def remove_runtime_dir(user: User) -> None:
    """Remove the ``labkit-UID`` directories that ``user`` made, and nothing else.

    userdel --remove removes the home only: each /tmp/labkit-UID of a deleted user stayed
    behind (nine on this host after a day of test runs), owned by a uid nobody has, and
    handed with whatever was in it to the next user given that uid. Only a real directory
    (not a symlink) owned by ``user`` is removed: one of that name that someone else made is
    theirs, and stays."""
    for temp in TEMP_DIRS:
        path = temp / f"labkit-{user.uid}"
        try:
            st = path.lstat()
        except FileNotFoundError:
            continue
        if stat.S_ISDIR(st.st_mode) and st.st_uid == user.uid:
            shutil.rmtree(path)  # never follows a link inside it


# -- a Python environment every user of the host can read --

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path("/var/cache/labkit-tests")  # root's, mode 0755: users read it and cannot change it


def _world_readable(path: Path) -> bool:
    """Whether every directory on the way to ``path`` lets others through."""
    for part in [path, *path.parents]:
        with contextlib.suppress(OSError):
            if not part.stat().st_mode & 0o001:
                return False
    return True


def _requirements() -> list[str]:
    """labkit's dependencies and, from the test extra, JupyterHub (for the hub test)."""
    tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python 3.11")

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    hub = [r for r in project["optional-dependencies"]["test"] if r.startswith("jupyterhub")]
    return [*project["dependencies"], *hub]


def shared_python() -> Path:
    """A python that other users can run, with labkit's dependencies and JupyterHub installed.

    The test's own venv often lives under a home only root can enter (a pyenv python under
    /root): students cannot run it. This builds a venv from a system python under
    /var/cache/labkit-tests (once per set of requirements, reused after) and leaves labkit
    itself out: ``shared_labkit()`` puts a copy of the checkout's package on PYTHONPATH.
    """
    import hashlib

    need_root()
    reqs = _requirements()
    key = hashlib.sha256("\n".join(reqs).encode()).hexdigest()[:12]
    venv = CACHE / f"venv-{key}"
    python = venv / "bin" / "python"
    if python.exists():
        return python
    base = next(
        (
            p
            for p in ("/usr/bin/python3", "/usr/local/bin/python3")
            if os.path.exists(p) and _world_readable(Path(p).resolve().parent)
        ),
        None,
    )
    if base is None:
        pytest.skip("needs a system python3 that every user can run (apt-get install python3-venv)")
    CACHE.mkdir(mode=0o755, parents=True, exist_ok=True)
    # one build at a time: under `make test JOBS=2` two test files on two workers asked for it
    # at once on a new machine, and each built its own (a minute of pip each)
    with open(CACHE / ".building.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not python.exists():
            _build_shared_venv(base, venv, reqs)
    return python


def _build_shared_venv(base: str, venv: Path, reqs: list[str]) -> None:
    """Build the venv under another name, make it whole, then rename it into place: whoever
    sees ``venv`` (shared_python() looks without the lock) sees it finished, its scripts'
    shebangs already naming ``venv``."""
    building = Path(f"{venv}.building-{os.getpid()}")
    subprocess.run([base, "-m", "venv", str(building)], check=True, capture_output=True)
    proc = subprocess.run(
        [str(building / "bin" / "python"), "-m", "pip", "install", "--quiet", *reqs],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        shutil.rmtree(building, ignore_errors=True)
        raise RuntimeError(f"pip could not build the shared environment: {proc.stderr[-800:]}")
    # a venv remembers its own path: its scripts' shebangs and pyvenv.cfg name the final one
    for script in (building / "bin").iterdir():
        if script.is_file() and not script.is_symlink():
            text = script.read_bytes()
            if text.startswith(b"#!") and str(building).encode() in text[:400]:
                script.write_bytes(text.replace(str(building).encode(), str(venv).encode(), 1))
    cfg = building / "pyvenv.cfg"
    cfg.write_text(cfg.read_text().replace(str(building), str(venv)))
    subprocess.run(["chmod", "-R", "go+rX,go-w", str(building)], check=True)
    try:
        building.rename(venv)
    except OSError:  # another session (not under this lock: an older checkout) finished first
        shutil.rmtree(building, ignore_errors=True)


# a directory of held_dir() left behind by a run that was killed (SIGKILL, a CI timeout)
# is removed by the next run once nobody holds it and it has not changed for this long
# (seconds): its maker writes into it at once, and holds it from the moment it is made
LEFT_AFTER = 60.0


@contextlib.contextmanager
def held_dir(prefix: str) -> Iterator[Path]:
    """A new directory in the temp dir (``tempfile.mkdtemp``), removed after; held (flock
    on the directory) while it is in use, so that a later call removes it if the run that
    made it was killed before its cleanup: a killed run left /tmp/labkit-cls-* (root's, a
    course exchange inside) behind for good, and the next runs left theirs beside it."""
    import tempfile

    prune_left_behind(prefix)
    where = Path(tempfile.mkdtemp(prefix=prefix))
    held = os.open(where, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(held, fcntl.LOCK_EX)
        yield where
    finally:
        shutil.rmtree(where, ignore_errors=True)
        os.close(held)


def prune_left_behind(prefix: str) -> list[Path]:
    """Remove the temp dir's ``prefix*`` directories that are yours, held by no process
    (``held_dir``) and unchanged for LEFT_AFTER seconds; returns them. A directory held by
    a run that is still going (a parallel worker, another session's tests) stays."""
    import tempfile

    removed = []
    for path in Path(tempfile.gettempdir()).glob(f"{prefix}*"):
        try:
            st = path.lstat()
            if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
                continue  # someone else's, or not a directory made by mkdtemp
            if time.time() - st.st_mtime < LEFT_AFTER:
                continue
            fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # held: in use
            os.close(fd)
            continue
        try:
            shutil.rmtree(path)  # never follows a link inside it
            removed.append(path)
        except OSError:
            pass
        finally:
            os.close(fd)
    return removed


@contextlib.contextmanager
def shared_dir() -> Iterator[Path]:
    """A root-owned directory (0755) in /tmp that every user can enter, with a copy of the
    checkout's labkit package in ``pythonpath/`` for PYTHONPATH; removed after (by the next
    run if this one is killed: ``held_dir``)."""
    with held_dir("labkit-cls-") as where:
        shutil.copytree(
            ROOT / "labkit",
            where / "pythonpath" / "labkit",
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        subprocess.run(["chmod", "-R", "go+rX,go-w", str(where)], check=True)
        yield where
