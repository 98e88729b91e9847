"""Alias domains (spec §5): another name for a domain, proven like a domain (§3.4).

The ownership proof is the domain's own: the same A record scheme (``possession_a_record`` is
the alias domain's code in lower case), the same check (``domains.check_ownership``), the same
transition once proven (``domains.mark_proven``) and, in the worker, the same retries.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mailplane.backends.dns import OwnershipResult
from mailplane.clock import utcnow
from mailplane.model import status as st
from mailplane.model.codes import Kind, is_code, new_code
from mailplane.model.errors import FieldError, NotFound, ValidationFailed
from mailplane.model.inputs import AliasDomainCreate
from mailplane.model.listing import ListQuery
from mailplane.model.rules import normalize_domain_name
from mailplane.runtime import Runtime
from mailplane.service import domains
from mailplane.service.aliases import lock_domain
from mailplane.service.domains import check_ownership, mark_proven
from mailplane.service.principal import Principal
from mailplane.service.queueing import queue
from mailplane.store.paging import page_of
from mailplane.store.tables import AliasDomain

SORT_FIELDS = ("name", "code", "status", "created_at", "updated_at")


@dataclass(frozen=True)
class SyncCheck:
    alias: AliasDomain
    verified: bool
    activation_queued: bool
    result: OwnershipResult | None


def visible(session: Session, principal: Principal, domain_code: str, code: str) -> AliasDomain:
    """The alias domain with this code under this domain, if the principal may see it."""
    domain = domains.visible(session, principal, domain_code)
    if not is_code(Kind.ALIAS_DOMAIN, code):
        raise NotFound()
    alias = session.scalar(
        select(AliasDomain).where(AliasDomain.domain_id == domain.id, AliasDomain.code == code)
    )
    if alias is None:
        raise NotFound()
    return alias


def list_page(
    session: Session, principal: Principal, domain_code: str, q: ListQuery
) -> tuple[list[AliasDomain], int]:
    domain = domains.visible(session, principal, domain_code)
    query: Select[AliasDomain] = select(AliasDomain).where(AliasDomain.domain_id == domain.id)
    if q.query:
        query = query.where(AliasDomain.name.ilike(f"%{q.query.lower()}%"))
    if q.status:
        query = query.where(AliasDomain.status == q.status)
    return page_of(session, query, AliasDomain, q)


def create(
    rt: Runtime, principal: Principal, domain_code: str, data: AliasDomainCreate
) -> AliasDomain:
    """An alias domain in ``ownership_check`` / ``waiting_ownership``."""
    with rt.db.read() as session:
        domains.visible(session, principal, domain_code)
    errors: list[FieldError] = []
    name: str | None = None
    if data.name is None:
        errors.append(FieldError("name", "can't be blank"))
    else:
        name, problem = normalize_domain_name(data.name)
        if problem:
            errors.append(FieldError("name", problem))
    data.check(errors)
    assert name is not None
    try:
        with rt.change() as session:
            domain = domains.visible(session, principal, domain_code)
            if domain.delete_requested_at is not None:
                raise NotFound()
            lock_domain(session, domain)
            errors = []
            if domain.status != st.ENABLED or domain.activated_at is None:
                errors.append(FieldError("domain", "is not enabled"))
            if domains._name_taken(session, name, lock=True):
                errors.append(FieldError("name", "already exists"))
            if errors:
                raise ValidationFailed(errors)
            alias = AliasDomain(
                code=new_code(Kind.ALIAS_DOMAIN),
                domain_id=domain.id,
                name=name,
                status=st.OWNERSHIP_CHECK,
                status_detail=st.WAITING_OWNERSHIP,
                due_at=None,
            )
            session.add(alias)
            session.flush()
    except IntegrityError:
        raise ValidationFailed.one("name", "already exists") from None
    return alias


def delete(rt: Runtime, principal: Principal, domain_code: str, code: str) -> None:
    now = utcnow()
    with rt.change() as session:
        alias = visible(session, principal, domain_code, code)
        if alias.delete_requested_at is None:
            alias.delete_requested_at = now
            queue(alias, st.DELETING, now)


# ---- ownership (the domain's proof, §3.4) -----------------------------------------------------


def queue_dns_check(rt: Runtime, principal: Principal, domain_code: str, code: str) -> None:
    now = utcnow()
    with rt.change() as session:
        alias = visible(session, principal, domain_code, code)
        if alias.status != st.OWNERSHIP_CHECK or alias.delete_requested_at is not None:
            return  # already proven: nothing to check
        alias.ownership_check_started_at = now
        queue(alias, None, now)  # a new generation: a step running on old data won't settle
        alias.status_message = "DNS ownership check queued"


def sync_dns_check(rt: Runtime, principal: Principal, domain_code: str, code: str) -> SyncCheck:
    """Check the ownership record now; on success queue the activation."""
    with rt.db.read() as session:
        alias = visible(session, principal, domain_code, code)
    if alias.status != st.OWNERSHIP_CHECK or alias.delete_requested_at is not None:
        return SyncCheck(alias, alias.ownership_proven_at is not None, False, None)
    result = check_ownership(rt, alias)
    now = utcnow()
    with rt.change() as session:
        alias = visible(session, principal, domain_code, code)
        alias.ownership_last_checked_at = now
        queued = False
        if alias.status == st.OWNERSHIP_CHECK and alias.delete_requested_at is None:
            if result.verified:
                mark_proven(alias, now, result.message)
                queued = True
            else:
                alias.status_message = result.message
    return SyncCheck(alias, result.verified, queued, result)


def skip_ownership(rt: Runtime, principal: Principal, domain_code: str, code: str) -> None:
    """Sandbox only: mark ownership proven and queue activation."""
    with rt.change() as session:
        alias = visible(session, principal, domain_code, code)
        if alias.status == st.OWNERSHIP_CHECK and alias.delete_requested_at is None:
            mark_proven(alias, utcnow(), "ownership check skipped (sandbox)")
