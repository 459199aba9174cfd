"""The request planner: escalations when deadlines pass, and the leads when a desk's group is gone.

Both run from the sweep with any `now`. Each escalation step is recorded on the request in the
same transaction that enqueues its messages, so a restart neither loses nor repeats one.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from playbooks.outbox import Outgoing, enqueue
from playbooks.requests.models import (
    MessageKind,
    Request,
    RequestNotFound,
    State,
    Step,
    due_steps,
    message_key,
)
from playbooks.requests.rows import COLUMNS, ladder, load_request, record, staff_row
from playbooks.roster import chain_admins
from profiles.models import Role, Staff
from store.database import Database, stamp
from store.sql import Conn

# who hears of each step: the first of these roles anyone in the branch holds
STEP_ROLES = {
    Step.ACCEPT: (Role.LEAD, Role.MANAGER, Role.ADMIN),
    Step.RESOLVE: (Role.MANAGER, Role.ADMIN),
}
_STEP_COLUMN = {Step.ACCEPT: "accept_escalated_at", Step.RESOLVE: "resolve_escalated_at"}
# a group refusal older than this was dealt with long ago: the scan stays short
REFUSAL_WINDOW = timedelta(days=2)


class RequestPlanner:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def plan(self, now: datetime) -> int:
        """Escalate what is overdue and reroute what a department group refused; how many
        messages were enqueued."""
        return await self._db.write(lambda conn: escalate(conn, now) + reroute_refused(conn, now))


def escalate(conn: Conn, now: datetime) -> int:
    at = stamp(now)
    rows = conn.execute(
        f"SELECT {COLUMNS} FROM requests WHERE state IN (?, ?) AND ("
        " (state = ? AND accept_escalated_at IS NULL AND accept_due <= ?)"
        " OR (resolve_escalated_at IS NULL AND resolve_due <= ?)) ORDER BY id",
        (State.OPEN, State.ACCEPTED, State.OPEN, at, at),
    ).fetchall()
    enqueued = 0
    for row in rows:
        request = Request.model_validate(dict(row))
        for step in due_steps(request, now):
            enqueued += _escalate_step(conn, request, step, now)
    return enqueued


def _escalate_step(conn: Conn, request: Request, step: Step, now: datetime) -> int:
    column = _STEP_COLUMN[step]  # one of two fixed names, never input
    marked = conn.execute(f"UPDATE requests SET {column} = ? WHERE id = ? AND {column} IS NULL",
                          (stamp(now), request.id))
    if marked.rowcount != 1:
        return 0
    people = escalation_people(conn, request, step)
    record(conn, request.id, f"escalated_{step}", None, now, ", ".join(str(p.id) for p in people))
    payload = {"request_id": request.id, "step": step.value}
    _tell_relayer(conn, request, step, people, now)
    return sum(
        enqueue(conn, Outgoing(key=message_key(request.id, "escalate", step, member.id),
                               kind=MessageKind.ESCALATE, payload=payload,
                               chat_id=member.telegram_id, staff_id=member.id, not_before=now),
                now)
        for member in people
    )


def escalation_people(conn: Conn, request: Request, step: Step) -> list[Staff]:
    """Who hears that `step` is overdue: the first of the step's roles that anyone in the
    branch holds, besides whoever holds the request (telling them of their own delay is no
    escalation); the chain's admins when nobody else is there."""
    for role in STEP_ROLES[step]:
        found = [m for m in ladder(conn, request.branch, (role,)) if m.id != request.accepted_by]
        if found:
            return found
    return [m for m in chain_admins(conn) if m.id != request.accepted_by]


def _tell_relayer(conn: Conn, request: Request, step: Step, people: list[Staff],
                  now: datetime) -> None:
    """The colleague who relayed it hears once that it is overdue, and who has it now."""
    if any(member.id == request.staff_id for member in people):
        return  # they are among those told already
    originator = staff_row(conn, request.staff_id)
    enqueue(conn, Outgoing(
        key=message_key(request.id, "overdue"), kind=MessageKind.OVERDUE,
        payload={"request_id": request.id, "step": step.value,
                 "names": [member.name for member in people]},
        chat_id=originator.telegram_id, staff_id=originator.id, not_before=now), now)


def reroute_refused(conn: Conn, now: datetime) -> int:
    """A department group that refused a request (the bot was removed, the id is wrong): the
    request goes to the leads instead, and the admins hear that the group is unreachable."""
    refused = conn.execute(
        "SELECT payload, chat_id, last_error FROM outbox WHERE kind = ?"
        " AND chat_id < 0 AND gave_up_at IS NOT NULL AND gave_up_at >= ? ORDER BY id",
        (MessageKind.NEW, stamp(now - REFUSAL_WINDOW)),
    ).fetchall()
    return sum(_reroute(conn, json.loads(row["payload"]), row["chat_id"],
                        row["last_error"] or "", now) for row in refused)


def _reroute(conn: Conn, sent: dict[str, object], chat_id: int, error: str,
             now: datetime) -> int:
    request_id, route = int(str(sent["request_id"])), int(str(sent["route"]))
    try:
        request = load_request(conn, request_id)
    except RequestNotFound:
        return 0
    if request.state is not State.OPEN or request.route != route:
        return 0  # taken meanwhile, or sent to another department since
    payload = {"request_id": request.id, "route": request.route, "fallback": True}
    enqueued = sum(
        enqueue(conn, Outgoing(key=message_key(request.id, "new", route, "fallback", member.id),
                               kind=MessageKind.NEW, payload=payload, chat_id=member.telegram_id,
                               staff_id=member.id, not_before=now), now)
        for member in ladder(conn, request.branch, (Role.LEAD, Role.MANAGER, Role.ADMIN))
    )
    if enqueued:
        record(conn, request.id, "group_refused", None, now, f"{chat_id}: {error}"[:300])
    return enqueued + _tell_admins(conn, request, chat_id, error, now)


def _tell_admins(conn: Conn, request: Request, chat_id: int, error: str,
                 now: datetime) -> int:
    # once a day per group and admin: a group that is gone for a day is one message, not fifty
    payload = {"request_id": request.id, "chat_id": chat_id, "error": error[:200]}
    return sum(
        enqueue(conn, Outgoing(key=message_key("group_refused", chat_id, admin.id, now.date()),
                               kind=MessageKind.GROUP_REFUSED, payload=payload,
                               chat_id=admin.telegram_id, staff_id=admin.id, not_before=now), now)
        for admin in ladder(conn, request.branch, (Role.ADMIN, Role.MANAGER))
    )
