"""labkit: cause, see and fix every HTTP 5xx on your own machine.

    import labkit
    lab = labkit.start()          # origin, gateway, portal, faulty upstreams on 127.0.0.1
    lab.get("/orders/7")          # an Exchange: status, who made it, why, every hop
    labkit.scenarios.run("502-garbage", lab)

Start with notebooks/00-start-here.ipynb.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # typed for editors and mypy; loaded on first use so `import labkit` stays light
    from labkit import charts, drill, exercises, load, personalities, scenarios, widgets
    from labkit.errors import BadArgument, ControlError, LabkitError, LabNotRunning, UnknownName
    from labkit.exchange import Exchange
    from labkit.lab import Lab, start
    from labkit.proxy import Timeouts

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
    """A public name on first use, or an implementation module already loaded
    (``labkit.lab``): old paths keep resolving though `import labkit` binds only the public
    names."""
    import gc
    import importlib
    import sys

    # Nothing is imported until a name is first used: every Jupyter kernel of the environment
    # imports labkit.kernel, and with it this package, at start (etc/ipython), lesson or not.
    home = {
        "BadArgument": "labkit.errors",
        "ControlError": "labkit.errors",
        "LabNotRunning": "labkit.errors",
        "LabkitError": "labkit.errors",
        "UnknownName": "labkit.errors",
        "Exchange": "labkit.exchange",  # with its renderers: a lab that only serves never needs them
        "Lab": "labkit.lab",
        "start": "labkit.lab",
        "Timeouts": "labkit.proxy",
    }.get(name)
    if home is not None:
        if home in sys.modules or not gc.isenabled() or gc.get_freeze_count():
            module = importlib.import_module(home)
        else:
            # The first time, the lab's modules load with the collector paused, and what they
            # made moves to the oldest generation unexamined. They and their dependencies
            # (asyncio, h11) make tens of thousands of objects that all live (classes,
            # functions, tables): the 29 collections their import set off examined them again
            # and again, 5.4 ms of a fresh process's first labkit.start(), for nothing.
            # A full collection still examines them, as it would have. gc.freeze() and
            # gc.unfreeze() move every tracked object to the oldest generation without a look;
            # a process that froze objects of its own (get_freeze_count) is left as it is.
            gc.disable()
            try:
                module = importlib.import_module(home)
            finally:
                gc.freeze()
                gc.unfreeze()
                gc.enable()
        value: object = getattr(module, name)
        globals()[name] = value  # found once
        return value
    if name in __all__ or (not name.startswith("__") and f"labkit.{name}" in sys.modules):
        return importlib.import_module(f"labkit.{name}")
    raise AttributeError(f"module 'labkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*__all__, *(name for name in globals() if name.startswith("__"))})


# `import labkit` binds the public names only (vars and dir), and none until first used.
del TYPE_CHECKING
