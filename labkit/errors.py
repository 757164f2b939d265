"""labkit's own errors: one tree, so callers can catch what they mean.

    LabkitError
    ├── BadArgument        (also a ValueError) a public function got a value it cannot use
    │   └── UnknownName    (also a KeyError) no scenario, upstream, route, ... of that name
    ├── LabNotRunning      the lab was stopped, or never started
    ├── NotJSON            (also a ValueError) a response body that is not JSON
    ├── ControlError       the terminal could not reach or command a running lab
    └── UnsafeRuntimeDir   the directory for the labs' registry could be tampered with

    LabkitWarning          (a UserWarning) labkit carried on, but something needs a look

A learner's mistake is never reported with a traceback from inside labkit: every
message says what was wrong and what is allowed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, overload


class LabkitError(Exception):
    """Base of every error labkit raises on purpose."""


class BadArgument(LabkitError, ValueError):
    """A value that labkit cannot use; the message names the allowed ones."""


class UnknownName(BadArgument, KeyError):
    """A name that is not in a registry (scenario, upstream, route, personality)."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class LabNotRunning(LabkitError):
    """The lab was stopped (or never started); the message says which cell to run again."""


class NotJSON(LabkitError, ValueError):
    """Exchange.json() on a body that does not parse; the message shows how it starts."""


class ControlError(LabkitError):
    """The terminal could not reach or command a running lab."""


class UnsafeRuntimeDir(LabkitError):
    """Another user could plant or read files in the runtime directory; the message says the fix."""


STOPPED = (
    "this lab has been stopped: run the cell that starts it (lab = labkit.start(), a lesson's "
    "first code cell) again, then the cell you were in"
)


class LabkitWarning(UserWarning):
    """labkit carried on, but something needs the user's attention (one line, with the fix)."""


SHOWN = 60  # characters of a learner's value that a message quotes


def shown(value: object) -> str:
    """A value as a message quotes it: its repr, cut to SHOWN characters with its length said,
    so that a value pasted 5,000 characters long still gives a one-line message."""
    text = repr(value)
    if len(text) <= SHOWN:
        return text
    size = f" ({len(value)} characters)" if isinstance(value, (str, bytes)) else ""
    return f"{text[: SHOWN - 1]}…{size}"


def unknown(kind: str, name: object, allowed: Iterable[str]) -> UnknownName:
    choices = ", ".join(sorted(allowed))
    return UnknownName(f"unknown {kind} {shown(name)}; choose one of: {choices}")


def number(value: float) -> str:
    """A bound or a value as a message writes it: a whole number in full (31536000, not
    3.1536e+07, which a learner new to floats cannot read), any other as :g writes it."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:g}"


@overload
def check_number(
    name: str,
    value: object,
    *,
    minimum: float,
    maximum: float,
    unit: str = ...,
    allow_none: Literal[False] = ...,
) -> float: ...
@overload
def check_number(
    name: str,
    value: object,
    *,
    minimum: float,
    maximum: float,
    unit: str = ...,
    allow_none: bool,
) -> float | None: ...
def check_number(
    name: str,
    value: object,
    *,
    minimum: float,
    maximum: float,
    unit: str = "seconds",
    allow_none: bool = False,
) -> float | None:
    """Validate a number from a learner or the CLI and say what range is allowed."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        none = " or None" if allow_none else ""
        raise BadArgument(
            f"{name} must be a number of {unit} between {number(minimum)} and {number(maximum)}"
            f"{none}, "
            f"not {value!r}"
        )
    if not (minimum <= value <= maximum):
        got = number(value) if isinstance(value, float) else shown(value)  # 10**20, not 1e+20
        raise BadArgument(
            f"{name} must be between {number(minimum)} and {number(maximum)} {unit}, not {got}"
        )
    return value
