"""Requests and responses as the lab's servers see them (no I/O here)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from urllib.parse import parse_qs, urlsplit

from labkit.http.headend import head_end
from labkit.i18n import Text
from labkit.record import Record

Headers = list[tuple[str, str]]


# The reason phrases of the statuses the lab's own servers make, as RFC 9110 15 names them
# (Python 3.10-3.12's http.HTTPStatus spells them so too, but 413, which RFC 9110 15.5.14
# renamed "Content Too Large" and 3.13 follows; nginx 1.22 still sends RFC 7231's "Request
# Entity Too Large", docs/gateways.md's direct rows, and the lab's 413 is its own in every
# personality; and 414, "URI Too Long" since RFC 7231, which Python still calls RFC 2616's
# "Request-URI Too Long"): one table here, so that a lab never imports the http package for
# them (0.6 ms of each fresh process's start, 200 labs in 200 processes pay it 200 times).
REASONS = {
    100: "Continue",
    101: "Switching Protocols",
    200: "OK",
    204: "No Content",
    304: "Not Modified",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    413: "Content Too Large",
    414: "URI Too Long",
    422: "Unprocessable Content",
    426: "Upgrade Required",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
    505: "HTTP Version Not Supported",
    511: "Network Authentication Required",
}


def reason_for(status: int) -> str:
    """A status's reason phrase; any other status than the lab's own (a learner's handler may
    choose one) is looked up in the standard library's registry when first met."""
    phrase = REASONS.get(status)
    if phrase is not None:
        return phrase
    import http

    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def decoded(fields: Sequence[tuple[bytes, bytes]]) -> Headers:
    """An h11 event's headers as text: lowercased names and values, decoded as latin-1 (so
    that a byte goes back as the same byte).

    Read through h11's public ``Headers.raw_items()`` (one list, built in one pass), each name
    lowercased as h11 lowercases it (``bytes.lower``): going through its Sequence interface
    costs a Python call per field (``__getitem__``, 2.4 us for 8 fields against 1.7 us), and
    the list inside it (``_full_items``, 1.1 us) is h11's own, which any release may rename.
    """
    raw = getattr(fields, "raw_items", None)
    if raw is not None:
        return [(name.lower().decode("latin-1"), value.decode("latin-1")) for name, value in raw()]
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, value in fields]


def decoded_as_sent(fields: Sequence[tuple[bytes, bytes]]) -> Headers:
    """As ``decoded``, with each name as the sender wrote it (h11 keeps it beside the
    lowercased one, ``raw_items()``): what a proxy relays keeps the upstream's case (RFC 9110
    5.1 makes names case-insensitive; nginx passes them on as they came)."""
    raw = getattr(fields, "raw_items", None)
    items = raw() if raw is not None else fields
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, value in items]


def get_header(headers: Headers, name: str) -> str | None:
    """The first value of the field ``name`` (any case), or None.

    A field's name is lowered only when it is as long as ``name``: a name in any case equal
    to an ASCII one is as long as it (the one character whose lower case is longer, U+0130,
    lowers to more than ASCII), so no other can match. A relayed response's seven fields,
    asked for its Cache-Control on each GET, were each lowered to find none. A name already
    as asked (the lab's own fields, and most clients') is not lowered at all."""
    lname = name.lower()
    if lname.isascii():
        size = len(lname)
        for key, value in headers:
            if len(key) == size and (key == lname or key.lower() == lname):
                return value
        return None
    for key, value in headers:
        if key.lower() == lname:
            return value
    return None


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def http_date(timestamp: float | None = None) -> str:
    """IMF-fixdate (RFC 9110 5.6.7), "Sun, 06 Nov 1994 08:49:37 GMT": English names
    whatever the locale, and without importing the email package for it. The current
    date is made once a second, as nginx does, not once a response."""
    global _now
    if timestamp is not None:
        return _imf_fixdate(timestamp)
    second = int(time.time())
    now = _now
    if now[0] != second:
        _now = now = (second, _imf_fixdate(second))
    return now[1]


def _imf_fixdate(timestamp: float) -> str:
    t = time.gmtime(timestamp)
    return (
        f"{_DAYS[t.tm_wday]}, {t.tm_mday:02d} {_MONTHS[t.tm_mon - 1]} {t.tm_year} "
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} GMT"
    )


_now = (-1, "")  # the second of the last current date made, and that date


def parse_response(data: bytes) -> tuple[int | None, str, Headers, bytes]:
    """Read a response head leniently (for display: the bytes may be anything). Its lines
    end where h11 ends them (``headend``), with or without a CR: split at CRLF alone, an
    answer in bare LFs, which the gateway reads and relays, showed as having no status line."""
    ended = head_end(data)
    if ended is None:
        return None, "", [], data
    head, body = data[: ended[0]], data[ended[1] :]
    lines = [line.removesuffix(b"\r") for line in head.split(b"\n")]
    parts = lines[0].split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
        return None, "", [], data
    headers = []
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if colon:
            headers.append((name.decode("latin-1").strip(), value.decode("latin-1").strip()))
    reason = parts[2].decode("latin-1") if len(parts) > 2 else ""
    return int(parts[1]), reason, headers, body


def read_response(data: bytes, method: str) -> tuple[int, str, Headers, bytes] | None:
    """The final response in ``data`` (a whole message, as a server wrote it in answer to
    ``method``) as an HTTP/1.1 client reads it: the status, the reason, the fields as sent,
    the body without its framing (a chunked body's chunks joined, none for a HEAD). None
    where ``data`` is not one whole response, so that a caller never shows part of one."""
    import h11

    conn = h11.Connection(h11.CLIENT)
    try:
        conn.send(h11.Request(method=method, target="/", headers=[("Host", "lab")]))
        conn.send(h11.EndOfMessage())
        conn.receive_data(data)
        conn.receive_data(b"")  # the server closed after it: a body read to the end is whole
        head: h11.Response | None = None
        body = bytearray()
        while True:
            event = conn.next_event()
            if isinstance(event, h11.Response):
                head = event
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, h11.EndOfMessage) and head is not None:
                reason = head.reason.decode("latin-1")
                return head.status_code, reason, decoded_as_sent(head.headers), bytes(body)
            elif not isinstance(event, h11.InformationalResponse):
                return None  # NEED_DATA, or closed before the message ended
    except h11.ProtocolError:
        return None


class Request(Record):
    __slots__ = (
        "body",
        "headers",
        "http_version",
        "method",
        "peer_port",
        "raw",
        "request_id",
        "target",
    )

    def __init__(
        self,
        method: str,
        target: str,
        http_version: str,
        headers: Headers,
        body: bytes = b"",
        raw: bytes = b"",
        request_id: str = "",
        peer_port: int | None = None,
    ) -> None:
        self.method = method
        self.target = target
        self.http_version = http_version
        self.headers = headers
        self.body = body
        self.raw = raw
        self.request_id = request_id
        self.peer_port = peer_port

    def header(self, name: str) -> str | None:
        return get_header(self.headers, name)

    def field(self, name: str) -> str | None:
        """The value of a list-based field (Accept-Language, Accept) as all its lines make
        it, joined in order by ", " (RFC 9110 5.3), or None. ``header`` reads the first line
        only: two lines "fr" and "zh-CN" were read as "fr" until December 2026."""
        lname = name.lower()
        values = [v for k, v in self.headers if len(k) == len(lname) and k.lower() == lname]
        return ", ".join(values) if values else None

    @property
    def path(self) -> str:
        return path_of(self.target)

    @property
    def query(self) -> dict[str, str]:
        try:
            query = urlsplit(self.target).query
        except ValueError:  # no URI: refused (requestcheck.check_target), and it has none
            return {}
        return {k: v[-1] for k, v in parse_qs(query).items()}

    def wants_html(self) -> bool:
        return "text/html" in (self.field("accept") or "")


def path_of(target: str) -> str:
    """A request target's path ("/" when it has none); a target that is no URI (a stray
    '[': ``requestcheck.check_target`` refuses it) as it came, so that the page refusing
    it can name it."""
    try:
        return urlsplit(target).path or "/"
    except ValueError:
        return target


class BodyCut(Exception):
    """Raised by a streamed body when its source broke off after the status was sent;
    ``detail`` says how (a catalogue message when a page may show it; ``str()``: English)."""

    def __init__(self, detail: Text) -> None:
        super().__init__(str(detail))
        self.detail = detail


class Response(Record):
    __slots__ = (
        "body",
        "close",
        "delay",
        "generated",
        "headers",
        "raw",
        "reason",
        "server",
        "status",
        "why",
    )

    def __init__(
        self,
        status: int,
        headers: Headers | None = None,
        body: bytes | AsyncIterator[bytes] = b"",
        reason: str = "",
        generated: bool = True,  # False when a gateway relays an upstream's response
        why: str = "",  # for the recording: why this status
        close: bool = False,
        raw: bytes | None = None,  # bytes written as they are (no status line of ours); then the
        # connection closes, or with close=False waits for the client to close (nginx's HTTP/0.9)
        server: bool = True,  # False: no Server header of ours (HAProxy's own pages carry none)
        delay: float | None = None,  # for the recording: seconds it was held back on purpose
    ) -> None:
        self.status = status
        self.headers: Headers = [] if headers is None else headers
        self.body = body
        self.reason = reason or reason_for(status)
        self.generated = generated
        self.why = why
        self.close = close
        self.raw = raw
        self.server = server
        self.delay = delay

    def header(self, name: str) -> str | None:
        return get_header(self.headers, name)
