"""`client.email_accounts`: mailboxes of a domain (`/domains/{d}/email_accounts`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from ._base import (
    AsyncTransport,
    Call,
    SyncTransport,
    compact,
    list_params,
    parse_created,
    parse_none,
    parse_one,
    parse_page,
    path,
)
from .models import EmailAccount, Page
from .pagination import aiter_pages, iter_pages
from .waiters import DEFAULT_TIMEOUT, FACTOR, INITIAL_INTERVAL, MAX_INTERVAL, wait_async, wait_sync

__all__ = ["AsyncEmailAccounts", "EmailAccounts"]

_ROOT = "email_accounts"


def _create(
    domain_code: str,
    name: str,
    password: str,
    firstname: str,
    lastname: str | None,
    fields: dict[str, Any],
) -> Call[str]:
    body: dict[str, Any] = compact(
        {
            "name": name,
            "firstname": firstname,
            "lastname": lastname,
            "password": password,
            "password_confirmation": password,
        }
    )
    body.update(fields)
    return Call("POST", path("domains", domain_code, _ROOT), parse_created, json=body)


def _retrieve(domain_code: str, code: str, max_retries: int | None = None) -> Call[EmailAccount]:
    return Call(
        "GET",
        path("domains", domain_code, _ROOT, code),
        parse_one(EmailAccount),
        max_retries=max_retries,
    )


def _list_page(
    domain_code: str,
    page: int,
    per: int,
    query: str | None,
    status: str | None,
    sort_field: str | None,
    sort: str | None,
) -> Call[Page[EmailAccount]]:
    return Call(
        "GET",
        path("domains", domain_code, _ROOT),
        parse_page(EmailAccount),
        params=list_params(page, per, query, status, sort_field, sort),
    )


def _update(domain_code: str, code: str, fields: dict[str, Any]) -> Call[None]:
    body = dict(fields)
    if "password" in body and "password_confirmation" not in body:
        body["password_confirmation"] = body["password"]
    return Call("PUT", path("domains", domain_code, _ROOT, code), parse_none, json=body)


def _set_status(domain_code: str, code: str, status: str, bounce_msg: str | None) -> Call[None]:
    body = compact({"status": status, "bounce_msg": bounce_msg})
    return Call("PUT", path("domains", domain_code, _ROOT, code, "status"), parse_none, json=body)


def _delete(domain_code: str, code: str) -> Call[None]:
    return Call("DELETE", path("domains", domain_code, _ROOT, code), parse_none)


def _ready(predicate: Callable[[EmailAccount], bool] | None) -> Callable[[EmailAccount], bool]:
    return lambda a: a.is_ready and (predicate is None or predicate(a))


class EmailAccounts:
    """Mailboxes. Reached as `client.email_accounts`."""

    def __init__(self, transport: SyncTransport) -> None:
        self._t = transport

    def create(
        self,
        domain_code: str,
        name: str,
        password: str,
        *,
        firstname: str,
        lastname: str | None = None,
        **fields: Any,
    ) -> str:
        """Create a mailbox `name@<domain>`; returns its code (`EA…`).

        The domain must be enabled. Extra keyword arguments (`max_email_quota`, `language`,
        ...) are sent as is; `password_confirmation` defaults to the password.
        """
        return self._t.call(_create(domain_code, name, password, firstname, lastname, fields))

    def retrieve(self, domain_code: str, code: str) -> EmailAccount:
        """Read one mailbox (a postmaster code works too)."""
        return self._t.call(_retrieve(domain_code, code))

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
    ) -> Page[EmailAccount]:
        """Read one page of a domain's mailboxes."""
        return self._t.call(_list_page(domain_code, page, per, query, status, sort_field, sort))

    def list(
        self,
        domain_code: str,
        *,
        query: str | None = None,
        status: str | None = None,
        sort_field: str | None = None,
        sort: str | None = None,
        per: int = 100,
    ) -> Iterator[EmailAccount]:
        """Iterate over every mailbox of a domain (postmaster included)."""
        return iter_pages(
            lambda page: self.list_page(
                domain_code, page, per, query=query, status=status, sort_field=sort_field, sort=sort
            ),
            per,
        )

    def update(self, domain_code: str, code: str, **fields: Any) -> None:
        """Change a mailbox (`max_email_quota=...`, `password=...`, ...); queued where needed."""
        self._t.call(_update(domain_code, code, fields))

    def set_status(
        self, domain_code: str, code: str, status: str, bounce_msg: str | None = None
    ) -> None:
        """Enable or disable a mailbox; `bounce_msg` is what senders see while disabled."""
        self._t.call(_set_status(domain_code, code, status, bounce_msg))

    def delete(self, domain_code: str, code: str) -> None:
        """Delete a mailbox; applied asynchronously."""
        self._t.call(_delete(domain_code, code))

    def wait_until_enabled(
        self,
        domain_code: str,
        code: str,
        *,
        predicate: Callable[[EmailAccount], bool] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        on_poll: Callable[[EmailAccount], None] | None = None,
        initial_interval: float = INITIAL_INTERVAL,
        max_interval: float = MAX_INTERVAL,
    ) -> EmailAccount:
        """Poll until the mailbox is `enabled` / `ok` and `predicate` (if given) holds.

        E.g. `predicate=lambda a: a.max_email_quota == quota` waits for a quota change too.
        Transient errors are ridden out; `WaitTimeoutError` reports the last status seen.
        """
        return wait_sync(
            lambda: self._t.call(_retrieve(domain_code, code, max_retries=0)),
            _ready(predicate),
            what=f"mailbox {code} to be enabled",
            sleep=self._t.sleep,
            clock=self._t.clock,
            timeout=timeout,
            on_poll=on_poll,
            initial_interval=initial_interval,
            max_interval=max_interval,
            factor=FACTOR,
        )


class AsyncEmailAccounts:
    """Mailboxes, async. Reached as `async_client.email_accounts`."""

    def __init__(self, transport: AsyncTransport) -> None:
        self._t = transport

    async def create(
        self,
        domain_code: str,
        name: str,
        password: str,
        *,
        firstname: str,
        lastname: str | None = None,
        **fields: Any,
    ) -> str:
        """Create a mailbox `name@<domain>`; returns its code (`EA…`)."""
        return await self._t.call(_create(domain_code, name, password, firstname, lastname, fields))

    async def retrieve(self, domain_code: str, code: str) -> EmailAccount:
        """Read one mailbox."""
        return await self._t.call(_retrieve(domain_code, code))

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
    ) -> Page[EmailAccount]:
        """Read one page of a domain's mailboxes."""
        return await self._t.call(
            _list_page(domain_code, page, per, query, status, sort_field, sort)
        )

    def list(
        self,
        domain_code: str,
        *,
        query: str | None = None,
        status: str | None = None,
        sort_field: str | None = None,
        sort: str | None = None,
        per: int = 100,
    ) -> AsyncIterator[EmailAccount]:
        """Iterate (`async for`) over every mailbox of a domain."""
        return aiter_pages(
            lambda page: self.list_page(
                domain_code, page, per, query=query, status=status, sort_field=sort_field, sort=sort
            ),
            per,
        )

    async def update(self, domain_code: str, code: str, **fields: Any) -> None:
        """Change a mailbox; queued where the mail server must change."""
        await self._t.call(_update(domain_code, code, fields))

    async def set_status(
        self, domain_code: str, code: str, status: str, bounce_msg: str | None = None
    ) -> None:
        """Enable or disable a mailbox."""
        await self._t.call(_set_status(domain_code, code, status, bounce_msg))

    async def delete(self, domain_code: str, code: str) -> None:
        """Delete a mailbox; applied asynchronously."""
        await self._t.call(_delete(domain_code, code))

    async def wait_until_enabled(
        self,
        domain_code: str,
        code: str,
        *,
        predicate: Callable[[EmailAccount], bool] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        on_poll: Callable[[EmailAccount], None] | None = None,
        initial_interval: float = INITIAL_INTERVAL,
        max_interval: float = MAX_INTERVAL,
    ) -> EmailAccount:
        """Poll until the mailbox is `enabled` / `ok` and `predicate` (if given) holds."""
        return await wait_async(
            lambda: self._t.call(_retrieve(domain_code, code, max_retries=0)),
            _ready(predicate),
            what=f"mailbox {code} to be enabled",
            sleep=self._t.sleep,
            clock=self._t.clock,
            timeout=timeout,
            on_poll=on_poll,
            initial_interval=initial_interval,
            max_interval=max_interval,
            factor=FACTOR,
        )
