"""The trait store: what staff learned about a guest, logged a note at a time, undone as one."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from profiles.access import may_take_back
from profiles.audit import AuditAction, record
from profiles.errors import GuestNotFound, NothingToUndo, TraitNotFound
from profiles.guardrails import Guardrails, default_guardrails
from profiles.models import Category, NoteLogged, Staff, Trait, TraitDraft, normalise_text
from profiles.pending import Command, spend
from profiles.visibility import visible_traits
from store.database import Database, stamp
from store.sql import Conn, Row, inserted_id, question_marks, values_of, write_later

STANDING_COLUMNS = """
    t.id, t.guest_id, t.category, t.text, t.attrs, t.branch, t.staff_id, t.created_at,
    t.retracted_at IS NOT NULL AS retracted, t.private
"""
TRAIT_COLUMNS = STANDING_COLUMNS + """,
    (SELECT COUNT(*) FROM trait_confirmations c WHERE c.trait_id = t.id) AS confirmed_count,
    (SELECT MAX(c.confirmed_at) FROM trait_confirmations c WHERE c.trait_id = t.id)
        AS confirmed_at
"""


class TraitStore:
    def __init__(self, db: Database, guardrails: Guardrails | None = None) -> None:
        self._db = db
        self._guardrails = guardrails or default_guardrails()

    async def log(
        self, guest_id: int, drafts: list[TraitDraft], *, staff_id: int, branch: str,
        now: datetime, replacing: Sequence[int] = (), spending: int | None = None,
    ) -> NoteLogged:
        """Store a note's traits as one batch; a trait the guest already has is confirmed.
        `replacing`: the guest's traits the new ones take the place of (a birthday that was
        wrong), retracted with them; `spending`: the kept /occasion this finishes.

        Raises NoteRefused, before anything is written, for words the guardrails refuse;
        PendingNoteGone when the offer was used already.
        """
        self._guardrails.check(drafts)

        def work(conn: Conn) -> NoteLogged:
            if spending is not None:
                spend(conn, spending, staff_id=staff_id, command=Command.OCCASION, now=now)
            for trait_id in replacing:
                conn.execute("UPDATE traits SET retracted_at = ?, retracted_by = ?"
                             " WHERE id = ? AND guest_id = ? AND retracted_at IS NULL",
                             (stamp(now), staff_id, trait_id, guest_id))
                record(conn, AuditAction.RETRACT, staff_id=staff_id, guest_id=guest_id,
                       now=now, details={"trait": trait_id, "replaced": True})
            return log_traits(conn, guest_id, drafts, staff_id=staff_id, branch=branch, now=now)

        return await self._db.write(work)

    async def undo(self, batch_id: int, *, staff_id: int, now: datetime,
                   by: Staff | None = None) -> list[Trait]:
        """Take back one note: what it added is retracted, what it confirmed is unconfirmed.

        Returns the traits it had added. Raises NothingToUndo when it was already undone, or
        when `by` (the staff member asking; None for the core's own use) may not take it back.
        """

        def work(conn: Conn) -> list[Trait]:
            _require_taker(conn, batch_id, by)
            cursor = conn.execute(
                "UPDATE note_batches SET undone_at = ? WHERE id = ? AND undone_at IS NULL",
                (stamp(now), batch_id),
            )
            if cursor.rowcount != 1:
                raise NothingToUndo(batch_id)
            ids = [r[0] for r in conn.execute(
                "SELECT id FROM traits WHERE batch_id = ? AND retracted_at IS NULL", (batch_id,))]
            conn.execute(
                "UPDATE traits SET retracted_at = ?, retracted_by = ?"
                " WHERE batch_id = ? AND retracted_at IS NULL",
                (stamp(now), staff_id, batch_id),
            )
            conn.execute("DELETE FROM trait_confirmations WHERE batch_id = ?", (batch_id,))
            (guest_id,) = conn.execute("SELECT guest_id FROM note_batches WHERE id = ?",
                                       (batch_id,)).fetchone()
            record(conn, AuditAction.UNDO, staff_id=staff_id, guest_id=guest_id, now=now,
                   details={"batch": batch_id, "traits": ids})
            return _load(conn, ids)

        return await self._db.write(work)

    async def retract(self, trait_id: int, *, staff_id: int, now: datetime,
                      by: Staff | None = None) -> Trait:
        """Mark a trait as no longer true; it leaves the card but stays in the history.

        Raises TraitNotFound when it is gone, or when `by` (the staff member asking; None for
        the core's own use) may not read it: what one cannot see, one cannot retract. An
        allergy only its author or a lead of its branch takes back (`may_retract`): a
        colleague's tap must not silence the kitchen."""

        def work(conn: Conn) -> Trait:
            trait = _allowed_trait(conn, trait_id, by, may_retract)
            _mark_retracted(conn, trait_id, staff_id=staff_id, now=now)
            record(conn, AuditAction.RETRACT, staff_id=staff_id, guest_id=trait.guest_id,
                   now=now, details={"trait": trait_id, "category": trait.category.value})
            return trait.model_copy(update={"retracted": True})

        return await self._db.write(work)

    async def make_private(self, batch_id: int, *, staff_id: int, now: datetime,
                           by: Staff | None = None) -> list[Trait]:
        """Make what one note added readable by shift leads and up only; the traits changed.

        Raises NothingToUndo when the note is gone or was undone, or `by` may not change it.
        """

        def work(conn: Conn) -> list[Trait]:
            _require_taker(conn, batch_id, by)
            batch = conn.execute("SELECT guest_id FROM note_batches WHERE id = ?"
                                 " AND undone_at IS NULL", (batch_id,)).fetchone()
            if batch is None:
                raise NothingToUndo(batch_id)
            ids = [r[0] for r in conn.execute(
                "SELECT id FROM traits WHERE batch_id = ? AND retracted_at IS NULL"
                " AND private = 0", (batch_id,))]
            conn.execute("UPDATE traits SET private = 1 WHERE batch_id = ?", (batch_id,))
            record(conn, AuditAction.PRIVATE, staff_id=staff_id, guest_id=batch[0], now=now,
                   details={"batch": batch_id, "traits": ids})
            return _load(conn, ids)

        return await self._db.write(work)

    async def changeable(self, trait_id: int, *, by: Staff) -> Trait:
        """A standing trait `by` may change (file again, take back): its author, or a lead
        of its branch, who can read it. Raises TraitNotFound otherwise, telling nothing."""
        return await self._db.read(lambda conn: _allowed_trait(conn, trait_id, by, may_change))

    async def readable(self, trait_id: int, *, by: Staff) -> Trait:
        """A standing trait `by` can read, whether or not they may change it. Raises
        TraitNotFound otherwise, telling nothing."""
        return await self._db.read(lambda conn: _allowed_trait(conn, trait_id, by, _anyone))


def log_traits(
    conn: Conn, guest_id: int, drafts: list[TraitDraft], *, staff_id: int, branch: str,
    now: datetime,
) -> NoteLogged:
    """A note's traits as one batch, in the caller's transaction (see `TraitStore.log`).

    Few statements, for on PostgreSQL each is a round trip: the batch (which finds the
    guest), the guest's standing traits, one per new trait, how often those said again were
    confirmed, then the confirmations together and the audit entry, which go with the
    COMMIT. The traits returned are built from what was written, not read back."""
    batch_id = _new_batch(conn, guest_id, staff_id, branch, now)
    standing: list[_Standing] = []
    # without their confirmations: a regular's traits are confirmed hundreds of times, and
    # only the few this note says again need counting
    for row in conn.execute(f"SELECT {STANDING_COLUMNS}, t.norm FROM traits t"
                            " WHERE t.guest_id = ? AND t.retracted_at IS NULL ORDER BY t.id",
                            (guest_id,)):
        values = dict(row)
        norm = str(values.pop("norm"))
        standing.append(_Standing(_trait(values), norm))
    added: list[Trait] = []
    confirmed: list[Trait] = []
    for draft in _distinct(drafts):
        existing = _standing_trait(standing, draft)
        if existing is None:
            trait = _insert_trait(conn, guest_id, draft, staff_id, branch, batch_id, now)
            added.append(trait)
            # a later piece of the same note may say this one again ("生日12月9日，12月9号生日")
            standing.append(_Standing(trait, normalise_text(draft.text)))
        elif existing not in confirmed and existing not in added:
            confirmed.append(existing)
    if confirmed:
        confirmed = _with_confirmations(conn, confirmed)
        rows, params = values_of([(trait.id, batch_id, staff_id, branch, stamp(now))
                                  for trait in confirmed])
        write_later(conn, "INSERT INTO trait_confirmations"
                    f" (trait_id, batch_id, staff_id, branch, confirmed_at) {rows}", params)
    record(conn, AuditAction.NOTE, staff_id=staff_id, guest_id=guest_id, now=now,
           details={"batch": batch_id, "added": [trait.id for trait in added],
                    "confirmed": [trait.id for trait in confirmed]})
    return NoteLogged(batch_id=batch_id, guest_id=guest_id, added=added,
                      confirmed=[_confirmed(trait, now) for trait in confirmed])


def take_for_refiling(conn: Conn, trait_id: int, *, staff_id: int, now: datetime,
                      by: Staff | None) -> Trait:
    """Retract a trait to file it again under another category, in the caller's transaction
    (see `playbooks.notes.Notes.refile`), as `may_change` allows. Raises TraitNotFound when
    it is gone, or when `by` may not."""
    trait = _allowed_trait(conn, trait_id, by, may_change)
    _mark_retracted(conn, trait_id, staff_id=staff_id, now=now)
    return trait


def _anyone(staff: Staff, trait: Trait) -> bool:
    return True


def may_change(staff: Staff, trait: Trait) -> bool:
    """Filing a trait again: its author, or a lead of the branch it was logged in."""
    return may_take_back(staff, trait.staff_id, trait.branch)


def may_retract(staff: Staff, trait: Trait) -> bool:
    """Any trait its reader; an allergy, as `may_change`: a colleague's tap must not silence
    the kitchen."""
    return trait.category is not Category.ALLERGY or may_change(staff, trait)


def _allowed_trait(conn: Conn, trait_id: int, by: Staff | None,
                   allowed: Callable[[Staff, Trait], bool]) -> Trait:
    """The standing trait, when `by` (None for the core's own use) can read it and is
    `allowed` to change it; else TraitNotFound, telling nothing: what one cannot see, one
    cannot change."""
    found = _load(conn, [trait_id])
    if not found or found[0].retracted or (by is not None and not (
            allowed(by, found[0]) and _visible(conn, found[0], by))):
        raise TraitNotFound(trait_id)
    return found[0]


def _mark_retracted(conn: Conn, trait_id: int, *, staff_id: int, now: datetime) -> None:
    conn.execute("UPDATE traits SET retracted_at = ?, retracted_by = ?"
                 " WHERE id = ? AND retracted_at IS NULL", (stamp(now), staff_id, trait_id))


def _require_taker(conn: Conn, batch_id: int, by: Staff | None) -> None:
    if by is None:
        return
    row = conn.execute("SELECT staff_id, branch FROM note_batches WHERE id = ?",
                       (batch_id,)).fetchone()
    if row is None or not may_take_back(by, row[0], row[1]):
        raise NothingToUndo(batch_id)  # as if it were not there: a refusal tells nothing


def _visible(conn: Conn, trait: Trait, viewer: Staff) -> bool:
    from profiles.guests import load_guest  # guests loads traits: import at use, not at load

    return bool(visible_traits([trait], load_guest(conn, trait.guest_id), viewer))


def load_traits(conn: Conn, guest_id: int) -> list[Trait]:
    """The guest's standing traits, oldest first."""
    rows = conn.execute(
        f"SELECT {TRAIT_COLUMNS} FROM traits t"
        " WHERE t.guest_id = ? AND t.retracted_at IS NULL ORDER BY t.created_at, t.id",
        (guest_id,),
    )
    return [_trait(row) for row in rows]


def _load(conn: Conn, trait_ids: list[int]) -> list[Trait]:
    if not trait_ids:
        return []
    marks = question_marks(trait_ids)
    rows = conn.execute(f"SELECT {TRAIT_COLUMNS} FROM traits t WHERE t.id IN ({marks})", trait_ids)
    by_id = {row["id"]: _trait(row) for row in rows}
    return [by_id[i] for i in trait_ids if i in by_id]


def _trait(row: Row | Mapping[str, object]) -> Trait:
    values = dict(row)
    values["attrs"] = json.loads(values["attrs"])
    return Trait.model_validate(values)


def _distinct(drafts: list[TraitDraft]) -> list[TraitDraft]:
    """A note that says the same thing twice logs it once."""
    return list({draft.key: draft for draft in reversed(drafts)}.values())[::-1]


def _new_batch(
    conn: Conn, guest_id: int, staff_id: int, branch: str, now: datetime
) -> int:
    """A new batch of the guest's; raises GuestNotFound, with nothing written, if there is
    no such guest."""
    cursor = conn.execute(
        "INSERT INTO note_batches (guest_id, staff_id, branch, created_at)"
        " SELECT id, ?, ?, ? FROM guests WHERE id = ? RETURNING id",
        (staff_id, branch, stamp(now), guest_id),
    )
    batch_id = inserted_id(cursor)
    if not batch_id:
        raise GuestNotFound(guest_id)
    return batch_id


@dataclass(frozen=True, slots=True)
class _Standing:
    """A standing trait of the guest, as a new note's pieces are checked against it."""

    trait: Trait
    norm: str


def _standing_trait(standing: Sequence[_Standing], draft: TraitDraft) -> Trait | None:
    """The standing trait `draft` says again (the oldest, when several do): the same words,
    or the same dated occasion however written ("生日 12月9日", then "生日12月9号"); words the
    parser could not place that a colleague filed under a category ("碰到猫毛就打喷嚏", an
    allergy) say that trait; the same concept in the other language ("no garlic", then
    "不吃蒜") is that trait too."""
    norm = normalise_text(draft.text)
    same_kind = [one for one in standing if one.trait.category == draft.category]
    found = next((one for one in same_kind if one.norm == norm), None)
    if found is None and draft.category is Category.NOTE:
        found = next((one for one in standing if one.norm == norm), None)
    if found is None and "concept" in draft.attrs:
        found = next((one for one in same_kind if says_again(draft.attrs, one.trait.attrs)),
                     None)
    day = _occasion_day(draft.attrs)
    if found is None and day is not None:
        found = next((one for one in same_kind if _occasion_day(one.trait.attrs) == day), None)
    return None if found is None else found.trait


def _with_confirmations(conn: Conn, traits: list[Trait]) -> list[Trait]:
    """`traits`, read without their confirmations, with how often and when last they were
    confirmed (what `TRAIT_COLUMNS` reads)."""
    marks = question_marks(traits)
    seen = {row[0]: (row[1], row[2]) for row in conn.execute(
        "SELECT trait_id, COUNT(*), MAX(confirmed_at) FROM trait_confirmations"
        f" WHERE trait_id IN ({marks}) GROUP BY trait_id", [trait.id for trait in traits])}
    return [trait.model_copy(update={"confirmed_count": seen[trait.id][0],
                                     "confirmed_at": datetime.fromisoformat(seen[trait.id][1])})
            if trait.id in seen else trait for trait in traits]


def _confirmed(trait: Trait, now: datetime) -> Trait:
    """`trait` as it reads once confirmed at `now` (what `TRAIT_COLUMNS` would read back)."""
    last = now if trait.confirmed_at is None else max(trait.confirmed_at, now)
    return Trait.model_validate({**trait.model_dump(), "confirmed_count":
                                 trait.confirmed_count + 1, "confirmed_at": stamp(last)})


def says_again(new: Mapping[str, object], standing: Mapping[str, object]) -> bool:
    """Whether a trait naming a concept says what a standing one says, whatever the language:
    the same thing, said the same way (liked or disliked, refused or avoided, iced or hot).
    A stated severity says again only the same severity, so that "severe" is never folded
    into what the kitchen knew as less; an allergy of unknown severity says again any."""
    if new.get("concept") is None:
        return False
    names = ["concept", "polarity", "kind", "size", "temperature"]
    if new.get("severity") not in (None, "unknown"):
        names.append("severity")
    return all(new.get(name) == standing.get(name) for name in names)


def _occasion_day(attrs: Mapping[str, object]) -> tuple[object, ...] | None:
    """An occasion's kind and day, when it has both (a birthday on 12-09, lunar or not)."""
    if not attrs.get("kind") or attrs.get("month") is None or attrs.get("day") is None:
        return None
    return (attrs["kind"], attrs["month"], attrs["day"], attrs.get("calendar") or "solar")


_INSERT_TRAIT = """
    INSERT INTO traits (guest_id, category, text, norm, attrs, branch, staff_id, batch_id,
                        created_at, private)
    VALUES (:guest_id, :category, :text, :norm, :attrs, :branch, :staff_id, :batch_id,
            :created_at, :private)
    RETURNING id
"""


def _insert_trait(
    conn: Conn, guest_id: int, draft: TraitDraft, staff_id: int, branch: str,
    batch_id: int, now: datetime,
) -> Trait:
    """The new trait as stored, built from what was written rather than read back."""
    values = {"guest_id": guest_id, "category": draft.category, "text": draft.text,
              "norm": normalise_text(draft.text),
              "attrs": json.dumps(draft.attrs, ensure_ascii=False), "branch": branch,
              "staff_id": staff_id, "batch_id": batch_id, "created_at": stamp(now),
              "private": int(draft.private)}
    cursor = conn.execute(_INSERT_TRAIT, values)
    stored = {name: value for name, value in values.items() if name not in ("norm", "batch_id")}
    return _trait({**stored, "id": inserted_id(cursor), "retracted": False,
                   "confirmed_count": 0, "confirmed_at": None})
