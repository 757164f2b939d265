"""Pictures and tables that read at a glance, each with a text equivalent."""

from __future__ import annotations

import base64
import html
import re
import struct
import xml.dom.minidom

import labkit
import labkit.i18n as i18n
from labkit import charts, load
from labkit.http.upstream import MAX_UPSTREAM_HEAD
from labkit.picture import alt_text, sequence_svg
from labkit.recorder import Kind
from labkit.render import palette

SENT = Kind.SENT


def _texts(svg: str) -> list[tuple[str, str]]:
    doc = xml.dom.minidom.parseString(svg)
    return [
        (t.firstChild.data, t.getAttribute("fill"))
        for t in doc.getElementsByTagName("text")
        if t.firstChild is not None and t.firstChild.nodeType == t.TEXT_NODE
    ]


def test_no_label_is_cut_the_long_ones_wrap(lab: labkit.Lab) -> None:
    """The two longest labels the lessons draw (the body-cut 200, whose byte counts come
    last, and the kept connection's FIN) wrap whole: three lines cut both numbers off."""
    lab.get("/up/idle-close/")
    for ex in (lab.get("/up/body-cut/"), lab.get("/up/idle-close/")):
        words = " ".join(text for text, _ in _texts(sequence_svg(ex)))
        sent = [i18n.render(e.summary, "en") for h in ex.hops for e in h.events if e.kind is SENT]
        longest = max(sent, key=len)
        assert len(longest) > 100 and "…" not in words
        assert " ".join(longest.split()) in words  # every word, in order, over several lines
    # a label longer than any lesson's is still cut, with its full text on every line's hover
    target = "/orders/" + "7" * 200
    doc = xml.dom.minidom.parseString(sequence_svg(lab.get(target)))
    cut = [t for t in doc.getElementsByTagName("text") if "GET /orders/777" in t.toxml()]
    assert cut and cut[-1].firstChild.data.endswith("…")
    for line in cut:
        [title] = line.getElementsByTagName("title")
        assert title.firstChild.data == f"GET {target}"


def test_a_cut_body_or_a_4xx_is_not_drawn_green(lab: labkit.Lab) -> None:
    svg = sequence_svg(lab.get("/up/body-cut/"))
    colours = {fill for text, fill in _texts(svg) if text.startswith("200 OK")}
    assert colours and "#1b7f3b" not in colours
    # nor the words under the hop that made it (they were green), whose lane is marked failed,
    # as the text alternative names it ("The failing hop: upstream 'body-cut', whose ...")
    texts = _texts(svg)
    assert dict(texts)["made the 200 here"] == palette.INCOMPLETE, texts
    assert ("upstream 'body-cut' ✗ failed", palette.FAILED) in texts, texts
    # nor a 4xx: its arrows and the words saying who made it, in one colour (it was green)
    texts = _texts(sequence_svg(lab.get("/nope")))
    colours = {fill for text, fill in texts if text in ("404 Not Found", "made the 404 here")}
    assert colours == {palette.INCOMPLETE}, texts


def test_a_long_lane_name_takes_two_lines_in_a_taller_box(lab: labkit.Lab) -> None:
    """'upstream 'bad-transfer-encoding' ✗ failed' on one line was wider than its lane's box
    and cut at both edges; the browser test measures it (test_every_lane_name_fits_its_box)."""
    from labkit.render.svg import LANE_W, LANE_WRAP, LINE_H

    for name in ("bad-transfer-encoding", "truncated-headers"):
        doc = xml.dom.minidom.parseString(sequence_svg(lab.get(f"/up/{name}/")))
        boxes = [r for r in doc.getElementsByTagName("rect") if r.getAttribute("rx")]
        lane = boxes[-1].nextSibling  # the failing upstream's name
        lines = [t.firstChild.data for t in lane.getElementsByTagName("tspan")]
        assert " ".join(lines) == f"upstream '{name}' ✗ failed", lines
        assert all(len(line) <= LANE_WRAP for line in lines) and LANE_WRAP * 6 < LANE_W - 12
        heights = {int(r.getAttribute("height")) for r in boxes}
        assert heights == {24 + LINE_H * (len(lines) - 1)}, heights  # every lane as tall
        arrows = [a for a in doc.getElementsByTagName("line") if a.getAttribute("marker-end")]
        first_row = min(float(a.getAttribute("y1")) for a in arrows)
        assert first_row > 8 + max(heights) + LINE_H, "an arrow drawn over the lane boxes"
    # a short name stays on one line, in a box of one line's height
    doc = xml.dom.minidom.parseString(sequence_svg(lab.get("/up/garbage/")))
    assert {r.getAttribute("height") for r in doc.getElementsByTagName("rect")[1:]} == {"24"}


def test_the_cache_is_shown_when_it_answered(lab: labkit.Lab) -> None:
    lab.origin.maintenance(retry_after=5, cache_max_age=60)
    lab.get("/orders/7")
    lab.origin.maintenance(False)
    ex = lab.get("/orders/7")
    texts = " ".join(t for t, _ in _texts(sequence_svg(ex)))
    assert "gateway (cache)" in texts and "from its cache" in texts


def test_one_made_here_and_connection_words_explained(lab: labkit.Lab) -> None:
    ex = lab.get("/up/huge-headers/")
    page = ex._repr_html_()
    assert page.count(">made here<") == 1
    assert ">answered, not relayed<" in page
    assert "FIN: the sender closed the connection" in page
    assert "text-align:left" in page
    assert repr(ex).count("[made here]") == 1
    # the story names the limit the head passed, not a size that depends on how its bytes
    # were split into reads (test_personalities sends it in pieces)
    assert f"the response head exceeds {MAX_UPSTREAM_HEAD} bytes" in repr(ex)


def test_durations_in_milliseconds(lab: labkit.Lab) -> None:
    ex = lab.get("/up/blackhole/")
    page = ex._repr_html_()
    assert re.search(r"<td[^>]*>\d+ ms</td>", page)
    assert "<0.1 s" not in page and "<0.1 s" not in sequence_svg(ex)


def test_every_picture_has_a_text_alternative_naming_the_failing_hop(lab: labkit.Lab) -> None:
    ex = lab.get("/up/garbage/")
    assert alt_text(ex) == (
        "Sequence diagram of GET /up/garbage/ -> 502 Bad Gateway, made by the gateway. "
        "The failing hop: upstream 'garbage'."
    )
    page = ex.picture()._repr_html_()
    assert "role='img'" in page
    assert f"aria-label='{html.escape(alt_text(ex), quote=True)}'" in page
    assert "<details>" in page and "[made here]" in page  # the same story as text
    ok = lab.get("/orders/7")
    assert "failing hop" not in alt_text(ok)
    # a 200 whose body broke off is drawn "body cut off": its alternative says so too
    cut = lab.get("/up/body-cut/")
    assert cut.status == 200 and cut.client_error
    assert alt_text(cut).endswith(
        "The failing hop: upstream 'body-cut', whose body broke off after the status line."
    )


def test_a_portals_511_names_no_failing_hop(lab: labkit.Lab) -> None:
    """The captive portal answers 511 on purpose, until the client logs in (lesson 07): its
    picture drew "portal ✗ failed" and its text alternative named the portal as the failing
    hop. It still marks where the 511 was made."""
    ex = lab.get("/orders/7", via="portal")
    assert (ex.status, ex.generated_by) == (511, "portal")
    assert alt_text(ex) == (
        "Sequence diagram of GET /orders/7 -> 511 Network Authentication Required, made by "
        "the portal."
    )
    svg = sequence_svg(ex)
    assert "✗ failed" not in svg and "made the 511 here" in svg


def test_a_request_arrow_shows_a_version_other_than_1_1(lab: labkit.Lab) -> None:
    """Lesson 06's 505 was drawn with the arrow "GET /orders/7": the HTTP/2.0 that earned it
    was in the text view only. A version other than the lab's HTTP/1.1 is drawn; 1.1 is not."""

    def arrows(ex: object) -> list[str]:
        return re.findall(r"<text [^>]*fill=[^>]*>(GET [^<]*)</text>", sequence_svg(ex))

    raw = b"GET /orders/7 HTTP/%s\r\nHost: lab\r\nConnection: close\r\n\r\n"
    assert arrows(lab.raw(raw % b"2.0")) == ["GET /orders/7 HTTP/2.0"]
    assert arrows(lab.raw(raw % b"1.0", to="gateway"))[0] == "GET /orders/7 HTTP/1.0"
    assert arrows(lab.raw(raw % b"1.1")) == ["GET /orders/7"]


def test_charts_carry_their_numbers_as_text(lab: labkit.Lab) -> None:
    results = load.sweep(lab, [1, 4], capacity=2, delay=0.2)
    chart = charts.load_curve(results, capacity=2)
    assert chart.alt.startswith("Load curve at capacity 2: 1 at once: 1 served, 0 shed")
    page = chart._repr_html_()
    assert f"alt='{chart.alt}'" in page and repr(chart) == chart.alt
    # drawn at its own size (6 x 3 inches: 540 x 270 CSS px) or down to 11/12 of it to fit
    # its column, the figure scrolling sideways in a narrower one, in twice the pixels:
    # JupyterLab's img {max-width: 100%} shrank a chart to the column (at 200% zoom, its
    # words to 4 px), and a zoom blew up 90 dpi
    assert page.startswith(
        "<figure class='labkit-chart' style='margin:0;max-width:100%;overflow-x:auto'>"
    )
    imgs = re.findall(r"<img [^>]*>", page)
    assert len(imgs) == 2  # light and dark paper
    for img in imgs:
        assert "width='540' height='270'" in img, img
        assert "style='max-width:100%;min-width:495px;height:auto'" in img, img
        png = base64.b64decode(re.search(r"base64,([^']+)'", img).group(1))
        assert struct.unpack(">II", png[16:24]) == (1080, 540)  # the PNG's IHDR: 2 x
    lab.gateway.route("/").read_timeout = 0.3
    budget = lab.get("/slow?delay=0.5", timeout=0.2)
    story = lab.exchange(budget.id, wait=1)
    line = charts.timeline(story)
    assert (
        "client gave up (its own timeout ran out) at" in line.alt
        and "gateway read timeout" in line.alt
    )
    # the title says what the client saw (lesson 05's budget), not the 504 the gateway sent
    # into a closed connection after the client's deadline: "GET ... -> 504" said it did
    assert story.status == 504
    title = line.axes[0].get_title().replace("\n", " ")
    assert title == (
        "GET /slow?delay=0.5 -> no status: the client gave up (its own timeout ran out); "
        "the answer, 504 Gateway Timeout, made by the gateway, came later"
    )
    # each bar's words on the paper, above the timeout lines: the gateway's line at 300 ms
    # struck the client's "gave up, no answer at ..." through
    from matplotlib.colors import to_rgba

    from labkit.render.palette import PICTURE_LIGHT

    ax = line.axes[0]
    words = [t for t in ax.texts if " at " in t.get_text()]
    assert len(words) == 3
    for t in words:
        box = t.get_bbox_patch()
        assert box is not None and box.get_facecolor() == to_rgba(PICTURE_LIGHT.paper)
        assert all(t.get_zorder() > drawn.get_zorder() for drawn in ax.lines)


def _paper_share(png: bytes, colour: str) -> float:
    """Along each pixel row of the bars of ``colour``, the share of paper-white pixels between
    the first and the last pixel of that colour: 0 for plain bars, clearly more for hatched."""
    import io

    import numpy as np
    from matplotlib import colors
    from matplotlib.image import imread

    img = imread(io.BytesIO(png))[..., :3]
    near = np.abs(img - np.array(colors.to_rgb(colour))).sum(axis=2) < 0.15
    white = (img > 0.9).all(axis=2)
    inside = paper = 0
    for row in range(img.shape[0]):
        cols = np.nonzero(near[row])[0]
        if len(cols) >= 10:  # a bar's row, not a legend's edge
            inside += cols[-1] - cols[0] + 1
            paper += int(white[row, cols[0] : cols[-1] + 1].sum())
    assert inside, f"no bar of {colour} in the chart"
    return paper / inside


def test_a_failed_bar_is_told_apart_by_a_pattern_not_only_colour(lab: labkit.Lab) -> None:
    """WCAG 1.4.1: the failed hop's bar and the shed requests carry a hatching that shows
    in the PNG (the light one: its paper is white), the others are plain."""
    from labkit.render import palette

    lab.gateway.route("/").read_timeout = 0.2
    line = charts.timeline(lab.get("/slow?delay=0.4"))
    assert _paper_share(line.png(), palette.FAILED) > 0.2
    assert _paper_share(line.png(), palette.IN_TIME) < 0.05
    assert "gateway: answered 504 at " in line.alt and "(failed: hatched bar)" in line.alt
    curve = charts.load_curve(load.sweep(lab, [4], capacity=1, delay=0.2), capacity=1)
    assert _paper_share(curve.png(), palette.FAILED) > 0.2
    assert _paper_share(curve.png(), palette.OK) < 0.05


def test_durations_say_they_are_measured_and_never_round_to_zero(lab: labkit.Lab) -> None:
    """The picture, the timeline and the HTML table show a hop's time the same way (below a
    millisecond: '<1 ms', never '0 ms') and each says the times are measured."""
    from labkit.render.svg import MEASURED_NOTE
    from labkit.render.text import milliseconds

    assert milliseconds(0.0002) == "<1 ms" and milliseconds(0.0021) == "2 ms"
    ex = lab.get("/up/garbage/")
    svg = sequence_svg(ex)
    texts = [text for text, _ in _texts(svg)]
    assert str(MEASURED_NOTE) in texts and "measured" in str(MEASURED_NOTE)
    assert not any(re.fullmatch(r"0 ms", t) for t in texts)
    assert "time (measured)" in ex._repr_html_()  # the hop table's column
    line = charts.timeline(ex)
    assert "in measured times" in line.alt
    assert not re.search(r"\bat 0 ms", line.alt), line.alt


def test_the_inspectors_summary_says_the_time_by_the_labs_record(lab: labkit.Lab) -> None:
    """The inspector's Summary says how long the answer took as the lab recorded what the
    request waited for, the same every run, in the learner's language: lesson 05's 504 after
    its 0.3 s read timeout, an answer made at once. Before, it showed the client's clock
    ("time (measured)": 305 ms, 0.31 s), another number each run and more on a busy machine."""
    from labkit.render import html as render_html
    from labkit.render import notes

    lab.upstreams["slow"].delay = 0.6
    slow, garbage = lab.get("/up/slow/"), lab.get("/up/garbage/")
    assert slow.status == 504
    row = "took (by the lab's record)"
    assert notes.summary(slow)[row] == "answered after 0.3 s" == slow.observed().took
    assert notes.summary(garbage)[row] == "answered before any timeout ran out"
    assert "0.3 秒" in notes.summary(slow, "zh-CN")["耗时（按实验室的记录）"]
    summary = render_html.summary_html(slow)
    assert f"<td>{html.escape(row)}</td><td>answered after 0.3 s</td>" in summary, summary


def test_a_hops_time_is_written_once_under_its_last_answer(lab: labkit.Lab) -> None:
    """The idle-close upstream answers twice (a closed connection, then the resent GET's 200):
    its measured time stands once, under the 200, not under the close as well."""
    ex = labkit.scenarios.run("200-kept-connection-closed-get-sent-again", lab)
    texts = [text for text, _ in _texts(sequence_svg(ex))]
    durations = [t for t in texts if re.fullmatch(r"(<1|\d+) ms", t)]
    answers = [h for h in ex.hops if h.sent is not None and h.role.value != "client"]
    assert len(durations) == len(answers) == 2, (durations, answers)


def test_pictures_and_charts_follow_a_dark_theme(lab: labkit.Lab) -> None:
    """In JupyterLab's dark themes a picture kept its white paper (a light slab in a dark
    notebook). The SVG's every colour is a palette kind: the light one as the attribute, the
    theme's through a CSS variable that THEMED sets dark; a chart's HTML holds a PNG drawn on
    each paper, one shown per theme (CHART_THEMED)."""
    import base64
    import io

    from matplotlib import colors
    from matplotlib.image import imread

    from labkit.render import palette

    ex = lab.get("/up/garbage/")
    svg = sequence_svg(ex)
    doc = xml.dom.minidom.parseString(svg)
    coloured = 0
    for tag in ("rect", "text", "line"):
        for el in doc.getElementsByTagName(tag):
            for prop in ("fill", "stroke"):
                light = el.getAttribute(prop)
                if not light:
                    continue
                coloured += 1
                themed = re.search(
                    rf"{prop}:var\(--labkit-picture-([a-z-]+), {re.escape(light)}\)",
                    el.getAttribute("style"),
                )
                assert themed, el.toxml()
                kind = themed.group(1).replace("-", "_")
                assert getattr(palette.PICTURE_LIGHT, kind) == light, el.toxml()
    assert coloured > 10
    page = ex.picture()._repr_html_()
    assert palette.THEMED in page
    for kind in palette.PICTURE_KINDS:
        dark = getattr(palette.PICTURE_DARK, kind)
        assert f"--labkit-picture-{kind.replace('_', '-')}: {dark};" in palette.THEMED

    def corner(data_uri: str) -> tuple[float, float, float]:
        png = base64.b64decode(data_uri.split("base64,", 1)[1])
        return tuple(round(float(c), 2) for c in imread(io.BytesIO(png))[2, 2, :3])

    lab.gateway.route("/").read_timeout = 0.2
    for chart in (
        charts.timeline(lab.get("/slow?delay=0.4")),
        charts.load_curve(load.sweep(lab, [2], capacity=1, delay=0.2), capacity=1),
    ):
        page = chart._repr_html_()
        assert palette.CHART_THEMED in page
        images = re.findall(
            r"<img class='labkit-on-(light|dark)' src='([^']+)' alt='([^']*)'", page
        )
        assert [theme for theme, _, _ in images] == ["light", "dark"]
        assert images[0][2] == images[1][2] == html.escape(chart.alt, quote=True)
        paper = {"light": palette.PICTURE_LIGHT.paper, "dark": palette.PICTURE_DARK.paper}
        for theme, src, _ in images:
            want = tuple(round(c, 2) for c in colors.to_rgb(paper[theme]))
            assert corner(src) == want, theme


def test_words_across_a_lifeline_are_drawn_on_the_paper(lab: labkit.Lab) -> None:
    """Who made the answer is written centred under its hop, on that hop's dashed lifeline,
    and the note on measured times runs across the client's: the line struck through "made
    the 503 here" and "measured times" (seen at 200% zoom, light and dark). Every
    word drawn across a lifeline now has a rim of the paper's colour under it (SVG
    paint-order: the stroke first, the letters over it), in both themes."""
    from labkit.render.palette import PICTURE_DARK, PICTURE_LIGHT
    from labkit.render.svg import MEASURED_NOTE

    lab.origin.maintenance()
    try:
        svg = sequence_svg(lab.get("/orders/7"))
    finally:
        lab.origin.maintenance(False)
    doc = xml.dom.minidom.parseString(svg)
    lifelines = [
        float(line.getAttribute("x1"))
        for line in doc.getElementsByTagName("line")
        if line.getAttribute("stroke-dasharray") == "3,3"
    ]
    assert len(lifelines) == 3, svg  # client, gateway, origin
    crossing = {}
    for t in doc.getElementsByTagName("text"):
        words = "".join(n.data for n in t.childNodes if n.nodeType == n.TEXT_NODE)
        if not words:
            continue
        x = float(t.getAttribute("x"))
        half = len(words) * 6.5 / 2  # a 12 px sans-serif letter is about 6.5 px wide
        left, right = {"middle": (x - half, x + half), "end": (x - 2 * half, x)}.get(
            t.getAttribute("text-anchor"), (x, x + 2 * half)
        )
        if t.getAttribute("y") == "25":
            continue  # a lane's name, in its box above the lifeline
        if any(left < at < right for at in lifelines):
            crossing[words] = t
    assert {"made the 503 here", str(MEASURED_NOTE)} <= set(crossing), sorted(crossing)
    for words, t in crossing.items():
        assert t.getAttribute("stroke") == PICTURE_LIGHT.paper, words
        # the theme's paper through its variable, as the picture's background rect has it
        paper = re.search(
            r"fill:(var\([^)]*\))", doc.getElementsByTagName("rect")[0].getAttribute("style")
        )
        assert paper and f"stroke:{paper.group(1)}" in t.getAttribute("style"), words
        assert t.getAttribute("paint-order") == "stroke", words
        assert float(t.getAttribute("stroke-width")) >= 3, words
    assert PICTURE_DARK.paper != PICTURE_LIGHT.paper  # the variable gives the dark one
