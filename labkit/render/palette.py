"""Every colour labkit draws with, defined once.

The SVG picture, the charts, the exchange's HTML, the widgets' panels and the
instructor's board take their colours from here, so a status looks the same
everywhere and a colour is changed in one place (tests/test_render.py fails if a
colour is written anywhere else in the package).

Colour never carries meaning alone: the words say what happened, the colour says it
again for those who see it. Words keep a contrast of at least 4.5:1 against what they
are drawn on, and marks (bars, borders, lines) at least 3:1 (WCAG 2.2, 1.4.3 and
1.4.11); ``CONTRAST`` lists each pair, and the test measures them.
"""

from __future__ import annotations

from dataclasses import dataclass

# -- what a colour says about an answer (the status classes) --
OK = "#1b7f3b"  # a 2xx or 3xx that arrived whole; a solved exercise
FAILED = "#b00020"  # a 5xx, no answer at all, a failed hop, an answer the gateway rejected
CLIENT_ERROR = "#b35900"  # a 4xx, as a bar beside its status line
INCOMPLETE = "#8a4500"  # a 4xx or a body cut off, in words (darker than the bar: it is text)
IN_TIME = "#3060c0"  # a hop's bar in the timeline that did not fail

# -- ink and paper of the picture and the charts: they draw on white in either theme --
PAPER = "white"
INK = "#222"  # lane names; the timeout and capacity lines
MUTED = "#555"  # a request going in; a hop's duration
LANE = "#f4f4f4"  # the box that names a lane
LIFELINE = "#bbb"  # the dashed line under a lane (decoration: the arrows carry the story)


def for_status(status: int | None) -> str:
    """The bar beside a status line: failed (5xx or none), client error (4xx) or OK."""
    if status is None or status >= 500:
        return FAILED
    if status >= 400:
        return CLIENT_ERROR
    return OK


# -- the notebook's theme: JupyterLab's own variables, so panels follow its light or dark theme --
JP_TEXT = "var(--jp-ui-font-color0)"
JP_TEXT_SOFT = "var(--jp-ui-font-color1)"  # hints under a control
JP_ERROR = "var(--jp-error-color1)"  # the bar beside an error message
JP_BORDER = "var(--jp-border-color1)"  # the frame around a lesson's switches


# -- the instructor's board: a page of its own, light or dark as the browser prefers --
@dataclass(frozen=True)
class PageColours:
    text: str
    background: str
    head: str  # the table's header row
    solved: str  # a cell's background
    tried: str  # a cell's background
    not_tried: str  # a cell's text


BOARD_LIGHT = PageColours(
    text="#111", background="#fff", head="#eee", solved="#d8f0dc", tried="#fde9c8", not_tried="#444"
)
BOARD_DARK = PageColours(
    text="#eee", background="#111", head="#333", solved="#1d4a27", tried="#5a3d0a", not_tried="#ccc"
)
BOARD_RULE = "#888"  # the table's cell borders, in both themes

# (foreground, background, minimum ratio, where): every pair of colours labkit draws together
CONTRAST: list[tuple[str, str, float, str]] = [
    (OK, PAPER, 4.5, "picture: an answer that arrived whole"),
    (FAILED, PAPER, 4.5, "picture: a failed answer; the culprit's note"),
    (FAILED, LANE, 4.5, "picture: the failed hop's name"),
    (INCOMPLETE, PAPER, 4.5, "picture: a 4xx or a cut-off body"),
    (MUTED, PAPER, 4.5, "picture: a request going in, a duration"),
    (INK, LANE, 4.5, "picture: a lane's name"),
    (INK, PAPER, 3.0, "charts: timeout and capacity lines"),
    (FAILED, PAPER, 3.0, "charts: a failed hop's bar, shed requests"),
    (IN_TIME, PAPER, 3.0, "charts: a hop's bar"),
    (OK, PAPER, 3.0, "charts: served requests; exchange (light theme): the bar beside a 2xx"),
    (CLIENT_ERROR, PAPER, 3.0, "exchange (light theme): the bar beside a 4xx"),
    *(
        pair
        for theme, page in (("light", BOARD_LIGHT), ("dark", BOARD_DARK))
        for pair in (
            (page.text, page.background, 4.5, f"board ({theme}): text"),
            (page.text, page.head, 4.5, f"board ({theme}): header row"),
            (page.text, page.solved, 4.5, f"board ({theme}): a solved cell"),
            (page.text, page.tried, 4.5, f"board ({theme}): a tried cell"),
            (page.not_tried, page.background, 4.5, f"board ({theme}): a cell not tried"),
        )
    ),
    (BOARD_RULE, BOARD_LIGHT.background, 3.0, "board (light): cell borders"),
    (BOARD_RULE, BOARD_DARK.background, 3.0, "board (dark): cell borders"),
]
