"""API tokens: random, stored as a SHA-256 digest, shown once, revocable."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from mailplane.clock import utcnow
from mailplane.model.codes import Kind, is_code, new_code
from mailplane.model.errors import FieldError, NotFound, ValidationFailed
from mailplane.service.principal import Principal, Role
from mailplane.store.tables import ApiToken, Customer, Domain

TOKEN_PREFIX = "mpk_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    code: str
    secret: str
    role: Role


def issue(
    session: Session,
    role: Role,
    *,
    name: str = "",
    customer_code: str | None = None,
    domain_code: str | None = None,
) -> IssuedToken:
    """Create a token; the secret is returned here and never again."""
    if len(name) > 255:
        raise ValidationFailed.one("name", "is too long (maximum is 255 characters)")
    row = ApiToken(code=new_code(Kind.TOKEN), name=name, role=role.value)
    if role is Role.CUSTOMER:
        if not customer_code:
            raise ValidationFailed.one("customer_code", "can't be blank")
        customer = session.scalar(select(Customer).where(Customer.code == customer_code))
        if customer is None:
            raise ValidationFailed.one("customer_code", "does not exist")
        row.customer_id = customer.id
    elif role is Role.POSTMASTER:
        if not domain_code:
            raise ValidationFailed.one("domain_code", "can't be blank")
        domain = session.scalar(select(Domain).where(Domain.code == domain_code))
        if domain is None:
            raise ValidationFailed.one("domain_code", "does not exist")
        row.domain_id = domain.id
        row.customer_id = domain.customer_id
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row.token_hash = digest(secret)
    row.prefix = secret[: len(TOKEN_PREFIX) + 6]
    session.add(row)
    session.flush()
    return IssuedToken(code=row.code, secret=secret, role=role)


def authenticate(conn: Connection | Session, token_digest: str) -> Principal | None:
    """The principal a token (by its digest) stands for, or None when unknown or revoked."""
    row = conn.execute(
        select(ApiToken.id, ApiToken.role, ApiToken.customer_id, ApiToken.domain_id).where(
            ApiToken.token_hash == token_digest, ApiToken.revoked_at.is_(None)
        )
    ).first()
    if row is None:
        return None
    return Principal(Role(row.role), row.id, row.customer_id, row.domain_id)


def list_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def revoke(session: Session, code: str) -> None:
    if not is_code(Kind.TOKEN, code):
        raise NotFound()
    row = session.scalar(select(ApiToken).where(ApiToken.code == code))
    if row is None:
        raise NotFound()
    if row.revoked_at is None:
        row.revoked_at = utcnow()


def parse_role(value: object) -> Role:
    try:
        return Role(str(value))
    except ValueError:
        raise ValidationFailed(
            [FieldError("role", "is not included in the list (admin, customer, postmaster)")]
        ) from None
