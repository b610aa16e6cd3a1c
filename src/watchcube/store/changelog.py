"""The change log (outbox): one row per write, in the write's own transaction.

Background workers drain it to refresh pre-computed results; because the row commits with
the data, no change is lost when a process dies between writing and refreshing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection, delete, func, insert, or_, select, update

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
    if conn.dialect.name == "postgresql":
        # Delivered at commit: workers wake at once instead of at their next poll.
        conn.exec_driver_sql("SELECT pg_notify(%s, %s)", (NOTIFY_CHANNEL, user_id))


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


NOTIFY_CHANNEL = "watchcube_changes"


@dataclass(frozen=True, slots=True)
class Change:
    """One change-log row, as the scheduler sees it."""

    data_version: int
    change_type: str
    record_count: int
    min_watched_at_us: int | None
    max_watched_at_us: int | None


def _change(row: Any) -> Change:
    return Change(
        row.data_version,
        row.change_type,
        row.record_count,
        row.min_watched_at_us,
        row.max_watched_at_us,
    )


def changes_between(conn: Connection, user_id: str, after: int, upto: int) -> list[Change]:
    """Every change (processed or not) that took the user from ``after`` to ``upto``."""
    log = data_change_log.c
    rows = conn.execute(
        select(data_change_log)
        .where(log.user_id == user_id, log.data_version > after, log.data_version <= upto)
        .order_by(log.data_version)
    ).all()
    return [_change(row) for row in rows]


def users_with_pending(conn: Connection, limit: int = 100) -> list[str]:
    """Users with unprocessed changes that are due (not waiting out a retry back-off)."""
    log = data_change_log.c
    now = datetime.now(UTC)
    rows = conn.execute(
        select(log.user_id)
        .where(log.processed_at.is_(None), or_(log.retry_at.is_(None), log.retry_at <= now))
        .group_by(log.user_id)
        .order_by(func.min(log.created_at))
        .limit(limit)
    ).all()
    return [row.user_id for row in rows]


def claim_pending(conn: Connection, user_id: str, upto: int, worker: str) -> list[Change]:
    """Lock the user's unprocessed changes up to ``upto`` for this transaction.

    On PostgreSQL ``FOR UPDATE SKIP LOCKED`` leaves rows another worker holds to it; the
    locks end with the transaction, so a worker that dies releases its rows at once.
    """
    log = data_change_log.c
    statement = (
        select(data_change_log)
        .where(log.user_id == user_id, log.processed_at.is_(None), log.data_version <= upto)
        .order_by(log.data_version)
    )
    if conn.dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    rows = conn.execute(statement).all()
    if rows:
        conn.execute(
            update(data_change_log)
            .where(log.user_id == user_id, log.data_version.in_([r.data_version for r in rows]))
            .values(claimed_by=worker, claimed_at=datetime.now(UTC))
        )
    return [_change(row) for row in rows]


def mark_processed(conn: Connection, user_id: str, versions: list[int]) -> None:
    log = data_change_log.c
    conn.execute(
        update(data_change_log)
        .where(log.user_id == user_id, log.data_version.in_(versions))
        .values(processed_at=datetime.now(UTC), last_error=None, retry_at=None)
    )


def record_failure(
    conn: Connection, user_id: str, versions: list[int], error: str, backoff_seconds: float
) -> None:
    """Count a failed attempt and hold the rows back for ``backoff_seconds``."""
    log = data_change_log.c
    conn.execute(
        update(data_change_log)
        .where(log.user_id == user_id, log.data_version.in_(versions))
        .values(
            attempts=log.attempts + 1,
            last_error=error[:2000],
            retry_at=datetime.now(UTC) + timedelta(seconds=backoff_seconds),
        )
    )


def attempts_of(conn: Connection, user_id: str, versions: list[int]) -> int:
    log = data_change_log.c
    value = conn.execute(
        select(func.max(log.attempts)).where(log.user_id == user_id, log.data_version.in_(versions))
    ).scalar_one()
    return int(value or 0)


def delete_processed_before(conn: Connection, cutoff: datetime) -> int:
    """Forget processed changes older than ``cutoff`` (the cleanup's retention)."""
    log = data_change_log.c
    result = conn.execute(
        delete(data_change_log).where(log.processed_at.is_not(None), log.processed_at < cutoff)
    )
    return int(result.rowcount)


def total_pending(conn: Connection) -> tuple[int, float]:
    """All users' unprocessed changes, and the age in seconds of the oldest one."""
    log = data_change_log.c
    count, oldest = conn.execute(
        select(func.count(), func.min(log.created_at)).where(log.processed_at.is_(None))
    ).one()
    moment = _aware(oldest)
    lag = 0.0 if moment is None else max(0.0, (datetime.now(UTC) - moment).total_seconds())
    return int(count or 0), lag
