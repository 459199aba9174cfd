"""Tests of the e2e harness itself, driving a tiny python-telegram-bot application.

The demo bot here stands in for guestcard's: it proves PTB 22 can start, poll, reply with
buttons, answer callbacks and edit messages against the emulator.
"""

import asyncio
import datetime as dtm
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatAction
from telegram.error import BadRequest, EndPointNotFound, TelegramError
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from tests.e2e.client import EmulatorError, TelegramTestClient

pytestmark = pytest.mark.e2e

KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Undo", callback_data="undo"),
            InlineKeyboardButton("Keep", callback_data="keep"),
        ]
    ]
)


@dataclass
class DemoBot:
    """A bot that greets /start with buttons and edits the message when one is pressed.

    It records errors (from handlers and from polling) and the messages PTB parsed.
    """

    errors: list[object] = field(default_factory=list)
    received: list[Message] = field(default_factory=list)
    sent: list[Message] = field(default_factory=list)

    async def start(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        self.received.append(update.effective_message)
        sent = await update.effective_message.reply_text("Welcome", reply_markup=KEYBOARD)
        self.sent.append(sent)

    async def on_press(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer(f"pressed {query.data}")
        edited = await query.edit_message_text(f"You chose {query.data}")
        assert isinstance(edited, Message)
        self.sent.append(edited)

    async def on_error(self, _: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.errors.append(context.error)


@pytest.fixture
async def demo_bot(tg: TelegramTestClient) -> AsyncIterator[DemoBot]:
    """The demo bot polling the emulator, as run_polling would, inside the test's loop."""
    demo = DemoBot()
    app = ApplicationBuilder().token(tg.token).base_url(tg.bot_api_url).build()
    app.add_handler(CommandHandler("start", demo.start))
    app.add_handler(CallbackQueryHandler(demo.on_press))
    app.add_error_handler(demo.on_error)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(error_callback=demo.errors.append)
        yield demo
        await app.updater.stop()
        await app.stop()


@pytest.fixture
async def bot(tg: TelegramTestClient) -> AsyncIterator[Bot]:
    """A bare Bot for calling single Bot API methods against the emulator."""
    async with Bot(tg.token, base_url=tg.bot_api_url) as bare_bot:
        yield bare_bot


def assert_recent(moment: dtm.datetime) -> None:
    now = dtm.datetime.now(dtm.UTC)
    assert abs(now - moment) < dtm.timedelta(minutes=1), f"{moment} is not about {now}"


async def test_start_reply_press_and_edit_round_trip(
    tg: TelegramTestClient, demo_bot: DemoBot, caplog: pytest.LogCaptureFixture
) -> None:
    waiter = tg.new_user("Waiter", "waiter")

    reply = await tg.command(waiter, "/start")
    assert reply.text == "Welcome"
    assert reply.from_bot and reply.chat_id == waiter.id
    assert reply.buttons == (("Undo", "undo"), ("Keep", "keep"))
    assert_recent(reply.date)

    edited = await tg.press(waiter, reply, "Undo")
    assert edited.message_id == reply.message_id
    assert (edited.text, edited.edited) == ("You chose undo", True)
    assert edited.buttons == (), "an edit without reply_markup drops the keyboard, as on Telegram"
    answer = await tg.callback_answer(waiter)
    assert (answer.text, answer.show_alert) == ("pressed undo", False)

    history = await tg.messages(waiter)
    assert [(m.from_bot, m.text) for m in history] == [(False, "/start"), (True, "You chose undo")]

    # PTB parsed everything with sane dates: seconds, not milliseconds.
    for message in demo_bot.received + demo_bot.sent:
        assert_recent(message.date)
    assert demo_bot.sent[0].from_user is not None and demo_bot.sent[0].from_user.is_bot
    assert demo_bot.errors == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_press_by_callback_data_and_stale_buttons(
    tg: TelegramTestClient, demo_bot: DemoBot
) -> None:
    guest = tg.new_user("Guest")
    welcome = await tg.command(guest, "/start")

    edited = await tg.press(guest, welcome, "keep")
    assert edited.text == "You chose keep"
    # The old snapshot still shows the button, but the message no longer has it.
    with pytest.raises(EmulatorError, match="no button"):
        await tg.send_callback(guest, welcome, "Undo")
    with pytest.raises(AssertionError, match="expected one button 'Maybe'"):
        welcome.button("Maybe")
    assert demo_bot.errors == []


async def test_users_have_separate_chats_with_unique_message_ids(
    tg: TelegramTestClient, demo_bot: DemoBot
) -> None:
    alice, bob = tg.new_user("Alice"), tg.new_user("Bob")

    to_alice = await tg.command(alice, "/start")
    to_bob = await tg.command(bob, "/start")
    again_to_alice = await tg.command(alice, "/start@guestcard_test_bot")

    assert to_bob.chat_id == bob.id and again_to_alice.chat_id == alice.id
    alice_ids = [m.message_id for m in await tg.messages(alice)]
    assert len(alice_ids) == 4 and alice_ids == sorted(set(alice_ids))
    assert to_alice.message_id in alice_ids and to_bob.message_id not in alice_ids
    assert demo_bot.errors == []


async def test_wait_for_reply_lists_what_arrived_when_nothing_matches(
    tg: TelegramTestClient, demo_bot: DemoBot
) -> None:
    user = tg.new_user("Impatient")
    await tg.send_command(user, "/start")

    with pytest.raises(AssertionError, match=r"did not match:\n.*Welcome"):
        await tg.wait_for_reply(user, lambda m: "Goodbye" in m.text, timeout=0.5)
    await tg.assert_no_reply(user, within=0.1)
    assert demo_bot.errors == []


async def test_get_updates_long_polls_and_honours_offset(tg: TelegramTestClient, bot: Bot) -> None:
    user = tg.new_user("Poller")

    started = time.monotonic()
    assert await bot.get_updates(timeout=dtm.timedelta(seconds=0.3)) == ()
    assert 0.25 < time.monotonic() - started < 1.5, "an empty poll is held for its timeout"

    poll = asyncio.create_task(bot.get_updates(timeout=dtm.timedelta(seconds=5)))
    started = time.monotonic()
    await tg.send_text(user, "王先生: 靠窗")
    (update,) = await poll
    assert time.monotonic() - started < 1, "a held poll returns as soon as an update arrives"
    assert update.message is not None and update.message.text == "王先生: 靠窗"

    # Delivered but unconfirmed updates come again until a higher offset confirms them.
    assert [u.update_id for u in await bot.get_updates()] == [update.update_id]
    assert await bot.get_updates(offset=update.update_id + 1) == ()


async def test_media_uploads_are_recorded_as_bot_messages(tg: TelegramTestClient, bot: Bot) -> None:
    user = tg.new_user("Viewer")

    photo = await bot.send_photo(user.id, photo=b"\x89PNG fake", caption="guest card")
    document = await bot.send_document(
        user.id, document=b"name,note\n", filename="guests.csv", caption="export"
    )

    assert photo.photo and photo.caption == "guest card"
    assert document.document is not None and document.document.file_name == "guests.csv"
    history = await tg.messages(user)
    assert [(m.kind, m.text) for m in history] == [("photo", "guest card"), ("document", "export")]


async def test_housekeeping_methods_succeed_and_are_recorded(
    tg: TelegramTestClient, bot: Bot
) -> None:
    user = tg.new_user("Admin")
    commands = [BotCommand("note", "Add a note"), BotCommand("guest", "Show a guest")]

    assert await bot.set_my_commands(commands)
    assert await bot.get_my_commands() == tuple(commands)
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    assert await bot.set_my_description("Guest cards for the front desk")
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.send_chat_action(user.id, ChatAction.TYPING)
    assert await bot.answer_inline_query("inline-1", results=[])
    assert (await bot.get_chat(user.id)).id == user.id
    assert [call["inline_query_id"] for call in await tg.bot_calls("answerInlineQuery")] == [
        "inline-1"
    ]


async def test_emulator_refuses_what_telegram_refuses(tg: TelegramTestClient, bot: Bot) -> None:
    user = tg.new_user("Strict")
    sent = await bot.send_message(user.id, "Hello", reply_markup=KEYBOARD)

    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Hello", user.id, sent.message_id, reply_markup=KEYBOARD)
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("frobnicate")
    with pytest.raises(TelegramError):
        await bot.answer_callback_query("no-such-query")

    edited = await bot.edit_message_reply_markup(user.id, sent.message_id)
    assert isinstance(edited, Message) and edited.reply_markup is None
    (current,) = await tg.messages(user)
    assert current.buttons == () and current.edited
