"""Notes that judge a guest, or record health beyond allergy and diet, are refused whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from profiles.guardrails import (
    Concern,
    NoteRefused,
    Refusal,
    default_guardrails,
    load_guardrails,
)
from profiles.guests import GuestStore
from profiles.models import Category, Staff
from profiles.parser import parse_note
from profiles.traits import TraitStore
from profiles.vocabulary import VocabularyError, default_vocabulary
from store.database import Database
from tests.factories import NOW, draft


def review(text: str) -> Refusal | None:
    return default_guardrails().review(parse_note(text, default_vocabulary()).traits)


@pytest.mark.parametrize(("text", "concern", "word"), [
    ("looks like a fatso", Concern.SUBJECTIVE, "fatso"),
    ("戴眼镜，很猥琐", Concern.SUBJECTIVE, "猥琐"),
    ("NPLU, tips badly", Concern.SUBJECTIVE, "nplu"),
    ("pregnant", Concern.HEALTH, "pregnant"),
    ("有抑郁症", Concern.HEALTH, "抑郁"),
    ("was depressed last visit", Concern.HEALTH, "depressed"),
    # traditional script and Cantonese, read as the parser reads them
    ("醜八怪一個", Concern.SUBJECTIVE, "丑八怪"),
    ("孤寒到死 貼士都唔俾", Concern.SUBJECTIVE, "孤寒"),
    ("有抑鬱症", Concern.HEALTH, "抑郁"),
    ("tight git, moaned about the service charge", Concern.SUBJECTIVE, "tight git"),
    # class, wealth and wits, as staff put them
    ("bit chavvy, keep an eye on him", Concern.SUBJECTIVE, "chavvy"),
    ("看起來很窮 穿得很寒酸", Concern.SUBJECTIVE, "很穷"),
    ("一看就是乡下来的", Concern.SUBJECTIVE, "乡下来的"),
    ("個樣好核突", Concern.SUBJECTIVE, "核突"),
    ("looks homeless lol", Concern.SUBJECTIVE, "looks homeless"),
    ("穿得像乞丐", Concern.SUBJECTIVE, "像乞丐"),
])
def test_judgements_codes_and_health_are_refused(text: str, concern: Concern, word: str) -> None:
    refusal = review(text)
    assert refusal is not None and (refusal.concern, refusal.word) == (concern, word)


@pytest.mark.parametrize("text", [
    "tall, glasses, grey coat", "花生过敏", "diabetic", "糖尿病，不吃糖", "fatty tuna lover",
    "window seat", "高个子，戴眼镜", "needs a wheelchair ramp",
    # a name, a dish and a scooter are not judgements
    "Karen, severe peanut allergy", "loves the jerk chicken", "騎機車來的 花生過敏",
    "cheap red wine is fine", "common room on the 3rd floor", "bum bag, always",
])
def test_neutral_notes_allergies_and_diets_pass(text: str) -> None:
    assert review(text) is None


async def test_the_trait_store_refuses_before_writing(db: Database, waiter: Staff) -> None:
    guest = await GuestStore(db).create("Smith", None, branch="la", staff_id=waiter.id,
                                        region="US", now=NOW)
    with pytest.raises(NoteRefused):
        await TraitStore(db).log(guest.id, [draft(Category.SEATING, "window"),
                                            draft(Category.LOOKS, "ugly")],
                                 staff_id=waiter.id, branch="la", now=NOW)
    assert (await GuestStore(db).card(guest.id)).traits == []


def test_a_chain_adds_its_own_words(tmp_path: Path) -> None:
    extra = tmp_path / "ours.toml"
    extra.write_text('[subjective]\nen = ["grumpy*"]\n', encoding="utf-8")
    rails = load_guardrails(extra)
    refusal = rails.review([draft(Category.NOTE, "Grumpyish in the morning")])
    assert refusal is not None and refusal.word == "grumpyish"


def test_a_bad_word_file_names_itself(tmp_path: Path) -> None:
    extra = tmp_path / "bad.toml"
    extra.write_text('[subjective]\nfr = ["moche"]\n', encoding="utf-8")
    with pytest.raises(VocabularyError, match=r"bad\.toml: subjective\.fr"):
        load_guardrails(extra)


def test_a_judgement_the_parser_read_as_a_dish_is_still_refused() -> None:
    drafts = parse_note("这客人很胖 土包子", default_vocabulary()).traits
    refusal = load_guardrails().review(drafts)
    assert refusal is not None and refusal.word == "土包子"
