"""The `labkit` command (also `python -m labkit`): serve a lab, list scenarios, switch a lab.

labkit serve [--json] [--host ADDRESS] [--allow-user NAME]   run a lab until Ctrl-C
labkit env [--lab URL]                   print ORIGIN=..., GATEWAY=..., LABKIT_LAB=... for the shell
labkit scenarios [--json] [--lesson N]   the catalogue
labkit run SCENARIO                      run one scenario on a fresh lab, show what happened
labkit ctl [--lab URL] COMMAND ...       switch a running lab (maintenance, capacity, ...)
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import json
import os
import re
import shlex
import signal
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

from labkit.errors import BadArgument, LabkitError, LabkitWarning, os_error, unknown
from labkit.i18n import ENGLISH, Listed, Msg, Text, environment_language
from labkit.i18n import render as in_language
from labkit.personalities import PERSONALITIES

if TYPE_CHECKING:
    from labkit.scenarios import Scenario
    from labkit.switches import Param


def _lang() -> str:
    """The CLI's language: LABKIT_LANG (English when unset, or set to what labkit cannot
    speak: that mistake is reported by the lab it starts, in English)."""
    try:
        return environment_language()
    except LabkitError:
        return ENGLISH


def _say(msg: Msg) -> str:
    return msg.render(_lang())


# What every refusal of the command starts with, in every language and for every command
# (grep finds them all): a command line argparse refuses, an error labkit or the lab raises
ERROR = "labkit: error:"


# argparse's own words in the command's error lines: argparse asks gettext for each (the global
# domain, `from gettext import gettext as _`), and these are its msgids (Python 3.11's
# argparse.py; a later Python that rewords one says it in English). Only the words of an error
# line are here: --help, with its "usage:" and "options:", stays English like the help texts it
# frames, which name options and commands typed as they are (docs/i18n.md).
_ARGPARSE_WORDS = (
    Msg("argument %(argument_name)s: %(message)s", context="argparse"),
    Msg("invalid choice: %(value)r (choose from %(choices)s)", context="argparse"),
    Msg("invalid %(type)s value: %(value)r", context="argparse"),
    Msg("the following arguments are required: %s", context="argparse"),
    Msg("one of the arguments %s is required", context="argparse"),
    Msg("unrecognized arguments: %s", context="argparse"),
    Msg("ambiguous option: %(option)s could match %(matches)s", context="argparse"),
    Msg("not allowed with argument %s", context="argparse"),
    Msg("ignored explicit argument %r", context="argparse"),
    Msg("expected one argument", context="argparse"),
    Msg("expected at most one argument", context="argparse"),
    Msg("expected at least one argument", context="argparse"),
)


@contextlib.contextmanager
def _argparse_speaks(lang: str) -> Iterator[None]:
    """argparse's error words in ``lang`` while the command line is parsed: its module's
    ``_`` (gettext) answers from labkit's catalogue (msgctxt "argparse"), and is put back
    after, so that nothing else in the process is changed for longer than a parse."""
    if lang == ENGLISH:
        yield
        return
    words = {m.text: m.render(lang) for m in _ARGPARSE_WORDS}
    english = getattr(argparse, "_")  # noqa: B009 (argparse's gettext, not in its stubs)

    def translated(text: str) -> str:
        return words[text] if text in words else str(english(text))

    setattr(argparse, "_", translated)  # noqa: B010
    try:
        yield
    finally:
        setattr(argparse, "_", english)  # noqa: B010


# What each positional word of the command line is, as an error line names it in a language
# other than English: argparse names an argument as the usage line does ("argument value:"),
# and `参数 value：` told a Chinese learner only the English word of `--help` (until December
# 2026). Keyed by the command whose word it is and the name argparse gives it; an option is
# named as typed (`选项 --timeout`). English keeps argparse's own line.
POSITIONAL_WORDS: dict[tuple[str, str], Msg] = {
    ("labkit", "command"): Msg("the command", context="argument"),
    ("ctl", "COMMAND"): Msg("the command", context="argument"),
    ("run", "scenario"): Msg("the scenario's id", context="argument"),
    ("exchange", "action"): Msg("what to do", context="argument"),
    ("exchange", "path"): Msg("the exchange directory", context="argument"),
    ("collect", "PATH"): Msg("the paths to read", context="argument"),
    ("grade", "PATH"): Msg("the paths to read", context="argument"),
    ("drill", "action"): Msg("what to do", context="argument"),
    ("drill", "name"): Msg("the drill's name", context="argument"),
    ("wait-busy", "count"): Msg("the number of requests", context="argument"),
    ("maintenance", "on|off"): Msg("on or off", context="argument"),
    ("hold", "on|off"): Msg("on or off", context="argument"),
    ("debug", "on|off"): Msg("on or off", context="argument"),
    ("capacity", "value"): Msg("the capacity", context="argument"),
    ("rate-limit", "requests"): Msg("the number of requests", context="argument"),
    ("portal", "action"): Msg("log in or out", context="argument"),
    ("timeout", "route"): Msg("the route", context="argument"),
    ("head-timeout", "server"): Msg("the server", context="argument"),
    ("head-timeout", "seconds"): Msg("the seconds", context="argument"),
    ("delay", "seconds"): Msg("the seconds", context="argument"),
    ("personality", "name"): Msg("the gateway personality", context="argument"),
    ("cache", "action"): Msg("what to do with the cache", context="argument"),
}


# a number as float() reads one (-1e400, -inf): never named as an unknown option
_NUMBER = r"(([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?|nan|inf(inity)?)"
_A_NUMBER = re.compile(f"[+-]?{_NUMBER}", re.I)
_NEGATIVE_NUMBER = re.compile(f"^-{_NUMBER}$", re.I)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # a word that reads as a negative number is a value, not an option: argparse's own
        # pattern knows -5 and -.5 only, and took -inf, -1e400 and -nan for options
        # (`labkit ctl capacity -inf` said "the following arguments are required: value")
        self._negative_number_matcher = _NEGATIVE_NUMBER

    def _named(self, name: str, lang: str) -> Text:
        """An argument as an error line names it in ``lang``: an option as typed, a positional
        word by what it is with the name `--help` gives it (`开或关（on|off）`), a command word
        by what it is alone (`命令`: `labkit --help` shows no name for it, `labkit ctl --help`
        COMMAND, and the two lines read 命令（command） and 命令（COMMAND） until December
        2026); argparse's name in English, or for a word this table does not know."""
        if lang == ENGLISH:
            return name
        for action in self._actions:
            if argparse._get_action_name(action) != name:
                continue
            if action.option_strings:
                return Msg("option {name}", context="argument", name=name)
            words = POSITIONAL_WORDS.get((self.prog.split()[-1], name))
            if words is not None and isinstance(action, argparse._SubParsersAction):
                return words  # `命令`, as the line naming an unknown option says it
            if words is not None:
                return Msg("{words} ({name})", context="argument", words=words, name=name)
        return Msg("argument {name}", context="argument", name=name)

    def _parse_known_args(self, *args: Any, **kwargs: Any) -> Any:
        """argparse's, with the argument of an ArgumentError named by ``_named``: the line
        argparse then prints is `选项 --lesson：需要一个值`, `开或关（on|off）：...`. The words
        it parses are kept for ``unknown_option``."""
        self._typed = list(args[0]) if args else []
        try:
            return super()._parse_known_args(*args, **kwargs)
        except argparse.ArgumentError as err:
            if err.argument_name is not None:
                lang = _lang()
                self._with_what_it_takes(err, lang)
                err.argument_name = in_language(self._named(err.argument_name, lang), lang)
            raise

    def _with_what_it_takes(self, err: argparse.ArgumentError, lang: str) -> None:
        """An option given no value (`--read`, `--lesson` last on the line): argparse's
        "expected one argument", and what the value may be: a number's range, or the names
        of its table (`labkit scenarios --lesson` named no lesson)."""
        words = getattr(argparse, "_")  # noqa: B009 (the words _argparse_speaks put in)
        if err.message != words("expected one argument"):
            return
        for action in self._actions:
            if not action.option_strings or argparse._get_action_name(action) != err.argument_name:
                continue
            param = _number_param(action)
            if param is not None:
                err.message = Msg(
                    "{expected}: {allowed}", expected=err.message, allowed=param.allowed(lang)
                ).render(lang)
            elif isinstance(action.type, _OneOf):
                err.message = Msg(
                    "{expected}; choose one of: {choices}",
                    expected=err.message,
                    choices=Listed(action.type.names()),
                ).render(lang)

    def _get_value(self, action: argparse.Action, arg_string: str) -> Any:
        """argparse's, with every number (``typed_as``: a command takes none through argparse's
        ``int``, which named the Python type, `无效的 int 值`) refused as ``Param.parse`` words it, naming
        the argument once (``_said_as``): argparse put its own name in front, and `labkit ctl
        capacity -5` read `argument value: capacity must be ...` (`容量（value）：capacity
        必须是……` in Chinese). A name from a table (``_OneOf``) is refused in one sentence too."""
        lang = _lang()
        param = _number_param(action)
        check: Callable[[str], Any] | None = (
            functools.partial(param.parse, named=self._said_as(action, lang), lang=lang)
            if param is not None
            else action.type
            if isinstance(action.type, _OneOf)
            else None
        )
        if check is not None:
            try:
                return check(arg_string)
            except BadArgument as exc:
                refused = argparse.ArgumentError(action, str(exc))
                refused.argument_name = None  # the message names it: argparse adds nothing
                raise refused from None
        return super()._get_value(action, arg_string)

    def _said_as(self, action: argparse.Action, lang: str) -> str:
        """How a refusal of a switch's number names it: an option as typed (`--read`); a
        positional word in English by the command it belongs to, as typed (`capacity`), in
        another language by what it is (`容量`, ``POSITIONAL_WORDS``)."""
        name = argparse._get_action_name(action) or ""
        typed: str = getattr(action.type, "named", "") or name
        words = POSITIONAL_WORDS.get((self.prog.split()[-1], name))
        if action.option_strings or lang == ENGLISH or words is None:
            return typed
        return in_language(words, lang)

    def subcommand(self, word: str) -> argparse.ArgumentParser | None:
        """The parser of the command ``word`` names under this one, if it names one."""
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction) and word in action.choices:
                parser: argparse.ArgumentParser = action.choices[word]
                return parser
        return None

    def unknown_option(self, words: Sequence[str]) -> str | None:
        """The first of ``words`` that reads as an option this command does not have (as
        argparse reads one: a dash, not a negative number, no space; an abbreviation of one
        of its options is that option), else None."""
        for word in words:
            if word == "--":  # what follows is positional
                return None
            if not word.startswith("-") or word == "-" or " " in word:
                continue
            if self._negative_number_matcher.match(word) or _A_NUMBER.fullmatch(word):
                continue  # a negative number, -inf, -1e400: a value, refused as a value
            name = word.split("=", 1)[0]
            known = self._option_string_actions
            if name in known or (name.startswith("--") and any(o.startswith(name) for o in known)):
                continue
            return name
        return None

    def refuse_option(self, option: str) -> NoReturn:
        """An option this command does not have, in one line with what it takes: its options
        as usage writes them, then its positional words (a command: the commands)."""
        lang = _lang()
        options: list[Text] = []
        positionals: list[Text] = []
        for action in self._actions:
            if action.option_strings:
                name = max(action.option_strings, key=len)
                if action.nargs != 0:
                    takes = action.metavar or action.dest.upper()
                    name += " " + (takes if isinstance(takes, str) else " ".join(takes))
                options.append(name)
            elif isinstance(action, argparse._SubParsersAction):
                commands = Listed(str(c) for c in action.choices)
                positionals.append(Msg("a command: {commands}", commands=commands))
            else:
                positionals.append(self._named(argparse._get_action_name(action) or "", lang))
        said = (
            Msg(
                "unknown option {option}; {command} takes {options}, then {words}",
                option=option,
                command=self.prog,
                options=Listed(options),
                words=Listed(positionals),
            )
            if positionals
            else Msg(
                "unknown option {option}; {command} takes {options}",
                option=option,
                command=self.prog,
                options=Listed(options),
            )
        )
        self.refuse_line(said.render(lang))

    def error(self, message: str) -> NoReturn:  # one clear line, then how to get help
        lang = _lang()
        # `labkit --bogus`: argparse leaves a word it does not know for later, then finds the
        # command missing, and said "the following arguments are required: command", never
        # naming --bogus; the option typed is the mistake to name
        option = self.unknown_option(getattr(self, "_typed", ()))
        if option is not None:
            self.refuse_option(option)
        # argparse joins the missing arguments' names with ', ' after its words are
        # translated ("缺少以下必需的参数：action, path"): joined by the list rule instead, each
        # with what it allows when that is a few words ("action (choose from 'init')"; a
        # switch's on/off is named by its words, "on|off", where the bare name "on" told a
        # learner nothing until December 2026)
        words = getattr(argparse, "_")  # noqa: B009 (the words _argparse_speaks put in)
        head = words("the following arguments are required: %s").split("%s")[0]
        if message.startswith(head):
            names = message[len(head) :].split(", ")
            message = head + Listed(self._allowed(name, lang) for name in names).render(lang)
        self.refuse_line(message)

    def refuse_line(self, message: str) -> NoReturn:
        """Exit 2 with ``message`` after the prefix of every refusal of the command
        (``ERROR``), then where this command's help is. argparse's own prefix named the
        command (`labkit ctl capacity: error:`), and a refusal the lab or labkit itself
        made said `labkit: error:`: `labkit ctl` said it one way for -5 and the other for a
        route the lab lacks."""
        see = _say(Msg("(see `{command} --help`)", command=self.prog))
        self.exit(2, f"{ERROR} {message}\n{see}\n")

    def _allowed(self, name: str, lang: str) -> Text:
        """A missing argument as the error line names it: with its choices, if it has them
        (a subcommand's are the commands, which `--help` lists: named alone); in a language
        other than English, by what it is too (`服务器（server，可选：'portal'、...）`)."""
        words = POSITIONAL_WORDS.get((self.prog.split()[-1], name)) if lang != ENGLISH else None
        for action in self._actions:
            param = _number_param(action)
            if (
                not action.option_strings
                and argparse._get_action_name(action) == name
                and param is not None
            ):
                # a number: the range it takes, as a refusal of a wrong one says it
                allowed = param.allowed(lang)
                if words is not None:
                    return Msg(
                        "{words} ({name}: {allowed})",
                        context="argument",
                        words=words,
                        name=name,
                        allowed=allowed,
                    )
                return Msg("{name} ({allowed})", name=name, allowed=allowed)
            if (
                not action.option_strings
                and action.metavar is None  # a metavar says what it takes already
                and action.choices is not None
                and not isinstance(action, argparse._SubParsersAction)
                and argparse._get_action_name(action) == name
            ):
                choices = Listed(repr(choice) for choice in action.choices)
                if words is not None:
                    return Msg(
                        "{words} ({name}, choose from {choices})",
                        context="argument",
                        words=words,
                        name=name,
                        choices=choices,
                    )
                return Msg("{name} (choose from {choices})", name=name, choices=choices)
        return self._named(name, lang)

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        """argparse joins the choices with ', ' before its words are translated: in
        another language they are joined by its list rule (i18n.Listed: 、 in Chinese)."""
        lang = _lang()
        if action.choices is None or value in action.choices or lang == ENGLISH:
            return super()._check_value(action, value)
        words = getattr(argparse, "_")  # noqa: B009 (the words _argparse_speaks put in)
        choices = Listed([repr(choice) for choice in action.choices]).render(lang)
        message = words("invalid choice: %(value)r (choose from %(choices)s)")
        raise argparse.ArgumentError(action, message % {"value": value, "choices": choices})


def _number_param(action: argparse.Action) -> Param | None:
    """The switches' parameter ``action`` parses (``switches.ParamType``), if it is a number:
    what a refusal of it, or a command line that leaves it out, says it takes."""
    param: Param | None = getattr(action.type, "param", None)
    return param if param is not None and param.kind in (int, float) else None


class _OneOf:
    """argparse's type for an option that takes a name from a table (``names`` reads it when
    a word is checked: its module is imported then, not for every command): a word not in
    it is refused with every name it takes (``errors.unknown``), as is the option left
    without one (``_Parser._with_what_it_takes``)."""

    def __init__(self, kind: str, names: Callable[[], Sequence[str]]) -> None:
        self.kind, self.names = kind, names
        self.__name__ = kind

    def __call__(self, text: str) -> str:
        names = self.names()
        if text not in names:
            raise unknown(self.kind, text, names, lang=_lang(), nearest=False)
        return text


def _scenario_lessons() -> Sequence[str]:
    from labkit.scenarios import LESSONS

    return LESSONS


def _exercise_lessons() -> Sequence[str]:
    from labkit.exercises import all_exercises

    return sorted({ex.lesson for ex in all_exercises()})


def typed_as(param: Param, named: str) -> Any:
    """argparse's type for a parameter of the switches' kind (``switches.Param``): the word
    parsed and refused as a switch's are, in the terminal's language, its range in one line.
    Every number a command takes is one (tests/test_i18n_cli.py): argparse's own ``int``
    said "invalid int value" (`labkit grade --jobs`)."""
    from labkit.switches import ParamType

    return ParamType(param, argparse.ArgumentTypeError, named, lang=_lang)


class _Commands(argparse._SubParsersAction):  # type: ignore[type-arg]
    """Subcommands whose --help opens with what each does: the line its parent's --help lists
    it with. A parser made with only ``help=`` has no description, so `labkit ctl reset
    --help` printed its usage and options and never said what reset does (until December
    2026)."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        if "help" in kwargs and "description" not in kwargs:
            kwargs["description"] = kwargs["help"]
        parser: argparse.ArgumentParser = super().add_parser(name, **kwargs)
        return parser


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="labkit", description="Cause, see and fix every HTTP 5xx on your machine.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser, action=_Commands)

    serve = sub.add_parser("serve", help="run a lab in the foreground until Ctrl-C or SIGTERM")
    serve.add_argument("--json", action="store_true", help="print one JSON line with the URLs")
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to serve on (default 127.0.0.1; anything wider is reachable by others)",
    )

    serve.add_argument(
        "--allow-user",
        action="append",
        default=[],
        metavar="NAME",
        help="another user who may connect (e.g. www-data for a real nginx in front); repeatable",
    )
    serve.add_argument(
        "--gateway",
        default="rfc",
        choices=list(PERSONALITIES),
        help="behave like this gateway: its statuses, error pages and log words for upstream "
        "failures and what it does to the headers it relays (default: rfc, the lab's reading of the RFCs; "
        "docs/gateways.md)",
    )

    env = sub.add_parser("env", help="print shell variables (ORIGIN, GATEWAY, ...) for a lab")
    env.add_argument("--lab", help="URL of the lab's origin, gateway or portal")

    sc = sub.add_parser("scenarios", help="list the scenario catalogue")
    sc.add_argument("--json", action="store_true", help="print a JSON array")
    sc.add_argument(
        "--lesson",
        type=_OneOf("lesson", _scenario_lessons),
        help="only this lesson's scenarios (500, 501, ... 511)",
    )

    run = sub.add_parser("run", help="run one scenario on a fresh lab and show the exchange")
    run.add_argument("scenario", help="a scenario id, e.g. 502-garbage (see `labkit scenarios`)")

    pr = sub.add_parser(
        "progress", help="exercise progress: print it or export it for an instructor"
    )
    pr.add_argument("--format", choices=["table", "csv", "json"], default="table")
    pr.add_argument(
        "--file",
        help="the progress file (default: $LABKIT_PROGRESS or ~/.local/share/labkit/progress.json)",
    )
    pr.add_argument(
        "--lesson", type=_OneOf("lesson", _exercise_lessons), help="only this lesson's exercises"
    )

    from labkit import classroom, grading  # exchange/submit/collect, grade: the classroom

    _COMMANDS.update(classroom.add_parsers(sub))
    _COMMANDS.update(grading.add_parsers(sub))
    from labkit import board, drill  # the live board and incident drills (issue 19)

    _COMMANDS.update(board.add_parsers(sub))
    _COMMANDS.update(drill.add_parsers(sub))

    ctl = sub.add_parser("ctl", help="switch a running lab")
    ctl.add_argument(
        "--lab",
        help="URL of the lab's origin, gateway or portal (default: $LABKIT_LAB, which "
        "`labkit env` sets)",
    )
    cs = ctl.add_subparsers(
        dest="ctl_command", required=True, metavar="COMMAND", parser_class=_Parser, action=_Commands
    )
    from labkit import switches  # every switch's subcommand, arguments and help
    from labkit.control import OTHER_COMMANDS, WAIT_BUSY_DEFAULT, WAIT_BUSY_MAX

    switches.add_parsers(cs)
    cs.add_parser("reset", help=OTHER_COMMANDS["reset"])
    cs.add_parser("state", help=OTHER_COMMANDS["state"])
    wb = cs.add_parser("wait-busy", help=OTHER_COMMANDS["wait-busy"])
    # parsed as a switch's parameters are, with the ranges the lab checks (control.wait_busy):
    # `wait-busy 99999999999999999999` reached the lab, and `--timeout nan` was refused as
    # "seconds must be between 0 and 3600", a range it does not have
    count = switches.WAIT_COUNT
    wait = switches.Param("timeout", float, "timeout", "s", maximum=WAIT_BUSY_MAX)
    wb.add_argument(
        "count",
        type=typed_as(count, "count"),
        help="how many requests the origin must have in flight at once (at least this many; "
        f"0 to {switches.CAPACITY_MAX})",
    )
    wb.add_argument(
        "--timeout",
        type=typed_as(wait, "--timeout"),
        default=WAIT_BUSY_DEFAULT,
        metavar="SECONDS",
        help=f"how long to wait for them, 0 to {WAIT_BUSY_MAX:g} (default {WAIT_BUSY_DEFAULT:g}); "
        "then an error line says how many there were",
    )
    # each command's own parser, in what it parses: an error about arguments it does not
    # know names that command (_parse); the innermost command's default wins ("ctl state")
    for command in (*sub.choices.values(), *cs.choices.values()):
        command.set_defaults(command_parser=command)
    return p


def _parse(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line, or exit 2 with one line. Words a command does not know are named by
    that command, with its own --help: argparse hands them up to `labkit`, and `labkit serve
    --port 9000` said "labkit: error: unrecognized arguments" and "(see `labkit --help`)",
    whose help lists no option of serve's."""
    args, extras = parser.parse_known_args(argv)
    if extras:
        words = getattr(argparse, "_")  # noqa: B009 (argparse's gettext, as _argparse_speaks set it)
        command: argparse.ArgumentParser = getattr(args, "command_parser", parser)
        option = command.unknown_option(extras) if isinstance(command, _Parser) else None
        if option is not None:
            command = _typed_at(parser, list(sys.argv[1:] if argv is None else argv), option)
        if option is not None and isinstance(command, _Parser):  # with what it does take
            command.refuse_option(option)
        command.error(words("unrecognized arguments: %s") % " ".join(extras))
    return args


def _typed_at(parser: argparse.ArgumentParser, argv: list[str], option: str) -> Any:
    """The command whose words stood where ``option`` was typed: the last command named
    before it. argparse hands an option it does not know down to the innermost command, so
    `labkit --bogus serve` blamed serve, whose options were never asked for."""
    command = parser
    for word in argv:
        if word.split("=", 1)[0] == option:
            break
        if isinstance(command, _Parser):
            command = command.subcommand(word) or command
    return command


STDOUT_CLOSED = Msg(
    "standard output is closed, so nothing could be written: send the output to a file "
    "(> FILE), or to /dev/null if you do not need it"
)


class _ClosedOutput(io.TextIOBase):
    """sys.stdout for a command started with its standard output closed (`labkit env >&-`):
    Python leaves it None there, print() then writes nothing and a flush raised
    AttributeError (a traceback). A write is refused in one line, as coreutils refuse it
    (`ls >&-`: "write error: Bad file descriptor"); a command that writes nothing runs."""

    def write(self, text: str) -> int:
        raise LabkitError(_say(STDOUT_CLOSED))


def main(argv: Sequence[str] | None = None) -> int:
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        try:
            if sys.stdout is None:
                sys.stdout = _ClosedOutput()
            parser = build_parser()
            with _argparse_speaks(_lang()):
                args = _parse(parser, argv)
            status = _COMMANDS[args.command](args)
            sys.stdout.flush()  # here, so that a closed pipe is caught below
            return status
        except BrokenPipeError:
            # the reader has gone (`labkit scenarios | head`): stop quietly, as head expects
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        except LabkitError as exc:
            print(f"{ERROR} {exc}", file=sys.stderr)
            return 1
        except OSError as exc:  # the path and why, in LABKIT_LANG: never "[Errno 2] ..."
            print(f"{ERROR} {in_language(os_error(exc), _lang())}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            return 130


_python_showwarning = warnings.showwarning


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    """labkit's warnings as one line on stderr, like its errors (no file name or source line)."""
    if issubclass(category, LabkitWarning):
        print(f"labkit: warning: {message}", file=sys.stderr)
    else:
        _python_showwarning(message, category, filename, lineno, file, line)


def _serve(args: argparse.Namespace) -> int:
    from labkit.control import SERVE, runtime_dir
    from labkit.http.peers import uids_of
    from labkit.lab import Lab

    with warnings.catch_warnings():  # its note (the registry moved) is the lab's to say, once
        warnings.simplefilter("ignore", LabkitWarning)
        runtime_dir()  # refuse an unsafe registry before serving: `labkit env` must find this lab
    uids_of(args.allow_user, named="--allow-user")  # a user refused by the flag typed
    # SIGINT and SIGTERM are blocked and taken by sigwait, not by a handler: the stop begins
    # the moment one arrives (no polling), and nothing runs inside a handler (an Event.set
    # there can deadlock on the lock the main thread's wait holds). Blocked before the lab's
    # threads start, so they inherit the mask and only the main thread takes the signal.
    stop_on = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_on)
    host = "127.0.0.1" if args.host == "localhost" else args.host
    lab = Lab(host=host, gateway=args.gateway, allow_users=args.allow_user)
    lab.control.started_by = SERVE  # `labkit env` and `labkit ctl` prefer this lab
    lab.start()
    try:
        info: dict[str, Any] = {**lab.urls(), "control": lab.control.url, "pid": os.getpid()}
        if args.json:
            print(json.dumps(info), flush=True)
        else:
            print(_say(Msg("labkit lab running. Press Ctrl-C to stop.")))
            for name in ("portal", "gateway", "origin"):
                print(f"  {name:<8} {info[name]}")
            names = Listed(info["upstreams"])
            print("  " + _say(Msg("upstreams: {names}", names=names)))
            print(_say(Msg('Shell variables: eval "$(labkit env)"')), flush=True)
        signal.sigwait(stop_on)
    finally:
        lab.stop()
    if not args.json:
        print(_say(Msg("labkit lab stopped.")))
    return 0


# Set by `labkit env`: the lab this shell's $GATEWAY reaches, which `labkit ctl` then switches.
# Without it, `labkit serve` in one terminal and `eval "$(labkit env)"` in a second (the
# README's and lesson 00's steps, beside a notebook's lab) could leave the two apart: run
# before the served lab was registered, env took the notebook's, ctl later took the served
# one, so `maintenance on` changed a lab that `curl "$GATEWAY/orders/7"` never reached (200,
# not 503).
LAB_VARIABLE = "LABKIT_LAB"


# What `labkit env` exports: each server's URL and port, and the lab for `labkit ctl`
ENV_VARIABLES = (
    *(f"{name}{part}" for name in ("ORIGIN", "GATEWAY", "PORTAL") for part in ("", "_PORT")),
    LAB_VARIABLE,
)


# `--lab "$GATEWAY"` in a shell where GATEWAY is not set: "no running lab has a server at ;"
EMPTY_LAB = Msg(
    "--lab is empty (a variable that is not set?): give the URL of a lab's origin, gateway "
    "or portal, or leave --lab out"
)


def _lab_url(url: str | None) -> str | None:
    """``--lab`` as given, refused if empty: an empty URL names no lab."""
    if url is not None and not url.strip():
        raise LabkitError(_say(EMPTY_LAB))
    return url


def _env(args: argparse.Namespace) -> int:
    from labkit.control import find_lab

    try:
        lab, note = find_lab(_lab_url(args.lab))  # chosen afresh: how a shell chooses again
    except LabkitError:
        # Under `eval "$(labkit env)"`, empty the variables a lab chosen earlier (now stopped)
        # left in the shell: the README's next line, curl "${GATEWAY:?...}", then stops with
        # the shell's one line saying GATEWAY is not set, not curl's "URL using bad/illegal
        # format" or a refused connection to a port nothing listens on; and `false`, so the
        # eval fails as labkit env did (a script with `set -e` stops there). Typed bare at a
        # terminal, only the error line.
        if not sys.stdout.isatty():
            print(f"unset {' '.join(ENV_VARIABLES)}; false")
        raise
    if note:
        print(f"labkit: {note}", file=sys.stderr)
    for name in ("origin", "gateway", "portal"):
        url = lab[name]
        # quoted: the output is meant for `eval`, and a value must never run as shell code
        print(f"export {name.upper()}={shlex.quote(url)}")
        print(f"export {name.upper()}_PORT={shlex.quote(str(urlsplit(url).port))}")
    print(f"export {LAB_VARIABLE}={shlex.quote(lab['gateway'])}")
    return 0


def _lab_for_ctl(url: str | None) -> dict[str, Any]:
    """The lab `labkit ctl` switches: ``--lab``; else the one `labkit env` chose in this shell
    ($LABKIT_LAB), the lab its $GATEWAY reaches; else the rule of ``find_lab``."""
    from labkit.control import find_lab, live_labs, stranger_note
    from labkit.errors import ControlError

    chosen = os.environ.get(LAB_VARIABLE, "") if url is None else ""
    if chosen:
        try:
            return find_lab(chosen)[0]
        except ControlError:
            if not live_labs():
                raise  # none at all: start one (and whose program is at $LABKIT_LAB now)
            stranger = stranger_note(chosen)
            if stranger is not None:  # the shell's $GATEWAY reaches a classmate's program
                raise ControlError(
                    _say(
                        Msg(
                            "the lab `labkit env` chose for this shell ({url}, in ${variable}) "
                            'is not running any more, and {stranger}; run eval "$(labkit env)" '
                            "again to choose a running one",
                            url=chosen,
                            variable=LAB_VARIABLE,
                            stranger=stranger,
                        )
                    )
                ) from None
            raise ControlError(
                _say(
                    Msg(
                        "the lab `labkit env` chose for this shell ({url}, in ${variable}) is not "
                        'running any more: run eval "$(labkit env)" again to choose a running one',
                        url=chosen,
                        variable=LAB_VARIABLE,
                    )
                )
            ) from None
    lab, note = find_lab(_lab_url(url))
    if note:
        print(f"labkit: {note}", file=sys.stderr)
    return lab


# the columns of `labkit scenarios`, in LABKIT_LANG (what is under them as code spells it)
SCENARIO_HEADINGS = (
    Msg("id", context="scenarios"),
    Msg("lesson", context="scenarios"),
    Msg("status", context="scenarios"),
    Msg("made by", context="scenarios"),
    Msg("title", context="scenarios"),
)


TABLE_WIDTH = 80  # columns: `labkit scenarios` reads in a terminal of this width
_TITLE_INDENT = "    "


def scenario_table(items: Sequence[Scenario], lang: str) -> list[str]:
    """`labkit scenarios`' table in ``lang``, at most TABLE_WIDTH columns a line: a row's id,
    lesson, status and hop, each column as wide as its widest value (a Chinese heading two
    columns a character), and the title on the line below, indented (wrapped if it must be).
    A title beside its row left no room: the ids run to 41 columns, and the longest title is
    63 (English) or 48 (Chinese), so that one row was 141 columns and every row over 80.
    The hop is named in ``lang`` (源服务器 under 生成者; it was "origin" there)."""
    from labkit.http.pages import hop_words
    from labkit.render.text import columns, wrap

    heads = [h.render(lang) for h in SCENARIO_HEADINGS]
    cells = [
        [s.id, s.lesson, str(s.status), in_language(hop_words(s.made_by), lang)] for s in items
    ]
    widths = [max(columns(c) for c in column) for column in zip(heads[:4], *cells, strict=False)]

    def row(values: Sequence[str]) -> str:
        return " ".join(v + " " * (w - columns(v)) for v, w in zip(values, widths, strict=True))

    def below(text: str) -> list[str]:
        return [_TITLE_INDENT + t for t in wrap(text, TABLE_WIDTH - len(_TITLE_INDENT))]

    lines = [row(heads[:4]).rstrip(), *below(heads[4])]
    for s, values in zip(items, cells, strict=True):
        lines += [row(values).rstrip(), *below(in_language(s.title, lang))]
    return lines


def _scenarios(args: argparse.Namespace) -> int:
    from labkit import scenarios

    items = (
        scenarios.for_lesson(args.lesson)
        if args.lesson is not None
        else list(scenarios.SCENARIOS.values())
    )
    if args.json:
        print(json.dumps([s.as_dict() for s in items], indent=1))
        return 0
    for line in scenario_table(items, _lang()):
        print(line)
    print(
        "\n"
        + _say(
            Msg(
                "{n} scenarios. `labkit run ID` runs one; `--json` shows shell commands.",
                n=len(items),
            )
        )
    )
    if args.lesson is None:
        from labkit.faults import listing

        print("\n" + _say(Msg("The misbehaving upstreams (GET /up/NAME/ through the gateway):")))
        print()
        print(listing(_lang()))
    return 0


def _run(args: argparse.Namespace) -> int:
    from labkit import scenarios
    from labkit.lab import start

    if args.scenario in scenarios.LESSONS:  # `labkit run 503`: a status, read as a lesson
        raise LabkitError(
            _say(
                Msg(
                    "{lesson} is a lesson, not a scenario: `labkit scenarios --lesson {lesson}` "
                    "lists its scenarios",
                    lesson=args.scenario,
                )
            )
        )
    if args.scenario not in scenarios.SCENARIOS:
        raise scenarios.unknown_scenario(args.scenario, _lang())
    scenario = scenarios.get(args.scenario)
    with start() as lab:
        exchange = scenario.run(lab)
        # "502-garbage：上游发送的……" in Chinese, as the playground's list writes it
        cause = scenario.cause_in(_lang())
        print(_say(Msg("{label}: {text}", label=scenario.id, text=cause)) + "\n")
        print(repr(exchange))
    return 0 if exchange.status == scenario.status else 1


# `labkit progress` of a file that is not there: the table of "not tried" rows, and why
NO_PROGRESS_FILE = Msg("there is no file {file}: nothing has been tried yet, or the path is wrong")


EMPTY_PROGRESS_FILE = Msg(
    "--file is empty: give the progress file's path, such as ~/.local/share/labkit/progress.json"
)


def _progress(args: argparse.Namespace) -> int:
    from pathlib import Path

    from labkit.exercises import Progress, rows_for, store

    if args.file == "":  # `--file "$F"` with F unset: never the default file in its place
        raise LabkitError(_say(EMPTY_PROGRESS_FILE))
    file = Path(args.file).expanduser() if args.file is not None else store.path()
    snapshot = store.read(file)
    table = Progress(rows_for(snapshot, snapshot.user or store.identity(), args.lesson))
    if args.format == "csv":
        sys.stdout.write(table.to_csv())
    elif args.format == "json":
        print(table.to_json())
    else:
        print(repr(table))
    if not os.path.lexists(file):  # the table alone would not say why nothing is tried
        print(f"labkit: note: {_say(NO_PROGRESS_FILE.bind(file=file))}", file=sys.stderr)
    for problem in snapshot.problems:
        print(f"labkit: warning: {problem}", file=sys.stderr)
    return 1 if snapshot.problems else 0


def _ctl(args: argparse.Namespace) -> int:
    from labkit import switches
    from labkit.control import send

    cmd = args.ctl_command
    try:
        payload = switches.from_cli(cmd, args) if cmd in switches.SWITCHES else {}
    except BadArgument as exc:  # words that go together wrong: a command line refused
        args.command_parser.refuse_line(str(exc))
    lab = _lab_for_ctl(args.lab)
    if cmd == "wait-busy":  # the lab waits (woken by its recorder) and answers when done
        payload = {"count": args.count, "timeout": args.timeout}
        state = send(lab, cmd, payload, wait=args.timeout)
    else:
        state = send(lab, cmd, payload)
    if cmd == "state":
        print(json.dumps(state, indent=1))
    else:
        print(state.get("done", ""))  # one line saying what changed
    return 0


_COMMANDS = {
    "serve": _serve,
    "env": _env,
    "scenarios": _scenarios,
    "run": _run,
    "progress": _progress,
    "ctl": _ctl,
}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
