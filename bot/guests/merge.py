"""`/merge KEEP OTHER`: one guest entered twice becomes one, after a confirmation; admins
can undo it (`/unmerge`)."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import render
from bot.callbacks import ID, Verb, button, pattern, unpack
from bot.i18n import t
from bot.state import Context
from bot.views import reply
from profiles.access import Action, can
from profiles.errors import GuestNotFound
from profiles.merges import Merge, MergeConflict, MergeGone, SameGuest
from profiles.models import Guest
from profiles.refs import ById, EmptyRef, parse_guest_ref, split_ref_pair

RECENT = 10


async def merge(update: Update, context: Context) -> None:
    message, me = update.effective_message, context.member
    assert message is not None and message.text is not None
    if not can(me.role, Action.MERGE):
        await message.reply_text(t(me.language, "not_allowed"))
        return
    try:
        first, second = split_ref_pair(message.text.partition(" ")[2])
    except EmptyRef:
        await message.reply_text(t(me.language, "merge.usage"))
        return
    kept = await _one_guest(message, context, first)
    gone = await _one_guest(message, context, second) if kept else None
    if kept is None or gone is None:
        return
    if kept.id == gone.id:
        await message.reply_text(t(me.language, "merge.same"))
        return
    names = _names(kept, gone)
    markup = InlineKeyboardMarkup([[
        button(t(me.language, "merge.button", kept_ref=kept.ref), Verb.MERGE, kept.id, gone.id),
        button(t(me.language, "merge.cancel"), Verb.MERGE_CANCEL, gone.id),
    ]])
    await message.reply_text(t(me.language, "merge.confirm", **names), parse_mode="HTML",
                             reply_markup=markup)


async def confirm(update: Update, context: Context) -> None:
    query, core, me = update.callback_query, context.core, context.member
    assert query is not None and query.data is not None
    if not can(me.role, Action.MERGE):
        await query.answer(t(me.language, "not_allowed"), show_alert=True)
        return
    kept_id, gone_id = (int(arg) for arg in unpack(query.data))
    try:
        kept, gone = await core.guests.get(kept_id), await core.guests.get(gone_id)
        merged = await core.merges.merge(kept_id, gone_id, staff_id=me.id, now=core.clock())
    except (GuestNotFound, SameGuest):
        await query.answer(t(me.language, "merge.gone"), show_alert=True)
        return
    except MergeConflict as conflict:
        await query.answer(t(me.language, "merge.conflict", table=conflict), show_alert=True)
        return
    await query.answer()
    undo = [[button(t(me.language, "unmerge.button"), Verb.UNMERGE, merged.id)]]
    await query.edit_message_text(
        t(me.language, "merge.done", moved=sum(merged.moved.values()), folded=merged.folded,
          **_names(kept, gone)),
        parse_mode="HTML",
        reply_markup=InlineKeyboardMarkup(undo) if can(me.role, Action.UNMERGE) else None)


async def cancel(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(t(context.lang, "merge.cancelled"))


async def unmerge(update: Update, context: Context) -> None:
    message, core, me = update.effective_message, context.core, context.member
    assert message is not None
    if not can(me.role, Action.UNMERGE):
        await message.reply_text(t(me.language, "not_allowed"))
        return
    ref = " ".join(context.args or [])
    if not ref:
        await _recent(message, context)
        return
    try:
        parsed = parse_guest_ref(ref)
    except EmptyRef:
        parsed = None
    if not isinstance(parsed, ById):
        await message.reply_text(t(me.language, "unmerge.usage"))
        return
    found = await core.merges.latest(parsed.id)
    if found is None:
        await message.reply_text(t(me.language, "unmerge.none", ref=f"#{parsed.id}"))
        return
    await message.reply_text(await _undo(context, found.id), parse_mode="HTML")


async def undo(update: Update, context: Context) -> None:
    query, me = update.callback_query, context.member
    assert query is not None and query.data is not None
    if not can(me.role, Action.UNMERGE):
        await query.answer(t(me.language, "not_allowed"), show_alert=True)
        return
    await query.answer()
    await reply(query.message, await _undo(context, int(unpack(query.data)[0])))


async def _undo(context: Context, merge_id: int) -> str:
    core, me = context.core, context.member
    try:
        restored = await core.merges.undo(merge_id, staff_id=me.id, now=core.clock())
    except MergeGone:
        return t(me.language, "unmerge.gone")
    return t(me.language, "unmerge.done", name=escape(render.full_name(restored)),
             ref=restored.ref)


async def _recent(message: Message, context: Context) -> None:
    lang = context.lang
    merges = await context.core.merges.recent(RECENT)
    if not merges:
        await message.reply_text(t(lang, "unmerge.empty"))
        return
    rows = [[button(_item(found, lang), Verb.UNMERGE, found.id)] for found in merges]
    await message.reply_text(t(lang, "unmerge.list"), parse_mode="HTML",
                             reply_markup=InlineKeyboardMarkup(rows))


def _item(found: Merge, lang: str) -> str:
    return t(lang, "unmerge.item", gone_ref=f"#{found.merged_id}", gone=found.merged_name[:24],
             kept_ref=f"#{found.kept_id}")


async def _one_guest(message: Message, context: Context, ref: str) -> Guest | None:
    """The one guest `ref` names, or None after saying there is none, or several."""
    found = await context.core.search.resolve(ref[:64], branch=context.member.branch)
    if len(found) == 1:
        return found[0]
    key = "merge.none" if not found else "merge.which"
    await message.reply_text(t(context.lang, key, ref=escape(ref[:64])), parse_mode="HTML")
    return None


def _names(kept: Guest, gone: Guest) -> dict[str, str]:
    return {"kept": escape(render.full_name(kept)), "kept_ref": kept.ref,
            "gone": escape(render.full_name(gone)), "gone_ref": gone.ref}


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("merge", merge),
    CommandHandler("unmerge", unmerge),
    CallbackQueryHandler(confirm, pattern=pattern(Verb.MERGE, ID, ID)),
    CallbackQueryHandler(cancel, pattern=pattern(Verb.MERGE_CANCEL)),
    CallbackQueryHandler(undo, pattern=pattern(Verb.UNMERGE)),
]
