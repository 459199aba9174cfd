from datetime import timedelta, timezone
from typing import Any

import pytest
from psycopg import ClientCursor

from profiles.errors import GuestNotFound, NothingToUndo, TraitNotFound
from profiles.guests import GuestStore
from profiles.models import Category, Guest, Role, Staff
from profiles.traits import TraitStore
from store.database import Database
from store.sql import dialect
from tests.conftest import join
from tests.factories import NOW, draft

WINDOW = draft(Category.SEATING, "靠窗")
PLUM = draft(Category.DRINK, "冰酸梅汤大杯", item="酸梅汤", size="large", temperature="iced")
GARLIC = draft(Category.DIET, "不吃蒜", kind="dislikes", item="蒜")


async def make_wang(db: Database, staff: Staff) -> Guest:
    return await GuestStore(db).create("王先生", "13800138000", branch="la", staff_id=staff.id,
                                       region="CN", now=NOW)


async def test_a_note_logged_in_one_branch_is_on_the_card_in_another(db: Database, waiter: Staff) -> None:
    wang = await make_wang(db, waiter)
    await TraitStore(db).log(wang.id, [WINDOW, PLUM, GARLIC], staff_id=waiter.id, branch="la", now=NOW)
    card = await GuestStore(db).card(wang.id)
    assert [(t.category, t.text, t.branch) for t in card.traits] == [
        (Category.SEATING, "靠窗", "la"), (Category.DRINK, "冰酸梅汤大杯", "la"),
        (Category.DIET, "不吃蒜", "la")]
    assert card.traits[1].attrs == {"item": "酸梅汤", "size": "large", "temperature": "iced"}


async def test_logging_a_known_trait_again_confirms_it(db: Database, waiter: Staff) -> None:
    other = await join(db, Role.WAITER, "sh", telegram_id=2002)
    wang = await make_wang(db, waiter)
    traits = TraitStore(db)
    await traits.log(wang.id, [WINDOW], staff_id=waiter.id, branch="la", now=NOW)
    later = NOW + timedelta(days=3)
    logged = await traits.log(wang.id, [draft(Category.SEATING, " 靠窗 ")], staff_id=other.id,
                              branch="sh", now=later)
    card = await GuestStore(db).card(wang.id)
    assert (logged.added, len(logged.confirmed)) == ([], 1)
    assert [(t.text, t.confirmed_count, t.confirmed_at) for t in card.traits] == [("靠窗", 1, later)]


async def test_a_note_saying_known_traits_again_is_four_round_trips(
        db: Database, waiter: Staff, monkeypatch: pytest.MonkeyPatch) -> None:
    """On PostgreSQL each statement sent is a round trip: the batch (with the BEGIN), the
    guest's standing traits, how often the three said again were confirmed, and the
    confirmations with the audit entry and the COMMIT."""
    if await db.read(dialect) != "postgresql":
        pytest.skip("a round trip is PostgreSQL's")
    wang = await make_wang(db, waiter)
    traits = TraitStore(db)
    await traits.log(wang.id, [WINDOW, PLUM, GARLIC], staff_id=waiter.id, branch="la", now=NOW)
    sent: list[str] = []
    execute = ClientCursor.execute

    def counted(cursor: ClientCursor[Any], query: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(str(query))
        return execute(cursor, query, *args, **kwargs)

    monkeypatch.setattr(ClientCursor, "execute", counted)
    again = await traits.log(wang.id, [WINDOW, PLUM, GARLIC], staff_id=waiter.id, branch="la",
                             now=NOW + timedelta(days=1))
    monkeypatch.undo()
    assert len(again.confirmed) == 3
    assert len(sent) == 4
    assert sent[0].startswith("BEGIN") and "INSERT INTO note_batches" in sent[0]
    assert "trait_confirmations" in sent[3] and sent[3].endswith("COMMIT")


async def test_what_a_note_returns_is_what_is_stored(db: Database, waiter: Staff) -> None:
    """The traits a write returns are built from what it wrote, not read back: they must
    read as the stored ones do, added or confirmed, in any zone the clock gives."""
    wang = await make_wang(db, waiter)
    traits = TraitStore(db)
    first = await traits.log(wang.id, [WINDOW, PLUM], staff_id=waiter.id, branch="la", now=NOW)
    assert first.added == (await GuestStore(db).card(wang.id)).traits
    later = (NOW + timedelta(days=1)).astimezone(timezone(timedelta(hours=8)))
    again = await traits.log(wang.id, [WINDOW, GARLIC, WINDOW], staff_id=waiter.id, branch="sh",
                             now=later)
    stored = {t.id: t for t in (await GuestStore(db).card(wang.id)).traits}
    assert [stored[t.id] for t in again.added + again.confirmed] == again.added + again.confirmed
    assert [(t.text, t.confirmed_count) for t in again.confirmed] == [("靠窗", 1)]
    # said a third time, earlier in the day than the second: counted, and last seen then
    third = await traits.log(wang.id, [WINDOW], staff_id=waiter.id, branch="la",
                             now=NOW + timedelta(hours=20))
    stored = {t.id: t for t in (await GuestStore(db).card(wang.id)).traits}
    assert [stored[t.id] for t in third.confirmed] == third.confirmed
    assert [(t.confirmed_count, t.confirmed_at) for t in third.confirmed] == [(2, later)]


async def test_undo_takes_back_exactly_one_note(db: Database, waiter: Staff) -> None:
    wang = await make_wang(db, waiter)
    traits = TraitStore(db)
    await traits.log(wang.id, [WINDOW], staff_id=waiter.id, branch="la", now=NOW)
    slip = await traits.log(wang.id, [WINDOW, GARLIC], staff_id=waiter.id, branch="la", now=NOW)
    undone = await traits.undo(slip.batch_id, staff_id=waiter.id, now=NOW)
    card = await GuestStore(db).card(wang.id)
    assert [t.text for t in undone] == ["不吃蒜"]
    assert [(t.text, t.confirmed_count) for t in card.traits] == [("靠窗", 0)]


async def test_undoing_a_confirmation_gives_back_the_count_and_time_before_it(
        db: Database, waiter: Staff) -> None:
    wang = await make_wang(db, waiter)
    traits = TraitStore(db)
    await traits.log(wang.id, [WINDOW], staff_id=waiter.id, branch="la", now=NOW)
    await traits.log(wang.id, [WINDOW], staff_id=waiter.id, branch="la", now=NOW + timedelta(1))
    slip = await traits.log(wang.id, [WINDOW], staff_id=waiter.id, branch="la",
                            now=NOW + timedelta(2))
    assert [t.confirmed_count for t in slip.confirmed] == [2]
    await traits.undo(slip.batch_id, staff_id=waiter.id, now=NOW + timedelta(2))
    card = await GuestStore(db).card(wang.id)
    assert [(t.confirmed_count, t.confirmed_at) for t in card.traits] == [(1, NOW + timedelta(1))]


async def test_undo_twice_is_refused(db: Database, waiter: Staff) -> None:
    wang = await make_wang(db, waiter)
    traits = TraitStore(db)
    logged = await traits.log(wang.id, [WINDOW], staff_id=waiter.id, branch="la", now=NOW)
    await traits.undo(logged.batch_id, staff_id=waiter.id, now=NOW)
    with pytest.raises(NothingToUndo):
        await traits.undo(logged.batch_id, staff_id=waiter.id, now=NOW)


async def test_retracted_trait_leaves_the_card_and_can_be_logged_anew(db: Database, waiter: Staff) -> None:
    wang = await make_wang(db, waiter)
    traits = TraitStore(db)
    logged = await traits.log(wang.id, [WINDOW], staff_id=waiter.id, branch="la", now=NOW)
    await traits.retract(logged.added[0].id, staff_id=waiter.id, now=NOW)
    assert (await GuestStore(db).card(wang.id)).traits == []
    with pytest.raises(TraitNotFound):
        await traits.retract(logged.added[0].id, staff_id=waiter.id, now=NOW)
    again = await traits.log(wang.id, [WINDOW], staff_id=waiter.id, branch="la", now=NOW)
    assert [t.text for t in again.added] == ["靠窗"]


async def test_a_note_that_repeats_itself_logs_once(db: Database, waiter: Staff) -> None:
    wang = await make_wang(db, waiter)
    logged = await TraitStore(db).log(wang.id, [WINDOW, WINDOW], staff_id=waiter.id, branch="la",
                                      now=NOW)
    assert (len(logged.added), logged.confirmed) == (1, [])


async def test_a_note_for_a_missing_guest_saves_nothing(db: Database, waiter: Staff) -> None:
    with pytest.raises(GuestNotFound):
        await TraitStore(db).log(999, [WINDOW], staff_id=waiter.id, branch="la", now=NOW)
    assert await db.read(lambda c: c.execute("SELECT COUNT(*) FROM note_batches").fetchone()[0]) == 0


async def test_sql_looking_text_is_stored_as_text(db: Database, waiter: Staff) -> None:
    wang = await make_wang(db, waiter)
    hostile = draft(Category.NOTE, "'); DROP TABLE traits; --")
    await TraitStore(db).log(wang.id, [hostile], staff_id=waiter.id, branch="la", now=NOW)
    assert [t.text for t in (await GuestStore(db).card(wang.id)).traits] == [hostile.text]
