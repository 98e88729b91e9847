"""Transport: URLs, headers, error mapping, retries with backoff. Shared by sync and async."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx
import pydantic

from .errors import (
    APIConnectionError,
    APITimeoutError,
    MailplaneError,
    NotFoundError,
    UnexpectedResponseError,
    _parse_retry_after,
    error_from_response,
)
from .models import Page

T = TypeVar("T")
M = TypeVar("M", bound=pydantic.BaseModel)

DEFAULT_BASE_URL = "https://api.qboxmail.com/api"
ENV_BASE_URL = "QBOXMAIL_API_BASE"
ENV_TOKEN = "QBOXMAIL_API_TOKEN"

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0
RETRY_AFTER_CAP = 60.0

log = logging.getLogger("mailplane.client")

try:
    __version__ = version("mailplane")
except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    __version__ = "0.0.0"

USER_AGENT = f"mailplane-python/{__version__}"

JSONBody = Mapping[str, Any]
Params = Mapping[str, Any]


def resolve_base_url(base_url: str | None) -> str:
    """The base URL from the argument, else `QBOXMAIL_API_BASE`, else Qboxmail production."""
    url = base_url or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL
    return url.rstrip("/")


def resolve_token(token: str | None) -> str:
    """The API token from the argument, else `QBOXMAIL_API_TOKEN`; a clear error if neither."""
    value = token or os.environ.get(ENV_TOKEN)
    if not value:
        raise MailplaneError(
            f"No API token: pass token=... to the client or set the {ENV_TOKEN} "
            "environment variable."
        )
    return value


def path(*segments: str) -> str:
    """Join path segments, percent-encoding each one (`/` included)."""
    return "".join("/" + quote(str(s), safe="") for s in segments)


def compact(params: Mapping[str, Any]) -> dict[str, Any]:
    """Drop None values (unset query parameters / optional body fields)."""
    return {k: v for k, v in params.items() if v is not None}


# ---------------------------------------------------------------------------------------------
# A call: what to send and how to read the answer. Resource classes build calls once; the sync
# and async transports execute them.


@dataclass(frozen=True)
class Call(Generic[T]):
    method: str
    path: str
    parse: Callable[[httpx.Response], T]
    json: JSONBody | None = None
    params: Params | None = None
    max_retries: int | None = None


def _json_of(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError as exc:
        raise UnexpectedResponseError(
            f"{response.request.method} {response.request.url.path} answered "
            f"{response.status_code} with a body that is not JSON: {response.text[:200]!r}"
        ) from exc


def _validate(model: type[M], data: Any, response: httpx.Response) -> M:
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise UnexpectedResponseError(
            f"{response.request.method} {response.request.url.path}: unexpected "
            f"{model.__name__} shape: {exc}"
        ) from exc


def parse_none(response: httpx.Response) -> None:
    return None


def parse_created(response: httpx.Response) -> str:
    """The `resource_code` of a create answer (or the last segment of `Location`)."""
    body = _json_of(response)
    if isinstance(body, dict) and isinstance(body.get("resource_code"), str):
        return str(body["resource_code"])
    location = response.headers.get("Location")
    if location:
        return location.rstrip("/").rsplit("/", 1)[-1]
    raise UnexpectedResponseError(
        f"{response.request.method} {response.request.url.path}: no resource_code in the answer"
    )


def parse_one(model: type[M]) -> Callable[[httpx.Response], M]:
    """Unwrap `{"resources": [x]}` into a model; an empty list is a NotFoundError."""

    def parse(response: httpx.Response) -> M:
        body = _json_of(response)
        if isinstance(body, dict) and "resources" in body:
            resources = body["resources"]
            if isinstance(resources, list):
                if not resources:
                    raise NotFoundError(404, "API returned no resources", [], response)
                return _validate(model, resources[0], response)
        elif isinstance(body, dict):  # tolerate a bare object
            return _validate(model, body, response)
        raise UnexpectedResponseError(
            f"{response.request.method} {response.request.url.path}: expected "
            f'{{"resources": [...]}}, got {str(body)[:200]!r}'
        )

    return parse


def parse_model(model: type[M]) -> Callable[[httpx.Response], M]:
    """Read the whole body as one model."""

    def parse(response: httpx.Response) -> M:
        return _validate(model, _json_of(response), response)

    return parse


def parse_page(model: type[M]) -> Callable[[httpx.Response], Page[M]]:
    """Read a list answer into a `Page` of models."""

    def parse(response: httpx.Response) -> Page[M]:
        body = _json_of(response)
        if body is None:
            body = {}
        return _validate(Page[model], body, response)  # type: ignore[valid-type]

    return parse


def list_params(
    page: int,
    per: int,
    query: str | None,
    status: str | None,
    sort_field: str | None,
    sort: str | None,
) -> dict[str, Any]:
    return compact(
        {
            "page": page,
            "per": per,
            "query": query,
            "status": status,
            "sort_field": sort_field,
            "sort": sort,
        }
    )


# ---------------------------------------------------------------------------------------------
# Retry policy


def is_safe(method: str) -> bool:
    """GET, PUT, DELETE (and HEAD/OPTIONS) may be repeated; POST creates and must not be."""
    return method.upper() != "POST" and method.upper() != "PATCH"


def should_retry_status(method: str, status: int) -> bool:
    if status == 429:  # the request was turned away before being processed: always safe
        return True
    return status in RETRY_STATUSES and is_safe(method)


def should_retry_exception(method: str, exc: httpx.TransportError) -> bool:
    # Nothing was sent when the connection could not be made: safe even for POST.
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return True
    if not is_safe(method):
        return False
    return isinstance(exc, httpx.NetworkError | httpx.TimeoutException | httpx.RemoteProtocolError)


def retry_delay(attempt: int, response: httpx.Response | None) -> float:
    """Seconds to wait before retry number `attempt + 1`.

    `Retry-After` (seconds or HTTP date) when the server sent it, capped at 60 s; otherwise
    exponential backoff with full jitter (base 0.5 s, cap 8 s).
    """
    if response is not None:
        hint = _parse_retry_after(response.headers.get("Retry-After"))
        if hint is not None:
            return min(hint, RETRY_AFTER_CAP)
    return random.uniform(0.0, min(BACKOFF_CAP, BACKOFF_BASE * (2**attempt)))


def connection_error(exc: httpx.TransportError, method: str, url: str) -> APIConnectionError:
    try:
        request: httpx.Request | None = exc.request
    except RuntimeError:
        request = None
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"{method} {url} timed out: {exc}", request)
    return APIConnectionError(
        f"{method} {url} failed: {type(exc).__name__}: {exc or 'connection error'}", request
    )


# ---------------------------------------------------------------------------------------------
# Transports


class _BaseTransport:
    def __init__(self, base_url: str | None, token: str | None, timeout: float, max_retries: int):
        self.base_url = resolve_base_url(base_url)
        self._token = resolve_token(token)
        self.timeout = timeout
        self.max_retries = max_retries

    def url(self, p: str) -> str:
        return self.base_url + p

    def headers(self) -> dict[str, str]:
        return {
            "X-Api-Token": self._token,
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }

    def _retries(self, call: Call[Any]) -> int:
        return self.max_retries if call.max_retries is None else call.max_retries


class SyncTransport(_BaseTransport):
    """Executes calls with an `httpx.Client`, retrying where safe."""

    def __init__(
        self,
        base_url: str | None,
        token: str | None,
        *,
        timeout: float,
        max_retries: int,
        http_client: httpx.Client | None,
        sleep: Callable[[float], None] | None,
        clock: Callable[[], float] | None,
    ) -> None:
        super().__init__(base_url, token, timeout, max_retries)
        self._owns_http = http_client is None
        self.http = http_client or httpx.Client(timeout=timeout)
        self.sleep: Callable[[float], None] = sleep or time.sleep
        self.clock: Callable[[], float] = clock or time.monotonic

    def call(self, call: Call[T]) -> T:
        return call.parse(self.send(call))

    def send(self, call: Call[Any]) -> httpx.Response:
        retries = self._retries(call)
        url = self.url(call.path)
        attempt = 0
        while True:
            try:
                response = self.http.request(
                    call.method,
                    url,
                    json=call.json,
                    params=call.params,
                    headers=self.headers(),
                    timeout=self.timeout,
                )
            except httpx.TransportError as exc:
                if attempt < retries and should_retry_exception(call.method, exc):
                    delay = retry_delay(attempt, None)
                    log.debug("%s %s: %r, retrying in %.2fs", call.method, url, exc, delay)
                    self.sleep(delay)
                    attempt += 1
                    continue
                raise connection_error(exc, call.method, url) from exc
            if response.is_success:
                return response
            if attempt < retries and should_retry_status(call.method, response.status_code):
                delay = retry_delay(attempt, response)
                log.debug(
                    "%s %s: %s, retrying in %.2fs", call.method, url, response.status_code, delay
                )
                response.close()
                self.sleep(delay)
                attempt += 1
                continue
            raise error_from_response(response)

    def close(self) -> None:
        if self._owns_http:
            self.http.close()


class AsyncTransport(_BaseTransport):
    """Executes calls with an `httpx.AsyncClient`, retrying where safe."""

    def __init__(
        self,
        base_url: str | None,
        token: str | None,
        *,
        timeout: float,
        max_retries: int,
        http_client: httpx.AsyncClient | None,
        sleep: Callable[[float], Awaitable[None]] | None,
        clock: Callable[[], float] | None,
    ) -> None:
        super().__init__(base_url, token, timeout, max_retries)
        self._owns_http = http_client is None
        self.http = http_client or httpx.AsyncClient(timeout=timeout)
        self.sleep: Callable[[float], Awaitable[None]] = sleep or asyncio.sleep
        self.clock: Callable[[], float] = clock or time.monotonic

    async def call(self, call: Call[T]) -> T:
        return call.parse(await self.send(call))

    async def send(self, call: Call[Any]) -> httpx.Response:
        retries = self._retries(call)
        url = self.url(call.path)
        attempt = 0
        while True:
            try:
                response = await self.http.request(
                    call.method,
                    url,
                    json=call.json,
                    params=call.params,
                    headers=self.headers(),
                    timeout=self.timeout,
                )
            except httpx.TransportError as exc:
                if attempt < retries and should_retry_exception(call.method, exc):
                    delay = retry_delay(attempt, None)
                    log.debug("%s %s: %r, retrying in %.2fs", call.method, url, exc, delay)
                    await self.sleep(delay)
                    attempt += 1
                    continue
                raise connection_error(exc, call.method, url) from exc
            if response.is_success:
                return response
            if attempt < retries and should_retry_status(call.method, response.status_code):
                delay = retry_delay(attempt, response)
                log.debug(
                    "%s %s: %s, retrying in %.2fs", call.method, url, response.status_code, delay
                )
                await response.aclose()
                await self.sleep(delay)
                attempt += 1
                continue
            raise error_from_response(response)

    async def aclose(self) -> None:
        if self._owns_http:
            await self.http.aclose()
