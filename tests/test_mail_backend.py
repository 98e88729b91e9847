"""Real Dovecot and Postfix reading mailplane's database (SQLite and PostgreSQL).

Rows are written straight into the tables here (the API is not in the loop yet); the mail
servers must follow every change at once: login, delivery, quota, disable, password, delete,
and a domain still waiting for its ownership proof.
"""

from __future__ import annotations

import contextlib
import imaplib
import os
import shutil
import smtplib
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from mailplane.backends.dovecot import DovecotBackend
from mailplane.backends.mail import DomainSpec, MailboxSpec
from mailplane.clock import utcnow
from mailplane.config import Settings
from mailplane.service.passwords import hash_password
from mailplane.store.db import Database
from mailplane.store.tables import Base, Customer, Domain, EmailAccount
from tests.support.live import (
    PASSWORD,
    Live,
    active_domain,
    create_domain,
    create_mailbox,
    is_ok,
    live_server,
    test_settings,
    wait_for,
)
from tests.support.mailstack import MailStack
from tests.support.needs import missing

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
DOMAIN = "example.test"
PENDING = "pending.test"
SENDER = "someone@elsewhere.test"
KIB = 1024


@dataclass
class Mail:
    """A mail client of the stack: IMAP logins and SMTP submissions, as a user would."""

    stack: MailStack

    def maildir(self, address: str) -> Path:
        local, _, domain = address.partition("@")
        return self.stack.settings.effective_mail_root / domain / local

    def login(self, address: str, password: str) -> imaplib.IMAP4:
        imap = imaplib.IMAP4(self.stack.host, self.stack.imap_port, timeout=10)
        try:
            imap.login(address, password)
        except BaseException:
            imap.shutdown()
            raise
        return imap

    def can_login(self, address: str, password: str) -> bool:
        try:
            self.login(address, password).logout()
        except imaplib.IMAP4.error:
            return False
        return True

    def storage_quota(self, address: str, password: str) -> tuple[int, int]:
        """(used, limit) in KiB, as IMAP GETQUOTAROOT reports them in a fresh session."""
        imap = self.login(address, password)
        try:
            typ, data = imap.getquotaroot("INBOX")
        finally:
            imap.logout()
        assert typ == "OK", data
        quota = next(d for d in data[1] if b"STORAGE" in d).decode()
        used, limit = quota.split("STORAGE", 1)[1].strip(" ()").split()[:2]
        return int(used), int(limit)

    def inbox_count(self, address: str, password: str) -> int:
        imap = self.login(address, password)
        try:
            typ, data = imap.select("INBOX", readonly=True)
            assert typ == "OK", data
            return int(data[0] or 0)
        finally:
            imap.logout()

    def send(self, to: str, body_size: int = 100, size_option: bool = True) -> None:
        """Send one message over SMTP; raises smtplib errors when Postfix refuses it."""
        message = f"From: {SENDER}\r\nTo: {to}\r\nSubject: test\r\n\r\n" + (
            "x" * 76 + "\r\n"
        ) * max(1, body_size // 78)
        try:
            self._send(to, message, size_option)
        except (smtplib.SMTPServerDisconnected, TimeoutError, ConnectionError) as exc:
            pytest.fail(f"SMTP to {to} failed: {exc}\n{self.stack.logs()[-4000:]}")

    def _send(self, to: str, message: str, size_option: bool) -> None:
        with smtplib.SMTP(self.stack.host, self.stack.smtp_port, timeout=10) as smtp:
            if size_option:
                smtp.sendmail(SENDER, [to], message)
                return
            # no SIZE= in MAIL FROM: Postfix cannot ask quota-status, LMTP must refuse it
            smtp.ehlo()
            code, reply = smtp.mail(SENDER)
            assert code == 250, reply
            code, reply = smtp.rcpt(to)
            if code != 250:
                raise smtplib.SMTPRecipientsRefused({to: (code, reply)})
            code, reply = smtp.data(message.encode())
            assert code == 250, reply

    def refused_size(self, to: str, size: int) -> tuple[int, str]:
        """Announce a message of ``size`` bytes (MAIL FROM SIZE=) and return the RCPT reply."""
        with smtplib.SMTP(self.stack.host, self.stack.smtp_port, timeout=10) as smtp:
            smtp.ehlo()
            code, reply = smtp.mail(SENDER, [f"SIZE={size}"])
            assert code == 250, reply
            code, reply = smtp.rcpt(to)
            return code, reply.decode()

    def wait_for(self, what: str, check: Any, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}\n{self.stack.logs()[-4000:]}")
            time.sleep(0.05)

    def auth_ok(self, address: str, password: str, service: str) -> bool:
        """Whether Dovecot's auth accepts the login for ``service`` (``doveadm auth test``:
        the same passdb lookup a pop3 or SMTP AUTH login makes, without running those)."""
        assert self.stack.options is not None
        result = subprocess.run(
            ["doveadm", "-c", str(self.stack.options.dovecot_conf), "auth", "test",
             "-x", f"service={service}", address, password],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        assert "succeeded" in result.stdout or "failed" in result.stdout, result
        return result.returncode == 0 and "succeeded" in result.stdout

    def delivered(self, address: str) -> int:
        """Messages in the mailbox's maildir (new and cur), read from disk, not over IMAP."""
        maildir = self.maildir(address) / "Maildir"
        return sum(
            len(list((maildir / sub).glob("*")))
            for sub in ("new", "cur")
            if (maildir / sub).is_dir()
        )

    def refused(self, to: str, **kwargs: Any) -> tuple[int, str]:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as info:
            self.send(to, **kwargs)
        code, reply = info.value.recipients[to]
        return code, reply.decode()


@dataclass
class World(Mail):
    db: Database
    backend: DovecotBackend
    domain_id: int
    pending_domain_id: int

    def add_mailbox(self, name: str, password: str, quota: int, **columns: Any) -> str:
        address = f"{name}@{columns.pop('domain', DOMAIN)}"
        domain_id = columns.pop("domain_id", self.domain_id)
        values: dict[str, Any] = {
            "status": "enabled",
            "status_detail": "ok",
            "provisioned_at": utcnow(),
        }
        values.update(columns)
        with self.db.write() as session:
            session.add(
                EmailAccount(
                    code=uuid.uuid4().hex[:12],
                    domain_id=domain_id,
                    name=name,
                    email_address=address,
                    password_hash=hash_password(password, rounds=4),
                    max_email_quota=quota,
                    **values,
                )
            )
        return address

    def set(self, address: str, **values: Any) -> None:
        with self.db.write() as session:
            session.execute(
                update(EmailAccount).where(EmailAccount.email_address == address).values(**values)
            )

    def spec(self, address: str, quota: int = 0, enabled: bool = True) -> MailboxSpec:
        local, _, domain = address.partition("@")
        return MailboxSpec(
            code=local, address=address, domain_name=domain, generation=1, enabled=enabled,
            quota_bytes=quota,
        )  # fmt: skip


# -- the database and the stack, once per driver ----------------------------------------------


@contextlib.contextmanager
def _sqlite_url(base: Path) -> Iterator[str]:
    yield f"sqlite:///{base / 'db' / 'mailplane.db'}"


@contextlib.contextmanager
def _postgres_url(base: Path) -> Iterator[str]:
    try:
        import psycopg

        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except Exception as exc:  # noqa: BLE001 - any failure means: no PostgreSQL here
        missing(f"PostgreSQL is not reachable at {PG_ADMIN}: {exc}")
        raise AssertionError("unreachable") from exc
    name = f"mailplane_mail_{uuid.uuid4().hex[:10]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _seed(db: Database) -> tuple[int, int]:
    """One customer, an active domain and one still waiting for its ownership proof."""
    Base.metadata.create_all(db.engine)
    with db.write() as session:
        customer = Customer(code="C1", name="Customer")
        session.add(customer)
        session.flush()
        common: dict[str, Any] = {
            "plan": "basic", "customer_id": customer.id, "ownership_code": "x",
            "max_email_quota": 10 * KIB**3,
        }  # fmt: skip
        active = Domain(
            code="D1", name=DOMAIN, status="enabled", status_detail="ok", activated_at=utcnow(),
            **common,
        )  # fmt: skip
        pending = Domain(
            code="D2", name=PENDING, status="ownership_check", status_detail="waiting_ownership",
            **common,
        )  # fmt: skip
        session.add_all([active, pending])
        session.flush()
        return active.id, pending.id


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    base = Path(tempfile.mkdtemp(prefix="mailplane-mailtest-"))
    os.chmod(base, 0o755)  # the mail uid must reach the maildirs below it
    database = _sqlite_url(base) if request.param == "sqlite" else _postgres_url(base)
    try:
        with contextlib.ExitStack() as cleanup:
            url = cleanup.enter_context(database)
            db = Database(url)
            cleanup.callback(db.dispose)
            domain_id, pending_id = _seed(db)
            settings = Settings(data_dir=base, database_url=url, mail_root=base / "mail")
            stack = cleanup.enter_context(MailStack(settings))
            yield World(stack, db, DovecotBackend(stack.settings), domain_id, pending_id)
    finally:
        shutil.rmtree(base, ignore_errors=True)


# -- the walk ---------------------------------------------------------------------------------


def test_login_quota_delivery_and_usage(world: World) -> None:
    address = world.add_mailbox("alice", "alice-pw-1", 1024 * KIB)
    world.backend.apply_mailbox(world.spec(address))  # new mailbox, nothing on disk: no error
    assert world.storage_quota(address, "alice-pw-1") == (0, 1024)
    assert not world.can_login(address, "wrong")
    assert not world.can_login(address.upper().replace("ALICE", "nobody"), "alice-pw-1")

    world.send(address, body_size=3000)
    world.wait_for("delivery", lambda: world.inbox_count(address, "alice-pw-1") == 1)
    used = world.backend.used_space(world.spec(address))
    assert used is not None and used >= 3000
    world.backend.apply_mailbox(world.spec(address))  # quota recalc on an existing maildir
    assert world.backend.used_space(world.spec(address)) == used
    assert world.storage_quota(address, "alice-pw-1")[0] == used // KIB
    # addresses are case-insensitive for login and delivery
    assert world.can_login(address.upper(), "alice-pw-1")


def test_quota_lowered_applies_at_once_and_oversize_mail_is_refused(world: World) -> None:
    address = world.add_mailbox("bob", "bob-pw", 1024 * KIB)
    assert world.storage_quota(address, "bob-pw")[1] == 1024
    world.set(address, max_email_quota=20 * KIB)
    assert world.storage_quota(address, "bob-pw")[1] == 20

    # with SIZE=, Postfix asks Dovecot's quota-status at RCPT and refuses
    code, reply = world.refused(address, body_size=60 * KIB)
    assert code == 552 and "quota" in reply.lower(), reply
    # without SIZE=, Postfix accepts, LMTP refuses at RCPT, and the sender gets a bounce
    world.send(address, body_size=5 * KIB)
    world.wait_for("small delivery", lambda: world.inbox_count(address, "bob-pw") == 1)
    world.send(address, body_size=60 * KIB, size_option=False)
    world.wait_for(
        "the bounce",
        lambda: any(
            f"to=<{address}>" in line and "status=bounced" in line and "552" in line
            for line in world.stack.logs().splitlines()
        ),
    )
    assert world.inbox_count(address, "bob-pw") == 1
    world.set(address, max_email_quota=1024 * KIB)
    world.send(address, body_size=60 * KIB)
    world.wait_for("delivery after raise", lambda: world.inbox_count(address, "bob-pw") == 2)


def test_disabled_mailbox_refuses_login_and_mail_with_its_bounce_message(world: World) -> None:
    address = world.add_mailbox("carol", "carol-pw", 1024 * KIB)
    assert world.can_login(address, "carol-pw")

    world.set(address, status="disabled", bounce_msg="Carol has left\nthe company")
    assert not world.can_login(address, "carol-pw")
    code, reply = world.refused(address)
    assert code >= 500 and "Carol has left the company" in reply, reply

    world.set(address, bounce_msg=None)
    code, reply = world.refused(address)
    assert code >= 500 and "This mailbox is disabled" in reply, reply

    world.set(address, status="enabled")
    assert world.can_login(address, "carol-pw")
    world.send(address)
    world.wait_for("delivery after enable", lambda: world.inbox_count(address, "carol-pw") == 1)


def test_password_change_applies_at_once(world: World) -> None:
    address = world.add_mailbox("dave", "old-password", 1024 * KIB)
    assert world.can_login(address, "old-password")
    world.set(address, password_hash=hash_password("new-password", rounds=4))
    assert not world.can_login(address, "old-password")
    assert world.can_login(address, "new-password")


def test_removed_mailbox_is_gone(world: World) -> None:
    address = world.add_mailbox("erin", "erin-pw", 1024 * KIB)
    world.send(address)
    world.wait_for("delivery", lambda: world.inbox_count(address, "erin-pw") == 1)
    assert world.maildir(address).is_dir()

    world.set(address, delete_requested_at=utcnow())
    assert not world.can_login(address, "erin-pw")
    world.backend.remove_mailbox(world.spec(address))
    world.backend.remove_mailbox(world.spec(address))  # idempotent
    assert not world.maildir(address).exists()
    assert world.backend.used_space(world.spec(address)) is None
    code, _ = world.refused(address)
    assert code >= 500


def test_domain_waiting_for_ownership_routes_no_mail(world: World) -> None:
    address = world.add_mailbox(
        "frank", "frank-pw", 1024 * KIB, domain=PENDING, domain_id=world.pending_domain_id
    )
    code, reply = world.refused(address)
    assert code >= 500 and "relay access denied" in reply.lower(), reply
    assert not world.can_login(address, "frank-pw")


def test_protocol_flags_refuse_that_login_only_and_mail_still_arrives(world: World) -> None:
    address = world.add_mailbox("gina", "gina-pw", 1024 * KIB, imap_disabled=True)
    assert not world.can_login(address, "gina-pw")
    assert world.auth_ok(address, "gina-pw", "pop3")
    assert world.auth_ok(address, "gina-pw", "smtp")
    world.send(address)
    world.wait_for("delivery to an IMAP-disabled mailbox", lambda: world.delivered(address) == 1)

    world.set(address, imap_disabled=False, pop_disabled=True)
    assert world.can_login(address, "gina-pw")
    assert world.inbox_count(address, "gina-pw") == 1
    assert not world.auth_ok(address, "gina-pw", "pop3")
    assert world.auth_ok(address, "gina-pw", "imap")

    world.set(address, pop_disabled=False, smtp_disabled=True)
    assert not world.auth_ok(address, "gina-pw", "smtp")
    assert not world.auth_ok(address, "gina-pw", "submission")
    assert world.auth_ok(address, "gina-pw", "pop3")
    assert world.can_login(address, "gina-pw")
    world.set(address, smtp_disabled=False)
    assert world.auth_ok(address, "gina-pw", "smtp")

    # the domain's flags apply to all its mailboxes
    with world.db.write() as session:
        session.execute(
            update(Domain).where(Domain.id == world.domain_id).values(imap_disabled=True)
        )
    try:
        assert not world.can_login(address, "gina-pw")
        assert world.auth_ok(address, "gina-pw", "pop3")
        world.send(address)
        world.wait_for("delivery in an IMAP-disabled domain", lambda: world.delivered(address) == 2)
    finally:
        with world.db.write() as session:
            session.execute(
                update(Domain).where(Domain.id == world.domain_id).values(imap_disabled=False)
            )
    assert world.can_login(address, "gina-pw")
    assert world.inbox_count(address, "gina-pw") == 2


def test_domain_directory_lifecycle(world: World) -> None:
    spec = DomainSpec(code="D9", name="gone.test", generation=1, enabled=True)
    root = world.stack.settings.effective_mail_root
    world.backend.apply_domain(spec)
    world.backend.apply_domain(spec)
    assert (root / "gone.test").is_dir()
    (root / "gone.test" / "someone" / "Maildir").mkdir(parents=True)
    world.backend.remove_domain(spec, [])
    world.backend.remove_domain(spec, [])
    assert not (root / "gone.test").exists()


# -- the same life, through the Management API and its worker ---------------------------------


@dataclass
class ApiMail(Mail):
    live: Live


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api_mail(request: pytest.FixtureRequest) -> Iterator[ApiMail]:
    base = Path(tempfile.mkdtemp(prefix="mailplane-mailapi-"))
    os.chmod(base, 0o755)
    database = _sqlite_url(base) if request.param == "sqlite" else _postgres_url(base)
    try:
        with contextlib.ExitStack() as cleanup:
            url = cleanup.enter_context(database)
            settings = test_settings(
                url,
                base / "data",
                mail_backend="dovecot",
                mail_root=base / "mail",
                usage_refresh_seconds=0.2,
            )
            stack = cleanup.enter_context(MailStack(settings))
            live = cleanup.enter_context(live_server(stack.settings))
            yield ApiMail(stack, live)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_mailbox_life_through_the_api(api_mail: ApiMail) -> None:
    mail = api_mail
    with mail.live.client() as api:
        domain_code = active_domain(api)
        domain = api.get(f"/domains/{domain_code}").json()["resources"][0]
        assert mail.can_login(f"postmaster@{domain['name']}", PASSWORD)

        code = create_mailbox(api, domain_code, "walker", max_email_quota=1073741824)
        path = f"/domains/{domain_code}/email_accounts/{code}"
        address = wait_for(api, path, is_ok)["email_address"]
        assert mail.storage_quota(address, PASSWORD) == (0, 1073741824 // KIB)
        mail.send(address, body_size=2000)
        mail.wait_for("delivery", lambda: mail.inbox_count(address, PASSWORD) == 1)
        # the worker reads usage back from Dovecot
        used = wait_for(api, path, lambda r: (r["used_space"] or 0) >= 2000)["used_space"]
        assert used == mail.storage_quota(address, PASSWORD)[0] * KIB

        # quota lowered: Dovecot reports it at once; a message that does not fit is refused
        assert api.put(path, json={"max_email_quota": 52428800}).status_code == 204
        assert mail.storage_quota(address, PASSWORD)[1] == 52428800 // KIB
        code_, reply = mail.refused_size(address, 60 * 1024 * 1024)
        assert code_ == 552 and "quota" in reply.lower(), reply
        wait_for(api, path, is_ok)

        # disabled: no login, mail rejected with its bounce message; enabled: works again
        body = {"status": "disabled", "bounce_msg": "Walker walked away"}
        assert api.put(f"{path}/status", json=body).status_code == 204
        assert not mail.can_login(address, PASSWORD)
        code_, reply = mail.refused(address)
        assert code_ >= 500 and "Walker walked away" in reply, reply
        assert api.put(f"{path}/status", json={"status": "enabled"}).status_code == 204
        assert mail.can_login(address, PASSWORD)
        mail.send(address)
        mail.wait_for("delivery after enable", lambda: mail.inbox_count(address, PASSWORD) == 2)

        # password change
        new = {"password": "Another456", "password_confirmation": "Another456"}
        assert api.put(path, json=new).status_code == 204
        assert not mail.can_login(address, PASSWORD)
        assert mail.can_login(address, "Another456")

        # delete: login refused at once, the worker removes the maildir
        assert mail.maildir(address).is_dir()
        assert api.delete(path).status_code == 202
        assert not mail.can_login(address, "Another456")
        mail.wait_for("maildir removal", lambda: not mail.maildir(address).exists())
        mail.wait_for("row removal", lambda: api.get(path).status_code == 404)

        # a domain still waiting for its ownership proof routes no mail
        pending = create_domain(api)
        name = api.get(f"/domains/{pending}").json()["resources"][0]["name"]
        code_, reply = mail.refused(f"postmaster@{name}")
        assert code_ >= 500 and "relay access denied" in reply.lower(), reply


def test_protocol_flags_through_the_api(api_mail: ApiMail) -> None:
    mail = api_mail
    with mail.live.client() as api:
        domain_code = active_domain(api)
        code = create_mailbox(api, domain_code, "noimap", imap_disabled=True)
        path = f"/domains/{domain_code}/email_accounts/{code}"
        address = wait_for(api, path, is_ok)["email_address"]
        assert not mail.can_login(address, PASSWORD)
        mail.send(address)
        mail.wait_for("delivery", lambda: mail.delivered(address) == 1)

        assert api.put(path, json={"imap_disabled": False}).status_code == 204
        assert mail.can_login(address, PASSWORD)
        assert mail.inbox_count(address, PASSWORD) == 1

        domain_path = f"/domains/{domain_code}"
        assert api.put(domain_path, json={"imap_disabled": True}).status_code == 204
        assert not mail.can_login(address, PASSWORD)
        assert api.put(domain_path, json={"imap_disabled": False}).status_code == 204
        assert mail.can_login(address, PASSWORD)
