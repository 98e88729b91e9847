"""The `mailplane` command: run the service and administer it."""

from __future__ import annotations

import logging
import signal
import threading
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from mailplane.cli import mailconf, provision, resources

if TYPE_CHECKING:
    from mailplane.runtime import Runtime

# The server side (SQLAlchemy, Alembic, FastAPI) is imported inside the commands that need it,
# so that client commands such as `mailplane provision` start quickly.

app = typer.Typer(
    help="mailplane: a mail-hosting control plane with a Qboxmail-compatible API.",
    no_args_is_help=True,
)
customers_app = typer.Typer(help="Customers (tenants).", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens: shown once, stored hashed.", no_args_is_help=True)
app.add_typer(customers_app, name="customers")
app.add_typer(tokens_app, name="tokens")
console = Console()
err = Console(stderr=True)


def _runtime() -> Runtime:
    from mailplane.config import load_settings
    from mailplane.runtime import Runtime
    from mailplane.store.migrate import upgrade

    rt = Runtime(load_settings())
    upgrade(rt.db)
    return rt


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}")
    return typer.Exit(code=1)


def _first_admin_token(rt: Runtime) -> str | None:
    """Issue the first admin token when the database has none; None otherwise."""
    from sqlalchemy import func, select

    from mailplane.service import tokens as token_service
    from mailplane.service.principal import Role
    from mailplane.store.tables import ApiToken

    with rt.db.write() as session:
        if session.scalar(select(func.count()).select_from(ApiToken)):
            return None
        return token_service.issue(session, Role.ADMIN, name="first admin").secret


def _announce_token(secret: str) -> None:
    console.print("[bold]Admin API token[/bold] (shown once; store it now):")
    console.print(secret, soft_wrap=True, highlight=False)


@app.command()
def init() -> None:
    """Create or migrate the database and print the first admin token."""
    rt = _runtime()
    secret = _first_admin_token(rt)
    if secret is None:
        console.print("Database ready; tokens exist already (mailplane tokens create for more).")
        return
    _announce_token(secret)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="listen address")] = None,
    port: Annotated[int | None, typer.Option(help="listen port")] = None,
    worker: Annotated[
        bool | None, typer.Option("--worker/--no-worker", help="run the worker in this process")
    ] = None,
) -> None:
    """Migrate the database, then serve the API (with the worker, unless told not to)."""
    import uvicorn

    from mailplane.api.app import create_app

    rt = _runtime()
    secret = _first_admin_token(rt)
    if secret is not None:
        _announce_token(secret)
    settings = rt.settings
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    uvicorn.run(
        create_app(rt, run_worker=worker),
        host=host or settings.host,
        port=port or settings.port,
        log_level="warning",
        log_config=None,
        access_log=False,
    )


@app.command("worker")
def run_worker(
    threads: Annotated[int | None, typer.Option(help="worker threads")] = None,
) -> None:
    """Run the worker alone (any number of them, on any host sharing the database)."""
    from mailplane.reconcile.worker import WorkerPool

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    rt = _runtime()
    pool = WorkerPool(rt, threads)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    pool.start()
    console.print(f"worker running ({len(pool.threads)} threads); Ctrl-C to stop")
    stop.wait()
    pool.stop()


@app.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    _runtime()
    console.print("database is up to date")


@customers_app.command("create")
def customers_create(name: str) -> None:
    """Create a customer and print its code."""
    from mailplane.model.errors import ValidationFailed
    from mailplane.service import customers as customer_service

    rt = _runtime()
    try:
        with rt.db.write() as session:
            customer = customer_service.create(session, name)
    except ValidationFailed as exc:
        raise _fail(str(exc)) from None
    console.print(customer.code)


@customers_app.command("list")
def customers_list() -> None:
    """List customers."""
    from mailplane.clock import iso
    from mailplane.service import customers as customer_service

    rt = _runtime()
    table = Table("code", "name", "created")
    with rt.db.read() as session:
        for c in customer_service.list_all(session):
            table.add_row(c.code, c.name, iso(c.created_at))
    console.print(table)


@tokens_app.command("create")
def tokens_create(
    role: Annotated[str, typer.Option(help="admin, customer or postmaster")],
    customer: Annotated[str | None, typer.Option(help="customer code (role customer)")] = None,
    domain: Annotated[str | None, typer.Option(help="domain code (role postmaster)")] = None,
    name: Annotated[str, typer.Option(help="a label to recognise it by")] = "",
) -> None:
    """Issue a token and print its secret (shown this once)."""
    from mailplane.model.errors import ValidationFailed
    from mailplane.service import tokens as token_service

    rt = _runtime()
    try:
        with rt.db.write() as session:
            issued = token_service.issue(
                session,
                token_service.parse_role(role),
                name=name,
                customer_code=customer,
                domain_code=domain,
            )
    except ValidationFailed as exc:
        raise _fail(f"{exc} (see mailplane tokens create --help)") from None
    err.print(f"token {issued.code} ({issued.role.value}); shown once:")
    console.print(issued.secret, soft_wrap=True, highlight=False)


@tokens_app.command("list")
def tokens_list() -> None:
    """List tokens (codes and prefixes, never secrets)."""
    from mailplane.clock import iso
    from mailplane.service import tokens as token_service

    rt = _runtime()
    table = Table("code", "role", "name", "prefix", "created", "revoked")
    with rt.db.read() as session:
        for t in token_service.list_tokens(session):
            table.add_row(
                t.code, t.role, t.name, t.prefix + "…", iso(t.created_at), iso(t.revoked_at) or ""
            )
    console.print(table)


@tokens_app.command("revoke")
def tokens_revoke(code: str) -> None:
    """Revoke a token: it stops working at once."""
    from mailplane.model.errors import NotFound
    from mailplane.service import tokens as token_service

    rt = _runtime()
    try:
        with rt.db.write() as session:
            token_service.revoke(session, code)
    except NotFound:
        raise _fail(f"no token {code} (mailplane tokens list shows them)") from None
    console.print(f"revoked {code}")


provision.register(app)
resources.register(app)
mailconf.register(app)
