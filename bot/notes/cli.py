"""`guestcard vocabulary export|import`: the words the chain's leads taught the note parser,
moved between chains and into the chain's vocabulary files."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.settings import Settings
from bot.state import Core
from profiles.learned import LearnedWords, as_toml, categories_words
from profiles.vocabulary import Vocabulary, VocabularyError, load_vocabulary, read_extension
from store.connect import open_database
from store.database import is_postgres_url


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    vocabulary = commands.add_parser(
        "vocabulary", help="the words the chain's leads taught the note parser")
    actions = vocabulary.add_subparsers(required=True, metavar="ACTION")
    export = actions.add_parser(
        "export", help="the learned words as a vocabulary file (TOML), on standard output")
    export.set_defaults(command=export_words)
    load = actions.add_parser(
        "import", help="learn the [categories.*] words of a vocabulary file (an export)")
    load.add_argument("file", type=Path)
    load.set_defaults(command=import_words)


def export_words(args: argparse.Namespace, settings: Settings) -> int:
    async def export() -> str:
        core = await Core.open(settings)
        try:
            return as_toml(await core.words.all())
        finally:
            await core.close()

    sys.stdout.write(asyncio.run(export()))
    return 0


def import_words(args: argparse.Namespace, settings: Settings) -> int:
    """The file is checked whole before a word is stored: a broken file stores nothing."""
    try:
        words = categories_words(read_extension(args.file))
    except VocabularyError as error:
        print(f"guestcard: {error}; nothing was imported", file=sys.stderr)
        return 1

    async def store() -> int:
        core = await Core.open(settings)
        try:
            return await core.words.add(words, now=core.clock())
        finally:
            await core.close()

    count = asyncio.run(store())
    print(f"learned {count} word(s) from {args.file}")
    return 0


def chain_vocabulary(settings: Settings) -> Vocabulary:
    """The vocabulary the bot reads the chain's notes with: the shipped words, the chain's
    files and what its leads taught, from its database; that last only when there is one (a
    command that reads notes never makes a database of its own)."""
    shipped = load_vocabulary(*settings.vocabulary_files())
    target = settings.database
    if not is_postgres_url(target) and not Path(target).is_file():
        return shipped

    async def taught() -> Vocabulary:
        db = await open_database(target)
        try:
            words = LearnedWords(db, shipped)  # as the bot's core reads them
            await words.refresh()
            return words.current
        finally:
            await db.close()

    return asyncio.run(taught())
