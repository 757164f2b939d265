"""The learner's processes, kept together and ended whole.

Learner code may start processes of its own (``os.fork``, ``subprocess``,
``multiprocessing``), and one that calls ``os.setsid()`` or forks twice leaves any process
group a runner could kill: it ran on after the check had returned. So the runner does not
fork the learner's process itself: it forks a *keeper*, which forks the learner's process
and does nothing else (it runs no learner code, so nothing the learner writes ends it).

On Linux the keeper is a child subreaper (``prctl(PR_SET_CHILD_SUBREAPER)``): an orphan
anywhere below it becomes its child instead of init's, so the whole tree stays below the
keeper, whatever it forks or however it detaches. ``end`` finds every descendant of the
keeper in /proc, kills each, and waits (briefly) until the keeper has reaped them, so no
process and no zombie is left; it never touches a process that is not a descendant. The
keeper and the learner's process also die with their parent (``PR_SET_PDEATHSIG``), so a
kernel that dies leaves neither behind.

Learner code can kill its keeper, leaving its tree without a subreaper. So while a tree
lives, the kernel is a child subreaper too (``adopting``): an orphan of a keeper that died
becomes the kernel's child, not init's. The keeper marks its tree in a way no unprivileged
process can undo: it lowers its hard limit of POSIX message-queue bytes (RLIMIT_MSGQUEUE) by
one byte, and a hard limit can be lowered, never raised again. The limit is only a mark:
nothing in labkit queues messages, and a learner's process may queue one byte less (of
819,200 by default). It is no mark where the kernel's hard limit is 0 (nothing to lower; then
only the runner's descriptors and process groups find an orphan), for a process with
CAP_SYS_RESOURCE (root may raise it again), and a process of the kernel's that lowered its
own limit looks marked (docs/instructor.md says so for instructors). ``end`` kills and reaps the
kernel's children that carry the mark (never another child of the kernel's: a
``subprocess.Popen`` of the learner's own cell keeps its child and its exit status; nor the
keeper of another tree alive beside it, ``started``).

Elsewhere (macOS, or Linux without /proc) there is no subreaper: ``end`` kills the keeper's
process group, which the learner's process is in, as the runner did before; a process that
leaves that group outlives the check there.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import resource
import select
import signal
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import NoReturn

__all__ = [
    "CONTAINED",
    "GONE",
    "adopted",
    "adopting",
    "descendants",
    "end",
    "forking",
    "keep",
    "kept_waiting",
    "learner_status",
    "marked",
    "reap_keepers",
    "started",
    "started_by_the_code",
    "waits_here",
]

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
PR_GET_CHILD_SUBREAPER = 37
END_WITHIN = 1.0  # seconds ``end`` spends at most on a tree that keeps forking
# seconds ``end`` waits at most for the killed keeper to exit, so that it is reaped before
# the check returns (milliseconds, usually: 45 ms at most in 30 checks on a loaded machine)
REAP_WITHIN = 0.25
# seconds the thread that reaps a keeper after its check returned spends at most ending what
# the keeper left (a tree that kept forking past END_WITHIN): no verdict waits for it
LATE_WITHIN = 10.0


def _find_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux") or not os.path.exists("/proc/self/stat"):
        return None
    try:
        prctl: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return prctl


_PRCTL = _find_prctl()  # looked up here, in the kernel: nothing is imported after a fork
CONTAINED = _PRCTL is not None  # the keeper can keep the learner's whole tree below it
_STATUS = struct.Struct("!i")
GONE = -1  # not a wait status: the keeper ended before it could report one
_EXIT = os._exit  # kept: learner code may replace os._exit

_MSGQUEUE: int | None = getattr(resource, "RLIMIT_MSGQUEUE", None)


def _hard_limit(pid: int = 0) -> int | None:
    """A process's hard limit of message-queue bytes (RLIM_INFINITY if it has none)."""
    if _MSGQUEUE is None:
        return None
    try:
        return resource.prlimit(pid, _MSGQUEUE)[1]
    except (OSError, ValueError):
        return None  # ended meanwhile, or not ours to read


def _below(limit: int, kernel: int) -> bool:
    if kernel == resource.RLIM_INFINITY:
        return limit != resource.RLIM_INFINITY
    return limit != resource.RLIM_INFINITY and limit < kernel


_KERNEL_LIMIT = _hard_limit() if _PRCTL is not None else None
# the keeper's hard limit: one byte below the kernel's (None: the kernel has none to lower)
_MARK: int | None = None
if _KERNEL_LIMIT is not None and _KERNEL_LIMIT != 0:
    _MARK = 2**62 if _KERNEL_LIMIT == resource.RLIM_INFINITY else _KERNEL_LIMIT - 1


def _mark_tree() -> None:
    """In the keeper: carry the mark, which every process forked below inherits."""
    if _MARK is not None and _MSGQUEUE is not None:
        soft = resource.getrlimit(_MSGQUEUE)[0]
        if soft == resource.RLIM_INFINITY or soft > _MARK:
            soft = _MARK
        resource.setrlimit(_MSGQUEUE, (soft, _MARK))


def _subreaper() -> bool:
    if _PRCTL is None:
        return False
    flag = ctypes.c_int(0)
    _PRCTL(PR_GET_CHILD_SUBREAPER, ctypes.byref(flag), 0, 0, 0)
    return bool(flag.value)


_adopters = 0  # trees alive now (checks run from several threads share the flag)
_adopt_lock = threading.Lock()
_was_subreaper = False


@contextlib.contextmanager
def adopting() -> Iterator[None]:
    """The kernel a child subreaper while a learner's tree lives (see the module's text):
    an orphan of a killed keeper becomes the kernel's child, for ``end`` to find. Set only
    for that time, and left set if it was set before."""
    if _PRCTL is None:
        yield
        return
    _adopt()
    try:
        yield
    finally:
        _stop_adopting()


def _adopt() -> None:
    """One more tree (or keeper still exiting) for which the kernel adopts orphans."""
    global _adopters, _was_subreaper
    if _PRCTL is None:
        return
    with _adopt_lock:
        if _adopters == 0:
            _was_subreaper = _subreaper()
            if not _was_subreaper:
                _PRCTL(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        _adopters += 1


def _stop_adopting() -> None:
    global _adopters
    if _PRCTL is None:
        return
    with _adopt_lock:
        _adopters -= 1
        if _adopters == 0 and not _was_subreaper:
            _PRCTL(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)


# Held while a runner makes the descriptors of its tree, forks the keeper and closes the
# child's ends in the kernel: a keeper another thread forked meanwhile would inherit them
# and be taken for this tree's by ``end``. ``started`` names the keeper before it is let go.
forking = threading.Lock()
_keepers: set[int] = set()  # keepers whose tree lives: never another tree's to end


def started(keeper: int) -> None:
    """Register a keeper just forked (with ``forking`` held): until its own ``end``, the
    ``end`` of an older tree leaves it and its tree alone, although it is a newer child of
    the kernel's that carries the mark (checks and the origin's handlers overlap)."""
    _keepers.add(keeper)


def keep(
    start_learner: Callable[[], NoReturn], keeper_only: Callable[[], None], status_fd: int
) -> NoReturn:
    """In the keeper (just forked by the kernel): fork the learner's process, which runs
    ``start_learner``; close what only it needs (``keeper_only``); write its wait status
    to ``status_fd`` when it ends; reap every orphan of its tree until the kernel kills
    the keeper. Never returns, never exits by itself (its orphans would leave the tree)."""
    parent = os.getppid()
    try:
        with contextlib.suppress(OSError):
            os.setpgid(0, 0)
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)  # only the kernel's SIGKILL ends the keeper
        if _PRCTL is not None:
            _PRCTL(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
            _PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            _mark_tree()
        if os.getppid() != parent:  # the kernel died before the line above
            os._exit(1)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})  # none lost between waits
        # The learner's process is forked from a thread of its own, which then reaps: a fork
        # copies only the thread that forks, so the learner's stack starts here and holds none
        # of the judge's frames (the kernel's stack at the keeper's fork: a function that
        # walked sys._getframe() up to the judge read the expected answer there). The thread
        # lives as long as the keeper: PR_SET_PDEATHSIG fires when the forking thread ends.
        reaper = threading.Thread(
            target=_fork_and_reap,
            args=(start_learner, keeper_only, status_fd),
            name=threading.current_thread().name,  # what the learner's code saw before
            daemon=True,
        )
        reaper.start()
    except BaseException:
        os._exit(1)
    while True:  # the keeper never exits by itself; its reaper thread never returns
        with contextlib.suppress(BaseException):
            reaper.join()


def _fork_and_reap(
    start_learner: Callable[[], NoReturn], keeper_only: Callable[[], None], status_fd: int
) -> NoReturn:
    """In the keeper's reaper thread: fork the learner's process, then reap (see keep)."""
    try:
        pid = os.fork()
    except BaseException:
        os._exit(1)
    if pid == 0:
        try:
            os.close(status_fd)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
            for signum in (signal.SIGTERM, signal.SIGHUP):
                signal.signal(signum, signal.SIG_DFL)
            if _PRCTL is not None:
                _PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
                os.setpgid(0, 0)  # a group of its own: os.kill(0, ...) cannot reach the keeper
        except BaseException:
            os._exit(1)
        start_learner()
        _EXIT(1)  # it never returns; if it did, its process must not become a keeper
    with contextlib.suppress(BaseException):
        keeper_only()
    _reap(pid, status_fd)


def _reap(learner: int, status_fd: int) -> NoReturn:
    """Reap every child of the keeper; write the learner's wait status when it ends, or when
    it is stopped (SIGSTOP, SIGTSTP): a stopped process never goes on by itself, and the
    kernel learns it at once instead of waiting for the time limit."""
    wait = getattr(signal, "sigtimedwait", None)
    while True:
        try:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG | os.WUNTRACED)
            except ChildProcessError:
                pid = 0
            if pid == learner:
                os.write(status_fd, _STATUS.pack(status))
            if pid:
                continue
            if wait is not None:
                wait({signal.SIGCHLD}, 1.0)
            else:
                time.sleep(0.05)
        except BaseException:  # the keeper never leaves this loop but by SIGKILL
            continue


def learner_status(status_fd: int, seconds: float) -> int | None:
    """The learner's process's wait status, once the keeper has reaped it (or seen it
    stopped: os.WIFSTOPPED): None if that does not happen within ``seconds``, GONE if the
    keeper ended first."""
    if not select.select([status_fd], [], [], max(0.0, seconds))[0]:
        return None
    data = b""
    with contextlib.suppress(OSError):
        data = os.read(status_fd, _STATUS.size)
    status: int = _STATUS.unpack(data)[0] if len(data) == _STATUS.size else GONE
    return status


def end(keeper: int, marks: frozenset[str] = frozenset()) -> None:
    """Kill the keeper's whole tree, then the keeper (in the kernel).

    The tree is gone when this returns, and so is the keeper, which runs no learner code:
    it is reaped here once it has exited (its exit, a copy of the kernel's memory torn down,
    takes milliseconds). One still exiting after REAP_WITHIN (a loaded host) is reaped by a
    thread of its own the moment it has exited (``_end_late``), rather than hold up
    the verdict. A keeper left as a zombie until the next check was a zombie child of the
    kernel's after one check in five (a background shell started from a thread, 4 of 20);
    one left to the next check after REAP_WITHIN still was, under load (and 3 checks in 10
    with no wait at all, as a keeper slower to exit than the wait). What the keeper leaves
    as it dies (a child it had not reaped yet) becomes the kernel's, and is ended and reaped
    here too; what is still there after END_WITHIN, and what a keeper reaped late leaves,
    after the check returned (``_end_late``).

    Learner code can kill its keeper (``os.kill(os.getppid(), 9)``): its tree then has no
    subreaper of its own, and its orphans are the kernel's (``adopting``): those that carry
    the tree's mark are killed and reaped. Also, ``marks`` name the pipes and the socket
    the runner gave the learner's process ("pipe:[1234]", as /proc/PID/fd shows them),
    which its forks inherit: every newer process that still holds one, and every process
    in the process group of one, is killed too (also when the keeper runs: a process forked
    as its parent was killed and reaped may be missing from the last look at the tree). A
    pipe's read end, which the kernel holds and a keeper forked meanwhile inherits, is no
    mark; nor is another live tree's keeper (``started``): calls may overlap."""
    if CONTAINED:
        _end_descendants(keeper)
        if marks:
            _end_marked(keeper, marks)
        _end_adopted(keeper)
    with contextlib.suppress(OSError):
        os.killpg(keeper, signal.SIGKILL)  # the keeper is not reaped yet: its id is its own
    with contextlib.suppress(OSError):
        os.kill(keeper, signal.SIGKILL)
    _keepers.discard(keeper)
    _exiting.add(keeper)
    _await_exit(keeper, REAP_WITHIN)
    reap_keepers()
    exiting = keeper in _exiting  # still exiting: reaped once it has exited, not waited for
    # what the keeper left as it died is the kernel's now: what is still there after
    # END_WITHIN (a tree that kept forking) is ended after the check returns
    if exiting or (CONTAINED and not _end_adopted(keeper)):
        _adopt()  # what the keeper leaves must go on becoming the kernel's (_end_late)
        threading.Thread(
            target=_end_late, args=(keeper, exiting), name="labkit-reaper", daemon=True
        ).start()


def _end_late(keeper: int, exiting: bool) -> None:
    """In a thread of its own, after the check returned: reap a killed keeper that was
    still ``exiting`` (SIGKILL ends it: the wait ends; ``reap_keepers`` of a later check may
    reap it first; either way it leaves ``_exiting``), then end what it left as it died,
    for up to LATE_WITHIN. The kernel stays a child subreaper until then (``end`` counted
    this keeper in ``adopting``). Before, a keeper reaped late left its orphans to nobody:
    a process forked after ``end``'s last look (a tree that keeps forking outruns
    END_WITHIN under load) went to init once the check's ``adopting`` had ended, and ran
    on."""
    try:
        if exiting:
            # not waitpid(keeper, 0): a later check's reap_keepers may reap it first, and
            # the kernel may then give its id to a new child (the next keeper), which a
            # blocking wait here would reap in its place. Only a holder of _reaping reaps a
            # keeper, and only while it is in _exiting: its id is still its own then.
            while not _reap_keeper(keeper):
                _await_exit(keeper, REAP_WITHIN)
        if CONTAINED:  # no verdict waits for this: a tree that outran END_WITHIN gets longer
            _end_adopted(keeper, LATE_WITHIN)
    finally:
        _stop_adopting()


_exiting: set[int] = set()  # keepers killed and not reaped yet
_reaping = threading.Lock()  # held to reap a keeper of _exiting (see _end_late)


def _reap_keeper(pid: int, block: bool = False) -> bool:
    """Reap the keeper ``pid`` if it has exited (waiting for it, with ``block``): True once
    it is reaped, by this call or an earlier one."""
    with _reaping:
        if pid not in _exiting:
            return True
        try:
            done, _ = os.waitpid(pid, 0 if block else os.WNOHANG)
        except (ChildProcessError, OSError):
            done = pid
        if done:
            _exiting.discard(pid)
        return bool(done)


def _await_exit(pid: int, seconds: float) -> None:
    """Return once the child ``pid`` has exited (not reaped: it can still be waited for),
    or after ``seconds``. A pidfd is readable when its process has exited (Linux 5.3);
    elsewhere the child's state is looked at again after a growing pause."""
    deadline = time.monotonic() + seconds
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        fd = -1  # no pidfd here (or reaped already: waitid says so below)
    if fd >= 0:
        try:
            select.select([fd], [], [], seconds)
        finally:
            os.close(fd)
        return
    pause = 0.0005
    while time.monotonic() < deadline:
        try:
            if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                return
        except ChildProcessError:
            return
        time.sleep(pause)
        pause = min(pause * 2, 0.01)


def reap_keepers(block: bool = False) -> None:
    """Reap the keepers that have exited (all of them, waiting, with ``block``)."""
    for pid in list(_exiting):
        _reap_keeper(pid, block)


atexit.register(reap_keepers, True)


def _end_descendants(root: int) -> None:
    """Kill every descendant of ``root`` until none is left, not even a zombie (``root``
    reaps them). A process killed while it forks may leave a child: the next look finds it."""
    _kill_until_gone(lambda: descendants(root))


def _end_marked(root: int, marks: frozenset[str]) -> None:
    """Kill every process newer than ``root`` that holds one of ``marks`` or shares a
    process group with one that does, until none is left (a process that forks meanwhile
    passes its marks on: the next look finds the child)."""
    _kill_until_gone(lambda: dict.fromkeys(marked(root, marks), "?"))


def _end_adopted(keeper: int, within: float | None = None) -> bool:
    """Kill and reap the processes of ``keeper``'s tree that the kernel adopted (their
    keeper was killed), until none is left (or ``within`` seconds, END_WITHIN by default,
    have passed); whether none is left."""
    return _kill_until_gone(lambda: adopted(keeper), within)


def adopted(keeper: int) -> dict[int, str]:
    """The kernel's children newer than ``keeper`` that carry the tree's mark (pid -> state
    letter), the keeper aside; those that have ended are reaped here and named "X" (nothing
    to kill, but look again: one that forked as it ended may have left a child that was
    not the kernel's yet at this look; a tree that forks and exits at every moment showed
    nothing but a zombie at one look, was taken for ended, and ran on)."""
    me = os.getpid()
    found: dict[int, str] = {}
    pids = _newer_pids(keeper)
    with forking:  # a keeper listed above is registered once its fork has returned
        others = set(_keepers)
    for pid in pids:
        stat = _stat(pid)
        if pid == keeper or pid in others or stat is None or stat[1] != me:
            continue
        limit = _hard_limit(pid)
        if _KERNEL_LIMIT is not None and (limit is None or not _below(limit, _KERNEL_LIMIT)):
            continue
        if stat[0] in "ZX":
            with contextlib.suppress(OSError):
                os.waitpid(pid, os.WNOHANG)
            found[pid] = "X"
            continue
        found[pid] = stat[0]
    return found


def _kill_until_gone(find: Callable[[], dict[int, str]], within: float | None = None) -> bool:
    """Kill what ``find`` names (pid -> state letter; zombies only wait to be reaped) and
    look again, with a growing pause, until it finds nothing or ``within`` seconds
    (END_WITHIN by default) have passed; whether it found nothing."""
    deadline = time.monotonic() + (END_WITHIN if within is None else within)
    pause = 0.0005
    while found := find():
        for pid, state in found.items():
            if state not in "ZX":
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
        if time.monotonic() > deadline:
            return False
        time.sleep(pause)
        pause = min(pause * 2, 0.01)
    return True


def marked(root: int, marks: frozenset[str]) -> set[int]:
    """The live processes newer than ``root``, this one aside, that hold a descriptor named
    in ``marks`` (/proc/PID/fd's link text), or are in the process group of one that does."""
    me, my_group = os.getpid(), os.getpgrp()
    groups: dict[int, int] = {}
    holders: set[int] = set()
    for pid in _newer_pids(root):
        if pid == me:
            continue
        stat = _stat(pid)
        if stat is None or stat[0] in "ZX":
            continue
        groups[pid] = stat[2]
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            with contextlib.suppress(OSError):
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
                if link in marks and (not link.startswith("pipe:") or _writes(pid, fd)):
                    holders.add(pid)
                    break
    # a group the learner's code made (its id a newer pid), never one it could only join
    theirs = {groups[pid] for pid in holders if groups[pid] > root} - {my_group}
    return holders | {pid for pid, group in groups.items() if group in theirs}


def _writes(pid: int, fd: str) -> bool:
    """Whether a process's descriptor is open for writing. A pipe's two ends have one
    inode: the kernel's read end, which every keeper forked while a tree lives inherits,
    must not make another tree look like this one's."""
    with open(f"/proc/{pid}/fdinfo/{fd}") as f:
        for line in f:
            if line.startswith("flags:"):
                return int(line.split()[1], 8) & os.O_ACCMODE != os.O_RDONLY
    return True


def _newer_pids(root: int) -> list[int]:
    try:
        pids = [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return []
    return [pid for pid in pids if pid > root] if _newest_pid() >= root else pids


def _stat(pid: int) -> tuple[str, int, int] | None:
    """A process's state letter, parent and process group, from /proc/PID/stat."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
        fields = data[data.rfind(b")") + 2 :].split()
        return fields[0].decode(), int(fields[1]), int(fields[2])
    except (OSError, IndexError, ValueError):
        return None  # it ended meanwhile


def descendants(root: int) -> dict[int, str]:
    """Every descendant of ``root`` (pid -> its state letter, "Z" for a zombie), from /proc.

    Only processes newer than ``root`` can be its descendants: while the kernel's newest pid
    is above ``root`` (pids have not wrapped round since), only those are read.
    """
    try:
        pids = [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return {}
    if _newest_pid() >= root:
        pids = [pid for pid in pids if pid > root]
    parents: dict[int, list[int]] = {}
    states: dict[int, str] = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                data = f.read()
            fields = data[data.rfind(b")") + 2 :].split()
            states[pid] = fields[0].decode()
            parents.setdefault(int(fields[1]), []).append(pid)
        except (OSError, IndexError, ValueError):
            continue  # it ended meanwhile
    found: dict[int, str] = {}
    todo = [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            if child not in found:
                found[child] = states[child]
                todo.append(child)
    return found


def _newest_pid() -> int:
    try:
        with open("/proc/loadavg", "rb") as f:
            return int(f.read().split()[-1])
    except (OSError, ValueError, IndexError):
        return -1


def schedstat(pid: int | str, tid: int | str) -> tuple[int, int] | None:
    """Of thread ``tid`` of process ``pid`` ("self": this process), the nanoseconds it has run
    on a CPU and those it has waited, ready to run, for one the machine gave to others (the
    first two fields of its schedstat: run_delay is the second); None once it has ended, or
    where /proc has no schedstat (macOS, a kernel without CONFIG_SCHED_INFO). The one reader
    of schedstat for the judges' excuse and the tests' bounds (tests/procguard.py)."""
    try:
        with open(f"/proc/{pid}/task/{tid}/schedstat", "rb") as f:
            ran, waited = f.read().split()[:2]
        return int(ran), int(waited)
    except (OSError, ValueError):  # ended meanwhile; or not the two numbers
        return None


def waits_here() -> dict[int, float]:
    """Of each thread of this process (the kernel, whose threads serve the lab), the seconds
    it has waited, ready to run, for a CPU (schedstat's run_delay): {} where /proc has none."""
    found: dict[int, float] = {}
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return found
    for tid in tasks:
        stat = schedstat("self", tid)
        if stat is not None:
            found[int(tid)] = stat[1] / 1e9
    return found


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def started_by_the_code(keeper: int) -> tuple[int, float]:
    """Of the processes the learner's code started (every descendant of ``keeper`` but the
    learner's process, its oldest child): how many are alive, and the CPU seconds they
    have used. Their CPU is the code's own load: (0, 0.0) where /proc has none."""
    tree = descendants(keeper)
    started: dict[int, tuple[int, float]] = {}
    for pid in tree:
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                data = f.read()
            fields = data[data.rfind(b")") + 2 :].split()
            # utime and stime (fields 14 and 15 of proc(5)), starttime (22)
            used = (int(fields[11]) + int(fields[12])) / _TICK
            started[pid] = (int(fields[19]), used)
        except (OSError, IndexError, ValueError):
            continue
    if not started:
        return 0, 0.0
    learner = min(started, key=lambda pid: (started[pid][0], pid))
    others = [pid for pid in started if pid != learner and tree[pid] not in "ZX"]
    return len(others), sum(used for pid, (_, used) in started.items() if pid != learner)


def kept_waiting(keeper: int) -> float:
    """The seconds the learner's code waited, ready to run, for a CPU the machine gave to
    others: of every thread below ``keeper``, the longest wait (its schedstat's run_delay).
    A time limit counts the machine's load with the learner's work; this is the load's part,
    which a busy machine makes long and an idle one nothing. 0.0 where /proc has no
    schedstat (macOS, a kernel without CONFIG_SCHED_INFO)."""
    longest = 0
    for pid in descendants(keeper):
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tasks:
            stat = schedstat(pid, tid)
            if stat is not None:
                longest = max(longest, stat[1])
    return longest / 1e9
