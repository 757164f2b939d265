"""Which random generators a notebook seeded with a value: what a judge needs to tell a jitter
from one fixed schedule (504 q5, ``labkit.exercises.runner``).

Each ``random.Random`` (the ``random`` module's own generator too) keeps the seed a notebook
gave it (``random.seed(42)`` in a cell, ``random.Random(42)``) under ``SEED``; nothing else
changes. ``mark`` installs that once per process, as early as labkit can: the kernel
extension (``labkit.kernel``) calls it when the kernel starts, before any cell runs, and
importing ``labkit.exercises.runner`` calls it too (a kernel without labkit's kernel
config, or a plain Python). A seed given before ``mark`` runs is not seen: installed only when
a lesson's first cell imported ``labkit.exercises``, ``random.seed(42)`` in a cell above it
(or before it in the same cell) was judged as jitter. Small on purpose: every kernel of the
environment imports it at start (``random`` is already imported by then).
"""

from __future__ import annotations

import random
from typing import Any

__all__ = ["SEED", "mark"]

# Where a random.Random keeps the seed it was given, as (seed, version); no key, or None, when
# the system seeded it
SEED = "_labkit_seed"


def mark() -> None:
    """Each random.Random keeps the seed given to it from now on (once per process).

    A setstate is not counted: mostly a library putting a state back (hypothesis does)."""
    if getattr(random.Random.seed, "_labkit", False):
        return
    real_seed = random.Random.seed

    def seed(self: random.Random, a: Any = None, version: int = 2) -> None:
        real_seed(self, a, version)
        try:
            vars(self)[SEED] = None if a is None else (a, version)
        except TypeError:  # a subclass with __slots__ and no __dict__: nowhere to keep it
            pass

    seed._labkit = True  # type: ignore[attr-defined]
    random.Random.seed = seed  # type: ignore[method-assign]
    # the module's functions are its own generator's methods, bound when random was imported
    random.seed = random._inst.seed
