"""Rows to the JSON shapes of spec §3.1 and §4."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi.responses import JSONResponse, Response

from mailplane.clock import iso
from mailplane.model.listing import ListQuery
from mailplane.service.domains import expected_record, possession_a_record
from mailplane.store.tables import AliasDomain, EmailAccount, EmailAlias


def domain(row: Mapping[Any, Any], ownership_ip: str) -> dict[str, Any]:
    """A domain row of ``domain_views`` as the API shows it."""
    waiting = row["status"] == "ownership_check"
    return {
        "code": row["code"],
        "name": row["name"],
        "plan": row["plan"],
        "customer_code": row["customer_code"],
        "status": row["status"],
        "status_detail": row["status_detail"],
        "status_message": row["status_message"],
        "is_healthy": bool(row["is_healthy"]),
        "created_at": iso(row["created_at"]),
        "updated_at": iso(row["updated_at"]),
        "activated_at": iso(row["activated_at"]),
        "possession_a_record": possession_a_record(row["code"]),
        "ownership_verification_random_code": row["ownership_code"],
        "ownership_verification_email_address": row["ownership_email_address"],
        "expected_ownership_record": (
            expected_record(row["code"], row["name"], ownership_ip) if waiting else None
        ),
        "ownership_last_checked_at": iso(row["ownership_last_checked_at"]),
        "max_email_quota": row["max_email_quota"],
        "default_quota": row["default_quota"],
        "max_email_accounts": row["max_email_accounts"],
        "no_email_accounts": row["no_email_accounts"],
        "no_alias_email_accounts": row["no_alias_email_accounts"],
        "no_alias_domains": row["no_alias_domains"],
        "catch_all_enabled": bool(row["catch_all_enabled"]),
        "catch_all_destination": row["catch_all_destination"],
        "antispam_level": row["antispam_level"],
        "imap_disabled": bool(row["imap_disabled"]),
        "pop_disabled": bool(row["pop_disabled"]),
        "smtp_disabled": bool(row["smtp_disabled"]),
        "webmail_disabled": bool(row["webmail_disabled"]),
        "allow_nets": list(row["allow_nets"] or []),
        "postmaster_code": row["postmaster_code"],
        "has_dkim": row["dkim_public_key"] is not None,
        "dkim_selector": row["dkim_selector"],
        "dkim_public_key": row["dkim_public_key"],
    }


DOMAIN_FIELDS = tuple(
    [
        "code",
        "name",
        "plan",
        "customer_code",
        "status",
        "status_detail",
        "status_message",
        "is_healthy",
        "created_at",
        "updated_at",
        "activated_at",
        "possession_a_record",
        "ownership_verification_random_code",
        "ownership_verification_email_address",
        "expected_ownership_record",
        "ownership_last_checked_at",
        "max_email_quota",
        "default_quota",
        "max_email_accounts",
        "no_email_accounts",
        "no_alias_email_accounts",
        "no_alias_domains",
        "catch_all_enabled",
        "catch_all_destination",
        "antispam_level",
        "imap_disabled",
        "pop_disabled",
        "smtp_disabled",
        "webmail_disabled",
        "allow_nets",
        "postmaster_code",
        "has_dkim",
        "dkim_selector",
        "dkim_public_key",
    ]
)


def email_account(row: EmailAccount) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": row.name,
        "email_address": row.email_address,
        "firstname": row.firstname,
        "lastname": row.lastname,
        "description": row.description,
        "status": row.status,
        "status_detail": row.status_detail,
        "status_message": row.status_message,
        "max_email_quota": row.max_email_quota,
        "used_space": row.used_space,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
        "imap_disabled": row.imap_disabled,
        "pop_disabled": row.pop_disabled,
        "smtp_disabled": row.smtp_disabled,
        "webmail_disabled": row.webmail_disabled,
        "password_change_disabled": row.password_change_disabled,
        "spam_in_inbox": row.spam_in_inbox,
        "language": row.language,
        "timezone": row.timezone,
        "tags": list(row.tags or []),
        "is_postmaster": row.is_postmaster,
    }


def email_alias(row: EmailAlias) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": row.name,
        "domain_name": row.domain.name,
        "destinations": list(row.destinations or []),
        "status": row.status,
        "status_detail": row.status_detail,
        "status_message": row.status_message,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
    }


def alias_domain(row: AliasDomain, ownership_ip: str) -> dict[str, Any]:
    waiting = row.status == "ownership_check"
    return {
        "code": row.code,
        "name": row.name,
        "domain_code": row.domain.code,
        "status": row.status,
        "status_detail": row.status_detail,
        "status_message": row.status_message,
        "possession_a_record": possession_a_record(row.code),
        "expected_ownership_record": (
            expected_record(row.code, row.name, ownership_ip) if waiting else None
        ),
        "ownership_last_checked_at": iso(row.ownership_last_checked_at),
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
        "activated_at": iso(row.activated_at),
    }


def one(resource: dict[str, Any]) -> JSONResponse:
    return JSONResponse({"resources": [resource], "pagination": {}})


def page(resources: list[dict[str, Any]], q: ListQuery, total: int) -> JSONResponse:
    return JSONResponse({"resources": resources, "pagination": q.pagination(total)})


def created(what: str, code: str, location: str) -> JSONResponse:
    return JSONResponse(
        {"message": f"{what} created", "resource_code": code},
        status_code=201,
        headers={"Location": location},
    )


def no_content() -> Response:
    return Response(status_code=204)


def accepted() -> Response:
    return Response(status_code=202)
