"""errors.py's one-line messages and the `labkit` command in the learner's language (issue 18).

The command speaks LABKIT_LANG; its command words, option names and --help stay English (they
are typed). A value refused by errors.py's helpers (``unknown``, ``check_number``) is said in
the learner's language, naming what was given and what is allowed as before.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import os
import pwd
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import run_labkit

import labkit
from labkit import classroom, cli, drill, grading, i18n, load, scenarios, switches
from labkit.errors import BadArgument, LabNotRunning, UnknownName, check_number, unknown
from labkit.exercises import all_exercises, capstone, store
from labkit.render import charts


def test_the_commands_messages_follow_labkit_lang(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LABKIT_LANG", "zh-CN")
    assert cli.main(["scenarios", "--lesson", "503"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("id ")  # the columns keep their --json names
    # each scenario's title in Chinese; --json, for programs, keeps the English
    assert "503-maintenance" in out and "带 Retry-After 的维护" in out
    assert out.rstrip().endswith("个场景。`labkit run ID` 运行其中一个；`--json` 显示 shell 命令。")
    assert cli.main(["scenarios", "--lesson", "503", "--json"]) == 0
    listed = {s["id"]: s for s in json.loads(capsys.readouterr().out)}
    assert listed["503-maintenance"]["title"] == "Maintenance with Retry-After"
    assert listed["503-maintenance"]["cause"] == (
        f"the origin is in maintenance: 503 with Retry-After: "
        f"{scenarios.MAINTENANCE_RETRY_AFTER} (seconds) and Cache-Control: no-store"
    )
    with pytest.raises(SystemExit) as exit:
        cli.main(["ctl", "timeout", "/", "--read", "abc"])
    assert exit.value.code == 2
    err = capsys.readouterr().err
    assert err == (
        "labkit: error: --read 必须是 0.01 到 60 之间的数（单位：秒），而不是 'abc'\n"
        "（参见 `labkit ctl timeout --help`）\n"
    )
    with pytest.raises(SystemExit):
        cli.main(["ctl", "wait-busy", "x"])
    assert "请求数必须是 0 到 100000 之间的整数，而不是 'x'" in capsys.readouterr().err


def test_in_english_the_command_says_what_it_said(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("LABKIT_LANG", raising=False)
    with pytest.raises(SystemExit):
        cli.main(["ctl", "timeout", "/", "--read", "abc"])
    assert capsys.readouterr().err == (
        "labkit: error: --read must be a number of seconds between 0.01 and 60, "
        "not 'abc'\n"
        "(see `labkit ctl timeout --help`)\n"
    )


@pytest.mark.parametrize(
    ("lang", "words", "said"),
    [
        ("en", ["rate-limit", "off"], "error: rate-limit must be a whole number from 1 to 1000, not 'off'"),
        ("zh-CN", ["rate-limit", "off"], "error: 请求数必须是 1 到 1000 之间的整数，而不是 'off'"),
        ("en", ["rate-limit", "0"], "rate-limit must be a whole number from 1 to 1000, not 0"),
        ("en", ["head-timeout", "origin", "x"], "head-timeout must be a number of seconds between"),
        ("en", ["timeout", "/", "--connect", "0"], "error: --connect must be between 0.01"),
        ("en", ["maintenance", "on", "--retry-in", "x"], "--retry-in must be a whole number from 0 to 31536000, not 'x'"),
        # what none means, for every nullable parameter: "none ()" said nothing
        ("en", ["maintenance", "on", "--cache-max-age", "x"], "or none (no-store, not cached), not 'x'"),
        ("zh-CN", ["maintenance", "on", "--cache-max-age", "x"], "或者 none（no-store，不缓存），而不是 'x'"),
    ],
)  # fmt: skip
def test_a_refused_switch_value_is_named_as_the_learner_typed_it(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    lang: str,
    words: list[str],
    said: str,
) -> None:
    """`labkit ctl rate-limit off` said "rate_limit must be a whole number >= 1", the Python
    attribute the switch sets, where the learner typed rate-limit (and --connect was named
    connect_timeout): a positional value is named by its switch (in Chinese, by what it
    is), an option by its flag; and once, not after argparse's name for it too."""
    monkeypatch.setenv("LABKIT_LANG", lang)
    with pytest.raises(SystemExit) as exit:
        cli.main(["ctl", *words])
    assert exit.value.code == 2
    err = capsys.readouterr().err
    assert said in err, err
    assert "_" not in err.splitlines()[0].partition("error:")[2], err


def test_every_nullable_switch_parameter_says_what_none_means() -> None:
    for switch in switches.SWITCHES.values():
        for param in switch.params:
            if param.nullable:
                assert str(param.none_means), (switch.name, param.name)


def test_errors_helpers_word_their_line_in_the_learners_language(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LABKIT_LANG", "zh-CN")
    assert str(unknown("lesson", "5O3", ["500", "503"])) == "未知的课号 '5O3'；可选：500、503"
    with pytest.raises(BadArgument) as refused:
        check_number("read timeout", 99, minimum=0.01, maximum=60)
    assert str(refused.value) == "read timeout 必须在 0.01 到 60 之间（单位：秒），而不是 99"
    monkeypatch.delenv("LABKIT_LANG")
    assert str(unknown("lesson", "5O3", ["500", "503"])) == (
        "unknown lesson '5O3'; choose one of: 500, 503"
    )


def test_what_a_name_was_not_found_among_is_said_in_words(monkeypatch: pytest.MonkeyPatch) -> None:
    """unknown() says what it did not find in the line's language: each kind a call in labkit
    names in words ("scenario") is in the catalogue (tools/messages.py takes it, msgctxt kind;
    a Chinese line said '未知的 scenario' until December 2026); a name as code spells it stays
    as given, set apart by spaces."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
    import messages

    from labkit.errors import KIND

    monkeypatch.setenv("LABKIT_LANG", "zh-CN")
    assert str(unknown("scenario", "x", ["b", "a"])) == "未知的场景 'x'；可选：a、b"
    assert str(unknown("lab.gateway.x", "y", ["a"])) == "未知的 lab.gateway.x 'y'；可选：a"
    kinds = [m.msgid for m in messages.extract() if m.context == KIND]
    assert {"scenario", "hop", "upstream", "lesson"} <= set(kinds)
    for kind in kinds:
        said = str(unknown(kind, "x", ["a"]))
        assert re.match(r"未知的[\u4e00-\u9fff]", said) and kind not in said, said
    monkeypatch.setenv("LABKIT_LANG", "en")
    assert str(unknown("scenario", "x", ["a"])) == "unknown scenario 'x'; choose one of: a"


def test_with_a_bad_labkit_lang_a_message_is_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABKIT_LANG", "klingon")
    assert str(unknown("lesson", "x", ["500"])) == "unknown lesson 'x'; choose one of: 500"
    with pytest.raises(UnknownName) as bad:
        labkit.start()
    assert str(bad.value) == "unknown LABKIT_LANG 'klingon'; choose one of: en, zh-CN"


def test_a_stopped_chinese_lab_says_so_in_chinese() -> None:
    lab = labkit.start(lang="zh-CN")
    # the lab's own refusals, and those of the switch table, load and an exchange, while it runs
    refusals = {
        "path 必须以 '/' 开头，例如 '/orders/7'，而不是 'orders'": lambda: lab.get("orders"),
        "标头名 'X Bad' 必须是由字母、数字和 !#$%&'*+-.^_`|~ 组成的一个词（token，RFC 9110 5.1），"
        "例如 'X-Debug'": lambda: lab.get("/", headers={"X Bad": "1"}),
        "method 必须是一个词，例如 'GET' 或 'BREW'，而不是 'GE T'": lambda: lab.request(
            "GE T", "/"
        ),
        "timeout 接受的参数是 route、[connect]、[read]；缺少 route": lambda: switches.apply(
            lab, "timeout", {}
        ),
        "timeout 什么也不会改变：请给出 connect、read，或两者都给": lambda: switches.apply(
            lab, "timeout", {"route": "/"}
        ),
        "maintenance 接受 retry_after 或 retry_in，不能两个都给": lambda: switches.apply(
            lab, "maintenance", {"on": True, "retry_after": 1, "retry_in": 1}
        ),
        f"size 必须是 1 到 {load.MAX_BURST} 之间的整数，而不是 0": lambda: load.burst(lab, 0),
        "name 必须是标头名，例如 'Retry-After'，而不是 5": lambda: lab.get("/").header(5),  # type: ignore[arg-type]
        "capacity 必须是 0 到 100000 之间的整数，或者 None（不限），而不是 -1": lambda: setattr(
            lab.origin, "capacity", -1
        ),
        "debug 必须是 True 或 False，而不是 'yes'": lambda: setattr(lab.origin, "debug", "yes"),
        "timeline 接受的是一次交换，例如 lab.get('/slow')，而不是 'x'": lambda: charts.timeline(
            "x",  # type: ignore[arg-type]
            "zh-CN",
        ),
    }
    try:
        for said, refused in refusals.items():
            with pytest.raises(BadArgument) as bad:
                refused()
            assert str(bad.value) == said
        with pytest.raises(BadArgument) as host:
            labkit.start(host="localhost", lang="zh-CN")  # refused before anything starts
        assert str(host.value) == (
            "host 必须是 IP 地址，例如 '127.0.0.1'（默认）或 '0.0.0.0'，而不是 'localhost'"
        )
        # a browser link's own words: the lab's language, the URL as it is
        shown = lab.browser_link("gateway", "/orders/7")._repr_html_()
        assert "在浏览器中打开 gateway 上的 /orders/7" in shown
        assert (
            "</a>（在新标签页中打开，经过 Jupyter 服务器）" in shown  # no space before （
            or "安装 jupyter-server-proxy" in shown
        )
    finally:
        lab.stop()
    with pytest.raises(LabNotRunning) as stopped:
        lab.get("/")
    assert str(stopped.value).startswith("这个实验室已经停止：请重新运行启动它的单元格")
    with pytest.raises(LabNotRunning) as never:
        labkit.Lab(lang="zh-CN").get("/")
    assert str(never.value).startswith("这个实验室还没有启动")


def labkit_command(*args: str, lang: str | None) -> subprocess.CompletedProcess[str]:
    """The real `labkit` command, in its own process, with LABKIT_LANG set (or unset)."""
    env = {k: v for k, v in os.environ.items() if k != "LABKIT_LANG"}
    if lang is not None:
        env["LABKIT_LANG"] = lang
    return run_labkit(*args, env=env)


# argparse's own words, said by the real command: (arguments, English line, Chinese line)
ARGPARSE_LINES = [
    (
        ("frobnicate",),
        "labkit: error: argument command: invalid choice: 'frobnicate' (choose from 'serve', 'env',",
        # the choices joined by the enumeration comma: argparse's ', ' until December 2026
        "labkit: error: 命令：无效的选择 'frobnicate'（可选：'serve'、'env'、",
    ),
    (
        (),
        "labkit: error: the following arguments are required: command",
        "labkit: error: 缺少以下必需的参数：命令",
    ),
    (
        ("scenarios", "--lesson"),
        "labkit: error: argument --lesson: expected one argument",
        "labkit: error: 选项 --lesson：需要一个值",
    ),
    (
        ("scenarios", "--colour"),
        # named by the command that does not know it, with its help (it was `labkit`'s, whose
        # help lists no option of scenarios')
        "labkit: error: unknown option --colour; labkit scenarios takes --help, "
        "--json, --lesson LESSON",
        "labkit: error: 未知的选项 --colour；labkit scenarios 接受 --help、--json、--lesson LESSON",
    ),
    (
        ("scenarios", "--json=yes"),
        "labkit: error: argument --json: ignored explicit argument 'yes'",
        "labkit: error: 选项 --json：这个选项不接受值，忽略了 'yes'",
    ),
]


# two runs of the real command each: the first two lines are in the quick tier, the rest slow
@pytest.mark.parametrize(
    ("args", "english", "chinese"),
    ARGPARSE_LINES[:2]
    + [pytest.param(*line, marks=pytest.mark.slow) for line in ARGPARSE_LINES[2:]],
)
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
    with pytest.raises(SystemExit):  # a subcommand's parser (labkit ctl's) joins them so too
        cli.main(["ctl", "cache", "x"])
    assert "无效的选择 'x'（可选：'on'、'off'、'purge'）\n" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # the missing arguments too: "action, path" until Dec 2026
        cli.main(["exchange"])
    assert "error: 缺少以下必需的参数：要做的操作（action，可选：'init'）、交换目录（path）\n" in (
        capsys.readouterr().err
    )
    assert vars(argparse)["_"] is english_words
    monkeypatch.setenv("LABKIT_LANG", "en")
    with pytest.raises(SystemExit):
        cli.main(["exchange"])
    assert (
        "error: the following arguments are required: action (choose from 'init'), path\n"
        in capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("en", "the following arguments are required: on|off"),
        ("zh-CN", "缺少以下必需的参数：开或关（on|off）"),
    ],
)
def test_a_missing_switch_argument_is_named_with_what_it_allows(
    lang: str, line: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`labkit ctl maintenance` alone said "required: on", the parameter's name, which reads
    as if "on" were what is missing: the line names the words it takes, on|off (as its usage
    line does, where argparse wrote {on,off}; "on (choose from 'on', 'off')" said "on" three
    times). A
    subcommand's missing command stays named alone (its --help lists them)."""
    monkeypatch.setenv("LABKIT_LANG", lang)
    with pytest.raises(SystemExit) as stopped:
        cli.main(["ctl", "maintenance"])
    assert stopped.value.code == 2
    first, _see = capsys.readouterr().err.splitlines()
    assert first == f"labkit: error: {line}"
    with pytest.raises(SystemExit):
        cli.main([])
    assert capsys.readouterr().err.splitlines()[0].endswith(("command", "：命令"))


@pytest.mark.parametrize(
    ("args", "english", "chinese"),
    [
        (["ctl", "capacity", "abc"], "error: capacity must", "error: 容量必须"),
        (["ctl", "debug", "maybe"], "argument on|off: invalid choice", "开或关（on|off）：无效的选择"),
        (["ctl", "nope"], "argument COMMAND: invalid choice", "error: 命令：无效的选择"),
        (["ctl", "wait-busy", "3", "--timeout"], "argument --timeout: expected", "选项 --timeout：需要"),
        (["ctl", "head-timeout"],
         "required: server (choose from 'portal', 'gateway', 'origin'), seconds (a number of "
         "seconds between 0.05 and 60)",
         "参数：服务器（server，可选：'portal'、'gateway'、'origin'）、秒数（seconds：0.05 到 60 "
         "之间的数（单位：秒））"),
    ],
)  # fmt: skip
def test_an_argument_is_named_as_a_learner_reads_it_in_chinese(
    args: list[str],
    english: str,
    chinese: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """argparse names an argument as the usage line does: `参数 value：` gave a Chinese
    learner the English word of `--help` and nothing of what it is (until December 2026). An
    option is named as typed (选项 --timeout), a positional word by what it is beside its
    name; English keeps argparse's own line, and argparse still exits 2 with one line."""
    for lang, said in (("en", english), ("zh-CN", chinese)):
        monkeypatch.setenv("LABKIT_LANG", lang)
        with pytest.raises(SystemExit) as stopped:
            cli.main(args)
        assert stopped.value.code == 2
        first, _see = capsys.readouterr().err.splitlines()
        assert said in first, (lang, first)
        assert "参数 " not in first


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                yield from _parsers(sub)


def test_every_positional_word_of_the_command_line_says_what_it_is_in_chinese() -> None:
    """A positional argument added to a command (a switch's parameter, a classroom command's
    word) needs its words in cli.POSITIONAL_WORDS, or its Chinese error line falls back to
    `参数 NAME`."""
    unnamed = [
        (parser.prog, argparse._get_action_name(action))
        for parser in _parsers(cli.build_parser())
        for action in parser._actions
        if not action.option_strings
        and (parser.prog.split()[-1], argparse._get_action_name(action)) not in cli.POSITIONAL_WORDS
    ]
    assert unnamed == []


# -- the classroom's commands: exchange, collect, grade and drill (the instructor's words) --


def _deepest(text: str) -> int:
    """How deep brackets nest in ``text`` (ASCII and full-width alike)."""
    depth = deepest = 0
    for ch in text:
        if ch in "(（":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")）":
            depth -= 1
    return deepest


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_a_drills_start_lines_hold_no_aside_inside_an_aside(
    lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`labkit drill start` said "(for you only: ...; learners run
    `drill = labkit.drill.join(lab)` in ...)": join(lab)'s brackets inside the aside's, and
    for the café incident its report's "(via the portal)" just before. Now two plain lines."""
    monkeypatch.setenv("LABKIT_LANG", lang)
    exchange = tmp_path / "exchange"
    assert cli.main(["exchange", "init", str(exchange)]) == 0
    name = next(f"cafe-{n}" for n in range(100) if drill.incident_number(f"cafe-{n}") == 4)
    capsys.readouterr()
    assert cli.main(["drill", "start", name, "--exchange", str(exchange)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2, lines
    assert all(_deepest(line) <= 1 for line in lines), lines
    assert not lines[1].startswith(("(", "（")), lines
    assert "`drill = labkit.drill.join(lab)`" in lines[1]


_HAN = "\u4e00-\u9fff"
_ASCII_BESIDE_HAN = re.compile(rf"[{_HAN}][:,;!?()]|[(][{_HAN}]")  # as tests/test_i18n.py


def _live_entry(exchange: Path, drill_id: str, started: dt.datetime, tries: list[dict]) -> None:
    """A learner's live entry as board.publish writes it: stuck on the course's first
    exercise (two wrong attempts, a hint, the solution seen); joined the drill, then ``tries``."""
    me = pwd.getpwuid(os.getuid()).pw_name  # the file's owner: collect's identity check passes
    at = [(started + dt.timedelta(seconds=s)).isoformat() for s in (5, 65, 125)]
    stuck = {
        **store.empty_record(),
        "attempts": 2,
        "last_attempt": at[0],
        "hints": 1,
        "solution_viewed": True,
        "events": [
            {"t": at[0], "kind": "hint"},
            {"t": at[0], "kind": "attempt", "correct": False},
            {"t": at[0], "kind": "attempt", "correct": False},
        ],
    }
    first = all_exercises()[0].id
    entry = {
        "kind": classroom.SUBMISSION_KIND,
        "version": 1,
        "user": me,
        "submitted": at[0],
        "progress": {"version": store.VERSION, "user": me, "exercises": {first: stuck}},
        "live": True,
        "drills": {
            drill_id: {
                "name": "tuesday-1",
                "joined": at[0],
                "tries": [{**t, "t": at[i + 1]} for i, t in enumerate(tries)],
            }
        },
    }
    (exchange / "inbox" / f"{me}.{'0' * 32}.json").write_text(json.dumps(entry))


@pytest.mark.slow  # ten runs of the real command
def test_the_classroom_commands_speak_the_instructors_labkit_lang(tmp_path: Path) -> None:
    """`labkit exchange init`, `collect`, `drill start`, `drill stop` and their refusals in
    Chinese, run as the real command; what programs read (the CSV, collect's JSON note, the
    outbox, the `labkit: error:` prefix, names and answers) stays as it was."""
    exchange = tmp_path / "exchange"
    made = labkit_command("exchange", "init", str(exchange), lang="zh-CN")
    assert made.returncode == 0, made.stderr
    assert made.stdout.splitlines()[0] == f"已创建 {exchange}"
    assert made.stdout.splitlines()[-1] == (
        f"学员：export LABKIT_EXCHANGE={exchange}，然后运行 `labkit submit`"
    )
    collected = labkit_command("collect", "--format", "json", str(exchange), lang="zh-CN")
    assert json.loads(collected.stdout)["note"] == classroom.SELF_REPORTED_NOTE  # English
    assert collected.stderr.splitlines()[-1] == (
        "labkit: 0 个学员，0 行；进度是自我报告的：由每个学员自己的内核写入"
        "；`labkit grade` 会重新运行代码答案"
    )
    env_exchange = ("--exchange", str(exchange))
    bad = labkit_command("drill", "start", "a b", *env_exchange, lang="zh-CN")
    assert bad.returncode == 1
    assert bad.stderr == (
        "labkit: error: 演练的名字是 1 到 40 个字母、数字、'-'、'_' 或 '.'，而不是 'a b'\n"
    )
    started = labkit_command("drill", "start", "tuesday-1", *env_exchange, lang="zh-CN")
    assert started.returncode == 0, started.stderr
    published = drill.current(exchange)
    assert published is not None
    number = drill.incident_number("tuesday-1")
    incident = next(i for i in capstone.INCIDENTS if i.number == number)
    assert published["report"] == incident.report  # the outbox keeps the English
    chinese_report = incident.report_text.render("zh-CN")
    assert chinese_report != incident.report
    assert started.stdout.splitlines() == [
        f"演练 tuesday-1 已开始：{chinese_report}",
        # one sentence after another, not an aside holding join(lab)'s own brackets (（…(lab)`）)
        f"只告诉你：这是综合练习的故障 {number}。学员在 notebooks/zh/10-incident-drill.ipynb "
        "中用 `drill = labkit.drill.join(lab)` 加入演练。",
    ]
    again = labkit_command("drill", "start", "other", *env_exchange, lang="zh-CN")
    assert again.stderr == (
        "labkit: error: 演练 'tuesday-1' 还在进行：先用 `labkit drill stop` 结束它\n"
    )
    made_by, cause = drill.right_answer(number)
    wrong = next(c for c in capstone.CAUSES if c != cause)
    # the drill began three minutes ago, so the tries below (up to +2:05) fall within it: the
    # debrief does not count a time after the drill's end (drill.SKEW_SECONDS)
    ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=180)
    published["started"] = ago.isoformat(timespec="milliseconds")
    (exchange / "outbox" / drill.DRILL_FILE).write_text(json.dumps(published, indent=1))
    begun = drill.parse_time(published["started"])
    assert begun is not None
    _live_entry(
        exchange,
        published["id"],
        begun,
        [{"made_by": made_by, "cause": wrong}, {"made_by": made_by, "cause": cause}],
    )
    _the_board_in_chinese(exchange, chinese_report, made_by)
    stopped = labkit_command("drill", "stop", *env_exchange, lang="zh-CN")
    assert stopped.returncode == 0, stopped.stderr
    lines = stopped.stdout.splitlines()
    me = pwd.getpwuid(os.getuid()).pw_name
    assert lines[0] == f"演练 tuesday-1：综合练习的故障 {number}（{chinese_report}）"
    assert lines[1].startswith("答案：")
    assert lines[3].startswith("时间线（从 ") and lines[3].endswith(" UTC 开始算起）：")
    assert lines[4:7] == [
        f"  +0:05  {me} 加入了",
        f"  +1:05  {me} 找到了出故障的那一跳（{made_by}），但没有找到原因",
        f"  +2:05  {me} 解决了（第 2 次尝试）",
    ]
    assert "加入的 1 个学员中，1 个解决了它。" in lines
    assert "最常见的错误诊断（made_by / cause）：" in lines
    assert f"  1 x  {made_by} / {wrong}" in lines
    assert "最终定论的证据：" in lines
    assert (
        lines[-1]
        # one aside, not one inside another: "……写入（`labkit grade` ……））" until Dec 2026
        == "（进度是自我报告的：由每个学员自己的内核写入；`labkit grade` 会重新运行代码答案）"
    )
    assert not _ASCII_BESIDE_HAN.findall(
        re.sub(r"`[^`]*`|\{[^}]*\}", "", stopped.stdout + started.stdout)
    )
    english = labkit_command("drill", "debrief", *env_exchange, lang=None)
    assert english.stdout.splitlines()[4:7] == [
        f"  +0:05  {me} joined",
        f"  +1:05  {me} found the failing hop ({made_by}), not the cause",
        f"  +2:05  {me} solved it (try 2)",
    ]
    # with 用 and its object, as "用 `labkit serve` ... 启动一个" (the command was the subject,
    # "开始一次" without 演练, until December 2026)
    none = labkit_command("drill", "stop", "--exchange", str(tmp_path), lang="zh-CN")
    assert none.stderr == (
        f"labkit: error: {tmp_path / 'outbox'} 中没有演练：用 `labkit drill start NAME` "
        "开始一次演练\n"
    )


def _the_board_in_chinese(exchange: Path, report: str, made_by: str) -> None:
    """`labkit board` started in a Chinese LABKIT_LANG, read over its socket: the page says
    its language (lang, Content-Language) and reads Chinese; learner names, exercise ids and
    answers stay as they are; a wrong token gets its 403 in the same words."""
    env = {**os.environ, "LABKIT_LANG": "zh-CN"}
    argv = [sys.executable, "-m", "labkit", "board", "--json", "--exchange", str(exchange)]
    board = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert board.stdout is not None
        info = json.loads(board.stdout.readline())
        with urllib.request.urlopen(info["url"], timeout=10) as page:
            assert page.headers["Content-Language"] == "zh-CN"
            text = page.read().decode()
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(info["url"].split("?")[0] + "?token=wrong", timeout=10)
        assert refused.value.code == 403
        assert refused.value.headers["Content-Language"] == "zh-CN"
        assert refused.value.read().decode() == (
            "403 Forbidden：缺少令牌或令牌错误；请打开 `labkit board` 打印的 URL\n"
        )
    finally:
        board.terminate()
        assert board.wait(10) == 0
    assert text.startswith("<!doctype html><html lang='zh-CN'>")
    assert "<title>labkit 看板</title>" in text and "暂停刷新（每 2 秒一次）" in text
    assert "data-failed='无法刷新：'" in text  # what the page's script says when a fetch fails
    assert "：1 个学员。实时进度：由每个学员自己的内核发送（自我报告）。</p>" in text
    assert f"演练 tuesday-1（进行中）</h2><p>{html.escape(report, quote=True)}</p>" in text
    row = re.search(r"<table id='drill'>.*?</table>", text)
    assert row is not None
    assert "<td>1 分 05 秒后找到</td><td>2 分 05 秒后找到</td><td>2</td>" in row.group(0)
    assert f"<td>{made_by} / " in row.group(0)
    assert "<caption>尝试过但没有解决的练习，尝试次数多的在前</caption>" in text
    assert "<td class='not-tried'>· 未尝试</td>" in text
    assert "… 已尝试<br>尝试 2 次<br>提示 1 次<br>看过解答</td>" in text
    assert "下载 CSV（与 <code>labkit collect</code> 相同）" in text
    assert "<th scope='row'>合计</th>" in text
    assert "<td>0 人已解决<br>1 人已尝试<br>1 人用过提示<br>1 人看过解答</td>" in text
    assert not _ASCII_BESIDE_HAN.findall(re.sub(r"<[^>]*>|`[^`]*`", "", text))


def test_the_gradebooks_error_line_sets_the_learner_apart_in_the_instructors_language(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """ "alice：文件属于 root：…": a learner's name and why the kept answers were not re-run,
    joined as the language joins a label (an ASCII ': ' before the Chinese until December
    2026)."""
    exchange = tmp_path / "exchange"
    classroom.init_exchange(exchange)
    me = pwd.getpwuid(os.getuid()).pw_name
    answer = {"kind": "code", "name": "f", "source": "def f(o):\n    return 200, 'x'\n"}
    record = {"answer": {"args": [answer], "correct": False, "t": "2026-12-05T15:00:00+00:00"}}
    progress = {"exercises": {"500.fix-the-handler": record}, "user": me, "version": 2}
    submission = {"kind": "labkit-submission", "progress": progress, "user": me, "version": 1}
    (exchange / "inbox" / f"{me}.0123456789abcdef0123456789abcdef.json").write_text(
        json.dumps(submission)
    )
    why = "评分从不以 root 运行学员代码"
    monkeypatch.setattr(grading, "_run_for", lambda found, answers: (None, why))
    for lang, line in (("zh-CN", f"{me}：{why}"), ("en", f"{me}: {why}")):
        monkeypatch.setenv("LABKIT_LANG", lang)
        _rows, errors, _notes = grading.grade([exchange])
        assert errors == [line]


def test_a_practice_drill_and_the_gradebooks_reasons_in_chinese(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The learner's side speaks the lab's language: the practice drill's repr; the gradebook
    says why an answer cannot be re-run in the instructor's, from the English the learner's
    kernel stored."""
    assert (
        grading.why_said(str(grading.LAMBDA), "zh-CN") == "一个 lambda：用 def 写它，才能重新运行"
    )
    assert grading.why_said("a Exchange from the session", "zh-CN") == "会话中的一个 Exchange"
    assert grading.why_said("something else", "zh-CN") == "something else"
    monkeypatch.delenv("LABKIT_EXCHANGE", raising=False)
    lab = labkit.start(lang="zh-CN")
    try:
        practice = drill.join(lab)  # no course exchange: a practice drill
        said = repr(practice).splitlines()
        assert said[0].startswith("这是一次你自己一个人的练习演练（没有课程交换目录")
        report = drill.report_text({"seed": practice.name}, "zh-CN")
        # the practice drill's name in Chinese (its id stays "solo"), in its repr and in the
        # label of its check: "演练 solo：" and "[drill solo]" until December 2026
        assert said[1] == f"单人演练：{report}。"
        assert said[2].startswith(f"出故障的交换是 drill.exchange（{practice.exchange.status} ")
        assert practice.name == drill.PRACTICE == "solo"
        checked = practice.check()
        assert repr(checked).startswith("[单人演练] 尚未作答：")
        assert "<b>尚未作答</b><small>（单人演练）</small>" in checked._repr_html_()
        assert "solo" not in repr(practice) + repr(checked)
        # a wrong answer offers the drill's hint, not the capstone's q3.hint() (December 2026)
        wrong = practice.check({"made_by": "gateway", "cause": "overload"})
        assert repr(wrong).startswith("[单人演练] 还不对：")
        assert repr(wrong).endswith("（卡住了？调用 drill.hint() 可以得到提示。）")
        practice.leave()
    finally:
        lab.stop()


def test_a_damaged_progress_file_is_named_in_the_learners_language(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """What store.py finds wrong with a progress file (shown by the learner's kernel, `labkit
    progress`, `collect` and the board) in the learner's language; keys and values as written."""
    monkeypatch.setenv("LABKIT_LANG", "zh-CN")
    file = tmp_path / "progress.json"
    snap = store.decode(file, b'{"user": 7, "exercises": {"500.x": {"attempts": -1}}}')
    assert snap.problems == [
        f"{file}：user 必须是一个简短的名字，而不是 7",
        f"{file}：500.x：attempts 必须是 0 到 999999999 之间的整数，而不是 -1",
    ]
    (damaged,) = store.decode(file, b'{"exercises": ').problems
    assert damaged.startswith(f"{file} 已损坏（") and damaged.endswith("，位于第 14 个字符）")
    with pytest.raises(store.ProgressError) as refused:
        store.read(tmp_path)
    assert str(refused.value).startswith(f"进度文件 {tmp_path} 是一个目录；请把 LABKIT_PROGRESS")
    monkeypatch.delenv("LABKIT_LANG")
    assert store.decode(file, b'{"user": 7, "exercises": {}}').problems == [
        f"{file}: user must be a short name, not 7"
    ]


@pytest.mark.slow  # six runs of the real command
def test_labkit_ctl_refuses_in_the_terminals_language_not_the_labs(
    lab: labkit.Lab, tmp_path: Path
) -> None:
    """An English lab, a Chinese terminal: what the command itself finds wrong, and what the
    lab's control server refuses, is said in the terminal's LABKIT_LANG (the command sends
    it as Accept-Language; the server answers in it)."""
    env = dict(os.environ, LABKIT_LANG="zh-CN")
    waited = run_labkit("ctl", "wait-busy", "3", "--timeout", "0.1", env=env)
    assert (waited.returncode, waited.stdout) == (1, "")
    assert waited.stderr == (
        "labkit: error: 0.1 秒后，源服务器上正在处理的请求是 0 个，而不是 3 个：先发出这些请求"
        f"（labkit ctl hold on，然后 curl {lab.origin.url}/busy &），或者用 --timeout 等得更久一些\n"
    )
    # wait-busy's range (the control server checks what any client sends) and count, and
    # the confirmations of the commands that are not switches, in the terminal's language
    # too: they were said in the lab's, or in English
    from labkit import control
    from labkit.switches import CAPACITY_MAX

    for args, said in [
        (
            {"count": 0, "timeout": 99},
            f"timeout 必须在 0 到 {control.WAIT_BUSY_MAX:g} 之间（单位：",
        ),
        ({"count": CAPACITY_MAX + 1}, f"count 必须是 0 到 {CAPACITY_MAX} 之间的整数，而不是"),
    ]:
        with pytest.raises(labkit.BadArgument, match=f"^{said}"):
            control.apply(lab, "wait-busy", args, "zh-CN")
    idle = run_labkit("ctl", "wait-busy", "0", env=env)
    assert (idle.returncode, idle.stdout, idle.stderr) == (0, "源服务器有 0 个请求正在处理\n", "")
    reset = run_labkit("ctl", "reset", env=env)
    assert (reset.returncode, reset.stdout) == (0, "每个开关都回到了新实验室里的样子\n")
    english = run_labkit("ctl", "reset", env=dict(os.environ, LABKIT_LANG="en"))
    assert english.stdout == "every switch is back as in a fresh lab\n"
    # a switch's confirmation too: it came in the lab's language
    debug = run_labkit("ctl", "debug", "on", env=env)
    assert (debug.returncode, debug.stdout) == (
        0,
        "调试：开（源服务器的 500 页面中显示回溯）\n",
    )
    assert lab.origin.debug is True
    assert control.apply(lab, "debug", {"on": False})["done"].startswith("debug: off")
    # and a switch's arguments that the lab's control server refuses (any client may send
    # them): they were said in the lab's language
    for args, said in [
        ({"on": "yes"}, "on 必须是 true 或 false（一个 JSON 布尔值），而不是 'yes'"),
        ({}, "debug 接受的参数是 on；缺少 on"),
        ({"on": True, "x": 1}, "debug 接受的参数是 on；不接受 x"),
    ]:
        with pytest.raises(labkit.BadArgument) as refused_switch:
            control.apply(lab, "debug", args, "zh-CN")
        assert str(refused_switch.value) == said
    assert lab.origin.debug is False  # a refused command changes nothing
    # a route the lab lacks: the gateway refused it in the lab's language
    with pytest.raises(labkit.BadArgument) as no_route:
        control.apply(lab, "timeout", {"route": "/nope", "read": 0.3}, "zh-CN")
    assert str(no_route.value).startswith("未知的路由 '/nope'；可选：/、"), no_route.value
    assert lab.gateway.route("/").read_timeout != 0.3  # and changed nothing
    elsewhere = run_labkit("ctl", "--lab", "http://127.0.0.1:1", "reset", env=env)
    assert elsewhere.returncode == 1
    assert elsewhere.stderr.startswith(
        "labkit: error: 没有哪个正在运行的实验室在 http://127.0.0.1:1 上有服务器；正在运行的："
    )
    loose = tmp_path / "registry"
    loose.mkdir(mode=0o755)
    loose.chmod(0o755)
    env["LABKIT_RUNTIME_DIR"] = str(loose)
    refused = run_labkit("ctl", "reset", env=env)
    assert refused.returncode == 1
    assert refused.stderr == (
        f"labkit: error: 实验室登记目录 {loose} 的权限是 0755，而不是 0700，因此别的用户可能读到"
        f"控制令牌，或者在那里放入伪造的记录；如果它是你建的，运行 `chmod 700 {loose}`；或者把 "
        "LABKIT_RUNTIME_DIR 设为你自己的一个权限为 0700 的目录（mkdir -m 700 DIR）\n"
    )


def test_the_upstreams_listing_heads_its_columns_in_labkit_lang(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from labkit import faults
    from labkit.render.text import columns

    monkeypatch.setenv("LABKIT_LANG", "zh-CN")
    assert cli.main(["scenarios"]) == 0
    out = capsys.readouterr().out
    assert faults.listing("zh-CN") in out and faults.listing() not in out
    # the scenarios' columns, headed in Chinese too, the title below its row; the status
    # column is the status code (状态码, MDN zh-CN's word), where the progress table's 状态 is
    # solved or not (it said 状态 here too until December 2026)
    heading, title, first, first_title = out.splitlines()[:4]
    assert (heading.split(), title, first.split()) == (
        ["id", "课", "状态码", "生成者"],
        "    标题",
        ["500-handler-bug", "500", "500", "源服务器"],
    )
    assert first_title.startswith("    处理函数")
    assert columns(heading.split("生成者")[0]) == columns(first.split("源服务器")[0])
    # every hop in the catalogue's words, as the playgrounds' lines name it (under 生成者
    # it said origin, gateway, portal: fails before)
    hops = {line.split()[3] for line in out.split("\n\n")[0].splitlines()[2::2]}
    assert hops == {"源服务器", "网关", "门户", "上游"}, hops
    # every line of the table reads at 80 columns, in both languages (a wide character two):
    # the row of 200-kept-connection-closed-get-sent-again was 141 columns, and every row over
    # 80, while the title stood beside its row (December 2026)
    for lang in ("zh-CN", "en"):
        table = cli.scenario_table(list(scenarios.SCENARIOS.values()), lang)
        assert max(columns(line) for line in table) <= cli.TABLE_WIDTH == 80
        long = table.index(next(t for t in table if t.startswith("200-kept-connection-closed")))
        upstream = "上游" if lang == "zh-CN" else "upstream"
        assert table[long].split()[1:] == ["502", "200", upstream, "'idle-close'"]
        assert table[long + 1].startswith("    ") and "502" in table[long + 1]
    # the upstreams below it too: a fault's knobs on the line under its row (the slow
    # upstream's row, its knob beside it, was 117 columns)
    head, knobs, *rows = faults.listing("zh-CN").splitlines()
    assert (head.split(), knobs) == (
        ["上游", "网关观察到的状况"],
        "    旋钮：lab.upstreams[NAME].KNOB = 值",
    )
    english = faults.listing().splitlines()[2:]
    # names and conditions as code spells them; a knob in words, in Chinese
    assert [r.split() for r in rows if r[0] != " "] == [r.split() for r in english if r[0] != " "]
    delay = faults.Slow.DELAY
    said = f"delay：它在响应之前等待多久，{delay.minimum:g} 到 {delay.maximum:g} 秒，默认 {delay.default:g}"
    slow = rows.index(next(r for r in rows if r.startswith("slow ")))
    assert (rows[slow].split(), rows[slow + 1]) == (["slow", "read-timeout"], f"    {said}")
    slow = english.index(next(r for r in english if r.startswith("slow ")))
    assert english[slow + 1] == f"    {delay}"
    # each column starts where the English one does: a Chinese character is two columns
    assert columns(head[: head.index("网关")]) == rows[0].index("-")
    for lang in ("zh-CN", "en"):
        assert max(columns(line) for line in faults.listing(lang).splitlines()) <= 80


def test_labkit_run_heads_its_story_with_the_scenarios_cause_in_labkit_lang(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """ "502-garbage：上游发送的……": its first line put an ASCII ': ' before the Chinese cause
    until December 2026, where the playground's list writes ："""
    garbage = scenarios.get("502-garbage")
    for lang, line in (
        ("zh-CN", f"502-garbage：{i18n.render(garbage.cause, 'zh-CN')}"),
        ("en", f"502-garbage: {i18n.render(garbage.cause, 'en')}"),
    ):
        monkeypatch.setenv("LABKIT_LANG", lang)
        assert cli.main(["run", "502-garbage"]) == 0
        assert capsys.readouterr().out.splitlines()[0] == line


def test_labkit_serve_lists_the_upstreams_with_the_enumeration_comma_in_chinese() -> None:
    """Its lines in LABKIT_LANG: a Chinese line listed the upstreams' names with ', '."""
    import signal

    from labkit import i18n

    env = dict(os.environ, LABKIT_LANG="zh-CN")
    proc = subprocess.Popen(
        [sys.executable, "-m", "labkit", "serve"], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(5)]
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
    (upstreams,) = [line for line in lines if "上游服务器：" in line]
    assert "、refused、" in upstreams and ", " not in upstreams
    assert i18n.Listed(["a", "b"]).render("en") == "a, b"


@pytest.mark.parametrize(
    ("typed", "english", "chinese"),
    [
        ("eighty", "not 'eighty'", "而不是 'eighty'"),
        ("0", "not 0", "而不是 0"),
        ("257", "not 257", "而不是 257"),
    ],
)
def test_grade_jobs_is_refused_as_every_number_option_is(
    monkeypatch: pytest.MonkeyPatch, typed: str, english: str, chinese: str
) -> None:
    """`labkit grade --jobs eighty` said argparse's "invalid int value: 'eighty'" (in
    Chinese, a line of the CLI's own, "应为整数", which no other option said) and `--jobs 0`
    "--jobs is 1 to 256 learners at once", a shape of its own, past the parser (fails
    before): one line naming the range, in the terminal's language."""
    from tests.helpers import labkit_in_process

    for lang, said in (
        ("en", f"labkit: error: --jobs must be a whole number from 1 to 256, {english}\n"),
        ("zh-CN", f"labkit: error: --jobs 必须是 1 到 256 之间的整数，{chinese}\n"),
    ):
        monkeypatch.setenv("LABKIT_LANG", lang)
        result = labkit_in_process("grade", "--jobs", typed, "nowhere")
        assert result.returncode == 2
        assert result.stderr.startswith(said), result.stderr
        assert len(result.stderr.splitlines()) == 2  # and where to read the help


def test_no_command_takes_a_number_through_argparses_int() -> None:
    """Every number a command takes is parsed as a switch's (``cli.typed_as``): argparse's
    ``int`` and ``float`` name the Python type in their refusal ("invalid int value")."""
    parsers = [cli.build_parser()]
    seen = 0
    while parsers:
        parser = parsers.pop()
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                parsers += list(action.choices.values())
            assert action.type not in (int, float), (parser.prog, action.dest)
            seen += 1
    assert seen > 50


@pytest.mark.parametrize(
    ("typed", "english", "chinese"),
    [
        ("eighty", "not 'eighty'", "而不是 'eighty'"),
        ("70000", "not 70000", "而不是 70000"),
        ("-1", "not '-1'", "而不是 '-1'"),
    ],
)
def test_board_port_is_refused_as_every_number_option_is(
    monkeypatch: pytest.MonkeyPatch, typed: str, english: str, chinese: str
) -> None:
    """`labkit board --port eighty` said argparse's "argument --port: invalid int value:
    'eighty'", and `--port 70000` got past the parser to a line of the board's own ("--port
    is 0 (any free port) to 65535"), unlike every other number option (fails before): one
    line naming the range, in the terminal's language."""
    from tests.helpers import labkit_in_process

    for lang, said in (
        ("en", f"labkit: error: --port must be a whole number from 0 to 65535, {english}\n"),
        ("zh-CN", f"labkit: error: --port 必须是 0 到 65535 之间的整数，{chinese}\n"),
    ):
        monkeypatch.setenv("LABKIT_LANG", lang)
        result = labkit_in_process("board", "--port", typed)
        assert result.returncode == 2
        assert result.stderr.startswith(said), result.stderr
        assert len(result.stderr.splitlines()) == 2  # and where to read the help
