"""errors.py's one-line messages and the `labkit` command in the learner's language (issue 18).

The command speaks LABKIT_LANG; its command words, option names and --help stay English (they
are typed). A value refused by errors.py's helpers (``unknown``, ``check_number``) is said in
the learner's language, naming what was given and what is allowed as before.
"""

from __future__ import annotations

import pytest

import labkit
from labkit import cli
from labkit.errors import BadArgument, LabNotRunning, UnknownName, check_number, unknown


def test_the_commands_messages_follow_labkit_lang(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LABKIT_LANG", "zh-CN")
    assert cli.main(["scenarios", "--lesson", "503"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("id ")  # the columns keep their --json names
    assert "503-maintenance" in out
    assert out.rstrip().endswith("个场景。`labkit run ID` 运行其中一个；`--json` 显示 shell 命令。")
    with pytest.raises(SystemExit) as exit:
        cli.main(["ctl", "timeout", "/", "--read", "abc"])
    assert exit.value.code == 2
    err = capsys.readouterr().err
    assert err == (
        "labkit ctl timeout: error: argument --read: "
        "read_timeout 必须是 0.01 到 60 之间的数（单位：秒），而不是 'abc'\n"
        "（参见 `labkit ctl timeout --help`）\n"
    )
    with pytest.raises(SystemExit):
        cli.main(["ctl", "wait-busy", "x"])
    assert "应为 >= 0 的整数，而不是 'x'" in capsys.readouterr().err


def test_in_english_the_command_says_what_it_said(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("LABKIT_LANG", raising=False)
    with pytest.raises(SystemExit):
        cli.main(["ctl", "timeout", "/", "--read", "abc"])
    assert capsys.readouterr().err == (
        "labkit ctl timeout: error: argument --read: "
        "read_timeout must be a number of seconds between 0.01 and 60, not 'abc'\n"
        "(see `labkit ctl timeout --help`)\n"
    )


def test_errors_helpers_word_their_line_in_the_learners_language(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LABKIT_LANG", "zh-CN")
    assert str(unknown("lesson", "5O3", ["500", "503"])) == "未知的 lesson '5O3'；可选：500、503"
    with pytest.raises(BadArgument) as refused:
        check_number("read timeout", 99, minimum=0.01, maximum=60)
    assert str(refused.value) == "read timeout 必须在 0.01 到 60 之间（单位：秒），而不是 99"
    monkeypatch.delenv("LABKIT_LANG")
    assert str(unknown("lesson", "5O3", ["500", "503"])) == (
        "unknown lesson '5O3'; choose one of: 500, 503"
    )


def test_with_a_bad_labkit_lang_a_message_is_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABKIT_LANG", "klingon")
    assert str(unknown("lesson", "x", ["500"])) == "unknown lesson 'x'; choose one of: 500"
    with pytest.raises(UnknownName) as bad:
        labkit.start()
    assert str(bad.value) == "unknown LABKIT_LANG 'klingon'; choose one of: en, zh-CN"


def test_a_stopped_chinese_lab_says_so_in_chinese() -> None:
    lab = labkit.start(lang="zh-CN")
    lab.stop()
    with pytest.raises(LabNotRunning) as stopped:
        lab.get("/")
    assert str(stopped.value).startswith("这个实验已经停止：请重新运行启动它的单元格")
    with pytest.raises(LabNotRunning) as never:
        labkit.Lab(lang="zh-CN").get("/")
    assert str(never.value).startswith("这个实验还没有启动")
