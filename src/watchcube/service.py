"""The running service: one database, the cache layers and the engine, behind one object.

The API, the worker, ``watchcube query`` and the SDK's local fallback all go through
``Service``; none of them touches SQL, Redis or Polars directly. Reads go through the
layered cache (``cache/layered.py``); writes go to the store and announce the user's new
``data_version`` so no process serves the old one as current.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import polars as pl

from watchcube import metrics
from watchcube.cache.layered import Query, ResultCache, Served
from watchcube.config import Settings
from watchcube.engine import TYPES, Frame, FrameCache, FrameKey
from watchcube.errors import InvalidFilter, NotFound
from watchcube.importer import ImportSummary, import_file
from watchcube.records import US_PER_SECOND, Record, sort_raw
from watchcube.store import records as record_store
from watchcube.store import registry
from watchcube.store.changelog import changes_between, freshness
from watchcube.store.db import Database, open_database
from watchcube.store.users import User, change_settings, get_user, require_user, users_by_id

log = logging.getLogger(__name__)
_INVALIDATE = "invalidate"
# Changes after which the next frame is the previous one plus the records they inserted
# (a settings change leaves the records as they are).
_APPENDING = frozenset({"insert", "settings"})
_REQUESTS_BATCH = 1000  # distinct filters counted in memory before a forced registry write

__all__ = ["Query", "Served", "Service"]


@dataclass(frozen=True, slots=True)
class _UserState:
    user: User
    checked_at: float  # when the version was read
    seen_at: float  # when a request last asked for the user


class _FrameMoved(Exception):
    """The user's data changed while their frame was loading; load again."""


class Service:
    """Everything a watchcube process needs, created once per process."""

    def __init__(self, settings: Settings, db: Database | None = None) -> None:
        self.settings = settings
        self.db = db or open_database(settings.database_url)
        self.frames = FrameCache(
            self._load_raw, settings.frame_cache_bytes, inserted=self._load_inserted
        )
        self.cache = ResultCache(settings, self.db, self.frame_for)
        self.changed = threading.Event()  # set by every write: wakes an embedded worker
        self._users: dict[str, _UserState] = {}
        # The last raw frame of recent users, so a write only reads the records it added.
        self._raws: OrderedDict[str, tuple[int, pl.DataFrame]] = OrderedDict()
        self._raw_lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        # Requests per (user, filter) not yet written to the registry.
        self._requests: dict[tuple[str, str], tuple[str, int]] = {}
        self._requests_lock = threading.Lock()
        self._closing = threading.Event()

    @property
    def memory(self) -> Any:
        return self.cache.memory

    @property
    def redis(self) -> Any:
        return self.cache.redis

    # -- users ---------------------------------------------------------------------------

    def user(self, user_id: str, *, fresh: bool = False) -> User:
        """The user's settings and data_version, re-read at most every few hundred ms."""
        state = self._users.get(user_id)
        if (
            fresh
            or state is None
            or time.monotonic() - state.checked_at > self.settings.version_max_age_seconds
        ):
            with self.db.read() as conn:
                user = require_user(conn, user_id)
            self._remember(user)
            return user
        return state.user

    def _remember(self, user: User, seen_at: float | None = None) -> None:
        previous = self._users.get(user.user_id)
        now = time.monotonic()
        self._users[user.user_id] = _UserState(user, now, now if seen_at is None else seen_at)
        if previous is not None and previous.user.data_version != user.data_version:
            self.cache.memory.drop_prefix(self.cache.prefix(user.user_id))

    def written(self, user: User) -> None:
        """A write committed: serve the new version at once here, and tell other processes."""
        self._remember(user)
        self.changed.set()
        if self.cache.redis is not None:
            self.cache.redis.publish(
                f"{self.settings.redis_prefix}:{_INVALIDATE}",
                orjson.dumps([user.user_id, user.data_version]),
            )

    # -- reads ---------------------------------------------------------------------------

    def known_version(self, user_id: str) -> int | None:
        """The user's data_version when this process knows it recently enough (no I/O)."""
        state = self._users.get(user_id)
        if state is None:
            return None
        now = time.monotonic()
        if now - state.checked_at > self.settings.version_max_age_seconds:
            return None
        if now - state.seen_at > 1.0:
            self._users[user_id] = _UserState(state.user, state.checked_at, now)
        return state.user.data_version

    def memory_hits(
        self, user_id: str, query: Query, types: Sequence[str]
    ) -> dict[str, Served] | None:
        """All of ``types`` from memory, or None: the event-loop fast path (no I/O at all)."""
        version = self.known_version(user_id)
        if version is None:
            return None
        found = self.cache.from_memory(user_id, version, query, types)
        if len(found) != len(types):
            return None
        metrics.MEMORY_HITS.inc(len(found))
        return found

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

        ``stale_ok`` accepts a stored result of an older data version, flagged stale, and
        leaves its refresh to the worker (the filter is registered by this request).
        """
        for name in types:
            if name not in TYPES:
                raise NotFound(f"no aggregation type {name!r} (known: {', '.join(TYPES)})")
        user = self.user(user_id)
        if live:
            return self.cache.live(user, query, types)
        self._note_request(user_id, query)
        return self.cache.read(user, query, types, stale_ok=stale_ok)

    def _note_request(self, user_id: str, query: Query) -> None:
        """Count a request for the filter registry; written in batches, off the request."""
        with self._requests_lock:
            key = (user_id, query.filter_hash)
            text, hits = self._requests.get(key, (query.canonical.decode(), 0))
            self._requests[key] = (text, hits + 1)
            full = len(self._requests) >= _REQUESTS_BATCH
        if full or not self._threads:
            self.flush_requests()

    def flush_requests(self) -> None:
        """Write the counted requests to the filter registry in one transaction."""
        with self._requests_lock:
            pending, self._requests = self._requests, {}
        if not pending:
            return
        with self.db.write() as conn:
            for (user_id, filter_hash), (text, hits) in pending.items():
                registry.touch(conn, user_id, filter_hash, text, hits)

    # -- frames --------------------------------------------------------------------------

    def frame(self, user: User) -> Frame:
        """The user's prepared frame for exactly this version and these settings."""
        return self.frames.get(
            FrameKey(
                user.user_id,
                user.data_version,
                user.settings.timezone,
                user.settings.session_gap_minutes,
            )
        )

    def frame_for(self, user: User) -> tuple[User, Frame]:
        """A frame for ``user`` or, if their data moved on meanwhile, for the newer version."""
        for _attempt in range(5):
            try:
                return user, self.frame(user)
            except _FrameMoved:
                user = self.user(user.user_id, fresh=True)
        return user, self.frame(user)

    def _load_raw(self, key: FrameKey) -> pl.DataFrame:
        """All the records of ``key``'s version: the last raw frame plus the records
        inserted since (when only inserts happened), else a full read."""
        version = key.data_version
        with self._raw_lock:
            kept = self._raws.get(key.user_id)
        if (
            kept is not None
            and kept[0] <= version
            and self._only_appends(key.user_id, kept[0], version)
        ):
            raw = _append(kept[1], self._read(key, after=kept[0]))
        else:
            raw = self._read(key)
        with self._raw_lock:
            self._raws[key.user_id] = (version, raw)
            self._raws.move_to_end(key.user_id)
            while len(self._raws) > self.settings.raw_frames_kept:
                self._raws.popitem(last=False)
        return raw

    def _load_inserted(self, key: FrameKey, since: int) -> pl.DataFrame | None:
        """The records of ``key``'s version inserted after version ``since``, which extend
        the frame of ``since``; None when anything but inserts changed the records since."""
        if not self._only_appends(key.user_id, since, key.data_version):
            return None
        return self._read(key, after=since)

    def _read(self, key: FrameKey, *, after: int = 0) -> pl.DataFrame:
        """The records of ``key``'s version inserted after version ``after``.

        Records carry the version that inserted them, so reading ``data_version <= V`` gives
        exactly version V's records while new ones keep arriving; only a delete or update
        committed meanwhile (rare) makes the read retry.
        """
        started = time.perf_counter()
        version = key.data_version
        raw = record_store.read_frame(
            self.db, key.user_id, after_version=after, upto_version=version
        )
        latest = self.user(key.user_id, fresh=True).data_version
        if latest < version or not self._only_appends(key.user_id, version, latest):
            raise _FrameMoved
        metrics.FRAMES_LOADED.inc()
        metrics.FRAME_LOAD_SECONDS.observe(time.perf_counter() - started)
        return raw

    def _only_appends(self, user_id: str, after: int, upto: int) -> bool:
        """True when the user's records changed from ``after`` to ``upto`` only by inserts."""
        if after == upto:
            return True
        with self.db.read() as conn:
            since = changes_between(conn, user_id, after, upto)
        return len(since) == upto - after and all(c.change_type in _APPENDING for c in since)

    # -- writes --------------------------------------------------------------------------

    def add_records(self, user_id: str, records: Iterable[Record]) -> record_store.WriteResult:
        with self.db.write() as conn:
            result = record_store.write_records(
                conn, user_id, records, batch_size=self.settings.import_batch_size
            )
            user = require_user(conn, user_id)
        self.written(user)
        return result

    def import_path(
        self, user_id: str, path: Path, *, timezone: str | None = None
    ) -> ImportSummary:
        summary = import_file(self.db, user_id, path, self.settings, timezone=timezone)
        self.written(self.user(user_id, fresh=True))
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

    # -- status --------------------------------------------------------------------------

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
        if self.cache.redis is not None:
            checks["redis"] = "ok" if self.cache.redis.ping() else "error: no answer"
        return checks

    def known_user(self, user_id: str) -> User | None:
        with self.db.read() as conn:
            return get_user(conn, user_id)

    # -- lifecycle -----------------------------------------------------------------------

    def start_listening(self) -> None:
        """Keep the versions of active users current in the background (a server process).

        Requests then never wait for a version check: a thread re-reads the versions of the
        users seen recently every ``version_max_age_seconds``, and with Redis, other
        processes' writes arrive at once over pub/sub.
        """
        if self._threads:
            return
        targets = [self._refresh_versions]
        if self.cache.redis is not None:
            targets.append(self._listen)
        for target in targets:
            thread = threading.Thread(
                target=target, name=f"watchcube{target.__name__}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def _refresh_versions(self) -> None:
        interval = self.settings.version_max_age_seconds or 0.5
        while not self._closing.wait(interval / 2):
            try:
                self.flush_requests()
            except Exception as exc:  # the counts are a hint: losing a batch is harmless
                log.warning("filter registry update failed: %s", exc)
            now = time.monotonic()
            active = [u for u, state in list(self._users.items()) if now - state.seen_at < 60]
            if not active:
                continue
            try:
                with self.db.read() as conn:
                    found = users_by_id(conn, active)
            except Exception as exc:
                log.warning("version refresh failed: %s", exc)
                continue
            for user in found:
                self._remember(user, seen_at=self._users[user.user_id].seen_at)

    def _listen(self) -> None:
        redis = self.cache.redis
        assert redis is not None
        channel = f"{self.settings.redis_prefix}:{_INVALIDATE}"
        while not self._closing.is_set():
            try:
                pubsub = redis.client.pubsub(  # type: ignore[no-untyped-call]
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
                            self.cache.memory.drop_prefix(self.cache.prefix(user_id))
                            self.changed.set()
            except Exception as exc:
                log.warning("invalidation listener: %s; retrying", exc)
                self._closing.wait(1.0)

    def close(self) -> None:
        self._closing.set()
        for thread in self._threads:
            thread.join(timeout=3)
        self.flush_requests()
        self.cache.close()
        self.db.dispose()


def _append(frame: pl.DataFrame, delta: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with ``delta``'s records, in history order (no sort when they are newer)."""
    if delta.is_empty():
        return frame
    combined = pl.concat([frame, delta], rechunk=True)
    if frame.is_empty() or delta["watched_at"].min() > frame["watched_at"].max():  # type: ignore[operator]
        return combined
    return sort_raw(combined)


def _local_midnight_us(day: date, zone: ZoneInfo) -> int:
    moment = datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)
    return int(moment.timestamp()) * US_PER_SECOND
