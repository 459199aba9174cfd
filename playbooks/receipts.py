"""Receipts: the one message that tells whoever started something what became of it.

It is queued in the outbox with the act, so its chat message is known, and redrawn in place
(`outbox.redraw`) as the loop closes (the kitchen has seen the allergy) instead of a new
message each time.
"""

from __future__ import annotations

ARRIVAL = "arrival.receipt"
ARRIVAL_REDRAW = "arrival.redraw"


def arrival_key(occurrence: str) -> str:
    """The outbox key of an arrival's receipt, from the arrival event's subject."""
    return f"{ARRIVAL}:{occurrence}"
