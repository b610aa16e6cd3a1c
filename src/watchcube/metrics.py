"""Prometheus metrics of this process (served at ``/metrics``)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

registry = CollectorRegistry(auto_describe=True)

REQUEST_SECONDS = Histogram(
    "watchcube_request_seconds",
    "HTTP request latency by route template and status.",
    ["route", "method", "status"],
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=registry,
)
CACHE_LOOKUPS = Counter(
    "watchcube_cache_lookups_total",
    "Result lookups by cache layer (memory, redis, store) and outcome (hit, miss).",
    ["layer", "outcome"],
    registry=registry,
)
MEMORY_HITS = CACHE_LOOKUPS.labels("memory", "hit")  # the hot path's counter, resolved once
COMPUTE_SECONDS = Histogram(
    "watchcube_compute_seconds",
    "Time to compute one aggregation type from the frame.",
    ["type"],
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
    registry=registry,
)
RESULT_BYTES = Histogram(
    "watchcube_result_bytes",
    "Size of serialized results.",
    ["type"],
    buckets=(256, 1024, 4096, 16384, 65536, 262144, 1048576),
    registry=registry,
)
REDIS_ERRORS = Counter(
    "watchcube_redis_errors_total",
    "Redis operations that failed (the service carries on without Redis).",
    registry=registry,
)
REDIS_UP = Gauge(
    "watchcube_redis_up", "1 while Redis answers, 0 while degraded.", registry=registry
)
FRAMES_LOADED = Counter(
    "watchcube_frames_loaded_total",
    "User frames loaded from the database into memory.",
    registry=registry,
)
FRAME_LOAD_SECONDS = Histogram(
    "watchcube_frame_load_seconds",
    "Time to load and prepare one user's frame.",
    buckets=(0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=registry,
)
PENDING_CHANGES = Gauge(
    "watchcube_pending_changes", "Change-log rows not processed yet (all users).", registry=registry
)
FRESHNESS_LAG = Gauge(
    "watchcube_freshness_lag_seconds",
    "Age of the oldest unprocessed change (0 when all results are fresh).",
    registry=registry,
)
LAST_REFRESH = Gauge(
    "watchcube_last_refresh_timestamp_seconds",
    "Unix time of the last completed refresh in this process.",
    registry=registry,
)
REFRESH_SECONDS = Histogram(
    "watchcube_refresh_seconds",
    "Time to refresh one user's registered results after a batch of changes.",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=registry,
)
RESULTS_REFRESHED = Counter(
    "watchcube_results_refreshed_total",
    "Stored results brought up to date by workers: computed or carried forward.",
    ["how"],
    registry=registry,
)
