"""Every text the bot says, in Chinese and English, read from bot/locales/LANG/*.toml.

One file per feature, so features add their texts without touching each other's; a key may
appear in only one file of a language.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from string import Formatter

LANGUAGES = ("zh", "en")
FALLBACK = "en"


class CatalogueError(Exception):
    """Two locale files of one language define the same key."""


@cache
def catalogue(language: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    folder = resources.files("bot") / "locales" / language
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        texts = tomllib.loads(entry.read_text("utf-8"))
        if repeated := merged.keys() & texts.keys():
            raise CatalogueError(f"{language}/{entry.name} repeats {sorted(repeated)}")
        merged.update({key: str(value) for key, value in texts.items()})
    return merged


def t(language: str, key: str, /, **values: object) -> str:
    """The message `key` in `language` (English if the language lacks it), filled in; with
    `n` of 1, its `KEY.one` form where there is one ("1 score", not "1 scores")."""
    lang = language if language in LANGUAGES else FALLBACK
    if values.get("n") == 1 and f"{key}.one" in catalogue(FALLBACK):
        key = f"{key}.one"
    template = catalogue(lang).get(key) or catalogue(FALLBACK)[key]
    return template.format(**values)


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}
