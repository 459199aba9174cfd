"""`guestcard playbooks check [PATH]`: validate playbook files without starting the bot."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.checklists.setup import playbook_library
from bot.settings import Settings
from playbooks.checklists.playbook import Playbook, PlaybookError, load_playbooks


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    playbooks = commands.add_parser("playbooks", help="the service playbooks")
    actions = playbooks.add_subparsers(required=True, metavar="ACTION")
    check = actions.add_parser(
        "check", help="validate playbook files (default: the shipped ones and the chain's own)")
    check.add_argument("path", nargs="?", type=Path,
                       help="a playbook file or a folder of them")
    check.set_defaults(command=check_playbooks)


def check_playbooks(args: argparse.Namespace, settings: Settings) -> int:
    """Every problem of every file on stderr (exit 1), or the playbooks found (exit 0)."""
    try:
        found = load_playbooks([args.path]) if args.path else playbook_library(settings)
    except PlaybookError as error:
        print(f"guestcard: {len(error.problems)} problem(s) in playbook files\n{error}",
              file=sys.stderr)
        return 1
    for playbook in found:
        print(describe(playbook))
    print(f"ok: {len(found)} playbook(s)")
    return 0


def describe(playbook: Playbook) -> str:
    triggers = ", ".join(playbook.trigger)
    roles = ", ".join([*playbook.roles, *(["actor"] if playbook.actor else [])])
    return (f"{playbook.id}\t{playbook.title.en} / {playbook.title.zh}\t{triggers}\t{roles}\t"
            f"{len(playbook.steps)} steps")
