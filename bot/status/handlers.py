"""`/list lapsed`, `/list at-risk`, `/list birthdays week`, `/list key unseen 60`: guests worth a
call, each with one-tap "called / booked / not interested"."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import render
from bot.briefs.reminders import branch_day_of
from bot.callbacks import ID, Verb, button, pattern, unpack
from bot.i18n import t
from bot.state import Context, Core
from bot.status.text import status_line
from playbooks.status.lists import Listed, ListQuery, ListUsage, Outcome, parse_list
from profiles.errors import GuestNotFound, NotAllowed

ARG_LIMIT = 60
# one letter on the button: three buttons per guest stay within Telegram's 64 bytes and 100
_OUTCOMES = {"c": Outcome.CALLED, "b": Outcome.BOOKED, "n": Outcome.NOT_INTERESTED}
_ICONS = {Outcome.CALLED: "☎️", Outcome.BOOKED: "📅", Outcome.NOT_INTERESTED: "✖"}


async def show_list(update: Update, context: Context) -> None:
    message, core, lang = update.effective_message, context.core, context.lang
    assert message is not None
    try:
        query = parse_list(" ".join(context.args or [])[:ARG_LIMIT])
        found = await core.lists.guests(query, viewer=context.member, now=core.clock(),
                                        today=branch_day_of(core.settings, context.member.branch)
                                        .today(core.clock()))
    except ListUsage:
        await message.reply_text(t(lang, "list.usage"))
        return
    except NotAllowed:
        await message.reply_text(t(lang, "not_allowed"))
        return
    if not found:
        await message.reply_text(t(lang, f"list.empty.{query.kind}"))
        return
    await message.reply_text("\n".join(list_lines(found, query, core, lang)),
                             parse_mode="HTML", reply_markup=list_buttons(found))


def list_lines(found: list[Listed], query: ListQuery, core: Core, lang: str) -> list[str]:
    """A title, the buttons' legend, and one numbered line per guest with their last call."""
    branches = core.settings.branch_labels(lang)
    lines = [t(lang, f"list.title.{query.kind}", days=query.days, n=len(found)),
             t(lang, "list.legend")]
    for number, item in enumerate(found, start=1):
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


def list_buttons(found: list[Listed]) -> InlineKeyboardMarkup:
    rows: list[list[InlineKeyboardButton]] = []
    for number, item in enumerate(found, start=1):
        rows.append([button(f"{number} {_ICONS[outcome]}", Verb.OUTREACH, item.guest.id, letter)
                     for letter, outcome in _OUTCOMES.items()])
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
        await query.answer(t(lang, "not_allowed"), show_alert=True)
        return
    await query.answer(t(lang, f"list.recorded.{outcome}", name=render.full_name(guest)))


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("list", show_list),
    CallbackQueryHandler(record_outreach, pattern=pattern(Verb.OUTREACH, ID, "[cbn]")),
]
