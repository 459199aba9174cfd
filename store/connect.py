"""Opening the database a chain configured: a SQLite file, or a PostgreSQL URL."""

from __future__ import annotations

from pathlib import Path

from store.database import Database, Migration, is_postgres_url
from store.sqlite import SqliteDatabase


async def open_database(target: str | Path, migrations: list[Migration] | None = None) -> Database:
    """Open and migrate the database at `target`: a postgresql:// URL, or a SQLite file path
    (created if needed; ":memory:" for tests)."""
    if is_postgres_url(str(target)):
        from store.postgres import PostgresDatabase  # psycopg loads only when used

        return await PostgresDatabase.connect(str(target), migrations)
    return await SqliteDatabase.connect(target, migrations)
