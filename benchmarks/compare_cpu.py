"""The lab process's CPU per request, direct and through the gateway, for two checkouts at once.

``run.py --only gateway-cpu`` measures one checkout; on a machine others load, its row moves
more between runs than a change to the gateway's path does. This runs one lab per checkout,
each in a process of its own, and alternates them (the order rotates each round), so a busy
moment hits both: each round, each lab answers ``--requests`` sequential keep-alive
``GET /orders/7`` direct and through its gateway (the same raw-socket client as
``instructions.py``), and reports the CPU time its process spent (``time.process_time``,
the loop's thread included, asked over a pipe before and after). The gateway's own CPU is the
round's through minus its direct; the paired difference of the second checkout's own CPU
minus the first's, round by round, is what the change did.

    .venv/bin/python benchmarks/compare_cpu.py /tmp/old .             # 20 rounds of 500
    .venv/bin/python benchmarks/compare_cpu.py /tmp/old . --rounds 40

A checkout is a directory holding ``labkit/`` (a worktree, or ``git archive`` of a commit), run
with this interpreter and ``PYTHONPATH`` set to it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from instructions import requests

# The lab's process: starts a lab, says its ports, answers "cpu" with its CPU time so far
LAB = """
import json, sys, time
import labkit
lab = labkit.start()
print(json.dumps({"direct": lab.origin.port, "gateway": lab.gateway.port,
                  "labkit": labkit.__file__}), flush=True)
for line in sys.stdin:
    if line != "cpu\\n":
        break
    print(time.process_time(), flush=True)
lab.stop()
"""


class Lab:
    """One checkout's lab in a process of its own."""

    def __init__(self, checkout: Path) -> None:
        env = dict(os.environ, PYTHONPATH=str(checkout), PYTHONHASHSEED="0")
        self.process = subprocess.Popen(
            [sys.executable, "-c", LAB],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=checkout.anchor,  # not a directory holding another labkit/
        )
        assert self.process.stdout is not None
        self.ports = json.loads(self.process.stdout.readline())
        if not self.ports["labkit"].startswith(str(checkout)):
            self.stop()
            raise RuntimeError(f"{checkout}: the lab imported {self.ports['labkit']}")

    def cpu(self) -> float:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("cpu\n")
        self.process.stdin.flush()
        return float(self.process.stdout.readline())

    def per_request(self, target: str, n: int) -> float:
        """CPU microseconds per request of ``n`` sequential ones to ``target``."""
        before = self.cpu()
        requests(self.ports[target], n)
        return (self.cpu() - before) / n * 1e6

    def stop(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.write("stop\n")
            self.process.stdin.flush()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkouts", nargs=2)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--requests", type=int, default=500, help="per target and round")
    args = parser.parse_args()
    paths = [Path(checkout).resolve() for checkout in args.checkouts]
    for checkout, path in zip(args.checkouts, paths, strict=True):
        if not (path / "labkit" / "__init__.py").exists():
            print(f"{checkout}: no labkit/ in it (a checkout holds labkit/)", file=sys.stderr)
            return 1
    labs = []
    try:
        for path in paths:
            labs.append(Lab(path))
        for lab in labs:  # warm-up: connections, caches, the pool
            lab.per_request("gateway", 300)
            lab.per_request("direct", 300)
        got: list[dict[str, list[float]]] = [{"direct": [], "gateway": []} for _ in labs]
        loads = []
        for n in range(args.rounds):
            for i in (0, 1) if n % 2 == 0 else (1, 0):
                for target in ("direct", "gateway") if n % 4 < 2 else ("gateway", "direct"):
                    got[i][target].append(labs[i].per_request(target, args.requests))
            loads.append(os.getloadavg()[0])
    finally:
        for lab in labs:
            lab.stop()
    own = []
    for checkout, times in zip(args.checkouts, got, strict=True):
        own.append([g - d for g, d in zip(times["gateway"], times["direct"], strict=True)])
        direct = statistics.median(times["direct"])
        mine = statistics.median(own[-1])
        print(
            f"{checkout}: direct {direct:.1f} us, through the gateway "
            f"{statistics.median(times['gateway']):.1f} us, the gateway's own {mine:.1f} us, "
            f"own / direct {mine / direct:.3f} (medians over rounds)"
        )
    paired = [b - a for a, b in zip(own[0], own[1], strict=True)]
    low, _, high = statistics.quantiles(paired, n=4)
    print(
        f"the gateway's own, second - first, paired by round: median "
        f"{statistics.median(paired):+.1f} us (interquartile {low:+.1f} to {high:+.1f})"
    )
    print(
        f"{args.rounds} rounds of {args.requests} requests per target and checkout, "
        f"load {min(loads):.1f}-{max(loads):.1f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
