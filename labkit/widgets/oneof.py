"""One answer out of several: a radio group, whose arrow keys JupyterLab does not take.

A one-answer question was drawn as checkboxes under "(choose one)", since inside JupyterLab
a radio group's arrow keys moved to the next cell instead of the next option. Screen readers
read checkboxes as "tick any", whatever the words above them say. Here the options are
native radio buttons (``role=radio`` with their checked state, in a ``role=radiogroup``
named by the question), so a screen reader says "radio button, 2 of 4" and a sighted learner
sees round buttons; the group keeps its own keys: Tab enters it at the chosen option (the
first while none is), the arrow keys move the choice, Space chooses the focused option.

JupyterLab (Lumino, ``bubblingKeydown``) reads its shortcuts from a keydown that bubbles up
to the document; the group stops an arrow key's keydown on its way up (its default action,
the browser moving the choice, still happens), so the notebook never sees it. Every other key
goes on: Shift+Enter still runs the cell, Escape still leaves it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import anywidget
import traitlets

from labkit.errors import refuse
from labkit.i18n import Listed, Msg
from labkit.render.palette import JP_LABEL
from labkit.widgets.press import FromBrowser

__all__ = ["OneOf"]

_ESM = """
const ARROWS = ["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"];
function render({ model, el }) {
  // one name per drawing: a group drawn twice (the cell's output shown in two views) is two
  // groups, each with its own choice shown
  const name = `labkit-oneof-${Math.random().toString(36).slice(2)}`;
  const group = document.createElement("div");
  group.setAttribute("role", "radiogroup");
  group.className = "labkit-oneof";
  const inputs = [];
  const draw = () => {
    group.setAttribute("aria-label", model.get("name"));
    group.replaceChildren();
    inputs.length = 0;
    model.get("labels").forEach((words, k) => {
      const row = document.createElement("label");
      const input = document.createElement("input");
      input.type = "radio";
      input.name = name;
      input.value = String(k);
      input.addEventListener("change", () => {
        if (input.checked) { model.set("index", k); model.save_changes(); }
      });
      const text = document.createElement("span");
      text.textContent = words;
      row.append(input, text);
      group.append(row);
      inputs.push(input);
    });
    show();
  };
  const show = () => {
    const chosen = model.get("index");
    inputs.forEach((input, k) => { input.checked = k === chosen; });
  };
  group.addEventListener("keydown", (event) => {
    if (ARROWS.includes(event.key) && !event.altKey && !event.ctrlKey && !event.metaKey)
      event.stopPropagation();
  });
  el.append(group);
  draw();
  model.on("change:index", show);
  model.on("change:labels", draw);
  model.on("change:name", draw);
  return () => {
    model.off("change:index", show);
    model.off("change:labels", draw);
    model.off("change:name", draw);
  };
}
export default { render };
"""

_CSS = f"""
.labkit-oneof {{ display: flex; flex-direction: column; gap: 2px; margin: 2px 0;
  color: {JP_LABEL}; font-size: var(--jp-widgets-font-size); }}
.labkit-oneof label {{ display: flex; align-items: center; gap: 6px; cursor: pointer;
  min-height: var(--jp-widgets-inline-height); }}
.labkit-oneof input {{ flex: none; margin: 0; }}
"""


class Option:
    """One option of a :class:`OneOf`, as a script or a test reaches it: its words
    (``description``) and whether it is the chosen one (``value``; setting it True chooses
    it, as Space or a click on its radio button does, False clears the choice if it was)."""

    def __init__(self, group: OneOf, index: int, description: str) -> None:
        self.group = group
        self.index = index
        self.description = description

    @property
    def value(self) -> bool:
        return self.group.index == self.index

    @value.setter
    def value(self, chosen: bool) -> None:
        if chosen:
            self.group.index = self.index
        elif self.group.index == self.index:
            self.group.index = None


class OneOf(FromBrowser, anywidget.AnyWidget):
    """One of ``options`` (``value``, None while none is chosen), each shown as its
    ``labels`` entry beside a radio button, the group named ``name`` for screen readers
    (the question)."""

    _esm = _ESM
    _css = _CSS
    labels = traitlets.List(traitlets.Unicode()).tag(sync=True)
    name = traitlets.Unicode("").tag(sync=True)
    index = traitlets.Int(None, allow_none=True).tag(sync=True)  # the chosen option's
    value = traitlets.Any(None, allow_none=True)

    def __init__(
        self, options: Sequence[str], labels: Sequence[str] | None = None, name: str = ""
    ) -> None:
        self.options = list(options)
        shown = list(labels or self.options)
        super().__init__(labels=shown, name=name)
        self.boxes = [Option(self, k, words) for k, words in enumerate(shown)]
        self.observe(self._from_index, names="index")
        self.observe(self._to_index, names="value")

    @traitlets.validate("value")
    def _check(self, proposal: Any) -> Any:
        value = proposal["value"]
        if value is not None and value not in self.options:
            raise refuse(
                Msg(
                    "choose one of {options}, not {value}",
                    options=Listed(repr(option) for option in self.options),
                    value=repr(value),
                )
            )
        return value

    @traitlets.validate("index")
    def _check_index(self, proposal: Any) -> Any:
        index = proposal["value"]
        if index is not None and not 0 <= index < len(self.options):
            raise traitlets.TraitError(f"no option {index}: there are {len(self.options)}")
        return index

    def chosen(self, index: int | None) -> str | None:
        """The option at ``index`` (None: none chosen), as ``value`` holds it."""
        return None if index is None else self.options[index]

    def _from_index(self, change: Any) -> None:
        self.value = self.chosen(change["new"])

    def _to_index(self, change: Any) -> None:
        value = change["new"]
        self.index = None if value is None else self.options.index(value)
