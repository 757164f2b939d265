"""Numbers that notebooks' prose states come from the code: a constant, or the code cell they describe.

Each claim names a notebook, a pattern around the number in a markdown cell, and where the
number must come from: a lab constant, or (``NEXT_CODE``) the literals of the next code cell.
A claim whose pattern is no longer found fails too, so edits cannot silently drop a check.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from labkit import personalities
from labkit.lab import ORIGIN_TIMEOUTS, SLOW_DELAY, UPSTREAM_TIMEOUTS
from labkit.origin import SHED_RETRY_AFTER

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
NEXT_CODE = object()
NUMBER = r"(\d+(?:\.\d+)?)"

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
    # each gateway's default timeouts, as docs/gateways.md's note records them
    ("05-504-gateway-timeout", rf"nginx waits {NUMBER} s for each", "notes"),
    ("05-504-gateway-timeout", rf"gives\s+up connecting after {NUMBER} s", "notes"),
    ("05-504-gateway-timeout", rf"an answer that took {NUMBER} s", "notes"),
    ("05-504-gateway-timeout", rf"502 after {NUMBER} s", "notes"),
    ("08-diagnose-the-incident", rf"when to come back: {NUMBER} s \(overload\)", SHED_RETRY_AFTER),
    # the translations (notebooks/zh/) state the same numbers in their own words
    ("zh/03-502-bad-gateway", rf"读取超时（这里是 {NUMBER} 秒", UPSTREAM_TIMEOUTS["read_timeout"]),
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


def _cells(name: str) -> list[dict]:
    return json.loads((NOTEBOOKS / f"{name}.ipynb").read_text())["cells"]


def _numbers(text: str) -> set[float]:
    return {float(n) for n in re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])", text)}


@pytest.mark.parametrize(("notebook", "pattern", "source"), CLAIMS)
def test_a_number_in_prose_is_the_codes(notebook: str, pattern: str, source: object) -> None:
    cells = _cells(notebook)
    found = 0
    for i, cell in enumerate(cells):
        text = "".join(cell["source"])
        if cell["cell_type"] != "markdown":
            continue
        for match in re.finditer(pattern, text):
            found += 1
            said = float(match.group(1))
            if source is NEXT_CODE:
                code = next(c for c in cells[i + 1 :] if c["cell_type"] == "code")
                assert said in _numbers("".join(code["source"])), (notebook, match.group(0))
            elif source == "notes":  # an observation docs/gateways.md records
                noted = " ".join(note.text for note in personalities.NOTES)
                assert re.search(rf"(?<![\d.]){said:g} s\b", noted), (notebook, match.group(0))
            elif source == "nginx-observation":
                sources = personalities.get("nginx").headers.sources["keeps_alive_after_http09"]
                assert f"{said:g} s" in sources, (notebook, match.group(0))
            else:
                assert said == source, (notebook, match.group(0), source)
    assert found, f"{notebook}: the prose no longer says {pattern!r}; update CLAIMS"
