"""The translated notebooks never drift from the English ones (issue 18 item 2).

Each translated markdown cell records the hash of the English cell it translates; code
cells are the English cells, or, stamped the same way, the English cells with their comments
and docstrings translated; the one that chooses the language adds lang="zh-CN". tools/
translations.py lists what needs translating; this test fails naming the cells.
"""

from __future__ import annotations

import ast
import io
import json
import re
import shutil
import sys
import tokenize
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers import load_tool

from labkit import i18n

ROOT = Path(__file__).resolve().parent.parent


translations = load_tool("translations")
terms = load_tool("terms")

PILOT = "00-start-here.ipynb"


def test_no_translated_notebook_lags_behind_its_english_source() -> None:
    gaps, _ = translations.report()
    listed = "\n".join(
        gap.line() + "".join(f"\n    | {line}" for line in gap.english.splitlines()[:3])
        for gap in gaps
    )
    assert not gaps, (
        f"{len(gaps)} translated cell(s) lag behind the English notebooks "
        f"(python tools/translations.py lists them; after translating, "
        f"python tools/translations.py --stamp NOTEBOOK INDEX...):\n{listed}"
    )


@pytest.fixture
def copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], tuple[Path, Path]]:
    """The pilot and its English source in a scratch tree the tool reads instead."""

    def make() -> tuple[Path, Path]:
        (tmp_path / "notebooks" / "zh").mkdir(parents=True)
        english = tmp_path / "notebooks" / PILOT
        shutil.copy(ROOT / "notebooks" / PILOT, english)
        zh = tmp_path / "notebooks" / "zh" / PILOT
        shutil.copy(ROOT / "notebooks" / "zh" / PILOT, zh)
        monkeypatch.setattr(translations, "ROOT", tmp_path)
        monkeypatch.setattr(translations, "NOTEBOOKS", tmp_path / "notebooks")
        monkeypatch.setattr(translations, "DOCS", tmp_path / "docs")  # none: no guide
        return english, zh

    return make


def test_a_notebook_with_no_translation_is_listed_as_not_yet(
    copy: Callable[[], tuple[Path, Path]],
) -> None:
    copy()
    drill = "10-incident-drill.ipynb"
    shutil.copy(ROOT / "notebooks" / drill, translations.NOTEBOOKS / drill)
    gaps, untranslated = translations.report(include_untranslated=True)
    assert (gaps, untranslated) == ([], [f"notebooks/zh/{drill}"])


Notebook = dict[str, Any]  # as its JSON: tools/translations.py reads and stamps it so


def _edit(path: Path, change: Callable[[list[Notebook]], None]) -> None:
    """``change`` the notebook's cells (each cell's source one string) and write it back."""
    nb = translations.read(path)
    for cell in nb["cells"]:
        cell["source"] = translations._source(cell)
    change(nb["cells"])
    translations.write(nb, path)


def _append(index: int, text: str) -> Callable[[list[Notebook]], None]:
    return lambda cells: cells[index].update(source=cells[index]["source"] + text)


def _replace(index: int, text: str) -> Callable[[list[Notebook]], None]:
    return lambda cells: cells[index].update(source=text)


def _lines(english: Path) -> list[str]:
    return [gap.line() for gap in translations.gaps(english, "zh-CN")]


def test_a_changed_english_cell_is_named_with_its_new_text(
    copy: Callable[[], tuple[Path, Path]],
) -> None:
    english, _ = copy()
    _edit(english, _append(5, " Now faster."))
    gaps = translations.gaps(english, "zh-CN")
    assert [g.line() for g in gaps] == [
        "notebooks/zh/00-start-here.ipynb cell 5: English text changed since translated"
    ]
    assert gaps[0].english.endswith("what every hop did. Now faster.")


def test_a_new_english_cell_is_named(copy: Callable[[], tuple[Path, Path]]) -> None:
    english, _ = copy()
    new = {
        "cell_type": "markdown",
        "id": "a-new-paragraph",
        "metadata": {},
        "source": "A new paragraph.",
    }
    _edit(english, lambda cells: cells.insert(3, new))
    assert _lines(english) == ["notebooks/zh/00-start-here.ipynb cell 3: new markdown cell"]


def test_a_code_cell_that_differs_and_a_removed_cell_are_named(
    copy: Callable[[], tuple[Path, Path]],
) -> None:
    english, zh = copy()
    _edit(zh, _replace(6, 'first = lab.get("/orders/1")'))
    _edit(english, lambda cells: cells.pop(11))
    assert _lines(english) == [
        "notebooks/zh/00-start-here.ipynb cell 6: code differs from the English cell",
        "notebooks/zh/00-start-here.ipynb: cell 11 translates no English cell (removed?)",
    ]


def test_the_language_cell_may_differ_only_in_the_language_and_comments(
    copy: Callable[[], tuple[Path, Path]],
) -> None:
    english, zh = copy()
    _edit(zh, _append(4, "\nlab.purge = 1"))
    assert _lines(english) == [
        "notebooks/zh/00-start-here.ipynb cell 4: the language cell differs in its code"
    ]


def test_a_language_cell_whose_start_takes_arguments_keeps_them(
    copy: Callable[[], tuple[Path, Path]],
) -> None:
    english, zh = copy()

    def start(call: str) -> Callable[[list[Notebook]], None]:
        def change(cells: list[Notebook]) -> None:
            cells[4]["source"] = re.sub(r"labkit\.start\([^)]*\)", call, cells[4]["source"])

        return change

    _edit(english, start('labkit.start(gateway="nginx")'))
    translations.stamp(zh, [4])
    assert _lines(english) == [
        "notebooks/zh/00-start-here.ipynb cell 4: the language cell differs in its code"
    ]
    _edit(zh, start('labkit.start(gateway="nginx", lang="zh-CN")'))
    assert _lines(english) == []


def test_stamping_records_the_new_english_text(copy: Callable[[], tuple[Path, Path]]) -> None:
    english, zh = copy()
    _edit(english, _replace(7, "The exact bytes, again:"))
    assert len(_lines(english)) == 1
    translations.stamp(zh, [7])
    assert _lines(english) == []


def test_the_translated_glossary_is_stamped_with_the_english_page_it_translates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "notebooks" / "zh").mkdir(parents=True)
    english = tmp_path / "notebooks" / "glossary.md"
    zh = tmp_path / "notebooks" / "zh" / "glossary.md"
    shutil.copy(ROOT / "notebooks" / "glossary.md", english)
    shutil.copy(ROOT / "notebooks" / "zh" / "glossary.md", zh)
    monkeypatch.setattr(translations, "ROOT", tmp_path)
    monkeypatch.setattr(translations, "NOTEBOOKS", tmp_path / "notebooks")
    monkeypatch.setattr(translations, "DOCS", tmp_path / "docs")  # none: no guide
    assert translations.report() == ([], [])
    english.write_text(english.read_text() + "\n## HTTP/3\n\nHTTP over QUIC (RFC 9114).\n")
    gaps, _ = translations.report()
    assert [g.line() for g in gaps] == [
        "notebooks/zh/glossary.md: English text changed since translated"
    ]
    assert gaps[0].english.endswith("HTTP over QUIC (RFC 9114).\n")
    translations.stamp(zh, [])
    assert translations.report() == ([], [])
    assert zh.read_text().count("<!-- translates") == 1
    zh.write_text(zh.read_text().split("\n", 1)[1])
    assert [g.line() for g in translations.report()[0]] == [
        "notebooks/zh/glossary.md: not marked as translated"
    ]


# -- the instructor guide, translated section by section (docs/instructor.zh-CN.md) --

GUIDE, GUIDE_ZH = "instructor.md", "instructor.zh-CN.md"


@pytest.fixture
def guide(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The guide and its translation in a scratch docs/ the tool reads instead."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in (GUIDE, GUIDE_ZH):
        shutil.copy(ROOT / "docs" / name, docs / name)
    (tmp_path / "notebooks").mkdir()
    monkeypatch.setattr(translations, "ROOT", tmp_path)
    monkeypatch.setattr(translations, "NOTEBOOKS", tmp_path / "notebooks")
    monkeypatch.setattr(translations, "DOCS", docs)
    return docs / GUIDE, docs / GUIDE_ZH


def _guide_lines() -> list[str]:
    return [gap.line() for gap in translations.report()[0]]


def test_the_guides_sections_are_its_headings_of_level_2_and_3() -> None:
    english = (ROOT / "docs" / GUIDE).read_text()
    parts = translations.sections(english)
    assert "".join(parts) == english
    headings = [line for line in english.splitlines() if re.match(r"#{2,3} ", line)]
    assert [p.splitlines()[0] for p in parts[1:]] == headings
    assert parts[0].count("\n# ") == 1  # the title is in the first


def test_a_guide_section_added_changed_or_restructured_is_named(
    guide: tuple[Path, Path],
) -> None:
    english, chinese = guide
    assert _guide_lines() == []
    english.write_text(english.read_text() + "## Something new\n\nA paragraph.\n")
    count = len(translations.sections(english.read_text()))
    assert _guide_lines() == [
        f"docs/{GUIDE_ZH} section {count - 1}: new section, not translated (## Something new)"
    ]
    shutil.copy(ROOT / "docs" / GUIDE, english)
    parts = translations.sections(english.read_text())
    heading = parts[4].splitlines()[0]
    english.write_text(english.read_text().replace(parts[4], parts[4] + "One more line.\n"))
    assert _guide_lines() == [
        f"docs/{GUIDE_ZH} section 4: English text changed since translated ({heading})"
    ]
    translations.main(["--stamp", str(chinese), "4"])
    assert _guide_lines() == []
    board = translations.sections(english.read_text())[11].splitlines()[0]
    assert board.startswith("### ")
    chinese.write_text(chinese.read_text().replace("\n### 看板\n", "\n## 看板\n"))
    assert _guide_lines() == [
        f"docs/{GUIDE_ZH} section 11: its heading is not of level 3, as the English one ({board})"
    ]


def test_the_chinese_guide_takes_full_width_punctuation() -> None:
    """Prose only: code blocks, inline code, link targets and the stamps are not prose."""
    text = (ROOT / "docs" / GUIDE_ZH).read_text()
    for pattern in (r"```.*?```", r"`[^`]*`", r"\]\([^)]*\)", r"<!--.*?-->"):
        text = re.sub(pattern, "", text, flags=re.S)
    han = "\u4e00-\u9fff"
    found = re.findall(rf".{{0,12}}(?:[{han}][:,;!?()]|[(][{han}]).{{0,12}}", text)
    assert not found, found


# A line break inside a paragraph (the next line starts no block: no list item, table row,
# heading, quote, fence or tag) is a soft break, which the browser shows as a space: Chromium
# (JupyterLab, GitHub) keeps it even between two Chinese characters.
_SOFT_BREAK = re.compile(r"(?<=\S)\n[ \t]*(?!\s|[-*+] |\d+\. |[|#>`<])(?=\S)")
_HEADING_OR_ROW = re.compile(r"^[ \t]*[#|].*$", re.M)


def _prose(text: str) -> str:
    """Markdown's prose as a browser lays it out: code blocks, link targets and the stamps
    left out, inline code read as a word, a soft line break as the space it shows, emphasis
    as its words ("**它的含义。** 网关" shows 它的含义。 网关)."""
    for pattern in (r"```.*?```", r"\]\([^)]*\)", r"<!--.*?-->"):
        text = re.sub(pattern, "", text, flags=re.S)
    text = _HEADING_OR_ROW.sub(lambda m: m.group() + "\n", text)  # one line each: no soft break
    text = _SOFT_BREAK.sub(" ", re.sub(r"`[^`\n]*`", "x", text))
    text = re.sub(r"(?m)^[ \t]*(?:[-*+]|\d+\.) ", "", text)  # a list item's marker
    return re.sub(r"\*+", "", text)


def _chinese_prose() -> dict[str, str]:
    """The Chinese lessons' markdown cells, the glossary, the README and the guide, by name."""
    return dict(terms.chinese_prose(ROOT))


def _chinese_texts() -> dict[str, str]:
    """The Chinese prose (``_chinese_prose``) and the catalogue's translations, by name: what
    a learner of the Chinese lessons reads, whichever of them says it."""
    return dict(terms.chinese_texts(ROOT))


# One thing, one Chinese term, in the prose and the catalogue alike: each variant (a pattern) a
# text wrote beside the term the others use (the catalogue's own rules by English word: tests/test_i18n.py
# TERMS).
VARIANTS = {
    # the instructor is 讲师, as the guides and the catalogue's other messages say; two port
    # messages said 老师 until December 2026
    "老师": "讲师",
    # "the server side" (RFC 9110 15.6): 服务器一侧, as lessons 01, 05, 08, 09, the glossary and
    # the catalogue say; lesson 00 said 服务器端 three times until December 2026
    "服务器端": "服务器一侧",
    # shed requests are 卸载, never 拒绝 (a refused connection's word, docs/i18n.md): lesson 04's
    # opening said the origin 拒绝多出来的请求 until December 2026
    "拒绝(?:多出来|多余|超出)的请求": "卸载",
    # the portal's login page is 登录页面, as the lessons (12 times) and 7 messages say; the 511
    # page's note said 登录页 until December 2026
    "登录页(?!面)": "登录页面",
    # an intermediary (a proxy, a gateway: RFC 9110 3.7) is 中间节点 as the Via and Proxy-Status
    # notes say; lesson 06 said 中介 until December 2026
    "(?<!其)中介(?!绍)": "中间节点",
    # a bug is "bug", as lesson 01 (7 times), the capstone's table (处理函数的 bug) and the
    # catalogue write it; lesson 08's checklist said 500 是程序缺陷 until December 2026
    "缺陷": "bug",
    # a request id is 请求 ID, as lessons 08 and 09 and the guide's neighbours write it; lesson
    # 03, the guide, two messages and `unknown`'s kind said 请求 id until December 2026
    "请求 id": "请求 ID",
    # a page's reference is 参考编号 (docs/i18n.md Terms); one message said 参考号
    "参考号": "参考编号",
    # a learner is 学员, as the catalogue (17 times), the board, README and guide say it; the
    # 500 of a learner's handler said 学习者 until December 2026
    "学习者": "学员",
    # what a server, a gateway or a page answers is 响应 (MDN zh-CN's word for the response, and
    # its verb: 立即响应), and with what it answers 返回 (MDN zh-CN: 服务器返回 503); a learner
    # 作答 and gives an 答案 (notebooks/zh/glossary.md). The texts said 回答 (336 times), 应答
    # (30) and 作答 (about 80) for a server's answer until December 2026
    "回答": "返回 / 响应 (a server), 作答 / 答案 (a learner)",
    "应答": "返回 / 响应",
    "(?:服务器|网关|上游|门户|代理|缓存|页面|商店|路由|bug|[A-Z]) ?(?:[^，。；：、\n*]{0,6})作答": "响应",
    # a number of bytes is N 字节, a unit as 秒 is (0.2 秒, 243 字节); the catalogue and five
    # lessons wrote 10 个字节 (10 times) beside 243 字节 until December 2026
    r"(?<=[\d}]) 个字节": "N 字节",
    # what q.solution() shows is the 解答 (the exercise widget's 解答, the progress's 看过解答);
    # lessons 00, 03, 04, 05, 06 and 07 said solution() 显示答案 until December 2026
    r"solution\(\)` ?会?显示答案": "解答",
    # a server's answer that is wrong is 响应有误, never 答错 (a learner's word); lessons 03,
    # 05 and 07 said 上游答错了, 答得不对 and 代替网站作了答 until December 2026
    # (and 504 q3's verdict "A 答错了，502", an upstream named by its letter, until December 2026)
    r"(?:上游|网关|服务器|网站|\b[A-Z])\*? ?(?:答错|作了答)|答得不对": "响应有误 / 响应",
    # nor is it a 答复 or 回复 (a reply to a letter): lesson 08 said 等待答复的时间, the capstone's
    # fifth hint 请求发出之后等待答复的时间, lesson 09's opening 上游的回复无效时 and the garbage
    # condition 上游的回复不是以有效的 HTTP 状态行开头 until December 2026
    "答复|回复": "响应",
    # a file's or a directory's owner is its 属主, as the classroom's lines (8) and the guide
    # (5) say; collect's changed-while-read line and the guide's sentence on it said 其所有者
    # until December 2026
    "所有者": "属主",
    # a gateway personality is a 行为模式, as the lessons, the README and the catalogue say; the
    # guide's section on their fidelity said nginx 人格 once until December 2026
    "人格": "行为模式",
    # the rate limit's API key is 密钥 (tests/test_i18n.py TERMS); README.zh-CN's rate-limit
    # line said 每个 key until December 2026
    r"每个 ?key\b": "密钥",
    # "a tight loop" is a loop that retries without pause (lesson 01: 绝不在循环里不停地重试);
    # 502 q3's feedback said 紧凑的循环, word for word, until December 2026
    "紧凑的循环": "不停重试的循环",
    # shed requests are 卸载 (above); 503 q3's feedback said 被拒之门外 until December 2026
    "拒之门外": "卸载",
    # a message's framing (RFC 9112 6) is its 分帧, as the glossary, lesson 02 and the scenarios
    # say; 501 q3's feedback and hints said 划定边界, 边界仍然清楚 until December 2026
    "边界": "分帧",
    # nothing listening at an address (a refused connection) is 没有程序在监听, as the
    # conditions and lessons 03 and 09 say; the capstone's cause said 没有任何东西在监听, lesson
    # 05 没有任何程序在监听 and a gateways verdict 没有进程在监听 until December 2026
    "没有(?:任何)?(?:东西|进程)在监听|没有任何程序在监听": "没有程序在监听",
}


def test_one_thing_has_one_chinese_term_in_the_prose_and_the_catalogue() -> None:
    texts = _chinese_texts()
    found = [
        f"{name}: {m[0]} (say {term}): ...{text[max(0, m.start() - 20) : m.end() + 20]}..."
        for name, text in texts.items()
        for variant, term in VARIANTS.items()
        if (m := re.search(variant, text))
    ]
    assert not found, "\n".join(found)


def test_every_chinese_text_says_a_glossary_concept_with_the_glossarys_term() -> None:
    """tools/terms.py lists each concept's term and the other words a text could use for it,
    with counts. Until December 2026 the texts said 读超时 beside 读取超时 (README.zh-CN, a
    widget's line), 学生 beside 学员 (the guide, 13 times), 堆栈跟踪 and 调用栈 for a
    traceback (lesson 01, the guide), 故障上游 (the guide), 限速 and 限流 for a rate limit
    (README.zh-CN, lesson 08), and 带 token 的 URL beside 令牌."""
    found = terms.not_the_glossarys(terms.chinese_texts(ROOT))
    assert not found, "\n".join(found)
    # a variant that is both right says why; the table cannot go stale unnoticed
    texts = terms.chinese_texts(ROOT)
    for t in terms.GLOSSARY:
        assert terms.uses(t.term, texts), f"{t.concept}: no text says {t.term}"


# RFC 2119/8174's keywords, kept in English beside the Chinese word that says them: one word each
KEYWORDS = {
    "MUST": "必须",
    "MUST NOT": "不得",
    "SHOULD": "应该",
    "SHOULD NOT": "不应该",
    "MAY": "可以",
}


def test_an_rfc_keyword_is_said_with_one_chinese_word() -> None:
    """必须（MUST）, 不得（MUST NOT）...: two texts said 绝不能（MUST NOT） where six said 不得,
    and lesson 06 应当（SHOULD） where the others said 应该, until December 2026."""
    texts = _chinese_texts()
    found = [
        f"{name}: ...{text[max(0, m.start() - 12) : m.end()]}"
        for name, text in texts.items()
        for m in re.finditer(r"（(MUST NOT|MUST|SHOULD NOT|SHOULD|MAY)）", text)
        if not text[: m.start()].endswith(KEYWORDS[m[1]])
    ]
    assert not found, "\n".join(found)
    assert sum(len(re.findall("（MUST）", t)) for t in texts.values()) > 10


# an RFC section as the Chinese texts cite it: "RFC 9110 15.6.4", "9.2.2", "第 15.6.3 节"
_SECTION = r"(?:RFC \d+ \d+(?:\.\d+)*|(?<![\d.])\d+\.\d+(?:\.\d+)*|第 [\d.]+ 节)"
# one section (with its aside), then ，and the next: "15.6.1（500），9.2.1", "3（...），4 和 5.1"
_SECTIONS_BY_COMMA = re.compile(
    rf"{_SECTION}(?:（[^（）\n]*）)?，(?=(?:和 )?(?:{_SECTION}|RFC \d+|\d+(?: 和 |（)))"
)


def test_rfc_sections_in_a_list_are_separated_by_the_enumeration_comma() -> None:
    """A list's items are joined by 、 in Chinese (docs/i18n.md, `i18n.Listed`), RFC sections
    too: "RFC 9110 15.6.5（504）、15.6.3（502）"; lessons 01, 02, 04 and 07 wrote ， between
    them (where 03, 05, 06, 08, 09 wrote 、) until December 2026. ；still parts one RFC's
    sections from the next RFC, as the English's ; does."""
    texts = _chinese_texts()
    found = [
        f"{name}: ...{text[max(0, m.start() - 12) : m.end() + 12]}..."
        for name, text in texts.items()
        for m in _SECTIONS_BY_COMMA.finditer(text)
    ]
    assert not found, "\n".join(found)
    cited = [t for t in texts.values() if re.search(rf"{_SECTION}(?:（[^（）]*）)?、", t)]
    assert len(cited) > 10  # the lessons' reference lists were read
    assert _SECTIONS_BY_COMMA.search("RFC 9111 3（在缓存中存储响应），4 和 5.1（`Age`）")
    assert _SECTIONS_BY_COMMA.search("（RFC 9112 7.1.2，RFC 9110 10.1.4）")
    assert not _SECTIONS_BY_COMMA.search("不实现 CONNECT（501，RFC 9110 15.6.2）")


def test_no_two_asides_stand_back_to_back() -> None:
    """One aside holds a name and its citation: "502 Bad Gateway（错误的网关，RFC 9110 15.6.3）",
    as lessons 05 and 06 write it. Lesson 09's opening, the glossary and three messages wrote
    "（错误的网关）（RFC 9110 15.6.3）" until December 2026 (and the rate-limit switch two
    asides of its own, tests/test_i18n_widgets.py)."""
    texts = {name: _prose(text) for name, text in _chinese_prose().items()}  # "）**（" too
    for entry in i18n.read_po(i18n.po_path(i18n.CHINESE)):
        texts[f"messages.po line {entry.line}"] = "".join(entry.msgstr.values())
    found = [
        f"{name}: ...{text[max(0, m.start() - 20) : m.end() + 20]}..."
        for name, text in texts.items()
        for m in re.finditer("）（", text)
    ]
    assert not found, "\n".join(found)


# an aside (a bracket after a space, not a call's "(...)") followed at once by another
_ASIDES_BACK_TO_BACK = re.compile(r"(?:^|\s)\([^()]*\) \(")


def test_no_two_asides_stand_back_to_back_in_english_either() -> None:
    """The English messages keep the Chinese's one aside: the gateway's note of a request on a
    kept connection read "on kept-alive connection #1 (request 2 on it) (connect timeout 5 s,
    ...)" where the Chinese joined them (（它上面的第 2 个请求；连接超时 5 秒，……）), and 503
    q1's feedback "as an HTTP-date ('Tue, ...') (RFC 9110 10.2.3)", until December 2026. A
    call's brackets before an aside ("lab.raw(...) (to the origin") are one aside."""
    sys.path.insert(0, str(ROOT / "tools"))
    import messages

    found = [
        f"{', '.join(m.where)}: {text!r}"
        for m in messages.extract()
        for text in (m.msgid, m.plural or "")
        if _ASIDES_BACK_TO_BACK.search(text)
    ]
    assert not found, "\n".join(found)
    assert _ASIDES_BACK_TO_BACK.search("connection #1 (request 2 on it) (connect timeout 5 s)")
    assert not _ASIDES_BACK_TO_BACK.search("use lab.raw(...) (to the origin or the gateway)")


def test_no_chinese_text_writes_a_space_beside_full_width_punctuation() -> None:
    """The lessons, the glossary, the README and the guide (the catalogue has its own test,
    tests/test_i18n.py): lesson 09 wrote 文档 “Session state at disconnection”, lesson 08's
    title "08 — 诊断故障" and the guide 叫作 “Wheel of Misfortune” until December 2026; and
    their lines, wrapped as English is, ended or began beside full-width punctuation or between
    two Chinese characters, which JupyterLab and GitHub show as a space ("替换了它 （nginx 的",
    "在自己的机器上 运行"): 177 such line breaks in the zh lessons, README.zh-CN and the guide."""
    from test_i18n import spaced_full_width

    texts = _chinese_prose()
    han = "\u3400-\u9fff"
    found = {
        name: spaced + re.findall(f".{{0,12}}[{han}] +[{han}].{{0,12}}", prose)
        for name, text in texts.items()
        if (spaced := spaced_full_width(prose := _prose(text)))
        or re.search(f"[{han}] +[{han}]", prose)
    }
    assert not found, found
    assert len(texts) > 100  # every lesson's markdown cells were read
    assert _prose("替换了它\n  （nginx 的") == "替换了它 （nginx 的"
    assert _prose("**它的含义。** 网关 *报告：* x") == "它的含义。 网关 报告： x"
    assert (
        _prose("一\n* 二\n\n| 三 |\n| 四 |\n## 五\n六")
        == "一\n二\n\n| 三 |\n\n| 四 |\n\n## 五\n\n六"
    )


# -- what both languages' lessons write alike (notebooks/glossary.md, "Reading an RFC reference") --


def _lesson_cells(folder: Path = ROOT / "notebooks") -> dict[str, tuple[str, set[str]]]:
    """Every lesson's markdown cells, English and Chinese, by name: (text, the numbers of the
    lesson's own numbered sections, "## 6. The caching trap")."""
    cells = {}
    for path in sorted([*folder.glob("*.ipynb"), *(folder / "zh").glob("*.ipynb")]):
        sources = {
            i: "".join(cell["source"])
            for i, cell in enumerate(json.loads(path.read_text())["cells"])
            if cell["cell_type"] == "markdown"
        }
        numbered = {n for s in sources.values() for n in re.findall(r"(?m)^#{2,3} (\d+)\. ", s)}
        name = path.relative_to(folder)
        cells |= {f"{name} cell {i}": (s, numbered) for i, s in sources.items()}
    return cells


# "section 9.2.2", "sections 4", "第 9.2.2 节": a section named in words
_IN_WORDS = re.compile(r"\b[Ss]ections? (\d[\d.]*)|第 ?(\d[\d.]*) ?节")
# "RFC 9110, 15.6.3", "RFC 9110, section 15.6.3", "RFC 9110（第 9.2.2 节）"
# "RFC 9110 (15.6.1)", "RFC 9110（15.6.1）": the section in brackets
_RFC_THEN_WORDS = re.compile(
    r"RFC \d+(?:[,，] ?(?=\d)|[,，]? ?[(（]? ?(?=[Ss]ection|第)| ?[(（] ?(?=\d+(?:\.\d+)*[)）]))"
)


def rfc_citations_in_another_form(cells: dict[str, tuple[str, set[str]]]) -> list[str]:
    """Where a lesson cites an RFC's section other than as "RFC 9112 4" (the glossary's
    convention): in words, in brackets, or with a comma after the RFC's number. A lesson's own section
    ("section 6 below", "见下面第 6 节") is named in words, and is one of its headings."""
    found = []
    for name, (text, numbered) in cells.items():
        for m in _RFC_THEN_WORDS.finditer(text):
            found.append(f"{name}: ...{text[m.start() : m.end() + 16]}...")
        for m in _IN_WORDS.finditer(text):
            if (m[1] or m[2]) not in numbered:
                found.append(f"{name}: ...{text[max(0, m.start() - 16) : m.end()]}...")
    return found


def test_the_lessons_cite_an_rfc_section_as_the_glossary_says() -> None:
    """The form "RFC 9112 4" in both languages, as the glossary explains it: lessons 03 and 04 wrote
    "RFC 9110, section 15.6.3", "RFC 9111 (section 3)" (and in Chinese "RFC 9110 第 15.6.3
    节", "RFC 9111（第 3 节）") and lesson 09 "RFC 9110, 15.6.3" until December 2026, and lesson
    01 "RFC 9110 (15.6.1)" (RFC 9110（15.6.1）) a day longer."""
    cells = _lesson_cells()
    found = rfc_citations_in_another_form(cells)
    assert not found, "\n".join(found)
    assert len(cells) > 500  # both languages' lessons were read
    sample = {
        "a": ("(RFC 9110, section 15.6.3: ...); section 9.2.2: idempotent; RFC 9112, 8", set()),
        "b": ("RFC 9110（第 9.2.2 节）说的；RFC 9111（第 3 节）", set()),
        "c": ("(`max-age`: section 6 below) 见下面第 6 节；RFC 9110 15.6.1 puts it", {"6"}),
        "d": ("RFC 9110 (15.6.1) puts it", set()),
        "e": ("RFC 9110（15.6.1）的说法是", set()),
        "f": ("RFC 9110 15.6.5（504）；RFC 9112 (HTTP/1.1)", set()),
    }
    assert {line[0] for line in rfc_citations_in_another_form(sample)} == {"a", "b", "d", "e"}


def test_the_docs_cite_an_rfc_section_as_the_lessons_do() -> None:
    """The READMEs and the guides in docs/ (en and zh) in the same form: docs/gateways.md
    (tools/gateways_doc.py) said "RFC 9209's registry (section 2.3)" until December 2026.
    The guides' translation stamps (<!-- translates ... section N -->) are not prose."""
    texts = {
        path.name: (re.sub(r"<!--.*?-->", "", path.read_text(), flags=re.S), set[str]())
        for path in [*sorted((ROOT / "docs").glob("*.md")), *sorted(ROOT.glob("README*.md"))]
    }
    found = rfc_citations_in_another_form(texts)
    assert not found, "\n".join(found)
    assert {"gateways.md", "instructor.zh-CN.md", "README.md"} <= set(texts)


def test_a_glossary_link_is_never_an_aside_inside_an_aside() -> None:
    """The term itself is the link: "as [HTTP/0.9](glossary.md#HTTP/0.9))". Lessons 03 and 06
    wrote "(nginx relays garbage raw instead, as HTTP/0.9 ([glossary](...)))" and "(ALPN
    ([glossary](...)), protocol id `h2`)", and their Chinese the same, until December 2026."""
    found = []
    for name, (text, _) in _lesson_cells().items():
        depth = 0
        for m in re.finditer(r"\[(?:glossary|术语表)\]\([^)]*\)|[(（]|[)）]", text):
            if m[0] in "(（":
                depth += 1
            elif m[0] in ")）":
                depth = max(0, depth - 1)
            elif depth > 1:
                found.append(f"{name}: ...{text[max(0, m.start() - 40) : m.end() + 2]}")
    assert not found, "\n".join(found)


def _asides_in_asides(text: str) -> list[str]:
    """Each full-width aside that holds another with Chinese words in it ("（……（比如 x）……）"),
    code spans and link targets left out. An English word glossed inside an aside is not one
    (RFC keywords, "不得（MUST NOT）"; a term's English, "抖动（jitter）")."""
    text = re.sub(r"\]\([^)\n]*\)", "]", re.sub(r"`[^`\n]*`", "x", text))
    found, opened = [], []
    for i, ch in enumerate(text):
        if ch == "（":
            opened.append(i)
        elif ch == "）" and opened:
            start = opened.pop()
            if opened and re.search("[\u4e00-\u9fff]", text[start:i]):
                found.append(text[opened[0] : i + 1])
    return found


def test_no_chinese_aside_holds_another() -> None:
    """Lesson 09's "Side by side" set its note inside the sentence's own aside: "按下按钮（真实
    网关的名称……，日志里的缩写代码（比如 `SC--`）后面附有中文解释）：", and README.zh-CN.md
    "（完整记录……在 `docs/gateways.md`（英文）；……）", and the instructor guide's list of what
    the personalities do not imitate in three places, until December 2026. The lessons, the
    glossary, the guides and the catalogue keep one level of asides."""
    texts = _chinese_texts()
    found = [
        f"{name}: {aside}" for name, text in texts.items() for aside in _asides_in_asides(text)
    ]
    assert not found, "\n".join(found)
    assert any(n.startswith("messages.po") for n in texts) and "README.zh-CN.md" in texts
    assert "docs/instructor.zh-CN.md" in texts
    assert _asides_in_asides("按钮（名称保持英文，代码（比如 `SC--`）附有解释）：")
    assert not _asides_in_asides("（RFC 6585 6：不得（MUST NOT）被缓存存储）")


def test_both_languages_say_what_a_browser_set_to_chinese_gets() -> None:
    """The lab's own pages negotiate their language (docs/i18n.md): the Chinese lessons' "see
    it in your browser" said so and the English ones did not, until December 2026; lesson
    09's Chinese said, alone, that real gateways' pages stay English. Lesson 01 teaches it
    and 02-07 point there (tests/test_notebooks.py), so both languages say it in 01 and 09."""
    cells = _lesson_cells()
    english = {name for name, (text, _) in cells.items() if "a browser set to Chinese" in text}
    chinese = {name for name, (text, _) in cells.items() if "浏览器设置为中文" in text}
    assert {f"zh/{name}" for name in english} == chinese
    assert {name.split("-", 1)[0] for name in english} == {"01", "09"}, english


def test_the_guides_say_what_a_browser_set_to_chinese_gets_in_both_languages() -> None:
    """The instructor guide's "Getting learners in" said in Chinese alone that the lab's pages
    answer a browser set to Chinese in Chinese (and that a Chinese class sets LABKIT_LANG),
    until December 2026."""
    sections = {
        lang: translations.sections((ROOT / "docs" / name).read_text())
        for lang, name in (("en", GUIDE), ("zh", GUIDE_ZH))
    }
    english = [i for i, s in enumerate(sections["en"]) if "a browser set to Chinese" in s]
    chinese = [i for i, s in enumerate(sections["zh"]) if "浏览器设置为中文" in s]
    assert english == chinese == [1]
    for lang, section in (("en", sections["en"][1]), ("zh", sections["zh"][1])):
        assert '"LABKIT_LANG": "zh-CN"' in section, lang


@pytest.mark.parametrize(
    ("given", "zh", "en"),
    [
        (
            "gateway",
            "请用一个 dict 作答：{'made_by': <client、portal",
            "{'made_by': <one of client",
        ),
        # a key left blank: the form with the options to fill in, once
        ({"made_by": "gateway"}, "'made_by': <client、portal", "'made_by': <one of client"),
    ],
)
def test_the_capstones_answer_form_is_said_in_the_learners_words(
    given: object, zh: str, en: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A capstone answer of the wrong shape is refused with the form to write; in Chinese its
    placeholders stayed English ({'made_by': '<a hop>', 'cause': '<a cause>'}) until December
    2026, and the form now lists the options to choose from. The keys are code and stay as
    they are."""
    from labkit.exercises import capstone

    said = {}
    for lang in (i18n.CHINESE, i18n.ENGLISH):
        monkeypatch.setenv("LABKIT_LANG", lang)
        result = capstone.q1.check(given)
        assert result.correct is None, result.message  # refused: not an attempt
        said[lang] = result.message
    assert zh in said[i18n.CHINESE], said
    assert en in said[i18n.ENGLISH], said


# What a Chinese lesson's checked outputs show in English on purpose (docs/i18n.md, "Kept in
# English on purpose"), by what the cell reads: each a pattern of the cell's source and why
ENGLISH_ON_PURPOSE = {
    r"\.why\b": "ex.why: the lab's reason as programs and the English recordings read it",
    r"\bCAUSES\b": "the capstone's causes, the words the answer matcher reads",
    r"Proxy-Status": "a Proxy-Status detail: a header for programs (a header line shown among\n"
    "others is not read: see _HEADER_LINE)",
    r"\bclient_error\b": "httpx's own exception text",
}
# A cell that shows a page the lab's client asked for in no language (lab.raw sends no
# Accept-Language, and the lesson says so): the origin's English page
ENGLISH_PAGES = {("06-505-http-version-not-supported", "7eeb23be")}
# a header field as an output shows it ("  Proxy-Status: labkit-gateway; ... details=..."):
# its value is protocol, for programs, whatever the lab's language
_HEADER_LINE = re.compile(r"^[ \t]*[A-Za-z][A-Za-z0-9-]*: .*$", re.M)


def _catalogue_in_english() -> list[tuple[str, re.Pattern[str]]]:
    """Each catalogue message a Chinese learner would read translated, as a pattern of its
    English text (a placeholder matches any short text): the ones of four words or more whose
    translation differs; a reason phrase (msgctxt reason: status lines stay English) and an
    option's words (msgctxt option: the matcher reads them) are left out."""
    found = []
    for entry in i18n.read_po(i18n.po_path(i18n.CHINESE)):
        words = re.findall(r"[A-Za-z]+", re.sub(r"\{[^}]*\}", "", entry.msgid))
        said = "".join(entry.msgstr.values())
        if len(words) < 4 or entry.context in ("reason", "option") or said == entry.msgid:
            continue
        parts = re.split(r"\{[^}]*\}", entry.msgid)
        found.append((entry.msgid, re.compile(".{1,200}?".join(map(re.escape, parts)))))
    return found


def test_a_chinese_lessons_outputs_say_no_catalogue_message_in_english() -> None:
    """Every checked output of the Chinese lessons (tests/notebook_outputs/zh, what their
    cells showed under LABKIT_LANG=zh-CN) says in Chinese what the catalogue can say in
    Chinese: a message found in English is one a Chinese lab rendered in English. Protocol
    tokens, header names, status lines and code are no catalogue message of four words, so
    they raise no alarm; what stays English on purpose is named above, by the cell's source."""
    messages = _catalogue_in_english()
    found = []
    for path in sorted((ROOT / "tests" / "notebook_outputs" / "zh").glob("*.json")):
        for cell_id, cell in json.loads(path.read_text()).items():
            if (path.stem, cell_id) in ENGLISH_PAGES or any(
                re.search(pattern, cell["source"]) for pattern in ENGLISH_ON_PURPOSE
            ):
                continue
            shown = "\n".join(text for item in cell["shows"] for text in item.values())
            shown = _HEADER_LINE.sub("", shown)
            found += [
                f"{path.stem} cell {cell_id}: {msgid!r} in {cell['source'][:60]!r}"
                for msgid, english in messages
                if english.search(shown)
            ]
    assert not found, "\n".join(found)


ENGLISH_CODE = '''def fetch(path):
    """Ask the gateway for path, and show what came back."""
    ex = lab.get(path)  # through the gateway
    print(ex.status, "# not a comment")
    # NBVAL_IGNORE_OUTPUT
    return ex
'''
CHINESE_COMMENTS = '''def fetch(path):
    """向网关请求 path，并显示得到的结果。"""
    ex = lab.get(path)  # 经过网关
    print(ex.status, "# not a comment")
    # NBVAL_IGNORE_OUTPUT
    return ex
'''


def test_a_code_cell_may_say_its_comments_and_docstrings_in_the_translation_s_language(
    copy: Callable[[], tuple[Path, Path]],
) -> None:
    """A Chinese learner read English comments in the Chinese lessons' code cells ("# lab.stop()
    # stops the lab...", 08's helpers' docstrings), since a code cell had to be the English
    cell byte for byte. A translated cell, stamped, may differ in its comments and docstrings
    only: the code, its string literals and its test markers stay the English cell's."""
    english, zh = copy()
    _edit(english, _replace(6, ENGLISH_CODE))
    _edit(zh, _replace(6, CHINESE_COMMENTS))
    assert _lines(english) == [
        "notebooks/zh/00-start-here.ipynb cell 6: comments translated, not marked as translated"
    ]
    translations.stamp(zh, [6])
    assert _lines(english) == []
    # a string literal, a test marker or a line of code is not a comment
    for changed in (
        CHINESE_COMMENTS.replace('"# not a comment"', '"# 不是注释"'),
        CHINESE_COMMENTS.replace("# NBVAL_IGNORE_OUTPUT", "# 忽略输出"),
        CHINESE_COMMENTS.replace("    return ex\n", "    return ex.status\n"),
    ):
        _edit(zh, _replace(6, changed))
        assert _lines(english) == [
            "notebooks/zh/00-start-here.ipynb cell 6: code differs from the English cell"
        ], changed
    _edit(zh, _replace(6, CHINESE_COMMENTS))
    _edit(english, _replace(6, ENGLISH_CODE.replace("# through the gateway", "# via the gateway")))
    assert _lines(english) == [
        "notebooks/zh/00-start-here.ipynb cell 6: English text changed since translated"
    ]


def test_a_string_shown_as_a_cell_s_last_value_is_not_a_docstring(
    copy: Callable[[], tuple[Path, Path]],
) -> None:
    """A string alone on a cell's last line is what the cell shows, not a comment."""
    english, zh = copy()
    _edit(english, _replace(6, 'lab.get("/")\n"the index page"'))
    _edit(zh, _replace(6, 'lab.get("/")\n"首页"'))
    translations.stamp(zh, [6])
    assert _lines(english) == [
        "notebooks/zh/00-start-here.ipynb cell 6: code differs from the English cell"
    ]


_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_BACKQUOTED = re.compile(r"`[^`\n]*`")


def _is_code(text: str) -> bool:
    """Whether a comment's text is a line of code left for the learner to run (``q1.hint()``,
    ``lab.gateway.personality = ...``): it compiles and holds an operator, so that a lone
    English word, which would compile as a name, is still read as words."""
    try:
        compile(text, "<comment>", "exec")
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (SyntaxError, ValueError, tokenize.TokenError):
        return False
    return any(t.type == tokenize.OP for t in tokens)


def _docstrings(source: str) -> list[str]:
    """A cell's functions' and classes' docstrings (``ast``; a magic line such as
    ``%matplotlib inline`` is left out, as Python cannot parse it)."""
    code = "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
    )
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    found = [
        ast.get_docstring(node, clean=False) for node in ast.walk(tree) if isinstance(node, kinds)
    ]
    return [doc for doc in found if doc is not None]


def _english(text: str) -> bool:
    words = _BACKQUOTED.sub("", text)
    return bool(_LATIN_WORD.search(words)) and not _CJK.search(words)


def _english_words(source: str) -> list[str]:
    """The comments and docstrings of a code cell said in English: Latin words and no CJK
    character, once what stands in backquotes (a code name, a header, a status) is left out.
    A test marker (``# NBVAL_...``) is not words; commented-out code is read for its own
    comments (``# lab.stop()  # stops the lab``)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return []
    found = []
    for tok in tokens:
        if tok.type != tokenize.COMMENT:
            continue
        text = tok.string[1:].strip()
        if text.startswith("NBVAL"):
            continue
        if text.startswith("#") or _is_code(text):
            found += _english_words(text)
        elif _english(text):
            found.append(tok.string)
    return found + [doc for doc in _docstrings(source) if _english(doc)]


def test_the_rule_for_an_english_comment_reads_words_not_code() -> None:
    """What the next test counts as English, and what it leaves alone."""
    assert _english_words("x = 1  # the generic page\n") == ["# the generic page"]
    assert _english_words('def f():\n    """Send the request."""\n    ...\n') == [
        "Send the request."
    ]
    assert _english_words("# lab.stop()  # stops the lab\n#  working; it ends.\n") == [
        "# stops the lab",
        "#  working; it ends.",
    ]
    assert _english_words("# retry\n") == ["# retry"]
    assert _english_words("%matplotlib inline\nclass C:\n    'Wait.'\n") == ["Wait."]
    for fine in (
        "# q1.hint()\n# lab.gateway.personality = ...\n",
        "# NBVAL_IGNORE_OUTPUT\n",
        "# 先读 `Retry-After`，再等 `pause` 秒\n",
        "x = 1  # `503`\n",
        "# lab.stop()  # 停止实验室\n",
        '"the index page"\n',
    ):
        assert _english_words(fine) == [], fine


def test_no_chinese_code_cell_says_a_comment_or_docstring_in_english() -> None:
    """A Chinese learner read English comments in the Chinese lessons' code cells ("# your code
    here", "# the network, not the site: ...", the closing "# lab.stop()  # stops the lab...")
    after a translated cell could say them in Chinese: every one is translated."""
    english = []
    for path in sorted((ROOT / "notebooks" / "zh").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for index, cell in enumerate(nb["cells"]):
            if cell["cell_type"] == "code":
                src = "".join(cell["source"])
                english += [f"zh/{path.name} cell {index}: {w}" for w in _english_words(src)]
    assert english == []


def test_the_chinese_readme_says_how_to_test_and_read_the_benchmarks_without_its_numbers() -> None:
    """README.zh-CN's last section gives a Chinese reader the commands (`make test`, `make
    quick`, the benchmark run, storing a notebook's outputs) and how to read the benchmark
    table, in Chinese, and links to the English table for its numbers, which it never types
    again (no digit outside code and links). It only pointed to the English README until
    December 2026."""
    readme = (ROOT / "README.zh-CN.md").read_text()
    section = readme[readme.index("## 性能测试与开发\n") :]
    section = section[: section.find("\n## ", 1)] if "\n## " in section[1:] else section
    for said in ("`make test`", "`make quick`", "benchmarks/run.py", "tools/store_outputs.py"):
        assert said in section, said
    for said in ("`peer`", "`PASS`", "`**MISS**`", "中位数", "(README.md#benchmarks)"):
        assert said in section, said
    prose = re.sub(r"`[^`]*`|\[[^]]*\]\([^)]*\)", "", section)
    assert not re.findall(r".{0,12}(?<![A-Za-z\d])\d.{0,12}", prose)  # a name's (h11) aside


@pytest.mark.parametrize("readme", ["README.md", "README.zh-CN.md"])
def test_both_readmes_name_the_drift_and_missing_translation_checks_and_their_tools(
    readme: str,
) -> None:
    """Issue 18's "done when": the drift test and the missing-translation test are in the
    README's test command, each beside the tool that lists what it would fail on, in both
    READMEs. Neither README named them until December 2026."""
    text = (ROOT / readme).read_text()
    developing = text[text.index("`make quick`") :]
    for said in (
        "`tests/test_i18n.py`",
        "`tests/test_translations.py`",
        "--missing",
        "tools/translations.py",
        "(docs/i18n.md)",
    ):
        assert said in developing, said


@pytest.mark.parametrize(
    ("guide", "heading", "drill"),
    [(GUIDE, "## Timing", "It takes {} minutes."), (GUIDE_ZH, "## 时间安排", "它需要 {} 分钟。")],
)
def test_the_guides_timing_table_has_a_row_for_every_lesson(
    guide: str, heading: str, drill: str
) -> None:
    """Both guides' timing tables name every lesson of notebooks/, 00 to 10, and give the
    incident drill (lesson 10) the minutes "Running a drill" says it takes, as a range; the
    tables stopped at lesson 09 until December 2026."""
    text = (ROOT / "docs" / guide).read_text()
    table = text[text.index(heading + "\n") :].split("\n\n")[1]
    named = set(re.findall(r"^\| (\d\d) |、(\d\d) |, (\d\d) ", table, re.M))
    lessons = {p.name[:2] for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")}
    assert {n for row in named for n in row if n} == lessons, table
    minutes = re.search(drill.format(r"(\d+) (?:to|到) (\d+)"), text)
    assert minutes, drill
    row = next(line for line in table.splitlines() if line.startswith("| 10 "))
    assert row.endswith(f"| {minutes[1]}–{minutes[2]} |"), row
