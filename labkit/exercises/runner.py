"""Run a learner's function where it can always be stopped: in a child process.

Inside the kernel nothing can stop every kind of learner code: a loop with a bare
``except:`` swallows any exception a timer raises, ``os._exit()`` ends the kernel, a
thread that spins cannot be killed. A forked child can always be killed, and a fork
needs no pickling, so functions defined in notebook cells work as they are.

The child shares nothing live with the lab: the lab's servers and recorder run in the
kernel. So in the child every running ``Lab`` forwards what the learner does with it
(``lab.get``, ``lab.origin.maintenance(...)``, ``lab.gateway.route('slow').read_timeout
= 0.2``, ``lab.recorder.ids()``) over a socket pair to the kernel, which does it on the
real lab and sends back a copy of the result (an Exchange, a status, a list) or a
handle for a live object (a route, the origin). Stopping or starting the lab from the
child is refused: the lab belongs to the kernel.

What the child prints is shown in the kernel as it comes; an exception shows the
learner's own frames only (``learner_traceback``); ``sys.exit()``, ``os._exit()`` and
death by a signal are reported in words. When the call ends, or its time is up, the
child is killed with every process it started, whatever it was doing (``proctree``: the
child runs below a keeper process that keeps even a detached grandchild in its tree).

What the child can read: it is a copy of the kernel, so code that scans its own memory
(ctypes, /proc/self/mem) reads what the kernel held at the fork. The copies of the lab's
servers are emptied first (``_forget_servers``): their state at that moment (the portal's
login, the cache) is what a checker question asks the learner's code to find out with
requests, and a scan found it there. What else the copy holds is no secret from its
learner: the judges' plans are in their source and ``.solution()`` prints each answer, in
the learner's own kernel; `labkit grade` re-runs answers in the teacher's.

A judge may also run the child in virtual time (``Clock``): ``time.sleep`` returns at
once and moves the child's clock (``time.monotonic``, ``time.time``, ``datetime.now``)
forward instead, and the kernel's ``on_call`` hook sees the virtual time of each call
to the lab, so an outage can be driven by it. Verdicts then depend on what the code
intended, not on how busy the machine is. ``random_value`` makes every draw of the
``random`` module return that number, so a judge can see a schedule's extremes.
"""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
import datetime as dt
import enum
import errno
import faulthandler
import functools
import gc
import inspect
import io
import math
import os
import pickle
import re
import resource
import select
import selectors
import signal
import socket
import stat
import struct
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn, TypeAlias

from labkit import seeds
from labkit.exercises import proctree
from labkit.exercises.timelimit import STOPPED, TimeLimit
from labkit.i18n import Msg, Text, learner_language

__all__ = [
    "Clock",
    "LearnerError",
    "LearnerExit",
    "TimeLimit",
    "budget",
    "call",
    "call_each",
    "learner_traceback",
]


class LearnerError(Exception):
    """The learner's code raised: its type's name, its message and its own frames."""

    def __init__(
        self, type_name: str, text: Text, trace: str = "", call: int | None = None
    ) -> None:
        super().__init__(f"{type_name}: {text}" if text else type_name)
        self.type_name = type_name
        self.text = text
        self.trace = trace
        # of the calls of a run ``each`` (run()), the one that raised (0 for the first)
        self.call = call


class LearnerExit(LearnerError):
    """The learner's code ended its own process (sys.exit, os._exit, a signal) or the lab."""


def _is_labkit(module: object) -> bool:
    return isinstance(module, str) and (module == "labkit" or module.startswith("labkit."))


def learner_traceback(exc: BaseException) -> str:
    """The traceback of the learner's own frames: every frame whose module is not labkit's.

    Decided by the frame's module, not by its file's path: a clone into a folder named
    ``labkit`` keeps the learner's lines.
    """
    frames = [
        (frame, lineno)
        for frame, lineno in traceback.walk_tb(exc.__traceback__)
        if not _is_labkit(frame.f_globals.get("__name__"))
    ]
    summary = traceback.StackSummary.extract(iter(frames))
    lines = summary.format() + traceback.format_exception_only(type(exc), exc)
    return "".join(lines).rstrip()


# -- the time a judge allows learner code --

_budget = threading.local()


@contextlib.contextmanager
def budget(seconds: float) -> Iterator[None]:
    """Every ``call`` inside shares ``seconds`` in all (a judge's whole time limit).

    Only the learner's own time is counted: from the moment its process says it has started
    to the end of the call. The judge's own work between calls (the requests it makes to
    observe the lab) and a busy machine's slow fork are not the learner's: counted, they
    made a correct solution "not finish" under load.

    The calls also share one start-up grace (``STARTUP_LIMIT``): given to each call anew, a
    judge of 7 calls on a starved machine took 5 s more per call (a check of 45 s). And they
    share one excuse for the machine's load (``LOAD_EXCUSED`` times ``seconds``): the time a
    call's process waited for a CPU, in its start past the grace or in its run, is not counted
    against ``seconds`` until the excuse is spent. Counted, 502 q4's reference solution (7
    calls) "did not finish" 4 times in 4 on a starved machine: its starts and runs, mostly
    waits, spent its 5 s. A check's wall time stays bounded: its limit, the grace, the excuse.
    """
    outer = (
        getattr(_budget, "left", None),
        getattr(_budget, "seconds", None),
        getattr(_budget, "changed", None),
        getattr(_budget, "output", None),
        getattr(_budget, "startup", None),
        getattr(_budget, "excuse", None),
    )
    _budget.left = seconds
    _budget.seconds = seconds
    _budget.changed = []
    _budget.startup = STARTUP_LIMIT
    _budget.excuse = LOAD_EXCUSED * seconds
    # what the calls may print, all of them together: a judge that calls the learner's
    # function three times showed 10 MB of print() as three times the limit; the origin's
    # threads running a learner's handler while the check runs share it (_output_now)
    output = _budget.output = _Output()
    _checking.append(output)
    try:
        yield
    finally:
        _checking.remove(output)
        (
            _budget.left,
            _budget.seconds,
            _budget.changed,
            _budget.output,
            _budget.startup,
            _budget.excuse,
        ) = outer


# the lab's methods that change it (everything else the child calls reads it or sends a request)
CHANGING = frozenset(
    {"maintenance", "purge", "login", "logout", "reset", "restart", "hold", "release"}
)


def changed() -> list[str]:
    """What learner code changed on the lab within the current ``budget``, in order: the
    attributes it set and the changing methods it called (each name once)."""
    return list(getattr(_budget, "changed", None) or [])


def _note_change(name: str) -> None:
    seen = getattr(_budget, "changed", None)
    if seen is not None and name not in seen:
        seen.append(name)


def _time_left(default: float) -> tuple[float, float]:
    left = getattr(_budget, "left", None)
    if left is None:
        return default, default
    return max(0.0, left), _budget.seconds


def _startup_grace() -> float:
    """Take the start-up grace a call may use: what is left of its budget's, all of it (what
    the start did not use is given back, ``_give_back_startup``); STARTUP_LIMIT outside one."""
    left = getattr(_budget, "startup", None)
    if left is None:
        return STARTUP_LIMIT
    _budget.startup = 0.0
    return float(left)


def _give_back_startup(seconds: float) -> None:
    if getattr(_budget, "startup", None) is not None:
        _budget.startup += seconds


def _excuse_left(total: float) -> float:
    """What is left of the check's excuse for the machine's load (``budget``); a call outside
    one has LOAD_EXCUSED times its own limit."""
    left = getattr(_budget, "excuse", None)
    return LOAD_EXCUSED * total if left is None else max(0.0, float(left))


def _spend_excuse(seconds: float) -> None:
    if getattr(_budget, "excuse", None) is not None:
        _budget.excuse = max(0.0, _budget.excuse - seconds)


def _charge(seconds: float) -> None:
    """Count ``seconds`` of the learner's own time against the judge's budget."""
    if getattr(_budget, "left", None) is not None:
        _budget.left -= seconds


# -- virtual time --


TOO_MANY = Msg("your code made too many requests")
# where the child's time.monotonic() and time.perf_counter() start in virtual time (their
# origin means nothing), so that every run reads the same clock at the same virtual moment
VIRTUAL_START = 1000.0


# Where the child's virtual time.time() starts unless a judge says otherwise (Clock.start_wall):
# one instant, 2026-01-01 00:00:00 UTC, the same in every run of every check. A schedule read
# off the clock ("jitter" from time.time() % 1, datetime.now().microsecond) or drawn from a
# generator seeded from it (random.Random(time.time())) is then the one fixed schedule it is,
# with one message. Started where the real clock was (the check's whole second), 504 q5 judged
# the first jitter, with another message at each check, and refused the second with other
# waits in its message at each check (10 of 10 differed).
VIRTUAL_EPOCH = 1_767_225_600.0


@dataclass
class Clock:
    """Virtual time for the child: sleeps move it, and so do the lab calls ``on_call`` times.

    ``on_call(now, name, args, kwargs)`` runs in the kernel before each call the child
    makes on the lab (``name`` is the method, e.g. "get" or "request"; ``now`` the
    child's virtual seconds since it started). It may change the lab (start an outage)
    and returns how many virtual seconds the call takes (None: none), or that and a dict
    of keyword arguments to call with instead (a real timeout long enough that the
    machine's load cannot decide the outcome the virtual time describes).
    ``after_call(name, value)`` sees what the call returned (an Exchange, say), and may
    return what the learner's code gets instead (None: the value itself), e.g. the Exchange
    with its dates on the virtual clock.
    The child's ``time.time()`` starts at ``start_wall`` (VIRTUAL_EPOCH unless the judge
    needs the machine's clock), its time.monotonic() and time.perf_counter() at VIRTUAL_START.
    """

    on_call: Callable[[float, str, tuple[Any, ...], dict[str, Any]], Any] | None = None
    after_call: Callable[[str, Any], Any] | None = None
    max_calls: int = 0  # more calls to the lab than this end the run (0: no limit)
    too_many: Text = TOO_MANY
    start_wall: float = VIRTUAL_EPOCH

    def wall(self, now: float) -> float:
        """The child's time.time() at virtual ``now``."""
        return self.start_wall + now


# -- the wire between kernel and child: length-prefixed pickles --


def _send(sock: socket.socket, obj: object) -> None:
    data = pickle.dumps(obj)
    sock.sendall(struct.pack("!I", len(data)) + data)


class TooLarge(Exception):
    """A message from the child larger than MESSAGE_LIMIT (never read into the kernel)."""


def _recv(sock: socket.socket, from_child: bool = False) -> Any:
    """The next message, or None when the other end has gone. ``from_child``: read it as
    _FromChild does (the kernel never runs code a message names)."""
    head = _read_exact(sock, 4)
    if head is None:
        return None
    size = struct.unpack("!I", head)[0]
    if from_child and size > MESSAGE_LIMIT:
        raise TooLarge(size)
    data = _read_exact(sock, size)
    if data is None:
        return None
    if from_child:
        return _FromChild(io.BytesIO(data)).load()
    return pickle.loads(data)


_PLAIN_BUILTINS = {
    "int", "float", "complex", "str", "bytes", "bytearray", "bool", "list", "tuple", "dict",
    "set", "frozenset", "slice", "range",
}  # fmt: skip
_DATETIME = {"date", "datetime", "time", "timedelta", "timezone"}


def _labkit_value_class(obj: object) -> bool:
    """A labkit class whose instances are values (a record, an enum, a dataclass, a named
    tuple such as a recorded Event: read by its own ``__new__``, which only makes the tuple)."""
    from labkit.record import Record

    return isinstance(obj, type) and (
        issubclass(obj, (Record, enum.Enum))
        or dataclasses.is_dataclass(obj)
        or (issubclass(obj, tuple) and hasattr(obj, "_fields"))
    )


class _FromChild(pickle.Unpickler):
    """Unpickles what the learner's process sends: plain values, datetimes and labkit's
    value classes only. A pickle may name any function to call while it is read (a
    ``__reduce__`` returning ``os._exit``, or a learner function that never returns): read
    in the kernel, that would kill or hang it, the one thing the child exists to prevent."""

    def find_class(self, module: str, name: str) -> Any:
        if module == "builtins" and name in _PLAIN_BUILTINS:
            return super().find_class(module, name)
        if module == "datetime" and name in _DATETIME:
            return super().find_class(module, name)
        if _is_labkit(module) and module in sys.modules:
            found = getattr(sys.modules[module], name, None)
            if _labkit_value_class(found):
                return found
        if module == "labkit.i18n" and name in ("Msg", "Said"):
            # a recorded why (ex.why) keeps its message: both are read as their fields,
            # no code runs (Said.__reduce__)
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name}")


def _read_exact(sock: socket.socket, n: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < n:
        chunk = sock.recv(n - len(chunks))
        if not chunk:
            return None
        chunks += chunk
    return bytes(chunks)


_VALUE_TYPES = (
    type(None),
    bool,
    int,
    float,
    complex,
    str,
    bytes,
    bytearray,
    dt.datetime,
    dt.date,
    dt.time,
    dt.timedelta,
    dt.timezone,
    enum.Enum,
)


def _copyable(value: object, depth: int = 0) -> bool:
    """A value the child may have as a copy (anything else stays in the kernel, by handle)."""
    from labkit.exchange import Exchange
    from labkit.recorder import Event, Hop

    if depth > 8:
        return False
    if isinstance(value, (*_VALUE_TYPES, Exchange, Event, Hop)):
        return True
    if isinstance(value, (list, tuple, set, frozenset)):
        return all(_copyable(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(_copyable(k, depth + 1) and _copyable(v, depth + 1) for k, v in value.items())
    return False


BROKEN = 197  # the child's exit code when its own machinery failed (not one a learner picks)
# the child's exit code once it has sent its report: an exit with it and no report is a report
# lost (learner code that replaced labkit's own functions), not the learner's os._exit(0),
# which it was called before
REPORTED = 196
OUT_OF_MEMORY = 198  # the child's exit code when it ran out of memory outside the learner's code

# Learner code's memory, beyond what the kernel had when it was forked: exercise code makes a
# few requests and keeps a few exchanges (well under 10 MB; a thread's stack takes 8 MB), so
# this is generous for any answer, while a list or a string that grows for ever stops here
# instead of taking a machine that 30-200 learners share.
MEMORY_LIMIT_MB = 256
MESSAGE_LIMIT = 16 * 2**20  # bytes: the most one message from the child may hold


def too_much_memory() -> Msg:
    """What a learner reads when their code ran out of its memory."""
    return Msg(
        "your code used more than {mb} MB of memory, the most code checked here may use (the "
        "machine is shared): look for a list or a string that grows without end",
        mb=MEMORY_LIMIT_MB,
    )


# A thread's stack in the child: glibc gives each new thread one of RLIMIT_STACK's size (8 MB
# here), private memory that counts in full against the memory limit, so 30 threads stopped
# code with "can't start new thread" that the kernel ran. 2 MiB is what CPython's threads
# get on Windows (python.exe's stack reserve), where the default recursion limit is safe.
THREAD_STACK = 2 * 2**20


def _thread_stack() -> int:
    """The stack each thread the learner's code starts takes, in bytes (as set, or glibc's)."""
    set_size = threading.stack_size()
    if set_size:
        return set_size
    soft, _ = resource.getrlimit(resource.RLIMIT_STACK)
    return soft if soft != resource.RLIM_INFINITY else 8 * 2**20


def too_many_threads(stack: int) -> Msg:
    """Why the learner's code could not start another thread (the memory limit, not a limit
    on threads): each thread's stack counts against it."""
    mb = stack / 2**20
    return Msg(
        "can't start new thread: each thread's stack takes {stack} MB of the {mb} MB of "
        "memory code checked here may use (the machine is shared), so at most about {count} "
        "threads run at once; start fewer, or reuse a few (a ThreadPoolExecutor with a small "
        "max_workers)",
        stack=f"{mb:g}",
        mb=MEMORY_LIMIT_MB,
        count=max(1, int(MEMORY_LIMIT_MB // mb) - 8),
    )


def _limit_memory() -> None:
    """In the child: at most MEMORY_LIMIT_MB of data more than it started with (RLIMIT_DATA
    counts a process's private writable memory, what a growing list or a huge bytes takes;
    the copy of the kernel it starts with is allowed as it is). Linux reports that start in
    /proc; elsewhere the limit is not set."""
    try:
        with open("/proc/self/status", "rb") as f:
            line = next(x for x in f if x.startswith(b"VmData:"))
        start = int(line.split()[1]) * 1024
    except (OSError, StopIteration, ValueError, IndexError):
        return
    limit = start + MEMORY_LIMIT_MB * 2**20
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


_REFUSED = {"stop", "start", "close", "shutdown"}
STARTUP_GRACE = 0.5  # what a child usually takes at most to start on a busy machine
# The most the children of one check (a ``budget``) may take to start, all together (the fork,
# labkit's set-up in it: emptying the copies of the lab's servers, the judge's patches) before
# each says so; the learner's time starts then, all of it. Taken out of the learner's time past
# STARTUP_GRACE (the grace was at most half the limit), a set-up slowed by the machine left a
# 0.5 s check 0.35 s of its own, and code within its limit "did not finish". A start takes
# about 0.1 s beside two busy loops; a start past what is left of the grace is the learner's
# time, so a check's wall time is bounded by its limit, this grace and the load's excuse.
STARTUP_LIMIT = 5.0
# In virtual time, the most of one call to the lab the learner is not charged for: the longest
# a judge's own request waits for real (504 q5's and 503 q5's REAL_TIMEOUT). A call longer
# than that is the learner's own (lab.raw with a wait of a minute) and counts from there.
CALL_FORGIVEN = 5.0
# The most the deadline moves on for the time the learner's code waited for a CPU the machine
# gave to others, as a multiple of the limit: a limit of 6 s ends by 12 s of the wall's at most
# (after the start's grace) however busy the machine is (_Session.excuse_the_load). Beside two
# busy loops on two cores, code gets half a core or more: all of its wait is excused there,
# and a hostile loop is still ended within twice its limit.
LOAD_EXCUSED = 1.0
# The most the deadline moves on before the stop says so: "stopped after 6 s" read at 11 s on a
# busy machine (a spinner given its excuse) told the learner something the clock did not show.
# Past this, the stop says both: the code's own time, and the clock's.
EXCUSE_SAID = 1.0
# The CPU seconds the processes learner code started may take before the machine's load is
# no longer excused and a stop names them: a subprocess.run(["ls"]) takes milliseconds;
# forks that spin take what the code needed.
STARTED_CPU_SAID = 0.1
STOPPED_BESIDE = Msg(
    "{stopped}; the {count} process(es) your code started were still running and took the "
    "CPU it had: end them before your function returns, or do not start them"
)
STOPPED_LATE = Msg(
    "stopped after {seconds} s of its own time, {clock} s on the clock (the machine was busy: the "
    "time your code waited for a CPU is not counted)"
)


def _refused(name: str) -> Msg | None:
    if name in _REFUSED:
        return Msg(
            "your code called {call} on the lab. The lab belongs to the notebook, and the "
            "judge needs it running: take that call out of your function",
            call=f"{name}()",
        )
    if name.startswith("_"):
        return Msg(
            "your code used {name}, a private part of the lab; use its public switches", name=name
        )
    return None


# -- the child's side --

# What the learner's code did that a judge may need to know, noted in the child and sent with
# its answer (Outcome.notes). IDENTITY: it read its process's or a thread's id (os.getpid()),
# which the judge cannot vary between runs: a "jitter" drawn from it is one fixed schedule per
# client. SEEDED: it drew from a random generator seeded with a value (random.seed(42),
# random.Random(42), numpy's), its own or the notebook's, whose draws the judge leaves alone.
IDENTITY = "identity"
SEEDED = "seeded"
_notes: set[str] = set()

# In virtual time, how often no answer sleeps: a client that polls with sleeps of a
# millisecond sleeps a few thousand times in the judges' budgets (504 q5's 1 s: 1,000; 503
# q5's outage, 7 s of Retry-After: 7,000), and a loop that sleeps for ever is stopped here,
# by its count, in well under any judge's time limit whatever the machine's load: the same
# code gets the same verdict and message. At 100,000 a poll loop that also read the clock,
# drew a jitter and logged a line took 2.5-3 s of a 6 s limit under two busy loops (a bare
# one 3.9 s at load 15), so a busier machine would have said "did not finish" instead.
MAX_SLEEPS = 20_000
# and how often no answer awaits asyncio.sleep: each await runs a turn of the event loop (~7 us
# quiet, 30 us and more under load), a poll of 1 ms through 503 q5's outage awaits 7,000 times
MAX_AWAITS = 20_000
OVERSLEPT = Msg(
    "it called time.sleep {count} times ({seconds} s of the judge's virtual time) and had "
    "not returned. Here time.sleep returns at once and moves the clock, so a loop that "
    "sleeps and never stops is stopped at once"
)
# the same said of what the code really did: a loop that only awaited asyncio.sleep was told
# it "called time.sleep 100001 times", which it never called
OVERSLEPT_AWAITED = Msg(
    "it awaited asyncio.sleep {count} times ({seconds} s of the judge's virtual time) and had "
    "not returned. Here asyncio.sleep returns at once and moves the clock, so a loop that "
    "sleeps and never stops is stopped at once"
)
OVERSLEPT_BOTH = Msg(
    "it called time.sleep {called} times and awaited asyncio.sleep {awaited} times ({seconds} s "
    "of the judge's virtual time) and had not returned. Here both return at once and move the "
    "clock, so a loop that sleeps and never stops is stopped at once"
)


def overslept(called: int, awaited: int, seconds: float) -> Msg:
    """What a run stopped for sleeping past MAX_SLEEPS is told: the sleeps it really made."""
    shown = f"{seconds:.0f}"
    if not awaited:
        return OVERSLEPT.bind(count=called, seconds=shown)
    if not called:
        return OVERSLEPT_AWAITED.bind(count=awaited, seconds=shown)
    return OVERSLEPT_BOTH.bind(called=called, awaited=awaited, seconds=shown)


class Overslept(TimeLimit):
    """The learner's code called time.sleep more than MAX_SLEEPS times in virtual time (or
    awaited asyncio.sleep more than MAX_AWAITS times)."""


@dataclass(frozen=True)
class Seen:
    """One attribute of the lab as the learner's code sees it, where that differs from the
    lab itself (the lab untouched): ``value`` read instead of the object's own (511 q4's
    portal URL with no network behind it: written from the kernel's thread, the real port
    raced the lab's loop), or ``refused``, why the code may not read it at all (what a
    device cannot know from outside the network). ``target`` None: that attribute of any
    object of the lab. The judges' two ways to say this were two parameters, ``hidden``
    and ``seen_as``, until December 2026."""

    name: str
    value: Any = None
    target: object = None
    refused: Text | None = None


View = Sequence[Seen]  # how the learner's code sees the lab: run(view=...)


FORKED = Msg(
    "a process your code forked (os.fork) cannot use the lab: the lab answers the process "
    "the judge runs your function in, and only it"
)


class _Child:
    """The child's end of the socket pair, and its clock."""

    def __init__(self, sock: socket.socket, clock: Clock | None) -> None:
        self.sock = sock
        self.virtual = clock is not None
        self.now = 0.0  # virtual seconds since the start
        self.start_mono = self.start_perf = VIRTUAL_START  # read only in virtual time
        self.start_wall = clock.start_wall if clock is not None else time.time()
        self.lock = threading.Lock()
        self.pid = os.getpid()  # the process the judge started; a fork of it is another
        # the learner's language, read while the copies of the labs are still the kernel's:
        # a fork of the learner's process is told in it without asking the kernel
        self.lang = learner_language()
        self.sleeps = 0  # calls of the virtual time.sleep and asyncio.sleep
        self.awaited = 0  # of those, the awaited asyncio.sleep
        # threading.Timer in virtual time (_virtual_timer_class): (due, order, timer), each
        # fired when the clock passes its due time, in the thread whose wait moved it there
        self.timers: list[tuple[float, int, Any]] = []
        self.timers_started = 0

    def advance(self, seconds: float, *, busy: bool = False) -> None:
        """Move the virtual clock on by ``seconds``, firing each Timer that comes due on the
        way at its own moment (so a timer's request is stamped with its due time). ``busy``:
        the thread was in a request all that time, so a timer due meanwhile fires as it
        returns, at its end (a Timer(0) fired "during" the first request, its GET stamped
        before that request's answer: "came back -0.01 s after a 503")."""
        target = self.now + seconds
        if busy:
            self.now = target
        while True:
            due = [t for t in self.timers if t[0] <= target]
            if not due:
                break
            first = min(due, key=lambda t: (t[0], t[1]))
            self.timers.remove(first)
            self.now = max(self.now, first[0])
            first[2]._labkit_fire()
        self.now = max(self.now, target)

    def overslept(self) -> NoReturn:
        """Say that the code slept past any judge's horizon, and end: in virtual time a loop
        that sleeps for ever ends at once, not at the time limit, and is told what it did."""
        with self.lock:
            _send(self.sock, ("overslept", self.sleeps - self.awaited, self.now, self.awaited))
        _EXIT(0)

    def forked(self) -> bool:
        """Whether this is a process the learner's code forked (not the one the judge runs)."""
        return os.getpid() != self.pid

    def ask(self, *message: Any) -> Any:
        if self.forked():
            # it would share the one connection to the kernel with the process the judge
            # runs: their questions and answers interleaved (a reply read by the other, a
            # length read from the middle of a message: "used more than 256 MB of memory")
            raise RuntimeError(FORKED.render(self.lang))
        with self.lock:  # one question, then its answer: threads of the learner's take turns
            try:
                _send(self.sock, (*message, self.now))
            except (pickle.PicklingError, AttributeError, TypeError, RecursionError) as exc:
                # a value that cannot leave this process (lab.get = lambda ...: a local
                # function): "Can't pickle local object" was the learner's only message.
                # The kernel says what it means (_unsendable), and ends the run.
                name = message[2] if message[0] == "set" and len(message) > 2 else None
                quoted = re.search(r"object '([^']+)'", str(exc))  # 'fn.<locals>.<lambda>'
                what = quoted[1].rsplit(".", 1)[-1][:60] if quoted else type(exc).__name__
                _send(self.sock, ("unsendable", message[0], message[1], name, what))
            reply = _recv(self.sock)
        if reply is None:  # the kernel has gone: nothing more to do
            os._exit(3)
        kind, value, advance = reply
        if self.virtual and advance:
            self.advance(advance, busy=True)
        if kind == "raise":
            raise value
        if kind == "ref":
            return _Remote(self, value)
        return value


class _Remote:
    """A live object of the kernel's lab (a route, the origin, a method), seen from the child."""

    __slots__ = ("_child", "_handle")

    def __init__(self, child: _Child, handle: int) -> None:
        object.__setattr__(self, "_child", child)
        object.__setattr__(self, "_handle", handle)

    def __getattr__(self, name: str) -> Any:
        return self._child.ask("get", self._handle, name)

    def __setattr__(self, name: str, value: Any) -> None:
        self._child.ask("set", self._handle, name, value)

    def __getitem__(self, key: Any) -> Any:
        return self._child.ask("item", self._handle, key)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._child.ask("call", self._handle, args, kwargs)

    def __len__(self) -> int:
        return int(self._child.ask("len", self._handle))

    def __iter__(self) -> Iterator[Any]:
        return iter([self[i] for i in range(len(self))])

    def __contains__(self, item: Any) -> bool:
        return bool(self._child.ask("contains", self._handle, item))

    def __bool__(self) -> bool:
        return bool(self._child.ask("bool", self._handle))

    def __repr__(self) -> str:
        return str(self._child.ask("repr", self._handle))


# What the child's copy of a lab keeps for itself, all else being asked of the kernel: which
# lab started last (lab.newest_running, read by i18n.learner_language whenever labkit says
# something: print(ex) in learner code was judged "your code used _start_number, a private
# part of the lab", and the fork of a learner's process recursed asking it)
_KEPT_IN_THE_CHILD = frozenset({"_start_number"})


def _remote_lab_class(child: _Child) -> type:
    from labkit.lab import Lab

    class ChildLab(Lab):
        """The kernel's lab, as the learner's code in the child sees it."""

        def __getattribute__(self, name: str) -> Any:
            if name in ("__class__", "__dict__"):
                return object.__getattribute__(self, name)
            if name in _KEPT_IN_THE_CHILD:
                return object.__getattribute__(self, "__dict__")[name]
            handle = object.__getattribute__(self, "__dict__")["_labkit_handle"]
            return child.ask("get", handle, name)

        def __setattr__(self, name: str, value: Any) -> None:
            handle = object.__getattribute__(self, "__dict__")["_labkit_handle"]
            child.ask("set", handle, name, value)

        def __repr__(self) -> str:
            handle = object.__getattribute__(self, "__dict__")["_labkit_handle"]
            return str(child.ask("repr", handle))

    return ChildLab


def _virtual_time(child: _Child, fn: Callable[..., Any]) -> None:
    """Sleeps move the child's clock; every clock reads it (also names imported with from)."""

    real_sleep = time.sleep

    def sleep(seconds: float) -> None:
        if _library_waits(sys._getframe(1)):  # subprocess's poll of a child: the real time
            real_sleep(seconds)
            return
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
            raise TypeError(f"'{type(seconds).__name__}' object cannot be interpreted as a number")
        if seconds != seconds:  # NaN: as the real time.sleep says it (it moved the clock to
            raise ValueError("Invalid value NaN (not a number)")  # NaN, and broke the judge)
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        if seconds == math.inf:
            raise OverflowError("timestamp too large to convert to C _PyTime_t")
        child.sleeps += 1
        if child.sleeps > MAX_SLEEPS:
            child.overslept()
        child.advance(float(seconds))

    real_monotonic = time.monotonic

    def monotonic() -> float:
        if _library_waits(sys._getframe(1)):
            return real_monotonic()
        return child.start_mono + child.now

    def perf_counter() -> float:
        return child.start_perf + child.now

    def wall() -> float:
        return child.start_wall + child.now

    real_datetime: TypeAlias = dt.datetime  # the class, kept before dt.datetime is replaced

    class datetime(real_datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> Any:
            return real_datetime.fromtimestamp(wall(), tz)

        @classmethod
        def utcnow(cls) -> Any:
            return real_datetime.fromtimestamp(wall(), dt.timezone.utc).replace(tzinfo=None)

        @classmethod
        def today(cls) -> Any:
            return real_datetime.fromtimestamp(wall())

    replacements: dict[Any, Any] = {
        time.sleep: sleep,
        time.monotonic: monotonic,
        time.perf_counter: perf_counter,
        time.time: wall,
        time.monotonic_ns: lambda: int(monotonic() * 1e9),
        time.perf_counter_ns: lambda: int(perf_counter() * 1e9),
        time.time_ns: lambda: int(wall() * 1e9),
        real_datetime: datetime,
        threading.Timer: _virtual_timer_class(child),
    }
    threading.Timer = replacements[threading.Timer]  # type: ignore[misc]
    for name in (
        "sleep",
        "monotonic",
        "perf_counter",
        "time",
        "monotonic_ns",
        "perf_counter_ns",
        "time_ns",
    ):
        setattr(time, name, replacements[getattr(time, name)])
    dt.datetime = datetime  # type: ignore[misc]
    # asyncio.sleep too: an event loop reads the patched time.monotonic, so an awaited sleep
    # never came due and a right client written with asyncio ran until the time limit (6 s),
    # told that only time.sleep moves the clock. It moves the clock as time.sleep
    # does, then lets the loop run its other tasks once (their timers read the same clock).
    aio = sys.modules.get("asyncio")
    real_async_sleep = getattr(aio, "sleep", None)
    if aio is not None and real_async_sleep is not None:

        async def async_sleep(delay: float, result: Any = None) -> Any:
            child.awaited += 1
            try:
                sleep(delay)
            except BaseException:
                child.awaited -= 1  # a wrong delay: no sleep made
                raise
            if child.awaited > MAX_AWAITS:
                child.overslept()
            return await real_async_sleep(0, result)

        replacements[real_async_sleep] = async_sleep
        setattr(aio, "sleep", async_sleep)  # noqa: B010 (the module is a sys.modules value)
    _rebind(fn, replacements)


# Python's own modules that wait for other processes or threads against a deadline read on
# time.monotonic(): in virtual time (where only sleeps move it) such a wait never ran out,
# and never ended if what it waited for was already over. multiprocessing.Pool(2) beside a
# right 503 q5 client was "did not finish ... a loop that waits for time.monotonic()":
# they read the machine's clock, as a learner's sleeps never reach them.
#
# Two more were found: asyncio's event loop reads time.monotonic() for its timers, so
# asyncio.wait_for(..., 0.5) and loop.call_later(0.3, ...) never came due (the loop waited in
# select for real while its clock stood still: "did not finish"); and subprocess.run(...,
# timeout=0.5) polls its child with time.sleep against a real deadline, so its sleeps, made
# virtual, returned at once 20,000 times ("it called time.sleep 20001 times"). Their clocks and
# their sleeps are the machine's; asyncio.sleep itself stays virtual (patched above).
# queue.Queue.get(timeout=), threading's Event/Condition/join waits, socket timeouts and the
# HTTP clients (urllib, httpx, requests) wait on locks and sockets with the machine's clock
# already: each one's test in test_exercises_lesson_503 gets the reference solution's verdict.
_REAL_TIME_LIBRARIES = ("multiprocessing.", "concurrent.futures.", "asyncio.", "subprocess.")


def _library_waits(frame: Any) -> bool:
    name = frame.f_globals.get("__name__", "") if frame is not None else ""
    return isinstance(name, str) and (name + ".").startswith(_REAL_TIME_LIBRARIES)


def _virtual_timer_class(child: _Child) -> type:
    """threading.Timer on the child's virtual clock. A real Timer waits in real time, which
    the virtual clock does not see: a run takes a fraction of a second of it, so whether a
    Timer(0.2, ...) beside 503 q5's reference solution fired inside the run (its stray GET
    "came back -0.00 s after a 503") or after it (Correct) was the machine's load: 3 of 6
    checks each way. Here it fires when the clock passes its due time, in the
    thread whose sleep (or request) moved the clock there, as it would in the notebook's
    real time; one not yet due when the function returns never fires (the run is over).
    join() waits for it in virtual time; an exception in it is reported as a thread's is."""

    class Timer(threading.Timer):
        def start(self) -> None:
            if getattr(self, "_labkit_started", False):
                raise RuntimeError("threads can only be started once")
            self._labkit_started = True
            if (
                child.forked()
                or not isinstance(self.interval, (int, float))
                or self.interval == math.inf
            ):  # a fork's own clock is not the judged one; a wait of inf or "1" is as real
                threading.Thread.start(self)
                return
            child.timers_started += 1
            child.timers.append((child.now + max(0.0, self.interval), child.timers_started, self))

        def _labkit_pending(self) -> bool:
            return any(t[2] is self for t in child.timers)

        def _labkit_fire(self) -> None:
            if self.finished.is_set():
                return
            try:
                self.function(*self.args, **self.kwargs)
            except SystemExit:
                pass  # as a thread's: it ends the thread only
            except Exception:
                threading.excepthook(threading.ExceptHookArgs((*sys.exc_info(), self)))
            finally:
                self.finished.set()

        def cancel(self) -> None:
            self.finished.set()
            child.timers[:] = [t for t in child.timers if t[2] is not self]
            if self.ident is not None:
                super().cancel()

        def is_alive(self) -> bool:
            return self._labkit_pending() or super().is_alive()

        def join(self, timeout: float | None = None) -> None:
            if self.ident is not None:  # a real thread (started in a fork)
                super().join(timeout)
                return
            if not getattr(self, "_labkit_started", False):
                raise RuntimeError("cannot join thread before it is started")
            mine = [t[0] for t in child.timers if t[2] is self]
            if not mine:
                return
            wait = max(0.0, mine[0] - child.now)
            child.advance(wait if timeout is None else min(wait, max(0.0, timeout)))

    Timer.__name__ = Timer.__qualname__ = "Timer"
    Timer.__module__ = "threading"
    return Timer


def _fixed_random(value: float, fn: Callable[..., Any]) -> None:
    """Every draw of the random module (also names imported with from) returns ``value``, and
    so does every draw of ``random.SystemRandom`` (``secrets``), of os.urandom and
    os.getrandom, and of numpy's ``random`` (when the kernel imported numpy): a jitter drawn
    from those changed the verdict of one schedule from run to run (full jitter's first wait
    fell below the judge's minimum in about a third of the runs). A generator seeded with a
    value draws its own numbers (_fixed_generators)."""
    import random

    _fixed_generators(value)
    # the module's own generator, as the notebook left it: seeded by a cell (labkit.seeds)
    # it draws the numbers of that seed; the fork reseeded the module's own from the system
    fixed = random.Random()
    kept = vars(random._inst).get(_SEED)
    if kept is not None:
        fixed.seed(*kept)
    replacements: dict[Any, Any] = {}
    for name in dir(random.Random):
        real = getattr(random, name, None)
        # a method in Python (uniform) or in C (random, getrandbits: not a MethodType)
        if callable(real) and getattr(real, "__self__", None) is random._inst:
            replacements[real] = getattr(fixed, name)
            setattr(random, name, getattr(fixed, name))
    random._inst = fixed
    random.SystemRandom.random = lambda self: value  # type: ignore[method-assign]
    random.SystemRandom._randbelow = lambda self, n: min(n - 1, int(value * n))  # type: ignore[attr-defined]
    # os.urandom's bytes (int.from_bytes(os.urandom(2)) / 65535): each byte at the value, so
    # a jitter drawn from them is at the same end of its range as the random module's (full
    # jitter from os.urandom was accepted 8 times in 10 under load, refused the other 2);
    # os.getrandom's too
    for name in ("urandom", "getrandom"):
        real_bytes = getattr(os, name, None)
        if real_bytes is not None:
            replacements[real_bytes] = _fixed_bytes(real_bytes, value)
            setattr(os, name, replacements[real_bytes])
    # and every other way to the system's entropy that Python offers by name: random's own
    # copy of os.urandom (SystemRandom().getrandbits, secrets.token_bytes, randbits),
    # OpenSSL's (ssl.RAND_bytes) and /dev/urandom or /dev/random opened as a file (open,
    # pathlib). Each drew real entropy: full jitter from them was judged afresh at each check.
    # A raw os.open of the device and os.read stay real (not watched).
    random._urandom = _fixed_bytes(os.urandom, value)  # type: ignore[attr-defined]
    ssl = sys.modules.get("ssl")
    for name in ("RAND_bytes", "RAND_pseudo_bytes"):
        real_ssl = getattr(ssl, name, None)
        if real_ssl is not None:
            replacements[real_ssl] = _fixed_bytes(real_ssl, value)
            setattr(ssl, name, replacements[real_ssl])
    _fixed_devices(value)
    if "numpy" in sys.modules:
        replacements.update(_fixed_numpy(value, fn))
    else:  # imported by the learner's code, in the function: fixed as it is imported
        real_import = builtins.__import__
        depth = [0]  # numpy imports its own modules while it is imported: fix it once it is

        def importing(name: str, *args: Any, **kwargs: Any) -> Any:
            depth[0] += 1
            try:
                module = real_import(name, *args, **kwargs)
            finally:
                depth[0] -= 1
            if not depth[0] and "numpy" in sys.modules and builtins.__import__ is importing:
                builtins.__import__ = real_import
                _fixed_numpy(value, fn)
            return module

        builtins.__import__ = importing
    _rebind(fn, replacements)


_DEVICES = frozenset({"/dev/urandom", "/dev/random"})


class _FixedDevice(io.RawIOBase):
    """/dev/urandom as the child's learner code reads it: every byte at one value."""

    def __init__(self, byte: int) -> None:
        super().__init__()
        self.byte = byte

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        view[:] = bytes([self.byte]) * len(view)
        return len(view)


def _fixed_devices(value: float) -> None:
    """In the child: open() of /dev/urandom or /dev/random (also through pathlib, which calls
    io.open) reads bytes at ``value``; any other file is opened as ever, and so is a device
    opened for writing or as text (nobody draws jitter from those)."""
    real_open = io.open
    byte = min(255, int(value * 256))

    def opening(file: Any, mode: str = "r", buffering: int = -1, *args: Any, **kwargs: Any) -> Any:
        if (
            isinstance(file, (str, bytes, os.PathLike))
            and "b" in mode
            and "r" in mode
            and "+" not in mode
            and "random" in os.fsdecode(file)
            and os.path.realpath(os.fsdecode(file)) in _DEVICES
        ):
            real_open(file, mode, buffering, *args, **kwargs).close()  # its checks, errors
            raw = _FixedDevice(byte)
            return raw if buffering == 0 else io.BufferedReader(raw)
        return real_open(file, mode, buffering, *args, **kwargs)

    io.open = opening
    builtins.open = opening


def _fixed_bytes(real: Callable[..., bytes], value: float) -> Callable[..., bytes]:
    """os.urandom or os.getrandom whose every byte is at ``value``."""

    def fixed(size: int, *args: Any) -> bytes:
        real(0, *args)  # the real one's checks of ``size`` (a TypeError, a ValueError)
        return bytes([min(255, int(value * 256))]) * size

    return fixed


# Where a random.Random keeps the seed a notebook gave it (labkit.seeds): installed when the
# kernel starts (labkit.kernel), and here too, for a kernel without labkit's kernel config. The
# judge's child leaves the draws of a generator seeded so alone: every client that seeds alike
# draws alike, which is no jitter. The module's own generator is reseeded from the system in
# every fork (random's at-fork hook), so its seed is kept to seed the child's copy with.
_SEED = seeds.SEED
seeds.mark()


def _fixed_generators(value: float) -> None:
    """Every random.Random draws ``value`` (the learner's own, made in the function or by the
    notebook before the check), unless it was seeded with a value (``random.Random(42)``,
    ``random.seed(42)``, in the function or in a notebook cell: labkit.seeds): every client then
    waits the same, which is no jitter, and the judge must see it so (SEEDED is noted). An
    unseeded one made in the function drew real entropy (full jitter from
    random.Random().uniform was accepted 7 checks in 10, refused 3); one the notebook made
    before the check drew the same numbers in both runs, forked from one kernel (refused 10 of
    10 as "no jitter", though each client's generator differs)."""
    import random

    real_random = random.Random.random
    real_bits = random.Random.getrandbits
    real_below = random.Random._randbelow  # type: ignore[attr-defined]

    def own(generator: random.Random) -> bool:
        if getattr(generator, "__dict__", {}).get(_SEED) is None:
            return False
        _notes.add(SEEDED)
        return True

    def draw(self: random.Random) -> float:
        return real_random(self) if own(self) else value

    def bits(self: random.Random, k: int) -> int:
        if own(self):
            return real_bits(self, k)
        real_bits(self, k)  # its checks of k (a ValueError for a negative one)
        return min(2**k - 1, int(value * 2**k)) if k else 0

    def below(self: random.Random, n: int) -> int:
        return int(real_below(self, n)) if own(self) else min(n - 1, int(value * n))

    random.Random.random = draw  # type: ignore[method-assign,assignment]
    random.Random.getrandbits = bits  # type: ignore[method-assign,assignment]
    random.Random._randbelow = below  # type: ignore[attr-defined]


def _learners(frame: Any) -> bool:
    """Whether ``frame`` runs the learner's code: not labkit's, not the standard library's
    (tempfile and logging read the process id), not an installed package's."""
    name = str(frame.f_globals.get("__name__") or "")
    if _is_labkit(name) or name.partition(".")[0] in sys.stdlib_module_names:
        return False
    path = frame.f_code.co_filename
    return "site-packages" not in path and "dist-packages" not in path


def _noting_identity(fn: Callable[..., Any]) -> None:
    """In the child: the learner's code reading its process's or a thread's id is noted
    (IDENTITY); the ids are the real ones (os.kill(os.getpid(), ...) works as ever). Each
    run of a judge is another process, so a "jitter" drawn from the id differed between the
    judge's runs and passed, with another message at each check (10 of 10): one fixed
    schedule per client, the same for every client in a container (pid 1)."""

    def noting(real: Callable[..., Any]) -> Callable[..., Any]:
        def read(*args: Any, **kwargs: Any) -> Any:
            if _learners(sys._getframe(1)):
                _notes.add(IDENTITY)
            return real(*args, **kwargs)

        return read

    replacements: dict[Any, Any] = {}
    for module, name in (
        (os, "getpid"),
        (os, "getppid"),
        (threading, "get_ident"),
        (threading, "get_native_id"),
    ):
        real = getattr(module, name, None)
        if real is not None:
            replacements[real] = noting(real)
            setattr(module, name, replacements[real])
    # threading.current_thread().ident (and native_id): the same id as get_ident(), read as a
    # property; a "jitter" from it was refused as no jitter with another message than
    # get_ident's
    for name in ("ident", "native_id"):
        prop = getattr(threading.Thread, name, None)
        if isinstance(prop, property) and prop.fget is not None:
            setattr(threading.Thread, name, property(noting(prop.fget)))
    # the process id read from /proc (open("/proc/self/stat"), os.readlink("/proc/self")): a
    # jitter from it differed between the judge's runs, each another process, and passed
    real_readlink, real_open = os.readlink, io.open

    def readlink(path: Any, *args: Any, **kwargs: Any) -> Any:
        if _own_proc(path) and _learners(sys._getframe(1)):
            _notes.add(IDENTITY)
        return real_readlink(path, *args, **kwargs)

    def opening(file: Any, *args: Any, **kwargs: Any) -> Any:
        if _own_proc(file) and _learners(sys._getframe(1)):
            _notes.add(IDENTITY)
        return real_open(file, *args, **kwargs)

    replacements[real_readlink] = os.readlink = readlink
    io.open = builtins.open = opening
    _rebind(fn, replacements)


def _own_proc(path: Any) -> bool:
    """Whether ``path`` names this process's entry in /proc, where its id is read: /proc/self
    itself, or its stat or status file (/proc/self/stat's first field is the pid)."""
    if not isinstance(path, (str, bytes, os.PathLike)):
        return False
    try:
        name = os.fsdecode(path).rstrip("/")
    except (TypeError, ValueError):
        return False
    own = (f"/proc/{os.getpid()}", "/proc/self", "/proc/thread-self")
    return name in own or any(name in (f"{p}/stat", f"{p}/status") for p in own)


def _fixed_numpy(value: float, fn: Callable[..., Any]) -> dict[Any, Any]:
    """numpy.random's draws (the module's functions, default_rng's generators, and the
    generators the learner's globals and closure hold, made by the notebook before the check)
    at ``value``, if the kernel imported numpy; the replaced functions -> their replacements.

    Seeded in the function (np.random.seed(42), default_rng(42)), they draw their own numbers,
    as a seeded random.Random does (SEEDED). A generator made before the check with a seed is
    fixed all the same: numpy's generators cannot tell how they were seeded, and one made
    before the check drew the same numbers in both runs, forked from one kernel (refused 10
    of 10 as "no jitter", though each client's generator differs)."""
    np = sys.modules.get("numpy")
    if np is None:
        return {}
    try:
        module = np.random  # numpy imports its random module when first asked for it
    except Exception:
        return {}
    # np.random.seed(value) in the function, or in a cell before the check: the module's draws
    # are its own (a legacy seed in a cell was judged as jitter, the module's draws fixed)
    seeded = [_legacy_seeded(module)]

    def many(size: Any, x: float) -> Any:
        return x if size is None else np.full(size, x)

    def uniform(low: Any = 0.0, high: Any = 1.0, size: Any = None) -> Any:
        return many(size, low + value * (high - low))

    def sample(size: Any = None) -> Any:
        return many(size, value)

    def rand(*shape: int) -> Any:
        return many(shape or None, value)

    def integers(low: int, high: int | None = None, size: Any = None, **_: Any) -> Any:
        low, high = (0, low) if high is None else (low, high)
        return many(size, min(high - 1, low + int(value * (high - low))))

    class Generator:
        """What default_rng returns in the child: its draws at ``value``."""

        def random(self, size: Any = None, **_: Any) -> Any:
            return sample(size)

        def uniform(self, low: Any = 0.0, high: Any = 1.0, size: Any = None) -> Any:
            return uniform(low, high, size)

        def integers(self, low: int, high: int | None = None, size: Any = None, **_: Any) -> Any:
            return integers(low, high, size)

        def random_sample(self, size: Any = None) -> Any:  # a RandomState's names
            return sample(size)

        def rand(self, *shape: int) -> Any:
            return rand(*shape)

    real_default_rng = getattr(module, "default_rng", None)

    def default_rng(seed: Any = None, *args: Any, **kwargs: Any) -> Any:
        if seed is not None and real_default_rng is not None:
            _notes.add(SEEDED)
            return real_default_rng(seed, *args, **kwargs)
        return Generator()

    real_seed = getattr(module, "seed", None)

    def seed(seed: Any = None, *args: Any, **kwargs: Any) -> None:
        if real_seed is not None:
            real_seed(seed, *args, **kwargs)
        seeded[0] = seed is not None

    def unless_seeded(real: Callable[..., Any], fixed: Callable[..., Any]) -> Callable[..., Any]:
        def draw(*args: Any, **kwargs: Any) -> Any:
            if seeded[0]:
                _notes.add(SEEDED)
                return real(*args, **kwargs)
            return fixed(*args, **kwargs)

        return draw

    real_state, real_generator = (
        getattr(module, "RandomState", None),
        getattr(module, "Generator", None),
    )

    new: dict[str, Any] = {
        "uniform": uniform,
        "random": sample,
        "random_sample": sample,
        "ranf": sample,
        "sample": sample,
        "rand": rand,
    }
    replacements: dict[Any, Any] = {}
    made: dict[str, Callable[..., Any]] = {"default_rng": default_rng, "seed": seed}
    # np.random.RandomState() and np.random.Generator(np.random.PCG64()): their draws at
    # ``value``; seeded with a value, their own. Types still: numpy's own isinstance checks
    # read the module's names (default_rng(42) raised TypeError when Generator was a function)
    if isinstance(real_state, type):
        legacy: type = real_state

        class RandomState(legacy):  # type: ignore[misc]
            def __new__(cls, seed: Any = None, *args: Any, **kwargs: Any) -> Any:
                if seed is not None:
                    _notes.add(SEEDED)
                    return legacy(seed, *args, **kwargs)
                return Generator()

        made["RandomState"] = RandomState
    if isinstance(real_generator, type):
        modern: type = real_generator

        class NumpyGenerator(modern):  # type: ignore[misc]
            def __new__(cls, bit_generator: Any, *args: Any, **kwargs: Any) -> Any:
                made = modern(bit_generator, *args, **kwargs)
                if _chosen_seed(made):
                    _notes.add(SEEDED)
                    return made
                return Generator()

        made["Generator"] = NumpyGenerator
    for name, fixed in (*new.items(), *made.items()):
        real = getattr(module, name, None)
        if real is None:
            continue
        replacement = fixed if name in made else unless_seeded(real, fixed)
        with contextlib.suppress(TypeError):
            replacements[real] = replacement
        setattr(module, name, replacement)
    # the generators the notebook made before the check, where the function finds them
    kinds = tuple(k for k in (real_generator, real_state) if isinstance(k, type))

    def instead(held: Any) -> Any:
        if not kinds or not isinstance(held, kinds):
            return held
        return _Seeded(held) if _chosen_seed(held) else Generator()

    target = getattr(fn, "__func__", fn)
    namespace = getattr(target, "__globals__", None)
    if isinstance(namespace, dict):
        for key, held in list(namespace.items()):
            namespace[key] = instead(held)
    for cell in getattr(target, "__closure__", None) or ():
        with contextlib.suppress(ValueError, TypeError):
            cell.cell_contents = instead(cell.cell_contents)
    return replacements


def _chosen_seed(generator: Any) -> bool:
    """Whether a numpy Generator was seeded with a number of the notebook's (default_rng(42)):
    its SeedSequence's entropy is that number, where the system's is 128 random bits (below
    2**64 once in 2**64 times). A RandomState: ``_legacy_seeded``."""
    if _legacy_seeded(generator):
        return True
    seed_seq = getattr(getattr(generator, "bit_generator", None), "seed_seq", None)
    entropy = getattr(seed_seq, "entropy", None)
    return isinstance(entropy, int) and 0 <= entropy < 2**64


# The first two words of MT19937's key once seeded with an int whose first word is 2**31
# (init_genrand): what np.random.seed(2**31) leaves, told apart from np.random.seed()
_LEGACY_NONE_KEY0 = 0x80000000
_LEGACY_INT_KEY1 = (1812433253 * (_LEGACY_NONE_KEY0 ^ (_LEGACY_NONE_KEY0 >> 30)) + 1) & 0xFFFFFFFF


def _legacy_seeded(state: Any) -> bool:
    """Whether a numpy RandomState (RandomState(42), or np.random's own when ``state`` is the
    module) was seeded with a value: numpy's legacy seeding (np.random.seed(42),
    RandomState(42)) drops its bit generator's SeedSequence, which one made without a seed
    keeps.

    What it cannot tell: np.random.seed() with no value drops it too, and is told apart only
    until the first draw after it (its key starts with 2**31 and is not init_genrand's);
    a set_state after a seed (a library putting a state back) still counts as seeded."""
    try:
        # np.random's own (numpy 1.25+), or a RandomState's, which numpy exposes no other way
        mine = getattr(state, "get_bit_generator", None)
        bit = mine() if mine is not None else getattr(state, "_bit_generator", None)
    except Exception:
        return False
    if bit is None or getattr(bit, "seed_seq", True) is not None:
        return False
    try:
        key = state.get_state()[1]
        if int(key[0]) == _LEGACY_NONE_KEY0 and int(key[1]) != _LEGACY_INT_KEY1:
            return False  # np.random.seed(): the system's entropy, nothing drawn since
    except Exception:
        pass
    return True


class _Seeded:
    """A numpy generator seeded with a chosen number, as the learner's code sees it in the
    child: its own draws (the same in every run), and each use noted (SEEDED)."""

    def __init__(self, generator: Any) -> None:
        self._generator = generator

    def __getattr__(self, name: str) -> Any:
        _notes.add(SEEDED)
        return getattr(self._generator, name)


def _learner_functions(fn: Any) -> list[Any]:
    """The Python functions a learner's callable runs first: itself, or what it wraps (a
    partial's function, a method's, an object's ``__call__``, a class's ``__init__`` and
    ``__new__``). Their globals and closures are where its names are bound."""
    found: list[Any] = []
    todo: list[Any] = [fn]
    seen: set[int] = set()
    while todo and len(seen) < 50:
        item = todo.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, functools.partial):
            todo.append(item.func)
        elif inspect.ismethod(item):
            todo.append(item.__func__)
        elif inspect.isfunction(item):
            found.append(item)
            todo += _helpers_of(item)
        elif isinstance(item, type):
            for klass in item.__mro__[:-1]:  # object's own are not the learner's
                todo += [vars(klass)[n] for n in ("__init__", "__new__") if n in vars(klass)]
        elif isinstance(item, (staticmethod, classmethod)):
            todo.append(item.__func__)
        else:  # an object with __call__
            call = inspect.getattr_static(type(item), "__call__", None)
            if call is not None:
                todo.append(call)
    return found


def _helpers_of(function: Any) -> list[Any]:
    """The functions ``function`` calls by a global name or holds in its closure: a helper
    defined beside it, in a namespace that is no module (exec'd code, %run -i), was not
    rebound, so polite_get called from a wrapper read the machine's datetime.now() against
    the judge's virtual Date and "came back 0.00 s after a 503"."""
    code = function.__code__
    names = set(code.co_names)
    for const in code.co_consts:  # a comprehension's or a nested function's names too
        if inspect.iscode(const):
            names.update(const.co_names)
    helpers = [function.__globals__.get(name) for name in names]
    for cell in function.__closure__ or ():
        with contextlib.suppress(ValueError):  # an empty cell
            helpers.append(cell.cell_contents)
    # only the learner's own: a library's module keeps the machine's clock (from subprocess
    # import run: subprocess's own _time stays real, as its module found it)
    return [
        h
        for h in helpers
        if (inspect.isfunction(h) or inspect.ismethod(h))
        and not getattr(getattr(h, "__code__", None), "co_filename", "").startswith(_NOT_LEARNERS)
    ]


def _learners_modules() -> list[Any]:
    """The notebook's namespace (``__main__``) and the modules imported from files outside
    Python's, its packages' and labkit's own (a learner's ``myclient.py``): the code a
    learner's function may call. Found once in a run (the child of one call), by the paths
    as the modules name them (a realpath of each took ~30 ms under load, at every call)."""
    pid = os.getpid()
    if pid in _LEARNERS_MODULES:
        return _LEARNERS_MODULES[pid]
    found = []
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None) if module is not None else None
        if name == "__main__" or (isinstance(path, str) and not path.startswith(_NOT_LEARNERS)):
            found.append(module)
    _LEARNERS_MODULES.clear()  # a fork's copy of its parent's
    _LEARNERS_MODULES[pid] = found
    return found


_LEARNERS_MODULES: dict[int, list[Any]] = {}  # this process's, found once
_LABKIT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_NOT_LEARNERS = tuple(
    {
        os.path.join(way(d), "")
        for d in (sys.prefix, sys.base_prefix, sys.exec_prefix, _LABKIT_DIR)
        for way in (os.path.abspath, os.path.realpath)
    }
)


def _rebind(fn: Callable[..., Any], replacements: dict[Any, Any]) -> None:
    """Names in the learner's globals and closures bound to a replaced object (``from time
    import sleep``) are bound to its replacement (in the child only): the globals of the
    functions its callable runs (_learner_functions: a functools.partial of the reference
    solution, or an object with __call__, slept for real and drew real random numbers in
    virtual time) and the notebook's own (``__main__``)."""
    functions = _learner_functions(fn)
    namespaces = {id(f.__globals__): f.__globals__ for f in functions}
    for module in _learners_modules():
        space = getattr(module, "__dict__", None)
        if isinstance(space, dict):
            namespaces.setdefault(id(space), space)
    for ns in namespaces.values():
        for key, value in list(ns.items()):
            try:
                if value in replacements:
                    ns[key] = replacements[value]
            except TypeError:  # unhashable
                continue
    for function in functions:
        for cell in function.__closure__ or ():
            with contextlib.suppress(ValueError, TypeError):
                if cell.cell_contents in replacements:
                    cell.cell_contents = replacements[cell.cell_contents]


def _child_main(
    sock: socket.socket,
    out_fd: int,
    err_fd: int,
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    labs: list[Any],
    clock: Clock | None,
    random_value: float | None,
    each: bool = False,
    paced: bool = False,
) -> NoReturn:
    """In the child: never returns (os._exit, as the module found it: learner code may
    replace os._exit), so nothing of the kernel runs twice. ``each``: ``args`` is a
    sequence of argument tuples, ``fn`` is called with each in turn (``run``); ``paced``:
    the kernel is asked before each call whether to make it (``run``'s ``before``)."""
    code = 0
    done: list[Any] = []  # each: the values of the calls that returned
    try:
        _drop_sockets(keep=sock.fileno())
        _own_descriptors(out_fd, err_fd)
        limit = sys.getrecursionlimit()
        sys.stdin = io.StringIO()
        builtins.input = _no_input
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the kernel decides; it kills us
        # a crash (ctypes at a bad address) is reported as the signal that ended the process;
        # the kernel's fault handler would dump this copy's threads to the kernel's stderr
        faulthandler.disable()
        for signum in (signal.SIGALRM, signal.SIGTERM):
            signal.signal(signum, signal.SIG_DFL)
        sys.stdout = io.TextIOWrapper(io.FileIO(out_fd, "w"), line_buffering=True)
        sys.stderr = io.TextIOWrapper(io.FileIO(err_fd, "w"), line_buffering=True)
        child = _Child(sock, clock)
        if labs:
            cls = _remote_lab_class(child)
            for handle, lab in enumerate(labs):
                # the copy of the kernel's servers goes: every use of the lab is forwarded,
                # and what the copy held when the judge forked (the portal's login, say) is
                # the judge's, not something the learner's code may read
                _forget_servers(lab)
                kept = {name: lab.__dict__[name] for name in _KEPT_IN_THE_CHILD}
                lab.__dict__.clear()
                lab.__dict__.update(kept)
                lab.__dict__["_labkit_handle"] = handle
                lab.__class__ = cls
        _no_labs_of_its_own(child, fn)
        if clock is not None:
            _virtual_time(child, fn)
        if random_value is not None:
            _fixed_random(random_value, fn)
            _noting_identity(fn)
        del clock, labs  # the judge's objects (see run()): not in this frame for learner code
        # Everything this process copied from the kernel (the judge's state among it) out of
        # gc.get_objects() and gc.get_referrers(): learner code finds only its new objects there
        _keep_cpu_limit(fn, child.lang)
        _explained_setsid(fn, child.lang)
        gc.freeze()
        if not threading.stack_size():  # the learner's threads: see THREAD_STACK
            with contextlib.suppress(ValueError, RuntimeError):
                threading.stack_size(THREAD_STACK)
        _limit_memory()
        kept_builtins = dict(vars(builtins))  # as the judge set them (input: _no_input)
        _send(sock, ("started", None, 0.0))  # the learner's time starts now, not at the fork
        message: tuple[object, ...]
        try:
            try:
                value = _each_call(fn, args, done, child if paced else None) if each else fn(*args)
            finally:  # what the learner's code changed must not stop the report
                # here, not in _put_back: a trace function is called as a new frame starts
                sys.settrace(None)
                sys.setprofile(None)
                _put_back(limit, kept_builtins)
        except SystemExit as exc:
            # the code as written (a str: only plain values travel); the kernel words it
            message = ("exit", _text_of(repr, exc.code) if exc.code is not None else "")
        except MemoryError:  # said without a traceback: its frames hold what filled memory
            message = _OUT_OF_MEMORY
        except BaseException as exc:  # everything the learner's code raised is reported
            message = (
                "error",
                type(exc).__name__,
                _capped(_text_of(str, exc), TEXT_LIMIT),
                _capped(learner_traceback(exc), TRACE_LIMIT),
            )
            if type(exc) is RuntimeError and message[2] == "can't start new thread":
                message = ("threads", _thread_stack(), message[3])  # the memory limit's
            if each:
                message = (*message, len(done))  # the call that raised
        else:
            message = ("value", _plain(value))
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        if child.forked():
            # a fork of the learner's process that returned from the function too: the
            # judge's answer is the process it runs (this one's virtual clock, its value,
            # were reported as the function's: "your function took 7200.00 s")
            _EXIT(0)
        _send(sock, ("done", message, child.now, sorted(_notes)))
        code = REPORTED
    except MemoryError:  # e.g. pickling a huge value the learner's code returned
        code = OUT_OF_MEMORY
    except BaseException:  # the child's own machinery failed; the kernel reports the exit
        code = BROKEN
    finally:
        _EXIT(code)


_EXIT = os._exit  # kept: learner code that replaces os._exit must not keep the child alive


def _each_call(
    fn: Callable[..., Any],
    argsets: Sequence[tuple[Any, ...]],
    done: list[Any],
    paced: _Child | None = None,
) -> Any:
    """In the child: ``fn`` called with each argument tuple in turn, its values in order
    (``done`` holds those of the calls that returned, so an error names the call). ``paced``:
    before each call the kernel is told the value of the one before and says whether to go
    on (it may change the lab in between: ``run``'s ``before``)."""
    for index, one in enumerate(argsets):
        if paced is not None and not paced.ask("next", index, _plain(done[-1]) if done else None):
            break
        done.append(fn(*one))
    return done


NEW_LAB = Msg(
    "your code started a lab of its own (labkit.start()). The judge runs your function with "
    "the notebook's lab: use the lab it is given, and take that call out of your function"
)


def _no_labs_of_its_own(child: _Child, fn: Callable[..., Any]) -> None:
    """In the child: labkit.start() (and Lab.start) ends the run with NEW_LAB. It started a
    lab on the copies of the kernel's servers that _forget_servers had emptied, and said
    "AttributeError: 'Fault' object has no attribute 'name'" from labkit's code;
    a lab that did start would register itself and be killed with the child, its runtime
    files left behind."""
    import labkit
    from labkit import lab as lab_module

    def refused(*args: Any, **kwargs: Any) -> NoReturn:
        child.ask("new lab")
        raise RuntimeError(NEW_LAB.render(child.lang))  # the kernel ends the run first

    real = lab_module.start
    lab_module.start = refused
    lab_module.Lab.start = refused  # type: ignore[method-assign]
    if "start" in vars(labkit):
        labkit.start = refused
    _rebind(fn, {real: refused})


def _put_back(limit: int, kept_builtins: dict[str, Any]) -> None:
    """In the child, once the learner's function has returned or raised: what the report that
    follows needs, as it was. A function that returned 42 after replacing builtins.len, or
    after setting a trace or profile function that raises, was told "your code's process
    could not report back to the judge": the report's own code ran
    with them (the caller has removed those). A recursion limit it lowered stopped the report
    too."""
    sys.setrecursionlimit(limit)
    names = vars(builtins)
    for name, value in kept_builtins.items():
        if names.get(name) is not value:
            names[name] = value


# The most of an exception's text, and of its traceback, a check shows: a message of 5 MB
# ("w" * 5_000_000) was the check's message whole, in the notebook
TEXT_LIMIT = 500
TRACE_LIMIT = 20_000


def _capped(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters: its start and its end, and how much is left out
    between them (a traceback's last lines say where it was raised)."""
    if len(text) <= limit:
        return text
    half = limit // 2
    left_out = len(text) - 2 * half
    return f"{text[:half]} [… {left_out} …] {text[-half:]}"  # no words: said in any language


def _text_of(said: Callable[[Any], str], value: Any) -> str:
    """In the child: str() or repr() of what the learner's code raised, or words for it when
    the learner's own __str__ raises (the report failed: "could not report back")."""
    try:
        return said(value)
    except Exception as exc:
        return f"<{type(value).__name__} whose {said.__name__}() raised {type(exc).__name__}>"


CPU_LIMIT_KEPT = Msg(
    "the judge limits your code's time itself: your code may not change its process's "
    "CPU-time limit (RLIMIT_CPU)"
)


def _keep_cpu_limit(fn: Callable[..., Any], lang: str) -> None:
    """In the child: setting the process's CPU-time limit (resource.setrlimit, or prlimit of
    this process, with RLIMIT_CPU) raises PermissionError, saying why. Lowered to about the
    judge's time limit, the system's SIGKILL at that much CPU time and the judge's limit
    raced: a spinning function under a 1 s limit was "ended by the signal SIGKILL" or "did
    not finish within 1 s" by turns. ctypes' own setrlimit and prlimit are refused by name
    too; a raw system call (libc.syscall) is not watched."""
    real_set, real_prlimit = resource.setrlimit, getattr(resource, "prlimit", None)
    refused = CPU_LIMIT_KEPT.render(lang)
    own = os.getpid()

    def setrlimit(which: int, limits: tuple[int, int]) -> None:
        if which == resource.RLIMIT_CPU:
            raise PermissionError(refused)
        real_set(which, limits)

    replacements: dict[Any, Any] = {real_set: setrlimit}
    resource.setrlimit = setrlimit
    if real_prlimit is not None:

        def prlimit(pid: int, which: int, *limits: Any) -> Any:
            if which == resource.RLIMIT_CPU and limits and pid in (0, own):
                raise PermissionError(refused)
            return real_prlimit(pid, which, *limits)

        replacements[real_prlimit] = prlimit
        resource.prlimit = prlimit
    # ctypes' own: libc.setrlimit, libc.prlimit (CDLL(None), cdll.LoadLibrary("libc.so.6"))
    # are refused by name, for any resource (a raw libc.syscall is not watched)
    import ctypes

    real_item = ctypes.CDLL.__getitem__

    def item(self: Any, name: Any) -> Any:
        if name in ("setrlimit", "setrlimit64", "prlimit", "prlimit64"):
            raise PermissionError(refused)
        return real_item(self, name)

    ctypes.CDLL.__getitem__ = item  # type: ignore[method-assign]
    _rebind(fn, replacements)


SETSID_REFUSED = Msg(
    "os.setsid() is refused in the process that runs your function: it already leads a "
    "process group of its own (so the judge can end everything it starts), and the system "
    "lets no group leader start a session (EPERM). A Jupyter kernel leads its own session, "
    "so the same call fails in the notebook too. Call it in a process your code forks "
    "(os.fork(), or subprocess with start_new_session=True)"
)


def _explained_setsid(fn: Callable[..., Any], lang: str) -> None:
    """In the child: os.setsid() in the learner's own process raises PermissionError saying
    why, where Python said only "[Errno 1] Operation not permitted": the child is a
    group leader (proctree's setpgid), which setsid(2) refuses. A process the learner's code
    forks is no group leader: the call works there, as it does."""
    real = os.setsid
    own = os.getpid()
    refused = SETSID_REFUSED.render(lang)

    def setsid() -> None:
        try:
            real()
        except PermissionError:
            if os.getpid() != own or os.getpgid(0) != own:
                raise
            raise PermissionError(errno.EPERM, refused) from None

    os.setsid = setsid
    _rebind(fn, {real: setsid})


NO_INPUT = Msg(
    "input() gets nothing here: the judge runs your function without a keyboard; "
    "give it what it needs as arguments"
)


def _no_input(prompt: object = "") -> str:
    """input() in the child: the judge's process has no keyboard (a real one would read the
    kernel's stdin, or send a request on the kernel's own Jupyter connection). Its English
    crosses the pipe as any exception's text does; the kernel says it in the learner's
    language (``_finish``)."""
    raise EOFError(str(NO_INPUT))


# The modules whose objects hold a running lab's state: the servers and what they keep.
_SERVER_MODULES = frozenset(
    "labkit.lab labkit.origin labkit.gateway labkit.portal labkit.proxy labkit.faults "
    "labkit.control labkit.recorder labkit.http.server labkit.http.peers".split()
)


def _forget_servers(lab: Any) -> None:
    """In the child: empty the copies of a lab's servers (the portal's login, the gateway's
    cache, the recorder's requests, an upstream's setting) before learner code runs.

    Dropping the lab's own references is not enough: the copy of the kernel's event loop
    still holds the servers, and code that scans the fork's raw memory (ctypes,
    /proc/self/mem) for a Portal found it and read its login, which 511 q4 asks the
    learner's function to find out with a request. What a fork copies of the judge's own
    plan is no secret (its source and .solution() are the learner's), but the lab's state
    at the moment of the check is the answer to a checker question."""
    seen: set[int] = set()
    todo: list[Any] = list(vars(lab).values())
    while todo:
        value = todo.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, (list, tuple, set, frozenset)):
            if type(value).__module__ not in _SERVER_MODULES:  # not a recorded Event (a
                todo.extend(value)  # named tuple): nothing in one to empty, 3000 in a lab
        elif isinstance(value, dict):
            todo.extend(value.values())
        elif type(value).__module__ in _SERVER_MODULES and value is not lab:
            state = getattr(value, "__dict__", None)
            if isinstance(state, dict):
                todo.extend(state.values())
                state.clear()


def _own_descriptors(out_fd: int, err_fd: int) -> None:
    """In the child: descriptors 1 and 2 are the pipes the kernel reads, and 0 reads nothing.
    They were the kernel's own: os.write(1, ...) of 200 kB, a C extension's printf or a
    subprocess's output went past the judge's OUTPUT_LIMIT to the kernel's stdout (in
    Jupyter, straight into the notebook), and os.read(0, ...) read the kernel's stdin."""
    if min(out_fd, err_fd) <= 2:  # a kernel that had closed one of them: left as they are
        return
    null = os.open(os.devnull, os.O_RDONLY)
    try:
        if null != 0:
            os.dup2(null, 0)
    finally:
        if null != 0:
            os.close(null)
    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)


def _drop_sockets(keep: int) -> None:
    """In the child: every socket it inherited from the kernel, but ``keep``, becomes
    /dev/null. A forked child shares the kernel's sockets, so learner code could shut the
    lab's listening sockets (the lab then refused everyone until it was restarted), accept
    its connections or write into Jupyter's. Files and pipes stay as they are."""
    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        try:
            fds = [int(name) for name in os.listdir("/dev/fd")]
        except OSError:
            fds = list(range(3, 1024))
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for fd in fds:
            if fd <= 2 or fd in (keep, null):
                continue
            with contextlib.suppress(OSError):
                if stat.S_ISSOCK(os.fstat(fd).st_mode):
                    os.dup2(null, fd)
    finally:
        os.close(null)


_OUT_OF_MEMORY = ("memory",)  # made before the child runs out of memory


@dataclass(frozen=True)
class _Unpicklable:
    """A return value that cannot travel back: its repr and type name."""

    text: str
    type_name: str

    def __repr__(self) -> str:
        return self.text


def _plain(value: Any, depth: int = 0, memo: dict[int, Any] | None = None) -> Any:
    """In the child: the value the judge receives. Plain values as they are; a subclass of
    one as the plain value it holds (an IntEnum's int, a str subclass's text: the judge
    compares what was returned, and never runs a method the learner wrote, such as an
    ``__eq__`` that always says True or a ``__repr__`` that never returns); lists, tuples,
    sets and dicts (subclasses too: a namedtuple) of such values; labkit's value classes
    (an Exchange); anything else as its repr, shown but never equal to an answer."""
    kind = type(value)
    if kind is int and value.bit_length() > _INT_BITS:  # a judge could not even print it
        digits = int(value.bit_length() * math.log10(2)) + 1
        return _Unpicklable(f"<an int of about {digits} digits>", "int")
    if value is None or kind in (bool, int, float, complex, str, bytes, *_DATETIME_TYPES):
        return value
    if depth < 20:
        if isinstance(value, (list, dict)):
            return _plain_container(value, depth, memo if memo is not None else {})
        for base, convert in _BASES:
            if isinstance(value, base):
                return convert(value, depth + 1, memo)
        if _is_labkit(kind.__module__) and _labkit_value_class(kind):
            with contextlib.suppress(Exception):
                pickle.dumps(value)
                return value
        numpy = sys.modules.get("numpy")
        if numpy is not None and kind.__module__ == "numpy" and isinstance(value, numpy.generic):
            # numpy's own scalar (np.True_ from np.any, an int64 from np.sum) as the Python
            # value it holds: 511 q4 counted np.True_ wrong, "return True or False".
            # numpy's class, not the learner's: a subclass has the learner's module
            with contextlib.suppress(Exception):
                held = value.item()
                if type(held) in (bool, int, float, complex, str, bytes):
                    return _plain(held, depth + 1, memo)
    try:
        text = _ADDRESS.sub("", repr(value))
    except Exception as exc:
        text = f"<a {kind.__name__} whose repr raised {type(exc).__name__}>"
    return _Unpicklable(text[:300], kind.__name__)


def _plain_container(value: list[Any] | dict[Any, Any], depth: int, memo: dict[int, Any]) -> Any:
    """A list or a dict as a plain one, a container that holds itself as one that does the
    same (memo: the copies made so far, by the original's id). Cut off at _plain's depth, a
    body that held itself came back holding a labkit object, and 500 q5 said "the handler
    raised TypeError: Object of type _Unpicklable is not JSON serializable", where
    it is the body itself the origin cannot write."""
    if id(value) in memo:
        return memo[id(value)]
    if isinstance(value, list):
        copy: list[Any] = []
        memo[id(value)] = copy
        copy.extend(_plain(x, depth + 1, memo) for x in list.__iter__(value))
        return copy
    table: dict[Any, Any] = {}
    memo[id(value)] = table
    for k, x in dict.items(value):
        table[_plain(k, depth + 1, memo)] = _plain(x, depth + 1, memo)
    return table


# a default repr names where the object sits in memory ("<coroutine object f at 0x7f5d...>"),
# which differs from run to run: a verdict quoting it would not read the same twice
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


_DATETIME_TYPES = (dt.datetime, dt.date, dt.time, dt.timedelta, dt.timezone)
# an int longer than this is no answer: the kernel could not even print it (str() of an int
# of more than 4300 digits raises ValueError), and a judge that quoted it raised that itself
_INT_BITS = 12_000
_BASES: tuple[tuple[type, Callable[[Any, int, Any], Any]], ...] = (
    (int, lambda v, d, m: _plain(int.__int__(v), d)),
    (float, lambda v, d, m: float.__float__(v)),
    (str, lambda v, d, m: str.__str__(v)),
    (bytes, lambda v, d, m: bytes(memoryview(v))),
    (tuple, lambda v, d, m: tuple(_plain(x, d, m) for x in tuple.__iter__(v))),
    (frozenset, lambda v, d, m: frozenset(_plain(x, d, m) for x in frozenset.__iter__(v))),
    (set, lambda v, d, m: {_plain(x, d, m) for x in set.__iter__(v)}),
)


# -- the kernel's side --


@dataclass
class Outcome:
    """What a call did: its value, the child's virtual time at the end, and what the child
    noted of the learner's code (IDENTITY, SEEDED)."""

    value: Any
    elapsed: float
    notes: frozenset[str] = frozenset()


class Deadline:
    """When a run in another thread is due to stop (a time.monotonic()), as the runner moves
    it on for the machine's load (``_Session.excuse_the_load``): a caller that waits for that
    run (the origin, for the learner's handler) reads it here rather than keeping a deadline
    of its own, which gave up on a handler the runner still let finish."""

    def __init__(
        self, at: float, settled: Callable[[Any, BaseException | None], None] | None = None
    ) -> None:
        self.at = at
        # told the run's value or error as soon as the run has one, before the runner ends
        # and reaps the learner's processes (under load that took longer than the gateway's
        # read timeout): a caller that waits for the run learns its outcome from the runner
        # and needs no deadline of its own, which fell before the runner's under load
        self.settled = settled

    def settle(self, value: Any, error: BaseException | None) -> None:
        if self.settled is not None:
            self.settled(value, error)


def call(
    fn: Callable[..., Any],
    *args: Any,
    seconds: float = 5.0,
    clock: Clock | None = None,
    random_value: float | None = None,
    since: float | None = None,
    deadline: Deadline | None = None,
) -> Any:
    """``fn(*args)`` in a child process, within ``seconds`` (or what is left of the judge's
    ``budget``); returns its value or raises LearnerError, LearnerExit or TimeLimit.

    ``since`` (a time.monotonic()) counts the seconds from then, with no grace for a slow
    start: for a caller whose own answer is due a fixed time after an event (the origin
    answering before the gateway's read timeout), whatever the machine's load. ``deadline``
    is kept at the run's deadline as it moves."""
    outcome = run(
        fn,
        *args,
        seconds=seconds,
        clock=clock,
        random_value=random_value,
        since=since,
        deadline=deadline,
    )
    return outcome.value


def call_each(
    fn: Callable[..., Any], argsets: Sequence[tuple[Any, ...]], *, seconds: float = 5.0
) -> list[Any]:
    """``[fn(*args) for args in argsets]`` in one child process, as ``call`` runs one call;
    a LearnerError names the call that raised (``.call``, its index in ``argsets``).

    One process for a judge's several calls of the same function: each child's fork and
    start is most of a call's time on a loaded machine (lesson 500 q5's six calls, one
    process each, took seconds at load 19)."""
    outcome = run(fn, *argsets, seconds=seconds, each=True)
    return list(outcome.value)


IN_VIRTUAL_TIME = Msg(
    "{stopped}. It ran in the judge's virtual time, where the clock moves only when your code "
    "calls time.sleep: a loop that waits for time.monotonic() or time.time() to move on, "
    "without sleeping, never ends"
)


def run(
    fn: Callable[..., Any],
    *args: Any,
    seconds: float = 5.0,
    clock: Clock | None = None,
    random_value: float | None = None,
    since: float | None = None,
    view: View = (),
    deadline: Deadline | None = None,
    each: bool = False,
    before: Callable[[int, list[Any]], View | None] | None = None,
) -> Outcome:
    """Like ``call``, also telling the virtual time the function took. ``view``: how the
    code sees the lab where that differs from the lab itself (``Seen``). ``each``: ``args``
    are argument tuples, one call each (``call_each``).

    ``before`` (with ``each``): called in the kernel before each call, with the call's index
    and the values of the calls before it; it may change the lab (the judge's login between
    two calls) and returns the view for that call, or None to make no more calls (the
    outcome's value then holds those made). One process for a judge whose calls each need
    the lab in another state: 511 q4's four calls, a process each, took 4 s a check under
    load. The time ``before`` takes is the judge's, not the learner's."""
    if before is not None and not each:
        raise ValueError("before= paces the calls of a run each=True")
    from labkit.lab import ready_to_ask, running_labs

    left, total = _time_left(seconds)
    if since is not None:
        left = min(left, since + seconds - time.monotonic())
    if left <= 0:
        # a judge's earlier runs spent it: said as a run stopped in virtual time says it (1 of
        # 10 checks of a 50k-line logging client said it without)
        stopped = STOPPED.bind(seconds=f"{total:g}")
        raise TimeLimit(stopped if clock is None else IN_VIRTUAL_TIME.bind(stopped=stopped))
    labs: list[Any] = running_labs()
    if since is None:  # the clock starts with the learner's process (a caller's: it runs)
        for lab in labs:
            ready_to_ask(lab)
    started: list[float] = []  # when the learner's process said it had started
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()

    # what the learner's process starts from, handed over once: the frames above the
    # learner's function (this closure's, _child_main's) keep no reference to the clock,
    # whose hooks are the judge's own objects
    start: list[tuple[Any, ...]] = []

    def learner() -> NoReturn:  # pragma: no cover - the child; coverage does not follow it
        _child_main(*start.pop())

    def keeper_only() -> None:  # pragma: no cover - the keeper
        child_sock.close()
        os.close(out_w)
        os.close(err_w)

    # the kernel adopts what a killed keeper leaves (proctree.adopting), until end() ran
    with proctree.adopting():
        with proctree.forking:  # no other tree's keeper inherits this tree's descriptors
            parent_sock, child_sock = socket.socketpair()
            out_r, out_w = os.pipe()
            err_r, err_w = os.pipe()
            status_r, status_w = os.pipe()
            start.append(
                (
                    child_sock,
                    out_w,
                    err_w,
                    fn,
                    args,
                    labs,
                    clock,
                    random_value,
                    each,
                    before is not None,
                )
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads: above
                pid = os.fork()
            if pid == 0:  # pragma: no cover - the keeper, then the learner's process below it
                proctree.forking.release()  # its copy: learner code may run a check itself
                parent_sock.close()
                for fd in (out_r, err_r, status_r):
                    os.close(fd)
                proctree.keep(learner, keeper_only, status_w)
            # what the learner's process and its forks hold, for end() to find them by
            marks = frozenset(
                [f"socket:[{os.fstat(child_sock.fileno()).st_ino}]"]
                + [f"pipe:[{os.fstat(fd).st_ino}]" for fd in (out_w, err_w)]
            )
            child_sock.close()
            for fd in (out_w, err_w, status_w):
                os.close(fd)
            proctree.started(pid)
        with contextlib.suppress(OSError):
            os.setpgid(pid, pid)  # also here, so the kill below never misses a fast keeper
        served = [0.0]  # the seconds the kernel spent answering the lab's calls (virtual time)
        session: _Session | None = None
        try:
            grace = since is None
            session = _Session(
                parent_sock, out_r, err_r, status_r, labs, clock, left, total, view, started
            )
            session.served = served
            session.before = before
            session.keeper = pid
            session.told = deadline
            if deadline is not None:
                deadline.at = session.deadline
            try:
                outcome = _serve(session, grace)
            except BaseException as exc:
                if deadline is not None:
                    deadline.settle(None, exc)
                raise
            if deadline is not None:
                deadline.settle(outcome.value, None)
            return outcome
        except TimeLimit as exc:
            if clock is None or not exc.args or isinstance(exc, Overslept):
                raise
            raise TimeLimit(IN_VIRTUAL_TIME.bind(stopped=exc.args[0])) from None
        finally:
            excused = session.run_excused() if session is not None and started else 0.0
            _charge(
                max(0.0, min(left, time.monotonic() - started[0] - served[0] - excused))
                if started
                else 0.0
            )
            proctree.end(pid, marks)
            parent_sock.close()
            for fd in (out_r, err_r, status_r):
                with contextlib.suppress(OSError):
                    os.close(fd)


def _serve(session: _Session, grace: bool) -> Outcome:
    """Serve the learner's process until it answers, ends or runs out of time: its output
    shown as it comes, each use of the lab answered (``session``: what it is served with)."""
    sock, status_r = session.sock, session.status_r
    # until the child says it has started, a stalled machine's fork is not the learner's time
    # (unless the caller counts from a moment of its own: then its deadline holds)
    session.grace = grace
    if grace:
        session.granted = _startup_grace()
        session.deadline += session.granted
    with selectors.DefaultSelector() as sel:
        sel.register(sock, selectors.EVENT_READ)
        sel.register(status_r, selectors.EVENT_READ)
        for fd in session.streams:
            sel.register(fd, selectors.EVENT_READ)
        while True:
            remaining = session.deadline - time.monotonic()
            if remaining <= 0 and not session.excuse_the_load():
                raise session.time_up()
            remaining = max(0.0, session.deadline - time.monotonic())
            for key, _ in sel.select(remaining):
                if key.fileobj in session.streams:
                    if not session.show(key.fd):
                        sel.unregister(key.fd)
                elif key.fileobj == status_r:
                    return session.learner_ended()
                else:
                    outcome = session.on_message(session.receive())
                    if outcome is not None:
                        return outcome


class _Session:
    """One run of the learner's process as the kernel serves it: its deadline, its output,
    the messages it sends (each answered, or the run's end)."""

    def __init__(
        self,
        sock: socket.socket,
        out_r: int,
        err_r: int,
        status_r: int,
        labs: list[Any],
        clock: Clock | None,
        left: float,
        total: float,
        view: View,
        started: list[float],
    ) -> None:
        self.sock, self.status_r, self.clock, self.view = sock, status_r, clock, view
        self.left, self.total = left, total
        self.told: Deadline | None = None  # a caller's copy of the deadline (``run``)
        self.created = time.monotonic()
        self.deadline = self.created + left
        self.granted = 0.0  # the start-up grace this run was given (_serve)
        self.handles: list[Any] = list(labs)
        self.streams = {out_r: sys.stdout, err_r: sys.stderr}
        self.output = _output_now()
        self.calls = 0
        self.started = started  # when the child said it had started (the caller's list)
        self.served = [0.0]  # seconds spent answering the lab's calls in virtual time (reply)
        self.forgiven_uses = 0.0  # of those, answering uses of the lab that are not calls
        self.grace = True  # the learner's time starts when the child says so (_serve)
        self.keeper: int | None = None  # the learner's tree's keeper (excuse_the_load)
        self.waited_before = 0.0  # its wait for a CPU when it started: the grace's
        self.excused = 0.0  # seconds the deadline moved on for the machine's load
        # the check's excuse for the load when this run began (excused before: the rest spent)
        self.excuse = _excuse_left(total)
        self.excused_before = LOAD_EXCUSED * total - self.excuse
        self.start_excused = 0.0  # of the start past the grace, the wait for a CPU excused
        self.waited = 0.0  # the longest wait for a CPU seen in the run (``note_the_wait``)
        self.kernel_waited = proctree.waits_here()  # the kernel's threads' waits so far
        self.before: Callable[[int, list[Any]], View | None] | None = None  # run()'s
        self.paced: list[Any] = []  # the values of the paced calls made so far
        self.asked = 0  # how many of them the child asked to make

    @property
    def deadline(self) -> float:
        return self._deadline

    @deadline.setter
    def deadline(self, at: float) -> None:
        self._deadline = at
        if self.told is not None:
            self.told.at = at

    def time_up(self) -> TimeLimit:
        """The stop, said with the clock's time too where the load moved the deadline on
        (``EXCUSE_SAID``), and with the processes the code started where they were still
        running and had taken CPU (``STOPPED_BESIDE``): "did not finish" alone read as if
        the machine, or the function's own work, had been too slow."""
        seconds = f"{self.total:g}"
        stopped: Msg
        excused = self.excused_before + self.start_excused + self.excused
        if excused >= EXCUSE_SAID:
            clock = f"{self.total + excused:.0f}"
            stopped = STOPPED_LATE.bind(seconds=seconds, clock=clock)
        else:
            stopped = STOPPED.bind(seconds=seconds)
        running, used = (
            proctree.started_by_the_code(self.keeper) if self.keeper is not None else (0, 0.0)
        )
        if running and used >= STARTED_CPU_SAID:
            stopped = STOPPED_BESIDE.bind(stopped=stopped, count=running)
        return TimeLimit(stopped)

    def excuse_the_load(self) -> bool:
        """At the deadline: whether to move it on by the time the learner's code waited, ready
        to run, for a CPU the machine gave to others since it started (proctree.kept_waiting),
        up to LOAD_EXCUSED times the limit in all. The limit then counts the code's own work:
        200k logging lines in a 6 s limit got their verdict from the machine's speed;
        code that waits (a real sleep, a socket) waits on no CPU and is stopped at the limit
        as before."""
        if self.keeper is None:
            return False
        waited = self.note_the_wait()
        more = min(waited, self.excuse - self.start_excused) - self.excused
        if more < 0.01:
            return False
        self.excused += more
        self.deadline += more
        return True

    def note_the_wait(self) -> float:
        """The longest the run's code (or the kernel's threads serving it) has waited for a
        CPU since it started, the most seen so far (the code's processes may have ended when
        it is read again); 0.0 once the code's own processes use the CPU (below)."""
        if self.keeper is None:
            return self.waited
        # processes the code started that use the CPU are load the code makes itself, which
        # no wait can be told apart from: none is excused then (5 spinning forks moved a 2 s
        # limit to 4-6 s on the clock, said as "the machine was busy")
        if proctree.started_by_the_code(self.keeper)[1] >= STARTED_CPU_SAID:
            self.waited = 0.0
            return 0.0
        waited = proctree.kept_waiting(self.keeper) - self.waited_before
        # and the kernel's threads, which answer the code's requests (511 q4's reference asks
        # the portal for real: 3 of 10 "did not finish" at load 30)
        here = proctree.waits_here()
        waited = max([waited] + [w - self.kernel_waited.get(tid, 0.0) for tid, w in here.items()])
        self.waited = max(self.waited, waited)
        return self.waited

    def run_excused(self) -> float:
        """Of the run's time, what the check's excuse for the load takes off what it is
        charged: its wait for a CPU, within what is left of the excuse (spent here)."""
        excused = min(self.waited, self.excuse - self.start_excused)
        _spend_excuse(self.start_excused + max(0.0, excused))
        return max(0.0, excused)

    def receive(self) -> Any:
        """The child's next message (None: it closed its end), bounded like everything here:
        a process that sends half a message and stops (or a stray write to the socket) must
        not hold the kernel."""
        self.sock.settimeout(max(0.001, self.deadline - time.monotonic()))
        try:
            return _recv(self.sock, from_child=True)
        except TimeoutError:
            raise self.time_up() from None
        except TooLarge:
            raise LearnerExit(
                "TooLarge",
                Msg(
                    "your code handed the judge more than {mb} MB at once (a value it returned "
                    "or sent to the lab): return the few values the exercise asks for",
                    mb=MESSAGE_LIMIT // 2**20,
                ),
            ) from None
        except pickle.UnpicklingError as exc:
            raise LearnerExit("NotPlain", _not_plain(str(exc))) from None

    def show(self, fd: int) -> bool:
        """Show what the child printed on ``fd``; False once that stream has ended."""
        data = os.read(fd, 65536)
        if not data:
            del self.streams[fd]
            return False
        self.output.show(self.streams[fd], data)
        return True

    def learner_ended(self) -> Outcome:
        """The learner's process has ended (its keeper reaped it): what it sent is all in the
        socket, even if a process it started holds the socket; its answer, or why none."""
        status = proctree.learner_status(self.status_r, 0)
        while select.select([self.sock], [], [], 0)[0]:
            message = self.receive()
            if message is None:
                break
            if message[0] == "done":
                _drain(self.streams, self.output)
                return _finish(*message[1:])
        _drain(self.streams, self.output)
        raise _ended(status, self.total)

    def on_message(self, message: Any) -> Outcome | None:
        """The run's outcome when ``message`` ends it; else None, the message answered."""
        if message is None:
            _drain(self.streams, self.output)
            left_now = self.deadline - time.monotonic()
            raise _ended(proctree.learner_status(self.status_r, left_now), self.total)
        if message[0] == "started":  # the learner's time starts now, all of it
            now = time.monotonic()
            if self.grace:
                # a start within the check's grace is not the learner's time; past it, it is
                took = now - self.created
                _give_back_startup(max(0.0, self.granted - took))
                over = max(0.0, took - self.granted)
                if over and self.keeper is not None:
                    # past the grace, the time the start waited for a CPU is the machine's
                    waited = proctree.kept_waiting(self.keeper)
                    self.start_excused = min(over, waited, self.excuse)
                    over -= self.start_excused
                _charge(over)
                self.deadline = now + self.left - over
            else:
                self.deadline = min(self.deadline, now + self.left)
            self.started.append(time.monotonic())
            if self.keeper is not None:
                self.waited_before = proctree.kept_waiting(self.keeper)
            return None
        if message[0] == "done":
            self.note_the_wait()
            _drain(self.streams, self.output)
            return _finish(*message[1:])
        if message[0] == "overslept":
            _drain(self.streams, self.output)
            raise Overslept(overslept(message[1], message[3], message[2]))
        self.reply(message)
        return None

    def reply(self, message: tuple[Any, ...]) -> None:
        """Answer one use of the lab (``_answer``); the lab's own error goes back to the
        child, to be raised there.

        In virtual time the answer's real time is the judge's, not the learner's: the call
        took what the clock says it took, and the real request waits for the gateway however
        busy the machine is. Counted, 504 q5's client with ~40 real 504s was told "did not
        finish" once in 10 checks under two busy loops, and its own message the other 9.
        So the deadline moves on by it (by the limit at most, so a check still
        ends), and the budget is not charged for it."""
        begun = time.monotonic()
        try:
            self._reply(message)
        finally:
            if self.clock is not None and message[0] != "next":  # forgiven in _next_call
                self._forgive(message[0], time.monotonic() - begun)

    def _forgive(self, op: str, spent: float) -> None:
        """Move the deadline on by the real time the kernel spent answering one message.

        A call to the lab (a request) is forgiven whole, up to CALL_FORGIVEN: a judge in
        virtual time bounds how many there are (Clock.max_calls) and how long each really
        waits (its planned timeout), so that is the most a check can take, and the machine's
        load decides nothing. Capped at the time limit in all, as every answer was, a loaded
        host still charged the learner for the judge's requests once they had taken that
        long (504 q5's reference solution, ~20 real requests in three runs). The
        other uses of the lab (an attribute, a len) are not bounded in number: forgiven up to
        the time limit in all, so a loop of them still ends."""
        if op == "call" and self.clock is not None and self.clock.max_calls:
            forgiven = min(spent, CALL_FORGIVEN)
        else:
            forgiven = min(spent, max(0.0, self.total - self.forgiven_uses))
            self.forgiven_uses += forgiven
        self.served[0] += forgiven
        self.deadline += forgiven

    def _reply(self, message: tuple[Any, ...]) -> None:
        clock = self.clock
        if message[0] == "unsendable":
            raise _unsendable(message, self.handles)
        if message[0] == "new lab":
            raise LearnerExit("LabStarted", NEW_LAB)
        if message[0] == "call" and clock is not None:
            self.calls += 1
            if clock.max_calls and self.calls > clock.max_calls:
                raise LearnerExit("TooManyRequests", clock.too_many)
        cut = False
        if message[0] == "call" and clock is None:  # in virtual time the judge sets them
            bounded = _within(message, self.handles, self.deadline)
            cut, message = bounded is not message and bounded[3] != message[3], bounded
        if message[0] == "next":
            reply: tuple[Any, ...] = ("value", self._next_call(message), 0.0)
        else:
            try:
                reply = _answer(message, self.handles, clock, self.view)
            except LearnerExit:
                raise
            except BaseException as exc:
                reply = ("raise", _portable(exc), 0.0)
        if cut and time.monotonic() >= self.deadline:
            # its patience was cut to the limit and ran out: the run's time is up, whatever
            # the load may excuse after (it returned the cut request's None)
            raise self.time_up()
        self.sock.settimeout(max(0.001, self.deadline - time.monotonic()))
        try:
            _send(self.sock, reply)
        except TimeoutError:  # a process that asks and never reads its answer
            raise self.time_up() from None
        except OSError:  # it has ended meanwhile: its keeper is about to say how
            pass

    def _next_call(self, message: tuple[Any, ...]) -> bool:
        """Whether the paced run's next call is to be made (``run``'s ``before``), the lab
        set for it; the judge's time it took moves the deadline on. Only the calls in
        order: the socket is the learner's process's, and a message its code wrote there
        itself must not move the judge's plan on."""
        index, previous = message[1], message[2]
        if self.before is None or index != self.asked:
            raise LearnerExit("NotPlain", _not_plain("next"))
        if index:
            self.paced.append(previous)
        self.asked += 1
        begun = time.monotonic()
        view = self.before(index, list(self.paced))
        spent = time.monotonic() - begun
        self.served[0] += spent
        self.deadline += spent
        if view is None:
            return False
        self.view = view
        return True


def _not_plain(what: str) -> Msg:
    return Msg(
        "your code gave the lab an object of its own ({what}): between your code "
        "and the lab only plain values travel (str, int, float, bytes, lists, "
        "dicts, datetimes)",
        what=what,
    )


def _unsendable(message: tuple[Any, ...], handles: list[Any]) -> LearnerExit:
    """What a use of the lab the child could not even send means (``_Child.ask``): a method
    of the lab's replaced (lab.get = lambda ...: 200), or an object of the learner's own."""
    _, op, handle, name, what = message
    target = handles[handle] if isinstance(handle, int) and 0 <= handle < len(handles) else None
    if op == "set" and isinstance(name, str) and inspect.isroutine(getattr(target, name, None)):
        return LearnerExit(
            "LabMethod",
            Msg(
                "your code replaced {name}, a method of the lab's. The lab belongs to the "
                "notebook: call its methods and set its switches, do not replace them",
                name=name,
            ),
        )
    return LearnerExit("NotPlain", _not_plain(str(what)))


def _answer(
    message: tuple[Any, ...],
    handles: list[Any],
    clock: Clock | None,
    view: View = (),
) -> tuple[Any, ...]:
    """The kernel's reply to one use of the lab by the learner's process (``_RemoteLab``):
    the value, or a handle to it when it cannot travel, and the virtual seconds it took."""
    op, handle, *rest = message
    if op == "get":
        for seen in view:
            if rest[0] == seen.name and seen.target in (None, handles[handle]):
                if seen.refused is not None:
                    raise LearnerExit("Hidden", seen.refused)
                return ("value", seen.value, 0.0)
    act = _OPERATIONS.get(op)
    if act is None:
        raise ValueError(f"unknown request {op!r} from the learner's process")
    value, advance = act(handles[handle], rest, clock)
    if _copyable(value):
        return ("value", value, advance)
    handles.append(value)
    return ("ref", len(handles) - 1, advance)


# an operation: (the object used, what came with the request, the judge's clock) -> (value,
# virtual seconds it took)
_Operation = Callable[[Any, list[Any], Clock | None], tuple[Any, float]]


def _get(target: Any, rest: list[Any], clock: Clock | None) -> tuple[Any, float]:
    """An attribute read: not a private part, not a method that would stop the lab."""
    problem = _refused(rest[0])
    if problem:
        raise LearnerExit("LabStopped" if rest[0] in _REFUSED else "PrivatePart", problem)
    return getattr(target, rest[0]), 0.0


def _set(target: Any, rest: list[Any], clock: Clock | None) -> tuple[Any, float]:
    """An attribute written (a switch): never a private part or one of the lab's methods."""
    if rest[0].startswith("_"):
        raise LearnerExit("PrivatePart", _refused(rest[0]) or "")  # always a Msg here
    if inspect.isroutine(getattr(target, rest[0], None)):
        raise LearnerExit(
            "LabMethod",
            Msg(
                "your code replaced {name}, a method of the lab's. The lab belongs to the "
                "notebook: call its methods and set its switches, do not replace them",
                name=rest[0],
            ),
        )
    setattr(target, rest[0], rest[1])
    _note_change(rest[0])
    return None, 0.0


def _call(target: Any, rest: list[Any], clock: Clock | None) -> tuple[Any, float]:
    """A call, in virtual time when the judge keeps a clock: its ``on_call`` says how many
    seconds the call takes (and may change its keyword arguments), ``after_call`` sees the
    value."""
    args, kwargs, now = rest[0], rest[1], rest[-1]
    name = getattr(target, "__name__", "")
    if name in CHANGING:
        _note_change(f"{name}()")
    advance = 0.0
    if clock is not None and clock.on_call is not None:
        planned = clock.on_call(now, name, args, kwargs)
        if isinstance(planned, tuple):  # (virtual seconds, keyword arguments to change)
            planned, changed = planned
            kwargs = {**kwargs, **changed}
        advance = planned or 0.0
    value = target(*args, **kwargs)
    if clock is not None and clock.after_call is not None:
        seen = clock.after_call(name, value)
        if seen is not None:  # what the learner's code is to see instead (virtual dates)
            value = seen
    return value, advance


def _no_time(use: Callable[[Any, list[Any]], Any]) -> _Operation:
    """An operation that takes no virtual time and needs no clock (an item, len, repr...)."""
    return lambda target, rest, clock: (use(target, rest), 0.0)


# each use of the lab the learner's process forwards (``_RemoteLab``), by its name there
_OPERATIONS: dict[str, _Operation] = {
    "get": _get,
    "set": _set,
    "call": _call,
    "item": _no_time(lambda target, rest: target[rest[0]]),
    "len": _no_time(lambda target, rest: len(target)),
    "contains": _no_time(lambda target, rest: rest[0] in target),
    "bool": _no_time(lambda target, rest: bool(target)),
    "repr": _no_time(lambda target, rest: repr(target)),
}


def _within(message: tuple[Any, ...], handles: list[Any], deadline: float) -> tuple[Any, ...]:
    """A request the kernel sends for the learner's process waits no longer than the run
    may last: it runs here, where the time limit cannot stop it. A learner's GET of
    /slow?delay=20 straight to the origin (timeout=60), or of /busy with the origin held,
    kept check() 20 s and 30 s past a time limit of 1 s, to say "stopped after 1 s". A
    patience the learner gave that fits is kept; a wrong one is left for the lab to refuse."""
    from labkit.lab import CLIENT_TIMEOUT, Lab

    op, handle, args, kwargs, *rest = message
    target = handles[handle]
    # the lab's calls that wait for an answer, and their patiences when none is given
    patiences = {
        "get": {"timeout": CLIENT_TIMEOUT},
        "request": {"timeout": CLIENT_TIMEOUT},
        "raw": {"timeout": 1.0, "wait": CLIENT_TIMEOUT},
    }.get(getattr(target, "__name__", ""))
    if patiences is None or not isinstance(getattr(target, "__self__", None), Lab):
        return message
    if not isinstance(kwargs, dict):
        return message
    left = max(0.01, deadline - time.monotonic())
    bounded = dict(kwargs)
    for name, default in patiences.items():
        given = kwargs.get(name, default)
        if isinstance(given, (int, float)) and not isinstance(given, bool) and given > left:
            bounded[name] = left
    return (op, handle, args, bounded, *rest)


def _portable(exc: BaseException) -> BaseException:
    """The exception itself if it survives pickling, else a RuntimeError that says it."""
    try:
        copy = pickle.loads(pickle.dumps(exc))
        if isinstance(copy, BaseException):
            copy.__traceback__ = None
            return copy
    except Exception:
        pass
    return RuntimeError(f"{type(exc).__name__}: {exc}")


def _finish(message: tuple[Any, ...], elapsed: float, notes: Any = ()) -> Outcome:
    if message[0] == "value":
        kept = (
            frozenset(n for n in notes if n in (IDENTITY, SEEDED))
            if isinstance(notes, list)
            else frozenset()
        )
        return Outcome(message[1], elapsed, kept)
    if message[0] == "exit":
        code = message[1] if isinstance(message[1], str) else ""
        raise LearnerExit(
            "SystemExit",
            Msg("your code called {call}", call=f"sys.exit({code})")
            if code
            else Msg("your code called sys.exit()"),
        )
    if message[0] == "memory":
        raise LearnerExit("MemoryLimit", too_much_memory())
    # a run ``each`` adds which call raised
    if message[0] == "threads":
        _, stack, trace, *at = message
        raise LearnerError("RuntimeError", too_many_threads(int(stack)), str(trace), *at)
    _, type_name, text, trace, *at = message
    if type_name == "EOFError" and text == str(NO_INPUT):
        text = NO_INPUT  # labkit's own words, not the learner's: in the learner's language
    raise LearnerError(type_name, text, trace, *at)


def _ended(status: int | None, total: float) -> BaseException:
    """What the learner's process ending without its answer means, from its wait status
    (None: it closed its end of the socket and ran on until its time was up)."""
    if status is None:
        return TimeLimit(STOPPED.bind(seconds=f"{total:g}"))
    if status == proctree.GONE:
        return LearnerExit(
            "Killed",
            Msg(
                "your code's process was ended with the process that watches it (its "
                "parent): your code must not stop processes it did not start"
            ),
        )
    if os.WIFSTOPPED(status):  # the keeper reports a stop too: it never goes on by itself
        sig = os.WSTOPSIG(status)
        name = signal.Signals(sig).name if sig in signal.Signals.__members__.values() else sig
        return LearnerExit(
            "Stopped",
            Msg(
                "your code's process was stopped by the signal {name}: a stopped process "
                "never goes on by itself, so the judge ended it",
                name=str(name),
            ),
        )
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        name = signal.Signals(sig).name if sig in signal.Signals.__members__.values() else sig
        return LearnerExit(
            "Killed", Msg("your code's process was ended by the signal {name}", name=str(name))
        )
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else status
    if code == OUT_OF_MEMORY:
        return LearnerExit("MemoryLimit", too_much_memory())
    if code in (BROKEN, REPORTED):
        return LearnerExit(
            "Broken",
            Msg(
                "your code's process could not report back to the judge: your code closed or "
                "broke what connects the two (its files, sockets or sys.stdout)"
            ),
        )
    return LearnerExit(
        "Exit",
        Msg(
            "your code ended its own process ({call}) before it returned", call=f"os._exit({code})"
        ),
    )


OUTPUT_LIMIT = 100_000  # bytes of a call's output shown; more floods the notebook


class _Output:
    """What a call's output may still show: the first OUTPUT_LIMIT bytes of it, then one
    line saying the rest was cut (it is read all the same, so the child never blocks)."""

    def __init__(self) -> None:
        self.left = OUTPUT_LIMIT

    def show(self, stream: Any, data: bytes) -> None:
        if self.left <= 0:
            return
        shown, self.left = data[: self.left], self.left - len(data)
        text = shown.decode("utf-8", "replace")
        if self.left <= 0:
            cut = Msg(
                "[labkit: your code printed more than {kb} kB; the rest is not shown]",
                kb=OUTPUT_LIMIT // 1000,
            )
            text += f"\n{cut.render(learner_language())}\n"
        with contextlib.suppress(Exception):
            stream.write(text)
            stream.flush()


_checking: list[_Output] = []  # the output allowance of each check running now, newest last


def _output_now() -> _Output:
    """What a call may still print: its check's allowance. The judge's thread has it in its
    budget; the origin runs a learner's handler (500 q5) in threads of its own, where a
    check's 7 requests each had a new allowance of OUTPUT_LIMIT (700 kB of one check's
    print() shown), so a call outside any budget shares the newest check's. A call while no
    check runs (a handler the learner installed and requests by hand) has its own."""
    output = getattr(_budget, "output", None)
    if output is None and _checking:
        output = _checking[-1]
    return output if output is not None else _Output()


# How long a pipe may stay quiet before what the child printed counts as all read: its
# process flushed its output before it said "done", or it is dead. A process it started that
# lives on holds the pipe open without writing: the drain waited for the pipe's end, 0.5 s a
# call, and 500 q5 with a handler that forked (7 calls, 2 drains each) took 9.7 s of a 5 s
# limit.
QUIET = 0.05


def _drain(streams: dict[int, Any], output: _Output) -> None:
    """What the child printed last (it is done or dead, so the pipes end soon).

    A pipe wait, not a wait on the lab: both pipes are read together (select) until each has
    ended or both have been quiet for QUIET, within half a second in all. One after the
    other, each call waited QUIET twice (0.1 s) for a grandchild that holds both pipes.
    """
    end = time.monotonic() + 0.5
    open_fds = dict(streams)
    while open_fds and (left := end - time.monotonic()) > 0:
        ready = select.select(list(open_fds), [], [], min(left, QUIET))[0]
        if not ready:
            break  # nothing more: quiet for QUIET, or the time left is up
        for fd in ready:
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b""
            if not data:
                del open_fds[fd]
                continue
            output.show(open_fds[fd], data)
