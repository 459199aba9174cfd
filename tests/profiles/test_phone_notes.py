"""Notes as staff type them on a phone: either Chinese script, Cantonese, no punctuation,
typos, shorthand, details after a comma, negations, and dates as the branch writes them."""

from __future__ import annotations

import pytest

from profiles.models import Attrs, Category
from profiles.parser import parse_note
from profiles.vocabulary import default_vocabulary

vocab = default_vocabulary()
SEATING, DRINK, DIET, ALLERGY = Category.SEATING, Category.DRINK, Category.DIET, Category.ALLERGY
FOOD, SERVICE, ROOM, OCCASION = Category.FOOD, Category.SERVICE, Category.ROOM, Category.OCCASION
WORK, FAMILY, NOTE, LOOKS = Category.WORK, Category.FAMILY, Category.NOTE, Category.LOOKS


def read(note: str, region: str | None = None) -> list[tuple[Category, str, Attrs]]:
    return [(t.category, t.text, t.attrs) for t in parse_note(note, vocab, region=region).traits]


def categories(note: str) -> list[Category]:
    return [category for category, _, _ in read(note)]


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("熱奶茶", [(DRINK, "熱奶茶", {"item": "奶茶", "temperature": "hot"})]),
        ("要訂廂房", [(SEATING, "要訂廂房", {})]),
        ("喜歡安靜別打擾", [(SERVICE, "喜歡安靜別打擾", {"style": "quiet"})]),
        ("唔食牛", [(DIET, "唔食牛", {"kind": "no_beef"})]),
        ("鍾意飲凍檸茶 細杯", [(DRINK, "鍾意飲凍檸茶 細杯",
                             {"item": "冻柠茶", "size": "small", "temperature": "iced"})]),
        ("細路好多", [(FAMILY, "細路好多", {})]),
        ("喺銀行做嘢", [(WORK, "喺銀行做嘢", {})]),
        ("走青", [(DIET, "走青", {"kind": "no_garnish"})]),
        ("走糖", [(DIET, "走糖", {"kind": "no_sugar"})]),
    ],
)
def test_traditional_script_and_cantonese_are_read(
        note: str, expected: list[tuple[Category, str, Attrs]]) -> None:
    assert read(note) == expected


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("角落位不要香菜中杯热奶茶", [SEATING, DIET, DRINK]),
        ("靠窗 不吃香菜 热奶茶", [SEATING, DIET, DRINK]),
        ("靠窗/不吃香菜/热奶茶", [SEATING, DIET, DRINK]),
        ("window seat / no garlic", [SEATING, DIET]),
        ("靠窗+不吃香菜", [SEATING, DIET]),
        ("靠窗，，，不吃香菜。。", [SEATING, DIET]),
        ("靠窗\u3000\u200b不吃香菜", [SEATING, DIET]),
        ("李女士不吃香菜也不吃葱喜欢靠窗的位置", [DIET, DIET, SEATING]),
        ("GF DF", [DIET, DIET]),  # two diets side by side, as with a slash
        ("GF/DF", [DIET, DIET]),
        ("vegan & gluten free", [DIET, DIET]),
        ("tall 戴眼镜", [LOOKS, LOOKS]),
        ("grey hair 成日着西装", [LOOKS, LOOKS]),
    ],
)
def test_separators_of_every_kind_and_none_at_all(note: str, expected: list[Category]) -> None:
    assert categories(note) == expected


def test_a_cut_in_unbroken_chinese_keeps_every_character() -> None:
    assert [text for _, text, _ in read("角落位不要香菜中杯热奶茶")] == [
        "角落位", "不要香菜", "中杯热奶茶"]


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("mocha, large, extra hot", (DRINK, "mocha, large, extra hot",
                                     {"item": "mocha", "size": "large", "temperature": "hot"})),
        ("燕麦拿铁 中杯 温的", (DRINK, "燕麦拿铁 中杯 温的",
                             {"item": "燕麦拿铁", "size": "medium", "temperature": "warm"})),
        ("纪念日 6月", (OCCASION, "纪念日 6月", {"kind": "anniversary", "month": 6})),
        ("芝麻过敏，很严重的", (ALLERGY, "芝麻过敏，很严重的",
                               {"severity": "severe", "item": "芝麻"})),
    ],
)
def test_details_after_a_comma_qualify_the_trait_before(
        note: str, expected: tuple[Category, str, Attrs]) -> None:
    assert read(note) == [expected]


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("啥都吃 没忌口", []),
        ("eats anything", []),
        ("没有什么忌口", []),
        ("别安排在洗手间旁边", [(SEATING, {"polarity": "dislike"})]),
        ("不坐大厅", [(SEATING, {"polarity": "dislike"})]),
        ("房间里的电脑不要碰", [(ROOM, {})]),
        ("不爱吃苦瓜", [(FOOD, {"polarity": "dislike", "item": "苦瓜"})]),
        ("doesn't drink coffee", [(DRINK, {"item": "coffee", "polarity": "dislike"})]),
        ("not allergic to shrimp, just doesn't like it",
         [(FOOD, {"polarity": "dislike", "item": "shrimp"})]),
    ],
)
def test_negations_say_what_is_avoided_and_no_diet_is_no_trait(
        note: str, expected: list[tuple[Category, Attrs]]) -> None:
    kept = [(category, attrs) for category, _, attrs in read(note) if category is not NOTE]
    assert kept == expected


@pytest.mark.parametrize(
    ("note", "category", "attrs"),
    [
        ("GF", DIET, {"kind": "gluten_free"}),
        ("DF", DIET, {"kind": "lactose_intolerant"}),
        ("bday 5/12", OCCASION, {"kind": "birthday", "month": 5, "day": 12}),
        ("DOB 5/12", OCCASION, {"kind": "birthday", "month": 5, "day": 12}),
        ("anniv 5/12", OCCASION, {"kind": "anniversary", "month": 5, "day": 12}),
        ("alergic to mango", ALLERGY, {"severity": "unknown", "item": "mango"}),
        ("seafod allergy", ALLERGY, {"severity": "unknown", "item": "seafood"}),
        ("has an epi-pen", ALLERGY, {"severity": "severe"}),
        ("capuccino", DRINK, {"item": "cappuccino"}),
    ],
)
def test_typos_and_shorthand_are_read(note: str, category: Category, attrs: Attrs) -> None:
    assert [(c, a) for c, _, a in read(note)] == [(category, attrs)]


def test_a_plural_is_not_taken_for_a_typo() -> None:
    assert read("nothing special") == [(NOTE, "nothing special", {})]


@pytest.mark.parametrize(
    ("note", "region", "month", "day"),
    [
        ("birthday 12/03", None, 12, 3),
        ("birthday 12/03", "US", 12, 3),
        ("birthday 12/03", "CN", 12, 3),
        ("birthday 12/03", "GB", 3, 12),
        ("birthday 12/03", "HK", 3, 12),
        ("birthday 12/03", "SG", 3, 12),
        ("birthday 3rd March", "US", 3, 3),
        ("生日九月二十号", None, 9, 20),
        ("生日十二月初八", None, 12, 8),
        ("结婚纪念日 十月三日", "HK", 10, 3),
        # the date written whole, before a month named near it
        ("birthday 1/4 - april fools bday haha", "GB", 4, 1),
    ],
)
def test_dates_read_as_the_branch_writes_them(note: str, region: str | None, month: int,
                                              day: int) -> None:
    ((category, _, attrs),) = read(note, region)
    assert (category, attrs["month"], attrs["day"]) == (OCCASION, month, day)


@pytest.mark.parametrize(
    ("note", "month", "day"),
    [("农历三月初三生日", 3, 3), ("生日 农历腊月廿三", 12, 23), ("農曆八月初二結婚紀念", 8, 2)],
)
def test_a_lunar_date_says_so(note: str, month: int, day: int) -> None:
    ((_, _, attrs),) = read(note)
    assert (attrs["month"], attrs["day"], attrs["calendar"]) == (month, day, "lunar")


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("以前不喝酒 现在喝红酒", [NOTE, DRINK]),
        ("was vegan, now pescatarian", [NOTE, DIET]),
        ("以前食素 而家乜都食", [NOTE, NOTE]),
        ("以前对虾过敏 现在喜欢靠窗", [ALLERGY, SEATING]),  # only denying words end an allergy
    ],
)
def test_what_the_guest_used_to_do_gives_way_to_what_is_true_now(
        note: str, expected: list[Category]) -> None:
    assert categories(note) == expected


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("老婆是國小老師", [FAMILY]),
        ("妈妈不吃辣", [FAMILY]),
        ("wife is vegetarian", [FAMILY]),
        ("2 kids 要high chair", [FAMILY, SERVICE]),
        # one allergy that says whose ("媽媽對蝦過敏"): the kitchen hears of it, and nobody
        # reads a stray "媽媽" beside an allergy that seems the guest's own
        ("媽媽對蝦過敏", [ALLERGY]),
        ("不吃牛肉，老婆对海鲜过敏", [DIET, ALLERGY]),
        ("他太太 allergic to nuts", [ALLERGY]),  # a space between is no other subject
    ],
)
def test_what_is_said_of_a_relative_is_family_but_an_allergy_stays_one(
        note: str, expected: list[Category]) -> None:
    assert categories(note) == expected


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("coeliac, strictly GF", (DIET, "coeliac, strictly GF", {"kind": "gluten_free"})),
        ("veggie, eats eggs", (DIET, "veggie, eats eggs", {"kind": "vegetarian"})),
        ("was on the lager, now gin & tonic only",
         (DRINK, "now gin & tonic only", {"item": "gin & tonic"})),
    ],
)
def test_more_of_the_same_diet_and_a_drink_named_with_and_stay_one(
        note: str, expected: tuple[Category, str, Attrs]) -> None:
    assert [trait for trait in read(note) if trait[0] is not NOTE] == [expected]


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("唔係敏感 佢唔食羊", [(DIET, {"kind": "dislikes", "item": "羊"})]),
        ("佢啱啱走咗", []),
        ("不吃辣 一点都不行", [(DIET, {"kind": "dislikes", "item": "辣"})]),
        ("在阿里上班 程序员", [(WORK, {})]),
        ("开火锅店的老板", [(WORK, {})]),
    ],
)
def test_cantonese_and_run_on_chinese_say_one_thing(
        note: str, expected: list[tuple[Category, Attrs]]) -> None:
    assert [(c, a) for c, _, a in read(note) if c is not NOTE] == expected


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        # a size or an ice level said apart belongs to the note's drink
        ("凍咖啡 走甜 大杯", [(DRINK, "凍咖啡 大杯",
                            {"item": "咖啡", "size": "large", "temperature": "iced"}),
                           (DIET, "走甜", {"kind": "no_sugar"})]),
        ("細杯凍檸茶 少冰", [(DRINK, "細杯凍檸茶 少冰",
                           {"item": "冻柠茶", "size": "small", "temperature": "less_ice"})]),
        # one need said twice is one trait
        ("speaks Spanish, limited English",
         [(SERVICE, "speaks Spanish, limited English", {"style": "language"})]),
        ("wheelchair, step-free access needed",
         [(SERVICE, "wheelchair, step-free access needed", {"style": "mobility"})]),
        # a list of things of their own is a trait each, unless one predicate covers them
        ("高楼层+无烟房", [(ROOM, "高楼层", {}), (ROOM, "无烟房", {})]),
        ("房间里的文件和电脑都不要动", [(ROOM, "房间里的文件和电脑都不要动", {})]),
        # a second diet said whole is a second trait
        ("唔食蛋唔食奶", [(DIET, "唔食蛋", {"kind": "dislikes", "item": "蛋"}),
                      (DIET, "唔食奶", {"kind": "dislikes", "item": "奶"})]),
        ("vegan no honey either", [(DIET, "vegan", {"kind": "vegan"}),
                                   (DIET, "no honey either",
                                    {"kind": "dislikes", "item": "honey"})]),
        ("鸡蛋也不吃", [(DIET, "鸡蛋也不吃", {"kind": "dislikes", "item": "鸡蛋"})]),
        # any table, with nothing the guest wants of it, is a remark of the shift
        ("table 5 left a big tip", [(NOTE, "table 5 left a big tip", {})]),
        ("今天坐了三号桌", [(NOTE, "今天坐了三号桌", {})]),
        ("always table 12", [(SEATING, "always table 12", {})]),
        # what is said after an allergy of no other food is that allergy's
        ("LATEX allergy - no gloves near him",
         [(ALLERGY, "LATEX allergy - no gloves near him",
           {"severity": "unknown", "item": "latex"})]),
        ("peanut allergy, no coriander",
         [(ALLERGY, "peanut allergy", {"severity": "unknown", "item": "peanut"}),
          (DIET, "no coriander", {"kind": "dislikes", "item": "coriander"})]),
        # more of the same day, not a second one
        ("🎂 8/9 - she turns 40", [(OCCASION, "🎂 8/9 - she turns 40",
                                   {"kind": "birthday", "month": 8, "day": 9})]),
        ("只吃鱼", [(DIET, "只吃鱼", {"kind": "pescatarian"})]),
        ("埋單要快", [(SERVICE, "埋單要快", {"style": "fast"})]),
    ],
)
def test_lists_and_repeats_read_as_staff_mean_them(
    note: str, expected: list[tuple[Category, str, Attrs]],
) -> None:
    assert read(note) == expected


@pytest.mark.parametrize(
    ("note", "allergens", "severity"),
    [
        ("小麥 黃豆 花生 過敏", ["小麦", "黄豆", "花生"], "unknown"),
        ("大豆过敏 酱油也不行", ["大豆"], "unknown"),
        ("蟹敏感 上次成塊面腫晒", ["蟹"], "unknown"),
        ("她对那个虾过敏然后还有就是对那个桃子也过敏", ["虾", "桃子"], "unknown"),
        ("um peanut allergy and also tree nuts", ["peanut", "tree nuts"], "unknown"),
        ("allergic to shrimp it's not too serious she just gets a little rash",
         ["shrimp"], "mild"),
        ("allergic to walnuts not pecans", ["walnuts"], "unknown"),
        ("芒果过民", ["芒果"], "unknown"),
        ("peanuts allergy!! + tree nuts + sesame", ["peanuts", "tree nuts", "sesame"],
         "unknown"),
        ("花生过敏，还有芝麻", ["花生", "芝麻"], "unknown"),
        ("allergic to kiwi n pineaple", ["kiwi", "pineapple"], "unknown"),
        ("花生好敏感，上次入咗醫院", ["花生"], "severe"),
        ("對雞蛋有啲敏感", ["鸡蛋"], "mild"),
        # a list the separator cut is still the allergy's: never a food beside it
        ("peanut, sesame allergy", ["peanut", "sesame"], "unknown"),
        ("peanuts, tree nuts and shellfish allergy", ["peanuts", "tree nuts", "shellfish"],
         "unknown"),
        ("虾，蟹过敏", ["虾", "蟹"], "unknown"),
        ("breaks out in hives from mango", ["mango"], "unknown"),
    ],
)
def test_every_allergen_of_a_phone_note_is_an_allergy_of_its_own(
    note: str, allergens: list[str], severity: str,
) -> None:
    found = [(category, attrs.get("item"), attrs.get("severity"))
             for category, _, attrs in read(note)]
    assert found == [(ALLERGY, allergen, severity) for allergen in allergens]


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("so she's allergic to cats but she likes the booth by the window",
         [ALLERGY, SEATING]),
        ("um I think he's allergic to penicillin but that's not really a food thing",
         [ALLERGY]),
        ("no upselling she hates it. mustard allergy btw", [SERVICE, ALLERGY]),
        ("he always wants the booth in the back and he drinks a large iced tea",
         [SEATING, DRINK]),
        ("she is allergic to shrimp she gets hives", [ALLERGY]),
        # a full stop ends a sentence, not a title or a number
        ("allergic to shrimp. window seat", [ALLERGY, SEATING]),
        ("Dr. Patel likes the booth", [SEATING]),
    ],
)
def test_dictated_english_is_cut_where_a_clause_of_another_subject_starts(
    note: str, expected: list[Category],
) -> None:
    assert categories(note) == expected


@pytest.mark.parametrize(
    ("note", "month", "day"),
    [
        ("their anniversary is the fifth of september", 9, 5),
        ("bday twenty-first of may", 5, 21),
        ("birthday is october third", 10, 3),
    ],
)
def test_dates_said_in_words_are_read(note: str, month: int, day: int) -> None:
    ((category, _, attrs),) = read(note)
    assert (category, attrs.get("month"), attrs.get("day")) == (OCCASION, month, day)


@pytest.mark.parametrize(("note", "expected"), [
    ("喜欢包间不要大厅太吵了", [SEATING, SEATING]),  # a seat avoided after one wanted
    ("坐轮椅的要安排一楼", [SERVICE, SEATING]),
    ("dairy free by choice not allergies", [DIET]),  # dairy free, no allergy of "by choice"
])
def test_a_seat_avoided_a_floor_and_a_denied_allergy_read_as_meant(
        note: str, expected: list[Category]) -> None:
    assert categories(note) == expected


def test_two_drinks_named_side_by_side_stay_two() -> None:
    assert categories("hot tea, iced latte") == [DRINK, DRINK]
    assert categories("coffee, tea") == [DRINK, DRINK]


def test_a_diet_said_beside_a_denied_allergy_is_that_diet() -> None:
    assert read("dairy free by choice not allergies")[0][2] == {"kind": "lactose_intolerant"}


def test_one_liked_above_the_rest_stays_with_what_it_is_one_of() -> None:
    # "尤其是杨枝甘露" alone on a card would say nothing: one trait, read whole
    assert read("喜欢吃甜品 尤其是杨枝甘露") == [(FOOD, "喜欢吃甜品 尤其是杨枝甘露", {})]
    assert categories("loves seafood, especially the lobster bisque") == [FOOD]


def test_a_verb_after_an_allergy_opens_a_clause_of_its_own() -> None:
    # not one allergy to "shellfish prefers booth"
    assert read("allergic to shellfish prefers booth") == [
        (ALLERGY, "allergic to shellfish", {"severity": "unknown", "item": "shellfish"}),
        (SEATING, "prefers booth", {})]


def test_a_long_dictated_note_is_read_clause_by_clause_not_left_unparsed() -> None:
    note = ("um so this is mrs patel she came in with her husband and two kids she is allergic "
            "to shellfish really bad she had to go to the hospital once and she likes the booth "
            "by the window and she always orders a large iced latte with oat milk")
    assert len(note) > 200
    parsed = parse_note(note, vocab)
    assert [t.category for t in parsed.traits] == [FAMILY, ALLERGY, SEATING, DRINK]
    assert parsed.traits[1].attrs == {"severity": "severe", "item": "shellfish"}
    assert parsed.unparsed == []


def test_an_allergy_in_a_note_too_long_to_read_is_still_an_allergy() -> None:
    parsed = parse_note("花生过敏" + "今天很开心" * 80, vocab)
    assert [(t.category, t.attrs.get("item")) for t in parsed.traits] == [(ALLERGY, "花生")]
    assert len(parsed.unparsed) == 1 and "".join(parsed.unparsed) in "今天很开心" * 80


def test_a_dish_before_an_allergy_after_a_chinese_comma_stays_a_dish() -> None:
    assert [(c, a.get("item")) for c, _, a in read("红烧肉，芒果过敏")] == [
        (FOOD, None), (ALLERGY, "芒果")]


def test_an_allergy_word_far_into_a_long_note_keeps_its_allergen_and_severity() -> None:
    note = "we chatted about the weather " * 6 + "she is allergic to peanuts very severe"
    allergies = [a for c, _, a in read(note) if c is ALLERGY]
    assert allergies == [{"severity": "severe", "item": "peanuts"}]


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("peanut allergy very serious window seat no beef",
         [(ALLERGY, "peanut allergy very serious"), (SEATING, "window seat"), (DIET, "no beef")]),
        ("likes window seat drinks large iced latte no onions",
         [(SEATING, "likes window seat"), (DRINK, "drinks large iced latte"),
          (DIET, "no onions")]),
        ("surgeon at st lukes very tall", [(WORK, "surgeon at st lukes"), (LOOKS, "very tall")]),
        # what completes the trait before it stays with it
        ("hot tea w lemon", [(DRINK, "hot tea w lemon")]),
        ("Diet Pepsi", [(DRINK, "Diet Pepsi")]),
        ("no turndown service pls", [(ROOM, "no turndown service pls")]),
        ("wife's bday 4/19", [(FAMILY, "wife's bday 4/19")]),
        ("grey beard glasses", [(LOOKS, "grey beard glasses")]),
        # an allergy keeps its allergen, whatever it is, and whose allergy it is
        ("she's allergic to down feathers", [(ALLERGY, "she's allergic to down feathers")]),
        ("milk allergy not too bad", [(ALLERGY, "milk allergy not too bad")]),
        ("the wife is allergic to eggs", [(ALLERGY, "the wife is allergic to eggs")]),
    ],
)
def test_english_without_punctuation_is_cut_where_its_subject_changes(
        note: str, expected: list[tuple[Category, str]]) -> None:
    assert [(category, text) for category, text, _ in read(note)] == expected


@pytest.mark.parametrize(
    ("note", "allergen", "severity"),
    [
        ("kid has nut alergy carries epipen", "nut", "severe"),
        ("wife has a severe shellfish allergy", "shellfish", "severe"),
        ("她是素食的然后对芒果有点过敏不严重", "芒果", "mild"),
        ("但係nut allergy好嚴重", "nut", "severe"),
        ("allergic to strawberries, just gets itchy", "strawberries", "mild"),
        ("芒果过敏 只是痒", "芒果", "mild"),
    ],
)
def test_the_allergen_is_what_the_allergy_is_to(note: str, allergen: str, severity: str) -> None:
    allergies = [attrs for category, _, attrs in read(note) if category is ALLERGY]
    assert allergies == [{"severity": severity, "item": allergen}]


@pytest.mark.parametrize(
    ("note", "temperature"),
    [("只喝温水 不要冰", "warm"), ("hot water 唔要冰", "hot"), ("凍檸茶 少冰", "less_ice")],
)
def test_a_warm_drink_is_warm_though_it_is_also_said_without_ice(
        note: str, temperature: str) -> None:
    [(category, _, attrs)] = read(note)
    assert category is DRINK and attrs["temperature"] == temperature


def test_a_food_liked_after_one_refused_is_a_food_of_its_own() -> None:
    assert [(category, text) for category, text, _ in read("不吃羊肉喜欢吃鱼")] == [
        (DIET, "不吃羊肉"), (FOOD, "喜欢吃鱼")]


def test_a_denied_allergy_keeps_the_diet_said_with_it() -> None:
    assert read("lactose intolerant (NOT allergic)") == [
        (DIET, "lactose intolerant (NOT allergic)", {"kind": "lactose_intolerant"})]


def test_allergens_run_together_are_an_allergy_each() -> None:
    assert [attrs["item"] for _, _, attrs in read("花生蝦子過敏")] == ["花生", "虾子"]


def test_a_workplace_says_nothing_of_how_severe_an_allergy_is() -> None:
    allergies = [attrs for category, _, attrs in read(
        "works at the hospital he's a cardiologist and he's allergic to penicillin")
        if category is ALLERGY]
    assert allergies == [{"severity": "unknown", "item": "penicillin"}]


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        # how sweet is a diet of its own, beside the drink it was said of
        ("iced tea unsweetened, large", [
            (DRINK, "iced tea, large", {"item": "iced tea", "size": "large", "temperature": "iced"}),
            (DIET, "unsweetened", {"kind": "no_sugar"})]),
        ("no sugar in coffee", [(DRINK, "in coffee", {"item": "coffee"}),
                                (DIET, "no sugar", {"kind": "no_sugar"})]),
        ("black coffee 唔要糖", [(DRINK, "black coffee", {"item": "coffee"}),
                                (DIET, "唔要糖", {"kind": "no_sugar"})]),
        ("English breakfast tea, milk no sugar", [
            (DRINK, "English breakfast tea, milk", {"item": "english breakfast"}),
            (DIET, "no sugar", {"kind": "no_sugar"})]),
        # a size or temperature said apart is the drink's, before it or after
        ("細杯 凍咖啡 走冰", [(DRINK, "細杯 凍咖啡 走冰",
                            {"item": "咖啡", "size": "small", "temperature": "no_ice"})]),
        ("啤酒 要冰的", [(DRINK, "啤酒 要冰的", {"item": "啤酒", "temperature": "iced"})]),
        # what a room is kept at
        ("房间空调调到22度", [(ROOM, "房间空调调到22度", {})]),
        ("aircon 19 degrees", [(ROOM, "aircon 19 degrees", {})]),
        ("room 要 cold 啲, 22 degree", [(ROOM, "room 要 cold 啲, 22 degree", {})]),
        ("高楼层+远离电梯", [(ROOM, "高楼层", {}), (ROOM, "远离电梯", {})]),
        # a place not wanted, the no before it or after
        ("别安排靠门", [(SEATING, "别安排靠门", {"polarity": "dislike"})]),
        ("人多的地方不要", [(SEATING, "人多的地方不要", {"polarity": "dislike"})]),
        ("doesnt want table near the door",
         [(SEATING, "doesnt want table near the door", {"polarity": "dislike"})]),
        # what one sees, each feature its own
        ("tall, ginger beard", [(LOOKS, "tall", {}), (LOOKS, "ginger beard", {})]),
        ("留鬍子 常戴棒球帽", [(LOOKS, "留鬍子", {}), (LOOKS, "常戴棒球帽", {})]),
        # a dish liked by name
        ("最愛提拉米蘇😋", [(FOOD, "最愛提拉米蘇😋", {})]),
        ("quiet type, doesnt want to chat",
         [(SERVICE, "quiet type, doesnt want to chat", {"style": "quiet"})]),
        ("不太愛講話", [(SERVICE, "不太愛講話", {"style": "quiet"})]),
        # each food of a list under one no
        ("no onion/garlic", [(DIET, "no onion", {"kind": "dislikes", "item": "onion"}),
                             (DIET, "garlic", {"kind": "dislikes", "item": "garlic"})]),
        ("不吃葱/蒜", [(DIET, "不吃葱", {"kind": "dislikes", "item": "葱"}),
                      (DIET, "蒜", {"kind": "dislikes", "item": "蒜"})]),
        ("不要放蒜", [(DIET, "不要放蒜", {"kind": "dislikes", "item": "蒜"})]),
        ("可乐 不要加冰", [(DRINK, "可乐 不要加冰", {"item": "可乐", "temperature": "no_ice"})]),
        ("doesn't want to be bothered",
         [(SERVICE, "doesn't want to be bothered", {"style": "do_not_disturb"})]),
        # a birthday said, then its day
        ("bday dinner, DOB 5/30/1982", [(OCCASION, "bday dinner, DOB 5/30/1982", {
            "kind": "birthday", "month": 5, "day": 30, "year": 1982})]),
        # staff talking among themselves: nothing of the guest
        ("will check with manager", [(NOTE, "will check with manager", {})]),
        ("不用特別安排", [(NOTE, "不用特別安排", {})]),
    ],
)
def test_sweetness_cups_rooms_places_looks_and_lists_read_as_meant(
        note: str, expected: list[tuple[Category, str, Attrs]]) -> None:
    assert read(note) == expected


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        # a temperature said of a drink says more than the hot of its name
        ("熱可可 小杯 溫的就好 怕燙", [(DRINK, "熱可可 小杯 溫的就好 怕燙",
                                  {"item": "热可可", "size": "small", "temperature": "warm"})]),
        ("烏龍茶 常溫 不要冰", [(DRINK, "烏龍茶 常溫 不要冰",
                           {"item": "乌龙茶", "temperature": "room"})]),
        ("热水要烫一点的不要温的", [(DRINK, "热水要烫一点的不要温的",
                               {"item": "热水", "temperature": "hot"})]),
        # scallion and coriander are two garnishes, each refused on its own
        ("走蔥走芫荽!!", [(DIET, "走蔥", {"kind": "no_scallion"}),
                       (DIET, "走芫荽", {"kind": "no_coriander"})]),
        # a marriage's years, with whom, are the guest's anniversary
        ("佢同老公結婚十週年 5/11", [(OCCASION, "佢同老公結婚十週年 5/11",
                                 {"kind": "anniversary", "month": 11, "day": 5})]),
        ("anniv 12/10 w/ husband", [(OCCASION, "anniv 12/10 w/ husband",
                                     {"kind": "anniversary", "month": 10, "day": 12})]),
        ("bday month is August", [(OCCASION, "bday month is August",
                                   {"kind": "birthday", "month": 8})]),
        # a husband's birthday is not the guest's
        ("hubby's bday 9/8", [(FAMILY, "hubby's bday 9/8", {})]),
        # who serves is no food
        ("要女服务员 男的不行", [(SERVICE, "要女服务员", {}), (SERVICE, "男的不行", {})]),
        ("不吃主食", [(DIET, "不吃主食", {"kind": "dislikes", "item": "主食"})]),
        ("在减肥", [(DIET, "在减肥", {"kind": "dieting"})]),
        # what upsets the stomach is not a drink liked
        ("喝牛奶会拉肚子", [(DIET, "喝牛奶会拉肚子", {"kind": "cannot_eat", "item": "牛奶"})]),
        ("wheat intolerance", [(DIET, "wheat intolerance",
                                {"kind": "cannot_eat", "item": "wheat"})]),
        # what not to offer
        ("别推荐酒水", [(SERVICE, "别推荐酒水", {})]),
        ("唔好推介白酒俾佢", [(DRINK, "唔好推介白酒俾佢", {"item": "白酒", "polarity": "dislike"})]),
        # staff talk is no trait
        ("sry wrong chat", [(NOTE, "sry wrong chat", {})]),
        ("pls ignore last msg", [(NOTE, "pls ignore last msg", {})]),
    ],
)
def test_temperatures_garnishes_anniversaries_and_staff_talk_read_as_meant(
        note: str, expected: list[tuple[Category, str, Attrs]]) -> None:
    assert read(note, region="HK") == expected


@pytest.mark.parametrize(
    ("note", "severity"),
    [
        ("花生、芝麻、大豆都過敏 會起蕁麻疹 沒有到要送醫那麼嚴重", "mild"),
        ("麸质过敏 不吃面食 酱油也得注意 不严重", "mild"),
        ("peanut allergy, not bad enough for hospital", "mild"),
    ],
)
def test_a_severity_denied_or_said_at_the_end_is_the_allergys(note: str, severity: str) -> None:
    allergies = [attrs for category, _, attrs in read(note) if category is ALLERGY]
    assert allergies and all(attrs["severity"] == severity for attrs in allergies)


def test_a_degree_word_alone_is_no_severity() -> None:
    allergies = [attrs for category, _, attrs in read("李总在华为上班戴眼镜有点秃对花生过敏")
                 if category is ALLERGY]
    assert allergies == [{"severity": "unknown", "item": "花生"}]


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        # an allergy denied with its allergen inside the denial is a dislike
        ("更正：不是花生过敏 之前记错了 是不喜欢吃花生",
         [(FOOD, "更正：不是花生过敏 之前记错了 是不喜欢吃花生",
           {"polarity": "dislike", "item": "花生"})]),
        ("佢唔係對蝦敏感，只係唔鍾意食",
         [(FOOD, "佢唔係對蝦敏感，只係唔鍾意食", {"polarity": "dislike", "item": "虾"})]),
        # asked, and there are none
        ("asked abt allergies - none", [(NOTE, "asked abt allergies - none", {})]),
        ("no dietary reqs, all good", [(NOTE, "no dietary reqs", {}), (NOTE, "all good", {})]),
        ("checking w manager first", [(NOTE, "checking w manager first", {})]),
        ("thx boss", [(NOTE, "thx boss", {})]),
        # Singlish
        ("dun eat beef", [(DIET, "dun eat beef", {"kind": "dislikes", "item": "beef"})]),
        ("cannot take organ meat lah", [(DIET, "cannot take organ meat lah",
                                         {"kind": "cannot_eat", "item": "organ meat"})]),
        ("quiet guy, doesnt want chitchat", [(SERVICE, "quiet guy, doesnt want chitchat",
                                             {"style": "quiet"})]),
        ("Yankees fan", [(NOTE, "Yankees fan", {})]),
    ],
)
def test_denials_none_asked_singlish_and_fans_read_as_meant(
        note: str, expected: list[tuple[Category, str, Attrs]]) -> None:
    assert read(note) == expected


@pytest.mark.parametrize(
    ("note", "severity"),
    [
        ("鸡蛋过敏 小时候挺严重 现在好多了 只是轻微", "mild"),
        ("latex 过敏 - 不知道几严重, 小心 gloves", "unknown"),
        ("allergic to sesame she went to the e r last time", "severe"),
        ("Allergic to kiwi and pineapple, mouth goes itchy only", "mild"),
    ],
)
def test_the_severity_said_now_is_the_allergys(note: str, severity: str) -> None:
    allergies = [attrs for category, _, attrs in read(note) if category is ALLERGY]
    assert allergies and all(attrs["severity"] == severity for attrs in allergies)


def test_an_allergy_said_with_an_allergen_and_no_is_kept() -> None:
    assert categories("peanut allergy no") == [ALLERGY]


def test_what_a_food_not_eaten_does_stays_with_it() -> None:
    assert read("wheat intolerance - bloats, not serious") == [
        (DIET, "wheat intolerance - bloats, not serious", {"kind": "cannot_eat", "item": "wheat"})]


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("likes the booth in the back hates the bar stools",
         [(SEATING, "likes the booth in the back", {}),
          (SEATING, "hates the bar stools", {"polarity": "dislike"})]),
        ("loves the steak hates the fries",
         [(FOOD, "loves the steak", {}),
          (FOOD, "hates the fries", {"polarity": "dislike", "item": "fries"})]),
    ],
)
def test_one_liked_then_one_hated_are_two(
        note: str, expected: list[tuple[Category, str, Attrs]]) -> None:
    assert read(note) == expected
