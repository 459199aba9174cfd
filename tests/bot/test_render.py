from datetime import timedelta

import pytest

from bot import render
from bot.render import trait_words
from profiles.models import Category, Segment
from tests.factories import NOW, make_card, make_trait

BRANCHES = {"la": "Los Angeles", "sh": "Shanghai"}


def card_text(card, lang: str = "en") -> str:
    return "\n".join(render.card(card, lang=lang, now=NOW, branches=BRANCHES))


def test_allergies_come_first_whatever_order_they_were_logged_in() -> None:
    card = make_card(
        make_trait(id=1, category=Category.SEATING, text="window"),
        make_trait(id=2, category=Category.DRINK, text="large iced sour plum"),
        make_trait(id=3, category=Category.ALLERGY, text="peanuts", attrs={"severity": "severe"}),
    )
    lines = card_text(card).splitlines()
    assert lines[1].startswith("⚠️ <b>Allergy</b>: peanuts (severe)")
    assert card_text(card, lang="zh").splitlines()[1].startswith("⚠️ <b>过敏</b>: peanuts（严重）")
    assert [i for i, line in enumerate(lines) if "window" in line] < [
        i for i, line in enumerate(lines) if "sour plum" in line]


def test_a_severity_the_words_already_say_is_not_said_twice() -> None:
    card = make_card(
        make_trait(id=1, category=Category.ALLERGY, text="sesame allergy SEVERE",
                   attrs={"severity": "severe"}),
        make_trait(id=2, category=Category.ALLERGY, text="芝麻過敏 好嚴重",
                   attrs={"severity": "severe"}),
    )
    en, zh = card_text(card), card_text(card, lang="zh")
    assert "sesame allergy SEVERE —" in en and "芝麻過敏 好嚴重 (severe)" in en
    assert "sesame allergy SEVERE（严重） —" in zh and "芝麻過敏 好嚴重 —" in zh


def test_each_trait_says_where_and_how_long_ago_it_was_learned() -> None:
    card = make_card(make_trait(text="靠窗", branch="la", created_at=NOW - timedelta(days=95)))
    assert "靠窗 — <i>Los Angeles · 3 mo</i>" in card_text(card)
    assert "靠窗 — <i>洛杉矶 · 3个月前</i>" in "\n".join(
        render.card(card, lang="zh", now=NOW, branches={"la": "洛杉矶"}))


def test_confirmations_are_counted() -> None:
    card = make_card(make_trait(confirmed_count=2, confirmed_at=NOW - timedelta(days=2)))
    assert "2 d</i> ✓3" in card_text(card)


def test_an_unwelcome_guest_says_so_before_anything_else() -> None:
    lines = card_text(make_card(make_trait(), segment=Segment.UNWELCOME)).splitlines()
    assert "Unwelcome" in lines[1]


def test_guest_text_is_escaped_for_html() -> None:
    card = make_card(make_trait(text="<b>x</b> & y"), name="<Evil>")
    text = card_text(card)
    assert "&lt;Evil&gt;" in text and "&lt;b&gt;x&lt;/b&gt; &amp; y" in text


def test_a_long_card_splits_between_lines_under_the_limit() -> None:
    traits = [make_trait(id=i, category=Category.NOTE, text=f"note {i} " + "x" * 180)
              for i in range(60)]
    chunks = render.card(make_card(*traits), lang="en", now=NOW, branches=BRANCHES)
    assert len(chunks) > 1
    assert all(len(chunk) <= render.MESSAGE_LIMIT for chunk in chunks)
    assert all(f"note {i} " in "\n".join(chunks) for i in range(60))
    assert all(not chunk.startswith("\n") for chunk in chunks)


def test_the_phone_shows_as_the_core_left_it_for_the_viewer() -> None:
    masked, whole = (card_text(make_card(phone=phone)) for phone in ("…8000", "+8613800138000"))
    assert "☎ …8000" in masked and "13800138000" not in masked
    assert "☎ +8613800138000" in whole


def test_the_next_occasion_comes_first_among_occasions() -> None:
    card = make_card(
        make_trait(id=1, category=Category.OCCASION, text="anniversary 10-03",
                   attrs={"kind": "anniversary", "month": 10, "day": 3}),
        make_trait(id=2, category=Category.OCCASION, text="birthday 12-01",
                   attrs={"kind": "birthday", "month": 12, "day": 1}),
    )
    text = card_text(card)
    assert text.index("birthday 12-01") < text.index("anniversary 10-03")


def test_split_message_cuts_a_single_oversized_line_hard() -> None:
    assert [len(c) for c in render.split_message(["y" * 5000])] == [4096, 904]


def test_an_age_under_an_hour_is_in_minutes() -> None:
    now = NOW
    ages = [render.age(now - delta, now, "en") for delta in (
        timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=59), timedelta(hours=2))]
    assert ages == ["just now", "1 min", "59 min", "2 h"]
    assert render.age(now - timedelta(minutes=25), now, "zh") == "25分钟前"


@pytest.mark.parametrize(("text", "item", "lang", "shown"), [
    ("garlic", "garlic", "en", "No garlic"),
    ("蒜", "蒜", "zh", "不吃蒜"),
    ("no onion", "onion", "en", "no onion"),
])
def test_a_food_refused_in_a_list_reads_as_refused(text: str, item: str, lang: str,
                                                   shown: str) -> None:
    trait = make_trait(category=Category.DIET, text=text,
                       attrs={"kind": "dislikes", "item": item})
    assert trait_words(trait, lang) == shown


def test_a_busy_card_shows_placed_traits_before_plain_notes() -> None:
    notes = [make_trait(id=n, category=Category.NOTE, text=f"chatter {n}",
                        created_at=NOW - timedelta(minutes=n)) for n in range(1, 8)]
    placed = [make_trait(id=100 + n, category=Category.DRINK, text=f"tea {n}",
                         created_at=NOW - timedelta(days=30 + n)) for n in range(1, 6)]
    shown = render.shown_traits([*notes, *placed], NOW)
    assert len(shown) == render.CARD_TRAITS
    assert {trait.id for trait in placed} <= {trait.id for trait in shown}
