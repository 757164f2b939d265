"""Execute notebooks and store only the outputs that nbval checks.

Cells marked ``# NBVAL_CHECK_OUTPUT`` keep their outputs (nbval --nbval-lax compares
them on every test run); every other output is dropped, so nothing volatile (ports,
timings) is stored. Usage: python tools/store_outputs.py notebooks/*.ipynb
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

MARK = "NBVAL_CHECK_OUTPUT"


def store(path: Path) -> None:
    # exercise attempts made while storing go to a scratch file, never the author's own
    os.environ["LABKIT_PROGRESS"] = str(Path(tempfile.mkdtemp()) / "progress.json")
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    nb.metadata.pop("widgets", None)  # widget state: large, and no test reads it
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if MARK not in cell.source:
            cell.outputs = []
            cell.execution_count = None
        else:
            for out in cell.outputs:
                out.pop("execution_count", None)
                out.get("metadata", {}).clear()
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)
    print(f"stored {path}")


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        store(Path(arg))
