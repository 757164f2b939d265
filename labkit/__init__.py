"""labkit: cause, see and fix every HTTP 5xx on your own machine.

    import labkit
    lab = labkit.start()          # origin, gateway, portal, faulty upstreams on 127.0.0.1
    lab.get("/orders/7")          # an Exchange: status, who made it, why, every hop
    labkit.scenarios.run("502-garbage", lab)

Start with notebooks/00-start-here.ipynb.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from labkit.errors import BadArgument, ControlError, LabkitError, LabNotRunning, UnknownName
from labkit.lab import Lab, start
from labkit.proxy import Timeouts

if TYPE_CHECKING:  # typed for editors and mypy; loaded on first use so `import labkit` stays light
    from labkit import charts, drill, exercises, load, personalities, scenarios, widgets
    from labkit.exchange import Exchange

__all__ = [
    "BadArgument",
    "ControlError",
    "Exchange",
    "Lab",
    "LabNotRunning",
    "LabkitError",
    "Timeouts",
    "UnknownName",
    "charts",
    "drill",
    "exercises",
    "load",
    "personalities",
    "scenarios",
    "start",
    "widgets",
]
__version__ = "0.1.0"

_LAZY = frozenset({"charts", "drill", "exercises", "load", "personalities", "scenarios", "widgets"})


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return importlib.import_module(f"labkit.{name}")
    if name == "Exchange":  # with its renderers: a lab that only serves never needs them
        from labkit.exchange import Exchange

        return Exchange
    raise AttributeError(f"module 'labkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY, "Exchange"})
