"""/help fits a phone's screen: a role's few commands, then the rest on request."""

import pytest

from tests.bot.conftest import BotUnderTest

SCREEN = 12  # lines a phone shows without scrolling, roughly


@pytest.mark.parametrize("role", ["waiter", "housekeeping", "kitchen", "lead", "manager",
                                  "admin"])
async def test_help_fits_one_screen_and_more_lists_everything(bot: BotUnderTest,
                                                              role: str) -> None:
    member = await bot.join(role, language="en")
    [short] = await bot.send(member, "/help")
    assert len(short.text.splitlines()) <= SCREEN
    assert short.text.splitlines()[-1] == "More: /help more"
    [everything] = await bot.send(member, "/help more")
    assert len(everything.text.splitlines()) > len(short.text.splitlines())


async def test_a_managers_help_starts_with_what_managers_do(bot: BotUnderTest) -> None:
    manager = await bot.join("manager", language="en")
    [short] = await bot.send(manager, "/help")
    assert any(line.startswith("/invite") for line in short.text.splitlines())
    assert not any(line.startswith("/occasion") for line in short.text.splitlines())


async def test_help_asked_in_words_is_answered_with_the_help(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter")
    [answer] = await bot.send(waiter, "/help")
    for words in ("help", "帮助", "/帮助", "幫助"):
        [said] = await bot.send(waiter, words)
        assert said.text == answer.text, words
