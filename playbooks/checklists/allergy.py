"""The allergy hand-off: a guest with an allergy arrives, the kitchen must say it has seen it.

The alert goes to the branch's kitchen group or, without one, to each kitchen member; each
person who presses Seen is recorded. When nobody has by the deadline, the shift leads hear
of it (at once when the branch has nobody in the kitchen to tell).
"""

from __future__ import annotations

from datetime import datetime

from playbooks import receipts
from playbooks.checklists.model import STALE_AFTER, Person
from playbooks.checklists.store import shift_leads, tick_steps_on
from playbooks.events import Event, EventKind
from playbooks.outbox import Outgoing, enqueue, redraw
from profiles.access import leads
from profiles.guests import load_guest
from profiles.models import Category, Frozen, Guest, NoteLogged, Role, Staff, Trait
from profiles.traits import load_traits
from store.database import Database, stamp
from store.sql import Conn, inserted_id

ALERT = "allergy.alert"
ESCALATION = "allergy.escalate"
ALERT_COLUMNS = ("id, occurrence, guest_id, branch, place, kitchen_chat, recipients, raised_at,"
                 " ack_due_at")


class AlertNotFound(LookupError):
    """The alert is gone (its guest was erased) or never existed."""


class Ack(Frozen):
    staff_id: int
    name: str
    seen_at: datetime


class AllergyAlert(Frozen):
    id: int
    occurrence: str = ""  # the event that raised it: an arrival, or an allergy learned in
    guest_id: int
    branch: str
    place: str | None = None
    kitchen_chat: int | None = None
    recipients: int  # how many chats the alert went to
    raised_at: datetime
    ack_due_at: datetime
    acks: list[Ack]

    @property
    def seen(self) -> bool:
        return bool(self.acks)

    @property
    def learned_in(self) -> bool:
        """Raised by an allergy noted while the guest was in, not by their arrival."""
        return self.occurrence.startswith(f"{EventKind.TRAIT_ALLERGY_LOGGED.value}:")


class NewAlert(Frozen):
    occurrence: str
    guest_id: int
    branch: str
    place: str | None = None
    kitchen_chat: int | None = None
    kitchen: list[Person]  # used when there is no kitchen chat
    deadline: datetime


class PendingAlert(Frozen):
    id: int
    ack_due_at: datetime
    leads: list[Person]


def allergies_logged(
    logged: NoteLogged, *, branch: str, staff_id: int, at: datetime
) -> list[Event]:
    """trait.allergy_logged for a note that added an allergy (one event per note)."""
    if not any(trait.category is Category.ALLERGY for trait in logged.added):
        return []
    return [Event(kind=EventKind.TRAIT_ALLERGY_LOGGED, guest_id=logged.guest_id, branch=branch,
                  at=at, staff_id=staff_id, details={"batch_id": logged.batch_id})]


def kitchen_messages(alert_id: int, alert: NewAlert, now: datetime) -> list[Outgoing]:
    """One message to the kitchen group, or one per kitchen member."""
    expires = now + STALE_AFTER
    if alert.kitchen_chat is not None:
        return [Outgoing(key=f"{ALERT}:{alert_id}:chat", kind=ALERT,
                         payload={"alert_id": alert_id}, chat_id=alert.kitchen_chat,
                         not_before=now, expires_at=expires)]
    return [Outgoing(key=f"{ALERT}:{alert_id}:{person.staff_id}", kind=ALERT,
                     payload={"alert_id": alert_id}, chat_id=person.chat_id,
                     staff_id=person.staff_id, not_before=now, expires_at=expires)
            for person in alert.kitchen]


def escalations_due(alerts: list[PendingAlert], now: datetime) -> list[Outgoing]:
    """Unseen alerts past their deadline, each told once to every shift lead."""
    return [
        Outgoing(key=f"{ESCALATION}:{alert.id}:{lead.staff_id}", kind=ESCALATION,
                 payload={"alert_id": alert.id}, chat_id=lead.chat_id, staff_id=lead.staff_id,
                 not_before=alert.ack_due_at, expires_at=alert.ack_due_at + STALE_AFTER)
        for alert in alerts
        if alert.ack_due_at <= now < alert.ack_due_at + STALE_AFTER
        for lead in alert.leads
    ]


class AllergyAlerts:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def raise_alert(self, alert: NewAlert, now: datetime) -> AllergyAlert | None:
        return await self._db.write(lambda conn: raise_alert(conn, alert, now))

    async def get(self, alert_id: int) -> AllergyAlert:
        return await self._db.read(lambda conn: _load(conn, alert_id))

    async def details(self, alert_id: int) -> tuple[AllergyAlert, Guest, list[Trait]]:
        """The alert, its guest and the guest's standing allergies, as they are now."""

        def work(conn: Conn) -> tuple[AllergyAlert, Guest, list[Trait]]:
            alert = _load(conn, alert_id)
            allergies = [trait for trait in load_traits(conn, alert.guest_id)
                         if trait.category is Category.ALLERGY]
            return alert, load_guest(conn, alert.guest_id), allergies

        return await self._db.read(work)

    async def for_occurrence(self, occurrence: str) -> AllergyAlert | None:
        return await self._db.read(lambda conn: alert_for(conn, occurrence))

    async def acknowledge(
        self, alert_id: int, *, staff_id: int, now: datetime, by: Staff | None = None,
        chat_id: int | None = None,
    ) -> tuple[bool, AllergyAlert]:
        """Record that `staff_id` saw the alert; False when they had said so already. The
        first Seen ticks the checklist step waiting for it and redraws the receipt of
        whoever recorded the arrival.

        `by` (None for the core's own use), pressing in `chat_id`, must be the kitchen of the
        alert's branch, in its kitchen group, or a lead of the branch: else AlertNotFound."""

        def work(conn: Conn) -> tuple[bool, AllergyAlert]:
            alert = _load(conn, alert_id)
            if by is not None and not may_acknowledge(alert, by, chat_id):
                raise AlertNotFound(alert_id)
            cursor = conn.execute(
                "INSERT INTO allergy_acks (alert_id, staff_id, seen_at) VALUES (?, ?, ?)"
                " ON CONFLICT (alert_id, staff_id) DO NOTHING", (alert_id, staff_id, stamp(now)),
            )
            first = cursor.rowcount == 1
            if first and not alert.seen:
                _close_loop(conn, alert_id, staff_id, now)
            return first, _load(conn, alert_id)

        return await self._db.write(work)

    async def plan_escalations(self, now: datetime) -> int:
        """Queue the shift leads' messages for alerts nobody saw in time; how many were new."""

        def work(conn: Conn) -> int:
            due = escalations_due(_unseen(conn, now), now)
            return sum(enqueue(conn, message, now) for message in due)

        return await self._db.write(work)


def raise_alert(conn: Conn, alert: NewAlert, now: datetime) -> AllergyAlert | None:
    """Store the alert and queue it for the kitchen, in the caller's transaction; None if
    this arrival had one."""
    targets = 1 if alert.kitchen_chat is not None else len(alert.kitchen)
    # with nobody in the kitchen to tell, the shift lead must be told at once
    deadline = alert.deadline if targets else now
    cursor = conn.execute(
        "INSERT INTO allergy_alerts (occurrence, guest_id, branch, place, kitchen_chat,"
        " recipients, raised_at, ack_due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (occurrence) DO NOTHING RETURNING id",
        (alert.occurrence, alert.guest_id, alert.branch, alert.place, alert.kitchen_chat,
         targets, stamp(now), stamp(deadline)),
    )
    alert_id = inserted_id(cursor)
    if not alert_id:
        return None
    for message in kitchen_messages(alert_id, alert, now):
        enqueue(conn, message, now)
    return _load(conn, alert_id)


def alert_for(conn: Conn, occurrence: str) -> AllergyAlert | None:
    row = conn.execute("SELECT id FROM allergy_alerts WHERE occurrence = ?",
                       (occurrence,)).fetchone()
    return None if row is None else _load(conn, row[0])


def _close_loop(conn: Conn, alert_id: int, staff_id: int, now: datetime) -> None:
    occurrence = conn.execute("SELECT occurrence FROM allergy_alerts WHERE id = ?",
                              (alert_id,)).fetchone()[0]
    tick_steps_on(conn, occurrence, "kitchen.seen", staff_id=staff_id, now=now)
    redraw(conn, receipts.arrival_key(occurrence), kind=receipts.ARRIVAL_REDRAW,
           payload={"alert_id": alert_id}, now=now, suffix="seen")


def may_acknowledge(alert: AllergyAlert, staff: Staff, chat_id: int | None) -> bool:
    if alert.kitchen_chat is not None and chat_id == alert.kitchen_chat:
        return True
    cook = staff.role is Role.KITCHEN and staff.branch == alert.branch
    return cook or leads(staff, alert.branch)  # the escalation's "Kitchen told"


def _unseen(conn: Conn, now: datetime) -> list[PendingAlert]:
    rows = conn.execute(
        "SELECT id, branch, ack_due_at FROM allergy_alerts a WHERE ack_due_at <= ?"
        " AND ack_due_at > ? AND NOT EXISTS (SELECT 1 FROM allergy_acks k"
        " WHERE k.alert_id = a.id) ORDER BY id",
        (stamp(now), stamp(now - STALE_AFTER)),
    ).fetchall()
    leads = {branch: shift_leads(conn, branch) for branch in {row["branch"] for row in rows}}
    return [PendingAlert(id=row["id"], ack_due_at=row["ack_due_at"], leads=leads[row["branch"]])
            for row in rows]


def _load(conn: Conn, alert_id: int) -> AllergyAlert:
    row = conn.execute(f"SELECT {ALERT_COLUMNS} FROM allergy_alerts WHERE id = ?",
                       (alert_id,)).fetchone()
    if row is None:
        raise AlertNotFound(alert_id)
    acks = conn.execute(
        "SELECT k.staff_id, s.name, k.seen_at FROM allergy_acks k JOIN staff s"
        " ON s.id = k.staff_id WHERE k.alert_id = ? ORDER BY k.seen_at, k.staff_id",
        (alert_id,),
    )
    return AllergyAlert.model_validate({**dict(row), "acks": [dict(ack) for ack in acks]})
