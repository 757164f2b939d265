"""An exchange as an SVG sequence diagram: lanes for client, portal, gateway, origin/upstream.

Arrows carry the method and target going in and the status coming back; the hop
that made the final response is marked, a hop that failed is drawn in red, and each
answer shows how long that hop took. Plain SVG (no scripts, no external fonts), so it
renders in JupyterLab, VS Code and static pages; ``repr`` gives the same story as text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from labkit.exchange import Exchange, _seconds

LANE_W = 170
ROW_H = 34
TOP = 58
RED = "#b00020"
GREEN = "#1b7f3b"
GREY = "#555"


@dataclass
class _Arrow:
    src: int
    dst: int
    label: str
    colour: str
    dashed: bool = False
    note: str = ""
    cross: bool = False


def _lanes_and_arrows(ex: Exchange) -> tuple[list[str], list[_Arrow], set[int], int | None]:
    hops = [h for h in ex.hops if h.role != "client"]
    lanes = ["client"] + [h.label for h in hops]
    events = sorted(
        ((ev, i + 1) for i, h in enumerate(hops) for ev in h.events if ev.kind != "log"),
        key=lambda pair: pair[0].at,
    )
    arrows: list[_Arrow] = []
    failed: set[int] = set()
    made: int | None = None
    for ev, lane in events:
        hop = hops[lane - 1]
        if ev.kind == "received":
            arrows.append(_Arrow(lane - 1, lane, _short(ev.summary.rsplit(" HTTP/", 1)[0]), GREY))
        elif ev.kind == "sent":
            status = ev.status
            colour = (
                RED if status is None or status >= 500 else (GREEN if status < 400 else "#b35900")
            )
            label = _short(ev.summary)
            if hop.generated and made is None and hop.label == ex.generated_by:
                made = lane
            dur = hop.duration
            arrows.append(_Arrow(lane, lane - 1, label, colour,
                                 note=_seconds(dur) if dur is not None else ""))  # fmt: skip
        elif ev.kind == "upstream":
            m = re.match(r"upstream '([^']+)': (.*)", ev.summary)
            reached = {h.name for h in hops} | {ln.split("'")[1] for ln in lanes if "'" in ln}
            if m and m.group(1) not in reached:  # never reached: a connect that failed
                lanes.append(f"upstream {m.group(1)!r}")
                arrows.append(_Arrow(lane, len(lanes) - 1, _short(m.group(2)), RED,
                                     dashed=True, cross=True))  # fmt: skip
                failed.add(len(lanes) - 1)
    # the culprit: a gateway or portal error points at the hop behind it
    if made is not None and ex.status is not None and ex.status >= 500:
        behind = made + 1
        failed.add(behind if behind < len(lanes) and lanes[made] in ("gateway", "portal") else made)
    return lanes, arrows, failed, made


def _short(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def sequence_svg(ex: Exchange) -> str:
    lanes, arrows, failed, made = _lanes_and_arrows(ex)
    width = LANE_W * len(lanes)
    height = TOP + ROW_H * (len(arrows) + 1)
    x = [LANE_W * i + LANE_W // 2 for i in range(len(lanes))]
    out = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' font-family='sans-serif' font-size='12'>",
        f"<title>{html.escape(ex.summary_line())}</title>",
        "<defs><marker id='a' markerWidth='8' markerHeight='8' refX='7' refY='4' orient='auto'>"
        "<path d='M0,0 L8,4 L0,8 z' fill='context-stroke'/></marker></defs>",
        f"<rect width='{width}' height='{height}' fill='white'/>",
    ]
    for i, name in enumerate(lanes):
        colour = RED if i in failed else "#222"
        out.append(
            f"<rect x='{x[i] - 70}' y='8' width='140' height='24' rx='4' fill='#f4f4f4' "
            f"stroke='{colour}' stroke-width='{2 if i in failed else 1}'/>"
            f"<text x='{x[i]}' y='25' text-anchor='middle' fill='{colour}'>{html.escape(name)}</text>"
            f"<line x1='{x[i]}' y1='32' x2='{x[i]}' y2='{height - 8}' stroke='#bbb' "
            "stroke-dasharray='3,3'/>"
        )
    for row, a in enumerate(arrows):
        y = TOP + ROW_H * row
        x1, x2 = x[a.src], x[a.dst]
        end = x2 - 6 if x2 > x1 else x2 + 6
        dash = " stroke-dasharray='5,4'" if a.dashed else ""
        out.append(
            f"<line x1='{x1}' y1='{y}' x2='{end}' y2='{y}' stroke='{a.colour}' stroke-width='1.5' "
            f"marker-end='url(#a)'{dash}/>"
            f"<text x='{(x1 + x2) / 2}' y='{y - 5}' text-anchor='middle' fill='{a.colour}'>"
            f"{html.escape(a.label)}</text>"
        )
        if a.note:
            out.append(
                f"<text x='{x1 + (8 if x2 < x1 else -8)}' y='{y + 13}' font-size='10' "
                f"text-anchor='{'start' if x2 < x1 else 'end'}' fill='{GREY}'>{html.escape(a.note)}</text>"
            )
        if a.cross:
            out.append(
                f"<text x='{x2}' y='{y + 5}' text-anchor='middle' font-size='16' fill='{RED}'>✗</text>"
            )
    if made is not None:
        what = (
            f"made the {ex.status} here"
            if ex.status is not None
            else "sent raw bytes, no status line"
        )
        out.append(
            f"<text x='{x[made]}' y='{height - 12}' text-anchor='middle' font-weight='bold' "
            f"fill='{RED if (ex.status or 500) >= 500 else GREEN}'>{html.escape(what)}</text>"
        )
    out.append("</svg>")
    return "".join(out)


class Picture:
    """Displays as SVG in Jupyter; as text elsewhere."""

    def __init__(self, exchange: Exchange) -> None:
        self.exchange = exchange

    def _repr_svg_(self) -> str:
        return sequence_svg(self.exchange)

    def __repr__(self) -> str:
        return repr(self.exchange)
