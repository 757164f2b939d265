"""What a judge can observe in the lab: the requests that reached it, in order of arrival."""

from __future__ import annotations

from typing import Any

from labkit.conditions import Condition
from labkit.i18n import Msg, Text
from labkit.recorder import Hop, Kind, Role


def seconds(value: float) -> str:
    """A time a message shows, to the hundredth: never "-0.00" (a request 0.001 s before its
    planned moment, 503 q5's stray GET from a Timer, was told it "came back -0.00 s after")."""
    return f"{round(value, 2) + 0.0:.2f}"


def maker(ex: Any) -> Hop | None:
    """The hop that made the response the client got (None: nobody did, e.g. no status
    line): its role and name are fields, where ``ex.generated_by`` is a label for people."""
    for hop in ex.hops:
        if hop.role is not Role.CLIENT and hop.generated:
            found: Hop = hop
            return found
    return None


def failed_on(ex: Any) -> set[Condition]:
    """The upstream conditions the exchange's proxies met on attempts that failed or were
    not made (``Attempt.condition``): what a gateway's own 5xx answered, as a field."""
    return {
        e.attempt.condition
        for hop in ex.hops
        for e in hop.events
        if e.kind is Kind.UPSTREAM and e.attempt is not None and e.attempt.condition is not None
    }


def made_by(ex: Any) -> Role | None:
    """The role of the hop that made the response the client got (None: nobody did, e.g.
    no status line). Judges compare this field, not ``ex.generated_by``'s label."""
    hop = maker(ex)
    return None if hop is None else hop.role


def requests_since(lab: Any, before: set[str]) -> list[dict[str, Any]]:
    """Requests that reached the lab since ``before``: arrival, answer time and status."""
    rows = []
    for rid in lab.recorder.ids():
        if rid in before:
            continue
        events = lab.recorder.events(rid)
        first = next(
            (e for e in events if e.role is not Role.CLIENT and e.kind is Kind.RECEIVED), None
        )
        if first is None:
            continue
        sent = next((e for e in events if e.hop == first.hop and e.kind is Kind.SENT), None)
        rows.append(
            {
                "arrived": first.at,
                "answered": sent.at if sent else None,
                "status": sent.status if sent else None,
                "line": first.request_line,
            }
        )
    rows.sort(key=lambda r: r["arrived"])
    return rows


def story(rows: list[dict[str, Any]], start: float, noun: str = "request") -> str:
    """Those requests as lines a learner can read: when each arrived and what it got."""
    return "\n".join(
        f"{noun} {i} at {seconds(r['arrived'] - start)} s: {r['line']} -> {r['status']}"
        for i, r in enumerate(rows, 1)
    )


def quoted(value: Any) -> str:
    """A value the learner's code returned, as a message quotes it: on one line (a returned
    lab's repr is a table), cut as labkit.errors.shown cuts a long one."""
    from labkit.errors import shown

    text = shown(value)
    first, _, rest = text.partition("\n")
    return f"{first.rstrip()} …" if rest.strip() else first


def status_problem(value: Any, call: Text) -> Text:
    """What is wrong with a learner function's return value that should be a status ("" if nothing)."""
    from labkit.exchange import Exchange

    if isinstance(value, Exchange):
        return Msg("{call} returned an Exchange; return its status, an int (ex.status).", call=call)
    if isinstance(value, bool) or not isinstance(value, int):
        return Msg(
            "{call} returned {value}; it must return the final status, an int.",
            call=call,
            value=quoted(value),
        )
    return ""
