"""The public surface: what `import labkit` offers, typed, and what it does not load up front."""

from __future__ import annotations

import ast
import functools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import labkit

ROOT = Path(__file__).resolve().parent.parent

PUBLIC = {
    "BadArgument",
    "ControlError",
    "Exchange",
    "Lab",
    "LabNotRunning",
    "LabkitError",
    "Timeouts",
    "UnknownName",
    "charts",
    "drill",
    "exercises",
    "load",
    "personalities",
    "scenarios",
    "start",
    "widgets",
}


def test_all_is_pinned_and_every_name_resolves() -> None:
    assert set(labkit.__all__) == PUBLIC
    for name in labkit.__all__:
        assert getattr(labkit, name) is not None
    assert set(labkit.__all__) <= set(dir(labkit))


def test_import_binds_only_the_public_names() -> None:
    """`import labkit` offers what ``__all__`` says (issue 12.5): neither the implementation
    modules it loads (labkit.lab, labkit.proxy, labkit.http...) nor its own helpers are in
    vars() or dir(); a module already loaded still resolves by its old path."""
    code = (
        "import json, labkit\n"
        "print(json.dumps([sorted(vars(labkit)), dir(labkit)]))\n"
        "import labkit.lab, labkit.proxy\n"
        "from labkit import recorder\n"
        "print(labkit.lab.Lab is labkit.Lab, labkit.proxy.Timeouts is labkit.Timeouts,"
        " recorder.__name__, labkit.http.__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    first, second = out.stdout.splitlines()
    names, listed = json.loads(first)

    def public(names: list[str]) -> set[str]:
        return {n for n in names if not (n.startswith("__") and n.endswith("__"))}

    assert public(names) <= PUBLIC, f"import labkit binds {sorted(public(names) - PUBLIC)}"
    assert public(listed) == PUBLIC
    assert second == "True True labkit.recorder labkit.http"


def test_unknown_attribute_is_an_attribute_error() -> None:
    try:
        labkit.nonsense  # noqa: B018
    except AttributeError as exc:
        assert "nonsense" in str(exc)
    else:
        raise AssertionError("labkit.nonsense resolved")


def test_import_loads_only_what_start_needs() -> None:
    code = "import sys, labkit; print(__import__('json').dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout))
    for heavy in (
        "labkit.scenarios",
        "labkit.widgets",
        "labkit.charts",
        "labkit.exercises",
        "ipywidgets",
        "matplotlib",
        # an exchange and its renderers load with the first lab.get (issue 17.3)
        "labkit.exchange",
        "labkit.render",
        "datetime",
    ):
        assert heavy not in loaded, f"`import labkit` loaded {heavy}"


def _printed_by_a_lab(code: str, tmp_path: Path) -> list[str]:
    """The lines ``code`` prints in a fresh interpreter, its labs registered under
    ``tmp_path``: what a process that only starts a lab loads, nothing of pytest's."""
    env = {**os.environ, "LABKIT_RUNTIME_DIR": str(tmp_path / "run")}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return out.stdout.splitlines()


def test_start_and_a_first_answer_load_no_more_than_they_use(tmp_path: Path) -> None:
    """What 200 labs in 200 processes pay each (issue 17.4): no html entity table, no random
    or secrets (os.urandom serves), no idna codec (no getaddrinfo on a name), no http package
    (the lab's own reason phrases are a table of its own)."""
    code = (
        "import socket, sys, labkit\n"
        "lab = labkit.start()\n"
        "with socket.socket() as s:  # create_connection would load idna itself\n"
        "    s.connect(('127.0.0.1', lab.gateway.port))\n"
        "    s.sendall(b'GET /orders/7 HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n')\n"
        "    print(s.makefile('rb').readline().decode().strip())\n"
        "lab.stop()\n"
        "print(__import__('json').dumps(sorted(sys.modules)))\n"
    )
    status, modules = _printed_by_a_lab(code, tmp_path)
    assert status == "HTTP/1.1 200 OK"
    loaded = set(json.loads(modules))
    for heavy in (
        "html",
        "html.entities",
        "random",
        "secrets",
        "encodings.idna",
        "datetime",
        "http",
    ):
        assert heavy not in loaded, f"labkit.start() and a first answer loaded {heavy}"


def test_a_labs_plain_messages_load_no_h11_and_the_first_unusual_one_does(
    tmp_path: Path,
) -> None:
    """h11 cost as much to import as the rest of the lab's code (41 M of 89.8 M instructions
    after asyncio and httpx), yet a lab's usual messages go without it: a plain request
    through the gateway and straight to the origin, and their answers, kept alive or asking
    to close (curl's and urllib's one-shot requests). It is imported by the first message
    that needs it (labkit.http.lazyh11), here an HTTP/1.0 request."""
    code = (
        "import socket, sys, labkit\n"
        "lab = labkit.start()\n"
        "print('h11' in sys.modules)\n"
        "def ask(port, version, head):\n"
        "    with socket.socket() as s:\n"
        "        s.connect(('127.0.0.1', port))\n"
        "        s.sendall(b'GET /orders/7 HTTP/' + version + b'\\r\\nHost: x\\r\\n' + head + b'\\r\\n')\n"
        "        print(s.makefile('rb').readline().decode().strip(), 'h11' in sys.modules)\n"
        "for port in (lab.gateway.port, lab.origin.port, lab.gateway.port):\n"
        "    ask(port, b'1.1', b'')\n"
        "for port in (lab.origin.port, lab.gateway.port):\n"
        "    ask(port, b'1.1', b'Connection: close\\r\\n')\n"
        "ask(lab.gateway.port, b'1.0', b'')\n"
        "lab.stop()\n"
    )
    assert _printed_by_a_lab(code, tmp_path) == [
        "False",
        "HTTP/1.1 200 OK False",
        "HTTP/1.1 200 OK False",
        "HTTP/1.1 200 OK False",
        "HTTP/1.1 200 OK False",
        "HTTP/1.1 200 OK False",
        "HTTP/1.1 200 OK True",
    ]


def test_the_labs_modules_load_without_collections_and_leave_the_collector_as_it_was() -> None:
    """The first use of labkit.start loads the lab's modules (asyncio, h11, the servers) with
    the collector paused and moves what they made to the oldest generation unexamined: no
    collection runs meanwhile (29 did, 5.4 ms), and the collector is as it was, paused or
    frozen objects of the caller's own included."""
    code = (
        "import gc, json, labkit\n"
        "ran = []\n"
        "gc.callbacks.append(lambda phase, info: phase == 'stop' and ran.append(phase))\n"
        "before = (gc.isenabled(), gc.get_freeze_count())\n"
        "labkit.start\n"
        "print(json.dumps([ran, before, [gc.isenabled(), gc.get_freeze_count()]]))\n"
    )
    for setup, state in (("", [True, 0]), ("gc.disable()", [False, 0]), ("gc.freeze()", None)):
        out = subprocess.run(
            [sys.executable, "-c", code.replace("ran = []", f"{setup}\nran = []")],
            capture_output=True,
            text=True,
            check=True,
        )
        ran, before, after = json.loads(out.stdout)
        if state is None:  # the caller's frozen objects stay frozen (some may have been freed)
            assert before[1] > 0 and after[1] > 0 and after[0] is True
        else:
            assert after == state, setup
        if setup == "":
            assert ran == [], f"{len(ran)} collections while the lab's modules loaded"


def test_exchange_loads_on_first_use() -> None:
    code = (
        "import sys, labkit\n"
        "print('labkit.exchange' in sys.modules, labkit.Exchange.__module__)\n"
        "from labkit import Exchange\n"
        "print(Exchange is sys.modules['labkit.exchange'].Exchange)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["False labkit.exchange", "True"]


def test_the_package_says_it_is_typed() -> None:
    assert (ROOT / "labkit" / "py.typed").is_file()


def test_a_lab_that_only_serves_never_imports_httpx() -> None:
    """httpx is the learner's client: it loads on the first ``lab.get``, not before."""
    code = (
        "import socket, sys, labkit\n"
        "lab = labkit.start()\n"
        "with socket.socket() as s:  # create_connection would load idna itself\n"
        "    s.connect(('127.0.0.1', lab.gateway.port))\n"
        "    s.sendall(b'GET /orders/7 HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n')\n"
        "    print(s.recv(12).decode(), 'httpx' in sys.modules)\n"
        "print(lab.get('/orders/7').status, 'httpx' in sys.modules)\n"
        "lab.stop()\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["HTTP/1.1 200 False", "200 True"]


# -- which modules are the public surface (docs/architecture.md), pinned --

PUBLIC_MODULES = {
    "labkit",
    "labkit.__main__",
    "labkit.charts",
    "labkit.drill",
    "labkit.exercises",
    "labkit.exercises.capstone",
    "labkit.exercises.gateways",
    *(f"labkit.exercises.lesson_{n}" for n in (500, 501, 502, 503, 504, 505, 511)),
    "labkit.load",
    "labkit.personalities",
    "labkit.scenarios",
    "labkit.widgets",
}
# old path -> where its code went (labkit.charts is public as well)
MOVED = {
    "labkit.picture": "labkit.render.svg",
    "labkit.inspect": "labkit.render.notes",
    "labkit.charts": "labkit.render.charts",
}
OLD_PATHS = set(MOVED) - PUBLIC_MODULES
QUOTED = {
    "labkit.conditions": {"Condition"},
    "labkit.origin": {"ORDERS", "RATE_LIMIT", "RATE_WINDOW"},
    "labkit.portal": {"PROBES"},
}
# every module of the package before issue 12 (15e6a12): each still imports by that path
MODULES_BEFORE_ISSUE_12 = """
labkit labkit.__main__ labkit.board labkit.browser labkit.charts labkit.classroom labkit.cli
labkit.conditions labkit.control labkit.drill labkit.errors labkit.exchange labkit.exercises
labkit.exercises.answers labkit.exercises.capstone labkit.exercises.core labkit.exercises.gateways
labkit.exercises.lesson_500 labkit.exercises.lesson_501 labkit.exercises.lesson_502
labkit.exercises.lesson_503 labkit.exercises.lesson_504 labkit.exercises.lesson_505
labkit.exercises.lesson_511 labkit.exercises.observe labkit.exercises.runner labkit.exercises.store
labkit.exercises.timelimit labkit.faults labkit.gateway labkit.grading labkit.http
labkit.http.deadline labkit.http.messages labkit.http.pages labkit.http.peers labkit.http.ports
labkit.http.proxystatus labkit.http.requestcheck labkit.http.server labkit.http.upstream
labkit.inspect labkit.lab labkit.load labkit.origin labkit.personalities labkit.picture
labkit.portal labkit.proxy labkit.recorder labkit.scenarios labkit.widgets
""".split()
MODULE = re.compile(r"`(labkit(?:\.\w+)*)`")
DOTTED = re.compile(r"\blabkit(?:\.[A-Za-z_]\w*)+")
FROM_IMPORT = re.compile(r"^\s*from\s+(labkit(?:\.\w+)*)\s+import\s+\(?([\w\s,]+)\)?", re.M)


def _all_modules() -> set[str]:
    """Every module of the package, found on disk (not imported)."""
    found = {"labkit"}
    for path in (ROOT / "labkit").rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        found.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


def _documented() -> dict[str, set[str]]:
    """docs/architecture.md's lists: bullet title -> the modules it names; a package named
    under *Implementation* brings its modules along ("labkit.http and its modules")."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    section = text.split("## Public surface and implementation\n", 1)[1].split("\n## ", 1)[0]
    lists: dict[str, set[str]] = {}
    for bullet in re.split(r"\n- ", section)[1:]:
        title = re.match(r"\*\*([^*:]+):?\*\*", bullet)
        assert title, bullet
        named = set(MODULE.findall(bullet)) & _all_modules()  # not `labkit.__all__`
        if title.group(1) == "Implementation":
            packages = {m for m in named if f"`{m}` and its modules" in " ".join(bullet.split())}
            named |= {m for m in _all_modules() for p in packages if m.startswith(p + ".")}
        lists[title.group(1)] = named
    return lists


def test_architecture_lists_each_module_once_as_public_or_implementation() -> None:
    lists = _documented()
    public = lists.pop("Public modules")
    old = lists.pop("Old paths of moved code")
    quoted = lists.pop("Implementation modules with names the lessons quote")
    implementation = lists.pop("Implementation")
    assert lists == {}, f"unexpected lists in docs/architecture.md: {sorted(lists)}"
    assert public == PUBLIC_MODULES
    assert old == OLD_PATHS | {"labkit.render", "labkit.charts"}
    assert set(QUOTED) <= quoted and quoted - set(QUOTED) <= {"labkit.render"}
    text = " ".join((ROOT / "docs" / "architecture.md").read_text().split())
    for module, names in QUOTED.items():
        listed = ", ".join(f"`{n}`" for n in sorted(names))
        assert f"`{module}` ({listed})" in text, f"{module}'s public names are not {listed}"
    everything = _all_modules()
    classified = [*PUBLIC_MODULES, *OLD_PATHS, *QUOTED, *implementation]
    twice = {m for m in classified if classified.count(m) > 1}
    assert twice == set(), f"in two lists: {sorted(twice)}"
    assert set(classified) == everything, (
        f"not listed: {sorted(everything - set(classified))}; "
        f"listed but absent: {sorted(set(classified) - everything)}"
    )


def _learner_texts() -> list[tuple[str, str]]:
    """What a learner reads and runs: every notebook cell (English and translations), README."""
    texts = [("README.md", (ROOT / "README.md").read_text())]
    for notebook in sorted((ROOT / "notebooks").rglob("*.ipynb")):
        where = notebook.relative_to(ROOT).as_posix()
        for n, cell in enumerate(json.loads(notebook.read_text())["cells"]):
            texts.append((f"{where} cell {n}", "".join(cell["source"])))
    return texts


def _module_and_rest(dotted: str, modules: set[str]) -> tuple[str, list[str]]:
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        if ".".join(parts[:i]) in modules:
            return ".".join(parts[:i]), parts[i:]
    raise AssertionError(dotted)


def test_notebooks_and_readme_use_only_the_public_surface() -> None:
    modules = _all_modules()
    uses: list[tuple[str, str]] = []
    for where, text in _learner_texts():
        uses += [(name, where) for name in DOTTED.findall(text)]
        for module, names in FROM_IMPORT.findall(text):
            uses += [(f"{module}.{n.split()[0]}", where) for n in names.split(",") if n.strip()]
    assert len({w for _, w in uses if w.startswith("notebooks/zh/")}) > 10, "zh not read"
    wrong = []
    for name, where in uses:
        module, rest = _module_and_rest(name, modules)
        if module in QUOTED:
            if rest and rest[0] not in QUOTED[module]:  # bare: `from labkit.origin import`
                wrong.append(f"{name} ({where}): only {sorted(QUOTED[module])} of {module}")
        elif module == "labkit":
            if rest and rest[0] not in labkit.__all__:
                wrong.append(f"{name} ({where}): not in labkit.__all__")
        elif module not in PUBLIC_MODULES | set(OLD_PATHS):
            wrong.append(f"{name} ({where}): {module} is implementation (docs/architecture.md)")
    assert wrong == [], "\n".join(wrong)


@pytest.mark.slow  # every module imported in a fresh interpreter (matplotlib, ipywidgets)
def test_every_module_path_from_before_issue_12_still_imports() -> None:
    """A module that moved stays importable from its old path, with the same objects."""
    code = (
        "import importlib, json, sys\n"
        f"names = {MODULES_BEFORE_ISSUE_12!r}\n"
        "import importlib.util\n"
        "for n in names:  # labkit.__main__ runs the command when imported: found, not run\n"
        "    (importlib.util.find_spec if n.endswith('__main__') else importlib.import_module)(n)\n"
        f"moved = {MOVED!r}\n"
        "same = {}\n"
        "for old, new in moved.items():\n"
        "    o, n = importlib.import_module(old), importlib.import_module(new)\n"
        "    same[old] = bool(o.__all__) and all(getattr(o, a) is getattr(n, a) for a in o.__all__)\n"
        "print(json.dumps(same))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT.parent
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == dict.fromkeys(MOVED, True)


def _layers() -> dict[str, int]:
    """docs/architecture.md's numbered layers: each top-level module or package of labkit
    with the layer where the list first names it (`http/`, `render/view.py`: http, render)."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    section = text.split("## Layers\n", 1)[1].split("\n## ", 1)[0]
    tops = {p.stem if p.is_file() else p.name for p in (ROOT / "labkit").iterdir()}
    layer: dict[str, int] = {}
    for number, item in re.findall(r"^(\d)\. (.*?)(?=^\d\. |\Z)", section, re.M | re.S):
        for name in re.findall(r"`([a-z_0-9]+)(?:/[\w./]*)?`", item):
            if name in tops:
                layer.setdefault(name, int(number))
    return layer


def test_each_module_imports_only_its_layer_and_those_below() -> None:
    """The layers docs/architecture.md draws hold at load: a module-level import (not one
    under TYPE_CHECKING, not a lazy one inside a function) never reaches a higher layer."""
    layer = _layers()
    modules = sorted((ROOT / "labkit").rglob("*.py"))
    tops = {p.relative_to(ROOT / "labkit").parts[0].removesuffix(".py") for p in modules}
    assert tops - set(layer) == {"__init__", "__main__"}, "a module in no layer"
    upward = []
    for path in modules:
        top = path.relative_to(ROOT / "labkit").parts[0].removesuffix(".py")
        if top not in layer:
            continue
        for node in _tree(path).body:
            if isinstance(node, ast.ImportFrom) and node.module:
                targets = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            for target in targets:
                parts = target.split(".")
                if parts[0] == "labkit" and len(parts) > 1 and layer.get(parts[1], 0) > layer[top]:
                    upward.append(f"{path.relative_to(ROOT)} (layer {layer[top]}) imports {target}")
    assert upward == [], "\n".join(upward)


def _own_private_names(tree: ast.Module) -> set[str]:
    """The private attributes a module defines for its own objects: its classes' methods and
    class attributes, their ``__slots__``, and whatever it assigns (``self._x = ...``,
    ``said._msg = ...``); not its module-level functions, which no object carries."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    names.add(item.name)
                elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    names.add(item.target.id)
                elif isinstance(item, ast.Assign):
                    names |= {t.id for t in item.targets if isinstance(t, ast.Name)}
                    if any(isinstance(t, ast.Name) and t.id == "__slots__" for t in item.targets):
                        names |= {
                            c.value
                            for c in ast.walk(item.value)
                            if isinstance(c, ast.Constant) and isinstance(c.value, str)
                        }
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
    return {name for name in names if name.startswith("_") and not name.startswith("__")}


# a private name of another library, reached on purpose, with the reason
FOREIGN_PRIVATE = {
    # IPython's: prints a cell's error as the kernel does, with our one line as its traceback
    "_showtraceback",
    # numpy's: a RandomState's bit generator, whose SeedSequence its legacy seeding drops,
    # which tells 504 q5's judge that a notebook seeded it (RandomState(42)); numpy gives no
    # public way to it (np.random's own: np.random.get_bit_generator())
    "_bit_generator",
}
# a third party's private module, imported on purpose, with the reason (the standard library's
# own, such as _operator and _blake2 in recorder.py, are named in sys.stdlib_module_names)
FOREIGN_PRIVATE_MODULES = {
    # h11's own header list, and its check of a framing field: an event given the list (made
    # once for each field, server.h11_fields) takes it as it is, without running
    # normalize_and_validate over every field of every event again (a Python call and a
    # regex match per name and value); guarded: an h11 without it gets byte pairs, judged
    # by h11's public constructors
    "h11._headers",
}
# IPython's display protocol (_repr_html_, _repr_png_...) and a named tuple's documented
# methods and fields (collections.namedtuple): public, spelt with underscores
DISPLAY_PROTOCOL = re.compile(r"_repr_\w+_|_ipython_\w+_|_fields|_replace|_asdict|_make")
# getattr(x, "_name") reads x._name as surely as the attribute does (h11's Headers._full_items
# was read that way): the same rule holds for a name written as a string
BY_NAME = {"getattr", "hasattr", "setattr", "delattr"}


def _attribute_reads(tree: ast.Module) -> list[tuple[ast.expr, str, int]]:
    """(object, name, line) for each attribute the module reads or writes, ``x.name`` or
    ``getattr(x, "name")``."""
    found: list[tuple[ast.expr, str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            found.append((node.value, node.attr, node.lineno))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in BY_NAME
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            found.append((node.args[0], node.args[1].value, node.lineno))
    return found


@functools.cache
def _tree(path: Path) -> ast.Module:
    """A module's syntax tree, parsed once for every test that reads it (labkit's modules
    were parsed twice, by the layers test and by the private-names test)."""
    return ast.parse(path.read_text())


def _private_reads(path: Path) -> list[tuple[int, str]]:
    """(line, what) for each private name of labkit a file reaches: imported from a labkit
    module (``from labkit.lab import _running``), or read as an attribute of anything but
    ``self``/``cls`` or a module from outside labkit that the file does not define itself.
    The standard library's and third parties' (``os._exit``) are their own business."""
    tree = _tree(path)
    own = _own_private_names(tree)
    reached = []
    foreign_modules = set()  # names bound to modules outside labkit: os, random, sys...
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            parts = node.module.split(".")
            if (
                not node.module.startswith("labkit")
                and parts[0] not in sys.stdlib_module_names
                and any(part.startswith("_") for part in parts)
                and node.module not in FOREIGN_PRIVATE_MODULES
            ):
                reached.append((node.lineno, f"from {node.module} import"))
            for alias in node.names:
                name = alias.asname or alias.name
                if node.module.startswith("labkit"):
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        reached.append((node.lineno, name))
                else:
                    foreign_modules.add(name)
        elif isinstance(node, ast.Import):
            foreign_modules |= {
                (a.asname or a.name).split(".")[0]
                for a in node.names
                if not a.name.startswith("labkit")
            }
    for value, attr, line in _attribute_reads(tree):
        if not attr.startswith("_"):
            continue
        base = value
        while isinstance(base, ast.Attribute):
            base = base.value
        if attr.startswith("__") or attr in own | FOREIGN_PRIVATE:
            continue
        if DISPLAY_PROTOCOL.fullmatch(attr):
            continue
        if isinstance(base, ast.Name) and base.id in {"self", "cls", *foreign_modules}:
            continue
        reached.append((line, f"{ast.unparse(value)}.{attr}"))
    return reached


def test_no_module_reaches_into_another_modules_private_names() -> None:
    """A module uses another's documented names only: ``from labkit.lab import _running`` or
    ``lab._on_loop(...)`` in switches.py is a seam nobody declared, which a rename in lab.py
    breaks silently (lab.py offers ``running_labs``, ``on_lab_loop``, ``first_personality``).
    A private attribute read on anything but ``self``/``cls`` must be one the module itself
    defines."""
    reached = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in sorted((ROOT / "labkit").rglob("*.py"))
        for line, what in _private_reads(path)
    ]
    assert reached == [], "\n".join(reached)


# What a test reaches inside labkit where no public seam shows it, each with its reason.
# Anything else a test reads goes through what labkit offers (``on_lab_loop``,
# ``drill.right_answer``...), so that renaming a private name breaks no test.
TESTS_REACH_IN = {
    # stop() with a held loop: the test frees what stop() could not, as no caller may
    ("test_hostile.py", "lab._loop"): "stop() when the loop is held",
    ("test_hostile.py", "lab._thread"): "stop() when the loop is held",
    ("test_hostile.py", "lab._stop_all"): "stop() when the loop is held",
    ("test_hostile.py", "proctree._subreaper"): "the kernel is a subreaper only while judging",
    # caches bounded against a hostile client: no public view of their size on purpose
    ("test_gateway.py", "gw._matched"): "the routes found, bounded",
    ("test_gateway.py", "lab.gateway._forwardings"): "the forwarded heads made, one per fields",
    ("test_gateway.py", "server._FITTING"): "the fields checked, bounded",
    ("test_exercises_capstone.py", "incident._scenario_id"): "hidden: its id names the cause",
    ("test_i18n.py", "_FromChild"): "the runner's unpickler, which runs no code",
    ("test_i18n.py", "i18n._fill"): "a template's Chinese spacing, on a made-up template",
    ("test_exercises_runner.py", "its_runner._budget"): "a hostile learner's code patches it",
    ("test_exercises_runner.py", "runner._limit_memory"): "a slow start, as a loaded host's",
    ("test_exercises_lesson_503.py", "runner._limit_memory"): "a slow start, as a loaded host's",
    ("test_exercises_lesson_500.py", "runner._limit_memory"): "a slow start, as a loaded host's",
    ("test_i18n_widgets.py", "charts._cjk_family"): "whether a Chinese font is installed",
    ("test_i18n_cli.py", "parser._actions"): "argparse lists a parser's arguments nowhere public",
    ("test_pool.py", "server._tasks"): "the server's side of a connection (TCP_NODELAY)",
    # the moment between the client giving up and lab.request telling what it saw
    ("test_determinism.py", "lab._fetch"): "a hold released as the client's read timed out",
    ("test_pool.py", "conn._h11"): "whether h11 was told of a request (a plain answer's not)",
    (
        "test_upstream_plain.py",
        "conn._h11",
    ): "whether h11 was told of a request (a plain answer's not)",
    (
        "test_upstream_plain.py",
        "upstream._PLAIN_HEAD",
    ): "the plain head's pattern against h11's grammar",
    ("test_gateway_fastpath.py", "server._new_connection"): "whether h11 read a request",
    ("test_gateway_fastpath.py", "server._keeps_alive"): "the server's close, beside h11's",
    # the paths that write without h11, switched off: the bytes must be h11's either way
    ("test_gateway.py", "Gateway._plain_head"): "a forwarded head written without h11",
    ("test_gateway.py", "Gateway._relayed_head"): "a relayed head written without h11",
    ("test_switches.py", "switches._help"): "a made-up parameter's --help line",
    # nothing public reads what the lab's own client noted, and a lab's stop must leave none
    ("test_classroom_peers.py", "peers._opened"): "the noted connections a stopped lab forgets",
    # another user's mkdir in the moment between the registry's look and its mkdir
    ("test_runtime_files.py", "control._unclaimed"): "a classmate's mkdir between two calls",
    ("test_exercises_core.py", "grading._rebuild"): "a kept answer as grade rebuilds it, no users",
    # the learner's client, whose first read comes late (a kernel thread kept off the CPU)
    ("test_timeouts.py", "lab._http"): "the lab's client, replaced by one that reads late",
    # not labkit's: what the test loads from elsewhere
    ("test_timeouts.py", "transport._pool"): "httpx's: its network backend, which reads late",
    ("test_recipes.py", "parser._actions"): "argparse's: it lists no subparsers publicly",
    ("test_translations.py", "translations._source"): "tools/translations.py's own",
}


def test_tests_reach_into_labkit_only_where_the_list_says() -> None:
    """The same rule for tests/, with the short list above: a test that reads ``lab._thread``
    where ``on_lab_loop(lab, threading.get_native_id)`` says the same breaks on a rename
    nobody else would notice; an entry of the list that no test uses any more goes too."""
    reached, used = [], set()
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for line, what in _private_reads(path):
            if (path.name, what) in TESTS_REACH_IN:
                used.add((path.name, what))
            else:
                reached.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert reached == [], "\n".join(reached)
    assert used == set(TESTS_REACH_IN), set(TESTS_REACH_IN) - used
