"""The visit store: who came to which branch when, at which table or in which room."""

from __future__ import annotations

from datetime import datetime

from profiles.errors import GuestNotFound
from profiles.models import Frozen
from store.database import Database, stamp
from store.sql import Conn, Row, inserted_id, question_marks

VISIT_COLUMNS = "id, guest_id, branch, staff_id, arrived_at, table_no, room_no, left_at"


class Visit(Frozen):
    id: int
    guest_id: int
    branch: str
    staff_id: int | None
    arrived_at: datetime
    table_no: str | None = None
    room_no: str | None = None
    left_at: datetime | None = None

    @property
    def place(self) -> str | None:
        return place_code(self.table_no, self.room_no)


def place_code(table: object, room: object) -> str | None:
    """Where a guest is, as checklists and alerts keep it: "table:12", else "room:1203"."""
    if table:
        return f"table:{table}"
    return f"room:{room}" if room else None


class VisitSummary(Frozen):
    """A guest's history at a glance: for briefs and cross-branch recognition."""

    guest_id: int
    total: int
    by_branch: dict[str, int]
    last_at: datetime | None
    last_branch: str | None


class VisitStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def arrive(
        self, guest_id: int, *, branch: str, staff_id: int | None, now: datetime,
        table: str | None = None, room: str | None = None,
    ) -> Visit:
        """Record an arrival; an earlier open visit of the guest in the same branch is closed."""
        return await self._db.write(lambda conn: record_visit(
            conn, guest_id, branch=branch, staff_id=staff_id, now=now, table=table, room=room))

    async def leave(self, visit_id: int, *, now: datetime) -> Visit:
        return await self._db.write(lambda conn: close_visit(conn, visit_id, now))

    async def get(self, visit_id: int) -> Visit:
        return await self._db.read(lambda conn: _load(conn, visit_id))

    async def for_guest(self, guest_id: int, *, limit: int = 20) -> list[Visit]:
        """The guest's visits, newest first."""
        return await self._db.read(lambda conn: guest_visits(conn, guest_id, limit=limit))

    async def summaries(self, guest_ids: list[int]) -> dict[int, VisitSummary]:
        return await self._db.read(lambda conn: visit_summaries(conn, guest_ids))


def record_visit(
    conn: Conn, guest_id: int, *, branch: str, staff_id: int | None, now: datetime,
    table: str | None = None, room: str | None = None,
) -> Visit:
    """An arrival in the caller's transaction; raises GuestNotFound."""
    if conn.execute("SELECT 1 FROM guests WHERE id = ?", (guest_id,)).fetchone() is None:
        raise GuestNotFound(guest_id)
    conn.execute(
        "UPDATE visits SET left_at = ? WHERE guest_id = ? AND branch = ? AND left_at IS NULL",
        (stamp(now), guest_id, branch),
    )
    cursor = conn.execute(
        "INSERT INTO visits (guest_id, branch, staff_id, arrived_at, table_no, room_no)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (guest_id, branch, staff_id, stamp(now), table, room),
    )
    return _load(conn, inserted_id(cursor))


def close_visit(conn: Conn, visit_id: int, now: datetime) -> Visit:
    conn.execute("UPDATE visits SET left_at = COALESCE(left_at, ?) WHERE id = ?",
                 (stamp(now), visit_id))
    return _load(conn, visit_id)


def guest_visits(conn: Conn, guest_id: int, *, limit: int = 20) -> list[Visit]:
    """The guest's visits, newest first."""
    rows = conn.execute(
        f"SELECT {VISIT_COLUMNS} FROM visits WHERE guest_id = ?"
        " ORDER BY arrived_at DESC, id DESC LIMIT ?", (guest_id, limit),
    )
    return [Visit.model_validate(dict(row)) for row in rows]


def visit_summaries(conn: Conn, guest_ids: list[int]) -> dict[int, VisitSummary]:
    """Counts per branch and the latest visit, for many guests in one query."""
    if not guest_ids:
        return {}
    marks = question_marks(guest_ids)
    rows = conn.execute(
        f"SELECT guest_id, branch, COUNT(*) AS n, MAX(arrived_at) AS last FROM visits"
        f" WHERE guest_id IN ({marks}) GROUP BY guest_id, branch", guest_ids,
    ).fetchall()
    grouped: dict[int, list[Row]] = {}
    for row in rows:
        grouped.setdefault(row["guest_id"], []).append(row)
    return {guest_id: _summary(guest_id, grouped.get(guest_id, [])) for guest_id in guest_ids}


def _summary(guest_id: int, rows: list[Row]) -> VisitSummary:
    latest = max(rows, key=lambda row: row["last"], default=None)
    return VisitSummary(
        guest_id=guest_id, total=sum(row["n"] for row in rows),
        by_branch={row["branch"]: row["n"] for row in rows},
        last_at=datetime.fromisoformat(latest["last"]) if latest else None,
        last_branch=latest["branch"] if latest else None,
    )


def load_visit(conn: Conn, visit_id: int) -> Visit:
    """The visit; LookupError when there is none."""
    return _load(conn, visit_id)


def _load(conn: Conn, visit_id: int) -> Visit:
    row = conn.execute(f"SELECT {VISIT_COLUMNS} FROM visits WHERE id = ?", (visit_id,)).fetchone()
    if row is None:
        raise LookupError(f"no visit {visit_id}")
    return Visit.model_validate(dict(row))
