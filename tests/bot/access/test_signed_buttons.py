"""Button data is signed for the chat it was sent to: made-up or borrowed data does nothing."""

from __future__ import annotations

from bot.app import build_application
from bot.callbacks import Verb, pack
from bot.i18n import t
from bot.settings import Settings
from bot.terminal.api import LocalBotApi, LocalChat, running
from tests.bot.conftest import BotUnderTest, FakeClock

STALE = t("en", "button.stale")


async def test_button_data_is_signed_for_its_chat_and_still_works(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    await bot.send(waiter, "/new 王先生")
    [saved] = await bot.send(waiter, "/note 王先生: 靠窗")

    undo = saved.button("↩ Undo").callback_data
    assert undo is not None and undo.startswith(pack(Verb.UNDO, 1) + "~")
    assert len(undo.encode()) <= 64
    [undone] = await bot.press(waiter, saved, "↩ Undo")
    assert undone.text.startswith("Undone")


async def test_a_made_up_retract_for_another_branchs_private_note_does_nothing(
    bot: BotUnderTest,
) -> None:
    lead = await bot.join("lead", "la", language="en")
    await bot.send(lead, "/new 王先生")
    await bot.send(lead, "/note 王先生: 🔒 prefers the back door")
    [trait] = (await bot.core.guests.card(1, viewer=None)).traits
    sh = await bot.join("waiter", "sh", language="en")
    [hello] = await bot.send(sh, "/help")

    for data in (pack(Verb.RETRACT, trait.id), pack(Verb.RETRACT, trait.id) + "~AAAAAAAAAA"):
        await bot.deliver(bot.callback_update(sh, hello, data))
        assert (bot.answers[-1].text, bot.answers[-1].show_alert) == (STALE, True)

    assert [t.text for t in (await bot.core.guests.card(1, viewer=None)).traits] == [trait.text]
    assert "back door" not in " ".join(m.text for m in bot.messages(sh))


async def test_data_signed_for_one_chat_is_refused_in_another(bot: BotUnderTest) -> None:
    la = await bot.join("waiter", "la", language="en")
    await bot.send(la, "/new 王先生")
    [saved] = await bot.send(la, "/note 王先生: 靠窗")
    sh = await bot.join("waiter", "sh", language="en")
    [hello] = await bot.send(sh, "/help")

    await bot.deliver(bot.callback_update(sh, hello, saved.button("↩ Undo").callback_data or ""))

    assert bot.answers[-1].text == STALE
    assert [t.text for t in (await bot.core.guests.card(1, viewer=None)).traits] == ["靠窗"]


async def test_buttons_sent_before_a_restart_work_after_it(
    settings: Settings, clock: FakeClock,
) -> None:
    api = LocalBotApi(clock=clock)
    first = build_application(settings, request=api, clock=clock, rate_limit=False)
    async with running(first):
        chat = LocalChat(first, api)
        waiter = api.new_user("Lily")
        await chat.enrol(waiter, "waiter", "la")  # type: ignore[arg-type]
        await chat.send(waiter, "/new 王先生")
        [saved] = await chat.send(waiter, "/note 王先生: 靠窗")

    second = build_application(settings, request=api, clock=clock, rate_limit=False)
    async with running(second):
        chat = LocalChat(second, api)
        await chat.press(waiter, saved, "↩")
        assert api.answers[-1].text != STALE
        assert (await second.bot_data.core.guests.card(1, viewer=None)).traits == []
