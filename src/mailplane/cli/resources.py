"""`mailplane domains …` and `mailplane mailboxes …`: daily work against any API base."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the resource command groups to the `mailplane` app."""
