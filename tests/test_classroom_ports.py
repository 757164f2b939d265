"""A lab binds ports outside the kernel's ephemeral range, clear of service ports."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import labkit
from labkit.errors import BadArgument
from labkit.http import ports


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
    monkeypatch.setenv("LABKIT_PORTS", "23000-23029")
    with labkit.start() as first:
        assert all(23000 <= p <= 23029 for p in _ports(first))
        fds, threads = len(os.listdir("/proc/self/fd")), threading.active_count()
        with pytest.raises(
            ports.NoFreePort, match=r"every port of LABKIT_PORTS=23000-23029 is taken"
        ):
            labkit.start()
        assert len(os.listdir("/proc/self/fd")) == fds and threading.active_count() == threads
        assert first.get("/orders/7").status == 200


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
    reads and the drill's slack: numbers the guides state, checked against the code."""
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
    ):
        assert said in guide, said
    for said in (
        f"每个学员最多保留{most}次提交",
        f"第{most + 1}次会替换他最早的一次",
        f"对每个属主最多读{files}个文件，即他最新的那些（{most}次提交",
        f"每个最多读{size.replace(' ', '')}",
        f"超过{drill.SKEW_SECONDS:g}秒",
    ):
        assert said in zh, said
