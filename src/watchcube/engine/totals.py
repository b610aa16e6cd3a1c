"""``kpi`` and ``monthly_trend``: the headline totals, overall and per local month.

Both read the shared daily table (videos and estimated watch time per local day), so the
per-record work is done once for both.

Decisions where DESIGN.md is silent:
- ``longest_streak_days`` is the longest run of consecutive local calendar days with at
  least one record (0 for an empty R(f)).
- Estimated watch time is summed exactly in microseconds, then divided and rounded once.
- A month without records inside the range is a row of zeros (``est_watch_hours`` 0.0).
"""

from __future__ import annotations

import polars as pl

from watchcube.engine.channels import channel_counts
from watchcube.engine.context import Context, Data, days, instant, month_range, ratio
from watchcube.engine.frame import HOUR_US, month_text


def kpi(ctx: Context) -> Data:
    daily = days(ctx)
    videos = ctx.column("vid")
    unique_videos = videos.drop_nulls().n_unique()
    ts = ctx.column("ts")
    return {
        "total_videos": ctx.total,
        "unique_videos": unique_videos,
        "unique_channels": channel_counts(ctx).height,
        "active_days": daily.height,
        "first_watched_at": instant(ts[0] if ctx.total else None),
        "last_watched_at": instant(ts[-1] if ctx.total else None),
        "avg_videos_per_active_day": ratio(ctx.total, daily.height, 2),
        "est_watch_hours": ratio(int(daily["est"].sum()), HOUR_US, 2),
        "longest_streak_days": _longest_run(daily["day"]),
        "rewatches": videos.len() - videos.null_count() - unique_videos,
    }


def monthly_trend(ctx: Context) -> Data:
    per_month = {
        month: (videos, active_days, est)
        for month, videos, active_days, est in days(ctx)
        .group_by("month")
        .agg(pl.col("videos").sum(), pl.len(), pl.col("est").sum())
        .iter_rows()
    }
    channels = dict(
        ctx.rows("month", "ch")
        .drop_nulls()
        .group_by("month")
        .agg(pl.col("ch").n_unique())
        .iter_rows()
    )
    months = []
    for month in month_range(ctx):
        videos, active_days, est = per_month.get(month, (0, 0, 0))
        months.append(
            {
                "month": month_text(month),
                "videos": videos,
                "unique_channels": channels.get(month, 0),
                "active_days": active_days,
                "est_watch_hours": ratio(est, HOUR_US, 2),
            }
        )
    return {"months": months}


def _longest_run(day_numbers: pl.Series) -> int:
    """Longest run of consecutive integers in an ascending series of distinct integers.

    Within a run ``day - position`` is constant, so the longest run is its most frequent value.
    """
    if day_numbers.is_empty():
        return 0
    offsets = day_numbers - pl.int_range(day_numbers.len(), eager=True, dtype=pl.Int32)
    return int(offsets.value_counts()["count"].max())  # type: ignore[arg-type]
