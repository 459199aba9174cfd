"""The API's OpenAPI 3.1 document, its bodies' schemas generated from the pydantic models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from bot.http.feeds import RoomMove
from playbooks.feeds.feeds import BookingIn, CheckIn, StayIn
from profiles.sources import GuestData

REF = "#/components/schemas/{model}"
PROBLEM = {"description": "a problem (RFC 7807) naming what is wrong",
           "content": {"application/problem+json": {"schema": {"$ref": REF.format(
               model="Problem")}}}}
_PROBLEM_SCHEMA = {
    "type": "object", "required": ["title", "status"],
    "properties": {"type": {"type": "string"}, "title": {"type": "string"},
                   "status": {"type": "integer"}, "detail": {"type": "string"},
                   "errors": {"type": "array", "items": {
                       "type": "object", "properties": {"field": {"type": "string"},
                                                        "message": {"type": "string"}}}}}}


def openapi_document(version: str) -> dict[str, Any]:
    models: list[type[BaseModel]] = [GuestData, BookingIn, StayIn, CheckIn, RoomMove]
    _, schemas = models_json_schema([(m, "validation") for m in models],
                                    ref_template=REF)
    components = {**schemas.get("$defs", {}), "Problem": _PROBLEM_SCHEMA}
    return {
        "openapi": "3.1.0",
        "info": {"title": "guestcard", "version": version,
                 "description": "Bookings, stays, POS checks and guests from a chain's own "
                                "systems, each named by the system's own id."},
        "servers": [{"url": "/api/v1"}],
        "components": {"schemas": components, "securitySchemes": {
            "key": {"type": "http", "scheme": "bearer",
                    "description": "guestcard api-key create NAME --branch ID"}}},
        "security": [{"key": []}],
        "paths": {
            "/guests/{source_id}": {"put": _op("Create or update a guest", "GuestData")},
            "/guests/{source_id}/card": {"get": _op("The guest's card, as the key's role "
                                                    "may see it", None)},
            "/bookings/{source_id}": {"put": _op("Create or change a booking", "BookingIn"),
                                      "delete": _op("Cancel a booking", None)},
            "/stays/{source_id}": {"put": _op("Check a guest in to a room", "StayIn")},
            "/stays/{source_id}/room": {"put": _op("Move the stay to another room",
                                                   "RoomMove")},
            "/stays/{source_id}/checkout": {"post": _op("Check the guest out", None)},
            "/checks/{source_id}": {"put": _op("Record a POS check", "CheckIn")},
        },
    }


def _op(summary: str, body: str | None) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "parameters": [{"name": "source_id", "in": "path", "required": True,
                        "description": "the calling system's own id; the same id again is "
                                       "the same thing, so a replay changes nothing",
                        "schema": {"type": "string", "minLength": 1, "maxLength": 100}}],
        "responses": {"200": {"description": "done before, or changed"},
                      "201": {"description": "created"},
                      **{code: PROBLEM for code in ("401", "403", "404", "409", "422", "429")}},
    }
    if body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"$ref": REF.format(model=body)}}}}
    return operation
