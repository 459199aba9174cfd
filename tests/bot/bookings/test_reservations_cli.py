"""`guestcard import reservations` and `guestcard brief`, called as the command line calls them."""

import argparse
import asyncio
import io
from datetime import timedelta
from pathlib import Path

from bot.bookings.cli import ProgressBar, import_reservations, print_brief
from bot.settings import Settings
from profiles.models import Role
from profiles.staff import StaffStore
from store.connect import open_database
from tests.factories import NOW

EXPORT = (
    "Name;Mobile;Date;Time;Covers;Notes\n"
    "王先生;+1 213 555 0142;24/12/2026;19:30;4;peanut allergy, window\n"
    "Smith;;25/12/2026;12:30;2;\n"
    "Nobody;;31/02/2026;12:30;2;\n"
)


def importing(settings: Settings, path: Path, **extra: object) -> tuple[int, str, str]:
    args = argparse.Namespace(file=path, branch="la", source="csv", map=[], date_order="auto")
    for name, value in extra.items():
        setattr(args, name, value)
    out, err = io.StringIO(), io.StringIO()
    code = import_reservations(args, settings, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_an_excel_export_is_imported_with_a_summary_and_not_twice(
    settings: Settings, tmp_path: Path
) -> None:
    export = tmp_path / "export.csv"
    export.write_text(EXPORT, encoding="utf-8-sig")  # as Excel saves it: with a BOM
    code, out, _ = importing(settings, export)
    assert code == 0
    assert out.splitlines()[2:] == [
        "  imported  2 (matched 0 existing guests, created 2)",
        "  skipped   0 (already imported)",
        "  rejected  1",
        "    row 4: no such date '31/02/2026'",
        "  notes     kept on the bookings only: traits are logged in someone's name, and there"
        " is no active admin nor manager of the branch yet",
    ]
    assert "dates day first" in out
    _, again, _ = importing(settings, export)
    assert "  imported  0 (matched 0 existing guests, created 0)" in again
    assert "  skipped   2 (already imported)" in again


def test_the_printed_brief_lists_the_imported_guests_without_markup(
    settings: Settings, tmp_path: Path
) -> None:
    export = tmp_path / "export.csv"
    export.write_text(EXPORT, encoding="utf-8")
    importing(settings, export)
    out = io.StringIO()
    args = argparse.Namespace(branch="la", date="2026-12-24", shift=None, lang="en")
    assert print_brief(args, settings, out=out) == 0
    assert out.getvalue().splitlines() == [
        "📋 Brief · Los Angeles · Thu 24 Dec",
        "Bookings: 1 · covers: 4 · ⚠️ allergies: 0 · 🆕 first visits: 1 · 🎉 occasions: 0 · ⭐ VIP: 0",
        "",
        "19:30 · 4 people — 王先生 #1",
        "🆕 first visit",
        "📝 peanut allergy, window",
    ]


async def an_admin(settings: Settings, name: str = "Ada") -> None:
    db = await open_database(settings.database)
    try:
        staff = StaffStore(db)
        invite = await staff.create_invite(Role.ADMIN, "la", created_by=None, now=NOW,
                                           valid_for=timedelta(days=1))
        await staff.join(invite.code, telegram_id=77, name=name, language="en", now=NOW)
    finally:
        await db.close()


def test_the_notes_column_becomes_traits_in_an_admins_name_and_shows_in_the_brief(
    settings: Settings, tmp_path: Path
) -> None:
    asyncio.run(an_admin(settings))
    export = tmp_path / "export.csv"
    export.write_text(EXPORT, encoding="utf-8")
    _, dry, _ = importing(settings, export, dry_run=True)
    assert "    row 2: create 王先生 · 2026-12-24 19:30 · 4 + allergy: peanut allergy" \
           " + seating: window" in dry
    assert "  notes     2 traits read from them, would be logged in the name of Ada (admin)" \
           in dry
    code, out, _ = importing(settings, export)
    assert code == 0
    assert "  notes     2 traits read from them, logged in the name of Ada (admin)" in out
    brief = io.StringIO()
    args = argparse.Namespace(branch="la", date="2026-12-24", shift=None, lang="en")
    assert print_brief(args, settings, out=brief) == 0
    lines = brief.getvalue().splitlines()
    assert "⚠️ allergies: 1" in lines[1]
    assert any("peanut allergy" in line and line.startswith("⚠️") for line in lines[3:])
    _, again, _ = importing(settings, export)  # imported before: nothing logged twice
    assert "  notes     0 traits read from them" in again


def test_without_an_admin_or_manager_the_notes_stay_on_the_bookings(
    settings: Settings, tmp_path: Path
) -> None:
    export = tmp_path / "export.csv"
    export.write_text(EXPORT, encoding="utf-8")
    _, out, _ = importing(settings, export)
    assert "  notes     kept on the bookings only" in out


def test_a_file_without_a_date_column_is_refused_naming_the_columns(
    settings: Settings, tmp_path: Path
) -> None:
    export = tmp_path / "export.csv"
    export.write_text("Guest,Covers\nSmith,2\n", encoding="utf-8")
    code, _, err = importing(settings, export)
    assert code == 2
    assert "no date column (columns: ['Guest', 'Covers']); use --map date=COLUMN" in err
    code, _, err = importing(settings, export, branch="nowhere")
    assert code == 2


def test_the_progress_bar_redraws_one_line_and_ends_it() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream, 4, width=8)
    for done in range(1, 5):
        bar(done)
    assert stream.getvalue() == ("\r[##------] 1/4\r[####----] 2/4\r[######--] 3/4"
                                 "\r[########] 4/4\n")
