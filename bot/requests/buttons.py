"""Accept, Done, Can't do — in a private chat or the department's group — and the closing note.

The pressed message is redrawn from the request as stored, so it always shows who has it. After
Done or Can't do, the presser is asked (privately) for a line the originator will read: a reply
to that prompt is the note, recognised by the prompt's request number, so it survives restarts.
"""

from __future__ import annotations

import contextlib
import re
from html import escape

from telegram import CallbackQuery, ForceReply, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.callbacks import ID, WORD, Verb, pattern, unpack
from bot.causes.handlers import ask_cause
from bot.i18n import t
from bot.requests import texts
from bot.state import Context
from bot.views import ReplyTo
from playbooks.requests.models import (
    MAX_TEXT,
    AlreadyClosed,
    AlreadyTaken,
    NotYours,
    OtherBranch,
    Request,
    RequestNotFound,
    State,
    UnknownDepartment,
)
from playbooks.requests.routing import Lane

# the first line of a note prompt; a reply to such a message is that request's note
PROMPT = re.compile(r"^✍️ R(?P<id>\d{1,18})\b")


async def accept(update: Update, context: Context) -> None:
    query, core, me = update.callback_query, context.core, context.member
    assert query is not None and query.data is not None
    request_id = int(unpack(query.data)[0])
    try:
        taken = await core.requests.accept(request_id, staff=me, now=core.clock(),
                                           chat_id=query.message.chat.id if query.message else None)
    except (AlreadyTaken, AlreadyClosed, NotYours, OtherBranch, RequestNotFound) as refusal:
        await _refused(query, context, refusal, request_id)
        return
    await query.answer(t(me.language, "request.accepted_toast", number=taken.number))
    await _redraw(query, context, request_id)


async def done(update: Update, context: Context) -> None:
    await _close(update, context, State.DONE)


async def decline(update: Update, context: Context) -> None:
    await _close(update, context, State.DECLINED)


async def _close(update: Update, context: Context, outcome: State) -> None:
    query, core, me = update.callback_query, context.core, context.member
    assert query is not None and query.data is not None
    request_id = int(unpack(query.data)[0])
    try:
        closed = await core.requests.close(request_id, outcome, staff=me, now=core.clock(),
                                           chat_id=query.message.chat.id if query.message else None)
    except (AlreadyClosed, NotYours, OtherBranch, RequestNotFound) as refusal:
        await _refused(query, context, refusal, request_id)
        return
    await query.answer(t(me.language, "request.closed_toast", number=closed.number))
    await _redraw(query, context, request_id)
    await ask_cause(context, closed)
    await _ask_for_note(context, closed)  # last: the reply it asks for is to the newest message


async def change_desk(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    request_id, desk = unpack(query.data)
    await _change(query, context, int(request_id), department=desk)


async def change_lane(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    request_id, lane = unpack(query.data)
    if lane not in {member.value for member in Lane}:
        await query.answer(t(context.lang, "request.gone"), show_alert=True)
        return
    await _change(query, context, int(request_id), lane=Lane(lane))


async def _change(query: CallbackQuery, context: Context, request_id: int, *,
                  department: str | None = None, lane: Lane | None = None) -> None:
    core, me = context.core, context.member
    try:
        relayed = await core.requests.change(request_id, staff=me, now=core.clock(),
                                             department=department, lane=lane)
    except (AlreadyTaken, AlreadyClosed, NotYours, OtherBranch, RequestNotFound,
            UnknownDepartment) as refusal:
        await query.answer(await _why(context, refusal), show_alert=True)
        return
    await query.answer()
    routing = core.requests.routing
    await query.edit_message_text(
        texts.sent(relayed, lang=me.language, routing=routing, ref=relayed.request.ref_text),
        parse_mode="HTML",
        reply_markup=texts.change_keyboard(relayed.request, lang=me.language, routing=routing))


async def note(update: Update, context: Context) -> None:
    """A reply to a note prompt: what was done, or why not, for the originator to read."""
    message, core, me = update.effective_message, context.core, context.member
    assert message is not None and message.text is not None
    prompt = message.reply_to_message
    found = PROMPT.match(prompt.text or "") if prompt else None
    assert found is not None  # the handler's filter saw to it
    if len(message.text) > MAX_TEXT:
        await message.reply_text(t(me.language, "request.too_long", length=len(message.text),
                                   limit=MAX_TEXT))
        return
    try:
        noted = await core.requests.annotate(int(found["id"]), message.text.strip(), staff=me,
                                             now=core.clock())
    except (NotYours, RequestNotFound):
        await message.reply_text(t(me.language, "request.note_not_yours",
                                   number=f"R{found['id']}"))
        return
    originator = await core.staff.get(noted.staff_id)
    await message.reply_text(t(me.language, "request.note_saved", name=escape(originator.name)),
                             parse_mode="HTML")


async def _ask_for_note(context: Context, closed: Request) -> None:
    me = context.member
    if closed.staff_id == me.id:
        return  # closing one's own request: nobody to tell
    originator = await context.core.staff.get(closed.staff_id)
    key = "request.ask_note" if closed.state is State.DONE else "request.ask_reason"
    # pressed in a group by someone who never opened a chat with the bot: no note, then
    with contextlib.suppress(BadRequest, Forbidden):
        await context.bot.send_message(
            me.telegram_id, t(me.language, key, number=closed.number,
                              name=escape(originator.name)),
            parse_mode="HTML", reply_markup=ForceReply(selective=True))


async def _redraw(query: CallbackQuery, context: Context, request_id: int) -> None:
    """The pressed message, redrawn as the request now stands."""
    core = context.core
    details = await core.requests.details(request_id)
    if details is None or not isinstance(query.message, Message):
        return
    lang = _reader_language(context, query.message)
    private = query.message.chat.type == ChatType.PRIVATE
    text = texts.body(details, lang=lang, routing=core.requests.routing, settings=core.settings,
                      now=core.clock(), reader_branch=context.member.branch if private else None)
    # unchanged (pressed twice), or too old to edit: the answer said it all
    with contextlib.suppress(BadRequest):
        await query.edit_message_text(text, parse_mode="HTML",
                                      reply_markup=texts.actions(details.request, lang))


def _reader_language(context: Context, message: Message) -> str:
    # a department group reads the chain's language; a private chat, its member's
    private = message.chat.type == ChatType.PRIVATE
    return context.lang if private else context.core.settings.chain.language


async def _refused(query: CallbackQuery, context: Context, refusal: Exception,
                   request_id: int) -> None:
    """Say who has it, and show the pressed request as it now stands."""
    await query.answer(await _why(context, refusal), show_alert=True)
    if isinstance(refusal, (AlreadyTaken, AlreadyClosed)):
        await _redraw(query, context, request_id)


async def _why(context: Context, refusal: Exception) -> str:
    """Who has the request, or why it can't be pressed: the alert the presser reads."""
    lang, core = context.lang, context.core
    if isinstance(refusal, OtherBranch):
        return t(lang, "request.other_branch")
    if not isinstance(refusal, (AlreadyTaken, AlreadyClosed, NotYours)):
        return t(lang, "request.gone")
    request = refusal.request
    closed = isinstance(refusal, AlreadyClosed)
    holder_id = request.closed_by if closed else request.accepted_by
    moment = request.closed_at if closed else request.accepted_at
    holder = await core.staff.get(holder_id) if holder_id else None
    key = (f"request.already_{request.state}" if closed
           else "request.not_yours" if isinstance(refusal, NotYours) else "request.taken")
    time = texts.clock_time(moment, core.settings, request.branch, core.clock(),
                            context.member.branch) if moment else ""
    return t(lang, key, number=request.number, name=holder.name if holder else "?", time=time)


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CallbackQueryHandler(accept, pattern=pattern(Verb.REQUEST_ACCEPT)),
    CallbackQueryHandler(done, pattern=pattern(Verb.REQUEST_DONE)),
    CallbackQueryHandler(decline, pattern=pattern(Verb.REQUEST_DECLINE)),
    CallbackQueryHandler(change_desk, pattern=pattern(Verb.REQUEST_DESK, ID, WORD)),
    CallbackQueryHandler(change_lane, pattern=pattern(Verb.REQUEST_LANE, ID, WORD)),
    MessageHandler(filters.TEXT & ~filters.COMMAND & ReplyTo(PROMPT), note),
]
