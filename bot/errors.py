"""The one place unexpected failures end: logged in full, answered in one calm line."""

from __future__ import annotations

import logging
from html import escape

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.i18n import t
from bot.state import Context
from bot.suggest import meant_command
from store.database import saved_while_serving

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    log.error("update %s failed", getattr(update, "update_id", "?"), exc_info=context.error)
    if not isinstance(update, Update) or isinstance(context.error, (Forbidden, NetworkError)):
        return  # nobody to tell, or no way to tell them
    # a command commits before it answers: when the answer failed, its effects are saved
    line = t(await _language(update, context), "error_saved" if saved_while_serving.get()
             else "error")
    try:
        await _tell(update, line)
    except (BadRequest, Forbidden, NetworkError):
        log.warning("could not tell the user about the failure of update %s", update.update_id)


async def _language(update: Update, context: Context) -> str:
    # PTB hands error handlers a fresh context: the access gate's staff member is not on it
    core, user = context.bot_data.core, update.effective_user
    staff = await core.staff.by_telegram_id(user.id) if core and user else None
    return staff.language if staff else "en"


async def _tell(update: Update, line: str) -> None:
    query, message = update.callback_query, update.effective_message
    if query is not None:
        try:
            await query.answer(line, show_alert=True)
            return
        except BadRequest:
            pass  # the handler had answered the press already: say it in the chat instead
    if message is not None and update.effective_chat is not None:
        await message.reply_text(line)


async def stale_button(update: Update, context: Context) -> None:
    """A button no handler knows (from an older version, or forged): say so, change nothing."""
    assert update.callback_query is not None
    await update.callback_query.answer(t(context.lang, "button.stale"), show_alert=True)


async def unknown_command(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    meant = meant_command(message.text or "", context.member.role)
    if meant is not None:
        await message.reply_text(t(context.lang, "did_you_mean", command=escape(meant)),
                                 parse_mode="HTML")
        return
    await message.reply_text(t(context.lang, "unknown_command"))


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CallbackQueryHandler(stale_button),
    MessageHandler(filters.COMMAND, unknown_command),
]
