"""A request sent whole, then reset (RST), before the server's first read: still in the story.

The kernel hands a reader the bytes that arrived before a reset first (recv(2) returns them,
then ECONNRESET). asyncio's stream reader, once told of the reset, raises it at the next read
and drops what it holds; a lab's server never meets that: it waits in its first read before
the transport's first recv (``Listener._streams``), so the bytes come to it, then the reset.
These tests hold the lab's loop while the client sends and resets, so both are there before
the server reads. Where a connection whose client reset before the lab accepted it is
refused (no owner left to check, ``http/peers.py``) is tests/test_classroom_peers.py's.
"""

from __future__ import annotations

import socket
import struct
import threading

import pytest
from helpers import settle

import labkit
from labkit.lab import on_lab_loop
from labkit.recorder import Kind

REQUEST = b"GET /orders/7 HTTP/1.1\r\nHost: shop\r\n\r\n"


def _port(lab: labkit.Lab, hop: str) -> int:
    return lab.upstreams[hop].port if hop in lab.upstreams else getattr(lab, hop).port


def _send_then_reset(lab: labkit.Lab, port: int) -> None:
    """Connect (the lab accepts the connection and holds it), then, the lab's loop held,
    send the whole request and reset: both are there before the server's first read."""
    client = socket.create_connection(("127.0.0.1", port))
    for _ in range(2):  # two turns of the loop: the connection is accepted and held
        on_lab_loop(lab, lambda: None)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        holding.set()
        release.wait(5)

    thread = threading.Thread(target=on_lab_loop, args=(lab, hold))
    thread.start()
    try:
        assert holding.wait(5)
        client.sendall(REQUEST)
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()  # RST
    finally:
        release.set()
        thread.join()


@pytest.mark.parametrize("hop", ["origin", "gateway"])
def test_an_answer_to_a_client_that_reset_first_is_recorded_as_never_sent(
    lab: labkit.Lab, hop: str
) -> None:
    """The request read, the server answers a client that has reset the connection: its send
    fails at once and not a byte leaves. The record said "200 OK" with the answer's bytes, as
    if the client had been answered; it says now what a fault upstream's record says when its
    client reset first, and holds no status and no bytes. Fails before (the record said
    "200 OK")."""
    from labkit.faults import CLIENT_GONE

    _send_then_reset(lab, _port(lab, hop))

    def sent() -> list[tuple[str, bytes, int | None]]:
        return [
            (str(e.summary), e.data, e.status)
            for rid in lab.recorder.ids()
            for e in lab.recorder.events(rid)
            if e.hop == hop and e.kind is Kind.SENT
        ]

    assert settle(lambda: sent() == [(str(CLIENT_GONE), b"", None)]), sent()


@pytest.mark.parametrize("hop", ["origin", "gateway", "reset"])
def test_a_request_reset_before_the_servers_first_read_is_recorded(
    lab: labkit.Lab, hop: str
) -> None:
    """Connected (the lab accepts it while its client holds it: the owner check passes), then,
    the lab's loop held, the whole request and a reset: the server reads the request and
    records it as received, bytes and all."""
    _send_then_reset(lab, _port(lab, hop))

    def received() -> list[bytes]:
        return [
            e.data
            for rid in lab.recorder.ids()
            for e in lab.recorder.events(rid)
            if e.hop == hop and e.kind is Kind.RECEIVED
        ]

    assert settle(lambda: bool(received())), lab.recorder.ids()
    assert received() == [REQUEST]
