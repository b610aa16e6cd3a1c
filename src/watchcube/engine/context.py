"""One evaluation of a filter over a prepared frame, and the pieces the ten types share.

``Context`` selects R(f) once and materializes each of its columns only when a type first
asks for it. Pieces several types use (the daily table, the sessions, the per-channel
table) are functions decorated with ``shared``: computed at most once per context,
however many types ask. When the date filter is a contiguous row range (local dates never
decrease along the history) it is a zero-copy slice found by binary search, and the other
predicates become one boolean mask over that slice.
"""

from __future__ import annotations

import functools
from bisect import bisect_left
from collections.abc import Callable, Hashable, Iterable
from datetime import date
from typing import Any, Final, TypeVar, cast

import polars as pl

from watchcube.engine.frame import Frame
from watchcube.filters import Filters
from watchcube.records import format_instant

Data = dict[str, Any]
T = TypeVar("T")
_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()


class Context:
    """R(f) for one frame and one filter, plus the memo of its shared pieces."""

    def __init__(self, frame: Frame, filters: Filters) -> None:
        self.frame = frame
        self.filters = filters
        self.memo: dict[Hashable, Any] = {}
        self._columns: dict[str, pl.Series] = {}
        self._view, self._mask = _select(frame, filters)
        self.total = self._view.height if self._mask is None else int(self._mask.sum())

    def column(self, name: str) -> pl.Series:
        """One column of R(f), in history order."""
        if name not in self._columns:
            series = self._view[name]
            self._columns[name] = series if self._mask is None else series.filter(self._mask)
        return self._columns[name]

    def rows(self, *names: str) -> pl.DataFrame:
        """Some columns of R(f) as a frame (materialized columns are reused, not copied)."""
        return pl.DataFrame([self.column(name) for name in names])


def shared(compute: Callable[[Context], T]) -> Callable[[Context], T]:
    """Make a piece of R(f) computed at most once per context."""

    @functools.wraps(compute)
    def once(ctx: Context) -> T:
        if compute not in ctx.memo:
            ctx.memo[compute] = compute(ctx)
        return cast(T, ctx.memo[compute])

    return once


@shared
def days(ctx: Context) -> pl.DataFrame:
    """Per local day of R(f), ascending: ``day``, ``month``, ``videos``, ``est``."""
    return (
        ctx.rows("day", "month", "est")
        .group_by("day")
        .agg(pl.col("month").first(), pl.len().alias("videos"), pl.col("est").sum())
        .sort("day")
    )


@shared
def month_range(ctx: Context) -> list[int]:
    """Every month index from R(f)'s first to its last local month (contiguous)."""
    if ctx.total == 0:
        return []
    months = days(ctx)["month"]
    return list(range(cast(int, months.min()), cast(int, months.max()) + 1))


@shared
def slot_counts(ctx: Context) -> list[int]:
    """Records of R(f) per weekday-hour slot (``weekday * 24 + hour``), all 168 slots."""
    return tally(ctx.column("slot"), 168)


def tally(values: pl.Series, size: int) -> list[int]:
    """How often each of ``0..size-1`` occurs in ``values``, as a list of ``size`` counts."""
    counts = [0] * size
    for value, count in values.value_counts().iter_rows():
        counts[value] = count
    return counts


def ratio(numerator: int, denominator: int, places: int) -> float:
    """One exact integer division, rounded by Python's ``round``; 0.0 for an empty base."""
    return round(numerator / denominator, places) if denominator else 0.0


def instant(us: int | None) -> str | None:
    """An instant for the JSON result, or null."""
    return None if us is None else format_instant(us)


def day_number(day: date) -> int:
    """A local date as days since 1970-01-01, the frame's ``day`` encoding."""
    return day.toordinal() - _EPOCH_ORDINAL


def day_text(day: int) -> str:
    """``YYYY-MM-DD`` of a frame ``day``."""
    return date.fromordinal(day + _EPOCH_ORDINAL).isoformat()


def _select(frame: Frame, filters: Filters) -> tuple[pl.DataFrame, pl.Series | None]:
    """R(f) as a row range of the frame plus an optional mask over that range."""
    table = frame.table
    low, high = 0, table.height
    predicates: list[pl.Expr] = []
    first = None if filters.start is None else day_number(filters.start)
    last = None if filters.end is None else day_number(filters.end)
    if frame.days_monotonic:
        if first is not None:
            low = int(table["day"].search_sorted(first, "left"))
        if last is not None:
            high = int(table["day"].search_sorted(last, "right"))
    else:
        predicates += [] if first is None else [pl.col("day") >= first]
        predicates += [] if last is None else [pl.col("day") <= last]
    if not filters.include_ads:
        predicates.append(~pl.col("is_ad"))
    if filters.products:
        predicates.append(pl.col("music") == (filters.products == ("youtube_music",)))
    if filters.channels:
        predicates.append(pl.col("ch").is_in(_codes(frame.channel_ids, filters.channels)))
    if filters.topics:
        wanted = _codes(frame.topic_names, filters.topics)
        predicates.append(pl.col("topics").list.eval(pl.element().is_in(wanted)).list.any())
    view = table.slice(low, max(high - low, 0))
    if not predicates:
        return view, None
    mask = view.select(pl.all_horizontal(predicates)).to_series()
    return view, None if mask.all() else mask


def _codes(vocabulary: tuple[str, ...], wanted: Iterable[str]) -> list[int]:
    """Codes of the wanted values in a sorted vocabulary (absent ones match nothing)."""
    codes = []
    for value in wanted:
        index = bisect_left(vocabulary, value)
        if index < len(vocabulary) and vocabulary[index] == value:
            codes.append(index)
    return codes
