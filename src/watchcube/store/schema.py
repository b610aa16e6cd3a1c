"""The SQL schema (SQLAlchemy Core), shared by SQLite and PostgreSQL.

Every table is keyed by ``user_id`` first, so PostgreSQL can be distributed by user (Citus)
and every query a user makes touches one key range. Instants of watch records are integer
epoch microseconds (exact, portable, and loaded into Polars without parsing); bookkeeping
timestamps are aware UTC datetimes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    text,
)

from watchcube import defaults


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every backend (SQLite drops the zone; this puts it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        assert isinstance(moment, datetime)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

USER_ID = 128  # longest user id accepted

users = Table(
    "users",
    metadata,
    Column("user_id", String(USER_ID), primary_key=True),
    Column("timezone", String(64), nullable=False, server_default=defaults.TIMEZONE),
    Column(
        "session_gap_minutes",
        Integer,
        nullable=False,
        server_default=str(defaults.SESSION_GAP_MINUTES),
    ),
    # Bumped by every write in the write's own transaction; results carry the version
    # they were computed from.
    Column("data_version", BigInteger, nullable=False, server_default="0"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

watch_records = Table(
    "watch_records",
    metadata,
    Column("user_id", String(USER_ID), primary_key=True),
    # Identity: the second of the instant and ``v:<video id>`` or ``t:<sha256(title)>``.
    Column("watched_sec", BigInteger, primary_key=True),
    Column("ident", String(80), primary_key=True),
    Column("watched_at_us", BigInteger, nullable=False),
    Column("video_id", String(64)),
    Column("title", Text, nullable=False),
    Column("channel_id", String(64)),
    Column("channel_name", Text),
    Column("product", String(16), nullable=False),
    Column("topics", Text, nullable=False, server_default="[]"),  # JSON array of strings
    Column("is_ad", Boolean, nullable=False, server_default=text("false")),
    Column("duration_s", Float),
    # The data_version whose write inserted the record (incremental refresh reads it).
    Column("data_version", BigInteger, nullable=False),
    Index(None, "user_id", "watched_at_us"),
    Index(None, "user_id", "data_version"),  # the records a later write added (frame deltas)
)

precomputed_aggregations = Table(
    "precomputed_aggregations",
    metadata,
    Column("user_id", String(USER_ID), primary_key=True),
    Column("aggregation_type", String(40), primary_key=True),
    Column("filter_hash", String(64), primary_key=True),
    Column("filters", Text, nullable=False),  # canonical filters, JSON
    Column("data", Text, nullable=False),  # the result's ``data``, serialized JSON
    Column("computed_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime),
    Column("version", Integer, nullable=False),  # of the aggregation code (format)
    Column("data_version", BigInteger, nullable=False),
    Column("metadata", Text, nullable=False, server_default="{}"),  # record count, compute ms
    Index(None, "expires_at"),
)

data_change_log = Table(
    "data_change_log",
    metadata,
    Column("user_id", String(USER_ID), primary_key=True),
    # The data_version this change produced: unique per user, and its order.
    Column("data_version", BigInteger, primary_key=True),
    Column("change_type", String(16), nullable=False),  # insert | update | delete | settings
    Column("record_count", BigInteger, nullable=False),
    Column("min_watched_at_us", BigInteger),  # changed range (null: not record-bound)
    Column("max_watched_at_us", BigInteger),
    Column("created_at", UTCDateTime, nullable=False),
    Column("processed_at", UTCDateTime),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    Column("claimed_by", String(128)),
    Column("claimed_at", UTCDateTime),
    Column("retry_at", UTCDateTime),  # after a failure: not before this instant
    Index(None, "processed_at", "user_id"),
)

filter_registry = Table(
    "filter_registry",
    metadata,
    Column("user_id", String(USER_ID), primary_key=True),
    Column("filter_hash", String(64), primary_key=True),
    Column("filters", Text, nullable=False),
    Column("is_default", Boolean, nullable=False, server_default=text("false")),
    Column("hit_count", BigInteger, nullable=False, server_default="0"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_requested_at", UTCDateTime),
)
