"""L1: results held in this process, bounded by bytes, least recently used out first.

Values are the pre-serialized response bodies, so a hit costs a dict lookup and a move to
the end of the LRU order: no serialization, no validation, no I/O.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Entry:
    body: bytes
    expires_at: float  # time.monotonic() deadline


class MemoryCache:
    """A byte-bounded LRU with per-entry TTL; safe to share between threads."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> bytes | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.expires_at <= time.monotonic():
                self._remove(key)
                return None
            self._entries.move_to_end(key)
            return entry.body

    def set(self, key: str, body: bytes, ttl_seconds: float) -> None:
        size = len(body) + len(key)
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._entries:
                self._remove(key)
            self._entries[key] = Entry(body, time.monotonic() + ttl_seconds)
            self.bytes += size
            while self.bytes > self.max_bytes:
                self._remove(next(iter(self._entries)))

    def drop_prefix(self, prefix: str) -> int:
        """Forget every entry whose key starts with ``prefix`` (a user's dead versions)."""
        with self._lock:
            doomed = [key for key in self._entries if key.startswith(prefix)]
            for key in doomed:
                self._remove(key)
            return len(doomed)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0

    def _remove(self, key: str) -> None:
        entry = self._entries.pop(key)
        self.bytes -= len(entry.body) + len(key)
