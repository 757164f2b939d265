"""Replacing a file atomically: write a temporary file beside it, then rename it over.

A reader sees the old file or the new one, never half of one; a failure keeps the old
file and removes the temporary one. The temporary file is created with O_EXCL and
O_NOFOLLOW (a link planted at its name is never followed, an existing file never
reused) and with its final mode from the start, so a file that names a learner (0600)
is never readable by others, even for a moment. One helper for the board's memo and
inbox entry, the drill's file, the progress store and a lab's control record; and
``private_dirs``, which makes the folders such a file goes in.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import IO


def private_dirs(folder: Path) -> None:
    """Make ``folder`` and every missing folder above it with mode 0700, whatever the umask.

    ``Path.mkdir(mode=0o700, parents=True)`` gives only the last folder that mode; the ones
    above it get 0777 less the umask, so a learner with umask 000 got a world-writable
    ``~/.local`` and ``~/.local/share``, in which a classmate who can enter the home (0755,
    still a default) could move the progress folder aside and put their own in its place.
    The XDG base directory specification asks for 0700 too. Folders that already exist are
    left as they are: they are the user's."""
    missing: list[Path] = []
    for path in (folder, *folder.parents):
        if os.path.lexists(path):
            break
        missing.append(path)
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):  # made meanwhile (another kernel): theirs
            os.mkdir(path, 0o700)


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
