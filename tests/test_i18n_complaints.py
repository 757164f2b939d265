"""What the gateway observed about an invalid response, said in the page's language.

The 502 pages quoted h11's English complaint with Python's repr ("无效的响应：illegal status
line: bytearray(b'HTTP/1.1 2OO OK')", "bad Content-Length") in both languages until December
2026 (labkit/http/complaints.py). Each response here is sent by a real upstream on a real
socket, read by the lab's gateway, and the page is fetched in English and in Chinese."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator

import pytest

import labkit
from labkit import i18n
from labkit.proxy import Route, Target, Timeouts

ZH = {"Accept-Language": "zh-CN"}
OK = b"HTTP/1.1 200 OK\r\n"

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
}


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
        assert not re.search(r"illegal|Only Transfer|bad Content|conflicting|received", text)


@pytest.mark.parametrize("name", BODIES)
def test_a_broken_body_is_described_in_the_panels_language(
    lab: labkit.Lab, route, name: str
) -> None:
    data, english, chinese = BODIES[name]
    ex = lab.get(route(name, data))
    assert ex.status == 200  # the head was relayed before the body broke
    sent = next(h.sent for h in ex.hops if h.label == "gateway" and h.sent)
    assert str(sent.summary) == (
        f"200 OK (body cut off: the upstream's body ended early ({english}))"
    )
    assert i18n.render(sent.summary, "zh-CN") == (
        f"200 OK（正文被截断：上游的正文提前结束了（{chinese}））"
    )
