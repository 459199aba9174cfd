"""Opening a guest's card: what the viewer's role may see, the open requests, and the view
recorded in the audit log — one transaction, one hop to the database thread, since this is
what a waiter does between two tables.

Recording the view is best effort: when the database takes no writes (a full disk, a file
made read-only, a writer holding the lock too long), the card is still shown, read alone, and
the missed entry is logged — a waiter at the door needs the allergy more than the log does."""

from __future__ import annotations

import logging
from datetime import datetime

from playbooks.feeds.feeds import Spend, guest_spend
from playbooks.requests.models import RequestSummary
from playbooks.requests.store import open_requests
from playbooks.status.rules import Status
from playbooks.status.store import stored_status
from profiles.audit import AuditAction, record
from profiles.guests import load_guest
from profiles.models import Frozen, GuestCard, Role, Staff
from profiles.traits import load_traits
from profiles.visibility import visible_card
from store.database import Database
from store.sql import Conn

log = logging.getLogger(__name__)

# a cleaner or a cook serves the guest the same whatever they spend
SEES_SPEND = frozenset({Role.WAITER, Role.LEAD, Role.MANAGER, Role.ADMIN})


class CardView(Frozen):
    card: GuestCard
    open_requests: list[RequestSummary]
    spend: Spend | None = None  # visits and average check, for the roles that see them
    status: Status | None = None  # None until first computed (a guest never seen)


class CardViews:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def open(self, guest_id: int, *, viewer: Staff, now: datetime) -> CardView:
        """The card as `viewer` may see it; raises GuestNotFound before recording anything."""

        def view(conn: Conn) -> CardView:
            card = GuestCard(guest=load_guest(conn, guest_id), traits=load_traits(conn, guest_id))
            return CardView(card=visible_card(card, viewer),
                            open_requests=open_requests(conn, [guest_id]).get(guest_id, []),
                            spend=guest_spend(conn, guest_id)
                            if viewer.role in SEES_SPEND else None,
                            status=stored_status(conn, guest_id))

        def view_recorded(conn: Conn) -> CardView:
            shown = view(conn)
            record(conn, AuditAction.VIEW, staff_id=viewer.id, guest_id=guest_id, now=now)
            return shown

        try:
            return await self._db.write(view_recorded)
        except self._db.write_refused as refused:
            log.warning("card of guest %s shown to staff %s without recording the view: %s",
                        guest_id, viewer.id, refused)
            return await self._db.read(view)
