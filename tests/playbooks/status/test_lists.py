"""The lists' words, and who may record what came of a call."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from playbooks.events import EventLog
from playbooks.feeds.feeds import CheckIn, Feeds
from playbooks.status.lists import GuestLists, ListKind, ListQuery, ListUsage, Outcome, parse_list
from playbooks.status.rules import StatusRules
from playbooks.status.store import StatusBook
from profiles.errors import NotAllowed
from profiles.guests import GuestStore
from profiles.models import Role, Staff
from profiles.sources import GuestData
from profiles.visits import VisitStore
from store.database import Database, stamp
from store.sql import Conn
from tests.conftest import join
from tests.factories import NOW


@pytest.mark.parametrize(("text", "expected"), [
    ("lapsed", ListQuery(kind=ListKind.LAPSED)),
    ("at-risk", ListQuery(kind=ListKind.AT_RISK)),
    ("at risk", ListQuery(kind=ListKind.AT_RISK)),
    ("待挽回", ListQuery(kind=ListKind.AT_RISK)),
    ("birthdays week", ListQuery(kind=ListKind.BIRTHDAYS, days=7)),
    ("birthdays", ListQuery(kind=ListKind.BIRTHDAYS, days=7)),
    ("生日 本月", ListQuery(kind=ListKind.BIRTHDAYS, days=30)),
    ("key unseen 60", ListQuery(kind=ListKind.KEY_UNSEEN, days=60)),
    ("key 90", ListQuery(kind=ListKind.KEY_UNSEEN, days=90)),
    ("Key Unseen", ListQuery(kind=ListKind.KEY_UNSEEN, days=60)),
])
def test_lists_are_named_in_either_language(text: str, expected: ListQuery) -> None:
    assert parse_list(text) == expected


@pytest.mark.parametrize("text", ["", "everyone", "lapsed 30", "key unseen soon",
                                  "birthdays 99999"])
def test_other_words_are_usage(text: str) -> None:
    with pytest.raises(ListUsage):
        parse_list(text)


@pytest.mark.parametrize(("role", "branch", "allowed"), [
    (Role.LEAD, "la", True), (Role.MANAGER, "la", True), (Role.ADMIN, "sh", True),
    (Role.WAITER, "la", False), (Role.LEAD, "sh", False),
])
async def test_only_a_lead_of_the_guests_branch_records_a_call(
    db: Database, waiter: Staff, role: Role, branch: str, allowed: bool,
) -> None:
    guest = await GuestStore(db).create("Smith", None, branch="sh", staff_id=waiter.id,
                                        region="US", now=NOW)
    await VisitStore(db).arrive(guest.id, branch="la", staff_id=waiter.id, now=NOW)
    caller = await join(db, role, branch, telegram_id=2002)
    lists = GuestLists(db, key_visits=24)
    if allowed:
        done = await lists.record(guest.id, Outcome.CALLED, by=caller, now=NOW)
        assert done.outcome is Outcome.CALLED
    else:
        with pytest.raises(NotAllowed):
            await lists.record(guest.id, Outcome.CALLED, by=caller, now=NOW)


async def test_a_guest_key_by_what_they_spent_and_unseen_is_listed(db: Database) -> None:
    statuses = StatusBook(db, StatusRules(key_spend=500.0))
    feeds = Feeds(db, EventLog(db), regions={"la": "US"}, region_list=["US"], statuses=statuses)
    then = NOW - timedelta(days=90)
    for n in range(2):  # 600 spent in two dinners, three months ago
        await feeds.record_check("pos", f"T-{n}", CheckIn(
            guest=GuestData(source_id="G-1", name="Anna Lee"), spend=Decimal("300"),
            currency="USD", covers=2, at=then + timedelta(days=n)), branch="la",
            now=then + timedelta(days=n))
    lead = await join(db, Role.LEAD, "la", telegram_id=2002)
    found = await GuestLists(db, key_visits=24).guests(
        ListQuery(kind=ListKind.KEY_UNSEEN, days=60), viewer=lead, today=NOW.date(), now=NOW)
    assert [item.guest.name for item in found] == ["Anna Lee"]


async def test_a_chain_wide_list_of_thousands_reads_them_all(db: Database) -> None:
    """An admin's list may name more guests than a database takes parameters at once."""
    def many(conn: Conn) -> None:
        facts = '{"kind": "at_risk", "rhythm": {"visits": 1}}'
        conn.executemany(
            "INSERT INTO guests (name, honorific, pinyin, branch, created_at, updated_at,"
            " status, status_facts, status_branch) VALUES (?, '', '', 'la', ?, ?, 'at_risk',"
            " ?, 'la')", [(f"Guest{n}", stamp(NOW), stamp(NOW), facts) for n in range(40_000)])

    await db.write(many)
    admin = await join(db, Role.ADMIN, "sh", telegram_id=2003)
    found = await GuestLists(db, key_visits=24).page(
        ListQuery(kind=ListKind.AT_RISK), viewer=admin, today=NOW.date(), now=NOW)
    assert found.total == 40_000 and len(found.items) == 20
