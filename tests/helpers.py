"""Small helpers shared by the tests."""

from __future__ import annotations

import contextlib
import io
import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def load_tool(name: str) -> Any:
    """tools/NAME.py, loaded afresh as the module NAME (tools/ is no package, and the tests
    read the tools the way their command lines run them)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # a tool's dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def solution_function(exercise, name: str):
    """The function defined by an exercise's shown solution: the test runs what learners see."""
    import re

    code = "\n".join(
        line
        for line in exercise.solution_text.splitlines()
        if not re.match(r"\s*q\d+\.check\(", line)
    )
    namespace: dict = {}
    exec(code, namespace)
    return namespace[name]


class Node(dict[str, Any]):
    """A notebook's JSON object whose keys read as attributes too (``cell.source``), as
    nbformat's NotebookNode reads."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def read_notebook(path: Path) -> Node:
    """A notebook read as the JSON it is, each cell's source one string: what the tests read
    of a notebook needs no nbformat, whose import (its validator) took 1-5 s of collection on
    a loaded machine. Executing one (tools/store_outputs.py) still uses nbformat and nbclient."""
    nb: Node = json.loads(path.read_text(encoding="utf-8"), object_hook=Node)
    for cell in nb.cells:
        if isinstance(cell.source, list):
            cell["source"] = "".join(cell.source)
    return nb


def run_labkit(
    *args: str, env: dict[str, str] | None = None, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    """The real `labkit ARGS` in its own process (``env``: its whole environment), ended if
    it takes more than ``timeout`` s of its own time: the machine's clock less its wait for
    a CPU (procguard: beside busy cores a command waits far longer than it runs)."""
    from procguard import run_guarded

    return run_guarded([sys.executable, "-m", "labkit", *args], env=env, timeout=timeout)


def labkit_in_process(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`labkit ARGS` run through ``labkit.cli.main`` in this process, reported as a subprocess
    run is (exit status, stdout, stderr): the same parser, messages and exit codes, without
    starting an interpreter and importing labkit again (about 0.3 s each). Each command keeps
    real ``python -m labkit`` runs in the suite (tests/test_cli.py, tests/test_bad_input.py)."""
    from labkit import cli

    out, err = io.StringIO(), io.StringIO()
    saved = {name: os.environ.get(name) for name in env or {}}
    os.environ.update(env or {})
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main(list(args))
            except SystemExit as exc:  # argparse's exit: its status, as the process's
                code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return subprocess.CompletedProcess(["labkit", *args], code, out.getvalue(), err.getvalue())


def socket_inodes() -> set[str]:
    """The inodes of the sockets this process has open, read from /proc/self/fd (Linux)."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            link = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # the fd of the listing itself, closed meanwhile
            continue
        if link.startswith("socket:["):
            found.add(link[len("socket:[") : -1])
    return found


def settle(check: Callable[[], bool], limit: float = 3.0) -> bool:
    """Wait until ``check()`` is true (closing is asynchronous), at most ``limit`` s; whether
    it became true."""
    deadline = time.monotonic() + limit
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


# Chunk sizes some server refuses, after a chunked POST's head, and what each answers: a
# status (at once), PASSED (the upstream's 200, the rest of the body awaited) or WAITS (not a
# byte: it awaits the chunk's data). Columns: real nginx, real HAProxy, the lab's origin and
# gateway (at once, from the size line), real Caddy in front of an upstream that reads the
# whole body before it answers (Caddy streams the body; Go's chunked reader counts digits,
# not value). Observed on loopback; see personalities.NOTES.
PASSED, WAITS = "passed on", "waits"
CHUNKED_HEAD = b"POST /proxied HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
CHUNK_SIZES: dict[str, tuple[bytes, int | str, int | str, int, int | str]] = {
    "20 hex digits": (b"ffffffffffffffffffff\r\n", 400, 400, 400, 502),
    "17 hex digits, a size of 1": (b"00000000000000001\r\nx", WAITS, PASSED, WAITS, 502),
    "2^63, past a signed 64-bit count": (b"8000000000000000\r\n", 400, 400, 400, WAITS),
    "2^63 - 1, the largest a signed 64-bit count holds": (
        b"7fffffffffffffff\r\n",
        400,
        400,
        413,
        WAITS,
    ),
    "2^59, the smallest size nginx refuses": (b"0800000000000000\r\n", 400, 400, 413, WAITS),
    "2^52, the smallest size HAProxy refuses": (b"10000000000000\r\n", WAITS, 400, 413, WAITS),
    "2 MiB, over the 1 MiB body limit, with its first byte": (
        b"200000\r\nx",
        413,
        PASSED,
        413,
        WAITS,
    ),
}


# Stops the process given at random, as a descheduled kernel on a crowded hub is: a pause of
# 0.05 to 0.6 s, then SIGSTOP for up to 0.4 s, then SIGCONT, until its parent (the test run)
# is gone or it is told to end (SIGTERM); it always leaves the process running.
_STOPPER = """
import os, random, signal, sys, time
target, parent = int(sys.argv[1]), os.getppid()
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
try:
    while os.getppid() == parent:
        time.sleep(random.uniform(0.05, 0.6))
        os.kill(target, signal.SIGSTOP)
        time.sleep(random.uniform(0.0, 0.4))
        os.kill(target, signal.SIGCONT)
finally:
    os.kill(target, signal.SIGCONT)
"""


@contextlib.contextmanager
def stopped_at_random() -> Any:
    """This process stopped at random moments for up to 0.4 s each while the block runs (a
    helper process sends SIGSTOP and SIGCONT): what a timed judge must not notice."""
    import signal

    stopper = subprocess.Popen([sys.executable, "-c", _STOPPER, str(os.getpid())])
    try:
        yield
    finally:
        stopper.terminate()
        stopper.wait()
        os.kill(os.getpid(), signal.SIGCONT)


def alive(pid: int) -> bool:
    """Whether the process runs (a zombie, dead but not reaped yet, does not)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return False
    return data[data.rfind(b")") + 2 :].split()[0] not in (b"Z", b"X")


# upstreams that answer nobody by design (a port bound but not listening, one that never reads)
NEVER_ANSWER = ("blackhole", "refused")

# How long LOW_FILES_LAB's own client waits for its gateway's answer, by the machine's clock
# (``ask`` judges it by the lab's own time, less: this only ends a wait nobody answers)
ASK_CEILING = 30.0
# A lab in a process whose file limit is a kernel's usual 1024: prints its gateway's port and
# then every other port it listens on (origin, portal, the upstreams that answer), then on
# each line from stdin asks its gateway for "/" on a new connection and prints the status
# line, so the test sees what the learner's own next request gets.
LOW_FILES_LAB = f"""
import resource, socket, sys
resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))
import labkit
lab = labkit.start()
ups = [u.rsplit(":", 1)[1] for n, u in lab.urls()["upstreams"].items() if n not in {NEVER_ANSWER!r}]
print(lab.gateway.port, lab.origin.port, lab.portal.port, *ups, flush=True)
for line in sys.stdin:
    try:
        with socket.create_connection(("127.0.0.1", lab.gateway.port), timeout={ASK_CEILING}) as s:
            s.sendall(b"GET / HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n")
            print(s.recv(100).split(b"\\r\\n")[0].decode() or "closed", flush=True)
    except OSError as e:
        print(type(e).__name__, flush=True)
lab.stop()
"""


def lab_process(script: str) -> subprocess.Popen[str]:
    """Run ``script`` (a lab in a process of its own, as in a kernel) with its three streams
    piped, as text: the test talks to it in lines on stdin and stdout, and reads stderr (its
    lines to the learner, a traceback) once it ends (``communicate``)."""
    return subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def low_files_lab() -> tuple[subprocess.Popen[str], list[int]]:
    """Start LOW_FILES_LAB; return it and its ports, its gateway's first."""
    proc = lab_process(LOW_FILES_LAB)
    assert proc.stdout is not None
    return proc, [int(port) for port in proc.stdout.readline().split()]


ASK_SECONDS = 2.0  # of the lab process's own time, for the answer to its learner's request


def ask(proc: subprocess.Popen[str], seconds: float = ASK_SECONDS) -> str:
    """What LOW_FILES_LAB's next request to its own gateway got: a status line, "closed",
    or the name of the error; "TimeoutError" when it had no answer within ``seconds`` of
    the lab process's own time (procguard.Bound: the machine's clock less the time it
    waited, ready to run, for a CPU others had).

    Its own time, not the machine's: beside another user's flood of connects at load 16-20
    the learner's connection waited in the gateway's accept queue behind 400 to 1,000 of
    theirs (a queue the kernel keeps in order) while the lab's loop thread ran 4% of the
    time (schedstat: 0.08 s run, 2.25 s waiting for a CPU in an ask of 2.3 s), and a 2 s
    socket timeout said TimeoutError for an answer that took the lab 0.1 s of its own."""
    from procguard import LOOK, Bound

    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("go\n")
    proc.stdin.flush()
    bound = Bound(proc.pid, seconds, ceiling=ASK_CEILING)
    while not select.select([proc.stdout], [], [], max(0.0, min(bound.left(), LOOK)))[0]:
        if bound.reached():
            proc.stdout.readline()  # its line, by ASK_CEILING: the next ask reads its own
            return "TimeoutError"
    return proc.stdout.readline().strip()


def h11_reads(answer: bytes, *, closed: bool) -> tuple[int, str, list[tuple[str, str]], bytes]:
    """What h11 alone makes of ``answer`` to a GET: status, reason, fields as sent, body. The
    oracle for the gateway's upstream reader, which reads a plain answer without h11 and
    must read exactly this. ``closed``: the upstream closed after it (a body framed by
    neither Content-Length nor chunked then ends there); else the connection stays open.
    h11's RemoteProtocolError for an answer it refuses is raised as h11 raises it."""
    import h11

    conn = h11.Connection(h11.CLIENT)
    conn.send(h11.Request(method="GET", target="/", headers=[("Host", "x")]))
    conn.send(h11.EndOfMessage())
    conn.receive_data(answer)
    if closed:
        conn.receive_data(b"")
    head = None
    body = b""
    while not isinstance(event := conn.next_event(), h11.EndOfMessage):
        if isinstance(event, h11.Response):
            head = event
        elif isinstance(event, h11.Data):
            body += event.data
        elif not isinstance(event, h11.InformationalResponse):
            raise AssertionError(f"h11 did not read a whole answer from {answer[:80]!r}: {event}")
    assert head is not None
    fields = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in head.headers.raw_items()]
    return head.status_code, head.reason.decode("latin-1"), fields, body


def verdict(q: Any, given: Any) -> tuple[str, str]:
    """ "+", "-" or "?" for ``given`` judged by the exercise ``q``, and the message the learner
    reads ("?": refused as no answer of the kind asked, which is not counted)."""
    from labkit.exercises import answers
    from labkit.i18n import render

    try:
        correct, message, _ = q.judge(given)
    except answers.WrongKind as exc:
        return "?", render(exc.args[0], "en")
    return ("+" if correct else "-"), render(message, "en")


def misjudged(q: Any, block: str) -> list[str]:
    """The lines of ``block`` that ``q`` judges otherwise than each line says. A line is the
    verdict wanted, a space, then the answer: "+" accepted, "?" refused as no answer of the
    kind asked, "-" judged wrong, "!" anything but accepted (a near miss). An answer that
    starts with "{" is a capstone diagnosis, as JSON; one refused as a whole is "?"."""
    import json

    from labkit.exercises.checks import Refused

    wrong = []
    for line in block.strip().splitlines():
        wanted, given = line[0], line[2:]
        answer = json.loads(given) if given.startswith("{") else given
        try:
            got, message = verdict(q, answer)
        except Refused as refused:  # a diagnosis refused as a whole (not counted)
            got, message = "?", str(refused)
        if got != wanted and not (wanted == "!" and got != "+"):
            wrong.append(f"{given!r}: wanted {wanted}, got {got} ({message})")
    return wrong


def pressed_as_shown(press: Any, shown: dict[tuple[Any, str], Any]) -> None:
    """``press`` pressed in the browser while it showed ``shown`` ((box, trait): value), which
    Python does not hold yet: the boxes' own updates come after the press."""
    state = {press.copy_of(box, trait): value for (box, trait), value in shown.items()}
    press.set_state({**state, "presses": press.presses + 1})
