"""The worker: claims due rows with a lease, runs one step each, wakes on new work."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import or_, select, update

from mailplane.clock import utcnow
from mailplane.reconcile.alias_steps import run_alias, run_alias_domain
from mailplane.reconcile.deliveries import Deliverer
from mailplane.reconcile.steps import Claim, Row, record_failure, run_domain, run_mailbox
from mailplane.reconcile.usage import refresh_usage
from mailplane.reconcile.wakeup import PostgresListener
from mailplane.runtime import Runtime
from mailplane.store.tables import AliasDomain, Domain, EmailAccount, EmailAlias

log = logging.getLogger(__name__)
BATCH = 16


class Worker:
    """One worker thread's loop. Any number may run, in one process or on many hosts."""

    def __init__(self, rt: Runtime, name: str | None = None) -> None:
        self.rt = rt
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.deliveries = Deliverer(rt, self.name)

    def claim(self, model: type[Row], limit: int = BATCH) -> list[Claim]:
        """Lease up to ``limit`` due rows that no live lease holds."""
        now = utcnow()
        lease_until = now + timedelta(seconds=self.rt.settings.worker_lease_seconds)
        due = (
            select(model.id)
            .where(
                model.due_at <= now,
                or_(model.lease_until.is_(None), model.lease_until < now),
            )
            .order_by(model.due_at)
            .limit(limit)
        )
        if not self.rt.db.exists(due):
            return []
        if self.rt.db.is_postgres:
            due = due.with_for_update(skip_locked=True)
        stmt = (
            update(model)
            .where(model.id.in_(due.scalar_subquery()))
            .values(lease_owner=self.name, lease_until=lease_until)
            .returning(model.id, model.generation)
        )
        with self.rt.db.write() as session:
            rows = session.execute(stmt, execution_options={"synchronize_session": False})
            return [Claim(id=row[0], generation=row[1], owner=self.name) for row in rows]

    def renew(self, model: type[Row], claim: Claim) -> bool:
        """Extend the lease before a step; False when it was lost (it outlived its lease)."""
        lease_until = utcnow() + timedelta(seconds=self.rt.settings.worker_lease_seconds)
        with self.rt.db.write() as session:
            result = session.execute(
                update(model)
                .where(model.id == claim.id, model.lease_owner == claim.owner)
                .values(lease_until=lease_until),
                execution_options={"synchronize_session": False},
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def release(self, model: type[Row], claim: Claim) -> None:
        with self.rt.db.write() as session:
            session.execute(
                update(model)
                .where(model.id == claim.id, model.lease_owner == claim.owner)
                .values(lease_owner=None, lease_until=None),
                execution_options={"synchronize_session": False},
            )

    def run_once(self) -> int:
        """Claim and process what is due now; return how many rows were handled."""
        return (
            self._drain(Domain, run_domain)
            + self._drain(EmailAccount, run_mailbox)
            + self._drain(EmailAlias, run_alias)
            + self._drain(AliasDomain, run_alias_domain)
            + self.deliveries.run_once()  # webhook events, after the steps that wrote them
        )

    def _drain(self, model: type[Row], step: Callable[[Runtime, Claim], None]) -> int:
        claims = self.claim(model)
        claimed = time.monotonic()
        fresh = self.rt.settings.worker_lease_seconds / 4
        for claim in claims:
            # a lease taken moments ago needs no renewal; later rows of the batch do
            if time.monotonic() - claimed > fresh and not self.renew(model, claim):
                continue
            try:
                step(self.rt, claim)
            except Exception as exc:  # a failed step is retried later, never lost
                log.warning("step failed for %s %s: %s", model.__tablename__, claim.id, exc)
                record_failure(self.rt, model, claim, exc)
            finally:
                self.release(model, claim)
        return len(claims)

    def run(self, stop: threading.Event) -> None:
        """Loop until ``stop`` is set: work while there is work, then sleep until woken.

        When idle, read mailbox usage back from the mail server (a batch per pass).
        """
        poll = self.rt.settings.worker_poll_seconds
        while not stop.is_set():
            seen = self.rt.wakeup.seq
            try:
                handled = self.run_once() or refresh_usage(self.rt)
            except Exception:
                log.exception("worker pass failed; retrying")
                stop.wait(poll)
                continue
            if handled == 0:
                self.rt.wakeup.wait(seen, poll)
            elif handled >= BATCH:
                self.rt.wakeup.notify()  # more than one batch is waiting: bring in a peer
        self.deliveries.close()


class WorkerPool:
    """Worker threads plus, on PostgreSQL, a listener that turns NOTIFY into wake-ups."""

    def __init__(self, rt: Runtime, threads: int | None = None) -> None:
        self.rt = rt
        self.stop_event = threading.Event()
        count = threads or rt.settings.worker_threads
        base = f"{socket.gethostname()}:{os.getpid()}"
        self.threads = [
            threading.Thread(
                target=Worker(rt, f"{base}:{i}").run,
                args=(self.stop_event,),
                name=f"mailplane-worker-{i}",
                daemon=True,
            )
            for i in range(count)
        ]
        if rt.db.is_postgres:
            self.threads.append(PostgresListener(rt.db.url, rt.wakeup, self.stop_event))

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self.stop_event.set()
        self.rt.wakeup.notify_all()
        for thread in self.threads:
            thread.join(timeout)
