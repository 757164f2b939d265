"""The public surface: what `import labkit` offers, typed, and what it does not load up front."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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


def test_start_and_a_first_answer_load_no_more_than_they_use(tmp_path: Path) -> None:
    """What 200 labs in 200 processes pay each (issue 17.4): no html entity table, no random
    or secrets (os.urandom serves), no idna codec (no getaddrinfo on a name)."""
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
    env = {**os.environ, "LABKIT_RUNTIME_DIR": str(tmp_path / "run")}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    status, modules = out.stdout.splitlines()
    assert status == "HTTP/1.1 200 OK"
    loaded = set(json.loads(modules))
    for heavy in ("html", "html.entities", "random", "secrets", "encodings.idna", "datetime"):
        assert heavy not in loaded, f"labkit.start() and a first answer loaded {heavy}"


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
