"""Claims carry the team practice id (a code); escalations record when they moved with an item.

Revision ID: 0006
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply."""
    with op.batch_alter_table("claims") as batch:
        batch.add_column(sa.Column("practice", sa.String(length=32), nullable=True))
    with op.batch_alter_table("claim_events") as batch:
        batch.add_column(sa.Column("practice", sa.String(length=32), nullable=True))
    with op.batch_alter_table("escalations") as batch:
        batch.add_column(sa.Column("moved_at", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    """Revert."""
    with op.batch_alter_table("escalations") as batch:
        batch.drop_column("moved_at")
    with op.batch_alter_table("claim_events") as batch:
        batch.drop_column("practice")
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("practice")
