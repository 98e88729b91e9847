"""Routes under ``/api/webhooks`` (spec §6, an extension): lifecycle event subscriptions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response

from mailplane.api import presenters
from mailplane.api.deps import body_doc, json_body, principal, runtime
from mailplane.clock import iso
from mailplane.model.inputs import WebhookCreate
from mailplane.runtime import Runtime
from mailplane.service import webhooks
from mailplane.service.principal import Principal

router = APIRouter(prefix="/webhooks", tags=["webhooks (extension)"])


def _webhook(view: webhooks.WebhookView) -> dict[str, Any]:
    return {
        "code": view.code,
        "url": view.url,
        "events": view.events,
        "customer_code": view.customer_code,
        "created_at": iso(view.created_at),
    }


@router.get("", summary="List webhooks (never their secrets)")
def list_webhooks(
    rt: Runtime = Depends(runtime), who: Principal = Depends(principal)
) -> JSONResponse:
    with rt.db.read() as session:
        rows = [_webhook(view) for view in webhooks.list_visible(session, who)]
    return JSONResponse({"resources": rows, "pagination": {}})


@router.post(
    "",
    status_code=201,
    summary="Subscribe a URL to lifecycle events; deliveries are signed with the secret",
    openapi_extra=body_doc(WebhookCreate),
)
def create_webhook(
    body: dict[str, Any] = Depends(json_body),
    rt: Runtime = Depends(runtime),
    who: Principal = Depends(principal),
) -> JSONResponse:
    hook = webhooks.create(rt, who, WebhookCreate.parse(body))
    return presenters.created("Webhook", hook.code, f"/api/webhooks/{hook.code}")


@router.get("/{code}", summary="Read one webhook")
def get_webhook(
    code: str, rt: Runtime = Depends(runtime), who: Principal = Depends(principal)
) -> JSONResponse:
    with rt.db.read() as session:
        return presenters.one(_webhook(webhooks.get(session, who, code)))


@router.delete("/{code}", status_code=204, summary="Delete a webhook")
def delete_webhook(
    code: str, rt: Runtime = Depends(runtime), who: Principal = Depends(principal)
) -> Response:
    webhooks.remove(rt, who, code)
    return presenters.no_content()
