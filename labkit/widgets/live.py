"""A live region that stays in place, so that screen readers announce each new line.

A screen reader announces a change inside a live region that is already on the page;
a region that arrives with its words already in it is, for most of them, not announced
at all (WAI-ARIA 1.2, 6.3.1 Live Region Attributes). ipywidgets' ``HTML`` widget replaces
all of its content whenever its value changes, so a ``role=status`` element written in
that value was a new element after every action. This widget's own element carries the
role and ``aria-live`` from the moment it is drawn; later values only set its text.
"""

from __future__ import annotations

import anywidget
import traitlets

from labkit.errors import unknown

__all__ = ["LiveRegion"]

# Where JupyterLab (or Notebook 7, VS Code, Colab) draws the widget: the element is made
# once per view; each new value replaces its text, never the element.
_ESM = """
function render({ model, el }) {
  const role = model.get("role");
  el.classList.add("labkit-live", role === "alert" ? "labkit-error" : "labkit-status");
  el.setAttribute("role", role);
  el.setAttribute("aria-live", role === "alert" ? "assertive" : "polite");
  el.setAttribute("aria-atomic", "true");
  const show = () => { el.textContent = model.get("value"); };
  show();
  model.on("change:value", show);
  return () => model.off("change:value", show);
}
export default { render };
"""

# A run of spaces shows as it was typed: a refusal quotes what was typed ('/a  b'), which
# HTML text collapsed to '/a b', a value the learner had not typed
_CSS = ".labkit-live { white-space: pre-wrap; }"

ROLES = {"status": "polite", "alert": "assertive"}


class LiveRegion(anywidget.AnyWidget):
    """One line of plain text in a live region: ``role='status'`` (polite) for what an
    action did, ``role='alert'`` (assertive) for what went wrong."""

    _esm = _ESM
    _css = _CSS
    value = traitlets.Unicode("").tag(sync=True)
    role = traitlets.Unicode("status").tag(sync=True)

    def __init__(self, role: str = "status") -> None:
        if role not in ROLES:
            raise unknown("live region role", role, ROLES)
        super().__init__(role=role)

    def say(self, text: str) -> None:
        """Set the line; emptied first, so the same words twice are announced twice."""
        self.value = ""
        self.value = text
