"""The widgets, pictures and charts in the learner's language (issue 18, item 3).

A playground over a lab started with ``lang="zh-CN"`` speaks Chinese: its labels, buttons,
confirmations, the inspector's tabs and header notes, the picture's words and the charts'
titles and axes. Protocol stays as sent: status lines, header names, request lines. The
same over an English lab reads as before (the other widget tests check those words).
"""

from __future__ import annotations

import dataclasses
import html
import re
import warnings
from collections.abc import Iterator

import pytest

import labkit
from labkit import i18n, load, personalities, scenarios, switches
from labkit import lab as lab_module
from labkit.render import charts
from labkit.render import html as render_html
from labkit.render import text as text_view
from labkit.render.svg import WRAP, alt_text, sequence_svg
from labkit.widgets import GatewaysCompared, Inspector, Playground, Quiz

CHINESE = re.compile("[\u4e00-\u9fff]")


@pytest.fixture
def zh_lab() -> Iterator[labkit.Lab]:
    with labkit.start(lang="zh-CN") as running:
        yield running


def _svg_texts(svg: str) -> list[str]:
    found = re.findall(r"<text[^>]*>(.*?)</text>", svg)
    return [html.unescape(re.sub(r"<title>.*?</title>", "", t)) for t in found]


def test_a_playground_over_a_chinese_lab_speaks_chinese(zh_lab: labkit.Lab) -> None:
    p = Playground(zh_lab, "504")
    assert p.run_button.description == "运行场景" and p.scenario.description == "场景"
    assert [p.inspector.tabs.get_title(i) for i in range(5)] == [
        "概要",
        "标头",
        "正文",
        "原始字节",
        "图示",
    ]
    assert "还没有发送任何请求" in p.inspector.summary.value
    assert "<b>原因：</b>" in p.cause.value and "<b>预期：</b>504" in p.cause.value
    # the scenarios' titles and causes (the values stay their ids)
    assert p.scenario.value == "504-slow" and p.scenario.label == "504-slow：上游比读取超时还慢"
    assert "408-slow-client：客户端比服务器愿意等的时间还慢" in p.scenario.options[-1][0]
    delay, read = f"{lab_module.SLOW_DELAY:g}", f"{lab_module.UPSTREAM_TIMEOUTS.read:g}"
    assert f"上游要 {delay} 秒才响应；网关的读取超时是 {read} 秒。<br>" in p.cause.value
    ex = p.run()
    # the status line stays as the wire has it; the words around it are Chinese
    assert p.status.value == (
        f"运行了 {p.scenario.value}：504 Gateway Timeout，由网关生成。详情见下方的检查器。"
    )
    assert "<h3 style='margin:4px 0'>504 Gateway Timeout</h3>" in p.inspector.summary.value
    assert "生成者" in p.inspector.summary.value
    # the time by the lab's record, the same every run (the read timeout that ran out)
    assert (
        f"<td>耗时（按实验室的记录）</td><td>{read} 秒后得到响应</td>" in p.inspector.summary.value
    )
    assert "标头名称不区分大小写" in p.inspector.headers.value
    assert ex.status == 504
    # why the gateway made it: its condition's explanation said in Chinese (render.text.why_in),
    # while ex.why, for programs and the English lessons, stays the recorder's English
    english = "the upstream accepted the request but sent no response within the read timeout"
    assert ex.why == f"{english} (upstream 'slow')"
    said = "上游接受了请求，但没有在读取超时之内发送响应（上游 'slow'）"
    assert said in html.unescape(p.inspector.summary.value)
    assert f"原因：{said}" in text_view.exchange_lines(ex, "zh-CN")[1]
    # the origin's own why too; the exception's text as Python wrote it
    relayed = zh_lab.get("/orders/abc")
    assert relayed.why.startswith("the handler raised ValueError: ")
    assert text_view.why_in(relayed, "zh-CN") == relayed.why.replace(
        "the handler raised ValueError: ", "处理函数抛出了 ValueError："
    )
    # the switch controls: labels and the table's confirmation line
    read = p.read_timeout
    assert read.description == "路由 /：网关读取超时（秒）"
    read.value = 0.25
    assert p.message.value == "", p.message.value
    assert p.status.value == "路由 /：连接超时 0.5 秒，读取超时 0.25 秒。"
    # the buttons keep their English keys for scripts; the learner reads Chinese
    stall = f"Send half a request to the origin, then nothing for {scenarios.STALL:g} s"
    assert p.buttons[stall].description == (
        f"向源服务器发送半个请求，然后 {scenarios.STALL:g} 秒内什么也不发"
    )
    # what the playground fixes is named in words, and each server's head timeout in 秒; a
    # server by its word, as a sentence names a hop (服务器 origin, portal 10 秒、gateway 10 秒
    # until December 2026)
    assert p.head_timeout.description == "源服务器：请求头部到达的时限（秒）"
    each = html.unescape(p.head_timeout_state.value)
    assert re.search(
        r"请求头部超时（之后返回 408；[^）]*）：门户 \d+ 秒、网关 \d+ 秒、源服务器", each
    )
    said = switches.apply(zh_lab, "head-timeout", {"server": "portal", "seconds": 5})
    assert i18n.render(said, "zh-CN") == "门户：已开始的请求必须在 5 秒内到达"
    # ex.raw(hop) says its own words in the lab's language, the bytes as they came
    dump = relayed.raw("origin")
    assert dump.startswith("--- 源服务器收到的 ---\nGET /orders/abc HTTP/1.1\\r\\n\n"), dump
    assert "\n--- 源服务器发出的 ---\nHTTP/1.1 500 Internal Server Error\\r\\n" in dump


def test_the_same_playground_over_an_english_lab_reads_as_before(lab: labkit.Lab) -> None:
    p = Playground(lab, "504")
    assert p.run_button.description == "Run scenario"
    assert p.scenario.label == "504-slow: Upstream slower than the read timeout"
    delay, read = f"{lab_module.SLOW_DELAY:g}", f"{lab_module.UPSTREAM_TIMEOUTS.read:g}"
    assert html.unescape(p.cause.value).startswith(
        f"<b>Cause:</b> the upstream takes {delay} s to answer; the gateway's read timeout is "
        f"{read} s.<br>"
    )
    assert Inspector.TITLES[0].render("en") == "Summary" == p.inspector.tabs.get_title(0)
    p.run()
    assert p.status.value.endswith(
        ": 504 Gateway Timeout, made by the gateway. The inspector below shows it."
    )
    assert "the read timeout (upstream &#x27;slow&#x27;)" in p.inspector.summary.value
    assert not CHINESE.search(p.status.value + p.cause.value + p.inspector.summary.value)


def test_a_refused_value_is_said_in_the_playgrounds_language(zh_lab: labkit.Lab) -> None:
    p = Playground(zh_lab, "503")
    quote = p.buttons["GET /api/quote with X-Api-Key: playground"]  # its English key
    assert quote.description == "带 X-Api-Key: playground 的 GET /api/quote"
    p.burst_size.value = load.MAX_BURST + 1
    p.buttons["Burst"].click()
    # no space after the label's ）: "{label} 必须在..." meets it (i18n's rule, December 2026)
    assert p.message.value == (
        f"突发规模（请求数）必须是 1 到 {load.MAX_BURST} 之间的整数，而不是 {load.MAX_BURST + 1}。"
    )
    p.burst_size.value = 4
    p.buttons["Burst"].click()
    assert p.message.value == "" and p.status.value.startswith("突发请求（容量 3），")
    # the burst's result line (load.Burst) is said in the lab's language: how many of the
    # 4 were served and shed depends on the machine, the words do not
    assert re.fullmatch(
        r"4 个请求：\d 个已处理（200），\d 个被卸载（503）(，另有 \d 个是别的结果)?",
        html.unescape(p.burst_result.value),
    ), p.burst_result.value
    # the personality drop-down of the 502 playground: the names, and above it each
    # gateway's title in Chinese
    p = Playground(zh_lab, "502")
    assert p.personality.options[0] == "rfc"
    line = p.switch_controls["personality"].children[0].value
    assert "<li><code>rfc</code>：本实验室对 RFC 的解读（默认）</li>" in line
    assert "<li><code>nginx</code>：nginx 1.22.1（proxy_pass）</li>" in line


def test_refusals_on_the_widgets_inner_paths_are_said_in_chinese(zh_lab: labkit.Lab) -> None:
    """Three refusals that a notebook's own code can reach were English whatever the
    language (a switch's unknown parameter read "unknown parameter of maintenance 'x'"):
    each in the lab's language now, English as it reads below for an English lab."""
    from labkit.errors import BadArgument, UnknownName
    from labkit.widgets import OneOf, SwitchControls

    with pytest.raises(UnknownName) as unknown:
        switches.get("maintenance").param("x")
    assert (
        str(unknown.value)
        == "maintenance 没有参数 'x'；可选：on、retry_after、retry_in、cache_max_age"
    )
    with pytest.raises(BadArgument) as started:
        SwitchControls(Playground(zh_lab, "500"), "debug", start={"on": True})
    assert (
        str(started.value)
        == "debug 跟随实验室的设置：只有 capacity、personality 能在练习场里有自己的初始值"
    )
    picks = OneOf(["a", "b"])
    with pytest.raises(BadArgument) as picked:
        picks.value = "c"
    assert str(picked.value) == "请从 'a'、'b' 中选一个，而不是 'c'"
    with labkit.start(lang="en") as english:
        with pytest.raises(UnknownName) as unknown:
            switches.get("maintenance").param("x")
        assert "maintenance has no parameter 'x'; choose one of: on, retry_after" in str(
            unknown.value
        )
        with pytest.raises(BadArgument) as started:
            SwitchControls(Playground(english, "500"), "debug", start={"on": True})
        assert str(started.value) == (
            "debug follows the lab: only capacity, personality start apart from it"
        )
        with pytest.raises(BadArgument) as picked:
            OneOf(["a", "b"]).value = "c"
        assert str(picked.value) == "choose one of 'a', 'b', not 'c'"


def test_the_switch_tables_lines_follow_the_labs_language(zh_lab: labkit.Lab) -> None:
    assert switches.apply(zh_lab, "maintenance", {"on": True}) == "维护模式：开，Retry-After 120"
    assert switches.apply(zh_lab, "cache", {"action": "purge"}) == "网关缓存已清空：0 个条目"
    assert switches.apply(zh_lab, "debug", {"on": True}) == (
        "调试：开（源服务器的 500 页面中显示回溯）"
    )
    # one clause after the other, not two asides back to back: it read
    # "...（超出的得到 429）（每个密钥的计数都已清零）" until December 2026
    assert switches.apply(zh_lab, "rate-limit", {"requests": 5}) == (
        "速率限制：每个 API 密钥在 10 秒内最多向 /api/quote 发送 5 个请求（超出的得到 429）；"
        "每个密钥的计数都已清零"
    )
    # the command words stay English: they are typed
    assert switches.get("debug").words({"on": True}) == "debug on"


def test_a_quiz_shows_each_option_with_its_words_in_the_labs_language(
    zh_lab: labkit.Lab,
) -> None:
    """A multiple choice is answered with its English option (the matcher reads it); a Chinese
    learner reads each option's words beside it, an English one the option alone."""
    from labkit.exercises.lesson_500 import q3

    zh = Quiz(q3)
    # "(choose one)" after the question, with no space before its （: it read "？ （选择一项）"
    assert zh.prompt.value.endswith("？<i>（选择一项）</i>"), zh.prompt.value
    # the id set apart by the full-width colon, as a verdict's label is: it read
    # "<b>500.debug-danger</b>: 设置" (an ASCII colon before Chinese) until December 2026
    assert zh.prompt.value.startswith("<b>500.debug-danger</b>：设置 lab"), zh.prompt.value
    assert q3._repr_html_().startswith("<div><b>500.debug-danger</b>：设置 lab")
    # a hint's and a solution's bold title, likewise (they read "<b>解答</b> 把")
    assert "<b>解答</b>：" in q3.solution()._repr_html_()
    labels = [box.description for box in zh.answer.boxes]
    at = q3.options.index("leaks internals")
    assert labels[at] == "leaks internals（泄露内部信息）", labels
    zh.answer.boxes[at].value = True
    assert zh.answer.value == "leaks internals"
    # the status line names the option as its box does ("你的答案：leaks internals。" until
    # December 2026)
    assert zh.status.value == "你的答案：leaks internals（泄露内部信息）。按“检查”来检查它。"
    assert zh.exercise.check(zh.answer.value)
    assert [q3.label(option, "en") for option in q3.options] == q3.options
    assert q3.label("Retry-After", "zh-CN") == "Retry-After"  # a header name has no words
    with labkit.start(lang="en"):
        assert Quiz(q3).prompt.value.startswith("<b>500.debug-danger</b>: With ")
        assert "<b>Solution</b> " in q3.solution()._repr_html_()


def test_gateways_compared_in_chinese_keeps_the_gateways_own_words(zh_lab: labkit.Lab) -> None:
    g = GatewaysCompared(zh_lab)
    assert g.run_button.description == "让每种网关都运行一遍"
    assert g.fault.label == "garbage（状况：invalid-status-line）", g.fault.label
    rows = g.run()
    assert "<th scope='col'>客户端看到</th>" in g.table.value
    assert (
        g.status.value.startswith("garbage 经过每种网关：") and "502 Bad Gateway" in g.status.value
    )
    # the learner reads each gateway's title in Chinese; the rows keep the English titles
    # that scripts look a gateway up by (lesson 09's show())
    assert "<td>本实验室对 RFC 的解读（默认）</td>" in g.table.value
    assert (
        "<td>Envoy，按它 2024 年年中到 2026 年的版本的措辞（依据它的文档和源代码，未在这里观察）</td>"
        in g.table.value
    )
    assert [r[0] for r in rows] == [p.title for p in personalities.PERSONALITIES.values()]
    assert rows[0][0] == "the lab's reading of the RFCs (the default)"
    # the lab's own gateway's words in Chinese; a real gateway's as it logs them, its gloss
    # translated; the rows say them as the table does (lesson 09's show() prints them: they
    # were English, and the table's glosses too, until December 2026)
    assert (
        "<td>上游的响应不是以有效的 HTTP 状态行开头（上游 &#x27;garbage&#x27;）</td>"
        in g.table.value
    )
    assert rows[0][2] == "上游的响应不是以有效的 HTTP 状态行开头（上游 'garbage'）"
    assert "upstream sent no valid HTTP/1.0 header" in g.table.value  # nginx's error log words
    assert rows[2] == (
        "HAProxy 2.6.12",
        "502 Bad Gateway",
        "502 PH--（代理拦下了无效的响应：状态行有误）",
    )
    whys = [html.unescape(w) for w in re.findall(r"<td>([^<]*)</td></tr>", g.table.value)]
    assert whys == [why for _, _, why in rows]
    g.fault.value = "refused"
    refused = {title: why for title, _, why in g.run()}
    # the spoken line in one line, each answer once, the gateways by the names a learner
    # chooses them by (it read the table out: every title and status, about 400 characters)
    assert g.status.value == (
        "refused 经过每种网关：它们不一致：rfc、nginx、caddy：502 Bad Gateway；"
        "haproxy、envoy：503 Service Unavailable。"
    )
    assert refused["HAProxy 2.6.12"] == "503 SC--（服务器一侧，连接阶段：被拒绝）"
    assert refused[personalities.get("envoy").title] == ("503 UF（上游连接失败）")
    assert "<td>503 SC--（服务器一侧，连接阶段：被拒绝）</td>" in g.table.value


def test_the_picture_in_chinese_fits_its_lanes(zh_lab: labkit.Lab) -> None:
    ex = zh_lab.get("/up/body-cut/")
    svg = sequence_svg(ex, "zh-CN")
    texts = _svg_texts(svg)
    assert any("在这里生成了" in t for t in texts) or any("出错" in t for t in texts), texts
    assert "ms：实测时间，每次运行都会不同" in texts
    # a label wraps by columns (a Chinese character takes two): none is wider than a lane
    # (a closing full-width mark may stay on its line, one past the width)
    for t in texts:
        assert text_view.columns(t) <= WRAP + 2 or "ms：" in t, t
    assert alt_text(ex, "zh-CN").endswith("。") and "的时序图" in alt_text(ex, "zh-CN")
    assert "同样的过程，以文字表示" in render_html.exchange_html(ex, "zh-CN")
    # English is what it was
    assert alt_text(ex, "en").startswith("Sequence diagram of GET /up/body-cut/")


def test_the_fin_and_rst_notes_are_joined_as_their_language_joins_sentences(
    zh_lab: labkit.Lab,
) -> None:
    """An exchange whose upstream closed one connection (FIN) and reset another (RST), as
    a learner's copy of two exchanges' hops would show it: the two notes under the hop
    table read "。 RST：" in Chinese (joined with the English space) until December 2026."""
    closed, reset = zh_lab.get("/up/garbage/"), zh_lab.get("/up/reset/")
    both = dataclasses.replace(closed, hops=[*closed.hops, reset.hops[-1]])
    notes = {
        lang: re.search(r"<small>(FIN.*?)</small>", render_html.exchange_html(both, lang))
        for lang in ("zh-CN", "en")
    }
    assert notes["zh-CN"] and "就是全部内容。RST：连接被重置" in notes["zh-CN"][1]
    assert notes["en"] and "all there is. RST: the connection was reset" in notes["en"][1]
    # one ending: its note alone
    assert "RST：" not in render_html.exchange_html(closed, "zh-CN")


def test_what_a_hop_sent_is_padded_by_columns(zh_lab: labkit.Lab) -> None:
    """Lesson 08's path() pads ex.sent(hop) with ``:<45``: a Chinese line, each character two
    columns, pushed the next column further right than an English one (by 10 columns for
    （什么都没有），然后 FIN（关闭）) until December 2026."""
    import pickle

    closed = zh_lab.get("/up/close/")
    sent = closed.sent("close")
    assert sent == "（什么都没有），然后 FIN（关闭）"
    for spec in ("<45", ">45", "^45", ".<45"):
        assert text_view.columns(format(sent, spec)) == 45, spec
    assert format(sent, "<45").startswith(sent) and format(sent, ">45").endswith(sent)
    rows = [
        f"{hop.label:<20} -> {closed.sent(hop):<45} {closed.part(hop)}" for hop in closed.hops[1:]
    ]
    starts = {
        text_view.columns(row[: row.rindex(closed.part(hop))])
        for row, hop in zip(rows, closed.hops[1:], strict=True)
    }
    assert starts == {20 + 4 + 45 + 1}, rows  # the part column starts at one column on every row
    assert format(zh_lab.get("/up/ok/").sent("gateway"), "<20") == "200 OK" + " " * 14
    assert type(pickle.loads(pickle.dumps(sent))) is str  # the exercise runner reads plain str


def test_wrapping_by_columns() -> None:
    line = "GET /orders/7 HTTP/1.1 something long that wraps across lines beyond"
    import textwrap

    assert text_view.wrap(line, 28) == textwrap.wrap(
        line, 28, break_long_words=True, break_on_hyphens=False
    )
    wrapped = text_view.wrap("502 Bad Gateway（被网关拒绝）来自它的缓存，还有更多的中文文字", 28)
    assert all(text_view.columns(w) <= 28 + 2 for w in wrapped), wrapped
    assert (
        "".join(wrapped).replace(" ", "")
        == "502BadGateway（被网关拒绝）来自它的缓存，还有更多的中文文字"
    )
    assert not any(w.startswith(("，", "）")) for w in wrapped)
    # two closing marks where the width ends: the character before them comes down with
    # them (the second mark went two more columns past a picture's lane until December 2026)
    nested = (
        "200 OK（正文被截断：上游的正文提前结束了（上游在发送了 Content-Length 宣告的 100 "
        "字节中的 10 字节之后关闭了连接））"
    )
    wrapped = text_view.wrap(nested, 28)
    assert wrapped[-1].endswith("接））") and all(text_view.columns(w) <= 28 + 2 for w in wrapped)
    assert "".join(wrapped).replace(" ", "") == nested.replace(" ", "")


def test_the_hop_tables_headings_never_break_inside_a_word(zh_lab: labkit.Lab) -> None:
    """In Chromium, the printed exchange of zh/03's kept connection drew its last heading as
    "时间（实" above "测）": the long sent line left that column narrow. The headings keep
    their words on one line (the cells below still wrap)."""
    zh_lab.get("/up/idle-close/")
    shown = zh_lab.get("/up/idle-close/")._repr_html_()
    headings = re.findall(r"<th scope='col' style='([^']*)'>([^<]*)</th>", shown)
    assert [h for _, h in headings] == ["一跳", "收到", "发送", "它的角色", "时间（实测）"]
    assert all("white-space:nowrap" in style for style, _ in headings), headings
    assert "white-space:nowrap" not in re.sub(r"<th .*?</th>|<svg.*</svg>", "", shown)


def test_a_chinese_page_reads_as_words_in_the_raw_bytes(zh_lab: labkit.Lab) -> None:
    """The inspector's raw bytes of a Chinese lab's own 502 page (Content-Language: zh-CN)
    were \\xe9\\x94\\x99\\xe8\\xaf\\xaf... where the body said 错误的网关 (zh/03's playground,
    in Chromium). A printable character of UTF-8 shows as itself; any other byte stays
    \\xNN: 0xff, a character cut short, an invisible or control one."""
    ex = zh_lab.get("/up/refused/")
    assert ex.header("Content-Language") == "zh-CN"
    dump = text_view.raw_dump(ex.hop("gateway"), "zh-CN")
    assert "502 错误的网关" in dump and "\\xe9" not in dump
    assert text_view.visible_bytes(b"caf\xc3\xa9\r\n") == "café\\r\\n"
    for kept in (b"\xff", b"\xe9\x94", b"\xe2\x80\x8b", b"\xe3\x80\x80", b"\xc2\x85"):
        assert text_view.visible_bytes(kept) == "".join(f"\\x{b:02x}" for b in kept)


def test_a_chinese_label_breaks_at_a_pause_not_inside_a_word() -> None:
    """The pictures' Chinese labels broke wherever the width ran out: "连接保持打" above "开"
    (lesson 03's kept connection), "（什么都没有），然后 FIN（关" above "闭）". A line now
    breaks at its last pause in its second half (after a full-width comma, colon or closing
    mark, or at a space), and never just after an opening mark."""
    wrap = text_view.wrap
    assert wrap("HTTP/1.1 200 OK，连接保持打开", 28) == ["HTTP/1.1 200 OK，", "连接保持打开"]
    assert wrap("（什么都没有），然后 FIN（关闭）", 28) == ["（什么都没有），然后", "FIN（关闭）"]
    assert wrap(
        "（什么都没有），然后 FIN（关闭）：连接一直空闲，它的 keep-alive 超时恰好在这个请求到达时到期",
        28,
    ) == [
        "（什么都没有），然后",
        "FIN（关闭）：连接一直空闲，",
        "它的 keep-alive",
        "超时恰好在这个请求到达时到期",
    ]
    assert wrap("上" * 13 + "（关闭）之后", 28) == ["上" * 13, "（关闭）之后"]
    # a space inside an English phrase is the last resort: zh/05's timeline title broke
    # "504 Gateway" above "Timeout" where a full-width semicolon stood earlier on the line
    title = (
        "GET /slow?delay=0.5 -> 没有状态：客户端放弃了（它自己的超时时间到了）；"
        "响应（504 Gateway Timeout，由网关生成）随后才到"
    )
    assert wrap(title, charts.TITLE_WIDTH) == [
        "GET /slow?delay=0.5 -> 没有状态：客户端放弃了（它自己的超时时间到了）；",
        "响应（504 Gateway Timeout，由网关生成）随后才到",
    ]
    assert wrap("SSH-2.0-OpenSSH_9.2 hello, this is not an HTTP server，然后 FIN（关闭）", 28) == [
        "SSH-2.0-OpenSSH_9.2 hello,",
        "this is not an HTTP server，",
        "然后 FIN（关闭）",
    ]
    # no pause in a line's second half: it still breaks at the width, and nothing is lost
    assert wrap("上" * 20, 28) == ["上" * 14, "上" * 6]


@pytest.mark.parametrize("marks", ["）", "））", "）））", "））））"])
@pytest.mark.parametrize("before", ["连接", "Content-Length", "字节 Content-Length"])
def test_a_run_of_closing_marks_at_the_edge_passes_it_by_one_mark_at_most(
    marks: str, before: str
) -> None:
    """1 to 4 closing marks after a wide character or a narrow run, the run ending at every
    column around a lane's edge: no line is more than one mark (two columns) past the width,
    none begins with a mark, and nothing is lost. A narrow run that filled its line kept every
    mark after it until December 2026 ("Content-Length））" three columns and more past)."""
    width = 28  # svg.LANE_WRAP
    texts = [before + marks + "之后"]  # the run begins the label
    for lead in range(width - 6, width + 3):  # the run ends a few columns either side of the edge
        texts.append("上" * (lead // 2) + "a" * (lead % 2) + " " + before + marks + "之后")
    texts.append("中" + "x" * (width - 1) + marks)  # a narrow run as long as the lane
    for text in texts:
        wrapped = text_view.wrap(text, width)
        assert all(text_view.columns(w) <= width + 2 for w in wrapped), (text, wrapped)
        assert not any(w[0] in "）" for w in wrapped), (text, wrapped)
        assert "".join(wrapped).replace(" ", "") == text.replace(" ", "")


def test_the_charts_in_chinese(zh_lab: labkit.Lab) -> None:
    ex = zh_lab.get("/up/slow/")
    fig = charts.timeline(ex, "zh-CN")
    ax = fig.axes[0]
    assert ax.get_xlabel().startswith("自客户端发出请求以来的毫秒数")
    assert "由网关生成" in ax.get_title().replace("\n", "")
    assert "的时间线" in fig.alt and "504" in fig.alt
    curve = charts.load_curve(load.sweep(zh_lab, [2, 4], capacity=3), 3, "zh-CN")
    assert curve.axes[0].get_xlabel() == "同时请求数"
    assert curve.alt.startswith("容量为 3 时的负载曲线：")
    if charts._cjk_family() is None:
        pytest.skip("no Chinese font installed: the chart's words would be boxes")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" would be raised
        fig.png()
        curve.png()


@pytest.mark.slow  # 1.3 s (the Chinese chart and the English pictures stay quick)
def test_an_english_chart_is_drawn_as_before(lab: labkit.Lab) -> None:
    fig = charts.timeline(lab.get("/up/slow/"), "en")
    assert fig.fonts == ()
    assert fig.axes[0].get_xlabel() == (
        "milliseconds since the client sent the request "
        "(measured times, which vary from run to run)"
    )


def test_the_inspector_explains_the_headers_a_negotiated_page_carries(zh_lab: labkit.Lab) -> None:
    """Every lab page carries Content-Language and Vary since it negotiates its language; the
    inspector's Headers tab left both unexplained until December 2026."""
    from labkit.render import notes

    ex = zh_lab.get("/up/garbage/")
    zh = {name: note for name, _, note in notes.explained_headers(ex, "zh-CN")}
    en = {name: note for name, _, note in notes.explained_headers(ex, "en")}
    assert zh["Content-Language"].startswith("正文的语言（RFC 9110 8.5）")
    assert zh["Vary"].startswith("这个响应取决于哪些请求标头（RFC 9110 12.5.5）")
    assert en["Vary"].startswith("the request headers this answer depends on (RFC 9110 12.5.5)")
    assert "Accept-Language" in en["Content-Language"]


def test_an_inspector_given_something_not_a_language_says_so_in_one_line(lab: labkit.Lab) -> None:
    """Inspector(lab), the lab where its language goes: an AttributeError from the
    catalogue's reader ("'Lab' object has no attribute 'replace'"). It is refused as any
    unknown language is, in one line (errors.shown quotes a many-line repr's first line)."""
    from labkit.errors import BadArgument

    with pytest.raises(BadArgument) as refused:
        Inspector(lab)  # type: ignore[arg-type]
    said = str(refused.value)
    assert said.startswith("unknown lang <Lab running on this machine> …; choose one of: en, zh-CN")
    assert "\n" not in said
    assert Inspector("zh").lang == "zh-CN"


def test_a_body_cut_after_the_status_line_is_said_in_the_labs_language(
    zh_lab: labkit.Lab,
) -> None:
    """What the client saw when the body broke off after the status line: the client
    library's own error as it wrote it, then the lab's words about it, which the summary
    table and the story's HTML said in English inside a Chinese panel ("RemoteProtocolError:
    ... (the status line had already arrived)") until December 2026; the text story said
    them in Chinese already."""
    ex = scenarios.run("200-body-cut-after-headers", zh_lab)
    assert ex.status == 200 and ex.client_error
    for shown in (
        render_html.summary_html(ex, i18n.CHINESE),
        render_html.exchange_html(ex, i18n.CHINESE),
        repr(ex),
    ):
        assert "RemoteProtocolError" in shown  # the library's words, as it wrote them
        assert "（状态行已经到达）" in shown and "had already arrived" not in shown, shown
    assert "(the status line had already arrived)" in render_html.summary_html(ex, i18n.ENGLISH)


def test_a_playgrounds_raw_request_asks_for_the_labs_language(zh_lab: labkit.Lab) -> None:
    """The 501 playground's Send and the 505 playground's request line go through lab.raw,
    which sends the bytes as given: they asked for no language, so a Chinese playground
    showed the English 501 and 505 pages until December 2026. They now ask as lab.request
    asks; an English lab's bytes are as they were."""
    p = Playground(zh_lab, "501")
    p.method.value, p.path.value = "BREW", "/orders/7"
    p.buttons["Send"].click()
    ex = p.inspector.exchange
    assert ex is not None and ex.status == 501 and ex.header("Content-Language") == "zh-CN"
    assert "这个服务器不认识方法 'BREW'" in html.unescape(p.inspector.body.value)
    assert "Accept-Language: zh-CN" in p.inspector.raw.value
    p = Playground(zh_lab, "505")
    p.version.value = "HTTP/2.0"
    p.buttons["Send the request line"].click()
    ex = p.inspector.exchange
    assert ex is not None and ex.status == 505 and ex.header("Content-Language") == "zh-CN"
    with labkit.start() as english:
        p = Playground(english, "501")
        assert p.raw_request("BREW /orders/7 HTTP/1.1") == (
            b"BREW /orders/7 HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n"
        )
        p.buttons["Send"].click()
        ex = p.inspector.exchange
        assert ex is not None and ex.status == 501 and ex.header("Content-Language") == "en"


def test_a_scenario_names_what_it_set_aside_by_the_controls_words(zh_lab: labkit.Lab) -> None:
    """Run scenario's line named the switches by their `labkit ctl` words, "为此暂时搁置了
    timeout、delay", which no playground shows (fails before): by their titles, in the
    playground's language, as its controls are labelled."""
    p = Playground(zh_lab, "504")
    p.slow_delay.value = 0.1
    p.read_timeout.value = 0.1
    p.scenario.value = "504-slow"
    p.run_button.click()
    assert p.status.value.startswith(
        "按全新实验室的设置运行了 504-slow（为此暂时搁置了网关的超时设置、慢上游的延迟，"
        "之后已按你留下的样子放回）"
    ), p.status.value
    assert "delay" not in p.status.value and "timeout" not in p.status.value
    delay = switches.get("delay")
    assert delay.title_in("zh-CN") in p.slow_delay.description  # the words on its control
