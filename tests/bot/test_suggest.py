"""Commands typed almost right are offered back, with what was typed after them."""

import pytest

from bot.suggest import meant_command
from profiles.models import Role
from tests.bot.conftest import BotUnderTest


@pytest.mark.parametrize(("typed", "meant"), [
    ("/nte 王伟: likes tea", "/note 王伟: likes tea"),
    ("/ntoe 王伟: likes tea", "/note 王伟: likes tea"),
    ("note 王伟: 不吃蒜", "/note 王伟: 不吃蒜"),
    ("／note 王伟：不吃蒜", "/note 王伟：不吃蒜"),
    ("/requst room 1203: towels", "/request room 1203: towels"),
    ("wang", None),
    ("lang wei", None),  # a guest's name, searched
    ("/xyzzy", None),
    ("/invte waiter", None),  # a waiter may not invite: nothing to offer
])
def test_the_command_meant_is_the_one_a_single_edit_away(typed: str, meant: str | None) -> None:
    assert meant_command(typed, Role.WAITER) == meant


async def test_a_mistyped_command_is_offered_back_with_the_note_kept(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    [offered] = await bot.send(waiter, "/nte 王伟: likes tea")
    assert offered.text == "Did you mean /note 王伟: likes tea? Tap it to copy, then send it."
    [full_width] = await bot.send(waiter, "／nte 王伟：不吃蒜")
    assert full_width.text.startswith("Did you mean /note 王伟：不吃蒜?")


async def test_a_command_after_a_full_width_slash_is_carried_out(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    await bot.send(waiter, "/new 王伟")
    [saved] = await bot.send(waiter, "／note 王伟：不吃蒜")
    assert saved.text.startswith("Saved")
    [card] = await bot.send(waiter, "／guest 王伟")
    assert "不吃蒜" in card.text
