"""Awaiting with a time limit without an extra task, so a cancel is never lost.

``asyncio.wait_for`` runs the awaitable in a task of its own; on Python 3.11 a
cancel that lands as that inner task finishes can be lost, and a stopping lab then
waits for a read that nobody will answer. ``asyncio.timeout`` (3.11+) cancels the
current task itself; on 3.10 we fall back to ``wait_for``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


async def within(seconds: float, awaitable: Awaitable[T]) -> T:
    """Await ``awaitable``; raise TimeoutError after ``seconds``."""
    if hasattr(asyncio, "timeout"):
        async with asyncio.timeout(seconds):
            return await awaitable
    return await asyncio.wait_for(awaitable, seconds)  # pragma: no cover - Python 3.10
