"""Who is calling the API: the bearer key, its scope and branch, and its rate."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.requests import Request

from bot.http.problems import Problem
from playbooks.feeds.keys import ApiKey, ApiKeys, Scope

Monotonic = Callable[[], float]


@dataclass
class RateLimiter:
    """A token bucket per key: `per_minute` calls, a burst of as many."""

    per_minute: int
    clock: Monotonic = time.monotonic
    _buckets: dict[int, tuple[float, float]] = field(default_factory=dict)

    def take(self, key_id: int) -> float:
        """0 when the call may go ahead, else the seconds until it may."""
        now = self.clock()
        tokens, at = self._buckets.get(key_id, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - at) * self.per_minute / 60)
        if tokens < 1:
            self._buckets[key_id] = (tokens, now)
            return (1 - tokens) * 60 / self.per_minute
        self._buckets[key_id] = (tokens - 1, now)
        return 0.0


async def caller(request: Request, keys: ApiKeys, limiter: RateLimiter, scope: Scope) -> ApiKey:
    """The key behind `request`, allowed `scope`; else a Problem (401, 403, 429). The key is
    kept on the request so that the audit names it."""
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    key = await keys.authenticate(secret.strip()) if scheme.lower() == "bearer" else None
    if key is None:
        raise Problem(401, "Unauthorized", "send a live key: Authorization: Bearer gc_…",
                      headers={"WWW-Authenticate": "Bearer"})
    request.state.api_key = key
    wait = limiter.take(key.id)
    if wait:
        raise Problem(429, "Too many requests", f"this key may call again in {wait:.1f} s",
                      headers={"Retry-After": str(max(1, round(wait)))})
    if scope not in key.scopes:
        raise Problem(403, "Forbidden", f"this key has no {scope.value!r} scope")
    return key


def require_branch(key: ApiKey, branch: str | None) -> str:
    """The branch a call acts on: the key's own; another one named in the body is refused."""
    if branch is not None and branch != key.branch:
        raise Problem(403, "Forbidden", f"this key is for branch {key.branch!r}, not {branch!r}")
    return key.branch
