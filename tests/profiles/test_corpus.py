"""The parser against the labelled corpus (tests/profiles/corpus), scored by meaning: the
held-out half keeps the accuracy reached, and labelled allergies stay allergies.

The thresholds are the figures measured when they were set, less a small margin; they only
ever go up. The held-out half (odd ids) was never looked at when tuning the parser.
"""

from __future__ import annotations

from functools import cache

import pytest

from bench.corpus import (
    LabelledNote,
    Reading,
    Score,
    load_corpus,
    load_judgements,
    notes_table,
    read_corpus,
    score,
    trait_matches,
)
from profiles.guardrails import default_guardrails
from profiles.models import Category, TraitDraft
from profiles.parser import parse_note
from profiles.vocabulary import default_vocabulary

HELD_OUT_FULLY_RIGHT_AT_LEAST = 0.761
# of every labelled allergy, both halves; the later authors label a reaction alone (hives,
# a tingle) mild, which the parser keeps unknown, as the first authors do; "坚果过敏：核桃、
# 腰果、杏仁" and "tree nut allergy (almond, cashew, walnut)" are read as the nuts alone; the
# tenth batch is held out, never read
ALLERGIES_WITH_SEVERITY_AT_LEAST = 0.977
HELD_OUT_JUDGEMENTS_KEPT_AT_MOST = 1  # of the tenth batch's twelve, never read
HELD_OUT_ALLERGIES_READ_AS_FOOD_AT_MOST = 0  # "杏仁过明": the typing slip another author made too
MARGIN = 0.02


@cache
def readings() -> tuple[Reading, ...]:
    return tuple(read_corpus(load_corpus()))


@cache
def scores() -> dict[str, Score]:
    return score(readings())


def test_the_corpus_is_whole_and_split_in_two_halves() -> None:
    notes = load_corpus()
    assert len(notes) >= 1400 and len({note.id for note in notes}) == len(notes)
    halves = {note.half for note in notes}
    assert halves == {"dev", "held_out"}
    assert all(t["severity"] in ("severe", "mild", "unknown")
               for note in notes for t in note.traits if t["category"] == "allergy")


def test_the_held_out_half_keeps_the_accuracy_reached() -> None:
    assert scores()["held_out"].notes.rate >= HELD_OUT_FULLY_RIGHT_AT_LEAST - MARGIN


def test_labelled_allergies_are_filed_as_allergies_with_their_severity() -> None:
    both = [scores()[half].allergies for half in ("dev", "held_out")]
    right, total = sum(t.right for t in both), sum(t.total for t in both)
    assert total >= 200
    assert right / total >= ALLERGIES_WITH_SEVERITY_AT_LEAST


def test_judgements_of_a_guest_are_refused() -> None:
    """Every one of the dev half; of the held-out half, never read, as many as now."""
    judgements = load_judgements()
    assert len(judgements) >= 12
    kept = {half: [note.note for note in judgements if note.half == half
                   and default_guardrails().review(parse_note(
                       note.note, default_vocabulary(), region=note.region).traits) is None]
            for half in ("dev", "held_out")}
    assert kept["dev"] == []
    assert len(kept["held_out"]) <= HELD_OUT_JUDGEMENTS_KEPT_AT_MOST


def allergies_read_as_food(half: str) -> int:
    return sum(1 for reading in readings() if reading.note.half == half
               for label, found in zip(reading.labels, reading.matched, strict=True)
               if label["category"] == "allergy" and not found
               and any(t.category is Category.FOOD and str(label.get("item", "?")) in t.text
                       for t in reading.parsed))


def test_no_labelled_allergy_is_read_as_food() -> None:
    assert allergies_read_as_food("dev") == 0
    assert allergies_read_as_food("held_out") <= HELD_OUT_ALLERGIES_READ_AS_FOOD_AT_MOST


# --- the scorer ------------------------------------------------------------------------------


def draft(category: Category, text: str, **attrs: str | int) -> TraitDraft:
    return TraitDraft(category=category, text=text, attrs=attrs)


@pytest.mark.parametrize(
    ("label", "parsed", "same"),
    [
        ({"category": "allergy", "item": "塵蟎", "severity": "unknown"},
         draft(Category.ALLERGY, "尘螨过敏", severity="unknown", item="尘螨"), True),
        ({"category": "allergy", "item": "蝦", "severity": "mild"},
         draft(Category.ALLERGY, "虾过敏", severity="severe", item="虾"), False),
        ({"category": "drink", "item": "Coffee", "temperature": "no ice"},
         draft(Category.DRINK, "iced coffee", item="coffee", temperature="no_ice"), True),
        ({"category": "drink", "item": "coffee", "size": "large"},
         draft(Category.DRINK, "coffee", item="coffee"), False),
        ({"category": "occasion", "kind": "birthday", "month": 3, "day": 3,
          "calendar": "lunar"},
         draft(Category.OCCASION, "农历三月初三生日", kind="birthday", month=3, day=3), False),
        ({"category": "seating", "item": "角落位"}, draft(Category.SEATING, "角落"), True),
        ({"category": "seating", "item": "靠窗"}, draft(Category.FOOD, "靠窗"), False),
    ],
)
def test_a_trait_is_compared_by_meaning(label: dict[str, object], parsed: TraitDraft,
                                        same: bool) -> None:
    assert trait_matches(label, parsed) is same


def test_a_note_is_fully_right_with_the_same_traits_and_no_more() -> None:
    note = LabelledNote("x-002", "simplified", "靠窗 随便聊",
                        ({"category": "seating", "item": "靠窗"}, {"category": "note"}))
    (reading,) = read_corpus([note])
    assert reading.fully_right and note.half == "dev"
    more = Reading(note, [*reading.parsed, draft(Category.FOOD, "鱼")], [True], 0.0)
    assert not more.fully_right


def test_the_benchmark_reports_every_slice_and_the_parse_time() -> None:
    table = notes_table()
    slices = {note.slice for note in load_corpus()}
    assert all(f"| slice {name} |" in table for name in slices)
    assert "allergies filed as allergy, item and severity" in table
    assert "Parse time per note (CPU time, each note's median of 5): p50" in table
