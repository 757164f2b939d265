"""The lab's switches, each declared once: its parameters, how it is applied, what reset restores.

Everything that changes a running lab from outside (``labkit ctl``, the control API,
``lab.reset()``, the scenarios' shell ``setup``/``teardown``, the playgrounds' controls)
is derived from ``SWITCHES``: the command's words and ``--help``, the validation
messages, the defaults, the widgets' labels and ranges. Adding a switch is adding one
``Switch`` to the table (docs/architecture.md, "Add a switch").

A switch is always applied on the lab's loop thread, where requests read the state it
changes (``apply`` hops there from the kernel's or a widget's thread, and waits).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import shlex
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from labkit import i18n
from labkit.errors import (
    CAPACITY_MAX as CAPACITY_MAX,  # re-exported: cli and the tests read it here
)
from labkit.errors import (
    BadArgument,
    UnknownName,
    check_number,
    not_a_number,
    not_whole,
    number,
    out_of_range,
    refuse,
    say,
    shown,
    unit_words,
    unknown,
    whole_in,
)
from labkit.faults import Slow
from labkit.http.pages import hop_words
from labkit.http.server import HEAD_TIMEOUT, HEAD_TIMEOUT_RANGE, HTTPServer
from labkit.i18n import Listed, Msg, Text
from labkit.lab import (
    ENTRIES,
    ORIGIN_TIMEOUTS,
    UPSTREAM_TIMEOUTS,
    first_personality,
    on_lab_loop,
)
from labkit.origin import (
    BUSY_PATH,
    CACHE_MAX_AGE_RANGE,
    HOLD_MAX,
    RATE_LIMIT,
    RATE_LIMIT_RANGE,
    RATE_PATH,
    RATE_WINDOW,
)
from labkit.personalities import PERSONALITIES

if TYPE_CHECKING:
    import argparse

    from labkit.lab import Lab

Args = dict[str, Any]

ON_OFF = {"on": True, "off": False}  # a boolean parameter's words on the command line
ON_OFF_WORDS = {value: word for word, value in ON_OFF.items()}


@dataclass(frozen=True)
class Param:
    """One typed parameter of a switch: a JSON key in the control API, a word or flag in a shell."""

    name: str  # the key in the control API; ``--name-with-dashes`` when optional
    kind: type  # bool, int, float or str
    # what it means, in a few words (--help in English, the widgets' labels in the learner's
    # language): a Msg, whose str() is the English
    help: i18n.Text
    unit: str = ""  # "s" for seconds; shown in --help and the widgets' labels (errors.UNITS)
    minimum: float = 0
    maximum: float = 0
    choices: tuple[str, ...] = ()  # a str that must be one of these
    labels: tuple[i18n.Text, ...] = ()  # words for each choice, on the playgrounds' buttons
    # what each choice is, in the playground's language: listed above its drop-down, whose
    # options are the choices themselves, as Python and `labkit ctl` take them (in the options,
    # "rfc: the RFC reading (the lab's default)", as the label then read, was cut to "rfc: the RFC
    # reading (the lab…" in
    # a closed drop-down 320 px wide)
    titles: tuple[i18n.Text, ...] = ()
    optional: bool = False  # a --flag on the command line (else a positional word)
    default: Any = None  # an optional parameter left out means this
    nullable: bool = False  # None is allowed (on the command line: NONE_WORDS, or --no-NAME)
    none_means: i18n.Text = ""  # what None means, for messages ("unlimited")
    label: str = ""  # how messages name it, when not ``name`` (the Python attribute it sets)

    @property
    def what(self) -> str:
        return self.label or self.name

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def metavar(self) -> str:
        return "SECONDS" if self.unit == "s" else self.name.upper()

    @property
    def title(self) -> str:
        """Its visible name on a playground, with its unit."""
        return self.title_in(i18n.ENGLISH)

    def title_in(self, lang: str) -> str:
        """Its visible name on a playground, in ``lang``."""
        words = i18n.render(self.help, lang)
        if not self.unit:
            return words
        return Msg("{words} ({unit})", words=words, unit=unit_words(self.unit, lang)).render(lang)

    @property
    def units(self) -> str:
        """Its unit as messages name it (errors.UNITS): "s", as labels write it, is seconds."""
        return "seconds" if self.unit in ("", "s") else self.unit

    def check(
        self,
        value: object,
        *,
        named: str = "",
        lang: str | None = None,
        none_word: str = "None",
        or_else: str = "",
    ) -> Any:
        """The value if this parameter takes it, else BadArgument saying what is allowed, in
        ``lang`` (the asker's: a terminal's, a playground's; default the learner's).

        ``named``: how the message names it, when not ``what`` (a playground names the
        control the learner touched by its visible label, not by the Python attribute).
        ``none_word``: how the asker writes "no value" (None in Python, none in a shell).
        ``or_else``: what else the asker can do instead, as a refusal adds it, where it is not
        a word (a playground's box: ", or tick “unlimited”", its checkbox beside it).

        Every setter of a switch's value checks it here (the origin's ``capacity``,
        ``rate_limit`` and ``maintenance()``, ``load.sweep``, ``charts.load_curve``), so
        Python, `labkit ctl` and a playground take the same range and refuse it in the same
        words: the origin's own checks said ">= 0" with no maximum and took 10**9 requests
        at once, which `labkit ctl capacity` refused."""
        what = named or self.what
        lang = lang or i18n.learner_language()
        if value is None and self.nullable:
            return None
        unit = self.units
        if self.kind is bool:
            if not isinstance(value, bool):
                raise BadArgument(
                    Msg(
                        "{name} must be true or false (a JSON boolean), not {value}",
                        name=what,
                        value=shown(value),
                    ).render(lang)
                )
            return value
        if self.kind is int:
            # out of range in the same words as not whole: "between 0 and 100000 requests at
            # once" for -1 and "a whole number from 0 to 100000" for 1.5 read as two rules
            if not whole_in(value, self.minimum, self.maximum):
                none = or_else or self._or_none(none_word, lang)
                raise self._not_whole(what, shown(value), none, lang)
            return value
        if self.kind is float:
            return float(
                check_number(
                    what, value, minimum=self.minimum, maximum=self.maximum, unit=unit, lang=lang
                )
            )
        if self.choices:
            if not isinstance(value, str) or value not in self.choices:
                raise unknown(what, value, self.choices, lang=lang)
            return value
        if not isinstance(value, str):
            raise refuse(
                Msg(
                    "{name} must be {what}, not {given}",
                    name=what,
                    what=self.help,
                    given=shown(value),
                ),
                lang=lang,
            )
        return value

    def word(self, value: Any) -> str:
        """The value as the command line writes it."""
        if isinstance(value, bool):
            return ON_OFF_WORDS[value]
        if value is None:
            return NONE_WORDS[0]
        if isinstance(value, float):
            return f"{value:g}"
        return shlex.quote(str(value))

    def allowed(self, lang: str) -> Msg:
        """What a number parameter takes, as its refusals say it (``parse``): for a command
        line that left it out, which named only its name ("required: value")."""
        if self.kind is int:
            return Msg(
                "a whole number from {minimum} to {maximum}{none}",
                minimum=number(self.minimum),
                maximum=number(self.maximum),
                none=self._or_none(NONE_WORDS[0], lang),
            )
        return Msg(
            "a number of {unit} between {low} and {high}{none}",
            unit=unit_words(self.units, lang),
            low=number(self.minimum),
            high=number(self.maximum),
            none=self._or_none(NONE_WORDS[0], lang),
        )

    def _or_none(self, word: str, lang: str) -> str:
        """What a nullable parameter takes besides a number, as its refusals add it (", or
        none (unlimited)"; ``word`` as the asker writes it: None in Python); "" if not nullable."""
        if not self.nullable:
            return ""
        return Msg(", or {word} ({means})", word=word, means=self.none_means).render(lang)

    def _not_whole(self, what: str, typed: str, none: str, lang: str) -> BadArgument:
        """The refusal of what is not a whole number in an int parameter's range: both bounds
        and what else it takes (``none``, as the asker gives it), from the control API (check)
        as from a command line or a playground's box (parse). ">= 0" said nothing of how
        large, and `labkit ctl capacity -5` never learned the maximum."""
        return not_whole(
            what, typed, minimum=self.minimum, maximum=self.maximum, none=none, lang=lang
        )

    def parse(
        self, text: str, *, named: str = "", lang: str | None = None, or_else: str = ""
    ) -> Any:
        """A word typed by a learner (``labkit ctl``'s argument, a playground's number box) as
        this parameter's value, else BadArgument quoting it as typed and saying what is allowed
        (``or_else``: what else the asker can do, as ``check`` takes it; else, for a nullable
        parameter, its word, none).

        Full-width digits, signs and points from a Chinese or Japanese input method (１２, ０．５)
        are the same number (NFKC, as the exercises read answers); surrounding spaces are
        ignored. Anything else that is not written with the digits 0-9 is refused, as are
        ``nan`` and ``inf``; a number too large for a float (1e400) is quoted as typed,
        not as the ``inf`` it would become."""
        what = named or self.what
        if self.nullable and text.strip().lower() in NONE_WORDS:
            return None
        if self.kind not in (int, float):
            return text
        lang = lang or i18n.learner_language()
        word = unicodedata.normalize("NFKC", text).strip()
        typed = shown(text) if word else Msg("nothing (the value is empty)").render(lang)
        none = or_else or self._or_none(NONE_WORDS[0], lang)
        if self.kind is int:
            if not re.fullmatch(r"[0-9]+", word):  # -5, 1.5, nan, 1e400, "many"
                raise self._not_whole(what, typed, none, lang)
            return self.check(
                int(word), named=named, lang=lang, none_word=NONE_WORDS[0], or_else=or_else
            )
        low, high, unit = self.minimum, self.maximum, self.units
        if not re.fullmatch(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?", word):
            raise not_a_number(
                what, typed, minimum=low, maximum=high, unit=unit, none=none, lang=lang
            )
        value = float(word)
        # quoted as typed: 1e400 is too large to be a float at all, and 99999999999999999999
        # was refused as "not 1e+20", a number the learner never wrote
        if not math.isfinite(value) or not low <= value <= high:
            raise out_of_range(what, word, minimum=low, maximum=high, unit=unit, lang=lang)
        return self.check(value, named=named, lang=lang)


NONE_WORDS = ("none", "unlimited")


@dataclass(frozen=True)
class Switch:
    """One switch of the lab: its parameters, how it is applied, how it is now, and what reset
    puts back.

    ``apply(lab, args)`` gets every parameter checked (optional ones left out are their
    default) and returns the one line that confirms what changed. ``current(lab, pick)``
    reads it back as the arguments that, applied, leave it as it is now; the judges save
    every switch that way and put back what learner code changed (``save``, ``restore``),
    a per-playground value is undone that way, and the playgrounds' controls start from it.
    ``reset`` gives the arguments that put it back as a fresh lab has it (default: each
    parameter's default, for each of its settings).
    """

    name: str  # the command: `labkit ctl NAME ...`, the control API's /NAME
    help: str
    params: tuple[Param, ...]
    apply: Callable[[Lab, Args], Text]  # the line saying what changed, rendered by the caller
    # what `labkit ctl state` shows of it: a key, under which it shows its one parameter as
    # ``current`` reads it, where the two say the same thing; else a function of the lab, for
    # a state worded for a reader of its JSON, not as the command's arguments: a login or the
    # cache as a boolean (the command's words are actions), maintenance on or off (without
    # the Retry-After and max-age it was turned on with), every route's or server's timeouts
    # at once (``current`` reads one), the keys over the rate limit now (not a setting)
    state: str | Callable[[Lab], dict[str, Any]]
    # its arguments now, given those that pick one of its settings (a route, a server; {}:
    # their defaults). Every value the lab has, even one a control cannot show (an HTTP-date
    # Retry-After, a capacity set from Python above the playground box's maximum): ``put``
    # applies it back unchecked
    current: Callable[[Lab, Args], Args]
    # the arguments that pick each of its separate settings, when it has more than one (each
    # route's timeouts, each server's head timeout)
    each: Callable[[Lab], list[Args]] | None = None
    reset: Callable[[Lab], list[Args]] | None = None
    one_of: tuple[str, ...] = ()  # optional parameters of which at least one must be given
    apart: tuple[str, ...] = ()  # optional parameters of which at most one may be given
    playgrounds: tuple[str, ...] = ()  # the lessons whose playground shows its controls
    # on a playground, its value is that playground's own, for its own requests only (applied
    # around each, then the lab's put back, as ``current`` read it): a gateway personality
    # chosen there never outlives it
    per_playground: bool = False
    # for the playgrounds: one line saying how it is set now
    show: Callable[[Lab], Text] | None = None
    # the same line for a switch with one setting per fixed parameter (the timeout: per route),
    # given those parameters
    show_given: Callable[[Lab, Args], Text] | None = None
    # how a playground's lines name it, in the learner's language ("the slow upstream's
    # delay", 慢上游的延迟): the words its controls are labelled with, where ``name`` is the
    # command's word, which a playground never shows (`labkit ctl delay`)
    title: Text = ""
    # the line confirming it in a terminal (`labkit ctl`), once applied, where ``apply``'s
    # names what only a playground has (the hold's "or, from a terminal, ..."); None: apply's
    said_in_terminal: Callable[[Lab], Text] | None = None

    def title_in(self, lang: str) -> str:
        """Its name on a playground, in ``lang``: ``title``, else its first parameter's words."""
        return i18n.render(self.title or self.params[0].help, lang)

    def __post_init__(self) -> None:
        if isinstance(self.state, str) and len(self.params) != 1:
            raise TypeError(f"{self.name}: a state key names the value of its one parameter")

    def shown_state(self, lab: Lab) -> dict[str, Any]:
        """Its entries in `labkit ctl state`."""
        if isinstance(self.state, str):
            (param,) = self.params
            return {self.state: self.current(lab, {})[param.name]}
        return self.state(lab)

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise UnknownName(
            say(
                Msg(
                    "{switch} has no parameter {name}; choose one of: {choices}",
                    switch=self.name,
                    name=shown(name),
                    choices=Listed(p.name for p in self.params),
                )
            )
        )

    @property
    def required(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if not p.optional)

    def check(self, args: Mapping[str, Any], lang: str | None = None) -> Args:
        """Every argument checked before anything changes: a refused command changes nothing.
        Refused in ``lang``, the asker's (default: the learner's)."""
        names = {p.name for p in self.params}
        missing = [p.name for p in self.required if p.name not in args]
        extra = sorted(set(args) - names)
        if missing or extra:
            takes = Listed(p.name if not p.optional else f"[{p.name}]" for p in self.params)
            wrong = (
                Msg("missing {names}", names=Listed(missing))
                if missing
                else Msg("not {names}", names=Listed(extra))
            )
            raise refuse(
                Msg("{switch} takes {takes}; {wrong}", switch=self.name, takes=takes, wrong=wrong)
                if takes.items
                else Msg("{switch} takes no arguments; {wrong}", switch=self.name, wrong=wrong),
                lang=lang,
            )
        if self.one_of and all(args.get(name) is None for name in self.one_of):
            raise refuse(
                Msg(
                    "{switch} changes nothing: {give}",
                    switch=self.name,
                    give=_give(list(self.one_of)),
                ),
                lang=lang,
            )
        self.one_apart([name for name in self.apart if name in args], lang)
        return {
            p.name: p.check(args[p.name], lang=lang) if p.name in args else p.default
            for p in self.params
        }

    def one_apart(self, given: list[str], lang: str | None = None) -> None:
        """Refuse two of ``apart`` given at once, named as the asker gave them (``given``:
        the parameters from Python and the control API, the flags on a command line)."""
        if len(given) > 1:
            raise refuse(
                Msg(
                    "{switch} takes {first} or {second}, not both",
                    switch=self.name,
                    first=given[0],
                    second=given[1],
                ),
                lang=lang,
            )

    def picks(self, lab: Lab) -> list[Args]:
        """The arguments that pick each of its settings ([{}]: it has one)."""
        return self.each(lab) if self.each is not None else [{}]

    def reset_args(self, lab: Lab) -> list[Args]:
        if self.reset is not None:
            return self.reset(lab)
        defaults = {p.name: p.default for p in self.required}
        return [{**defaults, **pick} for pick in self.picks(lab)]

    def saved(self, lab: Lab) -> list[Args]:
        """Every one of its settings as ``current`` reads it: what ``put`` applies back."""
        return [self.current(lab, pick) for pick in self.picks(lab)]

    def put(self, lab: Lab, args: Args) -> Text:
        """Apply what ``current`` read, on the lab's loop thread (the caller is there).

        Unchecked: these are the lab's own values, which Python may have set in a form a
        command cannot write (a Retry-After date); any parameter left out is its default."""
        return self.apply(lab, {**{p.name: p.default for p in self.params}, **args})

    def words(self, args: Mapping[str, Any]) -> str:
        """The same change as shell words after `labkit ctl`: ``maintenance on --retry-after 30``."""
        checked = self.check(args)
        out = [self.name]
        for p in self.params:
            value = checked[p.name]
            if not p.optional:
                out.append(p.word(value))
            elif p.name in args:  # given explicitly: shown, even when it is the default
                out += [f"--no-{p.flag[2:]}"] if value is None else [p.flag, p.word(value)]
        return " ".join(out)


def _give(names: list[str]) -> Msg:
    """What to give when at least one of several options is needed."""
    if len(names) == 1:
        return Msg("give {name}", name=names[0])
    if len(names) == 2:
        return Msg("give {first}, {second} or both", first=names[0], second=names[1])
    return Msg("give at least one of {names}", names=Listed(names))


# -- how each switch is applied (always on the lab's loop thread) and how it reads now --


def _maintenance(lab: Lab, args: Args) -> Text:
    retry: Any = args["retry_after"]
    if args["retry_in"] is not None:
        retry = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=args["retry_in"])
    lab.origin.maintenance(args["on"], retry_after=retry, cache_max_age=args["cache_max_age"])
    return _maintenance_now(lab)


def _maintenance_now(lab: Lab) -> Text:
    settings = lab.origin.maintenance_settings
    if settings is None:
        return Msg("maintenance: off")
    retry = settings.get("retry_after")
    sends = f"Retry-After {retry}" if retry is not None else Msg("no Retry-After")
    line = Msg("maintenance: on, {sends}", sends=sends)
    if settings.get("cache_max_age") is not None:
        line = Msg(
            "{line}, Cache-Control max-age={age} (the caching mistake)",
            line=line,
            age=settings["cache_max_age"],
        )
    return line


def _maintenance_current(lab: Lab, _: Args) -> Args:
    """Its arguments now: a Retry-After date as the aware datetime it was made from."""
    settings = lab.origin.maintenance_settings
    if settings is None:
        return {"on": False}
    retry: Any = settings["retry_after"]
    if isinstance(retry, str):
        if retry.isdigit():
            retry = int(retry)
        else:  # an HTTP-date (RFC 9110 10.2.3), to the second as the lab made it
            import email.utils  # here: only a saved Retry-After date reads one

            retry = email.utils.parsedate_to_datetime(retry)
    return {"on": True, "retry_after": retry, "cache_max_age": settings["cache_max_age"]}


def _capacity(lab: Lab, args: Args) -> Text:
    lab.origin.capacity = args["value"]
    return _capacity_now(lab)


def _capacity_now(lab: Lab) -> Text:
    capacity = lab.origin.capacity
    if capacity is None:
        return Msg("capacity: unlimited")
    return Msg("capacity: {n} at once", n=capacity)


# the scenario that shows what a hold is for (scenarios.py; tests/test_widgets_lesson_503.py)
LOAD_SHEDDING = "503-load-shedding"


def _hold(lab: Lab, args: Args) -> Text:
    """The hold's line, and on turning it on what it is for: nothing on the 503 playground
    sends GET /busy, so the checkbox alone changed nothing a learner could see."""
    lab.origin.hold = args["on"]
    return _hold_said(lab, terminal=False)


def _hold_said(lab: Lab, *, terminal: bool) -> Text:
    """The hold's line once applied; turned on, what it is for, told as the asker sees it: a
    playground (or Python) is shown the scenario and, for a terminal, the commands to type;
    a terminal, the command that runs the scenario and its own steps. `labkit ctl hold on`
    said "or, from a terminal, give ..." to a learner at the terminal already."""
    if not lab.origin.hold:
        return _hold_now(lab)
    if terminal:
        return Msg(
            "{now}; each request held takes one of the origin's places, so once as many are "
            "held as its capacity the next request is shed (503): `labkit run {scenario}` "
            "shows it; or give the origin a capacity (labkit ctl capacity 1), send GET {path} "
            "in the background (curl ... &), then another request",
            now=_hold_now(lab),
            scenario=LOAD_SHEDDING,
            path=BUSY_PATH,
        )
    return Msg(
        "{now}; each request held takes one of the origin's places, so once as many are held "
        "as its capacity the next request is shed (503): the scenario {scenario} shows it; or, "
        "from a terminal, give the origin a capacity (labkit ctl capacity 1), send GET {path} in "
        "the background (curl ... &), then another request",
        now=_hold_now(lab),
        scenario=LOAD_SHEDDING,
        path=BUSY_PATH,
    )


def _hold_now(lab: Lab) -> Text:
    if lab.origin.hold:
        line = Msg(
            "hold: on (GET {path} waits until the hold is off, {most} s at most)",
            path=BUSY_PATH,
            most=f"{HOLD_MAX:g}",
        )
    else:
        line = Msg("hold: off (GET {path} answers at once; held requests go on)", path=BUSY_PATH)
    return line


def _debug(lab: Lab, args: Args) -> Text:
    lab.origin.debug = args["on"]
    return _debug_now(lab)


def _debug_now(lab: Lab) -> Text:
    # each state in its own words: "off (tracebacks in ...)" read as if off showed them
    if lab.origin.debug:
        return Msg("debug: on (tracebacks shown in the origin's 500 pages)")
    return Msg("debug: off (no tracebacks in the origin's 500 pages)")


def _rate_limit(lab: Lab, args: Args) -> Text:
    lab.origin.rate_limit = args["requests"]
    return Msg("{line}; every key's count forgotten", line=_rate_limit_now(lab))


def _rate_limit_now(lab: Lab) -> Text:
    n = lab.origin.rate_limit
    return Msg(
        "rate limit: {n} request to {path} in {window} s for each API key (more get 429)",
        plural="rate limit: {n} requests to {path} in {window} s for each API key (more get 429)",
        n=n,
        path=RATE_PATH,
        window=f"{RATE_WINDOW:g}",
    )


def _portal(lab: Lab, args: Args) -> Text:
    # as it was already: said so, and left as it is ("log in" while logged in said "portal:
    # logged in" as if it had just happened, and started the session's hour again)
    login = args["action"] == "login"
    if lab.portal.logged_in == login:
        return Msg("portal: already logged in") if login else Msg("portal: already logged out")
    lab.portal.login() if login else lab.portal.logout()
    return _portal_now(lab)


def _portal_now(lab: Lab) -> Text:
    if lab.portal.logged_in:
        return Msg("portal: logged in")
    return Msg("portal: logged out")


def _timeout(lab: Lab, args: Args) -> Text:
    route = lab.gateway.route(args["route"])
    if args["connect"] is not None:
        route.connect_timeout = args["connect"]
    if args["read"] is not None:
        route.read_timeout = args["read"]
    return _timeout_now(lab, args)


def _timeout_now(lab: Lab, given: Args) -> Text:
    route = lab.gateway.route(given.get("route", "/"))
    return Msg(
        "route {prefix}: connect timeout {connect} s, read timeout {read} s",
        prefix=route.prefix,
        connect=f"{route.connect_timeout:g}",
        read=f"{route.read_timeout:g}",
    )


def _timeout_reset(lab: Lab) -> list[Args]:
    out = []
    for route in lab.gateway.routes:
        timeouts = ORIGIN_TIMEOUTS if route.upstream == "origin" else UPSTREAM_TIMEOUTS
        out.append({"route": route.prefix, "connect": timeouts.connect, "read": timeouts.read})
    return out


def _timeout_current(lab: Lab, given: Args) -> Args:
    route = lab.gateway.route(given.get("route", "/"))
    return {"route": route.prefix, "connect": route.connect_timeout, "read": route.read_timeout}


def _server(lab: Lab, name: str) -> HTTPServer:
    server: HTTPServer = getattr(lab, name)  # one of ENTRIES: the origin, gateway or portal
    return server


def _head_timeout(lab: Lab, args: Args) -> Text:
    server = _server(lab, args["server"])
    server.head_timeout = args["seconds"]
    return Msg(  # a sentence names a server by its word (docs/i18n.md): 源服务器, not origin
        "{server}: a started request must arrive within {seconds} s",
        server=hop_words(args["server"]),
        seconds=f"{server.head_timeout:g}",
    )


def _head_timeout_current(lab: Lab, given: Args) -> Args:
    server = given.get("server", "origin")
    return {"server": server, "seconds": _server(lab, server).head_timeout}


def _head_timeout_now(lab: Lab) -> Text:
    each = Listed(
        Msg(
            "{server} {seconds} s",
            server=hop_words(name),
            seconds=f"{_server(lab, name).head_timeout:g}",
        )
        for name in ENTRIES
    )
    return Msg(
        "head timeout (then 408, or a close without a byte in the gateway's nginx and Caddy "
        "personalities): {each}",
        each=each,
    )


def _delay(lab: Lab, args: Args) -> Text:
    lab.upstreams["slow"].delay = args["seconds"]
    return _delay_now(lab)


def _delay_now(lab: Lab) -> Text:
    return Msg("slow upstream: answers after {delay} s", delay=f"{lab.upstreams['slow'].delay:g}")


def _personality(lab: Lab, args: Args) -> Text:
    lab.gateway.personality = args["name"]
    return _personality_now(lab)


def _personality_now(lab: Lab) -> Text:
    return Msg("gateway personality: {name}", name=lab.gateway.personality)


def _cache(lab: Lab, args: Args) -> Text:
    if args["action"] == "purge":
        n = lab.gateway.purge()
        return Msg(
            "gateway cache emptied: {n} entry", plural="gateway cache emptied: {n} entries", n=n
        )
    lab.gateway.cache_enabled = args["action"] == "on"
    return _cache_now(lab)


def _cache_now(lab: Lab) -> Text:
    if lab.gateway.cache_enabled:
        return Msg("gateway cache: on (fresh responses are stored and served again)")
    return Msg("gateway cache: off (every request goes to the upstream)")


YEAR = 31_536_000  # seconds: the furthest Retry-After the lab sends
SECONDS = "s"

# Required parameters are positional words on the command line, optional ones --flags.
SWITCHES: dict[str, Switch] = {
    s.name: s
    for s in (
        Switch(
            "maintenance",
            "origin maintenance mode (503)",
            title=Msg("maintenance", context="switch"),
            params=(
                Param("on", bool, Msg("maintenance: the origin answers 503"), default=False),
                Param(
                    "retry_after",
                    int,
                    "Retry-After",
                    SECONDS,
                    maximum=YEAR,
                    default=120,
                    optional=True,
                    nullable=True,
                    none_means=Msg("no Retry-After"),
                ),
                Param(
                    "retry_in",
                    int,
                    Msg("Retry-After as an HTTP-date this far ahead"),
                    SECONDS,
                    maximum=YEAR,
                    optional=True,
                ),
                Param(
                    "cache_max_age",
                    int,
                    Msg("the caching mistake: max-age on the 503"),
                    SECONDS,
                    minimum=CACHE_MAX_AGE_RANGE[0],  # the origin's own range (origin.py)
                    maximum=CACHE_MAX_AGE_RANGE[1],
                    optional=True,
                    nullable=True,
                    none_means=Msg("no-store, not cached"),
                ),
            ),
            apart=("retry_after", "retry_in"),
            apply=_maintenance,
            state=lambda lab: {"maintenance": lab.origin.in_maintenance},
            playgrounds=("503",),
            current=_maintenance_current,
            show=_maintenance_now,
        ),
        Switch(
            "capacity",
            "requests the origin serves at once (more get 503)",
            params=(
                Param(
                    "value",
                    int,
                    Msg("capacity"),
                    "requests at once",
                    maximum=CAPACITY_MAX,
                    nullable=True,
                    none_means=Msg("unlimited"),
                    label="capacity",
                ),
            ),
            apply=_capacity,
            state="capacity",
            playgrounds=("503",),
            per_playground=True,
            current=lambda lab, _: {"value": lab.origin.capacity},
            show=_capacity_now,
        ),
        Switch(
            "hold",
            f"hold the origin's GET {BUSY_PATH} requests ({HOLD_MAX:g} s at most)",
            title=Msg("hold", context="switch"),
            params=(
                Param(
                    "on",
                    bool,
                    Msg("hold: GET {path} waits until released", path=BUSY_PATH),
                    default=False,
                ),
            ),
            apply=_hold,
            said_in_terminal=partial(_hold_said, terminal=True),
            state="hold",
            playgrounds=("503",),
            current=lambda lab, _: {"on": lab.origin.hold},
            show=_hold_now,
        ),
        Switch(
            "debug",
            "show tracebacks in the origin's 500 pages",
            title=Msg("debug", context="switch"),
            params=(Param("on", bool, Msg("debug: show tracebacks in 500 pages"), default=False),),
            apply=_debug,
            state="debug",
            playgrounds=("500",),
            current=lambda lab, _: {"on": lab.origin.debug},
            show=_debug_now,
        ),
        Switch(
            "rate-limit",
            "the quote API's limit per API key (more get 429)",
            title=Msg("rate limit", context="switch"),
            params=(
                Param(
                    "requests",
                    int,
                    Msg(
                        "the rate limit for each API key, in {window} s", window=f"{RATE_WINDOW:g}"
                    ),
                    "requests",
                    minimum=RATE_LIMIT_RANGE[0],  # the setter's own range (origin.py)
                    maximum=RATE_LIMIT_RANGE[1],
                    default=RATE_LIMIT,
                    label="rate_limit",
                ),
            ),
            apply=_rate_limit,
            state=lambda lab: {
                "rate_limit": lab.origin.rate_limit,
                "rate_limited_keys": lab.origin.rate_limited_keys,
            },
            playgrounds=("503",),
            current=lambda lab, _: {"requests": lab.origin.rate_limit},
            show=_rate_limit_now,
        ),
        Switch(
            "portal",
            "log in to or out of the captive portal",
            title=Msg("portal login", context="switch"),
            params=(
                Param(
                    "action",
                    str,
                    Msg("log in or out"),
                    choices=("login", "logout"),
                    labels=(Msg("log in"), Msg("log out")),
                    default="logout",
                    label="portal action",
                ),
            ),
            apply=_portal,
            state=lambda lab: {"portal_logged_in": lab.portal.logged_in},
            current=lambda lab, _: {"action": "login" if lab.portal.logged_in else "logout"},
            playgrounds=("511",),
            show=_portal_now,
        ),
        Switch(
            "timeout",
            "a gateway route's timeouts",
            title=Msg("gateway timeouts", context="switch"),
            params=(
                Param(
                    "route",
                    str,
                    Msg("the route's prefix ('/', '/up/slow/') or upstream name"),
                    default="/",
                ),
                Param(
                    "connect",
                    float,
                    Msg("gateway connect timeout"),
                    SECONDS,
                    minimum=0.01,
                    maximum=60,
                    optional=True,
                    label="connect_timeout",
                ),
                Param(
                    "read",
                    float,
                    Msg("gateway read timeout"),
                    SECONDS,
                    minimum=0.01,
                    maximum=60,
                    optional=True,
                    label="read_timeout",
                ),
            ),
            apply=_timeout,
            state=lambda lab: {
                "routes": {
                    r.prefix: {"connect": r.connect_timeout, "read": r.read_timeout}
                    for r in lab.gateway.routes
                }
            },
            each=lambda lab: [{"route": route.prefix} for route in lab.gateway.routes],
            reset=_timeout_reset,
            one_of=("connect", "read"),
            playgrounds=("504",),
            current=_timeout_current,
            show_given=_timeout_now,
        ),
        Switch(
            "head-timeout",
            "how long a started request may take (then 408, or a close)",
            params=(
                Param(
                    "server",
                    str,
                    Msg("the server that waits"),
                    choices=ENTRIES,
                    default="origin",
                ),
                Param(
                    "seconds",
                    float,
                    Msg("the request head's time to arrive"),
                    SECONDS,
                    minimum=HEAD_TIMEOUT_RANGE[0],  # the setter's own range (http/server.py)
                    maximum=HEAD_TIMEOUT_RANGE[1],
                    default=HEAD_TIMEOUT,
                    label="head_timeout",
                ),
            ),
            apply=_head_timeout,
            state=lambda lab: {
                "head_timeouts": {name: _server(lab, name).head_timeout for name in ENTRIES}
            },
            each=lambda lab: [{"server": name} for name in ENTRIES],
            playgrounds=("504",),
            current=_head_timeout_current,
            show=_head_timeout_now,
        ),
        Switch(
            "delay",
            "how long the 'slow' upstream waits before answering",
            params=(
                Param(
                    "seconds",
                    float,
                    Msg("the slow upstream's delay"),
                    SECONDS,
                    minimum=Slow.DELAY.minimum,  # the knob's own range and default (faults.py)
                    maximum=Slow.DELAY.maximum,
                    default=Slow.DELAY.default,
                    label=Slow.DELAY.name,
                ),
            ),
            apply=_delay,
            state="slow_delay",
            playgrounds=("504",),
            current=lambda lab, _: {"seconds": lab.upstreams["slow"].delay},
            show=_delay_now,
        ),
        Switch(
            "personality",
            "behave like another gateway: statuses, pages, relayed headers",
            title=Msg("gateway personality", context="switch"),
            params=(
                Param(
                    "name",
                    str,
                    Msg("the gateway behaves like"),
                    choices=tuple(PERSONALITIES),
                    titles=tuple(p.label for p in PERSONALITIES.values()),
                    default="rfc",
                    label="personality",
                ),
            ),
            apply=_personality,
            state="gateway_personality",
            reset=lambda lab: [{"name": first_personality(lab)}],
            playgrounds=("502",),
            per_playground=True,
            current=lambda lab, _: {"name": lab.gateway.personality},
            show=_personality_now,
        ),
        Switch(
            "cache",
            "the gateway's cache: on, off, or purge it",
            title=Msg("gateway cache", context="switch"),
            params=(
                Param(
                    "action",
                    str,
                    Msg("on, off, or purge (empty it)"),
                    choices=("on", "off", "purge"),
                    labels=(
                        Msg("turn the gateway cache on"),
                        Msg("turn the gateway cache off"),
                        Msg("purge the gateway cache"),
                    ),
                    default="on",
                    label="cache action",
                ),
            ),
            apply=_cache,
            state=lambda lab: {"cache": lab.gateway.cache_enabled},
            current=lambda lab, _: {"action": "on" if lab.gateway.cache_enabled else "off"},
            reset=lambda lab: [{"action": "purge"}, {"action": "on"}],
            playgrounds=("503",),
            show=_cache_now,
        ),
    )
}
# `labkit ctl wait-busy COUNT` and the control API's /wait-busy: as many requests in flight as
# the origin may ever take at once
WAIT_COUNT = Param("count", int, "count", "requests", maximum=CAPACITY_MAX)

# the capacity switch's parameter without None: load.sweep() and charts.load_curve() hold a
# capacity (the chart draws it) and take the range `labkit ctl capacity` takes, in its words
FIXED_CAPACITY = dataclasses.replace(SWITCHES["capacity"].param("value"), nullable=False)


def title_of(name: str, lang: str) -> str:
    """A setting's name as a playground's line says it, in ``lang``: a switch by its title
    (the timeout switch, 网关的超时设置), any other setting (``others``: ``order_handler``,
    ``slow.delay``) by the name Python sets it by."""
    return SWITCHES[name].title_in(lang) if name in SWITCHES else name


def get(name: str) -> Switch:
    if not isinstance(name, str) or name not in SWITCHES:
        raise unknown("switch", name, SWITCHES)
    return SWITCHES[name]


def apply(
    lab: Lab,
    name: str,
    args: Mapping[str, Any] | None = None,
    lang: str | None = None,
    *,
    terminal: bool = False,
) -> str:
    """Check the arguments, apply one switch on the lab's loop thread; the line saying what
    changed, in ``lang`` (the terminal's for `labkit ctl`, a playground's; default the lab's),
    worded for a terminal when ``terminal`` (``Switch.said_in_terminal``)."""
    switch = get(name)
    checked = switch.check(args or {}, lang or lab.lang)
    if "route" in checked:  # a route the lab lacks, refused in the asker's language too
        lab.gateway.route(checked["route"], lang=lang or lab.lang)
    said = switch.said_in_terminal if terminal else None

    def change() -> Text:
        line = switch.apply(lab, checked)
        return said(lab) if said is not None else line

    return i18n.render(on_lab_loop(lab, change), lang or lab.lang)


def reset(lab: Lab) -> None:
    """Every switch back to its declared default, and every other setting (``others``) to
    its own, on the lab's loop thread: ``lab.reset()``, ``labkit ctl reset``."""
    other = others(lab)

    def everything() -> None:
        for switch in SWITCHES.values():
            for args in switch.reset_args(lab):
                switch.apply(lab, switch.check(args))
        for setting in other.values():
            setting.write(setting.default)
        for route in lab.gateway.routes:  # the lab's own timeouts again, not a learner's
            route.timeouts_changed = False

    on_lab_loop(lab, everything)


# -- every setting of the lab, saved and put back (the judges) --


@dataclass(frozen=True)
class Other:
    """A setting of the lab that code can change and that is not a switch (``others``)."""

    read: Callable[[], Any]
    write: Callable[[Any], None]  # on the lab's loop thread (its setter hops there anyway)
    default: Any  # what ``reset`` puts back


def others(lab: Lab) -> dict[str, Other]:
    """The lab's settings that are not switches, each for a reason:

    - ``order_handler``, the origin's answer to GET /orders/ID (lesson 01): a Python
      function the learner wrote, which no command-line word or control can give;
    - each fault upstream's knobs (``slow.delay``), declared with its kind in faults.py
      (``Knob``: unit, range, default), so that adding a kind of fault stays one class and
      one entry ("Add a kind of fault"); the one a lesson turns, the slow upstream's delay,
      is also the ``delay`` switch.

    ``save``/``restore`` keep them with the switches, and ``reset`` puts back their defaults.
    """
    origin = lab.origin
    out = {
        "order_handler": Other(
            partial(getattr, origin, "order_handler"),
            partial(setattr, origin, "order_handler"),
            None,
        )
    }
    for name, upstream in lab.upstreams.items():
        for knob in upstream.fault.knobs:
            out[f"{name}.{knob.name}"] = Other(
                partial(getattr, upstream, knob.name),
                partial(setattr, upstream, knob.name),
                knob.default,
            )
    return out


Saved = dict[str, Any]  # a setting's name -> its value (a switch's: ``Switch.saved``)


def save(lab: Lab, names: Iterable[str] | None = None) -> Saved:
    """Every setting of the lab as it is now (or those ``names``): each switch as its
    ``current`` reads it, and each of ``others``. A judge saves them all before it runs and
    ``restore``s them after, so that learner code that switched maintenance on does not
    leave the learner's lab answering 503; a playground, the switches it sets around its
    own requests."""
    other = others(lab)
    wanted = [*SWITCHES, *other] if names is None else names
    return {
        name: other[name].read() if name in other else SWITCHES[name].saved(lab) for name in wanted
    }


def restore(lab: Lab, saved: Saved) -> list[str]:
    """Put back every setting that is no longer as ``saved`` (in one turn of the lab's loop
    thread); the names of those put back. A cache emptied stays empty."""
    other = others(lab)
    # a switch or an upstream gone since (a test's switch removed again) is not put back
    now = save(lab, [name for name in saved if name in SWITCHES or name in other])
    changed = [name for name, value in now.items() if saved[name] != value]

    def put_back() -> None:
        for name in changed:
            if name in other:
                other[name].write(saved[name])
            else:
                for args in saved[name]:
                    SWITCHES[name].put(lab, args)

    if changed:
        on_lab_loop(lab, put_back)
    return changed


def state(lab: Lab) -> dict[str, Any]:
    """Every switch as `labkit ctl state` shows it."""
    out: dict[str, Any] = {}
    for switch in SWITCHES.values():
        out.update(switch.shown_state(lab))
    return out


def for_playground(lesson: str) -> Iterator[Switch]:
    return (s for s in SWITCHES.values() if lesson in s.playgrounds)


# -- the command line: `labkit ctl NAME ...` for every switch --


def add_parsers(sub: argparse._SubParsersAction[Any]) -> None:
    """One `labkit ctl` subcommand per switch, its arguments and help from the table."""
    import argparse

    for switch in SWITCHES.values():
        p = sub.add_parser(switch.name, help=switch.help, description=switch.help)
        for param in switch.params:
            kwargs: dict[str, Any] = {"help": _help(param)}
            if param.kind is bool:
                kwargs["choices"] = list(ON_OFF)
                kwargs["type"] = str.lower
                if not param.optional:  # named by its words: "required: on|off", not "on"
                    kwargs["metavar"] = "|".join(ON_OFF)
            elif param.choices:  # words in any case, as the API takes them (`HAProxy`)
                kwargs["choices"] = list(param.choices)
                kwargs["type"] = str.lower
            else:
                # a refused value is named by what the learner typed: the switch for a
                # positional word, the flag for an option (`labkit ctl rate-limit off` said
                # "rate_limit must be ...", the Python attribute, until December 2026)
                typed = param.flag if param.optional else switch.name
                kwargs["type"] = _parser_type(param, argparse.ArgumentTypeError, typed)
            if not param.optional:
                p.add_argument(param.name, **kwargs)
                continue
            p.add_argument(param.flag, dest=param.name, metavar=param.metavar, **kwargs)
            if param.nullable and param.default is not None:  # else leaving it out is None
                p.add_argument(
                    f"--no-{param.flag[2:]}",
                    dest=param.name,
                    action="store_const",
                    const=_NONE,
                    help=f"send no {param.help} at all",
                )


_NONE = object()  # `--no-NAME`: the parameter given as None (left out means its default)


class ParamType:
    """argparse's type for a parameter: the word parsed and refused as ``Param.parse`` does,
    named ``named``, in the language ``lang()`` gives (None: the learner's). It keeps the
    parameter, so that a command line that leaves a number out is told the range it takes
    (`labkit ctl capacity` named only "value")."""

    def __init__(
        self,
        param: Param,
        error: type[Exception],
        named: str,
        lang: Callable[[], str | None] = lambda: None,
    ) -> None:
        self.param, self.error, self.named, self.lang = param, error, named, lang
        self.__name__ = param.name  # argparse names the argument by its metavar, not this

    def __call__(self, text: str) -> Any:
        try:
            return self.param.parse(text, named=self.named, lang=self.lang())
        except BadArgument as exc:
            raise self.error(str(exc)) from None


def _parser_type(param: Param, error: type[Exception], named: str) -> ParamType:
    return ParamType(param, error, named)


def _help(param: Param) -> str:
    if param.kind not in (int, float):
        return str(param.help)
    unit = "seconds" if param.unit == "s" else param.unit
    text = f"{param.help} ({unit}, {number(param.minimum)} to {number(param.maximum)}"
    if param.nullable and not param.optional:
        text += f"; 'none': {param.none_means}"
    return text + (f"; default {number(param.default)})" if param.default is not None else ")")


def from_cli(name: str, namespace: argparse.Namespace) -> Args:
    """The control API's arguments for `labkit ctl NAME ...` as argparse read them."""
    switch = get(name)
    args: Args = {}
    for param in switch.params:
        value = getattr(namespace, param.name)
        if param.kind is bool:
            value = ON_OFF[value]
        if param.optional and value is None:
            continue  # left out: its default
        args[param.name] = None if value is _NONE else value
    if switch.one_of and all(args.get(n) is None for n in switch.one_of):
        flags = [f"{switch.param(n).flag} {switch.param(n).metavar}" for n in switch.one_of]
        raise refuse(_give(flags))
    # refused here, by the flags typed, before a lab is chosen: the lab said "maintenance
    # takes retry_after or retry_in", the Python names, after a note on which lab it was
    switch.one_apart([_typed(switch.param(n), args[n]) for n in switch.apart if n in args])
    return args


def _typed(param: Param, value: object) -> str:
    """The flag that gave ``value``, as typed: ``--no-retry-after`` for None."""
    return f"--no-{param.flag[2:]}" if value is None else param.flag


@dataclass(frozen=True)
class Setting:
    """A switch set to given values, and how to put it back: a scenario's step.

    Its shell words come from the table, so `labkit ctl` and ``apply`` cannot disagree.
    """

    name: str
    args: Args = field(default_factory=dict)
    undo_args: Args | None = None  # None: the switch's required parameters at their defaults

    def apply(self, lab: Lab) -> str:
        return apply(lab, self.name, self.args)

    def undo(self, lab: Lab) -> str:
        return apply(lab, self.name, self._undo)

    @property
    def _undo(self) -> Args:
        if self.undo_args is not None:
            return self.undo_args
        return {p.name: p.default for p in get(self.name).required}

    @property
    def cli(self) -> str:
        return get(self.name).words(self.args)

    @property
    def undo_cli(self) -> str:
        return get(self.name).words(self._undo)
