"""Tiers (gold, …) and segments (key, regular, new, unwelcome) as staff type them."""

from __future__ import annotations

import re

from profiles.models import Segment

SEGMENT_WORDS = {
    "key": Segment.KEY, "vip": Segment.KEY, "重要": Segment.KEY, "贵宾": Segment.KEY,
    "regular": Segment.REGULAR, "常客": Segment.REGULAR, "熟客": Segment.REGULAR,
    "new": Segment.NEW, "新客": Segment.NEW,
    "unwelcome": Segment.UNWELCOME, "不受欢迎": Segment.UNWELCOME, "黑名单": Segment.UNWELCOME,
}
TIER_WORDS = {
    "金卡": "gold", "银卡": "silver", "白金": "platinum", "白金卡": "platinum",
    "钻石": "diamond", "钻石卡": "diamond",
}
# a chain's own tier names: one short latin word
OWN_TIER = re.compile(r"^[a-z][a-z0-9-]{1,15}$")


class UnknownTag(ValueError):
    """Neither a segment nor something that can be a tier name."""


def parse_tag(word: str) -> tuple[str | None, Segment | None]:
    """(tier, segment): exactly one of them set."""
    key = word.strip().lower()
    if key in SEGMENT_WORDS:
        return None, SEGMENT_WORDS[key]
    if key in TIER_WORDS:
        return TIER_WORDS[key], None
    if OWN_TIER.match(key):
        return key, None
    raise UnknownTag(word)
