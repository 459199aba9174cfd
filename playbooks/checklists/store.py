"""The run store: playbook runs, their steps and recipients, and what the engine reads first."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from playbooks.checklists.matching import GuestFacts
from playbooks.checklists.model import (
    LATE_REDRAW,
    REMINDER,
    STALE_AFTER,
    Marked,
    OpenStep,
    Person,
    Reminded,
    Run,
    RunStep,
    checklist_message,
    reminders_due,
    reports_due,
    sync_message,
)
from playbooks.checklists.playbook import Playbook, Text
from playbooks.events import EventKind, arrival_events
from playbooks.outbox import Outgoing, enqueue, payload_of, recent, redraw
from playbooks.roster import chain_admins, staff_with_roles
from profiles.access import leads
from profiles.guests import load_guest
from profiles.models import Frozen, Role, Staff
from profiles.traits import load_traits
from profiles.visits import load_visit, place_code
from store.database import Database, stamp
from store.sql import Conn, inserted_id, question_marks

RUN_COLUMNS = ("id, playbook_id, guest_id, branch, event_kind, title_zh, title_en, place,"
               " triggered_at, completed_at")


class RunNotFound(LookupError):
    """The run or step is gone (its guest was erased) or never existed."""


class NewRun(Frozen):
    """A run the engine decided to start."""

    playbook: Playbook
    occurrence: str
    started_by: str
    guest_id: int
    branch: str
    event_kind: str
    place: str | None = None
    due: list[datetime | None]
    recipients: list[Person]


class RunStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def facts(self, guest_id: int, *, before: datetime, visit_id: int | None) -> GuestFacts:
        return await self._db.read(lambda conn: load_facts(conn, guest_id, before=before,
                                                           visit_id=visit_id))

    async def start(self, run: NewRun, now: datetime) -> Run | None:
        return await self._db.write(lambda conn: start_run(conn, run, now))

    async def get(self, run_id: int) -> Run:
        return await self._db.read(lambda conn: _load(conn, run_id))

    async def run_of_step(self, step_id: int) -> Run:
        return await self._db.read(lambda conn: _load(conn, _run_id_of(conn, step_id)))

    async def started_by(self, subjects: list[str]) -> list[Run]:
        return await self._db.read(lambda conn: runs_started_by(conn, subjects))

    async def mark_done(self, step_id: int, *, staff_id: int, now: datetime,
                        by: Staff | None = None, redraw_own: bool = False) -> tuple[Marked, Run]:
        """Mark a step done by `staff_id`; the run completes with its last step. Every copy
        of the checklist is redrawn in place for whoever holds one (the presser's own only
        with `redraw_own`: pressed on its checklist, that one is edited by the press).

        Pressing again, or after the run was complete, changes nothing and says which. Only
        someone the checklist went to, or a lead of its branch, may: for anyone else `by`
        (None for the core's own use) gets RunNotFound.
        """

        def work(conn: Conn) -> tuple[Marked, Run]:
            run = _load(conn, _run_id_of(conn, step_id))
            if by is not None and by.id not in run.recipients and not leads(by, run.branch):
                raise RunNotFound(step_id)
            return tick_step(conn, run, step_id, staff_id=staff_id, now=now,
                             redraw_own=redraw_own)

        return await self._db.write(work)

    async def plan_prompts(
        self, now: datetime, *, report_after: timedelta, shift: Callable[[str, datetime], str],
    ) -> int:
        """Queue the reminders and late reports due at `now`; how many were new."""

        def work(conn: Conn) -> int:
            steps = _open_steps(conn, now)
            new = sum(enqueue(conn, message, now)
                      for message in reminders_due(steps, now, reminded=_reminded(conn, now)))
            for report in reports_due(steps, now, report_after=report_after, shift=shift):
                new += _report(conn, report, now)
            return new

        return await self._db.write(work)

    async def late_steps(
        self, branch: str, *, since: datetime, now: datetime, report_after: timedelta,
    ) -> list[tuple[Run, RunStep]]:
        """The branch's steps due since `since` and still not done `report_after` later."""

        def work(conn: Conn) -> list[tuple[Run, RunStep]]:
            rows = conn.execute(
                "SELECT s.id, s.run_id FROM playbook_steps s JOIN playbook_runs r"
                " ON r.id = s.run_id WHERE r.branch = ? AND r.completed_at IS NULL"
                " AND r.closed_at IS NULL"
                " AND s.done_at IS NULL AND s.due_at >= ? AND s.due_at <= ?"
                " ORDER BY s.due_at, s.id", (branch, stamp(since), stamp(now - report_after)),
            ).fetchall()
            runs = {run_id: _load(conn, run_id) for run_id in {row["run_id"] for row in rows}}
            found = [(runs[row["run_id"]], runs[row["run_id"]].step(row["id"])) for row in rows]
            return [(run, step) for run, step in found if step is not None]

        return await self._db.read(work)

    async def holders(self, run_id: int) -> list[Person]:
        return await self._db.read(lambda conn: holders(conn, run_id))

    async def in_period(self, branch: str, start: datetime, end: datetime) -> list[Run]:
        def work(conn: Conn) -> list[Run]:
            rows = conn.execute(
                "SELECT id FROM playbook_runs WHERE branch = ? AND triggered_at >= ?"
                " AND triggered_at < ? ORDER BY id", (branch, stamp(start), stamp(end)),
            )
            return [_load(conn, row[0]) for row in rows.fetchall()]

        return await self._db.read(work)


# a visit nobody closed counts as "in" this long: a meal, or a hotel stay (a visit with a room)
MEAL_OPEN, STAY_OPEN = timedelta(hours=12), timedelta(days=30)
# a booking this far past its time may still arrive
LATE_BOOKING = timedelta(hours=2)


def load_facts(conn: Conn, guest_id: int, *, before: datetime, visit_id: int | None,
               branch: str | None = None) -> GuestFacts:
    """The guest, their standing traits, how often they came before this visit, and whether
    `branch` expects them (in now, or booked from now on)."""
    earlier = conn.execute(
        "SELECT COUNT(*) FROM visits WHERE guest_id = ? AND arrived_at <= ?"
        " AND (? IS NULL OR id <> ?)", (guest_id, stamp(before), visit_id, visit_id),
    ).fetchone()[0]
    return GuestFacts(guest=load_guest(conn, guest_id), traits=load_traits(conn, guest_id),
                      earlier_visits=earlier,
                      expected=branch is not None and _expected(conn, guest_id, branch, before))


def in_now(conn: Conn, guest_id: int, at: datetime, *,
           branch: str | None = None) -> tuple[str, str | None] | None:
    """The branch the guest is in at `at` (`branch` only, when given) and where in it
    ("table:12", "room:1203"; None when not said); None when they are not in: a visit nobody
    closed, of a meal's or a stay's length."""
    row = conn.execute(
        "SELECT branch, table_no, room_no FROM visits WHERE guest_id = ?"
        " AND (? IS NULL OR branch = ?) AND left_at IS NULL"
        " AND (arrived_at >= ? OR (room_no IS NOT NULL AND arrived_at >= ?))"
        " ORDER BY arrived_at DESC LIMIT 1",
        (guest_id, branch, branch, stamp(at - MEAL_OPEN), stamp(at - STAY_OPEN))).fetchone()
    if row is None:
        return None
    return row[0], place_code(row[1], row[2])


def _expected(conn: Conn, guest_id: int, branch: str, at: datetime) -> bool:
    return in_now(conn, guest_id, at, branch=branch) is not None or conn.execute(
        "SELECT 1 FROM bookings WHERE guest_id = ? AND branch = ? AND status = 'booked'"
        " AND at >= ? LIMIT 1", (guest_id, branch, stamp(at - LATE_BOOKING))).fetchone() is not None


def recipients(
    conn: Conn, branch: str, roles: Iterable[Role], *, also: int | None = None
) -> list[Person]:
    """Active staff of these roles in the branch, and the active staff member `also`."""
    people = _people(conn, branch, roles)
    row = conn.execute("SELECT id AS staff_id, telegram_id AS chat_id FROM staff"
                       " WHERE id = ? AND active = 1", (also,)).fetchone()
    extra = [Person.model_validate(dict(row))] if row is not None else []
    return [*people, *(p for p in extra if p not in people)]


def tick_step(conn: Conn, run: Run, step_id: int, *, staff_id: int, now: datetime,
              redraw_own: bool = False) -> tuple[Marked, Run]:
    """Mark a step of `run` done, in the caller's transaction, and redraw every copy."""
    if run.complete:
        return Marked.CLOSED, run
    changed = conn.execute(
        "UPDATE playbook_steps SET done_at = ?, done_by = ? WHERE id = ? AND done_at IS NULL",
        (stamp(now), staff_id, step_id),
    ).rowcount
    conn.execute(
        "UPDATE playbook_runs SET completed_at = ? WHERE id = ? AND completed_at IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM playbook_steps WHERE run_id = ? AND done_at IS NULL)",
        (stamp(now), run.id, run.id),
    )
    if changed:
        for person in holders(conn, run.id):
            if redraw_own or person.staff_id != staff_id:
                enqueue(conn, sync_message(run.id, person, step_id, now), now)
    return (Marked.DONE if changed else Marked.ALREADY), _load(conn, run.id)


def close_runs_of_visit(conn: Conn, visit_id: int, now: datetime) -> int:
    """The guest left: what their arrival started stops reminding (how many runs)."""
    # the events the arrival raised, named as they were (seated too: a table may come later)
    arrived = arrival_events(load_visit(conn, visit_id))[0]
    subjects = [arrived.model_copy(update={"kind": kind}).subject
                for kind in (EventKind.GUEST_ARRIVED, EventKind.GUEST_SEATED)]
    return int(conn.execute(
        "UPDATE playbook_runs SET closed_at = ? WHERE started_by IN (?, ?)"
        " AND completed_at IS NULL AND closed_at IS NULL", (stamp(now), *subjects)).rowcount)


def tick_steps_on(conn: Conn, started_by: str, signal: str, *, staff_id: int,
                  now: datetime) -> int:
    """Tick the open steps that `signal` ticks in the runs `started_by` started."""
    rows = conn.execute(
        "SELECT s.id, s.run_id FROM playbook_steps s JOIN playbook_runs r ON r.id = s.run_id"
        " WHERE r.started_by = ? AND s.ticked_by = ? AND s.done_at IS NULL ORDER BY s.id",
        (started_by, signal),
    ).fetchall()
    for row in rows:
        tick_step(conn, _load(conn, row["run_id"]), row["id"], staff_id=staff_id, now=now)
    return len(rows)


def checklist_holders(
    conn: Conn, branch: str, playbook: Playbook, *, actor: int | None
) -> list[Person]:
    """Who receives a playbook's checklist. Whoever raised the event (recorded the arrival,
    took the booking) acts on it in place of the branch's waiters; the other roles it names
    receive it too; shift leads watching others act hold it in one line."""
    owner = ([] if actor is None or not (playbook.actor or Role.WAITER in playbook.roles)
             else recipients(conn, branch, [], also=actor))
    roles = [role for role in playbook.roles if not (owner and role is Role.WAITER)]
    watching = {Role.LEAD, Role.MANAGER}
    acting = owner + _people(conn, branch, [role for role in roles if role not in watching])
    leads = _people(conn, branch, [role for role in roles if role in watching])
    mine = {person.staff_id for person in acting}
    return [*acting, *(person.model_copy(update={"compact": bool(acting)})
                       for person in leads if person.staff_id not in mine)]


def holders(conn: Conn, run_id: int) -> list[Person]:
    """Everyone a run's checklist went to, with the view they hold."""
    rows = conn.execute(
        "SELECT s.id AS staff_id, s.telegram_id AS chat_id, p.view FROM playbook_recipients p"
        " JOIN staff s ON s.id = p.staff_id WHERE p.run_id = ? AND s.active = 1 ORDER BY s.id",
        (run_id,),
    ).fetchall()
    return [Person(staff_id=row["staff_id"], chat_id=row["chat_id"],
                   compact=row["view"] == "compact") for row in rows]


def start_run(conn: Conn, run: NewRun, now: datetime) -> Run | None:
    """Store the run and queue its checklist for each recipient, in the caller's transaction;
    None when this playbook already ran for this occurrence."""
    run_id = _insert_run(conn, run, now)
    if run_id is None:
        return None
    for position, (step, due) in enumerate(zip(run.playbook.steps, run.due, strict=True)):
        conn.execute(
            "INSERT INTO playbook_steps (run_id, position, step_key, text_zh, text_en,"
            " due_at, ticked_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (run_id, position, step.id, step.text.zh, step.text.en,
             stamp(due) if due else None, step.ticked_by),
        )
    for person in run.recipients:
        conn.execute("INSERT INTO playbook_recipients (run_id, staff_id, view)"
                     " VALUES (?, ?, ?)",
                     (run_id, person.staff_id, "compact" if person.compact else "full"))
        enqueue(conn, checklist_message(run_id, person, now), now)
    return _load(conn, run_id)


def join_open_run(conn: Conn, playbook_id: str, guest_id: int, branch: str, *,
                  started_by: str, now: datetime) -> bool:
    """Let the guest's open run of this playbook in `branch`, started in the last hours
    (STALE_AFTER), stand for a new occurrence too, in the caller's transaction: it is now the
    one `started_by` started, so what answers the new event (the kitchen's Seen on the newest
    alert) ticks it. False when none is open."""
    cursor = conn.execute(
        "UPDATE playbook_runs SET started_by = ? WHERE id = (SELECT id FROM playbook_runs"
        " WHERE playbook_id = ? AND guest_id = ? AND branch = ? AND completed_at IS NULL"
        " AND closed_at IS NULL AND triggered_at > ? ORDER BY id DESC LIMIT 1)",
        (started_by, playbook_id, guest_id, branch, stamp(now - STALE_AFTER)))
    return cursor.rowcount == 1


def runs_started_by(conn: Conn, subjects: list[str]) -> list[Run]:
    """The runs these events started, in the order they were started."""
    if not subjects:
        return []
    marks = question_marks(subjects)
    rows = conn.execute(
        f"SELECT id FROM playbook_runs WHERE started_by IN ({marks}) ORDER BY id", subjects)
    return [_load(conn, row[0]) for row in rows.fetchall()]


def _insert_run(conn: Conn, run: NewRun, now: datetime) -> int | None:
    cursor = conn.execute(
        "INSERT INTO playbook_runs (playbook_id, occurrence, started_by, guest_id, branch,"
        " event_kind, title_zh, title_en, place, triggered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?,"
        " ?, ?) ON CONFLICT (playbook_id, occurrence) DO NOTHING RETURNING id",
        (run.playbook.id, run.occurrence, run.started_by, run.guest_id, run.branch,
         run.event_kind, run.playbook.title.zh, run.playbook.title.en, run.place, stamp(now)),
    )
    return inserted_id(cursor) or None


def _people(conn: Conn, branch: str, roles: Iterable[Role]) -> list[Person]:
    return [Person(staff_id=member.id, chat_id=member.telegram_id)
            for member in staff_with_roles(conn, branch, roles)]


def shift_leads(conn: Conn, branch: str) -> list[Person]:
    """Who hears that something was not done: the branch's leads, else its managers, else
    the chain's admins."""
    return (_people(conn, branch, [Role.LEAD]) or _people(conn, branch, [Role.MANAGER])
            or [Person(staff_id=member.id, chat_id=member.telegram_id)
                for member in chain_admins(conn)])


def _open_steps(conn: Conn, now: datetime) -> list[OpenStep]:
    rows = conn.execute(
        "SELECT s.id, s.run_id, s.due_at, r.triggered_at, r.branch FROM playbook_steps s"
        " JOIN playbook_runs r ON r.id = s.run_id WHERE s.done_at IS NULL"
        " AND s.due_at IS NOT NULL AND s.due_at <= ? AND s.due_at > ?"
        " AND r.completed_at IS NULL AND r.closed_at IS NULL ORDER BY s.due_at, s.id",
        (stamp(now), stamp(now - STALE_AFTER)),
    ).fetchall()
    leads = {branch: shift_leads(conn, branch) for branch in {row["branch"] for row in rows}}
    return [OpenStep(id=row["id"], run_id=row["run_id"], branch=row["branch"],
                     triggered_at=row["triggered_at"], due_at=row["due_at"],
                     recipients=holders(conn, row["run_id"]), leads=leads[row["branch"]])
            for row in rows]


def _report(conn: Conn, report: Outgoing, now: datetime) -> int:
    """A lead's report of the shift, or, once it went out, a redraw for each step it did not
    list yet."""
    sent = payload_of(conn, report.key)
    if sent is None:
        return int(enqueue(conn, report, now))
    before, late = sent.get("steps"), report.payload.get("steps")
    known = set(before) if isinstance(before, list) else set()
    return sum(redraw(conn, report.key, kind=LATE_REDRAW, payload={}, now=now,
                      suffix=str(step_id))
               for step_id in (late if isinstance(late, list) else []) if step_id not in known)


def _reminded(conn: Conn, now: datetime) -> dict[int, Reminded]:
    """Per person, the steps their recent reminders listed and when the last one was."""
    found: dict[int, Reminded] = {}
    for staff_id, payload, at in recent(conn, REMINDER, since=now - STALE_AFTER):
        ids = payload.get("step_ids") or [payload.get("step_id")]
        steps = {value for value in ids if isinstance(value, int)} if isinstance(ids, list) \
            else set()
        before = found.get(staff_id, Reminded())
        found[staff_id] = Reminded(steps=before.steps | steps,
                                   last=max(at, before.last) if before.last else at)
    return found


def _run_id_of(conn: Conn, step_id: int) -> int:
    row = conn.execute("SELECT run_id FROM playbook_steps WHERE id = ?", (step_id,)).fetchone()
    if row is None:
        raise RunNotFound(step_id)
    return int(row[0])


def _load(conn: Conn, run_id: int) -> Run:
    row = conn.execute(f"SELECT {RUN_COLUMNS} FROM playbook_runs WHERE id = ?",
                       (run_id,)).fetchone()
    if row is None:
        raise RunNotFound(run_id)
    values = dict(row)
    values["title"] = Text(zh=values.pop("title_zh"), en=values.pop("title_en"))
    steps = conn.execute(
        "SELECT s.id, s.run_id, s.position, s.step_key AS key, s.text_zh, s.text_en, s.due_at,"
        " s.done_at, s.done_by, f.name AS done_by_name FROM playbook_steps s"
        " LEFT JOIN staff f ON f.id = s.done_by WHERE s.run_id = ? ORDER BY s.position",
        (run_id,),
    ).fetchall()
    values["steps"] = [_step(dict(step)) for step in steps]
    values["recipients"] = [r[0] for r in conn.execute(
        "SELECT staff_id FROM playbook_recipients WHERE run_id = ? ORDER BY staff_id", (run_id,))]
    return Run.model_validate(values)


def _step(values: dict[str, object]) -> RunStep:
    values["text"] = Text(zh=str(values.pop("text_zh")), en=str(values.pop("text_en")))
    return RunStep.model_validate(values)
