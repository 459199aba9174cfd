"""Before a guest is created: those already there who may be the same person."""

from __future__ import annotations

import pytest

from profiles.duplicates import DuplicateFinder, Why
from profiles.guests import GuestStore
from profiles.models import Category, Guest, Role, Staff
from profiles.names import InvalidName
from profiles.phones import InvalidPhone
from profiles.traits import TraitStore
from store.database import Database
from tests.factories import NOW, draft, make_staff


async def guest(db: Database, name: str, phone: str | None = None, *, branch: str = "sh",
                region: str = "CN") -> Guest:
    return await GuestStore(db).create(name, phone, branch=branch, staff_id=None, region=region,
                                       now=NOW)


async def likely(db: Database, name: str, phone: str | None = None, *, branch: str = "sh",
                 region: str = "CN", viewer: Staff | None = None) -> list[tuple[int, Why]]:
    found = await DuplicateFinder(db).likely(name, phone, region=region, branch=branch,
                                             viewer=viewer)
    return [(duplicate.card.guest.id, duplicate.why) for duplicate in found]


@pytest.mark.parametrize("typed", ["13800138000", "+86 138 0013 8000", "138-0013-8000"])
async def test_the_same_phone_in_any_format_is_the_same_guest(db: Database, typed: str) -> None:
    wang = await guest(db, "王先生", "138 0013 8000")
    assert await likely(db, "Mr Wang", typed) == [(wang.id, Why.PHONE)]


async def test_the_same_name_or_pinyin_may_be_the_same_guest(db: Database) -> None:
    wang = await guest(db, "王伟")
    homophone = await guest(db, "王玮")
    assert await likely(db, "王伟") == [(wang.id, Why.NAME), (homophone.id, Why.PINYIN)]
    assert await likely(db, "Wang Wei") == [(homophone.id, Why.PINYIN), (wang.id, Why.PINYIN)]


async def test_a_latin_name_a_typo_away_may_be_the_same_guest(db: Database) -> None:
    smith = await guest(db, "John Smith", region="US")
    assert await likely(db, "John Smyth", region="US") == [(smith.id, Why.SIMILAR)]
    assert await likely(db, "Jon Smyth", region="US") == []  # two typos: someone else


async def test_a_chinese_name_a_letter_away_in_pinyin_is_someone_else(db: Database) -> None:
    await guest(db, "杨先生")  # yang
    assert await likely(db, "王先生") == []  # wang


async def test_another_phone_or_gender_is_someone_else(db: Database) -> None:
    mr = await guest(db, "王先生", "13800138000")
    ms = await guest(db, "王女士")
    assert await likely(db, "王先生", "13900139000") == []
    # 总 says nothing of gender
    assert sorted(await likely(db, "王总")) == [(mr.id, Why.NAME), (ms.id, Why.NAME)]


async def test_the_strongest_reason_and_the_callers_branch_come_first(db: Database) -> None:
    elsewhere = await guest(db, "王先生", branch="la")
    here = await guest(db, "王先生", branch="sh")
    by_phone = await guest(db, "Bob", "13800138000", branch="la")
    assert await likely(db, "王先生", "13800138000") == [
        (by_phone.id, Why.PHONE), (here.id, Why.NAME), (elsewhere.id, Why.NAME)]


async def test_at_most_three_are_shown_with_their_traits(db: Database, waiter: Staff) -> None:
    for _ in range(5):
        await guest(db, "王先生")
    newest = await guest(db, "王先生")
    await TraitStore(db).log(newest.id, [draft(Category.SEATING, "靠窗")], staff_id=waiter.id,
                             branch="sh", now=NOW)
    found = await DuplicateFinder(db).likely("王先生", None, region="CN", branch="sh")
    assert len(found) == 3
    assert [t.text for t in found[0].card.traits] == ["靠窗"]


async def test_a_waiter_sees_only_the_phones_last_digits(db: Database) -> None:
    await guest(db, "王先生", "13800138000")
    [found] = await DuplicateFinder(db).likely("王先生", None, region="CN", branch="sh",
                                                viewer=make_staff(role=Role.WAITER))
    assert found.card.guest.phone == "…8000"


async def test_what_could_not_be_created_is_refused_first(db: Database) -> None:
    finder = DuplicateFinder(db)
    with pytest.raises(InvalidName):
        await finder.likely("\u200b", None, region="CN", branch="sh")
    with pytest.raises(InvalidPhone):
        await finder.likely("王先生", "12", region="CN", branch="sh")
