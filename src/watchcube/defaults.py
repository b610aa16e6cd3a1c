"""Every default value of watchcube in one place, each with the reason it has that value."""

from __future__ import annotations

# SQLite file in the working directory: one person, one laptop, nothing to install.
DATABASE_URL = "sqlite:///./watchcube.db"
# Local time zone for users who never set one (DESIGN.md: default UTC).
TIMEZONE = "UTC"
# Two watches at most this far apart belong to one session (DESIGN.md: 30 minutes).
SESSION_GAP_MINUTES = 30
# Bounds for the session gap a user may choose: a minute up to a whole day.
SESSION_GAP_MIN, SESSION_GAP_MAX = 1, 24 * 60
# Estimated watch time of a record whose next record is further than the session gap.
FALLBACK_WATCH_SECONDS = 300
# Zone assumed for an ambiguous HTML abbreviation (IST, CST, ...) with no --timezone or
# user setting: UTC keeps the instant within a day of the truth and is announced by a warning.
AMBIGUOUS_ZONE_FALLBACK = "UTC"
# A Takeout zip may not expand past this many bytes (zip-bomb guard); real exports of
# watch history stay far below 2 GiB even for a decade of daily viewing.
ZIP_MAX_UNCOMPRESSED_BYTES = 2 * 1024**3
# A single member may not compress better than this ratio (zip-bomb guard).
ZIP_MAX_RATIO = 200
# Records written per database round trip during import.
IMPORT_BATCH_SIZE = 20_000
# Warnings kept verbatim in an import summary (the rest are only counted).
MAX_WARNING_MESSAGES = 20
# Largest upload accepted by the imports endpoint (a decade of history is ~100 MB zipped).
UPLOAD_MAX_BYTES = 512 * 1024**2
# Namespace of every Redis key, so several deployments can share one Redis.
REDIS_PREFIX = "wc"
# L1 budget: serialized results held in each process.
MEMORY_CACHE_BYTES = 256 * 1024**2
# Raw frames (records as read) kept for the most recent users, so that after a write only
# the new records are read; ~150 MB each at a million records.
RAW_FRAMES_KEPT = 4
# Frames (prepared columnar histories) held in each process; ~100 MB per million records.
FRAME_CACHE_BYTES = 2 * 1024**3
# How long a stored result may be served; versions, not time, decide freshness, so this
# only bounds how long unrequested results occupy storage.
RESULT_TTL_SECONDS = 7 * 86_400
# A process re-reads a user's data_version at least this often even without a change
# notice (writes through this process, and Redis notices from others, apply at once).
VERSION_MAX_AGE_SECONDS = 0.5
# A worker also looks for work this often without a change notice (seed: every 30 s).
WORKER_POLL_SECONDS = 30.0
# The cleanup of expired results, old change-log rows and cold filters (seed: hourly).
CLEANUP_INTERVAL_SECONDS = 3600.0
# Longest back-off between retries of a failing refresh.
RETRY_MAX_SECONDS = 300.0
# Processed change-log rows are kept this long (carry-forward reads them; older ones are
# missed and the result is recomputed instead).
CHANGE_RETENTION_SECONDS = 7 * 86_400
# A requested filter nobody asked for in this long stops being kept pre-computed.
REGISTRY_TTL_SECONDS = 30 * 86_400
