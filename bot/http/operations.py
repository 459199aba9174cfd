"""/healthz and /metrics: what a monitor asks the running bot."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.metrics import Metrics
from bot.scheduler import SWEEP_SECONDS
from bot.state import Core
from playbooks.operations import outbox_figures, reachable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Operations:
    core: Core
    metrics: Metrics
    sweep_every: timedelta = timedelta(seconds=SWEEP_SECONDS)

    def routes(self) -> list[Route]:
        return [Route("/healthz", self.healthz, methods=["GET"]),
                Route("/metrics", self.scrape, methods=["GET"])]

    async def healthz(self, request: Request) -> Response:
        """200 when the database answers, the sweep ran within two intervals and the
        oldest due message is younger than the threshold; else 503 with every reason."""
        now = self.core.clock()
        reasons: list[str] = []
        try:
            await reachable(self.core.db)
            figures = await outbox_figures(self.core.db, now)
        except Exception as error:  # whatever the driver raises, the answer is "unhealthy"
            log.warning("healthz: the database did not answer: %s", error)
            return JSONResponse({"status": "unhealthy",
                                 "reasons": [f"database unreachable: {type(error).__name__}"]},
                                status_code=503)
        last = self.metrics.last_sweep
        if last is None:
            reasons.append("no sweep has run yet")
        elif now - last > 2 * self.sweep_every:
            reasons.append(f"the last sweep ran {(now - last).total_seconds():.0f} s ago")
        limit = timedelta(seconds=self.core.settings.api.outbox_max_age_seconds)
        if figures.oldest_due_age > limit:
            reasons.append(f"the oldest due message has waited "
                           f"{figures.oldest_due_age.total_seconds():.0f} s")
        body = {"status": "unhealthy" if reasons else "ok", "reasons": reasons,
                "outbox_due": figures.due}
        return JSONResponse(body, status_code=503 if reasons else 200)

    async def scrape(self, request: Request) -> Response:
        now = self.core.clock()
        figures = await outbox_figures(self.core.db, now)
        self.metrics.outbox_due.set(figures.due)
        self.metrics.outbox_oldest.set(figures.oldest_due_age.total_seconds())
        self.metrics.retried.set(figures.retried)
        self.metrics.failed.set(figures.failed)
        if self.metrics.last_sweep is not None:
            self.metrics.sweep_lag.set((now - self.metrics.last_sweep).total_seconds())
        return Response(generate_latest(self.metrics.registry),
                        media_type=CONTENT_TYPE_LATEST)
