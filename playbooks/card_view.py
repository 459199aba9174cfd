"""Opening a guest's card: what the viewer's role may see, the open requests, and the view
recorded in the audit log — one transaction, one hop to the database thread, since this is
what a waiter does between two tables."""

from __future__ import annotations

from datetime import datetime

from playbooks.requests.models import RequestSummary
from playbooks.requests.store import open_requests
from playbooks.status.rules import Status
from playbooks.status.store import stored_status
from profiles.audit import AuditAction, record
from profiles.guests import load_guest
from profiles.models import Frozen, GuestCard, Staff
from profiles.traits import load_traits
from profiles.visibility import visible_card
from store.database import Database
from store.sql import Conn


class CardView(Frozen):
    card: GuestCard
    open_requests: list[RequestSummary]
    status: Status | None = None  # None until first computed (a guest never seen)


class CardViews:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def open(self, guest_id: int, *, viewer: Staff, now: datetime) -> CardView:
        """The card as `viewer` may see it; raises GuestNotFound before recording anything."""

        def work(conn: Conn) -> CardView:
            card = GuestCard(guest=load_guest(conn, guest_id), traits=load_traits(conn, guest_id))
            record(conn, AuditAction.VIEW, staff_id=viewer.id, guest_id=guest_id, now=now)
            return CardView(card=visible_card(card, viewer),
                            open_requests=open_requests(conn, [guest_id]).get(guest_id, []),
                            status=stored_status(conn, guest_id))

        return await self._db.write(work)
