"""The in-process Bot API stand-in, driven through a tiny Application of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.error import BadRequest, Forbidden
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackContext,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.i18n import t
from bot.terminal.api import (
    Button,
    CallbackAnswer,
    LocalBotApi,
    LocalChat,
    NoSuchButton,
    SentMessage,
    UnsupportedMethod,
    running,
)
from tests.bot_api import FaultyBotApi
from tests.factories import NOW

if TYPE_CHECKING:
    from tests.bot.conftest import FakeClock  # a fixture's type; pytest loads conftest itself

KEYBOARD = InlineKeyboardMarkup([
    [InlineKeyboardButton("👍 Like", callback_data="like"),
     InlineKeyboardButton("Card", callback_data="card:1")],
    [InlineKeyboardButton("Site", url="https://example.com")],
])


async def hello(update: Update, context: CallbackContext) -> None:  # type: ignore[type-arg]
    assert update.effective_message is not None
    await update.effective_message.reply_text("<b>Hi</b> &amp; welcome", parse_mode="HTML",
                                              reply_markup=KEYBOARD)


async def like(update: Update, context: CallbackContext) -> None:  # type: ignore[type-arg]
    assert update.callback_query is not None
    await update.callback_query.answer("Liked")
    await update.callback_query.edit_message_text(f"Liked {update.callback_query.data}")


async def suggest(update: Update, context: CallbackContext) -> None:  # type: ignore[type-arg]
    assert update.inline_query is not None
    article = InlineQueryResultArticle("1", "Wang", InputTextMessageContent("王先生"))
    await update.inline_query.answer([article], cache_time=0)


async def echo(update: Update, context: CallbackContext) -> None:  # type: ignore[type-arg]
    assert update.effective_message is not None and update.effective_message.text is not None
    await update.effective_message.reply_text(update.effective_message.text)


@pytest.fixture
def api(clock: FakeClock) -> FaultyBotApi:
    return FaultyBotApi(clock=clock)


@pytest.fixture
async def chat(api: LocalBotApi) -> AsyncIterator[LocalChat]:
    app: Application = (  # type: ignore[type-arg]
        ApplicationBuilder().token("0:local").request(api).get_updates_request(api).build()
    )
    app.add_handlers([
        CommandHandler("hello", hello),
        CallbackQueryHandler(like, pattern="^like$"),
        InlineQueryHandler(suggest),
        MessageHandler(filters.TEXT & ~filters.COMMAND, echo),
    ])
    errors: list[BaseException] = []

    async def collect(update: object, context: CallbackContext) -> None:  # type: ignore[type-arg]
        errors.append(context.error)  # type: ignore[arg-type]

    app.add_error_handler(collect)
    async with running(app):
        yield LocalChat(app, api)
    assert errors == []


async def test_get_me_introduces_the_bot(chat: LocalChat) -> None:
    assert (chat.app.bot.username, chat.app.bot.bot.is_bot) == ("guestcard_bot", True)


async def test_reply_is_kept_as_the_user_sees_it_and_as_it_was_sent(chat: LocalChat) -> None:
    user = chat.api.new_user("Lily")

    replies = await chat.send(user, "/hello")

    expected = SentMessage(
        chat_id=user.id, message_id=2, text="Hi & welcome", sent_text="<b>Hi</b> &amp; welcome",
        parse_mode="HTML",
        buttons=[[Button("👍 Like", "like"), Button("Card", "card:1")], [Button("Site", None)]],
    )
    assert replies == [expected]
    assert chat.messages(user) == [expected]
    assert chat.last(user) == expected


async def test_every_call_is_recorded_in_order_with_decoded_params(chat: LocalChat) -> None:
    user = chat.api.new_user("Lily")
    await chat.send(user, "/hello")

    assert [call.method for call in chat.api.calls] == ["getMe", "sendMessage"]
    params = chat.api.calls_to("sendMessage")[0].params
    assert params["reply_markup"]["inline_keyboard"][0][0] == {"text": "👍 Like",
                                                               "callback_data": "like"}


async def test_press_answers_the_query_and_edits_the_message(chat: LocalChat) -> None:
    user = chat.api.new_user("Lily")
    [greeting] = await chat.send(user, "/hello")

    replies = await chat.press(user, greeting, "👍")

    edited = SentMessage(chat_id=user.id, message_id=2, text="Liked like", sent_text="Liked like",
                         parse_mode=None, buttons=[], edited=True)
    assert replies == [edited]
    assert chat.messages(user) == [edited]  # an edit without a keyboard drops the keyboard
    assert chat.api.answers == [CallbackAnswer("1", user.id, "Liked", False)]


async def test_callback_update_carries_the_stored_message_bound_to_the_bot(
    chat: LocalChat,
) -> None:
    user = chat.api.new_user("Lily")
    [greeting] = await chat.send(user, "/hello")

    update = chat.callback_update(user, greeting, "card:1")

    query = update.callback_query
    assert query is not None and query.message is not None
    assert (query.data, query.chat_instance, query.from_user.id) == ("card:1", f"local-{user.id}",
                                                                      user.id)
    assert (query.message.message_id, query.message.get_bot()) == (2, chat.app.bot)


async def test_message_update_marks_a_command_and_ids_keep_increasing(chat: LocalChat) -> None:
    user = chat.api.new_user("Lily")

    first = chat.message_update(user, "/note 王先生: 靠窗")
    second = chat.message_update(user, "wang")

    assert first.message is not None and second.message is not None
    assert [(e.type, e.offset, e.length) for e in first.message.entities] == [
        ("bot_command", 0, 5)]
    assert second.message.entities == ()
    assert (second.update_id - first.update_id, second.message.message_id) == (1, 2)


async def test_dates_are_whole_seconds_of_the_clock(chat: LocalChat, clock: FakeClock) -> None:
    user = chat.api.new_user("Lily")
    clock.advance(minutes=5, microseconds=300)

    [reply] = await chat.send(user, "hi")

    query = chat.callback_update(user, reply, "x").callback_query
    assert query is not None and query.message is not None
    assert query.message.date == NOW + timedelta(minutes=5)


async def test_inline_answer_is_recorded(chat: LocalChat) -> None:
    user = chat.api.new_user("Lily")

    answer = await chat.inline(user, "wang")

    assert answer is not None
    assert [result["title"] for result in answer.results] == ["Wang"]


async def test_html_telegram_cannot_parse_is_refused(chat: LocalChat) -> None:
    user = chat.api.new_user("Lily")
    await chat.send(user, "hi")

    with pytest.raises(BadRequest, match="unsupported tag \"script\""):
        await chat.app.bot.send_message(user.id, "<script>x</script>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="unescaped"):
        await chat.app.bot.send_message(user.id, "a < b", parse_mode="HTML")


async def test_an_edit_that_changes_nothing_is_refused(chat: LocalChat) -> None:
    user = chat.api.new_user("Lily")
    [reply] = await chat.send(user, "hi")

    with pytest.raises(BadRequest, match="not modified"):
        await chat.app.bot.edit_message_text("hi", chat_id=user.id, message_id=reply.message_id)


async def test_a_query_is_answered_once(chat: LocalChat) -> None:
    user = chat.api.new_user("Lily")
    [greeting] = await chat.send(user, "/hello")
    query = chat.callback_update(user, greeting, "card:1").callback_query
    assert query is not None

    assert await query.answer() is True
    with pytest.raises(BadRequest, match="Query is too old"):
        await query.answer()


async def test_the_bot_cannot_write_first_or_to_a_user_who_blocked_it(chat: LocalChat) -> None:
    user = chat.api.new_user("Lily")
    with pytest.raises(Forbidden, match="initiate"):
        await chat.app.bot.send_message(user.id, "hello?")

    await chat.send(user, "hi")
    chat.api.block(user)
    with pytest.raises(Forbidden, match="blocked"):
        await chat.app.bot.send_message(user.id, "hello?")


async def test_an_unknown_method_names_itself(chat: LocalChat) -> None:
    with pytest.raises(UnsupportedMethod, match="'getChat'"):
        await chat.app.bot.get_chat(1)


async def test_command_menus_are_kept_per_scope_and_language(chat: LocalChat) -> None:
    bot = chat.app.bot
    await bot.set_my_commands([BotCommand("start", "join")], language_code="zh")
    await bot.set_my_commands([BotCommand("find", "search"), BotCommand("help", "help")],
                              scope=BotCommandScopeChat(7))
    await bot.delete_my_commands(language_code="zh")

    assert chat.api.commands(chat_id=7) == ["find", "help"]
    assert chat.api.commands(language_code="zh") == []
    assert [c.command for c in await bot.get_my_commands(scope=BotCommandScopeChat(7))] == [
        "find", "help"]


async def test_an_uploaded_document_is_kept_with_its_bytes(chat: LocalChat) -> None:
    user = chat.api.new_user("Lily")
    await chat.send(user, "hi")

    await chat.app.bot.send_document(user.id, b"name,phone\n", filename="guest.csv",
                                     caption="<b>Export</b>", parse_mode="HTML")

    [call] = chat.api.calls_to("sendDocument")
    assert [(u.filename, u.content) for u in call.uploads] == [("guest.csv", b"name,phone\n")]
    assert (chat.last(user).kind, chat.last(user).text) == ("document", "Export")


def test_a_button_is_found_by_text_data_prefix_or_part() -> None:
    message = SentMessage(chat_id=1, message_id=1, text="", sent_text="", parse_mode=None,
                          buttons=[[Button("↩ Undo", "u:1"), Button("Card", "g:2")],
                                   [Button("Card of Wang", "g:3")]])

    found = [message.button(label) for label in ("Card", "g:3", "↩", "Wang")]

    assert found == [("Card", "g:2"), ("Card of Wang", "g:3"), ("↩ Undo", "u:1"),
                     ("Card of Wang", "g:3")]
    with pytest.raises(NoSuchButton, match="found 2"):
        message.button("a")


# the `bot` fixture: the real guestcard Application on the stand-in


async def test_a_joined_user_is_active_staff_with_a_staff_menu(bot) -> None:
    waiter = await bot.join("waiter", branch="sh", name="Lily")

    staff = await bot.core.staff.by_telegram_id(waiter.id)

    assert (staff.name, staff.role, staff.branch, staff.active) == ("Lily", "waiter", "sh", True)
    assert "find" in bot.api.commands(chat_id=waiter.id)


async def test_users_are_distinct_and_a_stranger_learns_nothing(bot) -> None:
    waiter, stranger = await bot.join("waiter"), bot.stranger(language_code="en")

    [reply] = await bot.send(stranger, "/find wang")

    assert waiter.id != stranger.id
    assert reply.text == t("en", "stranger")


async def test_a_handler_failure_is_collected_and_the_user_told(bot, monkeypatch) -> None:
    waiter = await bot.join("waiter", language="en")
    [_, card] = await bot.send(waiter, "/new 王先生")

    async def broken(guest_id: int) -> None:
        raise ValueError("the database went away")

    monkeypatch.setattr(bot.core.guests, "get", broken)  # the fault: one store call fails
    await bot.press(waiter, card, "Add note")

    assert [type(error) for error in bot.errors] == [ValueError]
    assert (bot.answers[-1].text, bot.answers[-1].show_alert) == (t("en", "error"), True)
    bot.errors.clear()  # expected: the fixture fails a test that leaves errors behind


async def test_a_forged_or_outdated_button_is_answered_and_changes_nothing(bot) -> None:
    waiter = await bot.join("waiter", language="en")
    [_, card] = await bot.send(waiter, "/new 王先生")

    await bot.deliver(bot.callback_update(waiter, card, "n:not-a-number"))

    assert (bot.answers[-1].text, bot.answers[-1].show_alert) == (t("en", "button.stale"), True)
