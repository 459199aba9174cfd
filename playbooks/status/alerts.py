"""A guest at risk walks in: the branch's shift leads hear of it at once, to greet them and
put right what went wrong. A reaction to guest.arrived, in the arrival's own transaction."""

from __future__ import annotations

from datetime import datetime

from playbooks.events import Event, EventKind
from playbooks.outbox import Outgoing, enqueue
from playbooks.roster import staff_with_roles
from playbooks.status.rules import StatusKind
from playbooks.status.store import stored_status
from profiles.models import Role
from store.sql import Conn

KIND = "status.at_risk_arrived"
TOLD = (Role.LEAD,)
TOLD_WITHOUT_LEADS = (Role.MANAGER,)


def tell_at_risk_arrival(conn: Conn, event: Event, now: datetime) -> int:
    """Queue the notice for each lead of the branch (its managers when it has no lead), once
    per visit and lead; how many were new."""
    if event.kind is not EventKind.GUEST_ARRIVED:
        return 0
    status = stored_status(conn, event.guest_id)
    if status is None or status.kind is not StatusKind.AT_RISK:
        return 0
    told = (staff_with_roles(conn, event.branch, TOLD)
            or staff_with_roles(conn, event.branch, TOLD_WITHOUT_LEADS))
    visit = event.details.get("visit_id")
    return sum(enqueue(conn, Outgoing(
        key=f"{KIND}:{visit}:{lead.id}", kind=KIND, chat_id=lead.telegram_id, staff_id=lead.id,
        payload={"guest_id": event.guest_id, "visit_id": visit if isinstance(visit, int) else None},
        not_before=now,
    ), now) for lead in told)
