"""Nothing left behind in the temp dir by the tools and the suite's own fixtures.

The machine's /tmp held some 300 empty ``tmpXXXXXXXX`` directories from a day's runs of
tools/store_outputs.py (one for each notebook stored), and a shared-tmp directory of
tests/test_runtime_files.py that a killed run never removed; and the browser tests' Chromium
left a directory ``org.chromium.Chromium.*`` there each time it did not close cleanly.
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


@pytest.mark.slow  # a real Chromium, in other processes
def test_the_browser_tests_chromium_keeps_its_temporary_files_in_the_tests_directory(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The browser tests' Chromium, launched as their fixture launches it, makes its
    temporary directories (its single-instance socket's ``org.chromium.Chromium.*``, the
    driver's profile) in the test's own directory, never in the machine's /tmp, and removes
    them when it closes. Fails before (the socket's directory, and the profile, were in /tmp:
    the profile's SingletonSocket link pointed there)."""
    test_browser = pytest.importorskip("test_browser")
    tmp_path = tmp_path_factory.mktemp("chromium")  # as the fixture's: short, see playwright_in
    if test_browser.CHROMIUM is None or test_browser.sync_playwright is None:
        pytest.skip("no Chromium or no playwright (tests/test_browser.py says which)")
    with test_browser.playwright_in(tmp_path) as p:
        browser = p.chromium.launch(
            executable_path=test_browser.CHROMIUM, args=test_browser.CHROMIUM_ARGS
        )
        try:
            browser.new_page().goto("data:text/html,<p>hello</p>")
            profiles = list(tmp_path.glob("playwright_chromiumdev_profile-*"))
            sockets = list(tmp_path.glob("org.chromium.Chromium.*"))
            assert len(profiles) == 1, sorted(os.listdir(tmp_path))
            assert [d.name for d in sockets[0].iterdir()] != [], sockets
            link = (profiles[0] / "SingletonSocket").readlink()
            assert link.parent == sockets[0], link  # not in /tmp
        finally:
            browser.close()
    assert list(tmp_path.iterdir()) == []
