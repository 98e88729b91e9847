"""The sandbox mail backend: records what it was asked to do, once per resource generation."""

from __future__ import annotations

import os
import time
from dataclasses import asdict
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from mailplane.backends.mail import AliasDomainSpec, AliasSpec, DomainSpec, MailboxSpec
from mailplane.store.db import Database
from mailplane.store.tables import BackendAction


class SandboxBackend:
    """Keeps its "mail server" in the ``backend_actions`` table; tests count the rows.

    A step asked again for the same generation (after a crash, say) changes nothing and only
    bumps ``repeats``. ``delay`` simulates a mail server's latency after each action.
    """

    name = "sandbox"

    def __init__(self, db: Database, delay: float = 0.0) -> None:
        self._db = db
        self._delay = delay

    def _record(self, code: str, generation: int, action: str, detail: dict[str, Any]) -> None:
        detail = {**detail, "pid": os.getpid()}
        try:
            with self._db.write() as session:
                session.add(
                    BackendAction(
                        resource_code=code, generation=generation, action=action, detail=detail
                    )
                )
        except IntegrityError:
            with self._db.write() as session:
                session.execute(
                    update(BackendAction)
                    .where(
                        BackendAction.resource_code == code,
                        BackendAction.generation == generation,
                        BackendAction.action == action,
                    )
                    .values(repeats=BackendAction.repeats + 1)
                )
        if self._delay:
            time.sleep(self._delay)

    def apply_domain(self, domain: DomainSpec) -> None:
        self._record(domain.code, domain.generation, "apply_domain", asdict(domain))

    def remove_domain(self, domain: DomainSpec, mailboxes: list[MailboxSpec]) -> None:
        detail = {"name": domain.name, "mailboxes": [m.address for m in mailboxes]}
        self._record(domain.code, domain.generation, "remove_domain", detail)

    def apply_mailbox(self, mailbox: MailboxSpec) -> None:
        self._record(mailbox.code, mailbox.generation, "apply_mailbox", asdict(mailbox))

    def remove_mailbox(self, mailbox: MailboxSpec) -> None:
        self._record(
            mailbox.code, mailbox.generation, "remove_mailbox", {"address": mailbox.address}
        )

    def used_space(self, mailbox: MailboxSpec) -> int | None:
        return None

    def apply_alias(self, alias: AliasSpec) -> None:
        self._record(alias.code, alias.generation, "apply_alias", asdict(alias))

    def remove_alias(self, alias: AliasSpec) -> None:
        self._record(alias.code, alias.generation, "remove_alias", {"address": alias.address})

    def apply_alias_domain(self, alias_domain: AliasDomainSpec) -> None:
        self._record(
            alias_domain.code, alias_domain.generation, "apply_alias_domain", asdict(alias_domain)
        )

    def remove_alias_domain(self, alias_domain: AliasDomainSpec) -> None:
        detail = {"name": alias_domain.name}
        self._record(alias_domain.code, alias_domain.generation, "remove_alias_domain", detail)

    def count(self, action: str | None = None, code: str | None = None) -> int:
        query = select(func.count()).select_from(BackendAction)
        if action is not None:
            query = query.where(BackendAction.action == action)
        if code is not None:
            query = query.where(BackendAction.resource_code == code)
        with self._db.read() as session:
            return int(session.scalar(query) or 0)
