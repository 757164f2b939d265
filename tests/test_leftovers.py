"""Nothing left behind in the temp dir by the tools and the suite's own fixtures.

The machine's /tmp held some 300 empty ``tmpXXXXXXXX`` directories from a day's runs of
tools/store_outputs.py (one for each notebook stored), and a shared-tmp directory of
tests/test_runtime_files.py that a killed run never removed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from helpers import load_tool


@pytest.mark.slow  # a kernel in another process
def test_storing_a_notebook_leaves_no_directory_in_the_temp_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """store_outputs runs a notebook with its exercise attempts in a scratch file; the
    directory it made for that file stayed in the temp dir, and LABKIT_PROGRESS went on
    naming it. Fails before (one tmpXXXXXXXX directory left)."""
    import nbformat

    store_outputs = load_tool("store_outputs")
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    before = os.environ["LABKIT_PROGRESS"]  # conftest's progress_file
    cell = nbformat.v4.new_code_cell("import os\nprint(os.environ['LABKIT_PROGRESS'])")
    nb = nbformat.v4.new_notebook(cells=[cell])
    store_outputs.execute(nb, tmp_path)
    progress = Path(nb.cells[0].outputs[0]["text"].strip())
    assert progress.parent.parent == temp, progress  # a scratch file, in the temp dir
    assert list(temp.iterdir()) == []
    assert os.environ["LABKIT_PROGRESS"] == before
