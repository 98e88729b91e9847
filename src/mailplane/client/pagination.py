"""Iterators that walk every page of a list endpoint."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import TypeVar

from pydantic import BaseModel

from .models import Page

__all__ = ["iter_pages", "aiter_pages"]

M = TypeVar("M", bound=BaseModel)


def iter_pages(fetch: Callable[[int], Page[M]], per: int, start: int = 1) -> Iterator[M]:
    """Yield every resource, fetching page after page until the last one."""
    page = start
    while True:
        result = fetch(page)
        yield from result.resources
        if not result.has_next(per):
            return
        page += 1


async def aiter_pages(
    fetch: Callable[[int], Awaitable[Page[M]]], per: int, start: int = 1
) -> AsyncIterator[M]:
    """Async twin of `iter_pages`."""
    page = start
    while True:
        result = await fetch(page)
        for resource in result.resources:
            yield resource
        if not result.has_next(per):
            return
        page += 1
