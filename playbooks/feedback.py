"""The guest's verdict on a visit, 1 to 5: the satisfaction and complaint figures start here.

A score of 1 or 2 is a complaint: in the transaction that saves the score, a red request is
opened and `feedback.complaint` is published (the complaint recovery playbook answers it).
Staff give the score with `/feedback REF SCORE [comment]`, or press it on the question the bot
asks whoever seated the guest once a visit is closed (one question per visit, derived from the
visits and the outbox's keys, so a restart neither loses nor repeats it).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from playbooks.events import Event, EventKind, EventLog
from playbooks.outbox import Outgoing, enqueue
from playbooks.requests.models import Request
from playbooks.requests.store import RequestStore, open_complaint
from playbooks.status.store import StatusBook
from profiles.access import in_branch
from profiles.audit import AuditAction, record
from profiles.errors import GuestNotFound
from profiles.guests import load_guest
from profiles.models import Frozen, Guest, Staff
from profiles.pending import Command, spend
from store.database import Database, stamp
from store.sql import Conn, Row

MIN_SCORE, MAX_SCORE = 1, 5
COMPLAINT_AT_MOST = 2
MAX_COMMENT = 500
# /feedback counts toward the guest's visit in this branch if it began this recently
VISIT_WINDOW = timedelta(hours=24)
# a visit closed longer ago than this is not asked about any more
ASK_WINDOW = timedelta(hours=6)
ASK_KIND = "feedback_ask"

_SCORE = re.compile(r"^(\d+(?:[.,]\d+)?)(?:分|/5|★)?$")
_PLACE_WORDS = frozenset({"room", "rm", "table", "tbl", "t", "房", "房间", "桌", "台", "no", "no."})


class FeedbackUsage(ValueError):
    """No guest or no score in the command."""


class ScoreOutOfRange(ValueError):
    """The score is not a whole number from 1 to 5."""


class AlreadyRated(Exception):
    """The visit has its verdict already (a second press of the buttons)."""


class Feedback(Frozen):
    id: int
    guest_id: int
    visit_id: int | None
    branch: str
    staff_id: int | None
    score: int
    comment: str
    created_at: datetime

    @property
    def complaint(self) -> bool:
        return self.score <= COMPLAINT_AT_MOST


class FeedbackAsk(Frozen):
    """What the question after a visit needs: the visit's guest, and whether it is answered."""

    visit_id: int
    guest_id: int
    answered: bool


def split_feedback(args: str) -> tuple[str, int, str]:
    """("table 12", 4, "soup was cold") from "table 12 4 soup was cold".

    The score is the first number after the guest that is not a table or room number; what
    follows it is the comment. Raises FeedbackUsage or ScoreOutOfRange.
    """
    words = args.split()
    for index in range(1, len(words)):
        found = _SCORE.match(words[index])
        if found and words[index - 1].casefold() not in _PLACE_WORDS:
            ref, comment = " ".join(words[:index]), " ".join(words[index + 1:])
            return ref, checked_score(found[1]), comment[:MAX_COMMENT]
    raise FeedbackUsage(args)


def checked_score(text: str) -> int:
    if not text.isdigit() or not MIN_SCORE <= int(text) <= MAX_SCORE:
        raise ScoreOutOfRange(text)
    return int(text)


class Rated(Frozen):
    """A verdict saved, and the complaint it opened (a score of 1 or 2)."""

    feedback: Feedback
    guest: Guest
    complaint: Request | None = None
    # someone received the complaint: its desk's group or people, a lead, a manager, an admin
    complaint_heard: bool = True


class FeedbackStore:
    def __init__(self, db: Database, requests: RequestStore, events: EventLog,
                 statuses: StatusBook | None = None) -> None:
        self._db = db
        self._requests = requests
        self._events = events
        self._statuses = statuses

    async def record(
        self, guest_id: int, score: int, comment: str, *, staff_id: int, branch: str,
        now: datetime, complaint_text: str = "", spending: int | None = None,
    ) -> Rated:
        """The guest's verdict, counted toward their visit in `branch` of the last day (a later
        verdict on the same visit replaces the earlier one); a complaint opens a request that
        reads `complaint_text`. `spending`: the kept /feedback this finishes, used up with it.
        Raises GuestNotFound, PendingNoteGone."""
        checked_score(str(score))

        def work(conn: Conn) -> Rated:
            if spending is not None:
                spend(conn, spending, staff_id=staff_id, command=Command.FEEDBACK, now=now)
            if conn.execute("SELECT 1 FROM guests WHERE id = ?", (guest_id,)).fetchone() is None:
                raise GuestNotFound(guest_id)
            visit = conn.execute(
                "SELECT id FROM visits WHERE guest_id = ? AND branch = ? AND arrived_at >= ?"
                " ORDER BY arrived_at DESC LIMIT 1",
                (guest_id, branch, stamp(now - VISIT_WINDOW)),
            ).fetchone()
            earlier = conn.execute("SELECT score FROM feedback WHERE visit_id = ?",
                                   (visit[0],)).fetchone() if visit else None
            saved = _save(conn, guest_id, visit[0] if visit else None, branch, staff_id, score,
                          comment, now)
            # the visit's complaint has its request already: a second low score replaces the
            # score and opens no second request
            told = earlier is not None and earlier[0] <= COMPLAINT_AT_MOST
            return self._consequences(conn, saved, complaint_text, now, told=told)

        return await self._db.write(work)

    async def rate_visit(self, visit_id: int, score: int, *, staff_id: int, now: datetime,
                         by: Staff | None = None, complaint_text: str = "") -> Rated:
        """The score pressed on the question after a visit; raises AlreadyRated when the visit
        has one, GuestNotFound when the visit (or its guest) is gone or `by` (None for the
        core's own use) is not of the visit's branch."""
        checked_score(str(score))

        def work(conn: Conn) -> Rated:
            visit = conn.execute("SELECT guest_id, branch FROM visits WHERE id = ?",
                                 (visit_id,)).fetchone()
            if visit is None or (by is not None and not in_branch(by, visit[1])):
                raise GuestNotFound(visit_id)
            if conn.execute("SELECT 1 FROM feedback WHERE visit_id = ?",
                            (visit_id,)).fetchone():
                raise AlreadyRated(visit_id)
            saved = _save(conn, visit[0], visit_id, visit[1], staff_id, score, "", now)
            return self._consequences(conn, saved, complaint_text, now)

        return await self._db.write(work)

    def _consequences(self, conn: Conn, saved: Feedback, complaint_text: str,
                      now: datetime, *, told: bool = False) -> Rated:
        """A complaint opens a red request and is published, with the score's commit; the
        guest's status follows the verdict in the same commit."""
        guest = load_guest(conn, saved.guest_id)
        if not saved.complaint or told:
            self._refresh_status(conn, saved.guest_id, now)
            return Rated(feedback=saved, guest=guest)
        relayed = open_complaint(conn, self._requests, saved.guest_id, saved.branch,
                                 saved.staff_id or 0, complaint_text, now)
        self._refresh_status(conn, saved.guest_id, now)
        self._events.publish(conn, [complaint_event(saved)], now)
        return Rated(feedback=saved, guest=guest, complaint=relayed.request,
                     complaint_heard=relayed.group or bool(relayed.recipients))

    def _refresh_status(self, conn: Conn, guest_id: int, now: datetime) -> None:
        if self._statuses is not None:
            self._statuses.refresh(conn, guest_id, now)

    async def ask(self, visit_id: int) -> FeedbackAsk | None:
        """The question's subject at send time; None when the visit or its guest is gone."""

        def work(conn: Conn) -> FeedbackAsk | None:
            row = conn.execute(
                "SELECT v.guest_id, EXISTS (SELECT 1 FROM feedback f WHERE f.visit_id = v.id)"
                " FROM visits v WHERE v.id = ?", (visit_id,),
            ).fetchone()
            return None if row is None else FeedbackAsk(visit_id=visit_id, guest_id=row[0],
                                                        answered=bool(row[1]))

        return await self._db.read(work)

    async def plan_asks(self, now: datetime) -> int:
        """Queue the question for each visit closed in the last hours, to whoever recorded the
        arrival; how many were new. A visit closed only because the guest arrived again in
        the same branch is not asked about."""

        def work(conn: Conn) -> int:
            rows = conn.execute(_CLOSED_SQL, (stamp(now - ASK_WINDOW), stamp(now))).fetchall()
            return sum(enqueue(conn, _ask(row, now), now) for row in rows)

        return await self._db.write(work)


# visits closed in [since, now] by someone's checkout (not by the guest's next arrival), with
# an active staff member to ask, not rated yet
_CLOSED_SQL = """
    SELECT v.id, v.left_at, s.id AS staff_id, s.telegram_id FROM visits v
    JOIN staff s ON s.id = v.staff_id AND s.active = 1
    WHERE v.left_at >= ? AND v.left_at <= ?
      AND NOT EXISTS (SELECT 1 FROM feedback f WHERE f.visit_id = v.id)
      AND NOT EXISTS (SELECT 1 FROM visits later WHERE later.guest_id = v.guest_id
                      AND later.branch = v.branch AND later.arrived_at = v.left_at)
"""


def _ask(row: Row, now: datetime) -> Outgoing:
    return Outgoing(
        key=f"{ASK_KIND}:{row['id']}", kind=ASK_KIND, payload={"visit_id": row["id"]},
        chat_id=row["telegram_id"], staff_id=row["staff_id"], not_before=now,
        expires_at=datetime.fromisoformat(row["left_at"]) + ASK_WINDOW,
    )


def _save(
    conn: Conn, guest_id: int, visit_id: int | None, branch: str, staff_id: int,
    score: int, comment: str, now: datetime,
) -> Feedback:
    cursor = conn.execute(
        "INSERT INTO feedback (guest_id, visit_id, branch, staff_id, score, comment, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (visit_id) WHERE visit_id IS NOT NULL DO UPDATE SET"
        " staff_id = excluded.staff_id, score = excluded.score, comment = excluded.comment,"
        " created_at = excluded.created_at RETURNING id",
        (guest_id, visit_id, branch, staff_id, score, comment, stamp(now)),
    )
    feedback_id = int(cursor.fetchone()[0])
    record(conn, AuditAction.FEEDBACK, staff_id=staff_id, guest_id=guest_id, now=now,
           details={"feedback": feedback_id, "score": score})
    row = conn.execute("SELECT * FROM feedback WHERE id = ?", (feedback_id,)).fetchone()
    return Feedback.model_validate(dict(row))


def complaint_event(saved: Feedback) -> Event:
    details: dict[str, str | int | bool | None] = {"feedback_id": saved.id, "score": saved.score}
    if saved.visit_id is not None:
        details["visit_id"] = saved.visit_id
    return Event(kind=EventKind.FEEDBACK_COMPLAINT, guest_id=saved.guest_id, branch=saved.branch,
                 at=saved.created_at, staff_id=saved.staff_id, details=details)
