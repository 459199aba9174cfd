"""Phones: E.164 normalisation and the reversed-digit keys that make tail search a prefix range."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from profiles.phones import (
    InvalidPhone,
    normalise_phone,
    phone_digits,
    phone_tail_key,
    require_phone,
    tail_query,
)


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("+1 (213) 555-0142", "CN", "+12135550142"),
        ("213.555.0142", "US", "+12135550142"),
        ("138 0013 8000", "CN", "+8613800138000"),
        ("+86 138 0013 8000", "US", "+8613800138000"),
        ("１３８ ００１３ ８０００", "CN", "+8613800138000"),
        ("٠١٣٨٠٠١٣٨٠٠٠", "CN", "+8613800138000"),
        ("021 6234 5678", "CN", "+862162345678"),
        ("+44 7700 900123", "CN", "+447700900123"),
    ],
)
def test_normalise_phone(raw: str, region: str, e164: str) -> None:
    assert normalise_phone(raw, region) == e164


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        ("", "CN"),
        ("abc", "CN"),
        ("1234", "CN"),
        ("555 0142", "US"),  # would need the area code
        ("+999 1234567", "CN"),
        ("1-800-FLOWERS", "US"),
        ("138 0013 8000 wang", "CN"),
        ("000000000", "CN"),  # prints as +8600000000, which reads back as +860000000
    ],
)
def test_implausible_numbers_are_none(raw: str, region: str) -> None:
    assert normalise_phone(raw, region) is None


def test_require_phone() -> None:
    assert require_phone("138 0013 8000") == "+8613800138000"
    with pytest.raises(InvalidPhone, match="doesn't look like a phone number"):
        require_phone("12")


def test_an_unknown_region_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown region"):
        normalise_phone("138 0013 8000", "XX")


def test_phone_tail_key_reverses_the_digits() -> None:
    assert phone_tail_key("+12135550142") == "24105553121"


@pytest.mark.parametrize(
    ("typed", "query"),
    [("0142", "2410"), ("555-0142", "2410555"), ("０１４２", "2410"), ("014", None), ("", None)],
)
def test_tail_query(typed: str, query: str | None) -> None:
    assert tail_query(typed) == query


def test_phone_digits() -> None:
    assert phone_digits("+1 (213) ５５５-٠١٤٢") == "12135550142"


numbers = st.builds(
    "".join,
    st.lists(st.sampled_from("0123456789 -+()."), min_size=1, max_size=20),
)


@given(numbers, st.sampled_from(["CN", "US", "GB", "DE"]))
def test_normalising_twice_changes_nothing(raw: str, region: str) -> None:
    e164 = normalise_phone(raw, region)
    if e164 is not None:
        assert e164.startswith("+")
        assert normalise_phone(e164, region) == e164
        assert normalise_phone(e164, "CN") == e164


@given(st.from_regex(r"\+[1-9][0-9]{7,13}", fullmatch=True), st.integers(4, 15))
def test_any_typed_tail_finds_the_number(e164: str, length: int) -> None:
    typed = e164[1:][-length:]
    query = tail_query(typed)
    assert query is not None
    assert phone_tail_key(e164).startswith(query)


def test_a_mobile_typed_without_its_country_code_is_read_in_another_branch_region() -> None:
    """In Los Angeles, 13800138000 is no US number but a Shanghai mobile: read it so."""
    assert normalise_phone("13800138000", "US", also=("US", "CN")) == "+8613800138000"
    assert normalise_phone("213 555 0142", "US", also=("CN",)) == "+12135550142"
    assert normalise_phone("13800138000", "US") == "+13800138000"  # no other region known
