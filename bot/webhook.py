"""Webhook mode: Telegram posts updates to us (behind a TLS reverse proxy) instead of polling."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import urlsplit


class WebhookError(ValueError):
    """The webhook URL or listen address cannot be used."""


@dataclass(frozen=True)
class Webhook:
    url: str  # the public https URL Telegram posts to (the proxy's)
    host: str  # where this process listens, behind the proxy
    port: int
    secret: str

    @property
    def path(self) -> str:
        return urlsplit(self.url).path.lstrip("/")


def webhook_from(url: str, listen: str, *, secret: str | None, token: str) -> Webhook:
    """Check the command-line values; the secret defaults to one derived from the token, so
    every process of one bot behind the same proxy checks the same secret."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise WebhookError(f"--webhook needs a full URL (https://bot.example.com/tg), not {url!r}")
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise WebhookError(f"--listen needs HOST:PORT such as 127.0.0.1:8443, not {listen!r}")
    return Webhook(url=url, host=host, port=int(port), secret=secret or derived_secret(token))


def derived_secret(token: str) -> str:
    # Telegram allows 1-256 characters of [A-Za-z0-9_-] in the secret token header
    return hashlib.sha256(f"guestcard-webhook:{token}".encode()).hexdigest()
