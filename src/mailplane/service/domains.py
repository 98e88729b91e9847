"""Domains: create with their postmaster, read, change, ownership proof, delete (spec §3)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mailplane.backends.dns import OwnershipResult, check_a_record
from mailplane.clock import utcnow
from mailplane.model import events as ev
from mailplane.model import status as st
from mailplane.model.codes import Kind, is_code, new_code
from mailplane.model.errors import FieldError, NotFound, ValidationFailed
from mailplane.model.inputs import DomainCreate, DomainSettings, StatusChange
from mailplane.model.quota import DEFAULT_DOMAIN_MAX_QUOTA, POSTMASTER_QUOTA
from mailplane.model.rules import (
    PLANS,
    email_address_error,
    network_error,
    normalize_domain_name,
    password_errors,
    quota_error,
)
from mailplane.runtime import Runtime
from mailplane.service import events
from mailplane.service.passwords import hash_password
from mailplane.service.principal import Principal, Role
from mailplane.service.queueing import queue
from mailplane.store.tables import AliasDomain, Customer, Domain, EmailAccount

MAX_EMAIL_ACCOUNTS = 2**31 - 1  # the column is a 32-bit integer
# the fields of ``DomainSettings`` that the mail servers must see when they change
_ROUTING_FIELDS = (
    "imap_disabled",
    "pop_disabled",
    "smtp_disabled",
    "webmail_disabled",
    "catch_all_enabled",
    "catch_all_destination",
    "allow_nets",
)


def possession_a_record(code: str) -> str:
    return code.lower()


def expected_record(code: str, name: str, ownership_ip: str) -> dict[str, str]:
    """The A record that proves ownership of domain ``name`` (code ``code``)."""
    return {"name": f"{possession_a_record(code)}.{name}", "type": "A", "value": ownership_ip}


# ---- reading ----------------------------------------------------------------------------------


def visible(session: Session, principal: Principal, code: str) -> Domain:
    """The domain with this code, if the principal may see it."""
    if not is_code(Kind.DOMAIN, code):
        raise NotFound()
    domain = session.scalar(principal.scope_domains(select(Domain)).where(Domain.code == code))
    if domain is None:
        raise NotFound()
    return domain


def postmaster_of(session: Session, domain: Domain) -> EmailAccount | None:
    return session.scalar(
        select(EmailAccount).where(
            EmailAccount.domain_id == domain.id, EmailAccount.is_postmaster.is_(True)
        )
    )


# ---- creating -----------------------------------------------------------------------------


def _settings_errors(data: DomainSettings, current: Domain | None) -> list[FieldError]:
    errors: list[FieldError] = []
    max_quota = data.max_email_quota
    if max_quota is not None and (problem := quota_error(max_quota)):
        errors.append(FieldError("max_email_quota", problem))
    ceiling = max_quota or (current.max_email_quota if current else DEFAULT_DOMAIN_MAX_QUOTA)
    if data.default_quota is not None and (problem := quota_error(data.default_quota, ceiling)):
        errors.append(FieldError("default_quota", problem))
    if data.max_email_accounts is not None and data.max_email_accounts < -1:
        errors.append(
            FieldError("max_email_accounts", "must be -1 (no limit) or a positive number")
        )
    elif data.max_email_accounts is not None and data.max_email_accounts > MAX_EMAIL_ACCOUNTS:
        errors.append(
            FieldError("max_email_accounts", f"must be less than or equal to {MAX_EMAIL_ACCOUNTS}")
        )
    if data.antispam_level is not None and not 0 <= data.antispam_level <= 3:
        errors.append(FieldError("antispam_level", "must be between 0 and 3"))
    enabled = (
        data.catch_all_enabled
        if data.catch_all_enabled is not None
        else (current.catch_all_enabled if current else False)
    )
    destination = (
        data.catch_all_destination
        if data.given("catch_all_destination")
        else (current.catch_all_destination if current else None)
    )
    if destination and (problem := email_address_error(destination)):
        errors.append(FieldError("catch_all_destination", problem))
    elif enabled and not destination:
        errors.append(FieldError("catch_all_destination", "can't be blank"))
    for net in data.allow_nets or []:
        if problem := network_error(net):
            errors.append(FieldError("allow_nets", problem))
            break
    return errors


def _name_taken(session: Session, name: str, *, lock: bool = False) -> bool:
    """Whether any domain or alias domain already has this name (spec §3.3).

    With ``lock``, inside the transaction that will insert the name, concurrent creators of the
    same name queue behind each other: the two tables share no unique index, so on PostgreSQL a
    transaction-scoped advisory lock on the name does it (SQLite writers are serialised already).
    """
    if lock and session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(func.hashtext(name))))
    if session.scalar(select(Domain.id).where(Domain.name == name)) is not None:
        return True
    return session.scalar(select(AliasDomain.id).where(AliasDomain.name == name)) is not None


def create(rt: Runtime, principal: Principal, data: DomainCreate) -> Domain:
    """Create a domain in ``ownership_check`` and its postmaster account."""
    principal.require(Role.ADMIN, Role.CUSTOMER)
    errors: list[FieldError] = []
    name: str | None = None
    if data.name is None:
        errors.append(FieldError("name", "can't be blank"))
    else:
        name, problem = normalize_domain_name(data.name)
        if problem:
            errors.append(FieldError("name", problem))
    plan = "basic" if data.plan is None else data.plan
    if plan not in PLANS:
        errors.append(FieldError("plan", "is not included in the list"))
    if principal.is_admin and not data.customer_code:
        errors.append(FieldError("customer_code", "can't be blank"))
    errors += password_errors(
        data.postmaster_password, data.postmaster_password_confirmation, "postmaster_password"
    )
    errors += _settings_errors(data, None)
    with rt.db.read() as session:
        customer_id = principal.customer_id
        if principal.is_admin and data.customer_code:
            customer_id = session.scalar(
                select(Customer.id).where(Customer.code == data.customer_code)
            )
            if customer_id is None:
                errors.append(FieldError("customer_code", "does not exist"))
        if name and _name_taken(session, name):
            errors.append(FieldError("name", "already exists"))
    data.check(errors)
    assert name is not None and data.postmaster_password is not None and customer_id is not None
    password_hash = hash_password(data.postmaster_password, rt.settings.password_bcrypt_rounds)
    domain = Domain(
        code=new_code(Kind.DOMAIN),
        name=name,
        plan=plan,
        customer_id=customer_id,
        status=st.OWNERSHIP_CHECK,
        status_detail=st.WAITING_OWNERSHIP,
        ownership_code=secrets.token_hex(16),
        max_email_quota=data.max_email_quota or DEFAULT_DOMAIN_MAX_QUOTA,
        default_quota=data.default_quota,
        max_email_accounts=-1 if data.max_email_accounts is None else data.max_email_accounts,
        catch_all_enabled=bool(data.catch_all_enabled),
        catch_all_destination=data.catch_all_destination,
        antispam_level=2 if data.antispam_level is None else data.antispam_level,
        allow_nets=data.allow_nets or [],
        imap_disabled=bool(data.imap_disabled),
        pop_disabled=bool(data.pop_disabled),
        smtp_disabled=bool(data.smtp_disabled),
        webmail_disabled=bool(data.webmail_disabled),
        due_at=None,
    )
    try:
        with rt.change() as session:
            if _name_taken(session, name, lock=True):
                raise ValidationFailed.one("name", "already exists")
            session.add(domain)
            session.flush()
            session.add(
                EmailAccount(
                    code=new_code(Kind.POSTMASTER),
                    domain_id=domain.id,
                    name="postmaster",
                    email_address=f"postmaster@{name}",
                    is_postmaster=True,
                    firstname="Postmaster",
                    status=st.ENABLED,
                    status_detail=st.WAITING_OWNERSHIP,
                    password_hash=password_hash,
                    max_email_quota=POSTMASTER_QUOTA,
                    due_at=None,
                )
            )
    except IntegrityError:
        raise ValidationFailed.one("name", "already exists") from None
    return domain


# ---- changing -----------------------------------------------------------------------------


def update(rt: Runtime, principal: Principal, code: str, data: DomainSettings) -> None:
    principal.require(Role.ADMIN, Role.CUSTOMER)
    with rt.db.read() as session:
        current = visible(session, principal, code)
    errors = _settings_errors(data, current)
    if data.given("postmaster_password") or data.given("postmaster_password_confirmation"):
        errors += password_errors(
            data.postmaster_password, data.postmaster_password_confirmation, "postmaster_password"
        )
    data.check(errors)
    password_hash = (
        hash_password(data.postmaster_password, rt.settings.password_bcrypt_rounds)
        if data.postmaster_password
        else None
    )
    now = utcnow()
    with rt.change() as session:
        domain = visible(session, principal, code)
        if domain.delete_requested_at is not None:
            raise NotFound()
        routing_changed = False
        for field in (
            "max_email_quota",
            "default_quota",
            "max_email_accounts",
            "antispam_level",
            *_ROUTING_FIELDS,
        ):
            if not data.given(field):
                continue
            value = getattr(data, field)
            if value is None and field not in ("catch_all_destination", "default_quota"):
                continue
            if getattr(domain, field) != value:
                setattr(domain, field, value)
                routing_changed = routing_changed or field in _ROUTING_FIELDS
        if routing_changed and domain.status != st.OWNERSHIP_CHECK:
            queue(domain, st.UPDATING if domain.activated_at is not None else None, now)
        domain.updated_at = now
        if password_hash is not None:
            postmaster = postmaster_of(session, domain)
            if postmaster is not None:
                postmaster.password_hash = password_hash
                if postmaster.provisioned_at is not None:
                    queue(postmaster, st.UPDATING, now)


def set_status(rt: Runtime, principal: Principal, code: str, data: StatusChange) -> None:
    principal.require(Role.ADMIN, Role.CUSTOMER)
    errors: list[FieldError] = []
    if data.status is None:
        errors.append(FieldError("status", "can't be blank"))
    elif data.status not in st.SETTABLE_STATUSES:
        errors.append(FieldError("status", "is not included in the list"))
    data.check(errors)
    with rt.change() as session:
        domain = visible(session, principal, code)
        if domain.delete_requested_at is not None:
            raise NotFound()
        if domain.status == st.OWNERSHIP_CHECK:
            raise ValidationFailed.one("status", "cannot change before ownership is proven")
        if data.status is not None and domain.status != data.status:
            domain.status = data.status
            queue(domain, st.UPDATING, utcnow())


def delete(rt: Runtime, principal: Principal, code: str) -> None:
    """Queue the removal of the domain with everything under it."""
    principal.require(Role.ADMIN, Role.CUSTOMER)
    now = utcnow()
    with rt.change() as session:
        domain = visible(session, principal, code)
        if domain.delete_requested_at is None:
            domain.delete_requested_at = now
            queue(domain, st.DELETING, now)


# ---- ownership ----------------------------------------------------------------------------


def check_ownership(rt: Runtime, domain: Domain | AliasDomain) -> OwnershipResult:
    """Resolve the (alias) domain's ownership record through the configured nameservers."""
    record = expected_record(domain.code, domain.name, rt.settings.ownership_ip)
    return check_a_record(
        record["name"],
        rt.settings.ownership_ip,
        rt.settings.dns_nameservers,
        timeout=rt.settings.dns_timeout,
    )


def mark_proven(domain: Domain | AliasDomain, now: datetime, how: str) -> None:
    """Ownership proven: the (alias) domain is enabled and its activation queued."""
    domain.status = st.ENABLED
    domain.ownership_proven_at = now
    domain.ownership_check_started_at = None
    queue(domain, st.ACTIVATING, now)
    domain.status_message = how
    if isinstance(domain, Domain):
        events.emit_for(domain, ev.DOMAIN_OWNERSHIP_VERIFIED, how=how)


def queue_ownership_check(rt: Runtime, principal: Principal, code: str, method: str) -> None:
    """Queue the worker's ownership check by ``method`` ("dns" or "html"), retried with backoff
    for the retry window; a domain already proven has nothing to check."""
    principal.require(Role.ADMIN, Role.CUSTOMER)
    now = utcnow()
    with rt.change() as session:
        domain = visible(session, principal, code)
        if domain.status != st.OWNERSHIP_CHECK or domain.delete_requested_at is not None:
            return
        domain.ownership_check_method = method
        domain.ownership_check_started_at = now
        queue(domain, None, now)  # a new generation: a step running on old data won't settle
        domain.status_message = f"{method.upper()} ownership check queued"


def queue_dns_check(rt: Runtime, principal: Principal, code: str) -> None:
    queue_ownership_check(rt, principal, code, "dns")


@dataclass(frozen=True)
class SyncCheck:
    domain: Domain
    verified: bool
    activation_queued: bool
    result: OwnershipResult | None


def sync_dns_check(rt: Runtime, principal: Principal, code: str) -> SyncCheck:
    """Check the ownership record now; on success queue the activation."""
    principal.require(Role.ADMIN, Role.CUSTOMER)
    with rt.db.read() as session:
        domain = visible(session, principal, code)
    if domain.status != st.OWNERSHIP_CHECK or domain.delete_requested_at is not None:
        return SyncCheck(domain, domain.ownership_proven_at is not None, False, None)
    result = check_ownership(rt, domain)
    now = utcnow()
    with rt.change() as session:
        domain = visible(session, principal, code)
        domain.ownership_last_checked_at = now
        queued = False
        if domain.status == st.OWNERSHIP_CHECK:
            if result.verified:
                mark_proven(domain, now, result.message)
                queued = True
            else:
                domain.status_message = result.message
    return SyncCheck(domain, result.verified, queued, result)


def skip_ownership(rt: Runtime, principal: Principal, code: str) -> None:
    """Sandbox only: mark ownership proven and queue activation."""
    principal.require(Role.ADMIN, Role.CUSTOMER)
    with rt.change() as session:
        domain = visible(session, principal, code)
        if domain.status == st.OWNERSHIP_CHECK and domain.delete_requested_at is None:
            mark_proven(domain, utcnow(), "ownership check skipped (sandbox)")
