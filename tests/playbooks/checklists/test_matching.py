"""Which playbooks an event starts, and when their steps are due: pure, with a given time."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from playbooks.checklists.matching import (
    GuestFacts,
    Observed,
    due_times,
    holds,
    matching,
    observe,
    occurrence,
)
from playbooks.checklists.playbook import SHIPPED_LIBRARY, Conditions, Playbook, load_playbooks
from playbooks.events import Event, EventKind
from profiles.models import Category, Segment, Trait
from tests.factories import NOW, make_guest, make_trait

LA = ZoneInfo("America/Los_Angeles")
SHANGHAI = ZoneInfo("Asia/Shanghai")
LIBRARY = load_playbooks([SHIPPED_LIBRARY])


def event(kind: EventKind = EventKind.GUEST_ARRIVED, *, at: datetime = NOW,
          **details: str | int | bool | None) -> Event:
    return Event(kind=kind, guest_id=1, branch="la", at=at, staff_id=1,
                 details={"visit_id": 7, **details})


def facts(*traits: Trait, earlier_visits: int = 3, **guest: object) -> GuestFacts:
    return GuestFacts(guest=make_guest(**guest), traits=list(traits),
                      earlier_visits=earlier_visits)


def seen(*traits: Trait, at: datetime = NOW, zone: ZoneInfo = LA, earlier_visits: int = 3,
         details: dict[str, str | int | bool | None] | None = None, **guest: object) -> Observed:
    return observe(facts(*traits, earlier_visits=earlier_visits, **guest),
                   event(at=at, **(details or {})), zone)


def playbook(**fields: object) -> Playbook:
    values: dict[str, object] = {
        "id": "p", "title": {"zh": "标题", "en": "Title"}, "trigger": "guest.arrived",
        "roles": ["waiter"], "steps": [{"id": "a", "text": {"zh": "甲", "en": "A"}}]}
    return Playbook.model_validate({**values, **fields})


def started(kind: EventKind, observed: Observed) -> list[str]:
    return [found.id for found in matching(LIBRARY, event(kind), observed)]


ALLERGY = make_trait(category=Category.ALLERGY, text="花生过敏", attrs={"severity": "severe"})


def test_an_arriving_allergy_guest_starts_the_allergy_playbook_and_nothing_else_new() -> None:
    assert started(EventKind.GUEST_ARRIVED, seen(ALLERGY)) == ["allergy_guest", "known_guest"]


def test_a_first_visit_is_no_known_guest() -> None:
    assert started(EventKind.GUEST_ARRIVED, seen(earlier_visits=0)) == []


def test_the_trigger_must_be_the_events_kind() -> None:
    assert started(EventKind.GUEST_CHECKOUT, seen(ALLERGY)) == []
    assert started(EventKind.GUEST_SEATED, seen()) == ["standards_check"]


@pytest.mark.parametrize(("traits", "details", "expected"), [
    ([], {"children": True}, True),
    ([make_trait(category=Category.FAMILY, text="两个孩子")], {}, True),
    ([make_trait(category=Category.FAMILY, text="has two kids")], {}, True),
    ([make_trait(category=Category.SERVICE, text="带孩子", attrs={"style": "children"})], {}, True),
    ([make_trait(category=Category.FAMILY, text="已婚")], {}, False),
    ([], {"children": False}, False),
])
def test_children_come_from_the_booking_or_family_traits(
    traits: list[Trait], details: dict[str, bool], expected: bool
) -> None:
    assert seen(*traits, details=details).children is expected


@pytest.mark.parametrize(("traits", "details", "expected"), [
    ([make_trait(category=Category.WORK, text="律师")], {}, True),
    ([make_trait(category=Category.SERVICE, text="少打扰", attrs={"style": "do_not_disturb"})],
     {}, True),
    ([make_trait(category=Category.SERVICE, text="商务宴请")], {}, True),
    ([], {"business": True}, True),
    ([make_trait(category=Category.SERVICE, text="quiet", attrs={"style": "quiet"})], {}, False),
])
def test_a_business_guest_is_told_by_work_traits_service_style_or_the_booking(
    traits: list[Trait], details: dict[str, bool], expected: bool
) -> None:
    assert seen(*traits, details=details).business is expected


def test_an_occasion_is_today_in_the_branchs_time_zone() -> None:
    anniversary = make_trait(category=Category.OCCASION, text="结婚纪念日 11月21日",
                             attrs={"kind": "anniversary", "month": 11, "day": 21})
    evening_in_la = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)  # 21 Nov 19:00 in LA
    assert seen(anniversary, at=evening_in_la, zone=LA).occasion_today is True
    assert seen(anniversary, at=evening_in_la, zone=SHANGHAI).occasion_today is False


def test_a_29_february_occasion_falls_on_the_28th_in_other_years() -> None:
    leap_day = make_trait(category=Category.OCCASION, text="生日 2-29",
                          attrs={"kind": "birthday", "month": 2, "day": 29})
    assert seen(leap_day, at=datetime(2027, 2, 28, 20, tzinfo=UTC)).occasion_today is True
    assert seen(leap_day, at=datetime(2028, 2, 28, 20, tzinfo=UTC)).occasion_today is False


@pytest.mark.parametrize(("guest", "expected"), [
    ({"segment": Segment.KEY}, True), ({"tier": "gold"}, True), ({"tier": "Diamond"}, True),
    ({"tier": "silver"}, False), ({"segment": Segment.REGULAR}, False), ({}, False)])
def test_a_vip_is_a_key_guest_or_a_high_tier(guest: dict[str, object], expected: bool) -> None:
    assert seen(**guest).vip is expected


@pytest.mark.parametrize(("conditions", "expected"), [
    (Conditions(), True),
    (Conditions(has_allergy=True), True),
    (Conditions(has_allergy=False), False),
    (Conditions(has_allergy=True, first_visit=True), False),
    (Conditions(tier=["GOLD", "platinum"]), True),
    (Conditions(tier=["platinum"]), False),
    (Conditions(segment=[Segment.KEY]), False),
    (Conditions(mentions=["Peanut", "花生"]), True),
    (Conditions(mentions=["游泳"]), False),
    (Conditions(stay=True), True),
])
def test_every_stated_condition_must_hold(conditions: Conditions, expected: bool) -> None:
    guest = seen(ALLERGY, tier="gold", details={"room": "1203"})
    assert holds(conditions, guest) is expected


def test_due_times_count_from_the_event_or_a_bookings_expected_arrival() -> None:
    steps = [{"id": "a", "text": {"zh": "甲", "en": "A"}, "due": "-30m"},
             {"id": "b", "text": {"zh": "乙", "en": "B"}}]
    prepare = playbook(trigger="booking.created", steps=steps)
    expected_at = NOW + timedelta(days=2)
    booking = event(EventKind.BOOKING_CREATED, booking_id=3, expected_at=expected_at.isoformat())
    assert due_times(prepare, booking) == [expected_at - timedelta(minutes=30), None]
    # no readable arrival: from the event itself, where what is due before it is due at once
    assert due_times(prepare, event(expected_at="tomorrow")) == [NOW, None]


def test_a_step_whose_time_passed_before_the_booking_was_made_is_due_at_once() -> None:
    steps = [{"id": "confirm", "text": {"zh": "确认", "en": "Confirm"}, "due": "-3h"},
             {"id": "door", "text": {"zh": "门口", "en": "Door"}, "due": "-15m"}]
    prepare = playbook(trigger="booking.created", steps=steps)
    expected_at = NOW + timedelta(minutes=30)  # booked half an hour ahead
    booking = event(EventKind.BOOKING_CREATED, booking_id=3, expected_at=expected_at.isoformat())
    assert due_times(prepare, booking) == [NOW, expected_at - timedelta(minutes=15)]


def test_an_arrival_and_its_seating_are_one_occurrence() -> None:
    shared = playbook(trigger=["guest.arrived", "guest.seated"])
    assert occurrence(shared, event(EventKind.GUEST_ARRIVED), LA) == occurrence(
        shared, event(EventKind.GUEST_SEATED), LA) == "1:visit_id=7"


def test_a_once_a_day_playbook_runs_once_per_branch_and_local_day() -> None:
    daily = playbook(once_per_day=True)
    late_evening = datetime(2026, 11, 22, 7, 30, tzinfo=UTC)  # 21 Nov 23:30 in LA
    assert occurrence(daily, event(at=late_evening), LA) == "day:la:2026-11-21"
    assert occurrence(daily, event(at=late_evening + timedelta(hours=1)), LA) == \
        "day:la:2026-11-22"
