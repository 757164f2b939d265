"""Charts for the lessons, drawn with matplotlib: the 504 timeline and the 503 load curve.

Each chart carries its text alternative (``alt``): a screen reader, a text-only
renderer and ``repr`` get the numbers the picture shows. In Jupyter a chart is HTML
(a PNG with that ``alt``), because JupyterLab shows a bare PNG output with none.
Series differ by pattern or line style as well as by colour. Each chart is drawn twice, on
light and on dark paper (``palette.PICTURE_LIGHT``, ``PICTURE_DARK``): the HTML holds both
PNGs and shows the one for JupyterLab's theme, so a chart is not a white slab in a dark one.
"""

from __future__ import annotations

import base64
import html
import io
import textwrap
from collections.abc import Callable

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from labkit.errors import BadArgument
from labkit.recorder import Role, Step
from labkit.render.palette import CHART_THEMED, PICTURE_DARK, PICTURE_LIGHT, PictureColours
from labkit.render.text import milliseconds, summary_line
from labkit.render.view import BurstView, ExchangeView

TITLE_WIDTH = 90  # characters of the timeline's title on one line (8 inches at 10 points)
# A failure is told apart by its pattern as well as its colour (WCAG 1.4.1): paper-coloured
# cross-hatching, its lines thick enough to read at the PNG's resolution on either theme.
FAILED_HATCH = "xx"
HATCH_WIDTH = 2.0  # points
MEASURED = "measured times, which vary from run to run"


class ChartFigure(Figure):
    """A Figure that shows itself as a PNG with a text alternative, whatever the backend."""

    alt = ""
    # the same chart on dark paper, drawn when the HTML is made (None: light only)
    draw_dark: Callable[[], ChartFigure] | None = None

    def png(self) -> bytes:
        buf = io.BytesIO()
        self.savefig(buf, format="png", dpi=90)
        return buf.getvalue()

    def _repr_png_(self) -> bytes:
        return self.png()

    def _img(self, theme: str) -> str:
        src = base64.b64encode(self.png()).decode("ascii")
        return (
            f"<img class='labkit-on-{theme}' src='data:image/png;base64,{src}' "
            f"alt='{html.escape(self.alt, quote=True)}' style='max-width:100%'>"
        )

    def _repr_html_(self) -> str:
        dark = self.draw_dark() if self.draw_dark is not None else None
        return (
            f"<figure class='labkit-chart' style='margin:0'>{CHART_THEMED if dark else ''}"
            + self._img("light")
            + (dark._img("dark") if dark else "")
            + f"<figcaption><small>{html.escape(self.alt)}</small></figcaption></figure>"
        )

    def __repr__(self) -> str:
        return self.alt or super().__repr__()


def _client_gave_up(ex: ExchangeView, start: float) -> float | None:
    """When the client's own timeout ran out (seconds from the start), if it did."""
    for hop in ex.hops:
        got = hop.received
        if hop.role is Role.CLIENT and got is not None and got.status is None and got.timed_out:
            return got.at - start
    return None


def _paper(fig: ChartFigure, ax: Axes, colours: PictureColours) -> None:
    """The figure's paper and ink: background, axes, ticks and their labels."""
    fig.set_facecolor(colours.paper)
    ax.set_facecolor(colours.paper)
    ax.tick_params(colors=colours.ink, which="both")
    for spine in ax.spines.values():
        spine.set_edgecolor(colours.ink)
    ax.xaxis.label.set_color(colours.ink)
    ax.yaxis.label.set_color(colours.ink)
    ax.title.set_color(colours.ink)


def timeline(ex: ExchangeView) -> ChartFigure:
    """Each hop's clock for one exchange, with the gateway's read timeout and the client's
    own deadline marked (lesson 05). Times are in milliseconds from the client's request."""
    fig = _timeline(ex, PICTURE_LIGHT)
    fig.draw_dark = lambda: _timeline(ex, PICTURE_DARK)
    return fig


def _timeline(ex: ExchangeView, colours: PictureColours) -> ChartFigure:
    if not isinstance(ex, ExchangeView):
        raise BadArgument(f"timeline takes an exchange, such as lab.get('/slow'), not {ex!r:.60}")
    hops = [h for h in ex.hops if h.received is not None or h.sent is not None]
    if not any(h.events for h in hops):
        raise BadArgument(f"exchange {ex.id} reached no server, so it has no timeline to draw")
    start = min(e.at for h in hops for e in h.events)
    fig = ChartFigure(figsize=(8, 1.6 + 0.55 * len(hops)), layout="constrained")
    ax = fig.add_subplot()
    _paper(fig, ax, colours)
    said: list[str] = []
    bars = []
    for row, hop in enumerate(reversed(hops)):
        first, last = (
            (hop.sent, hop.received) if hop.role is Role.CLIENT else (hop.received, hop.sent)
        )
        opened = first if first is not None else last  # each hop drawn has one (above)
        begin = (opened.at - start) * 1000 if opened else 0.0
        end = (last.at - start) * 1000 if last else begin
        failed = bool(hop.generated and (hop.status or 0) >= 500)
        if last is None:
            outcome = "no answer recorded; got the request"
        elif hop.role is Role.CLIENT:
            outcome = f"got {last.status}" if last.status is not None else "gave up, no answer"
        else:
            outcome = f"answered {last.status}" if last.status is not None else "closed"
        at = f"{outcome} at {milliseconds((end if last else begin) / 1000)}"
        bars.append((row, begin, end, failed, at))
        said.append(f"{hop.label}: {at}" + (" (failed: hatched bar)" if failed else ""))
    lines = []
    for hop in hops:
        for ev in hop.events:
            if ev.attempt is not None and ev.attempt.step is Step.FORWARDED:
                read = ev.attempt.read_timeout  # the clock starts as the request goes out
                t = (ev.at - start + read) * 1000
                lines.append((t, f"{hop.name} read timeout ({milliseconds(read)})", "--"))
    gave_up = _client_gave_up(ex, start)
    if gave_up is not None:
        lines.append((gave_up * 1000, "client gave up (its own timeout ran out)", ":"))
    span = max(*(end for _, _, end, _, _ in bars), *(t for t, _, _ in lines), 1)
    for row, begin, end, failed, words in bars:
        # an instant still shows as a sliver (half a percent of the scale)
        ax.broken_barh(
            [(begin, max(end - begin, span / 200))],
            (row - 0.3, 0.6),
            facecolor=colours.failed if failed else colours.in_time,
            linewidth=0,
            hatch=FAILED_HATCH if failed else None,
            hatchcolor=colours.paper,
            hatch_linewidth=HATCH_WIDTH,
        )
        # a few points right of the bar's end, whatever the scale (8 ms past a 2 ms
        # exchange put the words far outside the axes, where no layout could make room)
        ax.annotate(
            words,
            (max(end, begin + span / 200), row),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=9,
            color=colours.ink,
        )
    for t, label, style in lines:
        ax.axvline(t, color=colours.ink, linestyle=style, linewidth=1.5, label=label)
        said.append(f"{label} at {milliseconds(t / 1000)}")
    if lines:
        # under the axes, in the room the constrained layout keeps for it
        fig.legend(
            fontsize=9, loc="outside lower center", ncol=2, frameon=False, labelcolor=colours.ink
        )
    ax.set_xlim(0, span * 1.6)  # the right part stays free for the words after the bars
    ax.set_yticks(range(len(hops)), [h.label for h in reversed(hops)])
    ax.set_xlabel(f"milliseconds since the client sent the request ({MEASURED})")
    # wrapped: a long target or reason would otherwise run past the figure's edges
    ax.set_title(textwrap.fill(summary_line(ex), TITLE_WIDTH), fontsize=10)
    fig.alt = f"Timeline of {summary_line(ex)}, in {MEASURED}. " + "; ".join(said) + "."
    return fig


def load_curve(results: list[BurstView], capacity: int) -> ChartFigure:
    """Served and shed requests as the burst grows (lesson 04)."""
    fig = _load_curve(results, capacity, PICTURE_LIGHT)
    fig.draw_dark = lambda: _load_curve(results, capacity, PICTURE_DARK)
    return fig


def _load_curve(results: list[BurstView], capacity: int, colours: PictureColours) -> ChartFigure:
    if not isinstance(results, list) or not all(isinstance(b, BurstView) for b in results):
        raise BadArgument(
            f"results must be a list of bursts, as load.sweep() returns, not {results!r:.60}"
        )
    if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 0:
        raise BadArgument(f"capacity must be a whole number >= 0, not {capacity!r}")
    fig = ChartFigure(figsize=(6, 3), layout="constrained")
    ax = fig.add_subplot()
    _paper(fig, ax, colours)
    sizes = [str(b.size) for b in results]
    served = [b.served for b in results]
    shed = [b.shed for b in results]
    ax.bar(sizes, served, color=colours.ok, label="served (200)")
    ax.bar(
        sizes,
        shed,
        bottom=served,
        facecolor=colours.failed,
        linewidth=0,
        hatch=FAILED_HATCH,
        hatchcolor=colours.paper,
        hatch_linewidth=HATCH_WIDTH,
        label="shed (503)",
    )
    ax.axhline(
        capacity, color=colours.ink, linestyle="--", linewidth=1, label=f"capacity {capacity}"
    )
    ax.set_xlabel("requests at once")
    ax.set_ylabel("requests")
    ax.legend(fontsize=8, labelcolor=colours.ink, facecolor=colours.paper, edgecolor=colours.ink)
    fig.alt = (
        f"Load curve at capacity {capacity}: "
        + "; ".join(f"{b.size} at once: {b.served} served, {b.shed} shed" for b in results)
        + "."
    )
    return fig


__all__ = ["ChartFigure", "load_curve", "timeline"]
