"""What a running mailplane process holds: settings, the database, wake-ups, the backends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from mailplane.backends.mail import MailBackend
from mailplane.config import Settings
from mailplane.reconcile.wakeup import Wakeup, notify_postgres
from mailplane.service.token_cache import PrincipalCache
from mailplane.store.db import Database


class Runtime:
    def __init__(self, settings: Settings, db: Database | None = None) -> None:
        self.settings = settings
        self.db = db or Database(settings.effective_database_url)
        self.wakeup = Wakeup()
        self.principals = PrincipalCache(settings.token_cache_seconds)
        self._backend: MailBackend | None = None

    @property
    def backend(self) -> MailBackend:
        if self._backend is None:
            self._backend = make_backend(self.settings, self.db)
        return self._backend

    @contextmanager
    def change(self) -> Iterator[Session]:
        """A unit of work that may queue work: workers wake up once it commits."""
        with self.db.write() as session:
            yield session
            if self.db.is_postgres:
                notify_postgres(session)
        self.wakeup.notify()

    def close(self) -> None:
        self.db.dispose()


def make_backend(settings: Settings, db: Database) -> MailBackend:
    if settings.mail_backend == "dovecot":
        from mailplane.backends.dovecot import DovecotBackend

        return DovecotBackend(settings)
    from mailplane.backends.sandbox import SandboxBackend

    return SandboxBackend(db, settings.sandbox_delay_seconds)
