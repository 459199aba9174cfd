from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from profiles.db import Database
from profiles.models import Role, Staff
from profiles.staff import StaffStore
from tests.factories import NOW

# as `guestcard` itself does: PTB time periods as timedelta (RetryAfter.retry_after)
os.environ.setdefault("PTB_TIMEDELTA", "true")


@pytest.fixture
async def db() -> AsyncIterator[Database]:
    """A fresh, fully migrated database in memory."""
    database = await Database.open(":memory:")
    yield database
    await database.close()


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
