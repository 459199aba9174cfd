"""What the chain's own system hears of: a request escalated, an allergy alert nobody
acknowledged in time, a complaint opened.

Planned like every reminder: read from stored data as of `now`, enqueued in the outbox under
a key per occurrence (so each is posted once), and delivered, retried and given up by the
outbox. The body names ids, never a guest's name or notes.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from playbooks.outbox import Outgoing, enqueue
from store.database import Database, stamp
from store.sql import Conn

KIND = "webhook"  # the outbox kind; its "recipient" is the configured URL, not a chat
NO_CHAT = 0
# occurrences older than this when first seen (webhooks just switched on) are not posted
LOOK_BACK = timedelta(days=1)
EVENTS = ("request.escalated", "allergy.unacknowledged", "complaint.opened")

Body = dict[str, str | int | None]


async def plan(db: Database, events: Collection[str], now: datetime) -> int:
    """Enqueue one webhook per new occurrence of `events`; how many were new."""
    return await db.write(lambda conn: plan_in(conn, events, now))


def plan_in(conn: Conn, events: Collection[str], now: datetime) -> int:
    since = stamp(now - LOOK_BACK)
    found: list[tuple[str, Body]] = []
    if "request.escalated" in events:
        found += _escalations(conn, since)
    if "complaint.opened" in events:
        found += _complaints(conn, since)
    if "allergy.unacknowledged" in events:
        found += _unacknowledged(conn, since, stamp(now))
    return sum(enqueue(conn, Outgoing(key=f"{KIND}:{key}", kind=KIND, payload=body,
                                      chat_id=NO_CHAT, not_before=now), now)
               for key, body in found)


def _escalations(conn: Conn, since: str) -> list[tuple[str, Body]]:
    rows = conn.execute(
        "SELECT id, branch, guest_id, department, lane, accept_escalated_at,"
        " resolve_escalated_at FROM requests WHERE accept_escalated_at >= ?"
        " OR resolve_escalated_at >= ? ORDER BY id", (since, since)).fetchall()
    found = []
    for row in rows:
        for step in ("accept", "resolve"):
            at = row[f"{step}_escalated_at"]
            if at is not None and at >= since:
                found.append((f"request.escalated:{row['id']}:{step}", {
                    "event": "request.escalated", "request_id": row["id"], "step": step,
                    "branch": row["branch"], "guest_id": row["guest_id"],
                    "department": row["department"], "lane": row["lane"], "at": at}))
    return found


def _complaints(conn: Conn, since: str) -> list[tuple[str, Body]]:
    rows = conn.execute(
        "SELECT id, branch, guest_id, department, created_at FROM requests"
        " WHERE source = 'complaint' AND created_at >= ? ORDER BY id", (since,)).fetchall()
    return [(f"complaint.opened:{row['id']}", {
        "event": "complaint.opened", "request_id": row["id"], "branch": row["branch"],
        "guest_id": row["guest_id"], "department": row["department"],
        "at": row["created_at"]}) for row in rows]


def _unacknowledged(conn: Conn, since: str, now: str) -> list[tuple[str, Body]]:
    rows = conn.execute(
        "SELECT a.id, a.branch, a.guest_id, a.place, a.ack_due_at FROM allergy_alerts a"
        " WHERE a.ack_due_at >= ? AND a.ack_due_at <= ?"
        " AND NOT EXISTS (SELECT 1 FROM allergy_acks k WHERE k.alert_id = a.id)"
        " ORDER BY a.id", (since, now)).fetchall()
    return [(f"allergy.unacknowledged:{row['id']}", {
        "event": "allergy.unacknowledged", "alert_id": row["id"], "branch": row["branch"],
        "guest_id": row["guest_id"], "place": row["place"], "at": row["ack_due_at"]})
        for row in rows]
