"""A lab binds ports outside the kernel's ephemeral range, clear of service ports."""

from __future__ import annotations

import errno
import os
import socket
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest
from sharedhost import shared_dir, shared_python, system_users

import labkit
from labkit.errors import BadArgument, LabkitWarning
from labkit.http import connections, ports


def _ports(lab: labkit.Lab) -> list[int]:
    servers = [lab.origin, lab.gateway, lab.portal, lab.control, *lab.upstreams.values()]
    return [s.port for s in servers]


def _ephemeral() -> range:
    lo, hi = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
    return range(int(lo), int(hi) + 1)


def test_a_lab_binds_in_its_range_clear_of_services_and_ephemeral_ports(lab) -> None:
    lo, hi = ports.PORT_RANGE
    used = _ports(lab)
    assert all(lo <= p <= hi for p in used)
    assert not any(ports.listed(p) for p in used)
    # the search finds exactly the ports a line-by-line reading of the file names
    named = set(ports.SERVICE_PORTS)
    for line in Path("/etc/services").read_text(errors="replace").splitlines():
        fields = line.split("#")[0].split()
        if len(fields) >= 2 and fields[1].partition("/")[0].isdigit():
            named.add(int(fields[1].partition("/")[0]))
    asked = {*range(1, 1024), *range(lo, hi + 1)}
    assert {p for p in asked if ports.listed(p)} == {p for p in named if p in asked}
    assert 22 in named  # ssh: the check above saw a file that names ports
    assert not set(used) & set(_ephemeral())
    assert lab.get("/orders/7").status == 200 and lab.get("/up/garbage/").status == 502


def test_ephemeral_ports_on_request(monkeypatch) -> None:
    monkeypatch.setenv("LABKIT_PORTS", "ephemeral")
    with labkit.start() as lab:
        assert all(p in _ephemeral() for p in _ports(lab))


def test_a_range_that_fills_up_says_so_and_leaves_nothing_behind(monkeypatch) -> None:
    """A full range: the lab takes ports the system chooses and says why; with none left
    there either, one line (NoFreePort) and nothing left open."""
    monkeypatch.setenv("LABKIT_PORTS", "23000-23029")
    with labkit.start() as first:
        assert all(23000 <= p <= 23029 for p in _ports(first))
        with pytest.warns(LabkitWarning) as said, labkit.start() as second:
            assert not all(23000 <= p <= 23029 for p in _ports(second))
            assert second.get("/orders/7").status == 200
        (line,) = [str(w.message) for w in said]
        assert line.startswith(
            "every port of 23000-23029 (LABKIT_PORTS) was taken when this lab started, most "
            "likely by another user's programs on this machine: the lab uses ports the system "
            "chose instead"
        )
        fds, threads = len(os.listdir("/proc/self/fd")), threading.active_count()

        class NoPortLeft(socket.socket):
            def bind(self, address):
                if address[1] == 0:  # the system's choice: none left either
                    raise OSError(errno.EADDRINUSE, "Address already in use")
                super().bind(address)

        names = ("AF_INET", "AF_INET6", "SOCK_STREAM", "IPPROTO_TCP", "SOL_SOCKET", "SO_REUSEADDR")
        shim = SimpleNamespace(socket=NoPortLeft, **{n: getattr(socket, n) for n in names})
        monkeypatch.setattr(ports, "socket", shim)  # the sockets ports.bind makes
        with pytest.raises(ports.NoFreePort) as refused:
            labkit.start()
        assert str(refused.value).startswith(
            "every port of LABKIT_PORTS=23000-23029 is taken, and the system has no free port "
            "left to choose either: another user of this machine may be holding them all."
        )
        assert len(os.listdir("/proc/self/fd")) == fds and threading.active_count() == threads
        assert first.get("/orders/7").status == 200


# holds every free port of a range, as a classmate can (their file limit allows it), until
# its stdin closes
HOLD_THE_RANGE = r"""
import resource, socket, sys
lo, hi = map(int, sys.argv[1:3])
resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
held = []
for port in range(lo, hi + 1):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
        s.listen(1)
        held.append(s)
    except OSError:
        s.close()
print(len(held), flush=True)
sys.stdin.read()
"""

LEARNER_STARTS = r"""
import labkit
with labkit.start() as lab:
    print(lab.get("/orders/7").status, *sorted({s.port for s in (lab.origin, lab.gateway, lab.control)}))
"""


@pytest.mark.slow
def test_a_classmate_holding_every_port_of_the_range_leaves_the_learner_a_working_lab() -> None:
    """A classmate binds every port of the lab's range (as their file limit lets them): the
    learner's labkit.start() failed with NoFreePort. Now the lab takes ports the system
    chooses, works, and says in one line what happened and whom to tell. A range outside
    the labs' default one, so that no other lab on the host frees a port in it meanwhile."""
    lo, hi = 30100, 30199  # below the ephemeral ports (32768-)
    python = shared_python()
    with shared_dir() as shared, system_users("ann", "bob") as (ann, bob):
        env = {"PYTHONPATH": str(shared / "pythonpath"), "LABKIT_PORTS": f"{lo}-{hi}"}
        hog = bob.popen(
            [str(python), "-c", HOLD_THE_RANGE, str(lo), str(hi)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert int(hog.stdout.readline()) == hi - lo + 1
            started = ann.run([str(python), "-c", LEARNER_STARTS], env=env, timeout=120)
        finally:
            hog.stdin.close()
            hog.wait(30)
        assert started.returncode == 0, started.stderr
        status, *used = started.stdout.split()
        assert status == "200" and not any(lo <= int(p) <= hi for p in used)
        (line,) = started.stderr.splitlines()  # in a script, Python's form of a warning
        assert line.startswith(
            f"<string>:3: LabkitWarning: every port of {lo}-{hi} (LABKIT_PORTS) was taken when this lab "
            "started, most likely by another user's programs on this machine"
        ), line
        assert "Traceback" not in started.stderr


def test_labs_starting_at_once_never_share_a_port(monkeypatch) -> None:
    monkeypatch.setenv("LABKIT_PORTS", "23100-23299")
    with ThreadPoolExecutor(6) as pool:
        labs = list(pool.map(lambda _: labkit.start(), range(6)))
    try:
        used = [p for lab in labs for p in _ports(lab)]
        assert len(used) == len(set(used))
        assert all(lab.get("/orders/7").status == 200 for lab in labs)
    finally:
        for lab in labs:
            lab.stop()


@pytest.mark.parametrize("value", ["20000", "x-y", "80-90", "30000-20000", "1000-70000"])
def test_a_bad_range_is_one_clear_line(monkeypatch, value: str) -> None:
    monkeypatch.setenv("LABKIT_PORTS", value)
    with pytest.raises(BadArgument, match="LABKIT_PORTS must"):
        labkit.start()


def test_the_instructor_guide_names_the_range_the_code_uses() -> None:
    guide_path = Path(__file__).resolve().parent.parent / "docs" / "instructor.md"
    guide = guide_path.read_text()
    lo, hi = ports.PORT_RANGE
    assert f"binds its ports from {lo}-{hi}" in guide
    assert f'"LABKIT_PORTS": "{lo}-{hi}"' in guide
    zh = guide_path.with_name("instructor.zh-CN.md").read_text()  # the same, in its words
    assert f"labkit 从 {lo}-{hi} 绑定它的端口" in zh
    assert f'"LABKIT_PORTS": "{lo}-{hi}"' in zh


def test_the_instructor_guides_name_the_classroom_limits_the_code_uses() -> None:
    """The submissions a learner keeps, the files collect reads of each owner, the size it
    reads, the drill's slack and how many of other users' connections are refused at once:
    numbers the guides state, checked against the code."""
    from labkit import classroom, drill
    from labkit.exercises import store

    guide_path = Path(__file__).resolve().parent.parent / "docs" / "instructor.md"
    guide = " ".join(guide_path.read_text().split())
    zh = "".join(guide_path.with_name("instructor.zh-CN.md").read_text().split())
    most, files = classroom.MAX_SUBMISSIONS, classroom.MAX_FILES_PER_OWNER
    assert files == most + 1  # the submissions and the board's live entry
    size, skew = f"{store.MAX_BYTES // 1_000_000} MB", f"{drill.SKEW_SECONDS:g} s"
    for said in (
        f"A learner keeps at most {most} submissions",
        f"the {most + 1}th replaces their oldest",
        f"reads at most {files} files of each owner, their newest ({most} submissions",
        f"up to {size} each are read",
        f"more than {skew} before the start",
        f"at most {connections.STRANGERS} are being refused at once in one kernel",
    ):
        assert said in guide, said
    for said in (
        f"每个学员最多保留{most}次提交",
        f"第{most + 1}次会替换他最早的一次",
        f"对每个属主最多读{files}个文件，即他最新的那些（{most}次提交",
        f"每个最多读{size.replace(' ', '')}",
        f"超过{drill.SKEW_SECONDS:g}秒",
        f"一个内核里同时最多拒绝其中{connections.STRANGERS}个",
    ):
        assert said in zh, said
