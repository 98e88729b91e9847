"""The SDK (`mailplane.client`) against a real mailplane server: every method, no HTTP mocks.

Most tests run on the shared `live` sandbox server (SQLite and PostgreSQL). The DNS ownership
methods run on a production-mode server whose resolver is the test's own nsd.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mailplane.client import (
    AsyncClient,
    AuthenticationError,
    Client,
    Domain,
    EmailAccount,
    FieldError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from mailplane.service.principal import Role
from tests.support.live import Live, live_server, unique_domain
from tests.support.live import test_settings as server_settings
from tests.support.nsd import NsdServer

PASSWORD = "Secret123"
OWNERSHIP_IP = "203.0.113.7"
FAST: dict[str, Any] = {"timeout": 20.0, "initial_interval": 0.05, "max_interval": 0.3}
GiB = 1024**3


def poll(load: Callable[[], Any], ready: Callable[[Any], bool], timeout: float = 20.0) -> Any:
    """Call `load` until `ready(result)`; fail with the last result seen."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = load()
        if ready(last):
            return last
        time.sleep(0.05)
    raise AssertionError(f"not ready after {timeout}s; last seen {last!r}")


def gone(load: Callable[[], Any], timeout: float = 20.0) -> NotFoundError:
    """Call `load` until it raises NotFoundError; return that error."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            last = load()
        except NotFoundError as exc:
            return exc
        time.sleep(0.05)
    raise AssertionError(f"still there after {timeout}s: {last!r}")


@pytest.fixture
def client(live: Live) -> Iterator[Client]:
    with Client(live.base_url, live.customer_token, timeout=10.0) as c:
        yield c


def active_domain(client: Client, name: str | None = None) -> tuple[str, str]:
    """A domain created, its ownership skipped (sandbox) and enabled/ok: (code, name)."""
    name = name or unique_domain()
    code = client.domains.create(name, PASSWORD)
    client.domains.skip_ownership_check(code)
    client.domains.wait_until_enabled(code, **FAST)
    return code, name


# --------------------------------------------------------------------------------------------
# Domains


def test_domain_create_retrieve_and_ownership_data(client: Client, live: Live) -> None:
    name = unique_domain()
    code = client.domains.create(name, PASSWORD, plan="professional", antispam_level=1)
    assert re.fullmatch(r"D\d{9}", code)

    domain = client.domains.retrieve(code)
    assert isinstance(domain, Domain)
    assert (domain.code, domain.name, domain.plan) == (code, name, "professional")
    assert domain.customer_code == live.customer_code
    assert (domain.status, domain.status_detail) == ("ownership_check", "waiting_ownership")
    assert domain.antispam_level == 1
    assert not domain.is_ready
    assert domain.postmaster_code is not None and domain.postmaster_code.startswith("P")

    with_data = client.domains.wait_for_ownership_data(code, **FAST)
    assert with_data.possession_a_record == code.lower()
    record = with_data.expected_a_record
    assert record is not None
    assert (record.name, record.type, record.value) == (f"{code.lower()}.{name}", "A", OWNERSHIP_IP)


def test_domain_skip_wait_update_status_delete(client: Client) -> None:
    name = unique_domain()
    code = client.domains.create(name, PASSWORD)
    client.domains.skip_ownership_check(code)
    polled: list[str] = []
    domain = client.domains.wait_until_enabled(
        code, on_poll=lambda d: polled.append(f"{d.status}/{d.status_detail}"), **FAST
    )
    assert domain.is_ready and domain.activated_at is not None
    assert all(p != "enabled/ok" for p in polled)

    client.domains.update(
        code, antispam_level=3, default_quota=2 * GiB, postmaster_password="N3wpass99"
    )
    updated = client.domains.wait_until_enabled(
        code, predicate=lambda d: d.antispam_level == 3, **FAST
    )
    assert (updated.antispam_level, updated.default_quota) == (3, 2 * GiB)

    client.domains.set_status(code, "disabled")
    disabled = poll(
        lambda: client.domains.retrieve(code),
        lambda d: d.status == "disabled" and d.status_detail == "ok",
    )
    assert disabled.status == "disabled"
    client.domains.set_status(code, "enabled")
    assert client.domains.wait_until_enabled(code, **FAST).is_ready

    client.domains.delete(code)
    error = gone(lambda: client.domains.retrieve(code))
    assert (error.status_code, error.message) == (404, "Not found")


def test_domain_list_pages_through_small_pages(client: Client) -> None:
    tag = uuid.uuid4().hex[:8]
    names = sorted(f"p{i}-{tag}.example.com" for i in range(5))
    for name in reversed(names):
        client.domains.create(name, PASSWORD)

    listed = list(client.domains.list(query=tag, per=2, sort_field="name", sort="asc"))
    assert [d.name for d in listed] == names

    first = client.domains.list_page(1, 2, query=tag.upper(), sort_field="name", sort="asc")
    assert [d.name for d in first.resources] == names[:2]
    p = first.pagination
    assert (p.page, p.per, p.total_pages, p.total_records, p.query) == (1, 2, 3, 5, tag.upper())
    last = client.domains.list_page(3, 2, query=tag, sort_field="name", sort="asc")
    assert [d.name for d in last.resources] == names[4:]
    assert not last.has_next(2)
    assert client.domains.list_page(4, 2, query=tag).resources == []

    desc = client.domains.list_page(1, 10, query=tag, sort_field="name", sort="desc")
    assert [d.name for d in desc.resources] == names[::-1]
    waiting = list(client.domains.list(query=tag, status="ownership_check", per=3))
    assert len(waiting) == 5
    assert list(client.domains.list(query=tag, status="enabled")) == []


def test_postmasters_list(client: Client) -> None:
    code, name = active_domain(client)
    domain = client.domains.retrieve(code)
    postmasters = [
        p for p in client.postmasters.list(per=2) if p.email_address == f"postmaster@{name}"
    ]
    assert len(postmasters) == 1
    assert postmasters[0].code == domain.postmaster_code
    assert postmasters[0].is_postmaster is True


# --------------------------------------------------------------------------------------------
# Email accounts


def test_email_account_lifecycle(client: Client) -> None:
    domain_code, name = active_domain(client)
    code = client.email_accounts.create(
        domain_code, "hello", PASSWORD, firstname="Example", lastname="User", language="en"
    )
    assert re.fullmatch(r"EA\d{8}", code)

    account = client.email_accounts.retrieve(domain_code, code)
    assert isinstance(account, EmailAccount)
    assert (account.name, account.email_address) == ("hello", f"hello@{name}")
    assert (account.firstname, account.lastname, account.language) == ("Example", "User", "en")
    assert account.status == "enabled"

    ready = client.email_accounts.wait_until_enabled(domain_code, code, **FAST)
    assert ready.is_ready

    client.email_accounts.create(domain_code, "second", PASSWORD, firstname="Two")
    every = list(client.email_accounts.list(domain_code, per=1, sort_field="name", sort="asc"))
    assert [a.email_address for a in every] == [
        f"hello@{name}",
        f"postmaster@{name}",
        f"second@{name}",
    ]
    assert [a.is_postmaster for a in every] == [False, True, False]
    page = client.email_accounts.list_page(domain_code, 1, 25, query="HELLO")
    assert [a.code for a in page.resources] == [code]
    assert page.pagination.total_records == 1

    client.email_accounts.update(domain_code, code, max_email_quota=2 * GiB, description="main")
    shown = client.email_accounts.retrieve(domain_code, code)
    assert shown.max_email_quota == 2 * GiB  # a value written by PUT is shown at once
    applied = client.email_accounts.wait_until_enabled(
        domain_code, code, predicate=lambda a: a.max_email_quota == 2 * GiB, **FAST
    )
    assert applied.is_ready and applied.description == "main"

    client.email_accounts.update(domain_code, code, password="An0therpass")
    assert client.email_accounts.wait_until_enabled(domain_code, code, **FAST).is_ready

    client.email_accounts.set_status(domain_code, code, "disabled", bounce_msg="gone fishing")
    poll(
        lambda: client.email_accounts.retrieve(domain_code, code),
        lambda a: a.status == "disabled" and a.status_detail == "ok",
    )
    client.email_accounts.set_status(domain_code, code, "enabled")
    assert client.email_accounts.wait_until_enabled(domain_code, code, **FAST).is_ready

    client.email_accounts.delete(domain_code, code)
    gone(lambda: client.email_accounts.retrieve(domain_code, code))
    remaining = {a.name for a in client.email_accounts.list(domain_code)}
    assert remaining == {"postmaster", "second"}


# --------------------------------------------------------------------------------------------
# Errors


def test_validation_errors_carry_field_errors(client: Client) -> None:
    with pytest.raises(ValidationError) as info:
        client.domains.create(unique_domain(), "short")
    error = info.value
    assert (error.status_code, error.message) == (422, "Validation failed")
    assert (
        FieldError("postmaster_password", "is too short (minimum is 8 characters)") in error.errors
    )
    assert "postmaster_password is too short" in str(error)

    code, name = active_domain(client)
    with pytest.raises(ValidationError) as info:
        client.domains.create(name, PASSWORD)
    assert info.value.errors == [FieldError("name", "already exists")]

    with pytest.raises(ValidationError) as info:
        client.email_accounts.create(code, "x", PASSWORD, firstname="X", max_email_quota=12345)
    assert [e.field for e in info.value.errors] == ["max_email_quota"]

    pending = client.domains.create(unique_domain(), PASSWORD)
    with pytest.raises(ValidationError) as info:
        client.email_accounts.create(pending, "x", PASSWORD, firstname="X")
    assert FieldError("domain", "is not enabled") in info.value.errors


def test_not_found_unauthorized_and_forbidden(client: Client, live: Live) -> None:
    with pytest.raises(NotFoundError) as info:
        client.domains.retrieve("D000000000")
    assert (info.value.status_code, info.value.message, info.value.errors) == (404, "Not found", [])

    code, name = active_domain(client)
    _, other_token = live.new_customer()
    with Client(live.base_url, other_token) as other, pytest.raises(NotFoundError):
        other.domains.retrieve(code)  # never reveal another tenant's domain

    with Client(live.base_url, "not-a-token") as bad, pytest.raises(AuthenticationError) as auth:
        bad.domains.retrieve(code)
    assert (auth.value.status_code, auth.value.message) == (401, "Unauthorized")

    postmaster_token = live.token(Role.POSTMASTER, domain_code=code)
    with Client(live.base_url, postmaster_token) as postmaster:
        assert postmaster.domains.retrieve(code).name == name
        with pytest.raises(PermissionDeniedError) as denied:
            postmaster.domains.create(unique_domain(), PASSWORD)
        assert (denied.value.status_code, denied.value.message) == (403, "Forbidden")

    pm_code = client.domains.retrieve(code).postmaster_code
    assert pm_code is not None
    with pytest.raises(PermissionDeniedError):
        client.email_accounts.delete(code, pm_code)  # the postmaster cannot be deleted


# --------------------------------------------------------------------------------------------
# Async client


def test_async_client_subset(live: Live) -> None:
    async def scenario() -> None:
        async with AsyncClient(live.base_url, live.customer_token, timeout=10.0) as client:
            tag = uuid.uuid4().hex[:8]
            name = f"a-{tag}.example.com"
            code = await client.domains.create(name, PASSWORD)
            assert (await client.domains.retrieve(code)).name == name
            data = await client.domains.wait_for_ownership_data(code, **FAST)
            assert data.possession_a_record == code.lower()
            await client.domains.skip_ownership_check(code)
            assert (await client.domains.wait_until_enabled(code, **FAST)).is_ready
            assert [d.code async for d in client.domains.list(query=tag, per=1)] == [code]

            mailbox = await client.email_accounts.create(code, "hello", PASSWORD, firstname="A")
            await client.email_accounts.wait_until_enabled(code, mailbox, **FAST)
            await client.email_accounts.update(code, mailbox, max_email_quota=2 * GiB)
            account = await client.email_accounts.wait_until_enabled(
                code, mailbox, predicate=lambda a: a.max_email_quota == 2 * GiB, **FAST
            )
            assert account.email_address == f"hello@{name}"
            names = [a.name async for a in client.email_accounts.list(code, per=1)]
            assert sorted(names) == ["hello", "postmaster"]
            postmasters = [p async for p in client.postmasters.list(query=name)]
            assert [p.email_address for p in postmasters] == [f"postmaster@{name}"]

            with pytest.raises(ValidationError) as info:
                await client.domains.create(name, PASSWORD)
            assert info.value.errors == [FieldError("name", "already exists")]
            with pytest.raises(NotFoundError):
                await client.email_accounts.retrieve(code, "EA00000000")

            await client.domains.delete(code)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                try:
                    await client.domains.retrieve(code)
                except NotFoundError:
                    return
                await asyncio.sleep(0.05)
            raise AssertionError("domain not deleted")

    asyncio.run(scenario())


# --------------------------------------------------------------------------------------------
# DNS ownership, on a production-mode server resolving through nsd


@pytest.fixture(scope="module")
def production(nsd_server: NsdServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    data = Path(tmp_path_factory.mktemp("prod"))
    settings = server_settings(
        f"sqlite:///{data / 'mailplane.db'}",
        data,
        mode="production",
        dns_nameservers=[nsd_server.nameserver],
        ownership_ip=OWNERSHIP_IP,
    )
    with live_server(settings) as server:
        yield server


def test_dns_ownership_sync_and_queued(production: Live, nsd_server: NsdServer) -> None:
    with Client(production.base_url, production.customer_token) as client:
        name = nsd_server.fqdn(f"t{uuid.uuid4().hex[:10]}")
        code = client.domains.create(name, PASSWORD)
        with pytest.raises(NotFoundError):
            client.domains.skip_ownership_check(code)  # sandbox only

        check = client.domains.verify_dns_ownership_sync(code)
        record_name = f"{code.lower()}.{name}"
        assert (check.verified, check.activation_queued, check.resolved_ip) == (False, False, None)
        assert check.expected_record is not None
        assert (check.expected_record.name, check.expected_record.value) == (
            record_name,
            OWNERSHIP_IP,
        )
        assert check.resource is not None and check.resource.code == code

        nsd_server.publish_a(record_name, OWNERSHIP_IP)
        check = client.domains.verify_dns_ownership_sync(code)
        assert (check.verified, check.activation_queued, check.resolved_ip) == (
            True,
            True,
            OWNERSHIP_IP,
        )
        assert client.domains.wait_until_enabled(code, **FAST).is_ready

        other = nsd_server.fqdn(f"t{uuid.uuid4().hex[:10]}")
        other_code = client.domains.create(other, PASSWORD)
        client.domains.verify_dns_ownership(other_code)  # queued; record absent
        pending = client.domains.retrieve(other_code)
        assert pending.status == "ownership_check"
        nsd_server.publish_a(f"{other_code.lower()}.{other}", OWNERSHIP_IP)
        client.domains.verify_dns_ownership(other_code)  # a later PUT checks again at once
        assert client.domains.wait_until_enabled(other_code, **FAST).is_ready
