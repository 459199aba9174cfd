"""A branch whose kitchen reads a Telegram group: the allergy alert goes there, once."""

from pathlib import Path

import pytest

from bot.scheduler import sweep_once
from bot.settings import Settings, load_settings
from profiles.models import Category, TraitDraft
from tests.bot.conftest import CONFIG, BotUnderTest

KITCHEN = -100900


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The shipped config, with LA's kitchen in its own group and two minutes to press Seen."""
    shipped = load_settings({"GUESTCARD_CONFIG": str(CONFIG),
                             "GUESTCARD_DB": str(tmp_path / "test.db")})
    la = shipped.branches[0].model_copy(update={"kitchen_chat": KITCHEN,
                                                "allergy_ack_minutes": 2})
    return shipped.model_copy(update={"branches": [la, *shipped.branches[1:]]})


async def arrive(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", name="Ana", language="en")
    guest = await bot.core.guests.create("王先生", None, branch="la", staff_id=None,
                                         region="CN", now=bot.clock())
    await bot.core.traits.log(guest.id, [TraitDraft(category=Category.ALLERGY, text="花生过敏")],
                              staff_id=1, branch="la", now=bot.clock())
    [_, summary, _] = await bot.send(waiter, "/arrive 王先生 table 12")
    assert "⚠️ Allergy alert sent to the kitchen group" in summary.text.splitlines()


async def test_the_group_gets_one_alert_in_the_chains_language_and_names_who_saw_it(
    bot: BotUnderTest,
) -> None:
    bot.api.open_group(KITCHEN, "Kitchen")
    cook = await bot.join("kitchen", name="Chen", language="en")
    await arrive(bot)
    [alert] = bot.api.sent_to(KITCHEN)
    assert alert.text.splitlines()[:3] == ["⚠️ 过敏客人到店", "王先生 #1 · 12号桌", "• 花生过敏"]
    assert [m for m in bot.messages(cook) if m.text.startswith("⚠️")] == []
    await bot.press(cook, alert, "已看到")
    assert bot.answers[-1].text == "Thanks: the floor can see you have it."
    assert bot.api.last_to(KITCHEN).text.splitlines()[-1] == "👀 已看到：Chen 04:00"


async def test_a_stranger_in_the_kitchen_group_learns_nothing_and_acknowledges_nothing(
    bot: BotUnderTest,
) -> None:
    bot.api.open_group(KITCHEN, "Kitchen")
    lead = await bot.join("lead", name="Mei", language="en")
    await arrive(bot)
    [alert] = bot.api.sent_to(KITCHEN)
    await bot.press(bot.stranger("Eve", language_code="en"), alert, "已看到")
    assert bot.answers[-1].text == "Sorry, this bot is only for the staff of our restaurants and hotels."
    bot.clock.advance(minutes=2)
    await sweep_once(bot.app.bot, bot.core, bot.clock())
    assert bot.last(lead).text.splitlines()[0] == (
        "🚨 The kitchen has not confirmed an allergy (nobody pressed Seen within 2 min)")
