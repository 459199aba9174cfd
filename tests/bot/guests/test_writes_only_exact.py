"""Property: whatever a write command's reference, it changes no guest the reference did not
name exactly (#id, the whole phone, the name or whole words of it one guest has, the whole
name in pinyin), unless a person chose that guest with a button. A homophone (汪 for 王), a
typo, a prefix or the last digits of a phone are only ever offered."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.signing import SEPARATOR
from bot.terminal.api import LocalUser, SentMessage
from store.sql import Conn
from tests.bot.conftest import BotUnderTest

GUESTS = (("anna", "Anna Lee", "+1 213 555 0123"), ("hanna", "Hanna Lee", None),
          ("zor", "Quixabel Zorander", None), ("wang", "王先生", "138 0013 8000"),
          ("zhang", "张伟", None))
# each reference with the guests it names exactly (by key; "#" + key is that guest's #id)
REFERENCES: tuple[tuple[str, set[str]], ...] = (
    ("Anna Lee", {"anna"}), ("ANNA LEE", {"anna"}), ("Anne Lee", set()), ("Hanna Lee", {"hanna"}),
    ("Lee", set()), ("Hana Lee", set()), ("Zorander", {"zor"}), ("Quixabel Zorander", {"zor"}),
    ("Zoran", set()), ("Zorandr", set()), ("quix", set()), ("0123", set()),
    ("213-555-0123", {"anna"}), ("(213) 555-0123", {"anna"}), ("汪先生", set()),
    ("王先生", {"wang"}), ("138 0013 8000", {"wang"}), ("8000", set()), ("wang", {"wang"}),
    ("wangxiansheng", {"wang"}), ("zhangwei", {"zhang"}),
    ("章伟", set()), ("张伟", {"zhang"}), ("zhang", set()), ("#anna", {"anna"}),
    ("#wang", {"wang"}), ("#zor", {"zor"}), ("#999", set()),
)
COMMANDS = ("/feedback {} 4 fine", "/feedback {} 1 cold soup", "/tag {} gold", "/tag {} key",
            "/consent {} yes", "/consent {} no", "/note {}: window seat", "/arrive {}",
            "/leave {}", "/phone {} +1 213 555 0177")


async def chain(bot: BotUnderTest) -> tuple[LocalUser, dict[str, int]]:
    if hasattr(bot, "chain"):
        return bot.chain  # type: ignore[no-any-return]
    lead = await bot.join("lead", language="en")
    ids = {}
    for key, name, phone in GUESTS:
        guest = await bot.core.guests.create(name, phone, branch="la", staff_id=None,
                                             region="US", now=bot.clock())
        ids[key] = guest.id
    bot.chain = (lead, ids)  # type: ignore[attr-defined]
    return lead, ids


def guest_state(conn: Conn) -> dict[int, tuple[object, ...]]:
    """Everything a command could change about each guest."""
    state: dict[int, list[object]] = {}
    for guest_id, *row in conn.execute(
            "SELECT id, name, honorific, tier, segment, phone, consent_at FROM guests"):
        state[guest_id] = [tuple(row)]
    for table, columns in (("traits", "id, text, retracted_at"), ("visits", "id, left_at"),
                           ("feedback", "id, score, comment")):
        for guest_id, *row in conn.execute(f"SELECT guest_id, {columns} FROM {table} ORDER BY id"):
            state.setdefault(guest_id, []).append((table, *row))
    return {guest_id: tuple(rows) for guest_id, rows in state.items()}


def chosen_guest(messages: list[SentMessage], press: int | None) -> tuple[SentMessage, str] | None:
    """The button `press` picks among those the reply offers, if any."""
    buttons = [(m, b.callback_data) for m in messages for row in m.buttons for b in row
               if b.callback_data]
    if press is None or not buttons:
        return None
    message, data = buttons[press % len(buttons)]
    return message, data


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(command=st.sampled_from(COMMANDS), reference=st.sampled_from(REFERENCES),
       press=st.none() | st.integers(min_value=0, max_value=7))
async def test_a_write_touches_only_the_guest_named_exactly_or_chosen(
    bot: BotUnderTest, command: str, reference: tuple[str, set[str]], press: int | None,
) -> None:
    lead, ids = await chain(bot)
    text, exact = reference
    if text.startswith("#") and text[1:] in ids:
        text = f"#{ids[text[1:]]}"
    allowed = {ids[key] for key in exact}
    before = await bot.core.db.read(guest_state)
    replies = await bot.send(lead, command.format(text))
    picked = chosen_guest(replies, press)
    if picked is not None:
        message, data = picked
        signed_part = data.partition(SEPARATOR)[0]
        last = signed_part.rsplit(":", 1)[-1]
        if last.isdigit():
            allowed.add(int(last))  # a person chose this one (or opened its card)
        await bot.press(lead, message, next(b for row in message.buttons for b in row
                                            if b.callback_data == data))
    after = await bot.core.db.read(guest_state)
    changed = {guest_id for guest_id in ids.values() if before.get(guest_id) != after.get(guest_id)}
    assert changed <= allowed, f"{command.format(text)!r} changed {changed}, allowed {allowed}"
