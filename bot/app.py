"""The Application: the core opened in post_init, handlers composed in one visible order."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, cast

from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseHandler,
    ContextTypes,
    ExtBot,
    JobQueue,
)
from telegram.request import BaseRequest

from bot.handlers import (
    access,
    arrivals,
    booking_buttons,
    bookings,
    briefs,
    checklists,
    duplicates,
    errors,
    feedback,
    guests,
    inline,
    merge,
    notes,
    occasions,
    privacy,
    report,
    request_buttons,
    request_report,
    requests,
    staff,
    start,
)
from bot.menu import publish_default_menus, publish_menu
from bot.scheduler import deliver_after_update, schedule_sweeps
from bot.settings import Settings
from bot.state import BotState, Clock, Context, Core, UserState, utc_now

log = logging.getLogger(__name__)

# a stand-in token when no bot token is set (the terminal chat and tests never reach Telegram)
LOCAL_TOKEN = "0:local"

CONTEXT_TYPES = ContextTypes(context=Context, bot_data=BotState, user_data=UserState)

GuestcardApp = Application[
    ExtBot[Any], Context, UserState, dict[object, object], BotState, JobQueue[Context]
]


def handler_groups() -> Sequence[tuple[int, list[BaseHandler[Update, Context, None]]]]:
    """Order matters: the access gate runs first; plain text and unknown commands come last."""
    return (
        (-1, access.HANDLERS),
        (0, start.HANDLERS + staff.HANDLERS + guests.HANDLERS + requests.HANDLERS
         + request_buttons.HANDLERS + request_report.HANDLERS + arrivals.HANDLERS
         + checklists.HANDLERS + bookings.HANDLERS + booking_buttons.HANDLERS
         + occasions.HANDLERS + briefs.HANDLERS
         + feedback.HANDLERS + report.HANDLERS + privacy.HANDLERS
         + duplicates.HANDLERS + merge.HANDLERS + inline.HANDLERS
         + notes.HANDLERS + errors.HANDLERS),
    )


class GuestcardApplication(Application):  # type: ignore[type-arg]
    """The Application, with the outbox delivered once after each update, in one place."""

    async def process_update(self, update: object) -> None:
        await super().process_update(update)
        core = self.bot_data.core
        if core is not None:
            await deliver_after_update(self.bot, core)


def build_application(
    settings: Settings, *, request: BaseRequest | None = None, clock: Clock = utc_now,
    rate_limit: bool = True,
) -> GuestcardApp:
    """The bot, ready for run_polling, the terminal chat, or a test's `async with`."""

    async def post_init(app: GuestcardApp) -> None:
        app.bot_data.core = await Core.open(settings, clock)
        await publish_menus(app)
        schedule_sweeps(app)

    async def post_shutdown(app: GuestcardApp) -> None:
        if app.bot_data.core is not None:
            await app.bot_data.core.close()
            app.bot_data.core = None

    token = settings.token.get_secret_value() if settings.token else LOCAL_TOKEN
    builder = (
        ApplicationBuilder()
        .application_class(GuestcardApplication)
        .token(token)
        .base_url(settings.api_url)
        .context_types(CONTEXT_TYPES)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if rate_limit:
        # PTB's limiter retries nothing by default; a flood-control answer deserves a retry
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))  # type: ignore[arg-type]
    app = cast(GuestcardApp, builder.build())
    for group, handlers in handler_groups():
        app.add_handlers(handlers, group=group)
    app.add_error_handler(errors.on_error)
    return app


async def publish_menus(app: GuestcardApp) -> None:
    """Command menus per role and language; members who blocked the bot are skipped."""
    core = app.bot_data.core
    assert core is not None
    await publish_default_menus(app.bot)
    for member in await core.staff.in_branch(None):
        if member.active:
            await publish_menu(app.bot, member)
