"""The outbox: what the bot will send on its own, decided once and delivered at least once.

Planners decide *that* a message is due and `enqueue` it under a unique key (kind, subject,
recipient, local date) — inside their own transaction when the decision changes other data.
The shell claims due messages with a lease, sends, then marks them; a crash between sending
and marking resends once the lease runs out, and nothing is ever dropped silently.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from pydantic import Field

from profiles.models import Frozen
from store.database import Database, stamp
from store.lease import is_gone, process_name
from store.sql import Conn, Row, dialect, question_marks

Payload = dict[str, str | int | float | bool | list[int] | list[str] | None]

LEASE = timedelta(minutes=2)
# Sent after everything else due, and paced behind it: what a sweep plans for many people at
# once (the briefs, the day's occasions, the weekly reports and regulars to call, feedback
# asks) must not hold up a reply's follow-up or a kitchen's allergy alert enqueued meanwhile.
BULK_KINDS = ("brief", "occasions", "service_report", "status.regulars_to_call", "feedback_ask")
MAX_BACKOFF = timedelta(minutes=15)


class Outgoing(Frozen):
    """A message someone decided to send."""

    key: str = Field(min_length=1, max_length=200)
    kind: str
    payload: Payload = Field(default_factory=dict)
    chat_id: int
    staff_id: int | None = None
    not_before: datetime
    # a brief for a shift that has ended is worth nothing: past this, it is dropped, not sent
    expires_at: datetime | None = None


class Delivery(Frozen):
    """A claimed message, to be rendered and sent now."""

    id: int
    key: str
    kind: str
    payload: Payload
    chat_id: int
    staff_id: int | None
    attempts: int


def enqueue(conn: Conn, message: Outgoing, now: datetime) -> bool:
    """Add `message` unless its key was ever enqueued; True when it is new.

    Runs inside the caller's transaction so a decision and its message commit together.
    """
    cursor = conn.execute(
        "INSERT INTO outbox (dedupe_key, kind, payload, chat_id, staff_id, not_before,"
        " expires_at, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (dedupe_key) DO NOTHING",
        (message.key, message.kind, json.dumps(message.payload, ensure_ascii=False),
         message.chat_id, message.staff_id, stamp(message.not_before),
         stamp(message.expires_at) if message.expires_at else None,
         stamp(message.not_before), stamp(now)),
    )
    return cursor.rowcount == 1


def redraw(conn: Conn, key: str, *, kind: str, payload: Payload, now: datetime,
           suffix: str) -> bool:
    """Queue a redraw in place of the message enqueued under `key`, to the same chat; the
    renderer of `kind` reads the original's payload with `payload` over it, and finds the
    message through `payload["message"]`. False when there was no such message; `suffix`
    makes this redraw's own key."""
    row = conn.execute("SELECT chat_id, staff_id, payload FROM outbox WHERE dedupe_key = ?",
                       (key,)).fetchone()
    if row is None:
        return False
    original = json.loads(row["payload"])
    return enqueue(conn, Outgoing(
        key=f"{kind}:{key}:{suffix}"[:200], kind=kind,
        payload={**original, **payload, "message": key},
        chat_id=row["chat_id"], staff_id=row["staff_id"], not_before=now,
        expires_at=now + timedelta(hours=12)), now)


def keys_with_prefix(conn: Conn, prefix: str) -> list[str]:
    """The keys of the messages sent under `prefix`, in the order they were enqueued."""
    rows = conn.execute(
        "SELECT dedupe_key FROM outbox WHERE substr(dedupe_key, 1, ?) = ?"
        " AND message_id IS NOT NULL ORDER BY id", (len(prefix), prefix),
    )
    return [row[0] for row in rows]


def payload_of(conn: Conn, key: str) -> Payload | None:
    """The payload of the message enqueued under `key`, if any."""
    row = conn.execute("SELECT payload FROM outbox WHERE dedupe_key = ?", (key,)).fetchone()
    return None if row is None else dict(json.loads(row[0]))


def recent(conn: Conn, kind: str, *, since: datetime) -> list[tuple[int, Payload, datetime]]:
    """Messages of `kind` to staff enqueued since `since`: recipient, payload, when."""
    rows = conn.execute(
        "SELECT staff_id, payload, created_at FROM outbox WHERE kind = ? AND created_at >= ?"
        " AND staff_id IS NOT NULL ORDER BY id", (kind, stamp(since)),
    ).fetchall()
    return [(row["staff_id"], json.loads(row["payload"]), _moment(row["created_at"]))
            for row in rows]


def _moment(value: str | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def queued_keys(conn: Conn, keys: list[str]) -> set[str]:
    """Which of `keys` were ever enqueued (sent or not)."""
    found: set[str] = set()
    for start in range(0, len(keys), 500):  # under any database's limit of parameters
        chunk = keys[start:start + 500]
        marks = question_marks(chunk)
        rows = conn.execute(f"SELECT dedupe_key FROM outbox WHERE dedupe_key IN ({marks})", chunk)
        found |= {str(row[0]) for row in rows}
    return found


def backoff(attempts: int) -> timedelta:
    """10 s, 20 s, 40 s, … up to 15 minutes between tries."""
    return min(timedelta(seconds=10 * 2 ** min(attempts, 10)), MAX_BACKOFF)


class Outbox:
    def __init__(self, db: Database, claimer: str | None = None) -> None:
        self._db = db
        self.claimer = claimer or process_name()  # this process, as its claims name it

    async def put(self, messages: list[Outgoing], now: datetime) -> int:
        """Enqueue several messages in one transaction; how many were new."""
        return await self._db.write(lambda conn: sum(enqueue(conn, m, now) for m in messages))

    async def claim(
        self, now: datetime, *, limit: int = 20, lease: timedelta = LEASE, bulk: bool = True
    ) -> list[Delivery]:
        """Due messages, leased to this sender so another process (or a retry) leaves them;
        without the BULK_KINDS when `bulk` is False."""

        def work(conn: Conn) -> list[Delivery]:
            at, until = stamp(now), stamp(now + lease)
            conn.execute(
                "UPDATE outbox SET gave_up_at = ?, last_error = 'expired'"
                " WHERE sent_at IS NULL AND gave_up_at IS NULL AND expires_at <= ?",
                (at, at),
            )
            due = _DUE if bulk else f"{_DUE} AND {_BULK_LAST} = 0"
            if dialect(conn) == "postgresql":
                return _claim_unlocked(conn, due, at, until, limit, self.claimer)
            return _claim(conn, due, at, until, limit, self.claimer)

        return await self._db.claim(work)

    async def free_claims_of_the_dead(self, now: datetime) -> int:
        """Free what processes on this host claimed and died before sending (a crash, a power
        cut): sent now rather than after the lease. Claims of live processes, and of other
        hosts, whose liveness cannot be seen from here, wait for their lease."""

        def work(conn: Conn) -> int:
            rows = conn.execute(
                "SELECT DISTINCT claimed_by FROM outbox WHERE sent_at IS NULL"
                " AND gave_up_at IS NULL AND claimed_until > ?", (stamp(now),)).fetchall()
            dead = [row[0] for row in rows if row[0] and is_gone(row[0], self.claimer)]
            freed = 0
            for claimer in dead:
                freed += conn.execute(
                    "UPDATE outbox SET claimed_until = NULL, claimed_by = NULL"
                    " WHERE sent_at IS NULL AND claimed_by = ?", (claimer,)).rowcount
            return freed

        return await self._db.claim(work)

    async def sent(self, delivery_id: int, *, message_id: int | None, now: datetime) -> None:
        await self._db.write(lambda conn: conn.execute(
            "UPDATE outbox SET sent_at = ?, message_id = ?, claimed_until = NULL WHERE id = ?",
            (stamp(now), message_id, delivery_id),
        ))

    async def retry(self, delivery_id: int, *, error: str, after: timedelta, now: datetime) -> None:
        await self._db.write(lambda conn: conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?,"
            " claimed_until = NULL WHERE id = ?",
            (stamp(now + after), error[:500], delivery_id),
        ))

    async def give_up(self, delivery_id: int, *, error: str, now: datetime) -> None:
        """A permanent failure (the recipient blocked the bot, the chat is gone)."""
        await self._db.write(lambda conn: conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, gave_up_at = ?, last_error = ?,"
            " claimed_until = NULL WHERE id = ?",
            (stamp(now), error[:500], delivery_id),
        ))

    async def message_id(self, key: str) -> int | None:
        """The chat message a sent message became, to edit it in place later."""

        def work(conn: Conn) -> int | None:
            row = conn.execute("SELECT message_id FROM outbox WHERE dedupe_key = ?",
                               (key,)).fetchone()
            return None if row is None or row[0] is None else int(row[0])

        return await self._db.read(work)

    async def state(self, key: str) -> OutboxState | None:
        """Where one message stands (for tests and the operator)."""

        def work(conn: Conn) -> OutboxState | None:
            row = conn.execute(
                "SELECT dedupe_key AS key, attempts, sent_at, gave_up_at, last_error"
                " FROM outbox WHERE dedupe_key = ?", (key,),
            ).fetchone()
            return None if row is None else OutboxState.model_validate(dict(row))

        return await self._db.read(work)

    async def sent_keys(self, prefix: str = "") -> list[str]:
        def work(conn: Conn) -> list[str]:
            rows = conn.execute(
                "SELECT dedupe_key FROM outbox WHERE sent_at IS NOT NULL"
                " AND substr(dedupe_key, 1, ?) = ? ORDER BY id", (len(prefix), prefix),
            )
            return [row[0] for row in rows]

        return await self._db.read(work)


class OutboxState(Frozen):
    key: str
    attempts: int
    sent_at: datetime | None
    gave_up_at: datetime | None
    last_error: str | None


_DUE = ("sent_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= ?"
        " AND (claimed_until IS NULL OR claimed_until <= ?)")
_BULK_LAST = "CASE WHEN kind IN ({}) THEN 1 ELSE 0 END".format(
    ", ".join(f"'{kind}'" for kind in BULK_KINDS))
_DELIVERY_COLUMNS = "id, dedupe_key AS key, kind, payload, chat_id, staff_id, attempts"


def _claim(conn: Conn, due: str, at: str, until: str, limit: int,
           claimer: str) -> list[Delivery]:
    # SQLite runs one writer at a time, so nothing can claim these rows between the two steps
    rows = conn.execute(
        f"SELECT {_DELIVERY_COLUMNS} FROM outbox WHERE {due}"
        f" ORDER BY {_BULK_LAST}, next_attempt_at, id LIMIT ?", (at, at, limit),
    ).fetchall()
    claimed = [_delivery(row) for row in rows]
    conn.executemany("UPDATE outbox SET claimed_until = ?, claimed_by = ? WHERE id = ?",
                     [(until, claimer, item.id) for item in claimed])
    return claimed


def _claim_unlocked(
    conn: Conn, due: str, at: str, until: str, limit: int, claimer: str
) -> list[Delivery]:
    """The claim on PostgreSQL, where senders in other processes claim at the same moment:
    rows another sender is claiming are skipped rather than waited for, so two senders
    share the due messages between them instead of queueing behind one another."""
    rows = conn.execute(
        f"UPDATE outbox SET claimed_until = ?, claimed_by = ? WHERE id IN (SELECT id FROM outbox"
        f" WHERE {due} ORDER BY {_BULK_LAST}, next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED)"
        f" RETURNING {_DELIVERY_COLUMNS}, next_attempt_at", (until, claimer, at, at, limit),
    ).fetchall()
    # RETURNING keeps no order: sent as on SQLite, bulk last, then oldest first
    ordered = sorted(rows, key=lambda row: (row["kind"] in BULK_KINDS, row["next_attempt_at"],
                                            row["id"]))
    return [_delivery(row) for row in ordered]


def _delivery(row: Row) -> Delivery:
    values = dict(row)
    values.pop("next_attempt_at", None)
    values["payload"] = json.loads(values["payload"])
    return Delivery.model_validate(values)
