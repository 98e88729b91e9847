"""A database made by the first release upgrades to the newest schema with its rows intact."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from mailplane.store.migrate import alembic_config


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_upgrade_from_the_first_schema_keeps_rows(
    kind: str, new_database: Callable[[str], str]
) -> None:
    url = new_database(kind)
    config = alembic_config(url)
    command.upgrade(config, "0001")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO customers (id, code, name, created_at) "
                "VALUES (1, 'C000000001', 'Acme', '2026-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO domains (id, code, name, plan, customer_id, status, status_detail, "
                "is_healthy, created_at, updated_at, ownership_code, max_email_quota, "
                "max_email_accounts, catch_all_enabled, antispam_level, imap_disabled, "
                "pop_disabled, smtp_disabled, webmail_disabled, allow_nets, generation, "
                "observed_generation, attempts) VALUES (1, 'D000000001', 'a.example.com', "
                "'basic', 1, 'enabled', 'ok', true, '2026-01-01', '2026-01-01', 'x', "
                "8589934592, -1, false, 2, false, false, false, false, '[]', 1, 1, 0)"
            )
        )
    command.upgrade(config, "head")
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT code, ownership_check_method, ownership_email_failures FROM domains")
        ).one()
    assert tuple(row) == ("D000000001", "dns", 0)
    engine.dispose()
