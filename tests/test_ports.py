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
