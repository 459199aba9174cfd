"""Checklists, reminders and allergy alerts as chat messages, rendered at send time."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot import render
from bot.callbacks import Verb, button
from bot.delivery import Rendered, Renderer, in_place
from bot.i18n import t
from bot.state import Core
from playbooks.checklists.allergy import ALERT, ESCALATION, AlertNotFound, AllergyAlert
from playbooks.checklists.model import (
    CHECKLIST,
    LATE,
    LATE_REDRAW,
    REMINDER,
    SYNC,
    Run,
    RunStep,
)
from playbooks.checklists.store import RunNotFound
from playbooks.outbox import Delivery
from profiles.errors import GuestNotFound
from profiles.models import Category, Guest, Trait

BUTTON_TEXT = 36  # a phone shows about this much of a button
ONE_STEP = "one"  # the button of a reminder about one step, not of a whole checklist
LATE_LINES = 20  # a shift's report lists this many late steps, then how many more


def place_label(place: str | None, lang: str) -> str | None:
    """"table:12" → "table 12" / "12号桌"."""
    if not place:
        return None
    kind, _, number = place.partition(":")
    return t(lang, f"checklist.place.{kind}", number=escape(number))


def clock_time(moment: datetime, zone: ZoneInfo, *, since: datetime | None = None) -> str:
    """18:05 in the branch's time zone; with the date when it is another day than `since`."""
    local = moment.astimezone(zone)
    if since is not None and local.date() != since.astimezone(zone).date():
        return local.strftime("%m-%d %H:%M")
    return local.strftime("%H:%M")


def guest_line(guest: Guest, place: str | None, lang: str) -> str:
    parts = [f"<b>{escape(render.full_name(guest))}</b> {guest.ref}", place_label(place, lang)]
    return " · ".join(part for part in parts if part)


def checklist_text(run: Run, guest: Guest, lang: str, zone: ZoneInfo, *,
                   compact: bool = False) -> str:
    if compact:
        return compact_text(run, guest, lang)
    key = "checklist.complete" if run.complete else "checklist.title"
    lines = [t(lang, key, title=escape(run.title(lang))), guest_line(guest, run.place, lang)]
    lines += [step_line(step, lang, zone, since=run.triggered_at) for step in run.steps]
    return "\n".join(lines)


def compact_text(run: Run, guest: Guest, lang: str) -> str:
    """A checklist others act on, as a shift lead watches it: what, for whom, how far."""
    done = sum(step.done for step in run.steps)
    first = (t(lang, "checklist.complete", title=escape(run.title(lang))) if run.complete
             else t(lang, "checklist.compact", title=escape(run.title(lang)), done=done,
                    total=len(run.steps)))
    return "\n".join([first, guest_line(guest, run.place, lang)])


def step_line(step: RunStep, lang: str, zone: ZoneInfo, *, since: datetime) -> str:
    text = escape(step.text(lang))
    if step.done_at is not None:
        return t(lang, "checklist.done_line", n=step.position + 1, text=text,
                 who=escape(step.done_by_name or "?"), at=clock_time(step.done_at, zone,
                                                                      since=since))
    if step.due_at is not None:
        return t(lang, "checklist.due_line", n=step.position + 1, text=text,
                 at=clock_time(step.due_at, zone, since=since))
    return t(lang, "checklist.open_line", n=step.position + 1, text=text)


def step_done_text(run: Run, step: RunStep, lang: str, zone: ZoneInfo) -> str:
    """A reminder once its step is done: what, by whom, when."""
    at = clock_time(step.done_at, zone) if step.done_at else "?"
    return t(lang, "checklist.prompt_done", text=escape(step.text(lang)),
             who=escape(step.done_by_name or "?"), at=at)


def checklist_keyboard(run: Run, lang: str, *, compact: bool = False
                       ) -> InlineKeyboardMarkup | None:
    """A button per step while the run is open; none once it is complete or for a watcher."""
    if run.complete or compact:
        return None
    rows = [[button(_step_button(step, lang), Verb.STEP_DONE, step.id)] for step in run.steps]
    return InlineKeyboardMarkup(rows)


def _step_button(step: RunStep, lang: str) -> str:
    mark = "✅" if step.done else "⬜"
    return _short(f"{mark} {step.position + 1}. {step.text(lang)}")


def allergy_lines(traits: list[Trait], lang: str) -> list[str]:
    lines = []
    for trait in traits:
        if trait.category is Category.ALLERGY:
            lines.append(f"• {escape(render.with_severity(trait, lang))}")
    return lines


def alert_text(alert: AllergyAlert, guest: Guest, traits: list[Trait], lang: str,
               zone: ZoneInfo) -> str:
    title = "kitchen_alert.title_learned_in" if alert.learned_in else "kitchen_alert.title"
    lines = [t(lang, title), guest_line(guest, alert.place, lang)]
    lines += allergy_lines(traits, lang)
    if alert.acks:
        seen = ", ".join(f"{escape(ack.name)} {clock_time(ack.seen_at, zone)}"
                         for ack in alert.acks)
        lines.append(t(lang, "kitchen_alert.seen_by", names=seen))
    else:
        lines.append(t(lang, "kitchen_alert.press_seen"))
    return "\n".join(lines)


def kitchen_told(alert: AllergyAlert, lang: str, zone: ZoneInfo) -> str:
    """Whom an allergy alert reached, for the person whose arrival or note raised it."""
    if alert.acks:
        seen = ", ".join(f"{escape(ack.name)} {clock_time(ack.seen_at, zone)}"
                         for ack in alert.acks)
        return t(lang, "arrive.kitchen_seen", names=seen)
    key = ("arrive.kitchen_group" if alert.kitchen_chat is not None
           else "arrive.kitchen_staff" if alert.recipients else "arrive.no_kitchen")
    return t(lang, key, count=alert.recipients)


def seen_keyboard(
    alert: AllergyAlert, lang: str, *, key: str = "kitchen_alert.button"
) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(t(lang, key), Verb.ALLERGY_SEEN, alert.id)]])


async def render_checklist(core: Core, delivery: Delivery, lang: str) -> Rendered | None:
    loaded = await _run(core, delivery)
    if loaded is None or loaded[0].complete:
        return None  # erased, or done by colleagues before this copy went out
    return _checklist(core, delivery, lang, *loaded)


async def _checklist_now(core: Core, delivery: Delivery, lang: str) -> Rendered | None:
    """A checklist someone holds, as it stands (complete too), to redraw in place after a
    step was ticked elsewhere."""
    loaded = await _run(core, delivery)
    return None if loaded is None else _checklist(core, delivery, lang, *loaded)


def _checklist(core: Core, delivery: Delivery, lang: str, run: Run, guest: Guest) -> Rendered:
    compact = delivery.payload.get("compact") is True
    zone = core.playbooks.policy(run.branch).zone
    return Rendered(text=checklist_text(run, guest, lang, zone, compact=compact),
                    markup=checklist_keyboard(run, lang, compact=compact))


async def render_reminder(core: Core, delivery: Delivery, lang: str) -> Rendered | None:
    """Every step of one person's checklists that fell due, in one message, a button each."""
    ids = delivery.payload.get("step_ids") or [delivery.payload.get("step_id")]
    steps = await _open_steps(core, [i for i in ids if isinstance(i, int)]
                              if isinstance(ids, list) else [])
    if not steps:
        return None  # done in time after all: nothing to remind of
    lines = [t(lang, "checklist.reminder", count=len(steps))]
    rows = []
    for run, step, guest in steps:
        zone = core.playbooks.policy(run.branch).zone
        lines.append(_due_line(run, step, guest, lang, t(lang, "checklist.by", at=clock_time(
            step.due_at or run.triggered_at, zone))))
        label = f"✅ {step.text(lang)} · {render.full_name(guest)}"
        rows.append([button(_short(label), Verb.STEP_DONE, step.id, ONE_STEP)])
    return Rendered(text="\n".join(lines), markup=InlineKeyboardMarkup(rows))


async def render_late(core: Core, delivery: Delivery, lang: str) -> Rendered | None:
    """A shift lead's one report of the steps not done in time, listed as they stand now."""
    branch, since = delivery.payload.get("branch"), delivery.payload.get("since")
    if not isinstance(branch, str) or not isinstance(since, str):
        return None
    now = core.clock()
    found = await core.playbooks.runs.late_steps(
        branch, since=datetime.fromisoformat(since), now=now,
        report_after=core.playbooks.report_after)
    lines = [t(lang, "checklist.late", count=len(found))]
    for run, step in found[:LATE_LINES]:
        try:
            guest = await core.guests.get(run.guest_id)
        except GuestNotFound:
            continue
        zone = core.playbooks.policy(run.branch).zone
        late = int((now - (step.due_at or run.triggered_at)).total_seconds() // 60)
        lines.append(_due_line(run, step, guest, lang, t(
            lang, "checklist.late_by", at=clock_time(step.due_at or now, zone), minutes=late)))
    if len(found) > LATE_LINES:
        lines.append(t(lang, "checklist.late_more", count=len(found) - LATE_LINES))
    return Rendered(text="\n".join(lines)) if len(lines) > 1 else None


def _due_line(run: Run, step: RunStep, guest: Guest, lang: str, when: str) -> str:
    return f"• {escape(step.text(lang))} — {guest_line(guest, run.place, lang)} ({when})"


def _short(label: str) -> str:
    """The label cut to fit a button, at a word's end where words are spaced."""
    if len(label) <= BUTTON_TEXT:
        return label
    cut = label[: BUTTON_TEXT - 1]
    space = cut.rfind(" ")
    if space > BUTTON_TEXT // 2 and label[BUTTON_TEXT - 1] != " ":
        cut = cut[:space]  # "Mark the allergy on the…", not "…on the ord…"
    return cut.rstrip(" ,;:") + "…"


async def _open_steps(core: Core, step_ids: list[int]) -> list[tuple[Run, RunStep, Guest]]:
    found = []
    for step_id in step_ids:
        try:
            run = await core.playbooks.runs.run_of_step(step_id)
            guest = await core.guests.get(run.guest_id)
        except (RunNotFound, GuestNotFound):
            continue
        step = run.step(step_id)
        if step is not None and not step.done and not run.complete:
            found.append((run, step, guest))
    return found


async def render_alert(core: Core, delivery: Delivery, lang: str) -> Rendered | None:
    loaded = await _alert(core, delivery)
    if loaded is None:
        return None
    alert, guest, allergies = loaded
    zone = core.playbooks.policy(alert.branch).zone
    return Rendered(text=alert_text(alert, guest, allergies, lang, zone),
                    markup=seen_keyboard(alert, lang))


async def render_escalation(core: Core, delivery: Delivery, lang: str) -> Rendered | None:
    loaded = await _alert(core, delivery)
    if loaded is None or loaded[0].seen:
        return None  # the kitchen pressed Seen in time after all
    alert, guest, allergies = loaded
    minutes = int((alert.ack_due_at - alert.raised_at).total_seconds() // 60)
    key = "kitchen_alert.escalation" if alert.recipients else "kitchen_alert.no_kitchen"
    lines = [t(lang, key, minutes=minutes), guest_line(guest, alert.place, lang)]
    lines += allergy_lines(allergies, lang)
    lines.append(t(lang, "kitchen_alert.tell_in_person"))
    return Rendered(text="\n".join(lines),
                    markup=seen_keyboard(alert, lang, key="kitchen_alert.button_told"))


async def _run(core: Core, delivery: Delivery) -> tuple[Run, Guest] | None:
    run_id = delivery.payload.get("run_id")
    if not isinstance(run_id, int):
        return None
    try:
        run = await core.playbooks.runs.get(run_id)
        return run, await core.guests.get(run.guest_id)
    except (RunNotFound, GuestNotFound):
        return None


async def _alert(core: Core, delivery: Delivery) -> tuple[AllergyAlert, Guest, list[Trait]] | None:
    alert_id = delivery.payload.get("alert_id")
    if not isinstance(alert_id, int):
        return None
    try:
        return await core.playbooks.alerts.details(alert_id)
    except (AlertNotFound, GuestNotFound):
        return None


def playbook_renderers() -> Mapping[str, Renderer]:
    """The outbox kinds of playbooks, for the scheduler's registry."""
    # the shift's late report is redrawn in place as more steps fall late
    return {CHECKLIST: render_checklist, SYNC: in_place(_checklist_now),
            REMINDER: render_reminder, LATE: render_late, LATE_REDRAW: in_place(render_late),
            ALERT: render_alert, ESCALATION: render_escalation}
