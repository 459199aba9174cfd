"""`/note REF: TEXT` as one transaction: the traits, and the allergy event they raise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from playbooks.checklists.allergy import AllergyAlert, allergies_logged
from playbooks.checklists.engine import PlaybookEngine
from playbooks.events import EventLog
from profiles.audit import AuditAction, record
from profiles.guardrails import Guardrails
from profiles.guests import NewGuest, insert_guest, load_guest
from profiles.learned import learn, learnable
from profiles.models import Guest, NoteLogged, Staff, TraitDraft
from profiles.pending import Command, spend
from profiles.traits import log_traits, take_for_refiling
from store.database import Database
from store.sql import Conn


class Notes:
    def __init__(self, db: Database, guardrails: Guardrails, events: EventLog,
                 engine: PlaybookEngine) -> None:
        self._db = db
        self._guardrails = guardrails
        self._events = events
        self._engine = engine

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
            raised = self._events.publish(conn, allergies_logged(
                logged, branch=branch, staff_id=staff_id, at=now), now)
            # the kitchen of the branch the guest is in, told of an allergy learned now
            alert = self._engine.outcome(conn, raised).alert if raised else None
            return Logged(guest=guest, note=logged, alert=alert)

        return await self._db.write(work)

    async def refile(self, trait_id: int, draft: TraitDraft, *, staff_id: int, now: datetime,
                     by: Staff | None = None, teach: bool = False) -> Refiled:
        """File one trait again as `draft` says (another category, the same words), in one
        transaction: the old trait retracted, the new one logged as a batch of its own in the
        trait's branch (where it was learned, and whose leads answer for it), the change
        audited, and an allergy it now is published to that branch's kitchen as any logged
        allergy is. With `teach` (a lead's or a manager's correction) the words are learned
        for the chain, when they may be (profiles.learned.learnable: never from a private
        note); refresh the vocabulary after.

        Raises NoteRefused before anything is written; TraitNotFound when the trait is gone
        or `by` (None for the core's own use) may not change it.
        """
        self._guardrails.check([draft])

        def work(conn: Conn) -> Refiled:
            old = take_for_refiling(conn, trait_id, staff_id=staff_id, now=now, by=by)
            branch = old.branch
            logged = log_traits(conn, old.guest_id, [draft.model_copy(
                update={"private": old.private})], staff_id=staff_id, branch=branch, now=now)
            record(conn, AuditAction.REFILE, staff_id=staff_id, guest_id=old.guest_id, now=now,
                   details={"trait": old.id, "from": old.category.value,
                            "to": draft.category.value, "batch": logged.batch_id})
            self._events.publish(conn, allergies_logged(logged, branch=branch, staff_id=staff_id,
                                                        at=now), now)
            phrase = learnable(old.text, old.category, draft.category) \
                if teach and not old.private else None
            if phrase is not None:
                learn(conn, phrase, draft.category, staff_id=staff_id, now=now)
            return Refiled(now=logged, learned=phrase)

        return await self._db.write(work)


@dataclass(frozen=True)
class Refiled:
    now: NoteLogged
    learned: str | None = None  # the words the chain now reads as the new category


@dataclass(frozen=True)
class Logged:
    guest: Guest
    note: NoteLogged | None  # None: nothing to log, a guest created for a tag the note hinted
    alert: AllergyAlert | None = None  # the kitchen told of an allergy while the guest is in
