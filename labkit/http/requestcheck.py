"""Which status a server owes a request it cannot serve as sent (no I/O here).

h11 parses and rejects; this module turns its verdict, and the raw bytes, into the
status a careful server sends and a sentence a learner can read.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import h11
else:  # imported by the first refusal that needs it
    from labkit.http import lazyh11 as h11

from labkit.http.complaints import body_complaint, bytes_in, quoted
from labkit.http.headend import head_end, message_head
from labkit.i18n import Listed, Msg
from labkit.lazyre import later
from labkit.record import FrozenRecord

SUPPORTED_VERSIONS = ("1.0", "1.1")
MAX_HEAD_BYTES = 16 * 1024
HEAD_TOO_LARGE = Msg("the request headers are larger than {limit} bytes", limit=MAX_HEAD_BYTES)
LINE_TOO_LONG = Msg(
    "the request line is longer than {limit} bytes: its target is longer than any URI this "
    "server parses",
    limit=MAX_HEAD_BYTES,
)
# the start of a request line: a method (a token) and a space, its target begun
_LINE_BEGUN = rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+ [^ \r\n]"
BODY_LINE_TOO_LONG = Msg(
    "a line of the chunked body (a chunk size with its extensions, or a trailer field) is "
    "longer than {limit} bytes, this server's limit (RFC 9112 7.1.1 asks a server to limit "
    "chunk extensions and sets no number)",
    limit=MAX_HEAD_BYTES,
)


class Verdict(FrozenRecord):
    """A status and its sentence, a catalogue message: the page renders it in the language
    the request negotiated, the recording keeps it in English (``str(why)``)."""

    __slots__ = ("status", "why")
    status: int
    why: Msg

    def __init__(self, status: int, why: Msg) -> None:
        object.__setattr__(self, "status", status)
        object.__setattr__(self, "why", why)


def fields(raw_head: bytes) -> list[tuple[bytes, bytes]]:
    """The head's fields as h11 reads them: each name (lower case, with the whitespace around
    it dropped) and value; lines ended by LF or CRLF, and a line that begins with a space or
    a tab continuing the field before it (obs-fold, RFC 9112 5.2: h11 joins it with a
    space). Such a line was taken for a field of its own: '  Transfer-Encoding: chunked'
    under another field refused a request for carrying a Transfer-Encoding it had not."""
    found: list[tuple[bytes, bytes]] = []
    for line in raw_head.split(b"\n")[1:]:
        line = line.removesuffix(b"\r")
        if not line:
            break
        if line[:1] in (b" ", b"\t"):
            if found:  # (before any field h11 refuses the head)
                name, value = found[-1]
                found[-1] = (name, value + b" " + line.lstrip(b" \t"))
            continue
        name, sep, value = line.partition(b":")
        if sep:
            found.append((name.strip().lower(), value))
    return found


def transfer_codings(raw_head: bytes) -> list[str] | None:
    """The request's Transfer-Encoding codings, in order, or None when absent."""
    # most requests: one look, no parse (find, not ``in``: on CPython 3.11 ``bytes in bytes``
    # first tries its argument as an integer and raises and clears a TypeError)
    if raw_head.lower().find(b"transfer-encoding") < 0:
        return None
    values = [value for name, value in fields(raw_head) if name == b"transfer-encoding"]
    if not values:
        return None
    return [c.strip().lower().decode("latin-1") for v in values for c in v.split(b",") if c.strip()]


def has_header(raw_head: bytes, name: bytes) -> bool:
    """Whether the head has a header field called ``name`` (lower case)."""
    return any(key == name for key, _ in fields(raw_head))


CL_AND_TE = Verdict(
    400,
    Msg(
        "the request has both Content-Length and Transfer-Encoding, so two servers could "
        "disagree on where its body ends (request smuggling); this server rejects it and "
        "closes the connection, as nginx does (RFC 9112 6.1 allows rejecting it; 6.3 says "
        "Transfer-Encoding would win)"
    ),
)


def check_framing(raw_head: bytes, codings: list[str] | None) -> Verdict | None:
    """RFC 9112 6.1: a request with both Content-Length and Transfer-Encoding is refused.
    ``codings``: the head's ``transfer_codings``, which the caller reads for its own checks
    too (read once: each read lowers the whole head)."""
    if codings is not None and has_header(raw_head, b"content-length"):
        return CL_AND_TE
    return None


# RFC 9112 3.2.3: CONNECT's target is only a host and a port ("example.com:443"); compiled by
# the first CONNECT (or the first target a widget checks), not by every lab's import
AUTHORITY_FORM = later(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]+):[0-9]{1,5}$")


# RFC 9112 3.2: Host = uri-host [ ":" port ] (RFC 3986 3.2.2, 3.2.3): an IP literal in brackets
# or a reg-name (unreserved, pct-encoded, sub-delims; empty too), then digits after a colon
HOST_VALUE = later(r"^(\[[0-9A-Za-z._~!$&'()*+,;=:-]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]*)(:[0-9]*)?$")


def check_host(raw_head: bytes) -> Verdict | None:
    """RFC 9112 3.2: a server MUST answer 400 to a request whose Host field has an invalid
    value. h11 refuses a missing or a second Host, not a value such as 'a b' or 'user@lab',
    which the lab's servers served (and the gateway passed on); real nginx 1.22 refused the
    first and passed the second on, HAProxy 2.6 passed both, Caddy 2.6 refused both
    (personalities.FRAMING)."""
    values = [value.strip(b" \t") for name, value in fields(raw_head) if name == b"host"]
    if len(values) != 1:
        return None
    return check_host_value(values[0].decode("latin-1"))


def check_host_value(value: str) -> Verdict | None:
    """``check_host`` of a request's one Host value, the whitespace around it dropped (as h11
    and ``server.plain_request`` read it)."""
    if HOST_VALUE.match(value):
        return None
    return Verdict(
        400,
        Msg(
            "the Host value {value} is not a host with an optional port: a name of letters, "
            "digits and -._~!$&'()*+,;=% or an IP address in brackets, then ':' and digits; "
            "a server MUST refuse an invalid Host with 400 (RFC 9112 3.2)",
            value=quoted(value.encode("latin-1")),
        ),
    )


def check_connect(method: str, target: str) -> Verdict | None:
    """A CONNECT whose target is not authority-form (host:port) is malformed."""
    if method != "CONNECT" or AUTHORITY_FORM.match(target):
        return None
    return Verdict(
        400,
        Msg(
            "CONNECT asks for a tunnel to a host and port, such as 'CONNECT example.com:443'; "
            "the target {target} is not of that form, so the request is malformed "
            "(RFC 9112 3.2.3)",
            target=repr(target),
        ),
    )


def check_asterisk(method: str, target: str) -> Verdict | None:
    """The target '*' (asterisk-form) asks about the server as a whole, and only OPTIONS may
    have it (RFC 9112 3.2.4): another method with it is a malformed request."""
    if target != "*" or method == "OPTIONS":
        return None
    return Verdict(
        400,
        Msg(
            "only OPTIONS may ask about the server as a whole, with the target '*' (RFC "
            "9112 3.2.4): a {method} request with it is malformed",
            method=method,
        ),
    )


def check_target(target: str) -> Verdict | None:
    """A target that cannot be read as a URI (a '[' or ']' that is not around an IP address
    in its host, RFC 3986 3.2.2) is a malformed request: 400 (RFC 9112 3). Every handler
    reads the target's path: ``urlsplit`` raised on it, and the connection closed without
    an answer."""
    from urllib.parse import urlsplit

    try:
        urlsplit(target)
    except ValueError:
        return Verdict(
            400,
            Msg(
                "the request target {target} cannot be read as a URI: '[' and ']' may stand "
                "only around an IP address in its host (RFC 3986 3.2.2), so the request is "
                "malformed (RFC 9112 3)",
                target=repr(target),
            ),
        )
    return None


def check_transfer_codings(codings: list[str]) -> Verdict | None:
    if not codings or codings[-1] != "chunked":
        return Verdict(
            400,
            Msg(
                "Transfer-Encoding is present but 'chunked' is not the final coding, so the "
                "end of the body cannot be found (RFC 9112 6.3)"
            ),
        )
    if codings.count("chunked") > 1:
        return Verdict(
            400,
            Msg(
                "Transfer-Encoding names chunked more than once ({codings}); chunked is applied "
                "once, as the final coding (RFC 9112 6.1)",
                codings=Listed(repr(c) for c in codings),
            ),
        )
    unknown = [c for c in codings[:-1] if c != "chunked"]
    if unknown:
        return Verdict(
            501,
            Msg(
                "this server does not implement the transfer coding {coding}; it only "
                "understands 'chunked' (RFC 9112 6.1)",
                coding=repr(unknown[0]),
            ),
        )
    return None


# The largest chunk size a signed 64-bit count (nginx's off_t) holds. RFC 9112 7.1: recipients
# MUST anticipate large hexadecimal numerals and prevent integer overflow.
MAX_CHUNK_SIZE = 2**63 - 1
HEX_DIGITS = rb"[0-9A-Fa-f]*"  # compiled by re for the first chunked body, not at import


class ChunkSizes:
    """The chunk-size lines of a chunked request body, judged as its bytes arrive.

    h11 takes a size of up to 20 hex digits and then waits for that many bytes, so a size
    no server accepts held the connection until the body timeout. Real nginx answers 400 at
    once to a size from 2^59 up, and 413 to one over client_max_body_size when its first
    byte of data arrives; HAProxy 400 to a size from 2^52 up. Here a size past
    MAX_CHUNK_SIZE is refused with 400 and one that takes the body past ``limit`` with 413,
    both from the size line alone, even before its end (personalities.NOTES has the
    difference). Any other malformed line is left to h11, which refuses it.

    A size line (its extensions too) or a trailer section longer than MAX_HEAD_BYTES is
    refused with 400 however it arrives: h11 refused one only while it was incomplete in
    its buffer, so a 20 KB extension sent in one write was served and the same sent in
    parts refused (as a head too large, 431).
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.announced = 0  # bytes of content the sizes read so far announce
        self._line = bytearray()
        self._skip = 0  # bytes of the current chunk's data still to pass over
        self._footer = b""  # what is still to come of the CRLF after the chunk's data
        self._trailers: bytearray | None = None  # after the last chunk: the section so far
        self._done = False  # the trailer section ended, or a line h11 will refuse

    def feed(self, data: bytes) -> Verdict | None:
        """Read more of the body; a verdict when a size line is one to refuse."""
        i = 0
        while i < len(data) and not self._done:
            if self._trailers is not None:
                return self._trailer_section(self._trailers, data[i:])
            if self._skip:
                step = min(self._skip, len(data) - i)
                self._skip -= step
                i += step
                continue
            if self._footer:
                if data[i] != self._footer[0]:  # h11 refuses the chunk's end
                    self._done = True
                    return None
                self._footer = self._footer[1:]
                i += 1
                continue
            end = data.find(b"\n", i)
            self._line += data[i : len(data) if end < 0 else end]
            if len(self._line) > MAX_HEAD_BYTES:
                return Verdict(400, BODY_LINE_TOO_LONG)
            digits = re.match(HEX_DIGITS, self._line)
            size = self._judge(digits.group() if digits else b"")
            if isinstance(size, Verdict) or end < 0:
                return size if isinstance(size, Verdict) else None
            if not self._line.endswith(b"\r"):
                return _bare_lf(bytes(self._line))
            i = end + 1
            self._line.clear()
            if size == 0:  # the last chunk: the trailer section follows
                self._trailers = bytearray()
            elif size is None:  # h11 refuses the line
                self._done = True
            else:
                self.announced += size
                self._skip = size
                self._footer = b"\r\n"
        return None

    def _trailer_section(self, section: bytearray, data: bytes) -> Verdict | None:
        """Read more of the trailer ``section``, which ends with an empty line; what
        follows it is the next request's."""
        section += data
        ended = re.search(rb"(?:^|\n)\r?\n", section)
        if ended is not None:
            self._done = True
        if (ended.end() if ended else len(section)) > MAX_HEAD_BYTES:
            return Verdict(400, BODY_LINE_TOO_LONG)
        return None

    def _judge(self, digits: bytes) -> int | Verdict | None:
        if not digits:
            return None
        significant = digits.lstrip(b"0")
        size = int(significant or b"0", 16) if len(significant) <= 16 else MAX_CHUNK_SIZE + 1
        shown = digits.decode() if len(digits) <= 24 else digits[:24].decode() + "..."
        if size > MAX_CHUNK_SIZE:
            return Verdict(
                400,
                Msg(
                    "the chunk size {size} (hex) is larger than this server can count "
                    "(at most {most}); RFC 9112 7.1 asks recipients to guard against "
                    "such overflows, and nginx and HAProxy answer 400 too",
                    size=shown,
                    most=f"{MAX_CHUNK_SIZE:x}",
                ),
            )
        if self.announced + size > self.limit:
            return Verdict(
                413,
                Msg(
                    "the chunk size {size} (hex) announces {total} bytes of body, more than "
                    "the {limit} bytes this server accepts",
                    size=shown,
                    total=self.announced + size,
                    limit=self.limit,
                ),
            )
        return size


def _bare_lf(line: bytes) -> Verdict:
    """A chunk-size line ended by a bare LF. RFC 9112 7.1 ends it with CRLF; 2.2's leave to
    take a bare LF for CRLF is for the start line and the fields. h11 looks for a CRLF there
    and waited for one until the body's time ran out (nginx 1.22 and HAProxy 2.6 read the
    bare LF as CRLF, Caddy 2.6 answers 502: personalities.FRAMING)."""
    return Verdict(
        400,
        Msg(
            "the chunk line {line} ends with a bare LF: in a chunked body each chunk-size line "
            "ends with CRLF (RFC 9112 7.1; the bare LF that 2.2 lets a server accept is for "
            "the request line and the header fields only)",
            line=quoted(line),
        ),
    )


def too_large(raw: bytes | bytearray) -> Verdict:
    """A head that grew past MAX_HEAD_BYTES: 414 when its request line alone is that long
    (RFC 9112 3: a request-target longer than any URI the server wishes to parse MUST get
    414 (URI Too Long); nginx says 414 for a 10 KB one), else 431 for its header fields
    (RFC 6585 5). A 1 MB request line with no end was told 'the request headers are larger
    than 16384 bytes', of a request that had sent no header. A head that ended within the
    limit is not too large: what grew past it is a line of its chunked body (400), which
    was told the same of a request whose head was 60 bytes."""
    ended = head_end(raw)
    if ended is not None and ended[0] <= MAX_HEAD_BYTES and re.match(_LINE_BEGUN, raw):
        return Verdict(400, BODY_LINE_TOO_LONG)
    line = bytes(raw).split(b"\n", 1)[0]
    if len(line) > MAX_HEAD_BYTES and re.match(_LINE_BEGUN, line):
        return Verdict(414, LINE_TOO_LONG)
    return Verdict(431, HEAD_TOO_LARGE)


def classify_rejection(raw: bytes, message: str, hint: int) -> Verdict:
    """The status and reason for a request h11 rejected with ``message``."""
    head = message_head(raw)
    codings = transfer_codings(head)
    framing = check_framing(head, codings)
    if framing:
        return framing
    if codings is not None:
        verdict = check_transfer_codings(codings)
        if verdict:
            return verdict
    field = _field_complaint(head, message)
    trailer = message.startswith(_FIELD_COMPLAINTS) and _head_accepted(raw)
    if trailer:
        # a field of the trailer section (RFC 9112 7.1.2), which h11 checks as the head's
        said = body_complaint(message, MAX_HEAD_BYTES)
        if isinstance(said, Msg) and message.startswith(_FRAMING_COMPLAINTS):
            said = Msg(
                "{wrong}: a trailer may not carry a field that frames the message "
                "(Content-Length, Transfer-Encoding), routes it, authenticates it, modifies "
                "the request, controls the response or describes the content (RFC 9110 "
                "6.5.1); a recipient may drop a trailer field (RFC 9112 7.1.2) or refuse the "
                "message, as this server does",
                wrong=said,
            )
        if isinstance(said, Msg):
            return Verdict(400, said)
    if message.startswith("Only Transfer-Encoding") and codings is not None:
        # what is left: 'chunked' in a list with empty members (',chunked'), which RFC 9110
        # 5.6.1 lets a recipient read as 'chunked'; h11 takes only 'chunked' alone. It was
        # told 'the chunked body is malformed' (h11's words hold 'chunked') before any body.
        return Verdict(
            400,
            Msg(
                "Transfer-Encoding {values}: this server reads the field only when it says "
                "'chunked' alone (RFC 9110 5.6.1 would let a recipient skip the empty list "
                "members)",
                values=_field_values(head, b"transfer-encoding"),
            ),
        )
    if "request line" in message:
        # the line quoted: its parenthesis spoke only of the protocol name, also to
        # 'GET /a b HTTP/1.1' or 'GET  / HTTP/1.1', whose protocol name was right
        line = raw.split(b"\n", 1)[0].removesuffix(b"\r")
        return Verdict(
            400,
            Msg(
                "the request line is not 'METHOD target HTTP/x.y' ({line}): a method, one "
                "space, a target without spaces or control characters, one space, then 'HTTP' "
                "in capitals, '/', one digit, a dot and one digit (RFC 9112 3, 2.3)",
                line=quoted(line),
            ),
        )
    if "multiple Host" in message:
        return Verdict(
            400,
            Msg(
                "the request has more than one Host field: {values}; it must have exactly one "
                "(RFC 9112 3.2)",
                values=_field_values(head, b"host"),
            ),
        )
    if "Host" in message:
        return Verdict(400, Msg("an HTTP/1.1 request must carry a Host header (RFC 9112 3.2)"))
    if field is not None:
        return Verdict(400, field)
    if "chunk" in message:
        return Verdict(
            400,
            Msg(
                "the chunked body is malformed: each chunk is a size in hex digits (at most 20 "
                "here), CRLF, that many bytes, CRLF (RFC 9112 7.1)"
            ),
        )
    if "too long" in message or "buffer" in message:
        return too_large(raw)
    if "header" in message:
        return Verdict(400, Msg("a header line is not 'name: value'"))
    if hint == 501:
        return Verdict(501, Msg("this server does not implement that: {message}", message=message))
    return Verdict(400, Msg("the request is not valid HTTP/1.1: {message}", message=message))


# the most digits of a Content-Length h11 reads (its CONTENT_LENGTH_MAX_DIGITS)
CONTENT_LENGTH_DIGITS = 20


def _field_values(head: bytes, name: bytes) -> Listed:
    """Every value of the field ``name`` in ``head``, quoted, as a message lists them."""
    return Listed(quoted(value.strip(b" \t")) for key, value in fields(head) if key == name)


# h11's complaints about a field, made of the head's fields or of the trailer section's
_FIELD_COMPLAINTS = (
    "Only Transfer-Encoding",
    "multiple Transfer-Encoding",
    "conflicting Content-Length",
    "bad Content-Length",
    "illegal header line",
    "continuation line",
)
# those about a field that frames the message, which a trailer may not carry at all
_FRAMING_COMPLAINTS = (
    "Only Transfer-Encoding",
    "multiple Transfer-Encoding",
    "conflicting Content-Length",
    "bad Content-Length",
)


def _head_accepted(raw: bytes) -> bool:
    """Whether h11 accepts the head of ``raw`` on its own: then what it refused was a field
    of the trailer section (RFC 9112 7.1.2), which it checks as it checks the head's. A
    'Transfer-Encoding: gzip' trailer field was told about the head's 'chunked'."""
    end = head_end(raw)
    if end is None:
        return False
    conn = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD_BYTES)
    conn.receive_data(bytes(raw[: end[1]]))
    try:
        conn.next_event()
    except h11.RemoteProtocolError:
        return False
    return True


def _field_complaint(head: bytes, message: str) -> Msg | None:
    """What was wrong with a field of the request head ``head`` that h11 refused with
    ``message``, and what is allowed; None for a complaint about something else. Each was
    answered 'a header line is not name: value', or h11's own 'bad Content-Length': two
    Transfer-Encoding lines, two Content-Length values that disagree and a 25-digit one
    alike, whose lines are all 'name: value'."""
    if message.startswith("multiple Transfer-Encoding"):
        return Msg(
            "the request has more than one Transfer-Encoding field: {values}; this server "
            "accepts one, whose codings end with chunked (RFC 9112 6.1)",
            values=_field_values(head, b"transfer-encoding"),
        )
    if message.startswith("conflicting Content-Length"):
        return Msg(
            "the request's Content-Length values disagree: {values}; a body has one length, so "
            "every value must be the same number (RFC 9110 8.6, RFC 9112 6.3)",
            values=_field_values(head, b"content-length"),
        )
    if message.startswith("bad Content-Length"):
        values = [v.strip(b" \t") for k, v in fields(head) if k == b"content-length"] or [b""]
        wrong = next((v for v in values if not v.isdigit()), values[0])
        if wrong.isdigit():
            return Msg(
                "Content-Length {value} has {count} digits, more than the {most} this server "
                "reads (RFC 9110 8.6 allows any number of decimal digits)",
                value=quoted(wrong),
                count=len(wrong),
                most=CONTENT_LENGTH_DIGITS,
            )
        return Msg(
            "Content-Length {value} is not a number of bytes: it must be decimal digits only "
            "(RFC 9110 8.6)",
            value=quoted(wrong),
        )
    if message.startswith("illegal header line"):
        return Msg(
            "the line {line} is not a header field: a name (letters, digits and "
            "!#$%&'*+-.^_`|~) right before a colon, then a value without control characters "
            "(RFC 9112 5.1)",
            line=quoted(bytes_in(message)),
        )
    if message.startswith("continuation line"):
        return Msg(
            "the first header line starts with a space or a tab, as if it continued a line "
            "before it; a field line starts with its name (RFC 9112 5.1, 5.2)"
        )
    return None


def check_version(version: str) -> Verdict | None:
    """RFC 9110 6.2: serve any 1.x (as 1.1); refuse other major versions with 505."""
    if version.startswith("1."):
        return None
    return Verdict(
        505,
        Msg(
            "the request line says HTTP/{version}, a major version this server does not support",
            version=version,
        ),
    )


HTTP2_EXPLANATION = [
    Msg("Supported versions: HTTP/1.0, HTTP/1.1."),
    Msg(
        "HTTP/2 and HTTP/3 are not asked for by writing 'HTTP/2.0' or 'HTTP/3.0' in an HTTP/1 "
        "request line: those protocols are binary. HTTP/2 is negotiated during the TLS "
        "handshake with ALPN ('h2'), or spoken at once by a client with prior knowledge, whose "
        "connection starts with the preface 'PRI * HTTP/2.0' and then binary frames: the "
        "preface only looks like a request line, with a method (PRI) no real request uses, "
        "so that an HTTP/1 server refuses it instead of reading the frames (RFC 9113 3.4). "
        "HTTP/3 runs over QUIC, and a client learns of it from the site's HTTPS DNS record "
        "(RFC 9460), before its first connection, or from an Alt-Svc header on an earlier "
        "response."
    ),
    Msg("Send the request again with HTTP/1.1 in the request line."),
]
