"""Abuse: arbitrary bytes and a crowd of clients get 4xx/503 or a closed connection, never a dead server."""

from __future__ import annotations

import asyncio
import re
import socket
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import labkit

STATUS = re.compile(rb"^HTTP/1\.1 (\d{3}) ")


def _exchange_bytes(port: int, data: bytes, timeout: float = 2.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            return b""
        out = bytearray()
        try:
            while chunk := sock.recv(65536):
                out += chunk
        except (TimeoutError, ConnectionResetError):
            pass
        return bytes(out)


request_like = st.one_of(
    st.binary(max_size=2048),
    st.builds(
        lambda method, target, version, headers: (
            f"{method} {target} {version}\r\n".encode() + headers + b"\r\n\r\n"
        ),
        st.sampled_from(["GET", "POST", "BREW", "get", "", "G\x00T"]),
        st.sampled_from(["/", "/orders/7", "*", "", "/%00", "http://x/"]),
        st.sampled_from(["HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/0.9", "http/1.1", "HTTP/1", ""]),
        st.binary(max_size=512),
    ),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=request_like)
def test_any_bytes_get_an_http_answer_or_a_close(lab: labkit.Lab, data: bytes) -> None:
    for server in (lab.origin, lab.gateway):
        reply = _exchange_bytes(server.port, data)
        if reply:
            m = STATUS.match(reply)
            assert m, reply[:100]
            status = int(m.group(1))
            assert status < 500 or status in (501, 503, 505, 502, 504), reply[:200]
            assert b"Traceback" not in reply
    assert lab.get("/orders/7").status == 200


def test_a_crowd_against_capacity_gets_only_200_and_503_with_retry_after(lab: labkit.Lab) -> None:
    lab.origin.capacity = 10
    port = lab.origin.port

    async def one() -> tuple[int, bool]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /slow?delay=0.3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = await reader.read()
        writer.close()
        m = STATUS.match(data)
        assert m, data[:80]
        return int(m.group(1)), b"\r\nretry-after: 1\r\n" in data.lower()

    async def crowd() -> list[tuple[int, bool]]:
        return await asyncio.gather(*(one() for _ in range(500)))

    results = asyncio.run(crowd())
    statuses = {s for s, _ in results}
    assert statuses <= {200, 503}
    assert all(retry for s, retry in results if s == 503)
    assert 1 <= sum(s == 200 for s, _ in results) <= 500 and 503 in statuses
    assert lab.origin.in_flight == 0
    lab.origin.capacity = None
    assert lab.get("/orders/7", via="origin").status == 200


def test_a_slow_loris_does_not_block_others(lab: labkit.Lab) -> None:
    with socket.create_connection(("127.0.0.1", lab.gateway.port)) as slow:
        for byte in b"GET /orders/7 HTT":
            slow.send(bytes([byte]))
            time.sleep(0.02)
            assert lab.get("/up/ok/").status == 200  # others are served meanwhile
    assert lab.get("/orders/7").status == 200


def test_100_kb_of_headers_is_refused_cleanly(lab: labkit.Lab) -> None:
    big = b"GET /orders/7 HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n"
    for server in (lab.origin, lab.gateway, lab.portal):
        reply = _exchange_bytes(server.port, big)
        assert reply.startswith(b"HTTP/1.1 431 "), reply[:80]
    assert lab.get("/orders/7").status == 200
