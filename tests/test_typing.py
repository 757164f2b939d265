"""The public API is typed for a learner's editor and mypy; every name the lessons use resolves.

`make test` and `make quick` run `mypy --strict labkit` on the package itself; these tests
check the other side: code a learner writes against ``labkit`` type-checks under --strict,
mypy sees real types (a mistake is reported, not hidden behind ``Any``), and each ``labkit.``
name in the shipped notebooks, README and docs still exists.
"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import labkit
from labkit.exercises import Exercise

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
reveal_type(ex.status)
reveal_type(picture)
reveal_type(garbage)
reveal_type(playground)
reveal_type(exercise)
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
    return out.returncode, [line.removeprefix(f"{tmp_path}/") for line in out.stdout.splitlines()]


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
    ]

    mistakes = [line for line in lines if line.startswith("mistakes.py")]
    assert code == 1, "mypy passed the mistakes: the API is typed Any somewhere"
    for line_no, what in [
        (5, 'Unsupported operand types for + ("None" and "int")'),
        (6, 'Argument 1 to "get" of "Lab" has incompatible type "int"; expected "str"'),
        (7, 'Argument 1 to "run" has incompatible type "Lab"; expected "str"'),
        (8, 'Missing positional argument "lesson" in call to "Playground"'),
        (9, 'Property "read" defined in "Timeouts" is read-only'),
    ]:
        assert any(line.startswith(f"mistakes.py:{line_no}: error: {what}") for line in mistakes), (
            f"line {line_no} not reported as {what!r}:\n" + "\n".join(mistakes)
        )


# -- every `labkit.` name the lessons and docs use resolves --

DOTTED = re.compile(r"\blabkit(?:\.[A-Za-z_]\w*)+")
FROM_IMPORT = re.compile(r"^\s*from\s+(labkit(?:\.\w+)*)\s+import\s+\(?([\w\s,]+)\)?", re.M)


def _texts() -> list[tuple[str, str]]:
    """(where, text) of every notebook cell, the README, docs/ and notebooks/ Markdown."""
    texts = []
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for n, cell in enumerate(json.loads(notebook.read_text())["cells"]):
            texts.append((f"{notebook.name} cell {n}", "".join(cell["source"])))
    markdown = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    markdown += sorted((ROOT / "notebooks").glob("*.md"))
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
        if not hasattr(obj, part):
            importlib.import_module(".".join(parts[:i]))
        obj = getattr(obj, part)
    return obj


def test_every_labkit_name_the_notebooks_and_docs_use_resolves() -> None:
    used = _used_names()
    # the extraction itself works: the headline names and every lesson's exercises are found
    assert {"labkit.start", "labkit.scenarios.run", "labkit.widgets.Playground"} <= set(used)
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
