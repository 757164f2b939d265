"""Shared fixtures: a fresh lab per test, over real sockets on 127.0.0.1.

Every test gets its own runtime directory and progress file, so tests never touch the
user's real ones and parallel runs never see each other's labs.

With ``LABKIT_REQUIRE_ALL=1`` (set by ``.ci/run``) a skipped test is a failure: on CI
every required part (browser, real servers, hub) is installed, so a skip means it broke.

On CPython 3.11.0-3.11.7 (this project's machines run 3.11.7) two threads that build an AST at
once can make one of them raise ``SystemError: AST constructor recursion depth mismatch``
(CPython gh-106905: the depth was counted in state shared by every thread, and the garbage
collector, run by an allocation in the middle, can hand the GIL over; fixed in 3.11.8). Two
threads parsing the ast module's source beside finalizers raised it within 0.25 s in 5 runs of
5 on 3.11.7, and never in 8 s on 3.10.13, 3.12.1 or 3.13.0 (3.12 runs the collector between
bytecodes only; tests/test_conftest.py). A test's
lab runs on threads of the test process, and each of its tracebacks was formatted with
``ast.parse`` (3.11's traceback module places its ``^^^`` marks that way) while pytest parses a
test file (rewriting its asserts at import, or showing where a test failed): a failing assert
in tests/test_hostile.py ended a whole run with that INTERNALERROR. A lab's threads now build
no AST (``errors.traceback_text``, tests/test_ast_race.py: the same race in a learner's
kernel); a test's own threads still may. ``ast.parse`` builds one AST at a time in the test
process on those versions (``_one_ast_at_a_time``); and an INTERNALERROR that is this bug all
the same says so in one line (``pytest_internalerror``).
"""

from __future__ import annotations

import ast
import gc
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import labkit

_ROOT = Path(__file__).resolve().parent.parent

REQUIRE_ALL = os.environ.get("LABKIT_REQUIRE_ALL") == "1"

# CPython gh-106905 (see above): the versions whose AST builder keeps its depth in shared state
AST_RACE = (3, 11) <= sys.version_info < (3, 11, 8)
AST_RACE_WORDS = "AST constructor recursion depth mismatch"


def _one_ast_at_a_time(parse):
    """``ast.parse`` that builds one AST at a time in this process (re-entrant: a finalizer run
    by the garbage collector in the middle may parse too)."""
    building = threading.RLock()

    def parse_alone(*args, **kwargs):
        with building:
            return parse(*args, **kwargs)

    parse_alone.__wrapped__ = parse  # type: ignore[attr-defined]
    return parse_alone


if AST_RACE and not hasattr(ast.parse, "__wrapped__"):
    ast.parse = _one_ast_at_a_time(ast.parse)


@pytest.hookimpl(trylast=True)
def pytest_internalerror(excrepr, excinfo) -> None:
    """The one line that says what an INTERNALERROR from CPython gh-106905 is, after its
    traceback (the terminal's ``INTERNALERROR>`` lines)."""
    if isinstance(excinfo.value, SystemError) and AST_RACE_WORDS in str(excinfo.value):
        version = ".".join(map(str, sys.version_info[:3]))
        sys.stderr.write(
            f"INTERNALERROR is CPython gh-106905 (Python {version}: two threads built an AST at "
            "once; fixed in 3.11.8), not a test's failure: run again, or use a newer "
            "Python\n"
        )


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


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection made (every test module, its tables, the items: 240,000 objects in a
    worker of the quick tier) lives to the end of the run: frozen, the collector no longer
    examines it. Each full collection examined it all, 0.13 s of CPU at load 10: the
    collector's own, and the gc.collect() that tests call on purpose (test_hostile's before
    its asserts, test_bad_input's, test_hygiene's). What the tests make is collected as
    before; a frozen object is never freed by the collector, which nothing here needs."""
    gc.collect()
    gc.freeze()


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
