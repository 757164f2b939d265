"""Exercises in the learner's language (issue 18): the lab running in this process chooses
(the one started most recently), else LABKIT_LANG, else English; the text is chosen each time
it is shown, so starting a lab in another language switches what the next check, hint or
solution says. English stays as it was, byte for byte."""

from __future__ import annotations

import pytest

import labkit
from labkit import i18n
from labkit.exercises.lesson_500 import q1

BLANK_EN = (
    "[500.who-made-it] not answered yet: replace the `...` with your answer and run the cell again."
)
BLANK_ZH = "[500.who-made-it] 尚未作答：把 `...` 换成你的答案，再运行这个单元格。"


def test_learner_language_is_the_newest_running_labs_then_labkit_lang_then_english(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LABKIT_LANG", raising=False)
    assert i18n.learner_language() == "en"
    monkeypatch.setenv("LABKIT_LANG", "zh_CN")
    assert i18n.learner_language() == "zh-CN"
    with labkit.start(lang="en"):
        assert i18n.learner_language() == "en"  # the lab's own language, not the variable's
        with labkit.start(lang="zh-CN"):
            assert i18n.learner_language() == "zh-CN"  # the newest lab
        assert i18n.learner_language() == "en"  # it stopped: the one still running
    assert i18n.learner_language() == "zh-CN"  # no lab: LABKIT_LANG


def test_a_lab_started_again_is_the_newest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LABKIT_LANG", raising=False)
    first = labkit.start(lang="zh-CN")
    try:
        with labkit.start(lang="en"):
            first.stop()
            first.start()  # a restarted lab is started anew: it is the newest again
            assert i18n.learner_language() == "zh-CN"
    finally:
        first.stop()


def test_an_exercise_speaks_the_running_labs_language_and_switches_with_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LABKIT_LANG", raising=False)
    with labkit.start(lang="zh-CN"):
        blank = q1.check(...)
        assert repr(blank) == BLANK_ZH
        assert "<b>尚未作答</b>" in blank._repr_html_()
        assert "把 `...` 换成你的答案" in blank._repr_html_()
        assert "尚未作答：" not in blank._repr_html_()  # the label says it once
        wrong = q1.check("client")
        assert wrong.label == "还不对"
        assert wrong.message.endswith("（卡住了？对这道练习调用 .hint() 可以得到提示。）")
        assert q1.hint().title == "提示 1/2"
        assert q1.solution().title == "解答"
        with labkit.start(lang="en"):  # the newest lab speaks English: so does the exercise
            assert repr(q1.check(...)) == BLANK_EN
            assert q1.hint().title == "Hint 2 of 2"
        assert repr(q1.check(...)) == BLANK_ZH


def test_in_english_nothing_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LABKIT_LANG", raising=False)
    assert repr(q1.check(...)) == BLANK_EN
    wrong = q1.check("client")
    assert wrong.label == "Not yet"
    assert wrong.message.endswith("  (Stuck? .hint() on this exercise gives a hint.)")
    assert q1.hint().title == "Hint 1 of 2"
    assert q1.solution().title == "Solution"
    assert "<b>Not answered yet</b>" in q1.check(...)._repr_html_()


def test_labkit_lang_speaks_chinese_before_any_lab_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABKIT_LANG", "zh-CN")
    assert repr(q1.check(...)) == BLANK_ZH
    assert q1.check("x" * 301).message.startswith("答案只需几个词，而这个答案有 301 个字符")
