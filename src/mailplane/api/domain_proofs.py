"""Routes under ``/api/domains/{code}``: e-mail and HTML ownership proofs, MX check, DKIM
(spec §3.2). Admins and the domain's customer only; a postmaster token gets 403."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response

from mailplane.api import presenters
from mailplane.api.deps import body_doc, json_body, principal, runtime
from mailplane.runtime import Runtime
from mailplane.service import dkim, mx_check, ownership_email, ownership_html
from mailplane.service.ownership_email import EmailProofCode, EmailProofRequest
from mailplane.service.principal import Principal

router = APIRouter(prefix="/domains", tags=["domains"])


@router.put(
    "/{code}/email_ownership_check",
    status_code=204,
    summary="Mail a one-time ownership code to an administrative address of the domain",
    openapi_extra=body_doc(EmailProofRequest),
)
def email_ownership_check(
    code: str,
    body: dict[str, Any] = Depends(json_body),
    rt: Runtime = Depends(runtime),
    who: Principal = Depends(principal),
) -> Response:
    ownership_email.send_code(rt, who, code, EmailProofRequest.parse(body))
    return presenters.no_content()


@router.put(
    "/{code}/email_ownership_check/verify",
    status_code=204,
    summary="Prove ownership with the mailed code",
    openapi_extra=body_doc(EmailProofCode),
)
def email_ownership_verify(
    code: str,
    body: dict[str, Any] = Depends(json_body),
    rt: Runtime = Depends(runtime),
    who: Principal = Depends(principal),
) -> Response:
    ownership_email.verify_code(rt, who, code, EmailProofCode.parse(body))
    return presenters.no_content()


@router.delete(
    "/{code}/email_ownership_check",
    status_code=204,
    summary="Reset the e-mail proof (unlocks it after five wrong codes)",
)
def email_ownership_reset(
    code: str, rt: Runtime = Depends(runtime), who: Principal = Depends(principal)
) -> Response:
    ownership_email.reset(rt, who, code)
    return presenters.no_content()


@router.get("/{code}/html_ownership_file", summary="The file that proves ownership over HTTP")
def html_ownership_file(
    code: str, rt: Runtime = Depends(runtime), who: Principal = Depends(principal)
) -> JSONResponse:
    return JSONResponse({"resources": [ownership_html.file_for(rt, who, code)]})


@router.put(
    "/{code}/html_ownership_check", status_code=204, summary="Queue an HTML ownership check"
)
def html_ownership_check(
    code: str, rt: Runtime = Depends(runtime), who: Principal = Depends(principal)
) -> Response:
    ownership_html.queue_check(rt, who, code)
    return presenters.no_content()


@router.put("/{code}/dns", status_code=204, summary="Queue an MX check")
def mx_check_route(
    code: str, rt: Runtime = Depends(runtime), who: Principal = Depends(principal)
) -> Response:
    mx_check.queue_check(rt, who, code)
    return presenters.no_content()


@router.post("/{code}/dkim", summary="Generate a DKIM key pair; the TXT record to publish")
def generate_dkim(
    code: str, rt: Runtime = Depends(runtime), who: Principal = Depends(principal)
) -> JSONResponse:
    record = dkim.generate(rt, who, code)
    return JSONResponse(
        {
            "resources": [
                {
                    "selector": record.selector,
                    "txt_record_name": record.txt_record_name,
                    "txt_record": record.txt_record,
                }
            ]
        }
    )
