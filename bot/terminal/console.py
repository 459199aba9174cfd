"""The terminal chat: `guestcard run` without a bot token talks to the bot right here.

It is the real Application with every handler, on the in-process Bot API; the person at the
terminal is a chain admin who joined like anyone else (an invite, then /start CODE), and may
be any other staff member for a while (`/as waiter sh`), to see the floor as each sees it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import sys
import threading
from pathlib import Path
from typing import TextIO

from bot.app import build_application
from bot.settings import Settings
from bot.state import Clock, utc_now
from bot.terminal.api import (
    Button,
    CallbackAnswer,
    LocalBotApi,
    LocalChat,
    LocalUser,
    SentMessage,
    running,
)
from profiles.models import Role

# a fixed id, so the terminal is the same staff member from one run to the next
CONSOLE_USER = LocalUser(id=1, first_name="Console admin")
QUIT = "/quit"
AS = "/as"
BANNER = ("No TELEGRAM_BOT_TOKEN is set, so this is a local terminal chat with the bot. "
          "To go live on Telegram, set TELEGRAM_BOT_TOKEN and run again.")
HINT = ("Type a message or a /command as in Telegram. When the bot's last message has buttons, "
        "typing one of their numbers presses it (#12 is always a guest id). "
        f"{AS} ROLE [BRANCH] [zh|en] makes you another staff member (a waiter, the kitchen, a "
        f"shift lead…) to see what they get; {AS} admin, yourself again. "
        f"{QUIT} or Ctrl-D leaves.")
PROMPT = "> "
WATCH_SECONDS = 1.0  # how soon what the bot sends on its own is printed
FILES = Path("guestcard-files")  # charts and exports the bot sends land here, beside the db
SUFFIXES = {"photo": ".png", "document": ".bin"}


async def run_console(
    settings: Settings, *, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout,
    clock: Clock = utc_now, files: Path = FILES,
) -> None:
    """Chat with the bot in the terminal until /quit or the end of input; the files it sends
    (a report's chart, an export) are written into `files`, their paths printed."""
    api = LocalBotApi(clock=clock, first_update_id=int(clock().timestamp() * 1000))
    app = build_application(settings, request=api, clock=clock, rate_limit=False)
    terminal = Terminal(LocalChat(app, api), stdout, echo=not stdin.isatty(), files=files,
                        settings=settings)
    # started, so the job queue runs as it would live
    async with running(app, start=True):
        await terminal.open_known_chats()
        terminal.say(BANNER)
        await terminal.become_admin(branch=settings.branches[0].id)
        terminal.say(HINT)
        await terminal.converse(LineReader(stdin))


class Terminal:
    """One person at the terminal: their lines go to the bot, the bot's answers are printed."""

    def __init__(self, chat: LocalChat, out: TextIO, *, echo: bool, files: Path = FILES,
                 settings: Settings | None = None) -> None:
        self._chat = chat
        self._out = out
        self._echo = echo  # piped input is not shown by a terminal, so show it in the transcript
        self._files = files
        self._settings = settings
        self._user = CONSOLE_USER  # who the person at the terminal is being
        self._printed: dict[int, int] = {}  # per chat, how many of its messages were shown
        # every button shown by the bot's last answer, numbered on across its messages
        self._choices: list[tuple[SentMessage, Button]] = []
        self._shown = 0  # how much of what the bot sent has been printed
        self._busy = False  # an answer is being awaited: it prints what comes

    def say(self, text: str) -> None:
        print(text, file=self._out, flush=True)

    async def open_known_chats(self) -> None:
        """Everyone who joined in an earlier run has started the bot: it may write to them."""
        for staff in await self._chat.app.bot_data.core.staff.in_branch(None):
            self._chat.api.open_chat(LocalUser(id=staff.telegram_id, first_name=staff.name,
                                               language_code=staff.language))

    async def become_admin(self, *, branch: str) -> None:
        """On the first run (or if demoted), join as an admin through the normal /start path."""
        staff = await self._chat.app.bot_data.core.staff.by_telegram_id(CONSOLE_USER.id)
        if staff is None or not staff.active or staff.role is not Role.ADMIN:
            await self._chat.enrol(CONSOLE_USER, Role.ADMIN, branch)
        self.show_new()

    async def converse(self, reader: LineReader) -> None:
        watcher = asyncio.create_task(self._watch())
        try:
            while True:
                self._out.write(PROMPT)
                self._out.flush()
                line = await reader.readline()
                if line is None:  # end of input
                    self._out.write("\n")
                    return
                text = line.strip()
                if self._echo:
                    self._out.write(f"{text}\n")
                if text == QUIT:
                    return
                if text == AS or text.startswith(f"{AS} "):
                    await self._become(text.split()[1:])
                elif text:
                    await self._act(text)
        finally:
            watcher.cancel()

    async def _act(self, text: str) -> None:
        chosen = self._chosen(text)  # among the buttons the person saw when they typed
        self.show_new()  # whatever came while they typed, before the answer to it
        self._busy = True
        try:
            if chosen is None:
                await self._chat.send(self._user, text)
            elif chosen[1].callback_data is None:
                self.say(f"· that button opens a link: {chosen[1].text}")
            else:
                await self._chat.press(self._user, *chosen)
        finally:
            self._busy = False
        self.show_new()

    def show_new(self) -> None:
        """Print what the bot sent since the last print."""
        events = self._chat.api.outbox[self._shown:]
        self._shown += len(events)
        self._show(events)
        self._printed[self._user.id] = len(self._chat.api.sent_to(self._user.id))

    async def _become(self, args: list[str]) -> None:
        """`/as ROLE [BRANCH] [zh|en]`: be that staff member (joined as anyone joins, the first
        time), and see what they were sent while someone else was at the terminal."""
        person = self._person(args)
        if person is None:
            roles = ", ".join(role.value for role in Role)
            self.say(f"· {AS} ROLE [BRANCH] [zh|en], ROLE one of {roles}; {AS} admin is you")
            return
        self.show_new()
        user, role, branch = person
        staff = await self._chat.app.bot_data.core.staff.by_telegram_id(user.id)
        if staff is None or not staff.active or staff.role is not role:
            self._busy = True
            try:
                await self._chat.enrol(user, role, branch)
            finally:
                self._busy = False
        self._user = user
        self.say(f"· you are {user.first_name} now")
        missed = self._chat.api.sent_to(user.id)[self._printed.get(user.id, 0):]
        self._shown = len(self._chat.api.outbox)
        self._show(list(missed))
        self._printed[user.id] = len(self._chat.api.sent_to(user.id))

    def _person(self, args: list[str]) -> tuple[LocalUser, Role, str] | None:
        """The staff member `/as` names: one per role, branch and language, the same from one
        run to the next; None when the role or the branch is not one."""
        settings = self._settings
        if not args or args[0] not in set(Role) or settings is None:
            return None
        role = Role(args[0])
        branches = [branch.id for branch in settings.branches]
        rest = args[1:]
        lang = rest.pop() if rest and rest[-1] in ("zh", "en") else settings.chain.language
        branch = settings.branch_id(" ".join(rest)) if rest else branches[0]
        if branch not in branches:
            return None
        if role is Role.ADMIN and not rest:
            return CONSOLE_USER, role, branch
        number = 1000 + 100 * list(Role).index(role) + 2 * branches.index(branch) \
            + (lang == "en")
        # the language in the name too: "Kitchen la" in English and in Chinese are two people
        name = f"{role.value.capitalize()} {branch} {lang}"
        return LocalUser(id=number, first_name=name, language_code=lang), role, branch

    async def _watch(self) -> None:
        """What the bot sends on its own (a reminder, an escalation from the sweep) is printed
        as it comes, above a fresh prompt, as a phone would show it."""
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            if not self._busy and len(self._chat.api.outbox) > self._shown:
                self._out.write("\n")
                self.show_new()
                self._out.write(PROMPT)
                self._out.flush()

    def _chosen(self, text: str) -> tuple[SentMessage, Button] | None:
        """A plain number 1..N presses that button of the last answer; anything else is text."""
        if not self._choices or not (text.isascii() and text.isdigit()):
            return None
        number = int(text)
        return self._choices[number - 1] if 1 <= number <= len(self._choices) else None

    def _show(self, events: list[SentMessage | CallbackAnswer]) -> None:
        mine = [event for event in events
                if isinstance(event, SentMessage) and event.chat_id == self._user.id]
        if mine:
            self._choices = []
        numbers = itertools.count(1)
        for event in events:
            if isinstance(event, CallbackAnswer):
                if event.text:
                    self.say(f"· {event.text}")
            elif event.chat_id == self._user.id:
                self._show_message(event, numbers)

    def _show_message(self, message: SentMessage, numbers: itertools.count[int]) -> None:
        prefix = "(edited) " if message.edited else ""
        if message.kind != "text":
            prefix += f"[{message.kind}] "
        self.say(prefix + message.text)
        if message.content is not None:
            self.say(f"  saved: {self._save(message)}")
        for row in message.buttons:
            self._choices += [(message, button) for button in row]
            self.say("  ".join(f"[{next(numbers)}] {button.text}" for button in row))

    def _save(self, message: SentMessage) -> Path:
        assert message.content is not None
        self._files.mkdir(parents=True, exist_ok=True)
        name = Path(message.file_name or "").name or (
            f"{message.kind}-{message.message_id}{SUFFIXES.get(message.kind, '.bin')}")
        path = (self._files / f"{message.message_id}-{name}").resolve()
        path.write_bytes(message.content)
        return path


class LineReader:
    """Input lines read in a daemon thread, one per request.

    A thread of the default executor (asyncio.to_thread) blocked in readline would keep
    asyncio.run from returning after Ctrl-C until Enter is pressed; a daemon thread does not.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    async def readline(self) -> str | None:
        """The next line without its newline, or None at the end of input."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[str] = loop.create_future()
        threading.Thread(target=self._read, args=(loop, future), daemon=True).start()
        line = await future
        return line.rstrip("\r\n") if line else None

    def _read(self, loop: asyncio.AbstractEventLoop, future: asyncio.Future[str]) -> None:
        try:
            line = self._stream.readline()
        except (OSError, ValueError):  # a closed or broken stream ends the chat like EOF
            line = ""
        # the loop may have closed while this thread waited: then nobody wants the line
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(_settle, future, line)


def _settle(future: asyncio.Future[str], line: str) -> None:
    if not future.done():
        future.set_result(line)
