"""Every validation rule of spec §3.3 and §4, answered as the 422 envelope of §1.2.

All requests go to the shared `live` sandbox server (SQLite and PostgreSQL). The domains and
mailboxes a test only reads or fails to change are made once per module.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import idna
import pytest

from tests.support.live import (
    PASSWORD,
    Live,
    active_domain,
    create_domain,
    create_mailbox,
    unique_domain,
)

MISSING: Any = object()  # an override that removes the field from the body
GiB = 1073741824


def problems(response: httpx.Response) -> list[dict[str, str]]:
    """The errors of a 422 answer, after checking the envelope around them."""
    assert response.status_code == 422, response.text
    body = response.json()
    assert list(body) == ["message", "errors"], body
    assert body["message"] == "Validation failed"
    for error in body["errors"]:
        assert set(error) == {"field", "description"}, error
        assert error["description"] and error["description"][0].islower(), error
    return list(body["errors"])


def assert_invalid(response: httpx.Response, field: str, description: str | None = None) -> None:
    """One problem, on ``field``; with the spec's own words where it fixes them."""
    errors = problems(response)
    assert [e["field"] for e in errors] == [field], errors
    if description is not None:
        assert errors[0]["description"] == description, errors


def body_with(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    merged = {**base, **overrides}
    return {k: v for k, v in merged.items() if v is not MISSING}


def new_domain_body(**overrides: Any) -> dict[str, Any]:
    base = {
        "name": unique_domain(),
        "postmaster_password": PASSWORD,
        "postmaster_password_confirmation": PASSWORD,
    }
    return body_with(base, overrides)


def new_mailbox_body(**overrides: Any) -> dict[str, Any]:
    base = {
        "name": f"m{uuid.uuid4().hex[:8]}",
        "firstname": "Example",
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
    }
    return body_with(base, overrides)


@pytest.fixture(scope="module")
def api(live: Live) -> Iterator[httpx.Client]:
    with live.client() as client:
        yield client


@pytest.fixture(scope="module")
def domain(api: httpx.Client) -> str:
    """An enabled domain with the default settings (max_email_quota 8 GiB, no account limit)."""
    return active_domain(api)


@pytest.fixture(scope="module")
def mailbox(api: httpx.Client, domain: str) -> str:
    return create_mailbox(api, domain, "taken")


@pytest.fixture(scope="module")
def pending(api: httpx.Client) -> str:
    """A domain still in ownership_check."""
    return create_domain(api)


def domain_resource(api: httpx.Client, code: str) -> dict[str, Any]:
    response = api.get(f"/domains/{code}")
    assert response.status_code == 200, response.text
    resource: dict[str, Any] = response.json()["resources"][0]
    return resource


# ---- domains: create (§3.3) -------------------------------------------------------------------

TOO_SHORT = "is too short (minimum is 8 characters)"
LETTER_AND_DIGIT = "must contain at least one letter and one digit"
NOT_IN_LIST = "is not included in the list"
BLANK = "can't be blank"
INVALID_NAME = "is not a valid domain name"

DOMAIN_CASES: list[tuple[str, dict[str, Any], str, str | None]] = [
    ("name missing", {"name": MISSING}, "name", BLANK),
    ("name blank", {"name": ""}, "name", BLANK),
    ("name spaces", {"name": "   "}, "name", BLANK),
    ("name with a space", {"name": "not a domain.com"}, "name", INVALID_NAME),
    ("name single label", {"name": "localhost"}, "name", INVALID_NAME),
    ("name leading hyphen", {"name": "-bad.example.com"}, "name", INVALID_NAME),
    ("name underscore", {"name": "bad_name.example.com"}, "name", INVALID_NAME),
    ("name empty label", {"name": "bad..example.com"}, "name", INVALID_NAME),
    ("name ip address", {"name": "192.0.2.1"}, "name", INVALID_NAME),
    ("name too long", {"name": "a" * 64 + ".example.com"}, "name", INVALID_NAME),
    ("name www", {"name": "www.example.com"}, "name", "must not start with www."),
    ("name www upper", {"name": "WWW.Example.com"}, "name", "must not start with www."),
    ("plan unknown", {"plan": "gold"}, "plan", NOT_IN_LIST),
    ("plan blank", {"plan": ""}, "plan", NOT_IN_LIST),
    ("password missing", {"postmaster_password": MISSING}, "postmaster_password", BLANK),
    (
        "password short",
        {"postmaster_password": "abc12", "postmaster_password_confirmation": "abc12"},
        "postmaster_password",
        TOO_SHORT,
    ),
    (
        "password no digit",
        {"postmaster_password": "abcdefghij", "postmaster_password_confirmation": "abcdefghij"},
        "postmaster_password",
        LETTER_AND_DIGIT,
    ),
    (
        "password no letter",
        {"postmaster_password": "1234567890", "postmaster_password_confirmation": "1234567890"},
        "postmaster_password",
        LETTER_AND_DIGIT,
    ),
    (
        "password over 72 bytes",
        {"postmaster_password": "é" * 40 + "1", "postmaster_password_confirmation": "é" * 40 + "1"},
        "postmaster_password",
        "is too long (maximum is 72 bytes)",
    ),
    (
        "confirmation missing",
        {"postmaster_password_confirmation": MISSING},
        "postmaster_password_confirmation",
        BLANK,
    ),
    (
        "confirmation mismatch",
        {"postmaster_password_confirmation": PASSWORD + "x"},
        "postmaster_password_confirmation",
        "doesn't match postmaster password",
    ),
    ("max quota not a value", {"max_email_quota": 1000000000}, "max_email_quota", NOT_IN_LIST),
    ("default quota not a value", {"default_quota": 12345}, "default_quota", NOT_IN_LIST),
    (
        "default quota above max",
        {"max_email_quota": GiB, "default_quota": 2 * GiB},
        "default_quota",
        f"must be less than or equal to {GiB}",
    ),
    (
        "default quota above default max",
        {"default_quota": 16 * GiB},
        "default_quota",
        "must be less than or equal to 8589934592",
    ),
    ("max accounts below -1", {"max_email_accounts": -2}, "max_email_accounts", None),
    ("max accounts huge", {"max_email_accounts": 10**20}, "max_email_accounts", None),
    ("antispam above 3", {"antispam_level": 4}, "antispam_level", None),
    ("antispam below 0", {"antispam_level": -1}, "antispam_level", None),
    (
        "catch-all without destination",
        {"catch_all_enabled": True},
        "catch_all_destination",
        BLANK,
    ),
    (
        "catch-all bad address",
        {"catch_all_enabled": True, "catch_all_destination": "not-an-address"},
        "catch_all_destination",
        "is not a valid email address",
    ),
    (
        "catch-all address without domain",
        {"catch_all_enabled": True, "catch_all_destination": "someone@"},
        "catch_all_destination",
        "is not a valid email address",
    ),
    ("allow_nets not an ip", {"allow_nets": ["10.0.0.1", "nope"]}, "allow_nets", None),
    ("allow_nets bad prefix", {"allow_nets": ["10.0.0.0/33"]}, "allow_nets", None),
    # a field of the wrong type is a 422 on that field (§1.2)
    ("string for int", {"max_email_quota": "8589934592"}, "max_email_quota", "must be an integer"),
    ("float for int", {"antispam_level": 2.5}, "antispam_level", "must be an integer"),
    ("bool for int", {"max_email_accounts": True}, "max_email_accounts", "must be an integer"),
    ("int for string", {"name": 12345}, "name", "must be a string"),
    ("list for string", {"name": ["a.example.com"]}, "name", "must be a string"),
    ("object for string", {"plan": {"name": "basic"}}, "plan", "must be a string"),
    (
        "string true for bool",
        {"catch_all_enabled": "true"},
        "catch_all_enabled",
        "must be a boolean",
    ),
    ("int for bool", {"imap_disabled": 1}, "imap_disabled", "must be a boolean"),
    ("string for list", {"allow_nets": "10.0.0.0/8"}, "allow_nets", "must be an array"),
    ("int in list", {"allow_nets": ["10.0.0.0/8", 5]}, "allow_nets", "must be a string"),
    ("nul character", {"name": "a\x00b.example.com"}, "name", "is invalid"),
]


@pytest.mark.parametrize(
    ("overrides", "field", "description"),
    [case[1:] for case in DOMAIN_CASES],
    ids=[case[0] for case in DOMAIN_CASES],
)
def test_create_domain_rule(
    api: httpx.Client, overrides: dict[str, Any], field: str, description: str | None
) -> None:
    assert_invalid(api.post("/domains", json=new_domain_body(**overrides)), field, description)


def test_admin_must_name_the_customer(live: Live) -> None:
    with live.client(live.admin_token) as admin:
        response = admin.post("/domains", json=new_domain_body())
        assert_invalid(response, "customer_code", BLANK)
        response = admin.post("/domains", json=new_domain_body(customer_code="C000000000"))
        assert_invalid(response, "customer_code", "does not exist")


def test_several_problems_are_reported_together(api: httpx.Client) -> None:
    body = {
        "name": "www.example.com",
        "plan": "gold",
        "postmaster_password": "short",
        "max_email_quota": 5,
        "antispam_level": "high",
    }
    errors = problems(api.post("/domains", json=body))
    assert {e["field"]: e["description"] for e in errors} == {
        "antispam_level": "must be an integer",
        "name": "must not start with www.",
        "plan": NOT_IN_LIST,
        "postmaster_password": TOO_SHORT,
        "postmaster_password_confirmation": BLANK,
        "max_email_quota": NOT_IN_LIST,
    }


def test_name_is_stored_lowercase(api: httpx.Client) -> None:
    name = unique_domain()
    code = create_domain(api, f"  {name.upper()}  ")
    assert domain_resource(api, code)["name"] == name


def test_idn_is_stored_as_a_label(api: httpx.Client) -> None:
    unicode_name = f"bücher-{uuid.uuid4().hex[:8]}.example"
    code = create_domain(api, unicode_name)
    stored = domain_resource(api, code)["name"]
    assert stored == idna.encode(unicode_name).decode("ascii")
    assert stored.startswith("xn--")
    # the Unicode spelling and the A-label are the same name
    response = api.post("/domains", json=new_domain_body(name=stored))
    assert_invalid(response, "name", "already exists")


def test_duplicate_name_also_across_case_and_tenants(live: Live, api: httpx.Client) -> None:
    name = unique_domain()
    create_domain(api, name)
    assert_invalid(api.post("/domains", json=new_domain_body(name=name)), "name", "already exists")
    response = api.post("/domains", json=new_domain_body(name=name.upper()))
    assert_invalid(response, "name", "already exists")
    _, other_token = live.new_customer()
    with live.client(other_token) as other:
        response = other.post("/domains", json=new_domain_body(name=name))
        assert_invalid(response, "name", "already exists")


# ---- bodies that are not JSON objects (§1.2) --------------------------------------------------

NOT_JSON = {
    "message": "Validation failed",
    "errors": [{"field": "body", "description": "is not valid json"}],
}


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b"[]",
        b'[{"name": "a.example.com"}]',
        b'"text"',
        b"42",
        b"null",
        b"\xff\xfe",
        b'{"a":' * 5000,
    ],
    ids=["broken", "empty array", "array", "string", "number", "null", "not utf-8", "too deep"],
)
def test_body_that_is_not_a_json_object(api: httpx.Client, raw: bytes) -> None:
    response = api.post("/domains", content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.json() == NOT_JSON


def test_empty_body_on_create_lists_the_missing_fields(api: httpx.Client, domain: str) -> None:
    response = api.post("/domains", content=b"", headers={"Content-Type": "application/json"})
    fields = {e["field"] for e in problems(response)}
    assert {"name", "postmaster_password"} <= fields
    response = api.post(f"/domains/{domain}/email_accounts", content=b"")
    fields = {e["field"] for e in problems(response)}
    assert {"name", "firstname", "password"} <= fields


def test_routes_without_a_body_ignore_it(api: httpx.Client, pending: str) -> None:
    # the seed's client sends Content-Type: application/json with an empty body
    path = f"/domains/{pending}/dns_ownership_check"
    headers = {"Content-Type": "application/json"}
    assert api.put(path, content=b"", headers=headers).status_code == 204
    assert api.put(path, content=b"{not json", headers=headers).status_code == 204


# ---- domains: change ------------------------------------------------------------------------


DOMAIN_UPDATE_CASES: list[tuple[str, dict[str, Any], str, str | None]] = [
    ("name", {"name": "other.example.com"}, "name", "cannot be changed"),
    ("plan", {"plan": "enterprise"}, "plan", "cannot be changed"),
    ("max quota", {"max_email_quota": 3}, "max_email_quota", NOT_IN_LIST),
    (
        "default above max",
        {"max_email_quota": GiB, "default_quota": 2 * GiB},
        "default_quota",
        f"must be less than or equal to {GiB}",
    ),
    ("max accounts", {"max_email_accounts": -5}, "max_email_accounts", None),
    ("antispam", {"antispam_level": 9}, "antispam_level", None),
    ("catch-all", {"catch_all_enabled": True}, "catch_all_destination", BLANK),
    (
        "catch-all address",
        {"catch_all_destination": "@example.com"},
        "catch_all_destination",
        "is not a valid email address",
    ),
    ("allow_nets", {"allow_nets": ["300.1.1.1"]}, "allow_nets", None),
    (
        "postmaster password",
        {"postmaster_password": "abc", "postmaster_password_confirmation": "abc"},
        "postmaster_password",
        TOO_SHORT,
    ),
    (
        "postmaster confirmation",
        {"postmaster_password": PASSWORD},
        "postmaster_password_confirmation",
        BLANK,
    ),
    (
        "postmaster mismatch",
        {"postmaster_password": PASSWORD, "postmaster_password_confirmation": "Other1234"},
        "postmaster_password_confirmation",
        "doesn't match postmaster password",
    ),
    ("wrong type", {"smtp_disabled": "false"}, "smtp_disabled", "must be a boolean"),
]


@pytest.mark.parametrize(
    ("body", "field", "description"),
    [case[1:] for case in DOMAIN_UPDATE_CASES],
    ids=[case[0] for case in DOMAIN_UPDATE_CASES],
)
def test_update_domain_rule(
    api: httpx.Client, domain: str, body: dict[str, Any], field: str, description: str | None
) -> None:
    before = domain_resource(api, domain)
    assert_invalid(api.put(f"/domains/{domain}", json=body), field, description)
    after = domain_resource(api, domain)
    assert {k: after[k] for k in body if k in after} == {k: before[k] for k in body if k in before}


def test_update_domain_with_its_own_name_and_plan_is_accepted(
    api: httpx.Client, domain: str
) -> None:
    current = domain_resource(api, domain)
    body = {"name": current["name"], "plan": current["plan"]}
    assert api.put(f"/domains/{domain}", json=body).status_code == 204


@pytest.mark.parametrize(
    ("body", "description"),
    [
        ({"status": "weird"}, NOT_IN_LIST),
        ({"status": "ownership_check"}, NOT_IN_LIST),
        ({}, BLANK),
        ({"status": True}, "must be a string"),
    ],
    ids=["unknown", "not settable", "missing", "wrong type"],
)
def test_status_routes_refuse_a_bad_status(
    api: httpx.Client, domain: str, mailbox: str, body: dict[str, Any], description: str
) -> None:
    response = api.put(f"/domains/{domain}/status", json=body)
    assert_invalid(response, "status", description)
    response = api.put(f"/domains/{domain}/email_accounts/{mailbox}/status", json=body)
    assert_invalid(response, "status", description)


# ---- email accounts (§4) -------------------------------------------------------------------

NAME_CHARS = "is invalid (letters, digits, '.', '_', '-', '+' only)"
NAME_DOTS = "is invalid (no leading, trailing or double dot)"

MAILBOX_CASES: list[tuple[str, dict[str, Any], str, str | None]] = [
    ("name missing", {"name": MISSING}, "name", BLANK),
    ("name blank", {"name": ""}, "name", BLANK),
    ("name space", {"name": "john doe"}, "name", NAME_CHARS),
    ("name at sign", {"name": "john@doe"}, "name", NAME_CHARS),
    ("name non-ascii", {"name": "jöhn"}, "name", NAME_CHARS),
    ("name leading dot", {"name": ".john"}, "name", NAME_DOTS),
    ("name trailing dot", {"name": "john."}, "name", NAME_DOTS),
    ("name double dot", {"name": "jo..hn"}, "name", NAME_DOTS),
    ("name over 64", {"name": "a" * 65}, "name", "is too long (maximum is 64 characters)"),
    ("firstname missing", {"firstname": MISSING}, "firstname", BLANK),
    ("firstname blank", {"firstname": "  "}, "firstname", BLANK),
    ("password missing", {"password": MISSING}, "password", BLANK),
    (
        "password short",
        {"password": "ab1", "password_confirmation": "ab1"},
        "password",
        TOO_SHORT,
    ),
    (
        "password no digit",
        {"password": "abcdefghi", "password_confirmation": "abcdefghi"},
        "password",
        LETTER_AND_DIGIT,
    ),
    (
        "password no letter",
        {"password": "123456789", "password_confirmation": "123456789"},
        "password",
        LETTER_AND_DIGIT,
    ),
    ("confirmation missing", {"password_confirmation": MISSING}, "password_confirmation", BLANK),
    (
        "confirmation mismatch",
        {"password_confirmation": "Secret124"},
        "password_confirmation",
        "doesn't match password",
    ),
    ("quota not a value", {"max_email_quota": 123456}, "max_email_quota", NOT_IN_LIST),
    (
        "quota above the domain's max",
        {"max_email_quota": 16 * GiB},
        "max_email_quota",
        "must be less than or equal to 8589934592",
    ),
    ("language", {"language": "fr"}, "language", NOT_IN_LIST),
    ("timezone too long", {"timezone": "x" * 65}, "timezone", None),
    ("string for int", {"max_email_quota": "1073741824"}, "max_email_quota", "must be an integer"),
    ("int for string", {"firstname": 7}, "firstname", "must be a string"),
    ("list for string", {"lastname": ["Doe"]}, "lastname", "must be a string"),
    ("string true for bool", {"spam_in_inbox": "true"}, "spam_in_inbox", "must be a boolean"),
    ("string for list", {"tags": "vip"}, "tags", "must be an array"),
    ("nul character", {"description": "a\x00b"}, "description", "is invalid"),
]


@pytest.mark.parametrize(
    ("overrides", "field", "description"),
    [case[1:] for case in MAILBOX_CASES],
    ids=[case[0] for case in MAILBOX_CASES],
)
def test_create_mailbox_rule(
    api: httpx.Client, domain: str, overrides: dict[str, Any], field: str, description: str | None
) -> None:
    response = api.post(f"/domains/{domain}/email_accounts", json=new_mailbox_body(**overrides))
    assert_invalid(response, field, description)


@pytest.mark.parametrize("name", ["taken", "TAKEN", "postmaster", "Postmaster"])
def test_mailbox_name_already_taken(
    api: httpx.Client, domain: str, mailbox: str, name: str
) -> None:
    response = api.post(f"/domains/{domain}/email_accounts", json=new_mailbox_body(name=name))
    assert_invalid(response, "name", "already exists")


def test_mailbox_name_rules_accept_the_allowed_characters(api: httpx.Client, domain: str) -> None:
    for name in ["a" * 64, "first.last_x-y+tag"]:
        code = create_mailbox(api, domain, name)
        got = api.get(f"/domains/{domain}/email_accounts/{code}").json()["resources"][0]
        assert got["name"] == name


def test_mailbox_needs_an_enabled_domain(api: httpx.Client, pending: str) -> None:
    response = api.post(f"/domains/{pending}/email_accounts", json=new_mailbox_body())
    assert_invalid(response, "domain", "is not enabled")


def test_mailbox_account_limit(api: httpx.Client) -> None:
    limited = active_domain(api, max_email_accounts=1)
    create_mailbox(api, limited, "first")
    response = api.post(f"/domains/{limited}/email_accounts", json=new_mailbox_body())
    assert_invalid(response, "max_email_accounts")


def test_mailbox_several_problems_together(api: httpx.Client, domain: str) -> None:
    body = {"name": ".bad", "password": "short", "language": "de", "tags": "x"}
    errors = problems(api.post(f"/domains/{domain}/email_accounts", json=body))
    assert {e["field"] for e in errors} == {
        "name",
        "firstname",
        "password",
        "password_confirmation",
        "language",
        "tags",
    }


MAILBOX_UPDATE_CASES: list[tuple[str, dict[str, Any], str, str | None]] = [
    ("name", {"name": "renamed"}, "name", "cannot be changed"),
    ("password short", {"password": "a1", "password_confirmation": "a1"}, "password", TOO_SHORT),
    ("confirmation missing", {"password": PASSWORD}, "password_confirmation", BLANK),
    (
        "confirmation mismatch",
        {"password": PASSWORD, "password_confirmation": "Secret999"},
        "password_confirmation",
        "doesn't match password",
    ),
    ("quota not a value", {"max_email_quota": 1}, "max_email_quota", NOT_IN_LIST),
    (
        "quota above the domain's max",
        {"max_email_quota": 100 * GiB},
        "max_email_quota",
        "must be less than or equal to 8589934592",
    ),
    ("language", {"language": "xx"}, "language", NOT_IN_LIST),
    ("wrong type", {"imap_disabled": "yes"}, "imap_disabled", "must be a boolean"),
]


@pytest.mark.parametrize(
    ("body", "field", "description"),
    [case[1:] for case in MAILBOX_UPDATE_CASES],
    ids=[case[0] for case in MAILBOX_UPDATE_CASES],
)
def test_update_mailbox_rule(
    api: httpx.Client,
    domain: str,
    mailbox: str,
    body: dict[str, Any],
    field: str,
    description: str | None,
) -> None:
    path = f"/domains/{domain}/email_accounts/{mailbox}"
    before = api.get(path).json()["resources"][0]
    assert_invalid(api.put(path, json=body), field, description)
    after = api.get(path).json()["resources"][0]
    assert after["name"] == "taken"
    assert {k: after[k] for k in body if k in after} == {k: before[k] for k in body if k in before}


# ---- list parameters (§1.3) -----------------------------------------------------------------

QUERY_CASES = [
    ("per=0", "per"),
    ("per=1001", "per"),
    ("per=abc", "per"),
    ("per=", None),
    ("page=-1", "page"),
    ("page=0", "page"),
    ("page=1.5", "page"),
    ("page=99999999999999999999", "page"),
    ("sort=up", "sort"),
    ("sort_field=nope", "sort_field"),
    ("status=weird", "status"),
    ("query=%00", "query"),
]


@pytest.mark.parametrize(("query", "field"), QUERY_CASES, ids=[q for q, _ in QUERY_CASES])
@pytest.mark.parametrize("route", ["domains", "email_accounts", "postmasters"])
def test_bad_list_parameter(
    api: httpx.Client, domain: str, route: str, query: str, field: str | None
) -> None:
    path = {
        "domains": "/domains",
        "email_accounts": f"/domains/{domain}/email_accounts",
        "postmasters": "/postmasters",
    }[route]
    response = api.get(f"{path}?{query}")
    if field is None:  # an empty value means the default
        assert response.status_code == 200, response.text
        assert response.json()["pagination"]["per"] == 25
    else:
        assert_invalid(response, field)


@pytest.mark.parametrize("param", ["only", "pick"])
def test_unknown_field_selection(api: httpx.Client, domain: str, param: str) -> None:
    assert_invalid(api.get(f"/domains?{param}=code,bogus"), param)
    response = api.get(f"/domains?{param}=code,name")
    assert response.status_code == 200
    assert all(list(r) == ["code", "name"] for r in response.json()["resources"])


def test_several_bad_parameters_together(api: httpx.Client) -> None:
    errors = problems(api.get("/domains?per=0&page=x&sort=up&status=weird"))
    assert {e["field"] for e in errors} == {"per", "page", "sort", "status"}


PAGINATION_KEYS = [
    "per",
    "page",
    "total_pages",
    "query",
    "filter",
    "status",
    "sort_field",
    "sort",
    "total_records",
]


def test_pagination_shape(api: httpx.Client, domain: str, mailbox: str) -> None:
    response = api.get("/domains?per=1")
    assert response.status_code == 200
    pagination = response.json()["pagination"]
    assert list(pagination) == PAGINATION_KEYS
    total = pagination["total_records"]
    assert total >= 1
    assert pagination == {
        "per": 1,
        "page": 1,
        "total_pages": total,
        "query": None,
        "filter": None,
        "status": None,
        "sort_field": None,
        "sort": None,
        "total_records": total,
    }
    name = domain_resource(api, domain)["name"]
    path = f"/domains?query={name.upper()}&status=enabled&sort_field=name&sort=desc&page=1&per=5"
    body = api.get(path).json()
    assert [r["code"] for r in body["resources"]] == [domain]
    assert body["pagination"] == {
        "per": 5,
        "page": 1,
        "total_pages": 1,
        "query": name.upper(),
        "filter": None,
        "status": "enabled",
        "sort_field": "name",
        "sort": "desc",
        "total_records": 1,
    }
    accounts = api.get(f"/domains/{domain}/email_accounts?per=1000").json()
    assert list(accounts["pagination"]) == PAGINATION_KEYS
    assert accounts["pagination"]["total_records"] == len(accounts["resources"]) >= 2


def test_page_past_the_end_is_empty(api: httpx.Client, domain: str) -> None:
    for path in ["/domains", f"/domains/{domain}/email_accounts", "/postmasters"]:
        response = api.get(f"{path}?page=1000&per=10")
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["resources"] == []
        assert body["pagination"]["page"] == 1000
        assert body["pagination"]["total_records"] >= 1
    response = api.get("/domains?query=no-such-domain-anywhere")
    assert response.status_code == 200
    assert response.json()["resources"] == []
    assert response.json()["pagination"]["total_records"] == 0
    assert response.json()["pagination"]["total_pages"] == 0
