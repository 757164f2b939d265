"""A drill's hints and tries (labkit.drill), and the words lesson 08's incident uses to send
each learner to the next hint: the one way to a hint that learner has (a code cell's q6.hint(),
the quiz panel's Hint button, a drill's drill.hint()).

The drill's other stories (joining, the board, the debrief) are in test_board.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

import labkit
from labkit import board, classroom, drill
from labkit.exercises import capstone

WRONG = {"made_by": "client", "cause": "refused"}
PAST_THE_LIMIT = "no longer says which part is right"


@pytest.fixture
def exchange(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "exchange"
    classroom.init_exchange(where)
    monkeypatch.setenv("LABKIT_EXCHANGE", str(where))
    return where


@pytest.fixture
def practice(lab: labkit.Lab, monkeypatch: pytest.MonkeyPatch) -> Iterator[drill.Drill]:
    monkeypatch.delenv("LABKIT_EXCHANGE", raising=False)
    d = drill.join(lab)
    yield d
    d.leave()


def _incident(d: drill.Drill) -> capstone.Diagnosis:
    number = drill.incident_number(drill.PRACTICE if d.practice else d.name)
    return next(q for q in capstone.EXERCISES if q.incident.number == number)


def _past_the_limit(check) -> str:  # type: ignore[no-untyped-def]
    """The message of the first wrong try after the limit (the ones before confirm a part)."""
    for _ in range(capstone.CONFIRMED_TRIES):
        assert PAST_THE_LIMIT not in check(WRONG).message
    message: str = check(WRONG).message
    assert PAST_THE_LIMIT in message
    return message


# -- past the limit, each learner is told what they can press or call --


def test_past_the_limit_a_code_cell_is_told_its_own_call() -> None:
    """It said ".hint() goes one step further", which names no exercise: q6.hint() does."""
    message = _past_the_limit(capstone.q6.check)
    assert "; q6.hint() goes one step further each time." in message


def test_past_the_limit_the_quiz_panel_names_its_hint_button(lab: labkit.Lab) -> None:
    """The quiz panel has a Hint button and no code cell: its feedback said ".hint() goes one
    step further" (in both languages)."""
    from labkit.widgets import Quiz

    capstone.incident6.start(lab)
    try:
        quiz = Quiz(capstone.q6)
        quiz.answer.made_by.boxes[quiz.answer.made_by.options.index(WRONG["made_by"])].value = True
        quiz.answer.cause.boxes[quiz.answer.cause.options.index(WRONG["cause"])].value = True

        def check(_: object) -> SimpleNamespace:
            quiz.check_button.click()
            return SimpleNamespace(message=quiz.feedback.value)

        message = _past_the_limit(check)
    finally:
        capstone.incident6.stop(lab)
    assert "the Hint button goes one step further each time." in message
    assert "hint()" not in message


def test_past_the_limit_the_quiz_panel_says_it_in_chinese(monkeypatch) -> None:
    from labkit.widgets import QUIZ_ASKER

    monkeypatch.setenv("LABKIT_LANG", "zh-CN")
    with capstone.judged_for_a_drill(capstone.CONFIRMED_TRIES):
        said = capstone.q6.check(WRONG, asker=QUIZ_ASKER).message
    assert "根据证据确定两个部分；“提示”按钮每次会多提示一步。" in said, said
    assert "hint()" not in said


def test_past_the_limit_a_drill_is_told_drill_hint(practice: drill.Drill) -> None:
    """A drill's learner holds the drill, not lesson 08's q6: ".hint()" named neither."""
    message = _past_the_limit(practice.check)
    assert "; drill.hint() goes one step further each time." in message


def test_a_left_drill_says_so_and_what_still_holds(lab: labkit.Lab, practice: drill.Drill) -> None:
    """After drill.leave() the drill was still shown as "Diagnose it", as if the lab still
    failed, while a new request got a 200: it now says it was left and what still holds."""
    assert "You left this drill" not in repr(practice)
    failing = practice.exchange.status
    practice.leave()
    shown = repr(practice)
    assert shown.endswith(
        "You left this drill (drill.leave()): your lab is a fresh lab again, so a new request "
        "no longer fails. drill.exchange is the failing exchange as it happened; "
        "drill.check(...) no longer counts a diagnosis: `drill = labkit.drill.join(lab)` joins "
        "again."
    ), shown
    assert practice.exchange.status == failing >= 500
    assert lab.get(practice.exchange.target).status == 200


def test_leave_says_what_it_changed_and_a_second_leave_that_nothing_was_left(
    practice: drill.Drill, capsys: pytest.CaptureFixture[str]
) -> None:
    """drill.leave() said nothing, the first time or the second: the learner could not tell
    whether the lab was back. Fails before (no output)."""
    capsys.readouterr()
    practice.leave()
    assert capsys.readouterr().out == (
        "You left drill solo: your lab is a fresh lab again (a new request no longer fails), "
        "and drill.check(...) no longer counts a diagnosis.\n"
    )
    practice.leave()
    assert capsys.readouterr().out == "Nothing to leave: you left drill solo already.\n"


def test_a_check_after_leaving_is_not_counted_and_says_how_to_join_again(
    exchange: Path, lab: labkit.Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    """drill.check kept judging, and sending tries to the instructor's inbox, after
    drill.leave(): a diagnosis of an incident the lab no longer has. It is now one line, not
    an attempt, and nothing is recorded. Fails before (judged wrong, and recorded)."""
    drill.start(exchange, "left")
    d = drill.join(lab)
    d.leave()
    result = d.check(WRONG)
    assert (result.correct, result.refused) == (None, True)
    assert result.message == (
        "You left drill left, so this diagnosis is not counted: "
        "`drill = labkit.drill.join(lab)` joins it again."
    )
    (mine,) = board.learner_state()["drills"].values()
    assert mine["tries"] == [] and "wrong" not in mine
    monkeypatch.setenv("LABKIT_LANG", "zh-CN")
    zh = drill.join(labkit.start(lang="zh-CN"))
    try:
        zh.leave()
        assert zh.check(WRONG).message == (
            "你已离开 left 演练，这次诊断不计入：运行 `drill = labkit.drill.join(lab)` 可重新加入。"
        )
    finally:
        zh.lab.stop()


def test_a_hint_after_leaving_is_refused_in_one_line_and_not_counted(
    exchange: Path, lab: labkit.Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    """drill.hint() after drill.leave() still gave the incident's next hint, counted it in the
    learner's memo and sent the count to the instructor's inbox, where a check after leaving
    is refused. It is now one line naming how to join again, nothing counted. Fails before
    (it gave "Hint 1 of ...", and the memo counted it)."""
    drill.start(exchange, "gone")
    d = drill.join(lab)
    d.leave()
    note = d.hint()
    assert repr(note) == (
        "drill gone: You left drill gone, so it gives no more hints: "
        "`drill = labkit.drill.join(lab)` joins it again."
    )
    assert "\n" not in repr(note) and "Hint" not in repr(note)
    mine = board.learner_state()["drills"].values()
    assert all("hints" not in entry for entry in mine), list(mine)
    assert d.hints_shown() == 0
    monkeypatch.setenv("LABKIT_LANG", "zh-CN")
    zh = drill.join(labkit.start(lang="zh-CN"))
    try:
        zh.leave()
        assert zh.hint().text == (
            "你已离开 gone 演练，它不再给出提示：运行 `drill = labkit.drill.join(lab)` 可重新加入。"
        )
    finally:
        zh.lab.stop()


def test_a_drill_given_text_says_its_instruction_once(practice: drill.Drill) -> None:
    """Text instead of a dict was told "answer with a dict such as {...}, not '...'; answer
    {...}": the form twice. Fails before (two "answer", two "made_by")."""
    result = practice.check("the gateway refused")
    assert result.correct is None
    assert result.message.startswith("answer with a dict, {'made_by': <one of client, ")
    assert result.message.endswith(">}, not 'the gateway refused'.")
    assert result.message.count("answer") == 1 and result.message.count("made_by") == 1


# -- one hint mechanism: the drill's count, the drill's words --


def test_a_drill_offers_its_hints_while_it_has_some_whatever_lesson_08_showed(
    practice: drill.Drill,
) -> None:
    """The drill's count decides the offer, in the drill's words: lesson 08's own count (none
    shown here) is not asked, and its q6.hint() is never named."""
    q = _incident(practice)
    assert "(Stuck? drill.hint() gives a hint.)" in practice.check(WRONG).message
    for _ in q.hint_texts:
        practice.hint()
    assert q.hints_shown() == 0  # lesson 08's count: untouched
    message = practice.check(WRONG).message
    assert "Stuck?" not in message and ".hint()" not in message, message


def test_a_drills_hints_say_call_again_then_come_round(practice: drill.Drill) -> None:
    count = len(_incident(practice).hint_texts)
    notes = [repr(practice.hint()) for _ in range(count + 1)]
    assert [n.split(":")[0] for n in notes] == [
        *(f"Hint {i} of {count}" for i in range(1, count + 1)),
        f"Hint 1 of {count}",
    ]
    assert all(n.endswith("(call hint() again for another)") for n in notes[: count - 1])
    assert "again" not in notes[count - 1].split(":", 1)[1]
    assert notes[count].endswith("they come round again from the first)")


# -- the learner's memo: read once per call --


def test_a_drill_reads_the_learners_memo_once_per_check_and_hint(
    exchange: Path, lab: labkit.Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A class drill's counts live in the learner's memo file: a check read it three times
    (its wrong tries, its hints, then again to update it), a hint twice."""
    drill.start(exchange, "memo")
    d = drill.join(lab)
    reads = []
    read = board.learner_state

    def counted() -> dict[str, object]:
        reads.append(1)
        return read()

    monkeypatch.setattr(board, "live", lambda: None)  # the live entry's own read: not the drill's
    monkeypatch.setattr(board, "learner_state", counted)
    try:
        assert d.check(WRONG).correct is False
        assert len(reads) == 1
        reads.clear()
        assert repr(d.hint()).startswith("Hint 1 of ")
        assert len(reads) == 1
    finally:
        d.leave()
    (mine,) = read()["drills"].values()  # the one drill joined
    assert (mine["hints"], mine["wrong"], len(mine["tries"])) == (1, 1, 1)


def test_a_file_or_nothing_given_as_the_exchange_is_said(tmp_path: Path) -> None:
    """`labkit drill stop --exchange FILE` said "no drill in FILE/outbox": a directory under a
    file, as if an exchange were there with no drill in it."""
    from helpers import labkit_in_process

    notes = tmp_path / "notes.txt"
    notes.write_text("drill at 10:00\n")
    fix = "give the exchange's directory (`labkit exchange init DIR` makes one)"
    for action in (["stop"], ["debrief"], ["start", "one"]):
        done = labkit_in_process("drill", *action, "--exchange", str(notes))
        assert (done.returncode, done.stderr) == (
            1,
            f"labkit: error: {notes} is a file, not an exchange: {fix}\n",
        ), action
        gone = labkit_in_process("drill", *action, "--exchange", str(tmp_path / "no"))
        assert gone.stderr == f"labkit: error: there is no exchange at {tmp_path / 'no'}: {fix}\n"
    zh = labkit_in_process("drill", "stop", "--exchange", str(notes), env={"LABKIT_LANG": "zh-CN"})
    assert zh.stderr == (
        f"labkit: error: {notes} 是一个文件，不是交换目录：请给出交换目录（`labkit exchange init "
        "DIR` 会创建一个）\n"
    )
    assert notes.read_text() == "drill at 10:00\n"
    # an exchange without a drill still says so
    classroom.init_exchange(tmp_path / "exchange")
    none = labkit_in_process("drill", "stop", "--exchange", str(tmp_path / "exchange"))
    assert f"no drill in {tmp_path / 'exchange' / 'outbox'}" in none.stderr


def test_a_class_drill_names_who_reads_the_tries(
    exchange: Path, lab: labkit.Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each try goes live into the exchange's inbox, which only its owner reads: a classmate
    who made the exchange's directories before the instructor read every learner's entry,
    and the drill said nothing of it (lesson 10 said "only your instructor reads")."""
    import os
    import pwd

    drill.start(exchange, "reader")
    me = pwd.getpwuid(os.getuid()).pw_name
    d = drill.join(lab)
    try:
        assert repr(d).splitlines()[-1] == (
            f"Your tries go to the exchange's inbox, which only its owner {me!r} reads: "
            "if that is not your instructor, tell your instructor."
        )
    finally:
        d.leave()
    if os.getuid() != 0:
        return
    os.chown(exchange / "inbox", pwd.getpwnam("nobody").pw_uid, -1)  # as a classmate's
    monkeypatch.setenv("LABKIT_LANG", "zh-CN")
    zh = drill.join(labkit.start(lang="zh-CN"))
    try:
        assert repr(zh).splitlines()[-1] == (
            "你的每次尝试都会写进交换目录的收件箱，只有它的属主 'nobody' 能读到：如果那不是你的讲师，请告诉你的讲师。"
        )
    finally:
        zh.leave()
        zh.lab.stop()


def test_a_drill_names_no_reader_where_its_tries_do_not_go(
    tmp_path: Path, lab: labkit.Lab, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """In a directory anyone may write, whoever made the exchange first owns its inbox, and
    the live entry (so every try) is not sent there (classroom.unvouched): the drill said
    "Your tries go to the exchange's inbox, which only its owner 'nobody' reads", of tries
    that went nowhere. It names no reader there; the live entry's one line says why.
    Fails before (the line named 'nobody')."""
    import os
    import pwd

    if os.getuid() != 0:
        pytest.skip("needs root to give the exchange to another user")
    open_dir = tmp_path / "anyone-writes"
    open_dir.mkdir()
    open_dir.chmod(0o1777)
    where = open_dir / "exchange"
    classroom.init_exchange(where)
    monkeypatch.setenv("LABKIT_EXCHANGE", str(where))
    drill.start(where, "reader")
    nobody = pwd.getpwnam("nobody").pw_uid
    for path in (where, where / "inbox", where / "outbox"):
        os.chown(path, nobody, -1)  # as a classmate's, made before the instructor's
    d = drill.join(lab)
    try:
        assert "Your tries go to" not in repr(d)
        err = capsys.readouterr().err
        assert err.count("may be a classmate's, not your instructor's") == 1, err
    finally:
        d.leave()
    assert not list((where / "inbox").iterdir())
