"""Initial hub schema.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply."""
    op.create_table(
        "claim_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("claimant", sa.String(length=32), nullable=False),
        sa.Column("holder", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_claim_events_at", "claim_events", ["at"], unique=False)
    op.create_table(
        "claims",
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=32), nullable=False),
        sa.Column("since", sa.BigInteger(), nullable=False),
        sa.Column("lease_expires_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("pseudonym"),
    )
    op.create_index("ix_claims_holder", "claims", ["holder"], unique=False)
    op.create_table(
        "handoffs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("sender", sa.String(length=32), nullable=False),
        sa.Column("receiver", sa.String(length=32), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=True),
        sa.Column("posted_at", sa.BigInteger(), nullable=False),
        sa.Column("fetched_at", sa.BigInteger(), nullable=True),
        sa.Column("acknowledged", sa.Integer(), nullable=True),
        sa.Column("declined", sa.Integer(), nullable=True),
        sa.Column("receipted_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_handoffs_receiver", "handoffs", ["receiver", "state"], unique=False)
    op.create_index("ix_handoffs_sender", "handoffs", ["sender"], unique=False)
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("idempotency_key", sa.String(length=36), nullable=False),
        sa.Column("sender", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    op.create_table(
        "public_keys",
        sa.Column("handle", sa.String(length=32), nullable=False),
        sa.Column("public_key", sa.String(length=44), nullable=False),
        sa.Column("registered_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("handle"),
    )
    op.create_table(
        "samples",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("vma", sa.String(length=32), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("per_stratum", sa.Integer(), nullable=False),
        sa.Column("drawn_by", sa.String(length=32), nullable=False),
        sa.Column("drawn_at", sa.BigInteger(), nullable=False),
        sa.Column("strata", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_samples_vma_week", "samples", ["vma", "week"], unique=False)
    op.create_table(
        "team_secrets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("recipient", sa.String(length=32), nullable=False),
        sa.Column("key_version", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.Column("posted_by", sa.String(length=32), nullable=False),
        sa.Column("posted_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("recipient", "key_version", name="uq_team_secrets_recipient_version"),
    )
    op.create_table(
        "users",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("revoked_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("name"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "escalations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("vma", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("urgency_rank", sa.Integer(), nullable=False),
        sa.Column("lane", sa.String(length=32), nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("age_seconds", sa.BigInteger(), nullable=False),
        sa.Column("raised_at", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("resolution", sa.String(length=32), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=32), nullable=True),
        sa.Column("acknowledged_at", sa.BigInteger(), nullable=True),
        sa.Column("resolved_by", sa.String(length=32), nullable=True),
        sa.Column("resolved_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id"),
    )
    op.create_index("ix_escalations_state", "escalations", ["state", "urgency_rank"], unique=False)
    op.create_index("ix_escalations_vma", "escalations", ["vma"], unique=False)
    op.create_table(
        "evidence_requests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("sample_id", sa.String(length=36), nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("vma", sa.String(length=32), nullable=False),
        sa.Column("requested_by", sa.String(length=32), nullable=False),
        sa.Column("requested_at", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["sample_id"],
            ["samples.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_evidence_vma", "evidence_requests", ["vma", "state"], unique=False)
    op.create_table(
        "item_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("vma", sa.String(length=32), nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("lane", sa.String(length=32), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("close_reason", sa.String(length=32), nullable=True),
        sa.Column("hold_reason", sa.String(length=32), nullable=True),
        sa.Column("seconds_from_due", sa.BigInteger(), nullable=False),
        sa.Column("attempt_count", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id"),
    )
    op.create_index("ix_item_events_pseudonym", "item_events", ["pseudonym"], unique=False)
    op.create_index(
        "ix_item_events_vma_received", "item_events", ["vma", "received_at"], unique=False
    )
    op.create_table(
        "sample_items",
        sa.Column("sample_id", sa.String(length=36), nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("lane", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sample_id"],
            ["samples.id"],
        ),
        sa.PrimaryKeyConstraint("sample_id", "pseudonym"),
    )
    op.create_table(
        "scores",
        sa.Column("sample_id", sa.String(length=36), nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("scored_by", sa.String(length=32), nullable=False),
        sa.Column("scored_at", sa.BigInteger(), nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=False),
        sa.Column("outcome_consistent", sa.Boolean(), nullable=False),
        sa.Column("documentation_complete", sa.Boolean(), nullable=False),
        sa.Column("escalation_warranted", sa.Boolean(), nullable=True),
        sa.Column("comment", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["sample_id"],
            ["samples.id"],
        ),
        sa.PrimaryKeyConstraint("sample_id", "pseudonym"),
    )
    op.create_table(
        "summaries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("vma", sa.String(length=32), nullable=False),
        sa.Column("interval_start", sa.BigInteger(), nullable=False),
        sa.Column("interval_end", sa.BigInteger(), nullable=False),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id"),
    )
    op.create_index("ix_summaries_vma_received", "summaries", ["vma", "received_at"], unique=False)


def downgrade() -> None:
    """Revert."""
    op.drop_index("ix_summaries_vma_received", table_name="summaries")
    op.drop_table("summaries")
    op.drop_table("scores")
    op.drop_table("sample_items")
    op.drop_index("ix_item_events_vma_received", table_name="item_events")
    op.drop_index("ix_item_events_pseudonym", table_name="item_events")
    op.drop_table("item_events")
    op.drop_index("ix_evidence_vma", table_name="evidence_requests")
    op.drop_table("evidence_requests")
    op.drop_index("ix_escalations_vma", table_name="escalations")
    op.drop_index("ix_escalations_state", table_name="escalations")
    op.drop_table("escalations")
    op.drop_table("users")
    op.drop_table("team_secrets")
    op.drop_index("ix_samples_vma_week", table_name="samples")
    op.drop_table("samples")
    op.drop_table("public_keys")
    op.drop_table("messages")
    op.drop_index("ix_handoffs_sender", table_name="handoffs")
    op.drop_index("ix_handoffs_receiver", table_name="handoffs")
    op.drop_table("handoffs")
    op.drop_index("ix_claims_holder", table_name="claims")
    op.drop_table("claims")
    op.drop_index("ix_claim_events_at", table_name="claim_events")
    op.drop_table("claim_events")
