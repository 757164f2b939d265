"""Charts for the lessons, drawn with matplotlib: the 504 timeline and the 503 load curve."""

from __future__ import annotations

import io
import re

from matplotlib.figure import Figure

from labkit.exchange import Exchange
from labkit.load import Burst


class ChartFigure(Figure):
    """A Figure that shows itself as a PNG in Jupyter, whatever the matplotlib backend."""

    def _repr_png_(self) -> bytes:
        buf = io.BytesIO()
        self.savefig(buf, format="png", dpi=90)
        return buf.getvalue()


def timeline(ex: Exchange) -> Figure:
    """Each hop's clock for one exchange, with the gateway's read timeout marked (lesson 05)."""
    hops = [h for h in ex.hops if h.received is not None or h.sent is not None]
    start = min(e.at for h in hops for e in h.events)
    fig = ChartFigure(figsize=(7, 0.8 + 0.5 * len(hops)))
    ax = fig.add_subplot()
    for row, hop in enumerate(reversed(hops)):
        first, last = (hop.sent, hop.received) if hop.role == "client" else (hop.received, hop.sent)
        begin = (first or last).at - start  # type: ignore[union-attr]
        end = (last.at - start) if last else begin
        colour = "#b00020" if hop.generated and (hop.status or 0) >= 500 else "#3060c0"
        ax.broken_barh([(begin, max(end - begin, 0.002))], (row - 0.3, 0.6), color=colour)
        if last is None:
            ax.text(begin + 0.01, row, "still waiting / no answer", va="center", fontsize=8)
    for hop in hops:
        for ev in hop.events:
            m = re.search(r"read timeout ([\d.]+) s", ev.summary)
            if m:
                t = ev.at - start + float(m.group(1))
                ax.axvline(t, color="#b00020", linestyle="--", linewidth=1)
                label = f" {hop.name} read timeout"
                ax.text(
                    t, 0.02, label, color="#b00020", fontsize=8, transform=ax.get_xaxis_transform()
                )
    ax.set_yticks(range(len(hops)), [h.label for h in reversed(hops)])
    ax.set_xlabel("seconds since the client sent the request")
    ax.set_title(ex.summary_line(), fontsize=9)
    fig.tight_layout()
    return fig


def load_curve(results: list[Burst], capacity: int) -> Figure:
    """Served and shed requests as the burst grows (lesson 04)."""
    fig = ChartFigure(figsize=(6, 3))
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
