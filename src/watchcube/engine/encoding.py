"""Dictionary codes for new records: channels, topics and videos as dense integers.

Channel and topic codes follow the sorted order of the ids (ties by id are ties by code).
When a batch brings new ones, the vocabulary is sorted again and the frame's old codes are
translated by one gather: there are a few thousand channels at most, and new ones are rare
once a history is long. Videos are many (about one new id per record), so their codes
never change: new videos get the next codes.

Encoding the video ids is the largest single cost of preparing a frame. They are ranked by
a 64-bit hash (ranking integers and then checking every id costs about two thirds of
grouping the strings), and every id is compared with the one its rank stands for: if two
ids ever share a hash, they are grouped as strings instead, so the codes are exact.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

import numpy as np
import polars as pl

from watchcube.engine import growable
from watchcube.engine.frame import Array, Frame, Rows

_MAX_CHUNKS: Final = 16  # appended string chunks kept before they are compacted into one


@dataclass(frozen=True, slots=True)
class Distinct:
    """The distinct non-null values of a column, in no particular order, and the index of
    each element's value among them (-1 for null)."""

    values: pl.Series
    index: Array

    @staticmethod
    def grouped(column: pl.LazyFrame) -> pl.LazyFrame:
        """The groups of a one-column frame: each distinct value and where it occurs."""
        name = column.collect_schema().names()[0]
        return column.with_row_index("at").drop_nulls(name).group_by(name).agg("at")

    @classmethod
    def from_groups(cls, groups: pl.DataFrame, size: int) -> Distinct:
        index = np.full(size, -1, np.int32)
        at = groups["at"]
        index[at.explode().to_numpy()] = np.repeat(
            np.arange(groups.height, dtype=np.int32), at.list.len().to_numpy()
        )
        return cls(groups.to_series(0), index)

    @staticmethod
    def ranked(column: pl.LazyFrame) -> pl.LazyFrame:
        """The dense rank (from 1, null for null) of each value's hash in a one-column frame."""
        value = pl.col(column.collect_schema().names()[0])
        return column.select(pl.when(value.is_not_null()).then(_hash(value)).rank("dense"))

    @classmethod
    def from_ranks(cls, values: pl.Series, ranks: pl.Series) -> Distinct:
        """The distinct values by their hash ranks, checked against the values themselves."""
        rank = ranks.fill_null(0).to_numpy().astype(np.int64)
        # Any record of a rank stands for it; record 0 for the nulls' rank 0 if none is null.
        record = np.zeros(int(rank.max(initial=0)) + 1, np.int64)
        record[rank] = np.arange(len(rank))
        if not values.eq_missing(values.gather(record[rank])).all():
            return cls.from_groups(cls.grouped(values.to_frame().lazy()).collect(), len(values))
        return cls(values.gather(record[1:]), (rank - 1).astype(np.int32))


def _hash(values: pl.Expr) -> pl.Expr:
    """64-bit hashes of the ids: equal ids have equal hashes, distinct ones almost never."""
    return values.hash()


@dataclass(frozen=True, slots=True)
class Codes:
    """The vocabularies once a batch of records is added, and the batch's codes: ``ch``
    and ``vid`` per record, ``topic`` per topic entry.

    ``channels`` and ``topics`` translate the frame's old codes, the missing code last,
    into the grown vocabularies (None when nothing was new).
    """

    channel_ids: tuple[str, ...]
    topic_names: tuple[str, ...]
    video_ids: pl.Series
    channels: Array | None
    topics: Array | None
    ch: Array
    vid: Array
    topic: Array

    @classmethod
    def grow(cls, frame: Frame, channels: Distinct, topics: Distinct, videos: Distinct) -> Codes:
        channel_ids, channel_table, ch = _sorted_codes(frame.channel_ids, channels)
        topic_names, topic_table, topic = _sorted_codes(frame.topic_names, topics)
        video_ids, vid = _video_codes(frame.video_ids, videos)
        return cls(channel_ids, topic_names, video_ids, channel_table, topic_table, ch, vid, topic)

    def translate(self, rows: Rows) -> Rows:
        """Existing rows in the grown codes."""
        columns = dict(rows.columns)
        topic_code, topic_channel = rows.topic_code, rows.topic_channel
        if self.channels is not None:
            columns["ch"] = growable.take(self.channels, columns["ch"])
            topic_channel = growable.take(self.channels, topic_channel)
        if self.topics is not None:
            topic_code = growable.take(self.topics, topic_code)
        return replace(rows, columns=columns, topic_code=topic_code, topic_channel=topic_channel)


def appended(strings: pl.Series, more: pl.Series) -> pl.Series:
    """``strings`` then ``more``, sharing the existing chunks; compacted into one chunk
    once appends have made too many (lookups slow down with the chunk count)."""
    joined = pl.concat([strings, more.rename(strings.name)], rechunk=False)
    return joined.rechunk() if joined.n_chunks() > _MAX_CHUNKS else joined


def _sorted_codes(
    vocabulary: tuple[str, ...], distinct: Distinct
) -> tuple[tuple[str, ...], Array | None, Array]:
    """The sorted vocabulary grown by the values not in it yet, the translation of its old
    codes (then of the missing code) into the grown one (None when nothing is new), and
    the code of each element of ``distinct`` (the missing code for null)."""
    grown, translation = vocabulary, None
    seen = distinct.values
    if vocabulary:
        seen = seen.filter(~seen.is_in(pl.Series(vocabulary, dtype=pl.String).implode()))
    if not seen.is_empty():
        grown = tuple(sorted((*vocabulary, *seen.to_list())))
        code = {value: index for index, value in enumerate(grown)}
        translation = np.array([*(code[value] for value in vocabulary), len(grown)], np.int32)
    values = distinct.values.cast(pl.Enum(grown)).to_physical().to_numpy()
    return grown, translation, np.append(values, len(grown)).astype(np.int32)[distinct.index]


def _video_codes(known: pl.Series, distinct: Distinct) -> tuple[pl.Series, Array]:
    """The videos known once a batch is added (new ones get the next codes, in no
    particular order), and the code of each record (0 for no video)."""
    if not len(known):
        return appended(known, distinct.values), distinct.index + 1
    found = known.is_in(distinct.values.implode())
    old = pl.DataFrame({"video_id": known.filter(found), "old": found.arg_true() + 1})
    codes = distinct.values.to_frame("video_id").join(
        old, on="video_id", how="left", maintain_order="left"
    )["old"]
    fresh = codes.is_null()
    codes = codes.fill_null(len(known) + fresh.cum_sum())
    lookup = np.append(codes.to_numpy(), 0).astype(np.int32)
    return appended(known, distinct.values.filter(fresh)), lookup[distinct.index]
