from datetime import timedelta

import pytest

from profiles.errors import InviteInvalid
from profiles.models import Role
from profiles.staff import StaffStore
from store.database import Database
from tests.factories import NOW

HOUR = timedelta(hours=1)


async def test_an_invite_makes_its_holder_staff_with_its_role_and_branch(db: Database) -> None:
    store = StaffStore(db)
    invite = await store.create_invite(Role.LEAD, "sh", created_by=None, now=NOW, valid_for=HOUR)
    member = await store.join(invite.code, telegram_id=7, name="Li", language="zh", now=NOW)
    assert (member.role, member.branch, member.active) == (Role.LEAD, "sh", True)
    assert await store.by_telegram_id(7) == member


async def test_an_invite_works_once(db: Database) -> None:
    store = StaffStore(db)
    invite = await store.create_invite(Role.WAITER, "la", created_by=None, now=NOW, valid_for=HOUR)
    await store.join(invite.code, telegram_id=7, name="Li", language="zh", now=NOW)
    with pytest.raises(InviteInvalid):
        await store.join(invite.code, telegram_id=8, name="Mo", language="zh", now=NOW)
    assert await store.by_telegram_id(8) is None


async def test_an_expired_or_unknown_invite_is_refused(db: Database) -> None:
    store = StaffStore(db)
    invite = await store.create_invite(Role.WAITER, "la", created_by=None, now=NOW, valid_for=HOUR)
    with pytest.raises(InviteInvalid):
        await store.join(invite.code, telegram_id=7, name="Li", language="zh", now=NOW + HOUR)
    with pytest.raises(InviteInvalid):
        await store.join("no-such-code", telegram_id=7, name="Li", language="zh", now=NOW)


async def test_invite_codes_fit_a_deep_link(db: Database) -> None:
    invite = await StaffStore(db).create_invite(Role.WAITER, "la", created_by=None, now=NOW,
                                                valid_for=HOUR)
    assert len(invite.code) <= 64
    assert all(ch.isalnum() or ch in "-_" for ch in invite.code)


async def test_deactivated_staff_come_back_only_through_a_new_invite(db: Database) -> None:
    store = StaffStore(db)
    first = await store.create_invite(Role.WAITER, "la", created_by=None, now=NOW, valid_for=HOUR)
    member = await store.join(first.code, telegram_id=7, name="Li", language="zh", now=NOW)
    assert (await store.set_active(member.id, False)).active is False
    again = await store.create_invite(Role.LEAD, "sh", created_by=None, now=NOW, valid_for=HOUR)
    back = await store.join(again.code, telegram_id=7, name="Li", language="zh", now=NOW)
    assert (back.id, back.active, back.role, back.branch) == (member.id, True, Role.LEAD, "sh")


async def test_language_choice_is_kept(db: Database) -> None:
    store = StaffStore(db)
    invite = await store.create_invite(Role.WAITER, "la", created_by=None, now=NOW, valid_for=HOUR)
    member = await store.join(invite.code, telegram_id=7, name="Li", language="zh", now=NOW)
    await store.set_language(member.id, "en")
    assert (await store.get(member.id)).language == "en"
