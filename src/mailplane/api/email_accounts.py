"""Routes under ``/api/domains/{domain_code}/email_accounts`` (spec §4) and postmasters."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from mailplane.api import presenters
from mailplane.api.deps import body_doc, json_body, principal, runtime
from mailplane.model.inputs import EmailAccountCreate, EmailAccountSettings, StatusChange
from mailplane.model.listing import parse_list_query
from mailplane.runtime import Runtime
from mailplane.service import email_accounts
from mailplane.service.principal import Principal

router = APIRouter(tags=["email accounts"])
ROOT = "/domains/{domain_code}/email_accounts"


@router.get(ROOT, summary="List mailboxes, postmaster included")
def list_accounts(
    domain_code: str,
    request: Request,
    rt: Runtime = Depends(runtime),
    who: Principal = Depends(principal),
) -> JSONResponse:
    q = parse_list_query(request.query_params, email_accounts.SORT_FIELDS)
    with rt.db.read() as session:
        rows, total = email_accounts.list_page(session, who, domain_code, q)
    return presenters.page([presenters.email_account(r) for r in rows], q, total)


@router.post(
    ROOT, status_code=201, summary="Create a mailbox", openapi_extra=body_doc(EmailAccountCreate)
)
def create_account(
    domain_code: str,
    body: dict[str, Any] = Depends(json_body),
    rt: Runtime = Depends(runtime),
    who: Principal = Depends(principal),
) -> JSONResponse:
    account = email_accounts.create(rt, who, domain_code, EmailAccountCreate.parse(body))
    return presenters.created(
        "Email account", account.code, f"/api/domains/{domain_code}/email_accounts/{account.code}"
    )


@router.get(ROOT + "/{code}", summary="Read one mailbox")
def get_account(
    domain_code: str, code: str, rt: Runtime = Depends(runtime), who: Principal = Depends(principal)
) -> JSONResponse:
    with rt.db.read() as session:
        account = email_accounts.visible(session, who, domain_code, code)
        return presenters.one(presenters.email_account(account))


@router.put(
    ROOT + "/{code}",
    status_code=204,
    summary="Change a mailbox",
    openapi_extra=body_doc(EmailAccountSettings),
)
def update_account(
    domain_code: str,
    code: str,
    body: dict[str, Any] = Depends(json_body),
    rt: Runtime = Depends(runtime),
    who: Principal = Depends(principal),
) -> Response:
    if "name" in body:
        email_accounts.refuse_rename(rt, who, domain_code, code, body["name"])
    email_accounts.update(rt, who, domain_code, code, EmailAccountSettings.parse(body))
    return presenters.no_content()


@router.put(
    ROOT + "/{code}/status",
    status_code=204,
    summary="Enable or disable a mailbox",
    openapi_extra=body_doc(StatusChange),
)
def set_account_status(
    domain_code: str,
    code: str,
    body: dict[str, Any] = Depends(json_body),
    rt: Runtime = Depends(runtime),
    who: Principal = Depends(principal),
) -> Response:
    email_accounts.set_status(rt, who, domain_code, code, StatusChange.parse(body))
    return presenters.no_content()


@router.delete(ROOT + "/{code}", status_code=202, summary="Delete a mailbox")
def delete_account(
    domain_code: str, code: str, rt: Runtime = Depends(runtime), who: Principal = Depends(principal)
) -> Response:
    email_accounts.delete(rt, who, domain_code, code)
    return presenters.accepted()


@router.get("/postmasters", tags=["postmasters"], summary="List postmaster accounts")
def list_postmasters(
    request: Request, rt: Runtime = Depends(runtime), who: Principal = Depends(principal)
) -> JSONResponse:
    q = parse_list_query(request.query_params, email_accounts.SORT_FIELDS)
    with rt.db.read() as session:
        rows, total = email_accounts.list_postmasters(session, who, q)
        resources = [
            {
                **presenters.email_account(r),
                "domain_code": r.domain.code,
                "domain_name": r.domain.name,
            }
            for r in rows
        ]
    return presenters.page(resources, q, total)
