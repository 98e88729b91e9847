"""One idempotent step for one row: what the worker does with a domain or a mailbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from mailplane.backends.dns import OwnershipResult
from mailplane.backends.mail import DomainSpec, MailboxSpec
from mailplane.clock import utcnow
from mailplane.model import events as ev
from mailplane.model import status as st
from mailplane.reconcile import mx as mx_step
from mailplane.runtime import Runtime
from mailplane.service import events
from mailplane.service.domains import check_ownership, mark_proven, postmaster_of
from mailplane.service.ownership_html import check as check_html_ownership
from mailplane.store.tables import AliasDomain, Domain, EmailAccount, EmailAlias

Row = TypeVar("Row", Domain, EmailAccount, EmailAlias, AliasDomain)
Proven = TypeVar("Proven", Domain, AliasDomain)  # what an ownership proof is for


def domain_spec(domain: Domain) -> DomainSpec:
    return DomainSpec(
        code=domain.code,
        name=domain.name,
        generation=domain.generation,
        enabled=domain.status == st.ENABLED,
        imap_disabled=domain.imap_disabled,
        pop_disabled=domain.pop_disabled,
        smtp_disabled=domain.smtp_disabled,
        catch_all_destination=domain.catch_all_destination if domain.catch_all_enabled else None,
    )


def mailbox_spec(account: EmailAccount, domain: Domain) -> MailboxSpec:
    return MailboxSpec(
        code=account.code,
        address=account.email_address,
        domain_name=domain.name,
        generation=account.generation,
        enabled=account.status == st.ENABLED,
        quota_bytes=account.max_email_quota,
        is_postmaster=account.is_postmaster,
        flags={
            "imap_disabled": account.imap_disabled,
            "pop_disabled": account.pop_disabled,
            "smtp_disabled": account.smtp_disabled,
        },
    )


def retry_delay(attempts: int, base: float = 2.0, cap: float = 300.0) -> timedelta:
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def ownership_retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … then hourly, while the 72-hour window lasts."""
    return retry_delay(attempts, base=30.0, cap=3600.0)


@dataclass
class Claim:
    """A leased row: its id, the generation read, and the worker that holds it."""

    id: int
    generation: int
    owner: str


def _owned(session: Session, model: type[Row], claim: Claim) -> bool:
    row = session.get(model, claim.id, populate_existing=True)
    return row is not None and row.lease_owner == claim.owner and row.generation == claim.generation


# ---- domains --------------------------------------------------------------------------------


def run_domain(rt: Runtime, claim: Claim) -> None:
    with rt.db.read() as session:
        domain = session.get(Domain, claim.id)
        if domain is None:
            return
        claim.generation = domain.generation
        if domain.delete_requested_at is not None:
            mailboxes = [
                mailbox_spec(a, domain)
                for a in session.scalars(
                    select(EmailAccount).where(EmailAccount.domain_id == domain.id)
                )
            ]
            rt.backend.remove_domain(domain_spec(domain), mailboxes)
            with rt.db.write() as tx:
                if _owned(tx, Domain, claim):
                    _announce_domain_deleted(tx, claim.id)
                    tx.execute(delete(Domain).where(Domain.id == claim.id))
            return
        if mx_step.due(domain):
            mx_step.run(rt, claim, domain)  # then the row comes back for its own step
            return
        if domain.status == st.OWNERSHIP_CHECK:
            _check_ownership(rt, domain, claim)
            return
        if domain.observed_generation >= domain.generation:
            _settle(rt, Domain, claim)
            return
        postmaster = postmaster_of(session, domain)
        rt.backend.apply_domain(domain_spec(domain))
        if postmaster is not None and postmaster.delete_requested_at is None:
            rt.backend.apply_mailbox(mailbox_spec(postmaster, domain))
    now = utcnow()
    with rt.change() as tx:
        if not _owned(tx, Domain, claim):
            return
        row = tx.get(Domain, claim.id)
        assert row is not None
        _converged(row, now)
        row.status_detail = mx_step.detail_after_apply(row)
        if row.activated_at is None and row.status == st.ENABLED:
            row.activated_at = now
        events.announce_domain_status(row)
        if postmaster is not None:
            pm = tx.get(EmailAccount, postmaster.id, populate_existing=True)
            if pm is not None and pm.generation == postmaster.generation:
                _converged(pm, now)
                if pm.provisioned_at is None:
                    pm.provisioned_at = now
                    events.emit_for(pm, ev.EMAIL_ACCOUNT_ENABLED)
            elif pm is not None:
                pm.due_at = now  # changed meanwhile: the mailbox step applies the rest


def _check_ownership(rt: Runtime, domain: Domain, claim: Claim) -> None:
    if domain.ownership_check_started_at is None:
        _settle(rt, Domain, claim)
        return
    if domain.ownership_check_method == "html":
        result = check_html_ownership(rt, domain)
    else:
        result = check_ownership(rt, domain)
    record_ownership_check(rt, Domain, claim, result)


def record_ownership_check(
    rt: Runtime, model: type[Proven], claim: Claim, result: OwnershipResult
) -> None:
    """The outcome of a queued ownership check of a domain or an alias domain: proven, or
    retried with backoff until the retry window closes."""
    now = utcnow()
    with rt.change() as tx:
        if not _owned(tx, model, claim):
            return
        row = tx.get(model, claim.id)
        assert row is not None
        row.ownership_last_checked_at = now
        if result.verified:
            mark_proven(row, now, result.message)
            return
        row.attempts += 1
        row.status_message = result.message
        started = row.ownership_check_started_at or now
        window = timedelta(hours=rt.settings.ownership_retry_hours)
        next_at = now + ownership_retry_delay(row.attempts)
        if next_at > started + window:
            row.due_at = None
            row.ownership_check_started_at = None
            row.status_message = f"{result.message}; gave up after retrying, check again"
        else:
            row.due_at = next_at


# ---- mailboxes ------------------------------------------------------------------------------


def run_mailbox(rt: Runtime, claim: Claim) -> None:
    with rt.db.read() as session:
        account = session.get(EmailAccount, claim.id)
        if account is None:
            return
        claim.generation = account.generation
        domain = account.domain
        spec = mailbox_spec(account, domain)
        if account.delete_requested_at is not None:
            rt.backend.remove_mailbox(spec)
            with rt.db.write() as tx:
                if _owned(tx, EmailAccount, claim):
                    gone = tx.get(EmailAccount, claim.id)
                    assert gone is not None
                    events.emit_for(gone, ev.EMAIL_ACCOUNT_DELETED)
                    tx.execute(delete(EmailAccount).where(EmailAccount.id == claim.id))
            return
        if domain.activated_at is None or account.observed_generation >= account.generation:
            _settle(rt, EmailAccount, claim)  # the domain's activation provisions it
            return
        rt.backend.apply_mailbox(spec)
        used = rt.backend.used_space(spec) if account.provisioned_at is not None else None
    now = utcnow()
    with rt.change() as tx:
        if _owned(tx, EmailAccount, claim):
            row = tx.get(EmailAccount, claim.id)
            assert row is not None
            _converged(row, now)
            first = row.provisioned_at is None
            row.provisioned_at = row.provisioned_at or now
            if used is not None:
                row.used_space, row.used_space_checked_at = used, now
            events.emit_for(row, ev.EMAIL_ACCOUNT_ENABLED if first else ev.EMAIL_ACCOUNT_UPDATED)
            if used is not None:
                events.note_usage(row)


# ---- bookkeeping ----------------------------------------------------------------------------


def _announce_domain_deleted(tx: Session, domain_id: int) -> None:
    """The domain and its mailboxes are about to go: tell webhooks, in the same transaction."""
    domain = tx.get(Domain, domain_id)
    assert domain is not None
    accounts = tx.scalars(
        select(EmailAccount).where(EmailAccount.domain_id == domain_id).order_by(EmailAccount.id)
    )
    for account in accounts:
        events.emit_for(account, ev.EMAIL_ACCOUNT_DELETED)
    events.emit_for(domain, ev.DOMAIN_DELETED)


def _converged(row: Domain | EmailAccount | EmailAlias | AliasDomain, now: datetime) -> None:
    row.observed_generation = row.generation
    row.status_detail = st.OK
    row.status_message = None
    row.due_at = None
    row.attempts = 0
    row.updated_at = now


def _settle(rt: Runtime, model: type[Row], claim: Claim) -> None:
    """Nothing to do for this row right now: take it off the queue."""
    with rt.db.write() as tx:
        if _owned(tx, model, claim):
            row = tx.get(model, claim.id)
            assert row is not None
            row.due_at = None


def record_failure(rt: Runtime, model: type[Row], claim: Claim, error: Exception) -> None:
    """The step failed: say why, and try again later with exponential backoff."""
    now = utcnow()
    with rt.db.write() as tx:
        row = tx.get(model, claim.id, populate_existing=True)
        if row is None or row.lease_owner != claim.owner:
            return
        row.attempts += 1
        row.status_detail = st.ERROR if row.delete_requested_at is None else st.DELETING
        row.status_message = f"{error.__class__.__name__}: {error}"[:500]
        row.due_at = now + retry_delay(row.attempts)
