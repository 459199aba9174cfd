"""The feeds' stores on both databases: sources, stays, checks, spend, leases, webhooks."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from playbooks import outbound
from playbooks.events import EventLog
from playbooks.feeds.feeds import CheckIn, FeedNotFound, Feeds, StayIn
from playbooks.feeds.keys import ApiKeys, Scope
from playbooks.operations import outbox_figures
from playbooks.status.rules import StatusKind, StatusRules
from playbooks.status.store import StatusBook
from profiles.models import Role
from profiles.sources import GuestData, SourceConflict
from store.database import Database
from store.lease import last_renewed, renew
from tests.factories import NOW


def feeds(db: Database) -> Feeds:
    return Feeds(db, EventLog(db), regions={"la": "US"}, region_list=["US", "CN"])


async def test_a_guest_is_found_by_source_id_then_phone_then_exact_name(db: Database) -> None:
    store = feeds(db)
    made = await store.upsert_guest("pms", GuestData(source_id="G-1", name="Anna Lee",
                                                     phone="213 555 0142"), branch="la", now=NOW)
    by_phone = await store.upsert_guest("pos", GuestData(phone="+1 213-555-0142", name="A. Lee"),
                                        branch="la", now=NOW)
    by_name = await store.upsert_guest("crm", GuestData(source_id="9", name="Anna Lee"),
                                       branch="la", now=NOW)
    again = await store.upsert_guest("pms", GuestData(source_id="G-1"), branch="la", now=NOW)

    assert made.created and not by_phone.created and not by_name.created
    assert {by_phone.guest.id, by_name.guest.id, again.guest.id} == {made.guest.id}
    assert made.guest.phone == "+12135550142"


async def test_a_kept_id_whose_phone_is_someone_elses_is_refused(db: Database) -> None:
    store = feeds(db)
    await store.upsert_guest("pms", GuestData(source_id="A", name="Anna Lee"), branch="la",
                             now=NOW)
    await store.upsert_guest("pms", GuestData(source_id="B", name="Bo Chen",
                                              phone="2135550199"), branch="la", now=NOW)
    with pytest.raises(SourceConflict):
        await store.upsert_guest("pms", GuestData(source_id="A", phone="2135550199"),
                                 branch="la", now=NOW)


async def test_stays_and_checks_make_visits_and_spend(db: Database) -> None:
    store = feeds(db)
    guest = GuestData(source_id="G-1", name="Anna Lee")
    stay = await store.check_in("pms", "S-1", StayIn(guest=guest, room="1203",
                                arrival=date(2026, 11, 22), departure=date(2026, 11, 24)),
                                branch="la", now=NOW)
    moved = await store.move_room("pms", "S-1", "1410", branch="la", now=NOW)
    left = await store.check_out("pms", "S-1", branch="la", now=NOW + timedelta(days=2))
    for n, spend in enumerate(("10.00", "20.50")):
        await store.record_check("pms", f"T-{n}", CheckIn(
            guest=guest, spend=Decimal(spend), currency="USD", covers=2,
            at=NOW + timedelta(days=3 + n)), branch="la", now=NOW)

    assert (moved.visit.id, moved.visit.room_no) == (stay.visit.id, "1410")
    assert left.visit.left_at == NOW + timedelta(days=2)
    spend = await store.spend(stay.guest_id)
    assert (spend.visits, spend.checks, spend.average) == (3, 2, {"USD": Decimal("15.25")})
    with pytest.raises(FeedNotFound):
        await store.check_out("pms", "S-1", branch="sh", now=NOW)


async def test_what_a_guest_spends_at_the_till_can_make_them_key_at_once(db: Database) -> None:
    rules = StatusRules(key_spend=500.0, key_currency="USD")
    store = Feeds(db, EventLog(db), regions={"la": "US"}, region_list=["US"],
                  statuses=StatusBook(db, rules))
    guest = GuestData(source_id="G-1", name="Anna Lee")
    for n, spend in enumerate(("180.00", "240.00", "120.00")):
        done = await store.record_check("pos", f"T-{n}", CheckIn(
            guest=guest, spend=Decimal(spend), currency="USD", covers=2,
            at=NOW + timedelta(days=7 * n)), branch="la", now=NOW + timedelta(days=7 * n))
        status = await StatusBook(db, rules).of(done.guest_id)
        assert status is not None
        assert status.kind is (StatusKind.KEY if n == 2 else
                               StatusKind.NEW if n == 0 else StatusKind.RETURNING)
    assert (status.spend, status.spend_currency) == (540.0, "USD")


async def test_keys_lease_and_outbox_figures(db: Database) -> None:
    keys = ApiKeys(db)
    issued = await keys.create("pms", branch="la", scopes=frozenset({Scope.STAYS}),
                               role=Role.WAITER, now=NOW)
    assert (await keys.authenticate(issued.secret)) == issued.key
    await keys.revoke("pms", now=NOW)
    assert await keys.authenticate(issued.secret) is None

    await renew(db, NOW, holder="host:1")
    await renew(db, NOW + timedelta(seconds=30), holder="host:1")
    assert await last_renewed(db) == ("host:1", NOW + timedelta(seconds=30))

    assert await outbound.plan(db, outbound.EVENTS, NOW) == 0
    figures = await outbox_figures(db, NOW)
    assert (figures.due, figures.oldest_due_age, figures.failed) == (0, timedelta(0), 0)
