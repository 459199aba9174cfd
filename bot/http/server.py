"""The HTTP server in the bot's process: the API, Telegram's webhook, health and metrics.

The bot (polling, or fed by the webhook route) and uvicorn share one event loop and one
core; the core is opened before the server starts and closed after it stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
import time
from collections.abc import Awaitable, Callable, Generator, Sequence
from dataclasses import dataclass

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import Update

from bot.app import GuestcardApp
from bot.http.access import Monotonic, RateLimiter
from bot.http.feeds import FeedApi
from bot.http.openapi import openapi_document
from bot.http.operations import Operations
from bot.http.problems import Problem
from bot.http.telegram import TelegramWebhook
from bot.polling import poller_for
from bot.state import Core
from bot.webhook import Webhook
from playbooks.feeds.feeds import Feeds
from playbooks.feeds.keys import ApiKeys

log = logging.getLogger(__name__)
API_VERSION = "1.0.0"
Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class Listen:
    host: str
    port: int


def parse_listen(text: str) -> Listen:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"--listen needs HOST:PORT such as 127.0.0.1:8443, not {text!r}")
    return Listen(host=host, port=int(port))


def feeds_of(core: Core) -> Feeds:
    settings = core.settings
    return Feeds(core.db, core.events, regions={b.id: b.phone_region for b in settings.branches},
                 region_list=settings.phone_regions, statuses=core.statuses)


def http_app(app: GuestcardApp, core: Core, *, webhook: Webhook | None = None,
             monotonic: Monotonic = time.monotonic,
             extra: Sequence[BaseRoute] = ()) -> Starlette:
    """The ASGI app; `core` is the bot's, already open."""
    keys = ApiKeys(core.db)
    api = FeedApi(keys=keys, feeds=feeds_of(core),
                  limiter=RateLimiter(core.settings.api.rate_per_minute, monotonic),
                  clock=core.clock)

    metrics = app.bot_data.metrics

    def audited(route: str, endpoint: Endpoint) -> Endpoint:
        async def call(request: Request) -> Response:
            try:
                response = await endpoint(request)
            except Problem as problem:
                response = problem.response()
            except Exception:  # the caller gets a problem; the error is logged in full
                log.exception("API call %s %s failed", request.method, request.url.path)
                response = Problem(500, "Internal error", "nothing was saved").response()
            key = getattr(request.state, "api_key", None)
            await keys.audit(key.id if key else None, request.method, request.url.path,
                             response.status_code, core.clock())
            metrics.api_calls.labels(route, str(response.status_code)).inc()
            if request.method != "GET" and response.status_code < 300 and app.bot_data.courier:
                app.bot_data.courier.wake()  # what the call set off goes now
            return response

        return call

    async def openapi(request: Request) -> Response:
        return JSONResponse(openapi_document(API_VERSION))

    routes: list[BaseRoute] = [Route(r.path, audited(r.path, r.endpoint), methods=r.methods)
                               for r in api.routes()]
    routes.append(Route("/api/v1/openapi.json", openapi, methods=["GET"]))
    if webhook is not None:
        hook = TelegramWebhook(app, webhook.secret, core.settings.api.update_timeout_seconds)
        routes.append(Route("/" + webhook.path, hook.receive, methods=["POST"]))
    routes.extend(Operations(core, app.bot_data.metrics).routes())
    routes.extend(extra)
    return Starlette(routes=routes, exception_handlers={
        404: _not_found, 405: _not_allowed})


async def _not_found(request: Request, exc: Exception) -> Response:
    return Problem(404, "Not found", f"no {request.url.path}").response()


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return Problem(405, "Method not allowed", f"{request.method} {request.url.path}").response()


class BotServer(uvicorn.Server):
    """uvicorn's server, stopped by SIGINT or SIGTERM as usual, but without raising the
    signal again once stopped (uvicorn does, for a server alone in its process): the bot
    still has to stop, and to release its lease on the database."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self.handle_exit)
                    for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


async def serve(app: GuestcardApp, listen: Listen, *, webhook: Webhook | None) -> None:
    """Run the bot and the HTTP server until a signal stops the server."""
    async with app:
        if app.post_init is not None:
            await app.post_init(app)
        core = app.bot_data.core
        assert core is not None
        server = BotServer(uvicorn.Config(
            http_app(app, core, webhook=webhook), host=listen.host, port=listen.port,
            log_config=None, lifespan="off", access_log=False))
        serving = asyncio.create_task(server.serve())
        # Telegram is told of the webhook only once the socket listens, or its first post fails
        while not server.started and not serving.done():
            await asyncio.sleep(0.05)
        if serving.done():  # could not bind: uvicorn logged why
            await serving
            raise SystemExit(f"guestcard: cannot listen on {listen.host}:{listen.port}")
        stopping = asyncio.Event()
        polling: asyncio.Task[None] | None = None
        if webhook is not None:
            await app.bot.set_webhook(webhook.url, secret_token=webhook.secret,
                                      allowed_updates=Update.ALL_TYPES)
        else:
            await app.bot.delete_webhook(drop_pending_updates=False)
        await app.start()
        if webhook is None:
            polling = asyncio.create_task(poller_for(app).run(stopping))
        try:
            await serving
        finally:
            stopping.set()
            if polling is not None:
                await polling
            await app.stop()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)
