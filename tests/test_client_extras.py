"""The SDK's ownership-proof, MX, DKIM and webhook methods against a real mailplane server.

Runs on the shared `live` sandbox server (SQLite and PostgreSQL); no SMTP server, no HTTP mocks.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from mailplane.client import (
    AsyncClient,
    Client,
    DkimRecord,
    FieldError,
    HtmlOwnershipFile,
    NotFoundError,
    ValidationError,
    Webhook,
)
from mailplane.store.tables import Domain as DomainRow
from tests.support.live import Live, unique_domain

PASSWORD = "Secret123"
HOOK_URL = "https://hooks.example.com/x"
SECRET = "a-webhook-secret-0123456789"


@pytest.fixture
def client(live: Live) -> Iterator[Client]:
    with Client(live.base_url, live.customer_token, timeout=10.0) as c:
        yield c


def test_create_dkim_returns_the_txt_record_and_the_domain_has_dkim(client: Client) -> None:
    name = unique_domain()
    code = client.domains.create(name, PASSWORD)
    assert not client.domains.retrieve(code).has_dkim

    record = client.domains.create_dkim(code)
    assert isinstance(record, DkimRecord)
    assert record.selector
    assert record.txt_record_name == f"{record.selector}._domainkey.{name}"
    assert record.txt_record is not None and "p=" in record.txt_record

    domain = client.domains.retrieve(code)
    assert domain.has_dkim is True
    assert domain.dkim_selector == record.selector


def test_html_ownership_file_and_check(client: Client) -> None:
    name = unique_domain()
    code = client.domains.create(name, PASSWORD)
    proof = client.domains.html_ownership_file(code)
    assert isinstance(proof, HtmlOwnershipFile)
    assert proof.file_name and proof.content
    assert proof.url == f"http://{name}/{proof.file_name}"
    client.domains.verify_html_ownership(code)  # queued: 204, nothing returned

    with pytest.raises(NotFoundError):
        client.domains.html_ownership_file("D000000001")


def test_check_mx_is_queued_then_answered(client: Client, live: Live) -> None:
    code = client.domains.create(unique_domain(), PASSWORD)
    client.domains.check_mx(code)

    deadline = time.monotonic() + 15
    checked = None
    while checked is None and time.monotonic() < deadline:
        with live.rt.db.read() as session:
            checked = session.scalar(select(DomainRow.mx_checked_at).where(DomainRow.code == code))
        time.sleep(0.05)
    assert checked is not None, "the worker never made the MX check"
    # the sandbox server expects no MX hosts: the domain is not healthy
    assert client.domains.retrieve(code).is_healthy is False


def test_email_ownership_check_refuses_an_address_off_the_list(client: Client) -> None:
    name = unique_domain()
    code = client.domains.create(name, PASSWORD)
    with pytest.raises(ValidationError) as caught:
        client.domains.request_email_ownership_check(code, f"someone@{name}")
    assert caught.value.status_code == 422
    assert [e.field for e in caught.value.errors] == ["verification_email_address"]

    with pytest.raises(ValidationError) as wrong:
        client.domains.verify_email_ownership(code, "")
    assert FieldError("code", "can't be blank") in wrong.value.errors
    client.domains.reset_email_ownership_check(code)


def test_webhooks_round_trip(client: Client, live: Live) -> None:
    code = client.webhooks.create(HOOK_URL, ["domain.enabled", "domain.deleted"], SECRET)

    hook = client.webhooks.retrieve(code)
    assert isinstance(hook, Webhook)
    assert hook.code == code
    assert (hook.url, hook.events) == (HOOK_URL, ["domain.enabled", "domain.deleted"])
    assert hook.customer_code == live.customer_code
    assert "secret" not in hook.model_dump()

    assert code in [h.code for h in client.webhooks.list()]

    client.webhooks.delete(code)
    with pytest.raises(NotFoundError):
        client.webhooks.retrieve(code)
    assert code not in [h.code for h in client.webhooks.list()]


def test_webhook_create_refused_with_field_errors(client: Client) -> None:
    with pytest.raises(ValidationError) as caught:
        client.webhooks.create(HOOK_URL, ["no.such_event"], "short")
    assert caught.value.status_code == 422
    fields = {e.field for e in caught.value.errors}
    assert fields == {"events", "secret"}


def test_async_twins(live: Live) -> None:
    async def scenario() -> None:
        async with AsyncClient(live.base_url, live.customer_token, timeout=10.0) as client:
            name = unique_domain()
            code = await client.domains.create(name, PASSWORD)
            record = await client.domains.create_dkim(code)
            assert record.txt_record_name == f"{record.selector}._domainkey.{name}"
            proof = await client.domains.html_ownership_file(code)
            assert proof.url == f"http://{name}/{proof.file_name}"
            await client.domains.check_mx(code)

            hook = await client.webhooks.create(HOOK_URL, ["domain.enabled"], SECRET)
            assert (await client.webhooks.retrieve(hook)).url == HOOK_URL
            assert hook in [h.code for h in await client.webhooks.list()]
            await client.webhooks.delete(hook)
            with pytest.raises(NotFoundError):
                await client.webhooks.retrieve(hook)

    asyncio.run(scenario())


def test_retry_policy_of_the_new_calls() -> None:
    """DKIM and webhook creation are POSTs (never repeated on 5xx); the rest are safe."""
    from mailplane.client import domains, webhooks
    from mailplane.client._base import Call, should_retry_status

    posts: list[Call[Any]] = [
        domains._create_dkim("D000000001"),
        webhooks._create(HOOK_URL, [], SECRET, None),
    ]
    safe: list[Call[Any]] = [
        domains._request_email_proof("D000000001", "admin@example.com"),
        domains._verify_email_proof("D000000001", "123456"),
        domains._reset_email_proof("D000000001"),
        domains._html_file("D000000001"),
        domains._action("D000000001", "html_ownership_check"),
        domains._action("D000000001", "dns"),
        webhooks._retrieve("W000000001"),
        webhooks._list(),
        webhooks._delete("W000000001"),
    ]
    assert all(not should_retry_status(c.method, 503) for c in posts)
    assert all(should_retry_status(c.method, 503) for c in safe)
