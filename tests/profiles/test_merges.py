"""Merging a guest entered twice: everything moves, provenance stays, and it can be undone."""

from __future__ import annotations

from datetime import timedelta

import pytest

from profiles.access import Action, can
from profiles.audit import AuditAction, AuditLog
from profiles.erasure import Erasure, Schema
from profiles.errors import GuestNotFound
from profiles.guests import GuestStore
from profiles.merges import GuestMerges, MergeConflict, MergeGone, SameGuest, guest_references
from profiles.models import Category, Guest, Role, Segment, Staff
from profiles.search import GuestSearch
from profiles.traits import TraitStore
from profiles.visits import VisitStore
from store.database import Database
from store.sql import Conn
from tests.conftest import join
from tests.factories import NOW, draft

LATER = NOW + timedelta(days=1)


async def guest(db: Database, name: str, phone: str | None = None, *,
                branch: str = "la") -> Guest:
    return await GuestStore(db).create(name, phone, branch=branch, staff_id=None, region="US",
                                       now=NOW)


async def texts(db: Database, guest_id: int) -> list[str]:
    return [trait.text for trait in (await GuestStore(db).card(guest_id)).traits]


@pytest.fixture
async def lead(db: Database) -> Staff:
    return await join(db, Role.LEAD, "sh", telegram_id=2002)


async def test_traits_visits_and_notes_move_with_who_learned_them(
    db: Database, waiter: Staff, lead: Staff
) -> None:
    kept, twin = await guest(db, "王先生"), await guest(db, "汪先生", branch="sh")
    traits = TraitStore(db)
    logged = await traits.log(twin.id, [draft(Category.DIET, "不吃蒜")], staff_id=lead.id,
                              branch="sh", now=NOW)
    await VisitStore(db).arrive(twin.id, branch="sh", staff_id=lead.id, now=NOW, table="12")

    merged = await GuestMerges(db).merge(kept.id, twin.id, staff_id=waiter.id, now=LATER)

    [trait] = (await GuestStore(db).card(kept.id)).traits
    assert (trait.text, trait.branch, trait.staff_id, trait.created_at) == (
        "不吃蒜", "sh", lead.id, NOW)
    assert (merged.moved["traits.guest_id"], merged.moved["visits.guest_id"]) == (1, 1)
    assert (merged.kept_id, merged.merged_id, merged.merged_name) == (kept.id, twin.id, "汪先生")
    # the note is still one unit: undoing it takes the moved trait back
    await traits.undo(logged.batch_id, staff_id=lead.id, now=LATER)
    assert await texts(db, kept.id) == []


async def test_a_trait_both_had_is_shown_once(db: Database, waiter: Staff) -> None:
    kept, twin = await guest(db, "Smith"), await guest(db, "Smyth")
    for who in (kept, twin):
        await TraitStore(db).log(who.id, [draft(Category.SEATING, "window seat")],
                                 staff_id=waiter.id, branch="la", now=NOW)
    await TraitStore(db).log(twin.id, [draft(Category.DRINK, "black coffee")],
                             staff_id=waiter.id, branch="la", now=NOW)

    merged = await GuestMerges(db).merge(kept.id, twin.id, staff_id=waiter.id, now=LATER)

    assert merged.folded == 1
    assert sorted(await texts(db, kept.id)) == ["black coffee", "window seat"]


async def test_the_same_thing_said_in_the_other_language_is_shown_once(
    db: Database, waiter: Staff,
) -> None:
    kept, twin = await guest(db, "王伟"), await guest(db, "Wang Wei")
    garlic = {"concept": "garlic", "label_zh": "蒜", "label_en": "garlic"}
    await TraitStore(db).log(kept.id, [draft(Category.DIET, "不吃蒜", **garlic)],
                             staff_id=waiter.id, branch="sh", now=NOW)
    await TraitStore(db).log(twin.id, [draft(Category.DIET, "no garlic", **garlic),
                                       draft(Category.FOOD, "loves garlic", **garlic)],
                             staff_id=waiter.id, branch="la", now=NOW)

    merged = await GuestMerges(db).merge(kept.id, twin.id, staff_id=waiter.id, now=LATER)

    assert merged.folded == 1  # a garlic liked is not a garlic refused
    assert sorted(await texts(db, kept.id)) == ["loves garlic", "不吃蒜"]


async def test_the_guest_kept_takes_the_phone_tier_and_warning_it_lacked(
    db: Database, waiter: Staff
) -> None:
    store = GuestStore(db)
    kept = await store.set_tags((await guest(db, "Smith")).id, tier="gold", now=NOW)
    twin = await guest(db, "Smyth", "+1 213 555 0142")
    await store.set_tags(twin.id, tier="silver", segment=Segment.UNWELCOME, now=NOW)

    await GuestMerges(db).merge(kept.id, twin.id, staff_id=waiter.id, now=LATER)

    after = await store.get(kept.id)
    assert (after.phone, after.tier, after.segment) == ("+12135550142", "gold",
                                                        Segment.UNWELCOME)
    assert [h.guest.id for h in await GuestSearch(db).find("0142", branch="la")] == [kept.id]


async def test_the_merged_guest_leaves_the_search_and_its_id_leads_to_the_one_kept(
    db: Database, waiter: Staff
) -> None:
    kept, twin = await guest(db, "Smith"), await guest(db, "Bob Jones")
    await GuestMerges(db).merge(kept.id, twin.id, staff_id=waiter.id, now=LATER)
    search = GuestSearch(db)
    assert await search.find("jones", branch="la") == []
    assert [g.id for g in await search.resolve(f"#{twin.id}", branch="la")] == [kept.id]
    with pytest.raises(GuestNotFound):
        await GuestStore(db).get(twin.id)


async def test_merges_are_followed_through_a_chain(db: Database, waiter: Staff) -> None:
    first, second, third = await guest(db, "Ann"), await guest(db, "Anne"), await guest(db, "Anna")
    merges = GuestMerges(db)
    await merges.merge(second.id, first.id, staff_id=waiter.id, now=NOW)
    await merges.merge(third.id, second.id, staff_id=waiter.id, now=LATER)
    found = await GuestSearch(db).resolve(f"#{first.id}", branch="la")
    assert [g.id for g in found] == [third.id]


async def test_undo_puts_everything_back_under_the_old_id(db: Database, waiter: Staff) -> None:
    store, merges = GuestStore(db), GuestMerges(db)
    kept = await guest(db, "Smith")
    twin = await guest(db, "Smyth", "+1 213 555 0142")
    for who in (kept, twin):
        await TraitStore(db).log(who.id, [draft(Category.SEATING, "window seat")],
                                 staff_id=waiter.id, branch="la", now=NOW)
    await VisitStore(db).arrive(twin.id, branch="la", staff_id=waiter.id, now=NOW, room="1203")
    merged = await merges.merge(kept.id, twin.id, staff_id=waiter.id, now=LATER)

    restored = await merges.undo(merged.id, staff_id=waiter.id, now=LATER)

    assert (restored.id, restored.name, restored.phone) == (twin.id, "Smyth", "+12135550142")
    assert (await store.get(kept.id)).phone is None
    assert await texts(db, twin.id) == ["window seat"]  # unfolded, back where it was
    assert await texts(db, kept.id) == ["window seat"]
    search = GuestSearch(db)
    assert [g.id for g in await search.resolve("room 1203", branch="la")] == [twin.id]
    assert (await search.find("smyth", branch="la"))[0].guest.id == twin.id
    assert await merges.latest(twin.id) is None
    with pytest.raises(MergeGone):
        await merges.undo(merged.id, staff_id=waiter.id, now=LATER)
    trail = await AuditLog(db).for_guest(kept.id) + await AuditLog(db).for_guest(twin.id)
    assert sorted((e.guest_id, e.details.get("merge", e.details.get("undone")))
                  for e in trail if e.action is AuditAction.MERGE) == [
        (kept.id, merged.id), (twin.id, merged.id)]


async def test_undo_keeps_what_was_changed_since(db: Database, waiter: Staff) -> None:
    store, merges = GuestStore(db), GuestMerges(db)
    kept, twin = await guest(db, "Smith"), await guest(db, "Smyth")
    await store.set_tags(twin.id, tier="silver", now=NOW)
    merged = await merges.merge(kept.id, twin.id, staff_id=waiter.id, now=LATER)
    await store.set_tags(kept.id, tier="gold", now=LATER)
    await merges.undo(merged.id, staff_id=waiter.id, now=LATER)
    assert (await store.get(kept.id)).tier == "gold"


async def test_a_new_guest_never_takes_a_merged_guests_id(db: Database, waiter: Staff) -> None:
    kept, twin = await guest(db, "Smith"), await guest(db, "Smyth")  # twin has the top id
    merged = await GuestMerges(db).merge(kept.id, twin.id, staff_id=waiter.id, now=LATER)
    newcomer = await guest(db, "Jones")
    assert newcomer.id > twin.id
    assert (await GuestMerges(db).undo(merged.id, staff_id=waiter.id, now=LATER)).id == twin.id


async def test_what_cannot_be_merged_is_refused_and_nothing_changes(
    db: Database, waiter: Staff
) -> None:
    merges = GuestMerges(db)
    kept, twin = await guest(db, "Smith"), await guest(db, "Smyth")
    with pytest.raises(SameGuest):
        await merges.merge(kept.id, kept.id, staff_id=waiter.id, now=LATER)
    with pytest.raises(GuestNotFound):
        await merges.merge(kept.id, 404, staff_id=waiter.id, now=LATER)

    def one_table_per_guest(conn: Conn) -> None:
        conn.execute("CREATE TABLE lockers (guest_id INTEGER UNIQUE REFERENCES guests (id))")
        conn.executemany("INSERT INTO lockers VALUES (?)", [(kept.id,), (twin.id,)])

    await db.write(one_table_per_guest)
    with pytest.raises(MergeConflict, match="lockers"):
        await merges.merge(kept.id, twin.id, staff_id=waiter.id, now=LATER)
    assert (await GuestStore(db).get(twin.id)).name == "Smyth"
    assert await merges.recent() == []


async def test_erasing_the_guest_kept_erases_the_merge_record(db: Database, waiter: Staff) -> None:
    kept, twin = await guest(db, "Smith"), await guest(db, "Smyth")
    merged = await GuestMerges(db).merge(kept.id, twin.id, staff_id=waiter.id, now=LATER)
    await Erasure(db).forget(kept.id, staff_id=None, now=LATER)
    assert await GuestMerges(db).recent() == []
    with pytest.raises(MergeGone):
        await GuestMerges(db).undo(merged.id, staff_id=waiter.id, now=LATER)


async def test_every_table_pointing_at_guests_has_a_key_to_move_its_rows_back(
    db: Database,
) -> None:
    """PostgreSQL has no lasting rowid: an undo finds the rows it moved by their key."""
    schema = await db.read(Schema.read)
    assert [table for table, _ in guest_references(schema) if table not in schema.keys] == []


@pytest.mark.parametrize(("role", "merge", "unmerge"), [
    (Role.WAITER, False, False), (Role.LEAD, True, False), (Role.MANAGER, True, False),
    (Role.ADMIN, True, True),
])
def test_leads_merge_and_admins_undo(role: Role, merge: bool, unmerge: bool) -> None:
    assert (can(role, Action.MERGE), can(role, Action.UNMERGE)) == (merge, unmerge)
