"""Guest data rights: `/forget`, `/export`, `/consent`, `/audit`, and private notes."""

from __future__ import annotations

import contextlib
from html import escape

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import render
from bot.access.gate import not_allowed
from bot.callbacks import ID, Verb, button, pattern, unpack
from bot.i18n import t
from bot.service_report.handlers import refuse
from bot.service_report.text import audit_lines
from bot.state import Context
from bot.views import chosen, one_guest, reply, settle_press
from profiles.access import Action, can
from profiles.errors import GuestNotFound, NothingToUndo, PendingNoteGone
from profiles.export import as_json
from profiles.models import Guest
from profiles.pending import Command
from profiles.refs import ById, EmptyRef, parse_guest_ref

REF_LIMIT = 64
AUDIT_LINES = 15
CONSENT_WORDS = {"yes": True, "y": True, "是": True, "同意": True,
                 "no": False, "n": False, "否": False, "撤回": False, "不同意": False}


async def forget(update: Update, context: Context) -> None:
    """Ask to confirm: erasing cannot be undone."""
    message, me = update.effective_message, context.member
    assert message is not None
    guest = await _allowed_guest(message, context, Action.FORGET, "forget")
    if guest is None:
        return
    requests = (await context.core.requests.open_for_guests([guest.id])).get(guest.id, [])
    text = t(me.language, "forget.confirm", name=escape(render.full_name(guest)), ref=guest.ref)
    if requests:
        text += "\n" + t(me.language, "forget.open_requests", count=len(requests))
    markup = InlineKeyboardMarkup([[button(t(me.language, "button.forget", ref=guest.ref),
                                           Verb.FORGET, guest.id),
                                    button(t(me.language, "button.keep_guest"),
                                           Verb.FORGET_NOT, guest.id)]])
    await message.reply_text(text, parse_mode="HTML", reply_markup=markup)


async def confirm_forget(update: Update, context: Context) -> None:
    query, core, me = update.callback_query, context.core, context.member
    assert query is not None and query.data is not None
    if not can(me.role, Action.FORGET):
        await refuse(context, "forget")
        await query.answer(not_allowed(me), show_alert=True)
        return
    guest_id = int(unpack(query.data)[0])
    try:
        erased = await core.erasure.forget(guest_id, staff_id=me.id, now=core.clock())
    except GuestNotFound:
        await query.answer(t(me.language, "forget.already"), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(t(me.language, "forget.done", ref=f"#{erased.guest_id}",
                                    tables=len(erased.rows)), parse_mode="HTML")


async def keep_guest(update: Update, context: Context) -> None:
    """Not erased after all: the question is answered, its button gone."""
    query = update.callback_query
    assert query is not None
    await settle_press(query)
    with contextlib.suppress(BadRequest):  # pressed twice: already answered
        await query.edit_message_text(t(context.lang, "forget.kept"))


async def export(update: Update, context: Context) -> None:
    message, core, me = update.effective_message, context.core, context.member
    assert message is not None
    guest = await _allowed_guest(message, context, Action.EXPORT, "export")
    if guest is None:
        return
    try:
        document = await core.export.guest(guest.id, staff_id=me.id, now=core.clock())
    except GuestNotFound:
        await message.reply_text(t(me.language, "guest.gone"))
        return
    await message.reply_document(as_json(document), filename=f"guest-{guest.id}.json",
                                 caption=t(me.language, "export.caption", ref=guest.ref))


async def consent(update: Update, context: Context) -> None:
    message, me = update.effective_message, context.member
    assert message is not None
    args = context.args or []
    given = CONSENT_WORDS.get(args[-1].lower()) if args else None
    if not can(me.role, Action.CONSENT):
        await refuse(context, "consent")
        await message.reply_text(not_allowed(me))
        return
    if given is None or len(args) < 2:
        await message.reply_text(t(me.language, "consent.usage"))
        return
    guest = await one_guest(message, context, " ".join(args[:-1]), finish=Verb.CONSENT_FOR,
                            command=Command.CONSENT, rest=args[-1].lower())
    if guest is not None:
        await _set_consent(message, context, guest.id, given)


async def consent_chosen(update: Update, context: Context) -> None:
    """/consent for the guest chosen among those the reference may mean."""
    query = update.callback_query
    assert query is not None
    if not can(context.member.role, Action.CONSENT):
        await refuse(context, "consent")
        await query.answer(t(context.lang, "not_allowed"), show_alert=True)
        return
    choice = await chosen(query, context, Command.CONSENT)
    if choice is not None:
        pending, guest_id = choice
        await _set_consent(query.message, context, guest_id,
                           CONSENT_WORDS.get(pending.text) is True, spending=pending.id)


async def _set_consent(message: object, context: Context, guest_id: int, given: bool, *,
                       spending: int | None = None) -> None:
    core, me = context.core, context.member
    try:
        await core.erasure.set_consent(guest_id, given, staff_id=me.id, now=core.clock(),
                                       spending=spending)
        guest = await core.guests.get(guest_id)
    except GuestNotFound:
        await reply(message, t(me.language, "guest.gone"))
        return
    except PendingNoteGone:
        await reply(message, t(me.language, "pending.gone"))
        return
    key = "consent.given" if given else "consent.withdrawn"
    await reply(message, t(me.language, key, name=escape(render.full_name(guest)),
                            ref=guest.ref))


async def audit(update: Update, context: Context) -> None:
    """A guest's last views and changes (an erased guest's id shows its erasure)."""
    message, core, me = update.effective_message, context.core, context.member
    assert message is not None
    ref = " ".join(context.args or [])
    if not can(me.role, Action.AUDIT):
        await refuse(context, "audit")
        await message.reply_text(not_allowed(me))
        return
    guest_id = await _guest_id(context, ref)
    if guest_id is None:
        await message.reply_text(t(me.language, "audit.usage"))
        return
    entries = await core.audit.for_guest(guest_id, limit=AUDIT_LINES)
    lines = [t(me.language, "audit.title", ref=f"#{guest_id}")]
    branch = core.settings.branch(me.branch)
    zone = branch.zone if branch else None
    lines += audit_lines(entries, lang=me.language, now=core.clock(),
                         **({"zone": zone} if zone else {})) or [
        t(me.language, "audit.none")]
    await message.reply_text("\n".join(render.split_message(lines)[:1]), parse_mode="HTML")


async def make_private(update: Update, context: Context) -> None:
    query, core, me = update.callback_query, context.core, context.member
    assert query is not None and query.data is not None
    try:
        changed = await core.traits.make_private(int(unpack(query.data)[0]), staff_id=me.id,
                                                 now=core.clock(), by=me)
    except NothingToUndo:
        await query.answer(t(me.language, "private.gone"), show_alert=True)
        return
    await query.answer(t(me.language, "private.done", count=len(changed)), show_alert=True)


async def _allowed_guest(message: Message, context: Context, action: Action,
                         command: str) -> Guest | None:
    """The one guest the command names, after the role check (a refusal is audited)."""
    me, ref = context.member, " ".join(context.args or [])
    if not can(me.role, action):
        await refuse(context, command)
        await message.reply_text(not_allowed(me))
        return None
    if not ref.strip():
        await message.reply_text(t(me.language, f"{command}.usage"))
        return None
    return await one_guest(message, context, ref)


async def _guest_id(context: Context, ref: str) -> int | None:
    """`#ID` as typed (an erased guest's too), or the one guest a reference resolves to."""
    try:
        parsed = parse_guest_ref(ref[:REF_LIMIT])
    except EmptyRef:
        return None
    if isinstance(parsed, ById):
        return parsed.id
    found = await context.core.search.resolve(ref[:REF_LIMIT], branch=context.member.branch)
    return found[0].id if len(found) == 1 else None


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("forget", forget),
    CommandHandler("export", export),
    CommandHandler("consent", consent),
    CallbackQueryHandler(consent_chosen, pattern=pattern(Verb.CONSENT_FOR, ID, ID)),
    CommandHandler("audit", audit),
    CallbackQueryHandler(confirm_forget, pattern=pattern(Verb.FORGET)),
    CallbackQueryHandler(keep_guest, pattern=pattern(Verb.FORGET_NOT)),
    CallbackQueryHandler(make_private, pattern=pattern(Verb.PRIVATE)),
]
