"""The lab's own pages in English and Simplified Chinese, negotiated the HTTP way
(Accept-Language, Content-Language, Vary: RFC 9110 12.5.4, 12.5.5), and the catalogues
they read: every English msgid translated, placeholders kept (docs/i18n.md)."""

from __future__ import annotations

import errno
import json
import os
import re
import socket
import string
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import labkit
from labkit import errors, i18n, switches
from labkit.errors import BadArgument
from labkit.recorder import Kind

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import messages  # noqa: E402  (tools/messages.py: the extractor the catalogue is checked by)


def wire(lab: labkit.Lab, server: str, head: str) -> bytes:
    """Send one request's bytes to ``server`` and read the whole answer (it closes)."""
    port = getattr(lab, server).port
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        s.sendall(head.encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return data


def get(path: str, *headers: str) -> str:
    lines = [f"GET {path} HTTP/1.1", "Host: lab", "Connection: close", *headers]
    return "\r\n".join(lines) + "\r\n\r\n"


def split(data: bytes) -> tuple[bytes, dict[str, str], bytes]:
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.split(b"\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    return status_line, headers, body


# -- the pages, on the wire --


def test_a_page_answers_zh_cn_in_chinese_with_content_language_and_vary(
    lab: labkit.Lab,
) -> None:
    status, headers, body = split(wire(lab, "origin", get("/orders/99", "Accept-Language: zh-CN")))
    assert status == b"HTTP/1.1 404 Not Found"  # the reason phrase is protocol: English
    assert headers["content-language"] == "zh-CN"
    assert headers["vary"] == "Accept, Accept-Language"
    assert body.decode("utf-8").splitlines()[:3] == ["404 未找到", "", "没有编号为 99 的订单。"]
    assert "-- 由 labkit 的源服务器生成" in body.decode("utf-8")


def test_the_same_page_without_accept_language_is_english(lab: labkit.Lab) -> None:
    status, headers, body = split(wire(lab, "origin", get("/orders/99")))
    assert status == b"HTTP/1.1 404 Not Found"
    assert headers["content-language"] == "en"
    assert headers["vary"] == "Accept, Accept-Language"
    assert body.startswith(b"404 Not Found\n\nThere is no order 99.\n")
    assert b"-- made by the labkit origin" in body


@pytest.mark.parametrize("server", ["origin", "gateway"])
@pytest.mark.parametrize("accept", ["text/html", "*/*"])
def test_a_404_page_quotes_a_long_path_cut_and_says_so_in_its_language(
    lab: labkit.Lab, server: str, accept: str
) -> None:
    """A 404 page repeated the whole path it was asked for: 9,000 characters on the page for
    a 9,000-character path. It quotes the start (pages.PATH_SHOWN characters) with an
    ellipsis, then how long the path was and that it was cut, in the page's language; what
    it quotes is escaped as any text on an HTML page."""
    path = "/" + "a" * 9000 + '%3Cb%3E&<i>"'
    pages = {}
    for lang in ("en", "zh-CN"):
        data = wire(lab, server, get(path, f"Accept: {accept}", f"Accept-Language: {lang}"))
        status, headers, body = split(data)
        assert status == b"HTTP/1.1 404 Not Found" and headers["content-language"] == lang
        pages[lang] = body.decode("utf-8")
        assert len(body) < 1000, len(body)
        assert "a" * 100 not in pages[lang] and "<i>" not in pages[lang]
    start = "&#x27;/" if accept == "text/html" else "'/"
    assert f"There is no resource at {start}{'a' * 76}…" in pages["en"], pages["en"]
    assert "(cut; 9013 characters in all)." in pages["en"]
    assert f"{start}{'a' * 76}…" in pages["zh-CN"], pages["zh-CN"]
    assert "（已截断，共 9013 个字符）处没有资源。" in pages["zh-CN"]
    assert not re.search("[\u4e00-\u9fff]", pages["en"])


def test_a_404_page_quotes_a_short_path_whole_and_a_long_order_number_cut(lab: labkit.Lab) -> None:
    """The cut is only for a long path: one of 80 characters is quoted whole; an order
    number is cut as a path is (it is one), without the quotes it never had."""
    path = "/" + "b" * 77
    _, _, body = split(wire(lab, "origin", get(path)))
    assert f"There is no resource at '{path}'.\n" in body.decode()
    order = "9" * 200
    _, _, body = split(wire(lab, "origin", get(f"/orders/{order}", "Accept-Language: zh-CN")))
    assert f"没有编号为 {'9' * 79}…（已截断，共 200 个字符）的订单。" in body.decode(), body


def _deepest(text: str) -> int:
    depth = deepest = 0
    for ch in text:
        depth += (ch in "(（") - (ch in ")）")
        deepest = max(deepest, depth)
    return deepest


@pytest.mark.parametrize("accept", ["en", "zh-CN"])
def test_a_gateway_page_sets_no_aside_inside_an_aside(lab: labkit.Lab, accept: str) -> None:
    """The gateway's 502 for a refused connection ended '(RFC 9110 15.6.3 ...; reading 'no
    response at all' as 502 too is the lab's choice (nginx's and Caddy's; HAProxy answers
    503)).', （…（…））in Chinese: the page set each condition's RFC note in brackets, so no
    note could have brackets of its own, and the Chinese notes could not mark the RFC's
    keywords as every other Chinese text does, 必须（MUST）. The note is now a sentence of its
    own ('Why this status: ...'): no line of the page nests brackets, and a note may hold one
    level of them."""
    from labkit import conditions

    _, _, body = split(wire(lab, "gateway", get("/up/refused/", f"Accept-Language: {accept}")))
    page = body.decode("utf-8")
    assert "15.6.3" in page and all(_deepest(line) <= 1 for line in page.splitlines()), page
    notes = [o.rfc for o in conditions.RFC_TABLE.values()] + list(
        conditions.UNREACHABLE_RFC.values()
    )
    for note in notes:
        for lang in i18n.LANGUAGES:
            assert _deepest(i18n.render(note, lang)) <= 1, (lang, str(note))
    content_length = conditions.RFC_TABLE[conditions.Condition.INVALID_CONTENT_LENGTH].rfc
    assert "必须（MUST）关闭" in i18n.render(content_length, "zh-CN")


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_500_question_quotes_the_page_as_it_reads(lab: labkit.Lab, lang: str) -> None:
    """Lesson 500's q2 quotes the generic 500 page's reference line, in each language as the
    page says it (the Chinese question quoted words the Chinese page did not say until
    December 2026: it now takes them from the page's own message, origin.REPORT_REFERENCE)."""
    from labkit.exercises.lesson_500 import q2

    _, headers, body = split(wire(lab, "origin", get("/orders/abc", f"Accept-Language: {lang}")))
    ref = headers["x-request-id"]
    line = next(line for line in body.decode().splitlines() if ref in line)
    assert line.replace(ref, "req-0001") in i18n.render(q2.prompt_text, lang)


def test_a_lessons_browser_link_speaks_the_labs_language(lab: labkit.Lab) -> None:
    """A lesson's link words are a literal in a code cell both languages share: a Chinese
    lab says them in Chinese (every Chinese lesson showed them in English until December
    2026), an English lab as written, a learner's own words as given; tools/messages.py
    finds each in the English lessons, so a new or changed one needs its translation."""
    from labkit.browser import LINK

    cells = "".join(p.read_text() for p in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")))
    literals = set(re.findall(r'browser_link\([^()]*?\\"([^"\\]+)\\"\)', cells))
    found = {m.msgid for m in messages.extract() if m.context == LINK}
    assert literals and literals <= found and all(json.dumps(w)[1:-1] in cells for w in found)
    chinese = labkit.start(lang="zh-CN")
    try:
        for template in sorted(found):
            # an f-string's words (lesson 05's read timeout) as the lesson makes them
            words = re.sub(r"\{\w+(:[^}]*)?\}", "0.3", template)
            said = chinese.browser_link("gateway", "/", words).text
            assert re.search("[\u4e00-\u9fff]", said) and "{" not in said, (words, said)
            assert said == re.sub(
                r"\{\w+(:[^}]*)?\}", "0.3", i18n.translate(i18n.CHINESE, template, context=LINK)
            )
            assert lab.browser_link("gateway", "/", words).text == words
        assert chinese.browser_link("gateway", "/", "my page").text == "my page"
    finally:
        chinese.stop()


def test_no_text_form_of_a_browser_link_holds_a_port(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lesson 05's link showed its URL as its text/plain form (`http://127.0.0.1:41234/up/
    slow/`), a port that differs each run, in a stored output and nbval's comparison too
    (fails before); without jupyter-server-proxy its words named the URL as well. Every form
    a learner reads is the same in every run, in both languages: the link's words, its path
    and server, and where its address comes from; only the link's target holds the port."""
    from labkit import browser

    first, second = labkit.start(), labkit.start(lang="zh-CN")
    also = labkit.start(lang="zh-CN")
    try:
        for lang_lab, other in ((first, second), (second, also)):
            link = lang_lab.browser_link("gateway", "/up/slow/", "a 504 page")
            port = str(link.direct.rsplit(":", 1)[1].split("/")[0])
            assert port in link.proxied  # the target holds it
            text = repr(link)
            assert port not in text and "127.0.0.1" not in text
            assert "/up/slow/" in text and "lab.url('gateway') + '/up/slow/'" in text
            if lang_lab is first:
                assert text == (
                    "a 504 page: /up/slow/ on the gateway, a link that opens through the "
                    "Jupyter server (its address on this machine: lab.url('gateway') + "
                    "'/up/slow/')"
                )
            else:  # the same words from another lab, whose ports differ
                assert text == repr(other.browser_link("gateway", "/up/slow/", "a 504 page"))
                assert "一个经过 Jupyter 服务器打开的链接" in text
            monkeypatch.setattr(browser, "has_server_proxy", lambda: False)
            html_form = link._repr_html_()
            monkeypatch.undo()
            assert port not in html_form and "lab.url(&#x27;gateway&#x27;)" in html_form
    finally:
        for running in (first, second, also):
            running.stop()


def test_a_chinese_solution_gives_its_options_words_too() -> None:
    """A Chinese solution names the option to type and then its words, as a Quiz shows
    them (docs/i18n.md: "504 from the gateway（由网关生成的 504）"); eight named the English
    option alone until December 2026 (q3.check('leaks internals')：...)."""
    from labkit.exercises import all_exercises, answers
    from labkit.exercises.core import Choice, digest

    for q in all_exercises():
        if not isinstance(q, Choice):
            continue
        answer = next(o for o in q.options if digest(q.id, answers.text(o)) == q.answer_digest)
        words = i18n.translate(i18n.CHINESE, answer, context=Choice.OPTION)
        said = i18n.render(q.solution_msg, i18n.CHINESE)
        if words != answer and answer in said:
            assert f"{answer}（{words}）" in said or f"{answer}')（{words}）" in said, q.id


def test_nginxs_raw_relay_is_told_in_the_labs_language() -> None:
    """Behind the nginx personality the upstream's garbage goes on raw, as HTTP/0.9: the
    gateway's line in the story said so in English in a Chinese lab (lesson 09) until
    December 2026; str() of the story's event stays English."""
    lab = labkit.start(gateway="nginx", lang="zh-CN")
    try:
        story = repr(
            lab.raw(
                b"GET /up/garbage/ HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n", to="gateway"
            )
        )
    finally:
        lab.stop()
    assert "55 字节原样转发，没有状态行（HTTP/0.9）" in story, story
    assert "relayed as they came" not in story


def test_a_refused_choice_lists_the_options_with_their_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An answer that names no option is told the options with their words beside them, as
    the Quiz shows them; the line listed the bare English options until December 2026 (an
    option's own words are accepted: tests/test_exercises_i18n.py). English as
    before."""
    from labkit.exercises.lesson_502 import q1

    monkeypatch.setenv("LABKIT_LANG", "zh-CN")
    refused = q1.check("网关坏了")
    assert refused.correct is None
    assert "'a 500 from the handler'（处理函数给出的 500）、" in refused.message, refused.message
    # and print(q1), as lesson 00 does: the bare English options under a Chinese question
    # until December 2026
    assert repr(q1).endswith(
        "\n  选项：garbage bytes（乱码字节）、connection refused（连接被拒绝）、"
        "a 500 from the handler（处理函数给出的 500）、reset before headers（在标头之前重置）"
    )
    monkeypatch.setenv("LABKIT_LANG", "en")
    assert "options: 'garbage bytes', 'connection refused', " in q1.check("the handler").message
    assert repr(q1).endswith(
        "\n  options: garbage bytes, connection refused, a 500 from the handler, reset before headers"
    )


def test_the_html_page_says_its_language_in_the_markup_too(lab: labkit.Lab) -> None:
    lab.origin.maintenance(True, retry_after=30)
    head = get("/orders/7", "Accept: text/html", "Accept-Language: zh-CN")
    status, headers, body = split(wire(lab, "origin", head))
    assert status == b"HTTP/1.1 503 Service Unavailable"
    assert headers["content-language"] == "zh-CN" and headers["retry-after"] == "30"
    text = body.decode("utf-8")
    assert "<html lang='zh-CN'>" in text
    assert "<title>503 服务不可用</title>" in text
    assert "<p>商店正在停机维护。请在 30 秒后再来。</p>" in text
    assert "<small>本页面由 labkit 的源服务器生成。</small>" in text
    english = split(wire(lab, "origin", get("/orders/7", "Accept: text/html")))[2].decode()
    assert "<html lang='en'>" in english and "<title>503 Service Unavailable</title>" in english


@pytest.mark.parametrize(
    ("accept_language", "lang"),
    [
        ("zh-CN", "zh-CN"),
        ("zh", "zh-CN"),
        ("zh-Hans", "zh-CN"),
        ("ZH-cn", "zh-CN"),  # ranges are case-insensitive (RFC 4647 2)
        ("fr, zh-CN;q=0.8", "zh-CN"),
        ("en;q=0.5, zh-CN;q=0.8", "zh-CN"),
        ("zh-CN;q=0.8, en;q=0.9", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),  # what a browser set to Chinese sends
        ("en-US,en;q=0.9", "en"),
        ("zh-TW", "en"),  # Traditional Chinese: not what the catalogue has
        ("zh-Hant", "en"),
        ("zh-CN;q=0", "en"),  # q=0: not acceptable
        ("*", "en"),
        ("fr", "en"),  # nothing acceptable: the default, not a 406 (RFC 9110 12.5.4)
        ("zh-CN;q=abc", "en"),  # a malformed member is skipped
        ("", "en"),
        # a range more specific than the tag offered matches it once cut back at a "-" (RFC
        # 4647 3.4): an American browser with Chinese second got Chinese until December 2026
        ("en-US, zh-CN;q=0.5", "en"),
        ("en-GB,zh-CN;q=0.9", "en"),
        ("zh-Hans-CN", "zh-CN"),
        ("zh-HK", "en"),  # cut back, "zh": not offered (Traditional is not what we have)
        # Simplified script asked for in a Traditional region: cut back to "zh-Hans", which is
        # offered (RFC 4647 3.4); English until December 2026
        ("zh-Hans-TW", "zh-CN"),
        ("zh-Hans-HK", "zh-CN"),
        ("fr, cmn-Hans-TW;q=0.5", "zh-CN"),
        ("zh-Hant-TW", "en"),  # cut back, "zh-Hant", then "zh": neither offered
        ("*;q=0.5, en;q=0", "zh-CN"),  # English refused, anything else welcome
        # a weight outside RFC 9110 12.4.2's syntax is malformed: its member is skipped
        ("zh-CN;q=.5", "en"),
        ("zh-CN;q=0.0001", "en"),
        ("zh-CN;q=1.5", "en"),
        ("zh-CN;q=1.000", "zh-CN"),
        ("fr, zh-CN;Q=0.5", "zh-CN"),  # "Q=" is "q=": an ABNF string is case-insensitive
        # weight = OWS ";" OWS "q=" qvalue: no whitespace around "=", so such a member is
        # malformed and skipped, as the gateway cache's selecting_value takes it (a value of
        # its own); chosen as weight 0.5 until December 2026
        ("fr, zh-CN;q = 0.5", "en"),
        ("zh-CN;q =0.5", "en"),
        ("zh-CN;q= 0.5, en;q=0.1", "en"),
        ("zh-CN ; q=0.5, en;q=0.1", "zh-CN"),  # OWS around ";" is the syntax's
        ("zh-CN;\tq=0.5, en;q=0.1", "zh-CN"),
        # Mandarin (cmn, in the macrolanguage zh) in simplified characters is what the
        # catalogue has, in either form of its tag (RFC 5646 4.5: extlang "zh-cmn" is "cmn");
        # "zh-cmn-Hans-CN" got English until December 2026
        ("zh-cmn-Hans-CN", "zh-CN"),
        ("zh-cmn-Hans", "zh-CN"),
        ("cmn-Hans-CN", "zh-CN"),
        ("zh-cmn", "zh-CN"),
        ("fr, zh-cmn-Hans-CN;q=0.5", "zh-CN"),
        ("zh-cmn-Hant-TW", "en"),  # Traditional, as zh-TW and zh-Hant
        ("cmn-TW", "en"),
        ("cmn-Hant", "en"),
        ("zh-yue-HK", "en"),  # Cantonese: another language of the macrolanguage
    ],
)
def test_accept_language_with_q_values_chooses(
    lab: labkit.Lab, accept_language: str, lang: str
) -> None:
    ex = lab.get("/nowhere", via="origin", headers={"Accept-Language": accept_language})
    assert ex.status == 404 and ex.header("Content-Language") == lang
    assert ex.text.startswith("404 未找到" if lang == "zh-CN" else "404 Not Found")


def test_the_gateway_cache_keeps_one_copy_per_language(lab: labkit.Lab) -> None:
    """The maintenance page made cacheable (lesson 04's mistake) is stored per language:
    an English request after a Chinese one is a miss, never the Chinese copy."""
    lab.origin.maintenance(True, cache_max_age=60)
    zh = lab.get("/orders/7", headers={"Accept-Language": "zh-CN"})
    assert zh.status == 503 and zh.header("X-Cache") == "MISS"
    assert zh.header("Content-Language") == "zh-CN" and "商店正在停机维护" in zh.text
    en = lab.get("/orders/7", headers={"Accept-Language": "en"})
    assert en.header("X-Cache") == "MISS" and en.header("Content-Language") == "en"
    assert en.text.startswith("503 Service Unavailable\n\nThe shop is down for maintenance.")
    none = lab.get("/orders/7")
    assert none.header("X-Cache") == "MISS" and none.header("Content-Language") == "en"
    again = lab.get("/orders/7", headers={"Accept-Language": "zh-CN"})
    assert again.header("X-Cache") == "HIT" and again.text == zh.text
    assert lab.get("/orders/7", headers={"Accept-Language": "en"}).text == en.text


@pytest.mark.parametrize("server", ["origin", "gateway", "portal"])
def test_accept_language_in_two_lines_is_one_list(lab: labkit.Lab, server: str) -> None:
    """Accept-Language is a list: its field lines make one value, joined by commas (RFC 9110
    5.3), so lines 'fr' and 'zh-CN' ask what 'fr, zh-CN' asks. Each server read the first
    line only, and answered English, until December 2026."""
    for lines in (["fr", "zh-CN"], ["fr, zh-CN"]):
        head = get("/nowhere", *(f"Accept-Language: {line}" for line in lines))
        status, headers, body = split(wire(lab, server, head))
        assert headers["content-language"] == "zh-CN", (lines, status)
        assert re.search("[\u4e00-\u9fff]", body.decode()), body.decode()
    status, headers, _ = split(wire(lab, server, get("/nowhere", "Accept-Language: fr")))
    assert headers["content-language"] == "en"


def test_the_gateway_cache_matches_accept_language_by_all_its_lines(lab: labkit.Lab) -> None:
    """A stored page is served only to a request whose Accept-Language, all its lines
    combined, is the one it was negotiated with (RFC 9111 4.1): the Chinese page stored for
    lines 'fr' and 'zh-CN' is not the answer to a client that sends 'fr' alone."""
    lab.origin.maintenance(True, cache_max_age=60)
    two = get("/orders/7", "Accept-Language: fr", "Accept-Language: zh-CN")
    status, headers, chinese = split(wire(lab, "gateway", two))
    assert status.endswith(b"503 Service Unavailable")
    assert headers["content-language"] == "zh-CN" and headers["x-cache"] == "MISS"
    status, headers, body = split(wire(lab, "gateway", get("/orders/7", "Accept-Language: fr")))
    assert headers["content-language"] == "en" and headers["x-cache"] == "MISS", body
    status, headers, again = split(wire(lab, "gateway", two))
    assert headers["content-language"] == "zh-CN" and headers["x-cache"] == "HIT"
    assert again == chinese


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("zh-CN,zh;q=0.9", "zh-CN, zh;q=0.9"),  # Chrome's value, then with a space
        ("zh-CN, zh;q=0.9", "zh-CN,zh;q=0.9"),
        ("zh-CN ; q=0.8 ,\ten;q=0.5", "zh-CN;q=0.8,en;q=0.5"),  # OWS around ";" and ","
        ("zh-CN,,en;q=0.5", "zh-CN, en;q=0.5"),  # an empty member is none (RFC 9110 5.6.1)
        ("zh-CN", "ZH-cn"),  # language ranges are case-insensitive (RFC 4647 2)
        ("fr, zh-CN;q=0.5", "fr, zh-CN;Q=0.5"),  # and so is the weight's "q" (RFC 5234 2.3)
    ],
)
def test_the_gateway_cache_serves_one_copy_to_accept_languages_that_say_the_same(
    lab: labkit.Lab, first: str, then: str
) -> None:
    """RFC 9111 4.1 lets a cache match selecting fields that differ only by whitespace
    their syntax allows or by the case of case-insensitive tokens: 'zh-CN,zh;q=0.9' and
    'zh-CN, zh;q=0.9' were two variants, each fetched from the origin, until December 2026.
    Never a wrong language: an English value after them is a miss, and its own copy."""
    lab.origin.maintenance(True, cache_max_age=60)
    status, headers, chinese = split(
        wire(lab, "gateway", get("/orders/7", f"Accept-Language: {first}"))
    )
    assert status.endswith(b"503 Service Unavailable")
    assert headers["content-language"] == "zh-CN" and headers["x-cache"] == "MISS"
    _, headers, again = split(wire(lab, "gateway", get("/orders/7", f"Accept-Language: {then}")))
    assert headers["x-cache"] == "HIT" and headers["content-language"] == "zh-CN", headers
    assert again == chinese
    for english in ("en", "fr, zh-CN;q=0", "zh-CN;q=0.4, en;q=0.5"):
        _, headers, body = split(
            wire(lab, "gateway", get("/orders/7", f"Accept-Language: {english}"))
        )
        assert headers["content-language"] == "en" and headers["x-cache"] == "MISS", english
        assert body.startswith(b"503 Service Unavailable"), body


# values a browser, curl or a learner might send, written in the ways the syntax allows
_ACCEPT_LANGUAGES = [
    "zh-CN,zh;q=0.9",
    "zh-CN, zh;q=0.9",
    " zh-CN ,\tzh ; q=0.9 ",
    "ZH-CN,ZH;Q=0.9",
    "fr, zh;Q=0.5",
    "fr,zh;q=0.5",
    "fr, zh;q = 0.5",  # whitespace around "=" is not the syntax's: a value of its own
    "fr, zh; q=0.5x",
    "fr, , zh-CN",
    "fr,zh-CN",
    "zh-CN;q=0, en",
    "zh-CN;q=0,en",
    "en;q=0.5, zh-CN;q=0.6",
    "en;q=0.5,zh-cn;q=0.6",
    "zh-TW, zh-CN;q=0.1",
    "zh-tw,zh-cn;q=0.1",
    "*;q=0.5, en;q=0",
    "*;Q=0.5,EN;q=0",
    "",
    ",",
]


def test_accept_languages_the_cache_takes_as_one_choose_one_language() -> None:
    """What the gateway cache takes as the same value (gateway.selecting_value) the pages
    take as the same choice (i18n.negotiate), or a stored page could answer in the wrong
    language. Each value is written at least two ways, so the check cannot pass empty."""
    from labkit.gateway import selecting_value

    keys = {v: selecting_value("accept-language", v) for v in _ACCEPT_LANGUAGES}
    for a in _ACCEPT_LANGUAGES:
        for b in _ACCEPT_LANGUAGES:
            if keys[a] == keys[b]:
                assert i18n.negotiate(a) == i18n.negotiate(b), (a, b)
    assert len(set(keys.values())) < len(keys) - 8
    assert keys["fr, zh;q = 0.5"] != keys["fr,zh;q=0.5"]
    assert i18n.negotiate("fr, zh;Q=0.5") == i18n.negotiate("fr,zh;q=0.5") == "zh-CN"


def test_the_cache_keeps_a_quoted_comma_and_the_case_of_accept() -> None:
    """Accept's parameter values may be case-sensitive, and a comma inside a quoted string
    is no list delimiter (RFC 9110 5.6.4, 8.3.1): only the whitespace around delimiters goes."""
    from labkit.gateway import selecting_value

    assert selecting_value("accept", "text/html, */*;q=0.8") == "text/html,*/*;q=0.8"
    assert selecting_value("accept", 'text/x;a="1, 2"') != selecting_value(
        "accept", 'text/x;a="1,2"'
    )
    assert selecting_value("accept", "text/x;a=B") != selecting_value("accept", "text/x;a=b")
    assert selecting_value("user-agent", "curl/8.5.0  (x)") == "curl/8.5.0 (x)"


def test_a_list_in_a_line_is_joined_in_the_lines_language(lab: labkit.Lab) -> None:
    """One rule for every list in a message (i18n.Listed): ', ' in English, 、 in Chinese.
    The head-timeout line joined its three servers with its own "{first}, {second},
    {third}" (，in Chinese), the switches' usage lines and an unknown name's choices with
    ', ' or 、 each; a list still crosses from the learner's process inside a message."""
    import io
    import pickle

    from labkit import control, switches
    from labkit.exercises.runner import _FromChild

    show = switches.SWITCHES["head-timeout"].show
    assert show is not None
    line, s = show(lab), f"{switches.HEAD_TIMEOUT:g} s"
    assert i18n.render(line, "en").endswith(f": portal {s}, gateway {s}, origin {s}")
    zh = f"{switches.HEAD_TIMEOUT:g} 秒"  # a number of seconds in Chinese prose: 秒
    # each server by its word in a Chinese sentence (portal 10 秒 until December 2026)
    assert i18n.render(line, "zh-CN").endswith(f"门户 {zh}、网关 {zh}、源服务器 {zh}")
    with pytest.raises(BadArgument) as refused:  # a terminal set to Chinese
        control.apply(lab, "reset", {"to": 1, "at": 2}, lang="zh-CN")
    assert "at、to" in str(refused.value) and ", " not in str(refused.value)
    said = i18n.Said(i18n.Msg("{what}", what=i18n.Listed(["a", i18n.Msg("no such resource")])))
    back = _FromChild(io.BytesIO(pickle.dumps(said))).load()
    assert back == "a, no such resource" and i18n.render(back, "zh-CN") == "a、没有这个资源"
    # the clauses of one sentence (a judge's problems, a chart's alt, a fault's knobs) are a
    # Listed too: '; ' in English, the full-width ； in Chinese, where they joined with '; '
    # or a ';' of their own in four places
    parts = i18n.Listed(["a", i18n.Msg("no such resource")], sentences=True)
    back = _FromChild(io.BytesIO(pickle.dumps(i18n.Said(i18n.Msg("{p}", p=parts))))).load()
    assert back == "a; no such resource" and i18n.render(back, "zh-CN") == "a；没有这个资源"
    # the 405 page lists the allowed methods so too (it read 允许的方法：GET, HEAD, OPTIONS。
    # beside the 501 page's GET、HEAD、POST until December 2026); Allow itself is protocol
    refused_here = lab.request("DELETE", "/orders/7", headers={"Accept-Language": "zh-CN"})
    assert "允许的方法：GET、HEAD、OPTIONS。" in refused_here.text
    assert refused_here.header("Allow") == "GET, HEAD, OPTIONS"
    assert "Allowed: GET, HEAD, OPTIONS." in lab.request("DELETE", "/orders/7").text


def test_the_gateways_own_502_page_and_the_portals_pages_speak_chinese(lab: labkit.Lab) -> None:
    zh = {"Accept-Language": "zh-CN"}
    ex = lab.get("/up/refused/", headers=zh)
    assert ex.status == 502 and ex.reason == "Bad Gateway"
    assert ex.header("Content-Language") == "zh-CN"
    assert ex.text.startswith("502 错误的网关\n\n网关没有从上游服务器 'refused' 得到可用的响应：")
    assert (
        "这个响应由网关生成，而不是由上游服务器生成。\n为什么是这个状态码：RFC 9110 15.6.3"
        in ex.text
    )
    portal = lab.get("/orders/7", via="portal", headers={**zh, "Accept": "text/html"})
    assert portal.status == 511 and portal.header("Content-Language") == "zh-CN"
    assert "<title>511 需要网络认证</title>" in portal.text
    assert "<a href='../_portal/login?next=/orders/7'>登录网络</a>" in portal.text
    form = lab.get("/_portal/login", via="portal", headers=zh)
    assert form.header("Content-Language") == "zh-CN"
    assert form.header("Vary") == "Accept-Language"
    assert "<button type='submit'>登录</button>" in form.text
    english = lab.get("/_portal/login", via="portal")
    assert "<button type='submit'>Log in</button>" in english.text


# what a request asks in Accept-Language, and the page's language (RFC 9110 12.5.4): Chinese
# only where the ranges choose the catalogue's zh-CN; Traditional, a lower weight and "*"
# get the default, English (docs/i18n.md)
_ASKED = [("zh-CN", "zh-CN"), ("zh-TW", "en"), ("zh;q=0.1, en;q=0.9", "en"), ("*", "en")]


def _pages_negotiated(lab: labkit.Lab, requests: list[tuple[str, str, str]]) -> list[str]:
    """Each request (method, path, via) in each Accept-Language of _ASKED and as text and HTML:
    what differs from the negotiation, for every page the lab made itself (a relayed answer,
    an upstream's own bytes, is not the lab's page)."""
    wrong = []
    for method, path, via in requests:
        for accept in ("text/plain", "text/html"):
            for asked, chosen in _ASKED:
                headers = {"Accept-Language": asked, "Accept": accept}
                ex = lab.request(method, path, via=via, headers=headers)
                if ex.status is None or ex.generated_by.startswith("upstream"):
                    continue
                said = (
                    ex.header("Content-Language"),
                    "Accept-Language" in (ex.header("Vary") or ""),
                    bool(re.search(f"[{_HAN}]", ex.text)),
                )
                if said != (chosen, True, chosen == "zh-CN"):
                    wrong.append(f"{method} {path} via {via}, {accept}, {asked!r}: {said}")
    return wrong


def test_every_page_a_fault_of_an_upstream_makes_negotiates_its_language(lab: labkit.Lab) -> None:
    """The gateway's page for each misbehaving upstream and for the empty pool: Chinese with
    Content-Language: zh-CN only for zh-CN, English for zh-TW, for zh at a lower weight than
    en and for "*", each with Vary naming Accept-Language, in text and in HTML. Test-only: a
    reading of every page of lessons 03-05 and 09 found none that differs."""
    paths = [("GET", f"/up/{name}/", "gateway") for name in sorted(lab.upstreams)]
    # the upstreams the gateway waits out (a connect or a read that never ends) are waited
    # out sooner: the page is the same, and 24 waits of 0.2-0.3 s made this test 4.2 s quiet
    for name in ("blackhole", "slow", "bad-content-length"):
        route = lab.gateway.route(f"/up/{name}/")
        route.connect_timeout = route.read_timeout = 0.05
    assert not _pages_negotiated(lab, [*paths, ("GET", "/pool/", "gateway")])


def test_every_page_of_the_origin_and_the_portal_negotiates_its_language(lab: labkit.Lab) -> None:
    """The origin's pages of lessons 01-06 (404, 405, 426, 500, 501, 503) through the gateway
    and the portal's (511 before login, its login form): the same negotiation. Test-only."""
    requests = [
        ("GET", "/nope", "gateway"),
        ("DELETE", "/orders/7", "gateway"),
        ("GET", "/chat", "origin"),
        ("GET", "/orders/abc", "gateway"),
        ("BREW", "/orders/7", "gateway"),
        ("GET", "/orders/7", "portal"),
        ("GET", "/generate_204", "portal"),
        ("GET", "/_portal/login", "portal"),
    ]
    assert not _pages_negotiated(lab, requests)
    lab.origin.maintenance(retry_after=30)
    assert not _pages_negotiated(lab, [("GET", "/orders/7", "gateway")])


def test_the_slow_reports_and_the_busy_resources_200_bodies_negotiate_their_language(
    lab: labkit.Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GET /slow (lesson 05) and GET /busy (lesson 04), each of its three answers: the body in
    the request's language, Content-Language and Vary: Accept-Language, as the pages say
    theirs; the English bytes as they were. They were English for zh-CN, with neither field."""
    requests = [("GET", "/slow?delay=0", "origin"), ("GET", "/slow?delay=0", "gateway")]
    requests.append(("GET", "/busy", "gateway"))
    assert not _pages_negotiated(lab, requests)
    en = lab.get("/slow?delay=0.1", headers={"Accept-Language": "en"})
    zh = lab.get("/slow?delay=0.1", headers={"Accept-Language": "zh-CN"})
    assert (en.text, en.header("Vary")) == ("report ready after 0.1 s\n", "Accept-Language")
    assert (zh.text, zh.header("Content-Language")) == ("报表已就绪，用了 0.1 秒\n", "zh-CN")
    off = lab.get("/busy", headers={"Accept-Language": "zh-CN"})
    assert off.text == "没有挂起：挂起已关闭\n"
    with monkeypatch.context() as patched:
        patched.setattr("labkit.origin.HOLD_MAX", 0.05)
        lab.origin.hold = True
        held = lab.get("/busy", headers={"Accept-Language": "zh-CN"})
        held_en = lab.get("/busy")
    assert (held.text, held.header("Content-Language")) == ("挂起了 0.05 秒，这是上限\n", "zh-CN")
    assert held_en.text == "held for 0.05 s, the most\n"
    before = set(lab.recorder.ids())

    def release() -> None:
        lab.recorder.wait_for(
            lambda: any(
                ev.hop == "origin" and ev.kind is Kind.RECEIVED
                for rid in lab.recorder.ids()
                if rid not in before
                for ev in lab.recorder.events(rid)
            ),
            10,
        )
        lab.origin.hold = False  # the origin holds it: let it go

    releasing = threading.Thread(target=release)
    releasing.start()
    released = lab.get("/busy", headers={"Accept-Language": "zh-CN"}, timeout=5)
    releasing.join()
    assert (released.status, released.text) == (200, "一直挂起，直到被放行\n")


# Chinese text takes full-width punctuation (：，；（）！？). An ASCII one beside a Chinese
# character reads as a slip: the 511 page's link line was "登录网络: ../_portal/login...".
_HAN = "\u3400-\u9fff"
_ASCII_BESIDE_HAN = re.compile(rf"[{_HAN}][:,;!?()]|[(][{_HAN}]")


def ascii_punctuation_in_chinese(text: str) -> list[str]:
    """Each ASCII : , ; ! ? ( ) written beside a Chinese character, in its context."""
    return [text[max(m.start() - 12, 0) : m.end() + 12] for m in _ASCII_BESIDE_HAN.finditer(text)]


def test_chinese_pages_use_full_width_punctuation(lab: labkit.Lab) -> None:
    zh = {"Accept-Language": "zh-CN"}
    portal = lab.get("/orders/7", via="portal", headers=zh)
    assert "\n登录网络：../_portal/login?next=/orders/7\n" in portal.text
    english = lab.get("/orders/7", via="portal")
    assert "\nLog in to the network: ../_portal/login?next=/orders/7\n" in english.text
    pages = {
        "511": portal.text,
        "511 html": lab.get("/orders/7", via="portal", headers={**zh, "Accept": "text/html"}).text,
        "502": lab.get("/up/refused/", headers=zh).text,
        "504": lab.get("/up/slow/", headers=zh).text,
        "404": lab.get("/orders/99", headers=zh).text,
        "426": lab.get("/chat", headers=zh).text,
        "505": split(
            wire(lab, "origin", get("/", "Accept-Language: zh-CN").replace("1.1", "2.0", 1))
        )[2].decode(),
        "login": lab.get("/_portal/login", via="portal", headers=zh).text,
    }
    found = {name: ascii_punctuation_in_chinese(text) for name, text in pages.items()}
    assert not any(found.values()), found


def test_every_chinese_translation_uses_full_width_punctuation() -> None:
    """Each msgstr, its placeholders read as Chinese words (a template's own separator
    counts too: "{label}: {link}" must be "{label}：{link}")."""
    wrong = []
    for lang in (lang for lang in i18n.LANGUAGES if lang.startswith("zh")):
        for entry in i18n.read_po(i18n.po_path(lang)):
            for form in entry.msgstr.values() if entry.msgid else ():
                if found := ascii_punctuation_in_chinese(re.sub(r"\{[^{}]*\}", "中", form)):
                    wrong.append(f"  line {entry.line}: {form!r}: {found}")
    assert not wrong, "ASCII punctuation beside Chinese words:\n" + "\n".join(wrong)
    assert len(ascii_punctuation_in_chinese("登录网络: x (见下文)")) == 3
    assert not ascii_punctuation_in_chinese("登录网络：x（见下文）, RFC 9110 (15.6)")


# Full-width punctuation carries its own space: none is written beside it (GB/T 15834).
_SPACE_BESIDE_FULL_WIDTH = re.compile(
    "[{0}] +(?=[^ |\n])|(?<=[^ |\n]) +[{0}]".format(re.escape("".join(sorted(i18n.FULL_WIDTH))))
)


def spaced_full_width(text: str) -> list[str]:
    """Each ASCII space written beside full-width punctuation, in its context (a markdown
    table's `|` and a line's indentation are not prose)."""
    return [
        text[max(m.start() - 12, 0) : m.end() + 12] for m in _SPACE_BESIDE_FULL_WIDTH.finditer(text)
    ]


def test_no_space_is_written_beside_full_width_punctuation() -> None:
    """The inspector read "502 Bad Gateway —— 由 gateway 生成" and GatewaysCompared's table
    "nginx 1.22.1（proxy_pass） 返回 502" until December 2026. A msgstr's own spaces are
    checked here; where a template's space meets a value it cannot know (a title that ends
    with ）, "{title} 返回 {status}"), i18n leaves the space out as it fills the template."""
    wrong = [
        f"  line {entry.line}: {form!r}: {found}"
        for entry in i18n.read_po(i18n.po_path(i18n.CHINESE))
        for form in (entry.msgstr.values() if entry.msgid else ())
        if (found := spaced_full_width(form))
    ]
    assert not wrong, "a space beside full-width punctuation:\n" + "\n".join(wrong)
    assert len(spaced_full_width("生成 ——由 x（y） 响应")) == 2
    assert not spaced_full_width("| 200（转发） | 502 |\n  （缩进）")
    said = {
        title: i18n.translate(
            i18n.CHINESE, "{title} answers {status}: {log}", title=title, status=502, log="x y"
        )
        for title in (i18n.Msg("nginx 1.22.1 (proxy_pass)").render(i18n.CHINESE), "HAProxy 2.6.12")
    }
    assert list(said.values()) == [
        "nginx 1.22.1（proxy_pass）返回 502：x y",  # a title ending with ） takes no space
        "HAProxy 2.6.12 返回 502：x y",  # one ending with a digit keeps it
    ]
    # nor between two Chinese characters: a chart's title read "随后才到 的时间线"
    timeline = "{summary} 的时间线（{measured}）。{said}。"
    for summary, said in (("随后才到", "随后才到的时间线"), ("200 OK", "200 OK 的时间线")):
        assert i18n._fill(timeline, {"summary": summary, "measured": "m", "said": "s"}) == (
            f"{said}（m）。s。"
        )
    # only the template's spaces: a value (a quoted answer, a log line) is kept as written
    assert i18n.translate(i18n.CHINESE, "答案 {a} 不对", a="（甲） 乙") == "答案（甲） 乙不对"


# Chinese prose writes a number of seconds "0.2 秒" (MDN zh-CN, Chinese technical writing),
# never "0.2 s": the catalogue had both, 38 messages each way (docs/i18n.md).
_SECONDS_AS_S = re.compile(r"(?:\d|\})\s?s(?![A-Za-z0-9_])")


# one Chinese term for one thing, where the catalogue had two (docs/i18n.md, Terms): the English
# word in a msgid, the term its msgstr must use, and what does not count as the word
TERMS = {
    # shed requests are 卸载 as the lessons and exercises say, never 被拒绝 (a refused connection)
    "shed": (r"(?<!\{)\bshed\b(?!\})", "卸载"),
    # an incident (the capstone's, the drill's) is 故障 as the lessons' headings say ("故障 1"),
    # never 事件: the questions and the drill's lines said 事件 until December 2026
    "incident": (r"\bincidents?\b", "故障"),
    # a header is 标头 (MDN zh-CN); 头部 is a message's head, 开头 a beginning
    "header": (r"\bheaders?\b", "标头"),
    # the rate limit's API key is 密钥 (MDN zh-CN: API 密钥); the rate-limit switch's line said
    # "每个 key 的计数" beside "每个 API 密钥" until December 2026 (a JSON key is 键)
    "API key": (r"\bAPI keys?\b|\bkey's\b", "密钥"),
    # a device's connectivity check is 连通性检查 as lesson 07 says; the 511 scenario's title,
    # the q4 question and a verdict said 联网检查 until December 2026
    "connectivity check": (r"\bconnectivity check", "连通性检查"),
    # an intermediary is 中间节点 (tests/test_translations.py VARIANTS: the prose too); 505 q3's
    # solution said 中间的代理 until December 2026
    "intermediary": (r"\bintermediar(?:y|ies)\b", "中间节点"),
    # an upstream's condition (refused, read-timeout...) is its 状况, as lesson 09, README and
    # the gateways exercises say; GatewaysCompared's fault list said （条件：refused） until
    # December 2026
    "condition": (r"\bconditions?\b", "状况"),
}


@pytest.mark.parametrize("term", sorted(TERMS))
def test_one_thing_has_one_chinese_term(term: str) -> None:
    """The burst's line and chart said 被拒绝 for shed requests (the word a refused connection
    has) while lesson 04 and its exercises said 卸载, and two header notes said 头 where every
    other text says 标头, until December 2026."""
    english, chinese = TERMS[term]
    wrong = []
    for e in i18n.read_po(i18n.po_path(i18n.CHINESE)):
        said = "".join(e.msgstr.values())
        if term == "header":
            loose = re.sub("标头|头部|开头|请求头字段太大", "", said)
            if "头" in loose:
                wrong.append((e.msgid, said))
        elif re.search(english, e.msgid) and chinese not in said:
            wrong.append((e.msgid, said))
    assert not wrong, wrong


def test_a_chinese_text_quotes_a_page_as_the_chinese_page_says_it() -> None:
    """A Chinese hint or solution that quotes a lab page quotes what a Chinese lab shows
    (正文（“商店正在停机维护”）): three capstone solutions quoted the English pages ("down for
    maintenance") inside Chinese quotation marks until December 2026."""
    english = []
    for e in i18n.read_po(i18n.po_path(i18n.CHINESE)):
        for said in e.msgstr.values():
            for quoted in re.findall("“([^”]*)”", said):
                if re.search(r"[A-Za-z]+ [A-Za-z]+ [A-Za-z]+", quoted) and not re.search(
                    "[\u4e00-\u9fff]", quoted
                ):
                    english.append((e.msgid[:60], quoted))
    assert not english, english


def test_every_chinese_translation_writes_seconds_as_miao() -> None:
    wrong = [
        f"  line {entry.line}: {form!r}"
        for lang in i18n.LANGUAGES
        if lang.startswith("zh")
        for entry in i18n.read_po(i18n.po_path(lang))
        for form in (entry.msgstr.values() if entry.msgid else ())
        if _SECONDS_AS_S.search(form)
    ]
    assert not wrong, "seconds written 's' in Chinese (write '0.2 秒'):\n" + "\n".join(wrong)
    assert _SECONDS_AS_S.search("连接超时 {connect} s，读取超时 0.3s")
    assert not _SECONDS_AS_S.search("连接超时 {connect} 秒，5xx 状态码，s-maxage=60，{status}状态")


def test_a_chinese_comment_in_a_lessons_code_writes_seconds_as_miao() -> None:
    """A code cell's comment translated into Chinese is Chinese text: `# 0.05 秒，然后 0.1 秒`,
    as the prose and the catalogue write it. Lessons 03 and 05 said `0.05 s，然后 0.1 s` and
    `（最多 1 s）` in their comments until December 2026; an English comment keeps `s`."""
    import io
    import tokenize

    wrong = []
    for path in sorted((ROOT / "notebooks" / "zh").glob("*.ipynb")):
        for index, cell in enumerate(json.loads(path.read_text())["cells"]):
            if cell["cell_type"] != "code":
                continue
            python = "".join(  # IPython's magics (%matplotlib) are not Python
                line for line in cell["source"] if not line.lstrip().startswith(("%", "!"))
            )
            for token in tokenize.generate_tokens(io.StringIO(python).readline):
                if (
                    token.type == tokenize.COMMENT
                    and re.search(r"[\u4e00-\u9fff]", token.string)
                    and _SECONDS_AS_S.search(token.string)
                ):
                    wrong.append(f"{path.name} cell {index}: {token.string}")
    assert not wrong, "seconds written 's' in a Chinese comment (write '0.2 秒'):\n" + "\n".join(
        wrong
    )


def test_a_505_page_in_chinese_keeps_its_english_status_line(lab: labkit.Lab) -> None:
    head = "GET / HTTP/2.0\r\nHost: lab\r\nAccept-Language: zh-CN\r\n\r\n"
    status, headers, body = split(wire(lab, "origin", head))
    assert status == b"HTTP/1.1 505 HTTP Version Not Supported"
    assert headers["content-language"] == "zh-CN"
    assert body.decode().startswith("505 HTTP 版本不受支持\n\n")
    assert "请在请求行中写 HTTP/1.1，重新发送请求。" in body.decode()


def test_a_request_whose_head_never_arrived_whole_gets_english_and_no_vary(
    lab: labkit.Lab,
) -> None:
    """Not a request line: nothing to negotiate on."""
    status, headers, body = split(wire(lab, "origin", "HELLO\r\nAccept-Language: zh-CN\r\n\r\n"))
    assert status.startswith(b"HTTP/1.1 400")
    assert headers["content-language"] == "en" and "vary" not in headers
    assert body.startswith(b"400 Bad Request\n\nThe request line is not 'METHOD target HTTP/x.y'")


def wire_in_pieces(lab: labkit.Lab, server: str, data: bytes, cut: int) -> bytes:
    """Send ``data`` as two writes split at ``cut``, a pause between them, and read the
    whole answer: what a server makes of a head must not depend on where it was split."""
    with socket.create_connection(("127.0.0.1", getattr(lab, server).port), timeout=2) as s:
        s.sendall(data[:cut])
        time.sleep(0.05)
        try:
            s.sendall(data[cut:])
        except OSError:  # the server may answer and close before the rest is sent
            pass
        answer = b""
        try:
            while chunk := s.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass
    return answer


@pytest.mark.parametrize("server", ["origin", "gateway", "portal"])
def test_a_431_negotiates_on_the_lines_within_its_first_16_kb(lab: labkit.Lab, server: str) -> None:
    """A browser sends Accept-Language before the cookies that make a head too large: the
    431 answers in its language, however the bytes were split; English unchanged."""
    cookies = [f"Cookie: c{i}={'a' * 100}" for i in range(200)]
    big = get("/", "Accept-Language: zh-CN", *cookies).encode()
    for cut in (len(big), 40, 16000):
        status, headers, body = split(wire_in_pieces(lab, server, big, cut))
        assert status == b"HTTP/1.1 431 Request Header Fields Too Large", cut
        assert headers["content-language"] == "zh-CN", cut
        assert headers["vary"] == "Accept, Accept-Language"
        assert "请求标头超过了 16384 字节" in body.decode(), body.decode()
    # without Accept-Language, or with it only past the first 16 KB (not read): English
    for head in (get("/", *cookies), get("/", *cookies, "Accept-Language: zh-CN")):
        status, headers, body = split(wire(lab, server, head))
        assert status == b"HTTP/1.1 431 Request Header Fields Too Large"
        assert headers["content-language"] == "en"
        assert b"The request headers are larger than 16384 bytes." in body
        assert not re.search("[\u4e00-\u9fff]", body.decode())


# the sentences of the pages refusing a request as sent (labkit/http/requestcheck.py), in
# both languages: (server, request head, status line, Chinese sentence, English sentence)
REFUSALS = [
    (
        "origin",
        "POST /orders HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding: gzip, chunked\r\n",
        b"HTTP/1.1 501 Not Implemented",
        "这个服务器没有实现传输编码 'gzip'；它只理解 'chunked'（RFC 9112 6.1）",
        "this server does not implement the transfer coding 'gzip'; it only understands "
        "'chunked' (RFC 9112 6.1)",
    ),
    (
        "gateway",
        "POST /orders HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding: chunked, gzip\r\n",
        b"HTTP/1.1 400 Bad Request",
        "请求带有 Transfer-Encoding，但 'chunked' 不是最后一个编码，因此无法确定正文在哪里结束",
        "Transfer-Encoding is present but 'chunked' is not the final coding, so the end of "
        "the body cannot be found (RFC 9112 6.3)",
    ),
    (
        "origin",
        "POST /orders HTTP/1.1\r\nHost: lab\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n",
        b"HTTP/1.1 400 Bad Request",
        "这个请求同时带有 Content-Length 和 Transfer-Encoding",
        "the request has both Content-Length and Transfer-Encoding, so two servers could",
    ),
    (
        "origin",
        "GET / HTTP/1.1\r\n",  # no Host
        b"HTTP/1.1 400 Bad Request",
        "HTTP/1.1 请求必须带有 Host 标头（RFC 9112 3.2）",
        "an HTTP/1.1 request must carry a Host header (RFC 9112 3.2)",
    ),
    (
        "gateway",
        "CONNECT /x HTTP/1.1\r\nHost: lab\r\n",
        b"HTTP/1.1 400 Bad Request",
        "目标 '/x' 不是这种形式，所以这个请求格式错误（RFC 9112 3.2.3）",
        "the target '/x' is not of that form, so the request is malformed (RFC 9112 3.2.3)",
    ),
    (
        "origin",
        "GET / HTTP/3.0\r\nHost: lab\r\n",
        b"HTTP/1.1 505 HTTP Version Not Supported",
        "请求行写的是 HTTP/3.0，这个服务器不支持这个主版本",
        "the request line says HTTP/3.0, a major version this server does not support",
    ),
    (
        "origin",
        "POST /orders HTTP/1.1\r\nHost: lab\r\nContent-Length: 2000000\r\n",
        b"HTTP/1.1 413 Content Too Large",
        "请求正文超过了 1048576 字节",
        "the request body is larger than 1048576 bytes",
    ),
]


@pytest.mark.parametrize(
    ("server", "head", "status_line", "chinese", "english"),
    REFUSALS,
    ids=[r[2].decode().split(" ", 2)[1] + "-" + r[1].split("\r\n")[-2][:24] for r in REFUSALS],
)
def test_a_refused_request_is_told_why_in_its_language(
    lab: labkit.Lab, server: str, head: str, status_line: bytes, chinese: str, english: str
) -> None:
    body = "0\r\n\r\n" if "chunked" in head else ""  # a whole request, so none waits
    zh = split(
        wire(lab, server, head + "Accept-Language: zh-CN\r\nConnection: close\r\n\r\n" + body)
    )
    assert zh[0] == status_line  # the reason phrase is protocol: English
    assert zh[1]["content-language"] == "zh-CN" and zh[1]["vary"] == "Accept, Accept-Language"
    assert chinese in zh[2].decode(), zh[2].decode()
    # the page's title says the reason in the page's language (pages.PAGE_STATUSES)
    assert not zh[2].decode().startswith(status_line.decode().split(" ", 1)[1]), zh[2].decode()
    en = split(wire(lab, server, head + "Connection: close\r\n\r\n" + body))
    assert en[0] == status_line and en[1]["content-language"] == "en"
    # the page says the reason as a sentence (pages.Reason): "The request line says ...",
    # where a part from within it stays as it is
    text = en[2].decode()
    assert english[0].upper() + english[1:] in text or f" {english}" in text, text
    assert not re.search("[\u4e00-\u9fff]", text)


def test_labkits_own_failure_is_a_500_page_in_the_requests_language(
    lab: labkit.Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug in labkit itself (a handler of the lab's own that raises, server.py) answers
    500 as the other pages do: negotiated, Content-Language and Vary, no traceback or
    exception text on the wire; its why is said in a Chinese panel's words."""

    async def broken(request: object) -> object:
        raise RuntimeError("internal detail 7f3a")

    monkeypatch.setattr(lab.portal, "handle", broken)
    zh = split(wire(lab, "portal", get("/orders/7", "Accept-Language: zh-CN")))
    assert zh[0] == b"HTTP/1.1 500 Internal Server Error"
    assert zh[1]["content-language"] == "zh-CN" and zh[1]["vary"] == "Accept, Accept-Language"
    assert "500 内部服务器错误" in zh[2].decode() and "labkit 自身在处理这个请求时出错了" in (
        zh[2].decode()
    )
    en = split(wire(lab, "portal", get("/orders/7")))
    assert en[0] == zh[0] and en[1]["content-language"] == "en"
    assert "labkit itself failed while handling this request" in en[2].decode()
    for body in (zh[2], en[2]):
        assert b"7f3a" not in body and b"Traceback" not in body and b"RuntimeError" not in body
    ex = lab.get("/orders/7", via="portal")
    assert ex.status == 500 and ex.generated_by == "portal"
    assert ex.why == "labkit error: RuntimeError('internal detail 7f3a')"
    assert i18n.render(ex.why, "zh-CN") == "labkit 自身出错：RuntimeError('internal detail 7f3a')"


def test_the_gateways_502_503_504_pages_explain_the_condition_in_chinese(
    lab: labkit.Lab,
) -> None:
    """The condition and the RFC note (labkit/conditions.py RFC_TABLE) and what the gateway
    observed (failure.detail) come from the catalogue; Proxy-Status, a header for
    programs, keeps the English details."""
    zh = {"Accept-Language": "zh-CN"}
    refused = lab.get("/up/refused/", headers=zh)
    assert "得到可用的响应：上游的地址上没有程序在监听：连接被拒绝。\n" in refused.text
    assert (
        "为什么是这个状态码：RFC 9110 15.6.3 说的是无效的响应；把“完全没有响应”也读作 502 是本实验室的选择"
        in refused.text
    )
    assert "它观察到的情况：connect() 失败：连接被拒绝。\n" in refused.text
    assert 'details="connect() failed: connection refused"' in refused.header("Proxy-Status")
    slow = lab.get("/up/slow/", headers=zh)
    assert slow.status == 504
    assert "上游接受了请求，但没有在读取超时之内发送响应。" in slow.text
    read_timeout = lab.gateway.route("/up/slow/").read_timeout
    assert f"它观察到的情况：在 {read_timeout:g} 秒的读取超时之内没有收到响应。" in slow.text
    garbage = lab.get("/up/garbage/", headers=zh).text
    assert re.search(r"它观察到的情况：上游发送了 \d+ 字节，开头不是 'HTTP/'", garbage), garbage
    pool = lab.get("/pool/", headers=zh)
    assert pool.status == 503
    assert "健康检查把 'pool' 的两个目标都标记为宕机。" in pool.text, pool.text
    for path in ("/up/refused/", "/up/slow/", "/up/garbage/", "/pool/"):
        text = lab.get(path).text
        assert "What it observed: " in text and not re.search("[\u4e00-\u9fff]", text)
    assert (
        f"What it observed: no response within the read timeout of {read_timeout:g} s.\n"
        in lab.get("/up/slow/").text
    )
    english = lab.get("/up/refused/").text
    assert english.startswith(
        "502 Bad Gateway\n\nThe gateway got no usable response from the upstream server "
        "'refused': nothing is listening at the upstream's address: the connection was "
        "refused.\n"
    )
    assert not re.search("[\u4e00-\u9fff]", english)


def test_the_systems_reason_for_a_failed_connect_is_in_the_pages_language(
    lab: labkit.Lab,
) -> None:
    """A connect() that fails other than refused (here: TCP to a multicast address, which
    Linux refuses with ENETUNREACH at once) put os.strerror's English into the Chinese page:
    "connect() 失败：Network is unreachable". Now errors.os_reason: the catalogue's words."""
    from labkit.proxy import Route, Target, Timeouts

    target = Target("multicast", "224.0.0.1", 9)
    lab.gateway.add_route(Route("/multicast/", "multicast", [target], Timeouts(1.0, 1.0)))
    zh = lab.get("/multicast/", headers={"Accept-Language": "zh-CN"})
    assert zh.status == 502
    assert "它观察到的情况：connect() 失败：网络不可达。\n" in zh.text, zh.text
    assert os.strerror(errno.ENETUNREACH) not in zh.text
    english = lab.get("/multicast/")
    assert "What it observed: connect() failed: Network is unreachable.\n" in english.text
    assert 'details="connect() failed: Network is unreachable"' in english.header("Proxy-Status")


def test_landlocks_reason_is_in_the_graders_language() -> None:
    """The grader's Landlock lines carried os.strerror(errno) into Chinese ("Landlock
    拒绝了：Argument list too long"). Landlock stacks at most 16 rulesets on a process, so the
    17th confine() is refused with E2BIG: in a child, in a Chinese LABKIT_LANG."""
    from labkit import grading

    if grading.landlock_abi() < 1:
        pytest.skip("Linux Landlock is not available here")
    code = (
        "from labkit import grading\n"
        "for _ in range(40):\n"
        "    try:\n"
        "        grading.confine(['/'], [])\n"
        "    except grading.GradingError as e:\n"
        "        print(e)\n"
        "        break\n"
    )
    for lang, reason in (("zh-CN", "参数列表过长"), ("en", os.strerror(errno.E2BIG))):
        env = {**os.environ, "LABKIT_LANG": lang}
        run = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
        )
        said = run.stdout.strip()
        assert said.endswith(reason), (lang, said, run.stderr)
    assert said == f"Landlock refused: {os.strerror(errno.E2BIG)}"


def test_a_command_that_takes_no_arguments_names_what_it_got_in_chinese(lab: labkit.Lab) -> None:
    """`labkit ctl reset` given an argument: the Chinese line said "reset 不接受参数，而不是
    now" ("takes no arguments, rather than now"), where the English says it got now."""
    import httpx

    for lang, said in (
        ("zh-CN", "reset 不接受参数，却给了 now"),
        ("en", "reset takes no arguments; not now"),
    ):
        resp = httpx.post(
            f"{lab.control.url}/reset",
            json={"now": True},
            headers={"Authorization": f"Bearer {lab.control.token}", "Accept-Language": lang},
            trust_env=False,
            timeout=5,
        )
        assert (resp.status_code, resp.json()["error"]) == (400, said)


@pytest.mark.parametrize(
    ("body", "chinese", "english"),
    [
        (b"{on: true", "第 1 行第 2 列处应当是一个用双引号括起来的属性名",
         "a property name in double quotes was expected at line 1, column 2"),
        (b'{\n  "on": tru\n}', "第 2 行第 9 列处应当是一个值", "a value was expected at line 2, column 9"),
        (b'{"on": true} x', "第 1 行第 14 列处，JSON 值之后还有别的内容",
         "something follows the JSON value at line 1, column 14"),
        (b'{"on": "a', "从第 1 行第 8 列开始的字符串没有结束",
         "the string that starts at line 1, column 8 never ends"),
    ],
)  # fmt: skip
def test_the_control_servers_json_400_says_where_in_the_commands_language(
    lab: labkit.Lab, body: bytes, chinese: str, english: str
) -> None:
    """`labkit ctl`'s server refused a body that is not JSON with Python's own words inside
    its translated sentence: "请求正文不是 labkit 能读取的 JSON（Expecting value: line 1
    column 2 (char 1)）". What the reader did not expect and where are said in the
    command's language (control._JSON_ERRORS)."""
    import httpx

    said = {}
    for lang in ("zh-CN", "en"):
        resp = httpx.post(
            f"{lab.control.url}/maintenance",
            content=body,
            headers={"Authorization": f"Bearer {lab.control.token}", "Accept-Language": lang},
            trust_env=False,
            timeout=5,
        )
        assert resp.status_code == 400
        said[lang] = resp.json()["error"]
    assert (
        said["zh-CN"] == f"请求正文不是 labkit 能读取的 JSON（{chinese}）；它必须是一个 JSON 对象"
    )
    assert (
        said["en"]
        == f"the body is not JSON that labkit reads ({english}); it must be a JSON object"
    )


def test_labkit_ctl_says_why_it_could_not_reach_the_lab_in_its_language(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A control server that never answers, or a port nothing listens on: `labkit ctl` said
    "无法连到实验室的控制服务器：timed out" ("[Errno 111] Connection refused" for the other),
    httpx's English inside the Chinese line, until December 2026."""
    from labkit import control
    from labkit.errors import ControlError

    monkeypatch.setattr(control, "ANSWER_WITHIN", 0.2)
    said = {}
    with socket.create_server(("127.0.0.1", 0)) as stuck:  # the kernel queues the connection
        closed = socket.create_server(("127.0.0.1", 0))
        free = closed.getsockname()[1]
        closed.close()  # nothing listens there now
        for lang in ("zh-CN", "en"):
            with labkit.start(lang=lang):  # the terminal's language: the running lab's here
                for name, port in (("stuck", stuck.getsockname()[1]), ("refused", free)):
                    record = {"control": f"http://127.0.0.1:{port}", "token": "t"}
                    with pytest.raises(ControlError) as unreached:
                        control.send(record, "state")
                    said[lang, name] = str(unreached.value)
    assert said["zh-CN", "stuck"] == "无法连到实验室的控制服务器：它在 0.2 秒内没有响应"
    assert said["zh-CN", "refused"] == "无法连到实验室的控制服务器：连接被拒绝"
    assert (
        said["en", "stuck"]
        == "could not reach the lab's control server: it did not answer within 0.2 s"
    )
    assert said["en", "refused"] == "could not reach the lab's control server: Connection refused"


def test_the_request_id_note_gives_its_id_as_an_example(lab: labkit.Lab) -> None:
    """The headers tab's note on X-Request-ID said "the id the lab gave this request at its
    first hop (req-0007)" beside this request's own id, req-0001 say: as if it were this
    request's. It is an example, and says so in both languages."""
    from labkit.render import html as render_html

    ex = lab.get("/orders/7")
    assert ex.header("X-Request-ID") != "req-0007"
    english = render_html.headers_html(ex, "en")
    chinese = render_html.headers_html(ex, "zh-CN")
    assert "first hop (such as req-0007)" in english and "(such as req-0007.1f2e" in english
    assert "分配的 id（例如 req-0007）" in chinese and "标签（例如 req-0007.1f2e" in chinese


def test_a_missing_header_lists_the_headers_as_the_response_spelled_them(
    lab: labkit.Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``ex.header(name, required=True)`` names the headers the response has, in either
    language, as they were sent: X-Request-ID, the spelling of the lab, its lessons and the
    catalogue. It listed them title-cased, "X-Request-Id", beside all of those."""
    ex = lab.get("/orders/7")
    said = {}
    for lang in ("en", "zh-CN"):
        monkeypatch.setattr(i18n, "learner_language", lambda lang=lang: lang)
        with pytest.raises(KeyError) as refused:
            ex.header("Retry-After", required=True)
        said[lang] = str(refused.value)
    assert said["en"].endswith("Server, Via, X-Request-ID"), said
    assert said["zh-CN"].endswith("Server、Via、X-Request-ID"), said


def test_a_browser_link_with_a_space_says_so_in_chinese() -> None:
    """lab.browser_link's path refusal said "path 不能包含空格或控制字符，而不是 '/a b'" ("must
    hold no spaces, rather than '/a b'") in a Chinese lab; it now says the path given will
    not do, as the lab's other path refusal does."""
    with labkit.start(lang="zh-CN") as lab:
        with pytest.raises(BadArgument) as refused:
            lab.browser_link("gateway", "/a b")
    assert str(refused.value) == "path 不能包含空格或控制字符，'/a b' 不行"


# -- the learner's language --


def test_start_lang_asks_for_chinese_unless_the_request_says_otherwise() -> None:
    with labkit.start(lang="zh-CN") as lab:
        assert lab.lang == "zh-CN"
        ex = lab.get("/orders/99")
        assert b"\r\naccept-language: zh-cn\r\n" in ex.hop("origin").bytes_in.lower()
        assert ex.header("Content-Language") == "zh-CN" and "没有编号为 99 的订单" in ex.text
        mine = lab.get("/orders/99", headers={"accept-language": "en"})
        assert mine.header("Content-Language") == "en"
        # the lab's own repr speaks its language; names, URLs and prefixes as code spells them
        shown = repr(lab).splitlines()
        assert shown[0] == "<实验室：正在本机上运行>" and shown[4] == "  网关的路由："
        assert shown[5].startswith("    /  ")
        timeouts = labkit.lab.ORIGIN_TIMEOUTS
        said = f"连接 {timeouts.connect:g} 秒，读取 {timeouts.read:g} 秒"
        width = max(len(r.upstream) for r in lab.gateway.routes)
        assert shown[5].endswith(f" {'origin':<{width}} {said}")
    assert repr(lab) == "<实验室（已停止）>"


def test_the_labs_route_table_keeps_its_columns() -> None:
    """repr(lab) padded upstream names to 20 characters: bad-transfer-encoding (21) pushed its
    timeouts one column to the right of every other route's, until December 2026."""
    with labkit.start() as lab:
        rows = [line for line in repr(lab).splitlines() if " -> " in line]
        assert len(rows) == len(lab.gateway.routes) > 10
    assert any(" -> bad-transfer-encoding " in row for row in rows)
    assert len({row.index(" -> ") for row in rows}) == 1
    assert len({row.index(" connect ") for row in rows}) == 1, "\n".join(rows)


def test_labkit_lang_sets_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABKIT_LANG", "zh_CN")
    with labkit.start() as lab:
        assert lab.lang == "zh-CN"
        assert lab.get("/orders/99").header("Content-Language") == "zh-CN"
    monkeypatch.setenv("LABKIT_LANG", "en")
    with labkit.start() as lab:
        ex = lab.get("/orders/99")
        assert ex.header("Content-Language") == "en"
        assert b"accept-language" not in ex.hop("origin").bytes_in.lower()


def test_labkit_lang_takes_the_extlang_form_of_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    """LABKIT_LANG and lang= read a tag as the pages read Accept-Language: zh-cmn-Hans-CN is
    cmn-Hans-CN (RFC 5646 4.5), the catalogue's Chinese; Cantonese and Traditional are not."""
    assert i18n.check_language("zh-cmn-Hans-CN") == i18n.CHINESE
    assert i18n.check_language("cmn_Hans_CN") == i18n.CHINESE
    assert i18n.check_language("zh_Hans_TW") == i18n.CHINESE  # refused until December 2026
    monkeypatch.setenv("LABKIT_LANG", "zh-cmn-Hans")
    assert i18n.environment_language() == i18n.CHINESE
    for other in ("zh-yue-HK", "cmn-Hant-TW", "zh-Hant-TW"):
        with pytest.raises(BadArgument):
            i18n.check_language(other)


@pytest.mark.parametrize("value", ["fr", "zh-TW", "", 7])
def test_an_unknown_language_is_one_clear_line(value: object) -> None:
    with pytest.raises(BadArgument) as info:
        labkit.start(lang=value)  # type: ignore[arg-type]
    message = str(info.value)
    assert "\n" not in message
    assert message == f"unknown lang {value!r}; choose one of: en, zh-CN"


def test_a_bad_labkit_lang_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABKIT_LANG", "klingon")
    with pytest.raises(
        BadArgument, match=r"^unknown LABKIT_LANG 'klingon'; choose one of: en, zh-CN$"
    ):
        labkit.start()


def test_what_a_lab_checks_before_it_starts_is_said_in_its_language(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """allow_users and LABKIT_PORTS are checked as a lab is made: in the lab's language."""
    with pytest.raises(BadArgument) as info:
        labkit.Lab(allow_users=["no-such-user-x"], lang="zh-CN")
    assert str(info.value) == "allow_users：这台机器上没有用户 'no-such-user-x'（见 /etc/passwd）"
    with pytest.raises(
        BadArgument, match=r"^allow_users 接受的是用户名，例如 'www-data'，而不是 3.5$"
    ):
        labkit.Lab(allow_users=[3.5], lang="zh-CN")  # type: ignore[list-item]
    monkeypatch.setenv("LABKIT_PORTS", "lots")
    with pytest.raises(BadArgument) as info:
        labkit.Lab(lang="zh-CN")
    assert str(info.value) == (
        "LABKIT_PORTS 必须是 LOW-HIGH（例如 20000-29999）或 'ephemeral'，而不是 'lots'"
    )
    monkeypatch.setenv("LABKIT_PORTS", "80-90")
    with pytest.raises(BadArgument, match=r"^LABKIT_PORTS 必须在 1024-65535 之内"):
        labkit.Lab(lang="zh-CN")
    with pytest.raises(
        BadArgument, match=r"^LABKIT_PORTS must lie within 1024-65535 .* not '80-90'$"
    ):
        labkit.Lab(lang="en")


def test_an_answer_of_another_type_is_named_by_its_type() -> None:
    """ "a value of type int", not "a int"; in Chinese "int 类型的值"."""
    from labkit.exercises import answers

    with pytest.raises(answers.WrongKind) as info:
        answers.hop(7)
    message = info.value.args[0]
    assert str(message) == "a value of type int is not a hop"
    assert message.render("zh-CN") == "int 类型的值不是一跳"


def test_the_progress_table_is_said_in_the_learners_language_when_shown() -> None:
    """progress()'s headings, status words and total in the language of the moment (the
    running lab's); its rows' values (exercise ids, the CSV's status keys) as they are."""
    from labkit import exercises
    from labkit.render.text import columns

    table = exercises.progress("503")
    with labkit.start(lang="zh-CN"):
        lines = repr(table).splitlines()
        assert lines[0].split() == ["练习", "状态", "尝试次数", "提示"]
        assert lines[1].split() == ["503.retry-after-header", "未尝试", "0", "0"]
        # a wide character takes two columns: the numbers stay under their headings
        assert columns(lines[0]) == columns(lines[1]) == 58  # as wide as the English table
        assert lines[-1] == f"已解决 0 个，共 {len(table.rows)} 个"
        assert "<th>练习</th>" in table._repr_html_() and ">未尝试</td>" in table._repr_html_()
        assert {r["status"] for r in table.rows} == {"not tried"}  # what programs read
        with labkit.start(lang="en"):  # started after: it speaks now
            english = repr(table).splitlines()
    assert english[0] == f"{'exercise':<32} {'status':<10} {'attempts':>8} {'hints':>5}"
    assert english[1].split() == ["503.retry-after-header", "not", "tried", "0", "0"]
    assert english[-1] == f"0 of {len(table.rows)} solved"


def _asks_the_keyboard(order_id: str) -> object:
    """A learner's show_order that reads input(), which the judge's process does not have."""
    return 200, input("which order? ")


def test_labkits_own_refusals_of_a_learners_call_are_in_the_labs_language() -> None:
    """Three lines labkit wrote in English only, shown to a Chinese learner until December
    2026: lab.gateway.cache_enabled given a non-bool, Quiz given something not an exercise, and
    input() in code a judge runs (the text of the EOFError it raises there)."""
    from labkit.exercises.lesson_500 import q5
    from labkit.widgets import Quiz

    with labkit.start(lang="zh-CN") as lab:
        with pytest.raises(
            BadArgument, match=r"^cache_enabled 必须是 True 或 False，而不是 'yes'$"
        ):
            lab.gateway.cache_enabled = "yes"  # type: ignore[assignment]
        with pytest.raises(BadArgument, match=r"^Quiz 接受的是一道练习，例如 q1，而不是 'q1'$"):
            Quiz("q1")
        said = q5.check(_asks_the_keyboard, lab).message
        assert "EOFError：input() 在这里什么也读不到：评判程序运行你的函数时没有键盘；" in said, (
            said
        )
        # ex.json() of a page that is not JSON: its start cut at 40 characters, not bytes
        # (a Chinese page ended in a broken character)
        index = lab.get("/")
        with pytest.raises(errors.NotJSON) as not_json:
            index.json()
        assert str(not_json.value) == (
            f"正文不是 JSON（text/plain; charset=utf-8，{len(index.body)} 字节，开头是 "
            f"{index.text[:40]!r}）；ex.text 会把它当作文本显示"
        )
    with labkit.start(lang="en") as lab:
        with pytest.raises(BadArgument, match=r"^cache_enabled must be True or False, not 'yes'$"):
            lab.gateway.cache_enabled = "yes"  # type: ignore[assignment]
        with pytest.raises(errors.NotJSON, match=r"^the body is not JSON \(text/plain; "):
            lab.get("/").json()


def test_a_long_value_a_refusal_quotes_says_its_length_in_the_labs_language() -> None:
    """A refusal quotes a long value cut, with its length (errors.shown): the Chinese line
    said "…… (104 characters) 不行", and lab.get's control-character refusal "\\r or \\n", in
    English, until December 2026."""
    path = "/a\x01b" + "x" * 100
    with labkit.start(lang="zh-CN") as lab:
        with pytest.raises(BadArgument) as zh:
            lab.get(path)
    with labkit.start(lang="en") as lab:
        with pytest.raises(BadArgument) as en:
            lab.get(path)
    start = repr(path)[: errors.SHOWN - 1] + "…"
    assert str(zh.value) == (
        f"path 不能包含 \\r 或 \\n 这样的控制字符，{start}（共 104 个字符）不行；"
        "要有意发送这样的字节，请用 lab.raw(...)"
    )
    assert str(en.value) == (
        f"path must not hold control characters such as \\r or \\n, not {start} (104 "
        "characters); to send such bytes on purpose, use lab.raw(...)"
    )
    assert errors.shown("y" * 100) == repr("y" * 100)[: errors.SHOWN - 1] + "… (100 characters)"
    # a header that is not str to str is quoted as the item it is, with no English around it
    with labkit.start(lang="zh-CN") as lab:
        with pytest.raises(BadArgument) as header:
            lab.get("/", headers={"X-A": b"v" * 100})
    assert "{'X-A': b'vvv" in str(header.value) and "characters" not in str(header.value)


def test_a_scenario_that_cannot_fill_the_origin_says_so_in_the_labs_language(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a machine too loaded for the held requests to reach the origin in time, a busy
    scenario stops with one line: English only until December 2026."""
    from labkit import scenarios

    with labkit.start(lang="zh-CN") as lab:
        monkeypatch.setattr(lab.recorder, "wait_for", lambda *args, **kwargs: False)
        with pytest.raises(errors.LabkitError) as stopped:
            scenarios.hold_busy(lab, 2)
        lab.reset()  # the hold, as the scenario's teardown puts it back
    assert re.fullmatch(
        r"\d+(\.\d+)? 秒后，2 个被挂起的请求中只有 \d 个在源服务器上处理，所以这个场景的请求遇不到"
        r"一个繁忙的源服务器；这台机器是不是过载了？",
        str(stopped.value),
    ), stopped.value


def _returns_a_str(order_id: str) -> object:
    """A learner's order handler that returns a str where (status, body) is due."""
    return "oops"


def test_a_lab_with_no_request_yet_says_so_in_its_language() -> None:
    """lab.last() and lab.exchange(...) before any request: "no request has reached the lab
    yet" was English in a Chinese lab, and an unknown id listed nothing after "choose one of:"
    in both languages, until December 2026."""
    for lang, nothing, unknown_id in (
        (
            "en",
            "no request has reached the lab yet",
            "unknown request id 'req-9'; there is none yet",
        ),
        ("zh-CN", "还没有任何请求到达实验室", "未知的请求 ID 'req-9'；目前还一个都没有"),
    ):
        with labkit.start(lang=lang) as lab:
            with pytest.raises(errors.LabNotRunning) as stopped:
                lab.last()
            assert str(stopped.value) == nothing
            with pytest.raises(errors.UnknownName) as unknown:
                lab.exchange("req-9")
            assert str(unknown.value) == unknown_id
            ok = lab.get("/")
            with pytest.raises(errors.UnknownName) as unknown:
                lab.exchange("req-9")
            assert str(unknown.value).endswith(ok.id)  # the ids there are


def test_the_why_a_hop_recorded_is_said_in_the_panels_language() -> None:
    """The recorder keeps the message a why or an observation was said from (i18n.Said):
    the gateway's explanation of a failed upstream, what it observed on the picture's
    failed-connection arrow, a misbehaving upstream's own description. ex.why, the
    recordings and every str reader get the English."""
    import pickle

    from labkit.render import svg, text

    with labkit.start(lang="zh-CN") as lab:
        # what this test reads is words, not timing: every wait is generous (it failed once
        # under load beside other gates): the gateway's 0.3 s read timeout of /up/ok/ and
        # /up/body-cut/ (a stall makes a 504), the origin's 1 s for a learner's handler, and
        # lab.raw's 1 s wait for the first byte of /slow?delay=0.3 (below)
        for route in ("/up/ok/", "/up/body-cut/", "/"):
            switches.apply(lab, "timeout", {"route": route, "read": 30})
        lab.origin.learner_handler_seconds = 10
        refused = lab.get("/up/refused/")
        assert refused.why == (
            "nothing is listening at the upstream's address: the connection was refused "
            "(upstream 'refused')"
        )
        assert (
            text.why_in(refused, "zh-CN")
            == "上游的地址上没有程序在监听：连接被拒绝（上游 'refused'）"
        )
        assert "原因：上游的地址上没有程序在监听" in repr(refused)
        picture = svg.sequence_svg(refused, "zh-CN")
        assert "connect() 失败：连接被拒绝" in picture
        assert "connect() failed" not in picture
        assert "connect() failed: connection refused" in svg.sequence_svg(refused, "en")
        ok = lab.get("/up/ok/")  # relayed: the upstream made it, and said why
        assert ok.why == "answers 200 OK correctly (the baseline)"
        assert text.why_in(ok, "zh-CN") == "正确地返回 200 OK（作为对照）"
        # what lab.raw's own client saw comes in the lab's language too (the inspector shows it)
        late = lab.raw(b"GET /slow?delay=0.3 HTTP/1.1\r\nHost: lab\r\n\r\n", timeout=0.1, wait=30)
        assert late.client_error == "0.1 秒内没有再收到字节（服务器保持着连接）"
        # a body cut after the status: the gateway's line and what the client saw, in Chinese
        cut = lab.get("/up/body-cut/")
        sent = next(h.sent for h in cut.hops if h.label == "gateway" and h.sent)
        assert str(sent.summary) == (
            "200 OK (body cut off: the upstream closed the connection after 10 of the 100 "
            "bytes its Content-Length announced)"
        )
        assert i18n.render(sent.summary, "zh-CN") == (
            "200 OK（正文被截断：上游在发送了 Content-Length 宣告的 100 字节中的 10 字节"
            "之后关闭了连接）"
        )
        assert str(cut.client_error).endswith("(the status line had already arrived)")
        assert text.i18n.render(cut.client_error, "zh-CN").endswith("（状态行已经到达）")
        picture = svg.sequence_svg(cut, "zh-CN")
        assert "正文被截断" in picture and "body cut off" not in picture
        # a message quoting it (exercise feedback quotes ex.why) says it in its language too
        quoted = i18n.Msg("why: {why}", why=refused.why)
        assert (
            quoted.render("zh-CN")
            == "原因：上游的地址上没有程序在监听：连接被拒绝（上游 'refused'）"
        )
        assert str(quoted) == f"why: {refused.why}"
        again = pickle.loads(pickle.dumps(refused.why))  # the exercise runner's pipe
        assert again == refused.why and text.i18n.render(again, "zh-CN").startswith("上游的地址")
        # the runner reads what a learner's code returns with an unpickler that runs no code:
        # an exchange it returns (its whys and notes are Saids) arrives whole, in any language
        import io

        from labkit.exercises.runner import _FromChild

        back = _FromChild(io.BytesIO(pickle.dumps(refused))).load()
        assert back.why == refused.why and text.why_in(back, "zh-CN") == text.why_in(
            refused, "zh-CN"
        )
        http2 = lab.raw(b"GET /orders/7 HTTP/2.0\r\nHost: lab\r\n\r\n", to="origin")
        assert (
            http2.why
            == "the request line says HTTP/2.0, a major version this server does not support"
        )
        assert text.why_in(http2, "zh-CN") == "请求行写的是 HTTP/2.0，这个服务器不支持这个主版本"
        # a personality's why: the real gateway's log line as it writes it, the words around
        # it in the panel's language
        lab.gateway.personality = "nginx"
        try:
            imitated = lab.get("/up/refused/")
        finally:
            lab.gateway.personality = "rfc"
        assert " answers 502: connect() failed (111: Connection refused)" in imitated.why
        assert "nginx 1.22.1（proxy_pass）返回 502：connect() failed (111: Connection refused)" in (
            text.why_in(imitated, "zh-CN")
        )  # no space after the title's ）, as GatewaysCompared's why column shows it
        # the origin's own whys too (the exception's text as Python wrote it)
        missing = lab.get("/nothing")
        assert (missing.why, text.why_in(missing, "zh-CN")) == ("no such resource", "没有这个资源")
        bug = lab.get("/orders/abc")
        assert (
            text.why_in(bug, "zh-CN") == "处理函数抛出了 ValueError：" + bug.why.split(": ", 1)[1]
        )
        # what the origin itself finds wrong with a learner's handler is its own words, said in
        # the learner's language (it read "处理函数抛出了 TypeError：the handler must return
        # ..." until December 2026); the value as Python shows it
        lab.origin.order_handler = _returns_a_str
        try:
            wrong = lab.get("/orders/7")
        finally:
            lab.origin.order_handler = None
        assert (
            wrong.why
            == "the handler raised TypeError: the handler must return (status, body), not 'oops'"
        )
        assert text.why_in(wrong, "zh-CN") == (
            "处理函数抛出了 TypeError：处理函数必须返回 (status, body)，而不是 'oops'"
        )
        back = _FromChild(io.BytesIO(pickle.dumps(wrong))).load()
        assert text.why_in(back, "zh-CN") == text.why_in(wrong, "zh-CN")
        # the gateway's notes of each request it forwards and of the answer (the story's and
        # the inspector's ".." lines): made for every request, said in the panel's language
        story = repr(ok)
        notes = [e.summary for h in ok.hops for e in h.events if "answered" in e.summary]
        assert notes == ["upstream 'ok' answered 200 OK"]  # the recordings keep the English
        assert "上游 'ok' 返回了 200 OK" in story and "answered" not in story
        assert re.search(
            r"\.\. 把 GET / 转发给上游 'ok'，在新连接 #\d+ 上（连接超时 0\.2 秒，读取超时 "
            r"30 秒）\n",
            story,
        ), story
        assert "forwarded" not in story and "forwarded" not in ok._repr_html_()
        assert "转发给上游" in ok._repr_html_()
        # an id in its （） with no space before it, where Chinese is written: the inspector's
        # line and a verdict ("由 origin 生成 (req-0005)", "尚未作答 (504.or-502)" until
        # December 2026)
        assert f"由<b>源服务器</b>生成<small>（{missing.id}）</small>" in missing._repr_html_()
        from labkit.exercises.lesson_504 import q3

        assert "<b>尚未作答</b><small>（504.or-502）</small><br>" in q3.check(...)._repr_html_()


# a hop's name as code spells it, where a Chinese sentence would name it by its word: "由 gateway
# 生成", "出错的一跳：upstream 'refused'", "origin：507 ms 时返回 200"
_HOP_CODE_NAME = re.compile(
    r"[\u4e00-\u9fff，：。（、][ ]?(?:origin|gateway|portal|client|upstream)\b"
    r"|(?<![A-Za-z] )\b(?:origin|gateway|portal|client|upstream(?: '[^']*')?)[ ]?"
    r"(?=[\u4e00-\u9fff，：。）、])"
)


def test_a_chinese_sentence_names_a_hop_by_its_word(lab: labkit.Lab) -> None:
    """Exercise feedback and the lab's pages say 由源服务器生成, and the summaries, the
    picture's alt text, the chart's description, the raw bytes' headings and the playground's
    lines said 由 origin 生成, 出错的一跳：upstream 'refused', origin：507 ms 时返回 200 until
    December 2026: two names for one hop in one Chinese lesson. A sentence names a hop by its
    word (pages.hop_words); the story's and the hop table's first column and the picture's
    lanes keep the name code takes (ex.hop("gateway")), as docs/i18n.md says."""
    from labkit.render import charts, svg, text

    lab.lang = i18n.CHINESE
    shown = {}
    for path in ("/orders/7", "/up/refused/", "/up/slow/?delay=0.5", "/nothing"):
        ex = lab.get(path)
        shown[path] = [
            text.summary_line(ex, i18n.CHINESE),
            svg.alt_text(ex, i18n.CHINESE),
            charts.timeline(ex, i18n.CHINESE).alt,
            *(
                line
                for hop in ex.hops[1:]
                for line in text.raw_dump(hop, i18n.CHINESE).splitlines()
                if line.startswith("---")
            ),
            re.sub(r"<td[^>]*>[^<]*</td>", "", ex._repr_html_().split("<pre")[0]),  # no columns
        ]
    wrong = [
        (path, said)
        for path, texts in shown.items()
        for said in texts
        if _HOP_CODE_NAME.search(said)
    ]
    assert not wrong, wrong
    assert "由网关生成" in shown["/up/refused/"][0]
    assert "出错的一跳：上游 'refused'" in shown["/up/refused/"][1]
    assert "由源服务器生成" in shown["/nothing"][0]
    # the English names them as code does
    lab.lang = i18n.ENGLISH
    assert "made by the gateway" in text.summary_line(lab.get("/up/refused/"), i18n.ENGLISH)


def test_no_stored_chinese_output_names_a_hop_as_code_in_a_sentence() -> None:
    """The same over what the Chinese lessons' checked cells show (tests/notebook_outputs/zh):
    a lesson's own code printed "made by the gateway" and "upstream condition" in Chinese
    lessons until December 2026; a name in code quotes (ex.hop("gateway")) or after a Latin
    word ("captive portal") is not a sentence naming a hop."""
    wrong = []
    for path in sorted((ROOT / "tests" / "notebook_outputs" / "zh").glob("*.json")):
        for cell_id, cell in json.loads(path.read_text()).items():
            shown = "\n".join(text for item in cell["shows"] for text in item.values())
            wrong += [
                f"{path.stem} {cell_id}: {m.group()!r}" for m in _HOP_CODE_NAME.finditer(shown)
            ]
    assert not wrong, wrong


def test_a_lessons_own_tables_speak_the_learners_language(lab: labkit.Lab) -> None:
    """Code a lesson runs is the same in both languages, so what it prints comes from labkit:
    lesson 09's header and disagreement tables printed "own pages:", "relayed Server:",
    "upstream condition", "raw bytes", "200 relayed", and lesson 08's path() "made here" and
    "relayed", in English in the Chinese lessons until December 2026."""
    from labkit import personalities

    zh = repr(personalities.headers_table(i18n.CHINESE))
    assert zh.splitlines()[0].split() == [
        "网关",
        "自己页面上的",
        "Server",
        "转发的响应上的",
        "Server",
        "加上",
        "Via",
    ]
    assert re.search(r"^haproxy +（没有） +上游的 +否$", zh, re.M), zh
    assert re.search(r"^caddy +Caddy +先是它自己的，再是上游的 +否$", zh, re.M), zh
    table = repr(personalities.disagreement_table(i18n.CHINESE))
    assert table.startswith("上游的状况 ")
    assert re.search(r"^invalid-status-line +502 +原始字节 ", table, re.M), table
    assert re.search(r"^body-cut +200，截断 ", table, re.M), table
    assert "转发 200" in table
    english = repr(personalities.disagreement_table(i18n.ENGLISH))
    assert english.startswith("upstream condition ") and "200 relayed" in english
    # a Chinese character takes two columns: every row's third column starts where its head does
    rows = zh.splitlines()
    from labkit.render.text import columns

    starts = {
        columns(row[: row.index(cell)])
        for row, cell in zip(
            rows,
            ["转发的响应上的", "上游的", "它自己的", "上游的", "它自己的", "先是"],
            strict=True,
        )
    }
    assert len(starts) == 1, zh
    # a hop's part in the response, as the story says it
    lab.lang = i18n.CHINESE
    ex = lab.get("/orders/7")
    assert (ex.part("gateway"), ex.part(ex.hop("origin"))) == ("转发", "在此生成")
    # what a hop sent, as the story says it: a misbehaving upstream's words in Chinese too
    closed = lab.get("/up/close/")
    assert closed.sent("close") == "（什么都没有），然后 FIN（关闭）"
    assert closed.hop("close").sent.summary == "(nothing), then FIN (closed)"  # for programs
    assert (ex.sent("origin"), lab.get("/up/slow/").sent("slow")) == ("200 OK", "-")
    lab.lang = i18n.ENGLISH
    assert (ex.part("gateway"), ex.part("origin")) == ("relayed", "made here")
    assert closed.sent("close") == "(nothing), then FIN (closed)"


def test_a_real_gateways_log_word_keeps_its_gloss_in_the_panels_language(lab: labkit.Lab) -> None:
    """HAProxy's termination state and Envoy's response flag stay as they log them; labkit's
    gloss beside them is said in the panel's language. Lesson 09's Chinese GatewaysCompared
    read "503 SC-- (server side, at connection: refused)" until December 2026."""
    from labkit import personalities
    from labkit.conditions import Condition
    from labkit.render.text import why_in

    log = personalities.get("haproxy").answer(Condition.REFUSED).log
    assert log == "503 SC-- (server side, at connection: refused)"  # what programs read
    assert i18n.render(log, i18n.CHINESE) == "503 SC--（服务器一侧，连接阶段：被拒绝）"
    envoy = personalities.get("envoy").answer(Condition.REFUSED).log
    assert i18n.render(envoy, i18n.CHINESE) == "503 UF（上游连接失败）"
    # every log word with a gloss, in every personality's table, has its gloss translated
    unglossed = [
        (name, str(condition), answer.log)
        for name, p in personalities.PERSONALITIES.items()
        for condition, answer in p.table.items()
        if re.fullmatch(personalities.GLOSSED, answer.log)
        and i18n.render(answer.log, i18n.CHINESE) == answer.log
    ]
    assert not unglossed, unglossed
    lab.gateway.personality = "haproxy"
    ex = lab.get("/up/refused/")
    assert ex.why.endswith("503 SC-- (server side, at connection: refused)"), ex.why
    assert "503 SC--（服务器一侧，连接阶段：被拒绝）" in why_in(ex, i18n.CHINESE)


# -- the catalogues --

_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc%]")


def placeholders(text: str) -> list[str]:
    """{brace} fields and %printf conversions, sorted, so that order may change."""
    fields = [f"{{{name}}}" for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    return sorted(fields + _PRINTF.findall(text))


def test_the_template_is_what_the_code_says(capsys: pytest.CaptureFixture[str]) -> None:
    # the tool's own --check, in this process: its extraction is shared with the tests below
    assert messages.main(["--check"]) == 0, capsys.readouterr().out


def test_a_catalogue_is_kept_in_order_of_source_context_and_msgid() -> None:
    po = (
        '# header\nmsgid ""\nmsgstr ""\n"Language: zh_CN\\n"\n\n'
        '#: labkit/b.py\nmsgid "b"\nmsgstr "乙"\n\n'
        '#: labkit/a.py\nmsgid "z"\nmsgstr "甲"\n\n\n'
        '#: labkit/a.py\nmsgctxt "option"\nmsgid "a"\nmsgstr "丙"\n\n'
        '#: labkit/a.py\nmsgid ""\n"y\\n"\n"x"\nmsgstr "丁"\n'
    )
    ordered = messages.po_sorted(po)
    assert [line for line in ordered.splitlines() if line.startswith("msgstr")] == [
        'msgstr ""',
        'msgstr "丁"',
        'msgstr "甲"',
        'msgstr "丙"',
        'msgstr "乙"',
    ]
    assert messages.po_sorted(ordered) == ordered


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != i18n.ENGLISH])
def test_every_english_message_has_a_translation(lang: str) -> None:
    gaps = messages.missing(lang)
    listed = "\n".join(f"  {', '.join(m.where)}: {m.msgid!r}" for m in gaps)
    assert not gaps, (
        f"{len(gaps)} message(s) without a {lang} translation in "
        f"{i18n.po_path(lang).relative_to(ROOT)}:\n{listed}"
    )


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != i18n.ENGLISH])
def test_translations_keep_the_placeholders(lang: str) -> None:
    wrong = []
    for entry in i18n.read_po(i18n.po_path(lang)):
        if not entry.msgid:
            continue
        for form in entry.msgstr.values():
            if form and placeholders(form) != placeholders(entry.msgid):
                wrong.append(f"  line {entry.line}: {entry.msgid!r} -> {form!r}")
    assert not wrong, "placeholders differ from the msgid's:\n" + "\n".join(wrong)


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != i18n.ENGLISH])
def test_no_translation_is_left_for_a_message_the_code_no_longer_has(lang: str) -> None:
    wanted = {m.key for m in messages.extract()}
    stale = [
        f"  line {e.line}: {e.msgid!r}"
        for e in i18n.read_po(i18n.po_path(lang))
        if e.msgid and (e.context, e.msgid) not in wanted
    ]
    assert not stale, "translations of messages no longer in the code:\n" + "\n".join(stale)


def test_the_placeholder_check_sees_a_dropped_or_renamed_field() -> None:
    assert placeholders("There is no order {id}.") == placeholders("没有编号为 {id} 的订单。")
    assert placeholders("There is no order {id}.") != placeholders("没有这个订单。")
    assert placeholders("order {id}") != placeholders("订单 {order}")
    assert placeholders("%s of %d") != placeholders("%s")


def test_the_po_reader_reads_contexts_plurals_continuations_and_fuzzy(tmp_path: Path) -> None:
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        'msgctxt "reason"\nmsgid "Bad Gateway"\nmsgstr "错误的网关"\n\n'
        'msgid ""\n"two\\n"\n"lines \\"quoted\\""\nmsgstr "两行"\n\n'
        'msgid "{n} file"\nmsgid_plural "{n} files"\nmsgstr[0] "{n} 个文件"\n\n'
        '#, fuzzy\nmsgid "guess"\nmsgstr "猜的"\n',
        encoding="utf-8",
    )
    entries = {(e.context, e.msgid): e for e in i18n.read_po(po)}
    assert entries[("reason", "Bad Gateway")].msgstr == {0: "错误的网关"}
    assert entries[(None, 'two\nlines "quoted"')].msgstr == {0: "两行"}
    plural = entries[(None, "{n} file")]
    assert plural.msgid_plural == "{n} files" and plural.msgstr == {0: "{n} 个文件"}
    assert not entries[(None, "guess")].translated  # fuzzy: not yet a translation
    po.write_text('msgid "a"\nmsgstr "b"\nmsgfoo "c"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"x.po:3: unknown keyword 'msgfoo'"):
        i18n.read_po(po)


def test_a_raw_scenario_asks_for_the_labs_language_as_lab_request_does(lab: labkit.Lab) -> None:
    """The scenarios that send raw bytes sent no Accept-Language where ``lab.request`` sends
    the lab's: a Chinese lab showed 501-transfer-coding's, 505-http2-request-line's and
    400-lowercase-version's pages in English. Over the real socket: in a Chinese lab a whole
    head asks for zh-CN after its Host line, the origin receives that line (the inspector's
    bytes) and its page answers in Chinese; an English lab sends the bytes as written; a head
    that never ends (408-slow-client) is sent as written, its page stays English, and its cause
    says why in the playground."""
    from labkit import scenarios
    from labkit.widgets import Playground

    raw = [s for s in scenarios.SCENARIOS.values() if isinstance(s.request, scenarios.Raw)]
    asked = b"Accept-Language: zh-CN\r\n"
    for s in raw:  # English: as written
        ex = s.run(lab)
        assert ex.hop("origin").bytes_in == s.request.data, s.id
    chinese_pages = set()
    with labkit.start(lang="zh-CN") as zh:
        for s in raw:
            ex = s.run(zh)
            received = ex.hop("origin").bytes_in
            if b"\r\n\r\n" not in s.request.data:  # a head that never ends
                assert received == s.request.data, s.id
                assert ex.header("Content-Language") == "en", s.id
                continue
            # the request line, its Host, then the language: as the playground's raw buttons
            request_line, host = s.request.data.split(b"\r\n")[:2]
            assert received.split(b"\r\n")[:3] == [request_line, host, asked.rstrip()], s.id
            assert received.replace(asked, b"", 1) == s.request.data, s.id
            if "accept-language" in (ex.header("Vary") or "").lower():
                assert ex.header("Content-Language") == "zh-CN", (s.id, ex.text)
                chinese_pages.add(s.id)
        assert {"501-transfer-coding", "505-http2-request-line", "400-lowercase-version"} <= (
            chinese_pages
        )
        assert scenarios.get("501-transfer-coding").run(zh).text.startswith("501 未实现\n")
        stalled = scenarios.get("408-slow-client")
        p = Playground(zh, "504")
        p.scenario.value = stalled.id
        assert "不论实验室用哪种语言，它的页面都是英文的" in p.cause.value
    english = Playground(lab, "504")
    english.scenario.value = stalled.id
    assert "English" not in english.cause.value
