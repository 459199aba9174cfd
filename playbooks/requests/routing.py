"""Which desk a guest's request goes to, and how urgent it is: pure rules over configured words.

A department (desk) lists the words that send a request to it; a lane says how fast it must be
answered: red for complaints, faults, safety and billing errors, yellow for routine requests,
green for sales and bookings. Words are matched in the text folded for width and case; a latin
word matches whole words only (with a plural or -ed/-ing ending), so "AC" is not found in
"account", while a Chinese word matches anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from profiles.models import Frozen, Role, normalise_text


class Lane(StrEnum):
    """How fast a request must be answered, most urgent first."""

    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"


class Deadline(Frozen):
    """Minutes from relay to acceptance and to completion."""

    accept_minutes: int = Field(ge=1, le=24 * 60)
    resolve_minutes: int = Field(ge=1, le=30 * 24 * 60)

    @model_validator(mode="after")
    def _resolve_after_accept(self) -> Deadline:
        if self.resolve_minutes < self.accept_minutes:
            raise ValueError("resolve_minutes must not be shorter than accept_minutes")
        return self


class LaneDeadlines(Frozen):
    red: Deadline = Deadline(accept_minutes=5, resolve_minutes=30)
    yellow: Deadline = Deadline(accept_minutes=15, resolve_minutes=120)
    green: Deadline = Deadline(accept_minutes=60, resolve_minutes=24 * 60)

    def of(self, lane: Lane) -> Deadline:
        deadline: Deadline = getattr(self, lane.value)
        return deadline


class Department(Frozen):
    """A desk of a branch: where its requests go and the words that send them there."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,15}$")
    name: str = Field(min_length=1, max_length=40)
    name_zh: str | None = Field(default=None, max_length=40)
    # a Telegram group of the desk (a negative id); its members press the buttons there
    chat_id: int | None = Field(default=None, lt=0)
    roles: list[Role] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    deadlines: LaneDeadlines = LaneDeadlines()

    @model_validator(mode="after")
    def _has_recipients(self) -> Department:
        if self.chat_id is None and not self.roles:
            raise ValueError(f"department {self.id!r} needs chat_id or roles (or both)")
        return self

    def label(self, language: str) -> str:
        return self.name_zh if language == "zh" and self.name_zh else self.name


# Sent to the leads and managers when a branch lists no departments: relay still works.
FRONT_DESK = Department(id="guest", name="Guest services", name_zh="宾客服务",
                        roles=[Role.LEAD, Role.MANAGER])

RED_WORDS = (
    "投诉", "抱怨", "不满", "坏了", "故障", "漏水", "停电", "没热水", "安全", "着火", "烟雾",
    "受伤", "过敏", "收错", "多收", "算错", "账单不对", "账单错", "账单有误", "忘…折扣",
    "没给…折扣", "折扣没", "少了折扣", "没打折", "退款", "complaint", "missing discount",
    "discount missing", "overcharge", "double charged", "wrong charge",
    "complain", "broken", "fault", "faulty", "leak", "flood", "safety", "fire", "smoke",
    "injured", "hurt", "allergic", "overcharged", "charged twice", "wrong bill", "bill is wrong",
    "billing error", "forgot...discount", "forgotten...discount", "didn't...discount",
    "did not...discount", "without...discount", "no discount", "charged...twice",
    "charged...too much", "billed twice", "bill...wrong", "wrong...bill", "wrong amount",
    "refund", "angry", "dirty", "no hot water",
)
GREEN_WORDS = (
    "预订", "预定", "订房", "订桌", "包间", "套餐", "会员", "续住", "升级", "购买", "价格", "报价",
    "book", "booking", "reserve", "reservation", "package", "membership", "upgrade", "buy",
    "price", "quote", "voucher", "gift card", "extend",
)


class LaneWords(Frozen):
    """Words that make a request red or green; anything else is yellow."""

    red_words: list[str] = Field(default_factory=lambda: list(RED_WORDS))
    green_words: list[str] = Field(default_factory=lambda: list(GREEN_WORDS))


def _unique_ids(departments: list[Department]) -> list[Department]:
    ids = [desk.id for desk in departments]
    if len(ids) != len(set(ids)):
        raise ValueError(f"department ids repeat: {ids}")
    return departments


# A branch's departments as config.toml lists them; the first is the front desk.
Departments = Annotated[list[Department], AfterValidator(_unique_ids)]


def classify_lane(text: str, words: LaneWords) -> Lane:
    """Red beats green: "refund for the booking" is a complaint before it is a sale."""
    if mentions(text, words.red_words):
        return Lane.RED
    if mentions(text, words.green_words):
        return Lane.GREEN
    return Lane.YELLOW


def route(text: str, departments: Sequence[Department]) -> Department:
    """The department whose words the text mentions most; the first one when none match.

    The first department listed is the branch's front desk: it takes what no word routes.
    """
    desks = departments or [FRONT_DESK]
    scores = [len(found_words(text, desk.keywords)) for desk in desks]
    best = max(scores)
    return desks[scores.index(best)] if best else desks[0]


def mentions(text: str, words: Iterable[str]) -> bool:
    return bool(found_words(text, words))


def found_words(text: str, words: Iterable[str]) -> list[str]:
    folded = normalise_text(text)
    return [word for word in words
            if (wanted := normalise_text(word)) and _pattern(wanted).search(folded)]


# in a lane word, "..." (or "…", the same once folded): a few characters may come between
# its parts ("忘…折扣" matches "忘了给他金卡折扣"; "forgot…discount", "forgot his gold card
# discount": English words are longer, so more may come between)
GAP = "..."
_GAP_SIZE = 8
_ENGLISH_GAP_SIZE = 24


@lru_cache(maxsize=2048)
def _pattern(word: str) -> re.Pattern[str]:
    if GAP in word:
        gap = _ENGLISH_GAP_SIZE if word.isascii() else _GAP_SIZE
        return re.compile(f".{{0,{gap}}}?".join(re.escape(part) for part in word.split(GAP)))
    if not word.isascii():
        return re.compile(re.escape(word))
    return re.compile(rf"(?<![a-z0-9]){re.escape(word)}(?:s|es|ed|ing)?(?![a-z0-9])")


def due_times(created_at: datetime, deadline: Deadline) -> tuple[datetime, datetime]:
    """When the request must be accepted, and when done."""
    return (created_at + timedelta(minutes=deadline.accept_minutes),
            created_at + timedelta(minutes=deadline.resolve_minutes))


class Routing:
    """Each branch's departments (in config order) and the lane words of the chain."""

    def __init__(self, desks: Mapping[str, Sequence[Department]], lanes: LaneWords) -> None:
        self._desks = {branch: tuple(found) for branch, found in desks.items() if found}
        self.lanes = lanes

    def departments(self, branch: str) -> tuple[Department, ...]:
        return self._desks.get(branch, (FRONT_DESK,))

    def department(self, branch: str, desk_id: str) -> Department | None:
        return next((desk for desk in self.departments(branch) if desk.id == desk_id), None)

    def front_desk(self, branch: str) -> Department:
        """Where complaints and requests no word routes go: the branch's first department."""
        return self.departments(branch)[0]

    def classify(self, branch: str, text: str) -> tuple[Department, Lane]:
        return route(text, self.departments(branch)), classify_lane(text, self.lanes)

    def desks_of(self, branch: str, role: Role) -> list[str]:
        """The departments whose requests go to people of this role."""
        return [desk.id for desk in self.departments(branch) if role in desk.roles]
