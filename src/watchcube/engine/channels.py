"""``top_channels`` and ``enhanced_channel_metrics``, and the per-channel table they share.

Counting every channel of R(f) is cheap (one ``value_counts`` over integer codes); the
detailed figures (distinct videos, days and months, first and last instants, 90-day
windows, latest name) are computed only for the channels a list returns, in one group-by
over their records, and memoized per channel set so both types (and the relationship
nodes) reuse them.

Decisions where DESIGN.md is silent:
- A channel's name is ``channel_name`` on its latest record in R(f) (history order, ties by
  video id then title), even when that record has no name (null).
- ``loyalty``: active months over the months from R(f)'s first to its last local month.
- ``avg_videos_per_active_month``: videos over active months, rounded to 2.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import polars as pl

from watchcube.engine.context import Context, Data, instant, month_range, ratio, shared
from watchcube.engine.frame import DAY_US

TOP_CHANNELS_LIMIT: Final = 20
ENHANCED_LIMIT: Final = 20


@shared
def channel_counts(ctx: Context) -> pl.DataFrame:
    """``ch``, ``videos`` for every channel of R(f), in list order (videos desc, id asc)."""
    return (
        ctx.column("ch")
        .drop_nulls()
        .value_counts(name="videos")
        .sort(["videos", "ch"], descending=[True, False])
    )


def top_codes(ctx: Context, limit: int) -> list[int]:
    """Codes of the first ``limit`` channels in list order."""
    return channel_counts(ctx)["ch"].head(limit).to_list()


def channel_details(ctx: Context, codes: Iterable[int]) -> dict[int, Data]:
    """Per-channel figures over R(f) for some channel codes, memoized per code set."""
    key = ("channel_details", frozenset(codes))
    if key not in ctx.memo:
        ctx.memo[key] = _details(ctx, key[1])
    details: dict[int, Data] = ctx.memo[key]
    return details


def top_channels(ctx: Context) -> Data:
    codes = top_codes(ctx, ctx.filters.limit_or(TOP_CHANNELS_LIMIT))
    details = channel_details(ctx, codes)
    return {
        "channels": [
            {
                "channel_id": details[code]["channel_id"],
                "channel_name": details[code]["channel_name"],
                "videos": details[code]["videos"],
                "share": ratio(details[code]["videos"], ctx.total, 4),
                "first_watched_at": instant(details[code]["first"]),
                "last_watched_at": instant(details[code]["last"]),
            }
            for code in codes
        ],
        "total_channels": channel_counts(ctx).height,
    }


def enhanced_channel_metrics(ctx: Context) -> Data:
    codes = top_codes(ctx, ctx.filters.limit_or(ENHANCED_LIMIT))
    details = channel_details(ctx, codes)
    spanned = len(month_range(ctx))
    channels = []
    for code in codes:
        row = details[code]
        channels.append(
            {
                "channel_id": row["channel_id"],
                "channel_name": row["channel_name"],
                "videos": row["videos"],
                "unique_videos": row["unique_videos"],
                "active_days": row["active_days"],
                "active_months": row["active_months"],
                "first_watched_at": instant(row["first"]),
                "last_watched_at": instant(row["last"]),
                "avg_videos_per_active_month": ratio(row["videos"], row["active_months"], 2),
                "loyalty": ratio(row["active_months"], spanned, 4),
                "recent_90d": row["recent_90d"],
                "previous_90d": row["previous_90d"],
            }
        )
    return {"channels": channels}


def _details(ctx: Context, codes: frozenset[int]) -> dict[int, Data]:
    if not codes:
        return {}
    last = int(ctx.column("ts")[-1])
    recent = pl.col("ts") > last - 90 * DAY_US
    previous = (pl.col("ts") > last - 180 * DAY_US) & ~recent
    table = (
        ctx.rows("ch", "ts", "vid", "day", "month", "row")
        .filter(pl.col("ch").is_in(list(codes)))
        .group_by("ch")
        .agg(
            videos=pl.len(),
            unique_videos=pl.col("vid").drop_nulls().n_unique(),
            active_days=pl.col("day").n_unique(),
            active_months=pl.col("month").n_unique(),
            first=pl.col("ts").first(),
            last=pl.col("ts").last(),
            latest_row=pl.col("row").last(),
            recent_90d=recent.sum(),
            previous_90d=previous.sum(),
        )
    )
    names = ctx.frame.table["name"].gather(table["latest_row"]).to_list()
    ids = ctx.frame.channel_ids
    return {
        row["ch"]: row | {"channel_id": ids[row["ch"]], "channel_name": name}
        for row, name in zip(table.iter_rows(named=True), names, strict=True)
    }
