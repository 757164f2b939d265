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

# -- ink and paper of the picture and the charts in the light theme (PICTURE_DARK: the dark) --
PAPER = "white"
INK = "#222"  # lane names; the timeout and capacity lines
MUTED = "#555"  # a request going in; a hop's duration
LANE = "#f4f4f4"  # the box that names a lane
LIFELINE = "#bbb"  # the dashed line under a lane (decoration: the arrows carry the story)


# -- marks drawn straight on the notebook (the bar beside a status, a verdict, a hint): one colour
# for each theme, since the notebook's background is white in JupyterLab Light and near-black in
# JupyterLab Dark. The HTML writes ``on_notebook(kind)``, a CSS variable whose fallback is the
# light colour; ``THEMED`` sets the dark ones where JupyterLab marks its theme dark
# (``<body data-jp-theme-light="false">``, which every JupyterLab and Notebook 7 theme sets).
@dataclass(frozen=True)
class MarkColours:
    ok: str  # a 2xx or 3xx; a solved exercise; a correct answer
    failed: str  # a 5xx or no answer; a wrong answer; a warning
    client_error: str  # a 4xx or a 2xx whose body broke off; an exercise tried but not solved
    neutral: str  # an exercise not tried; a question not answered
    info: str  # a hint or a solution


ON_LIGHT = MarkColours(
    ok=OK, failed=FAILED, client_error=CLIENT_ERROR, neutral="#767676", info=IN_TIME
)
ON_DARK = MarkColours(
    ok="#4caf50", failed="#ff6b6b", client_error="#f0a040", neutral="#9e9e9e", info="#7aa7ff"
)

# The backgrounds an output sits on in JupyterLab's themes: --jp-layout-color0 (the notebook)
# and --jp-layout-color1 (cells, widget panels). tests/test_render.py reads them from the
# installed JupyterLab's theme CSS, so they cannot drift from what JupyterLab paints.
LIGHT_BACKGROUNDS = ("#ffffff", "#ffffff")
DARK_BACKGROUNDS = ("#111111", "#212121")
# JupyterLab Dark High Contrast (shipped with JupyterLab, dark too): the dark marks on these
DARK_HIGH_CONTRAST_BACKGROUNDS = ("#111111", "#111111")

MARK_KINDS = tuple(MarkColours.__dataclass_fields__)


# -- the pictures (SVG sequence diagrams) and charts: light paper in JupyterLab's light themes,
# dark paper in its dark ones, so that a picture is not a white slab in a dark notebook. The SVG
# writes each colour as the light one (for a renderer without CSS) with ``paint``'s CSS variable
# over it; ``THEMED`` sets the dark ones. A chart (a PNG) is drawn once in each palette.
@dataclass(frozen=True)
class PictureColours:
    paper: str  # the background
    ink: str  # lane names; the timeout and capacity lines; a chart's words and axes
    muted: str  # a request going in; a hop's duration
    lane: str  # the box that names a lane
    lifeline: str  # the dashed line under a lane (decoration)
    ok: str  # an answer that arrived whole; served requests
    failed: str  # a failed answer or hop; shed requests
    incomplete: str  # a 4xx or a cut-off body, in words
    in_time: str  # a hop's bar in the timeline that did not fail


PICTURE_LIGHT = PictureColours(
    paper=PAPER,
    ink=INK,
    muted=MUTED,
    lane=LANE,
    lifeline=LIFELINE,
    ok=OK,
    failed=FAILED,
    incomplete=INCOMPLETE,
    in_time=IN_TIME,
)
PICTURE_DARK = PictureColours(
    paper="#1b1b1b",
    ink="#e8e8e8",
    muted="#b8b8b8",
    lane="#2f2f2f",
    lifeline="#6a6a6a",
    ok="#5cc160",
    failed="#ff7b7b",
    incomplete="#f0a040",
    in_time="#7aa7ff",
)
PICTURE_KINDS = tuple(PictureColours.__dataclass_fields__)


def _picture_var(kind: str) -> str:
    if kind not in PICTURE_KINDS:
        raise ValueError(f"kind must be one of {PICTURE_KINDS}, not {kind!r}")
    return f"--labkit-picture-{kind.replace('_', '-')}"


def paint(*, fill: str = "", stroke: str = "") -> str:
    """An SVG element's colour attributes, each a kind of ``PictureColours``: the light colour
    as the attribute, and the theme's through a CSS variable in ``style``, which wins."""
    attrs, style = [], []
    for prop, kind in (("fill", fill), ("stroke", stroke)):
        if kind:
            light = getattr(PICTURE_LIGHT, kind)
            attrs.append(f"{prop}='{light}'")
            style.append(f"{prop}:var({_picture_var(kind)}, {light})")
    return " ".join(attrs) + f" style='{';'.join(style)}'"


def on_notebook(kind: str) -> str:
    """The CSS colour of a mark of this kind drawn on the notebook: light unless ``THEMED``
    says the theme is dark."""
    if kind not in MARK_KINDS:
        raise ValueError(f"kind must be one of {MARK_KINDS}, not {kind!r}")
    return f"var(--labkit-{kind.replace('_', '-')}, {getattr(ON_LIGHT, kind)})"


def status_kind(status: int | None) -> str:
    """The kind of mark beside a status line: failed (5xx or none), client error (4xx) or ok.
    The one place a status gets its class; ``picture_kind`` says it in the picture's kinds."""
    if status is None or status >= 500:
        return "failed"
    return "client_error" if status >= 400 else "ok"


def picture_kind(status: int | None) -> str:
    """A status's class in the picture's kinds (``PictureColours``), where a 4xx is written
    in ``incomplete``, as the words of an answer that is not a success are."""
    kind = status_kind(status)
    return "incomplete" if kind == "client_error" else kind


THEMED = (
    "<style>body[data-jp-theme-light='false'] {"
    + " ".join(f"--labkit-{k.replace('_', '-')}: {getattr(ON_DARK, k)};" for k in MARK_KINDS)
    + " "
    + " ".join(f"{_picture_var(k)}: {getattr(PICTURE_DARK, k)};" for k in PICTURE_KINDS)
    + "}</style>"
)
# A chart is a PNG in each palette: the one for the theme shows, the other is not rendered (so
# a screen reader meets one image and one text alternative)
CHART_THEMED = (
    "<style>.labkit-on-dark {display: none;} "
    "body[data-jp-theme-light='false'] .labkit-on-dark {display: block;} "
    "body[data-jp-theme-light='false'] .labkit-on-light {display: none;}</style>"
)


# -- the notebook's theme: JupyterLab's own variables, so panels follow its light or dark theme --
JP_TEXT = "var(--jp-ui-font-color0)"
JP_TEXT_SOFT = "var(--jp-ui-font-color1)"  # hints under a control
JP_TEXT_FAINT = "var(--jp-ui-font-color2)"  # the edge of a plain button in the dark theme
JP_ERROR = "var(--jp-error-color1)"  # the bar beside an error message
JP_BORDER = "var(--jp-border-color1)"  # the frame around a lesson's switches
# a number box (labkit/widgets/number.py): as ipywidgets draws its own text boxes
JP_INPUT_TEXT = "var(--jp-widgets-input-color)"
JP_INPUT_PAPER = "var(--jp-widgets-input-background-color)"
JP_INPUT_BORDER = "var(--jp-widgets-input-border-color)"
JP_LABEL = "var(--jp-widgets-label-color, var(--jp-ui-font-color1))"
# a control that does not apply now (a disabled box), dimmed as ipywidgets dims its own
JP_DISABLED = "var(--jp-widgets-disabled-opacity, 0.6)"
# the filled part of a progress bar (widgets/progress.py)
JP_ACCENT = "var(--jp-brand-color1)"


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
    (OK, PAPER, 3.0, "charts: served requests"),
    *(
        pair
        for theme, pic in (("dark", PICTURE_DARK),)
        for pair in (
            (pic.ok, pic.paper, 4.5, f"picture ({theme}): an answer that arrived whole"),
            (pic.failed, pic.paper, 4.5, f"picture ({theme}): a failed answer"),
            (pic.failed, pic.lane, 4.5, f"picture ({theme}): the failed hop's name"),
            (pic.incomplete, pic.paper, 4.5, f"picture ({theme}): a 4xx or a cut-off body"),
            (pic.muted, pic.paper, 4.5, f"picture ({theme}): a request going in, a duration"),
            (pic.ink, pic.lane, 4.5, f"picture ({theme}): a lane's name"),
            (pic.ink, pic.paper, 4.5, f"charts ({theme}): words, timeout and capacity lines"),
            (pic.failed, pic.paper, 3.0, f"charts ({theme}): a failed bar, shed requests"),
            (pic.in_time, pic.paper, 3.0, f"charts ({theme}): a hop's bar"),
            (pic.ok, pic.paper, 3.0, f"charts ({theme}): served requests"),
        )
    ),
    *(
        (getattr(marks, kind), background, 3.0, f"notebook ({theme}): a {kind} bar")
        for theme, marks, backgrounds in (
            ("light", ON_LIGHT, LIGHT_BACKGROUNDS),
            ("dark", ON_DARK, DARK_BACKGROUNDS),
            ("dark high contrast", ON_DARK, DARK_HIGH_CONTRAST_BACKGROUNDS),
        )
        for kind in MARK_KINDS
        for background in backgrounds
    ),
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
