"""E-mail and HTML ownership proofs, the MX check and DKIM keys (spec §3.2), against real
servers: the code travels over SMTP to aiosmtpd, the HTML proof is fetched from http.server on
loopback by a name published in NSD, MX records come from NSD. SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import re
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from sqlalchemy import update

from mailplane.backends.http_fetch import fetch, is_public
from mailplane.service.principal import Role
from mailplane.service.sealing import unseal
from mailplane.store.tables import Domain
from tests.support import nsd
from tests.support.live import (
    Live,
    active_domain,
    create_domain,
    is_ok,
    live_server,
    unique_domain,
    wait_for,
)
from tests.support.live import test_settings as server_settings
from tests.support.nsd import NsdServer
from tests.support.proofs import SmtpSink, WebServer

nsd_server = nsd.nsd_server  # the shared session fixture

MX_HOSTS = ["mx1.mailplane.example", "mx2.mailplane.example"]
LOCAL_PARTS = ["admin", "administrator", "hostmaster", "postmaster", "webmaster"]
CODE = re.compile(r"Verification code: (\d{8})")


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture(scope="module")
def web() -> Iterator[WebServer]:
    server = WebServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def proofs(
    request: pytest.FixtureRequest,
    new_database: Any,
    nsd_server: NsdServer,
    smtp: SmtpSink,
    web: WebServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Live]:
    """A sandbox server whose proofs reach the test's SMTP, HTTP and DNS servers."""
    settings = server_settings(
        new_database(request.param),
        Path(tmp_path_factory.mktemp("data")),
        dns_nameservers=[nsd_server.nameserver],
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_from="verify@mailplane.example",
        smtp_timeout=5.0,
        ownership_html_allow_private=True,  # the test's web server is on loopback
        ownership_html_port=web.port,
        mx_hosts=MX_HOSTS,
    )
    with live_server(settings) as server:
        yield server


@pytest.fixture()
def api(proofs: Live) -> Iterator[httpx.Client]:
    with proofs.client() as client:
        yield client


def domain_of(api: httpx.Client, code: str) -> dict[str, Any]:
    response = api.get(f"/domains/{code}")
    assert response.status_code == 200, response.text
    return dict(response.json()["resources"][0])


def errors(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 422, response.text
    assert response.json()["message"] == "Validation failed"
    return list(response.json()["errors"])


def row(live: Live, code: str) -> Domain:
    with live.rt.db.read() as session:
        found = session.query(Domain).filter_by(code=code).one()
        session.expunge(found)
        return found


def zone_domain(server: NsdServer) -> str:
    """A fresh domain name inside the test's DNS zone."""
    return unique_domain(server.zone)


# ---- e-mail ownership proof -----------------------------------------------------------------


def send_code(api: httpx.Client, smtp: SmtpSink, code: str, address: str) -> str:
    """Ask for a code and read it from the message the SMTP server received."""
    before = len(smtp.to(address))
    response = api.put(
        f"/domains/{code}/email_ownership_check", json={"verification_email_address": address}
    )
    assert response.status_code == 204, response.text
    message = smtp.wait_for(address, before + 1)[-1]
    found = CODE.search(message.get_content())
    assert found, message.get_content()
    return found.group(1)


def test_email_proof_end_to_end(
    proofs: Live, api: httpx.Client, smtp: SmtpSink, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    name = unique_domain()
    code = create_domain(api, name)
    assert domain_of(api, code)["ownership_verification_email_address"] is None
    address = f"hostmaster@{name}"
    one_time = send_code(api, smtp, code, address)
    message = smtp.to(address)[-1]
    assert message["From"] == "verify@mailplane.example"
    assert name in message["Subject"]
    shown = domain_of(api, code)
    assert shown["ownership_verification_email_address"] == address
    assert (shown["status"], shown["status_detail"]) == ("ownership_check", "waiting_ownership")
    # only a keyed digest is stored; the code is never shown
    stored = row(proofs, code)
    assert stored.ownership_email_code_hash not in (None, one_time)
    assert stored.ownership_email_code_hash != hashlib.sha256(one_time.encode()).hexdigest()
    assert one_time not in api.get(f"/domains/{code}").text
    response = api.put(f"/domains/{code}/email_ownership_check/verify", json={"code": one_time})
    assert response.status_code == 204, response.text
    assert response.content == b""
    done = wait_for(api, f"/domains/{code}", is_ok)
    assert done["activated_at"] is not None
    assert row(proofs, code).ownership_email_code_hash is None  # one time
    # a repeated call once proven changes nothing
    again = api.put(f"/domains/{code}/email_ownership_check/verify", json={"code": one_time})
    assert again.status_code == 204
    # nothing mailplane (or the server under it) logs shows the code; "mail.log" is the test's
    # own SMTP server, which logs the message it receives
    logged = [r.getMessage() for r in caplog.records if not r.name.startswith("mail.log")]
    assert logged and not [line for line in logged if one_time in line]


@pytest.mark.parametrize("local", LOCAL_PARTS)
def test_every_administrative_address_is_accepted(
    api: httpx.Client, smtp: SmtpSink, local: str
) -> None:
    name = unique_domain()
    code = create_domain(api, name)
    send_code(api, smtp, code, f"{local.upper()}@{name.upper()}")  # case does not matter
    assert domain_of(api, code)["ownership_verification_email_address"] == f"{local}@{name}"


def test_email_address_rules(api: httpx.Client, smtp: SmtpSink) -> None:
    name = unique_domain()
    code = create_domain(api, name)
    path = f"/domains/{code}/email_ownership_check"
    field = "verification_email_address"
    cases: list[tuple[Any, str]] = [
        ({}, "can't be blank"),
        ({field: None}, "can't be blank"),
        ({field: "  "}, "can't be blank"),
        ({field: 42}, "must be a string"),
        ({field: ["admin@" + name]}, "must be a string"),
        ({field: f"info@{name}"}, "is not included in the list"),
        ({field: f"postmaster@other-{name}"}, "is not included in the list"),
        ({field: f"admin@sub.{name}"}, "is not included in the list"),
        ({field: "admin"}, "is not included in the list"),
        ({field: f"admin@{name}\x00"}, "is invalid"),
    ]
    for body, description in cases:
        assert errors(api.put(path, json=body)) == [{"field": field, "description": description}]
    response = api.put(path, content=b"{not json", headers={"Content-Type": "application/json"})
    assert errors(response) == [{"field": "body", "description": "is not valid json"}]
    assert smtp.to(f"info@{name}") == []
    # once proven, there is nothing to prove
    assert api.put(f"/domains/{code}/skip_ownership_check").status_code == 204
    assert errors(api.put(path, json={field: f"admin@{name}"})) == [
        {"field": field, "description": "cannot be used: ownership is already proven"}
    ]


def test_a_refused_address_is_reported_and_nothing_is_stored(
    proofs: Live, api: httpx.Client, smtp: SmtpSink
) -> None:
    name = unique_domain()
    code = create_domain(api, name)
    smtp.refuse.add(f"webmaster@{name}")
    response = api.put(
        f"/domains/{code}/email_ownership_check",
        json={"verification_email_address": f"webmaster@{name}"},
    )
    [error] = errors(response)
    assert error["field"] == "verification_email_address"
    assert error["description"].startswith("could not be mailed: ")
    assert "550" in error["description"]
    stored = row(proofs, code)
    assert stored.ownership_email_code_hash is None
    assert stored.ownership_email_address is None


def test_verify_rules(api: httpx.Client, smtp: SmtpSink) -> None:
    name = unique_domain()
    code = create_domain(api, name)
    path = f"/domains/{code}/email_ownership_check/verify"
    assert errors(api.put(path, json={"code": "12345678"})) == [
        {
            "field": "code",
            "description": "was not requested: ask for one with PUT …/email_ownership_check",
        }
    ]
    send_code(api, smtp, code, f"admin@{name}")
    for body, description in [
        ({}, "can't be blank"),
        ({"code": ""}, "can't be blank"),
        ({"code": 12345678}, "must be a string"),
    ]:
        assert errors(api.put(path, json=body)) == [{"field": "code", "description": description}]
    # none of these counted as a wrong code
    assert errors(api.put(path, json={"code": "x"})) == [
        {"field": "code", "description": "is wrong (4 tries left)"}
    ]


def test_a_new_code_replaces_the_previous_one(api: httpx.Client, smtp: SmtpSink) -> None:
    name = unique_domain()
    code = create_domain(api, name)
    first = send_code(api, smtp, code, f"admin@{name}")
    second = send_code(api, smtp, code, f"postmaster@{name}")
    path = f"/domains/{code}/email_ownership_check/verify"
    if first != second:
        assert errors(api.put(path, json={"code": first}))[0]["description"].startswith("is wrong")
    assert api.put(path, json={"code": f" {second} "}).status_code == 204
    wait_for(api, f"/domains/{code}", is_ok)


def test_five_wrong_codes_lock_until_reset(proofs: Live, api: httpx.Client, smtp: SmtpSink) -> None:
    name = unique_domain()
    code = create_domain(api, name)
    address = f"admin@{name}"
    right = send_code(api, smtp, code, address)
    wrong = "00000000" if right != "00000000" else "11111111"
    path = f"/domains/{code}/email_ownership_check/verify"
    seen = [errors(api.put(path, json={"code": wrong}))[0]["description"] for _ in range(5)]
    assert seen[:4] == [f"is wrong ({n} tries left)" for n in (4, 3, 2, 1)]
    locked = "is locked after 5 wrong codes; reset it with DELETE …/email_ownership_check"
    assert seen[4] == f"is wrong; the attempt {locked}"
    # even the right code is refused now, and no new code is sent
    assert errors(api.put(path, json={"code": right})) == [{"field": "code", "description": locked}]
    sent = len(smtp.to(address))
    again = api.put(
        f"/domains/{code}/email_ownership_check", json={"verification_email_address": address}
    )
    assert errors(again) == [{"field": "verification_email_address", "description": locked}]
    assert len(smtp.to(address)) == sent
    assert domain_of(api, code)["status"] == "ownership_check"
    # reset: a new attempt with a new code
    reset = api.delete(f"/domains/{code}/email_ownership_check")
    assert reset.status_code == 204, reset.text
    stored = row(proofs, code)
    assert (stored.ownership_email_failures, stored.ownership_email_code_hash) == (0, None)
    assert domain_of(api, code)["ownership_verification_email_address"] is None
    assert errors(api.put(path, json={"code": right}))[0]["description"].startswith("was not")
    fresh = send_code(api, smtp, code, address)
    assert api.put(path, json={"code": fresh}).status_code == 204
    wait_for(api, f"/domains/{code}", is_ok)


def test_an_expired_code_is_refused(proofs: Live, api: httpx.Client, smtp: SmtpSink) -> None:
    name = unique_domain()
    code = create_domain(api, name)
    one_time = send_code(api, smtp, code, f"admin@{name}")
    with proofs.rt.db.write() as session:
        sent = session.query(Domain).filter_by(code=code).one().ownership_email_sent_at
        assert sent is not None
        session.execute(
            update(Domain)
            .where(Domain.code == code)
            .values(ownership_email_sent_at=sent - timedelta(hours=24, seconds=1))
        )
    path = f"/domains/{code}/email_ownership_check/verify"
    assert errors(api.put(path, json={"code": one_time})) == [
        {"field": "code", "description": "has expired: ask for a new one"}
    ]
    assert domain_of(api, code)["status"] == "ownership_check"
    fresh = send_code(api, smtp, code, f"admin@{name}")
    assert api.put(path, json={"code": fresh}).status_code == 204
    wait_for(api, f"/domains/{code}", is_ok)


# ---- HTML ownership proof -------------------------------------------------------------------


def html_file(api: httpx.Client, code: str) -> dict[str, str]:
    response = api.get(f"/domains/{code}/html_ownership_file")
    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == ["resources"]
    [resource] = body["resources"]
    assert set(resource) == {"file_name", "content", "url"}
    return dict(resource)


def html_domain(api: httpx.Client, server: NsdServer) -> tuple[str, str, dict[str, str]]:
    """A domain in ownership_check whose name resolves to 127.0.0.1; its proof file."""
    name = zone_domain(server)
    server.publish_a(name, "127.0.0.1")
    code = create_domain(api, name)
    return code, name, html_file(api, code)


def message_after_check(live: Live, api: httpx.Client, code: str, method: str = "html") -> str:
    """Queue a check and wait until the worker has made it; its status_message."""
    before = row(live, code).ownership_last_checked_at
    assert api.put(f"/domains/{code}/{method}_ownership_check").status_code == 204
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        current = row(live, code)
        checked = current.ownership_last_checked_at
        if checked is not None and checked != before:
            return str(current.status_message)
        time.sleep(0.05)
    raise AssertionError("the queued check did not run")


def test_html_file_is_derived_from_the_domain(api: httpx.Client) -> None:
    first = create_domain(api, name := unique_domain())
    shown = html_file(api, first)
    assert shown == html_file(api, first)
    assert shown["url"] == f"http://{name}/{shown['file_name']}"
    assert shown["file_name"].endswith(".html")
    other = html_file(api, create_domain(api))
    assert other["content"] != shown["content"]
    secret = domain_of(api, first)["ownership_verification_random_code"]
    assert secret not in shown["content"]


def test_html_proof_end_to_end(
    proofs: Live, api: httpx.Client, web: WebServer, nsd_server: NsdServer
) -> None:
    code, name, proof = html_domain(api, nsd_server)
    path = "/" + proof["file_name"]
    message = message_after_check(proofs, api, code)
    assert "answered HTTP 404" in message, message
    assert proof["content"] in message  # it says what to publish
    assert domain_of(api, code)["status"] == "ownership_check"
    web.serve(name, path, proof["content"] + "\n")
    assert api.put(f"/domains/{code}/html_ownership_check").status_code == 204
    done = wait_for(api, f"/domains/{code}", is_ok)
    assert done["activated_at"] is not None
    assert (name, path) in web.requests


def test_html_wrong_content_says_what_was_found(
    proofs: Live, api: httpx.Client, web: WebServer, nsd_server: NsdServer
) -> None:
    code, name, proof = html_domain(api, nsd_server)
    web.serve(name, "/" + proof["file_name"], "something else entirely")
    message = message_after_check(proofs, api, code)
    assert "holds 'something else entirely', not the expected content" in message
    shown = domain_of(api, code)
    assert (shown["status"], shown["status_detail"]) == ("ownership_check", "waiting_ownership")


@pytest.mark.parametrize("content_length", [True, False], ids=["declared", "streamed"])
def test_html_file_larger_than_64_kib_is_refused(
    proofs: Live, api: httpx.Client, web: WebServer, nsd_server: NsdServer, content_length: bool
) -> None:
    code, name, proof = html_domain(api, nsd_server)
    padded = proof["content"] + " " * (64 * 1024)
    web.serve(name, "/" + proof["file_name"], padded, content_length=content_length)
    message = message_after_check(proofs, api, code)
    assert "is larger than 65536 bytes" in message, message
    assert domain_of(api, code)["status"] == "ownership_check"


def test_html_redirects_stay_on_the_domain(
    proofs: Live, api: httpx.Client, web: WebServer, nsd_server: NsdServer
) -> None:
    code, name, proof = html_domain(api, nsd_server)
    path = "/" + proof["file_name"]
    elsewhere = zone_domain(nsd_server)
    nsd_server.publish_a(elsewhere, "127.0.0.1")
    web.serve(elsewhere, path, proof["content"])  # the right content, on another host
    web.redirect(name, path, f"http://{elsewhere}{path}")
    message = message_after_check(proofs, api, code)
    assert f"redirects to http://{elsewhere}{path}, off {name}" in message, message
    assert (elsewhere, path) not in web.requests
    web.redirect(name, path, f"https://{name}{path}")
    message = message_after_check(proofs, api, code)
    assert f"redirects to https://{name}{path}" in message, message
    # a redirect within the domain is followed
    web.redirect(name, path, "/moved/proof.html", status=301)
    web.serve(name, "/moved/proof.html", proof["content"])
    assert api.put(f"/domains/{code}/html_ownership_check").status_code == 204
    wait_for(api, f"/domains/{code}", is_ok)


def test_html_without_an_address(proofs: Live, api: httpx.Client, nsd_server: NsdServer) -> None:
    name = zone_domain(nsd_server)
    code = create_domain(api, name)
    message = message_after_check(proofs, api, code)
    assert f"{name} has no A or AAAA record" in message, message


@pytest.fixture(scope="module")
def strict(
    nsd_server: NsdServer, web: WebServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    """A server with the default: private, loopback and link-local addresses refused."""
    data = Path(tmp_path_factory.mktemp("strict"))
    settings = server_settings(
        f"sqlite:///{data / 'mailplane.db'}",
        data,
        dns_nameservers=[nsd_server.nameserver],
        ownership_html_port=web.port,
    )
    assert settings.ownership_html_allow_private is False
    with live_server(settings) as server:
        yield server


def test_private_addresses_are_refused_by_default(
    strict: Live, web: WebServer, nsd_server: NsdServer
) -> None:
    with strict.client() as api:
        code, name, proof = html_domain(api, nsd_server)
        web.serve(name, "/" + proof["file_name"], proof["content"])
        message = message_after_check(strict, api, code)
        assert (
            f"{name} resolves to 127.0.0.1: private, loopback and link-local addresses "
            "are refused" in message
        ), message
        assert (name, "/" + proof["file_name"]) not in web.requests
        assert domain_of(api, code)["status"] == "ownership_check"


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),
        ("93.184.216.34", True),
        ("2606:4700::1111", True),
    ],
)
def test_which_addresses_are_public(address: str, public: bool) -> None:
    assert is_public(address) is public


def test_fetch_refuses_every_private_address(nsd_server: NsdServer) -> None:
    name = zone_domain(nsd_server)
    nsd_server.publish_a(name, "10.0.0.8")
    nsd_server.publish_a(name, "169.254.1.1")
    fetched = fetch(f"http://{name}/x.html", nameservers=[nsd_server.nameserver], port=1)
    assert fetched.body is None
    assert fetched.address is None
    assert "are refused" in str(fetched.problem)


# ---- MX check -------------------------------------------------------------------------------


def mx_checked(live: Live, api: httpx.Client, code: str) -> dict[str, Any]:
    """Queue an MX check and wait until the worker has answered it; the domain then."""
    assert api.put(f"/domains/{code}/dns").status_code == 204
    requested = row(live, code).mx_check_requested_at
    assert requested is not None
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        current = row(live, code)
        if (
            current.mx_checked_at is not None
            and current.mx_checked_at >= requested
            and current.due_at is None
        ):
            return domain_of(api, code)
        time.sleep(0.05)
    raise AssertionError("the MX check did not run")


def test_mx_pointing_here_is_healthy_and_elsewhere_is_mx_error(
    proofs: Live, api: httpx.Client, nsd_server: NsdServer
) -> None:
    name = zone_domain(nsd_server)
    code = active_domain(api, name)
    nsd_server.publish_mx(name, MX_HOSTS[0], 10)
    nsd_server.publish_mx(name, MX_HOSTS[1], 20)
    generation = row(proofs, code).generation
    shown = mx_checked(proofs, api, code)
    assert (shown["status"], shown["status_detail"], shown["is_healthy"]) == ("enabled", "ok", True)
    assert row(proofs, code).generation == generation  # not a change of the domain
    # a foreign MX host: mx_error, saying what was found
    nsd_server.publish_mx(name, "mx.elsewhere.example", 5)
    shown = mx_checked(proofs, api, code)
    assert (shown["status"], shown["status_detail"], shown["is_healthy"]) == (
        "enabled",
        "mx_error",
        False,
    )
    assert "mx.elsewhere.example" in shown["status_message"]
    assert row(proofs, code).generation == generation
    # fixed: ok again
    nsd_server.remove_mx(name)
    nsd_server.publish_mx(name, MX_HOSTS[1])
    shown = mx_checked(proofs, api, code)
    assert (shown["status_detail"], shown["is_healthy"], shown["status_message"]) == (
        "ok",
        True,
        None,
    )


def test_no_mx_records_is_mx_error(proofs: Live, api: httpx.Client, nsd_server: NsdServer) -> None:
    name = zone_domain(nsd_server)
    code = active_domain(api, name)
    shown = mx_checked(proofs, api, code)
    assert (shown["status_detail"], shown["is_healthy"]) == ("mx_error", False)
    assert f"{name} has no MX records" in shown["status_message"]


def test_mx_error_survives_a_change_applied_meanwhile(
    proofs: Live, api: httpx.Client, nsd_server: NsdServer
) -> None:
    name = zone_domain(nsd_server)
    code = active_domain(api, name)
    nsd_server.publish_mx(name, "mx.elsewhere.example")
    assert mx_checked(proofs, api, code)["status_detail"] == "mx_error"
    # a change the mail servers must see: "updating", then back to mx_error (not "ok")
    assert api.put(f"/domains/{code}", json={"imap_disabled": True}).status_code == 204
    assert api.put(f"/domains/{code}/dns").status_code == 204  # and a check queued with it
    shown = wait_for(
        api,
        f"/domains/{code}",
        lambda d: d["status_detail"] == "mx_error" and row(proofs, code).due_at is None,
    )
    assert shown["imap_disabled"] is True and shown["is_healthy"] is False
    current = row(proofs, code)
    assert current.observed_generation == current.generation
    # disabled: not an mx_error (it is not meant to receive mail); enabled again: mx_error
    assert api.put(f"/domains/{code}/status", json={"status": "disabled"}).status_code == 204
    wait_for(api, f"/domains/{code}", lambda d: d["status_detail"] == "ok")
    assert api.put(f"/domains/{code}/status", json={"status": "enabled"}).status_code == 204
    wait_for(api, f"/domains/{code}", lambda d: d["status_detail"] == "mx_error")


def test_mx_check_of_a_domain_still_waiting_for_its_proof(
    proofs: Live, api: httpx.Client, nsd_server: NsdServer
) -> None:
    name = zone_domain(nsd_server)
    code = create_domain(api, name)
    shown = mx_checked(proofs, api, code)
    assert shown["is_healthy"] is False
    assert (shown["status"], shown["status_detail"]) == ("ownership_check", "waiting_ownership")


def test_mx_check_ignores_any_body(proofs: Live, api: httpx.Client) -> None:
    code = active_domain(api)
    response = api.put(
        f"/domains/{code}/dns", content=b"garbage", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 204, response.text


# ---- DKIM -----------------------------------------------------------------------------------


def test_dkim_key_pair(proofs: Live, api: httpx.Client) -> None:
    name = unique_domain()
    code = create_domain(api, name)
    before = domain_of(api, code)
    assert (before["has_dkim"], before["dkim_selector"], before["dkim_public_key"]) == (
        False,
        None,
        None,
    )
    response = api.post(f"/domains/{code}/dkim")
    assert response.status_code == 200, response.text
    assert list(response.json()) == ["resources"]
    [record] = response.json()["resources"]
    assert set(record) == {"selector", "txt_record_name", "txt_record"}
    selector = record["selector"]
    assert re.fullmatch(r"[a-z0-9]{1,63}", selector)
    assert record["txt_record_name"] == f"{selector}._domainkey.{name}"
    tags = dict(part.split("=", 1) for part in record["txt_record"].split("; "))
    assert tags.keys() == {"v", "k", "p"}
    assert (tags["v"], tags["k"]) == ("DKIM1", "rsa")
    public = serialization.load_der_public_key(base64.b64decode(tags["p"]))
    assert isinstance(public, rsa.RSAPublicKey)
    assert public.key_size == 2048
    shown = domain_of(api, code)
    assert (shown["has_dkim"], shown["dkim_selector"], shown["dkim_public_key"]) == (
        True,
        selector,
        tags["p"],
    )
    # the sealed private key is the other half of the published one
    sealed = row(proofs, code).dkim_private_key_encrypted
    assert sealed is not None and "PRIVATE KEY" not in sealed
    pem = unseal(proofs.rt.settings, sealed)
    private = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(private, rsa.RSAPrivateKey)
    assert private.public_key().public_numbers() == public.public_numbers()
    signature = private.sign(b"a message", padding.PKCS1v15(), hashes.SHA256())
    public.verify(signature, b"a message", padding.PKCS1v15(), hashes.SHA256())
    # the private key is in no answer
    body = "".join(pem.splitlines()[1:-1])
    with proofs.client(proofs.admin_token) as admin:
        answers = [
            response.text,
            api.get(f"/domains/{code}").text,
            api.get("/domains", params={"per": 1000}).text,
            admin.get("/domains", params={"per": 1000}).text,
            admin.get(f"/domains/{code}").text,
        ]
    for text in answers:
        assert body[:64] not in text and "PRIVATE KEY" not in text and sealed not in text


def test_dkim_new_key_replaces_the_old(proofs: Live, api: httpx.Client) -> None:
    code = active_domain(api)
    first = api.post(f"/domains/{code}/dkim").json()["resources"][0]
    second = api.post(f"/domains/{code}/dkim").json()["resources"][0]
    assert first["txt_record"] != second["txt_record"]
    shown = domain_of(api, code)
    assert shown["dkim_selector"] == second["selector"]
    assert second["txt_record"].endswith(shown["dkim_public_key"])
    assert (shown["status"], shown["status_detail"]) == ("enabled", "ok")


# ---- who may call these routes --------------------------------------------------------------

ROUTES: list[tuple[str, str, Any]] = [
    ("PUT", "/email_ownership_check", {"verification_email_address": "admin@{name}"}),
    ("PUT", "/email_ownership_check/verify", {"code": "12345678"}),
    ("DELETE", "/email_ownership_check", None),
    ("GET", "/html_ownership_file", None),
    ("PUT", "/html_ownership_check", None),
    ("PUT", "/dns", None),
    ("POST", "/dkim", None),
]
IDS = [f"{method} {path}" for method, path, _ in ROUTES]


def call(api: httpx.Client, method: str, code: str, name: str, path: str, body: Any) -> Any:
    if body is not None:
        body = {k: v.format(name=name) for k, v in body.items()}
    return api.request(method, f"/domains/{code}{path}", json=body)


@pytest.fixture(scope="module")
def tenants(proofs: Live) -> dict[str, Any]:
    """Customer A's pending domain, and tokens: A's postmaster, customer B, admin."""
    with proofs.client() as api:
        name = unique_domain()
        code = create_domain(api, name)
    other_code, other_token = proofs.new_customer()
    return {
        "code": code,
        "name": name,
        "postmaster": proofs.token(Role.POSTMASTER, domain_code=code),
        "other": other_token,
    }


def assert_untouched(proofs: Live, smtp: SmtpSink, tenants: dict[str, Any]) -> None:
    stored = row(proofs, tenants["code"])
    assert stored.status == "ownership_check"
    assert stored.dkim_public_key is None and stored.ownership_email_address is None
    assert stored.mx_check_requested_at is None and stored.ownership_check_started_at is None
    assert smtp.to(f"admin@{tenants['name']}") == []


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=IDS)
def test_without_a_valid_token(
    proofs: Live, smtp: SmtpSink, tenants: dict[str, Any], method: str, path: str, body: Any
) -> None:
    for headers in ({}, {"X-Api-Token": "mpk_" + "x" * 43}):
        with httpx.Client(base_url=proofs.base_url, headers=headers) as anonymous:
            response = call(anonymous, method, tenants["code"], tenants["name"], path, body)
        assert response.status_code == 401, response.text
        assert response.json() == {"message": "Unauthorized", "errors": []}
    assert_untouched(proofs, smtp, tenants)


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=IDS)
def test_postmaster_is_forbidden(
    proofs: Live, smtp: SmtpSink, tenants: dict[str, Any], method: str, path: str, body: Any
) -> None:
    with proofs.client(tenants["postmaster"]) as api:
        response = call(api, method, tenants["code"], tenants["name"], path, body)
    assert response.status_code == 403, response.text
    assert response.json() == {"message": "Forbidden", "errors": []}
    assert_untouched(proofs, smtp, tenants)


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=IDS)
def test_another_customer_gets_not_found(
    proofs: Live, smtp: SmtpSink, tenants: dict[str, Any], method: str, path: str, body: Any
) -> None:
    with proofs.client(tenants["other"]) as api:
        response = call(api, method, tenants["code"], tenants["name"], path, body)
        assert response.status_code == 404, response.text
        assert response.json() == {"message": "Not found", "errors": []}
        for code in ("D000000000", "nope"):
            missing = call(api, method, code, tenants["name"], path, body)
            assert missing.status_code == 404, missing.text
    assert_untouched(proofs, smtp, tenants)


def test_admin_may_use_them(proofs: Live, smtp: SmtpSink) -> None:
    with proofs.client() as api:
        name = unique_domain()
        code = create_domain(api, name)
    with proofs.client(proofs.admin_token) as admin:
        one_time = send_code(admin, smtp, code, f"admin@{name}")
        assert html_file(admin, code)["url"].startswith(f"http://{name}/")
        assert admin.post(f"/domains/{code}/dkim").status_code == 200
        assert admin.put(f"/domains/{code}/dns").status_code == 204
        verify = admin.put(f"/domains/{code}/email_ownership_check/verify", json={"code": one_time})
        assert verify.status_code == 204
        # activated, and unhealthy: its name has no MX records (the check ran while it waited)
        shown = wait_for(
            admin,
            f"/domains/{code}",
            lambda d: (d["status"], d["status_detail"]) == ("enabled", "mx_error"),
        )
        assert shown["is_healthy"] is False and shown["activated_at"] is not None
