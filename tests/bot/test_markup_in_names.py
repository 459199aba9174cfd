"""Names and notes that look like HTML reach every message as typed."""

from __future__ import annotations

import logging

import pytest

from tests.bot.conftest import BotUnderTest

NAME = "Amy <3 & <b>"


async def test_a_staff_member_named_with_markup_is_welcomed_and_listed(bot: BotUnderTest) -> None:
    manager = await bot.join("manager", language="en")
    amy = await bot.join("waiter", name=NAME, language="en")

    welcome = bot.messages(amy)[0]  # in the chain's language: she chose English after it
    assert NAME in welcome.text
    [roster] = await bot.send(manager, "/staff")
    assert NAME in roster.text


async def test_guest_names_and_notes_with_markup_show_as_typed(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", name=NAME, language="en")
    await bot.send(waiter, "/new <i>Bob</i> & co")
    [saved] = await bot.send(waiter, "/note #1: 靠窗 <3 & <b>")
    assert "<i>Bob</i> & co" in saved.text and "<3 & <b>" in saved.text
    [card] = await bot.send(waiter, "/guest #1")
    assert card.text.startswith("<i>Bob</i> & co #1")
    maid = await bot.join("housekeeping", name="<u>Li", language="en")
    await bot.send(waiter, "/request #1: towels <now> & </i>")
    assert "towels <now> & </i>" in bot.last(maid).text


async def test_html_telegram_refuses_is_logged_and_sent_as_plain_text(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture,
) -> None:
    waiter = await bot.join("waiter", language="en")
    with caplog.at_level(logging.ERROR, logger="bot.signing"):
        await bot.app.bot.send_message(waiter.id, "<b>Wang</b> <3 &amp; more",
                                       parse_mode="HTML")
    shown = bot.last(waiter)
    assert (shown.text, shown.parse_mode) == ("Wang <3 & more", None)
    assert "refused the HTML of a sendMessage" in caplog.text
