"""The gateway (reverse proxy): routes, timeouts, health checks, a small cache, error mapping.

It relays what its upstreams say (an origin's 500 stays a 500) and makes its own
502, 503 and 504 only when the upstream gave no usable answer. See the lessons
03-502, 04-503 and 05-504.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import h11
else:  # imported by the first message that needs it
    from labkit.http import lazyh11 as h11

from labkit import i18n, personalities
from labkit.conditions import Condition
from labkit.errors import refuse, shown, unknown
from labkit.http import pages, upstream
from labkit.http.deadline import within
from labkit.http.messages import (
    BodyCut,
    Request,
    Response,
    get_header,
    http_date,
    parse_response,
    path_of,
)
from labkit.http.requestcheck import Verdict, check_asterisk
from labkit.http.server import Generations
from labkit.i18n import Msg, Said
from labkit.origin import TRUE_OR_FALSE
from labkit.personalities import AnswerKind
from labkit.proxy import Failure, Proxy, Route, Target, Timeouts, not_tried
from labkit.record import Record
from labkit.recorder import Kind, Recorder, Role

HEALTH_INTERVAL = 1.0  # seconds a health check's verdict stands before a request asks again
MAX_VARIANTS = 8  # stored responses per URL that differ by the headers they vary on
MAX_MATCHED = 256  # paths whose route the gateway remembers (server.Generations)


class CachedResponse(Record):
    __slots__ = ("age", "body", "max_age", "response", "selecting", "stored_at")

    def __init__(
        self,
        response: Response,
        body: bytes,
        stored_at: float,
        max_age: int,
        selecting: tuple[tuple[str, str], ...] = (),  # the request headers its Vary names
        age: int = 0,  # the Age it arrived with: seconds it spent in caches upstream
    ) -> None:
        self.response = response
        self.body = body
        self.stored_at = stored_at
        self.max_age = max_age
        self.selecting = selecting
        self.age = age


# The content negotiation fields (RFC 9110 12.5): each a comma-separated list whose members
# may carry ";"-parameters, OWS allowed around both delimiters (5.6.1, 5.6.6); in the last three
# every token (a charset, a coding, a language range) and the weight's "q" are case-insensitive
LIST_FIELDS = frozenset({"accept", "accept-charset", "accept-encoding", "accept-language"})
CASELESS_FIELDS = frozenset({"accept-charset", "accept-encoding", "accept-language"})


def selecting_headers(response: Response, request: Request) -> tuple[tuple[str, str], ...] | None:
    """The request's values of the headers the response varies on; None for ``Vary: *``.

    RFC 9111 4.1: a stored response is used only for a request whose selecting header
    fields match those of the request that fetched it, each field's lines combined (as the
    page negotiated with them: ``Request.field``); ``*`` never matches. Values that say the
    same are the same (``selecting_value``).
    """
    names = sorted(
        {
            n.strip().lower()
            for k, v in response.headers
            if k.lower() == "vary"
            for n in v.split(",")
        }
        - {""}
    )
    if "*" in names:
        return None
    return tuple((n, selecting_value(n, request.field(n) or "")) for n in names)


def selecting_value(name: str, value: str) -> str:
    """``value`` of the field ``name`` as the cache compares it: RFC 9111 4.1 lets two values
    match that differ only by whitespace the field's syntax allows, or by what its
    specification says is the same (the case of case-insensitive tokens).

    A list field loses the whitespace around its commas and semicolons and its empty
    members (RFC 9110 5.6.1: a recipient ignores them), outside quoted strings; one of
    CASELESS_FIELDS is lower-cased. ``zh-CN,zh;q=0.9`` (Chrome) and ``zh-CN, zh;q=0.9``
    were two variants of one page until December 2026. Whitespace around "=" is not the
    syntax's (``q = 0.9`` is malformed, 12.4.2) and is kept: such a value is a variant of its
    own, never another's. Any other field has its runs of whitespace made one space."""
    if name not in LIST_FIELDS:
        return " ".join(value.split())
    members = []
    for member in _split_unquoted(value, ","):
        said = ";".join(part.strip(" \t") for part in _split_unquoted(member, ";"))
        if said:
            members.append(said)
    joined = ",".join(members)
    return joined.lower() if name in CASELESS_FIELDS else joined


def _split_unquoted(text: str, delimiter: str) -> list[str]:
    """``text`` split at each ``delimiter`` outside a quoted string (RFC 9110 5.6.4)."""
    parts, start, quoted, escaped = [], 0, False, False
    for i, c in enumerate(text):
        if escaped:
            escaped = False
        elif quoted and c == "\\":
            escaped = True
        elif c == '"':
            quoted = not quoted
        elif c == delimiter and not quoted:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def freshness(response: Response, authorized: bool = False) -> int | None:
    """Seconds a shared cache may reuse this response, or None (RFC 9111 3, 4.2.1).
    ``authorized``: the request carried Authorization, and RFC 9111 3.5 lets a shared cache
    reuse the answer to such a request only where public, s-maxage or must-revalidate says
    so (the gateway stored one with max-age alone and served it to the next client, whose
    request had no credentials)."""
    cc = get_header(response.headers, "cache-control")  # asked of every relayed GET
    if not cc:
        return None
    cc = cc.lower()
    # no-cache: not to be reused without validation (RFC 9111 5.2.2.4), which this cache cannot
    # do, so it does not store it (the qualified form too: a cache need never store)
    if "no-store" in cc or "private" in cc or "no-cache" in cc:
        return None
    if authorized and not re.search(r"public|s-maxage|must-revalidate", cc):
        return None
    for directive in ("s-maxage", "max-age"):
        m = re.search(directive + r"\s*=\s*(\d+)", cc)
        if m:
            return int(m.group(1)) or None
    return None


def received_age(response: Response) -> int:
    """The Age a response arrived with, in seconds (RFC 9111 5.1, delta-seconds; 0 where it
    has none or one that is not a number): the time it spent in caches before this one."""
    value = (get_header(response.headers, "age") or "").strip()
    return int(value) if value.isascii() and value.isdecimal() else 0


class Gateway(Proxy):
    role = Role.GATEWAY
    server_header = "labkit-gateway"
    via_name = "labkit-gateway"
    plain_requests = True  # its answers are mostly relayed heads (HTTPServer._read_plain)

    def __init__(self, recorder: Recorder, host: str = "127.0.0.1") -> None:
        super().__init__("gateway", recorder, host)
        self.routes: list[Route] = []
        self._cache_enabled = True
        # (personality, target) -> its stored variants: each personality stands for another
        # real gateway, with a cache of its own (a 503 stored under nginx, served under
        # haproxy, came with nginx's Server)
        self._cache: dict[tuple[str, str], list[CachedResponse]] = {}
        self._health_task: asyncio.Task[None] | None = None  # the check under way
        self._checked_at = float("-inf")  # the loop's time when the last check began
        self._personality = personalities.RFC
        # path -> (its route,): a 1-tuple, as a path may have no route (see match)
        self._matched: Generations[str, tuple[Route | None]] = Generations(MAX_MATCHED)
        # request target -> (its route,): its path is not split out again (see _route_for)
        self._targets: Generations[str, tuple[Route | None]] = Generations(MAX_MATCHED)

    @property
    def personality(self) -> str:
        """Which real gateway to answer like: rfc (default), nginx, haproxy, envoy or caddy."""
        return self._personality.name

    @personality.setter
    def personality(self, name: str) -> None:
        self.refuse_if_stopped()
        chosen = personalities.get(name)
        self.switch(lambda: self._become(chosen))

    def _become(self, chosen: personalities.Personality) -> None:
        """Answer as ``chosen`` from now on: another real gateway, so with no upstream
        connection kept by the one before (``upstream.Pool.renewed``); the same one again
        changes nothing."""
        if chosen is not self._personality:
            self.pool = self.pool.renewed()
        self._personality = chosen
        self.says_keep_alive = chosen.headers.says_keep_alive
        self.sends_date = chosen.headers.sends_date
        self.spelling = chosen.headers.relayed_case
        self.head_length = chosen.headers.head_length
        self.head_chunked = chosen.headers.head_chunked

    def persona(self) -> personalities.Personality:
        return self._personality

    @property
    def cache_enabled(self) -> bool:
        """Whether GET responses are stored and served again while fresh (default True)."""
        return self._cache_enabled

    @cache_enabled.setter
    def cache_enabled(self, on: bool) -> None:
        self.refuse_if_stopped()
        if not isinstance(on, bool):
            raise refuse(TRUE_OR_FALSE.bind(name="cache_enabled", given=shown(on)))
        self.switch(lambda: setattr(self, "_cache_enabled", on))

    @property
    def max_response_head(self) -> int:
        return self._personality.max_response_head

    def add_route(self, route: Route) -> None:
        route.owner = self
        # longest prefix first, for match; after those as long, where a stable sort puts it
        at = len(self.routes)
        while at and len(self.routes[at - 1].prefix) < len(route.prefix):
            at -= 1
        self.routes.insert(at, route)
        self._matched = Generations(MAX_MATCHED)
        self._targets = Generations(MAX_MATCHED)

    def route(self, prefix: str, *, lang: str | None = None) -> Route:
        """The route with this prefix (or this upstream name), to change its timeouts; an
        unknown one is refused in ``lang`` (default: the learner's; `labkit ctl` passes the
        terminal's)."""
        self.refuse_if_stopped()
        for r in self.routes:
            if prefix in (r.prefix, r.upstream):
                return r
        raise unknown("route", prefix, [r.prefix for r in self.routes], lang=lang)

    def purge(self) -> int:
        """Empty the cache; returns how many responses it held."""
        return self.switch(self._empty_cache)

    def _empty_cache(self) -> int:
        n = sum(len(variants) for variants in self._cache.values())
        self._cache.clear()
        return n

    async def stop(self) -> None:
        if self._health_task:
            self._health_task.cancel()
            await asyncio.gather(self._health_task, return_exceptions=True)
        await super().stop()

    async def check_health(self) -> None:
        """Active health check: can each pooled target accept a connection?"""
        for route in self.routes:
            if not route.health_checked:
                continue
            for target in route.targets:
                try:
                    _, writer = await upstream.connect(
                        target.host, target.port, route.connect_timeout
                    )
                    writer.close()
                    target.healthy = True
                except upstream.UpstreamFailure:
                    target.healthy = False

    async def _fresh_health(self) -> None:
        """Make sure the health checks' verdict is at most HEALTH_INTERVAL old.

        The checks run when a request to a health-checked route needs their verdict, not on
        a timer: a lab nobody uses then sleeps (200 labs on one host cost no CPU while
        idle), and the verdict a request is routed by is as fresh as a background check
        every HEALTH_INTERVAL would make it. Requests that arrive during a check wait for
        that one check.
        """
        loop = asyncio.get_running_loop()
        task = self._health_task
        if task is None:
            if loop.time() - self._checked_at < HEALTH_INTERVAL:
                return
            self._checked_at = loop.time()
            self._health_task = task = loop.create_task(self.check_health())
            task.add_done_callback(self._health_checked)
        await asyncio.shield(task)

    def _health_checked(self, task: asyncio.Task[None]) -> None:
        if self._health_task is task:
            self._health_task = None

    async def upstream_failed(
        self,
        request: Request,
        route: Route,
        target: Target,
        exc: upstream.UpstreamFailure,
        reader: asyncio.StreamReader,
    ) -> Response:
        answer = self._personality.answer(exc.condition)
        if answer.kind not in (AnswerKind.HTTP09, AnswerKind.RELAY):
            return await super().upstream_failed(request, route, target, exc, reader)
        who = f"{self._personality.title}: {answer.log}"
        if exc.condition is Condition.UNASKED_SWITCH:
            rest, closed = await _rest_until_close(reader, route.read_timeout)
            _, reason, headers, body = parse_response(exc.raw + rest)
            return self._switched(reason, headers, body if closed else None, who)
        data = exc.raw + await upstream.read_rest(reader, route.read_timeout)
        if answer.kind is AnswerKind.HTTP09:
            keep_alive = self._personality.headers.keeps_alive_after_http09
            return Response(0, raw=data, generated=False, why=who, close=not keep_alive)
        status, reason, headers, body = parse_response(data)
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        kept = self.relayed_headers(status or 200, headers, target)
        relayed: bytes | AsyncIterator[bytes] = body
        if exc.condition in UNFRAMED:
            relayed = _unframed(body)
        reason = self.relayed_reason(status or 200, reason)
        return Response(status or 200, kept, relayed, reason=reason, generated=False, why=who)

    def relayed_reason(self, status: int, reason: str) -> str:
        """Caddy writes Go's phrase for the status whatever the upstream wrote
        (``personalities.go_reason``); nginx and HAProxy pass the upstream's on."""
        if self._personality.headers.relayed_reason == "go":
            return personalities.go_reason(status)
        return reason

    def _switched(
        self, reason: str, headers: list[tuple[str, str]], after: bytes | None, why: str
    ) -> Response:
        """An upstream's unasked 101 relayed as nginx 1.22 relays it (personalities.NGINX,
        UNASKED_SWITCH): its own Server and Date, 'Connection: upgrade', the upstream's other
        fields (its Upgrade among them), then ``after``, what the upstream sent after the 101
        until it closed, and the client's connection stays open for its next request: no
        tunnel, since the client asked for none. ``after`` None: the upstream stalled past the
        read timeout, and nginx sends the head alone and closes."""
        person = self._personality
        own = [("Server", person.server)] if person.server else []
        if person.headers.sends_date:
            own.append(("Date", http_date()))
        own.append(("Connection", "upgrade"))
        hidden = {"server", "date", "connection", "content-length", "transfer-encoding"}
        fields = own + [(k, v) for k, v in headers if k.lower() not in hidden]
        lines = [f"HTTP/1.1 101 {reason}".rstrip(), *(f"{k}: {v}" for k, v in fields)]
        head = "\r\n".join([*lines, "", ""]).encode("latin-1")
        raw, close = (head, True) if after is None else (head + after, False)
        return Response(101, reason=reason, raw=raw, generated=False, why=why, close=close)

    def relay(
        self,
        request: Request,
        target: Target,
        reply: upstream.UpstreamReply,
        conn: upstream.Connection,
        pooling: personalities.Pooling,
    ) -> Response:
        """An interim (1xx) reply comes here only where the personality takes it as the final
        response (nginx 1.22: ``Personality.upstream_interim``): written as real nginx wrote
        it, its status line with nginx's Server and Date and Connection: close, then whatever
        the upstream sent after it, as bytes, until the close. Any other reply: the proxy's."""
        if reply.status >= 200:
            return super().relay(request, target, reply, conn, pooling)
        conn.abort()
        person = self._personality
        fields = self.relayed_headers(reply.status, reply.headers, target)
        own = 1 if fields and fields[0][0] == "Server" else 0  # nginx's fields come first
        if person.headers.sends_date and person.headers.relayed_date == "replace":
            fields.insert(own, ("Date", http_date()))
            own += 1
        fields.insert(own, ("Connection", "close"))  # before the upstream's (observed: Link)
        lines = [f"HTTP/1.1 {reply.status} {reply.reason}", *(f"{k}: {v}" for k, v in fields)]
        head = "\r\n".join([*lines, "", ""]).encode("latin-1")
        why = i18n.said(
            Msg(
                "{title} takes the upstream's interim {status} as its final response: what "
                "followed it goes on as its body, until the upstream closes",
                title=person.label,
                status=f"{reply.status} {reply.reason}".strip(),
            )
        )
        return Response(
            reply.status,
            reason=reply.reason,
            raw=head + (reply.whole or b""),
            generated=False,
            why=why,
            close=True,
        )

    def failure_response(self, request: Request, route: Route, failure: Failure) -> Response:
        if self._personality is personalities.RFC:
            return super().failure_response(request, route, failure)
        answer = self._personality.answer(failure.condition)
        if failure.number is not None:  # told with connect()'s own errno, as the real server does
            answer = answer.with_errno(failure.number)
        status = answer.status or 502
        content_type, body = self._personality.page(status, answer.reason, answer)
        policy = self._personality.headers
        headers = [("Content-Type", content_type)] if content_type else []
        headers += list(policy.page_headers)
        if policy.server:
            headers.append(("Server", policy.server))
        # the real gateway's log line as it writes it; the words around it in the panel's language
        why = i18n.said(
            Msg(
                "{title} answers {status}: {log}",
                title=self._personality.label,
                status=status,
                log=answer.log,
            )
        )
        # generated=True, yet the lab must not add its own Server where the real one has none
        return Response(status, headers, body, reason=answer.reason, why=why, server=False)

    async def slow_client(
        self, conn: h11.Connection, writer: asyncio.StreamWriter, raw: bytearray, peer: int | None
    ) -> None:
        """A client's request that stops half way: a 408 page, or a close without a byte
        (nginx, Caddy), as the personality's real gateway does."""
        person = self._personality
        if person.slow_client == "" or person is personalities.RFC:
            return await super().slow_client(conn, writer, raw, peer)
        said = Msg(
            "{title}: the request did not arrive in full within {seconds} s",
            title=person.label,
            seconds=f"{self.head_timeout:g}",
        )
        why = i18n.said(said)
        if person.slow_client == "close":
            rid = self.record_unparsed(raw, peer, 408)
            note = i18n.said(Msg("{why}; it closes the connection without a response", why=said))
            self.recorder.record(rid, self.name, self.role, Kind.LOG, note)
            return
        content_type, body = person.page(408, person.slow_client_reason)
        headers = [("Content-Type", content_type)] if content_type else []
        headers += list(person.headers.page_headers)
        if person.server:
            headers.append(("Server", person.server))
        response = Response(
            408, headers, body, reason=person.slow_client_reason, why=why, close=True, server=False
        )
        await self._reject(conn, writer, raw, peer, 408, why, response=response)

    def version_refusal(self, request: Request) -> Verdict | None:
        """HAProxy passes a request line of any HTTP/x.y on (personalities.HAPROXY); nginx
        refuses HTTP/0.9 with headers as malformed (400), other major versions with 505; the
        other personalities refuse a major version other than 1 with the lab's 505."""
        person = self._personality
        if person.other_versions == "pass":
            return None
        if person.other_versions == "505/400" and request.http_version.startswith("0."):
            return Verdict(
                400,
                Msg(
                    "the request is not valid HTTP/1.1: {message}",
                    message=f"{person.title} refuses a request line naming "
                    f"HTTP/{request.http_version} as malformed (400, not 505)",
                ),
            )
        return super().version_refusal(request)

    def upstream_version(self, request: Request) -> bytes:
        """HAProxy passes a request line's HTTP/0.9 (with headers) on as it came, where it
        passes HTTP/2.0 and HTTP/3.0 on as HTTP/1.1, and an HTTP/1.0 client's request on as
        HTTP/1.0 (observed, personalities.HAPROXY)."""
        person = self._personality
        if request.http_version == "0.9" and person.other_versions == "pass":
            return b"0.9"
        if request.http_version == "1.0" and person.http10_upstream == "1.0":
            return b"1.0"
        return b"1.1"

    def route_of(self, request: Request) -> Route | None:
        return self.match(request.path)

    def match(self, path: str) -> Route | None:
        """The route of the longest prefix that matches the path; found once per path (a
        lab has about twenty routes, ``/`` the last one tried), again after ``add_route``."""
        found = self._matched.get(path)
        if found is not None:
            return found[0]
        route = next(
            (r for r in self.routes if path == r.prefix.rstrip("/") or path.startswith(r.prefix)),
            None,
        )
        self._matched.keep(path, (route,))
        return route

    def _route_for(self, target: str) -> Route | None:
        """``match`` for a request target (``*``: the route of ``/``), found once for each
        target: a client asks for the same few again and again, and each asked
        ``urlsplit`` for its path."""
        found = self._targets.get(target)
        if found is None:
            found = (self.match("/" if target == "*" else path_of(target)),)
            self._targets.keep(target, found)
        return found[0]

    async def handle(self, request: Request) -> Response:
        refused = self.not_proxied(request)
        if refused is not None:
            return refused
        answered = self.final_recipient(request)  # Max-Forwards: 0 (RFC 9110 7.6.2)
        if answered is not None:
            return answered
        if request.target == "*":
            answered = self._server_wide(request)
            if answered is not None:
                return answered
        route = self._route_for(request.target)
        if route is None:
            headers, body = pages.page(
                request,
                404,
                made_by="gateway",
                paragraphs=[
                    Msg(
                        "The gateway has no route for {path}.", path=pages.quoted_path(request.path)
                    )
                ],
            )
            return Response(404, headers, body, why=Said(Msg("no route matches the path")))
        key = (self._personality.name, request.target)
        if request.method == "GET" and self._cache_enabled and key in self._cache:
            hit = self._cache_lookup(request, key)
            if hit is not None:
                return hit
        targets = route.targets
        if route.health_checked:
            await self._fresh_health()
            targets = [t for t in route.targets if t.healthy]
            if not targets:
                failure = Failure(
                    Condition.NO_HEALTHY_UPSTREAM,
                    all_targets_down(len(route.targets), route.upstream),
                )
                self.note_attempt(
                    request,
                    Said.now("no healthy target in the pool of {pool}", pool=repr(route.upstream)),
                    not_tried(route, failure),
                )
                return self.failure_response(request, route, failure)
        response = await self.forward(request, route, targets)
        if request.method == "GET" and self._cache_enabled and not response.generated:
            # RFC 9111 5.2.1.5: a request's no-store forbids storing any response to it
            if "no-store" in (request.field("cache-control") or "").lower():
                return response
            max_age = freshness(response, request.field("authorization") is not None)
            if max_age and received_age(response) >= max_age:
                max_age = None  # stale on arrival (RFC 9111 4.2): no use storing it
            selecting = selecting_headers(response, request) if max_age else None
            if max_age and selecting is not None:
                return await self._store(key, response, max_age, selecting)
        return response

    def _server_wide(self, request: Request) -> Response | None:
        """The answer to a request for the server as a whole, ``OPTIONS *`` (RFC 9110 9.3.7),
        or None to pass it on to the origin's route ``/``: no route's prefix matches ``*``, and
        a gateway that answered 404 would be one no real server is. The lab's reading of the RFCs passes
        OPTIONS on to the origin, the server behind the gateway (as HAProxy passes any ``*``),
        and refuses another method with ``*``, a target only OPTIONS may have (RFC 9112 3.2.4);
        nginx refuses every ``*`` with its 400; Caddy (Go's net/http) answers OPTIONS * itself,
        200 with an empty body (``personalities.Personality.asterisk``)."""
        person = self._personality
        how = person.asterisk or "options"
        if how == "answer" and request.method == "OPTIONS":
            why = Msg("{who} answers OPTIONS * itself (200, no body)", who=person.label)
            return Response(200, [], b"", why=i18n.said(why), server=False)
        if how == "options":
            malformed = check_asterisk(request.method, request.target)
            return self._refusal(request, malformed) if malformed else None
        if how == "400":
            why = Msg(
                "{who} refuses the target '*' with 400, whatever the method", who=person.label
            )
            content_type, body = person.page(400, "Bad Request")
            headers = [("Content-Type", content_type)] if content_type else []
            if person.server:
                headers.append(("Server", person.server))
            return Response(400, headers, body, why=i18n.said(why), close=True, server=False)
        return None

    def _cache_lookup(self, request: Request, key: tuple[str, str]) -> Response | None:
        variants = self._cache.get(key, [])
        entry = next(
            (e for e in variants if selecting_headers(e.response, request) == e.selecting), None
        )
        if entry is None:
            return None
        resident = time.monotonic() - entry.stored_at
        age = entry.age + resident
        if age >= entry.max_age or "no-cache" in (request.header("cache-control") or ""):
            variants.remove(entry)
            return None
        stored = entry.response
        # the stored Proxy-Status told of the relay back then (RFC 9209); this hit relayed nothing
        dropped = ("age", "x-cache", "proxy-status")
        headers = [(k, v) for k, v in stored.headers if k.lower() not in dropped]
        headers += [("Age", str(int(age))), ("X-Cache", "HIT")]
        self.recorder.record(
            request.request_id,
            self.name,
            self.role,
            Kind.CACHE,
            Said.now(
                "served from the gateway cache (stored {age} s ago, max-age={max_age})",
                age=int(resident),
                max_age=entry.max_age,
            ),
        )
        return Response(
            stored.status,
            headers,
            entry.body,
            reason=stored.reason,
            generated=True,
            why=Said.now(
                "a stored copy of an earlier {status} (max-age={max_age}) served from the "
                "gateway cache; the origin was not asked",
                status=stored.status,
                max_age=entry.max_age,
            ),
        )

    async def _store(
        self,
        key: tuple[str, str],
        response: Response,
        max_age: int,
        selecting: tuple[tuple[str, str], ...],
    ) -> Response:
        body = bytearray()
        try:
            if isinstance(response.body, bytes):  # a relayed body that arrived whole
                body += response.body
            else:  # a relayed (not generated) response, the only kind stored, streams its body
                async for chunk in response.body:
                    body += chunk
        except BodyCut as exc:  # nothing sent yet: the gateway can still say it failed
            headers, page = pages.page(
                None,
                502,
                made_by="gateway",
                paragraphs=[
                    Msg(
                        "The upstream's response broke off: {error}. Nothing was cached.",
                        error=exc.detail,
                    )
                ],
            )
            why = Said.now("the upstream's body broke off: {error}", error=str(exc))
            return Response(502, headers, page, why=why)
        variants = [e for e in self._cache.get(key, []) if e.selecting != selecting]
        # its age counts from when the origin made it: the Age it came with is time it already
        # spent in caches upstream (RFC 9111 4.2.3), and the hits' Age goes on from it
        entry = CachedResponse(
            response, bytes(body), time.monotonic(), max_age, selecting, received_age(response)
        )
        variants.append(entry)
        self._cache[key] = variants[-MAX_VARIANTS:]
        headers = [(k, v) for k, v in response.headers if k.lower() != "x-cache"]
        headers.append(("X-Cache", "MISS"))
        return Response(
            response.status,
            headers,
            bytes(body),
            reason=response.reason,
            generated=False,
            why=i18n.said(
                Msg("{why}; stored in the cache for {max_age} s", why=response.why, max_age=max_age)
            ),
        )


# conditions whose relayed body (nginx 1.22 relays them) had no valid length: the upstream's
# close ended it
UNFRAMED = frozenset({Condition.INVALID_CONTENT_LENGTH, Condition.INVALID_FRAMING})


async def _rest_until_close(reader: asyncio.StreamReader, timeout: float) -> tuple[bytes, bool]:
    """What the upstream still sends, up to 1 MB, and whether it closed (False: it stalled
    past ``timeout`` or passed the limit): nginx relays an unasked 101's bytes only when the
    upstream closed (``Gateway._switched``)."""
    rest = bytearray()
    try:
        while len(rest) < 1 << 20:
            chunk = await within(timeout, lambda: reader.read(65536))
            if not chunk:
                return bytes(rest), True
            rest += chunk
    except TimeoutError:
        pass
    except ConnectionError:
        return bytes(rest), True
    return bytes(rest), False


async def _unframed(body: bytes) -> AsyncIterator[bytes]:
    """A body the close ended, passed on without a length, as nginx does with a body it read
    to the close: chunked to an HTTP/1.1 client, ended by closing for HTTP/1.0 (observed:
    'Transfer-Encoding: chunked' on its 200 for 'Content-Length: abc' and 'Transfer-Encoding:
    foo'), not with a Content-Length the upstream never sent."""
    yield body


def all_targets_down(count: int, upstream: str) -> Msg:
    """What the gateway observed when no target of a pool is healthy (its 503's 'What it
    observed' line and Proxy-Status details), worded for the count: a learner reads "mark both
    targets", never "mark all 2 targets" or "all 1 targets"."""
    if count == 1:
        return Msg(
            "the health checks mark the only target of {upstream} as down", upstream=repr(upstream)
        )
    if count == 2:
        return Msg(
            "the health checks mark both targets of {upstream} as down", upstream=repr(upstream)
        )
    return Msg(
        "the health checks mark all {count} targets of {upstream} as down",
        count=count,
        upstream=repr(upstream),
    )


def pool(name: str, targets: list[Target], timeouts: Timeouts) -> Route:
    return Route(f"/{name}/", name, targets, timeouts, strip_prefix=True, health_checked=True)
