"""Telegram's webhook on the API's server: answered once the update was handled and its
transaction committed, so a 200 means saved; past a bounded time an error, so Telegram
delivers it again (and the served-update mark keeps the redelivery from doubling anything)."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from telegram import Update

from bot.app import GuestcardApp

log = logging.getLogger(__name__)
SECRET_HEADER = "x-telegram-bot-api-secret-token"


@dataclass
class TelegramWebhook:
    app: GuestcardApp
    secret: str
    timeout: float
    # one update at a time, as the Updater hands them to the Application
    _turn: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def receive(self, request: Request) -> Response:
        sent = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(sent.encode(), self.secret.encode()):
            return Response(status_code=403)
        try:
            update = Update.de_json(json.loads(await request.body()), self.app.bot)
        except (ValueError, TypeError, KeyError):
            log.warning("webhook: a body that is not an update was refused")
            return Response(status_code=400)
        handled = asyncio.ensure_future(self._handle(update))
        try:
            # shielded: a slow update still finishes and commits; Telegram's retry finds it
            await asyncio.wait_for(asyncio.shield(handled), self.timeout)
        except TimeoutError:
            log.warning("webhook: update %s not handled within %.0f s; Telegram will retry",
                        update.update_id, self.timeout)
            return Response(status_code=503)
        return Response(status_code=200)

    async def _handle(self, update: Update) -> None:
        async with self._turn:
            self.app.bot.insert_callback_data(update)
            await self.app.process_update(update)
