"""learner.activity_version: a per-learner counter that validates cached dashboards

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 14:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("learner") as batch_op:
        batch_op.add_column(
            sa.Column("activity_version", sa.BigInteger(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("learner") as batch_op:
        batch_op.drop_column("activity_version")
