"""In a real browser set to Chinese: the lab's own pages through jupyter-server-proxy, and the
gateway's cache between browsers of two languages (docs/i18n.md).

A module of its own, with the JupyterLab and the Chromium of tests/test_browser.py's fixtures
(imported from there, as tests/test_browser_zh.py does): a minute, where that module walks
every English lesson.
"""

from __future__ import annotations

import re
from typing import Any

from test_browser import TOKEN, browser, jupyter, pytestmark

__all__ = ["browser", "jupyter", "pytestmark"]  # the fixtures and marks, used by name


# Every page the lab makes that a browser can ask for, as a browser set to Chinese reads it
# through jupyter-server-proxy: (server, path, status, the title in Chinese). The 501s, 505s
# and 400s need a request line or a transfer coding no browser sends (tests/test_i18n.py
# reads them over sockets); the RFC 8908 API answers JSON, with no words for a person.
CHINESE_PAGES = [
    ("gateway", "/orders/abc", 500, "500 内部服务器错误"),
    ("origin", "/orders/abc", 500, "500 内部服务器错误"),
    ("gateway", "/nope", 404, "404 未找到"),
    ("gateway", "/up/garbage/", 502, "502 错误的网关"),
    ("gateway", "/pool/", 503, "503 服务不可用"),
    ("gateway", "/up/slow/", 504, "504 网关超时"),
    ("portal", "/orders/7", 511, "511 需要网络认证"),
    ("portal", "/_portal/login", 200, "登录网络"),
]

# The page's own words as a person reads them: not an English sentence (four words or more)
# outside what it quotes ('...', "...") and the status line's reason phrase
_ENGLISH_RUN = re.compile(r"[A-Za-z]+(?:[ ,-]+[A-Za-z]+){3,}")


def _reads_chinese(page: Any, resp: Any, status: int, title: str) -> None:
    assert resp is not None and resp.status == status, (page.url, resp and resp.status)
    assert resp.headers.get("content-language") == "zh-CN", page.url
    assert "Accept-Language" in (resp.headers.get("vary") or ""), page.url
    assert page.title() == title
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    text = re.sub(r"'[^'\n]*'|\"[^\"\n]*\"|“[^”]*”", "", page.inner_text("body"))
    assert not _ENGLISH_RUN.findall(text), (page.url, text)


def test_every_page_a_chinese_browser_can_reach_is_chinese(browser, jupyter: str) -> None:
    """Chromium set to zh-CN, through jupyter-server-proxy: each of the lab's pages a browser
    can ask for (CHINESE_PAGES), the portal's refusal of a login without the box ticked, and
    the page after logging in, in Chinese, with Content-Language: zh-CN and Vary naming
    Accept-Language (the 502 and the 511 alone were read so until December 2026)."""
    import labkit

    with labkit.start() as lab:
        context = browser.new_context(locale="zh-CN", viewport={"width": 1000, "height": 700})
        page = context.new_page()
        try:
            page.goto(f"{jupyter}/lab?token={TOKEN}")  # sets the auth cookie
            ports = {"gateway": lab.gateway.port, "origin": lab.origin.port}
            ports["portal"] = lab.portal.port
            for server, path, status, title in CHINESE_PAGES:
                resp = page.goto(f"{jupyter}/proxy/{ports[server]}{path}")
                _reads_chinese(page, resp, status, title)
            lab.origin.maintenance(retry_after=30)
            resp = page.goto(f"{jupyter}/proxy/{lab.gateway.port}/orders/7")
            _reads_chinese(page, resp, 503, "503 服务不可用")
            assert "维护" in page.inner_text("body")
            lab.origin.maintenance(False)
            page.goto(f"{jupyter}/proxy/{lab.portal.port}/_portal/login")
            with page.expect_navigation() as refused:  # the box not ticked
                page.get_by_role("button", name="登录").click()
            _reads_chinese(page, refused.value, 400, "400 错误的请求")
            assert "请勾选“我接受条款”后再登录。" in page.inner_text("body")
            page.goto(f"{jupyter}/proxy/{lab.portal.port}/_portal/login")
            page.get_by_role("checkbox", name="我接受条款").check()
            with page.expect_navigation() as online:
                page.get_by_role("button", name="登录").click()
            _reads_chinese(page, online.value, 200, "你已联网")
            assert lab.portal.logged_in
        finally:
            context.close()


def test_a_stored_page_is_not_served_to_a_browser_in_another_language(
    browser, jupyter: str
) -> None:
    """The caching trap of lesson 04 in browsers of two languages: an English one stores the
    origin's cacheable 503 in the gateway's cache; a Chinese one, through the same gateway,
    gets a page of its own in Chinese (a variant, RFC 9111 4.1); once the outage is over,
    each gets the gateway's stored copy in its own language. Each visit is a browser
    context of its own, so that Chromium's own cache (the 503 says max-age=60) answers none."""
    import labkit

    with labkit.start() as lab:
        signed_in = browser.new_context()
        try:
            signed_in.new_page().goto(f"{jupyter}/lab?token={TOKEN}")
            cookies = signed_in.cookies()
        finally:
            signed_in.close()
        url = f"{jupyter}/proxy/{lab.gateway.port}/orders/7"

        def visit(locale: str) -> tuple[int, str | None, str | None, str]:
            context = browser.new_context(locale=locale)
            try:
                context.add_cookies(cookies)
                page = context.new_page()
                resp = page.goto(url)
                assert resp is not None, url
                said = resp.headers
                return resp.status, said.get("x-cache"), said.get("content-language"), page.title()
            finally:
                context.close()

        en = (503, "en", "503 Service Unavailable")
        zh = (503, "zh-CN", "503 服务不可用")
        lab.origin.maintenance(retry_after=30, cache_max_age=60)
        for locale, (status, lang, title) in (("en-US", en), ("zh-CN", zh)):
            assert visit(locale) == (status, "MISS", lang, title), locale
        lab.origin.maintenance(False)  # the outage is over; the stored 503s are not
        for locale, (status, lang, title) in (("en-US", en), ("zh-CN", zh), ("en-US", en)):
            assert visit(locale) == (status, "HIT", lang, title), locale
