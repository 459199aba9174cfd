"""Errors as RFC 7807 problem documents, naming the field that was wrong."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.responses import JSONResponse

PROBLEM_TYPE = "application/problem+json"


class Problem(Exception):
    """An answer other than success, raised anywhere in a route and rendered once."""

    def __init__(self, status: int, title: str, detail: str = "", *,
                 errors: list[dict[str, str]] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail or title)
        self.status, self.title, self.detail = status, title, detail
        self.errors = errors or []
        self.headers = headers or {}

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {"type": "about:blank", "title": self.title,
                                "status": self.status}
        if self.detail:
            body["detail"] = self.detail
        if self.errors:
            body["errors"] = self.errors
        return JSONResponse(body, status_code=self.status, media_type=PROBLEM_TYPE,
                            headers=self.headers)


def invalid(error: ValidationError) -> Problem:
    """422 naming each field (`guest.phone`) and what is wrong with it."""
    errors = [{"field": ".".join(str(part) for part in e["loc"]) or "body", "message": e["msg"]}
              for e in error.errors()]
    named = ", ".join(e["field"] for e in errors)
    return Problem(422, "Invalid request body", f"check {named}", errors=errors)


def invalid_field(field: str, message: str) -> Problem:
    return Problem(422, "Invalid request body", f"check {field}",
                   errors=[{"field": field, "message": message}])
