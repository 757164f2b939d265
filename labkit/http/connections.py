"""How many connections a process's servers keep open at once, and what happens past that.

Every open connection is a file descriptor, and a Jupyter kernel often may open only 1024
(the usual soft limit). A relayed request holds three of them in one process (the client's
connection to the gateway, the gateway's to the origin, and the origin's end of it), so a
loop that opens connections and never closes them -- a learner's, or another user's on a
shared host, whose connections are refused but still accepted first -- would use them all:
the learner's own next request then fails with "too many open files", and asyncio prints a
traceback for every connection it cannot accept (hundreds a second, into the notebook).

So the servers of every lab in the process share one budget, a third of the file limit
left after a reserve for the kernel and the learner's own clients (and a small one apart
for other users' connections, which only get their 403; one past it gets that 403 at once,
``turn_away``, not a reset that told them nothing), as nginx's
``worker_connections`` bounds a worker: a connection past it is closed at once, and the lab
says so in one line, at most every few seconds. (nginx 1.22.1 first closes its idle
keep-alive connections to make room, logging "worker_connections are not enough, reusing
connections", and closes the new one, "worker_connections are not enough", only when none
is idle: observed. The lab keeps its idle connections and closes the new one.) Whatever still runs out of files prints one line, never a
traceback (``quiet_accept_errors``).
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
import socket
import sys
import threading
import time
from typing import Any

from labkit import i18n
from labkit.errors import traceback_text
from labkit.i18n import Msg

RESERVE = 256  # descriptors left to the kernel, the learner's clients and files
PER_CONNECTION = 3  # descriptors a relayed request holds in one process (see above)
FLOOR = 64  # connections allowed whatever the limit says
CEILING = 10_000  # connections allowed when the limit is unlimited or huge
STRANGERS = 32  # other users' connections being refused at once (see peers.refuse)
DRAIN = 65536  # bytes read from a connection turned away, so that closing it is no reset
SAY_EVERY = 5.0  # seconds between two lines about the same trouble

FULL = Msg(
    "a connection was closed at once: this process's labs already hold {open} open "
    "connections, the most they keep (a third of what is left of its limit of {files} open "
    "files). Close connections you no longer use (a client per request, or `with` blocks)."
)
OUT_OF_FILES = Msg(
    "a lab server could not accept a connection: the process has run out of file "
    "descriptors (its limit is {files}); it tries again in a second. Close connections or "
    "files you no longer use."
)
# the owner check (peers.PeerCheck) needs a socket of its own, made at a listener's first
# connection: with no descriptor for it, that connection is closed at once and the listener
# goes on accepting (no pause: the next one may find a descriptor)
UNCHECKED = Msg(
    "a lab server closed a connection as soon as it came: the process has run out of file "
    "descriptors (its limit is {files}), none left to check which user made it. Close "
    "connections or files you no longer use."
)


def file_limit() -> int:
    """The process's soft limit on open files (``ulimit -n``)."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft if soft != resource.RLIM_INFINITY else CEILING * PER_CONNECTION + RESERVE


def allowed(files: int) -> int:
    """How many connections the servers may hold with ``files`` descriptors to spend."""
    return min(CEILING, max(FLOOR, (files - RESERVE) // PER_CONNECTION))


class Budget:
    """Connections open in this process's lab servers, against ``allowed(file_limit())``.

    Taken and given back from each lab's loop thread (a kernel may run several labs), hence
    the lock."""

    def __init__(self) -> None:
        self.files = file_limit()  # read again when a loop is prepared (see ``prepare``)
        self.limit = allowed(self.files)
        self.open = 0
        self.strangers = 0
        self.turned_away = 0
        self._lock = threading.Lock()
        self._said = -SAY_EVERY

    def take(self, stranger: bool = False) -> bool:
        """One more connection, if the budget has room (else say so, now and then);
        another user's (``stranger``) from its own small budget, quietly."""
        with self._lock:
            if stranger:
                if self.strangers < STRANGERS:
                    self.strangers += 1
                    return True
                return False
            if self.open < self.limit:
                self.open += 1
                return True
            self.turned_away += 1
        self._say(FULL, open=self.limit, files=self.files)
        return False

    def give(self, stranger: bool = False) -> None:
        with self._lock:
            if stranger:
                self.strangers -= 1
            else:
                self.open -= 1

    def _say(self, msg: Msg, **fields: Any) -> None:
        now = time.monotonic()
        if now - self._said < SAY_EVERY:
            return
        self._said = now
        line = msg.bind(**fields).render(i18n.learner_language())
        print(f"labkit: {line}", file=sys.stderr)

    def unchecked(self) -> None:
        """A connection was closed at once: no descriptor left for the owner check (one
        line, now and then: ``UNCHECKED``)."""
        self._say(UNCHECKED, files=file_limit())

    def out_of_files(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        """The loop's exception handler: asyncio could not accept for want of descriptors
        (one line, not its traceback per connection); anything else as asyncio says it,
        its traceback written into the message (``errors.traceback_text``): asyncio's own
        handler has the logging module format it, on the lab's thread, parsing each line
        (CPython gh-106905 in the learner's kernel, see there)."""
        error = context.get("exception")
        if isinstance(error, OSError) and "out of system resource" in context.get("message", ""):
            self._say(OUT_OF_FILES, files=file_limit())
            return
        if isinstance(error, BaseException):
            said = context.get("message") or "Unhandled exception in event loop"
            context = {**context, "exception": None, "message": f"{said}\n{traceback_text(error)}"}
        loop.default_exception_handler(context)


BUDGET = Budget()


def turn_away(conn: socket.socket, answer: bytes = b"") -> None:
    """Close an accepted, non-blocking ``conn`` that the budget has no room for, after
    writing ``answer`` at once (if any) without waiting for the request: another user's
    connection past STRANGERS gets the same one-line 403 as the first 32, not a reset.

    What already arrived is read first: a socket closed with unread bytes sends RST, not
    FIN, and the client may lose the answer. The answer fits the socket's send buffer, so
    writing it never waits, and the connection holds no descriptor once this returns."""
    if answer:
        with contextlib.suppress(OSError):  # BlockingIOError: nothing came yet
            conn.recv(DRAIN)
        with contextlib.suppress(OSError):  # the client is gone: nobody to tell
            conn.send(answer)
            conn.shutdown(socket.SHUT_WR)
    conn.close()


def prepare(loop: asyncio.AbstractEventLoop) -> None:
    """Before a loop serves: read the file limit now (a kernel may have raised it since
    labkit was imported) and have ``loop`` report running out of descriptors in one line."""
    with BUDGET._lock:
        BUDGET.files = file_limit()
        BUDGET.limit = allowed(BUDGET.files)
    loop.set_exception_handler(BUDGET.out_of_files)
