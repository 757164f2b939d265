"""The public API is typed for a learner's editor and mypy; every name the lessons use resolves.

`make test` and `make quick` run `mypy --strict labkit` on the package itself; these tests
check the other side: code a learner writes against ``labkit`` type-checks under --strict,
mypy sees real types (a mistake is reported, not hidden behind ``Any``), and each ``labkit.``
name in the shipped notebooks, README and docs still exists.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import labkit
from labkit.exercises import Exercise
from labkit.recorder import Hop, Role

ROOT = Path(__file__).resolve().parent.parent

LEARNER = """\
import labkit
import labkit.widgets
from labkit.exercises.lesson_502 import q1


def statuses(lab: labkit.Lab, paths: list[str]) -> list[int | None]:
    return [lab.get(path).status for path in paths]


lab = labkit.start()
ex = lab.get("/orders/7")
if ex.status is not None and ex.status >= 500:
    print(ex.why)
picture = ex.picture()
garbage = labkit.scenarios.run("502-garbage", lab)
playground = labkit.widgets.Playground(lab, "502")
exercise = labkit.exercises.get("502.q1")
print(statuses(lab, ["/orders/7", "/up/garbage/"]), garbage.generated_by, exercise is q1)
results = labkit.load.sweep(lab, [1, 2, 3, 4, 5, 6], capacity=3, delay=0.2)  # lesson 04
labkit.charts.load_curve(results, capacity=3)
lab.portal.login()  # lesson 07
print(lab.portal.url, lab.portal.logged_in)
reveal_type(ex.status)
reveal_type(picture)
reveal_type(garbage)
reveal_type(playground)
reveal_type(exercise)
reveal_type(lab.portal)
lab.stop()
"""

# Mistakes a learner makes: with real types mypy reports each one (with Any it would not).
MISTAKES = """\
import labkit
import labkit.widgets

lab = labkit.start()
later = lab.get("/orders/7").status + 1
lab.get(7)
labkit.scenarios.run(lab, "502-garbage")
labkit.widgets.Playground("502")
labkit.Timeouts(connect=0.2, read=0.3).read = 1.0
labkit.personalities.Answer("htp09")
print(labkit.personalities.NGINX.slow_client == "clsoe")
"""


def _mypy(tmp_path: Path, **files: str) -> tuple[int, list[str]]:
    """mypy --strict on the learner's files, finding labkit in this checkout.

    An editable install (`pip install -e .`) reaches labkit through an import hook that mypy
    does not follow, so mypy runs from the checkout, where it finds labkit as `make test`'s
    `mypy --strict labkit` does, with pyproject's [tool.mypy] and that run's cache: labkit is
    analysed once per suite, not twice (mypy re-checks any module that changed since).
    """
    for name, text in files.items():
        (tmp_path / f"{name}.py").write_text(text)
    command = [
        sys.executable,
        "-m",
        "mypy",
        "--strict",
        "--no-error-summary",
        "--config-file",
        str(ROOT / "pyproject.toml"),
        *(str(tmp_path / f"{name}.py") for name in files),
    ]
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert not out.stderr.strip(), out.stderr
    # mypy replays the errors of a file whose text it has cached under the path it had then
    # (another run's tmp_path): each line is named by the file's name alone
    return out.returncode, [
        re.sub(r"^\S*/(?=\w+\.py:)", "", line) for line in out.stdout.splitlines()
    ]


@pytest.mark.slow
def test_a_learners_script_passes_mypy_strict_and_a_mistake_is_reported(tmp_path: Path) -> None:
    code, lines = _mypy(tmp_path, learner=LEARNER, mistakes=MISTAKES)
    learner = [line for line in lines if line.startswith("learner.py")]
    errors = [line for line in learner if ": error:" in line]
    assert errors == [], "\n".join(errors)
    revealed = [line.split("Revealed type is ")[1] for line in learner if "Revealed type" in line]
    assert revealed == [
        '"int | None"',
        '"labkit.render.svg.Picture"',
        '"labkit.exchange.Exchange"',
        '"labkit.widgets.Playground"',
        '"labkit.exercises.core.Exercise"',
        '"labkit.portal.Portal"',
    ]

    mistakes = [line for line in lines if line.startswith("mistakes.py")]
    assert code == 1, "mypy passed the mistakes: the API is typed Any somewhere"
    for line_no, what in [
        (5, 'Unsupported operand types for + ("None" and "int")'),
        (6, 'Argument 1 to "get" of "Lab" has incompatible type "int"; expected "str"'),
        (7, 'Argument 1 to "run" has incompatible type "Lab"; expected "str"'),
        (8, 'Missing positional argument "lesson" in call to "Playground"'),
        (9, 'Property "read" defined in "Timeouts" is read-only'),
        (10, 'Argument 1 to "Answer" has incompatible type "str"; expected "AnswerKind"'),
        (11, "Non-overlapping equality check (left operand type: \"Literal['page', 'close', '']\""),
    ]:
        assert any(line.startswith(f"mistakes.py:{line_no}: error: {what}") for line in mistakes), (
            f"line {line_no} not reported as {what!r}:\n" + "\n".join(mistakes)
        )


# -- the lessons' own code, as a learner runs it, passes mypy --strict --

# A lesson's helper functions are written as a learner writes them, unannotated
# (``def status_line(ex):``) or annotated in full (``def is_captive(lab: labkit.Lab) -> bool:``,
# as its question words it), never in part (--strict's disallow-incomplete-defs holds): mypy
# may not require their annotations, but it still checks their bodies (--check-untyped-defs is
# part of --strict) and every call the lessons make on labkit. An exercise's template is a
# ``def`` whose body is ``...`` for the learner to fill in (empty-body). Per file, so that
# labkit itself is checked with `make quick`'s options and comes from its cache.
NOTEBOOK_LEARNER_CODE = (
    "# mypy: allow-untyped-defs, allow-untyped-calls\n# mypy: disable-error-code=empty-body\n"
)
# IPython's own lines are not Python and mypy cannot check them: a ``%magic`` or ``!shell``
# line reads as ``pass`` (the lessons have ``%matplotlib inline``), a ``%%`` cell is left out
IPYTHON_LINE = re.compile(r"^(\s*)[%!].*$")


def notebook_script(notebook: Path) -> tuple[str, list[str]]:
    """The notebook's code cells as one script, run in order as Run All does, and for each line
    of it where it came from ("cell 16 line 1")."""
    lines = NOTEBOOK_LEARNER_CODE.splitlines()
    origins = ["header"] * len(lines)
    for n, cell in enumerate(json.loads(notebook.read_text())["cells"]):
        source = "".join(cell["source"])
        if cell["cell_type"] != "code" or source.startswith("%%"):
            continue
        for i, line in enumerate(source.splitlines(), start=1):
            lines.append(IPYTHON_LINE.sub(r"\1pass", line))
            origins.append(f"cell {n} line {i}")
    return "\n".join(lines) + "\n", origins


def _notebook_errors(tmp_path: Path, notebooks: list[Path]) -> list[str]:
    """mypy --strict's errors on the notebooks' scripts, each naming its notebook and cell."""
    scripts = {f"notebook_{i}": (nb, *notebook_script(nb)) for i, nb in enumerate(notebooks)}
    _, lines = _mypy(tmp_path, **{name: script for name, (_, script, _) in scripts.items()})
    errors = []
    for line in lines:
        match = re.match(r"(notebook_\d+)\.py:(\d+): (error: .*)", line)
        if match:
            notebook, _, origins = scripts[match[1]]
            where = origins[int(match[2]) - 1]
            name = notebook.relative_to(ROOT if notebook.is_relative_to(ROOT) else tmp_path)
            errors.append(f"{name} {where}: {match[3]}")
    return errors


def test_every_notebooks_code_passes_mypy_strict(tmp_path: Path) -> None:
    """What the lessons teach type-checks as a learner's editor sees it: a header the lesson
    relies on is ``ex.header(name, required=True)`` (a ``str``), not an ``int(None)`` waiting."""
    notebooks = sorted((ROOT / "notebooks").rglob("*.ipynb"))
    assert any(nb.parent.name == "zh" for nb in notebooks), "notebooks/zh/ not read"
    # the check can fail, and names the place: a made-up lesson with an Optional used as a str
    made_up = tmp_path / "lessons" / "99-made-up.ipynb"
    made_up.parent.mkdir()
    cells = [
        {"cell_type": "markdown", "source": ["Prose."]},
        {"cell_type": "code", "source": ["%matplotlib inline\n", "import labkit\n"]},
        {"cell_type": "code", "source": ["%%bash\n", "labkit ctl state"]},
        {
            "cell_type": "code",
            "source": [
                'ex = labkit.start().get("/")\n',
                "!labkit ctl state\n",
                'int(ex.header("Retry-After"))',
            ],
        },
    ]
    made_up.write_text(json.dumps({"cells": cells}))
    errors = _notebook_errors(tmp_path, [*notebooks, made_up])
    caught = [e for e in errors if e.startswith("lessons/99-made-up.ipynb")]
    assert len(caught) == 1 and caught[0].startswith(
        'lessons/99-made-up.ipynb cell 3 line 3: error: Argument 1 to "int" has incompatible '
        'type "str | None"'
    ), caught
    assert [e for e in errors if e not in caught] == []


def test_a_header_or_a_line_the_lesson_relies_on_is_a_str(lab: labkit.Lab) -> None:
    """What the lessons read without an ``is None`` check: ``header(name, required=True)`` and
    ``hop.received_summary`` are the values the Optional accessors give when there is one; a
    response without the header is a KeyError (UnknownName) naming it, the status and the
    headers there are, not the ``int(None)`` TypeError a learner could not place."""
    lab.origin.maintenance(retry_after=30)
    closed = lab.get("/orders/7")
    assert closed.header("retry-after", required=True) == closed.header("Retry-After") == "30"
    assert closed.hop("origin").received_summary == "GET /orders/7 HTTP/1.1"
    assert Hop("blackhole", Role.UPSTREAM).received_summary == ""  # nothing arrived

    lab.origin.maintenance(False)
    served = lab.get("/orders/7")
    assert served.header("Retry-After") is None
    with pytest.raises(KeyError) as refused:
        served.header("Retry-After", required=True)
    assert str(refused.value).startswith(
        "the response (200) has no 'Retry-After' header; its headers: Content-Length, "
    ), refused.value


# -- every `labkit.` name the lessons and docs use resolves --

DOTTED = re.compile(r"\blabkit(?:\.[A-Za-z_]\w*)+")
FROM_IMPORT = re.compile(r"^\s*from\s+(labkit(?:\.\w+)*)\s+import\s+\(?([\w\s,]+)\)?", re.M)


def _texts() -> list[tuple[str, str]]:
    """(where, text) of every notebook cell, the README, docs/ and notebooks/ Markdown, the
    translations' (notebooks/zh/) included."""
    texts = []
    for notebook in sorted((ROOT / "notebooks").rglob("*.ipynb")):
        where = notebook.relative_to(ROOT / "notebooks").as_posix()
        for n, cell in enumerate(json.loads(notebook.read_text())["cells"]):
            texts.append((f"{where} cell {n}", "".join(cell["source"])))
    markdown = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    markdown += sorted((ROOT / "notebooks").rglob("*.md"))
    texts += [(path.name, path.read_text()) for path in markdown]
    return texts


def _used_names() -> dict[str, str]:
    """Each dotted name used (``labkit.scenarios.run``), with one place that uses it."""
    used: dict[str, str] = {}
    for where, text in _texts():
        for name in DOTTED.findall(text):
            used.setdefault(name, where)
        for module, names in FROM_IMPORT.findall(text):
            for name in names.replace("\n", " ").split(","):
                if name.strip():
                    used.setdefault(f"{module}.{name.split()[0]}", where)
    return used


def _resolve(dotted: str) -> object:
    """Attribute by attribute, importing a submodule where no attribute is bound yet."""
    parts = dotted.split(".")
    obj: object = labkit
    for i, part in enumerate(parts[1:], start=2):
        if part == "__main__":  # the `labkit` command: imported, it would run
            return importlib.util.find_spec(".".join(parts[:i]))
        if not hasattr(obj, part):
            importlib.import_module(".".join(parts[:i]))
        obj = getattr(obj, part)
    return obj


def test_every_labkit_name_the_notebooks_and_docs_use_resolves() -> None:
    used = _used_names()
    # the extraction itself works: the headline names and every lesson's exercises are found
    assert {"labkit.start", "labkit.scenarios.run", "labkit.widgets.Playground"} <= set(used)
    assert any(where.startswith("zh/") for where, _ in _texts()), "notebooks/zh/ not read"
    for module in (
        "lesson_500",
        "lesson_501",
        "lesson_502",
        "lesson_503",
        "lesson_504",
        "lesson_505",
        "lesson_511",
        "capstone",
        "gateways",
    ):
        assert f"labkit.exercises.{module}.q1" in used, module

    broken = []
    for name, where in sorted(used.items()):
        try:
            obj = _resolve(name)
        except (AttributeError, ImportError) as exc:
            broken.append(f"{name} (used in {where}): {exc}")
            continue
        if re.fullmatch(r"q\d+", name.rsplit(".", 1)[1]) and not isinstance(obj, Exercise):
            broken.append(f"{name} (used in {where}) is {type(obj).__name__}, not an exercise")
    assert broken == [], "\n".join(broken)


def test_a_name_that_does_not_exist_is_reported() -> None:
    """The resolver above can fail: a misspelt name in a lesson would be caught."""
    for name in ("labkit.scenarios.runn", "labkit.exercises.lesson_599", "labkit.start.nope"):
        with pytest.raises((AttributeError, ImportError)):
            _resolve(name)


# -- what the lessons do with their lab and its exchanges, resolved on real ones --

MAKES_EXCHANGE = {"get", "request", "raw", "exchange"}
Step = str | tuple[str | int]  # an attribute, or (key,) for a subscript


def _code_cells() -> list[tuple[str, ast.Module]]:
    """Every code cell of every notebook (English and translations), parsed; IPython's ``%``
    and ``!`` lines are not Python and read as ``pass``."""
    cells = []
    for notebook in sorted((ROOT / "notebooks").rglob("*.ipynb")):
        where = notebook.relative_to(ROOT / "notebooks").as_posix()
        for n, cell in enumerate(json.loads(notebook.read_text())["cells"]):
            if cell["cell_type"] == "code":
                source = re.sub(r"^(\s*)[%!].*$", r"\1pass", "".join(cell["source"]), flags=re.M)
                cells.append((f"{where} cell {n}", ast.parse(source)))
    return cells


def _chain(node: ast.expr) -> tuple[str, list[Step]] | None:
    """``lab.upstreams["slow"].delay`` is ("lab", ["upstreams", ("slow",), "delay"]); None for a
    chain that goes through a call or a computed subscript (its callee is a chain of its own)."""
    steps: list[Step] = []
    while True:
        if isinstance(node, ast.Attribute):
            steps.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            if not isinstance(node.slice.value, (str, int)):
                return None
            steps.append((node.slice.value,))
            node = node.value
        elif isinstance(node, ast.Name):
            return node.id, steps[::-1]
        else:
            return None


def _kinds(trees: list[ast.Module]) -> dict[str, str]:
    """Which names of one notebook hold the lab (``lab = labkit.start()``) and which an
    exchange (``lab.get/request/raw/exchange(...)``, ``labkit.scenarios.run(...)``): those
    bound only so (a name also bound otherwise, by a loop or another call, is left out)."""
    seen: dict[str, set[str]] = {}
    known: set[int] = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                call = ast.unparse(node.value.func) if isinstance(node.value, ast.Call) else ""
                head, _, last = call.rpartition(".")
                kind = None
                if call == "labkit.start":
                    kind = "lab"
                elif call == "labkit.scenarios.run" or (head == "lab" and last in MAKES_EXCHANGE):
                    kind = "exchange"
                if kind and isinstance(target, ast.Name):
                    seen.setdefault(target.id, set()).add(kind)
                    known.add(id(target))
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                if id(node) not in known:
                    seen.setdefault(node.id, set()).add("other")
    return {name: kinds.pop() for name, kinds in seen.items() if kinds in ({"lab"}, {"exchange"})}


def _uses(cells: list[tuple[str, ast.Module]]) -> dict[tuple[str, tuple[Step, ...]], str]:
    """(kind, steps) of every attribute chain on a lab or an exchange, with one place using it."""
    notebooks: dict[str, list[tuple[str, ast.Module]]] = {}
    for where, tree in cells:
        notebooks.setdefault(where.split(" cell ")[0], []).append((where, tree))
    uses: dict[tuple[str, tuple[Step, ...]], str] = {}
    for notebook in notebooks.values():
        kinds = _kinds([tree for _, tree in notebook])
        for where, tree in notebook:
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and (found := _chain(node)):
                    root, steps = found
                    if root in kinds:
                        uses.setdefault((kinds[root], tuple(steps)), where)
    return uses


def _follow(obj: object, steps: tuple[Step, ...]) -> object:
    for step in steps:
        obj = getattr(obj, step) if isinstance(step, str) else obj[step[0]]  # type: ignore[index]
    return obj


def test_what_the_lessons_use_of_a_lab_and_an_exchange_resolves(lab: labkit.Lab) -> None:
    """``lab.upstreams["slow"].delay``, ``lab.gateway.route``, ``ex.picture``, ``ex.hops[0]``...:
    each chain the notebooks write on their lab or an exchange exists on a real one."""
    cells = _code_cells()
    assert any(where.startswith("zh/") for where, _ in cells), "notebooks/zh/ not read"
    uses = _uses(cells)
    # the extraction finds the headline names, in both languages
    for expected in [
        ("lab", ("get",)),
        ("lab", ("raw",)),
        ("lab", ("request",)),
        ("lab", ("browser_link",)),
        ("lab", ("origin",)),
        ("lab", ("gateway",)),
        ("lab", ("portal",)),
        ("lab", ("upstreams",)),
        ("exchange", ("picture",)),
    ]:
        assert expected in uses, expected
    assert ("lab", ("upstreams", ("slow",), "delay")) in uses, "lab.upstreams[...] not read"

    real = {"lab": lab, "exchange": lab.get("/orders/7")}
    broken = []
    for (kind, steps), where in sorted(uses.items(), key=str):
        try:
            _follow(real[kind], steps)
        except (AttributeError, KeyError, IndexError) as exc:
            broken.append(f"{kind} {steps} (used in {where}): {exc!r}")
    assert broken == [], "\n".join(broken)


def test_a_chain_that_does_not_exist_is_reported(lab: labkit.Lab) -> None:
    """The check above can fail: a misspelt attribute or upstream in a lesson is caught."""
    tree = ast.parse(
        'lab = labkit.start()\nlab.upstreams["slwo"].delay\nlab.browser_lnk()\n'
        'ex = lab.get("/")\nex.pictur()'
    )
    uses = _uses([("made up", tree)])
    assert set(uses) == {
        ("lab", ("upstreams",)),
        ("lab", ("upstreams", ("slwo",), "delay")),
        ("lab", ("browser_lnk",)),
        ("lab", ("get",)),
        ("exchange", ("pictur",)),
    }
    real = {"lab": lab, "exchange": lab.get("/orders/7")}
    for kind, steps in uses:
        if steps[-1] in ("delay", "browser_lnk", "pictur"):
            with pytest.raises((AttributeError, KeyError)):
                _follow(real[kind], steps)
