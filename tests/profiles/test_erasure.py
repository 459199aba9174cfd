"""Forgetting a guest: nothing of them left in any table, the search index or the files."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from playbooks.outbox import Outbox, Outgoing
from playbooks.requests.erasure import close_open_requests
from playbooks.requests.routing import LaneWords, Routing
from playbooks.requests.store import RequestStore, open_complaint
from profiles.audit import AuditAction, AuditLog
from profiles.erasure import Erasure, months_before
from profiles.errors import GuestNotFound
from profiles.export import Export
from profiles.guests import GuestStore
from profiles.models import Category, Guest, Role, Staff
from profiles.pending import PendingNotes
from profiles.search import GuestSearch
from profiles.traits import TraitStore
from profiles.visits import VisitStore
from store.connect import open_database
from store.database import Database
from store.sql import Conn, dialect
from tests.conftest import join
from tests.factories import NOW, draft, feedback_store

NAME, PHONE = "Quixabel Zorander", "+12135559876"
SECRETS = ("Quixabel", "Zorander", "quixabel", "zorander", "2135559876", "6789555312",
           "pistachio-crumble", "Marzipanhall")


@pytest.fixture
async def file_db(tmp_path: Path) -> AsyncIterator[Database]:
    """A database in a file, so the test can read what is on disk, WAL included."""
    database = await open_database(tmp_path / "erase.db")
    yield database
    await database.close()


async def remembered_guest(db: Database, staff: Staff, *, name: str = NAME,
                           phone: str | None = PHONE) -> Guest:
    """A guest with traits, a visit, feedback, an open request, a pending note and messages."""
    guest = await GuestStore(db).create(name, phone, branch="la", staff_id=staff.id,
                                        region="US", now=NOW)
    await TraitStore(db).log(guest.id, [draft(Category.FOOD, "pistachio-crumble"),
                                        draft(Category.WORK, "runs Marzipanhall")],
                             staff_id=staff.id, branch="la", now=NOW)
    visit = await VisitStore(db).arrive(guest.id, branch="la", staff_id=staff.id, now=NOW,
                                        table="12")
    await VisitStore(db).leave(visit.id, now=NOW + timedelta(hours=1))
    await feedback_store(db).record(guest.id, 3, f"{name} found pistachio-crumble stale",
                                   staff_id=staff.id, branch="la", now=NOW)
    requests = RequestStore(db, Routing({}, LaneWords()))
    await db.write(lambda conn: open_complaint(conn, requests, guest.id, "la", staff.id,
                                               f"{name} wants a refund", NOW))
    await PendingNotes(db).keep(staff_id=staff.id, name=name, text="likes pistachio-crumble",
                                now=NOW, phone=phone)
    await Outbox(db).put([
        Outgoing(key=f"occasion:{guest.id}", kind="occasion", chat_id=staff.telegram_id,
                 payload={"guest_id": guest.id, "line": f"{name}'s birthday"}, not_before=NOW),
        Outgoing(key=f"brief:{guest.id}", kind="brief", chat_id=staff.telegram_id,
                 payload={"guest_ids": [guest.id, 999]}, not_before=NOW),
    ], NOW)
    await AuditLog(db).record(AuditAction.VIEW, staff_id=staff.id, guest_id=guest.id, now=NOW)
    return guest


def every_value(conn: Conn) -> list[tuple[str, str]]:
    """(table, value as text) for every column of every row of every table, FTS included."""
    tables = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        if dialect(conn) == "sqlite" else
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        " AND table_type = 'BASE TABLE' ORDER BY table_name")]
    return [(table, str(value)) for table in tables
            for row in conn.execute(f'SELECT * FROM "{table}"') for value in row]


def traces(values: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(table, value) for table, value in values
            if any(secret in value for secret in SECRETS)]


def on_disk(folder: Path) -> list[str]:
    """The files of the database (main file, WAL) that still hold any of the secrets."""
    found = []
    for path in folder.glob("erase.db*"):
        content = path.read_bytes()
        found += [f"{path.name}: {s}" for s in SECRETS if s.encode() in content]
    return found


async def test_forget_leaves_no_trace_in_any_table_the_index_or_the_files(
    file_db: Database, tmp_path: Path
) -> None:
    staff = await join(file_db, Role.MANAGER, "la", telegram_id=7)
    guest = await remembered_guest(file_db, staff)
    assert traces(await file_db.read(every_value)) != []  # the scan sees them before

    erased = await Erasure(file_db, [close_open_requests]).forget(guest.id, staff_id=staff.id,
                                                                  now=NOW)

    assert traces(await file_db.read(every_value)) == []
    assert on_disk(tmp_path) == []
    assert erased.checkpointed
    assert {"traits", "visits", "feedback", "requests", "guests", "guest_search"} <= set(
        erased.rows)


async def test_forget_has_the_database_drop_the_deleted_rows_from_its_pages(
    db: Database,
) -> None:
    """SQLite overwrites freed pages as it deletes; PostgreSQL keeps them until VACUUM."""
    staff = await join(db, Role.MANAGER, "la", telegram_id=7)
    guest = await remembered_guest(db, staff)
    erased = await Erasure(db).forget(guest.id, staff_id=staff.id, now=NOW)
    assert erased.checkpointed
    if db.dialect == "postgresql":
        vacuumed = await db.read(lambda c: {row[0] for row in c.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE last_vacuum IS NOT NULL")})
        assert {"guests", "traits", "visits", "outbox", "pending_notes", "guest_search",
                "search_words"} <= vacuumed
        assert "invites" not in vacuumed  # untouched: a chain's every index would take minutes


async def test_after_forget_search_export_and_audit_know_only_the_tombstone(db: Database) -> None:
    staff = await join(db, Role.MANAGER, "la", telegram_id=7)
    guest = await remembered_guest(db, staff)
    await Erasure(db).forget(guest.id, staff_id=staff.id, now=NOW)

    search = GuestSearch(db)
    assert (await search.find("Zorander", branch="la"), await search.find("9876", branch="la"),
            await search.resolve(f"#{guest.id}", branch="la")) == ([], [], [])
    with pytest.raises(GuestNotFound):
        await Export(db).guest(guest.id, staff_id=staff.id, now=NOW)
    entries = await AuditLog(db).for_guest(guest.id)
    assert [(e.action, e.details) for e in entries] == [
        (AuditAction.ERASE, {"reason": "request", "tables": entries[0].details["tables"]})]
    assert await Erasure(db).tombstone(guest.id) == NOW


async def test_other_guests_and_their_messages_are_untouched(db: Database) -> None:
    staff = await join(db, Role.MANAGER, "la", telegram_id=7)
    kept = await remembered_guest(db, staff, name="Bob Keeper", phone="+12135550001")
    gone = await remembered_guest(db, staff)
    await Erasure(db).forget(gone.id, staff_id=staff.id, now=NOW)

    card = await GuestStore(db).card(kept.id)
    assert [t.text for t in card.traits] == ["pistachio-crumble", "runs Marzipanhall"]
    assert [hit.guest.id for hit in await GuestSearch(db).find("keeper", branch="la")] == [kept.id]
    payloads = await db.read(lambda c: [tuple(r) for r in c.execute(
        "SELECT dedupe_key, payload FROM outbox WHERE kind = 'brief' ORDER BY id")])
    assert payloads == [(f"brief:{kept.id}", f'{{"guest_ids": [{kept.id}, 999]}}'),
                        (f"brief:{gone.id}", '{"guest_ids": [999]}')]


async def test_a_table_added_later_is_erased_too(db: Database) -> None:
    staff = await join(db, Role.MANAGER, "la", telegram_id=7)
    guest = await remembered_guest(db, staff)

    def add_feature(conn: Conn) -> None:
        conn.execute("CREATE TABLE loyalty (id INTEGER PRIMARY KEY, guest_id INTEGER,"
                     " card TEXT)")
        conn.execute("CREATE TABLE loyalty_stamps (loyalty_id INTEGER REFERENCES loyalty (id),"
                     " note TEXT)")
        conn.execute("INSERT INTO loyalty VALUES (1, ?, 'Zorander gold')", (guest.id,))
        conn.execute("INSERT INTO loyalty_stamps VALUES (1, 'Quixabel stamped')")

    await db.write(add_feature)
    erased = await Erasure(db).forget(guest.id, staff_id=staff.id, now=NOW)
    assert (erased.rows["loyalty"], erased.rows["loyalty_stamps"]) == (1, 1)
    assert traces(await db.read(every_value)) == []


async def test_an_erased_guests_id_is_never_given_to_another(db: Database) -> None:
    staff = await join(db, Role.MANAGER, "la", telegram_id=7)
    guest = await GuestStore(db).create("Zorander", None, branch="la", staff_id=staff.id,
                                        region="US", now=NOW)
    await Erasure(db).forget(guest.id, staff_id=staff.id, now=NOW)
    newcomer = await GuestStore(db).create("Newcomer", None, branch="la", staff_id=staff.id,
                                           region="US", now=NOW)
    assert newcomer.id == guest.id + 1


async def test_forgetting_twice_is_refused_the_second_time(db: Database) -> None:
    staff = await join(db, Role.MANAGER, "la", telegram_id=7)
    guest = await GuestStore(db).create("Zorander", None, branch="la", staff_id=staff.id,
                                        region="US", now=NOW)
    await Erasure(db).forget(guest.id, staff_id=staff.id, now=NOW)
    with pytest.raises(GuestNotFound):
        await Erasure(db).forget(guest.id, staff_id=staff.id, now=NOW)


async def test_an_open_request_is_closed_and_its_relayer_told_by_number_only(
    db: Database,
) -> None:
    waiter = await join(db, Role.WAITER, "la", telegram_id=8)
    manager = await join(db, Role.MANAGER, "la", telegram_id=7)
    guest = await remembered_guest(db, waiter)
    await Erasure(db, [close_open_requests]).forget(guest.id, staff_id=manager.id, now=NOW)
    told = await db.read(lambda c: [tuple(r) for r in c.execute(
        "SELECT kind, payload, chat_id FROM outbox WHERE kind = 'request_erased'")])
    assert len(told) == 1 and told[0][2] == waiter.telegram_id
    assert "Zorander" not in told[0][1]


async def test_retention_erases_unseen_guests_once_a_day_and_spares_consent(db: Database) -> None:
    staff = await join(db, Role.MANAGER, "la", telegram_id=7)
    store, visits, erasure = GuestStore(db), VisitStore(db), Erasure(db)
    old = NOW - timedelta(days=400)
    unseen = await store.create("Unseen", None, branch="la", staff_id=staff.id, region="US",
                                now=old)
    consenting = await store.create("Consenting", None, branch="la", staff_id=staff.id,
                                    region="US", now=old)
    regular = await store.create("Regular", None, branch="la", staff_id=staff.id, region="US",
                                 now=old)
    await visits.arrive(regular.id, branch="la", staff_id=staff.id, now=NOW - timedelta(days=30))
    await erasure.set_consent(consenting.id, True, staff_id=staff.id, now=old)

    swept = await erasure.sweep(NOW, retention_months=12)
    again = await erasure.sweep(NOW + timedelta(hours=3), retention_months=12)

    assert swept is not None and swept.erased == [unseen.id]
    assert again is None
    assert [g.name for g in await db.read(lambda c: [
        Guest.model_validate(dict(r)) for r in c.execute(
            "SELECT id, name, branch, created_at FROM guests ORDER BY id")])] == [
        "Consenting", "Regular"]


async def test_retention_off_erases_nobody(db: Database) -> None:
    staff = await join(db, Role.MANAGER, "la", telegram_id=7)
    await GuestStore(db).create("Ancient", None, branch="la", staff_id=staff.id, region="US",
                                now=NOW - timedelta(days=4000))
    swept = await Erasure(db).sweep(NOW, retention_months=0)
    assert swept is not None and swept.erased == []


@pytest.mark.parametrize(("now", "months", "expected"), [
    (datetime(2026, 3, 31, tzinfo=UTC), 1, datetime(2026, 2, 28, tzinfo=UTC)),
    (datetime(2026, 1, 15, tzinfo=UTC), 13, datetime(2024, 12, 15, tzinfo=UTC)),
    (datetime(2024, 3, 30, tzinfo=UTC), 1, datetime(2024, 2, 29, tzinfo=UTC)),
])
def test_months_before_counts_calendar_months(now: datetime, months: int,
                                              expected: datetime) -> None:
    assert months_before(now, months) == expected
