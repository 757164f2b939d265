"""Small helpers shared by the tests."""

from __future__ import annotations

import os
import time
from collections.abc import Callable


def solution_function(exercise, name: str):
    """The function defined by an exercise's shown solution: the test runs what learners see."""
    import re

    code = "\n".join(
        line
        for line in exercise.solution_text.splitlines()
        if not re.match(r"\s*q\d+\.check\(", line)
    )
    namespace: dict = {}
    exec(code, namespace)
    return namespace[name]


def socket_inodes() -> set[str]:
    """The inodes of the sockets this process has open, read from /proc/self/fd (Linux)."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            link = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # the fd of the listing itself, closed meanwhile
            continue
        if link.startswith("socket:["):
            found.add(link[len("socket:[") : -1])
    return found


def settle(check: Callable[[], bool], limit: float = 3.0) -> bool:
    """Wait until ``check()`` is true (closing is asynchronous), at most ``limit`` s; whether
    it became true."""
    deadline = time.monotonic() + limit
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True
