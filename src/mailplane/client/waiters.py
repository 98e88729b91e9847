"""Polling until a resource reaches a state, with growing intervals and a deadline."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from .errors import APIConnectionError, RateLimitError, ServerError, WaitTimeoutError
from .models import StatusResource

__all__ = ["DEFAULT_TIMEOUT", "TRANSIENT_ERRORS", "wait_sync", "wait_async"]

R = TypeVar("R", bound=StatusResource)

DEFAULT_TIMEOUT = 1800.0
INITIAL_INTERVAL = 0.5
MAX_INTERVAL = 10.0
FACTOR = 1.5

# Errors a waiter rides out until its deadline: the network, the server, the rate limiter.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (APIConnectionError, ServerError, RateLimitError)

OnPoll = Callable[[R], None]


class _Poller:
    """The bookkeeping shared by the sync and async waiters."""

    def __init__(
        self,
        what: str,
        clock: Callable[[], float],
        timeout: float,
        initial_interval: float,
        max_interval: float,
        factor: float,
    ) -> None:
        self.what = what
        self.clock = clock
        self.timeout = timeout
        self.deadline = clock() + timeout
        self.interval = initial_interval
        self.max_interval = max_interval
        self.factor = factor
        self.last: StatusResource | None = None
        self.last_error: Exception | None = None
        self.polls = 0

    def next_delay(self) -> float | None:
        """Seconds to sleep before the next poll, or None when the deadline has passed."""
        remaining = self.deadline - self.clock()
        if remaining <= 0:
            return None
        delay = self.interval
        if isinstance(self.last_error, RateLimitError) and self.last_error.retry_after:
            delay = max(delay, self.last_error.retry_after)
        self.interval = min(self.interval * self.factor, self.max_interval)
        return min(delay, remaining)

    def give_up(self) -> WaitTimeoutError:
        text = f"Timed out after {self.timeout:g}s waiting for {self.what}"
        if self.last is not None:
            text += f"; last seen {self.last.status}/{self.last.status_detail}"
            if self.last.status_message:
                text += f" ({self.last.status_message})"
        if self.last_error is not None:
            text += f"; last error: {self.last_error}"
        return WaitTimeoutError(text, last_resource=self.last, last_error=self.last_error)


def wait_sync(
    load: Callable[[], R],
    ready: Callable[[R], bool],
    *,
    what: str,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
    timeout: float = DEFAULT_TIMEOUT,
    on_poll: Callable[[R], None] | None = None,
    initial_interval: float = INITIAL_INTERVAL,
    max_interval: float = MAX_INTERVAL,
    factor: float = FACTOR,
) -> R:
    """Call `load` until `ready(resource)`; `on_poll` sees each resource that is not ready yet.

    Transient errors (network, 5xx, 429) are ridden out until the deadline; any other error
    is raised at once. Raises `WaitTimeoutError` with the last status seen at the deadline.
    """
    poller = _Poller(what, clock, timeout, initial_interval, max_interval, factor)
    while True:
        try:
            resource = load()
        except TRANSIENT_ERRORS as exc:
            poller.last_error = exc
        else:
            poller.last = resource
            poller.last_error = None
            if ready(resource):
                return resource
            if on_poll is not None:
                on_poll(resource)
        delay = poller.next_delay()
        if delay is None:
            raise poller.give_up()
        sleep(delay)


async def wait_async(
    load: Callable[[], Awaitable[R]],
    ready: Callable[[R], bool],
    *,
    what: str,
    sleep: Callable[[float], Awaitable[None]],
    clock: Callable[[], float],
    timeout: float = DEFAULT_TIMEOUT,
    on_poll: Callable[[R], None] | None = None,
    initial_interval: float = INITIAL_INTERVAL,
    max_interval: float = MAX_INTERVAL,
    factor: float = FACTOR,
) -> R:
    """Async twin of `wait_sync`."""
    poller = _Poller(what, clock, timeout, initial_interval, max_interval, factor)
    while True:
        try:
            resource = await load()
        except TRANSIENT_ERRORS as exc:
            poller.last_error = exc
        else:
            poller.last = resource
            poller.last_error = None
            if ready(resource):
                return resource
            if on_poll is not None:
                on_poll(resource)
        delay = poller.next_delay()
        if delay is None:
            raise poller.give_up()
        await sleep(delay)
