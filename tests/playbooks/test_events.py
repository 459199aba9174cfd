from playbooks.events import Event, EventBus, EventKind
from tests.factories import NOW


def arrival(**details: str | int | bool | None) -> Event:
    return Event(kind=EventKind.GUEST_ARRIVED, guest_id=1, branch="la", at=NOW, details=details)


async def test_subscribers_hear_events_in_order_and_one_failure_stops_none() -> None:
    bus, heard = EventBus(), []

    async def broken(event: Event) -> None:
        raise RuntimeError("boom")

    async def first(event: Event) -> None:
        heard.append(("first", event.kind))

    async def second(event: Event) -> None:
        heard.append(("second", event.kind))

    bus.subscribe(second)
    bus.subscribe(broken)
    bus.subscribe(first)
    await bus.publish(arrival())
    assert heard == [("second", EventKind.GUEST_ARRIVED), ("first", EventKind.GUEST_ARRIVED)]


def test_an_event_names_its_occurrence_by_its_ids() -> None:
    assert arrival(visit_id=7, table="12").subject == "guest.arrived:1:visit_id=7"
