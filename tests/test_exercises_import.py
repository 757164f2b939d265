"""What importing a lesson's exercises costs a kernel: only what its questions need then.

A lesson's import compiled every pattern of the answer matchers and read the lab's Chinese
catalogue (for the Chinese names of its pages' statuses), before the learner's first answer,
in every kernel. The patterns are now compiled on first use (``labkit.lazyre``) and the
catalogue read by the first answer that could hold a Chinese name (``answers.reasons``)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from labkit import i18n, lazyre
from labkit.exercises import answers, capstone, core


def _printed(code: str, tmp_path: Path) -> list[str]:
    env = {**os.environ, "LABKIT_RUNTIME_DIR": str(tmp_path / "run")}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return out.stdout.splitlines()


def test_an_english_answer_reads_no_catalogue_and_a_chinese_one_does(tmp_path: Path) -> None:
    """Seen as the process sees it: the files it opens (an audit hook)."""
    code = (
        "import sys\n"
        "opened = []\n"
        "sys.addaudithook(lambda event, args: event == 'open'"
        " and str(args[0]).endswith('.po') and opened.append(args[0]))\n"
        "from labkit.exercises import answers\n"
        "from labkit.exercises.lesson_504 import q1\n"
        "for answer in ('the 504 Gateway Timeout', '网关超时'):\n"
        "    status = answers.text(answer)\n"
        "    print(len(opened), status)\n"
    )
    english, chinese = _printed(code, tmp_path)
    assert english == "0 504"
    assert chinese == "1 504"


def test_an_answer_of_ascii_only_is_matched_against_the_same_reasons_as_before() -> None:
    """``answers.reasons`` leaves the Chinese names out for a text of ASCII only: the same
    table as long as every Chinese name has a character outside ASCII (a translation that
    kept an English reason phrase would not), in the same order (the longest first, ties
    in the table's order)."""
    every = answers.reasons("网关")
    english = answers.reasons("gateway")
    assert [(k, v) for k, v in every.items() if k.isascii()] == list(english.items())
    assert every["错误网关"] == 502 and every["服务器内部错误"] == 500
    assert len(every) > len(english)


def test_every_pattern_compiled_later_compiles() -> None:
    """A pattern compiled on first use would hide a mistake in it until a learner's answer
    needed it: each compiles, with its flags."""
    found = []
    for module in (answers, core):
        for value in vars(module).values():
            values = value.values() if isinstance(value, dict) else [value]
            found += [p for p in values if isinstance(p, lazyre.Pattern)]
    assert len(found) > 40
    for pattern in found:
        assert pattern.compiled.pattern == pattern.pattern
    assert lazyre.later("a.b", re.S).search("a\nb") is not None


def test_the_capstone_reads_no_catalogue_until_an_answer_is_not_english(tmp_path: Path) -> None:
    """The capstone's import rendered each cause's description in every language (a learner
    pastes the description from the list shown in theirs), reading the Chinese catalogue in
    every kernel; now the first answer with a character outside ASCII does. A pasted
    description, English or Chinese, still names its cause."""
    code = (
        "import sys\n"
        "opened = []\n"
        "sys.addaudithook(lambda event, args: event == 'open'"
        " and str(args[0]).endswith('.po') and opened.append(args[0]))\n"
        "from labkit.exercises import answers, capstone\n"
        "print(len(opened))\n"
        "print(answers.cause('maintenance'), len(opened))\n"
        "for lang in ('en', 'zh-CN'):\n"
        "    print(answers.cause(capstone.CAUSE_TEXTS['cached-error'].render(lang)), len(opened))\n"
    )
    imported, named, english, chinese = _printed(code, tmp_path)
    assert imported == "0"
    assert named == "maintenance 0"
    assert english == "cached-error 0"
    assert chinese == "cached-error 1"


def test_every_description_of_a_cause_in_another_language_is_english_or_not_ascii() -> None:
    """What lets an answer of ASCII only be matched against the English descriptions alone
    (``answers._cause_texts``); and each one, pasted, names its cause."""
    for lang in i18n.LANGUAGES:
        for key, text in capstone.CAUSE_TEXTS.items():
            shown = text.render(lang)
            assert shown == str(text) or not shown.isascii(), (lang, key)
            assert answers.cause(shown) == key, (lang, key)
