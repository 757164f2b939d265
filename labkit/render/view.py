"""What the renderers read: the shapes of an exchange and of a burst, as Protocols.

The exchange imports its renderers, so a renderer that imported the exchange back would
close a loop (and did: the picture used to take the exchange's private duration format).
Renderers depend on these shapes and on the recorder's events instead; any object with
the same fields draws the same (a test can build one by hand).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from labkit.http.messages import Headers
from labkit.recorder import Hop

__all__ = ["BurstView", "ExchangeView"]


@runtime_checkable
class ExchangeView(Protocol):
    """One request seen from the client and from every hop (``labkit.Exchange`` is one)."""

    @property
    def id(self) -> str: ...
    @property
    def method(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def status(self) -> int | None: ...
    @property
    def reason(self) -> str: ...
    @property
    def headers(self) -> Headers: ...
    @property
    def hops(self) -> list[Hop]: ...
    @property
    def client_error(self) -> str | None: ...
    @property
    def elapsed(self) -> float: ...
    @property
    def generated_by(self) -> str | None: ...
    @property
    def why(self) -> str: ...
    @property
    def ok(self) -> bool: ...


@runtime_checkable
class BurstView(Protocol):
    """Requests sent at once and how many were served or shed (``labkit.load.Burst`` is one)."""

    @property
    def size(self) -> int: ...
    @property
    def served(self) -> int: ...
    @property
    def shed(self) -> int: ...
