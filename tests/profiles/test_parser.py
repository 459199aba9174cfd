"""The /note parser: categories and attributes, nothing typed lost, vocabulary files."""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

from profiles.models import Attrs, Category, ParsedNote, Segment, TraitDraft
from profiles.parser import MAX_TRAIT_LENGTH, parse_note, traits_as_json_lines
from profiles.vocabulary import (
    SEPARATORS,
    Spelling,
    VocabularyError,
    default_vocabulary,
    load_vocabulary,
)

vocab = default_vocabulary()

# Few examples and no example database: the file should run in seconds and leave no files.
# Derandomized: the same examples on every run, so a run fails for the code, not the draw
# (a wider search: the same properties with more examples, by hand).
quick = settings(max_examples=150, deadline=None, database=None, derandomize=True)


def only_trait(text: str) -> TraitDraft:
    parsed = parse_note(text, vocab)
    assert len(parsed.traits) == 1, parsed
    return parsed.traits[0]


def readings(text: str) -> list[tuple[Category, str]]:
    return [(trait.category, trait.text) for trait in parse_note(text, vocab).traits]


SEATING, DRINK, DIET, ALLERGY = Category.SEATING, Category.DRINK, Category.DIET, Category.ALLERGY
FOOD, SERVICE, ROOM, OCCASION = Category.FOOD, Category.SERVICE, Category.ROOM, Category.OCCASION
LOOKS, WORK, FAMILY, NOTE = Category.LOOKS, Category.WORK, Category.FAMILY, Category.NOTE

EXAMPLES: list[tuple[str, Category, Attrs]] = [
    # zh
    ("靠窗", SEATING, {}),
    ("包间", SEATING, {}),
    ("冰酸梅汤大杯", DRINK, {"item": "酸梅汤", "size": "large", "temperature": "iced"}),
    ("热美式中杯", DRINK, {"item": "美式", "size": "medium", "temperature": "hot"}),
    ("去冰可乐小杯", DRINK, {"item": "可乐", "size": "small", "temperature": "no_ice"}),
    ("不吃蒜", DIET, {"kind": "dislikes", "item": "蒜"}),
    ("他不吃香菜", DIET, {"kind": "dislikes", "item": "香菜"}),
    ("不能吃海鲜", DIET, {"kind": "cannot_eat", "item": "海鲜"}),
    ("忌辣", DIET, {"kind": "cannot_eat", "item": "辣"}),
    ("海鲜忌口", DIET, {"kind": "cannot_eat", "item": "海鲜"}),
    ("吃素", DIET, {"kind": "vegetarian"}),
    ("清真", DIET, {"kind": "halal"}),
    ("不吃猪肉", DIET, {"kind": "no_pork"}),
    ("对花生过敏", ALLERGY, {"item": "花生", "severity": "unknown"}),
    ("花生严重过敏", ALLERGY, {"item": "花生", "severity": "severe"}),
    ("芒果轻微过敏", ALLERGY, {"item": "芒果", "severity": "mild"}),
    ("过敏性休克：花生", ALLERGY, {"item": "花生", "severity": "severe"}),
    ("喜欢七分熟牛排", FOOD, {}),
    ("不要打扰", SERVICE, {"style": "do_not_disturb"}),
    ("少打扰", SERVICE, {"style": "do_not_disturb"}),
    ("带孩子来", SERVICE, {"style": "children"}),
    ("高楼层", ROOM, {}),
    ("无烟房", ROOM, {}),
    ("生日5月12日", OCCASION, {"kind": "birthday", "month": 5, "day": 12}),
    ("生日 05-12", OCCASION, {"kind": "birthday", "month": 5, "day": 12}),
    ("结婚纪念日10月3日", OCCASION, {"kind": "anniversary", "month": 10, "day": 3}),
    ("1985年5月12日生日", OCCASION, {"kind": "birthday", "month": 5, "day": 12, "year": 1985}),
    ("戴眼镜", LOOKS, {}),
    ("短发", LOOKS, {}),
    ("律师", WORK, {}),
    ("在腾讯上班", WORK, {}),
    ("两个孩子", FAMILY, {}),
    ("太太", FAMILY, {}),
    ("会说粤语", SERVICE, {"style": "language"}),  # the language to serve the guest in
    # en
    ("window seat", SEATING, {}),
    (
        "large iced sour plum drink",
        DRINK,
        {"item": "sour plum", "size": "large", "temperature": "iced"},
    ),
    ("small hot green tea", DRINK, {"item": "green tea", "size": "small", "temperature": "hot"}),
    ("no ice coke", DRINK, {"item": "coke", "temperature": "no_ice"}),
    ("no garlic", DIET, {"kind": "dislikes", "item": "garlic"}),
    ("can't eat shellfish", DIET, {"kind": "cannot_eat", "item": "shellfish"}),
    ("doesn't eat pork", DIET, {"kind": "no_pork"}),
    ("vegan", DIET, {"kind": "vegan"}),
    ("allergic to peanuts (severe)", ALLERGY, {"item": "peanuts", "severity": "severe"}),
    ("mild shellfish allergy", ALLERGY, {"item": "shellfish", "severity": "mild"}),
    ("likes medium-rare steak", FOOD, {}),
    ("doesn't like to be disturbed", SERVICE, {"style": "do_not_disturb"}),
    ("needs a high chair for the baby", SERVICE, {"style": "children"}),
    ("prefers high floor room", ROOM, {}),
    ("extra pillows", ROOM, {}),
    ("birthday 05-12", OCCASION, {"kind": "birthday", "month": 5, "day": 12}),
    ("birthday May 12", OCCASION, {"kind": "birthday", "month": 5, "day": 12}),
    ("birthday 12 May", OCCASION, {"kind": "birthday", "month": 5, "day": 12}),
    (
        "birthday 12th of March 1990",
        OCCASION,
        {"kind": "birthday", "month": 3, "day": 12, "year": 1990},
    ),
    ("anniversary 10/3", OCCASION, {"kind": "anniversary", "month": 10, "day": 3}),
    ("birthday 02-29", OCCASION, {"kind": "birthday", "month": 2, "day": 29}),
    ("wears glasses", LOOKS, {}),
    ("beard", LOOKS, {}),
    ("lawyer", WORK, {}),
    ("works at Tencent", WORK, {}),
    ("two kids", FAMILY, {}),
    ("speaks Cantonese", SERVICE, {"style": "language"}),
]
# Read alone only: the properties below draw their notes from EXAMPLES.
SAID_ALONE: list[tuple[str, Category, Attrs]] = [
    # how the guest pays is said at the till, not of their work
    ("发票抬头：上海星河科技有限公司", SERVICE, {"style": "billing"}),
    ("結帳要開統編", SERVICE, {"style": "billing"}),
    ("wants the check split evenly", SERVICE, {"style": "billing"}),
    # serving the dishes is service, not a food
    ("上菜慢一点", SERVICE, {}),
    ("上菜要快", SERVICE, {"style": "fast"}),
    ("鍾意女仔招呼", SERVICE, {}),
    # a relative's birthday stays with the relative: never filed as the guest's own
    ("女儿生日5月20日", FAMILY, {}),
    ("老婆生日 12/9", FAMILY, {}),
    ("女儿birthday 3/11", FAMILY, {}),
    # the month alone, in English as in Chinese ("纪念日 6月")
    ("birthday in Oct", OCCASION, {"kind": "birthday", "month": 10}),
    ("anniversary sometime in june", OCCASION, {"kind": "anniversary", "month": 6}),
    ("may bring a cake for her birthday", OCCASION, {"kind": "birthday"}),
    # "room temp" is how a drink is served; with degrees, how a room is kept
    ("water room temp", DRINK, {"item": "water", "temperature": "room"}),
    ("room temperature 22", ROOM, {}),
    ("milo peng", DRINK, {"item": "milo", "temperature": "iced"}),
    ("飲暖水", DRINK, {"item": "水", "temperature": "warm"}),
    ("away from the AC", SEATING, {"polarity": "dislike"}),
    ("唔鍾意嘈", NOTE, {}),  # a feeling of one character is no food
    ("不喜欢鱼", FOOD, {"polarity": "dislike", "item": "鱼"}),
    ("鍾意食乳鴿", FOOD, {"item": "乳鸽"}),  # what they like to eat, known or not
    ("鍋邊素", DIET, {"kind": "vegetarian"}),
    ("不要叫王太", SERVICE, {}),  # how to address, not a food refused
    # what goes into a drink, said after it, is that drink's
    ("english breakfast tea, milk", DRINK, {"item": "english breakfast"}),
    ("iced latte, large, oat milk", DRINK, {"item": "iced latte", "size": "large",
                                            "temperature": "iced"}),
    ("builder's tea, splash of milk", DRINK, {"item": "builder's tea"}),
    # quiet said of a seat or a room is the place's; liked on its own, how to serve
    ("喜欢安静的角落", SEATING, {}),
    ("喜歡角落安靜的位子", SEATING, {}),
    ("房间要高层，安静点的", ROOM, {}),
    ("喜欢安静", SERVICE, {"style": "quiet"}),
    ("不爱聊天", SERVICE, {"style": "quiet"}),
    # dates said aloud into a phone
    ("birthday is 7 4", OCCASION, {"kind": "birthday", "month": 7, "day": 4}),
    ("birthday is six fourteen", OCCASION, {"kind": "birthday", "month": 6, "day": 14}),
    ("结婚纪念日是6 18", OCCASION, {"kind": "anniversary", "month": 6, "day": 18}),
    ("birthday party for 20 people", OCCASION, {"kind": "birthday"}),
    ("birthday table is 12 4 pax", OCCASION, {"kind": "birthday"}),
    ("birthday is 14 6", OCCASION, {"kind": "birthday"}),  # no such day month first
    # a taste disliked is a food's; a feeling is none
    ("不喜欢甜", FOOD, {"polarity": "dislike", "item": "甜"}),
    ("喜欢吃完马上买单", NOTE, {}),
    ("上海星河科技有限公司董事长", WORK, {}),
    ("抬头纹很深", NOTE, {}),
    ("不要叫醒服务", ROOM, {}),
    ("dislikes strawberries and cream", FOOD, {"polarity": "dislike",
                                               "item": "strawberries and cream"}),
    # a title said as the name to call the guest by is service, not their work
    ("叫佢陳醫生", SERVICE, {}),
    ("請稱呼林醫師", SERVICE, {}),
    ("要叫李医生", SERVICE, {}),
    ("call him Dr Lee", SERVICE, {}),
    ("他是医生", WORK, {}),
    # what a guest wears, how old they look, a chatty guest, the wine they drink
    ("red coat", LOOKS, {}),
    ("穿红色外套", LOOKS, {}),
    ("大概五十多岁", LOOKS, {}),
    ("always in a navy blazer", LOOKS, {}),
    ("很健談", SERVICE, {"style": "attentive"}),
    ("佢好鍾意吹水", SERVICE, {"style": "attentive"}),
    ("鍾意女侍應", SERVICE, {}),
    ("glass of Malbec", DRINK, {"item": "malbec"}),
    ("熱朱古力 中杯", DRINK, {"item": "热朱古力", "size": "medium", "temperature": "hot"}),
    ("rose petals on the bed", NOTE, {}),
    # not to be disturbed until a morning hour is the room's; at a meal, the service's
    ("DND till 10am", ROOM, {}),
    ("早上十点前别打扰", ROOM, {}),
    ("朝早十點之前唔好打擾", ROOM, {}),
    ("do not disturb during biz lunch", SERVICE, {"style": "do_not_disturb"}),
    # the seats disliked are seats, not food
    ("hates the high stools", SEATING, {"polarity": "dislike"}),
    ("doesnt like sitting near the bar", SEATING, {"polarity": "dislike"}),
    # coming late and the table held, the bill split, what the body allows: service
    ("每次都迟到半小时", SERVICE, {}),
    ("訂位留多十五分鐘", SERVICE, {}),
    ("要求帳單分開", SERVICE, {"style": "billing"}),
    ("bill要split 三份", SERVICE, {"style": "billing"}),
    ("split pea soup", FOOD, {}),
    ("聽力不太好", SERVICE, {"style": "hearing"}),
    ("膝頭哥唔好", SERVICE, {"style": "mobility"}),
    ("dont rush them", SERVICE, {}),
    ("椅子要有靠背的", SEATING, {}),
    ("usually runs 15 mins late", SERVICE, {}),  # late, not running a business
    ("runs a restaurant in town", WORK, {}),
    ("do not disturb until ten in the morning", ROOM, {}),
    ("do not disturb before ten", ROOM, {}),
    ("glutton free", DIET, {"kind": "gluten_free"}),  # the autocorrect of gluten free
    ("ground floor table please", SEATING, {}),
    ("hates sitting by the kitchen", SEATING, {"polarity": "dislike"}),
    ("hates waiting", SERVICE, {}),  # how to be served, not a food disliked
    ("doesnt like being rushed", SERVICE, {}),
    ("hates pudding", FOOD, {"polarity": "dislike", "item": "pudding"}),
    # the tea or coffee named, then which one: one drink, that one
    ("hot tea, earl grey, splash of milk", DRINK, {"item": "earl grey", "temperature": "hot"}),
    ("hot tea earl gray small pot", DRINK, {"item": "earl gray", "size": "small",
                                           "temperature": "hot"}),
    ("热茶 铁观音", DRINK, {"item": "铁观音", "temperature": "hot"}),
    ("coffee with oat milk", DRINK, {"item": "coffee"}),
]


@pytest.mark.parametrize(("text", "category", "attrs"), [*EXAMPLES, *SAID_ALONE],
                         ids=[e[0] for e in [*EXAMPLES, *SAID_ALONE]])
def test_one_clause_reads_as_its_category_with_attrs(
    text: str, category: Category, attrs: Attrs
) -> None:
    trait = only_trait(text)
    assert (trait.category, trait.attrs, trait.text) == (category, attrs, text)


@pytest.mark.parametrize("text", ["怕冷", "佢怕凍", "怕吵"])
def test_a_fear_is_no_dislike_of_a_food(text: str) -> None:
    assert only_trait(text).category is NOTE


def test_a_fear_of_a_food_is_a_dislike_of_it() -> None:
    assert only_trait("怕辣").attrs == {"polarity": "dislike", "item": "辣"}


def test_large_iced_sour_plum_drink_gets_size_and_temperature() -> None:
    attrs = only_trait("large iced sour plum drink").attrs
    assert (attrs["size"], attrs["temperature"]) == ("large", "iced")


def test_chinese_note_reads_seating_drink_and_diet() -> None:
    assert readings("靠窗，冰酸梅汤大杯，不吃蒜") == [
        (SEATING, "靠窗"),
        (DRINK, "冰酸梅汤大杯"),
        (DIET, "不吃蒜"),
    ]


def test_english_note_reads_every_clause_in_order() -> None:
    note = (
        "window seat, large iced sour plum drink, no garlic, allergic to peanuts (severe), "
        "birthday 05-12, lawyer, wears glasses, two kids, doesn't like to be disturbed, "
        "prefers high floor room, likes medium-rare steak"
    )
    assert [category for category, _ in readings(note)] == [
        SEATING, DRINK, DIET, ALLERGY, OCCASION, WORK, LOOKS, FAMILY, SERVICE, ROOM, FOOD,
    ]  # fmt: skip


@pytest.mark.parametrize("separator", sorted(SEPARATORS))
def test_every_separator_splits_a_note(separator: str) -> None:
    assert readings(f"靠窗{separator}lawyer") == [(SEATING, "靠窗"), (WORK, "lawyer")]


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("window seat and no garlic", [(SEATING, "window seat"), (DIET, "no garlic")]),
        ("vegan & window seat", [(DIET, "vegan"), (SEATING, "window seat")]),
        ("靠窗和不吃蒜", [(SEATING, "靠窗"), (DIET, "不吃蒜")]),
    ],
)
def test_conjunction_splits_clauses_of_different_categories(
    note: str, expected: list[tuple[Category, str]]
) -> None:
    assert readings(note) == expected


@pytest.mark.parametrize(
    ("note", "category"),
    [
        ("和牛", FOOD),
        ("doesn't like mac and cheese", FOOD),
        ("dislikes fish and chips", FOOD),
        ("wife and two kids", FAMILY),
        ("salt and pepper", NOTE),
    ],
)
def test_conjunction_inside_one_thought_does_not_split(note: str, category: Category) -> None:
    assert readings(note) == [(category, note)]


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        # dictation says "then" between things
        ("个子很高然后戴眼镜", [(LOOKS, "个子很高"), (LOOKS, "戴眼镜")]),
        ("点了牛排然后要五分熟", [(FOOD, "点了牛排然后要五分熟")]),  # a dish and how it is made
        ("booth, no small talk", [(SEATING, "booth"), (SERVICE, "no small talk")]),
        ("房间要高楼层然后不要每天打扫", [(ROOM, "房间要高楼层"), (ROOM, "不要每天打扫")]),
        ("结婚纪念日是十月十二号然后要安静一点的包间",
         [(OCCASION, "结婚纪念日是十月十二号"), (SEATING, "要安静一点的包间")]),
        # each feature of a face, said with "with" or "wears" between
        ("tall guy with glasses and a beard",
         [(LOOKS, "tall guy"), (LOOKS, "with glasses"), (LOOKS, "a beard")]),
        ("short grey hair", [(LOOKS, "short grey hair")]),
        # what is said of each relative, not who they are
        ("wife is vegetarian and the kids are picky eaters",
         [(FAMILY, "wife is vegetarian"), (FAMILY, "the kids are picky eaters")]),
        ("came in with her husband and two kids",
         [(FAMILY, "came in with her husband and two kids")]),
    ],
)
def test_things_said_one_after_another_are_a_trait_each(
        note: str, expected: list[tuple[Category, str]]) -> None:
    assert readings(note) == expected


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("不吃香菜和葱", [(DIET, "不吃香菜", "香菜"), (DIET, "葱", "葱")]),
        ("讨厌香菜、葱", [(FOOD, "讨厌香菜", "香菜"), (FOOD, "葱", "葱")]),
        ("no pork or shellfish", [(DIET, "no pork", "pork"), (DIET, "shellfish", "shellfish")]),
    ],
)
def test_foods_listed_under_one_refusal_or_dislike_are_a_trait_each(
        note: str, expected: list[tuple[Category, str, str]]) -> None:
    # each its own concept on the card ("No coriander", "No scallion"), confirmed apart
    assert [(t.category, t.text, t.attrs["item"]) for t in parse_note(note, vocab).traits] \
        == expected


def test_allergy_list_joined_by_and_is_one_allergy_per_allergen() -> None:
    parsed = parse_note("allergic to shrimp and crab", vocab)
    assert [(t.category, t.text, t.attrs["item"]) for t in parsed.traits] == [
        (ALLERGY, "allergic to shrimp", "shrimp"), (ALLERGY, "crab", "crab")]


@pytest.mark.parametrize("text", ["不过敏", "没有过敏", "no allergies", "not allergic to nuts"])
def test_denied_allergy_is_a_note_not_an_allergy(text: str) -> None:
    assert only_trait(text).category is NOTE


@pytest.mark.parametrize(
    "text", ["birthday 02-30", "生日2月30日", "birthday 2023-02-29", "anniversary 13/45"]
)
def test_impossible_date_is_left_as_a_note(text: str) -> None:
    assert (only_trait(text).category, only_trait(text).attrs) == (NOTE, {})


def test_occasion_without_a_date_keeps_its_kind() -> None:
    assert only_trait("birthday next week").attrs == {"kind": "birthday"}


def test_segment_over_limit_goes_to_unparsed_and_the_rest_still_parses() -> None:
    too_long = "很" * (MAX_TRAIT_LENGTH + 1)
    parsed = parse_note(f"靠窗，{too_long}，律师", vocab)
    assert parsed.unparsed == [too_long]
    assert [trait.category for trait in parsed.traits] == [SEATING, WORK]


def test_segment_at_the_limit_is_still_a_trait() -> None:
    assert only_trait("很" * MAX_TRAIT_LENGTH).category is NOTE


@pytest.mark.parametrize("text", ["", "   ", "，，\n；", "\u200b\u200b", "\t"])
def test_empty_or_blank_note_has_no_traits(text: str) -> None:
    assert parse_note(text, vocab) == ParsedNote()


def test_zero_width_and_control_characters_are_stripped_and_matching_still_works() -> None:
    trait = only_trait("靠\u200b窗\x07\ufeff")
    assert (trait.category, trait.text) == (SEATING, "靠窗")


@pytest.mark.parametrize("text", ["👨\u200d👩\u200d👧", "שלום עליכם", "🎉🎈"])
def test_emoji_and_rtl_text_are_kept_as_notes(text: str) -> None:
    assert readings(text) == [(NOTE, text)]


def test_a_birthday_cake_emoji_is_a_birthday() -> None:
    assert only_trait("🎂🎉 8/9").attrs == {"kind": "birthday", "month": 8, "day": 9}


def test_fullwidth_text_matches_but_is_stored_as_typed() -> None:
    assert readings("ＷＩＮＤＯＷ　ＳＥＡＴ") == [(SEATING, "ＷＩＮＤＯＷ　ＳＥＡＴ")]


def test_curly_apostrophe_matches_like_a_straight_one() -> None:
    assert only_trait("doesn’t like to be disturbed").attrs == {"style": "do_not_disturb"}


def test_latin_keyword_matches_whole_words_only() -> None:
    assert only_trait("nothing special").category is NOTE


@pytest.mark.parametrize("text", ["very polite", "smells nice", "waited twenty minutes"])
def test_an_everyday_word_a_letter_from_a_vocabulary_word_is_read_as_typed(text: str) -> None:
    # "polite" is not "police" (work), "smells" not "swells" (an allergy), "waited" not
    # "waiter" (service)
    assert only_trait(text).category is NOTE


@pytest.mark.parametrize(
    ("text", "tier"),
    [("金卡", "gold"), ("银卡", "silver"), ("白金卡会员", "platinum"), ("钻石", "diamond"),
     ("gold member", "gold"), ("Platinum", "platinum")],
)  # fmt: skip
def test_tier_only_segment_sets_tier_hint_without_a_trait(text: str, tier: str) -> None:
    assert parse_note(text, vocab) == ParsedNote(tier_hint=tier)


@pytest.mark.parametrize(
    ("text", "segment"),
    [("VIP", Segment.KEY), ("贵宾", Segment.KEY), ("key guest", Segment.KEY),
     ("常客", Segment.REGULAR), ("regular", Segment.REGULAR), ("is a regular", Segment.REGULAR)],
)  # fmt: skip
def test_segment_only_segment_sets_segment_hint_without_a_trait(
    text: str, segment: Segment
) -> None:
    assert parse_note(text, vocab) == ParsedNote(segment_hint=segment)


def test_hint_with_more_text_sets_the_hint_and_keeps_the_text() -> None:
    parsed = parse_note("金卡会员 2019年起，VIP，靠窗", vocab)
    assert (parsed.tier_hint, parsed.segment_hint) == ("gold", Segment.KEY)
    assert [trait.text for trait in parsed.traits] == ["金卡会员 2019年起", "靠窗"]


def test_word_that_is_a_hint_only_alone_is_no_hint_inside_a_clause() -> None:
    parsed = parse_note("regular coffee", vocab)
    assert (parsed.segment_hint, parsed.traits[0].category) == (None, DRINK)


def test_json_lines_give_one_object_per_trait_and_then_the_unparsed() -> None:
    too_long = "x" * (MAX_TRAIT_LENGTH + 1)
    lines = traits_as_json_lines(parse_note(f"不吃蒜，{too_long}", vocab))
    assert lines == [
        '{"category": "diet", "text": "不吃蒜", "attrs": {"kind": "dislikes", "item": "蒜"}}',
        json.dumps({"unparsed": [too_long]}),
    ]


def test_json_lines_have_no_unparsed_line_when_everything_parsed() -> None:
    assert traits_as_json_lines(parse_note("靠窗", vocab)) == [
        '{"category": "seating", "text": "靠窗", "attrs": {}}'
    ]


# --- the invariant: nothing visible is lost, nothing raises ------------------------------

# What the parser strips (its one documented loss): controls but tab, lone surrogates, and
# format characters but the joiners and emoji tags that are part of visible text.
KEPT_FORMAT = frozenset("\u200c\u200d") | frozenset(map(chr, range(0xE0020, 0xE0080)))


def stripped(char: str) -> bool:
    if char in SEPARATORS or char == "\t" or char in KEPT_FORMAT:
        return False
    return unicodedata.category(char) in ("Cc", "Cf", "Cs")


def without_invisible(text: str) -> str:
    return "".join(char for char in text if not stripped(char))


def squashed(text: str) -> str:
    """Folded, without spaces, punctuation and invisibles: how dropped text is judged."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in folded if not c.isspace() and unicodedata.category(c)[0] not in "CP")


def squashed_words(words: list[str]) -> list[str]:
    return sorted({squashed(word) for word in words}, key=len, reverse=True)


# Read from the vocabulary data, not from the parser, so the check does not trust the code
# it checks.
CONJUNCTIONS = frozenset(squashed_words(vocab.conjunctions.keywords))
HINT_WORDS = squashed_words(
    [
        word
        for table in [*vocab.hints.tier.values(), *vocab.hints.segment.values()]
        for word in [*table.keywords, *table.alone]
    ]
)
HINT_FILLERS = squashed_words(vocab.hints.fillers.keywords)


def droppable(gap: str) -> bool:
    """What the parser may drop: separators, spaces, a conjunction, a hint-only segment."""
    chunk = ""
    for char in [*gap, "\n"]:
        if char not in SEPARATORS:
            chunk += char
            continue
        if squashed(chunk) and squashed(chunk) not in CONJUNCTIONS and not hint_only(chunk):
            return False
        chunk = ""
    return True


def hint_only(chunk: str) -> bool:
    word = squashed(chunk)
    return made_of_hint_words(word, hinted=False) or spelled_like_a_hint(word)


def spelled_like_a_hint(word: str) -> bool:
    """A latin word the parser's spelling correction reads as a hint word: as long as
    Spelling.MIN_LENGTH at least, a typo away (two from nine letters), its first letter
    right ("regula" for "regular")."""
    if not (word.isascii() and word.isalpha() and len(word) >= Spelling.MIN_LENGTH):
        return False
    allowed = 1 if len(word) < 9 else 2
    return any(hint[0] == word[0] and OSA.distance(word, hint) <= allowed
               for hint in HINT_WORDS if hint.isascii())


@cache
def made_of_hint_words(rest: str, hinted: bool) -> bool:
    if not rest:
        return hinted
    return any(
        rest.startswith(form) and made_of_hint_words(rest[len(form) :], hinted or is_hint)
        for words, is_hint in ((HINT_WORDS, True), (HINT_FILLERS, False))
        for word in words
        for form in with_endings(word)
    )


def with_endings(word: str) -> list[str]:
    """The word as the matcher reads it: a latin word also with an English ending ("vips")."""
    return [word, *(word + ending for ending in ENDINGS)] if word[-1].isascii() else [word]


ENDINGS = ("s", "es", "ed", "ing")


def lands_in_order(text: str, parsed: ParsedNote) -> bool:
    """Trait texts and unparsed segments are found in `text`, each list in order, with only
    droppable text between and around them."""
    source = without_invisible(text)
    traits = [without_invisible(trait.text) for trait in parsed.traits]
    unparsed = [without_invisible(segment) for segment in parsed.unparsed]

    @cache
    def aligned(t: int, u: int, cursor: int) -> bool:
        if t == len(traits) and u == len(unparsed):
            return droppable(source[cursor:])
        nexts = [(traits[t], t + 1, u)] if t < len(traits) else []
        nexts += [(unparsed[u], t, u + 1)] if u < len(unparsed) else []
        for piece, next_t, next_u in nexts:
            start = source.find(piece, cursor)
            while start != -1:
                gap_ok = droppable(source[cursor:start])
                if gap_ok and aligned(next_t, next_u, start + len(piece)):
                    return True
                start = source.find(piece, start + 1)
        return False

    return aligned(0, 0, 0)


PIECES = [
    *SEPARATORS, " ", "\t", "\u200b", "\u200d", "\u200c", "\x00", "\x1f", "\ud800",
    "和", "and", " and ", "&", "&&",
    "靠窗", "过敏", "不过敏", "不吃", "蒜", "葱", "大杯", "冰", "酸梅汤", "生日", "5月", "30日",
    "02-29", "02-30", "May 12", "金卡", "VIP", "regular", "gold", "no ", "allergic to ",
    "peanuts", "(severe)", "window seat", "lawyer", "kids", "steak", "tea", "ｓｅａｔ", "ß",
    "👨", "🎂", "א", "ﬁ", "\U000e0067", "很" * 120, "x" * 99, "长" * (MAX_TRAIT_LENGTH + 1),
]  # fmt: skip
CLAUSES = [
    *(text for text, _, _ in EXAMPLES),
    *["金卡", "VIP", "regular", "is a regular", "白金卡会员", "gold card member since 2019"],
    *["不过敏", "birthday 02-30", "长" * (MAX_TRAIT_LENGTH + 1), "👨\u200d👩\u200d👧", "שלום"],
]
JOINERS = [*SEPARATORS, " and ", "和", " & ", "&", "还有", " ", "", "\u200b"]

any_text = st.one_of(st.text(), st.text(st.characters(categories=["Cs", "Cc", "Cf", "Lo", "Zs"])))
piece_notes = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=40).map("".join),
)
clause_notes = st.lists(
    st.tuples(st.sampled_from(CLAUSES), st.sampled_from(JOINERS)), max_size=12
).map(lambda pairs: "".join(clause + joiner for clause, joiner in pairs))


@quick
@given(piece_notes)
def test_every_visible_character_of_any_text_lands_in_a_trait_or_unparsed(text: str) -> None:
    assert lands_in_order(text, parse_note(text, vocab))


@quick
@given(clause_notes)
def test_every_visible_character_of_a_real_note_lands_in_a_trait_or_unparsed(text: str) -> None:
    assert lands_in_order(text, parse_note(text, vocab))


@quick
@given(st.one_of(piece_notes, clause_notes))
def test_trait_texts_are_trimmed_and_bounded(text: str) -> None:
    # A separator may stand inside a text: "mocha, large" is one drink.
    parsed = parse_note(text, vocab)
    for trait in parsed.traits:
        assert trait.text == trait.text.strip() and len(trait.text) <= 2 * MAX_TRAIT_LENGTH
    # only what a note too long to be one trait leaves over, when it names nothing
    assert not parsed.unparsed or len(text) > MAX_TRAIT_LENGTH
    assert all(segment == segment.strip() and segment for segment in parsed.unparsed)


@quick
@given(any_text)
def test_parse_note_never_raises_on_any_string(text: str) -> None:
    traits_as_json_lines(parse_note(text, vocab))


def test_invariant_check_catches_a_lost_character() -> None:
    parsed = parse_note("靠窗，lawyer", vocab)
    lossy = parsed.model_copy(update={"traits": parsed.traits[:1]})
    assert lands_in_order("靠窗，lawyer", parsed) and not lands_in_order("靠窗，lawyer", lossy)


# --- vocabulary files --------------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_vocabulary_has_words_for_every_category_but_note() -> None:
    assert set(vocab.categories) == set(Category) - {NOTE}


def test_extension_file_adds_a_drink_item(tmp_path: Path) -> None:
    assert only_trait("杨枝甘露").category is NOTE
    extension = write(tmp_path / "chain.toml", '[drink.items]\nzh = ["杨枝甘露"]\n')
    trait = parse_note("杨枝甘露", load_vocabulary(extension)).traits[0]
    assert (trait.category, trait.attrs) == (DRINK, {"item": "杨枝甘露"})


def test_extension_file_adds_a_new_diet_kind_and_keeps_shipped_words(tmp_path: Path) -> None:
    extension = write(tmp_path / "chain.toml", '[diet.kinds.jain]\nen = ["jain"]\n')
    extended = load_vocabulary(extension)
    assert parse_note("jain", extended).traits[0].attrs == {"kind": "jain"}
    assert parse_note("吃素", extended).traits[0].attrs == {"kind": "vegetarian"}


def test_unknown_category_names_the_file_and_the_key(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.toml", '[categories.snacks]\nen = ["chips"]\n')
    with pytest.raises(VocabularyError, match=r"bad\.toml: categories\.snacks: Input should be"):
        load_vocabulary(bad)


def test_wrong_value_type_names_the_dotted_key(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.toml", '[drink.size.large]\nen = "huge"\n')
    with pytest.raises(VocabularyError, match=r"bad\.toml: drink\.size\.large\.en: .*list"):
        load_vocabulary(bad)


def test_keyword_containing_a_separator_is_rejected_with_the_reason(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.toml", '[categories.seating]\nzh = ["ok", "靠窗，安静"]\n')
    with pytest.raises(VocabularyError, match=r"categories\.seating\.zh\[1\]: .*splits notes"):
        load_vocabulary(bad)


def test_toml_syntax_error_gives_the_line(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.toml", '[fillers]\nen = ["to",\nzh = \n')
    with pytest.raises(VocabularyError, match=r"bad\.toml: not valid TOML: .*line 3"):
        load_vocabulary(bad)


def test_missing_extension_file_is_a_vocabulary_error(tmp_path: Path) -> None:
    with pytest.raises(VocabularyError, match=r"missing\.toml: cannot read the file"):
        load_vocabulary(tmp_path / "missing.toml")


@pytest.mark.parametrize(
    ("note", "category"),
    [("對芒果過敏", ALLERGY), ("熱奶茶", DRINK), ("喜歡安靜", SERVICE)],
)
def test_traditional_characters_are_read_as_simplified(note: str, category: Category) -> None:
    trait = only_trait(note)
    assert (trait.category, trait.text) == (category, note)
