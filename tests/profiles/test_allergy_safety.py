"""The allergy rules of the note parser, each held as a rule: an allergy written in a note
reaches the kitchen as an allergy, with the severity the note states, whatever the script,
the typing or the punctuation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from profiles.models import Category, TraitDraft
from profiles.parser import parse_note
from profiles.script import simplified
from profiles.vocabulary import default_vocabulary

vocab = default_vocabulary()
quick = settings(max_examples=200, deadline=None, database=None)
ALLERGY = Category.ALLERGY


def allergies(note: str) -> list[TraitDraft]:
    return [t for t in parse_note(note, vocab).traits if t.category is ALLERGY]


def allergen_and_severity(note: str) -> list[tuple[str, str]]:
    return [(str(t.attrs.get("item", "")), str(t.attrs["severity"])) for t in allergies(note)]


# Every way staff write that a guest is allergic, with an allergen beside it.
CUES = [
    "对{x}过敏", "對{x}過敏", "{x}过敏", "{x}過敏", "{x}敏感", "對{x}敏感", "{x} allergy",
    "allergic to {x}", "alergic to {x}", "allergc to {x}", "{x} allergies", "{x} - anaphylaxis",
    "{x}, carries an EpiPen", "{x}, has an epi-pen", "{x} 肾上腺素笔", "吃{x}会起疹子",
    "{x} gives him a rash", "{x} causes swelling", "吃{x}会休克", "{x}: shock last time",
    "{x}过敏性休克", "{x} anaphylactic", "{x}过明", "吃{x}会起点疹子", "{x} 起了疹子",
]
ALLERGENS = ["花生", "芒果", "shrimp", "peanuts", "sesame", "贝类", "kiwi", "鮑魚"]


@pytest.mark.parametrize("cue", CUES)
@pytest.mark.parametrize("allergen", ["花生", "shrimp"])
def test_any_allergy_cue_makes_an_allergy_of_the_allergen(cue: str, allergen: str) -> None:
    note = cue.format(x=allergen)
    parsed = parse_note(note, vocab)
    assert [t.category for t in parsed.traits] == [ALLERGY], parsed
    assert parsed.traits[0].attrs["item"] == allergen
    assert parsed.unparsed == []


@quick
@given(st.sampled_from(CUES), st.sampled_from(ALLERGENS),
       st.sampled_from(["，", " ", ", ", "!!", "/", "。", " - "]),
       st.sampled_from(["靠窗", "window seat", "热奶茶", "wife is a lawyer", "金卡", ""]))
def test_an_allergy_is_never_food_nor_lost_beside_other_traits(
        cue: str, allergen: str, separator: str, other: str) -> None:
    if separator == " " and other.isascii():
        separator = ", "  # English words with only spaces between are read as one clause
    for note in (f"{cue.format(x=allergen)}{separator}{other}",
                 f"{other}{separator}{cue.format(x=allergen)}"):
        parsed = parse_note(note, vocab)
        found = [t for t in parsed.traits if t.category is ALLERGY]
        assert found, parsed
        assert any(simplified(allergen.casefold()) in str(t.attrs.get("item", ""))
                   for t in found), parsed
        assert not any(t.category is Category.FOOD and allergen in t.text
                       for t in parsed.traits), parsed


@pytest.mark.parametrize(
    "note",
    ["靠窗对芒果过敏", "对芒果过敏靠窗", "热奶茶芒果过敏", "角落位不要香菜芒果过敏中杯热奶茶",
     "靠窗allergic to 芒果", "芒果 allergy靠窗"],
)
def test_an_allergy_in_unbroken_chinese_is_found_beside_other_traits(note: str) -> None:
    assert allergen_and_severity(note) == [("芒果", "unknown")]


@pytest.mark.parametrize(
    ("note", "severity"),
    [
        ("花生严重过敏", "severe"),
        ("芝麻过敏，很严重的", "severe"),
        ("花生过敏，会休克", "severe"),
        ("貝類過敏 嚴重", "severe"),
        ("很严重！对虾过敏", "severe"),
        ("peanut allergy, ANAPHYLAXIS", "severe"),
        ("bee sting allergy, has EpiPen", "severe"),
        ("mocha allergy - ended up in ER last yr", "severe"),
        ("sesame - allergic!! bad reaction last time", "severe"),
        ("蟹过敏 不算严重", "mild"),
        ("牛肉过敏 不严重", "mild"),
        ("麩質過敏 不算很嚴重", "mild"),
        ("蝦敏感 唔係好嚴重", "mild"),
        ("almond allergy, not serious", "mild"),
        ("tomato allergy, not severe", "mild"),
        ("milk allergy, not too bad", "mild"),
        ("coconut allergy, mild", "mild"),
        ("芒果轻微过敏", "mild"),
        ("芒果过明 轻微 起点疹子而已", "mild"),
        ("花生过敏 有点严重", "severe"),
        ("对虾过敏，挺严重", "severe"),
        ("对芒果过敏", "unknown"),
        ("allergic to shellfish", "unknown"),
    ],
)
def test_a_severity_stated_anywhere_in_the_note_applies(note: str, severity: str) -> None:
    assert [s for _, s in allergen_and_severity(note)] == [severity]


@pytest.mark.parametrize(
    "note",
    ["不过敏", "没有过敏", "no allergies", "allergies: none", "冇allergy 问过两次", "NKA",
     "芒果过敏?? 问了说不是", "鸡蛋现在不过敏了 小时候才过敏", "以前對蝦敏感 而家冇事"],
)
def test_a_denied_allergy_is_no_allergy(note: str) -> None:
    assert allergies(note) == []


@pytest.mark.parametrize(
    ("note", "item"),
    [
        ("榴莲不是过敏，就是不爱吃", "榴莲"),
        ("香菜過敏?? 其實只是討厭", "香菜"),
        ("fish allergy? nope, guest says just dislikes it", "fish"),
        ("不是过敏 只是不喜欢香菜", "香菜"),
    ],
)
def test_an_allergy_that_is_a_dislike_is_filed_as_the_dislike(note: str, item: str) -> None:
    parsed = parse_note(note, vocab)
    assert [(t.category, t.attrs.get("item"), t.attrs.get("polarity"))
            for t in parsed.traits] == [(Category.FOOD, item, "dislike")]


@pytest.mark.parametrize(
    "note",
    ["has an EpiPen with him", "carries an epipen", "she carries an epi-pen in her bag",
     "过敏", "過敏", "有过敏", "allergic", "anaphylaxis"],
)
def test_the_allergen_is_never_a_cue_or_a_filler_word(note: str) -> None:
    found = allergies(note)
    assert len(found) == 1
    assert "item" not in found[0].attrs


@quick
@given(st.sampled_from(CUES), st.sampled_from(ALLERGENS))
def test_the_allergen_is_a_word_of_the_note(cue: str, allergen: str) -> None:
    note = cue.format(x=allergen)
    folded = simplified(note.casefold())
    for trait in allergies(note):
        item = str(trait.attrs["item"])
        assert item in folded
        assert item not in {"has", "carries", "过敏", "allergy", "allergic", "him", "her"}


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("对虾、蟹过敏", [("虾", "unknown"), ("蟹", "unknown")]),
        ("虾蟹过敏 轻微", [("虾", "mild"), ("蟹", "mild")]),
        ("花生、杏仁過敏", [("花生", "unknown"), ("杏仁", "unknown")]),
        ("對芒果同菠蘿過敏 好嚴重", [("芒果", "severe"), ("菠萝", "severe")]),
        ("walnut and pecan allergy", [("walnut", "unknown"), ("pecan", "unknown")]),
        ("shellfish + fin fish allergy, serious", [("shellfish", "severe"),
                                                   ("fin fish", "severe")]),
        ("allergic to pine nuts and walnuts", [("pine nuts", "unknown"), ("walnuts", "unknown")]),
        ("egg 同 milk allergy", [("egg", "unknown"), ("milk", "unknown")]),
        ("花生、腰果过敏，很严重", [("花生", "severe"), ("腰果", "severe")]),
        # the list goes on after a separator
        ("allergic to almonds, cashews and walnuts",
         [("almonds", "unknown"), ("cashews", "unknown"), ("walnuts", "unknown")]),
        ("severe peanut allergy, cashews too", [("peanut", "severe"), ("cashews", "severe")]),
        ("虾过敏、蟹过敏、贝类也不行", [("虾", "unknown"), ("蟹", "unknown"), ("贝类", "unknown")]),
    ],
)
def test_a_list_gives_one_allergy_per_allergen_with_the_notes_severity(
        note: str, expected: list[tuple[str, str]]) -> None:
    assert allergen_and_severity(note) == expected
    texts = [t.text for t in allergies(note)]
    assert len(set(texts)) == len(texts)  # each its own trait, none taken for another


@pytest.mark.parametrize(("note", "expected"), [
    ("shrimp crab allergy", [("shrimp", "unknown"), ("crab", "unknown")]),
    ("allergic to eggs and milk", [("eggs", "unknown"), ("milk", "unknown")]),  # not a drink
    ("花生过敏，一点点都不能吃", [("花生", "severe")]),  # not even a little: severe, not mild
    ("peanut sesame allergy", [("peanut", "unknown"), ("sesame", "unknown")]),
    # an addition to a drink said right before the allergy word is its allergen
    ("latte, almond - severe allergy", [("almond", "severe")]),
    ("咖啡，奶，过敏", [("奶", "unknown")]),
    ("latte, almond, tree nut allergy", [("almond", "unknown"), ("tree nut", "unknown")]),
    # a typo of an allergen is never corrected to an everyday word
    ("allergic to cheesr", [("cheese", "unknown")]),
    ("allergic to butrer", [("butter", "unknown")]),
])
def test_allergens_typed_side_by_side_or_after_a_drink_are_each_an_allergy(
        note: str, expected: list[tuple[str, str]]) -> None:
    assert allergen_and_severity(note) == expected


@pytest.mark.parametrize(("note", "expected"), [
    # a drink that is a food too names the allergen of a bare allergy word after it
    ("牛奶 过敏", [("牛奶", "unknown")]),
    ("milk - allergic", [("milk", "unknown")]),
    ("egg and milk - allergic", [("egg", "unknown"), ("milk", "unknown")]),
    ("egg 同 milk 都敏感", [("egg", "unknown"), ("milk", "unknown")]),
    # a relative's allergy to a kind of food keeps the whole word ("奶类", not "类")
    ("兒子對奶類過敏", [("奶类", "unknown")]),
    # a food refused for what it does to the guest is an allergy to it
    ("牛油果不能吃 说吃了嘴巴痒", [("牛油果", "unknown")]),
    ("no shellfish, gets hives", [("shellfish", "unknown")]),
    ("sesame intolerance, gets a rash", [("sesame", "unknown")]),
    # not knowing how severe is no severity, whatever word it holds
    ("對花生過敏不知道多嚴重", [("花生", "unknown")]),
    ("shellfish allergy, not sure how bad", [("shellfish", "unknown")]),
    # not even a trace of the allergen, with the allergen named in between
    ("麸质过敏 一点面粉都不能碰", [("麸质", "severe")]),
    # a degree said of something else is none of the allergy's
    ("李总戴眼镜有点秃对花生过敏", [("花生", "unknown")]),
    # an allergen that is a room's word too is still the allergen
    ("allergic to feathers", [("feathers", "unknown")]),
    ("feather-free pillows (allergic to feathers)", [("feathers", "unknown")]),
])
def test_allergies_named_before_a_bare_cue_or_by_what_they_do(
        note: str, expected: list[tuple[str, str]]) -> None:
    assert allergen_and_severity(note) == expected


def test_an_upset_stomach_after_a_food_refused_is_no_allergy() -> None:
    assert allergies("不吃辣 会肚痛") == []


@pytest.mark.parametrize("note", ["花生过敏，牛肉", "peanut allergy, beef", "虾过敏，葱也不吃",
                                  "shellfish allergy, chicken"])
def test_a_food_after_an_allergy_is_one_more_allergen_only_when_said_so(note: str) -> None:
    # "beef" after "peanut allergy" may be a dish liked; "葱也不吃" is not eaten, no allergy
    assert len(allergies(note)) == 1


def test_an_allergen_of_english_words_is_one_allergen() -> None:
    assert allergen_and_severity("allergic to kiwi fruit - throat swells, v serious") \
        == [("kiwi fruit", "severe")]


def test_a_dish_after_an_allergy_is_no_allergen() -> None:
    assert allergen_and_severity("虾过敏, 牛排五分熟") == [("虾", "unknown")]


@pytest.mark.parametrize("note", ["no allergies per guest", "no known allergies, asked twice",
                                  "无过敏 客人说的"])
def test_no_allergies_is_no_trait_of_any_kind(note: str) -> None:
    assert [t.category for t in parse_note(note, vocab).traits
            if t.category is not Category.NOTE] == []


@pytest.mark.parametrize(("note", "expected"), [
    ("花生过敏，不吃辣", [("allergy", "花生过敏"), ("diet", "不吃辣")]),
    ("对海鲜过敏 不能吃辣", [("allergy", "对海鲜过敏"), ("diet", "不能吃辣")]),
    ("shellfish allergy, likes the salmon",
     [("allergy", "shellfish allergy"), ("food", "likes the salmon")]),  # a liking of its own
    ("allergic to peanuts, not allergic to shellfish, no onion",
     [("allergy", "allergic to peanuts"), ("note", "not allergic to shellfish"),
      ("diet", "no onion")]),
])
def test_what_follows_an_allergy_with_a_subject_of_its_own_is_a_trait_of_its_own(
    note: str, expected: list[tuple[str, str]],
) -> None:
    assert [(d.category.value, d.text) for d in parse_note(note, vocab).traits] == expected


@pytest.mark.parametrize(("note", "clause", "expected"), [
    ("花生过敏 虾也过敏 随身带肾上腺素笔", "随身带肾上腺素笔", [("花生", "severe"), ("虾", "severe")]),
    ("shrimp allergy - anaphylaxis last year", "anaphylaxis last year", [("shrimp", "severe")]),
    ("sesame allergy. carries an EpiPen", "carries an EpiPen", [("sesame", "severe")]),
    # what the note says of one allergy stands
    ("芒果过敏 轻微\n休克过一次", "休克过一次", [("芒果", "mild")]),
])
def test_a_clause_that_only_says_how_severe_is_no_allergen_of_its_own(
    note: str, clause: str, expected: list[tuple[str, str]],
) -> None:
    assert allergen_and_severity(note) == expected
    # nothing said is lost: the clause is kept, with its allergy or as a note of its own
    assert clause in " ".join(t.text for t in parse_note(note, vocab).traits)


@pytest.mark.parametrize("note", ["没有花生过敏", "冇花生过敏", "沒有海鮮過敏", "no nut allergy",
                                  "no shellfish allergy", "never had a nut allergy"])
def test_a_no_before_the_allergen_is_no_allergy(note: str) -> None:
    """The kitchen must not be alerted of what the guest is not allergic to."""
    assert allergies(note) == []
    assert [t.text for t in parse_note(note, vocab).traits] == [note]  # kept as typed


@pytest.mark.parametrize("note", ["无花果过敏", "nut allergy, no onion", "not sure, nut allergy"])
def test_what_only_looks_like_a_no_is_still_an_allergy(note: str) -> None:
    assert len(allergies(note)) == 1


@pytest.mark.parametrize(("note", "text", "item"), [
    ("老婆对海鲜过敏", "老婆对海鲜过敏", "海鲜"),
    ("小孩對花生過敏，很嚴重", "小孩對花生過敏，很嚴重", "花生"),
])
def test_a_relatives_allergy_is_one_allergy_that_says_whose(
    note: str, text: str, item: str,
) -> None:
    [allergy] = allergies(note)
    assert (allergy.text, allergy.attrs["item"]) == (text, item)
