"""The SDK under conditions a live server cannot be made to produce on demand (respx mocks):
5xx then success, dropped connections, 429 with Retry-After, retries running out, error
classes, unknown fields, waiters meeting trouble, paging. Everything else is tested against a
live mailplane server elsewhere.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
import respx

from mailplane.client import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AsyncClient,
    AuthenticationError,
    Client,
    Domain,
    FieldError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ValidationError,
    WaitTimeoutError,
)

BASE = "https://api.test/api"
TOKEN = "tok-test"
DOMAIN_URL = f"{BASE}/domains/D482913004"


def domain_json(status: str = "enabled", detail: str = "ok", **extra: Any) -> dict[str, Any]:
    return {
        "code": "D482913004",
        "name": "example.com",
        "status": status,
        "status_detail": detail,
        **extra,
    }


def one(resource: dict[str, Any]) -> httpx.Response:
    return httpx.Response(200, json={"resources": [resource], "pagination": {}})


def api_error(status: int, message: str, errors: list[dict[str, str]] | None = None, **kw: Any):
    return httpx.Response(status, json={"message": message, "errors": errors or []}, **kw)


class FakeTime:
    """A clock that only moves when the client sleeps; records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


@pytest.fixture
def client(fake_time: FakeTime) -> Iterator[Client]:
    with Client(BASE, TOKEN, max_retries=3, _sleep=fake_time.sleep, _clock=fake_time.clock) as c:
        yield c


def make_async_client(fake_time: FakeTime, max_retries: int = 3) -> AsyncClient:
    return AsyncClient(
        BASE, TOKEN, max_retries=max_retries, _sleep=fake_time.asleep, _clock=fake_time.clock
    )


# --- retries: safe calls ---------------------------------------------------------------------


def test_get_500_then_success_is_retried(api: respx.MockRouter, client: Client, fake_time):
    route = api.get("/domains/D482913004").mock(
        side_effect=[api_error(500, "Internal server error"), one(domain_json())]
    )
    domain = client.domains.retrieve("D482913004")
    assert domain.code == "D482913004" and domain.is_ready
    assert route.call_count == 2
    assert len(fake_time.sleeps) == 1 and 0 <= fake_time.sleeps[0] <= 0.5  # full jitter, base 0.5
    sent = route.calls.last.request
    assert sent.headers["X-Api-Token"] == TOKEN
    assert sent.headers["User-Agent"].startswith("mailplane-python/")


def test_put_and_delete_503_then_success_are_retried(api: respx.MockRouter, client: Client):
    put = api.put("/domains/D482913004/email_accounts/EA20931175").mock(
        side_effect=[api_error(503, "Service unavailable"), httpx.Response(204)]
    )
    delete = api.delete("/domains/D482913004").mock(
        side_effect=[api_error(502, "Bad gateway"), httpx.Response(202)]
    )
    client.email_accounts.update("D482913004", "EA20931175", max_email_quota=2147483648)
    client.domains.delete("D482913004")
    assert put.call_count == 2 and delete.call_count == 2
    assert json.loads(put.calls.last.request.content) == {"max_email_quota": 2147483648}


def test_get_dropped_connection_then_success(api: respx.MockRouter, client: Client):
    route = api.get("/domains/D482913004").mock(
        side_effect=[
            httpx.RemoteProtocolError("Server disconnected without sending a response."),
            httpx.ReadError("connection reset by peer"),
            one(domain_json()),
        ]
    )
    assert client.domains.retrieve("D482913004").name == "example.com"
    assert route.call_count == 3


# --- retries: POST create ----------------------------------------------------------------------


def test_post_create_is_not_retried_on_500(api: respx.MockRouter, client: Client, fake_time):
    route = api.post("/domains").mock(return_value=api_error(500, "Internal server error"))
    with pytest.raises(ServerError) as info:
        client.domains.create("example.com", "Secret123", customer_code="C000000001")
    assert route.call_count == 1  # a second POST could create a second domain
    assert info.value.status_code == 500 and info.value.message == "Internal server error"
    assert fake_time.sleeps == []


def test_post_create_is_not_retried_when_connection_drops_after_sending(
    api: respx.MockRouter, client: Client
):
    route = api.post("/domains").mock(side_effect=httpx.ReadError("connection reset by peer"))
    with pytest.raises(APIConnectionError) as info:
        client.domains.create("example.com", "Secret123")
    assert route.call_count == 1
    assert "POST" in str(info.value) and isinstance(info.value.__cause__, httpx.ReadError)


def test_post_create_is_retried_when_connection_was_refused(api: respx.MockRouter, client: Client):
    route = api.post("/domains").mock(
        side_effect=[
            httpx.ConnectError("[Errno 111] Connection refused"),
            httpx.Response(201, json={"message": "Domain created", "resource_code": "D482913004"}),
        ]
    )
    code = client.domains.create("example.com", "Secret123", customer_code="C000000001")
    assert code == "D482913004"
    assert route.call_count == 2
    body = json.loads(route.calls.last.request.content)
    assert body == {
        "name": "example.com",
        "plan": "basic",
        "customer_code": "C000000001",
        "postmaster_password": "Secret123",
        "postmaster_password_confirmation": "Secret123",
    }


# --- 429 and Retry-After -----------------------------------------------------------------------


def test_429_retry_after_seconds_is_honoured(api: respx.MockRouter, client: Client, fake_time):
    route = api.get("/domains/D482913004").mock(
        side_effect=[
            api_error(429, "Too many requests", headers={"Retry-After": "2"}),
            one(domain_json()),
        ]
    )
    client.domains.retrieve("D482913004")
    assert route.call_count == 2
    assert fake_time.sleeps == [2.0]


def test_429_retry_after_http_date_is_honoured_and_capped(
    api: respx.MockRouter, client: Client, fake_time
):
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=5), usegmt=True)
    api.get("/domains/D482913004").mock(
        side_effect=[
            api_error(429, "Too many requests", headers={"Retry-After": soon}),
            api_error(429, "Too many requests", headers={"Retry-After": "3600"}),
            one(domain_json()),
        ]
    )
    client.domains.retrieve("D482913004")
    assert 3.0 <= fake_time.sleeps[0] <= 5.0  # date has one-second resolution
    assert fake_time.sleeps[1] == 60.0  # an hour is capped at 60 s


def test_post_create_is_retried_after_429(api: respx.MockRouter, client: Client, fake_time):
    """429 means the request was turned away unprocessed, so even a create may be repeated."""
    route = api.post("/domains/D482913004/email_accounts").mock(
        side_effect=[
            api_error(429, "Too many requests", headers={"Retry-After": "1"}),
            httpx.Response(201, json={"message": "created", "resource_code": "EA20931175"}),
        ]
    )
    code = client.email_accounts.create(
        "D482913004", "hello", "Secret123", firstname="Example", lastname="User"
    )
    assert code == "EA20931175" and route.call_count == 2 and fake_time.sleeps == [1.0]


# --- retries exhausted -------------------------------------------------------------------------


def test_retries_exhausted_raise_server_error_with_api_message(
    api: respx.MockRouter, client: Client, fake_time
):
    route = api.get("/domains/D482913004").mock(
        return_value=api_error(503, "Service temporarily unavailable")
    )
    with pytest.raises(ServerError) as info:
        client.domains.retrieve("D482913004")
    assert route.call_count == 4  # first try + max_retries=3
    assert info.value.status_code == 503
    assert info.value.message == "Service temporarily unavailable"
    assert "503 Service temporarily unavailable" in str(info.value)
    # exponential backoff with full jitter: each wait within base * 2**n
    assert [s <= 0.5 * 2**n for n, s in enumerate(fake_time.sleeps)] == [True] * 3


def test_retries_exhausted_on_429_raise_rate_limit_error(api: respx.MockRouter, client: Client):
    api.get("/domains").mock(
        return_value=api_error(429, "Too many requests", headers={"Retry-After": "7"})
    )
    with pytest.raises(RateLimitError) as info:
        client.domains.list_page()
    assert info.value.retry_after == 7.0 and info.value.message == "Too many requests"


def test_timeouts_exhausted_raise_api_timeout_error(api: respx.MockRouter, client: Client):
    route = api.get("/domains/D482913004").mock(side_effect=httpx.ReadTimeout("timed out"))
    with pytest.raises(APITimeoutError) as info:
        client.domains.retrieve("D482913004")
    assert isinstance(info.value, APIConnectionError)
    assert route.call_count == 4


def test_non_json_error_body_gives_its_text_as_message(api: respx.MockRouter, fake_time):
    api.get("/domains/D482913004").mock(
        return_value=httpx.Response(502, text="<html>502 Bad Gateway</html>")
    )
    with (
        Client(BASE, TOKEN, max_retries=0, _sleep=fake_time.sleep) as c,
        pytest.raises(ServerError) as info,
    ):
        c.domains.retrieve("D482913004")
    assert info.value.message == "<html>502 Bad Gateway</html>"


# --- error classes -----------------------------------------------------------------------------


def test_422_raises_validation_error_with_field_errors(api: respx.MockRouter, client: Client):
    route = api.post("/domains").mock(
        return_value=api_error(
            422,
            "Validation failed",
            [
                {"field": "name", "description": "already exists"},
                {"field": "password", "description": "is too short (minimum is 8 characters)"},
            ],
        )
    )
    with pytest.raises(ValidationError) as info:
        client.domains.create("example.com", "short")
    err = info.value
    assert route.call_count == 1
    assert err.status_code == 422 and err.message == "Validation failed"
    assert err.errors == [
        FieldError("name", "already exists"),
        FieldError("password", "is too short (minimum is 8 characters)"),
    ]
    assert "name already exists" in str(err)
    assert "password is too short" in str(err)


@pytest.mark.parametrize(
    ("status", "message", "cls"),
    [
        (401, "Unauthorized", AuthenticationError),
        (403, "Forbidden", PermissionDeniedError),
        (404, "Not found", NotFoundError),
    ],
)
def test_error_status_maps_to_class(
    api: respx.MockRouter, client: Client, status: int, message: str, cls: type[APIError]
):
    route = api.get("/domains/D482913004").mock(return_value=api_error(status, message))
    with pytest.raises(cls) as info:
        client.domains.retrieve("D482913004")
    assert info.value.status_code == status and info.value.message == message
    assert route.call_count == 1  # client errors are never retried


def test_empty_resources_is_not_found(api: respx.MockRouter, client: Client):
    api.get("/domains/D482913004").mock(
        return_value=httpx.Response(200, json={"resources": [], "pagination": {}})
    )
    with pytest.raises(NotFoundError):
        client.domains.retrieve("D482913004")


# --- models ------------------------------------------------------------------------------------


def test_unknown_fields_are_tolerated(api: respx.MockRouter, client: Client):
    api.get("/domains/D482913004").mock(
        return_value=one(
            domain_json(
                "ownership_check",
                "waiting_ownership",
                possession_a_record="d482913004",
                max_email_quota=8589934592,
                created_at="2026-11-24T10:15:02Z",
                brand_new_field={"nested": [1, 2]},
                activated_at=None,
            )
        )
    )
    domain = client.domains.retrieve("D482913004")
    assert domain.status == "ownership_check" and not domain.is_ready
    assert domain.max_email_quota == 8589934592
    assert isinstance(domain.created_at, datetime) and domain.created_at.year == 2026
    assert domain.model_extra == {"brand_new_field": {"nested": [1, 2]}}
    assert domain.dkim_selector is None  # absent optional field
    record = domain.expected_a_record
    assert record is not None and record.name == "d482913004.example.com"
    assert record.value is None


# --- waiters -----------------------------------------------------------------------------------


def test_waiter_gives_up_reporting_last_status(api: respx.MockRouter, client: Client, fake_time):
    route = api.get("/domains/D482913004").mock(
        return_value=one(
            domain_json(
                "ownership_check",
                "waiting_ownership",
                status_message="no A record for d482913004.example.com",
            )
        )
    )
    seen: list[str | None] = []
    with pytest.raises(WaitTimeoutError) as info:
        client.domains.wait_until_enabled(
            "D482913004", timeout=30, on_poll=lambda d: seen.append(d.status_detail)
        )
    err = info.value
    assert err.last_status == "ownership_check"
    assert err.last_status_detail == "waiting_ownership"
    assert err.last_status_message == "no A record for d482913004.example.com"
    assert "ownership_check/waiting_ownership" in str(err)
    assert sum(fake_time.sleeps) == pytest.approx(30)  # gave up at the deadline, not before
    assert fake_time.sleeps[:3] == [0.5, 0.75, 1.125]  # short, growing intervals
    assert max(fake_time.sleeps) <= 10
    assert route.call_count == len(seen) == len(fake_time.sleeps) + 1


def test_waiter_rides_out_transient_errors(api: respx.MockRouter, client: Client, fake_time):
    route = api.get("/domains/D482913004/email_accounts/EA20931175").mock(
        side_effect=[
            one({"code": "EA20931175", "status": "enabled", "status_detail": "updating"}),
            api_error(503, "Service unavailable"),
            httpx.ConnectError("refused"),
            api_error(429, "Too many requests", headers={"Retry-After": "3"}),
            one(
                {
                    "code": "EA20931175",
                    "status": "enabled",
                    "status_detail": "ok",
                    "max_email_quota": 1073741824,
                }
            ),
            one(
                {
                    "code": "EA20931175",
                    "status": "enabled",
                    "status_detail": "ok",
                    "max_email_quota": 2147483648,
                    "email_address": "hello@example.com",
                }
            ),
        ]
    )
    account = client.email_accounts.wait_until_enabled(
        "D482913004",
        "EA20931175",
        predicate=lambda a: a.max_email_quota == 2147483648,
        timeout=120,
    )
    assert account.max_email_quota == 2147483648 and account.email_address == "hello@example.com"
    assert route.call_count == 6
    assert 3.0 in fake_time.sleeps  # the 429's Retry-After was respected between polls


def test_waiter_stops_at_once_on_a_non_transient_error(api: respx.MockRouter, client: Client):
    api.get("/domains/D482913004").mock(return_value=api_error(404, "Not found"))
    with pytest.raises(NotFoundError):
        client.domains.wait_until_enabled("D482913004", timeout=60)


# --- pagination --------------------------------------------------------------------------------


def page_json(page: int, codes: list[str], total_pages: int = 3) -> dict[str, Any]:
    return {
        "resources": [
            {"code": c, "name": f"{c.lower()}.example", "status": "enabled"} for c in codes
        ],
        "pagination": {
            "per": 2,
            "page": page,
            "total_pages": total_pages,
            "query": None,
            "filter": None,
            "status": None,
            "sort_field": None,
            "sort": None,
            "total_records": 5,
        },
    }


PAGES = {1: ["D000000001", "D000000002"], 2: ["D000000003", "D000000004"], 3: ["D000000005"]}


def pages_side_effect(request: httpx.Request) -> httpx.Response:
    page = int(request.url.params["page"])
    return httpx.Response(200, json=page_json(page, PAGES.get(page, [])))


def test_list_pages_through_three_pages(api: respx.MockRouter, client: Client):
    route = api.get("/domains").mock(side_effect=pages_side_effect)
    codes = [d.code for d in client.domains.list(per=2, query="example")]
    assert codes == [c for p in (1, 2, 3) for c in PAGES[p]]
    assert [dict(call.request.url.params) for call in route.calls] == [
        {"page": str(p), "per": "2", "query": "example"} for p in (1, 2, 3)
    ]


# --- async twins -------------------------------------------------------------------------------


def test_async_get_500_then_success(api: respx.MockRouter, fake_time: FakeTime):
    route = api.get("/domains/D482913004").mock(
        side_effect=[api_error(500, "Internal server error"), one(domain_json())]
    )

    async def run() -> Domain:
        async with make_async_client(fake_time) as c:
            return await c.domains.retrieve("D482913004")

    assert asyncio.run(run()).is_ready
    assert route.call_count == 2


def test_async_post_create_not_retried_on_503(api: respx.MockRouter, fake_time: FakeTime):
    route = api.post("/domains").mock(return_value=api_error(503, "Service unavailable"))

    async def run() -> None:
        async with make_async_client(fake_time) as c:
            await c.domains.create("example.com", "Secret123")

    with pytest.raises(ServerError):
        asyncio.run(run())
    assert route.call_count == 1


def test_async_429_retry_after_and_dropped_connection(api: respx.MockRouter, fake_time: FakeTime):
    route = api.get("/domains/D482913004").mock(
        side_effect=[
            api_error(429, "Too many requests", headers={"Retry-After": "4"}),
            httpx.RemoteProtocolError("Server disconnected"),
            one(domain_json()),
        ]
    )

    async def run() -> Domain:
        async with make_async_client(fake_time) as c:
            return await c.domains.retrieve("D482913004")

    assert asyncio.run(run()).code == "D482913004"
    assert route.call_count == 3 and fake_time.sleeps[0] == 4.0


def test_async_waiter_gives_up_and_rides_out_503(api: respx.MockRouter, fake_time: FakeTime):
    api.get("/domains/D482913004").mock(
        side_effect=[one(domain_json("enabled", "activating"))]
        + [api_error(503, "Service unavailable")] * 100
    )

    async def run() -> None:
        async with make_async_client(fake_time) as c:
            await c.domains.wait_until_enabled("D482913004", timeout=20)

    with pytest.raises(WaitTimeoutError) as info:
        asyncio.run(run())
    assert info.value.last_status == "enabled" and info.value.last_status_detail == "activating"
    assert isinstance(info.value.last_error, ServerError)
    assert "Service unavailable" in str(info.value)


def test_async_list_pages_through_three_pages(api: respx.MockRouter, fake_time: FakeTime):
    route = api.get("/domains").mock(side_effect=pages_side_effect)

    async def run() -> list[str]:
        async with make_async_client(fake_time) as c:
            return [d.code async for d in c.domains.list(per=2)]

    assert asyncio.run(run()) == [c for p in (1, 2, 3) for c in PAGES[p]]
    assert route.call_count == 3
