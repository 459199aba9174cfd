"""A guest's full record, as the JSON document handed over when they ask for their data.

Profile, every trait (retracted and private ones too) with who logged it where and when and who
confirmed it, visits, occasions, feedback, requests, and the rows of any other table that
points at the guest, found in the schema the way an erasure finds them, so a table added
later is exported too. The export itself is recorded in the audit trail.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from profiles.audit import AuditAction, record
from profiles.erasure import Schema
from profiles.errors import GuestNotFound
from store.database import Database, stamp
from store.sql import Conn, dialect

Row = dict[str, Any]
FORMAT = "guestcard.guest-export/1"
# exported in their own sections, or not at all (the search index is derived from the profile)
_SECTIONS = {"traits", "visits", "feedback", "requests", "note_batches",
             "trait_confirmations", "guests", "guest_search"}


class Export:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def guest(self, guest_id: int, *, staff_id: int, now: datetime) -> Row:
        """The document; raises GuestNotFound. Recorded as an export by `staff_id`."""

        def work(conn: Conn) -> Row:
            document = guest_record(conn, guest_id, now)
            record(conn, AuditAction.EXPORT, staff_id=staff_id, guest_id=guest_id, now=now,
                   details={"sections": sorted(document)})
            return document

        return await self._db.write(work)


def guest_record(conn: Conn, guest_id: int, now: datetime) -> Row:
    profile = _one(conn, "SELECT * FROM guests WHERE id = ?", guest_id)
    if profile is None:
        raise GuestNotFound(guest_id)
    profile.pop("phone_rev", None)  # a search key derived from the phone
    traits = _traits(conn, guest_id)
    document: Row = {
        "format": FORMAT, "exported_at": stamp(now), "guest": profile,
        "traits": traits,
        "occasions": [trait for trait in traits if trait["category"] == "occasion"],
        "visits": _rows(conn, "SELECT * FROM visits WHERE guest_id = ? ORDER BY arrived_at, id",
                        guest_id),
        "feedback": _rows(conn, "SELECT * FROM feedback WHERE guest_id = ? ORDER BY created_at, id",
                          guest_id),
        "requests": _optional(conn, "requests", guest_id),
    }
    document["other"] = _other_tables(conn, guest_id)
    return document


def as_json(document: Row) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


_TRAITS_SQL = """
    SELECT t.id, t.category, t.text, t.attrs, t.private, t.branch, t.created_at,
           t.staff_id AS logged_by_id, s.name AS logged_by, t.retracted_at,
           r.name AS retracted_by
    FROM traits t LEFT JOIN staff s ON s.id = t.staff_id LEFT JOIN staff r ON r.id = t.retracted_by
    WHERE t.guest_id = ? ORDER BY t.created_at, t.id
"""

_CONFIRMATIONS_SQL = """
    SELECT c.trait_id, c.branch, c.confirmed_at, s.name AS confirmed_by
    FROM trait_confirmations c JOIN traits t ON t.id = c.trait_id
    LEFT JOIN staff s ON s.id = c.staff_id WHERE t.guest_id = ? ORDER BY c.confirmed_at, c.id
"""


def _traits(conn: Conn, guest_id: int) -> list[Row]:
    confirmations: dict[int, list[Row]] = {}
    for row in _rows(conn, _CONFIRMATIONS_SQL, guest_id):
        confirmations.setdefault(row.pop("trait_id"), []).append(row)
    traits = _rows(conn, _TRAITS_SQL, guest_id)
    for trait in traits:
        trait["attrs"] = json.loads(trait["attrs"])
        trait["private"] = bool(trait["private"])
        trait["confirmations"] = confirmations.get(trait["id"], [])
    return traits


def _other_tables(conn: Conn, guest_id: int) -> dict[str, list[Row]]:
    found: dict[str, list[Row]] = {}
    schema = Schema.read(conn)
    for table, column in schema.guest_columns():
        if table not in _SECTIONS:
            order = f' ORDER BY "{schema.keys[table]}"' if table in schema.keys else ""
            rows = _rows(conn, f'SELECT * FROM "{table}" WHERE "{column}" = ?{order}', guest_id)
            if rows:
                found.setdefault(table, []).extend(rows)
    return found


def _optional(conn: Conn, table: str, guest_id: int) -> list[Row]:
    """The guest's rows of a table another feature may not have created."""
    tables = ("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
              if dialect(conn) == "sqlite" else
              "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema()"
              " AND table_name = ?")
    if conn.execute(tables, (table,)).fetchone() is None:
        return []
    return _rows(conn, f'SELECT * FROM "{table}" WHERE guest_id = ? ORDER BY id', guest_id)


def _rows(conn: Conn, sql: str, *params: object) -> list[Row]:
    return [dict(row) for row in conn.execute(sql, params)]


def _one(conn: Conn, sql: str, *params: object) -> Row | None:
    row = conn.execute(sql, params).fetchone()
    return None if row is None else dict(row)
