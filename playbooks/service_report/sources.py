"""The service audit and erasure, wired to the features whose data they read or close."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from playbooks.checklists.engine import PlaybookEngine
from playbooks.requests.erasure import close_open_requests
from playbooks.requests.figures import request_figures
from playbooks.requests.store import RequestStore
from playbooks.service_report.audit import FigureSource, ServiceAudit
from profiles.erasure import Erasure
from store.database import Database


def service_audit(db: Database, playbooks: PlaybookEngine,
                  requests: RequestStore) -> ServiceAudit:
    return ServiceAudit(db, [playbook_source(playbooks), request_source(requests)])


def erasure(db: Database) -> Erasure:
    return Erasure(db, hooks=[close_open_requests])


def playbook_source(engine: PlaybookEngine) -> FigureSource:
    async def figures(branch: str, start: datetime, end: datetime,
                      now: datetime) -> Mapping[str, float | None]:
        rate = (await engine.audit(branch, start, end, now)).completion_rate
        return {"playbook_completion": None if rate is None else 100 * rate}

    return figures


def request_source(store: RequestStore) -> FigureSource:
    async def figures(branch: str, start: datetime, end: datetime,
                      now: datetime) -> Mapping[str, float | None]:
        made = [r for r in await store.since(start, branch=branch) if r.created_at < end]
        rows = request_figures(made, now)
        return {"request_accept_on_time": _weighted([(r.accepted_in_time, r.count)
                                                     for r in rows]),
                "request_resolve_on_time": _weighted([(r.resolved_in_time, r.count)
                                                      for r in rows])}

    return figures


def _weighted(shares: list[tuple[float | None, int]]) -> float | None:
    """The departments' in-time percentages, weighted by how many requests each had."""
    counted = [(share, count) for share, count in shares if share is not None and count]
    total = sum(count for _, count in counted)
    return sum(share * count for share, count in counted) / total if total else None
