"""HTML views for Jupyter: an exchange's hop table, the inspector's tabs, the panels' style.

Every view of an exchange here has a text twin (:mod:`labkit.render.text`); colours
come from the palette; none shows a port number. The widgets only place these.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import labkit.i18n as i18n
from labkit.http.pages import hop_words
from labkit.i18n import Msg
from labkit.recorder import Ending, Role
from labkit.render import notes
from labkit.render.palette import (
    JP_ERROR,
    JP_TEXT,
    JP_TEXT_FAINT,
    JP_TEXT_SOFT,
    THEMED,
    on_notebook,
    status_kind,
)
from labkit.render.svg import Picture, cut_after_status
from labkit.render.text import (
    SENT_AGAIN,
    attempts,
    milliseconds,
    no_status_line,
    part,
    says_why,
    visible_bytes,
    why_in,
)
from labkit.render.view import ExchangeView

__all__ = [
    "BODY_SHOWN",
    "CONNECTION_WORDS",
    "PANEL_STYLE",
    "RAW_SHOWN",
    "body_html",
    "exchange_html",
    "headers_html",
    "lines_html",
    "note",
    "raw_html",
    "shown",
    "status_words",
    "summary_html",
    "table",
]

RAW_SHOWN = 6000  # bytes of each hop's raw dump shown in the inspector
BODY_SHOWN = 20000  # characters of the body shown in the inspector

# Scoped to our panels; JupyterLab's variables keep contrast in the light and the dark theme.
PANEL_STYLE = f"""<style>
.labkit-panel :focus-visible, .labkit-panel :focus,
.labkit-panel .jupyter-widgets input:focus, .labkit-panel .jupyter-widgets textarea:focus {{
  outline: 2px solid {JP_TEXT} !important; outline-offset: 1px; }}
.labkit-panel .lm-TabBar-tab, .labkit-panel .p-TabBar-tab {{ color: {JP_TEXT} !important; }}
.labkit-panel .widget-button, .labkit-panel .jupyter-button {{ white-space: normal;
  height: auto; min-height: var(--jp-widgets-inline-height); overflow: visible; }}
/* a narrow window or 200% zoom: the inspector's tabs wrap to another row instead of reading
   "Sumn", "Raw b"; a checkbox's words wrap instead of ending in "..." (its box was clipped) */
.labkit-panel .widget-tab > .lm-TabBar .lm-TabBar-content {{ flex-wrap: wrap; }}
.labkit-panel .widget-tab > .lm-TabBar .lm-TabBar-tab {{ flex: 0 0 auto !important; }}
.labkit-panel .widget-checkbox {{ width: auto; max-width: 100%; height: auto;
  min-height: var(--jp-widgets-inline-height); }}
.labkit-panel .widget-checkbox .widget-label-basic {{ white-space: normal; overflow: visible;
  height: auto; }}
/* and its words wrap beside the box, each line under the first (at 320 px zh 08's "handler-bug
   （处理函数的" went on "bug）" under the box, at the panel's edge, as if a line of its own) */
.labkit-panel .widget-checkbox .widget-label-basic {{ display: flex; align-items: baseline; }}
.labkit-panel .widget-checkbox .widget-label-basic > input {{ flex: none; align-self: baseline; }}
/* 320 CSS px wide (WCAG 1.4.10 reflow; a 1280 px window at 400%, or at 200% with the file
   browser open): a row of controls wraps, and a labelled box takes no more than its panel's
   width, its box under its label when both do not fit. ipywidgets draws every such box 300 px
   wide on a row of fixed height: 501's Send and 505's "Send the request line" sat out of
   sight beside a box the panel scrolled sideways, the quiz's answer box was cut */
.labkit-panel .widget-hbox {{ flex-wrap: wrap; }}
.labkit-panel .widget-inline-hbox {{ flex-wrap: wrap; min-width: 0; height: auto;
  max-width: calc(100% - 2 * var(--jp-widgets-margin));
  min-height: var(--jp-widgets-inline-height); }}
.labkit-panel .widget-inline-hbox > select, .labkit-panel .widget-inline-hbox > input {{
  min-width: 0; max-width: 100%; }}
/* an HTML line takes its panel's width, not its content's: a table's own scrolling box
   (render.html.table) otherwise grew to the table's width and the panel scrolled instead */
.labkit-panel .widget-html-content {{ min-width: 0; }}
.labkit-panel .labkit-status {{ color: {JP_TEXT}; }}
.labkit-panel .labkit-error:not(:empty) {{ color: {JP_TEXT};
  border-left: 4px solid {JP_ERROR}; padding-left: 6px; }}
.labkit-panel .labkit-hint {{ color: {JP_TEXT_SOFT}; font-size: var(--jp-ui-font-size1); }}
/* JupyterLab's dark theme: ipywidgets fills a plain button (Hint, Solution, GET ...) with
   the theme's second layout colour, a grey at 1.9:1 on the output's near-black, and no
   border, so its words alone show it is there. An edge in the theme's secondary text colour
   (6:1 on the output, 5.6:1 on a panel; white in Dark High Contrast) outlines each. The light
   theme's buttons, and the coloured (primary) ones, keep ipywidgets' look. */
body[data-jp-theme-light='false'] .labkit-panel .jupyter-button:not(.mod-primary):not(
  .mod-success):not(.mod-info):not(.mod-warning):not(.mod-danger) {{
  border: 1px solid {JP_TEXT_FAINT}; }}
.labkit-panel table.labkit-table td, .labkit-panel table.labkit-table th {{
  text-align: left; vertical-align: top; padding: 2px 8px 2px 0; }}
</style>"""

# How a hop ended a connection, explained under the hop table when one of its answers did.
CONNECTION_WORDS = {
    Ending.FIN: Msg(
        "FIN: the sender closed the connection normally (TCP's goodbye); whatever it sent "
        "before that is all there is."
    ),
    Ending.RST: Msg(
        "RST: the connection was reset (aborted): any bytes still in flight are thrown away."
    ),
}


def status_words(ex: ExchangeView, lang: str) -> str:
    """The status line's code and reason phrase (protocol, never translated), or what came
    instead (``text.no_status_line``); the inspector's heading, and a playground says the same."""
    return f"{ex.status} {ex.reason}" if ex.status is not None else no_status_line(ex).render(lang)


def exchange_html(ex: ExchangeView, lang: str | None = None) -> str:
    """The outcome, who made it and why, a table of the hops, then the picture, in ``lang``
    (default: the learner's language)."""
    lang = lang or i18n.learner_language()
    status = status_words(ex, lang)
    cell = "style='text-align:left;vertical-align:top;padding:2px 10px 2px 0'"
    rows = []
    endings: set[Ending] = set()
    for hop in ex.hops:
        if hop.role is Role.CLIENT:
            continue
        tries = attempts(hop)
        for n, (got, gave) in enumerate(tries, 1):
            sent = i18n.render(gave.summary, lang) if gave else Msg("(no answer)").render(lang)
            received = i18n.render(got.summary, lang) if got else ""
            endings |= {ev.ended for ev in (gave, got) if ev and ev.ended}
            dur = milliseconds(max(0.0, gave.at - got.at)) if got and gave else ""
            label = hop.label
            its_part = part(ex, hop, lang)
            if len(tries) > 1:  # a request sent again: each attempt its own row
                label = Msg("{hop}, attempt {n}", hop=label, n=n).render(lang)
                if n < len(tries):
                    its_part = SENT_AGAIN.render(lang)
            rows.append(
                f"<tr><td {cell}>{html.escape(label)}</td>"
                f"<td {cell}>{html.escape(received)}</td>"
                f"<td {cell}>{html.escape(sent)}</td><td {cell}>{html.escape(its_part)}</td>"
                f"<td {cell}>{dur}</td></tr>"
            )
    why = Msg("why: {why}", why=html.escape(why_in(ex, lang))).render(lang) if says_why(ex) else ""
    why = f"<div>{why}</div>" if why else ""
    # the lab's own words about what the client saw (a body cut after the status line) in lang
    saw = html.escape(i18n.render(ex.client_error, lang)) if ex.client_error else ""
    client = f"<div>{Msg('client saw: {error}', error=saw).render(lang)}</div>" if saw else ""
    made_by = (
        Msg(
            " — made by the <b>{hop}</b>",
            hop=html.escape(i18n.render(hop_words(ex.generated_by), lang)),
        ).render(lang)
        if ex.generated_by
        else ""
    )
    told = i18n.sentences((t for e, t in CONNECTION_WORDS.items() if e in endings), lang)
    footnote = f"<p style='margin:4px 0'><small>{told}</small></p>" if told else ""
    # a heading never breaks inside its words: "时间（实测）" read "时间（实" above "测）"
    # where a long sent line left its column narrow
    heading = cell[:-1] + ";white-space:nowrap'"
    head = "".join(
        f"<th scope='col' {heading}>{h.render(lang)}</th>"
        for h in (
            Msg("hop"),
            Msg("received"),
            Msg("sent"),
            Msg("its part"),
            Msg("time (measured)", context="summary"),
        )
    )
    # a 2xx or 3xx whose body broke off is no success: marked as the picture draws it
    mark = "client_error" if cut_after_status(ex) else status_kind(ex.status)
    return (
        f"<div class='labkit-exchange'>{THEMED}"
        f"<div><code>{html.escape(ex.method)} {html.escape(ex.target)}</code> "
        f"<span style='font-weight:bold;border-left:4px solid {on_notebook(mark)};"
        f"padding-left:4px'>{html.escape(status)}</span>"
        f"{made_by}{Msg(' <small>({id})</small>', id=ex.id).render(lang)}</div>{why}{client}"
        f"<table><tr>{head}</tr>"
        + "".join(rows)
        + "</table>"
        + footnote
        + Picture(ex, lang)._repr_html_()
        + "</div>"
    )


# -- the inspector's tabs and the panels' pieces --


def table(
    rows: Sequence[tuple[str, ...]],
    head: tuple[str, ...],
    nowrap: tuple[int, ...] = (),
    *,
    name: str,
) -> str:
    """A plain table; the columns in ``nowrap`` (a status line) never break inside a cell.

    A table keeps its columns at any width (WCAG 1.4.10 lets a data table scroll): one wider
    than its panel scrolls sideways in a box of its own, named ``name`` and a Tab stop, so
    that a keyboard can scroll it, and the panel's controls and lines stay where they are.
    At 320 CSS px lesson 09's comparison (361 px) made the whole panel scroll sideways, its
    drop-down list and spoken line with it, until December 2026."""
    keep = " style='white-space:nowrap'"
    cells = "".join(
        "<tr>"
        + "".join(
            f"<td{keep if k in nowrap else ''}>{html.escape(str(c))}</td>" for k, c in enumerate(r)
        )
        + "</tr>"
        for r in rows
    )
    th = "".join(f"<th scope='col'>{html.escape(h)}</th>" for h in head)
    return (
        f"<div class='labkit-table-box' role='region' tabindex='0' "
        f"aria-label='{html.escape(name, quote=True)}' style='max-width:100%;overflow-x:auto'>"
        "<table class='labkit-table' style='border-collapse:collapse'>"
        f"<thead><tr>{th}</tr></thead><tbody>{cells}</tbody></table></div>"
    )


def lines_html(text: str) -> str:
    """Monospaced lines, each its own block, that wrap as a reader expects: a line too long
    for the output breaks between words and goes on under its own start, two columns in (a
    hanging indent), so the indentation that groups the lines still shows. In a <pre>
    JupyterLab broke such a line anywhere, mid-word, and went on at the left edge: lesson
    08's ``ex.observed()`` read "details="th" and then "e health checks mark both ..."
    under the headers' names, and the inspector's raw bytes of 502-no-colon showed a line
    'colon"; details=...' as if the gateway had sent one more header line."""
    rows = []
    for line in text.split("\n"):
        hang = len(line) - len(line.lstrip(" ")) + 2
        rows.append(
            f"<div style='padding-left:{hang}ch;text-indent:-{hang}ch'>"
            f"{html.escape(line) if line else '&nbsp;'}</div>"
        )
    style = (
        "font-family:var(--jp-code-font-family);font-size:var(--jp-code-font-size);"
        "line-height:var(--jp-code-line-height);white-space:pre-wrap;word-break:normal;"
        "overflow-wrap:anywhere"
    )
    return f"<div class='labkit-lines' style='{style}'>{''.join(rows)}</div>"


def shown(text: str, limit: int, unit: str, whole: str, lang: str = i18n.ENGLISH) -> str:
    """``text`` cut to ``limit``, with a note saying how much is shown and where the rest is
    (``unit`` already in ``lang``)."""
    if len(text) <= limit:
        return lines_html(text)
    cut = Msg(
        "Showing the first {limit} of {total} {unit}; {whole} shows them all.",
        limit=f"{limit:,}",
        total=f"{len(text):,}",
        unit=unit,
        whole=whole,
    )
    return lines_html(text[:limit]) + f"<p><i>{html.escape(cut.render(lang))}</i></p>"


def note(why: str) -> str:
    """What an empty tab says instead (why it is empty)."""
    return f"<p><i>{html.escape(why)}</i></p>"


def summary_html(ex: ExchangeView, lang: str | None = None) -> str:
    lang = lang or i18n.learner_language()
    info = list(notes.summary(ex, lang).items())[2:]  # status and reason are the heading
    return f"<h3 style='margin:4px 0'>{html.escape(status_words(ex, lang))}</h3>" + table(
        [(k, str(v)) for k, v in info],
        (Msg("what").render(lang), Msg("value").render(lang)),
        name=Msg("Summary").render(lang),
    )


HEADER_CASE = Msg(
    "Header names are case-insensitive (RFC 9110 5.1): "
    "<code>Content-Type</code> and <code>content-type</code> are the same header. "
    "They are shown as the client got them: a response the gateway relays keeps its header "
    "names as the upstream wrote them (as nginx does; HAProxy writes them in lower case, "
    "Caddy in Go's form, <code>X-Mixed-Case</code>, and so do those personalities), while "
    "the headers the gateway adds are written its own way."
)


def headers_html(ex: ExchangeView, lang: str | None = None) -> str:
    lang = lang or i18n.learner_language()
    head = (
        Msg("header").render(lang),
        Msg("value").render(lang),
        Msg("what it means").render(lang),
    )
    return f"<p class='labkit-hint'>{HEADER_CASE.render(lang)}</p>" + table(
        notes.explained_headers(ex, lang), head, name=Msg("Headers").render(lang)
    )


def body_html(body: str, lang: str | None = None) -> str:
    """The body as text (``ex.text``), cut to BODY_SHOWN characters."""
    lang = lang or i18n.learner_language()
    if not body:
        return f"<p>{Msg('(empty body)').render(lang)}</p>"
    return shown(body, BODY_SHOWN, Msg("characters").render(lang), "ex.text", lang)


def raw_html(ex: ExchangeView, lang: str | None = None) -> str:
    """Each hop's bytes in and out, every byte visible, cut to RAW_SHOWN characters each."""
    lang = lang or i18n.learner_language()
    parts = []
    for hop in ex.hops:
        if hop.role is Role.CLIENT:
            continue
        whole = f"ex.raw({hop.name!r})"
        for verb, data in (
            (Msg("{hop} received ({size} bytes)", hop=hop_words(hop.label)), hop.bytes_in),
            (Msg("{hop} sent ({size} bytes)", hop=hop_words(hop.label)), hop.bytes_out),
        ):
            heading = verb.bind(size=f"{len(data):,}").render(lang)
            parts.append(
                f"<h3 style='margin:6px 0 2px'>{html.escape(heading)}</h3>"
                + shown(
                    visible_bytes(data, lang),
                    RAW_SHOWN,
                    Msg("characters of the dump").render(lang),
                    whole,
                    lang,
                )
            )
    return "".join(parts)
