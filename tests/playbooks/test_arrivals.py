"""`/arrive REF [table N | room N]` read apart, and the events an arrival raises."""

from datetime import timedelta

import pytest

from playbooks.arrivals import Arrival, parse_arrival, recent_arrival
from playbooks.events import EventKind, arrival_events
from profiles.refs import EmptyRef
from profiles.visits import Visit
from tests.factories import NOW


@pytest.mark.parametrize(("text", "expected"), [
    ("王先生 table 12", Arrival(ref="王先生", table="12")),
    ("王先生 12号桌", Arrival(ref="王先生", table="12")),
    ("Mr Smith table 12b", Arrival(ref="Mr Smith", table="12B")),
    ("#5 room 1203", Arrival(ref="#5", room="1203")),
    ("李女士 1203房", Arrival(ref="李女士", room="1203")),
    ("王先生", Arrival(ref="王先生")),
    ("0142", Arrival(ref="0142")),
    ("table 12", Arrival(ref="table 12")),  # the guest sitting there
    ("王先生 table 123456789", Arrival(ref="王先生 table 123456789")),
])
def test_the_place_is_read_off_the_end(text: str, expected: Arrival) -> None:
    assert parse_arrival(text) == expected


def test_an_arrival_without_a_guest_is_refused() -> None:
    with pytest.raises(EmptyRef):
        parse_arrival("   ")


def visit(**overrides: object) -> Visit:
    values: dict[str, object] = {"id": 7, "guest_id": 1, "branch": "la", "staff_id": 2,
                                 "arrived_at": NOW}
    return Visit.model_validate({**values, **overrides})


def test_an_arrival_at_a_table_is_also_a_seating() -> None:
    events = arrival_events(visit(table_no="12"))
    assert [(e.kind, e.details) for e in events] == [
        (EventKind.GUEST_ARRIVED, {"visit_id": 7, "table": "12"}),
        (EventKind.GUEST_SEATED, {"visit_id": 7, "table": "12"})]


def test_a_hotel_arrival_names_the_room() -> None:
    [arrived] = arrival_events(visit(room_no="1203"))
    assert (arrived.kind, arrived.details) == (EventKind.GUEST_ARRIVED,
                                               {"visit_id": 7, "room": "1203"})


def test_the_same_arrival_typed_twice_is_recognised_for_half_an_hour() -> None:
    earlier = [visit()]
    assert recent_arrival(earlier, "la", NOW + timedelta(minutes=29)) == earlier[0]
    assert recent_arrival(earlier, "la", NOW + timedelta(minutes=30)) is None
    assert recent_arrival(earlier, "sh", NOW) is None
    assert recent_arrival([visit(left_at=NOW)], "la", NOW) is None
