"""``session_analysis``: how many sessions, how long, how full, and when they start.

Decisions where DESIGN.md is silent:
- A session's length in time is its last instant minus its first (a one-video session
  lasts 0 minutes); ``avg_session_minutes`` is their exact sum over the session count in
  minutes, rounded once.
- ``median_videos_per_session`` is a float rounded to 2 places like the other averages.
- ``longest_session.start``/``end`` are the instants of its first and last record.
- ``by_start_hour`` counts sessions by the local hour of their first record.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from watchcube.engine.context import Context, Data, instant, ratio, tally
from watchcube.engine.sessions import sessions
from watchcube.records import US_PER_SECOND

BUCKETS: Final = (("1", 1, 1), ("2-3", 2, 3), ("4-6", 4, 6), ("7-10", 7, 10), ("11+", 11, None))


def session_analysis(ctx: Context) -> Data:
    table = sessions(ctx).table.with_columns(length=pl.col("end") - pl.col("start"))
    count = table.height
    sizes = table["videos"]
    return {
        "sessions": count,
        "avg_videos_per_session": ratio(ctx.total, count, 2),
        "median_videos_per_session": _median(sizes),
        "avg_session_minutes": ratio(int(table["length"].sum()), count * 60 * US_PER_SECOND, 2),
        "longest_session": _longest(table),
        "histogram": [
            {"bucket": name, "sessions": _count_between(sizes, low, high)}
            for name, low, high in BUCKETS
        ],
        "by_start_hour": tally(table["start_hour"], 24),
    }


def _median(sizes: pl.Series) -> float:
    """The middle size, or the mean of the two middle ones; 0.0 without sessions."""
    if sizes.is_empty():
        return 0.0
    ordered = sizes.sort()
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return round((int(ordered[middle - 1]) + int(ordered[middle])) / 2, 2)


def _longest(table: pl.DataFrame) -> Data | None:
    """Longest in time, then most videos, then earliest."""
    if table.is_empty():
        return None
    longest = table.filter(pl.col("length") == pl.col("length").max())
    fullest = longest.filter(pl.col("videos") == pl.col("videos").max()).row(0, named=True)
    return {
        "start": instant(fullest["start"]),
        "end": instant(fullest["end"]),
        "videos": fullest["videos"],
    }


def _count_between(sizes: pl.Series, low: int, high: int | None) -> int:
    inside = sizes >= low if high is None else sizes.is_between(low, high)
    return int(inside.sum())
