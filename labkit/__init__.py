"""labkit: cause, see and fix every HTTP 5xx on your own machine.

    import labkit
    lab = labkit.start()          # origin, gateway, portal, faulty upstreams on 127.0.0.1
    lab.get("/orders/7")          # an Exchange: status, who made it, why, every hop
    labkit.scenarios.run("502-garbage", lab)

Start with notebooks/00-start-here.ipynb.
"""

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


def __getattr__(name: str) -> object:
    """A public name on first use (a module, or Exchange with its renderers: a lab that only
    serves never needs them), or an implementation module already loaded (``labkit.lab``):
    old paths keep resolving though `import labkit` binds only the public names."""
    import importlib
    import sys

    if name == "Exchange":
        from labkit.exchange import Exchange

        return Exchange
    if name in __all__ or (not name.startswith("__") and f"labkit.{name}" in sys.modules):
        return importlib.import_module(f"labkit.{name}")
    raise AttributeError(f"module 'labkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*__all__, *(name for name in globals() if name.startswith("__"))})


# The import system bound each implementation module imported above (labkit.lab, labkit.proxy,
# labkit.http...) on this package, beside this file's own helpers: take them off again, so that
# `import labkit` offers the public names only (vars and dir); __getattr__ still finds them.
for _name in [name for name in globals() if not name.startswith("__") and name not in __all__]:
    del globals()[_name]
del _name
