"""A guest's request relayed by any colleague: its states, its deadlines and when to escalate.

open → accepted (by whom) → done (with a note) or declined (with a reason). A request nobody
accepted by its accept deadline goes to the branch's shift leads; one not done by its resolve
deadline goes to the manager; each step once. Pure rules: the store applies them in SQL.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from playbooks.requests.routing import Lane
from profiles.models import Frozen, Guest, Staff

MAX_TEXT = 500


class MessageKind(StrEnum):
    """What the outbox says about a request; bot/requests/messages.py renders each."""

    NEW = "request.new"
    ESCALATE = "request.escalate"
    ACCEPTED = "request.accepted"
    CLOSED = "request.closed"
    NOTE = "request.note"
    GROUP_REFUSED = "request.group_refused"
    OVERDUE = "request.overdue"
    RECEIPT = "request.receipt"
    RECEIPT_REDRAW = "request.receipt.redraw"
    COPY_REDRAW = "request.copy.redraw"


def message_key(*parts: object) -> str:
    """The outbox key of a message about requests: built here alone, and never read back
    (what a message is about travels in its payload)."""
    return ":".join(["request", *(str(part) for part in parts)])


class State(StrEnum):
    DRAFT = "draft"  # waiting for the originator to choose which guest was meant
    OPEN = "open"
    ACCEPTED = "accepted"
    DONE = "done"
    DECLINED = "declined"


OPEN_STATES = (State.OPEN, State.ACCEPTED)
CLOSED_STATES = (State.DONE, State.DECLINED)


class Source(StrEnum):
    RELAY = "relay"
    COMPLAINT = "complaint"  # opened by a low feedback score


class Step(StrEnum):
    """The escalation ladder."""

    ACCEPT = "accept"  # not accepted in time: the shift leads
    RESOLVE = "resolve"  # not done in time: the manager


class Place(Frozen):
    """Where the guest is: a room or a table, as staff named it."""

    kind: str  # "room" or "table"
    number: str

    @property
    def stored(self) -> str:
        return f"{self.kind}:{self.number}"

    @classmethod
    def parse(cls, stored: str | None) -> Place | None:
        if not stored:
            return None
        kind, _, number = stored.partition(":")
        return cls(kind=kind, number=number)


class Request(Frozen):
    id: int
    branch: str
    department: str
    lane: Lane
    state: State
    route: int  # bumped when the department changes: messages of an older route are stale
    guest_id: int | None
    place: str | None
    ref_text: str  # the guest as the originator named them: all they are shown of the guest
    text: str
    source: Source
    staff_id: int
    created_at: datetime
    accept_due: datetime
    resolve_due: datetime
    accepted_by: int | None = None
    accepted_at: datetime | None = None
    closed_by: int | None = None
    closed_at: datetime | None = None
    note: str | None = None
    accept_escalated_at: datetime | None = None
    resolve_escalated_at: datetime | None = None

    @property
    def number(self) -> str:
        return f"R{self.id}"

    @property
    def where(self) -> Place | None:
        return Place.parse(self.place)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class RequestSummary(Frozen):
    """An open request as a guest card or a brief lists it."""

    id: int
    guest_id: int
    branch: str
    department: str
    lane: Lane
    state: State
    text: str
    place: str | None
    created_at: datetime
    accept_due: datetime
    resolve_due: datetime
    accepted_by_name: str | None = None

    @property
    def number(self) -> str:
        return f"R{self.id}"


class RequestDetails(Frozen):
    """A request with the people and the guest it names, for rendering."""

    request: Request
    guest: Guest | None
    originator: Staff
    acceptor: Staff | None = None
    closer: Staff | None = None


class Relayed(Frozen):
    """What a relay did: the request, and who received it."""

    request: Request
    recipients: list[str]  # staff names, in the order they were told
    group: bool  # the department's group chat was told
    fallback: bool  # the department had nobody on the bot: the leads (or above) got it


def due_steps(request: Request, now: datetime) -> list[Step]:
    """The escalations that are due now and were not made yet."""
    steps = []
    if (request.state is State.OPEN and request.accept_escalated_at is None
            and request.accept_due <= now):
        steps.append(Step.ACCEPT)
    if (request.state in OPEN_STATES and request.resolve_escalated_at is None
            and request.resolve_due <= now):
        steps.append(Step.RESOLVE)
    return steps


class RequestNotFound(Exception):
    """No such request (or it was erased with its guest)."""


class AlreadyTaken(Exception):
    """Someone else accepted the request first."""

    def __init__(self, request: Request) -> None:
        super().__init__(f"{request.number} was accepted by staff {request.accepted_by}")
        self.request = request


class AlreadyClosed(Exception):
    """The request is done or declined already."""

    def __init__(self, request: Request) -> None:
        super().__init__(f"{request.number} is {request.state}")
        self.request = request


class NotYours(Exception):
    """Only the colleague who accepted it (or a lead and up) may close a request."""

    def __init__(self, request: Request) -> None:
        super().__init__(f"{request.number} belongs to staff {request.accepted_by}")
        self.request = request


class GuestKnown(Exception):
    """The request already names its guest."""

    def __init__(self, request: Request) -> None:
        super().__init__(request.number)
        self.request = request


class OtherBranch(Exception):
    """The request belongs to another branch."""


class UnknownDepartment(Exception):
    """The branch has no department with that id."""
