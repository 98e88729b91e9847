"""Provision mailboxes through the API with the Dovecot backend, against the bcrypt floor.

Starts real Dovecot and Postfix on loopback ports (``tests/support/mailstack.py``, config from
``mailplane.mailconf``) and `mailplane serve` (API and worker in one process) on SQLite with
``MAILPLANE_MAIL_BACKEND=dovecot`` and the production password cost (bcrypt, default rounds).
One domain is activated (sandbox skip of the ownership proof); then ``--count`` mailboxes are
created through the HTTP API, ``--concurrency`` requests in flight, and the clock stops when
all of them read ``enabled``/``ok``. The floor is the same number of passwords hashed one after
the other with the same scheme and cost (``hash_password``), timed in two halves, before and
after the provisioning, so that load from elsewhere on the host weighs on both sides alike.
At the end a few random mailboxes log in over IMAP. Needs root (Dovecot and Postfix).

    uv run python bench/mailbox_provisioning.py [--count 2000] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import imaplib
import os
import random
import shutil
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from common import PASSWORD, create_domain, mailplane_server  # noqa: E402
from tests.support.mailstack import MailStack  # noqa: E402

from mailplane.config import Settings  # noqa: E402
from mailplane.service.passwords import SCHEME, hash_password  # noqa: E402

TARGET = 1.5
SAMPLE_LOGINS = 5


def floor(count: int, rounds: int) -> float:
    """Seconds to hash ``count`` passwords sequentially, the way the API hashes one."""
    start = time.perf_counter()
    for _ in range(count):
        hash_password(PASSWORD, rounds)
    return time.perf_counter() - start


def wait_ok(api: httpx.Client, path: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        resource = api.get(path).json()["resources"][0]
        if resource["status"] == "enabled" and resource["status_detail"] == "ok":
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{path} not ok after {timeout:g} s: {resource}")
        time.sleep(0.02)


def count_ok(api: httpx.Client, domain_code: str) -> tuple[int, dict[str, int]]:
    """How many mailboxes (postmaster excluded) are enabled/ok, and what the others are."""
    ok, others, page = 0, dict[str, int](), 1
    while True:
        body = api.get(
            f"/domains/{domain_code}/email_accounts", params={"per": 1000, "page": page}
        ).json()
        for account in body["resources"]:
            if account["code"].startswith("P"):
                continue
            state = f"{account['status']}/{account['status_detail']}"
            if state == "enabled/ok":
                ok += 1
            else:
                others[state] = others.get(state, 0) + 1
        if page >= body["pagination"]["total_pages"]:
            return ok, others
        page += 1


def provision(
    base_url: str, token: str, domain_code: str, count: int, concurrency: int
) -> tuple[float, float, list[str]]:
    """Create ``count`` mailboxes; (seconds until all POSTs answered, until all ok, addresses)."""
    local = threading.local()
    clients: list[httpx.Client] = []
    lock = threading.Lock()

    def client() -> httpx.Client:
        if not hasattr(local, "api"):
            local.api = httpx.Client(base_url=base_url, headers={"X-Api-Token": token}, timeout=120)
            with lock:
                clients.append(local.api)
        return local.api  # type: ignore[no-any-return]

    def create(i: int) -> str:
        response = client().post(
            f"/domains/{domain_code}/email_accounts",
            json={
                "name": f"user{i:05d}",
                "firstname": "Bench",
                "password": PASSWORD,
                "password_confirmation": PASSWORD,
            },
        )
        if response.status_code != 201:
            raise RuntimeError(f"create user{i:05d}: {response.status_code} {response.text}")
        return f"user{i:05d}"

    start = time.perf_counter()
    try:
        with ThreadPoolExecutor(concurrency) as pool:
            names = list(pool.map(create, range(count)))
        created = time.perf_counter() - start
        api = client()
        while True:
            ok, others = count_ok(api, domain_code)
            if ok == count:
                break
            if any(state.startswith("error") or "error" in state for state in others):
                raise RuntimeError(f"mailboxes failed: {others}")
            time.sleep(0.05)
        done = time.perf_counter() - start
    finally:
        for c in clients:
            c.close()
    return created, done, names


def check_logins(stack: MailStack, addresses: list[str]) -> None:
    for address in addresses:
        imap = imaplib.IMAP4(stack.host, stack.imap_port, timeout=10)
        try:
            imap.login(address, PASSWORD)
            typ, data = imap.getquotaroot("INBOX")
        except imaplib.IMAP4.error as exc:
            imap.shutdown()
            raise RuntimeError(f"IMAP login as {address} failed: {exc}\n{stack.logs()}") from exc
        imap.logout()
        if typ != "OK":
            raise RuntimeError(f"GETQUOTAROOT for {address}: {data}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    args = parser.parse_args()

    rounds = Settings().password_bcrypt_rounds  # the production default, not a test cost
    base = Path(tempfile.mkdtemp(prefix="mailplane-bench-mail-"))
    os.chmod(base, 0o755)  # the mail uid and postfix must traverse it
    url = f"sqlite:///{base / 'db' / 'mailplane.db'}"
    settings = Settings(
        data_dir=base / "data", database_url=url, mail_root=base / "mail", mail_backend="dovecot"
    )
    first_half = args.count // 2
    try:
        with MailStack(settings) as stack:
            env = {
                "MAILPLANE_DATABASE_URL": url,
                "MAILPLANE_MAIL_BACKEND": "dovecot",
                "MAILPLANE_MAIL_ROOT": str(settings.effective_mail_root),
                "MAILPLANE_DOVECOT_CONFIG": str(stack.settings.dovecot_config),
            }
            with mailplane_server(**env) as server:
                headers = {"X-Api-Token": server.token}
                with httpx.Client(base_url=server.base_url, headers=headers, timeout=60) as api:
                    domain_name = f"b{uuid.uuid4().hex[:10]}.example.com"
                    domain_code = create_domain(api, domain_name)
                    api.put(f"/domains/{domain_code}/skip_ownership_check").raise_for_status()
                    wait_ok(api, f"/domains/{domain_code}")

                floor_before = floor(first_half, rounds)
                created, provisioned, names = provision(
                    server.base_url, server.token, domain_code, args.count, args.concurrency
                )
                floor_after = floor(args.count - first_half, rounds)

                sample = random.sample(names, min(SAMPLE_LOGINS, len(names)))
                addresses = [f"{name}@{domain_name}" for name in sample]
                check_logins(stack, addresses + [f"postmaster@{domain_name}"])
    finally:
        shutil.rmtree(base, ignore_errors=True)

    hashing = floor_before + floor_after
    ratio = provisioned / hashing
    print(
        f"mailbox provisioning: {args.count} mailboxes through the API, {args.concurrency} in "
        f"flight, Dovecot backend, SQLite; {SCHEME} cost {rounds}; {os.cpu_count()} CPUs"
    )
    print(f"{'':<34}{'wall s':>10}{'mailboxes/s':>14}")
    print(f"{'API: all POSTs answered':<34}{created:>10.2f}{args.count / created:>14.1f}")
    print(f"{'API: all enabled/ok':<34}{provisioned:>10.2f}{args.count / provisioned:>14.1f}")
    print(f"{'floor: hash_password sequentially':<34}{hashing:>10.2f}{args.count / hashing:>14.1f}")
    print(f"  (floor halves: {floor_before:.2f} s before, {floor_after:.2f} s after)")
    verdict = "meets" if ratio <= TARGET else "MISSES"
    print(f"ratio provisioning / floor: {ratio:.2f}x ({verdict} the {TARGET}x target)")
    print(f"IMAP login + GETQUOTAROOT ok for {len(addresses) + 1} sampled mailboxes")


if __name__ == "__main__":
    main()
