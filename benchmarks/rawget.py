"""One GET on a new connection over a raw socket, its answer read by Content-Length: the
"first 200" of the start-up rows (run.py) and of compare_start.py's children, one definition
for both (compare_start.py's children, run by another checkout's interpreter, import it from
this folder). The standard library only."""

from __future__ import annotations

import re
import socket

HOST = "127.0.0.1"
CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)", re.IGNORECASE)


def http_get(port: int, path: str = "/orders/7", timeout: float = 5.0) -> int:
    """One blocking GET on a new connection; returns the status (body read by Content-Length)."""
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"closed before the head: {data!r}")
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        m = CONTENT_LENGTH.search(head)
        length = int(m.group(1)) if m else 0
        while len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
        return int(head[9:12])
