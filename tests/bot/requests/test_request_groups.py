"""A department with its own Telegram group: presses there, and the group gone."""

from pathlib import Path

import pytest

from bot.settings import Settings, load_settings
from tests.bot.conftest import CONFIG, BotUnderTest

GROUP = -100777


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The shipped config, with LA's guest services posting to their group."""
    shipped = load_settings({"GUESTCARD_CONFIG": str(CONFIG),
                             "GUESTCARD_DB": str(tmp_path / "test.db")})
    la = shipped.branches[0]
    desks = [la.departments[0].model_copy(update={"chat_id": GROUP}), *la.departments[1:]]
    return shipped.model_copy(update={
        "branches": [la.model_copy(update={"departments": desks}), *shipped.branches[1:]]})


async def relay(bot: BotUnderTest, text: str = "/request room 1203: the bill is wrong") -> None:
    cleaner = await bot.join("housekeeping", name="Lily", language="en")
    guest = await bot.core.guests.create("王先生", None, branch="la", staff_id=None,
                                         region="CN", now=bot.clock())
    await bot.core.visits.arrive(guest.id, branch="la", staff_id=None, now=bot.clock(),
                                 room="1203")
    await bot.send(cleaner, text)


async def test_the_group_gets_the_request_and_a_member_accepts_it_there(bot: BotUnderTest) -> None:
    bot.api.open_group(GROUP, "Guest services")
    lead = await bot.join("lead", name="Mei", language="en")
    await relay(bot)
    [posted] = bot.api.sent_to(GROUP)
    assert posted.text.startswith("🔴 R1 · 宾客服务")  # the group reads the chain's language
    await bot.press(lead, posted, "✋")
    assert bot.answers[-1].text == "R1 是你的了。" or bot.answers[-1].text == "R1 is yours."
    assert "✋ " in bot.api.last_to(GROUP).text and "Mei" in bot.api.last_to(GROUP).text


async def test_a_stranger_pressing_in_the_group_learns_nothing(bot: BotUnderTest) -> None:
    bot.api.open_group(GROUP, "Guest services")
    await relay(bot)
    [posted] = bot.api.sent_to(GROUP)
    eve = bot.stranger("Eve", language_code="en")
    await bot.press(eve, posted, "✋")
    assert bot.answers[-1].text == "Sorry, this bot is only for the staff of our restaurants and hotels."
    assert (await bot.core.requests.get(1)).accepted_by is None


async def test_a_group_the_bot_was_removed_from_gives_way_to_the_leads_and_the_admin_is_told(
    bot: BotUnderTest,
) -> None:
    bot.api.open_group(GROUP, "Guest services")
    bot.api.leave_group(GROUP)
    lead = await bot.join("lead", name="Mei", language="en")
    admin = await bot.join("admin", name="Ada", language="en")
    await relay(bot)
    assert bot.last(lead).text.splitlines()[0] == "🔴 R1 · Guest services"
    assert "could be reached on the bot, so this came to you" in bot.last(lead).text
    assert bot.last(admin).text.startswith(
        "⚠️ The Guest services group of Los Angeles (chat -100777) refused R1: Forbidden")
    await bot.press(lead, bot.last(lead), "Accept")
    assert bot.answers[-1].text == "R1 is yours."
