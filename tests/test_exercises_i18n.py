"""Exercises in the learner's language (issue 18): the lab running in this process chooses
(the one started most recently), else the lab started last though stopped, else LABKIT_LANG,
else English; the text is chosen each time
it is shown, so starting a lab in another language switches what the next check, hint or
solution says. English stays as it was, byte for byte."""

from __future__ import annotations

import io
import re
import tokenize

import pytest

import labkit
from labkit import i18n
from labkit.exercises import Exercise, all_exercises
from labkit.exercises.lesson_500 import q1
from labkit.i18n import Msg

BLANK_EN = (
    "[500.who-made-it] not answered yet: replace the `...` with your answer and run the cell again."
)
BLANK_ZH = "[500.who-made-it] 尚未作答：把 `...` 换成你的答案，再运行这个单元格。"
# what a wrong answer, the first hint and the solution say: (label, the wrong answer's last
# words, the hint's first words, the verdict's first words, the solution's title)
SAID = {
    "zh-CN": (
        "还不对",
        # q1: as the notebook names it; no space after the 。 (it read "。  （卡住了" until
        # December 2026)
        "响应。（卡住了？调用 q1.hint() 可以得到提示。）",
        "提示 1/2：看 ex.generated_by",
        "[500.who-made-it] 还不对：客户端是收到",
        "解答",
    ),
    "en": (
        "Not yet",
        "  (Stuck? q1.hint() gives a hint.)",
        "Hint 1 of 2: Look at ex.generated_by",
        "[500.who-made-it] Not yet: the client received",
        "Solution",
    ),
}


def _says(lang: str) -> None:
    """q1 answered wrong, its first hint and its solution, in ``lang``'s words (SAID)."""
    label, stuck, hint, verdict, solution = SAID[lang]
    wrong = q1.check("client")
    assert wrong.label == label
    assert wrong.message.endswith(stuck)
    assert repr(q1.hint()).startswith(hint)
    assert repr(q1.check("client")).startswith(verdict)
    assert q1.solution().title == solution


def test_learner_language_is_the_newest_running_labs_then_the_last_started_then_labkit_lang(
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
    # none runs: the one started last, though stopped (the Chinese one: see below)
    assert i18n.learner_language() == "zh-CN"


def test_a_stopped_labs_language_is_kept_until_another_lab_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A Chinese lesson's exercises stay Chinese after ``lab.stop()`` (README.zh-CN's first
    block stops the lab before its exercises block; a lesson's last cell stops it): the
    language the notebook chose outranks LABKIT_LANG, as the running lab's does. They
    turned English (LABKIT_LANG unset) until December 2026."""
    monkeypatch.delenv("LABKIT_LANG", raising=False)
    labkit.start(lang="zh-CN").stop()
    assert repr(q1.check(...)) == BLANK_ZH
    _says("zh-CN")
    monkeypatch.setenv("LABKIT_LANG", "en")
    assert repr(q1.check(...)) == BLANK_ZH
    labkit.start(lang="en").stop()  # a lab started since chooses again
    assert repr(q1.check(...)) == BLANK_EN


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
        assert "把 <code>...</code> 换成你的答案" in blank._repr_html_()
        assert "尚未作答：" not in blank._repr_html_()  # the label says it once
        _says("zh-CN")
        with labkit.start(lang="en"):  # the newest lab speaks English: so does the exercise
            assert repr(q1.check(...)) == BLANK_EN
            assert q1.hint().title == "Hint 2 of 2"
        assert repr(q1.check(...)) == BLANK_ZH


def test_in_english_nothing_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LABKIT_LANG", raising=False)
    assert repr(q1.check(...)) == BLANK_EN
    _says("en")
    assert "<b>Not answered yet</b>" in q1.check(...)._repr_html_()


def test_labkit_lang_speaks_chinese_before_any_lab_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABKIT_LANG", "zh-CN")
    assert repr(q1.check(...)) == BLANK_ZH
    assert q1.check("x" * 301).message.startswith("答案只需几个词，而这个答案有 301 个字符")
    # why an answer of the wrong kind was refused (answers.py), inside the Chinese sentence
    from labkit.exercises.lesson_503 import q1 as retry_after
    from labkit.exercises.lesson_504 import q3 as or_502

    assert q1.check("not the origin").message.startswith(
        "'not the origin' 说的是它不是什么；请直接给出答案本身；请用其中一个选项作答："
    )
    assert q1.check("maybe the origin").message.startswith(
        "'maybe the origin' 用了含糊的说法（'maybe'）；请给出你确定的答案；"
    )
    assert q1.check(42).message.startswith("42 不是选项之一；")
    assert retry_after.check(30).message.startswith("int 类型的值不是标头名；")
    assert or_502.check(700).message.startswith("700 不是状态码（状态码从 100 到 599）；")
    assert or_502.check("5xx").message.startswith(
        "'5xx' 指的是一类状态码（500 到 599 全部），而不是其中一个；"
    )
    monkeypatch.setenv("LABKIT_LANG", "en")
    assert or_502.check("5xx").message.startswith(
        "'5xx' names a class of statuses (all of 500 to 599), not one; "
    )


# -- every exercise's text is in the catalogue, and said in Chinese --

_HAN = re.compile(r"[\u3400-\u9fff]")


def _is_code(text: str) -> bool:
    """A solution or hint that is only Python, with nothing to translate: a comment in words
    is said in the learner's language, so code with one is a Msg (docs/i18n.md; four
    solutions kept English comments on a Chinese screen until December 2026)."""
    try:
        compile(text, "<solution>", "exec")
    except SyntaxError:
        return False
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    return not any(
        t.type == tokenize.COMMENT and re.search("[A-Za-z]{2}", t.string) for t in tokens
    )


def _texts(q: Exercise) -> list[tuple[str, object]]:
    """Every text an exercise can show, except the ones its judge builds while judging."""
    texts: list[tuple[str, object]] = [("prompt", q.prompt_text), ("solution", q.solution_msg)]
    texts += [(f"hint {i + 1}", h) for i, h in enumerate(q.hint_texts)]
    texts += [("feedback", f) for f in getattr(q, "feedback", {}).values()]
    if getattr(q, "default", ""):
        texts.append(("default", q.default))
    success = getattr(q, "success", None)
    if success is not None and not callable(success):
        texts.append(("success", success))
    for name in ("wrong_maker", "wrong_cause"):
        texts += [(name, t) for t in getattr(q, name, {}).values()]
    for name in ("maker_default", "cause_default"):
        if hasattr(q, name):
            texts.append((name, getattr(q, name)))
    return texts


@pytest.mark.parametrize("q", all_exercises(), ids=lambda q: q.id)
def test_every_exercise_text_is_a_catalogue_message_said_in_chinese(q: Exercise) -> None:
    """Each text is a Msg (so tools/messages.py extracts it and test_i18n fails while it has
    no translation), or code; rendered in zh-CN it is Chinese, in English it is the source."""
    for what, text in _texts(q):
        if isinstance(text, str):
            assert _is_code(text), f"{q.id} {what} is English text, not a Msg: {text[:80]!r}"
            continue
        assert isinstance(text, Msg), (q.id, what, text)
        chinese = text.render("zh-CN")
        assert _HAN.search(chinese), f"{q.id} {what} is not Chinese: {chinese[:80]!r}"
        assert text.render("en") == str(text)


@pytest.mark.slow
def test_a_judged_task_says_its_verdict_and_detail_in_the_labs_language(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Over real sockets: lesson 01's handler task, judged through the gateway."""
    from labkit.exercises.lesson_500 import q5

    def show_order(order_id: str) -> tuple[int, object]:
        return 200, {"id": order_id}  # every order exists: 'abc' and '99' are not 404

    monkeypatch.delenv("LABKIT_LANG", raising=False)
    with labkit.start(lang="zh-CN") as lab:
        result = q5.check(show_order, lab)
        assert result.label == "还不对"
        assert result.message.startswith("经过网关：/orders/abc 返回了 200，应当是 400 或 404")
        assert "GET /orders/abc -> 200（由源服务器生成）" in result.detail
        refused = q5.check(show_order, "lab")
        assert refused.label == "未检查（不计入）"
        assert refused.message == (
            "请同时传入实验室：q5.check(show_order, lab)（也就是用 lab = labkit.start() 启动、"
            "正在运行的那个）。"
        )
        with labkit.start(lang="en") as english:
            result = q5.check(show_order, english)
            assert result.message.startswith(
                "through the gateway: /orders/abc answered 200, expected 400 or 404"
            )
            assert "GET /orders/abc -> 200 (made by the origin)" in result.detail


@pytest.mark.slow
def test_a_judged_tasks_quoted_why_is_said_in_the_labs_language(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A 500 the learner's handler chose is quoted with the lab's why beside it: in English
    inside the Chinese verdict ("[the learner's handler chose 500]") until December 2026."""
    from labkit.exercises.lesson_500 import q5

    def show_order(order_id: str) -> tuple[int, object]:
        return 500, "no"

    monkeypatch.delenv("LABKIT_LANG", raising=False)
    with labkit.start(lang="zh-CN") as lab:
        said = q5.check(show_order, lab).message
        assert (
            "/orders/abc 返回了 500，应当是 400 或 404（'abc' 不是订单编号），因为学员的处理函数选择了 500"
            in said
        )
        assert "handler chose" not in said
        with labkit.start(lang="en") as english:
            said = q5.check(show_order, english).message
            assert "answered 500, expected 400 or 404 ('abc' is not an order number) " in said
            assert "[the learner's handler chose 500]" in said


# -- the eleventh re-examination (2026-12-05c) --


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_an_options_words_in_another_language_name_that_option(
    lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An option's Chinese words, the Quiz's label beside it, typed as the answer ("处理函数给出
    的 500" for 502 q1's "a 500 from the handler") were refused while a condition's Chinese
    words were accepted: each option's words in any language, with a full stop, or typed with
    the option as the Quiz shows both, are that option (judged as the option itself is)."""
    from labkit.exercises.core import Choice

    monkeypatch.setenv("LABKIT_LANG", lang)
    tried = 0
    for q in all_exercises():
        if not isinstance(q, Choice):
            continue
        for option in q.options:
            words = i18n.translate("zh-CN", option, context=q.OPTION)
            if words == option:
                continue
            for form in (words, f"{words}。", f"{option}（{words}）"):
                tried += 1
                assert q.check(form).correct == q.check(option).correct, (q.id, form)
    assert tried > 60
    from labkit.exercises.lesson_502 import q1

    assert q1.check("处理函数给出的 500")


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_code_marked_with_backticks_shows_as_code_in_html_never_as_backticks(lang: str) -> None:
    # every question and every one-line hint and solution, as the notebook and the quiz show
    # them; a multi-line solution is code in <pre> and keeps what it says
    from labkit.exercises.core import Note, render

    marked = 0
    for ex in all_exercises():
        shown = [ex.prompt_html(lang)]
        texts = [render(h, lang) for h in ex.hint_texts] + [render(ex.solution_msg, lang)]
        shown += [Note("t", t, lang)._repr_html_() for t in texts if "\n" not in t]
        for html_text in shown:
            assert "`" not in html_text, (ex.id, html_text)
            marked += html_text.count("<code>")
    assert marked >= 5  # the messages do mark code: this would pass vacuously otherwise
    blank = q1.check(...)
    assert "<code>...</code>" in blank._repr_html_() and "`...`" in repr(blank)


def test_a_hints_aside_stands_beside_its_full_stop_in_chinese(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What follows a hint (how to get the next, or that all were shown) is an aside after
    the hint's sentence: a space apart in English, none after a 。 in Chinese. Every Chinese
    hint read "。 （再调用一次 hint() 可以看下一条）" until December 2026."""
    monkeypatch.setenv("LABKIT_LANG", "zh-CN")
    first, last, again = q1.hint(), q1.hint(), q1.hint()
    assert first.text.endswith("。（再调用一次 hint() 可以看下一条）"), first.text
    assert "再调用一次" not in last.text and "所有提示" not in last.text  # nothing more offered
    assert again.text.endswith("。（所有提示都已显示过：再问一次，就从第一条起再显示一遍）")
    monkeypatch.setenv("LABKIT_LANG", "en")
    assert q1.hint().text.endswith(
        ". (every hint has been shown: asked again, they come round again from the first)"
    )


def test_a_capstone_verdict_quotes_the_page_as_the_learners_lab_serves_it() -> None:
    """The capstone's feedback for 'refused' points at the words the gateway's page says in
    'What it observed'; in Chinese it quoted the English “connect() failed”, which the
    Chinese page a Chinese lab gets does not say (它观察到的情况：connect() 失败：连接被拒绝),
    until December 2026."""
    from labkit.exercises import capstone

    with labkit.start(lang="zh-CN") as lab:
        page = lab.get("/up/refused/").text
        ex = capstone.INCIDENTS[0].start(lab)
        try:
            said = capstone.q1.check({"made_by": "gateway", "cause": "refused"}).message
        finally:
            capstone.INCIDENTS[0].stop(lab)
    assert ex.status == 503
    quoted = re.search(r"里写着“([^”]+)”", said)
    assert quoted and quoted.group(1) in page, (said, page)


def test_no_exercise_sends_the_learner_to_the_lesson_it_is_in() -> None:
    """07 q4's success line and hint said "(lesson 07)", 第 07 课, inside lesson 07 itself
    (fails before): a pointer to where the learner already is."""
    from pathlib import Path

    numbers = {"09": "09", "capstone": "08"}
    for notebook in (Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9]*.ipynb"):
        number, code = notebook.name.split("-")[:2]
        numbers.setdefault(code, number)
    found = []
    for q in all_exercises():
        texts = [q.prompt_text, *q.hint_texts, q.solution_msg]
        success = getattr(q, "success", None)
        texts += [success] if isinstance(success, (str, Msg)) else []
        feedback = getattr(q, "feedback", None)
        texts += list(feedback.values()) if isinstance(feedback, dict) else []
        here = rf"lesson {numbers[q.lesson]}\b|第 ?{numbers[q.lesson]} ?课"
        for lang in i18n.LANGUAGES:
            found += [(q.id, lang) for t in texts if re.search(here, i18n.render(t, lang))]
    assert not found, found
