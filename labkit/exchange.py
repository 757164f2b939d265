"""Exchange: what one request did, seen from the client and from every hop it crossed.

Its text form (``repr``), HTML form (in Jupyter) and picture name the final status, who
made it and why, and each hop; :mod:`labkit.render` draws them (text, html, svg), from
the fields alone, so that drawing never reaches back into this module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Literal, overload

from labkit.http.messages import Headers, get_header
from labkit.recorder import Hop, Role
from labkit.render import text as text_view
from labkit.render.html import exchange_html
from labkit.render.svg import Picture
from labkit.render.text import milliseconds, visible_bytes

__all__ = ["Exchange", "milliseconds", "visible_bytes"]


@dataclass
class Exchange:
    id: str
    method: str
    target: str
    entry: str  # the first server: "portal", "gateway" or "origin"
    status: int | None  # what the client saw (None: no status line at all)
    reason: str
    headers: Headers
    body: bytes
    hops: list[Hop] = field(default_factory=list)
    client_error: str | None = None  # what the client library reported, if anything
    elapsed: float = 0.0
    raw_response: bytes = b""

    # -- the questions a learner asks --

    @property
    def generated_by(self) -> str | None:
        """Which hop made the response the client got (not merely relayed it)."""
        for hop in self.hops:
            if hop.role is not Role.CLIENT and hop.generated:
                return hop.label
        return None

    @property
    def why(self) -> str:
        for hop in self.hops:
            if hop.role is not Role.CLIENT and hop.generated and hop.sent is not None:
                return hop.sent.why
        return self.client_error or ""

    @overload
    def header(self, name: str, *, required: Literal[True]) -> str: ...
    @overload
    def header(self, name: str, *, required: bool = False) -> str | None: ...
    def header(self, name: str, *, required: bool = False) -> str | None:
        """The value of header ``name`` (any case), or None if the response had none.

        ``required=True``: the response must have it (the lesson just made it send one), so
        the value is a ``str`` to ``int()``, a date parser or ``mypy --strict`` without an
        ``is None`` check; a response without it raises UnknownName (a KeyError, as
        httpx's ``response.headers[name]``) naming the header and those it has, where
        ``int(None)`` would have said only "NoneType"."""
        if not isinstance(name, str):
            from labkit.errors import refuse, shown
            from labkit.i18n import Msg

            raise refuse(
                Msg(
                    "name must be a header name such as 'Retry-After', not {given}",
                    given=shown(name),
                )
            )
        value = get_header(self.headers, name)
        if value is None and required:
            from labkit.errors import UnknownName, shown
            from labkit.i18n import Msg, learner_language

            names = ", ".join(sorted({key.title() for key, _ in self.headers})) or "-"
            raise UnknownName(
                Msg(
                    "the response ({status}) has no {name} header; its headers: {names}",
                    status=self.status if self.status is not None else "-",
                    name=shown(name),
                    names=names,
                ).render(learner_language())
            )
        return value

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> object:
        """The body parsed as JSON; a body that is not JSON is a NotJSON error saying what it is."""
        try:
            return json.loads(self.body)
        except ValueError:
            from labkit.errors import NotJSON

            kind = self.header("content-type") or "no Content-Type"
            start = self.body[:40].decode("utf-8", "replace")
            raise NotJSON(
                f"the body is not JSON ({kind}, {len(self.body)} bytes, starting {start!r}); "
                "ex.text shows it as text"
            ) from None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 400

    def hop(self, name: str) -> Hop:
        """One hop by name ("gateway", "origin", or an upstream's name)."""
        for hop in self.hops:
            if hop.name == name:
                return hop
        from labkit.errors import unknown

        raise unknown("hop", name, [h.name for h in self.hops])

    def raw(self, hop: str) -> str:
        """The bytes a hop received and sent, escaped so that every byte is visible."""
        return text_view.raw_dump(self.hop(hop))

    # -- views (drawn by labkit.render) --

    def summary_line(self) -> str:
        return text_view.summary_line(self)

    def lines(self) -> list[str]:
        return text_view.exchange_lines(self)

    def __repr__(self) -> str:
        return text_view.story(self)

    def picture(self) -> Picture:
        """The exchange as a sequence diagram (SVG in Jupyter, text elsewhere)."""
        return Picture(self)

    def _repr_html_(self) -> str:
        return exchange_html(self)
