"""Act as Telegram users against the local Bot API emulator (tests/e2e/emulator.js).

The bot under test talks to the emulator as if it were Telegram (give it ``bot_api_url``);
a test talks to it through :class:`TelegramTestClient` as users do::

    reply = await tg.command(waiter, "/guest wang")
    assert "不吃蒜" in reply.text
    reply = await tg.press(waiter, reply, "Undo")  # by button text or callback data

Every user action moves that user's reply cursor to "now", so ``command``/``text``/``press``
return the bot's reply to *that* action (a new message or an edit), never a leftover of an
earlier one. Waiting is done by the emulator (long polls), not by sleeping here.
"""

from __future__ import annotations

import itertools
import select
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple, Self

import httpx

EMULATOR_JS = Path(__file__).with_name("emulator.js")
DEFAULT_TIMEOUT = 10.0
# The emulator holds a long poll at most 10 s; the HTTP timeout must outlast that.
_HTTP_SLACK = 5.0

_ids = itertools.count(1)


def _next_id() -> int:
    """Unique within the test session: a bot token per client, a user id per new user."""
    return next(_ids)


class EmulatorError(RuntimeError):
    """The emulator refused a request or could not be started."""


@dataclass(frozen=True)
class User:
    """A Telegram user; their private chat with the bot has the same id."""

    id: int
    first_name: str
    username: str | None = None

    def as_api(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.username is not None:
            user["username"] = self.username
        return user

    def private_chat(self) -> dict[str, Any]:
        chat = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.username is not None:
            chat["username"] = self.username
        return chat


class Button(NamedTuple):
    """An inline keyboard button; compares equal to a plain ``(text, callback_data)`` tuple."""

    text: str
    callback_data: str | None


@dataclass(frozen=True)
class Message:
    """A message as a user sees it: its text (or caption) and its inline buttons."""

    message_id: int
    chat_id: int
    date: datetime
    text: str
    buttons: tuple[Button, ...]
    kind: str  # "text", "photo" or "document"
    from_bot: bool
    edited: bool
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Message:
        keyboard = data.get("reply_markup", {}).get("inline_keyboard", [])
        return cls(
            message_id=data["message_id"],
            chat_id=data["chat"]["id"],
            date=datetime.fromtimestamp(data["date"], UTC),
            text=data.get("text", data.get("caption", "")),
            buttons=tuple(
                Button(b["text"], b.get("callback_data")) for row in keyboard for b in row
            ),
            kind=next((kind for kind in ("photo", "document") if kind in data), "text"),
            from_bot=data.get("from", {}).get("is_bot", False),
            edited="edit_date" in data,
            raw=data,
        )

    def button(self, label: str) -> Button:
        """The button whose text, or else whose callback data, is ``label``."""
        by_text = [b for b in self.buttons if b.text == label]
        by_data = [b for b in self.buttons if b.callback_data == label]
        matches = by_text or by_data
        if len(matches) != 1:
            raise AssertionError(
                f"expected one button {label!r} on message {self.message_id} "
                f"({self.text!r}), found {len(matches)} among {list(self.buttons)}"
            )
        return matches[0]


Predicate = Callable[[Message], bool]


@dataclass(frozen=True)
class CallbackAnswer:
    """What the bot answered to a button press (the toast or alert the user sees)."""

    callback_query_id: str
    text: str | None
    show_alert: bool


class Emulator:
    """The emulator as a subprocess; loop-independent, so one can serve a whole session."""

    def __init__(self, script: Path = EMULATOR_JS, node: str = "node", port: int = 0) -> None:
        # Port 0 lets the emulator bind a free port and report it: no probe-then-bind race.
        self._command = [node, str(script), "--port", str(port), "--exit-on-stdin-eof"]
        self._process: subprocess.Popen[str] | None = None
        self._port: int | None = None

    @property
    def url(self) -> str:
        if self._port is None:
            raise EmulatorError("the emulator is not running")
        return f"http://127.0.0.1:{self._port}"

    @property
    def bot_api_url(self) -> str:
        """The ``base_url`` for python-telegram-bot: it appends ``<token>/<method>``."""
        return f"{self.url}/bot"

    def start(self, timeout: float = 10.0) -> None:
        # stdin stays open and unused: the emulator exits when it closes, i.e. when we die.
        # stderr is inherited so the emulator's complaints show up in the test output.
        self._process = subprocess.Popen(
            self._command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        try:
            self._port = self._read_ready_port(self._process, timeout)
        except BaseException:
            self.stop()
            raise

    @staticmethod
    def _read_ready_port(process: subprocess.Popen[str], timeout: float) -> int:
        assert process.stdout is not None
        readable, _, _ = select.select([process.stdout], [], [], timeout)
        line = process.stdout.readline() if readable else ""
        if not line.startswith("ready "):
            raise EmulatorError(
                f"emulator did not start within {timeout}s (exit code {process.poll()}, "
                f"output {line!r}); is Node installed and `npm ci` run in the repo root?"
            )
        return int(line.split()[1])

    def stop(self) -> None:
        process, self._process, self._port = self._process, None, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                pipe.close()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class TelegramTestClient:
    """Users' side of the emulator, for one bot token (one per test keeps tests apart)."""

    def __init__(self, emulator_url: str, token: str | None = None) -> None:
        bot_id = _next_id()
        self.token = token or f"{700000 + bot_id}:e2e-test-token-{bot_id}"
        self.emulator_url = emulator_url
        self._http = httpx.AsyncClient(base_url=emulator_url)
        self._cursors: dict[int, int] = {}  # user id -> seq of the last event already seen
        self._last_query: dict[int, str] = {}  # user id -> id of their latest button press

    @property
    def bot_api_url(self) -> str:
        return f"{self.emulator_url}/bot"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def new_user(self, first_name: str = "Tester", username: str | None = None) -> User:
        """A user with an id unused so far, which keeps failure reports unambiguous.

        ``User(1001, "Waiter")`` works as well (e.g. for ids seeded in the bot's database):
        chats belong to one bot token, so nothing carries over from other tests.
        """
        return User(id=100000 + _next_id(), first_name=first_name, username=username)

    # --- acting as a user: these send and return at once ---------------------------------

    async def send_text(self, user: User, text: str) -> int:
        """Send a plain text message; returns its message id."""
        result = await self._act(user, "/sendMessage", self._message(user, text))
        return int(result["message_id"])

    async def send_command(self, user: User, command_line: str) -> int:
        """Send e.g. ``"/note 王先生: 靠窗"``; the leading command gets its bot_command entity."""
        command = next(iter(command_line.split()), "")
        if not command.startswith("/"):
            raise ValueError(f"not a command: {command_line!r}")
        entity = {"type": "bot_command", "offset": 0, "length": _utf16_length(command)}
        payload = self._message(user, command_line) | {"entities": [entity]}
        result = await self._act(user, "/sendCommand", payload)
        return int(result["message_id"])

    async def send_callback(self, user: User, message: Message, button: str) -> str:
        """Press ``button`` (text or callback data) on a bot message; returns the query id."""
        data = message.button(button).callback_data
        if data is None:
            raise AssertionError(f"button {button!r} has no callback data (a URL button?)")
        payload = {
            "botToken": self.token,
            "from": user.as_api(),
            "message": {"message_id": message.message_id, "chat": {"id": message.chat_id}},
            "data": data,
        }
        result = await self._act(user, "/sendCallback", payload)
        self._last_query[user.id] = result["callback_query_id"]
        return str(result["callback_query_id"])

    # --- acting and then returning the bot's reply ---------------------------------------

    async def text(
        self,
        user: User,
        text: str,
        predicate: Predicate | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> Message:
        await self.send_text(user, text)
        return await self.wait_for_reply(user, predicate, timeout)

    async def command(
        self,
        user: User,
        command_line: str,
        predicate: Predicate | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> Message:
        await self.send_command(user, command_line)
        return await self.wait_for_reply(user, predicate, timeout)

    async def press(
        self,
        user: User,
        message: Message,
        button: str,
        predicate: Predicate | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> Message:
        """Press a button and return the reply: a new message or the edited one."""
        await self.send_callback(user, message, button)
        return await self.wait_for_reply(user, predicate, timeout)

    # --- reading -------------------------------------------------------------------------

    async def wait_for_reply(
        self, user: User, predicate: Predicate | None = None, timeout: float = DEFAULT_TIMEOUT
    ) -> Message:
        """The next bot message or edit in the user's chat that satisfies ``predicate``.

        Replies that do not match are consumed and listed in the failure message.
        """
        deadline = time.monotonic() + timeout
        skipped: list[Message] = []
        while True:
            remaining = max(deadline - time.monotonic(), 0.0)
            for event in await self._events(user, ("message", "edit"), wait=remaining):
                self._cursors[user.id] = event["seq"]
                message = Message.from_api(event["message"])
                if predicate is None or predicate(message):
                    return message
                skipped.append(message)
            if remaining == 0.0:
                raise AssertionError(_no_reply_report(user, timeout, skipped))

    async def assert_no_reply(self, user: User, within: float = 0.3) -> None:
        """Assert the bot stays silent in the user's chat for ``within`` seconds."""
        events = await self._events(user, ("message", "edit"), wait=within)
        if events:
            got = [Message.from_api(event["message"]) for event in events]
            raise AssertionError(f"expected no reply to {user.first_name}, got {got}")

    async def callback_answer(self, user: User, timeout: float = DEFAULT_TIMEOUT) -> CallbackAnswer:
        """The bot's answer to the user's latest button press."""
        query_id = self._last_query.get(user.id)
        if query_id is None:
            raise AssertionError(f"{user.first_name} has not pressed any button")
        deadline = time.monotonic() + timeout
        after = 0  # answers have their own cursor: replies may be read before or after
        while True:
            remaining = max(deadline - time.monotonic(), 0.0)
            for event in await self._events(user, ("answer",), wait=remaining, after=after):
                after = event["seq"]
                if event["answer"]["callback_query_id"] == query_id:
                    return CallbackAnswer(**event["answer"])
            if remaining == 0.0:
                raise AssertionError(f"the bot did not answer {user.first_name}'s press {query_id}")

    async def messages(self, user: User) -> list[Message]:
        """The user's whole chat, both sides, each message in its latest (edited) state."""
        history = await self._post("/e2e/history", {"token": self.token, "chat_id": user.id})
        return [Message.from_api(message) for message in history]

    async def redeliver_all(self) -> int:
        """Make the emulator deliver every update again, as after an unconfirmed crash."""
        return int(await self._post("/e2e/redeliver", {"token": self.token}))

    async def bot_calls(self, method: str | None = None) -> list[dict[str, Any]]:
        """Bot API calls the bot made (parameters as sent: form values are strings/JSON)."""
        calls = await self._post("/e2e/calls", {"token": self.token, "method": method})
        return [call["params"] for call in calls]

    # --- plumbing ------------------------------------------------------------------------

    def _message(self, user: User, text: str) -> dict[str, Any]:
        return {
            "botToken": self.token,
            "from": user.as_api(),
            "chat": user.private_chat(),
            "date": int(time.time()),
            "text": text,
        }

    async def _act(self, user: User, path: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await self._post(path, payload)
        # Replies to this action can only come after it: skip anything older.
        self._cursors[user.id] = result["seq"]
        return result

    async def _events(
        self, user: User, types: Sequence[str], wait: float, after: int | None = None
    ) -> list[dict[str, Any]]:
        payload = {
            "token": self.token,
            "chat_id": user.id,
            "after": self._cursors.get(user.id, 0) if after is None else after,
            "types": list(types),
            "timeout": wait,
        }
        events: list[dict[str, Any]] = await self._post("/e2e/events", payload, wait=wait)
        return events

    async def _post(self, path: str, payload: Mapping[str, Any], wait: float = 0.0) -> Any:
        response = await self._http.post(path, json=payload, timeout=wait + _HTTP_SLACK)
        body = response.json()
        if response.status_code != httpx.codes.OK or not body.get("ok"):
            raise EmulatorError(f"{path} failed ({response.status_code}): {body}")
        return body["result"]


def _utf16_length(text: str) -> int:
    """Telegram measures entities in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _no_reply_report(user: User, timeout: float, skipped: list[Message]) -> str:
    head = f"no matching bot reply to {user.first_name} (chat {user.id}) within {timeout}s"
    if not skipped:
        return f"{head}; the bot sent nothing"
    listed = "\n".join(f"  - {message}" for message in skipped)
    return f"{head}; these arrived but did not match:\n{listed}"
