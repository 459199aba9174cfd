"""The Application: the core opened in post_init, handlers composed in one visible order."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from functools import partial
from typing import cast

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseHandler,
    ContextTypes,
    JobQueue,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot import errors, logs
from bot.access import gate as access
from bot.arrivals import handlers as arrivals
from bot.bookings import buttons as booking_buttons
from bot.bookings import handlers as bookings
from bot.briefs import handlers as briefs
from bot.causes import handlers as causes
from bot.checklists import handlers as checklists
from bot.courier import Courier
from bot.feedback import handlers as feedback
from bot.guests import duplicates, inline, merge
from bot.guests import handlers as guests
from bot.menu import publish_default_menus, publish_menu
from bot.metrics import observe_update
from bot.notes import handlers as notes
from bot.occasions import handlers as occasions
from bot.ordering import PerChatProcessor
from bot.pacing import PacedLimiter
from bot.privacy import handlers as privacy
from bot.requests import buttons as request_buttons
from bot.requests import handlers as requests
from bot.requests import report as request_report
from bot.scheduler import deliver_after_update, schedule_sweeps
from bot.service_report import handlers as report
from bot.settings import Settings
from bot.signing import KEY_NAME, ButtonSigner, SigningBot
from bot.staff import handlers as staff
from bot.staff import start
from bot.state import BotState, Clock, Context, Core, UserState, utc_now
from bot.status import handlers as status_lists
from bot.suggest import full_width_slash_read
from store.lease import release

log = logging.getLogger(__name__)

# a stand-in token when no bot token is set (the terminal chat and tests never reach Telegram)
LOCAL_TOKEN = "0:local"

CONTEXT_TYPES = ContextTypes(context=Context, bot_data=BotState, user_data=UserState)

GuestcardApp = Application[
    SigningBot, Context, UserState, dict[object, object], BotState, JobQueue[Context]
]


def handler_groups() -> Sequence[tuple[int, list[BaseHandler[Update, Context, None]]]]:
    """Order matters: the access gate runs first; plain text and unknown commands come last."""
    return (
        (-1, access.HANDLERS),
        (0, start.HANDLERS + staff.HANDLERS + guests.HANDLERS + requests.HANDLERS
         + request_buttons.HANDLERS + request_report.HANDLERS + arrivals.HANDLERS
         + checklists.HANDLERS + bookings.HANDLERS + booking_buttons.HANDLERS
         + occasions.HANDLERS + briefs.HANDLERS + status_lists.HANDLERS
         + feedback.HANDLERS + report.HANDLERS + privacy.HANDLERS
         + duplicates.HANDLERS + merge.HANDLERS + inline.HANDLERS + causes.HANDLERS
         + notes.HANDLERS + errors.HANDLERS),
    )


class GuestcardApplication(Application):  # type: ignore[type-arg]
    """The Application, with the outbox courier woken after each update, in one place: what
    the update's transaction enqueued goes out from the courier's own task, so the next
    update never waits on a slow chat."""

    async def process_update(self, update: object) -> None:
        started = time.perf_counter()
        logs.update_id.set(update.update_id if isinstance(update, Update) else None)
        logs.staff_id.set(None)  # the access gate sets it once it knows who is asking
        if isinstance(update, Update):
            update = full_width_slash_read(update, self.bot)
        await super().process_update(update)
        observe_update(self.bot_data.metrics, update, time.perf_counter() - started)
        courier = self.bot_data.courier
        if courier is not None:
            courier.wake()


def build_application(
    settings: Settings, *, request: BaseRequest | None = None, clock: Clock = utc_now,
    rate_limit: bool = True,
) -> GuestcardApp:
    """The bot, ready for bot.polling, the webhook, the terminal chat, or a test's
    `async with`. It has no Updater: PTB's confirms updates before they are handled."""

    async def post_init(app: GuestcardApp) -> None:
        app.bot_data.core = core = await Core.open(settings, clock)
        # what this host's crashed predecessor claimed goes out now, not after the lease
        await core.outbox.free_claims_of_the_dead(core.clock())
        app.bot_data.courier = Courier(partial(deliver_after_update, app.bot, core))
        app.bot_data.courier.start()
        app.bot.use_signer(ButtonSigner(await app.bot_data.core.db.secret(KEY_NAME)))
        await publish_menus(app)
        schedule_sweeps(app)

    async def post_shutdown(app: GuestcardApp) -> None:
        if app.bot_data.courier is not None:
            await app.bot_data.courier.stop()
            app.bot_data.courier = None
        if app.bot_data.core is not None:
            await release(app.bot_data.core.db)
            await app.bot_data.core.close()
            app.bot_data.core = None

    token = settings.token.get_secret_value() if settings.token else LOCAL_TOKEN
    # PTB's own defaults for the two connections, which `.bot()` leaves to us
    bot = SigningBot(
        token, base_url=settings.api_url,
        request=request or HTTPXRequest(connection_pool_size=256),
        get_updates_request=request or HTTPXRequest(),
        # Telegram's flood limits, a person's answer and an alert before the sweep's bulk
        rate_limiter=PacedLimiter(max_retries=3) if rate_limit else None,
    )
    builder = (
        ApplicationBuilder()
        .application_class(GuestcardApplication)
        .bot(bot)
        .updater(None)
        .context_types(CONTEXT_TYPES)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .concurrent_updates(PerChatProcessor())
    )
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
