"""One protocol for every exercise: ``q.check(answer)``, ``q.hint()``, ``q.solution()``.

``check`` never raises for a learner's mistake: a blank answer (``...``) says "not
answered yet", a wrong one says what is wrong in the lesson's terms and offers the
next hint, learner code that raises or hangs is reported and stopped. It returns a
Result that is truthy when correct and records the attempt in the progress file.
Quiz answers are kept as salted digests, not as plain text.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
import html
import inspect
import re
import sys
import textwrap
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol

from labkit.errors import CheckInterrupted
from labkit.exercises import answers, runner, store
from labkit.exercises.answers import WrongKind
from labkit.exercises.runner import LearnerError, LearnerExit, learner_traceback
from labkit.exercises.timelimit import TimeLimit
from labkit.i18n import (
    ENGLISH,
    LANGUAGES,
    Listed,
    Msg,
    Text,
    learner_language,
    render,
    sentences,
    translate,
)
from labkit.lazyre import later
from labkit.recorder import Hop, Role
from labkit.render.palette import THEMED, on_notebook

REGISTRY: dict[str, Exercise] = {}

# What a wrong answer offers, as the one asking gets a hint (``Asker``): the call as the
# notebook writes it (q2.hint()), or, for an exercise no lesson module names, the method on
# the exercise
HINT_OFFER_MSG = Msg("(Stuck? .hint() on this exercise gives a hint.)")
HINT_CALL_MSG = Msg("(Stuck? {call} gives a hint.)")
MORE_HINTS_MSG = Msg("(call hint() again for another)")
HINTS_AGAIN_MSG = Msg(
    "(every hint has been shown: asked again, they come round again from the first)"
)
REFUSED_MSG = Msg("Not checked (not counted)")  # the label of an answer that could not be judged
REFUSED = str(REFUSED_MSG)
LABELLED = Msg("{label}: {text}")  # a verdict's or a note's label before its text
NOT_ANSWERED = Msg("not answered yet: replace the `...` with your answer and run the cell again.")
LABELS = {
    "blank": Msg("Not answered yet"),
    "refused": REFUSED_MSG,
    "correct": Msg("Correct"),
    "wrong": Msg("Not yet"),
}


class NotAnAttempt(Exception):
    """An answer that cannot be judged (a wrong type, an unknown name, a number out of
    range, a missing lab). Its text is the one line the learner reads, naming what was wrong
    and what is allowed; ``check`` records nothing for it: no attempt, no grading record."""


MAX_ANSWER = 300  # characters: an answer is a few words (the longest cause's text is 130)


def too_long(text: str) -> Msg:
    """The refusal of an answer too long to be one (it is neither matched nor echoed)."""
    return Msg(
        "an answer is a few words, and this one is {length} characters long (at most "
        "{limit}): answer with the words themselves.",
        length=len(text),
        limit=MAX_ANSWER,
    )


def digest(exercise_id: str, answer: str) -> str:
    """The stored form of a canonical answer (see answers.canonical): a salted hash."""
    return hashlib.sha256(f"{exercise_id}\0{answer}".encode()).hexdigest()[:16]


def is_blank(answer: object) -> bool:
    if answer is ... or answer is None or (isinstance(answer, str) and not answer.strip()):
        return True
    if callable(answer) and inspect.isfunction(answer):
        return _is_stub(answer)
    return False


def _is_stub(fn: Callable[..., Any]) -> bool:
    """A function whose body is only a docstring, ``...`` or ``pass``: the notebook's blank."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return False
    func = tree.body[0]
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    for stmt in func.body:
        if isinstance(stmt, ast.Pass):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # a docstring or a bare `...`
        return False
    return True


@dataclass
class Result:
    """What ``check`` found. Truthy when the answer is correct."""

    exercise_id: str
    correct: bool | None  # None: not judged (not answered yet, or refused)
    message: str
    detail: str = ""
    refused: bool = False  # an answer that could not be judged (the message says why)
    lang: str = ENGLISH  # the language of the message and label (the learner's, when checked)

    def __bool__(self) -> bool:
        return self.correct is True

    @property
    def label(self) -> str:
        if self.correct is None:
            key = "refused" if self.refused else "blank"
        else:
            key = "correct" if self.correct else "wrong"
        return LABELS[key].render(self.lang)

    def __repr__(self) -> str:
        # a blank's message says "not answered yet" itself
        said = self.message
        if self.correct is not None or self.refused:
            said = LABELLED.bind(label=self.label, text=self.message).render(self.lang)
        text = f"[{self.exercise_id}] {said}"
        return text + (f"\n{self.detail}" if self.detail else "")

    def _repr_html_(self) -> str:
        kind = {None: "neutral", True: "ok", False: "failed"}[self.correct]
        detail = f"<pre>{html.escape(self.detail)}</pre>" if self.detail else ""
        # the label in the theme's colour: readable in light and dark; one message with the
        # id, so that Chinese sets the id in （） with no space before it
        head = Msg(
            "<b>{label}</b> <small>({id})</small>",
            label=self.label,
            id=html.escape(self.exercise_id),
        ).render(self.lang)
        return (
            f"{THEMED}<div style='border-left:4px solid {on_notebook(kind)};padding:4px 8px'>"
            f"{head}<br>{code_spans(html.escape(self._message_after_label()))}{detail}</div>"
        )

    def _message_after_label(self) -> str:
        """The message without its "not answered yet: " (the label says it already)."""
        head = re.split(r"(?<=: )|(?<=：)", NOT_ANSWERED.render(self.lang), maxsplit=1)[0]
        return self.message.removeprefix(head)


_CODE_SPAN = later(r"`([^`\n]+)`")


def code_spans(escaped: str) -> str:
    """The messages mark code as Markdown does (`lab.reset()`); shown as HTML the backticks
    become <code> (they showed as backticks in every question, feedback and hint box), shown
    as text they stay. ``escaped``: HTML already escaped."""
    return _CODE_SPAN.sub(r"<code>\1</code>", escaped)


@dataclass
class Note:
    """A hint or a solution, shown as text and HTML."""

    title: str
    text: str
    lang: str = ENGLISH  # the language of the title and text

    def __repr__(self) -> str:
        return LABELLED.bind(label=self.title, text=self.text).render(self.lang)

    @property
    def _apart(self) -> str:
        """Between the bold title and the text: a space in English, the full-width colon its
        repr has in Chinese (a space between two Chinese characters, "<b>解答</b> 把", until
        December 2026)."""
        return " " if self.lang == ENGLISH else "："

    def _repr_html_(self) -> str:
        body = html.escape(self.text)
        if "\n" in self.text:
            body = f"<pre>{body}</pre>"
        else:
            body = code_spans(body)
        return (
            f"{THEMED}<div style='border-left:4px solid {on_notebook('info')};padding:4px 8px'>"
            f"<b>{html.escape(self.title)}</b>{self._apart}{body}</div>"
        )


@dataclass(frozen=True)
class Asker:
    """Who asks for an exercise's hints, and so the words that send the learner to the next
    one. One exercise is asked from several places, each with its own way to a hint: lesson
    08's incident in a code cell (``q4.hint()``), in the quiz panel (its Hint button) and in a
    drill (``drill.hint()``). The feedback names what that learner can press or call (the
    panel and the drill replaced the notebook's words in the text until December 2026)."""

    offer: Msg  # after a wrong answer while hints are left: "(Stuck? q2.hint() gives a hint.)"
    more: Msg  # after a hint that has another after it: "(call hint() again for another)"
    next_hint: Text  # what gives the next hint, inside a sentence: "q2.hint()", "the Hint button"

    @classmethod
    def calling(cls, call: str) -> Asker:
        """A learner who calls ``call`` (``q2.hint()``, ``drill.hint()``) in a code cell."""
        return cls(HINT_CALL_MSG.bind(call=call), MORE_HINTS_MSG, call)


_ASKER: ContextVar[Asker | None] = ContextVar("labkit_asker", default=None)


def asker_now() -> Asker | None:
    """Who asked for the check being judged (a judge's feedback that points to the next hint
    names what they press or call); None outside a check."""
    return _ASKER.get()


class HintCount(Protocol):
    """Where the count of an exercise's hints shown lives: ``ProgressCount`` in the progress
    file (an exercise's own), a drill's in the learner's memo (labkit.drill). ``shown`` is
    read once per check or hint."""

    again: int  # hints asked for after the last one, in this kernel: they come round again

    def shown(self) -> int:
        """How many hints were shown so far (more than there are, in a file a learner edited)."""
        ...

    def add(self, before: int) -> None:
        """One more hint shown, after ``before`` (as ``shown`` read it for this call)."""
        ...


class ProgressCount:
    """An exercise's count in the progress file, so it survives a restart (this kernel's own
    when the file cannot be read)."""

    def __init__(self, exercise_id: str) -> None:
        self.exercise_id = exercise_id
        self.here = 0  # shown, as this kernel counted them
        self.again = 0

    def shown(self) -> int:
        try:
            return int(store.load().get(self.exercise_id, {}).get("hints", 0) or 0)
        except store.ProgressError:
            return self.here

    def add(self, before: int) -> None:
        self.here = before + 1
        store.record(self.exercise_id, hint=True)


@dataclass
class Exercise:
    """One exercise. Its question, hints and solution are ``Text``: a ``Msg`` is shown in the
    learner's language (i18n.learner_language) each time it is shown, a str as written."""

    id: str
    lesson: str
    prompt_text: Text
    hint_texts: tuple[Text, ...]
    solution_msg: Text
    _hint_count: HintCount = field(init=False, repr=False, compare=False)
    # where name() found it last (module, attribute): checked on each call, not trusted
    _named_at: tuple[str, str] | None = field(default=None, init=False, repr=False, compare=False)
    one_answer = True  # check() takes one answer (a Task takes its own arguments)

    def __post_init__(self) -> None:
        if self.id in REGISTRY and REGISTRY[self.id] is not self:
            raise ValueError(f"two exercises are named {self.id!r}")
        REGISTRY[self.id] = self
        self._hint_count = ProgressCount(self.id)

    @property
    def prompt(self) -> str:
        """The question, in the learner's language."""
        return render(self.prompt_text, learner_language())

    @property
    def hints(self) -> tuple[str, ...]:
        lang = learner_language()
        return tuple(render(h, lang) for h in self.hint_texts)

    @property
    def solution_text(self) -> str:
        return render(self.solution_msg, learner_language())

    # -- the protocol --

    def check(
        self, *answer: Any, count: HintCount | None = None, asker: Asker | None = None
    ) -> Result:
        """Check an answer; record the attempt; never raise for a learner's mistake.

        A wrong answer offers the next hint while ``count`` (default: this exercise's, in the
        progress file) has hints left, in the words of ``asker`` (default: the notebook's
        call, ``asker()``); a judge's feedback reads who asked from ``asker_now()``."""
        asker = asker or self.asker()
        token = _ASKER.set(asker)
        try:
            return self._check(answer, count or self._hint_count, asker)
        except KeyboardInterrupt:  # Kernel > Interrupt: one line, not the judge's frames
            name = self.name()
            call = f"{name}.check(...)" if name else Msg("the check")
            raise CheckInterrupted(call) from None
        finally:
            _ASKER.reset(token)

    def _check(self, answer: tuple[Any, ...], count: HintCount, asker: Asker) -> Result:
        lang = learner_language()
        if not answer or is_blank(answer[0]):
            return Result(self.id, None, NOT_ANSWERED.render(lang), lang=lang)
        if self.one_answer and isinstance(answer[0], str) and len(answer[0]) > MAX_ANSWER:
            return Result(self.id, None, render(too_long(answer[0]), lang), refused=True, lang=lang)
        if self.one_answer and len(answer) > 1:
            several = Msg(
                "give one answer, not {count}: {expected}, as q.check(answer).",
                count=len(answer),
                expected=self.expects(),
            )
            return Result(self.id, None, several.render(lang), refused=True, lang=lang)
        message: Text
        try:
            correct, message, detail = self.judge(*answer)
        except NotAnAttempt as exc:  # nothing to judge: the learner learns what to pass
            return Result(self.id, None, said(exc, lang), refused=True, lang=lang)
        except WrongKind as exc:  # not an attempt: the learner learns what to give
            message = Msg(
                "{problem}; {expected}.", problem=said(exc, lang), expected=self.expects()
            )
            return Result(self.id, None, message.render(lang), refused=True, lang=lang)
        except TimeLimit as exc:
            message = Msg("your code did not finish: {why}.", why=said(exc, lang))
            correct, detail = False, ""
        except LearnerExit as exc:
            message = Msg("{problem}; the lab and this notebook go on.", problem=exc.text)
            correct, detail = False, ""
        except LearnerError as exc:
            correct = False
            message = raised(exc.type_name, exc.text)
            detail = exc.trace
        except Exception as exc:
            correct = False
            message = raised(type(exc).__name__, said(exc, lang))
            detail = learner_traceback(exc)
        store.record(self.id, attempt=correct, answer=_kept(answer))
        text = render(message, lang)
        if not correct and self.hints_shown(count) < len(self.hint_texts):
            text = sentences((text, asker.offer), lang, gap="  ")
        return Result(self.id, correct, text, detail, lang=lang)

    def name(self) -> str:
        """The name a notebook gives this exercise: ``q2`` where its lesson's module says
        ``q2 = ...`` (the notebooks import them by those names); "" if no module names it."""
        prefix = "labkit.exercises."
        if self._named_at is not None:
            module = sys.modules.get(self._named_at[0])
            if module is not None and vars(module).get(self._named_at[1]) is self:
                return self._named_at[1]
        for module_name, module in list(sys.modules.items()):
            if not module_name.startswith(prefix) or module is None:
                continue
            for attr, value in list(vars(module).items()):
                if value is self and re.fullmatch(r"q\d+", attr):
                    self._named_at = (module_name, attr)
                    return attr
        return ""

    def asker(self) -> Asker:
        """A learner in a code cell: the hint as the notebook calls it (q2.hint())."""
        name = self.name()
        if name:
            return Asker.calling(f"{name}.hint()")
        return Asker(HINT_OFFER_MSG, MORE_HINTS_MSG, ".hint()")

    def expects(self) -> Text:
        """What an answer to this exercise looks like (said when one of another kind comes)."""
        return Msg("answer with {what}", what=answers.expected("text"))

    def hints_shown(self, count: HintCount | None = None) -> int:
        """How many hints were shown, as ``count`` (default: this exercise's) keeps them."""
        return min(len(self.hint_texts), (count or self._hint_count).shown())

    def hint(self, *, count: HintCount | None = None, asker: Asker | None = None) -> Note:
        """The next hint (one at a time); once every hint was shown, they come round again
        from the first. The count of hints shown survives a restart (the progress file), so
        showing the last one again would leave a learner who restarted no way back to the
        first (the Quiz's Hint button has no other). ``count``: where it lives, when not in
        the progress file (a drill's, in the learner's memo); ``asker``: who asks, whose words
        say how to get another (default: the notebook's call)."""
        lang = learner_language()
        if not self.hint_texts:
            return Note(
                Msg("No hints").render(lang),
                NO_HINTS.render(lang),
                lang,
            )
        count = count or self._hint_count
        asker = asker or self.asker()
        shown = self.hints_shown(count)
        total = len(self.hint_texts)
        if shown < total:
            index = shown
            count.add(shown)
            more: list[Msg] = [] if index + 1 == total else [asker.more]
        else:  # asked again after the last: say so, or it reads as a new one
            index = count.again % total
            count.again += 1
            more = [HINTS_AGAIN_MSG]
        title = Msg("Hint {number} of {count}", number=index + 1, count=total)
        # the aside after the hint's sentence: a space apart in English, none after a 。
        return Note(title.render(lang), sentences([self.hint_texts[index], *more], lang), lang)

    def solution(self) -> Note:
        store.record(self.id, solution=True)
        lang = learner_language()
        return Note(Msg("Solution").render(lang), render(self.solution_msg, lang), lang)

    def judge(self, *answer: Any) -> tuple[bool, Text, str]:
        """(correct, message, detail) for a non-blank answer."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"[{self.id}] {self.prompt}"

    def prompt_html(self, lang: str) -> str:
        """The id in bold, then the question in ``lang``, set apart as the language sets a
        label (``LABELLED``): a Chinese question read "<b>500.debug-danger</b>: 设置..."
        (an ASCII colon before Chinese text) until December 2026."""
        question = code_spans(html.escape(render(self.prompt_text, lang)))
        return LABELLED.bind(label=f"<b>{html.escape(self.id)}</b>", text=question).render(lang)

    def _repr_html_(self) -> str:
        return f"<div>{self.prompt_html(learner_language())}</div>"


RAISED = Msg("your answer raised {name}: {text}")
# an exception raised without a message (raise KeyboardInterrupt, raise ValueError()): it read
# "your answer raised KeyboardInterrupt: ."
RAISED_BARE = Msg("your answer raised {name}")


def raised(name: str, text: Text) -> Msg:
    """What the learner's answer raised, its message after a colon where it has one."""
    return RAISED.bind(name=name, text=text) if text else RAISED_BARE.bind(name=name)


# hint() of an exercise without hints, in a code cell (a quiz widget says it with its buttons):
# "try solution()" named a function there is none of; the exercise's own method is meant
NO_HINTS = Msg("this exercise has none; if you are stuck, .solution() on it shows the answer.")


def hop_name(hop: Hop | Role | str | None) -> Text:
    """A hop (``observe.maker(ex)``), a Role or a role's word ("origin", a learner's answer),
    in the words a sentence names it with (pages.hop_words): the lab's pages' role words, an
    upstream with its name ("upstream 'slow'"), read from the hop's fields, not parsed back
    out of its label; anything else as it is written (None: "None", no hop made the answer)."""
    from labkit.http.pages import hop_words

    if isinstance(hop, Hop):
        if hop.role is Role.UPSTREAM:
            return Msg("upstream {name}", name=repr(hop.name))
        hop = hop.role
    return hop_words(str(hop))


THATS_IT = Msg("that's it.")


def said(exc: BaseException, lang: str) -> str:
    """An exception's text in ``lang``: a Msg given to it is rendered, anything else is str()."""
    if len(exc.args) == 1 and isinstance(exc.args[0], Msg):
        return exc.args[0].render(lang)
    return str(exc)


class Choice(Exercise):
    """Multiple choice: ``q.check("503")``. Options match as answers.text reads them
    (case, articles, quotes and a status's reason phrase do not matter)."""

    # the msgctxt of an option's words in another language (tools/messages.py extracts each
    # option that is not a bare status): the label beside the option, never the option
    OPTION = "option"

    def __init__(
        self,
        id: str,
        lesson: str,
        prompt: Text,
        options: list[str],
        answer: str,
        feedback: Mapping[str, Text],
        hints: tuple[Text, ...],
        solution: Text,
        also: Mapping[str, str] | Callable[[], Mapping[str, str]] | None = None,
        hops: frozenset[str] = frozenset(),
    ) -> None:
        self.options = options
        self.answer_digest = answer  # a digest() of the canonical option, see make_choice
        self.feedback = feedback  # digest -> message
        self._also = also
        # the hops the options speak of ("a 500 from the handler": the upstream's); an answer
        # that names another ("from the gateway's handler") speaks of something else
        self.hops = hops
        super().__init__(id, lesson, prompt, hints, solution)

    def label(self, option: str, lang: str, *, quoted: bool = False) -> str:
        """How a Quiz shows ``option`` in ``lang``: the option as it is answered (the matcher
        reads English options), its words in ``lang`` beside it where the catalogue has them:
        ``leaks internals（泄露内部信息）``; ``quoted``, the option as a line quotes it
        (``'leaks internals'（泄露内部信息）``)."""
        words = translate(lang, option, context=self.OPTION)
        shown = repr(option) if quoted else option
        if words == option:
            return shown
        return Msg("{option} ({words})", option=shown, words=words).render(lang)

    def option(self, given: object) -> str:
        """The option ``given`` names (``_option``); WrongKind if it names none of them, or
        if it names a hop beside a status the question does not ask about: "origin → 502"
        was accepted as the origin for a question about a 500, the 502 set aside."""
        # "the portal, the gateway never saw it": a reason after an option that is a hop;
        # after an option in words the words that follow may be part of it ("retry with
        # backoff, even a POST" is another option)
        if all(o in answers.HOPS.values() for o in self.options):
            found = answers.said_then_why(self._option, given)
            # "the portal, it was the gateway really", "the portal (well, the gateway)": two
            # hops (answers.really_was reads the clause as a hop by itself)
            if answers.really_was("hop", given) not in (None, found):
                raise answers.Hedged(answers.SEVERAL.bind(given=repr(given)))
        else:
            try:
                found = self._option(given)
            except answers.Ambiguous:
                raise
            except WrongKind:  # "407, 401 is for the site" read as two options, too
                reasoned = self._option_then_why(given)
                if reasoned is None:
                    raise
                found = reasoned
            # "407 (well, 511)", "504 from the gateway, but really 502 from the gateway": the
            # option a correction after it names is a second answer (answers.corrected)
            said = answers.corrected(given)
            if said is not None:
                try:
                    meant = self._option(said)
                except WrongKind:
                    meant = found
                if meant != found:
                    raise answers.Hedged(answers.SEVERAL.bind(given=repr(given)))
        if found in answers.HOPS.values() and isinstance(given, str):
            asked = {int(s) for s in re.findall(r"\b[1-5]\d\d\b", render(self.prompt_text, "en"))}
            named = {code for code, _ in answers.statuses_named(given)}
            other = sorted(named - asked)
            if asked and other:
                raise WrongKind(
                    Msg(
                        "{given} speaks of a {status}; the question asks about the {asked}",
                        given=repr(given),
                        status=str(other[0]),
                        asked=str(min(asked)),
                    )
                )
        return found

    def _option(self, given: object) -> str:
        """The option ``given`` names; WrongKind if it names none of them.

        Written as the option is (case, articles, quotes, a status's reason phrase and
        hyphens aside); else read as the kind some options are (a status, a hop, a
        condition: "it answers 503", "the origin server"); else the one option whose words
        the answer has in order, its other words naming no option ("retry with exponential
        backoff"). An answer that denies ("not 503") or hedges names no option."""
        given = answers.as_builtin_number(given)  # numpy's int64(400) is 400
        if not isinstance(given, (str, int, float)):  # ['501'] is a list, not an option
            # by its type, as the other answer kinds say it: a lab's repr is a page of routes
            raise WrongKind(
                Msg(
                    "a value of type {type} is not one of the options",
                    type=type(given).__name__,
                )
            )
        answers.refuse_spaced_digits(given)
        # a question hedges: "405 (without Allow?)" was counted as the wrong "405 without
        # Allow", "200?" as 200
        answers.refuse_question(given)
        answers.refuse_disowned(given)  # "Allow, which is wrong"
        key = answers.text(given)
        # "retry (with backoff)": the option, part of it in brackets (refused as no option)
        unbracketed = (
            answers.text(re.sub(r"[()（）]", " ", given)) if isinstance(given, str) else key
        )
        for o in self.options:
            if answers.text(o) == key or _squashed(answers.text(o)) == _squashed(key):
                return o
            if answers.text(o) == unbracketed:
                return o
        pasted = self._by_pasted_values(given)
        if pasted is not None:
            return pasted
        if isinstance(given, str):
            meant = self._meant(given)
            if meant is not None:
                # refused as reworded, it is read as written: a refusal quotes the learner
                with contextlib.suppress(WrongKind):
                    return self.option(meant)
        arrowed = self._by_arrow(given)
        if arrowed is not None:
            return arrowed
        for o in self.options:  # its words as the Quiz shows them beside it, in any language
            if any(_zh_plain(answers.text(w)) == _zh_plain(key) for w in self._words(o)):
                return o
        alias = self._by_alias(key)
        if alias is None:
            alias = self._by_alias_then_aside(key)
        if alias is not None:
            return alias
        # "504 (gateway)": a status, and where it comes from in brackets
        bracketed = re.fullmatch(
            r"\s*(\d{3})\s*[(（]\s*(?:the\s+)?([a-z]+)\s*[)）]\s*", str(given), re.IGNORECASE
        )
        if bracketed and bracketed.group(2).lower() in self._sources():
            return self.option(f"{bracketed.group(1)} from the {bracketed.group(2)}")
        # "405（带 Allow 头）": a status, and what tells two options of it apart in brackets
        # (the aside was set aside, and 405 alone named two options)
        status_aside = re.fullmatch(
            r"\s*(\d{3})\s*[(（]([^()（）]+)[)）]\s*", answers.without_reason(str(given))
        )
        if status_aside and not answers.hedging_aside(status_aside.group(2)):
            with contextlib.suppress(WrongKind):
                return self.option(f"{status_aside.group(1)} {status_aside.group(2).strip()}")
        said = answers.clean(given)
        # the option, then what it means after a colon or a dash ("check before resending —
        # POST is not idempotent": refused as a denial until December 2026)
        parts = re.split(r"[:;] | +-+ +(?=[^\W\d])", said, maxsplit=1)
        head = parts[0] if len(parts) > 1 and len(answers.fields(said)) < 2 else ""
        if head and said[len(head)] == ";":  # "check before resending; POST is not idempotent"
            vocabulary = {w for o in self.options for w in _stems(answers.text(o))}
            if any(w in vocabulary for w in _stems(answers.text(parts[1]))):
                head = ""  # "Upgrade; Connection": a list of the options' words
        for o in self.options:  # "check before resending: POST is not idempotent"
            if head and answers.text(o) == answers.text(head) and ":" not in o:
                return o
        own = frozenset(w for o in self.options for w in answers.clean(o).split())
        if answers.negated(answers.clean(given), own):
            raise answers.Negated(answers.NEGATED.bind(given=repr(given)))
        hedge = answers.hedge_word(answers.clean(given))  # "leaks internals, I guess"
        if hedge and not set(hedge.split()) <= own:
            raise answers.Hedged(answers.HEDGES.bind(given=repr(given), word=repr(hedge)))
        found = self._by_chinese_words(key)
        if found is not None:
            return found
        for kind in ("status", "hop", "condition", "header"):
            found = self._as_kind(kind, given)
            if found is not None:
                return found
        found = self._by_words(key)
        reason = _REASON.match(answers.clean(given))
        if found is None and reason:
            # the option, then its reason ("check before resending, because POST is not
            # idempotent"): the reason's "not" took back no option's word (refused as no
            # option); a reason that names an option's word is judged whole, as before
            vocabulary = {w for o in self.options for w in _stems(answers.text(o))}
            why = _stems(answers.text(reason.group("why")))
            if not any(w in vocabulary or w in _HEDGE_WORDS for w in why):
                found = self._by_words(answers.text(reason.group("answer")))
        if found is None:
            found = self._by_facts(key)
        if found is not None:
            return found
        named, each = self._named_parts(given)
        if len(named) == 1 and each:  # "check before resending, or use an idempotency key"
            return named.pop()  # two ways of saying one option are that option
        if len(named) > 1:
            raise answers.Hedged(answers.SEVERAL.bind(given=repr(given)))
        aside = answers.asides(given) if isinstance(given, str) else []
        if len(aside) == 1 and aside[0] != given:  # "the upstream (origin)": the aside names it
            if answers.hedging_aside(aside[0]):  # "405 (or 501)": counted as 501
                raise answers.Hedged(answers.SEVERAL.bind(given=repr(given)))
            with contextlib.suppress(WrongKind):
                return self.option(aside[0])
        # "405" where two options are a 405, with Allow and without: what tells them apart is
        # what the answer leaves out (it was told only "not one of the options")
        stems = set(_stems(key))
        fits = [o for o in self.options if stems and stems <= set(_stems(answers.text(o)))]
        if len(fits) > 1:
            # each with its words beside it, as "answer with one of the options" lists them
            # (a Chinese learner read the bare English options here until December 2026)
            lang = learner_language()
            raise WrongKind(
                Msg(
                    "{given} fits more than one option ({options}): say which one",
                    given=repr(given),
                    options=Listed(self.label(o, lang, quoted=True) for o in fits),
                )
            )
        raise WrongKind(Msg("{given} is not one of the options", given=repr(given)))

    def _option_then_why(self, given: object) -> str | None:
        """The option an answer names before a comma, semicolon, colon or dash, where the
        words after it are a reason ("504 from the gateway, the origin was too slow", "407 -
        401 would be the site, not the proxy": refused as no option); None otherwise.

        The options decide what a reason is: the whole answer was tried as an option first
        (an option with a comma in it, "retry, even a POST", wins over splitting it), and a
        reason may not have words of another option that the one named lacks ("retry with
        backoff, even a POST" mixes two options). A sentence about something else names its
        subject freely: in "401 would be the site" the 401 is what the clause speaks of, not
        a second answer. A reason that denies, hedges, concludes, corrects or judges ("407,
        511 is right too") names no option."""
        if not isinstance(given, str):
            return None
        text = " ".join(unicodedata.normalize("NFKC", given).translate(answers.WIDE).split())
        for cut in reversed(list(_THEN_WHY.finditer(text))):
            head, why = text[: cut.start()], text[cut.end() :].lower().rstrip(".!。！ ")
            if not head.strip() or not why or not _is_why(why):
                continue
            try:
                found = self._option(head)
            except WrongKind:
                continue
            about = _ABOUT.match(why)
            said = why[about.end(about.lastgroup or 0) :] if about else why
            if about:  # "the origin took 0.6 s": a time the sentence gives its subject is a
                said = _TIME.sub(" ", said)  # fact about it, not an option's words
            mine = set(_stems(answers.text(found)))
            theirs = {w for o in self.options for w in _stems(answers.text(o))} - mine - _FILLER
            if not theirs & set(_stems(answers.text(said))):
                return found
        return None

    def _by_pasted_values(self, given: object) -> str | None:
        """Of a hop question, the hop named in a cell's value pasted as the notebook shows
        it: ``ex.status, ex.generated_by`` is "(500, 'origin')", the lesson's hops table
        "('origin', 500, 'made it')" (refused as no option). The one option its texts name,
        its numbers being statuses (``option`` compares them with the question's); None for
        anything else, or where its texts name two hops."""
        if not isinstance(given, str) or not set(self.options) <= set(answers.HOPS.values()):
            return None
        try:
            value = ast.literal_eval(unicodedata.normalize("NFKC", given).strip())
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return None
        if not isinstance(value, (tuple, list)) or not value:
            return None
        named: set[str] = set()
        for item in value:
            if isinstance(item, str):
                with contextlib.suppress(WrongKind):
                    named.add(self._option(item))
            elif not isinstance(item, int) or isinstance(item, bool):
                return None
        return named.pop() if len(named) == 1 else None

    def _by_arrow(self, given: object) -> str | None:
        """The option one side of an arrow names, the other side naming none ("origin → 500":
        the hop, and what it made; "A → 502": the upstream, and what it got), as the lessons
        draw a request and its answer. These were refused as no option. Two sides
        naming two options give several answers; None where no side names one."""
        sides = answers.arrow_sides(given)
        named: set[str] = set()
        for side in sides:
            with contextlib.suppress(WrongKind):
                named.add(self.option(side))
        if len(named) > 1:
            raise answers.Hedged(answers.SEVERAL.bind(given=repr(given)))
        return named.pop() if named else None

    def _meant(self, given: str) -> str | None:
        """What a sentence that reasons or describes means, as the options say it (None:
        read it as it is). Each rule reads only where the options have the words it gives:

        - a conclusion after the reasons ("Proxy-Status says received-status=500, so the
          origin", "..., 所以是源服务器"): the conclusion is the answer, unless the reasons
          hedge;
        - "resend if not" after a check ("first check whether the order was created, then
          resend if not"): the "not" is the check's outcome, no denial;
        - "with no Allow header" is "without Allow";
        - "turns the 500 into a 502" is "becomes a 502";
        - "an Upgrade: h2c request header": a header the request carries, where "request"
          is another option's word ("HTTP/2.0 in the request line").

        These were refused (not counted): two right answers, and three wrong
        options whose teaching feedback a learner never saw."""
        said = unicodedata.normalize("NFKC", given)  # full-width "，" as ","
        vocabulary = {w for o in self.options for w in answers.clean(o).split()}
        concluded = _CONCLUSION.search(said)
        then = (concluded.group("then") or concluded.group("zh") or "") if concluded else ""
        if concluded and then.strip(" .!。"):
            if answers.hedge_word(answers.clean(said)):  # "maybe X, so the origin"
                return None
            return then
        meant = said
        if {"check", "before", "resending"} <= vocabulary:
            meant = _CHECK_THEN_RESEND.sub("check before resending", meant)
        if "without" in vocabulary:
            meant = re.sub(r"(?i)\b(?:but |and )?with no\b", "without", meant)
        if "becomes" in vocabulary:
            meant = _TURNS_INTO.sub("becomes", meant)
        if "line" in vocabulary and "header" not in vocabulary:
            meant = re.sub(r"(?i)\b(?:request|response) (header|field)\b", r"\1", meant)
        return meant if meant != said else None

    def _words(self, option: str) -> list[str]:
        """The option's words in each other language (the catalogue's, beside the option in
        a Quiz): "处理函数给出的 500", typed as the answer, was refused while a condition's
        Chinese words were accepted."""
        found = (translate(lang, option, context=self.OPTION) for lang in LANGUAGES)
        return [w for w in found if w != option]

    def _by_chinese_words(self, key: str) -> str | None:
        """The one option whose Chinese words a Chinese answer holds, with no word that
        denies or hedges beside them: "泄露内部信息给攻击者" says 泄露内部信息 and to whom
        (refused as no option, as Chinese has no spaces for _by_words to read).
        Not where the words of two options are there ("不带 Allow 的 405" holds both
        "带 Allow 的 405" and its own), nor beside a denial ("没有泄露内部信息")."""
        said = _zh_plain(key)
        if said.isascii():
            return None
        held = {
            o: w
            for o in self.options
            for w in (_zh_plain(answers.text(x)) for x in self._words(o))
            if not w.isascii() and w in said
        }
        if not held:
            return self._by_chinese_clause(said)
        if len(held) != 1:
            return None
        option, words = next(iter(held.items()))
        rest = said.replace(words, " ")
        if _ZH_DENIES.search(rest) or re.search(r"\d", rest):
            return None
        return option

    def _by_chinese_clause(self, said: str) -> str | None:
        """The one option one of whose Chinese clauses a Chinese answer says, its subject and
        the verb's helpers aside: "它会一直等" says "它一直等下去" of "什么都没有，它一直等下去"
        (refused as no option, where "it waits forever" named it)."""
        mine = _zh_core(said)
        if len(mine) < 2:
            return None
        found = {
            o
            for o in self.options
            for x in self._words(o)
            for clause in answers.text(x).split()
            if not clause.isascii() and _zh_core(_zh_plain(clause)) == mine
        }
        if len(found) != 1:
            return None
        option = found.pop()
        # not a word another option has too: 重试 is a clause of "retry, even a POST" and a
        # word of "retry with backoff" (as "retry" names neither)
        others = (
            _zh_plain(answers.text(x)) for o in self.options if o != option for x in self._words(o)
        )
        return None if any(mine in w for w in others) else option

    def _sources(self) -> set[str]:
        """Where the options say a status comes from ("504 from the gateway": gateway)."""
        found = (re.findall(r"\bfrom (?:the )?([a-z]+)", answers.text(o)) for o in self.options)
        return {w for words in found for w in words}

    @functools.cached_property
    def also(self) -> dict[str, str]:
        """Other words for an option, which the lesson itself gives it (digest -> the
        option's digest): "use an idempotency key" says what "check before resending" does.
        Made by the first answer that needs them (``make_choice`` gives a function): their
        Chinese words made each lesson's import read the lab's catalogue (answers.reasons)."""
        also = self._also
        return dict((also() if callable(also) else also) or {})

    def _by_alias(self, key: str) -> str | None:
        """The option the lesson gives ``key`` (an answers.text) as other words for, also
        said with another word for one of the options' ("it hangs forever")."""
        wanted = self.also.get(digest(self.id, key))
        if wanted is None:
            vocabulary = {w for o in self.options for w in _stems(answers.text(o))}
            wanted = self.also.get(digest(self.id, _with_same_words(key, vocabulary)))
        if wanted is None and not key.isascii() and _zh_core(key) != key:
            # its subject and the verb's helper aside: "(它)会泄露内部细节" says the lesson's
            # "泄露内部细节" (refused as no option, where "it would leak internals" was read)
            wanted = self.also.get(digest(self.id, _zh_core(key)))
        if wanted is None:
            return None
        return next((o for o in self.options if digest(self.id, answers.text(o)) == wanted), None)

    def _by_alias_then_aside(self, key: str) -> str | None:
        """Of a Chinese answer, the option its first clause is the lesson's other words for,
        the clause after its comma an aside that denies, hedges and counts nothing:
        "用指数退避重试，最多几次" (refused as no option, where "retry with exponential
        backoff, a few times at most" was accepted). None where the aside names an option."""
        head, _, rest = key.partition(" ")
        if not rest or head.isascii() or _ZH_DENIES.search(rest) or answers.statuses_named(rest):
            return None
        found = self._by_alias(head)
        if found is None:
            return None
        try:
            self._option(rest)
        except WrongKind:
            return found
        return None

    def _named_parts(self, given: str | int | float) -> tuple[set[str], bool]:
        """The options an answer that lists things names ("502 or 504", "503, 504", 或), as a
        short answer's canonical form lists them (answers.HEDGE), and whether each listed
        part names one. Two or more: a hedge; one, by every part: that option."""
        if not isinstance(given, str) or not _SEVERAL.search(answers.clean(given)):
            return set(), False
        named = set()
        each = True
        for part in _SEVERAL.split(given):
            if part.strip():
                try:
                    named.add(self.option(part))
                except WrongKind:
                    each = False
        return named, each

    def _as_kind(self, kind: str, given: object) -> str | None:
        """The option of ``kind`` the answer names, when two or more options read as that
        kind, each differently; None otherwise. Also the one option that names a status,
        for an answer that is only that status ("500" for "a 500 from the handler"), and the
        one option that is an upstream condition, for an answer that is that condition.

        Headers count only where every option is header names ("Upgrade and Connection:
        upgrade", "Alt-Svc"), so that "Upgrade and Connection" names that option; any short
        phrase would read as a header name otherwise."""
        if kind == "header" and not all(_names_headers(o) for o in self.options):
            return None
        keys: dict[str, str] = {}
        for o in self.options:
            try:
                k = answers.canonical(kind, o)
            except WrongKind:
                continue
            if k in keys:
                return None
            keys[k] = o
        # a condition where one option is one: "拒绝连接" or "refused" names "connection
        # refused" (refused as no option, where 连接被拒绝, its words in a Quiz, named it)
        alone = kind == "condition" or (
            kind == "status" and re.fullmatch(r"(status )?\d{3}", answers.text(given))
        )
        if len(keys) < (1 if alone else 2):
            return None
        if kind == "header" and _HEDGED.search(answers.clean(given)):
            return None  # "Upgrade or Connection": two answers, read as one list of headers
        try:
            wanted = answers.canonical(kind, given)
        except answers.Ambiguous:  # "the server": the one server among the options, if one
            servers = [k for k in keys if k in answers.SERVERS]
            if len(servers) == 1:
                return keys[servers[0]]
            if not servers:
                return None
            raise answers.Ambiguous(given, servers) from None
        except (answers.Negated, answers.Hedged):
            raise
        except WrongKind:
            return None
        found = keys.get(wanted)
        if found is not None and kind == "header" and isinstance(given, str):
            if answers.values_differ(given, found):  # "Connection: close and Upgrade"
                return None
        return found

    def _by_facts(self, key: str) -> str | None:
        """The one option that names the same status and hop as the answer, when the options
        differ by those ("the gateway answers 504" for "504 from the gateway"), the answer's
        other words naming no option."""
        facts = {o: _facts(answers.text(o)) for o in self.options}
        vocabulary = {w for o in self.options for w in _stems(answers.text(o))}
        # "504 by the gateway after 0.3 s": when it came is an aside, unless its number is
        # another option's ("... after 0.6 s" mixes in "200 after 0.6 s"). It was
        # refused, its "after" and "0.3" read as naming other options
        for time in _TIME.finditer(key):
            if time.group("number") not in vocabulary:
                key = key.replace(time.group(0), " ")
        key = answers.words(key)
        given = _facts(key)
        if not (given[0] and given[1]) or list(facts.values()).count(given) != 1:
            return None
        option = next(o for o, f in facts.items() if f == given)
        own = set(_stems(answers.text(option))) | _FILLER
        extra = [w for w in _stems(key) if w not in own and w not in _HOP_WORDS]
        if any(_names_another(w, vocabulary) for w in extra):
            return None
        return option

    def _by_words(self, key: str) -> str | None:
        """The one option whose words ``key`` has in order, its other words in no option."""
        vocabulary = {w for o in self.options for w in _stems(answers.text(o))}
        if "from" in vocabulary and "by" not in vocabulary:  # "a 504 made by the gateway"
            key = re.sub(r"\b((made|sent|generated|written) )?by\b", "from", key)
        if "from" in vocabulary:  # "the handler's 500", "the handler's own 500": "500 from handler"
            key = re.sub(r"\b([a-z]+) s (?:own )?(\d{3})\b", r"\2 from \1", key)
            # "a handler 500", "the gateway 504": where the options say a status comes from
            sources = self._sources()
            if sources:
                names = "|".join(sorted(sources))
                key = re.sub(rf"\b({names}) (\d{{3}})\b", r"\2 from \1", key)
        if "backoff" in vocabulary:  # "back off and retry"
            key = re.sub(r"\bback ?off (?:and |then )+retry\b", "retry with backoff", key)
            # "exponential backoff", "backoff", 指数退避: the option without the verb every
            # option shares (refused as no option)
            key = re.sub(
                r"^(?:(?:exponential|exponentially growing|growing|increasing|random(?:ized)?"
                r"|jittered)\s+)?back ?off(?: with jitter)?$|^(?:指数)?退避$",
                "retry with backoff",
                key,
            )
            # "retry after a backoff", 用退避重试, 退避之后重试, 用指数退避的方式重试: the option's
            # words in another order or with a particle (refused as no option)
            key = re.sub(
                r"^retry after (?:an? )?(?:(?:exponential|growing|increasing|random(?:ized)?"
                r"|jittered) )?back ?off$"
                r"|^(?:用|以|采用|使用)?(?:指数)?退避(?:的方式|方式)?(?:之后|以后|后)?(?:再)?重试$",
                "retry with backoff",
                key,
            )
            # "wait, then retry, waiting longer each time": backoff described (refused)
            key = _GROWING_WAITS.sub("with backoff", key)
            # "..., at most 3 times": how many tries is no other option (its digit read as one)
            key = re.sub(r"\b\d{1,2} (?:more )?(?:times?|tries|attempts|retries)\b", "times", key)
        if "with" in vocabulary and "and" not in vocabulary:  # "405 and Allow", "405 + Allow"
            key = re.sub(r"\b(and|plus)\b", "with", key)
        if "with" in vocabulary:  # "405 including Allow", "a 405 that carries Allow"
            key = re.sub(
                r"\b(?:(?:that|which) (?:carries|has|includes)|including|carrying)\b", "with", key
            )

        if "resend" in vocabulary:  # "check before sending it again"
            key = re.sub(r"\bsend(ing)?( it| them)? again\b", "resending", key)
            # "check first, then resend" (refused as no option)
            key = re.sub(
                r"\bcheck( it)? first,? (?:and )?then resend(ing)?\b", "check before resending", key
            )
        if "from" in vocabulary:  # "a 500 the handler returns": "500 from handler"
            key = re.sub(
                r"\b(\d{3}) (?:that |which )?([a-z]+) (?:returns|gives|sends|makes|answers)\b",
                r"\1 from \2",
                key,
            )
            # "the handler returning 500", "the handler gives a 500" (refused as no option)
            key = re.sub(
                r"\b([a-z]+) (?:returning|returns|giving|gives|sending|sends|answering|answers)"
                r" (?:(?:a|an|its|the) )?(\d{3})\b",
                r"\2 from \1",
                key,
            )
        key = _with_same_words(key, vocabulary)  # "exposes internals", "retry immediately"
        given = _stems(key, vocabulary)
        elsewhere = _facts(key)[1] - self.hops if self.hops else frozenset()
        # the hops the answer names that are options ("the upstream origin server" names
        # the origin: no option is the upstream)
        named = _facts(key)[1] & {answers.HOPS[o] for o in self.options if o in answers.HOPS}
        matches = []
        for o in self.options:
            if elsewhere and not _facts(answers.text(o))[1]:
                continue  # "a 500 from the gateway's handler": a hop the options do not mean
            if o in answers.HOPS and named - {answers.HOPS[o]}:
                continue  # "the app server behind the gateway": another hop than the option
            if o in answers.HOPS and re.search(rf"\b{re.escape(o)} s (?:{_POSSESSED})\b", key):
                continue  # "the gateway's upstream": the hop the option has, not the option
            wanted = _stems(answers.text(o))
            rest = list(given)
            for word in wanted:
                if word not in rest:
                    break
                rest = rest[rest.index(word) + 1 :]
            else:
                extra = [w for w in given if w not in wanted and w not in _FILLER]
                if not any(_names_another(w, vocabulary) for w in extra):
                    matches.append(o)
        return matches[0] if len(matches) == 1 else None

    def expects(self) -> Text:
        # each option with its words, as the Quiz shows them: check() renders this at once,
        # in the learner's language (a Chinese answer that is an option's words, typed, was
        # refused with the bare English options until December 2026)
        lang = learner_language()
        return Msg(
            "answer with one of the options: {options}",
            options=Listed(self.label(o, lang, quoted=True) for o in self.options),
        )

    def judge(self, *answer: Any) -> tuple[bool, Text, str]:
        d = digest(self.id, answers.text(self.option(answer[0])))
        if d == self.answer_digest:
            return True, self.feedback.get(d, THATS_IT), ""
        return False, self.feedback.get(d, Msg("that is not it.")), ""

    def __repr__(self) -> str:
        # each option with its words beside it, as the Quiz shows them (lesson 00's print(q1)
        # listed the bare English options under a Chinese question until December 2026)
        lang = learner_language()
        options = Msg(
            "options: {options}", options=Listed(self.label(o, lang) for o in self.options)
        )
        return f"[{self.id}] {self.prompt}\n  {options.render(lang)}"


# where an option's words may end and its reason begin (Choice._option_then_why)
_THEN_WHY = later(r"\s*[,;:]\s*|\s+-+\s+|\s+(?:because|since)\s+")
# a reason that is a sentence about something: its subject, then a verb ("the origin was too
# slow", "401 would be the site", "B took too long", 源服务器太慢了)
_ABOUT = later(
    r"^(?:the\s+)?(?P<subject>[\w.'’-]+(?:\s+[\w.'’-]+)?)\s+(?:is|was|were|are|would|will|took"
    r"|takes|needed|needs|spent|answered|answers|sent|sends|gets|got|means|meant|did|does|never"
    r"|only|could|can"
    r"|may|had|has|said|says)\b"
    r"|^(?P<zh>[^\s,]{1,6}?)\s*(?:是|太|只|会|没有|返回|才)"
)
# a reason's words that judge or add an answer rather than say why ("407, 511 is right too")
_JUDGES = later(
    r"\b(?:right|correct|wrong|incorrect|also|as well|works?|the answer|fine|okay|ok|either"
    r"|instead)\b|也对|也行|也可以|才对|正确|错"
)


def _is_why(clause: str) -> bool:
    """Whether the (lower-case) words after an option read as its reason: two words or more,
    none that denies, hedges, goes on to another answer, concludes, corrects or judges."""
    return bool(
        (len(clause.split()) >= 2 or sum("\u4e00" <= c <= "\u9fff" for c in clause) >= 2)
        and not answers.DENIES_THE_ANSWER.match(clause)
        and not answers.ANSWERS_ON.match(clause)
        and not answers.hedging_aside(clause)  # "maybe", "or", 或者
        and not answers.disowned(f"x, {clause}")
        and not answers.questioned(clause)
        and not _JUDGES.search(clause)
        and answers.corrected(f"x, {clause}") is None
        and not re.match(r"(?:so|thus|hence|therefore)\b|所以|因此", clause)
        # a Chinese clause that denies anything ("用指数退避重试，不要太多次" says how not to)
        and not re.search(r"不|没|别|未|无|非", clause)
    )


# an answer, then why: "check before resending, because POST is not idempotent"
_REASON = later(r"^(?P<answer>.+?)\s*[,;]?\s+(?:because|since)\s+(?P<why>.+)$")
_HEDGE_WORDS = {"or", "either", "maybe", "perhaps", "both", "nor", "neither", "probably", "might"}
# words that take back what they stand beside: "405 with no Allow" is not "405 with Allow"
_DENYING = {"no", "not", "without", "never", "none", "nothing", "neither", "nor"}
# words that name nothing, though an option may have them ("retry until it works"): an extra
# one does not make an answer name another option ("check before resending it")
_FILLER = {"it", "in", "on", "at", "of", "to", "for", "i", "we", "would", "should", "just"}
# other words for an option's word, used where the options have that word and not this one
# ("exposes internals", "retry immediately in a loop", "retry until it succeeds"
# and "it hangs forever" were refused as no option)
# Chinese words that deny or hedge what they stand beside, or name something else (a number)
_ZH_DENIES = later(r"不|没|非|别|无|未|否|可能|也许|大概|或|还是|吗")
_SAME_WORDS = {
    "exposes": "leaks",
    "expose": "leaks",
    "exposing": "leaks",
    "reveals": "leaks",
    "reveal": "leaks",
    "immediately": "at once",
    "right away": "at once",
    "succeeds": "works",
    "succeed": "works",
    "hangs": "waits",
    "hang": "waits",
}


# a time an answer gives beside its option, as answers.text writes it: "after 0.3 s", "0.3 秒后"
_TIME = later(
    rf"(?:\b(?:after|in|within|at) (?:its |the |a )?)?(?P<number>\d+(?:\.\d+)?) ?{answers.UNITS}"
    r"(?: ?后|(?![\w-]))(?: (?:read |connect )?timeout\b)?"  # "after its 0.3 s read timeout"
)
# waits that grow, described: what "backoff" means ("with growing pauses", 502 q3's feedback)
_GROWING_WAITS = later(
    r"\b(?:(?:by |with )?(?:wait|waiting|pause|pausing|sleep|sleeping)(?: a bit| a little)? "
    r"longer (?:each|every) time"
    r"|(?:with |after )?(?:longer and longer|growing|increasing|longer) "
    r"(?:pause|wait|delay|gap|interval|sleep)s?"
    r"(?: in between| between(?: them| tries| attempts)?)?)\b"
)
# a conclusion after its reasons: ", so the origin", "; therefore 504", "，所以是源服务器"
_CONCLUSION = later(
    r"(?:^|[,;]\s*|\s+and\s+)(?:so|therefore|hence|thus)\s+"
    r"(?:(?:it|that)(?:'s|’s| is| was)\s+|it must be\s+)?(?P<then>\S.*)$"
    r"|[,;]?\s*(?:所以|因此)(?:是|说明是)?(?P<zh>\S.*)$",
    re.IGNORECASE,
)
# a check, then a resend only if the check found nothing: "first check whether the order was
# created, then resend if not" ("if not" is the check's outcome, not a denial)
_CHECK_THEN_RESEND = later(
    r"(?i)\b(?:first,? )?check(?: first)?(?: (?:whether|if) [^,]{1,60}?)?,? (?:and )?"
    r"(?:only )?then,? resend(?:ing)?(?: it)?"
    r"(?: (?:only )?if (?:not|it (?:was|wasn't|was not|isn't|is not|did not|didn't))(?: \w+)?)?"
    r"(?=$|[.!,;])"
)
# "it would turn the 500 into a 502", "turns it into a 502"
_TURNS_INTO = later(
    r"(?i)\b(?:it )?(?:would |will )?turn(?:s|ed)? (?:the |a |it |that )?(?:\d{3} |error |"
    r"response |500 error )?into\b"
)
_HEDGED = later(r"\bor\b|\beither\b|/|或")
_SEVERAL = later(r"\bor\b|\beither\b|/|或者|或|,|，|、")  # what lists answers
# an option that is header names only: "Retry-After", "Upgrade and Connection: upgrade"
_HEADER_NAMES = later(r"[A-Za-z][\w-]*(?:\s*(?:,|\band\b|\+|&)\s*[A-Za-z][\w-]*)*")
_HOP_WORDS = {w for name in answers.HOPS for w in name.split()}
# what a hop's possessive may name besides that hop ("the gateway's upstream": counted
# as the gateway in 500 q1)
_POSSESSED = "upstream|backend|origin|server|app|application|client|portal|gateway"


def _names_headers(option: str) -> bool:
    """Whether an option is one or more header names (a value after a colon aside)."""
    return bool(_HEADER_NAMES.fullmatch(option.split(":", 1)[0].strip()))


def _facts(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The statuses and the hops an answers.text names ("504 from gateway": 504, gateway)."""
    statuses = frozenset(re.findall(r"(?<![\d.])[1-5]\d\d(?![\d.])", text))
    hops: set[str] = set()
    rest = f" {text} "
    for name in sorted(answers.HOPS, key=len, reverse=True):
        # a Chinese name within its sentence, no spaces around it: 网关返回 504
        found = f" {name} " if name.isascii() else name
        if found in rest:
            hops.add(answers.HOPS[name])
            rest = rest.replace(found, " ")
    return statuses, frozenset(hops)


def _with_same_words(key: str, vocabulary: set[str]) -> str:
    """``key`` (an answers.text) with the option's own word for each of _SAME_WORDS."""
    for word, same in _SAME_WORDS.items():
        if set(_stems(same)) <= vocabulary and _stem(word) not in vocabulary:
            key = re.sub(rf"\b{word}\b", same, key)
    return key


def _names_another(word: str, vocabulary: set[str]) -> bool:
    """Whether an answer's word beyond an option's own makes it name something else: a word
    of another option, a hedge, a denial or a number."""
    return word in vocabulary or word in _HEDGE_WORDS or word in _DENYING or word[0].isdigit()


def _squashed(text: str) -> str:
    return text.replace(" ", "")


def _zh_plain(text: str) -> str:
    """``_squashed``, a header's name without the Chinese word for header after it and
    带上/携带 as 带: "带 Allow 头的 405" says what the option's words "带 Allow 的 405" say
    (refused as no option)."""
    text = re.sub(r"(?<=[a-z])(?:响应|请求)?(?:头部?|标头|首部)(?:字段)?", "", _squashed(text))
    return re.sub(r"带上|携带", "带", text)


def _zh_core(clause: str) -> str:
    """A Chinese clause without its subject (它, the proxy, the client), the verb's helpers
    before it (会, 将, 就, 还, 应该, 要) and after it (下去, 了, 着): 它会一直等 and 它一直等下去
    are 一直等, 客户端应该先检查再重发 is 先检查再重发."""
    found = re.fullmatch(
        r"(?:它|网关|代理|代理服务器|客户端|[a-z]+)?(?:会|将|就|还|只会|应该|应当|需要|要)?(.*?)"
        r"(?:下去)?(?:了|着)?",
        clause,
    )
    return found.group(1) if found else clause


def _stem(word: str) -> str:
    """A word without a plural s or an -ing ("resending": "resend")."""
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ies"):  # "retries": "retry"
        return word[:-3] + "y"
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def _stems(text: str, vocabulary: set[str] | None = None) -> list[str]:
    """The words of an answers.text, plural s and -ing gone; two words that make one word of
    ``vocabulary`` joined ("back off": "backoff")."""
    stems = [_stem(w) for w in text.split()]
    if vocabulary:
        joined: list[str] = []
        for w in stems:
            if joined and joined[-1] + w in vocabulary:
                joined[-1] += w
            else:
                joined.append(w)
        stems = joined
    return stems


COUNTS_NOT_STATUS = Msg(
    "{given} is the status those requests get; the question asks how many requests get {status}"
)


class ShortAnswer(Exercise):
    """A short answer of one kind (a status, a header, a hop, a number, a condition),
    compared in its canonical form (answers.canonical), so every way of writing it counts."""

    def __init__(
        self,
        id: str,
        lesson: str,
        prompt: Text,
        accepted: set[str],
        feedback: Mapping[str, Text],
        hints: tuple[Text, ...],
        solution: Text,
        kind: str = "text",
        default: Text = "",
        counts: int | None = None,
        about: tuple[str, frozenset[str]] | None = None,
    ) -> None:
        self.accepted = accepted  # digests of canonical answers
        self.counts = counts  # a number answer's: the status it counts ("5 × 503")
        # the label the question asks about, among the labels it names ("B" of "A" and "B"):
        # an answer may give each its own ("A → 502, B → 504") and is judged on that one's
        self.about = about
        self.feedback = feedback  # digest -> message for typical wrong answers
        self.kind = kind
        self.default = default  # feedback for a wrong answer without its own
        super().__init__(id, lesson, prompt, hints, solution)

    def expects(self) -> Text:
        return Msg("answer with {what}", what=answers.expected(self.kind))

    def _counted(self, parts: list[str]) -> list[str]:
        """The counts of a number answer that count ``self.counts`` ("5×503" is 5 where 503s
        are counted), others as given (a wrong answer: "5×200"). Of a tally ("3×200 | 5×503")
        the one count of the counted status, if the tally names it once."""
        if self.counts is None:
            return [p.split(answers.TIMES)[0] for p in parts]
        mine = {
            p.removesuffix(f"{answers.TIMES}{self.counts}") for p in parts if answers.TIMES not in p
        }
        mine |= {
            p.removesuffix(f"{answers.TIMES}{self.counts}")
            for p in parts
            if p.endswith(f"{answers.TIMES}{self.counts}")
        }
        if len(parts) > 1 and len(mine) == 1:
            # "5 — 3 fit" (5 | 3×200), "5 requests: 3 are served and 5 aren't": one count of the
            # counted status, given alone or with it, beside counts of other statuses
            return [mine.pop()]
        return [p.removesuffix(f"{answers.TIMES}{self.counts}") for p in parts]

    def _asked(self, given: object) -> object:
        """Of an answer that gives each label the question names its own ("A → 502, B → 504",
        "A: 502; B: 504", "A 返回 502，B 返回 504"), the part about the label asked (``about``):
        it was refused as several answers, and "A → 502" alone judged as 502, the answer
        about B. WrongKind where the labels given leave out the one asked; anything else
        as given."""
        if self.about is None or not isinstance(given, str):
            return given
        wanted, labels = self.about
        names = "|".join(re.escape(label) for label in sorted(labels))
        labelled = re.compile(
            rf"^\s*(?i:for\s+|给\s*)?(?i:(?:upstream|上游)\s*)?['\"]?({names})['\"]?"
            r"(?:\s*(?:->|→|⟶|⇒|=>|=|:|：|,|的是)\s*|\s+(?i:gets?|got|is|gives?|returns?|answers?)\s+"
            r"|\s*(?:得到|返回|是|收到)\s*|\s+(?=\d))(.+)$"
        )  # the labels as the question writes them (upper case): "a 504" is no label
        # the label after the answer: "504 for B, 502 for A" (refused as several answers)
        after = re.compile(
            rf"^\s*(.+?)\s+(?i:for)\s+(?i:(?:upstream)\s+)?['\"]?({names})['\"]?\s*$"
        )

        def labelled_match(part: str) -> tuple[str, str] | None:
            found_before = labelled.match(part)
            if found_before:
                return found_before.group(1), found_before.group(2)
            found_after = after.match(part)
            return (found_after.group(2), found_after.group(1)) if found_after else None

        text = unicodedata.normalize("NFKC", given).strip().rstrip(".。")
        found: list[tuple[str, str] | None] = []
        unlabelled = ""
        # "For B, 504; for A, 502": split at semicolons first, where every part is labelled
        for split in (r"[;；]", r"[,;，；、]|\s+[-–—]+\s+|\band\b|和"):
            parts = [p for p in re.split(split, text) if p.strip()]
            found = [labelled_match(p) for p in parts]
            if len(parts) > 1 and all(found):
                break
            # "504，A 是 502": the answer first, unlabelled (no capital letter that could be a
            # label in it), then the other labels' (refused as several answers)
            if (
                len(parts) > 1
                and all(found[1:])
                and not re.search(r"(?<![A-Za-z])[A-Z](?![A-Za-z])", parts[0])
            ):
                unlabelled, found = parts[0].strip(), found[1:]
                break
        if not all(found):
            return given
        said = {m[0]: m[1].strip() for m in found if m}
        if len(said) != len(found):  # "B → 502, B → 504"
            raise answers.Hedged(answers.SEVERAL.bind(given=repr(given)))
        if unlabelled:  # the one label left unsaid is the one the unlabelled part is about
            if set(labels) - set(said) != {wanted}:  # "504, B → 502": two answers for B
                return given
            return unlabelled
        if wanted not in said:
            raise WrongKind(
                Msg(
                    "{given} says what {other} got; the question asks about {wanted}",
                    given=repr(given),
                    other=Listed(sorted(said)),
                    wanted=wanted,
                )
            )
        return said[wanted]

    def _quoted(self, key: str) -> bool:
        """Whether ``key`` (a canonical answer) is a word the question itself quotes."""
        prompt = render(self.prompt_text, "en").lower()
        return re.search(rf"(?<![\w-]){re.escape(key)}(?![\w-])", prompt) is not None

    def judge(self, *answer: Any) -> tuple[bool, Text, str]:
        key = answers.canonical(self.kind, self._asked(answer[0]))
        parts = key.split(answers.HEDGE)
        if self.kind == "number":
            parts = self._counted(parts)
            key = answers.HEDGE.join(parts)
            if self.counts is not None and str(self.counts) in parts:  # "503" for how many 503s
                raise WrongKind(
                    COUNTS_NOT_STATUS.bind(given=repr(answer[0]), status=str(self.counts))
                )
        if self.kind == "header" and not all(
            answers.looks_like_header(p) or digest(self.id, p) in self.feedback for p in parts
        ):  # "banana", "origin or gateway": maybe not meant as header names at all
            raise WrongKind(Msg("{given} is not a header name HTTP defines", given=repr(answer[0])))
        if len(parts) > 1:  # "502 or 504": right only if every one of them is
            if all(digest(self.id, part) in self.accepted for part in parts):
                return True, self.feedback.get(digest(self.id, parts[0]), THATS_IT), ""
            raise answers.Hedged(answers.SEVERAL.bind(given=repr(answer[0])))
        d = digest(self.id, key)
        if d in self.accepted:
            return True, self.feedback.get(d, THATS_IT), ""
        if self.kind == "header" and d not in self.feedback and self._quoted(key):
            # "req-0001", the reference the question quotes: counted as a wrong header name
            # with "that header is not where the reference is"
            raise WrongKind(
                Msg(
                    "{given} is a value the question quotes, not a header name",
                    given=repr(answer[0]),
                )
            )
        wrong = self.default or Msg("{answer} is not it.", answer=repr(answer[0]))
        return False, self.feedback.get(d, wrong), ""


class Learner:
    """A learner's function as a judge receives it: each call runs in a child process
    (runner.call), within what is left of the judge's time limit."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        self.__name__ = getattr(fn, "__name__", "your function")

    def __call__(self, *args: Any) -> Any:
        return runner.call(self.fn, *args)

    def each(self, argsets: Sequence[tuple[Any, ...]]) -> list[Any]:
        """The values of a call with each argument tuple, all in one child process
        (runner.call_each): a LearnerError's ``call`` names the one that raised."""
        return runner.call_each(self.fn, argsets)

    def paced(
        self,
        argsets: Sequence[tuple[Any, ...]],
        before: Callable[[int, list[Any]], runner.View | None],
    ) -> runner.Outcome:
        """A call with each argument tuple in one child process, ``before`` run in the
        kernel before each call (it may change the lab, returns the call's view or None to
        stop): see runner.run. The outcome's value lists the values of the calls made."""
        return runner.run(self.fn, *argsets, each=True, before=before)

    def __repr__(self) -> str:
        """As a message quotes it: the function's name, no address (a capstone answer given
        a function read "not <labkit.exercises.core.Learner object at 0x7f...>", another
        address on every run, until December 2026)."""
        return f"<function {self.__name__}>"

    def run(
        self,
        *args: Any,
        clock: runner.Clock | None = None,
        random_value: float | None = None,
        view: runner.View = (),
    ) -> runner.Outcome:
        """The call's value and the virtual time it took (see runner.run)."""
        return runner.run(self.fn, *args, clock=clock, random_value=random_value, view=view)


def is_learner_code(value: object) -> bool:
    """A function, lambda, method or partial the learner wrote, or anything else callable
    that is not labkit's own object: a class, or an object with ``__call__`` (called here, in
    the kernel, one that spun in its ``__call__`` or ``__init__`` hung check() for good)."""
    if inspect.isroutine(value) or isinstance(value, functools.partial):
        return True
    return callable(value) and (
        isinstance(value, type) or not type(value).__module__.startswith("labkit")
    )


class Task(Exercise):
    """Make something happen in the lab (or write code that does); a judge observes the result.

    ``judge_fn(*answer)`` returns (correct, message) or (correct, message, detail).
    Functions among the answers reach it as Learner objects: calling one runs the
    learner's code in a child process, and all calls share ``time_limit`` seconds.
    """

    one_answer = False

    def __init__(
        self,
        id: str,
        lesson: str,
        prompt: Text,
        judge_fn: Callable[..., tuple[Any, ...]],
        hints: tuple[Text, ...],
        solution: Text,
        time_limit: float = 5.0,
    ) -> None:
        self.judge_fn = judge_fn
        self.time_limit = time_limit
        super().__init__(id, lesson, prompt, hints, solution)

    def judge(self, *answer: Any) -> tuple[bool, Text, str]:
        given = tuple(Learner(a) if is_learner_code(a) else a for a in answer)
        restored: list[Any] = []
        with runner.budget(self.time_limit), store.kept_whole(restored):
            verdict = self.judge_fn(*given)
        correct, message, *rest = verdict
        if restored:
            message = PUT_BACK.bind(verdict=message, file=str(restored[0]))
        return bool(correct), message, rest[0] if rest else ""


PUT_BACK = Msg(
    "{verdict} (Your code also damaged or removed your progress file {file}: the judge put it "
    "back as it was.)"
)


def make_choice(
    id: str,
    lesson: str,
    prompt: Text,
    options: list[str],
    answer: str,
    why: Mapping[str, Text],
    hints: tuple[Text, ...],
    solution: Text,
    *,
    also: Mapping[str, Iterable[str]] | None = None,
    hops: Iterable[str] = (),
) -> Choice:
    """Build a Choice from plain text (its answer and feedback kept as digests). ``also``:
    other words the lesson gives an option (option -> phrases), kept as digests too; ``hops``:
    the hops the options speak of, where they name none (answers.HOPS's values)."""
    if answer not in options or not set(why) <= set(options) or not set(also or {}) <= set(options):
        raise ValueError(f"{id}: the answer and the feedback and also keys must be options")
    if not set(hops) <= set(answers.HOPS.values()):
        raise ValueError(f"{id}: hops must be hops ({sorted(set(answers.HOPS.values()))})")
    return Choice(
        id,
        lesson,
        prompt,
        options,
        digest(id, answers.text(answer)),
        {digest(id, answers.text(k)): v for k, v in why.items()},
        hints,
        solution,
        lambda: {
            digest(id, answers.text(phrase)): digest(id, answers.text(option))
            for option, phrases in (also or {}).items()
            for phrase in phrases
        },
        frozenset(hops),
    )


def make_short_answer(
    id: str,
    lesson: str,
    prompt: Text,
    accepted: Iterable[str],
    why: Mapping[str, Text],
    hints: tuple[Text, ...],
    solution: Text,
    *,
    kind: str,
    default: Text = "",
    counts: int | None = None,
    about: tuple[str, Iterable[str]] | None = None,
) -> ShortAnswer:
    """Build a ShortAnswer of one kind from plain text: accepted answers and feedback for
    typical ones, each kept as the digest of its canonical form. ``about``: the label the
    question asks about and every label it names ("B", "AB"), where an answer may give each
    its own."""
    if about is not None and about[0] not in about[1]:
        raise ValueError(f"{id}: the label asked about must be among the labels")
    return ShortAnswer(
        id,
        lesson,
        prompt,
        {digest(id, answers.canonical(kind, a)) for a in accepted},
        {digest(id, answers.canonical(kind, k)): v for k, v in why.items()},
        hints,
        solution,
        kind,
        default,
        counts,
        None if about is None else (about[0], frozenset(about[1])),
    )


def get(exercise_id: str) -> Exercise:
    """The exercise of that id, whether or not its lesson's module was imported yet."""
    from labkit.errors import unknown

    if exercise_id not in REGISTRY:
        from labkit.exercises import all_exercises

        all_exercises()  # a fresh kernel has imported no lesson yet
    if exercise_id not in REGISTRY:
        raise unknown("exercise", exercise_id, REGISTRY)
    return REGISTRY[exercise_id]


def _kept(answer: tuple[Any, ...]) -> dict[str, Any]:
    """The answer as `labkit grade` re-runs it (labkit/grading.py); never fails a check."""
    try:
        from labkit.grading import keep

        return keep(answer)
    except Exception:
        return {"args": [{"kind": "none", "why": "the answer could not be kept"}]}
