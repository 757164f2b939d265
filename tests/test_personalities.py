"""Each gateway personality answers every upstream fault as its table says, over real sockets."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys

import pytest
import realgateways

import labkit
from labkit import personalities
from labkit.conditions import Condition
from labkit.faults import FAULTS
from labkit.lab import UPSTREAM_TIMEOUTS
from labkit.proxy import Route, Target

NAMES = list(personalities.PERSONALITIES)
FAULT_NAMES = [name for name, fault in FAULTS.items() if fault.condition is not None]


def _fetch(port: int, path: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=3) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n".encode())
        data = bytearray()
        while chunk := sock.recv(65536):
            data += chunk
    return bytes(data)


@pytest.mark.parametrize("name", NAMES)
def test_every_table_covers_every_condition(name: str) -> None:
    table = personalities.get(name).table
    assert set(table) == set(Condition)
    for answer in table.values():
        assert isinstance(answer.kind, personalities.AnswerKind)
        assert answer.source, "every fact says where it comes from"


@pytest.mark.parametrize("name", NAMES)
def test_answers_match_the_table(name: str) -> None:
    person = personalities.get(name)
    with labkit.start(gateway=name) as lab:
        cases = [(f, FAULTS[f].condition, f"/up/{f}/") for f in FAULT_NAMES]
        cases.append(("pool", Condition.NO_HEALTHY_UPSTREAM, "/pool/"))
        nowhere = Target("nowhere", personalities.NO_ROUTE, 9)
        lab.gateway.add_route(Route("/nowhere/", "nowhere", [nowhere], **UPSTREAM_TIMEOUTS))
        cases.append(("nowhere", Condition.UNREACHABLE, "/nowhere/"))
        for fault, condition, path in cases:
            answer = person.answer(condition)
            data = _fetch(lab.gateway.port, path)
            where = f"{name} / {fault}: {data[:120]!r}"
            if answer.kind == "http09":
                assert data == FAULTS[fault].reply, where
            elif answer.kind == "cut":
                assert data.startswith(b"HTTP/1.1 200 OK\r\n"), where
                assert data.endswith(b"\r\n\r\n0123456789"), where
            elif answer.kind == "relay":
                assert data.startswith(b"HTTP/1.1 200 OK\r\n"), where
                # a body whose end only the upstream's close marked goes on chunked, as
                # nginx 1.22 sends it, not with a Content-Length the upstream never sent
                head = dict(_head(data))
                unframed = fault in ("bad-content-length", "bad-transfer-encoding")
                framing = "transfer-encoding" if unframed else "content-length"
                assert framing in head and len(head) == len(set(head)), where
            else:
                line = f"HTTP/1.1 {answer.status} {answer.reason}".rstrip().encode()
                if name == "rfc":
                    assert data.split(b"\r\n", 1)[0].startswith(line), where
                else:
                    assert data.startswith(line + b"\r\n"), where
                    _content_type, body = person.page(answer.status, answer.reason, answer)
                    assert data.endswith(b"\r\n\r\n" + body), where


def test_nginx_pages_are_the_size_nginx_sends() -> None:
    nginx = personalities.get("nginx")
    assert len(nginx.page(502, "Bad Gateway")[1]) == 157  # observed body sizes
    assert len(nginx.page(504, "Gateway Time-out")[1]) == 167


def test_switching_personality_at_run_time(lab: labkit.Lab) -> None:
    assert lab.get("/up/refused/").status == 502
    lab.gateway.personality = "haproxy"
    refused = lab.get("/up/refused/")
    assert refused.status == 503 and "SC--" in refused.hop("gateway").sent.why
    lab.reset()
    assert lab.gateway.personality == "rfc"


def test_unknown_personality_names_the_choices(lab: labkit.Lab) -> None:
    with pytest.raises(labkit.UnknownName, match="caddy, envoy, haproxy, nginx, rfc"):
        lab.gateway.personality = "traefik"
    assert lab.gateway.personality == "rfc"
    with pytest.raises(labkit.UnknownName):
        labkit.start(gateway="apache")


@pytest.mark.slow  # the real command, a lab in another process
def test_serve_with_a_personality(tmp_path) -> None:
    env = dict(os.environ, LABKIT_RUNTIME_DIR=str(tmp_path))
    proc = subprocess.Popen(
        [sys.executable, "-m", "labkit", "serve", "--json", "--gateway", "nginx"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        info = json.loads(proc.stdout.readline())
        port = int(info["gateway"].rsplit(":", 1)[1])
        assert _fetch(port, "/up/garbage/") == FAULTS["garbage"].reply
        assert _fetch(port, "/up/blackhole/").startswith(b"HTTP/1.1 504 Gateway Time-out\r\n")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(5) == 0


# each runs every scenario, their timeouts waited out (3.0 s quiet each): all slow; the quick
# tier checks every personality's answer to every fault against its table
# (test_answers_match_the_table) and every scenario with the default one (test_scenarios.py)
@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in NAMES if n != "rfc"])
def test_every_scenario_gives_what_its_personality_predicts(name: str) -> None:
    from labkit import scenarios

    with labkit.start(gateway=name) as lab:
        for scenario in scenarios.SCENARIOS.values():
            assert scenario.run(lab).status == scenario.expected(name), scenario.id


def test_the_502_playground_switches_personality(lab: labkit.Lab) -> None:
    p = labkit.widgets.Playground(lab, "502")
    p.personality.value = "nginx"
    p.scenario.value = "502-garbage"
    assert "no valid status line with the gateway behaving like nginx" in p.cause.value
    p.run_button.click()
    assert p.message.value == "" and p.inspector.exchange.status is None
    assert "sent raw bytes, no status line" in p.inspector.picture.value
    p.personality.value = "haproxy"
    p.scenario.value = "502-refused"
    p.run_button.click()
    assert (
        p.inspector.exchange.status == 503
        and "503 Service Unavailable" in p.inspector.summary.value
    )


def _head(data: bytes) -> list[tuple[str, str]]:
    lines = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")[1:]
    return [(k.strip().lower(), v.strip()) for k, _, v in (line.partition(":") for line in lines)]


def test_rfc_gateway_names_itself_and_the_error_in_proxy_status(lab: labkit.Lab) -> None:
    from labkit.conditions import RFC_TABLE

    for fault in ("refused", "blackhole", "garbage", "slow", "close"):
        headers = dict(_head(_fetch(lab.gateway.port, f"/up/{fault}/")))
        error = RFC_TABLE[FAULTS[fault].condition].proxy_status
        assert headers["proxy-status"].startswith(f"labkit-gateway; error={error}; "), fault
        assert "via" not in headers  # a response the gateway made was not forwarded
    # RFC 9209 2.3.19: the response's header section is larger than the gateway accepts.
    # header-section-size counts the field lines, each with its CRLF (RFC 9110 6.3, RFC 9112
    # 2.1), not the status line (control data), of the head the gateway holds: the first
    # max_response_head bytes, as nginx's buffer ("might not be complete", RFC 9209 2.3.19)
    huge = dict(_head(_fetch(lab.gateway.port, "/up/huge-headers/")))
    limit = personalities.RFC.max_response_head
    status_line = FAULTS["huge-headers"].reply.split(b"\r\n", 1)[0]
    assert status_line == b"HTTP/1.1 200 OK"
    assert huge["proxy-status"] == (
        'labkit-gateway; error=http_response_header_section_size; next-hop="huge-headers"; '
        f'header-section-size={limit - len(status_line) - 2}; details="the response head '
        f'exceeds {limit} bytes"'
    )
    # RFC 9209 2.3.24: the coding that could not be decoded, an sf-token
    framing = dict(_head(_fetch(lab.gateway.port, "/up/bad-transfer-encoding/")))
    assert framing["proxy-status"].startswith(
        "labkit-gateway; error=http_response_transfer_coding; "
        'next-hop="bad-transfer-encoding"; coding=foo; details='
    )
    pool = dict(_head(_fetch(lab.gateway.port, "/pool/")))
    assert pool["proxy-status"].startswith("labkit-gateway; error=destination_unavailable")
    relayed = dict(_head(_fetch(lab.gateway.port, "/orders/boom")))
    assert relayed["proxy-status"] == 'labkit-gateway; received-status=500; next-hop="origin"'
    assert relayed["via"] == "1.1 labkit-gateway" and relayed["server"] == "labkit-origin"


@pytest.mark.parametrize(
    ("name", "servers", "upgrade", "connection"),
    [
        ("rfc", ["labkit-origin"], [], ["close"]),
        ("nginx", ["nginx/1.22.1"], ["websocket"], ["close"]),
        # real HAProxy: its only Connection line is the origin's, though the client asked to close
        ("haproxy", ["labkit-origin"], ["websocket"], ["upgrade"]),
        ("caddy", ["Caddy", "labkit-origin"], [], ["close"]),
    ],
)
def test_relayed_server_via_and_upgrade_as_each_gateway_does(
    name: str, servers: list[str], upgrade: list[str], connection: list[str]
) -> None:
    with labkit.start(gateway=name) as lab:
        for path in ("/orders/boom", "/chat"):
            headers = _head(_fetch(lab.gateway.port, path))
            assert [v for k, v in headers if k == "server"] == servers, (name, path)
            assert bool([v for k, v in headers if k == "via"]) == (name == "rfc")
            assert bool([v for k, v in headers if k == "proxy-status"]) == (name == "rfc")
        chat = _head(_fetch(lab.gateway.port, "/chat"))
        assert [v for k, v in chat if k == "upgrade"] == upgrade, name
        assert [v for k, v in chat if k == "connection"] == connection, name


@pytest.mark.parametrize(
    ("name", "statuses"),
    [("rfc", [505, 505]), ("nginx", [505, 400]), ("haproxy", [200, 505]), ("caddy", [505, 505])],
)
def test_other_major_versions_as_each_gateway_answers(name: str, statuses: list[int]) -> None:
    """GET /orders/7 with HTTP/2.0, then HTTP/0.9 with headers, through each personality:
    nginx refuses 0.9 as malformed (400); HAProxy passes 2.0 on as HTTP/1.1 (the origin's
    200) and 0.9 as it came (the origin's 505), as tests/test_real_gateways.py observes."""
    seen = []
    with labkit.start(gateway=name) as lab:
        for version in ("2.0", "0.9"):
            with socket.create_connection(("127.0.0.1", lab.gateway.port), timeout=3) as sock:
                raw = f"GET /orders/7 HTTP/{version}\r\nHost: lab\r\nConnection: close\r\n\r\n"
                sock.sendall(raw.encode())
                data = bytearray()
                while chunk := sock.recv(65536):
                    data += chunk
            seen.append(int(data.split(b" ", 2)[1]))
    assert seen == statuses


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("nginx", [("content-type", "text/html"), ("server", "nginx/1.22.1")]),
        ("haproxy", [("content-type", "text/html"), ("cache-control", "no-cache")]),
        ("caddy", [("server", "Caddy"), ("content-length", "0")]),
    ],
)
def test_error_page_headers_are_the_real_ones(name: str, expected) -> None:
    with labkit.start(gateway=name) as lab:
        page = _head(_fetch(lab.gateway.port, "/up/refused/"))
        relayed = _head(_fetch(lab.gateway.port, "/up/ok/"))  # an upstream that sends no Date
    headers = [(k, v) for k, v in page if k not in ("date", "x-request-id", "connection")]
    assert sorted(h for h in headers if h[0] != "content-length" or name == "caddy") == sorted(
        expected
    )
    # HAProxy writes no Date, on its own pages or on a relayed response that has none
    dated = name != "haproxy"
    assert ("date" in dict(page), "date" in dict(relayed)) == (dated, dated), (page, relayed)


def test_a_request_for_the_whole_server_as_each_gateway_answers(lab: labkit.Lab) -> None:
    """OPTIONS * (RFC 9110 9.3.7), then GET *, through each personality: the status and who
    made it. The gateway once answered both 404 ('no route for *') in every personality,
    which no real server does (tests/test_real_gateways.py compares the three real ones)."""
    expected = {
        "rfc": [(204, "GET, HEAD, POST, DELETE, OPTIONS"), (400, None)],  # passed on; 9112 3.2.4
        "nginx": [(400, None), (400, None)],
        # both passed on; the origin refuses GET * (RFC 9112 3.2.4), as the rfc gateway does
        "haproxy": [(204, "GET, HEAD, POST, DELETE, OPTIONS"), (400, None)],
        "caddy": [(200, None), (400, None)],  # Go's net/http answers OPTIONS * itself
        "envoy": [(204, "GET, HEAD, POST, DELETE, OPTIONS"), (400, None)],  # not recorded: rfc's
    }
    seen = {}
    for name in NAMES:
        lab.gateway.personality = name
        answers = []
        for method in ("OPTIONS", "GET"):
            with socket.create_connection(("127.0.0.1", lab.gateway.port), timeout=3) as sock:
                sock.sendall(
                    f"{method} * HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n".encode()
                )
                data = bytearray()
                while chunk := sock.recv(65536):
                    data += chunk
            answers.append((int(data.split(b" ", 2)[1]), dict(_head(bytes(data))).get("allow")))
        seen[name] = answers
    assert seen == expected
    # what the rfc gateway passed on reached the origin as 'OPTIONS *' and came back relayed
    lab.gateway.personality = "rfc"
    relayed = lab.raw(b"OPTIONS * HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n", to="gateway")
    assert (relayed.status, relayed.generated_by) == (204, "origin"), relayed
    # the origin itself: GET * is malformed (RFC 9112 3.2.4), 400 and close (it answered 404)
    for method in (b"GET", b"HEAD", b"DELETE"):
        raw = method + b" * HTTP/1.1\r\nHost: lab\r\n\r\n"
        direct = lab.raw(raw, to="origin")
        assert (direct.status, direct.generated_by) == (400, "origin"), direct
        assert direct.header("Connection") == "close", direct


def test_max_forwards_zero_is_answered_by_the_rfc_intermediaries(lab: labkit.Lab) -> None:
    """RFC 9110 7.6.2: OPTIONS or TRACE with Max-Forwards: 0 is answered by the intermediary
    as the final recipient, and a larger value goes on one less. The gateway once passed
    both on unchanged in every personality; nginx, HAProxy and Caddy do (they still do).
    The portal, a proxy too, passed them on to the gateway after login until 2026-12-05."""

    def send(raw: bytes) -> labkit.Exchange:
        return lab.raw(raw, to="gateway")

    zero = b"/orders/7 HTTP/1.1\r\nHost: lab\r\nMax-Forwards: 0\r\nConnection: close\r\n\r\n"
    options = send(b"OPTIONS " + zero)
    assert (options.status, options.generated_by) == (204, "gateway"), options
    assert "origin" not in [hop.name for hop in options.hops]
    trace = send(
        b"TRACE /orders/7 HTTP/1.1\r\nHost: lab\r\nMax-Forwards: 0\r\nCookie: secret=1\r\n"
        b"Connection: close\r\n\r\n"
    )
    assert (trace.status, trace.header("Content-Type")) == (200, "message/http"), trace
    assert trace.body.startswith(b"TRACE /orders/7 HTTP/1.1\r\n"), trace.body
    assert b"Max-Forwards: 0" in trace.body and b"secret" not in trace.body, trace.body
    onward = send(
        b"OPTIONS /orders/7 HTTP/1.1\r\nHost: lab\r\nMax-Forwards: 3\r\nConnection: close\r\n\r\n"
    )
    assert (onward.status, onward.generated_by) == (204, "origin"), onward
    assert b"max-forwards: 2\r\n" in onward.hop("origin").bytes_in.lower(), onward
    get = send(
        b"GET /orders/7 HTTP/1.1\r\nHost: lab\r\nMax-Forwards: 0\r\nConnection: close\r\n\r\n"
    )
    assert (get.status, get.generated_by) == (200, "origin"), get  # only OPTIONS and TRACE
    for name in ("nginx", "haproxy", "caddy"):
        lab.gateway.personality = name
        passed = [send(method + zero) for method in (b"OPTIONS ", b"TRACE ")]
        # the origin's answers: OPTIONS 204, TRACE (implemented on no resource) 501
        assert [(e.status, e.generated_by) for e in passed] == [(204, "origin"), (501, "origin")]
    # the portal, once past its login: 0 is its own to answer, 1 reaches the gateway as 0
    lab.gateway.personality = "rfc"
    lab.portal.login()
    at_portal = [lab.raw(method + zero, to="portal") for method in (b"OPTIONS ", b"TRACE ")]
    assert [(e.status, e.generated_by) for e in at_portal] == [(204, "portal"), (200, "portal")]
    assert all("gateway" not in [hop.name for hop in e.hops] for e in at_portal), at_portal
    assert at_portal[1].body.startswith(b"TRACE /orders/7 HTTP/1.1\r\n"), at_portal[1].body
    one = lab.raw(b"OPTIONS " + zero.replace(b"Max-Forwards: 0", b"Max-Forwards: 1"), to="portal")
    assert (one.status, one.generated_by) == (204, "gateway"), one


def test_envoy_pages_name_the_reset_reason(lab: labkit.Lab) -> None:
    """Envoy's 503 before the headers says why the stream ended (its source, utility.cc
    resetReasonToString): a close is 'connection termination', a reset 'remote reset'; the
    personality once said 'connection failure', older releases' words, for all of them. A
    refused connection is a 'remote connection failure' with the transport's reason, a connect
    timeout its own 'connection timeout': the same 503 UF, and only the body tells them apart
    (the personality said 'connection failure' for both until December 2026)."""
    lab.gateway.personality = "envoy"
    reasons = {
        fault: _fetch(lab.gateway.port, f"/up/{fault}/").rsplit(b"reset reason: ", 1)[-1]
        for fault in ("refused", "blackhole", "close", "reset", "truncated-headers")
    }
    assert reasons == {
        "refused": b"remote connection failure, transport failure reason: delayed connect "
        b"error: Connection refused",
        "blackhole": b"connection timeout",
        "close": b"connection termination",
        "reset": b"remote reset",
        "truncated-headers": b"connection termination",
    }
    envoy = personalities.ENVOY
    flags = {envoy.answer(c).log for c in (Condition.REFUSED, Condition.CONNECT_TIMEOUT)}
    assert flags == {"503 UF (upstream connection failure)"}


def test_nginx_keeps_the_connection_open_after_relaying_garbage() -> None:
    with labkit.start(gateway="nginx") as lab:
        garbage = lab.get("/up/garbage/", timeout=0.3)
        assert garbage.status is None and "ReadTimeout" in (garbage.client_error or "")
        lab.gateway.personality = "haproxy"
        assert lab.get("/up/garbage/", timeout=2.0).status == 502  # no wait: it answers


def test_a_cache_hit_does_not_claim_a_relay(lab: labkit.Lab) -> None:
    lab.origin.maintenance(retry_after=30, cache_max_age=60)
    miss = lab.get("/orders/7")
    assert miss.header("Proxy-Status") == 'labkit-gateway; received-status=503; next-hop="origin"'
    lab.origin.maintenance(False)
    hit = lab.get("/orders/7")
    assert hit.status == 503 and hit.header("X-Cache") == "HIT"
    assert hit.header("Proxy-Status") is None and hit.header("Server") == "labkit-origin"


@pytest.mark.parametrize(
    ("codings", "named"),
    [
        (b"foo", "foo"),
        (b"gzip, chunked", "gzip"),
        (b"chunked\r\nTransfer-Encoding: x-Zip;q=1", "x-zip"),
        (b"chunked, chunked", "chunked"),
        (b"9zip", None),  # not an sf-token: the parameter is left out
    ],
)
def test_proxy_status_names_the_transfer_coding_that_failed(
    codings: bytes, named: str | None
) -> None:
    from labkit.http.upstream import UpstreamFailure
    from labkit.proxy import error_params

    raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: " + codings + b"\r\n\r\nhello"
    params = error_params(UpstreamFailure(Condition.INVALID_FRAMING, "x", raw))
    assert params == ((("coding", named),) if named else ())


@pytest.mark.parametrize("name", NAMES)
def test_a_large_head_is_answered_the_same_however_it_is_split(name: str) -> None:
    """The huge-headers fault's 20 KB head, sent in one write and in pieces of 1,000 bytes:
    each personality answers both the same, status, Proxy-Status, page and the story's line
    (the gateway said 'the response head is 20070 bytes' after one read, 'exceeds 8192 bytes'
    with a section size of whatever had come after pieces)."""
    reply = FAULTS["huge-headers"].reply
    answers = []
    for piece in (0, 1000):
        with realgateways.upstream(lambda _: reply, piece=piece) as port:
            with labkit.start(gateway=name) as lab:
                lab.gateway.add_route(
                    Route(
                        "/up/split/",
                        "split",
                        [Target("split", "127.0.0.1", port)],
                        strip_prefix=True,
                        connect_timeout=UPSTREAM_TIMEOUTS.connect,
                        read_timeout=5.0,  # time for the pieces on a busy machine
                    )
                )
                data = _fetch(lab.gateway.port, "/up/split/")
                told = [line for line in repr(lab.get("/up/split/")).split("\n") if "head" in line]
        head, _, body = data.partition(b"\r\n\r\n")
        fields = [f for f in _head(data) if f[0] not in ("date",)]
        answers.append((head.split(b"\r\n")[0], fields, body, told))
    assert answers[0] == answers[1]
    if personalities.get(name).max_response_head < len(reply):
        assert b" 502 " in answers[0][0]


def test_proxy_status_details_are_short_printable_and_quoted() -> None:
    from labkit.http.proxystatus import member

    entry = member("labkit-gateway", error="http_protocol_error", details='a "b"\r\n' + "x" * 500)
    details = entry.split("details=", 1)[1]
    assert details.startswith('"a \\"b\\"??x') and details.endswith('~"')
    assert len(details) < 210 and all(" " <= c <= "~" for c in entry)


@pytest.mark.parametrize(
    ("name", "kept"), [("rfc", False), ("nginx", True), ("haproxy", True), ("caddy", False)]
)
def test_a_field_named_in_connection_is_removed_where_the_gateway_does(
    name: str, kept: bool
) -> None:
    """RFC 9110 7.6.1: a proxy removes Connection and every field it names; Caddy does (so
    does the lab's rfc gateway), real nginx and HAProxy keep the named field (observed)."""
    reply = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: x-foo\r\nX-Foo: 1\r\n"
        b"Content-Length: 3\r\n\r\nok\n"
    )
    with realgateways.upstream(lambda _: reply) as port, labkit.start(gateway=name) as lab:
        target = Target("named", "127.0.0.1", port)
        lab.gateway.add_route(
            Route("/named/", "named", [target], strip_prefix=True, **UPSTREAM_TIMEOUTS)
        )
        headers = _head(_fetch(lab.gateway.port, "/named/"))
    assert ("x-foo", "1") in headers if kept else "x-foo" not in dict(headers)


# an upstream's '100 Continue', then its 200
INTERIM = (
    b"HTTP/1.1 100 Continue\r\n\r\n"
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n"
)


@pytest.mark.parametrize("name", NAMES)
def test_an_upstreams_interim_response_as_each_gateway_takes_it(name: str) -> None:
    """nginx 1.22 takes an upstream's '100 Continue' as the final response (observed:
    personalities.NGINX.upstream_interim): the client gets the 100 with nginx's Server, Date
    and Connection: close, then the upstream's 200 as bytes until the close, and the gateway
    records the 100 it sent. The other personalities pass no 1xx on and relay the 200."""
    with realgateways.upstream(lambda _: INTERIM) as port:
        with labkit.start(gateway=name) as lab:
            lab.gateway.add_route(
                Route(
                    "/up/interim/",
                    "interim",
                    [Target("interim", "127.0.0.1", port)],
                    strip_prefix=True,
                    **UPSTREAM_TIMEOUTS,
                )
            )
            data = _fetch(lab.gateway.port, "/up/interim/")
            ex = lab.get("/up/interim/")
    head, _, rest = data.partition(b"\r\n\r\n")
    if personalities.get(name).upstream_interim == "final":
        assert head.split(b"\r\n")[0] == b"HTTP/1.1 100 Continue", data
        names = [line.split(b":")[0] for line in head.split(b"\r\n")[1:]]
        assert names == [b"Server", b"Date", b"Connection"], data
        assert b"Connection: close" in head
        assert (
            rest == b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n"
        )
        # httpx reads the 100 as interim and the upstream's 200 after it; the gateway sent 100
        assert ex.status == 200
        assert ex.hop("gateway").sent.summary == "100 Continue"
    else:
        assert head.startswith(b"HTTP/1.1 200 OK\r\n") and rest == b"ok\n", data
        assert ex.status == 200 and ex.hop("gateway").sent.summary == "200 OK"
