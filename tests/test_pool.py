"""The gateway's and portal's keep-alive upstream pool, over real sockets.

One upstream connection carries many requests (the exchange says which connection and
which request on it); a kept connection the upstream closes as a request arrives is
retried for an idempotent request and never for a POST (RFC 9110 9.2.2); nginx's
personality pools only when configured, so it opens one connection per request; no
pooled socket outlives its upstream's close or ``lab.stop()``.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import h11
import pytest
import realgateways
from helpers import h11_reads, settle, socket_inodes

import labkit
from labkit import faults, personalities, record
from labkit.conditions import Condition
from labkit.gateway import Gateway
from labkit.http import server, upstream
from labkit.http.server import h11_fields
from labkit.proxy import Route, Target

OK = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n"


def upstream_notes(lab: labkit.Lab, ex: labkit.Exchange, hop: str = "gateway") -> list[str]:
    return [e.summary for e in lab.recorder.events(ex.id) if e.hop == hop and e.kind == "upstream"]


def received(lab: labkit.Lab, ex: labkit.Exchange, hop: str) -> list[labkit.recorder.Event]:
    return [e for e in lab.recorder.events(ex.id) if e.hop == hop and e.kind == "received"]


def close_wait(to_port: int) -> int:
    """Sockets of this process connected to ``to_port`` in CLOSE-WAIT: the peer closed."""
    inodes = socket_inodes()
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                remote = int(fields[2].rsplit(":", 1)[1], 16)
                count += fields[3] == "08" and fields[9] in inodes and remote == to_port
    return count


def test_one_upstream_connection_carries_sequential_requests(lab: labkit.Lab) -> None:
    exchanges = [lab.get("/orders/7") for _ in range(5)]
    assert [ex.status for ex in exchanges] == [200] * 5
    ports = {received(lab, ex, "origin")[0].peer_port for ex in exchanges}
    assert len(ports) == 1, "the origin saw more than one connection from the gateway"
    first, *rest = (upstream_notes(lab, ex)[0] for ex in exchanges)
    assert "on new connection #1 " in first
    for n, note in enumerate(rest, start=2):
        assert f"on kept-alive connection #1 (request {n} on it; connect timeout" in note
    origin_in = received(lab, exchanges[-1], "origin")[0].data
    assert b"connection: close" not in origin_in.lower()


def test_the_portal_keeps_its_connection_to_the_gateway(lab: labkit.Lab) -> None:
    assert lab.portal is not None
    lab.portal.login()
    exchanges = [lab.get("/orders/7", via="portal") for _ in range(3)]
    assert [ex.status for ex in exchanges] == [200] * 3
    assert len({received(lab, ex, "gateway")[0].peer_port for ex in exchanges}) == 1
    assert (
        "on kept-alive connection #1 (request 3 on it; connect timeout"
        in upstream_notes(lab, exchanges[-1], "portal")[0]
    )


def test_nginx_pools_only_when_configured_so_its_personality_does_not(lab: labkit.Lab) -> None:
    lab.gateway.personality = "nginx"
    exchanges = [lab.get("/orders/7") for _ in range(3)]
    assert [ex.status for ex in exchanges] == [200] * 3
    assert len({received(lab, ex, "origin")[0].peer_port for ex in exchanges}) == 3
    assert [upstream_notes(lab, ex)[0].split(" (")[0].rsplit(" ", 3)[1:] for ex in exchanges] == [
        ["new", "connection", "#1"],
        ["new", "connection", "#2"],
        ["new", "connection", "#3"],
    ]
    assert b"connection: close" in received(lab, exchanges[-1], "origin")[0].data.lower()
    assert len(lab.gateway.pool) == 0


def test_a_stale_kept_connection_is_retried_for_get(lab: labkit.Lab) -> None:
    assert lab.get("/up/idle-close/").status == 200
    ex = lab.get("/up/idle-close/")
    assert ex.status == 200 and ex.text == "ok\n"
    notes = upstream_notes(lab, ex)
    assert "on kept-alive connection #1 (request 2 on it; connect timeout" in notes[0]
    assert "closed the connection before sending anything" in notes[1]
    assert "GET is idempotent (RFC 9110 9.2.2)" in notes[2]
    assert "sends it again on a new connection" in notes[2]
    assert "on new connection #2 " in notes[3]
    assert len(received(lab, ex, "idle-close")) == 2  # the upstream saw both attempts


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_a_stale_kept_connection_is_not_retried_for_a_non_idempotent_request(
    lab: labkit.Lab, method: str
) -> None:
    assert lab.get("/up/idle-close/").status == 200
    ex = lab.request(method, "/up/idle-close/", body='{"item": "tea"}')
    assert ex.status == 502 and ex.generated_by == "gateway"
    notes = upstream_notes(lab, ex)
    assert f"{method} is not idempotent" in notes[-1]
    assert "does not send it again (RFC 9110 9.2.2)" in notes[-1]
    assert len(received(lab, ex, "idle-close")) == 1  # sent once, never again
    assert lab.get("/up/idle-close/").status == 200  # a fresh connection answers


@pytest.mark.parametrize(("before", "after"), [("haproxy", "caddy"), ("rfc", "caddy")])
def test_a_personality_switch_starts_from_no_pooled_connection(
    lab: labkit.Lab, before: str, after: str
) -> None:
    """Each personality stands for another real gateway, which never held the connections
    the one before it kept: a POST to the idle-close upstream, the first request of its
    client connection after the switch, goes out on a new connection and gets the upstream's
    200 (it got 502 under caddy when haproxy had pooled a connection just before)."""
    lab.gateway.personality = before
    assert lab.get("/up/idle-close/").status == 200
    assert len(lab.gateway.pool) == 1
    lab.gateway.personality = after
    assert len(lab.gateway.pool) == 0
    ex = lab.request("POST", "/up/idle-close/", body='{"item": "tea"}')
    assert ex.status == 200 and ex.generated_by != "gateway", upstream_notes(lab, ex)
    assert "on new connection #2 " in upstream_notes(lab, ex)[0]  # numbered on, not from 1
    assert len(lab.gateway.pool) == 1  # the new personality's pool keeps it
    lab.gateway.personality = after  # the same one again: no switch, its pool stays
    assert len(lab.gateway.pool) == 1


def test_a_connection_in_flight_across_a_switch_is_not_pooled_by_the_next_personality(
    lab: labkit.Lab,
) -> None:
    """An exchange that began before the switch ends after it: its connection is closed,
    not handed to the new personality's pool."""
    arrived, go = threading.Event(), threading.Event()

    def hold(conn: socket.socket, head: bytes) -> None:
        arrived.set()
        go.wait(5)

    with realgateways.upstream(lambda _: OK, hold) as port:
        target = Target("held", "127.0.0.1", port)
        lab.gateway.add_route(Route("/held/", "held", [target], connect_timeout=1, read_timeout=5))
        lab.gateway.personality = "haproxy"
        seen: list[int] = []
        client = threading.Thread(target=lambda: seen.append(lab.get("/held/").status))
        client.start()
        assert arrived.wait(5), "the request never reached the upstream"
        lab.gateway.personality = "caddy"  # while haproxy's exchange waits for its answer
        go.set()
        client.join(5)
        assert seen == [200]
        assert settle(lambda: len(lab.gateway.pool) == 0, 0.3), "caddy's pool took haproxy's"
        ex = lab.get("/held/")
        assert ex.status == 200 and "on new connection #2 " in upstream_notes(lab, ex)[0]


def test_bytes_beyond_the_response_keep_the_connection_out_of_the_pool(
    lab: labkit.Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A smuggled second response must never answer the next request."""
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
    smuggled = b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nsmuggled\n"
    fault = faults.IdleClose("ok", None, "extra bytes", ok + smuggled)
    monkeypatch.setattr(lab.upstreams["ok"], "fault", fault)
    assert lab.get("/up/ok/").text == "ok\n"
    ex = lab.get("/up/ok/")
    assert ex.text == "ok\n"
    assert "on new connection #2 " in upstream_notes(lab, ex)[0]


def test_a_kept_connection_the_upstream_closes_is_closed_at_once(
    lab: labkit.Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server, "IDLE_TIMEOUT", 0.3)  # the origin ends idle connections soon
    assert lab.get("/orders/7").status == 200
    assert len(lab.gateway.pool) == 1
    time.sleep(0.3)
    assert settle(lambda: len(lab.gateway.pool) == 0), "the pool kept a closed connection"
    assert settle(lambda: close_wait(lab.origin.port) == 0), "a pooled socket left in CLOSE-WAIT"
    ex = lab.get("/orders/7")
    assert ex.status == 200 and "on new connection #2 " in upstream_notes(lab, ex)[0]


@pytest.mark.slow  # waits out a 1 s idle time twice
def test_a_kept_connection_lives_its_idle_time_from_its_last_use(
    lab: labkit.Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pool's idle time counts from the last request a connection carried: one reused
    just before its first idle time ran out stays, and it closes one idle time after its
    last use (the pool moves one timer instead of making one per request)."""
    short = record.replace(personalities.RFC.pooling, idle_timeout=1.0)
    monkeypatch.setattr(Gateway, "pooling", property(lambda self: short))
    notes = []
    for pause in (0, 0.6, 0.6, 1.4):  # 1.2 s after the first use, 0.6 s after the last
        time.sleep(pause)
        ex = lab.get("/orders/7")
        assert ex.status == 200
        notes.append(upstream_notes(lab, ex)[0])
    assert "on new connection #1 " in notes[0]
    assert "on kept-alive connection #1 (request 2 on it; connect timeout" in notes[1]
    assert "on kept-alive connection #1 (request 3 on it; connect timeout" in notes[2]
    assert "on new connection #2 " in notes[3]


def test_no_pooled_socket_outlives_stop() -> None:
    with labkit.start() as warm:  # imports and first-use caches
        warm.get("/orders/7")
    before = socket_inodes()
    lab = labkit.start()
    assert lab.portal is not None
    lab.portal.login()
    for path in ("/orders/7", "/up/idle-close/", "/orders/1"):
        assert lab.get(path).status == 200
        assert lab.get(path, via="portal").status == 200
    assert len(lab.gateway.pool) >= 2 and len(lab.portal.pool) == 1
    gateway_port = lab.gateway.port
    lab.stop()
    assert settle(lambda: not (socket_inodes() - before), 2.0), socket_inodes() - before
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", gateway_port), timeout=0.5).close()


@pytest.mark.parametrize("entry", ["origin", "gateway", "portal"])
def test_every_accepted_connection_has_nagle_off(lab: labkit.Lab, entry: str) -> None:
    """A relayed response goes out as head, then body: with Nagle on, the body would wait
    for the client's delayed ACK (about 40 ms on Linux) on every request."""
    server = getattr(lab, entry)
    with socket.create_connection(("127.0.0.1", server.port)) as client:
        client.sendall(b"GET /orders/7 HTTP/1.1\r\nHost: x\r\n\r\n")
        assert client.recv(12).startswith(b"HTTP/1.1 ")
        writers = list(server._tasks.values())  # the server's side of this connection
        assert writers
        for writer in writers:
            sock = writer.get_extra_info("socket")
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


# Answers an upstream gives on one kept connection, one a request: the gateway reads a plain
# one without h11 (upstream._plain_reply) and any other through h11, told of the request only
# then; what it reads must be what h11 alone reads. The one marked LATER comes in two sends.
LATER = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhi"
ANSWERS = [
    (
        True,
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-A: \t a\tb \t\r\nContent-Length: 3\r\n\r\nok\n",
    ),
    (False, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nok\n\r\n0\r\n\r\n"),
    (False, b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nhi"),
    (False, b"HTTP/1.1 200 OK\r\nX-B: a\r\n b\r\nContent-Length: 2\r\n\r\nhi"),  # obs-fold
    (False, b"HTTP/1.1 200 OK\nContent-Length: 2\n\nhi"),  # bare LFs
    (True, b"HTTP/1.1 404 \r\nX-Empty:\r\ncontent-length: 0\r\n\r\n"),
    (False, b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"),
    (False, b"HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nhi"),
    (False, LATER),
    (True, b"HTTP/1.1 200 \xe9t\xe9\r\nX-C: caf\xe9\r\nContent-Length: 2\r\n\r\nhi"),
]


def test_a_plain_answer_is_read_without_h11_and_any_other_as_h11_reads_it() -> None:
    """One kept connection to an upstream that answers as ANSWERS says: each reply is what
    h11 reads, each request went out as h11 writes it, h11 was told of a request only where
    the answer was not plain, and the connection stays reusable throughout."""
    got: list[bytes] = []
    fields = [("Host", "up"), ("Accept", "*/*"), ("X-Request-ID", "r1")]

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for _, answer in ANSWERS:
            got.append(await reader.readuntil(b"\r\n\r\n"))
            writer.write(answer)
            if answer == LATER:
                await asyncio.sleep(0.05)
                writer.write(b"!!!")

    async def run() -> None:
        listening = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = listening.sockets[0].getsockname()[1]
        conn = await upstream.Pool().connect("127.0.0.1", port, 1.0)
        try:
            for plain, answer in ANSWERS:
                event = h11.Request(method="GET", target="/a?b", headers=h11_fields(fields)[0])
                reply = await conn.exchange(event, b"", 1.0)
                body = b"".join([chunk async for chunk in reply.body])
                read = h11_reads(answer + b"!!!" if answer == LATER else answer, closed=False)
                assert (reply.status, reply.reason, reply.headers, body) == read, answer
                told = conn._h11 is not None and conn._h11.our_state is not h11.IDLE
                assert told is not plain, answer  # h11 never told (nor made, at first)
                assert conn.reusable(), answer
        finally:
            conn.close()
            listening.close()

    asyncio.run(asyncio.wait_for(run(), 5.0))
    written = h11.Connection(h11.CLIENT).send(
        h11.Request(method="GET", target="/a?b", headers=fields)
    )
    assert got == [written] * len(ANSWERS)


# (seconds the upstream waits before it answers, seconds after the answer before the next
# request): on one kept connection with a read timeout of READ, the second answer comes after
# the first request's deadline and before its own; the third never comes
READ = 0.4
PACE = [(0.0, 0.25), (0.3, 0.0), (None, 0.0)]


@pytest.mark.slow  # waits out two read timeouts: 1 s
def test_each_answer_on_a_kept_connection_has_its_own_read_timeout() -> None:
    """A kept connection times the reads of each answer's head with one timer, set for an
    earlier answer and moved on (``upstream.Connection._read_by``): an answer that comes
    after the deadline the request before it had, and within its own, is read; one that
    never comes times out at its own deadline, not at an earlier one."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for wait, _ in PACE:
            await reader.readuntil(b"\r\n\r\n")
            if wait is None:
                await asyncio.sleep(READ * 3)  # the gateway gives up first
                return
            await asyncio.sleep(wait)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    async def run() -> list[tuple[object, float]]:
        listening = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = listening.sockets[0].getsockname()[1]
        conn = await upstream.Pool().connect("127.0.0.1", port, 1.0)
        got: list[tuple[object, float]] = []
        try:
            for _, pause in PACE:
                event = h11.Request(
                    method="GET", target="/", headers=h11_fields([("Host", "up")])[0]
                )
                head = b"GET / HTTP/1.1\r\nHost: up\r\n\r\n"
                began = time.monotonic()
                try:
                    reply = await conn.exchange(event, b"", READ, head=head)
                    got.append((reply.status, time.monotonic() - began))
                except upstream.UpstreamFailure as exc:
                    got.append((exc.condition, time.monotonic() - began))
                await asyncio.sleep(pause)
        finally:
            conn.close()
            listening.close()
            await listening.wait_closed()
        return got

    got = asyncio.run(asyncio.wait_for(run(), 10.0))
    assert [outcome for outcome, _ in got] == [200, 200, Condition.READ_TIMEOUT]
    assert got[1][1] >= 0.3  # read after the first request's deadline had passed
    assert got[2][1] >= READ  # given up at its own deadline, not at an earlier one
