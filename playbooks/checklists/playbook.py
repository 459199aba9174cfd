"""Playbook files: the chain's service standards as data, validated once at start-up.

A playbook names the event that starts it, the guests it is for, the roles that act and the
steps they take, each in Chinese and English, optionally due at a time relative to the event:

    id = "allergy_guest"
    title = { zh = "过敏客人", en = "Guest with an allergy" }
    trigger = "guest.arrived"
    roles = ["waiter", "lead"]
    [conditions]
    has_allergy = true
    [[steps]]
    id = "confirm"
    text = { zh = "与客人确认过敏", en = "Confirm the allergy with the guest" }
    due = "+5m"
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from playbooks.events import EventKind
from profiles.models import Role, Segment

SHIPPED_LIBRARY: Final = Path(__file__).with_name("library")
MAX_STEPS: Final = 12  # one button each; a checklist longer than a screen is not read
_OFFSET = re.compile(r"^(?P<sign>[+-])(?P<amount>\d{1,4})(?P<unit>[mhd])$")
_UNITS: Final = {"m": "minutes", "h": "hours", "d": "days"}
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


class PlaybookError(ValueError):
    """Playbook files that cannot be used; each problem names the file, the key and why."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """The same words in both languages staff read."""

    zh: str = Field(min_length=1, max_length=300)
    en: str = Field(min_length=1, max_length=300)

    def __call__(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


def parse_offset(text: str) -> timedelta:
    """"+10m", "-30m", "+2h", "-1d" as a time difference; ValueError otherwise."""
    found = _OFFSET.fullmatch(text.strip())
    if found is None:
        raise ValueError(f"{text!r} is not a time offset like '+10m', '-30m', '+2h' or '-1d'")
    size = timedelta(**{_UNITS[found["unit"]]: int(found["amount"])})
    return -size if found["sign"] == "-" else size


class Step(Strict):
    id: Identifier
    text: Text
    # relative to the trigger: the event's time, or the expected arrival of a booking
    due: str | None = None
    # done by itself when this happens: "kitchen.seen", the kitchen pressed Seen on the alert
    ticked_by: Literal["kitchen.seen"] | None = None

    @field_validator("due")
    @classmethod
    def _offset(cls, value: str | None) -> str | None:
        if value is not None:
            parse_offset(value)
        return value

    @property
    def offset(self) -> timedelta | None:
        return None if self.due is None else parse_offset(self.due)


class Conditions(Strict):
    """What must be true of the guest (and the occasion); a condition left out holds always."""

    tier: list[str] | None = None
    segment: list[Segment] | None = None
    vip: bool | None = None  # a key guest, or gold / platinum / diamond
    has_allergy: bool | None = None
    first_visit: bool | None = None
    children: bool | None = None
    business: bool | None = None
    occasion_today: bool | None = None
    stay: bool | None = None  # a hotel stay: the event names a room
    expected: bool | None = None  # in the branch now, or booked there from now on
    mentions: list[str] | None = None  # a standing trait contains one of these words

    @field_validator("tier", "mentions")
    @classmethod
    def _words(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and (not value or not all(word.strip() for word in value)):
            raise ValueError("list words, or leave the condition out")
        return value


def _one_or_many(value: object) -> object:
    return [value] if isinstance(value, str) else value


class Playbook(Strict):
    id: Identifier
    title: Text
    trigger: Annotated[list[EventKind], BeforeValidator(_one_or_many), Field(min_length=1)]
    conditions: Conditions = Conditions()
    roles: list[Role] = Field(default_factory=list)
    # the staff member who raised the event (took the booking, typed /arrive) gets it too
    actor: bool = False
    steps: list[Step] = Field(min_length=1, max_length=MAX_STEPS)
    # at most one run per branch and local day (the shift lead's daily spot check)
    once_per_day: bool = False
    # while a run for the guest is still open, a new occurrence joins it instead of sending
    # the same checklist again (a second allergy noted minutes after the first)
    one_open_per_guest: bool = False

    @model_validator(mode="after")
    def _distinct_steps(self) -> Playbook:
        ids = [step.id for step in self.steps]
        if len(ids) != len(set(ids)):
            raise ValueError(f"step ids repeat: {ids}")
        if not self.roles and not self.actor:
            raise ValueError("name the roles that receive it (roles = [...]) or set actor = true")
        return self


def load_file(path: Path) -> Playbook:
    """One playbook file, or PlaybookError naming the file, the key and the reason."""
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except OSError as error:
        raise PlaybookError([f"{path}: cannot read the file: {error.strerror}"]) from None
    except UnicodeDecodeError as error:
        raise PlaybookError([f"{path}: not UTF-8 text: {error.reason}"]) from None
    except tomllib.TOMLDecodeError as error:
        raise PlaybookError([f"{path}: not valid TOML: {error}"]) from None
    try:
        return Playbook.model_validate(data)
    except ValidationError as error:
        raise PlaybookError(_describe(path, error)) from None


def playbook_files(path: Path) -> list[Path]:
    """A file itself, or a folder's *.toml files in name order."""
    if path.is_dir():
        return sorted(path.glob("*.toml"))
    return [path]


def load_playbooks(paths: Iterable[Path]) -> list[Playbook]:
    """Every playbook in `paths` (files or folders); a later file replaces an earlier one of
    the same id only across folders, so a chain can override a shipped playbook.

    Raises PlaybookError listing every problem of every file.
    """
    found: dict[str, Playbook] = {}
    problems: list[str] = []
    for path in paths:
        if not path.exists():
            problems.append(f"{path}: no such file or folder")
            continue
        seen_here: dict[str, Path] = {}
        for file in playbook_files(path):
            try:
                playbook = load_file(file)
            except PlaybookError as error:
                problems += error.problems
                continue
            if playbook.id in seen_here:
                problems.append(f"{file}: id: {playbook.id!r} is also the id of "
                                f"{seen_here[playbook.id]}")
            seen_here[playbook.id] = file
            found[playbook.id] = playbook
    if problems:
        raise PlaybookError(problems)
    return list(found.values())


def active_playbooks(
    paths: Iterable[Path], *, disabled: Iterable[str] = (), source: str = "config"
) -> list[Playbook]:
    """The playbooks in force: all loaded, less those the chain switched off by id."""
    playbooks = load_playbooks(paths)
    off = set(disabled)
    unknown = off - {playbook.id for playbook in playbooks}
    if unknown:
        raise PlaybookError([f"{source}: playbooks.disabled: no playbook {sorted(unknown)}"])
    return [playbook for playbook in playbooks if playbook.id not in off]


def _describe(path: Path, error: ValidationError) -> list[str]:
    problems = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        problems.append(f"{path}: {key}: {_reason(item)}")
    return problems


def _reason(item: Any) -> str:
    message = str(item["msg"])
    return message.removeprefix("Value error, ")
