"""An exchange as an SVG sequence diagram: lanes for client, portal, gateway, origin/upstream.

Arrows carry the method and target going in and the status coming back; the hop
that made the final response is marked, a hop that failed is drawn in red, and each
answer shows how long that hop took, in milliseconds. Colour never carries meaning
alone: every arrow's words say what happened ("body cut off", "from the cache").
Labels wrap onto several lines instead of being cut; one too long even then ends in
"…" and keeps its full text as the hover title and in the text view.

Plain SVG (no scripts, no external fonts), so it renders in JupyterLab, VS Code and
static pages. In Jupyter it is shown inline in HTML, as an image with a text
alternative (the failing hop and the story), followed by the same story as text for
anyone who wants to read it; ``repr`` gives that story as plain text. Its colours follow
JupyterLab's theme (``palette.paint``): dark paper and light ink in a dark theme.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass

import labkit.i18n as i18n
from labkit.http.pages import hop_words
from labkit.i18n import Msg
from labkit.recorder import Kind, Role, Step
from labkit.render.palette import THEMED, paint, picture_kind
from labkit.render.text import attempts, columns, milliseconds, story, summary_line, wrap
from labkit.render.view import ExchangeView

__all__ = ["Picture", "alt_text", "cut_after_status", "failing_hop", "sequence_svg"]

LANE_W = 190
LINE_H = 14
ROW_H = 22  # plus LINE_H per label line
TOP = 50
WRAP = 28  # characters per label line (12 px sans-serif fits about 30 in a lane)
# Lines a label may take before it is cut (its full text then on hover and in the text view).
# No label a lesson draws is cut: the body-cut 200's, with the upstream's byte counts ('200 OK
# (body cut off: the upstream closed the connection after 10 of the 100 bytes its
# Content-Length announced)'), takes 5 (3 would cut the 100 bytes announced).
MAX_LINES = 6
# characters of a lane's name on one line: its box is LANE_W - 12 = 178 px, and 12 px
# sans-serif drew "upstream 'huge-headers' ✗ failed" (32) about 179 px wide, over the box's
# edges ("upstream 'bad-transfer-encoding' ✗ fai" was cut); a longer name takes two lines
LANE_WRAP = 28
# under the picture when it shows durations: they are the clock's, not configured values
MEASURED_NOTE = Msg("ms: measured times, they vary from run to run")


@dataclass
class _Arrow:
    src: int
    dst: int
    label: str
    colour: str  # a kind of palette.PictureColours
    dashed: bool = False
    note: str = ""
    cross: bool = False


def _lanes_and_arrows(
    ex: ExchangeView, lang: str = i18n.ENGLISH
) -> tuple[list[str], list[_Arrow], set[int], int | None]:
    hops = [h for h in ex.hops if h.role is not Role.CLIENT]
    lanes = ["client"] + [h.label for h in hops]  # the hops' names, as code names them
    reached = {h.name for h in hops}  # hops that recorded something, and upstreams drawn
    events = sorted(
        ((ev, i + 1) for i, h in enumerate(hops) for ev in h.events if ev.kind is not Kind.LOG),
        key=lambda pair: pair[0].at,
    )
    arrows: list[_Arrow] = []
    failed: set[int] = set()
    made: int | None = None
    cached: set[int] = set()
    final_error = ex.status is None or ex.status >= 500 or ex.client_error is not None
    # a hop's measured time goes under its last answer only (a retried upstream answers twice)
    last_sent = {lane: ev for ev, lane in events if ev.kind is Kind.SENT}
    for ev, lane in events:
        hop = hops[lane - 1]
        if ev.kind is Kind.RECEIVED:
            # a request refused before it was parsed has its summary (a Said) instead: in lang
            label = i18n.render(ev.request_line, lang)
            if ev.method and ev.version and ev.version != "1.1":
                # the version, where it is not the HTTP/1.1 every hop of the lab speaks: the
                # 505's picture drew "GET /orders/7" for GET /orders/7 HTTP/2.0, its cause
                label += f" HTTP/{ev.version}"
            arrows.append(_Arrow(lane - 1, lane, label, "muted"))
        elif ev.kind is Kind.SENT:
            status = ev.status
            label = i18n.render(ev.summary, lang)  # a Said (a gateway's note) in lang
            final = hop.generated and made is None and hop.label == ex.generated_by
            if final:
                made = lane
            colour = picture_kind(status)  # failed (5xx, none), incomplete (4xx) or ok
            if colour != "failed":
                if ev.cut or (ex.client_error and colour == "ok"):
                    colour = "incomplete"  # a 200 whose body broke off is not a success
                    if not ev.cut:
                        label += Msg(" (body incomplete)").render(lang)
                elif hop.generated and not final and final_error:
                    colour = "failed"  # an answer the gateway rejected
                    label += Msg(" (rejected by the gateway)").render(lang)
            if lane in cached:
                label += Msg(" from its cache").render(lang)
            got = attempts(hop)[-1][0]  # the last attempt's request: its own time, as the table
            dur = max(0.0, ev.at - got.at) if last_sent[lane] is ev and got else None
            arrows.append(
                _Arrow(
                    lane, lane - 1, label, colour, note=milliseconds(dur) if dur is not None else ""
                )
            )
        elif ev.kind is Kind.CACHE:
            cached.add(lane)
            lanes[lane] = Msg("{hop} (cache)", hop=lanes[lane]).render(lang)  # CACHE_LANE
        elif ev.attempt is not None and ev.attempt.step is Step.FAILED:
            target = ev.attempt.target
            if target is not None and target not in reached:  # never reached: connect failed
                reached.add(target)
                lanes.append(f"upstream {target!r}")
                arrows.append(
                    _Arrow(
                        lane,
                        len(lanes) - 1,
                        i18n.render(ev.attempt.detail, lang),  # what was observed, a Said
                        "failed",
                        dashed=True,
                        cross=True,
                    )
                )
                failed.add(len(lanes) - 1)
    # the culprit: a gateway or portal error points at the hop behind it. A portal's 511 has
    # none: the portal answered as it is there to, until the client logs in (lesson 07 says
    # so beside a picture that drew "portal ✗ failed" until December 2026)
    if made is not None and ex.status == 511 and hops[made - 1].role is Role.PORTAL:
        pass
    elif _refused(ex) and made is not None:
        pass  # the hop that made it is marked as refusing (sequence_svg), not failed
    elif made is not None and ex.status is not None and ex.status >= 500:
        behind = made + 1
        proxy = hops[made - 1].role in (Role.GATEWAY, Role.PORTAL)
        failed.add(behind if behind < len(lanes) and proxy else made)
    elif made is not None and cut_after_status(ex):
        failed.add(made)  # its body broke off: the hop the text alternative names
    return lanes, arrows, failed, made


# A 501 or 505 is the server's right answer to a method or a version it does not implement
# (lessons 02 and 06): the picture drew "origin ✗ failed" for the origin refusing BREW or
# HTTP/2.0 as designed. The hop that made it is marked "refused" instead, in ink.
REFUSALS = (501, 505)


def _refused(ex: ExchangeView) -> bool:
    """A refusal of the request as sent, made by the hop that could not serve it."""
    return ex.status in REFUSALS and ex.client_error is None


def cut_after_status(ex: ExchangeView) -> bool:
    """A 2xx or 3xx whose body broke off after its status line (drawn "body cut off")."""
    return bool(ex.client_error) and ex.status is not None and ex.status < 400


def _lines(text: str) -> tuple[list[str], bool]:
    """The label wrapped to lane width; True when even that had to be cut."""
    lines = wrap(text, WRAP) or [""]
    if len(lines) <= MAX_LINES:
        return lines, False
    last = lines[MAX_LINES - 1]
    while last and columns(last) > WRAP - 1:
        last = last[:-1]
    return [*lines[: MAX_LINES - 1], last + "…"], True


def _lane_lines(name: str, failed: bool, lang: str, *, refused: bool = False) -> list[str]:
    """A lane's name (and its failed or refused mark) in lines that fit its box: one if it can."""
    mark = (
        Msg(" ✗ failed").render(lang)
        if failed
        else Msg(" (refused)").render(lang)
        if refused
        else ""
    )
    whole = name + mark
    if columns(whole) <= LANE_WRAP:
        return [whole]
    return [*(wrap(name, LANE_WRAP) or [name]), *([mark.strip()] if mark else [])]


CACHE_LANE = " (cache)"  # what a cached lane's name ends with in English (failing_hop's)


def failing_hop(ex: ExchangeView) -> str | None:
    """The hop the picture marks as the culprit, in words (None when nothing failed)."""
    lanes, _, failed, _ = _lanes_and_arrows(ex)
    return lanes[min(failed)] if failed else None


def _said(lane: str) -> i18n.Text:
    """A lane's name as a sentence says it (pages.hop_words): failing_hop's "gateway (cache)"
    is the gateway's cache."""
    hop, cache, _ = lane.partition(CACHE_LANE)
    return Msg("{hop} (cache)", hop=hop_words(hop)) if cache else hop_words(hop)


def alt_text(ex: ExchangeView, lang: str | None = None) -> str:
    """One sentence for a screen reader: what happened and which hop failed, in ``lang``
    (default: the learner's language)."""
    lang = lang or i18n.learner_language()
    culprit = failing_hop(ex)
    where = Msg(" The failing hop: {hop}.", hop=_said(culprit)).render(lang) if culprit else ""
    if _refused(ex) and ex.generated_by:
        where = Msg(
            " The {hop} refused the request: not a failure, the answer it owes.",
            hop=hop_words(ex.generated_by),
        ).render(lang)
    if cut_after_status(ex):
        # a 2xx or 3xx whose body broke off (drawn "body cut off"): the hop that made it
        where = Msg(
            " The failing hop: {hop}, whose body broke off after the status line.",
            hop=hop_words(ex.generated_by or ""),
        ).render(lang)
    return Msg(
        "Sequence diagram of {summary}.{where}", summary=summary_line(ex, lang), where=where
    ).render(lang)


# A picture or chart shrinks to fit its column by a twelfth at most (its 12 px words drawn no
# smaller than 11 px): a 570 px sequence picture in JupyterLab's 568 px output area (a 1000 px
# window, the file browser open) scrolled 2 px sideways. A narrower column (200% zoom: 272 px)
# draws it at that least size, its figure scrolling sideways, so that zooming still enlarges
# its words: JupyterLab's `svg, img {max-width: 100%}` drew it 252 px wide, no larger than
# unzoomed, until December 2026.
SHRINK = 11 / 12


# The words drawn across a lifeline (who made the answer, centred under its hop's lane; the
# note on measured times, across the client's) on a rim of the paper's colour, drawn under
# them: the dashed line struck through "made the 503 here" and "measured times" until
# December 2026 (seen at 200% zoom in both themes).
HALO = "stroke-width='4' stroke-linejoin='round' paint-order='stroke'"


def fitted(width: int) -> str:
    """The CSS style of a picture or chart ``width`` px wide in a notebook's output area."""
    return f"max-width:100%;min-width:{math.floor(width * SHRINK)}px;height:auto"


def sequence_svg(ex: ExchangeView, lang: str | None = None, *, fit: bool = False) -> str:
    """The picture, its words in ``lang`` (default: the learner's language); ``fit``: styled
    to fit a notebook's column (``fitted``), as it is shown inline."""
    lang = lang or i18n.learner_language()
    lanes, arrows, failed, made = _lanes_and_arrows(ex, lang)
    wrapped = [_lines(a.label) for a in arrows]
    names = [
        _lane_lines(name, i in failed, lang, refused=i == made and _refused(ex))
        for i, name in enumerate(lanes)
    ]
    taller = LINE_H * (max(len(lines) for lines in names) - 1)  # every lane box as tall
    rows_y = []
    y = TOP + taller
    for lines, _ in wrapped:
        y += LINE_H * len(lines)
        rows_y.append(y)
        y += ROW_H
    width = LANE_W * len(lanes)
    measured = any(a.note for a in arrows)  # a duration under an answer: say what it is
    bottom = y + 14  # the line under the last arrow: who made the answer
    height = y + 24 + (LINE_H if measured else 0)
    x = [LANE_W * i + LANE_W // 2 for i in range(len(lanes))]
    out = [
        f"<svg xmlns='http://www.w3.org/2000/svg'{f' style={fitted(width)!r}' if fit else ''} "
        f"width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' font-family='sans-serif' font-size='12' role='img' "
        f"aria-label='{html.escape(alt_text(ex, lang), quote=True)}'>",
        f"<title>{html.escape(alt_text(ex, lang))}</title>",
        f"<desc>{html.escape(story(ex, lang))}</desc>",
        "<defs><marker id='a' markerWidth='8' markerHeight='8' refX='7' refY='4' orient='auto'>"
        "<path d='M0,0 L8,4 L0,8 z' fill='context-stroke'/></marker></defs>",
        f"<rect width='{width}' height='{height}' {paint(fill='paper')}/>",
    ]
    for i, lines in enumerate(names):
        colour = "failed" if i in failed else "ink"
        spans = (  # one line as plain text, more as tspans under each other
            html.escape(lines[0])
            if len(lines) == 1
            else "".join(
                f"<tspan x='{x[i]}' dy='{LINE_H if n else 0}'>{html.escape(line)}</tspan>"
                for n, line in enumerate(lines)
            )
        )
        out.append(
            f"<rect x='{x[i] - LANE_W // 2 + 6}' y='8' width='{LANE_W - 12}' "
            f"height='{24 + taller}' rx='4' {paint(fill='lane', stroke=colour)} "
            f"stroke-width='{2 if i in failed else 1}'/>"
            f"<text x='{x[i]}' y='{25 + (taller - LINE_H * (len(lines) - 1)) // 2}' "
            f"text-anchor='middle' {paint(fill=colour)}>{spans}</text>"
            f"<line x1='{x[i]}' y1='{32 + taller}' x2='{x[i]}' y2='{height - 8}' "
            f"{paint(stroke='lifeline')} stroke-dasharray='3,3'/>"
        )
    for a, (lines, cut), y in zip(arrows, wrapped, rows_y, strict=True):
        x1, x2 = x[a.src], x[a.dst]
        end = x2 - 6 if x2 > x1 else x2 + 6
        dash = " stroke-dasharray='5,4'" if a.dashed else ""
        out.append(
            f"<line x1='{x1}' y1='{y}' x2='{end}' y2='{y}' {paint(stroke=a.colour)} stroke-width='1.5' "
            f"marker-end='url(#a)'{dash}/>"
        )
        hover = f"<title>{html.escape(a.label)}</title>" if cut else ""
        for n, line in enumerate(lines):
            ty = y - 5 - LINE_H * (len(lines) - 1 - n)
            out.append(
                f"<text x='{(x1 + x2) / 2}' y='{ty}' text-anchor='middle' {paint(fill=a.colour)}>"
                f"{html.escape(line)}{hover}</text>"
            )
        if a.note:
            out.append(
                f"<text x='{x1 + (8 if x2 < x1 else -8)}' y='{y + 13}' font-size='11' "
                f"text-anchor='{'start' if x2 < x1 else 'end'}' {paint(fill='muted')}>"
                f"{html.escape(a.note)}</text>"
            )
        if a.cross:
            out.append(
                f"<text x='{x2}' y='{y + 5}' text-anchor='middle' font-size='16' "
                f"{paint(fill='failed')}>✗</text>"
            )
    if made is not None:
        what = (
            Msg("made the {status} here", status=ex.status)
            if ex.status is not None
            else Msg("sent raw bytes, no status line")
        ).render(lang)
        kind = "incomplete" if cut_after_status(ex) else picture_kind(ex.status)
        out.append(
            f"<text x='{x[made]}' y='{bottom}' text-anchor='middle' font-weight='bold' "
            f"{paint(fill=kind, stroke='paper')} {HALO}>{html.escape(what)}</text>"
        )
    if measured:
        out.append(
            f"<text x='6' y='{height - 6}' font-size='11' {paint(fill='muted', stroke='paper')} "
            f"{HALO}>{html.escape(MEASURED_NOTE.render(lang))}</text>"
        )
    out.append("</svg>")
    return _xml_chars("".join(out))


# XML 1.0 (section 2.2) forbids these characters outright: no escape exists for them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_chars(text: str) -> str:
    """Replace every character XML 1.0 forbids with a visible stand-in.

    A control byte from a request (NUL, ESC, ...) becomes its Unicode control picture
    (U+2400 + byte: NUL shows as ␀); a lone surrogate, U+FFFE or U+FFFF becomes U+FFFD.
    """
    return _NOT_XML.sub(
        lambda m: chr(0x2400 + ord(m.group())) if m.group() < " " else "\ufffd", text
    )


class Picture:
    """Displays as inline SVG with a text alternative in Jupyter; as text elsewhere. Its
    words are in ``lang``; without one, in the learner's language when it is drawn."""

    def __init__(self, exchange: ExchangeView, lang: str | None = None) -> None:
        self.exchange = exchange
        self.lang = lang

    def _repr_svg_(self) -> str:
        return sequence_svg(self.exchange, self.lang)

    def _repr_html_(self) -> str:
        """Inline SVG (JupyterLab draws a bare SVG output as an ``<img>`` with no ``alt``)."""
        lang = self.lang or i18n.learner_language()
        return (
            f"<figure class='labkit-picture' style='margin:0;max-width:100%;overflow-x:auto'>{THEMED}"
            f"{sequence_svg(self.exchange, lang, fit=True)}"
            f"<details><summary>{Msg('The same story as text').render(lang)}</summary>"
            f"<pre>{html.escape(story(self.exchange, lang))}</pre></details></figure>"
        )

    def __repr__(self) -> str:
        return story(self.exchange, self.lang)
