"""Who of a branch's staff hears of something: its active members of the roles named."""

from __future__ import annotations

from collections.abc import Iterable

from profiles.models import Role, Staff
from store.sql import Conn, question_marks


def staff_with_roles(conn: Conn, branch: str, roles: Iterable[Role]) -> list[Staff]:
    """Active staff of `branch` holding one of `roles`, by id."""
    wanted = sorted(set(roles))
    if not wanted:
        return []
    marks = question_marks(wanted)
    rows = conn.execute(
        f"SELECT * FROM staff WHERE branch = ? AND active = 1 AND role IN ({marks}) ORDER BY id",
        (branch, *wanted),
    )
    return [Staff.model_validate(dict(row)) for row in rows]


def chain_admins(conn: Conn) -> list[Staff]:
    """Active admins, whatever their branch: the last resort for what nobody else can hear."""
    rows = conn.execute("SELECT * FROM staff WHERE role = ? AND active = 1 ORDER BY id",
                        (Role.ADMIN,))
    return [Staff.model_validate(dict(row)) for row in rows]
