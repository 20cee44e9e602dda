"""Shared fraud indicators (docs/intel.md).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_KINDS = ("phone-hash", "url", "domain", "sms-fingerprint")
_STATUSES = ("candidate", "confirmed", "revoked")
_ORIGINS = ("complaint", "fraud_report", "analyst", "import")
_TLPS = ("clear", "green", "amber", "amber+strict", "red")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "intel_indicators",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "institution_id",
            sa.Integer(),
            sa.ForeignKey("institutions.id", ondelete="RESTRICT"),
            nullable=False,
            index=True,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.String(2048), nullable=False),
        sa.Column("epoch", sa.String(7), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("confidence", sa.Integer(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tlp", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("origin_ref", sa.String(64), nullable=True),
        sa.Column("peer", sa.String(64), nullable=True),
        sa.Column("created_by", sa.String(100), nullable=True),
        sa.Column("confirmed_by", sa.String(100), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(100), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("institution_id", "kind", "epoch", "value", "source"),
        sa.CheckConstraint(_in("kind", _KINDS), name="kind"),
        sa.CheckConstraint(_in("status", _STATUSES), name="status"),
        sa.CheckConstraint(_in("origin", _ORIGINS), name="origin"),
        sa.CheckConstraint(_in("tlp", _TLPS), name="tlp"),
        sa.CheckConstraint("confidence BETWEEN 0 AND 100", name="confidence"),
        sa.CheckConstraint("(kind = 'phone-hash') = (epoch <> '')", name="epoch"),
    )
    op.create_index(
        "ix_intel_indicators_modified", "intel_indicators", ["institution_id", "modified_at"]
    )
    op.create_index(
        "ix_intel_indicators_live", "intel_indicators", ["institution_id", "status", "expires_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_intel_indicators_live", table_name="intel_indicators")
    op.drop_index("ix_intel_indicators_modified", table_name="intel_indicators")
    op.drop_table("intel_indicators")
