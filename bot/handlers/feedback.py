"""The guest's verdict: `/feedback REF SCORE [comment]`, or a score pressed after the visit."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import render
from bot.callbacks import ID, Verb, pattern, unpack
from bot.events import raise_events
from bot.i18n import t
from bot.state import Context
from bot.views import one_guest, reply
from playbooks.events import Event, EventKind
from playbooks.feedback import (
    MAX_SCORE,
    MIN_SCORE,
    AlreadyRated,
    Feedback,
    FeedbackUsage,
    ScoreOutOfRange,
    split_feedback,
)
from playbooks.request_store import open_complaint
from profiles.errors import GuestNotFound


async def feedback(update: Update, context: Context) -> None:
    message, core, me = update.effective_message, context.core, context.member
    assert message is not None and message.text is not None
    try:
        ref, score, comment = split_feedback(message.text.partition(" ")[2])
    except FeedbackUsage:
        await message.reply_text(t(me.language, "feedback.usage"))
        return
    except ScoreOutOfRange as bad:
        await message.reply_text(t(me.language, "feedback.range", score=escape(str(bad)[:8]),
                                   low=MIN_SCORE, high=MAX_SCORE), parse_mode="HTML")
        return
    guest = await one_guest(message, context, ref)
    if guest is None:
        return
    try:
        saved = await core.feedback.record(guest.id, score, comment, staff_id=me.id,
                                           branch=me.branch, now=core.clock())
    except GuestNotFound:
        await message.reply_text(t(me.language, "guest.gone"))
        return
    await _recorded(message, context, saved)


async def rate(update: Update, context: Context) -> None:
    """A score pressed on the question after a visit: once per visit."""
    query, core, me = update.callback_query, context.core, context.member
    assert query is not None and query.data is not None
    visit_id, score = (int(arg) for arg in unpack(query.data))
    try:
        saved = await core.feedback.rate_visit(visit_id, score, staff_id=me.id, now=core.clock(),
                                               by=me)
    except AlreadyRated:
        await query.answer(t(me.language, "feedback.already"), show_alert=True)
        return
    except (GuestNotFound, ScoreOutOfRange):
        await query.answer(t(me.language, "guest.gone"), show_alert=True)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    await _recorded(query.message, context, saved)


async def _recorded(message: object, context: Context, saved: Feedback) -> None:
    """Say it is saved; a complaint also opens a red request and the recovery playbook."""
    core, me = context.core, context.member
    guest = await core.guests.get(saved.guest_id)
    lines = [t(me.language, "feedback.saved", score=saved.score,
               name=escape(render.full_name(guest)), ref=guest.ref)]
    if saved.complaint:
        request = await open_complaint(core, saved.guest_id, saved.branch, me.id,
                                       _complaint_text(saved, me.language), core.clock())
        lines.append(t(me.language, "feedback.complaint", number=request.number))
    await reply(message, "\n".join(lines))
    events = [_complaint_event(saved)] if saved.complaint else []
    await raise_events(context, events)


def _complaint_text(saved: Feedback, lang: str) -> str:
    return t(lang, "feedback.complaint_request", score=saved.score,
             comment=saved.comment or t(lang, "feedback.no_comment"))


def _complaint_event(saved: Feedback) -> Event:
    details: dict[str, str | int | bool | None] = {"feedback_id": saved.id, "score": saved.score}
    if saved.visit_id is not None:
        details["visit_id"] = saved.visit_id
    return Event(kind=EventKind.FEEDBACK_COMPLAINT, guest_id=saved.guest_id, branch=saved.branch,
                 at=saved.created_at, staff_id=saved.staff_id, details=details)


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("feedback", feedback),
    CallbackQueryHandler(rate, pattern=pattern(Verb.RATE, ID, r"[1-5]")),
]
