"""The Chinese prose's emphasis as a Markdown renderer reads it.

CommonMark (and JupyterLab's and GitHub's renderers with it) closes ``**`` only where the run
is right-flanking: after punctuation it must be followed by a space or more punctuation. English
always has a space there; Chinese has none, so ``**一份。**在`` stays as four literal stars
around the words (the instructor guide's shared-CPU lead-in showed them until December 2026).
A lead-in puts its punctuation after the closing stars: ``**它的含义**。网关``.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import terms  # noqa: E402  (tools/terms.py: where the Chinese texts are)

_CODE = (re.compile(r"```.*?```", re.S), re.compile(r"`[^`\n]*`"), re.compile(r"<!--.*?-->", re.S))
_RUN = re.compile(r"(?<!\*)\*{1,2}(?!\*)")
_LIST_MARKER = re.compile(r"(?m)^[ \t]*\*(?= )")


def _punctuation(char: str) -> bool:
    """CommonMark's punctuation: Unicode's P and S categories (the spec since 0.31)."""
    return unicodedata.category(char)[0] in "PS"


def _flanking(text: str, start: int, end: int) -> tuple[bool, bool]:
    """Whether the delimiter run ``text[start:end]`` can open, and whether it can close."""
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    left = not after.isspace() and (
        not _punctuation(after) or before.isspace() or _punctuation(before)
    )
    right = not before.isspace() and (
        not _punctuation(before) or after.isspace() or _punctuation(after)
    )
    return left, right


def stray_emphasis(markdown: str) -> list[str]:
    """Each emphasis delimiter that a renderer shows as stars: an opening one that cannot
    open, a closing one that cannot close, one left open (delimiters taken in pairs within
    a paragraph or a table row, code left out), with the words around it."""
    for pattern in _CODE:
        markdown = pattern.sub(lambda m: "x" * len(m.group()), markdown)
    markdown = _LIST_MARKER.sub("-", markdown)
    found = []
    for paragraph in re.split(r"\n[ \t]*\n", markdown):
        for row in paragraph.split("\n") if paragraph.lstrip().startswith("|") else [paragraph]:
            open_runs: dict[int, bool] = {1: False, 2: False}
            last = None
            for run in _RUN.finditer(row):
                size = len(run.group())
                can_open, can_close = _flanking(row, run.start(), run.end())
                if not (can_close if open_runs[size] else can_open):
                    found.append(row[max(0, run.start() - 15) : run.end() + 15])
                open_runs[size] = not open_runs[size]
                last = run
            if any(open_runs.values()):  # one left open shows as stars too
                found.append(row[max(0, last.start() - 15) : last.end() + 15])
    return found


def test_chinese_emphasis_closes_where_it_is_meant_to() -> None:
    texts = terms.chinese_prose(ROOT)
    found = {name: stray for name, text in texts.items() if (stray := stray_emphasis(text))}
    assert not found, found
    assert len(texts) > 100  # every lesson's markdown cells were read


def test_the_check_sees_what_a_renderer_shows() -> None:
    assert stray_emphasis("**它的含义**。网关") == []
    assert stray_emphasis("**它的含义。**网关") == ["**它的含义。**网关"]
    assert stray_emphasis("**它的含义。** 网关，*报告*：x") == []
    assert stray_emphasis("（**MUST**）和 `**。**在`") == []
    assert stray_emphasis("* 一项**重要**\n* 二") == []
    assert [found[-8:] for found in stray_emphasis("| **没有 Allow** | **一份。**在 |")] == [
        "一份。**在 |"
    ]
    assert stray_emphasis("一份**在") == ["一份**在"]
