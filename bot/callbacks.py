"""Button payloads: a short verb and its arguments, well under Telegram's 64 bytes.

Plain strings (not PTB's arbitrary callback data) so a button still works after a restart.
"""

from __future__ import annotations

from enum import StrEnum

from telegram import InlineKeyboardButton


class Verb(StrEnum):
    OPEN = "g"  # show a guest's card
    ADD_NOTE = "n"  # next plain message is a note for this guest
    RETRACT_MENU = "rl"  # list a guest's traits as retract buttons
    RETRACT = "rt"  # retract one trait
    UNDO = "u"  # undo one /note
    CREATE = "nc"  # create the guest a pending note names, then log it
    APPLY = "na"  # log a pending note for a chosen guest
    TAG = "tg"  # set a tier or segment offered by a note
    DEACTIVATE = "sd"  # deactivate a staff member


def pack(verb: Verb, *args: int | str) -> str:
    data = ":".join([verb.value, *(str(arg) for arg in args)])
    if len(data.encode()) > 64:
        raise ValueError(f"callback data over 64 bytes: {data!r}")
    return data


def unpack(data: str) -> list[str]:
    """The arguments after the verb."""
    return data.split(":")[1:]


ID = r"\d{1,18}"  # fits SQLite's 64-bit integers
WORD = r"[a-z][a-z0-9_-]{0,31}"


def pattern(verb: Verb, *args: str) -> str:
    """The exact shape of a verb's data (one id unless told), so forged data matches nothing."""
    shape = "".join(f":{arg}" for arg in (args or (ID,)))
    return rf"^{verb.value}{shape}$"


def button(text: str, verb: Verb, *args: int | str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=pack(verb, *args))
