"""A lesson cell run before the lesson's start cell says, in one line, to run that cell first.

A learner who opens a lesson and runs a later cell first (or any cell after a kernel restart)
met a bare ``NameError: name 'lab' is not defined`` with a traceback: labkit is not imported
yet, so nothing of labkit's could explain it. IPython loads this module into every kernel
of the environment labkit is installed in, before any cell runs: the environment's
``etc/ipython/ipython_kernel_config.py`` says so (pyproject's data-files install it, `make`
copies it into .venv; an editable install alone leaves it out). It registers one handler
for NameError, which answers with the one line only in a lesson (the notebook jupyter-server
names in JPY_SESSION_NAME starts a lab) whose ``lab`` is not defined; any other NameError
keeps IPython's usual traceback. Every kernel pays for it, lesson or not, so at start it
loads this module and labkit's package, which imports nothing until a name is used; the
notebook and labkit's catalogue are read only when a NameError asks for the line. (It
imported labkit, and with it the lab's servers, at each start: a kernel was ready ~40 ms
later, and the import alone took ~110 ms on a busy machine, where it now takes ~1 ms.)
"""

from __future__ import annotations

import os
import sys
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["before_start", "load_ipython_extension"]

STARTED = "lab"  # the name every lesson's start cell defines: `lab = labkit.start(...)`
SESSION = "JPY_SESSION_NAME"  # the notebook's path, which jupyter-server gives its kernel


def load_ipython_extension(shell: Any) -> None:
    """IPython's hook: NameErrors and KeyboardInterrupts go through :func:`_one_line` from now
    on (any other KeyboardInterrupt keeps IPython's traceback)."""
    shell.set_custom_exc((NameError, KeyboardInterrupt), _one_line)


def _one_line(
    shell: Any,
    etype: type[BaseException],
    value: BaseException,
    tb: TracebackType | None,
    tb_offset: int | None = None,
) -> None:
    if isinstance(value, NameError):
        line = before_start(value, shell.user_ns, os.environ.get(SESSION, ""))
    else:
        line = interrupted(value)
    if line is None:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
    else:  # shown as the cell's error, that one line its whole traceback
        shell._showtraceback(etype, value, [line])


def interrupted(error: BaseException) -> str | None:
    """The line for a request the learner stopped (labkit.errors.Interrupted), else None. Read
    from sys.modules: a kernel that never imported labkit.errors raised none of its errors,
    and importing it here at each start would cost every kernel ~40 ms."""
    errors = sys.modules.get("labkit.errors")
    if errors is None or not isinstance(error, errors.Interrupted):
        return None
    return f"KeyboardInterrupt: {error}"


def before_start(error: BaseException, names: dict[str, Any], notebook: str) -> str | None:
    """The line for ``error`` raised in the notebook at path ``notebook`` (relative to the
    kernel's folder, or absolute) whose user namespace is ``names``: None unless that notebook
    is a lesson (a code cell starts a lab) whose start cell has not run."""
    if STARTED in names or not notebook:
        return None
    # imported here, not at the kernel's start: most NameErrors never get this far
    import json
    from pathlib import Path

    from labkit.i18n import Msg

    path = Path(notebook)
    if not path.is_absolute():  # the server's path; the kernel runs in the notebook's folder
        path = Path.cwd() / path.name
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not any(
        cell.get("cell_type") == "code" and "labkit.start(" in "".join(cell.get("source", ""))
        for cell in cells
        if isinstance(cell, dict)
    ):
        return None
    name = getattr(error, "name", None) or str(error)
    line = Msg(
        "NameError: name {name} is not defined: this lesson's first code cell (the one that "
        "begins “{start}”) has not run in this kernel, or the kernel restarted. Run it, then "
        "this cell again.",
        name=repr(name),
        start=Msg("# Run this cell first"),  # how each lesson's start cell begins
    )
    return line.render(_language(path))


def _language(notebook: Path) -> str:
    """A translation's folder names its language (notebooks/zh/: zh-CN); else LABKIT_LANG."""
    from labkit import i18n
    from labkit.errors import LabkitError

    for lang, folder in i18n.NOTEBOOK_DIRS.items():
        if notebook.parent.name == folder:
            return lang
    try:
        return i18n.environment_language()
    except LabkitError:  # a LABKIT_LANG it does not know: said when labkit starts
        return i18n.ENGLISH
