"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-29 09:21:43.423537
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "data_change_log",
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("data_version", sa.BigInteger(), nullable=False),
        sa.Column("change_type", sa.String(length=16), nullable=False),
        sa.Column("record_count", sa.BigInteger(), nullable=False),
        sa.Column("min_watched_at_us", sa.BigInteger(), nullable=True),
        sa.Column("max_watched_at_us", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("claimed_by", sa.String(length=128), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("user_id", "data_version", name=op.f("pk_data_change_log")),
    )
    with op.batch_alter_table("data_change_log", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_data_change_log_processed_at_user_id"),
            ["processed_at", "user_id"],
            unique=False,
        )

    op.create_table(
        "filter_registry",
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("filter_hash", sa.String(length=64), nullable=False),
        sa.Column("filters", sa.Text(), nullable=False),
        sa.Column("is_default", sa.Boolean(), server_default=sa.text("(false)"), nullable=False),
        sa.Column("hit_count", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("user_id", "filter_hash", name=op.f("pk_filter_registry")),
    )
    op.create_table(
        "precomputed_aggregations",
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("aggregation_type", sa.String(length=40), nullable=False),
        sa.Column("filter_hash", sa.String(length=64), nullable=False),
        sa.Column("filters", sa.Text(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("data_version", sa.BigInteger(), nullable=False),
        sa.Column("metadata", sa.Text(), server_default="{}", nullable=False),
        sa.PrimaryKeyConstraint(
            "user_id", "aggregation_type", "filter_hash", name=op.f("pk_precomputed_aggregations")
        ),
    )
    with op.batch_alter_table("precomputed_aggregations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_precomputed_aggregations_expires_at"), ["expires_at"], unique=False
        )

    op.create_table(
        "users",
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("timezone", sa.String(length=64), server_default="UTC", nullable=False),
        sa.Column("session_gap_minutes", sa.Integer(), server_default="30", nullable=False),
        sa.Column("data_version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_users")),
    )
    op.create_table(
        "watch_records",
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("watched_sec", sa.BigInteger(), nullable=False),
        sa.Column("ident", sa.String(length=80), nullable=False),
        sa.Column("watched_at_us", sa.BigInteger(), nullable=False),
        sa.Column("video_id", sa.String(length=64), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("channel_id", sa.String(length=64), nullable=True),
        sa.Column("channel_name", sa.Text(), nullable=True),
        sa.Column("product", sa.String(length=16), nullable=False),
        sa.Column("topics", sa.Text(), server_default="[]", nullable=False),
        sa.Column("is_ad", sa.Boolean(), server_default=sa.text("(false)"), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("data_version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "watched_sec", "ident", name=op.f("pk_watch_records")),
    )
    with op.batch_alter_table("watch_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_watch_records_user_id_watched_at_us"),
            ["user_id", "watched_at_us"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_watch_records_user_id_data_version"),
            ["user_id", "data_version"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("watch_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_watch_records_user_id_data_version"))
        batch_op.drop_index(batch_op.f("ix_watch_records_user_id_watched_at_us"))

    op.drop_table("watch_records")
    op.drop_table("users")
    with op.batch_alter_table("precomputed_aggregations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_precomputed_aggregations_expires_at"))

    op.drop_table("precomputed_aggregations")
    op.drop_table("filter_registry")
    with op.batch_alter_table("data_change_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_change_log_processed_at_user_id"))

    op.drop_table("data_change_log")
