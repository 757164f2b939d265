"""A progress bar a screen reader can read: a native ``<progress>`` named by its ``<label>``.

ipywidgets' ``IntProgress`` draws two ``div`` s, one as wide as the share done: no role, no
name, no value in the accessibility tree, so the 503 playground's burst moved a bar that a
screen reader did not know was there. A ``<progress>`` element is a ``progressbar`` with its
value and maximum; ``aria-valuetext`` says them in words ("7 of 10 requests answered"), and
the same words are shown beside the bar (``aria-hidden``: the bar says them already). The
result of the burst is announced by the panel's live region, once, when it is over: a live
line for each answer would talk over itself.
"""

from __future__ import annotations

import anywidget
import traitlets

from labkit import i18n
from labkit.i18n import Msg
from labkit.render.palette import JP_ACCENT, JP_LABEL

__all__ = ["Progress"]

_ESM = """
let made = 0;
function render({ model, el }) {
  const id = `labkit-progress-${Date.now().toString(36)}-${made++}`;
  const label = document.createElement("label");
  const bar = document.createElement("progress");
  const words = document.createElement("span");
  label.htmlFor = id;
  bar.id = id;
  words.setAttribute("aria-hidden", "true");
  el.classList.add("labkit-progress");
  el.append(label, bar, words);
  const show = () => {
    label.textContent = model.get("description");
    bar.max = Math.max(1, model.get("max"));
    bar.value = model.get("value");
    bar.setAttribute("aria-valuetext", model.get("said"));
    words.textContent = model.get("said");
  };
  show();
  model.on("change", show);
  return () => model.off("change", show);
}
export default { render };
"""

_CSS = f"""
.labkit-progress {{ display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin: 2px 0;
  color: {JP_LABEL}; font-size: var(--jp-widgets-font-size); }}
.labkit-progress progress {{ width: 12em; accent-color: {JP_ACCENT}; }}
"""


class Progress(anywidget.AnyWidget):
    """How many of ``max`` are done (``value``), labelled ``description``, in ``lang``."""

    _esm = _ESM
    _css = _CSS
    value = traitlets.Int(0).tag(sync=True)
    max = traitlets.Int(1).tag(sync=True)
    description = traitlets.Unicode("").tag(sync=True)
    said = traitlets.Unicode("").tag(sync=True)

    def __init__(self, description: str, total: int, lang: str = i18n.ENGLISH) -> None:
        self.lang = lang
        super().__init__(description=description, max=total)
        self._words()
        self.observe(lambda _: self._words(), names=["value", "max"])

    def _words(self) -> None:
        self.said = Msg(
            "{done} of {n} request answered",
            plural="{done} of {n} requests answered",
            n=self.max,
            done=self.value,
        ).render(self.lang)
