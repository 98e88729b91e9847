"""The seed's production workflow over plain HTTP, with a real DNS server, on both databases."""

from __future__ import annotations

import uuid
from pathlib import Path

from tests.conftest import OWNERSHIP_IP
from tests.support.live import (
    PASSWORD,
    Live,
    create_mailbox,
    is_ok,
    live_server,
    test_settings,
    wait_for,
)
from tests.support.nsd import NsdServer


def test_seed_workflow(production: Live, nsd_server: NsdServer) -> None:
    name = nsd_server.fqdn(f"w{uuid.uuid4().hex[:8]}")
    with production.client() as api:
        # 1. create the domain and its postmaster
        created = api.post(
            "/domains",
            json={
                "name": name,
                "plan": "basic",
                "postmaster_password": PASSWORD,
                "postmaster_password_confirmation": PASSWORD,
            },
        )
        assert created.status_code == 201
        code = created.json()["resource_code"]
        assert created.headers["location"] == f"/api/domains/{code}"

        # 2. ownership data is there at once
        domain = api.get(f"/domains/{code}").json()["resources"][0]
        assert (domain["status"], domain["status_detail"]) == (
            "ownership_check",
            "waiting_ownership",
        )
        assert domain["possession_a_record"] == code.lower()
        record = f"{domain['possession_a_record']}.{name}"
        assert domain["expected_ownership_record"] == {
            "name": record,
            "type": "A",
            "value": OWNERSHIP_IP,
        }
        assert domain["ownership_verification_random_code"]

        # before publishing, the synchronous check says what is missing
        early = api.put(f"/domains/{code}/dns_ownership_check/sync").json()
        assert early["verified"] is False and early["activation_queued"] is False
        assert early["resolved_ip"] is None
        assert early["expected_record"] == domain["expected_ownership_record"]

        # 3. publish the record; 4. ask for the (queued) check
        nsd_server.publish_a(record, OWNERSHIP_IP)
        assert api.put(f"/domains/{code}/dns_ownership_check").status_code == 204

        # 5. the domain becomes enabled / ok, postmaster included
        domain = wait_for(api, f"/domains/{code}", is_ok)
        assert domain["activated_at"] is not None
        postmaster = wait_for(
            api, f"/domains/{code}/email_accounts/{domain['postmaster_code']}", is_ok
        )
        assert postmaster["email_address"] == f"postmaster@{name}"

        # 6. first mailbox; 7. wait until active
        mailbox = create_mailbox(api, code, "hello", lastname="User")
        account = wait_for(api, f"/domains/{code}/email_accounts/{mailbox}", is_ok)
        assert account["email_address"] == f"hello@{name}"
        assert account["max_email_quota"] == 1073741824

        # 8. change the quota: visible at once, applied by the worker
        assert (
            api.put(
                f"/domains/{code}/email_accounts/{mailbox}", json={"max_email_quota": 2147483648}
            ).status_code
            == 204
        )
        now = api.get(f"/domains/{code}/email_accounts/{mailbox}").json()["resources"][0]
        assert now["max_email_quota"] == 2147483648
        assert now["status_detail"] in ("updating", "ok")
        done = wait_for(api, f"/domains/{code}/email_accounts/{mailbox}", is_ok)
        assert done["max_email_quota"] == 2147483648


def test_queued_check_waits_for_the_record(production: Live, nsd_server: NsdServer) -> None:
    name = nsd_server.fqdn(f"q{uuid.uuid4().hex[:8]}")
    with production.client() as api:
        code = api.post(
            "/domains",
            json={
                "name": name,
                "postmaster_password": PASSWORD,
                "postmaster_password_confirmation": PASSWORD,
            },
        ).json()["resource_code"]
        record = f"{code.lower()}.{name}"
        assert api.put(f"/domains/{code}/dns_ownership_check").status_code == 204
        checked = wait_for(
            api, f"/domains/{code}", lambda d: d["ownership_last_checked_at"] is not None
        )
        assert (checked["status"], checked["status_detail"]) == (
            "ownership_check",
            "waiting_ownership",
        )
        assert record in checked["status_message"] and OWNERSHIP_IP in checked["status_message"]

        # a record with the wrong address is reported as found, and still refused
        nsd_server.publish_a(record, "198.51.100.9")
        sync = api.put(f"/domains/{code}/dns_ownership_check/sync").json()
        assert sync["verified"] is False and sync["resolved_ip"] == "198.51.100.9"
        message = api.get(f"/domains/{code}").json()["resources"][0]["status_message"]
        assert "198.51.100.9" in message

        # the right address: a later PUT checks again at once, without waiting for backoff
        nsd_server.remove(record)
        nsd_server.publish_a(record, OWNERSHIP_IP)
        assert api.put(f"/domains/{code}/dns_ownership_check").status_code == 204
        wait_for(api, f"/domains/{code}", is_ok)


def test_sync_check_proves_and_queues_activation(production: Live, nsd_server: NsdServer) -> None:
    name = nsd_server.fqdn(f"s{uuid.uuid4().hex[:8]}")
    with production.client() as api:
        code = api.post(
            "/domains",
            json={
                "name": name,
                "postmaster_password": PASSWORD,
                "postmaster_password_confirmation": PASSWORD,
            },
        ).json()["resource_code"]
        nsd_server.publish_a(f"{code.lower()}.{name}", OWNERSHIP_IP)
        result = api.put(f"/domains/{code}/dns_ownership_check/sync").json()
        assert result["verified"] is True and result["activation_queued"] is True
        assert result["resolved_ip"] == OWNERSHIP_IP
        assert result["resource"]["type"] == "domain" and result["resource"]["code"] == code
        assert result["resource"]["status"] == "enabled"
        wait_for(api, f"/domains/{code}", is_ok)


def test_queued_check_gives_up_after_its_window(nsd_server: NsdServer, tmp_path: Path) -> None:
    """Retries stop at the end of the window (72 h in production; a second here)."""
    settings = test_settings(
        f"sqlite:///{tmp_path / 'm.db'}",
        tmp_path,
        mode="production",
        dns_nameservers=[nsd_server.nameserver],
        ownership_ip=OWNERSHIP_IP,
        ownership_retry_hours=1 / 3600,
    )
    name = nsd_server.fqdn(f"g{uuid.uuid4().hex[:8]}")
    with live_server(settings) as live, live.client() as api:
        code = api.post(
            "/domains",
            json={
                "name": name,
                "postmaster_password": PASSWORD,
                "postmaster_password_confirmation": PASSWORD,
            },
        ).json()["resource_code"]
        assert api.put(f"/domains/{code}/dns_ownership_check").status_code == 204
        gave_up = wait_for(
            api, f"/domains/{code}", lambda d: "gave up" in (d["status_message"] or "")
        )
        assert gave_up["status"] == "ownership_check"
        assert f"{code.lower()}.{name}" in gave_up["status_message"]
        # a later PUT starts a new window and checks at once
        nsd_server.publish_a(f"{code.lower()}.{name}", OWNERSHIP_IP)
        assert api.put(f"/domains/{code}/dns_ownership_check").status_code == 204
        wait_for(api, f"/domains/{code}", is_ok)
