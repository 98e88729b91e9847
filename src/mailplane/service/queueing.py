"""Handing a row to the worker: a new generation to apply, due now."""

from __future__ import annotations

from datetime import datetime

from mailplane.store.tables import AliasDomain, Domain, EmailAccount, EmailAlias


def queue(
    row: Domain | EmailAccount | EmailAlias | AliasDomain, detail: str | None, now: datetime
) -> None:
    """Ask the worker to apply a new generation of this row; ``detail`` None keeps the current."""
    row.generation += 1
    if detail is not None:
        row.status_detail = detail
        row.status_message = None
    row.due_at = now
    row.attempts = 0
