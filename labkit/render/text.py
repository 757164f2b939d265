"""Plain-text views: durations, bytes made visible, and an exchange's story as lines.

The story (``repr`` of an exchange) is what notebooks print and tests compare, so it
reads the same every run on any machine, however loaded: what it says about time comes
from configuration, never from a clock (``configured_time``). The HTML table, the
picture and the timeline show each hop's MEASURED milliseconds (and say so), where a
lesson's story (3 ms against 300 ms) is told; no checked output depends on them.
Neither shows a port number.
"""

from __future__ import annotations

from labkit.conditions import Condition
from labkit.recorder import Hop, Kind, Role, Step
from labkit.render.view import ExchangeView

__all__ = [
    "ARROWS",
    "TIMEOUT_WORDS",
    "configured_time",
    "exchange_lines",
    "milliseconds",
    "minutes_seconds",
    "part",
    "raw_dump",
    "story",
    "summary_line",
    "visible_bytes",
]

# How the story marks each kind of event (log lines are not part of the story)
ARROWS = {Kind.RECEIVED: "<-", Kind.SENT: "->", Kind.UPSTREAM: "..", Kind.CACHE: ".."}


def milliseconds(value: float) -> str:
    """A duration for the HTML views and pictures: milliseconds below 10 s."""
    if value < 0.0005:
        return "<1 ms"
    return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.1f} s"


# The upstream conditions that are a timeout running out, and the timeout's name in words.
TIMEOUT_WORDS = {
    Condition.CONNECT_TIMEOUT: "connect timeout",
    Condition.READ_TIMEOUT: "read timeout",
}


def configured_time(hop: Hop) -> str:
    """What the story says about a hop's time: configured values only, never measured.

    A hop that made its answer because an upstream's timeout ran out names that timeout
    and its value; a hop that answered after a delay set on purpose gives the delay;
    any other hop says nothing (its measured time is noise on a loaded machine).
    """
    if hop.sent is not None and hop.sent.delay is not None:
        return f"answered after its set delay, {hop.sent.delay:g} s"
    if not hop.generated:
        return ""
    failed = [
        ev.attempt for ev in hop.events if ev.attempt is not None and ev.attempt.step is Step.FAILED
    ]
    last = failed[-1] if failed else None
    if last is None or last.condition not in TIMEOUT_WORDS:
        return ""
    value = (
        last.connect_timeout if last.condition is Condition.CONNECT_TIMEOUT else last.read_timeout
    )
    return f"gave up after the {TIMEOUT_WORDS[last.condition]}, {value:g} s"


def minutes_seconds(value: float | None) -> str:
    """A duration on the instructor's board (a drill takes minutes): '2 min 05 s'."""
    if value is None:
        return "—"
    return f"{int(value) // 60} min {int(value) % 60:02d} s"


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


def raw_dump(hop: Hop) -> str:
    """The bytes a hop received and sent, every byte visible, saying what was not kept."""
    cut_in, cut_out = (f"\n... {n} bytes not kept" if n else "" for n in hop.not_kept)
    return (
        f"--- {hop.label} received ---\n{visible_bytes(hop.bytes_in)}{cut_in}\n"
        f"--- {hop.label} sent ---\n{visible_bytes(hop.bytes_out)}{cut_out}"
    )


def summary_line(ex: ExchangeView) -> str:
    status = f"{ex.status} {ex.reason}".strip() if ex.status is not None else "no status"
    made = f", made by the {ex.generated_by}" if ex.generated_by else ""
    return f"{ex.method} {ex.target} -> {status}{made}"


def part(ex: ExchangeView, hop: Hop) -> str:
    """One hop's part in the response: only one hop "made here" (the final response)."""
    if hop.label == ex.generated_by:
        return "made here"
    if hop.generated:
        return "answered, not relayed"  # e.g. an upstream reply the gateway rejected
    return "relayed" if hop.sent else "no answer"


def exchange_lines(ex: ExchangeView) -> list[str]:
    """The story: the outcome, why, then each hop's events in the order they happened."""
    out = [f"Exchange {ex.id}: {summary_line(ex)}"]
    if ex.why and not ex.ok:
        out.append(f"  why: {ex.why}")
    if ex.client_error:
        out.append(f"  client saw: {ex.client_error}")
    by_name = {hop.name: hop for hop in ex.hops}
    events = sorted(
        (
            ev
            for hop in ex.hops
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
            mark = "  [" + part(ex, hop) + "]"
            if timing := configured_time(hop):
                mark += f"  {timing}"
        out.append(f"  {hop.label:<10} {arrow} {ev.summary}{mark}")
    return out


def story(ex: ExchangeView) -> str:
    """The story as one text (what ``repr`` of an exchange prints)."""
    return "\n".join(exchange_lines(ex))
