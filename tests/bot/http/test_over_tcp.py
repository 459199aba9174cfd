"""The API through uvicorn on a local port: the server `guestcard run --listen` starts."""

import asyncio
import socket

import httpx
import uvicorn

from bot.http.server import http_app
from profiles.models import Role
from tests.bot.http.conftest import Api, auth


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_stay_and_the_card_over_a_real_socket(api: Api) -> None:
    key = await api.key("pms", role=Role.MANAGER)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(
        http_app(api.bot.app, api.bot.core), host="127.0.0.1", port=port, log_config=None,
        lifespan="off"))
    serving = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(10):
            while not server.started:  # the socket is bound once `started` is set
                await asyncio.sleep(0.01)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            stay = await client.put("/api/v1/stays/S-1", headers=auth(key), json={
                "guest": {"source_id": "G-1", "name": "Anna Lee", "phone": "+12135550142"},
                "room": "1203", "arrival": "2026-11-22", "departure": "2026-11-24"})
            card = await client.get("/api/v1/guests/G-1/card", headers=auth(key))
            health = await client.get("/healthz")
    finally:
        server.should_exit = True
        await serving

    assert stay.status_code == 201
    assert card.json()["guest"]["phone"] == "+12135550142"  # a manager's key sees it whole
    assert card.json()["visits"] == 1
    assert health.status_code == 503  # no sweep has run in this test
