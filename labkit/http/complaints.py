"""What h11's complaints about an upstream's response mean, in the lab's own words.

h11 says what it refused in English, quoting the line with Python's repr of a bytearray
("illegal status line: bytearray(b'HTTP/1.1 2OO OK')"), and the gateway's 502 pages showed
that text as what it observed, in both languages, until December 2026. Here each complaint
the gateway can meet becomes a catalogue message naming the part of the response RFC 9112
defines (the status line, section 4; a field line, 5; Content-Length, 6.3; Transfer-Encoding,
6.1; a chunk, 7.1), with the offending bytes quoted as the lab quotes bytes elsewhere: the
text as sent, each byte that is not printable ASCII as \\xNN. A complaint not foreseen here
keeps h11's words, inside the lab's "invalid response: ..."."""

from __future__ import annotations

import ast

from labkit.errors import SHOWN
from labkit.http.headend import message_head
from labkit.i18n import Listed, Msg, Text
from labkit.lazyre import later

# h11's words, as h11 0.14 to 0.16 write them (h11/_readers.py, _headers.py, _events.py)
# compiled by the first complaint about a short body, not by every lab's import
_RECEIVED = later(r"received (\d+) bytes, expected (\d+)")


def quoted(data: bytes) -> str:
    """Bytes as a message quotes them: in single quotes, printable ASCII as it is, every other
    byte \\xNN, cut to SHOWN characters with an ellipsis (a line may be 16 KB long)."""
    # SHOWN + 1 bytes make more than SHOWN characters whenever the whole would
    pieces = [chr(b) if 32 <= b < 127 else f"\\x{b:02x}" for b in data[: SHOWN + 1]]
    text = "".join(pieces)
    if len(text) > SHOWN:
        kept, room = [], SHOWN - 1
        for piece in pieces:  # whole escapes only: a cut "\x0" reads as another byte
            room -= len(piece)
            if room < 0:
                break
            kept.append(piece)
        text = "".join(kept) + "…"
    return f"'{text}'"


def _head_lines(raw: bytes) -> list[bytes]:
    """The head's lines as h11 splits them (CRLF or a bare LF), up to the empty line."""
    return [line.rstrip(b"\r") for line in message_head(raw).split(b"\n")]


def _values(raw: bytes, name: bytes) -> list[bytes]:
    """The values of every field ``name`` in the head, as written (less the whitespace)."""
    found = []
    for line in _head_lines(raw)[1:]:
        field, colon, value = line.partition(b":")
        if colon and field.strip().lower() == name:
            found.append(value.strip(b" \t"))
    return found


def _listed(values: list[bytes]) -> Listed:
    return Listed(quoted(v) for v in values)


def head_complaint(raw: bytes, complaint: str) -> Msg:
    """What was wrong with the response head ``raw`` that h11 refused with ``complaint``."""
    lines = _head_lines(raw)
    if complaint.startswith("illegal status line"):
        return Msg(
            "the status line {line} is not an HTTP version, a three-digit status code and a "
            "reason phrase",
            line=quoted(bytes_in(complaint)),
        )
    if complaint.startswith("InformationalResponse status_code"):
        return Msg("the status line {line} has a status code below 100", line=quoted(lines[0]))
    if complaint.startswith("illegal header line"):
        return Msg(
            "the line {line} is not a header field (name: value)",
            line=quoted(bytes_in(complaint)),
        )
    if complaint.startswith("continuation line"):
        return Msg(
            "the first header line {line} starts with a space or a tab, as if it continued "
            "a line before it",
            line=quoted(lines[1] if len(lines) > 1 else b""),
        )
    if complaint.startswith("conflicting Content-Length"):
        return Msg(
            "the head's Content-Length fields disagree: {values}",
            values=_listed(_values(raw, b"content-length")),
        )
    if complaint.startswith("bad Content-Length"):
        values = _values(raw, b"content-length") or [b""]
        wrong = next((v for v in values if not v.isdigit()), None)
        if wrong is None:  # digits, more than h11 reads (20)
            return Msg("Content-Length {value} is too long a number", value=quoted(values[0]))
        return Msg("Content-Length {value} is not a number of bytes", value=quoted(wrong))
    if complaint.startswith("multiple Transfer-Encoding"):
        return Msg(
            "the head has more than one Transfer-Encoding field: {values}",
            values=_listed(_values(raw, b"transfer-encoding")),
        )
    if complaint.startswith("Only Transfer-Encoding: chunked"):
        values = _values(raw, b"transfer-encoding")
        return Msg(
            "Transfer-Encoding {value} names a coding other than chunked, the only one the "
            "gateway decodes",
            value=quoted(values[0]) if values else "''",
        )
    if complaint.startswith("illegal request line"):  # h11's word for a first byte below '!'
        return Msg(
            "the response starts with {start}, not with a status line", start=quoted(raw[:16])
        )
    if complaint.startswith("no response line"):
        return Msg("the response starts with an empty line, not with a status line")
    if complaint.startswith("Received server _SWITCH_UPGRADE"):
        return Msg(
            "the upstream answered 101 Switching Protocols to a request that proposed no "
            "protocol to switch to (no Upgrade field)"
        )
    # a complaint h11 did not make when this was written (tests/test_i18n_complaints.py walks
    # every one it makes, so an h11 that words one anew fails there first)
    return Msg("invalid response: {error}", error=complaint)


def body_complaint(complaint: str, longest: int) -> Text:
    """What was wrong with a response body that h11 refused with ``complaint``; ``longest``:
    the most bytes h11 holds of an unfinished line (upstream.MAX_ANY_HEAD). Every field
    line h11 reads after the head is a trailer field (RFC 9112 7.1.2, after the last chunk),
    which it checks as it checks the head's."""
    received = _RECEIVED.search(complaint)
    if complaint.startswith("peer closed connection") and received:
        return Msg(
            "the upstream closed the connection after {received} of the {expected} bytes its "
            "Content-Length announced",
            received=received[1],
            expected=received[2],
        )
    # h11's two words for it: inside a chunk's data, or inside a line (a size, a trailer)
    if complaint.startswith(("peer closed connection", "peer unexpectedly closed")):
        return Msg("the upstream closed the connection inside a chunked body")
    if complaint.startswith("illegal header line"):
        return Msg(
            "the line {line} in the trailer is not a field (name: value)",
            line=quoted(bytes_in(complaint)),
        )
    if complaint.startswith("continuation line"):
        return Msg(
            "the trailer's first line starts with a space or a tab, as if it continued a line "
            "before it"
        )
    if complaint.startswith("bad Content-Length"):
        return Msg("a Content-Length field in the trailer is not a number of bytes")
    if complaint.startswith("conflicting Content-Length"):
        return Msg("the Content-Length fields in the trailer disagree")
    if complaint.startswith("multiple Transfer-Encoding"):
        return Msg("the trailer has more than one Transfer-Encoding field")
    if complaint.startswith("Only Transfer-Encoding"):
        return Msg("a Transfer-Encoding field in the trailer names a coding other than chunked")
    if complaint.startswith("Receive buffer too long"):
        return Msg(
            "a line of the chunked body (a chunk size or a trailer field) did not end within "
            "{limit} bytes",
            limit=longest,
        )
    if complaint.startswith("illegal chunk header"):
        return Msg(
            "the chunk size line {line} is not a hexadecimal number",
            line=quoted(bytes_in(complaint).rstrip(b"\r\n")),  # h11 quotes its CRLF too
        )
    if complaint.startswith("malformed chunk footer"):
        return Msg("a chunk's data is not followed by CRLF")
    return complaint


def bytes_in(complaint: str) -> bytes:
    """The bytes h11 quoted in ``complaint`` with their repr (b'...' or bytearray(b'...'))."""
    shown = complaint.partition(": ")[2]
    if shown.startswith("bytearray(") and shown.endswith(")"):
        shown = shown[len("bytearray(") : -1]
    try:
        value = ast.literal_eval(shown)
    except (ValueError, SyntaxError):
        return shown.encode("utf-8", "replace")
    return bytes(value) if isinstance(value, (bytes, bytearray)) else str(value).encode()
