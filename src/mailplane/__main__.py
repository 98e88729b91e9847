"""``python -m mailplane`` runs the `mailplane` command."""

from mailplane.cli.main import app

app()
