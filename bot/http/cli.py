"""`guestcard api-key create NAME --branch ID [--scope …]` / `revoke NAME` / `list`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from bot.settings import Settings
from playbooks.feeds.keys import ApiKey, ApiKeys, KeyNameTaken, KeyNotFound, Scope
from profiles.models import Role
from store.connect import open_database

T = TypeVar("T")


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    api_key = commands.add_parser("api-key", help="keys for the HTTP API, one per integration")
    actions = api_key.add_subparsers(required=True, metavar="ACTION")
    create = actions.add_parser("create", help="a new key, printed once (the last line)")
    create.add_argument("name", help="the integration, e.g. opera-pms; its ids are kept apart")
    create.add_argument("--branch", required=True)
    create.add_argument("--scope", action="append", choices=[s.value for s in Scope],
                        help="what the key may do (repeatable; default all)")
    create.add_argument("--role", default=Role.WAITER.value,
                        choices=[r.value for r in Role],
                        help="the card is shown to the key as to staff of this role")
    create.set_defaults(command=create_key)
    revoke = actions.add_parser("revoke", help="the key stops working at once")
    revoke.add_argument("name")
    revoke.set_defaults(command=revoke_key)
    listing = actions.add_parser("list", help="every key, live or revoked (never the secret)")
    listing.set_defaults(command=list_keys)


def create_key(args: argparse.Namespace, settings: Settings) -> int:
    if settings.branch(args.branch) is None:
        print(f"guestcard: no branch {args.branch!r} in {settings.config_path}", file=sys.stderr)
        return 2
    scopes = frozenset(Scope(s) for s in args.scope) if args.scope else frozenset(Scope)
    try:
        issued = _with_keys(settings, lambda keys: keys.create(
            args.name, branch=args.branch, scopes=scopes, role=Role(args.role),
            now=datetime.now(UTC)))
    except KeyNameTaken:
        print(f"guestcard: a key named {args.name!r} exists; revoke it or choose another name",
              file=sys.stderr)
        return 1
    print(f"{_line(issued.key)}\nThe key is shown only now; keep it in the integration's "
          "settings:")
    print(issued.secret)
    return 0


def revoke_key(args: argparse.Namespace, settings: Settings) -> int:
    try:
        key = _with_keys(settings, lambda keys: keys.revoke(args.name, now=datetime.now(UTC)))
    except KeyNotFound:
        print(f"guestcard: no live key named {args.name!r}", file=sys.stderr)
        return 1
    print(f"revoked: {_line(key)}")
    return 0


def list_keys(args: argparse.Namespace, settings: Settings) -> int:
    for key in _with_keys(settings, lambda keys: keys.listed()):
        print(_line(key))
    return 0


def _line(key: ApiKey) -> str:
    state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "live"
    return (f"{key.name}\tbranch {key.branch}\t{','.join(sorted(key.scopes))}\t"
            f"role {key.role}\t{state}")


def _with_keys(settings: Settings, work: Callable[[ApiKeys], Awaitable[T]]) -> T:
    async def run() -> T:
        db = await open_database(settings.database)
        try:
            return await work(ApiKeys(db))
        finally:
            await db.close()

    return asyncio.run(run())
