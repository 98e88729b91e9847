"""Routes of spec §5: email aliases (``…/alias_email_accounts``) and alias domains
(``…/aliases``) under ``/api/domains/{domain_code}``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from mailplane.api import presenters
from mailplane.api.deps import body_doc, json_body, principal, runtime
from mailplane.model.errors import NotFound
from mailplane.model.inputs import AliasDomainCreate, EmailAliasCreate
from mailplane.model.listing import parse_list_query
from mailplane.runtime import Runtime
from mailplane.service import alias_domains, aliases, domains
from mailplane.service.principal import Principal

router = APIRouter(tags=["aliases"])
ALIASES = "/domains/{domain_code}/alias_email_accounts"
ALIAS_DOMAINS = "/domains/{domain_code}/aliases"


# ---- email aliases --------------------------------------------------------------------------


@router.get(ALIASES, summary="List email aliases")
def list_aliases(
    domain_code: str,
    request: Request,
    rt: Runtime = Depends(runtime),
    who: Principal = Depends(principal),
) -> JSONResponse:
    q = parse_list_query(request.query_params, aliases.SORT_FIELDS)
    with rt.db.read() as session:
        rows, total = aliases.list_page(session, who, domain_code, q)
        return presenters.page([presenters.email_alias(r) for r in rows], q, total)


@router.post(
    ALIASES,
    status_code=201,
    summary="Create an email alias",
    openapi_extra=body_doc(EmailAliasCreate),
)
def create_alias(
    domain_code: str,
    body: dict[str, Any] = Depends(json_body),
    rt: Runtime = Depends(runtime),
    who: Principal = Depends(principal),
) -> JSONResponse:
    alias = aliases.create(rt, who, domain_code, EmailAliasCreate.parse(body))
    return presenters.created(
        "Email alias", alias.code, f"/api/domains/{domain_code}/alias_email_accounts/{alias.code}"
    )


@router.get(ALIASES + "/{code}", summary="Read one email alias")
def get_alias(
    domain_code: str, code: str, rt: Runtime = Depends(runtime), who: Principal = Depends(principal)
) -> JSONResponse:
    with rt.db.read() as session:
        return presenters.one(
            presenters.email_alias(aliases.visible(session, who, domain_code, code))
        )


@router.put(
    ALIASES + "/{code}",
    status_code=204,
    summary="Replace an alias's destinations",
    openapi_extra=body_doc(EmailAliasCreate),
)
def update_alias(
    domain_code: str,
    code: str,
    body: dict[str, Any] = Depends(json_body),
    rt: Runtime = Depends(runtime),
    who: Principal = Depends(principal),
) -> Response:
    aliases.update(rt, who, domain_code, code, EmailAliasCreate.parse(body))
    return presenters.no_content()


@router.delete(ALIASES + "/{code}", status_code=202, summary="Delete an email alias")
def delete_alias(
    domain_code: str, code: str, rt: Runtime = Depends(runtime), who: Principal = Depends(principal)
) -> Response:
    aliases.delete(rt, who, domain_code, code)
    return presenters.accepted()


# ---- alias domains --------------------------------------------------------------------------


@router.get(ALIAS_DOMAINS, summary="List alias domains")
def list_alias_domains(
    domain_code: str,
    request: Request,
    rt: Runtime = Depends(runtime),
    who: Principal = Depends(principal),
) -> JSONResponse:
    q = parse_list_query(request.query_params, alias_domains.SORT_FIELDS)
    ip = rt.settings.ownership_ip
    with rt.db.read() as session:
        rows, total = alias_domains.list_page(session, who, domain_code, q)
        return presenters.page([presenters.alias_domain(r, ip) for r in rows], q, total)


@router.post(
    ALIAS_DOMAINS,
    status_code=201,
    summary="Create an alias domain (waits for its ownership proof)",
    openapi_extra=body_doc(AliasDomainCreate),
)
def create_alias_domain(
    domain_code: str,
    body: dict[str, Any] = Depends(json_body),
    rt: Runtime = Depends(runtime),
    who: Principal = Depends(principal),
) -> JSONResponse:
    alias = alias_domains.create(rt, who, domain_code, AliasDomainCreate.parse(body))
    return presenters.created(
        "Alias domain", alias.code, f"/api/domains/{domain_code}/aliases/{alias.code}"
    )


@router.get(ALIAS_DOMAINS + "/{code}", summary="Read one alias domain")
def get_alias_domain(
    domain_code: str, code: str, rt: Runtime = Depends(runtime), who: Principal = Depends(principal)
) -> JSONResponse:
    with rt.db.read() as session:
        alias = alias_domains.visible(session, who, domain_code, code)
        return presenters.one(presenters.alias_domain(alias, rt.settings.ownership_ip))


@router.delete(ALIAS_DOMAINS + "/{code}", status_code=202, summary="Delete an alias domain")
def delete_alias_domain(
    domain_code: str, code: str, rt: Runtime = Depends(runtime), who: Principal = Depends(principal)
) -> Response:
    alias_domains.delete(rt, who, domain_code, code)
    return presenters.accepted()


@router.put(
    ALIAS_DOMAINS + "/{code}/dns_ownership_check",
    status_code=204,
    summary="Queue a DNS ownership check of an alias domain",
)
def queue_alias_dns_check(
    domain_code: str, code: str, rt: Runtime = Depends(runtime), who: Principal = Depends(principal)
) -> Response:
    alias_domains.queue_dns_check(rt, who, domain_code, code)
    return presenters.no_content()


@router.put(
    ALIAS_DOMAINS + "/{code}/dns_ownership_check/sync",
    summary="Check an alias domain's DNS ownership now",
)
def sync_alias_dns_check(
    domain_code: str, code: str, rt: Runtime = Depends(runtime), who: Principal = Depends(principal)
) -> JSONResponse:
    outcome = alias_domains.sync_dns_check(rt, who, domain_code, code)
    alias = outcome.alias
    return JSONResponse(
        {
            "verified": outcome.verified,
            "activation_queued": outcome.activation_queued,
            "resource": {
                "type": "alias_domain",
                "code": alias.code,
                "name": alias.name,
                "status": alias.status,
                "status_detail": alias.status_detail,
            },
            "expected_record": domains.expected_record(
                alias.code, alias.name, rt.settings.ownership_ip
            ),
            "resolved_ip": outcome.result.resolved_ip if outcome.result else None,
        }
    )


@router.put(
    ALIAS_DOMAINS + "/{code}/skip_ownership_check",
    status_code=204,
    summary="Sandbox only: skip an alias domain's proof",
)
def skip_alias_ownership_check(
    domain_code: str, code: str, rt: Runtime = Depends(runtime), who: Principal = Depends(principal)
) -> Response:
    if not rt.settings.sandbox:
        raise NotFound()
    alias_domains.skip_ownership(rt, who, domain_code, code)
    return presenters.no_content()
