"""`client.webhooks`: lifecycle event subscriptions (`/webhooks`, a mailplane extension)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._base import (
    AsyncTransport,
    Call,
    SyncTransport,
    parse_created,
    parse_none,
    parse_one,
    parse_page,
    path,
)
from .models import Page, Webhook

__all__ = ["AsyncWebhooks", "Webhooks"]


def _create(url: str, events: Sequence[str], secret: str, customer_code: str | None) -> Call[str]:
    body: dict[str, Any] = {"url": url, "events": list(events), "secret": secret}
    if customer_code:
        body["customer_code"] = customer_code
    return Call("POST", path("webhooks"), parse_created, json=body)


def _retrieve(code: str) -> Call[Webhook]:
    return Call("GET", path("webhooks", code), parse_one(Webhook))


def _list() -> Call[Page[Webhook]]:
    return Call("GET", path("webhooks"), parse_page(Webhook))


def _delete(code: str) -> Call[None]:
    return Call("DELETE", path("webhooks", code), parse_none)


class Webhooks:
    """Webhook subscriptions. Reached as `client.webhooks`."""

    def __init__(self, transport: SyncTransport) -> None:
        self._t = transport

    def create(
        self,
        url: str,
        events: Sequence[str],
        secret: str,
        *,
        customer_code: str | None = None,
    ) -> str:
        """Subscribe `url` to `events` (`"domain.enabled"`, ...); returns the webhook's code.

        Deliveries are signed with HMAC-SHA256 of the body under `secret` (16 to 256
        characters; header `X-Mailplane-Signature`). An admin token hears of every customer's
        resources, or of one given `customer_code`; a customer token of its own only.
        """
        return self._t.call(_create(url, events, secret, customer_code))

    def retrieve(self, code: str) -> Webhook:
        """Read one webhook (never its secret)."""
        return self._t.call(_retrieve(code))

    def list(self) -> list[Webhook]:
        """Every webhook visible to the token (the server answers them in one page)."""
        return self._t.call(_list()).resources

    def delete(self, code: str) -> None:
        """Unsubscribe; deliveries still pending for it are dropped."""
        self._t.call(_delete(code))


class AsyncWebhooks:
    """Webhook subscriptions, async. Reached as `async_client.webhooks`."""

    def __init__(self, transport: AsyncTransport) -> None:
        self._t = transport

    async def create(
        self,
        url: str,
        events: Sequence[str],
        secret: str,
        *,
        customer_code: str | None = None,
    ) -> str:
        """Subscribe `url` to `events`; returns the webhook's code. See `Webhooks.create`."""
        return await self._t.call(_create(url, events, secret, customer_code))

    async def retrieve(self, code: str) -> Webhook:
        """Read one webhook (never its secret)."""
        return await self._t.call(_retrieve(code))

    async def list(self) -> list[Webhook]:
        """Every webhook visible to the token (the server answers them in one page)."""
        return (await self._t.call(_list())).resources

    async def delete(self, code: str) -> None:
        """Unsubscribe; deliveries still pending for it are dropped."""
        await self._t.call(_delete(code))
