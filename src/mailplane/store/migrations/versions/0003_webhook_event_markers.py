"""webhook event markers: a domain's announced status, a mailbox's quota warning level

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("domains", schema=None) as batch_op:
        batch_op.add_column(sa.Column("announced_status", sa.String(length=32), nullable=True))
    with op.batch_alter_table("email_accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("quota_warning_level", sa.Integer(), server_default="0", nullable=False)
        )
    # domains already enabled or disabled have been so all along: nothing to announce
    op.execute(
        "UPDATE domains SET announced_status = status "
        "WHERE status IN ('enabled', 'disabled') AND activated_at IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("email_accounts", schema=None) as batch_op:
        batch_op.drop_column("quota_warning_level")
    with op.batch_alter_table("domains", schema=None) as batch_op:
        batch_op.drop_column("announced_status")
