"""The guest store: profiles, their search index rows, and the card a colleague recalls."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from profiles.db import Database
from profiles.errors import GuestNotFound
from profiles.models import Guest, GuestCard, Segment
from profiles.names import clean_name, pinyin_of, search_tokens, split_honorific
from profiles.phones import InvalidPhone, normalise_phone, phone_tail_key
from profiles.traits import load_traits

GUEST_COLUMNS = """
    g.id, g.name, g.honorific, g.pinyin, g.phone, g.tier, g.segment, g.branch, g.created_at,
    (SELECT v.arrived_at FROM visits v WHERE v.guest_id = g.id
      ORDER BY v.arrived_at DESC LIMIT 1) AS last_seen_at,
    (SELECT v.branch FROM visits v WHERE v.guest_id = g.id
      ORDER BY v.arrived_at DESC LIMIT 1) AS last_seen_branch
"""


class GuestStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self, raw_name: str, raw_phone: str | None, *, branch: str, staff_id: int | None,
        region: str, now: datetime,
    ) -> Guest:
        """Create a guest; the name is cleaned and split from its honorific (王先生 → 王, 先生).

        Raises InvalidName or InvalidPhone before anything is written.
        """
        name, honorific = split_honorific(clean_name(raw_name))
        phone = _phone(raw_phone, region)

        def work(conn: sqlite3.Connection) -> Guest:
            cursor = conn.execute(
                "INSERT INTO guests (name, honorific, pinyin, phone, phone_rev, branch,"
                " created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (name, honorific, pinyin_of(name).joined, phone,
                 phone_tail_key(phone) if phone else None, branch, staff_id,
                 now.isoformat(), now.isoformat()),
            )
            guest_id = int(cursor.lastrowid or 0)
            index_guest(conn, guest_id, name, honorific)
            return load_guest(conn, guest_id)

        return await self._db.write(work)

    async def get(self, guest_id: int) -> Guest:
        return await self._db.read(lambda conn: load_guest(conn, guest_id))

    async def card(self, guest_id: int) -> GuestCard:
        """The guest with every trait still standing, in one read."""

        def work(conn: sqlite3.Connection) -> GuestCard:
            return GuestCard(guest=load_guest(conn, guest_id), traits=load_traits(conn, guest_id))

        return await self._db.read(work)

    async def set_tags(
        self, guest_id: int, *, tier: str | None = None, segment: Segment | None = None,
        now: datetime,
    ) -> Guest:
        """Set the tier and/or the segment; an argument left None keeps what is stored."""

        def work(conn: sqlite3.Connection) -> Guest:
            load_guest(conn, guest_id)
            conn.execute(
                "UPDATE guests SET tier = COALESCE(?, tier), segment = COALESCE(?, segment),"
                " updated_at = ? WHERE id = ?",
                (tier, segment, now.isoformat(), guest_id),
            )
            return load_guest(conn, guest_id)

        return await self._db.write(work)

    async def set_phone(
        self, guest_id: int, raw_phone: str, *, region: str, now: datetime
    ) -> Guest:
        phone = _phone(raw_phone, region)

        def work(conn: sqlite3.Connection) -> Guest:
            load_guest(conn, guest_id)
            conn.execute(
                "UPDATE guests SET phone = ?, phone_rev = ?, updated_at = ? WHERE id = ?",
                (phone, phone_tail_key(phone) if phone else None, now.isoformat(), guest_id),
            )
            return load_guest(conn, guest_id)

        return await self._db.write(work)


def _phone(raw: str | None, region: str) -> str | None:
    if raw is None or not raw.strip():
        return None
    phone = normalise_phone(raw, region)
    if phone is None:
        raise InvalidPhone(raw)
    return phone


def index_guest(conn: sqlite3.Connection, guest_id: int, name: str, honorific: str) -> None:
    """(Re)write the guest's search row, inside the caller's transaction."""
    conn.execute("DELETE FROM guest_search WHERE rowid = ?", (guest_id,))
    conn.execute(
        "INSERT INTO guest_search (rowid, tokens) VALUES (?, ?)",
        (guest_id, " ".join(search_tokens(name, honorific))),
    )


def load_guest(conn: sqlite3.Connection, guest_id: int) -> Guest:
    row = conn.execute(f"SELECT {GUEST_COLUMNS} FROM guests g WHERE g.id = ?", (guest_id,))
    found = row.fetchone()
    if found is None:
        raise GuestNotFound(guest_id)
    return Guest.model_validate(dict(found))


def load_guests(conn: sqlite3.Connection, guest_ids: list[int]) -> list[Guest]:
    """Several guests, in the order of `guest_ids`; ids that no longer exist are skipped."""
    if not guest_ids:
        return []
    marks = ", ".join("?" for _ in guest_ids)
    rows = conn.execute(f"SELECT {GUEST_COLUMNS} FROM guests g WHERE g.id IN ({marks})", guest_ids)
    by_id = {row["id"]: Guest.model_validate(dict(row)) for row in rows}
    return [by_id[i] for i in guest_ids if i in by_id]
