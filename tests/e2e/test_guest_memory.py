"""The guest-memory story, end to end: the real `guestcard` process over HTTP."""

import pytest

from tests.e2e.client import Message, TelegramTestClient
from tests.e2e.process import BotProcess
from tests.e2e.staff import has, join

pytestmark = pytest.mark.e2e


async def test_a_trait_learned_in_la_is_recalled_in_shanghai(
    tg: TelegramTestClient, guestcard: BotProcess
) -> None:
    la = await join(tg, guestcard, "Ana", "waiter", "la")
    sh = await join(tg, guestcard, "Bo", "waiter", "sh")

    await tg.command(la, "/new 王先生 +1 213 555 0142", has("#"))
    saved = await tg.command(la, "/note 王先生: 靠窗，冰酸梅汤大杯，不吃蒜", has("Saved"))
    assert all(word in saved.text for word in ("靠窗", "冰酸梅汤大杯", "不吃蒜"))

    by_pinyin = await tg.text(sh, "wang", has("王先生"))
    by_phone = await tg.text(sh, "0142", has("王先生"))
    for card in (by_pinyin, by_phone):
        assert all(word in card.text for word in ("不吃蒜", "靠窗", "冰酸梅汤大杯", "Los Angeles"))
        assert card.text.index("不吃蒜") < card.text.index("靠窗")  # diet before seating


async def test_undo_takes_the_note_back_everywhere(
    tg: TelegramTestClient, guestcard: BotProcess
) -> None:
    la = await join(tg, guestcard, "Ana", "waiter", "la")
    sh = await join(tg, guestcard, "Bo", "waiter", "sh")
    await tg.command(la, "/new Smith", has("#"))
    saved = await tg.command(la, "/note Smith: no garlic", has("Saved"))
    undone = await tg.press(la, saved, "↩ Undo")
    assert "Undone" in undone.text
    card = await tg.text(sh, "smith", has("Smith"))
    assert "garlic" not in card.text


async def test_an_unknown_guest_is_offered_for_creation(
    tg: TelegramTestClient, guestcard: BotProcess
) -> None:
    la = await join(tg, guestcard, "Ana", "waiter", "la")
    offer: Message = await tg.command(la, "/note 李女士: 花生过敏", has("李女士"))
    saved = await tg.press(la, offer, "➕ Create 李女士", has("Saved"))
    assert "花生过敏" in saved.text


async def test_a_stranger_learns_nothing(tg: TelegramTestClient, guestcard: BotProcess) -> None:
    la = await join(tg, guestcard, "Ana", "waiter", "la")
    await tg.command(la, "/new 王先生 13800138000", has("#"))
    await tg.command(la, "/note 王先生: 不吃蒜", has("Saved"))
    stranger = tg.new_user("Eve")
    for attempt in ("wang", "/guest 王先生", "/find 8000", "/start not-a-code"):
        reply = await tg.text(stranger, attempt) if not attempt.startswith("/") else \
            await tg.command(stranger, attempt)
        assert "王" not in reply.text and "蒜" not in reply.text and "#" not in reply.text
