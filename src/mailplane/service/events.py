"""The outbox: lifecycle events written in the same transaction as the change they report.

The worker fans each event out to the subscribed webhooks and delivers it (see
``mailplane.reconcile.deliveries``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, object_session

from mailplane.clock import iso, utcnow
from mailplane.model import events as ev
from mailplane.model import status as st
from mailplane.store.tables import Domain, EmailAccount, Event


def stamp(value: datetime) -> str:
    """An event time: ISO 8601 in UTC with milliseconds, e.g. ``2026-11-24T10:15:02.123Z``."""
    return value.isoformat(timespec="milliseconds") + "Z"


def emit(session: Session, type_: str, customer_id: int | None, data: dict[str, Any]) -> Event:
    """Add an event to the unit of work of ``session``; it exists only if that commits."""
    assert type_ in ev.EVENT_TYPES, type_
    now = utcnow()
    uid = str(uuid.uuid4())
    event = Event(
        uid=uid,
        type=type_,
        customer_id=customer_id,
        payload={"id": uid, "type": type_, "created_at": stamp(now), "data": data},
        created_at=now,
    )
    session.add(event)
    return event


def emit_for(row: Domain | EmailAccount, type_: str, **extra: Any) -> None:
    """Emit an event about ``row`` in the session the row belongs to."""
    session = object_session(row)
    assert session is not None, "emit_for needs a row loaded in the unit of work"
    if isinstance(row, Domain):
        emit(session, type_, row.customer_id, {**domain_data(row), **extra})
    else:
        emit(session, type_, row.domain.customer_id, {**mailbox_data(row), **extra})


def domain_data(domain: Domain) -> dict[str, Any]:
    return {
        "code": domain.code,
        "name": domain.name,
        "customer_code": domain.customer.code if domain.customer is not None else None,
        "status": domain.status,
        "status_detail": domain.status_detail,
        "ownership_proven_at": iso(domain.ownership_proven_at),
        "activated_at": iso(domain.activated_at),
    }


def mailbox_data(account: EmailAccount) -> dict[str, Any]:
    domain = account.domain
    return {
        "code": account.code,
        "name": account.name,
        "email_address": account.email_address,
        "domain_code": domain.code,
        "domain_name": domain.name,
        "is_postmaster": account.is_postmaster,
        "status": account.status,
        "status_detail": account.status_detail,
        "max_email_quota": account.max_email_quota,
        "used_space": account.used_space,
    }


def announce_domain_status(domain: Domain) -> None:
    """After the worker applied a domain: tell of it becoming enabled or disabled, once."""
    if domain.status not in (st.ENABLED, st.DISABLED) or domain.announced_status == domain.status:
        return
    domain.announced_status = domain.status
    emit_for(domain, ev.DOMAIN_ENABLED if domain.status == st.ENABLED else ev.DOMAIN_DISABLED)


def note_usage(account: EmailAccount) -> None:
    """``used_space`` was just read: warn once for each quota threshold crossed going up.

    ``quota_warning_level`` remembers the highest threshold reached; it falls again when usage
    (or a larger quota) takes the mailbox below it, so a later crossing warns again.
    """
    level = ev.quota_level(account.used_space, account.max_email_quota)
    previous = account.quota_warning_level or 0
    for threshold in ev.crossed(previous, level):
        emit_for(account, ev.EMAIL_ACCOUNT_QUOTA_WARNING, threshold_percent=threshold)
    if level != previous:
        account.quota_warning_level = level
