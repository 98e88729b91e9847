"""What every route needs: the runtime, the caller, the JSON body, list parameters."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from mailplane.api.errors import Unauthorized
from mailplane.model.errors import ValidationFailed
from mailplane.runtime import Runtime
from mailplane.service import tokens
from mailplane.service.principal import Principal


def runtime_of(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


async def runtime(request: Request) -> Runtime:
    """The process's runtime (async: resolving it needs no thread)."""
    return runtime_of(request)


async def principal(request: Request) -> Principal:
    """The caller behind ``X-Api-Token``; 401 when missing, unknown or revoked."""
    secret = request.headers.get("x-api-token")
    if not secret:
        raise Unauthorized()
    rt = runtime_of(request)
    key = tokens.digest(secret)
    found = rt.principals.get(key)
    if found is None:

        def lookup() -> Principal | None:
            with rt.db.connect() as conn:
                return tokens.authenticate(conn, key)

        found = await rt.db.call(lookup)
        if found is None:
            raise Unauthorized()
        rt.principals.put(key, found)
    return found


async def json_body(request: Request) -> dict[str, Any]:
    """The request body as a JSON object; an empty body reads as ``{}``."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ValidationFailed.one("body", "is not valid json") from None
    if not isinstance(value, dict):
        raise ValidationFailed.one("body", "is not valid json")
    return value


# for a route that resolves the caller itself rather than through ``Depends(principal)``
TOKEN_HEADER_DOC: dict[str, Any] = {
    "parameters": [
        {"name": "X-Api-Token", "in": "header", "required": True, "schema": {"type": "string"}}
    ]
}


def body_doc(model: type[Any]) -> dict[str, Any]:
    """OpenAPI description of a JSON body validated by hand from ``model``."""
    schema = model.model_json_schema()
    return {
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": schema}},
        }
    }
