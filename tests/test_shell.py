"""The catalogue's shell commands, run with bash against `labkit serve`, show each status."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from labkit import scenarios

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (shutil.which("curl") and shutil.which("nc") and shutil.which("bash")),
        reason="the shell reproductions need bash, curl and nc (apt-get install curl netcat-openbsd)",
    ),
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    runtime = tmp_path_factory.mktemp("runtime")
    env = dict(os.environ, LABKIT_RUNTIME_DIR=str(runtime))
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env["PATH"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "labkit", "serve", "--json"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    info = json.loads(proc.stdout.readline())
    for name in ("origin", "gateway", "portal"):
        env[name.upper()] = info[name]
        env[f"{name.upper()}_PORT"] = str(urlsplit(info[name]).port)
    env["LABKIT_LAB"] = info["gateway"]  # as `eval "$(labkit env)"` sets it: ctl's lab
    yield info, env
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(5) == 0


# the catalogue as `labkit scenarios --json` lists it (that it does: the first test below)
LISTED: list[dict] = json.loads(json.dumps([s.as_dict() for s in scenarios.SCENARIOS.values()]))


def test_json_listing_has_the_documented_fields() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "labkit", "scenarios", "--json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(out) == LISTED
    assert len(LISTED) == len(scenarios.SCENARIOS) >= 25
    for item in LISTED:
        assert {
            "id",
            "lesson",
            "status",
            "title",
            "cause",
            "setup",
            "reproduce",
            "upstream",
        } <= set(item)
        assert isinstance(item["setup"], list) and isinstance(item["teardown"], list)
        assert isinstance(item["reproduce"], str)
        assert "curl" in item["reproduce"] or "| nc" in item["reproduce"]


def test_serve_json_names_every_upstream(served) -> None:
    info, _ = served
    assert set(info) >= {"origin", "gateway", "portal", "upstreams"}
    assert {s["upstream"] for s in LISTED if s["upstream"]} <= set(info["upstreams"])
    assert all(url.startswith("http://127.0.0.1:") for url in info["upstreams"].values())


@pytest.mark.parametrize("item", LISTED, ids=[s["id"] for s in LISTED])
def test_shell_reproduction(served, item: dict) -> None:
    _, env = served
    script = "\n".join(["set -e", *item["setup"], "set +e", item["reproduce"], *item["teardown"]])
    result = subprocess.run(
        ["bash", "-c", script], env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    # each `labkit ctl` in the setup confirms what it changed in one line, then the response
    lines = result.stdout.splitlines()
    at = next((i for i, line in enumerate(lines) if line.startswith("HTTP/")), len(lines))
    confirmations, first = lines[:at], lines[at] if at < len(lines) else ""
    assert len(confirmations) == sum("labkit ctl" in cmd for cmd in item["setup"]), lines
    assert all(line and "error" not in line for line in confirmations), lines
    assert re.match(rf"HTTP/1\.1 {item['status']} ", first), result.stdout + result.stderr
    # status line and headers only: the output stops at the blank line
    assert "\r\n\r\n" not in result.stdout.rstrip("\r\n")


def test_ctl_state_and_env(served) -> None:
    info, env = served
    out = subprocess.run(
        [sys.executable, "-m", "labkit", "ctl", "--lab", info["gateway"], "state"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    state = json.loads(out)
    assert state["maintenance"] is False and state["capacity"] is None
    exports = subprocess.run(
        [sys.executable, "-m", "labkit", "env"], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert f"export GATEWAY={info['gateway']}" in exports
    assert f"export ORIGIN_PORT={urlsplit(info['origin']).port}" in exports
