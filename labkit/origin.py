"""The origin: a small shop application whose failures are real.

Its 500 comes from handler code that raises, its 503 from a maintenance switch
or from more requests in flight than its capacity, its 429 from a rate-limited
API (one client over its limit, not the server), its 501/405 from how it
dispatches methods, its 426 from a resource that needs another protocol.
Lessons 01 (500), 02 (501/405), 04 (503), 06 (505/426) use it.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import json
import math
import time
from collections.abc import Callable
from json.encoder import encode_basestring_ascii
from typing import TYPE_CHECKING, Any

from labkit import i18n
from labkit.errors import check_number, number, refuse, shown, traceback_text, whole_in
from labkit.http import pages
from labkit.http.messages import Request, Response, http_date
from labkit.http.requestcheck import check_asterisk
from labkit.http.server import HTTPServer
from labkit.i18n import Listed, Msg, Said, Text
from labkit.recorder import Kind, Recorder, Role

if TYPE_CHECKING:
    import datetime as dt

    from labkit.switches import Param

# RFC 9110 9.3 defines these; anything else is a method this server does not recognise.
KNOWN_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH")

ORDERS: dict[int, dict[str, object]] = {
    1: {"id": 1, "item": "green tea", "quantity": 3, "customer": {"name": "Grace"}},
    2: {"id": 2, "item": "oolong", "quantity": 1, "customer": {"name": "Alan"}},
    7: {"id": 7, "item": "espresso beans", "quantity": 2, "customer": {"name": "Ada"}},
    13: {"id": 13, "item": "teapot", "quantity": 1, "customer": None},  # imported without one
}

ALLOW_COLLECTION = "GET, HEAD, POST, OPTIONS"
ALLOW_ORDER = "GET, HEAD, OPTIONS"
ALLOW_READ_ONLY = "GET, HEAD, OPTIONS"
# An order that has not shipped yet can be cancelled: DELETE is implemented on those (RFC 9110
# 9.3.5), so the shop's 405 for DELETE on a shipped one, such as order 7, is a method it
# implements but this resource does not allow (RFC 9110 9.1, 15.5.6: lesson 02, whose q5 says
# so); with DELETE implemented nowhere, RFC 9110 9.1 would have asked for 501, as
# Python's http.server answers. Like POST /orders, a cancellation changes nothing (it is logged)
NOT_SHIPPED = frozenset({1, 2})
ALLOW_CANCELLABLE = "GET, HEAD, DELETE, OPTIONS"
# The methods some resource implements; OPTIONS *, about the server in general (RFC 9110
# 9.3.7), lists them. The one rule (RFC 9110 9.1): a method the shop knows but implements on
# none of its resources (PUT, PATCH, TRACE) gets 501, as an unknown one does ("unrecognized or
# not implemented"; 15.6.2: "not capable of supporting it for any resource"); 405 with Allow is
# for a method some resource implements and this one does not allow (15.5.6)
IMPLEMENTED = tuple(
    m
    for m in KNOWN_METHODS
    if any(m in a.split(", ") for a in (ALLOW_COLLECTION, ALLOW_CANCELLABLE, ALLOW_READ_ONLY))
)
ALLOW_SERVER = ", ".join(IMPLEMENTED)
MAX_LOG_LINES = 2000
# a switch's on/off attribute given something else (lab.origin.debug = "yes")
TRUE_OR_FALSE = Msg("{name} must be True or False, not {given}")
# the generic 500 page's line with its reference; lesson 500's q2 quotes it from here, so the
# question quotes the page as it reads in each language
REPORT_REFERENCE = Msg("If you report it, quote this reference: {id}.")
# The quote API's rate limit (lesson 04's 429): at most RATE_LIMIT requests in any
# RATE_WINDOW seconds for one API key (X-Api-Key). Every request counts, refused ones too,
# so a client that retries before Retry-After stays refused.
RATE_LIMIT = 3  # the default; the rate-limit switch sets it (RATE_LIMIT_RANGE)
RATE_LIMIT_RANGE = (1, 1000)
CACHE_MAX_AGE_RANGE = (1, 86400)  # the caching mistake's max-age, seconds: a day at most
RATE_WINDOW = 10.0
RATE_PATH = "/api/quote"
# Seconds a request shed at capacity (lesson 04's load shedding) is told to wait: its 503's
# Retry-After, read by the scenario, the exercises and their hints (the page's "in a second"
# is checked against it in tests/test_origin.py)
SHED_RETRY_AFTER = 1
MAX_RATE_CLIENTS = 1000  # API keys remembered (the least recently seen is forgotten first)
QUOTES = (
    "Be conservative in what you send, be liberal in what you accept.",
    "There are only two hard things in computer science: cache invalidation and naming things.",
    "The network is reliable. (The first fallacy of distributed computing.)",
)
# GET /busy while the hold switch is on: a request that keeps the origin busy until the hold is
# released (lesson 04's load shedding), so a request sent meanwhile meets a busy origin however
# slow the machine; HOLD_MAX bounds it, so a hold left on never keeps a request for ever
BUSY_PATH = "/busy"
# A burst's requests (labkit.load.burst) name their burst and its size in this header; each
# one admitted waits until the whole burst has arrived (admitted or shed) before it is served,
# at most GATHER_MAX s. A burst's threads on a machine busy enough to spread them over more
# than the slow request's delay let a late request find a finished one's place free, and a
# capacity of 3 served 5 (a gate at load 15, December 2026): real bursts from many clients
# arrive together, and the lab's must too, whatever the machine's load.
BURST_HEADER = "Labkit-Burst"
GATHER_MAX = 5.0
MAX_GATHERINGS = 64  # bursts being gathered at once (a forged header cannot grow it further)
# the whys of the answers made on every request, said once (a Said keeps its message, so a
# Chinese panel says them in Chinese; docs/i18n.md)
SERVED = Said(Msg("served"))
# what POST /orders needs: a JSON object naming its item
ORDER_EXAMPLE = '{"item": "green tea"}'
INDEX_WHY = Said(Msg("the index page"))
HOLD_MAX = 30.0
# CONNECT host:port asks for a tunnel, a proxy's job (RFC 9110 9.3.6: an origin MAY accept
# it; most do not): the shop knows the method and implements it for none of its resources,
# so 501 (RFC 9110 9.1, 15.6.2), as the gateway and the portal answer it; its authority-form
# target names no resource here, so a 404 (what the shop answered, for the path '80') or a
# 405 would be wrong
NOT_A_PROXY = Msg(
    "CONNECT asks a proxy to open a tunnel to another host (RFC 9110 9.3.6). This server is "
    "an origin: it serves its own resources and opens no tunnels, so it does not implement "
    "CONNECT for any resource (501, RFC 9110 15.6.2)."
)
NO_TUNNEL = Said(Msg("an origin does not tunnel (CONNECT)"))
LEARNER_HANDLER_SECONDS = 1.0  # at most; and at most half the read timeout in front
# what learner_handler_seconds takes: a route's read timeout's range (the timeout switch),
# since at most half the read timeout in front applies anyway
LEARNER_HANDLER_RANGE = (0.01, 60.0)

OrderHandler = Callable[[str], tuple[int, object]]


def _switch_param(switch: str, name: str) -> Param:
    """A parameter of one of the lab's switches (``labkit.switches``, which imports this
    module: read when a setter checks a value). The setters check their values by it, so
    Python takes the range `labkit ctl` and the playgrounds take, in the same words."""
    from labkit.switches import get

    return get(switch).param(name)


class HandlerFailed(Exception):
    """What the origin itself finds wrong with a learner's order handler (too slow, a wrong
    return value): named as the Python exception it stands for, its text a Said, so that the
    500's why says it in the learner's language where Python's own words stay as written."""

    def __init__(self, type_name: str, text: Said) -> None:
        super().__init__(str(text))
        self.type_name, self.text = type_name, text


def _too_slow(limit: float) -> HandlerFailed:
    return HandlerFailed(
        "TimeoutError",
        Said(Msg("the handler did not return within {seconds} s", seconds=f"{limit:g}")),
    )


class _Gathering:
    """A burst being gathered: how many of its requests are expected and have arrived."""

    __slots__ = ("all_in", "arrived", "deadline", "size")

    def __init__(self, size: int, deadline: float) -> None:
        self.size, self.deadline, self.arrived = size, deadline, 0
        self.all_in = asyncio.Event()

    def left(self) -> float:
        return max(0.0, self.deadline - time.monotonic())


class Origin(HTTPServer):
    role = Role.ORIGIN
    server_header = "labkit-origin"
    # its usual answers are plain (HTTPServer._send_plain): read and written without h11
    plain_requests = True

    def __init__(self, recorder: Recorder, host: str = "127.0.0.1") -> None:
        super().__init__("origin", recorder, host)
        self._debug = False
        self._maintenance: dict[str, object] | None = None
        self._capacity: int | None = None
        self.in_flight = 0
        self._holding: asyncio.Event | None = None  # set: the held GET /busy requests go on
        # burst id -> its gathering (BURST_HEADER); only touched on the lab's loop thread
        self._gatherings: dict[str, _Gathering] = {}
        self._rate_limit = RATE_LIMIT
        # API key -> times of its last rate_limit requests to the quote API
        self._rate: collections.OrderedDict[str, collections.deque[float]] = (
            collections.OrderedDict()
        )
        self.log: collections.deque[str] = collections.deque(maxlen=MAX_LOG_LINES)
        self._order_handler: OrderHandler | None = None
        # the shortest read timeout of the gateway's routes to this origin (the lab wires it)
        self.front_read_timeout: Callable[[], float] = lambda: 2 * LEARNER_HANDLER_SECONDS
        self._learner_handler_seconds = LEARNER_HANDLER_SECONDS

    # -- switches (called from the learner's thread; each applied on the lab's loop thread) --

    def maintenance(
        self,
        on: bool = True,
        *,
        retry_after: int | dt.datetime | None = 120,
        cache_max_age: int | None = None,
    ) -> None:
        """Answer every request with 503 until switched off.

        ``retry_after`` is seconds (int) or a time (an aware datetime, sent as an
        HTTP-date), or None for no Retry-After. ``cache_max_age`` is the caching
        mistake of lesson 04: it replaces ``no-store`` with ``max-age``.
        """
        self.refuse_if_stopped()
        if not isinstance(on, bool):
            raise refuse(TRUE_OR_FALSE.bind(name="on", given=shown(on)))
        if not on:
            self.switch(lambda: setattr(self, "_maintenance", None))
            return
        import datetime as dt  # here, not at import: only this switch reads a datetime

        if isinstance(retry_after, dt.datetime):
            if retry_after.tzinfo is None:
                raise refuse(
                    Msg(
                        "retry_after as a datetime must be timezone-aware, e.g. {example}",
                        example="datetime.now(timezone.utc) + timedelta(minutes=5)",
                    )
                )
            header = http_date(retry_after.timestamp())
        elif retry_after is None:
            header = None
        else:
            param = _switch_param("maintenance", "retry_after")
            if not whole_in(retry_after, param.minimum, param.maximum):
                # the switch's range, as `labkit ctl maintenance on --retry-after` says it, and
                # the datetime only Python can give
                raise refuse(
                    Msg(
                        "retry_after must be a whole number from {minimum} to {maximum}, a "
                        "timezone-aware datetime, or None ({means}), not {given}",
                        minimum=number(param.minimum),
                        maximum=number(param.maximum),
                        means=param.none_means,
                        given=shown(retry_after),
                    )
                )
            header = str(retry_after)
        if cache_max_age is not None:  # delta-seconds, RFC 9111 1.2.2: whole
            _switch_param("maintenance", "cache_max_age").check(cache_max_age)
        settings = {"retry_after": header, "cache_max_age": cache_max_age}
        self.switch(lambda: setattr(self, "_maintenance", settings))

    @property
    def order_handler(self) -> OrderHandler | None:
        """The learner's ``show_order(order_id) -> (status, body)`` serving GET /orders/ID
        (lesson 01's fix, installed by its judge), or None for the origin's own."""
        return self._order_handler

    @order_handler.setter
    def order_handler(self, handler: OrderHandler | None) -> None:
        self.refuse_if_stopped()
        if handler is not None and not callable(handler):
            raise refuse(
                Msg(
                    "order_handler must be a function {signature}, or None; not {given}",
                    signature="show_order(order_id) -> (status, body)",
                    given=shown(handler),
                )
            )
        if handler is not None:
            # imported here, on the learner's thread: on the lab's loop its first import
            # (0.2 s, seconds on a busy machine) held the gateway's timers with the 500
            from labkit.exercises import runner  # noqa: F401
        self.switch(lambda: setattr(self, "_order_handler", handler))

    @property
    def learner_handler_seconds(self) -> float:
        """The most a learner's handler may take (learner_time_limit): lesson 500's judge
        allows more while it sends its requests (lesson_500.JUDGED_HANDLER_SECONDS)."""
        return self._learner_handler_seconds

    @learner_handler_seconds.setter
    def learner_handler_seconds(self, seconds: float) -> None:
        self.refuse_if_stopped()
        low, high = LEARNER_HANDLER_RANGE
        check_number("learner_handler_seconds", seconds, minimum=low, maximum=high)
        self.switch(lambda: setattr(self, "_learner_handler_seconds", float(seconds)))

    @property
    def debug(self) -> bool:
        """Show tracebacks in 500 pages (lesson 01's leak): True or False only."""
        return self._debug

    @debug.setter
    def debug(self, on: bool) -> None:
        self.refuse_if_stopped()
        if not isinstance(on, bool):
            raise refuse(TRUE_OR_FALSE.bind(name="debug", given=shown(on)))
        self.switch(lambda: setattr(self, "_debug", on))

    @property
    def maintenance_settings(self) -> dict[str, object] | None:
        """The maintenance switch as it is now (None: off): the Retry-After value it sends
        and its cache_max_age. ``labkit.switches`` reads it back and restores it."""
        return dict(self._maintenance) if self._maintenance is not None else None

    @property
    def in_maintenance(self) -> bool:
        return self._maintenance is not None

    @property
    def capacity(self) -> int | None:
        """How many requests may be in flight at once; more are shed with 503."""
        return self._capacity

    @capacity.setter
    def capacity(self, value: int | None) -> None:
        self.refuse_if_stopped()
        _switch_param("capacity", "value").check(value)
        self.switch(lambda: setattr(self, "_capacity", value))

    @property
    def rate_limit(self) -> int:
        """Requests the quote API allows each API key in RATE_WINDOW seconds (more get 429)."""
        return self._rate_limit

    @rate_limit.setter
    def rate_limit(self, value: int) -> None:
        """Setting it (reset does) also forgets every key's count: a fresh window for everyone,
        so no 429 outlives the change by up to RATE_WINDOW seconds."""
        self.refuse_if_stopped()
        _switch_param("rate-limit", "requests").check(value)
        self.switch(lambda: self._set_rate_limit(value))

    def _set_rate_limit(self, value: int) -> None:
        self._rate_limit = value
        self._rate.clear()

    @property
    def rate_limited_keys(self) -> int:
        """API keys whose recent requests the quote API is counting."""
        return len(self._rate)

    def logs(self) -> list[str]:
        """The origin's server log: what happened, including tracebacks the client never sees."""
        return list(self.log)

    # -- serving --

    async def handle(self, request: Request) -> Response:
        gathering = self._counted_in(request)
        if self._maintenance is not None:
            return self._maintenance_page(request)
        if self._capacity is not None and self.in_flight >= self._capacity:
            return self._shed(request)
        self.in_flight += 1
        self.recorder.wake()  # for whoever waits until the origin is busy
        try:
            if gathering is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(gathering.all_in.wait(), gathering.left())
            return await self._dispatch(request)
        except Exception as exc:  # the application's own bug: the 500 lesson
            return self._internal_error(request, exc)
        finally:
            self.in_flight -= 1

    def _counted_in(self, request: Request) -> _Gathering | None:
        """Count a burst's request in (BURST_HEADER: ``<id> <size>``); the gathering its admitted
        requests wait on, or None for a request of no burst (or a header that is not one)."""
        named = request.header(BURST_HEADER)
        if named is None:
            return None
        burst_id, _, size = named.partition(" ")
        if not (0 < len(burst_id) <= 32 and size.isdigit() and 0 < int(size) <= 1000):
            return None
        now = time.monotonic()
        for old in [k for k, g in self._gatherings.items() if g.deadline < now]:
            self._gatherings.pop(old).all_in.set()
        gathering = self._gatherings.get(burst_id)
        if gathering is None:
            if len(self._gatherings) >= MAX_GATHERINGS:
                return None
            gathering = self._gatherings[burst_id] = _Gathering(int(size), now + GATHER_MAX)
        gathering.arrived += 1
        if gathering.arrived >= gathering.size:
            gathering.all_in.set()
            del self._gatherings[burst_id]
        return gathering

    async def _dispatch(self, request: Request) -> Response:
        method, path = request.method, request.path
        if method not in KNOWN_METHODS:
            return self._page(
                request,
                501,
                Msg(
                    "This server does not recognise the method {method}, on any resource. "
                    "Methods it knows: {methods}.",
                    method=repr(method),
                    methods=Listed(KNOWN_METHODS),
                ),
                why=Said.now(
                    "unknown method {method} (RFC 9110 9.1: 501 for a method not recognised)",
                    method=method,
                ),
            )
        if method == "CONNECT":  # (a target that is not host:port was refused with 400)
            return self._page(request, 501, NOT_A_PROXY, why=NO_TUNNEL)
        if method not in IMPLEMENTED:  # known, implemented on no resource: 501, not 405
            return self._page(
                request,
                501,
                Msg(
                    "This server knows the method {method} but implements it on none of its "
                    "resources. Methods it implements: {methods}.",
                    method=repr(method),
                    methods=Listed(IMPLEMENTED),
                ),
                why=Said.now(
                    "{method} is implemented on no resource (RFC 9110 9.1: 501 for a method "
                    "not implemented)",
                    method=method,
                ),
            )
        malformed = check_asterisk(method, request.target)
        if malformed:  # GET * and the like: '*' is OPTIONS's alone (RFC 9112 3.2.4)
            return self._refusal(request, malformed)
        if method == "OPTIONS" and request.target == "*":
            return Response(
                204,
                [("Allow", ALLOW_SERVER)],
                why=Said(Msg("OPTIONS * lists the server's methods")),
            )
        parts = [p for p in path.split("/") if p]
        if not parts:
            return self._allowing(request, ALLOW_READ_ONLY, self._index)
        if parts == ["orders"]:
            return self._allowing(request, ALLOW_COLLECTION, self._orders)
        if len(parts) == 2 and parts[0] == "orders":
            if self.order_handler is not None and method in ("GET", "HEAD"):
                return await self._learner_order(request, parts[1])
            allow = ALLOW_CANCELLABLE if _order_number(parts[1]) in NOT_SHIPPED else ALLOW_ORDER
            return self._allowing(request, allow, lambda r: self._order(r, parts[1]))
        if parts == ["slow"]:  # a report: read only, as /health (the method rule below)
            return self._refused_method(request, ALLOW_READ_ONLY) or await self._slow(request)
        if parts == ["chat"]:  # a WebSocket handshake is a GET (RFC 6455 4.1): the rule first
            return self._refused_method(request, ALLOW_READ_ONLY) or self._upgrade_required(request)
        if "/" + "/".join(parts) == RATE_PATH:
            return self._allowing(request, ALLOW_READ_ONLY, self._quote)
        if "/" + "/".join(parts) == BUSY_PATH:
            return self._refused_method(request, ALLOW_READ_ONLY) or await self._busy(request)
        if parts == ["health"]:
            return self._allowing(request, ALLOW_READ_ONLY, lambda r: self._text(200, "ok\n"))
        return self._page(
            request,
            404,
            Msg("There is no resource at {path}.", path=pages.quoted_path(path)),
            why=Said(Msg("no such resource")),
        )

    def _allowing(
        self, request: Request, allow: str, handler: Callable[[Request], Response]
    ) -> Response:
        return self._refused_method(request, allow) or handler(request)

    def _refused_method(self, request: Request, allow: str) -> Response | None:
        """The shop's method rule, the same on every resource (lesson 02): OPTIONS answers 204
        with the resource's Allow; a method the resource does not allow gets 405 with Allow
        (RFC 9110 15.5.6); None lets the resource answer. /health and /slow answered every
        implemented method 200, POST and DELETE too, with no Allow to say which they take, and
        /chat answered POST 426, as if upgrading could make a method it does not take work."""
        if request.method == "OPTIONS":
            why = Said(Msg("OPTIONS lists the allowed methods"))
            return Response(204, [("Allow", allow)], why=why)
        if request.method not in allow.split(", "):
            resp = self._page(
                request,
                405,
                Msg(
                    "{method} is a method this server knows, but this resource does not "
                    "allow it. Allowed: {allow}.",
                    method=request.method,
                    allow=Listed(allow.split(", ")),  # the header's value is protocol
                ),
                why=Said.now(
                    "{method} not allowed here (RFC 9110 15.5.6: 405 with Allow)",
                    method=request.method,
                ),
            )
            resp.headers.append(("Allow", allow))
            return resp
        return None

    def _index(self, request: Request) -> Response:
        headers, body = pages.page(
            request,
            200,
            made_by="origin",
            title=Msg("labkit shop"),
            paragraphs=[Msg("A small shop: orders, a slow report, a chat that needs WebSocket.")],
            links=[
                (Msg("order {id}", id=7), "/orders/7"),
                (Msg("all orders"), "/orders"),
                (Msg("a slow report"), "/slow?delay=0.2"),
                (Msg("chat"), "/chat"),
            ],
        )
        return Response(200, headers, body, why=INDEX_WHY)

    def _orders(self, request: Request) -> Response:
        if request.method == "POST":
            try:
                data = json.loads(request.body) if request.body else None
            except ValueError:
                text = Msg("The body must be JSON.")
                return self._page(request, 400, text, why=Said(Msg("invalid JSON")))
            if not (isinstance(data, dict) and isinstance(data.get("item"), str) and data["item"]):
                # an empty body (Content-Length: 0, lesson 02's chunked "0") was an order of
                # nothing, answered 201 Created; an API answers what it cannot act on with 422
                # and a reason (RFC 9110 15.5.21), as FastAPI does for a missing body
                got = (
                    Msg("the body was {body}", body=shown(request.body.decode("utf-8", "replace")))
                    if request.body
                    else Msg("the body was empty")
                )
                text = Msg(
                    "An order must name its item: send JSON such as {example}; {got}.",
                    example=ORDER_EXAMPLE,
                    got=got,
                )
                why = Said(Msg("an order needs an item ({got})", got=got))
                return self._page(request, 422, text, why=why)
            new_id = max(ORDERS) + 1
            self.log.append(f"{request.request_id} would create order {new_id}: {data!r}")
            resp = self._json(201, {"id": new_id, "created": True})
            resp.headers.append(("Location", f"/orders/{new_id}"))
            return resp
        return self._json(200, [{"id": k, "item": v["item"]} for k, v in ORDERS.items()])

    def _order(self, request: Request, order_id: str) -> Response:
        if request.method == "DELETE":  # only an order not shipped yet allows it
            self.log.append(f"{request.request_id} would cancel order {order_id}")
            why = Said(Msg("order {id} cancelled (the shop's data stays as it is)", id=order_id))
            return Response(204, [], why=why)
        order = ORDERS.get(int(order_id))  # bug: "abc" raises ValueError -> 500
        if order is None:
            text = Msg("There is no order {id}.", id=pages.cut(order_id))
            return self._page(request, 404, text, why=Said(Msg("no such order")))
        customer = order["customer"]["name"]  # type: ignore[index]  # bug: order 13 has None
        return self._json(200, {"id": order["id"], "item": order["item"], "customer": customer})

    def learner_time_limit(self) -> float:
        """How long the learner's handler may take: short enough that the lesson's 500
        reaches the client before the gateway's read timeout would make it a 504."""
        return min(self._learner_handler_seconds, self.front_read_timeout() / 2)

    async def _learner_order(self, request: Request, order_id: str) -> Response:
        """Lesson 01's exercise: the learner's handler, ``fn(order_id) -> (status, body)``.

        It runs where the exercise judges run learner code (a child process that is
        killed when its time is up), so a handler that hangs, spins, exits or raises
        KeyboardInterrupt costs one 500 and never the lab's loop, a thread or the kernel.
        """
        # counted from now, not from when the child starts: the 500 is due before the
        # gateway's read timeout however long the fork takes on a busy machine
        since = time.monotonic()
        from labkit.exercises import runner

        # the handler runs in a process of its own, by the machine's clock: a wait the lab's
        # record cannot time, whatever its outcome
        self.recorder.untimed(request.request_id, self.name)

        assert self.order_handler is not None
        limit = self.learner_time_limit()
        loop = asyncio.get_running_loop()
        settled: asyncio.Future[tuple[Any, BaseException | None]] = loop.create_future()

        def settle(value: Any, error: BaseException | None) -> None:
            def told() -> None:
                if not settled.done():
                    settled.set_result((value, error))

            with contextlib.suppress(RuntimeError):  # the lab stopped meanwhile: none waits
                loop.call_soon_threadsafe(told)

        # the runner says when the run is over (its deadline moves on for the time the handler
        # waited for a CPU the machine gave to others): its outcome comes as soon as it has
        # one, before the runner has killed and reaped the handler's process (under load that
        # took longer than the gateway's read timeout; the executor's thread finishes that
        # cleanup after the answer has gone). A deadline of the origin's own beside the
        # runner's (a quarter of the limit after it) fell first when the runner's thread,
        # reading /proc to excuse the load, took longer than that quarter beside busy loops:
        # a 500 for a handler the runner let finish. However far the load moves the runner's
        # deadline, the 500 leaves half the limit before the gateway's read timeout (at least
        # twice the limit), so the load never makes it a 504.
        deadline = runner.Deadline(since + limit, settle)
        call = functools.partial(
            runner.call, self.order_handler, order_id, seconds=limit, since=since, deadline=deadline
        )
        future = loop.run_in_executor(None, call)
        # its outcome is read from ``settled`` when that came first: retrieved here, an error
        # is not reported as never retrieved
        future.add_done_callback(lambda f: f.cancelled() or f.exception())
        latest = since + self.front_read_timeout() - limit / 2
        done, _ = await asyncio.wait(
            {future, settled},
            timeout=max(0.0, latest - time.monotonic()),
            return_when=asyncio.FIRST_COMPLETED,
        )
        if not done:
            future.cancel()
            raise _too_slow(limit)
        if settled in done:
            result, error = settled.result()
        else:
            result, error = None, future.exception()
            if error is None:
                result = future.result()
        if isinstance(error, runner.TimeLimit):
            raise _too_slow(limit) from None
        if error is not None:
            raise error
        if not (isinstance(result, tuple) and len(result) == 2):
            raise HandlerFailed(
                "TypeError",
                Said(
                    Msg(
                        "the handler must return (status, body), not {result}",
                        result=shown(result),
                    )
                ),
            )
        status, body = result
        if not whole_in(status, 200, 599):
            # a 1xx is interim, never a response's final status (RFC 9110 15.2)
            raise HandlerFailed(
                "TypeError",
                Said(
                    Msg(
                        "the handler must return (status, body) with a status 200-599, "
                        "not {status}",
                        status=shown(status),
                    )
                ),
            )
        if isinstance(body, (dict, list)):
            return self._json(status, body)
        return self._page(request, status, str(body), why=_chose(status))

    async def _slow(self, request: Request) -> Response:
        raw = request.query.get("delay", "1")
        try:
            delay = float(raw)
        except ValueError:
            delay = -1.0
        if not 0 <= delay <= 30:
            return self._page(
                request,
                400,
                Msg(
                    "delay must be a number of seconds from 0 to 30, not {value}.",
                    value=repr(raw),
                ),
                why=Said(Msg("bad delay parameter")),
            )
        await asyncio.sleep(delay)
        return self._said(
            request,
            Msg("report ready after {delay} s", delay=f"{delay:g}"),
            why=Said.now("slow by {delay} s", delay=f"{delay:g}"),
            delay=delay,
        )

    @property
    def hold(self) -> bool:
        """Whether GET /busy waits until the hold is released (turned off), at most HOLD_MAX s."""
        return self._holding is not None

    @hold.setter
    def hold(self, on: bool) -> None:
        self.refuse_if_stopped()
        if not isinstance(on, bool):
            raise refuse(TRUE_OR_FALSE.bind(name="hold", given=shown(on)))
        self.switch(lambda: self._set_hold(on))

    def _set_hold(self, on: bool) -> None:
        if on and self._holding is None:
            self._holding = asyncio.Event()
        elif not on and self._holding is not None:
            self._holding.set()  # every held request goes on
            self._holding = None

    async def _busy(self, request: Request) -> Response:
        released = self._holding
        if released is None:
            return self._said(
                request, Msg("not held: the hold is off"), why=Said(Msg("not held (hold off)"))
            )
        # held until the learner lets go: a wait the lab's record cannot time
        self.recorder.untimed(request.request_id, self.name)
        try:
            await asyncio.wait_for(released.wait(), HOLD_MAX)
        except TimeoutError:
            held = Msg("held for {seconds} s, the most", seconds=f"{HOLD_MAX:g}")
            return self._said(request, held, why=Said(Msg("held, then let go")))
        return self._said(
            request, Msg("held until released"), why=Said(Msg("held until the hold was released"))
        )

    def _quote(self, request: Request) -> Response:
        """The rate-limited API: 429 with Retry-After for a key over its limit (RFC 6585 4)."""
        key = (request.header("x-api-key") or "anonymous")[:64]
        now = time.monotonic()
        limit = self._rate_limit
        times = self._rate.pop(key, None) or collections.deque(maxlen=limit)
        self._rate[key] = times  # most recently seen last
        while len(self._rate) > MAX_RATE_CLIENTS:
            self._rate.popitem(last=False)
        over = len(times) == limit and now - times[0] < RATE_WINDOW
        times.append(now)
        if not over:
            left = sum(1 for t in times if now - t < RATE_WINDOW)
            body = {"quote": QUOTES[len(times) % len(QUOTES)], "requests_left": limit - left}
            return self._json(200, body)
        wait = max(1, math.ceil(times[0] + RATE_WINDOW - now))
        resp = self._page(
            request,
            429,
            Msg(
                "Too many requests for API key {key}: at most {limit} in {window} s, and every "
                "request counts. Try again in {wait} s.",
                key=repr(key),
                limit=limit,
                window=f"{RATE_WINDOW:g}",
                wait=wait,
            ),
            why=Said.now(
                "rate limit: API key {key} sent more than {limit} requests in {window} s "
                "(RFC 6585 4)",
                key=repr(key),
                limit=limit,
                window=f"{RATE_WINDOW:g}",
            ),
        )
        # RFC 6585 4: a 429 MUST NOT be stored by a cache
        resp.headers += [("Retry-After", str(wait)), ("Cache-Control", "no-store")]
        return resp

    def _upgrade_required(self, request: Request) -> Response:
        resp = self._page(
            request,
            426,
            Msg(
                "This resource speaks WebSocket only. A WebSocket client opens it with a "
                "handshake: this request again with 'Connection: upgrade', 'Upgrade: "
                "websocket', 'Sec-WebSocket-Version: 13' and a 'Sec-WebSocket-Key' (RFC 6455 "
                "4.1), which a WebSocket server answers with 101 Switching Protocols. (The lab "
                "does not implement WebSocket itself.)"
            ),
            why=Said(Msg("the resource requires the WebSocket protocol (RFC 9110 15.5.22)")),
        )
        resp.headers += [("Upgrade", "websocket"), ("Connection", "upgrade")]
        return resp

    def _maintenance_page(self, request: Request) -> Response:
        m = self._maintenance or {}
        retry_after, max_age = m.get("retry_after"), m.get("cache_max_age")
        if not retry_after:
            text = Msg("The shop is down for maintenance.")
        elif str(retry_after).isdigit():
            text = Msg(
                "The shop is down for maintenance. Please come back after {seconds} seconds.",
                seconds=retry_after,
            )
        else:
            text = Msg(
                "The shop is down for maintenance. Please come back after {date}.",
                date=retry_after,
            )
        resp = self._page(
            request,
            503,
            text,
            why=Said(Msg("the origin is in maintenance mode")),
        )
        if retry_after:
            resp.headers.append(("Retry-After", str(retry_after)))
        resp.headers.append(("Cache-Control", f"max-age={max_age}" if max_age else "no-store"))
        return resp

    def _shed(self, request: Request) -> Response:
        resp = self._page(
            request,
            503,
            Msg(
                "The shop is busy: {n} request is in flight and its capacity is {capacity}. "
                "Try again in a second.",
                plural="The shop is busy: {n} requests are in flight and its capacity is "
                "{capacity}. Try again in a second.",
                n=self.in_flight,
                capacity=self._capacity,
            ),
            why=Said.now(
                "load shedding: {in_flight} in flight, capacity {capacity}",
                in_flight=self.in_flight,
                capacity=self._capacity,
            ),
        )
        resp.headers += [("Retry-After", str(SHED_RETRY_AFTER)), ("Cache-Control", "no-store")]
        return resp

    def _internal_error(self, request: Request, exc: Exception) -> Response:
        # a learner's handler failed in its own process: its own frames, its own exception
        tb = getattr(exc, "trace", "") or traceback_text(exc)  # no AST built on this thread
        name, text = getattr(exc, "type_name", type(exc).__name__), getattr(exc, "text", exc)
        self.log.append(f"{request.request_id} {request.method} {request.target} failed:\n{tb}")
        self.recorder.record(request.request_id, self.name, self.role, Kind.LOG, tb)
        paragraphs: list[Text] = [
            Msg("Something went wrong on our side while handling your request."),
            REPORT_REFERENCE.bind(id=request.request_id),
        ]
        if self._debug:
            paragraphs.append(Msg("DEBUG is on, so here is the traceback:\n{tb}", tb=tb))
        return self._page(
            request,
            500,
            *paragraphs,
            # the exception's name and text as Python wrote them, plain str (a pickle of it
            # crosses the exercise runner's pipe); what the origin itself found wrong with
            # the handler (HandlerFailed) keeps its message, in the learner's language
            why=Said.now(
                "the handler raised {name}: {text}",
                name=str(name),
                text=text if isinstance(text, Said) else str(text),
            ),
        )

    # -- small builders --

    def _page(self, request: Request, status: int, *paragraphs: Text, why: str) -> Response:
        headers, body = pages.page(request, status, made_by="origin", paragraphs=list(paragraphs))
        return Response(status, headers, body, why=why)

    def _said(self, request: Request, text: Msg, why: str, delay: float | None = None) -> Response:
        """A 200 of one line of words in the request's language, negotiated as the pages are
        (RFC 9110 12.5.4): Content-Language, and Vary: Accept-Language, the one field it
        follows. /slow's and /busy's answered English to a Chinese request until December
        2026; the English bytes are as they were."""
        lang = i18n.negotiate(request.field("accept-language"))
        resp = self._text(200, text.render(lang) + "\n", why=why, delay=delay)
        resp.headers += [("Content-Language", lang), ("Vary", "Accept-Language")]
        return resp

    def _json(self, status: int, data: object) -> Response:
        body = (json_text(data) + "\n").encode()
        return Response(status, [("Content-Type", "application/json")], body, why=SERVED)

    def _text(
        self, status: int, text: str, why: str = SERVED, delay: float | None = None
    ) -> Response:
        return Response(
            status,
            [("Content-Type", "text/plain; charset=utf-8")],
            text.encode(),
            why=why,
            delay=delay,
        )


def json_text(data: object) -> str:
    """``json.dumps(data, indent=1)``, the same text, written without the standard library's
    pure-Python encoder for what the origin answers with: dicts with str keys, lists, str,
    int, bool, None and finite floats; anything else goes to ``json.dumps``.

    Its C encoder does not indent (before Python 3.13), so an indented document took the
    Python one: a new encoder, its closures and a generator step per token for each answer,
    about 36 calls, and 30 objects in reference cycles (the closures), which brought a
    garbage collection every ~24 requests."""
    parts: list[str] = []
    if not _json_write(data, parts, "\n", set()):
        return json.dumps(data, indent=1)
    return "".join(parts)


def _json_write(value: object, parts: list[str], newline: str, within: set[int]) -> bool:
    """Append ``value``'s text as ``json.dumps(indent=1)`` writes it at the depth whose line
    break (and indent) is ``newline``; False where it is not one of ``json_text``'s kinds, or
    is a dict or list that holds itself (``within``: the ids of those it is written inside):
    json.dumps then raises what Python says of it, "ValueError: Circular reference detected"
    (a learner's body that held itself was told "RecursionError", this writer's own, before
    this check)."""
    kind = type(value)
    if kind is str:
        parts.append(encode_basestring_ascii(value))  # type: ignore[arg-type]
    elif kind is int:
        parts.append(int.__repr__(value))
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif kind is float:
        if not math.isfinite(value):  # type: ignore[arg-type]
            return False  # NaN, Infinity: json.dumps's own spelling
        parts.append(float.__repr__(value))
    elif kind is dict or kind is list:
        if not value:
            parts.append("{}" if kind is dict else "[]")
            return True
        if id(value) in within:
            return False
        within.add(id(value))
        inner = newline + " "
        if kind is dict:
            first = "{" + inner
            for key, item in value.items():  # type: ignore[attr-defined]
                if type(key) is not str:
                    return False
                parts.append(first + encode_basestring_ascii(key) + ": ")
                first = "," + inner
                if not _json_write(item, parts, inner, within):
                    return False
            parts.append(newline + "}")
        else:
            first = "[" + inner
            for item in value:  # type: ignore[attr-defined]
                parts.append(first)
                first = "," + inner
                if not _json_write(item, parts, inner, within):
                    return False
            parts.append(newline + "]")
        within.discard(id(value))
    else:
        return False
    return True


def _order_number(text: str) -> int | None:
    """The order number a path names, or None ("abc": the handler's own bug says so, a 500)."""
    return int(text) if text.isdigit() else None


def _chose(status: int) -> str:
    """Why a learner's handler's answer is what it is: the status it chose."""
    return Said.now("the learner's handler chose {status}", status=status)
