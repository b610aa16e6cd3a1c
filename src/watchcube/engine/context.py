"""One evaluation of a filter over a prepared frame, and the pieces the ten types share.

``Context`` selects R(f) once and materializes each of its columns only when a type first
asks for it. Pieces several types use (the daily table, the sessions, the per-channel
counts) are functions decorated with ``shared``: computed at most once per context,
however many types ask. When the date filter is a contiguous row range (local dates never
decrease along the history) it is a zero-copy slice found by binary search, and the other
predicates become one boolean mask over that slice.
"""

from __future__ import annotations

import functools
from bisect import bisect_left
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, TypeVar, cast

import numpy as np

from watchcube.engine.frame import Array, Frame, Rows
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
        self._arrays: dict[str, Array] = {}
        self.base = frame.everything if filters.include_ads else frame.without_ads
        self._low, self._high, self._mask = _select(frame, self.base, filters)
        selected = self._high - self._low
        self.total = selected if self._mask is None else int(np.count_nonzero(self._mask))

    def array(self, name: str) -> Array:
        """One column of R(f) (see ``Frame``), in history order."""
        if name not in self._arrays:
            values = self.base.columns[name][self._low : self._high]
            self._arrays[name] = values if self._mask is None else values[self._mask]
        return self._arrays[name]

    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, evaluated at most once per key in this context."""
        if key not in self.memo:
            self.memo[key] = compute()
        return cast(T, self.memo[key])

    def topic_entries(self) -> tuple[Array, Array, Array]:
        """(topic code, ``ch``, ``month``) of every distinct topic of every record of R(f)."""
        return self.cached("topic_entries", self._topic_entries)

    def _topic_entries(self) -> tuple[Array, Array, Array]:
        base = self.base
        start, end = base.topic_start[[self._low, self._high]]
        code, channel, month = (
            values[start:end] for values in (base.topic_code, base.topic_channel, base.topic_month)
        )
        if self._mask is None:
            return code, channel, month
        keep = self._mask[base.topic_row[start:end] - self._low]
        return code[keep], channel[keep], month[keep]


def shared(compute: Callable[[Context], T]) -> Callable[[Context], T]:
    """Make a piece of R(f) computed at most once per context."""

    @functools.wraps(compute)
    def once(ctx: Context) -> T:
        return ctx.cached(compute, lambda: compute(ctx))

    return once


@dataclass(frozen=True, slots=True)
class Days:
    """Per local day of R(f) with at least one record, ascending."""

    day: Array
    month: Array
    videos: Array
    est: Array


@shared
def days(ctx: Context) -> Days:
    """The daily table: one exact pass over R(f) in day order (already so, nearly always)."""
    day, month, est = ctx.array("day"), ctx.array("month"), ctx.array("est")
    if not ctx.frame.days_monotonic:
        order = np.argsort(day, kind="stable")
        day, month, est = day[order], month[order], est[order]
    if ctx.total == 0:
        return Days(day, month, np.zeros(0, np.int64), est)
    starts = np.flatnonzero(np.diff(day, prepend=day[0] - 1))
    videos = np.diff(starts, append=len(day))
    return Days(day[starts], month[starts], videos, np.add.reduceat(est, starts))


@shared
def month_range(ctx: Context) -> list[int]:
    """Every month index from R(f)'s first to its last local month (contiguous)."""
    months = days(ctx).month
    return list(range(int(months.min()), int(months.max()) + 1)) if len(months) else []


@shared
def slot_counts(ctx: Context) -> list[int]:
    """Records of R(f) per weekday-hour slot (``weekday * 24 + hour``), all 168 slots."""
    return tally_list(ctx.array("slot"), 168)


def tally_list(values: Array, size: int) -> list[int]:
    """How often each of ``0..size-1`` occurs in ``values``."""
    return [int(n) for n in np.bincount(values, minlength=size)]


def ratio(numerator: int, denominator: int, places: int) -> float:
    """One exact integer division, rounded by Python's ``round``; 0.0 for an empty base."""
    return round(int(numerator) / int(denominator), places) if denominator else 0.0


def instant(us: int | None) -> str | None:
    """An instant for the JSON result, or null."""
    return None if us is None else format_instant(int(us))


def day_number(day: date) -> int:
    """A local date as days since 1970-01-01, the frame's ``day`` encoding."""
    return day.toordinal() - _EPOCH_ORDINAL


def day_text(day: int) -> str:
    """``YYYY-MM-DD`` of a frame ``day``."""
    return date.fromordinal(int(day) + _EPOCH_ORDINAL).isoformat()


def lookup(size: int, codes: Iterable[int]) -> Array:
    """A boolean table over ``0..size-1``, true at ``codes``: membership by one gather."""
    table = np.zeros(size, np.bool_)
    table[list(codes)] = True
    return table


def _select(frame: Frame, base: Rows, filters: Filters) -> tuple[int, int, Array | None]:
    """R(f) as a row range of the base rows plus an optional mask over that range."""
    columns = base.columns
    low, high = 0, len(columns["ts"])
    first = None if filters.start is None else day_number(filters.start)
    last = None if filters.end is None else day_number(filters.end)
    if frame.days_monotonic:
        if first is not None:
            low = int(np.searchsorted(columns["day"], first, "left"))
        if last is not None:
            high = max(low, int(np.searchsorted(columns["day"], last, "right")))
    conditions: list[Array] = []

    def view(name: str) -> Array:
        return columns[name][low:high]

    if not frame.days_monotonic:
        conditions += [] if first is None else [view("day") >= first]
        conditions += [] if last is None else [view("day") <= last]
    if filters.products:
        conditions.append(view("music") == (filters.products == ("youtube_music",)))
    if filters.channels:
        channels = _codes(frame.channel_ids, filters.channels)
        conditions.append(lookup(len(frame.channel_ids) + 1, channels)[view("ch")])
    if filters.topics:
        topics = _codes(frame.topic_names, filters.topics)
        conditions.append(_has_topic(base, len(frame.topic_names), topics, low, high))
    mask = functools.reduce(np.logical_and, conditions) if conditions else None
    return low, high, None if mask is None or mask.all() else mask


def _has_topic(base: Rows, topics: int, codes: list[int], low: int, high: int) -> Array:
    """Rows ``low..high-1`` having at least one of the topic codes."""
    start, end = base.topic_start[[low, high]]
    hits = lookup(topics, codes)[base.topic_code[start:end]]
    found = np.zeros(high - low, np.bool_)
    found[base.topic_row[start:end][hits] - low] = True
    return found


def _codes(vocabulary: tuple[str, ...], wanted: Iterable[str]) -> list[int]:
    """Codes of the wanted values in a sorted vocabulary (absent ones match nothing)."""
    codes = []
    for value in wanted:
        code = bisect_left(vocabulary, value)
        if code < len(vocabulary) and vocabulary[code] == value:
            codes.append(code)
    return codes
