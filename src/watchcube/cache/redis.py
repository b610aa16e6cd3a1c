"""L2: results shared between processes in Redis, and a service that may vanish.

Every key is hash-tagged by user (``wc:{alice}:...``) so a Redis Cluster keeps a user's
keys on one shard. Redis is an accelerator, never a dependency: any failure is logged once
per outage, counted, and answered as a miss; calls are skipped for a short back-off and
Redis is used again as soon as it answers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import redis

from watchcube import metrics

log = logging.getLogger(__name__)
T = TypeVar("T")


def user_prefix(prefix: str, user_id: str) -> str:
    """The hash-tagged key prefix of one user."""
    return f"{prefix}:{{{user_id}}}:"


class RedisCache:
    """A thin, failure-tolerant wrapper over one Redis client."""

    def __init__(self, url: str, *, timeout: float = 0.5, retry_after: float = 2.0) -> None:
        self.client: redis.Redis = redis.Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            health_check_interval=30,
        )
        self.retry_after = retry_after
        self._down_until = 0.0
        self._lock = threading.Lock()
        metrics.REDIS_UP.set(1)

    @property
    def available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _call(self, operation: Callable[[], T], default: T) -> T:
        if not self.available:
            return default
        try:
            result = operation()
        except (redis.RedisError, OSError) as exc:
            self._failed(exc)
            return default
        if self._down_until:
            with self._lock:
                if self._down_until:
                    log.warning("redis is back; using it again")
                    self._down_until = 0.0
                    metrics.REDIS_UP.set(1)
        return result

    def _failed(self, exc: BaseException) -> None:
        metrics.REDIS_ERRORS.inc()
        with self._lock:
            if not self._down_until:
                log.warning("redis failed (%s); serving without it", exc)
            self._down_until = time.monotonic() + self.retry_after
        metrics.REDIS_UP.set(0)

    def get(self, key: str) -> bytes | None:
        value: Any = self._call(lambda: self.client.get(key), None)
        return value if isinstance(value, bytes) else None

    def set(self, key: str, body: bytes, ttl_seconds: float) -> None:
        self._call(lambda: self.client.set(key, body, px=max(1, int(ttl_seconds * 1000))), None)

    def acquire(self, key: str, ttl_seconds: float) -> bool | None:
        """Try a short lock (SET NX PX). None means Redis is unavailable: go without it."""
        result: Any = self._call(
            lambda: self.client.set(key, b"1", nx=True, px=int(ttl_seconds * 1000)), None
        )
        return None if result is None and not self.available else bool(result)

    def release(self, key: str) -> None:
        self._call(lambda: self.client.delete(key), None)

    def publish(self, channel: str, message: bytes) -> None:
        self._call(lambda: self.client.publish(channel, message), None)

    def ping(self) -> bool:
        """Readiness probe: asks Redis now, even during a back-off."""
        try:
            return bool(self.client.ping())
        except (redis.RedisError, OSError):
            return False

    def close(self) -> None:
        self.client.close()
