"""Gateway personalities: what nginx, HAProxy, Envoy and Caddy send for each upstream condition.

Real gateways disagree: a refused connection is 502 at nginx and 503 at HAProxy;
nginx relays an upstream's garbage as a bare HTTP/0.9 body. Each personality is
one table, kept as data, from upstream condition to what that gateway sends, with
the observation it comes from (``../shared/gateways-observed.md``: nginx 1.22.1,
HAProxy 2.6.12 and Caddy 2.6.2 observed on loopback; Envoy from its documentation
and source). ``rfc`` is the lab's default, the RFC reading of ``conditions.RFC_TABLE``.
Lesson 09 (gateways disagree) shows them side by side.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from labkit.conditions import RFC_TABLE, Condition
from labkit.errors import unknown


@dataclass(frozen=True)
class Answer:
    """What a gateway sends for one condition.

    kind "page": its own error page with ``status`` and ``reason``;
    kind "http09": the upstream's raw bytes, no status line (nginx's HTTP/0.9 passthrough);
    kind "relay": the upstream's status and body, relayed although they are invalid;
    kind "cut": the status line was already relayed; the connection is closed mid-body.
    """

    kind: str
    status: int | None = None
    reason: str = ""
    log: str = ""  # what the gateway's own log says (its words), for lesson 09
    source: str = ""  # where the fact comes from


@dataclass(frozen=True)
class Personality:
    name: str
    title: str
    server: str  # the Server header on its own pages
    max_response_head: int  # bytes of upstream response head it accepts
    table: dict[Condition, Answer]
    pages: dict[int, tuple[str, bytes]] = field(default_factory=dict)  # status -> (type, body)

    def answer(self, condition: Condition) -> Answer:
        return self.table[condition]

    def page(self, status: int, reason: str) -> tuple[str, bytes]:
        """The error page this gateway writes for a status: (content type, body)."""
        if status in self.pages:
            return self.pages[status]
        return "text/plain; charset=utf-8", f"{status} {reason}\n".encode()


OBS = "gateways-observed.md row"


def _page(status: int, reason: str, log: str, source: str) -> Answer:
    return Answer("page", status, reason, log, source)


CUT = Answer(
    "cut",
    None,
    "",
    "the status line is already relayed; the connection is closed with the body cut off",
    f"{OBS}s 8-9 (nginx, HAProxy, Caddy: 200 with the body cut)",
)


def _nginx_page(status_line: str) -> tuple[str, bytes]:
    # ngx_http_special_response.c: these pages are byte for byte what nginx 1.22.1 sends
    body = (
        f"<html>\r\n<head><title>{status_line}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status_line}</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n"
        "</body>\r\n</html>\r\n"
    )
    return "text/html", body.encode()


def _haproxy_page(status_line: str, sentence: str) -> tuple[str, bytes]:
    # HAProxy 2.6's built-in error messages (http_err_msgs)
    return "text/html", f"<html><body><h1>{status_line}</h1>\n{sentence}\n</body></html>\n".encode()


RFC = Personality(
    name="rfc",
    title="the RFC reading (the lab's default)",
    server="labkit-gateway",
    max_response_head=8 * 1024,
    table={
        cond: (
            CUT if cond is Condition.BODY_CUT else _page(o.status or 502, "", o.explanation, o.rfc)
        )
        for cond, o in RFC_TABLE.items()
    },
)

NGINX = Personality(
    name="nginx",
    title="nginx 1.22.1 (proxy_pass)",
    server="nginx/1.22.1 (labkit-gateway)",
    max_response_head=8 * 1024,  # proxy_buffer_size: one memory page, 4 or 8 KB
    table={
        Condition.REFUSED: _page(
            502,
            "Bad Gateway",
            "connect() failed (111: Connection refused) while connecting to upstream",
            f"{OBS} 2",
        ),
        Condition.CONNECT_TIMEOUT: _page(
            504,
            "Gateway Time-out",
            "upstream timed out (110: Connection timed out) while connecting to upstream",
            f"{OBS} 26",
        ),
        Condition.CLOSED_WITHOUT_RESPONSE: _page(
            502,
            "Bad Gateway",
            "upstream prematurely closed connection while reading response header from upstream",
            f"{OBS} 4",
        ),
        Condition.RESET: _page(
            502,
            "Bad Gateway",
            "recv() failed (104: Connection reset by peer) while reading response header from "
            "upstream",
            f"{OBS}s 5, 7",
        ),
        Condition.HEADERS_CUT: _page(
            502,
            "Bad Gateway",
            "upstream prematurely closed connection while reading response header from upstream",
            f"{OBS} 6",
        ),
        Condition.INVALID_STATUS_LINE: Answer(
            "http09",
            None,
            "",
            "upstream sent no valid HTTP/1.0 header while reading response header from upstream "
            "(access.log status 009)",
            f"{OBS}s 3, 13, 23",
        ),
        Condition.INVALID_HEADER: _page(
            502,
            "Bad Gateway",
            'upstream sent invalid header: "This\\x20..." while reading response header from '
            "upstream",
            f"{OBS} 17",
        ),
        Condition.HEADER_TOO_BIG: _page(
            502,
            "Bad Gateway",
            "upstream sent too big header while reading response header from upstream",
            f"{OBS} 12",
        ),
        Condition.INVALID_CONTENT_LENGTH: Answer(
            "relay",
            200,
            "OK",
            "(nothing: 1.22 ignores the invalid Content-Length and reads to the close; 1.23 and "
            "later answer 502)",
            f"{OBS} 18 and the notes",
        ),
        Condition.INVALID_FRAMING: Answer(
            "relay",
            200,
            "OK",
            "(nothing: 1.22 relays an unknown Transfer-Encoding; 1.23 and later answer 502)",
            f"{OBS} 20 and the notes",
        ),
        Condition.READ_TIMEOUT: _page(
            504,
            "Gateway Time-out",
            "upstream timed out (110: Connection timed out) while reading response header from "
            "upstream",
            f"{OBS} 10",
        ),
        Condition.NO_HEALTHY_UPSTREAM: _page(
            502, "Bad Gateway", "no live upstreams while connecting to upstream", f"{OBS}s 28-29"
        ),
        Condition.BODY_CUT: CUT,
    },
    pages={
        502: _nginx_page("502 Bad Gateway"),
        503: _nginx_page("503 Service Temporarily Unavailable"),
        504: _nginx_page("504 Gateway Time-out"),
    },
)

HAPROXY = Personality(
    name="haproxy",
    title="HAProxy 2.6.12",
    server="labkit-gateway (haproxy personality)",
    max_response_head=16 * 1024,  # tune.bufsize
    table={
        Condition.REFUSED: _page(
            503, "Service Unavailable", "503 SC-- (server side, at connection: refused)", f"{OBS} 2"
        ),
        Condition.CONNECT_TIMEOUT: _page(
            503,
            "Service Unavailable",
            "503 sC-- (server-side timeout while connecting)",
            f"{OBS} 26",
        ),
        Condition.CLOSED_WITHOUT_RESPONSE: _page(
            502,
            "Bad Gateway",
            "502 SH-- (server aborted while the gateway waited for headers)",
            f"{OBS} 4",
        ),
        Condition.RESET: _page(
            502, "Bad Gateway", "502 SH-- (server aborted: reset)", f"{OBS}s 5, 7"
        ),
        Condition.HEADERS_CUT: _page(
            502, "Bad Gateway", "502 SH-- (server aborted mid-headers)", f"{OBS} 6"
        ),
        Condition.INVALID_STATUS_LINE: _page(
            502,
            "Bad Gateway",
            "502 PH-- (proxy blocked an invalid response: bad status line)",
            f"{OBS}s 3, 13",
        ),
        Condition.INVALID_HEADER: _page(
            502, "Bad Gateway", "502 PH-- (proxy blocked an invalid response header)", f"{OBS} 17"
        ),
        Condition.HEADER_TOO_BIG: _page(
            502, "Bad Gateway", "502 PH-- (response headers larger than tune.bufsize)", f"{OBS} 12"
        ),
        Condition.INVALID_CONTENT_LENGTH: _page(
            502, "Bad Gateway", "502 PH-- (invalid Content-Length)", f"{OBS} 18"
        ),
        Condition.INVALID_FRAMING: _page(
            502, "Bad Gateway", "502 PH-- (unknown Transfer-Encoding)", f"{OBS} 20"
        ),
        Condition.READ_TIMEOUT: _page(
            504,
            "Gateway Time-out",
            "504 sH-- (server-side timeout while waiting for headers)",
            f"{OBS} 10",
        ),
        Condition.NO_HEALTHY_UPSTREAM: _page(
            503,
            "Service Unavailable",
            "503 SC-- (no server available: backend has no usable server)",
            "gateways-observed.md, HAProxy rows marked +",
        ),
        Condition.BODY_CUT: CUT,
    },
    pages={
        502: _haproxy_page(
            "502 Bad Gateway", "The server returned an invalid or incomplete response."
        ),
        503: _haproxy_page(
            "503 Service Unavailable", "No server is available to handle this request."
        ),
        504: _haproxy_page("504 Gateway Time-out", "The server didn't respond in time."),
    },
)

_ENVOY_DOCS = "Envoy docs: access log response flags"

ENVOY = Personality(
    name="envoy",
    title="Envoy (from its documentation, not observed here)",
    server="envoy (labkit-gateway)",
    max_response_head=60 * 1024,  # max_response_headers_kb default
    table={
        Condition.REFUSED: _page(
            503, "Service Unavailable", "503 UF (upstream connection failure)", _ENVOY_DOCS
        ),
        Condition.CONNECT_TIMEOUT: _page(
            503, "Service Unavailable", "503 UF (upstream connection failure)", _ENVOY_DOCS
        ),
        Condition.CLOSED_WITHOUT_RESPONSE: _page(
            503, "Service Unavailable", "503 UC (upstream connection termination)", _ENVOY_DOCS
        ),
        Condition.RESET: _page(
            503, "Service Unavailable", "503 UR (upstream remote reset)", _ENVOY_DOCS
        ),
        Condition.HEADERS_CUT: _page(
            503, "Service Unavailable", "503 UC (upstream connection termination)", _ENVOY_DOCS
        ),
        Condition.INVALID_STATUS_LINE: _page(
            502, "Bad Gateway", "502 UPE (upstream protocol error)", _ENVOY_DOCS
        ),
        Condition.INVALID_HEADER: _page(
            502, "Bad Gateway", "502 UPE (upstream protocol error)", _ENVOY_DOCS
        ),
        Condition.HEADER_TOO_BIG: Answer(
            "relay",
            200,
            "OK",
            "(nothing: 20 KB is under max_response_headers_kb, 60 KiB by default)",
            "Envoy docs: HTTP protocol options",
        ),
        Condition.INVALID_CONTENT_LENGTH: _page(
            502, "Bad Gateway", "502 UPE (upstream protocol error)", _ENVOY_DOCS
        ),
        Condition.INVALID_FRAMING: _page(
            502, "Bad Gateway", "502 UPE (upstream protocol error)", _ENVOY_DOCS
        ),
        Condition.READ_TIMEOUT: _page(
            504, "Gateway Timeout", "504 UT (upstream request timeout)", _ENVOY_DOCS
        ),
        Condition.NO_HEALTHY_UPSTREAM: _page(
            503, "Service Unavailable", "503 UH (no healthy upstream)", _ENVOY_DOCS
        ),
        Condition.BODY_CUT: CUT,
    },
    pages={
        502: (
            "text/plain",
            b"upstream connect error or disconnect/reset before headers. "
            b"reset reason: protocol error",
        ),
        503: (
            "text/plain",
            b"upstream connect error or disconnect/reset before headers. "
            b"reset reason: connection failure",
        ),
        504: ("text/plain", b"upstream request timeout"),
    },
)

CADDY = Personality(
    name="caddy",
    title="Caddy 2.6.2 (reverse_proxy, Go net/http)",
    server="Caddy (labkit-gateway)",
    max_response_head=1024 * 1024,
    table={
        Condition.REFUSED: _page(
            502, "Bad Gateway", "dial tcp: connect: connection refused", f"{OBS} 2"
        ),
        Condition.CONNECT_TIMEOUT: _page(502, "Bad Gateway", "dial tcp: i/o timeout", f"{OBS} 26"),
        Condition.CLOSED_WITHOUT_RESPONSE: _page(
            502, "Bad Gateway", "upstream roundtrip: EOF", f"{OBS} 4"
        ),
        Condition.RESET: _page(
            502, "Bad Gateway", "read: connection reset by peer", f"{OBS}s 5, 7"
        ),
        Condition.HEADERS_CUT: _page(
            502,
            "Bad Gateway",
            "net/http: HTTP/1.x transport connection broken: unexpected EOF",
            f"{OBS} 6",
        ),
        Condition.INVALID_STATUS_LINE: _page(
            502,
            "Bad Gateway",
            "net/http: HTTP/1.x transport connection broken: malformed HTTP status",
            f"{OBS}s 3, 13",
        ),
        Condition.INVALID_HEADER: _page(
            502,
            "Bad Gateway",
            "net/http: HTTP/1.x transport connection broken: malformed MIME header",
            f"{OBS} 17",
        ),
        Condition.HEADER_TOO_BIG: Answer(
            "relay", 200, "OK", "(nothing: Go accepts headers up to 1 MB)", f"{OBS} 12"
        ),
        Condition.INVALID_CONTENT_LENGTH: _page(
            502,
            "Bad Gateway",
            'net/http: HTTP/1.x transport connection broken: bad Content-Length "abc"',
            f"{OBS} 18",
        ),
        Condition.INVALID_FRAMING: _page(
            502,
            "Bad Gateway",
            "net/http: HTTP/1.x transport connection broken: unsupported transfer encoding",
            f"{OBS} 20",
        ),
        Condition.READ_TIMEOUT: _page(
            504, "Gateway Timeout", "net/http: timeout awaiting response headers", f"{OBS} 10"
        ),
        Condition.NO_HEALTHY_UPSTREAM: _page(
            503,
            "Service Unavailable",
            "no upstreams available",
            "gateways-observed.md, Caddy row marked +",
        ),
        Condition.BODY_CUT: CUT,
    },
    pages={502: ("text/plain", b""), 503: ("text/plain", b""), 504: ("text/plain", b"")},
)

PERSONALITIES: dict[str, Personality] = {p.name: p for p in (RFC, NGINX, HAPROXY, ENVOY, CADDY)}


def get(name: str) -> Personality:
    """The personality of that name, in any case ("HAProxy" is "haproxy")."""
    key = name.strip().lower() if isinstance(name, str) else name
    if key not in PERSONALITIES:
        raise unknown("gateway personality", name, PERSONALITIES)
    return PERSONALITIES[key]
