"""Replacing a file atomically: write a temporary file beside it, then rename it over.

A reader sees the old file or the new one, never half of one; a failure keeps the old
file and removes the temporary one. The temporary file is created with O_EXCL and
O_NOFOLLOW (a link planted at its name is never followed, an existing file never
reused) and with its final mode from the start, so a file that names a learner (0600)
is never readable by others, even for a moment. One helper for the board's memo, the
drill's file and the progress store.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import IO


def replace_file(
    file: Path,
    write: Callable[[IO[str]], None],
    *,
    mode: int = 0o600,
    prefix: str | None = None,
    fsync: bool = False,
) -> None:
    """Write ``file`` anew through ``write(f)``; ``prefix`` names the temporary file
    (default ``.NAME.``, a random suffix follows); ``fsync`` waits until it is on disk."""
    tmp = file.with_name((f".{file.name}." if prefix is None else prefix) + secrets.token_hex(8))
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), mode)
    try:
        with os.fdopen(fd, "w") as f:
            os.fchmod(f.fileno(), mode)  # the umask may have cleared bits (0644: others read it)
            write(f)
            if fsync:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, file)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
