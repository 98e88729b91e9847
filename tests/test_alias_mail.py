"""Aliases, catch-all and alias domains delivered for real: Dovecot and Postfix reading
mailplane's database (SQLite and PostgreSQL), every change made through the Management API and
its worker (spec §5)."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.live import (
    active_domain,
    create_mailbox,
    is_ok,
    live_server,
    test_settings,
    unique_domain,
    wait_for,
)
from tests.support.mailstack import MailStack
from tests.test_mail_backend import ApiMail, _postgres_url, _sqlite_url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def alias_mail(request: pytest.FixtureRequest) -> Iterator[ApiMail]:
    base = Path(tempfile.mkdtemp(prefix="mailplane-aliasmail-"))
    os.chmod(base, 0o755)  # the mail uid must reach the maildirs below it
    database = _sqlite_url(base) if request.param == "sqlite" else _postgres_url(base)
    try:
        with contextlib.ExitStack() as cleanup:
            url = cleanup.enter_context(database)
            settings = test_settings(
                url, base / "data", mail_backend="dovecot", mail_root=base / "mail"
            )
            stack = cleanup.enter_context(MailStack(settings))
            live = cleanup.enter_context(live_server(stack.settings))
            yield ApiMail(stack, live)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _create(api: httpx.Client, path: str, body: dict[str, object]) -> str:
    response = api.post(path, json=body)
    assert response.status_code == 201, response.text
    code = str(response.json()["resource_code"])
    wait_for(api, f"{path}/{code}", is_ok)
    return code


def test_alias_catch_all_and_alias_domain_deliver(alias_mail: ApiMail) -> None:
    mail = alias_mail
    with mail.live.client() as api:
        domain_code = active_domain(api)
        domain = f"/domains/{domain_code}"
        name = api.get(domain).json()["resources"][0]["name"]
        anna, bert = f"anna@{name}", f"bert@{name}"
        for local in ("anna", "bert"):
            code = create_mailbox(api, domain_code, local)
            wait_for(api, f"{domain}/email_accounts/{code}", is_ok)

        def expect(counts: tuple[int, int], what: str) -> None:
            mail.wait_for(what, lambda: (mail.delivered(anna), mail.delivered(bert)) == counts)

        # an alias reaches every destination
        aliases = f"{domain}/alias_email_accounts"
        team = _create(api, aliases, {"name": "team", "destinations": [anna, bert.upper()]})
        mail.send(f"team@{name}")
        expect((1, 1), "alias delivery to both destinations")
        # an unknown local part is refused at RCPT while there is no catch-all
        code, reply = mail.refused(f"nobody@{name}")
        assert code >= 500, reply

        # catch-all: unknown local parts reach its destination; mailboxes and aliases keep theirs
        body = {"catch_all_enabled": True, "catch_all_destination": bert}
        assert api.put(domain, json=body).status_code == 204
        mail.send(f"nobody@{name}")
        expect((1, 2), "catch-all delivery")
        mail.send(anna)
        expect((2, 2), "a mailbox is preferred to the catch-all")
        mail.send(f"team@{name}")
        expect((3, 3), "an alias is preferred to the catch-all")

        # an alias domain waiting for its ownership proof refuses mail
        alias_name = unique_domain("example.net")
        made = api.post(f"{domain}/aliases", json={"name": alias_name})
        assert made.status_code == 201, made.text
        alias_domain = f"{domain}/aliases/{made.json()['resource_code']}"
        # (probed with an address used nowhere else: an smtpd process keeps the last address
        # resolution it asked for, so the same address right after activation may be refused
        # once more by that process)
        code, reply = mail.refused(f"probe@{alias_name}")
        assert code >= 500 and "relay access denied" in reply.lower(), reply

        # proven and enabled: x@alias lands in x@domain (mailbox, alias, catch-all)
        assert api.put(f"{alias_domain}/skip_ownership_check").status_code == 204
        wait_for(api, alias_domain, is_ok)
        mail.send(f"anna@{alias_name}")
        expect((4, 3), "alias-domain delivery to a mailbox")
        mail.send(f"team@{alias_name}")
        expect((5, 4), "alias-domain delivery to an alias")
        mail.send(f"ghost@{alias_name}")
        expect((5, 5), "alias-domain delivery to the catch-all")

        # catch-all off: unknown local parts are refused again, on both names
        assert api.put(domain, json={"catch_all_enabled": False}).status_code == 204
        for address in (f"ghost@{alias_name}", f"nobody@{name}"):
            code, reply = mail.refused(address)
            assert code >= 500, reply

        # new destinations apply at once; a deleted alias and alias domain take no more mail
        assert api.put(f"{aliases}/{team}", json={"destinations": [anna]}).status_code == 204
        mail.send(f"team@{name}")
        expect((6, 5), "delivery to the replaced destinations")
        assert api.delete(f"{aliases}/{team}").status_code == 202
        assert api.delete(alias_domain).status_code == 202
        for address in (f"team@{name}", f"anna@{alias_name}"):
            code, reply = mail.refused(address)
            assert code >= 500, reply
        mail.send(anna)
        expect((7, 5), "the mailbox itself still works")
