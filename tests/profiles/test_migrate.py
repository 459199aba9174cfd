"""`guestcard migrate`: a chain's SQLite data moved into PostgreSQL reads back the same."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from playbooks.outbox import Outbox, Outgoing
from playbooks.requests.routing import LaneWords, Routing
from playbooks.requests.store import RequestStore
from profiles.bookings import BookingStore, NewBooking
from profiles.erasure import Erasure
from profiles.guests import GuestStore
from profiles.merges import GuestMerges
from profiles.migrate import MigrateError, copy_order, migrate_to_postgres, shown_url
from profiles.models import Category, Role
from profiles.pending import PendingNotes
from profiles.search import GuestSearch
from profiles.search_index import rebuild_search_index
from profiles.traits import TraitStore
from profiles.visits import VisitStore
from store.connect import open_database
from store.database import Database, shipped_migrations
from store.sqlite import SqliteDatabase
from tests import postgres
from tests.conftest import join
from tests.factories import NOW, draft, feedback_store

UNREACHABLE = "postgresql://guestcard:secret@127.0.0.1:1/guestcard"


async def populate(path: Path) -> None:
    """A chain's day in a SQLite file: staff, guests with notes, visits, bookings, requests,
    feedback, messages, a merge and an erasure (which leaves ids that must never come back)."""
    db = await open_database(path)
    try:
        manager = await join(db, Role.MANAGER, "la", telegram_id=7)
        waiter = await join(db, Role.WAITER, "sh", telegram_id=8)
        guests = GuestStore(db)
        wang = await guests.create("王先生", "+8613800138000", branch="la",
                                   staff_id=waiter.id, region="CN", now=NOW)
        smith = await guests.create("Alan Smith", None, branch="sh", staff_id=waiter.id,
                                    region="US", now=NOW)
        twin = await guests.create("Alan Smith", "+12135550101", branch="la",
                                   staff_id=waiter.id, region="US", now=NOW)
        gone = await guests.create("Quixabel Zorander", None, branch="la",
                                   staff_id=manager.id, region="US", now=NOW)
        traits = TraitStore(db)
        note = await traits.log(wang.id, [draft(Category.DIET, "不吃蒜"),
                                          draft(Category.DRINK, "iced sour-plum, large glass")],
                                staff_id=waiter.id, branch="la", now=NOW)
        await traits.log(wang.id, [draft(Category.DIET, "不吃蒜")], staff_id=manager.id,
                         branch="sh", now=NOW + timedelta(hours=1))  # a confirmation
        await traits.make_private(note.batch_id, staff_id=manager.id, now=NOW)
        await traits.log(smith.id, [draft(Category.SEATING, "window")], staff_id=waiter.id,
                         branch="sh", now=NOW)
        visits = VisitStore(db)
        visit = await visits.arrive(wang.id, branch="la", staff_id=waiter.id, now=NOW,
                                    table="12")
        await visits.leave(visit.id, now=NOW + timedelta(hours=2))
        await visits.arrive(smith.id, branch="sh", staff_id=None, now=NOW, room="1203")
        await feedback_store(db).record(wang.id, 5, "perfect", staff_id=waiter.id, branch="la",
                                       now=NOW + timedelta(hours=3))
        bookings = BookingStore(db)
        kept = await bookings.book(NewBooking(guest_id=wang.id, branch="la",
                                              at=NOW + timedelta(days=1), party=2),
                                   staff_id=waiter.id, now=NOW)
        await bookings.cancel(kept.booking.id, now=NOW)
        await bookings.book(NewBooking(guest_id=smith.id, branch="sh", at=NOW + timedelta(days=2),
                                       children=True, note="high chair"),
                            staff_id=None, now=NOW)
        await bookings.book(NewBooking(guest_id=gone.id, branch="la", at=NOW + timedelta(days=3)),
                            staff_id=manager.id, now=NOW)  # the highest booking id, erased below
        await bookings.keep_draft(waiter.id, {"guest": "wang", "when": "friday"}, now=NOW)
        requests = RequestStore(db, Routing({}, LaneWords()))
        relayed = await requests.relay(branch="la", staff_id=waiter.id, ref_text="room 1203",
                                       text="the discount was left off the bill", now=NOW,
                                       guest_id=wang.id)
        await requests.accept(relayed.request.id, staff=manager, now=NOW + timedelta(minutes=3))
        await PendingNotes(db).keep(staff_id=waiter.id, name="Mrs Li", text="allergic to nuts",
                                    now=NOW, phone=None)
        await Outbox(db).put([Outgoing(key=f"occasion:{wang.id}", kind="occasion",
                                       chat_id=waiter.telegram_id, not_before=NOW,
                                       payload={"guest_id": wang.id, "line": "王先生 birthday"})],
                             NOW)
        await GuestMerges(db).merge(smith.id, twin.id, staff_id=manager.id, now=NOW)
        await Erasure(db).forget(gone.id, staff_id=manager.id, now=NOW)
    finally:
        await db.close()


def tables_of(path: Path) -> list[tuple[str, tuple[str, ...]]]:
    with closing(sqlite3.connect(path)) as conn:
        return [(table.name, table.key) for table in copy_order(conn)]


async def contents(db: Database, tables: list[tuple[str, tuple[str, ...]]]
                   ) -> dict[str, list[dict[str, Any]]]:
    """Every row of every copied table, by column name, in key order."""
    def work(conn: Any) -> dict[str, list[dict[str, Any]]]:
        found = {}
        for table, key in tables:
            rows = conn.execute(f'SELECT * FROM "{table}" ORDER BY {", ".join(key)}')
            found[table] = [dict(zip(row.keys(), row, strict=True)) for row in rows]
        return found

    return await db.read(work)


@pytest.fixture
async def chain_file(tmp_path: Path) -> Path:
    path = tmp_path / "chain.db"
    await populate(path)
    return path


@pytest.mark.postgresql
async def test_every_row_reads_back_the_same_from_postgresql(chain_file: Path) -> None:
    tables = tables_of(chain_file)
    with postgres.fresh_database(migrated=False) as url:
        copied = await migrate_to_postgres(chain_file, url)
        before = await open_database(chain_file)
        after = await open_database(url)
        try:
            expected, actual = await contents(before, tables), await contents(after, tables)
            filled = {table for table, rows in expected.items() if rows}
            assert {c.table: c.rows for c in copied} == {t: len(r) for t, r in expected.items()}
            for table in expected:
                assert actual[table] == expected[table], table
            for guest_id in (1, 2):  # Wang, and Smith (his twin merged into him)
                assert (await GuestStore(after).get(guest_id)
                        == await GuestStore(before).get(guest_id))
        finally:
            await before.close()
            await after.close()
    assert {"staff", "invites", "guests", "note_batches", "traits", "trait_confirmations",
            "visits", "feedback", "bookings", "booking_drafts", "requests", "request_events",
            "pending_notes", "outbox", "guest_merges", "audit", "erased_guests"} <= filled


@pytest.mark.postgresql
async def test_guests_are_found_by_name_after_the_migration(chain_file: Path) -> None:
    with postgres.fresh_database(migrated=False) as url:
        await migrate_to_postgres(chain_file, url)
        db = await open_database(url)
        try:
            search = GuestSearch(db)
            found = {query: [hit.guest.id for hit in await search.find(query, branch=None)]
                     for query in ("王", "wang", "Smith", "smi", "Quixabel")}
        finally:
            await db.close()
    assert found == {"王": [1], "wang": [1], "Smith": [2], "smi": [2], "Quixabel": []}, (
        "the search index was not rebuilt on PostgreSQL")


@pytest.mark.postgresql
async def test_the_index_is_what_indexing_each_guest_in_turn_would_write(
    chain_file: Path,
) -> None:
    def index(conn: Any) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        rows = conn.execute("SELECT * FROM guest_search ORDER BY guest_id").fetchall()
        words = conn.execute("SELECT word, guests FROM search_words ORDER BY id").fetchall()
        return [tuple(row) for row in rows], [tuple(word) for word in words]

    with postgres.fresh_database(migrated=False) as url:
        await migrate_to_postgres(chain_file, url)
        db = await open_database(url)
        try:
            copied = await db.read(index)
            await db.write(rebuild_search_index)
            assert await db.read(index) == copied
        finally:
            await db.close()
    assert len(copied[0]) == 2 and copied[1] != []


@pytest.mark.postgresql
async def test_new_rows_never_take_an_id_the_sqlite_database_gave(chain_file: Path) -> None:
    """Nor an erased guest's booking's id: SQLite's AUTOINCREMENT kept it from coming back."""
    with postgres.fresh_database(migrated=False) as url:
        await migrate_to_postgres(chain_file, url)
        db = await open_database(url)
        try:
            guest = await GuestStore(db).create("Ada Lovelace", None, branch="la", staff_id=1,
                                                region="US", now=NOW)
            booking = await BookingStore(db).book(
                NewBooking(guest_id=guest.id, branch="la", at=NOW + timedelta(days=1)),
                staff_id=1, now=NOW)
            note = await TraitStore(db).log(guest.id, [draft(Category.DIET, "vegan")],
                                            staff_id=1, branch="la", now=NOW)
            visit = await VisitStore(db).arrive(guest.id, branch="la", staff_id=1, now=NOW)
        finally:
            await db.close()
    assert (guest.id, booking.booking.id, note.added[0].id, visit.id) == (5, 4, 4, 3)


@pytest.mark.postgresql
async def test_a_target_that_already_holds_data_is_refused_and_left_alone(
    chain_file: Path,
) -> None:
    with postgres.fresh_database(migrated=False) as url:
        await migrate_to_postgres(chain_file, url)
        with pytest.raises(MigrateError, match=r"already holds data \(\w+ is not empty\)"):
            await migrate_to_postgres(chain_file, url)
        assert await row_count(url, "guests") == 2


@pytest.mark.postgresql
async def test_a_row_postgresql_refuses_names_its_table_and_copies_nothing(
    chain_file: Path,
) -> None:
    with closing(sqlite3.connect(chain_file)) as conn, conn:  # foreign keys are off here
        conn.execute("INSERT INTO visits (guest_id, branch, arrived_at) VALUES (999, 'la', ?)",
                     (NOW.isoformat(),))
    with postgres.fresh_database(migrated=False) as url:
        with pytest.raises(MigrateError, match=r"^visits: a row was refused \(.*foreign key"):
            await migrate_to_postgres(chain_file, url)
        assert await row_count(url, "staff") == 0


async def test_a_database_not_fully_migrated_is_refused_before_the_target_is_touched(
    tmp_path: Path,
) -> None:
    old = await SqliteDatabase.connect(tmp_path / "old.db", shipped_migrations()[:5])
    await old.close()
    latest = shipped_migrations()[-1].version
    with pytest.raises(MigrateError, match=rf"at schema version 5, this guestcard's is {latest}"):
        await migrate_to_postgres(tmp_path / "old.db", UNREACHABLE)


async def test_what_is_not_a_guestcard_database_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MigrateError, match="no such database"):
        await migrate_to_postgres(tmp_path / "missing.db", UNREACHABLE)
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    with pytest.raises(MigrateError, match="not a guestcard database"):
        await migrate_to_postgres(tmp_path / "junk.db", UNREACHABLE)
    with pytest.raises(MigrateError, match="not a postgresql:// URL"):
        await migrate_to_postgres(tmp_path / "junk.db", str(tmp_path / "other.db"))


async def test_a_target_that_cannot_be_reached_is_named_without_its_password(
    chain_file: Path,
) -> None:
    with pytest.raises(MigrateError, match="cannot connect") as refused:
        await migrate_to_postgres(chain_file, UNREACHABLE)
    assert "postgresql://guestcard@127.0.0.1:1/guestcard" in str(refused.value)
    assert "secret" not in str(refused.value)


def test_a_url_is_shown_without_its_password() -> None:
    assert shown_url("postgresql://bot:pw@db.example:5432/chain") == (
        "postgresql://bot@db.example:5432/chain")
    assert shown_url("postgresql://db.example/chain") == "postgresql://db.example/chain"


async def row_count(url: str, table: str) -> int:
    db = await open_database(url)
    try:
        return int(await db.read(
            lambda c: c.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]))
    finally:
        await db.close()
