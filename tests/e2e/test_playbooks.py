"""A playbook end to end: the real `guestcard` process, /arrive, the checklist ticked off."""

import pytest

from tests.e2e.client import Message, TelegramTestClient
from tests.e2e.process import BotProcess
from tests.e2e.staff import join, starts

pytestmark = pytest.mark.e2e


async def test_arrive_sends_a_checklist_that_is_complete_once_every_step_is_ticked(
    tg: TelegramTestClient, guestcard: BotProcess
) -> None:
    ana = await join(tg, guestcard, "Ana", "waiter")
    await tg.command(ana, "/new 王先生", lambda m: "#" in m.text)
    await tg.command(ana, "/note 王先生: 花生过敏", starts("Saved"))

    checklist: Message = await tg.command(ana, "/arrive 王先生 table 12",
                                          starts("📋 <b>Guest with an allergy"))
    assert "<b>王先生</b> #1 · table 12" in checklist.text  # the emulator keeps the HTML
    steps = [button.callback_data for button in checklist.buttons]
    assert len(steps) == 4
    for data in steps:
        assert data is not None
        checklist = await tg.press(ana, checklist, data, lambda m: m.edited)
    assert checklist.text.startswith("✅ <b>Guest with an allergy</b> — complete")
    assert checklist.text.count("— <i>Ana ") == 4
    assert checklist.buttons == ()
    assert (await tg.callback_answer(ana)).text == "All steps done: checklist complete."
