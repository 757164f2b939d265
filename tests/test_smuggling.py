"""Request framing as h11 reads it (RFC 9112 2.2, 5.2, 6.1, 6.3), over real sockets.

h11, which parses every request the lab's servers read, takes a bare LF for CRLF (nginx
does too) and joins a folded line to the field above it. The checks that refuse a request
with both Content-Length and Transfer-Encoding, judge its chunk sizes and answer 501 for
a coding the server lacks read the head's lines themselves: they must find the same head,
the same lines and the same fields that h11 does, or a request framed one way for the
check is framed another for the server (request smuggling's mechanism).
"""

from __future__ import annotations

import re
import socket
import time

import pytest

import labkit
from labkit.http.server import MAX_EMPTY_LINES
from labkit.personalities import PERSONALITIES
from labkit.recorder import Event, Kind

STATUS = re.compile(rb"HTTP/1\.1 (\d{3}) ")
SMUGGLED = b"GET /smuggled HTTP/1.1\r\nHost: lab\r\n\r\n"
# the same, last on its connection: the server closes after answering it, so a test that
# expects it answered reads until the close, not for _talk's whole wait (3 s a test, twelve
# tests in the quick tier)
SMUGGLED_LAST = b"GET /smuggled HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n"
CL_AND_TE = b"both Content-Length and Transfer-Encoding"
SERVERS = ["origin", *(f"gateway:{name}" for name in PERSONALITIES)]


def _port(lab: labkit.Lab, server: str) -> int:
    name, _, personality = server.partition(":")
    if personality:
        lab.gateway.personality = personality
    return int(getattr(lab, name).port)


def _talk(port: int, data: bytes, wait: float = 3.0) -> tuple[list[bytes], bytes, str]:
    """Send ``data`` in one write and read until the server closes (or ``wait`` passes):
    the statuses, the bytes, and how it ended."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        sock.sendall(data)
        reply = b""
        deadline = time.monotonic() + wait
        try:
            while time.monotonic() < deadline:
                chunk = sock.recv(65536)
                if not chunk:
                    return STATUS.findall(reply), reply, "closed"
                reply += chunk
        except TimeoutError:
            pass
        return STATUS.findall(reply), reply, "open"


@pytest.mark.parametrize("server", SERVERS)
@pytest.mark.parametrize(
    "head",
    [
        b"POST /orders HTTP/1.1\nHost: lab\nContent-Length: 3\nTransfer-Encoding: chunked\n\n",
        b"POST /orders HTTP/1.1\r\nHost: lab\r\nContent-Length: 3\nTransfer-Encoding: chunked"
        b"\r\n\r\n",
    ],
    ids=["bare-lf", "one-bare-lf"],
)
def test_content_length_beside_transfer_encoding_is_refused_whatever_ends_the_lines(
    lab: labkit.Lab, server: str, head: bytes
) -> None:
    """Refused with 400 and closed, as with CRLF and as real nginx does (observed: 400 for
    both heads): the check read CRLF lines only, so with bare LFs it saw neither field;
    h11 framed the body by Transfer-Encoding, the request was served and the bytes after
    its chunks were served as a second request on the same connection. Fails before."""
    statuses, reply, ended = _talk(_port(lab, server), head + b"0\r\n\r\n" + SMUGGLED)
    assert (statuses, ended) == ([b"400"], "closed"), reply[:800]
    assert CL_AND_TE in reply


@pytest.mark.parametrize("server", SERVERS)
def test_a_chunk_size_past_any_count_is_refused_at_once_after_a_bare_lf_head(
    lab: labkit.Lab, server: str
) -> None:
    """A size of 20 hex digits is refused from its line (ChunkSizes), as after a CRLF head:
    after a head in bare LFs the sizes were never judged and h11 waited for 2^80 bytes
    until the body's time ran out (408). Fails before (408)."""
    port = _port(lab, server)
    getattr(lab, server.partition(":")[0]).head_timeout = 0.3
    head = b"POST /orders HTTP/1.1\nHost: lab\nTransfer-Encoding: chunked\n\n"
    statuses, reply, ended = _talk(port, head + b"ffffffffffffffffffff\r\nhello")
    assert (statuses, ended) == ([b"400"], "closed"), reply[:800]
    assert b"ffffffffffffffffffff" in reply


@pytest.mark.parametrize("server", SERVERS)
def test_crlf_pairs_in_the_body_of_a_bare_lf_head_are_the_body(
    lab: labkit.Lab, server: str
) -> None:
    """The head ends at its first empty line as h11 finds it (LF, CR optional): the body's
    bytes are not head lines. A body with 'Transfer-Encoding: gzip' between CRLF pairs
    after a head in bare LFs was refused with 400 for a Transfer-Encoding the request never
    had ('chunked' not its final coding). Fails before (the origin was never asked)."""
    body = b"x\r\nTransfer-Encoding: gzip\r\n\r\n"
    head = b"POST /orders HTTP/1.1\nHost: lab\nContent-Length: %d\n\n" % len(body)
    statuses, reply, ended = _talk(_port(lab, server), head + body + SMUGGLED_LAST)
    assert (statuses, ended) == ([b"400", b"404"], "closed"), reply[:800]
    assert reply.count(b"made by the labkit origin") == 2  # 'the body must be JSON', /smuggled


@pytest.mark.parametrize("server", SERVERS)
def test_a_folded_line_belongs_to_the_field_above_it(lab: labkit.Lab, server: str) -> None:
    """An obs-fold line (RFC 9112 5.2) continues the field above it, as h11 reads it, and
    the request is served: '  Transfer-Encoding: chunked' under X-Note was taken for a
    field of its own and the request refused for carrying Content-Length beside it.
    Fails before (400, 'both Content-Length and Transfer-Encoding')."""
    head = (
        b"GET /orders HTTP/1.1\r\nHost: lab\r\nX-Note: a\r\n  Transfer-Encoding: chunked\r\n"
        b"Content-Length: 0\r\n\r\n"
    )
    statuses, reply, ended = _talk(_port(lab, server), head + SMUGGLED_LAST)
    assert (statuses, ended) == ([b"200", b"404"], "closed"), reply[:800]
    assert CL_AND_TE not in reply


FIRST = b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\n\r\n"
LAST = b"GET /orders/8 HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n"


@pytest.mark.parametrize("server", ["origin", "gateway"])
@pytest.mark.parametrize("empty", [b"\r\n", b"\n", b"\r\n\r\n\r\n"], ids=["crlf", "lf", "three"])
@pytest.mark.parametrize("how", ["pipelined", "first", "written-apart"])
def test_empty_lines_before_a_request_line_are_ignored(
    lab: labkit.Lab, server: str, empty: bytes, how: str
) -> None:
    """RFC 9112 2.2: a server SHOULD ignore at least one empty line before a request line
    (a client's CRLF after a body); nginx skips them (observed). h11 refuses them, and the
    lab answered 400 'the request line is not METHOD target HTTP/x.y'. Ignored now, after a
    request in the same write, at a connection's start, or in a write of their own; the
    next request's recording holds its own bytes only. Fails before (400)."""
    port = _port(lab, server)
    if how == "written-apart":
        with socket.create_connection(("127.0.0.1", port), timeout=3.0) as sock:
            sock.sendall(FIRST)
            reply = sock.recv(65536)
            sock.sendall(empty)
            sock.sendall(LAST)
            while chunk := sock.recv(65536):
                reply += chunk
        statuses = STATUS.findall(reply)
    else:
        sent = FIRST + empty + LAST if how == "pipelined" else empty + LAST
        statuses, reply, _ = _talk(port, sent)
    assert statuses == ([b"404"] if how == "first" else [b"200", b"404"]), reply[:800]
    hop = server
    lab.recorder.wait_for(
        lambda: any(e.hop == hop and e.target == "/orders/8" for e in _received(lab)), timeout=2.0
    )
    assert [e.data for e in _received(lab) if e.hop == hop and e.target == "/orders/8"] == [LAST]


@pytest.mark.parametrize("server", ["origin", "gateway", "portal"])
def test_empty_lines_alone_are_no_request(lab: labkit.Lab, server: str) -> None:
    """Empty lines and then the client's close: closed without a word, as an idle
    connection is (before: 400 for a request line that was never sent); the server goes on."""
    port = _port(lab, server)
    with socket.create_connection(("127.0.0.1", port), timeout=3.0) as sock:
        sock.sendall(b"\r\n\r\n\n")
        sock.shutdown(socket.SHUT_WR)
        assert sock.recv(65536) == b""
    statuses, reply, _ = _talk(port, b"\r\n" + LAST)
    assert len(statuses) == 1 and statuses[0] != b"400", reply[:800]


# One more empty line than a server ignores before a request line (server.MAX_EMPTY_LINES),
# sent in one write, a write a line, or after a request on the same connection
TOO_MANY = b"\r\n" * (MAX_EMPTY_LINES + 1)


def _replies_to_writes(port: int, writes: list[bytes]) -> bytes:
    """Send each of ``writes`` apart (the server reads each alone), then read until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=3.0) as sock:
        for data in writes:
            sock.sendall(data)
            time.sleep(0.02)
        reply = b""
        try:
            while chunk := sock.recv(65536):
                reply += chunk
        except (TimeoutError, ConnectionResetError):
            pass
        return reply


@pytest.mark.parametrize("server", ["origin", "gateway", "portal"])
@pytest.mark.parametrize(
    "writes",
    [
        [TOO_MANY],
        [b"\r\n"] * (MAX_EMPTY_LINES + 1),
        [b"\n"] * (MAX_EMPTY_LINES + 1),
        [TOO_MANY + LAST],
    ],
    ids=["one-write", "a-write-a-line", "bare-lf", "then-a-request"],
)
def test_more_empty_lines_than_a_server_ignores_get_a_400_that_says_so(
    lab: labkit.Lab, server: str, writes: list[bytes]
) -> None:
    """A connection that sends only empty lines (or more of them than a server ignores, then a
    request): 400 at once, naming the rule, however the lines were split into writes; it was
    closed without a word once the idle timeout (5 s) ran out, and with a request after them
    it was served. RFC 9112 2.2 asks a server to ignore at least one. Fails before (no
    answer within 3 s; the request after them answered 200)."""
    reply = _replies_to_writes(_port(lab, server), writes)
    assert STATUS.findall(reply) == [b"400"], reply[:300]
    words = b" ".join(reply.split())  # the page wraps its lines
    assert b"More than 4 empty lines came before a request line: this server ignores" in words
    refused = [
        e
        for rid in lab.recorder.ids()
        for e in lab.recorder.events(rid)
        if e.hop == server and e.kind is Kind.SENT and e.status == 400
    ]
    assert len(refused) == 1, refused


@pytest.mark.parametrize("server", ["origin", "gateway", "portal"])
def test_as_many_empty_lines_as_a_server_ignores_then_a_request_are_served(
    lab: labkit.Lab, server: str
) -> None:
    statuses, reply, _ = _talk(_port(lab, server), b"\r\n" * MAX_EMPTY_LINES + LAST)
    assert len(statuses) == 1 and statuses[0] != b"400", reply[:300]


@pytest.mark.parametrize("server", ["origin", "gateway"])
def test_empty_lines_after_a_request_count_on_across_writes(lab: labkit.Lab, server: str) -> None:
    """Empty lines that came with a request (pipelined after it) and more after its answer
    are one run: more than the server ignores is a 400 whichever write they came in; the
    count began again with each write before. Fails before (200, then 404)."""
    port = _port(lab, server)
    with socket.create_connection(("127.0.0.1", port), timeout=3.0) as sock:
        sock.sendall(FIRST + b"\r\n" * MAX_EMPTY_LINES)
        reply = sock.recv(65536)
        assert STATUS.findall(reply) == [b"200"], reply[:300]
        sock.sendall(b"\r\n" + LAST)
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    assert STATUS.findall(reply) == [b"400"], reply[:300]


@pytest.mark.parametrize("server", ["origin", "gateway", "portal"])
def test_more_empty_lines_than_a_server_ignores_after_a_request_in_its_write_get_a_400(
    lab: labkit.Lab, server: str
) -> None:
    """Too many empty lines pipelined after a request, in its write: the request is
    answered, then the lines get the 400 that names the rule, recorded as the bytes that
    came after the request, and the request after them is never served. The gateway
    relays its answer (the lines are found after a relayed head), the origin and the
    portal answer through h11 (found after h11's next cycle): both places."""
    port = _port(lab, server)
    first = _talk(port, FIRST[:-2] + b"Connection: close\r\n\r\n")[0]  # its answer alone
    statuses, reply, how = _talk(port, FIRST + TOO_MANY + LAST)
    assert (statuses, how) == ([*first, b"400"], "closed"), reply[:800]
    words = b" ".join(reply.split())
    assert b"More than 4 empty lines came before a request line: this server ignores" in words
    refused = [
        e
        for rid in lab.recorder.ids()
        for e in lab.recorder.events(rid)
        if e.hop == server and e.kind is Kind.RECEIVED and e.data.startswith(b"\r\n")
    ]
    assert [e.data for e in refused] == [TOO_MANY + LAST], refused
    assert not any(e.target == "/orders/8" for e in _received(lab))


def _received(lab: labkit.Lab) -> list[Event]:
    return [
        e
        for rid in lab.recorder.ids()
        for e in lab.recorder.events(rid)
        if e.kind is Kind.RECEIVED and e.method
    ]


# -- what a 400 for a malformed field says: what was wrong, and what is allowed --

_GET = b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\n"
_POST = b"POST /orders HTTP/1.1\r\nHost: lab\r\n"
FIELD_WORDS = {
    "two-transfer-encodings": (
        _POST + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "Transfer-Encoding names chunked more than once ('chunked', 'chunked')",
        "不止一次列出 chunked",
    ),
    "a-second-transfer-encoding": (
        _POST + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: \r\n\r\n0\r\n\r\n",
        "more than one Transfer-Encoding field: 'chunked', ''; this server accepts one",
        "有不止一个 Transfer-Encoding 字段",
    ),
    "25-digit-content-length": (
        _POST + b"Content-Length: " + b"5".rjust(25, b"0") + b"\r\n\r\nhello",
        "has 25 digits, more than the 20 this server reads",
        "有 25 位数字，超过了这个服务器能读的 20 位",
    ),
    "content-length-not-digits": (
        _POST + b"Content-Length: -1\r\n\r\n",
        "Content-Length '-1' is not a number of bytes: it must be decimal digits only",
        "只能由十进制数字组成",
    ),
    "content-lengths-disagree": (
        _POST + b"Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        "Content-Length values disagree: '3', '4'; a body has one length",
        "几个 Content-Length 值互相矛盾",
    ),
    "chunked-twice": (
        _POST + b"Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
        "Transfer-Encoding names chunked more than once ('chunked', 'chunked'); chunked is "
        "applied once",
        "不止一次列出 chunked",
    ),
    "an-empty-list-member": (
        _POST + b"Transfer-Encoding: ,chunked\r\n\r\n0\r\n\r\n",
        "Transfer-Encoding ',chunked': this server reads the field only when it says 'chunked' "
        "alone",
        "这个字段单独写着 'chunked' 时才读它",
    ),
    "two-hosts": (
        _GET + b"Host: other\r\n\r\n",
        "more than one Host field: 'lab', 'other'; it must have exactly one",
        "必须恰好有一个",
    ),
    "space-before-colon": (
        _GET + b"X-Note : a\r\n\r\n",
        "The line 'X-Note : a' is not a header field: a name",
        "这一行不是标头字段",
    ),
    "fold-first": (
        b"GET /orders/7 HTTP/1.1\r\n X-Note: a\r\nHost: lab\r\n\r\n",
        "starts with a space or a tab, as if it continued a line before it; a field line "
        "starts with its name",
        "字段行应以字段名开头",
    ),
}


@pytest.mark.parametrize("server", SERVERS)
@pytest.mark.parametrize("case", list(FIELD_WORDS))
def test_a_400_for_a_malformed_field_names_it_and_what_is_allowed(
    lab: labkit.Lab, server: str, case: str
) -> None:
    """Two Transfer-Encoding lines, two Content-Length values that disagree, a second Host
    and a space before a colon were each told 'A header line is not name: value' (every line
    was one), a 25-digit Content-Length h11's bare 'bad Content-Length', two Host fields
    'must carry a Host header'; 'chunked, chunked' and ',chunked' 'the chunked body is
    malformed', before any body was read. Each page now says what was wrong and what is allowed, in
    English and in Chinese. Fails before."""
    raw, english, chinese = FIELD_WORDS[case]
    port = _port(lab, server)
    for lang, words in (("en", english), ("zh-CN", chinese)):
        asked = raw.replace(
            b"Host: lab\r\n", f"Host: lab\r\nAccept-Language: {lang}\r\n".encode(), 1
        )
        statuses, reply, _ = _talk(port, asked)
        assert statuses == [b"400"], reply[:400]
        assert words in reply.decode("utf-8"), reply.decode("utf-8", "replace")[-600:]


@pytest.mark.parametrize("server", SERVERS)
def test_a_long_line_quoted_in_a_400_is_cut_between_bytes_not_inside_an_escape(
    lab: labkit.Lab, server: str
) -> None:
    """A 400 quotes a bad line cut to labkit.errors.SHOWN characters, each byte that is not
    printable written \\xNN. The cut fell inside such an escape: 58 letters then \\x01
    showed as the letters and a lone backslash, which reads as another byte (a TLS
    ClientHello showed '...\\x00\\x0...'). The cut keeps whole escapes. Fails before."""
    from labkit.errors import SHOWN

    letters = b"X" * (SHOWN - 2)
    statuses, reply, _ = _talk(
        _port(lab, server), b"GET / HTTP/1.1\r\nHost: lab\r\n" + letters + b"\x01\x02: v\r\n\r\n"
    )
    assert statuses == [b"400"], reply[:400]
    page = reply.decode("utf-8")
    assert f"'{letters.decode()}\u2026'" in page, page[-600:]


@pytest.mark.parametrize("server", SERVERS)
@pytest.mark.parametrize(
    "body",
    [b"5\nhello\n0\n\n", b"5\r\nhello\r\n0\n\r\n", b"5;name=value\nhello\r\n0\r\n\r\n"],
    ids=["every-line", "last-chunk", "with-an-extension"],
)
def test_a_chunk_line_ending_in_a_bare_lf_is_refused_at_once(
    lab: labkit.Lab, server: str, body: bytes
) -> None:
    """RFC 9112 7.1 ends a chunk-size line with CRLF; 2.2's bare LF is for the start line and
    the fields. h11 waits for the CRLF, so the request got no answer until the head timeout
    (10 s); now a 400 that names the rule, within the 3 s this client waits (nginx and
    HAProxy served it, Caddy 502: personalities.FRAMING). Fails before: no answer."""
    head = b"POST /orders HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding: chunked\r\n\r\n"
    statuses, reply, ended = _talk(_port(lab, server), head + body)
    assert (statuses, ended) == ([b"400"], "closed"), reply[:400]
    assert b"ends with a bare LF: in a chunked body each chunk-size line ends with CRLF" in reply


@pytest.mark.parametrize("server", ["origin", "gateway"])
def test_a_chunk_not_followed_by_crlf_is_told_so(lab: labkit.Lab, server: str) -> None:
    """A chunk's data followed by other bytes than CRLF keeps h11's 'chunked body is
    malformed' 400, not the bare-LF words (a check that took the two bytes after the data
    for CRLF read the rest of the line as a chunk line of its own)."""
    raw = (
        b"POST /orders HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhelloX\r\n0\r\n\r\n"
    )
    statuses, reply, _ = _talk(_port(lab, server), raw)
    assert statuses == [b"400"], reply[:400]
    assert b"The chunked body is malformed" in reply, reply[-600:]


@pytest.mark.parametrize("server", [*SERVERS, "portal"])
@pytest.mark.parametrize(
    "host", [b"a b", b"user@lab", b"a/b", b"lab:80:90", b"\xc3\xa9.example"], ids=repr
)
def test_an_invalid_host_is_refused(lab: labkit.Lab, server: str, host: bytes) -> None:
    """RFC 9112 3.2: a server MUST answer 400 to a request whose Host field has an invalid
    value (uri-host [':' port]). The lab's servers served each of these and the gateway passed
    them on (real nginx 1.22 refused the space and the slash, Caddy 2.6 all but the second
    colon, HAProxy 2.6 none: personalities.FRAMING). Fails before: 200 (511 at the portal)."""
    port = lab.portal.port if server == "portal" else _port(lab, server)
    for lang, words in (
        ("en", "is not a host with an optional port"),
        ("zh-CN", "不是主机名加可选端口的形式"),
    ):
        raw = (
            b"GET /orders/7 HTTP/1.1\r\nAccept-Language: "
            + lang.encode()
            + b"\r\nHost: "
            + host
            + b"\r\nConnection: close\r\n\r\n"
        )
        statuses, reply, _ = _talk(port, raw)
        assert statuses == [b"400"], reply[:400]
        assert words in reply.decode("utf-8"), reply.decode("utf-8", "replace")[-500:]


@pytest.mark.parametrize("server", SERVERS)
@pytest.mark.parametrize(
    "host", [b"", b"lab:", b"[::1]:80", b"127.0.0.1:8080", b"xn--e1a.example", b"a%20b"], ids=repr
)
def test_a_valid_host_is_served(lab: labkit.Lab, server: str, host: bytes) -> None:
    """What RFC 3986's uri-host and port allow (an empty host and an empty port too) is
    served, whatever the host names: the check refuses the grammar's outside only."""
    raw = b"GET /orders/7 HTTP/1.1\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n"
    statuses, reply, _ = _talk(_port(lab, server), raw)
    assert statuses == [b"200"], reply[:400]


@pytest.mark.parametrize("server", ["origin", "gateway"])
@pytest.mark.parametrize(
    ("line", "shown"),
    [
        (b"GET /ord ers HTTP/1.1", "'GET /ord ers HTTP/1.1'"),
        (b"GET  /orders/7 HTTP/1.1", "'GET  /orders/7 HTTP/1.1'"),
        (b"GET /orders/7 HTTP/1.1 x", "'GET /orders/7 HTTP/1.1 x'"),
        (b"GET /or\x01ders HTTP/1.1", "'GET /or\\x01ders HTTP/1.1'"),
    ],
    ids=["space-in-target", "two-spaces", "a-fourth-word", "control-character"],
)
def test_a_400_for_a_request_line_quotes_it_and_says_its_form(
    lab: labkit.Lab, server: str, line: bytes, shown: str
) -> None:
    """The page said 'the request line is not METHOD target HTTP/x.y (the protocol name must
    be HTTP in capitals, ...)' to lines whose protocol name was right: it now quotes the line
    and says the whole form, method, spaces and target too. (A head without a valid request
    line negotiates no language: the page is English, the catalogue has the Chinese.) Fails
    before."""
    raw = line + b"\r\nHost: lab\r\n\r\n"
    statuses, reply, _ = _talk(_port(lab, server), raw)
    assert statuses == [b"400"], reply[:400]
    page = reply.decode("utf-8")
    assert shown in page, page[-500:]
    assert "a method, one space, a target without spaces or control characters" in page


@pytest.mark.parametrize("server", SERVERS)
@pytest.mark.parametrize(
    ("fields", "words"),
    [
        (b"Transfer-Encoding: gzip\r\n", b"A Transfer-Encoding field in the trailer"),
        (
            b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
            b"The trailer has more than one Transfer-Encoding field",
        ),
        (b"Content-Length: abc\r\n", b"A Content-Length field in the trailer is not a number"),
        (b"Content-Length: 1\r\nContent-Length: 2\r\n", b"Content-Length fields in the trailer"),
    ],
    ids=["coding", "two-codings", "length", "two-lengths"],
)
def test_a_400_for_a_trailer_field_says_it_is_the_trailers(
    lab: labkit.Lab, server: str, fields: bytes, words: bytes
) -> None:
    """h11 checks the trailer section's fields as it checks the head's, in the same words;
    the page then spoke of the head: a 'Transfer-Encoding: gzip' trailer field was told
    about the head's 'chunked', a bad Content-Length in the trailer quoted the head's (none,
    ''). The page now says the field is the trailer's. Fails before."""
    raw = (
        b"POST /orders HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"
        + fields
        + b"\r\n"
    )
    statuses, reply, _ = _talk(_port(lab, server), raw)
    assert statuses == [b"400"], reply[:400]
    assert words in reply, reply[-500:]


TRAILER_FRAMING_FIELDS = [
    b"Transfer-Encoding: gzip\r\n",
    b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
    b"Content-Length: abc\r\n",
    b"Content-Length: 1\r\nContent-Length: 2\r\n",
]


@pytest.mark.parametrize("server", SERVERS)
@pytest.mark.parametrize(
    ("language", "allowed"),
    [
        (
            "en",
            "a trailer may not carry a field that frames the message (Content-Length, "
            "Transfer-Encoding), routes it, authenticates it, modifies the request, controls "
            "the response or describes the content (RFC 9110 6.5.1); a recipient may drop a "
            "trailer field (RFC 9112 7.1.2) or refuse the message, as this server does",
        ),
        (
            "zh-CN",
            "尾部字段不得携带为消息分帧（Content-Length、Transfer-Encoding）、路由、认证、"
            "修饰请求、控制响应或描述内容的字段（RFC 9110 6.5.1）；接收方可以丢弃尾部字段"
            "（RFC 9112 7.1.2），也可以像本服务器这样拒绝该消息",
        ),
    ],
    ids=["en", "zh"],
)
def test_a_400_for_a_trailer_field_says_what_a_trailer_may_carry(
    lab: labkit.Lab, server: str, language: str, allowed: str
) -> None:
    """Each 400 for a Content-Length or Transfer-Encoding in the trailer section says what
    was wrong and what is allowed: which fields a trailer may not carry, and what a recipient
    may do with one. It said only what was wrong. Fails before."""
    port = _port(lab, server)
    for fields in TRAILER_FRAMING_FIELDS:
        raw = (
            b"POST /orders HTTP/1.1\r\nHost: lab\r\nAccept-Language: "
            + language.encode()
            + b"\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"
            + fields
            + b"\r\n"
        )
        statuses, reply, _ = _talk(port, raw)
        assert statuses == [b"400"], reply[:400]
        assert allowed in " ".join(reply.decode("utf-8").split()), (fields, reply[-700:])


@pytest.mark.parametrize(
    "host",
    [b"a b", b"user@lab", b"a/b", b"lab:80:90", b"", b"lab:", b"[::1]:80", b"a%20b", b"x"],
    ids=repr,
)
def test_the_host_value_alone_gets_the_verdict_of_the_whole_head(host: bytes) -> None:
    """A request the server read without h11 (``server.plain_request``: one Host, no
    Transfer-Encoding, not CONNECT) has its Host value judged alone
    (``requestcheck.check_host_value``), not its head split into fields again: the same
    verdict, in the same words, as ``check_host`` of the whole head."""
    from labkit.http.requestcheck import check_host, check_host_value

    head = b"GET /orders/7 HTTP/1.1\r\nHost: " + host + b"\r\nAccept: */*"
    whole, alone = check_host(head), check_host_value(host.decode("latin-1"))
    assert (
        (whole is None) == (alone is None) == (host in (b"", b"lab:", b"[::1]:80", b"a%20b", b"x"))
    )
    if whole is not None and alone is not None:
        assert (whole.status, str(whole.why)) == (alone.status, str(alone.why))
