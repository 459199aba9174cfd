"""The integrations' API over HTTP against the running Application and its core."""

from datetime import timedelta

from bot.briefs.reminders import branch_day_of
from tests.bot.conftest import BotUnderTest
from tests.bot.http.conftest import Api, auth

STAY = {"guest": {"source_id": "G-77", "name": "王先生", "phone": "+8613800138000"},
        "room": "1203", "arrival": "2026-11-22", "departure": "2026-11-25"}
CHECK = {"guest": {"phone": "+8613800138000"}, "table": "12", "covers": 2,
         "spend": "88.50", "currency": "USD", "at": "2026-11-22T11:30:00+00:00"}


async def test_a_check_in_lets_a_cleaner_relay_a_request_by_room(api: Api) -> None:
    bot: BotUnderTest = api.bot
    key = await api.key()
    cleaner = await bot.join("housekeeping", name="Lily", language="en")
    mei = await bot.join("lead", name="Mei", language="en")

    response = await api.client.put("/api/v1/stays/S-1", json=STAY, headers=auth(key))

    assert response.status_code == 201, response.text
    assert response.json()["visit"]["room_no"] == "1203"
    [receipt] = await bot.send(cleaner, "/request room 1203: the cashier forgot the discount")
    assert receipt.text.startswith("📨 R1 for room 1203 went to Guest services (Mei)")
    assert bot.last(mei).text.splitlines()[1] == f"room 1203 · 王先生 #{response.json()['guest_id']}"


async def test_a_stay_sent_twice_is_one_visit_and_a_new_room_is_a_move(api: Api) -> None:
    key = await api.key()
    first = await api.client.put("/api/v1/stays/S-1", json=STAY, headers=auth(key))
    again = await api.client.put("/api/v1/stays/S-1", json=STAY, headers=auth(key))
    moved = await api.client.put("/api/v1/stays/S-1/room", json={"room": "1410"},
                                 headers=auth(key))

    assert (first.status_code, again.status_code, moved.status_code) == (201, 200, 200)
    assert again.json()["visit"]["id"] == first.json()["visit"]["id"]
    assert moved.json()["visit"]["room_no"] == "1410"
    visits = await api.bot.core.visits.for_guest(first.json()["guest_id"])
    assert [(v.room_no, v.left_at) for v in visits] == [("1410", None)]

    api.bot.clock.advance(days=3)
    out = await api.client.post("/api/v1/stays/S-1/checkout", headers=auth(key))
    out_again = await api.client.post("/api/v1/stays/S-1/checkout", headers=auth(key))
    assert out.status_code == out_again.status_code == 200
    assert out.json()["visit"]["left_at"] == out_again.json()["visit"]["left_at"] is not None


async def test_a_booking_is_created_changed_replayed_and_cancelled_by_its_source_id(
    api: Api,
) -> None:
    key = await api.key("resy")
    booking = {"guest": {"source_id": "C-9", "name": "Anna Lee"},
               "at": "2026-11-23T19:00:00+00:00", "party": 4}
    made = await api.client.put("/api/v1/bookings/B-1", json=booking, headers=auth(key))
    replay = await api.client.put("/api/v1/bookings/B-1", json=booking, headers=auth(key))
    changed = await api.client.put("/api/v1/bookings/B-1", json={**booking, "party": 6},
                                   headers=auth(key))
    cancelled = await api.client.delete("/api/v1/bookings/B-1", headers=auth(key))
    cancelled_again = await api.client.delete("/api/v1/bookings/B-1", headers=auth(key))

    assert [r.status_code for r in (made, replay, changed, cancelled, cancelled_again)] == [
        201, 200, 200, 200, 200]
    assert replay.json()["booking"]["id"] == made.json()["booking"]["id"]
    assert changed.json()["booking"]["party"] == 6
    assert cancelled_again.json()["booking"]["status"] == "cancelled"
    missing = await api.client.delete("/api/v1/bookings/B-404", headers=auth(key))
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


async def test_pos_checks_give_visits_and_average_spend_on_the_card(api: Api) -> None:
    key = await api.key("pos")
    guest = await api.client.put("/api/v1/guests/G-77", json={
        "name": "王先生", "phone": "+8613800138000"}, headers=auth(key))
    first = await api.client.put("/api/v1/checks/T-1", json=CHECK, headers=auth(key))
    replay = await api.client.put("/api/v1/checks/T-1", json=CHECK, headers=auth(key))
    second = await api.client.put("/api/v1/checks/T-2", json={
        **CHECK, "spend": "31.50", "at": "2026-11-21T19:00:00+00:00"}, headers=auth(key))

    assert [r.status_code for r in (guest, first, replay, second)] == [201, 201, 200, 201]
    assert {first.json()["guest_id"], second.json()["guest_id"]} == {guest.json()["guest_id"]}
    card = await api.client.get("/api/v1/guests/G-77/card", headers=auth(key))
    assert card.status_code == 200
    assert (card.json()["visits"], card.json()["checks"], card.json()["average_spend"]) == (
        2, 2, {"USD": "60.00"})
    assert card.json()["guest"]["phone"] == "…8000"  # a waiter's key sees the last digits
    [viewed] = [entry for entry in await api.bot.core.audit.for_guest(guest.json()["guest_id"])
                if entry.action == "view"]
    assert viewed.details == {"api_key": "pos"}


async def test_a_check_joins_the_visit_staff_recorded_when_the_guest_arrived(api: Api) -> None:
    key = await api.key("pos")
    guest = await api.bot.core.guests.create("Anna Lee", "+12135550142", branch="la",
                                             staff_id=None, region="US", now=api.bot.clock())
    await api.bot.core.visits.arrive(guest.id, branch="la", staff_id=None,
                                     now=api.bot.clock() - timedelta(hours=1), table="12")
    check = {**CHECK, "guest": {"phone": "+1 213 555 0142"}, "at": "2026-11-22T12:00:00Z"}
    response = await api.client.put("/api/v1/checks/T-9", json=check, headers=auth(key))

    assert response.status_code == 201, response.text
    visits = await api.bot.core.visits.for_guest(guest.id)
    assert len(visits) == 1 and visits[0].id == response.json()["visit"]["id"]


async def test_a_source_id_never_merges_two_people_silently(api: Api) -> None:
    key = await api.key("pms")
    other = await api.bot.core.guests.create("Bo Chen", "+12135550199", branch="la",
                                             staff_id=None, region="US", now=api.bot.clock())
    await api.client.put("/api/v1/guests/G-1", json={"name": "Anna Lee"}, headers=auth(key))
    response = await api.client.put("/api/v1/guests/G-1", json={
        "name": "Anna Lee", "phone": "+12135550199"}, headers=auth(key))

    assert response.status_code == 409
    assert f"#{other.id}" in response.json()["detail"]
    same_name = await api.client.put("/api/v1/guests/G-2", json={"name": "Bo Chen",
                                      "phone": "+12135550100"}, headers=auth(key))
    assert same_name.status_code == 201 and same_name.json()["guest_id"] != other.id


async def test_the_same_source_id_from_two_integrations_is_two_things(api: Api) -> None:
    pms, pos = await api.key("pms"), await api.key("pos")
    a = await api.client.put("/api/v1/guests/1", json={"name": "Anna Lee"}, headers=auth(pms))
    b = await api.client.put("/api/v1/guests/1", json={"name": "Bo Chen"}, headers=auth(pos))
    assert a.json()["guest_id"] != b.json()["guest_id"]


async def test_the_chat_card_shows_visits_and_average_spend_to_a_waiter_not_a_cleaner(
    api: Api,
) -> None:
    bot = api.bot
    key = await api.key("pos")
    made = await api.client.put("/api/v1/checks/T-1", json={
        **CHECK, "guest": {"name": "Anna Lee"}}, headers=auth(key))
    guest_id = made.json()["guest_id"]
    waiter = await bot.join("waiter", language="en")
    cleaner = await bot.join("housekeeping", language="en")

    waiter_card = "\n".join(m.text for m in await bot.send(waiter, f"/guest #{guest_id}"))
    cleaner_card = "\n".join(m.text for m in await bot.send(cleaner, f"/guest #{guest_id}"))

    assert "🧾 visits: 1 · average check USD 88.50 (of 1)" in waiter_card
    assert "🧾" not in cleaner_card


async def test_the_housekeeping_brief_follows_check_in_room_move_and_check_out(
    api: Api,
) -> None:
    bot = api.bot
    key = await api.key()
    await bot.join("housekeeping", name="Lily", language="en")
    lily = next(m for m in await bot.core.staff.in_branch("la") if m.name == "Lily")
    day = branch_day_of(bot.core.settings, "la")

    async def rooms() -> list[str | None]:
        brief = await bot.core.briefs.brief(day, bot.clock().date(), viewer=lily)
        return [entry.room_no for entry in brief.in_house]

    await api.client.put("/api/v1/stays/S-1", json=STAY, headers=auth(key))
    assert await rooms() == ["1203"]
    await api.client.put("/api/v1/stays/S-1/room", json={"room": "1410"}, headers=auth(key))
    assert await rooms() == ["1410"]
    await api.client.post("/api/v1/stays/S-1/checkout", headers=auth(key))
    assert await rooms() == []
