"""The change log (outbox): one row per write, in the write's own transaction.

Background workers drain it to refresh pre-computed results; because the row commits with
the data, no change is lost when a process dies between writing and refreshing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import Connection, func, insert, select

from watchcube.store.schema import data_change_log

ChangeType = Literal["insert", "update", "delete", "settings"]


def append_change(
    conn: Connection,
    user_id: str,
    data_version: int,
    change_type: ChangeType,
    record_count: int,
    min_watched_at_us: int | None,
    max_watched_at_us: int | None,
) -> None:
    """Record one change; ``data_version`` is the version the change produced."""
    conn.execute(
        insert(data_change_log).values(
            user_id=user_id,
            data_version=data_version,
            change_type=change_type,
            record_count=record_count,
            min_watched_at_us=min_watched_at_us,
            max_watched_at_us=max_watched_at_us,
            created_at=datetime.now(UTC),
        )
    )


def pending_changes(conn: Connection, user_id: str) -> int:
    """How many changes of the user no worker has processed yet."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(data_change_log)
            .where(
                data_change_log.c.user_id == user_id,
                data_change_log.c.processed_at.is_(None),
            )
        ).scalar_one()
    )


def freshness(conn: Connection, user_id: str) -> dict[str, object]:
    """Pending count, last change, last refresh, and the age of the oldest pending change."""
    log = data_change_log.c
    row = conn.execute(
        select(
            func.count().filter(log.processed_at.is_(None)),
            func.max(log.created_at),
            func.max(log.processed_at),
            func.min(log.created_at).filter(log.processed_at.is_(None)),
        ).where(log.user_id == user_id)
    ).one()
    pending, last_change, last_refresh, oldest_pending = row
    oldest = _aware(oldest_pending)
    lag = 0.0 if oldest is None else max(0.0, (datetime.now(UTC) - oldest).total_seconds())
    return {
        "pending_changes": int(pending or 0),
        "last_change_at": _aware(last_change),
        "last_refresh_at": _aware(last_refresh),
        "freshness_lag_seconds": round(lag, 3),
    }


def _aware(value: datetime | str | None) -> datetime | None:
    # Aggregates lose the column type (SQLite returns text): restore aware UTC datetimes.
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
