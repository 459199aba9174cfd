"""Ticking checklist steps, the kitchen's Seen, and /playbooks: what is in force, how it went."""

from __future__ import annotations

import contextlib
from html import escape

from telegram import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import render
from bot.callbacks import ID, Verb, pattern, unpack
from bot.checklists.messages import (
    ONE_STEP,
    alert_text,
    checklist_keyboard,
    checklist_text,
    clock_time,
    seen_keyboard,
    step_done_text,
)
from bot.i18n import t
from bot.signing import SEPARATOR
from bot.state import Context
from playbooks.checklists.allergy import AlertNotFound
from playbooks.checklists.model import Audit, Marked, Run, week_of
from playbooks.checklists.playbook import Conditions, Playbook
from playbooks.checklists.store import RunNotFound
from profiles.access import Reading, may_read
from profiles.errors import GuestNotFound
from profiles.models import Guest

LAST_WEEK = ("last", "上周")
FLAGS = ("vip", "has_allergy", "first_visit", "children", "business", "occasion_today", "stay")


async def step_done(update: Update, context: Context) -> None:
    """A step ticked on a checklist: the checklist is redrawn as it now stands."""
    ticked = await _tick(update, context)
    if ticked is not None:
        query, run, guest = ticked
        zone = context.core.playbooks.policy(run.branch).zone
        await _edit(query, checklist_text(run, guest, context.lang, zone),
                    checklist_keyboard(run, context.lang))


async def prompt_done(update: Update, context: Context) -> None:
    """A step ticked on a reminder: its button goes; the last one says who did what."""
    ticked = await _tick(update, context, redraw_own=True)
    if ticked is None:
        return
    query, run, _ = ticked
    left = _other_buttons(query)
    step = run.step(_step_id(query))
    if left:
        with contextlib.suppress(BadRequest):
            await query.edit_message_reply_markup(InlineKeyboardMarkup(left))
    elif step is not None and step.done:
        zone = context.core.playbooks.policy(run.branch).zone
        await _edit(query, step_done_text(run, step, context.lang, zone), None)


def _other_buttons(query: CallbackQuery) -> list[list[InlineKeyboardButton]]:
    """The pressed message's buttons but the one pressed, as plain data (signed again as the
    edit goes out)."""
    markup = query.message.reply_markup if isinstance(query.message, Message) else None
    rows = []
    for row in markup.inline_keyboard if markup else ():
        plain = [InlineKeyboardButton(key.text, callback_data=str(key.callback_data)
                                      .rsplit(SEPARATOR, 1)[0]) for key in row]
        rows += [plain] if all(key.callback_data != query.data for key in plain) else []
    return rows


async def _tick(update: Update, context: Context, *, redraw_own: bool = False
                ) -> tuple[CallbackQuery, Run, Guest] | None:
    query, core, me = update.callback_query, context.core, context.member
    assert query is not None
    try:
        marked, run = await core.playbooks.runs.mark_done(_step_id(query), staff_id=me.id,
                                                          now=core.clock(), by=me,
                                                          redraw_own=redraw_own)
        guest = await core.guests.get(run.guest_id)
    except (RunNotFound, GuestNotFound):
        await query.answer(t(me.language, "checklist.gone"), show_alert=True)
        return None
    await query.answer(_answer(marked, run, _step_id(query), context),
                       show_alert=marked is not Marked.DONE)
    return query, run, guest


def _step_id(query: CallbackQuery) -> int:
    return int(unpack(query.data or "")[0])


def _answer(marked: Marked, run: Run, step_id: int, context: Context) -> str:
    lang = context.lang
    if marked is Marked.CLOSED:
        return t(lang, "checklist.closed")
    step = run.step(step_id)
    if marked is Marked.ALREADY and step is not None and step.done_at is not None:
        zone = context.core.playbooks.policy(run.branch).zone
        return t(lang, "checklist.already", who=step.done_by_name or "?",
                 at=clock_time(step.done_at, zone))
    return t(lang, "checklist.all_done" if run.complete else "checklist.marked")


async def seen(update: Update, context: Context) -> None:
    query, core, me = update.callback_query, context.core, context.member
    assert query is not None and query.data is not None
    try:
        first, _ = await core.playbooks.alerts.acknowledge(
            int(unpack(query.data)[0]), staff_id=me.id, now=core.clock(), by=me,
            chat_id=query.message.chat.id if query.message else None)
        alert, guest, allergies = await core.playbooks.alerts.details(int(unpack(query.data)[0]))
    except (AlertNotFound, GuestNotFound):
        await query.answer(t(me.language, "kitchen_alert.gone"), show_alert=True)
        return
    await query.answer(t(me.language, "kitchen_alert.thanks" if first
                         else "kitchen_alert.already"))
    # a group reads the chain's language; a private chat its owner's
    private = query.message is not None and query.message.chat.type == Chat.PRIVATE
    lang = me.language if private else core.settings.chain.language
    zone = core.playbooks.policy(alert.branch).zone
    await _edit(query, alert_text(alert, guest, allergies, lang, zone), seen_keyboard(alert, lang))


async def _edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    # unchanged (pressed twice) or too old to edit: the answer already said what happened
    with contextlib.suppress(BadRequest):
        await query.edit_message_text(text, parse_mode="HTML", reply_markup=markup)


async def list_playbooks(update: Update, context: Context) -> None:
    """The playbooks in force; for leads and up, the week's figures of their branch."""
    message, core, me = update.effective_message, context.core, context.member
    assert message is not None
    args = [arg.lower() for arg in context.args or []]
    lines = [t(me.language, "playbooks.title", count=len(core.playbooks.library))]
    lines += [library_line(playbook, me.language) for playbook in core.playbooks.library]
    if may_read(me, Reading.PLAYBOOK_FIGURES):
        typed = next((arg for arg in args if arg not in LAST_WEEK), None)
        branch = core.settings.branch_id(typed) if typed else me.branch
        if not _may_see(context, branch):
            await message.reply_text(t(me.language, "playbooks.no_branch",
                                       branch=escape(branch[:16])), parse_mode="HTML")
            return
        last_week = any(arg in LAST_WEEK for arg in args)
        lines += audit_lines(await _week(context, branch, weeks_back=int(last_week)), context)
    for chunk in render.split_message(lines):
        await message.reply_text(chunk, parse_mode="HTML")


def _may_see(context: Context, branch: str) -> bool:
    known = context.core.settings.branch(branch) is not None
    return known and may_read(context.member, Reading.PLAYBOOK_FIGURES, branch)


async def _week(context: Context, branch: str, *, weeks_back: int) -> Audit:
    core = context.core
    now = core.clock()
    start, end = week_of(now, core.playbooks.policy(branch).zone, weeks_back=weeks_back)
    return await core.playbooks.audit(branch, start, end, now)


def library_line(playbook: Playbook, lang: str) -> str:
    when = " / ".join(t(lang, f"playbooks.event.{kind}") for kind in playbook.trigger)
    conditions = condition_labels(playbook.conditions, lang)
    if playbook.once_per_day:
        conditions.append(t(lang, "playbooks.once_per_day"))
    if playbook.one_open_per_guest:
        conditions.append(t(lang, "playbooks.one_open_per_guest"))
    who = [t(lang, f"role.{role}") for role in playbook.roles]
    if playbook.actor:
        who.append(t(lang, "playbooks.actor"))
    return t(lang, "playbooks.line", title=escape(playbook.title(lang)), when=when,
             conditions=f" ({escape(', '.join(conditions))})" if conditions else "",
             who=", ".join(who), steps=len(playbook.steps))


def condition_labels(conditions: Conditions, lang: str) -> list[str]:
    labels = []
    for flag in FLAGS:
        wanted = getattr(conditions, flag)
        if wanted is not None:
            label = t(lang, f"playbooks.cond.{flag}")
            labels.append(label if wanted else t(lang, "playbooks.cond.not", what=label))
    if conditions.tier:
        labels.append(" / ".join(render.tier_label(tier, lang) for tier in conditions.tier))
    if conditions.segment:
        labels.append(" / ".join(render.tag_label(segment, lang) for segment in conditions.segment))
    if conditions.mentions:
        labels.append(t(lang, "playbooks.cond.mentions", words=" / ".join(conditions.mentions)))
    return labels


def audit_lines(figures: Audit, context: Context) -> list[str]:
    lang, settings = context.lang, context.core.settings
    branch = settings.branch(figures.branch)
    label = branch.label(lang) if branch else figures.branch
    lines = ["", t(lang, "playbooks.audit_title", branch=escape(label),
                   start=figures.start.strftime("%m-%d"))]
    if figures.completion_rate is None:
        return [*lines, t(lang, "playbooks.audit_none")]
    lines.append(t(lang, "playbooks.audit_figures", runs=figures.runs,
                   completed=figures.completed, rate=round(100 * figures.completion_rate),
                   done=figures.steps_done, steps=figures.steps))
    if not figures.most_missed:
        return [*lines, t(lang, "playbooks.audit_nothing_missed")]
    lines.append(t(lang, "playbooks.audit_missed"))
    lines += [t(lang, "playbooks.audit_missed_line", text=escape(missed.text(lang)),
                title=escape(missed.title(lang)), count=missed.count)
              for missed in figures.most_missed]
    return lines


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("playbooks", list_playbooks),
    CallbackQueryHandler(step_done, pattern=pattern(Verb.STEP_DONE)),
    CallbackQueryHandler(prompt_done, pattern=pattern(Verb.STEP_DONE, ID, ONE_STEP)),
    CallbackQueryHandler(seen, pattern=pattern(Verb.ALLERGY_SEEN)),
]
