"""An in-process LRU of prepared frames, bounded by their estimated memory.

Preparing a frame (loading the records, converting every instant to local time) costs far
more than computing all ten aggregations over it, so a process keeps the frames of its
recent users. A frame is only valid for one ``data_version``: storing a newer version of a
user drops the older ones at once. Concurrent requests for a missing frame prepare it once
(single flight per key); the others wait for it.

After a write, the missing frame is usually the cached one plus the records the write
inserted: when the loader can read just those (``inserted``), the cached frame is extended
(``extend``, milliseconds) instead of prepared again from every record.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import polars as pl

from watchcube.engine.frame import Frame
from watchcube.engine.preparation import extend, prepare

DEFAULT_MAX_BYTES: Final = 512 * 1024**2  # about two users with a million records each


@dataclass(frozen=True, slots=True)
class FrameKey:
    """What a prepared frame depends on."""

    user_id: str
    data_version: int
    timezone: str
    session_gap_minutes: int


# Reads the records of a key's version that a newer write inserted after the given
# version, or None when anything else changed the records meanwhile.
Inserted = Callable[[FrameKey, int], pl.DataFrame | None]


class FrameCache:
    """Thread-safe LRU of prepared frames.

    ``load`` reads all the records of a key's version; ``inserted``, when given, reads only
    those inserted after an older version, to extend that version's cached frame.
    """

    def __init__(
        self,
        load: Callable[[FrameKey], pl.DataFrame],
        max_bytes: int = DEFAULT_MAX_BYTES,
        *,
        inserted: Inserted | None = None,
    ) -> None:
        self._load = load
        self._inserted = inserted
        self.max_bytes = max_bytes
        self._frames: OrderedDict[FrameKey, Frame] = OrderedDict()
        self._sizes: dict[FrameKey, int] = {}
        self._flights: dict[FrameKey, threading.Lock] = {}
        self._lock = threading.Lock()
        self.hits = self.misses = self.extended = 0

    @property
    def bytes(self) -> int:
        """Estimated memory held by the cached frames."""
        with self._lock:
            return sum(self._sizes.values())

    def __len__(self) -> int:
        with self._lock:
            return len(self._frames)

    def get(self, key: FrameKey) -> Frame:
        """The prepared frame of ``key``, loading and preparing it on a miss."""
        with self._lock:
            if (frame := self._lookup(key)) is not None:
                return frame
            flight = self._flights.setdefault(key, threading.Lock())
        with flight:
            with self._lock:
                if (frame := self._lookup(key)) is not None:
                    return frame
                self.misses += 1
                base = self._base(key)
            try:
                frame = self._make(key, base)
                with self._lock:
                    self._store(key, frame)
            finally:
                with self._lock:
                    self._flights.pop(key, None)
        return frame

    def invalidate(self, user_id: str | None = None) -> None:
        """Forget the frames of one user (all users when ``None``)."""
        with self._lock:
            for key in [k for k in self._frames if user_id in (None, k.user_id)]:
                self._drop(key)

    def _make(self, key: FrameKey, base: tuple[FrameKey, Frame] | None) -> Frame:
        if base is not None and self._inserted is not None:
            delta = self._inserted(key, base[0].data_version)
            if delta is not None:
                with self._lock:
                    self.extended += 1
                return extend(base[1], delta)
        raw = self._load(key)
        return prepare(raw, timezone=key.timezone, session_gap_minutes=key.session_gap_minutes)

    def _base(self, key: FrameKey) -> tuple[FrameKey, Frame] | None:
        """The newest cached frame of an older version of ``key`` (same user and settings)."""
        older = [
            cached
            for cached in self._frames.items()
            if cached[0].data_version < key.data_version
            and (cached[0].user_id, cached[0].timezone, cached[0].session_gap_minutes)
            == (key.user_id, key.timezone, key.session_gap_minutes)
        ]
        return max(older, key=lambda cached: cached[0].data_version, default=None)

    def _lookup(self, key: FrameKey) -> Frame | None:
        frame = self._frames.get(key)
        if frame is not None:
            self._frames.move_to_end(key)
            self.hits += 1
        return frame

    def _store(self, key: FrameKey, frame: Frame) -> None:
        size = frame.estimated_bytes()
        for old in [k for k in self._frames if k.user_id == key.user_id]:
            if old.data_version < key.data_version:
                self._drop(old)
        if size > self.max_bytes or any(
            k.user_id == key.user_id and k.data_version > key.data_version for k in self._frames
        ):
            return  # too large to keep, or already outdated by a newer version
        self._frames[key] = frame
        self._sizes[key] = size
        while sum(self._sizes.values()) > self.max_bytes:
            self._drop(next(iter(self._frames)))

    def _drop(self, key: FrameKey) -> None:
        del self._frames[key]
        del self._sizes[key]
