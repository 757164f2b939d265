"""Instructions per request, direct and through the gateway, counted by callgrind.

On a machine others load, CPU time per request moves by more than a change to the gateway's
per-request path saves (process-CPU A/B at load 9-13 had an interquartile range of 90 us,
the changes were 2-10 us), but the instructions the lab's process runs for a request do not
depend on the load. This counts them: each checkout's lab runs in a process of its own
under valgrind's callgrind; after a warm-up, its counters are zeroed, one client sends
sequential keep-alive requests (``GET /orders/7``) to the origin or through the gateway,
and the counters are dumped. Instructions in user space only: what the kernel does for the
lab's sends and reads is not counted (the process-CPU figures of ``run.py`` count it).

    .venv/bin/python benchmarks/instructions.py                 # this checkout
    .venv/bin/python benchmarks/instructions.py /tmp/old .      # two checkouts, same table
    .venv/bin/python benchmarks/instructions.py --import /tmp/old .  # `import labkit` instead
    .venv/bin/python benchmarks/instructions.py --cold /tmp/old .    # a fresh lab's first answer
    .venv/bin/python benchmarks/instructions.py --exercises /tmp/old .  # a lesson's exercises

A checkout is a directory holding ``labkit/`` (a worktree, or ``git archive`` of a commit);
it runs with this interpreter and ``PYTHONPATH`` set to it. Valgrind makes the lab about
fifty times slower: a checkout takes one to three minutes.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REQUEST = b"GET /orders/7 HTTP/1.1\r\nHost: x\r\n\r\n"
PER_CONNECTION = 500  # requests per client connection (a lab closes one after 1000)

# The lab's process: starts a lab, says its ports, and stops it when its stdin says so
LAB = """
import json, sys
import labkit
lab = labkit.start()
if sys.argv[1] != "rfc":
    lab.gateway.personality = sys.argv[1]
print(json.dumps({"direct": lab.origin.port, "gateway": lab.gateway.port,
                  "labkit": labkit.__file__}), flush=True)
sys.stdin.readline()
lab.stop()
"""


def requests(port: int, n: int) -> None:
    """``n`` sequential requests on keep-alive connections, each answer read whole."""
    conn = None
    buf = b""
    for i in range(n):
        if i % PER_CONNECTION == 0:
            if conn is not None:
                conn.close()
            conn = socket.create_connection(("127.0.0.1", port), timeout=60)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            buf = b""
        assert conn is not None
        conn.sendall(REQUEST)
        while True:
            end = buf.find(b"\r\n\r\n")
            if end >= 0:
                head = buf[:end].lower()
                at = head.find(b"content-length:")
                length = int(head[at + 15 :].split(b"\r\n")[0])
                if len(buf) >= end + 4 + length:
                    buf = buf[end + 4 + length :]
                    break
            chunk = conn.recv(65536)
            if not chunk:
                raise ConnectionError("the lab closed the connection")
            buf += chunk
    if conn is not None:
        conn.close()


def counted(out: str) -> int:
    """The instructions a callgrind dump counted."""
    text = Path(out).read_text(encoding="latin-1")
    found = re.search(r"^(?:totals|summary): (\d+)", text, re.M)
    if found is None:
        raise RuntimeError(f"no total in {out}")
    return int(found.group(1))


def measure(checkout: Path, n: int, reps: int, personality: str) -> dict[str, list[float]]:
    """Instructions per request of each target, ``reps`` dumps each, alternating."""
    with tempfile.TemporaryDirectory(prefix="labkit-instructions-") as tmp:
        env = dict(os.environ, PYTHONPATH=str(checkout), PYTHONHASHSEED="0")
        lab = subprocess.Popen(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={tmp}/callgrind.out",
                sys.executable,
                "-c",
                LAB,
                personality,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
            cwd=tmp,  # not the repository's root: "-c" puts the directory first on sys.path
        )
        assert lab.stdin is not None and lab.stdout is not None
        try:
            info = json.loads(lab.stdout.readline())
            if not info["labkit"].startswith(str(checkout)):
                raise RuntimeError(f"{checkout}: the lab imported {info['labkit']}")
            for target in ("gateway", "direct"):  # warm-up: connections, caches, the pool
                requests(info[target], 200)
            got: dict[str, list[float]] = {"direct": [], "gateway": []}
            for _ in range(reps):
                for target in ("direct", "gateway"):
                    control = ["callgrind_control", "--zero", str(lab.pid)]
                    subprocess.run(control, check=True, capture_output=True)
                    requests(info[target], n)
                    before = set(glob.glob(f"{tmp}/callgrind.out*"))
                    control = ["callgrind_control", "--dump", str(lab.pid)]
                    subprocess.run(control, check=True, capture_output=True)
                    (dump,) = set(glob.glob(f"{tmp}/callgrind.out*")) - before
                    got[target].append(counted(dump) / n)
            lab.stdin.write("stop\n")
            lab.stdin.flush()
            lab.wait(60)
            return got
        finally:
            if lab.poll() is None:
                lab.kill()
                lab.wait()


# `import labkit` as the benchmark's import row times it: after what a kernel holds, the lab's
# code loaded by the first use of `labkit.start`
IMPORT_BASE = "import asyncio, httpx"
VALGRIND = ("valgrind", "--tool=callgrind")
IMPORT_LABKIT = IMPORT_BASE + "; import labkit; labkit.start"


def fresh_counts(checkout: Path, commands: dict[str, str]) -> dict[str, int]:
    """Instructions of each command (``python -c``, by name) in a fresh interpreter.

    The checkout's bytecode is compiled first (a run that compiles it counts the compiler);
    with that and PYTHONHASHSEED the same command counts the same to a few thousand. A lab
    a command starts registers, and an answer it checks is kept, in a scratch directory."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(checkout / "labkit")], check=True)
    counts = {}
    with tempfile.TemporaryDirectory(prefix="labkit-instructions-") as tmp:
        env = dict(
            os.environ,
            PYTHONPATH=str(checkout),
            PYTHONHASHSEED="0",
            LABKIT_RUNTIME_DIR=f"{tmp}/run",
            LABKIT_PROGRESS=f"{tmp}/progress.json",
        )
        for name, code in commands.items():
            out = f"{tmp}/callgrind.out"
            subprocess.run(
                [*VALGRIND, f"--callgrind-out-file={out}", sys.executable, "-c", code],
                check=True,
                capture_output=True,
                env=env,
                cwd=tmp,  # not the repository's root: "-c" puts the directory first on sys.path
            )
            counts[name] = counted(out)
    return counts


def import_instructions(checkout: Path) -> tuple[int, int]:
    """Instructions of ``IMPORT_BASE`` alone and with labkit's import, in fresh interpreters
    (``fresh_counts``)."""
    counts = fresh_counts(checkout, {"base": IMPORT_BASE, "labkit": IMPORT_LABKIT})
    return counts["base"], counts["labkit"]


# run.py's cold start (its memory child) and the first answer of each of its scale labs: in a
# fresh interpreter that has imported labkit, `labkit.start()` and one raw-socket GET that asks
# to close, as curl's and urllib's do. Each command leaves with os._exit: the lab's stop and the
# interpreter's teardown are not counted, on either side of the difference.
COLD_BASE = "import os, socket, labkit; labkit.start"
COLD_GET = (
    "; lab = labkit.start(); s = socket.create_connection(('127.0.0.1', lab.{hop}.port))"
    "; s.sendall(b'GET /orders/7 HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n')"
    "; data = b''.join(iter(lambda: s.recv(65536), b''))"
    "; assert data.startswith(b'HTTP/1.1 200 '), data[:40]"
)
COLD_EXIT = "; os._exit(0)"


def cold_instructions(checkout: Path) -> dict[str, int]:
    """Instructions of ``labkit.start()`` and a first answer that asks to close, from the
    origin and through the gateway, each a fresh interpreter's count less that of one
    that only imported labkit (``fresh_counts``)."""
    counts = fresh_counts(
        checkout,
        {
            "base": COLD_BASE + COLD_EXIT,
            "origin": COLD_BASE + COLD_GET.format(hop="origin") + COLD_EXIT,
            "gateway": COLD_BASE + COLD_GET.format(hop="gateway") + COLD_EXIT,
        },
    )
    return {name: counts[name] - counts["base"] for name in ("origin", "gateway")}


def main_cold(paths: list[Path], names: list[str]) -> int:
    print("| checkout | `labkit.start()` + first answer from the origin | through the gateway |")
    print("|---|---|---|")
    for name, path in zip(names, paths, strict=True):
        got = cold_instructions(path)
        print(
            f"| {name} | {got['origin'] / 1e6:.1f} M | {got['gateway'] / 1e6:.1f} M |", flush=True
        )
    print(
        "\nIr: instructions executed in user space, each in a fresh interpreter that imported "
        "labkit (its count subtracted); the request asks to close, as run.py's cold start does"
    )
    return 0


# a kernel that ran a lesson's start cell: asyncio, httpx and the lab's code loaded
EXERCISES_BASE = "import os, asyncio, httpx, labkit; labkit.start; import labkit.lab"
LESSONS = ("500", "501", "502", "503", "504", "505", "511", "gateways", "capstone")


def exercises_instructions(checkout: Path) -> dict[str, int]:
    """Instructions of importing each lesson's exercises module, in a fresh interpreter that
    loaded what a kernel holds after the lesson's start cell (``EXERCISES_BASE``), less that
    interpreter's count; each ended by os._exit (``fresh_counts``)."""
    commands = {"": EXERCISES_BASE + COLD_EXIT}
    for lesson in LESSONS:
        module = f"lesson_{lesson}" if lesson[:1].isdigit() else lesson
        commands[lesson] = f"{EXERCISES_BASE}; import labkit.exercises.{module}{COLD_EXIT}"
    counts = fresh_counts(checkout, commands)
    return {lesson: counts[lesson] - counts[""] for lesson in LESSONS}


def main_exercises(paths: list[Path], names: list[str]) -> int:
    print(f"| checkout | {' | '.join(LESSONS)} |")
    print(f"|---|{'---|' * len(LESSONS)}")
    for name, path in zip(names, paths, strict=True):
        got = exercises_instructions(path)
        print(f"| {name} | {' | '.join(f'{got[n] / 1e6:.1f} M' for n in LESSONS)} |", flush=True)
    print(
        "\nIr: instructions executed in user space to import the lesson's exercises, in a fresh "
        f"interpreter after `{EXERCISES_BASE}` (its count subtracted)"
    )
    return 0


def main_import(paths: list[Path], names: list[str]) -> int:
    print("| checkout | `import asyncio, httpx` | and `import labkit; labkit.start` | labkit's |")
    print("|---|---|---|---|")
    for name, path in zip(names, paths, strict=True):
        base, total = import_instructions(path)
        print(
            f"| {name} | {base / 1e6:.1f} M | {total / 1e6:.1f} M | {(total - base) / 1e6:.1f} M |",
            flush=True,
        )
    print("\nIr: instructions executed in user space, each command in a fresh interpreter")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkouts", nargs="*", default=[str(Path(__file__).parent.parent)])
    parser.add_argument("--requests", type=int, default=400, help="per dump (default 400)")
    parser.add_argument("--reps", type=int, default=3, help="dumps of each target (default 3)")
    parser.add_argument("--personality", default="rfc", help="the gateway's (default rfc)")
    parser.add_argument(
        "--import",
        dest="imports",
        action="store_true",
        help="count `import labkit` after asyncio and httpx instead of requests",
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="count a fresh lab's start and first answer (Connection: close) instead",
    )
    parser.add_argument(
        "--exercises",
        action="store_true",
        help="count importing each lesson's exercises in a kernel that started a lab instead",
    )
    args = parser.parse_args()
    for tool in ("valgrind", "callgrind_control"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
            return 1
    paths = [Path(checkout).resolve() for checkout in args.checkouts]
    for checkout, path in zip(args.checkouts, paths, strict=True):
        if not (path / "labkit" / "__init__.py").exists():
            print(f"{checkout}: no labkit/ in it (a checkout holds labkit/)", file=sys.stderr)
            return 1
    if args.imports:
        return main_import(paths, args.checkouts)
    if args.cold:
        return main_cold(paths, args.checkouts)
    if args.exercises:
        return main_exercises(paths, args.checkouts)
    print(
        "| checkout | direct, Ir per request | through the gateway | the gateway's own | own ÷ direct |"
    )
    print("|---|---|---|---|---|")
    for checkout, path in zip(args.checkouts, paths, strict=True):
        print(f"measuring {path} ...", file=sys.stderr, flush=True)
        got = measure(path, args.requests, args.reps, args.personality)
        direct = statistics.median(got["direct"])
        through = statistics.median(got["gateway"])
        own = through - direct
        print(
            f"| {checkout} | {direct / 1e3:.1f} k | {through / 1e3:.1f} k | {own / 1e3:.1f} k "
            f"| {own / direct:.3f} |",
            flush=True,
        )
    print(
        f"\n{args.requests} requests per dump, median of {args.reps} dumps per target, "
        f"personality {args.personality}; Ir: instructions executed in user space",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
