"""The audit trail: who viewed which guest card, who created, changed, exported or erased what.

Recording is cheap on purpose: `record` is one INSERT inside the caller's own transaction when
a write happens, and a card view is one INSERT of its own. An entry's details hold ids, counts
and category or command names only, never a guest's name, phone or the text of a note, so the
trail itself is not a copy of the data it guards.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum

from pydantic import Field

from profiles.models import Frozen
from store.database import Database, stamp
from store.sql import Conn, Row, write_later

Detail = str | int | bool | None | list[int] | list[str]
Details = dict[str, Detail]


class AuditAction(StrEnum):
    VIEW = "view"  # a guest's card was shown
    CREATE = "create"  # a guest was created
    NOTE = "note"  # traits were logged
    UNDO = "undo"  # a note was taken back
    RETRACT = "retract"  # one trait was retracted
    REFILE = "refile"  # one trait filed under another category (an allergy that is none)
    PRIVATE = "private"  # traits were made private
    TAG = "tag"  # tier or segment set
    PHONE = "phone"  # the phone number added or changed
    MERGE = "merge"  # a duplicate merged into this guest
    FEEDBACK = "feedback"  # the guest's verdict recorded
    CONSENT = "consent"  # consent given or withdrawn
    EXPORT = "export"  # the guest's record handed over
    ERASE = "erase"  # the guest forgotten
    REFUSED = "refused"  # someone tried what their role may not do
    STATUS = "status"  # the guest's derived status changed


class AuditEntry(Frozen):
    id: int
    at: datetime
    staff_id: int | None
    staff_name: str | None = None
    staff_role: str | None = None
    action: AuditAction
    guest_id: int | None
    details: Details = Field(default_factory=dict)


def record(
    conn: Conn, action: AuditAction, *, staff_id: int | None,
    guest_id: int | None, now: datetime, details: Details | None = None,
) -> None:
    """Add one entry inside the caller's transaction: it commits, or rolls back, with the act
    (on PostgreSQL it travels with the transaction's next statement)."""
    write_later(conn, "INSERT INTO audit (at, staff_id, action, guest_id, details)"
                " VALUES (?, ?, ?, ?, ?)",
                (stamp(now), staff_id, action.value, guest_id, json.dumps(details or {})))


_ENTRY_SQL = """
    SELECT a.id, a.at, a.staff_id, s.name AS staff_name, s.role AS staff_role, a.action,
           a.guest_id, a.details
    FROM audit a LEFT JOIN staff s ON s.id = a.staff_id
"""


class AuditLog:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(
        self, action: AuditAction, *, staff_id: int | None, guest_id: int | None,
        now: datetime, details: Details | None = None,
    ) -> None:
        await self._db.write(lambda conn: record(conn, action, staff_id=staff_id,
                                                 guest_id=guest_id, now=now, details=details))

    async def for_guest(
        self, guest_id: int, *, limit: int = 50, actions: tuple[AuditAction, ...] = ()
    ) -> list[AuditEntry]:
        """The guest's entries, newest first; only `actions` when given."""
        return await self._db.read(lambda conn: _entries(
            conn, "a.guest_id = ?", [guest_id], limit, actions))

    async def for_staff(self, staff_id: int, *, limit: int = 50) -> list[AuditEntry]:
        """What one staff member did, newest first."""
        return await self._db.read(lambda conn: _entries(conn, "a.staff_id = ?", [staff_id],
                                                         limit, ()))


def _entries(
    conn: Conn, where: str, params: list[object], limit: int,
    actions: tuple[AuditAction, ...],
) -> list[AuditEntry]:
    if actions:
        where += f" AND a.action IN ({', '.join('?' for _ in actions)})"
        params = [*params, *(action.value for action in actions)]
    rows = conn.execute(f"{_ENTRY_SQL} WHERE {where} ORDER BY a.at DESC, a.id DESC LIMIT ?",
                        [*params, limit]).fetchall()
    return [_entry(row) for row in rows]


def _entry(row: Row) -> AuditEntry:
    values = dict(row)
    values["details"] = json.loads(values["details"])
    return AuditEntry.model_validate(values)
