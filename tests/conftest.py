"""Fixtures shared by the suite: real databases, a real server, a real DNS server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import psycopg
import pytest

from tests.support.live import Live, live_server, postgres_database, test_settings
from tests.support.needs import missing
from tests.support.nsd import NsdServer, nsd_server  # noqa: F401  (a fixture)

DatabaseFactory = Callable[[str], str]


@pytest.fixture(scope="session")
def new_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    """Make a fresh, empty database of a kind (``sqlite`` or ``postgresql``); its URL."""
    with ExitStack() as stack:

        def make(kind: str) -> str:
            if kind == "sqlite":
                return f"sqlite:///{tmp_path_factory.mktemp('db') / 'mailplane.db'}"
            try:
                return stack.enter_context(postgres_database())
            except psycopg.OperationalError as exc:
                missing(f"PostgreSQL is not reachable: {exc}")
                raise

        yield make


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def live(
    request: pytest.FixtureRequest,
    new_database: DatabaseFactory,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Live]:
    """A sandbox-mode server with its worker, on SQLite and on PostgreSQL."""
    settings = test_settings(new_database(request.param), Path(tmp_path_factory.mktemp("data")))
    with live_server(settings) as server:
        yield server


OWNERSHIP_IP = "203.0.113.7"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def production(
    request: pytest.FixtureRequest,
    new_database: DatabaseFactory,
    nsd_server: NsdServer,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Live]:
    """A production-mode server whose ownership checks ask the test's nsd."""
    settings = test_settings(
        new_database(request.param),
        Path(tmp_path_factory.mktemp("data")),
        mode="production",
        dns_nameservers=[nsd_server.nameserver],
        ownership_ip=OWNERSHIP_IP,
    )
    with live_server(settings) as server:
        yield server
