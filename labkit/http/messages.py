"""Requests and responses as the lab's servers see them (no I/O here)."""

from __future__ import annotations

import email.utils
import http
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

Headers = list[tuple[str, str]]


def reason_for(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def get_header(headers: Headers, name: str) -> str | None:
    lname = name.lower()
    for key, value in headers:
        if key.lower() == lname:
            return value
    return None


def http_date(timestamp: float | None = None) -> str:
    return email.utils.formatdate(timestamp, usegmt=True)


@dataclass
class Request:
    method: str
    target: str
    http_version: str
    headers: Headers
    body: bytes = b""
    raw: bytes = b""
    request_id: str = ""
    peer_port: int | None = None

    def header(self, name: str) -> str | None:
        return get_header(self.headers, name)

    @property
    def path(self) -> str:
        return urlsplit(self.target).path or "/"

    @property
    def query(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(urlsplit(self.target).query).items()}

    def wants_html(self) -> bool:
        return "text/html" in (self.header("accept") or "")


class BodyCut(Exception):
    """Raised by a streamed body when its source broke off after the status was sent."""


@dataclass
class Response:
    status: int
    headers: Headers = field(default_factory=list)
    body: bytes | AsyncIterator[bytes] = b""
    reason: str = ""
    generated: bool = True  # False when a gateway relays an upstream's response
    why: str = ""  # for the recording: why this status
    close: bool = False

    def __post_init__(self) -> None:
        if not self.reason:
            self.reason = reason_for(self.status)

    def header(self, name: str) -> str | None:
        return get_header(self.headers, name)
