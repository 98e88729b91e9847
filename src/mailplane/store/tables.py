"""The tables. Every reconciled row carries the worker's bookkeeping (see ``Reconciled``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from mailplane.clock import utcnow


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Reconciled:
    """What is wanted versus what has been applied, and the worker's lease on the row.

    ``generation`` grows on every change that the mail servers must see; the worker applies it
    and sets ``observed_generation``. ``due_at`` is set while the row needs the worker (null once
    converged); ``lease_owner``/``lease_until`` keep two workers off the same row.
    """

    generation: Mapped[int] = mapped_column(Integer, default=1)
    observed_generation: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime | None] = mapped_column(DateTime, default=None, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(64), default=None)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    delete_requested_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(16))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    domain_id: Mapped[int | None] = mapped_column(ForeignKey("domains.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)


class Domain(Reconciled, Base):
    __tablename__ = "domains"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(253), unique=True)
    plan: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)

    status: Mapped[str] = mapped_column(String(32))
    status_detail: Mapped[str] = mapped_column(String(32))
    status_message: Mapped[str | None] = mapped_column(Text, default=None)
    is_healthy: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)

    ownership_code: Mapped[str] = mapped_column(String(64))
    ownership_email_address: Mapped[str | None] = mapped_column(String(320), default=None)
    ownership_proven_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    ownership_last_checked_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    # set while a queued DNS ownership check is retrying; retries stop 72 h after it
    ownership_check_started_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    # which proof the queued check looks for: "dns" or "html"
    ownership_check_method: Mapped[str] = mapped_column(
        String(8), default="dns", server_default="dns"
    )
    # the e-mail proof: a one-time code (stored as a digest), its age, wrong tries
    ownership_email_code_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    ownership_email_sent_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    ownership_email_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # an MX check queued by PUT …/dns
    mx_check_requested_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    mx_checked_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)

    max_email_quota: Mapped[int] = mapped_column(BigInteger)
    default_quota: Mapped[int | None] = mapped_column(BigInteger, default=None)
    max_email_accounts: Mapped[int] = mapped_column(Integer, default=-1)
    catch_all_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    catch_all_destination: Mapped[str | None] = mapped_column(String(320), default=None)
    antispam_level: Mapped[int] = mapped_column(Integer, default=2)
    imap_disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    pop_disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    smtp_disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    webmail_disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    allow_nets: Mapped[list[Any]] = mapped_column(JSON, default=list)
    dkim_selector: Mapped[str | None] = mapped_column(String(63), default=None)
    dkim_public_key: Mapped[str | None] = mapped_column(Text, default=None)
    # PEM, encrypted with the service's secret key
    dkim_private_key_encrypted: Mapped[str | None] = mapped_column(Text, default=None)
    # the status last told to webhooks (``domain.enabled`` / ``domain.disabled``)
    announced_status: Mapped[str | None] = mapped_column(String(32), default=None)

    customer: Mapped[Customer] = relationship(lazy="joined")


class EmailAccount(Reconciled, Base):
    __tablename__ = "email_accounts"
    __table_args__ = (UniqueConstraint("domain_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    email_address: Mapped[str] = mapped_column(String(320), unique=True)
    is_postmaster: Mapped[bool] = mapped_column(Boolean, default=False)

    firstname: Mapped[str | None] = mapped_column(String(255), default=None)
    lastname: Mapped[str | None] = mapped_column(String(255), default=None)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    status: Mapped[str] = mapped_column(String(32))
    status_detail: Mapped[str] = mapped_column(String(32))
    status_message: Mapped[str | None] = mapped_column(Text, default=None)
    bounce_msg: Mapped[str | None] = mapped_column(Text, default=None)
    password_hash: Mapped[str] = mapped_column(String(255))
    max_email_quota: Mapped[int] = mapped_column(BigInteger)
    used_space: Mapped[int | None] = mapped_column(BigInteger, default=None)
    used_space_checked_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    # the highest quota threshold (0, 80, 95 %) already warned of by a webhook event
    quota_warning_level: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    imap_disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    pop_disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    smtp_disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    webmail_disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    password_change_disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    spam_in_inbox: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(8), default="en")
    timezone: Mapped[str | None] = mapped_column(String(64), default=None)
    tags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # set once the mail servers have the mailbox: a mailbox that was never provisioned
    # is not offered to Dovecot and Postfix
    provisioned_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)

    domain: Mapped[Domain] = relationship(lazy="joined")


class BackendAction(Base):
    """What the sandbox mail backend was asked to do, once per resource generation."""

    __tablename__ = "backend_actions"
    __table_args__ = (UniqueConstraint("resource_code", "generation", "action"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_code: Mapped[str] = mapped_column(String(16))
    generation: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # how many times the same step was asked again (after a crash, say) and changed nothing
    repeats: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


Index("ix_email_accounts_domain", EmailAccount.domain_id)


class EmailAlias(Reconciled, Base):
    """``name@domain`` forwarding to 1–20 destinations (spec §5)."""

    __tablename__ = "email_aliases"
    __table_args__ = (UniqueConstraint("domain_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(320), unique=True)
    destinations: Mapped[list[Any]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(32))
    status_detail: Mapped[str] = mapped_column(String(32))
    status_message: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    provisioned_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)

    domain: Mapped[Domain] = relationship(lazy="joined")


class AliasDomain(Reconciled, Base):
    """Another name for a domain: once proven and enabled, ``x@alias`` reaches ``x@domain``."""

    __tablename__ = "alias_domains"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(253), unique=True)
    status: Mapped[str] = mapped_column(String(32))
    status_detail: Mapped[str] = mapped_column(String(32))
    status_message: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    ownership_proven_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    ownership_last_checked_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    ownership_check_started_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)

    domain: Mapped[Domain] = relationship(lazy="joined")


class Webhook(Base):
    """A customer's subscription to lifecycle events (spec §6)."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2048))
    events: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # the signing secret, encrypted with the service's secret key (it must be read to sign)
    secret_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)


class Event(Base):
    """The outbox: an event written in the same transaction as the change it reports."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(40), unique=True)  # the ``id`` receivers dedupe on
    type: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[int | None] = mapped_column(Integer, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # set once deliveries have been fanned out to the subscribed webhooks
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime, default=None, index=True)


class Delivery(Base):
    """One event to one webhook: retried with backoff until the receiver answers 2xx."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("event_id", "webhook_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime | None] = mapped_column(DateTime, default=utcnow, index=True)
    lease_owner: Mapped[str | None] = mapped_column(String(64), default=None)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
