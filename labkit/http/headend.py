"""Where a message's head ends, by one rule for every reader of a head.

The request check, the upstream client, the gateway's Proxy-Status parameters and the words
for h11's complaints each looked for the head's end their own way (CRLF pairs only, or a
pattern of their own), and a head in bare LFs was one length to one of them and another to
the next. Here alone, with nothing of the lab's imported, so that ``complaints`` and
``requestcheck`` (which imports ``complaints``) can both use it."""

from __future__ import annotations


def head_end(raw: bytes | bytearray) -> tuple[int, int] | None:
    """Where the head in ``raw`` ends (its last line's end) and its body begins, as h11
    finds them: at the first empty line, each line ended by LF with or without a CR before
    it. None while the head has not ended.

    h11 takes a bare LF for CRLF (RFC 9112 2.2 allows a recipient to), as nginx does; the
    checks here looked for CRLF only, so a head in bare LFs hid its Transfer-Encoding from
    them: Content-Length beside it was served as chunked, a chunk size no server accepts
    held the connection until its timeout, and a CRLF pair in the body was read as the
    head's end. Two ``find`` calls, not a pattern: nothing to compile at import or later."""
    found = [at for at in (raw.find(b"\n\n"), raw.find(b"\n\r\n")) if at >= 0]
    if not found:
        return None
    lf = min(found)
    return (lf - 1 if raw[lf - 1 : lf] == b"\r" else lf), lf + (2 if raw[lf + 1] == 10 else 3)


def message_head(raw: bytes) -> bytes:
    """The head of the message ``raw`` (``head_end``), or all of it while it has not ended."""
    end = head_end(raw)
    return raw if end is None else raw[: end[0]]


def first_line(raw: bytes | bytearray) -> bytes:
    """The first line of ``raw`` where h11 ends it: at its LF, a CR before it dropped (all of
    ``raw`` while no LF has come). Split at CRLF alone, a request in bare LFs was all one
    line, and the story quoted its whole head where it names the request line."""
    end = raw.find(b"\n")
    return bytes(raw[:end] if end >= 0 else raw).removesuffix(b"\r")
