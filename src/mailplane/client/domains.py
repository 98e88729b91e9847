"""`client.domains`: hosted domains, their ownership proofs, MX check and DKIM (`/domains`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from ._base import (
    AsyncTransport,
    Call,
    SyncTransport,
    list_params,
    parse_created,
    parse_model,
    parse_none,
    parse_one,
    parse_page,
    path,
)
from .models import DkimRecord, Domain, HtmlOwnershipFile, OwnershipCheck, Page
from .pagination import aiter_pages, iter_pages
from .waiters import DEFAULT_TIMEOUT, FACTOR, INITIAL_INTERVAL, MAX_INTERVAL, wait_async, wait_sync

__all__ = ["AsyncDomains", "Domains"]


def _create(
    name: str,
    postmaster_password: str,
    plan: str,
    customer_code: str | None,
    settings: dict[str, Any],
) -> Call[str]:
    body: dict[str, Any] = {
        "name": name,
        "plan": plan,
        "postmaster_password": postmaster_password,
        "postmaster_password_confirmation": postmaster_password,
    }
    if customer_code:
        body["customer_code"] = customer_code
    body.update(settings)
    return Call("POST", path("domains"), parse_created, json=body)


def _retrieve(code: str, max_retries: int | None = None) -> Call[Domain]:
    return Call("GET", path("domains", code), parse_one(Domain), max_retries=max_retries)


def _list_page(
    page: int,
    per: int,
    query: str | None,
    status: str | None,
    sort_field: str | None,
    sort: str | None,
) -> Call[Page[Domain]]:
    params = list_params(page, per, query, status, sort_field, sort)
    return Call("GET", path("domains"), parse_page(Domain), params=params)


def _update(code: str, fields: dict[str, Any]) -> Call[None]:
    body = dict(fields)
    if "postmaster_password" in body and "postmaster_password_confirmation" not in body:
        body["postmaster_password_confirmation"] = body["postmaster_password"]
    return Call("PUT", path("domains", code), parse_none, json=body)


def _set_status(code: str, status: str) -> Call[None]:
    return Call("PUT", path("domains", code, "status"), parse_none, json={"status": status})


def _delete(code: str) -> Call[None]:
    return Call("DELETE", path("domains", code), parse_none)


def _action(code: str, *action: str) -> Call[None]:
    return Call("PUT", path("domains", code, *action), parse_none)


def _verify_sync(code: str) -> Call[OwnershipCheck]:
    return Call(
        "PUT", path("domains", code, "dns_ownership_check", "sync"), parse_model(OwnershipCheck)
    )


def _request_email_proof(code: str, verification_email_address: str) -> Call[None]:
    body = {"verification_email_address": verification_email_address}
    return Call("PUT", path("domains", code, "email_ownership_check"), parse_none, json=body)


def _verify_email_proof(code: str, verification_code: str) -> Call[None]:
    return Call(
        "PUT",
        path("domains", code, "email_ownership_check", "verify"),
        parse_none,
        json={"code": verification_code},
    )


def _reset_email_proof(code: str) -> Call[None]:
    return Call("DELETE", path("domains", code, "email_ownership_check"), parse_none)


def _html_file(code: str) -> Call[HtmlOwnershipFile]:
    return Call("GET", path("domains", code, "html_ownership_file"), parse_one(HtmlOwnershipFile))


def _create_dkim(code: str) -> Call[DkimRecord]:
    # POST: a retry after a lost answer would generate (and publish) a second key
    return Call("POST", path("domains", code, "dkim"), parse_one(DkimRecord))


def _has_ownership_data(domain: Domain) -> bool:
    return bool(domain.possession_a_record or domain.expected_ownership_record)


def _ready(predicate: Callable[[Domain], bool] | None) -> Callable[[Domain], bool]:
    return lambda d: d.is_ready and (predicate is None or predicate(d))


class Domains:
    """Hosted domains. Reached as `client.domains`."""

    def __init__(self, transport: SyncTransport) -> None:
        self._t = transport

    def create(
        self,
        name: str,
        postmaster_password: str,
        *,
        plan: str = "basic",
        customer_code: str | None = None,
        **settings: Any,
    ) -> str:
        """Create a domain and its postmaster; returns the new domain's code (`D…`).

        `customer_code` is required for admin tokens and ignored for customer tokens.
        Extra keyword arguments (`max_email_quota`, `catch_all_enabled`, ...) are sent as is;
        `postmaster_password_confirmation` defaults to the password.
        """
        return self._t.call(_create(name, postmaster_password, plan, customer_code, settings))

    def retrieve(self, code: str) -> Domain:
        """Read one domain."""
        return self._t.call(_retrieve(code))

    def list_page(
        self,
        page: int = 1,
        per: int = 25,
        *,
        query: str | None = None,
        status: str | None = None,
        sort_field: str | None = None,
        sort: str | None = None,
    ) -> Page[Domain]:
        """Read one page of domains, with its `pagination`."""
        return self._t.call(_list_page(page, per, query, status, sort_field, sort))

    def list(
        self,
        *,
        query: str | None = None,
        status: str | None = None,
        sort_field: str | None = None,
        sort: str | None = None,
        per: int = 100,
    ) -> Iterator[Domain]:
        """Iterate over every domain visible to the token, fetching pages as needed."""
        return iter_pages(
            lambda page: self.list_page(
                page, per, query=query, status=status, sort_field=sort_field, sort=sort
            ),
            per,
        )

    def update(self, code: str, **fields: Any) -> None:
        """Change settings (`max_email_quota=...`, `postmaster_password=...`, ...)."""
        self._t.call(_update(code, fields))

    def set_status(self, code: str, status: str) -> None:
        """Enable or disable a domain (`"enabled"` | `"disabled"`); applied asynchronously."""
        self._t.call(_set_status(code, status))

    def delete(self, code: str) -> None:
        """Delete a domain with everything under it; applied asynchronously."""
        self._t.call(_delete(code))

    def verify_dns_ownership(self, code: str) -> None:
        """Queue a DNS ownership check (the seed's step 4). Poll with `wait_until_enabled`."""
        self._t.call(_action(code, "dns_ownership_check"))

    def verify_dns_ownership_sync(self, code: str) -> OwnershipCheck:
        """Check DNS ownership now and return what was found."""
        return self._t.call(_verify_sync(code))

    def skip_ownership_check(self, code: str) -> None:
        """Sandbox only: mark ownership proven and queue activation."""
        self._t.call(_action(code, "skip_ownership_check"))

    def request_email_ownership_check(self, code: str, verification_email_address: str) -> None:
        """Mail a one-time ownership code to an administrative address of the domain.

        `verification_email_address` must be `admin@`, `administrator@`, `hostmaster@`,
        `postmaster@` or `webmaster@` + the domain name; anything else is a `ValidationError`.
        """
        self._t.call(_request_email_proof(code, verification_email_address))

    def verify_email_ownership(self, code: str, verification_code: str) -> None:
        """Prove ownership with the mailed code; activation is then queued.

        A wrong or expired code is a `ValidationError` on `code`.
        """
        self._t.call(_verify_email_proof(code, verification_code))

    def reset_email_ownership_check(self, code: str) -> None:
        """Reset the e-mail proof (unlocks it after five wrong codes)."""
        self._t.call(_reset_email_proof(code))

    def html_ownership_file(self, code: str) -> HtmlOwnershipFile:
        """The file to publish at `http://<domain>/<file_name>` for the HTML ownership proof."""
        return self._t.call(_html_file(code))

    def verify_html_ownership(self, code: str) -> None:
        """Queue an HTML ownership check (fetches the file). Poll with `wait_until_enabled`."""
        self._t.call(_action(code, "html_ownership_check"))

    def check_mx(self, code: str) -> None:
        """Queue an MX check; the outcome shows in `is_healthy` (and `status_detail: mx_error`)."""
        self._t.call(_action(code, "dns"))

    def create_dkim(self, code: str) -> DkimRecord:
        """Generate a DKIM key pair; returns the TXT record to publish. Not retried on 5xx."""
        return self._t.call(_create_dkim(code))

    def wait_until_enabled(
        self,
        code: str,
        *,
        predicate: Callable[[Domain], bool] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        on_poll: Callable[[Domain], None] | None = None,
        initial_interval: float = INITIAL_INTERVAL,
        max_interval: float = MAX_INTERVAL,
    ) -> Domain:
        """Poll until the domain is `enabled` / `ok` (and `predicate`, if given, holds).

        Intervals start at `initial_interval` and grow ×1.5 up to `max_interval`. Network
        errors, 5xx and 429 are ridden out; at `timeout` seconds a `WaitTimeoutError` reports
        the last status seen. `on_poll` is called with each not-yet-ready domain.
        """
        return wait_sync(
            lambda: self._t.call(_retrieve(code, max_retries=0)),
            _ready(predicate),
            what=f"domain {code} to be enabled",
            sleep=self._t.sleep,
            clock=self._t.clock,
            timeout=timeout,
            on_poll=on_poll,
            initial_interval=initial_interval,
            max_interval=max_interval,
            factor=FACTOR,
        )

    def wait_for_ownership_data(
        self,
        code: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        on_poll: Callable[[Domain], None] | None = None,
        initial_interval: float = INITIAL_INTERVAL,
        max_interval: float = MAX_INTERVAL,
    ) -> Domain:
        """Poll until the domain carries its ownership data (`possession_a_record`)."""
        return wait_sync(
            lambda: self._t.call(_retrieve(code, max_retries=0)),
            _has_ownership_data,
            what=f"DNS ownership data of domain {code}",
            sleep=self._t.sleep,
            clock=self._t.clock,
            timeout=timeout,
            on_poll=on_poll,
            initial_interval=initial_interval,
            max_interval=max_interval,
            factor=FACTOR,
        )


class AsyncDomains:
    """Hosted domains, async. Reached as `async_client.domains`."""

    def __init__(self, transport: AsyncTransport) -> None:
        self._t = transport

    async def create(
        self,
        name: str,
        postmaster_password: str,
        *,
        plan: str = "basic",
        customer_code: str | None = None,
        **settings: Any,
    ) -> str:
        """Create a domain and its postmaster; returns the new domain's code (`D…`)."""
        return await self._t.call(_create(name, postmaster_password, plan, customer_code, settings))

    async def retrieve(self, code: str) -> Domain:
        """Read one domain."""
        return await self._t.call(_retrieve(code))

    async def list_page(
        self,
        page: int = 1,
        per: int = 25,
        *,
        query: str | None = None,
        status: str | None = None,
        sort_field: str | None = None,
        sort: str | None = None,
    ) -> Page[Domain]:
        """Read one page of domains, with its `pagination`."""
        return await self._t.call(_list_page(page, per, query, status, sort_field, sort))

    def list(
        self,
        *,
        query: str | None = None,
        status: str | None = None,
        sort_field: str | None = None,
        sort: str | None = None,
        per: int = 100,
    ) -> AsyncIterator[Domain]:
        """Iterate (`async for`) over every domain visible to the token."""
        return aiter_pages(
            lambda page: self.list_page(
                page, per, query=query, status=status, sort_field=sort_field, sort=sort
            ),
            per,
        )

    async def update(self, code: str, **fields: Any) -> None:
        """Change settings (`max_email_quota=...`, `postmaster_password=...`, ...)."""
        await self._t.call(_update(code, fields))

    async def set_status(self, code: str, status: str) -> None:
        """Enable or disable a domain; applied asynchronously."""
        await self._t.call(_set_status(code, status))

    async def delete(self, code: str) -> None:
        """Delete a domain with everything under it; applied asynchronously."""
        await self._t.call(_delete(code))

    async def verify_dns_ownership(self, code: str) -> None:
        """Queue a DNS ownership check."""
        await self._t.call(_action(code, "dns_ownership_check"))

    async def verify_dns_ownership_sync(self, code: str) -> OwnershipCheck:
        """Check DNS ownership now and return what was found."""
        return await self._t.call(_verify_sync(code))

    async def skip_ownership_check(self, code: str) -> None:
        """Sandbox only: mark ownership proven and queue activation."""
        await self._t.call(_action(code, "skip_ownership_check"))

    async def request_email_ownership_check(
        self, code: str, verification_email_address: str
    ) -> None:
        """Mail a one-time ownership code to an administrative address of the domain."""
        await self._t.call(_request_email_proof(code, verification_email_address))

    async def verify_email_ownership(self, code: str, verification_code: str) -> None:
        """Prove ownership with the mailed code; activation is then queued."""
        await self._t.call(_verify_email_proof(code, verification_code))

    async def reset_email_ownership_check(self, code: str) -> None:
        """Reset the e-mail proof (unlocks it after five wrong codes)."""
        await self._t.call(_reset_email_proof(code))

    async def html_ownership_file(self, code: str) -> HtmlOwnershipFile:
        """The file to publish at `http://<domain>/<file_name>` for the HTML ownership proof."""
        return await self._t.call(_html_file(code))

    async def verify_html_ownership(self, code: str) -> None:
        """Queue an HTML ownership check (fetches the file)."""
        await self._t.call(_action(code, "html_ownership_check"))

    async def check_mx(self, code: str) -> None:
        """Queue an MX check; the outcome shows in `is_healthy` (and `status_detail: mx_error`)."""
        await self._t.call(_action(code, "dns"))

    async def create_dkim(self, code: str) -> DkimRecord:
        """Generate a DKIM key pair; returns the TXT record to publish. Not retried on 5xx."""
        return await self._t.call(_create_dkim(code))

    async def wait_until_enabled(
        self,
        code: str,
        *,
        predicate: Callable[[Domain], bool] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        on_poll: Callable[[Domain], None] | None = None,
        initial_interval: float = INITIAL_INTERVAL,
        max_interval: float = MAX_INTERVAL,
    ) -> Domain:
        """Poll until the domain is `enabled` / `ok`; see `Domains.wait_until_enabled`."""
        return await wait_async(
            lambda: self._t.call(_retrieve(code, max_retries=0)),
            _ready(predicate),
            what=f"domain {code} to be enabled",
            sleep=self._t.sleep,
            clock=self._t.clock,
            timeout=timeout,
            on_poll=on_poll,
            initial_interval=initial_interval,
            max_interval=max_interval,
            factor=FACTOR,
        )

    async def wait_for_ownership_data(
        self,
        code: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        on_poll: Callable[[Domain], None] | None = None,
        initial_interval: float = INITIAL_INTERVAL,
        max_interval: float = MAX_INTERVAL,
    ) -> Domain:
        """Poll until the domain carries its ownership data (`possession_a_record`)."""
        return await wait_async(
            lambda: self._t.call(_retrieve(code, max_retries=0)),
            _has_ownership_data,
            what=f"DNS ownership data of domain {code}",
            sleep=self._t.sleep,
            clock=self._t.clock,
            timeout=timeout,
            on_poll=on_poll,
            initial_interval=initial_interval,
            max_interval=max_interval,
            factor=FACTOR,
        )
