"""Sending gateway: the message outbox, inbound replies kept for review, campaign variables.

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

_MESSAGE_STATES = (
    "'queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'refused', 'uncertain'"
)


def _when(name: str, *, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _tenant() -> sa.Column[object]:
    return sa.Column(
        "institution_id",
        sa.Integer(),
        sa.ForeignKey("institutions.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
    )


def upgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(
            sa.Column("variables", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch.create_unique_constraint("uq_campaigns_institution_id_id", ["institution_id", "id"])
    _messages()
    _inbound_messages()


def _messages() -> None:
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        sa.Column("message_key", sa.String(64), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("template_version_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column("body_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("segments", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        _when("not_before", nullable=False),
        _when("lease_until"),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(32), nullable=True),
        sa.Column("provider_id", sa.String(128), nullable=True),
        sa.Column("log_index", sa.Integer(), nullable=True),
        _when("created_at", nullable=False),
        _when("sent_at"),
        _when("finished_at"),
        sa.ForeignKeyConstraint(
            ["institution_id", "campaign_id"],
            ["campaigns.institution_id", "campaigns.id"],
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["institution_id", "customer_id"],
            ["customers.institution_id", "customers.id"],
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["institution_id", "template_version_id"],
            ["template_versions.institution_id", "template_versions.id"],
            ondelete="RESTRICT",
        ),
        sa.UniqueConstraint("campaign_id", "customer_id"),
        sa.UniqueConstraint("message_key"),
        sa.CheckConstraint(f"state IN ({_MESSAGE_STATES})", name="state"),
        sa.CheckConstraint("attempts >= 0", name="attempts"),
    )
    op.create_index("ix_messages_due", "messages", ["state", "not_before"])
    op.create_index("ix_messages_campaign_state", "messages", ["campaign_id", "state"])
    op.create_index(
        "ix_messages_customer", "messages", ["institution_id", "customer_id", "sent_at"]
    )
    op.create_index("ix_messages_provider_id", "messages", ["provider", "provider_id"])


def _inbound_messages() -> None:
    op.create_table(
        "inbound_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("sender_index", sa.String(128), nullable=False),
        sa.Column("text_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("provider", sa.String(32), nullable=False),
        _when("received_at", nullable=False),
        _when("reviewed_at"),
        sa.CheckConstraint("kind IN ('opt_out', 'complaint', 'other')", name="kind"),
    )


def downgrade() -> None:
    op.drop_table("inbound_messages")
    op.drop_table("messages")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_constraint("uq_campaigns_institution_id_id", type_="unique")
        batch.drop_column("variables")
