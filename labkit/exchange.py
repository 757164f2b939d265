"""Exchange: what one request did, seen from the client and from every hop it crossed.

Its text form (``repr``) and HTML form (in Jupyter) name the final status, who made
it and why, and each hop. Neither shows a port number. The text form rounds durations
to tenths of a second, so a printed exchange reads the same every run; the HTML table
and the picture show milliseconds, where a lesson's story (3 ms against 300 ms) is told.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from labkit.http.messages import Headers, get_header
from labkit.recorder import Ending, Hop, Kind, Role
from labkit.render.palette import for_status

if TYPE_CHECKING:  # picture.py imports this module
    from labkit.render.svg import Picture


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

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (any case), or None if the response had none."""
        if not isinstance(name, str):
            from labkit.errors import BadArgument

            raise BadArgument(f"name must be a header name such as 'Retry-After', not {name!r}")
        return get_header(self.headers, name)

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
        h = self.hop(hop)
        cut_in, cut_out = (f"\n... {n} bytes not kept" if n else "" for n in h.not_kept)
        return (
            f"--- {h.label} received ---\n{visible_bytes(h.bytes_in)}{cut_in}\n"
            f"--- {h.label} sent ---\n{visible_bytes(h.bytes_out)}{cut_out}"
        )

    # -- views --

    def summary_line(self) -> str:
        status = f"{self.status} {self.reason}".strip() if self.status is not None else "no status"
        made = f", made by the {self.generated_by}" if self.generated_by else ""
        return f"{self.method} {self.target} -> {status}{made}"

    def lines(self) -> list[str]:
        out = [f"Exchange {self.id}: {self.summary_line()}"]
        if self.why and not self.ok:
            out.append(f"  why: {self.why}")
        if self.client_error:
            out.append(f"  client saw: {self.client_error}")
        by_name = {hop.name: hop for hop in self.hops}
        events = sorted(
            (
                ev
                for hop in self.hops
                if hop.role is not Role.CLIENT
                for ev in hop.events
                if ev.kind is not Kind.LOG
            ),
            key=lambda ev: ev.at,
        )
        for ev in events:
            hop = by_name[ev.hop]
            arrow = ARROWS[ev.kind]
            mark = ""
            if ev.kind is Kind.SENT:
                mark = "  [" + self._part(hop) + "]"
                if hop.duration is not None:
                    mark += f"  {_seconds(hop.duration)}"
            out.append(f"  {hop.label:<10} {arrow} {ev.summary}{mark}")
        return out

    def __repr__(self) -> str:
        return "\n".join(self.lines())

    def picture(self) -> Picture:
        """The exchange as a sequence diagram (SVG in Jupyter, text elsewhere)."""
        from labkit.render.svg import Picture

        return Picture(self)

    def _part(self, hop: Hop) -> str:
        """One hop's part in the response: only one hop "made here" (the final response)."""
        if hop.label == self.generated_by:
            return "made here"
        if hop.generated:
            return "answered, not relayed"  # e.g. an upstream reply the gateway rejected
        return "relayed" if hop.sent else "no answer"

    def _repr_html_(self) -> str:
        status = f"{self.status} {self.reason}" if self.status is not None else "no status line"
        cell = "style='text-align:left;vertical-align:top;padding:2px 10px 2px 0'"
        rows = []
        endings: set[Ending] = set()
        for hop in self.hops:
            if hop.role is Role.CLIENT:
                continue
            sent = hop.sent.summary if hop.sent else "(no answer)"
            received = hop.received.summary if hop.received else ""
            endings |= {ev.ended for ev in (hop.sent, hop.received) if ev and ev.ended}
            dur = milliseconds(hop.duration) if hop.duration is not None else ""
            rows.append(
                f"<tr><td {cell}>{html.escape(hop.label)}</td>"
                f"<td {cell}>{html.escape(received)}</td>"
                f"<td {cell}>{html.escape(sent)}</td><td {cell}>{self._part(hop)}</td>"
                f"<td {cell}>{dur}</td></tr>"
            )
        why = f"<div>why: {html.escape(self.why)}</div>" if self.why else ""
        client = (
            f"<div>client saw: {html.escape(self.client_error)}</div>" if self.client_error else ""
        )
        made_by = (
            f" — made by the <b>{html.escape(self.generated_by)}</b>" if self.generated_by else ""
        )
        notes = [text for ending, text in CONNECTION_WORDS.items() if ending in endings]
        footnote = (
            "<p style='margin:4px 0'><small>" + " ".join(notes) + "</small></p>" if notes else ""
        )
        head = "".join(
            f"<th scope='col' {cell}>{h}</th>"
            for h in ("hop", "received", "sent", "its part", "time")
        )
        return (
            f"<div class='labkit-exchange'>"
            f"<div><code>{html.escape(self.method)} {html.escape(self.target)}</code> "
            f"<span style='font-weight:bold;border-left:4px solid {for_status(self.status)};"
            f"padding-left:4px'>{html.escape(status)}</span>"
            f"{made_by} <small>({self.id})</small></div>{why}{client}"
            f"<table><tr>{head}</tr>"
            + "".join(rows)
            + "</table>"
            + footnote
            + self.picture()._repr_html_()
            + "</div>"
        )


# How the text form marks each kind of event (log lines are not part of the story)
ARROWS = {Kind.RECEIVED: "<-", Kind.SENT: "->", Kind.UPSTREAM: "..", Kind.CACHE: ".."}

# How a hop ended a connection, explained under the hop table when one of its answers did.
CONNECTION_WORDS = {
    Ending.FIN: "FIN: the sender closed the connection normally (TCP's goodbye); whatever it sent "
    "before that is all there is.",
    Ending.RST: "RST: the connection was reset (aborted): any bytes still in flight are thrown away.",
}


def milliseconds(value: float) -> str:
    """A duration for the HTML views and pictures: milliseconds below 10 s."""
    if value < 0.0005:
        return "<1 ms"
    return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.1f} s"


def _seconds(value: float) -> str:
    return "<0.1 s" if value < 0.05 else f"{value:.1f} s"


def visible_bytes(data: bytes) -> str:
    """Show every byte: CR and LF as escapes (a line break follows LF), others as \\xNN."""
    if not data:
        return "(nothing)"
    out = []
    for b in data:
        if b == 13:
            out.append("\\r")
        elif b == 10:
            out.append("\\n\n")
        elif 32 <= b < 127 or b == 9:
            out.append(chr(b))
        else:
            out.append(f"\\x{b:02x}")
    return "".join(out).rstrip("\n")
