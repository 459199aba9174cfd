"""The buttons of bookings: which guest, create and book, which time, cancel, no-show."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import render
from bot.bookings.handlers import confirm, list_bookings_of, make, proceed
from bot.briefs.messages import moment_label
from bot.briefs.reminders import branch_day_of
from bot.callbacks import ID, Verb, pattern, unpack
from bot.i18n import t
from bot.state import Context
from bot.views import reply, settle_press
from playbooks.bookings.parse import BookingDraft
from profiles.bookings import BookingClosed, BookingNotDue, BookingNotFound, DraftGone
from profiles.errors import GuestNotFound
from profiles.names import InvalidName
from profiles.phones import InvalidPhone


async def choose_guest(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    draft_id, guest_id = (int(arg) for arg in unpack(query.data))
    draft = await _draft(update, context, draft_id)
    if draft is None:
        return
    draft = draft.model_copy(update={"guest_id": guest_id})
    if len(draft.candidates) > 1:  # kept for the time still to choose; else booked at once
        await context.core.bookings.update_draft(draft_id, draft.model_dump(mode="json"),
                                                 staff_id=context.member.id)
    await settle_press(query)
    await proceed(query.message, context, draft, draft_id)


async def create_and_book(update: Update, context: Context) -> None:
    """Book a guest nobody matched: the guest is created in the booking's own transaction
    (or, while a time is still to choose, in the one that keeps them on the draft)."""
    query, core, me = update.callback_query, context.core, context.member
    assert query is not None and query.data is not None
    draft_id = int(unpack(query.data)[0])
    draft = await _draft(update, context, draft_id)
    if draft is None:
        return
    if draft.guest_id is not None:  # a second press finds the guest the first one created
        await settle_press(query)
        await proceed(query.message, context, draft, draft_id)
        return
    try:
        guest = core.guests.new_guest(draft.name or "", draft.phone,
                                      region=core.settings.phone_region(me.branch))
    except (InvalidName, InvalidPhone):
        await settle_press(query)
        await reply(query.message, t(me.language, "new.bad_phone" if draft.phone else
                                     "new.bad_name", phone=escape(draft.phone or "")))
        return
    if len(draft.candidates) == 1:
        try:
            made = await core.booking.book_new_guest(draft, draft.candidates[0], guest,
                                                     draft_id=draft_id, staff_id=me.id,
                                                     now=core.clock())
        except DraftGone:
            await query.answer(t(me.language, "book.draft_gone"), show_alert=True)
            return
        await settle_press(query)
        await confirm(query.message, context, made)
        return
    try:
        guest_id = await core.booking.guest_for_draft(draft_id, guest, staff_id=me.id,
                                                      now=core.clock())
    except DraftGone:
        await query.answer(t(me.language, "book.draft_gone"), show_alert=True)
        return
    await settle_press(query)
    await proceed(query.message, context, draft.model_copy(update={"guest_id": guest_id}),
                  draft_id)


async def choose_time(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    draft_id, index = (int(arg) for arg in unpack(query.data))
    draft = await _draft(update, context, draft_id)
    if draft is None:
        return
    if not 0 <= index < len(draft.candidates):
        await query.answer(t(context.lang, "book.draft_gone"), show_alert=True)
        return
    await query.answer()
    await make(query.message, context, draft, draft.candidates[index], draft_id)


async def list_bookings(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    await list_bookings_of(query.message, context, int(unpack(query.data)[-1]))


async def cancel(update: Update, context: Context) -> None:
    await _close(update, context, no_show=False)


async def no_show(update: Update, context: Context) -> None:
    await _close(update, context, no_show=True)


async def _close(update: Update, context: Context, *, no_show: bool) -> None:
    query, core, lang = update.callback_query, context.core, context.lang
    assert query is not None and query.data is not None
    booking_id = int(unpack(query.data)[0])
    try:
        if no_show:
            booking = await core.bookings.no_show(booking_id, now=core.clock(),
                                                  by=context.member)
        else:
            booking = await core.bookings.cancel(booking_id, now=core.clock(), by=context.member)
        guest = await core.guests.get(booking.guest_id)
    except (BookingClosed, BookingNotDue, BookingNotFound, GuestNotFound) as error:
        key = {BookingClosed: "book.closed", BookingNotDue: "book.not_due"}.get(
            type(error), "book.gone")
        await query.answer(t(lang, key), show_alert=True)
        return
    await query.answer()
    zone = branch_day_of(core.settings, booking.branch).zone
    await reply(query.message, t(lang, "book.no_showed" if no_show else "book.cancelled",
                                  name=escape(render.full_name(guest)),
                                  when=moment_label(booking.at, zone, lang)))


async def _draft(update: Update, context: Context, draft_id: int) -> BookingDraft | None:
    """The draft a button names, or None after telling the presser it was already used."""
    query = update.callback_query
    assert query is not None
    try:
        stored = await context.core.bookings.draft(draft_id, staff_id=context.member.id)
    except DraftGone:
        await query.answer(t(context.lang, "book.draft_gone"), show_alert=True)
        return None
    return BookingDraft.model_validate(stored)


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CallbackQueryHandler(choose_guest, pattern=pattern(Verb.BOOK_GUEST, ID, ID)),
    CallbackQueryHandler(create_and_book, pattern=pattern(Verb.BOOK_CREATE)),
    CallbackQueryHandler(choose_time, pattern=pattern(Verb.BOOK_TIME, ID, r"\d{1,2}")),
    CallbackQueryHandler(list_bookings, pattern=pattern(Verb.BOOK_LIST)),
    CallbackQueryHandler(cancel, pattern=pattern(Verb.BOOK_CANCEL)),
    CallbackQueryHandler(no_show, pattern=pattern(Verb.BOOK_NO_SHOW)),
]
