"""Merging a duplicate guest into the one kept, and undoing it.

Everything that pointed at the duplicate (traits, visits, notes, bookings, requests, … any
table with a foreign key to `guests`, including tables added later) is moved to the guest
kept, untouched otherwise: who learned what, where and when stays as it was. A trait the kept
guest already has is retracted rather than shown twice. The duplicate's row is deleted, and
the merge is recorded with everything needed to put it back: its row, the rows moved, the
traits retracted and the kept guest's fields filled in from it. Its old `#id` leads to the
kept guest until the merge is undone.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Final

from profiles.audit import AuditAction, record
from profiles.erasure import Schema, table_columns
from profiles.errors import GuestNotFound
from profiles.guests import load_guest, next_guest_id
from profiles.models import Frozen, Guest, Segment
from profiles.search_index import index_guest, unindex_guest
from profiles.traits import says_again
from store.database import Database, stamp
from store.sql import INTEGRITY_ERRORS, Conn, Row, dialect, inserted_id

# The kept guest's fields a merge may fill in from the duplicate, when it has none.
FILLED: Final = ("phone", "phone_rev", "tier", "segment")
# A merged guest merged again: #id follows at most this many merges.
MAX_HOPS: Final = 8


class SameGuest(ValueError):
    """Both references are the same guest."""


class MergeConflict(Exception):
    """A table holds rows for both guests that may not both belong to one (a unique key)."""


class MergeGone(Exception):
    """The merge is unknown or was undone already."""


class Merge(Frozen):
    id: int
    kept_id: int
    merged_id: int
    merged_name: str
    moved: dict[str, int]  # "table.column" → rows moved
    folded: int  # traits retracted as repeats of the kept guest's
    staff_id: int | None
    created_at: datetime
    undone_at: datetime | None = None


class GuestMerges:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def merge(self, kept_id: int, merged_id: int, *, staff_id: int | None,
                    now: datetime) -> Merge:
        """Merge guest `merged_id` into `kept_id`, in one write.

        Raises SameGuest, GuestNotFound, or MergeConflict (nothing is written then).
        """
        return await self._db.write(
            lambda conn: merge_guests(conn, kept_id, merged_id, staff_id=staff_id, now=now))

    async def undo(self, merge_id: int, *, staff_id: int, now: datetime) -> Guest:
        """Put the merged guest back with what was moved from it; the guest restored.

        It gets its old id back unless a newer guest has taken it since. Raises MergeGone.
        """
        return await self._db.write(
            lambda conn: unmerge(conn, merge_id, staff_id=staff_id, now=now))

    async def latest(self, merged_id: int) -> Merge | None:
        """The standing merge that took guest `merged_id` away, if any."""

        def work(conn: Conn) -> Merge | None:
            row = conn.execute(f"{_MERGE_SQL} WHERE merged_guest_id = ? AND undone_at IS NULL"
                               " ORDER BY id DESC LIMIT 1", (merged_id,)).fetchone()
            return None if row is None else _merge(row)

        return await self._db.read(work)

    async def recent(self, limit: int = 10) -> list[Merge]:
        """The latest merges still standing, newest first."""
        return await self._db.read(lambda conn: [_merge(row) for row in conn.execute(
            f"{_MERGE_SQL} WHERE undone_at IS NULL ORDER BY id DESC LIMIT ?", (limit,))])


_MERGE_SQL = "SELECT * FROM guest_merges"


def merged_into(conn: Conn, guest_id: int) -> int | None:
    """Where a merged-away guest lives on now (following later merges), or None."""
    current, hops = guest_id, 0
    while hops < MAX_HOPS:
        row = conn.execute("SELECT kept_guest_id FROM guest_merges WHERE merged_guest_id = ?"
                           " AND undone_at IS NULL ORDER BY id DESC LIMIT 1",
                           (current,)).fetchone()
        if row is None:
            break
        current, hops = row[0], hops + 1
    return current if hops else None


def merge_guests(conn: Conn, kept_id: int, merged_id: int, *,
                 staff_id: int | None, now: datetime) -> Merge:
    """`GuestMerges.merge` inside the caller's transaction."""
    if kept_id == merged_id:
        raise SameGuest(kept_id)
    kept, merged = _guest_row(conn, kept_id), _guest_row(conn, merged_id)
    folded = _fold_repeated_traits(conn, kept_id, merged_id, staff_id, now)
    schema = Schema.read(conn)
    moved = {f"{table}.{column}": _move(conn, table, column, _row_key(conn, schema, table),
                                        merged_id, kept_id)
             for table, column in guest_references(schema)}
    kept_before = _fill_in(conn, kept, merged)
    unindex_guest(conn, merged_id)
    conn.execute("DELETE FROM guests WHERE id = ?", (merged_id,))
    cursor = conn.execute(
        "INSERT INTO guest_merges (kept_guest_id, merged_guest_id, merged_guest, kept_before,"
        " moved, folded, staff_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (kept_id, merged_id, json.dumps(merged, ensure_ascii=False), json.dumps(kept_before),
         json.dumps(moved), json.dumps(folded), staff_id, stamp(now)),
    )
    merge = _merge(conn.execute(f"{_MERGE_SQL} WHERE id = ?",
                                (inserted_id(cursor),)).fetchone())
    record(conn, AuditAction.MERGE, staff_id=staff_id, guest_id=kept_id, now=now,
           details={"merge": merge.id, "merged": merged_id, "moved": sum(merge.moved.values())})
    return merge


def unmerge(conn: Conn, merge_id: int, *, staff_id: int, now: datetime) -> Guest:
    """`GuestMerges.undo` inside the caller's transaction."""
    merge_row = conn.execute(f"{_MERGE_SQL} WHERE id = ? AND undone_at IS NULL",
                             (merge_id,)).fetchone()
    if merge_row is None:
        raise MergeGone(merge_id)
    restored_id = _restore_row(conn, json.loads(merge_row["merged_guest"]))
    schema = Schema.read(conn)
    for key, row_ids in json.loads(merge_row["moved"]).items():
        table, column = key.split(".")
        _move_back(conn, table, column, _row_key(conn, schema, table), row_ids, restored_id)
    folded = json.loads(merge_row["folded"])
    conn.executemany(
        "UPDATE traits SET retracted_at = NULL, retracted_by = NULL"
        " WHERE id = ? AND retracted_at = ?",
        [(trait_id, merge_row["created_at"]) for trait_id in folded],
    )
    _unfill(conn, merge_row["kept_guest_id"], json.loads(merge_row["kept_before"]))
    index_guest(conn, restored_id)
    conn.execute("UPDATE guest_merges SET undone_at = ?, undone_by = ? WHERE id = ?",
                 (stamp(now), staff_id, merge_id))
    record(conn, AuditAction.MERGE, staff_id=staff_id, guest_id=restored_id, now=now,
           details={"undone": merge_id, "kept": merge_row["kept_guest_id"]})
    return load_guest(conn, restored_id)


def guest_references(schema: Schema) -> list[tuple[str, str]]:
    """Every (table, column) with a foreign key to guests, whoever added the table."""
    return [(table, column) for table, column, _ in schema.references.get("guests", [])]


def _row_key(conn: Conn, schema: Schema, table: str) -> str | None:
    """What tells a table's rows apart after the merge, for its undo: the primary key, or
    SQLite's rowid. PostgreSQL has no lasting row id (a ctid changes with every update), so
    there a table without a one-column key has its rows moved but not moved back."""
    return schema.keys.get(table, "rowid" if dialect(conn) == "sqlite" else None)


def _guest_row(conn: Conn, guest_id: int) -> dict[str, object]:
    row = conn.execute("SELECT * FROM guests WHERE id = ?", (guest_id,)).fetchone()
    if row is None:
        raise GuestNotFound(guest_id)
    return dict(row)


def _fold_repeated_traits(conn: Conn, kept_id: int, merged_id: int,
                          staff_id: int | None, now: datetime) -> list[int]:
    """Retract the duplicate's standing traits that the kept guest has too, in the same
    words or naming the same concept in the other language ("不吃蒜" and "no garlic");
    their ids."""
    rows = conn.execute(
        "SELECT id, guest_id, category, norm, attrs FROM traits"
        " WHERE guest_id IN (?, ?) AND retracted_at IS NULL ORDER BY id",
        (kept_id, merged_id)).fetchall()
    standing = [(row["id"], row["guest_id"], row["category"], row["norm"],
                 json.loads(row["attrs"] or "{}")) for row in rows]
    kept = [(category, norm, attrs) for _, guest_id, category, norm, attrs in standing
            if guest_id == kept_id]
    repeated = [trait_id for trait_id, guest_id, category, norm, attrs in standing
                if guest_id == merged_id and any(
                    category == other and (norm == other_norm or says_again(attrs, other_attrs))
                    for other, other_norm, other_attrs in kept)]
    conn.executemany("UPDATE traits SET retracted_at = ?, retracted_by = ? WHERE id = ?",
                     [(stamp(now), staff_id, trait_id) for trait_id in repeated])
    return repeated


def _move(conn: Conn, table: str, column: str, key: str | None, from_id: int,
          to_id: int) -> list[object]:
    """Point the table's rows at the guest kept; their keys (None where there is no key).

    A refused row (a unique key) fails the whole merge, so no savepoint is needed on
    PostgreSQL, where the failed statement spoils the transaction."""
    where = f"FROM {_quoted(table)} WHERE {_quoted(column)} = ?"
    row_ids = ([] if key is None else
               [row_id for (row_id,) in conn.execute(f"SELECT {_quoted(key)} {where}",
                                                     (from_id,))])
    try:
        cursor = conn.execute(f"UPDATE {_quoted(table)} SET {_quoted(column)} = ? WHERE"
                              f" {_quoted(column)} = ?", (to_id, from_id))
    except INTEGRITY_ERRORS as error:
        raise MergeConflict(table) from error
    return row_ids if key is not None else [None] * cursor.rowcount


def _move_back(conn: Conn, table: str, column: str, key: str | None, row_ids: list[object],
               guest_id: int) -> None:
    # Rows deleted since (a trait erased, a request closed and purged) are simply gone.
    if key is not None:
        conn.executemany(
            f"UPDATE {_quoted(table)} SET {_quoted(column)} = ? WHERE {_quoted(key)} = ?",
            [(guest_id, row_id) for row_id in row_ids if row_id is not None])


def _fill_in(conn: Conn, kept: dict[str, object],
             merged: dict[str, object]) -> dict[str, list[object]]:
    """Give the kept guest the duplicate's phone, tier and segment where it has none (an
    unwelcome segment always wins: a warning must not vanish in a merge).

    Returns, per column changed, [the value before, the value set].
    """
    changes = {column: merged[column] for column in FILLED
               if kept[column] is None and merged[column] is not None}
    if merged["segment"] == Segment.UNWELCOME and kept["segment"] != Segment.UNWELCOME:
        changes["segment"] = Segment.UNWELCOME.value
    if changes:
        assignments = ", ".join(f"{column} = ?" for column in changes)
        conn.execute(f"UPDATE guests SET {assignments} WHERE id = ?",
                     [*changes.values(), kept["id"]])
    return {column: [kept[column], value] for column, value in changes.items()}


def _unfill(conn: Conn, kept_id: int, filled: dict[str, list[object]]) -> None:
    """Take back what the merge filled in, unless someone has changed it since."""
    same = "IS" if dialect(conn) == "sqlite" else "IS NOT DISTINCT FROM"
    for column, (before, after) in filled.items():
        if column in FILLED:  # the record names columns: never put its text into SQL unchecked
            conn.execute(f"UPDATE guests SET {column} = ? WHERE id = ? AND {column} {same} ?",
                         (before, kept_id, after))


def _restore_row(conn: Conn, row: dict[str, object]) -> int:
    """Insert the guest row as it was; under a new id if its old one was taken since."""
    if conn.execute("SELECT 1 FROM guests WHERE id = ?", (row["id"],)).fetchone() is not None:
        row = {**row, "id": next_guest_id(conn)}
    known = set(table_columns(conn, "guests"))
    columns = [column for column in row if column in known]
    cursor = conn.execute(
        f"INSERT INTO guests ({', '.join(_quoted(c) for c in columns)})"
        f" VALUES ({', '.join('?' for _ in columns)}) RETURNING id", [row[c] for c in columns])
    return inserted_id(cursor)


def _merge(row: Row) -> Merge:
    merged = json.loads(row["merged_guest"])
    moved = json.loads(row["moved"])
    return Merge(
        id=row["id"], kept_id=row["kept_guest_id"], merged_id=row["merged_guest_id"],
        merged_name=_display_name(merged), moved={key: len(ids) for key, ids in moved.items()},
        folded=len(json.loads(row["folded"])), staff_id=row["staff_id"],
        created_at=row["created_at"], undone_at=row["undone_at"],
    )


def _display_name(row: dict[str, object]) -> str:
    name, honorific = str(row["name"]), str(row.get("honorific") or "")
    if not honorific:
        return name
    return f"{honorific} {name}" if honorific.isascii() else f"{name}{honorific}"


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'
