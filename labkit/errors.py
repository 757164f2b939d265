"""labkit's own errors: one tree, so callers can catch what they mean.

    LabkitError
    ├── BadArgument        (also a ValueError) a public function got a value it cannot use
    │   └── UnknownName    (also a KeyError) no scenario, upstream, route, ... of that name
    ├── LabNotRunning      the lab was stopped, or never started
    ├── NotJSON            (also a ValueError) a response body that is not JSON
    ├── ControlError       the terminal could not reach or command a running lab
    └── UnsafeRuntimeDir   the directory for the labs' registry could be tampered with

    LabkitWarning          (a UserWarning) labkit carried on, but something needs a look

A learner's mistake is never reported with a traceback from inside labkit: every
message says what was wrong and what is allowed, in the learner's language (the helpers
below word theirs from the catalogue, labkit/i18n.py; names, values and ranges as typed).
"""

from __future__ import annotations

import errno
import os
import traceback
from collections.abc import Iterable
from typing import Literal, overload

from labkit.i18n import ENGLISH, Listed, Msg, Said, error_line, learner_language, translate


class LabkitError(Exception):
    """Base of every error labkit raises on purpose."""

    def _render_traceback_(self) -> list[str]:
        """What IPython shows for it in a notebook: its one line, the message naming what
        was wrong and what to do, without the frames inside labkit above it (lesson 10's
        join, run before the drill started as the lesson says to, showed a screenful of
        labkit/drill.py over its "wait until your instructor starts one")."""
        return [error_line(type(self).__name__, self)]


class BadArgument(LabkitError, ValueError):
    """A value that labkit cannot use; the message names the allowed ones."""


class UnknownName(BadArgument, KeyError):
    """A name that is not in a registry (scenario, upstream, route, personality)."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class LabNotRunning(LabkitError):
    """The lab was stopped (or never started); the message says which cell to run again."""


class NotJSON(LabkitError, ValueError):
    """Exchange.json() on a body that does not parse; the message shows how it starts."""


class Interrupted(KeyboardInterrupt):
    """A request the learner stopped (Kernel > Interrupt, Ctrl-C) before its answer came. It
    takes the place of the KeyboardInterrupt raised inside httpx or the socket (``from None``):
    that one ended about 40 frames of httpx, httpcore and socket code, with no word that the
    lab still runs. Still a KeyboardInterrupt, so whatever stops on one stops as before;
    labkit.kernel shows it as its one line."""

    def __init__(self, request: str | Msg, lang: str | None = None) -> None:
        self.request = request
        super().__init__(
            Msg(
                "you stopped {request} before its answer came (Kernel > Interrupt); the lab "
                "still runs: go on with the next cell (a server still working on the request "
                "finishes it on its own)",
                request=request,
            ).render(lang or learner_language())
        )


class CheckInterrupted(Interrupted):
    """A check the learner stopped (Kernel > Interrupt) before its verdict. The
    KeyboardInterrupt came out of the judge's wait for the learner's code (runner.py's
    select) or a request, and showed as IPython's traceback of about 60 lines through
    labkit/exercises (seen in a walk through lesson 05); nothing was recorded, as no verdict came. labkit.kernel
    shows it as its one line."""

    def __init__(self, call: str | Msg, lang: str | None = None) -> None:
        self.request = call
        KeyboardInterrupt.__init__(
            self,
            Msg(
                "you stopped {call} before its verdict (Kernel > Interrupt): nothing was "
                "counted, and the lab still runs. Run the cell again to check.",
                call=call,
            ).render(lang or learner_language()),
        )


class ControlError(LabkitError):
    """The terminal could not reach or command a running lab."""


class UnsafeRuntimeDir(LabkitError):
    """Another user could plant or read files in the runtime directory; the message says the fix.

    It keeps its Msg: a lab started with ``lang="zh"`` (and no LABKIT_LANG) warns in its own
    language, and the reason inside that warning was rendered before the lab's language was
    known, in English."""

    def __init__(self, message: Msg) -> None:
        self.message = message
        super().__init__(say(message))


# the lessons' start line in each language: the Chinese lessons start a Chinese lab
START_LINE = Msg("lab = labkit.start()", context="start line")
STOPPED = Msg(
    "this lab has been stopped: run the cell that starts it ({start}, a lesson's first code "
    "cell) again, then the cell you were in",
    start=START_LINE,
)


def _language(lang: str | None) -> str:
    """``lang``, else the learner's; English if even that cannot be told (a bad LABKIT_LANG
    is itself reported through ``unknown``)."""
    if lang is not None:
        return lang
    try:
        return learner_language()
    except LabkitError:
        return ENGLISH


def language() -> str:
    """The language to speak now: the running lab's, else the stopped lab's started last in
    this process, else LABKIT_LANG (in a terminal command, where no lab was started: the
    instructor's or learner's LABKIT_LANG), English if none can be told."""
    return _language(None)


def say(message: Msg, lang: str | None = None) -> str:
    """``message`` in ``lang``, else in ``language()``: how the classroom's commands (collect,
    grade, board, drill) word their lines and errors. Machine-read words (CSV and JSON, the
    ``labkit: error:`` prefixes) are not Msgs and stay as they are."""
    return message.render(_language(lang))


# Why a system call failed, as the C library says it (os.strerror, glibc's words), in the
# user's language: a Chinese line of the classroom's commands read "无法打开收件箱 X：Permission
# denied", the gateway's 502 page "connect() 失败：Network is unreachable" and the grader's
# "Landlock 拒绝了：Argument list too long" (msgctxt "errno": the words alone, never a sentence
# of labkit's). The file operations' reasons, then what connect() to an upstream can meet
# (ECONNREFUSED is said apart: its own condition), then what Landlock's system calls return.
OS_REASONS = {
    errno.ENOENT: Msg("No such file or directory", context="errno"),
    errno.ENOTDIR: Msg("Not a directory", context="errno"),
    errno.EISDIR: Msg("Is a directory", context="errno"),
    errno.EACCES: Msg("Permission denied", context="errno"),
    errno.EPERM: Msg("Operation not permitted", context="errno"),
    errno.EEXIST: Msg("File exists", context="errno"),
    errno.ELOOP: Msg("Too many levels of symbolic links", context="errno"),
    errno.EROFS: Msg("Read-only file system", context="errno"),
    errno.ENOSPC: Msg("No space left on device", context="errno"),
    errno.EDQUOT: Msg("Disk quota exceeded", context="errno"),
    errno.ENAMETOOLONG: Msg("File name too long", context="errno"),
    errno.EIO: Msg("Input/output error", context="errno"),
    errno.ENETUNREACH: Msg("Network is unreachable", context="errno"),
    errno.ENETDOWN: Msg("Network is down", context="errno"),
    errno.EHOSTUNREACH: Msg("No route to host", context="errno"),
    errno.EHOSTDOWN: Msg("Host is down", context="errno"),
    errno.EADDRNOTAVAIL: Msg("Cannot assign requested address", context="errno"),
    errno.EADDRINUSE: Msg("Address already in use", context="errno"),
    errno.EAFNOSUPPORT: Msg("Address family not supported by protocol", context="errno"),
    errno.ECONNRESET: Msg("Connection reset by peer", context="errno"),
    errno.ETIMEDOUT: Msg("Connection timed out", context="errno"),
    errno.EMFILE: Msg("Too many open files", context="errno"),
    errno.ENFILE: Msg("Too many open files in system", context="errno"),
    errno.ENOBUFS: Msg("No buffer space available", context="errno"),
    errno.ENOMEM: Msg("Cannot allocate memory", context="errno"),
    errno.EAGAIN: Msg("Resource temporarily unavailable", context="errno"),
    errno.EINVAL: Msg("Invalid argument", context="errno"),
    errno.E2BIG: Msg("Argument list too long", context="errno"),
    errno.EOPNOTSUPP: Msg("Operation not supported", context="errno"),
    errno.ENOSYS: Msg("Function not implemented", context="errno"),
    errno.EBADF: Msg("Bad file descriptor", context="errno"),
    errno.EBADFD: Msg("File descriptor in bad state", context="errno"),
    errno.ENOMSG: Msg("No message of desired type", context="errno"),
    errno.EFAULT: Msg("Bad address", context="errno"),
}


def os_reason(exc: OSError) -> Msg | str:
    """Why ``exc``'s operation failed (its strerror), as a Msg where the catalogue has it;
    another errno keeps the system's words."""
    if exc.errno is not None and exc.errno in OS_REASONS:
        return OS_REASONS[exc.errno]
    return exc.strerror or str(exc)


def errno_reason(number: int) -> Msg | str:
    """Why a system call that set errno ``number`` failed (ctypes' ``get_errno()``), as
    ``os_reason`` says it: the grader's Landlock calls put os.strerror's English into their
    Chinese lines until December 2026."""
    return os_reason(OSError(number, os.strerror(number)))


def os_error(exc: OSError) -> Msg | str:
    """``exc`` as one line: the path it names and why, never "[Errno 2] ..." (Python's own
    form, which `labkit exchange init /no/such/dir` printed in both languages)."""
    if exc.filename is None:
        return os_reason(exc)
    return Msg("{path}: {why}", path=exc.filename, why=os_reason(exc))


def stopped() -> str:
    """STOPPED in the learner's language (a lab says it in its own: ``Lab._require_running``)."""
    return STOPPED.render(_language(None))


class LabkitWarning(UserWarning):
    """labkit carried on, but something needs the user's attention (one line, with the fix)."""


SHOWN = 60  # characters of a learner's value that a message quotes


def shown(value: object) -> str:
    """A value as a message quotes it: its repr (nan and inf in words, ``non_finite``), cut to
    SHOWN characters with its length said,
    so that a value pasted 5,000 characters long still gives a one-line message. The length
    is a ``Said``: English as a str, and in the message's language where it fills one (a
    Chinese refusal said "(104 characters)" in English until December 2026)."""
    if isinstance(value, float) and (words := non_finite(value)) is not None:
        return words
    text = repr(value)
    first, newline, _ = text.partition("\n")
    if newline:  # a lab's repr is a table: its first line, and a mark that lines follow
        return f"{first[: SHOWN - 1].rstrip()} …"
    if len(text) <= SHOWN:
        return text
    start = f"{text[: SHOWN - 1]}…"
    if not isinstance(value, (str, bytes)):
        return start
    return Said(Msg("{start} ({size} characters)", start=start, size=len(value)))


def refuse(message: Msg, *, lang: str | None = None) -> BadArgument:
    """A BadArgument saying ``message`` (what was wrong and what is allowed) in ``lang``
    (default: the learner's language); the caller raises it."""
    return BadArgument(say(message, lang))


# how alike a typed name and a real one must be (difflib's ratio) to be offered as the one meant:
# "maintenance" for "503-maintenance" (0.85) is, "504-slow" for "504" (0.55) is not
NEAR = 0.8
KIND = "kind"  # the msgctxt of what unknown() names ("scenario"), tools/messages.py


def unknown(
    kind: str,
    name: object,
    allowed: Iterable[str],
    *,
    lang: str | None = None,
    listed_by: str | None = None,
    nearest: bool = True,
) -> UnknownName:
    """No ``kind`` called ``name``: the message lists the names there are, in ``lang``
    (default: the learner's language). A ``kind`` in words ("scenario") is said in ``lang``
    (tools/messages.py takes each literal one into the catalogue, msgctxt kind); any other
    (a parameter as code spells it, a control's label already in ``lang``) as given, set
    apart by spaces as a name.

    A typo ("503-maintenanc") is answered with the one name nearest to it instead of the
    list: sixty scenario ids made a line of 937 characters in which the learner had to find
    the one they meant. ``listed_by`` names the command that lists them all, if any;
    ``nearest=False`` lists them all even then, where they are few and alike (the lessons:
    `--lesson 50` was asked "did you mean 505?", and never told 500 and 501). With
    ``listed_by`` and no name near, the names the typed word is part of are said (`labkit
    run slow`: 408-slow-client, 504-slow, 504-slow-origin), else only the command."""
    lang = _language(lang)
    words = translate(lang, kind, context=KIND)
    names = sorted(allowed)
    choices = Listed(names)
    as_given = words == kind and lang != ENGLISH
    close = []
    if isinstance(name, str) and nearest:
        import difflib  # here, not at import: only a mistyped name needs it (0.7 ms of the import)

        close = difflib.get_close_matches(name, names, n=1, cutoff=NEAR)
    if close:
        if listed_by is None:
            message = (
                Msg("unknown {kind} {name}; did you mean {close}?", context="name")
                if as_given
                else Msg("unknown {kind} {name}; did you mean {close}?")
            )
        else:
            message = (
                Msg(
                    "unknown {kind} {name}; did you mean {close}? (`{command}` lists them all)",
                    context="name",
                )
                if as_given
                else Msg(
                    "unknown {kind} {name}; did you mean {close}? (`{command}` lists them all)"
                )
            )
        bound = message.bind(kind=words, name=shown(name), close=close[0], command=listed_by or "")
        return UnknownName(bound.render(lang))
    if listed_by is not None and nearest:
        # no name near: the ones the typed word is part of ("slow": 504-slow, ...), else the
        # command; all of them made a line of ~1,000 characters (`labkit run nope`), and
        # so did a name that is not a str (scenarios.get(None))
        word = name.strip().lower() if isinstance(name, str) else ""
        having = [n for n in names if word and word in n.lower()]
        if having:
            message = (
                Msg(
                    "unknown {kind} {name}; those with {name} in them: {having} "
                    "(`{command}` lists them all)",
                    context="name",
                )
                if as_given
                else Msg(
                    "unknown {kind} {name}; those with {name} in them: {having} "
                    "(`{command}` lists them all)"
                )
            )
        else:
            message = (
                Msg("unknown {kind} {name}; `{command}` lists them all", context="name")
                if as_given
                else Msg("unknown {kind} {name}; `{command}` lists them all")
            )
        bound = message.bind(kind=words, name=shown(name), having=Listed(having), command=listed_by)
        return UnknownName(bound.render(lang))
    if not choices.items:  # nothing to choose yet (no request recorded): not "choose one of: "
        message = (
            Msg("unknown {kind} {name}; there is none yet", context="name")
            if as_given
            else Msg("unknown {kind} {name}; there is none yet")
        )
    else:
        message = (
            Msg("unknown {kind} {name}; choose one of: {choices}", context="name")
            if as_given
            else Msg("unknown {kind} {name}; choose one of: {choices}")
        )
    return UnknownName(message.bind(kind=words, name=shown(name), choices=choices).render(lang))


def number(value: float) -> str:
    """A bound or a value as a message writes it: a whole number in full (31536000, not
    3.1536e+07, which a learner new to floats cannot read), any other as :g writes it."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:g}"


def refused_number(value: float) -> str:
    """A float outside its range as a refusal quotes it: as ``number`` writes it, unless that
    reads as another number. :g keeps six digits, and ``delay = 30.0000001`` was refused
    with "must be between 0 and 30 seconds, not 30", a value the range allows: in full.
    nan and inf in words too (``non_finite``)."""
    words = non_finite(value)
    if words is not None:
        return words
    short = number(value)
    return short if float(short) == value else repr(value)


def non_finite(value: float) -> Said | None:
    """nan or an infinity as a refusal quotes it, in the message's language: "not nan" and
    "not inf" read as typos to a learner who never met them. None for any other float."""
    if value != value:
        return Said(Msg("nan (not a number)"))
    if value == float("inf"):
        return Said(Msg("inf (infinity)"))
    if value == float("-inf"):
        return Said(Msg("-inf (minus infinity)"))
    return None


@overload
def check_number(
    name: str,
    value: object,
    *,
    minimum: float,
    maximum: float,
    unit: str = ...,
    allow_none: Literal[False] = ...,
    lang: str | None = ...,
) -> float: ...
@overload
def check_number(
    name: str,
    value: object,
    *,
    minimum: float,
    maximum: float,
    unit: str = ...,
    allow_none: bool,
    lang: str | None = ...,
) -> float | None: ...
def check_number(
    name: str,
    value: object,
    *,
    minimum: float,
    maximum: float,
    unit: str = "seconds",
    allow_none: bool = False,
    lang: str | None = None,
) -> float | None:
    """Validate a number from a learner or the CLI and say what range is allowed, in ``lang``
    (default: the learner's language; a terminal's command passes the terminal's)."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        # the language is looked up only to refuse: a check that passes (at import, too)
        # never asks which lab is running
        lang = _language(lang)
        none = Msg(" or None").render(lang) if allow_none else ""
        raise not_a_number(
            name, repr(value), minimum=minimum, maximum=maximum, unit=unit, none=none, lang=lang
        )
    if not (minimum <= value <= maximum):
        got = refused_number(value) if isinstance(value, float) else shown(value)  # 10**20
        if value != value:  # nan: not a number at all, let alone one out of range
            none = Msg(" or None").render(_language(lang)) if allow_none else ""
            raise not_a_number(
                name, got, minimum=minimum, maximum=maximum, unit=unit, none=none, lang=lang
            )
        raise out_of_range(name, got, minimum=minimum, maximum=maximum, unit=unit, lang=lang)
    return value


def not_a_number(
    name: str,
    value: str,
    *,
    minimum: float,
    maximum: float,
    unit: str = "seconds",
    none: str = "",
    lang: str | None = None,
) -> BadArgument:
    """``name`` got something that is not a number (``value``, quoted as the caller shows it):
    the range allowed, in ``unit`` (UNITS), then ``none``, what else is allowed (", or none
    (unlimited)"), in ``lang`` (default: the learner's). check_number's and labkit ctl's
    (switches.Param.parse) line, worded once."""
    lang = _language(lang)
    message = Msg(
        "{name} must be a number of {unit} between {low} and {high}{none}, not {value}",
        name=name,
        unit=unit_words(unit, lang),
        low=number(minimum),
        high=number(maximum),
        none=none,
        value=value,
    )
    return BadArgument(message.render(lang))


def whole_in(value: object, minimum: float, maximum: float) -> bool:
    """Whether ``value`` is a whole number (an int, not a bool) from ``minimum`` to
    ``maximum``: the one test behind every whole-number refusal (``not_whole``)."""
    return isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= maximum


def not_whole(
    name: str,
    typed: str,
    *,
    minimum: float,
    maximum: float,
    none: str = "",
    lang: str | None = None,
) -> BadArgument:
    """``name`` got what is not a whole number from ``minimum`` to ``maximum`` (``typed``,
    quoted as the caller shows it; ``none``: what else it takes, ", or None (unlimited)"), in
    ``lang`` (default: the learner's). Out of range or not whole, one line: a switch's
    parameters (switches.Param), from Python, the control API, `labkit ctl` and the
    playgrounds' boxes, and the values that hold one (the load curve's capacity)."""
    lang = _language(lang)
    message = Msg(
        "{name} must be a whole number from {minimum} to {maximum}{none}, not {typed}",
        name=name,
        minimum=number(minimum),
        maximum=number(maximum),
        none=none,
        typed=typed,
    )
    return BadArgument(message.render(lang))


def out_of_range(
    name: str,
    value: str,
    *,
    minimum: float,
    maximum: float,
    unit: str = "seconds",
    lang: str | None = None,
) -> BadArgument:
    """``name`` got a number outside its range (``value``, written as the caller shows it),
    in ``lang`` (default: the learner's)."""
    lang = _language(lang)
    message = Msg(
        "{name} must be between {low} and {high} {unit}, not {value}",
        name=name,
        low=number(minimum),
        high=number(maximum),
        unit=unit_words(unit, lang),
        value=value,
    )
    return BadArgument(message.render(lang))


def unit_words(unit: str, lang: str) -> str:
    """A unit as messages and the playgrounds' labels say it in ``lang`` ("requests at once":
    同时请求数); one that UNITS does not name as written."""
    return UNITS[unit].render(lang) if unit in UNITS else unit


# requests at once an origin may take: the capacity switch's maximum, which wait-busy waits
# for too (switches, which re-exports it), and the load curve's (render/charts), which
# imports no switch: declared here, below both
CAPACITY_MAX = 100_000

# the units that messages (check_number's callers, the switches' parameters) and the
# playgrounds' labels name, in words
UNITS = {
    # a label's short unit: "(s)" in English, （秒） in Chinese, where prose writes "0.2 秒"
    "s": Msg("s", context="unit"),
    "seconds": Msg("seconds"),
    "requests at once": Msg("requests at once"),
    "requests": Msg("requests"),
}


def traceback_text(exc: BaseException) -> str:
    """``exc``'s traceback as ``traceback.format_exception`` writes it, without the ``^^^``
    marks under each line: formatted on a lab's thread, which must build no AST.

    Python 3.11 places those marks by parsing each line's code (``ast.parse``), and before
    3.11.8 two threads that build an AST at once can make one of them fail (CPython
    gh-106905: the builder counted its depth in state every thread shares). A lab runs on
    threads of the learner's kernel, whose main thread parses each cell the learner runs:
    the origin's 500 for GET /orders/abc, formatted while a cell was compiled, made that
    cell fail with "SystemError: AST constructor recursion depth mismatch" (and the lab's
    own marks went missing, the error swallowed by the traceback module). Without the
    column positions no line is parsed, on every Python, so the log reads the same on each
    (3.10 wrote no marks)."""
    shown = traceback.TracebackException(type(exc), exc, exc.__traceback__)
    seen: set[int] = set()
    todo = [shown]
    while todo:
        one = todo.pop()
        if id(one) in seen:
            continue
        seen.add(id(one))
        for frame in one.stack:
            frame.colno = frame.end_colno = None
        todo += [e for e in (one.__cause__, one.__context__) if e is not None]
        todo += getattr(one, "exceptions", None) or []  # an ExceptionGroup's (3.11)
    return "".join(shown.format())
