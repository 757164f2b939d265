"""Generate docs/gateways.md and the README's fault and gateway tables from the code's tables.

    python tools/gateways_doc.py           # rewrite docs/gateways.md and the README's tables
    python tools/gateways_doc.py --check   # exit 1 if either differs from the tables

The observations live in ``labkit/personalities.py`` (each row with its source) and
``labkit/conditions.py``; this tool only formats them, so the prose cannot drift from
what the lab does. ``tests/test_docs_generated.py`` runs ``--check``.
"""

from __future__ import annotations

import errno
import re
import sys
from pathlib import Path

from labkit import i18n, personalities
from labkit.conditions import CONNECT_ERRORS, RFC_TABLE, Condition
from labkit.faults import FAULTS, HUGE_HEAD, knobs_text
from labkit.http.requestcheck import MAX_HEAD_BYTES
from labkit.i18n import ENGLISH, Msg
from labkit.lab import UPSTREAM_TIMEOUTS
from labkit.proxy import failed_coding, header_section_size
from labkit.scenarios import SHORT_HEAD

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "gateways.md"
README = ROOT / "README.md"
# the Chinese README carries the fault table too, in Chinese, from the same rows
READMES = {ROOT / "README.md": ENGLISH, ROOT / "README.zh-CN.md": i18n.CHINESE}
ORDER = ("rfc", "nginx", "haproxy", "caddy", "envoy")
LABELS = {
    "rfc": Msg("lab (RFC)"),
    "nginx": "nginx 1.22.1",
    "haproxy": "HAProxy 2.6.12",
    "caddy": "Caddy 2.6.2",
    "envoy": Msg("Envoy (docs)"),
}
# the rows' names, in words (str() is the English of docs/gateways.md and the README)
CONDITION_NAMES = {
    Condition.REFUSED: Msg("connection refused", context="gateways"),
    Condition.CONNECT_TIMEOUT: Msg("connect timeout", context="gateways"),
    Condition.CLOSED_WITHOUT_RESPONSE: Msg("closes without a response"),
    Condition.RESET: Msg("reset before the headers"),
    Condition.HEADERS_CUT: Msg("closes inside the headers"),
    Condition.INVALID_STATUS_LINE: Msg("garbage / bad status line"),
    Condition.INVALID_HEADER: Msg("header line without a colon"),
    Condition.HEADER_TOO_BIG: Msg("{head}-byte response head", head=f"{len(HUGE_HEAD):,}"),
    Condition.INVALID_CONTENT_LENGTH: "`Content-Length: abc`",
    Condition.INVALID_FRAMING: "`Transfer-Encoding: foo`",
    Condition.READ_TIMEOUT: Msg("read timeout before the headers"),
    Condition.NO_HEALTHY_UPSTREAM: Msg("no healthy upstream", context="gateways"),
    # connect() failed at once, neither refused nor timed out: no route is how the lab and the
    # observations meet it (personalities.NO_ROUTE), a local firewall's EPERM and no local
    # address or port (EADDRNOTAVAIL) fall under it too (conditions.CONNECT_ERRORS)
    Condition.UNREACHABLE: Msg("connect() fails: no route, a local firewall, no local address"),
    Condition.DNS_ERROR: Msg("the upstream's host name does not resolve"),
    Condition.UNASKED_SWITCH: Msg("101 Switching Protocols to a request without Upgrade"),
    Condition.BODY_CUT: Msg("body cut after the headers"),
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def outcome(answer: personalities.Answer, lang: str = ENGLISH) -> str:
    """What a client sees, in a few words, in ``lang``."""
    if answer.kind is personalities.AnswerKind.HTTP09:
        return Msg(
            "the upstream's bytes relayed raw as HTTP/0.9 (no status line of its own)"
        ).render(lang)
    if answer.kind is personalities.AnswerKind.CUT:
        return Msg("status already sent; body cut, connection closed").render(lang)
    if answer.kind is personalities.AnswerKind.RELAY:
        return Msg("{status} (relayed)", status=answer.status).render(lang)
    if answer.empty_of_its_own:
        return Msg("{status}, empty: not the upstream's answer", status=answer.status).render(lang)
    if not answer.recorded:
        return Msg(
            "{status} (not recorded: the lab's reading of the RFCs)", status=answer.status
        ).render(lang)
    return str(answer.status)


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _timeout_note(condition: Condition | None, lang: str = ENGLISH) -> str:
    """The timeout that a fault whose failure is a timeout runs into."""
    if condition is Condition.READ_TIMEOUT:
        return Msg(
            "; the route's read timeout {read} s", read=f"{UPSTREAM_TIMEOUTS.read:g}"
        ).render(lang)
    if condition is Condition.CONNECT_TIMEOUT:
        return Msg(
            "; the route's connect timeout {connect} s", connect=f"{UPSTREAM_TIMEOUTS.connect:g}"
        ).render(lang)
    return ""


FAULT_HEADINGS = (
    Msg("name", context="faults"),
    Msg("what it does"),
    Msg("knobs", context="faults"),
    Msg("the lab's gateway answers"),
)


def readme_faults(lang: str = ENGLISH) -> str:
    """The misbehaving upstreams, in ``lang``: names as code spells them, the rest in words."""
    rows = []
    for name, fault in FAULTS.items():
        if fault.condition is None:
            answer = i18n.render(fault.answers, lang) or "200"
        else:
            answer = outcome(personalities.RFC.answer(fault.condition), lang)
        description = i18n.render(fault.description, lang) + _timeout_note(fault.condition, lang)
        rows.append([f"`{name}`", description, knobs_text(fault, lang), answer])
    return _table([h.render(lang) for h in FAULT_HEADINGS], rows)


def summary(lang: str = ENGLISH) -> str:
    """What each gateway answers to each upstream condition, in ``lang``."""
    rows = [
        [i18n.render(CONDITION_NAMES[c], lang)]
        + [outcome(personalities.get(p).answer(c), lang) for p in ORDER]
        for c in Condition
    ]
    heads = [Msg("upstream condition").render(lang)]
    return _table(heads + [i18n.render(LABELS[p], lang) for p in ORDER], rows)


CASES: dict[personalities.RelayedCase, str] = {
    "keep": "as the upstream wrote them",
    "lower": "lower case (the names it writes itself too)",
    "canonical": "Go's canonical form (`X-Mixed-Case`; the names it writes itself too)",
}


def _headers_table() -> str:
    aspects = [
        ("its own pages' `Server`", lambda h: f"`{h.server}`" if h.server else "none"),
        (
            "other headers on its pages",
            lambda h: ", ".join(f"`{k}: {v}`" for k, v in h.page_headers) or "-",
        ),
        ("a relayed response's `Server`", lambda h: h.relayed_server),
        ("a relayed response's `Date`", lambda h: h.relayed_date),
        ("adds `Via` to relayed responses", lambda h: "yes" if h.via else "no"),
        ("a relayed 426's `Upgrade`/`Connection`", lambda h: h.relayed_upgrade),
        (
            "after relaying non-HTTP bytes",
            lambda h: (
                "keeps a keep-alive connection open, answers the next request on it"
                if h.keeps_alive_after_http09
                else "-"
            ),
        ),
        ("the case of a relayed response's header names", lambda h: CASES[h.relayed_case]),
        (
            "`Date` on its own pages and on a relayed response without one",
            lambda h: "yes" if h.sends_date else "no",
        ),
        (
            "`Connection: keep-alive` on responses to an HTTP/1.1 client it keeps",
            lambda h: "yes" if h.says_keep_alive else "no",
        ),
        (
            "`Content-Length` on a HEAD of its own pages",
            lambda h: "yes" if h.head_length else "no",
        ),
        (
            "`Transfer-Encoding: chunked` on a HEAD whose GET would be chunked",
            lambda h: "yes" if h.head_chunked else "no",
        ),
        (
            "a relayed response's reason phrase",
            lambda h: _sourced(h, "relayed_reason", REASONS[h.relayed_reason]),
        ),
        (
            "a relayed body its upstream ends by closing (no length, not chunked)",
            lambda h: _sourced(h, "close_delimited", "sent on chunked, the connection kept"),
        ),
        (
            "a relayed 204's `Content-Length`",
            lambda h: _sourced(
                h, "relayed_204_length", {"keep": "kept", "drop": "dropped"}[h.relayed_204_length]
            ),
        ),
    ]
    # what a personality does, beside what it writes in headers
    behaviours = [
        ("largest response head accepted (bytes)", lambda g: f"{g.max_response_head:,}"),
        (
            "keeps upstream connections alive (idle ones the personality keeps per upstream)",
            lambda g: _pooling(g.pooling),
        ),
        (
            "a client's request head that stops (its client header timeout)",
            lambda g: SLOW_CLIENT[g.slow_client],
        ),
        (
            "a request line naming another major version (`GET / HTTP/2.0`)",
            lambda g: OTHER_VERSIONS[g.other_versions],
        ),
        (
            "an HTTP/1.0 client's request goes upstream as",
            _http10_upstream,
        ),
        ("a request for the server as a whole (`OPTIONS *`)", lambda g: ASTERISK[g.asterisk]),
        (
            "OPTIONS or TRACE with `Max-Forwards: 0`",
            lambda g: _as_observed(MAX_FORWARDS[g.max_forwards], g.max_forwards_source),
        ),
        (
            "an upstream's interim response (`100 Continue`, `103 Early Hints`) before its answer",
            lambda g: UPSTREAM_INTERIM[g.upstream_interim],
        ),
        (
            "sends `Proxy-Status` (RFC 9209)",
            lambda g: "yes" if g.proxy_status else "no (not by default)",
        ),
    ]
    rows = [
        [label] + [show(personalities.get(p).headers) for p in ORDER] for label, show in aspects
    ]
    rows += [[label] + [show(personalities.get(p)) for p in ORDER] for label, show in behaviours]
    return _table(["what a learner reads"] + [str(LABELS[p]) for p in ORDER], rows)


SLOW_CLIENT: dict[personalities.SlowClient, str] = {
    "page": "408 page, then close",
    "close": "closes without a byte",
    "": "not recorded",
}


OTHER_VERSIONS: dict[personalities.OtherVersions, str] = {
    "505": "505",
    "505/400": "505 (HTTP/0.9 with headers: 400)",
    "pass": "passed on as HTTP/1.1 (HTTP/0.9 as it came)",
    "": "not recorded (the lab's 505)",
}


ASTERISK: dict[personalities.Asterisk, str] = {
    "options": "passed on to the origin (`GET *`: 400)",
    "pass": "passed on to the origin (`GET *` too)",
    "400": "400 page, then close (`GET *` too)",
    "answer": "200 with no body, from the gateway itself (`GET *` passed on)",
    "": "not recorded (the lab's: passed on; `GET *`: 400)",
}


MAX_FORWARDS: dict[personalities.MaxForwards, str] = {
    "honour": "answered by the gateway (OPTIONS 204, TRACE 200 `message/http`); more: passed on one less",
    "ignore": "passed on as it came",
    "": "not recorded (the lab's: answered by the gateway)",
}


UPSTREAM_INTERIM: dict[personalities.UpstreamInterim, str] = {
    "skip": "not passed on; the final response after it relayed",
    "final": "taken as the final response: its status line with the gateway's fields, then "
    "what followed, as bytes, to the close",
    "relay": "passed on before the answer (not imitated: the personality passes none on)",
}


HTTP10_UPSTREAM: dict[personalities.Http10Upstream, str] = {
    "1.1": "HTTP/1.1",
    "1.0": "HTTP/1.0 (with `Connection: keep-alive`)",
}


def _http10_upstream(gateway: personalities.Personality) -> str:
    return _as_observed(HTTP10_UPSTREAM[gateway.http10_upstream], gateway.http10_upstream_source)


REASONS: dict[personalities.RelayedReason, str] = {
    "keep": "the upstream's",
    "go": "Go's for its status (`status code N` where Go has none), whatever the upstream's",
}


def _sourced(headers: personalities.Headers, key: str, shown: str) -> str:
    """What the personality does, as ``_as_observed`` says it; "not recorded" where no source
    says what the real server does (Envoy's)."""
    source = headers.sources.get(key)
    if source is None:
        return f"{shown} (not recorded)"
    return _as_observed(shown, source)


def _as_observed(shown: str, source: str) -> str:
    """A personality's value in a column headed by its real server: as it is where the
    personality imitates the server, else saying it is the personality's alone (nginx sends an
    HTTP/1.0 client's request upstream as HTTP/1.0, the personality as HTTP/1.1), or, where a
    part is not imitated (nginx answers every TRACE 405 itself), that the sources say which."""
    if source.startswith("not imitated"):
        return (
            f"{shown} in the personality; not imitated: the real server's is in its sources below"
        )
    if "not imitated" in source:
        return f"{shown} (not imitated in part: see its sources below)"
    return shown


def _trailers() -> str:
    return _table(
        ["", *personalities.TRAILER_SERVERS], [list(row[1:]) for row in personalities.TRAILERS]
    )


def _chunk_lines() -> str:
    return _table(
        ["request body", *personalities.CHUNK_LINE_SERVERS],
        [[row[0], *row[2:]] for row in personalities.CHUNK_LINES],
    )


def _framing() -> str:
    return _table(
        ["request", *personalities.FRAMING_SERVERS],
        [[row[0], *row[2:]] for row in personalities.FRAMING],
    )


def _pooling(pooling: personalities.Pooling) -> str:
    if not pooling.keepalive:
        return "no (one connection per request)"
    if not pooling.first_request_reuses:
        return f"yes ({pooling.max_idle}), never for a client connection's first request"
    return f"yes ({pooling.max_idle})"


def _sources() -> str:
    lines = []
    for p in ORDER:
        person = personalities.get(p)
        lines.append(f"* **{person.title}**")
        for key, source in person.headers.sources.items():
            lines.append(f"  * {key}: {source}")
        lines.append(f"  * largest response head: {person.max_response_head_source}")
        lines.append(f"  * keep-alive to upstreams: {person.pooling.source}")
        lines.append(f"  * a client's request head that stops: {person.slow_client_source}")
        lines.append(f"  * a request line's other major version: {person.other_versions_source}")
        lines.append(f"  * an HTTP/1.0 client's request upstream: {person.http10_upstream_source}")
        lines.append(f"  * a request for the server as a whole: {person.asterisk_source}")
        lines.append(f"  * OPTIONS or TRACE with Max-Forwards: {person.max_forwards_source}")
        if person.upstream_interim_source:
            lines.append(f"  * an upstream's interim 1xx: {person.upstream_interim_source}")
        if person.untimed:
            needs = ", ".join(sorted(str(CONDITION_NAMES[c]) for c in person.untimed))
            lines.append(
                f"  * answered as in its table only with a timeout set (none by default): "
                f"{needs}: {person.untimed_source}"
            )
    return "\n".join(lines)


def _personality_section(name: str) -> str:
    person = personalities.get(name)
    rows = [
        [str(CONDITION_NAMES[c]), outcome(a), a.reason, f"`{a.log}`" if a.log else "", a.source]
        for c, a in person.table.items()
    ]
    table = _table(["upstream condition", "client sees", "reason", "its log", "source"], rows)
    return f"### {person.title}\n\n{table}\n"


def _connect_errors() -> str:
    by_type: dict[str, list[str]] = {}
    for number, error in CONNECT_ERRORS.items():
        by_type.setdefault(error, []).append(errno.errorcode[number])
    return "; ".join(f"{', '.join(names)}: `{error}`" for error, names in by_type.items())


def _proxy_status() -> str:
    rows = [
        [
            str(CONDITION_NAMES[c]),
            str(o.status or "-"),
            f"`{o.proxy_status}`" if o.proxy_status else "-",
        ]
        for c, o in RFC_TABLE.items()
    ]
    return _table(["upstream condition", "status", "`error=` in Proxy-Status"], rows)


def _huge_head() -> int:
    """Bytes of the huge-headers fault's whole head, its empty last line too."""
    return len(HUGE_HEAD)


def _huge_section() -> int:
    """The huge-headers fault's header-section-size, as the gateway computes it: of the
    bytes it holds (``upstream._too_big``)."""
    return header_section_size(FAULTS["huge-headers"].reply[: personalities.RFC.max_response_head])


def _shown(raw: bytes) -> str:
    """Request bytes as one line: CR LF as \\r\\n, a long run of one byte as <N x 'b'>."""
    text = raw.decode("latin-1").replace("\r", "\\r").replace("\n", "\\n")
    return re.sub(r"(.)\1{19,}", lambda m: f"<{len(m.group(0))} x '{m.group(1)}'>", text)


def gateways_md() -> str:
    direct = _table(
        ["request", *personalities.DIRECT_SERVERS],
        [[r[0], *r[2:]] for r in personalities.DIRECT_REQUESTS],
    )
    direct_bytes = "\n".join(f"* {r[0]}: `{_shown(r[1])}`" for r in personalities.DIRECT_REQUESTS)
    notes = "\n".join(f"* {n.text} *Source: {n.source}.*" for n in personalities.NOTES)
    sections = "\n".join(_personality_section(p) for p in ORDER)
    return f"""# What real gateways do (observed)

<!-- generated by tools/gateways_doc.py from labkit/personalities.py and
labkit/conditions.py; edit those, then run: python tools/gateways_doc.py -->

nginx 1.22.1, HAProxy 2.6.12 and Caddy 2.6.2 (Debian 12 packages) were run on loopback in
front of the lab's own misbehaving upstreams, with the configurations in `tests/gateways/`
(defaults everywhere but the timeouts, which are the lab's:
connect {UPSTREAM_TIMEOUTS.connect:g} s, read {UPSTREAM_TIMEOUTS.read:g} s; a client's request head
{SHORT_HEAD:g} s).
Rows whose source says *observed* are re-run against the real servers by
`tests/test_real_gateways.py`: status, `Server`, `Via`, `Upgrade`, `Content-Type`,
`Cache-Control`, `Retry-After`, `Proxy-Status`, `Transfer-Encoding`, whether `Date` is sent,
and the body must match the lab's personality. Envoy comes
from its documentation and source, not from a run. The lab's default (`rfc`) follows the
RFCs; where an RFC names no status for a condition, its source says what is the lab's
reading.

## Summary: upstream condition -> what the client gets

{summary()}

## The headers a learner reads

Neither `Server` nor `Via` proves who made a response behind real gateways: RFC 9110 7.6.3
makes `Via` on responses optional for gateways and none of the three adds it; nginx replaces
the origin's `Server` with its own, so an origin's relayed 500 and an nginx-made 502 both say
`nginx/1.22.1`. What does hold, each only where it is configured: a request id logged by
every hop (nginx: `$request_id` in `log_format` and `proxy_set_header X-Request-ID
$request_id`; HAProxy: `unique-id-format` and `unique-id-header`), the gateway's log of an
error it made itself (nginx: a line in its error log, on by default, such as `connect()
failed (111: Connection refused)`; Caddy: an `http.log.error` entry, logged by default, such
as `dial tcp ...: connect: connection refused`; HAProxy writes no separate error log by default:
it logs nothing until `log` says where, and with `option httplog` writes one line per request whose
termination state says it, `SC--` for a refused connection; a relayed 500 leaves no error
entry at nginx or Caddy and `----` at HAProxy), the error page's shape (operators may replace
it), timing, and `Proxy-Status` (RFC 9209) where the gateway is configured to send it.

{_headers_table()}

`relayed_server`: *keep* the origin's, *replace* it with the gateway's own, or *both* (the
gateway's first). `relayed_upgrade`: *drop* both headers (RFC 9110 7.6.1: the origin lists
`upgrade` in `Connection`, so `Upgrade` is hop-by-hop), *keep* both, or *keep-upgrade*
(`Upgrade` kept, `Connection` the gateway's own).

Sources:

{_sources()}

## Proxy-Status in the lab (rfc personality)

The lab's gateway and portal name themselves in `Proxy-Status`: `received-status=N` on what
they relay, an `error=` type from the registry in RFC 9209 2.3 on what they make. For a
response head larger than it accepts, the gateway adds that type's own parameter,
`header-section-size`: the bytes of the header section it received, which is the field lines,
each with its CRLF (RFC 9110 6.3), not the status line (control data, 6.2) nor the empty line
that ends the section (RFC 9112 2.1). Its limit counts the whole head, its empty last line too,
as nginx's buffer holds it; like that buffer, the gateway keeps only the first
{personalities.RFC.max_response_head} bytes of a head too large, and the size is of those
(RFC 9209 2.3.19: the headers received "might not be complete"), the same however the bytes
arrived. For the `huge-headers` fault's {_huge_head()}-byte head:
`header-section-size={_huge_section()}` and
`details="the response head exceeds {personalities.RFC.max_response_head} bytes"`.
For a transfer coding it cannot decode, it adds `coding` (RFC 9209 2.3.24), the first coding
other than `chunked`: `coding={failed_coding(FAULTS["bad-transfer-encoding"].reply)}` for the
`bad-transfer-encoding` fault.

{_proxy_status()}

A failed connect() that is neither a refusal nor the gateway's own timeout is the
unreachable condition; its `error=` is the errno's own: {_connect_errors()}, any other
`proxy_internal_error` (RFC 9209 2.1.1's generic type). The status stays 502, nginx's and
Caddy's answer to every failed connect(), where RFC 9209 recommends 500 for
`proxy_internal_error` and `proxy_configuration_error` (2.3.30, 2.3.31).

The portal's 511 (not logged in to the network) names `labkit-portal` with
`error=http_request_denied`; what the portal relays carries both hops, for example
`labkit-gateway; received-status=200; next-hop="origin", labkit-portal; received-status=200;
next-hop="gateway"` (the last member is the hop nearest the client).

## Each gateway, condition by condition

{sections}
## Trailer fields, both ways

A chunked body may end with trailer fields after its last chunk (RFC 9112 7.1.2), announced
by a `Trailer` header (RFC 9110 6.6.2); a client says it accepts them with `TE: trailers`
(RFC 9110 10.1.4). Observed 2026-12-04 through the same configurations, every cell re-run by
`tests/test_real_gateways.py::test_what_the_upstream_receives`: an upstream answered chunked
with `Trailer: X-Checksum` and `X-Checksum: abc` after its last chunk (the response rows
held with and without `TE: trailers` from the client), and a client sent a chunked POST with
`Trailer: X-Sum` and `X-Sum: 1` after its last chunk.

{_trailers()}

{personalities.TRAILERS_NOTE}

## Long lines in a chunked request body

A chunk may carry extensions after its size (RFC 9112 7.1.1, which asks a server to limit
their total length and sets no number), and a chunked body trailer fields after its last
chunk. A POST to a proxied location with one long extension or trailer field; each cell is the
first line the server sent back, in front of an upstream that reads the whole body before it
answers 200 (observed 2026-12-06, every cell re-run by
`tests/test_real_gateways.py::test_a_long_line_in_a_chunked_request_body`):

{_chunk_lines()}

{personalities.CHUNK_LINES_NOTE.format(limit=MAX_HEAD_BYTES)}

## Malformed request framing

A POST to a proxied location whose framing RFC 9112 lets a recipient refuse, or whose Host is not
a host and an optional port, or is empty: each cell is the
first line the server sent back, in front of an upstream that reads the whole body before it
answers 200 ("passed on": the lab's gateway sent it to the origin; observed 2026-12-07, every
cell re-run by `tests/test_real_gateways.py::test_malformed_request_framing` and the lab's by
`test_malformed_request_framing_at_the_labs_gateway`):

{_framing()}

{personalities.FRAMING_NOTE.format(wait=personalities.DIRECT_WAIT)}

## Requests sent straight to each server

Observed with the same packages and re-run, every row, by
`tests/test_real_gateways.py::test_direct_requests` (last re-run 2026-12-03) from
`tests/gateways/direct.*`: nginx serves files at `/` and proxies `/proxied`; HAProxy and Caddy
proxy everything to an upstream that answers any request 200; Python's `http.server` serves
files. The lab's gateway answers such requests its own way in every personality (the
personalities imitate what a gateway does with its upstreams, with a request head that
stops, and with a request line's other major version), so this table is where the real
servers' answers are. Each cell is the first line the
server sent back; *[client-timeout]*: the server had not
closed the connection {personalities.DIRECT_WAIT:g} s after its last byte.

{direct}

The exact bytes sent (`\\r\\n` ends each line):

{direct_bytes}

## Other observations

{notes}
"""


MARK = re.compile(
    r"(<!-- generated by tools/gateways_doc\.py: (\w+) -->\n)(.*?)(<!-- end generated -->)",
    re.DOTALL,
)
README_PARTS = {"faults": readme_faults, "gateways": summary}


def readme(text: str, lang: str = ENGLISH) -> str:
    """``text`` (a README in ``lang``) with its generated tables made anew."""
    return MARK.sub(lambda m: m.group(1) + README_PARTS[m.group(2)](lang) + "\n" + m.group(4), text)


def main(argv: list[str]) -> int:
    wanted = {DOC: gateways_md()}
    wanted |= {path: readme(path.read_text(), lang) for path, lang in READMES.items()}
    stale = [path for path, text in wanted.items() if not path.exists() or path.read_text() != text]
    if "--check" in argv:
        for path in stale:
            print(
                f"{path.relative_to(ROOT)} differs from the tables: run python tools/gateways_doc.py"
            )
        return 1 if stale else 0
    for path in stale:
        path.write_text(wanted[path])
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
