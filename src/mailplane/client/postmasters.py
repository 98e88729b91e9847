"""`client.postmasters`: the postmaster accounts visible to the token (`/postmasters`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from ._base import AsyncTransport, Call, SyncTransport, list_params, parse_page, path
from .models import Page, Postmaster
from .pagination import aiter_pages, iter_pages

__all__ = ["AsyncPostmasters", "Postmasters"]


def _list_page(
    page: int,
    per: int,
    query: str | None,
    status: str | None,
    sort_field: str | None,
    sort: str | None,
) -> Call[Page[Postmaster]]:
    params = list_params(page, per, query, status, sort_field, sort)
    return Call("GET", path("postmasters"), parse_page(Postmaster), params=params)


class Postmasters:
    """Postmaster accounts. Reached as `client.postmasters`."""

    def __init__(self, transport: SyncTransport) -> None:
        self._t = transport

    def list_page(
        self,
        page: int = 1,
        per: int = 25,
        *,
        query: str | None = None,
        status: str | None = None,
        sort_field: str | None = None,
        sort: str | None = None,
    ) -> Page[Postmaster]:
        """Read one page of postmaster accounts."""
        return self._t.call(_list_page(page, per, query, status, sort_field, sort))

    def list(
        self,
        *,
        query: str | None = None,
        status: str | None = None,
        sort_field: str | None = None,
        sort: str | None = None,
        per: int = 100,
    ) -> Iterator[Postmaster]:
        """Iterate over every postmaster account visible to the token."""
        return iter_pages(
            lambda page: self.list_page(
                page, per, query=query, status=status, sort_field=sort_field, sort=sort
            ),
            per,
        )


class AsyncPostmasters:
    """Postmaster accounts, async. Reached as `async_client.postmasters`."""

    def __init__(self, transport: AsyncTransport) -> None:
        self._t = transport

    async def list_page(
        self,
        page: int = 1,
        per: int = 25,
        *,
        query: str | None = None,
        status: str | None = None,
        sort_field: str | None = None,
        sort: str | None = None,
    ) -> Page[Postmaster]:
        """Read one page of postmaster accounts."""
        return await self._t.call(_list_page(page, per, query, status, sort_field, sort))

    def list(
        self,
        *,
        query: str | None = None,
        status: str | None = None,
        sort_field: str | None = None,
        sort: str | None = None,
        per: int = 100,
    ) -> AsyncIterator[Postmaster]:
        """Iterate (`async for`) over every postmaster account visible to the token."""
        return aiter_pages(
            lambda page: self.list_page(
                page, per, query=query, status=status, sort_field=sort_field, sort=sort
            ),
            per,
        )
