"""What e2e tests do as people: join through an invite, and wait for a reply that says X."""

from __future__ import annotations

from tests.e2e.client import Predicate, TelegramTestClient, User
from tests.e2e.process import BotProcess


async def join(tg: TelegramTestClient, guestcard: BotProcess, name: str, role: str,
               branch: str = "la") -> User:
    """A new user who joined with a one-time code from `guestcard invite`, speaking English."""
    user = tg.new_user(name)
    code = guestcard.invite(role, branch)
    await tg.command(user, f"/start {code}", has(name))
    await tg.command(user, "/lang en")
    return user


def has(*words: str) -> Predicate:
    return lambda message: all(word in message.text for word in words)


def starts(prefix: str) -> Predicate:
    return lambda message: message.text.startswith(prefix)


async def until_quiet(tg: TelegramTestClient, *people: User) -> None:
    """Read replies until the bot has said nothing to each of `people` for a while."""
    for person in people:
        while True:
            try:
                await tg.wait_for_reply(person, timeout=1.5)
            except AssertionError:
                break
