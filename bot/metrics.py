"""The bot's figures for Prometheus, one registry per Application (tests run several)."""

from __future__ import annotations

from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from telegram import Update

# a reply within 50 ms is usual here; a chart holds others up to ~200 ms
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.updates = Counter("guestcard_updates", "Telegram updates handled, by command",
                               ["command"], registry=self.registry)
        self.reply_seconds = Histogram(
            "guestcard_reply_seconds", "Time from receiving an update to having answered it",
            ["command"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.search_seconds = Histogram(
            "guestcard_search_seconds", "Time to answer a guest search (/find, a plain "
            "message, inline)", buckets=LATENCY_BUCKETS, registry=self.registry)
        self.sweep_seconds = Histogram("guestcard_sweep_seconds", "Duration of one sweep",
                                       buckets=LATENCY_BUCKETS, registry=self.registry)
        self.sweep_lag = Gauge("guestcard_sweep_lag_seconds",
                               "Seconds since the last sweep finished", registry=self.registry)
        self.outbox_due = Gauge("guestcard_outbox_due", "Outbox messages due and not sent",
                                registry=self.registry)
        self.outbox_oldest = Gauge("guestcard_outbox_oldest_due_seconds",
                                   "Age of the oldest due outbox message",
                                   registry=self.registry)
        self.retried = Gauge("guestcard_deliveries_retried",
                             "Outbox messages that needed more than one attempt",
                             registry=self.registry)
        self.failed = Gauge("guestcard_deliveries_failed", "Outbox messages given up",
                            registry=self.registry)
        self.api_calls = Counter("guestcard_api_calls", "HTTP API calls, by route and status",
                                 ["route", "status"], registry=self.registry)
        self.last_sweep: datetime | None = None


def command_of(update: object) -> str:
    """The label an update is counted under: the command's name, `text` for a plain message
    (a quick search), `button`, `inline`, else `other`; never what was typed after it."""
    if not isinstance(update, Update):
        return "other"
    if update.callback_query is not None:
        return "button"
    if update.inline_query is not None:
        return "inline"
    message = update.effective_message
    text = message.text if message is not None else None
    if not text:
        return "other"
    if not text.startswith("/"):
        return "text"
    name = text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() if len(text) > 1 else ""
    return name if name.isascii() and name.replace("_", "").isalnum() and len(name) <= 32 \
        else "unknown"


SEARCHES = frozenset({"find", "text", "inline"})


def observe_update(metrics: Metrics, update: object, seconds: float) -> None:
    command = command_of(update)
    metrics.updates.labels(command).inc()
    metrics.reply_seconds.labels(command).observe(seconds)
    if command in SEARCHES:
        metrics.search_seconds.observe(seconds)
