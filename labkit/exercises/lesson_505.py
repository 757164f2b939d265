"""Exercises of lesson 06: 505 HTTP Version Not Supported (and 426 Upgrade Required beside it).

``from labkit.exercises.lesson_505 import q1, q2, q3, q4`` in the notebook. Importable
without a running lab: the make-it-happen task takes the lab as its second answer.
"""

from __future__ import annotations

import re
from typing import Any

from labkit.exercises.checks import CheckedTask, Param, Refused, Run, expect, lab_param
from labkit.exercises.core import make_choice
from labkit.i18n import Msg, Text

LESSON = "505"

q1 = make_choice(
    "505.http2-request-line",
    LESSON,
    Msg(
        "A client sends the text request line `GET /orders/7 HTTP/2.0` straight to the origin. "
        "Which status comes back?"
    ),
    ["200", "400", "426", "505"],
    "505",
    why={
        "505": Msg(
            "the line is well formed, but it names a major version (2) that this "
            "server does not speak in that form, so it answers 505 and lists HTTP/1.0 and HTTP/1.1."
        ),
        "200": Msg(
            "200 is what HTTP/1.2 gets (any 1.x is served as 1.1, RFC 9110 6.2). Is 2.0 "
            "another minor version, or another major one? Send it with lab.raw(...) and see."
        ),
        "400": Msg(
            "400 is for a malformed request line such as `http/1.1` or `HTTPS/1.1`; "
            "`HTTP/2.0` is well formed, just a version the server does not speak."
        ),
        "426": Msg(
            "426 means 'this resource needs another protocol, upgrade to it' (the /chat "
            "resource); here the server refuses the version named in the request line itself."
        ),
    },
    hints=(
        Msg("Is `HTTP/2.0` malformed, or well formed but unsupported?"),
        Msg("RFC 9110 6.2: a server may refuse a request whose major version it does not support."),
    ),
    solution=Msg(
        "505: HTTP Version Not Supported. The body names the versions the server speaks "
        "(HTTP/1.0, HTTP/1.1) and explains how HTTP/2 is reached instead: negotiated with ALPN, "
        "or spoken at once with prior knowledge, never asked for by naming HTTP/2.0 in an HTTP/1 "
        "request line."
    ),
)


def _request_line(data: bytes) -> str:
    return data.split(b"\n", 1)[0].rstrip(b"\r").decode("latin-1")


def _request_bytes(data: Any) -> bytes:
    if isinstance(data, (bytearray, memoryview)):  # bytes built up in a loop (refused)
        data = bytes(data)
    if isinstance(data, str):
        try:
            data = data.encode("latin-1")
        except UnicodeEncodeError as exc:
            raise Refused(
                Msg(
                    "the request has {char}, which is not a byte: a request line and "
                    "headers are bytes (write b'...', with \\r\\n between lines), then the lab: "
                    "{usage}.",
                    char=repr(data[exc.start]),
                )
            ) from None
    if isinstance(data, bytes) and not data:
        raise Refused(
            Msg("the request is empty: give the bytes of a whole request, then the lab: {usage}.")
        )
    if not isinstance(data, bytes):
        raise Refused(
            Msg(
                "give the bytes of a whole request, e.g. "
                "b'GET /orders/7 HTTP/1.1\\r\\nHost: lab\\r\\nConnection: close\\r\\n\\r\\n' "
                "(with another version), then the lab: {usage}; not a {kind}.",
                kind=type(data).__name__,
            )
        )
    return data


def _version(run: Run) -> str:
    words = _request_line(run["request"]).split(" ")
    return words[-1] if len(words) == 3 else ""


# A head ends at its first empty line; until then the origin answers nothing (h11 judges a
# head only once it is whole) but its 408 at the head timeout, which the learner may have set.
_HEAD_END = re.compile(rb"\n\r?\n")
# Seconds of silence after the answer that end the judge's read on a connection the origin
# keeps open (a request without Connection: close). The first byte is waited for as long as
# lab.request waits (lab.raw's own wait): that is the origin's time to answer, which load
# stretches; this only decides that nothing more comes, so it stays short.
QUIET = 0.5


def _sent(run: Run) -> Any:
    """The origin's answer to the learner's bytes, or None for a head that does not end:
    sent, it would get no answer (or a 408 as soon as the origin's head timeout passes), so the
    verdict is the same without sending it, at once and whatever the head timeout."""
    if not _HEAD_END.search(run["request"]):
        return None
    ex = run.lab.raw(run["request"], to="origin", timeout=QUIET)
    status: Text = f"{ex.status} {ex.reason}" if ex.status is not None else Msg("no status line")
    run.detail = run.say(
        Msg(
            "request line sent: {line}\nthe origin answered: {status}\nwhy: {why}",
            line=_request_line(run["request"]),
            status=status,
            why=ex.why,
        )
    )
    return ex


def _served(run: Run) -> Text:
    ex = run["ex"]
    if ex is None:
        return Msg(
            "your request's head does not end: end it with an empty line (\\r\\n\\r\\n) so "
            "the server knows the headers are complete; until then it answers nothing."
        )
    if ex.status == 200:
        return ""
    if ex.status == 505:
        return Msg(
            "the origin answered 505: it does not speak {version}. Is that another "
            "minor version of what it speaks, or another major version? Its 505 page names the "
            "versions it speaks (send your bytes with lab.raw and read ex.text).",
            version=run["version"],
        )
    if ex.status == 400:
        return Msg(
            "the origin answered 400: your request is malformed, not merely another version "
            "({why}). Compare your request line with HTTP-version in RFC 9112 2.3.",
            why=ex.why,
        )
    if ex.status is None:
        return Msg("the origin sent no status line back ({why}).", why=ex.why)
    return Msg(
        "the origin answered {status} {reason} ({why}); the version may be fine, but "
        "ask for a resource that exists, such as /orders/7, so that it can answer 200.",
        status=ex.status,
        reason=ex.reason,
        why=ex.why,
    )


def _served_other_version(run: Run) -> Text:
    ex = run["ex"]
    status_line = ex.raw_response.split(b"\r\n", 1)[0].decode("latin-1")
    shown = run["version"] or _request_line(run["request"])
    return Msg(
        "the origin served {shown} and answered with {status_line}: any HTTP/1.x is "
        "served with the server's own highest 1.x version (RFC 9110 6.2).",
        shown=repr(shown),
        status_line=repr(status_line),
    )


q2 = CheckedTask(
    "505.served-not-1.1",
    LESSON,
    Msg(
        "Make it happen: write the bytes of a request whose request line names a version other "
        "than HTTP/1.1, which the origin nevertheless serves with 200. "
        "Check with q2.check(b'...', lab); the judge sends your bytes with lab.raw."
    ),
    usage="q2.check(b'...', lab)",
    takes=(Param("request", _request_bytes), lab_param()),
    observe={"version": _version, "ex": _sent},
    checks=(
        expect(
            lambda run: run["version"] != "HTTP/1.1",
            lambda run: Msg(
                "your request line {line} says HTTP/1.1; "
                "the task is a request line with another version that the server still serves.",
                line=repr(_request_line(run["request"])),
            ),
        ),
        _served,
    ),
    success=_served_other_version,
    hints=(
        Msg(
            "Start from b'GET /orders/7 HTTP/1.1\\r\\nHost: lab\\r\\nConnection: close\\r\\n\\r\\n' "
            "and change only the version."
        ),
        Msg(
            "RFC 9110 6.2: a server serves a request with a higher (or lower) minor version of the "
            "same major version. Which major version does this server speak?"
        ),
        Msg("Keep the major version 1 and change only the minor one."),
    ),
    solution=Msg(
        "q2.check(b'GET /orders/7 HTTP/1.2\\r\\nHost: lab\\r\\nConnection: close\\r\\n\\r\\n', "
        "lab)  # HTTP/1.0 works too; the origin answers 'HTTP/1.1 200 OK'"
    ),
    time_limit=5.0,
)

q3 = make_choice(
    "505.426-headers",
    LESSON,
    Msg(
        "The origin answers GET /chat with 426 Upgrade Required. Which header fields must the "
        "origin's 426 carry?"
    ),
    ["Retry-After", "Upgrade", "Upgrade and Connection: upgrade", "Alt-Svc"],
    "Upgrade and Connection: upgrade",
    why={
        "Upgrade and Connection: upgrade": Msg(
            "RFC 9110 15.5.22 requires Upgrade in a 426 (which protocol to switch to, here "
            "websocket), and 7.8 requires every sender of Upgrade to list 'upgrade' in "
            "Connection, which tells intermediaries not to forward it: both belong to the "
            "origin's own connection (7.6.1), so a client behind a gateway may see neither."
        ),
        "Upgrade": Msg(
            "half of it: Upgrade names the protocol. Read RFC 9110 7.8: what else must "
            "whoever sends Upgrade send? The origin's own 426 shows it (via='origin'); a "
            "gateway may have removed it."
        ),
        "Retry-After": Msg(
            "Retry-After says when to come back (503, 429); retrying later will not "
            "help here: the resource needs another protocol."
        ),
        "Alt-Svc": Msg(
            "Alt-Svc advertises another endpoint (for example HTTP/3 over QUIC); a 426 "
            "names the protocol to upgrade this connection to."
        ),
    },
    hints=(
        Msg(
            "Look at ex.headers of lab.get('/chat', via='origin'): the origin's own 426, "
            "before any gateway."
        ),
        Msg("RFC 9110 7.8: a sender of Upgrade must also send a Connection header field."),
    ),
    solution=Msg(
        "q3.check('Upgrade and Connection: upgrade'): the origin's 426 carries "
        "Upgrade: websocket (RFC 9110 15.5.22) and Connection: upgrade (7.8). Both are "
        "hop-by-hop (7.6.1): through a gateway a client may see neither (the lab's gateway, "
        "Caddy), Upgrade with the gateway's own Connection (nginx) or both (HAProxy)."
    ),
)

q4 = make_choice(
    "505.alpn",
    LESSON,
    Msg(
        "A browser opens https://shop.example/ and wants HTTP/2. How does it ask the server for it?"
    ),
    ["HTTP/2.0 in the request line", "ALPN", "Upgrade: h2c", "retry after a 505"],
    "ALPN",
    # the wrong option in Chinese words other than the Quiz's (refused as no option)
    also={
        "retry after a 505": ("收到 505 后重试", "505 之后重试"),
        # ALPN by its name, as "application-layer protocol negotiation" was read (refused as
        # no option: a side-by-side reading, December 2026)
        "ALPN": ("应用层协议协商",),
        "HTTP/2.0 in the request line": ("请求行写 HTTP/2.0", "在请求行写 HTTP/2.0"),
    },
    why={
        "ALPN": Msg(
            "during the TLS handshake the client offers 'h2' and 'http/1.1' with ALPN "
            "(RFC 7301); the server picks one, before a single HTTP byte is sent (RFC 9113 3.2)."
        ),
        "HTTP/2.0 in the request line": Msg(
            "that is what this lesson's 505 answers: HTTP/2 is binary, and a request line "
            "naming HTTP/2.0 does not ask for it (even the prior-knowledge preface 'PRI * "
            "HTTP/2.0' only looks like a request line, so that an HTTP/1 server refuses it)."
        ),
        "Upgrade: h2c": Msg(
            "h2c was the cleartext upgrade of RFC 7540; RFC 9113 deprecated it, "
            "browsers never used it, and it was never for TLS."
        ),
        "retry after a 505": Msg(
            "a 505 tells you the server does not speak what you sent; "
            "resending the same line gets the same 505."
        ),
    },
    hints=(
        Msg("It happens before the first HTTP byte, while the encrypted connection is set up."),
        Msg("It is a TLS extension (RFC 7301): the client lists protocols, the server picks one."),
    ),
    solution=Msg(
        "ALPN: the client offers 'h2' in the TLS handshake. Without TLS, a client that "
        "knows the server speaks HTTP/2 sends the preface 'PRI * HTTP/2.0' (prior knowledge); "
        "HTTP/3 runs over QUIC and is announced by the site's HTTPS DNS record (RFC 9460) or by "
        "Alt-Svc."
    ),
)

__all__ = ["q1", "q2", "q3", "q4"]
