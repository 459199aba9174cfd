"""`/list lapsed`, `/list at-risk`, `/list birthdays week`, `/list key unseen 60`: guests worth a
call, each with one-tap "called / booked / not interested"."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import render
from bot.access.gate import not_allowed
from bot.briefs.reminders import branch_day_of
from bot.callbacks import ID, Verb, button, pattern, unpack
from bot.i18n import t
from bot.state import Context, Core
from bot.status.text import status_line
from bot.views import settle_press
from playbooks.status.lists import (
    LIST_LIMIT,
    ListKind,
    ListPage,
    ListQuery,
    ListUsage,
    Outcome,
    parse_list,
)
from profiles.errors import GuestNotFound, NotAllowed

ARG_LIMIT = 60
# one letter on the button: three buttons per guest stay within Telegram's 64 bytes and 100
_OUTCOMES = {"c": Outcome.CALLED, "b": Outcome.BOOKED, "n": Outcome.NOT_INTERESTED}
_ICONS = {Outcome.CALLED: "☎️", Outcome.BOOKED: "📅", Outcome.NOT_INTERESTED: "✖"}


async def show_list(update: Update, context: Context) -> None:
    message, lang = update.effective_message, context.lang
    assert message is not None
    try:
        query = parse_list(" ".join(context.args or [])[:ARG_LIMIT])
    except ListUsage:
        await message.reply_text(t(lang, "list.usage"))
        return
    await _send_page(message, context, query, offset=0)


async def more_of_list(update: Update, context: Context) -> None:
    """"Next 20 ▸": the list's next page, as a message of its own."""
    query = update.callback_query
    assert query is not None and query.data is not None
    kind, days, offset, after = unpack(query.data)
    await settle_press(query)
    if isinstance(query.message, Message):
        await _send_page(query.message, context, ListQuery(kind=ListKind(kind), days=int(days)),
                         offset=int(offset), after=int(after))


async def _send_page(message: Message, context: Context, query: ListQuery, *,
                     offset: int, after: int | None = None) -> None:
    core, lang = context.core, context.lang
    try:
        found = await core.lists.page(query, viewer=context.member, now=core.clock(),
                                      offset=offset, after=after,
                                      today=branch_day_of(core.settings, context.member.branch)
                                      .today(core.clock()))
    except NotAllowed:
        await message.reply_text(not_allowed(context.member))
        return
    if not found.items:
        await message.reply_text(t(lang, f"list.empty.{query.kind}"))
        return
    await message.reply_text("\n".join(list_lines(found, query, core, lang)),
                             parse_mode="HTML", reply_markup=list_buttons(found, query, lang))


def list_lines(found: ListPage, query: ListQuery, core: Core, lang: str) -> list[str]:
    """A title (and which of them this page shows), the buttons' legend, and one numbered
    line per guest with their last call."""
    branches = core.settings.branch_labels(lang)
    lines = [t(lang, f"list.title.{query.kind}", days=query.days, n=found.total)]
    if found.offset or found.rest:
        lines.append(t(lang, "list.page", first=found.offset + 1,
                       last=found.offset + len(found.items), total=found.total))
    lines.append(t(lang, "list.legend"))
    for number, item in enumerate(found.items, start=found.offset + 1):
        why = ""
        if item.status is not None:
            why = status_line(item.status, lang=lang, now=core.clock(), branches=branches,
                              no_show_months=core.statuses.rules.no_show_months,
                              spend_months=core.statuses.rules.key_spend_months)
        elif item.occasion is not None:
            why = t(lang, "list.birthday", on=f"{item.occasion.on:%m-%d}")
        lines.append(f"{number}. <b>{escape(render.full_name(item.guest))}</b>"
                     f" {item.guest.ref} — {why}")
        if item.outreach is not None:
            lines.append("   " + t(lang, f"list.done.{item.outreach.outcome}",
                                   name=escape(item.outreach.staff_name),
                                   age=render.age(item.outreach.created_at, core.clock(), lang)))
    return lines


def list_buttons(found: ListPage, query: ListQuery, lang: str = "en") -> InlineKeyboardMarkup:
    rows: list[list[InlineKeyboardButton]] = []
    for number, item in enumerate(found.items, start=found.offset + 1):
        rows.append([button(f"{number} {_ICONS[outcome]}", Verb.OUTREACH, item.guest.id, letter)
                     for letter, outcome in _OUTCOMES.items()])
    if found.rest:
        rows.append([button(t(lang, "list.more", n=min(found.rest, LIST_LIMIT)), Verb.LIST_MORE,
                            query.kind.value, query.days, found.offset + len(found.items),
                            found.items[-1].guest.id)])
    return InlineKeyboardMarkup(rows)


async def record_outreach(update: Update, context: Context) -> None:
    query, core, lang = update.callback_query, context.core, context.lang
    assert query is not None and query.data is not None
    guest_id, letter = unpack(query.data)
    outcome = _OUTCOMES[letter]
    try:
        await core.lists.record(int(guest_id), outcome, by=context.member, now=core.clock())
        guest = await core.guests.get(int(guest_id))
    except GuestNotFound:
        await query.answer(t(lang, "list.gone"), show_alert=True)
        return
    except NotAllowed:
        await query.answer(not_allowed(context.member), show_alert=True)
        return
    await query.answer(t(lang, f"list.recorded.{outcome}", name=render.full_name(guest)))


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("list", show_list),
    CallbackQueryHandler(record_outreach, pattern=pattern(Verb.OUTREACH, ID, "[cbn]")),
    CallbackQueryHandler(more_of_list, pattern=pattern(
        Verb.LIST_MORE, "(?:lapsed|at_risk|birthdays|key)", r"\d{1,4}", r"\d{1,7}", ID)),
]
