"""Online backups of the SQLite database, and restoring one.

SQLite's backup API copies a consistent snapshot page by page while the bot keeps serving;
the copy is written beside the target and renamed into place, so a half-written backup never
looks like a good one.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from store.database import (
    MigrationChanged,
    SchemaTooNew,
    require_known_schema,
    shipped_migrations,
    unrecorded_checksums,
)
from store.sqlite import BUSY_TIMEOUT_MS

PAGES_PER_STEP = 1024  # small steps let the bot's writers in between


class BackupError(Exception):
    """The file is not a usable guestcard backup, or the database could not be copied."""


def backup(database: Path, target: Path) -> int:
    """Copy the live `database` to `target`; how many guests the copy holds."""
    if not database.exists():
        raise BackupError(f"{database}: no such database")
    partial = target.with_name(target.name + ".partial")
    with _connect(database) as source, _connect(partial) as copy:
        source.backup(copy, pages=PAGES_PER_STEP)
    guests = check_backup(partial)
    os.replace(partial, target)
    return guests


def restore(backup_file: Path, database: Path) -> int:
    """Replace `database` with a checked backup (stop the bot first); how many guests."""
    guests = check_backup(backup_file)
    partial = database.with_name(database.name + ".restoring")
    with _connect(backup_file) as source, _connect(partial) as copy:
        source.backup(copy)
    for leftover in (Path(f"{database}-wal"), Path(f"{database}-shm")):
        leftover.unlink(missing_ok=True)  # a WAL of the old database must not replay into this
    os.replace(partial, database)
    return guests


def check_backup(path: Path) -> int:
    """Integrity and shape of a backup file; the number of guests in it."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")  # sqlite3 would create an empty one
    try:
        with _connect(path) as conn:
            verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                raise BackupError(f"{path}: damaged ({verdict})")
            columns = {row[1] for row in conn.execute("PRAGMA table_info(schema_migrations)")}
            done = dict(conn.execute(
                "SELECT version, " + ("checksum" if "checksum" in columns else "NULL")
                + " FROM schema_migrations").fetchall())
            try:
                require_known_schema(done, shipped_migrations())
                unrecorded_checksums(done, shipped_migrations())
            except (SchemaTooNew, MigrationChanged) as error:
                raise BackupError(f"{path}: {error}") from None
            return int(conn.execute("SELECT COUNT(*) FROM guests").fetchone()[0])
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path}: not a guestcard database ({error})") from None


class _connect:
    """A plain sqlite3 connection that is closed on exit (sqlite3's own only commits)."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)

    def __enter__(self) -> sqlite3.Connection:
        return self._conn

    def __exit__(self, *exc: object) -> None:
        self._conn.close()
