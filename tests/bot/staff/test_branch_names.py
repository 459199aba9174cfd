"""A branch named as people name it: its id, or its name in either language."""

import pytest

from tests.bot.conftest import BotUnderTest


@pytest.mark.parametrize("named", ["sh", "Shanghai", "上海"])
async def test_invite_takes_the_branch_by_id_or_name(bot: BotUnderTest, named: str) -> None:
    admin = await bot.join("admin", language="en")
    [made] = await bot.send(admin, f"/invite housekeeping {named}")
    assert "/start " in made.text and " sh" in made.text


async def test_a_report_names_its_branch_in_chinese(bot: BotUnderTest) -> None:
    admin = await bot.join("admin", language="en")
    replies = await bot.send(admin, "/report week 上海")
    assert "Shanghai" in replies[0].text
