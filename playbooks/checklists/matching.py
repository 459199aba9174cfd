"""Which playbooks an event starts, and when their steps are due: pure, given the facts."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from playbooks.briefs.occasions import occasions_of
from playbooks.checklists.playbook import Conditions, Playbook
from playbooks.events import Event
from profiles.models import Category, Frozen, Guest, Segment, Trait, normalise_text

VIP_TIERS = frozenset({"gold", "platinum", "diamond"})
CHILD_WORDS = ("孩子", "小孩", "儿子", "女儿", "宝宝", "儿童", "kid", "child", "son",
               "daughter", "baby")
BUSINESS_WORDS = ("business", "商务", "出差", "客户", "invoice", "发票")
BUSINESS_STYLES = frozenset({"do_not_disturb"})


class GuestFacts(Frozen):
    """What the store knows of the guest when the event happens."""

    guest: Guest
    traits: list[Trait]
    earlier_visits: int
    # in the event's branch now, or booked there from now on: someone there will serve them
    expected: bool = False


class Observed(Frozen):
    """The conditions' answers for one guest at one event."""

    tier: str | None
    segment: Segment | None
    vip: bool
    has_allergy: bool
    first_visit: bool
    children: bool
    business: bool
    occasion_today: bool
    stay: bool
    expected: bool
    trait_texts: list[str]


def observe(facts: GuestFacts, event: Event, zone: ZoneInfo) -> Observed:
    """The answers, with "today" being the event's day in the branch's time zone."""
    traits, details = facts.traits, event.details
    today = event.at.astimezone(zone).date()
    guest = facts.guest
    return Observed(
        tier=guest.tier, segment=guest.segment,
        vip=guest.segment is Segment.KEY or (guest.tier or "").lower() in VIP_TIERS,
        has_allergy=any(trait.category is Category.ALLERGY for trait in traits),
        first_visit=facts.earlier_visits == 0,
        children=details.get("children") is True or _has_children(traits),
        business=details.get("business") is True or _is_business(traits),
        occasion_today=any(occasions_of(trait, [today], today) for trait in traits),
        stay=bool(details.get("room")) or details.get("stay") is True,
        expected=facts.expected,
        trait_texts=[normalise_text(trait.text) for trait in traits],
    )


def holds(conditions: Conditions, seen: Observed) -> bool:
    """True when every condition the playbook states is met."""
    flags = ("vip", "has_allergy", "first_visit", "children", "business", "occasion_today",
             "stay", "expected")
    for flag in flags:
        wanted = getattr(conditions, flag)
        if wanted is not None and wanted != getattr(seen, flag):
            return False
    if conditions.tier is not None and (seen.tier or "").lower() not in {
            tier.lower() for tier in conditions.tier}:
        return False
    if conditions.segment is not None and seen.segment not in conditions.segment:
        return False
    return conditions.mentions is None or _mentions(seen.trait_texts, conditions.mentions)


def matching(playbooks: list[Playbook], event: Event, seen: Observed) -> list[Playbook]:
    """The playbooks this event starts for this guest, in library order."""
    return [playbook for playbook in playbooks
            if event.kind in playbook.trigger and holds(playbook.conditions, seen)]


def anchor(event: Event) -> datetime:
    """What a step's `due` counts from: a booking's expected arrival, else the event's time."""
    expected = event.details.get("expected_at")
    if isinstance(expected, str):
        try:
            moment = datetime.fromisoformat(expected)
        except ValueError:
            return event.at
        if moment.tzinfo is not None:
            return moment
    return event.at


def due_times(playbook: Playbook, event: Event) -> list[datetime | None]:
    """Each step's due time, or None for a step without one. A step whose time passed
    before the event ("confirm 3 h before arrival" for a booking made 30 min ahead) is due
    at once, not late from the start."""
    start = anchor(event)
    return [None if step.offset is None else max(start + step.offset, event.at)
            for step in playbook.steps]


def occurrence(playbook: Playbook, event: Event, zone: ZoneInfo) -> str:
    """What makes a run "the same run": a playbook runs once per occurrence.

    An event's first *_id detail names it (so an arrival and the seating of the same visit
    are one occurrence); a once-a-day playbook runs once per branch and local date.
    """
    if playbook.once_per_day:
        return f"day:{event.branch}:{event.at.astimezone(zone).date().isoformat()}"
    ids = sorted((key, value) for key, value in event.details.items()
                 if key.endswith("_id") and value is not None)
    if ids:
        key, value = ids[0]
        return f"{event.guest_id}:{key}={value}"
    return f"{event.kind}:{event.guest_id}:{event.at.isoformat()}"


def _has_children(traits: list[Trait]) -> bool:
    return any(
        (trait.category is Category.SERVICE and trait.attrs.get("style") == "children")
        or (trait.category is Category.FAMILY and _contains(trait.text, CHILD_WORDS))
        for trait in traits
    )


def _is_business(traits: list[Trait]) -> bool:
    return any(
        trait.category is Category.WORK
        or (trait.category is Category.SERVICE
            and (trait.attrs.get("style") in BUSINESS_STYLES
                 or _contains(trait.text, BUSINESS_WORDS)))
        for trait in traits
    )


def _contains(text: str, words: tuple[str, ...]) -> bool:
    folded = normalise_text(text)
    return any(word in folded for word in words)


def _mentions(texts: list[str], words: list[str]) -> bool:
    wanted = [normalise_text(word) for word in words]
    return any(word in text for text in texts for word in wanted)

