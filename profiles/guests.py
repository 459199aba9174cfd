"""The guest store: profiles, their search index rows, and the card a colleague recalls."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from profiles.audit import AuditAction, record
from profiles.errors import GuestNotFound
from profiles.models import Frozen, Guest, GuestCard, Segment, Staff
from profiles.names import clean_name, pinyin_of, split_honorific
from profiles.pending import Command, spend
from profiles.phones import InvalidPhone, optional_phone, phone_tail_key, require_phone
from profiles.search_index import index_guest
from profiles.traits import load_traits
from profiles.visibility import visible_card
from store.database import Database, stamp
from store.sql import Conn, Cursor, Row, dialect, inserted_id, question_marks

GUEST_COLUMNS = """
    g.id, g.name, g.honorific, g.pinyin, g.phone, g.tier, g.segment, g.branch, g.created_at,
    (SELECT v.arrived_at FROM visits v WHERE v.guest_id = g.id
      ORDER BY v.arrived_at DESC LIMIT 1) AS last_seen_at,
    (SELECT v.branch FROM visits v WHERE v.guest_id = g.id
      ORDER BY v.arrived_at DESC LIMIT 1) AS last_seen_branch
"""


# ids per IN (…) list: a chain-wide list may name tens of thousands of guests
ID_CHUNK = 500


class NewGuest(Frozen):
    """A guest to create, read and checked: the name split from its honorific, the phone in
    E.164 (`GuestStore.new_guest`), so the transaction that creates it cannot fail on them."""

    name: str
    honorific: str
    phone: str | None = None


class GuestStore:
    def __init__(self, db: Database, *, phone_regions: Sequence[str] = ()) -> None:
        self._db = db
        self._regions = tuple(phone_regions)  # the chain's: a phone is tried in these too

    async def create(
        self, raw_name: str, raw_phone: str | None, *, branch: str, staff_id: int | None,
        region: str, now: datetime,
    ) -> Guest:
        """Create a guest; the name is cleaned and split from its honorific (王先生 → 王, 先生).

        Raises InvalidName or InvalidPhone before anything is written.
        """
        new = self.new_guest(raw_name, raw_phone, region=region)
        return await self._db.write(lambda conn: insert_guest(
            conn, new.name, new.honorific, new.phone, branch=branch, staff_id=staff_id,
            now=now))

    async def create_kept(
        self, pending_id: int, *, branch: str, staff_id: int, region: str, now: datetime
    ) -> Guest:
        """The /new kept for "a new one after all": used up and its guest created, in one
        transaction. Raises PendingNoteGone for a second press."""

        def work(conn: Conn) -> Guest:
            kept = spend(conn, pending_id, staff_id=staff_id, command=Command.NEW, now=now)
            new = self.new_guest(kept.name, kept.phone, region=region)  # read when it was kept
            return insert_guest(conn, new.name, new.honorific, new.phone, branch=branch,
                                staff_id=staff_id, now=now)

        return await self._db.write(work)

    async def choose_kept(
        self, pending_id: int, guest_id: int, *, staff_id: int, region: str, now: datetime
    ) -> tuple[Guest, bool]:
        """The /new kept for "the same guest": used up, and its phone given to the guest if
        they had none, in one transaction; the guest, and whether the phone was added.
        Raises PendingNoteGone for a second press, GuestNotFound (nothing used up)."""

        def work(conn: Conn) -> tuple[Guest, bool]:
            kept = spend(conn, pending_id, staff_id=staff_id, command=Command.NEW, now=now)
            guest = load_guest(conn, guest_id)
            if guest.phone is not None or not kept.phone:
                return guest, False
            try:
                phone = require_phone(kept.phone, region, self._regions)
            except InvalidPhone:  # checked when /new was sent; kept as typed
                return guest, False
            return _write_phone(conn, guest_id, phone, staff_id=staff_id, now=now), True

        return await self._db.write(work)

    def new_guest(self, raw_name: str, raw_phone: str | None, *, region: str) -> NewGuest:
        """The name cleaned and split (王先生 → 王, 先生), the phone normalised; raises
        InvalidName or InvalidPhone."""
        name, honorific = split_honorific(clean_name(raw_name))
        return NewGuest(name=name, honorific=honorific,
                        phone=optional_phone(raw_phone, region, self._regions))

    async def get(self, guest_id: int) -> Guest:
        return await self._db.read(lambda conn: load_guest(conn, guest_id))

    async def card(self, guest_id: int, *, viewer: Staff | None = None) -> GuestCard:
        """The guest with every trait still standing, in one read, as `viewer`'s role may see
        it (profiles.visibility). Without a viewer, everything: for the core's own use
        (export, erasure, tests); the bot always names one (tests/test_architecture.py)."""

        def work(conn: Conn) -> GuestCard:
            card = GuestCard(guest=load_guest(conn, guest_id), traits=load_traits(conn, guest_id))
            return card if viewer is None else visible_card(card, viewer)

        return await self._db.read(work)

    async def set_tags(
        self, guest_id: int, *, tier: str | None = None, segment: Segment | None = None,
        now: datetime, staff_id: int | None = None, spending: int | None = None,
    ) -> Guest:
        """Set the tier and/or the segment; an argument left None keeps what is stored.
        `spending`: the kept /tag this finishes, used up with it (raises PendingNoteGone)."""

        def work(conn: Conn) -> Guest:
            if spending is not None:
                spend(conn, spending, staff_id=staff_id or 0, command=Command.TAG, now=now)
            # a new segment is the guest's status (lists read it): the sweep stores it next
            stale = "" if segment is None else ", status_at = NULL"
            _require_updated(guest_id, conn.execute(
                "UPDATE guests SET tier = COALESCE(?, tier), segment = COALESCE(?, segment),"
                f" updated_at = ?{stale} WHERE id = ?",
                (tier, segment, stamp(now), guest_id),
            ))
            record(conn, AuditAction.TAG, staff_id=staff_id, guest_id=guest_id, now=now,
                   details={"tier": tier, "segment": segment})
            return load_guest(conn, guest_id)

        return await self._db.write(work)

    async def set_phone(
        self, guest_id: int, raw_phone: str, *, region: str, now: datetime,
        staff_id: int | None = None, spending: int | None = None,
    ) -> Guest:
        """Add or change the guest's phone, read as everywhere (the branch's `region`, then the
        chain's others) and audited with the last digits of the old and new numbers.
        `spending`: the kept /phone this finishes. Raises InvalidPhone, GuestNotFound,
        PendingNoteGone."""
        phone = require_phone(raw_phone, region, self._regions)

        def work(conn: Conn) -> Guest:
            if spending is not None:
                spend(conn, spending, staff_id=staff_id or 0, command=Command.PHONE, now=now)
            return _write_phone(conn, guest_id, phone, staff_id=staff_id, now=now)

        return await self._db.write(work)

    async def rename(self, guest_id: int, raw_name: str, *, now: datetime) -> Guest:
        """Correct a guest's name (and honorific); the search index follows in the same write.

        Raises InvalidName before anything is written, GuestNotFound for an unknown guest.
        """
        name, honorific = split_honorific(clean_name(raw_name))

        def work(conn: Conn) -> Guest:
            _require_updated(guest_id, conn.execute(
                "UPDATE guests SET name = ?, honorific = ?, pinyin = ?, updated_at = ?"
                " WHERE id = ?",
                (name, honorific, pinyin_of(name).joined, stamp(now), guest_id),
            ))
            index_guest(conn, guest_id)
            return load_guest(conn, guest_id)

        return await self._db.write(work)


def _write_phone(
    conn: Conn, guest_id: int, phone: str, *, staff_id: int | None, now: datetime
) -> Guest:
    """Set a read phone, audited with the last digits of the old and new numbers."""
    before = conn.execute("SELECT phone FROM guests WHERE id = ?", (guest_id,)).fetchone()
    _require_updated(guest_id, conn.execute(
        "UPDATE guests SET phone = ?, phone_rev = ?, updated_at = ? WHERE id = ?",
        (phone, phone_tail_key(phone), stamp(now), guest_id),
    ))
    record(conn, AuditAction.PHONE, staff_id=staff_id, guest_id=guest_id, now=now,
           details={"from": before[0][-4:] if before[0] else None, "to": phone[-4:]})
    return load_guest(conn, guest_id)


def _require_updated(guest_id: int, cursor: Cursor) -> None:
    """GuestNotFound when the UPDATE found no such guest."""
    if cursor.rowcount != 1:
        raise GuestNotFound(guest_id)


def insert_guest(
    conn: Conn, name: str, honorific: str, phone: str | None, *, branch: str,
    staff_id: int | None, now: datetime,
) -> Guest:
    """A new guest, indexed and audited, in the caller's transaction; the name already
    cleaned and split, the phone already normalised."""
    cursor = conn.execute(
        "INSERT INTO guests (id, name, honorific, pinyin, phone, phone_rev, branch,"
        " created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " RETURNING id",
        (next_guest_id(conn), name, honorific, pinyin_of(name).joined, phone,
         phone_tail_key(phone) if phone else None, branch, staff_id, stamp(now), stamp(now)),
    )
    guest_id = inserted_id(cursor)
    index_guest(conn, guest_id)
    record(conn, AuditAction.CREATE, staff_id=staff_id, guest_id=guest_id, now=now)
    return load_guest(conn, guest_id)


def next_guest_id(conn: Conn) -> int:
    """Above every guest's and every erased guest's id: an erased id is never reused, since
    old buttons, sent-log keys and the audit trail still name it. Nor is a merged guest's:
    its #id leads to the guest kept, and an undone merge gives it back."""
    (top,) = conn.execute(
        "SELECT MAX(id) FROM (SELECT MAX(id) AS id FROM guests"
        " UNION ALL SELECT MAX(id) FROM erased_guests"
        " UNION ALL SELECT MAX(merged_guest_id) FROM guest_merges) AS tops"
    ).fetchone()
    return int(top or 0) + 1


def load_guest(conn: Conn, guest_id: int) -> Guest:
    row = conn.execute(f"SELECT {GUEST_COLUMNS} FROM guests g WHERE g.id = ?", (guest_id,))
    found = row.fetchone()
    if found is None:
        raise GuestNotFound(guest_id)
    return Guest.model_validate(dict(found))


def load_guests(conn: Conn, guest_ids: list[int]) -> list[Guest]:
    """Several guests, in the order of `guest_ids`; ids that no longer exist are skipped."""
    by_id: dict[int, Guest] = {}
    for start in range(0, len(guest_ids), ID_CHUNK):  # under any database's parameter limit
        chunk = guest_ids[start:start + ID_CHUNK]
        marks = question_marks(chunk)
        rows = conn.execute(f"SELECT {GUEST_COLUMNS} FROM guests g WHERE g.id IN ({marks})",
                            chunk)
        by_id |= {row["id"]: Guest.model_validate(dict(row)) for row in rows}
    return [by_id[i] for i in guest_ids if i in by_id]


def guest_with_phone(conn: Conn, phone: str) -> int | None:
    """The first guest with this number (E.164), found through the phone-tail index: a
    plain `phone = ?` would read every guest."""
    row = conn.execute("SELECT id FROM guests WHERE phone_rev = ? AND phone = ?"
                       " ORDER BY id LIMIT 1", (phone_tail_key(phone), phone)).fetchone()
    return None if row is None else int(row[0])


def guests_named(conn: Conn, name: str, honorific: str, *, limit: int = 2) -> list[Row]:
    """Guests of exactly this name and honorific (id, phone), found through the name index
    (SQLite's NOCASE one, PostgreSQL's on lower(name)), the case then checked exactly."""
    indexed = "name = ? COLLATE NOCASE" if dialect(conn) == "sqlite" else "lower(name) = lower(?)"
    return list(conn.execute(
        f"SELECT id, phone FROM guests WHERE {indexed} AND name = ? AND honorific = ? LIMIT ?",
        (name, name, honorific, limit)).fetchall())
