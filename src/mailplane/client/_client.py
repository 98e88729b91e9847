"""`Client` and `AsyncClient`: the entry points."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import TracebackType

import httpx

from ._base import AsyncTransport, SyncTransport
from .aliases import AliasDomains, AsyncAliasDomains, AsyncEmailAliases, EmailAliases
from .domains import AsyncDomains, Domains
from .email_accounts import AsyncEmailAccounts, EmailAccounts
from .postmasters import AsyncPostmasters, Postmasters
from .webhooks import AsyncWebhooks, Webhooks

__all__ = ["AsyncClient", "Client"]


class Client:
    """Synchronous client of the Management API (mailplane or Qboxmail).

    `base_url` defaults to `$QBOXMAIL_API_BASE`, else `https://api.qboxmail.com/api`;
    `token` to `$QBOXMAIL_API_TOKEN` (an error if neither is set). Every call has a
    `timeout` (seconds); calls safe to repeat are retried up to `max_retries` times on
    429, 5xx and network errors, with backoff and jitter, honouring `Retry-After`.
    Pass `http_client` to use your own `httpx.Client` (e.g. Starlette's `TestClient` for an
    in-process server); `timeout` still applies to each call, and `close()` leaves it open.

        with Client() as client:
            code = client.domains.create("example.com", "s3cret-pass1")
            domain = client.domains.retrieve(code)
    """

    domains: Domains
    email_accounts: EmailAccounts
    postmasters: Postmasters
    aliases: EmailAliases
    alias_domains: AliasDomains
    webhooks: Webhooks

    def __init__(
        self,
        base_url: str | None = None,
        token: str | None = None,
        *,
        timeout: float = 30.0,
        max_retries: int = 3,
        http_client: httpx.Client | None = None,
        _sleep: Callable[[float], None] | None = None,
        _clock: Callable[[], float] | None = None,
    ) -> None:
        self._transport = SyncTransport(
            base_url,
            token,
            timeout=timeout,
            max_retries=max_retries,
            http_client=http_client,
            sleep=_sleep,
            clock=_clock,
        )
        self.domains = Domains(self._transport)
        self.email_accounts = EmailAccounts(self._transport)
        self.postmasters = Postmasters(self._transport)
        self.aliases = EmailAliases(self._transport)
        self.alias_domains = AliasDomains(self._transport)
        self.webhooks = Webhooks(self._transport)

    @property
    def base_url(self) -> str:
        """The API base URL in use, without trailing slash."""
        return self._transport.base_url

    @property
    def timeout(self) -> float:
        return self._transport.timeout

    @property
    def max_retries(self) -> int:
        return self._transport.max_retries

    def close(self) -> None:
        """Close the underlying HTTP connections (unless the `http_client` was yours)."""
        self._transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Client base_url={self.base_url!r}>"


class AsyncClient:
    """Asynchronous twin of `Client`: same arguments, same namespaces, awaitable methods,
    `async for` over lists, `async with` to close.
    """

    domains: AsyncDomains
    email_accounts: AsyncEmailAccounts
    postmasters: AsyncPostmasters
    aliases: AsyncEmailAliases
    alias_domains: AsyncAliasDomains
    webhooks: AsyncWebhooks

    def __init__(
        self,
        base_url: str | None = None,
        token: str | None = None,
        *,
        timeout: float = 30.0,
        max_retries: int = 3,
        http_client: httpx.AsyncClient | None = None,
        _sleep: Callable[[float], Awaitable[None]] | None = None,
        _clock: Callable[[], float] | None = None,
    ) -> None:
        self._transport = AsyncTransport(
            base_url,
            token,
            timeout=timeout,
            max_retries=max_retries,
            http_client=http_client,
            sleep=_sleep,
            clock=_clock,
        )
        self.domains = AsyncDomains(self._transport)
        self.email_accounts = AsyncEmailAccounts(self._transport)
        self.postmasters = AsyncPostmasters(self._transport)
        self.aliases = AsyncEmailAliases(self._transport)
        self.alias_domains = AsyncAliasDomains(self._transport)
        self.webhooks = AsyncWebhooks(self._transport)

    @property
    def base_url(self) -> str:
        """The API base URL in use, without trailing slash."""
        return self._transport.base_url

    @property
    def timeout(self) -> float:
        return self._transport.timeout

    @property
    def max_retries(self) -> int:
        return self._transport.max_retries

    async def close(self) -> None:
        """Close the underlying HTTP connections (unless the `http_client` was yours)."""
        await self._transport.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"<AsyncClient base_url={self.base_url!r}>"
