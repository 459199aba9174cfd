"""Monday's "regulars to call": each branch manager gets the branch's top lapsed regulars, most
visits first, once a week, from the report's hour in the branch's time zone (caught up later in
the week if the bot was down). Planned by the sweep under one key per branch, week and
manager; the guests are read when it is sent, so a guest who came back meanwhile is left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playbooks.outbox import Outgoing, enqueue
from playbooks.roster import staff_with_roles
from playbooks.service_report.audit import last_complete, period_so_far
from profiles.models import Role
from store.database import Database
from store.sql import Conn

KIND = "status.regulars_to_call"
TO_CALL = 10  # a manager's Monday morning, not a call centre's day


def regulars_to_call_due(staff_id: int, chat_id: int, branch: str, zone: ZoneInfo,
                         now: datetime, hour: int) -> Outgoing | None:
    """This week's message for one manager, once their Monday has reached `hour`."""
    this_week = period_so_far("week", now, zone)
    send_at = this_week.start + timedelta(hours=hour)
    if now < send_at:
        return None
    week = last_complete("week", now, zone).label
    return Outgoing(key=f"{KIND}:{branch}:{week}:{staff_id}", kind=KIND,
                    payload={"branch": branch, "week": week}, chat_id=chat_id,
                    staff_id=staff_id, not_before=send_at,
                    expires_at=this_week.start + timedelta(days=7))


class RegularsToCall:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def plan(self, now: datetime, zones: Mapping[str, ZoneInfo], *, hour: int) -> int:
        """Queue the week's message for every active manager; how many were new."""

        def work(conn: Conn) -> int:
            due = [regulars_to_call_due(manager.id, manager.telegram_id, branch, zone, now, hour)
                   for branch, zone in zones.items()
                   for manager in staff_with_roles(conn, branch, (Role.MANAGER,))]
            return sum(enqueue(conn, message, now) for message in due if message)

        return await self._db.write(work)
