"""Raising the core's events from a handler: subscribers act, then their messages go out."""

from __future__ import annotations

from bot.scheduler import flush
from bot.state import Context
from playbooks.events import Event


async def raise_events(context: Context, events: list[Event]) -> None:
    """Publish each event (after the handler's own writes have committed), then deliver at
    once what the subscribers queued, so a checklist or a kitchen alert arrives now."""
    for event in events:
        await context.core.events.publish(event)
    if events:
        await flush(context.bot, context.core)
