"""Which status a server owes a request it cannot serve as sent (no I/O here).

h11 parses and rejects; this module turns its verdict, and the raw bytes, into the
status a careful server sends and a sentence a learner can read.
"""

from __future__ import annotations

import re

from labkit.i18n import Msg
from labkit.record import FrozenRecord

SUPPORTED_VERSIONS = ("1.0", "1.1")
MAX_HEAD_BYTES = 16 * 1024


class Verdict(FrozenRecord):
    __slots__ = ("status", "why")
    status: int
    why: str

    def __init__(self, status: int, why: str) -> None:
        object.__setattr__(self, "status", status)
        object.__setattr__(self, "why", why)


def transfer_codings(raw_head: bytes) -> list[str] | None:
    """The request's Transfer-Encoding codings, in order, or None when absent."""
    codings: list[str] = []
    found = False
    for line in raw_head.split(b"\r\n")[1:]:
        if not line:
            break
        name, sep, value = line.partition(b":")
        if sep and name.strip().lower() == b"transfer-encoding":
            found = True
            codings += [c.strip().lower().decode("latin-1") for c in value.split(b",") if c.strip()]
    return codings if found else None


def has_header(raw_head: bytes, name: bytes) -> bool:
    """Whether the head has a header field called ``name`` (lower case)."""
    for line in raw_head.split(b"\r\n")[1:]:
        if not line:
            break
        key, sep, _ = line.partition(b":")
        if sep and key.strip().lower() == name:
            return True
    return False


CL_AND_TE = Verdict(
    400,
    "the request has both Content-Length and Transfer-Encoding, so two servers could "
    "disagree on where its body ends (request smuggling); this server rejects it and closes "
    "the connection, as nginx does (RFC 9112 6.1 allows rejecting it; 6.3 says "
    "Transfer-Encoding would win)",
)


def check_framing(raw_head: bytes) -> Verdict | None:
    """RFC 9112 6.1: a request with both Content-Length and Transfer-Encoding is refused."""
    if transfer_codings(raw_head) is not None and has_header(raw_head, b"content-length"):
        return CL_AND_TE
    return None


# RFC 9112 3.2.3: CONNECT's target is only a host and a port ("example.com:443")
AUTHORITY_FORM = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]+):[0-9]{1,5}$")


def check_connect(method: str, target: str) -> Verdict | None:
    """A CONNECT whose target is not authority-form (host:port) is malformed."""
    if method != "CONNECT" or AUTHORITY_FORM.match(target):
        return None
    return Verdict(
        400,
        f"CONNECT asks for a tunnel to a host and port, such as 'CONNECT example.com:443'; "
        f"the target {target!r} is not of that form, so the request is malformed "
        "(RFC 9112 3.2.3)",
    )


def check_transfer_codings(codings: list[str]) -> Verdict | None:
    if not codings or codings[-1] != "chunked":
        return Verdict(
            400,
            "Transfer-Encoding is present but 'chunked' is not the final coding, so the end "
            "of the body cannot be found (RFC 9112 6.3)",
        )
    unknown = [c for c in codings[:-1] if c != "chunked"]
    if unknown:
        return Verdict(
            501,
            f"this server does not implement the transfer coding {unknown[0]!r}; it only "
            "understands 'chunked' (RFC 9112 6.1)",
        )
    return None


def classify_rejection(raw: bytes, message: str, hint: int) -> Verdict:
    """The status and reason for a request h11 rejected with ``message``."""
    head = raw.split(b"\r\n\r\n", 1)[0]
    framing = check_framing(head)
    if framing:
        return framing
    codings = transfer_codings(head)
    if codings is not None:
        verdict = check_transfer_codings(codings)
        if verdict:
            return verdict
    if "request line" in message:
        return Verdict(
            400,
            "the request line is not 'METHOD target HTTP/x.y' (the protocol name must be "
            "'HTTP' in capitals, followed by one digit, a dot and one digit)",
        )
    if "Host" in message:
        return Verdict(400, "an HTTP/1.1 request must carry a Host header (RFC 9112 3.2)")
    if "too long" in message or "buffer" in message:
        return Verdict(431, f"the request headers are larger than {MAX_HEAD_BYTES} bytes")
    if "header" in message:
        return Verdict(400, "a header line is not 'name: value'")
    if hint == 501:
        return Verdict(501, f"this server does not implement that: {message}")
    return Verdict(400, f"the request is not valid HTTP/1.1: {message}")


def check_version(version: str) -> Verdict | None:
    """RFC 9110 6.2: serve any 1.x (as 1.1); refuse other major versions with 505."""
    if version.startswith("1."):
        return None
    return Verdict(
        505,
        f"the request line says HTTP/{version}, a major version this server does not support",
    )


HTTP2_EXPLANATION = [
    Msg("Supported versions: HTTP/1.0, HTTP/1.1."),
    Msg(
        "HTTP/2 and HTTP/3 are never asked for by writing 'HTTP/2.0' or 'HTTP/3.0' in a text "
        "request line: those protocols are binary. HTTP/2 is negotiated during the TLS "
        "handshake with ALPN ('h2'), or by a client with prior knowledge that starts the "
        "connection with the preface 'PRI * HTTP/2.0'; HTTP/3 runs over QUIC and is "
        "advertised with the Alt-Svc header."
    ),
    Msg("Send the request again with HTTP/1.1 in the request line."),
]
