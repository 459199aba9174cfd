"""`guestcard report` and `guestcard audit`: the service audit and the audit trail on a terminal."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.service_report.jobs import render_report
from bot.service_report.text import audit_lines, plain
from bot.settings import Branch, Settings
from bot.state import Core, utc_now
from playbooks.service_report.audit import Period, last_complete, parse_month, parse_week
from profiles.audit import AuditEntry
from profiles.refs import ById, EmptyRef, parse_guest_ref


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    report = commands.add_parser(
        "report", help="the service-audit figures on stdout, the chart to a PNG file")
    report.add_argument("--branch", required=True)
    period = report.add_mutually_exclusive_group()
    period.add_argument("--week", nargs="?", const="last", metavar="YYYY-Www",
                        help="an ISO week (default: the last complete week)")
    period.add_argument("--month", nargs="?", const="last", metavar="YYYY-MM",
                        help="a month (the last complete one without a value)")
    report.add_argument("--chart", type=Path,
                        help="where to write the PNG (default report-BRANCH-PERIOD.png)")
    report.add_argument("--lang", choices=("en", "zh"), help="default: the chain's language")
    report.set_defaults(command=print_report)

    audit = commands.add_parser("audit", help="who viewed or changed a guest, or what one "
                                              "staff member did")
    subject = audit.add_mutually_exclusive_group(required=True)
    subject.add_argument("--guest", metavar="REF", help="#ID (an erased guest's too) or a name")
    subject.add_argument("--staff", metavar="ID", type=lambda s: int(s.lstrip("#")))
    audit.add_argument("--limit", type=int, default=50)
    audit.set_defaults(command=print_audit)


def print_report(args: argparse.Namespace, settings: Settings) -> int:
    branch = settings.branch(args.branch)
    if branch is None:
        known = ", ".join(b.id for b in settings.branches)
        print(f"guestcard: no branch {args.branch!r} (branches: {known})", file=sys.stderr)
        return 2
    try:
        period = chosen_period(args, branch)
    except ValueError:
        print("guestcard: --week takes 2026-W47, --month takes 2026-11", file=sys.stderr)
        return 2
    lang = args.lang or settings.chain.language
    text, (trend, *causes) = asyncio.run(_report(settings, branch, period, lang))
    path = args.chart or Path(f"report-{branch.id}-{period.label}.png")
    path.write_bytes(trend)
    print(plain(text))
    print(f"\nchart: {path}")
    for chart in causes:  # the Pareto chart of complaint causes, beside the trend
        beside = path.with_name(f"{path.stem}-causes{path.suffix or '.png'}")
        beside.write_bytes(chart)
        print(f"causes: {beside}")
    return 0


def chosen_period(args: argparse.Namespace, branch: Branch) -> Period:
    """The period the options name; the last complete week when they name none."""
    if args.month:
        if args.month == "last":
            return last_complete("month", utc_now(), branch.zone)
        return parse_month(args.month, branch.zone)
    if args.week and args.week != "last":
        return parse_week(args.week, branch.zone)
    return last_complete("week", utc_now(), branch.zone)


async def _report(settings: Settings, branch: Branch, period: Period,
                  lang: str) -> tuple[str, list[bytes]]:
    core = await Core.open(settings)
    try:
        return await render_report(core, branch, period, lang=lang, all_branches=True)
    finally:
        await core.close()


def print_audit(args: argparse.Namespace, settings: Settings) -> int:
    lang = settings.chain.language
    entries = asyncio.run(_entries(settings, args))
    if entries is None:
        print(f"guestcard: no single guest matches {args.guest!r}; use #ID", file=sys.stderr)
        return 1
    for line in audit_lines(entries, lang=lang, now=utc_now()):
        print(plain(line))
    return 0


async def _entries(settings: Settings, args: argparse.Namespace) -> list[AuditEntry] | None:
    core = await Core.open(settings)
    try:
        if args.staff is not None:
            return await core.audit.for_staff(args.staff, limit=args.limit)
        guest_id = await _guest_id(core, args.guest)
        return None if guest_id is None else await core.audit.for_guest(guest_id,
                                                                          limit=args.limit)
    finally:
        await core.close()


async def _guest_id(core: Core, ref: str) -> int | None:
    try:
        parsed = parse_guest_ref(ref)
    except EmptyRef:
        return None
    if isinstance(parsed, ById):
        return parsed.id
    found = await core.search.resolve(ref, branch=None)
    return found[0].id if len(found) == 1 else None
