"""What each role sees of a guest, decided in the core."""

from __future__ import annotations

import pytest

from profiles.models import Category, GuestCard, Role
from profiles.visibility import split_private, visible_card, visible_guest
from tests.factories import make_card, make_guest, make_staff, make_trait

ALL = {c for c in Category}


def card_for(role: Role, branch: str = "la") -> GuestCard:
    traits = [make_trait(id=i, category=c, text=c.value) for i, c in enumerate(Category)]
    traits.append(make_trait(id=99, category=Category.FAMILY, text="secret", private=True))
    return visible_card(make_card(*traits, tier="gold"), make_staff(role=role, branch=branch))


@pytest.mark.parametrize(("role", "phone", "categories", "private"), [
    (Role.HOUSEKEEPING, None, {Category.ALLERGY, Category.ROOM}, False),
    (Role.KITCHEN, None, {Category.ALLERGY, Category.DIET, Category.FOOD, Category.DRINK,
                          Category.OCCASION}, False),
    (Role.WAITER, "…8000", ALL, False),
    (Role.LEAD, "+8613800138000", ALL, True),
    (Role.MANAGER, "+8613800138000", ALL, True),
    (Role.ADMIN, "+8613800138000", ALL, True),
])
def test_each_role_sees_what_its_job_needs(role: Role, phone: str | None,
                                           categories: set[Category], private: bool) -> None:
    card = card_for(role)
    assert card.guest.phone == phone
    assert {t.category for t in card.traits if not t.private} == categories
    assert any(t.private for t in card.traits) == private


def test_a_lead_of_another_branch_sees_the_phone_tail_and_no_private_trait() -> None:
    card = card_for(Role.LEAD, branch="sh")
    assert card.guest.phone == "…8000"
    assert not any(t.private for t in card.traits)


def test_housekeeping_sees_neither_tier_nor_where_the_guest_was_seen() -> None:
    guest = visible_guest(make_guest(tier="gold", last_seen_branch="sh"),
                          make_staff(role=Role.HOUSEKEEPING))
    assert (guest.name, guest.tier, guest.last_seen_branch, guest.phone) == ("王", None, None, None)


@pytest.mark.parametrize(("text", "expected"), [
    ("🔒 wife is ill", (True, "wife is ill")),
    ("!private: divorce pending", (True, "divorce pending")),
    ("！私密：离婚了", (True, "离婚了")),
    ("private dining room", (False, "private dining room")),
])
def test_a_note_is_marked_private_by_its_first_word(text: str, expected: tuple[bool, str]) -> None:
    assert split_private(text) == expected
