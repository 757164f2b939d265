"""The suite's own guards (tests/conftest.py), each seen doing what it is for."""

from __future__ import annotations

import ast
import gc
import sys
import threading
import time

import pytest
from conftest import AST_RACE


class _Cycle:
    """Garbage with a finalizer in Python: the collector runs its code, where the GIL may pass."""

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        sum(range(50))


@pytest.mark.slow  # two threads parse for a second
@pytest.mark.skipif(not AST_RACE, reason="CPython gh-106905 is fixed in this Python")
def test_two_threads_parsing_at_once_never_see_gh_106905() -> None:
    """Two threads at different stack depths parse the ast module's source while the collector
    runs finalizers, the GIL handed over as often as it can be: on 3.11.7 without the guard one
    of them raised 'AST constructor recursion depth mismatch' within 0.25 s (5 runs of 5), as a
    lab's traceback and pytest's report of a failing assert did in a test process. Fails
    before (SystemError)."""
    source = open(ast.__file__, encoding="utf-8").read()
    errors: list[str] = []
    stop = time.monotonic() + 1.0

    def parse(depth: int) -> None:
        if depth:
            return parse(depth - 1)
        while time.monotonic() < stop and not errors:
            for _ in range(200):
                _Cycle()
            try:
                ast.parse(source)
            except SystemError as exc:
                errors.append(str(exc))
        return None

    threshold, interval = gc.get_threshold(), sys.getswitchinterval()
    gc.set_threshold(50)
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=parse, args=(depth,)) for depth in (0, 40)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        gc.set_threshold(*threshold)
        sys.setswitchinterval(interval)
    assert errors == []
