"""Nicknames staff type for the given name on a card (jon → John, Jonathan; bill → William):
data in nicknames.toml, read once."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from types import MappingProxyType


@cache
def nicknames() -> Mapping[str, tuple[str, ...]]:
    """Short form → the formal names it stands for, lower case."""
    text = (resources.files("profiles") / "nicknames.toml").read_text("utf-8")
    table = tomllib.loads(text)
    return MappingProxyType({short: tuple(formal) for short, formal in table.items()})
