"""Who the guest is, who the staff are: the validated shapes the whole core passes around."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Role(StrEnum):
    WAITER = "waiter"
    HOUSEKEEPING = "housekeeping"
    KITCHEN = "kitchen"
    LEAD = "lead"
    MANAGER = "manager"
    ADMIN = "admin"


class Category(StrEnum):
    """Trait categories, in the order a card shows them (allergies first)."""

    ALLERGY = "allergy"
    DIET = "diet"
    SEATING = "seating"
    DRINK = "drink"
    FOOD = "food"
    SERVICE = "service"
    ROOM = "room"
    OCCASION = "occasion"
    LOOKS = "looks"
    WORK = "work"
    FAMILY = "family"
    NOTE = "note"


class Segment(StrEnum):
    KEY = "key"
    REGULAR = "regular"
    NEW = "new"
    UNWELCOME = "unwelcome"


Attrs = dict[str, str | int]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TraitDraft(Frozen):
    """A trait read from a note, before anyone stored it."""

    category: Category
    text: str = Field(min_length=1)
    attrs: Attrs = Field(default_factory=dict)
    private: bool = False  # only shift leads and up may read it

    @property
    def key(self) -> str:
        """What makes two drafts "the same trait" for confirmation instead of duplication."""
        return f"{self.category}:{normalise_text(self.text)}"


class ParsedNote(Frozen):
    traits: list[TraitDraft] = Field(default_factory=list)
    unparsed: list[str] = Field(default_factory=list)
    tier_hint: str | None = None
    segment_hint: Segment | None = None


class Trait(Frozen):
    id: int
    guest_id: int
    category: Category
    text: str
    attrs: Attrs = Field(default_factory=dict)
    branch: str
    staff_id: int
    created_at: datetime
    confirmed_count: int = 0
    confirmed_at: datetime | None = None
    retracted: bool = False
    private: bool = False  # only shift leads and up may read it (profiles.visibility)

    @property
    def seen_at(self) -> datetime:
        return self.confirmed_at or self.created_at


class Guest(Frozen):
    id: int
    name: str
    honorific: str = ""
    pinyin: str = ""
    phone: str | None = None
    tier: str | None = None
    segment: Segment | None = None
    branch: str
    created_at: datetime
    last_seen_at: datetime | None = None
    last_seen_branch: str | None = None

    @property
    def ref(self) -> str:
        return f"#{self.id}"

    @property
    def phone_tail(self) -> str | None:
        return self.phone[-4:] if self.phone else None


class GuestCard(Frozen):
    """A guest with the traits staff may see, ready to be rendered."""

    guest: Guest
    traits: list[Trait]


class Staff(Frozen):
    id: int
    telegram_id: int
    name: str
    role: Role
    branch: str
    language: str
    active: bool = True
    joined_at: datetime
    unreachable_since: datetime | None = None  # blocked the bot: messages to them fail


class Invite(Frozen):
    code: str
    role: Role
    branch: str
    created_by: int | None
    created_at: datetime
    expires_at: datetime
    used_by: int | None = None


class NoteLogged(Frozen):
    """What one /note did, so it can be shown and undone as one unit."""

    batch_id: int
    guest_id: int
    added: list[Trait]
    confirmed: list[Trait]


def normalise_text(text: str) -> str:
    """Case, width and spacing folded, so "Window seat" confirms "window  seat"."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(folded.split())
