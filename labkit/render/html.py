"""HTML views for Jupyter: an exchange's hop table with its picture.

Every view here has a text twin (:mod:`labkit.render.text`) and colours from the
palette; none shows a port number.
"""

from __future__ import annotations

import html

from labkit.recorder import Ending, Role
from labkit.render.palette import for_status
from labkit.render.svg import Picture
from labkit.render.text import milliseconds, part
from labkit.render.view import ExchangeView

__all__ = ["CONNECTION_WORDS", "exchange_html"]

# How a hop ended a connection, explained under the hop table when one of its answers did.
CONNECTION_WORDS = {
    Ending.FIN: "FIN: the sender closed the connection normally (TCP's goodbye); whatever it sent "
    "before that is all there is.",
    Ending.RST: "RST: the connection was reset (aborted): any bytes still in flight are thrown away.",
}


def exchange_html(ex: ExchangeView) -> str:
    """The outcome, who made it and why, a table of the hops, then the picture."""
    status = f"{ex.status} {ex.reason}" if ex.status is not None else "no status line"
    cell = "style='text-align:left;vertical-align:top;padding:2px 10px 2px 0'"
    rows = []
    endings: set[Ending] = set()
    for hop in ex.hops:
        if hop.role is Role.CLIENT:
            continue
        sent = hop.sent.summary if hop.sent else "(no answer)"
        received = hop.received.summary if hop.received else ""
        endings |= {ev.ended for ev in (hop.sent, hop.received) if ev and ev.ended}
        dur = milliseconds(hop.duration) if hop.duration is not None else ""
        rows.append(
            f"<tr><td {cell}>{html.escape(hop.label)}</td>"
            f"<td {cell}>{html.escape(received)}</td>"
            f"<td {cell}>{html.escape(sent)}</td><td {cell}>{part(ex, hop)}</td>"
            f"<td {cell}>{dur}</td></tr>"
        )
    why = f"<div>why: {html.escape(ex.why)}</div>" if ex.why else ""
    client = f"<div>client saw: {html.escape(ex.client_error)}</div>" if ex.client_error else ""
    made_by = f" — made by the <b>{html.escape(ex.generated_by)}</b>" if ex.generated_by else ""
    notes = [text for ending, text in CONNECTION_WORDS.items() if ending in endings]
    footnote = "<p style='margin:4px 0'><small>" + " ".join(notes) + "</small></p>" if notes else ""
    head = "".join(
        f"<th scope='col' {cell}>{h}</th>" for h in ("hop", "received", "sent", "its part", "time")
    )
    return (
        f"<div class='labkit-exchange'>"
        f"<div><code>{html.escape(ex.method)} {html.escape(ex.target)}</code> "
        f"<span style='font-weight:bold;border-left:4px solid {for_status(ex.status)};"
        f"padding-left:4px'>{html.escape(status)}</span>"
        f"{made_by} <small>({ex.id})</small></div>{why}{client}"
        f"<table><tr>{head}</tr>"
        + "".join(rows)
        + "</table>"
        + footnote
        + Picture(ex)._repr_html_()
        + "</div>"
    )
