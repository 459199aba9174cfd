"""The guest's verdict: `/feedback REF SCORE [comment]`, or a score pressed after the visit."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import render
from bot.callbacks import ID, Verb, pattern, unpack
from bot.i18n import t
from bot.state import Context
from bot.views import one_guest, reply
from playbooks.feedback import (
    MAX_SCORE,
    MIN_SCORE,
    AlreadyRated,
    FeedbackUsage,
    Rated,
    ScoreOutOfRange,
    split_feedback,
)
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
        rated = await core.feedback.record(
            guest.id, score, comment, staff_id=me.id, branch=me.branch, now=core.clock(),
            complaint_text=_complaint_text(score, comment, me.language))
    except GuestNotFound:
        await message.reply_text(t(me.language, "guest.gone"))
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
]
