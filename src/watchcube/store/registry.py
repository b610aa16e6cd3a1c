"""The filter registry: which filter combinations are kept pre-computed for a user.

Defaults (all time, every year and quarter with data) plus the combinations users actually
requested, with a hit count and the last request; requested entries that go cold expire.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from watchcube.store.schema import filter_registry as registry


@dataclass(frozen=True, slots=True)
class Registered:
    filter_hash: str
    filters: str  # canonical JSON
    is_default: bool
    hit_count: int


def _insert(conn: Connection) -> postgresql.Insert | sqlite.Insert:
    if conn.dialect.name == "postgresql":
        return postgresql.insert(registry)
    return sqlite.insert(registry)


def touch(conn: Connection, user_id: str, filter_hash: str, filters: str, hits: int = 1) -> None:
    """Count ``hits`` requests of a filter (registering it on its first request)."""
    now = datetime.now(UTC)
    statement = _insert(conn).values(
        user_id=user_id,
        filter_hash=filter_hash,
        filters=filters,
        hit_count=hits,
        created_at=now,
        last_requested_at=now,
    )
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id", "filter_hash"],
            set_={"hit_count": registry.c.hit_count + hits, "last_requested_at": now},
        )
    )


def set_defaults(conn: Connection, user_id: str, defaults: dict[str, str]) -> None:
    """Make exactly ``defaults`` (hash -> canonical JSON) the user's default filters."""
    now = datetime.now(UTC)
    current = {
        row.filter_hash: row
        for row in conn.execute(select(registry).where(registry.c.user_id == user_id))
    }
    stale = [h for h, row in current.items() if row.is_default and h not in defaults]
    if stale:
        # Requested filters stay registered; defaults nobody asked for go.
        conn.execute(
            delete(registry).where(
                registry.c.user_id == user_id,
                registry.c.filter_hash.in_(stale),
                registry.c.hit_count == 0,
            )
        )
        conn.execute(
            update(registry)
            .where(registry.c.user_id == user_id, registry.c.filter_hash.in_(stale))
            .values(is_default=False)
        )
    fresh = [
        {
            "user_id": user_id,
            "filter_hash": h,
            "filters": text,
            "is_default": True,
            "hit_count": 0,
            "created_at": now,
        }
        for h, text in defaults.items()
        if h not in current or not current[h].is_default
    ]
    if fresh:
        statement = _insert(conn)
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=["user_id", "filter_hash"], set_={"is_default": True}
            ),
            fresh,
        )


def registered(conn: Connection, user_id: str) -> list[Registered]:
    """Every filter kept fresh for the user, defaults first, then by popularity."""
    rows = conn.execute(
        select(registry)
        .where(registry.c.user_id == user_id)
        .order_by(registry.c.is_default.desc(), registry.c.hit_count.desc(), registry.c.filter_hash)
    ).all()
    return [Registered(r.filter_hash, r.filters, bool(r.is_default), r.hit_count) for r in rows]


def expire_cold(conn: Connection, cutoff: datetime) -> int:
    """Forget requested (non-default) filters nobody asked for since ``cutoff``."""
    result = conn.execute(
        delete(registry).where(
            registry.c.is_default.is_(False),
            registry.c.last_requested_at < cutoff,
        )
    )
    return int(result.rowcount)
