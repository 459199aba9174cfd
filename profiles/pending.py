"""Notes for guests nobody has created yet, kept until someone says "yes, create".

They live in the database, not in memory, so the "Create 王先生?" button still works after a
restart.
"""

from __future__ import annotations

from datetime import datetime

from profiles.errors import PendingNoteGone
from profiles.models import Frozen
from store.database import Database, stamp
from store.sql import Conn, inserted_id


class PendingNote(Frozen):
    id: int
    staff_id: int
    name: str
    phone: str | None = None
    text: str


class PendingNotes:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def keep(
        self, *, staff_id: int, name: str, text: str, now: datetime, phone: str | None = None
    ) -> PendingNote:
        def work(conn: Conn) -> PendingNote:
            cursor = conn.execute(
                "INSERT INTO pending_notes (staff_id, name, phone, text, created_at)"
                " VALUES (?, ?, ?, ?, ?) RETURNING id",
                (staff_id, name, phone, text, stamp(now)),
            )
            return PendingNote(id=inserted_id(cursor), staff_id=staff_id, name=name,
                               phone=phone, text=text)

        return await self._db.write(work)

    async def take(self, pending_id: int, *, staff_id: int, now: datetime) -> PendingNote:
        """Spend the offer once; a second press, or someone else's, raises PendingNoteGone."""

        def work(conn: Conn) -> PendingNote:
            cursor = conn.execute(
                "UPDATE pending_notes SET used_at = ?"
                " WHERE id = ? AND staff_id = ? AND used_at IS NULL",
                (stamp(now), pending_id, staff_id),
            )
            if cursor.rowcount != 1:
                raise PendingNoteGone(pending_id)
            row = conn.execute(
                "SELECT id, staff_id, name, phone, text FROM pending_notes WHERE id = ?",
                (pending_id,),
            ).fetchone()
            return PendingNote.model_validate(dict(row))

        return await self._db.write(work)
