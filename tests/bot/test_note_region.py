"""A note is read as its writer's branch writes dates: 7/2 is 2 July in Los Angeles, 7 February
in Hong Kong."""

from pathlib import Path

import pytest

from bot.settings import Settings, load_settings
from profiles.models import Category
from tests.bot.conftest import CONFIG, BotUnderTest


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The shipped chain, its Shanghai branch writing dates day first as Hong Kong does."""
    config = tmp_path / "config.toml"
    config.write_text(CONFIG.read_text("utf-8").replace('phone_region = "CN"',
                                                        'phone_region = "HK"'), "utf-8")
    return load_settings({"GUESTCARD_CONFIG": str(config),
                          "GUESTCARD_DB": str(tmp_path / "test.db")})


async def test_a_numeric_date_in_a_note_reads_as_the_writers_branch_writes_it(
    bot: BotUnderTest,
) -> None:
    la = await bot.join("waiter", "la", language="en")
    hk = await bot.join("waiter", "sh", language="en")
    for name, writer in (("Smith", la), ("Chan", hk)):
        guest = await bot.guest(name)
        await bot.send(writer, f"/note #{guest.id}: birthday 7/2")
    found = []
    for guest_id in (1, 2):
        card = await bot.core.guests.card(guest_id)
        [occasion] = [t for t in card.traits if t.category is Category.OCCASION]
        found.append((occasion.attrs["month"], occasion.attrs["day"]))
    assert found == [(7, 2), (2, 7)]


async def test_occasion_reads_a_day_first_date_where_the_branch_writes_it_so(
    bot: BotUnderTest,
) -> None:
    hk = await bot.join("waiter", "sh", language="en")
    guest = await bot.guest("Chan", "sh", region="HK")
    [saved] = await bot.send(hk, f"/occasion #{guest.id}: birthday 25/12")
    assert saved.text.startswith("🎉 Saved"), saved.text  # not "“25/12” is not a date"
    card = await bot.core.guests.card(guest.id)
    [occasion] = [t for t in card.traits if t.category is Category.OCCASION]
    assert (occasion.attrs["month"], occasion.attrs["day"]) == (12, 25)
