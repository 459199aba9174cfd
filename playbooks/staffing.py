"""Taking a colleague off the bot, or back on: the change, and a word to them, together."""

from __future__ import annotations

from datetime import datetime

from playbooks.outbox import Outgoing, enqueue
from profiles.models import Staff
from profiles.staff import set_staff_active
from store.database import Database
from store.sql import Conn

FAREWELL = "staff.farewell"
WELCOME_BACK = "staff.welcome_back"


class Staffing:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def set_active(self, staff_id: int, active: bool, *, by: Staff,
                         now: datetime) -> Staff:
        """Deactivate or reactivate `staff_id`; they are told, politely, who did it."""

        def work(conn: Conn) -> Staff:
            member = set_staff_active(conn, staff_id, active)
            kind = WELCOME_BACK if active else FAREWELL
            enqueue(conn, Outgoing(key=f"{kind}:{staff_id}:{now.isoformat()}", kind=kind,
                                   payload={"by": by.name}, chat_id=member.telegram_id,
                                   staff_id=member.id, not_before=now), now)
            return member

        return await self._db.write(work)
