"""Forgetting a guest everywhere, and the consent and retention rules that decide when.

An erasure deletes, in one transaction, every row of every table that points at the guest: a
column named `guest_id` (or ending in `_guest_id`) or any foreign key to `guests`, found in
the schema at run time so tables added later are covered too, and, recursively, the rows that
point at those rows. It takes the guest out of the search index and its words out of the typo
vocabulary, drops pending notes that name the guest, and scrubs the outbox's payloads that
mention it. What remains is an anonymous tombstone (the id, when, by whom, why) and one audit
entry without personal data.

Measured on SQLite 3.40: a deleted name stays readable in the FTS5 index and in the WAL file
until `secure_delete`, an FTS `optimize` and a WAL checkpoint have run, so the erasure does
all three (FTS5's own `secure-delete` option needs 3.42). PostgreSQL has neither pragma: a
deleted row stays in its page, and its words in the indexes, until VACUUM removes them, and
VACUUM cannot run inside the erasure's transaction, so `Database.checkpoint` runs it after.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta

from profiles.audit import AuditAction, record
from profiles.errors import GuestNotFound
from profiles.models import Frozen
from profiles.pending import Command, spend
from profiles.search_index import unindex_guest
from store.database import Database, stamp
from store.sql import Conn, dialect, question_marks

# Run inside the erasure's transaction before the rows go: a feature closes what it must
# (an open request is closed with a note and its people told, by number only).
BeforeErase = Callable[[Conn, int, int | None, datetime], None]

FULL_TEXT_INDEXES = ("guest_search",)
# used "create this guest?" offers are kept this long, unused ones this long, then dropped
PENDING_USED_FOR = timedelta(days=1)
PENDING_UNUSED_FOR = timedelta(days=30)
_CHUNK = 500


class Erased(Frozen):
    guest_id: int
    rows: dict[str, int]  # table → rows deleted
    checkpointed: bool


class Swept(Frozen):
    day: str
    erased: list[int]
    checkpointed: bool


# Rewritten in place rather than deleted by an erasure: queued messages that named the guest,
# the typo vocabulary and its state, stale pending notes.
CHANGED_IN_PLACE = frozenset({"outbox", "search_words", "search_index_state", "pending_notes"})


def touched(rows: dict[str, int]) -> set[str]:
    """The tables an erasure that deleted `rows` (per table) left old row versions in."""
    return {table for table, count in rows.items() if count} | CHANGED_IN_PLACE


class Erasure:
    def __init__(self, db: Database, hooks: Sequence[BeforeErase] = ()) -> None:
        self._db = db
        self._hooks = tuple(hooks)

    async def forget(
        self, guest_id: int, *, staff_id: int | None, now: datetime, reason: str = "request"
    ) -> Erased:
        """Erase the guest everywhere; raises GuestNotFound (also for one already erased)."""

        def work(conn: Conn) -> dict[str, int]:
            with secure_delete(conn):
                rows = self._erase(conn, guest_id, staff_id, reason, now)
                optimize_full_text(conn)
            return rows

        rows = await self._db.write(work)
        checkpointed = await self._db.checkpoint(touched(rows))
        return Erased(guest_id=guest_id, rows=rows, checkpointed=checkpointed)

    async def sweep(
        self, now: datetime, *, retention_months: int, spare_consented: bool = True
    ) -> Swept | None:
        """Once per UTC day: erase guests not seen for `retention_months` (0: keep everyone;
        guests who consented are spared unless told otherwise) and drop stale pending notes.
        None when today's sweep already ran."""
        day = now.date().isoformat()

        changed: dict[str, int] = {}

        def work(conn: Conn) -> list[int] | None:
            changed.clear()  # a retried transaction starts over
            cursor = conn.execute("INSERT INTO privacy_sweeps (day, erased, swept_at)"
                                  " VALUES (?, 0, ?) ON CONFLICT (day) DO NOTHING",
                                  (day, stamp(now)))
            if cursor.rowcount != 1:
                return None
            due = (unseen_guests(conn, months_before(now, retention_months), spare_consented)
                   if retention_months > 0 else [])
            with secure_delete(conn):
                for guest_id in due:
                    for table, rows in self._erase(conn, guest_id, None, "retention", now).items():
                        changed[table] = changed.get(table, 0) + rows
                _drop_stale_pending(conn, now)
                if due:  # a second at a million guests, with the writer held: only to purge
                    optimize_full_text(conn)
            conn.execute("UPDATE privacy_sweeps SET erased = ? WHERE day = ?", (len(due), day))
            return due

        erased = await self._db.write(work)
        if erased is None:
            return None
        return Swept(day=day, erased=erased, checkpointed=await self._db.checkpoint(
            touched(changed)))

    async def set_consent(self, guest_id: int, given: bool, *, staff_id: int,
                          now: datetime, spending: int | None = None) -> None:
        """Record (or withdraw) the guest's consent to be remembered beyond retention;
        `spending`: the kept /consent this finishes, used up with it. Raises GuestNotFound,
        PendingNoteGone."""

        def work(conn: Conn) -> None:
            if spending is not None:
                spend(conn, spending, staff_id=staff_id, command=Command.CONSENT, now=now)
            cursor = conn.execute("UPDATE guests SET consent_at = ? WHERE id = ?",
                                  (stamp(now) if given else None, guest_id))
            if cursor.rowcount != 1:
                raise GuestNotFound(guest_id)
            record(conn, AuditAction.CONSENT, staff_id=staff_id, guest_id=guest_id, now=now,
                   details={"given": given})

        await self._db.write(work)

    async def tombstone(self, guest_id: int) -> datetime | None:
        """When the guest was erased, or None if they never were."""
        row = await self._db.read(lambda conn: conn.execute(
            "SELECT erased_at FROM erased_guests WHERE id = ?", (guest_id,)).fetchone())
        return None if row is None else datetime.fromisoformat(row[0])

    def _erase(self, conn: Conn, guest_id: int, staff_id: int | None,
               reason: str, now: datetime) -> dict[str, int]:
        guest = conn.execute("SELECT name, honorific, phone FROM guests WHERE id = ?",
                             (guest_id,)).fetchone()
        if guest is None:
            raise GuestNotFound(guest_id)
        for hook in self._hooks:
            hook(conn, guest_id, staff_id, now)
        texts = _identifying_texts(guest["name"], guest["honorific"], guest["phone"])
        rows = Counter({"outbox": scrub_outbox(conn, guest_id, texts, now),
                        "pending_notes": _drop_pending(conn, texts)})
        rows["guest_search"] = int(unindex_guest(conn, guest_id))
        schema = Schema.read(conn)
        for table, column in schema.guest_columns():
            rows += delete_rows(conn, schema, table, column, [guest_id])
        rows += delete_rows(conn, schema, "guests", "id", [guest_id])
        conn.execute("INSERT INTO erased_guests (id, erased_at, erased_by, reason)"
                     " VALUES (?, ?, ?, ?)", (guest_id, stamp(now), staff_id, reason))
        counts = {table: n for table, n in sorted(rows.items()) if n}
        record(conn, AuditAction.ERASE, staff_id=staff_id, guest_id=guest_id, now=now,
               details={"reason": reason, "tables": sorted(counts)})
        return counts


class Schema:
    """Tables, their columns, keys and foreign keys, read from the database itself."""

    def __init__(self, columns: dict[str, list[str]],
                 references: dict[str, list[tuple[str, str, str]]],
                 keys: dict[str, str] | None = None) -> None:
        self.columns = columns
        # parent table → (child table, child column, parent column)
        self.references = references
        # table → its primary key, for the tables whose key is one column
        self.keys = keys or {}

    @classmethod
    def read(cls, conn: Conn) -> Schema:
        if dialect(conn) == "postgresql":
            return _read_postgres(conn)
        tables = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name")]
        info = {t: conn.execute(f'PRAGMA table_info("{t}")').fetchall() for t in tables}
        columns = {table: [c[1] for c in rows] for table, rows in info.items()}
        keys = {table: found[0] for table, rows in info.items()
                if len(found := [c[1] for c in rows if c[5]]) == 1}
        references: dict[str, list[tuple[str, str, str]]] = {}
        for table in tables:
            for fk in conn.execute(f'PRAGMA foreign_key_list("{table}")').fetchall():
                parent, child_column, parent_column = fk[2], fk[3], fk[4]
                # a foreign key naming no column points at the parent's primary key
                references.setdefault(parent, []).append(
                    (table, child_column, parent_column or keys.get(parent, "rowid")))
        return cls(columns, references, keys)

    def guest_columns(self) -> list[tuple[str, str]]:
        """Every (table, column) that holds a guest's id: by name or by foreign key."""
        found = {(table, column) for table, columns in self.columns.items()
                 for column in columns
                 if column == "guest_id" or column.endswith("_guest_id")}
        found |= {(child, column) for child, column, _ in self.references.get("guests", [])}
        return sorted((table, column) for table, column in found if table != "guests")


def table_columns(conn: Conn, table: str) -> list[str]:
    """The columns of one table, in their order."""
    if dialect(conn) == "postgresql":
        return [row[0] for row in conn.execute(_PG_COLUMNS + " AND c.relname = ?"
                                               " ORDER BY a.attnum", (table,))]
    return [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]


# The catalog, restricted to the tables of the schema the connection works in.
_SCHEMA = "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())"
_PG_COLUMNS = f"""
    SELECT a.attname, c.relname FROM pg_class c
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE c.relnamespace = {_SCHEMA} AND c.relkind IN ('r', 'p')
      AND NOT c.relispartition
"""
_PG_KEYS = f"""
    SELECT c.relname, min(a.attname) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
    WHERE i.indisprimary AND c.relnamespace = {_SCHEMA}
    GROUP BY c.relname HAVING count(*) = 1
"""
_PG_REFERENCES = f"""
    SELECT child.relname, child_column.attname, parent.relname, parent_column.attname
    FROM pg_constraint k
    JOIN pg_class child ON child.oid = k.conrelid
    JOIN pg_class parent ON parent.oid = k.confrelid
    CROSS JOIN LATERAL unnest(k.conkey, k.confkey) AS pair (child_number, parent_number)
    JOIN pg_attribute child_column
      ON child_column.attrelid = k.conrelid AND child_column.attnum = pair.child_number
    JOIN pg_attribute parent_column
      ON parent_column.attrelid = k.confrelid AND parent_column.attnum = pair.parent_number
    WHERE k.contype = 'f' AND k.connamespace = {_SCHEMA}
    ORDER BY child.relname, k.conname, pair.child_number
"""


def _read_postgres(conn: Conn) -> Schema:
    columns: dict[str, list[str]] = {}
    for column, table in conn.execute(_PG_COLUMNS + " ORDER BY c.relname, a.attnum"):
        columns.setdefault(table, []).append(column)
    keys = {table: column for table, column in conn.execute(_PG_KEYS)}
    references: dict[str, list[tuple[str, str, str]]] = {}
    for child, child_column, parent, parent_column in conn.execute(_PG_REFERENCES):
        references.setdefault(parent, []).append((child, child_column, parent_column))
    return Schema(columns, references, keys)


def delete_rows(conn: Conn, schema: Schema, table: str, column: str,
                values: Sequence[object], _path: tuple[str, ...] = ()) -> Counter[str]:
    """Delete the rows of `table` whose `column` is one of `values`, and first, recursively,
    the rows of other tables pointing at them. Returns rows deleted per table."""
    deleted: Counter[str] = Counter()
    for chunk in _chunks(list(values)):
        marks = question_marks(chunk)
        for child, child_column, parent_column in schema.references.get(table, []):
            if child in (table, *_path):
                continue
            keys = [row[0] for row in conn.execute(
                f'SELECT "{parent_column}" FROM "{table}" WHERE "{column}" IN ({marks})', chunk)]
            if keys:
                deleted += delete_rows(conn, schema, child, child_column, keys, (*_path, table))
        cursor = conn.execute(f'DELETE FROM "{table}" WHERE "{column}" IN ({marks})', chunk)
        deleted[table] += cursor.rowcount
    return deleted


def scrub_outbox(conn: Conn, guest_id: int, texts: list[str],
                 now: datetime) -> int:
    """Messages about the guest lose their payload (and, unsent, are given up); a guest in a
    list of several (a brief) is taken out of the list. Keys stay: they are the sent-log."""
    if dialect(conn) == "sqlite":
        sql, contains, ids = _OUTBOX_MENTIONS, "instr(o.payload, ?) > 0", [guest_id]
    else:
        sql, contains, ids = _PG_OUTBOX_MENTIONS, "strpos(o.payload, ?) > 0", [guest_id] * 2
    found = conn.execute(sql.format(texts=" OR ".join(contains for _ in texts) or "1 = 0"),
                         (*ids, *texts))
    changed = 0
    for row in found.fetchall():
        payload, about_guest = _without_guest(json.loads(row["payload"]), guest_id)
        if about_guest or any(text in json.dumps(payload, ensure_ascii=False) for text in texts):
            conn.execute("UPDATE outbox SET payload = '{}', last_error = 'guest erased',"
                         " gave_up_at = CASE WHEN sent_at IS NULL THEN COALESCE(gave_up_at, ?)"
                         " END WHERE id = ?", (stamp(now), row["id"]))
        else:
            conn.execute("UPDATE outbox SET payload = ? WHERE id = ?",
                         (json.dumps(payload, ensure_ascii=False), row["id"]))
        changed += 1
    return changed


# a guest id under a key ending in guest_id, or in a list under one ending in guest_ids
_OUTBOX_MENTIONS = """
    SELECT o.id, o.payload FROM outbox o WHERE o.id IN (
        SELECT o2.id FROM outbox o2, json_tree(o2.payload) j
        WHERE j.atom = ? AND j.type = 'integer'
          AND (j.key LIKE '%guest_id' OR rtrim(j.path, '"') LIKE '%guest_ids'))
       OR {texts}
"""
# the same on PostgreSQL: every object in the payload, at any depth, and its members
_PG_OUTBOX_MENTIONS = """
    SELECT o.id, o.payload FROM outbox o WHERE EXISTS (
        SELECT 1 FROM jsonb_path_query(o.payload::jsonb, 'strict $.** ? (@.type() == "object")')
                 AS node (object), jsonb_each(node.object) AS member
        WHERE (member.key LIKE '%guest_id' AND member.value = to_jsonb(?::bigint))
           OR (member.key LIKE '%guest_ids' AND jsonb_typeof(member.value) = 'array'
               AND member.value @> jsonb_build_array(?::bigint)))
       OR {texts}
"""


def _without_guest(payload: object, guest_id: int) -> tuple[object, bool]:
    """(the payload without the guest in its id lists, whether it is about the guest)."""
    if not isinstance(payload, dict):
        return payload, False
    about = any(key == "guest_id" or key.endswith("_guest_id") for key, value in
                payload.items() if value == guest_id)
    cleaned = {key: ([v for v in value if v != guest_id] if key.endswith("guest_ids")
                     and isinstance(value, list) else value) for key, value in payload.items()}
    return cleaned, about


def unseen_guests(conn: Conn, cutoff: datetime,
                  spare_consented: bool) -> list[int]:
    """Guests neither created nor seen since `cutoff` (consenting ones spared if asked)."""
    rows = conn.execute(
        "SELECT g.id FROM guests g WHERE g.created_at < ?"
        " AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.guest_id = g.id AND v.arrived_at >= ?)"
        " AND (? = 0 OR g.consent_at IS NULL) ORDER BY g.id",
        (stamp(cutoff), stamp(cutoff), int(spare_consented)),
    )
    return [row[0] for row in rows]


def months_before(now: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the month's last day if the
    day does not exist there)."""
    index = now.year * 12 + now.month - 1 - months
    year, month = divmod(index, 12)
    for day in range(now.day, 27, -1):
        try:
            return now.replace(year=year, month=month + 1, day=day)
        except ValueError:
            continue
    return now.replace(year=year, month=month + 1, day=min(now.day, 28))


def optimize_full_text(conn: Conn) -> None:
    """Merge the FTS5 index's segments: a deleted row's tokens stay in old segments until
    then. The cost grows with the index; an erasure is rare. (PostgreSQL's indexes are
    cleaned by the VACUUM that `Database.checkpoint` runs.)"""
    if dialect(conn) != "sqlite":
        return
    for index in FULL_TEXT_INDEXES:
        conn.execute(f"INSERT INTO \"{index}\" (\"{index}\") VALUES ('optimize')")


@contextmanager
def secure_delete(conn: Conn) -> Iterator[None]:
    """Freed pages and cells are overwritten with zeros while inside (restored after).
    PostgreSQL has no such setting: see `Database.checkpoint`."""
    if dialect(conn) != "sqlite":
        yield
        return
    before = int(conn.execute("PRAGMA secure_delete").fetchone()[0])
    conn.execute("PRAGMA secure_delete = ON")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA secure_delete = {before}")


def _identifying_texts(name: str, honorific: str, phone: str | None) -> list[str]:
    """What would name the guest in free text: the full name, a name of two or more
    characters, the phone. A one-character name (王) would match other guests' text."""
    texts = [name + honorific, f"{honorific} {name}", name if len(name) >= 2 else "", phone or ""]
    if phone:
        texts.append(phone.lstrip("+"))
    return sorted({text for text in texts if len(text.strip()) >= 2})


def _drop_pending(conn: Conn, texts: list[str]) -> int:
    """Pending notes naming the guest, or carrying their phone."""
    if not texts:
        return 0
    contains = "instr" if dialect(conn) == "sqlite" else "strpos"
    match = " OR ".join(f"{contains}(name, ?) > 0 OR {contains}(text, ?) > 0 OR phone = ?"
                        for _ in texts)
    params = [value for text in texts for value in (text, text, text)]
    return conn.execute(f"DELETE FROM pending_notes WHERE {match}", params).rowcount


def _drop_stale_pending(conn: Conn, now: datetime) -> int:
    return conn.execute(
        "DELETE FROM pending_notes WHERE (used_at IS NOT NULL AND used_at < ?)"
        " OR created_at < ?",
        (stamp(now - PENDING_USED_FOR), stamp(now - PENDING_UNUSED_FOR)),
    ).rowcount


def _chunks(values: list[object]) -> Iterator[list[object]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]
