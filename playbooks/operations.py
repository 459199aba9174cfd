"""What the people running the bot watch, read from the database: the outbox's backlog."""

from __future__ import annotations

from datetime import datetime, timedelta

from profiles.models import Frozen
from store.database import Database, stamp
from store.sql import Conn


class OutboxFigures(Frozen):
    due: int  # messages whose time has come, not yet sent nor given up
    oldest_due_age: timedelta  # how long the oldest of them has waited (zero when none)
    retried: int  # messages that needed more than one attempt, sent or not
    failed: int  # messages given up


async def outbox_figures(db: Database, now: datetime) -> OutboxFigures:
    return await db.read(lambda conn: _figures(conn, now))


async def reachable(db: Database) -> bool:
    return bool(await db.read(lambda conn: conn.execute("SELECT 1").fetchone()[0]))


def _figures(conn: Conn, now: datetime) -> OutboxFigures:
    due = conn.execute(
        "SELECT COUNT(*), MIN(not_before) FROM outbox WHERE sent_at IS NULL"
        " AND gave_up_at IS NULL AND not_before <= ?", (stamp(now),)).fetchone()
    retried, failed = conn.execute(
        "SELECT COUNT(CASE WHEN attempts > 1 THEN 1 END),"
        " COUNT(CASE WHEN gave_up_at IS NOT NULL THEN 1 END) FROM outbox").fetchone()
    oldest = now - datetime.fromisoformat(due[1]) if due[1] else timedelta(0)
    return OutboxFigures(due=int(due[0]), oldest_due_age=max(oldest, timedelta(0)),
                         retried=int(retried), failed=int(failed))
