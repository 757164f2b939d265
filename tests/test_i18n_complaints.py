"""What the gateway observed about an invalid response, said in the page's language.

The 502 pages quoted h11's English complaint with Python's repr ("无效的响应：illegal status
line: bytearray(b'HTTP/1.1 2OO OK')", "bad Content-Length") in both languages until December
2026 (labkit/http/complaints.py). Each response here is sent by a real upstream on a real
socket, read by the lab's gateway, and the page is fetched in English and in Chinese."""

from __future__ import annotations

import ast
import asyncio
import itertools
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import h11
import pytest

import labkit
from labkit import i18n
from labkit.http.upstream import MAX_ANY_HEAD, Pool, UpstreamFailure
from labkit.proxy import Route, Target, Timeouts

ZH = {"Accept-Language": "zh-CN"}
OK = b"HTTP/1.1 200 OK\r\n"
CHUNKED = OK + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"

# a response head h11 refuses: (bytes, the English observation, the Chinese one)
HEADS = {
    "status-line": (
        b"HTTP/1.1 2OO OK\r\nContent-Length: 3\r\n\r\nok\n",
        "the status line 'HTTP/1.1 2OO OK' is not an HTTP version, a three-digit status code "
        "and a reason phrase",
        "状态行 'HTTP/1.1 2OO OK' 不是“HTTP 版本、三位数字的状态码、原因短语”的形式",
    ),
    "below-100": (
        b"HTTP/1.1 099 Early\r\n\r\n",
        "the status line 'HTTP/1.1 099 Early' has a status code below 100",
        "状态行 'HTTP/1.1 099 Early' 的状态码小于 100",
    ),
    "no-colon": (
        OK + b"This header has no colon\r\nContent-Length: 3\r\n\r\nok\n",
        "the line 'This header has no colon' is not a header field (name: value)",
        "'This header has no colon' 这一行不是标头字段（name: value）",
    ),
    "not-ascii": (
        OK + b"X-Caf\xc3\xa9 yes\r\n\r\n",
        "the line 'X-Caf\\xc3\\xa9 yes' is not a header field (name: value)",
        "'X-Caf\\xc3\\xa9 yes' 这一行不是标头字段（name: value）",
    ),
    "fold-first": (
        OK + b"  folded\r\nContent-Length: 3\r\n\r\nok\n",
        "the first header line '  folded' starts with a space or a tab, as if it continued a "
        "line before it",
        "第一行标头 '  folded' 以空格或制表符开头，好像在接续它前面的一行",
    ),
    "two-lengths": (
        OK + b"Content-Length: 3\r\nContent-Length: 4\r\n\r\nok\n",
        "the head's Content-Length fields disagree: '3', '4'",
        "头部的几个 Content-Length 字段互相矛盾：'3'、'4'",
    ),
    "length-abc": (
        OK + b"Content-Length: abc\r\n\r\nhello\n",
        "Content-Length 'abc' is not a number of bytes",
        "Content-Length 'abc' 不是一个字节数",
    ),
    "length-long": (
        OK + b"Content-Length: " + b"9" * 25 + b"\r\n\r\nhello\n",
        f"Content-Length '{'9' * 25}' is too long a number",
        f"Content-Length '{'9' * 25}' 这个数字太长了",
    ),
    "two-codings": (
        OK + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "the head has more than one Transfer-Encoding field: 'chunked', 'chunked'",
        "头部有不止一个 Transfer-Encoding 字段：'chunked'、'chunked'",
    ),
    "coding-foo": (
        OK + b"Transfer-Encoding: foo\r\n\r\nhello\n",
        "Transfer-Encoding 'foo' names a coding other than chunked, the only one the gateway "
        "decodes",
        "Transfer-Encoding 'foo' 指定的编码不是 chunked，而网关只能解码 chunked",
    ),
    "unasked-101": (
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
        "the upstream answered 101 Switching Protocols to a request that proposed no protocol "
        "to switch to (no Upgrade field)",
        "上游以 101 Switching Protocols 响应了一个并未提议切换协议的请求（请求里没有 Upgrade 字段）",
    ),
    "empty-line": (
        b"\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n",
        "the response starts with an empty line, not with a status line",
        "响应以空行开头，而不是以状态行开头",
    ),
    "tls": (
        b"\x16\x03\x01\x00\x2a\x02\x00\x00\x26\x03\x03",
        "the response starts with '\\x16\\x03\\x01\\x00*\\x02\\x00\\x00&\\x03\\x03', not with a "
        "status line",
        "响应以 '\\x16\\x03\\x01\\x00*\\x02\\x00\\x00&\\x03\\x03' 开头，而不是以状态行开头",
    ),
}

# a body h11 refuses after a good head: (bytes, the English, the Chinese)
BODIES = {
    "short": (
        OK + b"Content-Length: 100\r\n\r\n0123456789",
        "the upstream closed the connection after 10 of the 100 bytes its Content-Length announced",
        "上游在发送了 Content-Length 宣告的 100 字节中的 10 字节之后关闭了连接",
    ),
    "chunk-size": (
        OK + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
        "the chunk size line 'zz' is not a hexadecimal number",
        "块大小行 'zz' 不是十六进制数字",
    ),
    "chunk-end": (
        OK + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
        "a chunk's data is not followed by CRLF",
        "一个块的数据后面没有紧跟 CRLF",
    ),
    "chunk-cut": (
        OK + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhel",
        "the upstream closed the connection inside a chunked body",
        "上游在分块（chunked）正文的中途关闭了连接",
    ),
    "size-cut": (  # inside a chunk size line: h11 words it otherwise
        CHUNKED + b"3",
        "the upstream closed the connection inside a chunked body",
        "上游在分块（chunked）正文的中途关闭了连接",
    ),
    "trailer-line": (
        CHUNKED + b"0\r\nNo colon here\r\n\r\n",
        "the line 'No colon here' in the trailer is not a field (name: value)",
        "尾部字段中的 'No colon here' 这一行不是字段（name: value）",
    ),
    "trailer-fold": (
        CHUNKED + b"0\r\n  folded\r\n\r\n",
        "the trailer's first line starts with a space or a tab, as if it continued a line "
        "before it",
        "尾部字段的第一行以空格或制表符开头，好像在接续它前面的一行",
    ),
    "trailer-length": (
        CHUNKED + b"0\r\nContent-Length: abc\r\n\r\n",
        "a Content-Length field in the trailer is not a number of bytes",
        "尾部字段中的 Content-Length 不是一个字节数",
    ),
    "trailer-lengths": (
        CHUNKED + b"0\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        "the Content-Length fields in the trailer disagree",
        "尾部字段中的几个 Content-Length 互相矛盾",
    ),
    "trailer-coding": (
        CHUNKED + b"0\r\nTransfer-Encoding: gzip\r\n\r\n",
        "a Transfer-Encoding field in the trailer names a coding other than chunked",
        "尾部字段中的 Transfer-Encoding 指定的编码不是 chunked",
    ),
    "trailer-codings": (
        CHUNKED + b"0\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
        "the trailer has more than one Transfer-Encoding field",
        "尾部字段中有不止一个 Transfer-Encoding",
    ),
    "endless-line": (  # a chunk size line longer than h11 holds of one (MAX_ANY_HEAD)
        CHUNKED + b"f" * (MAX_ANY_HEAD + 1),
        f"a line of the chunked body (a chunk size or a trailer field) did not end within "
        f"{MAX_ANY_HEAD} bytes",
        f"分块（chunked）正文中的一行（块大小或尾部字段）在 {MAX_ANY_HEAD} 字节之内没有结束",
    ),
}

# Every complaint h11 makes (the message of each ProtocolError it raises, read from its source
# up to the first value it fills in), and where the walk above sends bytes that make it, or
# why no response over a socket can: an h11 that words one anew, or adds one, fails
# test_every_complaint_h11_makes_is_walked rather than showing its English on a lab's page.
H11_WALKED = {
    # in a response head (HEADS)
    "illegal request line": ("tls",),  # h11's word for a first byte no line can start with
    "no response line received": ("empty-line",),
    "illegal status line: ": ("status-line",),
    "InformationalResponse status_code should be in range [100, 200), not ": ("below-100",),
    "Received server _SWITCH_UPGRADE event without a pending proposal": ("unasked-101",),
    # in a head, and in the trailer after a chunked body (BODIES)
    "illegal header line: ": ("no-colon", "not-ascii", "trailer-line"),
    "continuation line at start of headers": ("fold-first", "trailer-fold"),
    "conflicting Content-Length headers": ("two-lengths", "trailer-lengths"),
    "bad Content-Length": ("length-abc", "length-long", "trailer-length"),
    "multiple Transfer-Encoding headers": ("two-codings", "trailer-codings"),
    "Only Transfer-Encoding: chunked is supported": ("coding-foo", "trailer-coding"),
    # in a body
    "peer closed connection without sending complete message body (received ": ("short",),
    "peer closed connection without sending complete message body (incomplete chunked read)": (
        "chunk-cut",
    ),
    "peer unexpectedly closed connection": ("size-cut",),  # in a head: said by _eof_detail
    "illegal chunk header: ": ("chunk-size",),
    "malformed chunk footer: ": ("chunk-end",),
    "Receive buffer too long": ("endless-line",),  # in a head the gateway's limit comes first
}

# the complaints none of a response's bytes can make, and why
H11_NOT_FROM_A_RESPONSE = {
    "Response status_code should be in range [200, 1000), not ": "a status line has 3 digits",
    "can't handle event type ": "a close before the head is said by what arrived (_eof_detail)",
    "Can't receive data when peer state is ERROR": "the gateway reads no more after an error",
    "Got data when expecting EOF": "the gateway reads no more after a response's end",
    "Illegal header name ": "checked only in fields h11 did not parse itself",
    "Illegal header value ": "checked only in fields h11 did not parse itself",
    "status code must be integer": "an event the gateway makes",
    "not in a reusable state. self.states=": "the gateway reuses only a finished connection",
    "Can't send data when our state is ERROR": "sending",
    "Content-Length and trailers don't mix": "sending",
    "Too little data for declared Content-Length": "sending",
    "Too much data for declared Content-Length": "sending",
    "I only send HTTP/1.1": "sending",
    "can't send trailers to HTTP/1.0 client": "sending",
    "Missing mandatory Host: header": "a request's",
    "Found multiple Host: headers": "a request's",
    "Illegal method characters": "a request's",
    "Illegal target characters": "a request's",
    "illegal request line: ": "a request's",
    "no request line received": "a request's",
}


def _h11_complaints() -> set[str]:
    """The message of every ProtocolError h11's source raises (directly or through its
    ``validate``), up to the first value it fills in."""

    def said(node: ast.expr) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value.split("{")[0]
        if isinstance(node, ast.JoinedStr):
            lead = itertools.takewhile(lambda p: isinstance(p, ast.Constant), node.values)
            return "".join(str(p.value) for p in lead if isinstance(p, ast.Constant))
        if isinstance(node.func if isinstance(node, ast.Call) else None, ast.Attribute):
            assert isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            return said(node.func.value) if node.func.attr == "format" else None
        return None

    found = set()
    for path in Path(h11.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name in ("LocalProtocolError", "RemoteProtocolError") and node.args:
                message = said(node.args[0])
            elif name == "validate" and len(node.args) >= 3:
                message = said(node.args[2])
            else:
                continue
            if message:  # a message passed on by name (validate's own raise) is counted there
                found.add(message)
    return found


def test_every_complaint_h11_makes_is_walked() -> None:
    found, known = _h11_complaints(), {*H11_WALKED, *H11_NOT_FROM_A_RESPONSE}
    new, gone = sorted(found - known), sorted(known - found)
    assert not new and not gone, (
        f"h11 {h11.__version__} makes complaints this walk does not know: {new}; and no longer "
        f"makes: {gone}. Send bytes that make each new one (HEADS, BODIES), give it the lab's "
        "words in labkit/http/complaints.py, and list it in H11_WALKED"
    )
    walked = [case for cases in H11_WALKED.values() for case in cases]
    assert sorted(walked) == sorted({*HEADS, *BODIES}), "each case stands for one complaint"


@pytest.mark.parametrize(
    ("complaint", "case"), [(c, case) for c, cases in H11_WALKED.items() for case in cases]
)
def test_each_case_of_the_walk_makes_the_complaint_it_stands_for(complaint: str, case: str) -> None:
    """The bytes of each case make the complaint H11_WALKED lists it under, read by h11 alone
    as the gateway's connection reads them: the walk cannot drift from what it stands for."""
    data = (HEADS.get(case) or BODIES[case])[0]
    conn = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_ANY_HEAD)
    conn.send(h11.Request(method="GET", target="/", headers=[("Host", "lab")]))
    conn.send(h11.EndOfMessage())
    conn.receive_data(data)
    conn.receive_data(b"")
    with pytest.raises(h11.RemoteProtocolError) as raised:
        while conn.next_event() not in (h11.NEED_DATA, h11.PAUSED):
            pass
    assert str(raised.value).startswith(complaint), str(raised.value)


class Sender:
    """An upstream on a real socket that reads a request's head, sends ``data``, closes."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    head += chunk
                conn.sendall(self.data)

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def route(lab: labkit.Lab) -> Iterator[object]:
    senders: list[Sender] = []

    def add(name: str, data: bytes) -> str:
        sender = Sender(data)
        senders.append(sender)
        prefix = f"/sent-{name}/"
        target = Target(name, "127.0.0.1", sender.port)
        lab.gateway.add_route(Route(prefix, name, [target], Timeouts(2.0, 5.0)))
        return prefix

    yield add
    for sender in senders:
        sender.close()


@pytest.mark.parametrize("name", HEADS)
def test_an_invalid_head_is_described_in_the_pages_language(
    lab: labkit.Lab, route, name: str
) -> None:
    data, english, chinese = HEADS[name]
    path = route(name, data)
    en = lab.get(path)
    assert en.status == 502, en.text
    assert f"What it observed: {english}.\n" in en.text, en.text
    escaped = english.replace("\\", "\\\\")  # an sf-string escapes its backslashes
    assert f'details="{escaped}"' in en.header("Proxy-Status")
    zh = lab.get(path, headers=ZH)
    assert f"它观察到的情况：{chinese}。\n" in zh.text, zh.text
    for text in (en.text, zh.text):  # neither h11's words nor Python's repr of the bytes
        assert "bytearray" not in text and "b'" not in text, text
        assert not [c for c in H11_WALKED if c in text], text


@pytest.mark.parametrize("name", BODIES)
def test_a_broken_body_is_described_in_the_panels_language(
    lab: labkit.Lab, route, name: str
) -> None:
    data, english, chinese = BODIES[name]
    ex = lab.get(route(name, data))
    assert ex.status == 200  # the head was relayed before the body broke
    sent = next(h.sent for h in ex.hops if h.label == "gateway" and h.sent)
    # one aside, the complaint in it: "(body cut off: the upstream's body ended early (the
    # upstream closed ...))" set parentheses inside parentheses until December 2026
    assert str(sent.summary) == f"200 OK (body cut off: {english})"
    assert i18n.render(sent.summary, "zh-CN") == f"200 OK（正文被截断：{chinese}）"
    assert not [c for c in H11_WALKED if c in str(sent.summary)], sent.summary


def test_a_protocol_switch_the_upstream_accepted_is_said_in_words() -> None:
    """An upstream that accepts a protocol switch the request proposed (101 to its Upgrade):
    the gateway's observation said "unexpected PAUSED", h11's event as Python shows it, in
    both languages until December 2026. No upstream behind the lab's gateway can make it (the
    gateway never passes Upgrade on), so this drives the gateway's upstream connection itself,
    over a real socket, with a request that proposes the switch."""
    sender = Sender(
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
    )
    request = h11.Request(
        method="GET",
        target="/",
        headers=[("Host", "lab"), ("Upgrade", "websocket"), ("Connection", "Upgrade")],
    )

    async def exchange() -> UpstreamFailure:
        pool = Pool()
        conn = await pool.connect("127.0.0.1", sender.port, 2.0)
        try:
            await conn.exchange(request, b"", 2.0)
        except UpstreamFailure as failure:
            return failure
        finally:
            conn.close()
            pool.close()
        raise AssertionError("the 101 was taken as a response")

    try:
        failure = asyncio.run(exchange())
    finally:
        sender.close()
    assert str(failure.detail) == (
        "the upstream switched the connection to another protocol (101 Switching Protocols), "
        "and the gateway opens no tunnel"
    )
    assert i18n.render(failure.detail, "zh-CN") == (
        "上游把连接切换到了另一种协议（101 Switching Protocols），而网关不建立隧道"
    )
