"""API keys: one per integration, shown once, stored hashed, revocable; every use audited."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from enum import StrEnum

from profiles.models import Frozen, Role
from store.database import Database, stamp
from store.sql import Conn, inserted_id

PREFIX_BYTES = 6


class Scope(StrEnum):
    GUESTS = "guests"  # upsert guests by the source's id
    BOOKINGS = "bookings"
    STAYS = "stays"  # check-in, room move, check-out
    CHECKS = "checks"  # POS checks
    CARDS = "cards"  # read a guest's card


class KeyNameTaken(Exception):
    """An integration of that name already has a key."""


class KeyNotFound(Exception):
    """No key of that name, or it was revoked already."""


class ApiKey(Frozen):
    id: int
    name: str
    branch: str
    scopes: frozenset[Scope]
    role: Role  # what the key may read of a card, as a member of staff with this role
    created_at: datetime
    revoked_at: datetime | None = None


class IssuedKey(Frozen):
    key: ApiKey
    secret: str  # shown once; only its hash is kept


class ApiKeys:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, name: str, *, branch: str, scopes: frozenset[Scope], role: Role,
                     now: datetime) -> IssuedKey:
        prefix = secrets.token_hex(PREFIX_BYTES)
        secret = f"gc_{prefix}_{secrets.token_urlsafe(32)}"

        def work(conn: Conn) -> IssuedKey:
            if conn.execute("SELECT 1 FROM api_keys WHERE name = ?", (name,)).fetchone():
                raise KeyNameTaken(name)
            key_id = inserted_id(conn.execute(
                "INSERT INTO api_keys (name, branch, scopes, role, prefix, key_hash, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (name, branch, ",".join(sorted(scopes)), role.value, prefix, _hash(secret),
                 stamp(now))))
            audit_call(conn, key_id, "CLI", "api-key create", 201, now)
            return IssuedKey(key=_load(conn, key_id), secret=secret)

        return await self._db.write(work)

    async def revoke(self, name: str, *, now: datetime) -> ApiKey:
        def work(conn: Conn) -> ApiKey:
            row = conn.execute("SELECT id FROM api_keys WHERE name = ? AND revoked_at IS NULL",
                               (name,)).fetchone()
            if row is None:
                raise KeyNotFound(name)
            conn.execute("UPDATE api_keys SET revoked_at = ? WHERE id = ?",
                         (stamp(now), row["id"]))
            audit_call(conn, int(row["id"]), "CLI", "api-key revoke", 200, now)
            return _load(conn, int(row["id"]))

        return await self._db.write(work)

    async def listed(self) -> list[ApiKey]:
        def work(conn: Conn) -> list[ApiKey]:
            rows = conn.execute("SELECT id FROM api_keys ORDER BY name").fetchall()
            return [_load(conn, int(row["id"])) for row in rows]

        return await self._db.read(work)

    async def authenticate(self, secret: str) -> ApiKey | None:
        """The live key `secret` is, or None (unknown, malformed or revoked alike)."""
        _, _, rest = secret.partition("gc_")
        prefix = rest.partition("_")[0]
        if not prefix:
            return None

        def work(conn: Conn) -> ApiKey | None:
            row = conn.execute("SELECT id, key_hash FROM api_keys WHERE prefix = ?"
                               " AND revoked_at IS NULL", (prefix,)).fetchone()
            if row is None or not hmac.compare_digest(row["key_hash"], _hash(secret)):
                return None
            return _load(conn, int(row["id"]))

        return await self._db.read(work)

    async def audit(self, key_id: int | None, method: str, path: str, status: int,
                    now: datetime) -> None:
        await self._db.write(lambda conn: audit_call(conn, key_id, method, path, status, now))

    async def calls(self, key_id: int) -> list[tuple[str, str, int]]:
        def work(conn: Conn) -> list[tuple[str, str, int]]:
            rows = conn.execute("SELECT method, path, status FROM api_calls WHERE key_id = ?"
                                " ORDER BY id", (key_id,)).fetchall()
            return [(row["method"], row["path"], int(row["status"])) for row in rows]

        return await self._db.read(work)


def audit_call(conn: Conn, key_id: int | None, method: str, path: str, status: int,
               now: datetime) -> None:
    conn.execute("INSERT INTO api_calls (at, key_id, method, path, status) VALUES (?, ?, ?, ?, ?)",
                 (stamp(now), key_id, method, path, status))


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _load(conn: Conn, key_id: int) -> ApiKey:
    row = conn.execute("SELECT id, name, branch, scopes, role, created_at, revoked_at"
                       " FROM api_keys WHERE id = ?", (key_id,)).fetchone()
    values = dict(row)
    values["scopes"] = frozenset(s for s in values["scopes"].split(",") if s)
    return ApiKey.model_validate(values)
