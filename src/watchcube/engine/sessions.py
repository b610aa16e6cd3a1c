"""Sessions of R(f), and ``session_analysis``: how many, how long, how full, when.

A session is a maximal run of R(f) whose consecutive gaps are at most the session gap.
Sessions are built from R(f) alone (filtered-out records and, unless ``include_ads``, ads
belong to no session). R(f) is in time order, so a session starts wherever the gap to the
previous record exceeds the session gap (a gap exactly equal stays in the session), and
every per-session figure is a gather at the start and end positions: no grouping needed.

Decisions where DESIGN.md is silent:
- A session's length in time is its last instant minus its first (a one-video session
  lasts 0 minutes); ``avg_session_minutes`` is their exact sum over the session count in
  minutes, rounded once.
- ``median_videos_per_session`` is a float rounded to 2 places like the other averages.
- ``longest_session.start``/``end`` are the instants of its first and last record.
- ``by_start_hour`` counts sessions by the local hour of their first record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from watchcube.engine.context import Context, Data, instant, ratio, shared, tally_list
from watchcube.engine.frame import Array
from watchcube.records import US_PER_SECOND


@dataclass(frozen=True, slots=True)
class Sessions:
    """``ids``: the session number of each record of R(f). Per session, in time order:
    ``start``/``end`` (positions in R(f) of its first and last record) and ``videos``."""

    ids: Array
    start: Array
    end: Array

    @property
    def videos(self) -> Array:
        return self.end - self.start + 1


def sessionize(ts: Array, gap_us: int) -> Sessions:
    """Sessions of time-ordered instants ``ts`` (epoch microseconds)."""
    starts_here = np.empty(len(ts), np.bool_)
    starts_here[:1] = True
    np.greater(np.diff(ts), gap_us, out=starts_here[1:])
    start = np.flatnonzero(starts_here)
    end = np.empty_like(start)
    end[:-1] = start[1:] - 1
    end[-1:] = len(ts) - 1
    return Sessions(ids=np.cumsum(starts_here) - 1, start=start, end=end)


@shared
def sessions(ctx: Context) -> Sessions:
    """The sessions of R(f), shared by ``session_analysis`` and ``channel_relationships``."""
    return sessionize(ctx.array("ts"), ctx.frame.gap_us)


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
