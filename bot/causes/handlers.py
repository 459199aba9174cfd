"""At closing a complaint: "what caused it?" with the suggested cause first, one tap to
confirm; then, for a lead, "why did it happen?" as a reply, up to the chain's depth."""

from __future__ import annotations

import contextlib
import re

from telegram import ForceReply, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.callbacks import ID, WORD, Verb, button, pattern, unpack
from bot.i18n import t
from bot.state import Context
from bot.views import ReplyTo
from playbooks.causes.categories import Cause, choices, suggest_cause
from playbooks.causes.store import NotAComplaint, NotTheCloser, WhysDone, is_complaint
from playbooks.requests.models import Request, RequestNotFound

PER_ROW = 2
MAX_TEXT = 500
# the first line of a why prompt; a reply to it answers that level
WHY_PROMPT = re.compile(r"^❓ R(?P<id>\d{1,18}) · (?P<depth>\d{1,2})/")


async def ask_cause(context: Context, closed: Request) -> None:
    """Ask whoever closed a complaint what caused it, in their private chat."""
    if not is_complaint(closed):
        return
    me, lang = context.member, context.lang
    suggested = suggest_cause(closed.text)
    buttons = [button(("✓ " if cause is suggested else "") + t(lang, f"cause.{cause}"),
                      Verb.CAUSE, closed.id, cause.value) for cause in choices(suggested)]
    rows = [buttons[i:i + PER_ROW] for i in range(0, len(buttons), PER_ROW)]
    # pressed in a group by someone who never opened a chat with the bot: not asked, then
    with contextlib.suppress(BadRequest, Forbidden):
        await context.bot.send_message(
            me.telegram_id, t(lang, "cause.ask", number=closed.number,
                              suggested=t(lang, f"cause.{suggested}")),
            reply_markup=InlineKeyboardMarkup(rows))


async def confirm_cause(update: Update, context: Context) -> None:
    query, core, lang = update.callback_query, context.core, context.lang
    assert query is not None and query.data is not None
    request_id, word = unpack(query.data)
    try:
        confirmed = await core.causes.confirm(int(request_id), Cause(word), by=context.member,
                                              now=core.clock())
    except (NotAComplaint, NotTheCloser, RequestNotFound, ValueError):
        await query.answer(t(lang, "cause.not_yours"), show_alert=True)
        return
    await query.answer(t(lang, "cause.saved", cause=t(lang, f"cause.{confirmed.cause}")))
    if confirmed.ask_why:
        await _ask_why(context, confirmed.request.id, 1)


async def answer_why(update: Update, context: Context) -> None:
    message, core, lang = update.effective_message, context.core, context.lang
    assert message is not None and message.text is not None
    prompt = message.reply_to_message
    found = WHY_PROMPT.match(prompt.text or "") if prompt else None
    assert found is not None  # the handler's filter saw to it
    try:
        answered = await core.causes.answer_why(int(found["id"]), message.text[:MAX_TEXT],
                                                by=context.member, now=core.clock())
    except (NotAComplaint, NotTheCloser, RequestNotFound, WhysDone):
        await message.reply_text(t(lang, "cause.why_done"))
        return
    if answered.ask_next:
        await _ask_why(context, answered.request_id, answered.depth + 1)
    else:
        await message.reply_text(t(lang, "cause.whys_kept", n=answered.depth))


async def _ask_why(context: Context, request_id: int, depth: int) -> None:
    lang = context.lang
    await context.bot.send_message(
        context.member.telegram_id,
        t(lang, "cause.why" if depth == 1 else "cause.why_again", id=request_id, depth=depth,
          of=context.core.causes.why_depth),
        reply_markup=ForceReply(selective=True))


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CallbackQueryHandler(confirm_cause, pattern=pattern(Verb.CAUSE, ID, WORD)),
    MessageHandler(filters.TEXT & ~filters.COMMAND & ReplyTo(WHY_PROMPT), answer_why),
]
