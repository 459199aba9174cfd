"""What a command typed, kept until someone presses the button that finishes it: a note for a
guest nobody has created yet ("Create 王先生?"), or a score, tag, consent or departure typed
for a reference that named no guest exactly, applied to the guest chosen.

They live in the database, not in memory, so the buttons still work after a restart, and the
typed text never travels in button data (only the offer's id does).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from profiles.errors import PendingNoteGone
from profiles.models import Frozen
from store.database import Database, stamp
from store.sql import Conn, inserted_id


class Command(StrEnum):
    """The command a kept offer finishes."""

    NOTE = "note"
    NEW = "new"  # a /new waiting for "the same guest" or "a new one"
    FEEDBACK = "feedback"
    LEAVE = "leave"
    TAG = "tag"
    CONSENT = "consent"
    PHONE = "phone"
    OCCASION = "occasion"


_COLUMNS = "id, staff_id, name, phone, text, command"


class PendingNote(Frozen):
    id: int
    staff_id: int
    name: str
    phone: str | None = None
    text: str
    command: Command = Command.NOTE


def spend(conn: Conn, pending_id: int, *, staff_id: int, command: Command,
          now: datetime) -> PendingNote:
    """Use the offer once, inside the transaction of what it finishes: a second press, someone
    else's, or one for another command raises PendingNoteGone and that transaction rolls back."""
    cursor = conn.execute(
        "UPDATE pending_notes SET used_at = ?"
        " WHERE id = ? AND staff_id = ? AND command = ? AND used_at IS NULL",
        (stamp(now), pending_id, staff_id, command),
    )
    if cursor.rowcount != 1:
        raise PendingNoteGone(pending_id)
    row = conn.execute(f"SELECT {_COLUMNS} FROM pending_notes WHERE id = ?",
                       (pending_id,)).fetchone()
    return PendingNote.model_validate(dict(row))


class PendingNotes:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def keep(
        self, *, staff_id: int, name: str, text: str, now: datetime, phone: str | None = None,
        command: Command = Command.NOTE,
    ) -> PendingNote:
        def work(conn: Conn) -> PendingNote:
            cursor = conn.execute(
                "INSERT INTO pending_notes (staff_id, name, phone, text, command, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (staff_id, name, phone, text, command, stamp(now)),
            )
            return PendingNote(id=inserted_id(cursor), staff_id=staff_id, name=name,
                               phone=phone, text=text, command=command)

        return await self._db.write(work)

    async def get(self, pending_id: int, *, staff_id: int, command: Command) -> PendingNote:
        """The offer as kept, if this person may still use it for `command`; else raises
        PendingNoteGone. Reading does not use it: `spend` does, with what it finishes."""
        row = await self._db.read(lambda conn: conn.execute(
            f"SELECT {_COLUMNS} FROM pending_notes"
            " WHERE id = ? AND staff_id = ? AND command = ? AND used_at IS NULL",
            (pending_id, staff_id, command)).fetchone())
        if row is None:
            raise PendingNoteGone(pending_id)
        return PendingNote.model_validate(dict(row))
