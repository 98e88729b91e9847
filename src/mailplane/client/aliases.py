"""`client.aliases` (email aliases) and `client.alias_domains` (alias domains)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Sequence
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
from .models import AliasDomain, EmailAlias, OwnershipCheck, Page
from .pagination import aiter_pages, iter_pages
from .waiters import DEFAULT_TIMEOUT, FACTOR, INITIAL_INTERVAL, MAX_INTERVAL, wait_async, wait_sync

__all__ = ["AliasDomains", "AsyncAliasDomains", "AsyncEmailAliases", "EmailAliases"]

_ALIASES = "alias_email_accounts"
_ALIAS_DOMAINS = "aliases"


def _list_params(
    page: int,
    per: int,
    query: str | None,
    status: str | None,
    sort_field: str | None,
    sort: str | None,
) -> dict[str, Any]:
    return list_params(page, per, query, status, sort_field, sort)


# --- email aliases ----------------------------------------------------------------------------


def _alias_create(domain_code: str, name: str, destinations: Sequence[str]) -> Call[str]:
    body = {"name": name, "destinations": [*destinations]}
    return Call("POST", path("domains", domain_code, _ALIASES), parse_created, json=body)


def _alias_retrieve(domain_code: str, code: str) -> Call[EmailAlias]:
    return Call("GET", path("domains", domain_code, _ALIASES, code), parse_one(EmailAlias))


def _alias_page(domain_code: str, params: dict[str, Any]) -> Call[Page[EmailAlias]]:
    return Call(
        "GET", path("domains", domain_code, _ALIASES), parse_page(EmailAlias), params=params
    )


def _alias_update(domain_code: str, code: str, destinations: Sequence[str]) -> Call[None]:
    body = {"destinations": [*destinations]}
    return Call("PUT", path("domains", domain_code, _ALIASES, code), parse_none, json=body)


def _alias_delete(domain_code: str, code: str) -> Call[None]:
    return Call("DELETE", path("domains", domain_code, _ALIASES, code), parse_none)


class EmailAliases:
    """Email aliases of a domain. Reached as `client.aliases`."""

    def __init__(self, transport: SyncTransport) -> None:
        self._t = transport

    def create(self, domain_code: str, name: str, destinations: Sequence[str]) -> str:
        """Create alias `name@<domain>` forwarding to `destinations`; returns its code."""
        return self._t.call(_alias_create(domain_code, name, destinations))

    def retrieve(self, domain_code: str, code: str) -> EmailAlias:
        """Read one alias."""
        return self._t.call(_alias_retrieve(domain_code, code))

    def list_page(
        self,
        domain_code: str,
        page: int = 1,
        per: int = 25,
        *,
        query: str | None = None,
        status: str | None = None,
        sort_field: str | None = None,
        sort: str | None = None,
    ) -> Page[EmailAlias]:
        """Read one page of a domain's aliases."""
        params = _list_params(page, per, query, status, sort_field, sort)
        return self._t.call(_alias_page(domain_code, params))

    def list(
        self, domain_code: str, *, query: str | None = None, per: int = 100
    ) -> Iterator[EmailAlias]:
        """Iterate over every alias of a domain."""
        return iter_pages(lambda page: self.list_page(domain_code, page, per, query=query), per)

    def update(self, domain_code: str, code: str, destinations: Sequence[str]) -> None:
        """Replace an alias's destinations."""
        self._t.call(_alias_update(domain_code, code, destinations))

    def delete(self, domain_code: str, code: str) -> None:
        """Delete an alias."""
        self._t.call(_alias_delete(domain_code, code))


class AsyncEmailAliases:
    """Email aliases of a domain, async. Reached as `async_client.aliases`."""

    def __init__(self, transport: AsyncTransport) -> None:
        self._t = transport

    async def create(self, domain_code: str, name: str, destinations: Sequence[str]) -> str:
        """Create alias `name@<domain>` forwarding to `destinations`; returns its code."""
        return await self._t.call(_alias_create(domain_code, name, destinations))

    async def retrieve(self, domain_code: str, code: str) -> EmailAlias:
        """Read one alias."""
        return await self._t.call(_alias_retrieve(domain_code, code))

    async def list_page(
        self,
        domain_code: str,
        page: int = 1,
        per: int = 25,
        *,
        query: str | None = None,
        status: str | None = None,
        sort_field: str | None = None,
        sort: str | None = None,
    ) -> Page[EmailAlias]:
        """Read one page of a domain's aliases."""
        params = _list_params(page, per, query, status, sort_field, sort)
        return await self._t.call(_alias_page(domain_code, params))

    def list(
        self, domain_code: str, *, query: str | None = None, per: int = 100
    ) -> AsyncIterator[EmailAlias]:
        """Iterate (`async for`) over every alias of a domain."""
        return aiter_pages(lambda page: self.list_page(domain_code, page, per, query=query), per)

    async def update(self, domain_code: str, code: str, destinations: Sequence[str]) -> None:
        """Replace an alias's destinations."""
        await self._t.call(_alias_update(domain_code, code, destinations))

    async def delete(self, domain_code: str, code: str) -> None:
        """Delete an alias."""
        await self._t.call(_alias_delete(domain_code, code))


# --- alias domains ----------------------------------------------------------------------------


def _ad_create(domain_code: str, name: str) -> Call[str]:
    return Call(
        "POST", path("domains", domain_code, _ALIAS_DOMAINS), parse_created, json={"name": name}
    )


def _ad_retrieve(domain_code: str, code: str, max_retries: int | None = None) -> Call[AliasDomain]:
    return Call(
        "GET",
        path("domains", domain_code, _ALIAS_DOMAINS, code),
        parse_one(AliasDomain),
        max_retries=max_retries,
    )


def _ad_page(domain_code: str, params: dict[str, Any]) -> Call[Page[AliasDomain]]:
    return Call(
        "GET", path("domains", domain_code, _ALIAS_DOMAINS), parse_page(AliasDomain), params=params
    )


def _ad_delete(domain_code: str, code: str) -> Call[None]:
    return Call("DELETE", path("domains", domain_code, _ALIAS_DOMAINS, code), parse_none)


def _ad_action(domain_code: str, code: str, action: str) -> Call[None]:
    return Call("PUT", path("domains", domain_code, _ALIAS_DOMAINS, code, action), parse_none)


def _ad_verify_sync(domain_code: str, code: str) -> Call[OwnershipCheck]:
    return Call(
        "PUT",
        path("domains", domain_code, _ALIAS_DOMAINS, code, "dns_ownership_check", "sync"),
        parse_model(OwnershipCheck),
    )


def _ad_ready(predicate: Callable[[AliasDomain], bool] | None) -> Callable[[AliasDomain], bool]:
    return lambda a: a.is_ready and (predicate is None or predicate(a))


class AliasDomains:
    """Alias domains of a domain. Reached as `client.alias_domains`."""

    def __init__(self, transport: SyncTransport) -> None:
        self._t = transport

    def create(self, domain_code: str, name: str) -> str:
        """Create alias domain `name` (it then needs an ownership proof); returns its code."""
        return self._t.call(_ad_create(domain_code, name))

    def retrieve(self, domain_code: str, code: str) -> AliasDomain:
        """Read one alias domain."""
        return self._t.call(_ad_retrieve(domain_code, code))

    def list_page(
        self,
        domain_code: str,
        page: int = 1,
        per: int = 25,
        *,
        query: str | None = None,
        status: str | None = None,
        sort_field: str | None = None,
        sort: str | None = None,
    ) -> Page[AliasDomain]:
        """Read one page of a domain's alias domains."""
        params = _list_params(page, per, query, status, sort_field, sort)
        return self._t.call(_ad_page(domain_code, params))

    def list(
        self, domain_code: str, *, query: str | None = None, per: int = 100
    ) -> Iterator[AliasDomain]:
        """Iterate over every alias domain of a domain."""
        return iter_pages(lambda page: self.list_page(domain_code, page, per, query=query), per)

    def delete(self, domain_code: str, code: str) -> None:
        """Delete an alias domain."""
        self._t.call(_ad_delete(domain_code, code))

    def verify_dns_ownership(self, domain_code: str, code: str) -> None:
        """Queue a DNS ownership check of the alias domain."""
        self._t.call(_ad_action(domain_code, code, "dns_ownership_check"))

    def verify_dns_ownership_sync(self, domain_code: str, code: str) -> OwnershipCheck:
        """Check the alias domain's DNS ownership now and return what was found."""
        return self._t.call(_ad_verify_sync(domain_code, code))

    def skip_ownership_check(self, domain_code: str, code: str) -> None:
        """Sandbox only: mark ownership proven and queue activation."""
        self._t.call(_ad_action(domain_code, code, "skip_ownership_check"))

    def wait_until_enabled(
        self,
        domain_code: str,
        code: str,
        *,
        predicate: Callable[[AliasDomain], bool] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        on_poll: Callable[[AliasDomain], None] | None = None,
        initial_interval: float = INITIAL_INTERVAL,
        max_interval: float = MAX_INTERVAL,
    ) -> AliasDomain:
        """Poll until the alias domain is `enabled` / `ok`."""
        return wait_sync(
            lambda: self._t.call(_ad_retrieve(domain_code, code, max_retries=0)),
            _ad_ready(predicate),
            what=f"alias domain {code} to be enabled",
            sleep=self._t.sleep,
            clock=self._t.clock,
            timeout=timeout,
            on_poll=on_poll,
            initial_interval=initial_interval,
            max_interval=max_interval,
            factor=FACTOR,
        )


class AsyncAliasDomains:
    """Alias domains of a domain, async. Reached as `async_client.alias_domains`."""

    def __init__(self, transport: AsyncTransport) -> None:
        self._t = transport

    async def create(self, domain_code: str, name: str) -> str:
        """Create alias domain `name`; returns its code."""
        return await self._t.call(_ad_create(domain_code, name))

    async def retrieve(self, domain_code: str, code: str) -> AliasDomain:
        """Read one alias domain."""
        return await self._t.call(_ad_retrieve(domain_code, code))

    async def list_page(
        self,
        domain_code: str,
        page: int = 1,
        per: int = 25,
        *,
        query: str | None = None,
        status: str | None = None,
        sort_field: str | None = None,
        sort: str | None = None,
    ) -> Page[AliasDomain]:
        """Read one page of a domain's alias domains."""
        params = _list_params(page, per, query, status, sort_field, sort)
        return await self._t.call(_ad_page(domain_code, params))

    def list(
        self, domain_code: str, *, query: str | None = None, per: int = 100
    ) -> AsyncIterator[AliasDomain]:
        """Iterate (`async for`) over every alias domain of a domain."""
        return aiter_pages(lambda page: self.list_page(domain_code, page, per, query=query), per)

    async def delete(self, domain_code: str, code: str) -> None:
        """Delete an alias domain."""
        await self._t.call(_ad_delete(domain_code, code))

    async def verify_dns_ownership(self, domain_code: str, code: str) -> None:
        """Queue a DNS ownership check of the alias domain."""
        await self._t.call(_ad_action(domain_code, code, "dns_ownership_check"))

    async def verify_dns_ownership_sync(self, domain_code: str, code: str) -> OwnershipCheck:
        """Check the alias domain's DNS ownership now and return what was found."""
        return await self._t.call(_ad_verify_sync(domain_code, code))

    async def skip_ownership_check(self, domain_code: str, code: str) -> None:
        """Sandbox only: mark ownership proven and queue activation."""
        await self._t.call(_ad_action(domain_code, code, "skip_ownership_check"))

    async def wait_until_enabled(
        self,
        domain_code: str,
        code: str,
        *,
        predicate: Callable[[AliasDomain], bool] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        on_poll: Callable[[AliasDomain], None] | None = None,
        initial_interval: float = INITIAL_INTERVAL,
        max_interval: float = MAX_INTERVAL,
    ) -> AliasDomain:
        """Poll until the alias domain is `enabled` / `ok`."""
        return await wait_async(
            lambda: self._t.call(_ad_retrieve(domain_code, code, max_retries=0)),
            _ad_ready(predicate),
            what=f"alias domain {code} to be enabled",
            sleep=self._t.sleep,
            clock=self._t.clock,
            timeout=timeout,
            on_poll=on_poll,
            initial_interval=initial_interval,
            max_interval=max_interval,
            factor=FACTOR,
        )
