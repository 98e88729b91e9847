"""Typed views of the API's resources.

Every model tolerates fields it does not know (they stay readable through `model_extra` and
attribute access), and every field but the code defaults to None, so a newer server or
Qboxmail's own API never breaks an older client.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AliasDomain",
    "DkimRecord",
    "Domain",
    "EmailAccount",
    "EmailAlias",
    "HtmlOwnershipFile",
    "OwnershipCheck",
    "OwnershipCheckResource",
    "OwnershipRecord",
    "Page",
    "Pagination",
    "Postmaster",
    "StatusResource",
    "Webhook",
]

# ISO 8601 is parsed into a datetime; anything else is kept as the raw string rather than failing.
Timestamp = Annotated[datetime | str | None, Field(union_mode="left_to_right")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class OwnershipRecord(_Model):
    """A DNS record to publish to prove ownership, e.g. an A record `d4829...example.com`."""

    name: str | None = None
    type: str | None = "A"
    value: str | None = None


class StatusResource(_Model):
    """Anything carrying the API's status model (`status` / `status_detail`)."""

    code: str
    status: str | None = None
    status_detail: str | None = None
    status_message: str | None = None

    @property
    def is_ready(self) -> bool:
        """True once the resource is `enabled` and converged (`status_detail == "ok"`)."""
        return self.status == "enabled" and self.status_detail == "ok"


class Domain(StatusResource):
    """A hosted domain (`D` + 9 digits)."""

    name: str | None = None
    plan: str | None = None
    customer_code: str | None = None
    is_healthy: bool | None = None
    created_at: Timestamp = None
    updated_at: Timestamp = None
    activated_at: Timestamp = None
    possession_a_record: str | None = None
    ownership_verification_random_code: str | None = None
    ownership_verification_email_address: str | None = None
    expected_ownership_record: OwnershipRecord | None = None
    ownership_last_checked_at: Timestamp = None
    max_email_quota: int | None = None
    default_quota: int | None = None
    max_email_accounts: int | None = None
    no_email_accounts: int | None = None
    no_alias_email_accounts: int | None = None
    no_alias_domains: int | None = None
    catch_all_enabled: bool | None = None
    catch_all_destination: str | None = None
    antispam_level: int | None = None
    imap_disabled: bool | None = None
    pop_disabled: bool | None = None
    smtp_disabled: bool | None = None
    webmail_disabled: bool | None = None
    allow_nets: list[str] | None = None
    postmaster_code: str | None = None
    has_dkim: bool | None = None
    dkim_selector: str | None = None
    dkim_public_key: str | None = None

    @property
    def expected_a_record(self) -> OwnershipRecord | None:
        """The A record to publish for the DNS ownership proof.

        Taken from `expected_ownership_record` when the server gives it (mailplane does);
        otherwise built from `possession_a_record` as `<possession_a_record>.<name>` with an
        unknown value (Qboxmail documents the address separately). None if neither is known.
        """
        if self.expected_ownership_record is not None and self.expected_ownership_record.name:
            return self.expected_ownership_record
        if self.possession_a_record:
            name = self.possession_a_record
            if self.name and not name.endswith(self.name):
                name = f"{name}.{self.name}"
            return OwnershipRecord(name=name, type="A", value=None)
        return None


class EmailAccount(StatusResource):
    """A mailbox (`EA` + 8 digits), or a domain's postmaster (`P` + 9 digits)."""

    name: str | None = None
    email_address: str | None = None
    firstname: str | None = None
    lastname: str | None = None
    description: str | None = None
    max_email_quota: int | None = None
    used_space: int | None = None
    created_at: Timestamp = None
    updated_at: Timestamp = None
    imap_disabled: bool | None = None
    pop_disabled: bool | None = None
    smtp_disabled: bool | None = None
    webmail_disabled: bool | None = None
    password_change_disabled: bool | None = None
    spam_in_inbox: bool | None = None
    language: str | None = None
    timezone: str | None = None
    tags: list[Any] | None = None
    is_postmaster: bool | None = None


class Postmaster(EmailAccount):
    """A domain's postmaster account, as listed by `GET /postmasters`."""


class EmailAlias(StatusResource):
    """An email alias (`AE` + 8 digits) forwarding to one or more destinations."""

    name: str | None = None
    domain_name: str | None = None
    destinations: list[str] | None = None
    created_at: Timestamp = None
    updated_at: Timestamp = None


class AliasDomain(StatusResource):
    """An alias domain (`AD` + 8 digits): mail to `x@alias` reaches `x@domain`."""

    name: str | None = None
    domain_code: str | None = None
    possession_a_record: str | None = None
    expected_ownership_record: OwnershipRecord | None = None
    created_at: Timestamp = None
    updated_at: Timestamp = None


class Pagination(_Model):
    """The `pagination` object of a list answer."""

    per: int | None = None
    page: int | None = None
    total_pages: int | None = None
    query: str | None = None
    filter: Any = None
    status: str | None = None
    sort_field: str | None = None
    sort: str | None = None
    total_records: int | None = None


T = TypeVar("T", bound=BaseModel)


class Page(_Model, Generic[T]):
    """One page of a list: `resources` plus the `pagination` the server sent."""

    resources: list[T] = Field(default_factory=list)
    pagination: Pagination = Field(default_factory=Pagination)

    def has_next(self, requested_per: int | None = None) -> bool:
        """Whether a following page may hold more resources."""
        if not self.resources:
            return False
        p = self.pagination
        if p.total_pages is not None and p.page is not None:
            return p.page < p.total_pages
        per = p.per or requested_per
        return per is not None and len(self.resources) >= per


class OwnershipCheckResource(_Model):
    """The resource part of a synchronous ownership check answer."""

    type: str | None = None
    code: str | None = None
    name: str | None = None
    status: str | None = None
    status_detail: str | None = None


class OwnershipCheck(_Model):
    """Result of `PUT …/dns_ownership_check/sync`."""

    verified: bool = False
    activation_queued: bool = False
    resource: OwnershipCheckResource | None = None
    expected_record: OwnershipRecord | None = None
    resolved_ip: str | None = None


class HtmlOwnershipFile(_Model):
    """The file proving ownership over HTTP: publish `content` at `url`
    (`http://<domain>/<file_name>`), then call `verify_html_ownership`."""

    file_name: str | None = None
    content: str | None = None
    url: str | None = None


class DkimRecord(_Model):
    """A generated DKIM key: publish a TXT record `txt_record_name` with value `txt_record`."""

    selector: str | None = None
    txt_record_name: str | None = None
    txt_record: str | None = None


class Webhook(_Model):
    """A webhook subscription (`W` + 9 digits; a mailplane extension). Never shows its secret."""

    code: str
    url: str | None = None
    events: list[str] | None = None
    customer_code: str | None = None
    created_at: Timestamp = None
