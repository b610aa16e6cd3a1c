"""The prepared frame: one user's history as contiguous arrays of small integers.

The aggregations are counts over bounded integer domains, where ``bincount`` and bitmaps
beat hashing by an order of magnitude, so a frame holds every record field a query reads
as a NumPy array in history order (instant, then video id with missing first, then
title). ``preparation.py`` makes frames (``prepare``) and grows them by the records a write
adds (``extend``); this module holds their shape and the raw frame they are made from.

Channel and topic codes follow the sorted order of their ids, so "ties by id ascending"
is "ties by code ascending"; a missing channel is the code one past the last. Video codes
are in no particular order (videos are only ever counted as distinct) and never change
while a frame is extended: new videos get the next codes, and a missing video is code 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import polars as pl

from watchcube import defaults
from watchcube.engine.growable import held_bytes
from watchcube.records import RAW_SCHEMA, US_PER_SECOND, Record, sort_raw

DAY_US: Final = 86_400 * US_PER_SECOND
HOUR_US: Final = 3_600 * US_PER_SECOND
FALLBACK_US: Final = defaults.FALLBACK_WATCH_SECONDS * US_PER_SECOND
EPOCH_WEEKDAY: Final = 3  # 1970-01-01, day 0, was a Thursday

Array = npt.NDArray[Any]

# The columns computed for each new record, and their types (``Rows.build`` adds
# ``tagged``, derived from the topics).
COLUMN_TYPES: Final[dict[str, type[np.generic]]] = {
    "row": np.int64,
    "ts": np.int64,
    "day": np.int32,
    "month": np.int32,
    "hour": np.int16,
    "slot": np.int16,
    "ch": np.int32,
    "vid": np.int32,
    "music": np.bool_,
    "is_ad": np.bool_,
    "timed": np.bool_,
    "est": np.int64,
}


@dataclass(frozen=True, eq=False)
class Rows:
    """Some records of a history (all of them, or all but the ads), in history order.

    ``columns`` holds one array per record field: ``row`` (the record's index in the
    frame's arrival-ordered strings, ``Frame.names`` and ``Frame.titles``), ``ts`` (UTC
    epoch microseconds), ``day`` (local days since 1970-01-01), ``month`` (local ``year *
    12 + month - 1``), ``hour``, ``slot`` (``weekday * 24 + hour``, weekday 0 = Monday),
    ``ch`` (channel code), ``vid`` (video code), ``music`` (product is YouTube Music),
    ``is_ad``, ``timed`` (its duration is known), ``est`` (estimated watch microseconds)
    and ``tagged`` (has a topic). Topics are in compressed rows: the distinct topic codes
    of record ``i``, ascending, are ``topic_code[topic_start[i]:topic_start[i + 1]]``;
    ``topic_row``, ``topic_channel`` and ``topic_month`` give each entry's record (an
    index into these rows) and that record's ``ch`` and ``month``, so topic counts never
    gather.
    """

    columns: dict[str, Array]
    topic_start: Array
    topic_code: Array
    topic_row: Array
    topic_channel: Array
    topic_month: Array

    @classmethod
    def build(cls, columns: dict[str, Array], topic_counts: Array, topic_code: Array) -> Rows:
        """Rows from their columns and each record's topic codes (counts, then codes)."""
        topic_row = np.repeat(np.arange(len(topic_counts)), topic_counts)
        return cls(
            columns=columns | {"tagged": topic_counts > 0},
            topic_start=np.concatenate(([0], np.cumsum(topic_counts, dtype=np.int64))),
            topic_code=topic_code,
            topic_row=topic_row,
            topic_channel=columns["ch"][topic_row],
            topic_month=columns["month"][topic_row],
        )

    @classmethod
    def empty(cls) -> Rows:
        """No records, in arrays of the columns' types: what ``prepare`` extends."""
        columns = {name: np.empty(0, kind) for name, kind in COLUMN_TYPES.items()}
        return cls.build(columns, np.empty(0, np.int64), np.empty(0, np.int32))

    @property
    def height(self) -> int:
        return len(self.columns["ts"])

    def subset(self, keep: Array) -> Rows:
        """The rows where ``keep`` is true, with their topics."""
        columns = {name: values[keep] for name, values in self.columns.items()}
        return Rows.build(
            columns, np.diff(self.topic_start)[keep], self.topic_code[keep[self.topic_row]]
        )

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays, including the room they have to grow."""
        topics = (self.topic_start, self.topic_code, self.topic_row, self.topic_channel)
        arrays = (*self.columns.values(), *topics, self.topic_month)
        return sum(held_bytes(values) for values in arrays)


@dataclass(frozen=True, eq=False)
class Frame:
    """One user's history, prepared for a time zone and a session gap.

    ``everything`` holds every record; ``without_ads`` the records that are not ads, the
    base of every filter without ``include_ads`` (the same object when there are no ads),
    so that the common filters select a contiguous slice and copy nothing.

    The strings stay in Polars, in the order records arrived (``row`` indexes them), so
    that extending a frame only appends to them: ``names`` is read for the few records a
    list shows, ``titles`` to order new records among existing ones at the same instant.
    """

    everything: Rows
    without_ads: Rows
    names: pl.Series  # channel name of each record
    titles: pl.Series  # title of each record
    video_ids: pl.Series  # id of each video code, from code 1
    channel_ids: tuple[str, ...]
    topic_names: tuple[str, ...]
    timezone: str
    session_gap_minutes: int
    # Local dates never decrease along the history (false only in zones whose clocks
    # jump back across midnight), so a date filter is a contiguous row range.
    days_monotonic: bool

    @property
    def height(self) -> int:
        return self.everything.height

    @property
    def videos(self) -> int:
        """Distinct video ids, which is also the last video code."""
        return len(self.video_ids)

    @property
    def gap_us(self) -> int:
        return self.session_gap_minutes * 60 * US_PER_SECOND

    def estimated_bytes(self) -> int:
        """Memory held by the frame, for the cache's budget."""
        rows = self.everything.nbytes
        if self.without_ads is not self.everything:
            rows += self.without_ads.nbytes
        series = (self.names, self.titles, self.video_ids)
        strings = sum(len(text) + 56 for text in self.channel_ids + self.topic_names)
        return rows + sum(int(s.estimated_size()) for s in series) + strings


def raw_frame_from_records(records: Iterable[Record]) -> pl.DataFrame:
    """The store's raw frame (``RAW_SCHEMA``, history order) built from records in memory."""
    rows = list(records)
    columns: dict[str, list[Any]] = {
        name: [getattr(r, name) for r in rows]
        for name in RAW_SCHEMA
        if name not in ("watched_at", "topics")
    }
    # Polars converts a list of lists one inner list at a time; one flat column grouped
    # back by record is an order of magnitude faster.
    topics = (
        pl.DataFrame(
            {
                "index": [i for i, r in enumerate(rows) for _ in r.topics],
                "topics": [topic for r in rows for topic in r.topics],
            },
            schema={"index": pl.Int64, "topics": pl.String},
        )
        .group_by("index")
        .agg("topics")
    )
    schema = {name: RAW_SCHEMA[name] for name in columns}
    frame = (
        pl.DataFrame(columns, schema=schema)
        .with_columns(
            index=pl.int_range(len(rows), dtype=pl.Int64),
            watched_at=pl.Series([r.watched_at_us for r in rows], dtype=pl.Int64).cast(
                RAW_SCHEMA["watched_at"]
            ),
        )
        .join(topics, on="index", how="left", maintain_order="left")
        .with_columns(pl.col("topics").fill_null(pl.lit([], dtype=RAW_SCHEMA["topics"])))
        .select(RAW_SCHEMA.names())
    )
    return sort_raw(frame)


def month_text(index: int) -> str:
    """``YYYY-MM`` of a month index (``year * 12 + month - 1``)."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
