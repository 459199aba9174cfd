"""The guest's verdict: `/feedback REF SCORE [comment]`, or a score pressed after the visit."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import render
from bot.callbacks import ID, Verb, pattern, unpack
from bot.i18n import t
from bot.state import Context
from bot.views import chosen, one_guest, reply
from playbooks.feedback import (
    MAX_SCORE,
    MIN_SCORE,
    AlreadyRated,
    FeedbackUsage,
    Rated,
    ScoreOutOfRange,
    split_feedback,
)
from profiles.errors import GuestNotFound, PendingNoteGone
from profiles.pending import Command


async def feedback(update: Update, context: Context) -> None:
    message, me = update.effective_message, context.member
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
    guest = await one_guest(message, context, ref, finish=Verb.FEEDBACK_FOR,
                            command=Command.FEEDBACK, rest=f"{score} {comment}")
    if guest is not None:
        await _record(message, context, guest.id, score, comment)


async def feedback_for_chosen(update: Update, context: Context) -> None:
    """The typed score and comment, for the guest chosen among those the reference may mean."""
    query = update.callback_query
    assert query is not None
    choice = await chosen(query, context, Command.FEEDBACK)
    if choice is None:
        return
    pending, guest_id = choice
    score, _, comment = pending.text.partition(" ")
    await _record(query.message, context, guest_id, int(score), comment, spending=pending.id)


async def _record(message: object, context: Context, guest_id: int, score: int, comment: str,
                  *, spending: int | None = None) -> None:
    core, me = context.core, context.member
    try:
        rated = await core.feedback.record(
            guest_id, score, comment, staff_id=me.id, branch=me.branch, now=core.clock(),
            complaint_text=_complaint_text(score, comment, me.language), spending=spending)
    except GuestNotFound:
        await reply(message, t(me.language, "guest.gone"))
        return
    except PendingNoteGone:
        await reply(message, t(me.language, "pending.gone"))
        return
    await reply(message, _recorded(rated, me.language))


async def rate(update: Update, context: Context) -> None:
    """A score pressed on the question after a visit: once per visit."""
    query, core, me = update.callback_query, context.core, context.member
    assert query is not None and query.data is not None
    visit_id, score = (int(arg) for arg in unpack(query.data))
    try:
        rated = await core.feedback.rate_visit(
            visit_id, score, staff_id=me.id, now=core.clock(), by=me,
            complaint_text=_complaint_text(score, "", me.language))
    except AlreadyRated:
        await query.answer(t(me.language, "feedback.already"), show_alert=True)
        return
    except (GuestNotFound, ScoreOutOfRange):
        await query.answer(t(me.language, "guest.gone"), show_alert=True)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    await reply(query.message, _recorded(rated, me.language))


def _recorded(rated: Rated, lang: str) -> str:
    """Saved, and the complaint request it opened."""
    guest, saved = rated.guest, rated.feedback
    lines = [t(lang, "feedback.saved", score=saved.score, name=escape(render.full_name(guest)),
               ref=guest.ref)]
    if rated.complaint is not None:
        key = "feedback.complaint" if rated.complaint_heard else "feedback.complaint_nobody"
        lines.append(t(lang, key, number=rated.complaint.number))
    return "\n".join(lines)


def _complaint_text(score: int, comment: str, lang: str) -> str:
    return t(lang, "feedback.complaint_request", score=score,
             comment=comment or t(lang, "feedback.no_comment"))


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("feedback", feedback),
    CallbackQueryHandler(rate, pattern=pattern(Verb.RATE, ID, r"[1-5]")),
    CallbackQueryHandler(feedback_for_chosen, pattern=pattern(Verb.FEEDBACK_FOR, ID, ID)),
]
