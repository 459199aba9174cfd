"""A command typed almost right: "/nte …", "note 王伟: …" without its slash, "／nte" after a
full-width one. The command meant is offered back with everything typed after it, ready to
copy, instead of the text being searched for or refused. A command's name typed right after
the full-width slash ("／note …") is simply carried out."""

from __future__ import annotations

from rapidfuzz.distance import DamerauLevenshtein
from telegram import Bot, Update

from bot.menu import COMMANDS
from profiles.access import can
from profiles.models import Role

SLASHES = ("/", "／")  # the full-width slash of Chinese keyboards is a slash
# commands short enough that one edit away is another word altogether
_TOO_SHORT = 3


def full_width_slash_read(update: Update, bot: Bot) -> Update:
    """A message opening with the full-width slash of Chinese keyboards and a command's name
    ("／note 王伟: 靠窗") is that command: Telegram marks no command there, so it is read
    again with "/" and the command's entity. Both slashes are one UTF-16 unit: the other
    entities keep their offsets."""
    message = update.message
    text = message.text if message is not None else None
    if not text or not text.startswith("／"):
        return update
    word = text[1:].split(maxsplit=1)[0] if text[1:2].strip() else ""
    if word.split("@", 1)[0].lower() not in {name for name, _ in COMMANDS}:
        return update
    data = update.to_dict()
    data["message"]["text"] = "/" + text[1:]
    data["message"]["entities"] = [
        {"type": "bot_command", "offset": 0, "length": 1 + len(word.encode("utf-16-le")) // 2},
        *data["message"].get("entities", [])]
    return Update.de_json(data, bot)


def commands_of(role: Role) -> list[str]:
    return [name for name, action in COMMANDS if action is None or can(role, action)]


def meant_command(text: str, role: Role) -> str | None:
    """The whole command this person most likely meant, or None.

    With a slash, a word one edit from exactly one of their commands is that command; without
    one (a message that would be a search), only a command word typed exactly and followed by
    "REF: TEXT" counts: "note 王伟: likes tea" is a note, "lang wei" a search for Lang Wei.
    """
    stripped = text.strip()
    slashed = stripped.startswith(SLASHES)
    word, _, rest = stripped.lstrip("".join(SLASHES)).partition(" ")
    word = word.split("@", 1)[0].lower()
    names = commands_of(role)
    if word in names:
        chosen = word if (slashed or ":" in rest or "：" in rest) else None
    elif slashed and len(word) >= _TOO_SHORT:
        close = [name for name in names if DamerauLevenshtein.distance(word, name) == 1]
        chosen = close[0] if len(close) == 1 else None
    else:
        chosen = None
    if chosen is None:
        return None
    return f"/{chosen} {rest.strip()}".rstrip()
