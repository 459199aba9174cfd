"""What happened to a guest, as the core tells it, so playbooks can answer at the right moment.

Features publish; the playbook engine (and anything else) subscribes. Subscribers run in the
order they subscribed, after the publisher's own transaction has committed; a failing
subscriber is logged and does not undo what was already saved.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import StrEnum

from pydantic import Field

from profiles.models import Frozen

log = logging.getLogger(__name__)


class EventKind(StrEnum):
    BOOKING_CREATED = "booking.created"
    BOOKING_FIRST_VISIT = "booking.first_visit"
    GUEST_ARRIVED = "guest.arrived"
    GUEST_SEATED = "guest.seated"
    TRAIT_ALLERGY_LOGGED = "trait.allergy_logged"
    OCCASION_UPCOMING = "occasion.upcoming"
    OCCASION_TODAY = "occasion.today"
    FEEDBACK_COMPLAINT = "feedback.complaint"
    GUEST_CHECKOUT = "guest.checkout"


class Event(Frozen):
    kind: EventKind
    guest_id: int
    branch: str
    at: datetime
    staff_id: int | None = None
    # what the event is about beyond the guest: visit_id, booking_id, party, children, …
    details: dict[str, str | int | bool | None] = Field(default_factory=dict)

    @property
    def subject(self) -> str:
        """A stable name for "this occurrence", for dedupe keys."""
        detail = next((f"{k}={v}" for k, v in sorted(self.details.items()) if k.endswith("_id")),
                      self.at.isoformat())
        return f"{self.kind}:{self.guest_id}:{detail}"


Subscriber = Callable[[Event], Awaitable[object]]


class EventBus:
    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []

    def subscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.append(subscriber)

    async def publish(self, event: Event) -> None:
        for subscriber in self._subscribers:
            try:
                await subscriber(event)
            except Exception:  # the event itself is saved; one subscriber must not stop others
                log.exception("subscriber %r failed on %s", subscriber, event.kind)
