"""The administration commands: first token, customers, tokens; and the served API schema."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.support.live import Live, live_server, test_settings


def mailplane(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MAILPLANE_DATA_DIR": str(data_dir), "COLUMNS": "200"}
    env.pop("MAILPLANE_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "mailplane", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_first_token_customers_and_tokens(tmp_path: Path) -> None:
    first = mailplane(tmp_path, "init")
    assert first.returncode == 0, first.stderr
    admin = first.stdout.strip().splitlines()[-1]
    assert admin.startswith("mpk_")
    again = mailplane(tmp_path, "init")
    assert again.returncode == 0 and admin not in again.stdout
    assert "tokens exist already" in again.stdout

    customer = mailplane(tmp_path, "customers", "create", "Acme Hosting").stdout.strip()
    assert customer.startswith("C") and len(customer) == 10
    assert "Acme Hosting" in mailplane(tmp_path, "customers", "list").stdout

    issued = mailplane(tmp_path, "tokens", "create", "--role", "customer", "--customer", customer)
    assert issued.returncode == 0, issued.stderr
    secret = issued.stdout.strip()
    code = issued.stderr.split()[1]
    listing = mailplane(tmp_path, "tokens", "list").stdout
    assert code in listing and secret not in listing and admin not in listing

    bad = mailplane(tmp_path, "tokens", "create", "--role", "customer", "--customer", "C000")
    assert bad.returncode == 1 and "customer_code does not exist" in bad.stderr

    # the stored token works against the API, and stops working once revoked
    settings = test_settings(
        f"sqlite:///{tmp_path / 'mailplane.db'}", tmp_path, token_cache_seconds=0
    )
    with live_server(settings) as live:
        assert _status(live, secret) == 200
        assert mailplane(tmp_path, "tokens", "revoke", code).returncode == 0
        assert _status(live, secret) == 401
    assert mailplane(tmp_path, "tokens", "revoke", "T000000000").returncode == 1


def _status(live: Live, token: str) -> int:
    with live.client(token) as api:
        return api.get("/domains").status_code


def test_openapi_schema_and_docs_are_served(live: Live) -> None:
    base = live.base_url
    schema = httpx.get(f"{base}/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/domains",
        "/api/domains/{code}",
        "/api/domains/{code}/dns_ownership_check",
        "/api/domains/{code}/dns_ownership_check/sync",
        "/api/domains/{domain_code}/email_accounts/{code}",
        "/api/postmasters",
    ):
        assert path in paths, path
    create = paths["/api/domains"]["post"]["requestBody"]["content"]["application/json"]
    assert "postmaster_password" in create["schema"]["properties"]
    assert "swagger" in httpx.get(f"{base}/docs").text.lower()
