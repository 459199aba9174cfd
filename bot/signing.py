"""Signed button data: a press counts only with data the bot itself put in that chat.

Telegram lets a client send any callback data for a message of its own chat, and ours is a
plain `verb:id` (bot/callbacks.py). So every inline keyboard is signed as it is sent, bound to
the chat it goes to (a private chat's id is its staff member's Telegram id; a department or
kitchen group's is the group's): `verb:args~SIGNATURE`, a truncated HMAC-SHA256 of both. The
access gate checks the signature against the chat of the pressed message and hands handlers
the plain `verb:args` again. Data made up, or copied from another person's chat, is refused.

Signing happens in one place, the bot's send path (`SigningBot`), so no handler, renderer or
outbox row knows about it; the key is stored in the database, so a restart or a second process
on the same database accepts the same buttons.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
from html import unescape
from typing import Any

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest
from telegram.ext import ExtBot

log = logging.getLogger(__name__)

# the tags of Telegram's HTML, taken out when a message falls back to plain text
_TAG = re.compile(r"</?(?:b|strong|i|em|u|ins|s|strike|del|span|tg-spoiler|a|tg-emoji|code|pre"
                  r"|blockquote)(?:\s[^<>]*)?>", re.IGNORECASE)
# refusals that are not about the message's markup: sending it as plain text changes nothing
PLAIN_TEXT_CANNOT_HELP = ("not modified", "not found", "can't be edited", "chat not found")
SEPARATOR = "~"
SIGNATURE_CHARS = 10  # 60 bits: each guess costs the guesser a press on Telegram
SIGNED_OVERHEAD = len(SEPARATOR) + SIGNATURE_CHARS
KEY_NAME = "button-data"  # the database secret the key is derived from


class ButtonSigner:
    """Signs and checks button data for one chat."""

    def __init__(self, key: str | bytes) -> None:
        self._key = key.encode() if isinstance(key, str) else key

    def sign(self, chat_id: int, data: str) -> str:
        return f"{data}{SEPARATOR}{self._signature(chat_id, data)}"

    def verify(self, chat_id: int | None, signed: str | None) -> str | None:
        """The plain data, if `signed` was signed for `chat_id`; else None."""
        if chat_id is None or not signed:
            return None
        data, separator, signature = signed.rpartition(SEPARATOR)
        expected = self._signature(chat_id, data).encode()
        if not separator or not hmac.compare_digest(signature.encode(), expected):
            return None
        return data

    def sign_keyboard(self, chat_id: int, markup: InlineKeyboardMarkup) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[self._signed_button(chat_id, button) for button in row]
                                     for row in markup.inline_keyboard])

    def _signed_button(self, chat_id: int, button: InlineKeyboardButton) -> InlineKeyboardButton:
        data = button.callback_data
        if not isinstance(data, str) or self.verify(chat_id, data) is not None:
            return button  # a link, or data signed for this chat already (a keyboard re-sent)
        return InlineKeyboardButton(button.text, callback_data=self.sign(chat_id, data))

    def _signature(self, chat_id: int, data: str) -> str:
        digest = hmac.new(self._key, f"{chat_id}\n{data}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode()[:SIGNATURE_CHARS]


class SigningBot(ExtBot[Any]):
    """The bot whose every message (sent or edited) carries signed button data.

    Every Bot API method that takes a reply markup goes through `_send_message`, with the chat
    in its data. An edit by `inline_message_id` has no chat: its buttons stay unsigned, and the
    gate refuses any press on such a message (it has no chat to check against). A message
    whose HTML Telegram refuses is logged and sent again as plain text."""

    __slots__ = ("_signer",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._signer: ButtonSigner | None = None

    @property
    def signer(self) -> ButtonSigner | None:
        """None until `use_signer`, once the database holding the key is open."""
        return self._signer

    def use_signer(self, signer: ButtonSigner) -> None:
        self._signer = signer

    async def _send_message(self, endpoint: str, data: dict[str, Any], *args: Any,
                            **kwargs: Any) -> Any:
        markup = kwargs.get("reply_markup")
        chat_id = data.get("chat_id")
        if isinstance(markup, InlineKeyboardMarkup) and isinstance(chat_id, int):
            if self._signer is None:
                raise RuntimeError("buttons are signed with a key from the database; "
                                   "it is not open yet")
            kwargs["reply_markup"] = self._signer.sign_keyboard(chat_id, markup)
        try:
            return await super()._send_message(endpoint, data, *args, **kwargs)
        except BadRequest as refused:
            reason = refused.message.lower()
            if kwargs.get("parse_mode") != "HTML" or any(
                    words in reason for words in PLAIN_TEXT_CANNOT_HELP):
                raise
            # most often a bug of ours (something unescaped), not the reader's: they still get
            # the message; a refusal plain text cannot help (the chat is gone) is raised again
            log.error("Telegram refused the HTML of a %s to chat %s (%s); sent as plain text",
                      endpoint, chat_id, refused.message)
            plain = {**kwargs, "parse_mode": None}
            if isinstance(kwargs.get("caption"), str):
                plain["caption"] = _plain(kwargs["caption"])
            if isinstance(data.get("text"), str):
                data = {**data, "text": _plain(data["text"])}
            return await super()._send_message(endpoint, data, *args, **plain)


def _plain(html: str) -> str:
    return unescape(_TAG.sub("", html))


def accept_press(query: CallbackQuery, signer: ButtonSigner) -> bool:
    """Whether the press carries data signed for the chat of its message; if so, its data
    becomes the plain `verb:args` the handlers' patterns match."""
    chat_id = query.message.chat.id if query.message is not None else None
    data = signer.verify(chat_id, query.data)
    if data is None:
        return False
    # PTB 22 freezes received objects; this is the one field the gate rewrites, before any
    # handler sees the update
    object.__setattr__(query, "data", data)
    return True
