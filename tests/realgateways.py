"""Real nginx, HAProxy and Caddy in front of a running lab, from tests/gateways/ configs.

Each server is started as the current user in a temporary directory, from the project's
own config file with ports and the lab's timeouts filled in, and stopped afterwards.
"""

from __future__ import annotations

import contextlib
import getpass
import grp
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import labkit
from labkit.lab import UPSTREAM_TIMEOUTS
from labkit.scenarios import SHORT_HEAD

CONFIGS = Path(__file__).parent / "gateways"
# The read timeout a real server gets where a test compares what it answers, not when: ten
# times the lab's (UPSTREAM_TIMEOUTS, 0.3 s). The upstreams behind it are the test process's
# (the lab's loop, serve_heads' threads), and at load 10-20 one answered after real nginx's
# 0.3 s had run out: its 502 for a header line without a colon was a 504, a verdict of the
# machine's load. An upstream that is to time out is paced by this (longer, or its gaps
# shorter); a test that times the read timeout itself keeps the lab's (``render``).
AT_ONCE_READ = 3.0
BINARIES = {"nginx": "nginx", "haproxy": "haproxy", "caddy": "caddy"}
MAIN = {"nginx": "nginx.conf", "haproxy": "haproxy.cfg", "caddy": "Caddyfile"}
ROUTE = {"nginx": "nginx.route", "haproxy": "haproxy.route", "caddy": "Caddyfile.route"}


def unresolvable(host: str) -> None:
    """Skip unless the machine's resolver says at once (within 2 s) that ``host`` has no
    address, as it should for a name under .invalid (RFC 6761 6.4), offline too."""
    began = time.monotonic()
    try:
        socket.getaddrinfo(host, 9)
    except socket.gaierror:
        pass
    else:
        pytest.skip(f"this machine's resolver answers for {host} (RFC 6761 says none should)")
    if time.monotonic() - began > 2:
        pytest.skip(f"this machine's resolver took {time.monotonic() - began:.1f} s for {host}")


def read_to_close(port: int, data: bytes, timeout: float = 10) -> bytes:
    """Send ``data`` to 127.0.0.1:``port``; every byte that came back until the server closed
    (the client keeps its side open: the close must be the server's, after its answer)."""
    out = b""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        while chunk := sock.recv(65536):
            out += chunk
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def upstream(
    answer: Callable[[bytes], bytes | None],
    before_answer: Callable[[socket.socket, bytes], None] | None = None,
    piece: int = 0,
) -> Iterator[int]:
    """``serve_heads`` on a new socket of 127.0.0.1, until the block ends: its port."""
    sock = socket.create_server(("127.0.0.1", 0))
    serve_heads(sock, answer, before_answer, piece)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.shutdown(socket.SHUT_RDWR)
        sock.close()


def serve_heads(
    sock: socket.socket,
    answer: Callable[[bytes], bytes | None],
    before_answer: Callable[[socket.socket, bytes], None] | None = None,
    piece: int = 0,
) -> None:
    """A tiny upstream on ``sock`` (in daemon threads, until the socket is shut): each request
    head is read and ``answer(head)`` sent back (nothing for None), after
    ``before_answer(conn, what was read)`` returns, where one is given; in pieces of ``piece``
    bytes a few ms apart, where one is given (0: in one write).

    After an answer that leaves the connection open by HTTP/1.1's rules (``_keeps_open``), to
    a request without a body, the connection waits for the next request, as a keep-alive
    upstream's does, until the gateway closes it or the socket is shut; any other is closed.
    Closing every connection after its answer without a word provoked the keep-alive race
    (RFC 9112 9.3.1, 9.6): a gateway that had kept it could send its next request into the
    close, and Caddy, which does not send a POST with a body again, answered it 502 while
    the upstream got nothing (test_what_the_upstream_receives[caddy], once under load; 1 of
    1 with a 50 ms pause between the answer and the close, as a thread put off the CPU)."""
    kept: set[socket.socket] = set()
    lock = threading.Lock()

    def serve_one(conn: socket.socket) -> bool:
        """Answer one request on ``conn``; whether it stays open for another."""
        data = b""
        while b"\r\n\r\n" not in data and (chunk := conn.recv(65536)):
            data += chunk
        if not data:
            return False  # closed by the gateway (between two requests)
        if before_answer is not None:
            before_answer(conn, data)
        reply = answer(data)
        if reply is None:
            return False
        if piece:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for start in range(0, len(reply), piece or max(len(reply), 1)):
            conn.sendall(reply[start : start + (piece or len(reply))])
            if piece:
                time.sleep(0.003)
        return _keeps_open(data, reply)

    def serve_kept(conn: socket.socket) -> None:
        """A connection kept open: its next requests, until it closes or the socket is shut."""
        with conn:
            try:
                while serve_one(conn):
                    pass
            except OSError:
                pass
            finally:
                with lock:
                    kept.discard(conn)

    def serve() -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:  # the socket was shut: so are the connections kept open
                with lock:
                    for conn in kept:
                        with contextlib.suppress(OSError):
                            conn.shutdown(socket.SHUT_RDWR)
                return
            # the first request here, as it always was; a thread only for one kept open
            conn.settimeout(2)
            try:
                if serve_one(conn):
                    conn.settimeout(None)  # as long as the gateway keeps it
                    with lock:
                        kept.add(conn)
                    threading.Thread(target=serve_kept, args=(conn,), daemon=True).start()
                    continue
            except OSError:
                pass
            conn.close()

    threading.Thread(target=serve, daemon=True).start()


def _keeps_open(request: bytes, reply: bytes) -> bool:
    """Whether a connection stays open after ``reply`` to ``request`` (RFC 9112 9.3): both
    HTTP/1.1 without 'Connection: close', the request a GET-like one without a body (all of
    it read: nothing after its head), the reply's body complete by its Content-Length or
    its last chunk. A cut body (CUT_CHUNKED), an HTTP/1.0 answer, a HEAD: closed, as before.

    Interim responses before the final one (100 Continue, 103 Early Hints; not a 101, after
    which HTTP is over) are skipped: the final response decides. Read as the reply's head, a
    '100 Continue' made the upstream close after a 200 framed by its Content-Length, which
    Caddy kept for its next request: the POST it sent on it met the close and got 502
    (test_an_upstreams_interim_response[caddy], [100, 502], once under load; reproduced in 6
    of 100 POSTs alone, none of 180 requests with the connection kept, with two busy loops)."""
    head, _, rest = request.partition(b"\r\n\r\n")
    reply_head, _, body = reply.partition(b"\r\n\r\n")
    while re.match(rb"HTTP/1\.1 1(?!01)\d\d ", reply_head) and body:
        reply_head, _, body = body.partition(b"\r\n\r\n")
    req_lines = head.lower().split(b"\r\n")
    reply_lines = reply_head.lower().split(b"\r\n")
    if rest or not req_lines[0].endswith(b" http/1.1") or req_lines[0].startswith(b"head "):
        return False
    if not reply_lines[0].startswith(b"http/1.1 "):
        return False

    def fields(lines: list[bytes]) -> dict[bytes, list[bytes]]:
        found: dict[bytes, list[bytes]] = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            found.setdefault(name.strip(), []).extend(v.strip() for v in value.split(b","))
        return found

    asked, answered = fields(req_lines), fields(reply_lines)
    if b"close" in asked.get(b"connection", []) + answered.get(b"connection", []):
        return False
    if b"transfer-encoding" in asked or asked.get(b"content-length", [b"0"]) != [b"0"]:
        return False
    if b"chunked" in answered.get(b"transfer-encoding", []):
        last = body.startswith(b"0\r\n") or b"\r\n0\r\n" in body
        return last and body.endswith(b"\r\n\r\n")
    length = answered.get(b"content-length")
    return length is not None and len(length) == 1 and length[0] == str(len(body)).encode()


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    return text


def render(
    name: str,
    lab: labkit.Lab,
    directory: Path,
    port: int,
    upstreams: dict[str, int],
    read: float = UPSTREAM_TIMEOUTS["read_timeout"],
) -> Path:
    """The server's config for this lab: its main file with a route per upstream added; its
    read timeout toward them ``read`` (the lab's, or AT_ONCE_READ), its connect timeout the
    lab's (a connect to a listening port completes in the kernel, whatever the load)."""
    values = {
        "DIR": str(directory),
        "PORT": str(port),
        "ORIGIN_PORT": str(lab.origin.port),
        "POOL_PORT": str(lab.gateway.route("pool").targets[0].port),
        "CONNECT_MS": str(round(UPSTREAM_TIMEOUTS["connect_timeout"] * 1000)),
        "READ_MS": str(round(read * 1000)),
        "HEAD_MS": str(round(SHORT_HEAD * 1000)),
        "USER": "",
    }
    if name == "nginx":
        values["USER"] = nginx_user()
    routes, uses = [], []
    for fault, fault_port in upstreams.items():
        each = dict(values, FAULT=fault, FAULT_PORT=str(fault_port))
        routes.append(_fill((CONFIGS / ROUTE[name]).read_text(), each))
        if name == "haproxy":
            uses.append(_fill((CONFIGS / "haproxy.use").read_text(), each))
    values["ROUTES"] = "".join(routes)
    values["FRONTEND_ROUTES"] = "".join(uses)
    path = directory / MAIN[name]
    path.write_text(_fill((CONFIGS / MAIN[name]).read_text(), values))
    return path


def command(name: str, config: Path) -> list[str]:
    binary = shutil.which(BINARIES[name]) or BINARIES[name]
    if name == "nginx":
        return [
            binary,
            "-c",
            str(config),
            "-p",
            str(config.parent),
            "-e",
            str(config.parent / "error.log"),
        ]
    if name == "haproxy":
        return [binary, "-db", "-f", str(config)]
    return [binary, "run", "--config", str(config), "--adapter", "caddyfile"]


@contextmanager
def running(
    name: str,
    lab: labkit.Lab,
    directory: Path,
    upstreams: dict[str, int],
    read: float = UPSTREAM_TIMEOUTS["read_timeout"],
) -> Iterator[RealGateway]:
    """Start the real server in ``directory`` in front of ``lab`` and these upstreams (its
    read timeout ``read``: ``render``)."""
    port = free_port()
    config = render(name, lab, directory, port, upstreams, read)
    with serving(name, config, port) as real:
        yield real


@contextmanager
def serving(name: str, config: Path, port: int) -> Iterator[RealGateway]:
    """Run the real server from ``config`` (in its directory) until it listens on ``port``."""
    directory = config.parent
    env = dict(
        os.environ,
        HOME=str(directory),
        XDG_DATA_HOME=str(directory),
        XDG_CONFIG_HOME=str(directory),
    )
    out = open(directory / "stdout.log", "wb")
    proc = subprocess.Popen(
        command(name, config), stdout=out, stderr=subprocess.STDOUT, env=env, cwd=directory
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"{name} exited: {(directory / 'stdout.log').read_text()[-2000:]}"
                )
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield RealGateway(name, port, directory)
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        out.close()


def nginx_user() -> str:
    """nginx's ``user`` line when run as root (its workers would run as nobody otherwise)."""
    if os.geteuid() != 0:
        return ""
    return f"user {getpass.getuser()} {grp.getgrgid(os.getegid()).gr_name};"


class RealGateway:
    def __init__(self, name: str, port: int, directory: Path) -> None:
        self.name = name
        self.port = port
        self.directory = directory

    def wait_until_ready(self, pool_path: str, timeout: float = 5.0) -> None:
        """Caddy marks the pool down only after its first active health check: wait for it."""
        if self.name != "caddy":
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2) as sock:
                sock.sendall(
                    f"GET {pool_path} HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n".encode()
                )
                if sock.recv(64).startswith(b"HTTP/1.1 503"):
                    return
            time.sleep(0.05)
        raise TimeoutError("Caddy never marked the pool down")

    def logs(self) -> str:
        text = ""
        for f in ("error.log", "stdout.log"):
            p = self.directory / f
            if p.exists():
                text += p.read_text(errors="replace")
        return text
