"""The guest is here (/arrive) or has left (/leave): the visit, the card, the playbooks."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.arrivals.messages import arrival_text
from bot.callbacks import ID, Verb, pattern, unpack
from bot.checklists.messages import guest_line
from bot.i18n import t
from bot.state import Context
from bot.views import (
    chosen,
    one_guest,
    reply,
    send_card,
    send_choices,
    settle_press,
    show_matches,
)
from playbooks.arrivals import MAX_NUMBER, parse_arrival
from profiles.errors import GuestNotFound, PendingNoteGone
from profiles.pending import Command
from profiles.refs import EmptyRef

QUERY_LIMIT = 64
NO_PLACE = "-"
# the guest's number among several, with where they sit: "av:t12:5", "av:r1203:5", "av:-:5"
ARRIVE_PATTERN = rf"^{Verb.ARRIVE}:([tr][0-9A-Z]{{1,{MAX_NUMBER}}}|-):\d{{1,18}}$"


async def arrive(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    try:
        arrival = parse_arrival(" ".join(context.args or [])[: QUERY_LIMIT * 2])
    except EmptyRef:
        await message.reply_text(t(context.lang, "arrive.usage"))
        return
    guest, found = await context.core.search.resolve_to_write(arrival.ref[:QUERY_LIMIT],
                                                              branch=context.member.branch)
    if guest is not None:
        await record_arrival(message, context, guest.id, table=arrival.table, room=arrival.room)
    elif found:
        place = f"t{arrival.table}" if arrival.table else f"r{arrival.room}" if arrival.room \
            else NO_PLACE
        await send_choices(message, context, found, query=arrival.ref, verb=Verb.ARRIVE,
                           extra=(place,))
    else:
        await show_matches(message, context, found, arrival.ref)


async def arrive_chosen(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    place, guest_id = unpack(query.data)
    await settle_press(query)
    if not isinstance(query.message, Message):
        return  # too old to reply under
    table = place[1:] if place.startswith("t") else None
    room = place[1:] if place.startswith("r") else None
    await record_arrival(query.message, context, int(guest_id), table=table, room=room)


async def record_arrival(
    message: Message, context: Context, guest_id: int, *, table: str | None, room: str | None
) -> None:
    """One core call records the visit and starts what it starts; then the card for the
    person at the door, and whom the arrival reached."""
    core, me = context.core, context.member
    try:
        arrived = await core.arrivals.arrive(guest_id, branch=me.branch, staff_id=me.id,
                                             now=core.clock(), table=table, room=room)
    except GuestNotFound:
        await message.reply_text(t(me.language, "guest.gone"))
        return
    await send_card(message, context, guest_id)
    if arrived.repeated:  # else the receipt is in the outbox, delivered after this update
        await message.reply_text(arrival_text(arrived, core, me.language), parse_mode="HTML")


async def leave(update: Update, context: Context) -> None:
    message, me = update.effective_message, context.member
    assert message is not None
    ref = " ".join(context.args or [])
    if not ref.strip():
        await message.reply_text(t(me.language, "leave.usage"))
        return
    guest = await one_guest(message, context, ref, finish=Verb.LEAVE_FOR,
                            command=Command.LEAVE)
    if guest is not None:
        await _record_departure(message, context, guest.id)


async def leave_chosen(update: Update, context: Context) -> None:
    """/leave for the guest chosen among those the reference may mean."""
    query = update.callback_query
    assert query is not None
    choice = await chosen(query, context, Command.LEAVE)
    if choice is not None:
        pending, guest_id = choice
        await _record_departure(query.message, context, guest_id, spending=pending.id)


async def _record_departure(message: object, context: Context, guest_id: int, *,
                            spending: int | None = None) -> None:
    core, me = context.core, context.member
    try:
        left = await core.arrivals.leave(guest_id, branch=me.branch, staff_id=me.id,
                                         now=core.clock(), spending=spending)
    except GuestNotFound:
        await reply(message, t(me.language, "guest.gone"))
        return
    except PendingNoteGone:
        await reply(message, t(me.language, "pending.gone"))
        return
    key = "leave.done" if left.visit else "leave.not_here"
    place = left.visit.place if left.visit else None
    await reply(message, t(me.language, key, guest=guest_line(left.guest, place, me.language)))


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("arrive", arrive),
    CommandHandler("leave", leave),
    CallbackQueryHandler(arrive_chosen, pattern=ARRIVE_PATTERN),
    CallbackQueryHandler(leave_chosen, pattern=pattern(Verb.LEAVE_FOR, ID, ID)),
]
