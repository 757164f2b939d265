"""The terminal path as the README writes it: `labkit env`, curl and `labkit ctl`.

The common state after lesson 00 is a notebook's lab and a `labkit serve` lab side by
side. Without `--lab`, `labkit env` picks the served lab (else the most recently started)
and says on stderr which one it picked; `labkit ctl` switches the lab `labkit env` chose in
that shell ($LABKIT_LAB), else follows the same rule, and confirms what it changed in one
line.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import labkit_in_process, run_labkit
from procguard import run_guarded

import labkit
from labkit import scenarios
from labkit.origin import RATE_LIMIT_RANGE
from labkit.switches import CAPACITY_MAX

PY = sys.executable
BIN = str(Path(PY).parent)  # where `labkit` is installed, as in the learner's venv


def shell(script: str, timeout: float = 30) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ["PATH"])
    return run_guarded(["bash", "-c", script], env=env, timeout=timeout)


def labkit_cli(*args: str) -> subprocess.CompletedProcess:
    return run_guarded([PY, "-m", "labkit", *args], timeout=20)


@contextlib.contextmanager
def serving() -> Iterator[dict]:
    """`labkit serve --json` in the background, registered in the test's runtime directory."""
    proc = subprocess.Popen(
        [PY, "-m", "labkit", "serve", "--json"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        yield json.loads(proc.stdout.readline())
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0


@pytest.fixture
def served():
    with serving() as info:
        yield info


needs_curl = pytest.mark.skipif(
    shutil.which("curl") is None or shutil.which("bash") is None,
    reason="the README's terminal path uses bash and curl (apt-get install curl)",
)


@needs_curl
@pytest.mark.slow
def test_readme_terminal_path_works_beside_a_notebook_lab(served):
    # the notebook's lab starts after the served one: newer, but not the one a terminal wants
    with labkit.start() as notebook_lab:
        result = shell(
            'eval "$(labkit env)" && echo "$GATEWAY" && curl -si "$GATEWAY/up/garbage/" | head -1'
        )
        gateway, status = result.stdout.splitlines()
        assert gateway == served["gateway"] != notebook_lab.gateway.url
        assert status.startswith("HTTP/1.1 502 Bad Gateway"), result
        assert result.stderr == (
            "labkit: 2 labs are running; using the one started by `labkit serve`, gateway "
            f"{served['gateway']} (choose another with --lab URL)\n"
        )


@pytest.mark.slow
@needs_curl
def test_ctl_switches_the_lab_whose_gateway_the_shell_has():
    """The README's and 00's steps, `labkit serve` in one terminal and `eval "$(labkit env)"`
    in a second, beside a notebook's lab: env run before the served lab was registered took
    the notebook's; ctl then took the served one, so `maintenance on` changed a lab
    `curl "$GATEWAY"` does not reach (200).
    ctl now switches the lab env chose in this shell ($LABKIT_LAB), and says nothing of others."""
    with labkit.start() as notebook_lab:
        env = labkit_cli("env")  # before the served lab exists, as in the race
        chosen_url = notebook_lab.gateway.url
        assert f"export LABKIT_LAB={chosen_url}\n" in env.stdout
        with serving() as served:
            result = shell(
                env.stdout + "labkit ctl maintenance on --retry-after 30 && "
                'curl -s -o /dev/null -w "%{http_code}" "$GATEWAY/orders/7"'
            )
            assert (result.stdout, result.stderr) == ("maintenance: on, Retry-After 30\n503", "")
            assert notebook_lab.origin.maintenance_settings is not None
            # a shell without it still follows the rule: the served lab, named on stderr
            chosen = labkit_cli("ctl", "state")
            assert served["gateway"] in chosen.stderr
            assert json.loads(chosen.stdout)["maintenance"] is False
    # the lab this shell chose has stopped: one line saying how to choose again
    with labkit.start():
        result = shell(env.stdout + "labkit ctl maintenance off")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == (
        f"labkit: error: the lab `labkit env` chose for this shell ({chosen_url}, "
        'in $LABKIT_LAB) is not running any more: run eval "$(labkit env)" again to choose a '
        "running one\n"
    )


ROOT = Path(__file__).resolve().parent.parent


def _documented_curl(where: str) -> str:
    """The README's (or lesson 00's) `eval "$(labkit env)"` line and the curl under it."""
    text = (ROOT / where).read_text()
    if where.endswith(".ipynb"):
        cells = json.loads(text)["cells"]
        text = next(
            "".join(c["source"]) for c in cells if 'eval "$(labkit env)"' in "".join(c["source"])
        )
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith('eval "$(labkit env)"'))
    assert lines[at + 1].startswith("curl "), lines[at : at + 2]
    return "\n".join(lines[at : at + 2])


@needs_curl
@pytest.mark.parametrize(
    "where",
    [
        "README.md",
        "README.zh-CN.md",
        "notebooks/00-start-here.ipynb",
        "notebooks/zh/00-start-here.ipynb",
    ],
)
def test_documented_curl_without_a_lab_fails_with_one_clear_line(where: str, runtime_dir) -> None:
    """No lab running, in a shell whose $GATEWAY names a lab since stopped: labkit env's line,
    then the shell's line saying GATEWAY is not set; never curl's own "URL using bad/illegal
    format" (the variable empty) or "Failed to connect" (the stopped lab's port). With a lab
    running, the same lines show its gateway's 502."""
    script = _documented_curl(where)
    stale = "GATEWAY=http://127.0.0.1:9 LABKIT_LAB=http://127.0.0.1:9\n"
    result = shell(stale + script)
    said = script.split("${GATEWAY:?", 1)[1].split("}", 1)[0]
    assert result.returncode != 0 and result.stdout == ""
    labkit_said, shell_said = result.stderr.splitlines()
    assert labkit_said == (
        f"labkit: error: no running lab found in {runtime_dir} (LABKIT_RUNTIME_DIR); start one "
        "with `labkit serve` or labkit.start()"
    )
    # an interactive shell: "bash: GATEWAY: ..."; `bash -c` names the script's line too
    assert re.fullmatch(rf"bash: (line \d+: )?GATEWAY: {re.escape(said)}", shell_said), shell_said
    with labkit.start():
        result = shell(stale + script)
    assert result.stdout.startswith("HTTP/1.1 502 Bad Gateway\n"), result


def test_without_a_served_lab_the_newest_is_chosen_and_named():
    with labkit.start() as older, labkit.start() as newer:
        result = labkit_cli("env")
        assert result.returncode == 0, result.stderr
        assert f"export GATEWAY={newer.gateway.url}\n" in result.stdout
        assert "started most recently (none by `labkit serve`)" in result.stderr
        assert newer.gateway.url in result.stderr and older.gateway.url not in result.stderr
        # and ctl follows the same rule
        assert labkit_cli("ctl", "capacity", "0").stdout == "capacity: 0 at once\n"
        assert newer.get("/orders/7").status == 503
        assert older.get("/orders/7").status == 200


def test_a_notebooks_lab_is_named_by_its_notebook(monkeypatch):
    """Lessons 03 and 04 open, each kernel with its lab: `labkit env` chose the newest and
    named only its gateway's URL, which no lesson page shows beside its title. The
    line names the notebook whose kernel started it, as jupyter-server gives it."""
    with labkit.start():
        monkeypatch.setenv("JPY_SESSION_NAME", "/home/learner/labkit/notebooks/04-503-x.ipynb")
        with labkit.start() as newer:
            result, url = labkit_cli("env"), newer.gateway.url
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "labkit: 2 labs are running; using the one started most recently (none by `labkit "
        f"serve`), by the notebook 04-503-x.ipynb, gateway {url} (choose "
        "another with --lab URL)\n"
    )


def test_one_lab_is_used_without_a_word():
    with labkit.start() as lab:
        result = labkit_cli("env")
        assert result.returncode == 0 and result.stderr == ""
        assert f"export ORIGIN={lab.origin.url}\n" in result.stdout


def test_lab_url_picks_that_lab_even_when_another_is_preferred():
    with labkit.start() as older, labkit.start():
        result = labkit_cli("ctl", "--lab", older.portal.url + "/", "debug", "on")
        assert result.stdout == "debug: on (tracebacks shown in the origin's 500 pages)\n"
        assert result.stderr == ""
        assert older.origin.debug is True


# (arguments after `labkit ctl`, the one line it prints, what the lab then shows)
CONFIRMATIONS = [
    (
        ["maintenance", "on", "--retry-after", "30"],
        "maintenance: on, Retry-After 30",
        lambda lab: lab.get("/orders/7").header("retry-after") == "30",
    ),
    (
        ["maintenance", "on", "--no-retry-after"],
        "maintenance: on, no Retry-After",
        lambda lab: lab.get("/orders/7").status == 503,
    ),
    (
        ["maintenance", "off"],
        "maintenance: off",
        lambda lab: lab.get("/orders/7").status == 200,
    ),
    (
        ["capacity", "none"],
        "capacity: unlimited",
        lambda lab: lab.origin.capacity is None,
    ),
    (
        ["portal", "login"],
        "portal: logged in",
        lambda lab: lab.get("/orders/7", via="portal").status == 200,
    ),
    (
        ["portal", "logout"],
        "portal: already logged out",  # a lab starts logged out
        lambda lab: lab.get("/orders/7", via="portal").status == 511,
    ),
    (
        ["timeout", "/up/slow/", "--read", "0.3", "--connect", "0.5"],
        "route /up/slow/: connect timeout 0.5 s, read timeout 0.3 s",
        lambda lab: lab.gateway.route("slow").read_timeout == 0.3,
    ),
    (
        ["delay", "0.2"],
        "slow upstream: answers after 0.2 s",
        lambda lab: lab.upstreams["slow"].delay == 0.2,
    ),
    (
        ["personality", "nginx"],
        "gateway personality: nginx",
        lambda lab: lab.gateway.personality == "nginx",
    ),
    (
        ["personality", "HAProxy"],  # any case, as lab.gateway.personality takes it
        "gateway personality: haproxy",
        lambda lab: lab.gateway.personality == "haproxy",
    ),
    (
        ["maintenance", "ON", "--retry-after", "5"],
        "maintenance: on, Retry-After 5",
        lambda lab: lab.get("/orders/7").status == 503,
    ),
    (
        ["cache", "purge"],
        "gateway cache emptied: 0 entries",
        lambda lab: True,
    ),
    (
        ["reset"],
        "every switch is back as in a fresh lab",
        lambda lab: lab.gateway.personality == "rfc",
    ),
]


@pytest.mark.parametrize(
    ("args", "line", "observed"), CONFIRMATIONS, ids=[" ".join(c[0]) for c in CONFIRMATIONS]
)
def test_ctl_confirms_what_it_changed_in_one_line(lab, args, line, observed):
    # in process (labkit.cli.main): the other tests here run `labkit ctl` as a real process
    result = labkit_in_process("ctl", *args)
    assert result.returncode == 0, result.stderr
    assert result.stdout == line + "\n"
    assert observed(lab)


def test_ctl_purge_counts_what_the_cache_held(lab):
    lab.origin.maintenance(retry_after=30, cache_max_age=60)
    assert lab.get("/orders/7").status == 503  # stored by the gateway (the caching mistake)
    lab.origin.maintenance(False)
    assert labkit_cli("ctl", "cache", "purge").stdout == "gateway cache emptied: 1 entry\n"
    assert lab.get("/orders/7").status == 200


def test_ctl_maintenance_with_a_cache_says_so(lab):
    result = labkit_cli("ctl", "maintenance", "on", "--retry-after", "5", "--cache-max-age", "60")
    assert result.stdout == (
        "maintenance: on, Retry-After 5, Cache-Control max-age=60 (the caching mistake)\n"
    )


def test_ctl_quotes_a_huge_whole_number_as_typed(lab):
    result = labkit_in_process("ctl", "capacity", "99999999999999999999")
    assert result.returncode == 2
    assert (
        "capacity must be a whole number from 0 to 100000, or none (unlimited), "
        "not 99999999999999999999"
    ) in (result.stderr)


def test_ctl_refuses_two_retry_afters_at_once(lab):
    """--retry-after 30 --retry-in 5 took the second without a word; one Retry-After is sent.
    Refused as the command line it is, by the flags typed: the lab said "maintenance takes
    retry_after or retry_in", its Python names, after a note on which lab it had chosen
    (fails before); the real command, in English and in Chinese."""
    words = ["ctl", "maintenance", "on", "--retry-after", "30", "--retry-in", "5"]
    for lang, said, see in (
        (
            "en",
            "maintenance takes --retry-after or --retry-in, not both",
            "(see `labkit ctl maintenance --help`)",
        ),
        (
            "zh-CN",
            "maintenance 接受 --retry-after 或 --retry-in，不能两个都给",
            "（参见 `labkit ctl maintenance --help`）",
        ),
    ):
        result = run_labkit(*words, env={**os.environ, "LABKIT_LANG": lang})
        assert (result.returncode, result.stdout) == (2, ""), result
        assert result.stderr == f"labkit: error: {said}\n{see}\n"
    assert lab.origin.maintenance_settings is None  # refused: nothing changed


def test_ctl_retry_in_shows_the_http_date(lab):
    result = labkit_cli("ctl", "maintenance", "on", "--retry-in", "300")
    sent = lab.get("/orders/7").header("retry-after")
    assert sent.endswith(" GMT")
    assert result.stdout == f"maintenance: on, Retry-After {sent}\n"


@pytest.mark.parametrize(
    ("args", "command", "said"),
    [
        (
            ["serve", "--port", "9000"],
            "labkit serve",
            "unknown option --port; labkit serve takes --help, --json, --host HOST, "
            "--allow-user NAME, --gateway GATEWAY",
        ),
        (
            ["ctl", "maintenance", "on", "now"],
            "labkit ctl maintenance",
            "unrecognized arguments: now",
        ),
        (
            ["run", "502-garbage", "--slow"],
            "labkit run",
            "unknown option --slow; labkit run takes --help, then scenario",
        ),
    ],
    ids=["serve", "ctl", "run"],
)
def test_words_a_command_does_not_know_are_named_by_that_command(args, command, said):
    """With that command's own help: `labkit serve --port 9000` said "labkit: error: ..."
    and "(see `labkit --help`)", whose help lists no option of serve's."""
    result = labkit_in_process(*args)
    assert result.returncode == 2
    assert result.stderr == f"labkit: error: {said}\n(see `{command} --help`)\n"


TOP_COMMANDS = (
    "serve, env, scenarios, run, progress, exchange, submit, collect, grade, board, drill, ctl"
)
CTL_COMMANDS = (
    "maintenance, capacity, hold, debug, rate-limit, portal, timeout, head-timeout, delay, "
    "personality, cache, reset, state, wait-busy"
)


@pytest.mark.parametrize(
    ("args", "english", "chinese"),
    [
        (
            ["--bogus"],
            f"labkit: error: unknown option --bogus; labkit takes --help, then a command: "
            f"{TOP_COMMANDS}\n(see `labkit --help`)\n",
            "labkit: error: 未知的选项 --bogus；labkit 接受 --help，然后是一个命令："
            f"{TOP_COMMANDS.replace(', ', '、')}\n（参见 `labkit --help`）\n",
        ),
        (
            ["ctl", "--bogus"],
            "labkit: error: unknown option --bogus; labkit ctl takes --help, --lab LAB, then "
            f"a command: {CTL_COMMANDS}\n(see `labkit ctl --help`)\n",
            "labkit: error: 未知的选项 --bogus；labkit ctl 接受 --help、--lab LAB，然后是一个"
            f"命令：{CTL_COMMANDS.replace(', ', '、')}\n（参见 `labkit ctl --help`）\n",
        ),
        (
            ["scenarios", "--colour=yes"],
            "labkit: error: unknown option --colour; labkit scenarios takes --help, "
            "--json, --lesson LESSON\n(see `labkit scenarios --help`)\n",
            "labkit: error: 未知的选项 --colour；labkit scenarios 接受 --help、--json、"
            "--lesson LESSON\n（参见 `labkit scenarios --help`）\n",
        ),
    ],
    ids=["labkit", "ctl", "scenarios"],
)
def test_an_unknown_option_is_named_with_what_the_command_takes(args, english, chinese):
    """`labkit --bogus` and `labkit ctl --bogus` said "the following arguments are required:
    command" (argparse leaves a word it does not know for later, then finds the command
    missing), never naming --bogus. The real command, in English and in Chinese."""
    for lang, line in (("en", english), ("zh-CN", chinese)):
        result = run_guarded(
            [PY, "-m", "labkit", *args], timeout=20, env={**os.environ, "LABKIT_LANG": lang}
        )
        assert (result.returncode, result.stdout, result.stderr) == (2, "", line)


def test_a_missing_or_unknown_command_is_named_the_same_at_both_levels_in_chinese() -> None:
    """`labkit` and `labkit ctl` refuse a missing or unknown command in one Chinese line each,
    naming the word as the line for an unknown option does (命令, its choices listed where
    they are the mistake); it read 命令（command） at the top, a name `labkit --help` never
    shows, and 命令（COMMAND） under ctl. The real command, LABKIT_LANG=zh-CN; English keeps
    argparse's own lines."""
    top = "'、'".join(TOP_COMMANDS.split(", "))
    ctl = "'、'".join(CTL_COMMANDS.split(", "))
    expected = {
        (): "labkit: error: 缺少以下必需的参数：命令\n（参见 `labkit --help`）\n",
        ("ctl",): "labkit: error: 缺少以下必需的参数：命令\n（参见 `labkit ctl --help`）\n",
        ("nope",): (
            f"labkit: error: 命令：无效的选择 'nope'（可选：'{top}'）\n（参见 `labkit --help`）\n"
        ),
        ("ctl", "nope"): (
            f"labkit: error: 命令：无效的选择 'nope'（可选：'{ctl}'）\n"
            "（参见 `labkit ctl --help`）\n"
        ),
    }
    for args, line in expected.items():
        result = subprocess.run(
            [PY, "-m", "labkit", *args],
            capture_output=True,
            text=True,
            timeout=20,
            env={**os.environ, "LABKIT_LANG": "zh-CN"},
        )
        assert (result.returncode, result.stdout, result.stderr) == (2, "", line), args
    english = subprocess.run(
        [PY, "-m", "labkit", "ctl"],
        capture_output=True,
        text=True,
        timeout=20,
        env={**os.environ, "LABKIT_LANG": "en"},
    )
    assert english.stderr == (
        "labkit: error: the following arguments are required: COMMAND\n(see `labkit ctl --help`)\n"
    )


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("503-maintenanc", "503-maintenance"),
        ("504_slow", "504-slow"),
        ("maintenance", "503-maintenance"),
    ],
)
def test_a_scenario_id_mistyped_is_answered_with_the_nearest(typed, meant, monkeypatch):
    """One id, not all sixty: `labkit run 503-maintenanc` listed every scenario in one line
    of 937 characters."""
    monkeypatch.delenv("LABKIT_LANG", raising=False)
    result = labkit_in_process("run", typed)
    assert result.returncode == 1
    assert result.stderr == (
        f"labkit: error: unknown scenario '{typed}'; did you mean {meant}? "
        "(`labkit scenarios` lists them all)\n"
    )
    chinese = labkit_in_process("run", typed, env={"LABKIT_LANG": "zh-CN"})
    assert chinese.stderr == (
        f"labkit: error: 未知的场景 '{typed}'；你要的是不是 {meant}？（`labkit scenarios` 会列出全部）\n"
    )


def test_a_scenario_id_with_none_near_is_answered_in_one_short_line(monkeypatch):
    """`labkit run nope` and `labkit run slow` listed all ~42 ids in a line of ~1,000
    characters (fails before): the ids the typed word is part of, else the command that
    lists them all."""
    monkeypatch.delenv("LABKIT_LANG", raising=False)
    slow = sorted(s for s in scenarios.SCENARIOS if "slow" in s)
    assert len(slow) >= 2
    for typed, said, zh in (
        (
            "nope",
            "unknown scenario 'nope'; `labkit scenarios` lists them all",
            "未知的场景 'nope'；`labkit scenarios` 会列出全部",
        ),
        (
            "slow",
            f"unknown scenario 'slow'; those with 'slow' in them: {', '.join(slow)} "
            "(`labkit scenarios` lists them all)",
            f"未知的场景 'slow'；含有 'slow' 的：{'、'.join(slow)}（`labkit scenarios` 会列出全部）",
        ),
    ):
        result = labkit_in_process("run", typed)
        assert (result.returncode, result.stderr) == (1, f"labkit: error: {said}\n")
        chinese = labkit_in_process("run", typed, env={"LABKIT_LANG": "zh-CN"})
        assert chinese.stderr == f"labkit: error: {zh}\n"
    real = run_labkit("run", "nope", env={**os.environ, "LABKIT_LANG": "en"})
    assert (
        real.stderr == "labkit: error: unknown scenario 'nope'; `labkit scenarios` lists them all\n"
    )


def test_python_answers_an_unknown_scenario_as_labkit_run_does():
    """``labkit.scenarios.get("nope")`` listed all forty-odd ids in one line (fails before):
    Python says what `labkit run` says, the nearest id or the command that lists them."""
    for typed in ("nope", "slow", "503-maintenanc"):
        with pytest.raises(labkit.UnknownName) as refused:
            scenarios.get(typed)
        said = labkit_in_process("run", typed, env={"LABKIT_LANG": "en"}).stderr
        assert said == f"labkit: error: {refused.value}\n"
        assert len(str(refused.value)) < 140, str(refused.value)


def test_a_number_where_a_scenario_id_goes_says_what_an_id_is(monkeypatch):
    """`labkit run 50` listed the 27 ids with 50 in them (fails before): one line saying
    what was wrong (an id is a status and a name) and what is allowed (the statuses that
    start so), in both languages; Python's ``scenarios.get(50)`` says the same."""
    monkeypatch.delenv("LABKIT_LANG", raising=False)
    fifties = sorted({s.split("-")[0] for s in scenarios.SCENARIOS if s.startswith("50")})
    assert fifties == ["500", "501", "502", "503", "504", "505"]
    example = next(s for s in scenarios.SCENARIOS if s.startswith("500"))
    result = labkit_in_process("run", "50")
    assert (result.returncode, result.stderr) == (
        1,
        f"labkit: error: unknown scenario '50': an id is a status and a name, such as "
        f"{example}; the statuses that start with 50: {', '.join(fifties)} "
        "(`labkit scenarios` lists them all)\n",
    )
    chinese = labkit_in_process("run", "50", env={"LABKIT_LANG": "zh-CN"})
    assert chinese.stderr == (
        f"labkit: error: 未知的场景 '50'：场景 id 由状态码和名字组成，例如 {example}；"
        f"以 50 开头的状态码：{'、'.join(fifties)}（`labkit scenarios` 会列出全部）\n"
    )
    nothing = labkit_in_process("run", "9")
    first = next(iter(scenarios.SCENARIOS))  # the example, read from the catalogue
    assert nothing.stderr == (
        "labkit: error: unknown scenario '9': an id is a status and a name, such as "
        f"{first}; no status starts with 9 (`labkit scenarios` lists them all)\n"
    )
    with pytest.raises(labkit.UnknownName, match=r"^unknown scenario 50: an id is a status"):
        scenarios.get(50)  # type: ignore[arg-type]


def test_ctl_names_the_retry_flags_as_typed():
    """`--no-retry-after --retry-in 5` was refused as "--retry-after or --retry-in", a flag
    not typed (fails before); refused before any lab is looked for, in both languages."""
    words = ["ctl", "maintenance", "on", "--no-retry-after", "--retry-in", "5"]
    for lang, said in (
        ("en", "maintenance takes --no-retry-after or --retry-in, not both"),
        ("zh-CN", "maintenance 接受 --no-retry-after 或 --retry-in，不能两个都给"),
    ):
        result = run_labkit(*words, env={**os.environ, "LABKIT_LANG": lang})
        assert (result.returncode, result.stdout) == (2, ""), result
        assert result.stderr.splitlines()[0] == f"labkit: error: {said}", result.stderr


def test_serve_names_the_allow_user_flag_of_a_user_that_does_not_exist():
    """`labkit serve --allow-user nosuchuser` said "allow_users: ...", the Python parameter,
    not the flag typed (fails before); in both languages, and no lab is left serving."""
    for lang, said in (
        ("en", "--allow-user: there is no user 'no-such-user-x' on this machine (see /etc/passwd)"),
        ("zh-CN", "--allow-user：这台机器上没有用户 'no-such-user-x'（见 /etc/passwd）"),
    ):
        result = run_labkit(
            "serve", "--allow-user", "no-such-user-x", env={**os.environ, "LABKIT_LANG": lang}
        )
        assert (result.returncode, result.stdout) == (1, ""), result
        assert result.stderr.splitlines() == [f"labkit: error: {said}"]


def test_a_lesson_given_as_a_scenario_says_how_to_list_its_scenarios(monkeypatch):
    """`labkit run 503` (the status a lesson is about) listed all sixty ids in one line."""
    monkeypatch.delenv("LABKIT_LANG", raising=False)
    result = labkit_in_process("run", "503")
    assert (result.returncode, result.stderr) == (
        1,
        "labkit: error: 503 is a lesson, not a scenario: `labkit scenarios --lesson 503` "
        "lists its scenarios\n",
    )
    chinese = labkit_in_process("run", "503", env={"LABKIT_LANG": "zh-CN"})
    assert chinese.stderr == (
        "labkit: error: 503 是一课，不是场景：`labkit scenarios --lesson 503` 会列出这一课的场景\n"
    )


REFUSED_NUMBERS = [
    (
        ["capacity", "-5"],
        f"capacity must be a whole number from 0 to {CAPACITY_MAX}, or none (unlimited), not '-5'",
        f"容量必须是 0 到 {CAPACITY_MAX} 之间的整数，或者 none（不限），而不是 '-5'",
    ),
    (
        ["rate-limit", "off"],
        f"rate-limit must be a whole number from {RATE_LIMIT_RANGE[0]} to "
        f"{RATE_LIMIT_RANGE[1]}, not 'off'",
        f"请求数必须是 {RATE_LIMIT_RANGE[0]} 到 {RATE_LIMIT_RANGE[1]} 之间的整数，而不是 'off'",
    ),
    (
        ["timeout", "/", "--read", "abc"],
        "--read must be a number of seconds between 0.01 and 60, not 'abc'",
        "--read 必须是 0.01 到 60 之间的数（单位：秒），而不是 'abc'",
    ),
]


@pytest.mark.parametrize(
    ("args", "english", "chinese"), REFUSED_NUMBERS, ids=[" ".join(a[0]) for a in REFUSED_NUMBERS]
)
def test_a_refused_number_names_its_argument_once_in_the_learners_language(
    args, english, chinese, runtime_dir
):
    """`labkit ctl capacity -5` read "argument value: capacity must be ...", and in Chinese
    `容量（value）：capacity 必须是……`: the argument named twice, once as argparse's usage
    line names it, once in English. The refusal names it once: an option as typed, a
    positional word by its command in English and by what it is in Chinese; through the
    real command (fails before)."""
    command = f"labkit ctl {args[0]}"
    for lang, said, see in (
        ("en", english, f"(see `{command} --help`)"),
        ("zh-CN", chinese, f"（参见 `{command} --help`）"),
    ):
        result = run_labkit("ctl", *args, env={**os.environ, "LABKIT_LANG": lang})
        assert (result.returncode, result.stdout) == (2, ""), result
        assert result.stderr == f"labkit: error: {said}\n{see}\n"


def test_a_lesson_left_out_or_unknown_is_told_the_lessons(runtime_dir):
    """`labkit scenarios --lesson` said "expected one argument" and named no lesson, and
    `--lesson 50` was asked "did you mean 505?", never told 500 and 501: both name every
    lesson of the table, through the real command, in English and in Chinese (fails
    before)."""
    english = ", ".join(scenarios.LESSONS)
    chinese = "、".join(scenarios.LESSONS)
    for args, lang, said in (
        ([], "en", f"argument --lesson: expected one argument; choose one of: {english}"),
        ([], "zh-CN", f"选项 --lesson：需要一个值；可选：{chinese}"),
        (["50"], "en", f"unknown lesson '50'; choose one of: {english}"),
        (["50"], "zh-CN", f"未知的课号 '50'；可选：{chinese}"),
    ):
        result = run_labkit("scenarios", "--lesson", *args, env={**os.environ, "LABKIT_LANG": lang})
        assert (result.returncode, result.stdout) == (2, ""), result
        assert result.stderr.splitlines()[0] == f"labkit: error: {said}", result.stderr


@pytest.mark.parametrize("args", [["scenarios"], ["scenarios", "--json"], ["--help"]], ids=" ".join)
def test_a_closed_pipe_ends_the_command_quietly(args):
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader (`head`) has already gone
    try:
        result = subprocess.run(
            [PY, "-m", "labkit", *args], stdout=write_end, stderr=subprocess.PIPE, timeout=20
        )
    finally:
        os.close(write_end)
    assert result.stderr == b""
    assert result.returncode == 0


def test_scenarios_piped_to_a_reader_that_stops_prints_no_error():
    # `true` exits without reading, as `head` does once it has its lines
    result = shell('labkit scenarios | true; echo "rc=${PIPESTATUS[0]}"')
    assert result.stderr == ""
    assert result.stdout == "rc=0\n"


def test_ctl_gives_up_on_a_lab_that_never_answers_in_one_line(monkeypatch) -> None:
    """A lab whose control server takes the connection and never answers (its kernel
    suspended): `labkit ctl` says it could not reach it after control.ANSWER_WITHIN (0.2 s
    here, 5 s by default), one line, not a hang."""
    import socket

    from labkit import control
    from labkit.errors import ControlError

    monkeypatch.setattr(control, "ANSWER_WITHIN", 0.2)
    with socket.create_server(("127.0.0.1", 0)) as stuck:  # the kernel queues the connection
        record = {"control": f"http://127.0.0.1:{stuck.getsockname()[1]}", "token": "t"}
        began = time.monotonic()
        with pytest.raises(ControlError) as refused:
            control.send(record, "state")
        took = time.monotonic() - began
    assert str(refused.value).startswith("could not reach the lab's control server: ")
    assert "\n" not in str(refused.value)
    assert took < 4.0, f"gave up after {took:.1f} s, not after ANSWER_WITHIN"


@pytest.mark.slow
def test_wait_busy_with_nothing_in_flight_answers_promptly_and_says_what_to_do(lab):
    """`labkit ctl wait-busy 1` with nothing on its way: it waited 5 s in silence before its
    error. It waits WAIT_BUSY_DEFAULT (a request started just before arrives in milliseconds)
    and says how to start one; with one held at the origin it answers at once."""
    from labkit.control import WAIT_BUSY_DEFAULT

    result = labkit_cli("ctl", "wait-busy", "1")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == (
        f"labkit: error: the origin had 0 requests in flight, not 1, after {WAIT_BUSY_DEFAULT:g} s: "
        f"start them first (labkit ctl hold on, then curl {lab.origin.url}/busy &), or wait "
        "longer with --timeout\n"
    )
    # timed in this process: the interpreter's start-up (seconds under load, and not the same
    # twice) is no part of the wait; it measured the difference of two real runs and failed
    # once under a load of 10-15. Giving up takes about WAIT_BUSY_DEFAULT, where it took 5 s.
    began = time.monotonic()
    again = labkit_in_process("ctl", "wait-busy", "1")
    took = time.monotonic() - began
    assert (again.returncode, again.stderr) == (1, result.stderr)
    assert took < 3.5, f"gave up after {took:.1f} s"
    threads = scenarios.hold_busy(lab, 1)
    try:
        result = labkit_cli("ctl", "wait-busy", "1")
        assert result.stdout == "the origin has 1 request in flight\n", result.stderr
    finally:
        lab.reset()
        for t in threads:
            t.join(timeout=5)


def test_a_bound_is_written_in_full_not_in_e_notation(lab):
    """--retry-after 99999999999999999999 said 'between 0 and 3.1536e+07 seconds': a learner
    new to floats cannot read that bound. Whole bounds are written in full, others as before."""
    from labkit.switches import YEAR

    result = labkit_in_process("ctl", "maintenance", "on", "--retry-after", "99999999999999999999")
    assert result.returncode == 2
    assert (
        f"must be a whole number from 0 to {YEAR}, or none (no Retry-After), "
        "not 99999999999999999999"
    ) in result.stderr
    assert "e+" not in result.stderr
    result = labkit_in_process("ctl", "timeout", "/", "--read", "0.001")
    assert "must be between 0.01 and 60 seconds, not 0.001" in result.stderr


def test_every_commands_help_says_what_it_does(capsys) -> None:
    """`labkit ctl reset --help`, `ctl state --help`, `ctl wait-busy --help` (and `labkit serve
    --help`, `env`, `scenarios`, ...) printed their usage and options and never what the
    command does: a parser made with only help= has no description. Each now opens with the
    line its parent's --help lists it with; wait-busy's count and --timeout say what they are,
    and --gateway says a personality changes more than upstream failures (fails before: no
    description line)."""
    from labkit import cli, switches
    from labkit.control import OTHER_COMMANDS, WAIT_BUSY_DEFAULT, WAIT_BUSY_MAX

    def helped(*words: str) -> str:
        with pytest.raises(SystemExit):
            cli.build_parser().parse_args([*words, "--help"])
        return capsys.readouterr().out

    top = "serve env scenarios run progress exchange submit collect grade board drill ctl"
    commands = [[name] for name in top.split()]
    commands += [["ctl", name] for name in (*switches.SWITCHES, *OTHER_COMMANDS)]
    listings = {(): helped(), ("ctl",): helped("ctl")}
    for words in commands:
        listing = " ".join(listings[tuple(words[:-1])].split())
        out = helped(*words)
        said = " ".join(out.split("\n\n")[1].split())
        assert not said.startswith(("positional arguments:", "options:")), (words, out)
        assert f"{words[-1]} {said}" in listing, (words, said, listing)
    for name, line in OTHER_COMMANDS.items():
        assert line in " ".join(helped("ctl", name).split())
    out = " ".join(helped("ctl", "wait-busy").split())
    assert "count how many requests the origin must have in flight" in out, out
    wait = f"0 to {WAIT_BUSY_MAX:g} (default {WAIT_BUSY_DEFAULT:g})"
    assert f"--timeout SECONDS how long to wait for them, {wait}" in out, out
    out = " ".join(helped("serve").split())
    assert "what it does to the headers it relays" in out, out


def _numeric_arguments() -> list[tuple[list[str], list[str], float, float]]:
    """Every number `labkit ctl` takes: (the words before it, those after it, its minimum,
    its maximum), from the switches' table and the ranges wait-busy is checked with."""
    from labkit import switches
    from labkit.control import WAIT_BUSY_MAX

    found = []
    for switch in switches.SWITCHES.values():
        # the words the command needs besides the number, at their defaults
        words = {p.name: p.word(p.default) for p in switch.required if p.kind not in (int, float)}
        for param in switch.params:
            if param.kind not in (int, float):
                continue
            if param.optional:
                before, after = [switch.name, *words.values(), param.flag], []
            else:
                at = [p.name for p in switch.required].index(param.name)
                given = [words.get(p.name, "") for p in switch.required]
                before, after = [switch.name, *given[:at]], given[at + 1 :]
            found.append((["ctl", *before], after, param.minimum, param.maximum))
    found.append((["ctl", "wait-busy"], [], 0, switches.CAPACITY_MAX))
    found.append((["ctl", "wait-busy", "1", "--timeout"], [], 0, WAIT_BUSY_MAX))
    return found


NUMERIC_ARGUMENTS = _numeric_arguments()


@pytest.mark.parametrize(
    "typed", ["nan", "inf", "1e400", "99999999999999999999", "-inf", "-1e400", "-nan"]
)
@pytest.mark.parametrize(
    ("before", "after", "low", "high"),
    NUMERIC_ARGUMENTS,
    ids=[" ".join(a[0]) for a in NUMERIC_ARGUMENTS],
)
def test_a_huge_or_not_finite_number_is_refused_at_parse_time_with_its_range(
    before, after, low, high, typed, runtime_dir
):
    """No lab runs: the command line itself refuses it (exit 2), in one line that names the
    range, in English and in Chinese. `labkit ctl wait-busy 99999999999999999999` was sent
    to the lab, `--timeout nan` named a range of 0 to 3600 (the lab's is 0 to 30), and
    `capacity nan` said only ">= 0". argparse took -inf, -1e400 and -nan for options:
    `capacity -inf` said "the following arguments are required: value", `--read -inf`
    "expected one argument" (fails before)."""
    from labkit.errors import number

    for lang, rng in (
        ("en", rf"(between {number(low)} and|from {number(low)} to) {number(high)}\b"),
        ("zh-CN", rf"{number(low)} 到 {number(high)} 之间"),
    ):
        result = labkit_in_process(*before, typed, *after, env={"LABKIT_LANG": lang})
        assert result.returncode == 2 and result.stdout == "", result
        said, _ = result.stderr.splitlines()  # the error, then where help is
        assert re.search(rng, said), said
        assert f"{typed}" in said and "Traceback" not in result.stderr


POSITIONAL_NUMBERS = [a for a in NUMERIC_ARGUMENTS if not a[0][-1].startswith("--")]


@pytest.mark.parametrize(
    ("before", "after", "low", "high"),
    POSITIONAL_NUMBERS,
    ids=[" ".join(a[0]) for a in POSITIONAL_NUMBERS],
)
def test_a_number_left_out_is_named_with_its_range(before, after, low, high, runtime_dir):
    """`labkit ctl capacity` said "the following arguments are required: value", and nothing
    of what a value is: the line names the range too, as a refusal of a wrong number does, in
    English and in Chinese, through the real command (fails before)."""
    from labkit.errors import number

    for lang, rng in (
        ("en", rf"\(a .*(between {number(low)} and|from {number(low)} to) {number(high)}\b"),
        ("zh-CN", rf"：{number(low)} 到 {number(high)} 之间"),
    ):
        result = subprocess.run(
            [PY, "-m", "labkit", *before, *after],
            capture_output=True,
            text=True,
            timeout=20,
            env={**os.environ, "LABKIT_LANG": lang},
        )
        assert result.returncode == 2 and result.stdout == "", result
        said, _ = result.stderr.splitlines()
        assert re.search(rng, said), said


@pytest.mark.slow  # the real command 8 times (--bogus: test_an_unknown_option_is_named_with_...)
def test_an_option_typed_before_a_command_is_named_by_the_command_it_was_typed_for(
    runtime_dir,
):
    """`labkit --bogus serve` said "labkit serve: error: unknown option --bogus; labkit serve
    takes ...": argparse hands a word it does not know to the innermost command, which was
    never given it. The real command, in English and in Chinese (fails before)."""
    for args, command in (
        (["--bogus", "serve"], "labkit"),
        (["--bogus", "ctl", "capacity", "3"], "labkit"),
        (["ctl", "--bogus", "capacity", "3"], "labkit ctl"),
        (["ctl", "capacity", "3", "--bogus"], "labkit ctl capacity"),
    ):
        for lang, head, see in (
            ("en", f"labkit: error: unknown option --bogus; {command} takes ", "(see `"),
            ("zh-CN", f"labkit: error: 未知的选项 --bogus；{command} 接受 ", "（参见 `"),
        ):
            result = subprocess.run(
                [PY, "-m", "labkit", *args],
                capture_output=True,
                text=True,
                timeout=20,
                env={**os.environ, "LABKIT_LANG": lang},
            )
            said, where = result.stderr.splitlines()
            assert (result.returncode, result.stdout) == (2, ""), result
            assert said.startswith(head), (args, said)
            assert where.startswith(f"{see}{command} --help`"), (args, where)


@pytest.mark.slow  # the real command 5 times, a 1.1 s sleep (the words: test_widgets_lesson_511)
def test_ctl_says_a_portal_already_logged_in_or_out_was_so(lab):
    """`labkit ctl portal login` while logged in said "portal: logged in", as if it had just
    logged in (and started the session's hour again): it says it already was, and leaves the
    session as it is. The real command (fails before)."""
    from labkit.portal import API, SESSION_SECONDS

    assert labkit_cli("ctl", "portal", "login").stdout == "portal: logged in\n"
    time.sleep(1.1)  # the session's first whole second gone
    assert labkit_cli("ctl", "portal", "login").stdout == "portal: already logged in\n"
    state = json.loads(lab.get(API, via="portal").text)
    assert state["captive"] is False and state["seconds-remaining"] < SESSION_SECONDS - 1, state
    assert labkit_cli("ctl", "portal", "logout").stdout == "portal: logged out\n"
    assert labkit_cli("ctl", "portal", "logout").stdout == "portal: already logged out\n"
    assert lab.get("/orders/7", via="portal").status == 511
    zh = {**os.environ, "LABKIT_LANG": "zh-CN"}
    said = subprocess.run(
        [PY, "-m", "labkit", "ctl", "portal", "logout"], capture_output=True, text=True, env=zh
    )
    assert said.stdout == "门户：本来就已退出登录\n", said


@pytest.mark.parametrize(
    ("value", "english", "chinese"),
    [
        (float("nan"), "not nan (not a number)", "而不是 nan（非数字）"),
        (float("inf"), "not inf (infinity)", "而不是 inf（正无穷大）"),
        (float("-inf"), "not -inf (minus infinity)", "而不是 -inf（负无穷大）"),
    ],
    ids=["nan", "inf", "-inf"],
)
def test_the_python_api_says_nan_and_inf_in_words(value, english, chinese):
    """Set from Python, a refused nan or inf was quoted as "not nan", "not inf": read as a
    typo by a learner who never met them. Each refusal says what it is, and the range, in the
    lab's language (fails before)."""
    from labkit.errors import BadArgument

    for lang, words in (("en", english), ("zh-CN", chinese)):
        with labkit.start(lang=lang) as lab:
            for setting in (
                lambda: setattr(lab.gateway.route("/"), "read_timeout", value),
                lambda: setattr(lab.origin, "capacity", value),
                lambda: setattr(lab.upstreams["slow"], "delay", value),
            ):
                with pytest.raises(BadArgument) as refused:
                    setting()
                said = str(refused.value)
                assert words in said and "\n" not in said, said


OPTION_NUMBERS = [a for a in NUMERIC_ARGUMENTS if a[0][-1].startswith("--") and not a[1]]


@pytest.mark.parametrize(
    ("before", "after", "low", "high"),
    OPTION_NUMBERS,
    ids=[" ".join(a[0]) for a in OPTION_NUMBERS],
)
def test_an_option_left_without_its_number_names_the_range(before, after, low, high, runtime_dir):
    """`labkit ctl timeout / --read` said "argument --read: expected one argument", and
    nothing of what the number may be: the range follows, as for a positional number left
    out, in English and in Chinese (fails before)."""
    from labkit.errors import number

    for lang, expected, rng in (
        ("en", "expected one argument: ", rf"(between {number(low)} and|from {number(low)} to) "),
        ("zh-CN", "需要一个值：", rf"{number(low)} 到 "),
    ):
        result = labkit_in_process(*before, env={"LABKIT_LANG": lang})
        assert result.returncode == 2 and result.stdout == "", result
        said, _ = result.stderr.splitlines()
        assert expected in said and re.search(rf"{rng}{number(high)}\b", said), said


def test_the_hold_line_in_a_terminal_gives_the_terminals_commands(lab):
    """`labkit ctl hold on` told a learner already at a terminal "or, from a terminal, give
    the origin a capacity" and named the scenario as a playground's list does (fails before):
    a terminal is given `labkit run` and its own steps; a playground keeps its words."""
    from labkit import control, switches

    try:
        result = labkit_in_process("ctl", "hold", "on")
        assert result.returncode == 0, result
        assert (
            "shed (503): `labkit run 503-load-shedding` shows it; or give the origin a "
            "capacity (labkit ctl capacity 1), send GET /busy in the background"
        ) in result.stdout, result
        assert "from a terminal" not in result.stdout
        # a Chinese terminal's request (in this process the running lab's language wins)
        chinese = control.apply(lab, "hold", {"on": True}, "zh-CN")["done"]
        assert (
            "下一个请求会被卸载（503）：`labkit run 503-load-shedding` 演示了这一点；"
            "也可以先给源服务器设定容量（labkit ctl capacity 1）"
        ) in chinese, chinese
        assert "在终端里" not in chinese
        shown = switches.apply(lab, "hold", {"on": True})  # Python, a playground
        assert "the scenario 503-load-shedding shows it; or, from a terminal, give" in shown
        assert switches.apply(lab, "hold", {"on": False}, terminal=True).startswith("hold: off")
    finally:
        lab.reset()


@needs_curl
@pytest.mark.slow
def test_the_hold_lines_terminal_steps_shed_the_next_request(lab):
    """Turning the hold on says how to see it from a terminal; those steps, as written, shed
    the next request with 503. It said "GET /busy in the background, then another request"
    alone, and the lab's capacity is unlimited until one is given: nothing was shed."""
    said = labkit_cli("ctl", "hold", "on")
    assert "give the origin a capacity (labkit ctl capacity 1)" in said.stdout, said
    try:
        result = shell(
            "labkit ctl capacity 1 >/dev/null"
            f" && (curl -s -o /dev/null {lab.origin.url}/busy >/dev/null 2>&1 &)"
            " && labkit ctl wait-busy 1 >/dev/null"
            f" && curl -si {lab.origin.url}/orders/7 | head -1"
        )
        assert result.stdout.startswith("HTTP/1.1 503 Service Unavailable"), result
    finally:
        lab.reset()
