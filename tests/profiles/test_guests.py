import pytest

from profiles.errors import GuestNotFound
from profiles.guests import GuestStore
from profiles.models import Segment, Staff
from profiles.names import InvalidName
from profiles.phones import InvalidPhone
from profiles.search_index import indexed_ids, indexed_row
from store.database import Database
from tests.factories import NOW


async def test_a_guest_is_created_with_honorific_pinyin_and_normalised_phone(db: Database, waiter: Staff) -> None:
    guest = await GuestStore(db).create("王先生", "138 0013 8000", branch="la", staff_id=waiter.id,
                                        region="CN", now=NOW)
    assert (guest.name, guest.honorific, guest.pinyin, guest.phone) == (
        "王", "先生", "wang", "+8613800138000")
    assert guest.ref == f"#{guest.id}" and guest.phone_tail == "8000"


async def test_bad_name_or_phone_creates_nothing(db: Database, waiter: Staff) -> None:
    store = GuestStore(db)
    with pytest.raises(InvalidName):
        await store.create("\u200b ", None, branch="la", staff_id=waiter.id, region="CN", now=NOW)
    with pytest.raises(InvalidPhone):
        await store.create("Smith", "12", branch="la", staff_id=waiter.id, region="US", now=NOW)
    assert await db.read(lambda c: c.execute("SELECT COUNT(*) FROM guests").fetchone()[0]) == 0


async def test_tags_change_only_what_is_given(db: Database, waiter: Staff) -> None:
    store = GuestStore(db)
    guest = await store.create("Smith", None, branch="la", staff_id=waiter.id, region="US", now=NOW)
    await store.set_tags(guest.id, tier="gold", now=NOW)
    tagged = await store.set_tags(guest.id, segment=Segment.KEY, now=NOW)
    assert (tagged.tier, tagged.segment) == ("gold", Segment.KEY)


async def test_an_unknown_guest_is_named_as_such(db: Database) -> None:
    with pytest.raises(GuestNotFound):
        await GuestStore(db).card(404)


async def test_changing_an_unknown_guest_is_refused_and_writes_nothing(db: Database) -> None:
    store = GuestStore(db)
    with pytest.raises(GuestNotFound):
        await store.set_tags(404, tier="gold", now=NOW)
    with pytest.raises(GuestNotFound):
        await store.set_phone(404, "+1 213 555 0142", region="US", now=NOW)
    with pytest.raises(GuestNotFound):
        await store.rename(404, "Smith", now=NOW)
    assert await db.read(lambda c: c.execute("SELECT COUNT(*) FROM audit").fetchone()[0]) == 0


async def test_the_search_row_is_written_with_the_guest(db: Database, waiter: Staff) -> None:
    guest = await GuestStore(db).create("王先生", None, branch="la", staff_id=waiter.id,
                                        region="CN", now=NOW)
    ids, row = await db.read(lambda c: (indexed_ids(c), indexed_row(c, guest.id)))
    assert ids == {guest.id}
    assert row is not None and "wang" in row.tokens.split()
