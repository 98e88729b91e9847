"""Exceptions raised by the client: one class per failure, all under `MailplaneError`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from .models import StatusResource

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "FieldError",
    "MailplaneError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "UnexpectedResponseError",
    "ValidationError",
    "WaitTimeoutError",
]


class MailplaneError(Exception):
    """Base class of every error this client raises."""


@dataclass(frozen=True)
class FieldError:
    """One problem with one request field, as the API reports it (`{"field", "description"}`)."""

    field: str
    description: str

    def __str__(self) -> str:
        return f"{self.field} {self.description}" if self.field else self.description


class APIError(MailplaneError):
    """The API answered with an error status.

    `message` is the API's own `message` (or the body text when the body is not JSON),
    `errors` its list of field errors (often empty).
    """

    status_code: int
    message: str
    errors: list[FieldError]
    response: httpx.Response | None

    def __init__(
        self,
        status_code: int,
        message: str,
        errors: list[FieldError] | None = None,
        response: httpx.Response | None = None,
    ) -> None:
        self.status_code = status_code
        self.message = message
        self.errors = list(errors or [])
        self.response = response
        super().__init__(self._describe())

    def _describe(self) -> str:
        text = f"{self.status_code} {self.message}"
        request = _request_of(self.response)
        if request is not None:
            text += f" ({request.method} {request.url.path})"
        if self.errors:
            text += ": " + "; ".join(str(e) for e in self.errors)
        return text


class AuthenticationError(APIError):
    """401: no token, or a token the API does not accept."""


class PermissionDeniedError(APIError):
    """403: the token is valid but may not do this."""


class NotFoundError(APIError):
    """404: no such resource, or not visible to this token."""


class ValidationError(APIError):
    """422: the request was refused; `errors` lists each field and what is wrong with it."""


class RateLimitError(APIError):
    """429: too many requests; `retry_after` is the server's hint in seconds, if it gave one."""

    retry_after: float | None

    def __init__(
        self,
        status_code: int,
        message: str,
        errors: list[FieldError] | None = None,
        response: httpx.Response | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(status_code, message, errors, response)


class ServerError(APIError):
    """5xx: the server failed (retried automatically where safe, and still failing)."""


class APIConnectionError(MailplaneError):
    """The request could not be completed over the network (refused, dropped, DNS...)."""

    request: httpx.Request | None

    def __init__(self, message: str, request: httpx.Request | None = None) -> None:
        self.request = request
        super().__init__(message)


class APITimeoutError(APIConnectionError):
    """The request timed out."""


class UnexpectedResponseError(MailplaneError):
    """The API answered with a success status but a body this client cannot read."""


class WaitTimeoutError(MailplaneError):
    """A waiter gave up at its deadline.

    `last_status`, `last_status_detail` and `last_status_message` are what the resource said at
    the last successful poll (None if no poll succeeded); `last_error` is the last transient
    error met while polling, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        last_resource: StatusResource | None = None,
        last_error: Exception | None = None,
    ) -> None:
        self.last_resource = last_resource
        self.last_status: str | None = last_resource.status if last_resource else None
        self.last_status_detail: str | None = last_resource.status_detail if last_resource else None
        self.last_status_message: str | None = (
            last_resource.status_message if last_resource else None
        )
        self.last_error = last_error
        super().__init__(message)


def _request_of(response: httpx.Response | None) -> httpx.Request | None:
    if response is None:
        return None
    try:
        return response.request
    except RuntimeError:  # a Response built by hand has no request
        return None


def _parse_retry_after(value: str | None) -> float | None:
    """Seconds from a `Retry-After` header (delta-seconds or HTTP date); None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


_STATUS_CLASSES: dict[int, type[APIError]] = {
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    422: ValidationError,
    429: RateLimitError,
}


def error_from_response(response: httpx.Response) -> APIError:
    """Build the exception matching an error response, with the API's message and errors."""
    status = response.status_code
    message = ""
    errors: list[FieldError] = []
    body: Any = None
    text = response.text
    if text:
        try:
            body = response.json()
        except ValueError:
            body = None
    if isinstance(body, dict):
        raw_message = body.get("message")
        if isinstance(raw_message, str):
            message = raw_message
        raw_errors = body.get("errors")
        if isinstance(raw_errors, list):
            for item in raw_errors:
                if isinstance(item, dict):
                    errors.append(
                        FieldError(
                            field=str(item.get("field") or ""),
                            description=str(item.get("description") or ""),
                        )
                    )
                elif isinstance(item, str):
                    errors.append(FieldError(field="", description=item))
    if not message and text and not isinstance(body, dict):
        message = text.strip()[:500]
    if not message:
        message = response.reason_phrase or "HTTP error"

    if status == 429:
        return RateLimitError(
            status,
            message,
            errors,
            response,
            retry_after=_parse_retry_after(response.headers.get("Retry-After")),
        )
    cls = _STATUS_CLASSES.get(status)
    if cls is None:
        cls = ServerError if status >= 500 else APIError
    return cls(status, message, errors, response)
