"""Guest references typed by staff, and the REF: TEXT split of /note."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from profiles.names import visible_text
from profiles.refs import (
    ById,
    ByName,
    ByPhoneTail,
    ByRoom,
    ByTable,
    EmptyRef,
    GuestRef,
    MissingNoteText,
    parse_guest_ref,
    split_note_command,
)


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("#12", ById(12)),
        ("＃１２", ById(12)),
        ("# 12", ById(12)),
        ("id 7", ById(7)),
        ("room 1203", ByRoom("1203")),
        ("Room #1203", ByRoom("1203")),
        ("rm1203", ByRoom("1203")),
        ("房间1203", ByRoom("1203")),
        ("1203房", ByRoom("1203")),
        ("1203号房", ByRoom("1203")),
        ("room a12", ByRoom("A12")),
        ("table 12", ByTable("12")),
        ("Table No. 12", ByTable("12")),
        ("t12", ByTable("12")),
        ("桌12", ByTable("12")),
        ("12号桌", ByTable("12")),
        ("12桌", ByTable("12")),
        ("0142", ByPhoneTail("0142")),
        ("555-0142", ByPhoneTail("5550142")),
        ("+1 213 555 0142", ByPhoneTail("12135550142")),
        ("(213) 555.0142", ByPhoneTail("2135550142")),
        ("１３８００１３８０００", ByPhoneTail("13800138000")),
        ("王先生", ByName("王先生")),
        ("  Mr.  Smith ", ByName("Mr. Smith")),
        ("wxs", ByName("wxs")),
        ("12", ByName("12")),
        ("#12345678901234567890", ByName("#12345678901234567890")),
        ("Tom", ByName("Tom")),
        ("table", ByName("table")),
    ],
)
def test_parse_guest_ref(text: str, ref: GuestRef) -> None:
    assert parse_guest_ref(text) == ref


@pytest.mark.parametrize("text", ["", "   ", "\u200b", "\n\t"])
def test_a_blank_ref_is_empty(text: str) -> None:
    with pytest.raises(EmptyRef):
        parse_guest_ref(text)


@given(st.text(max_size=80))
def test_parse_guest_ref_raises_only_for_blank_text(text: str) -> None:
    if visible_text(text):
        assert isinstance(parse_guest_ref(text), GuestRef)
    else:
        with pytest.raises(EmptyRef):
            parse_guest_ref(text)


@pytest.mark.parametrize(
    ("args", "split"),
    [
        ("#12: likes tea", ("#12", "likes tea")),
        ("王先生：喜欢靠窗", ("王先生", "喜欢靠窗")),
        ("Mr. Smith: window seat, no ice", ("Mr. Smith", "window seat, no ice")),
        ("王先生 喜欢靠窗", ("王先生", "喜欢靠窗")),
        ("room 1203 late checkout", ("room 1203", "late checkout")),
        ("Mr Smith likes tea", ("Mr Smith", "likes tea")),
        ("王先生 arrives 7:30", ("王先生", "arrives 7:30")),
        ("0142: note: two colons", ("0142", "note: two colons")),
        ("王先生\n喜欢\n靠窗", ("王先生", "喜欢\n靠窗")),
    ],
)
def test_split_note_command(args: str, split: tuple[str, str]) -> None:
    assert split_note_command(args) == split


@pytest.mark.parametrize("args", ["王先生", "王先生:", "room 1203：  ", "#12 \u200b"])
def test_a_note_needs_text(args: str) -> None:
    with pytest.raises(MissingNoteText):
        split_note_command(args)


@pytest.mark.parametrize("args", ["", "  ", ": likes tea", "\u200b：likes tea"])
def test_a_note_needs_a_guest(args: str) -> None:
    with pytest.raises(EmptyRef):
        split_note_command(args)


@given(
    st.sampled_from(["王先生", "#12", "room 1203", "Mr. Smith", "0142"]),
    st.text(min_size=1, max_size=40).filter(lambda text: bool(visible_text(text))),
)
def test_the_text_after_the_colon_is_kept_whole(ref: str, text: str) -> None:
    assert split_note_command(f"{ref}: {text}") == (ref, text.strip())
