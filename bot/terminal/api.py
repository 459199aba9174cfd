"""An in-process Telegram: the Bot API server the real Application talks to, and its users.

`LocalBotApi` is the `BaseRequest` PTB hands every Bot API call to. It answers as Telegram
would (including its refusals: bad HTML, an unchanged edit, a chat the user never opened) and
keeps what users would see. `LocalChat` is the users' side: it builds real `Update` objects and
runs them through the application. Tests and the terminal chat are both built on the two::

    api = LocalBotApi(clock=clock)
    app = build_application(settings, request=api, rate_limit=False)
    chat = LocalChat(app, api)
    async with running(app):
        waiter = api.new_user("Lily")
        await chat.enrol(waiter, Role.WAITER, "la")
        await chat.send(waiter, "/note 王先生: 靠窗")
        await chat.press(waiter, chat.last(waiter), "↩")
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from html import unescape
from http import HTTPStatus
from typing import Any, NamedTuple

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from bot.state import Clock, utc_now
from profiles.models import Role

Params = dict[str, Any]
AnyApp = Application[Any, Any, Any, Any, Any, Any]

BOT_USER: Params = {
    "id": 100_000, "is_bot": True, "first_name": "guestcard", "username": "guestcard_bot",
    "can_join_groups": False, "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}
FIRST_USER_ID = 1001  # below it, ids are free for fixed users such as the console's
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
NOT_MODIFIED = ("message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message")
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
# the tags Telegram's HTML parse mode knows; anything else is refused, as Telegram does
TELEGRAM_TAGS = frozenset({
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
    "tg-emoji", "code", "pre", "blockquote",
})
# what Telegram marks as a bot command at the start of a message
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?(?=\s|$)")
# a tag, one of the entities Telegram knows, or a bare "<"; a lone "&" or ">" is plain text
_HTML_TOKEN = re.compile(
    r"<(?P<closing>/?)(?P<tag>[A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?>"
    r"|&(?P<entity>lt|gt|amp|quot|#[0-9]+|#x[0-9A-Fa-f]+);"
    r"|<"
)


class UnsupportedMethod(TelegramError):
    """The bot called a Bot API method the stand-in does not answer (add it here if needed)."""


class NoSuchButton(LookupError):
    """A test or the terminal asked for a button the message does not have (exactly once)."""


class _Refusal(Exception):
    """Telegram's answer to a call it refuses: an HTTP status and its description."""

    def __init__(self, status: HTTPStatus, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _bad_request(description: str) -> _Refusal:
    return _Refusal(HTTPStatus.BAD_REQUEST, f"Bad Request: {description}")


@dataclass(frozen=True)
class LocalUser:
    """A Telegram user; their private chat with the bot has the same id."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None

    def as_api(self) -> Params:
        fields = {"last_name": self.last_name, "username": self.username,
                  "language_code": self.language_code}
        extra = {key: value for key, value in fields.items() if value is not None}
        return {"id": self.id, "is_bot": False, "first_name": self.first_name, **extra}

    def private_chat(self) -> Params:
        names = {"last_name": self.last_name, "username": self.username}
        extra = {key: value for key, value in names.items() if value is not None}
        return {"id": self.id, "type": "private", "first_name": self.first_name, **extra}


class Button(NamedTuple):
    """An inline button; compares equal to a plain `(text, callback_data)` tuple."""

    text: str
    callback_data: str | None


@dataclass(frozen=True)
class SentMessage:
    """A bot message as its reader sees it: `text` without markup, `sent_text` as sent."""

    chat_id: int
    message_id: int
    text: str
    sent_text: str
    parse_mode: str | None
    buttons: list[list[Button]]
    edited: bool = False
    kind: str = "text"  # "text", "photo" or "document"
    # a photo's or document's bytes and file name, as uploaded
    content: bytes | None = None
    file_name: str | None = None

    def button(self, label: str) -> Button:
        """The one button whose text is, or whose data is, or whose text starts with or
        contains `label` (the first of these that matches anything decides)."""
        flat = [b for row in self.buttons for b in row]
        tiers = (
            [b for b in flat if b.text == label],
            [b for b in flat if b.callback_data == label],
            [b for b in flat if b.text.startswith(label)],
            [b for b in flat if label in b.text],
        )
        matches = next((tier for tier in tiers if tier), [])
        if len(matches) != 1:
            raise NoSuchButton(f"expected one button {label!r} on message {self.message_id} "
                               f"({self.text[:80]!r}), found {len(matches)} among {flat}")
        return matches[0]


@dataclass(frozen=True)
class CallbackAnswer:
    """What the bot answered to a button press: the toast (or alert) the user sees."""

    callback_query_id: str
    chat_id: int
    text: str | None
    show_alert: bool


@dataclass(frozen=True)
class InlineAnswer:
    inline_query_id: str
    results: list[Params]
    params: Params


@dataclass(frozen=True)
class Upload:
    field: str
    filename: str | None
    content: bytes
    mime_type: str | None


@dataclass(frozen=True)
class ApiCall:
    method: str
    params: Params
    uploads: tuple[Upload, ...] = ()

    @classmethod
    def of(cls, url: str, request_data: RequestData | None) -> ApiCall:
        """The call as the server reads it off the wire."""
        return cls(url.rsplit("/", 1)[-1], _decode(request_data), _uploads(request_data))


@dataclass
class _Stored:
    data: Params  # the message as the Bot API returns it
    sent_text: str
    parse_mode: str | None
    upload: Upload | None = None

    def snapshot(self) -> SentMessage:
        data = self.data
        keyboard = data.get("reply_markup", {}).get("inline_keyboard", [])
        kind = next((kind for kind in ("photo", "document") if kind in data), "text")
        return SentMessage(
            chat_id=data["chat"]["id"], message_id=data["message_id"],
            text=str(data.get("text") or data.get("caption") or ""), sent_text=self.sent_text,
            parse_mode=self.parse_mode,
            buttons=[[Button(b["text"], b.get("callback_data")) for b in row] for row in keyboard],
            edited="edit_date" in data, kind=kind,
            content=self.upload.content if self.upload else None,
            file_name=self.upload.filename if self.upload else None,
        )


@dataclass
class _Chat:
    chat: Params
    messages: dict[int, _Stored] = field(default_factory=dict)
    last_message_id: int = 0
    blocked: bool = False

    def next_message_id(self) -> int:
        # one counter for both sides, as in a real private chat
        self.last_message_id += 1
        return self.last_message_id


class LocalBotApi(BaseRequest):
    """The Bot API server, in process. What users would see is read with `sent_to` /
    `last_to`, `answers`, `inline_answers` and `commands`. Tests record calls and inject
    faults with tests.bot_api.FaultyBotApi."""

    def __init__(self, *, clock: Clock = utc_now, first_update_id: int = 1) -> None:
        self._clock = clock
        # everything users saw, in order: each message as sent or edited, each button answer
        self.outbox: list[SentMessage | CallbackAnswer] = []
        self.answers: list[CallbackAnswer] = []
        self.inline_answers: list[InlineAnswer] = []
        self._chats: dict[int, _Chat] = {}
        self._menus: dict[tuple[str, str], list[Params]] = {}
        self._open_queries: dict[str, int] = {}  # callback query id → its chat
        self._open_inline: set[str] = set()
        # as on Telegram, update ids only grow: a chat kept in a database across runs (the
        # terminal chat) starts where time has got to, not at 1 again
        self._update_ids = itertools.count(first_update_id)
        self._query_ids = itertools.count(1)
        self._user_ids = itertools.count(FIRST_USER_ID)
        self._file_ids = itertools.count(1)
        self._methods: dict[str, Callable[[Params, tuple[Upload, ...]], object]] = {
            "getMe": lambda _p, _u: BOT_USER,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "answerCallbackQuery": self._answer_callback_query,
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands,
            "answerInlineQuery": self._answer_inline_query,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendChatAction": self._send_chat_action,
            # updates are fed with app.process_update; nothing waits on the server
            "getUpdates": lambda _p, _u: [],
            "deleteWebhook": lambda _p, _u: True,
            "getWebhookInfo": lambda _p, _u: {"url": "", "has_custom_certificate": False,
                                              "pending_update_count": 0},
        }

    # --- BaseRequest ---------------------------------------------------------------------

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        """Nothing to open: no sockets."""

    async def shutdown(self) -> None:
        """Nothing to close; PTB calls this once for each of its two request slots."""

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None,
        read_timeout: object = None, write_timeout: object = None,
        connect_timeout: object = None, pool_timeout: object = None,
    ) -> tuple[int, bytes]:
        return self.answer(ApiCall.of(url, request_data))

    def answer(self, call: ApiCall) -> tuple[int, bytes]:
        """Telegram's answer to `call`: its result, or its refusal."""
        answer = self._methods.get(call.method)
        if answer is None:
            raise UnsupportedMethod(
                f"LocalBotApi does not answer the Bot API method {call.method!r}")
        try:
            result = answer(call.params, call.uploads)
        except _Refusal as refusal:
            body = {"ok": False, "error_code": refusal.status.value,
                    "description": refusal.description}
            return refusal.status.value, json.dumps(body).encode()
        return HTTPStatus.OK.value, json.dumps({"ok": True, "result": result}).encode()

    # --- what users see ------------------------------------------------------------------

    def sent_to(self, chat_id: int) -> list[SentMessage]:
        """Every bot message in the chat, as it stands now (after any edits)."""
        chat = self._chats.get(chat_id)
        return [stored.snapshot() for stored in chat.messages.values()] if chat else []

    def last_to(self, chat_id: int) -> SentMessage:
        """The message the bot most recently sent or edited in the chat, as it stands now."""
        for event in reversed(self.outbox):
            if isinstance(event, SentMessage) and event.chat_id == chat_id:
                return self._chats[chat_id].messages[event.message_id].snapshot()
        raise LookupError(f"the bot has sent nothing to chat {chat_id}")

    def commands(self, *, chat_id: int | None = None, language_code: str = "") -> list[str]:
        """The command menu set for a chat (or the default scope), as command names."""
        scope = {"type": "chat", "chat_id": chat_id} if chat_id is not None else None
        return [command["command"] for command in self._menus.get(_menu_key(scope,
                                                                            language_code), [])]

    # --- users' side: what they do becomes an update, as Telegram would deliver it --------

    def new_user(self, first_name: str, *, last_name: str | None = None,
                 username: str | None = None, language_code: str | None = None) -> LocalUser:
        return LocalUser(next(self._user_ids), first_name, last_name=last_name,
                         username=username, language_code=language_code)

    def open_chat(self, user: LocalUser) -> None:
        """The user has started the bot: from now on it may write to them."""
        chat = self._chats.setdefault(user.id, _Chat(chat=user.private_chat()))
        chat.blocked = False

    def open_group(self, chat_id: int, title: str) -> None:
        """A group the bot was added to (a branch's kitchen): it may write there."""
        self._chats.setdefault(chat_id, _Chat(chat={"id": chat_id, "type": "supergroup",
                                                    "title": title}))

    def forget_sent(self) -> None:
        """Drop every message kept so far (a long run keeps only what it still reads); a
        message forgotten can no longer be edited nor replied to."""
        self.outbox.clear()
        self.answers.clear()
        self.inline_answers.clear()
        for chat in self._chats.values():
            chat.messages.clear()

    def user_message(self, user: LocalUser, text: str, *,
                     reply_to: SentMessage | None = None) -> Params:
        self.open_chat(user)
        chat = self._chats[user.id]
        message: Params = {
            "message_id": chat.next_message_id(), "date": self._now(), "chat": chat.chat,
            "from": user.as_api(), "text": text,
        }
        if reply_to is not None:  # the user answers one of the bot's messages (Reply)
            message["reply_to_message"] = json.loads(json.dumps(
                chat.messages[reply_to.message_id].data))
        if command := _COMMAND.match(text):
            message["entities"] = [{"type": "bot_command", "offset": 0,
                                    "length": _utf16_length(command[0])}]
        return {"update_id": next(self._update_ids), "message": message}

    def user_press(self, user: LocalUser, message: SentMessage, data: str) -> Params:
        """A press on a button of a bot message in the user's own chat or in a group."""
        chat = self._chats.get(message.chat_id)
        shared = chat is not None and chat.chat["type"] != "private"
        if chat is None or (message.chat_id != user.id and not shared) \
                or message.message_id not in chat.messages:
            raise LookupError(f"{user.first_name} has no message {message.message_id} to press")
        query_id = str(next(self._query_ids))
        self._open_queries[query_id] = message.chat_id
        query = {
            "id": query_id, "from": user.as_api(), "chat_instance": f"local-{user.id}",
            "message": json.loads(json.dumps(chat.messages[message.message_id].data)),
            "data": data,
        }
        return {"update_id": next(self._update_ids), "callback_query": query}

    def user_inline_query(self, user: LocalUser, query: str) -> Params:
        query_id = str(next(self._query_ids))
        self._open_inline.add(query_id)
        inline = {"id": query_id, "from": user.as_api(), "query": query, "offset": "",
                  "chat_type": "sender"}
        return {"update_id": next(self._update_ids), "inline_query": inline}

    # --- the methods ---------------------------------------------------------------------

    def _send_message(self, params: Params, _uploads: tuple[Upload, ...]) -> Params:
        text, parse_mode = params.get("text", ""), params.get("parse_mode")
        shown = _checked_text(text, parse_mode)
        return self._store(params, text, parse_mode, {"text": shown})

    def _send_photo(self, params: Params, uploads: tuple[Upload, ...]) -> Params:
        photo = {"file_id": self._file_id("photo"), "file_unique_id": self._file_id("u"),
                 "width": 1, "height": 1}
        return self._send_media(params, {"photo": [photo]}, uploads)

    def _send_document(self, params: Params, uploads: tuple[Upload, ...]) -> Params:
        document: Params = {"file_id": self._file_id("document"),
                            "file_unique_id": self._file_id("u")}
        if uploads and uploads[0].filename:
            document["file_name"] = uploads[0].filename
        return self._send_media(params, {"document": document}, uploads)

    def _send_media(self, params: Params, media: Params,
                    uploads: tuple[Upload, ...] = ()) -> Params:
        caption, parse_mode = params.get("caption", ""), params.get("parse_mode")
        shown = _checked_text(caption, parse_mode, limit=CAPTION_LIMIT, allow_empty=True)
        return self._store(params, caption, parse_mode, media | ({"caption": shown} if shown
                                                                 else {}),
                           upload=uploads[0] if uploads else None)

    def _store(self, params: Params, sent_text: str, parse_mode: str | None,
               content: Params, *, upload: Upload | None = None) -> Params:
        chat = self._writable_chat(params["chat_id"])
        keyboard = _inline_keyboard(params.get("reply_markup"))
        data: Params = {"message_id": chat.next_message_id(), "date": self._now(),
                        "chat": chat.chat, "from": BOT_USER, **content}
        if keyboard:
            data["reply_markup"] = keyboard
        stored = _Stored(data, sent_text, parse_mode, upload)
        chat.messages[data["message_id"]] = stored
        self.outbox.append(stored.snapshot())
        return data

    def _edit_message_text(self, params: Params, _uploads: tuple[Upload, ...]) -> object:
        text, parse_mode = params.get("text", ""), params.get("parse_mode")
        shown = _checked_text(text, parse_mode)
        keyboard = _inline_keyboard(params.get("reply_markup"))
        if "inline_message_id" in params:
            return True  # a message sent via inline mode: Telegram answers true, not the message
        stored = self._editable(params)
        if (stored.sent_text, stored.parse_mode, stored.data.get("reply_markup")) == (
                text, parse_mode, keyboard):
            raise _bad_request(NOT_MODIFIED)
        stored.sent_text, stored.parse_mode = text, parse_mode
        stored.data["text"] = shown
        # Telegram drops the keyboard of an edit that does not repeat it
        return self._edited(stored, keyboard)

    def _edit_message_reply_markup(self, params: Params, _uploads: tuple[Upload, ...]) -> object:
        keyboard = _inline_keyboard(params.get("reply_markup"))
        if "inline_message_id" in params:
            return True
        stored = self._editable(params)
        if stored.data.get("reply_markup") == keyboard:
            raise _bad_request(NOT_MODIFIED)
        return self._edited(stored, keyboard)

    def _edited(self, stored: _Stored, keyboard: Params | None) -> Params:
        stored.data.pop("reply_markup", None)
        if keyboard:
            stored.data["reply_markup"] = keyboard
        stored.data["edit_date"] = self._now()
        self.outbox.append(stored.snapshot())
        return stored.data

    def _editable(self, params: Params) -> _Stored:
        chat = self._writable_chat(params["chat_id"])
        stored = chat.messages.get(params.get("message_id", 0))
        if stored is None:
            raise _bad_request("message to edit not found")
        return stored

    def _answer_callback_query(self, params: Params, _uploads: tuple[Upload, ...]) -> bool:
        chat_id = self._open_queries.pop(params["callback_query_id"], None)
        if chat_id is None:  # unknown, or answered already: Telegram allows one answer
            raise _bad_request(QUERY_INVALID)
        answer = CallbackAnswer(params["callback_query_id"], chat_id, params.get("text"),
                                bool(params.get("show_alert", False)))
        self.answers.append(answer)
        self.outbox.append(answer)
        return True

    def _answer_inline_query(self, params: Params, _uploads: tuple[Upload, ...]) -> bool:
        query_id = params["inline_query_id"]
        if query_id not in self._open_inline:
            raise _bad_request(QUERY_INVALID)
        self._open_inline.discard(query_id)
        self.inline_answers.append(InlineAnswer(query_id, params.get("results", []), params))
        return True

    def _set_my_commands(self, params: Params, _uploads: tuple[Upload, ...]) -> bool:
        key = _menu_key(params.get("scope"), params.get("language_code", ""))
        self._menus[key] = list(params["commands"])
        return True

    def _delete_my_commands(self, params: Params, _uploads: tuple[Upload, ...]) -> bool:
        self._menus.pop(_menu_key(params.get("scope"), params.get("language_code", "")), None)
        return True

    def _get_my_commands(self, params: Params, _uploads: tuple[Upload, ...]) -> list[Params]:
        return self._menus.get(_menu_key(params.get("scope"), params.get("language_code", "")),
                               [])

    def _send_chat_action(self, params: Params, _uploads: tuple[Upload, ...]) -> bool:
        self._writable_chat(params["chat_id"])
        return True

    # --- helpers -------------------------------------------------------------------------

    def _writable_chat(self, chat_id: object) -> _Chat:
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise _Refusal(HTTPStatus.FORBIDDEN,
                           "Forbidden: bot can't initiate conversation with a user")
        if chat.blocked and chat.chat["type"] != "private":
            raise _Refusal(HTTPStatus.FORBIDDEN,
                           "Forbidden: bot was kicked from the supergroup chat")
        if chat.blocked:
            raise _Refusal(HTTPStatus.FORBIDDEN, "Forbidden: bot was blocked by the user")
        return chat

    def _now(self) -> int:
        return int(self._clock().timestamp())  # Telegram's dates are whole seconds

    def _file_id(self, kind: str) -> str:
        return f"local-{kind}-{next(self._file_ids)}"


class LocalChat:
    """The users' side: what they type and press becomes a real `Update` for the app."""

    def __init__(self, app: AnyApp, api: LocalBotApi) -> None:
        self.app = app
        self.api = api

    def message_update(self, user: LocalUser, text: str, *,
                       reply_to: SentMessage | None = None) -> Update:
        return self._bound(self.api.user_message(user, text, reply_to=reply_to))

    def callback_update(self, user: LocalUser, message: SentMessage, data: str) -> Update:
        return self._bound(self.api.user_press(user, message, data))

    def inline_update(self, user: LocalUser, query: str) -> Update:
        return self._bound(self.api.user_inline_query(user, query))

    async def send(self, user: LocalUser, text: str, *,
                   reply_to: SentMessage | None = None) -> list[SentMessage]:
        """Send `text` as `user` (as a reply to `reply_to`); the bot's messages to them in
        answer (sent or edited)."""
        return await self._answered(user, self.message_update(user, text, reply_to=reply_to))

    async def press(self, user: LocalUser, message: SentMessage,
                    label: str | Button) -> list[SentMessage]:
        """Press a button, found by `SentMessage.button`'s rules unless given as a Button."""
        button = label if isinstance(label, Button) else message.button(label)
        if button.callback_data is None:
            raise NoSuchButton(f"button {button.text!r} opens a link; there is nothing to press")
        return await self._answered(user, self.callback_update(user, message,
                                                               button.callback_data))

    async def inline(self, user: LocalUser, query: str) -> InlineAnswer | None:
        """Type `@bot query` as `user`; the bot's answer, if it gave one."""
        before = len(self.api.inline_answers)
        await self.deliver(self.inline_update(user, query))
        return self.api.inline_answers[-1] if len(self.api.inline_answers) > before else None

    async def enrol(self, user: LocalUser, role: Role, branch: str) -> list[SentMessage]:
        """Make `user` guestcard staff as a person becomes staff: an invite, then /start CODE."""
        core = self.app.bot_data.core
        invite = await core.staff.create_invite(role, branch, created_by=None, now=core.clock(),
                                                valid_for=core.settings.invites.valid_for)
        replies = await self.send(user, f"/start {invite.code}")
        staff = await core.staff.by_telegram_id(user.id)
        if staff is None or not staff.active:
            said = replies[-1].text if replies else "nothing"
            raise RuntimeError(f"{user.first_name} could not join; the bot said {said!r}")
        return replies

    def last(self, user: LocalUser) -> SentMessage:
        return self.api.last_to(user.id)

    def messages(self, user: LocalUser) -> list[SentMessage]:
        return self.api.sent_to(user.id)

    async def deliver(self, update: Update) -> None:
        # as the Updater does for polled updates (a no-op without arbitrary callback data)
        self.app.bot.insert_callback_data(update)
        await self.app.process_update(update)
        drain = getattr(self.app.bot_data, "drain", None)  # a plain PTB app has no courier
        if drain is not None:
            await drain()  # what the update enqueued goes out from the courier's task

    async def _answered(self, user: LocalUser, update: Update) -> list[SentMessage]:
        mark = len(self.api.outbox)
        await self.deliver(update)
        return [event for event in self.api.outbox[mark:]
                if isinstance(event, SentMessage) and event.chat_id == user.id]

    def _bound(self, data: Params) -> Update:
        return Update.de_json(data, self.app.bot)


@asynccontextmanager
async def running(app: AnyApp, *, start: bool = False) -> AsyncIterator[AnyApp]:
    """The app initialised, with the hooks only run_polling calls (`async with app` skips
    post_init), in run_polling's order; `start` also runs the job queue."""
    try:
        async with app:
            if app.post_init:
                await app.post_init(app)
            if start:
                await app.start()
            try:
                yield app
            finally:
                if start:
                    await app.stop()
                    if app.post_stop:
                        await app.post_stop(app)
    finally:
        if app.post_shutdown:
            await app.post_shutdown(app)


def _decode(request_data: RequestData | None) -> Params:
    # through JSON and back: the server sees what the wire carries, not Python objects
    return json.loads(json.dumps(request_data.parameters)) if request_data else {}


def _uploads(request_data: RequestData | None) -> tuple[Upload, ...]:
    if request_data is None or not request_data.contains_files:
        return ()
    uploads = []
    for name, (filename, content, mime_type) in request_data.multipart_data.items():
        raw = content if isinstance(content, bytes) else content.read()
        uploads.append(Upload(name, filename, raw, mime_type))
    return tuple(uploads)


def _menu_key(scope: Params | None, language_code: str) -> tuple[str, str]:
    return json.dumps(scope or {"type": "default"}, sort_keys=True), language_code


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2  # entity offsets count UTF-16 code units


def _inline_keyboard(markup: object) -> Params | None:
    """The inline keyboard of a reply markup (the only kind a message carries), checked."""
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return None
    for row in markup["inline_keyboard"]:
        for button in row:
            if not button.get("text"):
                raise _bad_request("text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                raise _bad_request("BUTTON_DATA_INVALID")
    return {"inline_keyboard": markup["inline_keyboard"]}


def _checked_text(text: str, parse_mode: str | None, *, limit: int = TEXT_LIMIT,
                  allow_empty: bool = False) -> str:
    """The text as users see it, or Telegram's refusal of it."""
    shown = _html_to_text(text) if parse_mode == "HTML" else text
    if not shown.strip() and not allow_empty:
        raise _bad_request("message text is empty")
    if len(shown) > limit:
        raise _bad_request("message is too long")
    return shown


def _html_to_text(html: str) -> str:
    """Telegram's HTML: a few tags, properly nested; a `<` that starts no tag is refused."""
    shown: list[str] = []
    open_tags: list[str] = []
    position = 0
    for token in _HTML_TOKEN.finditer(html):
        shown.append(html[position:token.start()])
        position = token.end()
        tag, entity = token["tag"], token["entity"]
        where = f"at byte offset {len(html[:token.start()].encode())}"
        if entity is not None:
            shown.append(unescape(f"&{entity};"))
        elif tag is None:
            raise _bad_request(f"can't parse entities: unescaped \"<\" {where} (write &lt;)")
        elif tag.lower() not in TELEGRAM_TAGS:
            raise _bad_request(f"can't parse entities: unsupported tag \"{tag}\" {where}")
        elif not token["closing"]:
            open_tags.append(tag.lower())
        elif not open_tags or open_tags.pop() != tag.lower():
            raise _bad_request(f"can't parse entities: unmatched end tag \"{tag}\" {where}")
    if open_tags:
        raise _bad_request(f"can't parse entities: can't find end tag corresponding to start "
                           f"tag \"{open_tags[-1]}\"")
    return "".join(shown) + html[position:]
