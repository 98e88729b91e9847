"""Email aliases and alias domains (spec §5) through the API, with the worker, on the shared
`live` sandbox server (SQLite and PostgreSQL); the alias-domain DNS proof against a real nsd
(`production`). Real mail through aliases is in `test_alias_mail.py`.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from mailplane.service.principal import Role
from mailplane.store.tables import BackendAction
from tests.conftest import OWNERSHIP_IP
from tests.support.live import (
    PASSWORD,
    Live,
    active_domain,
    create_domain,
    create_mailbox,
    is_ok,
    unique_domain,
    wait_for,
)
from tests.support.nsd import NsdServer

UNAUTHORIZED = {"message": "Unauthorized", "errors": []}
NOT_FOUND = {"message": "Not found", "errors": []}
MISSING: Any = object()


def problems(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["message"] == "Validation failed"
    for error in body["errors"]:
        assert set(error) == {"field", "description"}, error
        assert error["description"][0].islower(), error
    return list(body["errors"])


def assert_invalid(response: httpx.Response, field: str, description: str | None = None) -> None:
    errors = problems(response)
    assert [e["field"] for e in errors] == [field], errors
    if description is not None:
        assert errors[0]["description"] == description, errors


def gone(api: httpx.Client, path: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while api.get(path).status_code != 404:
        assert time.monotonic() < deadline, f"{path} still there: {api.get(path).text}"
        time.sleep(0.02)


def actions(live: Live, code: str) -> list[tuple[int, str, dict[str, Any]]]:
    """What the sandbox backend was asked to do for this resource, in order."""
    with live.rt.db.read() as session:
        rows = session.scalars(
            select(BackendAction)
            .where(BackendAction.resource_code == code)
            .order_by(BackendAction.id)
        )
        return [(r.generation, r.action, r.detail) for r in rows]


def domain_counts(api: httpx.Client, code: str) -> tuple[int, int]:
    domain = api.get(f"/domains/{code}").json()["resources"][0]
    return domain["no_alias_email_accounts"], domain["no_alias_domains"]


@pytest.fixture(scope="module")
def api(live: Live) -> Iterator[httpx.Client]:
    with live.client() as client:
        yield client


@pytest.fixture(scope="module")
def domain(api: httpx.Client) -> str:
    code = active_domain(api)
    create_mailbox(api, code, "taken")
    return code


@pytest.fixture(scope="module")
def domain_name(api: httpx.Client, domain: str) -> str:
    return str(api.get(f"/domains/{domain}").json()["resources"][0]["name"])


@pytest.fixture(scope="module")
def alias(api: httpx.Client, domain: str) -> str:
    """An alias ``shared@`` that the module's tests only read."""
    response = api.post(
        f"/domains/{domain}/alias_email_accounts",
        json={"name": "shared", "destinations": ["one@example.org"]},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["resource_code"])


@pytest.fixture(scope="module")
def pending(api: httpx.Client) -> str:
    return create_domain(api)


# ---- email aliases: the life ----------------------------------------------------------------


def test_alias_life(live: Live, api: httpx.Client) -> None:
    domain = active_domain(api)
    name = api.get(f"/domains/{domain}").json()["resources"][0]["name"]
    root = f"/domains/{domain}/alias_email_accounts"
    response = api.post(
        root,
        json={
            "name": "Sales",
            "destinations": ["B@Example.org", "a@example.org", "b@example.org", " c@bücher.de "],
        },
    )
    assert response.status_code == 201, response.text
    code = response.json()["resource_code"]
    assert code.startswith("AE") and len(code) == 10 and code[2:].isdigit()
    assert response.json()["message"] == "Email alias created"
    assert response.headers["location"] == f"/api{root}/{code}"

    first = api.get(f"{root}/{code}").json()
    assert first["pagination"] == {}
    resource = first["resources"][0]
    assert set(resource) >= {
        "code", "name", "domain_name", "destinations", "status", "status_detail",
        "created_at", "updated_at",
    }  # fmt: skip
    assert resource["name"] == "sales" and resource["domain_name"] == name
    # lowercase, duplicates dropped (first kept), IDN in its A-label form
    expected = ["b@example.org", "a@example.org", "c@xn--bcher-kva.de"]
    assert resource["destinations"] == expected
    assert resource["status"] == "enabled"
    assert resource["status_detail"] in ("creating", "ok")
    assert resource["created_at"].endswith("Z")
    wait_for(api, f"{root}/{code}", is_ok)
    assert domain_counts(api, domain) == (1, 0)

    # replace the destinations: shown at once, "updating" until the worker applied it
    assert api.put(f"{root}/{code}", json={"destinations": ["d@example.org"]}).status_code == 204
    changed = api.get(f"{root}/{code}").json()["resources"][0]
    assert changed["destinations"] == ["d@example.org"]
    assert changed["status_detail"] in ("updating", "ok")
    wait_for(api, f"{root}/{code}", is_ok)
    # the same destinations again change nothing
    assert api.put(f"{root}/{code}", json={"destinations": ["D@example.org"]}).status_code == 204
    assert api.put(f"{root}/{code}", json={}).status_code == 204
    applied = [(g, a) for g, a, _ in actions(live, code)]
    assert applied == [(1, "apply_alias"), (2, "apply_alias")]
    assert actions(live, code)[1][2]["destinations"] == ["d@example.org"]

    # delete: 202, readable as "deleting" until the worker removed it, then 404
    assert api.delete(f"{root}/{code}").status_code == 202
    after = api.get(f"{root}/{code}")
    assert after.status_code == 404 or after.json()["resources"][0]["status_detail"] == "deleting"
    gone(api, f"{root}/{code}")
    assert [a for _, a, _ in actions(live, code)][-1] == "remove_alias"
    assert domain_counts(api, domain) == (0, 0)
    # the name is free again
    again = api.post(root, json={"name": "sales", "destinations": ["x@example.org"]})
    assert again.status_code == 201, again.text


def test_alias_list_pages_searches_and_sorts(api: httpx.Client) -> None:
    domain = active_domain(api)
    root = f"/domains/{domain}/alias_email_accounts"
    for name in ("beta", "alpha", "gamma"):
        body = {"name": name, "destinations": ["x@example.org"]}
        assert api.post(root, json=body).status_code == 201
    listed = api.get(root, params={"sort_field": "name", "sort": "desc", "per": 2}).json()
    assert [r["name"] for r in listed["resources"]] == ["gamma", "beta"]
    assert listed["pagination"] == {
        "per": 2, "page": 1, "total_pages": 2, "query": None, "filter": None, "status": None,
        "sort_field": "name", "sort": "desc", "total_records": 3,
    }  # fmt: skip
    page2 = api.get(root, params={"sort_field": "name", "sort": "desc", "per": 2, "page": 2})
    assert [r["name"] for r in page2.json()["resources"]] == ["alpha"]
    found = api.get(root, params={"query": "AMM"}).json()
    assert [r["name"] for r in found["resources"]] == ["gamma"]
    past = api.get(root, params={"page": 9}).json()
    assert past["resources"] == [] and past["pagination"]["total_records"] == 3
    assert_invalid(api.get(root, params={"sort_field": "password"}), "sort_field")
    assert_invalid(api.get(root, params={"per": "x"}), "per")


def test_alias_destinations_may_hold_twenty(api: httpx.Client, domain: str) -> None:
    twenty = [f"d{i}@example.org" for i in range(20)]
    response = api.post(
        f"/domains/{domain}/alias_email_accounts",
        json={"name": "twenty", "destinations": twenty + ["D0@example.org"]},
    )
    assert response.status_code == 201, response.text
    path = f"/domains/{domain}/alias_email_accounts/{response.json()['resource_code']}"
    assert api.get(path).json()["resources"][0]["destinations"] == twenty


# ---- email aliases: every 422 ---------------------------------------------------------------

CREATE_CASES: list[tuple[str, dict[str, Any], str, str | None]] = [
    ("name missing", {"name": MISSING}, "name", "can't be blank"),
    ("name blank", {"name": "  "}, "name", "can't be blank"),
    ("name bad character", {"name": "a b"}, "name", None),
    ("name at sign", {"name": "a@b"}, "name", None),
    ("name leading dot", {"name": ".a"}, "name", None),
    ("name double dot", {"name": "a..b"}, "name", None),
    ("name too long", {"name": "a" * 65}, "name", "is too long (maximum is 64 characters)"),
    ("name not a string", {"name": 7}, "name", "must be a string"),
    ("destinations missing", {"destinations": MISSING}, "destinations", "can't be blank"),
    ("destinations null", {"destinations": None}, "destinations", "can't be blank"),
    ("destinations empty", {"destinations": []}, "destinations", "can't be blank"),
    ("destinations a string", {"destinations": "a@example.org"}, "destinations", None),
    ("destination not a string", {"destinations": [7]}, "destinations", None),
    ("destination not an address", {"destinations": ["nobody"]}, "destinations", None),
    ("destination bad domain", {"destinations": ["a@b"]}, "destinations", None),
    ("destination two ats", {"destinations": ["a@b@example.org"]}, "destinations", None),
    (
        "more than twenty",
        {"destinations": [f"d{i}@example.org" for i in range(21)]},
        "destinations",
        "is too long (maximum is 20 addresses)",
    ),
    ("nul character", {"destinations": ["a\x00@example.org"]}, "destinations", None),
]


@pytest.mark.parametrize(
    ("overrides", "field", "description"),
    [case[1:] for case in CREATE_CASES],
    ids=[case[0] for case in CREATE_CASES],
)
def test_create_alias_rule(
    api: httpx.Client, domain: str, overrides: dict[str, Any], field: str, description: str | None
) -> None:
    body = {"name": f"a{uuid.uuid4().hex[:8]}", "destinations": ["x@example.org"], **overrides}
    body = {k: v for k, v in body.items() if v is not MISSING}
    response = api.post(f"/domains/{domain}/alias_email_accounts", json=body)
    assert_invalid(response, field, description)


def test_alias_cannot_point_at_itself(api: httpx.Client, domain: str, domain_name: str) -> None:
    body = {"name": "loop", "destinations": [f"LOOP@{domain_name}"]}
    response = api.post(f"/domains/{domain}/alias_email_accounts", json=body)
    assert_invalid(response, "destinations", "must not contain the alias itself")


@pytest.mark.parametrize("name", ["taken", "TAKEN", "postmaster", "shared", "Shared"])
def test_alias_name_already_taken(api: httpx.Client, domain: str, alias: str, name: str) -> None:
    body = {"name": name, "destinations": ["x@example.org"]}
    response = api.post(f"/domains/{domain}/alias_email_accounts", json=body)
    assert_invalid(response, "name", "already exists")


def test_mailbox_name_taken_by_an_alias(api: httpx.Client, domain: str, alias: str) -> None:
    body = {"name": "shared", "firstname": "X", "password": PASSWORD,
            "password_confirmation": PASSWORD}  # fmt: skip
    response = api.post(f"/domains/{domain}/email_accounts", json=body)
    assert_invalid(response, "name", "already exists")


def test_alias_needs_an_enabled_domain(api: httpx.Client, pending: str) -> None:
    body = {"name": "early", "destinations": ["x@example.org"]}
    response = api.post(f"/domains/{pending}/alias_email_accounts", json=body)
    assert_invalid(response, "domain", "is not enabled")


def test_alias_several_problems_together(api: httpx.Client, domain: str) -> None:
    response = api.post(
        f"/domains/{domain}/alias_email_accounts", json={"name": "-bad space", "destinations": []}
    )
    assert sorted(e["field"] for e in problems(response)) == ["destinations", "name"]


UPDATE_CASES: list[tuple[str, dict[str, Any], str, str | None]] = [
    ("destinations null", {"destinations": None}, "destinations", "can't be blank"),
    ("destinations empty", {"destinations": []}, "destinations", "can't be blank"),
    ("destination invalid", {"destinations": ["nobody"]}, "destinations", None),
    ("destinations a string", {"destinations": "x@example.org"}, "destinations", None),
    (
        "more than twenty",
        {"destinations": [f"d{i}@example.org" for i in range(21)]},
        "destinations",
        None,
    ),
    ("name changed", {"name": "other"}, "name", "cannot be changed"),
]


@pytest.mark.parametrize(
    ("body", "field", "description"),
    [case[1:] for case in UPDATE_CASES],
    ids=[case[0] for case in UPDATE_CASES],
)
def test_update_alias_rule(
    api: httpx.Client,
    domain: str,
    alias: str,
    body: dict[str, Any],
    field: str,
    description: str | None,
) -> None:
    path = f"/domains/{domain}/alias_email_accounts/{alias}"
    assert_invalid(api.put(path, json=body), field, description)
    assert api.get(path).json()["resources"][0]["destinations"] == ["one@example.org"]


def test_update_alias_with_its_own_name_is_accepted(
    api: httpx.Client, domain: str, alias: str
) -> None:
    path = f"/domains/{domain}/alias_email_accounts/{alias}"
    response = api.put(path, json={"name": "SHARED", "destinations": ["one@example.org"]})
    assert response.status_code == 204, response.text


@pytest.mark.parametrize("raw", [b"{", b"[]", b'"x"'])
def test_alias_body_that_is_not_a_json_object(api: httpx.Client, domain: str, raw: bytes) -> None:
    response = api.post(
        f"/domains/{domain}/alias_email_accounts",
        content=raw,
        headers={"Content-Type": "application/json"},
    )
    assert_invalid(response, "body", "is not valid json")


# ---- alias domains --------------------------------------------------------------------------


def test_alias_domain_life(live: Live, api: httpx.Client) -> None:
    domain = active_domain(api)
    root = f"/domains/{domain}/aliases"
    name = unique_domain("example.net")
    response = api.post(root, json={"name": name.upper()})
    assert response.status_code == 201, response.text
    code = response.json()["resource_code"]
    assert code.startswith("AD") and len(code) == 10 and code[2:].isdigit()
    assert response.headers["location"] == f"/api{root}/{code}"
    resource = api.get(f"{root}/{code}").json()["resources"][0]
    assert resource["name"] == name and resource["domain_code"] == domain
    assert (resource["status"], resource["status_detail"]) == (
        "ownership_check",
        "waiting_ownership",
    )
    assert resource["possession_a_record"] == code.lower()
    assert resource["expected_ownership_record"] == {
        "name": f"{code.lower()}.{name}",
        "type": "A",
        "value": live.rt.settings.ownership_ip,
    }
    assert set(resource) >= {"created_at", "updated_at"}
    assert domain_counts(api, domain) == (0, 1)
    listed = api.get(root).json()
    assert [r["code"] for r in listed["resources"]] == [code]
    assert listed["pagination"]["total_records"] == 1
    assert api.get(root, params={"query": name[3:9]}).json()["pagination"]["total_records"] == 1
    assert api.get(root, params={"query": "nomatch"}).json()["resources"] == []
    assert api.get(root, params={"status": "enabled"}).json()["resources"] == []

    # skipping (sandbox) proves it: enabled / activating, then ok
    assert api.put(f"{root}/{code}/skip_ownership_check").status_code == 204
    done = wait_for(api, f"{root}/{code}", is_ok)
    assert done["expected_ownership_record"] is None
    assert "apply_alias_domain" in [a for _, a, _ in actions(live, code)]
    # already proven: the routes change nothing
    assert api.put(f"{root}/{code}/skip_ownership_check").status_code == 204
    sync = api.put(f"{root}/{code}/dns_ownership_check/sync").json()
    assert sync["verified"] is True and sync["activation_queued"] is False
    assert sync["resource"] == {
        "type": "alias_domain", "code": code, "name": name, "status": "enabled",
        "status_detail": "ok",
    }  # fmt: skip

    assert api.delete(f"{root}/{code}").status_code == 202
    gone(api, f"{root}/{code}")
    assert [a for _, a, _ in actions(live, code)][-1] == "remove_alias_domain"
    assert domain_counts(api, domain) == (0, 0)
    # the name is free again, for any domain
    assert api.post(root, json={"name": name}).status_code == 201


def test_deleting_a_domain_removes_its_aliases(api: httpx.Client) -> None:
    domain = active_domain(api)
    alias = api.post(
        f"/domains/{domain}/alias_email_accounts",
        json={"name": "x", "destinations": ["y@example.org"]},
    ).json()["resource_code"]
    name = unique_domain("example.net")
    alias_domain = api.post(f"/domains/{domain}/aliases", json={"name": name}).json()
    assert api.delete(f"/domains/{domain}").status_code == 202
    gone(api, f"/domains/{domain}")
    assert api.get(f"/domains/{domain}/alias_email_accounts/{alias}").status_code == 404
    # the alias domain's name is free once its domain is gone
    other = active_domain(api)
    response = api.post(f"/domains/{other}/aliases", json={"name": name})
    assert response.status_code == 201, (response.text, alias_domain)


ALIAS_DOMAIN_CASES: list[tuple[str, Any, str | None]] = [
    ("missing", MISSING, "can't be blank"),
    ("blank", "  ", "can't be blank"),
    ("one label", "localhost", "is not a valid domain name"),
    ("bad character", "ex_ample.com", "is not a valid domain name"),
    ("www", "www.example.com", "must not start with www."),
    ("numeric tld", "example.123", "is not a valid domain name"),
    ("not a string", 5, "must be a string"),
]


@pytest.mark.parametrize(
    ("name", "description"),
    [case[1:] for case in ALIAS_DOMAIN_CASES],
    ids=[case[0] for case in ALIAS_DOMAIN_CASES],
)
def test_create_alias_domain_rule(
    api: httpx.Client, domain: str, name: Any, description: str | None
) -> None:
    body = {} if name is MISSING else {"name": name}
    assert_invalid(api.post(f"/domains/{domain}/aliases", json=body), "name", description)


def test_alias_domain_name_taken_by_any_domain_or_alias_domain(
    live: Live, api: httpx.Client, domain: str, domain_name: str, pending: str
) -> None:
    root = f"/domains/{domain}/aliases"
    pending_name = api.get(f"/domains/{pending}").json()["resources"][0]["name"]
    _, other_token = live.new_customer()
    with live.client(other_token) as other:
        foreign_domain = create_domain(other)
        foreign = other.get(f"/domains/{foreign_domain}").json()["resources"][0]["name"]
    name = unique_domain("example.net")
    assert api.post(root, json={"name": name}).status_code == 201
    for taken in (domain_name, pending_name, foreign, name, name.upper()):
        assert_invalid(api.post(root, json={"name": taken}), "name", "already exists")
    # and a domain cannot be created with an alias domain's name, by any customer
    body = {"name": name, "postmaster_password": PASSWORD,
            "postmaster_password_confirmation": PASSWORD}  # fmt: skip
    assert_invalid(api.post("/domains", json=body), "name", "already exists")
    with live.client(other_token) as other:
        assert_invalid(other.post("/domains", json=body), "name", "already exists")


def test_alias_domain_needs_an_enabled_domain(api: httpx.Client, pending: str) -> None:
    response = api.post(f"/domains/{pending}/aliases", json={"name": unique_domain()})
    assert_invalid(response, "domain", "is not enabled")


# ---- who may call what ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def targets(live: Live, api: httpx.Client, domain: str, alias: str) -> dict[str, str]:
    """An alias and an alias domain of the module's customer, for the refusals below."""
    waiting = api.post(f"/domains/{domain}/aliases", json={"name": unique_domain()}).json()
    wait_for(api, f"/domains/{domain}/alias_email_accounts/{alias}", is_ok)
    return {"dom": domain, "ae": alias, "ad": waiting["resource_code"]}


ROUTES: list[tuple[str, str, Any]] = [
    ("GET", "/domains/{dom}/alias_email_accounts", None),
    ("POST", "/domains/{dom}/alias_email_accounts", {"name": "never", "destinations": ["a@b.cd"]}),
    ("GET", "/domains/{dom}/alias_email_accounts/{ae}", None),
    ("PUT", "/domains/{dom}/alias_email_accounts/{ae}", {"destinations": ["changed@b.cd"]}),
    ("DELETE", "/domains/{dom}/alias_email_accounts/{ae}", None),
    ("GET", "/domains/{dom}/aliases", None),
    ("POST", "/domains/{dom}/aliases", {"name": "never-created.example.net"}),
    ("GET", "/domains/{dom}/aliases/{ad}", None),
    ("DELETE", "/domains/{dom}/aliases/{ad}", None),
    ("PUT", "/domains/{dom}/aliases/{ad}/dns_ownership_check", None),
    ("PUT", "/domains/{dom}/aliases/{ad}/dns_ownership_check/sync", None),
    ("PUT", "/domains/{dom}/aliases/{ad}/skip_ownership_check", None),
]
IDS = [f"{m} {p}" for m, p, _ in ROUTES]


_CLIENTS: dict[tuple[str, str | None], httpx.Client] = {}


def clients(live: Live, token: str | None) -> httpx.Client:
    """A client sending ``token`` (none at all when None), kept for the session."""
    key = (live.base_url, token)
    if key not in _CLIENTS:
        headers = {"X-Api-Token": token} if token is not None else {}
        _CLIENTS[key] = httpx.Client(base_url=live.base_url, headers=headers, timeout=30.0)
    return _CLIENTS[key]


def call(api: httpx.Client, method: str, path: str, body: Any) -> httpx.Response:
    return api.request(method, path) if body is None else api.request(method, path, json=body)


def assert_untouched(api: httpx.Client, t: dict[str, str]) -> None:
    alias = api.get(f"/domains/{t['dom']}/alias_email_accounts/{t['ae']}").json()["resources"][0]
    assert (alias["destinations"], alias["status_detail"]) == (["one@example.org"], "ok")
    ad = api.get(f"/domains/{t['dom']}/aliases/{t['ad']}").json()["resources"][0]
    assert (ad["status"], ad["status_detail"]) == ("ownership_check", "waiting_ownership")
    listed = api.get(f"/domains/{t['dom']}/alias_email_accounts", params={"query": "never"})
    assert listed.json()["resources"] == []


@pytest.mark.parametrize("who", ["no token", "unknown token"])
@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=IDS)
def test_unauthorized(
    live: Live,
    api: httpx.Client,
    targets: dict[str, str],
    who: str,
    method: str,
    path: str,
    body: Any,
) -> None:
    token = None if who == "no token" else "mpk_" + "x" * 43
    response = call(clients(live, token), method, path.format(**targets), body)
    assert response.status_code == 401, response.text
    assert response.json() == UNAUTHORIZED
    if method != "GET":
        assert_untouched(api, targets)


@pytest.mark.parametrize("who", ["other customer", "postmaster of another domain"])
@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=IDS)
def test_other_tenant_gets_not_found(
    live: Live,
    api: httpx.Client,
    targets: dict[str, str],
    other_tenant: dict[str, str],
    who: str,
    method: str,
    path: str,
    body: Any,
) -> None:
    token = other_tenant["customer"] if who == "other customer" else other_tenant["postmaster"]
    response = call(clients(live, token), method, path.format(**targets), body)
    assert response.status_code == 404, response.text
    assert response.json() == NOT_FOUND
    if method != "GET":
        assert_untouched(api, targets)


@pytest.fixture(scope="module")
def other_tenant(live: Live, api: httpx.Client, domain: str) -> dict[str, str]:
    """Another customer's token, and a postmaster token of another domain of our customer."""
    _, customer_token = live.new_customer()
    sibling = active_domain(api)
    return {
        "customer": customer_token,
        "postmaster": live.token(Role.POSTMASTER, domain_code=sibling),
    }


def test_codes_only_resolve_under_their_own_domain(
    api: httpx.Client, targets: dict[str, str], pending: str
) -> None:
    for path in (
        f"/domains/{pending}/alias_email_accounts/{targets['ae']}",
        f"/domains/{pending}/aliases/{targets['ad']}",
        f"/domains/{targets['dom']}/alias_email_accounts/{targets['ad']}",
        f"/domains/{targets['dom']}/aliases/{targets['ae']}",
        f"/domains/{targets['dom']}/aliases/AD1",
    ):
        assert api.get(path).json() == NOT_FOUND, path


def test_postmaster_manages_aliases_of_its_own_domain(live: Live) -> None:
    with live.client() as owner:
        domain = active_domain(owner)
    with live.client(live.token(Role.POSTMASTER, domain_code=domain)) as pm:
        root = f"/domains/{domain}/alias_email_accounts"
        created = pm.post(root, json={"name": "pm", "destinations": ["a@example.org"]})
        assert created.status_code == 201, created.text
        path = f"{root}/{created.json()['resource_code']}"
        assert pm.put(path, json={"destinations": ["b@example.org"]}).status_code == 204
        assert pm.delete(path).status_code == 202
        made = pm.post(f"/domains/{domain}/aliases", json={"name": unique_domain()})
        assert made.status_code == 201, made.text
        ad_path = f"/domains/{domain}/aliases/{made.json()['resource_code']}"
        assert pm.put(f"{ad_path}/skip_ownership_check").status_code == 204
        wait_for(pm, ad_path, is_ok)
        assert pm.delete(ad_path).status_code == 202


# ---- the DNS proof of an alias domain, against a real nsd ------------------------------------


def test_alias_domain_dns_proof(production: Live, nsd_server: NsdServer) -> None:
    with production.client() as api:
        name = nsd_server.fqdn(f"t{uuid.uuid4().hex[:10]}")
        domain = create_domain(api, name)
        nsd_server.publish_a(f"{domain.lower()}.{name}", OWNERSHIP_IP)
        assert api.put(f"/domains/{domain}/dns_ownership_check/sync").json()["verified"]
        wait_for(api, f"/domains/{domain}", is_ok)

        root = f"/domains/{domain}/aliases"
        alias_name = nsd_server.fqdn(f"a{uuid.uuid4().hex[:10]}")
        code = api.post(root, json={"name": alias_name}).json()["resource_code"]
        path = f"{root}/{code}"
        assert api.put(f"{path}/skip_ownership_check").json() == NOT_FOUND  # not in production

        # no record yet: not verified, says what to publish; a queued check keeps retrying
        record = f"{code.lower()}.{alias_name}"
        first = api.put(f"{path}/dns_ownership_check/sync").json()
        assert first["verified"] is False and first["activation_queued"] is False
        assert first["resolved_ip"] is None
        assert first["expected_record"] == {"name": record, "type": "A", "value": OWNERSHIP_IP}
        assert first["resource"]["type"] == "alias_domain"
        waiting = api.get(path).json()["resources"][0]
        assert waiting["status"] == "ownership_check"
        assert "no A record yet" in waiting["status_message"]

        # the wrong address is reported
        nsd_server.publish_a(record, "198.51.100.9")
        wrong = api.put(f"{path}/dns_ownership_check/sync").json()
        assert wrong["verified"] is False and wrong["resolved_ip"] == "198.51.100.9"

        # the right one, found by the queued check the worker runs
        nsd_server.remove(record)
        nsd_server.publish_a(record, OWNERSHIP_IP)
        assert api.put(f"{path}/dns_ownership_check").status_code == 204
        done = wait_for(api, path, is_ok)
        assert done["expected_ownership_record"] is None

        # another one proven by the synchronous check
        other_name = nsd_server.fqdn(f"a{uuid.uuid4().hex[:10]}")
        other = api.post(root, json={"name": other_name}).json()["resource_code"]
        nsd_server.publish_a(f"{other.lower()}.{other_name}", OWNERSHIP_IP)
        sync = api.put(f"{root}/{other}/dns_ownership_check/sync").json()
        assert sync["verified"] is True and sync["activation_queued"] is True
        assert sync["resolved_ip"] == OWNERSHIP_IP
        wait_for(api, f"{root}/{other}", is_ok)
