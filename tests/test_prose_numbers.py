"""Numbers that notebooks' prose states come from the code: a constant, or the code cell they describe.

Each claim names a notebook, a pattern around the number in a markdown cell, and where the
number must come from: a lab constant; (``NEXT_CODE``) the literals of the next code cell;
(``Above``) what a pattern captures in the nearest code cell above that it matches, for prose
that describes what a cell above did ("the gateway waited 0.3 s"); (``SAME_CELL``) an inline
code span of the same markdown cell (`max-age=60` ... "once the 60 s have passed"); or
(``In``) a text the lab keeps (a note of what real gateways did, an exercise's prompt).
A claim whose pattern is no longer found fails too, so edits cannot silently drop a check, and
every time in seconds that a lesson's prose states (English or Chinese) is checked by a claim
or listed in ``UNCHECKED`` with the reason.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import NamedTuple

import pytest

from labkit import personalities
from labkit.board import REFRESH_SECONDS
from labkit.conditions import Condition
from labkit.exercises import lesson_504
from labkit.faults import FAULTS
from labkit.http.requestcheck import MAX_HEAD_BYTES
from labkit.lab import ORIGIN_TIMEOUTS, SLOW_DELAY, UPSTREAM_TIMEOUTS
from labkit.origin import SHED_RETRY_AFTER

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
# the upstream body-cut's reply: the length its head announces, and the bytes of body it sends
_CUT_HEAD, _, _CUT_BODY = FAULTS["body-cut"].reply.partition(b"\r\n\r\n")
CUT_ANNOUNCED = int(_CUT_HEAD.split(b"Content-Length: ")[1].split(b"\r\n")[0])
CUT_SENT = len(_CUT_BODY)
NEXT_CODE = object()
SAME_CELL = object()
NUMBER = r"(\d+(?:\.\d+)?)"


class Above(NamedTuple):
    """The number ``pattern`` captures in the nearest code cell above the prose that it matches."""

    pattern: str


class In(NamedTuple):
    """The number, written as ``form`` says, in a text the lab keeps (``what`` names it)."""

    what: str
    text: str
    form: str = "{} s"


def _noted(words: str) -> In:
    """The note of docs/gateways.md that mentions ``words``."""
    (note,) = [n.text for n in personalities.NOTES if words in n.text]
    return In(f"the note on {words}", note)


def _cited(gateway: str, condition: Condition, form: str = "{} s") -> In:
    """What a personality's table cites for ``condition`` (its observation or documentation)."""
    return In(
        f"{gateway}'s {condition.value} row",
        personalities.get(gateway).answer(condition).source,
        form,
    )


CLAIMS = [
    ("03-502-bad-gateway", rf"read timeout \({NUMBER} s", UPSTREAM_TIMEOUTS["read_timeout"]),
    ("05-504-gateway-timeout", rf"The upstream needs {NUMBER} s", SLOW_DELAY),
    ("05-504-gateway-timeout", rf"the gateway waits {NUMBER} s", UPSTREAM_TIMEOUTS["read_timeout"]),
    ("05-504-gateway-timeout", rf"normally waits\s+{NUMBER} s", ORIGIN_TIMEOUTS["read_timeout"]),
    (
        "05-504-gateway-timeout",
        rf"\({NUMBER} s on this route\)",
        UPSTREAM_TIMEOUTS["connect_timeout"],
    ),
    ("05-504-gateway-timeout", rf"Make it wait {NUMBER} s", NEXT_CODE),
    ("05-504-gateway-timeout", rf"a report that takes {NUMBER} s", NEXT_CODE),
    ("05-504-gateway-timeout", rf"the client waits {NUMBER} s", NEXT_CODE),
    ("05-504-gateway-timeout", rf"and the origin needs {NUMBER} s", NEXT_CODE),
    ("04-503-service-unavailable", rf"capacity to {NUMBER} and", NEXT_CODE),
    ("04-503-service-unavailable", rf"a burst of {NUMBER} slow", NEXT_CODE),
    ("04-503-service-unavailable", rf"each taking {NUMBER} s", NEXT_CODE),
    ("04-503-service-unavailable", rf"bursts of {NUMBER} to", NEXT_CODE),
    ("04-503-service-unavailable", rf"to {NUMBER} requests against", NEXT_CODE),
    ("09-gateways-disagree", rf"`ReadTimeout` after {NUMBER} s", "nginx-observation"),
    # what the upstream body-cut sends (lesson 03's part and its exercise 2)
    ("03-502-bad-gateway", rf"`Content-Length: {NUMBER}`, then only", CUT_ANNOUNCED),
    ("03-502-bad-gateway", rf"then only {NUMBER} bytes", CUT_SENT),
    # each gateway's default timeouts, as docs/gateways.md's note records them
    ("05-504-gateway-timeout", rf"nginx waits {NUMBER} s for each", "notes"),
    ("05-504-gateway-timeout", rf"gives\s+up connecting after {NUMBER} s", "notes"),
    ("05-504-gateway-timeout", rf"an answer that took {NUMBER} s", "notes"),
    ("05-504-gateway-timeout", rf"502 after {NUMBER} s", "notes"),
    ("08-diagnose-the-incident", rf"when to come back: {NUMBER} s \(overload\)", SHED_RETRY_AFTER),
    # prose that describes the cells above it: the timeouts and delays those cells set
    ("04-503-service-unavailable", rf"come back in {NUMBER} seconds", NEXT_CODE),
    ("04-503-service-unavailable", rf"a little less than {NUMBER} s", NEXT_CODE),
    (
        "04-503-service-unavailable",
        rf"for up to {NUMBER} seconds every client",
        Above(rf"cache_max_age={NUMBER}"),
    ),
    ("04-503-service-unavailable", rf"once the {NUMBER} s have passed", SAME_CELL),
    ("04-503-service-unavailable", rf"for up to {NUMBER} s more", SAME_CELL),
    (
        "05-504-gateway-timeout",
        rf"waited the gateway's {NUMBER} s",
        Above(rf"read_timeout = {NUMBER}"),
    ),
    ("05-504-gateway-timeout", rf"not the origin's {NUMBER} s", Above(rf"delay={NUMBER}")),
    ("05-504-gateway-timeout", rf"the gateway {NUMBER} s, and", Above(rf"read_timeout = {NUMBER}")),
    ("05-504-gateway-timeout", rf"answered 504 at {NUMBER} s", Above(rf"read_timeout = {NUMBER}")),
    ("05-504-gateway-timeout", rf"answered 200 at {NUMBER} s", Above(rf"delay={NUMBER}")),
    ("05-504-gateway-timeout", rf"longer each time \({NUMBER} s", NEXT_CODE),
    ("05-504-gateway-timeout", rf"about {NUMBER} s first", In("q5's prompt", lesson_504.q5.prompt)),
    ("05-504-gateway-timeout", rf"a budget of {NUMBER} s, at both", lesson_504.BUDGET),
    (
        "05-504-gateway-timeout",
        rf"`client_header_timeout` \({NUMBER} s",
        _noted("client_header_timeout"),
    ),
    (
        "05-504-gateway-timeout",
        rf"`client_body_timeout`, {NUMBER} s",
        _noted("client_body_timeout"),
    ),
    (
        "08-diagnose-the-incident",
        rf"a 504 after a {NUMBER} s timeout",
        UPSTREAM_TIMEOUTS["connect_timeout"],
    ),
    (
        "08-diagnose-the-incident",
        rf"timeout can read {NUMBER} s",
        UPSTREAM_TIMEOUTS["read_timeout"],
    ),
    (
        "09-gateways-disagree",
        rf"tries again {NUMBER} times",
        _cited("haproxy", Condition.REFUSED, "'retries {}'"),
    ),
    ("09-gateways-disagree", rf"up to {NUMBER} s apart", _cited("haproxy", Condition.REFUSED)),
    # the translations (notebooks/zh/) state the same numbers in their own words
    ("zh/03-502-bad-gateway", rf"读取超时（这里是 {NUMBER} 秒", UPSTREAM_TIMEOUTS["read_timeout"]),
    ("zh/03-502-bad-gateway", rf"`Content-Length: {NUMBER}`，然后只发送", CUT_ANNOUNCED),
    ("zh/03-502-bad-gateway", rf"然后只发送 {NUMBER} 字节", CUT_SENT),
    ("zh/04-503-service-unavailable", rf"容量设为 {NUMBER}，", NEXT_CODE),
    ("zh/04-503-service-unavailable", rf"一阵 {NUMBER} 个慢请求", NEXT_CODE),
    ("zh/04-503-service-unavailable", rf"每个耗时 {NUMBER} 秒", NEXT_CODE),
    ("zh/04-503-service-unavailable", rf"依次发出 {NUMBER} 到", NEXT_CODE),
    ("zh/04-503-service-unavailable", rf"到 {NUMBER} 个请求的一阵请求", NEXT_CODE),
    ("zh/05-504-gateway-timeout", rf"上游需要 {NUMBER} 秒", SLOW_DELAY),
    ("zh/05-504-gateway-timeout", rf"网关等待 {NUMBER} 秒", UPSTREAM_TIMEOUTS["read_timeout"]),
    ("zh/05-504-gateway-timeout", rf"通常等待\s*{NUMBER} 秒", ORIGIN_TIMEOUTS["read_timeout"]),
    (
        "zh/05-504-gateway-timeout",
        rf"（这条路由上是 {NUMBER} 秒）",
        UPSTREAM_TIMEOUTS["connect_timeout"],
    ),
    ("zh/05-504-gateway-timeout", rf"让它只等 {NUMBER} 秒", NEXT_CODE),
    ("zh/05-504-gateway-timeout", rf"要花 {NUMBER} 秒的报表", NEXT_CODE),
    ("zh/05-504-gateway-timeout", rf"客户端等待 {NUMBER} 秒", NEXT_CODE),
    ("zh/05-504-gateway-timeout", rf"而源服务器需要 {NUMBER} 秒", NEXT_CODE),
    ("zh/08-diagnose-the-incident", rf"什么时候再来：{NUMBER} 秒（过载）", SHED_RETRY_AFTER),
    ("zh/04-503-service-unavailable", rf"告诉客户端 {NUMBER} 秒后再来", NEXT_CODE),
    ("zh/04-503-service-unavailable", rf"会比 {NUMBER} 秒少一点", NEXT_CODE),
    (
        "zh/04-503-service-unavailable",
        rf"所以在最多 {NUMBER} 秒里",
        Above(rf"cache_max_age={NUMBER}"),
    ),
    ("zh/04-503-service-unavailable", rf"在 {NUMBER} 秒过去之后", SAME_CELL),
    ("zh/04-503-service-unavailable", rf"最多再提供 {NUMBER} 秒", SAME_CELL),
    (
        "zh/05-504-gateway-timeout",
        rf"等待的是网关的 {NUMBER} 秒",
        Above(rf"read_timeout = {NUMBER}"),
    ),
    ("zh/05-504-gateway-timeout", rf"而不是源服务器的 {NUMBER} 秒", Above(rf"delay={NUMBER}")),
    ("zh/05-504-gateway-timeout", rf"，网关 {NUMBER} 秒，而", Above(rf"read_timeout = {NUMBER}")),
    (
        "zh/05-504-gateway-timeout",
        rf"网关在 {NUMBER} 秒时返回了",
        Above(rf"read_timeout = {NUMBER}"),
    ),
    ("zh/05-504-gateway-timeout", rf"源服务器在 {NUMBER} 秒时做完了", Above(rf"delay={NUMBER}")),
    ("zh/05-504-gateway-timeout", rf"一次比一次等得久（{NUMBER} 秒", NEXT_CODE),
    (
        "zh/05-504-gateway-timeout",
        rf"第一次大约 {NUMBER} 秒",
        In("q5's prompt", lesson_504.q5.prompt),
    ),
    ("zh/05-504-gateway-timeout", rf"预算为 {NUMBER} 秒", lesson_504.BUDGET),
    (
        "zh/05-504-gateway-timeout",
        rf"`client_header_timeout`（没有配置时是 {NUMBER} 秒",
        _noted("client_header_timeout"),
    ),
    (
        "zh/05-504-gateway-timeout",
        rf"`client_body_timeout`，默认 {NUMBER} 秒",
        _noted("client_body_timeout"),
    ),
    (
        "zh/08-diagnose-the-incident",
        rf"所以 {NUMBER} 秒超时之后",
        UPSTREAM_TIMEOUTS["connect_timeout"],
    ),
    ("zh/08-diagnose-the-incident", rf"可能读成 {NUMBER} 秒", UPSTREAM_TIMEOUTS["read_timeout"]),
    (
        "zh/09-gateways-disagree",
        rf"再试 {NUMBER} 次（`retries",
        _cited("haproxy", Condition.REFUSED, "'retries {}'"),
    ),
    ("zh/09-gateways-disagree", rf"每次最多相隔 {NUMBER} 秒", _cited("haproxy", Condition.REFUSED)),
    ("zh/05-504-gateway-timeout", rf"nginx 两个都等 {NUMBER} 秒", "notes"),
    ("zh/05-504-gateway-timeout", rf"连接 {NUMBER} 秒后放弃", "notes"),
    ("zh/05-504-gateway-timeout", rf"花了 {NUMBER} 秒的响应", "notes"),
    ("zh/05-504-gateway-timeout", rf"在 {NUMBER} 秒后返回了 502", "notes"),
    (
        "zh/09-gateways-disagree",
        rf"httpx 在 {NUMBER} 秒之后抛出 `ReadTimeout`",
        "nginx-observation",
    ),
]


# times in the prose that no table of the lab holds, each with where it comes from
UNCHECKED = [
    # nginx's documented default (nginx.org, ngx_http_core_module, keepalive_timeout 75s)
    ("09-gateways-disagree", r"`keepalive_timeout`, (75) s by default"),
    # the doubling of the first wait, which NEXT_CODE checks: the next cell computes them
    ("05-504-gateway-timeout", r"\(0\.1 s, (0\.2) s, (0\.4) s \.\.\.\)"),
    ("zh/09-gateways-disagree", r"`keepalive_timeout` 用完，默认是 (75) 秒"),
    ("zh/05-504-gateway-timeout", r"（0\.1 秒、(0\.2) 秒、(0\.4) 秒……）"),
]

# a time in seconds as prose writes it: "0.3 s", "30 seconds", "75 s"; in Chinese "0.3 秒"
SECONDS = {
    "": re.compile(r"(?<![\w.])(\d+(?:\.\d+)?) (?:s|seconds?|ms)\b"),
    "zh/": re.compile(r"(?<![\w.])(\d+(?:\.\d+)?) ?(?:秒|毫秒)"),
}


def _cells(name: str) -> list[dict]:
    return json.loads((NOTEBOOKS / f"{name}.ipynb").read_text())["cells"]


def _numbers(text: str) -> set[float]:
    return {float(n) for n in re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])", text)}


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def _mismatches(cells: list[dict], pattern: str, source: object) -> tuple[int, list[str]]:
    """How often ``pattern`` is found in the markdown cells, and each number not from ``source``."""
    found, wrong = 0, []
    for i, cell in enumerate(cells):
        text = _source(cell)
        if cell["cell_type"] != "markdown":
            continue
        for match in re.finditer(pattern, text):
            found += 1
            said = float(match.group(1))
            if source is NEXT_CODE:
                code = next(c for c in cells[i + 1 :] if c["cell_type"] == "code")
                ok = said in _numbers(_source(code))
            elif source is SAME_CELL:
                ok = any(said in _numbers(span) for span in re.findall(r"`([^`]+)`", text))
            elif isinstance(source, Above):
                above = (
                    re.search(source.pattern, _source(c))
                    for c in reversed(cells[:i])
                    if c["cell_type"] == "code"
                )
                first = next((m for m in above if m), None)
                ok = first is not None and float(first.group(1)) == said
            elif isinstance(source, In):
                ok = source.form.format(f"{said:g}") in source.text
            elif source == "notes":  # an observation docs/gateways.md records
                noted = " ".join(note.text for note in personalities.NOTES)
                ok = re.search(rf"(?<![\d.]){said:g} s\b", noted) is not None
            elif source == "nginx-observation":
                sources = personalities.get("nginx").headers.sources["keeps_alive_after_http09"]
                ok = f"{said:g} s" in sources
            else:
                ok = said == source
            if not ok:
                wrong.append(match.group(0))
    return found, wrong


@pytest.mark.parametrize(("notebook", "pattern", "source"), CLAIMS)
def test_a_number_in_prose_is_the_codes(notebook: str, pattern: str, source: object) -> None:
    found, wrong = _mismatches(_cells(notebook), pattern, source)
    assert not wrong, (notebook, wrong, source)
    assert found, f"{notebook}: the prose no longer says {pattern!r}; update CLAIMS"


def _code(text: str) -> dict:
    return {"cell_type": "code", "source": [text]}


def _prose(text: str) -> dict:
    return {"cell_type": "markdown", "source": [text]}


def test_prose_about_the_cell_above_is_checked_against_that_cell() -> None:
    """A planted slip: the prose after a cell says another timeout than the cell set."""
    cells = [
        _code('lab.gateway.route("/").read_timeout = 0.3\nslow = lab.get("/slow?delay=0.6")'),
        _code("slow.status"),
        _prose("The client waited the gateway's 0.5 s, not the origin's 0.6 s."),
    ]
    waited = Above(rf"read_timeout = {NUMBER}")
    assert _mismatches(cells, rf"waited the gateway's {NUMBER} s", waited) == (
        1,
        ["waited the gateway's 0.5 s"],
    )
    assert _mismatches(cells, rf"not the origin's {NUMBER} s", Above(rf"delay={NUMBER}")) == (1, [])
    # a cell below does not count: the prose describes what happened before it
    later = [cells[2], _code('lab.gateway.route("/").read_timeout = 0.5')]
    assert _mismatches(later, rf"waited the gateway's {NUMBER} s", waited) == (
        1,
        ["waited the gateway's 0.5 s"],
    )


def test_every_time_the_prose_states_is_checked() -> None:
    """A time in seconds in a lesson's prose, English or Chinese, is a claim of CLAIMS or
    listed in UNCHECKED."""
    unchecked = []
    for lang, seconds in SECONDS.items():
        for path in sorted((NOTEBOOKS / lang).glob("*.ipynb")):
            name = f"{lang}{path.stem}"
            patterns = [p for nb, p, _ in CLAIMS if nb == name]
            patterns += [p for nb, p in UNCHECKED if nb == name]
            for cell in _cells(name):
                text = _source(cell)
                if cell["cell_type"] != "markdown":
                    continue
                covered = {
                    m.start(g)
                    for p in patterns
                    for m in re.finditer(p, text)
                    for g in range(1, (m.lastindex or 0) + 1)
                }
                unchecked += [
                    f"{name}: {text[max(0, m.start() - 40) : m.end()]!r}"
                    for m in seconds.finditer(text)
                    if m.start(1) not in covered
                ]
    assert not unchecked, "add a claim to CLAIMS for each:\n" + "\n".join(unchecked)


# numbers the README and the instructor guide state about the lab, from the code that sets
# them (a file, a pattern around the number as written there, the code's value)
DOC_CLAIMS = [
    (doc, pattern, MAX_HEAD_BYTES)
    for doc, pattern in (
        ("README.md", r"the lab's own limit of ([\d,]+) bytes"),
        ("docs/instructor.md", r"the lab's own limit of\s+([\d,]+) bytes"),
        ("README.zh-CN.md", r"超过实验室自己 ([\d,]+) 字节上限"),
        ("docs/instructor.zh-CN.md", r"超过实验室自己 ([\d,]+) 字节上限"),
    )
] + [
    (doc, pattern, REFRESH_SECONDS)
    for doc, pattern in (
        ("docs/instructor.md", r"refreshes itself every (\d+) s"),
        ("docs/instructor.md", r"The page asks\s+again (\d+) s after each answer"),
        ("docs/instructor.zh-CN.md", r"每 (\d+) 秒自动刷新一次"),
        ("docs/instructor.zh-CN.md", r"页面在每次得到响应 (\d+) 秒之后再问一次"),
    )
]


@pytest.mark.parametrize(("doc", "pattern", "value"), DOC_CLAIMS)
def test_a_number_a_doc_states_is_the_codes(doc: str, pattern: str, value: int) -> None:
    """The chunk-line limit (the request head's, MAX_HEAD_BYTES) and the board's refresh
    (REFRESH_SECONDS) were typed into the README and the guide, with no check that they
    stay the code's."""
    said = re.findall(pattern, (NOTEBOOKS.parent / doc).read_text())
    assert said, f"{doc} no longer says {pattern!r}; update DOC_CLAIMS"
    assert {int(s.replace(",", "")) for s in said} == {value}, (doc, said)
