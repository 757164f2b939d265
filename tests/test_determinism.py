"""What lab.request tells is what the lab's record decides, never the machine's noise: and
where the record cannot decide (a wait it does not time), what the client saw stands."""

from __future__ import annotations

import asyncio
import os
import threading

import pytest

import labkit
from labkit.http import deadline
from labkit.lab import on_lab_loop
from labkit.recorder import Kind


def _release_the_hold_once_the_client_gave_up(
    lab: labkit.Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The learner lets GET /busy go just after the lab's client gave up on it: its read
    timed out, and the hold is turned off before lab.request decides what to tell."""
    fetch = lab._fetch

    def then_release(*args: object, **kwargs: object) -> object:
        fetched = fetch(*args, **kwargs)  # type: ignore[arg-type]
        lab.origin.hold = False
        return fetched

    monkeypatch.setattr(lab, "_fetch", then_release)


def _release_the_hold_once_the_origin_has_it(lab: labkit.Lab) -> threading.Thread:
    """The learner lets GET /busy go once the origin holds it, while the client still waits."""

    before = set(lab.recorder.ids())

    def holding() -> bool:
        return any(
            ev.hop == "origin" and ev.kind is Kind.RECEIVED
            for rid in lab.recorder.ids()
            if rid not in before
            for ev in lab.recorder.events(rid)
        )

    def release() -> None:
        lab.recorder.wait_for(holding, 10)
        lab.origin.hold = False

    thread = threading.Thread(target=release)
    thread.start()
    return thread


@pytest.mark.parametrize(  # a client's timeout waited out each: through the gateway is quick
    "via", ["gateway", pytest.param("origin", marks=pytest.mark.slow)]
)
def test_an_answer_held_until_after_the_clients_timeout_is_not_the_answer(
    lab: labkit.Lab, monkeypatch: pytest.MonkeyPatch, via: str
) -> None:
    """GET /busy while the hold is on waits until the learner releases it: a wait that the
    lab's record does not time. Released just after the client's 0.3 s timeout ran out,
    its 200 came after the client had given up, so the client saw no answer. Before, the
    record counted the hold as no wait at all, and lab.request, which waits a little past
    the timeout for an answer the lab owes (a starved loop's 504), told the late 200 as the
    answer (it waits at least 20 ms for it: one look, lab.POLL). Released while the client
    still waits, the held 200 is the answer."""
    with monkeypatch.context() as patched:
        _release_the_hold_once_the_client_gave_up(lab, patched)
        for _ in range(3):
            lab.origin.hold = True
            ex = lab.get("/busy", via=via, timeout=0.3)
            assert (ex.status, ex.client_error) == (None, "ReadTimeout: timed out"), ex
            assert ex.observed().took == "no answer (the client gave up after 0.3 s)"
    lab.origin.hold = True
    releasing = _release_the_hold_once_the_origin_has_it(lab)
    ex = lab.get("/busy", via=via, timeout=5)
    releasing.join()
    assert (ex.status, ex.text) == (200, "held until released\n"), ex
    assert ex.observed().took == "answered before any timeout ran out"


def test_a_hold_released_after_the_client_gave_up_is_late_though_the_loop_saw_it_first(
    lab: labkit.Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The machine keeps the lab's loop off the CPU from before GET /busy is sent until
    after the client's 0.3 s timeout ran out; the learner lets the hold go then, and the
    loop, once it runs, sees the release before the request. The origin answers 200 "not
    held" at once, due at 0 s by the record (its timer starts at the request's arrival),
    and lab.request told that 200 as the answer (load ~15 on the team's machine): on an
    idle machine the request was held, and its 200 came after the client had given up.
    The client gave up before the hold was released, by the one clock both are read on:
    what the client saw stands, whenever the loop got to run."""
    fetch = lab._fetch
    loop = on_lab_loop(lab, asyncio.get_running_loop)
    gave_up = threading.Event()

    def stalled_loop_then_release() -> None:  # on the lab's loop: it runs nothing else
        gave_up.wait(10)
        lab.origin.hold = False  # the learner lets go, before the loop reads the request

    def fetch_on_a_stalled_loop(*args: object, **kwargs: object) -> object:
        loop.call_soon_threadsafe(stalled_loop_then_release)
        try:
            return fetch(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            gave_up.set()

    lab.origin.hold = True
    monkeypatch.setattr(lab, "_fetch", fetch_on_a_stalled_loop)
    ex = lab.get("/busy", timeout=0.3)
    assert (ex.status, ex.client_error) == (None, "ReadTimeout: timed out"), ex
    assert ex.observed().took == "no answer (the client gave up after 0.3 s)"


def test_the_loops_schedstat_is_read_while_it_runs_and_closed_when_it_stops() -> None:
    """The lab reads what the machine kept its loop's thread waiting for a CPU on every
    request (deadline.waited_for_a_cpu) from one descriptor kept open while the loop runs;
    a stopped lab leaves no descriptor behind. Test-only guard of the kept descriptor."""

    def schedstats() -> int:
        found = 0
        for fd in os.listdir("/proc/self/fd"):
            try:
                found += os.readlink(f"/proc/self/fd/{fd}").endswith("/schedstat")
            except OSError:
                continue
        return found

    before = schedstats()
    lab = labkit.start()
    loop = on_lab_loop(lab, asyncio.get_running_loop)
    try:
        first = deadline.waited_for_a_cpu(loop)
        assert first is not None and first >= 0
        assert schedstats() == before + 1
        assert lab.get("/orders/7").status == 200
        later = deadline.waited_for_a_cpu(loop)
        assert later is not None and later >= first
    finally:
        lab.stop()
    assert deadline.waited_for_a_cpu(loop) is None
    assert schedstats() == before
