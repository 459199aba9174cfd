"""The cause categories of a complaint, and the one its words suggest (Chinese or English).

Pure: a suggestion is only offered; whoever closes the complaint confirms it with a tap.
"""

from __future__ import annotations

import re
from enum import StrEnum

from profiles.script import simplified


class Cause(StrEnum):
    FOOD = "food"
    WAITING = "waiting"
    MANNER = "manner"  # service manner
    BILLING = "billing"
    FACILITY = "facility"  # room or facility
    NOISE = "noise"
    CLEANLINESS = "cleanliness"
    OTHER = "other"


# Words that point to each cause; the cause with the most matches wins, ties in this order.
WORDS: dict[Cause, tuple[str, ...]] = {
    Cause.FOOD: ("cold", "raw", "overcooked", "undercooked", "salty", "bland", "taste",
                 "tasteless", "stale", "dish", "soup", "food", "burnt", "hair in", "spicy",
                 "凉", "冷", "生", "咸", "淡", "味道", "难吃", "不新鲜", "菜", "汤", "糊", "辣",
                 "头发"),
    Cause.WAITING: ("wait", "waited", "waiting", "slow", "late", "delay", "delayed",
                    "queue", "took ages", "forgot", "forgotten", "等", "慢", "迟", "排队",
                    "催", "半天", "忘了", "久"),
    Cause.MANNER: ("rude", "impolite", "attitude", "ignored", "unfriendly", "shouted",
                   "arrogant", "态度", "不礼貌", "没礼貌", "冷淡", "不理", "凶", "服务差"),
    Cause.BILLING: ("bill", "charge", "charged", "overcharged", "price", "discount",
                    "receipt", "invoice", "refund", "账单", "收费", "多收", "价格", "折扣",
                    "发票", "结账", "退款", "算错"),
    Cause.FACILITY: ("air con", "aircon", "air conditioning", "broken", "shower", "toilet",
                     "wifi", "lift", "elevator", "tv", "heating", "leak", "bed", "room",
                     "空调", "坏", "淋浴", "马桶", "网络", "电梯", "电视", "暖气", "漏水",
                     "床", "房间"),
    Cause.NOISE: ("noise", "noisy", "loud", "music", "party next door", "吵", "噪音", "声音大",
                  "音乐"),
    Cause.CLEANLINESS: ("dirty", "stain", "smell", "smelly", "dust", "cockroach", "bug",
                        "unclean", "sticky", "脏", "污", "臭", "味儿", "灰", "蟑螂", "虫",
                        "不干净"),
}
_LATIN = re.compile(r"[a-z]")


def suggest_cause(text: str) -> Cause:
    """The cause the complaint's words point to most; OTHER when none does."""
    folded = simplified(text.casefold())
    counts = {cause: sum(_mentions(folded, word) for word in words)
              for cause, words in WORDS.items()}
    best = max(counts, key=lambda cause: counts[cause])
    return best if counts[best] else Cause.OTHER


def _mentions(text: str, word: str) -> int:
    """Latin words match whole words ("bed" not in "embedded"); Chinese ones anywhere."""
    if _LATIN.search(word):
        return len(re.findall(rf"\b{re.escape(word)}\b", text))
    return text.count(word)


def choices(suggested: Cause) -> list[Cause]:
    """Every cause, the suggested one first."""
    return [suggested, *(cause for cause in Cause if cause is not suggested)]
