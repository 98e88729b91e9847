"""`mailplane worker` processes for tests, and a quick way to queue many activations."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from mailplane.config import Settings
from mailplane.model.inputs import DomainCreate
from mailplane.runtime import Runtime
from mailplane.service import customers, domains
from mailplane.service.principal import ADMIN
from mailplane.store.tables import BackendAction, Domain, EmailAccount
from tests.support.live import PASSWORD, unique_domain


def start_worker(settings: Settings, log: Path, threads: int = 2) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "MAILPLANE_DATABASE_URL": settings.effective_database_url,
        "MAILPLANE_DATA_DIR": str(settings.data_dir),
        "MAILPLANE_MODE": settings.mode,
        "MAILPLANE_WORKER_LEASE_SECONDS": str(settings.worker_lease_seconds),
        "MAILPLANE_WORKER_POLL_SECONDS": str(settings.worker_poll_seconds),
        "MAILPLANE_SANDBOX_DELAY_SECONDS": str(settings.sandbox_delay_seconds),
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "mailplane", "worker", "--threads", str(threads)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def queue_activations(rt: Runtime, count: int) -> list[str]:
    """Create ``count`` domains and mark their ownership proven: activations are now due."""
    with rt.db.write() as session:
        customer = customers.create(session, "bulk")
    codes = []
    for _ in range(count):
        domain = domains.create(
            rt,
            ADMIN,
            DomainCreate.parse(
                {
                    "name": unique_domain(),
                    "customer_code": customer.code,
                    "postmaster_password": PASSWORD,
                    "postmaster_password_confirmation": PASSWORD,
                }
            ),
        )
        domains.skip_ownership(rt, ADMIN, domain.code)
        codes.append(domain.code)
    return codes


def converged(rt: Runtime, codes: list[str]) -> int:
    """How many of these domains are enabled/ok with their postmaster ok."""
    with rt.db.read() as session:
        ok_domains = select(Domain.id).where(
            Domain.code.in_(codes), Domain.status == "enabled", Domain.status_detail == "ok"
        )
        return int(
            session.scalar(
                select(func.count())
                .select_from(EmailAccount)
                .where(
                    EmailAccount.domain_id.in_(ok_domains),
                    EmailAccount.is_postmaster.is_(True),
                    EmailAccount.status_detail == "ok",
                )
            )
            or 0
        )


def wait_converged(rt: Runtime, codes: list[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while (done := converged(rt, codes)) < len(codes):
        assert time.monotonic() < deadline, f"only {done} of {len(codes)} converged"
        time.sleep(0.1)


def actions(rt: Runtime) -> list[BackendAction]:
    with rt.db.read() as session:
        return list(session.scalars(select(BackendAction)))
