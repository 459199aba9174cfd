"""Logging what staff learn about a guest, and taking it back."""

from __future__ import annotations

import contextlib
from html import escape

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import render
from bot.access.gate import not_allowed
from bot.callbacks import ID, WORD, Verb, button, pattern, unpack
from bot.checklists.messages import kitchen_told
from bot.guests.duplicates import offer_duplicates
from bot.guests.handlers import search_and_show
from bot.i18n import t
from bot.service_report.text import refusal_text
from bot.staff.start import short_help
from bot.state import Context
from bot.suggest import meant_command
from bot.views import name_for_new_guest, reply, send_choices, settle_press
from profiles.access import Action, can, leads
from profiles.concepts import parse_with_concepts, with_concepts
from profiles.errors import GuestNotFound, NothingToUndo, PendingNoteGone, TraitNotFound
from profiles.guardrails import NoteRefused
from profiles.guests import NewGuest
from profiles.models import Category, ParsedNote, Trait, TraitDraft
from profiles.names import InvalidName, clean_name
from profiles.parser import read_as
from profiles.pending import Command, PendingNote
from profiles.refs import (
    ByName,
    EmptyRef,
    MissingNoteText,
    longer_note_refs,
    parse_guest_ref,
    split_note_command,
)
from profiles.tags import parse_tag
from profiles.traits import may_retract


async def note(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    args = message.text.partition(" ")[2]
    try:
        ref, text = split_note_command(args)
    except (MissingNoteText, EmptyRef):
        run_together = await _known_name_run_together(context, args)
        if run_together is None:
            await message.reply_text(t(context.lang, "note.usage"))
            return
        ref, text = run_together
    ref, text = await _longest_known_name(context, args) or (ref, text)
    if not text:
        # "/note Sarah Connor": the guest's whole name and nothing to note, not a note "Connor"
        await message.reply_text(t(context.lang, "note.usage"))
        return
    parsed = await _parse_or_explain(message, context, text)
    if parsed is None:
        return
    guest, found = await context.core.search.resolve_to_write(ref,
                                                              branch=context.member.branch)
    if guest is not None:
        await _log(message, context, guest.id, parsed)
    elif found:
        pending = await _keep(context, ref, text)
        # "Anne Lee" when only Anna Lee is known may be someone new: one tap, nothing retyped
        create = button(t(context.lang, "button.create", name=ref[:40]), Verb.CREATE, pending) \
            if _can_name(ref) else None
        await send_choices(message, context, found, query=ref, verb=Verb.APPLY, extra=(pending,),
                           create=create)
    else:
        await _offer_to_create(message, context, ref, text)


# the longest name (with honorific) that may start a note typed with no space after it
RUN_TOGETHER_NAME = 8


async def _known_name_run_together(context: Context, args: str) -> tuple[str, str] | None:
    """`/note 王先生不吃辣`: Chinese typed with no space after the name. The longest start
    that names one guest exactly is the reference; None when none does (then usage)."""
    typed = args.strip()
    if not typed or " " in typed or typed.isascii():
        return None
    for end in range(min(len(typed) - 1, RUN_TOGETHER_NAME), 0, -1):
        guest, _ = await context.core.search.resolve_to_write(typed[:end],
                                                              branch=context.member.branch)
        if guest is not None:
            return typed[:end], typed[end:]
    return None


def _can_name(ref: str) -> bool:
    """Whether a reference could be a new guest's name (not #12, a room, a table, a phone)."""
    if not isinstance(parse_guest_ref(ref), ByName):
        return False
    try:
        clean_name(ref)
    except InvalidName:
        return False
    return True


async def _longest_known_name(context: Context, args: str) -> tuple[str, str] | None:
    """`/note John Smith window seat`: without a colon, the reference is the longest run of
    leading words that names one guest exactly (all of them: no text, nothing to note); None
    when no run longer than a word does (then the first word is the reference, and a guest
    it does not name is asked about)."""
    for ref, text in longer_note_refs(args):
        guest, _ = await context.core.search.resolve_to_write(ref, branch=context.member.branch)
        if guest is not None:
            return ref, text
    return None


# asking for help in words, not the command: "help", "帮助", "/帮助" (no command in Telegram)
HELP_WORDS = frozenset({"help", "帮助", "幫助", "帮忙", "幫忙", "?", "？", "菜单", "菜單", "menu"})


async def plain_text(update: Update, context: Context) -> None:
    """A message without a command: the note asked for by "Add note", or else a search."""
    message = update.effective_message
    assert message is not None and message.text is not None
    guest_id, context.user_state.note_for = context.user_state.note_for, None
    if guest_id is None and message.text.strip().strip("/／").lower() in HELP_WORDS:
        await message.reply_text(short_help(context.member), parse_mode="HTML")
        return
    meant = meant_command(message.text, context.member.role) if guest_id is None else None
    if meant is not None:  # a command without its slash, or with a full-width one
        await message.reply_text(t(context.lang, "did_you_mean", command=escape(meant)),
                                 parse_mode="HTML")
        return
    if guest_id is None:
        await search_and_show(update, context, message.text)
        return
    parsed = await _parse_or_explain(message, context, message.text)
    if parsed is not None:
        await _log(message, context, guest_id, parsed)


async def ask_for_note(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    guest = await context.core.guests.get(int(unpack(query.data)[0]))
    context.user_state.note_for = guest.id
    await query.answer()
    await reply(query.message, t(context.lang, "note.ask", name=escape(render.full_name(guest))))


async def undo(update: Update, context: Context) -> None:
    query, core = update.callback_query, context.core
    assert query is not None and query.data is not None
    try:
        undone = await core.traits.undo(int(unpack(query.data)[0]), staff_id=context.member.id,
                                        now=core.clock(), by=context.member)
    except NothingToUndo:
        await query.answer(t(context.lang, "undo.already"), show_alert=True)
        return
    await query.answer(t(context.lang, "undo.done"))
    await query.edit_message_text(t(context.lang, "undo.done_text", count=len(undone)))


async def create_and_log(update: Update, context: Context) -> None:
    """"Create …" pressed: the guest, the kept note's traits and the note used up, at once."""
    query, core, me = update.callback_query, context.core, context.member
    assert query is not None and query.data is not None
    pending = await _kept(query, context, int(unpack(query.data)[0]))
    if pending is None:
        return
    new = core.guests.new_guest(pending.name, pending.phone,
                                region=core.settings.phone_region(me.branch))
    await settle_press(query)
    await _log(query.message, context, None, read_note(context, pending.text),
               spending=pending.id, new_guest=new, created=query)


async def apply_to_chosen(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    pending_id, guest_id = (int(arg) for arg in unpack(query.data))
    pending = await _kept(query, context, pending_id)
    if pending is None:
        return
    await settle_press(query)
    await _log(query.message, context, guest_id, read_note(context, pending.text),
               spending=pending.id)


async def _kept(query: CallbackQuery, context: Context, pending_id: int) -> PendingNote | None:
    """The kept note, still to be used by this person; a stale press is told so (None). It
    is used up by the write that logs it."""
    try:
        return await context.core.pending.get(pending_id, staff_id=context.member.id,
                                              command=Command.NOTE)
    except PendingNoteGone:
        await query.answer(t(context.lang, "pending.gone"), show_alert=True)
        return None


async def retract_menu(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    card = await context.core.guests.card(int(unpack(query.data)[0]), viewer=context.member)
    await query.answer()
    mine = [trait for trait in card.traits if may_retract(context.member, trait)]
    rows = [[button(render.trait_choice(trait, context.lang), Verb.RETRACT, trait.id)]
            for trait in mine[:40]]
    text = t(context.lang, "retract.choose", name=escape(render.full_name(card.guest)))
    if len(mine) < len(card.traits):  # an allergy a colleague logged
        text += "\n" + t(context.lang, "retract.allergy_for_lead")
    await reply(query.message, text, InlineKeyboardMarkup(rows))


async def retract(update: Update, context: Context) -> None:
    """A trait taken back; an allergy only once asked whether the kitchen should stop
    hearing of it."""
    await _retract(update, context, sure=False)


async def retract_sure(update: Update, context: Context) -> None:
    """"Yes, take it back" under that question."""
    await _retract(update, context, sure=True)


async def _retract(update: Update, context: Context, *, sure: bool) -> None:
    query, core, lang = update.callback_query, context.core, context.lang
    assert query is not None and query.data is not None
    trait_id = int(unpack(query.data)[0])
    with contextlib.suppress(TraitNotFound):  # gone, or not theirs to see: as "already"
        trait = await core.traits.readable(trait_id, by=context.member)
        if not may_retract(context.member, trait):
            await query.answer(t(lang, "retract.allergy_for_lead"), show_alert=True)
            return
        if trait.category is Category.ALLERGY and not sure:
            await settle_press(query)
            markup = InlineKeyboardMarkup([[
                button(t(lang, "button.retract_sure"), Verb.RETRACT_SURE, trait.id)]])
            await reply(query.message, t(lang, "retract.allergy_sure", text=escape(trait.text)),
                        markup)
            return
    try:
        trait = await core.traits.retract(trait_id, staff_id=context.member.id,
                                          now=core.clock(), by=context.member)
    except TraitNotFound:
        await query.answer(t(lang, "retract.already"), show_alert=True)
        return
    await query.answer(t(lang, "retract.done"))
    await reply(query.message, t(lang, "retract.done_text", text=escape(trait.text)))


async def tag_from_hint(update: Update, context: Context) -> None:
    query, core, me = update.callback_query, context.core, context.member
    assert query is not None and query.data is not None
    guest_id, word = unpack(query.data)
    if not can(me.role, Action.TAG):
        await query.answer(not_allowed(me), show_alert=True)
        return
    tier, segment = parse_tag(word)
    tagged = await core.guests.set_tags(int(guest_id), tier=tier, segment=segment,
                                        now=core.clock(), staff_id=me.id)
    await query.answer()
    await reply(query.message, t(me.language, "tag.set", name=escape(render.full_name(tagged)),
                                  tag=render.headline(tagged, me.language)))


def read_note(context: Context, text: str) -> ParsedNote:
    """The note as the writer's branch reads it (30/11 is day first in London, not in LA)."""
    region = context.core.settings.phone_region(context.member.branch)
    return parse_with_concepts(text, context.core.vocabulary, region=region)


async def _parse_or_explain(message: Message, context: Context, text: str) -> ParsedNote | None:
    """The note's traits (or tier hint), or None after telling why there is nothing to save."""
    if not any(char.isalnum() for char in text):  # "." or "👍👍": nothing a colleague can use
        await message.reply_text(t(context.lang, "note.no_words"))
        return None
    parsed = read_note(context, text)
    if refusal := context.core.guardrails.review(parsed.traits):
        await message.reply_text(refusal_text(refusal, context.lang), parse_mode="HTML")
        return None
    if parsed.traits or parsed.tier_hint or parsed.segment_hint:
        return parsed
    key = "note.too_long" if parsed.unparsed else "note.empty"
    await message.reply_text(t(context.lang, key))
    return None


async def _log(
    message: object, context: Context, guest_id: int | None, parsed: ParsedNote, *,
    spending: int | None = None, new_guest: NewGuest | None = None,
    created: CallbackQuery | None = None,
) -> None:
    """One core call: the note's traits (and the kept note used up, the guest it named
    created); then the reply, rendered from what was committed."""
    core, me = context.core, context.member
    if not parsed.traits and new_guest is None and guest_id is not None:
        await _offer_tag(message, context, guest_id, parsed)  # only "金卡" / "VIP"
        return
    try:
        logged = await core.notes.log(guest_id, parsed.traits, staff_id=me.id, branch=me.branch,
                                      now=core.clock(), spending=spending, new_guest=new_guest)
    except GuestNotFound:
        await reply(message, t(me.language, "guest.gone"))
        return
    except NoteRefused as refused:
        await reply(message, refusal_text(refused.refusal, me.language))
        return
    except PendingNoteGone:
        await reply(message, t(me.language, "pending.gone"))
        return
    guest = logged.guest
    if created is not None:
        with contextlib.suppress(BadRequest):  # already edited, before a crash
            await created.edit_message_text(t(me.language, "new.created",
                                              name=escape(render.full_name(guest)),
                                              ref=guest.ref), parse_mode="HTML")
    if logged.note is None:
        await _offer_tag(message, context, guest.id, parsed)
        return
    rows = [[button(t(me.language, "button.undo"), Verb.UNDO, logged.note.batch_id),
             button(t(me.language, "button.card"), Verb.OPEN, guest.id)]]
    if logged.note.added and not any(trait.private for trait in logged.note.added):
        rows[0].append(button(t(me.language, "button.private"), Verb.PRIVATE,
                              logged.note.batch_id))
    rows += _tag_rows(context, guest.id, parsed)
    rows += _refile_rows(logged.note.added, me.language)
    typed = sum(len(trait.text) for trait in parsed.traits) + sum(map(len, parsed.unparsed))
    text = render.note_logged(logged.note, guest, lang=me.language, unparsed=parsed.unparsed,
                              long=typed > LONG_NOTE)
    if logged.alert is not None:
        text += "\n" + kitchen_told(logged.alert, me.language,
                                    core.playbooks.policy(logged.alert.branch).zone)
    await reply(message, text, InlineKeyboardMarkup(rows))


# A note longer than a paragraph is read in parts, which are worth a look before service.
LONG_NOTE = 500

# What one tap re-files a trait as, by what it was filed as: an allergy that is none is most
# often a food the guest dislikes or a diet; words the parser did not place, any category.
_DISLIKE = "dislike"
_REFILE_CHOICES: dict[Category, tuple[str, ...]] = {
    Category.ALLERGY: (_DISLIKE, Category.DIET, Category.NOTE),
    Category.NOTE: (Category.ALLERGY, Category.DIET, Category.SEATING, Category.DRINK,
                    Category.FOOD, Category.SERVICE, Category.ROOM, Category.LOOKS,
                    Category.WORK, Category.FAMILY),
}
_REFILE_ROWS = 3  # the reply to a note stays short: the first three to check


def _refile_rows(added: list[Trait], lang: str) -> list[list[InlineKeyboardButton]]:
    """Under a saved note: "Not an allergy" for each allergy read, "File as…" for each part
    read as a plain note, so a misreading is one tap from right."""
    rows = []
    for trait in [trait for trait in added if trait.category in _REFILE_CHOICES][:_REFILE_ROWS]:
        key = "button.not_allergy" if trait.category is Category.ALLERGY else "button.file_as"
        text = trait.text if len(trait.text) <= 24 else trait.text[:23] + "…"
        rows.append([button(t(lang, key, text=text), Verb.REFILE_MENU, trait.id)])
    return rows


async def refile_menu(update: Update, context: Context) -> None:
    """"Not an allergy" / "File as…" pressed: the categories to choose from."""
    query, core, lang = update.callback_query, context.core, context.lang
    assert query is not None and query.data is not None
    try:
        trait = await core.traits.changeable(int(unpack(query.data)[0]), by=context.member)
    except TraitNotFound:
        trait = None
    if trait is None or trait.category not in _REFILE_CHOICES:
        await query.answer(t(lang, "refile.gone"), show_alert=True)
        return
    await settle_press(query)
    choices = [button(_choice_label(choice, lang), Verb.REFILE, trait.id, str(choice))
               for choice in _REFILE_CHOICES[trait.category]]
    rows = [choices[start:start + 3] for start in range(0, len(choices), 3)]
    await reply(query.message, t(lang, "refile.choose", text=escape(trait.text)),
                InlineKeyboardMarkup(rows))


def _choice_label(choice: str, lang: str) -> str:
    return t(lang, "refile.dislike") if choice == _DISLIKE else t(lang, f"category.{choice}")


async def refile(update: Update, context: Context) -> None:
    """A category chosen: the trait filed again under it, and the choice replaced by what
    is now on the card."""
    query, core, me = update.callback_query, context.core, context.member
    assert query is not None and query.data is not None
    trait_id, choice = unpack(query.data)
    try:
        trait = await core.traits.changeable(int(trait_id), by=me)
    except TraitNotFound:
        trait = None
    if trait is None or choice not in _REFILE_CHOICES.get(trait.category, ()):
        await query.answer(t(me.language, "refile.gone"), show_alert=True)
        return
    try:
        refiled = await core.notes.refile(trait.id, _refiled(context, trait, choice),
                                          staff_id=me.id, now=core.clock(), by=me,
                                          teach=leads(me, trait.branch))
    except TraitNotFound:
        await query.answer(t(me.language, "refile.gone"), show_alert=True)
        return
    except NoteRefused as refused:
        await query.answer()
        await reply(query.message, refusal_text(refused.refusal, me.language))
        return
    await settle_press(query)
    if refiled.learned is not None:
        await core.words.refresh()  # the next note with these words reads them so
    (now,) = refiled.now.added or refiled.now.confirmed
    label = render.category_label(now.category, me.language)
    text = t(me.language, "refile.done", category=label, text=escape(now.text))
    if refiled.learned is not None:
        text += "\n" + t(me.language, "refile.learned", words=escape(refiled.learned),
                         category=label)
    with contextlib.suppress(BadRequest):  # already edited, before a crash
        await query.edit_message_text(text, parse_mode="HTML")


def _refiled(context: Context, trait: Trait, choice: str) -> TraitDraft:
    region = context.core.settings.phone_region(context.member.branch)
    item = trait.attrs.get("item")
    category = Category.FOOD if choice == _DISLIKE else Category(choice)
    draft = read_as(trait.text, category, context.core.vocabulary, region=region,
                    item=str(item) if item else None)
    (draft,) = with_concepts([draft], context.core.vocabulary)
    if choice == _DISLIKE:
        return draft.model_copy(update={"attrs": {**draft.attrs, "polarity": "dislike"}})
    return draft


def _tag_rows(
    context: Context, guest_id: int, parsed: ParsedNote
) -> list[list[InlineKeyboardButton]]:
    hints = [hint for hint in (parsed.tier_hint, parsed.segment_hint) if hint]
    if not can(context.member.role, Action.TAG):
        return []
    return [[button(t(context.lang, "button.tag", tag=render.tag_label(hint, context.lang)),
                    Verb.TAG, guest_id, hint)] for hint in hints]


async def _offer_tag(message: object, context: Context, guest_id: int, parsed: ParsedNote) -> None:
    rows = _tag_rows(context, guest_id, parsed)
    key = "note.tag_offer" if rows else "note.tag_for_lead"
    await reply(message, t(context.lang, key), InlineKeyboardMarkup(rows) if rows else None)


async def _keep(context: Context, ref: str, text: str) -> int:
    pending = await context.core.pending.keep(staff_id=context.member.id, name=ref[:64],
                                              text=text, now=context.core.clock())
    return pending.id


async def _offer_to_create(message: Message, context: Context, ref: str, text: str) -> None:
    """No such guest: offer to create one, if the reference can be a name at all."""
    lang = context.lang
    name = await name_for_new_guest(message, context, ref)
    if name is None:
        return
    region = context.core.settings.phone_region(context.member.branch)
    if await offer_duplicates(message, context, name, None, region=region, note=text):
        return  # someone of that name (or pinyin) is here already: ask first
    pending = await _keep(context, name, text)
    markup = InlineKeyboardMarkup([[button(t(lang, "button.create", name=name[:40]), Verb.CREATE,
                                           pending)]])
    await message.reply_text(t(lang, "note.no_guest", name=escape(name)), parse_mode="HTML",
                             reply_markup=markup)


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("note", note),
    CallbackQueryHandler(undo, pattern=pattern(Verb.UNDO)),
    CallbackQueryHandler(create_and_log, pattern=pattern(Verb.CREATE)),
    CallbackQueryHandler(apply_to_chosen, pattern=pattern(Verb.APPLY, ID, ID)),
    CallbackQueryHandler(ask_for_note, pattern=pattern(Verb.ADD_NOTE)),
    CallbackQueryHandler(retract_menu, pattern=pattern(Verb.RETRACT_MENU)),
    CallbackQueryHandler(retract, pattern=pattern(Verb.RETRACT)),
    CallbackQueryHandler(retract_sure, pattern=pattern(Verb.RETRACT_SURE)),
    CallbackQueryHandler(refile_menu, pattern=pattern(Verb.REFILE_MENU)),
    CallbackQueryHandler(refile, pattern=pattern(Verb.REFILE, ID, WORD)),
    CallbackQueryHandler(tag_from_hint, pattern=pattern(Verb.TAG, ID, WORD)),
    # last: any other text is a quick search
    MessageHandler(filters.TEXT & ~filters.COMMAND, plain_text),
]
