"""Extension routes for admins: ``/api/customers`` and ``/api/tokens`` (spec §2)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response

from mailplane.api import presenters
from mailplane.api.deps import body_doc, json_body, principal, runtime
from mailplane.clock import iso
from mailplane.model.errors import FieldError
from mailplane.model.inputs import CustomerCreate, TokenCreate
from mailplane.runtime import Runtime
from mailplane.service import customers, tokens
from mailplane.service.principal import Principal, Role
from mailplane.store.tables import ApiToken, Customer

router = APIRouter(tags=["administration (extension)"])


def admin(who: Principal = Depends(principal)) -> Principal:
    who.require(Role.ADMIN)
    return who


def _customer(row: Customer) -> dict[str, Any]:
    return {"code": row.code, "name": row.name, "created_at": iso(row.created_at)}


def _token(row: ApiToken) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": row.name,
        "role": row.role,
        "prefix": row.prefix,
        "created_at": iso(row.created_at),
        "revoked_at": iso(row.revoked_at),
    }


@router.get("/customers", summary="List customers")
def list_customers(rt: Runtime = Depends(runtime), _: Principal = Depends(admin)) -> JSONResponse:
    with rt.db.read() as session:
        rows = [_customer(c) for c in customers.list_all(session)]
    return JSONResponse({"resources": rows, "pagination": {}})


@router.post(
    "/customers",
    status_code=201,
    summary="Create a customer",
    openapi_extra=body_doc(CustomerCreate),
)
def create_customer(
    body: dict[str, Any] = Depends(json_body),
    rt: Runtime = Depends(runtime),
    _: Principal = Depends(admin),
) -> JSONResponse:
    data = CustomerCreate.parse(body)
    data.check([FieldError("name", "can't be blank")] if data.name is None else [])
    with rt.db.write() as session:
        customer = customers.create(session, data.name)
    return presenters.created("Customer", customer.code, f"/api/customers/{customer.code}")


@router.get("/customers/{code}", summary="Read one customer")
def get_customer(
    code: str, rt: Runtime = Depends(runtime), _: Principal = Depends(admin)
) -> JSONResponse:
    with rt.db.read() as session:
        return presenters.one(_customer(customers.get(session, code)))


@router.get("/tokens", summary="List tokens (never their secrets)")
def list_tokens(rt: Runtime = Depends(runtime), _: Principal = Depends(admin)) -> JSONResponse:
    with rt.db.read() as session:
        rows = [_token(t) for t in tokens.list_tokens(session)]
    return JSONResponse({"resources": rows, "pagination": {}})


@router.post(
    "/tokens",
    status_code=201,
    summary="Issue a token; its secret is shown once",
    openapi_extra=body_doc(TokenCreate),
)
def create_token(
    body: dict[str, Any] = Depends(json_body),
    rt: Runtime = Depends(runtime),
    _: Principal = Depends(admin),
) -> JSONResponse:
    data = TokenCreate.parse(body)
    data.check([])
    role = tokens.parse_role(data.role)
    with rt.db.write() as session:
        issued = tokens.issue(
            session,
            role,
            name=data.name or "",
            customer_code=data.customer_code,
            domain_code=data.domain_code,
        )
    return JSONResponse(
        {"message": "Token created", "resource_code": issued.code, "token": issued.secret},
        status_code=201,
        headers={"Location": f"/api/tokens/{issued.code}"},
    )


@router.delete("/tokens/{code}", status_code=204, summary="Revoke a token")
def revoke_token(
    code: str, rt: Runtime = Depends(runtime), _: Principal = Depends(admin)
) -> Response:
    with rt.db.write() as session:
        tokens.revoke(session, code)
    rt.principals.clear()
    return presenters.no_content()
