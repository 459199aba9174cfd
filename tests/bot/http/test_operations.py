"""Telegram's webhook on the API's server, /healthz and /metrics."""

from datetime import timedelta

import httpx
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.routing import Route

from bot.http.telegram import SECRET_HEADER, TelegramWebhook
from bot.scheduler import tick
from playbooks.outbox import Outgoing
from tests.bot.http.conftest import HOOK, Api


async def test_an_update_is_answered_once_handled_and_refused_without_the_secret(
    api: Api,
) -> None:
    waiter = await api.bot.join("waiter", language="en")
    update = api.bot.message_update(waiter, "/new Anna Lee").to_dict()

    refused = await api.client.post("/tg", json=update, headers={SECRET_HEADER: "wrong"})
    assert refused.status_code == 403
    assert await api.bot.core.search.find("Anna", branch=None) == []

    answered = await api.client.post("/tg", json=update, headers={SECRET_HEADER: HOOK.secret})
    assert answered.status_code == 200
    assert "Anna Lee" in api.bot.last(waiter).text  # replied (and saved) before the 200
    assert len(await api.bot.core.search.find("Anna", branch=None)) == 1


async def test_an_update_not_handled_in_time_is_an_error_and_its_retry_doubles_nothing(
    api: Api,
) -> None:
    waiter = await api.bot.join("waiter", language="en")
    hook = TelegramWebhook(api.bot.app, "s", timeout=0)
    app = Starlette(routes=[Route("/tg", hook.receive, methods=["POST"])])
    update = api.bot.message_update(waiter, "/new Anna Lee").to_dict()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        late = await client.post("/tg", json=update, headers={SECRET_HEADER: "s"})
        hook.timeout = 5
        retried = await client.post("/tg", json=update, headers={SECRET_HEADER: "s"})

    assert (late.status_code, retried.status_code) == (503, 200)
    assert len(await api.bot.core.search.find("Anna", branch=None)) == 1


async def test_healthz_turns_unhealthy_when_the_sweep_stops_or_the_outbox_lags(
    api: Api,
) -> None:
    bot = api.bot
    before = await api.client.get("/healthz")
    assert before.status_code == 503 and before.json()["reasons"] == ["no sweep has run yet"]

    await tick(bot.app.bot, bot.core, bot.app.bot_data.metrics)
    assert (await api.client.get("/healthz")).status_code == 200

    bot.clock.advance(seconds=61)
    stopped = await api.client.get("/healthz")
    assert stopped.status_code == 503
    assert stopped.json()["reasons"] == ["the last sweep ran 61 s ago"]

    await tick(bot.app.bot, bot.core, bot.app.bot_data.metrics)
    await bot.core.outbox.put([Outgoing(key="stuck", kind="nobody-renders-this", chat_id=1,
                                        not_before=bot.clock() - timedelta(minutes=11))],
                              bot.clock())
    lagging = await api.client.get("/healthz")
    assert lagging.status_code == 503
    assert lagging.json()["reasons"] == ["the oldest due message has waited 660 s"]


async def test_metrics_are_prometheus_text_with_updates_latency_and_the_outbox(
    api: Api,
) -> None:
    bot = api.bot
    waiter = await bot.join("waiter", language="en")
    await bot.send(waiter, "/find wang")
    await bot.send(waiter, "wang")
    await tick(bot.app.bot, bot.core, bot.app.bot_data.metrics)

    response = await api.client.get("/metrics")

    assert response.status_code == 200
    families = {f.name: f for f in text_string_to_metric_families(response.text)}
    updates = {s.labels["command"]: s.value for s in families["guestcard_updates"].samples
               if s.name == "guestcard_updates_total"}
    assert updates["find"] == 1 and updates["text"] == 1 and updates["start"] >= 1
    searches = [s for s in families["guestcard_search_seconds"].samples
                if s.name == "guestcard_search_seconds_count"]
    assert searches[0].value == 2
    for name in ("guestcard_reply_seconds", "guestcard_outbox_due",
                 "guestcard_outbox_oldest_due_seconds", "guestcard_deliveries_retried",
                 "guestcard_deliveries_failed", "guestcard_sweep_seconds",
                 "guestcard_sweep_lag_seconds"):
        assert name in families, name
