"""Compare `labkit.start()` between two checkouts, interleaved, on a loaded machine.

    python benchmarks/compare_start.py OLD/.venv/bin/python NEW/.venv/bin/python [--warm 200] [--cold 40]

Each interpreter is a venv with its own checkout of labkit installed (``make .venv/.installed``).
*Warm*: one long-lived worker per checkout has imported labkit and discarded one start; the driver
asks the two workers in turn (order A B B A, so neither always goes first) for one
`labkit.start()` → first 200 to ``GET /orders/7`` on the origin over a new connection (the same
definition as benchmarks/run.py's start-up row), then `lab.stop()`. *Cold*: a fresh interpreter per
sample imports labkit (not timed) and times its first `labkit.start()` → first 200; old and new
alternate the same way. Other people's load hits both sides alike because the samples alternate.
Each sample has wall time (`time.perf_counter`) and the process's CPU time (`time.process_time`,
every thread: the lab's loop thread included) and the CPU of the garbage collections that ran
inside the timed start (``gc.callbacks``); a cold sample also has the CPU of its ``import labkit``.
A cold start is where the collector pays for the objects the import left young: which side of
the timing's edge that collection falls on depends on the collector's counters when the import
ends, so cold rows are also given without it, and import + first start together. Prints medians
and interquartile ranges.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = str(Path(__file__).resolve().parent)  # rawget.py's folder, for the children

CHILD = r"""
import gc, json, sys, time
sys.path.insert(0, sys.argv[2])  # benchmarks/: the first 200 as run.py's start-up rows ask it
from rawget import http_get as first_200
_c = time.process_time()
import labkit, labkit.lab  # the lab's code: the package alone binds its names on first use
IMPORT_CPU = time.process_time() - _c
_collections = []
_began = [0.0]

def on_gc(phase, info):
    # CPU of each garbage collection inside a timed start (it runs on the thread allocating)
    if phase == "start":
        _began[0] = time.thread_time()
    else:
        _collections.append(time.thread_time() - _began[0])

def one():
    _collections.clear()
    gc.callbacks.append(on_gc)
    c0, w0 = time.process_time(), time.perf_counter()
    lab = labkit.start()
    status = first_200(lab.origin.port)
    w1, c1 = time.perf_counter(), time.process_time()
    gc.callbacks.remove(on_gc)
    lab.stop()
    assert status == 200, status
    return {"wall": w1 - w0, "cpu": c1 - c0, "gc": sum(_collections)}

if sys.argv[1] == "cold":
    print(json.dumps({**one(), "import": IMPORT_CPU}), flush=True)
else:
    one()  # discarded: the first start in a process is the cold one
    for line in sys.stdin:
        print(json.dumps(one()), flush=True)
"""


def env_for(tmp: str, side: str) -> dict[str, str]:
    env = dict(os.environ)
    env["LABKIT_RUNTIME_DIR"] = str(Path(tmp) / side / "run")
    env["LABKIT_PROGRESS"] = str(Path(tmp) / side / "progress.json")
    env.pop("PYTHONPATH", None)
    return env


def order(i: int) -> tuple[str, str]:
    return ("old", "new") if i % 2 == 0 else ("new", "old")


def summary(xs: list[float]) -> str:
    q1, med, q3 = statistics.quantiles(xs, n=4, method="inclusive")
    return f"median {med * 1000:.2f} ms, IQR {q1 * 1000:.2f}-{q3 * 1000:.2f} ms"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("--warm", type=int, default=200)
    p.add_argument("--cold", type=int, default=40)
    args = p.parse_args()
    pythons = {"old": args.old, "new": args.new}
    samples: dict[tuple[str, str], list[dict[str, float]]] = {
        (kind, side): [] for kind in ("warm", "cold") for side in pythons
    }
    with tempfile.TemporaryDirectory(prefix="labkit-compare-") as tmp:
        for side in pythons:
            (Path(tmp) / side).mkdir(mode=0o700)
        workers = {
            side: subprocess.Popen(
                [py, "-c", CHILD, "warm", HERE],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env=env_for(tmp, side),
                cwd=tmp,
            )
            for side, py in pythons.items()
        }
        for i in range(args.warm):
            for side in order(i // 2):
                w = workers[side]
                assert w.stdin and w.stdout
                w.stdin.write("go\n")
                w.stdin.flush()
                samples["warm", side].append(json.loads(w.stdout.readline()))
        for w in workers.values():
            assert w.stdin
            w.stdin.close()
            w.wait(timeout=30)
        for i in range(args.cold):
            for side in order(i // 2):
                out = subprocess.run(
                    [pythons[side], "-c", CHILD, "cold", HERE],
                    capture_output=True,
                    text=True,
                    env=env_for(tmp, side),
                    cwd=tmp,
                    timeout=60,
                    check=True,
                )
                samples["cold", side].append(json.loads(out.stdout.strip().splitlines()[-1]))
    load = os.getloadavg()[0]
    print(f"load average (1 min) at the end: {load:.1f}; cores: {os.cpu_count()}")
    for (kind, side), xs in samples.items():
        n = len(xs)
        wall = summary([x["wall"] for x in xs])
        cpu = summary([x["cpu"] for x in xs])
        print(f"{kind:4} {side:3} n={n:3}  wall {wall}  ·  CPU {cpu}")
    for side in pythons:
        xs = samples["cold", side]
        print(
            f"cold {side:3}  CPU in garbage collections {summary([x['gc'] for x in xs])}"
            f"  ·  CPU without them {summary([x['cpu'] - x['gc'] for x in xs])}"
            f"  ·  import labkit + first start CPU {summary([x['import'] + x['cpu'] for x in xs])}"
        )
    for kind in ("warm", "cold"):
        old = statistics.median(x["wall"] for x in samples[kind, "old"])
        new = statistics.median(x["wall"] for x in samples[kind, "new"])
        old_c = statistics.median(x["cpu"] for x in samples[kind, "old"])
        new_c = statistics.median(x["cpu"] for x in samples[kind, "new"])
        print(f"{kind}: new/old wall {new / old:.2f}x, CPU {new_c / old_c:.2f}x")
    ratio = {
        name: statistics.median(f(x) for x in samples["cold", "new"])
        / statistics.median(f(x) for x in samples["cold", "old"])
        for name, f in (
            ("CPU without garbage collections", lambda x: x["cpu"] - x["gc"]),
            ("import labkit + first start CPU", lambda x: x["import"] + x["cpu"]),
        )
    }
    print("cold: new/old " + ", ".join(f"{k} {v:.2f}x" for k, v in ratio.items()))
    sys.exit(0)


if __name__ == "__main__":
    main()
