"""`@bot wang` in any chat: matching guests' cards, to post into the conversation.

Only active staff get here (the access gate answers strangers with no results). Each result
is a guest as this staff member may see them (`profiles.visibility`); choosing one posts a
compact card. Answers are personal and not cached by Telegram: another person typing the same
query must not be shown this one's results, and a note logged a moment ago must show.
"""

from __future__ import annotations

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.ext import BaseHandler, InlineQueryHandler

from bot import render
from bot.compact import compact_card, details
from bot.state import Context
from bot.views import branch_labels

RESULTS = 10
QUERY_LIMIT = 64


async def lookup(update: Update, context: Context) -> None:
    query = update.inline_query
    assert query is not None
    me, core = context.member, context.core
    text = query.query.strip()[:QUERY_LIMIT]
    cards = (await core.search.find_cards(text, branch=me.branch, limit=RESULTS, viewer=me)
             if text else [])
    labels = branch_labels(context)
    results = []
    for card in cards:
        guest = card.guest
        results.append(InlineQueryResultArticle(
            id=str(guest.id),
            title=f"{render.full_name(guest)} {guest.ref}",
            description=details(card, context.lang),
            input_message_content=InputTextMessageContent(
                compact_card(card, lang=context.lang, branches=labels), parse_mode="HTML"),
        ))
    await query.answer(results, cache_time=0, is_personal=True)


HANDLERS: list[BaseHandler[Update, Context, None]] = [InlineQueryHandler(lookup)]
