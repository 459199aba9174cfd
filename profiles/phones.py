"""Guest phone numbers: stored as E.164, found by their last digits.

A tail search is a b-tree prefix range on the reversed digits (guests.phone_rev), so
"0142" finds +1 213 555 0142 without scanning every row.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult

# Fewer digits than this would match a large share of all guests.
MIN_TAIL_DIGITS = 4


class InvalidPhone(ValueError):
    """Text that is not a plausible phone number; the message can be shown to staff."""


def normalise_phone(
    raw: str, default_region: str = "CN", also: Sequence[str] = ()
) -> str | None:
    """The number in E.164 ("+8613800138000"), or None if it isn't a plausible phone number.

    Plausible means the right length for its country (`is_possible_number`), not assigned:
    fictional numbers such as +1 213 555 0142 are accepted. A number without a country code
    is read in `default_region`; one that would need a local area code is refused. When it is
    no real number there but is one in a region of `also` (the chain's other branches: a
    Shanghai guest's mobile typed in Los Angeles without +86), it is read there.
    """
    if default_region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"unknown region {default_region!r}")
    e164 = _possible_e164(raw, default_region)
    if e164 and not _valid(e164):
        e164 = next((other for region in also
                     if (other := _possible_e164(raw, region)) and _valid(other)), e164)
    # A few odd inputs (runs of zeros) print as an E.164 that reads back as another number.
    return e164 if e164 and _possible_e164(e164, default_region) == e164 else None


def require_phone(raw: str, default_region: str = "CN", also: Sequence[str] = ()) -> str:
    """`normalise_phone`, raising InvalidPhone instead of returning None."""
    if (e164 := normalise_phone(raw, default_region, also)) is None:
        raise InvalidPhone(f"{raw.strip()!r} doesn't look like a phone number.")
    return e164


def optional_phone(
    raw: str | None, default_region: str = "CN", also: Sequence[str] = ()
) -> str | None:
    """`require_phone`, or None when no phone was typed (None or blank text)."""
    return require_phone(raw, default_region, also) if raw and raw.strip() else None


def phone_tail_key(e164: str) -> str:
    """The number's digits reversed ("+12135550142" → "24105553121"), stored for tail search."""
    return phone_digits(e164)[::-1]


def tail_query(digits: str) -> str | None:
    """The key prefix for what staff typed ("555-0142" → "2410555"); None under 4 digits."""
    only_digits = phone_digits(digits)
    return only_digits[::-1] if len(only_digits) >= MIN_TAIL_DIGITS else None


def phone_digits(text: str) -> str:
    """Every decimal digit in the text, in any script (full-width １, Arabic-Indic ١), as ASCII."""
    return "".join(str(unicodedata.decimal(char)) for char in text if char.isdecimal())


def _valid(e164: str) -> bool:
    return bool(phonenumbers.is_valid_number(phonenumbers.parse(e164)))


def _possible_e164(raw: str, region: str) -> str | None:
    # phonenumbers would read letters as a keypad ("1-800-FLOWERS"); staff never mean that.
    if any(char.isalpha() for char in raw):
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except NumberParseException:
        return None
    if phonenumbers.is_possible_number_with_reason(number) != ValidationResult.IS_POSSIBLE:
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)
