"""``personalities.glossed`` reads a log line as ``re.fullmatch(GLOSSED, line)`` does, without
compiling the pattern at import (every lab's process builds the personalities' tables)."""

from __future__ import annotations

import re

from labkit import i18n, personalities
from labkit.personalities import GLOSSED, GLOSSES, glossed


def _by_the_pattern(log: str) -> str:
    m = re.fullmatch(GLOSSED, log)
    if m is None or m.group(2) not in GLOSSES:
        return log
    return i18n.Said(i18n.Msg("{line} ({gloss})", line=m.group(1), gloss=GLOSSES[m.group(2)]))


def _lines() -> list[str]:
    """Every gloss behind every kind of head, and one-character changes of each part."""
    heads = ["503 SC--", "502 UF", "504 sH--", "503 UH", "503 a-b", "500 -", "5031 SC", "50 SC"]
    heads += ["503  SC", "503 S C", "503 SC_", "503 SÇ", "５０３ SC", "٥٠٣ SC", "503", " 503 SC"]
    heads += ["503 SC\n", "503\tSC", "x03 SC", "503 SC--x", "5²3 SC", ""]
    glosses = [*GLOSSES, "server aborted: reset)", "no such gloss", "", "upstream remote reset\n"]
    lines = []
    for head in heads:
        for gloss in glosses:
            line = f"{head} ({gloss})"
            lines += [line, line[:-1], line + " ", line + ")", line.replace(" (", "(", 1)]
            lines += [line.replace(" (", " ((", 1), f"{head} ({gloss}) ({gloss})"]
    for p in personalities.PERSONALITIES.values():
        lines += [str(answer.log) for answer in p.table.values()]
    return lines


def test_glossed_reads_a_line_as_the_pattern_does() -> None:
    lines = _lines()
    assert len(lines) > 1000
    glossed_lines = 0
    for line in lines:
        got, expected = glossed(line), _by_the_pattern(line)
        assert type(got) is type(expected), line
        assert str(got) == str(expected), line
        assert i18n.render(got, i18n.CHINESE) == i18n.render(expected, i18n.CHINESE), line
        glossed_lines += isinstance(got, i18n.Said)
    assert glossed_lines > 100  # the corpus holds many glossed lines, not only refusals
