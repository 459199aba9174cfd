"""Test data with sensible defaults: override only what a test is about."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playbooks.events import EventLog
from playbooks.feedback import FeedbackStore
from playbooks.requests.models import Request, Source, State
from playbooks.requests.routing import Lane, LaneWords, Routing
from playbooks.requests.store import RequestStore
from profiles.models import Category, Guest, GuestCard, Role, Staff, Trait, TraitDraft
from store.database import Database

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def make_guest(**overrides: object) -> Guest:
    values: dict[str, object] = {
        "id": 1, "name": "王", "honorific": "先生", "pinyin": "wang", "phone": "+8613800138000",
        "branch": "la", "created_at": NOW - timedelta(days=90),
    }
    return Guest.model_validate({**values, **overrides})


def make_trait(**overrides: object) -> Trait:
    values: dict[str, object] = {
        "id": 1, "guest_id": 1, "category": Category.SEATING, "text": "靠窗", "branch": "la",
        "staff_id": 1, "created_at": NOW - timedelta(days=90),
    }
    return Trait.model_validate({**values, **overrides})


def make_card(*traits: Trait, **guest: object) -> GuestCard:
    return GuestCard(guest=make_guest(**guest), traits=list(traits))


def make_staff(**overrides: object) -> Staff:
    values: dict[str, object] = {
        "id": 1, "telegram_id": 1001, "name": "Ana", "role": Role.WAITER, "branch": "la",
        "language": "en", "joined_at": NOW,
    }
    return Staff.model_validate({**values, **overrides})


def draft(category: Category, text: str, **attrs: str | int) -> TraitDraft:
    return TraitDraft(category=category, text=text, attrs=attrs)


def make_request(**overrides: object) -> Request:
    """An open red request relayed at NOW: accept within 5 minutes, done within 30."""
    values: dict[str, object] = {
        "id": 1, "branch": "la", "department": "guest", "lane": Lane.RED, "state": State.OPEN,
        "route": 1, "guest_id": 1, "place": "room:1203", "ref_text": "room 1203",
        "text": "the discount was left off the bill", "source": Source.RELAY, "staff_id": 1,
        "created_at": NOW, "accept_due": NOW + timedelta(minutes=5),
        "resolve_due": NOW + timedelta(minutes=30),
    }
    return Request.model_validate({**values, **overrides})


def feedback_store(db: Database) -> FeedbackStore:
    """Feedback with the default routing: a complaint goes to the branch's first desk."""
    return FeedbackStore(db, RequestStore(db, Routing({}, LaneWords())), EventLog(db))
