"""The lease a running bot holds on its database, renewed every sweep.

`restore` and `migrate` replace or copy the whole database; done under a running bot they
would lose what it writes meanwhile. They read the lease first and refuse while it is fresh.
"""

from __future__ import annotations

import os
import socket
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from store.database import Database, stamp
from store.sql import Conn

BOT_LEASE = "bot"
# three missed sweeps (30 s each) and the bot is taken for stopped
STALE_AFTER = timedelta(seconds=90)


class DatabaseInUse(Exception):
    """A bot renewed its lease on the database moments ago."""

    def __init__(self, holder: str, renewed_at: datetime, *, stale: bool) -> None:
        when = f"{renewed_at:%Y-%m-%d %H:%M:%S} UTC"
        super().__init__(
            f"a bot ({holder}) last renewed its lease on this database at {when}, and did "
            "not stop cleanly: if it is surely stopped, run again with --force" if stale else
            f"a bot ({holder}) is using this database (lease renewed at {when}): stop it "
            "first")
        self.holder, self.renewed_at, self.stale = holder, renewed_at, stale


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def process_name() -> str:
    """This process as its outbox claims name it: host, pid namespace and pid. Containers
    may share a host name but not their pids: only a process of the same namespace can tell
    whether another is alive."""
    try:
        namespace = os.readlink("/proc/self/ns/pid").strip("pid:[]")
    except OSError:
        namespace = ""  # no /proc: nobody's liveness can be told
    return f"{socket.gethostname()}:{namespace}:{os.getpid()}"


def is_gone(claimer: str, me: str | None = None) -> bool:
    """Whether the process `claimer` (a process_name) surely runs no more: it ran in this
    host's and this pid namespace, and its pid is free or is this process's own (then it was
    an earlier process). Any other process, or a pid taken by any process, counts as alive."""
    mine = me or process_name()
    host, namespace, pid = [*claimer.rsplit(":", 2), "", ""][:3]
    here, our_namespace, _ = mine.rsplit(":", 2)
    if (host, namespace) != (here, our_namespace) or not our_namespace or not pid.isdigit():
        return False
    if claimer == mine:
        return True  # we are that pid now: the claimer was an earlier process
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError):
        return False  # a process runs there, another user's or none we can signal
    return False


async def renew(db: Database, now: datetime, holder: str | None = None) -> None:
    name = holder or holder_name()
    await db.claim(lambda conn: renew_lease(conn, name, now))


def renew_lease(conn: Conn, holder: str, now: datetime) -> None:
    conn.execute("INSERT INTO leases (name, holder, renewed_at) VALUES (?, ?, ?)"
                 " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
                 " renewed_at = excluded.renewed_at", (BOT_LEASE, holder, stamp(now)))


async def release(db: Database, holder: str | None = None) -> None:
    """Give the lease back, if this process still holds it: another process of the bot on the
    same database keeps its own."""
    name = holder or holder_name()
    await db.claim(lambda conn: conn.execute(
        "DELETE FROM leases WHERE name = ? AND holder = ?", (BOT_LEASE, name)))


async def last_renewed(db: Database) -> tuple[str, datetime] | None:
    def work(conn: Conn) -> tuple[str, datetime] | None:
        row = conn.execute("SELECT holder, renewed_at FROM leases WHERE name = ?",
                           (BOT_LEASE,)).fetchone()
        return None if row is None else (str(row[0]), datetime.fromisoformat(row[1]))

    return await db.read(work)


def require_free_sqlite(path: Path, now: datetime, *, force: bool = False) -> None:
    """Raise DatabaseInUse if a bot renewed its lease on the SQLite file within
    STALE_AFTER; `force` passes only a stale lease, never a fresh one."""
    if not path.exists():
        return
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT holder, renewed_at FROM leases WHERE name = ?",
                           (BOT_LEASE,)).fetchone()
    except sqlite3.OperationalError:
        return  # a database from before leases: no bot of this version runs on it
    finally:
        conn.close()
    if row is None:
        return
    renewed = datetime.fromisoformat(row[1])
    stale = now - renewed >= STALE_AFTER
    if not (stale and force):
        raise DatabaseInUse(str(row[0]), renewed, stale=stale)
