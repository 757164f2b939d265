"""A bind that fails for a reason other than a taken port says that reason, in one line.

Before, ``ports.bind`` counted every failed bind as a taken port: a process out of file
descriptors, or ``labkit serve --host`` with an address that is not this machine's, tried
all 10,000 ports and then blamed another user for holding them all.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# a lab started in a process whose file limit leaves no descriptor for its listeners (its
# language's catalogue read before, as in a kernel that said something: it is read once)
OUT_OF_FILES = r"""
import resource, sys
import labkit
from labkit import i18n
from labkit.http import ports
i18n.catalogue(i18n.learner_language())
resource.setrlimit(resource.RLIMIT_NOFILE, (16, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
try:
    labkit.start()
except ports.OutOfFiles as exc:
    print(exc)
"""


def _run(args: list[str], lang: str = "en") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LABKIT_LANG": lang}
    return subprocess.run(args, capture_output=True, text=True, timeout=60, env=env)


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "a lab server cannot listen: Too many open files (its limit is 16 open files). "),
        ("zh-CN", "实验的服务器无法监听："),
    ],
)
def test_a_process_out_of_file_descriptors_says_so(lang: str, said: str) -> None:
    done = _run([sys.executable, "-c", OUT_OF_FILES], lang)
    assert done.stdout.startswith(said), done.stdout + done.stderr
    assert done.stdout.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert "LABKIT_PORTS" not in done.stdout and "LABKIT_PORTS" not in done.stderr


@pytest.mark.parametrize("host", ["8.8.8.8", "::2"])
def test_serving_on_an_address_not_of_this_machine_says_so(host: str) -> None:
    done = _run([sys.executable, "-m", "labkit", "serve", "--host", host])
    assert done.returncode != 0
    errors = [line for line in done.stderr.splitlines() if line.startswith("labkit: error:")]
    assert errors == [
        f"labkit: error: cannot listen on {host}: it is not an address of this machine. Use "
        "127.0.0.1 (this machine only) or one of the addresses `ip -brief address` lists"
    ], done.stderr
    assert "Traceback" not in done.stderr and "every port" not in done.stderr


def test_the_chinese_line_for_an_address_not_of_this_machine() -> None:
    done = _run([sys.executable, "-m", "labkit", "serve", "--host", "8.8.8.8"], "zh-CN")
    assert "无法在 8.8.8.8 上监听：它不是本机的地址。" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


# the same, its catalogue not read before: a zh learner's lab got read_po's OSError traceback
# (the .po opened lazily, when the line was said, with no descriptor left to open it)
OUT_OF_FILES_UNREAD = OUT_OF_FILES.replace("i18n.catalogue(i18n.learner_language())\n", "")


def test_a_process_out_of_file_descriptors_says_so_before_reading_its_catalogue() -> None:
    done = _run([sys.executable, "-c", OUT_OF_FILES_UNREAD], "zh-CN")
    assert done.stdout.startswith("实验的服务器无法监听：打开的文件过多"), done.stdout + done.stderr
    assert done.stdout.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr


def _with_no_descriptor_left(*, imports: str, then: str, before: str = "", limit: int = 64) -> str:
    """A child script: ``imports``, the file limit lowered to ``limit``, ``before``, then
    every descriptor left taken (``held``, dups of stdin, until EMFILE), then ``then``."""
    return f"""
import os, resource
from labkit.http import ports
{imports.strip()}
resource.setrlimit(resource.RLIMIT_NOFILE, ({limit}, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
{before}
held = []
try:
    while True:
        held.append(os.dup(0))
except OSError:
    pass
{then.strip()}
"""


# a lab started in a process with every descriptor taken (a notebook that leaked sockets), then
# another once the learner closed them. Before: the owner check's probe failed, said "no
# NETLINK_SOCK_DIAG" and remembered it (the next lab let any user of the machine in), then the
# loop's self-pipe raised a traceback.
NO_DESCRIPTOR_LEFT = _with_no_descriptor_left(
    imports=r"""
import warnings
import labkit, labkit.lab  # imported, as in a kernel that ran a lesson's cells
warnings.simplefilter("error")  # a warning (any user may connect) fails the run
""",
    then=r"""
try:
    labkit.start()
except ports.OutOfFiles as exc:
    print(exc)
for fd in held:
    os.close(fd)
resource.setrlimit(resource.RLIMIT_NOFILE, (1024, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
lab = labkit.start()
print("checks owners" if lab._peers is not None else "lets anyone in")
lab.stop()
""",
)


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "a lab server cannot listen: Too many open files (its limit is 64 open files). "),
        # its catalogue cannot be opened either: the line is English, not a traceback
        ("zh-CN", "a lab server cannot listen: Too many open files (its limit is 64 open files). "),
    ],
)
def test_a_lab_started_with_no_descriptor_left_says_so_and_the_next_one_checks_owners(
    lang: str, said: str
) -> None:
    done = _run([sys.executable, "-c", NO_DESCRIPTOR_LEFT], lang)
    lines = done.stdout.splitlines()
    assert len(lines) == 2 and lines[0].startswith(said), done.stdout + done.stderr
    assert lines[1] == "checks owners", done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "NETLINK" not in done.stderr, done.stderr


# The lab registry opened with no descriptor left. Before: "the lab registry /tmp/labkit-0 Too
# many open files, so another user could read the control token ...; remove it (`rm
# /tmp/labkit-0`)": a safe directory the learner was told to delete.
REGISTRY_OUT_OF_FILES = _with_no_descriptor_left(
    imports=r"""
import pwd, shlex  # imported, as in a kernel that ran a lesson's cells
from labkit import control
""",
    then=r"""
try:
    control.runtime_dir()
except ports.OutOfFiles as exc:
    print(exc)
""",
)


def test_a_registry_opened_with_no_descriptor_left_is_not_called_unsafe(tmp_path) -> None:
    registry = tmp_path / "registry"
    registry.mkdir(mode=0o700)
    env = {**os.environ, "LABKIT_LANG": "en", "LABKIT_RUNTIME_DIR": str(registry)}
    done = subprocess.run(
        [sys.executable, "-c", REGISTRY_OUT_OF_FILES],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.stdout.startswith(
        "a lab server cannot listen: Too many open files (its limit is 64 open files). "
    ), done.stdout + done.stderr
    assert done.stdout.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert registry.is_dir()


# A lab started under every file limit from one too small for anything to the first that
# suffices: each start either runs or says OutOfFiles' line, and leaves no descriptor behind.
# Before: a traceback where the blackhole upstream filled its accept queue (and its socket
# left open), a note that the terminal would not find the lab where its record was written.
EVERY_LIMIT = r"""
import os, resource, warnings
import labkit, labkit.lab
from labkit.http import ports
warnings.simplefilter("error")
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
baseline = len(os.listdir("/proc/self/fd"))
for limit in range(baseline + 1, 200):
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))
    try:
        lab = labkit.start()
    except ports.OutOfFiles as exc:
        said = str(exc)
    else:
        lab.stop()
        said = "started"
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, hard))
    print(limit, len(os.listdir("/proc/self/fd")) - baseline, said)
    if said == "started":
        break
"""


def test_a_lab_started_under_every_small_file_limit_runs_or_says_it_ran_out() -> None:
    done = _run([sys.executable, "-c", EVERY_LIMIT])
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stdout.splitlines()
    assert lines and lines[-1].endswith(" 0 started"), done.stdout + done.stderr
    for line in lines[:-1]:
        limit, left, said = line.split(" ", 2)
        assert left == "0", line
        assert said.startswith(
            f"a lab server cannot listen: Too many open files (its limit is {limit} open files). "
        ), line


# A lab whose process has no descriptor left for the owner check's socket, made at its first
# connection: before, a traceback from the accept, and the accepted connection left open
# (the client waited out its timeout).
OWNER_CHECK_OUT_OF_FILES = _with_no_descriptor_left(
    limit=256,
    imports=r"""
import socket
import labkit
""",
    before="lab = labkit.start()",
    then=r"""
os.close(held.pop())  # the client's socket
os.close(held.pop())  # the one the gateway accepts
try:
    with socket.create_connection(("127.0.0.1", lab.gateway.port), timeout=5) as sock:
        sock.sendall(b"GET /orders/7 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        print("closed" if sock.recv(100) == b"" else "answered")
except ConnectionResetError:  # closed with the request unread: RST
    print("closed")
except OSError as exc:
    print(type(exc).__name__)
for fd in held:
    os.close(fd)
print(lab.get("/orders/7").status)
lab.stop()
""",
)


# what it says is what it did: it closed that connection and goes on accepting (it said "it
# tries again in a second", the words for a listener that could not accept, which pauses)
@pytest.mark.parametrize(
    ("lang", "said"),
    [
        (
            "en",
            "labkit: a lab server closed a connection as soon as it came: the process has run "
            "out of file descriptors (its limit is 256), none left to check which user made it. "
            "Close connections or files you no longer use.\n",
        ),
        (
            "zh-CN",
            "labkit: 实验室的一个服务器在连接到来时立即关闭了它：进程的文件描述符已经用完"
            "（上限为 256），没有剩下一个来检查是哪个用户建立的连接。请关闭不再使用的连接或文件。\n",
        ),
    ],
    ids=["en", "zh-CN"],
)
def test_no_descriptor_for_the_owner_check_closes_the_connection_and_says_so(
    lang: str, said: str
) -> None:
    done = _run([sys.executable, "-c", OWNER_CHECK_OUT_OF_FILES], lang)
    assert done.stdout.splitlines() == ["closed", "200"], done.stdout + done.stderr
    assert done.stderr == said, done.stderr
