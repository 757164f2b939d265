"""Run a learner's function with a time limit, so a hang or an endless loop is stopped.

In the main thread (where Jupyter runs cells) a SIGALRM timer raises TimeLimit inside
the learner's code, which interrupts loops and ``time.sleep`` alike. Elsewhere (no
signals) the function runs in a daemon thread that is abandoned when time is up.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import Any

from labkit.i18n import Msg


class TimeLimit(BaseException):
    """Raised inside learner code when its time is up (BaseException: `except Exception` can't swallow it).
    Its one argument is a Msg (a check says it in the learner's language; str() is English)."""


STOPPED = Msg("stopped after {seconds} s")


def call_with_time_limit(fn: Callable[..., Any], seconds: float, *args: Any, **kwargs: Any) -> Any:
    """Call ``fn``; raise TimeLimit if it has not returned after ``seconds``."""
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        return _with_alarm(fn, seconds, args, kwargs)
    return _with_thread(fn, seconds, args, kwargs)


def _with_alarm(
    fn: Callable[..., Any], seconds: float, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    def on_alarm(signum: int, frame: object) -> None:
        raise TimeLimit(STOPPED.bind(seconds=f"{seconds:g}"))

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn(*args, **kwargs)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _with_thread(
    fn: Callable[..., Any], seconds: float, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn(*args, **kwargs)
        except BaseException as exc:  # handed to the caller below
            box["error"] = exc

    worker = threading.Thread(target=target, name="labkit-exercise", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise TimeLimit(
            Msg(
                "stopped waiting after {seconds} s (the function is still running)",
                seconds=f"{seconds:g}",
            )
        )
    if "error" in box:
        raise box["error"]
    return box.get("value")
