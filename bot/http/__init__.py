"""The HTTP side of the process: the integrations' API, Telegram's webhook, health, metrics."""
