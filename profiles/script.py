"""Traditional Chinese read as simplified, for matching: notes and names typed in Hong Kong or
Taipei meet the vocabulary and the search index written in simplified characters.

Only matching forms are converted; what staff typed is stored and shown as typed.
"""

from __future__ import annotations

from functools import cache, lru_cache

import opencc


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """`text` with traditional characters in their simplified form, one character for one
    (so positions in the result are positions in `text`): 陳 → 陈, 過敏 → 过敏."""
    if text.isascii():
        return text
    converted: str = _converter().convert(text)
    if len(converted) == len(text):
        return converted
    # A phrase rule changed the length: fall back to character by character.
    return "".join(_simplified_char(char) for char in text)


@lru_cache(maxsize=1 << 14)
def _simplified_char(char: str) -> str:
    converted: str = _converter().convert(char)
    return converted if len(converted) == 1 else char
