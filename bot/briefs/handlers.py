"""The pre-arrival brief on demand: `/brief`, `/brief tomorrow`, `/brief 12-24`."""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.briefs.messages import brief_messages, day_label
from bot.briefs.reminders import branch_day_of
from bot.callbacks import WORD, Verb, button, pattern, unpack
from bot.i18n import t
from bot.state import Context
from playbooks.dates import WhenError, parse_day
from profiles.access import Reading, may_read
from profiles.models import Staff

ARG_LIMIT = 40


def may_brief(member: Staff, branch: str | None = None) -> bool:
    """Leads and up read the whole brief; housekeeping reads its rooms' version."""
    return may_read(member, Reading.BRIEF, branch)


async def brief(update: Update, context: Context) -> None:
    message, core, me = update.effective_message, context.core, context.member
    assert message is not None
    if not may_brief(me):
        await message.reply_text(t(me.language, "not_allowed"))
        return
    branch, words = _branch_and_words(context)
    today = branch_day_of(core.settings, branch).today(core.clock())
    try:
        days = parse_day(words[:ARG_LIMIT], today=today) if words else (today,)
    except WhenError:
        days = ()
    if not days:
        await message.reply_text(t(me.language, "brief.bad_day"))
    elif len(days) > 1:
        rows = [[button(day_label(day, me.language), Verb.BRIEF_DAY, branch, day.isoformat())]
                for day in days]
        await message.reply_text(t(me.language, "brief.choose_day"),
                                 reply_markup=InlineKeyboardMarkup(rows))
    else:
        await send_brief(message, context, branch, days[0])


def _branch_and_words(context: Context) -> tuple[str, str]:
    """An admin may name another branch first: `/brief sh tomorrow`."""
    args, me = context.args or [], context.member
    named = context.core.settings.branch_id(args[0]) if args else ""
    if context.core.settings.branch(named) is not None and may_brief(me, named):
        return named, " ".join(args[1:])
    return me.branch, " ".join(args)


async def send_brief(message: Message, context: Context, branch: str, day: date) -> None:
    core, lang = context.core, context.lang
    where = branch_day_of(core.settings, branch)
    found = await core.briefs.brief(where, day, viewer=context.member)
    for text in brief_messages(found, lang=lang, zone=where.zone,
                               branches=core.settings.branch_labels(lang)):
        await message.reply_text(text, parse_mode="HTML")


async def choose_day(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    branch, day = unpack(query.data)
    if not may_brief(context.member, branch):
        branch = context.member.branch  # another branch's brief is not theirs to read
    try:
        chosen = date.fromisoformat(day)
    except ValueError:  # "2026-02-30" has the shape but is no day: not data the bot made
        await query.answer(t(context.lang, "button.stale"), show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message) and may_brief(context.member):
        await send_brief(query.message, context, branch, chosen)


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("brief", brief),
    CallbackQueryHandler(choose_day, pattern=pattern(Verb.BRIEF_DAY, WORD, r"\d{4}-\d{2}-\d{2}")),
]
