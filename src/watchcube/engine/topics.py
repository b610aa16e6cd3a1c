"""``topics_leaderboard`` and ``topic_evolution``: what the records are about, and over time.

The frame holds each record's distinct topic codes (sorted, so code order is name order),
so a record counts once per topic by construction; the exploded (topic, channel, month)
rows of R(f) are built once and shared by both types.

Decisions where DESIGN.md is silent:
- ``unique_channels`` of a topic counts distinct channels among its records (records
  without channel add none).
- ``topic_evolution`` takes the first ``limit`` topics of the leaderboard's order (default
  10), one series per topic with a count for every month of ``months``.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from watchcube.engine.context import Context, Data, month_range, ratio, shared
from watchcube.engine.frame import month_text

LEADERBOARD_LIMIT: Final = 20
EVOLUTION_LIMIT: Final = 10


@shared
def topic_rows(ctx: Context) -> pl.DataFrame:
    """One row per (record of R(f), topic of it): ``topic``, ``ch``, ``month``."""
    return (
        ctx.rows("topics", "ch", "month")
        .explode("topics")
        .rename({"topics": "topic"})
        .drop_nulls("topic")
    )


@shared
def topic_counts(ctx: Context) -> pl.DataFrame:
    """``topic``, ``videos``, ``unique_channels`` per topic, in leaderboard order."""
    return (
        topic_rows(ctx)
        .group_by("topic")
        .agg(videos=pl.len(), unique_channels=pl.col("ch").drop_nulls().n_unique())
        .sort(["videos", "topic"], descending=[True, False])
    )


def topics_leaderboard(ctx: Context) -> Data:
    names = ctx.frame.topic_names
    leaders = topic_counts(ctx).head(ctx.filters.limit_or(LEADERBOARD_LIMIT))
    return {
        "topics": [
            {
                "topic": names[topic],
                "videos": videos,
                "share": ratio(videos, ctx.total, 4),
                "unique_channels": unique_channels,
            }
            for topic, videos, unique_channels in leaders.iter_rows()
        ],
        "untagged_videos": int((ctx.column("topics").list.len() == 0).sum()),
    }


def topic_evolution(ctx: Context) -> Data:
    months = month_range(ctx)
    leaders = topic_counts(ctx)["topic"].head(ctx.filters.limit_or(EVOLUTION_LIMIT)).to_list()
    counts = {
        (topic, month): videos
        for topic, month, videos in topic_rows(ctx)
        .filter(pl.col("topic").is_in(leaders))
        .group_by("topic", "month")
        .len()
        .iter_rows()
    }
    names = ctx.frame.topic_names
    return {
        "months": [month_text(month) for month in months],
        "series": [
            {"topic": names[topic], "videos": [counts.get((topic, m), 0) for m in months]}
            for topic in leaders
        ],
    }
