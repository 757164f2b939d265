"""In a real browser: the Chinese lessons (notebooks/zh/), walked as tests/test_browser.py
walks the English ones (its docstring says what a walk checks).

A module of its own, with a JupyterLab and a Chromium of its own (the module-scoped fixtures,
imported from there): `make test JOBS=2` gives each module whole to one worker, and the
browser module, all 22 walks in one, was the parallel phase's longest path (~1,300 s at
load 10) while the other worker ran out of files. Now each worker walks one language.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_browser import TRANSLATED, browser, jupyter, pytestmark, walk_lesson

__all__ = ["browser", "jupyter", "pytestmark"]  # the fixtures and marks, used by name


@pytest.mark.parametrize("name", TRANSLATED)
def test_lesson_runs_in_the_browser(axe: Path, browser, jupyter: str, name: str) -> None:
    walk_lesson(axe, browser, jupyter, name)
