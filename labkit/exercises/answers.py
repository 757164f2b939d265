"""One answer matcher for every exercise: what counts as "the same answer".

A learner may write a status as ``502``, ``"502"``, ``"502 Bad Gateway"``,
``"HTTP/1.1 502 Bad Gateway"`` or nginx's ``"504 Gateway Time-out"``; a header as
``Allow``, ``"Allow:"``, ``"the Allow header"``; a hop as ``"the origin"`` or
``"origin server"``; a number as ``5``, ``"five"`` or ``"5 requests"``. ``canonical``
turns each kind of answer into one canonical text, which the exercises compare (as
salted digests, so the answers are not in the source as plain text).

An answer that is not of the kind asked for (a sentence where a status is expected)
raises WrongKind: its message says what kind of answer is expected, and ``check``
does not count it as an attempt. An answer that hedges ("502 or 504") is of the right
kind but names two answers: it canonicalises to both, joined by " | ", which matches
no single accepted answer.

Answers may be written in Simplified Chinese too (issue 18 item 5): a status by the name
the lab's Chinese pages give it (the catalogue's reason phrases, MDN zh-CN's terms:
"504 网关超时", "错误的网关"), a hop (源服务器, 网关, 门户), a condition (连接被拒绝,
连接超时), a number (五); "502 或 504" and "网关或源服务器" hedge as their English forms do.
"""

from __future__ import annotations

import contextlib
import decimal
import functools
import http
import numbers
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

from labkit import i18n
from labkit.conditions import RFC_TABLE, Condition
from labkit.http.messages import reason_for
from labkit.http.pages import MADE_BY, PAGE_STATUSES
from labkit.i18n import Listed, Msg
from labkit.lazyre import Pattern, later

T = TypeVar("T")


class WrongKind(Exception):
    """The answer is not of the kind the question asks for (not counted as an attempt). Its
    one argument is a Msg: the check says it in the learner's language, ``str()`` is English."""


class Negated(WrongKind):
    """The answer says what it is not ("not 502"): no answer to judge (not counted)."""


class Hedged(WrongKind):
    """The answer hedges with a word ("maybe 504", "about 5"): no answer to judge (not
    counted), as "502 or 504" names two."""


KINDS = ("status", "header", "hop", "number", "condition", "cause", "text")

HEDGE = " | "

# Reason phrases: the RFC's, and the spellings real servers send (nginx says
# "Gateway Time-out" and "Service Temporarily Unavailable"; HAProxy "Gateway Timeout").
_EXTRA_PHRASES: dict[str, int] = {
    "gateway time-out": 504,
    "gateway time out": 504,
    "service temporarily unavailable": 503,
    "internal error": 500,
    "request entity too large": 413,
    "content too large": 413,
    "request-uri too large": 414,
    "request uri too long": 414,
    "not acceptable": 406,
    "unprocessable entity": 422,
    "network authentication required": 511,
    "network authentication": 511,
    "unsupported method": 501,
    "http version not supported": 505,
    "version not supported": 505,  # 505's phrase without its "HTTP"
}


def _phrase_key(text: str) -> str:
    return " ".join(re.sub(r"[-_]", " ", text.lower()).split())


# The Chinese names: those the lab's pages use (labkit/locale, one table with the pages),
# and spellings learners also meet (mdn.org.cn writes 错误网关; 服务器内部错误 is common).
_ZH_PHRASES: dict[str, int] = {
    "错误网关": 502,
    "网关错误": 502,
    "服务器内部错误": 500,
    "服务暂时不可用": 503,
    "http版本不受支持": 505,
    "http版本不支持": 505,
    "http 版本不支持": 505,  # as the pages write 505's name, a space after HTTP
    "不支持的http版本": 505,
    "方法不被允许": 405,
    "需要网络身份验证": 511,
    "需要网络认证": 511,
    "需要代理身份验证": 407,
    "需要代理认证": 407,
    "需要代理身份认证": 407,
    "需要网络身份认证": 511,
    "未授权": 401,
    "错误请求": 400,  # as 错误网关 beside the pages' 错误的网关
    "未经授权": 401,
}


def _chinese_reasons() -> dict[str, int]:
    found = {}
    for code in PAGE_STATUSES:
        english = reason_for(code)
        chinese = i18n.reason(i18n.CHINESE, english)
        if chinese != english:
            found[_phrase_key(chinese)] = code
    return found


# The reason phrases an answer may name, by their keys (``_phrase_key``): the RFC's, the
# spellings above, then the Chinese ones (``reasons``).
_ASCII_REASONS: dict[str, int] = {_phrase_key(s.phrase): s.value for s in http.HTTPStatus}
_ASCII_REASONS.update({_phrase_key(k): v for k, v in _EXTRA_PHRASES.items()})


@functools.cache
def _all_reasons() -> dict[str, int]:
    found = dict(_ASCII_REASONS)
    found.update(_chinese_reasons())
    found.update({_phrase_key(k): v for k, v in _ZH_PHRASES.items()})
    return found


def reasons(text: str) -> dict[str, int]:
    """The reason phrases ``text`` may hold, each with its status: the English ones for a
    text of ASCII only (a Chinese name always has a character outside ASCII:
    tests/test_exercises_answers.py), else every one. The Chinese names of the lab's pages
    come from its catalogue (``_chinese_reasons``), whose reading cost each kernel more than
    the rest of the lesson's import: it is read by the first answer that is not ASCII."""
    return _ASCII_REASONS if text.isascii() else _all_reasons()


_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve".split()
    )
}
_NUMBER_WORDS.update(
    {w: i for i, w in enumerate("零 一 二 三 四 五 六 七 八 九 十 十一 十二".split())}
)
_NUMBER_WORDS["两"] = 2

# -- numbers written in words: "two hundred", "five oh four", 两百, 五百零四, 五零四 --

_ZH_DIGITS = dict(zip("零〇一二三四五六七八九", (0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
_ZH_DIGITS.update(dict(zip("壹贰叁肆伍陆柒捌玖", range(1, 10), strict=True)))  # 大写, on cheques
_ZH_DIGITS["两"] = 2
_ZH_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_ZH_NUMERAL = later(f"[{''.join(_ZH_DIGITS)}{''.join(_ZH_UNITS)}]+")


def _zh_value(run: str) -> int | None:
    """A Chinese numeral's value: read as a number (五百零四, 两百, 二百五 is 250) or, with
    no unit in it, digit by digit as codes are said (五零四, 二〇〇); None if malformed."""
    if not any(ch in _ZH_UNITS for ch in run):
        return int("".join(str(_ZH_DIGITS[ch]) for ch in run))
    total, digit, last_unit, after_zero = 0, None, 0, False
    for ch in run:
        if ch in _ZH_UNITS:
            unit = _ZH_UNITS[ch]
            if last_unit and unit >= last_unit:
                return None  # 十百, 百百: not a number
            total += (1 if digit is None else digit) * unit
            digit, last_unit, after_zero = None, unit, False
        elif _ZH_DIGITS[ch] == 0:
            after_zero = True
        else:
            if digit is not None:
                return None  # 五五百
            digit = _ZH_DIGITS[ch]
    if digit is not None:
        # 二百五: the digit after a unit, with no 零 between, counts the next unit down
        total += digit * (last_unit // 10 if last_unit >= 100 and not after_zero else 1)
    return total


_EN_UNITS = {w: i for w, i in _NUMBER_WORDS.items() if w.isascii() and i < 10}
_EN_TEENS = {
    w: i
    for i, w in enumerate(
        "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split(),
        start=10,
    )
}
_EN_TENS = {
    w: 10 * i
    for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)
}
_EN_DIGIT = "|".join([*_EN_UNITS, "oh", "o"])
# "five hundred (and) four", "two hundred", "four hundred twenty-nine"
_EN_HUNDREDS = later(
    rf"\b({'|'.join(w for w, i in _EN_UNITS.items() if i)})[\s-]+hundred"
    rf"(?:(?:[\s-]+and)?[\s-]+({'|'.join(_EN_TENS)})(?:[\s-]+({'|'.join(_EN_UNITS)}))?"
    rf"|(?:[\s-]+and)?[\s-]+({'|'.join([*_EN_TEENS, *_EN_UNITS])}))?\b"
)
# "five oh four", "five-zero-four": a code said digit by digit
_EN_SPELLED = later(rf"\b({_EN_DIGIT})[\s-]+({_EN_DIGIT})[\s-]+({_EN_DIGIT})\b")


def _en_digit(word: str) -> int:
    return 0 if word in ("oh", "o") else _EN_UNITS[word]


def _hundreds(m: re.Match[str]) -> str:
    value = 100 * _EN_UNITS[m.group(1)]
    if m.group(2):
        value += _EN_TENS[m.group(2)] + (_EN_UNITS[m.group(3)] if m.group(3) else 0)
    elif m.group(4):
        value += _EN_TEENS.get(m.group(4), _EN_UNITS.get(m.group(4), 0))
    return str(value)


def numerals(text: str, *, singles: bool = True) -> str:
    """``clean`` text with the numbers written in words as digits: "two hundred" -> 200,
    "five oh four" -> 504, 两百 -> 200, 五百零四 and 五零四 -> 504. With ``singles`` a
    Chinese numeral of one character becomes its digit too (五 -> 5); English single
    words ("five") are left to the caller, which knows whether a count is asked."""
    text = _EN_HUNDREDS.sub(_hundreds, text)
    text = re.sub(
        r"(?<![\d.])([1-9])\s*(?:hundred\b|百(?!\s*[零〇一二三四五六七八九]))",
        r"\g<1>00",
        text,
    )
    text = _EN_SPELLED.sub(
        lambda m: (
            "".join(str(_en_digit(w)) for w in m.groups())
            if _en_digit(m.group(1)) and m.group(1) not in ("oh", "o")
            else m.group(0)
        ),
        text,
    )

    def zh(m: re.Match[str]) -> str:
        run = m.group(0)
        if len(run) == 1 and not singles:
            return run
        value = _zh_value(run)
        return f" {value} " if value is not None else run

    return " ".join(_ZH_NUMERAL.sub(zh, text).split())


# "5xx", "50x": a class of statuses (as nginx's 50x.html), never one status or a count
_STATUS_CLASS = later(r"(?<![\w.])[1-5](?:xx|\dx)(?![\w.])")


def _refuse_class(answer: object, text: str, count: bool = False) -> None:
    """WrongKind for "5xx": a class of statuses where one status (or a count) is asked."""
    found = _STATUS_CLASS.search(text)
    if found:
        low, high = found.group(0).replace("x", "0"), found.group(0).replace("x", "9")
        said = (
            Msg(
                "{given} names a class of statuses (all of {low} to {high}), not a count",
                given=repr(answer),
                low=low,
                high=high,
            )
            if count
            else Msg(
                "{given} names a class of statuses (all of {low} to {high}), not one",
                given=repr(answer),
                low=low,
                high=high,
            )
        )
        raise WrongKind(said)


HOPS: dict[str, str] = {
    # hop -> itself; synonyms and the Server values of the lab's hops below
    "origin": "origin",
    "origin server": "origin",
    "labkit origin": "origin",
    "application": "origin",
    "application server": "origin",
    "web application": "origin",
    "web app": "origin",
    "app": "origin",
    "app server": "origin",
    "backend": "origin",
    "backend app": "origin",
    "backend application": "origin",
    "backend server": "origin",
    "shop": "origin",
    "shop application": "origin",  # lesson 08's words for the origin
    "shop app": "origin",
    "gateway": "gateway",
    "labkit gateway": "gateway",
    "reverse proxy": "gateway",
    "proxy": "gateway",
    "gateway proxy": "gateway",
    "portal": "portal",
    "captive portal": "portal",
    "labkit portal": "portal",
    "client": "client",
    "browser": "client",
    "httpx": "client",
    "upstream": "upstream",
    "upstream server": "upstream",
    # the gateway's cache answers in the gateway's name
    "cache": "gateway",
    "gateway cache": "gateway",
    # 简体中文
    "源服务器": "origin",
    "源站": "origin",
    "应用": "origin",
    "应用服务器": "origin",
    "后端": "origin",
    "后端服务器": "origin",
    "商店": "origin",
    # lesson 08's words for the origin, as "the shop application" is read
    "商店的应用程序": "origin",
    "商店的应用": "origin",
    "商店应用": "origin",
    "网关": "gateway",
    "反向代理": "gateway",
    "代理": "gateway",
    "代理服务器": "gateway",
    "门户": "portal",
    "强制门户": "portal",
    "认证门户": "portal",
    # the portal by the page it answers with (refused as no hop, where "the portal's login
    # page" was read)
    "认证页面": "portal",
    "登录页面": "portal",
    "门户的登录页面": "portal",
    "客户端": "client",
    "浏览器": "client",
    "上游": "upstream",
    "上游服务器": "upstream",
}

# The hops that are servers: each answers requests, so "the server" names none of them alone
# (lesson 01 q1 accepted "the server" for the hop that made the 500, mapped to the origin,
# yet the gateway that relayed it, and the portal, are servers too). A question decides:
# where one of its options is a server, that one; where several are, it asks which.
SERVERS = ("origin", "gateway", "portal", "upstream")
# the words that name a server and nothing more ("the server", "the server side", 服务器)
SERVER_WORDS = frozenset(
    {
        "server",
        "web server",
        "http server",
        "server side",
        "服务器",
        "服务端",
        "服务器端",
    }
)


WHICH_SERVER = Msg("which server? {given} could name any of {servers}: each of them is a server")


def which_server(given: object, servers: Iterable[str]) -> Msg:
    """The one line for "the server" where ``servers`` (hops) could each be meant."""
    return WHICH_SERVER.bind(given=repr(given), servers=Listed(MADE_BY.get(h, h) for h in servers))


class Ambiguous(WrongKind):
    """A hop named by a word several hops answer to ("the server"): no answer to judge (not
    counted) unless the question has one such hop (``given``: the answer as written)."""

    def __init__(self, given: object, servers: Iterable[str] = SERVERS) -> None:
        super().__init__(which_server(given, servers))
        self.given = given


CAUSE_SYNONYMS: dict[str, str] = {
    "planned maintenance": "maintenance",
    "down for maintenance": "maintenance",
    "load shedding": "overload",
    "overloaded": "overload",
    "at capacity": "overload",
    "capacity": "overload",
    "bug": "handler-bug",
    "handler bug": "handler-bug",
    "application bug": "handler-bug",
    "code bug": "handler-bug",
    "exception": "handler-bug",
    "stale cache": "cached-error",
    "cached error page": "cached-error",
    "cache served error": "cached-error",
    "cached error": "cached-error",
    "cache": "cached-error",
    "cached": "cached-error",
    "cache hit": "cached-error",
    "invalid response": "invalid-response",
    "garbage": "invalid-response",
    "not http": "invalid-response",
    "not valid http response": "invalid-response",
    "not valid response": "invalid-response",
    "not http response": "invalid-response",
    "no healthy upstream": "no-healthy-upstream",
    "no healthy upstreams": "no-healthy-upstream",
    "network login": "network-login",
    "captive portal": "network-login",
    "login": "network-login",
    "not logged in": "network-login",
    "not logged in to network": "network-login",
    "not logged into network": "network-login",
    "not logged in yet": "network-login",
    "maintenance mode": "maintenance",
    "scheduled maintenance": "maintenance",
    "in maintenance": "maintenance",
    "under maintenance": "maintenance",
    "maintenance window": "maintenance",
    "planned downtime": "maintenance",
    "over capacity": "overload",
    "capacity exceeded": "overload",
    "too many requests": "overload",
    "shedding load": "overload",
    "shed load": "overload",
    "load shed": "overload",
    "server overloaded": "overload",
    "origin overloaded": "overload",
    "bug in handler": "handler-bug",
    "bug in code": "handler-bug",
    "handler exception": "handler-bug",
    "exception in handler": "handler-bug",
    "unhandled exception": "handler-bug",
    "handler error": "handler-bug",
    "application error": "handler-bug",
    "software bug": "handler-bug",
    "programming error": "handler-bug",
    "typeerror": "handler-bug",
    "traceback": "handler-bug",
    "served from cache": "cached-error",
    "cached 503": "cached-error",
    "cached response": "cached-error",
    "cached error response": "cached-error",
    "stored error": "cached-error",
    "cache served stored error": "cached-error",
    "cache served stored copy": "cached-error",
    "stored copy of error": "cached-error",
    "http protocol error": "invalid-response",
    "protocol error": "invalid-response",
    "malformed response": "invalid-response",
    "bad response": "invalid-response",
    "invalid http": "invalid-response",
    "invalid http response": "invalid-response",
    "not valid http": "invalid-response",
    "garbage response": "invalid-response",
    "all upstreams down": "no-healthy-upstream",
    "all upstreams unhealthy": "no-healthy-upstream",
    "all targets down": "no-healthy-upstream",
    "no healthy targets": "no-healthy-upstream",
    "no healthy backend": "no-healthy-upstream",
    "no healthy backends": "no-healthy-upstream",
    "health checks failed": "no-healthy-upstream",
    "no upstream available": "no-healthy-upstream",
    "no healthy upstream available": "no-healthy-upstream",
    "no available upstream": "no-healthy-upstream",
    "no available upstreams": "no-healthy-upstream",
    "network authentication required": "network-login",
    "network authentication": "network-login",
    "login required": "network-login",
    "must log in": "network-login",
    "must log in to network": "network-login",
    "log in to network": "network-login",
    "portal login": "network-login",
    # 简体中文
    "维护": "maintenance",
    "停机维护": "maintenance",
    "计划维护": "maintenance",
    "过载": "overload",
    "超出容量": "overload",
    "负载卸除": "overload",
    "代码缺陷": "handler-bug",
    "处理程序缺陷": "handler-bug",
    "程序错误": "handler-bug",
    "异常": "handler-bug",
    "缓存的错误页面": "cached-error",
    "缓存了错误页面": "cached-error",
    "过期缓存": "cached-error",
    "缓存": "cached-error",
    "无效的响应": "invalid-response",
    "无效响应": "invalid-response",
    "不是http": "invalid-response",
    "没有健康的上游": "no-healthy-upstream",
    "网络登录": "network-login",
    "强制门户": "network-login",
    "没有登录": "network-login",
    "未登录": "network-login",
    "没有登录网络": "network-login",
    # the words the Chinese lessons and panels use for the same causes (2026-12-05)
    "维护模式": "maintenance",
    "正在维护": "maintenance",
    "负载卸载": "overload",
    "卸载负载": "overload",
    "减载": "overload",
    "容量已满": "overload",
    "达到容量": "overload",
    "处理函数的 bug": "handler-bug",
    "处理函数 bug": "handler-bug",
    "处理函数的bug": "handler-bug",
    "处理函数bug": "handler-bug",
    "处理函数缺陷": "handler-bug",
    "处理函数抛出异常": "handler-bug",
    "未处理的异常": "handler-bug",
    "代码 bug": "handler-bug",
    "代码bug": "handler-bug",
    "缓存的错误": "cached-error",
    "缓存的错误响应": "cached-error",
    "缓存的 503": "cached-error",
    "缓存的503": "cached-error",
    "缓存陷阱": "cached-error",
    "来自缓存": "cached-error",
    "乱码": "invalid-response",
    "协议错误": "invalid-response",
    "无效的 http 响应": "invalid-response",
    "无效的http响应": "invalid-response",
    "没有健康的上游服务器": "no-healthy-upstream",
    "池中没有健康的上游": "no-healthy-upstream",
    "上游都不健康": "no-healthy-upstream",
    "健康检查失败": "no-healthy-upstream",
    "需要登录网络": "network-login",
    "需要网络认证": "network-login",
    "需要登录": "network-login",
    "登录网络": "network-login",
    # refused as no cause: each says its one cause as plainly as the forms above
    "too many requests at once": "overload",
    "too many requests at same time": "overload",
    "too many concurrent requests": "overload",
    "上游全部不健康": "no-healthy-upstream",
    "所有上游都不健康": "no-healthy-upstream",
    "上游都挂了": "no-healthy-upstream",
    "缓存里的错误": "cached-error",
    "缓存中的错误": "cached-error",
    "缓存里的错误页面": "cached-error",
    "上游返回的不是 http": "invalid-response",
    "返回的不是 http": "invalid-response",
    "上游返回的不是有效的 http": "invalid-response",
    "不是有效的 http": "invalid-response",
    "不是有效的 http 响应": "invalid-response",
}

_ARTICLES = later(r"\b(the|a|an)\b")
_QUOTES = "'\"`‘’“”«»「」『』*"  # and markdown's emphasis: **502**
# Chinese punctuation that may end an answer, and the words that join two (a hedge)
_ZH_STOPS = "。！？；，、"
_OR = r",|，|、|\bor\b|\band\b|/|或者|或|和|与|及"


# "504 (Gateway Timeout)", "Allow (GET, HEAD)", "origin (labkit-origin)": an aside that
# explains the answer. One that hedges ("502 (or 504)") stays, so the hedge is seen.
_ASIDE = later(r"\s*[(（]([^()（）]*)[)）]")
# a slash between two words hedges ("502/504"); one that starts a path does not ("check (GET
# /orders) before resending" was refused as a hedge), nor i/o
_HEDGING = later(r"\bor\b|\beither\b|\bmaybe\b|\bperhaps\b|(?<=\w)(?<!\bi)/(?!o\b)|\?|或")

# what follows "not" in a hedge: "not sure", "not quite sure", "not 100% sure", "not certain"
_UNSURE = (
    r"(?:(?:quite|really|too|entirely|totally|completely|\d+\s*%)\s+)?"
    r"(?:sure|certain|confident|positive)\b"
)

# Words that deny what follows: "not 502" names 502 but answers nothing. Reason phrases
# that contain "not" ("501 Not Implemented") are taken out before this is looked for.
_NEGATION = later(
    rf"(?<![\w-])(not(?! {_UNSURE})|never|neither|nor|isn[’']?t|aren[’']?t|wasn[’']?t|doesn[’']?t|"
    r"don[’']?t|won[’']?t|cannot|can[’']?t)(?![\w-])|^(不是|并非|绝不是|不会是)"
)


def asides(text: str) -> list[str]:
    """What an answer says in brackets ("the upstream (origin)": ["origin"])."""
    return [m.group(1).strip() for m in _ASIDE.finditer(unicodedata.normalize("NFKC", text))]


def hedging_aside(aside: str) -> bool:
    """Whether what an answer says in brackets hedges it ("502 (or 504)", "(maybe)")."""
    return bool(_HEDGING.search(aside) or hedge_word(clean(aside)))


def _without_asides(text: str) -> str:
    return _ASIDE.sub(lambda m: m.group(0) if _HEDGING.search(m.group(1)) else "", text)


# Where an answer's explanation starts: "400, because the length cannot be found" answers
# 400; what the reason says ("cannot") denies nothing.
_BECAUSE = later(
    r"(?:[,;:]\s*|\s)(?:because|since|as|so|given|due to|e\.g\.|i\.e\.|for example)\s|\s*因为"
    # a dash, then words: "check before resending — POST is not idempotent" (clean()
    # makes every dash a hyphen), not "8 - 3"
    r"|\s+-+\s+(?=[^\W\d])"
    # an example after a comma, in Chinese ("Retry-After，例如 Retry-After: 30" was read as the
    # header "例如 retry-after", where "Retry-After, e.g. Retry-After: 30" was Retry-After)
    r"|\s*[,;]\s*(?:例如|比如|譬如)"
    # a clause about the answer ("Retry-After header, which is not always sent": its "not"
    # denied the answer), not one that judges it ("Allow, which is wrong", "…, which isn't it")
    r"|\s*[,;]\s*(?:which|it|this|that)\s+(?!(?:is|was|would be|[’']s)\s+(?:not\s+)?(?:it|right"
    r"|wrong|correct|incorrect|false|true|the answer|sure)\b)"
    r"(?!(?:isn[’']?t|wasn[’']?t)\s+(?:it|right|correct|true|the answer)\b)(?=\S+\s+\S)"
    r"(?![^,;]*\b(?:sure|certain|maybe|perhaps|probably|guess|think)\b)"  # "…, which I guess"
    # and in Chinese, a clause about it ("Retry-After 响应头，它不总是有"), not one that denies
    # it (它不是, 它不对, 它是错的) or hedges (它可能)
    r"|\s*[,;]\s*(?=它|这个头)(?!它(?:并)?不是|它不对|它是错|它(?:可能|也许|大概)|这个头(?:并)?不是)"
)


# A status, then a clause after a comma or a semicolon: "400 bad request, the length cannot
# be found". The clause says why, as one after "because" does; its "cannot" denied the answer
# (refused, where the same with "because" was accepted). Not a clause that denies or
# hedges the answer itself ("400, it isn't", "400, not really", "400, or 411", "400, maybe")
# nor a list of statuses ("400, 411").
_STATUS_THEN_CLAUSE = later(r"^(?P<head>[^,;]+?)(?:\s*[,;]\s*|\s+(?=but\s))(?P<clause>[^\W\d].*)$")
# a clause that is part of the answer, not its reason: another answer ("400, or 411", "400,
# and 411") or a hedge ("400, maybe"), for the checks of several answers and of hedges
ANSWERS_ON = later(
    r"^(?:but|or|either|nor|maybe|perhaps|probably|possibly|i guess|i suppose|i think"
    rf"|unsure|not\s+{_UNSURE})(?![\w-])|^and\b(?=.*(?<![\d.])[1-5]\d\d(?![\d.]))"
)
# a clause that denies the answer before it: "400, no", "400, it isn't", "400, which is wrong"
DENIES_THE_ANSWER = later(
    rf"^(?:no|not(?!\s+{_UNSURE})|never|nope|neither|wrong|false|incorrect|nah|no way|i doubt"
    r"|i (?:don[’']?t|do not) (?:think|believe))(?![\w-])"
    # the answer named again and denied: "it isn't", "that's not it", "which is wrong"
    r"|^(?:it|that|this|which|this one|that one)(?:\s*(?:[’']s|is|was|would be|does|did"
    r"|should be)(?![\w-]))?\s*(?:not|never|wrong|incorrect|false|isn[’']?t|wasn[’']?t"
    r"|doesn[’']?t|can[’']?t|cannot|won[’']?t|shouldn[’']?t)(?![\w-])"
)


def _names_a_status(head: str) -> bool:
    """Whether a (clean) answer's head is a status and nothing else: "400", "400 bad
    request", "http/1.1 400 bad request", "bad request", "错误请求"."""
    plain = _phrase_key(_STATUS_LINE.sub("", head))
    for phrase, pattern in _phrase_patterns(reasons(plain) is _ASCII_REASONS):
        if phrase in plain:
            plain = pattern.sub(" ", plain)
    rest = re.sub(r"(?<![\d.])[1-5]\d\d(?![\d.])", " ", plain)
    return rest.split() != _phrase_key(head).split() and not _ARTICLES.sub(" ", rest).split()


def _names_a_code(text: str) -> bool:
    """Whether a text names a status by its number ("the server cannot use 501 here"): a
    reason that names another status stays part of the answer, which then names two."""
    return re.search(r"(?<![\d.])[1-5]\d\d(?![\d.])", text) is not None


def _but_says_why(clause: str) -> str:
    """A clause after "but" that says more about the answer ("200, but the body is not
    complete") without its "but"; one that answers on ("but 411", "but maybe") as it is."""
    rest = clause[4:] if clause.startswith("but ") else ""
    if rest and not ANSWERS_ON.match(rest) and not DENIES_THE_ANSWER.match(rest):
        return rest
    return clause


def _before_clause(text: str) -> str:
    """A status answer without the clause after its comma ("400 bad request, the length
    cannot be found": "400 bad request"); any other text as it is."""
    found = _STATUS_THEN_CLAUSE.match(text)
    if (
        found
        and _names_a_status(found.group("head"))
        and not DENIES_THE_ANSWER.match(found.group("clause"))
        and not ANSWERS_ON.match(_but_says_why(found.group("clause")))
        # a clause that hedges anywhere in it ("504, which I am not sure about")
        and not _HEDGE_WORD.search(found.group("clause"))
        and not _names_a_code(found.group("clause"))
    ):
        return found.group("head")
    return text


def answer_part(text: str) -> str:
    """The answer without the reason given after it ("504 because B timed out": "504"; "400
    bad request, the length cannot be found": "400 bad request")."""
    return _before_clause(_BECAUSE.split(text, maxsplit=1)[0])


def negated(text: str, allowed: frozenset[str] = frozenset()) -> bool:
    """Whether a (clean) answer denies what it names: "not 504", "it isn't the gateway".
    The "not" of a reason phrase ("501 Not Implemented"), words in ``allowed`` (the
    options' own, "never retry") and a reason given after the answer deny nothing."""
    found = _STATUS_THEN_CLAUSE.match(_BECAUSE.split(text, maxsplit=1)[0])
    if found and _names_a_status(found.group("head")):  # "400, which is wrong"
        denial = DENIES_THE_ANSWER.match(found.group("clause"))
        if denial and denial.group(0) not in allowed:
            return True
    plain = _phrase_key(answer_part(text))
    for phrase in sorted(reasons(plain), key=len, reverse=True):
        if " " in phrase and phrase in plain:
            plain = plain.replace(phrase, " ")
    return any(m.group(0) not in allowed for m in _NEGATION.finditer(plain))


def _refuse_negation(answer: object, text: str, approximate: bool = False) -> None:
    """Negated for "not 504"; Hedged for "maybe 504" (and "about 5" for a number)."""
    if negated(text):
        raise Negated(NEGATED.bind(given=repr(answer)))
    text = answer_part(text)
    found = _HEDGE_WORD.search(text) or (
        approximate and (_APPROXIMATE.search(text) or _BOUND.search(text))
    )
    if found:
        raise Hedged(HEDGES.bind(given=repr(answer), word=repr(found.group(0))))


HEDGES = Msg("{given} hedges ({word}); give the answer you are sure of")


NEGATED = Msg("{given} says what it is not; give the answer itself")
# "502 or 504" where one answer is asked for: the same words for a short answer and for a
# choice between options (not counted: it names no one answer to judge)
SEVERAL = Msg("{given} gives several answers; give the one you are sure of")


# Words that hedge what follows: "maybe 504" names 504 but does not answer with it.
# "504, I guess" and "not sure: 504" too, as 我猜是 504 and 不确定 (accepted, and
# counted, where "maybe 504" was refused as a hedge); and 吧 closing the answer, "I
# suppose" said as a particle, 吗 closing it, a question asked without its "?", 估计 as
# "probably" and 难道 ("could it be"): 源服务器吧, 是504吗, 估计是 504 were accepted and
# counted until December 2026, where "504?" and "probably 504" were refused
_HEDGE_WORD = later(
    r"(?<![\w-])(maybe|perhaps|probably|possibly|might be|could be|i guess|i suppose|guessing"
    rf"|(?:i[’']?m |i am )?not {_UNSURE}|unsure)(?![\w-])"
    r"|可能|也许|大概|或许|我猜|猜是|不确定|不太确定|说不准|估计|难道|吧$|吗$"
)


def hedge_word(text: str) -> str:
    """The word that hedges a (clean) answer before its reason ("" if none): "maybe", "i guess"."""
    found = _HEDGE_WORD.search(answer_part(text))
    return found.group(0) if found else ""


_APPROXIMATE = later(
    r"(?<![\w-])(about|around|roughly|approximately|nearly|almost|some)(?![\w-])|~|≈|大约|左右"
    r"|差不多|将近|接近"  # "almost", "nearly": 将近 5 个 was accepted and counted
)
# a bound where a count is asked: "at least 5", "5 or more", "5+", 至少五个, 五个以上 were
# accepted as 5 (and "more than 4" counted as a wrong 4)
_N = rf"(?:\d+|{'|'.join(w for w in _NUMBER_WORDS if w.isascii())}|[零〇一二两三四五六七八九十百]+)"
_BOUND = later(
    rf"(?<![\w-])(?:at least|at most|up to|no more than|no fewer than|no less than|not more than"
    rf"|not fewer than|not less than|more than|fewer than|less than|over|under|above|below)\s+{_N}"
    rf"|{_N}\s*(?:\+|\s(?:or more|or fewer|or less|and up|and above)\b)"
    rf"|至少|至多|最多|最少|不少于|不多于|不超过|不低于|超过|多于|少于|以上|以下|开外"
)


# other dashes and Chinese input's full-width colon and commas (、 lists: "Upgrade、Connection"), as ASCII
WIDE = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "：": ":", "，": ",", "、": ","})


# what a learner writes before the answer itself: "the answer is 504", "Answer: Allow"
_PREAMBLE = later(
    r"^((my|the) )?answer( is|:)? (?=\S)|^i think:? (?=\S)"
    # and in Chinese: "答案：源服务器", "答：Allow", "应该是源服务器" (refused as no
    # option or header name; "答案：501" passed, its digits read as the status)
    r"|^(?:答案|回答|答)\s*(?:是|为)?\s*:?\s*(?=\S)|^(?:应该是|应当是|我认为是|我觉得是)\s*(?=\S)"
    # "是 Retry-After 头": "(it) is", as "it is Retry-After" (not 是的, a yes)
    r"|^是(?![的否])\s*(?=\S)"
    # an arrow or an equals sign ("=> 504", "→ origin"), a word of certainty ("definitely
    # Allow", "clearly the origin", 肯定是, 就是), the option picked by name ("option: origin",
    # "I pick origin", 我选, 选), what kind of answer follows ("header: Allow", "code 504"):
    # each was refused, and "definitely X-Request-ID" counted as a wrong header
    r"|^(?:=+>|-+>|→|⇒|⟶|=)\s*(?=\S)"
    r"|^(?:definitely|clearly|certainly|surely|obviously|of course|for sure|absolutely)[,:]?"
    r"\s+(?=\S)"
    r"|^(?:(?:the )?(?:option|choice)(?: is)?:?|i (?:pick|choose|select|go with|(?:would|'d) pick)"
    r"|(?:the )?(?:header(?: name)?|condition|hop)(?: is)?:)\s*(?=\S)"
    r"|^(?:肯定|一定|当然|显然|明显|就|确定)是\s*(?=\S)|^(?:我(?:会)?选(?:择)?|选(?:择)?)\s*:?\s*(?=\S)"
    # a yes before the answer, as to a question asked yes or no ("yes, Allow" was refused
    # as no header name where "yes, 504" was 504); a "no" before one stays, a denial
    r"|^(?:yes|yeah|yep|是的|对的|对|嗯)\s*[,:]\s*(?=\S)"
    # the answer said as a sentence's subject ("It is X-Request-ID.", "that's Allow"): the
    # header read was "it-is-x-request-id", counted as a wrong header
    r"|^(?:it|that|this)(?:'s|’s| is| must be| should be| would be)\s+(?=\S)"
)


# a list item's marker, as a learner pasting from notes or a chat writes it: "- Allow",
# "• 504" ("- X-Request-ID" was refused: a header name may start with a hyphen)
_BULLET = later(r"^[-•·‣◦]\s+(?=\S)")


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


# a response pasted whole: its status line, then header lines
_PASTED_RESPONSE = later(r"\s*HTTP/\d(?:\.\d)?\s+\d{3}\b[^\r\n]*(?=\r?\n)", re.IGNORECASE)


# an arrow between two things, as the lessons draw them ("B → 504", "origin -> 500")
_ARROW = later(r"\s*(?:-+>|=+>|→|⟶|⇒|➔|➜)\s*")


def arrow_sides(answer: object) -> list[str]:
    """The two sides of an answer that joins two things with one arrow ("origin → 500":
    ["origin", "500"]); [] for any other answer."""
    text = unicodedata.normalize("NFKC", str(answer)).strip()
    sides = _ARROW.split(text)
    if len(sides) != 2 or not all(side.strip() for side in sides):
        return []
    return sides


def questioned(answer: object) -> bool:
    """Whether an answer asks rather than answers: it ends with a question mark ("200?",
    "retry with backoff?", 全角 "200？"), or has one in brackets ("405 (without Allow?)").
    clean() drops a trailing "?" as punctuation, so "200?" was accepted as 200, and counted."""
    if not isinstance(answer, str):
        return False
    text = unicodedata.normalize("NFKC", answer).translate(_INVISIBLE).strip()
    if _PASTED_RESPONSE.match(text):  # a response pasted whole: its status line is the answer
        return False
    text = text.strip(_QUOTES + " ").rstrip(".!;, " + _ZH_STOPS).strip(_QUOTES + " ")
    return text.endswith("?") or any("?" in aside for aside in asides(text))


# What an answer says of itself after it, taking it back: "Allow, which is wrong", "501 —
# wrong", "X-Request-ID (wrong)", "Allow，这是错的". The words after an answer are set aside
# as its reason (after a dash, in brackets, after a comma) or read as a second answer, so
# these were accepted as the answer they disown, or counted as a wrong one.
_DISOWNS = later(
    r"^(?:(?:but|and)\s+)?(?:(?:which|that|this|it)(?:\s*[’']s|\s+is|\s+was|\s+would\s+be"
    r"|\s+seems)?\s+)?(?:(?:all\s+)?wrong|incorrect|false|not\s+(?:it|right|correct|true"
    r"|the\s+(?:right\s+)?answer)|(?:just\s+)?kidding|scratch\s+that|ignore\s+(?:that|this|it))$"
    r"|^(?:no|nope|nah|not\s+really|not\s+at\s+all)$"
    r"|^(?:但|不过)?(?:这|那|它)?个?(?:答案)?(?:是|也)?(?:错的|错误的|不对|不正确)(?:的)?$"
)
# where an answer's own words end and what it says of them starts; a question mark too:
# "X-Request-ID? no, Via" was refused as "'x-request-id? no' is not a header name", where
# "X-Request-ID, no, Via" says what it is not
_AFTER_ANSWER = later(r"\s*[,;?]\s*|\s+-+\s+|\s*[(（)）]\s*")


def _after_answer(answer: str) -> list[str]:
    """What an answer says after its own words: after a comma, a semicolon, a dash, in
    brackets ("Allow — which is wrong": ["which is wrong"])."""
    text = unicodedata.normalize("NFKC", answer).translate(_INVISIBLE).translate(WIDE).lower()
    parts = _AFTER_ANSWER.split(" ".join(text.split()))
    return [p.strip().rstrip(".!。！ ") for p in parts[1:]]


def disowned(answer: object) -> bool:
    """Whether an answer names something, then takes it back (``_DISOWNS``)."""
    return isinstance(answer, str) and any(_DISOWNS.match(p) for p in _after_answer(answer))


def refuse_disowned(answer: object) -> None:
    """Negated (not counted) for an answer that takes itself back ("Allow, which is wrong");
    Hedged for one that hedges after it ("200 — maybe", "Allow (not sure)"), which was
    accepted, the hedge set aside as the answer's reason, where "maybe 200" was refused."""
    if not isinstance(answer, str):
        return
    if disowned(answer):
        raise Negated(NEGATED.bind(given=repr(answer)))
    for part in _after_answer(answer):
        found = _HEDGE_WORD.match(part)
        if found:
            raise Hedged(HEDGES.bind(given=repr(answer), word=repr(found.group(0))))


def refuse_question(answer: object) -> None:
    """Hedged (not counted) for an answer that asks (``questioned``), as for "maybe 200"."""
    if questioned(answer):
        raise Hedged(HEDGES.bind(given=repr(answer), word=repr("?")))


# A space between two Chinese characters: Chinese writes none, so "网关 超时" and "连接 超时"
# are 网关超时 and 连接超时 (refused as no status and no condition, where "Gateway  Timeout"
# was read); a space beside a Latin word or a number stays ("504 网关超时", "带 Allow 的 405").
_HAN_SPACE = later(r"(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])")


def clean(answer: object) -> str:
    """Lower case, full-width characters as ASCII (an IME types ５０４), quotes, asides in
    brackets, a preamble ("the answer is") and trailing punctuation gone, one space
    between words. Of a response pasted whole (status line, headers), the status line."""
    # characters that show as nothing (a zero-width space, a soft hyphen, a byte-order mark),
    # which a copy from a web page or a chat brings: "50\u200b4" named no status
    text = unicodedata.normalize("NFKC", str(answer)).translate(_INVISIBLE)
    pasted = _PASTED_RESPONSE.match(text)
    if pasted:
        text = pasted.group(0)
    text = _without_asides(text).translate(WIDE).strip()
    text = text.strip(_QUOTES + " ")
    text = text.rstrip(".!?;, " + _ZH_STOPS)
    text = text.strip(_QUOTES + " ")
    text = " ".join(text.lower().split())
    text = _HAN_SPACE.sub("", text)
    text = _BULLET.sub("", text)
    for _ in range(3):  # "=> definitely 504", "答案：我选源服务器"
        text = _PREAMBLE.sub("", text).strip(_QUOTES + " ")
    return _without_looks(_without_contrast(text))


# "the origin, not the gateway", "504，不是 502": the answer, then what it is not
_CONTRAST = later(
    # not a hedge: "504, not sure", "400, not 100% sure" (accepted as the answer)
    # nor a denial: "overload, not really" (accepted as overload)
    rf"^(?P<head>.*?\S)\s*(?:(?:[,;]\s*|\s-+\s+)(?:but\s+)?not\s(?!{_UNSURE}|really\b|at all\b)"
    r"|[,，;；]\s*(?:而)?(?:不是|并非))"
)


def _without_contrast(text: str) -> str:
    """The answer without a contrast after it (", not the gateway"), unless the answer
    itself denies ("not the origin, not the gateway" stays, and says what it is not); the
    answer after a contrast before it ("not 502 but 504", 不是 502 而是 504)."""
    first = _CONTRAST_FIRST.match(text)
    then = first and (first.group("then") or first.group("zhthen"))
    if then and not _NEGATION.search(then):
        return then
    found = _CONTRAST.match(text)
    if found and not _NEGATION.search(found.group("head")):
        return found.group("head")
    return text


# What the answer looked like, after it: "the portal, but it looked like the gateway", "504,
# though it seemed like a 502 at first". The evidence that misled is a reason, no second
# answer: it was refused as naming two hops, where "the portal, not the gateway" was the
# portal. Not a clause that hedges ("..., but it looked like the gateway, maybe").
_LOOKS_HEDGED = (
    r"\b(?:maybe|perhaps|probably|possibly|might|could|or|unsure|not sure)\b|可能|也许|或"
)
_LOOKS = later(
    r"^(?P<head>.*?\S)\s*(?:[,;]\s*|\s-+\s+|\s+(?=(?:but|though|although|even though|even if"
    r"|while)\s))(?:(?:but|though|although|even though|even if|while)\s+)?"
    r"(?:(?:it|this|that|they|the \w+(?: \w+)?)\s+)?(?:(?:first|at first|also)\s+)?"
    r"(?:looked|seemed|appeared)\s+(?:like|as if|as though|to be|to come from|to have come from)"
    rf"\s(?!.*(?:{_LOOKS_HEDGED}))"
    r"|^(?P<zhhead>.*?\S)\s*[,;]\s*(?:但是?|不过|虽然)?\s*(?:它|这|页面|响应)?\s*"
    rf"(?:看起来|看上去|乍看|看似)(?!.*(?:{_LOOKS_HEDGED}))"
)


def _without_looks(text: str) -> str:
    """The answer without what it looked like after it (``_LOOKS``), where the answer itself
    neither denies nor hedges."""
    found = _LOOKS.match(text)
    head = found and (found.group("head") or found.group("zhhead"))
    if head and not _NEGATION.search(head):
        return head
    return text


# "not 502 but 504", "not the portal, but the gateway", 不是502而是504: what it is not, then
# the answer. Said the other way round ("504, not 502", _CONTRAST) it was accepted, yet this
# way it was refused as a denial. Not "not only 502 but also 504" (two answers), nor "not sure
# but 504" (a hedge, refused as one).
_CONTRAST_FIRST = later(
    rf"^not\s+(?!{_UNSURE}|only\b|just\b|merely\b|simply\b)(?P<denied>[^,;]+?)\s*[,;]?\s*"
    r"but\s+(?:rather\s+|instead\s+)?(?!also\b|too\b)(?P<then>\S.*)$"
    r"|^(?:不是|并非)\s*(?P<zhdenied>[^,;]+?)\s*[,;]?\s*而是\s*(?P<zhthen>\S.*)$"
)


# "5 0 4": digits spaced apart are no status and no count; asked to write them as one
_SPACED_DIGITS = later(r"\d( \d)+")


def refuse_spaced_digits(answer: object) -> None:
    """WrongKind for "5 0 4", which one reading makes 504 and another three numbers."""
    if isinstance(answer, str) and _SPACED_DIGITS.fullmatch(clean(answer)):
        raise WrongKind(
            Msg(
                "{given} spaces its digits apart; write the number without spaces",
                given=repr(answer),
            )
        )


def words(text: str) -> str:
    """``clean`` text as plain words: hyphens, underscores and articles do not matter."""
    text = re.sub(r"[-_]", " ", text)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def canonical(kind: str, answer: object) -> str:
    """The canonical text of ``answer`` read as ``kind``; raises WrongKind if it is not one."""
    if kind not in KINDS:
        raise ValueError(f"unknown answer kind {kind!r}; one of {', '.join(KINDS)}")
    refuse_question(answer)
    refuse_disowned(answer)
    read: Callable[[object], str] = {
        "status": status,
        "header": header,
        "hop": hop,
        "number": number,
        "condition": condition,
        "cause": cause,
        "text": text,
    }[kind]
    value = said_then_why(
        lambda given: by_aside(read, given), answer, closed=kind in ("condition", "cause")
    )
    other = really_was(kind, answer)
    given = set(value.split(HEDGE))
    if other is None or other in given:
        return value
    return HEDGE.join(sorted(given | {other}))


# a clause that says what the answer really was: "the portal, it was the gateway really",
# "the portal, which the gateway made", "Retry-After, it is Cache-Control really", 门户，其实是网关
_SAYS_IT_WAS = later(
    r"[,;]\s*(?:(?:it|that|this|which)\s*(?:was|is|[’']s|would be)\s+(?:really\s+|actually\s+)?"
    r"(?P<was>[^,;]+?)|which\s+(?P<maker>[^,;]+?)\s+(?:made|sent|wrote|produced|generated"
    r"|answered)(?:\s+it)?)(?:\s+(?:really|actually|in fact))?$"
    # 门户，其实是网关 / 它实际上是网关 / 是网关生成的
    r"|[,;]\s*(?:它|这|那)?(?:其实|实际上)?(?:是|就是)\s*(?:由\s*)?(?P<zh>[^,;]+?)"
    r"(?:\s*(?:生成|做|发出|返回|产生)的?)?(?:才对)?$"
)


# A clause that corrects the answer before it: the words after a correction word ("the portal,
# but really the gateway", "the portal (well, the gateway)", "the portal - no, the gateway",
# "portal, I mean gateway", "Retry-After, actually Cache-Control", 门户，不对，是网关,
# 门户（其实是网关）). "no", "well" and "不" correct only before a comma ("connect-timeout - no
# upstream hop" says there is none; 门户，不是网关 is a contrast).
_CORRECTS = later(
    r"(?:[,;:(]|\s-+\s|\s(?=but\s))\s*(?:but\s+|or\s+)?"
    r"(?:really|actually|in fact|(?:well|no|nope|sorry|wait)(?=\s*[,:!])|i mean|i meant|rather"
    r"|correction|make that)(?![\w-])\s*[,:]?\s*(?:(?:it|that|this)\s*(?:was|is|[’']s)\s+|the answer is\s+)?"
    r"(?P<said>[^,;:()]+?)(?:\s+(?:really|actually))?\s*\)?$"
    r"|[,;:(]\s*(?:不对|不(?=\s*,)|其实|实际上|事实上|应该说|准确地说|确切地说|或者说|我是说"
    r"|我的意思是|错了)\s*,?\s*(?:它|这)?(?:应该|其实|实际上)?(?:是|就是)?\s*"
    r"(?P<zh>[^,;:()]+?)\s*\)?$"
)


def corrected(answer: object) -> str | None:
    """The words a clause after ``answer`` corrects it to (``_CORRECTS``: "the portal, but
    really the gateway": "the gateway"), else None. The caller reads them as an answer: one
    that names another answer of the kind makes two, one about the same answer ("504 (well,
    Gateway Timeout)") or none ("the gateway, well before the origin answered") changes
    nothing. In brackets too, which clean() sets aside as an explanation."""
    if not isinstance(answer, str):
        return None
    text = unicodedata.normalize("NFKC", answer).translate(_INVISIBLE).translate(WIDE).lower()
    found = _CORRECTS.search(" ".join(text.split()).rstrip(".!。！ "))
    if not found:
        return None
    said = (found.group("said") or found.group("zh") or "").strip(_QUOTES + " ")
    return said or None


def really_was(kind: str, answer: object) -> str | None:
    """The answer of ``kind`` a clause after ``answer`` says it really was, or corrects it to
    (``corrected``), else None.

    "the portal, it was the gateway really" and "the portal, which the gateway made" were
    read as the portal (the clause set aside as a reason, ``_BECAUSE``), "Retry-After, it is
    Cache-Control really" as Retry-After: they name two answers, as "the portal, the gateway
    made it" does (``canonical`` lists both; a choice of hops refuses it). A clause that
    names no answer ("the portal, it intercepted the request") gives None; for a header,
    only a clause that names one header by its name counts (``header`` reads any words as
    one, "it is the header for this" as "for-this")."""
    if not isinstance(answer, str):
        return None
    found = _SAYS_IT_WAS.search(clean(answer))
    for said in (
        found and (found.group("was") or found.group("maker") or found.group("zh")),
        corrected(answer),
    ):
        if not said:
            continue
        if (
            kind == "header"
            and len(re.sub(r"\b(?:the|a|an|header|field)\b", " ", said).split()) != 1
        ):
            continue
        try:
            other = canonical(kind, said)
        except WrongKind:
            continue
        if HEDGE in other or (kind == "header" and not looks_like_header(other)):
            continue
        return other
    return None


def expected(kind: str) -> i18n.Msg:
    """What an answer of ``kind`` looks like, for the message on a wrong-kind answer (a
    message, said in the learner's language)."""
    return {
        "status": Msg("a status code, such as 404 or '404 Not Found'"),
        "header": Msg("a header name, such as 'Content-Type'"),
        "hop": Msg("a hop: client, portal, gateway, origin or upstream"),
        "number": Msg("a number, such as 3"),
        "condition": Msg(
            "an upstream condition such as {examples}",
            examples=Listed(c.value for c in list(Condition)[:3]),
        ),
        "cause": Msg("a cause from the list in the question"),
        "text": Msg("a short text"),
    }[kind]


# -- statuses --

_STATUS_LINE = later(r"^http(/\d(\.\d)?)?\s+(?=\d{3}\b)")  # "HTTP/1.1 504", "HTTP 504"


@functools.cache
def _phrase_patterns(ascii_only: bool) -> list[tuple[str, re.Pattern[str]]]:
    """The reason phrases of ``reasons``'s table (the English one or all), longest first (so
    "gateway time out" is not read as something shorter), each with its pattern as a whole
    phrase: compiled once, not for every phrase of every answer."""
    table = _ASCII_REASONS if ascii_only else _all_reasons()
    return [
        (phrase, re.compile(rf"(?<![a-z]){re.escape(phrase)}(?![a-z])"))
        for phrase in sorted(table, key=len, reverse=True)
    ]


def _statuses_in(text: str) -> list[tuple[int, str]]:
    """Every status a text names: (code, how it was named), numbers and reason phrases."""
    found: list[tuple[int, str]] = []
    text = _before_clause(text)  # a status named in the reason is not the answer
    # "504 — B does not answer in time": the reason after a dash, which the dashes' removal
    # below (_phrase_key) made part of the answer, its "not" a denial; not a reason that
    # names a status ("502 - no, 504")
    said = _BECAUSE.split(text, maxsplit=1)
    if len(said) == 2 and not _names_a_code(said[1]):
        text = said[0]
    plain = _phrase_key(_STATUS_LINE.sub("", text))
    taken = plain
    table = reasons(plain)
    for phrase, pattern in _phrase_patterns(table is _ASCII_REASONS):
        if phrase in taken and pattern.search(taken):
            found.append((table[phrase], phrase))
            taken = pattern.sub(" ", taken)
    for match in re.finditer(r"(?<![\d.])([1-5]\d\d)(?![\d.])", taken):
        found.append((int(match.group(1)), match.group(1)))
    _refuse_negation(text, taken)
    return found


def without_reason(answer: str) -> str:
    """A status written with its reason phrase, the phrase gone, whatever follows kept:
    "HTTP/1.1 405 Method Not Allowed（带 Allow）" is "405（带 Allow）" (what follows the code
    was read as the answer's words, the phrase's among them); any other text as it is."""
    text = unicodedata.normalize("NFKC", answer).strip()
    found = re.match(r"(?i)(?:http(?:/\d(?:\.\d)?)?\s+)?([1-5]\d\d)\s+(\S.*)$", text, re.DOTALL)
    if not found:
        return answer
    code, rest = found.group(1), found.group(2)
    for phrase, value in sorted(reasons(rest).items(), key=lambda kv: -len(kv[0])):
        if str(value) != code:
            continue
        said = re.match(
            r"\s*".join(re.escape(w) for w in phrase.split()),
            re.sub(r"[-_]", " ", rest),
            re.IGNORECASE,
        )
        if said and not re.match(r"[\w-]", rest[said.end() :]):
            return f"{code}{rest[said.end() :]}"
    return answer


def statuses_named(answer: str) -> list[tuple[int, str]]:
    """Every status a text names, by number or reason phrase ("origin → 502", "(502,
    'origin')"); by number alone where it cannot be read as a status answer."""
    # the digits in brackets too, which clean() sets aside: "(502, 'origin')"
    plain = unicodedata.normalize("NFKC", answer)
    found = [(int(m), m) for m in re.findall(r"(?<![\w.])[1-5]\d\d(?![\w.])", plain)]
    try:
        return found + _statuses_in(numerals(clean(answer)))
    except WrongKind:
        return found


def status(answer: object) -> str:
    """ "502", whether given as 502, "502 Bad Gateway", "HTTP/1.1 502 ..." or "Bad Gateway"."""
    answer = as_builtin_number(answer)
    if isinstance(answer, bool):
        raise WrongKind(Msg("{given} is not a status", given=repr(answer)))
    if isinstance(answer, int):
        if 100 <= answer <= 599:
            return str(answer)
        raise WrongKind(
            Msg("{given} is not a status (they run from 100 to 599)", given=str(answer))
        )
    if isinstance(answer, float) and answer.is_integer():
        return status(int(answer))
    if not isinstance(answer, str):
        raise WrongKind(Msg("a value of type {type} is not a status", type=type(answer).__name__))
    refuse_spaced_digits(answer)
    text = numerals(clean(answer))
    if re.fullmatch(r"[1-5]\d\d\.0+", text):  # "504.0", as str(504.0) prints the accepted 504.0
        return status(int(text.split(".")[0]))
    found = _statuses_in(text)
    codes = sorted({code for code, _ in found})
    if not codes:
        _refuse_class(answer, text)
        raise WrongKind(Msg("{given} names no status", given=repr(answer)))
    return HEDGE.join(str(c) for c in codes)


# -- header names --

_HEADER_NAME = later(r"^[a-z0-9!#$%&'*+.^_`|~-]+$")


_HEADER_ASIDE = later(
    r"\s*[(（](?!\s*(or|either|maybe|perhaps|或)\b)[^()（）]*[)）]", re.IGNORECASE
)

_ZH_HEADER = later(
    r"^(响应|请求)?(头部?|标头|首部)(字段)?(里|中)?的?\s*"
    r"|\s*(?:这个|这一)?(?:(响应|请求)?(头部?|标头|首部)(字段)?|字段)$"
)

# a header as code reads it: ex.header('Allow'), r.headers["Retry-After"], headers.get('via')
_HEADER_CODE = later(
    r"""^[\w.]*\bheaders?(?:\.get)?\s*[(\[]\s*['"]([^'"]+)['"]\s*(?:,[^)\]]*)?[)\]]$""",
    re.IGNORECASE,
)
# a field with its value, where several are listed: "upgrade: websocket, connection: upgrade"
_FIELD = later(r"(?:^|[,;]\s*|\s(?:and|&|\+)\s+)([a-z0-9][\w-]*)\s*:")


# a list of header names, which the description after "X header," must not hide
_HEDGED_NAMES = later(r"\b(or|and)\b|\+|&")


_OWED_HEADER = later(
    r"\b(?:must|should|has to|have to|needs? to|is required to)\s+(?:carry|include|have|send|"
    r"contain|set|return|list)\s+(?:an?\s+|the\s+|its\s+)?([a-z][\w-]*)\s+(?:response\s+)?header\b"
    r"|(?:必须|一定要|应该|应当|需要|要)\s*(?:带上?|包含|携带|有|返回|给出)\s*(?:一个)?\s*([a-z][\w-]*)\s*"
    r"(?:响应)?(?:头部?|标头|首部)"
    # the name last, without the word header ("It must carry Allow."): counted as the header
    # "it-must-carry-allow"
    r"|\b(?:must|should|has to|have to|needs? to|is required to)\s+(?:carry|include|have|send|"
    r"contain|return)\s+(?:an?\s+|the\s+|its\s+)?([a-z][\w-]*)$"
    # and in Chinese, the word header left out or the verb ("必须带 Allow", "需要 Allow 头"):
    # refused as no header name
    r"|^(?:必须|一定要|应该|应当|需要|要)\s*(?:带上?|带有|包含|携带|有|返回|给出)?\s*(?:一个)?\s*"
    r"([a-z][\w-]*)\s*(?:响应)?(?:头部?|标头|首部)?$"
)
# a verb before the header's name: "use Retry-After" (counted as the wrong header
# "use-retry-after"), "用 Retry-After", "通过 Retry-After 头" (refused as no header name)
# "via X-Request-ID" is by way of it (judged the wrong header, Via): Via alone, or "the Via
# header", is still the header Via, as nothing that looks like a header follows it; "Via or
# X-Request-ID" still names two
_HEADER_VERB = later(
    r"^(?:use|using|with|through|by|via|read|check)\s+(?!(?:or|and|nor|plus)\b)(?:the\s+)?(?=[a-z])"
    r"|^(?:用|使用|通过|经由|借助|靠|看|查看|读)\s*(?=[a-z])"
)


# Words that name no header, whatever their order: an answer made of them alone ("it is",
# "that one", "this is it") was read as the header "it-is" and counted as a wrong header.
_NO_NAME = frozenset(
    "it its it's is was be this that these those one ones the a an yes no so here there "
    "which what answer header headers name field".split()
)


# How many headers a list of names holds, said before or after it: "both headers: Upgrade
# and Connection", "the two headers Upgrade and Connection", "Upgrade and Connection, both",
# "Upgrade 和 Connection 两个头" (refused as no header name, as "both" alone was read)
_HEADERS_WORD = r"(?:(?:response|request)\s+)?(?:headers|header\s+fields|fields)"
_ZH_HEADERS_WORD = r"(?:这|那)?(?:两|二|三|几)个(?:响应|请求)?(?:头部?|标头|首部)(?:字段)?"
_COUNTED_NAMES = later(
    rf"^(?:both|all|(?:the\s+)?(?:two|three|both))(?:\s+of\s+them)?\s+{_HEADERS_WORD}"
    r"\s*[,:]?\s*(?=\S)"
    rf"|(?<=\S)\s*,?\s*(?:both(?:\s+of\s+them)?|(?:the\s+)?(?:two|both)\s+(?:of\s+them|{_HEADERS_WORD}))$"
    rf"|^{_ZH_HEADERS_WORD}\s*:?\s*(?=\S)|(?<=\S)\s*,?\s*(?:{_ZH_HEADERS_WORD}|(?:两个)?都要)$"
)


# where a header is, around its name: "in the response", "of the 405", "from the reply's
# headers", 响应里的, 这个 405 的
_HEADER_WHERE = later(
    r"\s+(?:in|of|on|from)\s+(?:the\s+|this\s+|that\s+)?(?:\d{3}\s+)?(?:response|reply|answer|"
    r"page|\d{3})(?:['’]s)?(?:\s+(?:headers?|header\s+fields?))?$"
    r"|^(?:这个|那个)?(?:响应|回应|页面|\d{3}\s*(?:响应)?)\s*(?:里|中|上)?的?\s*(?=[a-z])"
)


def header(answer: object) -> str:
    """ "retry-after" from "Retry-After", "Retry-After:", "the retry_after header", "Retry-After: 30"."""
    if not isinstance(answer, str):
        raise WrongKind(
            Msg(
                "a value of type {type} is not a header name",
                type=type(answer).__name__,
            )
        )
    # an aside explains a header ("Retry-After (delay-seconds or HTTP-date)") unless it
    # starts with a hedge ("Allow (or Upgrade)")
    code = _HEADER_CODE.match(unicodedata.normalize("NFKC", answer).strip().strip("`"))
    if code:  # ex.header('Allow'): the name the code reads
        return header(code.group(1))
    text = clean(_HEADER_ASIDE.sub("", answer))
    _refuse_negation(answer, text)
    text = _COUNTED_NAMES.sub("", text)  # "both headers, Upgrade and Connection", "…两个头"
    # "the 405 must carry an Allow header listing GET, HEAD, OPTIONS", "必须带 Allow 头": the
    # header a sentence says is owed, one header named (refused: the list read as names)
    owed = _OWED_HEADER.search(text)
    if owed and len(re.findall(r"header|头|首部", text)) <= 1:
        name = owed.group(1) or owed.group(2) or owed.group(3) or owed.group(4)
        if looks_like_header(name):
            return header(name)
    verb = _HEADER_VERB.match(text)
    if verb and looks_like_header(_name_of(text[verb.end() :])):
        return header(text[verb.end() :])
    text = answer_part(text)  # "Allow, e.g. Allow: GET", "X-Request-ID — the same req-0001"
    text = re.sub(r"\s(?:[+&]|plus)\s", " and ", text)  # "Upgrade + Connection", "A plus B"
    # "Upgrade 和 Connection": refused as no header name, though text() reads 和 so
    text = re.sub(r"\s*(?:和|与|以及|加上)\s*(?=[a-z])", " and ", text)
    if ":" in text and " and " in text:  # "Connection: upgrade and Upgrade": a field, a name
        parts = text.split(" and ")
        if all(looks_like_header(_name_of(p)) for p in parts[1:]):
            return HEDGE.join(sorted({header(p) for p in parts}))
    # "the request id header X-Request-ID", 请求 ID 头：X-Request-ID: what the header is for,
    # then its name (read as the header "request-id-header-x-request-id", counted)
    described = re.fullmatch(
        r"(?:the\s+)?(?:[\w-]+\s+){1,3}(?:response\s+|request\s+)?header(?:\s+field)?\s*[,:]?\s*"
        r"([a-z][\w-]*)|.{0,12}?(?:头部?|标头|首部)(?:字段)?\s*:?\s*([a-z][\w-]*)",
        text,
    )
    if described and looks_like_header(described.group(1) or described.group(2)):
        return header(described.group(1) or described.group(2))
    # "Allow header, listing GET, HEAD, OPTIONS": a header named, then what it holds
    named = re.match(
        r"(?:the\s+)?([a-z0-9][\w-]*)\s+(?:response\s+|request\s+)?header(?:\s+field)?"
        r"\s*[,;:—–]\s*\S",
        text,
    )
    if named and not _HEDGED_NAMES.search(text):
        text = named.group(1)
    fields = _FIELD.findall(text)
    if len(fields) > 1:  # "Upgrade: websocket, Connection: Upgrade": each field with its value
        return HEDGE.join(sorted({header(f) for f in fields}))
    text = text.split(":", 1)[0].strip()  # "Allow: GET, HEAD" names Allow
    text = re.sub(r"^both\s+(?=\S)", "", text)  # "both Upgrade and Connection"
    text = re.sub(
        r"^(the\s+)?(http\s+)?((response|request)\s+)?header(\s+field)?\s+(?=\S)",
        "",
        text,
    )
    text = _ZH_HEADER.sub("", text)  # "Allow 头", "响应头 Retry-After", "响应头里的 Allow"
    text = re.sub(r"\s[+&]\s", " and ", text)  # "Upgrade + Connection"
    text = text.strip(_QUOTES + " ")
    text = re.sub(r"^(the|a|an)\s+", "", text)
    # whose header it is: "the response's X-Request-ID header", "the 405's Allow header"
    # (counted as the header "response's-x-request-id"), "the response Allow header"
    whose = re.match(r"(?:(?:[\w-]+\s+){0,2}[\w-]+['’]s|response|request|reply)\s+(?=\S)", text)
    if whose and looks_like_header(_name_of(text[whose.end() :])):
        text = text[whose.end() :]
    # where the header is: "X-Request-ID in the response", "the Allow header of the 405",
    # 响应里的 X-Request-ID (counted as the header "x-request-id-in-the", refused as no name)
    where = _HEADER_WHERE.search(text)
    if where and looks_like_header(_name_of(_HEADER_WHERE.sub("", text))):
        text = _HEADER_WHERE.sub("", text).strip()
    text = re.sub(r"\s+(response|request)?\s*(header|field|header field)s?$", "", text)
    text = re.sub(r"\s+(response|request)$", "", text)
    text = text.strip(_QUOTES + " ")
    head, comma, rest = text.partition(",")
    if comma and looks_like_header(_name_of(head)) and _describes(rest):
        return header(head)  # "Allow，列出允许的方法": a header, then what it holds or does
    if " or " in f" {text} " or " and " in f" {text} " or "," in text or ";" in text:
        parts = [p for p in re.split(r"[,;]|\bor\b|\band\b", text) if p.strip()]
        # "Retry-After, the header", "Allow, that one": words that name no header point back
        # at the name beside them (the trailing "header" went above, and "the" was read as a
        # second header name); words that deny it ("Allow, no") stay
        names = [p for p in parts if not _refers_back(p)]
        if names and len(names) < len(parts):
            parts = names
        return HEDGE.join(sorted({header(p) for p in parts}))
    # "the X-Request-ID one": a name, then words that name no header
    named_first = re.match(r"(\S+)((?:\s+\S+)+)$", text)
    if named_first and _refers_back(named_first.group(2)):
        if looks_like_header(re.sub(r"_", "-", named_first.group(1))):
            text = named_first.group(1)
    name = re.sub(r"[\s_]+", "-", text)
    if set(re.split(r"[\s_-]+", text)) <= _NO_NAME:  # "it is", "that one": no header in it
        raise WrongKind(Msg("{given} is not a header name", given=repr(answer)))
    if not name or len(text.split()) > 4 or not _HEADER_NAME.match(name):
        raise WrongKind(Msg("{given} is not a header name", given=repr(answer)))
    return name


def _refers_back(part: str) -> bool:
    """Whether a part of a list of header names is only words that name no header ("the",
    "that one", "it"), none of them a denial."""
    said = part.strip()
    return set(re.split(r"[\s_-]+", said)) <= _NO_NAME and not DENIES_THE_ANSWER.match(said)


def _describes(rest: str) -> bool:
    """Whether the words after a header name and a comma say what it holds or does (two words
    or more, or Chinese), naming no other header and hedging nothing: "listing the methods",
    "GET, HEAD", "列出允许的方法"; not "Upgrade", "or Upgrade", "read-only"."""
    rest = rest.strip()
    if len(rest.split()) < 2 and rest.isascii():
        return False
    if hedge_word(rest) or DENIES_THE_ANSWER.match(rest) or ANSWERS_ON.match(rest):
        return False
    # "in seconds or an HTTP-date": the forms its value takes, no other answer (the check
    # below finds a header name among them); not a question, nor a list that starts the rest
    if _HEDGING.search(rest) and (
        "?" in rest or re.match(r"(?:or|either)\b|/|或", rest) or not re.search(r"\bor\b|或", rest)
    ):
        return False
    if re.search(r"不是|并非|不对|错", rest):  # "Allow，它不是": it is not
        return False
    # a word after "a"/"an" is a kind of value ("an HTTP-date", "a date"), never a header's name
    named = re.findall(r"(?<![\w-])(?<!\ba )(?<!\ban )([a-z0-9][\w-]*)", rest)
    return not any(looks_like_header(w) for w in named)


# a field with its value, as an answer writes it: "Connection: upgrade", "Upgrade: websocket
# and Connection: upgrade" (the value ends where the next field or a list separator starts)
_FIELD_VALUE = later(
    r"(?i)([a-z][\w-]*)\s*[:：]\s*([^,;:：，；、]+?)"
    r"(?=\s+(?:and|&|\+|plus)\s+[a-z]|\s*(?:和|与|以及|加上)\s*[a-z]|\s*[,;，；、]|\s*$)"
)


def field_values(text: str) -> dict[str, frozenset[str]]:
    """The values an answer gives its header fields, by header name, each as its lower-case
    tokens: {"connection": {"upgrade"}} for "Upgrade and Connection: upgrade"."""
    found: dict[str, frozenset[str]] = {}
    for name, value in _FIELD_VALUE.findall(unicodedata.normalize("NFKC", text)):
        tokens = frozenset(
            t for t in re.split(r"[\s,()（）]+", value.strip(_QUOTES + " ").lower()) if t
        )
        if tokens and looks_like_header(name.lower()):
            found[name.lower()] = found.get(name.lower(), frozenset()) | tokens
    return found


def values_differ(given: str, option: str) -> bool:
    """Whether ``given`` gives a header a value other than the one ``option`` names it with:
    "Connection: close and Upgrade" names the fields of "Upgrade and Connection: upgrade",
    and says the wrong thing of one (accepted, its value set aside, until December 2026)."""
    mine = field_values(given)
    return any(
        not wanted <= mine.get(name, wanted) for name, wanted in field_values(option).items()
    )


def _name_of(part: str) -> str:
    """The header name a part of a list names ("" if it names none): "upgrade" in "upgrade",
    "connection: upgrade"; "head" in "allow: get and head" (a value, no header)."""
    try:
        return header(part)
    except WrongKind:
        return ""


# Header names of one word (no hyphen) that HTTP defines (RFC 9110, 9111, 9112, 6265, 7239,
# 9218, 8288, the Fetch standard) or that the lab sends: a one-word answer outside these, such
# as "banana", may not be meant as a header name at all, so a short answer asking for a header
# does not reply as if it were one (``looks_like_header``). A hyphenated name reads as a header.
ONE_WORD_HEADERS = frozenset(
    "accept age allow authorization connection cookie date digest dnt etag expect expires "
    "forwarded from host link location origin pragma prefer priority range referer refresh "
    "server te trailer traceparent upgrade vary via warning".split()
)


def looks_like_header(name: str) -> bool:
    """Whether a canonical header name (``header()``) reads as one: hyphenated or known."""
    return "-" in name or name in ONE_WORD_HEADERS


# -- hops --


# what the hop named first did: "did", "made it", "made the 500", "generated the response"
_WHAT_IT_DID = later(
    r"\s+(did|answered|(made|generated|produced|sent|returned)\s+(it|response|the response|"
    r"the error|error|((the|this|that)\s+)?\d{3}(\s+response)?))$"
)


def hop(answer: object) -> str:
    """ "origin" from "the origin", "Origin server", "labkit-origin"."""
    refuse_question(answer)
    refuse_disowned(answer)
    if not isinstance(answer, str):
        raise WrongKind(Msg("a value of type {type} is not a hop", type=type(answer).__name__))
    text = words(clean(answer))
    _refuse_negation(answer, text)
    # "origin server, since the gateway did not make it": the reason is no part of the hop
    # (not before "so": what follows it is the conclusion, "the gateway, so the origin")
    said = _BECAUSE.search(clean(answer))
    if said and said.group(0).strip(" ,;:") not in ("so", "所以"):
        text = words(clean(answer)[: said.start()].rstrip(" ,;:"))
    text = re.sub(r"^server:\s*", "", text)  # the Server header's line: "Server: labkit-origin"
    # an exchange's line, as `labkit run` and print(ex) show it: "Exchange req-0001: GET
    # /orders/abc -> 500 Internal Server Error, made by the origin" (zh "…，由源服务器生成")
    text = re.sub(r"^.*?\b[1-5]\d\d\b[^,]*,\s*(?=(?:made\s+)?by\s|由)", "", text)
    text = re.sub(r"^(it )?(was|is)\s+", "", text)  # "it was the origin"
    text = re.sub(r"^(made )?by\s+", "", text)
    text = re.sub(r"^(the\s+)?(lab|labkit)[’']s\s+", "", text)  # "the lab's gateway"
    text = _WHAT_IT_DID.sub("", text)
    text = re.sub(r"\s+(hop|itself)$", "", text)
    # 网关那一跳, 源服务器这一跳, 门户自己: the hop, as "the gateway hop", "the portal
    # itself" (refused as no hop)
    text = re.sub(r"(?<=[\u4e00-\u9fff])\s*(?:[那这]?一跳|自己|本身)$", "", text)
    text = re.sub(r"^(\S+)[’']s\s+(cache|handler|code|application|app)$", r"\1", text)
    text = re.sub(r"^(shop|origin)[’']s\s+(origin\s+)?(server|backend)$", "origin", text)
    # whose hop it is, a place's or an owner's: "the café's portal", "the hotel's captive
    # portal", 咖啡馆的门户, "the shop's origin" (refused as no hop); not another hop's ("the
    # gateway's upstream")
    whose = re.fullmatch(
        r"(?P<whose>(?:[\w-]+\s+){0,2}[\w-]+)[’']s\s+(?P<hop>.+)|(?P<zh>[^\s的]+)的\s*(?P<zhhop>\S+)",
        text,
    )
    if whose:
        owner = whose.group("whose") or whose.group("zh")
        named = whose.group("hop") or whose.group("zhhop")
        others = [
            w
            for w in owner.split()
            if w in SERVER_WORDS or HOPS.get(w, HOPS.get(named)) != HOPS.get(named)
        ]
        if named in HOPS and not others:
            text = named
    text = re.sub(r"^(it[’']s|it is)\s+", "", text)  # "it's the portal"
    # "the origin made it, the gateway only relayed it": the hop that made it
    text = re.sub(
        r"(?<=\S)\s*[,;]?\s+(and\s+)?\S+\s+(only\s+|just\s+|merely\s+)?(relayed|forwarded|passed)"
        r"(\s+it)?(\s+on|\s+through|\s+along)?$",
        "",
        text,
    )
    # "the origin; the gateway only added Via": what the other hop only did, said after
    text = re.sub(r"(?<=\S)\s*[,;]\s+(and\s+)?\S+\s+(only|just|merely)\s+\S.*$", "", text)
    # "the origin, relayed by the gateway"
    text = re.sub(
        r"(?<=\S)\s*[,;]?\s+(and\s+)?(only\s+|just\s+)?(relayed|forwarded|passed(\s+on)?)"
        r"\s+(by|through|via)\s+\S+$",
        "",
        text,
    )
    text = _WHAT_IT_DID.sub("", text)
    # "the app server behind the gateway", 网关后面的源服务器: the hop named, not the one it is
    # behind (counted as a wrong "gateway", the option among its words)
    text = re.sub(
        r"(?<=\S)\s*,?\s+(?:(?:that|which)\s+)?(?:sits\s+|sitting\s+|runs\s+|running\s+)?"
        r"behind\s+\S+(?:\s+\S+)?$",
        "",
        text,
    )
    text = re.sub(
        r"^(?:网关|反向代理|代理|门户|强制门户)\s*(?:后面|背后|后方|之后)的?\s*(?=\S)",
        "",
        text,
    )
    # "网关缓存", "源服务器的处理函数": the hop's part, as "the gateway's cache" is the gateway
    text = re.sub(
        r"^(网关|源服务器|源站|门户|强制门户)\s*的?\s*(?:缓存|处理函数|代码|应用程序?)$",
        r"\1",
        text,
    )
    # "这个 500 是源服务器生成的": the response named first, then who made it
    text = re.sub(r"^(?:这个|这一|该)?\s*\d{3}\s*(?:响应|错误)?\s*(?=是|由)", "", text)
    # "…，网关只是转发": what the other hop only did, said after (as "the gateway only relayed it")
    text = re.sub(
        r"(?<=\S)\s*[,;，；]\s*(?:而)?\S+?只(?:是|负责)?(?:把它)?(?:转发|中转|传递)\S*$",
        "",
        text,
    )
    text = re.sub(r"^是?由\s*|^是\s*", "", text)  # 由网关生成: made by the gateway; 是网关: it is
    text = re.sub(r"\s*(自己|本身)?\s*(生成的?|产生的?|做出的?|发出?的|返回的?|给的)?$", "", text)
    # 源服务器生成了它, 网关返回了这个响应: what it did, and the response as its object
    text = re.sub(
        r"\s*(生成|产生|做出|发出|返回|给出)了\s*(它|这个响应|这个错误|这个\s*\d{3})?$",
        "",
        text,
    )
    if re.match(r"upstream\s+\S+$", text):  # "upstream 'garbage'": an upstream by its name
        return "upstream"
    if text in HOPS:
        return HOPS[text]
    if text in SERVER_WORDS:  # "the server": which one? (the question decides)
        raise Ambiguous(answer)
    typo = _one_typo(text, HOPS)
    if typo is not None:
        return HOPS[typo]
    parts = [p.strip() for p in re.split(_OR, text) if p.strip()]
    if len(parts) > 1 and all(p in HOPS for p in parts):
        return HEDGE.join(sorted({HOPS[p] for p in parts}))
    if len(parts) > 1 and all(p in HOPS or p in SERVER_WORDS for p in parts):
        raise Hedged(SEVERAL.bind(given=repr(answer)))  # "the gateway or the server"
    raise WrongKind(Msg("{given} is not a hop", given=repr(answer)))


def returned_hop(value: object, allowed: Iterable[str]) -> str | None:
    """The hop a learner's function returned, read as a typed answer is ("Origin", "the
    origin", 源服务器, 网关: a Chinese lab's words were counted as a wrong classification);
    None where it names no one hop of ``allowed`` (None, a number, "gateway or origin",
    "origin?"), which the judge refuses, naming the values allowed."""
    if not isinstance(value, str) or questioned(value):
        return None
    try:
        found = hop(value)
    except WrongKind:
        return None
    return found if found in allowed else None


def _one_typo(text: str, names: dict[str, str]) -> str | None:
    """The one name of at least 5 letters that ``text`` misspells by one letter (left out,
    added, changed or two swapped: "orgin", "gatway"), if exactly one is that close."""
    if not re.fullmatch(r"[a-z]{4,}", text):
        return None
    close = [n for n in names if len(n) >= 5 and n.isalpha() and _one_edit(text, n)]
    return close[0] if len(close) == 1 else None


def _one_edit(a: str, b: str) -> bool:
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        swapped = len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
        return len(diff) == 1 or (swapped and a[diff[1]] == b[diff[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


# -- numbers --


# a count given as a time: "5 seconds", "5s", "200 ms"
UNITS = r"(s|secs?|seconds?|ms|msecs?|milliseconds?|mins?|minutes?|h|hours?|秒|毫秒|分钟)"
_DURATION = later(rf"\d\s*{UNITS}(?![\w-])")

# a status a count is given with: "5 get 503", "5 503s"
_GIVEN_STATUS = later(
    r"\b(?:get|gets|got|with|receive|receives|received|answered)\s+(?:an?\s+)?[1-5]\d\d\b"
    r"|\b[1-5]\d\ds\b"
    # 5 个会收到 503, 五个请求得到了 503 (refused with 了, as the status alone)
    r"|(?:会|将)?(?:收到|得到|拿到|返回|被拒绝并返回)了?\s*(?:一个|个)?\s*[1-5]\d\d"
)


# a count and the status it counts, as a table or a tally writes them: "5 × 503", "5x503",
# "503 × 5", 五个 503 (refused as several answers, the status read as a second
# count); a count has one or two digits, a status three, so which is which is never a guess
_TIMES_STATUS = later(
    r"(?<![\d.])(?P<n>\d{1,2})\s*(?:[×x*]|个)\s*(?P<s>[1-5]\d\d)s?(?![\d.])"
    r"|(?<![\d.])(?P<s2>[1-5]\d\d)s?\s*[×x*]\s*(?P<n2>\d{1,2})(?![\d.])"
    # the burst's statuses as Python shows a Counter or a dict: "Counter({200: 3, 503: 5})"
    r"|(?<![\d.])(?P<s3>[1-5]\d\d)\s*:\s*(?P<n3>\d{1,2})(?![\d.])"
)

# how a count names the status it counts in the canonical form: "5×503"
TIMES = "×"

NOT_A_NUMBER = Msg("{given} is not a number")


def as_builtin_number(answer: object) -> object:
    """A number of another library as Python's own int or float (numpy's int64 from np.sum,
    a Decimal, a Fraction): "a value of type int64 is not a number" refused 5 computed with
    numpy. Anything else as it is."""
    if isinstance(answer, (bool, int, float)) or not isinstance(answer, numbers.Number):
        return answer
    if type(answer).__name__ in ("bool_", "bool"):  # numpy's bool is no number either
        return answer
    try:
        if isinstance(answer, numbers.Integral):
            return int(answer)
        if isinstance(answer, (numbers.Real, decimal.Decimal)):  # a Decimal is no Real
            return float(answer)
    except (TypeError, ValueError, OverflowError):
        pass
    return answer


# a subtraction written out, then its result: "8 - 3, that is 5", "8 减 3，也就是 5"
_WORKED_OUT = re.compile(
    r"\d+\s*(?:-|−|minus|减去?)\s*\d+\s*,?\s*(?:that is|that's|i\.?\s?e\.?,?|which is|which makes"
    r"|makes|gives|也就是说?|就是|即|得到?)\s*(?P<result>\S.*)"
)


# A count said with what happens to the requests it counts: "5 requests are not served",
# "5 — 3 fit, the rest do not", 五个请求没有被处理. Its "not" says what happens to them and
# denies no answer (refused as a denial until December 2026); what happens says which
# status it counts: served, a 200; turned away, the 503 load shedding answers (RFC 9110
# 15.6.4). "5 are served" counts 200s (it was accepted as the count of the 503s).
_SERVED = frozenset(
    "served serve serves fit fits processed handled answered succeed succeeds succeeded "
    "accepted completed 200 200s".split()
)
_TURNED_AWAY = frozenset(
    "shed refused rejected dropped denied failed fail fails turned 503 503s".split()
)
_COUNT_HELPERS = frozenset(
    "are were is was will would be been being get gets got do does did can could have has "
    "receive receives received an a".split()
)
_NOT = frozenset({"not", "never", "cannot"})
_ZH_COUNT = later(
    r"^(?:只有|仅|另外|其余|其他|剩下的?|前)?\s*(?P<n>\d+)\s*个?\s*(?:请求)?\s*(?:会|将|都|正)?\s*"
    r"(?P<neg>没有?|未|不会|不能|无法|不)?\s*(?:被|得到|获得|能|在)?\s*(?P<pred>处理|服务|响应|受理|通过|接受|成功|卸载|拒绝|丢弃|拒)"
)
_IN_FLIGHT = later(r"\bin[\s-]flight\b|\bin progress\b|\bbeing processed\b|\bprocessing\b")
_ZH_SERVED = ("处理", "服务", "响应", "受理", "通过", "接受", "成功")
_EN_COUNT_WORD = later(rf"\b({'|'.join(w for w in _NUMBER_WORDS if w.isascii())})\b")


def _count_clause(part: str, elided: str = "") -> str | None:
    """ "N×status" for a clause that says what happens to the N requests it counts ("5
    requests are not served": 5×503), "N" for a count alone, None for anything else.
    ``elided``: the verb of the clause before, which this one may leave out ("3 are served,
    5 are not")."""
    if re.fullmatch(r"\d+\s*(?:requests?|个请求|个)?", part):
        return re.match(r"\d+", part).group(0)  # type: ignore[union-attr]
    zh = _ZH_COUNT.match(part)
    if zh:
        served = zh.group("pred") in _ZH_SERVED
        return f"{zh.group('n')}{TIMES}{200 if served != bool(zh.group('neg')) else 503}"
    said = re.match(
        r"(?:the\s+(?:other|remaining|first|last)\s+)?(\d+)\s*(?:requests?\b)?\s*"
        r"(?:(?:out\s+)?of\s+(?:them|the\s+\d+(?:\s+requests)?|\d+)\b)?\s*(.*)$",
        part,
    )
    if not said:
        return None
    denials = 0
    # requests in flight are being served: "the other 3 are in flight", "3 in progress"
    words_after = _IN_FLIGHT.sub("served", said.group(2)).split()
    for i, word in enumerate(words_after):
        if word in _NOT or re.fullmatch(r"\w+n[’']t", word):
            denials += 1
        elif word in _SERVED or word in _TURNED_AWAY:
            rest = " ".join(words_after[i + 1 :])
            if re.search(r"(?<![\d.])(?![1-5]\d\d(?![\d.]))\d", rest):
                return None  # another count after it: read as before
            served = word in _SERVED
            return f"{said.group(1)}{TIMES}{200 if served != bool(denials % 2) else 503}"
        elif word not in _COUNT_HELPERS:
            return None
    if elided and words_after:
        return _count_clause(f"{part} {elided}")
    return None


def _told_counts(text: str) -> str:
    """The counts of an answer whose clauses say what happens to the requests they count
    (``_count_clause``), joined as a hedge's parts; "" where none says it, or where a clause
    is neither a count nor a remark without one ("the rest do not"): read as before."""
    text = _EN_COUNT_WORD.sub(lambda m: str(_NUMBER_WORDS[m.group(1)]), text)
    parts = re.split(
        r"\s*[,;:]\s*|\s+-+\s+|\s+(?:because|since|as|so|while|but|and|whereas)\s+"
        r"|\s*(?:因为|所以|而|但是?)\s*",
        text,
    )
    found: list[str] = []
    verb = ""  # the verb of the last clause that had one, for a clause that leaves it out
    for part in (p.strip() for p in parts):
        part = re.sub(r"^(?:only|just|then)\s+", "", part)
        if not part:
            continue
        said = _count_clause(part, verb)
        verbs = [w for w in part.split() if w in _SERVED or w in _TURNED_AWAY]
        verb = verbs[-1] if verbs else verb
        if said is not None:
            found.append(said)
        elif re.search(r"\d", part) or hedge_word(part) or DENIES_THE_ANSWER.match(part):
            return ""
    if not any(TIMES in f for f in found):
        return ""
    return HEDGE.join(sorted(set(found)))


def number(answer: object) -> str:
    """ "5" from 5, 5.0, "5", "five", "5 requests"."""
    answer = as_builtin_number(answer)
    if isinstance(answer, bool):
        raise WrongKind(NOT_A_NUMBER.bind(given=repr(answer)))
    if isinstance(answer, int):
        return str(answer)
    if isinstance(answer, float):
        return str(int(answer)) if answer.is_integer() else repr(answer)
    if not isinstance(answer, str):
        raise WrongKind(Msg("a value of type {type} is not a number", type=type(answer).__name__))
    refuse_spaced_digits(answer)
    # the burst's statuses pasted as Python shows them, "Counter({200: 3, 503: 5})": its
    # brackets are no aside (clean drops those), its pairs are tallies
    shown = re.fullmatch(r"\s*(?:Counter\(\s*)?\{([^{}]*)\}\s*\)?\s*", answer)
    # the statuses themselves, as [c.status for c in calls] shows them: a tally of each
    listed = re.fullmatch(r"\s*\[\s*((?:[1-5]\d\d\s*,\s*)*[1-5]\d\d)\s*,?\s*\]\s*", answer)
    if listed:
        codes = [int(c) for c in re.findall(r"\d{3}", listed.group(1))]
        return HEDGE.join(sorted({f"{codes.count(c)}{TIMES}{c}" for c in codes}))
    text = clean(shown.group(1) if shown else answer)
    _refuse_class(answer, text, count=True)
    # "8 减 3，也就是 5", "8 - 3, that is 5": a subtraction, then its result in words (refused
    # as several answers, where "8 - 3 = 5" was 5; "i.e." starts a reason elsewhere)
    worked = _WORKED_OUT.fullmatch(numerals(text))
    if worked:
        text = worked.group("result")
    told = _told_counts(numerals(text))
    if told:
        return told
    _refuse_negation(answer, text, approximate=True)
    text = numerals(answer_part(text))  # "five, since only 3 fit": the reason is no answer
    if re.search(r"\d\s*(%|percent\b|per cent\b)", text):
        raise WrongKind(
            Msg(
                "{given} is a percentage; the question asks how many",
                given=repr(answer),
            )
        )
    text = re.split(r"=|等于", text)[-1]  # "8 - 3 = 5", 八减三等于五: the result
    text = re.sub(r"^\d+\s*个?\s*(?:请求)?\s*(?:里|中|当中|之中)\s*有?", "", text)  # 八个里有五个
    text = re.sub(r"^(\S+)\s+(?:out\s+)?of\s+(?:the\s+)?\S+", r"\1", text)  # "5 of (the) 8"
    # "5 shed, 3 served": the count the question asks for is the one shed
    shed = re.search(r"(\S+)\s+(?:requests?\s+)?(?:are\s+|were\s+|get\s+)?shed\b", text)
    # the burst's line in Chinese, "8 个请求：3 个已处理（200），5 个被卸载（503）"
    shed = shed or re.search(r"(\S+?)\s*个?\s*(?:请求)?\s*被(?:卸载|拒绝|丢弃)", text)
    if shed and re.search(r"[,;]", text):
        text = shed.group(1)
    tallies = [
        f"{m.group('n') or m.group('n2') or m.group('n3')}{TIMES}"
        f"{m.group('s') or m.group('s2') or m.group('s3')}"
        for m in _TIMES_STATUS.finditer(text)
    ]
    if tallies:  # "3 × 200, 5 × 503": which count is the question's is the judge's to say
        rest = _TIMES_STATUS.sub(" ", text)
        if not re.search(r"\d", rest) and len(rest.split()) <= 6:
            return HEDGE.join(sorted(set(tallies)))
    text = _GIVEN_STATUS.sub(" ", text)
    if _DURATION.search(text):
        raise WrongKind(Msg("{given} is a time; the question asks how many", given=repr(answer)))
    found: list[str] = []
    # a digit may follow a Chinese word (被拒绝的有5个): only a Latin letter or digit joins it
    for token in re.findall(r"(?<![a-z0-9_.])-?\d+(?:\.\d+)?|[a-z]+", text):
        if token in _NUMBER_WORDS:
            found.append(str(_NUMBER_WORDS[token]))
        elif token[-1].isdigit():
            value = float(token)
            found.append(str(int(value)) if value.is_integer() else token)
    if not found or len(text.split()) > 6:
        raise WrongKind(NOT_A_NUMBER.bind(given=repr(answer)))
    return HEDGE.join(sorted(set(found), key=float))


# -- upstream conditions (lesson 09) and capstone causes --


@functools.cache
def _condition_names() -> dict[str, str]:
    """Every way to name a condition: its value, Condition.X, and the lab's upstream names.
    Built once (the tables are fixed): built per answer, it took a quarter of the answer
    tests' CPU time. Callers only read it."""
    from labkit.faults import FAULTS

    names: dict[str, str] = {}
    for c in Condition:
        names[words(c.value)] = c.value
        names[words(c.name.lower())] = c.value
        names[f"condition.{c.name.lower()}"] = c.value
    by_upstream: dict[str, set[str]] = {}
    for name, fault in FAULTS.items():
        if fault.condition is not None:
            by_upstream.setdefault(words(name), set()).add(fault.condition.value)
    for name, conditions in by_upstream.items():
        if len(conditions) == 1 and name not in names:
            names[name] = next(iter(conditions))
    # the error types the gateway names in Proxy-Status (RFC 9209), where one names one
    by_error: dict[str, set[str]] = {}
    for c, outcome in RFC_TABLE.items():
        if outcome.proxy_status:
            by_error.setdefault(words(outcome.proxy_status), set()).add(c.value)
    for name, conditions in by_error.items():
        if len(conditions) == 1 and name not in names:
            names[name] = next(iter(conditions))
    synonyms = {
        "connection refused": "refused",
        "connect refused": "refused",
        "econnrefused": "refused",
        "connect timeout": "connect-timeout",
        "connect timed out": "connect-timeout",
        "connection timeout": "connect-timeout",
        "connection timed out": "connect-timeout",
        "dial timeout": "connect-timeout",
        "read timed out": "read-timeout",
        "response timeout": "read-timeout",
        "closed": "closed-without-response",
        "closed without answer": "closed-without-response",
        "closed without a response": "closed-without-response",
        "closed connection without response": "closed-without-response",
        "closed without any response": "closed-without-response",
        "closed connection before sending response": "closed-without-response",
        "closed connection before sending any response": "closed-without-response",
        "closed connection before responding": "closed-without-response",
        "closed before sending response": "closed-without-response",
        "closed before responding": "closed-without-response",
        "closed before any response": "closed-without-response",
        # refused as no condition
        "closed without responding": "closed-without-response",
        "closed connection without responding": "closed-without-response",
        "closed before sending headers": "closed-without-response",
        "closed before sending any headers": "closed-without-response",
        "closed connection before sending headers": "closed-without-response",
        "closed connection": "closed-without-response",
        "timeout while connecting": "connect-timeout",
        "timed out while connecting": "connect-timeout",
        "timed out connecting": "connect-timeout",
        "connection closed": "closed-without-response",
        "premature close": "closed-without-response",
        "connection reset": "reset",
        "reset by peer": "reset",
        "headers truncated": "headers-cut",
        "truncated headers": "headers-cut",
        "unhealthy": "no-healthy-upstream",
        # nginx's and curl's own words: "upstream prematurely closed connection", "no live
        # upstreams", "upstream timed out (110: Connection timed out) while connecting to
        # upstream"; curl's "Empty reply from server"
        "prematurely closed": "closed-without-response",
        "prematurely closed connection": "closed-without-response",
        "closed prematurely": "closed-without-response",
        "closed connection prematurely": "closed-without-response",
        "empty reply": "closed-without-response",
        "empty reply from server": "closed-without-response",
        "no live upstreams": "no-healthy-upstream",
        "no live upstream": "no-healthy-upstream",
        "timed out while connecting to upstream": "connect-timeout",
        "timed out connecting to upstream": "connect-timeout",
        "handshake timed out": "connect-timeout",
        "handshake timeout": "connect-timeout",
        # Go's (Caddy's) words: "dial tcp 127.0.0.1:9101: i/o timeout"
        "i/o timeout while dialing": "connect-timeout",
        "timeout while dialing": "connect-timeout",
        "timed out while dialing": "connect-timeout",
        "dial i/o timeout": "connect-timeout",
        "dial tcp i/o timeout": "connect-timeout",
        # 简体中文
        "连接被拒绝": "refused",
        "拒绝连接": "refused",
        "连接遭拒": "refused",
        "被拒绝": "refused",  # as "refused" alone
        "拒绝": "refused",
        "连接超时": "connect-timeout",
        "建立连接超时": "connect-timeout",
        "连接建立超时": "connect-timeout",
        "没有可用的上游": "no-healthy-upstream",
        "没有存活的上游": "no-healthy-upstream",
        "拨号超时": "connect-timeout",  # Go's (Caddy's) "dial", word for word
        "读取超时": "read-timeout",
        "读超时": "read-timeout",
        "响应超时": "read-timeout",
        "连接被重置": "reset",
        "连接重置": "reset",
        "没有响应就关闭了连接": "closed-without-response",
        "未响应就关闭连接": "closed-without-response",
        "未响应就关闭": "closed-without-response",
        "没有响应就关闭": "closed-without-response",
        "没有发送响应就关闭了连接": "closed-without-response",
        "没有发送任何东西就关闭了连接": "closed-without-response",  # the story's words
        "还没有发送任何东西就关闭了连接": "closed-without-response",
        "过早关闭了连接": "closed-without-response",
        "过早关闭": "closed-without-response",  # nginx's "prematurely closed"
        "提前关闭": "closed-without-response",
        "连接被关闭": "closed-without-response",
        # the lesson's own words (scenario 502-close's title in Chinese, 上游不响应就关闭连接)
        # and others like them: refused as no condition
        "不响应就关闭连接": "closed-without-response",
        "不响应就关闭了连接": "closed-without-response",
        "不响应就关闭": "closed-without-response",
        "没有发响应就关闭了连接": "closed-without-response",
        "没发响应就关闭了连接": "closed-without-response",
        "在发送响应头之前关闭了连接": "closed-without-response",
        "发送响应头之前就关闭了连接": "closed-without-response",
        "标头被截断": "headers-cut",
        "响应头被截断": "headers-cut",
        "首部被截断": "headers-cut",
        "无效的状态行": "invalid-status-line",
        "状态行无效": "invalid-status-line",
        "无效的标头": "invalid-header",
        "标头太大": "header-too-big",
        "响应头太大": "header-too-big",
        "正文被截断": "body-cut",
        "响应体被截断": "body-cut",
        "没有健康的上游": "no-healthy-upstream",
        # refused as no condition
        "拒绝了连接": "refused",
        "closed connection without sending response": "closed-without-response",
        "closed connection without sending any response": "closed-without-response",
        # refused as no condition: each names one condition as plainly as the ones above
        "closed before the response": "closed-without-response",
        "closed before the response was sent": "closed-without-response",
        "connection closed before the response": "closed-without-response",
        "connecting timed out": "connect-timeout",
        "connecting timeout": "connect-timeout",
        "timeout connecting": "connect-timeout",
        "连接被拒": "refused",
        "头部被截断": "headers-cut",
        "头被截断": "headers-cut",
        "响应头部被截断": "headers-cut",
        # refused as no condition (an outside re-examination, December 2026): a close before
        # any response said as a hang-up, by who closed, or as curl and Python say it (EOF)
        "hung up before sending headers": "closed-without-response",
        "hung up before responding": "closed-without-response",
        "hung up before sending response": "closed-without-response",
        "hung up without responding": "closed-without-response",
        "closed by upstream before any response": "closed-without-response",
        "closed by upstream before response": "closed-without-response",
        "closed by server before any response": "closed-without-response",
        "eof before status line": "closed-without-response",
        "eof before any response": "closed-without-response",
        "eof before response": "closed-without-response",
        "提前关闭了连接": "closed-without-response",
        "提前关闭连接": "closed-without-response",
        "过早关闭连接": "closed-without-response",
        "握手超时": "connect-timeout",  # as "handshake timed out"
        # refused as no condition (a side-by-side reading, December 2026), where "the
        # connection was closed early" and "timed out while connecting" were read
        "连接被提前关闭": "closed-without-response",
        "连接被过早关闭": "closed-without-response",
        "建立连接时超时": "connect-timeout",
        "连接时超时": "connect-timeout",
        # refused as no condition (a fresh examination, December 2026): the close before any
        # response said by its FIN, or "before headers"; a reset by its errno, as
        # ECONNREFUSED is read; a refusal and a connect timeout by who refused, or to where
        "fin before response": "closed-without-response",
        "fin before any response": "closed-without-response",
        "fin before headers": "closed-without-response",
        "closed before headers": "closed-without-response",
        "closed before response": "closed-without-response",
        "eof before headers": "closed-without-response",
        "连接在响应之前被关闭": "closed-without-response",
        "在响应之前关闭了连接": "closed-without-response",
        "响应之前关闭了连接": "closed-without-response",
        "econnreset": "reset",
        "连接被服务器拒绝": "refused",
        "服务器拒绝了连接": "refused",
        "被服务器拒绝": "refused",
        "连接上游超时": "connect-timeout",
        "连接上游时超时": "connect-timeout",
        # "it timed out reading the response" (_clause_words), in Chinese: refused as no condition
        "读取响应时超时": "read-timeout",
        "读取响应超时": "read-timeout",
        "等待响应超时": "read-timeout",
        "等待响应时超时": "read-timeout",
    }
    names.update({words(k): v for k, v in synonyms.items()})
    return names


def condition(answer: object) -> str:
    """ "connect-timeout" from "connect timeout", "Condition.CONNECT_TIMEOUT", "blackhole"."""
    if isinstance(answer, Condition):
        return answer.value
    if not isinstance(answer, str):
        raise WrongKind(
            Msg(
                "a value of type {type} is not an upstream condition",
                type=type(answer).__name__,
            )
        )
    names = _condition_names()
    text = clean(answer)
    # a Condition as the notebook shows it, pasted: "<Condition.RESET: 'reset'>"
    text = re.sub(r"^<(condition\.\w+): '[^']*'>$", r"\1", text)
    if text.startswith("condition."):
        key = text
    else:
        key = re.sub(r"\s*了$", "", words(text))  # 连接超时了: it timed out (a particle)
        if key not in names:  # "connection timeout to the upstream": the hop is no condition
            key = re.sub(
                r"\s+(to|from|with|at)\s+(upstream|server|peer|origin|backend)$",
                "",
                key,
            )
        key = re.sub(r"^(it[’']?s|it is|it was)\s+", "", key)
        key = re.sub(r"^tcp\s+", "", key)
        key = re.sub(r"^(upstream|connection|its)\s+(?=\S)", "", key) if key not in names else key
        key = (
            re.sub(r"^(?:上游(服务器)?|服务器)(的)?\s*(?=\S)", "", key) if key not in names else key
        )
    if key not in names:  # "the connect timeout ran out": a timeout, said as what it did
        told = re.sub(
            r"\s+(?:ran out|runs out|run out|expired|expires|elapsed|fired|was hit|was reached"
            r"|kicked in|went off|triggered)$",
            "",
            key,
        )
        key = told if names.get(told, "").endswith("timeout") else key
    if key not in names:  # "connect timeout after 0.2 seconds": the time is an aside
        key = re.sub(rf"\s+(after|in|of|at )?\s*\d+(\.\d+)?\s*{UNITS}$", "", key)
    if key not in names:  # "the connection was closed by the upstream": "closed"
        told = re.sub(
            r"^(upstream |connection |server |socket )*(was |were |got |has been |is )?",
            "",
            key,
        )
        told = re.sub(r"\s+by (upstream|server|peer|origin)$", "", told)
        key = told if told in names else key
    if key not in names:  # "refused, e.g. nothing listens": what follows explains it
        told = words(answer_part(text)).strip(" ,;")
        # not where what follows names another condition by its name ("refused, it was
        # reset by the peer" was accepted as refused, its reason set aside)
        rest = f" {words(text[len(answer_part(text)) :])} "
        named = any(f" {words(c.value)} " in rest and c.value != names.get(told) for c in Condition)
        key = told if told in names and not named else key
    if key not in names and ":" in text:  # "upstream connection failure: refused"
        told = words(text.rsplit(":", 1)[1]).strip()
        key = told if told in names else key
    if key not in names and ":" in text:  # "连接超时：拨号没有完成": the condition, then how
        head, how = text.split(":", 1)
        told = re.sub(r"\s*了$", "", words(head).strip())
        # not where what follows denies it or names another ("refused: no, connect-timeout")
        # ("connect-timeout: the upstream never accepted in time": its "never" says how, and
        # was read as a denial)
        other = DENIES_THE_ANSWER.match(how.strip()) or any(
            n in words(how) and names[n] != names.get(told) for n in names if len(n) > 4
        )
        key = told if told in names and not other else key
    # "UF = upstream connection failure, i.e. refused": what the flag means, then the
    # condition that says it (refused, not counted: the whole read as one condition)
    said = re.split(
        r"(?:,|;|\s)\s*(?:i\.?\s*e\.?|that is|that means|meaning|so)\s*,?\s+|即|也就是说?|所以是?",
        text,
    )
    if key not in names and len(said) == 2:
        told = words(said[1]).strip(" ,;")
        key = told if told in names else key
    if key in names:
        return names[key]
    # "上游没有及时接受连接", "the upstream never accepted the connection in time": the connect
    # timeout's own description (capstone.CAUSE_TEXTS), its "never" no denial
    if (
        _NOT_ACCEPTED.search(words(text))
        and _IN_TIME.search(words(text))
        and not _DENIES_FIRST.search(words(text))
    ):
        return "connect-timeout"
    _refuse_negation(answer, text)
    said_as_clause = _by_clause_words(words(text))
    if said_as_clause:
        return said_as_clause
    read = set()
    for side in arrow_sides(answer):  # "UF → refused": the flag, and the condition it means
        with contextlib.suppress(WrongKind):
            read.add(condition(side))
    if len(read) == 1:
        return read.pop()
    # "refused (or connect-timeout)": the hedging aside kept, its brackets on the parts
    # "either refused or connect-timeout": the same two, "either" no part of the first
    both = re.sub(r"^either\s+(?=.+\sor\s)", "", text)
    # "`refused` or `connect-timeout`": each part quoted (clean() strips the ends' quotes only)
    parts = [words(p).strip(" ()" + _QUOTES) for p in re.split(_OR, both) if p.strip(" ()")]
    if len(parts) > 1 and all(p in names for p in parts):
        return HEDGE.join(sorted({names[p] for p in parts}))
    if _statuses_in(text) and not re.search(r"[a-z]{4,}", re.sub(r"\d", "", text)):
        raise WrongKind(
            Msg(
                "{given} is a status; the question asks for the upstream condition",
                given=repr(answer),
            )
        )
    raise WrongKind(Msg("{given} is not one of the upstream conditions", given=repr(answer)))


# What a condition said as a clause has beside its own words: who did it, the verb's helpers,
# the prepositions ("the upstream refused the connection", "the connection to the server was
# reset"): the condition's words in another order, which its names have as a phrase.
_CLAUSE_ONLY = frozenset(
    "upstream upstreams server origin backend peer app it its they was were is are has have had "
    "been being got gets get did does to by from with at on for of "
    # how soon ("closed the connection early", as "prematurely closed"), and an attempt at the
    # connection ("the connection attempt timed out")
    "early prematurely abruptly suddenly attempt attempts".split()
)


def _clause_stem(word: str) -> str:
    """A word without its ending, so that "refused", "refuses" and "refusing" are one."""
    return re.sub(r"(?:ing|ed|es|e|s)$", "", word) if len(word) > 4 else word


def _clause_words(phrase: str) -> frozenset[str]:
    phrase = re.sub(r"\btim(?:ed|es|ing)? out\b", "timeout", phrase)  # "timed out" as "timeout"
    # "it timed out (while) reading the response": what it read is the read's (refused as no
    # condition, where "the read timed out" was read-timeout)
    phrase = re.sub(
        r"\b(?:while\s+)?reading\s+(?:(?:the|its|a)\s+)?(?:response|reply)"
        r"(?:\s+(?:headers?|head|body))?\b",
        "reading",
        phrase,
    )
    return frozenset(_clause_stem(w) for w in phrase.split() if w not in _CLAUSE_ONLY)


@functools.cache
def _conditions_by_words() -> dict[frozenset[str], str]:
    """Every condition name's words (``_clause_words``) -> its condition, where they name one."""
    found: dict[frozenset[str], set[str]] = {}
    for name, value in _condition_names().items():
        said = _clause_words(name)
        if said:
            found.setdefault(said, set()).add(value)
    return {said: values.pop() for said, values in found.items() if len(values) == 1}


# a Chinese clause, who did what to the connection: 上游拒绝了连接, 上游把连接重置了
_ZH_CLAUSE = later(
    r"^(?:上游(?:服务器)?|服务器|源服务器|后端|它)?\s*"
    # when: "在响应前", "在发出响应头之前" (as "closed before the response" reads in English)
    r"(?:在\s*(?:发出|返回|给出|发送)?\s*(?:任何)?响应头?\s*(?:之)?前\s*,?\s*)?"
    r"(?:(?P<verb>[^\s把了]{2})了?\s*(?:这个)?连接"
    r"|把\s*(?:这个)?连接\s*(?P<verb2>[^\s了]{2})了?)$"
)


def _by_clause_words(key: str) -> str:
    """The condition whose words a clause has, in any order, with who did it and the verb's
    helpers aside ("the upstream refused the connection": refused, as "connection refused";
    上游重置了连接: reset, as 连接被重置; refused as no condition, and as no capstone
    cause); "" if none."""
    names = _condition_names()
    zh = _ZH_CLAUSE.match(key)
    if zh:
        verb = zh.group("verb") or zh.group("verb2")
        for said in (f"连接被{verb}", f"连接{verb}"):
            if said in names:
                return names[said]
    return _conditions_by_words().get(_clause_words(key), "") if " " in key else ""


def by_aside(read: Callable[[object], str], answer: object) -> str:
    """``read(answer)``; where the answer names nothing of its kind outside its brackets, what
    its one aside names ("upstream connection failure (refused)": what a log's flag means,
    then the condition in brackets: refused as no condition, where "upstream connection
    failure: refused" was accepted). An aside that hedges was kept in the answer itself."""
    try:
        return read(answer)
    except (Negated, Hedged, Ambiguous):
        raise
    except WrongKind:
        if not isinstance(answer, str):
            raise
        inner = asides(answer)
        if len(inner) != 1 or not inner[0] or hedging_aside(inner[0]):
            raise
        outside = _ASIDE.sub(" ", unicodedata.normalize("NFKC", answer)).strip()
        if not outside or negated(clean(outside)) or hedge_word(clean(outside)):
            raise
        try:
            return read(inner[0])
        except WrongKind:
            pass
        raise


# where an answer's own words may end and a reason said after them begin: a comma, a
# semicolon, a colon or a dash between words (full-width ones as WIDE makes them ASCII)
_REASON_AFTER = later(r"\s*[,;:]\s*|\s+-+\s+")
# a reason's first word: a letter or a Chinese character, not a digit ("5, 3" is two counts)
_REASON_START = later(r"[^\W\d_]")


def _is_reason(clause: str) -> bool:
    """Whether the words after an answer's comma read as a reason: two words or more (or
    two Chinese characters), neither taking the answer back ("which is wrong", "no"),
    hedging ("maybe", "not sure", "or"), concluding ("so the origin") nor going on to another
    answer ("or 411", "and 502")."""
    plain = " ".join(clause.lower().split()).rstrip(".!。！ ")
    chinese = sum(1 for c in plain if "\u4e00" <= c <= "\u9fff")
    return bool(
        _REASON_START.match(plain)
        and (len(plain.split()) >= 2 or chinese >= 2)
        and not DENIES_THE_ANSWER.match(plain)
        and not ANSWERS_ON.match(plain)
        and not _HEDGE_WORD.search(plain)
        and not _DISOWNS.match(plain)
        and not questioned(plain)
        # a hedge inside it ("so the origin or the client"), or a conclusion ("so the origin")
        and not _HEDGING.search(plain)
        and not re.match(r"(?:so|thus|hence|therefore)\b|所以|因此", plain)
        # a denial in Chinese: 它不是, 这不对, 并不是, 是错的
        and not re.match(r"(?:它|这|那)?个?(?:答案)?(?:并|也)?(?:不是|不对|不正确|是错|错)", plain)
    )


def said_then_why(read: Callable[[object], T], answer: object, *, closed: bool = False) -> T:
    """``read(answer)``; where the whole answer is refused, the answer before its first
    comma, semicolon, colon or dash when what follows is a reason (``_is_reason``) that names
    no other answer of the kind.

    One rule for every kind and language: "the portal, the request never reached the
    gateway", "refused, the upstream did not accept", "门户，请求没有到达网关" and
    "closed-without-response，上游在响应头之前关闭了连接" were refused (the reason's "never", "not"
    or 没有 read as denying the answer, or its words read as part of it), where "origin,
    because the gateway did not make it" was accepted. A reason that names another answer
    ("the portal, the gateway made it") still makes two answers, and a head that is no
    answer by itself leaves the refusal as it was. Where the answers are a closed set whose
    names a reason has no cause to use (``closed``: the upstream conditions, the capstone's
    causes), a reason that names another anywhere in it is one too ("refused, it was reset by
    the peer"); a hop's reason names other hops as a matter of course ("the request never
    reached the gateway")."""
    try:
        return read(answer)
    except (Hedged, Ambiguous):
        raise
    except WrongKind as refused:
        if not isinstance(answer, str):
            raise
        text = unicodedata.normalize("NFKC", answer).translate(_INVISIBLE).translate(WIDE)
        parts = _REASON_AFTER.split(text.strip(), maxsplit=1)
        if len(parts) != 2 or not parts[0].strip() or not _is_reason(parts[1]):
            raise
        try:
            value = read(parts[0].strip())
        except WrongKind:
            raise refused from None
        said = [parts[1].strip()]
        if closed:  # every run of one to three of its words
            run = re.findall(r"[\w-]+", parts[1].lower())
            said += [" ".join(run[i : i + n]) for n in (1, 2, 3) for i in range(len(run) - n + 1)]
        for clause in said:
            try:
                other = read(clause)
            except WrongKind:
                continue
            if other != value:
                raise refused from None
        return value


# conditions the capstone's causes name together: every way an answer is not valid HTTP
_INVALID = {
    c.value for c, outcome in RFC_TABLE.items() if outcome.proxy_status == "http_protocol_error"
}


def cause(answer: object) -> str:
    """A capstone cause: its key, with spaces or underscores, a common synonym, or the
    description the capstone gives it (``descriptions``: words -> key)."""
    refuse_question(answer)
    refuse_disowned(answer)
    if not isinstance(answer, str):
        raise WrongKind(Msg("a value of type {type} is not a cause", type=type(answer).__name__))
    key = words(clean(answer))
    if key in CAUSE_SYNONYMS:
        return CAUSE_SYNONYMS[key]
    # where it came from or how many at once, after a cause's own words: "bad response from
    # upstream", "too many requests in flight" (refused as no cause)
    qualified = _CAUSE_QUALIFIER.sub("", key)
    if qualified in CAUSE_SYNONYMS:
        return CAUSE_SYNONYMS[qualified]
    described = _cause_texts(key)
    if key in described:
        return described[key]
    # the cause, then why after a dash or "because" ("maintenance — the origin is not broken",
    # "handler-bug, because it is not a gateway error"), or more words about it after a comma
    # ("overload, 容量不够"): the reason's "not" denied the cause, its comma made a list (each
    # refused as no cause). Not where those words name another cause ("…, because of
    # maintenance", "maintenance, overload"): that is two causes.
    said = clean(answer)
    part = answer_part(said)
    head, comma, rest = said.partition(",")
    before, colon, after = said.partition(":")  # "connect timeout: the connection was never …"
    for first, then in (
        (part, said[len(part) :]),
        (head, rest if comma else ""),
        (before, after if colon else ""),
    ):
        if first and then.strip() and first != said:
            found = _cause_then_words(first, then)
            if found:
                return found
    if _NOT_ACCEPTED.search(key) and not _DENIES_FIRST.search(key):
        if _IN_TIME.search(key):
            return "connect-timeout"
        raise WrongKind(NOT_ACCEPTED_ONLY.bind(given=repr(answer)))
    negative = _negative_cause(key)
    if negative:
        return negative
    _refuse_negation(answer, key)
    try:
        found = by_aside(condition, answer) if key not in ("maintenance", "overload") else key
    except WrongKind:
        return _cause_by_words(key) or key.replace(" ", "-")
    return "invalid-response" if found in _INVALID else found


_CAUSE_QUALIFIER = later(
    r"(?:\s+(?:from|by|at|of|on|in)\s+(?:upstream|origin|server|backend|gateway|app)"
    r"|\s+(?:in flight|in progress|at once|at same time|concurrently|in parallel))+$"
)


# A connection the upstream did not accept: said with the wait ("never accepted the connection
# in time", 没有及时接受连接) it is the connect timeout's own description; said without, it is
# true of a refused connection too (nothing accepted it there either), and names neither.
_NOT_ACCEPTED = later(
    r"(\bnever\b|\bnot\b|n't\b)(?:(?!\bbut\b).)*\baccept(ed|ing|s)?\b.*\bconnect(ion|ions|ing)?\b"
    r"|(没有|没|从未|未|从来没有|始终没有|一直没有)[^，。；]*接受[^，。；]*连接"
)
_IN_TIME = later(
    r"\bin time\b|\bwithin\b|\btime ?outs?\b|\btimed out\b|\bwait(ed|ing)?\b|\bgave up\b"
    r"|及时|超时|时限|等待|以内|之内"
)
# what denies before the phrase ("not refused, never accepted ...") is judged as a denial
_DENIES_FIRST = later(r"^\W*(not|no)\b|^(不是|没有被拒绝)")
NOT_ACCEPTED_ONLY = Msg(
    "{given} is true of a refused connection too: say whether it was refused at once or not "
    "accepted in time (ex.observed().took)"
)


# The words that name one cause in a learner's own phrase ("origin in maintenance mode",
# "the gateway served a cached 503", "a TypeError in the handler", 维护中, 超载): the one
# cause whose words a short phrase has. A phrase with the words of two causes names neither.
_MEMBERS = r"(?:upstreams?|members?|backends?|targets?|servers?)"
_CAUSE_WORDS: dict[str, Pattern] = {
    # the capstone's own words for a refused connection: "nothing listens at the upstream's
    # address" ("nothing listens" was refused as no cause)
    "refused": later(
        r"\b(nothing|no one|nobody|no process|no server)( is| was)? listen(s|ing|ed)?\b"
        r"|没有(程序|进程|服务|人)?在?监听"
    ),
    "maintenance": later(r"\bmaintenance\b|维护"),
    "overload": later(
        r"\boverload(ed)?\b|\bcapacity\b|\bshed(s|ding)?\b|\b(too )?busy\b|过载|超载|负载|容量"
    ),
    "handler-bug": later(
        r"\b(type|value|key|attribute|index|name|zerodivision|runtime|assertion)error\b"
        r"|\bexception\b|\braised?\b|\bcrash(ed|es)?\b|\bbug\b|异常|崩溃|缺陷"
    ),
    "cached-error": later(r"\bcache[ds]?\b|\bstale\b|缓存"),
    "invalid-response": later(
        r"\binvalid\b|\bmalformed\b|\bgarbage\b|\bprotocol error\b|无效|协议错误|乱码"
    ),
    # the visitor must log in, not that they did: "the visitor is logged in" says the portal
    # lets them through, the opposite (read as this cause until December 2026); "has not
    # logged in" is _NEGATIVE_CAUSES's
    "network-login": later(
        r"\blog ?in\b|\bsign ?in\b|\b(?:must|needs? to|has to|have to|should)\s+(?:be\s+)?"
        r"(?:logged|signed) ?in\b|(?<!已)(?<!已经)(?:登录|登陆)(?!了)"
    ),
    # the pool's upstreams by any of their names where all or none are meant: "no healthy
    # members", "all backends are down" (refused as no cause); not "the server is down"
    "no-healthy-upstream": later(
        rf"\b(no|every|all)( \w+)? (healthy|live|available|unhealthy|down)\b.*\b{_MEMBERS}\b"
        r"|\bupstreams? (is |are )?(all )?(unhealthy|down)\b|没有.*上游"
        # "every upstream in the pool is unhealthy"
        rf"|\b(every|all|each)\b.*\b{_MEMBERS}\b.*\b(unhealthy|down|dead)\b"
    ),
}
# words that take back what they stand beside ("no X-Cache", "cache miss"), outside the
# names that have them ("no healthy upstream")
_CAUSE_DENIED = later(r"\b(no|without|miss|missed)\b(?! (healthy|live|available)\b)")


# Causes whose own words say "not": "the upstream sent something that is not HTTP" (the
# description: "bytes that are not valid HTTP"), "the visitor has not logged in to the network".
# Their "not" was read as a denial of the whole answer (refused, not counted).
_NEGATIVE_CAUSES: dict[str, Pattern] = {
    "invalid-response": later(r"\bnot (?:a )?(?:valid )?http\b|不是(?:有效的?)?\s*http"),
    "network-login": later(
        r"\b(?:not|never|hasn[’']?t|has not|haven[’']?t|have not|isn[’']?t|is not)"
        r"(?: yet)?(?: been)? (?:logged|signed) ?in(?:to)?\b|没有?登录|未登录"
    ),
}


def _negative_cause(key: str) -> str:
    """The one cause of _NEGATIVE_CAUSES that ``key`` says, where the rest of it denies,
    hedges and names nothing else; "" otherwise."""
    named = [(c, p.search(key)) for c, p in _NEGATIVE_CAUSES.items()]
    found = [(c, m) for c, m in named if m]
    if len(found) != 1:
        return ""
    cause_key, match = found[0]
    rest = (key[: match.start()] + " " + key[match.end() :]).strip()
    if negated(rest) or hedge_word(rest) or _names_a_cause_word(rest, cause_key):
        return ""
    return cause_key


def _cause_then_words(first: str, then: str) -> str:
    """The cause ``first`` names where the words ``then`` after it name no other cause, deny
    or hedge nothing; "" otherwise."""
    rest = " ".join(unicodedata.normalize("NFKC", then).translate(WIDE).lower().split())
    rest = rest.strip(" ,;:-")
    # "maintenance, not really", "overload - no": the words after it take it back
    if hedge_word(rest) or (len(rest.split()) <= 2 and DENIES_THE_ANSWER.match(rest)):
        return ""
    try:
        found = cause(first)
    except WrongKind:
        return ""
    if found not in set(CAUSE_SYNONYMS.values()) | {c.value for c in Condition}:
        return ""
    other = _cause_by_words(words(rest))
    if other not in ("", found) or _names_a_condition(rest) or _names_a_cause_word(rest, found):
        return ""
    return "invalid-response" if found in _INVALID else found


def _names_a_cause_word(text: str, but: str) -> bool:
    """Whether ``text`` has the words of a cause other than ``but`` ("because of maintenance")."""
    return any(
        pattern.search(text) for cause_key, pattern in _CAUSE_WORDS.items() if cause_key != but
    )


def _names_a_condition(text: str) -> bool:
    try:
        condition(text)
    except WrongKind:
        return False
    return True


def _cause_by_words(key: str) -> str:
    """The one cause whose words ``key`` (a phrase of a few words) has; "" if none or two.
    A cache's words with another cause's are the cache's: a cached maintenance page is a
    cached error (what it says the cache kept)."""
    if len(key.split()) > 8 or _CAUSE_DENIED.search(key):
        return ""  # long or denying names none
    if re.search(_OR, key):  # a list ("invalid response or refused") names none ...
        if re.search(r"\bor\b|或|/", key):
            return ""
        # ... unless each of its parts names the one same cause ("the origin is overloaded and
        # sheds requests", refused as a list)
        named = {_cause_by_words(p.strip()) for p in re.split(_OR, key) if p.strip()}
        return named.pop() if len(named) == 1 else ""
    named = {c for c, pattern in _CAUSE_WORDS.items() if pattern.search(key)}
    if len(named) == 2 and "cached-error" in named:
        return "cached-error"
    return named.pop() if len(named) == 1 else ""


def fields(text: str) -> list[str]:
    """The header names of a (clean) text that gives each with its value ("upgrade: websocket,
    connection: upgrade": two; "allow: get, head": one)."""
    return _FIELD.findall(text)


_CAUSE_TEXTS: dict[str, str] = {}  # a description's words -> its cause (_cause_texts)
_DESCRIPTIONS: list[dict[str, Msg]] = []  # given, not yet read
_UNRENDERED: list[dict[str, Msg]] = []  # read in English, not yet in the other languages
_DESCRIBING = threading.Lock()


def describe_causes(descriptions: dict[str, Msg]) -> None:
    """Let each cause be named by its description too (the capstone's list, pasted), as
    shown in English and in every language of the lab. Read by the first answer that needs
    them, not here: rendering them in every language read the Chinese catalogue in every
    kernel that imported the capstone, English or not."""
    with _DESCRIBING:
        _DESCRIPTIONS.append(dict(descriptions))


def _cause_texts(key: str) -> dict[str, str]:
    """``_CAUSE_TEXTS`` as an answer whose words are ``key`` needs it: the descriptions in
    English, and, for a key with a character outside ASCII, in every language (a Chinese
    description has one, tests/test_exercises_import.py checks; an ASCII key can match
    only an ASCII description, and a language's ASCII one is the English one)."""
    with _DESCRIBING:
        while _DESCRIPTIONS:
            descriptions = _DESCRIPTIONS.pop(0)
            for cause_key, text in descriptions.items():
                _CAUSE_TEXTS[words(clean(str(text)))] = cause_key
            _UNRENDERED.append(descriptions)
        while _UNRENDERED and not key.isascii():
            descriptions = _UNRENDERED.pop(0)
            for lang in i18n.LANGUAGES:
                for cause_key, text in descriptions.items():
                    _CAUSE_TEXTS[words(clean(text.render(lang)))] = cause_key
        return _CAUSE_TEXTS


# -- free text (the options of a multiple choice) --


# protocols' names spelled out, as options name them short
_SPELLED_OUT = {
    "application layer protocol negotiation": "alpn",
    "next protocol negotiation": "npn",
    "server name indication": "sni",
}


def text(answer: object) -> str:
    """Words without case, articles, quotes or punctuation; a status keeps only its number."""
    if isinstance(answer, bool):
        return str(answer).lower()
    if type(answer) is str:
        return _text_of(answer)
    return _text(answer)


@functools.lru_cache(maxsize=4096)
def _text_of(answer: str) -> str:
    """``text`` of a string, kept: a multiple choice reads each of its options' texts for
    every answer it judges (thousands of times in the answer tests), and the result depends
    on the string alone."""
    return _text(answer)


def _text(answer: object) -> str:
    raw = clean(answer)
    raw = _STATUS_LINE.sub("", raw)

    def shorten(match: re.Match[str]) -> str:
        code, rest = match.group(1), _phrase_key(match.group(2))
        for phrase, value in sorted(reasons(rest).items(), key=lambda kv: -len(kv[0])):
            # the phrase, then the rest after a space or a comma: "405 Method Not Allowed, with
            # an Allow header" kept its phrase, whose "not" denied the option
            if str(value) == code and re.match(rf"{re.escape(phrase)}(?![\w-])", rest):
                return code + rest[len(phrase) :]
        return match.group(0)

    for (
        spelled,
        short,
    ) in _SPELLED_OUT.items():  # "Application-Layer Protocol Negotiation"
        if spelled in raw.replace("-", " "):
            raw = raw.replace("-", " ").replace(spelled, short)
    raw = re.sub(
        r"\s[+&]\s|\s*(?:和|与|以及|加上)\s*", " and ", raw
    )  # "Upgrade + Connection: upgrade"
    raw = re.sub(r"\b([1-5]\d\d)\b(.*)$", shorten, raw)
    key = _phrase_key(raw)
    if key in reasons(key):
        raw = str(reasons(key)[key])
    raw = re.sub(r"[^\w\s/.+]", " ", raw)
    return words(raw)
