"""Every reader of a head finds its end where h11 does (labkit/http/headend.py), over real
sockets.

h11 reads a head whose lines end in bare LFs (RFC 9112 2.2 lets a recipient take a bare LF
for CRLF, as nginx does). What the lab says about such a head (the language of a refusal,
the size in Proxy-Status, the status line in the exchange's view) must come from the same
lines, not from a search for CRLF that finds none.
"""

from __future__ import annotations

import socket

import pytest

import labkit
from labkit import faults
from labkit.conditions import Condition
from labkit.personalities import RFC
from labkit.recorder import Role


def _talk(port: int, data: bytes) -> bytes:
    """Send ``data`` and read the answer until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=3) as sock:
        sock.sendall(data)
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    return reply


def _fields(reply: bytes) -> dict[str, str]:
    head = reply.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")[1:]
    return {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head)}


@pytest.mark.parametrize("ending", [b"\r\n", b"\n"])
def test_a_refused_request_in_bare_lfs_is_answered_in_the_language_it_asked_for(
    lab: labkit.Lab, ending: bytes
) -> None:
    lines = [
        b"POST /orders HTTP/1.1",
        b"Host: lab",
        b"Accept-Language: zh-CN",
        b"Content-Length: 99999999999",
        b"",
        b"",
    ]
    reply = _talk(lab.origin.port, ending.join(lines))
    assert reply.startswith(b"HTTP/1.1 413 "), reply[:200]
    fields = _fields(reply)
    assert fields["content-language"] == "zh-CN"
    assert "accept-language" in fields["vary"].lower()


@pytest.mark.parametrize("ending", [b"\r\n", b"\n"])
def test_proxy_status_gives_the_size_of_a_head_in_bare_lfs(
    lab: labkit.Lab, monkeypatch: pytest.MonkeyPatch, ending: bytes
) -> None:
    """RFC 9209 2.3.19's header-section-size: the field lines, each with its line ending,
    of the head the gateway holds (its first max_response_head bytes)."""
    huge = faults.HUGE_HEAD.replace(b"\r\n", ending) + b"ok\n"
    fault = faults.Fault("huge-headers", Condition.HEADER_TOO_BIG, "a huge head", huge)
    monkeypatch.setattr(lab.upstreams["huge-headers"], "fault", fault)
    reply = _talk(
        lab.gateway.port, b"GET /up/huge-headers/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    assert reply.startswith(b"HTTP/1.1 502 "), reply[:200]
    status_line = b"HTTP/1.1 200 OK" + ending
    size = RFC.max_response_head - len(status_line)
    assert f"; header-section-size={size}; " in _fields(reply)["proxy-status"]


def test_the_exchange_shows_the_status_line_of_an_answer_in_bare_lfs(
    lab: labkit.Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer = b"HTTP/1.1 200 OK\nServer: bare\nContent-Length: 3\nConnection: close\n\nok\n"
    fault = faults.Fault("ok", None, "bare LFs", answer)
    monkeypatch.setattr(lab.upstreams["ok"], "fault", fault)
    ex = lab.get("/up/ok/")
    assert ex.status == 200 and ex.text == "ok\n"
    (upstream,) = [hop for hop in ex.observed().hops if hop.hop == "upstream 'ok'"]
    assert (upstream.status, upstream.reason, upstream.server) == (200, "OK", "bare")
    shown = [line.strip() for line in ex.observed().lines("en")]
    assert any(
        line.startswith(upstream.hop)
        and line.split()[-5:] == ["->", "200", "OK", "Server:", "bare"]
        for line in shown
    ), shown


@pytest.mark.parametrize(
    "head",
    [
        b"TRACE /orders/7 HTTP/1.1\nHost: lab\nMax-Forwards: 0\nCookie: secret=1\n"
        b"Authorization: Basic c2VjcmV0\nConnection: close\n\n",
        # obs-fold (RFC 9112 5.2): h11 joins the line to the Cookie above it
        b"TRACE /orders/7 HTTP/1.1\r\nHost: lab\r\nMax-Forwards: 0\r\nCookie: a=1\r\n"
        b" secret=1\r\nConnection: close\r\n\r\n",
    ],
)
def test_trace_answered_by_the_gateway_reflects_no_credentials(
    lab: labkit.Lab, head: bytes
) -> None:
    """RFC 9110 9.3.8: the request as received, less the fields likely to hold secrets."""
    reply = _talk(lab.gateway.port, head)
    assert reply.startswith(b"HTTP/1.1 200 "), reply[:200]
    body = reply.split(b"\r\n\r\n", 1)[1]
    assert body.startswith(b"TRACE /orders/7 HTTP/1.1\r\nHost: lab\r\nMax-Forwards: 0\r\n"), body
    assert b"secret" not in body and b"c2VjcmV0" not in body, body


def test_the_story_names_the_request_line_of_a_head_in_bare_lfs(lab: labkit.Lab) -> None:
    """What the origin received, as the story says it: the request line alone, however the
    head's lines end (it quoted the whole head, and called a head h11 read 'unparseable')."""
    large = lab.raw(
        b"POST /orders HTTP/1.1\nHost: lab\nContent-Length: 99999999999\n\n", to="origin"
    )
    assert large.status == 413
    received = [line.split("<-", 1)[1].strip() for line in repr(large).splitlines() if "<-" in line]
    assert received == ["POST /orders HTTP/1.1 (head read; body larger than this server accepts)"]
    huge = lab.raw(b"GET /orders/7 HTTP/1.1\nHost: lab\nX-Big: " + b"a" * 20_000 + b"\n\n")
    assert huge.status == 431
    received = [line.split("<-", 1)[1].strip() for line in repr(huge).splitlines() if "<-" in line]
    assert received == ["request head too large: 'GET /orders/7 HTTP/1.1'"]


@pytest.mark.parametrize("to", ["origin", "gateway"])
@pytest.mark.parametrize("ending", [b"\r\n", b"\n"])
@pytest.mark.parametrize("line", [b"GET / http/1.1", b"GET / HTTP/1.1x", b"GET / HTTP/1.1"])
def test_a_400_of_a_whole_head_is_answered_in_the_language_it_asked_for(
    lab: labkit.Lab, to: str, ending: bytes, line: bytes
) -> None:
    """A request line of three parts is held until its head is whole (h11 judges it then),
    so its fields were read and its 400 negotiates, whether the version is malformed
    (``http/1.1``: it was refused in English) or a field line is."""
    head = ending.join([line, b"Host: lab", b"Accept-Language: zh-CN", b"no colon", b"", b""])
    port = lab.origin.port if to == "origin" else lab.gateway.port
    reply = _talk(port, head)
    assert reply.startswith(b"HTTP/1.1 400 "), reply[:200]
    fields = _fields(reply)
    assert fields["content-language"] == "zh-CN"
    assert "accept-language" in fields["vary"].lower()


def test_a_400_for_a_line_that_is_no_request_line_does_not_wait_for_the_fields(
    lab: labkit.Lab,
) -> None:
    """A first line without three parts will never be a request line: it is refused as soon
    as it ends, before any field need arrive, so its page negotiates nothing (English, no
    Vary) however the rest of the head is sent."""
    reply = _talk(lab.origin.port, b"GET  / HTTP/1.1\r\nAccept-Language: zh-CN\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 400 "), reply[:200]
    fields = _fields(reply)
    assert fields["content-language"] == "en" and "vary" not in fields


def test_lab_raw_names_the_request_line_of_a_request_in_bare_lfs(lab: labkit.Lab) -> None:
    """``lab.raw`` reads the method and target from the first line where h11 ends it: split
    at CRLF alone, a head in bare LFs was one line, and the exchange's heading read
    'GET /orders/7\\nHost: -> 400'; the client's line of one it gave up on held the head."""
    refused = lab.raw(b"GET /orders/7\nHost: lab\n\n", to="origin")
    assert refused.status == 400
    assert (refused.method, refused.target) == ("GET", "/orders/7")
    assert (
        repr(refused)
        .splitlines()[0]
        .endswith(": GET /orders/7 -> 400 Bad Request, made by the origin")
    )
    head = b"GET /slow?delay=0.5 HTTP/1.1\nHost: lab\nConnection: close\n\n"
    gave_up = lab.raw(head, to="origin", wait=0.1)
    assert gave_up.status is None
    sent = [e.summary for e in lab.recorder.events(gave_up.id) if e.role is Role.CLIENT]
    assert sent[0] == "GET /slow?delay=0.5 HTTP/1.1", sent


def test_the_playground_says_the_request_line_it_sent_in_bare_lfs(lab: labkit.Lab) -> None:
    from labkit.widgets import Playground

    p = Playground(lab, "505")
    p.send_raw(b"GET /orders/7 HTTP/1.1\nHost: lab\nConnection: close\n\n", to="origin")
    assert p.status.value.startswith("Sent 'GET /orders/7 HTTP/1.1' to the origin: 200 OK"), (
        p.status.value
    )


def test_the_upstreams_answer_in_bare_lfs_is_told_by_its_status_line(
    lab: labkit.Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The story's line for what an upstream sent names its first line, where h11 ends it:
    split at CRLF alone, an answer in bare LFs was told whole, head and body, across lines."""
    answer = b"HTTP/1.1 200 OK\nServer: bare\nContent-Length: 3\nConnection: close\n\nok\n"
    monkeypatch.setattr(lab.upstreams["ok"], "fault", faults.Fault("ok", None, "bare", answer))
    ex = lab.get("/up/ok/")
    assert ex.status == 200
    told = [line for line in repr(ex).splitlines() if line.strip().startswith("upstream 'ok' ->")]
    assert [line.split("->", 1)[1].strip() for line in told] == [
        "HTTP/1.1 200 OK, then FIN (closed)  [made here]"
    ], repr(ex)


def test_lab_exchange_names_the_request_line_of_a_request_in_bare_lfs(lab: labkit.Lab) -> None:
    """``lab.exchange`` of a request another client sent (nc, a socket) in bare LFs: its
    heading took the target from the whole head ('/orders/7\\nHost:')."""
    reply = _talk(lab.origin.port, b"GET /orders/7\nHost: lab\n\n")
    assert reply.startswith(b"HTTP/1.1 400 "), reply[:200]
    story = lab.exchange(_fields(reply)["x-request-id"])
    assert (story.method, story.target) == ("GET", "/orders/7")
    assert "\n" not in repr(story).splitlines()[0] and repr(story).splitlines()[1].startswith("  ")
