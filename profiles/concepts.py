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

from profiles.models import Attrs, Category, ParsedNote, TraitDraft
from profiles.parser import parse_note
from profiles.script import simplified
from profiles.vocabulary import Refusal, Vocabulary, concept_named

# Which concepts name the item of a trait of each category.
_ITEMS: Final = {
    Category.ALLERGY: (Category.FOOD,),
    Category.DIET: (Category.FOOD,),
    Category.FOOD: (Category.FOOD,),
    Category.DRINK: (Category.DRINK, Category.FOOD),
    Category.SEATING: (Category.SEATING,),
}
_HAN: Final = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def parse_with_concepts(text: str, vocabulary: Vocabulary, *,
                        region: str | None = None) -> ParsedNote:
    """A note read as `parse_note` reads it, each trait with the concept it names: how every
    note staff write is read before it is kept (/note, an import's notes, `guestcard parse`)."""
    parsed = parse_note(text, vocabulary, region=region)
    return parsed.model_copy(update={"traits": with_concepts(parsed.traits, vocabulary)})


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
    if item:  # the item is the thing, all of it
        concept = concept_named(vocabulary.lexicon, simplified(str(item)).casefold().strip(),
                                allowed, whole=True)
    elif draft.category in (Category.SEATING, Category.FOOD):
        concept = concept_named(vocabulary.lexicon, simplified(draft.text).casefold(), allowed,
                                whole=False)
    else:
        concept = None
    if concept is None:
        return {}  # none, or several things ("虾蟹"): read as typed
    return {"concept": concept.id, "label_zh": concept.zh, "label_en": concept.en}


def written_in(text: str) -> str:
    """The language a trait was typed in, as the readers' languages go: zh or en."""
    return "zh" if _HAN.search(text) else "en"
