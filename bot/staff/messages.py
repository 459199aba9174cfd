"""What a colleague taken off the bot, or brought back, reads."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from bot.delivery import Rendered, Renderer
from bot.i18n import t
from bot.state import Core
from playbooks.outbox import Delivery
from playbooks.staffing import FAREWELL, WELCOME_BACK


async def render_farewell(core: Core, delivery: Delivery, lang: str) -> Rendered | None:
    return Rendered(text=t(lang, "staff.farewell", by=escape(str(delivery.payload.get("by"))),
                           chain=escape(core.settings.chain.name)))


async def render_welcome_back(core: Core, delivery: Delivery, lang: str) -> Rendered | None:
    return Rendered(text=t(lang, "staff.welcome_back",
                           by=escape(str(delivery.payload.get("by"))),
                           chain=escape(core.settings.chain.name)))


RENDERERS: Mapping[str, Renderer] = {FAREWELL: render_farewell,
                                     WELCOME_BACK: render_welcome_back}
