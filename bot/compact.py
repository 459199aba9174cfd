"""A guest in a few lines: the card inline mode posts into a chat, and the details that tell
two namesakes apart ("…1234, gold, window seat")."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from bot import render
from bot.i18n import t
from profiles.models import Category, GuestCard, Segment, Trait

# A card posted among a group's messages: allergies always, then the few traits that matter.
MAX_TRAITS = 6
MAX_TRAIT_LENGTH = 80
DETAIL_TRAITS = 2


def compact_card(card: GuestCard, *, lang: str, branches: Mapping[str, str]) -> str:
    """Headline, warnings, allergies first, a few more traits, then where the guest is from."""
    guest = card.guest
    lines = [render.headline(guest, lang)]
    if guest.segment is Segment.UNWELCOME:
        lines.append(t(lang, "card.unwelcome"))
    traits = in_card_order(card.traits)
    allergies = [trait for trait in traits if trait.category is Category.ALLERGY]
    shown = allergies + [trait for trait in traits if trait.category is not Category.ALLERGY][
        : max(0, MAX_TRAITS - len(allergies))]
    lines += [_trait_line(trait, lang) for trait in shown]
    if not traits:
        lines.append(t(lang, "inline.empty"))
    elif len(shown) < len(traits):
        lines.append(t(lang, "inline.more", count=len(traits) - len(shown), ref=guest.ref))
    where = [f"☎ …{guest.phone_tail}"] if guest.phone_tail else []
    where.append(escape(branches.get(guest.branch, guest.branch)))
    lines.append("<i>" + " · ".join(where) + "</i>")
    return "\n".join(lines)


def details(card: GuestCard, lang: str) -> str:
    """What tells this guest from a namesake: phone tail, tier, the first traits."""
    guest = card.guest
    parts = [f"…{guest.phone_tail}"] if guest.phone_tail else []
    if guest.tier:
        parts.append(render.tier_label(guest.tier, lang))
    parts += [_short(render.trait_words(trait, lang, typed=False))
              for trait in in_card_order(card.traits)[:DETAIL_TRAITS]]
    return ", ".join(parts) or guest.ref


def in_card_order(traits: list[Trait]) -> list[Trait]:
    """Allergies first, then as the card shows categories; stable within one."""
    order = {category: index for index, category in enumerate(Category)}
    return sorted(traits, key=lambda trait: order[trait.category])


def _trait_line(trait: Trait, lang: str) -> str:
    mark = "⚠️ " if trait.category is Category.ALLERGY else ""
    label = t(lang, f"category.{trait.category}")
    return f"{mark}<b>{label}</b>: {escape(_short(render.trait_words(trait, lang)))}"


def _short(text: str) -> str:
    return text if len(text) <= MAX_TRAIT_LENGTH else text[: MAX_TRAIT_LENGTH - 1] + "…"
