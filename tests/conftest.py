"""Shared fixtures: a fresh lab per test, over real sockets on 127.0.0.1.

Every test gets its own runtime directory and progress file, so tests never touch the
user's real ones and parallel runs never see each other's labs.

With ``LABKIT_REQUIRE_ALL=1`` (set by ``.ci/run``) a skipped test is a failure: on CI
every required part (browser, real servers, hub) is installed, so a skip means it broke.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import labkit

_ROOT = Path(__file__).resolve().parent.parent

REQUIRE_ALL = os.environ.get("LABKIT_REQUIRE_ALL") == "1"


def _in_memory(path: str = "/dev/shm", room: int = 1 << 30) -> bool:
    """Whether ``path`` (a tmpfs on Linux) is writable with ``room`` bytes free: not a
    container's default /dev/shm of 64 MB, which Chromium needs for itself."""
    try:
        free = os.statvfs(path)
    except OSError:
        return False
    return os.access(path, os.W_OK) and free.f_bavail * free.f_frsize >= room


# The tests' temporary directories (tmp_path: progress files, runtime directories) in memory
# where the system has a tmpfs (/dev/shm): each exercise check writes the learner's progress
# file and waits for the disk (store._write's fsync), which on the team's shared disk took
# 5-30 ms a check; test_exercises_answers.py's ~3,000 checks ran 50-84 s on disk and 19-32 s
# here, at load 13. pytest's documented root for them; one already set is kept.
if "PYTEST_DEBUG_TEMPROOT" not in os.environ and _in_memory():
    os.environ["PYTEST_DEBUG_TEMPROOT"] = "/dev/shm"


@pytest.fixture
def lab() -> Iterator[labkit.Lab]:
    with labkit.start() as running:
        yield running


@pytest.fixture(autouse=True)
def no_lab_started_before(monkeypatch):
    """A lab a test started, stopped since, does not choose the next test's language
    (``lab.learner_language``: the lab started last keeps speaking to the learner)."""
    lab_module = sys.modules.get("labkit.lab")  # not imported: no lab was started
    if lab_module is not None:
        monkeypatch.setattr(lab_module, "_last_language", None)


@pytest.fixture(autouse=True)
def progress_file(tmp_path, monkeypatch):
    """Exercise attempts in tests go to a file of their own, never the user's."""
    path = tmp_path / "progress.json"
    monkeypatch.setenv("LABKIT_PROGRESS", str(path))
    return path


@pytest.fixture(autouse=True)
def runtime_dir(tmp_path_factory, monkeypatch):
    """Labs started by a test register in a directory of the test's own (mode 0700)."""
    path = tmp_path_factory.mktemp("runtime")
    path.chmod(0o700)
    monkeypatch.setenv("LABKIT_RUNTIME_DIR", str(path))
    # the lab a developer's shell chose (`eval "$(labkit env)"`) is not the test's
    monkeypatch.delenv("LABKIT_LAB", raising=False)
    return path


# a busy loop that ends by itself when the test run that started it is gone (never an orphan)
BUSY_LOOP = "import os, sys\nwhile os.getppid() == int(sys.argv[1]): pass"


@pytest.fixture
def busy_cores() -> Iterator[None]:
    """Both cores kept busy, as on a classroom hub: timed judges must give the same verdict."""
    procs = [
        subprocess.Popen([sys.executable, "-c", BUSY_LOOP, str(os.getpid())]) for _ in range(2)
    ]
    yield
    for p in procs:
        p.kill()
        p.wait()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that keeps both cores busy runs alone (`make test` runs `serial` tests after the
    others, never beside them): the tests of the other worker would get no core at all."""
    for item in items:
        if "busy_cores" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.serial)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_ALL and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped on CI, where every part is required: {reason}"


@pytest.fixture(scope="session")
def axe() -> Path:
    """axe-core's script, from the project's node_modules or npm's global root (asked here, not
    at collection, so that collecting the suite starts no subprocess)."""
    roots = [_ROOT / "node_modules"]
    npm = shutil.which("npm")
    if npm and not (roots[0] / "axe-core" / "axe.min.js").exists():
        done = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, check=False)
        roots.append(Path(done.stdout.strip()))
    for root in roots:
        if (root / "axe-core" / "axe.min.js").exists():
            return root / "axe-core" / "axe.min.js"
    pytest.skip("no axe-core: npm install --no-save axe-core")
