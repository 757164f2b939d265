"""A number box whose words are read in Python, so a value it cannot take is refused aloud.

ipywidgets' ``FloatText`` and ``IntText`` parse what is typed in the browser: an empty box,
letters or ``1e400`` were put back to the last number without a word (and ``Bounded*Text``
clamped -5 to 0, silently too). Here the browser only sends the words, on Enter or when the
box loses focus after a keystroke; Python reads them (``NumberBox.typed``) with the switch
table's ``Param.parse`` (the same rules as ``labkit ctl``), and either takes the value or puts
the last good value back in the box and tells the panel, which says in its alert what was
wrong and what is allowed.

The words go as a message, not as a synced ``text``: a synced trait that does not change
sends nothing and tells no observer, so after "abc" was refused (the box showing 0.5 again),
typing 0.5 and Enter did nothing and the refusal stayed on screen. A value taken that equals
the one held is told to ``value``'s observers again (``told_again``): the panel then applies
and confirms it as any other. The browser also writes the words into its own ``text`` (never sent
back as the box's state), so that a button carrying the box (widgets/press.py) copies the words
shown when it is pressed, which Python reads with the same rule (``NumberBox.read``).

The element is a native ``<input>`` named by its ``<label>``, so the keyboard and screen
readers reach it as any text box; its colours are JupyterLab's widget variables. A disabled
box (a capacity while "unlimited" is ticked) is dimmed as ipywidgets dims its own controls:
it was drawn as any other, its number looking in force beside the ticked "unlimited".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import anywidget
import ipywidgets as w
import traitlets

from labkit import i18n
from labkit.errors import BadArgument, number
from labkit.render.palette import (
    JP_DISABLED,
    JP_INPUT_BORDER,
    JP_INPUT_PAPER,
    JP_INPUT_TEXT,
    JP_LABEL,
)
from labkit.switches import Param
from labkit.widgets.press import FromBrowser

__all__ = ["NumberBox", "told_again"]

_ESM = """
let made = 0;
function render({ model, el }) {
  // anywidget may evaluate this module once per box, so `made` alone repeats, and boxes
  // drawn in the same millisecond took the same id: a label names only the first element
  // with its id, so the others had no name (05's head timeout box). A random part each.
  const id = `labkit-number-${Math.random().toString(36).slice(2)}-${made++}`;
  const label = document.createElement("label");
  const input = document.createElement("input");
  label.htmlFor = id;
  input.id = id;
  input.type = "text";
  input.inputMode = model.get("integer") ? "numeric" : "decimal";
  input.autocomplete = "off";
  input.spellcheck = false;
  el.classList.add("labkit-number");
  el.append(label, input);
  const show = () => {
    label.textContent = model.get("description");
    input.value = model.get("text");
    input.disabled = model.get("disabled");
  };
  show();
  // what was typed goes to Python as it is, even the words the box already shows (a value
  // retyped after a refusal); Python answers with the text to show
  let typed = false;  // a keystroke since the words last went to Python
  // `text` is set here too, never sent as the box's own state: a button carrying the box
  // (widgets/press.py) copies it in the browser, so its press takes the words shown
  const commit = () => {
    typed = false;
    model.set("text", input.value);
    model.send({ typed: input.value });
  };
  const keys = (event) => {
    if (event.key === "Enter") commit();
    if (event.key === "Escape") {
      input.value = model.get("text");
      typed = false;
    }
  };
  // an answer to words since typed over is stale: it would put them back, here and in the
  // copy a button carries
  const answer = (msg) => {
    if (!msg || typeof msg.show !== "string") return;
    if (typeof msg.typed === "string" && msg.typed !== model.get("text")) return;
    input.value = msg.show;
    model.set("text", msg.show);
  };
  input.addEventListener("input", () => { typed = true; });
  input.addEventListener("blur", () => { if (typed) commit(); });
  input.addEventListener("keydown", keys);
  model.on("change:text change:description change:disabled", show);
  model.on("msg:custom", answer);
  return () => {
    model.off("change:text change:description change:disabled", show);
    model.off("msg:custom", answer);
  };
}
export default { render };
"""

_CSS = f"""
.labkit-number {{ display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin: 2px 0; }}
.labkit-number label {{ color: {JP_LABEL}; font-size: var(--jp-widgets-font-size); }}
.labkit-number input {{ width: 9em; box-sizing: border-box; padding: 2px 6px;
  height: var(--jp-widgets-inline-height); font-family: inherit;
  font-size: var(--jp-widgets-font-size); color: {JP_INPUT_TEXT}; background: {JP_INPUT_PAPER};
  border: var(--jp-widgets-border-width) solid {JP_INPUT_BORDER}; }}
.labkit-number input:disabled {{ opacity: {JP_DISABLED}; cursor: not-allowed; }}
"""


def told_again(widget: traitlets.HasTraits, name: str = "value") -> None:
    """Tell the observers of ``widget.name`` its value once more, unchanged.

    traitlets tells observers only of a change; a learner who types the value a box already
    holds (after a refusal, say) is asking for it all the same, and the panel answers as for
    a new one (applies it, confirms it, clears the refusal)."""
    value = getattr(widget, name)
    widget.notify_change(
        traitlets.Bunch(name=name, old=value, new=value, owner=widget, type="change")
    )


class NumberBox(FromBrowser, anywidget.AnyWidget, w.ValueWidget):
    """One number, typed as text: ``value`` is the last good number; ``text`` what the box shows.

    ``param`` gives its label (``Param.title``), its kind (whole or not) and its range. The
    browser hands each entry to ``typed``; a text ``param.parse`` refuses is put back to
    ``value`` and the refusal is passed to each ``on_refused`` callback (raised when there is
    none)."""

    _esm = _ESM
    _css = _CSS
    value = traitlets.Any(None)
    text = traitlets.Unicode("").tag(sync=True)
    description = traitlets.Unicode("").tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)
    integer = traitlets.Bool(False).tag(sync=True)

    def __init__(self, param: Param, value: float, lang: str = i18n.ENGLISH) -> None:
        # None is the job of NumberOrNone's checkbox, never a word in the box
        self.param = dataclasses.replace(param, nullable=False)
        self._refused: list[Callable[[BadArgument], None]] = []
        # words a button's copy carried and this box refused before its own message with
        # them came (``read_carried``): that message then refuses them quietly
        self._told: str | None = None
        self.lang = lang
        self.title = param.title_in(lang)  # its label, which messages name it by
        # what else its refusals say the learner can do: a NumberOrNone's checkbox
        self.or_else = ""
        super().__init__(description=self.title, integer=param.kind is int)
        self.value = value
        self._write(value)
        self.observe(lambda change: self._write(change["new"]), names="value")
        self.on_msg(self._message)

    def on_refused(self, callback: Callable[[BadArgument], None]) -> None:
        """Call ``callback`` with the BadArgument when a typed text is refused."""
        self._refused.append(callback)

    def _should_send_property(self, key: str, value: Any) -> bool:
        # the text of words the browser sent goes back as the answer to them (``_answer``),
        # which the browser drops once other words were typed: sent as the box's state too,
        # a late one put earlier words back in the box and in a button's copy of them
        if key == "text" and self.from_browser:
            return False
        return bool(super()._should_send_property(key, value))

    def typed(self, words: str) -> None:
        """The learner's entry (Enter, or the box left after a keystroke): take the number it
        says, even the one already held, or refuse it aloud; the box then shows what applies."""
        told, self._told = self._told, None
        try:
            value = self.read(words)
        except BadArgument as exc:
            self._answer(words)  # the box shows again what applies
            if words == told:  # said already, with the press that carried them
                return
            if not self._refused:
                raise
            for callback in self._refused:
                callback(exc)
            return
        if value == self.value:
            told_again(self)
        else:
            self.value = value
        self._answer(words)  # as Python reads it: １２ shows as 12, ' 3 ' as 3

    def read(self, words: str) -> Any:
        """``words`` as this box's value (words a button carried from the browser: the box's
        own message with them can come after the press), or BadArgument saying what is
        allowed; the box and its value are left as they are."""
        return self.param.parse(words, named=self.title, lang=self.lang, or_else=self.or_else)

    def read_carried(self, words: str) -> Any:
        """``read`` for the words a button's copy of the box carried: words it refuses are
        refused by the press, and the box's own message with them, which can come after the
        press (on another kernel thread, over subshells), refuses them again without a word:
        it said them over the press's "not done" line, and the next press was not done
        either (the flaky browser test of December 2026)."""
        try:
            return self.read(words)
        except BadArgument:
            if words != self.text:  # not the box's words here: its message is still to come
                self._told = words
            raise

    def refused_ahead(self, words: str) -> bool:
        """Whether ``read_carried`` refused ``words`` ahead of the box's own message."""
        return self._told == words

    def _message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and isinstance(content.get("typed"), str):
            # a panel whose button carries the box says a value typed there from the
            # button's copy, in order with its presses (FromBrowser)
            with self.from_the_browser():
                self.typed(content["typed"])

    def _write(self, value: Any) -> None:
        self.text = "" if value is None else number(value)

    def _answer(self, words: str) -> None:
        """The box's words to the browser, even when ``text`` did not change (the browser's
        box holds what was typed, which a synced trait knows nothing of), as the answer to
        ``words``."""
        self._write(self.value)
        self.send({"show": self.text, "typed": words})
