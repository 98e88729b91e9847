"""Webhook subscriptions (spec §6): a customer's own, or an admin's for every customer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from mailplane.model.codes import Kind, is_code, new_code
from mailplane.model.errors import FieldError, NotFound
from mailplane.model.events import EVENT_TYPES, webhook_errors
from mailplane.model.inputs import WebhookCreate
from mailplane.runtime import Runtime
from mailplane.service.principal import Principal, Role
from mailplane.service.sealing import seal
from mailplane.store.tables import Customer, Webhook


@dataclass(frozen=True)
class WebhookView:
    """What the API shows of a webhook: never its secret."""

    code: str
    url: str
    events: list[str]
    customer_code: str | None
    created_at: datetime


def _scoped(principal: Principal) -> Select[Webhook, str]:
    principal.require(Role.ADMIN, Role.CUSTOMER)
    query = select(Webhook, Customer.code).outerjoin(Customer, Customer.id == Webhook.customer_id)
    if principal.role is Role.CUSTOMER:
        query = query.where(Webhook.customer_id == principal.customer_id)
    return query


def _view(row: Webhook, customer_code: str | None) -> WebhookView:
    return WebhookView(row.code, row.url, list(row.events or []), customer_code, row.created_at)


def create(rt: Runtime, principal: Principal, data: WebhookCreate) -> Webhook:
    """Subscribe ``url`` to ``events``; a customer's webhook hears of its own resources only,
    an admin's of every customer's (or of one, given ``customer_code``)."""
    principal.require(Role.ADMIN, Role.CUSTOMER)
    errors: list[FieldError] = webhook_errors(data.url, data.events, data.secret)
    customer_id = principal.customer_id
    if principal.is_admin:
        customer_id = None
        if data.customer_code:
            with rt.db.read() as session:
                customer_id = session.scalar(
                    select(Customer.id).where(Customer.code == data.customer_code)
                )
            if customer_id is None:
                errors.append(FieldError("customer_code", "does not exist"))
    data.check(errors)
    assert data.url is not None and data.events is not None and data.secret is not None
    wanted = set(data.events)
    hook = Webhook(
        code=new_code(Kind.WEBHOOK),
        customer_id=customer_id,
        url=data.url.strip(),
        events=[name for name in EVENT_TYPES if name in wanted],
        secret_encrypted=seal(rt.settings, data.secret),
    )
    with rt.db.write() as session:
        session.add(hook)
    return hook


def list_visible(session: Session, principal: Principal) -> list[WebhookView]:
    rows = session.execute(_scoped(principal).order_by(Webhook.id))
    return [_view(hook, customer_code) for hook, customer_code in rows]


def get(session: Session, principal: Principal, code: str) -> WebhookView:
    query = _scoped(principal)
    if not is_code(Kind.WEBHOOK, code):
        raise NotFound()
    row = session.execute(query.where(Webhook.code == code)).first()
    if row is None:
        raise NotFound()
    return _view(row[0], row[1])


def remove(rt: Runtime, principal: Principal, code: str) -> None:
    """Unsubscribe; deliveries still pending for it are dropped."""
    with rt.db.write() as session:
        get(session, principal, code)
        session.execute(delete(Webhook).where(Webhook.code == code))
