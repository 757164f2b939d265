"""tools/messages.py writes the catalogue of the repository it lives in, whichever labkit
the interpreter would import first (an editable install of another checkout, PYTHONPATH)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POT = Path("labkit") / "locale" / "messages.pot"


def _checkout(where: Path) -> Path:
    """A copy of this checkout's labkit and tools at ``where``, its template marked stale."""
    for part in ("labkit", "tools"):
        shutil.copytree(ROOT / part, where / part, ignore=shutil.ignore_patterns("__pycache__"))
    (where / POT).write_text(f"stale: {where.name}\n", encoding="utf-8")
    return where


def test_messages_writes_the_template_beside_itself(tmp_path) -> None:
    """Run from a second worktree while the venv's editable install pointed at another
    checkout, `python tools/messages.py` imported that checkout's labkit and rewrote its
    labkit/locale/messages.pot, leaving its own stale. Here PYTHONPATH stands for the
    other checkout. Fails before: 'stale: mine' stayed and 'stale: other' was rewritten."""
    other, mine = _checkout(tmp_path / "other"), _checkout(tmp_path / "mine")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, str(mine / "tools" / "messages.py")],
        env={**env, "PYTHONPATH": str(other), "PYTHONDONTWRITEBYTECODE": "1"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert (other / POT).read_text(encoding="utf-8") == "stale: other\n"
    written = (mine / POT).read_text(encoding="utf-8")
    assert written.startswith("# The messages labkit translates: the English source.")
    assert 'msgid "no running lab found' in written
