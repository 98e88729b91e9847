"""A real mailplane server for tests: uvicorn on a loopback port, over a real database."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import uvicorn
from sqlalchemy.engine import make_url

from mailplane.api.app import create_app
from mailplane.config import Settings, load_settings
from mailplane.runtime import Runtime
from mailplane.service import customers, tokens
from mailplane.service.principal import Role
from mailplane.store.migrate import upgrade

PG_ADMIN_URL = os.environ.get(
    "MAILPLANE_TEST_PG_URL", "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/postgres"
)
PASSWORD = "Secret123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _plain(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for one test session; dropped afterwards."""
    name = f"mailplane_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_plain(PG_ADMIN_URL), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_plain(PG_ADMIN_URL), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_settings(database_url: str, data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "data_dir": data_dir,
        "mode": "sandbox",
        "worker_poll_seconds": 0.5,
        "worker_lease_seconds": 5.0,
        "password_bcrypt_rounds": 4,
        "dns_timeout": 1.0,
    }
    values.update(overrides)
    return load_settings(**values)


test_settings.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


@dataclass
class Live:
    """A running server: its API base, its runtime, and tokens to call it with."""

    base_url: str
    rt: Runtime
    admin_token: str
    customer_code: str
    customer_token: str

    def client(self, token: str | None = None) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url,
            headers={"X-Api-Token": token or self.customer_token},
            timeout=30.0,
        )

    def new_customer(self) -> tuple[str, str]:
        """Another tenant: its code and a token for it."""
        with self.rt.db.write() as session:
            customer = customers.create(session, f"customer {uuid.uuid4().hex[:6]}")
            token = tokens.issue(session, Role.CUSTOMER, customer_code=customer.code)
        return customer.code, token.secret

    def token(self, role: Role, **kwargs: str) -> str:
        with self.rt.db.write() as session:
            return tokens.issue(session, role, **kwargs).secret


@contextmanager
def live_server(settings: Settings, *, run_worker: bool = True) -> Iterator[Live]:
    rt = Runtime(settings)
    upgrade(rt.db)
    with rt.db.write() as session:
        admin = tokens.issue(session, Role.ADMIN, name="tests").secret
        customer = customers.create(session, "Test customer")
        customer_token = tokens.issue(session, Role.CUSTOMER, customer_code=customer.code).secret
        customer_code = customer.code
    port = free_port()
    config = uvicorn.Config(
        create_app(rt, run_worker=run_worker),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("mailplane test server did not start")
        time.sleep(0.02)
    try:
        yield Live(f"http://127.0.0.1:{port}/api", rt, admin, customer_code, customer_token)
    finally:
        server.should_exit = True
        thread.join(15)
        rt.close()


def unique_domain(suffix: str = "example.com") -> str:
    return f"t{uuid.uuid4().hex[:10]}.{suffix}"


def wait_for(client: httpx.Client, path: str, ready: Any, timeout: float = 15.0) -> dict[str, Any]:
    """Poll a resource until ``ready(resource)``; fail with the last state seen."""
    deadline = time.monotonic() + timeout
    last: dict[str, Any] = {}
    while time.monotonic() < deadline:
        response = client.get(path)
        assert response.status_code == 200, response.text
        last = response.json()["resources"][0]
        if ready(last):
            return last
        time.sleep(0.02)
    raise AssertionError(f"{path} not ready in {timeout}s; last seen {last}")


def is_ok(resource: dict[str, Any]) -> bool:
    return resource["status"] == "enabled" and resource["status_detail"] == "ok"


def create_domain(client: httpx.Client, name: str | None = None, **extra: Any) -> str:
    response = client.post(
        "/domains",
        json={
            "name": name or unique_domain(),
            "postmaster_password": PASSWORD,
            "postmaster_password_confirmation": PASSWORD,
            **extra,
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["resource_code"])


def active_domain(client: httpx.Client, name: str | None = None, **extra: Any) -> str:
    """A domain past its (sandbox-skipped) ownership proof, enabled and ok."""
    code = create_domain(client, name, **extra)
    assert client.put(f"/domains/{code}/skip_ownership_check").status_code == 204
    wait_for(client, f"/domains/{code}", is_ok)
    return code


def create_mailbox(
    client: httpx.Client, domain_code: str, name: str = "hello", **extra: Any
) -> str:
    response = client.post(
        f"/domains/{domain_code}/email_accounts",
        json={
            "name": name,
            "firstname": "Example",
            "password": PASSWORD,
            "password_confirmation": PASSWORD,
            **extra,
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["resource_code"])
