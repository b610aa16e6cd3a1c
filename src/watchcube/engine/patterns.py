"""``day_time_heatmap`` and ``viewing_patterns``: when in the week and the day one watches.

Both are read off the 168 weekday-hour counts (one ``bincount`` over a precomputed
small-integer column) and the shared daily table, so neither touches R(f) row by row.

Decisions where DESIGN.md is silent:
- Heatmap ``total`` is R(f)'s ``total_videos`` (every record falls in exactly one cell).
- ``weekday_avg_per_day``/``weekend_avg_per_day`` are 0.0 when the span from R(f)'s first
  to last local date holds no such calendar day (a span inside one weekend, say).
- ``busiest_day`` is ``{date, videos}`` of the day with most records, the earliest on ties.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from watchcube.engine.context import Context, Data, day_text, days, ratio, slot_counts
from watchcube.engine.frame import EPOCH_WEEKDAY, Array

BINGE_VIDEOS: Final = 20  # a day with at least this many records is a binge day
NIGHT_HOURS: Final = 5  # local hours 0, 1, 2, 3 and 4 are night


def day_time_heatmap(ctx: Context) -> Data:
    slots = slot_counts(ctx)
    return {
        "cells": [slots[weekday * 24 : weekday * 24 + 24] for weekday in range(7)],
        "max": max(slots),
        "total": ctx.total,
    }


def viewing_patterns(ctx: Context) -> Data:
    slots = slot_counts(ctx)
    by_hour = [sum(slots[hour::24]) for hour in range(24)]
    by_weekday = [sum(slots[weekday * 24 : weekday * 24 + 24]) for weekday in range(7)]
    daily = days(ctx)
    weekdays, weekend_days = _calendar_days(daily.day)
    busiest = None
    if len(daily.day):
        top = int(np.argmax(daily.videos))  # the first maximum: the earliest day
        busiest = {"date": day_text(daily.day[top]), "videos": int(daily.videos[top])}
    return {
        "by_hour": by_hour,
        "by_weekday": by_weekday,
        "weekday_avg_per_day": ratio(sum(by_weekday[:5]), weekdays, 2),
        "weekend_avg_per_day": ratio(sum(by_weekday[5:]), weekend_days, 2),
        "peak_hour": _peak(by_hour, ctx.total),
        "peak_weekday": _peak(by_weekday, ctx.total),
        "night_share": ratio(sum(by_hour[:NIGHT_HOURS]), ctx.total, 4),
        "binge_days": int(np.count_nonzero(daily.videos >= BINGE_VIDEOS)),
        "busiest_day": busiest,
    }


def _peak(counts: list[int], total: int) -> int | None:
    """The index of the largest count, the lowest on ties; null for an empty R(f)."""
    return counts.index(max(counts)) if total else None


def _calendar_days(day_numbers: Array) -> tuple[int, int]:
    """Monday-Friday and Saturday-Sunday calendar days from the first to the last day."""
    if len(day_numbers) == 0:
        return 0, 0
    first, last = int(day_numbers[0]), int(day_numbers[-1])
    weeks, rest = divmod(last - first + 1, 7)
    tail = range(last - rest + 1, last + 1)
    weekdays = 5 * weeks + sum(1 for day in tail if (day + EPOCH_WEEKDAY) % 7 < 5)
    return weekdays, last - first + 1 - weekdays
