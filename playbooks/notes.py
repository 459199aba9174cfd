"""`/note REF: TEXT` as one transaction: the traits, and the allergy event they raise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from playbooks.checklists.allergy import allergies_logged
from playbooks.events import EventLog
from profiles.guardrails import Guardrails
from profiles.guests import NewGuest, insert_guest, load_guest
from profiles.models import Guest, NoteLogged, TraitDraft
from profiles.pending import Command, spend
from profiles.traits import log_traits
from store.database import Database
from store.sql import Conn


class Notes:
    def __init__(self, db: Database, guardrails: Guardrails, events: EventLog) -> None:
        self._db = db
        self._guardrails = guardrails
        self._events = events

    async def log(
        self, guest_id: int | None, drafts: list[TraitDraft], *, staff_id: int, branch: str,
        now: datetime, spending: int | None = None, new_guest: NewGuest | None = None,
    ) -> Logged:
        """Store a note's traits as one batch; an allergy among them is published with them.
        The note kept for a button (`spending`) is used up, and the guest it named created
        (`new_guest`, in place of `guest_id`), in the same transaction.

        Raises NoteRefused, before anything is written, for words the guardrails refuse;
        GuestNotFound; PendingNoteGone when the kept note was used already.
        """
        self._guardrails.check(drafts)

        def work(conn: Conn) -> Logged:
            if spending is not None:
                spend(conn, spending, staff_id=staff_id, command=Command.NOTE, now=now)
            if new_guest is not None:
                guest = insert_guest(conn, new_guest.name, new_guest.honorific, new_guest.phone,
                                     branch=branch, staff_id=staff_id, now=now)
            elif guest_id is not None:
                guest = load_guest(conn, guest_id)
            else:
                raise ValueError("a note is for a guest: name one, or one to create")
            if not drafts:
                return Logged(guest=guest, note=None)
            logged = log_traits(conn, guest.id, drafts, staff_id=staff_id, branch=branch,
                                now=now)
            self._events.publish(conn, allergies_logged(logged, branch=branch, staff_id=staff_id,
                                                        at=now), now)
            return Logged(guest=guest, note=logged)

        return await self._db.write(work)


@dataclass(frozen=True)
class Logged:
    guest: Guest
    note: NoteLogged | None  # None: nothing to log, a guest created for a tag the note hinted
