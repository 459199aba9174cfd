"""The bot's typed shared state: the core's stores, opened once, and who is asking."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from telegram.ext import Application, CallbackContext

from bot.checklists.setup import playbook_engine, playbook_library
from bot.courier import Courier
from bot.metrics import Metrics
from bot.settings import Settings
from bot.signing import SigningBot
from playbooks.arrivals import Arrivals
from playbooks.bookings.book import Bookings
from playbooks.briefs.brief import Briefs
from playbooks.card_view import CardViews
from playbooks.causes.store import Causes
from playbooks.checklists.engine import PlaybookEngine
from playbooks.events import EventLog
from playbooks.feedback import FeedbackStore
from playbooks.notes import Notes
from playbooks.outbox import Outbox
from playbooks.requests.escalations import RequestPlanner
from playbooks.requests.routing import Routing
from playbooks.requests.store import RequestStore
from playbooks.service_report.audit import ServiceAudit, Trend
from playbooks.service_report.sources import erasure, service_audit
from playbooks.staffing import Staffing
from playbooks.status.alerts import tell_at_risk_arrival
from playbooks.status.lists import GuestLists
from playbooks.status.store import StatusBook
from playbooks.status.weekly import RegularsToCall
from profiles.audit import AuditLog
from profiles.bookings import BookingStore
from profiles.duplicates import DuplicateFinder
from profiles.erasure import Erasure
from profiles.errors import NotAllowed
from profiles.export import Export
from profiles.guardrails import Guardrails, load_guardrails
from profiles.guests import GuestStore
from profiles.learned import LearnedWords
from profiles.merges import GuestMerges
from profiles.models import Staff
from profiles.pending import PendingNotes
from profiles.search import GuestSearch
from profiles.search_index import ensure_search_index
from profiles.staff import StaffStore
from profiles.traits import TraitStore
from profiles.typos import NameVocabulary
from profiles.visits import VisitStore
from profiles.vocabulary import Vocabulary, load_vocabulary
from store.connect import open_database
from store.database import Database

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Core:
    """Everything a handler may call, built on one database connection."""

    settings: Settings
    db: Database
    staff: StaffStore
    guests: GuestStore
    traits: TraitStore
    search: GuestSearch
    pending: PendingNotes
    words: LearnedWords  # the vocabulary notes are read with, with what the leads taught
    outbox: Outbox
    visits: VisitStore
    events: EventLog
    clock: Clock
    playbooks: PlaybookEngine
    requests: RequestStore
    bookings: BookingStore
    briefs: Briefs
    audit: AuditLog
    cards: CardViews
    guardrails: Guardrails
    feedback: FeedbackStore
    reports: ServiceAudit
    erasure: Erasure
    export: Export
    duplicates: DuplicateFinder
    merges: GuestMerges
    arrivals: Arrivals
    notes: Notes
    booking: Bookings
    request_planner: RequestPlanner
    statuses: StatusBook
    lists: GuestLists
    regulars_to_call: RegularsToCall
    causes: Causes
    staffing: Staffing
    # a closed period's chain-wide trend and its chart, by period, weeks, branches (and
    # language): the same for each of 200 managers on a Monday, read and drawn once
    closed_trends: dict[tuple[str, ...], Trend] = field(default_factory=dict)
    closed_charts: dict[tuple[str, ...], bytes] = field(default_factory=dict)

    @property
    def vocabulary(self) -> Vocabulary:
        return self.words.current

    @classmethod
    async def open(cls, settings: Settings, clock: Clock = utc_now) -> Core:
        vocabulary = load_vocabulary(*settings.vocabulary_files())
        guardrails = load_guardrails(*settings.guardrail_files())
        library = playbook_library(settings)
        db = await open_database(settings.database)
        await ensure_search_index(db)  # once, after a migration that asks for it
        names = NameVocabulary()  # one cached typo vocabulary for search and duplicates
        events = EventLog(db)
        playbooks = playbook_engine(settings, library, db, events)
        requests = RequestStore(db, Routing({b.id: b.departments for b in settings.branches},
                                            settings.requests))
        statuses = StatusBook(db, settings.status.rules, settings.zones())
        words = LearnedWords(db, vocabulary)
        await words.refresh()
        events.react_with(tell_at_risk_arrival)
        return cls(
            settings=settings, db=db, staff=StaffStore(db),
            guests=GuestStore(db, phone_regions=settings.phone_regions),
            traits=TraitStore(db, guardrails), search=GuestSearch(db, names),
            pending=PendingNotes(db),
            words=words, outbox=Outbox(db), visits=VisitStore(db), events=events,
            clock=clock, playbooks=playbooks, requests=requests,
            bookings=BookingStore(db), briefs=Briefs(db),
            audit=AuditLog(db), cards=CardViews(db), guardrails=guardrails,
            feedback=FeedbackStore(db, requests, events, statuses),
            reports=service_audit(db, playbooks, requests), erasure=erasure(db),
            export=Export(db), merges=GuestMerges(db),
            duplicates=DuplicateFinder(db, names, phone_regions=settings.phone_regions),
            arrivals=Arrivals(db, events, playbooks, statuses),
            notes=Notes(db, guardrails, events, playbooks),
            booking=Bookings(db, events), request_planner=RequestPlanner(db),
            statuses=statuses, lists=GuestLists(db, settings.status.rules.key_visits),
            regulars_to_call=RegularsToCall(db),
            causes=Causes(db, why_depth=settings.complaints.why_depth),
            staffing=Staffing(db),
        )

    async def close(self) -> None:
        await self.db.close()


@dataclass
class BotState:
    """Application-wide state; `core` and `courier` are set in post_init, inside the running
    event loop."""

    core: Core | None = None
    metrics: Metrics = field(default_factory=Metrics)
    courier: Courier | None = None

    async def drain(self) -> None:
        """Wait until what the updates handled so far enqueued has been delivered (or left
        for the sweep to retry): for tests and the terminal chat, which read replies then."""
        if self.courier is not None:
            await self.courier.drain()


@dataclass
class UserState:
    """Per staff member, in memory only: what the next plain message means."""

    note_for: int | None = None


class Context(CallbackContext[SigningBot, UserState, dict[object, object], BotState]):
    """The callback context, carrying the staff member the access gate found."""

    def __init__(
        self, application: Application,  # type: ignore[type-arg]
        chat_id: int | None = None, user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.staff: Staff | None = None

    @property
    def core(self) -> Core:
        core = self.bot_data.core
        if core is None:
            raise RuntimeError("the core is opened in post_init; it has not run")
        return core

    @property
    def user_state(self) -> UserState:
        state = self.user_data
        if state is None:  # only updates without a user, which the access gate stops
            raise NotAllowed("no user")
        return state

    @property
    def member(self) -> Staff:
        """The active staff member behind this update (the access gate guarantees one)."""
        if self.staff is None:
            raise NotAllowed("no staff member")
        return self.staff

    @property
    def lang(self) -> str:
        return self.staff.language if self.staff else self.core.settings.chain.language
