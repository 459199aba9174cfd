"""The `guestcard` command as a real process, the way a chain runs it."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

from store.database import is_postgres_url
from tests.e2e.client import TelegramTestClient

GUESTCARD = Path(sys.executable).with_name("guestcard")
START_TIMEOUT = 20.0


class BotProcess:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log  # a file, not a pipe: a pipe nobody reads would block the bot when full
        self._process: subprocess.Popen[bytes] | None = None

    def cli(self, *args: str) -> str:
        """Run a `guestcard` subcommand to completion; its stdout."""
        done = subprocess.run([str(GUESTCARD), *args], env=self.env, capture_output=True,
                              timeout=60, check=False)
        assert done.returncode == 0, done.stderr.decode()
        return done.stdout.decode()

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """What the bot's database (GUESTCARD_DB) holds now, read from outside the bot."""
        database = self.env["GUESTCARD_DB"]
        if is_postgres_url(database):
            with psycopg.connect(database) as pg:
                return [tuple(row) for row in pg.execute(sql)]
        with contextlib.closing(sqlite3.connect(database)) as conn:
            return [tuple(row) for row in conn.execute(sql)]

    def invite(self, role: str, branch: str) -> str:
        """A join code made on the command line (the last line of its output)."""
        return self.cli("invite", role, "--branch", branch).strip().splitlines()[-1]

    async def start(self, tg: TelegramTestClient, *args: str, ready: str = "getUpdates") -> None:
        """`guestcard run ARGS`, once it has made the Bot API call `ready` (it is serving)."""
        before = len(await tg.bot_calls(ready))  # a restart must make a call of its own
        with self.log.open("ab") as log:
            self._process = subprocess.Popen([str(GUESTCARD), "run", *args], env=self.env,
                                             stdout=log, stderr=subprocess.STDOUT)
        await self._until_called(tg, ready, before)

    async def _until_called(self, tg: TelegramTestClient, method: str, before: int) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while len(await tg.bot_calls(method)) <= before:
            assert self._process is not None
            if self._process.poll() is not None:
                raise AssertionError(f"guestcard exited:\n{self.log.read_text()}")
            assert time.monotonic() < deadline, "guestcard did not start polling in time"
            await asyncio.sleep(0.05)  # waiting for another process; nothing to await on

    def kill(self) -> None:
        """Stop at once, as a crash or a power cut would."""
        if self._process is not None:
            self._process.send_signal(signal.SIGKILL)
            self._process.wait(timeout=10)

    def stop(self) -> int | None:
        """Stop gracefully (SIGTERM, as systemd does); the exit code."""
        if self._process is None:
            return None
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        code, self._process = self._process.returncode, None
        return code


