"""Finding a guest, showing the card, creating a guest, tagging tier and segment."""

from __future__ import annotations

from html import escape

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import render
from bot.callbacks import ID, Verb, pattern, unpack
from bot.guests.duplicates import offer_duplicates
from bot.i18n import t
from bot.state import Context
from bot.views import chosen, one_guest, reply, send_card, show_matches
from profiles.access import Action, can
from profiles.errors import GuestNotFound, PendingNoteGone
from profiles.names import InvalidName
from profiles.pending import Command
from profiles.phones import InvalidPhone
from profiles.tags import UnknownTag, parse_tag

QUERY_LIMIT = 64


async def find(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    query = " ".join(context.args or [])
    if not query.strip():
        await message.reply_text(t(context.lang, "find.usage"))
        return
    await search_and_show(update, context, query)


async def search_and_show(update: Update, context: Context, query: str) -> None:
    assert update.effective_message is not None
    hits = await context.core.search.find(query[:QUERY_LIMIT], branch=context.member.branch)
    await show_matches(update.effective_message, context, [hit.guest for hit in hits], query)


async def guest(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    ref = " ".join(context.args or [])
    if not ref.strip():
        await message.reply_text(t(context.lang, "guest.usage"))
        return
    found = await context.core.search.resolve(ref[:QUERY_LIMIT], branch=context.member.branch)
    await show_matches(message, context, found, ref)


async def open_card(update: Update, context: Context) -> None:
    await _send_pressed_card(update, context, whole=False)


async def whole_card(update: Update, context: Context) -> None:
    """"More" pressed under a card: every trait."""
    await _send_pressed_card(update, context, whole=True)


async def _send_pressed_card(update: Update, context: Context, *, whole: bool) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    if not isinstance(query.message, Message):
        return  # too old for Telegram to show: nothing to reply under
    try:
        await send_card(query.message, context, int(unpack(query.data)[-1]), whole=whole)
    except GuestNotFound:
        await query.message.reply_text(t(context.lang, "guest.gone"))


async def new(update: Update, context: Context) -> None:
    message, core, me = update.effective_message, context.core, context.member
    assert message is not None
    name, phone = split_name_phone(context.args or [])
    if not name:
        await message.reply_text(t(me.language, "new.usage"))
        return
    region = core.settings.phone_region(me.branch)
    try:
        if await offer_duplicates(message, context, name, phone, region=region):
            return
        created = await core.guests.create(name, phone, branch=me.branch, staff_id=me.id,
                                           region=region, now=core.clock())
    except InvalidName:
        await message.reply_text(t(me.language, "new.bad_name"))
        return
    except InvalidPhone:
        await message.reply_text(t(me.language, "new.bad_phone", phone=escape(phone or "")),
                                 parse_mode="HTML")
        return
    await message.reply_text(t(me.language, "new.created", name=escape(render.full_name(created)),
                               ref=created.ref), parse_mode="HTML")
    await send_card(message, context, created.id)


PHONE_CHARACTERS = frozenset("+-().·")
MIN_PHONE_DIGITS = 6


def split_name_phone(args: list[str]) -> tuple[str, str | None]:
    """`/new 王先生 +1 213 555 0142`: trailing words of digits (6 or more in all) are the phone."""
    words = list(args)
    phone_words: list[str] = []
    while len(words) > 1 and _phone_word(words[-1]):
        phone_words.insert(0, words.pop())
    phone = " ".join(phone_words)
    if sum(ch.isdigit() for ch in phone) < MIN_PHONE_DIGITS:
        return " ".join(args), None  # "Room 12", "Table 3 guest": digits that are the name's
    return " ".join(words), phone


def _phone_word(word: str) -> bool:
    return any(ch.isdigit() for ch in word) and all(
        ch.isdigit() or ch in PHONE_CHARACTERS for ch in word)


async def tag(update: Update, context: Context) -> None:
    message, me = update.effective_message, context.member
    assert message is not None
    if not can(me.role, Action.TAG):
        await message.reply_text(t(me.language, "not_allowed"))
        return
    args = context.args or []
    if len(args) < 2:
        await message.reply_text(t(me.language, "tag.usage"))
        return
    try:
        parse_tag(args[-1])
    except UnknownTag:
        await message.reply_text(t(me.language, "tag.unknown", tag=escape(args[-1][:32])),
                                 parse_mode="HTML")
        return
    guest = await one_guest(message, context, " ".join(args[:-1]), finish=Verb.TAG_FOR,
                            command=Command.TAG, rest=args[-1])
    if guest is not None:
        await _set_tags(message, context, guest.id, args[-1])


async def tag_chosen(update: Update, context: Context) -> None:
    """/tag for the guest chosen among those the reference may mean."""
    query = update.callback_query
    assert query is not None
    if not can(context.member.role, Action.TAG):
        await query.answer(t(context.lang, "not_allowed"), show_alert=True)
        return
    choice = await chosen(query, context, Command.TAG)
    if choice is not None:
        pending, guest_id = choice
        await _set_tags(query.message, context, guest_id, pending.text, spending=pending.id)


async def _set_tags(message: object, context: Context, guest_id: int, word: str, *,
                    spending: int | None = None) -> None:
    core, me = context.core, context.member
    tier, segment = parse_tag(word)
    try:
        tagged = await core.guests.set_tags(guest_id, tier=tier, segment=segment,
                                            now=core.clock(), staff_id=me.id, spending=spending)
    except GuestNotFound:
        await reply(message, t(me.language, "guest.gone"))
        return
    except PendingNoteGone:
        await reply(message, t(me.language, "pending.gone"))
        return
    await reply(message, t(me.language, "tag.set", name=escape(render.full_name(tagged)),
                            tag=render.headline(tagged, me.language)))


async def phone(update: Update, context: Context) -> None:
    """`/phone REF NUMBER`: add or change the phone of the guest REF names."""
    message = update.effective_message
    assert message is not None
    ref, number = split_name_phone(context.args or [])
    if not ref or number is None:
        await message.reply_text(t(context.lang, "phone.usage"))
        return
    guest = await one_guest(message, context, ref, finish=Verb.PHONE_FOR,
                            command=Command.PHONE, rest=number)
    if guest is not None:
        await _set_phone(message, context, guest.id, number)


async def phone_chosen(update: Update, context: Context) -> None:
    """/phone for the guest chosen among those the reference may mean."""
    query = update.callback_query
    assert query is not None
    choice = await chosen(query, context, Command.PHONE)
    if choice is not None:
        pending, guest_id = choice
        await _set_phone(query.message, context, guest_id, pending.text, spending=pending.id)


async def _set_phone(message: object, context: Context, guest_id: int, number: str, *,
                     spending: int | None = None) -> None:
    core, me = context.core, context.member
    try:
        changed = await core.guests.set_phone(guest_id, number, now=core.clock(),
                                              region=core.settings.phone_region(me.branch),
                                              staff_id=me.id, spending=spending)
    except InvalidPhone:
        await reply(message, t(me.language, "new.bad_phone", phone=escape(number[:32])))
        return
    except GuestNotFound:
        await reply(message, t(me.language, "guest.gone"))
        return
    except PendingNoteGone:
        await reply(message, t(me.language, "pending.gone"))
        return
    await reply(message, t(me.language, "phone.set", name=escape(render.full_name(changed)),
                            ref=changed.ref, tail=(changed.phone or "")[-4:]))


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("find", find),
    CommandHandler("guest", guest),
    CommandHandler("new", new),
    CommandHandler("tag", tag),
    CallbackQueryHandler(tag_chosen, pattern=pattern(Verb.TAG_FOR, ID, ID)),
    CommandHandler("phone", phone),
    CallbackQueryHandler(phone_chosen, pattern=pattern(Verb.PHONE_FOR, ID, ID)),
    CallbackQueryHandler(open_card, pattern=pattern(Verb.OPEN)),
    CallbackQueryHandler(whole_card, pattern=pattern(Verb.CARD_MORE)),
]
