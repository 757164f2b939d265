"""Which ports a lab binds: a range outside the kernel's ephemeral ports, clear of services.

A Jupyter kernel picks its five ZMQ ports by binding port 0 and closing the socket; the
kernel binds them a moment later. A lab that also takes ephemeral ports (port 0) at that
moment can take one of them, and the kernel dies with "Address already in use"; on a hub
where a class starts at once this broke about one kernel start in ten. So a lab binds
ports from ``PORT_RANGE`` (below Linux's default ephemeral range, 32768-60999), skipping
the ports ``/etc/services`` and ``SERVICE_PORTS`` name, starting at a random place and
moving on when a port is taken (another lab's, another user's). When every one is taken (a
classmate can hold all 10,000), a lab takes ports the system chooses and says so
(``range_full``): a working lab and the race above, rather than no lab.

``LABKIT_PORTS=LOW-HIGH`` chooses another range (200 students x 20 ports need 4,000);
``LABKIT_PORTS=ephemeral`` gives the old behaviour. The kernel's own race is gone
entirely with the IPC transport (``--transport=ipc``, see docs/instructor.md).
"""

from __future__ import annotations

import errno
import functools
import os
import socket

from labkit import errors, i18n
from labkit.errors import BadArgument, LabkitError, refuse, say
from labkit.http import connections
from labkit.i18n import Msg

PORT_RANGE = (20000, 29999)
# well-known services in or near the range that /etc/services may not list
SERVICE_PORTS = frozenset({20000, 22222, 24007, 24008, 25565, 26257, 27017, 27018, 27019, 28017})
ENV = "LABKIT_PORTS"


class NoFreePort(LabkitError):
    """Every port of the configured range is taken."""


class OutOfFiles(LabkitError):
    """The process (or the system) has no file descriptor left for a listening socket."""


# what a bind that fails with these says: the port is someone else's (EACCES: a security
# module's port policy), so the next one may do; any other failure is the same for every
# port (no descriptor left, an address that is not this machine's) and is said at once
TAKEN = frozenset({errno.EADDRINUSE, errno.EACCES})


def configured(lang: str | None = None) -> tuple[int, int] | None:
    """The range from LABKIT_PORTS (None: ephemeral ports); a bad value is a BadArgument
    said in ``lang`` (a lab checks it in its own language before it starts anything;
    default: the learner's language)."""
    text = os.environ.get(ENV, "").strip()
    if not text:
        return PORT_RANGE
    if text.lower() == "ephemeral":
        return None
    low, sep, high = text.partition("-")
    if not (sep and low.strip().isdigit() and high.strip().isdigit()):
        raise refuse(
            Msg(
                "{variable} must be LOW-HIGH (for example 20000-29999) or 'ephemeral', not {given}",
                variable=ENV,
                given=repr(text),
            ),
            lang=lang,
        )
    lo, hi = int(low), int(high)
    if not 1024 <= lo <= hi <= 65535:
        raise refuse(
            Msg(
                "{variable} must lie within 1024-65535 with LOW <= HIGH, not {given}",
                variable=ENV,
                given=repr(text),
            ),
            lang=lang,
        )
    return lo, hi


def listed(port: int) -> bool:
    """Whether /etc/services names ``port`` (TCP or UDP: a service may use either), or
    ``SERVICE_PORTS`` does.

    A lab asks about the 21 ports it binds, so each is looked for in the file's bytes (a
    search in C, 6 µs) instead of parsing every line in Python once per process (0.3 ms): a
    classroom's kernels start one lab each, and a second lab in a process pays 0.13 ms."""
    if port in SERVICE_PORTS:
        return True
    data = _services()
    needle = b"%d/" % port
    at = data.find(needle)
    while at != -1:
        line = data[data.rfind(b"\n", 0, at) + 1 : at]
        # the port is a line's second field: one name before it, no comment
        if line[-1:] in (b" ", b"\t") and b"#" not in line and len(line.split()) == 1:
            return True
        at = data.find(needle, at + 1)
    return False


@functools.lru_cache(maxsize=1)
def _services() -> bytes:
    try:
        with open("/etc/services", "rb") as f:
            return f.read()
    except OSError:
        return b""


def bind(host: str, *, backlog: int | None = None, port: int = 0) -> socket.socket:
    """A TCP socket bound on ``host`` to a port of the configured range, listening when a
    ``backlog`` is given (at once: two labs can never both take a port); to ``port`` itself
    when one is given (``labkit board --port``)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # the line for running out of files (``_unusable``) is said in the learner's language,
    # whose catalogue needs a descriptor to be read: read it now, while one may be free
    i18n.catalogue(errors.language())
    if port:
        try:
            return _bound(family, host, port, backlog)
        except OSError as exc:
            if exc.errno not in TAKEN:
                raise _unusable(host, exc) from None
            raise LabkitError(
                say(
                    Msg(
                        "cannot listen on {host} port {port}: {why}. Choose another port, or "
                        "0 for any free one",
                        host=host,
                        port=port,
                        why=errors.os_reason(exc),
                    )
                )
            ) from None
    span = configured()
    if span is None:
        return _ephemeral(family, host, backlog, None)
    lo, hi = span
    size = hi - lo + 1
    start = int.from_bytes(os.urandom(4), "big") % size  # spread labs over the range
    for i in range(size):
        port = lo + (start + i) % size
        if listed(port):
            continue
        try:
            return _bound(family, host, port, backlog)
        except OSError as exc:
            if exc.errno not in TAKEN:
                raise _unusable(host, exc) from None
            continue  # taken: the next one
    # Every port of the range is taken: on a shared host, most likely by another user's
    # programs (one learner with a 20,000-file limit can hold all 10,000). The lab takes a
    # port the system chooses instead (``range_full``: the lab says so once it runs); only
    # when there is none either does it fail.
    return _ephemeral(family, host, backlog, (lo, hi))


def _ephemeral(
    family: int, host: str, backlog: int | None, span: tuple[int, int] | None
) -> socket.socket:
    try:
        return _bound(family, host, 0, backlog)
    except OSError as exc:
        if exc.errno not in TAKEN:
            raise _unusable(host, exc) from None
        fix = Msg(
            "another user of this machine may be holding them all. Stop the labs you no "
            "longer need (lab.stop()) and tell your instructor, who can see who holds the "
            "ports (`sudo ss -ltnp`) and limit how many each user may open (ulimit -n)"
        )
        if span is None:
            why = Msg("the system has no free port left to choose: {fix}", fix=fix)
        else:
            why = Msg(
                "every port of {variable}={low}-{high} is taken, and the system has no free "
                "port left to choose either: {fix}",
                variable=ENV,
                low=span[0],
                high=span[1],
                fix=fix,
            )
        raise NoFreePort(say(why)) from None


# what a system call that needed a descriptor fails with when there is none left (EMFILE:
# this process's limit, ENFILE: the system's)
OUT_OF_FILES = frozenset({errno.EMFILE, errno.ENFILE})


def out_of_files(exc: OSError) -> OutOfFiles:
    """The one line for a lab that could not get a descriptor (``exc``'s errno is in
    ``OUT_OF_FILES``): for a listener, and for what a lab opens before it listens (its
    loop, the owner check's socket, the registry), which said other things before: a
    traceback, "no NETLINK_SOCK_DIAG", an unsafe registry to remove."""
    return OutOfFiles(
        say(
            Msg(
                "a lab server cannot listen: {why} (its limit is {files} open files). "
                "Close connections, files or labs you no longer use (lab.stop()), or "
                "raise the limit (ulimit -n) and restart the kernel",
                why=errors.os_reason(exc),
                files=connections.file_limit(),
            )
        )
    )


def _unusable(host: str, exc: OSError) -> LabkitError:
    """Why no port at all can be bound on ``host``, when it is not that ports are taken.

    Before, every failed bind counted as a taken port: a process out of file descriptors
    (EMFILE, from socket() itself) or an address that is not this machine's (``labkit serve
    --host 8.8.8.8``: EADDRNOTAVAIL) tried all 10,000 ports and then said they were all
    taken by another user, which sent the learner to the instructor for nothing."""
    if exc.errno in OUT_OF_FILES:
        return out_of_files(exc)
    if exc.errno == errno.EADDRNOTAVAIL:
        return BadArgument(
            say(
                Msg(
                    "cannot listen on {host}: it is not an address of this machine. Use "
                    "127.0.0.1 (this machine only) or one of the addresses `ip -brief "
                    "address` lists",
                    host=host,
                )
            )
        )
    return LabkitError(
        say(Msg("cannot listen on {host}: {why}", host=host, why=errors.os_reason(exc)))
    )


def range_full(span: tuple[int, int]) -> Msg:
    """What a lab says when some of its ports lie outside ``span``, the range it was to
    use: every port there was taken when it started (``bind``)."""
    return Msg(
        "every port of {low}-{high} ({variable}) was taken when this lab started, most "
        "likely by another user's programs on this machine: the lab uses ports the system "
        "chose instead, which works, but a Jupyter kernel that starts at the same moment may "
        "take one of them and fail to start (restart it if so). Tell your instructor, who "
        "can see who holds the range (`sudo ss -ltnp`)",
        low=span[0],
        high=span[1],
        variable=ENV,
    )


def _bound(family: int, host: str, port: int, backlog: int | None) -> socket.socket:
    # proto IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say TCP, and
    # without it a response written in two parts waits for the peer's delayed ACK (~40 ms)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        if backlog is not None:  # a listener may reuse a port whose old connections linger
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        if backlog is not None:
            sock.listen(backlog)
    except BaseException:
        sock.close()
        raise
    return sock
