"""Immediate wake-ups for workers: in-process, and across hosts with PostgreSQL LISTEN/NOTIFY."""

from __future__ import annotations

import logging
import threading

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
CHANNEL = "mailplane_work"


class Wakeup:
    """A sequence number that grows on every notify; waiters sleep until it moves."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._seq = 0

    @property
    def seq(self) -> int:
        return self._seq

    def notify(self, waiters: int = 1) -> None:
        """Wake ``waiters`` sleeping workers (one by default: a single change is one row of
        work, and waking every thread only sets them racing for it)."""
        with self._cond:
            self._seq += 1
            self._cond.notify(waiters)

    def notify_all(self) -> None:
        with self._cond:
            self._seq += 1
            self._cond.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        """Sleep until notified after ``seen`` or ``timeout`` seconds; return the new number."""
        with self._cond:
            self._cond.wait_for(lambda: self._seq != seen, timeout)
            return self._seq


def notify_postgres(session: Session) -> None:
    """Queue a NOTIFY that PostgreSQL delivers when the session's transaction commits."""
    session.execute(text(f"NOTIFY {CHANNEL}"))


class PostgresListener(threading.Thread):
    """Turns NOTIFYs from other processes into local wake-ups."""

    def __init__(self, url: str, wakeup: Wakeup, stop: threading.Event) -> None:
        super().__init__(name="mailplane-listen", daemon=True)
        parsed = make_url(url).set(drivername="postgresql")
        self._dsn = parsed.render_as_string(hide_password=False)
        self._wakeup = wakeup
        self._halt = stop

    def run(self) -> None:
        while not self._halt.is_set():
            try:
                with psycopg.connect(self._dsn, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    while not self._halt.is_set():
                        for _ in conn.notifies(timeout=1.0, stop_after=1):
                            self._wakeup.notify()
            except psycopg.Error as exc:
                log.warning("LISTEN connection lost (%s); retrying", exc.__class__.__name__)
                self._halt.wait(1.0)
