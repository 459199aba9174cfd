"""How well a name query meets a guest's name: exact, prefix or substring (pure functions).

The full-text index says *whether* a guest matches; these say *how*, for the ranking.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType
from typing import Final

from profiles.names import Phrase, QueryPlan, name_parts, pinyin_of


class MatchKind(StrEnum):
    """How a guest matched; the declaration order is the ranking, best first."""

    ID = "id"
    PLACE = "place"  # in the room or at the table right now
    PHONE = "phone"
    EXACT = "exact"
    PREFIX = "prefix"
    SUBSTRING = "substring"
    FUZZY = "fuzzy"


KIND_RANK: Final = MappingProxyType({kind: rank for rank, kind in enumerate(MatchKind)})


@dataclass(frozen=True, slots=True)
class TypedName:
    """A name query, folded once: its words, the words run together, the honorific asked for."""

    words: tuple[str, ...]
    compact: str
    honorific: str
    initials: bool  # it could be a name's initials ("wxm")

    @classmethod
    def of(cls, plan: QueryPlan) -> TypedName:
        words = _words(plan)
        initials = len(plan.terms) == 1 and "initials" in getattr(plan.terms[0], "kinds", ())
        return cls(words=words, compact="".join(words), honorific=plan.honorific,
                   initials=initials)


@dataclass(frozen=True, slots=True)
class NameForms:
    """A guest's name in the forms a query can meet it, folded the way queries are."""

    name: str
    words: tuple[str, ...]  # ("john", "smith"), ("王伟",)
    compact: str  # "johnsmith", "王伟"
    spoken: tuple[str, ...]  # joined pinyin, bare and with the honorific: "wang", "wangxiansheng"
    honorific: str

    @property
    def initials(self) -> tuple[str, ...]:
        """"ww", "wxs": read on demand, since only a query of initials needs them."""
        return _initials(self.name, self.honorific)


def name_forms(name: str, honorific: str, pinyin: str | None = None) -> NameForms:
    """The forms of a stored name (already split from its honorific).

    `pinyin` is the stored reading (`pinyin_of(name).joined`): given, no pinyin is computed,
    which matters when ranking a few hundred candidates.
    """
    words = name_parts(name)
    bare = pinyin_of(name).joined if pinyin is None else pinyin
    title = pinyin_of(honorific).joined
    return NameForms(name=name, words=words, compact="".join(words),
                     spoken=(bare, bare + title, title + bare), honorific=honorific)


def classify(typed: TypedName, forms: NameForms) -> MatchKind:
    """How well a name query meets a name the full-text index matched.

    Exact: the full name (in characters or pinyin) or whole words of it, with no other
    honorific than the one asked for. Prefix: the start of the name, its pinyin or its
    initials, or the start of each of its words. Substring: anything else the index found
    (a later character, a later syllable, a second reading such as 曾 "ceng").
    """
    if _honorific_agrees(typed, forms) and (
        is_full_name(typed, forms) or set(typed.words) <= set(forms.words)
    ):
        return MatchKind.EXACT
    starts = (forms.compact, *forms.spoken)
    if any(form.startswith(typed.compact) for form in starts) or all(
        any(word.startswith(part) for word in forms.words) for part in typed.words
    ):
        return MatchKind.PREFIX
    # Read on demand: pinyin for a few hundred candidates would cost milliseconds.
    if typed.initials and any(i.startswith(typed.compact) for i in forms.initials):
        return MatchKind.PREFIX
    return MatchKind.SUBSTRING


def is_full_name(typed: TypedName, forms: NameForms) -> bool:
    """The query is the whole name, in characters or pinyin, with or without its honorific."""
    return _honorific_agrees(typed, forms) and (
        typed.compact == forms.compact or typed.compact in forms.spoken
    )


def _honorific_agrees(typed: TypedName, forms: NameForms) -> bool:
    # "王先生" asks for 王先生, not 王女士; a bare "王" asks for either.
    return not typed.honorific or typed.honorific == forms.honorific


def _words(plan: QueryPlan) -> tuple[str, ...]:
    return tuple(t.chars if isinstance(t, Phrase) else t.text for t in plan.terms)


@lru_cache(maxsize=1024)
def _initials(name: str, honorific: str) -> tuple[str, ...]:
    bare, title = pinyin_of(name).initials, pinyin_of(honorific).initials
    return bare, bare + title, title + bare
