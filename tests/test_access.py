"""Who may call what (spec §1.2, §2): 401 without a valid token, 403 where the role may not,
and 404 (never 403) for what belongs to another tenant.

Two customers, A and B, each with an enabled domain and a mailbox, are made once per module on
the shared `live` sandbox server (SQLite and PostgreSQL). Every request that must be refused
targets a real resource, so a missing check would show as a changed or leaked resource.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from mailplane.service.principal import Role
from tests.support.live import (
    PASSWORD,
    Live,
    active_domain,
    create_domain,
    create_mailbox,
    live_server,
    unique_domain,
)
from tests.support.live import test_settings as server_settings

UNAUTHORIZED = {"message": "Unauthorized", "errors": []}
FORBIDDEN = {"message": "Forbidden", "errors": []}
NOT_FOUND = {"message": "Not found", "errors": []}


@dataclass
class Tenant:
    customer_code: str
    token: str
    domain: str  # enabled
    mailbox: str
    postmaster: str  # the domain's postmaster account (P…)
    pending: str  # a second domain, still in ownership_check


@dataclass
class World:
    live: Live
    a: Tenant
    b: Tenant
    postmaster_token: str  # a postmaster token of A's enabled domain
    revoked_token: str
    token_code: str  # an existing token, for /api/tokens/{code}
    clients: dict[str | None, httpx.Client] = field(default_factory=dict)

    def client(self, token: str | None) -> httpx.Client:
        """A client sending ``token`` (none at all when None); kept for the module."""
        if token not in self.clients:
            headers = {"X-Api-Token": token} if token is not None else {}
            self.clients[token] = httpx.Client(
                base_url=self.live.base_url, headers=headers, timeout=30.0
            )
        return self.clients[token]


def _tenant(live: Live) -> Tenant:
    code, token = live.new_customer()
    with live.client(token) as api:
        domain = active_domain(api)
        mailbox = create_mailbox(api, domain)
        pending = create_domain(api)
        postmaster = api.get(f"/domains/{domain}").json()["resources"][0]["postmaster_code"]
    return Tenant(code, token, domain, mailbox, postmaster, pending)


@pytest.fixture(scope="module")
def world(live: Live) -> Iterator[World]:
    a = _tenant(live)
    b = _tenant(live)
    with live.client(live.admin_token) as admin:
        issued = admin.post("/tokens", json={"role": "customer", "customer_code": a.customer_code})
        assert issued.status_code == 201, issued.text
        secret, code = issued.json()["token"], issued.json()["resource_code"]
        with live.client(secret) as doomed:
            assert doomed.get("/domains").status_code == 200  # it worked before revocation
        assert admin.delete(f"/tokens/{code}").status_code == 204
    postmaster_token = live.token(Role.POSTMASTER, domain_code=a.domain)
    made = World(live, a, b, postmaster_token, secret, code)
    yield made
    for client in made.clients.values():
        client.close()


def expand(path: str, world: World, tenant: Tenant | None = None) -> str:
    t = tenant or world.a
    return path.format(
        dom=t.domain,
        pending=t.pending,
        mb=t.mailbox,
        pm=t.postmaster,
        cust=t.customer_code,
        tok=world.token_code,
    )


def call(api: httpx.Client, method: str, path: str, body: Any = None) -> httpx.Response:
    if body is None:
        return api.request(method, path)
    return api.request(method, path, json=body)


NEW_DOMAIN = {
    "name": "never-created.example.com",
    "postmaster_password": PASSWORD,
    "postmaster_password_confirmation": PASSWORD,
}
NEW_MAILBOX = {
    "name": "never-created",
    "firstname": "Nobody",
    "password": PASSWORD,
    "password_confirmation": PASSWORD,
}

# every route, with a valid body where it takes one
ROUTES: list[tuple[str, str, Any]] = [
    ("GET", "/domains", None),
    ("POST", "/domains", NEW_DOMAIN),
    ("GET", "/domains/{dom}", None),
    ("PUT", "/domains/{dom}", {"antispam_level": 3}),
    ("DELETE", "/domains/{dom}", None),
    ("PUT", "/domains/{dom}/status", {"status": "disabled"}),
    ("PUT", "/domains/{pending}/dns_ownership_check", None),
    ("PUT", "/domains/{pending}/dns_ownership_check/sync", None),
    ("PUT", "/domains/{pending}/skip_ownership_check", None),
    ("GET", "/domains/{dom}/email_accounts", None),
    ("POST", "/domains/{dom}/email_accounts", NEW_MAILBOX),
    ("GET", "/domains/{dom}/email_accounts/{mb}", None),
    ("PUT", "/domains/{dom}/email_accounts/{mb}", {"firstname": "Changed"}),
    ("DELETE", "/domains/{dom}/email_accounts/{mb}", None),
    ("PUT", "/domains/{dom}/email_accounts/{mb}/status", {"status": "disabled"}),
    ("GET", "/postmasters", None),
    ("GET", "/customers", None),
    ("POST", "/customers", {"name": "Never created"}),
    ("GET", "/customers/{cust}", None),
    ("GET", "/tokens", None),
    ("POST", "/tokens", {"role": "admin", "name": "never issued"}),
    ("DELETE", "/tokens/{tok}", None),
]
ROUTE_IDS = [f"{method} {path}" for method, path, _ in ROUTES]


def assert_untouched(world: World) -> None:
    """A's domain and mailbox are as the module made them."""
    api = world.client(world.a.token)
    domain = api.get(f"/domains/{world.a.domain}").json()["resources"][0]
    assert (domain["status"], domain["antispam_level"]) == ("enabled", 2)
    path = f"/domains/{world.a.domain}/email_accounts/{world.a.mailbox}"
    mailbox = api.get(path).json()["resources"][0]
    assert (mailbox["status"], mailbox["firstname"]) == ("enabled", "Example")
    pending = api.get(f"/domains/{world.a.pending}").json()["resources"][0]
    assert pending["status"] == "ownership_check"


# ---- 401 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["no token", "unknown token", "revoked token"])
@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=ROUTE_IDS)
def test_unauthorized(world: World, who: str, method: str, path: str, body: Any) -> None:
    token = {
        "no token": None,
        "unknown token": "mpk_" + "x" * 43,
        "revoked token": world.revoked_token,
    }[who]
    api = world.client(token)
    response = call(api, method, expand(path, world), body)
    assert response.status_code == 401, response.text
    assert response.json() == UNAUTHORIZED


def test_empty_token_header_is_unauthorized(world: World) -> None:
    api = world.client("")
    response = api.get("/domains")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


# ---- 403 ------------------------------------------------------------------------------------

POSTMASTER_FORBIDDEN = [
    route
    for route in ROUTES
    if (route[1].startswith("/domains") and "email_accounts" not in route[1] and route[0] != "GET")
    or route[1].startswith(("/customers", "/tokens"))
]
ADMIN_ONLY = [route for route in ROUTES if route[1].startswith(("/customers", "/tokens"))]


@pytest.mark.parametrize("own", [True, False], ids=["own domain", "other domain"])
@pytest.mark.parametrize(
    ("method", "path", "body"),
    POSTMASTER_FORBIDDEN,
    ids=[f"{m} {p}" for m, p, _ in POSTMASTER_FORBIDDEN],
)
def test_postmaster_forbidden(world: World, own: bool, method: str, path: str, body: Any) -> None:
    api = world.client(world.postmaster_token)
    response = call(api, method, expand(path, world, world.a if own else world.b), body)
    assert response.status_code == 403, response.text
    assert response.json() == FORBIDDEN
    assert_untouched(world)


@pytest.mark.parametrize(
    ("method", "path", "body"), ADMIN_ONLY, ids=[f"{m} {p}" for m, p, _ in ADMIN_ONLY]
)
def test_customer_forbidden_on_admin_routes(
    world: World, method: str, path: str, body: Any
) -> None:
    api = world.client(world.a.token)
    response = call(api, method, expand(path, world), body)
    assert response.status_code == 403, response.text
    assert response.json() == FORBIDDEN


@pytest.mark.parametrize("who", ["admin", "customer", "postmaster"])
def test_postmaster_account_cannot_be_deleted(world: World, who: str) -> None:
    token = {
        "admin": world.live.admin_token,
        "customer": world.a.token,
        "postmaster": world.postmaster_token,
    }[who]
    path = f"/domains/{world.a.domain}/email_accounts/{world.a.postmaster}"
    api = world.client(token)
    response = api.delete(path)
    assert response.status_code == 403, response.text
    assert response.json() == FORBIDDEN
    account = api.get(path).json()["resources"][0]
    assert account["is_postmaster"] is True
    assert account["status_detail"] != "deleting"


# ---- 404 across tenants ---------------------------------------------------------------------

TENANT_ROUTES = [route for route in ROUTES if "{" in route[1] and route[1].startswith("/domains")]
EXTRA_TENANT_ROUTES: list[tuple[str, str, Any]] = [
    ("GET", "/domains/{dom}/email_accounts/{pm}", None),
    ("DELETE", "/domains/{dom}/email_accounts/{pm}", None),
    ("GET", "/domains/{pending}", None),
    ("DELETE", "/domains/{pending}", None),
]
CROSS = TENANT_ROUTES + EXTRA_TENANT_ROUTES


@pytest.mark.parametrize(("method", "path", "body"), CROSS, ids=[f"{m} {p}" for m, p, _ in CROSS])
def test_other_customer_gets_not_found(world: World, method: str, path: str, body: Any) -> None:
    api = world.client(world.b.token)
    response = call(api, method, expand(path, world, world.a), body)
    assert response.status_code == 404, response.text
    assert response.json() == NOT_FOUND
    assert_untouched(world)


# the routes a postmaster token may use, on a domain that is not its own
POSTMASTER_ALLOWED = [route for route in CROSS if "email_accounts" in route[1] or route[0] == "GET"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    POSTMASTER_ALLOWED,
    ids=[f"{m} {p}" for m, p, _ in POSTMASTER_ALLOWED],
)
def test_postmaster_of_one_domain_cannot_see_another(
    world: World, method: str, path: str, body: Any
) -> None:
    api = world.client(world.postmaster_token)
    response = call(api, method, expand(path, world, world.b), body)
    assert response.status_code == 404, response.text
    assert response.json() == NOT_FOUND


def test_postmaster_cannot_see_another_domain_of_its_customer(world: World) -> None:
    other = f"/domains/{world.a.pending}"
    api = world.client(world.postmaster_token)
    for response in (
        api.get(other),
        api.get(f"{other}/email_accounts"),
        api.post(f"{other}/email_accounts", json=NEW_MAILBOX),
    ):
        assert response.status_code == 404, response.text
        assert response.json() == NOT_FOUND


def test_mailbox_is_only_found_under_its_own_domain(world: World) -> None:
    api = world.client(world.a.token)
    response = api.get(f"/domains/{world.a.pending}/email_accounts/{world.a.mailbox}")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    response = api.get(f"/domains/{world.a.domain}/email_accounts/{world.b.mailbox}")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_lists_show_only_what_the_token_may_see(world: World) -> None:
    def codes(token: str, path: str) -> set[str]:
        api = world.client(token)
        response = api.get(path, params={"per": 1000})
        assert response.status_code == 200, response.text
        return {r["code"] for r in response.json()["resources"]}

    a_domains, b_domains = codes(world.a.token, "/domains"), codes(world.b.token, "/domains")
    assert a_domains >= {world.a.domain, world.a.pending}
    assert b_domains >= {world.b.domain, world.b.pending}
    assert not a_domains & b_domains
    assert codes(world.postmaster_token, "/domains") == {world.a.domain}
    assert codes(world.a.token, "/postmasters") >= {world.a.postmaster}
    assert world.b.postmaster not in codes(world.a.token, "/postmasters")
    assert codes(world.postmaster_token, "/postmasters") == {world.a.postmaster}
    admin_domains = codes(world.live.admin_token, "/domains")
    assert {world.a.domain, world.b.domain, world.a.pending} <= admin_domains


def test_admin_sees_every_tenant(world: World) -> None:
    api = world.client(world.live.admin_token)
    for tenant in (world.a, world.b):
        assert api.get(f"/domains/{tenant.domain}").status_code == 200
        path = f"/domains/{tenant.domain}/email_accounts/{tenant.mailbox}"
        assert api.get(path).status_code == 200


# ---- what each role may do ------------------------------------------------------------------


def test_postmaster_manages_mailboxes_of_its_own_domain(world: World) -> None:
    root = f"/domains/{world.a.domain}/email_accounts"
    api = world.client(world.postmaster_token)
    assert api.get(f"/domains/{world.a.domain}").status_code == 200
    code = create_mailbox(api, world.a.domain, "by-postmaster")
    got = api.get(f"{root}/{code}")
    assert got.status_code == 200
    assert got.json()["resources"][0]["email_address"].startswith("by-postmaster@")
    listed = api.get(root, params={"per": 1000}).json()["resources"]
    assert code in {r["code"] for r in listed}
    assert api.put(f"{root}/{code}", json={"lastname": "Changed"}).status_code == 204
    assert api.put(f"{root}/{code}/status", json={"status": "disabled"}).status_code == 204
    assert api.delete(f"{root}/{code}").status_code == 202


def test_admin_creates_domains_for_a_named_customer(world: World) -> None:
    body = {**NEW_DOMAIN, "name": unique_domain()}
    admin = world.client(world.live.admin_token)
    response = admin.post("/domains", json=body)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "customer_code", "description": "can't be blank"}
    ]
    response = admin.post("/domains", json={**body, "customer_code": world.a.customer_code})
    assert response.status_code == 201, response.text
    code = response.json()["resource_code"]
    api = world.client(world.a.token)
    got = api.get(f"/domains/{code}")
    assert got.status_code == 200
    assert got.json()["resources"][0]["customer_code"] == world.a.customer_code
    assert api.delete(f"/domains/{code}").status_code == 202


def test_customer_code_of_a_customer_is_ignored(world: World) -> None:
    body = {**NEW_DOMAIN, "name": unique_domain(), "customer_code": world.a.customer_code}
    api = world.client(world.b.token)
    response = api.post("/domains", json=body)
    assert response.status_code == 201, response.text
    code = response.json()["resource_code"]
    got = api.get(f"/domains/{code}").json()["resources"][0]
    assert got["customer_code"] == world.b.customer_code
    assert api.delete(f"/domains/{code}").status_code == 202
    api = world.client(world.a.token)
    assert api.get(f"/domains/{code}").status_code == 404


def test_malformed_codes_are_not_found(world: World) -> None:
    api = world.client(world.live.admin_token)
    for path in [
        "/domains/nope",
        "/domains/%00",
        f"/domains/{world.a.domain.lower()}",
        f"/domains/{world.a.domain}/email_accounts/%00",
        f"/domains/{world.a.domain}/email_accounts/{world.a.mailbox}x",
        "/customers/%00",
    ]:
        response = api.get(path)
        assert response.status_code == 404, (path, response.text)
        assert response.json() == NOT_FOUND
    response = api.delete("/tokens/%00")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


# ---- tokens are shown once ------------------------------------------------------------------


def test_token_secrets_are_never_listed(world: World) -> None:
    live = world.live
    admin = world.client(live.admin_token)
    issued = admin.post(
        "/tokens", json={"role": "customer", "customer_code": world.a.customer_code}
    )
    assert issued.status_code == 201
    secret = issued.json()["token"]
    code = issued.json()["resource_code"]
    assert secret.startswith("mpk_")
    listed = admin.get("/tokens")
    assert listed.status_code == 200
    rows = listed.json()["resources"]
    assert all(
        set(row) == {"code", "name", "role", "prefix", "created_at", "revoked_at"} for row in rows
    )
    mine = next(row for row in rows if row["code"] == code)
    assert secret.startswith(mine["prefix"]) and len(mine["prefix"]) < len(secret) // 2
    revoked = next(row for row in rows if row["code"] == world.token_code)
    assert revoked["revoked_at"] is not None
    secrets = [
        secret,
        live.admin_token,
        live.customer_token,
        world.a.token,
        world.postmaster_token,
    ]
    digests = [hashlib.sha256(s.encode()).hexdigest() for s in secrets]
    for path in [
        "/tokens",
        "/customers",
        "/domains",
        "/postmasters",
        f"/domains/{world.a.domain}",
        f"/domains/{world.a.domain}/email_accounts",
    ]:
        text = admin.get(path, params={"per": 1000} if "tokens" not in path else None).text
        for hidden in [*secrets, *digests]:
            assert hidden not in text, path
        assert "BLF-CRYPT" not in text and PASSWORD not in text, path
    # the issued secret works, once shown
    assert world.client(secret).get(f"/domains/{world.a.domain}").status_code == 200


# ---- production mode ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    data = Path(tmp_path_factory.mktemp("production"))
    settings = server_settings(f"sqlite:///{data / 'mailplane.db'}", data, mode="production")
    with live_server(settings) as server:
        yield server


def test_skip_ownership_check_does_not_exist_in_production(production: Live) -> None:
    with production.client() as api:
        code = create_domain(api)
        response = api.put(f"/domains/{code}/skip_ownership_check")
        assert response.status_code == 404, response.text
        assert response.json() == NOT_FOUND
        got = api.get(f"/domains/{code}").json()["resources"][0]
        assert (got["status"], got["status_detail"]) == ("ownership_check", "waiting_ownership")
    with production.client(production.admin_token) as admin:
        assert admin.put(f"/domains/{code}/skip_ownership_check").status_code == 404
    with httpx.Client(base_url=production.base_url) as anonymous:
        assert anonymous.put(f"/domains/{code}/skip_ownership_check").status_code == 401
