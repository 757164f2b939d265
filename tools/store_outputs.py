"""Execute notebooks, store them clean, and keep what the checked cells show for the tests.

A learner opens every notebook clean: no outputs, no execution counts, no test markers.
The cells whose output a lesson relies on carry the cell tag ``nbval-check-output``
(in the cell's metadata, invisible to a learner). For those cells this tool writes
the text they show (streams and ``text/plain`` results) to
``tests/notebook_outputs/NAME.json`` (a translation's: ``LANG/NAME.json``), keyed by cell id with the cell's source;
``tests/test_notebooks.py`` executes every notebook and compares. A legacy
``# NBVAL_CHECK_OUTPUT`` line is turned into the tag.

Usage: python tools/store_outputs.py notebooks/NAME.ipynb [...]
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

TAG = "nbval-check-output"
LEGACY = "# NBVAL_CHECK_OUTPUT"
EXPECTED = Path(__file__).resolve().parent.parent / "tests" / "notebook_outputs"
NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def expected_path(path: Path) -> Path:
    """Where a notebook's checked outputs are kept: NAME.json, a translation's under its
    language folder (notebooks/zh/NAME.ipynb: zh/NAME.json)."""
    return (EXPECTED / path.resolve().relative_to(NOTEBOOKS)).with_suffix(".json")


def shown(outputs: list[Any]) -> list[dict[str, str]]:
    """What a checked cell shows, as text: its streams and its results' text/plain."""
    out: list[dict[str, str]] = []
    for o in outputs:
        if o.get("output_type") == "stream":
            text = "".join(o["text"])
            if out and out[-1].get("stream") == o["name"]:  # one print may arrive in pieces
                out[-1]["text"] += text
            else:
                out.append({"stream": o["name"], "text": text})
        elif o.get("output_type") in ("execute_result", "display_data"):
            text = o.get("data", {}).get("text/plain")
            if text is not None:
                out.append({"result": "".join(text)})
        elif o.get("output_type") == "error":
            out.append({"error": f"{o.get('ename')}: {o.get('evalue')}"})
    return merged(out)


def merged(shows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Consecutive text on one stream as one piece: where the kernel cut it is timing."""
    out: list[dict[str, str]] = []
    for item in shows:
        if out and "stream" in item and out[-1].get("stream") == item["stream"]:
            out[-1] = {"stream": item["stream"], "text": out[-1]["text"] + item["text"]}
        else:
            out.append(dict(item))
    return out


def tag_legacy_markers(nb: Any) -> None:
    for cell in nb.cells:
        if cell.cell_type != "code" or LEGACY not in cell.source:
            continue
        lines = [line for line in cell.source.splitlines() if line.strip() != LEGACY]
        cell.source = "\n".join(lines)
        tags = cell.metadata.setdefault("tags", [])
        if TAG not in tags:
            tags.append(TAG)


def read(path: Path) -> Any:
    """The notebook as nbformat reads it, to execute (nbformat and nbclient are imported here,
    not with this module: tests/test_notebooks.py loads it at collection)."""
    import nbformat

    return nbformat.read(path, as_version=4)


def client(nb: Any, where: Path, km: Any = None) -> Any:
    """The nbclient client that runs ``nb`` in a kernel whose folder is ``where``, as
    JupyterLab runs a lesson: in the kernel ``km`` when given (started by this function's
    client for that folder, and not run yet), else in one it starts."""
    from nbclient import NotebookClient

    return NotebookClient(
        nb, km=km, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(where)}}
    )


def execute(nb: Any, where: Path, km: Any = None) -> None:
    """Run every cell of ``nb``; in the kernel ``km`` when given, which is then the
    caller's to shut down (tests/test_notebooks.py starts each ahead of its notebook).

    In a kernel of its own, exercise attempts made while executing go to a scratch file,
    never the author's own, in a directory removed once the kernel is gone (one was left in
    the temp dir for every notebook stored, and LABKIT_PROGRESS kept naming it after)."""
    if km is not None:
        _run(nb, where, km)
        return
    before = os.environ.get("LABKIT_PROGRESS")
    with tempfile.TemporaryDirectory(prefix="labkit-store-outputs-") as scratch:
        os.environ["LABKIT_PROGRESS"] = str(Path(scratch) / "progress.json")
        try:
            _run(nb, where, None)
        finally:
            if before is None:
                del os.environ["LABKIT_PROGRESS"]
            else:
                os.environ["LABKIT_PROGRESS"] = before


def _run(nb: Any, where: Path, km: Any) -> None:
    running = client(nb, where, km)
    try:
        running.execute()
    finally:
        if km is not None and running.kc is not None:
            running.kc.stop_channels()


def clean(nb: Any) -> None:
    nb.metadata.pop("widgets", None)  # widget state: large, and no test reads it
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None


def store(path: Path) -> None:
    import nbformat

    nb = read(path)
    tag_legacy_markers(nb)
    execute(nb, path.parent)
    expected = {
        cell.id: {"source": cell.source, "shows": shown(cell.outputs)}
        for cell in nb.cells
        if cell.cell_type == "code" and TAG in cell.metadata.get("tags", [])
    }
    target = expected_path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(expected, indent=1) + "\n")
    clean(nb)
    nbformat.write(nb, path)
    print(f"stored {path} ({len(expected)} checked cells)")


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        store(Path(arg))
