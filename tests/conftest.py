from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import pytest
from hypothesis import settings

from profiles.models import Role, Staff
from profiles.staff import StaffStore
from store.connect import open_database
from store.database import Database
from tests import postgres
from tests.factories import NOW

# as `guestcard` itself does: PTB time periods as timedelta (RetryAfter.retry_after)
os.environ.setdefault("PTB_TIMEDELTA", "true")

# CI draws the same examples on every run, so that red means a change broke something; other
# runs keep drawing new ones, to find what CI's never will.
settings.register_profile("ci", derandomize=True)
if os.environ.get("GUESTCARD_HYPOTHESIS_PROFILE") == "ci":
    settings.load_profile("ci")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """Where a fresh, fully migrated database is: SQLite in memory, or a PostgreSQL database
    of the test's own (see tests/postgres.py)."""
    if request.param == "sqlite":
        yield ":memory:"
    else:
        with postgres.fresh_database() as url:
            yield url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A fresh, fully migrated database, once on each store."""
    database = await open_database(database_url)
    yield database
    await database.close()


def pytest_sessionfinish(session: pytest.Session) -> None:
    postgres.drop_template()


@pytest.fixture
async def waiter(db: Database) -> Staff:
    """A staff member who joined the LA branch by invite."""
    return await join(db, Role.WAITER, "la", telegram_id=1001)


async def join(db: Database, role: Role, branch: str, *, telegram_id: int) -> Staff:
    store = StaffStore(db)
    invite = await store.create_invite(role, branch, created_by=None, now=NOW,
                                       valid_for=timedelta(hours=1))
    return await store.join(invite.code, telegram_id=telegram_id, name=f"staff {telegram_id}",
                            language="en", now=NOW)
