"""Before a guest is created: "Is this the same 王先生 (…1234, gold, window seat)?"

`/new` and a note's "Create …?" first look for the guest among those already there (same
phone in any format, same name or pinyin). If someone may be them, staff choose: that guest,
or a new one after all. What was typed waits in the database (`profiles.pending`), so the
buttons work after a restart and only once.
"""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import render
from bot.callbacks import ID, Verb, button, pattern, unpack
from bot.compact import details
from bot.i18n import t
from bot.state import Context
from bot.views import branch_labels, reply, send_card, settle_press
from profiles.errors import GuestNotFound, PendingNoteGone
from profiles.models import GuestCard
from profiles.pending import Command

LABEL_LENGTH = 48


async def offer_duplicates(message: Message, context: Context, name: str, phone: str | None,
                           *, region: str, note: str | None = None) -> bool:
    """Ask whether the guest about to be created is one already there; False if nobody is.

    `note` is the text of a /note waiting for its guest: "same" then logs it for the guest
    chosen. Raises InvalidName or InvalidPhone as creating the guest would.
    """
    core, me, lang = context.core, context.member, context.lang
    found = await core.duplicates.likely(name, phone, region=region, branch=me.branch,
                                         viewer=me)
    if not found:
        return False
    pending = await core.pending.keep(staff_id=me.id, name=name[:64], phone=phone,
                                      text=note or "", now=core.clock(),
                                      command=Command.NOTE if note else Command.NEW)
    cards = [duplicate.card for duplicate in found]
    same, new = (Verb.APPLY, Verb.CREATE) if note else (Verb.SAME_GUEST, Verb.CREATE_NEW)
    labels = branch_labels(context)
    rows = [[button(t(lang, "dup.same",
                      label=render.hit_line(card.guest, lang, labels)[:LABEL_LENGTH]),
                    same, pending.id, card.guest.id)] for card in cards]
    rows.append([button(t(lang, "dup.new"), new, pending.id)])
    await message.reply_text(_question(cards, lang), parse_mode="HTML",
                             reply_markup=InlineKeyboardMarkup(rows))
    return True


def _question(cards: list[GuestCard], lang: str) -> str:
    if len(cards) == 1:
        card = cards[0]
        return t(lang, "dup.ask_one", name=escape(render.full_name(card.guest)),
                 details=escape(details(card, lang)))
    lines = [t(lang, "dup.ask_several", name=escape(render.full_name(cards[0].guest)))]
    lines += [f"• {escape(render.full_name(card.guest))} {card.guest.ref}: "
              f"{escape(details(card, lang))}" for card in cards]
    return "\n".join(lines)


async def same_guest(update: Update, context: Context) -> None:
    """The guest /new named is one already there: show them (with the phone given, if they
    had none)."""
    query, core, me = update.callback_query, context.core, context.member
    assert query is not None and query.data is not None
    pending_id, guest_id = (int(arg) for arg in unpack(query.data))
    try:
        guest, phone_added = await core.guests.choose_kept(
            pending_id, guest_id, staff_id=me.id, now=core.clock(),
            region=core.settings.phone_region(me.branch))
    except PendingNoteGone:
        await query.answer(t(me.language, "pending.gone"), show_alert=True)
        return
    except GuestNotFound:
        await settle_press(query)
        await reply(query.message, t(me.language, "guest.gone"))
        return
    await settle_press(query)
    if not isinstance(query.message, Message):
        return
    if phone_added:
        await query.message.reply_text(
            t(me.language, "dup.phone_added", name=escape(render.full_name(guest)),
              ref=guest.ref), parse_mode="HTML")
    await send_card(query.message, context, guest.id)


async def create_new(update: Update, context: Context) -> None:
    """Not the same guest: create the one /new named, as it would have without the question."""
    query, core, me = update.callback_query, context.core, context.member
    assert query is not None and query.data is not None
    try:
        created = await core.guests.create_kept(
            int(unpack(query.data)[0]), branch=me.branch, staff_id=me.id, now=core.clock(),
            region=core.settings.phone_region(me.branch))
    except PendingNoteGone:
        await query.answer(t(me.language, "pending.gone"), show_alert=True)
        return
    await settle_press(query)
    await query.edit_message_text(t(me.language, "new.created",
                                    name=escape(render.full_name(created)), ref=created.ref),
                                  parse_mode="HTML")
    if isinstance(query.message, Message):
        await send_card(query.message, context, created.id)


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CallbackQueryHandler(same_guest, pattern=pattern(Verb.SAME_GUEST, ID, ID)),
    CallbackQueryHandler(create_new, pattern=pattern(Verb.CREATE_NEW)),
]
