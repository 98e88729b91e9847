"""Webhook deliveries: events fanned out to subscriptions, then POSTed, signed, until a 2xx.

At least once: a delivery is leased like a resource row; a worker that dies mid-POST leaves a
lease that expires, and the delivery is sent again (with the same event ``id``). Each webhook
receives its events one at a time, in the order they were written: only the oldest pending
delivery of a webhook is ever claimed. A failure is retried with exponential backoff and jitter;
after ``webhook_max_attempts`` attempts, or ``webhook_max_age_seconds`` after the event, the
delivery is given up (``due_at`` cleared, ``last_error`` kept) and the next one goes.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import and_, func, or_, select, tuple_, update

from mailplane.backends.webhooks import Outcome, deliver
from mailplane.clock import utcnow
from mailplane.config import Settings
from mailplane.runtime import Runtime
from mailplane.service.sealing import unseal
from mailplane.store.tables import Delivery, Event, Webhook

log = logging.getLogger(__name__)
FAN_OUT_BATCH = 100
CLAIM_BATCH = 16


def fan_out(rt: Runtime, limit: int = FAN_OUT_BATCH) -> int:
    """Give each new event one delivery per webhook subscribed to it; return events handled."""
    now = utcnow()
    query = select(Event).where(Event.dispatched_at.is_(None)).order_by(Event.id).limit(limit)
    if not rt.db.exists(select(Event.id).where(Event.dispatched_at.is_(None))):
        return 0
    if rt.db.is_postgres:
        query = query.with_for_update(skip_locked=True)
    with rt.db.write() as session:
        new = list(session.scalars(query))
        if not new:
            return 0
        hooks = list(
            session.scalars(
                select(Webhook).where(Webhook.disabled_at.is_(None)).order_by(Webhook.id)
            )
        )
        for event in new:
            for hook in hooks:
                if hook.customer_id not in (None, event.customer_id):
                    continue
                if event.type in (hook.events or []):
                    session.add(Delivery(event_id=event.id, webhook_id=hook.id, due_at=now))
            event.dispatched_at = now
        return len(new)


def backoff(settings: Settings, attempts: int) -> timedelta:
    """``base · 2^(attempts-1)``, capped, times a random factor in [0.5, 1) (jitter)."""
    base = settings.webhook_retry_base_seconds * 2 ** max(0, attempts - 1)
    delay = min(settings.webhook_retry_max_seconds, base)
    return timedelta(seconds=delay * random.uniform(0.5, 1.0))


@dataclass
class Job:
    id: int
    url: str
    secret: str
    payload: dict[str, Any]
    attempts: int
    event_at: datetime
    allow_private: bool


class Deliverer:
    """One worker's delivery loop: claims heads of webhook queues and POSTs them."""

    def __init__(self, rt: Runtime, owner: str) -> None:
        self.rt = rt
        self.owner = owner
        self._client: httpx.Client | None = None

    @property
    def lease(self) -> timedelta:
        s = self.rt.settings
        return timedelta(seconds=s.worker_lease_seconds + s.webhook_timeout_seconds)

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                timeout=self.rt.settings.webhook_timeout_seconds, follow_redirects=False
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def run_once(self) -> int:
        """Fan out new events, then deliver what is due; return how much was handled."""
        handled = fan_out(self.rt)
        for delivery_id in self.claim():
            handled += 1
            try:
                self.attempt(delivery_id)
            except Exception as exc:  # a failed attempt is retried later, never lost
                log.warning("delivery %s failed: %s", delivery_id, exc)
                self.record(delivery_id, None, Outcome(False, f"{exc.__class__.__name__}: {exc}"))
        return handled

    def claim(self, limit: int = CLAIM_BATCH) -> list[int]:
        """Lease the due heads (oldest pending delivery) of up to ``limit`` webhooks."""
        now = utcnow()
        pending = and_(Delivery.delivered_at.is_(None), Delivery.due_at.is_not(None))
        heads = (
            select(Delivery.webhook_id, func.min(Delivery.event_id))
            .where(pending)
            .group_by(Delivery.webhook_id)
        )
        due = (
            select(Delivery.id)
            .where(
                pending,
                tuple_(Delivery.webhook_id, Delivery.event_id).in_(heads),
                Delivery.due_at <= now,
                or_(Delivery.lease_until.is_(None), Delivery.lease_until < now),
            )
            .order_by(Delivery.due_at)
            .limit(limit)
        )
        if not self.rt.db.exists(due):
            return []
        if self.rt.db.is_postgres:
            due = due.with_for_update(skip_locked=True)
        stmt = (
            update(Delivery)
            .where(Delivery.id.in_(due.scalar_subquery()))
            .values(lease_owner=self.owner, lease_until=now + self.lease)
            .returning(Delivery.id)
        )
        with self.rt.db.write() as session:
            rows = session.scalars(stmt, execution_options={"synchronize_session": False})
            return sorted(rows)

    def _renew(self, delivery_id: int) -> bool:
        with self.rt.db.write() as session:
            result = session.execute(
                update(Delivery)
                .where(
                    Delivery.id == delivery_id,
                    Delivery.lease_owner == self.owner,
                    Delivery.delivered_at.is_(None),
                )
                .values(lease_until=utcnow() + self.lease),
                execution_options={"synchronize_session": False},
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def _job(self, delivery_id: int) -> Job | None:
        with self.rt.db.read() as session:
            row = session.execute(
                select(Delivery, Event, Webhook)
                .join(Event, Event.id == Delivery.event_id)
                .join(Webhook, Webhook.id == Delivery.webhook_id)
                .where(Delivery.id == delivery_id)
            ).first()
        if row is None:
            return None
        delivery, event, hook = row
        return Job(
            id=delivery.id,
            url=hook.url,
            secret=unseal(self.rt.settings, hook.secret_encrypted),
            payload=event.payload,
            attempts=delivery.attempts,
            event_at=event.created_at,
            allow_private=hook.customer_id is None
            or self.rt.settings.webhook_allow_private_addresses,
        )

    def attempt(self, delivery_id: int) -> None:
        """POST one delivery and record the outcome."""
        if not self._renew(delivery_id):
            return  # delivered or lost meanwhile
        job = self._job(delivery_id)
        if job is None:
            return  # its webhook was deleted
        outcome = deliver(
            self.client,
            job.url,
            job.secret,
            job.payload,
            allow_private=job.allow_private,
        )
        self.record(delivery_id, job, outcome)

    def record(self, delivery_id: int, job: Job | None, outcome: Outcome) -> None:
        settings = self.rt.settings
        now = utcnow()
        with self.rt.db.write() as session:
            delivery = session.get(Delivery, delivery_id, populate_existing=True)
            if delivery is None or delivery.delivered_at is not None:
                return
            if not outcome.ok and delivery.lease_owner != self.owner:
                return  # taken over by another worker after our lease ran out: theirs now
            delivery.attempts += 1
            delivery.lease_owner = delivery.lease_until = None
            if outcome.ok:
                delivery.delivered_at = now
                delivery.due_at = None
                delivery.last_error = None
                return
            error = (outcome.error or "failed")[:500]
            event_at = job.event_at if job else now
            too_old = now - event_at > timedelta(seconds=settings.webhook_max_age_seconds)
            if delivery.attempts >= settings.webhook_max_attempts or too_old:
                delivery.due_at = None
                delivery.last_error = f"gave up after {delivery.attempts} attempts: {error}"
                log.warning("webhook delivery %s given up: %s", delivery_id, error)
            else:
                delivery.due_at = now + backoff(settings, delivery.attempts)
                delivery.last_error = error
