"""What the benchmarks share: a mailplane server in its own process, seeded through the API."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from mailplane.config import load_settings
from mailplane.runtime import Runtime
from mailplane.service import customers, tokens
from mailplane.service.principal import Role
from mailplane.store.migrate import upgrade

PASSWORD = "Secret123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    base_url: str
    token: str
    database_url: str


@contextmanager
def mailplane_server(**env: str) -> Iterator[Server]:
    """`mailplane serve` on a loopback port over a fresh SQLite file (sandbox mode)."""
    with tempfile.TemporaryDirectory() as tmp:
        settings_env = {
            "MAILPLANE_DATA_DIR": tmp,
            "MAILPLANE_MODE": "sandbox",
            **env,
        }
        settings = load_settings(
            data_dir=Path(tmp), database_url=settings_env.get("MAILPLANE_DATABASE_URL")
        )
        rt = Runtime(settings)
        upgrade(rt.db)
        with rt.db.write() as session:
            tokens.issue(session, Role.ADMIN, name="first admin")  # serve prints no token
            customer = customers.create(session, "bench")
            token = tokens.issue(session, Role.CUSTOMER, customer_code=customer.code).secret
        rt.close()
        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, "-m", "mailplane", "serve", "--port", str(port)],
            env={**os.environ, **settings_env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}/api"
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    if httpx.get(f"{base}/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("mailplane did not start")
                time.sleep(0.05)
            yield Server(base, token, settings.effective_database_url)
        finally:
            proc.terminate()
            proc.wait(10)


def create_domain(client: httpx.Client, name: str) -> str:
    response = client.post(
        "/domains",
        json={
            "name": name,
            "postmaster_password": PASSWORD,
            "postmaster_password_confirmation": PASSWORD,
        },
    )
    response.raise_for_status()
    return str(response.json()["resource_code"])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index]
