from datetime import timedelta

from playbooks.events import Event, EventKind, EventLog
from profiles.guests import GuestStore
from store.database import Database
from store.sql import Conn
from tests.factories import NOW


def arrival(guest_id: int = 1, **details: str | int | bool | None) -> Event:
    return Event(kind=EventKind.GUEST_ARRIVED, guest_id=guest_id, branch="la", at=NOW,
                 details=details)


async def a_guest(db: Database) -> int:
    guest = await GuestStore(db).create("Smith", None, branch="la", staff_id=None, region="US",
                                        now=NOW)
    return guest.id


async def test_reactions_run_in_order_in_the_publishing_transaction(db: Database) -> None:
    events, heard = EventLog(db), []
    events.react_with(lambda conn, event, now: heard.append(("first", event.kind)))
    events.react_with(lambda conn, event, now: heard.append(("second", event.kind)))
    guest = await a_guest(db)
    await db.write(lambda conn: events.publish(conn, [arrival(guest, visit_id=1)], NOW))
    assert heard == [("first", EventKind.GUEST_ARRIVED), ("second", EventKind.GUEST_ARRIVED)]
    assert await events.publish_pending(NOW) == 0


async def test_an_event_published_twice_reacts_once(db: Database) -> None:
    events, heard = EventLog(db), []
    events.react_with(lambda conn, event, now: heard.append(event.subject))
    guest = await a_guest(db)
    for _ in range(2):
        await db.write(lambda conn: events.publish(conn, [arrival(guest, visit_id=7)], NOW))
    assert heard == [f"guest.arrived:{guest}:visit_id=7"]
    assert len(await events.recorded(guest)) == 1


async def test_a_failed_reaction_is_rolled_back_and_tried_again_by_the_sweep(
    db: Database,
) -> None:
    events, failing = EventLog(db), [True]

    def reaction(conn: Conn, event: Event, now: object) -> None:
        # a write any reaction might make, to see it rolled back with the failure
        conn.execute("INSERT INTO served_requests (key, served_at) VALUES (?, ?)",
                     (f"reacted:{event.subject}", "x"))
        if failing[0]:
            raise RuntimeError("a playbook file with a bug")

    events.react_with(reaction)
    guest = await a_guest(db)
    await db.write(lambda conn: events.publish(conn, [arrival(guest, visit_id=3)], NOW))
    assert len(await events.recorded(guest)) == 1  # the event itself is saved
    assert not await db.already_served(f"reacted:guest.arrived:{guest}:visit_id=3")
    failing[0] = False
    assert await events.publish_pending(NOW + timedelta(seconds=30)) == 1
    assert await db.already_served(f"reacted:guest.arrived:{guest}:visit_id=3")
    assert await events.publish_pending(NOW + timedelta(seconds=60)) == 0


def test_an_event_names_its_occurrence_by_its_ids() -> None:
    assert arrival(visit_id=7, table="12").subject == "guest.arrived:1:visit_id=7"
