"""Birthdays and anniversaries: which fall when, who is reminded, and the events they raise.

Occasions are traits (category `occasion`, attrs kind/month/day[/year]), logged by /note or
/occasion. A 29 February occasion falls on 28 February in other years. Reminders go to the
leads of the branches where the guest is expected (their latest visit, or a booking in the
coming days; their home branch if they never came) and to whoever last served them: one
message per person per local day, listing every occasion of theirs, today and N days ahead.
"""

from __future__ import annotations

import calendar
import json
import re
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from datetime import date, datetime, timedelta
from functools import partial
from typing import Final

from playbooks.briefs.shifts import BranchDay
from playbooks.events import Event, EventKind, EventLog
from playbooks.outbox import Outgoing, enqueue
from playbooks.roster import staff_with_roles
from profiles.bookings import Booking, bookings_of_guests
from profiles.guests import load_guests
from profiles.models import Category, Frozen, Guest, Role, Staff, Trait, TraitDraft
from profiles.parser import parse_note
from profiles.visibility import visible_guest, visible_traits
from profiles.visits import visit_summaries
from profiles.vocabulary import Vocabulary
from store.database import Database, WriteBudget, stamp
from store.sql import Conn, Row, dialect, question_marks, values_of

KIND = "occasions"  # the outbox kind of the daily reminder
EVENTS_PER_WRITE = 10  # occasion events published in one transaction
# and none begun after this much of a tick: each starts the day's playbooks (2-3 ms on
# PostgreSQL), and a morning's hundred would hold a quarter of the sweep's second of writes
PUBLISH_SECONDS = 0.15
EVENTS_PER_STATEMENT = 500  # occasion events inserted by one statement: 3,000 parameters


class OccasionDue(Frozen):
    """One occasion of one guest on one date."""

    trait_id: int
    guest_id: int
    kind: str | None  # "birthday", "anniversary", or None when the note named no kind
    text: str
    on: date
    days_ahead: int
    year: int | None = None

    @property
    def years(self) -> int | None:
        """The age turned or the anniversary reached, when the year is known."""
        return self.on.year - self.year if self.year and self.on.year > self.year else None


class GuestOccasions(Frozen):
    guest: Guest
    occasions: list[OccasionDue]
    booking: Booking | None = None  # their booking in the reminder's window, if any


# --- pure --------------------------------------------------------------------------------


def falls_on(month: int, day: int, on: date) -> bool:
    """Whether a yearly month/day falls on `on` (29 February on the 28th in common years)."""
    if (month, day) == (on.month, on.day):
        return True
    return (month, day) == (2, 29) and (on.month, on.day) == (2, 28) and \
        not calendar.isleap(on.year)


def month_days(on: date) -> list[tuple[int, int]]:
    """The stored month/day pairs that fall on `on`."""
    pairs = [(on.month, on.day)]
    if (on.month, on.day) == (2, 28) and not calendar.isleap(on.year):
        pairs.append((2, 29))
    return pairs


def next_occurrence(month: int, day: int, today: date) -> date:
    for year in range(today.year, today.year + 2):
        last = calendar.monthrange(year, month)[1]
        candidate = date(year, month, min(day, last))
        if candidate >= today:
            return candidate
    raise ValueError(f"no month {month}")  # unreachable for months 1-12


def occasions_of(trait: Trait, days: Iterable[date], today: date) -> list[OccasionDue]:
    """The occasion `trait` names, on each of `days` it falls on."""
    month, day = trait.attrs.get("month"), trait.attrs.get("day")
    if trait.category is not Category.OCCASION or not isinstance(month, int) or \
            not isinstance(day, int):
        return []
    kind, year = trait.attrs.get("kind"), trait.attrs.get("year")
    return [OccasionDue(trait_id=trait.id, guest_id=trait.guest_id,
                        kind=kind if isinstance(kind, str) else None, text=trait.text, on=on,
                        days_ahead=(on - today).days, year=year if isinstance(year, int) else None)
            for on in days if falls_on(month, day, on)]


def next_due(trait: Trait, today: date) -> OccasionDue | None:
    """The trait's next occasion from today on, or None when it names no date."""
    month, day = trait.attrs.get("month"), trait.attrs.get("day")
    if not isinstance(month, int) or not isinstance(day, int):
        return None
    found = occasions_of(trait, [next_occurrence(month, day, today)], today)
    return found[0] if found else None


def within(traits: Iterable[Trait], today: date, days: int) -> list[OccasionDue]:
    """Occasions from today to `days` - 1 days ahead, soonest first (a brief's "this week")."""
    span = [today + timedelta(days=n) for n in range(days)]
    found = [due for trait in traits for due in occasions_of(trait, span, today)]
    return sorted(found, key=lambda due: (due.on, due.trait_id))


def read_occasions(text: str, vocabulary: Vocabulary, *,
                   region: str | None = None) -> list[TraitDraft]:
    """The occasions a note names (`birthday 05-12`, `结婚纪念日 10月3日`), dated or not;
    `region` decides how an ambiguous numeric date reads, as for a note."""
    return [draft for draft in parse_note(text, vocabulary, region=region).traits
            if draft.category is Category.OCCASION]


_MONTH_NAMES: Final = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
    start=1)}
_NUMERIC_MONTH_DAY: Final = (
    re.compile(r"(?<!\d)(?P<m>\d{1,2})\s*[-/.]\s*(?P<d>\d{1,2})(?!\d)"),
    re.compile(r"(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号號]?"),
)
_TYPED_MONTH_DAY: Final = (
    *_NUMERIC_MONTH_DAY,
    re.compile(r"(?P<name>[a-z]{3})[a-z]*\.?\s+(?P<d>\d{1,2})(?!\d)", re.IGNORECASE),
    re.compile(r"(?<!\d)(?P<d>\d{1,2})\s+(?P<name>[a-z]{3})[a-z]*", re.IGNORECASE),
)


def impossible_day(text: str) -> tuple[int, int] | None:
    """The month and day of a date typed that no year has (30 February, 31 April), so staff
    are told so rather than shown the usage line; None when there is none."""
    for pattern in _TYPED_MONTH_DAY:
        for found in pattern.finditer(text):
            groups = found.groupdict()
            month = (_MONTH_NAMES.get(groups["name"].lower(), 0) if groups.get("name")
                     else int(groups["m"]))
            day = int(found["d"])
            if 1 <= month <= 12 and day > calendar.monthrange(2024, month)[1]:  # a leap year
                return month, day
    return None


def unreadable_date(text: str) -> str | None:
    """A date typed in numbers that is no month and day at all ("13/45", "0-12", "14月3日"),
    as typed, so staff are told which words were not read; None when there is none."""
    for pattern in _NUMERIC_MONTH_DAY:
        for found in pattern.finditer(text):
            if not (1 <= int(found["m"]) <= 12 and 1 <= int(found["d"]) <= 31):
                return found.group().strip()
    return None


def is_dated(draft: TraitDraft) -> bool:
    return isinstance(draft.attrs.get("month"), int) and isinstance(draft.attrs.get("day"), int)


def reminder_days(branch: BranchDay, today: date) -> list[date]:
    ahead = branch.occasion_days_ahead
    return [today] if ahead == 0 else [today, today + timedelta(days=ahead)]


# --- the store side -------------------------------------------------------------------------


# attrs is JSON text on both databases; each test is the expression the database's
# traits_occasion_day index is built on, so the lookup stays an index scan
_MONTH_DAY = {
    "sqlite": "(json_extract(attrs, '$.month') = ? AND json_extract(attrs, '$.day') = ?)",
    "postgresql": "((attrs::jsonb ->> 'month')::integer = ?"
                  " AND (attrs::jsonb ->> 'day')::integer = ?)",
}


def occasion_traits(conn: Conn, days: Iterable[date],
                    guest_ids: Collection[int] | None = None) -> list[Trait]:
    """Standing occasion traits that fall on any of `days` (of `guest_ids` only, if given)."""
    pairs = sorted({pair for day in days for pair in month_days(day)})
    if not pairs or (guest_ids is not None and not guest_ids):
        return []
    where = " OR ".join(_MONTH_DAY[dialect(conn)] for _ in pairs)
    params: list[object] = [value for pair in pairs for value in pair]
    if guest_ids is not None:
        where = f"({where}) AND guest_id IN ({', '.join('?' for _ in guest_ids)})"
        params += sorted(guest_ids)
    rows = conn.execute(
        "SELECT id, guest_id, category, text, attrs, branch, staff_id, created_at, private"
        " FROM traits"
        f" WHERE category = 'occasion' AND retracted_at IS NULL AND ({where}) ORDER BY id",
        params,
    )
    return [Trait.model_validate({**dict(row), "attrs": json.loads(row["attrs"])})
            for row in rows]


def _last_servers(conn: Conn, guest_ids: list[int]) -> dict[int, int]:
    """Who served each guest at their latest visit."""
    if not guest_ids:
        return {}
    marks = question_marks(guest_ids)
    rows = conn.execute(
        f"SELECT guest_id, staff_id FROM visits WHERE guest_id IN ({marks})"
        " AND staff_id IS NOT NULL ORDER BY arrived_at, id", guest_ids,
    )
    return {int(row["guest_id"]): int(row["staff_id"]) for row in rows}  # the latest wins


def _active_staff(conn: Conn, staff_ids: Iterable[int]) -> dict[int, Staff]:
    ids = sorted(set(staff_ids))
    if not ids:
        return {}
    marks = question_marks(ids)
    rows = conn.execute(f"SELECT * FROM staff WHERE active = 1 AND id IN ({marks})", ids)
    return {int(row["id"]): Staff.model_validate(dict(row)) for row in rows}


class Reminders(Frozen):
    """For one branch and local day: each recipient's guests with occasions."""

    by_staff: dict[int, list[GuestOccasions]]
    staff: dict[int, Staff]
    home: dict[int, str]  # each guest's branch for events: latest visit, else home branch
    due: list[OccasionDue]


class ChainOccasions(Frozen):
    """Every occasion of the chain on a set of days, with what any branch needs to know of
    its guests: read once for all branches that share the days, not once per branch."""

    today: date
    days: list[date]
    traits: list[Trait]
    due: list[OccasionDue]
    guests: dict[int, Guest]
    home: dict[int, str]
    servers: dict[int, int]
    server_staff: dict[int, Staff]


def chain_occasions(conn: Conn, days: list[date], today: date,
                    guest_ids: Collection[int] | None = None) -> ChainOccasions:
    """The chain's occasions on `days` (the first being `today`), from the occasion index;
    only those of `guest_ids`, if given."""
    traits = occasion_traits(conn, days, guest_ids)
    due = [d for trait in traits for d in occasions_of(trait, days, today)]
    ids = sorted({d.guest_id for d in due})
    guests = {guest.id: guest for guest in load_guests(conn, ids)}
    summaries = visit_summaries(conn, ids)
    servers = _last_servers(conn, ids)
    return ChainOccasions(
        today=today, days=days, traits=traits, due=due, guests=guests,
        home={i: summaries[i].last_branch or guests[i].branch for i in ids if i in guests},
        servers=servers, server_staff=_active_staff(conn, servers.values()))


def reminders(conn: Conn, branch: BranchDay, today: date,
              guest_ids: Collection[int] | None = None) -> Reminders:
    """Who at `branch` is reminded of which occasions on its local day `today`; of the
    guests `guest_ids` only, if given (a planned reminder's, read again as it is sent: a
    fraction of the chain's occasions, and still none retracted or erased since)."""
    days = reminder_days(branch, today)
    return branch_reminders(conn, branch, chain_occasions(conn, days, today, guest_ids))


def branch_reminders(conn: Conn, branch: BranchDay, chain: ChainOccasions) -> Reminders:
    """`branch`'s share of the chain's occasions: its leads hear of the guests expected there,
    and whoever last served a guest hears of them if they work there."""
    if not chain.due:
        return Reminders(by_staff={}, staff={}, home={}, due=[])
    ids = sorted(chain.guests)
    start, _ = branch.day_bounds(chain.today)
    _, end = branch.day_bounds(chain.days[-1])
    booked = {b.guest_id: b for b in reversed(bookings_of_guests(conn, ids, start, end))}
    leads = staff_with_roles(conn, branch.branch, (Role.LEAD,))
    staff = {s.id: s for s in leads} | chain.server_staff
    by_staff: dict[int, list[GuestOccasions]] = defaultdict(list)
    for guest_id in ids:
        expected_here = chain.home[guest_id] == branch.branch or (
            guest_id in booked and booked[guest_id].branch == branch.branch)
        recipients = {s.id for s in leads} if expected_here else set()
        server = staff.get(chain.servers.get(guest_id, -1))
        if server is not None and server.branch == branch.branch:
            recipients.add(server.id)
        for staff_id in sorted(recipients):
            entry = _as_seen_by(staff[staff_id], chain.guests[guest_id], chain.traits,
                                chain.due, booked.get(guest_id))
            if entry.occasions:
                by_staff[staff_id].append(entry)
    return Reminders(by_staff=dict(by_staff), staff=staff, home=chain.home, due=chain.due)


def _as_seen_by(
    viewer: Staff, guest: Guest, traits: list[Trait], due: list[OccasionDue],
    booking: Booking | None,
) -> GuestOccasions:
    """The guest's occasions as `viewer`'s role may see them (a private one only by leads)."""
    visible = {trait.id for trait in visible_traits(
        [trait for trait in traits if trait.guest_id == guest.id], guest, viewer)}
    return GuestOccasions(guest=visible_guest(guest, viewer), booking=booking,
                          occasions=[d for d in due if d.trait_id in visible])


def plan_reminders(conn: Conn, branch: BranchDay, now: datetime) -> int:
    """Enqueue today's reminders at `branch` once its reminder time has come, once a day;
    how many new. In one transaction: what `Briefs.plan` does in a read and a short write."""
    today = reminder_day(branch, now)
    if today is None or planned(conn, KIND, [(branch.branch, today)]):
        return 0
    return enqueue_reminders(conn, branch, reminders(conn, branch, today), today, now)


def reminder_day(branch: BranchDay, now: datetime) -> date | None:
    """The branch's local day whose reminders are due at `now`; None before its reminder
    time."""
    local = branch.local(now)
    return local.date() if local.time() >= branch.reminder_time() else None


def enqueue_reminders(
    conn: Conn, branch: BranchDay, found: Reminders, today: date, now: datetime
) -> int:
    """Enqueue what `found` says, log its events and mark the branch's day planned, unless
    another sweep marked it meanwhile; how many new."""
    if not mark_planned(conn, KIND, branch.branch, today, now):
        return 0
    _, day_end = branch.day_bounds(today)
    new = 0
    for staff_id in found.by_staff:
        member = found.staff[staff_id]
        new += enqueue(conn, Outgoing(
            key=f"occasion:{staff_id}:{today.isoformat()}", kind=KIND, chat_id=member.telegram_id,
            staff_id=staff_id, payload={
                "branch": branch.branch, "date": today.isoformat(),
                "guests": sorted(entry.guest.id for entry in found.by_staff[staff_id])},
            not_before=now, expires_at=day_end), now)
    _log_events(conn, branch, found, now)
    return new


def planned(conn: Conn, planner: str, days: Iterable[tuple[str, date]]) -> set[tuple[str, date]]:
    """Which of the (branch, local day) pairs `planner` has already planned."""
    wanted = set(days)
    found: set[tuple[str, date]] = set()
    for day in sorted({day for _, day in wanted}):
        rows = conn.execute("SELECT branch FROM planned_days WHERE planner = ? AND day = ?",
                            (planner, day.isoformat()))
        found |= {(str(row[0]), day) for row in rows} & wanted
    return found


def mark_planned(conn: Conn, planner: str, branch: str, day: date, now: datetime) -> bool:
    """Mark `branch`'s `day` planned by `planner`; False when it already was."""
    cursor = conn.execute(
        "INSERT INTO planned_days (planner, branch, day, planned_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (planner, branch, day) DO NOTHING",
        (planner, branch, day.isoformat(), stamp(now)))
    return cursor.rowcount == 1


def _log_events(
    conn: Conn, branch: BranchDay, found: Reminders, now: datetime
) -> None:
    # each guest's occasion events are raised by one branch only: where they are at home;
    # a few hundred rows a statement, not a statement a row (on PostgreSQL, each is parsed,
    # planned and run apart: 0.8 ms for a branch's thirty)
    rows = [(due.trait_id, due.guest_id,
             EventKind.OCCASION_TODAY if due.days_ahead == 0 else EventKind.OCCASION_UPCOMING,
             due.on.isoformat(), branch.branch, stamp(now))
            for due in found.due if found.home.get(due.guest_id) == branch.branch]
    for start in range(0, len(rows), EVENTS_PER_STATEMENT):
        values, params = values_of(rows[start:start + EVENTS_PER_STATEMENT])
        conn.execute("INSERT INTO occasion_events (trait_id, guest_id, kind, occurs_on, branch,"
                     f" created_at) {values} ON CONFLICT (trait_id, kind, occurs_on) DO NOTHING",
                     params)


class OccasionEvents:
    """Occasion events logged by the planner and not yet handed to subscribers."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def unpublished(self, now: datetime) -> list[Event]:
        def work(conn: Conn) -> list[Event]:
            rows = conn.execute(
                "SELECT e.id, e.trait_id, e.guest_id, e.kind, e.occurs_on, e.branch, t.attrs"
                " FROM occasion_events e JOIN traits t ON t.id = e.trait_id"
                " WHERE e.published_at IS NULL ORDER BY e.id LIMIT 100",
            )
            return [_event(row, now) for row in rows]

        return await self._db.read(work)

    async def publish(self, events: EventLog, now: datetime, *,
                      seconds: float = PUBLISH_SECONDS,
                      timer: Callable[[], float] = time.perf_counter) -> int:
        """Hand each occasion event to its reactions, in the transaction that marks it
        published, so none is lost or started twice; how many went through. A few events a
        transaction, each under its own savepoint (`EventLog.react`): one a transaction
        made a hundred commits a tick. No transaction is begun once `seconds` (by `timer`)
        have passed: the rest waits for the next tick."""
        done = 0
        unpublished = await self.unpublished(now)
        budget = WriteBudget(seconds, timer)
        for start in range(0, len(unpublished), EVENTS_PER_WRITE):
            if not budget.another():
                break
            done += await self._db.write(partial(
                _publish_all, events=events, now=now,
                batch=unpublished[start:start + EVENTS_PER_WRITE]))
        return done


def _publish_all(conn: Conn, *, events: EventLog, batch: list[Event], now: datetime) -> int:
    return sum(_publish(conn, events=events, event=event, now=now) for event in batch)


def _publish(conn: Conn, *, events: EventLog, event: Event, now: datetime) -> int:
    event_id = event.details["occasion_event_id"]
    if conn.execute("SELECT 1 FROM occasion_events WHERE id = ? AND published_at IS NULL",
                    (event_id,)).fetchone() is None:
        return 0  # another process published it meanwhile
    if not events.react(conn, event, now):
        return 0  # rolled back to its savepoint; the next sweep tries again
    conn.execute("UPDATE occasion_events SET published_at = ? WHERE id = ?",
                 (stamp(now), event_id))
    return 1


def _event(row: Row, now: datetime) -> Event:
    attrs = json.loads(row["attrs"])
    # occasion_event_id sorts first among the *_id details: Event.subject is one per occurrence
    return Event(kind=EventKind(row["kind"]), guest_id=row["guest_id"], branch=row["branch"],
                 at=now, details={"occasion_event_id": row["id"], "trait_id": row["trait_id"],
                                  "kind": attrs.get("kind"), "date": row["occurs_on"]})
