"""``topics_leaderboard`` and ``topic_evolution``: what the records are about, and over time.

The frame holds each record's distinct topic codes (sorted, so code order is name order)
in compressed rows, so a record counts once per topic by construction, and every count
here is a ``bincount`` over the topic entries of R(f).

Decisions where DESIGN.md is silent:
- ``unique_channels`` of a topic counts distinct channels among its records (records
  without channel add none).
- ``topic_evolution`` takes the first ``limit`` topics of the leaderboard's order (default
  10), one series per topic with a count for every month of ``months``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from watchcube.engine.context import Context, Data, month_range, ratio, shared
from watchcube.engine.counting import distinct_per_group, tally
from watchcube.engine.frame import Array, month_text

LEADERBOARD_LIMIT: Final = 20
EVOLUTION_LIMIT: Final = 10


@dataclass(frozen=True, slots=True)
class TopicCounts:
    """Every topic of R(f) in leaderboard order (videos descending, name ascending), and
    the records of every (topic, month) pair that has any: ``cell_topic``,
    ``cell_month`` (index into ``month_range``), ``cell_videos``."""

    codes: Array
    videos: Array
    unique_channels: Array
    cell_topic: Array
    cell_month: Array
    cell_videos: Array


@shared
def topic_counts(ctx: Context) -> TopicCounts:
    codes, channel, month = ctx.topic_entries()
    topics, channels = len(ctx.frame.topic_names), len(ctx.frame.channel_ids)
    months = month_range(ctx)
    span = len(months)
    cells, cell_videos = tally(
        codes.astype(np.int64) * span + (month - (months[0] if months else 0)), topics * span
    )
    cell_topic, cell_month = np.divmod(cells, max(span, 1))
    videos = np.zeros(topics, np.int64)
    np.add.at(videos, cell_topic, cell_videos)
    unique = distinct_per_group(codes, channel, channels + 1, groups=topics, missing=channels)
    present = np.flatnonzero(videos)
    order = present[np.argsort(-videos[present], kind="stable")]
    return TopicCounts(order, videos[order], unique[order], cell_topic, cell_month, cell_videos)


def topics_leaderboard(ctx: Context) -> Data:
    names = ctx.frame.topic_names
    counts = topic_counts(ctx)
    limit = ctx.filters.limit_or(LEADERBOARD_LIMIT)
    leaders = zip(
        counts.codes[:limit], counts.videos[:limit], counts.unique_channels[:limit], strict=True
    )
    return {
        "topics": [
            {
                "topic": names[code],
                "videos": int(videos),
                "share": ratio(videos, ctx.total, 4),
                "unique_channels": int(channels),
            }
            for code, videos, channels in leaders
        ],
        "untagged_videos": ctx.total - int(np.count_nonzero(ctx.array("tagged"))),
    }


def topic_evolution(ctx: Context) -> Data:
    months = month_range(ctx)
    counts = topic_counts(ctx)
    leaders = [int(code) for code in counts.codes[: ctx.filters.limit_or(EVOLUTION_LIMIT)]]
    series = {code: [0] * len(months) for code in leaders}
    for topic, month, videos in zip(
        counts.cell_topic.tolist(),
        counts.cell_month.tolist(),
        counts.cell_videos.tolist(),
        strict=True,
    ):
        if topic in series:
            series[topic][month] = videos
    names = ctx.frame.topic_names
    return {
        "months": [month_text(month) for month in months],
        "series": [{"topic": names[code], "videos": series[code]} for code in leaders],
    }
