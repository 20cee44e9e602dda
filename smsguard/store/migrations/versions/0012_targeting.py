"""Targeting: customer profiles, do-not-contact lists, campaign outcomes and frozen audiences
(docs/targeting.md).

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_CREDIT = ("A", "B", "C", "D", "E")
_INCOME = ("low", "lower-middle", "middle", "upper-middle", "high")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _institution() -> sa.Column[int]:
    return sa.Column(
        "institution_id",
        sa.Integer(),
        sa.ForeignKey("institutions.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
    )


def _customer_key() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["institution_id", "customer_id"],
        ["customers.institution_id", "customers.id"],
        ondelete="CASCADE",
    )


def _campaign_key() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["institution_id", "campaign_id"],
        ["campaigns.institution_id", "campaigns.id"],
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "customer_profiles",
        sa.Column("id", sa.Integer(), primary_key=True),
        _institution(),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("credit_band", sa.String(1), nullable=False),
        sa.Column("debt_ratio", sa.Float(), nullable=False),
        sa.Column("income_band", sa.String(16), nullable=False),
        sa.Column("product_interest", sa.String(32), nullable=True),
        sa.Column("region", sa.String(2), nullable=False),
        sa.Column("last_active_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("in_arrears", sa.Boolean(), nullable=False),
        sa.Column("declined_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _customer_key(),
        sa.UniqueConstraint("institution_id", "customer_id"),
        sa.CheckConstraint(_in("credit_band", _CREDIT), name="credit_band"),
        sa.CheckConstraint(_in("income_band", _INCOME), name="income_band"),
        sa.CheckConstraint("debt_ratio >= 0", name="debt_ratio"),
    )
    op.create_table(
        "do_not_contact",
        sa.Column("id", sa.Integer(), primary_key=True),
        _institution(),
        sa.Column("list_name", sa.String(64), nullable=False),
        sa.Column("phone_index", sa.String(128), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("added_by", sa.String(100), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("institution_id", "list_name", "phone_index"),
    )
    op.create_index("ix_do_not_contact_phone", "do_not_contact", ["institution_id", "phone_index"])
    op.create_table(
        "campaign_outcomes",
        sa.Column("id", sa.Integer(), primary_key=True),
        _institution(),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False, index=True),
        sa.Column("responded", sa.Boolean(), nullable=False),
        sa.Column("repaid", sa.Boolean(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        _customer_key(),
        _campaign_key(),
        sa.UniqueConstraint("institution_id", "campaign_id", "customer_id"),
    )
    op.create_table(
        "campaign_audiences",
        sa.Column("id", sa.Integer(), primary_key=True),
        _institution(),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("segment", sa.String(32), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        _customer_key(),
        _campaign_key(),
        sa.UniqueConstraint("institution_id", "campaign_id", "customer_id"),
    )
    # Recent-complaint exclusion: one look-up per candidate customer (targeting_models.py).
    op.create_index("ix_complaints_customer", "complaints", ["institution_id", "customer_id"])
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("audience_frozen_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("audience_size", sa.Integer()))
        batch.add_column(sa.Column("audience_digest", sa.String(64)))
        batch.add_column(sa.Column("audience_report", sa.JSON()))


def downgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        for column in ("audience_report", "audience_digest", "audience_size", "audience_frozen_at"):
            batch.drop_column(column)
    op.drop_index("ix_complaints_customer", table_name="complaints")
    for table in ("campaign_audiences", "campaign_outcomes", "do_not_contact", "customer_profiles"):
        op.drop_table(table)
