"""Email accounts (mailboxes) under a domain (spec §4)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mailplane.clock import utcnow
from mailplane.model import status as st
from mailplane.model.codes import Kind, is_code, new_code
from mailplane.model.errors import FieldError, Forbidden, NotFound, ValidationFailed
from mailplane.model.inputs import EmailAccountCreate, EmailAccountSettings, StatusChange
from mailplane.model.listing import ListQuery
from mailplane.model.quota import DEFAULT_MAILBOX_QUOTA
from mailplane.model.rules import LANGUAGES, local_part_error, password_errors, quota_error
from mailplane.runtime import Runtime
from mailplane.service import aliases, domains
from mailplane.service.passwords import hash_password
from mailplane.service.principal import Principal
from mailplane.service.queueing import queue
from mailplane.store.paging import page_of
from mailplane.store.tables import Domain, EmailAccount

SORT_FIELDS = ("name", "email_address", "code", "status", "created_at", "updated_at")
# fields the mail servers must see when they change
_MAIL_FIELDS = ("max_email_quota", "imap_disabled", "pop_disabled", "smtp_disabled")
_PLAIN_FIELDS = (
    "firstname",
    "lastname",
    "description",
    "language",
    "timezone",
    "webmail_disabled",
    "password_change_disabled",
    "spam_in_inbox",
    "tags",
)


def visible(session: Session, principal: Principal, domain_code: str, code: str) -> EmailAccount:
    domain = domains.visible(session, principal, domain_code)
    if not (is_code(Kind.EMAIL_ACCOUNT, code) or is_code(Kind.POSTMASTER, code)):
        raise NotFound()
    account = session.scalar(
        select(EmailAccount).where(EmailAccount.domain_id == domain.id, EmailAccount.code == code)
    )
    if account is None:
        raise NotFound()
    return account


def _filtered(domain: Domain, q: ListQuery) -> Select[EmailAccount]:
    query = select(EmailAccount).where(EmailAccount.domain_id == domain.id)
    if q.query:
        needle = f"%{q.query.lower()}%"
        query = query.where(
            or_(EmailAccount.email_address.ilike(needle), EmailAccount.name.ilike(needle))
        )
    if q.status:
        query = query.where(EmailAccount.status == q.status)
    return query


def list_page(
    session: Session, principal: Principal, domain_code: str, q: ListQuery
) -> tuple[list[EmailAccount], int]:
    domain = domains.visible(session, principal, domain_code)
    return page_of(session, _filtered(domain, q), EmailAccount, q)


def list_postmasters(
    session: Session, principal: Principal, q: ListQuery
) -> tuple[list[EmailAccount], int]:
    visible_domains = principal.scope_domains(select(Domain)).with_only_columns(Domain.id)
    query = select(EmailAccount).where(
        EmailAccount.is_postmaster.is_(True), EmailAccount.domain_id.in_(visible_domains)
    )
    if q.query:
        query = query.where(EmailAccount.email_address.ilike(f"%{q.query.lower()}%"))
    if q.status:
        query = query.where(EmailAccount.status == q.status)
    return page_of(session, query, EmailAccount, q)


def _settings_errors(data: EmailAccountSettings, domain: Domain) -> list[FieldError]:
    errors: list[FieldError] = []
    if data.max_email_quota is not None and (
        problem := quota_error(data.max_email_quota, domain.max_email_quota)
    ):
        errors.append(FieldError("max_email_quota", problem))
    if data.language is not None and data.language not in LANGUAGES:
        errors.append(FieldError("language", "is not included in the list"))
    for field, longest in (("firstname", 255), ("lastname", 255), ("timezone", 64)):
        value = getattr(data, field)
        if value is not None and len(value) > longest:
            errors.append(FieldError(field, f"is too long (maximum is {longest} characters)"))
    if data.tags is not None and len(data.tags) > 50:
        errors.append(FieldError("tags", "is too long (maximum is 50 tags)"))
    return errors


def create(
    rt: Runtime, principal: Principal, domain_code: str, data: EmailAccountCreate
) -> EmailAccount:
    with rt.db.read() as session:
        domain = domains.visible(session, principal, domain_code)
    errors: list[FieldError] = []
    name = (data.name or "").strip().lower()
    if problem := local_part_error(name):
        errors.append(FieldError("name", problem))
    if not (data.firstname or "").strip():
        errors.append(FieldError("firstname", "can't be blank"))
    errors += password_errors(data.password, data.password_confirmation)
    errors += _settings_errors(data, domain)
    data.check(errors)
    assert data.password is not None
    password_hash = hash_password(data.password, rt.settings.password_bcrypt_rounds)
    quota = data.max_email_quota or domain.default_quota or DEFAULT_MAILBOX_QUOTA
    now = utcnow()
    try:
        with rt.change() as session:
            domain = domains.visible(session, principal, domain_code)
            _check_can_add(session, domain, name)
            account = EmailAccount(
                code=new_code(Kind.EMAIL_ACCOUNT),
                domain_id=domain.id,
                name=name,
                email_address=f"{name}@{domain.name}",
                firstname=data.firstname,
                lastname=data.lastname,
                description=data.description,
                status=st.ENABLED,
                status_detail=st.CREATING,
                password_hash=password_hash,
                max_email_quota=min(quota, domain.max_email_quota),
                imap_disabled=bool(data.imap_disabled),
                pop_disabled=bool(data.pop_disabled),
                smtp_disabled=bool(data.smtp_disabled),
                webmail_disabled=bool(data.webmail_disabled),
                password_change_disabled=bool(data.password_change_disabled),
                spam_in_inbox=bool(data.spam_in_inbox),
                language=data.language or "en",
                timezone=data.timezone,
                tags=data.tags or [],
                due_at=now,
            )
            session.add(account)
            session.flush()
    except IntegrityError:
        raise ValidationFailed.one("name", "already exists") from None
    return account


def _check_can_add(session: Session, domain: Domain, name: str) -> None:
    if domain.delete_requested_at is not None:
        raise NotFound()
    aliases.lock_domain(session, domain)  # a name is checked against mailboxes and aliases
    errors: list[FieldError] = []
    if domain.status != st.ENABLED or domain.activated_at is None:
        errors.append(FieldError("domain", "is not enabled"))
    taken = session.scalar(
        select(EmailAccount.id).where(
            EmailAccount.domain_id == domain.id, EmailAccount.name == name
        )
    )
    if taken is not None or aliases.name_taken(session, domain.id, name):
        errors.append(FieldError("name", "already exists"))
    if domain.max_email_accounts >= 0:
        count = session.scalar(
            select(func.count()).where(
                EmailAccount.domain_id == domain.id, EmailAccount.is_postmaster.is_(False)
            )
        )
        if (count or 0) >= domain.max_email_accounts:
            errors.append(
                FieldError(
                    "max_email_accounts",
                    f"limit reached ({domain.max_email_accounts} accounts)",
                )
            )
    if errors:
        raise ValidationFailed(errors)


def update(
    rt: Runtime, principal: Principal, domain_code: str, code: str, data: EmailAccountSettings
) -> None:
    with rt.db.read() as session:
        account = visible(session, principal, domain_code, code)
        domain = account.domain
    errors = _settings_errors(data, domain)
    password_given = data.given("password") or data.given("password_confirmation")
    if password_given:
        errors += password_errors(data.password, data.password_confirmation)
    data.check(errors)
    password_hash = (
        hash_password(data.password, rt.settings.password_bcrypt_rounds)
        if password_given and data.password
        else None
    )
    now = utcnow()
    with rt.change() as session:
        account = visible(session, principal, domain_code, code)
        if account.delete_requested_at is not None:
            raise NotFound()
        mail_changed = password_hash is not None
        if password_hash is not None:
            account.password_hash = password_hash
        for field in (*_MAIL_FIELDS, *_PLAIN_FIELDS):
            value = getattr(data, field)
            if not data.given(field) or (
                value is None and field not in ("lastname", "description", "timezone")
            ):
                continue
            if getattr(account, field) != value:
                setattr(account, field, value)
                mail_changed = mail_changed or field in _MAIL_FIELDS
        account.updated_at = now
        if mail_changed:
            _requeue(account, now)


def set_status(
    rt: Runtime, principal: Principal, domain_code: str, code: str, data: StatusChange
) -> None:
    errors: list[FieldError] = []
    if data.status is None:
        errors.append(FieldError("status", "can't be blank"))
    elif data.status not in st.SETTABLE_STATUSES:
        errors.append(FieldError("status", "is not included in the list"))
    if data.bounce_msg is not None and len(data.bounce_msg) > 500:
        errors.append(FieldError("bounce_msg", "is too long (maximum is 500 characters)"))
    data.check(errors)
    with rt.change() as session:
        account = visible(session, principal, domain_code, code)
        if account.delete_requested_at is not None:
            raise NotFound()
        changed = account.status != data.status or (
            data.given("bounce_msg") and account.bounce_msg != data.bounce_msg
        )
        if data.given("bounce_msg"):
            account.bounce_msg = data.bounce_msg
        if changed:
            assert data.status is not None
            account.status = data.status
            _requeue(account, utcnow())


def delete(rt: Runtime, principal: Principal, domain_code: str, code: str) -> None:
    now = utcnow()
    with rt.change() as session:
        account = visible(session, principal, domain_code, code)
        if account.is_postmaster:
            raise Forbidden()
        if account.delete_requested_at is None:
            account.delete_requested_at = now
            queue(account, st.DELETING, now)


def _requeue(account: EmailAccount, now: datetime) -> None:
    """A change the mail servers must see; a mailbox not yet provisioned keeps its detail."""
    queue(account, st.UPDATING if account.provisioned_at is not None else None, now)


def refuse_rename(
    rt: Runtime, principal: Principal, domain_code: str, code: str, name: object
) -> None:
    with rt.db.read() as session:
        account = visible(session, principal, domain_code, code)
    if name != account.name:
        raise ValidationFailed.one("name", "cannot be changed")
