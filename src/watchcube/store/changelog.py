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
