"""Tokens a process has looked up recently, so that each request need not ask the database."""

from __future__ import annotations

import threading
import time

from mailplane.service.principal import Principal

MAX_ENTRIES = 10_000


class PrincipalCache:
    """Token digest → principal, each entry trusted for ``ttl`` seconds."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def get(self, digest: str) -> Principal | None:
        entry = self._entries.get(digest)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, digest: str, principal: Principal) -> None:
        if self.ttl <= 0:
            return
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[digest] = (time.monotonic() + self.ttl, principal)

    def clear(self) -> None:
        """Forget everything (a token was revoked in this process)."""
        with self._lock:
            self._entries.clear()
