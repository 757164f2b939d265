"""Replacing a file atomically: write a temporary file beside it, then rename it over.

A reader sees the old file or the new one, never half of one; a failure keeps the old
file and removes the temporary one. The temporary file is created with O_EXCL and
O_NOFOLLOW (a link planted at its name is never followed, an existing file never
reused) and with its final mode from the start, so a file that names a learner (0600)
is never readable by others, even for a moment. One helper for the board's memo and
inbox entry, the drill's file, the progress store and a lab's control record.
"""

from __future__ import annotations

import contextlib
import os
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
    dir_fd: int | None = None,
) -> None:
    """Write ``file`` anew through ``write(f)``; ``prefix`` names the temporary file
    (default ``.NAME.``, a random suffix follows); ``fsync`` waits until it is on disk.
    ``dir_fd``: ``file`` is a name in that open directory, which the caller checked once
    (a sticky inbox, the runtime directory): no path is looked up again in between."""
    # secrets.token_hex's bytes without importing secrets (3 ms): a lab's start writes here
    name = (f".{file.name}." if prefix is None else prefix) + os.urandom(8).hex()
    tmp = Path(name) if dir_fd is not None else file.with_name(name)
    fd = os.open(
        tmp,
        os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
        mode,
        dir_fd=dir_fd,
    )
    try:
        with os.fdopen(fd, "w") as f:
            os.fchmod(f.fileno(), mode)  # the umask may have cleared bits (0644: others read it)
            write(f)
            if fsync:
                f.flush()
                os.fsync(f.fileno())
        # in a sticky directory (the inbox) this succeeds only over the caller's own file
        os.replace(tmp, file, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=dir_fd)
        raise
