"""The error envelope of spec §1.2, for every failure the API can answer."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from mailplane.model.errors import FieldError, Forbidden, NotFound, ValidationFailed

log = logging.getLogger(__name__)

_MESSAGES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    422: "Validation failed",
    429: "Too many requests",
    500: "Internal server error",
}


class Unauthorized(Exception):
    """No token, or one that is unknown or revoked."""


def envelope(
    status: int, errors: list[FieldError] | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    body: dict[str, Any] = {
        "message": _MESSAGES.get(status, "Error"),
        "errors": [{"field": e.field, "description": e.description} for e in errors or []],
    }
    return JSONResponse(body, status_code=status, headers=headers or None)


def install(app: FastAPI) -> None:
    @app.exception_handler(ValidationFailed)
    async def _validation(_: Request, exc: ValidationFailed) -> JSONResponse:
        return envelope(422, exc.errors)

    @app.exception_handler(RequestValidationError)
    async def _request_validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for item in exc.errors():
            loc = [
                str(part) for part in item.get("loc", ()) if part not in ("body", "query", "path")
            ]
            errors.append(FieldError(loc[0] if loc else "body", "is invalid"))
        return envelope(422, errors)

    @app.exception_handler(NotFound)
    async def _not_found(_: Request, __: NotFound) -> JSONResponse:
        return envelope(404)

    @app.exception_handler(Forbidden)
    async def _forbidden(_: Request, __: Forbidden) -> JSONResponse:
        return envelope(403)

    @app.exception_handler(Unauthorized)
    async def _unauthorized(_: Request, __: Unauthorized) -> JSONResponse:
        return envelope(401)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers or {})
        return envelope(exc.status_code, headers=headers)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return envelope(500)
