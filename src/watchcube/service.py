"""The running service: one database, the cache layers and the engine, behind one object.

The API, the worker, ``watchcube query`` and the SDK's local fallback all go through
``Service``; none of them touches SQL, Redis or Polars directly. A read asks the fastest
layer that has the result for the user's current ``data_version``: memory (L1), Redis (L2),
the stored results table (L3), and only then computes it from the user's frame, once, however
many requests arrive together.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import polars as pl

from watchcube import metrics
from watchcube.cache.memory import MemoryCache
from watchcube.cache.redis import RedisCache, user_prefix
from watchcube.cache.singleflight import SingleFlight
from watchcube.config import Settings
from watchcube.engine import TYPES, Context, Frame, FrameCache, FrameKey
from watchcube.errors import InvalidFilter, NotFound
from watchcube.filters import Filters
from watchcube.importer import ImportSummary, import_file
from watchcube.records import US_PER_SECOND, Record, format_instant
from watchcube.store import records as record_store
from watchcube.store import results as result_store
from watchcube.store.changelog import freshness
from watchcube.store.db import Database, open_database
from watchcube.store.users import User, change_settings, get_user, require_user

log = logging.getLogger(__name__)
LAYERS = ("memory", "redis", "store", "computed", "live")
# Version of the results' format: bump when any type's data changes shape or meaning, and
# every stored result of the old format stops being served.
RESULT_VERSION = 1
_INVALIDATE = "invalidate"


@dataclass(frozen=True, slots=True)
class Served:
    """One result ready to send: the envelope bytes and where they came from."""

    type: str
    body: bytes
    layer: str
    data_version: int
    filter_hash: str
    compute_ms: float = 0.0
    stale: bool = False

    @property
    def etag(self) -> str:
        return f'"{self.filter_hash[:20]}.{self.type}.{self.data_version}.{RESULT_VERSION}"'


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed filter with its serialized canonical form and hash, reused per request."""

    filters: Filters
    canonical: bytes
    filter_hash: str

    @classmethod
    def of(cls, filters: Filters) -> Query:
        return cls(
            filters,
            orjson.dumps(filters.canonical(), option=orjson.OPT_SORT_KEYS),
            filters.filter_hash(),
        )


@dataclass(frozen=True, slots=True)
class _UserState:
    user: User
    checked_at: float


class _FrameMoved(Exception):
    """The user's data changed while their frame was loading; load again."""


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


class Service:
    """Everything a watchcube process needs, created once per process."""

    def __init__(self, settings: Settings, db: Database | None = None) -> None:
        self.settings = settings
        self.db = db or open_database(settings.database_url)
        self.memory = MemoryCache(settings.memory_cache_bytes)
        self.redis = RedisCache(settings.redis_url) if settings.redis_url else None
        self.frames = FrameCache(self._load_raw, settings.frame_cache_bytes)
        self._users: dict[str, _UserState] = {}
        self._flight: SingleFlight[dict[str, Served]] = SingleFlight()
        self._subscriber: threading.Thread | None = None
        self._closing = threading.Event()

    # -- keys ----------------------------------------------------------------------------

    def _prefix(self, user_id: str) -> str:
        return user_prefix(self.settings.redis_prefix, user_id)

    def _key(self, user_id: str, version: int, aggregation_type: str, filter_hash: str) -> str:
        return (
            f"{self._prefix(user_id)}r:{version}:{RESULT_VERSION}:{aggregation_type}:{filter_hash}"
        )

    # -- users ---------------------------------------------------------------------------

    def user(self, user_id: str, *, fresh: bool = False) -> User:
        """The user's settings and data_version, re-read at most every few hundred ms."""
        state = self._users.get(user_id)
        now = time.monotonic()
        if fresh or state is None or now - state.checked_at > self.settings.version_max_age_seconds:
            with self.db.read() as conn:
                user = require_user(conn, user_id)
            self._remember(user)
            return user
        return state.user

    def _remember(self, user: User) -> None:
        previous = self._users.get(user.user_id)
        self._users[user.user_id] = _UserState(user, time.monotonic())
        if previous is not None and previous.user.data_version != user.data_version:
            self.memory.drop_prefix(self._prefix(user.user_id))

    def written(self, user: User) -> None:
        """A write committed: serve the new version at once here, and tell other processes."""
        self._remember(user)
        if self.redis is not None:
            self.redis.publish(
                f"{self.settings.redis_prefix}:{_INVALIDATE}",
                orjson.dumps([user.user_id, user.data_version]),
            )

    # -- reads ---------------------------------------------------------------------------

    def memory_hits(
        self, user_id: str, query: Query, types: Sequence[str]
    ) -> dict[str, Served] | None:
        """All of ``types`` from memory, or None: the event-loop fast path (no I/O at all)."""
        state = self._users.get(user_id)
        if (
            state is None
            or time.monotonic() - state.checked_at > self.settings.version_max_age_seconds
        ):
            return None
        version = state.user.data_version
        served: dict[str, Served] = {}
        for name in types:
            body = self.memory.get(self._key(user_id, version, name, query.filter_hash))
            if body is None:
                return None
            served[name] = Served(name, body, "memory", version, query.filter_hash)
        metrics.CACHE_LOOKUPS.labels("memory", "hit").inc(len(served))
        return served

    def results(
        self,
        user_id: str,
        query: Query,
        types: Sequence[str],
        *,
        live: bool = False,
        stale_ok: bool = False,
    ) -> dict[str, Served]:
        """Envelopes of ``types`` for one filter, each from the fastest layer that has it.

        ``stale_ok`` accepts a stored result of an older data version, flagged stale,
        instead of computing the current one now.
        """
        for name in types:
            if name not in TYPES:
                raise NotFound(f"no aggregation type {name!r} (known: {', '.join(TYPES)})")
        user = self.user(user_id)
        if live:
            return self._compute(user, query, types, store=False)
        served: dict[str, Served] = {}
        missing: list[str] = []
        for name in types:
            body = self.memory.get(self._key(user_id, user.data_version, name, query.filter_hash))
            if body is None:
                missing.append(name)
            else:
                served[name] = Served(name, body, "memory", user.data_version, query.filter_hash)
        metrics.CACHE_LOOKUPS.labels("memory", "hit").inc(len(served))
        if missing:
            metrics.CACHE_LOOKUPS.labels("memory", "miss").inc(len(missing))
            served.update(self._slow_path(user, query, missing, stale_ok))
        return served

    def _slow_path(
        self, user: User, query: Query, types: list[str], stale_ok: bool
    ) -> dict[str, Served]:
        found = self._from_redis(user, query, types)
        rest = [name for name in types if name not in found]
        if rest:
            found.update(self._from_store(user, query, rest, stale_ok))
            rest = [name for name in types if name not in found]
        if rest:
            key = (user.user_id, user.data_version, query.filter_hash, tuple(rest))
            found.update(self._flight.run(key, lambda: self._compute(user, query, rest)))
        return found

    def _from_redis(self, user: User, query: Query, types: list[str]) -> dict[str, Served]:
        if self.redis is None or not self.redis.available:
            return {}
        found: dict[str, Served] = {}
        for name in types:
            key = self._key(user.user_id, user.data_version, name, query.filter_hash)
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
        with self.db.read() as conn:
            rows = result_store.get_results(conn, user.user_id, query.filter_hash, types)
        now = datetime.now(UTC)
        found: dict[str, Served] = {}
        for name, row in rows.items():
            if row.version != RESULT_VERSION or (
                row.expires_at is not None and row.expires_at <= now
            ):
                continue
            current = row.data_version == user.data_version
            if not current and not stale_ok:
                continue
            body = envelope(
                user.user_id,
                name,
                query,
                row.data.encode(),
                row.computed_at,
                row.expires_at,
                row.data_version,
                stale=not current,
            )
            found[name] = Served(
                name, body, "store", row.data_version, query.filter_hash, stale=not current
            )
            if current:
                self._cache(user, name, query, body)
        metrics.CACHE_LOOKUPS.labels("store", "hit").inc(len(found))
        metrics.CACHE_LOOKUPS.labels("store", "miss").inc(len(types) - len(found))
        return found

    def _cache(self, user: User, name: str, query: Query, body: bytes) -> None:
        key = self._key(user.user_id, user.data_version, name, query.filter_hash)
        ttl = self.settings.ttl_for(name)
        self.memory.set(key, body, ttl)
        if self.redis is not None:
            self.redis.set(key, body, ttl)

    # -- computing -----------------------------------------------------------------------

    def frame(self, user: User) -> Frame:
        """The user's prepared frame for their current version and settings."""
        return self.frames.get(
            FrameKey(
                user.user_id,
                user.data_version,
                user.settings.timezone,
                user.settings.session_gap_minutes,
            )
        )

    def _load_raw(self, key: FrameKey) -> pl.DataFrame:
        started = time.perf_counter()
        raw = record_store.read_frame(self.db, key.user_id)
        # The version is bumped in every write's own transaction: unchanged after the read
        # means the frame holds exactly that version's records.
        if self.user(key.user_id, fresh=True).data_version != key.data_version:
            raise _FrameMoved
        metrics.FRAMES_LOADED.inc()
        metrics.FRAME_LOAD_SECONDS.observe(time.perf_counter() - started)
        return raw

    def _compute(
        self, user: User, query: Query, types: Sequence[str], *, store: bool = True
    ) -> dict[str, Served]:
        for _attempt in range(5):
            try:
                frame = self.frame(user)
                break
            except _FrameMoved:
                user = self.user(user.user_id, fresh=True)
        else:
            frame = self.frame(user)
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
            layer = "computed" if store else "live"
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
        if store:
            with self.db.write() as conn:
                result_store.put_results(conn, rows)
            for name, item in served.items():
                self._cache(user, name, query, item.body)
        return served

    # -- writes --------------------------------------------------------------------------

    def add_records(self, user_id: str, records: Iterable[Record]) -> record_store.WriteResult:
        with self.db.write() as conn:
            result = record_store.write_records(conn, user_id, records)
            user = require_user(conn, user_id)
        self.written(user)
        return result

    def import_path(
        self, user_id: str, path: Path, *, timezone: str | None = None
    ) -> ImportSummary:
        summary = import_file(self.db, user_id, path, self.settings, timezone=timezone)
        self.user(user_id, fresh=True)
        with self.db.read() as conn:
            self.written(require_user(conn, user_id))
        return summary

    def delete_records(
        self, user_id: str, start: date | None, end: date | None
    ) -> record_store.WriteResult:
        """Delete the user's records on local dates ``start..end`` (inclusive, open ends)."""
        if start and end and start > end:
            raise InvalidFilter(f"start: {start} is after end {end}")
        with self.db.write() as conn:
            zone = ZoneInfo(require_user(conn, user_id).settings.timezone)
            low = _local_midnight_us(start, zone) if start else None
            high = _local_midnight_us(end + timedelta(days=1), zone) if end else None
            result = record_store.delete_range(conn, user_id, low, high)
            user = require_user(conn, user_id)
        self.written(user)
        return result

    def change_settings(
        self, user_id: str, *, timezone: str | None, session_gap_minutes: int | None
    ) -> User:
        with self.db.write() as conn:
            user = change_settings(
                conn, user_id, timezone=timezone, session_gap_minutes=session_gap_minutes
            )
        self.written(user)
        return user

    def status(self, user_id: str) -> dict[str, Any]:
        """Data version, record count and how far pre-computed results lag behind."""
        with self.db.read() as conn:
            user = require_user(conn, user_id)
            return {
                "data_version": user.data_version,
                "records": record_store.count_records(conn, user_id),
                **freshness(conn, user_id),
            }

    def readiness(self) -> dict[str, str]:
        """What /readyz reports: each dependency ``ok``, ``disabled`` or the failure."""
        checks = {"database": "ok", "redis": "disabled"}
        try:
            with self.db.read() as conn:
                conn.exec_driver_sql("SELECT 1")
        except Exception as exc:
            checks["database"] = f"error: {exc}"
        if self.redis is not None:
            checks["redis"] = "ok" if self.redis.ping() else "error: no answer"
        return checks

    def known_user(self, user_id: str) -> User | None:
        with self.db.read() as conn:
            return get_user(conn, user_id)

    # -- lifecycle -----------------------------------------------------------------------

    def start_listening(self) -> None:
        """Drop other processes' dead versions from memory as their writes are announced."""
        if self.redis is None or self._subscriber is not None:
            return
        self._subscriber = threading.Thread(
            target=self._listen, name="watchcube-invalidations", daemon=True
        )
        self._subscriber.start()

    def _listen(self) -> None:
        assert self.redis is not None
        channel = f"{self.settings.redis_prefix}:{_INVALIDATE}"
        while not self._closing.is_set():
            try:
                pubsub = self.redis.client.pubsub(  # type: ignore[no-untyped-call]
                    ignore_subscribe_messages=True
                )
                pubsub.subscribe(channel)
                while not self._closing.is_set():
                    message = pubsub.get_message(timeout=0.2)
                    if message is not None:
                        user_id, version = orjson.loads(message["data"])
                        state = self._users.get(user_id)
                        if state is None or state.user.data_version < version:
                            self._users.pop(user_id, None)
                            self.memory.drop_prefix(self._prefix(user_id))
            except Exception as exc:
                log.warning("invalidation listener: %s; retrying", exc)
                self._closing.wait(1.0)

    def close(self) -> None:
        self._closing.set()
        if self._subscriber is not None:
            self._subscriber.join(timeout=3)
        if self.redis is not None:
            self.redis.close()
        self.db.dispose()


def _local_midnight_us(day: date, zone: ZoneInfo) -> int:
    moment = datetime(day.year, day.month, day.day, tzinfo=zone)
    return _us(moment.astimezone(UTC))
