"""Birthdays and anniversaries: `/occasion 王先生: 生日 5月12日`, stored as occasion traits."""

from __future__ import annotations

from datetime import date
from html import escape

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import render
from bot.briefs.messages import day_label, days_label, occasion_what
from bot.briefs.reminders import branch_day_of
from bot.callbacks import ID, Verb, button, pattern
from bot.i18n import t
from bot.state import Context
from bot.views import chosen, reply, send_choices
from playbooks.briefs.occasions import (
    impossible_day,
    is_dated,
    next_due,
    read_occasions,
    unreadable_date,
)
from profiles.errors import GuestNotFound, PendingNoteGone
from profiles.models import Category, NoteLogged, Trait, TraitDraft
from profiles.names import InvalidName, clean_name
from profiles.pending import Command
from profiles.refs import ByName, EmptyRef, MissingNoteText, parse_guest_ref, split_note_command

REF_LIMIT = 64
BIRTHDAY = "birthday"
TEXT_LIMIT = 400


async def occasion(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    lang = context.lang
    try:
        ref, text = split_note_command(message.text.partition(" ")[2][:TEXT_LIMIT])
    except (EmptyRef, MissingNoteText):
        await message.reply_text(t(lang, "occasion.usage"))
        return
    drafts = read_occasions(text, context.core.vocabulary,
                            region=context.core.settings.phone_region(context.member.branch))
    if drafts and all(map(is_dated, drafts)):
        await _for_guest(message, context, ref, drafts)
    # what was typed is read as the branch reads dates; only what it could not read is told
    elif no_such := impossible_day(text):
        month, day = no_such
        await message.reply_text(t(lang, "occasion.no_such_day", day=day,
                                   month=t(lang, f"month.{month}")))
    elif unread := unreadable_date(text):
        await message.reply_text(t(lang, "occasion.bad_date", date=unread))
    elif not drafts:
        await message.reply_text(t(lang, "occasion.usage"))
    else:
        await message.reply_text(t(lang, "occasion.no_date", ref=escape(ref[:REF_LIMIT])))


async def _for_guest(message: Message, context: Context, ref: str,
                     drafts: list[TraitDraft]) -> None:
    core, me = context.core, context.member
    guest, found = await core.search.resolve_to_write(ref[:REF_LIMIT], branch=me.branch)
    if guest is not None:
        if not await _asked_to_replace(message, context, guest.id, drafts):
            await _log(message, context, guest.id, drafts)
        return
    # several or none: the note flow's buttons take it from here (choose, or create)
    text = "，".join(draft.text for draft in drafts)
    if found:
        pending = await core.pending.keep(staff_id=me.id, name=ref[:REF_LIMIT], text=text,
                                          now=core.clock())
        await send_choices(message, context, found, query=ref, verb=Verb.APPLY,
                           extra=(pending.id,))
        return
    if not isinstance(parse_guest_ref(ref), ByName):
        await message.reply_text(t(context.lang, "search.none", query=escape(ref[:REF_LIMIT])),
                                 parse_mode="HTML")
        return
    await _offer_to_create(message, context, ref, text)


def _birthdays(traits: list[Trait]) -> list[Trait]:
    return [trait for trait in traits if trait.category is Category.OCCASION
            and trait.attrs.get("kind") == BIRTHDAY]


def _day(trait: Trait | TraitDraft) -> tuple[object, object]:
    return trait.attrs.get("month"), trait.attrs.get("day")


async def _asked_to_replace(message: Message, context: Context, guest_id: int,
                            drafts: list[TraitDraft]) -> bool:
    """A guest has one birthday: another one asks whether it replaces the one stored."""
    core, lang = context.core, context.lang
    new = [draft for draft in drafts if draft.attrs.get("kind") == BIRTHDAY]
    card = await core.guests.card(guest_id, viewer=context.member)
    old = [trait for trait in _birthdays(card.traits) if new and _day(trait) != _day(new[0])]
    if not new or not old:
        return False
    kept = await core.pending.keep(staff_id=context.member.id, name=f"#{guest_id}",
                                   text="，".join(draft.text for draft in drafts),
                                   now=core.clock(), command=Command.OCCASION)
    markup = InlineKeyboardMarkup([[
        button(t(lang, "occasion.replace_button"), Verb.BIRTHDAY_REPLACE, kept.id, guest_id),
        button(t(lang, "occasion.keep_button"), Verb.BIRTHDAY_KEEP, kept.id, guest_id)]])
    await message.reply_text(t(lang, "occasion.replace", name=escape(render.full_name(card.guest)),
                               old=escape(old[0].text), new=escape(new[0].text)),
                             parse_mode="HTML", reply_markup=markup)
    return True


async def replace_birthday(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    choice = await chosen(query, context, Command.OCCASION)
    if choice is None or not isinstance(query.message, Message):
        return
    pending, guest_id = choice
    card = await context.core.guests.card(guest_id, viewer=context.member)
    drafts = read_occasions(pending.text, context.core.vocabulary,
                            region=context.core.settings.phone_region(context.member.branch))
    await _log(query.message, context, guest_id, drafts,
               replacing=[trait.id for trait in _birthdays(card.traits)], spending=pending.id)


async def keep_birthday(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    if await chosen(query, context, Command.OCCASION) is not None:
        await reply(query.message, t(context.lang, "occasion.kept"))


async def _offer_to_create(message: Message, context: Context, ref: str, text: str) -> None:
    try:
        name = clean_name(ref)
    except InvalidName:
        await message.reply_text(t(context.lang, "new.bad_name"))
        return
    core, lang = context.core, context.lang
    pending = await core.pending.keep(staff_id=context.member.id, name=name, text=text,
                                      now=core.clock())
    markup = InlineKeyboardMarkup([[button(t(lang, "button.create", name=name[:40]), Verb.CREATE,
                                           pending.id)]])
    await message.reply_text(t(lang, "note.no_guest", name=escape(name)), parse_mode="HTML",
                             reply_markup=markup)


async def _log(message: Message, context: Context, guest_id: int,
               drafts: list[TraitDraft], *, replacing: list[int] | None = None,
               spending: int | None = None) -> None:
    core, me = context.core, context.member
    try:
        logged = await core.traits.log(guest_id, drafts, staff_id=me.id, branch=me.branch,
                                       now=core.clock(), replacing=replacing or [],
                                       spending=spending)
        guest = await core.guests.get(guest_id)
    except GuestNotFound:
        await message.reply_text(t(context.lang, "guest.gone"))
        return
    except PendingNoteGone:
        await message.reply_text(t(context.lang, "pending.gone"))
        return
    today = branch_day_of(core.settings, me.branch).today(core.clock())
    lines = [_saved_line(trait, context.lang, escape(render.full_name(guest)), guest.ref, today)
             for trait in _traits(logged)]
    markup = InlineKeyboardMarkup([[button(t(context.lang, "button.undo"), Verb.UNDO,
                                           logged.batch_id),
                                    button(t(context.lang, "button.card"), Verb.OPEN, guest.id)]])
    await message.reply_text("\n".join(lines), parse_mode="HTML", reply_markup=markup)


def _traits(logged: NoteLogged) -> list[Trait]:
    return [*logged.added, *logged.confirmed]


def _saved_line(trait: Trait, lang: str, name: str, ref: str, today: date) -> str:
    due = next_due(trait, today)
    if due is None:  # never: only dated occasions are logged here
        return t(lang, "occasion.usage")
    return t(lang, "occasion.saved", name=name, ref=ref, what=occasion_what(due, lang),
             when=day_label(due.on, lang), days=days_label(due.on, today, lang))


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("occasion", occasion),
    CallbackQueryHandler(replace_birthday, pattern=pattern(Verb.BIRTHDAY_REPLACE, ID, ID)),
    CallbackQueryHandler(keep_birthday, pattern=pattern(Verb.BIRTHDAY_KEEP, ID, ID)),
]
