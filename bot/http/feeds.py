"""/api/v1: what a PMS, a POS or a reservation system sends, and the guest card it may read.

Each route is four steps like a chat handler: check the caller, parse the body, one core
call (one transaction), render JSON.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.http.access import RateLimiter, caller, require_branch
from bot.http.problems import Problem, invalid, invalid_field
from bot.state import Clock
from playbooks.feeds.feeds import BookingIn, CheckIn, FeedNotFound, Feeds, StayIn
from playbooks.feeds.keys import ApiKey, ApiKeys, Scope
from profiles.errors import GuestNotFound
from profiles.models import Frozen, Staff
from profiles.names import InvalidName
from profiles.phones import InvalidPhone
from profiles.sources import GuestData, SourceConflict, UnknownSource

M = TypeVar("M", bound=BaseModel)
MAX_BODY = 64 * 1024


class RoomMove(Frozen):
    room: str = Field(min_length=1, max_length=8)


@dataclass(frozen=True)
class FeedApi:
    keys: ApiKeys
    feeds: Feeds
    limiter: RateLimiter
    clock: Clock

    def routes(self) -> list[Route]:
        return [
            Route("/api/v1/guests/{source_id}", self.put_guest, methods=["PUT"]),
            Route("/api/v1/guests/{source_id}/card", self.card, methods=["GET"]),
            Route("/api/v1/bookings/{source_id}", self.put_booking, methods=["PUT"]),
            Route("/api/v1/bookings/{source_id}", self.cancel_booking, methods=["DELETE"]),
            Route("/api/v1/stays/{source_id}", self.check_in, methods=["PUT"]),
            Route("/api/v1/stays/{source_id}/room", self.move_room, methods=["PUT"]),
            Route("/api/v1/stays/{source_id}/checkout", self.check_out, methods=["POST"]),
            Route("/api/v1/checks/{source_id}", self.put_check, methods=["PUT"]),
        ]

    async def put_guest(self, request: Request) -> Response:
        key = await caller(request, self.keys, self.limiter, Scope.GUESTS)
        data = await body(request, GuestData)
        data = data.model_copy(update={"source_id": _source_id(request)})
        matched = await _core(self.feeds.upsert_guest(key.name, data, branch=key.branch,
                                                      now=self.clock()))
        return _json({"guest_id": matched.guest.id, "created": matched.created},
                     created=matched.created)

    async def card(self, request: Request) -> Response:
        key = await caller(request, self.keys, self.limiter, Scope.CARDS)
        seen = await _core(self.feeds.card(key.name, _source_id(request), viewer=_viewer(key),
                                           now=self.clock()))
        spend = seen.spend
        return _json({"guest": seen.card.guest.model_dump(mode="json"),
                      "traits": [t.model_dump(mode="json", exclude={"attrs", "staff_id"})
                                 for t in seen.card.traits],
                      "visits": spend.visits, "checks": spend.checks,
                      "average_spend": {c: str(a) for c, a in spend.average.items()}})

    async def put_booking(self, request: Request) -> Response:
        key = await self._key(request, Scope.BOOKINGS)
        data = await body(request, BookingIn)
        require_branch(key, data.branch)
        out = await _core(self.feeds.put_booking(key.name, _source_id(request), data,
                                                 branch=key.branch, now=self.clock()))
        return _json(out.model_dump(mode="json"), created=out.created)

    async def cancel_booking(self, request: Request) -> Response:
        key = await self._key(request, Scope.BOOKINGS)
        out = await _core(self.feeds.cancel_booking(key.name, _source_id(request),
                                                    branch=key.branch, now=self.clock()))
        return _json(out.model_dump(mode="json"))

    async def check_in(self, request: Request) -> Response:
        key = await self._key(request, Scope.STAYS)
        data = await body(request, StayIn)
        require_branch(key, data.branch)
        if data.departure < data.arrival:
            raise invalid_field("departure", "the departure is before the arrival")
        out = await _core(self.feeds.check_in(key.name, _source_id(request), data,
                                              branch=key.branch, now=self.clock()))
        return _json(out.model_dump(mode="json"), created=out.created)

    async def move_room(self, request: Request) -> Response:
        key = await self._key(request, Scope.STAYS)
        data = await body(request, RoomMove)
        out = await _core(self.feeds.move_room(key.name, _source_id(request), data.room,
                                               branch=key.branch, now=self.clock()))
        return _json(out.model_dump(mode="json"))

    async def check_out(self, request: Request) -> Response:
        key = await self._key(request, Scope.STAYS)
        out = await _core(self.feeds.check_out(key.name, _source_id(request),
                                               branch=key.branch, now=self.clock()))
        return _json(out.model_dump(mode="json"))

    async def put_check(self, request: Request) -> Response:
        key = await self._key(request, Scope.CHECKS)
        data = await body(request, CheckIn)
        require_branch(key, data.branch)
        out = await _core(self.feeds.record_check(key.name, _source_id(request), data,
                                                  branch=key.branch, now=self.clock()))
        return _json(out.model_dump(mode="json"), created=out.created)

    async def _key(self, request: Request, scope: Scope) -> ApiKey:
        return await caller(request, self.keys, self.limiter, scope)


async def body(request: Request, model: type[M]) -> M:
    """The JSON body as `model`, or a 422 problem naming the field."""
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise Problem(413, "Request body too large", f"at most {MAX_BODY} bytes")
    try:
        loaded = json.loads(raw or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise invalid_field("body", f"not JSON: {error}") from error
    if not isinstance(loaded, dict):
        raise invalid_field("body", "a JSON object is expected")
    try:
        return model.model_validate(loaded)
    except ValidationError as error:
        raise invalid(error) from error


T = TypeVar("T")


async def _core(call: Awaitable[T]) -> T:
    """The core's named failures, in HTTP's words; nothing was written when they are raised."""
    try:
        return await call
    except (FeedNotFound, GuestNotFound, UnknownSource) as error:
        raise Problem(404, "Not found", str(error)) from error
    except InvalidPhone as error:
        raise invalid_field("guest.phone", str(error)) from error
    except InvalidName as error:
        raise invalid_field("guest.name", str(error)) from error
    except SourceConflict as error:
        raise Problem(409, "Conflict", str(error)) from error


def _source_id(request: Request) -> str:
    source_id = str(request.path_params["source_id"])
    if not 0 < len(source_id) <= 100:
        raise invalid_field("source_id", "1 to 100 characters")
    return source_id


def _viewer(key: ApiKey) -> Staff:
    """The key reads a card as a member of its branch's staff with the key's role would."""
    return Staff(id=0, telegram_id=0, name=key.name, role=key.role, branch=key.branch,
                 language="en", joined_at=key.created_at)


def _json(content: dict[str, Any], *, created: bool = False) -> JSONResponse:
    return JSONResponse(content, status_code=201 if created else 200)

