"""Who opened this connection? A lab answers only its own user (and users it names).

On a shared host (a classroom JupyterHub) every 127.0.0.1 port is reachable by every
user, so a lab checks the owner of the client's socket when it accepts a connection:
loopback peers of the lab's own uid pass, and so do users in an explicit allow-list
(``labkit.start(allow_users=["www-data"])``), so that a real nginx whose workers run as
another user can sit in front of a lab. Anyone else gets one line in a 403 and nothing
about the lab.

The owner comes from the kernel's socket diagnostics (NETLINK_SOCK_DIAG, the interface
``ss`` uses), asked for one socket by its exact 4-tuple: about 10 µs whatever the number
of sockets on the host, where scanning ``/proc/net/tcp`` costs milliseconds per
connection with thousands open.

What holds where the owner cannot be found:
- a lab that binds a non-loopback address: peers from other machines have no local
  owner, so the check is off and the start-up warning says so;
- systems without NETLINK_SOCK_DIAG (macOS, Windows, Linux without the inet_diag
  module): the check is off and ``labkit.start()`` warns once that any user of the
  machine can use the lab; the control server still requires its token;
- a client socket that no process holds any more (its sender closed it) has no owner: the
  connection is refused, which costs nothing since nobody is left to read the answer. The
  kernel soon turns such a socket into a "timewait" one (state FIN_WAIT2, then TIME_WAIT)
  that it reports as uid 0, so a lab run by root once served requests another user sent
  and closed at once; a socket without an inode (no process's file) is never taken for
  anyone's. The one exception is the lab's own client (``opened``): lab.request and
  lab.raw run in the lab's process, and a short client timeout on a loaded host closes
  their socket before the lab's loop accepts it; such a connection is the learner's.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import pwd
import socket
import struct
import threading
import time
from collections.abc import Iterable

from labkit.errors import refuse as bad_argument
from labkit.errors import say, shown
from labkit.http import ports
from labkit.http.headend import head_end
from labkit.i18n import Msg

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST = 0x1
NLMSG_ERROR = 0x2
TCP_TIME_WAIT = 6
ALL_TCP_STATES = 0xFFF
NO_COOKIE = 0xFFFFFFFF
_HEADER = struct.Struct("=IHHII")  # struct nlmsghdr
# struct inet_diag_req_v2: family, protocol, ext, pad, states; then inet_diag_sockid: the
# ports (network order), the addresses (16 bytes each), the interface and a cookie (any)
_REQUEST = struct.Struct("=BBBBI")
_PORTS = struct.Struct("!HH")
_UID = struct.Struct("=I")
_COOKIE = struct.pack("=III", 0, NO_COOKIE, NO_COOKIE)
_V4_MAPPED = bytes(10) + b"\xff\xff"  # ::ffff:0:0/96, an IPv4 address on an IPv6 socket
_UID_OFFSET = _HEADER.size + 4 + 48 + 12  # inet_diag_msg: 4 bytes, id, expires/rqueue/wqueue
_INODE_OFFSET = _UID_OFFSET + 4  # then the uid, then the inode (0: no process holds it)

REFUSAL_TEXT = (
    "403 Forbidden: this lab belongs to another user of this machine; only its owner can use it.\n"
)
OWN_CLIENT_SECONDS = 30.0  # how long a connection this process opened may wait to be accepted
TCP_ESTABLISHED, TCP_CLOSE_WAIT = 1, 8
_HEAD_WAIT = 0.5  # seconds to read the refused request's head, so the 403 is not lost to a reset


def refusal() -> bytes:
    body = REFUSAL_TEXT.encode()
    return (
        b"HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Cache-Control: no-store\r\nConnection: close\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SockDiag:
    """One NETLINK_SOCK_DIAG socket; asks the kernel who owns one TCP socket."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, NETLINK_SOCK_DIAG)
        self._sock.settimeout(1.0)
        self._seq = 0
        self._lock = threading.Lock()  # one request in flight per socket

    def close(self) -> None:
        self._sock.close()

    def owner(self, local: tuple[str, int], remote: tuple[str, int]) -> int | None:
        """The uid of the socket bound to ``local`` and connected to ``remote``; None when
        there is no such (live) socket.

        Addresses are packed with inet_pton, not read through ipaddress objects: this runs
        for every connection a lab accepts, and ipaddress's parsing in Python was most of it
        (a fresh process's first check 0.11 ms before, 0.05 ms now; later ones 22 and 9 µs)."""
        family, src = _packed(local[0])
        remote_family, dst = _packed(remote[0])
        mapped_dst = _V4_MAPPED + dst if remote_family == socket.AF_INET else dst
        if family == socket.AF_INET:
            uid = self._ask(socket.AF_INET, src, local[1], dst, remote[1])
            if uid is not None:
                return uid
            # a dual-stack client socket connected to ::ffff:127.0.0.1
            return self._ask(socket.AF_INET6, _V4_MAPPED + src, local[1], mapped_dst, remote[1])
        return self._ask(socket.AF_INET6, src, local[1], mapped_dst, remote[1])

    def _ask(self, family: int, src: bytes, sport: int, dst: bytes, dport: int) -> int | None:
        req = (
            _REQUEST.pack(family, socket.IPPROTO_TCP, 0, 0, ALL_TCP_STATES)
            + _PORTS.pack(sport, dport)
            + src.ljust(16, b"\0")
            + dst.ljust(16, b"\0")
            + _COOKIE
        )
        with self._lock:
            self._seq += 1
            head = _HEADER.pack(
                _HEADER.size + len(req), SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST, self._seq, 0
            )
            self._sock.send(head + req)
            while True:
                data = self._sock.recv(8192)
                _length, kind, _flags, seq, _pid = _HEADER.unpack_from(data)
                if seq == self._seq:
                    break
        if kind != SOCK_DIAG_BY_FAMILY or len(data) < _INODE_OFFSET + 4:
            return None  # NLMSG_ERROR: no such socket
        if data[_HEADER.size + 1] == TCP_TIME_WAIT or not _UID.unpack_from(data, _INODE_OFFSET)[0]:
            # closed by its sender: a timewait socket (FIN_WAIT2 or TIME_WAIT) keeps no owner
            # (the kernel reports 0, root), an orphan keeps one nobody is left to speak for
            return None
        uid: int = _UID.unpack_from(data, _UID_OFFSET)[0]
        return uid


def listener_owner(host: str, port: int, diag: SockDiag | None = None) -> int | None:
    """The uid of the socket listening on ``host``:``port`` (one bound to the wildcard address
    too); None when nothing listens there, or the system cannot tell (no NETLINK_SOCK_DIAG).

    A terminal command asks before it trusts a port a lab record or the shell names: a lab
    that stopped leaves its port to anyone, and a classmate listening there would be sent
    the control token or taken for the learner's lab. The kernel's lookup for a connection
    to that port with no connection established finds its listener. ``diag``: a socket the
    caller asks several ports on (a whole lab registry), else one of its own."""
    own = diag is None
    try:
        asker = SockDiag() if diag is None else diag
    except (OSError, AttributeError):
        return None
    try:
        return asker.owner((host, port), ("0.0.0.0" if ":" not in host else "::", 0))
    except OSError:
        return None
    finally:
        if own:
            asker.close()


def _packed(host: str) -> tuple[int, bytes]:
    """An address as the kernel holds it, and its family (a scope, ``%lo``, left off)."""
    if ":" in host:
        return socket.AF_INET6, socket.inet_pton(socket.AF_INET6, host.partition("%")[0])
    return socket.AF_INET, socket.inet_pton(socket.AF_INET, host)


def _available() -> bool:
    """Whether the kernel tells the owner of a loopback connection, asked on one of ours.

    A process with no descriptor left cannot ask: that is ports.OutOfFiles, not False.
    False was cached for the process, so every later lab in it (the learner closed what
    ran the kernel out, then started one) let any user of the machine in, and the first
    one's warning blamed the system ("no NETLINK_SOCK_DIAG")."""
    try:
        probe = SockDiag()
    except AttributeError:  # no AF_NETLINK on this system
        return False
    except OSError as exc:
        _raise_if_out_of_files(exc)
        return False
    try:
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(1)
            with socket.socket() as client:  # not create_connection: its getaddrinfo loads idna
                client.settimeout(1)
                client.connect(listener.getsockname())
                return probe.owner(client.getsockname(), client.getpeername()) == os.geteuid()
    except OSError as exc:
        _raise_if_out_of_files(exc)
        return False
    finally:
        probe.close()


def _raise_if_out_of_files(exc: OSError) -> None:
    if exc.errno in ports.OUT_OF_FILES:
        raise ports.out_of_files(exc) from None


_AVAILABLE: bool | None = None


def available() -> bool:
    """Whether this system can tell who owns a loopback connection (checked once)."""
    global _AVAILABLE
    if _AVAILABLE is None:
        _AVAILABLE = _available()
    return _AVAILABLE


def uids_of(
    users: Iterable[str | int], lang: str | None = None, *, named: str = "allow_users"
) -> frozenset[int]:
    """The uids of an allow-list of user names (or uids); an unknown name is a BadArgument,
    said in ``lang`` (default: the learner's language) and naming the list as the asker gave
    it (``named``: `labkit serve` gives ``--allow-user``, not the Python parameter)."""
    if isinstance(users, (str, int)):
        users = [users]
    uids = set()
    for user in users:
        if isinstance(user, bool) or not isinstance(user, (str, int)):
            raise bad_argument(
                Msg(
                    "allow_users takes user names such as 'www-data', not {given}",
                    given=shown(user),
                ),
                lang=lang,
            )
        if isinstance(user, int):
            uids.add(user)
            continue
        try:
            uids.add(pwd.getpwnam(user).pw_uid)
        except KeyError:
            raise bad_argument(
                Msg(
                    "{named}: there is no user {user} on this machine (see /etc/passwd)",
                    named=named,
                    user=shown(user),
                ),
                lang=lang,
            ) from None
    return frozenset(uids)


Address = tuple[str, int]
_opened: dict[tuple[Address, Address], float] = {}  # (client's address, server's): expiry
# the listeners in this process whose owner check claims what ``opened`` notes (``checks``)
_checking: set[Address] = set()
_opened_lock = threading.Lock()


def _address(name: tuple[str, int] | tuple[str, int, int, int]) -> Address:
    host = name[0]
    return (host[7:] if host.startswith("::ffff:") else host), name[1]


def opened(sock: socket.socket) -> None:
    """Note a connection the lab's own client (in this process) has just opened.

    Its sender may close it before the lab's loop accepts it (a client timeout of tenths of a
    second, the loop held longer on a loaded host); the kernel then keeps no owner for the
    client's socket, and the connection would be taken for a stranger's and never recorded.
    Noted after connect() returned, so the connection already waits in the listener's queue,
    and the server's half there holds the 4-tuple until accepted: no other socket can have
    it meanwhile (``PeerCheck.owner_of_socket`` checks that this half still holds it).

    Only a connection to a listener of this process that checks owners (``checks``) is
    noted: no other claims it. A lab on a non-loopback address, or where the system cannot
    tell owners, noted every connection its client opened, each kept 30 s once 64 were
    noted (a loop of ``lab.raw`` kept thousands, each new one scanning them all)."""
    if not _checking or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return
    try:
        key = (_address(sock.getsockname()), _address(sock.getpeername()))
    except OSError:
        return
    now = time.monotonic()
    with _opened_lock:
        if key[1] not in _checking:
            return
        if len(_opened) >= 64:  # never accepted (the lab stopped first): forgotten in time
            for stale in [k for k, due in _opened.items() if due < now]:
                del _opened[stale]
        _opened[key] = now + OWN_CLIENT_SECONDS


def checks(host: str, port: int) -> None:
    """The listener on ``host``:``port`` (in this process) checks who connects: ``opened``
    notes the connections this process opens to it, for its check to claim."""
    with _opened_lock:
        _checking.add(_address((host, port)))


def forget(host: str, port: int) -> None:
    """Forget what ``opened`` noted of connections to the listener on ``host``:``port``, which
    has stopped: none will be accepted, and the port may go to another server. Each lab that
    stopped left its unaccepted ones (one a lab) until 64 were noted and 30 s had passed."""
    wildcard = host in ("0.0.0.0", "::", "")
    with _opened_lock:
        _checking.discard(_address((host, port)))
        for key in [k for k in _opened if k[1][1] == port and (wildcard or k[1][0] == host)]:
            del _opened[key]


def _claim(client: Address, server: Address) -> bool:
    """Whether this process opened the connection from ``client`` to ``server`` (once)."""
    if not _opened:
        return False
    with _opened_lock:
        due = _opened.pop((client, server), None)
    return due is not None and due >= time.monotonic()


def _holds_its_tuple(sock: socket.socket) -> bool:
    """Whether accepted ``sock`` is still the kernel's socket for its 4-tuple (ESTABLISHED or
    CLOSE_WAIT: the peer's FIN came): one reset is unhashed, and another connection could
    have taken the same addresses since."""
    try:
        state = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0]
    except (OSError, AttributeError):
        return False
    return state in (TCP_ESTABLISHED, TCP_CLOSE_WAIT)


class PeerCheck:
    """The lab's rule for who may connect: its own uid and the allowed ones, on loopback."""

    def __init__(self, allowed: frozenset[int]) -> None:
        self.allowed = allowed | {os.geteuid()}
        self._diag: SockDiag | None = None

    def owner_of(self, writer: asyncio.StreamWriter) -> int | None:
        return self.owner_of_socket(writer.get_extra_info("socket"))

    def owner_of_socket(self, sock: socket.socket | None) -> int | None:
        """The uid of the process at the other end of accepted ``sock`` (None: unknown)."""
        if sock is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
            return None
        if self._diag is None:
            self._diag = SockDiag()
        try:
            peer, local = sock.getpeername(), sock.getsockname()
            uid = self._diag.owner(peer[:2], local[:2])
        except OSError:
            return None
        # forgotten at its first accept, whoever the owner
        ours = _claim(_address(peer), _address(local))
        if uid is None and ours and _holds_its_tuple(sock):
            # the lab's own client, closed before this accept (``opened``): the learner's
            return os.geteuid()
        return uid

    def admits(self, writer: asyncio.StreamWriter) -> bool:
        return self.owner_of(writer) in self.allowed

    def admits_socket(self, sock: socket.socket) -> bool:
        return self.owner_of_socket(sock) in self.allowed

    def close(self) -> None:
        if self._diag is not None:
            self._diag.close()
            self._diag = None


def policy(
    host: str, allow_users: Iterable[str | int] = (), lang: str | None = None
) -> tuple[PeerCheck | None, str]:
    """The check for a lab on ``host`` (None when it cannot apply) and a warning, if any,
    in ``lang`` (the lab's; default: the learner's language)."""
    allowed = uids_of(allow_users, lang)
    if not is_loopback(host):
        return None, say(
            Msg(
                "serving on {host}: other machines on your network can reach this lab, and "
                "labkit cannot check who connects (the owner check works on loopback only). "
                "Use only on a network you trust.",
                host=host,
            ),
            lang,
        )
    if not available():
        return None, say(
            Msg(
                "this system cannot tell labkit which user opened a connection (no "
                "NETLINK_SOCK_DIAG): any user of this machine can use this lab"
            ),
            lang,
        )
    return PeerCheck(allowed), ""


async def refuse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answer a connection from someone else: read its head (briefly), one 403, close."""
    with contextlib.suppress(Exception):
        await asyncio.wait_for(_to_head_end(reader), _HEAD_WAIT)
    with contextlib.suppress(Exception):
        writer.write(refusal())
        await asyncio.wait_for(writer.drain(), _HEAD_WAIT)
        writer.write_eof()
        await asyncio.wait_for(reader.read(65536), _HEAD_WAIT)  # let the client read the 403


async def _to_head_end(reader: asyncio.StreamReader) -> None:
    """Read until the head has ended where h11 ends one (``head_end``: bare LFs too), the
    sender closed, or 64 KiB came. Read to CRLF CRLF alone, a head in bare LFs never
    ended, and its 403 waited the whole ``_HEAD_WAIT``."""
    raw = b""
    while head_end(raw) is None and len(raw) < 65536:
        data = await reader.read(65536)
        if not data:
            return
        raw += data
