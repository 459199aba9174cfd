"""Outbound webhooks: the outbox's `webhook` messages POSTed, signed, to the chain's URL.

The "renderer" of the kind does the POST itself and returns nothing for Telegram to send, so
the outbox marks it done; a failure raises as a failed send would, so the outbox retries it
with backoff (timeouts, 5xx, 429) or gives it up (any other refusal).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

import httpx
from telegram.error import BadRequest, NetworkError

from bot.delivery import Rendered, Renderer
from bot.state import Core
from playbooks.outbound import KIND
from playbooks.outbox import Delivery

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Guestcard-Signature"
TIMEOUT = httpx.Timeout(10.0)


def signature(secret: str, body: bytes) -> str:
    """`sha256=` and the hex HMAC-SHA256 of the exact body bytes, keyed with the secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def post(core: Core, delivery: Delivery, language: str) -> Rendered | None:
    url, secret = core.settings.webhooks.url, core.settings.outbound_secret
    if url is None or secret is None:
        raise BadRequest("webhooks are no longer configured")
    body = json.dumps({**delivery.payload, "delivery": delivery.key}, sort_keys=True).encode()
    headers = {"Content-Type": "application/json", "X-Guestcard-Event": str(
        delivery.payload.get("event")), "X-Guestcard-Delivery": delivery.key,
        SIGNATURE_HEADER: signature(secret.get_secret_value(), body)}
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            response = await client.post(url, content=body, headers=headers)
    except httpx.HTTPError as error:
        raise NetworkError(f"webhook {delivery.key}: {type(error).__name__}") from error
    if response.status_code >= 500 or response.status_code in (408, 429):
        raise NetworkError(f"webhook {delivery.key}: HTTP {response.status_code}")
    if response.status_code >= 300:
        raise BadRequest(f"webhook {delivery.key}: refused with HTTP {response.status_code}")
    return None


RENDERERS: dict[str, Renderer] = {KIND: post}
