"""Charts for the lessons, drawn with matplotlib: the 504 timeline and the 503 load curve."""

from __future__ import annotations

import re

from matplotlib.figure import Figure

from labkit.exchange import Exchange
from labkit.load import Burst


def timeline(ex: Exchange) -> Figure:
    """Each hop's clock for one exchange, with the gateway's read timeout marked (lesson 05)."""
    hops = [h for h in ex.hops if h.received is not None]
    start = min(h.received.at for h in hops)  # type: ignore[union-attr]
    fig = Figure(figsize=(7, 0.6 + 0.5 * len(hops)))
    ax = fig.add_subplot()
    for row, hop in enumerate(reversed(hops)):
        begin = hop.received.at - start  # type: ignore[union-attr]
        end = (hop.sent.at - start) if hop.sent else begin
        colour = "#b00020" if hop.generated and (hop.status or 0) >= 500 else "#3060c0"
        ax.broken_barh([(begin, max(end - begin, 0.002))], (row - 0.3, 0.6), color=colour)
        if hop.sent is None:
            ax.text(begin + 0.01, row, "still waiting / no answer", va="center", fontsize=8)
    for hop in hops:
        for ev in hop.events:
            m = re.search(r"read timeout ([\d.]+) s", ev.summary)
            if m:
                t = ev.at - start + float(m.group(1))
                ax.axvline(t, color="#b00020", linestyle="--", linewidth=1)
                ax.text(t, len(hops) - 0.4, f" {hop.name} read timeout", color="#b00020",
                        fontsize=8)  # fmt: skip
    ax.set_yticks(range(len(hops)), [h.label for h in reversed(hops)])
    ax.set_xlabel("seconds since the request reached the lab")
    ax.set_title(ex.summary_line(), fontsize=9)
    fig.tight_layout()
    return fig


def load_curve(results: list[Burst], capacity: int) -> Figure:
    """Served and shed requests as the burst grows (lesson 04)."""
    fig = Figure(figsize=(6, 3))
    ax = fig.add_subplot()
    sizes = [str(b.size) for b in results]
    served = [b.served for b in results]
    shed = [b.shed for b in results]
    ax.bar(sizes, served, color="#1b7f3b", label="served (200)")
    ax.bar(sizes, shed, bottom=served, color="#b00020", label="shed (503)")
    ax.axhline(capacity, color="#555", linestyle="--", linewidth=1, label=f"capacity {capacity}")
    ax.set_xlabel("requests at once")
    ax.set_ylabel("requests")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
