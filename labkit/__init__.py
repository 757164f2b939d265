"""labkit: cause, see and fix every HTTP 5xx on your own machine.

    import labkit
    lab = labkit.start()          # origin, gateway, portal, faulty upstreams on 127.0.0.1
    lab.get("/orders/7")          # an Exchange: status, who made it, why, every hop
    labkit.scenarios.run("502-garbage", lab)

Start with notebooks/00-start-here.ipynb.
"""

from labkit import scenarios
from labkit.errors import BadArgument, ControlError, LabkitError, LabNotRunning, UnknownName
from labkit.exchange import Exchange
from labkit.lab import Lab, start

__all__ = [
    "BadArgument",
    "ControlError",
    "Exchange",
    "Lab",
    "LabNotRunning",
    "LabkitError",
    "UnknownName",
    "scenarios",
    "start",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # widgets (ipywidgets) and exercises load on first use, so `import labkit` stays light
    if name in ("widgets", "exercises", "personalities", "load", "charts"):
        import importlib

        return importlib.import_module(f"labkit.{name}")
    raise AttributeError(f"module 'labkit' has no attribute {name!r}")
