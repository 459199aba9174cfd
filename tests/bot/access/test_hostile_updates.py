"""Thousands of random and hostile updates through the real Application: no handler fails,
every private text from a person gets an answer, and nothing else is answered by accident."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Update

from bot.i18n import t
from bot.terminal.api import LocalUser, SentMessage
from tests.bot.conftest import BotUnderTest

ODD_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60,
) | st.sampled_from([
    "", " ", "\u200b", "\u202e王先生", "🍷" * 50, "x" * 4096, "'; DROP TABLE guests; --",
    "%", "_", "*", '"', "NEAR(", "#", "#99999999999999999999", "room", "table 0", "0000",
])
COMMANDS = st.sampled_from([
    "/start", "/start x", "/help", "/find", "/guest", "/new", "/note", "/tag", "/invite",
    "/staff", "/lang", "/arrive", "/book", "/request", "/report", "/forget", "/export", "/nope",
])
CALLBACK_DATA = st.text(max_size=64) | st.sampled_from(
    ["g:1", "g:x", "u:1", "u:", "rt:999", "nc:1", "na:1:1", "tg:1:gold", "sd:1", "g:1:2:3"])


def message_text() -> st.SearchStrategy[str]:
    return ODD_TEXT | st.builds(lambda c, a: f"{c} {a}", COMMANDS, ODD_TEXT)


def raw(kind: str, user: LocalUser, text: str, update_id: int, chat: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = {"message_id": update_id, "date": 1_700_000_000, "chat": chat,
                               "from": user.as_api()}
    if kind == "sticker":
        message["sticker"] = {"file_id": "s", "file_unique_id": "s", "width": 1, "height": 1,
                              "is_animated": False, "is_video": False, "type": "regular"}
    else:
        message["text"] = text
    return {"update_id": update_id, "edited_message" if kind == "edit" else "message": message}


Action = tuple[str, int, str]  # (kind, which user, text or callback data)
ACTIONS = st.lists(st.tuples(
    st.sampled_from(["text", "text", "text", "press", "edit", "group", "sticker"]),
    st.integers(min_value=0, max_value=2), message_text() | CALLBACK_DATA,
), min_size=1, max_size=25)


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(actions=ACTIONS)
async def test_random_and_hostile_updates_never_break_the_bot(
    bot: BotUnderTest, actions: list[Action]
) -> None:
    people = await cast_of_people(bot)
    for kind, who, text in actions:
        user = people[who]
        if kind == "text" and not text.strip():
            continue  # Telegram never delivers an empty message
        if kind == "text":
            replies = await bot.send(user, text)
            assert replies, f"no answer to {text[:40]!r}"
        elif kind == "press":
            if bot.messages(user):  # a press needs a message of the bot's to press on
                await bot.deliver(bot.callback_update(user, bot.last(user), text))
        else:
            await ignored(bot, user, kind, text)
    assert bot.errors == []


async def cast_of_people(bot: BotUnderTest) -> list[LocalUser]:
    if not hasattr(bot, "cast"):
        waiter = await bot.join("waiter", language="en")
        manager = await bot.join("manager", "sh")
        await bot.send(waiter, "/new 王先生 13800138000")
        await bot.send(waiter, "/note 王先生: 靠窗，花生过敏")
        bot.cast = [waiter, manager, bot.stranger("Eve")]  # type: ignore[attr-defined]
    return bot.cast  # type: ignore[attr-defined,no-any-return]


async def ignored(bot: BotUnderTest, user: LocalUser, kind: str, text: str) -> None:
    """Edits, staff's stickers and all group messages are deliberately left unanswered;
    a stranger sending anything else in private gets the one polite line."""
    chat = ({"id": -100123, "type": "group", "title": "Kitchen"} if kind == "group"
            else {"id": user.id, "type": "private", "first_name": user.first_name})
    bot.api.open_chat(user)  # they wrote to the bot: it may answer
    mark = len(bot.api.outbox)
    update_id = 10_000_000 + mark + len(bot.api.calls)
    await bot.deliver(Update.de_json(raw(kind, user, text, update_id, chat), bot.app.bot))
    answers = [event.text for event in bot.api.outbox[mark:] if isinstance(event, SentMessage)]
    stranger = await bot.core.staff.by_telegram_id(user.id) is None
    expected = [t("zh", "stranger")] if stranger and kind == "sticker" else []
    assert answers == expected, f"answered a {kind}"
