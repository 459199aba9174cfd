"""Booking a table or a stay: /book, and asking which guest or time when two readings fit."""

from __future__ import annotations

from datetime import datetime
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CommandHandler

from bot import render
from bot.briefs.messages import booking_text, moment_label
from bot.briefs.reminders import branch_day_of
from bot.callbacks import Verb, button
from bot.guests.handlers import split_name_phone
from bot.i18n import t
from bot.state import Context
from bot.views import name_for_new_guest, reply, send_choices
from playbooks.bookings.parse import BookingDraft, BookingText, BookingTextError, read_booking
from playbooks.dates import WhenError
from profiles.bookings import BookingMade, DraftGone
from profiles.errors import GuestNotFound
from profiles.models import Category, Guest

MAX_TEXT = 1000
REF_LIMIT = 64


async def book(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    parsed = await _read(message, context, message.text.partition(" ")[2][:MAX_TEXT])
    if parsed is None:
        return
    name, phone = split_name_phone(parsed.ref.split())
    # a phone typed with the name finds the guest who has it, or is kept for the new guest
    found = await context.core.search.resolve((phone or parsed.ref)[:REF_LIMIT],
                                              branch=context.member.branch)
    if parsed.when is None:
        await _without_time(message, context, parsed.ref, found)
        return
    draft = BookingDraft.of(parsed, branch=context.member.branch)
    if len(found) == 1:
        await proceed(message, context, draft.model_copy(update={"guest_id": found[0].id}))
    elif found:
        draft_id = await keep_draft(context, draft)
        await send_choices(message, context, found, query=parsed.ref, verb=Verb.BOOK_GUEST,
                           extra=(draft_id,))
    else:
        await _offer_to_create(message, context, name if phone else parsed.ref,
                               draft.model_copy(update={"phone": phone}))


async def _read(message: Message, context: Context, text: str) -> BookingText | None:
    """What /book's text says, or None after telling what is wrong with it."""
    lang, day = context.lang, branch_day_of(context.core.settings, context.member.branch)
    try:
        return read_booking(text, now=day.local(context.core.clock()), hours=day.hours(),
                            default_time=day.single_shift_start())
    except BookingTextError as error:
        await message.reply_text(t(lang, f"book.{error.reason}"))
    except WhenError as error:
        # the example repeats who they typed ("Mr Wang"), not just the first word
        typed = text[:error.start].strip() if error.start else ""
        ref = escape((typed or text.split(" ", 1)[0])[:REF_LIMIT])
        await message.reply_text(t(lang, f"when.{error.reason}", ref=ref))
    return None


async def _without_time(message: Message, context: Context, ref: str, found: list[Guest]) -> None:
    """`/book NAME` alone lists the guest's bookings; anything else lacks a time."""
    if len(found) == 1:
        await list_bookings_of(message, context, found[0].id)
    elif found:
        await send_choices(message, context, found, query=ref, verb=Verb.BOOK_LIST)
    else:
        await message.reply_text(t(context.lang, "book.no_when", ref=escape(ref[:REF_LIMIT])))


async def proceed(target: object, context: Context, draft: BookingDraft,
                   draft_id: int | None = None) -> None:
    """Book now when one time fits; otherwise keep the draft and ask which time."""
    if len(draft.candidates) == 1:
        await make(target, context, draft, draft.candidates[0], draft_id)
        return
    if draft_id is None:
        draft_id = await keep_draft(context, draft)
    day = branch_day_of(context.core.settings, draft.branch)
    today = day.today(context.core.clock())
    rows = [[button(moment_label(at, day.zone, context.lang, today=today), Verb.BOOK_TIME,
                    draft_id, index)] for index, at in enumerate(draft.candidates)]
    try:
        guest = await context.core.guests.get(draft.guest_id or 0)
    except GuestNotFound:
        await reply(target, t(context.lang, "guest.gone"))
        return
    await reply(target, t(context.lang, "book.choose_time",
                           name=escape(render.full_name(guest))), InlineKeyboardMarkup(rows))


async def make(target: object, context: Context, draft: BookingDraft, at: datetime,
                draft_id: int | None) -> None:
    core, me = context.core, context.member
    new = draft.booking(at)
    try:
        made = await core.booking.book(new, staff_id=me.id, now=core.clock(), draft_id=draft_id)
    except GuestNotFound:
        await reply(target, t(context.lang, "guest.gone"))
        return
    except DraftGone:  # the other reading was pressed first
        await reply(target, t(context.lang, "book.draft_gone"))
        return
    await confirm(target, context, made)


async def confirm(target: object, context: Context, made: BookingMade) -> None:
    lang, booking = context.lang, made.booking
    card = await context.core.guests.card(booking.guest_id, viewer=context.member)
    zone = branch_day_of(context.core.settings, booking.branch).zone
    lines = [t(lang, "book.already" if made.already else "book.saved",
               name=escape(render.full_name(card.guest)), ref=card.guest.ref,
               when=booking_text(booking, zone, lang))]
    lines += [f"⚠️ <b>{escape(render.trait_words(trait, lang))}</b>" for trait in card.traits
              if trait.category is Category.ALLERGY]
    if made.first_visit:
        lines.append(t(lang, "book.first_visit"))
    # the same guest booked again that day: a second table, or a time to correct?
    day = branch_day_of(context.core.settings, booking.branch)
    start, end = day.day_bounds(booking.at.astimezone(zone).date())
    others = [other for other in await context.core.bookings.for_guest(booking.guest_id,
                                                                        since=start)
              if other.id != booking.id and other.at < end and other.branch == booking.branch]
    if others:
        lines.append(t(lang, "book.also_that_day", times=", ".join(
            f"{other.at.astimezone(zone):%H:%M}" for other in others)))
    when = moment_label(booking.at, zone, lang)
    markup = InlineKeyboardMarkup([[
        button(t(lang, "book.cancel", when=when), Verb.BOOK_CANCEL, booking.id),
        button(t(lang, "button.card"), Verb.OPEN, booking.guest_id)]])
    await reply(target, "\n".join(lines), markup)


async def list_bookings_of(target: object, context: Context, guest_id: int) -> None:
    core, lang = context.core, context.lang
    try:
        guest = await core.guests.get(guest_id)
    except GuestNotFound:
        await reply(target, t(lang, "guest.gone"))
        return
    day = branch_day_of(core.settings, context.member.branch)
    since, _ = day.day_bounds(day.today(core.clock()))
    bookings = await core.bookings.for_guest(guest_id, since=since)
    name = escape(render.full_name(guest))
    if not bookings:
        await reply(target, t(lang, "book.list_none", name=name, ref=guest.ref))
        return
    lines, rows = [t(lang, "book.list", name=name, ref=guest.ref)], []
    for booking in bookings:
        zone = branch_day_of(core.settings, booking.branch).zone
        lines.append("• " + booking_text(booking, zone, lang))
        rows.append(_closing_buttons(booking.id, moment_label(booking.at, zone, lang),
                                     due=booking.at <= core.clock(), lang=lang))
    await reply(target, "\n".join(lines), InlineKeyboardMarkup(rows))


def _closing_buttons(booking_id: int, when: str, *, due: bool,
                     lang: str) -> list[InlineKeyboardButton]:
    row = [button(t(lang, "book.cancel", when=when), Verb.BOOK_CANCEL, booking_id)]
    if due:
        row.append(button(t(lang, "book.no_show", when=when), Verb.BOOK_NO_SHOW, booking_id))
    return row


async def _offer_to_create(message: Message, context: Context, ref: str,
                           draft: BookingDraft) -> None:
    lang = context.lang
    name = await name_for_new_guest(message, context, ref)
    if name is None:
        return
    draft_id = await keep_draft(context, draft.model_copy(update={"name": name}))
    markup = InlineKeyboardMarkup([[button(t(lang, "book.create", name=name[:40]),
                                           Verb.BOOK_CREATE, draft_id)]])
    await message.reply_text(t(lang, "book.no_guest", name=escape(name)), parse_mode="HTML",
                             reply_markup=markup)


async def keep_draft(context: Context, draft: BookingDraft) -> int:
    return await context.core.bookings.keep_draft(context.member.id,
                                                  draft.model_dump(mode="json"),
                                                  now=context.core.clock())


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("book", book),
]
