"""The layered read: memory (L1) -> Redis (L2) -> stored results (L3) -> compute.

Every key carries the user's ``data_version``, so a result of older data is never served as
fresh. A stored result of an older version is brought up to date on read: carried forward
when no change since its version can affect it (the scheduler's rule), else recomputed;
``stale_ok`` serves it as it is, flagged. Identical misses compute once: a single flight in
the process and a short Redis lock across processes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import orjson

from watchcube import metrics
from watchcube.cache.memory import MemoryCache
from watchcube.cache.redis import RedisCache, user_prefix
from watchcube.cache.singleflight import SingleFlight
from watchcube.config import Settings
from watchcube.engine import TYPES, Context, Frame
from watchcube.filters import Filters
from watchcube.records import US_PER_SECOND, format_instant
from watchcube.refresh.scheduler import instant_range, unaffected
from watchcube.store import results as result_store
from watchcube.store.changelog import changes_between
from watchcube.store.db import Database
from watchcube.store.users import User

# Version of the results' format: bump when any type's data changes shape or meaning, and
# every stored result of the old format stops being served.
RESULT_VERSION = 1
_LOCK_SECONDS = 30.0  # a cross-process compute lock outlives no stuck computation longer
_LOCK_WAIT_SECONDS = 5.0  # how long a second process waits for the first one's result


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed filter with its serialized canonical form and hash, reused per request."""

    filters: Filters
    canonical: bytes
    filter_hash: str

    @classmethod
    def of(cls, filters: Filters) -> Query:
        canonical = orjson.dumps(filters.canonical(), option=orjson.OPT_SORT_KEYS)
        return cls(filters, canonical, filters.filter_hash())


@dataclass(frozen=True, slots=True)
class Served:
    """One result ready to send: the envelope bytes and where they came from."""

    type: str
    body: bytes
    layer: str  # memory | redis | store | computed | live
    data_version: int
    filter_hash: str
    compute_ms: float = 0.0
    stale: bool = False

    @property
    def etag(self) -> str:
        return f'"{self.filter_hash[:20]}.{self.type}.{self.data_version}.{RESULT_VERSION}"'


def envelope(
    user_id: str,
    aggregation_type: str,
    query: Query,
    data: bytes,
    computed_at: datetime,
    expires_at: datetime | None,
    data_version: int,
    stale: bool = False,
) -> bytes:
    """The DESIGN.md envelope, assembled around already serialized ``filters`` and ``data``."""
    head = orjson.dumps(
        {
            "user_id": user_id,
            "type": aggregation_type,
            "filter_hash": query.filter_hash,
            "computed_at": format_instant(_us(computed_at)),
            "expires_at": None if expires_at is None else format_instant(_us(expires_at)),
            "data_version": data_version,
            "version": RESULT_VERSION,
            "stale": stale,
        }
    )
    return head[:-1] + b',"filters":' + query.canonical + b',"data":' + data + b"}"


def _us(moment: datetime) -> int:
    return int(moment.timestamp()) * US_PER_SECOND + moment.microsecond


FrameFor = Callable[[User], tuple[User, Frame]]


class ResultCache:
    """Reads and writes results through every layer for one process."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        frame_for: FrameFor,
    ) -> None:
        self.settings = settings
        self.db = db
        self.memory = MemoryCache(settings.memory_cache_bytes)
        self.redis = RedisCache(settings.redis_url) if settings.redis_url else None
        self._frame_for = frame_for
        self._flight: SingleFlight[dict[str, Served]] = SingleFlight()

    def prefix(self, user_id: str) -> str:
        return user_prefix(self.settings.redis_prefix, user_id)

    def key(self, user_id: str, version: int, aggregation_type: str, filter_hash: str) -> str:
        prefix = self.prefix(user_id)
        return f"{prefix}r:{version}:{RESULT_VERSION}:{aggregation_type}:{filter_hash}"

    def bundle_key(self, user_id: str, version: int, filter_hash: str, types: Sequence[str]) -> str:
        """Where a whole dashboard response (several current results) is kept in memory."""
        names = ",".join(types)
        return f"{self.prefix(user_id)}b:{version}:{RESULT_VERSION}:{filter_hash}:{names}"

    # -- reading -------------------------------------------------------------------------

    def from_memory(
        self, user_id: str, version: int, query: Query, types: Sequence[str]
    ) -> dict[str, Served]:
        found: dict[str, Served] = {}
        for name in types:
            body = self.memory.get(self.key(user_id, version, name, query.filter_hash))
            if body is not None:
                found[name] = Served(name, body, "memory", version, query.filter_hash)
        return found

    def read(
        self, user: User, query: Query, types: Sequence[str], *, stale_ok: bool = False
    ) -> dict[str, Served]:
        """Every type from the fastest layer that has it for ``user``'s current version."""
        found = self.from_memory(user.user_id, user.data_version, query, types)
        metrics.CACHE_LOOKUPS.labels("memory", "hit").inc(len(found))
        rest = [name for name in types if name not in found]
        if not rest:
            return found
        metrics.CACHE_LOOKUPS.labels("memory", "miss").inc(len(rest))
        for layer in (self._from_redis, self._from_store):
            found.update(layer(user, query, rest, stale_ok))
            rest = [name for name in types if name not in found]
            if not rest:
                return found
        flight = (user.user_id, user.data_version, query.filter_hash, tuple(rest))
        found.update(self._flight.run(flight, lambda: self._compute_shared(user, query, rest)))
        return found

    def _from_redis(
        self, user: User, query: Query, types: list[str], _stale_ok: bool
    ) -> dict[str, Served]:
        if self.redis is None or not self.redis.available:
            return {}
        found: dict[str, Served] = {}
        for name in types:
            key = self.key(user.user_id, user.data_version, name, query.filter_hash)
            body = self.redis.get(key)
            if body is not None:
                found[name] = Served(name, body, "redis", user.data_version, query.filter_hash)
                self.memory.set(key, body, self.settings.ttl_for(name))
        metrics.CACHE_LOOKUPS.labels("redis", "hit").inc(len(found))
        metrics.CACHE_LOOKUPS.labels("redis", "miss").inc(len(types) - len(found))
        return found

    def _from_store(
        self, user: User, query: Query, types: list[str], stale_ok: bool
    ) -> dict[str, Served]:
        version = user.data_version
        with self.db.read() as conn:
            rows = result_store.get_results(conn, user.user_id, query.filter_hash, types)
            now = datetime.now(UTC)
            usable = {
                name: row
                for name, row in rows.items()
                if row.version == RESULT_VERSION
                and (row.expires_at is None or row.expires_at > now)
                and row.data_version <= version
            }
            oldest = min((row.data_version for row in usable.values()), default=version)
            changes = (
                changes_between(conn, user.user_id, oldest, version) if oldest < version else []
            )
        window = instant_range(query.filters, user.settings.timezone)
        gap = user.settings.session_gap_minutes
        found: dict[str, Served] = {}
        carried: list[tuple[str, str]] = []
        for name, row in usable.items():
            current = row.data_version == version
            if not current and unaffected(changes, row.data_version, version, name, window, gap):
                current = True
                carried.append((name, query.filter_hash))
            if not current and not stale_ok:
                continue
            served_version = version if current else row.data_version
            body = envelope(
                user.user_id,
                name,
                query,
                row.data.encode(),
                row.computed_at,
                row.expires_at,
                served_version,
                stale=not current,
            )
            found[name] = Served(
                name, body, "store", served_version, query.filter_hash, stale=not current
            )
            if current:
                self.publish(user.user_id, version, name, query.filter_hash, body)
        if carried:
            with self.db.write() as conn:
                result_store.carry_forward(conn, user.user_id, carried, oldest, version)
        metrics.CACHE_LOOKUPS.labels("store", "hit").inc(len(found))
        metrics.CACHE_LOOKUPS.labels("store", "miss").inc(len(types) - len(found))
        return found

    def publish(
        self, user_id: str, version: int, aggregation_type: str, filter_hash: str, body: bytes
    ) -> None:
        """Put a current result into L1 and L2."""
        key = self.key(user_id, version, aggregation_type, filter_hash)
        ttl = self.settings.ttl_for(aggregation_type)
        self.memory.set(key, body, ttl)
        if self.redis is not None:
            self.redis.set(key, body, ttl)

    # -- computing -----------------------------------------------------------------------

    def live(self, user: User, query: Query, types: Sequence[str]) -> dict[str, Served]:
        """Compute now from the frame, store nothing (the seed's ``live`` mode)."""
        user, frame = self._frame_for(user)
        served, _ = self.evaluate(user, frame, query, types, layer="live")
        return served

    def _compute_shared(self, user: User, query: Query, types: list[str]) -> dict[str, Served]:
        lock = f"{self.prefix(user.user_id)}lock:{user.data_version}:{query.filter_hash}"
        held = self.redis.acquire(lock, _LOCK_SECONDS) if self.redis is not None else None
        try:
            if held is False:
                waited = self._wait_for_other(user, query, types)
                if waited is not None:
                    return waited
            return self.compute(user, query, types)
        finally:
            if held and self.redis is not None:
                self.redis.release(lock)

    def _wait_for_other(
        self, user: User, query: Query, types: list[str]
    ) -> dict[str, Served] | None:
        """Another process computes this filter right now: wait for its result in L2."""
        deadline = time.monotonic() + _LOCK_WAIT_SECONDS
        while time.monotonic() < deadline:
            found = self._from_redis(user, query, types, False)
            if len(found) == len(types):
                return found
            time.sleep(0.01)
        return None

    def compute(self, user: User, query: Query, types: Sequence[str]) -> dict[str, Served]:
        """Compute, store (L3, then L2 and L1) and return the results of ``types``."""
        user, frame = self._frame_for(user)
        served, rows = self.evaluate(user, frame, query, types, layer="computed")
        with self.db.write() as conn:
            result_store.put_results(conn, rows)
        for name, item in served.items():
            self.publish(user.user_id, user.data_version, name, query.filter_hash, item.body)
        return served

    def evaluate(
        self,
        user: User,
        frame: Frame,
        query: Query,
        types: Sequence[str],
        *,
        layer: str,
    ) -> tuple[dict[str, Served], list[result_store.StoredResult]]:
        """The results of ``types`` over ``frame``, as envelopes and as rows to store."""
        context = Context(frame, query.filters)
        computed_at = datetime.now(UTC)
        served: dict[str, Served] = {}
        rows: list[result_store.StoredResult] = []
        for name in types:
            started = time.perf_counter()
            data = orjson.dumps(TYPES[name](context))
            elapsed = time.perf_counter() - started
            metrics.COMPUTE_SECONDS.labels(name).observe(elapsed)
            metrics.RESULT_BYTES.labels(name).observe(len(data))
            expires_at = computed_at + timedelta(seconds=self.settings.ttl_for(name))
            body = envelope(
                user.user_id, name, query, data, computed_at, expires_at, user.data_version
            )
            served[name] = Served(
                name, body, layer, user.data_version, query.filter_hash, elapsed * 1000
            )
            rows.append(
                result_store.StoredResult(
                    user_id=user.user_id,
                    aggregation_type=name,
                    filter_hash=query.filter_hash,
                    filters=query.canonical.decode(),
                    data=data.decode(),
                    computed_at=computed_at,
                    expires_at=expires_at,
                    version=RESULT_VERSION,
                    data_version=user.data_version,
                    metadata=orjson.dumps(
                        {"records": context.total, "compute_ms": round(elapsed * 1000, 3)}
                    ).decode(),
                )
            )
        return served, rows

    def close(self) -> None:
        if self.redis is not None:
            self.redis.close()
