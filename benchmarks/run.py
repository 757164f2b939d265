"""labkit benchmarks: one command, one markdown table.

    .venv/bin/python benchmarks/run.py                    # full run (a few minutes)
    .venv/bin/python benchmarks/run.py --quick            # smoke run, same table shape, < 60 s
    .venv/bin/python benchmarks/run.py --skip-notebooks   # everything but the notebooks and tests
    .venv/bin/python benchmarks/run.py --only gateway-cpu # one section (here: the gateway's CPU)

Every figure is the median of several runs, and each figure's peer (stdlib, uvicorn,
nginx) is measured in the same invocation, interleaved with it. Only loopback
addresses are used; every load is a fixed number of requests. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import contextlib
import datetime as dt
import importlib.util
import json
import math
import multiprocessing
import os
import platform
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rawget import CONTENT_LENGTH, HOST, http_get  # this folder's: compare_start.py's too

REPO = Path(__file__).resolve().parent.parent
REQUEST = b"GET /orders/7 HTTP/1.1\r\nHost: x\r\n\r\n"
ORDER_7 = (
    json.dumps({"id": 7, "item": "espresso beans", "customer": "Ada"}, indent=1) + "\n"
).encode()
NGINX = "/usr/sbin/nginx"


@dataclass
class Settings:
    quick: bool
    startup_reps: int
    load_reps: int
    load_requests: int
    load_clients: int
    load_workers: int
    unloaded_requests: int
    timeout_tries: int
    memory_reps: int
    scale_labs: int
    scale_runs: int
    notebook_runs: int

    @classmethod
    def make(cls, quick: bool) -> Settings:
        cores = os.cpu_count() or 1
        return cls(
            quick=quick,
            startup_reps=3 if quick else 20,
            load_reps=3 if quick else 5,
            load_requests=300 if quick else 2000,
            load_clients=50,
            load_workers=2 if cores <= 2 else min(cores, 4),
            unloaded_requests=100 if quick else 400,
            timeout_tries=10 if quick else 50,
            memory_reps=3 if quick else 5,
            scale_labs=12 if quick else SCALE_LABS,
            scale_runs=2 if quick else 3,
            notebook_runs=1 if quick else 3,
        )


# -- small helpers --------------------------------------------------------------------------


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def percentile(sorted_xs: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_xs:
        return float("nan")
    k = max(0, min(len(sorted_xs) - 1, math.ceil(q * len(sorted_xs)) - 1))
    return sorted_xs[k]


def ms(seconds: float, digits: int = 2) -> str:
    return f"{seconds * 1000:.{digits}f} ms"


def mb(kib: float) -> str:
    return f"{kib / 1024:.1f} MB"


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "**MISS**")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def run_child(args: list[str], timeout: float) -> Any:
    """Run this script as a child (``--child ...``) and return the JSON it prints last."""
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"child {args} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# -- machine ---------------------------------------------------------------------------------


def machine_line() -> str:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    today = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"Machine: {os.cpu_count()} cores, {model}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, {today}"
    )


# -- optional peers: uvicorn and nginx ------------------------------------------------------


def ensure_uvicorn(settings: Settings) -> str | None:
    """Return a skip note, or None when uvicorn can be imported (installing it if missing)."""
    if importlib.util.find_spec("uvicorn") is not None:
        return None
    if settings.quick:
        return "uvicorn not installed (--quick never installs; a full run pip-installs it)"
    log("uvicorn missing: pip install uvicorn (into this venv, for the benchmark only)")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "uvicorn"],
        capture_output=True,
        text=True,
    )
    importlib.invalidate_caches()
    if proc.returncode != 0 or importlib.util.find_spec("uvicorn") is None:
        return "uvicorn could not be installed: " + (proc.stderr.strip().splitlines() or ["?"])[-1]
    return None


def ensure_nginx(settings: Settings) -> str | None:
    """Return a skip note, or None when /usr/sbin/nginx exists (apt-installing it if root)."""
    if os.path.exists(NGINX):
        return None
    if settings.quick:
        return "nginx not installed (--quick never installs; a full run apt-installs it as root)"
    if os.geteuid() != 0:
        return "nginx not installed and not root: `sudo apt-get install -y nginx` to compare"
    log("nginx missing: apt-get install -y nginx")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "install", "-y", "nginx"], None):
        if cmd is None:  # the package lists may be stale: update once, then try again
            subprocess.run(["apt-get", "update", "-q"], capture_output=True, env=env)
            cmd = ["apt-get", "install", "-y", "-q", "nginx"]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if proc.returncode == 0 and os.path.exists(NGINX):
            return None
    return "nginx could not be installed: " + (proc.stderr.strip().splitlines() or ["?"])[-1]


def nginx_version() -> str:
    proc = subprocess.run([NGINX, "-v"], capture_output=True, text=True)
    return proc.stderr.strip().split("/")[-1] or "?"


NGINX_CONF = """\
daemon off;
master_process on;
worker_processes 1;
error_log {tmp}/error.log warn;
pid {tmp}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream lab_origin {{
        server {host}:{origin_port};
        keepalive 64;
    }}
    server {{
        listen {host}:{port};
        location / {{
            proxy_pass http://lab_origin;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }}
    }}
}}
"""


async def _relay(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    origin_port: int,
    recorder: Any = None,
) -> None:
    """One client connection of the minimal relay: one keep-alive upstream connection, each
    message parsed and written once on each side, nothing checked or rewritten.

    With a ``recorder`` (labkit's), it also does what the lab's gateway must do for each
    request whatever its design: each read waits within a timeout (``deadline.within``, the
    gateway's), and it records the four events the gateway records, with the same facts
    (the request's bytes as received, its two upstream steps, the answer's bytes as sent),
    through the recorder's entry points the gateway uses."""
    import h11

    up_reader, up_writer = await asyncio.open_connection(HOST, origin_port)
    client, upstream = h11.Connection(h11.SERVER), h11.Connection(h11.CLIENT)
    if recorder is not None:
        from labkit.http.deadline import within
        from labkit.recorder import Attempt, Role, Step

        # the gateway's attempts are made once for a kept connection too (proxy._attempt_on)
        sent = Attempt(Step.FORWARDED, "origin", "origin", HOST, origin_port, 1.0, 1.0, 1)
        answered = Attempt(Step.ANSWERED, "origin", "origin", HOST, origin_port, 1.0, 1.0, 1)

    async def message(conn: h11.Connection, r: asyncio.StreamReader, raw: bytearray) -> list[Any]:
        events: list[Any] = []
        while not events or not isinstance(events[-1], h11.EndOfMessage):
            event = conn.next_event()
            if event is h11.NEED_DATA:
                if recorder is None:
                    data = await r.read(65536)
                else:
                    data = await within(5.0, lambda: r.read(65536))
                    raw += data
                if not data:
                    raise ConnectionError
                conn.receive_data(data)
            elif event is h11.PAUSED:
                raise ConnectionError
            else:
                events.append(event)
        return events

    try:
        while True:
            raw = bytearray()
            request = await message(client, reader, raw)
            out = b"".join(upstream.send(e) for e in request)
            up_writer.write(out)
            if recorder is not None:
                rid = recorder.new_id()
                method, target = request[0].method.decode(), request[0].target.decode()
                line = f"{method} {target} HTTP/1.1"
                recorder.received(
                    rid, "relay", Role.GATEWAY, line, bytes(raw), None, method, target, "1.1"
                )
                recorder.upstream(rid, "relay", Role.GATEWAY, "forwarded", out, sent)
            raw = bytearray()
            response = await message(upstream, up_reader, raw)
            out = b"".join(client.send(e) for e in response)
            writer.write(out)
            if recorder is not None:
                status = response[0].status_code
                recorder.upstream(rid, "relay", Role.GATEWAY, "answered", bytes(raw), answered)
                recorder.sent(
                    rid, "relay", Role.GATEWAY, str(status), out, status, False, "", "", None
                )
            client.start_next_cycle()
            upstream.start_next_cycle()
    except (ConnectionError, h11.ProtocolError, TimeoutError):
        pass
    finally:
        writer.close()
        up_writer.close()


@contextlib.contextmanager
def minimal_relay(
    origin_port: int, on: asyncio.AbstractEventLoop | None = None, recorder: Any = None
) -> Iterator[int]:
    """The floor for the gateway's CPU: a relay with nothing but asyncio and h11, in this process.

    One keep-alive upstream connection per client connection, each message parsed and written
    once on each side, nothing checked, recorded or rewritten. Any Python relay on one event
    loop does at least this; the gateway's own CPU is judged beside it. On a loop of its own
    in a thread of its own, or ``on`` a running loop (the lab's: the same thread as the origin
    it relays to, as the gateway is), with a ``recorder`` what the gateway must do whatever
    its design (``_relay``).
    """

    def serve(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> Any:
        return _relay(r, w, origin_port, recorder)

    if on is not None:
        server = asyncio.run_coroutine_threadsafe(asyncio.start_server(serve, HOST, 0), on)
        started = server.result(10)
        try:
            yield started.sockets[0].getsockname()[1]
        finally:
            on.call_soon_threadsafe(started.close)
        return

    loop = asyncio.new_event_loop()
    servers: list[asyncio.Server] = []
    ready = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        servers.append(loop.run_until_complete(asyncio.start_server(serve, HOST, 0)))
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, name="minimal-relay", daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield servers[0].sockets[0].getsockname()[1]
    finally:
        servers[0].close()
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


@contextlib.contextmanager
def nginx_in_front_of(origin_port: int) -> Iterator[int]:
    """Run nginx (temp-dir config, foreground) proxying to the origin; yields its port."""
    with tempfile.TemporaryDirectory(prefix="labkit-bench-nginx-") as tmp:
        last_error = ""
        for _attempt in range(3):
            port = free_port()
            conf = Path(tmp) / "nginx.conf"
            conf.write_text(
                NGINX_CONF.format(tmp=tmp, host=HOST, origin_port=origin_port, port=port)
            )
            proc = subprocess.Popen(
                [NGINX, "-p", tmp, "-c", str(conf), "-e", f"{tmp}/error.log"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            deadline = time.monotonic() + 5
            ready = False
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    ready = http_get(port, timeout=1) == 200
                    break
                except OSError:
                    time.sleep(0.02)
            if ready:
                try:
                    yield port
                finally:
                    proc.send_signal(signal.SIGQUIT)
                    try:
                        proc.wait(timeout=5)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait()
                return
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            err = Path(tmp, "error.log")
            last_error = (err.read_text() if err.exists() else "") + (
                proc.stderr.read().decode() if proc.stderr else ""
            )
        raise RuntimeError(f"nginx did not start: {last_error[-500:]}")


# -- 1. start-up and stop ---------------------------------------------------------------------


def _start_labkit() -> tuple[float, float]:
    import labkit

    t0 = time.perf_counter()
    lab = labkit.start()
    status = http_get(lab.origin.port)
    t1 = time.perf_counter()
    lab.stop()
    t2 = time.perf_counter()
    assert status == 200, status
    return t1 - t0, t2 - t1


def _start_stdlib() -> tuple[float, float]:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(ORDER_7)))
            self.end_headers()
            self.wfile.write(ORDER_7)

        def log_message(self, *args: Any) -> None:
            pass

    t0 = time.perf_counter()
    server = ThreadingHTTPServer((HOST, 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    status = http_get(server.server_address[1])
    t1 = time.perf_counter()
    server.shutdown()
    server.server_close()
    thread.join()
    t2 = time.perf_counter()
    assert status == 200, status
    return t1 - t0, t2 - t1


async def _asgi_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(ORDER_7)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": ORDER_7})


def _start_uvicorn() -> tuple[float, float]:
    import uvicorn

    t0 = time.perf_counter()
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    sock.listen(128)  # so the first GET waits in the backlog instead of being refused
    config = uvicorn.Config(
        _asgi_app, log_level="error", lifespan="off", access_log=False, loop="asyncio"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    status = http_get(sock.getsockname()[1])
    t1 = time.perf_counter()
    server.should_exit = True
    thread.join()
    sock.close()
    t2 = time.perf_counter()
    assert status == 200, status
    return t1 - t0, t2 - t1


def child_startup(reps: int, with_uvicorn: bool) -> dict[str, Any]:
    import labkit  # noqa: F401  (imported before timing: start-up is measured warm)

    subjects: dict[str, Callable[[], tuple[float, float]]] = {
        "labkit": _start_labkit,
        "stdlib": _start_stdlib,
    }
    if with_uvicorn:
        subjects["uvicorn"] = _start_uvicorn
    out: dict[str, dict[str, list[float]]] = {k: {"start": [], "stop": []} for k in subjects}
    names = list(subjects)
    for i in range(reps + 1):  # the first round warms imports and caches; it is discarded
        order = names[i % len(names) :] + names[: i % len(names)]
        for name in order:
            start, stop = subjects[name]()
            if i:
                out[name]["start"].append(start)
                out[name]["stop"].append(stop)
    return out


# -- 2. latency and throughput: raw-socket load generator in worker processes ----------------


async def _client_load(port: int, conns: int, requests: int, start_at: float) -> dict[str, Any]:
    streams = [await asyncio.open_connection(HOST, port) for _ in range(conns)]
    shares = [requests // conns + (1 if i < requests % conns else 0) for i in range(conns)]
    latencies: list[float] = []
    errors: list[str] = []
    reconnects = 0

    async def one_connection(idx: int, count: int) -> None:
        nonlocal reconnects
        reader, writer = streams[idx]
        done = 0
        while done < count:
            t0 = time.perf_counter()
            try:
                writer.write(REQUEST)
                head = await reader.readuntil(b"\r\n\r\n")
                m = CONTENT_LENGTH.search(head)
                if m is None:
                    raise ValueError(f"no Content-Length: {head[:200]!r}")
                await reader.readexactly(int(m.group(1)))
            except (ConnectionError, asyncio.IncompleteReadError) as exc:
                writer.close()
                if reconnects > 100:
                    errors.append(f"too many reconnects ({exc!r})")
                    return
                reconnects += 1
                reader, writer = await asyncio.open_connection(HOST, port)
                streams[idx] = (reader, writer)
                continue
            latencies.append(time.perf_counter() - t0)
            if head[9:12] != b"200":
                errors.append(head.split(b"\r\n", 1)[0].decode("latin-1"))
            done += 1

    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    began = time.monotonic()
    await asyncio.gather(*(one_connection(i, n) for i, n in enumerate(shares)))
    ended = time.monotonic()
    for _, writer in streams:
        writer.close()
    return {
        "latencies": latencies,
        "began": began,
        "ended": ended,
        "errors": errors[:5],
        "error_count": len(errors),
        "reconnects": reconnects,
    }


def load_worker(args: tuple[int, int, int, float]) -> dict[str, Any]:
    """Runs in a worker process: ``conns`` keep-alive connections, ``requests`` in total."""
    port, conns, requests, start_at = args
    return asyncio.run(_client_load(port, conns, requests, start_at))


@dataclass
class LoadRun:
    p50: float
    p99: float
    rps: float
    errors: int
    cpu: float  # CPU seconds of this process (where the lab runs) per request
    reconnects: int = 0  # the server closed a keep-alive connection: reopened, request retried
    sample_errors: list[str] = field(default_factory=list)


def run_load(pool: Any, port: int, clients: int, requests: int, workers: int) -> LoadRun:
    workers = max(1, min(workers, clients))
    conns = [clients // workers + (1 if i < clients % workers else 0) for i in range(workers)]
    reqs = [requests // workers + (1 if i < requests % workers else 0) for i in range(workers)]
    start_at = time.monotonic() + 0.3  # every worker connects first, then all begin together
    cpu0 = time.process_time()  # this process only waits here: its CPU is the lab thread's
    results = pool.map(
        load_worker, [(port, c, r, start_at) for c, r in zip(conns, reqs, strict=True)]
    )
    cpu = time.process_time() - cpu0
    lat = sorted(x for r in results for x in r["latencies"])
    span = max(r["ended"] for r in results) - min(r["began"] for r in results)
    errors = sum(r["error_count"] for r in results)
    samples = [e for r in results for e in r["errors"]]
    reconnects = sum(r["reconnects"] for r in results)
    return LoadRun(
        percentile(lat, 0.50),
        percentile(lat, 0.99),
        len(lat) / span,
        errors,
        cpu / len(lat),
        reconnects,
        samples,
    )


# -- 3. memory (fresh interpreter, nothing imported before the first reading) ----------------

MEMORY_CHILD = r"""
import json, time
def rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
before = rss()
import labkit
labkit.start  # the lab's code loads with the name's first use, as a learner's labkit.start()
imported = rss()
import socket  # already imported by labkit: free here
def get(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"GET /orders/7 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = b""
    while chunk := s.recv(65536):
        data += chunk
    s.close()
    return int(data[9:12])
t0 = time.perf_counter()
lab = labkit.start()
status = get(lab.origin.port)
cold_start = time.perf_counter() - t0
started = rss()
ex = lab.get("/orders/7")
used = rss()
lab2 = labkit.start()
ex2 = lab2.get("/orders/7")
second = rss()
lab2.stop()
lab.stop()
print(json.dumps({"before": before, "imported": imported, "started": started,
                  "used": used, "second": second, "cold_start": cold_start,
                  "statuses": [status, ex.status, ex2.status]}))
"""


def run_memory(settings: Settings) -> list[dict[str, Any]]:
    out = []
    for _ in range(settings.memory_reps):
        with tempfile.TemporaryDirectory(prefix="labkit-bench-mem-") as tmp:
            proc = subprocess.run(
                [sys.executable, "-c", MEMORY_CHILD],
                capture_output=True,
                text=True,
                timeout=60,
                env=lab_env(tmp),
                cwd=tmp,
            )
        if proc.returncode != 0:
            raise RuntimeError(f"memory child failed:\n{proc.stderr[-2000:]}")
        out.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return out


def lab_env(tmp: str) -> dict[str, str]:
    env = dict(os.environ)
    env["LABKIT_RUNTIME_DIR"] = str(Path(tmp) / "run")
    env["LABKIT_PROGRESS"] = str(Path(tmp) / "progress.json")
    return env


# -- 3b. import and first answer in a fresh interpreter ------------------------------------

IMPORT_CHILD = r"""
import json, sys, time
def rss():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
for name in filter(None, sys.argv[1].split(",")):
    __import__(name)
r0 = rss()
t0 = time.perf_counter()
import labkit
labkit.start  # the lab's code loads with the name's first use, as a learner's labkit.start()
t1 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "rss": rss() - r0, "base_rss": r0}))
"""

GET_GATEWAY = """
def first_answer(port):
    import socket
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"GET /orders/7 HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return int(data[9:12])
"""

FIRST_LAB = (
    GET_GATEWAY
    + r"""
import labkit
lab = labkit.start()
print(first_answer(lab.gateway.port), flush=True)
lab.stop()
"""
)

FIRST_BARE = (
    GET_GATEWAY
    + r"""
import asyncio, threading
import h11
BODY = b'{"id": "7"}'
async def handle(reader, writer):
    conn = h11.Connection(h11.SERVER)
    while not isinstance(event := conn.next_event(), h11.EndOfMessage):
        if event is h11.NEED_DATA:
            conn.receive_data(await reader.read(65536))
    head = h11.Response(status_code=200, headers=[("Content-Length", str(len(BODY)))])
    writer.write(conn.send(head) + conn.send(h11.Data(data=BODY)) + conn.send(h11.EndOfMessage()))
    await writer.drain()
    writer.close()
loop = asyncio.new_event_loop()
ready = threading.Event()
port = []
def run():
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(asyncio.start_server(handle, "127.0.0.1", 0))
    port.append(server.sockets[0].getsockname()[1])
    ready.set()
    loop.run_forever()
threading.Thread(target=run, daemon=True).start()
ready.wait()
print(first_answer(port[0]), flush=True)
"""
)


SCALE_BARE = FIRST_BARE.replace(
    "print(first_answer(port[0]), flush=True)\n",
    "import json, sys, time\n"
    "status = first_answer(port[0])\n"
    'print(json.dumps({"status": status, "start_to_200": 0.0, "rss": 0, "gateway": port[0],'
    ' "cpu": time.process_time()}), flush=True)\n'
    "sys.stdin.read()\n",
)
assert SCALE_BARE != FIRST_BARE, "the bare server's last line changed: update SCALE_BARE"
# the interpreter alone: spawned the same way, it answers its line at once and waits
SCALE_PYTHON = (
    "import json, sys, time\n"
    'print(json.dumps({"status": 200, "start_to_200": 0.0, "rss": 0, "gateway": 0,'
    ' "cpu": time.process_time()}), flush=True)\n'
    "sys.stdin.read()\n"
)


def _spawn_to_line(code: str, env: dict[str, str], cwd: str) -> tuple[float, str]:
    """Seconds from spawning ``python -c code`` to its first line of output, and the line."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=cwd,
    )
    line = proc.stdout.readline() if proc.stdout else ""
    took = time.perf_counter() - t0
    proc.wait(timeout=30)
    if proc.stdout:
        proc.stdout.close()
    return took, line.strip()


def section_import(settings: Settings, table: Table) -> None:
    reps = max(settings.memory_reps, 5)
    log(f"import: {reps} fresh interpreters each, interleaved")
    fresh, preloaded, lab_first, bare_first, bare_exit, import_exit = [], [], [], [], [], []
    with tempfile.TemporaryDirectory(prefix="labkit-bench-import-") as tmp:
        env = lab_env(tmp)
        for _ in range(reps):
            for pre, out in (("", fresh), ("asyncio,httpx", preloaded)):
                proc = subprocess.run(
                    [sys.executable, "-c", IMPORT_CHILD, pre],
                    env=env,
                    cwd=tmp,
                    capture_output=True,
                    text=True,
                    timeout=60,
                )
                out.append(json.loads(proc.stdout))
            bare_exit.append(_spawn_to_line("print(0)", env, tmp)[0])
            import_exit.append(_spawn_to_line("import labkit; labkit.start; print(0)", env, tmp)[0])
            for code, out2 in ((FIRST_LAB, lab_first), (FIRST_BARE, bare_first)):
                took, line = _spawn_to_line(code, env, tmp)
                if line != "200":
                    raise RuntimeError(f"first answer was {line!r}, not 200")
                out2.append(took)
    part = "import"
    imp = median([r["import"] for r in fresh])
    table.add(
        part, f"interpreter alone: spawn → first line, n={reps}", ms(median(bare_exit), 1), "peer"
    )
    table.add(part, "`import labkit`: spawn → first line", ms(median(import_exit), 1))
    table.add(
        part,
        "`import labkit` inside a fresh interpreter (time · RSS added)",
        f"{ms(imp, 1)} · {mb(median([r['rss'] for r in fresh]))} (interpreter alone: "
        f"{mb(median([r['base_rss'] for r in fresh]))})",
    )
    pre = median([r["import"] for r in preloaded])
    table.add(
        part,
        "`import labkit` after asyncio and httpx (what a kernel may hold)",
        f"{ms(pre, 1)} · {mb(median([r['rss'] for r in preloaded]))}",
        "< 25 ms",
        verdict(pre < 0.025),
    )
    table.add(
        part,
        "`import labkit` after asyncio and httpx, in instructions (callgrind, "
        "benchmarks/instructions.py --import: the same at any load)",
        _import_instructions(settings),
    )
    lab = median(lab_first)
    bare = median(bare_first)
    table.add(
        "start-up",
        f"bare asyncio + h11 server in a thread: spawn → import, start, first 200, n={reps}",
        ms(bare, 1),
        "peer",
    )
    table.add(
        "start-up",
        "labkit: spawn → `import labkit`, `labkit.start()`, first 200 through the gateway",
        f"{ms(lab, 1)} ({lab / bare:.2f}× the bare server)",
        "≤ 1.5×",
        verdict(lab <= 1.5 * bare),
    )


def _import_instructions(settings: Settings) -> str:
    """The import row's figure counted in instructions (``instructions.import_instructions``):
    a loaded machine moves the milliseconds, not this, so a run on a busy machine still gives
    a figure to compare with the last quiet one's. About a minute under valgrind: not in a
    ``--quick`` run."""
    if settings.quick:
        return "skipped (--quick)"
    if shutil.which("valgrind") is None:
        return "skipped: no valgrind (Debian: apt-get install valgrind)"
    spec = importlib.util.spec_from_file_location(
        "labkit_bench_instructions", Path(__file__).resolve().parent / "instructions.py"
    )
    assert spec is not None and spec.loader is not None
    counting = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(counting)
    log("import: instructions of `import labkit` after asyncio and httpx (callgrind)")
    base, total = counting.import_instructions(REPO)
    return f"{(total - base) / 1e6:.1f} M (`import asyncio, httpx` alone: {base / 1e6:.1f} M)"


# -- 4. scale: many labs, one per process, alive at the same time ----------------------------

SCALE_CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import socket
import labkit
labkit.start  # the lab's code loads with the name's first use, as a learner's labkit.start()
t1 = time.perf_counter()
lab = labkit.start()
with socket.create_connection(("127.0.0.1", lab.gateway.port)) as s:
    s.sendall(b"GET /orders/7 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = b""
    while chunk := s.recv(65536):
        data += chunk
t2 = time.perf_counter()
cpu = time.process_time()
with open("/proc/self/status") as f:
    rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
print(json.dumps({"status": int(data[9:12]), "import": t1 - t0, "start_to_200": t2 - t1,
                  "rss": rss, "gateway": lab.gateway.port, "cpu": cpu}), flush=True)
sys.stdin.read()  # keep the lab running until every lab has answered
lab.stop()
"""


SCALE_LABS = 200  # issue 17's classroom: this many labs, one per process, all alive at once
SCALE_TARGET = 10.0  # seconds from the first spawn until every one has answered (2 cores)

# Seconds one scale process may take from spawn to its line (about 0.2 s on a quiet host):
# past it the process is killed and counted as not answering, so an overloaded host (load 55
# once) gives rows that say so instead of a run that never ends
SCALE_CHILD_SECONDS = 60.0


def _first_line(proc: subprocess.Popen[str], seconds: float) -> str | None:
    """The process's first line of output, or None if none came within ``seconds``."""
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], seconds)
    return proc.stdout.readline() if ready else None


def run_scale(n: int, parallel: int, child: str = SCALE_CHILD) -> dict[str, Any]:
    """Start ``n`` processes, at most ``parallel`` starting at a time; each keeps its lab."""
    with tempfile.TemporaryDirectory(prefix="labkit-bench-scale-") as tmp:
        env = lab_env(tmp)
        procs: list[subprocess.Popen[str]] = []
        lock = threading.Lock()

        def one(i: int) -> dict[str, Any]:
            t0 = time.monotonic()
            proc = subprocess.Popen(
                [sys.executable, "-c", child],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                env=env,
                cwd=tmp,
            )
            with lock:
                procs.append(proc)
            line = _first_line(proc, SCALE_CHILD_SECONDS)
            t1 = time.monotonic()
            if line is None:
                proc.kill()
                info = {"status": None, "timed_out": True}
            else:
                try:
                    info = json.loads(line)
                except ValueError:
                    info = {"status": None}
            info.update(spawned=t0, answered=t1, wall=t1 - t0)
            return info

        began = time.monotonic()
        try:
            with ThreadPoolExecutor(max_workers=parallel) as ex:
                results = list(ex.map(one, range(n)))
            all_answered = time.monotonic()
        finally:
            for proc in procs:  # release every lab: EOF on stdin, then wait
                with contextlib.suppress(OSError):
                    if proc.stdin:
                        proc.stdin.close()
            for proc in procs:
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                if proc.stdout:
                    proc.stdout.close()
        ok = [r for r in results if r.get("status") == 200]
        return {
            "total": all_answered - began,
            "answered": len(ok),
            "timed_out": sum(1 for r in results if r.get("timed_out")),
            "n": n,
            "wall_median": median([r["wall"] for r in ok]) if ok else float("nan"),
            "start_median": median([r["start_to_200"] for r in ok]) if ok else float("nan"),
            "import_median": median([r.get("import", 0.0) for r in ok]) if ok else float("nan"),
            "rss_median": median([r["rss"] for r in ok]) if ok else 0,
            "cpu_median": median([r["cpu"] for r in ok]) if ok else float("nan"),
            "distinct_gateways": len({r["gateway"] for r in ok}),
        }


# -- 5. notebooks -----------------------------------------------------------------------------


def run_pytest(args: list[str]) -> dict[str, Any]:
    """One pytest run over real sockets, as `make quick` runs it; wall time and summary."""
    with tempfile.TemporaryDirectory(prefix="labkit-bench-suite-") as tmp:
        t0 = time.perf_counter()
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "-p",
                "no:nbval",
                *args,
            ],
            capture_output=True,
            text=True,
            cwd=REPO,
            env=lab_env(tmp),
            timeout=1800,
        )
        wall = time.perf_counter() - t0
    tail = [line for line in proc.stdout.strip().splitlines() if line.strip()]
    return {
        "wall": wall,
        "ok": proc.returncode == 0,
        "summary": tail[-1].strip("= ") if tail else f"exit {proc.returncode}",
    }


# -- the run ----------------------------------------------------------------------------------


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []

    def add(self, part: str, what: str, value: str, target: str = "", result: str = "") -> None:
        self.rows.append((part, what, value, target, result))

    ORDER = ("start-up", "import", "stop", "memory (RSS)", "1 client", "50 clients", "504 timing")

    def render(self) -> str:
        head = ("part", "what is measured", "figure (median)", "target", "result")
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        rank = {part: i for i, part in enumerate(self.ORDER)}
        rows = sorted(self.rows, key=lambda r: rank.get(r[0], len(rank)))  # stable
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)


def section_startup(settings: Settings, table: Table, uvicorn_skip: str | None) -> None:
    log(f"start-up: {settings.startup_reps} rounds of labkit / stdlib / uvicorn, interleaved")
    args = ["--child", "startup", "--reps", str(settings.startup_reps)]
    if uvicorn_skip is None:
        args.append("--with-uvicorn")
    res = run_child(args, timeout=600)
    n = settings.startup_reps
    lab_start = median(res["labkit"]["start"])
    table.add(
        "start-up",
        f"`labkit.start()` → first 200 (GET /orders/7 on the origin), warm, n={n}",
        ms(lab_start),
        "< 20 ms",
        verdict(lab_start < 0.020),
    )
    table.add(
        "start-up",
        "stdlib `ThreadingHTTPServer` in a thread → first 200",
        ms(median(res["stdlib"]["start"])),
        "peer",
    )
    if "uvicorn" in res:
        import uvicorn

        table.add(
            "start-up",
            f"uvicorn {uvicorn.__version__} (minimal ASGI app) in a thread → first 200",
            ms(median(res["uvicorn"]["start"])),
            "peer",
        )
    else:
        table.add("start-up", "uvicorn in a thread → first 200", f"skipped: {uvicorn_skip}")
    table.add("stop", "`lab.stop()`", ms(median(res["labkit"]["stop"])))
    table.add(
        "stop",
        "stdlib `shutdown()` + `server_close()`",
        ms(median(res["stdlib"]["stop"]), 1),
        "peer",
    )
    if "uvicorn" in res:
        table.add(
            "stop", "uvicorn `should_exit` + join", ms(median(res["uvicorn"]["stop"]), 1), "peer"
        )
    else:
        table.add("stop", "uvicorn", f"skipped: {uvicorn_skip}")


def _fmt_load(runs: list[LoadRun]) -> str:
    text = (
        f"p50 {ms(median([r.p50 for r in runs]))} · p99 {ms(median([r.p99 for r in runs]))} · "
        f"{median([r.rps for r in runs]):,.0f} req/s · "
        f"lab process CPU {ms(median([r.cpu for r in runs]))}/req"
    )
    reconnects = sum(r.reconnects for r in runs)
    if reconnects:
        text += f" · {reconnects} keep-alive connections closed by the server"
    errors = sum(r.errors for r in runs)
    if errors:
        sample = next((e for r in runs for e in r.sample_errors), "")
        text += f" · {errors} non-200 ({sample})"
    return text


def _added(runs: dict[str, list[LoadRun]], name: str) -> float:
    """Median over runs of (p50 via ``name`` − p50 direct), paired run by run."""
    return median([a.p50 - d.p50 for a, d in zip(runs[name], runs["direct"], strict=True)])


def _cpu(runs: dict[str, list[LoadRun]], name: str) -> float:
    return median([r.cpu for r in runs[name]])


def _cpu_rows(table: Table, part: str, runs: dict[str, list[LoadRun]], best: bool = False) -> None:
    """The gateway's own CPU per relayed request beside the origin's, and the floor's.

    With ``best`` (``--only gateway-cpu``), two decimals and each figure again from each
    target's best run, the one with the least CPU per request: on a machine others load,
    the run they disturbed least.
    """
    rows = {
        "gateway": "gateway's own CPU per relayed request (through − direct) ÷ the origin's (direct)",
        "relay": "the floor: a minimal asyncio + h11 relay's own CPU per request ÷ the origin's",
        "relay on the lab's loop": "the floor on one thread: the same relay on the lab's loop,"
        " beside the origin as the gateway is; its own CPU ÷ the origin's",
        "recording relay": "the floor for the lab's gateway: that relay with a timeout on each"
        " read and the gateway's four events recorded; its own CPU ÷ the origin's",
    }
    one = part == "1 client"
    for name, what in rows.items():
        if name not in runs:
            continue
        direct = _cpu(runs, "direct")
        own = _cpu(runs, name) - direct
        figure = f"{ms(own, 3)} ÷ {ms(direct, 3)} = {own / direct:.{2 if best else 1}f}×"
        if best:
            b_direct = min(r.cpu for r in runs["direct"])
            b_own = min(r.cpu for r in runs[name]) - b_direct
            figure += f" (best runs: {ms(b_own, 3)} ÷ {ms(b_direct, 3)} = {b_own / b_direct:.2f}×)"
        if name != "gateway":
            table.add(part, what, figure, "peer")
        else:
            table.add(
                part,
                what,
                figure,
                "≤ 1.5×" if one else "",
                verdict(own / direct <= 1.5) if one else "",
            )


def _ratio_rows(
    table: Table, part: str, runs: dict[str, list[LoadRun]], nginx_skip: str | None
) -> None:
    gw = _added(runs, "gateway")
    one = part == "1 client"
    _cpu_rows(table, part, runs)
    table.add(part, "gateway added p50 (gateway p50 − direct p50)", ms(gw, 3))
    if "nginx" not in runs:
        table.add(part, "nginx added p50; gateway ÷ nginx", f"skipped: {nginx_skip}", "≤ 3×", "n/a")
        return
    ng = _added(runs, "nginx")
    table.add(part, "nginx added p50 (nginx p50 − direct p50)", ms(ng, 3), "peer")
    ratio = f"{gw / ng:.1f}×" if ng > 0 else f"undefined (nginx added {ms(ng, 3)})"
    if one:
        table.add(
            part,
            "gateway added p50: at most 0.15 ms, or 3× nginx's",
            f"{ms(gw, 3)} ({ratio} nginx's)",
            "≤ 0.15 ms or ≤ 3×",
            verdict(gw <= 0.00015 or gw <= 3 * ng),
        )
    else:  # one Python thread serves gateway and origin: 50 clients queue behind both
        table.add(part, "gateway added ÷ nginx added", ratio, "— (one thread, see README)")


def section_latency(settings: Settings, table: Table, nginx_skip: str | None) -> None:
    import labkit

    s = settings
    log(
        f"latency: {s.load_reps} runs x {s.load_requests} requests, {s.load_clients} clients "
        f"in {s.load_workers} processes; direct / gateway / minimal relay / nginx interleaved"
    )
    ctx = multiprocessing.get_context("spawn")  # never fork a process that runs a lab thread
    # nginx started by root runs its workers as `nobody` (no `user` directive): let them in
    lab = labkit.start(allow_users=["nobody"] if os.geteuid() == 0 else [])
    loaded: dict[str, list[LoadRun]] = {}
    unloaded: dict[str, list[LoadRun]] = {}
    nginx_label = "nginx"
    try:
        with contextlib.ExitStack() as stack:
            ports = {"direct": lab.origin.port, "gateway": lab.gateway.port}
            ports["relay"] = stack.enter_context(minimal_relay(lab.origin.port))
            if nginx_skip is None:
                try:
                    ports["nginx"] = stack.enter_context(nginx_in_front_of(lab.origin.port))
                    nginx_label = f"nginx {nginx_version()}"
                except RuntimeError as exc:
                    nginx_skip = str(exc)
            pool = stack.enter_context(ctx.Pool(s.load_workers))
            for port in ports.values():  # warm-up: connections, caches, nginx's upstream pool
                run_load(pool, port, s.load_clients, 200, s.load_workers)
            names = list(ports)
            loaded = {k: [] for k in names}
            unloaded = {k: [] for k in names}
            for i in range(s.load_reps):
                order = names[i % len(names) :] + names[: i % len(names)]
                for name in order:
                    loaded[name].append(
                        run_load(pool, ports[name], s.load_clients, s.load_requests, s.load_workers)
                    )
                for name in order:
                    unloaded[name].append(run_load(pool, ports[name], 1, s.unloaded_requests, 1))
    finally:
        lab.stop()
    part = f"{s.load_clients} clients"
    what = {
        "direct": "direct to the origin",
        "gateway": "through the labkit gateway",
        "nginx": f"through {nginx_label} (1 worker, keep-alive upstream)",
        "relay": "through a minimal asyncio + h11 relay (keep-alive upstream, nothing recorded)",
    }
    n = f"{s.load_reps} runs × {s.load_requests} requests"
    _latency_rows(table, part, what, n, loaded, nginx_skip)
    n = f"sequential, {s.load_reps} runs × {s.unloaded_requests} requests"
    _latency_rows(table, "1 client", what, n, unloaded, nginx_skip)


def _latency_rows(
    table: Table,
    part: str,
    what: dict[str, str],
    n: str,
    runs: dict[str, list[LoadRun]],
    nginx_skip: str | None,
) -> None:
    """The rows of one load (50 clients, 1 client): each target's figures, a skip note where
    nginx did not run, then the ratios (``_ratio_rows``)."""
    for name in ("direct", "gateway", "relay", "nginx"):
        if name in runs:
            table.add(
                part,
                f"{what[name]}, {n}",
                _fmt_load(runs[name]),
                "" if name == "gateway" else "peer",
            )
        else:
            table.add(part, what[name], f"skipped: {nginx_skip}", "peer")
    _ratio_rows(table, part, runs, nginx_skip)


def loop_turns(
    loop: asyncio.AbstractEventLoop, pool: Any, port: int, requests: int
) -> tuple[float, float]:
    """Turns of the lab's loop and callbacks it runs per request, over one more 1-client run
    to ``port``: the count behind a latency that is not CPU (a task or a call_soon hop more
    per request waits for the next turn and its epoll). Counted by wrapping the loop's
    ``_run_once`` and ``Handle._run`` on the loop's thread only, for that run alone: the
    wrappers cost CPU, so the run is not timed."""
    counts = [0, 0]
    thread: list[int] = []
    started = threading.Event()
    loop.call_soon_threadsafe(lambda: (thread.append(threading.get_ident()), started.set()))
    started.wait(10)
    turn = loop._run_once  # type: ignore[attr-defined]
    run = asyncio.events.Handle._run

    def counted_turn() -> None:
        counts[0] += 1
        turn()

    def counted_run(handle: asyncio.Handle) -> None:
        if threading.get_ident() == thread[0]:
            counts[1] += 1
        run(handle)

    loop._run_once = counted_turn  # type: ignore[attr-defined]
    asyncio.events.Handle._run = counted_run  # type: ignore[method-assign]
    try:
        done = run_load(pool, port, 1, requests, 1)
    finally:
        asyncio.events.Handle._run = run  # type: ignore[method-assign]
        del loop._run_once  # type: ignore[attr-defined]
    n = requests - done.errors
    return counts[0] / n, counts[1] / n


def section_gateway_cpu(settings: Settings, table: Table) -> None:
    """The 1-client CPU rows alone (``--only gateway-cpu``): direct, through the gateway and
    through the minimal relay, as ``section_latency`` measures them, without nginx or the 50
    clients; a quick check of a change to the gateway's per-request path."""
    import labkit

    s = settings
    log(f"gateway CPU: {s.load_reps} runs x {s.unloaded_requests} requests, 1 client")
    ctx = multiprocessing.get_context("spawn")  # never fork a process that runs a lab thread
    lab = labkit.start()
    runs: dict[str, list[LoadRun]] = {}
    try:
        with contextlib.ExitStack() as stack:
            ports = {"direct": lab.origin.port, "gateway": lab.gateway.port}
            ports["relay"] = stack.enter_context(minimal_relay(lab.origin.port))
            assert lab.origin.loop is not None
            on_lab = minimal_relay(lab.origin.port, on=lab.origin.loop)
            ports["relay on the lab's loop"] = stack.enter_context(on_lab)
            recording = minimal_relay(lab.origin.port, on=lab.origin.loop, recorder=lab.recorder)
            ports["recording relay"] = stack.enter_context(recording)
            pool = stack.enter_context(ctx.Pool(1))
            for port in ports.values():  # warm-up: connections, caches, the upstream pool
                run_load(pool, port, 1, 200, 1)
            names = list(ports)
            runs = {k: [] for k in names}
            for i in range(s.load_reps):
                for name in names[i % len(names) :] + names[: i % len(names)]:
                    runs[name].append(run_load(pool, ports[name], 1, s.unloaded_requests, 1))
            turns = {
                n: loop_turns(lab.origin.loop, pool, ports[n], s.unloaded_requests) for n in names
            }
    finally:
        lab.stop()
    what = {
        "direct": "direct to the origin",
        "gateway": "through the labkit gateway",
        "relay": "through a minimal asyncio + h11 relay (keep-alive upstream, nothing recorded)",
        "relay on the lab's loop": "through the same relay on the lab's own loop and thread",
        "recording relay": "through the same relay on the lab's loop, each read within a "
        "timeout and the gateway's four events recorded",
    }
    for name in names:
        table.add(
            "1 client",
            f"{what[name]}, sequential, {s.load_reps} runs × {s.unloaded_requests} requests",
            _fmt_load(runs[name]),
            "" if name == "gateway" else "peer",
        )
    _cpu_rows(table, "1 client", runs, best=True)
    table.add(
        "1 client",
        "the lab's loop per request, one more run each, counted: its turns (_run_once) · "
        "callbacks it ran (a transport's read, a task woken, a timer); the relay in a "
        "thread of its own runs its turns on its own loop, not counted",
        " · ".join(f"{name} {t:.2f} · {h:.2f}" for name, (t, h) in turns.items()),
        "peer",
    )


async def _timer_floor(tries: int, delay: float) -> list[float]:
    """How late ``loop.call_at`` fires on the running loop: the floor any timeout can reach."""
    loop = asyncio.get_running_loop()
    late = []
    for _ in range(tries):
        fired: asyncio.Future[float] = loop.create_future()
        when = loop.time() + delay
        loop.call_at(when, lambda f=fired: f.set_result(loop.time()))
        late.append(await fired - when)
    return late


def section_timing(settings: Settings, table: Table) -> None:
    import labkit

    tries = settings.timeout_tries
    timeout = 0.2
    log(
        f"timing: {tries} tries of a 504 from read_timeout {timeout} s (/slow?delay=1), the timer floor"
    )
    lab = labkit.start()
    floor: list[float] = []
    try:
        lab.gateway.route("/").read_timeout = timeout
        lab.get("/slow?delay=1")  # warm-up
        late, client, statuses = [], [], []
        for _ in range(tries):
            # the floor, one reading before each 504: a timer of the same length on the lab's
            # own loop (its thread, its selector, nothing else in flight), as the 504's fires
            floor += lab._call(_timer_floor(1, timeout))
            ex = lab.get("/slow?delay=1")
            statuses.append(ex.status)
            events = lab.recorder.events(ex.id)
            sent = next(e.at for e in events if e.hop == "gateway" and e.kind == "sent")
            forwarded = [
                e.at
                for e in events
                if e.hop == "gateway" and e.kind == "upstream" and e.summary.startswith("forwarded")
            ]
            late.append(sent - forwarded[-1] - timeout)
            client.append(ex.elapsed - timeout)
    finally:
        lab.stop()
    bad = [st for st in statuses if st != 504]
    note = f" · {len(bad)} not 504: {bad[:3]}" if bad else ""
    part = "504 timing"
    table.add(
        part,
        f"504 written − (request sent + read_timeout 0.2 s), median / worst of {tries}",
        f"{ms(median(late), 3)} / {ms(max(late), 3)}{note}",
        "median < 1 ms",
        verdict(median(late) < 0.001 and not bad),
    )
    table.add(
        part,
        f"the timer floor: `loop.call_at` {timeout} s ahead on the lab's loop, lateness, "
        f"median / worst of {len(floor)}",
        f"{ms(median(floor), 3)} / {ms(max(floor), 3)}",
        "peer",
    )
    table.add(
        part,
        f"client wall time (httpx, `ex.elapsed`) − 0.2 s, median / worst of {tries}",
        f"{ms(median(client))} / {ms(max(client, key=abs))}",
    )


def section_memory(settings: Settings, table: Table) -> None:
    reps = settings.memory_reps
    log(f"memory: {reps} fresh interpreters")
    res = run_memory(settings)
    bad = [r["statuses"] for r in res if r["statuses"] != [200, 200, 200]]
    if bad:
        raise RuntimeError(f"memory child saw statuses {bad}")
    imp = median([r["imported"] - r["before"] for r in res])
    start = median([r["started"] - r["imported"] for r in res])
    one = median([r["used"] - r["imported"] for r in res])
    two = median([r["second"] - r["used"] for r in res])
    cold = median([r["cold_start"] for r in res])
    base = median([r["before"] for r in res])
    part = "memory (RSS)"
    table.add(
        part,
        f"`import labkit` (interpreter alone: {mb(base)}), n={reps}",
        mb(imp),
        "— (once per process)",
    )
    table.add(
        part,
        "one lab: `labkit.start()` + first `lab.get` (of which start alone)",
        f"{mb(one)} ({mb(start)})",
        "< 10 MB",
        verdict(one < 10 * 1024),
    )
    table.add(
        part,
        "a second lab in the same process (start + `lab.get`)",
        mb(two),
        "< 10 MB",
        verdict(two < 10 * 1024),
    )
    table.add(
        "start-up",
        f"cold: first `labkit.start()` in a fresh process → first 200, n={reps}",
        ms(cold),
        "< 20 ms",
        verdict(cold < 0.020),
    )


def section_scale(settings: Settings, table: Table) -> None:
    n = settings.scale_labs
    parallel = 2 * (os.cpu_count() or 1)
    log(
        f"scale: {settings.scale_runs} runs of {n} labs in {n} processes, {parallel} starting at a time"
    )
    runs, bares, pythons = [], [], []
    for _ in range(settings.scale_runs):  # interleaved: a noisy minute hits labs and floors alike
        runs.append(run_scale(n, parallel))
        bares.append(run_scale(n, parallel, SCALE_BARE))
        pythons.append(run_scale(n, parallel, SCALE_PYTHON))
    answered = min(r["answered"] for r in runs)
    distinct = min(r["distinct_gateways"] for r in runs)
    timed_out = max(r["timed_out"] for r in runs)
    note = (
        ""
        if answered == n and distinct == n
        else f" · only {answered}/{n} answered, {distinct} distinct gateways"
        + (
            f" ({timed_out} gave no line within {SCALE_CHILD_SECONDS:g} s: host load "
            f"{os.getloadavg()[0]:.0f})"
            if timed_out
            else ""
        )
    )
    part = "scale"
    total = median([r["total"] for r in runs])
    bare = median([r["total"] for r in bares])
    full = n >= SCALE_LABS
    # the floor measured in this run, in the judged row itself: on 2 cores the work is CPU-bound,
    # and a host whose bare servers alone take 10 s leaves no lab a way to meet the target
    floor = f"bare asyncio + h11 floor in this run {bare:.1f} s, labs {total / bare:.2f}×"
    if full and bare >= SCALE_TARGET:
        floor += f"; the floor alone misses {SCALE_TARGET:g} s on this host"
    table.add(
        part,
        f"{n} labs, one per process, ≤ {parallel} starting at a time, all alive at the end: "
        f"first spawn → all answered (a 200 through each gateway), {settings.scale_runs} runs",
        f"{total:.1f} s · {n / total:.1f} labs/s{note} ({floor})",
        f"< {SCALE_TARGET:g} s for {SCALE_LABS}",
        verdict(total < SCALE_TARGET and not note) if full else f"n/a ({n} labs, --quick)",
    )
    for floor, what in (
        (bares, "bare asyncio + h11 servers (each answers its own GET)"),
        (pythons, "bare interpreters (`python -c`: print a line, wait)"),
    ):
        total_floor = median([r["total"] for r in floor])
        short = min(r["answered"] for r in floor)
        late = max(r["timed_out"] for r in floor)
        table.add(
            part,
            f"the floor: {n} {what}, one per process, the same way, {len(floor)} runs",
            f"{total_floor:.1f} s · {n / total_floor:.1f} processes/s"
            + ("" if short == n else f" · only {short}/{n} answered")
            + (f" ({late} gave no line within {SCALE_CHILD_SECONDS:g} s)" if late else "")
            + f" (labs: {total / total_floor:.2f}×)",
            "peer",
        )
    table.add(
        part,
        "per lab: process spawn → first 200 through its gateway (median)",
        ms(median([r["wall_median"] for r in runs]), 0)
        + f" (bare server {ms(median([r['wall_median'] for r in bares]), 0)}, "
        f"interpreter {ms(median([r['wall_median'] for r in pythons]), 0)})",
    )
    table.add(
        part,
        "per lab: `import labkit` inside the process (median)",
        ms(median([r["import_median"] for r in runs]), 1),
    )
    table.add(
        part,
        "per lab: `labkit.start()` + first 200 inside the process (median)",
        ms(median([r["start_median"] for r in runs]), 1),
    )
    # CPU, not wall: what the 200 labs' wall time is made of on a CPU-bound host, and what the
    # machine's other users change least; each process's own clock, spawn to its line
    cpu = median([r["cpu_median"] for r in runs])
    bare_cpu = median([r["cpu_median"] for r in bares])
    table.add(
        part,
        "per lab: CPU time of its process, spawn → its 200 (median; user + system, all threads)",
        ms(cpu, 1) + f" (bare server {ms(bare_cpu, 1)}, labs {cpu / bare_cpu:.3f}×; interpreter "
        f"{ms(median([r['cpu_median'] for r in pythons]), 1)})",
    )
    table.add(part, "per lab process RSS (median)", mb(median([r["rss_median"] for r in runs])))


def _proc_net_tcp_owner(local: tuple[str, int], remote: tuple[str, int]) -> int | None:
    """The peer of the owner check: find a socket's uid by scanning /proc/net/tcp."""

    def hexaddr(addr: tuple[str, int]) -> str:
        return f"{socket.inet_aton(addr[0])[::-1].hex().upper()}:{addr[1]:04X}"

    want = (hexaddr(local), hexaddr(remote))
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            fields = line.split()
            if (fields[1], fields[2]) == want:
                return int(fields[7])
    return None


def section_peers(settings: Settings, table: Table) -> None:
    """The owner check a lab makes for every new connection (labkit/http/peers.py)."""
    import resource

    from labkit.http import peers

    if not peers.available():
        table.add("owner check", "cost per new connection", "skipped: no NETLINK_SOCK_DIAG")
        return
    open_sockets, n = 4000, 200 if settings.quick else 2000
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, open_sockets + 500)), hard))
    log(f"owner check: {n} new connections with {open_sockets} sockets open")
    listener = socket.create_server((HOST, 0), backlog=1024)
    held: list[socket.socket] = []
    diag = peers.SockDiag()
    try:
        for _ in range(open_sockets // 2):
            client = socket.create_connection(listener.getsockname())
            held += [client, listener.accept()[0]]
        diag_s, scan_s = [], []
        for i in range(n):
            with socket.create_connection(listener.getsockname()) as client:
                server, peer = listener.accept()
                with server:
                    t = time.perf_counter()
                    uid = diag.owner(peer, server.getsockname())
                    diag_s.append(time.perf_counter() - t)
                    assert uid == os.geteuid()
                    if i % 10 == 0:  # the scan is slow: fewer samples
                        t = time.perf_counter()
                        assert _proc_net_tcp_owner(peer, server.getsockname()) == uid
                        scan_s.append(time.perf_counter() - t)
    finally:
        diag.close()
        for sock in held:
            sock.close()
        listener.close()
    cost = median(diag_s)
    table.add(
        "owner check",
        f"who opened a new connection, with {open_sockets} sockets open: NETLINK_SOCK_DIAG "
        f"for one socket, n={n}",
        ms(cost, 3),
        "< 0.2 ms",
        verdict(cost < 0.0002),
    )
    table.add(
        "owner check",
        f"the same by scanning /proc/net/tcp (the peer), n={len(scan_s)}",
        ms(median(scan_s), 2),
    )


def section_registry(settings: Settings, table: Table) -> None:
    """What `labkit env` and `labkit ctl` pay to choose a lab among many records of one user."""
    from labkit import control

    _hundreds_row(
        settings,
        table,
        control.benchmark,
        "registry: {runs} choices among 200 live records",
        "owner check",
        "`labkit env`/`ctl`: choose a lab among 200 live registry records (each record's "
        "control port asked of the kernel on one socket)",
        0.5,
    )


def section_board(settings: Settings, table: Table) -> None:
    """What one refresh of `labkit board` costs: read 200 learners' entries and render them."""
    from labkit import board

    _hundreds_row(
        settings,
        table,
        board.benchmark,
        "board: {runs} reads of 200 learners' entries",
        "board",
        "`labkit board`: read and render 200 learners' entries in the exchange",
        1.0,
    )


def _hundreds_row(
    settings: Settings,
    table: Table,
    benchmark: Callable[[int], float],
    progress: str,
    part: str,
    what: str,
    target_s: float,
) -> None:
    """One row for a module's own ``benchmark(200)`` (seconds for 200 entries): its median
    over 7 runs (3 with ``--quick``) against ``target_s``; ``progress`` is said first."""
    runs = 3 if settings.quick else 7
    log(progress.format(runs=runs))
    cost = median([benchmark(200) for _ in range(runs)])
    table.add(part, f"{what}, n={runs}", ms(cost, 0), f"< {target_s:g} s", verdict(cost < target_s))


LAB_CHURN = (
    "import labkit, time\nwhile True:\n    lab = labkit.start(); time.sleep(0.02); lab.stop()\n"
)


def _kernel_starts(n: int, ports: str | None) -> tuple[int, float]:
    """Start n kernels one after another while two processes start and stop labs (ports:
    LABKIT_PORTS for them; None: no labs). Returns (failed starts, seconds)."""
    from jupyter_client import KernelManager

    churn = []
    if ports is not None:
        env = dict(os.environ, LABKIT_PORTS=ports)
        churn = [
            subprocess.Popen([sys.executable, "-c", LAB_CHURN], env=env, stderr=subprocess.DEVNULL)
            for _ in range(2)
        ]
        time.sleep(2)
    failed, began = 0, time.perf_counter()
    try:
        for _ in range(n):
            km = KernelManager()
            try:
                km.start_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                kc = km.client()
                kc.start_channels()
                kc.wait_for_ready(timeout=30)
                kc.stop_channels()
            except Exception:  # "Address already in use": the kernel died before replying
                failed += 1
            finally:
                with contextlib.suppress(Exception):
                    km.shutdown_kernel(now=True)
    finally:
        for proc in churn:
            proc.kill()
            proc.wait()
    return failed, time.perf_counter() - began


def section_kernels(settings: Settings, table: Table) -> None:
    """Class start: kernels that start while labs start and stop (issue 15, docs/instructor.md)."""
    if settings.quick:
        table.add("kernel starts", "kernels started while labs churn", "skipped (--quick)")
        return
    n = 100
    runs = (
        ("no labs running", None),
        ("2 processes starting and stopping labs on ephemeral ports", "ephemeral"),
        ("the same with labs on labkit's port range", ""),
    )
    for label, ports in runs:
        log(f"kernel starts: {n} kernels, {label}")
        failed, seconds = _kernel_starts(n, ports)
        table.add(
            "kernel starts", f"{n} kernel starts, {label}", f"{failed} failed ({seconds:.0f} s)"
        )


def section_suite(settings: Settings, table: Table) -> None:
    cores = os.cpu_count()
    log("suite: every notebook executed and compared (tests/test_notebooks.py)")
    # the notebooks' own Run All; not nbval's run of 00 as a checker types it (a suite test)
    nb = run_pytest(["tests/test_notebooks.py", "-k", "not nbval"])
    figure = f"{nb['wall']:.1f} s ({nb['summary']})"
    table.add(
        "suite",
        "all notebooks, Run All and compare (tests/test_notebooks.py)",
        figure,
        f"< 60 s on 2 cores (here {cores})",
        verdict(nb["ok"] and nb["wall"] < 60),
    )
    if settings.quick:
        table.add("suite", "the test suite", "skipped (--quick)")
        return
    log("suite: the tests `make quick` runs (not browser, not slow, not serial), in one process")
    res = run_pytest(["-m", "not browser and not slow and not serial", "tests"])
    table.add(
        "suite",
        "`make quick`'s tests (all but browser, slow and serial), one process, wall time",
        f"{res['wall']:.0f} s ({res['summary']})",
        "— (was 270–330 s, all tests)",
        "" if res["ok"] else "FAILED",
    )


# --only: one section by name (spaces as dashes), or gateway-cpu
ONLY = (
    "start-up",
    "memory",
    "latency",
    "import",
    "504-timing",
    "scale",
    "owner-check",
    "kernel-starts",
    "board",
    "suite",
    "gateway-cpu",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (< 60 s)")
    parser.add_argument("--skip-notebooks", action="store_true", help="do not run nbval")
    parser.add_argument(
        "--only",
        choices=ONLY,
        help="run one section (gateway-cpu: the 1-client CPU rows of latency alone)",
    )
    parser.add_argument(
        "--runs", type=int, help="runs of each target in the latency sections (default 5, 3)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--reps", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--with-uvicorn", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "startup":
        print(json.dumps(child_startup(args.reps, args.with_uvicorn)))
        return 0

    venv_python = REPO / ".venv" / "bin" / "python"
    if importlib.util.find_spec("labkit") is None and venv_python.exists():
        if Path(sys.executable) != venv_python:  # run with the project's venv
            os.execv(str(venv_python), [str(venv_python), *sys.argv])
    sys.path.insert(0, str(REPO))
    import labkit

    # labkit's bytecode, as pip writes it at install and a kernel's first import does: where
    # PYTHONDONTWRITEBYTECODE is set, every child would otherwise compile labkit from source
    # (about 60 ms here), a cost no learner pays twice.
    compileall.compile_dir(str(Path(labkit.__file__).parent), quiet=1)

    settings = Settings.make(args.quick)
    if args.runs is not None:
        settings.load_reps = max(1, args.runs)
    began = time.perf_counter()
    load_before = os.getloadavg()[0]
    # what a section that does not run would use is not installed for it
    uvicorn_skip = ensure_uvicorn(settings) if args.only in (None, "start-up") else None
    nginx_skip = ensure_nginx(settings) if args.only in (None, "latency") else None
    table = Table()
    sections: list[tuple[str, Callable[[], None]]] = [
        ("start-up", lambda: section_startup(settings, table, uvicorn_skip)),
        ("memory", lambda: section_memory(settings, table)),
        ("latency", lambda: section_latency(settings, table, nginx_skip)),
        ("import", lambda: section_import(settings, table)),
        ("504 timing", lambda: section_timing(settings, table)),
        ("scale", lambda: section_scale(settings, table)),
        ("owner check", lambda: section_peers(settings, table)),
        ("owner check", lambda: section_registry(settings, table)),  # --only owner-check: both
        ("kernel starts", lambda: section_kernels(settings, table)),
        ("board", lambda: section_board(settings, table)),
    ]
    if not args.skip_notebooks:
        sections.append(("suite", lambda: section_suite(settings, table)))
    if args.only == "gateway-cpu":  # its rows are part of latency's in a whole run
        sections = [("gateway-cpu", lambda: section_gateway_cpu(settings, table))]
    elif args.only is not None:
        sections = [(n, run) for n, run in sections if n.replace(" ", "-") == args.only]
    failures = 0
    # Every lab this run starts, in this process or a child, registers in a directory of the
    # run's own, removed at the end: a lab killed on purpose (the kernel-starts churn) or by
    # a timeout left its record in the user's registry, where `labkit env` read it
    registry = tempfile.mkdtemp(prefix="labkit-bench-registry-")
    os.environ["LABKIT_RUNTIME_DIR"] = str(Path(registry) / "run")

    def interrupted(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, interrupted)
    try:
        for name, run in sections:
            try:
                run()
            except Exception as exc:  # one broken section must not hide the others
                failures += 1
                table.add(
                    name,
                    "section failed",
                    f"{type(exc).__name__}: {exc}".replace("\n", " ")[:300],
                )
            except KeyboardInterrupt as stop:  # Ctrl-C or SIGTERM (a timeout): say where
                failures += 1
                why = str(stop) or "SIGINT"
                table.add(
                    name,
                    "interrupted",
                    f"{why} after {time.perf_counter() - began:.0f} s (load "
                    f"{os.getloadavg()[0]:.1f}); the rows above were measured, this section "
                    "and those after it were not",
                )
                break
    finally:
        shutil.rmtree(registry, ignore_errors=True)
    if args.skip_notebooks and args.only is None:
        table.add(
            "suite", "notebooks and tests", "skipped (--skip-notebooks)", "< 60 s on 2 cores", "n/a"
        )
    rev = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "labkit"], capture_output=True, text=True, cwd=REPO
    ).stdout.strip()
    if rev and dirty:
        rev += " + uncommitted changes in labkit/"
    print(machine_line())
    print(
        f"Load average (1 min, other users' work included): {load_before:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end, on {os.cpu_count()} cores"
    )
    print(
        f"labkit {labkit.__version__} (git {rev or '?'}), "
        f"{'quick' if settings.quick else 'full'} run"
        f"{f' of {args.only} only' if args.only else ''}, {time.perf_counter() - began:.0f} s; "
        f"load: {settings.load_clients} keep-alive clients in {settings.load_workers} processes"
    )
    print()
    print(table.render())
    misses = sum(1 for row in table.rows if "MISS" in row[4])
    print()
    print(f"{misses} target(s) missed, {failures} section(s) failed.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
