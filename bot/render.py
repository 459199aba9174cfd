"""Cards, lists and confirmations as chat text (HTML), split to fit Telegram's 4096 limit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from html import escape

from bot.i18n import catalogue, t
from playbooks.feeds.feeds import Spend
from profiles.concepts import written_in
from profiles.models import Category, Guest, GuestCard, NoteLogged, Segment, Trait
from profiles.script import simplified
from profiles.vocabulary import Refusal

MESSAGE_LIMIT = 4096
# A card read on a phone before service: a regular of years has dozens of traits, of which
# this many show, the rest behind "More" (allergies and an occasion this fortnight always).
CARD_TRAITS = 10
OCCASION_SOON_DAYS = 14
TYPED_BESIDE = 24  # characters: what was typed, shown after its reading when it is short


def card(card: GuestCard, *, lang: str, now: datetime, branches: Mapping[str, str],
         after_traits: Sequence[str] = (), under_headline: Sequence[str] = (),
         shown: Sequence[Trait] | None = None) -> list[str]:
    """The guest's card: `under_headline` (the status), warnings, then traits in the order
    staff act on them (`shown` of them, when given: `shown_traits`, and how many more there
    are), then `after_traits` (open requests, …)."""
    lines = [headline(card.guest, lang), *under_headline]
    lines += _warnings(card.guest, lang)
    shown = card.traits if shown is None else shown
    by_category = _grouped(list(shown))
    for category in Category:
        traits = by_category.get(category, [])
        if category is Category.OCCASION:
            traits = sorted(traits, key=lambda tr: _next_occasion(tr, now.date()) or date.max)
        lines += [_trait_line(tr, lang, now, branches) for tr in traits]
    if not card.traits:
        lines.append(t(lang, "card.empty", ref=card.guest.ref))
    if len(shown) < len(card.traits):
        lines.append(t(lang, "card.more", count=len(card.traits) - len(shown)))
    lines += after_traits
    lines.append(_footer(card.guest, lang, now, branches))
    return split_message(lines)


def shown_traits(traits: Sequence[Trait], now: datetime) -> list[Trait]:
    """At most CARD_TRAITS of `traits`: every allergy and every occasion due within
    OCCASION_SOON_DAYS, then what the parser placed before plain notes, the most confirmed and
    the most recently seen first."""
    today = now.date()

    def always(trait: Trait) -> bool:
        if trait.category is Category.ALLERGY:
            return True
        if trait.category is not Category.OCCASION:
            return False
        if trait.attrs.get("calendar") == "lunar" or (trait.attrs.get("month"),
                                                      trait.attrs.get("day")) == (2, 29):
            return True  # its solar day moves: kept on the card rather than reckoned here
        due = _next_occasion(trait, today)
        return due is not None and (due - today).days <= OCCASION_SOON_DAYS

    kept = [trait for trait in traits if always(trait)]
    # words the parser could place come before plain notes, which are often chatter
    rest = sorted((trait for trait in traits if not always(trait)),
                  key=lambda trait: (trait.category is not Category.NOTE,
                                     trait.confirmed_count, trait.seen_at), reverse=True)
    chosen = {trait.id for trait in [*kept, *rest[:max(0, CARD_TRAITS - len(kept))]]}
    return [trait for trait in traits if trait.id in chosen]


def spend_line(spend: Spend, lang: str) -> str:
    """Visits and the average POS check, per currency ("USD 60.00")."""
    average = ", ".join(f"{currency} {amount}" for currency, amount in spend.average.items())
    return t(lang, "card.spend", visits=spend.visits, average=average, checks=spend.checks)


def headline(guest: Guest, lang: str) -> str:
    tags = [tier_label(guest.tier, lang) if guest.tier else None,
            t(lang, f"segment.{guest.segment}") if guest.segment else None]
    extra = " · ".join(escape(tag) for tag in tags if tag)
    return f"<b>{escape(full_name(guest))}</b> {guest.ref}" + (f" · {extra}" if extra else "")


def full_name(guest: Guest) -> str:
    if not guest.honorific:
        return guest.name
    if guest.honorific.isascii():
        return f"{guest.honorific} {guest.name}"
    return f"{guest.name}{guest.honorific}"


def hit_line(guest: Guest, lang: str, branches: Mapping[str, str]) -> str:
    """One guest in a list: enough to tell two 王先生 apart."""
    parts = [full_name(guest), guest.ref]
    if guest.phone_tail:
        parts.append(f"…{guest.phone_tail}")
    if guest.tier:
        parts.append(tier_label(guest.tier, lang))
    parts.append(branches.get(guest.branch, guest.branch))
    prefix = "⛔ " if guest.segment is Segment.UNWELCOME else ""
    return prefix + " · ".join(parts)


def note_logged(logged: NoteLogged, guest: Guest, *, lang: str, unparsed: list[str],
                long: bool = False) -> str:
    """The reply to a note: what was saved, trait by trait; a long one (`long`), read in many
    parts, asks to be checked."""
    lines = [t(lang, "note.saved", name=escape(full_name(guest)), ref=guest.ref)]
    for trait in logged.added:
        lines.append(f"+ {category_label(trait.category, lang)}: "
                     f"{escape(with_severity(trait, lang))}")
    for trait in logged.confirmed:
        lines.append(t(lang, "note.confirmed", category=category_label(trait.category, lang),
                       text=escape(trait_words(trait, lang)), count=trait.confirmed_count + 1))
    if unparsed:
        lines.append(t(lang, "note.unparsed", text=escape(" / ".join(unparsed))[:300]))
    parts = len(logged.added) + len(logged.confirmed)
    if long and parts > 1:
        lines.append(t(lang, "note.long", n=parts))
    return "\n".join(lines)


def trait_choice(trait: Trait, lang: str) -> str:
    """A trait as a button label (Telegram shows about 30 characters comfortably)."""
    text = trait.text if len(trait.text) <= 28 else trait.text[:27] + "…"
    return f"✖ {category_label(trait.category, lang)}: {text}"


def split_message(lines: Iterable[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join lines into messages under `limit`, breaking only between lines when possible."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        for piece in _pieces(line, limit):
            if current and len(current) + 1 + len(piece) > limit:
                chunks.append(current)
                current = ""
            current = f"{current}\n{piece}" if current else piece
    return [*chunks, current] if current else chunks


def age(then: datetime, now: datetime, lang: str) -> str:
    seconds = max(0, int((now - then).total_seconds()))
    for unit, size in (("y", 365 * 86400), ("mo", 30 * 86400), ("d", 86400), ("h", 3600),
                       ("min", 60)):
        if seconds >= size:
            return t(lang, f"age.{unit}", n=seconds // size)
    return t(lang, "age.now")


def _pieces(line: str, limit: int) -> list[str]:
    # a single line longer than a message (never from the core's own limits) is cut hard
    return [line[i : i + limit] for i in range(0, len(line), limit)] or [""]


def _warnings(guest: Guest, lang: str) -> list[str]:
    return [t(lang, "card.unwelcome")] if guest.segment is Segment.UNWELCOME else []


def _grouped(traits: list[Trait]) -> dict[Category, list[Trait]]:
    grouped: dict[Category, list[Trait]] = {}
    for trait in traits:
        grouped.setdefault(trait.category, []).append(trait)
    return grouped


def _trait_line(trait: Trait, lang: str, now: datetime, branches: Mapping[str, str]) -> str:
    mark = "⚠️ " if trait.category is Category.ALLERGY else ""
    where = branches.get(trait.branch, trait.branch)
    seen = f" ✓{trait.confirmed_count + 1}" if trait.confirmed_count else ""
    label = category_label(trait.category, lang)
    mark += "🔒 " if trait.private else ""
    body = f"{mark}<b>{label}</b>: {escape(with_severity(trait, lang))}"
    return f"{body} — <i>{escape(where)} · {age(trait.seen_at, now, lang)}</i>{seen}"


def trait_words(trait: Trait, lang: str, *, typed: bool = True) -> str:
    """What a trait says, in the reader's language when it names a concept the vocabulary
    knows and was typed in the other one ("No garlic (不吃蒜)" for an English reader, the
    words typed beside it when short and `typed`); as typed otherwise. Plain text: escape it
    for HTML."""
    label = trait.attrs.get(f"label_{lang}")
    if _no_of_a_list(trait):
        # "garlic" of "no onion/garlic": the no was said once, before the list
        return t(lang, "concept.no", item=label if isinstance(label, str) else trait.text)
    if written_in(trait.text) == lang:
        return trait.text
    if trait.category is Category.OCCASION and (day := _occasion_words(trait, lang)):
        return f"{day} ({trait.text})" if typed else day  # "生日 6月14日 (birthday is 6 14)"
    if not isinstance(label, str):
        return trait.text
    words = _in_words(trait, label, lang)
    # an allergy's words are kept whole beside it: "even traces", "keep off the prawn station";
    # a diet's its exceptions ("vegan but eats fish sometimes"), a drink's what goes in it
    # ("english breakfast tea, milk"), a seat's what it is near or away from ("quiet corner
    # table away from the AC")
    beside = trait.category in (Category.ALLERGY, Category.DIET, Category.DRINK,
                                Category.SEATING) or len(trait.text) <= TYPED_BESIDE
    return f"{words} ({trait.text})" if typed and beside else words


# the diet kinds that refuse a food (profiles.vocabulary.Refusal)
_REFUSED = frozenset(str(refusal) for refusal in Refusal)


def _no_of_a_list(trait: Trait) -> bool:
    """Whether a refused food's words are only the food, its no said before the list."""
    item = trait.attrs.get("item")
    return trait.category is Category.DIET and trait.attrs.get("kind") in _REFUSED \
        and isinstance(item, str) \
        and simplified(trait.text).casefold().strip() == simplified(item).casefold().strip()


def _occasion_words(trait: Trait, lang: str) -> str | None:
    """A dated occasion in the reader's language: "birthday Jun 14" / "生日 6月14日"."""
    kind, month, day = (trait.attrs.get(name) for name in ("kind", "month", "day"))
    if kind not in ("birthday", "anniversary") or not isinstance(month, int) \
            or not 1 <= month <= 12:
        return None  # another occasion is said only as typed ("celebrating a promotion")
    lunar = t(lang, "occasion.lunar") if trait.attrs.get("calendar") == "lunar" else ""
    named = t(lang, f"cal.month.{month}")
    when = t(lang, "cal.month_day", month=named, day=day) if isinstance(day, int) \
        else t(lang, "cal.month_only", month=named)
    return f"{t(lang, f'occasion.kind.{kind}')} {lunar}{when}"


def _in_words(trait: Trait, label: str, lang: str) -> str:
    attrs = trait.attrs
    refused = attrs.get("kind") in _REFUSED
    disliked = attrs.get("polarity") == "dislike"
    match trait.category:
        case Category.DIET if refused:
            return t(lang, "concept.no", item=label)
        case Category.FOOD if disliked:
            return t(lang, "concept.dislikes", item=label)
        case Category.SEATING if disliked:
            return t(lang, "concept.not_seat", item=label)
        case Category.DRINK:
            return _drink_words(attrs, label, lang)
        case _:
            return label


def _drink_words(attrs: Mapping[str, object], label: str, lang: str) -> str:
    size, temperature = attrs.get("size"), attrs.get("temperature")
    before = [t(lang, f"concept.size.{size}") if size else "",
              t(lang, f"concept.temperature.{temperature}")
              if temperature and temperature not in ("no_ice", "less_ice") else ""]
    after = t(lang, f"concept.temperature.{temperature}") \
        if temperature in ("no_ice", "less_ice") else ""
    joiner = "" if lang == "zh" else " "
    words = joiner.join(part for part in [*before, label] if part)
    return f"{words}{'，' if lang == 'zh' else ', '}{after}" if after else words


def with_severity(trait: Trait, lang: str, words: str | None = None) -> str:
    """The trait's `words` (`trait_words` unless given), then " (severe)" / "（严重）" for an
    allergy whose severity is known, unless the words already name it ("sesame allergy
    severe"). Plain text: escape it for HTML."""
    said = trait_words(trait, lang) if words is None else words
    severity = trait.attrs.get("severity")
    if severity not in ("severe", "mild"):
        return said
    word = t(lang, f"severity.{severity}")
    if word.casefold() in simplified(said).casefold():
        return said
    return said + t(lang, "severity.shown", severity=word)


def _footer(guest: Guest, lang: str, now: datetime, branches: Mapping[str, str]) -> str:
    parts = []
    if guest.phone:  # whole, or masked to its tail by profiles.visibility for the viewer's role
        parts.append(f"☎ {escape(guest.phone)}")
    if guest.last_seen_at:
        where = branches.get(guest.last_seen_branch or "", guest.last_seen_branch or "")
        parts.append(t(lang, "card.last_seen", where=escape(where),
                       age=age(guest.last_seen_at, now, lang)))
    else:
        parts.append(t(lang, "card.never_seen"))
    return "<i>" + " · ".join(parts) + "</i>"


def category_label(category: Category, lang: str) -> str:
    return t(lang, f"category.{category}")


def tag_label(tag: str, lang: str) -> str:
    """A tier or segment word as staff read it (key → 重要客人)."""
    return catalogue(lang).get(f"segment.{tag}") or tier_label(tag, lang)


def tier_label(tier: str, lang: str) -> str:
    """Known tiers are translated (gold → 金卡); a chain's own tier names show as typed."""
    return catalogue(lang).get(f"tier.{tier}", tier)


def _next_occasion(trait: Trait, today: date) -> date | None:
    month, day = trait.attrs.get("month"), trait.attrs.get("day")
    if not isinstance(month, int) or not isinstance(day, int):
        return None
    for year in (today.year, today.year + 1, today.year + 2, today.year + 3, today.year + 4):
        try:
            candidate = date(year, month, day)
        except ValueError:  # 29 February outside a leap year
            continue
        if candidate >= today:
            return candidate
    return None
