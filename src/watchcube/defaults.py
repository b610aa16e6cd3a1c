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
# Frames (prepared columnar histories) held in each process; ~100 MB per million records.
FRAME_CACHE_BYTES = 2 * 1024**3
# How long a stored result may be served; versions, not time, decide freshness, so this
# only bounds how long unrequested results occupy storage.
RESULT_TTL_SECONDS = 7 * 86_400
# A process re-reads a user's data_version at least this often even without a change
# notice (writes through this process, and Redis notices from others, apply at once).
VERSION_MAX_AGE_SECONDS = 0.5
