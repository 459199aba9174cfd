"""Relaying a guest's request to the right desk, and the requests waiting on me."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import render
from bot.callbacks import ID, Verb, button, pattern, unpack
from bot.i18n import t
from bot.requests import texts
from bot.state import Context
from playbooks.requests.models import (
    MAX_TEXT,
    GuestKnown,
    NotYours,
    OtherBranch,
    Place,
    Relayed,
    RequestNotFound,
)
from profiles.errors import GuestNotFound
from profiles.models import Guest
from profiles.refs import (
    ByRoom,
    ByTable,
    EmptyRef,
    MissingNoteText,
    parse_guest_ref,
    split_note_command,
)

REF_LIMIT = 64
MAX_CHOICES = 8


async def request(update: Update, context: Context) -> None:
    message, core, me = update.effective_message, context.core, context.member
    assert message is not None and message.text is not None
    try:
        ref, text = split_note_command(message.text.partition(" ")[2])
    except (EmptyRef, MissingNoteText):
        await message.reply_text(t(me.language, "request.usage"))
        return
    if len(text) > MAX_TEXT:
        await message.reply_text(t(me.language, "request.too_long", length=len(text),
                                   limit=MAX_TEXT))
        return
    ref = ref[:REF_LIMIT]
    place = _place(ref)
    found = await core.search.resolve(ref, branch=me.branch)
    if not found and place is None:
        await message.reply_text(t(me.language, "request.no_guest", ref=escape(ref)),
                                 parse_mode="HTML")
        return
    # a room or table nobody checked in through the bot: relayed for the place alone
    relayed = await core.requests.relay(
        branch=me.branch, staff_id=me.id, ref_text=ref, text=text, now=core.clock(),
        guest_id=found[0].id if len(found) == 1 else None,
        place=place.stored if place else None, draft=len(found) > 1, receipt=True)
    if len(found) > 1:
        await _choose(message, context, found, relayed.request.id, ref)
    # else the receipt is in the outbox, delivered after this update and redrawn as it moves


async def choose_guest(update: Update, context: Context) -> None:
    query, core, me = update.callback_query, context.core, context.member
    assert query is not None and query.data is not None
    draft_id, guest_id = (int(arg) for arg in unpack(query.data))
    try:
        relayed = await core.requests.send_draft(draft_id, guest_id, staff=me, now=core.clock())
    except (RequestNotFound, GuestNotFound):
        await query.answer(t(me.language, "request.draft_gone"), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(
        texts.sent(relayed, lang=me.language, routing=core.requests.routing,
                   ref=relayed.request.ref_text),
        parse_mode="HTML", reply_markup=_change(relayed, context))


async def attach(update: Update, context: Context) -> None:
    """/attach R12 NAME: the guest of a request relayed for a room or table alone."""
    message, core, me = update.effective_message, context.core, context.member
    assert message is not None
    args = context.args or []
    number = args[0].upper().removeprefix("R") if args else ""
    if len(args) < 2 or not number.isdigit() or len(number) > 12:
        await message.reply_text(t(me.language, "request.attach_usage"))
        return
    ref = " ".join(args[1:])[:REF_LIMIT]
    guest, found = await core.search.resolve_to_write(ref, branch=me.branch)
    if guest is None:
        key = "request.attach_which" if found else "request.no_guest"
        await message.reply_text(t(me.language, key, ref=escape(ref)), parse_mode="HTML")
        return
    try:
        attached = await core.requests.attach_guest(int(number), guest.id, staff=me,
                                                    now=core.clock())
    except (RequestNotFound, OtherBranch, NotYours, GuestKnown):
        await message.reply_text(t(me.language, "request.attach_refused", number=f"R{number}"))
        return
    await message.reply_text(t(me.language, "request.attached", number=attached.number,
                               guest=f"<b>{escape(render.full_name(guest))}</b> {guest.ref}"),
                             parse_mode="HTML")


async def open_requests(update: Update, context: Context) -> None:
    """/requests: what I relayed and what my desk must handle, oldest first."""
    message, core, me = update.effective_message, context.core, context.member
    assert message is not None
    mine, desk = await core.requests.listing(me)
    if not mine and not desk:
        await message.reply_text(t(me.language, "requests.none"))
        return
    holders = {s.id: s.name for s in await core.staff.in_branch(None)}
    lines = []
    for title, found in (("requests.title_mine", mine), ("requests.title_desk", desk)):
        if found:
            lines.append(t(me.language, title))
            lines += [texts.listing_line(r, lang=me.language, routing=core.requests.routing,
                                         holder=holders.get(r.accepted_by or 0), now=core.clock())
                      for r in found]
    rows = texts.listing_buttons(desk, me.id, me.language)
    chunks = render.split_message(lines)
    for chunk in chunks[:-1]:
        await message.reply_text(chunk, parse_mode="HTML")
    await message.reply_text(chunks[-1], parse_mode="HTML",
                             reply_markup=InlineKeyboardMarkup(rows) if rows else None)


def _change(relayed: Relayed, context: Context) -> InlineKeyboardMarkup:
    return texts.change_keyboard(relayed.request, lang=context.lang,
                                 routing=context.core.requests.routing)


async def _choose(message: Message, context: Context, guests: list[Guest], draft_id: int,
                  ref: str) -> None:
    """Several guests match: names only (a housekeeper does not read cards to relay)."""
    rows = [[button(f"{render.full_name(guest)} {guest.ref}"[:60], Verb.REQUEST_GUEST, draft_id,
                    guest.id)] for guest in guests[:MAX_CHOICES]]
    await message.reply_text(t(context.lang, "request.choose", ref=escape(ref)),
                             parse_mode="HTML", reply_markup=InlineKeyboardMarkup(rows))


def _place(ref: str) -> Place | None:
    try:
        parsed = parse_guest_ref(ref)
    except EmptyRef:
        return None
    if isinstance(parsed, ByRoom):
        return Place(kind="room", number=parsed.number)
    if isinstance(parsed, ByTable):
        return Place(kind="table", number=parsed.number)
    return None


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("request", request),
    CommandHandler("requests", open_requests),
    CommandHandler("attach", attach),
    CallbackQueryHandler(choose_guest, pattern=pattern(Verb.REQUEST_GUEST, ID, ID)),
]
