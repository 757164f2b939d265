"""A classroom on one host: many kernels, each with its own lab, none answering another's requests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

KERNEL = r"""
import json, os, sys
import labkit
from labkit.exercises import store
me = sys.argv[1]
with labkit.start() as lab:
    ex = lab.get("/orders/7", headers={"X-Student": me})
    lab.origin.maintenance(retry_after=int(me) + 1)    # a switch only this lab has
    seen = lab.get("/orders/7").header("Retry-After")
    ids = lab.recorder.ids()
    mine = all(b"x-student: " + me.encode() in lab.exchange(i).hop("origin").bytes_in.lower()
               for i in ids[:1])
    store.update(f"room.{me}", attempt=True)
    print(json.dumps({"me": me, "status": ex.status, "retry_after": seen, "ids": ids,
                      "gateway": lab.gateway.port, "mine": mine,
                      "progress": str(store.path())}))
"""


def test_many_labs_in_parallel_processes_keep_to_themselves(tmp_path: Path) -> None:
    n = 16
    procs = []
    for i in range(n):
        home = tmp_path / f"user{i}"
        home.mkdir()
        env = dict(
            os.environ,
            HOME=str(home),
            XDG_DATA_HOME=str(home / ".local" / "share"),
            LABKIT_RUNTIME_DIR=str(home / "run"),
        )
        env.pop("LABKIT_PROGRESS", None)
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", KERNEL, str(i)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert err == ""
        results.append(json.loads(out))
    assert len({r["gateway"] for r in results}) == n  # no port clash
    for r in results:
        assert r["status"] == 200
        assert r["retry_after"] == str(int(r["me"]) + 1)  # its own switch, nobody else's
        assert r["ids"] == ["req-0001", "req-0002"]  # only its own two requests
        assert r["mine"]
        progress = json.loads(Path(r["progress"]).read_text())
        assert list(progress["exercises"]) == [f"room.{r['me']}"]  # a file per user
        assert str(tmp_path / f"user{r['me']}") in r["progress"]
