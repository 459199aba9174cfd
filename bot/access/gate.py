"""The gate in front of every handler: active staff pass; everyone else learns nothing."""

from __future__ import annotations

import logging

from telegram import Chat, Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, TypeHandler

from bot import logs
from bot.callbacks import Verb
from bot.i18n import t
from bot.signing import accept_press
from bot.state import Context
from profiles.models import Role, Staff
from store.database import serve

log = logging.getLogger(__name__)
# In a group, these buttons are ours to answer: Seen on an allergy alert to the kitchen,
# Accept / Done / Can't do on a request posted to its department's group.
GROUP_VERBS = frozenset({Verb.ALLERGY_SEEN, Verb.REQUEST_ACCEPT, Verb.REQUEST_DONE,
                         Verb.REQUEST_DECLINE})


async def admit_staff(update: Update, context: Context) -> None:
    """Find the staff member behind the update, or answer strangers with one polite line."""
    key = f"update:{context.bot.id}:{update.update_id}"  # ids restart for a new bot token
    serve(key)  # the update's first write records it, atomically
    if await context.core.db.already_served(key):
        log.info("update %s was delivered again; its effects are saved already", update.update_id)
        raise ApplicationHandlerStop
    user = update.effective_user
    if user is None or update.edited_message or not _private_or_inline(update):
        # channels and groups: nothing for us there; an edit of a message already answered
        # (a note saved, a search shown) would act a second time: the new text is sent anew
        raise ApplicationHandlerStop
    staff = await context.core.staff.by_telegram_id(user.id)
    if staff is not None and staff.active:
        context.staff = staff
        logs.staff_id.set(staff.id)
        if update.callback_query and not await _signed_press(update, context):
            raise ApplicationHandlerStop
        return
    if _is_join_attempt(update):
        return  # /start CODE is the one thing a stranger may do
    language = staff.language if staff else language_of(update, context)
    await _turn_away(update, context, language=language)
    raise ApplicationHandlerStop


async def _signed_press(update: Update, context: Context) -> bool:
    """A press with data the bot put in that very chat; anything else (no data, made-up data,
    data copied from another chat) gets one neutral line."""
    query = update.callback_query
    assert query is not None
    signer = context.bot.signer
    if signer is not None and accept_press(query, signer):
        return True
    log.warning("refused a press with unsigned or foreign button data in chat %s",
                query.message.chat.id if query.message else None)
    await query.answer(t(context.lang, "button.stale"), show_alert=True)
    return False


def _private_or_inline(update: Update) -> bool:
    chat, query = update.effective_chat, update.callback_query
    group_button = query is not None and (query.data or "").partition(":")[0] in GROUP_VERBS
    return (update.inline_query is not None or group_button
            or (chat is not None and chat.type == Chat.PRIVATE))


def _is_join_attempt(update: Update) -> bool:
    message = update.message
    return bool(message and message.text and message.text.split()[0] == "/start"
                and len(message.text.split()) == 2)


def language_of(update: Update, context: Context) -> str:
    """A newcomer's language: their Telegram app's if we speak it, else the chain's."""
    code = update.effective_user.language_code if update.effective_user else None
    if code:
        return "zh" if code.startswith("zh") else "en"
    return context.core.settings.chain.language


async def _turn_away(update: Update, context: Context, *, language: str) -> None:
    line = t(language, "stranger")
    if update.inline_query:
        await update.inline_query.answer([], cache_time=0, is_personal=True)
    elif update.callback_query:
        await update.callback_query.answer(line, show_alert=True)
    elif update.effective_message:
        await update.effective_message.reply_text(line)


HANDLERS: list[BaseHandler[Update, Context, None]] = [TypeHandler(Update, admit_staff)]


def not_allowed(member: Staff) -> str:
    """"Your role can't do that", naming whom to ask: someone above the asker, never a shift
    lead telling a shift lead to ask one."""
    above = {Role.LEAD: "not_allowed.lead", Role.MANAGER: "not_allowed.manager",
             Role.ADMIN: "not_allowed.manager"}
    return t(member.language, above.get(member.role, "not_allowed"))
