"""What each role may see of a guest: applied by the core before a card leaves it.

Staff see what their job needs and no more:

| role         | phone            | traits                                             |
| ------------ | ---------------- | -------------------------------------------------- |
| housekeeping | none             | allergies and room preferences (name, no tier)     |
| kitchen      | none             | allergies, diet, food, drink, occasions            |
| waiter       | last 4 digits    | every category                                     |
| lead         | whole, own branch| every category; private ones of their own branch   |
| manager/admin| whole            | everything                                         |

Nobody below lead reads a private trait. A guest is "of" a branch when it is their home
branch or where they were last seen. A masked phone keeps the last four digits after an
ellipsis ("…0142"), so `Guest.phone_tail` still works for lists.
"""

from __future__ import annotations

import re

from profiles.models import Category, Guest, GuestCard, Role, Staff, Trait

MASK = "…"
TAIL_DIGITS = 4

_HOUSEKEEPING = frozenset({Category.ALLERGY, Category.ROOM})
_KITCHEN = frozenset({Category.ALLERGY, Category.DIET, Category.FOOD, Category.DRINK,
                      Category.OCCASION})
_CATEGORIES: dict[Role, frozenset[Category]] = {
    Role.HOUSEKEEPING: _HOUSEKEEPING,
    Role.KITCHEN: _KITCHEN,
}
_PRIVATE_MARKER = re.compile(r"^\s*(?:🔒|[!！]\s*(?:private|私密|保密))\s*[:：]?\s*", re.IGNORECASE)


def visible_card(card: GuestCard, viewer: Staff) -> GuestCard:
    """The card as `viewer` may see it."""
    return GuestCard(guest=visible_guest(card.guest, viewer),
                     traits=visible_traits(card.traits, card.guest, viewer))


def visible_guest(guest: Guest, viewer: Staff) -> Guest:
    """The guest's profile as `viewer` may see it: phone masked or dropped by role."""
    if viewer.role in (Role.MANAGER, Role.ADMIN):
        return guest
    if viewer.role is Role.LEAD:
        return guest if of_branch(guest, viewer.branch) else _masked(guest)
    if viewer.role is Role.WAITER:
        return _masked(guest)
    hidden: dict[str, object] = {"phone": None}
    if viewer.role is Role.HOUSEKEEPING:
        hidden |= {"tier": None, "segment": None, "last_seen_at": None,
                   "last_seen_branch": None}
    return guest.model_copy(update=hidden)


def visible_traits(traits: list[Trait], guest: Guest, viewer: Staff) -> list[Trait]:
    allowed = _CATEGORIES.get(viewer.role)
    return [trait for trait in traits
            if (allowed is None or trait.category in allowed)
            and (not trait.private or may_read_private(trait, guest, viewer))]


def may_read_private(trait: Trait, guest: Guest, viewer: Staff) -> bool:
    """Leads read their own branch's private traits; managers and admins all of them."""
    if viewer.role in (Role.MANAGER, Role.ADMIN):
        return True
    return viewer.role is Role.LEAD and (trait.branch == viewer.branch
                                         or of_branch(guest, viewer.branch))


def of_branch(guest: Guest, branch: str) -> bool:
    return branch in (guest.branch, guest.last_seen_branch)


def mask_phone(phone: str | None) -> str | None:
    return None if phone is None else MASK + phone[-TAIL_DIGITS:]


def split_private(text: str) -> tuple[bool, str]:
    """(True, the rest) for a note marked private ("🔒 …", "!private …", "!私密 …")."""
    if found := _PRIVATE_MARKER.match(text):
        return True, text[found.end():]
    return False, text


def _masked(guest: Guest) -> Guest:
    return guest.model_copy(update={"phone": mask_phone(guest.phone)})
