"""The notebooks as a learner opens and runs them.

Stored clean (no outputs, no test markers); the first code cell starts the lab; Run All
leaves the lab running; every lesson ends with a "next" link; the glossary's terms are
linked. Executed here: no cell fails, and every cell tagged ``nbval-check-output`` shows
what ``tools/store_outputs.py`` stored in ``tests/notebook_outputs/`` (at least
MIN_CHECKS per notebook), so every status a lesson shows is verified.
"""

from __future__ import annotations

import ast
import asyncio
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import Node, load_tool, read_notebook

ROOT = Path(__file__).resolve().parent.parent
# the English lessons, then their translations (notebooks/zh/: docs/i18n.md)
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted(
    (ROOT / "notebooks").glob("*/*.ipynb")
)
EXPECTED = ROOT / "tests" / "notebook_outputs"
MIN_CHECKS = 4
GLOSSARY = ROOT / "notebooks" / "glossary.md"
GLOSSARY_TERMS = (
    "FIN",
    "RST",
    "HTTP/0.9",
    "keep-alive",
    "ALPN",
    "HAProxy termination states",
    "Envoy response flags",
    "Reading an RFC reference",
    "upstream",
    "chunked",
    "health check",
    # lesson 06's first cell names them as the ways HTTP/2, HTTP/3 and 426 really work
    "TLS",
    "QUIC",
    "DNS",
    "WebSocket",
)

store_outputs = load_tool("store_outputs")

ids = [p.relative_to(ROOT / "notebooks").with_suffix("").as_posix() for p in NOTEBOOKS]
# how a lesson's first cell and its last link read, in each language's folder
FIRST_LINE = {"notebooks": "# Run this cell first", "zh": "# 先运行这个单元格"}
# the bold lead-in of a lesson's last cell; Chinese puts its ： after the closing stars, and
# says 接下来 ("what comes next") where no lesson follows (the drill leads back to the start)
NEXT = {"notebooks": "Next:", "zh": "下一课|接下来"}


def _read(path: Path) -> Node:
    return read_notebook(path)


def _code(nb: Any) -> list[Any]:  # a Node, or nbformat's NotebookNode once executed
    return [c for c in nb.cells if c.cell_type == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_stored_clean(path: Path) -> None:
    nb = _read(path)
    for cell in _code(nb):
        assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]
        assert "NBVAL" not in cell.source, cell.source[:60]
    assert "widgets" not in nb.metadata
    # the kernel and language as ipykernel names them, so that JupyterLab has nothing to
    # rewrite on open: a rewritten kernelspec marked every lesson's tab modified (edd060a).
    # Not the version, which JupyterLab writes over with the kernel's: on another Python a
    # lesson opens modified whatever is stored (measured in JupyterLab 4.6 under 3.11.7:
    # 3.12.1 stored, no version, no language_info: modified; 3.11.7: not; the same in
    # jupyter/notebook#2123, open since 2017). It is the Python the lessons are checked on.
    from ipykernel.ipkernel import IPythonKernel
    from ipykernel.kernelspec import KERNEL_NAME, get_kernel_dict

    spec = get_kernel_dict()
    assert nb.metadata.kernelspec == {
        "display_name": spec["display_name"],
        "language": spec["language"],
        "name": KERNEL_NAME,
    }
    stored = dict(nb.metadata.language_info)
    assert stored.pop("version", None) is not None
    assert stored == {k: v for k, v in IPythonKernel.language_info.items() if k != "version"}
    checked = [c for c in _code(nb) if store_outputs.TAG in c.metadata.get("tags", [])]
    assert len(checked) >= MIN_CHECKS, f"{path.name}: only {len(checked)} checked cells"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_first_cell_starts_the_lab_and_run_all_leaves_it_running(path: Path) -> None:
    code = _code(_read(path))
    first = code[0].source
    assert "labkit.start(" in first and first.startswith(FIRST_LINE[path.parent.name]), first
    for cell in code:
        assert not re.search(r"^\s*lab\.stop\(\)", cell.source, re.M), cell.source
        # nor a drill left: after Run All, lesson 10's drill.check said "You left drill solo,
        # so this diagnosis is not counted" to every answer, and a class drill's tries no
        # longer reached the board
        assert not re.search(r"^\s*drill\.leave\(\)", cell.source, re.M), cell.source
    assert "# lab.stop()" in code[-1].source
    # nor anything else the cells above use: 07's last cell closed its httpx client, so a
    # login cell run again after Run All raised "the client has been closed"
    assert not re.search(r"^\s*\w+\.close\(\)", code[-1].source, re.M), code[-1].source


def _imported(source: str) -> set[tuple[str, str]]:
    """What a cell's import statements bind, as (module, name) pairs; IPython's magics
    (``%matplotlib inline``) are left out, as Python would not parse them."""
    tree = ast.parse("\n".join(line for line in source.splitlines() if not line.startswith("%")))
    pairs: set[tuple[str, str]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            pairs |= {(alias.name, alias.asname or alias.name) for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            pairs |= {(node.module or "", alias.asname or alias.name) for alias in node.names}
    return pairs


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_no_cell_imports_again_what_the_start_cell_imported(path: Path) -> None:
    """The start cell imports what the lesson uses; a later cell that imports it again
    reads as a step a learner must repeat (and, as the only line of an exercises cell, as a
    cell to run before the exercises), where each cell runs after the start cell as it is."""
    code = _code(_read(path))
    started = _imported(code[0].source)
    again = [
        (cell.source.splitlines()[0], sorted(_imported(cell.source) & started))
        for cell in code[1:]
        if _imported(cell.source) & started
    ]
    assert again == [], again


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_each_lesson_ends_with_a_next_link(path: Path) -> None:
    last = _read(path).cells[-1]
    assert last.cell_type == "markdown"
    label = NEXT[path.parent.name]
    m = re.search(rf"\*\*(?:{label})\*\*[^\[]*\[[^\]]+\]\(([^)#]+)", last.source)
    assert m, last.source
    assert (path.parent / m.group(1)).exists(), m.group(1)
    following = [p for p in NOTEBOOKS[NOTEBOOKS.index(path) + 1 :] if p.parent == path.parent]
    if following and following[0].name[:2].isdigit() and path.name[:2].isdigit():
        assert f"({following[0].name})" in last.source, (
            f"{path.name} should lead to the next lesson"
        )


def _title(path: Path) -> str:
    first = _read(path).cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), path.name
    return first.source.splitlines()[0][2:].strip()


def test_a_link_to_a_lesson_reads_that_lesson_s_title() -> None:
    """One rule for every "next" link and every other link to a lesson, in every language:
    its words are the lesson's own title, as its first heading reads. And a title says what
    the lesson is about (a status it is about may lead it), not its number (the file name
    orders the lessons): lesson 08's was
    "08 — Diagnose the incident", so 07's "next" link read "08 — ..." where every other one
    reads a title such as "504 Gateway Timeout"."""
    found = []
    for path in NOTEBOOKS:
        title = _title(path)
        if re.match(r"\d", title) and not re.match(r"\d{3} ", title):
            found.append(f"{path.relative_to(ROOT)}: title {title!r} starts with its number")
        for cell in _read(path).cells:
            if cell.cell_type != "markdown":
                continue
            for words, target in re.findall(r"\[([^\]]+)\]\(([^)#\s]+\.ipynb)[^)]*\)", cell.source):
                linked = path.parent / target
                if not linked.exists():
                    found.append(f"{path.relative_to(ROOT)}: [{words}]({target}) leads nowhere")
                elif words != _title(linked):
                    found.append(
                        f"{path.relative_to(ROOT)}: [{words}]({target}) but its title is {_title(linked)!r}"
                    )
    assert not found, "\n".join(found)


# The columns a code block in a lesson's prose shows before it wraps, in JupyterLab 4.6 with
# the file browser open, measured in Chromium: 90 in a 1280 px window, 60 at 1024 px, 52 in
# half of a 1920 px screen (960 px). JupyterLab wraps such a block (white-space: pre-wrap).
CODE_BLOCK_COLUMNS = 52


def _columns(line: str) -> int:
    """A line's width in a monospaced font: a Chinese character takes two columns."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def test_a_picture_drawn_in_text_fits_before_it_wraps() -> None:
    """A code block in a lesson's prose that lines words up in columns (two spaces or more
    inside a line) keeps within CODE_BLOCK_COLUMNS, in every language: wrapped, its words
    land under the wrong column. Lesson 00's anatomy of an exchange read, in a 1024 px
    window, "GET /orders/7 HTTP/1.1 <- the request line:" and then "method, target,
    version" on a line of its own, as if it were a line of the request; its map of the lab
    (100 columns) wrapped even at 1280 px."""
    found = []
    for path in NOTEBOOKS:
        for k, cell in enumerate(_read(path).cells):
            if cell.cell_type != "markdown":
                continue
            for block in re.findall(r"```[^\n]*\n(.*?)```", cell.source, re.S):
                for line in block.splitlines():
                    if re.search(r"\S {2,}\S", line) and _columns(line) > CODE_BLOCK_COLUMNS:
                        found.append(
                            f"{path.relative_to(ROOT)} cell {k}: {_columns(line)} columns: {line}"
                        )
    assert not found, "\n".join(found)


def test_the_glossary_explains_each_term_and_lessons_link_to_it() -> None:
    text = GLOSSARY.read_text()
    anchors = set()
    for term in GLOSSARY_TERMS:
        assert f"\n## {term}\n" in text, term
        anchors.add(term.replace(" ", "-"))
    linked = set()
    for path in NOTEBOOKS:
        for cell in _read(path).cells:
            linked |= set(re.findall(r"\(glossary\.md#([^)]+)\)", cell.source))
    assert anchors <= linked, anchors - linked


# Each language's glossary is in its lessons' folder (notebooks/zh/glossary.md: docs/i18n.md),
# a heading per term; a link's anchor is the heading with its spaces made '-', as JupyterLab
# names a heading
GLOSSARY_HEADINGS = {
    "notebooks": {term: term for term in GLOSSARY_TERMS},
    "zh": {
        "FIN": "FIN",
        "RST": "RST",
        "HTTP/0.9": "HTTP/0.9",
        "keep-alive": "keep-alive",
        "ALPN": "ALPN",
        "HAProxy termination states": "HAProxy 终止状态",
        "Envoy response flags": "Envoy 响应标志",
        "Reading an RFC reference": "如何读 RFC 引用",
        "upstream": "upstream",
        "chunked": "chunked",
        "health check": "health check",
        "TLS": "TLS",
        "QUIC": "QUIC",
        "DNS": "DNS",
        "WebSocket": "WebSocket",
    },
}


def _folder(name: str) -> Path:
    return ROOT / "notebooks" if name == "notebooks" else ROOT / "notebooks" / name


def _glossary_links(source: str) -> list[str]:
    return re.findall(r"\]\(([^)]*glossary\.md[^)]*)\)", source)


@pytest.mark.parametrize("folder", sorted(GLOSSARY_HEADINGS))
def test_a_heading_with_chinese_characters_is_found_by_its_encoded_anchor(folder: str) -> None:
    """JupyterLab 4 looks a link's anchor up as the browser gives it, percent-encoded
    (#HAProxy-%E7%BB%88...), so a heading with characters outside ASCII was never found and
    the glossary opened at its top: each has an element just above it that carries the
    encoded anchor as ``data-jupyter-id`` (the browser test clicks the links)."""
    from urllib.parse import quote

    text = (_folder(folder) / "glossary.md").read_text()
    for heading in GLOSSARY_HEADINGS[folder].values():
        anchor = heading.replace(" ", "-")
        if anchor.isascii():
            continue
        marker = f'<a data-jupyter-id="{quote(anchor, safe="-")}"></a>\n\n## {heading}\n'
        assert marker in text, (
            f"{folder}/glossary.md: no {marker.splitlines()[0]} above ## {heading}"
        )


@pytest.mark.parametrize("folder", sorted(GLOSSARY_HEADINGS))
def test_each_glossary_link_goes_to_a_term_of_its_languages_glossary(folder: str) -> None:
    base = _folder(folder)
    text = (base / "glossary.md").read_text()
    anchors = set()
    for term, heading in GLOSSARY_HEADINGS[folder].items():
        assert f"\n## {heading}\n" in text, f"{folder}: glossary.md has no '## {heading}' ({term})"
        anchors.add(heading.replace(" ", "-"))
    wrong = []
    for path in NOTEBOOKS:
        if path.parent != base:
            continue
        for i, cell in enumerate(_read(path).cells):
            for target in _glossary_links(cell.source):
                page, _, anchor = target.partition("#")
                if page != "glossary.md" or (anchor and anchor not in anchors):
                    wrong.append(f"{path.relative_to(ROOT)} cell {i}: ({target})")
    assert not wrong, (
        f"links that miss {folder}'s own glossary (glossary.md#ANCHOR, one of {sorted(anchors)}):\n"
        + "\n".join(wrong)
    )


def test_a_translated_cell_links_the_glossary_terms_its_english_cell_links() -> None:
    terms = {term.replace(" ", "-"): term for term in GLOSSARY_TERMS}
    missed = []
    for path in NOTEBOOKS:
        if path.parent.name not in GLOSSARY_HEADINGS or path.parent == GLOSSARY.parent:
            continue
        headings = GLOSSARY_HEADINGS[path.parent.name]
        translated = {c.get("id"): c.source for c in _read(path).cells}
        for cell in _read(GLOSSARY.parent / path.name).cells:
            for target in _glossary_links(cell.source):
                term = terms.get(target.partition("#")[2])
                if term and cell.get("id") in translated:
                    want = "glossary.md#" + headings[term].replace(" ", "-")
                    if f"({want})" not in translated[cell.id]:
                        missed.append(f"{path.relative_to(ROOT)} cell {cell.id}: ({want})")
    assert not missed, "translated cells that do not link the term their English cell links:\n" + (
        "\n".join(missed)
    )


# How each glossary term shows in a lesson's prose: the first English cell (lessons in order)
# that uses it links it, so a newcomer meets the explanation where the word first appears.
TERM_IN_PROSE = {
    "FIN": r"\bFIN\b",
    "RST": r"\bRST\b",
    "HTTP/0.9": r"HTTP/0\.9",
    "keep-alive": r"keep-alive",
    "ALPN": r"\bALPN\b",
    "HAProxy termination states": r"\b[sS][CHD]--",
    "Envoy response flags": r"`(?:\d{3} )?U[FRHTC]X?`",
    "Reading an RFC reference": r"RFC \d{3,4} \d",
    # used in 00, 01, 03 and 04, said only in 05's first cell
    "upstream": r"\bupstreams?\b",
    # lesson 02 opened with `gzip, chunked`, twenty cells before it said how a chunked body is sent
    "chunked": r"\bchunked\b",
    # 04's "Its health checks found both down" said nothing of what one is
    "health check": r"\bhealth checks?\b",
    # 06's first cell named all four with no word on any (a TLS handshake, QUIC, a DNS record)
    "TLS": r"\bTLS\b",
    "QUIC": r"\bQUIC\b",
    "DNS": r"\bDNS\b",
    "WebSocket": r"\bWebSocket\b",
}


def test_each_glossary_term_is_linked_where_it_first_appears() -> None:
    assert set(TERM_IN_PROSE) == set(GLOSSARY_TERMS)
    first: dict[str, tuple[str, str]] = {}
    for path in NOTEBOOKS:
        if path.parent != GLOSSARY.parent:
            continue  # the English lessons: translations link the same cells
        for cell in _read(path).cells:
            if cell.cell_type != "markdown":
                continue
            for term, pattern in TERM_IN_PROSE.items():
                if term not in first and re.search(pattern, cell.source):
                    first[term] = (path.name, cell.source)
    assert set(first) == set(GLOSSARY_TERMS), set(GLOSSARY_TERMS) - set(first)
    for term, (name, source) in first.items():
        anchor = term.replace(" ", "-")
        assert f"(glossary.md#{anchor})" in source, f"{name}: {term} first appears unlinked"


class _Kernels:
    """A fresh kernel for each notebook, as JupyterLab gives a lesson it opens, started while
    the notebook before it runs and shut down while the one after it runs.

    A kernel took 1.6-1.9 s to be ready (ipykernel, IPython, zmq) and 0.4-1.6 s to exit (the
    lab's servers stop at its exit) at load 8, while a notebook's cells mostly wait on the
    lab's sockets and timeouts: one after another, the 22 notebooks ran in 110 s at load 9,
    and in 64 s with each kernel started ahead and stopped behind. Each kernel is started as
    nbclient starts its own (``store_outputs.client``: in the notebook's folder, with
    ``--HistoryManager.hist_file=:memory:``) and runs no code before its notebook's first
    cell; its environment is the test run's, with a runtime directory and a progress file of
    its own, as conftest's fixtures give every other test."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        from jupyter_core.utils import ensure_event_loop

        self.tmp = tmp_path_factory
        self.loop = ensure_event_loop()  # the loop nbclient runs its clients on in this thread
        self.spare: dict[Path, Any] = {}  # a kernel started ahead, by folder
        self.stopping: list[Any] = []  # the shutdowns under way (asyncio tasks)

    def _start(self, where: Path) -> Any:
        import nbformat

        scratch = self.tmp.mktemp("kernel")
        runtime = scratch / "runtime"
        runtime.mkdir(mode=0o700)
        env = {k: v for k, v in os.environ.items() if k != "LABKIT_LAB"}
        env |= {"LABKIT_RUNTIME_DIR": str(runtime), "LABKIT_PROGRESS": str(scratch / "p.json")}
        launcher = store_outputs.client(nbformat.v4.new_notebook(), where)
        launcher.km = launcher.create_kernel_manager()
        # returns once the process is spawned: the kernel gets ready while the notebook runs
        self.loop.run_until_complete(launcher.async_start_new_kernel(env=env))
        return launcher.km

    def take(self, where: Path) -> Any:
        """A kernel for a notebook in ``where``: the one started ahead, else a new one."""
        return self.spare.pop(where, None) or self._start(where)

    def ahead(self, where: Path) -> None:
        """Start the kernel of a notebook to come in ``where``, if none waits there yet."""
        if where not in self.spare:
            self.spare[where] = self._start(where)

    def retire(self, km: Any) -> None:
        """Shut ``km`` down as nbclient does (a shutdown request, then a signal if it does not
        exit), on nbclient's loop: it goes on while the next notebook runs."""
        self.stopping.append(self.loop.create_task(km.shutdown_kernel()))

    def close(self) -> None:
        """Shut every kernel down and wait until each has exited."""
        for km in self.spare.values():
            self.retire(km)
        self.spare.clear()
        stopping, self.stopping = self.stopping, []
        if stopping:
            self.loop.run_until_complete(asyncio.gather(*stopping))


@pytest.fixture(scope="module")
def kernels(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Kernels]:
    started = _Kernels(tmp_path_factory)
    yield started
    started.close()


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_runs_and_shows_what_it_promises(path: Path, kernels: _Kernels) -> None:
    expected = json.loads(store_outputs.expected_path(path).read_text())
    nb = store_outputs.read(path)
    km = kernels.take(path.parent)
    following = NOTEBOOKS[NOTEBOOKS.index(path) + 1 :]
    if following:
        kernels.ahead(following[0].parent)
    try:
        store_outputs.execute(nb, path.parent, km)
    finally:
        kernels.retire(km)
    errors = [c.source for c in _code(nb) if any(o.output_type == "error" for o in c.outputs)]
    assert not errors, errors
    checked = {c.id: c for c in _code(nb) if store_outputs.TAG in c.metadata.get("tags", [])}
    assert set(checked) == set(expected), "checked cells changed: run tools/store_outputs.py"
    for cell_id, cell in checked.items():
        assert cell.source == expected[cell_id]["source"], "run tools/store_outputs.py"
        shows = store_outputs.merged(expected[cell_id]["shows"])
        assert store_outputs.shown(cell.outputs) == shows, cell.source


@pytest.mark.slow
def test_nbval_runs_a_notebook_from_the_repository_root() -> None:
    """The README's `python -m pytest --nbval-lax notebooks/...`, as an outside checker types
    it: nbval is a known option (the Makefile, not pyproject, leaves its plugin out) and every
    cell of the first lesson runs. The lab it starts registers in this test's runtime
    directory (LABKIT_RUNTIME_DIR, inherited)."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax"]
    out = subprocess.run(
        [*command, "notebooks/00-start-here.ipynb"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert re.search(r"^\d+ passed", out.stdout.splitlines()[-1]), out.stdout[-500:]


def test_one_lesson_teaches_the_pages_language_and_the_others_point_to_it() -> None:
    """Lesson 01's "See it in your browser" says in which language the lab's pages answer a
    browser (its own Accept-Language, not the lab's) and why; lessons 02-07 repeated an older
    one-sentence version of it. They now point to lesson 01 in a line, in each language."""
    found = []
    for path in NOTEBOOKS:
        if path.name[:2] not in ("01", "02", "03", "04", "05", "06", "07"):
            continue  # 09's page is a real gateway's English bytes: it says so there
        for cell in _read(path).cells:
            if cell.cell_type != "markdown" or not re.match(
                r"## (See it in your browser|在浏览器里看)\b", cell.source
            ):
                continue
            teaches = "Accept-Language" in cell.source
            points = "(01-500-internal-server-error.ipynb" in cell.source
            if path.name.startswith("01-") and not teaches:
                found.append(f"{path.relative_to(ROOT)}: no longer says how the pages choose")
            if not path.name.startswith("01-") and (teaches or not points):
                found.append(f"{path.relative_to(ROOT)}: says it again, or does not point to 01")
    assert not found, "\n".join(found)


def test_a_link_to_another_lesson_names_no_heading() -> None:
    """JupyterLab 4.6 opens a lesson linked as NAME.ipynb#Heading at its top: lessons 02-07's
    link to lesson 01's "See it in your browser" opened 01 with that heading 4,094 px down,
    12 s after the click (Chromium, windowing off), where a link into a Markdown page (the
    glossary) scrolls to its heading. A link to a lesson names the section in words instead."""
    found = [
        f"{path.relative_to(ROOT)}: {target}"
        for path in NOTEBOOKS
        for cell in _read(path).cells
        if cell.cell_type == "markdown"
        for target in re.findall(r"\]\(([^)\s]+\.ipynb#[^)]*)\)", cell.source)
    ]
    assert not found, "\n".join(found)
