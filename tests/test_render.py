"""One rendering package with one palette: colours are defined once and stay readable."""

from __future__ import annotations

import ast
import dataclasses
import re
import shutil
import sys
import warnings
from pathlib import Path

import pytest

import labkit
from labkit import i18n, scenarios
from labkit.render import charts, html, notes, palette, svg, text

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "labkit"

# A colour written as a literal: #rgb, #rrggbb or #rrggbbaa (not an HTML entity such as &#39;),
# rgb()/hsl(), one of JupyterLab's colour variables, or a quoted colour keyword.
COLOUR = re.compile(
    r"(?<![&\w])#(?:[0-9a-fA-F]{8}|[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b"
    r"|\b(?:rgba?|hsla?)\("
    r"|var\(--jp-[\w-]*colou?r[\w-]*\)"
    r"""|(?<=['"=:])(?:white|black|red|green|blue|orange|grey|gray)\b(?=['";}])"""
)


def _colours_outside_the_palette(package: Path = PACKAGE) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(package.rglob("*.py")):
        where = path.relative_to(package).as_posix()
        if where == "render/palette.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("  # ", 1)[0] if not line.lstrip().startswith("#") else ""
            if COLOUR.search(code):
                found.setdefault(where, []).append(f"{n}: {line.strip()}")
    return found


def test_every_colour_is_written_once_in_the_palette() -> None:
    found = _colours_outside_the_palette()
    assert not found, "colours written outside labkit/render/palette.py:\n" + "\n".join(
        f"labkit/{where}:{line}" for where, lines in found.items() for line in lines
    )


def test_the_palette_check_fails_on_a_colour_written_elsewhere(tmp_path: Path) -> None:
    """The scan above, run on a copy of the package with one colour written back in."""
    copy = tmp_path / "labkit"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    core = copy / "exercises" / "core.py"
    core.write_text(core.read_text() + 'BAR = "border-left:4px solid #b00020"\n')
    last = len(core.read_text().splitlines())
    assert _colours_outside_the_palette(copy) == {
        "exercises/core.py": [f'{last}: BAR = "border-left:4px solid #b00020"']
    }


def test_the_check_finds_a_colour_written_in_each_way() -> None:
    for written in [
        "fill='#b00020'",
        'color="#222"',
        "background:#fff}",
        "rgb(1, 2, 3)",
        "var(--jp-error-color1)",
        "fill='white'",
        'edgecolor="white"',
    ]:
        assert COLOUR.search(written), written
    for prose in ["&#39;", "url(#a)", "# a comment", "issue #12", "a white page", "<h3 id='bad'>"]:
        assert not COLOUR.search(prose), prose


def _rgb(colour: str, under: str = "white") -> tuple[float, float, float]:
    """sRGB channels in 0..1 of #rgb, #rrggbb, 'white' or rgba() (laid over ``under``)."""
    colour = colour.strip().lower()
    m = re.fullmatch(r"rgba?\(([\d.]+),([\d.]+),([\d.]+)(?:,([\d.]+))?\)", colour.replace(" ", ""))
    if m:
        alpha = float(m.group(4) or 1)
        back = _rgb(under)
        top = [float(c) / 255 for c in m.groups()[:3]]
        r, g, b = (alpha * t + (1 - alpha) * u for t, u in zip(top, back, strict=True))
        return r, g, b
    hexa = {"white": "ffffff", "black": "000000"}.get(colour, colour.lstrip("#"))
    if len(hexa) == 3:
        hexa = "".join(c * 2 for c in hexa)
    r, g, b = (int(hexa[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return r, g, b


def _luminance(colour: str, under: str = "white") -> float:
    """Relative luminance (WCAG 2.2, definition)."""
    r, g, b = (
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in _rgb(colour, under)
    )
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG's contrast ratio of ``a`` drawn on ``b`` (a translucent ``a`` is laid over ``b``)."""
    light, dark = sorted((_luminance(a, under=b), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_contrast_measure_is_wcags() -> None:
    assert round(contrast("#000", "white"), 1) == 21.0
    assert round(contrast("#777", "#fff"), 2) == 4.48  # the classic just-fails-AA grey
    assert contrast("rgba(0,0,0,.5)", "white") == pytest.approx(contrast("#808080", "white"), 0.01)


def test_every_pair_drawn_together_is_readable() -> None:
    weak = [
        f"{where}: {fg} on {bg} is {contrast(fg, bg):.2f}:1, needs {minimum}:1"
        for fg, bg, minimum, where in palette.CONTRAST
        if contrast(fg, bg) < minimum
    ]
    assert not weak, "\n".join(weak)


def _jupyterlab_theme(name: str) -> dict[str, str]:
    """The colour variables of the installed JupyterLab's theme ``light`` or ``dark``,
    each ``var(--x, fallback)`` resolved as the browser does, from the theme's own CSS."""
    css_file = (
        Path(sys.prefix)
        / "share/jupyter/lab/themes/@jupyterlab"
        / f"theme-{name}-extension/index.css"
    )
    declared = dict(re.findall(r"(--[\w-]+)\s*:\s*([^;}]+)", css_file.read_text()))
    if any("var(--md-" in value and "," not in value for value in declared.values()):
        # Dark High Contrast names Material colours with no fallback: JupyterLab's core
        # declares them (--md-red-500 ...), and so for the browser they are always there
        core = next((Path(sys.prefix) / "share/jupyter/lab/static").glob("jlab_core.*.js"))
        material = re.findall(r"(--md-[\w-]+)\s*:\s*(#[0-9a-fA-F]{3,8})", core.read_text())
        declared = {**dict(material), **declared}

    def resolve(value: str) -> str:
        m = re.fullmatch(r"var\((--[\w-]+)\s*(?:,\s*(.+))?\)", value.strip())
        if not m:
            return value.strip()
        return resolve(declared[m.group(1)] if m.group(1) in declared else m.group(2))

    return {name: resolve(value) for name, value in declared.items()}


def _same(a: str, b: str) -> bool:
    return _rgb(a) == _rgb(b)


THEMES = {
    "light": (palette.ON_LIGHT, palette.LIGHT_BACKGROUNDS),
    "dark": (palette.ON_DARK, palette.DARK_BACKGROUNDS),
    "dark-high-contrast": (palette.ON_DARK, palette.DARK_HIGH_CONTRAST_BACKGROUNDS),
}


@pytest.mark.parametrize("theme", THEMES)
def test_status_colours_are_readable_in_each_jupyterlab_theme(theme: str) -> None:
    """Against the backgrounds JupyterLab really paints in that theme: every mark drawn on
    the notebook (a status's bar, a verdict's, a hint's; the panels' error bar, which is
    JupyterLab's own) at least 3:1 (WCAG 1.4.11), every text colour the panels use 4.5:1
    (1.4.3), and the focus ring 3:1 (2.4.13)."""
    jp = _jupyterlab_theme(theme)
    marks, backgrounds = THEMES[theme]
    painted = (jp["--jp-layout-color0"], jp["--jp-layout-color1"])
    assert all(map(_same, backgrounds, painted)), f"JupyterLab {theme} paints {painted}"

    def variable(css: str) -> str:
        return jp[css.removeprefix("var(").removesuffix(")")]

    drawn = [
        *((getattr(marks, kind), 3.0, f"a {kind} bar") for kind in palette.MARK_KINDS),
        (variable(palette.JP_ERROR), 3.0, "the panels' error bar"),
        (variable(palette.JP_TEXT), 4.5, "the panels' text; the focus ring"),
        (variable(palette.JP_TEXT_SOFT), 4.5, "a hint under a control"),
    ]
    weak = [
        f"{theme} theme: {what}: {fg} on {bg} is {contrast(fg, bg):.2f}:1, needs {minimum}:1"
        for fg, minimum, what in drawn
        for bg in backgrounds
        if contrast(fg, bg) < minimum
    ]
    assert not weak, "\n".join(weak)


def test_marks_on_the_notebook_take_the_dark_colours_where_jupyterlab_is_dark() -> None:
    """The HTML writes a CSS variable whose fallback is the light colour; the style that
    comes with it sets the dark colour under JupyterLab's dark-theme marker."""
    for kind in palette.MARK_KINDS:
        var = f"--labkit-{kind.replace('_', '-')}"
        assert palette.on_notebook(kind) == f"var({var}, {getattr(palette.ON_LIGHT, kind)})"
        assert f"{var}: {getattr(palette.ON_DARK, kind)};" in palette.THEMED
    assert palette.THEMED.startswith("<style>body[data-jp-theme-light='false'] {")


def test_each_view_with_a_mark_on_the_notebook_brings_the_dark_colours(lab: labkit.Lab) -> None:
    from labkit.exercises import lesson_500

    for ex, kind in ((lab.get("/up/garbage/"), "failed"), (lab.get("/orders/7"), "ok")):
        page = ex._repr_html_()
        assert palette.THEMED in page and palette.on_notebook(kind) in page, ex
    result = lesson_500.q1.check("client")  # who made the 500: not the client
    assert palette.THEMED in result._repr_html_()
    assert palette.on_notebook("failed") in result._repr_html_()


# What a renderer may import from labkit at run time: its own package and the data it draws.
# the words they draw come from the catalogue (labkit.i18n), which imports none of labkit but errors
DATA = {
    "labkit.recorder",
    "labkit.http.messages",
    "labkit.errors",
    "labkit.conditions",
    "labkit.i18n",
    # the words a sentence names a hop with (pages.hop_words), the lab's pages' own
    "labkit.http.pages",
}


def _runtime_imports(path: Path) -> set[str]:
    """The labkit modules a file imports, leaving out ``if TYPE_CHECKING:`` blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING")
        for stmt in node.body
        for inner in ast.walk(stmt)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name == "labkit" or name.startswith("labkit.")}


def test_the_renderers_do_not_import_the_exchange_back() -> None:
    for path in sorted((PACKAGE / "render").glob("*.py")):
        reached = {
            name
            for name in _runtime_imports(path)
            if not name.startswith("labkit.render")
            and not any(name == d or name.startswith(d + ".") for d in DATA)
        }
        assert not reached, f"labkit/render/{path.name} imports {sorted(reached)}"
    assert "labkit.render.html" in _runtime_imports(PACKAGE / "exchange.py")


@dataclasses.dataclass(frozen=True)
class Copied:
    """Not a labkit.Exchange: the same fields, copied, as a notebook or test could build them."""

    id: str
    method: str
    target: str
    status: int | None
    reason: str
    headers: list[tuple[str, str]]
    hops: list
    client_error: str | None
    elapsed: float
    generated_by: str | None
    why: str
    ok: bool


def test_any_object_with_an_exchanges_fields_draws_the_same(lab: labkit.Lab) -> None:
    for ex in (lab.get("/up/body-cut/"), lab.get("/orders/7"), lab.get("/slow?delay=0.3")):
        copy = Copied(**{f.name: getattr(ex, f.name) for f in dataclasses.fields(Copied)})
        assert not isinstance(copy, labkit.Exchange)
        assert text.story(copy) == repr(ex)
        assert ex.lines() == text.exchange_lines(copy)  # the story's lines, one by one
        assert ex.lines()[0] == f"Exchange {ex.id}: {ex.summary_line()}"
        assert html.exchange_html(copy) == ex._repr_html_()
        assert svg.sequence_svg(copy) == ex.picture()._repr_svg_()
        assert notes.summary(copy) == notes.summary(ex)
        assert charts.timeline(copy).alt == charts.timeline(ex).alt


def test_a_chart_keeps_every_word_inside_the_figure(lab: labkit.Lab) -> None:
    """An exchange of a few milliseconds too: words placed in data units (8 ms past the bar)
    once landed far outside such a small scale, cut off, and matplotlib warned that no layout
    could make room. Drawn with warnings as errors, each text's box inside the figure's."""
    from collections import Counter

    from labkit.load import Burst

    figures = [
        charts.timeline(lab.get(path)) for path in ("/orders/7", "/up/garbage/", "/slow?delay=0.3")
    ]
    sweep = [Burst(n, Counter({200: min(n, 3), 503: max(n - 3, 0)})) for n in (1, 3, 6, 12)]
    figures.append(charts.load_curve(sweep, capacity=3))
    for fig in figures:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fig.png()
        drawn = fig.get_tightbbox()  # inches: every text, tick and legend drawn
        width, height = fig.get_size_inches()
        assert drawn.x0 >= -0.01 and drawn.y0 >= -0.01, (drawn, fig.alt)
        assert drawn.x1 <= width + 0.01 and drawn.y1 <= height + 0.01, (drawn, fig.alt)


def test_the_proxy_status_note_says_which_answers_carry_it(lab: labkit.Lab) -> None:
    """The inspector's note, lesson 08 and the guide said 'error=' marks every answer a proxy
    made itself; the gateway's refusals of a request as sent carry no Proxy-Status at all."""
    note = str(notes.HEADER_NOTES["proxy-status"])
    assert "not on an answer to the request itself (a 400, 501 or 505" in note
    refusals = (
        b"GET / HTTP/2.0\r\nHost: x\r\nConnection: close\r\n\r\n",  # 505
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n"
        b"Connection: close\r\n\r\n0\r\n\r\n",  # 501
        b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n",  # 400
        b"TRACE / HTTP/1.1\r\nHost: x\r\nMax-Forwards: 0\r\nConnection: close\r\n\r\n",
    )
    for raw in refusals:
        ex = lab.raw(raw, to="gateway")
        assert ex.generated_by == "gateway" and ex.header("Proxy-Status") is None, ex.status
    made = lab.get("/up/garbage/").header("Proxy-Status")
    relayed = lab.get("/orders/abc").header("Proxy-Status")
    assert made is not None and "error=" in made
    assert relayed is not None and "received-status=500" in relayed


@pytest.mark.slow
def test_a_client_that_gave_up_before_any_byte_is_not_called_passthrough(
    lab: labkit.Lab,
) -> None:
    """The client's deadline ran out with no byte come back, and the gateway's 504 came later:
    the story read afterwards (lab.exchange) said "no status line (HTTP/0.9 passthrough)",
    which is nginx relaying an upstream's garbage; it says the client gave up. Bytes that came
    before the deadline without a status line stay passthrough (nginx and garbage)."""
    lab.upstreams["slow"].delay = 1
    lab.gateway.route("slow").read_timeout = 0.4
    ex = lab.get("/up/slow/", timeout=0.2)
    story = lab.exchange(ex.id, wait=5)
    assert {h.name: h for h in story.hops}["gateway"].bytes_out  # its 504, after the client left
    assert str(text.no_status_line(story)) == "no answer (the client gave up after 0.2 s)"
    lab.gateway.personality = "nginx"
    # nginx keeps the connection, so the client waits out its deadline (not 5 s): 1 s leaves the
    # garbage time to come on a loaded machine (a 0.3 s deadline missed it once, CI with 2 workers)
    garbage = lab.get("/up/garbage/", timeout=1.0)
    assert garbage.status is None
    assert str(text.no_status_line(garbage)) == "no status line (HTTP/0.9 passthrough)"


def test_no_timeline_label_crosses_a_line_or_another_label(lab: labkit.Lab) -> None:
    """Lesson 05's timeout budget: the client gives up at 0.2 s, the gateway's read timeout
    (0.3 s) runs out, the origin answers at 0.5 s. The gateway's dashed line crossed the
    client's 'gave up, no answer at 202 ms' (its paper box hid the line under the words). Each
    label, its box included, now lies clear of every line and of every other label."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    lab.gateway.route("/").read_timeout = 0.3
    budget = lab.get("/slow?delay=0.5", timeout=0.2)
    stories = [
        lab.exchange(budget.id, wait=2),
        lab.get("/slow?delay=0.6"),
        scenarios.run("504-slow", lab),
        lab.get("/up/slow/", timeout=0.2),
    ]
    for story in stories:
        fig = charts.timeline(story)
        FigureCanvasAgg(fig).draw()
        renderer = fig.canvas.get_renderer()
        ax = fig.axes[0]
        labels = [t.get_bbox_patch().get_window_extent(renderer) for t in ax.texts]
        assert labels, fig.alt
        lines = [ax.transData.transform((ln.get_xdata()[0], 0))[0] for ln in ax.lines]
        for box, words in zip(labels, ax.texts, strict=True):
            crossed = [x for x in lines if box.x0 - 1 <= x <= box.x1 + 1]
            assert not crossed, f"{words.get_text()!r} is crossed by a line ({fig.alt})"
            assert box.x1 <= ax.get_window_extent(renderer).x1, words.get_text()
        for i, a in enumerate(labels):
            for b in labels[i + 1 :]:
                assert not a.overlaps(b), fig.alt


@pytest.mark.parametrize(
    ("line", "to", "status", "hop"),
    [
        (b"BREW /orders/7 HTTP/1.1", "gateway", 501, "origin"),
        (b"GET /orders/7 HTTP/2.0", "origin", 505, "origin"),
        (b"GET /orders/7 HTTP/2.0", "gateway", 505, "gateway"),
    ],
)
def test_a_refusal_is_drawn_as_the_hops_answer_not_a_failure(
    lab: labkit.Lab, line: bytes, to: str, status: int, hop: str
) -> None:
    """The origin refusing BREW (501) or a hop refusing HTTP/2.0 (505) does what lessons 02
    and 06 say it must: the picture drew "origin ✗ failed" (also for the gateway's own 505)
    and its text alternative named the origin the failing hop. It marks the hop that
    answered as refusing, in English and Chinese."""
    ex = lab.raw(line + b"\r\nHost: lab\r\nConnection: close\r\n\r\n", to=to)
    assert (ex.status, ex.generated_by) == (status, hop)
    assert svg.failing_hop(ex) is None
    english, chinese = svg.sequence_svg(ex, "en"), svg.sequence_svg(ex, "zh-CN")
    assert "✗" not in english and f">{hop} (refused)<" in english
    assert f"made the {status} here" in english
    assert svg.alt_text(ex, "en").endswith(
        f" The {hop} refused the request: not a failure, the answer it owes."
    )
    assert "✗" not in chinese and f">{hop}（拒绝）<" in chinese
    assert svg.alt_text(ex, "zh-CN").endswith(
        f"{ {'origin': '源服务器', 'gateway': '网关'}[hop] }拒绝了这个请求：这不是故障，而是它应给的响应。"
    )


def test_the_hop_table_shows_each_attempt_of_a_request_sent_again(lab: labkit.Lab) -> None:
    """A GET that met a kept connection closing is sent again on a new one (RFC 9110 9.2.2):
    the upstream received it twice. Lesson 03 says the story shows the first attempt, the
    close and the second; the hop table showed one row for the upstream, its first request
    beside its second answer, and the story marked the close "[made here]". Each attempt is
    now a row of its own, marked, and only the answer relayed is "made here"."""
    lab.get("/up/idle-close/")
    again = lab.get("/up/idle-close/")
    assert (again.status, again.generated_by) == (200, "upstream 'idle-close'")
    for lang, first, second, sent_again, made in (
        (
            "en",
            "upstream 'idle-close', attempt 1",
            "upstream 'idle-close', attempt 2",
            "no answer; sent again",
            "made here",
        ),
        (
            "zh-CN",
            "upstream 'idle-close'，第 1 次尝试",
            "upstream 'idle-close'，第 2 次尝试",
            "没有响应；已重新发送",
            "在此生成",
        ),
    ):
        page = html.exchange_html(again, lang)
        rows = re.findall(r"<tr>(.*?)</tr>", page)
        cells = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in rows[1:]]
        upstream = [c for c in cells if "idle-close" in c[0]]
        assert [c[0] for c in upstream] == [
            first.replace("'", "&#x27;"),
            second.replace("'", "&#x27;"),
        ], page
        assert upstream[0][1] == upstream[1][1] == "GET / HTTP/1.1"
        assert upstream[0][2].startswith("(nothing), then FIN") or "FIN" in upstream[0][2]
        assert upstream[0][3] == sent_again and upstream[1][3] == made
        assert "200 OK" in upstream[1][2]
        assert sum(c[3] == made for c in cells) == 1
        story = text.story(again, lang)
        assert story.count(f"[{made}]") == 1 and story.count(f"[{sent_again}]") == 1, story


def test_with_no_answer_the_client_s_error_is_said_once(lab: labkit.Lab) -> None:
    """Half a request to the origin and no answer (lesson 05's "Send half a request"): no hop
    made a response, so the exchange's why is what the client saw, and the summary's "why"
    and "client saw" rows, the story's two lines and the heading's two lines said one
    sentence twice. It is said once, as what the client saw."""
    stalled = scenarios.get("408-slow-client").request
    assert isinstance(stalled, scenarios.Raw)
    lab.origin.head_timeout = 5
    ex = lab.raw(stalled.data, to=stalled.to, wait=0.3)
    said = "no answer within 0.3 s (the server kept the connection open)"
    assert ex.status is None and ex.client_error == said
    rows = notes.summary(ex, "en")
    assert rows["client saw"] == said and "why" not in rows, rows
    assert rows["made by"] == "nobody (no response)"
    assert text.story(ex, "en").count(said) == 1, text.story(ex, "en")
    assert html.exchange_html(ex, "en").split("<table>")[0].count(said) == 1
    assert html.summary_html(ex, "en").count(said) == 1


def test_the_timeline_s_text_says_each_moment_once_along_the_path(lab: labkit.Lab) -> None:
    """Lesson 05's budget: the client gives up at 0.2 s before the gateway's read timeout.
    The text alternative said the client gave up twice (its bar, then its deadline's line),
    read the hops from the origin up, and put the time of a hop without an answer on the
    answer it never sent ("no answer recorded; got the request at 213 ms"; the Chinese
    read "at 213 ms no answer was recorded"). A screen reader now hears the client first,
    each moment once, and the time on the request."""
    lab.gateway.route("/").read_timeout = 0.3
    ex = lab.get("/slow?delay=0.5", timeout=0.2)
    for lang, gave_up, got, order in (
        ("en", "gave up", "got the request at ", ("client", "gateway:", "origin:")),
        (
            "zh-CN",
            "客户端放弃",
            " 时收到了请求，没有记录到响应",
            ("客户端", "网关：", "源服务器："),
        ),
    ):
        alt = charts.timeline(ex, lang).alt
        told = alt.split("。" if lang != "en" else ". ", 1)[1]  # after the title sentence
        assert told.count(gave_up) == 1, alt
        assert told.count(got) == 2, alt
        places = [told.index(word) for word in order]
        assert places == sorted(places), alt


def test_what_a_hop_did_after_the_client_gave_up_is_never_in_its_story(lab: labkit.Lab) -> None:
    """A client that leaves at 0.2 s, a gateway whose read timeout runs out 10 ms later: the
    504 reached no client. Whether it was in the client's story depended on how soon the lab
    looked (it waits a little past the timeout for an answer due before it): in every run on
    an idle machine, and in 1 run of 6 of the test above beside two busy loops, the timeline
    and the story ended with a 504 nobody read. They end when the client left."""
    lab.gateway.route("/").read_timeout = 0.21
    for _ in range(3):
        ex = lab.get("/slow?delay=0.5", timeout=0.2)
        assert ex.status is None and ex.client_error == "ReadTimeout: timed out", ex.client_error
        gateway = next(hop for hop in ex.hops if hop.name == "gateway")
        assert gateway.received is not None and gateway.sent is None, text.story(ex, "en")
        assert "504" not in text.story(ex, "en"), text.story(ex, "en")
        assert "504" not in charts.timeline(ex, "en").alt


def test_a_successful_exchange_says_no_why_in_the_heading_or_the_story(lab: labkit.Lab) -> None:
    """Lesson 03's idle-close GET, sent again and answered 200: the story says "why:" only for
    a failure, but the inspector's heading said "why:" with the upstream's description of its
    fault over a 200, as if the 200 had failed. One rule for both: a why is said when the
    exchange failed; the retry itself is told by the hop table and the story's events."""
    lab.get("/up/idle-close/")
    again = lab.get("/up/idle-close/")
    failed = lab.get("/up/slow/")
    assert (again.status, failed.status) == (200, 504)
    for lang, why in (("en", "why: "), ("zh-CN", i18n.Msg("why: {why}", why="").render("zh-CN"))):
        assert why not in html.exchange_html(again, lang).split("<table>")[0]
        assert why not in text.story(again, lang)
        assert why in html.exchange_html(failed, lang).split("<table>")[0]
        assert why in text.story(failed, lang)


def test_a_200_whose_body_broke_off_is_not_marked_green_in_the_heading(lab: labkit.Lab) -> None:
    """Lesson 03's body-cut 200: the picture draws it in the amber of an incomplete answer
    ("body cut off"), but the inspector's heading put the green bar of a success beside its
    200 OK, though the client got 10 of 100 bytes and an error. The heading marks it as the
    picture does; a complete 200 keeps its green."""
    cut = scenarios.run("200-body-cut-after-headers", lab)
    whole = lab.get("/orders/7")
    assert cut.status == whole.status == 200 and cut.client_error and not whole.client_error

    def bar(ex: labkit.Exchange) -> str:
        heading = html.exchange_html(ex, "en").split("<table>")[0]
        found = re.search(r"border-left:4px solid (var\([^)]*\))", heading)
        assert found, heading
        return found.group(1)

    assert bar(whole) == palette.on_notebook("ok")
    assert bar(cut) == palette.on_notebook("client_error") != palette.on_notebook("ok")
