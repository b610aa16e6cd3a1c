"""What a change can affect: the decision that lets unaffected results skip recomputation.

A change (insert, update, delete of records in an instant range, or a settings change) can
affect a (type, filter) result only if its type reads that kind of change and its filter's
local date range can see the changed instants. Estimated watch time reads the next record of
the whole history, so a change at instant t also reaches records up to one session gap
before t: the range that matters is ``[min - gap, max]``. Filters without a date range see
every change. Other filter parts (channels, topics, products) are not known for the changed
records, so they never rule a change out: the decision errs only towards recomputing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

import orjson

from watchcube.engine import TYPES, Context, Frame
from watchcube.filters import Filters
from watchcube.records import US_PER_SECOND
from watchcube.store.changelog import Change

ALL_TYPES: Final = frozenset(TYPES)
# Which types each kind of change can affect (the seed's mapping). Every type reads the
# records; a settings change moves local time or sessions, which every type reads too.
TYPES_BY_CHANGE: Final[dict[str, frozenset[str]]] = {
    "insert": ALL_TYPES,
    "update": ALL_TYPES,
    "delete": ALL_TYPES,
    "settings": ALL_TYPES,
}


def instant_range(filters: Filters, timezone: str) -> tuple[int | None, int | None]:
    """The filter's local dates as UTC instants: ``[start midnight, day after end)``."""
    zone = ZoneInfo(timezone)
    low = _midnight_us(filters.start, zone) if filters.start else None
    high = _midnight_us(filters.end + timedelta(days=1), zone) if filters.end else None
    return low, high


def _midnight_us(day: date, zone: ZoneInfo) -> int:
    moment = datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)
    return int(moment.timestamp()) * US_PER_SECOND


def affects(
    change: Change,
    aggregation_type: str,
    window: tuple[int | None, int | None],
    gap_minutes: int,
) -> bool:
    """Can ``change`` alter the result of ``aggregation_type`` over instants ``window``?"""
    if aggregation_type not in TYPES_BY_CHANGE.get(change.change_type, ALL_TYPES):
        return False
    if change.min_watched_at_us is None or change.max_watched_at_us is None:
        return True
    low, high = window
    reach = change.min_watched_at_us - gap_minutes * 60 * US_PER_SECOND
    return (high is None or reach < high) and (low is None or change.max_watched_at_us >= low)


def unaffected(
    changes: Sequence[Change],
    after: int,
    upto: int,
    aggregation_type: str,
    window: tuple[int | None, int | None],
    gap_minutes: int,
) -> bool:
    """True when no change from version ``after`` to ``upto`` can alter the result.

    Versions are gap-free, so a missing change (already cleaned up) is noticed and answered
    conservatively with False.
    """
    between = [c for c in changes if after < c.data_version <= upto]
    if len(between) != upto - after:
        return False
    return not any(affects(c, aggregation_type, window, gap_minutes) for c in between)


def default_filters(frame: Frame) -> dict[str, str]:
    """All time, each local year and each quarter with data: hash -> canonical JSON."""
    defaults = [Filters()]
    trend = TYPES["monthly_trend"](Context(frame, Filters()))
    months = [
        (int(row["month"][:4]), int(row["month"][5:7])) for row in trend["months"] if row["videos"]
    ]
    years = sorted({year for year, _ in months})
    quarters = sorted({(year, (month - 1) // 3 + 1) for year, month in months})
    for year in years:
        defaults.append(Filters(start=date(year, 1, 1), end=date(year, 12, 31)))
    for year, quarter in quarters:
        first = date(year, 3 * quarter - 2, 1)
        following = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
        defaults.append(Filters(start=first, end=following - timedelta(days=1)))
    return {f.filter_hash(): _canonical(f) for f in defaults}


def _canonical(filters: Filters) -> str:
    return orjson.dumps(filters.canonical(), option=orjson.OPT_SORT_KEYS).decode()
