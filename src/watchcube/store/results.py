"""L3: pre-computed results as rows of ``precomputed_aggregations``.

A row holds one (user, type, filter) result: its ``data`` as serialized JSON, the
``data_version`` it reflects, when it was computed and until when it may be served.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, and_, delete, func, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from watchcube.store.schema import precomputed_aggregations as results


@dataclass(frozen=True, slots=True)
class StoredResult:
    """One stored result; ``data`` and ``filters`` are serialized JSON."""

    user_id: str
    aggregation_type: str
    filter_hash: str
    filters: str
    data: str
    computed_at: datetime
    expires_at: datetime | None
    version: int
    data_version: int
    metadata: str = "{}"


def get_results(
    conn: Connection, user_id: str, filter_hash: str, types: Iterable[str]
) -> dict[str, StoredResult]:
    """The stored results of one filter for the given types (whatever their version)."""
    rows = conn.execute(
        select(results).where(
            results.c.user_id == user_id,
            results.c.filter_hash == filter_hash,
            results.c.aggregation_type.in_(list(types)),
        )
    ).all()
    return {row.aggregation_type: StoredResult(**row._mapping) for row in rows}


def put_results(conn: Connection, rows: Iterable[StoredResult]) -> None:
    """Insert or replace results (the newest computation of a key wins)."""
    values = [
        {
            "user_id": r.user_id,
            "aggregation_type": r.aggregation_type,
            "filter_hash": r.filter_hash,
            "filters": r.filters,
            "data": r.data,
            "computed_at": r.computed_at,
            "expires_at": r.expires_at,
            "version": r.version,
            "data_version": r.data_version,
            "metadata": r.metadata,
        }
        for r in rows
    ]
    if not values:
        return
    insert = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(results)
    keep = ("filters", "data", "computed_at", "expires_at", "version", "data_version", "metadata")
    statement = insert.on_conflict_do_update(
        index_elements=["user_id", "aggregation_type", "filter_hash"],
        set_={name: insert.excluded[name] for name in keep},
        # Never let a slower, older computation overwrite a newer one.
        where=results.c.data_version <= insert.excluded.data_version,
    )
    conn.execute(statement, values)


def carry_forward(
    conn: Connection,
    user_id: str,
    keys: Iterable[tuple[str, str]],
    from_version: int,
    to_version: int,
) -> int:
    """Mark results a change cannot affect as current for ``to_version`` (no recompute)."""
    pairs = list(keys)
    if not pairs:
        return 0
    result = conn.execute(
        update(results)
        .where(
            results.c.user_id == user_id,
            tuple_(results.c.aggregation_type, results.c.filter_hash).in_(pairs),
            results.c.data_version >= from_version,
            results.c.data_version < to_version,
        )
        .values(data_version=to_version)
    )
    return int(result.rowcount)


def delete_expired(conn: Connection, now: datetime | None = None) -> int:
    """Remove results past their ``expires_at`` (the hourly cleanup)."""
    moment = now or datetime.now(UTC)
    result = conn.execute(
        delete(results).where(
            and_(results.c.expires_at.is_not(None), results.c.expires_at < moment)
        )
    )
    return int(result.rowcount)


@dataclass(frozen=True, slots=True)
class ResultVersion:
    data_version: int
    version: int


def result_versions(conn: Connection, user_id: str) -> dict[tuple[str, str], ResultVersion]:
    """(type, filter_hash) -> the versions of every stored result of the user."""
    rows = conn.execute(
        select(
            results.c.aggregation_type,
            results.c.filter_hash,
            results.c.data_version,
            results.c.version,
        ).where(results.c.user_id == user_id)
    ).all()
    return {
        (row.aggregation_type, row.filter_hash): ResultVersion(row.data_version, row.version)
        for row in rows
    }


def sample_results(conn: Connection, user_id: str, limit: int | None) -> list[StoredResult]:
    """Stored results of a user (all, or ``limit`` of them picked at random)."""
    statement = select(results).where(results.c.user_id == user_id)
    if limit is not None:
        statement = statement.order_by(func.random()).limit(limit)
    return [StoredResult(**row._mapping) for row in conn.execute(statement)]
