"""The terminal chat, fed from a string as `make run` would be from a pipe."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from telegram.ext import Application

from bot.app import build_application
from bot.i18n import t
from bot.settings import Settings
from bot.terminal.api import LocalBotApi, LocalChat, running
from bot.terminal.console import BANNER, CONSOLE_USER, Terminal, run_console
from profiles.models import Role, Staff
from profiles.staff import StaffStore
from store.connect import open_database

if TYPE_CHECKING:
    from tests.bot.conftest import FakeClock  # a fixture's type; pytest loads conftest itself


def shown(html: str) -> str:
    """A message as the terminal prints it: the HTML tags gone."""
    return re.sub(r"</?[a-z]+>", "", html)


async def chat(settings: Settings, clock: FakeClock, *lines: str) -> list[str]:
    stdout = io.StringIO()
    await run_console(settings, stdin=io.StringIO("".join(f"{line}\n" for line in lines)),
                      stdout=stdout, clock=clock)
    return stdout.getvalue().splitlines()


async def console_staff(settings: Settings) -> list[Staff]:
    db = await open_database(settings.database)
    try:
        return await StaffStore(db).in_branch(None)
    finally:
        await db.close()


async def test_a_session_welcomes_creates_finds_and_presses_a_button(
    settings: Settings, clock: FakeClock,
) -> None:
    output = await chat(settings, clock, "/help", "/new 王先生 13800138000", "wang", "1", "/quit")

    welcome = t("zh", "join.welcome", name="Console admin", role=t("zh", "role.admin"),
                branch="洛杉矶")
    assert output[:2] == [BANNER, welcome]
    assert output.count(shown(t("zh", "help.intro"))) == 2  # in the welcome, and for /help
    assert "> wang" in output
    assert shown(t("zh", "new.created", name="王先生", ref="#1")) in output
    assert output.count(f"[1] {t('zh', 'button.add_note')}") == 2  # the new card, then found
    assert shown(t("zh", "note.ask", name="王先生")) in output


async def test_the_console_user_is_an_admin_of_the_first_branch_afterwards(
    settings: Settings, clock: FakeClock,
) -> None:
    await chat(settings, clock, "/quit")

    [staff] = await console_staff(settings)
    assert Path(settings.database).exists()
    assert (staff.telegram_id, staff.name, staff.role, staff.branch, staff.active) == (
        CONSOLE_USER.id, "Console admin", Role.ADMIN, "la", True)


async def test_a_second_run_does_not_join_again(settings: Settings, clock: FakeClock) -> None:
    await chat(settings, clock, "/quit")

    output = await chat(settings, clock, "/quit")

    assert [line for line in output if line.startswith("欢迎")] == []
    assert len(await console_staff(settings)) == 1


async def test_a_second_run_on_the_same_database_answers_every_message(
    settings: Settings, clock: FakeClock
) -> None:
    await chat(settings, clock, "/new 王先生", "/quit")
    clock.advance(minutes=1)

    output = await chat(settings, clock, "/new Smith", "/quit")

    assert any("Smith" in line and "#2" in line for line in output), output


async def test_a_number_that_is_no_button_is_a_search(settings: Settings, clock: FakeClock) -> None:
    output = await chat(settings, clock, "/new 王先生 13800138000", "8000", "2")

    # the card has one button: "8000" finds the guest by phone, "2" finds nobody
    assert output.count(f"[1] {t('zh', 'button.add_note')}") == 2
    assert shown(t("zh", "search.none", query="2")) in output


async def test_the_end_of_input_ends_the_chat(settings: Settings, clock: FakeClock) -> None:
    output = await chat(settings, clock, "/help")

    assert output[-1] == "> "


async def test_files_the_bot_sends_are_written_and_their_paths_printed(
    settings: Settings, clock: FakeClock, tmp_path: Path,
) -> None:
    stdout = io.StringIO()
    await run_console(settings, stdin=io.StringIO("/report\n/quit\n"), stdout=stdout,
                      clock=clock, files=tmp_path / "files")
    [saved] = [line.split("saved: ", 1)[1] for line in stdout.getvalue().splitlines()
               if "saved: " in line]
    assert Path(saved).parent == (tmp_path / "files").resolve()
    assert Path(saved).read_bytes().startswith(b"\x89PNG")


async def test_every_button_of_an_answer_has_its_own_number(
    settings: Settings, clock: FakeClock,
) -> None:
    output = await chat(settings, clock, "/new 王先生", "/note 王先生: 花生过敏",
                        "/arrive 王先生 table 3", "/quit")
    answer = output[max(i for i, line in enumerate(output) if line.endswith("/arrive 王先生 table 3")):]
    numbers = [int(n) for line in answer for n in re.findall(r"\[(\d+)\]", line)]
    assert len(numbers) > 4 and numbers == list(range(1, len(numbers) + 1))


@asynccontextmanager
async def at_the_terminal(settings: Settings, clock: FakeClock
                          ) -> AsyncIterator[tuple[Terminal, Application, io.StringIO]]:  # type: ignore[type-arg]
    """The console admin at a terminal of a running bot, its output kept."""
    stdout = io.StringIO()
    api = LocalBotApi(clock=clock)
    app = build_application(settings, request=api, clock=clock, rate_limit=False)
    terminal = Terminal(LocalChat(app, api), stdout, echo=True)
    async with running(app):
        await terminal.become_admin(branch="la")
        yield terminal, app, stdout


async def test_what_the_bot_sends_on_its_own_is_printed_as_it_comes(
    settings: Settings, clock: FakeClock,
) -> None:
    async with at_the_terminal(settings, clock) as (terminal, app, stdout):
        # as the sweep would send a reminder while the person is at the prompt
        await app.bot.send_message(CONSOLE_USER.id, "⏰ Due now (1): greet Smith")
        await terminal._act("/help")
    lines = stdout.getvalue().splitlines()
    assert lines.count("⏰ Due now (1): greet Smith") == 1  # printed once, before the answer
    help_starts = max(i for i, line in enumerate(lines) if line == shown(t("zh", "help.intro")))
    assert lines.index("⏰ Due now (1): greet Smith") < help_starts


async def test_the_watcher_prints_what_comes_while_nobody_types(
    settings: Settings, clock: FakeClock, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("bot.terminal.console.WATCH_SECONDS", 0)
    async with at_the_terminal(settings, clock) as (terminal, app, stdout):
        watcher = asyncio.create_task(terminal._watch())
        await app.bot.send_message(CONSOLE_USER.id, "⏰ Due now (1): greet Smith")
        for _ in range(100):  # the watcher's turns; no time passes
            await asyncio.sleep(0)
            if "greet Smith" in stdout.getvalue():
                break
        watcher.cancel()
    assert stdout.getvalue().endswith("\n⏰ Due now (1): greet Smith\n> ")


async def test_as_makes_the_terminal_another_staff_member_who_sees_what_they_were_sent(
    settings: Settings, clock: FakeClock,
) -> None:
    output = await chat(settings, clock, "/new 王先生", "/as kitchen", "/as waiter la en",
                        "/arrive 王先生 table 12", "/note 王先生: 花生过敏", "/as kitchen", "1",
                        "/as cook", "/as admin", "/quit")

    kitchen, waiter = output.index("· you are Kitchen la zh now"), output.index(
        "· you are Waiter la en now")
    alert_at = output.index("· you are Kitchen la zh now", waiter)
    assert kitchen < waiter < alert_at
    # the alert the kitchen got while the waiter was at the terminal, shown on coming back
    assert shown(t("zh", "kitchen_alert.title_learned_in")) == output[alert_at + 1]
    assert shown(t("zh", "kitchen_alert.thanks")) in " ".join(output[alert_at:])
    assert any(line.startswith("· /as ROLE") for line in output)  # "cook" is no role
    assert output[-3:-1] == ["> /as admin", "· you are Console admin now"]
    staff = {(member.name, member.role, member.language)
             for member in await console_staff(settings)}
    assert staff == {("Console admin", Role.ADMIN, "zh"), ("Kitchen la zh", Role.KITCHEN, "zh"),
                     ("Waiter la en", Role.WAITER, "en")}


async def test_who_joined_in_an_earlier_run_is_sent_what_concerns_them_in_the_next(
    settings: Settings, clock: FakeClock,
) -> None:
    await chat(settings, clock, "/as kitchen", "/as waiter la en", "/quit")
    clock.advance(minutes=1)

    output = await chat(settings, clock, "/new 王先生", "/as waiter la en",
                        "/arrive 王先生 table 12", "/note 王先生: 花生过敏", "/as kitchen", "/quit")

    alert_at = output.index("· you are Kitchen la zh now")
    assert shown(t("zh", "kitchen_alert.title_learned_in")) == output[alert_at + 1]
