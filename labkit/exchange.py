"""Exchange: what one request did, seen from the client and from every hop it crossed.

Its text form (``repr``) and HTML form (in Jupyter) name the final status, who made
it and why, and each hop. They show no port numbers and round durations to tenths
of a second, so a notebook shows the same text every run.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field

from labkit.http.messages import Headers, get_header
from labkit.recorder import Hop


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
            if hop.role != "client" and hop.generated:
                return hop.label
        return None

    @property
    def why(self) -> str:
        for hop in self.hops:
            if hop.role != "client" and hop.generated and hop.sent is not None:
                return hop.sent.why
        return self.client_error or ""

    def header(self, name: str) -> str | None:
        return get_header(self.headers, name)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> object:
        return json.loads(self.body)

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
        return (
            f"--- {h.label} received ---\n{visible_bytes(h.bytes_in)}\n"
            f"--- {h.label} sent ---\n{visible_bytes(h.bytes_out)}"
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
                if hop.role != "client"
                for ev in hop.events
                if ev.kind != "log"
            ),
            key=lambda ev: ev.at,
        )
        for ev in events:
            hop = by_name[ev.hop]
            arrow = {"received": "<-", "sent": "->", "upstream": ".."}[ev.kind]
            mark = ""
            if ev.kind == "sent":
                mark = "  [made here]" if ev.generated else "  [relayed]"
                if hop.duration is not None:
                    mark += f"  {_seconds(hop.duration)}"
            out.append(f"  {hop.label:<10} {arrow} {ev.summary}{mark}")
        return out

    def __repr__(self) -> str:
        return "\n".join(self.lines())

    def picture(self):  # type: ignore[no-untyped-def]
        """The exchange as a sequence diagram (SVG in Jupyter, text elsewhere)."""
        from labkit.picture import Picture

        return Picture(self)

    def _repr_html_(self) -> str:
        colour = _colour(self.status)
        status = f"{self.status} {self.reason}" if self.status is not None else "no status line"
        rows = []
        for hop in self.hops:
            if hop.role == "client":
                continue
            sent = hop.sent.summary if hop.sent else "(no answer)"
            made = "made here" if hop.generated else ("relayed" if hop.sent else "")
            dur = _seconds(hop.duration) if hop.duration is not None else ""
            rows.append(
                f"<tr><td>{html.escape(hop.label)}</td>"
                f"<td>{html.escape(hop.received.summary if hop.received else '')}</td>"
                f"<td>{html.escape(sent)}</td><td>{made}</td><td>{dur}</td></tr>"
            )
        why = f"<div>why: {html.escape(self.why)}</div>" if self.why else ""
        client = (
            f"<div>client saw: {html.escape(self.client_error)}</div>" if self.client_error else ""
        )
        made_by = (
            f" — made by the <b>{html.escape(self.generated_by)}</b>" if self.generated_by else ""
        )
        return (
            f"<div class='labkit-exchange'>"
            f"<div><code>{html.escape(self.method)} {html.escape(self.target)}</code> "
            f"<span style='font-weight:bold;color:{colour}'>{html.escape(status)}</span>"
            f"{made_by} <small>({self.id})</small></div>{why}{client}"
            "<table><tr><th>hop</th><th>received</th><th>sent</th><th></th><th>time</th></tr>"
            + "".join(rows)
            + "</table>"
            + self.picture()._repr_svg_()
            + "</div>"
        )


def _seconds(value: float) -> str:
    return "<0.1 s" if value < 0.05 else f"{value:.1f} s"


def _colour(status: int | None) -> str:
    if status is None or status >= 500:
        return "#b00020"
    if status >= 400:
        return "#b35900"
    return "#1b7f3b"


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
