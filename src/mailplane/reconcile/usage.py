"""Reading mailbox usage back from the mail server, a batch at a time, by any worker."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import or_, select, update

from mailplane.clock import utcnow
from mailplane.reconcile.steps import mailbox_spec
from mailplane.runtime import Runtime
from mailplane.service import events
from mailplane.store.tables import EmailAccount

log = logging.getLogger(__name__)
BATCH = 50


def refresh_usage(rt: Runtime, limit: int = BATCH) -> int:
    """Refresh ``used_space`` of the mailboxes read longest ago; return how many were read.

    Rows are claimed by stamping ``used_space_checked_at`` first, so that several workers
    share the sweep instead of repeating it.
    """
    now = utcnow()
    stale = now - timedelta(seconds=rt.settings.usage_refresh_seconds)
    due = (
        select(EmailAccount.id)
        .where(
            EmailAccount.provisioned_at.is_not(None),
            EmailAccount.delete_requested_at.is_(None),
            or_(
                EmailAccount.used_space_checked_at.is_(None),
                EmailAccount.used_space_checked_at < stale,
            ),
        )
        .order_by(
            EmailAccount.used_space_checked_at.is_not(None), EmailAccount.used_space_checked_at
        )
        .limit(limit)
    )
    if not rt.db.exists(due):
        return 0
    if rt.db.is_postgres:
        due = due.with_for_update(skip_locked=True)
    with rt.db.write() as session:
        ids = list(
            session.scalars(
                update(EmailAccount)
                .where(EmailAccount.id.in_(due.scalar_subquery()))
                .values(used_space_checked_at=now)
                .returning(EmailAccount.id),
                execution_options={"synchronize_session": False},
            )
        )
    for account_id in ids:
        read_usage(rt, account_id)
    return len(ids)


def read_usage(rt: Runtime, account_id: int) -> None:
    """Ask the mail server how much one mailbox uses and store it (None stays unknown)."""
    with rt.db.read() as session:
        account = session.get(EmailAccount, account_id)
        if account is None or account.provisioned_at is None:
            return
        spec = mailbox_spec(account, account.domain)
    try:
        used = rt.backend.used_space(spec)
    except Exception as exc:  # usage is informative: a failure is logged, never fatal
        log.warning("reading usage of %s failed: %s", spec.address, exc)
        return
    if used is None:
        return
    record_usage(rt, account_id, used)


def record_usage(rt: Runtime, account_id: int, used: int) -> None:
    """Store a mailbox's usage; warn webhooks once per quota threshold crossed (80 %, 95 %)."""
    query = select(EmailAccount).where(EmailAccount.id == account_id)
    if rt.db.is_postgres:
        query = query.with_for_update(of=EmailAccount)
    with rt.db.write() as session:
        account = session.scalars(query).first()
        if account is None:
            return
        account.used_space, account.used_space_checked_at = used, utcnow()
        events.note_usage(account)
