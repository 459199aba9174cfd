"""Rows a request's transaction reads and writes besides the request: its events, the staff to
tell, and the outbox messages telling them. Runs inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from playbooks.outbox import Outgoing, enqueue, keys_with_prefix, redraw
from playbooks.requests.models import MessageKind, Relayed, Request, RequestNotFound, message_key
from playbooks.requests.routing import Department
from profiles.errors import GuestNotFound
from profiles.guests import load_guest
from profiles.models import Guest, Role, Staff
from store.database import stamp
from store.sql import Conn, Row, inserted_id, question_marks

COLUMNS = (
    "id, branch, department, lane, state, route, guest_id, place, ref_text, text, source,"
    " staff_id, created_at, accept_due, resolve_due, accepted_by, accepted_at, closed_by,"
    " closed_at, note, accept_escalated_at, resolve_escalated_at"
)
def announce(conn: Conn, request: Request, desk: Department,
             now: datetime) -> Relayed:
    """Enqueue the request to its department: its group, and its people (not the originator,
    unless nobody else would hear of it). A desk with nobody on the bot falls back to the
    shift leads, then the managers, then the admins."""
    prefix = message_key(request.id, "new", request.route)
    payload = {"request_id": request.id, "route": request.route, "fallback": False}
    if desk.chat_id is not None:
        enqueue(conn, Outgoing(key=f"{prefix}:chat:{desk.chat_id}", kind=MessageKind.NEW,
                               payload=payload, chat_id=desk.chat_id, not_before=now), now)
    people = desk_staff(conn, request.branch, desk.roles)
    others = [member for member in people if member.id != request.staff_id]
    people = others or ([] if desk.chat_id is not None else people)
    fallback = not people and desk.chat_id is None
    if fallback:
        people = ladder(conn, request.branch, (Role.LEAD, Role.MANAGER, Role.ADMIN))
        payload = {**payload, "fallback": True}
    for member in people:
        enqueue(conn, Outgoing(key=f"{prefix}:staff:{member.id}", kind=MessageKind.NEW,
                               payload=payload, chat_id=member.telegram_id, staff_id=member.id,
                               not_before=now), now)
    return Relayed(request=request, recipients=[member.name for member in people],
                   group=desk.chat_id is not None, fallback=fallback)


def receipt_key(request_id: int) -> str:
    return message_key(request_id, "receipt")


def enqueue_receipt(conn: Conn, relayed: Relayed, now: datetime) -> None:
    """The relayer's receipt: the number, who got it, the deadlines; redrawn as it moves."""
    request = relayed.request
    originator = staff_row(conn, request.staff_id)
    enqueue(conn, Outgoing(
        key=receipt_key(request.id), kind=MessageKind.RECEIPT,
        payload={"request_id": request.id, "recipients": relayed.recipients,
                 "group": relayed.group, "fallback": relayed.fallback},
        chat_id=originator.telegram_id, staff_id=originator.id, not_before=now), now)


def redraw_copies(conn: Conn, request: Request, now: datetime, *, suffix: str) -> None:
    """Every copy of the request its department and the escalations received, redrawn as it
    now stands: taken, nobody else is offered Accept; closed, nobody is offered anything."""
    # copies of an earlier route (moved to another desk) are that desk's no more: left alone
    for part in (f"new:{request.route}", "escalate"):
        for key in keys_with_prefix(conn, message_key(request.id, part) + ":"):
            redraw(conn, key, kind=MessageKind.COPY_REDRAW, payload={}, now=now, suffix=suffix)


def tell_originator(conn: Conn, request: Request, kind: MessageKind, actor_id: int,
                    now: datetime, *, step: str | None = None) -> None:
    """The colleague who relayed hears what became of it (unless they did it themselves):
    their receipt redrawn in place, or, without one, a message."""
    if actor_id == request.staff_id:
        return
    if redraw(conn, receipt_key(request.id), kind=MessageKind.RECEIPT_REDRAW, payload={},
              now=now, suffix=step or kind.removeprefix("request.")):
        return
    originator = staff_row(conn, request.staff_id)
    key = message_key(request.id, step or kind.removeprefix("request."))
    enqueue(conn, Outgoing(key=key, kind=kind, payload={"request_id": request.id},
                           chat_id=originator.telegram_id, staff_id=originator.id,
                           not_before=now), now)


def desk_staff(conn: Conn, branch: str, roles: Sequence[Role]) -> list[Staff]:
    """Active staff of the branch with one of `roles` (admins: of any branch)."""
    if not roles:
        return []
    marks = question_marks(roles)
    rows = conn.execute(
        f"SELECT * FROM staff WHERE active = 1 AND role IN ({marks})"
        " AND (branch = ? OR role = ?) ORDER BY id", (*roles, branch, Role.ADMIN),
    ).fetchall()
    return [Staff.model_validate(dict(row)) for row in rows]


def ladder(conn: Conn, branch: str, roles: Sequence[Role]) -> list[Staff]:
    """The people of the first of `roles` that anyone in the branch holds."""
    for role in roles:
        if found := desk_staff(conn, branch, (role,)):
            return found
    return []


def record(conn: Conn, request_id: int, kind: str, staff_id: int | None,
           now: datetime, detail: str = "") -> int:
    cursor = conn.execute(
        "INSERT INTO request_events (request_id, kind, staff_id, at, detail)"
        " VALUES (?, ?, ?, ?, ?) RETURNING id", (request_id, kind, staff_id, stamp(now), detail),
    )
    return inserted_id(cursor)


def load_request(conn: Conn, request_id: int) -> Request:
    row = conn.execute(f"SELECT {COLUMNS} FROM requests WHERE id = ?", (request_id,)).fetchone()
    if row is None:
        raise RequestNotFound(request_id)
    return request_row(row)


def request_row(row: Row) -> Request:
    return Request.model_validate(dict(row))


def staff_row(conn: Conn, staff_id: int) -> Staff:
    row = conn.execute("SELECT * FROM staff WHERE id = ?", (staff_id,)).fetchone()
    return Staff.model_validate(dict(row))


def guest_or_none(conn: Conn, guest_id: int | None) -> Guest | None:
    if guest_id is None:
        return None
    try:
        return load_guest(conn, guest_id)
    except GuestNotFound:
        return None
