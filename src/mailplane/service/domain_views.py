"""Domains as the API shows them: one Core query, counts and postmaster code included."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Connection, Engine, RowMapping, Select, bindparam, func, select

from mailplane.model.codes import Kind, is_code
from mailplane.model.errors import NotFound
from mailplane.model.listing import ListQuery
from mailplane.service.principal import Principal, Role
from mailplane.store.fast_read import FastRead
from mailplane.store.tables import AliasDomain, Customer, Domain, EmailAccount, EmailAlias

SORT_FIELDS = ("name", "code", "status", "created_at", "updated_at", "plan")
# the domain columns the API shows (never the sealed DKIM key or the worker's bookkeeping)
SHOWN = [
    "code",
    "name",
    "plan",
    "status",
    "status_detail",
    "status_message",
    "is_healthy",
    "created_at",
    "updated_at",
    "activated_at",
    "ownership_code",
    "ownership_email_address",
    "ownership_last_checked_at",
    "max_email_quota",
    "default_quota",
    "max_email_accounts",
    "catch_all_enabled",
    "catch_all_destination",
    "antispam_level",
    "imap_disabled",
    "pop_disabled",
    "smtp_disabled",
    "webmail_disabled",
    "allow_nets",
    "dkim_selector",
    "dkim_public_key",
]


def _view(principal: Principal) -> Select[tuple[object, ...]]:
    mailboxes = (
        select(func.count())
        .where(EmailAccount.domain_id == Domain.id, EmailAccount.is_postmaster.is_(False))
        .correlate(Domain)
        .scalar_subquery()
    )
    aliases = (
        select(func.count())
        .where(EmailAlias.domain_id == Domain.id)
        .correlate(Domain)
        .scalar_subquery()
    )
    alias_domains = (
        select(func.count())
        .where(AliasDomain.domain_id == Domain.id)
        .correlate(Domain)
        .scalar_subquery()
    )
    postmaster = (
        select(EmailAccount.code)
        .where(EmailAccount.domain_id == Domain.id, EmailAccount.is_postmaster.is_(True))
        .correlate(Domain)
        .limit(1)
        .scalar_subquery()
    )
    query = select(
        *(Domain.__table__.c[name] for name in SHOWN),
        Customer.code.label("customer_code"),
        mailboxes.label("no_email_accounts"),
        aliases.label("no_alias_email_accounts"),
        alias_domains.label("no_alias_domains"),
        postmaster.label("postmaster_code"),
    ).join(Customer, Customer.id == Domain.customer_id)
    return principal.scope_domains(query)  # type: ignore[return-value]


@cache
def _one_by_code(role: Role) -> FastRead:
    """The single-domain statement for a role, built once; scope and code are parameters."""
    query = _view(Principal(Role.ADMIN)).where(Domain.code == bindparam("code"))
    if role is Role.CUSTOMER:
        query = _view(Principal(Role.ADMIN)).where(
            Domain.code == bindparam("code"), Domain.customer_id == bindparam("customer_id")
        )
    elif role is Role.POSTMASTER:
        query = _view(Principal(Role.ADMIN)).where(
            Domain.code == bindparam("code"), Domain.id == bindparam("domain_id")
        )
    return FastRead(query)


def fetch_one(engine: Engine, principal: Principal, code: str) -> dict[str, Any]:
    """The domain with this code as the API shows it, if the principal may see it."""
    if not is_code(Kind.DOMAIN, code):
        raise NotFound()
    params: dict[str, Any] = {"code": code}
    if principal.role is Role.CUSTOMER:
        params["customer_id"] = principal.customer_id
    elif principal.role is Role.POSTMASTER:
        params["domain_id"] = principal.domain_id
    row = _one_by_code(principal.role).first(engine, params)
    if row is None:
        raise NotFound()
    return row


def fetch_page(
    conn: Connection, principal: Principal, q: ListQuery
) -> tuple[Sequence[RowMapping], int]:
    query = _view(principal)
    if q.query:
        query = query.where(Domain.name.ilike(f"%{q.query.lower()}%"))
    if q.status:
        query = query.where(Domain.status == q.status)
    total = conn.scalar(select(func.count()).select_from(query.subquery())) or 0
    column = getattr(Domain, q.sort_field or "id")
    order = column.desc() if q.sort == "desc" else column.asc()
    rows = conn.execute(query.order_by(order, Domain.id).offset(q.offset).limit(q.per))
    return rows.mappings().all(), int(total)
