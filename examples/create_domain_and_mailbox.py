"""Create a Hosting domain and its first mailbox: the seed's production workflow on the SDK.

Steps, in the seed's order:
  1. POST /domains                          create the domain and its postmaster
  2. GET  /domains/:code                    read the status and the DNS ownership data
  3. (you)                                  publish the ownership DNS record, press Enter
  4. PUT  /domains/:code/dns_ownership_check
  5. GET  /domains/:code                    poll until enabled / ok
  6. POST /domains/:code/email_accounts     create the first mailbox
  7. GET  …/email_accounts/:code            poll until enabled / ok
  8. PUT  …/email_accounts/:code            update its quota, poll until applied

Environment (the seed's names and defaults):
  QBOXMAIL_API_TOKEN, DOMAIN_NAME, POSTMASTER_PASSWORD, MAILBOX_PASSWORD   required
  QBOXMAIL_API_BASE   default https://api.qboxmail.com/api
  CUSTOMER_CODE       set it when the token belongs to an admin
  DOMAIN_PLAN=basic  MAILBOX_NAME=hello  UPDATED_MAILBOX_QUOTA_BYTES=2147483648
  POLL_INTERVAL_SECONDS=15   time between polls (the seed's 15 s)

Run: uv run python examples/create_domain_and_mailbox.py
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any

from mailplane.client import Client, Domain, EmailAccount, MailplaneError

DEFAULT_API_BASE = "https://api.qboxmail.com/api"
WAIT_TIMEOUT_SECONDS = 30 * 60  # the seed's 30-minute deadline per wait


def required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise SystemExit(f"Missing env var: {name}")
    return value


def not_ready(label: str) -> Callable[[Any], None]:
    """The seed's progress line, printed for each poll that finds the resource not ready."""

    def report(resource: Domain | EmailAccount) -> None:
        print(f"{label} not ready yet: {resource.status}/{resource.status_detail}", flush=True)

    return report


def wait_for_enter(message: str) -> None:
    try:
        input(message)
    except EOFError:  # stdin closed (piped run): carry on as if Enter was pressed
        print()


def main() -> int:
    api_base = (os.environ.get("QBOXMAIL_API_BASE") or DEFAULT_API_BASE).rstrip("/")
    api_token = required_env("QBOXMAIL_API_TOKEN")
    domain_name = required_env("DOMAIN_NAME")
    postmaster_password = required_env("POSTMASTER_PASSWORD")
    mailbox_password = required_env("MAILBOX_PASSWORD")

    customer_code = os.environ.get("CUSTOMER_CODE") or None
    domain_plan = os.environ.get("DOMAIN_PLAN") or "basic"
    mailbox_name = os.environ.get("MAILBOX_NAME") or "hello"
    quota_bytes = int(os.environ.get("UPDATED_MAILBOX_QUOTA_BYTES") or 2_147_483_648)
    poll = float(os.environ.get("POLL_INTERVAL_SECONDS") or 15)
    # The seed polls every 15 s for at most 30 minutes per wait.
    timeout, every = WAIT_TIMEOUT_SECONDS, poll

    with Client(api_base, api_token) as client:
        # 1. Create the domain and its postmaster.
        domain_code = client.domains.create(
            domain_name,
            postmaster_password,
            plan=domain_plan,
            customer_code=customer_code,
        )
        print(f"Domain created: {domain_name} ({domain_code})", flush=True)

        # 2. Read the DNS ownership data.
        domain_for_dns = client.domains.wait_for_ownership_data(
            domain_code,
            on_poll=not_ready("DNS ownership data"),
            timeout=timeout,
            initial_interval=every,
            max_interval=every,
        )

        # 3. Publish the record by hand.
        record = domain_for_dns.expected_a_record
        print("Publish the DNS ownership record requested by Qboxmail before continuing.")
        print(
            json.dumps(
                {
                    "domain": domain_for_dns.name,
                    "ownershipCode": domain_for_dns.ownership_verification_random_code,
                    "expectedARecord": domain_for_dns.possession_a_record,
                    "recordName": record.name if record else None,
                    "recordType": "A",
                    "recordValue": record.value if record else None,
                },
                indent=2,
            ),
            flush=True,
        )
        wait_for_enter("Press Enter after the DNS ownership record resolves...")

        # 4. Ask for the ownership check; 5. wait for activation.
        client.domains.verify_dns_ownership(domain_code)
        print("DNS ownership check queued. Waiting for domain activation.", flush=True)
        domain = client.domains.wait_until_enabled(
            domain_code,
            on_poll=not_ready("domain activation"),
            timeout=timeout,
            initial_interval=every,
            max_interval=every,
        )

        # 6. Create the first mailbox; 7. wait until it is active.
        email_code = client.email_accounts.create(
            domain.code,
            mailbox_name,
            mailbox_password,
            firstname="Example",
            lastname="User",
        )
        print(f"Mailbox creation queued: {mailbox_name}@{domain_name} ({email_code})", flush=True)
        email = client.email_accounts.wait_until_enabled(
            domain.code,
            email_code,
            on_poll=not_ready("mailbox activation"),
            timeout=timeout,
            initial_interval=every,
            max_interval=every,
        )

        # 8. Update its quota and wait until the new quota is applied.
        client.email_accounts.update(domain.code, email.code, max_email_quota=quota_bytes)
        print(f"Mailbox quota update queued: {quota_bytes} bytes", flush=True)
        updated = client.email_accounts.wait_until_enabled(
            domain.code,
            email.code,
            predicate=lambda a: a.max_email_quota == quota_bytes,
            on_poll=not_ready("mailbox quota update"),
            timeout=timeout,
            initial_interval=every,
            max_interval=every,
        )

    print(
        json.dumps(
            {
                "domainCode": domain.code,
                "emailCode": updated.code,
                "emailAddress": updated.email_address,
                "quotaBytes": updated.max_email_quota,
            },
            indent=2,
        ),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except MailplaneError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
