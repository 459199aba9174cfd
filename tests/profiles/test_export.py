"""A guest's record handed over: every section, a table added later, nothing derived."""

from __future__ import annotations

import json

from profiles.audit import AuditAction, AuditLog
from profiles.export import FORMAT, Export, as_json
from profiles.guests import GuestStore
from profiles.models import Category, Staff
from profiles.traits import TraitStore
from profiles.visits import VisitStore
from store.database import Database
from store.sql import Conn
from tests.factories import NOW, draft


async def test_the_record_holds_every_section_and_is_audited(db: Database, waiter: Staff) -> None:
    guest = await GuestStore(db).create("王先生", "138 0013 8000", branch="la",
                                        staff_id=waiter.id, region="CN", now=NOW)
    await TraitStore(db).log(guest.id, [draft(Category.DIET, "不吃蒜")], staff_id=waiter.id,
                             branch="la", now=NOW)
    await VisitStore(db).arrive(guest.id, branch="la", staff_id=waiter.id, now=NOW, table="12")

    document = json.loads(as_json(await Export(db).guest(guest.id, staff_id=waiter.id,
                                                         now=NOW)))

    assert (document["format"], document["guest"]["name"]) == (FORMAT, "王")
    assert "phone_rev" not in document["guest"]
    assert [(t["text"], t["logged_by"], t["private"]) for t in document["traits"]] == [
        ("不吃蒜", waiter.name, False)]
    assert [v["table_no"] for v in document["visits"]] == ["12"]
    assert (document["feedback"], document["requests"]) == ([], [])
    # the audit trail about the guest is theirs too; the search index is not data of its own
    assert [a["action"] for a in document["other"].pop("audit")] == ["create", "note"]
    assert document["other"] == {}
    [entry] = await AuditLog(db).for_guest(guest.id, actions=(AuditAction.EXPORT,))
    assert entry.staff_id == waiter.id


async def test_a_table_added_later_is_exported_too(db: Database, waiter: Staff) -> None:
    guest = await GuestStore(db).create("Smith", None, branch="la", staff_id=waiter.id,
                                        region="US", now=NOW)

    def add_feature(conn: Conn) -> None:
        conn.execute("CREATE TABLE loyalty (id INTEGER PRIMARY KEY, guest_id INTEGER,"
                     " card TEXT)")
        conn.execute("INSERT INTO loyalty VALUES (1, ?, 'gold card')", (guest.id,))

    await db.write(add_feature)
    document = await Export(db).guest(guest.id, staff_id=waiter.id, now=NOW)
    assert document["other"]["loyalty"] == [{"id": 1, "guest_id": guest.id, "card": "gold card"}]
