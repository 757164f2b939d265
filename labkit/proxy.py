"""Forwarding one request to an upstream and relaying its answer: what gateway and portal share.

Hop-by-hop headers are dropped and ``Via`` is added in both directions (RFC 9110
7.6.1, 7.6.3), and ``Proxy-Status`` (RFC 9209) names this hop on what it relays.
When the upstream fails, the proxy answers with the status its outcome table
gives, on a page that says the proxy made it and a ``Proxy-Status`` naming the
error. A gateway with a personality (``gateway.py``) treats these headers the way
its real server does instead (``personalities.Headers``).
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator, Callable
from functools import lru_cache, partial
from typing import TYPE_CHECKING, TypeGuard
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import h11

    from labkit.http.server import Fields
else:  # imported by the first message that needs it
    from labkit.http import lazyh11 as h11

from labkit import i18n, personalities
from labkit.conditions import (
    FAILED_WHY,
    RFC_TABLE,
    UNREACHABLE_RFC,
    Condition,
    Outcome,
)
from labkit.errors import check_number, refuse, shown, unknown
from labkit.http import pages, proxystatus, upstream
from labkit.http.headend import head_end, message_head
from labkit.http.messages import Headers, Request, Response
from labkit.http.requestcheck import transfer_codings
from labkit.http.server import (
    Generations,
    HTTPServer,
    Listener,
    entries_fields,
    h11_entries,
    h11_fields,
    id_entry,
    judged_request,
    request_event,
)
from labkit.i18n import Msg, Said, Text
from labkit.record import FrozenRecord, Record, replace
from labkit.recorder import Attempt, Recorder, Step

# Read from their class once (on CPython 3.11 each ``Step.FORWARDED`` runs EnumType's
# ``__getattr__`` hook, about 900 instructions): each relayed request names these
_STEP_FORWARDED, _STEP_ANSWERED = Step.FORWARDED, Step.ANSWERED
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",  # HAProxy's and Caddy's personalities pass its trailers member (_forwarding_parts)
        # not hop-by-hop in RFC 9110 (6.6.2): dropped because the lab relays no trailer
        # section, so it announces none (personalities.TRAILERS; nginx, HAProxy, Caddy keep it)
        "trailer",
        "transfer-encoding",
        "upgrade",
        "proxy-authenticate",
        "proxy-authorization",
    }
)

# What a relayed response loses, by the personality's treatment of Upgrade (relayed_upgrade)
_NOT_RELAYED = {
    "keep": frozenset(HOP_BY_HOP - {"upgrade", "connection"}),
    "keep-upgrade": frozenset(HOP_BY_HOP - {"upgrade"}),
}

# Connection options about the upstream's own connection: a relayed Connection loses them
# (real HAProxy drops an upstream's keep-alive and close, and writes its own)
_OWN_OPTIONS = frozenset({"close", "keep-alive"})


def _named_options(headers: Headers) -> frozenset[str]:
    """The fields a message's Connection header names: a proxy that removes Connection
    removes them too (RFC 9110 7.6.1; Caddy does, nginx and HAProxy keep them)."""
    named: frozenset[str] = frozenset()
    for k, v in headers:
        if len(k) == 10 and k.lower() == "connection":
            named |= {t.strip().lower() for t in v.split(",")} - {""}
    return named


def _names_trailers(value: str) -> bool:
    """Whether a TE field value lists ``trailers`` (RFC 9110 10.1.4: t-codings, each with
    optional parameters)."""
    return any(t.split(";", 1)[0].strip().lower() == "trailers" for t in value.split(","))


# A forwarded request loses the hop-by-hop headers and those the proxy writes anew, and
# Expect: the proxy has already invited and read the whole body (as nginx, which drops it);
# it looks at the first value of a few (one pass over the headers, one lowercasing each).
_NOT_FORWARDED = frozenset(HOP_BY_HOP | {"x-request-id", "via", "content-length", "expect"})
_LOOKED_AT = frozenset({"via", "content-length", "transfer-encoding", "x-forwarded-for"})
# Named in a client's Connection, still forwarded: the request cannot be routed without Host
_ALWAYS_FORWARDED = frozenset({"host"})
# Options of a client's Connection that HAProxy's personality does not pass on: its own
# connection's, and upgrade (the lab drops Upgrade: it opens no tunnel)
_NOT_PASSED_ON = _OWN_OPTIONS | {"upgrade"}

# A request head up to this size has what is forwarded for its fields kept (_forwarding)
MAX_KEPT_HEAD = 2048
MAX_FORWARDINGS = 64  # distinct requests' fields whose forwarded headers are kept
MAX_KEPT = 256  # Proxy-Status entries, and failure pages, kept (server.Generations)

# What is forwarded for a request's fields (Proxy._forwarding_parts), for the personality,
# keep-alive and body length it was made for: the fields before the X-Request-ID and after
# it, whether there is a Host, those fields as h11 takes them (None: h11_fields judges),
# and their lines as h11 writes them (None: h11 writes them, see upstream.plain_lines)
_Entries = list[upstream.Entry]
_Forwarding = tuple[
    personalities.Personality,
    bool,
    int,
    Headers,
    Headers,
    bool,
    tuple[_Entries, _Entries] | None,
    tuple[bytes, bytes] | None,
]
_FRAMING = frozenset({b"content-length", b"transfer-encoding"})  # h11 judges them together


def _wire(before: Headers, after: Headers) -> tuple[_Entries, _Entries] | None:
    """The fields before and after the X-Request-ID as h11 keeps them (``h11_fields``), or
    None when one does not fit or more than one frames the body."""
    first, then = h11_entries(before), h11_entries(after)
    if first is None or then is None:
        return None
    if sum(1 for _, name, _ in (*first, *then) if name in _FRAMING) > 1:
        return None
    return first, then


# Methods a reverse proxy cannot pass on, and why; answered 501 (RFC 9110 15.6.2: not
# supported for any resource). A CONNECT that is not host:port never gets here: every
# labkit server answers it 400 (RFC 9112 3.2.3).
NOT_PROXIED = {
    "CONNECT": Msg(
        "CONNECT asks a forward proxy to open a tunnel to another host (RFC 9110 9.3.6). The "
        "{role} is a reverse proxy: it passes requests on to its own upstream servers and "
        "opens no tunnels, so it does not implement CONNECT for any resource (501, RFC 9110 "
        "15.6.2)."
    ),
}


def _asking_keep_alive(headers: Headers) -> Headers:
    """A request that goes upstream as HTTP/1.0 on a connection the gateway means to keep:
    HTTP/1.0 closes unless asked otherwise, so its Connection says keep-alive (RFC 9112
    9.3; HAProxy adds 'connection: keep-alive' to an HTTP/1.0 client's request, observed)."""
    for i, (k, v) in enumerate(headers):
        if k.lower() == "connection":
            if "keep-alive" not in {t.strip().lower() for t in v.split(",")}:
                headers = [*headers[:i], (k, f"{v}, keep-alive"), *headers[i + 1 :]]
            return headers
    return [*headers, ("connection", "keep-alive")]


class Target:
    """One upstream address with the name learners know it by."""

    def __init__(self, name: str, host: str, port: int) -> None:
        self.name = name
        self.host = host
        self.port = port
        self.healthy = True

    def __repr__(self) -> str:
        return f"Target({self.name!r})"


class Timeouts(FrozenRecord):
    """A route's two timeouts in seconds: how long the gateway waits for the upstream to
    accept the connection (``connect``, then 504) and for each read of its answer
    (``read``, then 504 before the head): ``Timeouts(connect=0.2, read=0.3)``.

    The dict form of before still works where lessons and exercises use it:
    ``timeouts["read_timeout"]`` and ``Route(..., **timeouts)``.
    """

    __slots__ = ("connect", "read")
    connect: float
    read: float

    def __init__(self, connect: float, read: float) -> None:
        object.__setattr__(self, "connect", _seconds("Timeouts(connect=...)", connect))
        object.__setattr__(self, "read", _seconds("Timeouts(read=...)", read))

    def keys(self) -> tuple[str, str]:
        return ("connect_timeout", "read_timeout")

    def __getitem__(self, key: str) -> float:
        if key == "connect_timeout":
            return self.connect
        if key == "read_timeout":
            return self.read
        raise unknown("timeout", key, self.keys())

    def __str__(self) -> str:
        return f"connect timeout {self.connect:g} s, read timeout {self.read:g} s"


def _seconds(name: str, value: object) -> float:
    return float(check_number(name, value, minimum=0.01, maximum=60))


class Route:
    """Requests whose path starts with ``prefix`` go to ``targets``, with these timeouts.

    ``timeouts`` is a Timeouts; ``connect_timeout=`` with ``read_timeout=`` (the form of
    before, and ``**timeouts``) still works.
    """

    def __init__(
        self,
        prefix: str,
        upstream: str,
        targets: list[Target],
        timeouts: Timeouts | None = None,
        *,
        connect_timeout: float | None = None,
        read_timeout: float | None = None,
        strip_prefix: bool = False,
        health_checked: bool = False,
    ) -> None:
        self.owner: Listener | None = None  # the proxy it is a route of, once added
        self.prefix = prefix
        self.upstream = upstream
        self.targets = targets
        given = connect_timeout is not None or read_timeout is not None
        if timeouts is None and connect_timeout is not None and read_timeout is not None:
            timeouts = Timeouts(
                _seconds("connect_timeout", connect_timeout), _seconds("read_timeout", read_timeout)
            )
        elif timeouts is None or given:
            raise refuse(
                Msg(
                    "route {prefix} takes its timeouts as {form} in seconds, or as both "
                    "connect_timeout= and read_timeout=",
                    prefix=repr(prefix),
                    form="Timeouts(connect=..., read=...)",
                )
            )
        self.timeouts = timeouts
        self.timeouts_changed = False
        """Whether the timeouts were set since the lab made the route or last reset it.

        Set, not changed: a playground's slider or ``labkit ctl timeout`` that sets the value
        the route already had marks it too, deliberately. A judge needs to tell a lab left as
        it was (whose own read timeout, ``lab.UPSTREAM_TIMEOUTS``, is already below lesson
        05's delay, so that nothing done passed) from a learner who chose a timeout; a
        learner who chose the lab's own value chose a right answer, and 05 q2 counts it.
        A check puts the mark back as it found it, with the settings (``checks``), and
        ``lab.reset()`` clears it."""
        self.strip_prefix = strip_prefix
        self.health_checked = health_checked

    @property
    def timeouts(self) -> Timeouts:
        """Both timeouts at once; set a Timeouts to change both (``lab.reset()`` does)."""
        return self._timeouts

    @timeouts.setter
    def timeouts(self, timeouts: Timeouts) -> None:
        if not isinstance(timeouts, Timeouts):
            raise refuse(
                Msg(
                    "timeouts must be {form} in seconds, not {given}",
                    form="Timeouts(connect=..., read=...)",
                    given=shown(timeouts),
                )
            )
        self._change(lambda: timeouts)

    @property
    def connect_timeout(self) -> float:
        """Seconds to wait for the upstream to accept the connection (then 504)."""
        return self._timeouts.connect

    @connect_timeout.setter
    def connect_timeout(self, seconds: float) -> None:
        connect = _seconds("connect_timeout", seconds)
        self._change(lambda: replace(self._timeouts, connect=connect))

    @property
    def read_timeout(self) -> float:
        """Seconds to wait for each read from the upstream (then 504 before the head)."""
        return self._timeouts.read

    @read_timeout.setter
    def read_timeout(self, seconds: float) -> None:
        read = _seconds("read_timeout", seconds)
        self._change(lambda: replace(self._timeouts, read=read))

    def _change(self, new: Callable[[], Timeouts]) -> None:
        """The timeouts are a switch: changed on the lab's loop thread (through the proxy that
        owns the route), between two requests' reads of them."""

        def change() -> None:
            self._timeouts = timeouts = new()
            self.timeouts_changed = True
            # as the gateway's notes say them, made once
            self.timeouts_text = (f"{timeouts.connect:g}", f"{timeouts.read:g}")

        if self.owner is None:
            change()
        else:
            self.owner.switch(change)

    def upstream_target(self, path_and_query: str) -> str:
        if self.strip_prefix and self.prefix != "/":
            rest = path_and_query[len(self.prefix.rstrip("/")) :]
            return rest if rest.startswith("/") else "/" + rest
        return path_and_query

    def __repr__(self) -> str:
        return (
            f"Route({self.prefix!r} -> {self.upstream}, connect_timeout={self.connect_timeout:g} s, "
            f"read_timeout={self.read_timeout:g} s)"
        )


class Failure(Record):
    __slots__ = ("condition", "detail", "error", "number", "params", "target")

    def __init__(
        self,
        condition: Condition,
        detail: Text,  # what was observed: the page renders it in the request's language
        target: Target | None = None,
        params: tuple[tuple[str, int | str], ...] = (),  # the error type's own (Proxy-Status)
        error: str = "",  # the RFC 9209 error type, where the condition's own is not exact
        number: int | None = None,  # a failed connect()'s errno (a personality's log quotes it)
    ) -> None:
        self.condition = condition
        self.detail = detail
        self.target = target
        self.params = params
        self.error = error
        self.number = number


class Proxy(HTTPServer):
    """An HTTP server that forwards requests to upstreams over h11."""

    via_name = "labkit-proxy"

    def __init__(self, name: str, recorder: Recorder, host: str = "127.0.0.1") -> None:
        super().__init__(name, recorder, host)
        self._in_flight: set[upstream.Connection] = set()
        self.pool = upstream.Pool()
        self._rules: tuple[personalities.Personality, frozenset[str], set[str]] | None = None
        self._entries: Generations[tuple[int, str], str] = Generations(MAX_KEPT)
        # a request's fields -> what is forwarded for them (see _forwarding)
        self._forwardings: Generations[tuple[tuple[str, str], ...], _Forwarding] = Generations(
            MAX_FORWARDINGS
        )
        # an upstream's head (less its X-Request-ID) -> the fields relayed, and whether they
        # have a Content-Length (see _relayed_fields)
        self._relays: Generations[
            tuple[bytes, str],
            tuple[personalities.Personality, tuple[tuple[str, str], ...], bool],
        ] = Generations(MAX_KEPT)
        # failure pages made (see failure_response): status, headers, body, why
        self._failures: Generations[
            tuple[object, ...], tuple[int, tuple[tuple[str, str], ...], bytes, str]
        ] = Generations(MAX_KEPT)

    async def serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        _FORWARDED.set([0])
        await super().serve_connection(reader, writer)

    async def stop(self) -> None:
        self.pool.close()
        for conn in list(self._in_flight):
            conn.abort()  # a relay waiting on its upstream ends now
        await super().stop()
        self.pool.close()  # one handed back while the connections stopped

    @property
    def pooling(self) -> personalities.Pooling:
        """Whether and how this proxy keeps upstream connections alive."""
        return self.persona().pooling

    def persona(self) -> personalities.Personality:
        """The personality this proxy answers like (see ``personality``)."""
        return personalities.get(self.personality)

    def outcome(self, condition: Condition) -> Outcome:
        return RFC_TABLE[condition]

    def not_proxied(self, request: Request) -> Response | None:
        """The answer to a method this proxy cannot pass on, or None to forward it."""
        why = NOT_PROXIED.get(request.method)
        if why is None:
            return None
        headers, body = pages.page(
            request, 501, made_by=self.role, paragraphs=[why.bind(role=pages.MADE_BY[self.role])]
        )
        role = pages.MADE_BY[self.role]
        return Response(
            501, headers, body, why=i18n.said(Msg("a {role} does not tunnel (CONNECT)", role=role))
        )

    def final_recipient(self, request: Request) -> Response | None:
        """The answer to an OPTIONS or TRACE with Max-Forwards: 0, which an intermediary MUST
        NOT forward and MUST answer as the final recipient (RFC 9110 7.6.2); None for any
        other request, and where this proxy's personality forwards it anyway (nginx, HAProxy
        and Caddy do: ``personalities.Personality.max_forwards``). OPTIONS gets 204 (no
        Allow: a proxy has no resources of its own, 9.3.7), TRACE 200 with the request as it
        arrived, as message/http, less the fields that carry credentials (9.3.8). A larger
        value goes on one less (``forwarded_headers``)."""
        if request.method not in MAX_FORWARDS_METHODS or self.persona().max_forwards == "ignore":
            return None
        if max_forwards(request) != 0:
            return None
        role = pages.MADE_BY[self.role]
        if request.method == "OPTIONS":
            why = Msg(
                "Max-Forwards: 0: the {role} answers OPTIONS itself (RFC 9110 7.6.2)", role=role
            )
            return Response(204, [], b"", why=i18n.said(why))
        kept = _without_secrets(message_head(request.raw))
        why = Msg(
            "Max-Forwards: 0: the {role} answers TRACE itself, with the request it got less "
            "its credentials (RFC 9110 7.6.2, 9.3.8)",
            role=role,
        )
        body = b"\r\n".join(kept) + b"\r\n\r\n"
        return Response(200, [("Content-Type", "message/http")], body, why=i18n.said(why))

    def forwarded_headers(self, request: Request, keepalive: bool = False) -> Headers:
        """The request's headers as the upstream gets them; the body is re-framed.

        A body that came chunked (or however it came) goes on with a Content-Length of
        the bytes received (RFC 9112 6.3 rule 3: a proxy must not forward the client's).
        Without keep-alive to the upstream the request says ``Connection: close``.
        A personality that reads RFC 9110 7.6.1 in full (the RFC's, Caddy's) also removes
        the fields the client's ``Connection`` names: they were for this hop only. HAProxy's
        passes the client's ``Connection`` on less the options about the client's own
        connection (``close``, ``keep-alive``), as real HAProxy 2.6 does, and less
        ``upgrade``: real HAProxy passes a WebSocket handshake on, but the lab opens no
        tunnel, so ``Upgrade`` never goes on (README: not imitated). nginx's writes its own.
        """
        return self._forwarding(request, keepalive)[0]

    def _forwarding(self, request: Request, keepalive: bool) -> tuple[Headers, bool]:
        """``forwarded_headers``, and whether the request has a Host."""
        _, _, _, before, after, host, _, _ = self._forwarding_made(request, keepalive)
        return [*before, ("X-Request-ID", self.recorder.tagged(request.request_id)), *after], host

    def _forwarding_made(self, request: Request, keepalive: bool) -> _Forwarding:
        """What ``_forwarding`` adds the X-Request-ID to.

        All but the X-Request-ID depends only on the request's fields, its body's length,
        the personality and keep-alive: the same for each request of a client that sends the
        same fields. That part is made once (``_forwarding_parts``) and kept, for requests
        whose head is not large (MAX_FORWARDINGS kept, in two generations).

        The client's own X-Request-ID is never forwarded (``_NOT_FORWARDED``): the lab's
        client sends a new one with each request (``Lab.get``), so its requests are kept by
        their other fields, looked up so only when their whole fields are not kept. Keyed by
        all of them, each of a lesson's requests made its part anew (69 k instructions for
        httpx's six fields) and kept it, one entry per request, pushing out the others.
        """
        person = self.persona()
        fields = tuple(request.headers)
        if request.method in ("OPTIONS", "TRACE") and person.max_forwards != "ignore":
            fields = (*fields, ("", request.method))  # its Max-Forwards goes on one less
        length = len(request.body)
        made = self._forwardings.get(fields)
        # _made_for written out: every forwarded request asks it (the call: 450 instructions)
        if made is not None and made[0] is person and made[1] == keepalive and made[2] == length:
            return made
        unnamed = tuple([field for field in fields if field[0] != "x-request-id"])
        if len(unnamed) < len(fields):
            fields = unnamed
            made = self._forwardings.get(fields)
            if _made_for(made, person, keepalive, length):
                return made
        made = self._forwarding_parts(request, person, keepalive)
        if len(request.raw) - length <= MAX_KEPT_HEAD:
            self._forwardings.keep(fields, made)
        return made

    def _forwarded_fields(self, request: Request, keepalive: bool) -> Fields | None:
        """The forwarded fields as h11 takes them: the entries made once with the rest
        (``_forwarding_parts``) around this request's X-Request-ID, none of them looked up
        or checked again. None where ``h11_fields`` must judge them: without a Host (then
        ``_exchange`` adds one), with a field that does not fit or two that frame the body."""
        _, _, _, _, _, host, wire, _ = self._forwarding_made(request, keepalive)
        if wire is None or not host:
            return None
        entry = id_entry(self.recorder.tagged(request.request_id))
        if entry is None:
            return None
        return entries_fields([*wire[0], entry, *wire[1]])

    def _plain_head(
        self, request: Request, keepalive: bool, method: bytes, target: bytes
    ) -> bytes | None:
        """The forwarded request's head as h11 writes it, from the lines made once for its
        fields (``upstream.plain_lines``) around this request's X-Request-ID, or None where h11 is to
        write it (``upstream.Connection.exchange``: a HEAD or CONNECT, fields it must judge)."""
        if method in upstream.H11_METHODS:
            return None
        lines = self._forwarding_made(request, keepalive)[7]
        if lines is None:
            return None
        entry = id_entry(self.recorder.tagged(request.request_id))
        if entry is None:
            return None
        before, after = lines
        return b"%s %s HTTP/1.1\r\n%sX-Request-ID: %s\r\n%s" % (
            method,
            target,
            before,
            entry[2],
            after,
        )

    def _forwarding_parts(
        self, request: Request, person: personalities.Personality, keepalive: bool
    ) -> _Forwarding:
        """What ``_forwarding`` keeps: the fields before X-Request-ID and after it, as text
        and as h11 takes them (``_wire``)."""
        headers = []
        seen: dict[str, str] = {}  # the first value of each header this method looks at
        dropped = _NOT_FORWARDED
        treatment = person.headers.relayed_upgrade
        host = False
        # HAProxy and Caddy pass a client's TE on with its trailers member alone (Caddy not
        # when Connection names TE: the drop treatment drops it), nginx not at all
        te = personalities.passes_te(person.name)
        if treatment == "drop":
            named = _named_options(request.headers) - _ALWAYS_FORWARDED
            if named:
                dropped = dropped | named
                te = te and "te" not in named
        # RFC 9110 7.6.2: an OPTIONS or TRACE's Max-Forwards goes on one less (0 is answered)
        hops = request.method in ("OPTIONS", "TRACE") and person.max_forwards != "ignore"
        for k, v in request.headers:
            name = k.lower()
            host = host or name == "host"
            if hops and name == "max-forwards" and v.strip().isdigit() and v.strip().isascii():
                headers.append((k, str(max(int(v.strip()) - 1, 0))))
                hops = False  # the first line only; a repeated one goes on as it came
                continue
            if name in _LOOKED_AT:
                seen.setdefault(name, v)
            if name not in dropped:
                headers.append((k, v))
            elif name == "connection" and treatment == "keep":
                tokens = [t.strip() for t in v.split(",")]
                kept = [t for t in tokens if t and t.lower() not in _NOT_PASSED_ON]
                if kept:
                    headers.append((k, v if kept == tokens else ", ".join(kept)))
            elif name == "te" and te and _names_trailers(v):
                headers.append((k, "trailers"))
                te = False  # once, however many TE lines named it
        framed = seen.get("content-length") or seen.get("transfer-encoding")
        if request.body or framed is not None:
            headers.append(("Content-Length", str(len(request.body))))
        via = seen.get("via")
        headers.append(("Via", f"{via}, 1.1 {self.via_name}" if via else f"1.1 {self.via_name}"))
        after = []
        if "x-forwarded-for" not in seen:
            after.append(("X-Forwarded-For", "127.0.0.1"))
        if not keepalive:
            after.append(("Connection", "close"))
        wire = _wire(headers, after)
        plain = None if wire is None else upstream.plain_lines(*wire, len(request.body))
        return person, keepalive, len(request.body), headers, after, host, wire, plain

    async def forward(self, request: Request, route: Route, targets: list[Target]) -> Response:
        """Try the targets in order (next one only if connecting failed); relay or fail.

        With keep-alive, an idle connection from the pool goes first. If the upstream
        closes it without a word as the request arrives (it timed the connection out just
        then), an idempotent request is sent again on a new connection, as nginx and Go's
        transport (Caddy) do (observed); a POST is not: the upstream may have acted on it
        (RFC 9110 9.2.2), so it gets the 502. Real HAProxy 2.6 does neither: it closes the
        client's connection without a response, GET and POST alike, and leaves the retry to
        the client (observed; the haproxy personality answers as here, see
        ``personalities.HAPROXY.pooling``).
        """
        pooling = self.pooling
        failure: Failure | None = None
        counter = _FORWARDED.get(None)  # this client connection's requests forwarded so far
        first = counter is None or counter[0] == 0
        if counter is not None:
            counter[0] += 1
        reuse = pooling.keepalive and (pooling.first_request_reuses or not first)
        for number, target in enumerate(targets, 1):
            conn = self.pool.take(target.host, target.port) if reuse else None
            if conn is None:
                try:
                    conn = await self.pool.connect(target.host, target.port, route.connect_timeout)
                except upstream.UpstreamFailure as exc:
                    failure = Failure(
                        exc.condition, exc.detail, target, error=exc.error, number=exc.number
                    )
                    self.note_attempt(
                        request,
                        _observed(target.name, exc.detail),
                        _attempt(Step.FAILED, route, target, number, failure=failure),
                    )
                    target.healthy = False
                    continue
            self._in_flight.add(conn)
            try:
                return await self._exchange(request, route, target, conn, pooling, number)
            finally:
                self._in_flight.discard(conn)
        assert failure is not None
        return self.failure_response(request, route, failure)

    async def _exchange(
        self,
        request: Request,
        route: Route,
        target: Target,
        conn: upstream.Connection,
        pooling: personalities.Pooling,
        number: int,
    ) -> Response:
        path, authority = origin_form(request.target)
        up_target = route.upstream_target(path)
        method = request.method.encode("ascii")
        wanted = up_target.encode("latin-1", "replace")
        version = self.upstream_version(request)
        asking = pooling.keepalive and version == b"1.0"  # for keep-alive (_asking_keep_alive)
        head = own_id = None
        if not authority and version == b"1.1":
            head = self._plain_head(request, pooling.keepalive, method, wanted)
            if head is not None:  # its X-Request-ID in h11's grammar: so is the id it continues
                own_id = request.request_id.encode("ascii")
        wire = None
        if head is None and not authority and not asking:
            wire = self._forwarded_fields(request, pooling.keepalive)
        h11_request: h11.Request | Callable[[], h11.Request]
        if head is not None:  # its event made only if h11 must be told of it (exchange)
            h11_request = partial(self._judged_event, request, pooling.keepalive, method, wanted)
        elif wire is not None:  # method, target and fields as h11 judged them on arrival
            h11_request = judged_request(method, wanted, wire)
        else:
            headers, host = self._forwarding(request, pooling.keepalive)
            if asking:
                headers = _asking_keep_alive(headers)
            if authority:  # RFC 9112 3.2.2: the target's host replaces any Host received
                headers = [(k, v) for k, v in headers if k.lower() != "host"]
                headers.insert(0, ("Host", authority))
            elif not host:  # HTTP/1.0: HTTP/1.1 requires Host
                headers.insert(0, ("Host", f"{target.host}:{target.port}"))
            fields, fit = h11_fields(headers)  # the bytes the client sent, not text
            h11_request = request_event(method, wanted, fields, fit)
        retry = False
        while True:
            kept = conn.requests > 0  # before this request: a kept-alive connection
            forwarded = _forwarded(request.method, up_target, target, conn, route)
            attempt = _attempt_on(conn, _STEP_FORWARDED, route, target, number, retry, kept)
            try:
                # recorded as the request is written: the read timeout starts there
                reply = await conn.exchange(
                    h11_request,
                    request.body,
                    route.read_timeout,
                    self.max_response_head,
                    sent=partial(self.note_attempt, request, forwarded, attempt),
                    version=version,
                    head=head,
                    interim_final=self.persona().upstream_interim == "final",
                    own_id=own_id,
                )
            except upstream.UpstreamFailure as exc:
                failure = Failure(
                    exc.condition, exc.detail, target, error=exc.error, number=exc.number
                )
                self.note_attempt(
                    request,
                    _observed(target.name, exc.detail),
                    _attempt(Step.FAILED, route, target, number, retry, conn, failure, kept=kept),
                    data=exc.raw,
                )
                stale = conn.reused and not exc.raw and exc.condition in STALE
                if stale and request.method in IDEMPOTENT:
                    conn.abort()
                    self.note_attempt(
                        request,
                        _retry_note(self.role, request.method, target, conn),
                        _attempt(
                            Step.RETRY, route, target, number, retry, conn, failure, kept=kept
                        ),
                    )
                    self._in_flight.discard(conn)
                    number, retry = number + 1, True
                    try:
                        conn = await self.pool.connect(
                            target.host, target.port, route.connect_timeout
                        )
                    except upstream.UpstreamFailure as again:
                        failure = Failure(
                            again.condition,
                            again.detail,
                            target,
                            error=again.error,
                            number=again.number,
                        )
                        self.note_attempt(
                            request,
                            _observed(target.name, again.detail),
                            _attempt(Step.FAILED, route, target, number, retry, failure=failure),
                        )
                        return self.failure_response(request, route, failure)
                    self._in_flight.add(conn)
                    continue
                if stale:
                    self.note_attempt(
                        request,
                        _no_retry_note(self.role, request.method, target, conn),
                        _attempt(
                            Step.NO_RETRY, route, target, number, retry, conn, failure, kept=kept
                        ),
                    )
                try:
                    answer = await self.upstream_failed(request, route, target, exc, conn.reader)
                except BaseException:
                    conn.abort()
                    raise
                # cut on the loop's next turn, once the answer's bytes are written
                asyncio.get_running_loop().call_soon(conn.abort)
                return answer
            except BaseException:
                conn.abort()
                raise
            self.note_attempt(
                request,
                _answered(target.name, reply.status, reply.reason),
                _attempt_on(conn, _STEP_ANSWERED, route, target, number, retry, kept, reply.status),
                data=reply.raw_head,
            )
            return self.relay(request, target, reply, conn, pooling)

    def _judged_event(
        self, request: Request, keepalive: bool, method: bytes, target: bytes
    ) -> h11.Request:
        """The h11 event of a request whose head went out as ``_plain_head`` wrote it."""
        fields = self._forwarded_fields(request, keepalive)
        assert fields is not None  # upstream.plain_lines made the head from the same fields
        return judged_request(method, target, fields)

    def upstream_version(self, request: Request) -> bytes:
        """The HTTP version of the request line sent upstream: 1.1 (h11's), whatever the
        client's; in the haproxy personality the gateway passes HTTP/1.0 and HTTP/0.9 on as
        they came (``gateway.Gateway.upstream_version``)."""
        return b"1.1"

    def relay(
        self,
        request: Request,
        target: Target,
        reply: upstream.UpstreamReply,
        conn: upstream.Connection,
        pooling: personalities.Pooling,
    ) -> Response:
        """The upstream's response as this proxy passes it on. A body that arrived whole with
        the head (``UpstreamReply.whole``) goes on as plain bytes, and the upstream connection
        is free at once (back to the pool, or closed); any other body is streamed
        (``_Relayed``), the connection freed at its end. The bytes on the wire are the same:
        the relayed head keeps the upstream's Content-Length (when it does not, the body is
        streamed as before)."""
        headers, length = self._relayed_fields(reply, target)
        body: bytes | _Relayed
        whole = reply.whole
        if whole is not None and length:
            _release(conn, self.pool, pooling)
            body = whole
        else:
            body = _Relayed(reply.body, conn, self.pool, pooling)
        return Response(
            reply.status,
            headers,
            body,
            reason=self.relayed_reason(reply.status, reply.reason),
            generated=False,
            why=_relayed(target.name),
        )

    def relayed_reason(self, status: int, reason: str) -> str:
        """The reason phrase a relayed response goes on with: the upstream's (RFC 9112 4 lets
        an intermediary overwrite it; the gateway writes its personality's server's)."""
        return reason

    @property
    def personality(self) -> str:
        """Which real gateway this proxy answers like (the portal: always the lab's reading of the RFCs)."""
        return "rfc"

    def relayed_fields(self, reply: upstream.UpstreamReply, target: Target) -> Headers:
        """``relayed_headers`` of an upstream's answer, less its X-Request-ID (the server
        writes its own instead: ``server.HTTPServer._fields``), made once for each head.

        They depend only on the head's fields, the upstream's name and the personality,
        and an origin's heads differ only in their X-Request-ID (and their Date once a
        second): so they are kept by the head's bytes without that line, for heads that are
        not large (MAX_KEPT_HEAD; MAX_KEPT heads, in two generations). Each request relayed
        again neither decodes the head's fields nor goes through them; an answer that repeats
        the one before on its connection comes with that key made (``UpstreamReply.unnamed``).
        """
        return self._relayed_fields(reply, target)[0]

    def _relayed_fields(
        self, reply: upstream.UpstreamReply, target: Target
    ) -> tuple[Headers, bool]:
        """``relayed_fields``, and whether they have a Content-Length (``_has_length``)."""
        head = reply.raw_head
        person = self.persona()
        if len(head) > MAX_KEPT_HEAD:
            headers = _without_request_id(self.relayed_headers(reply.status, reply.headers, target))
            return headers, _has_length(headers)
        unnamed = reply.unnamed
        if unnamed is None:
            found = upstream.without_id(head)
            unnamed = head if found is None else found[0]
        key = (unnamed, target.name)
        made = self._relays.get(key)
        if made is None or made[0] is not person:
            headers = _without_request_id(self.relayed_headers(reply.status, reply.headers, target))
            made = (person, tuple(headers), _has_length(headers))
            self._relays.keep(key, made)
        return list(made[1]), made[2]

    def relayed_headers(self, status: int, upstream_headers: Headers, target: Target) -> Headers:
        """The headers of a relayed response, as this proxy's personality treats them.

        A kept ``Connection`` loses its ``close`` and ``keep-alive``: those options were for
        the upstream's connection, not the client's. The names stay as the upstream wrote
        them: the server spells every name it writes as its personality does
        (``server.HTTPServer.spelling``), the relayed ones with its own.
        """
        person = self.persona()
        policy = person.headers
        drop, rewritten = self._relay_rules(person)
        if policy.relayed_upgrade == "drop":  # the lab's reading (and Caddy's): 7.6.1 in full
            drop = drop | _named_options(upstream_headers)
        if any(k.lower() == "transfer-encoding" for k, _ in upstream_headers):
            # RFC 9112 6.3 (3): the coding frames the body, not a Content-Length beside it, and
            # an intermediary that forwards such a message MUST first remove the Content-Length
            # (nginx, HAProxy and Caddy relay the body chunked without it); relayed, it
            # announced 3 bytes of a 5-byte body: the client got none and a cut connection
            drop = drop | {"content-length"}
        elif status == 204 and policy.relayed_204_length == "drop":
            drop = drop | {"content-length"}  # RFC 9110 8.6: a server sends none in a 204
        headers = []
        first: dict[str, str] = {}
        for k, v in upstream_headers:
            name = k.lower()
            if name in drop:
                continue
            if name == "connection":
                tokens = (t.strip() for t in v.split(","))
                v = ", ".join(t for t in tokens if t and t.lower() not in _OWN_OPTIONS)
            if not v:
                continue
            if name in rewritten:
                first.setdefault(name, v)
            else:
                headers.append((k, v))
        if policy.relayed_server != "keep" and policy.server:
            headers.insert(0, ("Server", policy.server))
        if policy.via:
            via = first.get("via")
            entry = f"1.1 {self.via_name}"
            headers.append(("Via", f"{via}, {entry}" if via else entry))
        if person.proxy_status:
            entry = self._proxy_status_entry(status, target.name)
            headers.append(("Proxy-Status", proxystatus.joined(first.get("proxy-status"), entry)))
        return headers

    def _relay_rules(self, person: personalities.Personality) -> tuple[frozenset[str], set[str]]:
        """What a relayed response loses, and which headers this proxy writes again (Server
        (and Date) replaced, its Via and Proxy-Status entries added to the upstream's; of those, the
        first upstream value is kept): worked out once per personality, not per response."""
        rules = self._rules
        if rules is None or rules[0] is not person:
            policy = person.headers
            rewritten = set()
            if policy.relayed_server == "replace" and policy.server:
                rewritten.add("server")
            if policy.relayed_date == "replace":
                rewritten.add("date")  # the server writes its own (sends_date), as nginx does
            if policy.via:
                rewritten.add("via")
            if person.proxy_status:
                rewritten.add("proxy-status")
            drop = _NOT_RELAYED.get(policy.relayed_upgrade, HOP_BY_HOP)
            self._rules = rules = (person, drop, rewritten)
        return rules[1], rules[2]

    def _proxy_status_entry(self, status: int, next_hop: str) -> str:
        """This hop's Proxy-Status member on a relayed response (the same few, made once)."""
        key = (status, next_hop)
        entry = self._entries.get(key)
        if entry is None:
            entry = proxystatus.member(self.via_name, received_status=status, next_hop=next_hop)
            self._entries.keep(key, entry)
        return entry

    @property
    def max_response_head(self) -> int:
        """Bytes of an upstream's response head this proxy accepts. A property, as the
        gateway's override (its personality's limit) is: mypy takes a property for a property."""
        return upstream.MAX_UPSTREAM_HEAD

    async def upstream_failed(
        self,
        request: Request,
        route: Route,
        target: Target,
        exc: upstream.UpstreamFailure,
        reader: asyncio.StreamReader,
    ) -> Response:
        """The upstream gave no usable head: answer with an error page of our own."""
        failure = Failure(
            exc.condition, exc.detail, target, error_params(exc), exc.error, exc.number
        )
        return self.failure_response(request, route, failure)

    def route_of(self, request: Request) -> Route | None:
        """The route a request went by (None: it matched none)."""
        return None

    def unwritable(self, request: Request, response: Response, problem: str) -> Response:
        """A relayed response with a header HTTP/1.1 does not allow is an invalid upstream
        response: the same answer as for an invalid header (RFC 9110 15.6.3), with this
        proxy's page and, on the rfc personality, its Proxy-Status."""
        route = self.route_of(request)
        if response.generated or route is None:
            return super().unwritable(request, response, problem)
        detail = Msg("a header that cannot be passed on ({problem})", problem=problem)
        return self.failure_response(request, route, Failure(Condition.INVALID_HEADER, detail))

    def failure_response(self, request: Request, route: Route, failure: Failure) -> Response:
        """This proxy's own answer when the upstream gave none it can use: the outcome
        table's status, a page saying what was observed, and Proxy-Status.

        The same failure told in the same language and form makes the same bytes, so they
        are made once (a 504 is written as soon as its timer fires, not after its page is
        rendered again); the headers that differ per response are added when it is sent.
        """
        lang = i18n.negotiate(request.field("accept-language"))
        name = failure.target.name if failure.target else route.upstream
        detail = str(failure.detail)
        key = (
            failure.condition,
            failure.error,
            name,
            detail,
            failure.params,
            lang,
            request.wants_html(),
        )
        made = self._failures.get(key)
        if made is None:
            made = self._failure_page(request, name, failure, detail)
            self._failures.keep(key, made)
        status, headers, body, why = made
        return Response(status, list(headers), body, why=why)

    def _failure_page(
        self, request: Request, name: str, failure: Failure, detail: str
    ) -> tuple[int, tuple[tuple[str, str], ...], bytes, str]:
        outcome = self.outcome(failure.condition)
        status = outcome.status or 502
        error = failure.error or outcome.proxy_status
        rfc = UNREACHABLE_RFC.get(failure.error, outcome.rfc)
        explanation = outcome.explanation
        why = i18n.said(FAILED_WHY.bind(explanation=explanation, name=repr(name)))
        role = pages.MADE_BY[self.role]
        if failure.condition is Condition.NO_HEALTHY_UPSTREAM:
            first = Msg(
                "The {role} did not forward the request to the upstream {name}: {explanation}.",
                role=role,
                name=repr(name),
                explanation=explanation,
            )
        else:
            first = Msg(
                "The {role} got no usable response from the upstream server {name}: {explanation}.",
                role=role,
                name=repr(name),
                explanation=explanation,
            )
        headers, body = pages.page(
            request,
            status,
            made_by=self.role,
            paragraphs=[
                first,
                Msg("What it observed: {detail}.", detail=failure.detail),
                Msg(
                    "This response was generated by the {role}, not by the upstream server.",
                    role=role,
                ),
                # its own sentence, not an aside: a note may quote the RFC's keywords, which
                # Chinese marks with brackets, 必须（MUST）
                Msg("Why this status: {rfc}.", rfc=rfc),
            ],
        )
        entry = proxystatus.member(
            self.via_name,
            error=error,
            next_hop=name,
            details=detail,
            extra=dict(failure.params),
        )
        return status, (*headers, ("Proxy-Status", entry)), body, why

    def note_attempt(
        self, request: Request, summary: str, attempt: Attempt, data: bytes = b""
    ) -> None:
        """Record one step of reaching an upstream: the sentence, and the facts as data."""
        self.recorder.upstream(request.request_id, self.name, self.role, summary, data, attempt)


def origin_form(target: str) -> tuple[str, str]:
    """An absolute-form target ("http://host/path?q") as path and query, and its host.

    A server must accept the absolute form (RFC 9112 3.2.2); a gateway passes the
    upstream the origin form and a Host made from the target.
    """
    if target.startswith("/") or "://" not in target:
        return target, ""
    parts = urlsplit(target)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return path, parts.netloc


class _Relayed:
    """An upstream's body being relayed: its clean end hands the connection back to the pool
    (or closes it); a failure or ``aclose`` cuts it.

    A class, not an async generator: a generator that never started runs no ``finally``,
    and a response that is never sent (the client left) must still free its upstream.
    A body the client stops taking is cut (``aclose``): its upstream connection is closed.
    """

    def __init__(
        self,
        body: AsyncIterator[bytes],
        conn: upstream.Connection,
        pool: upstream.Pool,
        pooling: personalities.Pooling,
    ) -> None:
        self._body = body
        self._conn = conn
        self._pool = pool
        self._pooling = pooling
        self._ended = False

    def __aiter__(self) -> _Relayed:
        return self

    async def __anext__(self) -> bytes:
        try:
            return await self._body.__anext__()
        except StopAsyncIteration:
            self._ended = True
            _release(self._conn, self._pool, self._pooling)
            raise
        except BaseException:  # a cut, a cancel: nothing more is wanted from it
            self._conn.abort()
            raise

    async def aclose(self) -> None:
        if self._ended:  # the connection is the pool's (or closed), the body has finished
            return
        self._conn.abort()
        aclose = getattr(self._body, "aclose", None)
        if aclose is not None:
            await aclose()


MAX_FORWARDS_METHODS = frozenset({"OPTIONS", "TRACE"})  # RFC 9110 7.6.2
SECRET = frozenset({b"authorization", b"proxy-authorization", b"cookie"})  # not reflected


def _without_secrets(head: bytes) -> list[bytes]:
    """The lines of a request's ``head`` less the fields in SECRET, a line folded onto one
    of them (obs-fold, RFC 9112 5.2: h11 joins it to the field above) going with it. Lines
    end where h11 ends them (``headend``), with or without a CR: split at CRLF alone, a
    head in bare LFs was one line, and its Cookie and Authorization were reflected."""
    kept: list[bytes] = []
    dropping = False
    for line in head.split(b"\n"):
        line = line.removesuffix(b"\r")
        if line[:1] not in (b" ", b"\t"):
            dropping = line.split(b":", 1)[0].strip().lower() in SECRET
        if not dropping:
            kept.append(line)
    return kept


def max_forwards(request: Request) -> int | None:
    """The request's Max-Forwards as a number, or None (absent, or not 1*DIGIT)."""
    value = (request.header("max-forwards") or "").strip()
    return int(value) if value.isdigit() and value.isascii() else None


def _without_request_id(headers: Headers) -> Headers:
    """The fields less any X-Request-ID (a relayed one: the relaying server writes its own)."""
    return [(k, v) for k, v in headers if not (len(k) == 12 and k.lower() == "x-request-id")]


def _has_length(headers: Headers) -> bool:
    """Whether the fields have a Content-Length (a loop: a generator costs a call a field)."""
    for k, _ in headers:
        if len(k) == 14 and k.lower() == "content-length":
            return True
    return False


def _made_for(
    made: _Forwarding | None, person: personalities.Personality, keepalive: bool, length: int
) -> TypeGuard[_Forwarding]:
    """Whether the forwarding parts kept, ``made``, are for this personality, keep-alive and
    body length (``Proxy._forwarding_made``)."""
    return made is not None and made[0] is person and made[1] == keepalive and made[2] == length


def _release(
    conn: upstream.Connection, pool: upstream.Pool, pooling: personalities.Pooling
) -> None:
    """An exchange with the upstream is over, its whole response read: the connection goes
    back to the pool, or is closed when this proxy does not pool.

    Decided by what happened on the upstream connection alone (``Pool.put`` checks that
    it can carry another request). It once also closed it when the client's FIN had been
    read (``reader.at_eof()``, for a client that had left: nginx's "client prematurely
    closed connection"); but a client that shuts its side with its request (``printf ... |
    nc``) has not left, it waits for its answer, and whether its FIN came before the
    upstream's answer is a race between two processes: ten such requests in a row went out
    on new connections #2 to #9 one run and #2 to #11 another, so the story of the next
    request (kept-alive or new connection) changed from run to run. A client that gave up
    leaves an idle connection like any other client's: at most ``max_idle`` of them, each
    closed after ``idle_timeout``. One whose body is being streamed when it goes cuts
    the body (``_Relayed.aclose``), and that connection is closed."""
    if pooling.keepalive:
        pool.put(conn, pooling.max_idle, pooling.idle_timeout)
    else:
        conn.close()


# Methods RFC 9110 9.2.2 calls idempotent: a request may be sent again on a new connection
# when the one it went out on closed before any answer.
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
# What a kept-alive connection the upstream just closed looks like: no byte of an answer.
STALE = frozenset({Condition.CLOSED_WITHOUT_RESPONSE, Condition.RESET})

# requests forwarded on the client connection being served (a one-item list, counted up)
_FORWARDED: contextvars.ContextVar[list[int]] = contextvars.ContextVar("forwarded")


def _observed(name: str, detail: Text) -> str:
    """The gateway's note of a failed attempt, as the story and the picture show it: English
    that keeps its message (an ``i18n.Said``), so a Chinese panel says it in Chinese."""
    return i18n.said(Msg("upstream {name}: {detail}", name=repr(name), detail=detail))


def _attempt(
    step: Step,
    route: Route,
    target: Target | None,
    number: int,
    retry: bool = False,
    conn: upstream.Connection | None = None,
    failure: Failure | None = None,
    status: int | None = None,
    *,
    kept: bool = False,
) -> Attempt:
    return Attempt(
        step=step,
        upstream=route.upstream,
        target=target.name if target else None,
        host=target.host if target else None,
        port=target.port if target else None,
        connect_timeout=route.connect_timeout,
        read_timeout=route.read_timeout,
        number=number,
        retry=retry,
        condition=failure.condition if failure else None,
        detail=i18n.said(failure.detail) if failure else "",  # English that keeps its Msg
        connection=conn.number if conn else None,
        reused=kept,
        status=status,
    )


def _attempt_on(
    conn: upstream.Connection,
    step: Step,
    route: Route,
    target: Target,
    number: int,
    retry: bool,
    kept: bool,
    status: int | None = None,
) -> Attempt:
    """The attempt of a request forwarded (or answered) on ``conn``: the same as the one
    before on this connection when nothing it says has changed (an Attempt is frozen), so
    each request on a kept-alive connection does not build the same two records again."""
    key = (step, route, route._timeouts, target, number, retry, kept)
    memo = conn.memo.get(status)  # None: forwarded; a status: answered
    if memo is not None and memo[0] == key:
        attempt: Attempt = memo[1]
        return attempt
    attempt = _attempt(step, route, target, number, retry, conn, status=status, kept=kept)
    conn.memo[status] = (key, attempt)
    return attempt


def not_tried(route: Route, failure: Failure) -> Attempt:
    """The attempt that never was: no target of the route may be tried."""
    return _attempt(Step.NOT_TRIED, route, None, 0, failure=failure)


def error_params(exc: upstream.UpstreamFailure) -> tuple[tuple[str, int | str], ...]:
    """The parameters RFC 9209 2.3 gives the error type of ``exc``, where the lab knows them:
    ``header-section-size`` for a head too large (2.3.19: "how large the headers received
    were"), ``coding`` for a transfer coding it cannot decode (2.3.24: "the specific coding
    ... that caused the error", an sf-token: left out when the name is not one)."""
    if exc.condition is Condition.HEADER_TOO_BIG:
        size = header_section_size(exc.raw)
        return (("header-section-size", size),) if size else ()
    if exc.condition is Condition.INVALID_FRAMING:
        coding = failed_coding(exc.raw)
        return (("coding", coding),) if coding and proxystatus.is_token(coding) else ()
    return ()


def failed_coding(raw: bytes) -> str | None:
    """The transfer coding of a response head the gateway could not decode: the first one
    that is not ``chunked`` (the only coding it decodes, RFC 9112 7), else ``chunked``
    itself (applied twice, or not last: RFC 9112 6.1). None without Transfer-Encoding."""
    codings = transfer_codings(message_head(raw))
    if not codings:
        return None
    names = [c.split(";", 1)[0].strip() for c in codings]  # a t-coding's parameters dropped
    return next((n for n in names if n != "chunked"), "chunked")


def header_section_size(raw: bytes) -> int:
    """Bytes of a response's header section as far as it arrived, for Proxy-Status's
    ``header-section-size`` (RFC 9209 2.3.19: "how large the headers received were"): its
    field lines, each with its line ending. The header section is the field lines (RFC 9110
    6.3); the status line is control data (6.2) and the empty line only ends the section (RFC
    9112 2.1). The limit counts the whole head, as nginx's buffer holds it, and ``raw`` is at
    most that much (``upstream._too_big``), so the size does not depend on how the bytes
    arrived. Lines end where h11 ends them (``headend``), with or without a CR: counted by
    CRLF alone, a head in bare LFs had no status line and got no size at all."""
    first = raw.find(b"\n")
    if first < 0:  # not even the status line arrived whole: no field line yet
        return 0
    ended = head_end(raw)
    if ended is None:
        return len(raw) - (first + 1)
    last = ended[0] if raw[ended[0]] == 10 else ended[0] + 1  # the last line's LF
    return last + 1 - (first + 1)


# The gateway's note of a request it forwards on a kept-alive connection (a Msg, so that the
# catalogue has it), and its English in two halves around the request's number on it
_FORWARDED_KEPT = Msg(
    "forwarded {method} {target} to upstream {name} on kept-alive connection #{number} "
    "(request {nth} on it; connect timeout {connect} s, read timeout {read} s)"
)
_BEFORE_NTH, _AFTER_NTH = _FORWARDED_KEPT.text.split("{nth}")


def _forwarded(
    method: str, up_target: str, target: Target, conn: upstream.Connection, route: Route
) -> str:
    """The gateway's note of a request it forwards, made for every request: a Said, so a
    Chinese panel says it in Chinese. On a kept-alive connection only the request's number
    changes from one note to the next: the English around it is made once for the
    connection (and again when the method, target or timeouts change) and joined to it,
    instead of formatting the whole sentence each time (``Said.told``)."""
    connect, read = route.timeouts_text
    if not conn.requests:
        return Said.now(
            "forwarded {method} {target} to upstream {name} on new connection #{number} "
            "(connect timeout {connect} s, read timeout {read} s)",
            method=method,
            target=up_target,
            name=repr(target.name),
            number=conn.number,
            connect=connect,
            read=read,
        )
    key = (method, up_target, target.name, connect, read)
    made = conn.note
    if made is None or made[0] != key:
        params: dict[str, object] = {
            "method": method,
            "target": up_target,
            "name": repr(target.name),
            "number": conn.number,
            "connect": connect,
            "read": read,
        }
        made = (key, _BEFORE_NTH.format(**params), _AFTER_NTH.format(**params), params)
        conn.note = made
    _, before, after, params = made
    nth = conn.requests + 1
    return Said.told(before + str(nth) + after, _FORWARDED_KEPT.text, {**params, "nth": nth})


@lru_cache(maxsize=256)
def _relayed(name: str) -> str:
    """Why a relayed response is what it is (made once for each upstream)."""
    return Said.now("relayed from upstream {name}", name=repr(name))


@lru_cache(maxsize=256)
def _answered(name: str, status: int, reason: str) -> str:
    """The gateway's note of an upstream's answer (once for each upstream, status and reason
    phrase: it is noted on every request); the reason phrase as the upstream wrote it."""
    return Said.now(
        "upstream {name} answered {status} {reason}"
        if reason
        else "upstream {name} answered {status}",
        name=repr(name),
        status=status,
        reason=reason,
    )


def _retry_note(role: str, method: str, target: Target, conn: upstream.Connection) -> str:
    return i18n.said(
        Msg(
            "kept-alive connection #{number} to upstream {name} closed before any answer, as "
            "when an upstream's keep-alive timeout fires just as a request arrives. {method} is "
            "idempotent (RFC 9110 9.2.2), so the {role} sends it again on a new connection",
            number=conn.number,
            name=repr(target.name),
            method=method,
            role=pages.MADE_BY.get(role, role),
        )
    )


def _no_retry_note(role: str, method: str, target: Target, conn: upstream.Connection) -> str:
    return i18n.said(
        Msg(
            "kept-alive connection #{number} to upstream {name} closed before any answer. "
            "{method} is not idempotent: the upstream may have acted on it before closing, so "
            "the {role} does not send it again (RFC 9110 9.2.2): the client gets the error",
            number=conn.number,
            name=repr(target.name),
            method=method,
            role=pages.MADE_BY.get(role, role),
        )
    )
