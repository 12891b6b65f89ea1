"""Full-text search indexes for resource search (PostgreSQL only)

GIN indexes over the exact tsvector expressions `api.resources.search` queries with, so a search
reads the index instead of computing a tsvector for every resource and topic. SQLite searches by
substring and gets nothing here.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 23:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kept textually equal to the expressions in api.resources.search: the planner uses an expression
# index only for a query expression that is the same expression.
RESOURCE_DOCUMENT = "to_tsvector('english'::regconfig, title || ' ' || coalesce(provider, ''))"
TOPIC_DOCUMENT = "to_tsvector('english'::regconfig, title)"


def upgrade() -> None:
    """Apply this revision."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"CREATE INDEX ix_resource_search ON resource USING gin (({RESOURCE_DOCUMENT}))")
    op.execute(f"CREATE INDEX ix_topic_search ON topic USING gin (({TOPIC_DOCUMENT}))")


def downgrade() -> None:
    """Revert this revision."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_topic_search")
    op.execute("DROP INDEX ix_resource_search")
