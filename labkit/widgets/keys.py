"""Arrow keys on a panel's drop-down list choose, as they do outside JupyterLab.

JupyterLab (Lumino, ``bubblingKeydown``) reads its shortcuts from a keydown that bubbles up
to the document: ↓ on a focused, closed drop-down list in a panel went to the next notebook
cell, taking the focus out of the panel, instead of choosing the next option (measured in
Chromium with JupyterLab 4.6: the Scenario list kept its choice and cell 1 became active).
One listener on the window, in the capture phase, stops an arrow key's keydown on its way
down when it is meant for a ``<select>`` inside a labkit panel: the browser's own action
(the next or previous option, and the change event ipywidgets sends to the kernel) still
happens, and the notebook never sees the key. A key with Alt, Ctrl, Meta or Shift (Alt+↓
opens the list) and every other key go on as before. Radio groups keep their arrows
themselves (oneof.py); JupyterLab leaves keys typed in a text box alone.
"""

from __future__ import annotations

import anywidget

__all__ = ["ArrowKeys"]

# Installed once per page, by the first panel drawn; the element itself shows nothing
_ESM = """
const ARROWS = ["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"];
function keep(event) {
  const target = event.target;
  if (ARROWS.includes(event.key) && !event.altKey && !event.ctrlKey && !event.metaKey
      && !event.shiftKey && target instanceof HTMLSelectElement
      && target.closest(".labkit-panel"))
    event.stopPropagation();
}
function render() {
  if (!window.labkitArrowKeys) {
    window.addEventListener("keydown", keep, true);
    window.labkitArrowKeys = true;
  }
}
export default { render };
"""


class ArrowKeys(anywidget.AnyWidget):
    """Nothing to see: drawn in a panel, it gives the page's drop-down lists in labkit
    panels their arrow keys back (see the module's docstring)."""

    _esm = _ESM
