"""Button payloads: a short verb and its arguments, well under Telegram's 64 bytes.

Plain strings (not PTB's arbitrary callback data) so a button still works after a restart;
signed for the chat they are sent to on the way out (bot/signing.py).
"""

from __future__ import annotations

from enum import StrEnum

from telegram import InlineKeyboardButton

from bot.signing import SIGNED_OVERHEAD

# Telegram takes 64 bytes of callback data; the signature added on sending takes the rest
DATA_LIMIT = 64 - SIGNED_OVERHEAD


class Verb(StrEnum):
    OPEN = "g"  # show a guest's card
    CARD_MORE = "gm"  # show a guest's whole card, every trait
    ADD_NOTE = "n"  # next plain message is a note for this guest
    RETRACT_MENU = "rl"  # list a guest's traits as retract buttons
    RETRACT = "rt"  # retract one trait
    RETRACT_SURE = "ry"  # retract an allergy, confirmed
    REFILE_MENU = "rf"  # ask what a trait just logged should be filed as
    REFILE = "rc"  # file a trait under the category chosen
    UNDO = "u"  # undo one /note
    CREATE = "nc"  # create the guest a pending note names, then log it
    APPLY = "na"  # log a pending note for a chosen guest
    TAG = "tg"  # set a tier or segment offered by a note
    DEACTIVATE = "sd"  # ask to deactivate a staff member
    DEACTIVATE_SURE = "sy"  # deactivate them, confirmed
    REACTIVATE = "sr"  # bring a deactivated staff member back
    STAFF_LIST = "sl"  # back to the staff list, nothing changed
    REQUEST_ACCEPT = "qa"  # take a relayed request
    REQUEST_DONE = "qd"  # a relayed request is done
    REQUEST_DECLINE = "qx"  # a relayed request can't be done
    REQUEST_DESK = "qp"  # send a request to another department
    REQUEST_LANE = "ql"  # give a request another lane
    REQUEST_GUEST = "qg"  # the guest a request draft meant
    STEP_DONE = "ps"  # a playbook checklist step is done
    ALLERGY_SEEN = "as"  # the kitchen has seen an allergy alert
    ARRIVE = "av"  # record the arrival of the guest chosen among several
    RATE = "fb"  # the guest's score for a visit, pressed on the question after it
    FORGET = "fg"  # erase a guest, confirmed
    FORGET_NOT = "fk"  # keep the guest after all: the question goes
    PRIVATE = "pv"  # make what one note added private (leads and up only)
    BOOK_GUEST = "bg"  # the guest a /book draft meant
    BOOK_CREATE = "bn"  # create the guest a /book draft names, then book
    BOOK_TIME = "bt"  # the time a /book draft meant
    BOOK_LIST = "bl"  # a guest's bookings, to cancel or mark
    BOOK_CANCEL = "bx"  # cancel a booking
    BOOK_NO_SHOW = "bs"  # the guest did not come
    BRIEF_DAY = "bf"  # the brief of the day chosen
    SAME_GUEST = "ds"  # /new named a guest already there: show that one
    CREATE_NEW = "dn"  # /new named a likely duplicate: create a new guest all the same
    MERGE = "mg"  # merge the second guest into the first, confirmed
    MERGE_CANCEL = "mx"  # do not merge after all
    UNMERGE = "um"  # undo a merge (admins only)
    # a typed command finished for the guest chosen among those its reference may mean
    FEEDBACK_FOR = "fc"
    LEAVE_FOR = "lc"
    TAG_FOR = "tc"
    CONSENT_FOR = "cc"
    PHONE_FOR = "pc"
    BIRTHDAY_REPLACE = "or"  # the new birthday takes the place of the one stored
    BIRTHDAY_KEEP = "ok"  # keep the stored birthday after all
    CAUSE = "cz"  # the cause of a closed complaint, confirmed by whoever closed it
    OUTREACH = "lo"  # what came of calling a guest on a /list: called, booked, not interested
    # the next page of a /list: its kind, days, where it starts, the last guest shown
    LIST_MORE = "lm"


def pack(verb: Verb, *args: int | str) -> str:
    data = ":".join([verb.value, *(str(arg) for arg in args)])
    if len(data.encode()) > DATA_LIMIT:
        raise ValueError(f"callback data over {DATA_LIMIT} bytes: {data!r}")
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
