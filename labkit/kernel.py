"""A lesson cell run before the lesson's start cell says, in one line, to run that cell first.

A learner who opens a lesson and runs a later cell first (or any cell after a kernel restart)
met a bare ``NameError: name 'lab' is not defined`` with a traceback: labkit is not imported
yet, so nothing of labkit's could explain it. IPython loads this module into every kernel of the
environment labkit is installed in, before any cell runs: the environment's
``etc/ipython/ipython_kernel_config.py`` says so (pyproject's data-files install it, `make`
copies it into .venv; an editable install alone leaves it out). It registers one handler for
NameError, which answers with the one line only in a lesson (the notebook jupyter-server names
in JPY_SESSION_NAME starts a lab) whose ``lab`` is not defined; any other NameError keeps
IPython's usual traceback. Once ``lab`` is defined, a NameError for a name another code cell of
the lesson sets names that cell (after a restart, the start cell run and then an incident of
lesson 08: ``evidence(ex)`` needs the helpers' cell and the incident's own). A request stopped
with Kernel > Interrupt (labkit.errors.Interrupted) is its one line too; any other
KeyboardInterrupt keeps its traceback. A start cell run again stops the lab it started before
(``_OneLab``), which a playground shown before would otherwise go on driving. It also installs
``labkit.seeds`` before any cell runs (``seeds.mark``: every ``random.Random``, the random
module's own too, keeps the seed a cell gives it, so that 504 q5's judge tells
``random.seed(42)`` above the lesson's imports from jitter; it wraps ``random.Random.seed`` in
every such kernel, and changes nothing else). Every kernel pays for it, lesson or not, so at
start it loads this module, ``labkit.seeds`` (which imports only ``random``, already imported by
then) and labkit's package, which imports nothing until a name is used; the notebook and
labkit's catalogue are read only when a NameError asks for the line. (It imported labkit, and
with it the lab's servers, at each start: a kernel was ready ~40 ms later, and the import alone
took ~110 ms on a busy machine, where it now takes ~1 ms.)
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
    shell.events.register("post_run_cell", _OneLab(shell).after_cell)
    # before any cell runs: a random.seed(42) above a lesson's first cell is seen by the judge
    # that must tell it from jitter (504 q5); labkit.seeds imports only random
    from labkit import seeds

    seeds.mark()


class _OneLab:
    """A start cell run again stops the lab it started before, once no name holds it.

    Running a lesson's start cell twice (a learner unsure it ran, or Run All after some
    cells) started a second lab and left the first running in the kernel: a playground shown
    before went on driving the first lab while ``lab`` named the second, and ``labkit env``
    said "2 labs are running". After each cell, when ``lab`` names another
    running Lab than it did before and no other name of the learner's (``first = lab``)
    holds the one before, that one is stopped and the cell says so in one line; a playground
    of it then says to run its cell again. Nothing is imported here: a kernel that never
    imported labkit.lab has no lab to stop."""

    def __init__(self, shell: Any) -> None:
        self.shell = shell
        self.before: Any = None  # a weak reference to the Lab ``lab`` named after a cell

    def after_cell(self, result: Any = None) -> None:
        module = sys.modules.get("labkit.lab")
        lab = self.shell.user_ns.get(STARTED)
        if module is None or not isinstance(lab, module.Lab):
            return
        import weakref

        before = self.before() if self.before is not None else None
        self.before = weakref.ref(lab)
        if before is None or before is lab or not before.running:
            return
        names = self.shell.user_ns
        if any(value is before for key, value in names.items() if not key.startswith("_")):
            return  # the learner kept it under another name: theirs to stop
        before.stop()
        from labkit.i18n import Msg

        print(
            Msg(
                "(The lab this kernel started before is stopped: `lab` is the one just "
                "started. A playground shown before it works again once its cell runs again.)"
            ).render(before.lang)
        )


def _one_line(
    shell: Any,
    etype: type[BaseException],
    value: BaseException,
    tb: TracebackType | None,
    tb_offset: int | None = None,
) -> None:
    if isinstance(value, NameError):
        notebook = os.environ.get(SESSION, "")
        line = before_start(value, shell.user_ns, notebook)
        if line is None and STARTED in shell.user_ns:
            running = (shell.user_ns.get("_ih") or [""])[-1]  # the cell's source, as run
            # JupyterLab names the cell it runs (two cells of 08 read `print(ex.text)`)
            parent = getattr(shell, "parent_header", None) or {}
            cell_id = (parent.get("metadata") or {}).get("cellId")
            line = set_by_a_cell(value, notebook, running, cell_id)
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
    from labkit.i18n import error_line  # imported with labkit.errors, above

    return error_line("KeyboardInterrupt", error)


def before_start(error: BaseException, names: dict[str, Any], notebook: str) -> str | None:
    """The line for ``error`` raised in the notebook at path ``notebook`` (relative to the
    kernel's folder, or absolute) whose user namespace is ``names``: None unless that notebook
    is a lesson (a code cell starts a lab) whose start cell has not run."""
    if STARTED in names:
        return None
    lesson = _lesson(notebook)
    if lesson is None:
        return None
    # imported here, not at the kernel's start: most NameErrors never get this far
    from labkit.i18n import Msg

    name = getattr(error, "name", None) or str(error)
    line = Msg(
        "NameError: name {name} is not defined: this lesson's first code cell (the one that "
        "begins “{start}”) has not run in this kernel, or the kernel restarted. Run it, then "
        "this cell again.",
        name=repr(name),
        start=Msg("# Run this cell first"),  # how each lesson's start cell begins
    )
    return line.render(_language(lesson[0]))


def set_by_a_cell(
    error: BaseException, notebook: str, running: str, cell_id: str | None = None
) -> str | None:
    """The line for a NameError in a lesson whose lab runs, when a code cell of the lesson
    sets the name: the nearest such cell above the one running (the cell ``cell_id``, else
    the first whose source is ``running``), else the first below. After a kernel restart a learner runs the start cell and jumps to an
    incident of lesson 08: ``evidence(ex)`` met a bare NameError, the helpers and ``ex``
    being set by cells between. None when no cell sets it (a typo keeps its traceback)."""
    import ast

    name = getattr(error, "name", None)
    lesson = _lesson(notebook) if name else None
    if lesson is None:
        return None
    path, listed = lesson
    cells = [src for _, src in listed]
    here = next((i for i, (k, _) in enumerate(listed) if cell_id and k == cell_id), None)
    if here is None:
        here = next((i for i, src in enumerate(cells) if src.strip() == running.strip()), None)
    setters = [i for i, src in enumerate(cells) if name in _bound(ast, src)]
    above = [i for i in setters if here is None or i < here]
    below = [i for i in setters if here is not None and i > here]
    if not setters or (here is not None and here in setters and not above):
        return None
    cell = cells[above[-1] if above else below[0]]
    from labkit.i18n import Msg

    first = cell.strip().splitlines()[0]
    line = Msg(
        "NameError: name {name} is not defined: the cell of this lesson that sets it (the "
        "one that begins “{start}”) has not run since the kernel started. Run it, then this "
        "cell again.",
        name=repr(name),
        start=first if len(first) <= 60 else first[:57] + "...",
    )
    return line.render(_language(path))


def _lesson(notebook: str) -> tuple[Path, list[tuple[str, str]]] | None:
    """The notebook at ``notebook`` (relative to the kernel's folder, or absolute) and its
    code cells (``_code_cells``), if it is a lesson (a code cell starts a lab): the cells read
    here are the ones ``set_by_a_cell`` looks through, the notebook read and parsed once."""
    # imported here, not at the kernel's start: most NameErrors never get this far
    from pathlib import Path

    if not notebook:
        return None
    path = Path(notebook)
    if not path.is_absolute():  # the server's path; the kernel runs in the notebook's folder
        path = Path.cwd() / path.name
    cells = _code_cells(path)
    return (path, cells) if any("labkit.start(" in src for _, src in cells) else None


def _code_cells(path: Path) -> list[tuple[str, str]]:
    """Each code cell's id and source."""
    import json

    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    return [
        (str(cell.get("id", "")), "".join(cell.get("source", "")))
        for cell in cells
        if isinstance(cell, dict) and cell.get("cell_type") == "code"
    ]


def _bound(ast: Any, source: str) -> set[str]:
    """The names a cell's top level sets: assigned, defined, imported."""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # a cell with IPython's own syntax (%magic, !shell)
        return set()
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        else:
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    names.add(sub.id)
    return names


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
