"""errors.py's one-line messages and the `labkit` command in the learner's language (issue 18).

The command speaks LABKIT_LANG; its command words, option names and --help stay English (they
are typed). A value refused by errors.py's helpers (``unknown``, ``check_number``) is said in
the learner's language, naming what was given and what is allowed as before.
"""

from __future__ import annotations

import os
import subprocess
import sys

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
        "labkit ctl timeout: error: 参数 --read："
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


def labkit_command(*args: str, lang: str | None) -> subprocess.CompletedProcess[str]:
    """The real `labkit` command, in its own process, with LABKIT_LANG set (or unset)."""
    env = {k: v for k, v in os.environ.items() if k != "LABKIT_LANG"}
    if lang is not None:
        env["LABKIT_LANG"] = lang
    return subprocess.run(
        [sys.executable, "-m", "labkit", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )


# argparse's own words, said by the real command: (arguments, English line, Chinese line)
ARGPARSE_LINES = [
    (
        ("frobnicate",),
        "labkit: error: argument command: invalid choice: 'frobnicate' (choose from 'serve',",
        "labkit: error: 参数 command：无效的选择 'frobnicate'（可选：'serve',",
    ),
    (
        (),
        "labkit: error: the following arguments are required: command",
        "labkit: error: 缺少以下必需的参数：command",
    ),
    (
        ("scenarios", "--lesson"),
        "labkit scenarios: error: argument --lesson: expected one argument",
        "labkit scenarios: error: 参数 --lesson：需要一个值",
    ),
    (
        ("scenarios", "--colour"),
        "labkit: error: unrecognized arguments: --colour",
        "labkit: error: 无法识别的参数：--colour",
    ),
    (
        ("board", "--port", "eighty"),
        "labkit board: error: argument --port: invalid int value: 'eighty'",
        "labkit board: error: 参数 --port：无效的 int 值：'eighty'",
    ),
    (
        ("scenarios", "--json=yes"),
        "labkit scenarios: error: argument --json: ignored explicit argument 'yes'",
        "labkit scenarios: error: 参数 --json：这个选项不接受值，忽略了 'yes'",
    ),
]


@pytest.mark.parametrize(("args", "english", "chinese"), ARGPARSE_LINES)
def test_argparses_own_words_read_chinese_in_a_chinese_labkit_lang(
    args: tuple[str, ...], english: str, chinese: str
) -> None:
    """One error line and the way to help, no usage block, in either language; the
    `labkit: error:` prefix, option names and command words stay as typed (grep-able)."""
    for lang, line in ((None, english), ("zh-CN", chinese)):
        result = labkit_command(*args, lang=lang)
        assert result.returncode == 2, result
        first, see = result.stderr.splitlines()
        assert first.startswith(line), (lang, result.stderr)
        assert see.startswith("(see `labkit" if lang is None else "（参见 `labkit"), see
        assert "usage:" not in result.stderr and "Traceback" not in result.stderr


def test_help_stays_english_in_a_chinese_labkit_lang(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--help is the command's reference: its "usage:", headings and help texts stay
    English together (docs/i18n.md); a parse in Chinese leaves argparse as it was."""
    english = labkit_command("scenarios", "--help", lang=None)
    chinese = labkit_command("scenarios", "--help", lang="zh-CN")
    assert english.returncode == chinese.returncode == 0
    assert chinese.stdout == english.stdout
    assert chinese.stdout.startswith("usage: labkit scenarios") and "options:" in chinese.stdout
    import argparse

    english_words = vars(argparse)["_"]
    monkeypatch.setenv("LABKIT_LANG", "zh-CN")
    with pytest.raises(SystemExit):
        cli.main(["frobnicate"])
    assert "无效的选择 'frobnicate'" in capsys.readouterr().err
    assert vars(argparse)["_"] is english_words
