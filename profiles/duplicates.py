"""Likely duplicates of a guest about to be created: the same phone, or the same name.

Three waiters who meet 王先生 must not create him three times: before a guest is created, the
ones that may be him already are looked up, in one read, by
- the same phone number, however it was typed (both are stored in E.164);
- the same name, or the same pinyin (王伟 and 王玮, or "Wang Wei" typed in latin letters);
- a latin name one typo away ("Smyth" for Smith), through the typo vocabulary.
A guest whose phone differs from the one given is someone else, and so is one whose
honorific says otherwise (先生 / Mr against 女士 / Ms).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Final

from rapidfuzz.distance import OSA

from profiles.guests import GUEST_COLUMNS
from profiles.models import Frozen, Guest, GuestCard, Staff
from profiles.names import clean_name, pinyin_of, split_honorific
from profiles.phones import optional_phone, phone_tail_key
from profiles.traits import load_traits
from profiles.typos import NameVocabulary, Vocabulary
from profiles.visibility import of_branch, visible_card
from store.database import Database
from store.sql import Conn, dialect

# Enough to recognise him; a common name has thousands of namesakes in a chain.
PER_SOURCE: Final = 20
SHOWN: Final = 3
# Only a latin name is corrected: a pinyin a letter away is another Chinese name (wang, yang).
SIMILAR_MIN_LENGTH: Final = 5

_MALE = frozenset({"先生", "Mr"})
_FEMALE = frozenset({"女士", "小姐", "太太", "Ms", "Mrs", "Miss"})


class Why(StrEnum):
    """Why a guest may be the one about to be created, strongest first."""

    PHONE = "phone"
    NAME = "name"
    PINYIN = "pinyin"
    SIMILAR = "similar"


class Duplicate(Frozen):
    card: GuestCard
    why: Why


class DuplicateFinder:
    def __init__(self, db: Database, vocabulary: Vocabulary | None = None, *,
                 phone_regions: Sequence[str] = ()) -> None:
        self._db = db
        self._vocabulary = vocabulary or NameVocabulary()
        self._regions = tuple(phone_regions)  # read phones as GuestStore.create does

    async def likely(
        self, raw_name: str, raw_phone: str | None, *, region: str, branch: str,
        viewer: Staff | None = None, limit: int = SHOWN,
    ) -> list[Duplicate]:
        """The guests `raw_name` (with `raw_phone`) may already be, most likely first; as
        `viewer`'s role may see them (`profiles.visibility`).

        Raises InvalidName or InvalidPhone for what `GuestStore.create` would refuse.
        """
        name, honorific = split_honorific(clean_name(raw_name))
        phone = optional_phone(raw_phone, region, self._regions)

        def work(conn: Conn) -> list[Duplicate]:
            found = self._candidates(conn, name, phone, branch)
            kept = [(why, guest) for why, guest in found
                    if _compatible(honorific, guest.honorific)
                    and (why is Why.PHONE or not _other_phone(phone, guest.phone))]
            kept.sort(key=lambda pair: _rank(pair[0], pair[1], branch))
            cards = [(GuestCard(guest=guest, traits=load_traits(conn, guest.id)), why)
                     for why, guest in kept[:limit]]
            return [Duplicate(card=card if viewer is None else visible_card(card, viewer),
                              why=why) for card, why in cards]

        return await self._db.read(work)

    def _candidates(self, conn: Conn, name: str, phone: str | None,
                    branch: str) -> list[tuple[Why, Guest]]:
        joined = pinyin_of(name).joined
        sources: list[tuple[Why, str, tuple[object, ...]]] = []
        if phone is not None:
            sources.append((Why.PHONE, "g.phone_rev = ?", (phone_tail_key(phone),)))
        same_name = _same_name(conn)
        sources += [(Why.NAME, f"{same_name} AND g.branch = ?", (name, branch)),
                    (Why.NAME, same_name, (name,))]
        if joined:
            sources += [(Why.PINYIN, "g.pinyin = ? AND g.branch = ?", (joined, branch)),
                        (Why.PINYIN, "g.pinyin = ?", (joined,))]
        for similar in self._similar(conn, name, joined):
            sources.append((Why.SIMILAR, "g.pinyin = ?", (similar,)))
        found: dict[int, tuple[Why, Guest]] = {}
        for why, where, values in sources:
            for guest in _guests(conn, where, values):
                found.setdefault(guest.id, (why, guest))
        return list(found.values())

    def _similar(self, conn: Conn, name: str, joined: str) -> Iterable[str]:
        if not name.isascii() or len(joined) < SIMILAR_MIN_LENGTH:
            return []
        corrected = self._vocabulary.corrections(conn, [joined])[joined]
        return [word for word in corrected if OSA.distance(word, joined) <= 1]


def _same_name(conn: Conn) -> str:
    """The name typed, in any case. SQLite's NOCASE folds ASCII letters only, enough for latin
    names; PostgreSQL's lower() folds every script. Each database indexes its own form."""
    return "g.name = ? COLLATE NOCASE" if dialect(conn) == "sqlite" else "lower(g.name) = lower(?)"


def _guests(conn: Conn, where: str, values: tuple[object, ...]) -> list[Guest]:
    rows = conn.execute(f"SELECT {GUEST_COLUMNS} FROM guests g WHERE {where}"
                        " ORDER BY g.id DESC LIMIT ?", (*values, PER_SOURCE))
    return [Guest.model_validate(dict(row)) for row in rows]


def _compatible(wanted: str, honorific: str) -> bool:
    """先生 and Mr agree, 女士 and Ms; any other pair agrees (总 may well be 先生)."""
    mine, theirs = _gender(wanted), _gender(honorific)
    return mine is None or theirs is None or mine == theirs


def _gender(honorific: str) -> str | None:
    return "m" if honorific in _MALE else "f" if honorific in _FEMALE else None


def _other_phone(phone: str | None, theirs: str | None) -> bool:
    return phone is not None and theirs is not None and phone != theirs


def _rank(why: Why, guest: Guest, branch: str) -> tuple[int, bool, float]:
    """The strongest reason first, then the caller's branch, then the most recently seen."""
    seen = guest.last_seen_at or guest.created_at
    return list(Why).index(why), not of_branch(guest, branch), -seen.timestamp()
