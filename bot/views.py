"""Replies several handlers share: a guest's card, a choice between guests."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from html import escape

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest
from telegram.ext import filters

from bot import render
from bot.callbacks import Verb, button, unpack
from bot.i18n import t
from bot.requests.texts import summary_line
from bot.state import Context
from bot.status.text import status_line, usual_line
from playbooks.card_view import CardView
from profiles.errors import PendingNoteGone
from profiles.models import Guest
from profiles.names import InvalidName, clean_name
from profiles.pending import Command, PendingNote
from profiles.refs import ByName, parse_guest_ref
from profiles.visibility import visible_guest

MAX_CHOICES = 8
REF_LIMIT = 64


async def reply(target: object, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Answer under `target` in HTML; a button's message too old for Telegram to show (no
    longer a `Message`) has nothing to reply under."""
    if isinstance(target, Message):
        await target.reply_text(text, parse_mode="HTML", reply_markup=markup)


async def settle_press(query: CallbackQuery) -> None:
    """Stop the button's spinner; a press Telegram delivers again after a crash is too old to
    answer, and must still do what it does."""
    with contextlib.suppress(BadRequest):
        await query.answer()


def branch_labels(context: Context) -> Mapping[str, str]:
    return context.core.settings.branch_labels(context.lang)


async def send_card(message: Message, context: Context, guest_id: int, *,
                    whole: bool = False) -> None:
    """The card, the traits that matter first unless `whole` ("More" shows the rest); the
    buttons ride on its last message."""
    core, now = context.core, context.core.clock()
    view = await core.cards.open(guest_id, viewer=context.member, now=now)
    card = view.card
    requests = [summary_line(summary, lang=context.lang, routing=core.requests.routing)
                for summary in view.open_requests]
    if view.spend is not None and view.spend.checks:
        requests.append(render.spend_line(view.spend, context.lang))
    shown = card.traits if whole else render.shown_traits(card.traits, now)
    chunks = render.card(card, lang=context.lang, now=now,
                         branches=branch_labels(context), after_traits=requests,
                         under_headline=status_lines(view, context), shown=shown)
    hidden = len(card.traits) - len(shown)
    for chunk in chunks[:-1]:
        await message.reply_text(chunk, parse_mode="HTML")
    await message.reply_text(chunks[-1], parse_mode="HTML",
                             reply_markup=card_keyboard(card.guest, context.lang,
                                                        has_traits=bool(card.traits),
                                                        hidden=hidden))


def status_lines(view: CardView, context: Context) -> list[str]:
    """The status with its reason, and what the guest usually has."""
    if view.status is None:
        return []
    rules = context.core.statuses.rules
    lines = [status_line(view.status, lang=context.lang, now=context.core.clock(),
                         branches=branch_labels(context), no_show_months=rules.no_show_months,
                         spend_months=rules.key_spend_months)]
    usual = usual_line(view.status.rhythm, view.card.traits, lang=context.lang)
    return lines + ([usual] if usual else [])


def card_keyboard(guest: Guest, lang: str, *, has_traits: bool,
                  hidden: int = 0) -> InlineKeyboardMarkup:
    row = [button(t(lang, "button.add_note"), Verb.ADD_NOTE, guest.id)]
    if has_traits:
        row.append(button(t(lang, "button.retract"), Verb.RETRACT_MENU, guest.id))
    rows = [row]
    if hidden:
        rows.append([button(t(lang, "button.more", count=hidden), Verb.CARD_MORE, guest.id)])
    return InlineKeyboardMarkup(rows)


async def send_choices(
    message: Message, context: Context, guests: list[Guest], *, query: str,
    verb: Verb = Verb.OPEN, extra: tuple[int | str, ...] = (),
    create: InlineKeyboardButton | None = None,
) -> None:
    """Several guests match: one button each, the button doing `verb` with that guest; and
    `create`, a new guest after all, below them."""
    labels = branch_labels(context)
    shown = [visible_guest(guest, context.member) for guest in guests[:MAX_CHOICES]]
    keyboard = [
        [button(render.hit_line(guest, context.lang, labels)[:60], verb, *extra, guest.id)]
        for guest in shown
    ] + ([[create]] if create is not None else [])
    key = "search.one" if len(guests) == 1 else "search.several"
    text = t(context.lang, key, count=len(guests), query=escape(query[:64]))
    await message.reply_text(text, parse_mode="HTML", reply_markup=InlineKeyboardMarkup(keyboard))


async def one_guest(
    message: Message, context: Context, ref: str, *, finish: Verb | None = None,
    command: Command = Command.NOTE, rest: str = "",
) -> Guest | None:
    """The one guest `ref` names exactly, for a command that changes them; or None after
    showing the guests it may mean (a look-alike is never acted on unasked).

    With `finish`, each guest offered is a button that does the command for them: what was
    typed after the reference (`rest`) is kept in the database as `command`, and the button
    carries only the kept offer's id and the guest's."""
    guest, found = await context.core.search.resolve_to_write(ref[:REF_LIMIT],
                                                              branch=context.member.branch)
    if guest is not None:
        return guest
    if found and finish is not None:
        core = context.core
        kept = await core.pending.keep(staff_id=context.member.id, name=ref[:REF_LIMIT],
                                       text=rest, now=core.clock(), command=command)
        await send_choices(message, context, found, query=ref, verb=finish, extra=(kept.id,))
    elif len(found) == 1:
        await send_choices(message, context, found, query=ref)
    else:
        await show_matches(message, context, found, ref)
    return None


async def chosen(
    query: CallbackQuery, context: Context, command: Command
) -> tuple[PendingNote, int] | None:
    """The kept command and the guest a button chose for it; None after saying the offer is
    spent (pressed before, or someone else's). Its buttons go, so it is pressed once."""
    assert query.data is not None
    pending_id, guest_id = (int(arg) for arg in unpack(query.data))
    try:
        pending = await context.core.pending.get(pending_id, staff_id=context.member.id,
                                                 command=command)
    except PendingNoteGone:
        await query.answer(t(context.lang, "pending.gone"), show_alert=True)
        return None
    await query.answer()
    if isinstance(query.message, Message):
        await query.edit_message_reply_markup(None)
    return pending, guest_id


async def show_matches(message: Message, context: Context, guests: list[Guest], query: str) -> None:
    if not guests:
        await message.reply_text(t(context.lang, "search.none", query=escape(query[:64])),
                                 parse_mode="HTML")
    elif len(guests) == 1:
        await send_card(message, context, guests[0].id)
    else:
        await send_choices(message, context, guests, query=query)


async def name_for_new_guest(message: Message, context: Context, ref: str) -> str | None:
    """`ref` cleaned as a new guest's name, or None after saying why it cannot be one (a room,
    table, phone or #id names no one here; a name may still be unusable)."""
    if not isinstance(parse_guest_ref(ref), ByName):
        await message.reply_text(t(context.lang, "search.none", query=escape(ref[:REF_LIMIT])),
                                 parse_mode="HTML")
        return None
    try:
        return clean_name(ref)
    except InvalidName:
        await message.reply_text(t(context.lang, "new.bad_name"))
        return None


class ReplyTo(filters.MessageFilter):
    """A reply to one of the bot's own prompts whose text `prompt` matches: the answer a
    ForceReply asked for ("✍️ R12: reply to this message …")."""

    def __init__(self, prompt: re.Pattern[str]) -> None:
        super().__init__()
        self._prompt = prompt

    def filter(self, message: Message) -> bool:
        asked = message.reply_to_message
        return bool(asked and asked.from_user and asked.from_user.is_bot
                    and self._prompt.match(asked.text or ""))
