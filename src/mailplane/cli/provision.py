"""`mailplane provision`: the seed's workflow as one command."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the provisioning command to the `mailplane` app."""
