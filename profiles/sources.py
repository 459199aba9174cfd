"""Guests named by an outside system's own id, matched as staff would match them.

A source (a PMS, a POS, a reservation system) sends its id for a guest with a name and maybe
a phone. The id it used before is that guest. Otherwise the phone, then a name exactly one
guest has (and only when no phone says it is someone else), as the reservation import does;
else a new guest. Two people are never merged silently: an id already kept for one guest
whose phone now belongs to another is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import Field

from profiles.guests import guest_with_phone, guests_named, insert_guest, load_guest
from profiles.models import Frozen, Guest
from profiles.names import clean_name, split_honorific
from profiles.phones import optional_phone, phone_tail_key
from store.database import stamp
from store.sql import Conn


class SourceConflict(Exception):
    """What the source sent names two different guests; nothing was written."""


class UnknownSource(LookupError):
    """A bare source id the source never sent with a name."""


class GuestData(Frozen):
    """A guest as an outside system describes them."""

    source_id: str | None = Field(default=None, min_length=1, max_length=100)
    name: str | None = Field(default=None, min_length=1, max_length=100)
    phone: str | None = Field(default=None, max_length=40)


class Matched(Frozen):
    guest: Guest
    created: bool


def match_guest(
    conn: Conn, source: str, data: GuestData, *, branch: str, region: str,
    regions: Sequence[str], now: datetime,
) -> Matched:
    """The guest `data` means, created if none; its source id kept. Raises InvalidPhone,
    InvalidName, SourceConflict, or UnknownSource."""
    phone = optional_phone(data.phone, region, regions)
    known = _by_source(conn, source, data.source_id) if data.source_id else None
    by_phone = guest_with_phone(conn, phone) if phone else None
    if known is not None:
        if by_phone is not None and by_phone != known:
            raise SourceConflict(f"guest {data.source_id!r} is #{known}, but the phone is "
                                 f"#{by_phone}'s")
        if phone and by_phone is None:
            _give_phone(conn, known, phone, now)
        return Matched(guest=load_guest(conn, known), created=False)
    found = by_phone
    if found is None and data.name:
        found = _by_exact_name(conn, data.name, phone)
    created = found is None
    if found is None:
        if not data.name:
            raise UnknownSource(f"no guest {data.source_id!r}: send a name to create one")
        name, honorific = split_honorific(clean_name(data.name))
        found = insert_guest(conn, name, honorific, phone, branch=branch, staff_id=None,
                             now=now).id
    if data.source_id:
        conn.execute("INSERT INTO guest_sources (source, source_id, guest_id) VALUES (?, ?, ?)",
                     (source, data.source_id, found))
    return Matched(guest=load_guest(conn, found), created=created)


def guest_of_source(conn: Conn, source: str, source_id: str) -> int | None:
    return _by_source(conn, source, source_id)


def _by_source(conn: Conn, source: str, source_id: str | None) -> int | None:
    row = conn.execute("SELECT guest_id FROM guest_sources WHERE source = ? AND source_id = ?",
                       (source, source_id)).fetchone()
    return None if row is None else int(row["guest_id"])


def _by_exact_name(conn: Conn, raw_name: str, phone: str | None) -> int | None:
    name, honorific = split_honorific(clean_name(raw_name))
    rows = guests_named(conn, name, honorific)
    if len(rows) != 1 or (phone and rows[0]["phone"]):
        return None  # several of that name, or one whose phone says it is someone else
    return int(rows[0]["id"])


def _give_phone(conn: Conn, guest_id: int, phone: str, now: datetime) -> None:
    conn.execute("UPDATE guests SET phone = ?, phone_rev = ?, updated_at = ? WHERE id = ?"
                 " AND phone IS NULL", (phone, phone_tail_key(phone), stamp(now), guest_id))
