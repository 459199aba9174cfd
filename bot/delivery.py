"""Sending what the outbox holds: rendered at send time, retried on faults, given up on refusal."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.pacing import sending
from bot.state import Core
from playbooks.outbox import Delivery, Outbox, backoff

log = logging.getLogger(__name__)
# a message whose rendering fails this often is given up: a bug, logged each time
MAX_ATTEMPTS = 10


@dataclass(frozen=True)
class Rendered:
    """One message as the recipient will read it (HTML)."""

    text: str
    markup: InlineKeyboardMarkup | None = None
    more: list[str] = field(default_factory=list)  # a long brief continues in further messages
    photos: list[bytes] = field(default_factory=list)  # charts (PNG), sent after the text
    # a message already in the chat, redrawn in place instead of sending a new one
    edit: int | None = None


# Given the core, the claimed delivery and the recipient's language: the message, or None when
# it no longer needs sending (the request was accepted meanwhile, the guest was erased, …).
Renderer = Callable[[Core, Delivery, str], Awaitable[Rendered | None]]



def in_place(render: Renderer) -> Renderer:
    """`render`, drawn over the message already sent under the outbox key the payload names
    ("message"); nothing when that message never went out."""

    async def redraw(core: Core, delivery: Delivery, lang: str) -> Rendered | None:
        original = delivery.payload.get("message")
        message_id = await core.outbox.message_id(original) if isinstance(original, str) else None
        if message_id is None:
            return None
        rendered = await render(core, delivery, lang)
        return None if rendered is None else replace(rendered, edit=message_id)

    return redraw


# Told which staff member turned out unreachable (blocked the bot).
OnBlocked = Callable[[Core, Delivery], Awaitable[object]]


async def deliver_due(
    bot: Bot, core: Core, outbox: Outbox, renderers: Mapping[str, Renderer], now: datetime,
    *, on_blocked: OnBlocked | None = None, bulk: bool = True,
) -> int:
    """Send every due message once; how many were sent. Claimed a batch at a time, until
    none is left: what a refusal enqueued in its place (a department group's request handed
    to the leads) goes out too. Each chat's messages go in order, the chats side by side, so
    one chat in flood control or timing out holds up only itself. Without `bulk`, what the
    sweep sends to many at once (BULK_KINDS) is left to the sweep."""
    sent = 0
    while batch := await outbox.claim(now, bulk=bulk):
        lanes: dict[int, list[Delivery]] = defaultdict(list)
        for delivery in batch:
            lanes[delivery.chat_id].append(delivery)

        async def lane(deliveries: list[Delivery]) -> int:
            return sum([await _deliver(bot, core, outbox, renderers, delivery, now, on_blocked)
                        for delivery in deliveries])

        results = await asyncio.gather(*(lane(found) for found in lanes.values()),
                                       return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result  # after every other chat's messages went out
            sent += result
    return sent


async def _deliver(
    bot: Bot, core: Core, outbox: Outbox, renderers: Mapping[str, Renderer], delivery: Delivery,
    now: datetime, on_blocked: OnBlocked | None,
) -> int:
    renderer = renderers.get(delivery.kind)
    if renderer is None:
        await outbox.give_up(delivery.id, error=f"no renderer for {delivery.kind!r}", now=now)
        return 0
    try:
        # a renderer that delivers itself (an outbound webhook's POST) fails like a send
        rendered = await renderer(core, delivery, await _language(core, delivery))
        if rendered is None:
            await outbox.sent(delivery.id, message_id=None, now=now)  # nothing left to say
            return 0
        with sending(delivery.kind):  # a brief waits its turn behind a person's answer
            message_id = await _send(bot, delivery.chat_id, rendered)
    except RetryAfter as error:
        await outbox.retry(delivery.id, error=str(error), after=_seconds(error.retry_after),
                           now=now)
        return 0
    except (Forbidden, BadRequest) as error:  # blocked, chat gone, message refused: final
        log.warning("giving up on %s to chat %s: %s", delivery.key, delivery.chat_id, error)
        await outbox.give_up(delivery.id, error=str(error), now=now)
        if isinstance(error, Forbidden) and on_blocked:
            await on_blocked(core, delivery)
        return 0
    except NetworkError as error:  # timeouts and 5xx: try again later
        await outbox.retry(delivery.id, error=str(error), after=backoff(delivery.attempts),
                           now=now)
        return 0
    except Exception as error:  # a renderer's bug: logged, tried later, never blocking others
        log.exception("rendering %s failed", delivery.key)
        if delivery.attempts + 1 >= MAX_ATTEMPTS:
            await outbox.give_up(delivery.id, error=repr(error), now=now)
        else:
            await outbox.retry(delivery.id, error=repr(error), after=backoff(delivery.attempts),
                               now=now)
        return 0
    await outbox.sent(delivery.id, message_id=message_id, now=now)
    return 1


async def _send(bot: Bot, chat_id: int, rendered: Rendered) -> int:
    if rendered.edit is not None:
        return await _edit(bot, chat_id, rendered.edit, rendered)
    # continuation parts first would reorder the brief: send in order, keyboard on the first
    first = await bot.send_message(chat_id, rendered.text, parse_mode="HTML",
                                   reply_markup=rendered.markup)
    for part in rendered.more:
        await bot.send_message(chat_id, part, parse_mode="HTML")
    for photo in rendered.photos:
        await bot.send_photo(chat_id, photo)
    return first.message_id


async def _edit(bot: Bot, chat_id: int, message_id: int, rendered: Rendered) -> int:
    try:
        await bot.edit_message_text(rendered.text, chat_id=chat_id, message_id=message_id,
                                    parse_mode="HTML", reply_markup=rendered.markup)
    except BadRequest as refused:
        # unchanged (already redrawn) or deleted by its reader: nothing left to redraw
        log.info("message %s in chat %s not redrawn: %s", message_id, chat_id, refused)
    return message_id


async def _language(core: Core, delivery: Delivery) -> str:
    if delivery.staff_id is None:
        return core.settings.chain.language
    staff = await core.staff.get(delivery.staff_id)
    return staff.language


def _seconds(retry_after: int | timedelta) -> timedelta:
    return retry_after if isinstance(retry_after, timedelta) else timedelta(seconds=retry_after)
