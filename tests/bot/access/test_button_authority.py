"""A button press does only what the presser's role and branch may, whatever its data says.

The gate refuses data the bot did not sign for the chat, so these tests sign made-up data for
the presser's own chat, as if it had got past that check: the core must refuse it all the same.
"""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.callbacks import Verb, pack
from bot.terminal.api import LocalUser
from profiles.models import Category
from store.sql import Conn
from tests.bot.checklists.test_playbooks import guest_with
from tests.bot.conftest import BotUnderTest

WATCHED = ("traits", "note_batches", "trait_confirmations", "allergy_acks", "playbook_steps",
           "playbook_runs", "bookings", "feedback", "requests", "request_events")
GUEST_TEXTS = ("后门", "花生", "towels", "window")  # what the intruders must not read
ACTING_VERBS = (Verb.RETRACT, Verb.UNDO, Verb.PRIVATE, Verb.ALLERGY_SEEN, Verb.STEP_DONE,
                Verb.BOOK_CANCEL, Verb.BOOK_NO_SHOW, Verb.REQUEST_ACCEPT, Verb.REQUEST_DONE,
                Verb.REQUEST_DECLINE, Verb.REFILE_MENU, Verb.RETRACT_SURE)


async def chain_with_la_guest(bot: BotUnderTest) -> dict[str, LocalUser]:
    """LA: a guest with an allergy who arrived (a checklist, a kitchen alert, a visit), a lead's
    private note, a booking and a request to housekeeping; Shanghai: the intruders."""
    if hasattr(bot, "people"):
        return bot.people  # type: ignore[no-any-return]
    ana = await bot.join("waiter", "la", name="Ana", language="en")
    mei = await bot.join("lead", "la", name="Mei", language="en")
    await bot.join("kitchen", "la", name="Chen", language="en")
    await guest_with(bot, "王先生", (Category.ALLERGY, "花生过敏"))
    await bot.send(ana, "/arrive 王先生 table 12")
    await bot.send(mei, "/note 王先生: 🔒 喜欢后门")
    await bot.send(ana, "/note 王先生: window seat")
    await bot.send(mei, "/book 王先生 tomorrow 19:00")
    await bot.send(ana, "/request 王先生: extra towels")
    people = {"ana": ana, "mei": mei,
              "sh waiter": await bot.join("waiter", "sh", language="en"),
              "sh lead": await bot.join("lead", "sh", language="en"),
              "sh kitchen": await bot.join("kitchen", "sh", language="en"),
              "la kitchen": await bot.join("kitchen", "la", name="Ming", language="en")}
    bot.people = people  # type: ignore[attr-defined]
    return people


def watched_rows(conn: Conn) -> dict[str, list[tuple[object, ...]]]:
    return {table: [tuple(row) for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1")]
            for table in WATCHED}


async def press_signed(bot: BotUnderTest, user: LocalUser, data: str) -> str:
    """Press `data`, signed for the user's own chat; everything the user was shown."""
    signer = bot.app.bot.signer
    assert signer is not None
    [hello] = [m for m in bot.messages(user)][-1:] or await bot.send(user, "/help")
    marks = len(bot.api.outbox)
    await bot.deliver(bot.callback_update(user, hello, signer.sign(user.id, data)))
    return "\n".join(str(getattr(event, "text", "")) for event in bot.api.outbox[marks:]
                     if getattr(event, "chat_id", None) == user.id)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(intruder=st.sampled_from(["sh waiter", "sh lead", "sh kitchen"]),
       verb=st.sampled_from(ACTING_VERBS), target=st.integers(min_value=0, max_value=12))
async def test_presses_from_another_branch_change_nothing_and_show_no_guest_text(
    bot: BotUnderTest, intruder: str, verb: Verb, target: int,
) -> None:
    people = await chain_with_la_guest(bot)
    if verb in (Verb.RETRACT, Verb.RETRACT_SURE):  # what a card shows, its reader may retract
        staff = await bot.core.staff.by_telegram_id(people[intruder].id)
        card = await bot.core.guests.card(1, viewer=staff)
        assume(target not in {trait.id for trait in card.traits})
    before = await bot.core.db.read(watched_rows)

    shown = await press_signed(bot, people[intruder], pack(verb, target))

    assert await bot.core.db.read(watched_rows) == before
    assert [text for text in GUEST_TEXTS if text in shown] == []


async def test_a_rating_for_a_visit_of_another_branch_is_refused(bot: BotUnderTest) -> None:
    people = await chain_with_la_guest(bot)
    before = await bot.core.db.read(watched_rows)
    for score in (1, 5):
        await press_signed(bot, people["sh waiter"], pack(Verb.RATE, 1, score))
    assert await bot.core.db.read(watched_rows) == before


async def test_a_colleague_cannot_undo_or_hide_a_note_of_someone_else(bot: BotUnderTest) -> None:
    people = await chain_with_la_guest(bot)
    [lead_batch, waiter_batch] = await bot.core.db.read(lambda conn: [
        row[0] for row in conn.execute("SELECT id FROM note_batches ORDER BY id")][-2:])
    before = await bot.core.db.read(watched_rows)

    for verb in (Verb.UNDO, Verb.PRIVATE):
        await press_signed(bot, people["ana"], pack(verb, lead_batch))
        await press_signed(bot, people["la kitchen"], pack(verb, waiter_batch))
    assert await bot.core.db.read(watched_rows) == before

    await press_signed(bot, people["mei"], pack(Verb.UNDO, waiter_batch))  # a lead may
    assert await bot.core.db.read(watched_rows) != before


async def test_only_the_department_handles_a_request_and_the_kitchen_only_its_alert(
    bot: BotUnderTest,
) -> None:
    people = await chain_with_la_guest(bot)
    request_id = await bot.core.db.read(lambda conn: conn.execute(
        "SELECT id FROM requests WHERE text LIKE '%towels%'").fetchone()[0])
    before = await bot.core.db.read(watched_rows)

    for verb in (Verb.REQUEST_ACCEPT, Verb.REQUEST_DONE, Verb.REQUEST_DECLINE):
        shown = await press_signed(bot, people["la kitchen"], pack(verb, request_id))
        assert "towels" not in shown
    await press_signed(bot, people["ana"], pack(Verb.ALLERGY_SEEN, 1))
    assert await bot.core.db.read(watched_rows) == before

    await press_signed(bot, people["la kitchen"], pack(Verb.ALLERGY_SEEN, 1))
    assert await bot.core.db.read(watched_rows) != before


async def test_only_the_author_or_a_lead_files_a_trait_again(bot: BotUnderTest) -> None:
    people = await chain_with_la_guest(bot)
    allergy = await bot.core.db.read(lambda conn: conn.execute(
        "SELECT id FROM traits WHERE text = '花生过敏'").fetchone()[0])
    before = await bot.core.db.read(watched_rows)

    for intruder in ("la kitchen", "sh lead", "sh waiter"):  # Ana wrote it, Mei leads LA
        shown = await press_signed(bot, people[intruder], pack(Verb.REFILE, allergy, "dislike"))
        shown += await press_signed(bot, people[intruder], pack(Verb.REFILE_MENU, allergy))
        assert "花生" not in shown
    assert await bot.core.db.read(watched_rows) == before

    await press_signed(bot, people["mei"], pack(Verb.REFILE, allergy, "dislike"))  # a lead may
    assert await bot.core.db.read(watched_rows) != before
