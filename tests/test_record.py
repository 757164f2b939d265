"""Records behave as the dataclasses they replaced (labkit/record.py): repr, ==, hash, frozen,
replace, copy and pickle, seen on the classes a lab records with."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

from labkit.conditions import RFC_TABLE, Condition
from labkit.http.messages import Request, Response
from labkit.record import Record, replace
from labkit.recorder import Attempt, Event, Hop, Kind, Role, Step


def _dataclass_twin(record: Record, frozen: bool) -> object:
    """The dataclass a record was before: same name, fields and values."""
    cls = dataclasses.make_dataclass(type(record).__name__, record._fields, frozen=frozen)
    return cls(*(getattr(record, name) for name in record._fields))


def _event() -> Event:
    attempt = Attempt(Step.ANSWERED, "origin", "origin", "127.0.0.1", 8000, 0.2, 1.0, 1, status=200)
    return Event(
        "req-0001",
        "gateway",
        Role.GATEWAY,
        Kind.SENT,
        1.5,
        "sent 200",
        b"HTTP/1.1 200 OK",
        status=200,
        generated=False,
        attempt=attempt,
    )


def test_repr_and_equality_are_a_dataclass_s() -> None:
    event = _event()
    assert repr(event) == repr(_dataclass_twin(event, frozen=True))
    assert event.attempt is not None
    assert repr(event.attempt) == repr(_dataclass_twin(event.attempt, frozen=True))
    outcome = RFC_TABLE[Condition.REFUSED]
    assert repr(outcome) == repr(_dataclass_twin(outcome, frozen=True))
    assert repr(outcome).startswith("Outcome(status=502, explanation=")
    assert event == _event() and hash(event) == hash(_event())
    assert event != replace(event, status=502) and event != _dataclass_twin(event, frozen=True)
    response = Response(503)
    assert repr(response) == repr(_dataclass_twin(response, frozen=False))
    assert response.reason == "Service Unavailable" and response.headers == []


def test_frozen_records_refuse_changes_and_mutable_ones_are_unhashable() -> None:
    event = _event()
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.status = 500
    with pytest.raises(dataclasses.FrozenInstanceError):
        del event.status
    hop = Hop("gateway", Role.GATEWAY)
    with pytest.raises(AttributeError, match="colour"):
        setattr(hop, "colour", "red")  # noqa: B010 (a name that is no field: __slots__ refuses it)
    hop.events.append(event)
    assert Hop("gateway", Role.GATEWAY).events == []  # each hop its own list
    with pytest.raises(TypeError, match="unhashable"):
        hash(hop)


def test_replace_copy_and_pickle_rebuild_through_init() -> None:
    event = _event()
    cut = replace(event, data=b"HTTP", not_kept=11)
    assert (cut.data, cut.not_kept, cut.summary) == (b"HTTP", 11, event.summary)
    with pytest.raises(TypeError, match="Event has no field 'colour'"):
        replace(event, colour="red")
    request = Request("GET", "/orders/7", "1.1", [("Host", "x")])
    for record in (event, request, Response(502, why="refused"), Hop("origin", Role.ORIGIN)):
        assert copy.copy(record) == record
        assert pickle.loads(pickle.dumps(record)) == record


def test_a_record_whose_slots_miss_a_field_is_refused_when_made() -> None:
    with pytest.raises(TypeError, match="__slots__ must name __init__'s parameters"):

        class Broken(Record):
            __slots__ = ("a",)

            def __init__(self, a: int, b: int) -> None:
                self.a = a
