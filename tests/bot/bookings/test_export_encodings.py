"""Reservation exports as real systems save them: the encoding is read, not assumed, and a
row's phone is read as the chat reads it, so the row finds the guest staff created by hand."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.settings import Settings
from bot.state import Core
from playbooks.bookings.importer import UnknownEncoding, decode_export
from tests.bot.bookings.test_reservations_cli import importing
from tests.factories import NOW

EXPORTS = {
    "gb18030": "姓名,电话,日期,时间,人数,备注\n王先生,13800138000,2026-12-24,19:30,4,靠窗\n",
    "big5": "姓名,電話,日期,時間,人數,備註\n陳先生,0912345678,2026-12-24,19:30,2,靠窗\n",
    "shift_jis": "名前,電話,日付,時間,人数,メモ\n山田太郎,09012345678,2026-12-24,19:30,2,窓際\n",
    "utf_16": "Name,Phone,Date,Time,Party\nZoë Brontë,,2026-12-24,19:30,2\n",
    "cp1252": "Name,Phone,Date,Time,Party,Notes\nJosé Müller,,2026-12-24,19:30,2,café crème\n",
    "utf_8_sig": "Name,Date\nJosé,2026-12-24\n",
}


@pytest.mark.parametrize("encoding", sorted(EXPORTS))
def test_each_plausible_encoding_reads_back_as_written(encoding: str) -> None:
    text, found = decode_export(EXPORTS[encoding].encode(encoding))
    assert text.lstrip("\ufeff") == EXPORTS[encoding]
    assert found.replace("-", "_") == encoding


def test_bytes_no_plausible_encoding_explains_are_refused() -> None:
    with pytest.raises(UnknownEncoding, match="CSV UTF-8"):
        decode_export(bytes(range(256)) * 4)


def test_an_unreadable_file_is_refused_with_a_clear_message(
    settings: Settings, tmp_path: Path
) -> None:
    export = tmp_path / "export.csv"
    export.write_bytes(bytes(range(256)) * 4)
    code, _, err = importing(settings, export)
    assert code == 2
    assert "cannot tell which encoding" in err


def test_a_gb18030_row_in_los_angeles_matches_the_chats_guest_by_a_chinese_mobile(
    settings: Settings, tmp_path: Path
) -> None:
    async def wang_typed_in_the_chat() -> tuple[int, str | None]:
        core = await Core.open(settings)
        try:
            guest = await core.guests.create("王先生", "138 0013 8000", branch="la",
                                             staff_id=None, region="US", now=NOW)
            return guest.id, guest.phone
        finally:
            await core.close()

    wang, phone = asyncio.run(wang_typed_in_the_chat())
    assert phone == "+8613800138000"
    export = tmp_path / "export.csv"
    export.write_bytes(EXPORTS["gb18030"].encode("gb18030"))
    code, out, _ = importing(settings, export)
    assert code == 0
    assert "imported  1 (matched 1 existing guests, created 0)" in out

    async def bookings_of_wang() -> int:
        core = await Core.open(settings)
        try:
            return len(await core.bookings.for_guest(wang, since=NOW))
        finally:
            await core.close()

    assert asyncio.run(bookings_of_wang()) == 1


OPENTABLE = (  # Windows-1252, "Last, First", a year-less date, blank rows after the last one
    '"Guest","Phone Number","Date","Time","Party Size","Guest Notes"\r\n'
    '"Lee, Anna","(213) 555-0123","Dec 24","7:30 PM","2","Café table"\r\n'
    '"Müller, José","","12/26/2026","8:00 PM","4",""\r\n'
    ',,,,,\r\n,,,,,\r\n'
)
SEVENROOMS = (  # UTF-8 with a BOM, first and last name apart, Chinese mobile in Los Angeles
    "First Name,Last Name,Phone,Reservation Date,Arrival Time,Party Size,Notes\n"
    "先生,王,13800138000,2026-12-24,19:00,3,靠窗\n"
    "Anna,Lee,+1 213 555 0123,2026-12-25,12:30,2,\n"
)


def test_an_opentable_export_in_windows_1252_reads_last_first_and_year_less_dates(
    settings: Settings, tmp_path: Path
) -> None:
    export = tmp_path / "opentable.csv"
    export.write_bytes(OPENTABLE.encode("cp1252"))
    code, out, _ = importing(settings, export, dry_run=True)
    assert code == 0
    assert ": 2 rows" in out  # the blank rows at the end are no reservations
    assert "  would import  2 (matched 0 existing guests, created 2)" in out
    today = datetime.now(ZoneInfo("America/Los_Angeles")).date()  # the CLI reads the clock
    christmas_eve = date(today.year + (today > date(today.year, 12, 24)), 12, 24)
    assert f"    row 2: create Anna Lee · {christmas_eve} 19:30 · 2" in out
    assert "    row 3: create José Müller · 2026-12-26 20:00 · 4" in out
    _, saved, _ = importing(settings, export)  # the dry run saved nothing
    assert "  imported  2 (matched 0 existing guests, created 2)" in saved


def test_a_sevenrooms_export_matches_guests_by_phone_first(
    settings: Settings, tmp_path: Path
) -> None:
    export = tmp_path / "sevenrooms.csv"
    export.write_bytes(OPENTABLE.encode("cp1252"))
    importing(settings, export)
    export.write_text(SEVENROOMS, encoding="utf-8-sig")
    code, out, _ = importing(settings, export, dry_run=True)
    assert code == 0
    assert "    row 2: create 王先生 · 2026-12-24 19:00 · 3" in out
    assert "    row 3: match #1 Anna Lee · 2026-12-25 12:30 · 2" in out
