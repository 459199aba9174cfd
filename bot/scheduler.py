"""The sweep: an in-memory timer that asks every planner what is due, then delivers it.

Reminders, briefs and escalations live in the database, not in the JobQueue: APScheduler drops
a job that misses its time by more than its grace period and fires twice when two schedulers
share a job store. So the JobQueue only ticks; each tick is idempotent and catches up on
whatever fell due while the bot was down.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from functools import partial

from telegram import Bot
from telegram.ext import Application

from bot.arrivals.messages import RENDERERS as arrival_renderers
from bot.briefs import reminders
from bot.checklists.messages import playbook_renderers
from bot.delivery import Renderer, deliver_due
from bot.http.outbound import RENDERERS as outbound_renderers
from bot.metrics import Metrics
from bot.requests.messages import request_renderers
from bot.service_report import jobs as audit_jobs
from bot.staff.messages import RENDERERS as staffing_renderers
from bot.staff.reachability import RENDERERS as reachability_renderers
from bot.staff.reachability import notice_unreachable
from bot.state import Context, Core
from bot.status.alerts import RENDERERS as status_renderers
from bot.status.weekly import RENDERERS as regulars_renderers
from bot.status.weekly import plan_regulars_to_call
from playbooks import outbound
from store.lease import renew

log = logging.getLogger(__name__)

SWEEP_SECONDS = 30
SERVED_KEPT = timedelta(days=2)

# Looks at stored data as of `now` and enqueues what is due (idempotently, by dedupe key).
Planner = Callable[[datetime], Awaitable[object]]


def planners(core: Core) -> list[Planner]:
    """Every planner, in one visible place."""
    return [core.events.publish_pending, partial(reminders.plan, core), core.playbooks.plan,
            core.request_planner.plan,
            core.feedback.plan_asks, core.statuses.refresh_daily,
            partial(audit_jobs.plan_weekly, core), partial(plan_regulars_to_call, core),
            partial(audit_jobs.sweep_privacy, core), partial(forget_old_updates, core),
            partial(plan_webhooks, core), core.search.list_common_terms]


async def plan_webhooks(core: Core, now: datetime) -> int:
    """The chain's outbound webhooks, when it configured a URL."""
    if core.settings.webhooks.url is None:
        return 0
    return await outbound.plan(core.db, core.settings.webhooks.events, now)


async def forget_old_updates(core: Core, now: datetime) -> int:
    """Telegram gives up redelivering an update within a day: older records only take room."""
    return await core.db.forget_served(now - SERVED_KEPT)


def renderers() -> Mapping[str, Renderer]:
    """How each kind of outbox message reads, in one visible place."""
    return {**playbook_renderers(), **arrival_renderers, **request_renderers(),
            **reminders.RENDERERS, **audit_jobs.RENDERERS, **reachability_renderers,
            **staffing_renderers, **outbound_renderers, **status_renderers,
            **regulars_renderers}


async def sweep_once(bot: Bot, core: Core, now: datetime) -> int:
    """Plan, then deliver: what a tick does, callable directly by tests with any `now`."""
    for plan in planners(core):
        try:
            await plan(now)
        except Exception:  # one broken planner must not stop the others' reminders
            log.exception("planner %s failed", getattr(plan, "__qualname__", plan))
    # Delivered as of the end of planning: what planning set off through events (a playbook's
    # checklist) is stamped by the clock a moment after `now`, and goes out in this sweep too.
    return await deliver_due(bot, core, core.outbox, renderers(), max(now, core.clock()),
                             on_blocked=notice_unreachable)


async def flush(bot: Bot, core: Core, *, bulk: bool = True) -> int:
    """Deliver what is due right now, without planning (without the sweep's bulk messages,
    unless `bulk`)."""
    return await deliver_due(bot, core, core.outbox, renderers(), core.clock(),
                             on_blocked=notice_unreachable, bulk=bulk)


async def deliver_after_update(bot: Bot, core: Core) -> None:
    """How an update's messages go out, run by the courier's task after each update: what its
    transaction enqueued (a kitchen alert, a checklist, a request for a department) is sent
    now, not at the next sweep. The sweep's bulk (200 branches' briefs) it leaves to the
    sweep: a kitchen alert would otherwise wait behind a batch of briefs being rendered."""
    try:
        await flush(bot, core, bulk=False)
    except Exception:  # the sweep delivers it; the update itself is saved and answered
        log.exception("delivery after an update failed")


async def _tick(context: Context) -> None:
    await tick(context.bot, context.core, context.bot_data.metrics)


async def tick(bot: Bot, core: Core, metrics: Metrics) -> None:
    """One scheduled sweep: the bot's lease on the database renewed, the sweep timed."""
    started = time.perf_counter()
    await renew(core.db, core.clock())
    await core.words.refresh()  # what the leads taught through another process
    await sweep_once(bot, core, core.clock())
    metrics.sweep_seconds.observe(time.perf_counter() - started)
    metrics.last_sweep = core.clock()


def schedule_sweeps(app: Application, seconds: float = SWEEP_SECONDS) -> None:  # type: ignore[type-arg]
    """Tick every `seconds`; a late tick still runs (no misfire drop), never two at once."""
    if app.job_queue is None:
        raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
    app.job_queue.run_repeating(
        _tick, interval=seconds, first=1, name="sweep",
        job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
    )
