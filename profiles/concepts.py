"""What a trait is about, whatever language it was written in: "不吃蒜" and "no garlic" are
one concept (garlic, refused), shown to each reader in their own language ("No garlic" /
"不吃蒜") and confirmed, not doubled, when logged again in the other language.

A draft gets `concept` (the vocabulary's concept id) and its labels `label_zh`, `label_en`
in its attributes when its allergen, food, drink or seat is a concept of the vocabulary
([concepts.*]); a diet kind ("vegetarian") gets the labels of its kind. Words the
vocabulary does not know stay as typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from profiles.models import Attrs, Category, TraitDraft
from profiles.script import simplified
from profiles.vocabulary import Concept, Refusal, Vocabulary

# Which concepts name the item of a trait of each category.
_ITEMS: Final = {
    Category.ALLERGY: (Category.FOOD,),
    Category.DIET: (Category.FOOD,),
    Category.FOOD: (Category.FOOD,),
    Category.DRINK: (Category.DRINK, Category.FOOD),
    Category.SEATING: (Category.SEATING,),
}
_HAN: Final = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def with_concepts(drafts: Iterable[TraitDraft], vocabulary: Vocabulary) -> list[TraitDraft]:
    """Each draft with the concept it names and its labels, when the vocabulary knows it."""
    return [draft.model_copy(update={"attrs": {**draft.attrs, **found}})
            if (found := concept_attrs(draft, vocabulary)) else draft for draft in drafts]


def concept_attrs(draft: TraitDraft, vocabulary: Vocabulary) -> Attrs:
    kind = draft.attrs.get("kind")
    if draft.category is Category.DIET and isinstance(kind, str) \
            and kind not in tuple(Refusal) and kind in vocabulary.diet.kinds:
        words = vocabulary.diet.kinds[kind]
        if words.zh and words.en:
            return {"concept": f"diet.{kind}", "label_zh": words.zh[0], "label_en": words.en[0]}
        return {}
    allowed = _ITEMS.get(draft.category)
    if allowed is None:
        return {}
    item = draft.attrs.get("item")
    if item:  # the item is the thing: all of it ("鲍鱼" is no fish, "牛油果" no beef)
        concept = _named(simplified(str(item)).casefold().strip(), allowed, vocabulary,
                         whole=True)
    elif draft.category in (Category.SEATING, Category.FOOD):
        concept = _named(simplified(draft.text).casefold(), allowed, vocabulary, whole=False)
    else:
        concept = None
    if concept is None:
        return {}
    return {"concept": concept.id, "label_zh": concept.zh, "label_en": concept.en}


def _named(folded: str, allowed: tuple[Category, ...], vocabulary: Vocabulary, *,
           whole: bool) -> Concept | None:
    hits = [hit for hit in vocabulary.lexicon.concepts.find_all(folded)
            if hit.value.category in allowed]
    if len({hit.value.id for hit in hits}) != 1:
        return None  # none, or several things ("虾蟹"): read as typed
    if whole and (hits[0].start, hits[0].end) != (0, len(folded)):
        return None
    return hits[0].value


def written_in(text: str) -> str:
    """The language a trait was typed in, as the readers' languages go: zh or en."""
    return "zh" if _HAN.search(text) else "en"
