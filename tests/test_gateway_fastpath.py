"""The gateway reads plain requests without h11 (server.plain_request): every request must be
read, answered and recorded exactly as when h11 reads it, the hostile ones above all.

Two checks. Over real sockets, two labs side by side, one whose gateway reads plain requests
itself and one whose gateway leaves every request to h11 (``plain_requests = False``), get
the same corpus of request heads, each on a connection of its own, in the same order: normal
requests and hostile ones (obs-fold, bare LF, duplicate or conflicting Content-Length,
Transfer-Encoding in its forms, smuggling shapes, bad versions, heads too large), and every
request literal the other tests send. The bytes each gateway answers and what each lab
records of it (every hop's events) must be the same, less what differs between two labs
anyway (dates, the id's secret tag, ports). Without a socket, each head of the corpus and
thousands of variants of plain heads (one byte put in, changed or dropped) go to
``plain_request`` and to h11: whatever ``plain_request`` reads, h11 reads the same, field for
field, with nothing left over and nothing it would do besides (100-continue, a protocol
switch)."""

from __future__ import annotations

import ast
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import h11
import pytest
from realgateways import read_to_close

import labkit
from labkit.http import server
from labkit.http.messages import decoded
from labkit.http.requestcheck import MAX_HEAD_BYTES

GET = b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\n\r\n"
ORDER = b'{"customer": "Ada", "item": "tea"}'

# Requests that are plain: the gateway reads these itself
PLAIN = [
    GET,
    b"GET /orders HTTP/1.1\r\nHost: lab\r\nAccept: application/json\r\n\r\n",
    b"GET /up/ok/ HTTP/1.1\r\nHost: lab\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n",
    b"GET /nope HTTP/1.1\r\nHost: lab\r\n\r\n",
    b"GET /orders/7 HTTP/1.1\r\nhost: lab\r\n\r\n",
    b"GET /orders/7 HTTP/1.1\r\nHOST:lab\r\n\r\n",
    b"GET /orders/7 HTTP/1.1\r\nHost: \t lab \t \r\nX-Empty:\r\nX-Blank:   \r\n\r\n",
    b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\nX-Inner: a  b c\r\n\r\n",
    b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\nConnection: keep-alive\r\n\r\n",
    b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\nConnection: X-A\r\nX-A: 1\r\n\r\n",
    b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\nX-Request-ID: mine-1\r\n\r\n",
    b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\nX-Request-ID: req-0001.000000000000\r\n\r\n",
    b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\nAccept-Language: zh-CN\r\nAccept: text/html\r\n\r\n",
    b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\nCache-Control: no-cache\r\nPragma: no-cache\r\n\r\n",
    b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\nContent-Length: 0\r\n\r\n",
    b"GET /orders/7?x=%20&y=[1] HTTP/1.1\r\nHost: lab\r\n\r\n",
    b"GET http://lab/orders/7 HTTP/1.1\r\nHost: lab\r\n\r\n",
    b"GET //orders/../orders/7 HTTP/1.1\r\nHost: lab\r\n\r\n",
    b"GET /orders/7 HTTP/1.1\r\nHost: lab:8080\r\nMax-Forwards: 0\r\n\r\n",
    b"HEAD /orders/7 HTTP/1.1\r\nHost: lab\r\n\r\n",
    b"OPTIONS * HTTP/1.1\r\nHost: lab\r\n\r\n",
    b"DELETE /orders/7 HTTP/1.1\r\nHost: lab\r\n\r\n",
    b"TRACE / HTTP/1.1\r\nHost: lab\r\nMax-Forwards: 0\r\n\r\n",
    b"BREW /pot HTTP/1.1\r\nHost: lab\r\n\r\n",
    b"POST /orders HTTP/1.1\r\nHost: lab\r\nContent-Type: application/json\r\n"
    b"Content-Length: %d\r\n\r\n%s" % (len(ORDER), ORDER),
    b"POST /orders HTTP/1.1\r\nHost: lab\r\nContent-Length: 007\r\n\r\nabcdefg",
    b"PUT /orders/7 HTTP/1.1\r\nHost: lab\r\nContent-Length: 2\r\n\r\nhi",
    b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\n" + b"X-Many: many\r\n" * 60 + b"\r\n",
    # asking to close (curl's one-shot requests, urllib's): answered, then closed, as by h11
    b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n",
    b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\nConnection: x, CLOSE\r\n\r\n",
    b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\nConnection:close ,keep-alive\r\n\r\n",
    b"GET /nope HTTP/1.1\r\nHost: lab\r\nConnection: close\r\nAccept-Language: zh-CN\r\n\r\n",
    b"HEAD /orders/7 HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n",
    b"POST /orders HTTP/1.1\r\nHost: lab\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s"
    % (len(ORDER), ORDER),
]

# Requests that are not plain (h11 reads them, as always): hostile, unusual or incomplete
NOT_PLAIN = [
    b"GET /orders/7 HTTP/1.1\r\n\r\n",  # no Host
    b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\nConnection: closed\r\n\r\n",  # h11 keeps it
    b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\nConnection: x-close\r\n\r\n",
    b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\nConnection: x\r\nConnection: close\r\n\r\n",
    b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\nConnection: close\r\nConnection: x\r\n\r\n",
    b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n" + GET,  # pipelined
    b"GET /orders/7 HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    b"GET /orders/7 HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n",
    b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\nX-Fold: a\r\n  b\r\n\r\n",  # obs-fold
    b"GET /orders/7 HTTP/1.1\r\n Host: lab\r\n\r\n",  # a fold at the start
    b"GET /orders/7 HTTP/1.1\nHost: lab\n\n",  # bare LF
    b"GET /orders/7 HTTP/1.1\r\nHost: lab\nX-A: 1\r\n\r\n",
    b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\n\n",
    b"GET /orders/7 HTTP/1.1\r\nHost: lab\rX-A: 1\r\n\r\n",  # bare CR
    b"GET /orders/7 HTTP/1.1\r\nHost : lab\r\n\r\n",
    b"GET /orders/7 HTTP/1.1\r\nHo st: lab\r\n\r\n",
    b"GET /orders/7 HTTP/1.1\r\n: lab\r\nHost: lab\r\n\r\n",
    b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\nX-Nul: a\x00b\r\n\r\n",
    b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\nX-Tab: a\tb\r\n\r\n",  # h11's, not plain
    b"M-SEARCH * HTTP/1.1\r\nHost: lab\r\nX_Under: 1\r\n\r\n",
    b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\nX-C: caf\xe9\r\n\r\n",  # obs-text
    b"GET /caf\xe9 HTTP/1.1\r\nHost: lab\r\n\r\n",
    b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\nX-Del\x7f: 1\r\n\r\n",
    b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\nX-Ctl: a\x01b\r\n\r\n",
    b"POST /orders HTTP/1.1\r\nHost: lab\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nhi",
    b"POST /orders HTTP/1.1\r\nHost: lab\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nhi!",
    b"POST /orders HTTP/1.1\r\nHost: lab\r\nContent-Length: 2, 2\r\n\r\nhi",
    b"POST /orders HTTP/1.1\r\nHost: lab\r\nContent-Length: +2\r\n\r\nhi",
    b"POST /orders HTTP/1.1\r\nHost: lab\r\nContent-Length: -1\r\n\r\n",
    b"POST /orders HTTP/1.1\r\nHost: lab\r\nContent-Length: 0x2\r\n\r\nhi",
    b"POST /orders HTTP/1.1\r\nHost: lab\r\nContent-Length: 00000000000000000000002\r\n\r\nhi",
    b"POST /orders HTTP/1.1\r\nHost: lab\r\nContent-Length: 99999999\r\n\r\n",
    b"POST /orders HTTP/1.1\r\nHost: lab\r\nContent-Length: 5\r\n\r\nhi",  # body cut short
    b"POST /orders HTTP/1.1\r\nHost: lab\r\nContent-Length: 2\r\n\r\nhi" + GET,  # pipelined
    b"POST /orders HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
    b"POST /orders HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
    b"POST /orders HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding: gzip\r\n\r\n",
    b"POST /orders HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding: chunked\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"POST /orders HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
    b"POST /orders HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding:\tchunked\r\n\r\n0\r\n\r\n",
    b"POST /orders HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
    # CL.TE and TE.CL smuggling shapes
    b"POST /orders HTTP/1.1\r\nHost: lab\r\nContent-Length: 6\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nG",
    b"POST /orders HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding: chunked\r\n"
    b"Content-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n",
    b"POST /orders HTTP/1.1\r\nHost: lab\r\nContent-Length: 4\r\n\r\n" + GET,
    b"POST /orders HTTP/1.1\r\nHost: lab\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi",
    b"GET /chat HTTP/1.1\r\nHost: lab\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
    b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings"
    b"\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n",
    b"CONNECT lab:443 HTTP/1.1\r\nHost: lab:443\r\n\r\n",
    b"GET /orders/7 HTTP/1.0\r\n\r\n",
    b"GET /orders/7 HTTP/1.0\r\nHost: lab\r\n\r\n",
    b"GET /orders/7 HTTP/1.2\r\nHost: lab\r\n\r\n",
    b"GET /orders/7 HTTP/2.0\r\nHost: lab\r\n\r\n",
    b"GET /orders/7 HTTP/0.9\r\nHost: lab\r\n\r\n",
    b"GET /orders/7 http/1.1\r\nHost: lab\r\n\r\n",
    b"GET /orders/7 HTTP/1.1 \r\nHost: lab\r\n\r\n",
    b"GET  /orders/7 HTTP/1.1\r\nHost: lab\r\n\r\n",
    b"GET\t/orders/7 HTTP/1.1\r\nHost: lab\r\n\r\n",
    b"G@T /orders/7 HTTP/1.1\r\nHost: lab\r\n\r\n",
    b"GET /orders/7\r\n\r\n",
    b"GET /orders/7\r\n",
    b"\r\nGET /orders/7 HTTP/1.1\r\nHost: lab\r\n\r\n",
    b"\r\n\r\n",
    b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + bytes(range(32)),
    b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\n",  # the head never ends
    b"GET /ord",
    b"",
    GET + GET,  # pipelined
    b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\nX-Big: " + b"a" * (MAX_HEAD_BYTES - 20) + b"\r\n\r\n",
    b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n",
]


def _from_tests() -> list[bytes]:
    """The request literals the other tests send: every bytes literal in tests/ that
    starts like a request line (a method in capitals) and holds a line break or an HTTP
    version."""
    found = set()
    for path in sorted(Path(__file__).parent.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, bytes):
                data = node.value
                if re.match(rb"[A-Z]+ [!-~]", data) and (b"HTTP/" in data or b"\n" in data):
                    found.add(data)
    return sorted(found)


CORPUS = PLAIN + NOT_PLAIN + [data for data in _from_tests() if data not in PLAIN + NOT_PLAIN]


def _h11_reads(data: bytes) -> tuple[object, ...] | None:
    """What h11 reads of ``data`` as the server does, when it reads one whole request and
    nothing more and has nothing else to do for it; else None."""
    conn = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD_BYTES)
    conn.receive_data(data)
    try:
        event = conn.next_event()
        if not isinstance(event, h11.Request):
            return None
        body = b""
        while True:
            more = conn.next_event()
            if isinstance(more, h11.Data):
                body += more.data
            elif isinstance(more, h11.EndOfMessage):
                break
            else:
                return None
    except h11.RemoteProtocolError:
        return None
    if (
        conn.their_state not in (h11.DONE, h11.MUST_CLOSE)
        or conn.our_state is not h11.SEND_RESPONSE
        or conn.trailing_data != (b"", False)
        or conn.client_is_waiting_for_100_continue
    ):
        return None
    return (
        event.method.decode("ascii", "replace"),
        event.target.decode("latin-1"),
        event.http_version.decode("ascii", "replace"),
        decoded(event.headers),
        body,
        conn.their_state is h11.MUST_CLOSE,  # the answer closes the connection
    )


def _plain_reads(data: bytes) -> tuple[object, ...] | None:
    request = server.plain_request(data)
    if request is None:
        return None
    assert request.raw == data
    return (
        request.method,
        request.target,
        request.http_version,
        request.headers,
        request.body,
        not server._keeps_alive(request),  # as the server decides after the answer
    )


def _variants() -> Iterator[bytes]:
    """Each plain request with one byte put in, changed or dropped, at each place of its
    head, for the bytes where a reader may go wrong."""
    odd = b'\x00\t\n\r :,\x7f\x80\xe9\x01"()/;=?@[]{}\\aA0'
    for data in PLAIN[:8] + PLAIN[24:27] + PLAIN[29:30]:
        end = data.find(b"\r\n\r\n") + 4
        for at in range(end):
            yield data[:at] + data[at + 1 :]
            for byte in odd:
                yield data[:at] + bytes([byte]) + data[at:]
                yield data[:at] + bytes([byte]) + data[at + 1 :]


def test_what_the_plain_reader_reads_h11_reads_the_same() -> None:
    taken = 0
    for data in [*CORPUS, *_variants()]:
        plain = _plain_reads(data)
        if plain is not None:
            taken += 1
            assert plain == _h11_reads(data), data
    assert all(_plain_reads(data) is not None for data in PLAIN)
    assert not any(_plain_reads(data) is not None for data in NOT_PLAIN)
    assert taken > 1000  # the variants that stay plain were read too


_DATE = re.compile(rb"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT")
_TAG = re.compile(rb"(req-\d{4,})\.[0-9a-f]{12}")
_AGE = re.compile(rb"(?i)(\r\nage: )\d+")
# which upstream connection a request went on: the pool's, whose connections end on their
# idle timeouts (the lab's and the upstream's), so it depends on how long the test took
_POOLED = re.compile(rb"on (?:new|kept-alive) connection #\d+ \((?:request \d+ on it; )?")


def _same_in_any_lab(data: bytes, lab: labkit.Lab) -> bytes:
    """``data`` less what two labs say differently of the same exchange: dates, the secret
    tags of the lab's ids, its ports."""
    data = _TAG.sub(rb"\1.TAG", _DATE.sub(b"DATE", data))
    data = _POOLED.sub(b"on a connection (", _AGE.sub(rb"\1AGE", data))
    for name in ("gateway", "origin", "portal"):
        data = data.replace(str(getattr(lab, name).port).encode(), name.upper().encode())
    return data


_REQUEST_LINE = re.compile(rb"(?m)^([A-Z]+) \S+ HTTP/1\.[01]\r?$")


def _answered(out: bytes, methods: list[bytes]) -> bool:
    """Whether ``out`` holds an answer to each of ``methods`` (interim ones aside)."""
    at = 0
    for method in methods:
        while True:
            end = out.find(b"\r\n\r\n", at)
            if end < 0:
                return False
            head = out[at:end].lower()
            status = int(head[9:12]) if head[9:12].isdigit() else 0
            at = end + 4
            if not 100 <= status < 200:
                break
        if method == b"HEAD" or status in (204, 304):
            continue
        if b"\r\ntransfer-encoding: chunked" in head:
            end = out.find(b"\r\n0\r\n\r\n", at - 2)
            if end < 0:
                return False
            at = end + 7
            continue
        length = re.search(rb"\r\ncontent-length: *(\d+)", head)
        if length is None:
            return False  # read to the close
        at += int(length.group(1))
        if len(out) < at:
            return False
    return True


def _exchange(port: int, parts: list[bytes]) -> bytes:
    """Send ``parts`` (a pause between two), read until each request has its answer (then
    close the sending side) or the gateway closes; a reset is told in the answer. The
    client leaves only once answered: a gateway that sees its client gone closes its
    upstream connection instead of keeping it (proxy._release), which would make the
    recording depend on when that was seen."""
    out = b""
    methods = _REQUEST_LINE.findall(b"".join(parts)) or [b"GET"]
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        try:
            for i, part in enumerate(parts):
                if i:
                    time.sleep(0.03)
                sock.sendall(part)
            while any(parts) and not _answered(out, methods):
                chunk = sock.recv(65536)
                if not chunk:
                    return out
                out += chunk
            sock.shutdown(socket.SHUT_WR)
            while chunk := sock.recv(65536):
                out += chunk
        except ConnectionError:
            out += b"<reset>"
    return out


def _recorded(lab: labkit.Lab, seen: set[str]) -> list[tuple[object, ...]]:
    """What the lab recorded since ``seen`` (the ids already looked at), as a learner sees
    it, less what differs between two labs."""
    got = []
    for rid in lab.recorder.ids():
        if rid in seen:
            continue
        seen.add(rid)
        for e in lab.recorder.events(rid):
            got.append(
                (
                    rid,
                    e.hop,
                    e.role,
                    e.kind,
                    _same_in_any_lab(e.summary.encode("utf-8", "replace"), lab),
                    _same_in_any_lab(e.data, lab),
                    e.status,
                    e.generated,
                    _same_in_any_lab(e.why.encode("utf-8", "replace"), lab),
                    e.method,
                    e.target,
                    e.version,
                )
            )
    return got


@pytest.mark.slow
@pytest.mark.parametrize("personality", ["rfc", "nginx", "haproxy", "envoy", "caddy"])
def test_the_gateway_answers_and_records_each_request_as_h11_read_it(personality: str) -> None:
    plain, h11_only = labkit.start(), labkit.start()
    try:
        # the origin too: it reads plain requests and writes plain answers without h11
        h11_only.gateway.plain_requests = h11_only.origin.plain_requests = False
        assert plain.gateway.plain_requests and plain.origin.plain_requests
        seen: dict[int, set[str]] = {id(plain): set(), id(h11_only): set()}
        for lab in (plain, h11_only):
            lab.gateway.personality = personality
        # every personality refuses in its own words: the hand-made corpus under each, the
        # literals of the other tests under the default one; a head cut short gets its 408
        # soon (each lab's gateway waits head_timeout)
        whole = [[data] for data in (CORPUS if personality == "rfc" else PLAIN + NOT_PLAIN)]
        # the head in two reads, the second well within the head's time: the plain reader
        # hands what came first to h11
        split = [[data[:10], data[10:]] for data in PLAIN[:6] + NOT_PLAIN[:6]]
        for cases, head_timeout in ((whole, 0.05), (split, 5.0)):
            for lab in (plain, h11_only):
                lab.gateway.head_timeout = head_timeout
            for parts in cases:
                answers = []
                for lab in (plain, h11_only):
                    answer = _same_in_any_lab(_exchange(lab.gateway.port, parts), lab)
                    time.sleep(0.005)  # a record made after the close (a lingering read)
                    answers.append((answer, _recorded(lab, seen[id(lab)])))
                assert answers[0] == answers[1], parts
    finally:
        plain.stop()
        h11_only.stop()


CLOSING = [data for data in PLAIN if b"close" in data.lower()]


@pytest.mark.parametrize("personality", ["rfc", "nginx", "haproxy", "caddy"])
def test_a_request_that_asks_to_close_is_answered_and_closed_as_by_h11(
    personality: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """curl's one-shot requests and urllib's ask to close. The origin and the gateway read
    such a plain request and write its answer themselves, h11 never asked (no h11
    connection made: its import and its slower path), and the bytes on the wire and what
    the lab records are those of a lab where h11 reads and writes them: the answer says
    ``Connection: close`` last, then the server closes. A HEAD's answer h11 still writes."""
    made = []
    new_connection = server._new_connection

    def counted() -> h11.Connection:
        made.append(1)
        return new_connection()

    monkeypatch.setattr(server, "_new_connection", counted)
    plain, h11_only = labkit.start(), labkit.start()
    try:
        h11_only.gateway.plain_requests = h11_only.origin.plain_requests = False
        seen: dict[int, set[str]] = {id(plain): set(), id(h11_only): set()}
        for lab in (plain, h11_only):
            lab.gateway.personality = personality
        assert len(CLOSING) == 6
        for hop in ("origin", "gateway"):
            for data in CLOSING:
                answers = []
                for lab in (plain, h11_only):
                    before = len(made)
                    answer = read_to_close(getattr(lab, hop).port, data)
                    if lab is plain and not data.startswith(b"HEAD"):
                        assert len(made) == before, (hop, data)  # h11 never asked
                    head = answer.split(b"\r\n\r\n", 1)[0].lower()
                    assert head.endswith(b"\r\nconnection: close"), (hop, data, answer)
                    time.sleep(0.005)  # a record made after the close
                    answers.append((_same_in_any_lab(answer, lab), _recorded(lab, seen[id(lab)])))
                assert answers[0] == answers[1], (hop, data)
    finally:
        plain.stop()
        h11_only.stop()
