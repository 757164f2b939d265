"""ipywidgets panels for the lessons: thin layout over plain functions.

Every button calls a function from labkit (scenarios, lab switches, load, inspect)
that works and is tested without a browser; results are shown by setting widget
values (no prints), and an error in a callback is shown in the panel, never lost.
Tests drive these with ``button.click()`` and by setting ``.value``.

What a learner can rely on in every panel:

* ``status``: one line saying what the last action did (a polite live region, so a
  screen reader announces it); ``message``: an error, if the last action failed
  (an assertive one). Exactly one of them speaks after each action. Both are
  :class:`~labkit.widgets.live.LiveRegion` s, drawn once and then only given new text,
  since a live region that is replaced with its words already in it is not announced.
* every switch says its current value in words; the inspector (and the 504
  timeline) always shows the last action's result, or says why it is empty.
* controls are native form elements with a visible name (checkboxes, number
  boxes, drop-downs, a quiz's radio buttons), so their state reaches the
  accessibility tree and the keyboard works; colours come from JupyterLab's
  theme variables.
"""

from __future__ import annotations

import contextlib
import functools
import html
import re
import urllib.parse
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import ipywidgets as w
import traitlets

from labkit import i18n, load, personalities, scenarios, switches
from labkit.errors import BadArgument, Interrupted, LabkitError, refuse, shown, unknown
from labkit.errors import number as number_words
from labkit.exchange import Exchange
from labkit.exercises.core import Asker
from labkit.http.headend import first_line
from labkit.http.pages import hop_words
from labkit.http.requestcheck import AUTHORITY_FORM
from labkit.i18n import Listed, Msg, Text
from labkit.lab import CLIENT_TIMEOUT, ORIGIN_TIMEOUTS, Lab, check_lab, running_labs
from labkit.origin import RATE_PATH
from labkit.render import html as render_html
from labkit.render.palette import JP_BORDER
from labkit.render.svg import Picture
from labkit.widgets.keys import ArrowKeys
from labkit.widgets.live import LiveRegion
from labkit.widgets.number import NumberBox, told_again
from labkit.widgets.oneof import OneOf
from labkit.widgets.press import FromBrowser, Press, said_where_made
from labkit.widgets.progress import Progress

__all__ = ["GatewaysCompared", "Inspector", "OneOf", "Playground", "Quiz"]

KEYBOARD_HINT = Msg(
    "Keyboard: Tab moves between controls; on a drop-down list ↑/↓ choose, and Space or "
    "Alt+↓ opens it."
)


def _hint(text: i18n.Text, lang: str) -> w.HTML:
    """A line of help under a panel, in the panel's language."""
    return w.HTML(f"<p class='labkit-hint'>{html.escape(i18n.render(text, lang))}</p>")


def _chosen_whole(choice: w.Dropdown) -> w.HTML:
    """A line that says the chosen words of ``choice`` whole, under it, and follows it: a
    drop-down list cuts them to its width (at 320 px, "502-garbage: Upstream ans"), and only
    opening it showed the rest. Hidden from screen readers, which read the list's value whole."""
    line = w.HTML()

    def show(_: object = None) -> None:
        label = next((str(k) for k, v in choice.options if v == choice.value), "")
        line.value = f'<div aria-hidden="true"><b>{html.escape(label)}</b></div>'

    show()
    choice.observe(show, names="value")
    return line


class Inspector(w.VBox):
    """Tabs for one exchange: summary, headers (explained), body, raw bytes per hop, picture;
    in ``lang`` (default: the learner's language)."""

    TITLES = (Msg("Summary"), Msg("Headers"), Msg("Body"), Msg("Raw bytes"), Msg("Picture"))
    EMPTY = Msg("Nothing sent yet: run a scenario.")

    def __init__(self, lang: str | None = None) -> None:
        # checked: Inspector(lab) raised AttributeError from the catalogue's reader
        self.lang = i18n.learner_language() if lang is None else i18n.check_language(lang)
        self.summary = w.HTML()
        self.headers = w.HTML()
        self.body = w.HTML()
        self.raw = w.HTML()
        self.picture = w.HTML()
        self.tabs = w.Tab(children=[self.summary, self.headers, self.body, self.raw, self.picture])
        for i, title in enumerate(self.TITLES):
            self.tabs.set_title(i, title.render(self.lang))
        self.exchange: Exchange | None = None
        super().__init__([self.tabs])
        self.clear(self.EMPTY)

    @property
    def _tabs(self) -> tuple[w.HTML, ...]:
        return (self.summary, self.headers, self.body, self.raw, self.picture)

    def _fill(self, tab: w.HTML, content: str) -> None:
        """Put ``content`` in ``tab`` as the tab panel it is, named by its tab's title.

        ipywidgets' Tab gives its tabs role=tab but their contents no role: a screen reader
        heard "Headers, tab, selected", then the headers as text with nothing tying them to
        the tab (Chromium's accessibility tree); the WAI-ARIA tabs pattern asks for a tabpanel named by it."""
        title = self.TITLES[self._tabs.index(tab)].render(self.lang)
        tab.value = f'<div role="tabpanel" aria-label="{html.escape(title)}">{content}</div>'

    def clear(self, why: i18n.Text) -> None:
        """Empty every tab and say why, so no earlier result passes for the last one."""
        self.exchange = None
        note = render_html.note(i18n.render(why, self.lang))
        for tab in self._tabs:
            self._fill(tab, note)

    def show(self, ex: Exchange) -> None:
        self.exchange = ex
        lang = self.lang
        self._fill(self.summary, render_html.summary_html(ex, lang))
        self._fill(self.headers, render_html.headers_html(ex, lang))
        self._fill(self.body, render_html.body_html(ex.text, lang))
        self._fill(self.raw, render_html.raw_html(ex, lang))
        self._fill(self.picture, Picture(ex, lang)._repr_html_())


# what a playground says of its stopped lab once another runs (the start cell ran again, which
# stops the lab before: labkit.kernel): errors.STOPPED's first step, the start cell, is done
STOPPED_REPLACED = Msg(
    "this playground's lab has been stopped and a new one started since: run this "
    "playground's cell again"
)


class _Panel(w.VBox):
    """A panel whose callbacks say what they did in ``status``, or what failed in ``message``."""

    lang: str = i18n.ENGLISH  # the panel's language: its lab's, else the learner's

    def _init_panel(self, lang: str) -> None:
        self.lang = lang
        self.status = LiveRegion("status")
        self.message = LiveRegion("alert")
        # the panel's style, and the arrow keys its drop-down lists need (keys.py)
        self._style = w.Box(
            [w.HTML(render_html.PANEL_STYLE), ArrowKeys()],
            layout=w.Layout(display="none"),
        )
        self.add_class("labkit-panel")

    # A value typed into one of the panel's boxes and refused, until the panel says anything
    # else: a box hands its words over when it loses focus, so a click on a button right
    # after typing refuses them and then presses the button, which used the value the box
    # shows again (0.5 s where 2.5 was typed) and said its result over the refusal.
    _refused: str = ""

    def _say(self, text: i18n.Text) -> None:
        """The result of the last action, in one line (the panel's polite live region)."""
        self._refused = ""
        self.status.say(i18n.render(text, self.lang))

    def _safe(self, fn: Callable[..., Any], *, typed: bool = False) -> Callable[..., None]:
        """``fn`` as a widget callback whose failure is said in the panel's alert; ``typed``:
        it takes a value typed into a box, so its failure is also a refusal (``refuse``)."""

        def handler(*args: Any) -> None:
            self.message.value = ""
            try:
                fn(*args)
            # shown to the learner, not lost in a log; Kernel > Interrupt too (it left the
            # panel as it was, the button pressed and nothing said, and IPython's traceback in
            # the log console, which a learner does not have open)
            except (Exception, KeyboardInterrupt) as exc:
                self.status.value = ""
                self._failed()
                if isinstance(exc, LabkitError) and self._replaced():  # a stopped lab's error
                    exc = LabkitError(STOPPED_REPLACED.render(self.lang))
                line = failure_line(exc, self.lang)
                if typed and isinstance(exc, BadArgument):
                    self._refused = line
                self.message.say(line)

        return handler

    def _pressed_as_refused(self, button: str) -> bool:
        """True when a box refused what was typed since the panel last said anything: the
        button pressed then does nothing yet, and the alert keeps the refusal and says so
        (pressed again, it goes ahead with what the boxes show)."""
        if not self._refused:
            return False
        refused, self._refused = self._refused, ""
        self.message.say(
            Msg(
                "{refused} {button} was not done, so that you read this first: press it "
                "again to go ahead with the values the boxes show.",
                refused=refused,
                button=button,
            ).render(self.lang)
        )
        return True

    def _failed(self) -> None:
        """Called when an action raised: clear whatever would pass for its result."""

    def _replaced(self) -> bool:
        """Its lab stopped and another runs in this kernel: the lesson's start cell ran again
        (labkit.kernel stops the lab before), so STOPPED's "run the cell that starts it"
        is done and only this playground's cell is left to run."""
        lab = getattr(self, "lab", None)
        return (
            isinstance(lab, Lab)
            and not lab.running
            and any(other is not lab for other in running_labs())
        )

    def refuse(self, exc: BadArgument) -> None:
        """A number box refused what was typed (it shows the last good value again): say why."""
        self.status.value = ""
        self._failed()
        self._refused = failure_line(exc, self.lang)
        self.message.say(self._refused)


def failure_line(exc: BaseException, lang: str = i18n.ENGLISH) -> str:
    """What a panel's alert says when an action failed: labkit's own errors (a value refused,
    a stopped lab) in their one plain line, which names the control and what is allowed; no
    exception class a learner has not met. Anything else is a fault in labkit, said as such."""
    if isinstance(exc, KeyboardInterrupt) and not isinstance(exc, Interrupted):
        exc = Interrupted(Msg("this action"), lang)  # stopped between requests
    if isinstance(exc, (LabkitError, Interrupted)):
        text = str(exc)
        if lang == i18n.ENGLISH:  # a sentence starts with a capital there, and only there:
            # a Chinese line that starts with a name kept as written ("host:port ...", "path
            # ...") read "Host:port", a header's name, until December 2026
            text = text[:1].upper() + text[1:]
        return sentence(text, lang)
    unexpected = Msg(
        "labkit failed unexpectedly ({error}); please report it",
        error=f"{type(exc).__name__}: {exc}",
    )
    return sentence(unexpected.render(lang), lang)


SENTENCE_ENDS = (".", "。", "?", "？", "!", "！")


def sentence(line: str, lang: str = i18n.ENGLISH) -> str:
    """``line`` ended as a sentence, as every line a panel says is: an error's own words
    (labkit's messages, shared with ``labkit ctl`` and tracebacks, end without one) got no
    full stop where every status line had one."""
    return line if line.endswith(SENTENCE_ENDS) else Msg("{line}.", line=line).render(lang)


def _check_method(method: str, lang: str = i18n.ENGLISH) -> str:
    """The method typed, if it is a token (RFC 9110 9.1, 5.6.2), as the refusal says: it said
    "one word of letters", while M-SEARCH and digits are a token's too, and are sent."""
    if not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", method or ""):
        raise BadArgument(
            Msg(
                "the method must be one word without spaces, like GET or BREW: letters, digits "
                "and {symbols} (a token, RFC 9110 9.1, 5.6.2), not {typed}",
                symbols="!#$%&'*+-.^_`|~",
                typed=shown(method),
            ).render(lang)
        )
    return method


def _check_target(path: str, lang: str = i18n.ENGLISH, method: str = "GET") -> str:
    if re.fullmatch(r"/[^\x00-\x20\x7f]*", path or "") and not path.isascii():
        # '/ünï' was told it must "start with '/' and hold no spaces or control characters",
        # which it does: a request line is ASCII, the rest is percent-encoded (RFC 3986 2.1)
        raise BadArgument(
            Msg(
                "a request line is ASCII: percent-encode the path's other characters as a "
                "browser does, {encoded} for {typed} (RFC 3986 2.1)",
                typed=shown(path),
                encoded=shown(urllib.parse.quote(path, safe="/?#[]@!$&'()*+,;=:%~")),
            ).render(lang)
        )
    # the request-target forms a server reads (RFC 9112 3.2): a path ('/orders/7'), '*' for
    # the server as a whole (3.2.4) and host:port for a tunnel (3.2.3), sent as typed, so that
    # the servers' own answers teach them: OPTIONS * is 204 with Allow, CONNECT example.com:443
    # 501 (RFC 9110 9.3.6), GET * 400. 'OPTIONS *' was refused with "must start with '/'"
    # until December 2026. host:port with another method is refused here: the lab's servers
    # would look for a resource called so (404), where nginx answers 400.
    if path == "*":
        return path
    if AUTHORITY_FORM.match(path or ""):
        if method != "CONNECT":
            raise BadArgument(
                Msg(
                    "only CONNECT takes host:port (authority-form) as its target (RFC 9112 "
                    "3.2.3): choose CONNECT to send {typed}, or a path such as '/orders/7'",
                    typed=shown(path),
                ).render(lang)
            )
        return path
    if not re.fullmatch(r"/[\x21-\x7e]*", path or ""):
        raise BadArgument(
            Msg(
                "the target must be a path such as '/orders/7', '*' (OPTIONS, RFC 9112 3.2.4) "
                "or host:port (CONNECT, 3.2.3), with no spaces or control characters, not {typed}",
                typed=shown(path),
            ).render(lang)
        )
    return path


class Playground(_Panel):
    """A lesson's scenarios, a button to run one, the lesson's switches, and the inspector,
    in its lab's language (``labkit.start(lang=...)``)."""

    RUN = Msg("Run scenario")

    def __init__(self, lab: Lab, lesson: str) -> None:
        check_lab(lab)
        if not isinstance(lesson, str) or lesson not in scenarios.LESSONS:
            raise unknown("lesson", lesson, scenarios.LESSONS)
        self._init_panel(lab.lang)
        self.lab = lab
        self.lesson = lesson
        choices = scenarios.for_lesson(lesson)
        self.scenario = w.Dropdown(
            options=[
                (Msg("{label}: {text}", label=s.id, text=s.title).render(self.lang), s.id)
                for s in choices
            ],
            description=Msg("Scenario").render(self.lang),
            layout=w.Layout(width="95%"),
            style={"description_width": "initial"},
        )
        self.chosen = _chosen_whole(self.scenario)
        self.cause = w.HTML()
        # Run carries the scenario the list showed when it was pressed (a Press, as lesson 02's
        # Send): the list's own update can come after the press (jupyter-widgets/ipywidgets#1382)
        self.run_button = Press(
            [(self.scenario, "index")],
            description=self.RUN.render(self.lang),
            button_style="primary",
            layout=w.Layout(width="auto"),
        )
        self.inspector = Inspector(self.lang)
        self.timeline: w.HTML | None = None
        # how a result shown beside the inspector is cleared (the 503 playground's burst):
        # like the inspector and the timeline, no earlier result passes for the last one
        self.clear_results: list[Callable[[], None]] = []
        self.scenario.observe(lambda _: self._describe(), names="value")
        self.run_button.on_press(self._safe(self._run_pressed))
        self.buttons: dict[str, Press] = {}
        # a press refused words it carried before the box's own message with them came
        self._refused_ahead = False
        self.senders: list[Press] = []  # the lesson's buttons that send a request
        self._actions: list[Press] = []  # and the others: a switch's actions
        self.switch_controls: dict[str, SwitchControls] = {}
        self.controls = _CONTROLS[lesson](self) if lesson in _CONTROLS else []
        if self.senders:  # the empty inspector names every button that fills it
            self.inspector.clear(nothing_sent([str(b.description) for b in self.senders]))
        for switch in switches.for_playground(lesson):  # any the lesson's layout did not place
            if switch.name not in self.switch_controls:
                self.controls.append(SwitchControls(self, switch.name))
        # Run and every button that sends a request carry every switch control's boxes as
        # they were when pressed, and apply them first (_take_switches): a control's own
        # update can reach Python after the click (ipywidgets#1382). Every button follows
        # the switches' buttons (log in, log out, purge the cache): those pressed before it
        # are done first, in the order pressed (Press.follow), as their own updates can come
        # later, or be handled on another kernel thread (tests/test_browser_busy.py)
        self._carried = list(self.switch_controls.values())
        carried = [box for controls in self._carried for box in controls.carried()]
        for press in (self.run_button, *self.senders):
            press.carry(carried)
        for press in (self.run_button, *self.senders, *self._actions):
            press.follow(self._actions)
        self._describe()
        hint = _hint(KEYBOARD_HINT, self.lang)
        box: list[w.Widget] = [
            self._style,
            self.scenario,
            self.chosen,
            self.cause,
            self.run_button,
        ]
        if self.controls:
            box.append(
                w.VBox(
                    self.controls,
                    layout=w.Layout(border=f"1px solid {JP_BORDER}", padding="4px"),
                )
            )
        super().__init__([*box, self.status, self.message, self.inspector, hint])
        follow_cells(self, _shell())

    # -- what the playground says about itself --

    def _describe(self) -> None:
        s = scenarios.get(self.scenario.value)
        personality = self.value_of("personality", "name")
        expected = s.expected(personality)
        shown = Msg("no valid status line") if expected is None else str(expected)
        maker = (
            Msg(
                ", made by the {hop}", hop=html.escape(i18n.render(hop_words(s.made_by), self.lang))
            )
            if personality == "rfc"
            else Msg(" with the gateway behaving like {name}", name=html.escape(personality))
        )
        # a 504 for a read timeout is Caddy's and HAProxy's only with one configured, as the
        # lab's routes are: by default both wait for the answer (personalities.untimed)
        if s.upstream_condition in personalities.get(personality).untimed:
            maker = Msg(
                " with the gateway behaving like {name} and the lab's read timeout on its route "
                "(by default {name} has none and waits for the answer)",
                name=html.escape(personality),
            )
        # the scenario's cause is told as the lab's default gateway meets it: with another
        # personality chosen, 502-garbage's "the gateway cannot relay them" stood above
        # nginx's answer, the garbage relayed as HTTP/0.9 (until December 2026)
        line = (
            Msg("<b>Cause:</b> {cause}.<br><b>Expected:</b> {status}{maker}.")
            if personality == "rfc"
            else Msg(
                "<b>Cause</b> (with the lab's default gateway): {cause}.<br><b>Expected:</b> "
                "{status}{maker}."
            )
        )
        self.cause.value = line.bind(
            cause=html.escape(s.cause_in(self.lang)),
            status=shown,
            maker=maker,
        ).render(self.lang)

    def _failed(self) -> None:
        self.inspector.clear(Msg("The last action failed (the error is above): nothing to show."))
        self._clear_results()

    def _clear_results(self) -> None:
        """Empty the 504 timeline and every other result shown beside the inspector."""
        if self.timeline is not None:
            self.timeline.value = ""
        for clear in self.clear_results:
            clear()

    def value_of(self, switch: str, param: str) -> Any:
        """A switch's parameter as this playground's requests get it: the playground's own
        value for a per-playground switch chosen here, else the lab's."""
        controls = self.switch_controls.get(switch)
        if controls is not None and controls.chosen:
            return controls.values()[param]
        return switches.get(switch).current(self.lab, {}).get(param)

    @contextlib.contextmanager
    def as_chosen(self) -> Iterator[None]:
        """The values chosen on this playground for its per-playground switches (the gateway's
        personality, the origin's capacity), for this playground's own requests only: applied
        on the lab's loop thread like any switch, and the lab's own put back afterwards."""
        chosen = [c for c in self.switch_controls.values() if c.chosen]
        before = switches.save(self.lab, [c.switch.name for c in chosen])
        try:
            for controls in chosen:
                switches.apply(self.lab, controls.switch.name, controls.values())
            yield
        finally:
            switches.restore(self.lab, before)

    def refresh_switches(self) -> None:
        """Every switch control shows the lab as it is now: a scenario sets switches and puts
        them back to their defaults, which may not be what a control last said."""
        for controls in self.switch_controls.values():
            controls.refresh()

    def follow_lab(self) -> None:
        """Controls, state lines and the scenario's expected status as the lab is now, said to
        nobody (no live region speaks): after a cell changed a switch in code. A value chosen
        on this playground alone is left as it is (showing it would apply it for a moment)."""
        for controls in self.switch_controls.values():
            if not (controls.switch.per_playground and controls.chosen):
                controls.refresh()
        self._describe()

    def _shown(self, ex: Exchange, action: i18n.Text, note: i18n.Text | None = None) -> Exchange:
        """Show ``ex`` and say in one line what ``action`` gave: the status as the inspector's
        heading says it (a client that gave up on silence, after how long); ``note``, a
        sentence more about it."""
        self.refresh_switches()
        self.inspector.show(ex)
        self._clear_results()
        status, made = self._result_words(ex)
        said = (
            Msg("{action}: {status}{made}. The inspector below shows it.")
            if note is None
            else Msg("{action}: {status}{made}. {note}. The inspector below shows it.", note=note)
        )
        self._say(said.bind(action=action, status=status, made=made))
        return ex

    def _result_words(self, ex: Exchange) -> tuple[str, i18n.Text]:
        """``ex``'s status as the inspector's heading says it, and who made it."""
        status = render_html.status_words(ex, self.lang)
        made: i18n.Text = (
            Msg(", made by the {hop}", hop=hop_words(ex.generated_by)) if ex.generated_by else ""
        )
        if ex.client_error and ex.status is not None:  # a status line, then the body broke
            made = Msg("{made}, but its body broke off: the client saw an error", made=made)
        return status, made

    # -- actions --

    def _take_switches(self, shown: Sequence[Any]) -> bool:
        """Before a press acts: the switch controls are set as the press carried them (what
        the browser showed, control after control) and any the browser had changed ahead of
        Python applied. False when a box's words are refused (said in the alert, as the box
        says them), and the press does nothing."""
        at = 0
        try:
            for controls in self._carried:
                count = len(controls.carried())
                controls.take(shown[at : at + count])
                at += count
        except BadArgument as exc:
            self.refuse(exc)
            return False
        return True

    def _run_pressed(self, index: int, *shown: Any) -> None:
        if self._take_switches(shown):
            self.run(self.scenario.options[index][1])

    def run(self, scenario_id: str | None = None) -> Exchange:
        """Run the chosen scenario (or the one ``scenario_id`` names, as Run carried it from
        the browser) as its Cause and Expected lines describe it: on a fresh lab's
        settings, but for the per-playground ones (a personality, chosen here or the lab's), and
        put every setting back as it was afterwards. A switch left set here (the slow upstream's
        delay at 0.1 s, maintenance on) made '504-slow' answer 200 under 'Expected: 504', and
        '503-load-shedding' fail with 'is the machine overloaded?'; the line says what was set
        aside, and how many stored answers the gateway's cache lost (a stored 503 would have
        answered the scenario's request in the origin's place)."""
        scenario = scenarios.get(self.scenario.value if scenario_id is None else scenario_id)
        lab = self.lab
        before = switches.save(lab)
        scoped = [s.name for s in switches.SWITCHES.values() if s.per_playground]
        kept = switches.save(lab, scoped)
        emptied = 0
        try:
            emptied = lab.gateway.purge()  # as reset does, counted to be said
            switches.reset(lab)
            switches.restore(lab, kept)
            with self.as_chosen():
                ex = scenario.run(lab)
        finally:
            # the switches first, then the settings no switch put back: the slow upstream's
            # delay is the delay switch's, and was said twice ("timeout, delay, slow.delay")
            switched = {name: v for name, v in before.items() if name in switches.SWITCHES}
            aside = switches.restore(lab, switched)
            aside += switches.restore(lab, {n: v for n, v in before.items() if n not in switched})
        action: i18n.Text = Msg("Ran {scenario}", scenario=scenario.id)
        said: list[i18n.Text] = []
        if aside:
            said.append(
                # by the words its controls show ("the slow upstream's delay"): `delay`, the
                # command's word, is on no playground, and read so in a Chinese line too
                Msg(
                    "{names} set aside for it, then put back as you left them",
                    names=Listed(switches.title_of(name, self.lang) for name in aside),
                )
            )
        if emptied:
            said.append(
                Msg(
                    "gateway cache emptied: {n} entry",
                    plural="gateway cache emptied: {n} entries",
                    n=emptied,
                )
            )
        if said:
            action = Msg(
                "Ran {scenario} on a fresh lab's settings ({what})",
                scenario=scenario.id,
                what=said[0] if len(said) == 1 else Msg("{a}; {b}", a=said[0], b=said[1]),
            )
        return self._shown(ex, action)

    def send(
        self,
        method: str,
        path: str,
        via: str = "gateway",
        *,
        timeout: float = CLIENT_TIMEOUT,
        **kw: Any,
    ) -> Exchange:
        with self.as_chosen():
            ex = self.lab.request(method, path, via=via, timeout=timeout, **kw)
        return self._shown(
            ex, Msg("{method} {path} via the {hop}", method=method, path=path, hop=hop_words(via))
        )

    def send_raw(self, data: bytes, to: str = "origin") -> Exchange:
        with self.as_chosen():
            ex = self.lab.raw(data, to=to)
        first = first_line(data).decode("latin-1")
        return self._shown(
            ex, Msg("Sent {line} to the {hop}", line=shown(first), hop=hop_words(to))
        )

    def send_as_typed(self, method: str, path: str, to: str = "gateway") -> Exchange:
        """Send the method exactly as typed (httpx would upper-case it), through ``lab.raw``."""
        _check_method(method, self.lang)
        _check_target(path, self.lang, method)
        return self.send_raw(self.raw_request(f"{method} {path} HTTP/1.1"), to=to)

    def raw_request(self, request_line: str) -> bytes:
        """A request without a body for ``lab.raw``: ``request_line``, ``Host``, the lab's
        language asked for as ``lab.request`` asks for it (``Accept-Language``, but for an
        English lab, whose requests are as they were), and ``Connection: close``. So the page
        a button's raw request gets is in the playground's language: the 501 playground's
        Send and the 505 playground's request line showed the English pages in a Chinese
        playground until December 2026."""
        language = "" if self.lab.lang == i18n.ENGLISH else f"Accept-Language: {self.lab.lang}\r\n"
        return f"{request_line}\r\nHost: lab\r\n{language}Connection: close\r\n\r\n".encode()

    def switched(self, line: str) -> None:
        """A switch changed (``line`` says how): earlier results no longer show the lab as it is."""
        self.refresh_switches()
        self._describe()  # what the scenario gives may have changed (a personality)
        self.inspector.clear(Msg("{line}. Send a request again to see its effect.", line=line))
        self._clear_results()
        self._say(Msg("{line}.", line=line))

    def unchanged(self, line: str) -> None:
        """A switch's action left the lab as it was (``line`` says so): the inspector's last
        result still shows the lab as it is, so it stays, and the line says it again."""
        self.refresh_switches()
        ex = self.inspector.exchange
        if ex is None:
            self._say(Msg("{line}, so nothing changed.", line=line))
            return
        status, made = self._result_words(ex)
        self._say(
            Msg(
                "{line}, so nothing changed, and the last result still holds: {status}{made}. "
                "The inspector below shows it.",
                line=line,
                status=status,
                made=made,
            )
        )

    def button(
        self,
        description: i18n.Text,
        action: Callable[..., Any],
        *,
        sends: bool = False,
        carrying: Sequence[w.ValueWidget | tuple[w.Widget, str]] = (),
    ) -> Press:
        """A lesson button, its words in the playground's language; also kept in
        ``self.buttons[description]`` for tests and scripts, by its English words.
        ``sends``: it sends a request (not a switch's action), so the empty inspector names it.
        ``carrying``: boxes whose values (or (widget, trait) pairs whose traits, such as a
        list's ``index``) ``action`` takes, one argument each, as they were when the button
        was pressed (a ``Press``: ipywidgets can deliver a click before a
        box's last words, jupyter-widgets/ipywidgets#1382). Every button is a ``Press``: one
        that sends also carries the playground's switch controls, and every one follows the
        switches' buttons' presses (``__init__``)."""
        words = i18n.render(description, self.lang)
        own = len(carrying)

        def pressed(*values: Any) -> None:
            if self._pressed_as_refused(words):
                return
            self._refused_ahead = False
            if len(values) == own or self._take_switches(values[own:]):
                action(*values[:own])
            # words it carried refused before the box's own message with them came (which
            # then refuses them quietly): not done, said as when the box refused them first
            if self._refused_ahead:
                self._pressed_as_refused(words)

        b = Press(carrying, description=words, layout=w.Layout(width="auto"), tooltip=words)
        b.on_press(self._safe(pressed))
        (self.senders if sends else self._actions).append(b)
        self.buttons[str(description)] = b
        return b


def _shell() -> Any:
    """The IPython shell this runs in, or None (a script, a test)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - ipywidgets needs IPython
        return None
    return get_ipython()


def follow_cells(panel: Playground, shell: Any) -> None:
    """After each cell the learner runs, ``panel`` shows the lab as that cell left it (IPython's
    post_run_cell event): lesson 01's link cell turned debug off while the playground's box
    still said on. One callback follows every live playground of the shell (_Following)."""
    events = getattr(shell, "events", None)
    if events is None:
        return
    following = next(
        (f for f in events.callbacks["post_run_cell"] if isinstance(f, _Following)), None
    )
    if following is None:
        following = _Following(events)
        events.register("post_run_cell", following)
    following.panels.add(panel)


class _Following:
    """The one post_run_cell callback of a shell: each live playground follows the lab.

    ipywidgets keeps a widget alive until it is closed, and re-running a playground's cell
    makes a new playground while the old one, whose output area the re-run cleared, lived
    on: with a callback each, five runs of the cell meant five refreshes after every cell.
    Here a playground is held weakly and dropped once closed, once its lab has stopped, or
    when following it fails (IPython would print the failure after every cell); and one
    made by a cell that has run again since (the cell id JupyterLab sends) is closed."""

    def __init__(self, events: Any) -> None:
        self.events = events
        self.panels: weakref.WeakSet[Playground] = weakref.WeakSet()
        self.cells: weakref.WeakKeyDictionary[Playground, str] = weakref.WeakKeyDictionary()

    def __call__(self, result: Any = None) -> None:
        cell = getattr(getattr(result, "info", None), "cell_id", None)
        for p in list(self.panels):
            if cell is not None and p not in self.cells:
                self.cells[p] = cell  # made by the cell that just ran
            elif cell is not None and self.cells[p] == cell:
                _close(p)  # that cell ran again: its output, this playground, was replaced
            try:
                if p.comm is None or not p.lab.running:
                    raise LookupError("nothing left to follow")
                p.follow_lab()
            except Exception:
                self.panels.discard(p)
        if not self.panels:
            self.events.unregister("post_run_cell", self)


def _close(widget: w.Widget) -> None:
    """Close a widget and every widget inside it: each holds a comm until it is closed."""
    for child in getattr(widget, "children", ()):
        _close(child)
    widget.close()


# -- a switch's controls, from the switch table (labkit/switches.py) --


# a parameter a playground fixes, named on its control in words ("route /", 路由 /): the
# 504 playground's route and server, a server by its word ("server origin", 源服务器: it
# read 服务器 origin until December 2026)
FIXED_WORDS: dict[str, Callable[[str], Msg]] = {
    "route": lambda value: Msg("route {value}", value=value),
    "server": lambda value: Msg("server {value}", value=hop_words(value)),
}


def switch_input(param: switches.Param, value: Any, lang: str = i18n.ENGLISH) -> w.ValueWidget:
    """The form control for one parameter of a switch: its label and range from the table,
    its label in ``lang``."""
    st = {"description_width": "initial"}
    title = param.title_in(lang)
    if param.kind is bool:
        return w.Checkbox(
            value=bool(value), description=title, indent=False, layout=w.Layout(width="auto")
        )
    if param.choices:
        choice = value or param.choices[0]
        return w.Dropdown(
            options=list(param.choices),  # what each is: choices_line, above it
            value=choice,
            description=title,
            style=st,
            layout=w.Layout(width="auto"),
        )
    if param.kind in (int, float):
        if param.nullable:
            return NumberOrNone(param, value, lang)
        return _number_box(param, param.minimum if value is None else value, lang)
    return w.Text(value=value or "", description=title, style=st)


def choices_line(param: switches.Param, lang: str = i18n.ENGLISH) -> w.HTML:
    """What each choice of a drop-down is (the switch table's ``titles``), one per line above
    it: the options themselves stay the short words Python and `labkit ctl` take, which a
    closed drop-down shows whole even 320 px wide."""
    items = "".join(
        "<li>"
        + Msg(
            "{label}: {text}",
            label=f"<code>{html.escape(choice)}</code>",
            text=html.escape(i18n.render(title, lang)),
        ).render(lang)
        + "</li>"
        for choice, title in zip(param.choices, param.titles, strict=True)
    )
    return w.HTML(f"<ul class='labkit-hint labkit-choices'>{items}</ul>")


def _number_box(param: switches.Param, value: float, lang: str = i18n.ENGLISH) -> NumberBox:
    # not FloatText or Bounded*Text: the browser put back or clamped what they could not take
    # (empty, letters, 1e400, -5) without a word; a NumberBox is read in Python and refused aloud
    return NumberBox(param, value, lang)


def number_boxes(control: w.Widget) -> list[NumberBox]:
    """The number boxes in one switch control (a NumberOrNone holds one)."""
    if isinstance(control, NumberBox):
        return [control]
    return [control.number] if isinstance(control, NumberOrNone) else []


class NumberOrNone(w.HBox, w.ValueWidget):
    """A nullable number's control: its bounded box, and a checkbox for None ("unlimited").

    ``value`` is the box's number, or None while the checkbox is ticked (the box then waits,
    disabled, with the number it gives back when the checkbox is cleared).
    """

    value = traitlets.Any(None, allow_none=True)

    def __init__(self, param: switches.Param, value: Any, lang: str = i18n.ENGLISH) -> None:
        self.number = _number_box(param, param.minimum if value is None else value, lang)
        self.none = w.Checkbox(
            value=value is None,
            description=i18n.render(param.none_means, lang) or Msg("none").render(lang),
            indent=False,
            layout=w.Layout(width="auto"),
        )
        self.number.disabled = value is None
        # the box's refusals name the checkbox beside it, where Python's say None and a
        # shell's none: the box takes no such word
        self.number.or_else = Msg(", or tick “{box}”", box=self.none.description).render(lang)
        self._syncing = False
        super().__init__([self.number, self.none], layout=w.Layout(flex_flow="row wrap"))
        self.value = value
        self.number.observe(lambda _: self._from_parts(), names="value")
        self.none.observe(lambda _: self._from_parts(), names="value")
        self.observe(lambda change: self._to_parts(change["new"]), names="value")

    @property
    def description(self) -> str:
        return str(self.number.description)

    @description.setter
    def description(self, text: str) -> None:
        self.number.description = text

    def _from_parts(self) -> None:
        if not self._syncing:
            self.number.disabled = self.none.value
            value = None if self.none.value else self.number.value
            if value == self.value:  # the box's number typed again: said again
                told_again(self)
            else:
                self.value = value

    def _to_parts(self, value: Any) -> None:
        self._syncing = True
        try:
            self.none.value = value is None
            self.number.disabled = value is None
            if value is not None:
                self.number.value = value
        finally:
            self._syncing = False


_NOT_TAKEN: Any = object()  # SwitchControls._taken's default: no number taken ahead


def _numbers(control: w.Widget) -> list[Any]:
    """The numbers of ``control``'s number boxes (a NumberOrNone's, whether ticked or not)."""
    return [box.value for box in number_boxes(control)]


def _takes(switch: switches.Switch, name: str, value: Any) -> bool:
    try:
        switch.param(name).check(value)
    except BadArgument:
        return False
    return True


class SwitchControls(w.VBox):
    """One switch of the lab on a playground: a control per parameter, a button per action.

    Labels, ranges and choices come from the switch table; every change applies the
    switch through ``labkit.switches.apply`` (on the lab's loop thread, like ``labkit
    ctl``) and the panel says the table's one-line confirmation. ``fixed`` parameters
    are not shown (the 504 playground's route is '/'); ``extra`` adds values that
    another control decides (the 503 playground's caching-mistake box).

    A ``per_playground`` switch (the gateway's personality, the origin's capacity) is
    not applied to the lab when its control changes: its value is this playground's
    own, applied around each of the playground's requests and put back after them
    (``Playground.as_chosen``), so that it never outlives the playground. Until a value
    is chosen (or given as ``start``), the control follows the lab.
    """

    def __init__(
        self,
        panel: Playground,
        name: str,
        *,
        only: Sequence[str] | None = None,
        fixed: Mapping[str, Any] | None = None,
        extra: Callable[[], dict[str, Any]] | None = None,
        extra_boxes: Sequence[w.ValueWidget] = (),
        start: Mapping[str, Any] | None = None,
    ) -> None:
        self.switch = switches.get(name)
        self.panel = panel
        self.fixed = dict(fixed or {})
        self.extra = extra
        # the controls elsewhere on the panel whose values ``extra`` reads (the 503
        # playground's caching-mistake box): a change applies the switch, as its own do
        self.extra_boxes = list(extra_boxes)
        # a number a press took ahead of its box's own words (``take``), by control: the
        # words, when they come, are no change, and are not applied and said again
        self._taken: dict[w.Widget, Any] = {}
        self.inputs: dict[str, w.ValueWidget] = {}
        self.state = w.HTML()
        self._refreshing = False  # a control set from the lab applies nothing
        if start is not None and not self.switch.per_playground:
            own = [s.name for s in switches.SWITCHES.values() if s.per_playground]
            raise refuse(
                Msg(
                    "{name} follows the lab: only {names} start apart from it",
                    name=name,
                    names=Listed(own),
                ),
                lang=panel.lang,
            )
        # per_playground: whether this playground has a value of its own (else: the lab's)
        self.chosen = start is not None
        current = {**self._lab_values(), **(start or {})}
        children: list[w.Widget] = []
        actions: list[w.Widget] = []
        for param in self.switch.params:
            if param.name in self.fixed or (only is not None and param.name not in only):
                continue
            if param.labels:  # an action: one button for each choice
                for choice, label in zip(param.choices, param.labels, strict=True):
                    act = functools.partial(self.apply, {param.name: choice})
                    actions.append(panel.button(label, act))
                continue
            if param.titles:
                children.append(choices_line(param, panel.lang))
            control = switch_input(param, current.get(param.name, param.default), panel.lang)
            # a fixed parameter (the 504 playground's route '/', its server the origin) is
            # named on the control, which sets that one only
            named = [
                FIXED_WORDS[k](v).render(panel.lang) if k in FIXED_WORDS else f"{k} {v}"
                for k, v in self.fixed.items()
            ]
            if named:
                control.description = Msg(
                    "{fixed}: {label}", fixed=Listed(named), label=control.description
                ).render(panel.lang)
            control.observe(panel._safe(self._changed, typed=True), names="value")
            for box in number_boxes(control):
                box.on_refused(panel.refuse)
            self.inputs[param.name] = control
            children.append(control)
        for box in self.extra_boxes:
            box.observe(panel._safe(self._changed, typed=True), names="value")
        if actions:
            children.append(w.HBox(actions, layout=w.Layout(flex_flow="row wrap")))
        children.append(self.state)
        panel.switch_controls[name] = self
        super().__init__(children)
        if self.switch.per_playground:
            self._show(self._scoped_line())
        else:
            self._show(self._now())

    def _now(self) -> str:
        """The switch as the lab has it now, in the table's words ('' if it has none)."""
        if self.switch.show_given is not None:
            line = self.switch.show_given(self.panel.lab, self.fixed)
        else:
            line = self.switch.show(self.panel.lab) if self.switch.show else ""
        return i18n.render(line, self.panel.lang)

    def _lab_values(self) -> dict[str, Any]:
        """The lab's values that these controls can show: a value the table would refuse (a
        Retry-After date, a capacity set from Python above the box's maximum) is not one,
        and its control keeps what it has."""
        current = self.switch.current(self.panel.lab, self.fixed)
        return {name: value for name, value in current.items() if _takes(self.switch, name, value)}

    def values(self) -> dict[str, Any]:
        values = {**self.fixed, **{n: c.value for n, c in self.inputs.items()}}
        return {**values, **(self.extra() if self.extra else {})}

    def apply(self, action: Mapping[str, Any] | None = None, *, setting: bool = False) -> str:
        """Apply the switch as the controls (and ``action``) say; show and return the line.

        ``setting``: one of the switch's settings changed, not whether it is on. While it is
        off, its line ("maintenance: off") says nothing of the new value, which only takes
        effect once it is on: the spoken line says so, or the change passes unconfirmed.

        An ``action`` the switch already has ("log in" while logged in) changes nothing: the
        inspector keeps the last result, which still shows the lab as it is, and says so (it
        was cleared with "Send a request again to see its effect" though nothing had)."""
        current = self.switch.current(self.panel.lab, self.fixed)
        same = action is not None and all(current.get(k) == v for k, v in action.items())
        line = switches.apply(
            self.panel.lab,
            self.switch.name,
            {**self.values(), **(action or {})},
            lang=self.panel.lang,
        )
        self._show(self._now() or line)
        on = self.inputs.get("on")
        if setting and on is not None and not on.value:
            line = Msg("{line}; the change takes effect once it is on", line=line).render(
                self.panel.lang
            )
        if same:
            self.panel.unchanged(line)
        else:
            self.panel.switched(line)
        return line

    def choose(self) -> str:
        """A per-playground switch: the controls' values become this playground's own (checked
        as the table checks them, the lab left as it is); show and say the line."""
        self.switch.check(self.values(), self.panel.lang)
        self.chosen = True
        self._show(self._scoped_line())
        lang, show = self.panel.lang, self.switch.show
        with self.panel.as_chosen():  # the table's own line for it, the lab put back after
            line = i18n.render(show(self.panel.lab), lang) if show else ""
        if show and line == i18n.render(show(self.panel.lab), lang):
            # the lab's own value chosen again: not "on this playground only"
            said = Msg("{line}, as the lab has it", line=line)
        else:
            said = Msg(
                "On this playground only: {line}", line=line or self.switch.words(self.values())
            )
        line = said.render(lang)
        self.panel.switched(line)
        return line

    def _scoped_line(self) -> str:
        """How this playground has it, and how the lab keeps it for the other cells; the
        lab's line alone while the two are the same (``On this playground only: capacity:
        unlimited`` beside a lab with no limit either read as a difference)."""
        lab, show = self.panel.lab, self.switch.show
        if show is None:
            return ""
        here = show(lab)
        if self.chosen:
            with self.panel.as_chosen():
                here = show(lab)
        if i18n.render(here, self.panel.lang) == i18n.render(show(lab), self.panel.lang):
            return Msg(
                "{line}, as the lab has it. A change here applies to this playground's "
                "requests only.",
                line=show(lab),
            ).render(self.panel.lang)
        return Msg(
            "On this playground only: {here}. The lab, in the other cells: {lab}.",
            here=here,
            lab=show(lab),
        ).render(self.panel.lang)

    def carried(self) -> list[tuple[w.Widget, str]]:
        """What a button carries of these controls, as (widget, trait) pairs whose values in
        the browser say what each control shows: a number box's words (``text``, as typed,
        read with its rule), a list's ``index``, a checkbox's ``value``."""
        boxes: list[tuple[w.Widget, str]] = []
        for control in self._controls():
            if isinstance(control, NumberOrNone):
                boxes += [(control.number, "text"), (control.none, "value")]
            elif isinstance(control, NumberBox):
                boxes.append((control, "text"))
            elif isinstance(control, w.Dropdown):
                boxes.append((control, "index"))
            else:
                boxes.append((control, "value"))
        return boxes

    def take(self, carried: Sequence[Any]) -> None:
        """The controls as a pressed button carried them (``carried``, as ``carried()``
        lists them): the browser's view when it was pressed. A control whose own update has
        not reached Python yet is set here, and the switch applied and said as that update
        would have, before the button acts: ipywidgets holds a control's change back while
        its previous one is unanswered, and sent the click at once
        (jupyter-widgets/ipywidgets#1382), so a burst went at the capacity before, and the
        late update then said its line over the burst's result. That update, when it comes,
        is no change. Words a number box refuses raise BadArgument, as the box says them."""
        values = iter(carried)
        shown = [(control, self._shown(control, values)) for control in self._controls()]
        changed = [(control, value) for control, value in shown if value != control.value]
        if not changed:
            return
        before = [(control, control.value) for control, _ in changed]
        numbers = {control: _numbers(control) for control, _ in changed}
        self._set(changed)
        on = self.inputs.get("on")
        try:
            for name, control in self.inputs.items():  # named as the learner sees it
                if any(control is c for c, _ in changed):
                    param = self.switch.param(name)
                    lang = self.panel.lang
                    param.check(control.value, named=param.title_in(lang), lang=lang)
            if self.switch.per_playground:
                self.choose()
            else:
                self.apply(setting=all(control is not on for control, _ in changed))
        except LabkitError:
            self._set(before)  # the controls show what still applies, as ``_changed`` does
            raise
        for control, value in changed:
            if _numbers(control) != numbers[control]:  # its box's words are still to come
                self._taken[control] = value

    def _controls(self) -> list[w.ValueWidget]:
        return [*self.inputs.values(), *self.extra_boxes]

    def _shown(self, control: w.ValueWidget, values: Iterator[Any]) -> Any:
        """``control``'s value as the browser showed it, from its carried values (taken from
        ``values``)."""
        if isinstance(control, NumberOrNone):
            words, none = next(values), next(values)
            return None if none else _read_carried(self.panel, control.number, words)
        if isinstance(control, NumberBox):
            return _read_carried(self.panel, control, next(values))
        if isinstance(control, w.Dropdown):
            index = next(values)
            if index is None:
                return None
            option = control.options[index]
            return option[1] if isinstance(option, tuple) else option
        return next(values)

    def _set(self, values: Sequence[tuple[w.ValueWidget, Any]]) -> None:
        """Set controls from Python, applying nothing (``take`` applies them at once)."""
        self._refreshing = True
        try:
            for control, value in values:
                control.value = value
        finally:
            self._refreshing = False

    def _changed(self, change: Any) -> None:
        if self._refreshing:
            return
        owner = change["owner"]
        if any(box.from_browser for box in number_boxes(owner)):
            taken = self._taken.pop(owner, _NOT_TAKEN)
            if change["old"] == change["new"] == taken:
                return  # the box's own words, which a press took and applied before them
        try:
            for name, control in self.inputs.items():  # named as the learner sees it
                if control is change["owner"]:
                    param = self.switch.param(name)
                    lang = self.panel.lang
                    param.check(change["new"], named=param.title_in(lang), lang=lang)
            if self.switch.per_playground:
                self.choose()
            else:
                self.apply(setting=change["owner"] is not self.inputs.get("on"))
        # refused by the table, or the lab stopped: the control shows what still applies (a
        # box ticked after lab.stop() stayed ticked, "on" for a switch nothing had changed)
        except LabkitError:
            self._refreshing = True
            try:
                change["owner"].value = change["old"]
            finally:
                self._refreshing = False
            raise

    def refresh(self) -> None:
        """Controls and the state line as the lab is now, without applying anything (a
        per-playground value once chosen stays: only its line about the lab changes)."""
        if self.switch.per_playground and self.chosen:
            self._show(self._scoped_line())
            return
        current = self._lab_values()
        self._refreshing = True
        try:
            for name, control in self.inputs.items():
                if name in current:  # None only for a nullable one, whose control takes it
                    control.value = current[name]
        finally:
            self._refreshing = False
        if self.switch.per_playground:
            self._show(self._scoped_line())
        else:
            self._show(self._now())

    def _show(self, line: str) -> None:
        self.state.value = f"<p class='labkit-hint'>{html.escape(line)}</p>" if line else ""


# -- the switches each lesson needs --


def _controls_500(p: Playground) -> list[w.Widget]:
    debug = SwitchControls(p, "debug")
    p.debug, p.debug_state = debug.inputs["on"], debug.state
    return [debug, p.button("GET /orders/abc", lambda: p.send("GET", "/orders/abc"), sends=True)]


def _controls_501(p: Playground) -> list[w.Widget]:
    # Send carries the boxes' words as they were when it was pressed (widgets/press.py):
    # ipywidgets holds a box's value back while an earlier one is unanswered but sent a
    # click at once (jupyter-widgets/ipywidgets#1382), so a path typed fast and sent went out
    # as its first keystrokes ('/orders' for '/orders/42'), and under load, with both boxes
    # edited, as the old path. The boxes hand their words over once, when left, not at each
    # keystroke.
    p.method = w.Combobox(
        value="BREW",
        options=["GET", "HEAD", "OPTIONS", "DELETE", "PUT", "PATCH", "CONNECT", "BREW", "get"],
        description=Msg("Method").render(p.lang),
        continuous_update=False,
    )
    p.path = w.Text(
        value="/orders/7", description=Msg("Path").render(p.lang), continuous_update=False
    )
    typed = Msg(
        "The method is sent exactly as you type it, through "
        "<code>lab.raw</code>: methods are case-sensitive (RFC 9110 9.1), so <code>get</code> is "
        "not <code>GET</code>. (httpx, behind <code>lab.request</code>, would upper-case it.)"
    )
    note = w.HTML(f"<p class='labkit-hint'>{typed.render(p.lang)}</p>")
    return [
        note,
        w.HBox(
            [
                p.method,
                p.path,
                p.button(Msg("Send"), p.send_as_typed, sends=True, carrying=(p.method, p.path)),
            ]
        ),
    ]


def _controls_502(p: Playground) -> list[w.Widget]:
    why = _hint(
        Msg(
            "Real gateways answer the same upstream fault with different "
            "statuses (lesson 09): choose one below to see its answer on this playground."
        ),
        p.lang,
    )
    personality = SwitchControls(p, "personality")
    p.personality, p.personality_state = personality.inputs["name"], personality.state
    return [why, personality]


CACHE_MISTAKE_MAX_AGE = 60  # seconds: the max-age the 503 playground's mistake sends
BURST_CAPACITY = 3  # the 503 playground's own capacity to start with: a burst of 10 sheds
# seconds: the longest origin delay the 504 playground asks for. Past route /'s read timeout
# as a lab starts (it equalled it, 2 s, and the delay box alone could not make the 504 the
# lesson promises), and short of the playground's own client timeout, which must not run
# out first
SLOW_MAX = ORIGIN_TIMEOUTS.read + 1.0
# the two number boxes that set no switch, checked as the table's parameters are
BURST_SIZE = switches.Param(
    "burst", int, Msg("burst size"), unit="requests", minimum=1, maximum=load.MAX_BURST
)
SLOW_DELAY = switches.Param("delay", float, Msg("origin delay"), unit="s", maximum=SLOW_MAX)


def _carried_number(p: Playground, box: NumberBox, words: str) -> Any:
    """The value of the words ``box`` showed when a button carrying it was pressed, or None
    when the box's rule refuses them (said in the panel's alert, as the box says it). The
    box's own message with the words can reach Python after the press
    (jupyter-widgets/ipywidgets#1382), so the button read the box's earlier value."""
    try:
        return _read_carried(p, box, words)
    except BadArgument as exc:
        p.refuse(exc)
        return None


def _read_carried(p: Playground, box: NumberBox, words: str) -> Any:
    """``box.read_carried``, and the panel told when the press refused words ahead of the
    box's own message with them (``Playground.button`` then says it was not done)."""
    try:
        return box.read_carried(words)
    except BadArgument:
        if box.refused_ahead(words):
            p._refused_ahead = True
        raise


def _said_in_order(
    p: Playground, box: NumberBox, press: Press, line: Callable[[str], i18n.Text]
) -> None:
    """Say a value typed into ``box`` (``line`` of the number) from ``press``'s copy of the
    box's words, in order with its presses: the box's own message, handled when it comes,
    could come after a press and replace the press's result with "set to". A value set from
    Python is said where it is set; the box's words typed again as they were, after a
    refusal, when the box applies them (they are no change to the copy), so the refusal
    gives way."""
    said = [box.value]

    def say(value: Any) -> None:
        said[0] = value
        p._say(line(number_words(value)))

    def copied(words: str, *_switches: Any) -> None:
        try:
            value = box.read(words)
        except BadArgument:
            return  # the box refuses them aloud itself
        if value != said[0]:  # not the box's own answer to words already said
            say(value)

    def retyped(change: dict[str, Any]) -> None:
        if box.from_browser and change["old"] == change["new"] and p._refused:
            p._safe(say)(change["new"])

    press.on_copy(copied)
    said_where_made(box, press, p._safe(say))
    box.observe(retyped, names="value")


def _controls_503(p: Playground) -> list[w.Widget]:
    mistake = Msg(
        "send max-age={age} instead of no-store (the mistake)", age=CACHE_MISTAKE_MAX_AGE
    ).render(p.lang)
    p.cache_mistake = w.Checkbox(
        value=False, description=mistake, indent=False, layout=w.Layout(width="auto")
    )

    def max_age() -> dict[str, Any]:
        return {"cache_max_age": CACHE_MISTAKE_MAX_AGE if p.cache_mistake.value else None}

    maintenance = SwitchControls(
        p,
        "maintenance",
        only=("on", "retry_after"),
        extra=max_age,
        extra_boxes=[p.cache_mistake],
    )
    p.maintenance, p.retry_after = maintenance.inputs["on"], maintenance.inputs["retry_after"]
    p.maintenance_state = maintenance.state
    cache = SwitchControls(p, "cache")
    # the origin's capacity for this playground's requests (a burst at 3 sheds at once),
    # never the lab's: it is a per-playground switch
    capacity = SwitchControls(p, "capacity", start={"value": BURST_CAPACITY})
    p.capacity, p.capacity_state = capacity.inputs["value"], capacity.state
    p.burst_size = NumberBox(BURST_SIZE, 10, p.lang)
    p.burst_size.on_refused(p.refuse)
    p.progress = Progress(Msg("burst sent").render(p.lang), p.burst_size.value, p.lang)
    # shown from the first burst on: before it, "burst sent: 0 of 10 requests answered" told
    # of a burst nobody had sent
    p.progress.layout.display = "none"
    p.burst_result = w.HTML()

    def clear_burst() -> None:
        # a burst's line after the capacity changed read as that capacity's ("3 served" under
        # a box saying 5), and stayed under the results of the requests sent after it
        p.burst_result.value = ""
        p.progress.layout.display = "none"

    p.clear_results.append(clear_burst)

    def do_burst(words: str) -> None:
        size = _carried_number(p, p.burst_size, words)
        if size is None:
            return
        p.burst_result.value = ""
        p.progress.layout.display = None
        p.progress.max, p.progress.value = size, 0
        with p.as_chosen():
            capacity = p.lab.origin.capacity
            maintenance = p.lab.origin.in_maintenance
            result = load.burst(
                p.lab,
                size,
                on_progress=lambda done, total: setattr(p.progress, "value", done),
            )
        line: i18n.Text = repr(result)
        if maintenance:
            # maintenance answers before any load is counted: its 503s, read as "shed (503)",
            # said "0 served (200), 12 shed (503)" of a burst in which nothing was shed
            line = Msg(
                "{n} request with maintenance on: {count} answered 503 by maintenance, which "
                "answers before any load is counted, so none was shed; turn maintenance off to "
                "see load shedding",
                plural="{n} requests with maintenance on: {count} answered 503 by maintenance, "
                "which answers before any load is counted, so none was shed; turn maintenance "
                "off to see load shedding",
                n=result.size,
                count=result.shed,
            )
        p.burst_result.value = html.escape(i18n.render(line, p.lang))
        p.refresh_switches()
        p.inspector.clear(Msg("The last action was a burst: its result is in the line above."))
        at = (
            Msg("unlimited capacity")
            if capacity is None
            else Msg("capacity {capacity}", capacity=capacity)
        )
        p._say(Msg("Burst at {at}, {result}.", at=at, result=line))

    get_order = p.button("GET /orders/7", lambda: p.send("GET", "/orders/7"), sends=True)
    # Burst carries the words the size box showed when it was pressed (a Press), and a size
    # typed there is said from Burst's copy of them, in order with the presses
    burst = p.button(Msg("Burst"), do_burst, sends=True, carrying=[(p.burst_size, "text")])
    assert isinstance(burst, Press)
    _said_in_order(
        p,
        p.burst_size,
        burst,
        lambda size: Msg("Burst size set to {size}: press Burst to send it.", size=size),
    )
    burst_box = [capacity, p.burst_size, burst, p.progress, p.burst_result]
    hold = SwitchControls(p, "hold")
    p.hold, p.hold_state = hold.inputs["on"], hold.state
    # 429 beside 503: one client over its limit, while everyone else is served
    rate = SwitchControls(p, "rate-limit")
    p.rate_limit, p.rate_limit_state = rate.inputs["requests"], rate.state
    key = {"X-Api-Key": PLAYGROUND_API_KEY}
    quote = p.button(
        Msg("GET {path} with X-Api-Key: {key}", path=RATE_PATH, key=PLAYGROUND_API_KEY),
        lambda: p.send("GET", RATE_PATH, headers=key),
        sends=True,
    )
    return [maintenance, p.cache_mistake, get_order, cache, *burst_box, hold, rate, quote]


PLAYGROUND_API_KEY = "playground"  # the 503 playground's client, counted by the rate limit


def _controls_504(p: Playground) -> list[w.Widget]:
    timeout = SwitchControls(p, "timeout", only=("read",), fixed={"route": "/"})
    p.read_timeout = timeout.inputs["read"]
    p.delay = NumberBox(SLOW_DELAY, 0.5, p.lang)
    p.delay.on_refused(p.refuse)
    p.timeline = w.HTML()
    # the 408 beside the 504: the origin's head timeout, and a client that stalls mid-request
    head = SwitchControls(p, "head-timeout", fixed={"server": "origin"})
    p.head_timeout, p.head_timeout_state = head.inputs["seconds"], head.state
    stalled = scenarios.get("408-slow-client").request
    stall_label = Msg(
        "Send half a request to the origin, then nothing for {seconds} s",
        seconds=f"{scenarios.STALL:g}",
    )

    def send_stalled() -> None:
        # said before the wait, which is seconds long: a learner hears why nothing comes yet
        waiting = Msg(
            "Sent half a request to the origin; now waiting {stall} s without sending the rest. "
            "If the origin's head timeout ({head} s) passes first, it answers 408",
            stall=f"{scenarios.STALL:g}",
            head=f"{p.lab.origin.head_timeout:g}",
        )
        p.inspector.clear(Msg("{line}.", line=waiting))
        p._say(Msg("{line}.", line=waiting))
        # as long as the button says, not lab.raw's own wait (5 s, where the button said 2 s)
        assert isinstance(stalled, scenarios.Raw)
        with p.as_chosen():
            ex = p.lab.raw(stalled.data, to=stalled.to, wait=scenarios.STALL)
        note: i18n.Text | None = None
        head = p.lab.origin.head_timeout
        if ex.status is None and head >= scenarios.STALL:
            # with the lab's own head timeout (10 s) the button gave "no answer" and no word
            # on what would give the 408 the lesson teaches
            note = Msg(
                "The origin's head timeout ({head} s) is not shorter than the {stall} s the "
                "client waits, so the origin was still waiting when the client gave up: lower "
                "it below {stall} s in the box above to see the 408",
                head=f"{head:g}",
                stall=f"{scenarios.STALL:g}",
            )
        elif ex.status is not None and p.lang != i18n.ENGLISH:
            # the 408 page is English in every language: a Chinese playground said so nowhere
            note = scenarios.ENGLISH_PAGE
        p._shown(ex, Msg("Sent half a request to the origin and waited"), note)

    def with_timeline(path: str) -> None:
        ex = p.send("GET", path)
        from labkit.render.charts import timeline

        assert p.timeline is not None
        p.timeline.value = timeline(ex, p.lang)._repr_html_()

    def get_slow(words: str) -> None:
        delay = _carried_number(p, p.delay, words)
        if delay is not None:
            with_timeline(f"/slow?delay={delay:g}")

    # GET /slow carries the words the delay box showed when it was pressed (a Press)
    slow = p.button("GET /slow", get_slow, sends=True, carrying=[(p.delay, "text")])
    assert isinstance(slow, Press)
    _said_in_order(
        p,
        p.delay,
        slow,
        lambda delay: Msg(
            "Origin delay set to {delay} s: press GET /slow to send it.", delay=delay
        ),
    )
    # the upstream `slow` (lesson section 1), behind its own route and read timeout
    upstream = SwitchControls(p, "delay")
    p.slow_delay, p.slow_delay_state = upstream.inputs["seconds"], upstream.state
    via = p.lab.gateway.route("slow").prefix
    slow_upstream = p.button(
        Msg("GET {path} (the slow upstream)", path=via), lambda: with_timeline(via), sends=True
    )
    return [
        timeout,
        p.delay,
        slow,
        upstream,
        slow_upstream,
        p.timeline,
        head,
        p.button(stall_label, send_stalled, sends=True),
    ]


def _controls_505(p: Playground) -> list[w.Widget]:
    p.version = w.Dropdown(
        options=[
            "HTTP/1.0",
            "HTTP/1.1",
            "HTTP/1.2",
            "HTTP/2.0",
            "HTTP/3.0",
            "http/1.1",
            "HTTPS/1.1",
        ],
        value="HTTP/2.0",
        description=Msg("Version").render(p.lang),
    )

    # the version as the list showed it when Send was pressed (its own update can come after)
    def send(index: int) -> None:
        p.send_raw(p.raw_request(f"GET /orders/7 {p.version.options[index]}"))

    send_line = p.button(
        Msg("Send the request line"), send, sends=True, carrying=((p.version, "index"),)
    )
    return [w.HBox([p.version, send_line])]


def _controls_511(p: Playground) -> list[w.Widget]:
    portal = SwitchControls(p, "portal")
    p.portal_state = portal.state
    get_order = p.button(
        Msg("GET /orders/7 via the portal"),
        lambda: p.send("GET", "/orders/7", via="portal"),
        sends=True,
    )
    get_check = p.button(
        "GET /generate_204", lambda: p.send("GET", "/generate_204", via="portal"), sends=True
    )
    return [portal, w.HBox([get_order, get_check], layout=w.Layout(flex_flow="row wrap"))]


def nothing_sent(buttons: Sequence[str]) -> Msg:
    """The empty inspector's line on a playground whose own buttons send too (``buttons``,
    their words as shown): it named only the scenario, "Nothing sent yet: run a scenario.",
    above a GET button, a Burst or a Send that fill it as well."""
    if len(buttons) == 1:
        return Msg("Nothing sent yet: press Run scenario, or {a}.", a=buttons[0])
    if len(buttons) == 2:
        a, b = buttons
        return Msg("Nothing sent yet: press Run scenario, {a}, or {b}.", a=a, b=b)
    if len(buttons) == 3:
        a, b, c = buttons
        return Msg("Nothing sent yet: press Run scenario, {a}, {b}, or {c}.", a=a, b=b, c=c)
    return Msg(
        "Nothing sent yet: press Run scenario, or one of the buttons: {buttons}.",
        buttons=Listed(buttons),
    )


_CONTROLS: dict[str, Callable[[Playground], list[w.Widget]]] = {
    "500": _controls_500,
    "501": _controls_501,
    "502": _controls_502,
    "503": _controls_503,
    "504": _controls_504,
    "505": _controls_505,
    "511": _controls_511,
}


class _Dropdown(FromBrowser, w.Dropdown):
    """A Dropdown that knows when the change applied comes from the browser (as OneOf does)."""


class GatewaysCompared(_Panel):
    """One upstream fault through every gateway personality, side by side (lesson 09), in its
    lab's language."""

    RUN = Msg("Run through every gateway")

    def __init__(self, lab: Lab) -> None:
        from labkit.faults import FAULTS

        check_lab(lab)
        self._init_panel(lab.lang)
        self.lab = lab
        # the personality switch's choices: each one run below is applied through the table
        self.personalities = list(switches.get("personality").param("name").choices)
        # the upstream's name and the condition the gateway sees, both named (exercises use the latter)
        conditions = [(name, f.condition.value) for name, f in FAULTS.items() if f.condition]
        options = [
            (Msg("{fault} (condition: {condition})", fault=n, condition=c).render(self.lang), n)
            for n, c in [*conditions, ("pool", "no-healthy-upstream")]
        ]
        self.fault = _Dropdown(
            options=options,
            value="garbage",
            description=Msg("Upstream fault").render(self.lang),
            style={"description_width": "initial"},
            layout=w.Layout(width="auto"),
        )
        # Run carries the fault the list showed when it was pressed (a Press), and a fault
        # chosen in the browser is said from Run's copy of it, in order with the presses: the
        # list's own update could come after Run and emptied the table Run had just filled,
        # saying "Fault changed" (jupyter-widgets/ipywidgets#1382)
        self.run_button = Press(
            [(self.fault, "index")],
            description=self.RUN.render(self.lang),
            button_style="primary",
            layout=w.Layout(width="auto"),
        )
        self.chosen = _chosen_whole(self.fault)
        self.table = w.HTML()
        self.rows: list[tuple[str, str, str]] = []
        self.run_button.on_press(self._safe(lambda index: self.run(self.fault.options[index][1])))
        self.run_button.on_copy(lambda _: self._stale())
        said_where_made(self.fault, self.run_button, lambda _: self._stale())
        hint = _hint(KEYBOARD_HINT, self.lang)
        super().__init__(
            [
                self._style,
                w.HBox([self.fault, self.run_button], layout=w.Layout(flex_flow="row wrap")),
                self.chosen,
                self.status,
                self.message,
                self.table,
                hint,
            ]
        )

    STALE = Msg("Fault changed: run it through every gateway.")

    def _stale(self) -> None:
        """Another fault chosen: the table and the spoken line are emptied of the last one's
        results, and say so (the line kept "blackhole through every gateway: ... 504 ...",
        under a list that now showed "close")."""
        self._clear()
        self.message.value = ""
        self._say(self.STALE)

    def _clear(self) -> None:
        self.rows = []
        self.table.value = f"<p><i>{self.STALE.render(self.lang)}</i></p>"

    def _failed(self) -> None:
        self._clear()  # the alert speaks: the status line says nothing

    def run(self, fault: str | None = None) -> list[tuple[str, str, str]]:
        """Run the chosen fault (or ``fault``, as Run carried it from the browser) through
        every gateway."""
        from labkit import personalities
        from labkit.conditions import Condition
        from labkit.faults import FAULTS

        if fault is None:
            fault = self.fault.value
        path = "/pool/" if fault == "pool" else f"/up/{fault}/"
        condition = Condition.NO_HEALTHY_UPSTREAM if fault == "pool" else FAULTS[fault].condition
        before = self.lab.gateway.personality
        rows = []
        acted: list[str] = []  # what each client acts on: the status code, without its phrase
        try:
            for name in self.personalities:
                # through the switch table, like a playground's or `labkit ctl personality`
                switches.apply(self.lab, "personality", {"name": name})
                # as long as lab.get waits, but not for an HTTP/0.9 passthrough's open end
                wait = scenarios.client_wait(name, condition)
                ex = self.lab.get(path, timeout=wait)
                status = render_html.status_words(ex, self.lang)
                code = str(ex.status) if ex.status is not None else status
                if ex.client_error and ex.status is not None:  # a status line, then a cut body
                    status += Msg(" (body incomplete)").render(self.lang)
                    code += Msg(" (body incomplete)").render(self.lang)
                acted.append(code)
                gw = ex.hop("gateway").sent
                title = personalities.get(name).title
                # the lab's own gateway's words (a Said) and a log line's gloss in the lab's
                # language, a real gateway's log words as logged
                why = i18n.render(_only_why(gw.why, title), self.lang) if gw else ""
                rows.append((title, status, why))
        finally:
            switches.apply(self.lab, "personality", {"name": before})
        # each gateway by its English title, which scripts look up; what the client saw and
        # why in the lab's language, as the table says them (lesson 09 prints these rows: a
        # Chinese lesson printed the whys in English beside the table until December 2026)
        self.rows = rows
        shown = [
            (personalities.get(name).title_in(self.lang), status, why)
            for name, (_, status, why) in zip(self.personalities, rows, strict=True)
        ]
        # a status line reads as one piece: it never breaks between code and reason phrase
        head = (Msg("gateway"), Msg("client sees"), Msg("why (the gateway's words)"))
        self.table.value = render_html.table(
            shown,
            tuple(h.render(self.lang) for h in head),
            nowrap=(1,),
            name=Msg("{fault} through every gateway", fault=fault).render(self.lang),
        )
        seen = [
            (name, status, code)
            for name, (_, status, _), code in zip(self.personalities, shown, acted, strict=True)
        ]
        self.table.value += "".join(
            f"<p>{html.escape(note.render(self.lang))}</p>" for note in phrase_notes(seen)
        )
        self._say(compared_line(fault, seen))
        return rows


# a code given with different reason phrases (nginx's "504 Gateway Time-out", the lab's "504
# Gateway Timeout"): one answer, which a client acts on alike (RFC 9112 4: it ignores the phrase)
SAME_STATUS = Msg("{status} (same status, different reason phrase)")


def _by_code(seen: Sequence[tuple[str, ...]]) -> dict[str, list[tuple[str, str]]]:
    """Each answer a client acts on (``seen``: a personality, what the client saw and, when
    the reason phrase is not part of it, the code alone), with the gateways and what each
    showed, in the order first given."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for name, status, *code in seen:
        groups.setdefault(code[0] if code else status, []).append((name, status))
    return groups


def phrase_notes(seen: Sequence[tuple[str, ...]]) -> list[Msg]:
    """Under the comparison's table, for each code the gateways gave with different reason
    phrases: that it is the same status, and why a client treats it so."""
    notes = []
    for given in _by_code(seen).values():
        phrases = list(dict.fromkeys(status for _, status in given))
        if len(phrases) > 1:
            notes.append(
                Msg(
                    "{phrases}: same status, different reason phrase. A client acts on the "
                    "code and ignores the phrase (RFC 9112 4).",
                    phrases=Listed(phrases),
                )
            )
    return notes


def compared_line(fault: str, seen: Sequence[tuple[str, ...]]) -> Msg:
    """The comparison's spoken line: each thing the client saw said once, after the gateways
    that gave it (``seen``: each personality's name, as the playground's list and ``labkit ctl
    personality`` spell it, and what the client saw), or that they all agree. The table under
    it keeps the titles and the whys for reading; the line repeated the whole table after each
    run (about 400 characters, Envoy's title alone 90), which a screen reader reads out whole.

    A code given with different reason phrases is one answer, said as the same status with a
    different reason phrase (``seen``'s third item: the code alone): nginx's "504 Gateway
    Time-out" beside the lab's "504 Gateway Timeout" was spoken as a disagreement."""

    def said(given: list[tuple[str, str]], code: str) -> Text:
        phrases = {status for _, status in given}
        return phrases.pop() if len(phrases) == 1 else SAME_STATUS.bind(status=code)

    groups = _by_code(seen)
    if len(groups) == 1:
        ((code, given),) = groups.items()
        return Msg(
            "{fault} through every gateway: all {count} agree: {status}.",
            fault=fault,
            count=len(seen),
            status=said(given, code),
        )
    answers = Listed(
        (
            Msg("{names}: {status}", names=Listed(n for n, _ in given), status=said(given, code))
            for code, given in groups.items()
        ),
        sentences=True,
    )
    return Msg(
        "{fault} through every gateway: they disagree: {answers}.", fault=fault, answers=answers
    )


def _only_why(why: str, title: str) -> str:
    """A gateway's why without the gateway and the status its row names already: a real
    gateway's failure says "TITLE answers 503: LOG" (gateway.py), its relay or HTTP/0.9
    passthrough "TITLE: LOG"; the row keeps LOG, as that gateway logs it (the table read
    "HAProxy 2.6.12 answers 503:" before every HAProxy log line). The lab's own gateway's
    why (the lab's reading of the RFCs) names no gateway and stays whole, a Said a panel translates; so
    does a log line with a gloss (``personalities.GLOSSES``: "503 SC-- (server side, at
    connection: refused)"), whose gloss the table showed in English until December 2026."""
    if isinstance(why, i18n.Said) and "log" in why.msg.params:
        log = why.msg.params["log"]
        return log if isinstance(log, str) else str(log)
    head = f"{title}: "
    return why[len(head) :] if why.startswith(head) else why


class DiagnosisAnswer(w.VBox):
    """The capstone's answer as two radio groups (see OneOf): which hop made the response
    (made_by) and why (cause); ``value`` is the dict a code cell would pass to ``q.check``
    (a part not chosen yet is ``...``), or None while neither part is chosen."""

    value = traitlets.Any(None, allow_none=True)

    def __init__(self, makers: Sequence[str], causes: Sequence[str], lang: str) -> None:
        titles = [
            text.render(lang)
            for text in (Msg("made_by: which hop made the response"), Msg("cause: why"))
        ]
        self.made_by = OneOf(list(makers), [glossed(m, lang) for m in makers], titles[0])
        self.cause = OneOf(list(causes), [glossed(c, lang) for c in causes], titles[1])
        heads = [w.HTML(f"<b>{html.escape(title)}</b>") for title in titles]
        row = w.HBox(
            [
                w.VBox([heads[0], self.made_by], layout=w.Layout(margin="0 2em 0 0")),
                w.VBox([heads[1], self.cause]),
            ],
            layout=w.Layout(flex_flow="row wrap"),
        )
        super().__init__([row])
        for part in (self.made_by, self.cause):
            part.observe(lambda _: self._from_parts(), names="value")

    @property
    def from_browser(self) -> bool:
        """True while an update from the browser is applied to a part (see OneOf)."""
        return self.made_by.from_browser or self.cause.from_browser

    def _from_parts(self) -> None:
        self.value = self._answer(self.made_by.value, self.cause.value)

    def chosen(self, made_by: int | None, cause: int | None) -> dict[str, Any] | None:
        """The answer for the options at these indexes (None: that part not chosen)."""
        return self._answer(self.made_by.chosen(made_by), self.cause.chosen(cause))

    @staticmethod
    def _answer(made_by: str | None, cause: str | None) -> dict[str, Any] | None:
        if made_by is None and cause is None:
            return None
        return {
            "made_by": ... if made_by is None else made_by,
            "cause": ... if cause is None else cause,
        }


# Quiz.check's default: the answer as the widget holds it in Python
_AS_HELD: Any = object()


class Quiz(_Panel):
    """A multiple-choice or short-answer exercise as a widget: answer, check, hint, solution.
    Its buttons and lines are in the learner's language; the exercise's own text as it has it."""

    HINT = Msg("Hint")
    SOLUTION = Msg("Solution")

    def __init__(self, exercise: Any) -> None:
        from labkit.exercises import Choice
        from labkit.exercises.capstone import Diagnosis
        from labkit.exercises.core import Exercise

        if not isinstance(exercise, Exercise):
            raise BadArgument(
                Msg("Quiz takes an exercise such as q1, not {given}", given=shown(exercise)).render(
                    i18n.learner_language()
                )
            )

        self._init_panel(i18n.learner_language())
        lang = self.lang
        self.exercise = exercise
        self.prompt = w.HTML(exercise.prompt_html(lang))
        if isinstance(exercise, Choice):
            # one message: Chinese sets its （...） with no space before it
            self.prompt.value = Msg(
                "{question} <i>(choose one)</i>", question=self.prompt.value
            ).render(lang)
            # the radio group named by the question, as a screen reader meets it
            question = html.unescape(re.sub(r"<[^>]+>", "", self.prompt.value))
            self.answer: w.Widget = OneOf(
                exercise.options, [exercise.label(o, lang) for o in exercise.options], question
            )
        elif isinstance(exercise, Diagnosis):
            # the capstone's diagnosis (lesson 08): a hop and a cause, each one of a list; a
            # text box could not hold the dict its check takes
            from labkit.exercises.capstone import CAUSES, MAKERS

            # its question without the code cell's "Answer {'made_by': ..., 'cause': ...}":
            # here the answer is chosen
            self.prompt.value = Msg(
                "<b>{id}</b>: Incident {number} ({report}): which hop made the response, and "
                "why? <i>(choose one of each)</i>",
                id=html.escape(exercise.id),
                number=exercise.incident.number,
                report=html.escape(exercise.incident.report_text.render(lang)),
            ).render(lang)
            self.answer = DiagnosisAnswer(MAKERS, list(CAUSES), lang)
        else:
            # a short answer (Quiz(q1) of lesson 04, or any a learner makes) goes to Python once,
            # when the box is left, and Check carries it (a Press, as lesson 02's Send): typed
            # fast, Tab, Enter on Check checked its first keystrokes, then, under load, the
            # answer before (jupyter-widgets/ipywidgets#1382, widgets/press.py)
            self.answer = w.Text(
                placeholder=Msg("your answer").render(lang),
                description=Msg("Answer").render(lang),
                continuous_update=False,
            )
        self.feedback = w.HTML()
        # Check carries the answer the browser showed when it was pressed (a Press, as lesson
        # 02's Send): the box's words or the radio groups' choices could reach Python after
        # the press (jupyter-widgets/ipywidgets#1382, widgets/press.py)
        words = Msg("Check").render(lang)
        answer = self.answer
        if isinstance(answer, (OneOf, DiagnosisAnswer)):
            parts = [answer] if isinstance(answer, OneOf) else [answer.made_by, answer.cause]
            chosen = answer.chosen
            self.check_button = Press(
                [(part, "index") for part in parts], description=words, button_style="primary"
            )
            self.check_button.on_press(self._safe(lambda *index: self.check(chosen(*index))))
            # A choice is said from Check's copy of it, in order with the presses: said from
            # the radio group's own update, which can come after a Check pressed later, it
            # replaced that Check's verdict with "Press Check to check it". A choice made from
            # Python (a script) has no copy from the browser yet: said here.
            self.check_button.on_copy(self._safe(lambda *index: self._said_chosen(chosen(*index))))
            said_where_made(answer, self.check_button, self._said_chosen)
        else:
            self.check_button = Press([answer], description=words, button_style="primary")
            self.check_button.on_press(self._safe(lambda typed: self.check(typed)))
        # Hint and Solution are Presses, as every other button, and each of the three
        # follows Hint's and Solution's presses (Press.follow): as plain Buttons, never
        # echoed, their clicks always waited behind a running cell on the main shell, while
        # a Check that had answered once ran at once on its subshell (JupyterLab's default,
        # tests/test_browser_busy.py), and a hint pressed before Check stood over its
        # verdict. Check, which carries the answer, is followed by none: a second Check held
        # back behind its first can still come after a Hint pressed later
        self.hint_button = Press([], description=self.HINT.render(lang))
        self.solution_button = Press([], description=self.SOLUTION.render(lang))
        self.hint_button.on_press(self._safe(lambda: self._hint()))
        self.solution_button.on_press(
            self._safe(lambda: self._note(exercise.solution(), self.SOLUTION))
        )
        for press in (self.check_button, self.hint_button, self.solution_button):
            press.follow([self.hint_button, self.solution_button])
        buttons = w.HBox([self.check_button, self.hint_button, self.solution_button])
        super().__init__(
            [
                self._style,
                self.prompt,
                self.answer,
                buttons,
                self.status,
                self.feedback,
                self.message,
            ]
        )

    def _failed(self) -> None:
        self.feedback.value = ""

    def _said_chosen(self, value: Any) -> None:
        """Say the answer chosen (an option, or a diagnosis's dict; None: none chosen)."""
        lang = self.lang
        if value is None:
            self._say(Msg("No answer chosen."))
        elif isinstance(value, dict):
            self._say(
                Msg(
                    "Your answer: made_by {made_by}, cause {cause}. Press Check to check it.",
                    made_by=_chosen(value["made_by"], lang),
                    cause=_chosen(value["cause"], lang),
                )
            )
        else:
            from labkit.exercises import Choice

            assert isinstance(self.exercise, Choice)
            # the option as its radio button shows it, its words beside it (a Chinese status
            # line read "你的答案：leaks internals。" until December 2026)
            self._say(
                Msg(
                    "Your answer: {answer}. Press Check to check it.",
                    answer=self.exercise.label(value, lang),
                )
            )

    def check(self, answer: Any = _AS_HELD) -> Any:
        """Check the answer shown (``answer``: as Check carried it from the browser, which can
        be ahead of the answer's value here; by default the value here)."""
        value = self.answer.value if answer is _AS_HELD else answer
        result = self.exercise.check(... if value in (None, "") else value, asker=QUIZ_ASKER)
        said: Msg
        if value in (None, ""):  # the exercise's own words speak of a cell's `...`
            how = (
                Msg("choose one of the answers")
                if isinstance(self.answer, (OneOf, DiagnosisAnswer))
                else Msg("type it")
            )
            result.message = Msg("not answered yet: {how}, then press Check.", how=how).render(
                self.lang
            )
            # the whole reason is the step, short enough to say in the line itself
            said = Msg(
                "Checked: {verdict}: {how}, then press Check.", verdict=result.label, how=how
            )
        else:
            # The box under the line shows the message; the line says the verdict and where
            # the reason is (it used to repeat the message, read twice; then said only
            # "Checked: Not yet.", and a screen-reader learner had to guess the reason was
            # there, where "Hint 1 of 2: shown below." said so)
            said = Msg("Checked: {verdict}. Why: shown below.", verdict=result.label)
        self.feedback.value = result._repr_html_()
        self._say(said)
        return result

    def _hint(self) -> None:
        """The next hint, below those shown before it. The count is the exercise's, shared
        with a code cell's ``q1.hint()`` (and kept in the progress file): after one in a cell
        the panel's first Hint said "Hint 2 of 3" with no hint 1 in sight (lesson 08)."""
        from labkit.exercises.core import Note

        exercise = self.exercise
        before = exercise.hints_shown()
        self._note(exercise.hint(asker=QUIZ_ASKER), self.HINT)
        total = len(exercise.hint_texts)
        if 0 < before < total:  # a new hint, after others: each of those above it
            earlier = (
                Note(
                    Msg("Hint {number} of {count}", number=i + 1, count=total).render(self.lang),
                    i18n.render(exercise.hint_texts[i], self.lang),
                    self.lang,
                )._repr_html_()
                for i in range(before)
            )
            self.feedback.value = "".join(earlier) + self.feedback.value

    def _note(self, note: Any, what: Msg) -> None:
        if what is self.HINT and not self.exercise.hint_texts:
            # the exercise's own note (titled "No hints", naming its .solution()) would read
            # "Hint: No hints" here and speak of a method where this widget has a button; the
            # box keeps the last check
            self._say(Msg("This question has no hints. Press Solution if you are stuck."))
            return
        self.feedback.value = note._repr_html_()
        # its title only ("Hint 1 of 2", "Solution"): the box shows its text, once
        named = (str(what), what.render(self.lang))  # as the exercise names itself
        title = note.title
        title_said = (
            title if title.startswith(named) else Msg("{what}: {title}", what=what, title=title)
        )
        self._say(Msg("{title}: shown below.", title=title_said))


# The quiz panel's learner, who presses Hint: its feedback and hints say so (a wrong answer
# in the panel read the notebook's "q4.hint()" words replaced after the fact until December
# 2026, and lesson 08's "after 3 wrong tries" feedback ".hint()", which the panel has not)
QUIZ_ASKER = Asker(
    Msg("(Stuck? Press Hint.)"), Msg("(press Hint again for another)"), Msg("the Hint button")
)


def _chosen(part: Any, lang: str) -> str:
    """A part of a diagnosis as the status line says it: its word, or "not chosen yet"."""
    return Msg("not chosen yet").render(lang) if part is ... else glossed(str(part), lang)


# The capstone's hops and causes in the learner's words, shown beside the word its check
# takes, as a Choice's options are (core.Choice.label): a Chinese learner ticked
# "no-healthy-upstream" or "cached-error" with no word of Chinese until December 2026. The
# words are those the answer matcher also takes (answers.py).
DIAGNOSIS_WORDS = {
    "client": Msg("client", context="option"),
    "portal": Msg("portal", context="option"),
    "gateway": Msg("gateway", context="option"),
    "origin": Msg("origin", context="option"),
    "upstream": Msg("upstream", context="option"),
    "maintenance": Msg("maintenance", context="option"),
    "overload": Msg("overload", context="option"),
    "handler-bug": Msg("handler-bug", context="option"),
    "cached-error": Msg("cached-error", context="option"),
    "invalid-response": Msg("invalid-response", context="option"),
    "refused": Msg("refused", context="option"),
    "connect-timeout": Msg("connect-timeout", context="option"),
    "read-timeout": Msg("read-timeout", context="option"),
    "no-healthy-upstream": Msg("no-healthy-upstream", context="option"),
    "network-login": Msg("network-login", context="option"),
}


def glossed(word: str, lang: str) -> str:
    """``word`` (a hop or a cause a diagnosis takes) with its words in ``lang`` beside it,
    ``cached-error（缓存的错误）``; as it is where the catalogue has none (English)."""
    words = DIAGNOSIS_WORDS[word].render(lang) if word in DIAGNOSIS_WORDS else word
    return (
        word if words == word else Msg("{option} ({words})", option=word, words=words).render(lang)
    )


def playground(lab: Lab, lesson: str) -> Playground:
    return Playground(lab, lesson)  # which checks its arguments
