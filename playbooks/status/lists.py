"""Lists that act: lapsed regulars, guests at risk, this week's birthdays, key guests unseen.

For shift leads and managers, their branch's guests (an admin's: the chain's); a guest
belongs to the branch they last visited, else the one that created them. Each guest comes
with what was done about them last; "called", "booked" or "not interested" is recorded with
one tap, authorised here as the list itself is. A guest not interested since their last visit
leaves the lists until they come again.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from playbooks.briefs.occasions import OccasionDue, next_due, occasion_traits
from playbooks.status.rules import Status, StatusKind
from playbooks.status.store import status_of_row
from profiles.access import leads
from profiles.audit import AuditAction, record
from profiles.errors import GuestNotFound, NotAllowed
from profiles.guests import ID_CHUNK, load_guests
from profiles.models import Frozen, Guest, Role, Staff
from store.database import Database, stamp
from store.sql import Conn, inserted_id, question_marks

LIST_LIMIT = 20  # one message, three buttons a guest; the most valuable first
KEY_UNSEEN_DAYS = 60
BIRTHDAY_DAYS = 7
_WORDS = {
    "lapsed": "lapsed", "流失": "lapsed",
    "at-risk": "at_risk", "atrisk": "at_risk", "risk": "at_risk", "待挽回": "at_risk",
    "birthdays": "birthdays", "birthday": "birthdays", "生日": "birthdays",
    "key": "key", "重点": "key",
}
_SPANS = {"week": 7, "本周": 7, "周": 7, "month": 30, "本月": 30, "月": 30, "today": 0, "今天": 0}


class ListKind(StrEnum):
    LAPSED = "lapsed"
    AT_RISK = "at_risk"
    BIRTHDAYS = "birthdays"
    KEY_UNSEEN = "key"


class Outcome(StrEnum):
    CALLED = "called"
    BOOKED = "booked"
    NOT_INTERESTED = "not_interested"


class ListUsage(ValueError):
    """Not a list this bot knows."""


class ListQuery(Frozen):
    kind: ListKind
    days: int = 0  # birthdays: days ahead; key: days unseen


class Outreach(Frozen):
    guest_id: int
    staff_id: int
    staff_name: str = ""
    outcome: Outcome
    created_at: datetime


class Listed(Frozen):
    guest: Guest
    status: Status | None = None
    occasion: OccasionDue | None = None
    outreach: Outreach | None = None


def parse_list(text: str) -> ListQuery:
    """ListQuery from "lapsed", "at-risk", "birthdays week", "key unseen 60" (or 流失, 生日 …)."""
    words = text.casefold().replace("at risk", "at-risk").split()
    if not words or words[0] not in _WORDS:
        raise ListUsage(text)
    kind = ListKind(_WORDS[words[0]])
    rest = [w for w in words[1:] if w not in ("unseen", "未到访", "days", "天")]
    if kind is ListKind.BIRTHDAYS:
        return ListQuery(kind=kind, days=_days(rest, BIRTHDAY_DAYS, spans=True))
    if kind is ListKind.KEY_UNSEEN:
        return ListQuery(kind=kind, days=_days(rest, KEY_UNSEEN_DAYS))
    if rest:
        raise ListUsage(text)
    return ListQuery(kind=kind)


def _days(words: list[str], default: int, *, spans: bool = False) -> int:
    if not words:
        return default
    if len(words) == 1 and spans and words[0] in _SPANS:
        return _SPANS[words[0]]
    if len(words) == 1 and words[0].isdigit() and int(words[0]) <= 3660:
        return int(words[0])
    raise ListUsage(" ".join(words))


def may_list(viewer: Staff) -> bool:
    return leads(viewer, viewer.branch)


class ListPage(Frozen):
    """One page of a list: the guests on it, from `offset`, and how many the list holds."""

    items: list[Listed]
    total: int
    offset: int = 0

    @property
    def rest(self) -> int:
        """How many come after this page."""
        return max(0, self.total - self.offset - len(self.items))


class GuestLists:
    def __init__(self, db: Database, key_visits: int) -> None:
        self._db = db
        self._key_visits = key_visits

    async def guests(self, query: ListQuery, *, viewer: Staff, today: date, now: datetime,
                     limit: int = LIST_LIMIT) -> list[Listed]:
        """The list's first `limit` guests as `viewer` may see them; raises NotAllowed below
        a shift lead."""
        found = await self.page(query, viewer=viewer, today=today, now=now, limit=limit)
        return found.items

    async def page(self, query: ListQuery, *, viewer: Staff, today: date, now: datetime,
                   offset: int = 0, after: int | None = None,
                   limit: int = LIST_LIMIT) -> ListPage:
        """`limit` guests of the list from `offset` (or right after the guest `after`, the
        last one shown, when still listed: a guest taken off meanwhile moves none past),
        and how many it holds in all; raises NotAllowed below a shift lead."""
        if not may_list(viewer):
            raise NotAllowed(query.kind)

        def work(conn: Conn) -> ListPage:
            scope = None if viewer.role is Role.ADMIN else viewer.branch
            if query.kind is not ListKind.BIRTHDAYS:
                return _status_page(conn, _StatusList(query, scope, now, self._key_visits),
                                    offset=offset, after=after, limit=limit)
            found = _birthdays(conn, scope, today, query.days)
            start = next((index + 1 for index, item in enumerate(found)
                          if item.guest.id == after), offset)
            return ListPage(items=found[start:start + limit], total=len(found), offset=start)

        return await self._db.read(work)

    async def record(self, guest_id: int, outcome: Outcome, *, by: Staff,
                     now: datetime) -> Outreach:
        """What came of reaching out; only a lead (or above) of the guest's branch may record
        it, as only they are shown the list. Raises GuestNotFound, NotAllowed."""

        def work(conn: Conn) -> Outreach:
            home = _home_branch(conn, guest_id)
            if not leads(by, home):
                record(conn, AuditAction.REFUSED, staff_id=by.id, guest_id=guest_id, now=now,
                       details={"outreach": outcome.value})
                raise NotAllowed(outcome)
            inserted_id(conn.execute(
                "INSERT INTO guest_outreach (guest_id, branch, staff_id, outcome, created_at)"
                " VALUES (?, ?, ?, ?, ?) RETURNING id",
                (guest_id, home, by.id, outcome.value, stamp(now))))
            return Outreach(guest_id=guest_id, staff_id=by.id, staff_name=by.name,
                            outcome=outcome, created_at=now)

        return await self._db.write(work)


def _home_branch(conn: Conn, guest_id: int) -> str:
    row = conn.execute(
        "SELECT g.branch, (SELECT v.branch FROM visits v WHERE v.guest_id = g.id"
        " ORDER BY v.arrived_at DESC LIMIT 1) FROM guests g WHERE g.id = ?", (guest_id,),
    ).fetchone()
    if row is None:
        raise GuestNotFound(guest_id)
    return str(row[1] or row[0])


_STATUSES = {
    ListKind.LAPSED: (StatusKind.LAPSED.value,),
    ListKind.AT_RISK: (StatusKind.AT_RISK.value,),
    # a key guest may be lapsed or at risk too: the status shows the more urgent one
    ListKind.KEY_UNSEEN: tuple(kind.value for kind in StatusKind if kind is not StatusKind.NEW),
}


class _StatusList:
    """A list by status as SQL: its guests in order (the most visits first), read a page at a
    time on the status indexes, so a list costs the page, not the chain."""

    def __init__(self, query: ListQuery, scope: str | None, now: datetime,
                 key_visits: int) -> None:
        kinds = _STATUSES[query.kind]
        marks = question_marks(kinds)
        # a lead's segment wins: a guest tagged into another kind since is not listed here
        where = [f"g.status IN ({marks})", f"(g.segment IS NULL OR g.segment IN ({marks}))"]
        params: list[object] = [*kinds, *kinds]
        if scope is not None:
            where.append("g.status_branch = ?")
            params.append(scope)
        if query.kind is ListKind.KEY_UNSEEN:
            # tagged, or key by visits; key by what they spent is the status itself
            where.append("(g.segment = 'key' OR g.status = 'key' OR g.status_visits >= ?)"
                         " AND (g.status_last_at IS NULL OR g.status_last_at < ?)")
            params += [key_visits, stamp(now - timedelta(days=query.days))]
        # out of the list: a guest whose latest outreach says not interested, since their
        # last visit (they leave it until they come again)
        where.append(
            "NOT EXISTS (SELECT 1 FROM guest_outreach o WHERE o.guest_id = g.id"
            " AND o.outcome = 'not_interested'"
            " AND (g.status_last_at IS NULL OR o.created_at > g.status_last_at)"
            " AND NOT EXISTS (SELECT 1 FROM guest_outreach l WHERE l.guest_id = g.id"
            " AND l.id > o.id))")
        self.where = " AND ".join(where)
        self.params = params


def _status_page(conn: Conn, listed: _StatusList, *, offset: int, after: int | None,
                 limit: int) -> ListPage:
    where, params = listed.where, listed.params
    total = conn.execute(f"SELECT COUNT(*) FROM guests g WHERE {where}", params).fetchone()[0]
    row = None if after is None else conn.execute(
        f"SELECT g.status_visits, g.id FROM guests g WHERE {where} AND g.id = ?",
        (*params, after)).fetchone()
    if row is not None:  # right after the guest last shown, still listed
        ahead = "(g.status_visits > ? OR (g.status_visits = ? AND g.id <= ?))"
        offset = conn.execute(f"SELECT COUNT(*) FROM guests g WHERE {where} AND {ahead}",
                              (*params, row[0], row[0], row[1])).fetchone()[0]
    rows = conn.execute(
        f"SELECT g.id, g.segment, g.status_facts FROM guests g WHERE {where}"
        " ORDER BY g.status_visits DESC, g.id LIMIT ? OFFSET ?",
        (*params, limit, offset)).fetchall()
    statuses = {gid: status for gid, segment, facts in rows
                if (status := status_of_row(segment, facts)) is not None}
    guests = {g.id: g for g in load_guests(conn, list(statuses))}
    latest = _latest_outreach(conn, list(statuses))
    items = [Listed(guest=guests[gid], status=status, outreach=latest.get(gid))
             for gid, status in statuses.items() if gid in guests]
    return ListPage(items=items, total=total, offset=offset)


def _latest_outreach(conn: Conn, guest_ids: list[int]) -> dict[int, Outreach]:
    latest: dict[int, Outreach] = {}
    for start in range(0, len(guest_ids), ID_CHUNK):
        chunk = guest_ids[start:start + ID_CHUNK]
        marks = question_marks(chunk)
        rows = conn.execute(
            "SELECT o.guest_id, o.staff_id, s.name, o.outcome, o.created_at FROM guest_outreach"
            f" o JOIN staff s ON s.id = o.staff_id WHERE o.guest_id IN ({marks}) ORDER BY o.id",
            chunk)
        latest |= {row[0]: Outreach(guest_id=row[0], staff_id=row[1], staff_name=row[2],
                                    outcome=Outcome(row[3]),
                                    created_at=datetime.fromisoformat(row[4])) for row in rows}
    return latest


def _birthdays(conn: Conn, scope: str | None, today: date, days: int) -> list[Listed]:
    span = [today + timedelta(days=n) for n in range(days + 1)]
    due = [occasion for trait in occasion_traits(conn, span)
           if (occasion := next_due(trait, today)) is not None
           and occasion.kind == "birthday" and occasion.days_ahead <= days]
    due.sort(key=lambda occasion: (occasion.on, occasion.guest_id))
    guests = {g.id: g for g in load_guests(conn, list(dict.fromkeys(o.guest_id for o in due)))}
    homes = {gid: _home_branch(conn, gid) for gid in guests} if scope is not None else {}
    return [Listed(guest=guests[o.guest_id], occasion=o) for o in due
            if o.guest_id in guests and (scope is None or homes[o.guest_id] == scope)]
