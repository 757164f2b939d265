"""A button whose press reaches Python with the words its boxes showed when it was pressed.

ipywidgets 8 sends a box's new value to the kernel as a state update of the box's own model,
and holds that update back while the model's previous one is unanswered (the kernel busy
with another request, a slow cell), but sends a Button's click at once, as a message of its
own (jupyter-widgets/ipywidgets#1382). A box edited twice while the kernel was busy, then
Send pressed: the click reached Python before the box's last words, and the action used the
earlier ones (lesson 02's playground sent the old path under load). Sending a box's words
only when it is left narrows that, and cannot close it.

Here the press is a change of the button's own state, and each box's value is copied into
that same model in the browser (``jsdlink``): the copies and the press are updates of one
model, which ipywidgets sends in order and merges while one is unanswered, so a press never
reaches Python before the words the boxes showed when it was pressed, and Python acts on
those. The press is a count (``presses``), which the button's few lines of JavaScript add
one to at each click: two presses merged into one update (made while an earlier one was
unanswered) are still two. A ToggleButton's flipped value, used before, merged them into
one, and Send pressed twice fast while a request was answered sent once.

A playground's Run and every button of it that sends a request carry its switch controls'
boxes too (``Press.carry``, ``SwitchControls.take`` in widgets/__init__.py): a switch whose
checkbox was ticked and cleared while the kernel was busy burst at the capacity before, as
the cleared box's update came after the click.

Each button's update is its own, though, and held back on its own: "log in", "log out", "log
out", "log in" pressed behind a busy cell reached Python as log in, log out, log in, log out
(each second press held until its first was answered, then sent in the order the first ones
were), and the learner, whose last press was "log in", was logged out. So each press also
carries when it was made (``stamp``, a count of the page's presses in the order made), and a
button carries the presses and stamps of the panel's buttons it follows (``Press.follow``: a
switch's actions, a quiz's Hint and Solution): before its own press is done, theirs made
before it and not done yet are, in the order they were made, and the learner's last press
wins.

The button has the look and the role of a plain button (ipywidgets' Button classes).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import anywidget
import ipywidgets as w
import traitlets

# A plain button (ipywidgets' classes, so its look and the panel's focus ring are a Button's)
# whose click adds one to ``presses`` and sends it with the copies: merged with presses made
# while an earlier update is unanswered, the count still says how many there were.
_ESM = """
// every press of the page, counted in the order made, whichever button: the count starts
// at the clock's milliseconds, so that the page opened again counts on above its presses
function pressedNow() {
  globalThis.labkitPressed = Math.max((globalThis.labkitPressed || 0) + 1, Date.now());
  return globalThis.labkitPressed;
}

function render({ model, el }) {
  const button = document.createElement("button");
  button.className = "jupyter-widgets jupyter-button widget-button labkit-press";
  const draw = () => {
    button.textContent = model.get("description");
    button.title = model.get("tooltip") || "";
    button.classList.toggle("mod-primary", model.get("button_style") === "primary");
  };
  draw();
  model.on("change:description change:tooltip change:button_style", draw);
  button.addEventListener("click", () => {
    model.set({ stamp: pressedNow(), presses: model.get("presses") + 1 });
    model.save_changes();
  });
  el.classList.add("labkit-press-host");
  el.append(button);
  return () => model.off(null, draw);
}
export default { render };
"""


# its box: as wide as a Button (or as its ``layout`` says), with a Button's margin
_CSS = """
.labkit-press-host { display: inline-flex; width: var(--jp-widgets-inline-width-short);
  margin: var(--jp-widgets-margin); }
.labkit-press-host > .labkit-press { flex: 1 1 auto; width: auto; margin: 0; }
"""


class FromBrowser:
    """A widget that knows when the change applied comes from the browser (a click, a key, a
    number box's words): a panel says such a change in order with its button's press
    (``Press.on_copy``), not from the widget's own update, which can arrive after the press;
    one made in Python it says where it is made (``said_where_made``). The one shape of
    "this change came from the browser" for the radio groups, the fault list and the number
    boxes, whose words come as a message of their own (widgets/number.py)."""

    from_browser = False

    @contextlib.contextmanager
    def from_the_browser(self) -> Iterator[None]:
        """While what the browser sent is applied."""
        self.from_browser = True
        try:
            yield
        finally:
            self.from_browser = False

    def set_state(self, sync_data: dict[str, Any]) -> None:
        with self.from_the_browser():
            super().set_state(sync_data)  # type: ignore[misc]


def said_where_made(widget: Any, press: Press, say: Callable[[Any], None]) -> None:
    """Say each new ``value`` of ``widget`` (a FromBrowser, or a widget of them) made in
    Python (a script, a test) where it is made, after copying it into ``press``'s copies
    (``Press.mirror``), so that the browser's copy of it, when it comes, is no change. A
    value chosen or typed in the browser is said from ``press``'s copy of it instead
    (``Press.on_copy``), in order with the presses: said from the widget's own update,
    which can come after a press made later, it replaced that press's result."""

    def changed(change: dict[str, Any]) -> None:
        if not widget.from_browser:
            press.mirror()
            say(change["new"])

    widget.observe(changed, names="value")


class Press(anywidget.AnyWidget):
    """A button that carries the values of ``boxes`` to its handlers (``on_press``): as the
    browser showed them when pressed, or, pressed from Python (``click``), as the boxes hold
    them there. A box is a widget whose synced ``value`` is carried, or a (widget, trait)
    pair naming another synced trait (a radio group's ``index``, widgets/oneof.py)."""

    _esm = _ESM
    _css = _CSS
    description = traitlets.Unicode("").tag(sync=True)
    tooltip = traitlets.Unicode(None, allow_none=True).tag(sync=True)
    button_style = traitlets.Unicode("").tag(sync=True)
    # the presses made in the browser, counted there
    presses = traitlets.Int(0).tag(sync=True)
    # when the last of them was made: its place among the page's presses (the browser's count)
    stamp = traitlets.Int(0).tag(sync=True)

    def __init__(self, boxes: Sequence[w.Widget | tuple[w.Widget, str]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._boxes: list[tuple[w.Widget, str]] = []
        self._copies: list[str] = []
        self._links: list[w.Widget] = []
        self._handlers: list[Callable[..., None]] = []
        self._copy_handlers: list[Callable[..., None]] = []
        # the presses handled, of those counted in the browser: a later press of another
        # button can carry this one's count and have it handled first (``catch_up``), and
        # the kernel can handle the two buttons' messages on two threads
        self._handled = 0
        self._handling = threading.Lock()
        # the buttons followed (``follow``), with the names of this one's copies of their
        # presses and stamps
        self._followed: list[tuple[Press, str, str]] = []
        self.carry(boxes)

    def carry(self, boxes: Sequence[w.Widget | tuple[w.Widget, str]]) -> None:
        """Carry ``boxes`` too, after those carried already: their values come last to the
        handlers. A playground's switch controls are laid out after some of the buttons
        that send its requests, and each such button carries them (widgets/__init__.py)."""
        pairs = [box if isinstance(box, tuple) else (box, "value") for box in boxes]
        names = [f"typed_{len(self._boxes) + i}" for i in range(len(pairs))]
        self.add_traits(**{name: traitlets.Any().tag(sync=True) for name in names})
        for name, (box, trait) in zip(names, pairs, strict=True):
            setattr(self, name, getattr(box, trait))
        self._boxes += pairs
        self._copies += names
        # in the browser only: a value set from Python reaches the box, then its copy, there
        self._links += [
            w.jsdlink((box, trait), (self, name))
            for name, (box, trait) in zip(names, pairs, strict=True)
        ]

    def follow(self, others: Sequence[Press]) -> None:
        """Before each press of this button is done, do the presses of ``others`` made before
        it in the browser that were not done yet, in the order they were made (their
        ``stamp``): their own updates can reach Python after this one's (each button's is
        held back on its own while its previous one is unanswered), or be handled on another
        kernel thread (tests/test_browser_busy.py). Their presses are done with the values
        their boxes hold in Python: for buttons that carry none (a switch's actions, a quiz's
        Hint)."""
        for other in others:
            if other is self or any(other is followed for followed, _, _ in self._followed):
                continue
            at = len(self._followed)
            names = (f"followed_{at}_presses", f"followed_{at}_stamp")
            self.add_traits(**{name: traitlets.Int(0).tag(sync=True) for name in names})
            for name, trait in zip(names, ("presses", "stamp"), strict=True):
                setattr(self, name, getattr(other, trait))
                self._links.append(w.jsdlink((other, trait), (self, name)))
            self._followed.append((other, *names))

    def copy_of(self, box: w.Widget, trait: str = "value") -> str:
        """The name of this button's synced copy of ``box``'s ``trait``: what the browser
        sets in it, which a test or a script sets through ``set_state`` as the browser does
        (a followed button's ``presses`` and ``stamp`` too)."""
        for name, carried in zip(self._copies, self._boxes, strict=True):
            if carried[0] is box and carried[1] == trait:
                return name
        for other, presses, stamp in self._followed:
            if other is box and trait in ("presses", "stamp"):
                return presses if trait == "presses" else stamp
        raise KeyError(f"{type(box).__name__}.{trait} is not carried")

    def on_press(self, handler: Callable[..., None]) -> None:
        """Call ``handler(*values)`` at each press, one value for each box, in their order."""
        self._handlers.append(handler)

    def on_copy(self, handler: Callable[..., None]) -> None:
        """Call ``handler(*values)`` when the browser's copies of the boxes' values change
        without a press: in order with the presses, where a box's own update can arrive
        after a press made later (it is another model, sent on its own, and can be handled
        on another kernel thread)."""
        self._copy_handlers.append(handler)

    def mirror(self) -> None:
        """Copy the boxes' values as Python holds them (set from Python, not the browser),
        so that the browser's copy of the same change, when it comes, is no change here."""
        for name, (box, trait) in zip(self._copies, self._boxes, strict=True):
            setattr(self, name, getattr(box, trait))

    def click(self) -> None:
        """A press from Python (a test, a script): with the values the boxes hold here."""
        self._pressed(tuple(getattr(box, trait) for box, trait in self._boxes))

    def set_state(self, sync_data: dict[str, Any]) -> None:
        """An update from the browser: its copies of the boxes' values, and the presses made
        since the last one (each handled with the copies the update carries: presses made
        while an earlier update was unanswered arrive together, with the last words)."""
        before = self._carried()
        super().set_state(sync_data)
        values = self._carried()
        if "presses" in sync_data:
            self._do_followed()
            self.catch_up(self.presses, values)
        elif values != before:
            for handler in self._copy_handlers:
                handler(*values)

    def catch_up(self, presses: int, values: tuple[Any, ...] | None = None) -> None:
        """Handle the presses up to the ``presses``-th counted in the browser that were not
        handled yet, each once: this button's own, or those another button's press carried
        (its copy of this one's count) ahead of this button's own update, which the kernel can
        handle later, or at once on another thread (tests/test_browser_busy.py says why)."""
        with self._handling:
            pending = max(presses - self._handled, 0)
            self._handled += pending
        for _ in range(pending):
            self._pressed(self._carried() if values is None else values)

    def _do_followed(self) -> None:
        """The followed buttons' presses not done yet and made before this button's last
        (a stamp no later than its own: a script's presses, and a test's, carry none), in
        the order made."""
        pending = [
            (getattr(self, stamp), at, other, getattr(self, presses))
            for at, (other, presses, stamp) in enumerate(self._followed)
            if getattr(self, presses) > other._handled and getattr(self, stamp) <= self.stamp
        ]
        for _, _, other, presses in sorted(pending, key=lambda p: (p[0], p[1])):
            other.catch_up(presses)

    def _carried(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._copies)

    def _pressed(self, values: tuple[Any, ...]) -> None:
        for handler in self._handlers:
            handler(*values)

    def close(self) -> None:
        for link in self._links:
            link.close()
        super().close()
