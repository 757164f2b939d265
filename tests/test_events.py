"""Recorder events are typed: what each hop did is in fields, over real requests.

A 504's upstream attempt carries the read timeout its route had, a 502's the condition
the gateway observed, a retried request its attempt number; the views read those fields,
and ``wait_for`` wakes on the event it waits for instead of polling.
"""

from __future__ import annotations

import json
import threading
import time

import labkit
from labkit.conditions import Condition
from labkit.recorder import Attempt, Ending, Event, Kind, Recorder, Role, Step


def attempts(lab: labkit.Lab, ex: labkit.Exchange, hop: str = "gateway") -> list[Attempt]:
    return [
        e.attempt
        for e in lab.recorder.events(ex.id)
        if e.hop == hop and e.kind is Kind.UPSTREAM and e.attempt is not None
    ]


def kinds(lab: labkit.Lab, ex: labkit.Exchange, hop: str) -> list[Kind]:
    return [e.kind for e in lab.recorder.events(ex.id) if e.hop == hop]


def test_a_504_attempt_carries_the_read_timeout_its_route_had(lab: labkit.Lab) -> None:
    route = lab.gateway.route("/")
    route.read_timeout = 0.2
    ex = lab.get("/slow?delay=0.5")
    assert ex.status == 504 and ex.generated_by == "gateway"
    forwarded, failed = attempts(lab, ex)
    assert forwarded.step is Step.FORWARDED and failed.step is Step.FAILED
    assert forwarded.read_timeout == failed.read_timeout == 0.2
    assert forwarded.connect_timeout == route.connect_timeout
    assert (forwarded.upstream, forwarded.target) == ("origin", "origin")
    assert (forwarded.host, forwarded.port) == (lab.origin.host, lab.origin.port)
    assert failed.condition is Condition.READ_TIMEOUT
    assert (forwarded.number, forwarded.retry) == (1, False)
    # the timeline draws the line from that field: 200 ms after the request went out
    assert "gateway read timeout (200 ms)" in labkit.charts.timeline(ex).alt


def test_a_502_garbage_attempt_carries_its_condition(lab: labkit.Lab) -> None:
    ex = lab.get("/up/garbage/")
    assert ex.status == 502
    forwarded, failed = attempts(lab, ex)
    assert forwarded.step is Step.FORWARDED
    assert failed.step is Step.FAILED and failed.condition is Condition.INVALID_STATUS_LINE
    assert failed.target == "garbage" and failed.port == lab.upstreams["garbage"].port
    assert failed.read_timeout == lab.gateway.route("garbage").read_timeout
    assert failed.detail and failed.detail in ex.text  # the page's "What it observed"
    assert kinds(lab, ex, "garbage") == [Kind.RECEIVED, Kind.SENT]
    sent = ex.hop("garbage").sent  # its bytes, then FIN
    assert sent is not None and sent.ended is Ending.FIN and sent.status is None
    assert "FIN: the sender closed the connection normally" in ex._repr_html_()


def test_a_refused_connect_is_an_attempt_that_never_reached_its_target(
    lab: labkit.Lab,
) -> None:
    ex = lab.get("/up/refused/")
    assert ex.status == 502
    (failed,) = attempts(lab, ex)
    assert (failed.step, failed.condition) == (Step.FAILED, Condition.REFUSED)
    assert failed.connection is None and failed.number == 1
    assert "upstream &#x27;refused&#x27; ✗ failed" in ex.picture()._repr_svg_()


def test_a_retry_on_a_stale_kept_connection_is_attempt_two(lab: labkit.Lab) -> None:
    assert lab.get("/up/idle-close/").status == 200
    ex = lab.get("/up/idle-close/")
    assert ex.status == 200
    steps = [(a.step, a.number, a.retry, a.reused, a.connection) for a in attempts(lab, ex)]
    assert steps == [
        (Step.FORWARDED, 1, False, True, 1),
        (Step.FAILED, 1, False, True, 1),
        (Step.RETRY, 1, False, True, 1),
        (Step.FORWARDED, 2, True, False, 2),
        (Step.ANSWERED, 2, True, False, 2),
    ]
    assert attempts(lab, ex)[1].condition is Condition.CLOSED_WITHOUT_RESPONSE
    assert attempts(lab, ex)[-1].status == 200


def test_a_post_on_a_stale_connection_is_not_retried(lab: labkit.Lab) -> None:
    assert lab.get("/up/idle-close/").status == 200
    ex = lab.request("POST", "/up/idle-close/", body="{}")
    assert ex.status == 502
    assert [a.step for a in attempts(lab, ex)] == [Step.FORWARDED, Step.FAILED, Step.NO_RETRY]


def test_received_events_carry_the_request_line_and_sent_ones_the_status(
    lab: labkit.Lab,
) -> None:
    ex = lab.get("/orders/7?x=1")
    origin = ex.hop("origin")
    assert origin.received is not None and origin.sent is not None
    got = origin.received
    assert (got.method, got.target, got.version) == ("GET", "/orders/7?x=1", "1.1")
    assert got.request_line == "GET /orders/7?x=1"
    assert (origin.sent.status, origin.sent.generated, origin.sent.cut) == (200, True, "")
    assert [h.role for h in ex.hops] == [Role.CLIENT, Role.GATEWAY, Role.ORIGIN]


def test_a_body_cut_off_is_a_field_of_the_sent_event(lab: labkit.Lab) -> None:
    # the client outlasts the gateway, as lab.get does: a 1 s wait could end first under load
    ex = lab.get("/up/body-cut/")
    gateway = ex.hop("gateway")
    assert gateway.sent is not None and gateway.sent.status == 200
    assert gateway.sent.cut and gateway.sent.cut in gateway.sent.summary
    assert "body cut off" in ex.picture()._repr_svg_()


def test_a_cache_hit_is_its_own_kind_and_asks_no_upstream(lab: labkit.Lab) -> None:
    lab.origin.maintenance(retry_after=30, cache_max_age=60)
    assert lab.get("/orders/7").header("x-cache") == "MISS"
    hit = lab.get("/orders/7")
    assert hit.header("x-cache") == "HIT"
    assert kinds(lab, hit, "gateway") == [Kind.RECEIVED, Kind.CACHE, Kind.SENT]
    assert [h.name for h in hit.hops] == ["client", "gateway"]
    assert "gateway (cache)" in hit.picture()._repr_svg_()


def test_no_healthy_upstream_is_an_attempt_not_tried(lab: labkit.Lab) -> None:
    ex = lab.get("/pool/")
    assert ex.status == 503
    (attempt,) = attempts(lab, ex)
    assert (attempt.step, attempt.condition) == (Step.NOT_TRIED, Condition.NO_HEALTHY_UPSTREAM)
    assert attempt.target is None and attempt.upstream == "pool"


def test_the_client_that_gave_up_says_so_in_a_field(lab: labkit.Lab) -> None:
    ex = lab.get("/slow?delay=0.5", timeout=0.1)
    client = ex.hop("client")
    assert ex.status is None and client.received is not None
    assert client.received.timed_out and "Timeout" in (ex.client_error or "")
    assert "client gave up" in labkit.charts.timeline(ex).alt


def test_roles_and_kinds_read_as_their_words_in_text_and_json(lab: labkit.Lab) -> None:
    ex = lab.get("/orders/7")
    ev = ex.hop("gateway").events[0]
    assert ev.role == "gateway" and ev.kind == "received"
    assert f"{ev.role} {ev.kind}" == str(ev.role) + " received" == "gateway received"
    assert json.dumps({"role": ev.role, "kind": ev.kind}) == (
        '{"role": "gateway", "kind": "received"}'
    )
    assert lab.gateway.role is Role.GATEWAY and f"made by the {lab.gateway.role}" == (
        "made by the gateway"
    )


# -- waiting on the recorder --


def _event(rid: str) -> Event:
    return Event(rid, "origin", Role.ORIGIN, Kind.RECEIVED, time.perf_counter(), "GET /")


def test_wait_for_returns_as_soon_as_the_event_lands() -> None:
    recorder = Recorder()
    rid = recorder.new_id()
    added_at: list[float] = []

    def add_later() -> None:
        time.sleep(0.2)
        added_at.append(time.monotonic())
        recorder.add(_event(rid))

    thread = threading.Thread(target=add_later)
    start = time.monotonic()  # before the thread starts: its 0.2 s cannot begin earlier
    thread.start()
    seen = recorder.wait_for(lambda: bool(recorder.events(rid)), timeout=5.0)
    woke = time.monotonic()
    thread.join()
    assert seen
    assert woke - start >= 0.2 - 0.01  # it waited for the event, not returned early
    assert woke - added_at[0] < 0.5  # and woke on it, not at the 5 s timeout


def test_wait_for_times_out_cleanly() -> None:
    recorder = Recorder()
    start = time.monotonic()
    assert recorder.wait_for(lambda: False, timeout=0.1) is False
    assert 0.1 - 0.01 <= time.monotonic() - start < 2.0
    assert recorder.wait_for(lambda: True, timeout=0) is True  # already true: no wait


def test_wait_for_ends_when_the_lab_stops() -> None:
    """A story that never ends (a wait in another thread) ends with the lab, not at its timeout."""
    lab = labkit.start()
    rid = lab.recorder.new_id()
    done: list[float] = []

    def wait() -> None:
        lab.recorder.wait_for(lambda: not lab.running or bool(lab.recorder.events(rid)), 30)
        done.append(time.monotonic())

    thread = threading.Thread(target=wait)
    thread.start()
    time.sleep(0.1)
    stopped = time.monotonic()
    lab.stop()
    thread.join(timeout=10)
    assert done and done[0] - stopped < 5.0


def test_each_entry_point_records_the_event_record_makes_of_the_same_facts() -> None:
    """``received``, ``sent`` and ``upstream`` (positional, for the events of every relayed
    request) make the event ``record`` makes of the same facts, its time aside, trimmed to
    MAX_RECORDED_BYTES the same way, and kept in the request's story in order, each
    returned as kept."""
    from labkit.recorder import MAX_RECORDED_BYTES

    attempt = Attempt(Step.FORWARDED, "origin", "origin", "127.0.0.1", 1, 1.0, 2.0, 1)
    big = b"x" * (MAX_RECORDED_BYTES + 5)
    for data in (b"GET / HTTP/1.1\r\n\r\n", big):
        by_entry, by_record = Recorder(), Recorder()
        ids = by_entry.new_id(), by_record.new_id()
        returned = [
            by_entry.received(ids[0], "gateway", Role.GATEWAY, "GET /", data, 5, "GET", "/", "1.1")
        ]
        by_record.record(
            ids[1], "gateway", Role.GATEWAY, Kind.RECEIVED, "GET /", data=data, peer_port=5,
            method="GET", target="/", version="1.1",
        )  # fmt: skip
        returned.append(
            by_entry.upstream(ids[0], "gateway", Role.GATEWAY, "forwarded", data, attempt)
        )
        by_record.record(
            ids[1], "gateway", Role.GATEWAY, Kind.UPSTREAM, "forwarded", data=data, attempt=attempt
        )
        returned.append(
            by_entry.sent(
                ids[0], "gateway", Role.GATEWAY, "200 OK", data, 200, False, "w", "c", 0.5
            )
        )
        by_record.record(
            ids[1], "gateway", Role.GATEWAY, Kind.SENT, "200 OK", data=data, status=200,
            generated=False, why="w", cut="c", delay=0.5,
        )  # fmt: skip
        made, recorded = by_entry.events(ids[0]), by_record.events(ids[1])
        assert [e.kind for e in made] == [Kind.RECEIVED, Kind.UPSTREAM, Kind.SENT]
        assert [e._replace(at=0.0) for e in made] == [e._replace(at=0.0) for e in recorded]
        assert all(len(e.data) == min(len(data), MAX_RECORDED_BYTES) for e in made)
        assert returned == made  # each entry point returns the event as kept
