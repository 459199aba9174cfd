"""Concepts: a trait names one only when its item is that thing, whole; what a concept says
is told apart by how it is said, so a stated severity is never folded into an unknown one."""

from __future__ import annotations

import pytest

from profiles.concepts import parse_with_concepts
from profiles.guests import GuestStore
from profiles.models import Staff
from profiles.traits import TraitStore
from profiles.vocabulary import default_vocabulary
from store.database import Database
from tests.factories import NOW


def concepts(note: str) -> list[object]:
    return [t.attrs.get("concept")
            for t in parse_with_concepts(note, default_vocabulary()).traits]


@pytest.mark.parametrize(("note", "expected"), [
    ("花生过敏", ["peanut"]), ("severe peanut allergy", ["peanut"]),
    ("不吃蒜", ["garlic"]), ("no garlic", ["garlic"]), ("靠窗的位置", ["window"]),
    # a thing of its own, not the concept inside its name
    ("鲍鱼过敏", [None]), ("牛油果过敏", ["avocado"]), ("章鱼过敏", [None]),  # not beef, nor fish
])
def test_an_item_names_a_concept_only_when_it_is_that_thing(
    note: str, expected: list[object],
) -> None:
    assert concepts(note) == expected


async def new_guest(db: Database, name: str) -> int:
    guest = await GuestStore(db).create(name, None, branch="la", staff_id=None, region="US",
                                        now=NOW)
    return guest.id


async def log_note(db: Database, guest_id: int, staff: Staff, note: str) -> tuple[int, int]:
    """The note logged as /note logs it: how many traits it added, and how many it confirmed."""
    drafts = parse_with_concepts(note, default_vocabulary()).traits
    logged = await TraitStore(db).log(guest_id, drafts, staff_id=staff.id, branch="la", now=NOW)
    return len(logged.added), len(logged.confirmed)


async def test_a_stated_severity_is_a_trait_of_its_own_not_a_confirmation(
    db: Database, waiter: Staff,
) -> None:
    guest_id = await new_guest(db, "王先生")

    async def log(note: str) -> tuple[int, int]:
        return await log_note(db, guest_id, waiter, note)

    assert await log("花生过敏") == (1, 0)
    assert await log("peanut allergy") == (0, 1)  # the same, in the other language
    assert await log("severe peanut allergy, carries an epipen") == (1, 0)  # the kitchen hears
    assert await log("不吃辣") == (1, 0)
    assert await log("loves spicy food") == (1, 0)  # liked is not refused


async def test_an_allergy_said_again_without_its_severity_confirms_the_one_known(
    db: Database, waiter: Staff,
) -> None:
    guest_id = await new_guest(db, "Smith")
    assert await log_note(db, guest_id, waiter, "severe peanut allergy") == (1, 0)
    assert await log_note(db, guest_id, waiter, "花生过敏") == (0, 1)
    assert [t.attrs["severity"] for t in (await GuestStore(db).card(guest_id)).traits] == [
        "severe"]


async def test_no_sugar_and_less_sugar_are_two_things_each_said_in_either_language(
    db: Database, waiter: Staff,
) -> None:
    guest_id = await new_guest(db, "Lee")
    assert await log_note(db, guest_id, waiter, "half sugar") == (1, 0)
    assert await log_note(db, guest_id, waiter, "无糖") == (1, 0)  # none is not half
    assert await log_note(db, guest_id, waiter, "no sugar") == (0, 1)
    assert await log_note(db, guest_id, waiter, "少糖") == (0, 1)
