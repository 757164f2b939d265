"""The lab registry on a shared host: nobody else can read the token or feed `labkit env`.

A lab writes its control token to a registry file so that `labkit ctl` and `labkit env`
can find it. On a shared machine another user can create `/tmp/labkit-UID/` first (mode
0777, files for every port, symlinks) or plant a record; these tests do exactly that,
with a real second system user where the machine lets us (root), and show the token
never lands in the attacker's files and `eval "$(labkit env)"` runs nothing planted.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest
from procguard import run_guarded
from sharedhost import held_dir, user_database

import labkit
from labkit import control
from labkit.errors import LabkitWarning

PY = sys.executable
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


# all `labkit env` prints on stdout when it refuses (for eval: a stopped lab's variables
# emptied, and the eval fails): fixed words, nothing from any record
ENV_REFUSED = "unset ORIGIN ORIGIN_PORT GATEWAY GATEWAY_PORT PORTAL PORTAL_PORT LABKIT_LAB; false\n"


def cli_env(**changes: str | None) -> dict[str, str]:
    env = dict(os.environ)
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run(args: list[str], env: dict[str, str], timeout: float = 20) -> subprocess.CompletedProcess:
    return run_guarded(args, env=env, timeout=timeout)


def labkit_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return run([PY, "-m", "labkit", *args], env)


def start_quietly() -> tuple[labkit.Lab, list[str]]:
    """Start a lab and return it with the texts of the LabkitWarnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lab = labkit.start()
    return lab, [str(w.message) for w in caught if issubclass(w.category, LabkitWarning)]


def registry_files(path: Path) -> list[Path]:
    return sorted(path.glob("lab-*.json"))


# -- as the user themself --


def test_a_new_registry_is_mode_0700_and_its_record_0600(tmp_path, monkeypatch):
    runtime = tmp_path / "deeper" / "run"
    monkeypatch.setenv("LABKIT_RUNTIME_DIR", str(runtime))
    with labkit.start() as lab:
        assert stat.S_IMODE(runtime.stat().st_mode) == 0o700
        (record,) = registry_files(runtime)
        assert stat.S_IMODE(record.stat().st_mode) == 0o600
        assert json.loads(record.read_text())["token"] == lab.control.token
        assert [p.name for p in runtime.iterdir()] == [record.name]  # no partial file left
    assert registry_files(runtime) == []


def test_a_loose_registry_is_refused_with_the_fix_and_the_notebook_lab_still_runs(
    tmp_path, monkeypatch
):
    loose = tmp_path / "run"
    loose.mkdir()
    loose.chmod(0o777)
    monkeypatch.setenv("LABKIT_RUNTIME_DIR", str(loose))
    lab, said = start_quietly()
    try:
        assert lab.get("/orders/7").status == 200
        assert len(said) == 1, said
        assert "will not find this lab" in said[0]
        assert "mode 0777, not 0700" in said[0]
        assert f"chmod 700 {loose}" in said[0]
        assert list(loose.iterdir()) == []
        env = labkit_cli(cli_env(LABKIT_RUNTIME_DIR=str(loose)), "env")
        assert env.returncode == 1 and env.stdout == ENV_REFUSED
        assert env.stderr.count("\n") == 1, env.stderr
        assert env.stderr.startswith("labkit: error: the lab registry")
        assert f"chmod 700 {loose}" in env.stderr
    finally:
        lab.stop()


def test_a_chinese_lab_says_why_its_registry_is_refused_in_chinese(tmp_path):
    # labkit.start(lang="zh-CN") in a fresh kernel with no LABKIT_LANG: the refusal was rendered
    # before the lab counted as running, so in English inside the Chinese line
    # ("…将找不到这个实验室：the lab registry … has mode 0777, not 0700 …")
    loose = tmp_path / "run"
    loose.mkdir()
    loose.chmod(0o777)
    kernel = run(
        [PY, "-c", "import labkit; labkit.start(lang='zh-CN').stop()"],
        cli_env(LABKIT_RUNTIME_DIR=str(loose), LABKIT_LANG=None),
    )
    assert kernel.returncode == 0, kernel.stderr
    assert "将找不到这个实验室" in kernel.stderr
    assert f"实验室登记目录 {loose} 的权限是 0777，而不是 0700" in kernel.stderr, kernel.stderr
    assert "the lab registry" not in kernel.stderr and "not 0700" not in kernel.stderr


def test_serve_refuses_a_loose_registry_before_serving(tmp_path):
    loose = tmp_path / "run"
    loose.mkdir()
    loose.chmod(0o755)
    result = labkit_cli(cli_env(LABKIT_RUNTIME_DIR=str(loose)), "serve", "--json")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "mode 0755, not 0700" in result.stderr and "Traceback" not in result.stderr
    assert list(loose.iterdir()) == []


def test_a_symlinked_registry_is_refused_and_its_target_untouched(tmp_path, monkeypatch):
    target = tmp_path / "elsewhere"
    target.mkdir(mode=0o700)
    link = tmp_path / "run"
    link.symlink_to(target)
    monkeypatch.setenv("LABKIT_RUNTIME_DIR", str(link))
    lab, said = start_quietly()
    lab.stop()
    assert len(said) == 1 and "is a symbolic link" in said[0], said
    assert f"rm {link}" in said[0]
    assert list(target.iterdir()) == []


def test_xdg_runtime_dir_is_used_when_it_is_ours(tmp_path):
    xdg = tmp_path / "xdg"
    xdg.mkdir(mode=0o700)
    env = cli_env(LABKIT_RUNTIME_DIR=None, XDG_RUNTIME_DIR=str(xdg), TMPDIR=str(tmp_path))
    code = "import labkit, os; lab = labkit.start(); print(sorted(os.listdir(%r))); lab.stop()"
    result = run([PY, "-W", "error", "-c", code % str(xdg / "labkit")], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("['lab-") and result.stderr == ""
    assert stat.S_IMODE((xdg / "labkit").stat().st_mode) == 0o700
    assert not (tmp_path / f"labkit-{os.getuid()}").exists()


@pytest.mark.parametrize("problem", ["mode 0755", "missing"])
def test_an_unusable_xdg_runtime_dir_falls_back_with_a_warning(tmp_path, problem):
    xdg = tmp_path / "xdg"
    if problem != "missing":
        xdg.mkdir(mode=0o755)
        xdg.chmod(0o755)
    env = cli_env(LABKIT_RUNTIME_DIR=None, XDG_RUNTIME_DIR=str(xdg), TMPDIR=str(tmp_path))
    fallback = tmp_path / f"labkit-{os.getuid()}"
    code = "import labkit, os; lab = labkit.start(); print(os.listdir(%r)); lab.stop()"
    result = run([PY, "-c", code % str(fallback)], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("['lab-")
    assert f"XDG_RUNTIME_DIR={xdg}" in result.stderr
    assert f"labkit uses {fallback} instead" in result.stderr
    assert not (xdg / "labkit").exists()
    # the terminal says the same in one line and still finds the lab's registry
    env_result = labkit_cli(env, "env")
    assert env_result.stderr.startswith(f"labkit: warning: XDG_RUNTIME_DIR={xdg} ")


@pytest.mark.parametrize("tmpdir", ["unset", "ours", "missing", "a file", "relative"])
def test_the_fallback_is_tempfiles_directory_without_importing_tempfile(tmp_path, tmpdir):
    """Without XDG_RUNTIME_DIR the registry is labkit-UID in the directory
    tempfile.gettempdir() names, found without importing tempfile (shutil, random and a test
    file written in each candidate: 5-10 ms at every start)."""
    (tmp_path / "a-file").write_text("")
    (tmp_path / "sub").mkdir()
    value = {
        "unset": None,
        "ours": str(tmp_path),
        "missing": str(tmp_path / "missing"),
        "a file": str(tmp_path / "a-file"),
        "relative": "sub",  # from the current directory, tmp_path
    }[tmpdir]
    env = cli_env(LABKIT_RUNTIME_DIR=None, XDG_RUNTIME_DIR=None, TMPDIR=value)
    for name in ("TEMP", "TMP"):
        env.pop(name, None)
    code = (
        "import sys; from labkit import control; path = control._fallback(); "
        "imported = 'tempfile' in sys.modules; import tempfile, os; "
        "print(path, imported, os.path.join(tempfile.gettempdir(), f'labkit-{os.getuid()}'))"
    )
    result = subprocess.run(
        [PY, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    ours, imported, tempfiles = result.stdout.split()
    assert (ours, imported) == (tempfiles, "False")


def plant(runtime: Path, name: str, record: dict) -> Path:
    path = runtime / name
    path.write_text(json.dumps(record))
    path.chmod(0o600)
    return path


HOSTILE_URL = "http://127.0.0.1:1/$(touch {m});`touch {m}`;'\"$PWNED"


def hostile_record(marker: Path) -> dict:
    url = HOSTILE_URL.format(m=marker)
    return {
        "pid": os.getpid(),
        "control": url,
        "token": "t",
        "origin": url,
        "gateway": url,
        "portal": url,
    }


def test_env_quotes_every_value_so_eval_runs_nothing(tmp_path, runtime_dir):
    marker = tmp_path / "ran"
    plant(runtime_dir, "lab-1-x.json", hostile_record(marker))
    script = f'eval "$({PY} -m labkit env)" && printf "%s" "$GATEWAY"'
    result = run(["bash", "-c", script], cli_env(PWNED="no"))
    assert result.returncode == 0, result.stderr
    assert not marker.exists()
    assert result.stdout == HOSTILE_URL.format(m=marker)  # the value, as it was written


def test_records_that_are_links_pipes_or_not_lab_records_are_ignored(tmp_path, runtime_dir):
    real = tmp_path / "real.json"
    real.write_text(json.dumps(hostile_record(tmp_path / "ran")))
    (runtime_dir / "lab-1-link.json").symlink_to(real)
    os.mkfifo(runtime_dir / "lab-2-fifo.json")  # opening it for reading must not block
    plant(runtime_dir, "lab-3-pid0.json", {**hostile_record(tmp_path / "ran"), "pid": 0})
    plant(runtime_dir, "lab-4-notes.json", {"my": "notes"})
    (runtime_dir / "lab-5-text.json").write_text("not json")
    started = time.monotonic()
    result = labkit_cli(cli_env(), "env")
    assert time.monotonic() - started < 10
    assert result.returncode == 1 and result.stdout == ENV_REFUSED  # none of theirs
    lines = result.stderr.splitlines()
    assert lines[-1].startswith("labkit: error: no running lab found")
    warned = "\n".join(lines[:-1])
    assert "lab-1-link.json" in warned and "link" in warned
    assert "lab-2-fifo.json in the lab registry: it is not a regular file" in warned
    assert "lab-3-pid0.json in the lab registry: it is not a lab record" in warned
    # nothing is moved or deleted that labkit did not write
    assert sorted(p.name for p in runtime_dir.iterdir()) == [
        "lab-1-link.json",
        "lab-2-fifo.json",
        "lab-3-pid0.json",
        "lab-4-notes.json",
        "lab-5-text.json",
    ]
    assert real.exists()


def test_a_record_of_a_dead_process_is_removed(runtime_dir):
    dead = subprocess.run([PY, "-c", "import os; print(os.getpid())"], capture_output=True)
    record = {**hostile_record(Path("/nonexistent")), "pid": int(dead.stdout)}
    stale = plant(runtime_dir, "lab-9-stale.json", record)
    result = labkit_cli(cli_env(), "env")
    assert "no running lab found" in result.stderr
    assert not stale.exists()


def test_a_record_whose_pid_now_belongs_to_a_younger_process_is_removed(runtime_dir):
    """A killed lab's PID comes back as another process on a busy host: that process,
    alive but started after the record was written, is not the lab."""
    younger = subprocess.Popen([PY, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        killed_lab = {**hostile_record(Path("/nonexistent")), "pid": younger.pid}
        stale = plant(runtime_dir, "lab-9-reused.json", {**killed_lab, "started": 1.0e9})
        result = labkit_cli(cli_env(), "env")
        assert "no running lab found" in result.stderr
        assert not stale.exists()
    finally:
        younger.communicate(b"")


def test_a_registry_of_many_records_is_asked_about_on_one_kernel_socket(runtime_dir, monkeypatch):
    """`labkit env` and `ctl` ask the kernel who listens on each live record's control port
    (a classmate on a stopped lab's port): a NETLINK_SOCK_DIAG socket was opened and closed
    for every record (200 for 200), and /proc/stat read again for each. Now one of each
    per look at the registry; the chosen lab and the stale record's removal are as before."""
    from labkit import control
    from labkit.http import peers

    made, opened = [], []
    real_init, real_open = peers.SockDiag.__init__, open

    def counted_init(self):
        made.append(self)
        real_init(self)

    def counted_open(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(peers.SockDiag, "__init__", counted_init)
    monkeypatch.setattr(control, "_BOOTED_AT", [], raising=False)
    monkeypatch.setattr("builtins.open", counted_open)
    now = time.time()
    for n in range(20):
        urls = {
            key: f"http://127.0.0.1:{40000 + 4 * n + i}"
            for i, key in enumerate(control.RECORD_URLS)
        }
        plant(
            runtime_dir,
            f"lab-{n}.json",
            {"pid": os.getpid(), "started": now + n, "token": "t", **urls},
        )
    plant(runtime_dir, "lab-dead.json", {**hostile_record(runtime_dir / "x"), "pid": 2**22 + 1})
    lab, note = control.find_lab(None)
    assert lab["gateway"] == f"http://127.0.0.1:{40000 + 4 * 19 + 2}" and "20 labs" in note
    assert len(made) == 1 and opened.count("/proc/stat") == 1
    assert not (runtime_dir / "lab-dead.json").exists()


# A process that runs out of descriptors while `labkit env` / `ctl` / find_lab reads a registry
# (the next descriptor is over RLIMIT_NOFILE): it reports the error and keeps nothing open
OUT_OF_FILES_WALK = r"""
import json, os, resource, sys
from labkit import control

def fds():
    return {int(n) for n in os.listdir("/proc/self/fd")}

before = fds()
held = [os.open("/dev/null", os.O_RDONLY)]
while held[-1] < max(before):  # fill every hole: the next descriptors are top+1, top+2, ...
    held.append(os.open("/dev/null", os.O_RDONLY))
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
# the kernel socket and the registry's descriptor fit; listing the registry (a dup) does not
resource.setrlimit(resource.RLIMIT_NOFILE, (held[-1] + 3, hard))
try:
    control.live_labs() if sys.argv[1] == "mine" else control._other_registries([])
    error = None
except OSError as exc:
    error = exc.strerror
    sys.last_value = exc  # as IPython keeps a notebook's last error, and its frames
finally:
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
for fd in held:
    os.close(fd)
print(json.dumps({"error": error, "left": sorted(fds() - before)}))
"""


@pytest.mark.parametrize("where", ["mine", "elsewhere"])
def test_a_registry_read_that_runs_out_of_descriptors_leaves_none_open(tmp_path, where):
    """Reading a registry failed for want of a descriptor (a kernel that holds hundreds of
    sockets): live_labs() closed what it had opened, but the look at the other registries
    (where a lab with another XDG_RUNTIME_DIR registers, for the 'no running lab found'
    line) left its kernel socket open in the asking process until the error was forgotten
    (a notebook keeps its last one). Fails before for "elsewhere" (one descriptor left, a
    socket)."""
    registry = tmp_path / "xdg" / "labkit"
    registry.mkdir(mode=0o700, parents=True)
    os.chmod(tmp_path / "xdg", 0o700)
    env = cli_env(
        LABKIT_RUNTIME_DIR=str(registry) if where == "mine" else None,
        XDG_RUNTIME_DIR=str(tmp_path / "xdg"),
    )
    result = run([PY, "-W", "always::ResourceWarning", "-c", OUT_OF_FILES_WALK, where], env)
    assert (result.returncode, result.stderr) == (0, "")
    assert json.loads(result.stdout) == {"error": "Too many open files", "left": []}


# -- another real user on the same host --

needs_root = pytest.mark.skipif(
    not IS_ROOT or shutil.which("useradd") is None,
    reason="a second real user needs root and useradd (run the tests as root to include these)",
)


@pytest.fixture(scope="module")
def attacker():
    """A real system user (prefix bnd) that is not us; removed afterwards."""
    name = f"bnd{os.getpid()}"[:32]
    user_database(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name], name
    )
    try:
        yield pwd.getpwnam(name)
    finally:
        user_database(["userdel", name], name)


def _locked_user_database(root: Path) -> Path:
    """A copy of the host's user database under ``root`` (useradd --prefix reads and
    locks ROOT/etc/passwd), its lock held as a useradd that died left it (empty, no PID:
    one was found on this host): the host's own /etc/passwd.lock would stop every
    other session's useradd meanwhile."""
    (root / "etc").mkdir(parents=True)
    for name in ("passwd", "group", "shadow", "gshadow", "login.defs"):
        if Path("/etc", name).exists():
            shutil.copy(Path("/etc", name), root / "etc" / name)
    lock = root / "etc" / "passwd.lock"
    lock.write_text("")
    return lock


# useradd tries a held lock itself for about 15 s (shadow's LOCK_TRIES) before it gives up
SHADOW_TRIES_SECONDS = 15


@needs_root
@pytest.mark.slow
def test_a_user_is_made_once_the_user_database_is_unlocked(tmp_path):
    """useradd gave up on a /etc/passwd.lock held past its own 15 s (parallel tests, other
    sessions on the host, a lock left behind and removed by hand) and the test failed; now
    it is tried again, for at most LOCK_WAIT seconds."""
    import threading

    lock = _locked_user_database(tmp_path)
    threading.Timer(SHADOW_TRIES_SECONDS + 5, lock.unlink).start()
    user_database(["useradd", "--prefix", str(tmp_path), "--no-create-home", "clslock"], "clslock")
    assert "clslock:" in (tmp_path / "etc" / "passwd").read_text()


@needs_root
@pytest.mark.slow
def test_a_lock_that_is_never_released_fails_naming_the_user(tmp_path):
    _locked_user_database(tmp_path)
    argv = ["useradd", "--prefix", str(tmp_path), "--no-create-home", "clsheld"]
    with pytest.raises(pytest.fail.Exception) as failed:
        user_database(argv, "clsheld", wait=0.5)
    said = str(failed.value)
    assert said.startswith("useradd could not make or remove the user clsheld: useradd: ")
    assert "cannot lock" in said and said.endswith("(waited 0.5 s for the lock)")
    assert "\n" not in said


def as_user(user: pwd.struct_passwd, script: str, **variables: str) -> None:
    subprocess.run(
        ["sh", "-euc", script],
        user=user.pw_uid,
        group=user.pw_gid,
        extra_groups=[],
        env={"PATH": "/usr/bin:/bin", "HOME": "/", **variables},
        check=True,
        timeout=20,
    )


@pytest.fixture
def shared_tmp():
    """A /tmp of our own for the test: world-writable and sticky, as /tmp is; held while in
    use, so that the next run removes it if this one is killed first (``held_dir``: one was
    left in /tmp with the attacker's 25,000 files in it)."""
    with held_dir("labkit-shared-tmp-") as path:
        path.chmod(0o1777)
        yield path


def ephemeral_ports() -> tuple[int, int]:
    low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
    return int(low), int(high)


# What the attacker did before the victim's first lab: the victim's directory,
# mode 0777, with a 0666 file for every port a record could be named after (LOW..HIGH),
# symlinks to a file of the victim's, and a record of its own.
PRECREATE = """
mkdir -m 777 "$D"
cd "$D"
seq "$LOW" "$HIGH" | sed 's/.*/lab-&.json/' | xargs touch
seq "$LOW" "$HIGH" | sed 's/.*/lab-&.json/' | xargs chmod 666
for p in $(seq "$LOW" $((LOW + 100))); do ln -s "$VICTIM_FILE" "lab-$p-link.json"; done
printf '%s' "$RECORD" > lab-1-planted.json
chmod 666 lab-1-planted.json
"""
VICTIM = """
import labkit, sys
lab = labkit.start()
assert lab.get("/orders/7").status == 200
print(lab.control.token)
lab.stop()
"""


def victim_file(tmp_path: Path) -> Path:
    """A file only the victim (root) can write, that a planted symlink points at."""
    path = tmp_path / "victim-notes.txt"
    path.write_text("my notes\n")
    return path


@needs_root
@pytest.mark.parametrize(
    "how",
    [
        # a file for every ephemeral port takes a few seconds to plant: once is enough
        pytest.param("default-tmp-dir-every-port", marks=pytest.mark.slow),
        "default-tmp-dir",
        # an attacker's user and three runs of the real command each: one in the quick tier
        pytest.param("LABKIT_RUNTIME_DIR", marks=pytest.mark.slow),
        pytest.param("attacker-dir-0700", marks=pytest.mark.slow),
        pytest.param("symlink-to-attacker-dir", marks=pytest.mark.slow),
    ],
)
def test_another_user_cannot_get_the_token_or_plant_a_record(tmp_path, attacker, shared_tmp, how):
    notes = victim_file(tmp_path)
    marker = shared_tmp / "ran"
    planted = json.dumps(hostile_record(marker) | {"pid": 1})  # pid 1 is alive
    target = shared_tmp / f"labkit-{os.getuid()}"
    low, high = ephemeral_ports()
    if how != "default-tmp-dir-every-port":
        high = low + 100
    setup = {
        "default-tmp-dir-every-port": PRECREATE,
        "default-tmp-dir": PRECREATE,
        "LABKIT_RUNTIME_DIR": PRECREATE,
        "attacker-dir-0700": PRECREATE + 'chmod 700 "$D"',
        "symlink-to-attacker-dir": 'D="$D.real"\n' + PRECREATE + 'ln -s "$D" "${D%.real}"',
    }[how]
    as_user(
        attacker,
        setup,
        D=str(target),
        VICTIM_FILE=str(notes),
        RECORD=planted,
        LOW=str(low),
        HIGH=str(high),
    )
    assert target.exists()  # the attacker was first

    home = tmp_path / "home"
    env = cli_env(TMPDIR=str(shared_tmp), XDG_RUNTIME_DIR=None, PWNED="no", HOME=str(home))
    env["LABKIT_RUNTIME_DIR"] = str(target)
    chosen = how == "LABKIT_RUNTIME_DIR"  # a directory the user named: refused, never replaced
    if not chosen:
        del env["LABKIT_RUNTIME_DIR"]  # the default: labkit-UID in the temporary directory
    victim = run([PY, "-c", VICTIM], env)
    assert victim.returncode == 0, victim.stderr
    token = victim.stdout.strip()
    assert len(token) >= 24
    assert str(target) in victim.stderr
    if chosen:
        assert "will not find this lab" in victim.stderr
    else:  # someone else's name in /tmp: the registry moves to the user's home, and says so
        assert "will not find this lab" not in victim.stderr
        assert f"labkit uses {home}/.cache/labkit/run-" in victim.stderr

    # the token is in none of the attacker's files, and the symlinks wrote nothing
    real = target.resolve() if target.is_symlink() else target
    for path in real.iterdir():
        if not path.is_symlink():
            assert token not in path.read_text(errors="replace"), path
    assert notes.read_text() == "my notes\n"

    # the planted record runs nothing, and the terminal says why in one line
    script = (
        f'out="$({PY} -m labkit env)"; echo "rc=$?"; eval "$out"; printf %s "${{GATEWAY-unset}}"'
    )
    shell = run(["bash", "-c", script], env)
    assert not marker.exists()
    assert shell.stdout == "rc=1\nunset"
    assert "Traceback" not in shell.stderr
    if not chosen:  # nothing planted was read: no lab runs now, and env says only that
        registry = next((home / ".cache" / "labkit").glob("run-*"))  # where the lab went
        assert shell.stderr.endswith(
            f"labkit: error: no running lab found in {registry}; start one with `labkit serve` "
            "or labkit.start()\n"
        ), shell.stderr
        return
    assert shell.stderr.startswith("labkit: error: the lab registry")
    serve = labkit_cli(env, "serve", "--json")
    assert serve.returncode == 1 and serve.stdout == ""


@needs_root
def test_labkit_runtime_dir_naming_a_classmates_registry_never_asks_to_remove_it(
    tmp_path, attacker
) -> None:
    """A LABKIT_RUNTIME_DIR copied from a classmate's notebook or shell names their registry,
    in use: the refusal told the learner to "ask an administrator to remove it", and set the
    variable they had just set. It says now that the variable names it, and what to set it
    to; the directory is left as it was. Fails before (that advice)."""
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o700)
    os.chown(theirs, attacker.pw_uid, attacker.pw_gid)
    result = labkit_cli(cli_env(LABKIT_RUNTIME_DIR=str(theirs)), "env")
    assert result.returncode == 1
    assert result.stderr == (
        f"labkit: error: the lab registry {theirs} belongs to user {attacker.pw_name}, not to "
        "you (user root), so another user could read the control token or plant records "
        "there; LABKIT_RUNTIME_DIR names it: set it to a directory of your own with mode 0700 "
        "(mkdir -m 700 DIR)\n"
    ), result.stderr
    assert list(theirs.iterdir()) == [] and theirs.stat().st_uid == attacker.pw_uid


@needs_root
def _tmp_registry_taken(
    attacker, shared_tmp: Path, tmp_path: Path, monkeypatch
) -> tuple[Path, Path]:
    """The classmate ``attacker`` made our /tmp/labkit-UID first; labs started from here on
    see that /tmp and a home of our own. Returns the taken directory and the home."""
    target = shared_tmp / f"labkit-{os.getuid()}"
    as_user(attacker, 'mkdir -m 700 "$D"', D=str(target))
    home = tmp_path / "home"
    for name in ("LABKIT_RUNTIME_DIR", "XDG_RUNTIME_DIR", "TEMP", "TMP"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TMPDIR", str(shared_tmp))
    monkeypatch.setenv("HOME", str(home))
    return target, home


def test_a_classmate_who_made_our_tmp_registry_first_cannot_stop_env_finding_our_lab(
    tmp_path, attacker, shared_tmp, monkeypatch
):
    """Any learner could create /tmp/labkit-UID for every uid in /etc/passwd before their
    classmates' first labs: each of them was then refused (no `labkit serve`, and `labkit
    env` / `labkit ctl` never found the notebook's lab) until an administrator removed it.
    The registry moves to the user's home with a warning. Fails before: env refused."""
    target, home = _tmp_registry_taken(attacker, shared_tmp, tmp_path, monkeypatch)
    lab, notes = start_quietly()
    with lab:
        (note,) = notes
        assert note.startswith(f"{target} belongs to user {attacker.pw_name}, not to you")
        script = f'eval "$({PY} -m labkit env)" && printf "%s" "$GATEWAY"'
        result = run(["bash", "-c", script], cli_env())
        assert result.returncode == 0, result.stderr
        assert result.stdout == lab.gateway.url
        assert f"labkit uses {home}/.cache/labkit/run-" in result.stderr
        (record,) = registry_files(next((home / ".cache" / "labkit").iterdir()))
        assert stat.S_IMODE(record.stat().st_mode) == 0o600


@needs_root
def test_a_classmate_who_makes_our_tmp_registry_while_our_lab_starts_moves_it_home(
    tmp_path, attacker, shared_tmp, monkeypatch
):
    """The classmate's mkdir lands between the look at /tmp/labkit-UID (nothing there yet)
    and ours: the registry moves to the home, as when they made it a moment before. Fails
    before: the lab said `labkit env` would not find it ("ask an administrator")."""
    target, home = _tmp_registry_taken(attacker, shared_tmp, tmp_path, monkeypatch)
    target.rmdir()  # not there when we look: made just after (as the classmate, for real)
    looked = control._unclaimed

    def then_taken(temp: Path) -> tuple[Path, str | None]:
        chosen = looked(temp)
        if not os.path.lexists(target):
            as_user(attacker, 'mkdir -m 700 "$D"', D=str(target))
        return chosen

    monkeypatch.setattr(control, "_unclaimed", then_taken)
    lab, notes = start_quietly()
    with lab:
        (note,) = notes
        assert note.startswith(f"{target} belongs to user {attacker.pw_name}, not to you"), note
        (registry,) = (home / ".cache" / "labkit").iterdir()
        (record,) = registry_files(registry)
        assert json.loads(record.read_text())["gateway"] == lab.gateway.url
    assert list(target.iterdir()) == [] and target.stat().st_uid == attacker.pw_uid


@needs_root
def test_a_record_of_another_user_in_our_own_registry_is_ignored(tmp_path, attacker, runtime_dir):
    marker = tmp_path / "ran"
    planted = plant(runtime_dir, "lab-1-planted.json", hostile_record(marker) | {"pid": 1})
    os.chown(planted, attacker.pw_uid, attacker.pw_gid)
    with labkit.start() as lab:
        script = f'eval "$({PY} -m labkit env)" && printf "%s" "$GATEWAY"'
        result = run(["bash", "-c", script], cli_env(PWNED="no"))
        assert result.returncode == 0, result.stderr
        assert result.stdout == lab.gateway.url
        assert not marker.exists()
        assert f"lab-1-planted.json in the lab registry: it belongs to user {attacker.pw_name}" in (
            result.stderr
        )
    assert planted.exists()  # someone else's file is left where it was


@needs_root
def test_a_root_lab_never_follows_a_planted_link_out_of_a_loose_registry(
    tmp_path, attacker, shared_tmp
):
    """Root can write anywhere: a registry it did not check could overwrite any file."""
    notes = victim_file(tmp_path)
    loose = shared_tmp / "run"
    as_user(attacker, 'mkdir -m 777 "$D"; ln -s "$F" "$D/lab-1.json"', D=str(loose), F=str(notes))
    victim = run([PY, "-c", VICTIM], cli_env(LABKIT_RUNTIME_DIR=str(loose)))
    assert victim.returncode == 0, victim.stderr
    assert notes.read_text() == "my notes\n"
    assert sorted(p.name for p in loose.iterdir()) == ["lab-1.json"]


@needs_root
def test_root_with_another_users_home_refuses_to_put_its_registry_there(
    tmp_path, attacker, shared_tmp
):
    """`sudo` keeps the caller's HOME: with /tmp/labkit-0 taken, root's registry moved to
    HOME/.cache/labkit/run-HOST, under a directory that user owns (only the last directory
    was checked), who could swap .cache for one of their own and read root's control
    token. Every directory on the way is checked now; that one is refused in one line.
    Fails before: root's registry was made under the user's home."""
    home = tmp_path / "ann"
    home.mkdir()
    os.chown(home, attacker.pw_uid, attacker.pw_gid)
    target = shared_tmp / f"labkit-{os.getuid()}"
    as_user(attacker, 'mkdir -m 700 "$D"', D=str(target))
    env = cli_env(TMPDIR=str(shared_tmp), XDG_RUNTIME_DIR=None, LABKIT_RUNTIME_DIR=None)
    env["HOME"] = str(home)
    result = labkit_cli(env, "env")
    assert (result.returncode, result.stdout) == (1, ENV_REFUSED)
    assert result.stderr == (
        f"labkit: error: {target} belongs to user {attacker.pw_name}, not to you, and the lab "
        f"registry cannot move to {home}/.cache/labkit/run-{os.uname().nodename} either: "
        f"{home} belongs to user {attacker.pw_name}, so another user could read the control token "
        "or plant records there (is HOME another user's? `sudo -H` sets your own); set "
        "LABKIT_RUNTIME_DIR to a directory of your own with mode 0700 (mkdir -m 700 DIR)\n"
    )
    victim = run([PY, "-c", VICTIM], env)
    assert victim.returncode == 0, victim.stderr
    assert "`labkit env` and `labkit ctl` will not find this lab" in victim.stderr
    assert list(home.iterdir()) == []  # nothing of root's under the user's home
    # a home of root's own (root's, 0755, in root's directories) is used as before
    own = tmp_path / "root-home"
    own.mkdir(mode=0o755)
    env["HOME"] = str(own)
    victim = run([PY, "-c", VICTIM], env)
    assert victim.returncode == 0, victim.stderr
    assert f"labkit uses {own}/.cache/labkit/run-" in victim.stderr
    assert "will not find this lab" not in victim.stderr


@needs_root
@pytest.mark.slow  # another user's processes: 0.9 s of CPU
def test_a_lab_in_the_home_registry_is_found_after_the_classmate_frees_tmp(
    tmp_path, attacker, shared_tmp, monkeypatch
):
    """A lab started while a classmate held /tmp/labkit-UID registered in the home; once the
    classmate removed theirs, the next lab registered in /tmp, and `labkit env` and `labkit
    ctl` looked there only: the first lab, still running, was 'not running'. Both
    registries are read now. Fails before: ctl --lab FIRST said no running lab has it."""
    target, home = _tmp_registry_taken(attacker, shared_tmp, tmp_path, monkeypatch)
    first, notes = start_quietly()
    with first:
        assert len(notes) == 1 and f"labkit uses {home}/.cache/labkit/run-" in notes[0]
        as_user(attacker, 'rm -r "$D"', D=str(target))
        second, notes = start_quietly()
        with second:
            assert notes == []
            assert len(registry_files(target)) == 1  # the new lab is in /tmp again
            for lab in (first, second):
                done = labkit_cli(cli_env(), "ctl", "--lab", lab.gateway.url, "state")
                assert done.returncode == 0, done.stderr
                assert done.stderr == ""
            script = f'eval "$({PY} -m labkit env)" && printf "%s" "$GATEWAY"'
            result = run(["bash", "-c", script], cli_env())
            assert result.returncode == 0, result.stderr
            assert result.stdout == second.gateway.url  # the one started most recently
            assert result.stderr.startswith("labkit: 2 labs are running; using the one")
    # each record is removed where it was written
    assert registry_files(target) == []
    assert registry_files(next((home / ".cache" / "labkit").iterdir())) == []


# a classmate's program on the ports a stopped lab of ours had: it accepts, and prints what
# each connection sent (a control token, a request) on one line, until its stdin closes
LISTEN_THERE = r"""
import socket, sys, threading
def serve(s):
    while True:
        c, _ = s.accept()
        c.settimeout(2)
        try:
            got = c.recv(65536)
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
        except OSError:
            got = b""
        c.close()
        print(repr(got), flush=True)
for port in map(int, sys.argv[1:]):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen()
    threading.Thread(target=serve, args=(s,), daemon=True).start()
print("ready", flush=True)
sys.stdin.read()
"""


@needs_root
def test_a_classmate_on_a_stopped_labs_ports_is_named_and_never_sent_the_token(
    attacker, runtime_dir
):
    """The shell keeps $GATEWAY and $LABKIT_LAB after its lab stops, and a record can outlive
    its lab; a classmate then listening on those ports was sent the control token by
    `labkit ctl` (a record still there: its process alive) or was just 'not a running lab'.
    Now each command checks who listens on the port: one line naming the classmate's
    program, what reaches it, and what to do; the token is never sent. Fails before: the
    classmate's program printed 'Authorization: Bearer ...'."""
    lab, _ = start_quietly()
    gateway = lab.gateway
    (record,) = registry_files(runtime_dir)
    kept = record.read_bytes()
    lab.stop()
    ports = [gateway.port, lab.control.port]
    classmate = subprocess.Popen(
        ["/usr/bin/python3", "-c", LISTEN_THERE, *map(str, ports)],
        user=attacker.pw_uid,
        group=attacker.pw_gid,
        extra_groups=[],
        cwd="/",
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert classmate.stdout.readline() == "ready\n"
        theirs = f"user {attacker.pw_name}'s program listens on that port now"
        url = f"http://127.0.0.1:{gateway.port}"
        done = labkit_cli(cli_env(), "ctl", "--lab", url, "state")
        assert (done.returncode, done.stdout) == (1, "")
        assert done.stderr == (
            f"labkit: error: no running lab of yours is at {url}: {theirs}: what you send there "
            "(curl too) reaches it, not a lab of yours; start one with `labkit serve` or "
            "labkit.start()\n"
        )
        # the record left behind by a lab whose process lives on (a kernel whose lab thread
        # died): `labkit ctl` and `labkit env` never take it for a lab, nor send its token
        record.write_bytes(kept)
        done = labkit_cli(cli_env(LABKIT_LAB=url), "ctl", "state")
        assert done.returncode == 1 and theirs in done.stderr
        assert len(done.stderr.splitlines()) == 1
        result = run(["bash", "-c", f'eval "$({PY} -m labkit env)"'], cli_env())
        assert result.returncode == 1 and result.stdout == ""
        assert result.stderr.startswith("labkit: error: no running lab found")
        assert not record.exists()  # stale: removed, as a dead process's is
        with labkit.start() as mine:  # a lab of ours beside it: named as the one running
            done = labkit_cli(cli_env(LABKIT_LAB=url), "ctl", "state")
            assert done.returncode == 1 and done.stderr.startswith(
                f"labkit: error: the lab `labkit env` chose for this shell ({url}, in "
                f"$LABKIT_LAB) is not running any more, and {theirs}"
            )
            done = labkit_cli(cli_env(), "ctl", "--lab", url, "state")
            assert done.stderr.endswith(f"; running: {mine.gateway.url}\n")
    finally:
        classmate.stdin.close()
        classmate.wait(10)
    assert "Bearer" not in classmate.stdout.read()


@needs_root
@pytest.mark.slow
def test_env_says_where_it_looked_and_where_a_lab_with_another_xdg_runtime_dir_is() -> None:
    """A lab started where XDG_RUNTIME_DIR was set (a kernel under systemd, a hub's server)
    registers in /run/user/UID/labkit; a terminal without it looks in /tmp/labkit-UID. It
    said "no running lab found; start one ..." beside the running lab, and not where it had
    looked. A user of their own, so that no other lab of the test's uid is in the way.
    Fails before: the line named neither place."""
    from sharedhost import shared_dir, shared_python, system_users

    python = str(shared_python())
    with shared_dir() as shared, system_users("xdg") as (user,):
        xdg = Path(f"/run/user/{user.uid}")
        xdg.mkdir(mode=0o700)  # as logind makes it
        os.chown(xdg, user.uid, user.gid)
        env = {"PYTHONPATH": str(shared / "pythonpath")}
        serve = user.popen(
            [python, "-m", "labkit", "serve", "--json"],
            env={**env, "XDG_RUNTIME_DIR": str(xdg)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            gateway = json.loads(serve.stdout.readline())["gateway"]
            lost = user.run([python, "-m", "labkit", "env"], env=env, timeout=60)
            assert (lost.returncode, lost.stdout) == (1, ENV_REFUSED)
            assert lost.stderr == (
                f"labkit: error: no running lab found in /tmp/labkit-{user.uid}; a lab of yours "
                f"is registered in {xdg}/labkit (it was started with another XDG_RUNTIME_DIR): "
                f"run `export LABKIT_RUNTIME_DIR={xdg}/labkit` and try again\n"
            )
            moved = {**env, "LABKIT_RUNTIME_DIR": f"{xdg}/labkit"}  # as the line says
            found = user.run([python, "-m", "labkit", "env"], env=moved, timeout=60)
            assert found.returncode == 0, found.stderr
            assert f"GATEWAY={gateway}\n" in found.stdout
        finally:
            serve.terminate()
            serve.communicate(timeout=30)
            shutil.rmtree(xdg, ignore_errors=True)
        gone = user.run([python, "-m", "labkit", "env"], env=env, timeout=60)
        assert gone.stderr == (
            f"labkit: error: no running lab found in /tmp/labkit-{user.uid}; start one with "
            "`labkit serve` or labkit.start()\n"
        )


@needs_root
def test_serve_says_once_that_the_registry_moved(tmp_path, attacker, shared_tmp) -> None:
    """A classmate made /tmp/labkit-UID first: the registry moves to the home, and
    `labkit serve` says so once. It said the same line twice (its own check of the
    registry, then the lab's start). Fails before: two lines."""
    target = shared_tmp / f"labkit-{os.getuid()}"
    as_user(attacker, 'mkdir -m 700 "$D"', D=str(target))
    home = tmp_path / "home"
    env = cli_env(TMPDIR=str(shared_tmp), XDG_RUNTIME_DIR=None, LABKIT_RUNTIME_DIR=None)
    env["HOME"] = str(home)
    serve = subprocess.Popen(
        [PY, "-m", "labkit", "serve", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert json.loads(serve.stdout.readline())["gateway"].startswith("http://127.0.0.1:")
    finally:
        serve.terminate()
        _out, err = serve.communicate(timeout=30)
    moved = f"labkit: warning: {target} belongs to user {attacker.pw_name}, not to you"
    assert [line for line in err.splitlines() if line.startswith(moved)] == [
        f"{moved} (someone made it before your first lab); labkit uses "
        f"{home}/.cache/labkit/run-{os.uname().nodename} instead"
    ], err


def test_a_registry_that_cannot_be_made_is_one_line_with_the_fix(tmp_path) -> None:
    """LABKIT_RUNTIME_DIR under a file (or another user's home, whose .cache cannot be
    entered) said only 'PATH: Not a directory': the terminal's commands now name the
    registry and the fix, and a lab started there says the same and still serves.
    Fails before: 'labkit: error: .../file/run: Not a directory'."""
    (tmp_path / "file").write_text("")
    registry = tmp_path / "file" / "run"
    said = (
        f"cannot make the lab registry {registry} (Not a directory); set LABKIT_RUNTIME_DIR "
        "to a directory of your own with mode 0700 (mkdir -m 700 DIR)"
    )
    env = labkit_cli(cli_env(LABKIT_RUNTIME_DIR=str(registry)), "env")
    assert (env.returncode, env.stdout) == (1, ENV_REFUSED)
    assert env.stderr == f"labkit: error: {said}\n"
    serve = labkit_cli(cli_env(LABKIT_RUNTIME_DIR=str(registry)), "serve", "--json")
    assert (serve.returncode, serve.stdout, serve.stderr) == (1, "", f"labkit: error: {said}\n")
    started = run(
        [PY, "-c", "import labkit\nwith labkit.start() as lab: print(lab.get('/orders/7').status)"],
        cli_env(LABKIT_RUNTIME_DIR=str(registry)),
    )
    assert started.stdout == "200\n", started.stderr
    assert f"`labkit env` and `labkit ctl` will not find this lab: {said}" in started.stderr
