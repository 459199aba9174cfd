from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from playbooks.bookings.parse import BookingText, BookingTextError, read_booking
from playbooks.dates import WhenError

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=LA)
RESTAURANT = [(time(10, 30), time(15, 0)), (time(16, 30), time(22, 30))]


def read(text: str) -> BookingText:
    return read_booking(text, now=NOW, hours=RESTAURANT)


def when(found: BookingText) -> list[str]:
    assert found.when is not None
    return [moment.strftime("%m-%d %H:%M") for moment in found.when.candidates]


@pytest.mark.parametrize(("text", "ref", "moment", "party", "note"), [
    ("王先生 明天晚上7点 4人 靠窗", "王先生", "11-23 19:00", 4, "靠窗"),
    ("王先生明天7点", "王先生", "11-23 19:00", None, ""),
    ("王先生: 明天 7点 四位", "王先生", "11-23 19:00", 4, ""),
    ("王先生 4人 明天7点", "王先生", "11-23 19:00", 4, ""),
    ("Mr Smith Fri 8pm party of 2 anniversary", "Mr Smith", "11-27 20:00", 2, "anniversary"),
    ("#12 19:00 6 people window seat", "#12", "11-22 19:00", 6, "window seat"),
    ("0142 12-24 19:30 x4", "0142", "12-24 19:30", 4, ""),
    ("room 1203 tomorrow 2pm", "room 1203", "11-23 14:00", None, ""),
    ("Smith tomorrow 12:30 for 3", "Smith", "11-23 12:30", 3, ""),
])
def test_the_guest_the_time_the_party_and_the_note_are_told_apart(
    text: str, ref: str, moment: str, party: int | None, note: str
) -> None:
    found = read(text)
    assert (found.ref, when(found), found.party, found.note) == (ref, [moment], party, note)


def test_adults_and_children_add_up_and_mark_children() -> None:
    for text in ("李女士 明天中午12点 2大1小", "李女士 tomorrow 12:00 2 adults 1 child"):
        found = read(text)
        assert (found.party, found.children) == (3, True), text


def test_words_about_children_mark_the_booking() -> None:
    assert read("王 7点 4人 带小孩").children
    assert read("Smith Fri 7pm 4 people high chair please").children
    assert not read("Smith Fri 7pm 4 people").children


def test_a_table_or_room_is_taken_out_of_the_note() -> None:
    found = read("王先生 明天晚上7点 4人 12号桌 生日")
    assert (found.table_no, found.note) == ("12", "生日")
    found = read("Smith Fri 3pm room 1203 late check-in")
    assert (found.room_no, found.note) == ("1203", "late check-in")


def test_a_guest_named_alone_has_no_time() -> None:
    assert read("王先生") == BookingText(ref="王先生", when=None)


def test_an_ambiguous_time_keeps_every_reading() -> None:
    assert when(read_booking("王 7点", now=NOW, hours=[])) == ["11-22 19:00", "11-23 07:00"]


@pytest.mark.parametrize(("text", "reason"), [
    ("", "usage"),
    ("   ", "usage"),
    ("明天7点 4人", "no_ref"),
    ("王先生 明天7点 0人", "party"),
    ("王先生 明天7点 900 people", "party"),
    ("王先生 明天7点 " + "x" * 600, "note_too_long"),
])
def test_what_cannot_be_a_booking_is_named(text: str, reason: str) -> None:
    with pytest.raises(BookingTextError) as raised:
        read(text)
    assert raised.value.reason == reason


def test_an_impossible_date_is_named() -> None:
    with pytest.raises(WhenError):
        read("王先生 2-30 19:00")
