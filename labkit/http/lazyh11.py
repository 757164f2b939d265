"""h11, imported by the first message that needs it.

A lab reads and writes its usual messages without h11: the gateway's plain requests
(``server.plain_request``), the requests it forwards (``upstream.plain_lines``), the origin's
plain answers (``upstream._plain_reply``), a plain request's answer and a relayed head
(``server.plain_head``). h11 reads and writes every other message, and importing it cost
as much as the rest of the lab's code: 41 M of the 89.8 M instructions of
``import labkit; labkit.start`` after asyncio and httpx (benchmarks/instructions.py --import).
The lab's modules name h11 through this one instead (``from labkit.http import lazyh11 as
h11``; mypy reads h11 itself): each attribute is looked up in h11 on its first use, which
imports h11, and kept here, so later uses cost what a module attribute costs.
"""

from __future__ import annotations

import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    """h11's ``name``, kept here from its first use on."""
    if name.startswith("__"):  # a module's own (__path__, __wrapped__): not h11's
        raise AttributeError(name)
    value = getattr(importlib.import_module("h11"), name)
    globals()[name] = value
    return value
