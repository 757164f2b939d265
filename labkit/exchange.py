"""Exchange: what one request did, seen from the client and from every hop it crossed.

Its text form (``repr``), HTML form (in Jupyter) and picture name the final status, who
made it and why, and each hop; :mod:`labkit.render` draws them (text, html, svg), from
the fields alone, so that drawing never reaches back into this module.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Literal, overload

from labkit.http.messages import Headers, get_header, parse_response
from labkit.i18n import Msg
from labkit.recorder import Hop, Role
from labkit.render import text as text_view
from labkit.render.html import exchange_html, lines_html
from labkit.render.svg import Picture
from labkit.render.text import milliseconds, visible_bytes

__all__ = ["Exchange", "Observed", "milliseconds", "visible_bytes"]


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
            from labkit.i18n import Listed, Msg, learner_language

            # as the response spelled them (X-Request-ID, not str.title()'s X-Request-Id)
            spelled = {key.lower(): key for key, _ in reversed(self.headers)}
            sent: list[str] = sorted(spelled.values(), key=str.lower)
            names = Listed(sent) if self.headers else "-"
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
            from labkit.errors import NotJSON, say

            kind = self.header("content-type") or Msg("no Content-Type")
            # 40 characters, not bytes: a Chinese page cut inside a character showed �
            start = self.body[:160].decode("utf-8", "replace")[:40]
            raise NotJSON(
                say(  # in the learner's language (it was English in a Chinese lab until 12/2026)
                    Msg(
                        "the body is not JSON ({kind}, {size} bytes, starting {start}); "
                        "ex.text shows it as text",
                        kind=kind,
                        size=len(self.body),
                        start=repr(start),
                    )
                )
            ) from None

    def with_header(self, name: str, value: str) -> Exchange:
        """A copy in which every field ``name`` (any case) has ``value``, in ``headers`` and
        in the raw response's head alike; a response without that field is returned as it
        is. A judge in virtual time shows the client the Date of its own clock (503 q5):
        the raw bytes were rewritten by a search for the old value over the whole response,
        which could as well have changed the body or another field holding the same text."""
        if get_header(self.headers, name) is None:
            return self
        lname = name.lower()
        headers = [(k, value if k.lower() == lname else v) for k, v in self.headers]
        head, sep, rest = self.raw_response.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        field_name = lname.encode("latin-1")
        for i, line in enumerate(lines[1:], 1):
            key, colon, _ = line.partition(b":")
            if colon and key.strip().lower() == field_name:
                lines[i] = key + b": " + value.encode("latin-1")
        raw = b"\r\n".join(lines) + sep + rest if sep else self.raw_response
        return dataclasses.replace(self, headers=headers, raw_response=raw)

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

    def part(self, hop: str | Hop) -> str:
        """What ``hop`` (a name as ``hop()`` takes it, or one of ``hops``) did with the
        response, in the learner's language, as the story's tag and the hop table say it:
        made here, relayed, answered but not relayed, no answer. Lesson 08's ``path()``
        printed its own English "made here" in the Chinese lesson until December 2026."""
        from labkit.i18n import learner_language

        return text_view.part(
            self, hop if isinstance(hop, Hop) else self.hop(hop), learner_language()
        )

    def sent(self, hop: str | Hop) -> str:
        """What ``hop`` sent back, in one line as the story says it, in the learner's
        language: a status line as sent, a misbehaving upstream's bytes in its words
        ("(nothing), then FIN (closed)" is （什么都没有），然后 FIN（关闭） in Chinese); "-"
        when it sent nothing. ``hop.sent.summary`` is the English, as programs read it;
        lesson 08's ``path()`` printed it in the Chinese lesson until December 2026. A format
        width pads it by columns (``render.text.Columns``), a Chinese character two."""
        from labkit.i18n import learner_language, render

        found = hop if isinstance(hop, Hop) else self.hop(hop)
        said = render(found.sent.summary, learner_language()) if found.sent else "-"
        return text_view.Columns(said)  # padded by columns: Chinese lines up in path()

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

    def observed(self) -> Observed:
        """What a client could observe of this exchange, without the lab's verdict: the
        status line, headers, body and time, and what each hop reached sent back (its
        status line, Server and Via as sent). An exercise shows this view of the exchange
        the learner must diagnose: ``repr(ex)`` names the hop that made the response and
        why, which is the answer."""
        reached = tuple(
            Observed.Sent(hop.label, len(hop.bytes_out), *_head_of(hop.bytes_out))
            for hop in self.hops
            if hop.role is not Role.CLIENT and hop.received is not None
        )
        return Observed(
            self.method,
            self.target,
            self.status,
            self.reason,
            list(self.headers),
            self.body,
            self.elapsed,
            self.client_error,
            reached,
            text_view.waited(self),
            text_view.gave_up(self),
        )

    def picture(self) -> Picture:
        """The exchange as a sequence diagram (SVG in Jupyter, text elsewhere)."""
        return Picture(self)

    def _repr_html_(self) -> str:
        return exchange_html(self)


def _head_of(data: bytes) -> tuple[int | None, str, str | None, str | None]:
    """What a hop sent, as its status line and its Server and Via (None: not sent)."""
    status, reason, headers, _ = parse_response(data)
    return status, reason, get_header(headers, "Server"), get_header(headers, "Via")


@dataclass(frozen=True)
class Observed:
    """An exchange as a client could observe it (``ex.observed()``): what came back and
    what each hop it reached sent, never which hop made it or why (the lab's verdict)."""

    @dataclass(frozen=True)
    class Sent:
        """What one hop sent back: its status line, Server and Via as it sent them."""

        hop: str
        size: int  # bytes it sent (0: none)
        status: int | None  # None: no status line
        reason: str
        server: str | None
        via: str | None

    method: str
    target: str
    status: int | None
    reason: str
    headers: Headers
    body: bytes
    elapsed: float
    client_error: str | None
    hops: tuple[Sent, ...]
    # the least the client waited, by the lab's record (timeouts that ran out, a set delay);
    # None: the record does not say, and the view tells the client's clock
    waited: float | None = None
    gave_up: float | None = None  # the client's own timeout, when it ran out first

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (any case), or None if the response had none."""
        return get_header(self.headers, name)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def took(self) -> str:
        """How long the answer took, in the learner's language, the same words every run
        (lesson 08 prints it where it asks whether the gateway waited, and for which of its
        timeouts)."""
        from labkit.i18n import learner_language

        return self._took().render(learner_language())

    def _took(self) -> Msg:
        return text_view.took(self.status, self.elapsed, self.waited, self.gave_up)

    def lines(self, lang: str | None = None) -> list[str]:
        """The view as text lines, its words in ``lang`` (default: the learner's language);
        status lines, headers and the body as they were sent."""
        from labkit.i18n import Msg, learner_language

        lang = lang or learner_language()
        none = Msg("no status line").render(lang)

        def status(code: int | None, reason: str) -> str:
            return f"{code} {reason}".strip() if code is not None else none

        out = [
            f"{self.method} {self.target} -> {status(self.status, self.reason)}",
            "  " + self._took().render(lang),
        ]
        if self.client_error:
            out.append("  " + Msg("client saw: {error}", error=self.client_error).render(lang))
        out += [f"  {name}: {value}" for name, value in self.headers]
        body = self.text
        shown = body[:BODY_LINES_SHOWN]
        out.append(
            "  "
            + Msg("body ({size} bytes):", size=len(self.body)).render(lang)
            + ("" if body else " " + Msg("(empty body)").render(lang))
        )
        out += ["    " + line for line in shown.splitlines()]
        if len(body) > len(shown):
            out.append("    ... " + Msg("(the rest: .text)").render(lang))
        out.append("  " + Msg("what each hop it reached sent back:").render(lang))
        width = max((len(hop.hop) for hop in self.hops), default=0)
        for hop in self.hops:
            if hop.status is not None:
                sent = status(hop.status, hop.reason)
            elif hop.size:
                sent = Msg("{size} bytes without a status line", size=hop.size).render(lang)
            else:
                sent = Msg("(no answer)").render(lang)
            stamps = "".join(
                f"  {name}: {value}"
                for name, value in (("Server", hop.server), ("Via", hop.via))
                if value is not None
            )
            out.append(f"    {hop.hop:<{width}} -> {sent}{stamps}")
        return out

    def __repr__(self) -> str:
        return "\n".join(self.lines())

    def _repr_html_(self) -> str:
        return lines_html(repr(self))


BODY_LINES_SHOWN = 1200  # characters of the body the view shows (the page, not a dump)
