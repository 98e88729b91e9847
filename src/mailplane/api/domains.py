"""Routes under ``/api/domains`` (spec §3.2)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from starlette.routing import Route

from mailplane.api import presenters
from mailplane.api.deps import (
    TOKEN_HEADER_DOC,
    body_doc,
    json_body,
    principal,
    runtime,
    runtime_of,
)
from mailplane.model.errors import FieldError, NotFound, ValidationFailed
from mailplane.model.inputs import DomainCreate, DomainSettings, StatusChange
from mailplane.model.listing import parse_list_query
from mailplane.runtime import Runtime
from mailplane.service import domain_views, domains
from mailplane.service.principal import Principal, Role

router = APIRouter(prefix="/domains", tags=["domains"])


def _fields(request: Request) -> list[str] | None:
    raw = request.query_params.get("only") or request.query_params.get("pick")
    if not raw:
        return None
    fields = [f.strip() for f in raw.split(",") if f.strip()]
    unknown = [f for f in fields if f not in presenters.DOMAIN_FIELDS]
    if unknown:
        name = "only" if request.query_params.get("only") else "pick"
        raise ValidationFailed([FieldError(name, f"contains unknown fields: {', '.join(unknown)}")])
    return fields


@router.get("", summary="List domains")
async def list_domains(
    request: Request, rt: Runtime = Depends(runtime), who: Principal = Depends(principal)
) -> JSONResponse:
    q = parse_list_query(request.query_params, domain_views.SORT_FIELDS)
    fields = _fields(request)

    def fetch() -> tuple[list[dict[str, Any]], int]:
        with rt.db.connect() as conn:
            rows, total = domain_views.fetch_page(conn, who, q)
        return [presenters.domain(row, rt.settings.ownership_ip) for row in rows], total

    resources, total = await rt.db.call(fetch)
    if fields:
        resources = [{k: r[k] for k in fields} for r in resources]
    return presenters.page(resources, q, total)


@router.post(
    "",
    status_code=201,
    summary="Create a domain and its postmaster",
    openapi_extra=body_doc(DomainCreate),
)
def create_domain(
    body: dict[str, Any] = Depends(json_body),
    rt: Runtime = Depends(runtime),
    who: Principal = Depends(principal),
) -> JSONResponse:
    domain = domains.create(rt, who, DomainCreate.parse(body))
    return presenters.created("Domain", domain.code, f"/api/domains/{domain.code}")


async def read_domain(request: Request) -> JSONResponse:
    """``GET /api/domains/{code}``, the route integrations poll most.

    It is served as a plain Starlette route placed ahead of the FastAPI routers (see
    ``FAST_ROUTES``), which spares each request FastAPI's routing and dependency machinery;
    errors still reach the app's handlers and their envelope.
    """
    code = request.path_params["code"]
    rt = runtime_of(request)
    who = await principal(request)

    def fetch() -> dict[str, Any]:
        row = domain_views.fetch_one(rt.db.engine, who, code)
        return presenters.domain(row, rt.settings.ownership_ip)

    return presenters.one(await rt.db.call(fetch))


FAST_ROUTES = [Route("/api/domains/{code}", read_domain, methods=["GET"], name="read_domain")]


@router.get("/{code}", summary="Read one domain", openapi_extra=TOKEN_HEADER_DOC)
async def get_domain(code: str, request: Request) -> JSONResponse:
    """Documents the route in the OpenAPI schema; requests are answered by ``read_domain``."""
    return await read_domain(request)


@router.put(
    "/{code}", status_code=204, summary="Change settings", openapi_extra=body_doc(DomainSettings)
)
def update_domain(
    code: str,
    body: dict[str, Any] = Depends(json_body),
    rt: Runtime = Depends(runtime),
    who: Principal = Depends(principal),
) -> Response:
    if "name" in body or "plan" in body:
        _refuse_immutable(rt, who, code, body)
    domains.update(rt, who, code, DomainSettings.parse(body))
    return presenters.no_content()


def _refuse_immutable(rt: Runtime, who: Principal, code: str, body: dict[str, Any]) -> None:
    who.require(Role.ADMIN, Role.CUSTOMER)
    with rt.db.read() as session:
        domain = domains.visible(session, who, code)
    errors = [
        FieldError(field, "cannot be changed")
        for field in ("name", "plan")
        if field in body and body[field] != getattr(domain, field)
    ]
    if errors:
        raise ValidationFailed(errors)


@router.put(
    "/{code}/status",
    status_code=204,
    summary="Enable or disable",
    openapi_extra=body_doc(StatusChange),
)
def set_domain_status(
    code: str,
    body: dict[str, Any] = Depends(json_body),
    rt: Runtime = Depends(runtime),
    who: Principal = Depends(principal),
) -> Response:
    domains.set_status(rt, who, code, StatusChange.parse(body))
    return presenters.no_content()


@router.delete("/{code}", status_code=202, summary="Delete with everything under it")
def delete_domain(
    code: str, rt: Runtime = Depends(runtime), who: Principal = Depends(principal)
) -> Response:
    domains.delete(rt, who, code)
    return presenters.accepted()


@router.put("/{code}/dns_ownership_check", status_code=204, summary="Queue a DNS ownership check")
def queue_dns_check(
    code: str, rt: Runtime = Depends(runtime), who: Principal = Depends(principal)
) -> Response:
    domains.queue_dns_check(rt, who, code)
    return presenters.no_content()


@router.put("/{code}/dns_ownership_check/sync", summary="Check DNS ownership now")
def sync_dns_check(
    code: str, rt: Runtime = Depends(runtime), who: Principal = Depends(principal)
) -> JSONResponse:
    outcome = domains.sync_dns_check(rt, who, code)
    domain = outcome.domain
    return JSONResponse(
        {
            "verified": outcome.verified,
            "activation_queued": outcome.activation_queued,
            "resource": {
                "type": "domain",
                "code": domain.code,
                "name": domain.name,
                "status": domain.status,
                "status_detail": domain.status_detail,
            },
            "expected_record": domains.expected_record(
                domain.code, domain.name, rt.settings.ownership_ip
            ),
            "resolved_ip": outcome.result.resolved_ip if outcome.result else None,
        }
    )


@router.put("/{code}/skip_ownership_check", status_code=204, summary="Sandbox only: skip the proof")
def skip_ownership_check(
    code: str, rt: Runtime = Depends(runtime), who: Principal = Depends(principal)
) -> Response:
    if not rt.settings.sandbox:
        raise NotFound()
    domains.skip_ownership(rt, who, code)
    return presenters.no_content()
