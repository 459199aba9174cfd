"""`guestcard brief` and `guestcard import reservations`: the command line of bookings."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bot.briefs.messages import brief_messages, plain
from bot.briefs.reminders import branch_day
from bot.i18n import LANGUAGES
from bot.settings import Branch, Settings
from bot.state import Core, utc_now
from playbooks.bookings.importer import (
    FIELDS,
    MappingError,
    NoteReading,
    Summary,
    Target,
    UnknownEncoding,
    column_mapping,
    day_first,
    decode_export,
    import_rows,
)
from playbooks.briefs.shifts import shift_named
from playbooks.dates import WhenError, parse_day
from profiles.models import Role, Staff

# below this many rows an import is over before a bar would help
PROGRESS_FROM_ROWS = 200
def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    brief = commands.add_parser("brief", help="the pre-arrival brief on stdout, for printing")
    brief.add_argument("--branch", required=True)
    brief.add_argument("--date", default="today",
                       help="today, tomorrow, 2026-12-24, 12-24, Fri, 明天 (default today)")
    brief.add_argument("--shift", help="only this shift's bookings (a name from config.toml)")
    brief.add_argument("--lang", choices=LANGUAGES, help="default: the chain's language")
    brief.set_defaults(command=print_brief)

    imports = commands.add_parser("import", help="bring in data from other systems")
    kinds = imports.add_subparsers(required=True, metavar="KIND")
    reservations = kinds.add_parser("reservations", help="reservations from a CSV export")
    reservations.add_argument("file", type=Path)
    reservations.add_argument("--branch", required=True)
    reservations.add_argument("--source", default="csv",
                              help="the reservation system's name; part of each row's key")
    reservations.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                              help=f"read FIELD ({', '.join(FIELDS)}) from COLUMN")
    reservations.add_argument("--dry-run", action="store_true",
                              help="print what would be created, matched, rejected; save nothing")
    reservations.add_argument("--date-order", choices=("auto", "mdy", "dmy"), default="auto",
                              help="how 03/04/2026 reads; auto: from the file, else mdy")
    reservations.set_defaults(command=import_reservations)


def _branch(settings: Settings, branch_id: str) -> Branch | None:
    branch = settings.branch(branch_id)
    if branch is None:
        known = ", ".join(b.id for b in settings.branches)
        print(f"guestcard: no branch {branch_id!r} (branches: {known})", file=sys.stderr)
    return branch


# --- brief ----------------------------------------------------------------------------------


def print_brief(args: argparse.Namespace, settings: Settings, out: TextIO = sys.stdout) -> int:
    branch = _branch(settings, args.branch)
    if branch is None:
        return 2
    lang = args.lang or settings.chain.language
    day = branch_day(branch)
    try:
        days = parse_day(args.date, today=day.today(utc_now()))
    except WhenError:
        days = ()
    if len(days) != 1:
        readings = " or ".join(d.isoformat() for d in days) or "no date"
        print(f"guestcard: --date {args.date!r} reads as {readings}; write it as YYYY-MM-DD",
              file=sys.stderr)
        return 2
    if args.shift and shift_named(day, args.shift) is None:
        known = ", ".join(shift.name for shift in day.shifts) or "none"
        print(f"guestcard: no shift {args.shift!r} at {branch.id} (shifts: {known})",
              file=sys.stderr)
        return 2
    # printed for the branch's leads: what a lead of this branch may read
    reader = Staff(id=0, telegram_id=0, name="print", role=Role.LEAD, branch=branch.id,
                   language=lang, joined_at=utc_now())

    async def render() -> list[str]:
        core = await Core.open(settings)
        try:
            found = await core.briefs.brief(day, days[0], viewer=reader, shift=args.shift)
        finally:
            await core.close()
        return brief_messages(found, lang=lang, zone=day.zone,
                              branches=settings.branch_labels(lang))

    print(plain("\n\n".join(asyncio.run(render()))), file=out)
    return 0


# --- import ---------------------------------------------------------------------------------


class ProgressBar:
    """`[#######-------] 420/1000` on one line of stderr, redrawn in place."""

    def __init__(self, stream: TextIO, total: int, *, width: int = 30) -> None:
        self.stream, self.total, self.width = stream, max(total, 1), width

    def __call__(self, done: int) -> None:
        filled = self.width * done // self.total
        bar = "#" * filled + "-" * (self.width - filled)
        end = "\n" if done >= self.total else ""
        self.stream.write(f"\r[{bar}] {done}/{self.total}{end}")
        self.stream.flush()


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str | None]]]:
    """The header and rows of a CSV export, whatever its encoding and delimiter."""
    try:
        text, _ = decode_export(path.read_bytes())
    except UnknownEncoding as unsure:
        raise MappingError(f"{path}: {unsure}") from None
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], ",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    rows = list(reader)
    return list(reader.fieldnames or []), list(rows)


def import_reservations(args: argparse.Namespace, settings: Settings,
                        out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    branch = _branch(settings, args.branch)
    if branch is None:
        return 2
    try:
        headers, rows = read_csv(args.file)
        mapping = column_mapping(headers, _overrides(args.map))
    except (OSError, MappingError) as error:
        print(f"guestcard: {error}", file=err)
        return 2
    order = args.date_order
    dayfirst = order == "dmy" or (order == "auto" and bool(
        day_first(row.get(mapping["date"]) or "" for row in rows)))
    show = len(rows) >= PROGRESS_FROM_ROWS and err.isatty()
    progress = ProgressBar(err, len(rows)) if show else (lambda done: None)

    author: list[Staff] = []

    async def run() -> Summary:
        core = await Core.open(settings)
        try:
            author[:] = await notes_author(core, branch.id)
            notes = None if not author else NoteReading(
                vocabulary=core.vocabulary, guardrails=core.guardrails, author=author[0].id)
            return await import_rows(
                # row 1 is the header, so the first reservation is row 2, as a spreadsheet says
                enumerate(rows, start=2), mapping,
                target=Target(branch=branch_day(branch), region=branch.phone_region,
                              also=settings.phone_regions, source=args.source, notes=notes),
                dayfirst=dayfirst, bookings=core.bookings, guests=core.guests, now=utc_now(),
                progress=progress, dry_run=getattr(args, "dry_run", False))
        finally:
            await core.close()

    summary = asyncio.run(run())
    print(summary_text(summary, args.file.name, branch, dayfirst, mapping), file=out)
    if "notes" in mapping:
        logged = "would be logged" if getattr(args, "dry_run", False) else "logged"
        print(f"  notes     {summary.traits} traits read from them, {logged} in the name of "
              f"{author[0].name} ({author[0].role})" if author else
              "  notes     kept on the bookings only: traits are logged in someone's name, and "
              "there is no active admin nor manager of the branch yet", file=out)
    return 0  # rejected rows are in the summary; the good ones are in


async def notes_author(core: Core, branch: str) -> list[Staff]:
    """Whose name the traits read from an export's notes are logged in: the chain's first
    active admin, else a manager of the branch (an import is theirs to run); none: nobody."""
    staff = sorted((m for m in await core.staff.in_branch(None) if m.active),
                   key=lambda member: member.id)  # the first to join
    for role, where in ((Role.ADMIN, None), (Role.MANAGER, branch)):
        found = [m for m in staff if m.role is role and where in (None, m.branch)]
        if found:
            return found[:1]
    return []


def _overrides(pairs: Sequence[str]) -> dict[str, str]:
    found = {}
    for pair in pairs:
        name, sep, column = pair.partition("=")
        if not sep:
            raise MappingError(f"--map {pair!r}: write FIELD=COLUMN, e.g. --map name='Guest'")
        found[name.strip()] = column.strip()
    return found


def summary_text(summary: Summary, filename: str, branch: Branch, dayfirst: bool,
                 mapping: dict[str, str]) -> str:
    columns = ", ".join(f"{name}={column!r}" for name, column in mapping.items())
    lines = [
        f"{filename} -> {branch.id} ({branch.name}): {summary.total} rows",
        f"  columns: {columns}; dates {'day' if dayfirst else 'month'} first",
        f"  imported  {summary.imported} (matched {summary.matched} existing guests, "
        f"created {summary.created})",
        f"  skipped   {summary.skipped} (already imported)",
        f"  rejected  {len(summary.rejected)}",
    ]
    lines += [f"    row {number}: {reason}" for number, reason in summary.rejected]
    if summary.planned:
        lines[2] = lines[2].replace("imported", "would import", 1)
        lines.append("  dry run: nothing was saved; each row would")
        lines += [f"    row {number}: {what}" for number, what in summary.planned]
    if summary.warnings:
        lines.append(f"  warnings  {len(summary.warnings)}")
        lines += [f"    row {number}: {reason}" for number, reason in summary.warnings]
    return "\n".join(lines)

