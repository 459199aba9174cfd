"""`guestcard`: the command line for the people who run the bot."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from telegram import Bot

from bot.app import build_application
from bot.bookings import cli as reservations_cli
from bot.checklists import cli as playbooks_cli
from bot.http import cli as api_cli
from bot.http.server import parse_listen, serve
from bot.logs import configure_logging
from bot.notes import cli as vocabulary_cli
from bot.polling import run_polling
from bot.privacy import cli as audit_cli
from bot.settings import ConfigError, Settings, load_settings
from bot.staff.handlers import ROLE_NAMES, invite_link
from bot.state import Core, utc_now
from bot.terminal.console import run_console
from bot.webhook import WebhookError, webhook_from
from playbooks.checklists.playbook import PlaybookError
from profiles.concepts import parse_with_concepts
from profiles.errors import StaffNotFound
from profiles.parser import traits_as_json_lines
from profiles.vocabulary import VocabularyError
from store.backup import BackupError, backup, restore
from store.database import DatabaseUnusable, MigrationChanged, SchemaTooNew, is_postgres_url
from store.lease import DatabaseInUse, require_free_sqlite

log = logging.getLogger("guestcard")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # opt in to PTB's coming behaviour: time periods as timedelta, without deprecation noise
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    configure_logging(getattr(args, "log_format", "text"))
    try:
        settings = load_settings()
        return int(args.command(args, settings))
    except (ConfigError, VocabularyError, PlaybookError) as error:
        print(f"guestcard: configuration error\n{error}", file=sys.stderr)
        return 2
    except DatabaseUnusable as error:
        print(f"guestcard: configuration error\n{error}", file=sys.stderr)
        return 2
    except (SchemaTooNew, MigrationChanged) as error:
        print(f"guestcard: {error}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="guestcard", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="start the bot (a terminal chat without a bot token)")
    run.add_argument("--webhook", metavar="URL", help="receive updates at this public URL")
    run.add_argument("--listen", metavar="HOST:PORT",
                     help="serve the HTTP API (and the webhook, /healthz, /metrics) here, "
                          "behind the TLS proxy (default [api] listen; 127.0.0.1:8443 with "
                          "--webhook)")
    run.add_argument("--log-format", choices=["text", "json"], default="text",
                     help="json: one JSON object a line, with update and staff ids")
    run.set_defaults(command=run_bot)

    invite = commands.add_parser("invite", help="a one-time join link; the code on the last line")
    invite.add_argument("role", choices=sorted({r.value for r in ROLE_NAMES.values()}))
    invite.add_argument("--branch", required=True)
    invite.set_defaults(command=make_invite)

    parse = commands.add_parser("parse", help="the traits found in a note, as JSON lines")
    parse.add_argument("text", nargs="?",
                       help="the note; without it, each line of standard input is a note")
    parse.add_argument("--region", metavar="CC", type=str.upper,
                       help="ISO country: how numeric dates read (default: the first branch's)")
    parse.set_defaults(command=parse_text)

    save = commands.add_parser("backup", help="copy the database while the bot runs")
    save.add_argument("file", type=Path)
    save.set_defaults(command=backup_database)
    load = commands.add_parser("restore", help="replace the database with a backup (bot stopped)")
    load.add_argument("file", type=Path)
    load.add_argument("--force", action="store_true",
                      help="even though a bot that did not stop cleanly left its lease")
    load.set_defaults(command=restore_database)
    move = commands.add_parser(
        "migrate", help="copy the SQLite database into a new PostgreSQL one (bot stopped)")
    move.add_argument("--to", required=True, metavar="postgresql://…",
                      help="an empty database; its schema is created first")
    move.add_argument("--force", action="store_true",
                      help="even though a bot that did not stop cleanly left its lease")
    move.set_defaults(command=migrate_database)

    staff = commands.add_parser("staff", help="list or deactivate staff")
    staff_commands = staff.add_subparsers(required=True, metavar="ACTION")
    listing = staff_commands.add_parser("list", help="everyone, by branch")
    listing.add_argument("--branch")
    listing.set_defaults(command=list_staff)
    deactivate = staff_commands.add_parser("deactivate", help="take someone off the bot")
    deactivate.add_argument("staff_id", type=lambda s: int(s.lstrip("#")), help="#ID from the list")
    deactivate.set_defaults(command=deactivate_staff)
    reservations_cli.add_commands(commands)
    audit_cli.add_commands(commands)
    playbooks_cli.add_commands(commands)
    api_cli.add_commands(commands)
    vocabulary_cli.add_commands(commands)
    return parser


def run_bot(args: argparse.Namespace, settings: Settings) -> int:
    if settings.token is None:
        if args.listen or args.webhook:
            print("guestcard: --listen and --webhook serve a Telegram bot: set "
                  "TELEGRAM_BOT_TOKEN (without it, this is the terminal chat)", file=sys.stderr)
            return 2
        logging.getLogger().setLevel(logging.WARNING)  # the terminal is the chat: keep it clean
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C ends the chat like /quit
            asyncio.run(run_console(settings))
        return 0
    app = build_application(settings)
    listen = args.listen or settings.api.listen or ("127.0.0.1:8443" if args.webhook else None)
    hook = None
    try:
        if args.webhook:
            secret = os.environ.get("GUESTCARD_WEBHOOK_SECRET")
            hook = webhook_from(args.webhook, listen or "", secret=secret,
                                token=settings.token.get_secret_value())
        address = parse_listen(listen) if listen else None
    except (WebhookError, ValueError) as error:
        print(f"guestcard: {error}", file=sys.stderr)
        return 2
    if address is None:
        asyncio.run(run_polling(app))
        return 0
    asyncio.run(serve(app, address, webhook=hook))
    return 0


def make_invite(args: argparse.Namespace, settings: Settings) -> int:
    if settings.branch(args.branch) is None:
        known = ", ".join(b.id for b in settings.branches)
        print(f"guestcard: no branch {args.branch!r} (branches: {known})", file=sys.stderr)
        return 2
    code = asyncio.run(_create_invite(settings, args.role, args.branch))
    username = asyncio.run(_bot_username(settings))
    print(f"Join link ({ROLE_NAMES[args.role].value} at {args.branch}, valid "
          f"{settings.invites.valid_hours} h):")
    print(invite_link(username or "<your_bot>", code))
    print(code)
    return 0


async def _create_invite(settings: Settings, role: str, branch: str) -> str:
    core = await Core.open(settings)
    try:
        made = await core.staff.create_invite(
            ROLE_NAMES[role], branch, created_by=None, now=utc_now(),
            valid_for=settings.invites.valid_for,
        )
    finally:
        await core.close()
    return made.code


async def _bot_username(settings: Settings) -> str | None:
    """The bot's @name for the link, when a token says which bot this is."""
    if settings.token is None:
        return None
    async with Bot(settings.token.get_secret_value(), base_url=settings.api_url) as bot:
        return bot.username


def backup_database(args: argparse.Namespace, settings: Settings) -> int:
    if is_postgres_url(settings.database):
        return _not_on_postgres("backup", "pg_dump")
    try:
        guests = backup(Path(settings.database), args.file)
    except BackupError as error:
        print(f"guestcard: {error}", file=sys.stderr)
        return 1
    print(f"backed up {settings.database} to {args.file} ({guests} guests)")
    return 0


def restore_database(args: argparse.Namespace, settings: Settings) -> int:
    if is_postgres_url(settings.database):
        return _not_on_postgres("restore", "pg_restore")
    try:
        require_free_sqlite(Path(settings.database), utc_now(), force=args.force)
    except DatabaseInUse as error:
        print(f"guestcard: {error}; nothing was changed", file=sys.stderr)
        return 1
    try:
        guests = restore(args.file, Path(settings.database))
    except BackupError as error:
        print(f"guestcard: {error}; nothing was changed", file=sys.stderr)
        return 1
    print(f"restored {settings.database} from {args.file} ({guests} guests)")
    return 0


def _not_on_postgres(command: str, tool: str) -> int:
    print(f"guestcard: {command} works on a SQLite database; this one is PostgreSQL:"
          f" use {tool}", file=sys.stderr)
    return 2


def migrate_database(args: argparse.Namespace, settings: Settings) -> int:
    if is_postgres_url(settings.database):
        print("guestcard: migrate copies a SQLite database, and GUESTCARD_DB is already"
              " PostgreSQL", file=sys.stderr)
        return 2
    from profiles.migrate import MigrateError, migrate_to_postgres, shown_url  # loads psycopg

    try:
        require_free_sqlite(Path(settings.database), utc_now(), force=args.force)
    except DatabaseInUse as error:
        print(f"guestcard: {error}; nothing was copied", file=sys.stderr)
        return 1
    try:
        copied = asyncio.run(migrate_to_postgres(Path(settings.database), args.to))
    except MigrateError as error:
        print(f"guestcard: {error}; nothing was copied", file=sys.stderr)
        return 1
    for table in copied:
        print(f"{table.table}\t{table.rows}")
    guests = next((t.rows for t in copied if t.table == "guests"), 0)
    print(f"migrated {settings.database} to {shown_url(args.to)} ({guests} guests);"
          " set GUESTCARD_DB to that URL")
    return 0


def parse_text(args: argparse.Namespace, settings: Settings) -> int:
    vocabulary = vocabulary_cli.chain_vocabulary(settings)
    region = args.region or settings.branches[0].phone_region
    from_input = args.text is None  # then many notes, one a line, read in one process
    notes = (line.rstrip("\n") for line in sys.stdin) if from_input else [args.text]
    for number, note in enumerate(notes, start=1):
        parsed = parse_with_concepts(note, vocabulary, region=region)
        for line in traits_as_json_lines(parsed, line=number if from_input else None):
            print(line)
    return 0


def list_staff(args: argparse.Namespace, settings: Settings) -> int:
    async def listing() -> None:
        core = await Core.open(settings)
        try:
            for member in await core.staff.in_branch(args.branch):
                state = "active" if member.active else "inactive"
                print(f"#{member.id}\t{member.name}\t{member.role}\t{member.branch}\t{state}")
        finally:
            await core.close()

    asyncio.run(listing())
    return 0


def deactivate_staff(args: argparse.Namespace, settings: Settings) -> int:
    async def deactivate() -> str:
        core = await Core.open(settings)
        try:
            return (await core.staff.set_active(args.staff_id, False)).name
        finally:
            await core.close()

    try:
        name = asyncio.run(deactivate())
    except StaffNotFound:
        print(f"guestcard: no staff member #{args.staff_id}", file=sys.stderr)
        return 1
    print(f"#{args.staff_id} {name} deactivated")
    return 0
