"""`/note REF: TEXT` as one transaction: the traits, and the allergy event they raise."""

from __future__ import annotations

from datetime import datetime

from playbooks.checklists.allergy import allergies_logged
from playbooks.events import EventLog
from profiles.guardrails import Guardrails
from profiles.models import NoteLogged, TraitDraft
from profiles.traits import log_traits
from store.database import Database
from store.sql import Conn


class Notes:
    def __init__(self, db: Database, guardrails: Guardrails, events: EventLog) -> None:
        self._db = db
        self._guardrails = guardrails
        self._events = events

    async def log(
        self, guest_id: int, drafts: list[TraitDraft], *, staff_id: int, branch: str,
        now: datetime,
    ) -> NoteLogged:
        """Store a note's traits as one batch; an allergy among them is published with them.

        Raises NoteRefused, before anything is written, for words the guardrails refuse, and
        GuestNotFound.
        """
        self._guardrails.check(drafts)

        def work(conn: Conn) -> NoteLogged:
            logged = log_traits(conn, guest_id, drafts, staff_id=staff_id, branch=branch,
                                now=now)
            self._events.publish(conn, allergies_logged(logged, branch=branch, staff_id=staff_id,
                                                        at=now), now)
            return logged

        return await self._db.write(work)
