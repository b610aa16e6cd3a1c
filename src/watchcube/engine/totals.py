"""``kpi`` and ``monthly_trend``: the headline totals, overall and per local month.

Both read the shared daily table (videos and estimated watch time per local day), so the
per-record work is done once for both.

Decisions where DESIGN.md is silent:
- ``longest_streak_days`` is the longest run of consecutive local calendar days with at
  least one record (0 for an empty R(f)).
- Estimated watch time is summed exactly in integer microseconds, then divided and rounded
  once.
- A month without records inside the range is a row of zeros (``est_watch_hours`` 0.0).
"""

from __future__ import annotations

import numpy as np

from watchcube.engine.channels import channel_counts
from watchcube.engine.context import Context, Data, days, instant, month_range, ratio
from watchcube.engine.counting import distinct_per_group
from watchcube.engine.frame import HOUR_US, Array, month_text


def kpi(ctx: Context) -> Data:
    daily = days(ctx)
    per_video = np.bincount(ctx.array("vid"), minlength=ctx.frame.videos + 1)
    unique_videos = int(np.count_nonzero(per_video[1:]))  # code 0: no video id
    ts = ctx.array("ts")
    return {
        "total_videos": ctx.total,
        "unique_videos": unique_videos,
        "unique_channels": len(channel_counts(ctx).codes),
        "active_days": len(daily.day),
        "first_watched_at": instant(ts[0] if ctx.total else None),
        "last_watched_at": instant(ts[-1] if ctx.total else None),
        "avg_videos_per_active_day": ratio(ctx.total, len(daily.day), 2),
        "est_watch_hours": ratio(int(daily.est.sum()), HOUR_US, 2),
        "longest_streak_days": _longest_run(daily.day),
        "rewatches": ctx.total - int(per_video[0]) - unique_videos,
    }


def monthly_trend(ctx: Context) -> Data:
    months = month_range(ctx)
    daily = days(ctx)
    first, span = (months[0], len(months)) if months else (0, 0)
    index = daily.month - first
    videos, est = np.zeros(span, np.int64), np.zeros(span, np.int64)
    np.add.at(videos, index, daily.videos)
    np.add.at(est, index, daily.est)
    active_days = np.bincount(index, minlength=span)
    known = len(ctx.frame.channel_ids)
    channels = distinct_per_group(
        ctx.array("month") - first, ctx.array("ch"), known + 1, groups=span, missing=known
    )
    return {
        "months": [
            {
                "month": month_text(first + i),
                "videos": int(videos[i]),
                "unique_channels": int(channels[i]),
                "active_days": int(active_days[i]),
                "est_watch_hours": ratio(int(est[i]), HOUR_US, 2),
            }
            for i in range(span)
        ]
    }


def _longest_run(day_numbers: Array) -> int:
    """Longest run of consecutive integers in an ascending array of distinct integers.

    Within a run ``day - position`` is constant, so the longest run is its most frequent value.
    """
    if len(day_numbers) == 0:
        return 0
    offsets = day_numbers - np.arange(len(day_numbers))
    breaks = np.flatnonzero(np.diff(offsets)) + 1
    return int(np.diff(breaks, prepend=0, append=len(offsets)).max())
