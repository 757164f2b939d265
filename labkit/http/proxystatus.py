"""The Proxy-Status response header (RFC 9209): which hop handled a response, and how.

Each intermediary appends one list member naming itself: ``received-status`` when it
relayed an answer from the next hop, ``error`` (a type from RFC 9209 2.3's registry)
when it made the response itself. Behind real gateways this is the most direct
evidence of who made a 5xx, but only where it is configured: nginx, HAProxy and
Caddy send none by default.
"""

from __future__ import annotations

import re

# RFC 8941 3.3.4: sf-token = ( ALPHA / "*" ) *( tchar / ":" / "/" )
_TOKEN = r"[A-Za-z*][-!#$%&'*+.^_`|~0-9A-Za-z:/]*"  # compiled by re on first use, not at import


def is_token(text: str) -> bool:
    """Whether ``text`` may be sent bare as an RFC 8941 sf-token (e.g. a coding's name)."""
    return re.fullmatch(_TOKEN, text) is not None


def _string(text: str) -> str:
    """An RFC 8941 sf-string: printable ASCII, with quote and backslash escaped."""
    if text.isascii() and text.isprintable():  # the usual name: nothing to replace
        safe = text
    else:
        safe = "".join(c if " " <= c <= "~" else "?" for c in text)
    return '"' + safe.replace("\\", "\\\\").replace('"', '\\"') + '"'


def member(
    hop: str,
    *,
    error: str = "",
    received_status: int | None = None,
    next_hop: str = "",
    details: str = "",
    extra: dict[str, int | str] | None = None,
) -> str:
    """One hop's entry, e.g. ``labkit-gateway; error=connection_refused; next-hop="api"``.

    ``extra``: the error type's own parameters (RFC 9209 2.3), an integer (e.g.
    ``header-section-size`` for ``http_response_header_section_size``) or an sf-token (e.g.
    ``coding`` for ``http_response_transfer_coding``; the caller checks it with ``is_token``).
    """
    parts = [hop]
    if error:
        parts.append(f"error={error}")
    if received_status is not None:
        parts.append(f"received-status={received_status}")
    if next_hop:
        parts.append(f"next-hop={_string(next_hop)}")
    for key, value in (extra or {}).items():
        if isinstance(value, str):
            if not is_token(value):  # an sf-string would change the parameter's type
                raise ValueError(f"{key}={value!r} is not an sf-token")
            parts.append(f"{key}={value}")
        else:
            parts.append(f"{key}={int(value)}")
    if details:  # short: it may quote what the upstream sent
        parts.append(f"details={_string(details if len(details) <= 200 else details[:199] + '~')}")
    return "; ".join(parts)


def joined(earlier: str | None, entry: str) -> str:
    """The Proxy-Status value with ``entry`` after the ``earlier`` value (the upstream's, if
    any): the last member is nearest the client."""
    return f"{earlier}, {entry}" if earlier else entry
