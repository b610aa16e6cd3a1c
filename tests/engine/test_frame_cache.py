"""The frame cache: LRU by estimated bytes, newest data version only, one preparation per key,
and newer versions extended from the cached one when only inserts happened."""

from __future__ import annotations

import threading
import time

import polars as pl
import pytest

from tests.utils.factories import record
from watchcube.engine import FrameCache, FrameKey, compute, prepare, raw_frame_from_records
from watchcube.filters import Filters


def _raw(records: int) -> pl.DataFrame:
    return raw_frame_from_records(
        [record(f"2024-01-01T{m // 60:02d}:{m % 60:02d}:00", f"v{m}") for m in range(records)]
    )


def _key(user: str, version: int = 1, timezone: str = "UTC") -> FrameKey:
    return FrameKey(user, version, timezone, 30)


def test_a_hit_returns_the_same_prepared_frame() -> None:
    loads: list[FrameKey] = []

    def load(key: FrameKey) -> pl.DataFrame:
        loads.append(key)
        return _raw(10)

    cache = FrameCache(load)
    first = cache.get(_key("ann"))
    assert cache.get(_key("ann")) is first
    assert loads == [_key("ann")]
    assert (cache.hits, cache.misses) == (1, 1)
    assert cache.get(_key("ann", timezone="Europe/Berlin")) is not first
    assert len(cache) == 2


def test_the_least_recently_used_frame_goes_first_when_over_budget() -> None:
    size = FrameCache(lambda key: _raw(50)).get(_key("probe")).estimated_bytes()
    cache = FrameCache(lambda key: _raw(50), max_bytes=2 * size)
    cache.get(_key("ann"))
    cache.get(_key("bob"))
    cache.get(_key("ann"))  # ann is now the most recent
    cache.get(_key("cid"))
    assert cache.bytes <= 2 * size
    cache.get(_key("ann"))
    assert cache.hits == 2  # bob was evicted, ann never was
    assert cache.misses == 3


def test_a_newer_data_version_replaces_the_older_ones() -> None:
    cache = FrameCache(lambda key: _raw(5))
    cache.get(_key("ann", 1))
    cache.get(_key("ann", 1, "Europe/Berlin"))
    cache.get(_key("ann", 2))
    assert len(cache) == 1
    cache.get(_key("ann", 1))  # a late reader of an old version is served, not cached
    assert len(cache) == 1
    cache.invalidate("ann")
    assert len(cache) == 0


def test_a_frame_larger_than_the_budget_is_served_but_not_kept() -> None:
    cache = FrameCache(lambda key: _raw(5), max_bytes=1)
    assert cache.get(_key("ann")).height == 5
    assert len(cache) == 0


def test_concurrent_misses_prepare_a_frame_once() -> None:
    calls = 0

    def slow_load(key: FrameKey) -> pl.DataFrame:
        nonlocal calls
        calls += 1
        time.sleep(0.05)  # hold the flight so the others must wait on it
        return _raw(10)

    cache = FrameCache(slow_load)
    frames = []
    threads = [
        threading.Thread(target=lambda: frames.append(cache.get(_key("ann")))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert calls == 1
    assert len({id(frame) for frame in frames}) == 1 and len(frames) == 8


def test_a_failing_load_leaves_nothing_behind() -> None:
    def broken(key: FrameKey) -> pl.DataFrame:
        raise RuntimeError("database down")

    cache = FrameCache(broken)
    with pytest.raises(RuntimeError):
        cache.get(_key("ann"))
    assert len(cache) == 0


def test_a_newer_version_extends_the_cached_frame_by_the_records_inserted_since() -> None:
    records = [record(f"2024-01-01T00:{m:02d}:00", f"v{m}") for m in range(30)]
    loads: list[int] = []
    reads: list[tuple[int, int]] = []

    def load(key: FrameKey) -> pl.DataFrame:
        loads.append(key.data_version)
        return raw_frame_from_records(records[: 10 * key.data_version])

    def inserted(key: FrameKey, since: int) -> pl.DataFrame:
        reads.append((since, key.data_version))
        return raw_frame_from_records(records[10 * since : 10 * key.data_version])

    cache = FrameCache(load, inserted=inserted)
    cache.get(_key("ann", 1))
    cache.get(_key("ann", 1, "Europe/Berlin"))
    latest = cache.get(_key("ann", 3))
    assert loads == [1, 1] and reads == [(1, 3)] and cache.extended == 1
    whole = prepare(raw_frame_from_records(records), timezone="UTC", session_gap_minutes=30)
    assert compute(latest, Filters()) == compute(whole, Filters())
    assert len(cache) == 1  # version 3 replaced both frames of version 1
    cache.get(_key("ann", 3, "Europe/Berlin"))  # nothing of these settings to extend
    assert loads == [1, 1, 3]


def test_a_frame_is_prepared_from_every_record_when_not_only_inserts_happened() -> None:
    loads: list[int] = []

    def load(key: FrameKey) -> pl.DataFrame:
        loads.append(key.data_version)
        return _raw(5 * key.data_version)

    cache = FrameCache(load, inserted=lambda key, since: None)
    cache.get(_key("ann", 1))
    assert cache.get(_key("ann", 2)).height == 10
    assert loads == [1, 2] and cache.extended == 0
