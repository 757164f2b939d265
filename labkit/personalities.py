"""Gateway personalities: what nginx, HAProxy, Envoy and Caddy send for each upstream condition.

Real gateways disagree: a refused connection is 502 at nginx and 503 at HAProxy;
nginx relays an upstream's garbage as a bare HTTP/0.9 body. Each personality is
data: one table from upstream condition to what that gateway sends, and the
headers a learner reads (its own pages' headers, what it does to a relayed
``Server``, ``Via`` and 426 ``Upgrade``, how large a response head it accepts),
every row with the observation it comes from. nginx 1.22.1, HAProxy 2.6.12 and
Caddy 2.6.2 (Debian 12 packages) were observed on loopback in front of the lab's
own upstreams with the configs in ``tests/gateways/``;
``tests/test_real_gateways.py`` re-runs those observations against the real
servers, and ``docs/gateways.md`` is generated from these tables
(``tools/gateways_doc.py``). Envoy comes from its documentation and source.
``rfc`` is the lab's default, its own reading of the RFCs (``conditions.RFC_TABLE``); it
alone sends ``Proxy-Status`` (RFC 9209), which none of the real three sends by
default. Lesson 09 (gateways disagree) shows them side by side.
"""

from __future__ import annotations

import enum
import os
from typing import TYPE_CHECKING, Literal

from labkit import i18n
from labkit.conditions import RFC_TABLE, Condition
from labkit.errors import unknown
from labkit.i18n import Msg
from labkit.record import FrozenRecord

# An address to which Linux refuses a TCP connection at once with ENETUNREACH, whatever the
# machine's routes (tcp_v4_connect refuses a multicast destination): how the lab, its tests
# and the real gateways' observations meet the unreachable condition on a machine without
# a network
NO_ROUTE = "224.0.0.1"
# The errno the unreachable rows were observed with (NO_ROUTE, Linux's ENETUNREACH): their log
# lines and Envoy's body quote it in their server's words. A connect() that failed with another
# errno is told in the same words with its own (Answer.with_errno), as the real servers format
# the failure's errno into the line: nginx '(%d: %s)' with strerror, Go's syscall.Errno words
# (strerror's, first letter in lower case), Envoy strerror.
NO_ROUTE_ERRNO = (101, "Network is unreachable")


def _errno_forms(number: int, words: str) -> tuple[str, ...]:
    """An errno as the servers quote it: nginx's '(number: words)', then the words as
    strerror (Envoy) and as Go's syscall.Errno (Caddy) spell them."""
    return f"({number}: {words})", words, words[:1].lower() + words[1:]


class AnswerKind(str, enum.Enum):
    """What kind of answer a gateway gives for a condition (``Answer.kind``): declared once,
    so a misspelt kind in a table or a comparison is mypy's error, not a silent page."""

    PAGE = "page"  # its own error page with ``status`` and ``reason``
    # the upstream's raw bytes and no status line of its own (nginx's HTTP/0.9 passthrough;
    # bytes that start with a malformed status line keep it)
    HTTP09 = "http09"
    RELAY = "relay"  # the upstream's status and body, relayed although they are invalid
    CUT = "cut"  # the status line was already relayed; the connection is closed mid-body

    def __str__(self) -> str:  # its word, as the tables and docs spell it, on every Python
        return str(self.value)


# What a personality does where gateways differ, each one of a few words, declared here once as
# a type: a misspelt word in a personality or in a comparison (``person.slow_client ==
# "clsoe"``) is mypy's error, not a branch never taken. Each is described in the Headers and
# Personality fields below and, in words, by tools/gateways_doc.py's table of the same name.
RelayedServer = Literal["keep", "replace", "both"]
RelayedUpgrade = Literal["drop", "keep", "keep-upgrade"]
RelayedCase = Literal["keep", "lower", "canonical"]
SlowClient = Literal["page", "close", ""]
OtherVersions = Literal["505", "505/400", "pass", ""]
Http10Upstream = Literal["1.1", "1.0"]
Asterisk = Literal["options", "pass", "400", "answer", ""]
MaxForwards = Literal["honour", "ignore", ""]
UpstreamInterim = Literal["skip", "final", "relay"]
RelayedReason = Literal["keep", "go"]
Relayed204Length = Literal["keep", "drop"]


# labkit's gloss of a log word, by its English: HAProxy's termination state and Envoy's
# response flag stay as the gateway logs them ("503 SC--"), the gloss in brackets after them is
# ours, said in the panel's language (GatewaysCompared's "why" column: lesson 09's Chinese table
# read "503 SC-- (server side, at connection: refused)" until December 2026)
GLOSSES = {
    msg.text: msg
    for msg in (
        Msg("server side, at connection: refused", context="log"),
        Msg("server side, at connection: no route", context="log"),
        Msg("server-side timeout while connecting", context="log"),
        Msg("server aborted while the gateway waited for headers", context="log"),
        Msg("server aborted: reset", context="log"),
        Msg("server aborted mid-headers", context="log"),
        Msg("proxy blocked an invalid response: bad status line", context="log"),
        Msg("proxy blocked an invalid response header", context="log"),
        Msg("response headers larger than tune.bufsize", context="log"),
        Msg("invalid Content-Length", context="log"),
        Msg("unknown Transfer-Encoding", context="log"),
        Msg("server-side timeout while waiting for headers", context="log"),
        Msg("no server available: backend has no usable server", context="log"),
        Msg("proxy blocked an invalid response: a 101 not asked for", context="log"),
        Msg("upstream connection failure", context="log"),
        Msg("upstream connection termination", context="log"),
        Msg("upstream remote reset", context="log"),
        Msg("upstream protocol error", context="log"),
        Msg("upstream request timeout", context="log"),
        Msg("no healthy upstream", context="log"),
    )
}
GLOSSED = r"(\d{3} [A-Za-z-]+) \((.+)\)"  # "503 SC-- (server side, ...)": a log word, its gloss
_LOG_WORD = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-")


def glossed(log: str) -> str:
    """``log`` as an Answer keeps it: a log word with a gloss in GLOSSES as an ``i18n.Said``
    (its English as written, its gloss said in a panel's language); any other line (nginx's
    and Caddy's own words) as it is.

    What ``re.fullmatch(GLOSSED, log)`` finds, read with string methods (tests/test_i18n.py
    holds them to the pattern): compiling it was 0.44 M instructions of every lab's
    process, whose personalities' tables call this at import."""
    line, paren, rest = log.partition(" (")
    gloss = rest[:-1]
    if not paren or rest[-1:] != ")" or gloss not in GLOSSES:
        return log
    code, space, word = line.partition(" ")
    if not (space and len(code) == 3 and code.isdecimal() and word and _LOG_WORD.issuperset(word)):
        return log
    return i18n.Said(Msg("{line} ({gloss})", line=line, gloss=GLOSSES[gloss]))


class Answer(FrozenRecord):
    """What a gateway sends for one condition: an ``AnswerKind`` (a page of its own with
    ``status`` and ``reason``, the upstream's bytes as HTTP/0.9, its status relayed, or a
    body cut), the gateway's log line and where the fact comes from."""

    __slots__ = ("body", "kind", "log", "reason", "source", "status")
    kind: AnswerKind
    status: int | None
    reason: str
    log: str  # what the gateway's own log says (its words), for lesson 09
    source: str  # where the fact comes from
    body: bytes | None  # this condition's own page body, where it differs per condition

    def __init__(
        self,
        kind: AnswerKind,
        status: int | None = None,
        reason: str = "",
        log: str = "",
        source: str = "",
        body: bytes | None = None,
    ) -> None:
        set_ = object.__setattr__
        set_(self, "kind", kind)
        set_(self, "status", status)
        set_(self, "reason", reason)
        set_(self, "log", glossed(log))
        set_(self, "source", source)
        set_(self, "body", body)

    @property
    def recorded(self) -> bool:
        """Whether a run or a document gives this answer (False: the lab's reading of the RFCs stands in,
        as for Envoy's answer to an unasked 101)."""
        return not self.source.startswith("not recorded")

    @property
    def empty_of_its_own(self) -> bool:
        """A 1xx-3xx page of the gateway's own with no body (Caddy's empty 200 to an unasked
        101): a bare status would read as the upstream's answer."""
        return self.kind is AnswerKind.PAGE and (self.status or 400) < 400 and self.body == b""

    def with_errno(self, number: int) -> Answer:
        """This answer for a connect() that failed with errno ``number``: where its log line or
        body quotes the errno it was observed with (NO_ROUTE_ERRNO), they quote ``number`` and
        its words instead, as the real server would have written them."""
        log, body = self.log, self.body
        for seen, own in zip(
            _errno_forms(*NO_ROUTE_ERRNO), _errno_forms(number, os.strerror(number)), strict=True
        ):
            if seen in log:
                log = log.replace(seen, own)
            if body is not None:
                body = body.replace(seen.encode(), own.encode())
        if log == self.log and body == self.body:
            return self
        return Answer(self.kind, self.status, self.reason, log, self.source, body)


class Headers(FrozenRecord):
    """What a gateway does to the headers a learner reads, each with its source.

    ``server``: the Server header on its own pages (None: it sends none).
    ``page_headers``: other headers on its own pages (besides Content-Length).
    ``relayed_server``: "keep" the upstream's, "replace" it with ``server``, or
    "both" (its own first, then the upstream's).
    ``relayed_date``: "keep" the upstream's ``Date``, or "replace" it with its own, the time
    it relays the response (nginx: proxy_hide_header's default hides an upstream's Date).
    ``via``: whether it adds ``Via`` to relayed responses (RFC 9110 7.6.3 makes that
    optional for gateways; none of nginx, HAProxy, Caddy does).
    ``relayed_upgrade``: on a relayed 426, "drop" Upgrade and Connection (RFC 9110 7.6.1;
    on any relayed response, every field Connection names goes with it),
    "keep" both (the upstream's Connection as the only one, no ``close`` added: HAProxy), or
    "keep-upgrade" (Upgrade kept; Connection is the gateway's own,
    keep-alive or close as the client asked).
    ``keeps_alive_after_http09``: after relaying non-HTTP bytes, it keeps the client's
    keep-alive connection open, so a client waits for the end (nginx), and it answers the
    next request on it.
    ``says_keep_alive``: it writes ``Connection: keep-alive`` on every response after
    which it keeps an HTTP/1.1 client's connection (nginx; HTTP/1.1 needs none, RFC 9112 9.3).
    ``relayed_case``: the case of a relayed response's header names: "keep" the
    upstream's (nginx), "lower" (HAProxy), or "canonical", Go's form (Caddy: ``X-Mixed-Case``);
    "lower" and "canonical" spell the names it writes itself the same way (its own pages,
    ``Connection``, the lab's ``X-Request-ID``: ``server.HTTPServer.spelling``).
    ``sends_date``: it writes ``Date`` on its own pages and on a relayed response that has
    none (RFC 9110 6.6.1 asks both of a server with a clock); HAProxy writes it on neither.
    ``head_length``: its answer to a HEAD of one of its own pages carries the page's
    ``Content-Length`` (RFC 9110 9.3.2: the fields a GET would get); Caddy (Go's net/http)
    sends none, which 9.3.2 allows.
    ``head_chunked``: its answer to a HEAD whose GET body would be chunked (an upstream's
    HEAD answer with ``Transfer-Encoding: chunked``, or a body it would stream without a
    length) says ``Transfer-Encoding: chunked`` (HAProxy relays its upstream's; RFC 9112 6.1
    allows it); nginx and Caddy send no framing field, as the lab's reading of the RFCs does.
    ``relayed_reason``: the reason phrase of a relayed response: "keep" the upstream's (nginx,
    HAProxy), or "go", the phrase Go's net/http has for the status (``go_reason``: Caddy
    writes ``500 Internal Server Error`` for an upstream's ``500 Oops``, ``600 status code 600``
    for a status Go has no phrase for).
    ``relayed_204_length``: an upstream's 204 with a ``Content-Length``: "keep" it (nginx), or
    "drop" it (HAProxy, Caddy, the lab's reading: RFC 9110 8.6 says a server MUST NOT send one
    in a 204, and to its client a gateway is the server).
    ``sources`` may also say, under ``close_delimited``, how the real server relays a body its
    upstream ends by closing, which the personalities do not imitate where they differ
    (docs/gateways.md's row of that name).
    """

    __slots__ = (
        "head_chunked",
        "head_length",
        "keeps_alive_after_http09",
        "page_headers",
        "relayed_204_length",
        "relayed_case",
        "relayed_date",
        "relayed_reason",
        "relayed_server",
        "relayed_upgrade",
        "says_keep_alive",
        "sends_date",
        "server",
        "sources",
        "via",
    )
    server: str | None
    page_headers: tuple[tuple[str, str], ...]
    relayed_server: RelayedServer
    via: bool
    relayed_upgrade: RelayedUpgrade
    keeps_alive_after_http09: bool
    relayed_case: RelayedCase
    says_keep_alive: bool
    sources: dict[str, str]
    sends_date: bool
    head_length: bool
    head_chunked: bool
    relayed_date: str
    relayed_reason: RelayedReason
    relayed_204_length: Relayed204Length

    def __init__(
        self,
        server: str | None,
        page_headers: tuple[tuple[str, str], ...],
        relayed_server: RelayedServer,
        via: bool,
        relayed_upgrade: RelayedUpgrade,
        keeps_alive_after_http09: bool,
        relayed_case: RelayedCase,
        says_keep_alive: bool,
        sources: dict[str, str],
        sends_date: bool = True,
        head_length: bool = True,
        head_chunked: bool = False,
        relayed_date: str = "keep",
        relayed_reason: RelayedReason = "keep",
        relayed_204_length: Relayed204Length = "drop",
    ) -> None:
        set_ = object.__setattr__
        set_(self, "server", server)
        set_(self, "page_headers", page_headers)
        set_(self, "relayed_server", relayed_server)
        set_(self, "via", via)
        set_(self, "relayed_upgrade", relayed_upgrade)
        set_(self, "keeps_alive_after_http09", keeps_alive_after_http09)
        set_(self, "relayed_case", relayed_case)
        set_(self, "says_keep_alive", says_keep_alive)
        set_(self, "sources", sources)
        set_(self, "sends_date", sends_date)
        set_(self, "head_length", head_length)
        set_(self, "head_chunked", head_chunked)
        set_(self, "relayed_date", relayed_date)
        set_(self, "relayed_reason", relayed_reason)
        set_(self, "relayed_204_length", relayed_204_length)


class Pooling(FrozenRecord):
    """Whether a gateway keeps upstream connections alive for the next request, and how.

    ``keepalive``: it reuses an upstream connection after a complete response (else it
    sends ``Connection: close`` and opens one per request). ``max_idle``: idle
    connections kept per upstream address (the least recently used goes first).
    ``idle_timeout``: seconds an idle one is kept. ``first_request_reuses``: whether the
    first request of a client connection may take an idle one (HAProxy's default
    'http-reuse safe' sends it on a connection of its own). A request that meets a kept
    connection the upstream has just closed is retried on a new connection only if its
    method is idempotent (RFC 9110 9.2.2), never a POST, as nginx and Caddy do; real
    HAProxy closes the client's connection without a response instead (``source`` says so).
    """

    __slots__ = ("first_request_reuses", "idle_timeout", "keepalive", "max_idle", "source")
    keepalive: bool
    max_idle: int
    idle_timeout: float
    source: str
    first_request_reuses: bool

    def __init__(
        self,
        keepalive: bool,
        max_idle: int,
        idle_timeout: float,
        source: str,
        first_request_reuses: bool = True,
    ) -> None:
        set_ = object.__setattr__
        set_(self, "keepalive", keepalive)
        set_(self, "max_idle", max_idle)
        set_(self, "idle_timeout", idle_timeout)
        set_(self, "source", source)
        set_(self, "first_request_reuses", first_request_reuses)


# The lab's pools keep idle connections 4 s, shorter than its servers' 5 s keep-alive
# (labkit.http.server.IDLE_TIMEOUT), so the gateway closes first and never sends on a
# connection its upstream is closing: the race the idle-close upstream provokes on purpose.
_LAB_IDLE = 4.0


class Personality(FrozenRecord):
    __slots__ = (
        "asterisk",
        "asterisk_source",
        "headers",
        "http10_upstream",
        "http10_upstream_source",
        "label",
        "max_forwards",
        "max_forwards_source",
        "max_response_head",
        "max_response_head_source",
        "name",
        "other_versions",
        "other_versions_source",
        "pages",
        "pooling",
        "proxy_status",
        "slow_client",
        "slow_client_reason",
        "slow_client_source",
        "table",
        "untimed",
        "untimed_source",
        "upstream_interim",
        "upstream_interim_source",
    )
    name: str
    # its name in words (a Msg: a playground shows it in the lab's language); ``title`` is
    # its English, which the gateway's log lines, docs/gateways.md and scripts read
    label: Msg
    headers: Headers
    max_response_head: int  # bytes of upstream response head it accepts
    max_response_head_source: str
    pooling: Pooling  # keep-alive to upstreams (the lab's idle times are its own)
    table: dict[Condition, Answer]
    pages: dict[int, tuple[str | None, bytes]]  # status -> page
    proxy_status: bool  # names itself and the error in Proxy-Status (RFC 9209)
    # A client that starts a request head and stops: "page" (a 408 page, then close),
    # "close" (closes without sending a byte), "" (not recorded: the lab sends its 408).
    slow_client: SlowClient
    slow_client_source: str
    slow_client_reason: str  # the 408's reason phrase, as its server writes it
    # A request line naming a major version other than 1 (GET / HTTP/2.0): "505" (the lab's
    # 505 page), "505/400" (505, but 400 for HTTP/0.9 with headers: nginx), "pass" (passed on
    # to the upstream, as HTTP/1.1, HTTP/0.9 as it came), "" (not recorded: the lab's 505).
    other_versions: OtherVersions
    other_versions_source: str
    # The request line's version an HTTP/1.0 client's request goes upstream with: "1.1" (the
    # lab's, whatever the client's), "1.0" (as it came, with 'Connection: keep-alive' where
    # the gateway keeps upstream connections: HAProxy).
    http10_upstream: Http10Upstream
    http10_upstream_source: str
    # A request for the server as a whole, the asterisk-form target (``OPTIONS *``, RFC 9112
    # 3.2.4): "options" (OPTIONS * passed on to the origin's route, another method with ``*``
    # refused with 400: the lab's reading of the RFCs), "pass" (any ``*`` passed on: HAProxy), "400" (any
    # ``*`` refused with its own 400 page, then close: nginx), "answer" (OPTIONS * answered
    # 200 with an empty body by the gateway itself, another method passed on: Caddy, Go's
    # net/http), "" (not recorded: as "options").
    asterisk: Asterisk
    asterisk_source: str
    # An OPTIONS or TRACE request's Max-Forwards (RFC 9110 7.6.2): "honour" (0: answered by
    # the gateway as the final recipient; more: passed on one less), "ignore" (passed on as it
    # came, 0 included: nginx, HAProxy, Caddy), "" (not recorded: as "honour").
    max_forwards: MaxForwards
    max_forwards_source: str
    # An upstream's interim response (``100 Continue``, ``103 Early Hints``) before its final
    # one: "skip" (not passed on; the final response after it relayed: the lab's, in every
    # personality but nginx's), "final" (taken as the final response: its status line with
    # the gateway's fields, then whatever followed it, read to the upstream's close, as its
    # body: nginx 1.22, which knows no interim response from an upstream), "relay" (passed
    # on before the final response by the real server, HAProxy and Caddy; not imitated: the
    # personality does as "skip").
    upstream_interim: UpstreamInterim
    upstream_interim_source: str
    # Conditions the table's answer needs a timeout the real server does not have by default
    # (tests/gateways/ sets the lab's): READ_TIMEOUT for Caddy and HAProxy, which by default
    # wait for an answer as long as it takes. A playground's Expected line says so.
    untimed: frozenset[Condition]
    untimed_source: str

    def __init__(
        self,
        name: str,
        label: Msg,
        headers: Headers,
        max_response_head: int,
        max_response_head_source: str,
        pooling: Pooling,
        table: dict[Condition, Answer],
        pages: dict[int, tuple[str | None, bytes]] | None = None,
        proxy_status: bool = False,
        slow_client: SlowClient = "page",
        slow_client_source: str = "",
        slow_client_reason: str = "Request Time-out",
        other_versions: OtherVersions = "505",
        other_versions_source: str = "",
        http10_upstream: Http10Upstream = "1.1",
        http10_upstream_source: str = "",
        asterisk: Asterisk = "options",
        asterisk_source: str = "",
        max_forwards: MaxForwards = "honour",
        max_forwards_source: str = "",
        upstream_interim: UpstreamInterim = "skip",
        upstream_interim_source: str = "",
        untimed: frozenset[Condition] = frozenset(),
        untimed_source: str = "",
    ) -> None:
        set_ = object.__setattr__
        set_(self, "name", name)
        set_(self, "label", label)
        set_(self, "headers", headers)
        set_(self, "max_response_head", max_response_head)
        set_(self, "max_response_head_source", max_response_head_source)
        set_(self, "pooling", pooling)
        set_(self, "table", table)
        set_(self, "pages", {} if pages is None else pages)
        set_(self, "proxy_status", proxy_status)
        set_(self, "slow_client", slow_client)
        set_(self, "slow_client_source", slow_client_source)
        set_(self, "slow_client_reason", slow_client_reason)
        set_(self, "other_versions", other_versions)
        set_(self, "other_versions_source", other_versions_source)
        set_(self, "http10_upstream", http10_upstream)
        set_(self, "http10_upstream_source", http10_upstream_source)
        set_(self, "asterisk", asterisk)
        set_(self, "asterisk_source", asterisk_source)
        set_(self, "max_forwards", max_forwards)
        set_(self, "max_forwards_source", max_forwards_source)
        set_(self, "upstream_interim", upstream_interim)
        set_(self, "upstream_interim_source", upstream_interim_source)
        set_(self, "untimed", untimed)
        set_(self, "untimed_source", untimed_source)

    @property
    def title(self) -> str:
        """Its name in English (``title_in`` for another language)."""
        return str(self.label)

    def title_in(self, lang: str) -> str:
        return self.label.render(lang)

    @property
    def server(self) -> str | None:
        return self.headers.server

    def answer(self, condition: Condition) -> Answer:
        return self.table[condition]

    def page(
        self, status: int, reason: str, answer: Answer | None = None
    ) -> tuple[str | None, bytes]:
        """The error page this gateway writes for a status: (content type or None, body)."""
        if answer is not None and answer.body is not None:
            return self.pages.get(status, ("text/plain", b""))[0], answer.body
        if status in self.pages:
            return self.pages[status]
        return "text/plain; charset=utf-8", f"{status} {reason}\n".encode()


OBSERVED = "observed"  # on loopback with tests/gateways/, re-run by tests/test_real_gateways.py

# Caddy 2.6 and HAProxy wait for a response head as long as it takes unless a read timeout
# is configured (the Note "Default timeouts toward the upstream" below)
DEFAULT_TIMEOUTS_SOURCE = (
    "observed 2026-12-05: Caddy 2.6.2 with a bare 'reverse_proxy' and HAProxy 2.6.12 with no "
    "timeouts relayed a 200 their upstream sent after 6 s; re-run by "
    "tests/test_real_gateways.py::test_default_timeouts_toward_the_upstream"
)


# A Route to a host name that does not resolve, observed 2026-12-06 on a machine whose resolver
# answers NXDOMAIN for a name under .invalid (RFC 6761 6.4) at once; re-run by
# tests/test_real_gateways.py::test_a_host_name_that_does_not_resolve
DNS_OBSERVED = (
    f"{OBSERVED} 2026-12-06 (an upstream named 'nothing.invalid', the resolver answering NXDOMAIN"
)
# An upstream that answers 101 Switching Protocols to a GET that proposed no Upgrade, observed
# 2026-12-06; re-run by tests/test_real_gateways.py::test_an_unasked_switch
SWITCH_OBSERVED = (
    f"{OBSERVED} 2026-12-06 (an upstream answering 'HTTP/1.1 101 Switching Protocols' with "
    "'Upgrade: websocket' to a GET without Upgrade"
)


def _page(status: int, reason: str, log: str, source: str = OBSERVED) -> Answer:
    return Answer(AnswerKind.PAGE, status, reason, log, source)


CUT = Answer(
    AnswerKind.CUT,
    None,
    "",
    "the status line is already relayed; the connection is closed with the body cut off",
    f"{OBSERVED} (nginx, HAProxy, Caddy: 200 with the body cut)",
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
    label=Msg("the lab's reading of the RFCs (the default)"),
    headers=Headers(
        server="labkit-gateway",
        page_headers=(),
        relayed_server="keep",
        via=True,
        relayed_upgrade="drop",
        keeps_alive_after_http09=False,
        relayed_case="keep",
        says_keep_alive=False,
        sources={
            "relayed_case": "RFC 9110 5.1 (field names are case-insensitive: a proxy has no "
            "reason to change them; the lab passes the upstream's on as they came)",
            "via": "RFC 9110 7.6.3 (a gateway MAY add Via to responses; the lab does, on relays)",
            "relayed_upgrade": "RFC 9110 7.6.1 (Upgrade is listed in Connection: hop-by-hop)",
            "relayed_server": "RFC 9110 10.2.4 (Server names the origin's software)",
            "relayed_reason": "RFC 9112 4 (the reason phrase is no reliable channel: an "
            "intermediary may overwrite it, a client SHOULD ignore it; the lab passes the "
            "upstream's on, the status's own phrase where the upstream sent an empty one)",
            "close_delimited": "RFC 9112 6.3 (a body its upstream ends by closing has no "
            "length: the lab sends it on chunked to an HTTP/1.1 client, 7.1, and keeps the "
            "client's connection; to an HTTP/1.0 client it ends it by closing)",
            "relayed_204_length": "RFC 9110 8.6 (a server MUST NOT send Content-Length in a "
            "204; to its client the gateway is the server, so it drops an upstream's, as HAProxy "
            "and Caddy do) and RFC 9112 6.3 (1) (a 204 ends at its head, whatever length it "
            "states); the lab's origin sends none, so no lesson shows one",
        },
    ),
    pooling=Pooling(
        True,
        32,
        _LAB_IDLE,
        "RFC 9112 9.3: HTTP/1.1 connections persist unless a side "
        "says close; the lab keeps up to 32 idle per upstream, as Caddy does",
    ),
    max_response_head=8 * 1024,
    max_response_head_source="the lab's choice, nginx's proxy_buffer_size on some systems",
    proxy_status=True,
    slow_client_source="RFC 9110 15.5.9: 408 Request Timeout, then close (Connection: close)",
    other_versions_source="RFC 9110 15.6.6 (505 refuses the request's major version; 6.2: "
    "any 1.x is served as 1.1)",
    http10_upstream_source="RFC 9110 6.2 (a sender sends the highest minor version it conforms "
    "to: the version belongs to each connection, not to the client's)",
    asterisk_source="RFC 9110 9.3.7 (OPTIONS * asks about the server as a whole; a gateway "
    "is that server to its clients, and the lab's passes it on to the origin, as HAProxy does) "
    "and RFC 9112 3.2.4 (the asterisk-form is for OPTIONS alone: another method with it is an "
    "invalid request line, 400 by RFC 9112 3)",
    max_forwards_source="RFC 9110 7.6.2 (an intermediary that receives OPTIONS or TRACE with "
    "Max-Forwards: 0 MUST NOT forward it and MUST answer as the final recipient; a larger value "
    "goes on one less), 9.3.7 and 9.3.8 (OPTIONS: 204 here, with no Allow: the gateway has no "
    "resources of its own; TRACE: 200 reflecting the request as message/http, without its "
    "credentials)",
    upstream_interim_source="a simplification of the lab's: RFC 9110 15.2 has a proxy forward a "
    "1xx it did not ask for itself, and send none to an HTTP/1.0 client; the lab's gateway "
    "passes none on and relays the final response that follows",
    table={
        cond: (
            CUT
            if cond is Condition.BODY_CUT
            else _page(o.status or 502, "", str(o.explanation), str(o.rfc))
        )
        for cond, o in RFC_TABLE.items()
    },
)

NGINX = Personality(
    name="nginx",
    label=Msg("nginx 1.22.1 (proxy_pass)"),
    headers=Headers(
        server="nginx/1.22.1",
        page_headers=(),
        relayed_server="replace",
        via=False,
        relayed_upgrade="keep-upgrade",
        keeps_alive_after_http09=True,
        relayed_case="keep",
        says_keep_alive=True,
        relayed_date="replace",
        relayed_204_length="keep",
        sources={
            "says_keep_alive": f"{OBSERVED} (its own 502, 503 and 504 pages and relayed responses to a keep-alive HTTP/1.1 client; re-run by tests/test_real_gateways.py)",
            "relayed_case": f"{OBSERVED} ('X-Mixed-CASE', 'x-lower' and 'ETAG' from the upstream reached the client as they came; re-run by tests/test_real_gateways.py::test_what_the_upstream_receives). Not imitated: the fields nginx writes itself, 'Date', 'Content-Type' and 'Content-Length' among them, it spells its own way whatever the upstream wrote ('content-type' reached the client as 'Content-Type'), where the personality keeps the upstream's spelling",
            "relayed_date": f"{OBSERVED} (an upstream's 'date: Fri, 04 Dec 2026 22:00:00 GMT' reached the client as nginx's own 'Date', the time it relayed the response: nginx passes no upstream Date or Server on, proxy_hide_header's default; re-run by tests/test_real_gateways.py::test_what_the_upstream_receives)",
            "server": OBSERVED,
            "relayed_server": f"{OBSERVED} (relayed origin 500, 503 and 426)",
            "via": OBSERVED,
            "relayed_upgrade": f"{OBSERVED} (relayed origin 426: Upgrade kept, its own "
            "Connection: keep-alive, or close when the client sent close)",
            "relayed_reason": f"{OBSERVED} ('500 Oops Here' and '600 Beyond' from the upstream "
            "reached the client as they came; re-run by "
            "tests/test_real_gateways.py::test_the_framing_and_status_line_of_a_relayed_answer); "
            "not imitated: an empty reason on a status that has a phrase ('HTTP/1.1 200 '), "
            "which nginx relays as the line came ('HTTP/1.1 200', without its space, too), "
            "where the personality writes the status's own phrase, 'OK'; no upstream of the "
            "lab sends one",
            "close_delimited": f"{OBSERVED} (a 200 without Content-Length or chunked, ended by "
            "the upstream's close: sent on chunked, the client's connection kept; re-run by "
            "tests/test_real_gateways.py::test_the_framing_and_status_line_of_a_relayed_answer)",
            "relayed_204_length": f"{OBSERVED} (an upstream's 204 with 'Content-Length: 0', or "
            "'5', relayed with it; re-run by "
            "tests/test_real_gateways.py::test_the_framing_and_status_line_of_a_relayed_answer)",
            "keeps_alive_after_http09": f"{OBSERVED} (httpx ReadTimeout after 3.09 s with "
            "timeout=3, not an instant protocol error; a second request on the connection "
            "was answered, re-run by tests/test_real_gateways.py)",
        },
    ),
    pooling=Pooling(
        False,
        0,
        0.0,
        "nginx docs, ngx_http_upstream_module 'keepalive': only with "
        "'keepalive N' in the upstream block, 'proxy_http_version 1.1' and an empty Connection "
        "header; by default it sends HTTP/1.0 and closes after each response",
    ),
    max_response_head=4 * 1024,  # proxy_buffer_size: one memory page, 4 KB on x86-64
    max_response_head_source=f"{OBSERVED}: a head of 4,095 bytes, its empty last line counted, "
    "relayed; of 4,097 bytes 502 ('upstream sent too big header'); re-run by "
    "tests/test_real_gateways.py. One of exactly 4,096 bytes, filling the buffer, was relayed "
    "with its status and Content-Length but without its body, and the client's connection "
    "closed ('upstream prematurely closed connection while reading upstream'); the "
    "personality relays it whole",
    slow_client="close",
    slow_client_source=f"{OBSERVED} (client_header_timeout; access.log says 408, error.log 'client "
    "timed out (110: Connection timed out) while reading client request headers')",
    other_versions="505/400",
    http10_upstream_source=f"not imitated: real nginx sends every request upstream as HTTP/1.0 "
    f"with Connection: close (proxy_http_version 1.0, its default; {OBSERVED}, "
    "tests/test_real_gateways.py::test_what_the_upstream_receives)",
    asterisk="400",
    asterisk_source=f"{OBSERVED} (OPTIONS * and GET * alike: its 400 page, Connection: close; "
    "nothing passed on; re-run by tests/test_real_gateways.py)",
    max_forwards="ignore",
    max_forwards_source=f"{OBSERVED} (OPTIONS with Max-Forwards: 0 passed on as it came; TRACE "
    "never passed on, whatever its Max-Forwards: nginx answers every TRACE with its own 405; "
    "not imitated: the personality passes TRACE on to the origin; re-run by "
    "tests/test_real_gateways.py)",
    upstream_interim="final",
    upstream_interim_source=f"{OBSERVED} (an upstream that answers 'HTTP/1.1 100 Continue' then "
    "a 200 to nginx's HTTP/1.0 request: the client got 'HTTP/1.1 100 Continue' with nginx's "
    "Server, Date and Connection: close, then the upstream's 200 head and body as bytes until "
    "the close; access.log status 100; for a GET, a POST with Expect: 100-continue (nginx's own "
    "100 first) and an HTTP/1.0 client alike; a '103 Early Hints' with a Link field the same "
    "way, its Link after nginx's fields; re-run by tests/test_real_gateways.py)",
    other_versions_source=f"{OBSERVED} (505 for HTTP/2.0 and HTTP/3.0, 400 for HTTP/0.9 with "
    "headers; nginx's own pages, where the personality sends the lab's)",
    table={
        Condition.REFUSED: _page(
            502,
            "Bad Gateway",
            "connect() failed (111: Connection refused) while connecting to upstream",
        ),
        Condition.CONNECT_TIMEOUT: _page(
            504,
            "Gateway Time-out",
            "upstream timed out (110: Connection timed out) while connecting to upstream",
        ),
        Condition.CLOSED_WITHOUT_RESPONSE: _page(
            502,
            "Bad Gateway",
            "upstream prematurely closed connection while reading response header from upstream",
        ),
        Condition.RESET: _page(
            502,
            "Bad Gateway",
            "recv() failed (104: Connection reset by peer) while reading response header from "
            "upstream",
        ),
        Condition.HEADERS_CUT: _page(
            502,
            "Bad Gateway",
            "upstream prematurely closed connection while reading response header from upstream",
        ),
        Condition.INVALID_STATUS_LINE: Answer(
            AnswerKind.HTTP09,
            None,
            "",
            "upstream sent no valid HTTP/1.0 header while reading response header from upstream "
            "(access.log status 009)",
            f"{OBSERVED} (access.log: 009)",
        ),
        Condition.INVALID_HEADER: _page(
            502,
            "Bad Gateway",
            'upstream sent invalid header: "This\\x20..." while reading response header from '
            "upstream",
        ),
        Condition.HEADER_TOO_BIG: _page(
            502,
            "Bad Gateway",
            "upstream sent too big header while reading response header from upstream",
        ),
        Condition.INVALID_CONTENT_LENGTH: Answer(
            AnswerKind.RELAY,
            200,
            "OK",
            "(nothing: 1.22 ignores the invalid Content-Length and reads to the close; 1.23 and "
            "later answer 502)",
            f"{OBSERVED} (the body read to the upstream's close and sent on chunked, the "
            "invalid Content-Length dropped); nginx 1.23.0 and later answer 502 (commit "
            "d22157fad, 'Upstream: header handlers can now return parsing errors'). Two "
            "Content-Length fields that disagree ('Content-Length: 3', then 'Content-Length: 5', "
            "and 5 bytes) nginx 1.22.1 relays as a 200 with the last, 'Content-Length: 5', and "
            "the 5 bytes, where the personality sends the same 200 and bytes on chunked: not "
            "imitated, no upstream of the lab sends two lengths (re-run by "
            "tests/test_real_gateways.py::test_the_framing_and_status_line_of_a_relayed_answer)",
        ),
        Condition.INVALID_FRAMING: Answer(
            AnswerKind.RELAY,
            200,
            "OK",
            "(nothing: 1.22 relays an unknown Transfer-Encoding; 1.23 and later answer 502)",
            f"{OBSERVED} (the body read to the close and sent on chunked); nginx 1.23.0 and "
            "later answer 502 (same commit)",
        ),
        Condition.READ_TIMEOUT: _page(
            504,
            "Gateway Time-out",
            "upstream timed out (110: Connection timed out) while reading response header from "
            "upstream",
        ),
        Condition.NO_HEALTHY_UPSTREAM: _page(
            502, "Bad Gateway", "no live upstreams while connecting to upstream"
        ),
        Condition.UNREACHABLE: _page(
            502,
            "Bad Gateway",
            "connect() to ADDRESS failed (101: Network is unreachable) while connecting to "
            "upstream",
            f"{OBSERVED} (an upstream at {NO_ROUTE}, to which Linux refuses TCP at once with "
            "ENETUNREACH; re-run by tests/test_real_gateways.py)",
        ),
        Condition.DNS_ERROR: _page(
            502,
            "Bad Gateway",
            "HOST could not be resolved (3: Host not found)",
            f"{DNS_OBSERVED}; nginx resolves per request only with a 'resolver' and a variable "
            "in proxy_pass: a name in a static proxy_pass is resolved at start, and one that "
            "does not resolve stops nginx from starting, 'host not found in upstream'). Not "
            "observed: a resolver that does not answer, which nginx waits for resolver_timeout",
        ),
        Condition.UNASKED_SWITCH: Answer(
            AnswerKind.RELAY,
            101,
            "Switching Protocols",
            "(nothing in error.log; access.log status 101)",
            f"{SWITCH_OBSERVED}: nginx relayed the 101 with its own Server and Date, "
            "'Connection: upgrade' and the upstream's Upgrade, then the bytes the upstream sent "
            "after it until it closed, and kept the client's connection for its next request; "
            "no tunnel, since the client asked for none: bytes the client sent after its "
            "request never reached the upstream, nginx read them as its next request. An "
            "upstream that stalled instead got the 101's head sent alone when the read timeout "
            "passed, without the bytes after it, and the connection closed; re-run by "
            "tests/test_real_gateways.py)",
        ),
        Condition.BODY_CUT: CUT,
    },
    pages={
        502: _nginx_page("502 Bad Gateway"),
        503: _nginx_page("503 Service Temporarily Unavailable"),
        504: _nginx_page("504 Gateway Time-out"),
        400: _nginx_page("400 Bad Request"),  # a request it refuses itself (asterisk)
    },
)

HAPROXY = Personality(
    name="haproxy",
    label=Msg("HAProxy 2.6.12"),
    headers=Headers(
        server=None,
        page_headers=(("cache-control", "no-cache"),),
        relayed_server="keep",
        via=False,
        relayed_upgrade="keep",
        keeps_alive_after_http09=False,
        relayed_case="lower",
        says_keep_alive=False,
        sends_date=False,
        head_chunked=True,
        sources={
            "head_chunked": f"{OBSERVED} (HEAD of an upstream that answers HEAD with "
            "'Transfer-Encoding: chunked': relayed as 'transfer-encoding: chunked', where nginx "
            "and Caddy send no framing field; re-run by tests/test_real_gateways.py)",
            "relayed_case": f"{OBSERVED} ('X-Mixed-CASE', 'x-lower' and 'ETAG' from the upstream reached the client in lower case, and so do the fields of its own 502, 503 and 504 pages: 'content-length', 'cache-control', 'content-type', 'connection'; re-run by tests/test_real_gateways.py). Not imitated: its 408 page, a raw message its HTTP/1 layer sends before any HTTP processing, keeps HAProxy's source spelling, 'Content-length', 'Cache-Control', 'Connection', 'Content-Type' (observed), where the personality writes them in lower case",
            "server": f"{OBSERVED} (its own pages carry no Server)",
            "sends_date": f"{OBSERVED} (its own 502, 503, 504 and 408 pages carry no Date, and "
            "a relayed response without one gets none, although RFC 9110 6.6.1 asks a recipient "
            "with a clock to add it; nginx and Caddy add it; re-run by "
            "tests/test_real_gateways.py)",
            "page_headers": OBSERVED,
            "relayed_server": f"{OBSERVED} (relayed origin 500, 503 and 426)",
            "via": OBSERVED,
            "relayed_reason": f"{OBSERVED} ('500 Oops Here' and '600 Beyond' from the upstream "
            "reached the client as they came; re-run by "
            "tests/test_real_gateways.py::test_the_framing_and_status_line_of_a_relayed_answer); "
            "not imitated: an empty reason on a status that has a phrase ('HTTP/1.1 200 ' or "
            "'HTTP/1.1 200'), which HAProxy relays empty, 'HTTP/1.1 200 ', where the "
            "personality writes the status's own phrase, 'OK'; no upstream of the lab sends one",
            "close_delimited": "not imitated: real HAProxy relays a 200 without Content-Length "
            "or chunked, ended by the upstream's close, as it came, adds 'connection: close' and "
            f"closes the client's connection after it ({OBSERVED}, re-run by "
            "tests/test_real_gateways.py::test_the_framing_and_status_line_of_a_relayed_answer); "
            "the personality sends it on chunked and keeps the connection, as nginx and Caddy "
            "do: no upstream of the lab frames a body HAProxy relays by closing",
            "relayed_204_length": f"{OBSERVED} (an upstream's 204 with 'Content-Length: 0', or "
            "'5', relayed without it; re-run by "
            "tests/test_real_gateways.py::test_the_framing_and_status_line_of_a_relayed_answer)",
            "relayed_upgrade": f"{OBSERVED} (relayed origin 426: Upgrade and Connection: "
            "upgrade kept, and 'connection: upgrade' is its only Connection header even to a "
            "client that sent Connection: close, whose connection it then closes; HAProxy 2.6 "
            "also adds a Sec-Websocket-Accept, which the personality does not)",
        },
    ),
    pooling=Pooling(
        True,
        32,
        _LAB_IDLE,
        "HAProxy 2.6 configuration, 'http-reuse safe' (the default): the first request of a "
        "client connection goes on a server connection of its own, later ones may share idle "
        "ones (the lab keeps 32); observed: a POST on a new client connection after two GETs "
        "to the idle-close upstream got 200, not the 502 of a reused connection closing. "
        "Simplified: when a later request of a client connection meets its kept server "
        "connection closing, real HAProxy 2.6 closes the client's connection without a "
        "response or a log line, GET and POST alike, and leaves the retry to the client "
        "(observed); the personality sends a GET again and answers a POST 502, as nginx and "
        "Caddy do",
        first_request_reuses=False,
    ),
    # tune.bufsize 16 KB minus tune.maxrewrite 1 KB, less HAProxy's own bookkeeping of the
    # head (HTX blocks), which grows with its number of fields: observed for a head of four
    # lines, the personality counts bytes only
    max_response_head=15_269,
    max_response_head_source=f"{OBSERVED}: a head of four lines (a status line and three "
    "fields) of 15,269 bytes, its empty last line counted, relayed; of 15,270 bytes 502 PH-- "
    "(tune.bufsize 16 KB less tune.maxrewrite 1 KB, less HAProxy's own bookkeeping of the head, "
    "which grows with its number of fields); re-run by tests/test_real_gateways.py",
    slow_client_source=f"{OBSERVED} ('timeout http-request'; its log: 408 cR-- \"<BADREQ>\")",
    other_versions="pass",
    http10_upstream="1.0",
    http10_upstream_source=f"{OBSERVED} ('GET /v10 HTTP/1.0' with 'connection: keep-alive' added, "
    "whether or not the client asked to keep its connection; an HTTP/1.1 client's request goes "
    "on as HTTP/1.1)",
    asterisk="pass",
    asterisk_source=f"{OBSERVED} (OPTIONS * passed on as it came, the origin's 204 with its Allow "
    "relayed; GET * passed on too; re-run by tests/test_real_gateways.py)",
    max_forwards="ignore",
    max_forwards_source=f"{OBSERVED} (OPTIONS and TRACE with Max-Forwards: 0 passed on as they came; "
    "re-run by tests/test_real_gateways.py)",
    upstream_interim="relay",
    untimed=frozenset({Condition.READ_TIMEOUT}),
    untimed_source=DEFAULT_TIMEOUTS_SOURCE,
    upstream_interim_source="not imitated: real HAProxy passes an upstream's 'HTTP/1.1 100 "
    f"Continue' on before the final response, to an HTTP/1.0 client too ({OBSERVED}, re-run by "
    "tests/test_real_gateways.py)",
    other_versions_source=f"{OBSERVED} (HTTP/2.0 and HTTP/3.0 request lines passed on as "
    "HTTP/1.1, the upstream's answer relayed; HTTP/0.9 with headers passed on as HTTP/0.9, "
    "which the lab's origin answers 505)",
    table={
        Condition.REFUSED: _page(
            503,
            "Service Unavailable",
            "503 SC-- (server side, at connection: refused)",
            f"{OBSERVED}; only after 3 more tries ('retries 3', the default), each after "
            "min('timeout connect', 1 s) when one server is tried again: 3 s with 'timeout "
            "connect' 1 s or more (or unset), three times 'timeout connect' below that (the "
            "personality answers at once)",
        ),
        Condition.CONNECT_TIMEOUT: _page(
            503,
            "Service Unavailable",
            "503 sC-- (server-side timeout while connecting)",
            f"{OBSERVED}; after 4 connect timeouts ('retries 3', the default; the personality "
            "waits one)",
        ),
        Condition.CLOSED_WITHOUT_RESPONSE: _page(
            502,
            "Bad Gateway",
            "502 SH-- (server aborted while the gateway waited for headers)",
        ),
        Condition.RESET: _page(502, "Bad Gateway", "502 SH-- (server aborted: reset)"),
        Condition.HEADERS_CUT: _page(502, "Bad Gateway", "502 SH-- (server aborted mid-headers)"),
        Condition.INVALID_STATUS_LINE: _page(
            502,
            "Bad Gateway",
            "502 PH-- (proxy blocked an invalid response: bad status line)",
        ),
        Condition.INVALID_HEADER: _page(
            502, "Bad Gateway", "502 PH-- (proxy blocked an invalid response header)"
        ),
        Condition.HEADER_TOO_BIG: _page(
            502, "Bad Gateway", "502 PH-- (response headers larger than tune.bufsize)"
        ),
        Condition.INVALID_CONTENT_LENGTH: _page(
            502, "Bad Gateway", "502 PH-- (invalid Content-Length)"
        ),
        Condition.INVALID_FRAMING: _page(
            502, "Bad Gateway", "502 PH-- (unknown Transfer-Encoding)"
        ),
        Condition.READ_TIMEOUT: _page(
            504,
            "Gateway Time-out",
            "504 sH-- (server-side timeout while waiting for headers)",
        ),
        Condition.NO_HEALTHY_UPSTREAM: _page(
            503,
            "Service Unavailable",
            "503 SC-- (no server available: backend has no usable server)",
            f"{OBSERVED} (a backend whose only server is disabled)",
        ),
        Condition.UNREACHABLE: _page(
            503,
            "Service Unavailable",
            "503 SC-- (server side, at connection: no route)",
            f"{OBSERVED} (a server at {NO_ROUTE}: the same 503 and SC-- as a refused connection, "
            "its 3 more tries made at once; re-run by tests/test_real_gateways.py)",
        ),
        Condition.DNS_ERROR: _page(
            503,
            "Service Unavailable",
            "503 SC-- (no server available: backend has no usable server)",
            f"{DNS_OBSERVED}; the server line with 'resolvers' and 'init-addr none': it stays "
            "without an address, in maintenance, and a request gets the 503 of a backend with "
            "no usable server, logged 'up/<NOSRV>'; with 'resolvers' alone HAProxy starts with "
            "a warning, 'could not resolve address', and disables the server; with neither it "
            "refuses to start)",
        ),
        Condition.UNASKED_SWITCH: _page(
            502,
            "Bad Gateway",
            "502 PH-- (proxy blocked an invalid response: a 101 not asked for)",
            f"{SWITCH_OBSERVED}, or without Upgrade)",
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
        408: _haproxy_page(
            "408 Request Time-out", "Your browser didn't send a complete request in time."
        ),
    },
)

_ENVOY_DOCS = "Envoy docs: access log response flags"


# Envoy's words for a connection it could not make, from its source: the reset reason
# (http/utility.cc resetReasonToString) and, after a comma, the connection's transport failure
# reason (router.cc builds the body; network/connection_impl.cc says 'delayed connect error' for
# a connect() that failed later, as a refusal does, with the system's words for the errno).
# A connect timeout is its own reset reason, 'connection timeout', with no transport failure
# reason. The response flag is UF for both: only the body (or %RESPONSE_CODE_DETAILS%, when an
# access log format asks for it) tells them apart. The words are those of the releases from
# mid-2024 until 2026; ENVOY_WORDING says how earlier and later ones differ (issues and pull
# requests of envoyproxy/envoy, and reports quoting each form).
ENVOY_REFUSED = (
    "remote connection failure, transport failure reason: delayed connect error: Connection refused"
)
ENVOY_CONNECT_TIMEOUT = "connection timeout"
ENVOY_UNREACHABLE = (
    "remote connection failure, transport failure reason: immediate connect error: Network is "
    "unreachable"
)


ENVOY_WORDING = (
    "the wording differs by release: until mid-2020 the body ended at the reset reason "
    "(envoyproxy/envoy#12321 added the transport failure reason), which was 'connection "
    "failure' until 2023; the errno was a number ('delayed connect error: 111') until mid-2024 "
    "(#35154 put it in words); later releases end an immediate connect error with '|remote "
    "address:' and the address (left out here); and in 2026 the transport failure reason left "
    "the body (#44746, backported to 1.38), kept for the access log's "
    "%UPSTREAM_TRANSPORT_FAILURE_REASON%"
)


def _envoy_reset(log: str, reason: str, source: str = "") -> Answer:
    """Envoy's 503 for a stream reset before the upstream's headers: its local reply names the
    reset reason (source/common/http/utility.cc, resetReasonToString), so a close says
    'connection termination', a reset 'remote reset', a refused connection 'remote connection
    failure' and a connect timeout 'connection timeout'."""
    body = f"upstream connect error or disconnect/reset before headers. reset reason: {reason}"
    source = (
        source or f"{_ENVOY_DOCS}; the body from its source (http/utility.cc resetReasonToString)"
    )
    return Answer(AnswerKind.PAGE, 503, "Service Unavailable", log, source, body=body.encode())


ENVOY = Personality(
    name="envoy",
    label=Msg(
        "Envoy, as its releases of mid-2024 to 2026 word it (from its documentation and source, "
        "not observed here)"
    ),
    headers=Headers(
        server="envoy",
        page_headers=(),
        relayed_server="replace",
        via=False,
        relayed_upgrade="drop",
        keeps_alive_after_http09=False,
        relayed_case="lower",
        says_keep_alive=False,
        sources={
            "relayed_case": "Envoy docs: HTTP/1.1 header casing (keys are lower-cased unless "
            "header_key_format says otherwise)",
            "server": "Envoy docs: server_name (default 'envoy'), server_header_transformation "
            "OVERWRITE by default",
            "relayed_server": "Envoy docs: server_header_transformation OVERWRITE by default",
            "via": "Envoy docs: via is empty by default",
            "relayed_upgrade": "Envoy docs: Upgrade and Connection are hop-by-hop, removed",
        },
    ),
    pooling=Pooling(
        True,
        32,
        _LAB_IDLE,
        "Envoy docs, arch_overview/upstream/connection_pooling: "
        "HTTP/1.1 upstream connections are pooled and reused (the lab keeps 32 idle)",
    ),
    max_response_head=60 * 1024,  # max_response_headers_kb default
    max_response_head_source="Envoy docs: max_response_headers_kb, 60 KiB by default",
    slow_client="page",
    slow_client_reason="Request Timeout",
    slow_client_source=(
        "Envoy source, not observed here (Envoy is not installed on the machine the lab's "
        "observations come from): its HTTP/1 codec starts a stream at a request's first byte "
        "(codec_impl.cc onMessageBeginBase), and a stream whose request is incomplete when "
        "stream_idle_timeout (5 min by default) fires gets a local 408 with the body 'stream "
        "timeout' and response flag SI (conn_manager_impl.cc onIdleTimeout); "
        "request_headers_timeout, off by default, gives 408 'request header timeout'"
    ),
    other_versions="",
    other_versions_source="not recorded (Envoy is not run here): the lab's own 505",
    http10_upstream_source="not recorded (Envoy is not run here): the lab's HTTP/1.1",
    asterisk="",
    asterisk_source="not recorded (Envoy is not run here): the lab's reading of the RFCs",
    max_forwards="",
    max_forwards_source="not recorded (Envoy is not run here): the lab's reading of the RFCs",
    upstream_interim_source="not recorded (Envoy is not run here): the lab's",
    table={
        Condition.REFUSED: _envoy_reset(
            "503 UF (upstream connection failure)",
            ENVOY_REFUSED,
            f"{_ENVOY_DOCS}; the body from its source (router.cc, http/utility.cc "
            f"resetReasonToString, network/connection_impl.cc); {ENVOY_WORDING}",
        ),
        Condition.CONNECT_TIMEOUT: _envoy_reset(
            "503 UF (upstream connection failure)",
            ENVOY_CONNECT_TIMEOUT,
            f"{_ENVOY_DOCS}; the body from its source (router.cc, http/utility.cc "
            "resetReasonToString: ConnectionTimeout)",
        ),
        Condition.CLOSED_WITHOUT_RESPONSE: _envoy_reset(
            "503 UC (upstream connection termination)", "connection termination"
        ),
        Condition.RESET: _envoy_reset("503 UR (upstream remote reset)", "remote reset"),
        Condition.HEADERS_CUT: _envoy_reset(
            "503 UC (upstream connection termination)", "connection termination"
        ),
        Condition.INVALID_STATUS_LINE: _page(
            502, "Bad Gateway", "502 UPE (upstream protocol error)", _ENVOY_DOCS
        ),
        Condition.INVALID_HEADER: _page(
            502, "Bad Gateway", "502 UPE (upstream protocol error)", _ENVOY_DOCS
        ),
        Condition.HEADER_TOO_BIG: Answer(
            AnswerKind.RELAY,
            200,
            "OK",
            "(nothing: the huge-headers head is under max_response_headers_kb, 60 KiB by default)",
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
        Condition.NO_HEALTHY_UPSTREAM: Answer(
            AnswerKind.PAGE,
            503,
            "Service Unavailable",
            "503 UH (no healthy upstream)",
            f"{_ENVOY_DOCS}; the body from its source (router.cc)",
            body=b"no healthy upstream",
        ),
        Condition.UNREACHABLE: _envoy_reset(
            "503 UF (upstream connection failure)",
            ENVOY_UNREACHABLE,
            f"{_ENVOY_DOCS}; the body from its source (router.cc, network/connection_impl.cc: "
            f"'immediate connect error' for a connect() that fails at once); {ENVOY_WORDING}",
        ),
        Condition.DNS_ERROR: Answer(
            AnswerKind.PAGE,
            503,
            "Service Unavailable",
            "503 UH (no healthy upstream)",
            "Envoy docs, service discovery (not observed here): a STRICT_DNS or LOGICAL_DNS "
            "cluster resolves its names in the background, never in the forwarding path, and "
            "one whose name has no address has no host to send a request to: the no-healthy-"
            "upstream 503, flag UH",
            body=b"no healthy upstream",
        ),
        Condition.UNASKED_SWITCH: _page(
            502,
            "Bad Gateway",
            "(not recorded)",
            "not recorded: Envoy is not run here and its documentation says nothing of an "
            "unasked 101; the status is the lab's reading of the RFCs, the page Envoy's own 502",
        ),
        Condition.BODY_CUT: Answer(
            AnswerKind.CUT,
            None,
            "",
            "the status line is already relayed; the downstream stream is reset with the body "
            "cut off (response flag UC, upstream connection termination)",
            _ENVOY_DOCS,
        ),
    },
    pages={
        502: (
            "text/plain",
            b"upstream connect error or disconnect/reset before headers. "
            b"reset reason: protocol error",
        ),
        503: (
            "text/plain",
            b"upstream connect error or disconnect/reset before headers. reset reason: "
            + ENVOY_REFUSED.encode(),
        ),
        504: ("text/plain", b"upstream request timeout"),
        408: ("text/plain", b"stream timeout"),  # a stalled request (slow_client_source)
    },
)

# Go's net/http StatusText (status.go), which Caddy 2.6.2 (Go 1.19) writes as the reason of
# every response it sends, a relayed one's too (Headers.relayed_reason "go"); every entry is
# re-run against the real Caddy by tests/test_real_gateways.py::test_the_reason_phrases_caddy_writes
GO_REASONS = {
    100: "Continue",
    101: "Switching Protocols",
    102: "Processing",
    103: "Early Hints",
    200: "OK",
    201: "Created",
    202: "Accepted",
    203: "Non-Authoritative Information",
    204: "No Content",
    205: "Reset Content",
    206: "Partial Content",
    207: "Multi-Status",
    208: "Already Reported",
    226: "IM Used",
    300: "Multiple Choices",
    301: "Moved Permanently",
    302: "Found",
    303: "See Other",
    304: "Not Modified",
    305: "Use Proxy",
    307: "Temporary Redirect",
    308: "Permanent Redirect",
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    407: "Proxy Authentication Required",
    408: "Request Timeout",
    409: "Conflict",
    410: "Gone",
    411: "Length Required",
    412: "Precondition Failed",
    413: "Request Entity Too Large",
    414: "Request URI Too Long",
    415: "Unsupported Media Type",
    416: "Requested Range Not Satisfiable",
    417: "Expectation Failed",
    418: "I'm a teapot",
    421: "Misdirected Request",
    422: "Unprocessable Entity",
    423: "Locked",
    424: "Failed Dependency",
    425: "Too Early",
    426: "Upgrade Required",
    428: "Precondition Required",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    451: "Unavailable For Legal Reasons",
    500: "Internal Server Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
    505: "HTTP Version Not Supported",
    506: "Variant Also Negotiates",
    507: "Insufficient Storage",
    508: "Loop Detected",
    510: "Not Extended",
    511: "Network Authentication Required",
}


def go_reason(status: int) -> str:
    """The reason phrase Go's net/http server writes for ``status`` (writeStatusLine): its
    StatusText, or 'status code N' for a status it has none for (600 included)."""
    return GO_REASONS.get(status) or f"status code {status}"


# Go's http.Transport takes a response head of up to 10 << 20 bytes when its
# MaxResponseHeaderBytes is 0, as Caddy leaves it (max_response_header_size unset): 10 MiB,
# not 10 MB (net/http transport.go, maxHeaderResponseSize)
GO_MAX_RESPONSE_HEAD = 10 << 20
GO_HEAD_LIMIT = (
    f"{GO_MAX_RESPONSE_HEAD >> 20} MiB ({GO_MAX_RESPONSE_HEAD:,} bytes: 10 << 20 in net/http's "
    "maxHeaderResponseSize)"
)

CADDY = Personality(
    name="caddy",
    label=Msg("Caddy 2.6.2 (reverse_proxy, Go net/http)"),
    headers=Headers(
        server="Caddy",
        page_headers=(),
        relayed_server="both",
        via=False,
        relayed_upgrade="drop",
        keeps_alive_after_http09=False,
        relayed_case="canonical",
        says_keep_alive=False,
        head_length=False,
        relayed_reason="go",
        sources={
            "relayed_case": f"{OBSERVED} ('X-Mixed-CASE', 'x-lower' and 'ETAG' from the upstream reached the client as 'X-Mixed-Case', 'X-Lower' and 'Etag', Go's canonical form, and an origin's 'X-Request-ID' as 'X-Request-Id'; re-run by tests/test_real_gateways.py)",
            "server": OBSERVED,
            "page_headers": f"{OBSERVED} (no Content-Type, Content-Length: 0)",
            "head_length": f"{OBSERVED} (HEAD of its own 502 and 503: no Content-Length, no "
            "Transfer-Encoding; re-run by tests/test_real_gateways.py)",
            "relayed_reason": f"{OBSERVED} (Go's phrase for each status, whatever the "
            "upstream wrote: '500 Oops Here' reached the client as '500 Internal Server Error', "
            "an empty reason as the status's phrase, '600 Beyond' as '600 status code 600'; "
            "every status of GO_REASONS and some Go has no phrase for, re-run by "
            "tests/test_real_gateways.py::test_the_reason_phrases_caddy_writes)",
            "close_delimited": f"{OBSERVED} (a 200 without Content-Length or chunked, ended by "
            "the upstream's close: sent on chunked, the client's connection kept; re-run by "
            "tests/test_real_gateways.py::test_the_framing_and_status_line_of_a_relayed_answer)",
            "relayed_204_length": f"{OBSERVED} (an upstream's 204 with 'Content-Length: 0', or "
            "'5', relayed without it; re-run by "
            "tests/test_real_gateways.py::test_the_framing_and_status_line_of_a_relayed_answer)",
            "relayed_server": f"{OBSERVED} (two Server headers: Caddy, then the origin's)",
            "content_type": f"{OBSERVED}: a relayed body without Content-Type gets one sniffed "
            "by Go's net/http (the lab does not imitate this)",
            "via": OBSERVED,
            "relayed_upgrade": f"{OBSERVED} (relayed origin 426)",
        },
    ),
    pooling=Pooling(
        True,
        32,
        _LAB_IDLE,
        "Caddy docs, reverse_proxy http transport: keep-alive on by "
        "default, keepalive_idle_conns_per_host 32",
    ),
    max_response_head=GO_MAX_RESPONSE_HEAD,
    max_response_head_source=f"{OBSERVED}: the huge-headers head relayed; Go's default limit is "
    f"{GO_HEAD_LIMIT}",
    slow_client="close",
    slow_client_source=f"{OBSERVED} (servers timeouts read_header; Go's net/http closes without "
    "a response)",
    other_versions_source=f"{OBSERVED} (505 for HTTP/2.0, HTTP/3.0 and HTTP/0.9; Go's own "
    "page, where the personality sends the lab's)",
    http10_upstream_source=f"{OBSERVED} (Go's http.Transport writes HTTP/1.1, whatever the "
    "client's version)",
    asterisk="answer",
    asterisk_source=f"{OBSERVED} (OPTIONS * answered by Go's net/http server itself: 200 with "
    "Content-Length: 0 and no Server, the connection kept; nothing passed on; GET * passed on "
    "to the upstream; re-run by tests/test_real_gateways.py)",
    max_forwards="ignore",
    max_forwards_source=f"{OBSERVED} (OPTIONS and TRACE with Max-Forwards: 0 passed on as they came; "
    "re-run by tests/test_real_gateways.py)",
    upstream_interim="relay",
    untimed=frozenset({Condition.READ_TIMEOUT}),
    untimed_source=DEFAULT_TIMEOUTS_SOURCE,
    upstream_interim_source="not imitated: real Caddy passes an upstream's 100 Continue on "
    "before the final response, with its own Server ('HTTP/1.0 100 Continue' to an HTTP/1.0 "
    f"client; {OBSERVED}, re-run by tests/test_real_gateways.py)",
    table={
        Condition.REFUSED: _page(502, "Bad Gateway", "dial tcp: connect: connection refused"),
        Condition.CONNECT_TIMEOUT: _page(502, "Bad Gateway", "dial tcp: i/o timeout"),
        Condition.CLOSED_WITHOUT_RESPONSE: _page(502, "Bad Gateway", "upstream roundtrip: EOF"),
        Condition.RESET: _page(502, "Bad Gateway", "read: connection reset by peer"),
        Condition.HEADERS_CUT: _page(
            502,
            "Bad Gateway",
            "net/http: HTTP/1.x transport connection broken: unexpected EOF",
        ),
        Condition.INVALID_STATUS_LINE: _page(
            502,
            "Bad Gateway",
            "net/http: HTTP/1.x transport connection broken: malformed HTTP status",
        ),
        Condition.INVALID_HEADER: _page(
            502,
            "Bad Gateway",
            "net/http: HTTP/1.x transport connection broken: malformed MIME header",
            f"{OBSERVED} (a line without a colon; a field with whitespace before its colon, "
            "'X-Thing : yes', Caddy 2.6.2 drops and relays the rest with 200, which the "
            "personality does not imitate: it answers 502; re-run by tests/test_real_gateways.py)",
        ),
        Condition.HEADER_TOO_BIG: Answer(
            AnswerKind.RELAY,
            200,
            "OK",
            f"(nothing: Go's http.Transport accepts a response head up to {GO_HEAD_LIMIT} by "
            "default)",
            OBSERVED,
        ),
        Condition.INVALID_CONTENT_LENGTH: _page(
            502,
            "Bad Gateway",
            'net/http: HTTP/1.x transport connection broken: bad Content-Length "abc"',
            f"{OBSERVED} ('Content-Length: abc'; Caddy 2.6.2 also answers 502 to 'Content-Length: "
            "5, 5', one length listed twice, which RFC 9110 8.6 lets a recipient accept and "
            "the personality relays with 200, as nginx and HAProxy do: not imitated; re-run by "
            "tests/test_real_gateways.py)",
        ),
        Condition.INVALID_FRAMING: _page(
            502,
            "Bad Gateway",
            "net/http: HTTP/1.x transport connection broken: unsupported transfer encoding",
        ),
        Condition.READ_TIMEOUT: _page(
            504, "Gateway Timeout", "net/http: timeout awaiting response headers"
        ),
        Condition.NO_HEALTHY_UPSTREAM: _page(
            503,
            "Service Unavailable",
            "no upstreams available",
            f"{OBSERVED} (every upstream failing its active health check)",
        ),
        Condition.UNREACHABLE: _page(
            502,
            "Bad Gateway",
            "dial tcp: connect: network is unreachable",
            f"{OBSERVED} (an upstream at {NO_ROUTE}; re-run by tests/test_real_gateways.py)",
        ),
        Condition.DNS_ERROR: _page(
            502,
            "Bad Gateway",
            "dial tcp: lookup HOST on RESOLVER: no such host",
            f"{DNS_OBSERVED}: 'dial tcp: lookup nothing.invalid on 10.255.255.53:53: no such "
            "host')",
        ),
        Condition.UNASKED_SWITCH: Answer(
            AnswerKind.PAGE,
            200,
            "OK",
            "(nothing at the default log level)",
            f"{SWITCH_OBSERVED}: Caddy answered 200 with no body, Content-Length: 0 and no "
            "Content-Type, and kept the connection; to a 101 without Upgrade the same 200, "
            "logged 'internal error: 101 switching protocols response with non-writable body')",
            body=b"",
        ),
        Condition.BODY_CUT: CUT,
    },
    # 200: its empty answer to an upstream's unasked 101 (the UNASKED_SWITCH row)
    pages={200: (None, b""), 502: (None, b""), 503: (None, b""), 504: (None, b"")},
)

# Requests sent straight to each server (no lab upstream involved): the exact bytes, then the
# first line of what each server sent back ("[client-timeout]": the server had not closed the
# connection DIRECT_WAIT s after its last byte). Observed on loopback with the Debian 12 packages and
# re-run, every row, by tests/test_real_gateways.py::test_direct_requests from the configs
# tests/gateways/direct.* (nginx serves files at / and proxies /proxied; HAProxy and Caddy
# proxy everything to an upstream that answers any request 200). Last re-run 2026-12-04.
DIRECT_WAIT = 0.5
DIRECT_SERVERS = (
    "nginx 1.22.1 (static files; /proxied proxied)",
    "HAProxy 2.6.12 (proxying)",
    "Caddy 2.6.2 (proxying)",
    "Python 3.11 http.server",
)
DIRECT_REQUESTS: tuple[tuple[str, bytes, str, str, str, str], ...] = (
    (
        "`GET / HTTP/1.1 (baseline)`",
        b"GET / HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
        "HTTP/1.0 200 OK",
    ),
    (
        "`GET / HTTP/1.0`",
        b"GET / HTTP/1.0\r\nHost: lab\r\n\r\n",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
        "HTTP/1.0 200 OK",
        "HTTP/1.0 200 OK",
    ),
    (
        "`GET / HTTP/1.2`",
        b"GET / HTTP/1.2\r\nHost: lab\r\nConnection: close\r\n\r\n",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
        "HTTP/1.0 200 OK",
    ),
    (
        "`GET / HTTP/1.9`",
        b"GET / HTTP/1.9\r\nHost: lab\r\nConnection: close\r\n\r\n",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
        "HTTP/1.0 200 OK",
    ),
    (
        "`GET / HTTP/2.0`",
        b"GET / HTTP/2.0\r\nHost: lab\r\nConnection: close\r\n\r\n",
        "HTTP/1.1 505 HTTP Version Not Supported",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 505 HTTP Version Not Supported: unsupported protoco…",
        "bare HTML error body, NO status line (HTTP/0.9-style)",
    ),
    (
        "`GET / HTTP/3.0`",
        b"GET / HTTP/3.0\r\nHost: lab\r\nConnection: close\r\n\r\n",
        "HTTP/1.1 505 HTTP Version Not Supported",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 505 HTTP Version Not Supported: unsupported protoco…",
        "bare HTML error body, NO status line (HTTP/0.9-style)",
    ),
    (
        "`GET / HTTP/0.9`",
        b"GET / HTTP/0.9\r\nHost: lab\r\nConnection: close\r\n\r\n",
        "HTTP/1.1 400 Bad Request",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 505 HTTP Version Not Supported: unsupported protoco…",
        "static ok",
    ),
    (
        "`GET / (HTTP/0.9 simple-request)`",
        b"GET /\r\n",
        "static ok",
        "HTTP/1.1 400 Bad request",
        "HTTP/1.1 400 Bad Request",
        "(no bytes) [client-timeout]",
    ),
    (
        "`GET / HTTPS/1.1 (bad protocol name)`",
        b"GET / HTTPS/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n",
        "HTTP/1.1 400 Bad Request",
        "HTTP/1.1 400 Bad request",
        "HTTP/1.1 400 Bad Request",
        "bare HTML error body, NO status line (HTTP/0.9-style)",
    ),
    (
        "`GET / http/1.1 (lowercase name)`",
        b"GET / http/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n",
        "HTTP/1.1 400 Bad Request",
        "HTTP/1.1 400 Bad request",
        "HTTP/1.1 400 Bad Request",
        "bare HTML error body, NO status line (HTTP/0.9-style)",
    ),
    (
        "`PRI * HTTP/2.0 (h2 preface)`",
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        "HTTP/1.1 400 Bad Request",
        "switches to HTTP/2, sends SETTINGS frame",
        "HTTP/1.1 200 OK",
        "bare HTML error body, NO status line (HTTP/0.9-style)",
    ),
    (
        "`BREW / HTTP/1.1 (static)`",
        b"BREW / HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n",
        "HTTP/1.1 405 Not Allowed",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
        "HTTP/1.0 501 Unsupported method ('BREW')",
    ),
    (
        "`BREW /proxied HTTP/1.1 (proxied)`",
        b"BREW /proxied HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
        "HTTP/1.0 501 Unsupported method ('BREW')",
    ),
    (
        "`brew / HTTP/1.1 (lowercase method)`",
        b"brew / HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n",
        "HTTP/1.1 400 Bad Request",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
        "HTTP/1.0 501 Unsupported method ('brew')",
    ),
    (
        "`brew /proxied HTTP/1.1 (proxied, lowercase method)`",
        b"brew /proxied HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n",
        "HTTP/1.1 400 Bad Request",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
        "HTTP/1.0 501 Unsupported method ('brew')",
    ),
    (
        "`TRACE /proxied HTTP/1.1 (proxied)`",
        b"TRACE /proxied HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n",
        "HTTP/1.1 405 Not Allowed",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
        "HTTP/1.0 501 Unsupported method ('TRACE')",
    ),
    (
        "`200-char method`",
        b"B" * 200 + b" / HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n",
        "HTTP/1.1 405 Not Allowed",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 405 Method Not Allowed",
        "HTTP/1.0 501 Unsupported method ('BBBBBBBBBBBBBBBBBBBBBBBBBB…",
    ),
    (
        "`POST / HTTP/1.1 (static file)`",
        b"POST / HTTP/1.1\r\nHost: lab\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        "HTTP/1.1 405 Not Allowed",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
        "HTTP/1.0 501 Unsupported method ('POST')",
    ),
    (
        "`POST /proxied, Content-Length: 2000000 (body not sent)`",
        b"POST /proxied HTTP/1.1\r\nHost: lab\r\nContent-Length: 2000000\r\n"
        b"Connection: close\r\n\r\n",
        "HTTP/1.1 413 Request Entity Too Large [client-timeout]",
        "HTTP/1.1 200 OK [client-timeout]",
        "HTTP/1.1 200 OK",
        "HTTP/1.0 501 Unsupported method ('POST')",
    ),
    (
        "`DELETE / HTTP/1.1`",
        b"DELETE / HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n",
        "HTTP/1.1 405 Not Allowed",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
        "HTTP/1.0 501 Unsupported method ('DELETE')",
    ),
    (
        "`PUT / HTTP/1.1`",
        b"PUT / HTTP/1.1\r\nHost: lab\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi",
        "HTTP/1.1 405 Not Allowed",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
        "HTTP/1.0 501 Unsupported method ('PUT')",
    ),
    (
        "`PATCH / HTTP/1.1`",
        b"PATCH / HTTP/1.1\r\nHost: lab\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi",
        "HTTP/1.1 405 Not Allowed",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
        "HTTP/1.0 501 Unsupported method ('PATCH')",
    ),
    (
        "`OPTIONS / HTTP/1.1`",
        b"OPTIONS / HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n",
        "HTTP/1.1 405 Not Allowed",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
        "HTTP/1.0 501 Unsupported method ('OPTIONS')",
    ),
    (
        "`TRACE / HTTP/1.1`",
        b"TRACE / HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n",
        "HTTP/1.1 405 Not Allowed",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
        "HTTP/1.0 501 Unsupported method ('TRACE')",
    ),
    (
        "`CONNECT localhost:80 HTTP/1.1`",
        b"CONNECT localhost:80 HTTP/1.1\r\nHost: localhost:80\r\n\r\n",
        "HTTP/1.1 400 Bad Request",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK [client-timeout]",
        "HTTP/1.0 501 Unsupported method ('CONNECT')",
    ),
    (
        "`POST TE: gzip, chunked`",
        b"POST / HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n0\r\n\r\n",
        "HTTP/1.1 501 Not Implemented",
        "HTTP/1.1 422 Unprocessable Content",
        "HTTP/1.1 501 Not Implemented",
        "HTTP/1.0 501 Unsupported method ('POST')",
    ),
    (
        "`POST TE: foo`",
        b"POST / HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding: foo\r\nConnection: close\r\n\r\n0\r\n\r\n",
        "HTTP/1.1 501 Not Implemented",
        "HTTP/1.1 400 Bad request",
        "HTTP/1.1 501 Not Implemented",
        "HTTP/1.0 501 Unsupported method ('POST')",
    ),
    (
        "`POST TE: chunked, gzip (chunked not final)`",
        b"POST / HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding: chunked, gzip\r\nConnection: close\r\n\r\n0\r\n\r\n",
        "HTTP/1.1 501 Not Implemented",
        "HTTP/1.1 400 Bad request",
        "HTTP/1.1 501 Not Implemented",
        "HTTP/1.0 501 Unsupported method ('POST')",
    ),
    (
        "`GET TE: gzip, chunked`",
        b"GET / HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n0\r\n\r\n",
        "HTTP/1.1 501 Not Implemented",
        "HTTP/1.1 422 Unprocessable Content",
        "HTTP/1.1 501 Not Implemented",
        "HTTP/1.0 200 OK",
    ),
    (
        "`POST TE: chunked + Content-Length`",
        b"POST / HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\nConnection: close\r\n\r\n0\r\n\r\n",
        "HTTP/1.1 400 Bad Request",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
        "HTTP/1.0 501 Unsupported method ('POST')",
    ),
    (
        "`HTTP/1.1 without Host`",
        b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n",
        "HTTP/1.1 400 Bad Request",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 400 Bad Request: missing required Host header",
        "HTTP/1.0 200 OK",
    ),
    (
        "`Upgrade: h2c request`",
        b"GET / HTTP/1.1\r\nHost: lab\r\nConnection: Upgrade, HTTP2-Settings, close\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
        "HTTP/1.0 200 OK",
    ),
    (
        "`9 KB request header field`",
        b"GET / HTTP/1.1\r\nHost: lab\r\nX-Big: " + b"a" * 9000 + b"\r\nConnection: close\r\n\r\n",
        "HTTP/1.1 400 Bad Request",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
        "HTTP/1.0 200 OK",
    ),
    (
        "`15.5 KB request header`",
        b"GET / HTTP/1.1\r\nHost: lab\r\nX-Big: " + b"a" * 15500 + b"\r\nConnection: close\r\n\r\n",
        "HTTP/1.1 400 Bad Request",
        "HTTP/1.1 400 Bad request",
        "HTTP/1.1 200 OK",
        "HTTP/1.0 200 OK",
    ),
    (
        "`20 KB request header`",
        b"GET / HTTP/1.1\r\nHost: lab\r\nX-Big: " + b"a" * 20000 + b"\r\nConnection: close\r\n\r\n",
        "HTTP/1.1 400 Bad Request",
        "HTTP/1.1 400 Bad request",
        "HTTP/1.1 200 OK",
        "HTTP/1.0 200 OK",
    ),
)


class Note(FrozenRecord):
    """One observation the lessons cite, with where it comes from."""

    __slots__ = ("source", "text")
    text: str
    source: str

    def __init__(self, text: str, source: str) -> None:
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "source", source)


NOTES_OBSERVED = (
    f"{OBSERVED}: nginx 1.22.1 with tests/gateways/nginx.notes.conf, re-run by "
    "tests/test_real_gateways.py::test_nginx_notes"
)

# Other observations the lessons cite. Those whose source is NOTES_OBSERVED are re-run
# against the real nginx; the others say where they come from.
NOTES: tuple[Note, ...] = (
    Note(
        "nginx 1.22.1 answers POST, DELETE and an unknown method (BREW) on a static file with "
        "405 Not Allowed and no Allow header (RFC 9110 15.5.6: a 405 MUST send Allow; for a "
        "method it does not recognise at all, RFC 9110 9.1 asks for 501). GET and HEAD of the "
        "same file get 200 with the same headers; the HEAD answer has no body (RFC 9110 9.3.2).",
        NOTES_OBSERVED,
    ),
    Note(
        "An upstream's status outside RFC 9110's 100-599, 600, nginx 1.22.1, HAProxy 2.6.12 and "
        "Caddy 2.6.2 relay as it came (Caddy with Go's reason phrase, 'status code 600'), and "
        "so does the lab's gateway in every personality; RFC 9110 15 calls such a status "
        "invalid and has a client that receives one treat it as a 5xx.",
        "observed 2026-12-07, re-run by "
        "tests/test_real_gateways.py::test_the_framing_and_status_line_of_a_relayed_answer",
    ),
    Note(
        "Caddy 2.6.2's file_server answered PUT, PATCH and TRACE of a file, and an unknown "
        "method (BREW), with 200 and the file, as it answers GET; a path with no file got 404 "
        "whatever the method. nginx's static location answers them 405 without Allow (the "
        "rows of 'Requests sent straight to each server'); RFC 9110 9.1 asks for 501 for a "
        "method the server implements on no resource.",
        "observed 2026-12-06 (caddy run with 'root' and 'file_server', its defaults), re-run "
        "by tests/test_real_gateways.py::test_caddys_file_server_answers_any_method",
    ),
    Note(
        "nginx's limit_req answers a client over its rate with 503 Service Temporarily "
        "Unavailable by default, an nginx-made 503 that has nothing to do with any upstream; "
        "'limit_req_status 429' makes it 429 Too Many Requests (RFC 6585 4). Neither carries "
        "Retry-After; error.log says 'limiting requests, excess: ... by zone'.",
        NOTES_OBSERVED,
    ),
    Note(
        "nginx answers 505 for 'HTTP/2.0' and 'HTTP/3.0' request lines.",
        f"{OBSERVED} (the request-version rows above, re-run by tests/test_real_gateways.py)",
    ),
    Note(
        "A client that sends part of a request head and stops: nginx waits "
        "client_header_timeout (60 s by default; tenths of a second in the test) and closes the "
        "connection "
        "without sending a byte; only its access.log says 408, and error.log says 'client "
        "timed out (110: Connection timed out) while reading client request headers'. RFC "
        "9110 15.5.9 lets a server send 408 Request Timeout before it closes; nginx does not.",
        NOTES_OBSERVED,
    ),
    Note(
        "nginx proxy_cache stored an upstream 503 carrying Cache-Control: max-age=60 "
        "($upstream_cache_status MISS, then HIT) and sent no Age on the hit, although RFC "
        "9111 4 says a cache MUST send Age with a stored response.",
        NOTES_OBSERVED,
    ),
    Note(
        "nginx proxy_cache stored an upstream 429 and an upstream 511 carrying Cache-Control: "
        "max-age=60 too, and served each again as a HIT, although RFC 6585 4 and 6 say a 429 "
        "and a 511 MUST NOT be stored by a cache: only the response's own no-store keeps it "
        "out, which is why the lab's origin (429) and portal (511) send it. HAProxy 2.6's "
        "cache (cache-use, cache-store) stored none of the three, a 200 with the same "
        "headers it did (and sent Age: 0 on its hit).",
        f"{NOTES_OBSERVED}; HAProxy's cache probed once (2026-12-05), not re-run",
    ),
    Note(
        "With 'proxy_cache_use_stale error timeout http_500', nginx served a stored 200 whose "
        "max-age had passed when the upstream then closed without answering or answered 500 "
        "($upstream_cache_status STALE, no Age, no Warning). Without that directive, "
        "'stale-if-error=60' in the stored response's Cache-Control (RFC 5861 4) made nginx "
        "serve the stale copy when the upstream closed without answering, but not when it "
        "answered 500 (relayed, EXPIRED), although RFC 5861 4 counts a 500 as an error.",
        NOTES_OBSERVED,
    ),
    Note(
        "proxy_next_upstream (default 'error timeout'): with two servers in an upstream block "
        "(the first refusing connections or closing without a response, the second a backup), "
        "nginx sent a GET on to the second server and answered 200; error.log keeps the first "
        "failure. A POST went on to the second server after the refused connect (nothing had "
        "been sent) but not after the first server had received it and closed: 502, since "
        "nginx passes a non-idempotent request to the next server only with 'non_idempotent'.",
        NOTES_OBSERVED,
    ),
    Note(
        "An upstream 503 with Retry-After: 120 and Cache-Control: no-store was relayed "
        "unchanged by nginx, HAProxy and Caddy (nginx with its own Server, Caddy with 'Caddy').",
        f"{OBSERVED} (re-run by tests/test_real_gateways.py: the upstream 'maintenance-503')",
    ),
    Note(
        "HAProxy termination states: SC-- for a refused connection, sC-- only for a connect "
        "timeout, SH-- when the server aborted before its headers, sH-- for a read timeout, "
        "PH-- for an invalid or oversized head, SD-- for a body cut off (closed or reset inside it), "
        "sD-- for a body that stopped for longer than 'timeout server'.",
        f"{OBSERVED} (SC--, sC--, SH--, sH-- and PH-- are the log words of the HAProxy rows "
        "above, re-run by tests/test_real_gateways.py; SD-- and sD-- probed 2026-12-05, "
        "not re-run)",
    ),
    Note(
        "A chunked request body with a chunk size some server refuses: nginx 1.22.1 answers "
        "400 at once to any size from 0800000000000000 (2^59) up, 20 hex digits included, "
        "even before the size line ends (error.log 'client sent invalid chunked body'), and "
        "413 to a 2 MiB chunk as its first byte arrives (client_max_body_size 1m; 'client "
        "intended to send too large chunked body'); to a smaller size past the limit it says "
        "nothing until the data comes. HAProxy 2.6.12 answers 400 to any size from "
        "10000000000000 (2^52) up and passes smaller ones on, 2 MiB included. Both take "
        "00000000000000001, 17 digits for a size of 1 (RFC 9112 7.1: chunk-size is 1*HEXDIG). "
        "Caddy 2.6.2 streams the body to its upstream, and Go's chunked reader refuses more "
        "than 16 hex digits whatever their value: in front of an upstream that reads the "
        "whole body before answering, the client gets Caddy's 502 for 20 digits and for "
        "00000000000000001, and nothing for the 16-digit sizes while Caddy waits for their "
        "data (an upstream that answers first is relayed instead). The lab's origin and "
        "gateway answer at once from the size line: 400 past 7fffffffffffffff (2^63 - 1, "
        "the largest a signed 64-bit count holds), 413 for any size that takes the body past "
        "its body limit; so 7fffffffffffffff, 0800000000000000 and 10000000000000 get 413 from the "
        "lab and 400 from nginx and HAProxy.",
        f"{OBSERVED} 2026-12-03, every size re-run by "
        "tests/test_real_gateways.py::test_chunk_sizes (nginx, HAProxy, Caddy) and "
        "tests/test_origin.py (the lab)",
    ),
    Note(
        "An upstream asked in HTTP/1.0 must not answer chunked (RFC 9112 6.1); one that does "
        "anyway, behind an HTTP/1.0 client: HAProxy 2.6.12 (which passes the client's HTTP/1.0 "
        "on) relays the chunks as they came, 'transfer-encoding: chunked' under 'HTTP/1.1 200 "
        "OK', which 6.1 forbids too (a server MUST NOT send Transfer-Encoding unless the "
        "request indicates HTTP/1.1 or later): a client that does not know chunked reads the "
        "chunk sizes as part of the body. nginx 1.22.1 and Caddy 2.6.2 remove the chunking "
        "and end the body by closing the connection; so does the lab's gateway in every "
        "personality (not imitated). Behind an upstream that frames its body by closing, "
        "HAProxy does not chunk either.",
        f"{OBSERVED} 2026-12-04, re-run by "
        "tests/test_real_gateways.py::test_what_the_upstream_receives",
    ),
    Note(
        "An upstream's chunked body cut off inside a chunk, after the status line was relayed "
        "(the upstream closes or resets the connection): "
        "nginx 1.22.1 and HAProxy 2.6.12 close the client's connection without the last chunk, "
        "so the client can tell the body is incomplete (RFC 9112 7.1, 8). Caddy 2.6.2 ends the "
        "body with a last chunk ('0') as though it were whole: the client gets a 200 that "
        "looks complete, and only Caddy's log says 'reading from backend: unexpected EOF'. "
        "The lab's gateway closes without the last chunk in every personality (not imitated).",
        f"{OBSERVED} 2026-12-04 (close and reset alike), the close re-run by "
        "tests/test_real_gateways.py::test_what_the_upstream_receives",
    ),
    Note(
        "Default timeouts toward the upstream: nginx waits 60 s to connect and 60 s for a read "
        "(proxy_connect_timeout, proxy_read_timeout). Caddy 2.6.2 with a bare 'reverse_proxy' "
        "answered 502 after 3 s to an upstream that never accepted the connection ('dial tcp "
        "...: i/o timeout') and relayed a 200 its upstream sent after 6 s: no read timeout by "
        "default. HAProxy 2.6.12 with no timeouts warned at start ('missing timeouts for "
        "frontend') and relayed the same 6 s answer. The lab's routes wait tenths of a second.",
        "nginx docs (ngx_http_proxy_module); Caddy and HAProxy observed 2026-12-05, re-run by "
        "tests/test_real_gateways.py::test_default_timeouts_toward_the_upstream",
    ),
    Note(
        "An upstream whose response head arrives slowly, one field line every 0.2 s for 1 s, "
        "each gap shorter than the 0.3 s read timeout: nginx 1.22.1, HAProxy 2.6.12 and Caddy "
        "2.6.2 all answered 504 at 0.3 s. The read timeout covers the whole head from the "
        "moment the request was sent (nginx's proxy_read_timeout, documented as 'between two "
        "successive read operations', is re-armed only while the body arrives: "
        "ngx_http_upstream_process_header leaves the timer set when the request went out); "
        "the lab's gateway does the same in every personality.",
        f"{OBSERVED} 2026-12-05, re-run by tests/test_real_gateways.py (the upstream 'drip-head')",
    ),
    Note(
        "An upstream that sends its head and part of a Content-Length body, then stops "
        "(longer than the read timeout) or resets the connection: nginx 1.22.1 relays the "
        "head but none of the body bytes that had arrived (proxy_buffering, on by default, "
        "holds them until its buffer fills or the body ends), then closes the client's "
        "connection, at its proxy_read_timeout for a stop (error.log 'upstream timed out (110: "
        "Connection timed out) while reading upstream'), at once for a reset ('readv() failed "
        "(104: Connection reset by peer) while reading upstream'); after a close (FIN) it "
        "relays the bytes that came before it, as the lab's body-cut upstream shows. "
        "HAProxy 2.6.12 relays the "
        "bytes that arrived and closes, at its 'timeout server' (sD--) or at once (SD--). "
        "Caddy 2.6.2 relays them too, closes at once after a reset ('aborting with incomplete "
        "response'), and waits for a stopped body as long as it takes: its "
        "response_header_timeout covers the head only, so a 1.5 s stop behind a 0.3 s timeout "
        "reached the client as a whole 200. The lab's gateway relays the bytes that arrived and "
        "closes, at its read timeout or at once, in every personality (not imitated).",
        "observed 2026-12-05 (probe: 20-byte body, 5 bytes then a 1.5 s stop; 100-byte "
        "body, 10 bytes then, 0.1 s later, a reset or a close; read timeout 0.3 s), re-run by "
        "tests/test_real_gateways.py::test_a_body_that_stops_or_breaks",
    ),
    Note(
        "A client that closes its connection while the gateway waits for the upstream (httpx "
        "after its own timeout of 0.2 s; the gateway's read timeout 0.3 s; the upstream "
        "answering after 0.5 s): nginx 1.22.1 noticed the close at once, closed its connection "
        "to the upstream at 0.2 s and logged 499 in its access log (a status no client "
        "receives; its error log says 'client prematurely closed connection, so upstream "
        "connection is closed too' at level info, below the default). Caddy 2.6.2 also closed "
        "its upstream connection at 0.2 s and logged nothing by default. HAProxy 2.6.12 "
        "went on waiting and logged its 504 with sH-- at "
        "0.3 s, as the lab's gateway answers 504 at its read timeout in every personality (not "
        "imitated). Each upstream went on with its work: closing a connection does not stop a "
        "handler that is already running.",
        "observed 2026-12-05, re-run by tests/test_real_gateways.py::"
        "test_a_client_that_leaves_while_the_gateway_waits (who closes the upstream connection "
        "when, nginx's 499, HAProxy's 504 sH--; with the client leaving after 0.05 s)",
    ),
    Note(
        "A client that sends a request's head and part of its body, then stalls: HAProxy "
        "2.6.12 passed the head on and, when its 'timeout server' (shorter than its 'timeout "
        "client') ran out while the upstream still waited for the rest of the body, answered "
        "504 Gateway Time-out and logged 'sH--': the status and termination state of an "
        "upstream slow to answer, caused by the client. nginx 1.22.1 and Caddy 2.6.2 kept "
        "waiting for the body (nginx's client_body_timeout is 60 s by default). The lab's "
        "gateway waits no longer than its head timeout, which covers the body too, then ends "
        "the request as it ends a slow head, with a 408 or a bare close (not imitated).",
        f"{OBSERVED} 2026-12-04 (POST /orders, 3 of 10 body bytes), HAProxy's re-run by "
        "tests/test_real_gateways.py::test_real_gateway_and_its_personality_agree",
    ),
    Note(
        "Captive-portal checks: Android and Chrome expect 204 from /generate_204; Apple "
        "expects 200 with 'Success' from /hotspot-detect.html; Windows expects 200 'Microsoft "
        "Connect Test' from /connecttest.txt. What a device makes of another answer differs: "
        "Android takes a 200-399 other than 204 (an empty 200 counts as 204) for a portal and "
        "shows its sign-in notification, and any other status, 511 included, for a network "
        "without internet; Chrome's detector takes a 511 for a portal too, and a 204 or a 200 "
        "with a body of at most one byte for online.",
        "AOSP NetworkStack, NetworkMonitor.sendHttpProbe ('200 response with Content-length=0 "
        "interpreted as 204 response') and CaptivePortalProbeResult.isPortal(); Chromium, "
        "components/captive_portal/core/captive_portal_detector.cc, "
        "GetCaptivePortalResultFromResponse (511: behind a captive portal; 204, or 200 with a "
        "body of 0 or 1 byte: connected; any other 2xx or 3xx: behind a captive portal); read in "
        "their source, not run here",
    ),
    Note(
        "Caddy 2.6.2 passes the HTTP/2 preface's first line (PRI * HTTP/2.0) on to its upstream "
        "as a request, 'PRI * HTTP/1.1', and relays the upstream's answer: its 200 in the "
        "request-line rows above is the upstream's. HAProxy switches to HTTP/2 itself and nginx "
        "answers 400: neither passes anything on.",
        f"{OBSERVED} 2026-12-04, re-run by tests/test_real_gateways.py::test_direct_requests",
    ),
    Note(
        "nginx 1.22.1 relays an upstream's non-HTTP bytes as HTTP/0.9; current nginx still does.",
        "src/http/modules/ngx_http_proxy_module.c, ngx_http_proxy_process_status_line; the "
        "garbage rows above are re-run",
    ),
)

# Trailer fields (RFC 9110 6.5; in HTTP/1.1 after a chunked body's last chunk, RFC 9112 7.1.2):
# what passes each real server and the lab's gateway, both ways. Observed 2026-12-04 on loopback
# with tests/gateways/ in front of an upstream that answers chunked with 'Trailer: X-Checksum'
# and the field 'X-Checksum: abc' after its last chunk, and that records what it receives (a
# chunked POST with 'Trailer: X-Sum' and 'X-Sum: 1' after its last chunk); every cell re-run by
# tests/test_real_gateways.py::test_what_the_upstream_receives. Response rows held with and
# without 'TE: trailers' from the client. Each row: key, what is asked, then nginx, HAProxy,
# Caddy, the lab.
TRAILER_SERVERS = (
    "nginx 1.22.1",
    "HAProxy 2.6.12",
    "Caddy 2.6.2",
    "the lab's gateway (every personality)",
)
# the lab's cell of a row each personality imitates (the haproxy and caddy ones as their
# server, the others as nginx: TE goes no further); ``passes_te`` reads the row
AS_ITS_SERVER = "as its personality's server"
TRAILERS: tuple[tuple[str, str, str, str, str, str], ...] = (
    (
        "response-fields",
        "a response's trailer fields reach the client",
        "no",
        "yes",
        "yes",
        "no",
    ),
    (
        "response-announced",
        "a response's `Trailer` header reaches the client",
        "yes",
        "yes",
        "yes",
        "no",
    ),
    (
        "te",
        "a client's `TE: gzip, trailers` reaches the upstream as `TE: trailers`",
        "no",
        "yes",
        "yes",
        AS_ITS_SERVER,
    ),
    (
        "te-connection",
        "... when the client's `Connection` names `TE`, as RFC 9110 10.1.4 asks",
        "no",
        "yes",
        "no",
        AS_ITS_SERVER,
    ),
    (
        "request-framing",
        "a chunked request body goes upstream",
        "with Content-Length",
        "chunked",
        "chunked",
        "with Content-Length",
    ),
    ("request-fields", "a request's trailer fields reach the upstream", "no", "yes", "no", "no"),
    (
        "request-announced",
        "a request's `Trailer` header reaches the upstream",
        "yes",
        "yes",
        "yes",
        "no",
    ),
)
TRAILERS_NOTE = (
    "RFC 9112 7.1.2 lets a recipient that removes the chunked coding keep or discard trailer "
    "fields, so none may be relied on. nginx asks its upstream in HTTP/1.0 (its default), to "
    "which a server must not send a chunked response (RFC 9112 6.1): from an upstream that "
    "follows the RFC no trailer reaches nginx at all; this one sent them anyway, and nginx "
    "dropped the fields and kept the `Trailer` header announcing them. Of a client's `TE`, "
    "HAProxy and Caddy pass on the `trailers` member alone (`TE: gzip, trailers` arrives as "
    "`TE: trailers`; `TE: gzip` not at all); HAProxy also passes the client's `Connection: "
    "TE` on, and Caddy (Go's ReverseProxy) keeps `TE: trailers` only when `Connection` does "
    "not name it. The lab's haproxy and caddy personalities do the same with `TE`; the other "
    "personalities drop it, as nginx does. The lab simplifies the rest: its gateway re-frames "
    "a request body with Content-Length and relays a response's chunks without their trailer "
    "section, dropping `Trailer` and every trailer field in every personality."
)


# Long lines in a chunked request body: one chunk extension (RFC 9112 7.1.1 asks a server to
# limit their length, and sets no number) or one trailer field of the size named, in a POST to
# a proxied location. Each cell: the first line the server sent back (as DIRECT_REQUESTS
# writes it), in front of an upstream that reads the whole body (by its Content-Length, or
# chunked to the end of its trailer section) before it answers 200; the lab's cell: its
# gateway's, in every personality. Observed 2026-12-06 on loopback with tests/gateways/direct.*;
# every cell re-run by tests/test_real_gateways.py::test_a_long_line_in_a_chunked_request_body.
CHUNK_LINE_SERVERS = TRAILER_SERVERS
_CHUNKED_POST = (
    b"POST /proxied HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding: chunked\r\n"
    b"Connection: close\r\n\r\n"
)
# Built by its first reader (the module's __getattr__, below), not by every lab's import: its two
# 200,000-byte requests are 0.4 MB of each lab process (1.2 M instructions to build), and only
# tests/test_real_gateways.py and the gateways document read them.
CHUNK_LINES: tuple[tuple[str, bytes, str, str, str, str], ...]


def _chunk_lines() -> tuple[tuple[str, bytes, str, str, str, str], ...]:
    return (
        (
            "a 5,000-byte chunk extension",
            _CHUNKED_POST + b"1;ext=" + b"a" * 5_000 + b"\r\nx\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK",
            "HTTP/1.1 200 OK",
            "HTTP/1.1 502 Bad Gateway",
            "passed on",
        ),
        (
            "a 5,000-byte trailer field",
            _CHUNKED_POST + b"1\r\nx\r\n0\r\nX-Trailer: " + b"a" * 5_000 + b"\r\n\r\n",
            "HTTP/1.1 200 OK",
            "HTTP/1.1 200 OK",
            "HTTP/1.1 502 Bad Gateway",
            "passed on",
        ),
        (
            "a 200,000-byte chunk extension",
            _CHUNKED_POST + b"1;ext=" + b"a" * 200_000 + b"\r\nx\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK",
            "HTTP/1.1 400 Bad request",
            "HTTP/1.1 502 Bad Gateway",
            "HTTP/1.1 400 Bad Request",
        ),
        (
            "a 200,000-byte trailer field",
            _CHUNKED_POST + b"1\r\nx\r\n0\r\nX-Trailer: " + b"a" * 200_000 + b"\r\n\r\n",
            "HTTP/1.1 200 OK",
            "HTTP/1.1 400 Bad request",
            "HTTP/1.1 502 Bad Gateway",
            "HTTP/1.1 400 Bad Request",
        ),
    )


CHUNK_LINES_NOTE = (
    "nginx read the whole body and sent it on with Content-Length, without the extension or "
    "the trailer field, at every length tried (up to 200,000 bytes). HAProxy dropped the extension and passed the "
    "trailer field on, up to about 16 KB (a 16,000-byte extension and a 15,000-byte field "
    "passed; a 20,000-byte extension and a 15,500-byte field got its 400). Caddy passed a "
    "4,000-byte extension or field on and answered 502 to a 4,100-byte one: Go's chunked "
    "reader takes a line of at most 4,096 bytes (net/http/internal/chunked.go, maxLineLength), "
    "and Caddy answers a failed read of the client's body as an upstream failure. The lab's "
    "servers refuse a line longer than {limit:,} bytes with 400, in every personality: a limit "
    "of the lab's own choosing, which no personality imitates."
)


# Malformed request framing (RFC 9112 5.2, 6.1, 6.3, 7.1) and an invalid Host (3.2), each in a
# POST or GET to a proxied location. Each cell: the first line the server sent back (as DIRECT_REQUESTS writes it), in
# front of an upstream that reads the whole body before it answers 200; the lab's cell: its
# gateway's, in every personality (these are the gateway's own answers, which no personality
# imitates). Observed 2026-12-07 on loopback with tests/gateways/direct.*; every cell re-run by
# tests/test_real_gateways.py::test_malformed_request_framing.
FRAMING_SERVERS = TRAILER_SERVERS
_POST = b"POST /proxied HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n"
FRAMING: tuple[tuple[str, bytes, str, str, str, str], ...] = (
    (
        "`Content-Length: 5, 5`",
        _POST + b"Content-Length: 5, 5\r\n\r\nhello",
        "HTTP/1.1 400 Bad Request",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 400 Bad Request",
        "passed on",
    ),
    (
        "a 25-digit zero-padded `Content-Length`",
        _POST + b"Content-Length: " + b"5".rjust(25, b"0") + b"\r\n\r\nhello",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 400 Bad Request",
    ),
    (
        "an obs-fold line (a field line continued on the next)",
        _POST + b"X-Note: a\r\n b\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 400 Bad Request",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
        "passed on",
    ),
    (
        "`Transfer-Encoding: xchunked`",
        _POST + b"Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
        "HTTP/1.1 501 Not Implemented",
        "HTTP/1.1 400 Bad request",
        "HTTP/1.1 501 Not Implemented",
        "HTTP/1.1 400 Bad Request",
    ),
    (
        "`Transfer-Encoding: chunked, identity`",
        _POST + b"Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
        "HTTP/1.1 501 Not Implemented",
        "HTTP/1.1 400 Bad request",
        "HTTP/1.1 501 Not Implemented",
        "HTTP/1.1 400 Bad Request",
    ),
    (
        "`Transfer-Encoding: identity`",
        _POST + b"Transfer-Encoding: identity\r\n\r\n0\r\n\r\n",
        "HTTP/1.1 501 Not Implemented",
        "HTTP/1.1 400 Bad request",
        "HTTP/1.1 501 Not Implemented",
        "HTTP/1.1 400 Bad Request",
    ),
    (
        "two `Transfer-Encoding: chunked` lines",
        _POST + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "HTTP/1.1 400 Bad Request",
        "HTTP/1.1 400 Bad request",
        "HTTP/1.1 501 Not Implemented",
        "HTTP/1.1 400 Bad Request",
    ),
    (
        "both Content-Length and `Transfer-Encoding: chunked`, no `Connection: close`",
        b"POST /proxied HTTP/1.1\r\nHost: lab\r\nContent-Length: 5\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        "HTTP/1.1 400 Bad Request",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK [client-timeout]",
        "HTTP/1.1 400 Bad Request",
    ),
    (
        "chunk lines ending in a bare LF",
        _POST + b"Transfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 502 Bad Gateway",
        "HTTP/1.1 400 Bad Request",
    ),
    (
        "a space in `Host` (`Host: a b`)",
        b"POST /proxied HTTP/1.1\r\nHost: a b\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 400 Bad Request",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 400 Bad Request: malformed Host header",
        "HTTP/1.1 400 Bad Request",
    ),
    (
        "userinfo in `Host` (`Host: user@lab`)",
        b"POST /proxied HTTP/1.1\r\nHost: user@lab\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 400 Bad Request: malformed Host header",
        "HTTP/1.1 400 Bad Request",
    ),
    (
        "two ports in `Host` (`Host: lab:80:90`)",
        b"POST /proxied HTTP/1.1\r\nHost: lab:80:90\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 400 Bad Request",
    ),
    (
        "an empty `Host` (`Host:`)",
        b"POST /proxied HTTP/1.1\r\nHost:\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 400 Bad Request",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
        "passed on",
    ),
)


FRAMING_NOTE = (
    "RFC 9110 and 9112 let a recipient answer most of these either way: a list of identical "
    "Content-Length values may be taken as the one value or refused (RFC 9110 8.6), an "
    "obs-fold line unfolded or refused (RFC 9112 5.2), a Transfer-Encoding whose final coding is not "
    "chunked is a 400 from a server (RFC 9112 6.3; nginx and Caddy say 501, which 6.1 gives for a "
    "coding a server does not understand). Content-Length is 1*DIGIT (RFC 9110 8.6): "
    "leading zeros are allowed, and the lab's servers read at most 20 digits (h11's limit), "
    "so the 25-digit one gets the lab's 400. Chunk lines end in CRLF (RFC 9112 7.1); the bare LF that 2.2 "
    "lets a recipient accept is for the start line and field lines. The lab's servers "
    "answer 400 at the first chunk line that ends in a bare LF, naming the rule; nginx and "
    "HAProxy read the bare LF as CRLF and served the request, Caddy answered 502. A request with both Content-Length and Transfer-Encoding may be "
    "refused or read by its Transfer-Encoding, and either way the server MUST close the "
    "connection after answering (RFC 9112 6.3): nginx refused it, HAProxy served it and "
    "closed, Caddy served it and kept the connection open ([client-timeout]: open "
    "{wait} s after its answer), which 6.3 forbids. A Host whose value is not a host and an "
    "optional port MUST get 400 (RFC 9112 3.2, with RFC 3986's uri-host): the lab's servers "
    "answer 400 to the three here; Caddy (Go's net/http) did to the space and the userinfo, "
    "nginx only to the space, HAProxy to none, and all three passed two ports on. An empty "
    "Host is what a client sends when the target URI has no authority (RFC 9112 3.2), and a "
    "server then uses a default name of its own (3.3): the lab's servers serve it, HAProxy "
    "and Caddy passed it on, nginx answered 400. These answers are the lab's own in every "
    "personality."
)


def passes_te(name: str) -> bool:
    """Whether the personality ``name`` passes a client's ``TE: trailers`` on (its server's
    cell of the ``te`` row; a client's ``Connection`` naming ``TE`` is the personality's
    ``relayed_upgrade`` treatment: HAProxy's keeps it, Caddy's drops TE with it)."""
    return name in _PASSES_TE


# read from the table once, not on each forwarded request
_PASSES_TE = frozenset(
    server
    for row in TRAILERS
    if row[0] == "te"
    for server, cell in zip(("nginx", "haproxy", "caddy"), row[2:5], strict=True)
    if cell == "yes"
)


PERSONALITIES: dict[str, Personality] = {p.name: p for p in (RFC, NGINX, HAPROXY, ENVOY, CADDY)}


if TYPE_CHECKING:  # the tables a lesson shows load their renderer when one is shown
    from labkit.render.text import TextTable

# What a client sees, in a few words (disagreement_table): the lesson's own table printed
# "raw bytes", "200, cut" and "502 relayed" in English in the Chinese lesson until December 2026
_SEES = {
    AnswerKind.HTTP09: Msg("raw bytes"),  # no status line: HTTP/0.9 passthrough
    AnswerKind.CUT: Msg("200, cut"),  # the upstream's 200 already relayed, its body cut off
}


def client_sees(answer: Answer, lang: str | None = None) -> str:
    """What a client sees of ``answer``, in a few words in ``lang`` (default: the learner's
    language): the status of a page, "502 relayed" for an invalid answer passed on, "200
    empty" for an empty page of the gateway's own, "502 not recorded" where neither a run nor a
    document gives the answer."""
    lang = lang or i18n.learner_language()
    if answer.kind in _SEES:
        return _SEES[answer.kind].render(lang)
    if answer.kind is AnswerKind.RELAY:
        return Msg("{status} relayed", status=answer.status).render(lang)
    if answer.empty_of_its_own:
        return Msg("{status} empty", status=answer.status).render(lang)
    if not answer.recorded:
        return Msg("{status} not recorded", status=answer.status).render(lang)
    return str(answer.status)


def disagreement_table(lang: str | None = None) -> TextTable:
    """Lesson 09's whole picture: for each upstream condition (a row, named as code spells
    it), what the client sees behind each personality (a column), read from their tables;
    the words in ``lang`` (default: the learner's language)."""
    from labkit.render.text import TextTable

    lang = lang or i18n.learner_language()
    names = list(PERSONALITIES)
    rows = [
        [condition.value, *(client_sees(get(name).answer(condition), lang) for name in names)]
        for condition in Condition
    ]
    return TextTable([Msg("upstream condition").render(lang), *names], rows)


_RELAYED_SERVER: dict[RelayedServer, Msg] = {
    "keep": Msg("the upstream's"),
    "replace": Msg("its own"),
    "both": Msg("its own, then the upstream's"),
}


def headers_table(lang: str | None = None) -> TextTable:
    """Lesson 09: what each personality does to the headers that tell who made a response
    (``Personality.headers``): its own pages' Server, a relayed response's Server, whether it
    adds Via; the words in ``lang`` (default: the learner's language)."""
    from labkit.render.text import TextTable

    lang = lang or i18n.learner_language()
    heads = (
        Msg("gateway"),
        Msg("Server on its own pages"),
        Msg("Server on a relayed response"),
        Msg("adds Via"),
    )
    rows = [
        [
            name,
            p.headers.server or Msg("(none)").render(lang),
            _RELAYED_SERVER[p.headers.relayed_server].render(lang),
            (Msg("yes") if p.headers.via else Msg("no")).render(lang),
        ]
        for name, p in PERSONALITIES.items()
    ]
    return TextTable([h.render(lang) for h in heads], rows)


def get(name: str) -> Personality:
    """The personality of that name, in any case ("HAProxy" is "haproxy")."""
    key = name.strip().lower() if isinstance(name, str) else None
    if key not in PERSONALITIES:
        raise unknown("gateway personality", name, PERSONALITIES)
    return PERSONALITIES[key]


if not TYPE_CHECKING:  # a type checker reads CHUNK_LINES's declaration, and flags other names

    def __getattr__(name: str) -> object:
        """``CHUNK_LINES`` on first use (see there)."""
        if name == "CHUNK_LINES":
            global CHUNK_LINES
            CHUNK_LINES = _chunk_lines()
            return CHUNK_LINES
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
