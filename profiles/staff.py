"""The staff store: who works where, how they joined, and who no longer does."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from profiles.errors import InviteInvalid, StaffNotFound
from profiles.models import Invite, Role, Staff
from store.database import Database, stamp
from store.sql import Conn, Row, inserted_id

# Deep-link payloads allow 64 characters of [A-Za-z0-9_-]; 16 random bytes are plenty.
CODE_BYTES = 16


class StaffStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def by_telegram_id(self, telegram_id: int) -> Staff | None:
        def work(conn: Conn) -> Staff | None:
            row = conn.execute("SELECT * FROM staff WHERE telegram_id = ?", (telegram_id,))
            return _staff(row.fetchone())

        return await self._db.read(work)

    async def get(self, staff_id: int) -> Staff:
        return await self._db.read(lambda conn: _require(conn, staff_id))

    async def in_branch(self, branch: str | None) -> list[Staff]:
        """Everyone in a branch (all branches for None), active first, then by name."""

        def work(conn: Conn) -> list[Staff]:
            rows = conn.execute(
                "SELECT * FROM staff WHERE (? IS NULL OR branch = ?)"
                " ORDER BY active DESC, name, id",
                (branch, branch),
            ).fetchall()
            return [Staff.model_validate(dict(row)) for row in rows]

        return await self._db.read(work)

    async def create_invite(
        self, role: Role, branch: str, *, created_by: int | None, now: datetime,
        valid_for: timedelta,
    ) -> Invite:
        invite = Invite(
            code=secrets.token_urlsafe(CODE_BYTES),
            role=role,
            branch=branch,
            created_by=created_by,
            created_at=now,
            expires_at=now + valid_for,
        )

        def work(conn: Conn) -> Invite:
            conn.execute(
                "INSERT INTO invites (code, role, branch, created_by, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (invite.code, invite.role, invite.branch, invite.created_by,
                 stamp(invite.created_at), stamp(invite.expires_at)),
            )
            return invite

        return await self._db.write(work)

    async def join(
        self, code: str, *, telegram_id: int, name: str, language: str, now: datetime
    ) -> Staff:
        """Use an invite: the code is spent and the person becomes (or again is) active staff.

        Someone already on staff who joins again takes the invite's role and branch: that is
        how a manager moves a colleague or brings back one who was deactivated.
        """

        def work(conn: Conn) -> Staff:
            invite = conn.execute(
                "SELECT role, branch, expires_at FROM invites WHERE code = ? AND used_by IS NULL",
                (code,),
            ).fetchone()
            if invite is None or datetime.fromisoformat(invite["expires_at"]) <= now:
                raise InviteInvalid(code)
            staff_id = _upsert_member(conn, telegram_id, name, invite["role"], invite["branch"],
                                      language, now)
            conn.execute(
                "UPDATE invites SET used_by = ?, used_at = ? WHERE code = ?",
                (staff_id, stamp(now), code),
            )
            return _require(conn, staff_id)

        return await self._db.write(work)

    async def set_active(self, staff_id: int, active: bool) -> Staff:
        return await self._db.write(lambda conn: set_staff_active(conn, staff_id, active))

    async def mark_unreachable(self, staff_id: int, *, now: datetime) -> bool:
        """Note that messages to this person fail for good; True the first time only."""
        cursor = await self._db.write(lambda conn: conn.execute(
            "UPDATE staff SET unreachable_since = ? WHERE id = ? AND unreachable_since IS NULL",
            (stamp(now), staff_id)))
        return bool(cursor.rowcount == 1)

    async def set_language(self, staff_id: int, language: str) -> Staff:
        def work(conn: Conn) -> Staff:
            conn.execute("UPDATE staff SET language = ? WHERE id = ?", (language, staff_id))
            return _require(conn, staff_id)

        return await self._db.write(work)


def _upsert_member(
    conn: Conn, telegram_id: int, name: str, role: str, branch: str,
    language: str, now: datetime,
) -> int:
    existing = conn.execute("SELECT id FROM staff WHERE telegram_id = ?", (telegram_id,)).fetchone()
    if existing is not None:
        conn.execute(
            "UPDATE staff SET name = ?, role = ?, branch = ?, active = 1,"
            " unreachable_since = NULL WHERE id = ?",
            (name, role, branch, existing["id"]),
        )
        return int(existing["id"])
    cursor = conn.execute(
        "INSERT INTO staff (telegram_id, name, role, branch, language, active, joined_at)"
        " VALUES (?, ?, ?, ?, ?, 1, ?) RETURNING id",
        (telegram_id, name, role, branch, language, stamp(now)),
    )
    return inserted_id(cursor)


def set_staff_active(conn: Conn, staff_id: int, active: bool) -> Staff:
    """Take someone off the bot, or back on, in the caller's transaction."""
    conn.execute("UPDATE staff SET active = ? WHERE id = ?", (int(active), staff_id))
    return _require(conn, staff_id)


def load_staff(conn: Conn, staff_id: int) -> Staff:
    """The staff member, active or not; raises StaffNotFound."""
    return _require(conn, staff_id)


def _require(conn: Conn, staff_id: int) -> Staff:
    found = _staff(conn.execute("SELECT * FROM staff WHERE id = ?", (staff_id,)).fetchone())
    if found is None:
        raise StaffNotFound(staff_id)
    return found


def _staff(row: Row | None) -> Staff | None:
    return None if row is None else Staff.model_validate(dict(row))
