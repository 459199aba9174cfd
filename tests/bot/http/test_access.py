"""Who may call the API, how much, and what a wrong call is told; every call audited."""

import pytest

from playbooks.feeds.keys import ApiKeys, Scope
from tests.bot.http.conftest import Api, auth

GUEST = {"name": "Anna Lee"}


@pytest.mark.parametrize("header", [
    {}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic Zm9vOmJhcg=="},
    {"Authorization": "Bearer gc_000000000000_forged"},
])
async def test_calls_without_a_live_key_are_refused(api: Api, header: dict[str, str]) -> None:
    response = await api.client.put("/api/v1/guests/G-1", json=GUEST, headers=header)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_key_with_a_wrong_secret_after_its_prefix_is_refused(api: Api) -> None:
    key = await api.key()
    response = await api.client.put("/api/v1/guests/G-1", json=GUEST,
                                    headers=auth(key[:-4] + "AAAA"))
    assert response.status_code == 401


async def test_a_revoked_key_stops_working_at_once(api: Api) -> None:
    key = await api.key("pms")
    assert (await api.client.put("/api/v1/guests/G-1", json=GUEST,
                                 headers=auth(key))).status_code == 201
    await ApiKeys(api.bot.core.db).revoke("pms", now=api.bot.clock())
    response = await api.client.put("/api/v1/guests/G-1", json=GUEST, headers=auth(key))
    assert response.status_code == 401


async def test_a_key_acts_only_for_its_branch_and_scopes(api: Api) -> None:
    key = await api.key("pos", scopes=frozenset({Scope.CHECKS}))
    check = {"guest": {"name": "Anna Lee"}, "spend": "10", "currency": "USD",
             "at": "2026-11-22T11:00:00Z", "branch": "sh"}
    elsewhere = await api.client.put("/api/v1/checks/T-1", json=check, headers=auth(key))
    assert elsewhere.status_code == 403
    assert "'la', not 'sh'" in elsewhere.json()["detail"]
    unscoped = await api.client.put("/api/v1/guests/G-1", json=GUEST, headers=auth(key))
    assert unscoped.status_code == 403 and "'guests'" in unscoped.json()["detail"]
    assert await api.bot.core.search.find("Anna", branch=None) == []


@pytest.mark.parametrize(("body", "field"), [
    ({"guest": {"name": "Anna"}, "room": "1203", "arrival": "2026-11-22"}, "departure"),
    ({"guest": {"name": "Anna"}, "room": "", "arrival": "2026-11-22",
      "departure": "2026-11-23"}, "room"),
    ({"guest": {"name": "Anna", "phone": "call me"}, "room": "1203",
      "arrival": "2026-11-22", "departure": "2026-11-23"}, "guest.phone"),
    ({"guest": {"name": "Anna"}, "room": "1203", "arrival": "2026-11-24",
      "departure": "2026-11-23"}, "departure"),
    ({"guest": "Anna", "room": "1203", "arrival": "2026-11-22", "departure": "2026-11-23"},
     "guest"),
])
async def test_a_malformed_body_is_a_problem_naming_the_field_and_writes_nothing(
    api: Api, body: dict[str, object], field: str,
) -> None:
    key = await api.key()
    response = await api.client.put("/api/v1/stays/S-1", json=body, headers=auth(key))

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]]
    assert await api.bot.core.search.find("Anna", branch=None) == []


async def test_a_body_that_is_not_json_is_a_problem(api: Api) -> None:
    key = await api.key()
    response = await api.client.put("/api/v1/guests/G-1", content=b"{name:",
                                    headers=auth(key))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body"


async def test_each_key_is_held_to_its_rate(api: Api) -> None:
    key, other = await api.key("pms"), await api.key("pos")
    rate = api.bot.core.settings.api.rate_per_minute
    for n in range(rate):
        await api.client.put(f"/api/v1/guests/G-{n}", json=GUEST, headers=auth(key))
    limited = await api.client.put("/api/v1/guests/G-x", json=GUEST, headers=auth(key))
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert (await api.client.put("/api/v1/guests/G-x", json=GUEST,
                                 headers=auth(other))).is_success
    api.ticks.now += 60
    assert (await api.client.put("/api/v1/guests/G-y", json=GUEST,
                                 headers=auth(key))).is_success


async def test_every_call_is_audited_under_its_key(api: Api) -> None:
    key = await api.key("pms")
    await api.client.put("/api/v1/guests/G-1", json=GUEST, headers=auth(key))
    await api.client.put("/api/v1/stays/S-1", json={}, headers=auth(key))
    keys = ApiKeys(api.bot.core.db)
    [listed] = await keys.listed()
    assert await keys.calls(listed.id) == [
        ("CLI", "api-key create", 201), ("PUT", "/api/v1/guests/G-1", 201),
        ("PUT", "/api/v1/stays/S-1", 422)]


async def test_the_openapi_document_lists_every_call(api: Api) -> None:
    document = (await api.client.get("/api/v1/openapi.json")).json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/guests/{source_id}", "/guests/{source_id}/card", "/bookings/{source_id}",
        "/stays/{source_id}", "/stays/{source_id}/room", "/stays/{source_id}/checkout",
        "/checks/{source_id}"}
    assert "StayIn" in document["components"]["schemas"]


@pytest.mark.parametrize(("body", "field"), [
    ({"guest": {"name": "Anna"}, "at": "2026-11-23T19:00:00"}, "at"),  # no time zone
    ({"guest": {"name": "Anna"}, "at": "tomorrow"}, "at"),
    ({"guest": {"name": "Anna"}, "at": "2026-11-23T19:00:00Z", "party": 0}, "party"),
])
async def test_a_booking_time_without_its_zone_is_refused(
    api: Api, body: dict[str, object], field: str,
) -> None:
    key = await api.key()
    response = await api.client.put("/api/v1/bookings/B-1", json=body, headers=auth(key))
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]


@pytest.mark.parametrize(("spend", "currency"), [("-1", "USD"), ("1.005", "USD"),
                                                 ("10", "usd"), ("ten", "USD")])
async def test_a_check_with_an_impossible_spend_is_refused(
    api: Api, spend: str, currency: str,
) -> None:
    key = await api.key()
    check = {"guest": {"name": "Anna"}, "spend": spend, "currency": currency,
             "at": "2026-11-22T11:00:00Z"}
    response = await api.client.put("/api/v1/checks/T-1", json=check, headers=auth(key))
    assert response.status_code == 422, response.text
    assert await api.bot.core.search.find("Anna", branch=None) == []
