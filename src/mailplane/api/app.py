"""The FastAPI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from mailplane.api import admin, aliases, domains, email_accounts, errors, webhooks
from mailplane.reconcile.worker import WorkerPool
from mailplane.runtime import Runtime


def create_app(rt: Runtime, *, run_worker: bool | None = None) -> FastAPI:
    """The API over ``rt``; with ``run_worker`` the worker threads live in this process."""
    with_worker = rt.settings.run_worker if run_worker is None else run_worker

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        pool = WorkerPool(rt) if with_worker else None
        if pool:
            pool.start()
        try:
            yield
        finally:
            if pool:
                pool.stop()

    app = FastAPI(
        title="mailplane Management API",
        version="0.1.0",
        description="Qboxmail-compatible Management API (Hosting): domains, ownership proof, "
        "mailboxes, quotas.",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.runtime = rt
    errors.install(app)

    @app.get("/api/health", tags=["service (extension)"], summary="Liveness, for load balancers")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    app.router.routes[:0] = domains.FAST_ROUTES  # ahead of the routers: see read_domain
    app.include_router(domains.router, prefix="/api")
    app.include_router(email_accounts.router, prefix="/api")
    from mailplane.api import domain_proofs  # ownership proofs, MX check, DKIM

    app.include_router(domain_proofs.router, prefix="/api")
    app.include_router(aliases.router, prefix="/api")
    app.include_router(admin.router, prefix="/api")
    app.include_router(webhooks.router, prefix="/api")
    return app
