"""Customers: the tenants that own domains."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailplane.model.codes import Kind, is_code, new_code
from mailplane.model.errors import NotFound, ValidationFailed
from mailplane.store.tables import Customer


def create(session: Session, name: str) -> Customer:
    name = name.strip()
    if not name:
        raise ValidationFailed.one("name", "can't be blank")
    if len(name) > 255:
        raise ValidationFailed.one("name", "is too long (maximum is 255 characters)")
    customer = Customer(code=new_code(Kind.CUSTOMER), name=name)
    session.add(customer)
    session.flush()
    return customer


def get(session: Session, code: str) -> Customer:
    if not is_code(Kind.CUSTOMER, code):
        raise NotFound()
    customer = session.scalar(select(Customer).where(Customer.code == code))
    if customer is None:
        raise NotFound()
    return customer


def list_all(session: Session) -> list[Customer]:
    return list(session.scalars(select(Customer).order_by(Customer.id)))
