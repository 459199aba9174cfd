"""The pre-arrival brief: who is expected at a branch on a day (or in one shift) and what to know.

Gathered in one read from bookings, guests, traits, visits and occasions; planned at each
shift's start for the roles that shift names, and rendered when sent, so it is never stale.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime
from enum import StrEnum
from functools import partial

from pydantic import Field

from playbooks.briefs import occasions
from playbooks.briefs.occasions import OccasionDue
from playbooks.briefs.shifts import (
    BranchDay,
    ShiftWindow,
    current_shifts,
    shift_named,
    shift_of,
)
from playbooks.outbox import Outgoing, enqueue
from playbooks.requests import store as request_store
from playbooks.roster import staff_with_roles
from playbooks.status.rules import Status
from playbooks.status.store import stored_statuses
from profiles.bookings import Booking, arrived_since, bookings_between
from profiles.guests import load_guests
from profiles.models import Category, Frozen, Guest, Role, Segment, Staff, Trait
from profiles.traits import load_traits
from profiles.visibility import visible_guest, visible_traits
from profiles.visits import VisitSummary, visit_summaries
from store.database import Database
from store.sql import Conn

KIND = "brief"  # the outbox kind of a pushed brief
PREFERENCES_SHOWN = 3
# visits at another branch that make a guest "a regular there" worth telling this one
REGULAR_VISITS = 3
OCCASION_DAYS = 7  # "occasion today or this week"
# Branches whose reminders one transaction writes: a branch is a few statements, and one
# transaction a branch made 200 commits a morning; ten keep a write within milliseconds.
REMINDERS_PER_WRITE = 10
_PREFERENCE_ORDER = (Category.SEATING, Category.DRINK, Category.FOOD, Category.SERVICE,
                     Category.ROOM, Category.FAMILY)


class BriefView(StrEnum):
    """Who reads it: housekeeping sees rooms and room preferences, not notes or bookings'
    remarks."""

    LEAD = "lead"
    HOUSEKEEPING = "housekeeping"


def view_for(role: Role) -> BriefView:
    return BriefView.HOUSEKEEPING if role is Role.HOUSEKEEPING else BriefView.LEAD


class BriefEntry(Frozen):
    guest: Guest
    booking: Booking | None = None  # None: in house now, without a booking in this brief
    room_no: str | None = None
    arrived: bool = False
    allergies: list[Trait] = Field(default_factory=list)
    diet: list[Trait] = Field(default_factory=list)
    preferences: list[Trait] = Field(default_factory=list)
    visits: VisitSummary
    regular_at: tuple[str, int] | None = None
    occasions: list[OccasionDue] = Field(default_factory=list)
    requests: list[str] = Field(default_factory=list)
    status: Status | None = None

    @property
    def first_visit(self) -> bool:
        return self.visits.total == 0

    @property
    def vip(self) -> bool:
        return self.guest.tier is not None or self.guest.segment is Segment.KEY


class BriefSummary(Frozen):
    bookings: int
    covers: int
    allergies: int
    first_timers: int
    occasions: int
    vips: int


class Brief(Frozen):
    branch: str
    day: date
    shift: str | None
    view: BriefView
    entries: list[BriefEntry]
    in_house: list[BriefEntry] = Field(default_factory=list)
    summary: BriefSummary


# --- pure --------------------------------------------------------------------------------


def useful_preferences(traits: list[Trait], view: BriefView) -> list[Trait]:
    """The few preferences worth a line: the most confirmed first, then by kind, newest."""
    if view is BriefView.HOUSEKEEPING:
        wanted: tuple[Category, ...] = (Category.ROOM, Category.SERVICE)
    else:
        wanted = _PREFERENCE_ORDER
    chosen = [trait for trait in traits if trait.category in wanted]
    chosen.sort(key=lambda tr: (-tr.confirmed_count, wanted.index(tr.category),
                                -tr.seen_at.timestamp()))
    return chosen[:PREFERENCES_SHOWN]


def regular_elsewhere(visits: VisitSummary, branch: str) -> tuple[str, int] | None:
    """The branch (other than this one) where the guest comes most, if they are a regular."""
    others = [(count, name) for name, count in visits.by_branch.items() if name != branch]
    if not others:
        return None
    count, name = max(others)
    return (name, count) if count >= REGULAR_VISITS and count > \
        visits.by_branch.get(branch, 0) else None


def summarise(entries: list[BriefEntry]) -> BriefSummary:
    booked = [entry for entry in entries if entry.booking is not None]
    return BriefSummary(
        bookings=len(booked),
        covers=sum(entry.booking.party or 1 for entry in booked if entry.booking),
        allergies=sum(1 for entry in entries if entry.allergies),
        first_timers=sum(1 for entry in entries if entry.first_visit),
        occasions=sum(1 for entry in entries if entry.occasions),
        vips=sum(1 for entry in entries if entry.vip),
    )


# --- gathering ------------------------------------------------------------------------------


def open_requests(conn: Conn, guest_ids: list[int]) -> dict[int, list[str]]:
    """What each guest asked for that is not done yet, for the brief's "open requests" line."""
    return {guest_id: [request.text for request in found]
            for guest_id, found in request_store.open_requests(conn, guest_ids).items()}


def gather(
    conn: Conn, branch: BranchDay, day: date, *, shift: str | None, viewer: Staff,
) -> Brief:
    """The brief as `viewer` may read it: their role decides the traits and the phone shown
    (profiles.visibility), and housekeeping's brief is about rooms."""
    view = view_for(viewer.role)
    start, end = branch.day_bounds(day)
    bookings = [b for b in bookings_between(conn, branch.branch, start, end)
                if shift is None or shift_of(branch, b.at) == shift]
    in_house = _in_house(conn, branch.branch) if view is BriefView.HOUSEKEEPING else []
    ids = list(dict.fromkeys([b.guest_id for b in bookings] + [g for g, _ in in_house]))
    stored = {guest.id: guest for guest in load_guests(conn, ids)}
    summaries = visit_summaries(conn, ids)
    arrived = arrived_since(conn, branch.branch, ids, start)
    requests = open_requests(conn, ids)
    statuses = stored_statuses(conn, ids)
    traits = {guest_id: visible_traits(load_traits(conn, guest_id), guest, viewer)
              for guest_id, guest in stored.items()}
    guests = {guest_id: visible_guest(guest, viewer) for guest_id, guest in stored.items()}

    def entry(guest_id: int, booking: Booking | None, room: str | None) -> BriefEntry:
        return _entry(guests[guest_id], traits[guest_id], summaries[guest_id], branch.branch,
                      day, view, booking=booking, room=room, arrived=guest_id in arrived,
                      requests=requests.get(guest_id, []), status=statuses.get(guest_id))

    entries = [entry(b.guest_id, b, b.room_no) for b in bookings if b.guest_id in guests]
    staying = [entry(g, None, room) for g, room in in_house if g in guests]
    return Brief(branch=branch.branch, day=day, shift=shift, view=view, entries=entries,
                 in_house=staying, summary=summarise(entries))


def _entry(
    guest: Guest, traits: list[Trait], visits: VisitSummary, branch: str, day: date,
    view: BriefView, *, booking: Booking | None, room: str | None, arrived: bool,
    requests: list[str], status: Status | None = None,
) -> BriefEntry:
    by_category = {category: [t for t in traits if t.category is category] for category in
                   (Category.ALLERGY, Category.DIET)}
    return BriefEntry(
        guest=guest, booking=booking, room_no=room, arrived=arrived,
        allergies=by_category[Category.ALLERGY], diet=by_category[Category.DIET],
        preferences=useful_preferences(traits, view), visits=visits,
        regular_at=regular_elsewhere(visits, branch),
        occasions=occasions.within(traits, day, OCCASION_DAYS), requests=requests,
        status=status,
    )


def _in_house(conn: Conn, branch: str) -> list[tuple[int, str]]:
    """Guests in a room of `branch` now (an open visit with a room), by room."""
    rows = conn.execute(
        "SELECT guest_id, room_no FROM visits WHERE branch = ? AND left_at IS NULL"
        " AND room_no IS NOT NULL ORDER BY room_no, arrived_at", (branch,),
    )
    return [(int(row["guest_id"]), str(row["room_no"])) for row in rows]


# --- planning -------------------------------------------------------------------------------


def plan_briefs(conn: Conn, branch: BranchDay, now: datetime) -> int:
    """Enqueue the brief of every shift under way to the roles it names, once a shift; how
    many new.

    Planned only between the shift's start and end, and dropped by the outbox when its end
    passes unsent: a bot that was down at the start still briefs the shift, never a past one.
    """
    return sum(plan_shift(conn, window, now) for window in current_shifts(branch, now)
               if not occasions.planned(conn, brief_planner(window), [(window.branch, window.day)]))


def brief_planner(window: ShiftWindow) -> str:
    """The name a shift's briefs are marked planned under, for its branch and day."""
    return f"{KIND}:{window.shift.name}"


def plan_shift(conn: Conn, window: ShiftWindow, now: datetime) -> int:
    """Enqueue one shift's brief to each member of the roles it names and mark it planned,
    unless another sweep did; how many new."""
    if not occasions.mark_planned(conn, brief_planner(window), window.branch, window.day, now):
        return 0
    new = 0
    for member in staff_with_roles(conn, window.branch, window.shift.roles):
        new += enqueue(conn, Outgoing(
            key=f"brief:{window.key}:{member.id}", kind=KIND, chat_id=member.telegram_id,
            staff_id=member.id, not_before=window.start, expires_at=window.end,
            payload={"branch": window.branch, "shift": window.shift.name,
                     "date": window.day.isoformat()}), now)
    return new


class Briefs:
    """Briefs and reminders read or planned in one transaction each; `events` holds the
    occasion events the planning logged, for the shell to publish."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self.events = occasions.OccasionEvents(db)

    async def brief(
        self, branch: BranchDay, day: date, *, viewer: Staff, shift: str | None = None
    ) -> Brief:
        if shift is not None and shift_named(branch, shift) is None:
            shift = None  # a shift renamed in config since: brief the whole day
        return await self._db.read(
            lambda conn: gather(conn, branch, day, shift=shift, viewer=viewer))

    async def reminders(self, branch: BranchDay, day: date,
                        guest_ids: Collection[int] | None = None) -> occasions.Reminders:
        return await self._db.read(
            lambda conn: occasions.reminders(conn, branch, day, guest_ids))

    async def plan(self, branches: list[BranchDay], now: datetime) -> int:
        """Plan the shifts' briefs and the occasion reminders each branch has not planned
        yet: one read of what is planned; then, for each branch due, its reminders read
        (the chain's occasions once for all branches on the same days) and written with
        their marks in short transactions of REMINDERS_PER_WRITE branches, so that no
        write holds the database for the whole chain; how many messages are new."""
        shifts = [window for branch in branches for window in current_shifts(branch, now)]
        due = {branch.branch: day for branch in branches
               if (day := occasions.reminder_day(branch, now)) is not None}

        def unplanned(conn: Conn) -> tuple[list[ShiftWindow], set[str]]:
            open_shifts = [w for w in shifts if not occasions.planned(
                conn, brief_planner(w), [(w.branch, w.day)])]
            done = occasions.planned(conn, occasions.KIND, due.items())
            return open_shifts, {name for name, day in due.items() if (name, day) not in done}

        open_shifts, to_remind = await self._db.read(unplanned)
        new = 0
        for window in open_shifts:
            new += await self._db.write(partial(plan_shift, window=window, now=now))
        chains: dict[tuple[date, ...], occasions.ChainOccasions] = {}
        todo = [branch for branch in branches if branch.branch in to_remind]
        for start in range(0, len(todo), REMINDERS_PER_WRITE):
            found = [(branch, await self._found(branch, due[branch.branch], chains))
                     for branch in todo[start:start + REMINDERS_PER_WRITE]]
            new += await self._db.write(partial(_enqueue_all, found=found, due=due, now=now))
        return new

    async def _found(
        self, branch: BranchDay, today: date,
        chains: dict[tuple[date, ...], occasions.ChainOccasions],
    ) -> occasions.Reminders:
        days = occasions.reminder_days(branch, today)
        if tuple(days) not in chains:
            chains[tuple(days)] = await self._db.read(
                partial(occasions.chain_occasions, days=days, today=today))
        return await self._db.read(partial(occasions.branch_reminders, branch=branch,
                                           chain=chains[tuple(days)]))


def _enqueue_all(conn: Conn, *, found: list[tuple[BranchDay, occasions.Reminders]],
                 due: Mapping[str, date], now: datetime) -> int:
    return sum(occasions.enqueue_reminders(conn, branch, reminders, due[branch.branch], now)
               for branch, reminders in found)
