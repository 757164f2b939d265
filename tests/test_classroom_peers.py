"""A lab answers only its own user: another user's process gets one line in a 403."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

import pytest
from helpers import NEVER_ANSWER, ask, low_files_lab, settle
from sharedhost import system_users

import labkit
from labkit.errors import BadArgument, LabkitWarning
from labkit.http import connections, peers
from labkit.lab import on_lab_loop

if not peers.available():
    pytest.skip(
        "this system has no NETLINK_SOCK_DIAG: the owner check is off (see peers.py)",
        allow_module_level=True,
    )


def _curl(url: str, *extra: str) -> list[str]:
    return ["curl", "-s", "-i", "--max-time", "3", *extra, url]


def _status_and_body(out: str) -> tuple[int, str]:
    head, _, body = out.replace("\r\n", "\n").partition("\n\n")  # text mode turns CRLF into LF
    return int(head.split()[1]), body


@pytest.fixture(scope="module")
def other():
    with system_users("peer") as (user,):
        yield user


def _servers(lab: labkit.Lab) -> dict[str, str]:
    urls = {
        "portal": lab.portal.url,
        "gateway": lab.gateway.url,
        "origin": lab.origin.url,
        "control": lab.control.url,
    }
    for name, up in lab.upstreams.items():
        if name not in NEVER_ANSWER:
            urls[f"upstream {name}"] = up.url
    return urls


def test_another_user_gets_one_line_403_from_every_server_of_the_lab(lab, other) -> None:
    for name, url in _servers(lab).items():
        proc = other.run(_curl(url + "/orders/7"))
        assert proc.returncode == 0, (name, proc.stderr)
        status, body = _status_and_body(proc.stdout)
        assert status == 403, name
        assert body == peers.REFUSAL_TEXT, name  # one line, nothing about the lab
        assert str(lab.origin.port) not in proc.stdout and "labkit" not in proc.stdout.lower()
    assert lab.recorder.ids() == []  # nothing of theirs reached the lab
    # the owner's own terminal passes: curl and nc
    own = subprocess.run(_curl(lab.origin.url + "/orders/7"), capture_output=True, text=True)
    assert _status_and_body(own.stdout)[0] == 200, own.stdout
    nc = subprocess.run(
        ["nc", "-N", "127.0.0.1", str(lab.origin.port)],
        capture_output=True,
        input=b"GET /orders/7 HTTP/1.1\r\nHost: x\r\n\r\n",
        timeout=5,
    )
    assert nc.stdout.startswith(b"HTTP/1.1 200 ")
    assert lab.get("/orders/7").status == 200  # and the kernel


def test_another_user_is_refused_by_the_control_server_even_with_the_token(lab, other) -> None:
    from labkit.control import runtime_dir

    (record,) = [json.loads(p.read_text()) for p in runtime_dir().glob("*.json")]
    token = record["token"]
    proc = other.run(
        _curl(
            lab.control.url + "/maintenance",
            "-X",
            "POST",
            "-H",
            f"Authorization: Bearer {token}",
            "-d",
            '{"on": true}',
        )
    )
    assert _status_and_body(proc.stdout) == (403, peers.REFUSAL_TEXT)
    assert lab.get("/orders/7").status == 200  # the switch did not move


# Another user's process sends requests and closes each socket at once, without reading the
# answer, while threads of its own keep the lab's loop busy with connections: the lab then
# accepts each request after its sender closed
SEND_AND_CLOSE = """
import socket, sys, threading, time
ports = [int(p) for p in sys.argv[1:]]
def busy(port):
    end = time.monotonic() + 2
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
        except OSError:
            pass
for port in ports:
    threading.Thread(target=busy, args=(port,)).start()
for port in ports:
    for _ in range(100):
        s = socket.create_connection(("127.0.0.1", port), timeout=2)
        s.sendall(b"GET /orders/7 HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
        s.close()
"""


@pytest.mark.slow
def test_a_request_whose_sender_closed_at_once_is_refused_too(lab, other) -> None:
    """A closed client socket soon becomes one the kernel reports as owned by uid 0 (a
    'timewait' socket, in state FIN_WAIT2 and then TIME_WAIT): a lab run by root took such
    a request from another user for its own user's and served it (nobody read the answer,
    but a request that changes something had its effect). Fails before the fix: about 250
    of the 300 requests reached the lab."""
    ports = [str(lab.origin.port), str(lab.gateway.port), str(lab.portal.port)]
    proc = other.run(["/usr/bin/python3", "-c", SEND_AND_CLOSE, *ports])
    assert proc.returncode == 0, proc.stderr
    time.sleep(1.0)  # the lab has accepted and judged every one of them
    assert lab.recorder.ids() == []  # nothing of theirs reached the lab
    assert lab.get("/orders/7").status == 200


# Another user's process opens connections to the lab as fast as it can, never closing any.
FLOOD = """
import socket, sys, time
socks, end = [], time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    try:
        socks.append(socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=0.2))
    except OSError:
        pass
print(len(socks))
"""


@pytest.mark.slow  # a lab in its own process and another user's 3 s flood
def test_another_users_flood_cannot_take_the_connections_the_learner_needs(other) -> None:
    """Refused connections are still accepted first, so another user could fill a kernel's
    1024 descriptors (or the lab's budget) with connections the lab only refuses: they have
    a small budget of their own, and the learner's requests are answered throughout: each
    within 2 s of the lab's own time (``ask``; behind the flood in the gateway's accept
    queue, on a loaded host, the machine's clock counts mostly the lab's wait for a CPU)."""
    proc, (port, *_) = low_files_lab()
    try:
        flood = other.popen(
            ["/usr/bin/python3", "-c", FLOOD, str(port), "3"], stdout=subprocess.PIPE, text=True
        )
        time.sleep(1.0)  # the flood is under way: hundreds of connections a second
        answers = [ask(proc) for _ in range(10)]
        flood_out, _ = flood.communicate(timeout=30)
        assert int(flood_out) > 1000, flood_out  # they really did flood
        assert answers == ["HTTP/1.1 200 OK"] * 10
    finally:
        _out, err = proc.communicate(timeout=30)
    assert "Traceback" not in err and "labkit:" not in err, err[:2000]  # nothing to say


# Another user's processes open 64 connections to each of the ports at once, close them
# and start again: every listener of the lab has connections waiting in the same turn
BURSTS = """
import socket, sys, time
end = time.monotonic() + float(sys.argv[1])
while time.monotonic() < end:
    socks = []
    for port in sys.argv[2:]:
        for _ in range(64):
            s = socket.socket()
            s.setblocking(False)
            try:
                s.connect(("127.0.0.1", int(port)))
            except BlockingIOError:
                pass
            except OSError:
                s.close()
                continue
            socks.append(s)
    time.sleep(0.01)
    for s in socks:
        s.close()
"""


@pytest.mark.slow  # a lab in its own process and another user's 4 s of bursts
def test_bursts_at_every_port_of_the_lab_never_run_its_process_out_of_files(other) -> None:
    """Each of a lab's 18 listeners accepted up to 32 connections a turn, each a descriptor
    until its handler refused it turns later: another user's bursts at all of them ran a
    kernel's 1024 out, the learner's notebook said 'the process has run out of file
    descriptors ... Close connections or files you no longer use', and the lab stopped
    accepting for a second at a time (the learner's requests got 504). Fails before the fix
    (that line in the lab's stderr, and a 504 after the bursts)."""
    proc, ports = low_files_lab()
    try:
        assert len(ports) > 10, ports
        bursts = [
            other.popen(["/usr/bin/python3", "-c", BURSTS, "4", *map(str, ports)], text=True)
            for _ in range(2)
        ]
        for burst in bursts:
            burst.wait(timeout=30)
        # the lab still refuses what waits in its 18 queues (both cores busy: seconds); then
        # it answers its learner. Asked until it does, within a minute: five asks of 2 s
        # each ran out at load 10-61 (5 x TimeoutError in full runs) on a lab that had kept its
        # files; one that ran out says so on stderr (below), whenever it answers
        answers = []
        end = time.monotonic() + 60
        while time.monotonic() < end:
            answers.append(ask(proc))
            if answers[-1] == "HTTP/1.1 200 OK":
                break
        assert answers[-1] == "HTTP/1.1 200 OK", answers
    finally:
        _out, err = proc.communicate(timeout=30)
    assert "Traceback" not in err and "labkit:" not in err, err[:2000]  # nothing to say


# Another user's process opens MANY connections to each port it is given, sending nothing,
# then a request on each, and reads every answer to its end
OVERFLOW = """
import json, socket, sys
many, ports = int(sys.argv[1]), [int(p) for p in sys.argv[2:]]
socks = [socket.create_connection(("127.0.0.1", p), timeout=5) for p in ports for _ in range(many)]
answers = []
for s in socks:
    try:
        s.sendall(b"GET /orders/7 HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
    except OSError:
        pass
    got = b""
    try:
        while chunk := s.recv(65536):
            got += chunk
    except OSError as exc:
        got += f"<{type(exc).__name__}>".encode()
    s.close()
    answers.append(got.decode("latin-1"))
print(json.dumps(answers))
"""


def _threads_and_files() -> tuple[int, int]:
    return threading.active_count(), len(os.listdir("/proc/self/fd"))


@pytest.mark.slow  # another user's 160 connections, each read to its end
def test_another_users_connections_past_their_budget_get_the_same_403(lab, other) -> None:
    """Another user's connections being refused at once have a budget of their own
    (connections.STRANGERS, 32): one past it was closed at once without a byte, a reset
    when its request had come. It gets the same one-line 403 now, written as it is
    accepted, and holds nothing after. Every server of the lab: origin, gateway, portal,
    control. Fails before (the 33rd connection on read an empty answer or a reset)."""
    assert lab.get("/orders/7").status == 200
    before, ids = _threads_and_files(), lab.recorder.ids()
    many = connections.STRANGERS + 8
    ports = [lab.origin.port, lab.gateway.port, lab.portal.port, lab.control.port]
    proc = other.run(["/usr/bin/python3", "-c", OVERFLOW, str(many), *map(str, ports)])
    assert proc.returncode == 0, proc.stderr
    answers = json.loads(proc.stdout)
    assert len(answers) == many * len(ports)
    refused = [a for a in answers if a.startswith("HTTP/1.1 403 Forbidden\r\n")]
    assert len(refused) == len(answers), [a[:40] for a in answers if a not in refused]
    assert all(a.endswith("\r\n\r\n" + peers.REFUSAL_TEXT) for a in answers)
    assert lab.recorder.ids() == ids  # nothing of theirs reached the lab
    assert settle(lambda: _threads_and_files() == before), (before, _threads_and_files())
    assert lab.get("/orders/7").status == 200


def test_a_user_in_the_allow_list_passes(other) -> None:
    with labkit.start(allow_users=[other.name]) as lab:
        proc = other.run(_curl(lab.gateway.url + "/orders/7"))
        assert _status_and_body(proc.stdout)[0] == 200


def test_allow_users_names_must_exist() -> None:
    with pytest.raises(BadArgument, match="there is no user 'no-such-user-x' on this machine"):
        labkit.start(allow_users=["no-such-user-x"])
    with pytest.raises(BadArgument, match="allow_users takes user names"):
        labkit.start(allow_users=[1.5])
    proc = subprocess.run(
        [sys.executable, "-m", "labkit", "serve", "--allow-user", "no-such-user-x"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "labkit: error: --allow-user: there is no user 'no-such-user-x' on this machine "
        "(see /etc/passwd)"
    ]


def test_a_lab_on_a_wider_address_says_the_check_cannot_apply() -> None:
    check, warning = peers.policy("0.0.0.0")
    assert check is None
    assert "cannot check who connects (the owner check works on loopback only)" in warning
    check, warning = peers.policy("127.0.0.1")
    assert check is not None and warning == ""
    check.close()


def test_the_owner_of_an_ipv4_a_dual_stack_and_an_ipv6_client_is_found() -> None:
    """The check packs addresses itself (inet_pton, not ipaddress): a connection is found
    from an IPv4 or a dual-stack client, named in IPv4 or in IPv6's mapped form
    (::ffff:127.0.0.1); a lab on ::1 finds its clients; a socket nobody holds has no owner."""
    diag = peers.SockDiag()
    try:
        with socket.create_server(("127.0.0.1", 0)) as v4:
            port = v4.getsockname()[1]
            for family, address in (
                (socket.AF_INET, ("127.0.0.1", port)),
                (socket.AF_INET6, ("::ffff:127.0.0.1", port)),
            ):
                with socket.socket(family) as client:
                    client.connect(address)
                    server, _ = v4.accept()
                    with server:
                        peer, peer_port = server.getpeername()[:2]
                        host, host_port = server.getsockname()[:2]
                        assert diag.owner((peer, peer_port), (host, host_port)) == os.geteuid()
                        # the same connection named as a dual-stack server names it
                        for local, remote in (
                            ("::ffff:" + peer, "::ffff:" + host),
                            (peer, "::ffff:" + host),
                        ):
                            found = diag.owner((local, peer_port), (remote, host_port))
                            assert found == os.geteuid(), (family, local, remote)
            assert diag.owner(("127.0.0.1", 1), ("127.0.0.1", port)) is None
        if socket.has_ipv6:
            with socket.create_server(("::1", 0), family=socket.AF_INET6) as v6:
                with socket.create_connection(v6.getsockname()[:2]):
                    server, _ = v6.accept()
                    with server:
                        found = diag.owner(server.getpeername()[:2], server.getsockname()[:2])
                        assert found == os.geteuid()
    finally:
        diag.close()


def _nginx_conf(tmp: str, lab_port: int, port: int) -> str:
    return f"""daemon off; master_process on; worker_processes 1; pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 64; }}
http {{ access_log off; client_body_temp_path {tmp}/b; proxy_temp_path {tmp}/p;
  fastcgi_temp_path {tmp}/f; uwsgi_temp_path {tmp}/u; scgi_temp_path {tmp}/s;
  server {{ listen 127.0.0.1:{port}; location / {{ proxy_pass http://127.0.0.1:{lab_port}; }} }} }}
"""


@pytest.mark.parametrize("allowed", [False, True])
def test_a_real_nginx_run_by_another_user_passes_only_when_allowed(allowed: bool) -> None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(nginx) or os.geteuid() != 0:
        pytest.skip("needs nginx and root (its workers then run as nobody)")
    with (
        labkit.start(allow_users=["nobody"] if allowed else []) as lab,
        tempfile.TemporaryDirectory() as tmp,
    ):
        os.chmod(tmp, 0o755)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        conf = Path(tmp, "nginx.conf")
        conf.write_text(_nginx_conf(tmp, lab.origin.port, port))
        proc = subprocess.Popen([nginx, "-p", tmp, "-c", str(conf)], stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 10
            while True:
                out = subprocess.run(
                    _curl(f"http://127.0.0.1:{port}/orders/7"), capture_output=True, text=True
                ).stdout
                if out or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            assert _status_and_body(out)[0] == (200 if allowed else 403)
        finally:
            proc.terminate()
            proc.wait(10)


def test_the_lab_warns_when_it_cannot_check_once_it_serves(monkeypatch) -> None:
    """The warning that labkit cannot check who connects comes once the servers are bound,
    once per lab: given when the lab was made, it came before the error of a bind that then
    failed. A system without NETLINK_SOCK_DIAG is the case the lab can show on loopback."""
    monkeypatch.setattr(peers, "available", lambda: False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lab = labkit.Lab()
        assert [str(w.message) for w in caught] == []  # made, not serving: nothing to warn of
        with lab.start():
            said = [str(w.message) for w in caught]
        lab.start().stop()  # started again: said once
    assert len(said) == 1 and "any user of this machine can use this lab" in said[0], said
    assert [str(w.message) for w in caught] == said


def test_a_bind_that_fails_is_one_line_without_the_warning(runtime_dir) -> None:
    """`labkit serve --host 8.8.8.8` (an address this machine does not have) printed the
    warning that others on the network can reach the lab, then that it could not listen."""
    proc = subprocess.run(
        [sys.executable, "-m", "labkit", "serve", "--host", "8.8.8.8"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "labkit: error: cannot listen on 8.8.8.8: it is not an address of this machine. Use "
        "127.0.0.1 (this machine only) or one of the addresses `ip -brief address` lists"
    ]
    assert list(runtime_dir.iterdir()) == []  # nothing registered as running


# Another user's process sends one head and reads the answer, its own side left open
ONE_HEAD = """
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(sys.argv[2].encode().replace(b"|", b"\\n"))
reply = b""
try:
    while chunk := s.recv(65536):
        reply += chunk
except TimeoutError:
    print("no answer within 5 s")
print(reply.split(b"\\r\\n", 1)[0].decode())
"""


@pytest.mark.parametrize("ending", ["\r|", "|"])
def test_a_strangers_head_in_bare_lfs_is_refused_as_soon_as_it_ends(
    lab, other, monkeypatch, ending: str
) -> None:
    """The 403 waits for the stranger's head (so it is not lost to a reset), and goes as
    soon as the head has ended, where h11 ends one: a head in bare LFs was read to
    CRLF CRLF, never found, and its 403 waited the whole read limit. With that limit
    made 30 s here, the stranger's 5 s are the proof."""
    monkeypatch.setattr(peers, "_HEAD_WAIT", 30.0)
    head = ending.join(["GET /orders/7 HTTP/1.1", "Host: x", "", ""])
    proc = other.run(["/usr/bin/python3", "-c", ONE_HEAD, str(lab.origin.port), head])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["HTTP/1.1 403 Forbidden"], proc.stdout
    assert lab.recorder.ids() == []


def _close_with_reset(sock: socket.socket) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _tcp_state(sock: socket.socket) -> int:
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0]


def test_a_connection_this_process_opened_and_closed_before_the_accept_is_its_own() -> None:
    """A client socket closed before the server accepts its connection keeps no owner, so
    the lab's own client (lab.request with a 0.2 s timeout, the lab's loop held longer on a
    loaded host) was taken for another user's: the request never appeared in the learner's
    record. A connection noted by ``peers.opened`` is the lab's own, once, and only while the
    accepted socket still holds its addresses (one reset may share them with a newcomer's);
    one not noted still has no owner. Fails before the fix: the noted one had none."""
    check = peers.PeerCheck(frozenset())
    try:
        with socket.create_server(("127.0.0.1", 0)) as listener:
            address = listener.getsockname()
            peers.checks(*address)  # as a lab's listener with the owner check does
            noted = socket.create_connection(address, timeout=2)
            peers.opened(noted)
            noted.close()
            unnoted = socket.create_connection(address, timeout=2)
            unnoted.close()
            reset = socket.create_connection(address, timeout=2)
            peers.opened(reset)
            _close_with_reset(reset)
            accepted = [listener.accept()[0] for _ in range(3)]
            try:
                first, second, third = accepted
                assert check.owner_of_socket(first) == os.geteuid()
                assert check.owner_of_socket(first) is None  # noted once: taken at its accept
                assert check.owner_of_socket(second) is None
                end = time.monotonic() + 5
                while _tcp_state(third) != 7 and time.monotonic() < end:  # TCP_CLOSE: the reset
                    time.sleep(0.01)
                assert check.owner_of_socket(third) is None
            finally:
                for sock in accepted:
                    sock.close()
                peers.forget(*address)
    finally:
        check.close()


@pytest.mark.slow  # eight labs' raw reads wait out their timeout: 8 s of waiting
def test_labs_started_and_stopped_in_one_process_leave_no_noted_connection() -> None:
    """What ``peers.opened`` noted of a stopped lab's connections was never forgotten: a
    connection its servers never accepted, one a lab (fails before: 8 labs left 8), stayed
    until 64 were noted and 30 s had passed, and a lab without the owner check never claims
    any. A listener that stops forgets them (``peers.forget``)."""
    before = len(peers._opened)
    for _ in range(8):
        with labkit.start() as lab:
            for _ in range(3):
                assert lab.get("/").status == 200
            lab.raw(b"GET / HTTP/1.1\r\nHost: lab\r\n\r\n")
    assert len(peers._opened) <= before


def test_a_lab_without_the_owner_check_notes_none_of_its_connections(monkeypatch) -> None:
    """A lab whose owner check is off (on a non-loopback address; here, on a system that
    cannot tell owners) never claims a connection, yet its client noted each one it opened,
    kept 30 s once 64 were noted, each new one scanning them all: 20 ``lab.raw`` left 20
    (fails before). Only a listener that checks owners has what it will claim noted."""
    monkeypatch.setattr(peers, "available", lambda: False)
    before = len(peers._opened)
    with pytest.warns(LabkitWarning, match="cannot tell labkit"), labkit.start() as lab:
        for _ in range(20):
            lab.raw(b"GET / HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n")
        assert lab.get("/").status == 200
        assert len(peers._opened) <= before


def test_the_labs_client_notes_its_connections_and_keeps_a_requests_own_trace(lab) -> None:
    """The lab's client notes each connection it opens through httpcore's public ``trace``
    extension (it replaced httpx's private ``_pool`` to pass a network backend): a request's
    own trace still gets every event, and the connection is noted once connect() returned,
    before its request was sent."""
    from labkit.lab import http_client

    noted: list[tuple[str, int]] = []
    events: list[str] = []
    real = peers.opened

    def opened(sock: socket.socket) -> None:
        noted.append(sock.getsockname())
        events.append("noted")
        real(sock)

    with pytest.MonkeyPatch.context() as patch, http_client(timeout=5) as client:
        patch.setattr(peers, "opened", opened)
        answer = client.get(
            lab.url("origin") + "/", extensions={"trace": lambda event, _: events.append(event)}
        )
    assert answer.status_code == 200 and len(noted) == 1
    at = events.index("noted")  # noted, then the request's own trace told of it
    assert events[at - 1 : at + 2] == [
        "connection.connect_tcp.started",
        "noted",
        "connection.connect_tcp.complete",
    ]
    assert "http11.send_request_headers.started" in events[at:]


def _hold_loop(lab: labkit.Lab, seconds: float) -> None:
    """Keep the lab's loop from running for ``seconds``, from the time this returns."""
    held = threading.Event()

    def hold() -> None:
        held.set()
        time.sleep(seconds)

    on_lab_loop(lab, asyncio.get_running_loop).call_soon_threadsafe(hold)
    assert held.wait(5)


@pytest.mark.slow  # holds the lab's loop 2 s on purpose
def test_the_labs_own_requests_closed_while_its_loop_was_held_are_recorded(lab) -> None:
    """Lesson 05 sends a request with a 0.2 s client timeout and then reads the gateway's
    504 from the record: when the lab's loop was held past that timeout (a loaded host),
    the client had closed before the gateway accepted, the connection was taken for another
    user's and ``lab.exchange`` raised 'has not reached a server yet'. The loop is held 0.8 s
    here, past a 0.1 s client timeout, for lab.request and for lab.raw. Fails before the fix
    at the first exchange."""
    for send in (
        lambda: lab.get("/orders/7", timeout=0.1),
        lambda: lab.raw(b"GET /orders/7 HTTP/1.1\r\nHost: x\r\n\r\n", to="gateway", wait=0.1),
    ):
        _hold_loop(lab, 0.8)
        sent = send()
        story = lab.exchange(sent.id, wait=5)
        assert story.hop("gateway").status == 200
        assert story.hop("origin").status == 200
