"""`mailplane provision`, the example script and the resource commands, end to end.

The server runs in production mode: ownership is proven only by a real A record, served by the
test's own nsd. The commands run as subprocesses; the test publishes the record while they wait.
"""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from mailplane.cli.main import app
from mailplane.cli.provision import parse_quota
from mailplane.client import Client
from tests.support.live import Live, live_server
from tests.support.live import test_settings as server_settings
from tests.support.nsd import NsdServer

ROOT = Path(__file__).resolve().parents[1]
MAILPLANE = str(Path(sys.executable).parent / "mailplane")
EXAMPLE = str(ROOT / "examples" / "create_domain_and_mailbox.py")
OWNERSHIP_IP = "203.0.113.7"
POSTMASTER_PASSWORD = "Postm4sterpw"
MAILBOX_PASSWORD = "M4ilboxpw77"
GiB = 1024**3
FAST = ["--poll-interval", "0.05", "--max-poll-interval", "0.3", "--timeout", "30"]


@pytest.fixture(scope="module")
def prod(nsd_server: NsdServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    data = Path(tmp_path_factory.mktemp("prod-cli"))
    settings = server_settings(
        f"sqlite:///{data / 'mailplane.db'}",
        data,
        mode="production",
        dns_nameservers=[nsd_server.nameserver],
        ownership_ip=OWNERSHIP_IP,
    )
    with live_server(settings) as server:
        yield server


def env_for(live: Live, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("QBOXMAIL_", "MAILPLANE_"))
        and k not in {"CUSTOMER_CODE", "DOMAIN_PLAN", "POSTMASTER_PASSWORD", "MAILBOX_PASSWORD"}
    }
    env.update(
        QBOXMAIL_API_BASE=live.base_url,
        QBOXMAIL_API_TOKEN=live.customer_token,
        POSTMASTER_PASSWORD=POSTMASTER_PASSWORD,
        MAILBOX_PASSWORD=MAILBOX_PASSWORD,
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


class Running:
    """A subprocess whose merged output is read line by line in the background."""

    def __init__(self, args: list[str], env: dict[str, str], stdin: bool = False) -> None:
        self.proc = subprocess.Popen(
            args,
            env=env,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._queue.put(line)
        self._queue.put(None)

    def expect(self, pattern: str, timeout: float = 20.0) -> re.Match[str]:
        """Wait for an output line matching `pattern`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                break
            self.lines.append(line)
            match = re.search(pattern, line)
            if match:
                return match
        self.proc.kill()
        raise AssertionError(f"no line matching {pattern!r}; output:\n{self.output()}")

    def finish(self, timeout: float = 30.0) -> tuple[int, str]:
        code = self.proc.wait(timeout)
        while True:
            try:
                line = self._queue.get(timeout=5)
            except queue.Empty:
                break
            if line is None:
                break
            self.lines.append(line)
        return code, self.output()

    def output(self) -> str:
        return "".join(self.lines)


def provision_args(domain: str, nsd: NsdServer, *more: str) -> list[str]:
    """Arguments of `mailplane provision` for `domain` (without the program name)."""
    return [
        "provision",
        domain,
        "--mailbox",
        "hello",
        "--quota",
        "2GiB",
        "--resolver",
        nsd.nameserver,
        *FAST,
        *more,
    ]


def invoke(live: Live, args: list[str], **env: str | None) -> Result:
    """Run `mailplane …` in process (typer's runner): no interpreter start-up per call."""
    values: dict[str, str | None] = {
        "QBOXMAIL_API_BASE": live.base_url,
        "QBOXMAIL_API_TOKEN": live.customer_token,
        "POSTMASTER_PASSWORD": POSTMASTER_PASSWORD,
        "MAILBOX_PASSWORD": MAILBOX_PASSWORD,
        "CUSTOMER_CODE": None,
        "DOMAIN_PLAN": None,
    }
    values.update(env)
    return CliRunner().invoke(app, args, env=values, catch_exceptions=False)


def new_domain(nsd: NsdServer) -> str:
    return nsd.fqdn(f"t{uuid.uuid4().hex[:10]}")


def mailboxes(client: Client, domain_code: str) -> list[str]:
    return sorted(
        a.name or "" for a in client.email_accounts.list(domain_code) if not a.is_postmaster
    )


# --------------------------------------------------------------------------------------------
# provision


def test_parse_quota() -> None:
    assert parse_quota("2GiB") == parse_quota("2G") == parse_quota("2gb") == 2 * GiB
    assert parse_quota("1073741824") == GiB
    assert parse_quota("50MiB") == 52428800
    assert parse_quota("1.5 GiB") == 1610612736
    for bad in ("", "two", "-1G", "0", "1.3B", "2XB"):
        with pytest.raises(ValueError):
            parse_quota(bad)


def test_provision_waits_for_the_record_then_finishes(prod: Live, nsd_server: NsdServer) -> None:
    name = new_domain(nsd_server)
    running = Running([MAILPLANE, *provision_args(name, nsd_server)], env_for(prod))
    code = running.expect(rf"Domain created: {re.escape(name)} \((D\d{{9}})\)").group(1)
    record = running.expect(r"publish A (\S+) → (\S+)")
    assert record.groups() == (f"{code.lower()}.{name}", OWNERSHIP_IP)
    running.expect(r"no A record yet")  # it is watching DNS, and the record is not there
    nsd_server.publish_a(record.group(1), OWNERSHIP_IP)
    status, output = running.finish()
    assert status == 0, output
    assert f"resolves to {OWNERSHIP_IP}" in output
    assert "Done in" in output and f"hello@{name}" in output
    assert POSTMASTER_PASSWORD not in output and MAILBOX_PASSWORD not in output

    with Client(prod.base_url, prod.customer_token) as client:
        domain = client.domains.retrieve(code)
        assert domain.is_ready
        [account] = [a for a in client.email_accounts.list(code) if not a.is_postmaster]
        assert (account.email_address, account.max_email_quota) == (f"hello@{name}", 2 * GiB)
        assert account.is_ready

    # Again, with --json and a new quota: nothing is created, the quota changes.
    again = invoke(prod, provision_args(name, nsd_server, "--json"))
    assert again.exit_code == 0, again.output
    args = provision_args(name, nsd_server, "--json")
    args[args.index("2GiB")] = "50MiB"
    changed = invoke(prod, args)
    assert changed.exit_code == 0, changed.output
    first, second = json.loads(again.stdout), json.loads(changed.stdout)
    assert first == first | {
        "ok": True,
        "domain": name,
        "domain_code": code,
        "mailbox_code": account.code,
        "email_address": f"hello@{name}",
        "quota_bytes": 2 * GiB,
        "created_domain": False,
        "created_mailbox": False,
    }
    assert second["quota_bytes"] == 52428800 and second["mailbox_code"] == account.code
    assert "reusing it" in changed.stderr  # progress goes to stderr with --json


def test_interrupted_provision_resumes_without_duplicates(
    prod: Live, nsd_server: NsdServer
) -> None:
    name = new_domain(nsd_server)
    first = Running([MAILPLANE, *provision_args(name, nsd_server)], env_for(prod))
    code = first.expect(r"Domain created: \S+ \((D\d{9})\)").group(1)
    record = first.expect(r"publish A (\S+) → ").group(1)
    first.expect(r"no A record yet")
    first.proc.kill()  # interrupted while it waits for DNS
    first.finish()

    with Client(prod.base_url, prod.customer_token) as client:
        [domain] = list(client.domains.list(query=name))
        assert (domain.code, domain.status) == (code, "ownership_check")

        nsd_server.publish_a(record, OWNERSHIP_IP)
        resumed = invoke(prod, provision_args(name, nsd_server, "--json"))
        assert resumed.exit_code == 0, resumed.output
        facts = json.loads(resumed.stdout)
        assert (facts["domain_code"], facts["created_domain"], facts["created_mailbox"]) == (
            code,
            False,
            True,
        )
        assert f"Domain {name} exists ({code}" in resumed.stderr

        third = invoke(prod, provision_args(name, nsd_server, "--json"))
        assert third.exit_code == 0, third.output
        assert json.loads(third.stdout)["created_mailbox"] is False

        assert [d.code for d in client.domains.list(query=name)] == [code]
        assert mailboxes(client, code) == ["hello"]


def test_dns_timeout_names_the_record_to_publish(prod: Live, nsd_server: NsdServer) -> None:
    name = new_domain(nsd_server)
    result = invoke(prod, provision_args(name, nsd_server, "--dns-timeout", "0.5"))
    assert result.exit_code == 1
    match = re.search(r"fix: publish A (d\d{9}\.\S+) → (\S+), then run again", result.stderr)
    assert match, result.stderr
    assert match.group(1).endswith(name) and match.group(2) == OWNERSHIP_IP


def test_api_errors_are_shown_field_by_field(prod: Live, nsd_server: NsdServer) -> None:
    name = new_domain(nsd_server)
    result = invoke(prod, provision_args(name, nsd_server), POSTMASTER_PASSWORD="Zq9")
    assert result.exit_code == 1
    assert "422 Validation failed" in result.stderr
    assert "postmaster_password: is too short (minimum is 8 characters)" in result.stderr
    assert "Zq9" not in result.output

    result = invoke(prod, provision_args(name, nsd_server, "--json"), POSTMASTER_PASSWORD=None)
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "ok": False,
        "error": "a postmaster password is needed and there is no terminal to ask for it",
        "fix": "set POSTMASTER_PASSWORD or pass --postmaster-password",
    }

    result = invoke(prod, provision_args(name, nsd_server), QBOXMAIL_API_TOKEN="nope")
    assert result.exit_code == 1
    assert "401 Unauthorized" in result.stderr and "QBOXMAIL_API_TOKEN" in result.stderr


# --------------------------------------------------------------------------------------------
# The example script (the seed's workflow, press Enter after publishing)


def test_example_script_end_to_end(prod: Live, nsd_server: NsdServer) -> None:
    name = new_domain(nsd_server)
    env = env_for(
        prod,
        DOMAIN_NAME=name,
        MAILBOX_NAME="hello",
        UPDATED_MAILBOX_QUOTA_BYTES=str(2 * GiB),
        POLL_INTERVAL_SECONDS="0.1",
    )
    running = Running([sys.executable, EXAMPLE], env, stdin=True)
    code = running.expect(r"Domain created: \S+ \((D\d{9})\)").group(1)
    record = running.expect(r'"recordName": "([^"]+)"').group(1)
    assert record == f"{code.lower()}.{name}"
    assert running.expect(r'"recordValue": "([^"]+)"').group(1) == OWNERSHIP_IP
    nsd_server.publish_a(record, OWNERSHIP_IP)
    assert running.proc.stdin is not None
    running.proc.stdin.write("\n")
    running.proc.stdin.flush()
    status, output = running.finish()
    assert status == 0, output
    facts = json.loads(output[output.rindex('{\n  "domainCode"') :])
    assert facts["domainCode"] == code
    assert facts["emailAddress"] == f"hello@{name}"
    assert facts["quotaBytes"] == 2 * GiB
    assert "DNS ownership check queued. Waiting for domain activation." in output


# --------------------------------------------------------------------------------------------
# Resource commands (in process, through typer's runner)


def cli(live: Live, *args: str) -> Any:
    result = invoke(live, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout) if "--json" in args else result.stdout


def test_resource_commands(prod: Live, nsd_server: NsdServer) -> None:
    name = new_domain(nsd_server)
    with Client(prod.base_url, prod.customer_token) as client:
        code = client.domains.create(name, POSTMASTER_PASSWORD)
        nsd_server.publish_a(f"{code.lower()}.{name}", OWNERSHIP_IP)
        assert client.domains.verify_dns_ownership_sync(code).verified
        client.domains.wait_until_enabled(code, timeout=20, initial_interval=0.05)

    listed = cli(prod, "domains", "list", "--query", name, "--json")
    assert [(d["code"], d["name"]) for d in listed] == [(code, name)]
    assert code in cli(prod, "domains", "list")
    assert cli(prod, "domains", "show", name, "--json")["code"] == code
    assert f"{name} ({code}): enabled/ok" in cli(prod, "domains", "status", code)

    created = cli(prod, "mailboxes", "create", name, "info", "--quota", "1GiB", "--json")
    assert (created["email_address"], created["max_email_quota"]) == (f"info@{name}", GiB)
    assert (created["status"], created["status_detail"]) == ("enabled", "ok")
    box = created["code"]
    shown = cli(prod, "mailboxes", "show", code, f"info@{name}", "--json")
    assert shown["code"] == box
    addresses = [a["email_address"] for a in cli(prod, "mailboxes", "list", code, "--json")]
    assert sorted(addresses) == [f"info@{name}", f"postmaster@{name}"]
    assert f"info@{name}" in cli(prod, "mailboxes", "list", name)

    assert cli(prod, "mailboxes", "set-quota", code, box, "2G", "--json")["max_email_quota"] == (
        2 * GiB
    )
    assert cli(prod, "mailboxes", "set-password", code, "info", "--json")["status"] == "enabled"
    disabled = cli(prod, "mailboxes", "disable", code, box, "--json")
    assert (disabled["status"], disabled["status_detail"]) == ("disabled", "ok")
    enabled = cli(prod, "mailboxes", "enable", code, box, "--json")
    assert (enabled["status"], enabled["status_detail"]) == ("enabled", "ok")
    assert cli(prod, "mailboxes", "delete", code, box, "--yes", "--json")["deleted"] == box

    off = cli(prod, "domains", "status", code, "disabled", "--json")
    assert (off["status"], off["status_detail"]) == ("disabled", "ok")
    on = cli(prod, "domains", "status", code, "enabled", "--json")
    assert (on["status"], on["status_detail"]) == ("enabled", "ok")
    assert cli(prod, "domains", "delete", code, "--yes", "--json") == {
        "deleted": code,
        "name": name,
        "gone": True,
    }
    missing = invoke(prod, ["domains", "show", code])
    assert missing.exit_code == 1
    assert "404 Not found" in missing.stderr
