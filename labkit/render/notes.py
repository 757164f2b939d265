"""What to look at in an exchange: the summary and the headers that matter, explained.

Plain functions under the widgets' inspector, usable (and tested) without a browser.
"""

from __future__ import annotations

from typing import Any

import labkit.i18n as i18n
from labkit.http.pages import hop_words
from labkit.i18n import Msg
from labkit.render.text import gave_up, took, waited, why_in, why_is_what_the_client_saw
from labkit.render.view import ExchangeView

__all__ = ["HEADER_NOTES", "explained_headers", "summary"]

# each note a Msg: str() is the English, ``render(lang)`` the learner's language
HEADER_NOTES: dict[str, Msg] = {
    "retry-after": Msg(
        "when to try again: seconds, or an HTTP-date (RFC 9110 10.2.3). A client "
        "that honours it waits instead of hammering a server that said it is unavailable."
    ),
    "allow": Msg(
        "the methods this resource allows; a 405 MUST send it (RFC 9110 15.5.6), and "
        "OPTIONS answers with it."
    ),
    "upgrade": Msg(
        "the protocol a 101 switches to, or the ones a server asks you to upgrade to: a 426 "
        "MUST send it (RFC 9110 15.5.22, 7.8)."
    ),
    "connection": Msg(
        "options for this connection only: 'close' ends it after this response; "
        "'keep-alive' keeps it open (how HTTP/1.0 asks; HTTP/1.1 keeps connections open without "
        "it, though nginx says it anyway); 'upgrade' says the Upgrade header applies to this hop."
    ),
    "via": Msg(
        "the intermediaries that forwarded the message (RFC 9110 7.6.3: a proxy MUST add "
        "itself, a gateway MUST on requests and MAY on responses). The lab's proxies do; nginx, "
        "HAProxy and Caddy add none by default, so a missing Via proves nothing behind them."
    ),
    "proxy-status": Msg(
        "each intermediary names itself here (RFC 9209): 'received-status=N' when "
        "it relayed the next hop's answer, 'error=...' when it met an error: the next hop "
        "failed, or the portal wants a login, and it made the answer itself; some types, such "
        "as http_response_incomplete, can also mark a relayed answer that broke (RFC 9209 "
        "2.1.1). The lab's portal sends it, and its "
        "gateway in the rfc personality (the default), but not on an answer to the request "
        "itself (a 400, 501 or 505 refusing it, an OPTIONS or TRACE answered with "
        "Max-Forwards: 0). Real gateways send it only when configured to (none of nginx, "
        "HAProxy and Caddy does by default); the personalities that imitate them never do."
    ),
    "cache-control": Msg(
        "what caches may do with the response. 'no-store' keeps it out of every "
        "cache; 'max-age' lets them reuse it while fresh; 'stale-if-error' lets them serve a "
        "stored good copy when the origin fails (RFC 9111, RFC 5861)."
    ),
    "age": Msg(
        "the cache's estimate of the seconds since the origin made (or revalidated) this "
        "response (RFC 9111 5.1): it came from a cache. A cache MUST send it with a stored "
        "response (RFC 9111 4), but real nginx cache hits send none."
    ),
    "x-cache": Msg(
        "the gateway's cache: HIT means served from the cache without asking the origin."
    ),
    "x-request-id": Msg(
        "the id the lab gave this request at its first hop (such as req-0007); every "
        "server logs it, so one id finds the request in every log. Responses carry it short; the "
        "requests between the lab's hops carry it with a tag only this lab can make "
        "(such as req-0007.1f2e3d4c5b6a, a keyed hash with a per-lab secret), which is why the bytes an "
        "upstream received show the longer form. Each hop checks the tag and logs the short id; "
        "it continues only an id whose tag it recognises: an id a client makes up, or copies from "
        "an earlier response, is kept as the client's and the request gets a new one, so no one "
        "can slip a request into another's story. Real gateways log an id only when configured "
        "(nginx: $request_id in log_format and proxy_set_header; HAProxy: unique-id-format)."
    ),
    "server": Msg(
        "software that made this response. In the lab's default (rfc) personality a "
        "gateway's own page carries the gateway's name, a relayed one the origin's; the nginx, "
        "haproxy and caddy personalities do as those servers do, and there it is no proof: "
        "nginx replaces a relayed response's Server with its own, Caddy adds its own beside "
        "it, HAProxy keeps the origin's and its own pages have none."
    ),
    "content-type": Msg("what the body is (HTML, JSON, plain text)."),
    "content-length": Msg(
        "the body's size in bytes; a body shorter than this is incomplete. An answer to HEAD "
        "has no body: its Content-Length, where it has one, MUST be the size the GET's body "
        "would have (RFC 9110 8.6), and a server may leave it out (9.3.2)."
    ),
    "location": Msg(
        "where to go next: the resource a 201 created, or the target of a 3xx redirect "
        "(RFC 9110 10.2.2)."
    ),
    "date": Msg(
        "when the response was made (RFC 9110 6.6.1). nginx (and the lab's nginx personality) "
        "sends its own on what it relays: the time it relayed it, not the origin's."
    ),
    "content-language": Msg(
        "the language of the body (RFC 9110 8.5). The lab's own pages answer in the language "
        "the request's Accept-Language asks for (RFC 9110 12.5.4), English when it asks for "
        "none they have. The status line's reason phrase stays English, the lab's choice: RFC "
        "9110 15.1 lets a server replace it with a local equivalent, and a client SHOULD ignore "
        "it (RFC 9112 4)."
    ),
    "vary": Msg(
        "the request headers this answer depends on (RFC 9110 12.5.5): a cache may store a "
        "copy for each of their values and serves one only to a request with the same values "
        "(RFC 9111 4.1), so a Chinese page is never served to a request that asked for English. nginx's and HAProxy's own error pages "
        "are one fixed page each, in English, and send no Vary."
    ),
}


def summary(ex: ExchangeView, lang: str | None = None) -> dict[str, Any]:
    """The first things to read: status, who made it, why, and how long it took by the lab's
    record of what the request waited for (``text.took``); keyed and
    worded in ``lang`` (default: the learner's language). ``why`` keeps the recorder's English,
    but for the lab's own gateway's explanation of a failed upstream (``text.why_in``)."""
    lang = lang or i18n.learner_language()
    rows: list[tuple[Msg, Any]] = [
        (Msg("status", context="summary"), ex.status),
        (Msg("reason", context="summary"), ex.reason),
        (
            Msg("made by", context="summary"),
            # as the status line above it says the hop (由源服务器生成), not its code label
            i18n.render(hop_words(ex.generated_by), lang)
            if ex.generated_by
            else Msg("nobody (no response)").render(lang),
        ),
        *(
            []
            if why_is_what_the_client_saw(ex)  # the next row says it
            else [(Msg("why", context="summary"), why_in(ex, lang))]
        ),
        (
            Msg("client saw", context="summary"),
            # the lab's own words about it (a body cut after the status line) in lang
            i18n.render(ex.client_error, lang)
            if ex.client_error
            else Msg("a complete response").render(lang),
        ),
        # the lab's record, the same every run (the client's clock, which a loaded machine
        # moves, is the hop table's measured column)
        (
            Msg("took (by the lab's record)", context="summary"),
            took(ex.status, ex.elapsed, waited(ex), gave_up(ex)).render(lang),
        ),
    ]
    return {key.render(lang): value for key, value in rows}


def explained_headers(ex: ExchangeView, lang: str | None = None) -> list[tuple[str, str, str]]:
    """(name, value, what it means) for every response header, the notable ones explained
    in ``lang`` (default: the learner's language)."""
    lang = lang or i18n.learner_language()
    return [(k, v, i18n.render(HEADER_NOTES.get(k.lower(), ""), lang)) for k, v in ex.headers]
