"""The request store: relay, accept, close, change; every step one transaction with its messages.

What a step must tell someone is enqueued in the outbox inside the step's own transaction, under
a key naming the request, the step and the recipient: a committed step always has its messages,
and a retried step never doubles them.
"""

from __future__ import annotations

from datetime import datetime

from playbooks.requests.models import (
    CLOSED_STATES,
    AlreadyClosed,
    AlreadyTaken,
    GuestKnown,
    MessageKind,
    NotYours,
    OtherBranch,
    Relayed,
    Request,
    RequestDetails,
    RequestNotFound,
    RequestSummary,
    Source,
    State,
    UnknownDepartment,
)
from playbooks.requests.routing import Department, Lane, Routing, due_times
from playbooks.requests.rows import (
    COLUMNS,
    announce,
    enqueue_receipt,
    guest_or_none,
    load_request,
    record,
    redraw_copies,
    request_row,
    staff_row,
    tell_originator,
)
from profiles.guests import load_guest
from profiles.models import Role, Staff
from store.database import Database, stamp
from store.sql import Conn, inserted_id, question_marks

# who may close a request someone else accepted, and change one they did not relay
OVERSEERS = (Role.LEAD, Role.MANAGER, Role.ADMIN)


class RequestStore:
    def __init__(self, db: Database, routing: Routing) -> None:
        self._db = db
        self.routing = routing

    async def relay(
        self, *, branch: str, staff_id: int, ref_text: str, text: str, now: datetime,
        guest_id: int | None = None, place: str | None = None, department: str | None = None,
        lane: Lane | None = None, source: Source = Source.RELAY, draft: bool = False,
        receipt: bool = False,
    ) -> Relayed:
        """Store a request and tell its department; a draft waits for `send_draft`. With
        `receipt`, the relayer's receipt is queued with it, to be redrawn as it is taken and
        closed instead of a new message each time."""

        def work(conn: Conn) -> Relayed:
            relayed = self.relay_in(
                conn, branch=branch, staff_id=staff_id, ref_text=ref_text, text=text, now=now,
                guest_id=guest_id, place=place, department=department, lane=lane,
                source=source, draft=draft)
            if receipt and not draft:
                enqueue_receipt(conn, relayed, now)
            return relayed

        return await self._db.write(work)

    def relay_in(
        self, conn: Conn, *, branch: str, staff_id: int, ref_text: str, text: str,
        now: datetime, guest_id: int | None = None, place: str | None = None,
        department: str | None = None, lane: Lane | None = None,
        source: Source = Source.RELAY, draft: bool = False,
    ) -> Relayed:
        """`relay` inside the caller's transaction (a complaint opened with its score)."""
        desk, guessed = self.routing.classify(branch, text)
        desk = self._desk(branch, department) if department else desk
        chosen = lane or guessed
        accept_due, resolve_due = due_times(now, desk.deadlines.of(chosen))
        cursor = conn.execute(
            "INSERT INTO requests (branch, department, lane, state, guest_id, place,"
            " ref_text, text, source, staff_id, created_at, accept_due, resolve_due)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (branch, desk.id, chosen, State.DRAFT if draft else State.OPEN, guest_id, place,
             ref_text, text, source, staff_id, stamp(now), stamp(accept_due),
             stamp(resolve_due)),
        )
        request = load_request(conn, inserted_id(cursor))
        if draft:
            return Relayed(request=request, recipients=[], group=False, fallback=False)
        record(conn, request.id, "opened", staff_id, now, f"{desk.id} {chosen}")
        return announce(conn, request, desk, now)

    async def send_draft(self, request_id: int, guest_id: int, *, staff: Staff,
                         now: datetime) -> Relayed:
        """The originator chose the guest: the draft becomes an open request, clock from now."""

        def work(conn: Conn) -> Relayed:
            request = load_request(conn, request_id)
            if request.state is not State.DRAFT or request.staff_id != staff.id:
                raise RequestNotFound(request_id)
            load_guest(conn, guest_id)
            desk = self._desk(request.branch, request.department)
            accept_due, resolve_due = due_times(now, desk.deadlines.of(request.lane))
            conn.execute(
                "UPDATE requests SET state = ?, guest_id = ?, created_at = ?, accept_due = ?,"
                " resolve_due = ? WHERE id = ?",
                (State.OPEN, guest_id, stamp(now), stamp(accept_due), stamp(resolve_due),
                 request_id),
            )
            record(conn, request_id, "opened", staff.id, now, f"{desk.id} {request.lane}")
            return announce(conn, load_request(conn, request_id), desk, now)

        return await self._db.write(work)

    async def accept(self, request_id: int, *, staff: Staff, now: datetime,
                     chat_id: int | None = None) -> Request:
        """Take the request. Exactly one of two colleagues pressing at once wins: the update
        only applies to a request nobody holds, and writes are serialised (`Database.write`).
        Only its department may (`chat_id`: the group the press came from, if any)."""

        def work(conn: Conn) -> Request:
            request = self._handled(conn, request_id, staff, chat_id)
            taken = conn.execute(
                "UPDATE requests SET state = ?, accepted_by = ?, accepted_at = ?"
                " WHERE id = ? AND state = ? AND accepted_by IS NULL",
                (State.ACCEPTED, staff.id, stamp(now), request_id, State.OPEN),
            )
            if taken.rowcount != 1:
                _refuse(request, staff, mine_ok=True)
                return request
            record(conn, request_id, "accepted", staff.id, now)
            accepted = load_request(conn, request_id)
            tell_originator(conn, accepted, MessageKind.ACCEPTED, staff.id, now)
            redraw_copies(conn, accepted, now, suffix="accepted")
            return accepted

        return await self._db.write(work)

    async def close(self, request_id: int, outcome: State, *, staff: Staff,
                    now: datetime, chat_id: int | None = None) -> Request:
        """Done or declined. Closing also accepts a request nobody had taken yet. Only its
        department may, as for `accept`."""
        if outcome not in CLOSED_STATES:
            raise ValueError(f"not an outcome: {outcome}")

        def work(conn: Conn) -> Request:
            request = self._handled(conn, request_id, staff, chat_id)
            if request.state in CLOSED_STATES:
                raise AlreadyClosed(request)
            if request.accepted_by not in (None, staff.id) and staff.role not in OVERSEERS:
                raise NotYours(request)
            conn.execute(
                "UPDATE requests SET state = ?, closed_by = ?, closed_at = ?,"
                " accepted_by = COALESCE(accepted_by, ?), accepted_at = COALESCE(accepted_at, ?)"
                " WHERE id = ?",
                (outcome, staff.id, stamp(now), staff.id, stamp(now), request_id),
            )
            record(conn, request_id, outcome.value, staff.id, now)
            closed = load_request(conn, request_id)
            tell_originator(conn, closed, MessageKind.CLOSED, staff.id, now)
            redraw_copies(conn, closed, now, suffix="closed")
            return closed

        return await self._db.write(work)

    def _handled(self, conn: Conn, request_id: int, staff: Staff,
                 chat_id: int | None) -> Request:
        """The request, if this colleague (pressing in `chat_id`) may handle it; refused as
        if it were not there, so that the refusal tells nothing of it."""
        request = _visible(conn, request_id, staff)
        desk = self.routing.department(request.branch, request.department)
        if not _in_department(staff, chat_id, desk):
            raise RequestNotFound(request_id)
        return request

    async def attach_guest(self, request_id: int, guest_id: int, *, staff: Staff,
                           now: datetime) -> Request:
        """The guest of a request relayed for a place alone, named by its department (whoever
        took it, or a lead) once they know who it is; every copy and the receipt show them."""

        def work(conn: Conn) -> Request:
            request = self._handled(conn, request_id, staff, None)
            if request.accepted_by not in (None, staff.id) and staff.role not in OVERSEERS:
                raise NotYours(request)
            if request.guest_id is not None:
                raise GuestKnown(request)
            load_guest(conn, guest_id)
            conn.execute("UPDATE requests SET guest_id = ? WHERE id = ?", (guest_id, request_id))
            record(conn, request_id, "guest", staff.id, now, str(guest_id))
            attached = load_request(conn, request_id)
            redraw_copies(conn, attached, now, suffix=f"guest{guest_id}")
            return attached

        return await self._db.write(work)

    async def annotate(self, request_id: int, note: str, *, staff: Staff,
                       now: datetime) -> Request:
        """What was done, or why not: by the colleague who closed it; the originator reads it."""

        def work(conn: Conn) -> Request:
            request = load_request(conn, request_id)
            if request.state not in CLOSED_STATES or request.closed_by != staff.id:
                raise NotYours(request)
            conn.execute("UPDATE requests SET note = ? WHERE id = ?", (note, request_id))
            event = record(conn, request_id, "note", staff.id, now, note)
            noted = load_request(conn, request_id)
            tell_originator(conn, noted, MessageKind.NOTE, staff.id, now, step=f"note{event}")
            return noted

        return await self._db.write(work)

    async def change(self, request_id: int, *, staff: Staff, now: datetime,
                     department: str | None = None, lane: Lane | None = None) -> Relayed:
        """Send an open request to another department or lane: deadlines are recomputed from
        the relay time, and the department's stale messages are not sent."""

        def work(conn: Conn) -> Relayed:
            request = _visible(conn, request_id, staff)
            if request.staff_id != staff.id and staff.role not in OVERSEERS:
                raise NotYours(request)
            if request.state is not State.OPEN:
                _refuse(request, staff, mine_ok=False)
            desk = self._desk(request.branch, department or request.department)
            chosen = lane or request.lane
            accept_due, resolve_due = due_times(request.created_at, desk.deadlines.of(chosen))
            conn.execute(
                "UPDATE requests SET department = ?, lane = ?, route = route + 1,"
                " accept_due = ?, resolve_due = ? WHERE id = ?",
                (desk.id, chosen, stamp(accept_due), stamp(resolve_due), request_id),
            )
            record(conn, request_id, "changed", staff.id, now, f"{desk.id} {chosen}")
            return announce(conn, load_request(conn, request_id), desk, now)

        return await self._db.write(work)

    async def get(self, request_id: int) -> Request:
        return await self._db.read(lambda conn: load_request(conn, request_id))

    async def details(self, request_id: int) -> RequestDetails | None:
        """The request with its guest and people, or None once it is gone."""

        def work(conn: Conn) -> RequestDetails | None:
            try:
                request = load_request(conn, request_id)
            except RequestNotFound:
                return None
            return RequestDetails(
                request=request, guest=guest_or_none(conn, request.guest_id),
                originator=staff_row(conn, request.staff_id),
                acceptor=staff_row(conn, request.accepted_by) if request.accepted_by else None,
                closer=staff_row(conn, request.closed_by) if request.closed_by else None,
            )

        return await self._db.read(work)

    async def listing(self, staff: Staff, *, limit: int = 30) -> tuple[list[Request],
                                                                      list[Request]]:
        """Open requests I relayed, and those my departments (or I) must handle; oldest first."""
        desks = self.routing.desks_of(staff.branch, staff.role)

        def work(conn: Conn) -> tuple[list[Request], list[Request]]:
            mine = conn.execute(
                f"SELECT {COLUMNS} FROM requests WHERE staff_id = ? AND state IN (?, ?)"
                " ORDER BY created_at, id LIMIT ?",
                (staff.id, State.OPEN, State.ACCEPTED, limit),
            ).fetchall()
            marks = question_marks(desks) or "NULL"
            handle = conn.execute(
                f"SELECT {COLUMNS} FROM requests WHERE state IN (?, ?) AND (accepted_by = ?"
                f" OR (branch = ? AND department IN ({marks}))) ORDER BY created_at, id LIMIT ?",
                (State.OPEN, State.ACCEPTED, staff.id, staff.branch, *desks, limit),
            ).fetchall()
            return [request_row(row) for row in mine], [request_row(row) for row in handle]

        return await self._db.read(work)

    async def open_for_guests(self, guest_ids: list[int]) -> dict[int, list[RequestSummary]]:
        return await self._db.read(lambda conn: open_requests(conn, guest_ids))

    async def since(self, start: datetime, *, branch: str | None = None) -> list[Request]:
        """Every request relayed from `start` on (drafts aside), for the service audit."""

        def work(conn: Conn) -> list[Request]:
            rows = conn.execute(
                f"SELECT {COLUMNS} FROM requests WHERE created_at >= ? AND state != ?"
                " AND (? IS NULL OR branch = ?) ORDER BY created_at, id",
                (stamp(start), State.DRAFT, branch, branch),
            ).fetchall()
            return [request_row(row) for row in rows]

        return await self._db.read(work)

    def _desk(self, branch: str, desk_id: str) -> Department:
        desk = self.routing.department(branch, desk_id)
        if desk is None:
            raise UnknownDepartment(desk_id)
        return desk


def open_complaint(
    conn: Conn, store: RequestStore, guest_id: int, branch: str, staff_id: int, text: str,
    now: datetime,
) -> Relayed:
    """A red request to the branch's front desk (guest services), for a low feedback score,
    inside the caller's transaction."""
    return store.relay_in(
        conn, branch=branch, staff_id=staff_id, ref_text=f"#{guest_id}", text=text, now=now,
        guest_id=guest_id, department=store.routing.front_desk(branch).id, lane=Lane.RED,
        source=Source.COMPLAINT,
    )


def open_requests(
    conn: Conn, guest_ids: list[int]
) -> dict[int, list[RequestSummary]]:
    """Each guest's open requests, oldest first, inside the caller's read (cards, briefs)."""
    if not guest_ids:
        return {}
    marks = question_marks(guest_ids)
    rows = conn.execute(
        f"SELECT r.id, r.guest_id, r.branch, r.department, r.lane, r.state, r.text, r.place,"
        f" r.created_at, r.accept_due, r.resolve_due, s.name AS accepted_by_name"
        f" FROM requests r LEFT JOIN staff s ON s.id = r.accepted_by"
        f" WHERE r.guest_id IN ({marks}) AND r.state IN (?, ?) ORDER BY r.created_at, r.id",
        (*guest_ids, State.OPEN, State.ACCEPTED),
    ).fetchall()
    found: dict[int, list[RequestSummary]] = {guest_id: [] for guest_id in guest_ids}
    for row in rows:
        found[row["guest_id"]].append(RequestSummary.model_validate(dict(row)))
    return found


def _in_department(staff: Staff, chat_id: int | None, desk: Department | None) -> bool:
    """Its department's people or group handle a request; the leads of its branch oversee."""
    if staff.role in OVERSEERS:
        return True
    if desk is None:
        return False
    return staff.role in desk.roles or (desk.chat_id is not None and chat_id == desk.chat_id)


def _visible(conn: Conn, request_id: int, staff: Staff) -> Request:
    """The request, if it is one this colleague may act on (drafts are the originator's)."""
    request = load_request(conn, request_id)
    if request.state is State.DRAFT:
        raise RequestNotFound(request_id)
    if request.branch != staff.branch and staff.role is not Role.ADMIN:
        raise OtherBranch(request_id)
    return request


def _refuse(request: Request, staff: Staff, *, mine_ok: bool) -> None:
    if request.state in CLOSED_STATES:
        raise AlreadyClosed(request)
    if not (mine_ok and request.accepted_by == staff.id):
        raise AlreadyTaken(request)
