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
import contextlib
import functools
import html
import io
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Annotation

import labkit.i18n as i18n
from labkit.errors import CAPACITY_MAX, not_whole, refuse, shown, whole_in
from labkit.http.pages import hop_words
from labkit.i18n import Listed, Msg
from labkit.recorder import Role, Step
from labkit.render.palette import CHART_THEMED, PICTURE_DARK, PICTURE_LIGHT, PictureColours
from labkit.render.svg import fitted
from labkit.render.text import client_gave_up, milliseconds, summary_line, wrap
from labkit.render.view import BurstView, ExchangeView

TITLE_WIDTH = 90  # characters of the timeline's title on one line (8 inches at 10 points)
# A failure is told apart by its pattern as well as its colour (WCAG 1.4.1): paper-coloured
# cross-hatching, its lines thick enough to read at the PNG's resolution on either theme.
FAILED_HATCH = "xx"
HATCH_WIDTH = 2.0  # points
MEASURED = Msg("measured times, which vary from run to run")
# Chinese labels need a font that has them: the first of these matplotlib finds, else its own
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK JP",
)
CJK_FILES = ("notosanscjk", "sourcehansans", "wqy-")  # how their files are named


DPI = 90  # the chart's size on screen: 8 inches are 720 CSS pixels, its words 10 points
SHARP = 2  # its PNG in the HTML has this many pixels for each CSS pixel


class ChartFigure(Figure):
    """A Figure that shows itself as a PNG with a text alternative, whatever the backend."""

    alt = ""
    fonts: tuple[str, ...] = ()  # the font families its words need (Chinese), when drawn
    # the same chart on dark paper, drawn when the HTML is made (None: light only)
    draw_dark: Callable[[], ChartFigure] | None = None

    def png(self, dpi: float = DPI) -> bytes:
        buf = io.BytesIO()
        with _font_context(self.fonts):
            self.savefig(buf, format="png", dpi=dpi)
        return buf.getvalue()

    def _repr_png_(self) -> bytes:
        return self.png()

    def _img(self, theme: str) -> str:
        # drawn at its own size (DPI) or a little less to fit its column, its figure
        # scrolling sideways where the column is narrower still, as a sequence picture is
        # (svg.fitted): JupyterLab's `img {max-width: 100%}` shrank the 720 px timeline to a
        # 272 px column at 200% zoom, its 10-point words to 4 px, no larger than unzoomed. Its
        # pixels are SHARP times as many, so that a zoomed or high-density screen does not
        # blow up a blur.
        width, height = (round(inches * DPI) for inches in self.get_size_inches())
        src = base64.b64encode(self.png(DPI * SHARP)).decode("ascii")
        return (
            f"<img class='labkit-on-{theme}' src='data:image/png;base64,{src}' "
            f"alt='{html.escape(self.alt, quote=True)}' width='{width}' height='{height}' "
            f"style='{fitted(width)}'>"
        )

    def _repr_html_(self) -> str:
        dark = self.draw_dark() if self.draw_dark is not None else None
        return (
            "<figure class='labkit-chart' style='margin:0;max-width:100%;overflow-x:auto'>"
            f"{CHART_THEMED if dark else ''}"
            + self._img("light")
            + (dark._img("dark") if dark else "")
            + f"<figcaption><small>{html.escape(self.alt)}</small></figcaption></figure>"
        )

    def __repr__(self) -> str:
        return self.alt or super().__repr__()


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


def _fonts(lang: str) -> tuple[str, ...]:
    """The font families a chart in ``lang`` is made and drawn with: for Chinese, a font
    that has its characters before the usual one (matplotlib falls back glyph by glyph).
    None found, or English: () (matplotlib's own settings, untouched)."""
    if lang == i18n.ENGLISH:
        return ()
    found = _cjk_family()
    return (found, "sans-serif") if found else ()


@functools.cache
def _cjk_family() -> str | None:
    """The first of CJK_FONTS matplotlib can use; one installed after matplotlib's font
    cache was built is added for this process (the cache file is left alone)."""
    from matplotlib import font_manager

    def known() -> str | None:
        have = {f.name for f in font_manager.fontManager.ttflist}
        return next((name for name in CJK_FONTS if name in have), None)

    found = known()
    if found is None:
        for path in font_manager.findSystemFonts():
            if any(part in Path(path).name.lower() for part in CJK_FILES):
                with contextlib.suppress(OSError, RuntimeError, ValueError):
                    font_manager.fontManager.addfont(path)
        found = known()
    return found


def _font_context(fonts: tuple[str, ...]) -> contextlib.AbstractContextManager[object]:
    """Within it, text takes ``fonts``; the learner's own matplotlib settings are put back."""
    return mpl.rc_context({"font.family": list(fonts)}) if fonts else contextlib.nullcontext()


def _drawn(make: Callable[[], ChartFigure], lang: str) -> ChartFigure:
    fonts = _fonts(lang)
    with _font_context(fonts):
        fig = make()
    fig.fonts = fonts
    return fig


def timeline(ex: ExchangeView, lang: str | None = None) -> ChartFigure:
    """Each hop's clock for one exchange, with the gateway's read timeout and the client's
    own deadline marked (lesson 05). Times are in milliseconds from the client's request.
    Its words in ``lang`` (default: the learner's language)."""
    lang = lang or i18n.learner_language()
    fig = _drawn(lambda: _timeline(ex, PICTURE_LIGHT, lang), lang)
    fig.draw_dark = lambda: _drawn(lambda: _timeline(ex, PICTURE_DARK, lang), lang)
    return fig


def _timeline(ex: ExchangeView, colours: PictureColours, lang: str) -> ChartFigure:
    if not isinstance(ex, ExchangeView):
        raise refuse(
            Msg(
                "timeline takes an exchange, such as {example}, not {given}",
                example="lab.get('/slow')",
                given=f"{ex!r:.60}",
            ),
            lang=lang,
        )
    hops = [h for h in ex.hops if h.received is not None or h.sent is not None]
    if not any(h.events for h in hops):
        raise refuse(
            Msg("exchange {id} reached no server, so it has no timeline to draw", id=ex.id),
            lang=lang,
        )
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
        when = milliseconds((end if last else begin) / 1000)
        if last is None:
            # the time is when the request came ("no answer recorded; got the request at
            # 213 ms" put the time on the request, and the Chinese on the answer)
            at = Msg("got the request at {time}, no answer recorded", time=when).render(lang)
            bars.append((row, begin, end, failed, at))
            said.append(Msg("{hop}: {what}", hop=hop_words(hop.label), what=at).render(lang))
            continue
        if hop.role is Role.CLIENT:
            outcome = (
                Msg("got {status}", status=last.status)
                if last.status is not None
                else Msg("gave up, no answer")
            )
        else:
            outcome = (
                Msg("answered {status}", status=last.status)
                if last.status is not None
                else Msg("closed")
            )
        at = Msg("{outcome} at {time}", outcome=outcome, time=when).render(lang)
        bars.append((row, begin, end, failed, at))
        hatched = Msg(" (failed: hatched bar)").render(lang) if failed else ""
        if hop.role is Role.CLIENT and last.status is None and client_gave_up(ex) is not None:
            # said once, with why: its bar's words and the deadline's line are one moment
            outcome = Msg("client gave up (its own timeout ran out)")
            said.append(Msg("{outcome} at {time}", outcome=outcome, time=when).render(lang))
        else:
            said.append(
                Msg("{hop}: {what}", hop=hop_words(hop.label), what=at).render(lang) + hatched
            )
    said.reverse()  # read along the path, the client first, as the rows are drawn from the top
    lines = []
    for hop in hops:
        for ev in hop.events:
            if ev.attempt is not None and ev.attempt.step is Step.FORWARDED:
                read = ev.attempt.read_timeout  # the clock starts as the request goes out
                t = (ev.at - start + read) * 1000
                line = Msg(
                    "{hop} read timeout ({time})",
                    hop=hop_words(hop.label),
                    time=milliseconds(read),
                )
                lines.append((t, line.render(lang), "--"))
    gave_up = client_gave_up(ex)
    if gave_up is not None:
        line = Msg("client gave up (its own timeout ran out)")
        lines.append(((gave_up - start) * 1000, line.render(lang), ":"))
    span = max(*(end for _, _, end, _, _ in bars), *(t for t, _, _ in lines), 1)
    notes: list[Annotation] = []
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
        notes.append(
            ax.annotate(
                words,
                (max(end, begin + span / 200), row),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=9,
                color=colours.ink,
                # on its own paper, above the timeout lines: a line crossing the words struck
                # them through ("gave up, no answer" under the gateway's read timeout)
                bbox={"boxstyle": "square,pad=0.15", "facecolor": colours.paper, "linewidth": 0},
                zorder=3,
            )
        )
    for t, label, style in lines:
        ax.axvline(t, color=colours.ink, linestyle=style, linewidth=1.5, label=label)
        if style != ":":  # the client's deadline is said with the client, above
            said.append(
                Msg("{outcome} at {time}", outcome=label, time=milliseconds(t / 1000)).render(lang)
            )
    if lines:
        # under the axes, in the room the constrained layout keeps for it
        fig.legend(
            fontsize=9, loc="outside lower center", ncol=2, frameon=False, labelcolor=colours.ink
        )
    ax.set_xlim(0, span * 1.6)  # the right part stays free for the words after the bars
    ax.set_yticks(range(len(hops)), [h.label for h in reversed(hops)])
    ax.set_xlabel(
        Msg(
            "milliseconds since the client sent the request ({measured})", measured=MEASURED
        ).render(lang)
    )
    # wrapped: a long target or reason would otherwise run past the figure's edges
    title = summary_line(ex, lang)
    english = lang == i18n.ENGLISH  # a Chinese title wraps by columns, not characters
    wrapped = textwrap.fill(title, TITLE_WIDTH) if english else "\n".join(wrap(title, TITLE_WIDTH))
    ax.set_title(wrapped, fontsize=10)
    _clear_of_lines(fig, ax, notes, [t for t, _, _ in lines])
    fig.alt = Msg(
        "Timeline of {summary}, in {measured}. {said}.",
        summary=title,
        measured=MEASURED,
        said=Listed(said, sentences=True),
    ).render(lang)
    return fig


def _clear_of_lines(fig: ChartFigure, ax: Axes, notes: list[Annotation], xs: list[float]) -> None:
    """Each bar's words moved right, past any timeout line that would cross them (the gateway's
    dashed read timeout ran through the client's "gave up, no answer at 202 ms"), and the
    axes widened where the words would then end outside them. Measured on the drawn layout,
    in the words' own box (their paper), a pixel to spare."""
    FigureCanvasAgg(fig)  # the canvas savefig draws on: the words are measured on it
    for _ in range(2 * len(xs) + 2):  # each move passes at least one line; then the width
        fig.draw_without_rendering()
        moved = False
        for note in notes:
            patch = note.get_bbox_patch()
            box = (patch if patch is not None else note).get_window_extent()
            for x in sorted(xs):
                at = ax.transData.transform((x, 0))[0]
                if box.x0 - 2 <= at <= box.x1 + 2 and x > note.xy[0]:
                    note.xy = (x, note.xy[1])  # its words start a few points past the line
                    moved = True
                    break
        if moved:
            continue
        right = max((n.get_window_extent().x1 for n in notes), default=0.0)
        edge = ax.get_window_extent().x1
        if right + 4 <= edge:
            return
        start = ax.get_window_extent().x0
        low, high = ax.get_xlim()  # wider by as much as the words overrun, and look again
        ax.set_xlim(low, low + (high - low) * (right + 8 - start) / (edge - start))


def load_curve(results: Sequence[BurstView], capacity: int, lang: str | None = None) -> ChartFigure:
    """Served and shed requests as the burst grows (lesson 04), its words in ``lang``
    (default: the learner's language). ``results``: what ``load.sweep()`` returns, a
    list[Burst]; typed as a Sequence because a list is invariant, and mypy would refuse
    list[Burst] where list[BurstView] is asked (a tuple of bursts is taken too)."""
    lang = lang or i18n.learner_language()
    fig = _drawn(lambda: _load_curve(results, capacity, PICTURE_LIGHT, lang), lang)
    fig.draw_dark = lambda: _drawn(lambda: _load_curve(results, capacity, PICTURE_DARK, lang), lang)
    return fig


def _load_curve(
    results: Sequence[BurstView], capacity: int, colours: PictureColours, lang: str
) -> ChartFigure:
    if not isinstance(results, (list, tuple)) or not all(isinstance(b, BurstView) for b in results):
        raise refuse(
            Msg(
                "results must be a list of bursts, as load.sweep() returns, not {given}",
                given=f"{results!r:.60}",
            ),
            lang=lang,
        )
    if not whole_in(capacity, 0, CAPACITY_MAX):  # the capacity switch's, as load.sweep() says
        raise not_whole("capacity", shown(capacity), minimum=0, maximum=CAPACITY_MAX, lang=lang)
    fig = ChartFigure(figsize=(6, 3), layout="constrained")
    ax = fig.add_subplot()
    _paper(fig, ax, colours)
    sizes = [str(b.size) for b in results]
    served = [b.served for b in results]
    shed = [b.shed for b in results]
    ax.bar(sizes, served, color=colours.ok, label=Msg("served (200)").render(lang))
    ax.bar(
        sizes,
        shed,
        bottom=served,
        facecolor=colours.failed,
        linewidth=0,
        hatch=FAILED_HATCH,
        hatchcolor=colours.paper,
        hatch_linewidth=HATCH_WIDTH,
        label=Msg("shed (503)").render(lang),
    )
    ax.axhline(
        capacity,
        color=colours.ink,
        linestyle="--",
        linewidth=1,
        label=Msg("capacity {capacity}", capacity=capacity).render(lang),
    )
    ax.set_xlabel(Msg("requests at once").render(lang))
    ax.set_ylabel(Msg("requests").render(lang))
    ax.legend(fontsize=8, labelcolor=colours.ink, facecolor=colours.paper, edgecolor=colours.ink)
    each = Listed(
        (
            Msg(
                "{size} at once: {served} served, {shed} shed",
                size=b.size,
                served=b.served,
                shed=b.shed,
            )
            for b in results
        ),
        sentences=True,
    )
    fig.alt = Msg(
        "Load curve at capacity {capacity}: {each}.", capacity=capacity, each=each
    ).render(lang)
    return fig


__all__ = ["ChartFigure", "load_curve", "timeline"]
