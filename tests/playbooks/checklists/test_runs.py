"""The run and alert stores on a fresh database: started once, ticked once, prompted once."""

from datetime import datetime, timedelta

from playbooks.checklists.allergy import ALERT, ESCALATION, AllergyAlerts, NewAlert
from playbooks.checklists.model import CHECKLIST, LATE, REMINDER, Marked, Person
from playbooks.checklists.playbook import SHIPPED_LIBRARY, load_file
from playbooks.checklists.store import NewRun, RunStore
from playbooks.outbox import Outbox
from profiles.guests import GuestStore
from profiles.models import Role, Staff
from profiles.visits import VisitStore
from store.database import Database
from tests.conftest import join
from tests.factories import NOW

MIN = timedelta(minutes=1)
ALLERGY_GUEST = load_file(SHIPPED_LIBRARY / "allergy_guest.toml")


async def guest_id(db: Database, staff: Staff) -> int:
    guest = await GuestStore(db).create("王先生", None, branch="la", staff_id=staff.id,
                                        region="CN", now=NOW)
    return guest.id


def person(staff: Staff) -> Person:
    return Person(staff_id=staff.id, chat_id=staff.telegram_id)


def new_run(guest: int, *people: Staff, occurrence: str = "1:visit_id=1") -> NewRun:
    return NewRun(playbook=ALLERGY_GUEST, occurrence=occurrence, started_by="guest.arrived:x",
                  guest_id=guest, branch="la", event_kind="guest.arrived", place="table:12",
                  due=[NOW + 3 * MIN, NOW + 5 * MIN, NOW + 5 * MIN, None],
                  recipients=[person(p) for p in people])


async def queued(db: Database, at: datetime) -> list[tuple[str, int]]:
    """What a sweep at `at` would send (and marks it sent)."""
    outbox = Outbox(db)
    due = await outbox.claim(at, limit=100)
    for delivery in due:
        await outbox.sent(delivery.id, message_id=None, now=at)
    return [(d.kind, d.chat_id) for d in due]


async def test_a_run_starts_once_per_occurrence_with_a_checklist_for_each_recipient(
    db: Database, waiter: Staff
) -> None:
    lead = await join(db, Role.LEAD, "la", telegram_id=2002)
    runs = RunStore(db)
    run = await runs.start(new_run(await guest_id(db, waiter), waiter, lead), NOW)
    assert run is not None and [s.key for s in run.steps] == [
        "confirm", "ticket", "kitchen", "each_dish"]
    assert await runs.start(new_run(run.guest_id, waiter, lead), NOW) is None
    assert await queued(db, NOW) == [(CHECKLIST, 1001), (CHECKLIST, 2002)]


async def test_ticking_every_step_completes_the_run_and_a_late_press_changes_nothing(
    db: Database, waiter: Staff
) -> None:
    runs = RunStore(db)
    run = await runs.start(new_run(await guest_id(db, waiter), waiter), NOW)
    assert run is not None
    first, *rest = [step.id for step in run.steps]
    marked, after = await runs.mark_done(first, staff_id=waiter.id, now=NOW + MIN)
    assert (marked, after.steps[0].done_by_name, after.complete) == (Marked.DONE, "staff 1001",
                                                                     False)
    assert (await runs.mark_done(first, staff_id=waiter.id, now=NOW + 2 * MIN))[0] is \
        Marked.ALREADY
    for step_id in rest:
        marked, after = await runs.mark_done(step_id, staff_id=waiter.id, now=NOW + 3 * MIN)
    assert (marked, after.completed_at) == (Marked.DONE, NOW + 3 * MIN)
    assert (await runs.mark_done(first, staff_id=waiter.id, now=NOW + 4 * MIN))[0] is \
        Marked.CLOSED


PLAN = {"report_after": 10 * MIN, "shift": lambda branch, moment: f"{branch}:dinner"}


async def test_due_steps_are_reminded_once_then_reported_once_to_the_lead(
    db: Database, waiter: Staff
) -> None:
    lead = await join(db, Role.LEAD, "la", telegram_id=2002)
    runs = RunStore(db)
    run = await runs.start(new_run(await guest_id(db, waiter), waiter), NOW)
    assert run is not None
    await queued(db, NOW)  # the checklist itself
    await runs.mark_done(run.steps[0].id, staff_id=waiter.id, now=NOW + MIN)
    assert await runs.plan_prompts(NOW + 5 * MIN, **PLAN) == 1  # ticket and kitchen in one
    assert await runs.plan_prompts(NOW + 6 * MIN, **PLAN) == 0
    assert await queued(db, NOW + 6 * MIN) == [(REMINDER, 1001)]
    await runs.mark_done(run.steps[1].id, staff_id=waiter.id, now=NOW + 7 * MIN)
    assert await runs.plan_prompts(NOW + 15 * MIN, **PLAN) == 1  # kitchen, to the lead
    assert await runs.plan_prompts(NOW + 25 * MIN, **PLAN) == 0  # once a shift
    assert await queued(db, NOW + 15 * MIN) == [(LATE, lead.telegram_id)]


async def test_the_guests_earlier_visits_do_not_count_this_one(db: Database, waiter: Staff) -> None:
    guest = await guest_id(db, waiter)
    visits = VisitStore(db)
    await visits.arrive(guest, branch="sh", staff_id=None, now=NOW - timedelta(days=30))
    now = await visits.arrive(guest, branch="la", staff_id=waiter.id, now=NOW)
    facts = await RunStore(db).facts(guest, before=NOW, visit_id=now.id)
    assert facts.earlier_visits == 1


def alert(guest: int, *kitchen: Staff, chat: int | None = None) -> NewAlert:
    return NewAlert(occurrence="guest.arrived:1:visit_id=1", guest_id=guest, branch="la",
                    place="table:12", kitchen_chat=chat, kitchen=[person(k) for k in kitchen],
                    deadline=NOW + 5 * MIN)


async def test_an_alert_nobody_saw_in_time_goes_to_the_lead_once(db: Database, waiter: Staff) -> None:
    cook = await join(db, Role.KITCHEN, "la", telegram_id=3003)
    lead = await join(db, Role.LEAD, "la", telegram_id=2002)
    alerts = AllergyAlerts(db)
    raised = await alerts.raise_alert(alert(await guest_id(db, waiter), cook), NOW)
    assert raised is not None and await queued(db, NOW) == [(ALERT, 3003)]
    assert await alerts.plan_escalations(NOW + 4 * MIN) == 0
    assert await alerts.plan_escalations(NOW + 5 * MIN) == 1
    assert await alerts.plan_escalations(NOW + 6 * MIN) == 0
    assert await queued(db, NOW + 6 * MIN) == [(ESCALATION, lead.telegram_id)]


async def test_a_seen_alert_is_not_escalated_and_seeing_twice_counts_once(
    db: Database, waiter: Staff
) -> None:
    cook = await join(db, Role.KITCHEN, "la", telegram_id=3003)
    await join(db, Role.LEAD, "la", telegram_id=2002)
    alerts = AllergyAlerts(db)
    raised = await alerts.raise_alert(alert(await guest_id(db, waiter), cook), NOW)
    assert raised is not None
    assert (await alerts.acknowledge(raised.id, staff_id=cook.id, now=NOW + MIN))[0] is True
    first, seen = await alerts.acknowledge(raised.id, staff_id=cook.id, now=NOW + 2 * MIN)
    assert (first, [(a.name, a.seen_at) for a in seen.acks]) == (False, [("staff 3003",
                                                                          NOW + MIN)])
    assert await alerts.plan_escalations(NOW + 10 * MIN) == 0


async def test_a_kitchen_group_gets_one_alert_and_no_kitchen_at_all_escalates_at_once(
    db: Database, waiter: Staff
) -> None:
    await join(db, Role.LEAD, "la", telegram_id=2002)
    guest = await guest_id(db, waiter)
    alerts = AllergyAlerts(db)
    grouped = await alerts.raise_alert(alert(guest, chat=-100500), NOW)
    assert grouped is not None and await queued(db, NOW) == [(ALERT, -100500)]
    nobody = await alerts.raise_alert(alert(guest).model_copy(update={"occurrence": "other"}),
                                      NOW)
    assert nobody is not None and (nobody.recipients, nobody.ack_due_at) == (0, NOW)
    assert await alerts.plan_escalations(NOW) == 1
