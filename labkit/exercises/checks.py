"""Judges as declared checks on one base: a task says what it takes, what state it needs
and what a right answer shows; this module does the rest the same way for every task.

A ``CheckedTask`` declares
- ``takes``: its arguments (``lab_param()``, ``function_param("show_order")`` ...). The base
  reads each one and answers a wrong one with one line naming what to pass (``usage``);
- ``state``: what the lab must be like while the judge runs (personality, timeouts,
  capacity, maintenance, debug, portal login, an empty cache) and what the judge itself
  changes. Everything named is saved first and put back afterwards, whatever happens;
- ``observe``: facts the checks share (a request's Exchange, a run of learner code), each
  computed once, when a check first asks for it (``run["ex"]``);
- ``checks``: small checks in order, each returning what is wrong ("" when nothing); the
  first one that finds something is the verdict;
- ``success``: what a right answer is told.

Learner functions reach the checks as ``core.Learner`` objects: each call runs in a child
process (``labkit.exercises.runner``), and all calls share the task's time limit.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from labkit import switches
from labkit.exercises.core import Learner, NotAnAttempt, Task
from labkit.exercises.timelimit import TimeLimit
from labkit.i18n import ENGLISH, Listed, Msg, Text, learner_language, render

__all__ = [
    "STOPPED",
    "Check",
    "CheckedTask",
    "Param",
    "Refused",
    "Run",
    "State",
    "expect",
    "function_param",
    "lab_param",
    "setting",
]


class Refused(NotAnAttempt):
    """An argument that cannot be judged (not counted as an attempt). The text (a Msg, to
    be said in the learner's language) may say ``{usage}`` (the check call to write) and
    ``{too}`` (" too" after the first argument)."""


@dataclass(frozen=True)
class Param:
    """One argument of ``check``: its name, and how the judge reads it (``read`` returns
    the value to judge, or raises Refused)."""

    name: str
    read: Callable[[Any], Any]


STOPPED = Msg("the lab is stopped: start one with lab = labkit.start(), then {usage}.")


def _running_lab(value: Any) -> Any:
    from labkit.lab import Lab

    if not isinstance(value, Lab):
        raise Refused(
            Msg("pass the lab{too}: {usage} (the running one, from lab = labkit.start()).")
        )
    if not value.running:
        raise Refused(STOPPED)
    return value


def lab_param(name: str = "lab") -> Param:
    """The running lab."""
    return Param(name, _running_lab)


ASYNC_FUNCTION = Msg(
    "your function is written with async def, so calling it only makes a coroutine: write it "
    "with a plain def that returns its answer, then {usage}."
)
GENERATOR_FUNCTION = Msg(
    "your function uses yield, so calling it only makes a generator: return the answer "
    "instead of yielding it, then {usage}."
)


def _learner_function(value: Any) -> Any:
    if not callable(value):
        raise Refused(Msg("pass your function itself: {usage} (no () after it)."))
    # the judge calls it and reads what it returns: an async def's or a generator's call
    # returns a coroutine or a generator, judged as a wrong answer ("returned <coroutine
    # object ...>; it must return 'gateway' or 'origin'") although its code may be right
    called = value.fn if isinstance(value, Learner) else value
    if not (inspect.isroutine(called) or isinstance(called, (functools.partial, type))):
        called = type(called).__call__  # an object with __call__
    if inspect.iscoroutinefunction(called) or inspect.isasyncgenfunction(called):
        raise Refused(ASYNC_FUNCTION)
    if inspect.isgeneratorfunction(called):
        raise Refused(GENERATOR_FUNCTION)
    return value


def function_param(name: str) -> Param:
    """A function the learner wrote (it reaches the checks as a core.Learner)."""
    return Param(name, _learner_function)


class Run:
    """One judging of one answer: the arguments as read, the facts observed so far, and the
    detail shown under the verdict (what the judge saw: requests, statuses)."""

    def __init__(self, args: dict[str, Any], observe: Mapping[str, Callable[[Run], Any]]) -> None:
        self.facts: dict[str, Any] = dict(args)
        self.detail = ""
        self._observe = observe
        self.lang = learner_language()  # what the detail and the verdict are said in

    def say(self, text: Text) -> str:
        """``text`` in the learner's language (for the detail, which is shown as written)."""
        return render(text, self.lang)

    def listed(self, parts: Sequence[Text]) -> str:
        """Parts of one sentence said one after another, separated as the learner's language
        separates them (``Listed``: '; ', ；)."""
        return render(Listed(parts, sentences=True), self.lang)

    @property
    def lab(self) -> Any:
        return self.facts["lab"]

    def __getitem__(self, name: str) -> Any:
        """An argument, or a fact observed when first asked for (then kept)."""
        if name not in self.facts:
            self.facts[name] = self._observe[name](self)
        return self.facts[name]


Check = Callable[[Run], Text]
"""A check: what is wrong with the run, in the lesson's words ("" when nothing is)."""


def expect(passes: Callable[[Run], bool], says: Text | Callable[[Run], Text]) -> Check:
    """A check from a test and its message (a text, or one built from the run)."""

    def check(run: Run) -> Text:
        if passes(run):
            return ""
        return says if isinstance(says, (str, Msg)) else says(run)

    return check


Setting = tuple[str, Mapping[str, Any]]
"""One setting of the lab: a switch's name in the switch table (``labkit.switches.SWITCHES``)
and the arguments it is applied with, as ``labkit ctl NAME ...`` would give them."""


def setting(switch: str, **args: Any) -> Setting:
    """One switch and its arguments, checked against the switch table when the exercise is
    made (a misspelt switch or argument fails at import, not in a learner's check)."""
    switches.get(switch).check(args, ENGLISH)
    return (switch, args)


@dataclass(frozen=True)
class State:
    """What the lab must be like while a judge runs, and what the judge changes itself.

    Each setting is a switch of the switch table (``setting("personality", name="rfc")``):
    the table, which says how a switch is applied, read back and reset, is the one list of
    the lab's settings; the judges keep no second one. Every setting of the lab is saved
    before the judge starts and what changed is put back when it ends
    (``labkit.switches.save``/``restore``), so a verdict does not depend on what a playground
    left, and the learner's lab is as it was. A cache cannot be put back: ``setting("cache",
    action="purge")`` only empties it first.
    """

    sets: tuple[Setting, ...] = ()  # applied, in order, before the judge runs
    # applied after the learner's settings are put back, and kept (511 q3's prompt: the
    # portal's login ends with the judging)
    after: tuple[Setting, ...] = ()
    # the judge itself changes settings while it runs (the task says which, beside it): like
    # every other setting, they are saved before and put back after
    judge_changes: bool = False

    def touches_lab(self) -> bool:
        """Whether judging under this state changes the lab (then the task must take it)."""
        return bool(self.sets or self.after or self.judge_changes)

    def apply(self, lab: Any, settings: Sequence[Setting] | None = None) -> None:
        """Apply ``settings`` (default: ``sets``) as the switch table does (on the lab's loop)."""
        for name, args in self.sets if settings is None else settings:
            switches.apply(lab, name, args)


class CheckedTask(Task):
    """A task judged by declared checks (see the module's docstring)."""

    def __init__(
        self,
        id: str,
        lesson: str,
        prompt: Text,
        *,
        usage: str,
        takes: Sequence[Param],
        checks: Sequence[Check],
        success: Text | Callable[[Run], Text],
        hints: tuple[Text, ...],
        solution: Text,
        state: State | None = None,
        observe: Mapping[str, Callable[[Run], Any]] | None = None,
        time_limit: float = 5.0,
    ) -> None:
        self.usage = usage
        self.takes = tuple(takes)
        self.checks = tuple(checks)
        self.success = success
        self.state = state or State()
        self.observe = dict(observe or {})
        if self.state.touches_lab() and "lab" not in self.params():
            raise ValueError(f"{id}: a task that sets the lab's state must take the lab")
        super().__init__(id, lesson, prompt, self._judge, hints, solution, time_limit)

    def params(self) -> list[str]:
        return [p.name for p in self.takes]

    def _read(self, given: tuple[Any, ...]) -> dict[str, Any]:
        """The arguments by name; Refused (one line, not an attempt) for a wrong one."""
        if len(given) > len(self.takes):
            raise Refused(
                Msg(
                    "{usage} takes {count} argument(s), not {given}.",
                    usage=self.usage,
                    count=len(self.takes),
                    given=len(given),
                )
            )
        args = {}
        for i, param in enumerate(self.takes):
            try:
                args[param.name] = param.read(given[i] if i < len(given) else None)
            except Refused as exc:
                said = exc.args[0] if exc.args else ""
                if isinstance(said, Msg):
                    raise Refused(
                        said.bind(usage=self.usage, too=Msg(" too") if i else "")
                    ) from None
                text = (
                    str(said).replace("{usage}", self.usage).replace("{too}", " too" if i else "")
                )
                raise Refused(text) from None
        return args

    def _judge(self, *given: Any) -> tuple[bool, Text, str]:
        args = self._read(given)
        run = Run(args, self.observe)
        lab: Any = args.get("lab")
        # every setting of the lab (the switch table's and the few others), not only those
        # the state names: learner code may change any while it runs
        saved = switches.save(lab) if lab is not None else {}
        # and each route's record of a change to its timeouts, which putting a timeout back
        # would set: a judge that sets one (504 q5) left lesson 05 q2 reading the lab's own
        # timeout as the learner's
        marked = [(r, r.timeouts_changed) for r in lab.gateway.routes] if lab is not None else []
        try:
            if lab is not None:
                self.state.apply(lab)
            for check in self.checks:
                problem = check(run)
                if problem:
                    return False, _with_changes(problem), run.detail
            success = self.success if isinstance(self.success, (str, Msg)) else self.success(run)
            return True, _with_changes(success), run.detail
        except TimeLimit as exc:  # stopped: still say what the code changed, if it did
            if exc.args:
                raise TimeLimit(_with_changes(exc.args[0])) from None
            raise
        finally:
            # what the judge set, and what learner code changed
            if lab is not None:
                switches.restore(lab, saved)
            for route, changed in marked:
                route.timeouts_changed = changed
            if self.state.after:
                self.state.apply(lab, self.state.after)


CHANGED_THE_LAB = Msg(
    "{verdict} (Your code also changed the lab while it was checked: {what}. The judge put your "
    "settings back; a function checked here should only send requests and read answers.)"
)


def _with_changes(verdict: Text) -> Text:
    """The verdict, and what learner code changed on the lab while it was judged, if anything."""
    from labkit.exercises import runner

    changes = runner.changed()
    if not changes:
        return verdict
    return CHANGED_THE_LAB.bind(verdict=verdict, what=Listed(changes))
