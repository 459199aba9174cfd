"""Input the bot cannot use is answered with what is wrong, never "something went wrong";
a file that is not what it should be stops the bot with the file's name and what to do."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from profiles.audit import AuditAction
from store.sqlite import _check_writable
from tests.bot.access.test_button_authority import press_signed
from tests.bot.conftest import BotUnderTest

ROOT = Path(__file__).resolve().parents[2]
GENERIC = "something went wrong"


async def booked(bot: BotUnderTest) -> list[int]:
    return await bot.core.db.read(lambda c: [row[0] for row in c.execute(
        "SELECT party FROM bookings")])


async def test_a_booking_in_year_9999_asks_to_check_the_year(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    guest = await bot.core.guests.create("Anna Lee", None, branch="la", staff_id=None,
                                         region="US", now=bot.clock())
    [said] = await bot.send(waiter, f"/book #{guest.id} 9999-12-31 19:00")
    assert said.text == "That date is more than two years ahead: check the year."
    assert await booked(bot) == []


async def test_a_negative_party_is_refused_not_booked_as_positive(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    guest = await bot.core.guests.create("Anna Lee", None, branch="la", staff_id=None,
                                         region="US", now=bot.clock())
    [said] = await bot.send(waiter, f"/book #{guest.id} tomorrow 19:00 -5 people")
    assert said.text == "A party is 1 to 500 people."
    assert await booked(bot) == []


async def test_a_report_with_a_word_it_cannot_read_shows_how_to_ask(bot: BotUnderTest) -> None:
    lead = await bot.join("lead", language="en")
    [said] = await bot.send(lead, "/report week 9999")
    assert "can't do that" not in said.text
    assert "la" in said.text and "/report" in said.text
    [refused] = await bot.send(lead, "/report week sh")  # another branch really is refused
    assert "can't do that" in refused.text


async def test_a_brief_button_for_a_day_that_does_not_exist_is_refused_quietly(
    bot: BotUnderTest,
) -> None:
    lead = await bot.join("lead", language="en")
    await press_signed(bot, lead, "bf:la:2026-02-30")
    assert bot.answers[-1].show_alert
    assert all(GENERIC not in m.text for m in bot.messages(lead))


def test_a_binary_config_file_is_a_configuration_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    config = tmp_path / "config.toml"
    config.write_bytes(b"\xff\xfe\x00\x89PNG\r\n\x1a\n" + bytes(range(256)))
    monkeypatch.setenv("GUESTCARD_CONFIG", str(config))
    assert main(["brief", "--branch", "la"]) == 2
    said = capsys.readouterr().err
    assert said.startswith("guestcard: configuration error\n")
    assert f"{config}: not a text file in UTF-8" in said and "Traceback" not in said


def test_a_corrupt_database_file_is_a_configuration_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    database = tmp_path / "guestcard.db"
    database.write_bytes(b"not a database at all " * 400)
    monkeypatch.setenv("GUESTCARD_CONFIG", str(ROOT / "config.toml"))
    monkeypatch.setenv("GUESTCARD_DB", str(database))
    assert main(["brief", "--branch", "la"]) == 2
    said = capsys.readouterr().err
    assert said.startswith("guestcard: configuration error\n")
    assert f"{database}: not a usable guestcard database" in said


def test_a_database_that_cannot_be_written_is_found_out_at_start(tmp_path: Path) -> None:
    database = tmp_path / "guestcard.db"
    sqlite3.connect(database).execute("CREATE TABLE t (x)").connection.close()
    writable = sqlite3.connect(database, isolation_level=None)
    _check_writable(writable)  # nothing is changed by the check
    writable.close()
    read_only = sqlite3.connect(f"file:{database}?mode=ro", uri=True, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        _check_writable(read_only)
    read_only.close()


async def test_a_card_is_shown_when_its_view_cannot_be_recorded(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture,
) -> None:
    waiter = await bot.join("waiter", language="en")
    guest = await bot.core.guests.create("Anna Lee", None, branch="la", staff_id=None,
                                         region="US", now=bot.clock())
    await bot.core.db.read(lambda c: c.execute("PRAGMA busy_timeout = 20"))
    holder = sqlite3.connect(bot.core.settings.storage.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process keeps the write lock
    try:
        [card] = await bot.send(waiter, f"/guest #{guest.id}")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert card.text.startswith("Anna Lee")
    assert "without recording the view" in caplog.text
    assert await bot.core.audit.for_guest(guest.id, actions=(AuditAction.VIEW,)) == []
