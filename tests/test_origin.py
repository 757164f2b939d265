"""The origin's statuses, as a client sees them on the wire."""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import http
import re

import httpx
import pytest
from helpers import CHUNK_SIZES, CHUNKED_HEAD, WAITS

import labkit
from labkit.http.messages import REASONS
from labkit.origin import SHED_RETRY_AFTER
from labkit.render import svg


def test_500_page_is_generic_and_the_log_keeps_the_traceback(lab: labkit.Lab) -> None:
    ex = lab.get("/orders/abc", via="origin")
    assert ex.status == 500
    assert "Traceback" not in ex.text and "ValueError" not in ex.text
    assert ex.id in ex.text  # a reference the user can quote
    log = "\n".join(lab.origin.logs())
    assert "Traceback" in log and "ValueError" in log and ex.id in log


def test_debug_switch_leaks_the_traceback(lab: labkit.Lab) -> None:
    lab.origin.debug = True
    ex = lab.get("/orders/abc")
    assert ex.status == 500
    assert "Traceback" in ex.text and "int(order_id)" in ex.text


def test_unknown_method_is_501_known_but_not_allowed_is_405(lab: labkit.Lab) -> None:
    brew = lab.request("BREW", "/orders/7")
    assert brew.status == 501 and brew.header("allow") is None
    delete = lab.request("DELETE", "/orders/7")
    assert delete.status == 405
    assert delete.header("allow") == "GET, HEAD, OPTIONS"
    options = lab.request("OPTIONS", "/orders/7")
    assert options.status == 204 and options.header("allow") == "GET, HEAD, OPTIONS"
    # the 405 is for a method the shop implements, on an order not shipped yet (RFC 9110 9.1,
    # lesson 02 and its q5 say so): with DELETE implemented nowhere, 9.1 would ask for 501
    cancel = lab.request("OPTIONS", "/orders/1")
    assert cancel.header("allow") == "GET, HEAD, DELETE, OPTIONS"
    cancelled = lab.request("DELETE", "/orders/1")
    assert (cancelled.status, cancelled.generated_by) == (204, "origin")
    assert any(entry.endswith("would cancel order 1") for entry in lab.origin.logs())
    assert lab.get("/orders/1").status == 200  # the shop's data stays as it is
    assert lab.request("POST", "/orders", body='{"item": "tea"}').status == 201


@pytest.mark.parametrize("path", ["/health", "/slow?delay=0"])
def test_health_and_the_report_follow_the_method_rule(lab: labkit.Lab, path: str) -> None:
    """/health and /slow answered POST, DELETE and OPTIONS 200 with their text and no Allow
    (OPTIONS listed no methods), where every other resource of the shop answers a method it
    does not take 405 with Allow and OPTIONS 204 with Allow (RFC 9110 15.5.6, 9.3.7; lesson
    02's rule)."""
    for method in ("POST", "DELETE"):
        refused = lab.request(method, path, via="origin")
        assert (refused.status, refused.header("allow")) == (405, "GET, HEAD, OPTIONS")
    options = lab.request("OPTIONS", path, via="origin")
    assert (options.status, options.header("allow"), options.text) == (
        204,
        "GET, HEAD, OPTIONS",
        "",
    )
    assert lab.request("HEAD", path, via="origin").status == 200
    ok = lab.get(path, via="origin")
    assert ok.status == 200 and ok.header("allow") is None


@pytest.mark.parametrize(
    ("body", "got"),
    [("", "the body was empty"), ("{}", "the body was '{}'"), ("[]", "the body was '[]'")],
)
def test_an_order_of_nothing_is_422_with_its_reason(lab: labkit.Lab, body: str, got: str) -> None:
    """POST /orders with Content-Length: 0 (and lesson 02's chunked '0') was 201 Created, an
    order made of nothing: an API answers content it cannot act on 422 and says why (RFC 9110
    15.5.21), and creates nothing."""
    ex = lab.request("POST", "/orders", body=body)
    assert (ex.status, ex.reason, ex.generated_by) == (422, "Unprocessable Content", "origin")
    assert ex.why == f"an order needs an item ({got})"
    assert ex.text.splitlines()[2] == (
        f'An order must name its item: send JSON such as {{"item": "green tea"}}; {got}.'
    )
    assert ex.header("location") is None
    assert lab.request("POST", "/orders", body='{"item": "green tea"}').status == 201


def test_transfer_codings(lab: labkit.Lab) -> None:
    gzip = lab.raw(
        b"POST /orders HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"
    )
    assert gzip.status == 501 and "gzip" in gzip.text
    # its head was read and understood: the story and the picture say so, in the picture's
    # language (they said "unparseable request: 'POST /orders HTTP/1.1'", in English only)
    origin = next(hop for hop in gzip.hops if hop.name == "origin")
    assert origin.received.summary == (
        "POST /orders HTTP/1.1 (head read; transfer coding not implemented here)"
    )
    for lang, words in (
        ("en", "(head read; transfer coding not implemented here)"),
        ("zh-CN", "（请求头部已读完；这里没有实现它的传输编码）"),
    ):
        drawn = re.sub(r"<[^>]+>|\s", "", svg.Picture(gzip, lang)._repr_svg_())
        assert re.sub(r"\s", "", words) in html.unescape(drawn), lang
        assert "unparseable" not in drawn, lang
    not_final = lab.raw(
        b"POST /orders HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n"
    )
    assert not_final.status == 400 and "final" in not_final.text
    assert not_final.header("connection") == "close"


def test_maintenance_with_seconds_then_off(lab: labkit.Lab) -> None:
    lab.origin.maintenance(retry_after=30)
    ex = lab.get("/orders/7")
    assert ex.status == 503
    assert ex.header("retry-after") == "30"
    assert ex.header("cache-control") == "no-store"
    lab.origin.maintenance(False)
    assert lab.get("/orders/7").status == 200


def test_maintenance_with_an_http_date(lab: labkit.Lab) -> None:
    when = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=5)
    lab.origin.maintenance(retry_after=when)
    value = lab.get("/orders/7").header("retry-after")
    assert value is not None and value.endswith(" GMT")
    parsed = email.utils.parsedate_to_datetime(value)
    assert abs((parsed - when).total_seconds()) < 1


def test_load_shedding_sends_503_with_retry_after(lab: labkit.Lab) -> None:
    """The shed 503's Retry-After is SHED_RETRY_AFTER, the one value the scenario, lesson 04's
    q3 and the capstone's hints quote; its page says when in words, which must agree."""
    lab.origin.capacity = 0
    ex = lab.get("/orders/7", via="origin")
    assert ex.status == 503 and ex.header("retry-after") == str(SHED_RETRY_AFTER)
    said = {1: "Try again in a second."}.get(SHED_RETRY_AFTER, "(a wait in words to write)")
    assert said in ex.text, "the shed page's words no longer match SHED_RETRY_AFTER"
    lab.origin.capacity = None
    assert lab.get("/orders/7", via="origin").status == 200


def test_505_names_the_versions_and_how_http2_is_negotiated(lab: labkit.Lab) -> None:
    for version in (b"2.0", b"3.0"):
        ex = lab.raw(b"GET /orders/7 HTTP/" + version + b"\r\nHost: x\r\n\r\n")
        assert ex.raw_response.startswith(b"HTTP/1.1 505 HTTP Version Not Supported\r\n")
        assert "HTTP/1.0, HTTP/1.1" in ex.text and "ALPN" in ex.text
        # both ways a client learns of HTTP/3: the HTTPS DNS record and Alt-Svc
        assert "HTTPS DNS record (RFC 9460)" in ex.text and "Alt-Svc" in ex.text


def test_http_1_2_is_served_as_1_1_and_bad_names_are_400(lab: labkit.Lab) -> None:
    ok = lab.raw(b"GET /orders/7 HTTP/1.2\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert ok.raw_response.startswith(b"HTTP/1.1 200 OK\r\n")
    for line in (b"GET / http/1.1", b"GET / HTTPS/1.1"):
        assert lab.raw(line + b"\r\nHost: x\r\n\r\n").status == 400


def test_426_sends_upgrade_and_connection(lab: labkit.Lab) -> None:
    ex = lab.get("/chat", via="origin")
    assert ex.status == 426
    assert ex.header("upgrade") == "websocket"
    assert "upgrade" in (ex.header("connection") or "").lower()


def test_chat_refuses_a_method_it_does_not_take_with_405_not_426(lab: labkit.Lab) -> None:
    """/chat answered POST and DELETE 426 'upgrade to WebSocket', though a WebSocket handshake
    is a GET (RFC 6455 4.1): upgrading cannot make a POST work there. The method rule comes
    first, as on every resource (RFC 9110 15.5.6: 405 with Allow); GET and HEAD, which the
    resource takes, still get 426 with Upgrade (15.5.22)."""
    for method in ("POST", "DELETE"):
        refused = lab.request(method, "/chat", via="origin")
        assert (refused.status, refused.header("allow")) == (405, "GET, HEAD, OPTIONS")
        assert refused.header("upgrade") is None
    options = lab.request("OPTIONS", "/chat", via="origin")
    assert (options.status, options.header("allow")) == (204, "GET, HEAD, OPTIONS")
    head = lab.request("HEAD", "/chat", via="origin")
    assert (head.status, head.header("upgrade"), head.text) == (426, "websocket", "")


def test_busy_refuses_a_method_it_does_not_take_with_405_not_404(lab: labkit.Lab) -> None:
    """/busy answered POST, DELETE and OPTIONS 404 'There is no resource at '/busy'', though
    GET /busy is there (lesson 04's capacity): a page that says a resource does not exist
    where it does. It follows the method rule of every other resource (lesson 02; lesson 06
    says every resource of the shop follows it): 405 with Allow, OPTIONS 204 with Allow."""
    for method in ("POST", "DELETE"):
        refused = lab.request(method, "/busy", via="origin")
        assert (refused.status, refused.header("allow")) == (405, "GET, HEAD, OPTIONS")
        assert "There is no resource" not in refused.text
    options = lab.request("OPTIONS", "/busy", via="origin")
    assert (options.status, options.header("allow")) == (204, "GET, HEAD, OPTIONS")


def test_slow_resource_and_its_bad_delay(lab: labkit.Lab) -> None:
    assert lab.get("/slow?delay=0.1").status == 200
    bad = lab.get("/slow?delay=soon")
    assert bad.status == 400 and "0 to 30" in bad.text


def test_plain_httpx_and_keep_alive_work(lab: labkit.Lab) -> None:
    with httpx.Client(base_url=lab.origin.url, trust_env=False) as client:
        statuses = [client.get("/orders/7").status_code for _ in range(3)]
        head = client.head("/orders/7")
    assert statuses == [200, 200, 200]
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) > 0


def test_the_date_header_is_an_imf_fixdate(lab: labkit.Lab) -> None:
    """RFC 9110 5.6.7's format, as email.utils writes it, on the wire."""
    from labkit.http.messages import http_date

    for ts in (0, 784111777, 951782400, 1700000000.5):
        assert http_date(ts) == email.utils.formatdate(ts, usegmt=True)
    date = lab.get("/orders/7", via="origin").header("Date")
    assert date is not None and email.utils.parsedate_to_datetime(date).tzname() == "UTC"
    assert date.endswith(" GMT") and date[3:5] == ", "


def test_head_answers_like_get_without_a_body(lab: labkit.Lab) -> None:
    """RFC 9110 9.1: every general-purpose server supports GET and HEAD; 9.3.2: HEAD gets
    GET's status and header fields, and no content (checked on the wire, not in httpx)."""
    varying = {"date", "x-request-id", "proxy-status"}
    for via in ("origin", "gateway"):
        for path in ("/", "/orders", "/orders/7", "/orders/99"):
            get, head = lab.get(path, via=via), lab.request("HEAD", path, via=via)
            assert head.status == get.status != 501, (via, path)
            assert [(k, v) for k, v in head.headers if k.lower() not in varying] == [
                (k, v) for k, v in get.headers if k.lower() not in varying
            ], (via, path)
            raw = lab.raw(f"HEAD {path} HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n", to=via)
            assert raw.raw_response.endswith(b"\r\n\r\n"), (via, path)
            assert raw.header("content-length") == str(len(get.body)) != "0", (via, path)


def test_rate_limited_api_answers_429_to_one_client_only(lab: labkit.Lab) -> None:
    """One API key over its limit gets 429 with Retry-After and no-store (RFC 6585 4);
    another key is served; refused requests count too."""
    from labkit.origin import RATE_LIMIT, RATE_PATH, RATE_WINDOW

    ada, grace = {"X-Api-Key": "ada"}, {"X-Api-Key": "grace"}
    statuses = [lab.get(RATE_PATH, headers=ada).status for _ in range(RATE_LIMIT)]
    assert statuses == [200] * RATE_LIMIT
    for via in ("gateway", "origin"):  # through the gateway: relayed, never cached
        refused = lab.get(RATE_PATH, headers=ada, via=via)
        assert (refused.status, refused.generated_by) == (429, "origin")
        assert 1 <= int(refused.header("retry-after") or "0") <= RATE_WINDOW
        assert refused.header("cache-control") == "no-store"
        assert f"at most {RATE_LIMIT} in {RATE_WINDOW:g} s" in refused.text
    assert lab.get(RATE_PATH, headers=grace).status == 200
    assert lab.get(RATE_PATH, headers=ada).status == 429


def test_reset_and_the_rate_limit_switch_forget_every_keys_count(lab: labkit.Lab) -> None:
    """A 429 does not outlive lab.reset() (it used to, for up to RATE_WINDOW s); the switch sets
    the limit the 429 page states and the shell's `labkit ctl rate-limit N` sets."""
    from labkit import switches
    from labkit.origin import RATE_LIMIT, RATE_PATH

    ada = {"X-Api-Key": "ada"}
    assert [lab.get(RATE_PATH, headers=ada).status for _ in range(RATE_LIMIT + 1)][-1] == 429
    lab.reset()
    assert lab.get(RATE_PATH, headers=ada).status == 200
    assert switches.apply(lab, "rate-limit", {"requests": 1}) == (
        "rate limit: 1 request to /api/quote in 10 s for each API key (more get 429); "
        "every key's count forgotten"
    )
    assert lab.get(RATE_PATH, headers=ada).status == 200  # the count from before is gone
    refused = lab.get(RATE_PATH, headers=ada)
    assert refused.status == 429 and "at most 1 in 10 s" in refused.text
    with pytest.raises(
        labkit.BadArgument, match="rate_limit must be a whole number from 1 to 1000, not 0"
    ):
        lab.origin.rate_limit = 0
    lab.origin.rate_limit = RATE_LIMIT
    assert lab.get(RATE_PATH, headers=ada).status == 200


@pytest.mark.slow
def test_a_request_that_stops_half_way_gets_408_then_close(lab: labkit.Lab) -> None:
    """RFC 9110 15.5.9: the server waited for its client; 408 and Connection: close. Through
    a gateway answering like nginx or Caddy, the connection closes without a byte."""
    import socket
    import time

    from labkit.errors import BadArgument
    from labkit.http.server import HEAD_TIMEOUT
    from labkit.scenarios import SHORT_HEAD

    assert lab.origin.head_timeout == lab.gateway.head_timeout == HEAD_TIMEOUT
    for wrong in ("0.3", 0, -1, 1000):
        try:
            lab.origin.head_timeout = wrong
        except BadArgument as exc:
            assert "head_timeout" in str(exc) and "\n" not in str(exc)
        else:
            raise AssertionError(f"head_timeout={wrong!r} was accepted")
    assert lab.origin.head_timeout == HEAD_TIMEOUT  # a refused value changed nothing
    half = b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\n"

    def stall(port: int, sent: bytes = half) -> tuple[bytes, float]:
        with socket.create_connection(("127.0.0.1", port), timeout=SHORT_HEAD + 5) as sock:
            sock.sendall(sent)
            started, data = time.monotonic(), b""
            while chunk := sock.recv(65536):
                data += chunk
            return data, time.monotonic() - started

    lab.origin.head_timeout = lab.gateway.head_timeout = SHORT_HEAD
    data, waited = stall(lab.origin.port)
    assert (
        data.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
        and b"\r\nConnection: close\r\n" in data
    )
    assert waited >= SHORT_HEAD * 0.9
    assert stall(lab.gateway.port)[0].startswith(b"HTTP/1.1 408 ")
    # the head timeout covers the body too (lesson 05 says so): a stalled upload ends alike
    upload = b"POST /orders HTTP/1.1\r\nHost: lab\r\nContent-Length: 10\r\n\r\nabc"
    assert stall(lab.gateway.port, upload)[0].startswith(b"HTTP/1.1 408 ")
    lab.gateway.personality = "nginx"
    assert stall(lab.gateway.port)[0] == b""
    lab.gateway.personality = "haproxy"
    assert stall(lab.gateway.port)[0].startswith(b"HTTP/1.1 408 Request Time-out\r\n")
    lab.gateway.personality = "envoy"  # from Envoy's source (docs/gateways.md): not observed
    envoy = stall(lab.gateway.port)[0]
    # Envoy writes every field name in lower case (its docs: header_key_format)
    assert (
        envoy.startswith(b"HTTP/1.1 408 Request Timeout\r\n") and b"\r\nserver: envoy\r\n" in envoy
    )
    assert envoy.endswith(b"\r\n\r\nstream timeout")
    lab.origin.head_timeout = None
    assert lab.origin.head_timeout == HEAD_TIMEOUT


def test_a_handler_returning_an_interim_status_gets_the_origins_500(lab: labkit.Lab) -> None:
    """A 1xx is interim, never a final status (RFC 9110 15.2): the origin says so with its 500
    and a log line, where it once sent '502 invalid upstream response', though it has no
    upstream."""
    lab.origin.order_handler = lambda order_id: (101, "switching")
    ex = lab.get("/orders/7", via="origin")
    assert (ex.status, ex.generated_by) == (500, "origin")
    assert "upstream" not in ex.text
    assert any("status 200-599, not 101" in line for line in lab.origin.logs())
    # any final status is sent with its registered reason phrase, the lab's own statuses' from
    # a table of its own (no import of http at start), the others' from Python's registry
    lab.origin.order_handler = lambda order_id: (418, "teapot")
    teapot = lab.get("/orders/7", via="origin")
    assert (teapot.status, teapot.reason) == (418, "I'm a Teapot")
    # RFC 9110 15.5.14 and 15.5.21 renamed 413 "Content Too Large" and 422 "Unprocessable
    # Content" (Python 3.11 still says RFC 7231's "Request Entity Too Large", as nginx 1.22
    # does: docs/gateways.md's direct rows, and RFC 4918's "Unprocessable Entity"); 414 is
    # "URI Too Long" since RFC 7231 (Python keeps RFC 2616's "Request-URI Too Long")
    renamed = {413: "Content Too Large", 414: "URI Too Long", 422: "Unprocessable Content"}
    for status, phrase in REASONS.items():
        assert phrase == renamed.get(status, http.HTTPStatus(status).phrase)


@pytest.mark.parametrize("to", ["origin", "gateway"])
@pytest.mark.parametrize("case", [c for c, sizes in CHUNK_SIZES.items() if sizes[3] != WAITS])
def test_a_chunk_size_no_server_takes_is_refused_at_once(lab: labkit.Lab, to, case) -> None:
    """h11 took a chunk size of up to 20 hex digits and waited for its bytes until the head
    timeout (10 s); real nginx and HAProxy answer at once, and so does the lab now: 400 for a
    size past what a signed 64-bit count holds, 413 for one past its body limit (where nginx
    and HAProxy, which refuse sizes from 2^59 and 2^52, say 400).

    "At once" is what the answer shows, not a stopwatch (a bound in seconds rode on the
    machine's load): no chunk data follows the size, so a server that waited for it could
    only end with its head timeout's 408 or with nothing; the refusal names the size."""
    sizes, lab_status = CHUNK_SIZES[case][0], CHUNK_SIZES[case][3]
    ex = lab.raw(CHUNKED_HEAD.replace(b"/proxied", b"/orders") + sizes, to=to, timeout=0.5)
    assert (ex.status, ex.header("connection")) == (lab_status, "close")
    assert "chunk size" in ex.text and "Traceback" not in ex.text


@pytest.mark.parametrize("to", ["origin", "gateway"])
def test_a_chunk_size_with_leading_zeros_is_a_size(lab: labkit.Lab, to) -> None:
    """RFC 9112 7.1: chunk-size is 1*HEXDIG, so 17 digits can be a size of 1 (Go's chunked
    reader, in Caddy, refuses more than 16 digits whatever their value; nginx, HAProxy and
    the lab take it)."""
    body = b'{"item": "tea"}'
    chunks = b"%017x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    ex = lab.raw(CHUNKED_HEAD.replace(b"/proxied", b"/orders") + chunks, to=to)
    assert ex.status == 201, ex.why


def test_a_chunked_body_within_the_limits_still_arrives(lab: labkit.Lab) -> None:
    body = b'{"item": "tea"}'
    chunks = b"%x\r\n%s\r\n000000000000000000\r\n\r\n" % (len(body), body)
    ex = lab.raw(CHUNKED_HEAD.replace(b"/proxied", b"/orders") + chunks, to="gateway")
    assert ex.status == 201


JSON_CASES = [
    {"id": 7, "item": "espresso beans", "customer": {"name": "Ada"}},
    [{"id": 1, "item": "green tea"}, {"id": 13, "customer": None}],
    {},
    [],
    {"a": {}, "b": [], "c": [[]], "d": [{}], "e": [1, [2, [3, {"x": None}]]]},
    {"é": "日本\u2028", "q": '"\\\n\t\x00', "f": [1.5, 1e300, -0.0, 0.1, True, False]},
    "text",
    None,
    12,
    # not json_text's kinds: json.dumps writes (or refuses) them
    {1: "int key"},
    {"t": (1, 2)},
    {"n": float("nan"), "i": float("-inf")},
    {"s": {1, 2}},
]


@pytest.mark.parametrize("data", JSON_CASES, ids=range(len(JSON_CASES)))
def test_the_origins_json_is_json_dumps_text(data: object) -> None:
    """The origin writes its JSON without the standard library's pure-Python encoder: the
    same text as json.dumps(indent=1), and the same error for what JSON cannot say."""
    import json

    from labkit.origin import json_text

    try:
        expected = json.dumps(data, indent=1)
    except TypeError as exc:
        with pytest.raises(TypeError, match=re.escape(str(exc))):
            json_text(data)
    else:
        assert json_text(data) == expected


def test_an_order_is_the_json_a_learner_reads(lab: labkit.Lab) -> None:
    ex = lab.get("/orders/7", via="origin")
    assert ex.text == '{\n "id": 7,\n "item": "espresso beans",\n "customer": "Ada"\n}\n'
