import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from playbooks.briefs import brief, occasions
from playbooks.feedback import ASK_KIND
from playbooks.outbox import BULK_KINDS, Outbox, Outgoing, backoff
from playbooks.service_report.audit import REPORT_KIND
from playbooks.status import weekly as regulars
from store.connect import open_database
from store.database import Database
from store.lease import process_name
from tests.factories import NOW

MINUTE = timedelta(minutes=1)


def reminder(key: str = "occasion:1:1001:2026-11-22", **overrides: object) -> Outgoing:
    values: dict[str, object] = {"key": key, "kind": "test", "chat_id": 1001, "not_before": NOW,
                                 "payload": {"guest": 1}}
    return Outgoing.model_validate({**values, **overrides})


async def test_a_message_decided_twice_is_queued_once(db: Database) -> None:
    outbox = Outbox(db)
    assert await outbox.put([reminder(), reminder()], NOW) == 1
    assert await outbox.put([reminder()], NOW + MINUTE) == 0


async def test_nothing_is_claimed_before_it_is_due(db: Database) -> None:
    outbox = Outbox(db)
    await outbox.put([reminder(not_before=NOW + MINUTE)], NOW)
    assert await outbox.claim(NOW) == []
    assert [d.payload for d in await outbox.claim(NOW + MINUTE)] == [{"guest": 1}]


async def test_a_claim_is_a_lease_another_sweep_leaves_alone(db: Database) -> None:
    outbox = Outbox(db)
    await outbox.put([reminder()], NOW)
    assert len(await outbox.claim(NOW, lease=MINUTE)) == 1
    assert await outbox.claim(NOW + timedelta(seconds=30)) == []
    # the sender died without marking: after the lease the message is due again, not lost
    assert len(await outbox.claim(NOW + 2 * MINUTE)) == 1


async def test_a_restart_frees_at_once_what_a_dead_process_here_claimed(db: Database) -> None:
    here, namespace, me = process_name().rsplit(":", 2)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    claimers = {"dead": f"{here}:{namespace}:{dead}", "alive": f"{here}:{namespace}:{os.getppid()}",
                "elsewhere": f"another-host:{namespace}:{dead}",
                # another container of this host: its pids are not ours to look up
                "another_namespace": f"{here}:1:{dead}",
                "restarted": f"{here}:{namespace}:{me}"}
    for name, claimer in claimers.items():
        await Outbox(db).put([reminder(f"occasion:{name}")], NOW)
        assert len(await Outbox(db, claimer).claim(NOW)) == 1
    assert await Outbox(db).free_claims_of_the_dead(NOW) == 2
    # the dead one's and the one whose pid this process now runs under go out again now; the
    # live process's, another host's and another namespace's, whose life cannot be seen from
    # here, wait their lease
    assert sorted(d.key for d in await Outbox(db).claim(NOW)) == [
        "occasion:dead", "occasion:restarted"]


async def test_a_sent_message_is_never_claimed_again(db: Database) -> None:
    outbox = Outbox(db)
    await outbox.put([reminder()], NOW)
    [delivery] = await outbox.claim(NOW)
    await outbox.sent(delivery.id, message_id=7, now=NOW)
    assert await outbox.claim(NOW + timedelta(days=1)) == []
    assert await outbox.sent_keys("occasion:") == [reminder().key]


async def test_a_retry_waits_its_backoff(db: Database) -> None:
    outbox = Outbox(db)
    await outbox.put([reminder()], NOW)
    [delivery] = await outbox.claim(NOW)
    await outbox.retry(delivery.id, error="502", after=MINUTE, now=NOW)
    assert await outbox.claim(NOW + timedelta(seconds=59)) == []
    [again] = await outbox.claim(NOW + MINUTE)
    assert again.attempts == 1


async def test_an_expired_message_is_dropped_not_sent_late(db: Database) -> None:
    outbox = Outbox(db)
    await outbox.put([reminder(expires_at=NOW + MINUTE)], NOW - MINUTE)
    assert await outbox.claim(NOW + MINUTE) == []
    state = await outbox.state(reminder().key)
    assert state is not None and (state.sent_at, state.last_error) == (None, "expired")


def test_backoff_doubles_up_to_fifteen_minutes() -> None:
    assert [backoff(n).total_seconds() for n in (0, 1, 2, 20)] == [10, 20, 40, 900]


@pytest.fixture
def shared_url(database_url: str, tmp_path: Path) -> str:
    """A database two processes can open: a file on SQLite (":memory:" is one connection's)."""
    return str(tmp_path / "guestcard.db") if database_url == ":memory:" else database_url


@pytest.fixture
async def two_processes(shared_url: str) -> AsyncIterator[tuple[Database, Database]]:
    """Two bot processes' stores, opened on the same database."""
    first = await open_database(shared_url)
    second = await open_database(shared_url)
    yield first, second
    await first.close()
    await second.close()


async def test_two_processes_on_one_database_never_claim_the_same_message(
    two_processes: tuple[Database, Database],
) -> None:
    first, second = two_processes
    await Outbox(first).put([reminder(key=f"k{n}") for n in range(30)], NOW)
    claimed = [await Outbox(db).claim(NOW, limit=7) for db in (first, second, first, second,
                                                                first)]
    ids = [delivery.id for batch in claimed for delivery in batch]
    assert sorted(ids) == sorted(set(ids)) and len(ids) == 30


async def test_senders_claiming_at_once_in_two_processes_never_share_a_message(
    two_processes: tuple[Database, Database],
) -> None:
    first, second = two_processes
    await Outbox(first).put([reminder(key=f"k{n}") for n in range(60)], NOW)
    senders = [Outbox(first), Outbox(second)] * 6
    at_once = await asyncio.gather(*(sender.claim(NOW, limit=5) for sender in senders))
    # a sender may come away with fewer than it asked for; what nobody took is still due
    left = [await sender.claim(NOW, limit=60) for sender in senders[:2]]
    ids = [delivery.id for batch in [*at_once, *left] for delivery in batch]
    assert len(ids) == len(set(ids)) == 60


async def test_an_alert_is_claimed_before_the_bulk_planned_earlier(db: Database) -> None:
    outbox = Outbox(db)
    await outbox.put([reminder(f"brief:la:lunch:{n}", kind="brief", chat_id=n)
                      for n in range(25)], NOW)
    await outbox.put([reminder("allergy.alert:1:7", kind="allergy.alert", chat_id=7)],
                     NOW + MINUTE)
    first = await outbox.claim(NOW + MINUTE, limit=20)
    assert [d.kind for d in first[:1]] + sorted({d.kind for d in first[1:]}) == [
        "allergy.alert", "brief"]
    assert [d.key for d in first[1:3]] == ["brief:la:lunch:0", "brief:la:lunch:1"]


async def test_a_claim_without_bulk_leaves_the_sweeps_messages_to_the_sweep(
    db: Database,
) -> None:
    outbox = Outbox(db)
    await outbox.put([reminder(f"brief:la:lunch:{n}", kind="brief", chat_id=100 + n)
                      for n in range(3)]
                     + [reminder("allergy.alert:1:7", kind="allergy.alert", chat_id=7)], NOW)
    assert [d.kind for d in await outbox.claim(NOW, bulk=False)] == ["allergy.alert"]
    assert await outbox.claim(NOW, bulk=False) == []
    assert {d.kind for d in await outbox.claim(NOW)} == {"brief"}


def test_the_bulk_kinds_are_the_planners_own() -> None:
    assert set(BULK_KINDS) == {brief.KIND, occasions.KIND, REPORT_KIND, ASK_KIND,
                               regulars.KIND}
