"""``top_channels`` and ``enhanced_channel_metrics``, and the per-channel figures they share.

Counting every channel of R(f) is one ``bincount`` over integer codes; the figures of
single channels (first and last instants, latest name, distinct videos, days and months,
90-day windows) are computed only for the channels a list returns, memoized per channel
list so both types and the relationship nodes reuse them.

Decisions where DESIGN.md is silent:
- A channel's name is ``channel_name`` on its latest record in R(f) (history order, ties by
  video id then title), even when that record has no name (null).
- ``loyalty``: active months over the months from R(f)'s first to its last local month.
- ``avg_videos_per_active_month``: videos over active months, rounded to 2.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from watchcube.engine.context import Context, Data, days, instant, month_range, ratio, shared
from watchcube.engine.counting import distinct_per_group
from watchcube.engine.frame import DAY_US, Array

TOP_CHANNELS_LIMIT: Final = 20
ENHANCED_LIMIT: Final = 20


@dataclass(frozen=True, slots=True)
class ChannelCounts:
    """Every channel of R(f) in list order (videos descending, id ascending)."""

    codes: Array
    videos: Array


@shared
def channel_counts(ctx: Context) -> ChannelCounts:
    channels = len(ctx.frame.channel_ids)
    counts = np.bincount(ctx.array("ch"), minlength=channels + 1)[:channels]
    present = np.flatnonzero(counts)
    order = present[np.argsort(-counts[present], kind="stable")]
    return ChannelCounts(order, counts[order])


def top_codes(ctx: Context, limit: int) -> list[int]:
    """Codes of the first ``limit`` channels in list order."""
    return [int(code) for code in channel_counts(ctx).codes[:limit]]


def channel_summary(ctx: Context, codes: Sequence[int]) -> list[Data]:
    """Id, latest name, videos and first/last instants of some channels of R(f)."""
    return ctx.cached(("summary", tuple(codes)), lambda: _summary(ctx, codes))


def top_channels(ctx: Context) -> Data:
    codes = top_codes(ctx, ctx.filters.limit_or(TOP_CHANNELS_LIMIT))
    return {
        "channels": [
            {
                "channel_id": row["channel_id"],
                "channel_name": row["channel_name"],
                "videos": row["videos"],
                "share": ratio(row["videos"], ctx.total, 4),
                "first_watched_at": row["first_watched_at"],
                "last_watched_at": row["last_watched_at"],
            }
            for row in channel_summary(ctx, codes)
        ],
        "total_channels": len(channel_counts(ctx).codes),
    }


def enhanced_channel_metrics(ctx: Context) -> Data:
    codes = top_codes(ctx, ctx.filters.limit_or(ENHANCED_LIMIT))
    rank, position = _ranks(ctx, codes)
    groups = len(codes)
    daily = days(ctx)
    months = month_range(ctx)
    unique_videos = distinct_per_group(
        rank, ctx.array("vid")[position], ctx.frame.videos + 1, groups=groups, missing=0
    )
    first_day = int(daily.day[0]) if len(daily.day) else 0
    day_span = int(daily.day[-1]) - first_day + 1 if len(daily.day) else 0
    active_days = distinct_per_group(
        rank, ctx.array("day")[position] - first_day, day_span, groups=groups
    )
    active_months = distinct_per_group(
        rank,
        ctx.array("month")[position] - (months[0] if months else 0),
        len(months),
        groups=groups,
    )
    ts = ctx.array("ts")
    last = int(ts[-1]) if ctx.total else 0
    mine = ts[position]
    recent = np.bincount(rank[mine > last - 90 * DAY_US], minlength=groups)
    previous = np.bincount(
        rank[(mine > last - 180 * DAY_US) & (mine <= last - 90 * DAY_US)], minlength=groups
    )
    return {
        "channels": [
            {
                "channel_id": row["channel_id"],
                "channel_name": row["channel_name"],
                "videos": row["videos"],
                "unique_videos": int(unique_videos[i]),
                "active_days": int(active_days[i]),
                "active_months": int(active_months[i]),
                "first_watched_at": row["first_watched_at"],
                "last_watched_at": row["last_watched_at"],
                "avg_videos_per_active_month": ratio(row["videos"], int(active_months[i]), 2),
                "loyalty": ratio(int(active_months[i]), len(months), 4),
                "recent_90d": int(recent[i]),
                "previous_90d": int(previous[i]),
            }
            for i, row in enumerate(channel_summary(ctx, codes))
        ]
    }


def _ranks(ctx: Context, codes: Sequence[int]) -> tuple[Array, Array]:
    """For the records of R(f) on the given channels: the channel's index in ``codes``, and
    the record's position in R(f) (ascending, so in time order)."""

    def compute() -> tuple[Array, Array]:
        table = np.full(len(ctx.frame.channel_ids) + 1, -1, np.int64)
        table[list(codes)] = np.arange(len(codes))
        rank = table[ctx.array("ch")]
        position = np.flatnonzero(rank >= 0)
        return rank[position], position

    return ctx.cached(("ranks", tuple(codes)), compute)


def _summary(ctx: Context, codes: Sequence[int]) -> list[Data]:
    rank, position = _ranks(ctx, codes)
    first = np.full(len(codes), ctx.total, np.int64)
    last = np.full(len(codes), -1, np.int64)
    np.minimum.at(first, rank, position)
    np.maximum.at(last, rank, position)
    videos = np.bincount(rank, minlength=len(codes))
    ts = ctx.array("ts")
    names = ctx.frame.names.gather(ctx.array("row")[last]).to_list() if len(codes) else []
    return [
        {
            "channel_id": ctx.frame.channel_ids[code],
            "channel_name": names[i],
            "videos": int(videos[i]),
            "first_watched_at": instant(ts[first[i]]),
            "last_watched_at": instant(ts[last[i]]),
        }
        for i, code in enumerate(codes)
    ]
