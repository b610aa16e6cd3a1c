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

import numpy as np

from watchcube.engine.context import Context, Data, instant, ratio, tally_list
from watchcube.engine.frame import Array
from watchcube.engine.sessions import sessions
from watchcube.records import US_PER_SECOND

_ANY: Final = 1 << 62
BUCKETS: Final = (("1", 1, 1), ("2-3", 2, 3), ("4-6", 4, 6), ("7-10", 7, 10), ("11+", 11, _ANY))


def session_analysis(ctx: Context) -> Data:
    found = sessions(ctx)
    ts = ctx.array("ts")
    start, end = ts[found.start], ts[found.end]
    length = end - start
    sizes = found.videos
    count = len(sizes)
    longest = None
    if count:
        # Longest in time, then most videos, then earliest: lexsort's last key is primary.
        best = int(np.lexsort((np.arange(count), -sizes, -length))[0])
        longest = {
            "start": instant(start[best]),
            "end": instant(end[best]),
            "videos": int(sizes[best]),
        }
    return {
        "sessions": count,
        "avg_videos_per_session": ratio(ctx.total, count, 2),
        "median_videos_per_session": _median(sizes),
        "avg_session_minutes": ratio(int(length.sum()), count * 60 * US_PER_SECOND, 2),
        "longest_session": longest,
        "histogram": [
            {"bucket": name, "sessions": int(np.count_nonzero((sizes >= low) & (sizes <= high)))}
            for name, low, high in BUCKETS
        ],
        "by_start_hour": tally_list(ctx.array("hour")[found.start], 24),
    }


def _median(sizes: Array) -> float:
    """The middle size, or the mean of the two middle ones; 0.0 without sessions."""
    if len(sizes) == 0:
        return 0.0
    middle = len(sizes) // 2
    ordered = np.partition(sizes, [middle - 1, middle] if len(sizes) > 1 else [middle])
    if len(sizes) % 2:
        return float(ordered[middle])
    return round((int(ordered[middle - 1]) + int(ordered[middle])) / 2, 2)
