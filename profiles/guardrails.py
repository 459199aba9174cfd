"""What a note about a guest must not say: judgements, codes, and health beyond allergy and diet.

Guest traits are personal data and allergies health data: the card keeps what service needs.
A note whose `looks` or `note` traits judge the person ("fat", "土包子") or use a code for
class or origin is refused whole, as is any trait but an allergy or a diet that records a
health condition. The words are data (`guardrails.toml`, extended per chain), checked in the
core before anything is stored: `TraitStore.log` refuses, whatever path the note came by.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from profiles.models import Category, Frozen, TraitDraft
from profiles.script import simplified
from profiles.vocabulary import VocabularyError

SHIPPED_GUARDRAILS = Path(str(resources.files("profiles") / "guardrails.toml"))
# categories checked against the subjective and coded lists: every one a judgement of a person
# could hide in ("土包子" read as a dish), but the guest's own food and drink words ("low fat")
SUBJECTIVE: frozenset[Category] = frozenset(Category) - {Category.ALLERGY, Category.DIET,
                                                         Category.DRINK}
# the only categories that may hold health data
HEALTH_ALLOWED: frozenset[Category] = frozenset({Category.ALLERGY, Category.DIET})


class Concern(StrEnum):
    SUBJECTIVE = "subjective"
    HEALTH = "health"


class Refusal(Frozen):
    """Why a note cannot be stored: the concern, the word that raised it, the trait's text."""

    concern: Concern
    word: str
    text: str


class NoteRefused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(f"{refusal.concern}: {refusal.word!r}")
        self.refusal = refusal


class _Words(BaseModel):
    model_config = ConfigDict(extra="forbid")
    en: list[str] = Field(default_factory=list)
    zh: list[str] = Field(default_factory=list)


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subjective: _Words = _Words()
    coded: _Words = _Words()
    health: _Words = _Words()


class Guardrails:
    """The compiled word lists; `review` says whether drafts may be stored."""

    def __init__(self, subjective: Iterable[str], health: Iterable[str]) -> None:
        self._subjective = _pattern(subjective)
        self._health = _pattern(health)

    def review(self, drafts: Sequence[TraitDraft]) -> Refusal | None:
        """The first reason not to store these drafts, or None when they may be stored."""
        for draft in drafts:
            if refusal := self._review(draft):
                return refusal
        return None

    def check(self, drafts: Sequence[TraitDraft]) -> None:
        """Raise NoteRefused when `review` finds a reason."""
        if refusal := self.review(drafts):
            raise NoteRefused(refusal)

    def _review(self, draft: TraitDraft) -> Refusal | None:
        folded = fold(draft.text)
        if draft.category in SUBJECTIVE and (word := _first(self._subjective, folded)):
            return Refusal(concern=Concern.SUBJECTIVE, word=word, text=draft.text)
        if draft.category not in HEALTH_ALLOWED and (word := _first(self._health, folded)):
            return Refusal(concern=Concern.HEALTH, word=word, text=draft.text)
        return None


def fold(text: str) -> str:
    # Traditional script is read as simplified, as the parser reads it: 醜八怪 is 丑八怪.
    return simplified(unicodedata.normalize("NFKC", text).casefold())


def load_guardrails(*extra: Path) -> Guardrails:
    """The shipped lists with each `extra` file's words added.

    Raises VocabularyError naming the file and the problem when a file cannot be used.
    """
    files = [_read(path) for path in (SHIPPED_GUARDRAILS, *extra)]
    subjective = [w for f in files for w in (*f.subjective.en, *f.subjective.zh,
                                                *f.coded.en, *f.coded.zh)]
    health = [w for f in files for w in (*f.health.en, *f.health.zh)]
    return Guardrails(subjective, health)


@cache
def default_guardrails() -> Guardrails:
    """The shipped lists alone, loaded once per process."""
    return load_guardrails()


def _read(path: Path) -> _File:
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except OSError as error:
        raise VocabularyError(path, [f"cannot read the file: {error.strerror}"]) from error
    except tomllib.TOMLDecodeError as error:
        raise VocabularyError(path, [f"not valid TOML: {error}"]) from error
    try:
        words = _File.model_validate(data)
    except ValidationError as error:
        raise VocabularyError(path, [
            f"{'.'.join(str(p) for p in item['loc'])}: {item['msg']}" for item in error.errors()
        ]) from error
    if blank := [w for w in _all_words(words) if not fold(w).strip(" *")]:
        raise VocabularyError(path, [f"blank entry {blank[0]!r}"])
    return words


def _all_words(words: _File) -> list[str]:
    return [w for group in (words.subjective, words.coded, words.health)
            for w in (*group.en, *group.zh)]


def _pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    """One alternation, longest entries first. A latin entry is bounded by non-letters on its
    left and, unless it ends in *, on its right; a Chinese one matches anywhere."""
    entries = sorted({fold(word).strip() for word in words}, key=len, reverse=True)
    if not entries:
        return None
    return re.compile("|".join(_entry(entry) for entry in entries if entry.strip("*")))


def _entry(entry: str) -> str:
    stem = entry.rstrip("*")
    body = r"\s+".join(re.escape(part) for part in stem.split())
    if not stem.isascii():
        return f"(?:{body})"
    right = r"[a-z0-9]*" if entry.endswith("*") else r"(?![a-z0-9])"
    return rf"(?<![a-z0-9])(?:{body}){right}"


def _first(pattern: re.Pattern[str] | None, folded: str) -> str | None:
    found = pattern.search(folded) if pattern else None
    return found.group(0) if found else None
