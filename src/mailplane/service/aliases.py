"""Email aliases under a domain (spec §5): ``name@domain`` forwarding to 1–20 destinations.

A catch-all is not an alias row: it is the domain's ``catch_all_enabled`` /
``catch_all_destination`` (see ``mailplane.mailconf.sql``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mailplane.clock import utcnow
from mailplane.model import status as st
from mailplane.model.codes import Kind, is_code, new_code
from mailplane.model.errors import FieldError, NotFound, ValidationFailed
from mailplane.model.inputs import EmailAliasCreate
from mailplane.model.listing import ListQuery
from mailplane.model.rules import email_address_error, local_part_error, normalize_domain_name
from mailplane.runtime import Runtime
from mailplane.service import domains
from mailplane.service.principal import Principal
from mailplane.service.queueing import queue
from mailplane.store.paging import page_of
from mailplane.store.tables import Domain, EmailAccount, EmailAlias

SORT_FIELDS = ("name", "code", "status", "created_at", "updated_at")
MAX_DESTINATIONS = 20


# ---- reading ----------------------------------------------------------------------------------


def visible(session: Session, principal: Principal, domain_code: str, code: str) -> EmailAlias:
    """The alias with this code under this domain, if the principal may see the domain."""
    domain = domains.visible(session, principal, domain_code)
    if not is_code(Kind.EMAIL_ALIAS, code):
        raise NotFound()
    alias = session.scalar(
        select(EmailAlias).where(EmailAlias.domain_id == domain.id, EmailAlias.code == code)
    )
    if alias is None:
        raise NotFound()
    return alias


def list_page(
    session: Session, principal: Principal, domain_code: str, q: ListQuery
) -> tuple[list[EmailAlias], int]:
    domain = domains.visible(session, principal, domain_code)
    query: Select[EmailAlias] = select(EmailAlias).where(EmailAlias.domain_id == domain.id)
    if q.query:
        needle = f"%{q.query.lower()}%"
        query = query.where(or_(EmailAlias.address.ilike(needle), EmailAlias.name.ilike(needle)))
    if q.status:
        query = query.where(EmailAlias.status == q.status)
    return page_of(session, query, EmailAlias, q)


def name_taken(session: Session, domain_id: int, name: str) -> bool:
    """Whether a mailbox or an alias of the domain already uses this local part."""
    mailbox = select(EmailAccount.id).where(
        EmailAccount.domain_id == domain_id, EmailAccount.name == name
    )
    alias = select(EmailAlias.id).where(EmailAlias.domain_id == domain_id, EmailAlias.name == name)
    return session.scalar(mailbox) is not None or session.scalar(alias) is not None


def lock_domain(session: Session, domain: Domain) -> None:
    """Serialize name checks of one domain (PostgreSQL row lock; SQLite writes are serial)."""
    session.execute(select(Domain.id).where(Domain.id == domain.id).with_for_update())


# ---- validating -------------------------------------------------------------------------------


def normalize_address(value: str) -> str | None:
    """``local@domain`` lowercased, its domain in A-label form; None if not an address."""
    text = value.strip().lower()
    if email_address_error(text) is not None:
        return None
    local, _, domain = text.rpartition("@")
    name, problem = normalize_domain_name(domain)
    if problem or name is None:
        return None
    return f"{local}@{name}"


def _destinations(value: list[str] | None, own_address: str | None) -> tuple[list[str], str | None]:
    """Normalized destinations, duplicates dropped in order, or the problem with them."""
    if not value:
        return [], "can't be blank"
    found: list[str] = []
    for item in value:
        address = normalize_address(item)
        if address is None:
            return [], f"contains an invalid email address: {item!r}"
        if address not in found:
            found.append(address)
    if len(found) > MAX_DESTINATIONS:
        return [], f"is too long (maximum is {MAX_DESTINATIONS} addresses)"
    if own_address is not None and own_address in found:
        return [], "must not contain the alias itself"
    return found, None


# ---- changing ---------------------------------------------------------------------------------


def create(
    rt: Runtime, principal: Principal, domain_code: str, data: EmailAliasCreate
) -> EmailAlias:
    with rt.db.read() as session:
        domain = domains.visible(session, principal, domain_code)
    errors: list[FieldError] = []
    name = (data.name or "").strip().lower()
    if problem := local_part_error(name):
        errors.append(FieldError("name", problem))
    address = f"{name}@{domain.name}" if not problem else None
    destinations, problem = _destinations(data.destinations, address)
    if problem:
        errors.append(FieldError("destinations", problem))
    data.check(errors)
    now = utcnow()
    try:
        with rt.change() as session:
            domain = domains.visible(session, principal, domain_code)
            _check_can_add(session, domain, name)
            alias = EmailAlias(
                code=new_code(Kind.EMAIL_ALIAS),
                domain_id=domain.id,
                name=name,
                address=f"{name}@{domain.name}",
                destinations=destinations,
                status=st.ENABLED,
                status_detail=st.CREATING,
                due_at=now,
            )
            session.add(alias)
            session.flush()
    except IntegrityError:
        raise ValidationFailed.one("name", "already exists") from None
    return alias


def _check_can_add(session: Session, domain: Domain, name: str) -> None:
    if domain.delete_requested_at is not None:
        raise NotFound()
    lock_domain(session, domain)
    errors: list[FieldError] = []
    if domain.status != st.ENABLED or domain.activated_at is None:
        errors.append(FieldError("domain", "is not enabled"))
    if name_taken(session, domain.id, name):
        errors.append(FieldError("name", "already exists"))
    if errors:
        raise ValidationFailed(errors)


def update(
    rt: Runtime, principal: Principal, domain_code: str, code: str, data: EmailAliasCreate
) -> None:
    """Replace the destinations; the name cannot change."""
    with rt.db.read() as session:
        current = visible(session, principal, domain_code, code)
    errors: list[FieldError] = []
    if data.given("name") and (data.name or "").strip().lower() != current.name:
        errors.append(FieldError("name", "cannot be changed"))
    destinations: list[str] | None = None
    if data.given("destinations"):
        destinations, problem = _destinations(data.destinations, current.address)
        if problem:
            errors.append(FieldError("destinations", problem))
    data.check(errors)
    now = utcnow()
    with rt.change() as session:
        alias = visible(session, principal, domain_code, code)
        if alias.delete_requested_at is not None:
            raise NotFound()
        if destinations is not None and list(alias.destinations or []) != destinations:
            alias.destinations = destinations
            alias.updated_at = now
            _requeue(alias, now)


def delete(rt: Runtime, principal: Principal, domain_code: str, code: str) -> None:
    now = utcnow()
    with rt.change() as session:
        alias = visible(session, principal, domain_code, code)
        if alias.delete_requested_at is None:
            alias.delete_requested_at = now
            queue(alias, st.DELETING, now)


def _requeue(alias: EmailAlias, now: datetime) -> None:
    """A change the mail servers must see; an alias not yet provisioned keeps its detail."""
    queue(alias, st.UPDATING if alias.provisioned_at is not None else None, now)
