"""Preparing frames: every record once, then only the records each write adds.

A frame is made per (user, data_version, timezone, session gap), so after every write.
``prepare`` does all the per-record work a query should never redo: the time-zone
conversion, dictionary encoding, and the estimated watch time of every record over the
whole history. ``extend`` makes the next version's frame from the previous one and the
records inserted since, doing that work for the new records only and splicing them into
the existing arrays. ``prepare`` is the extension of an empty frame, so both go through
one code path.

What keeps an extended frame exactly the frame ``prepare`` makes of all its records:
- new records go where the full sort puts them (instant, then video id, then title, after
  existing records with the same key); strings are compared only at shared instants;
- an estimated watch time depends only on the next record, so apart from the new records
  only the record just before each run of them is estimated again;
- channel and topic codes follow sorted ids: when new ones appear, the codes are rebuilt
  and the existing arrays translated by one gather; video codes are stable (new videos get
  the next codes), only the code of "no video" moves;
- local dates stay monotonic when they were, and do not decrease where records went in.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import polars as pl

from watchcube.engine.frame import (
    COLUMN_TYPES,
    DAY_US,
    EPOCH_WEEKDAY,
    FALLBACK_US,
    HOUR_US,
    RAW_ORDER,
    Array,
    Frame,
    Rows,
)
from watchcube.errors import InvalidSettings
from watchcube.records import US_PER_SECOND

_MAX_CHUNKS = 16  # appended string chunks kept before they are compacted into one


def prepare(raw: pl.DataFrame, *, timezone: str, session_gap_minutes: int) -> Frame:
    """The prepared frame of a raw frame (``RAW_SCHEMA``) for one time zone and session gap.

    The raw frame is trusted to be in history order when its instants are sorted (the
    store sorts ties by video id then title); otherwise it is sorted here.
    """
    _check_zone(timezone)
    rows = Rows.empty()
    empty = Frame(
        everything=rows,
        without_ads=rows,
        names=pl.Series("channel_name", dtype=pl.String),
        titles=pl.Series("title", dtype=pl.String),
        video_ids=pl.Series("video_id", dtype=pl.String),
        channel_ids=(),
        topic_names=(),
        timezone=timezone,
        session_gap_minutes=session_gap_minutes,
        days_monotonic=True,
    )
    return extend(empty, raw)


def extend(frame: Frame, raw: pl.DataFrame) -> Frame:
    """``frame`` with the records of ``raw`` (``RAW_SCHEMA``) added, which it must not hold.

    The result is the frame ``prepare`` makes of all the records. The work grows with the
    new records, plus one copy of the existing arrays; ``raw`` is sorted as in ``prepare``.
    """
    if not raw["watched_at"].is_sorted():
        raw = raw.sort(RAW_ORDER, nulls_last=False, maintain_order=True)
    if raw.is_empty():
        return frame
    batch = _Batch.read(raw, frame.timezone)
    codes = _Codes.grow(frame, batch)
    new = _new_rows(batch, codes, len(frame.names))
    positions = _positions(frame, raw, new.columns["ts"])
    old = codes.translate(frame.everything, frame.videos)
    merged, placed = _merge(old, new, positions)
    estimated = np.concatenate((placed, _predecessors(positions)))
    est = _estimate(merged, estimated, frame.gap_us)
    everything = replace(merged, columns=merged.columns | {"est": est})
    ads = everything.columns["is_ad"]
    without_ads = everything
    if ads.any():
        previous = frame.without_ads
        old_kept = old if previous is frame.everything else codes.translate(previous, frame.videos)
        kept = ~new.columns["is_ad"]
        old_ads = np.flatnonzero(frame.everything.columns["is_ad"])
        kept_positions = positions[kept] - np.searchsorted(old_ads, positions[kept])
        merged, _ = _merge(old_kept, new.subset(kept), kept_positions)
        without_ads = replace(merged, columns=merged.columns | {"est": est[~ads]})
    return Frame(
        everything=everything,
        without_ads=without_ads,
        names=_appended(frame.names, raw["channel_name"]),
        titles=_appended(frame.titles, raw["title"]),
        video_ids=codes.video_ids,
        channel_ids=codes.channel_ids,
        topic_names=codes.topic_names,
        timezone=frame.timezone,
        session_gap_minutes=frame.session_gap_minutes,
        days_monotonic=frame.days_monotonic and _monotonic_around(everything, placed),
    )


@dataclass(frozen=True, slots=True)
class _Distinct:
    """The distinct non-null values of a column, in no particular order, and the index of
    each element's value among them (-1 for null)."""

    values: pl.Series
    index: Array

    @staticmethod
    def query(values: pl.LazyFrame) -> pl.LazyFrame:
        """Groups of the one column of ``values``: each distinct value and where it occurs."""
        name = values.collect_schema().names()[0]
        return values.with_row_index("at").drop_nulls(name).group_by(name).agg("at")

    @classmethod
    def of(cls, groups: pl.DataFrame, size: int) -> _Distinct:
        index = np.full(size, -1, np.int32)
        at = groups["at"]
        index[at.explode().to_numpy()] = np.repeat(
            np.arange(groups.height, dtype=np.int32), at.list.len().to_numpy()
        )
        return cls(groups.to_series(0), index)


@dataclass(frozen=True, slots=True)
class _Batch:
    """What one pass of Polars reads from new records (in parallel, one query per part):
    the per-record values, and the distinct video ids, channel ids and topics."""

    table: pl.DataFrame
    videos: _Distinct
    channels: _Distinct
    topics: _Distinct  # over the topic entries, record after record

    @classmethod
    def read(cls, raw: pl.DataFrame, timezone: str) -> _Batch:
        at = pl.col("watched_at")
        records = raw.lazy()
        table, videos, channels, topics = pl.collect_all(
            [
                records.select(
                    ts=at.dt.epoch(),
                    local=at.dt.convert_time_zone(timezone).dt.replace_time_zone(None).dt.epoch(),
                    music=pl.col("product") == "youtube_music",
                    is_ad=pl.col("is_ad"),
                    timed=pl.col("duration_s").is_not_null(),
                    est=(pl.col("duration_s") * US_PER_SECOND).round(0).cast(pl.Int64).fill_null(0),
                    topics=pl.col("topics").list.len().fill_null(0),
                ),
                _Distinct.query(records.select("video_id")),
                _Distinct.query(records.select("channel_id")),
                _Distinct.query(
                    records.select(pl.col("topics").explode(empty_as_null=False, keep_nulls=False))
                ),
            ]
        )
        entries = int(table["topics"].sum())
        return cls(
            table,
            _Distinct.of(videos, raw.height),
            _Distinct.of(channels, raw.height),
            _Distinct.of(topics, entries),
        )


@dataclass(frozen=True, slots=True)
class _Codes:
    """The vocabularies once a batch of records is added, and the batch's codes: ``ch`` and
    ``vid`` per record, ``topic`` per topic entry.

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
    def grow(cls, frame: Frame, batch: _Batch) -> _Codes:
        channel_ids, channels, ch = _sorted_codes(frame.channel_ids, batch.channels)
        topic_names, topics, topic = _sorted_codes(frame.topic_names, batch.topics)
        video_ids, vid = _video_codes(frame.video_ids, batch.videos)
        return cls(channel_ids, topic_names, video_ids, channels, topics, ch, vid, topic)

    def translate(self, rows: Rows, videos: int) -> Rows:
        """Existing rows in the grown codes (``videos``: the old code of "no video")."""
        columns = dict(rows.columns)
        topic_code, topic_channel = rows.topic_code, rows.topic_channel
        if self.channels is not None:
            columns["ch"] = self.channels[columns["ch"]]
            topic_channel = self.channels[topic_channel]
        if self.topics is not None:
            topic_code = self.topics[topic_code]
        if len(self.video_ids) != videos:
            columns["vid"] = np.where(columns["vid"] == videos, len(self.video_ids), columns["vid"])
        return replace(rows, columns=columns, topic_code=topic_code, topic_channel=topic_channel)


def _new_rows(batch: _Batch, codes: _Codes, first: int) -> Rows:
    """The rows of new records, in their history order (``row`` counts on from ``first``).

    ``est`` holds known durations only: the others depend on the next record, known once
    the records are in place (``_estimate``).
    """
    table = batch.table
    local = table["local"].to_numpy()
    day = np.floor_divide(local, DAY_US)
    hour = np.floor_divide(local, HOUR_US) % 24
    columns = {
        "row": np.arange(first, first + table.height),
        "day": day,
        "month": _months(day),
        "hour": hour,
        "slot": (day + EPOCH_WEEKDAY) % 7 * 24 + hour,
        "ch": codes.ch,
        "vid": codes.vid,
        **{name: table[name].to_numpy() for name in ("ts", "music", "is_ad", "timed", "est")},
    }
    counts, topic_code = _topic_lists(table["topics"].to_numpy(), codes.topic, codes.topic_names)
    typed = {name: columns[name].astype(kind, copy=False) for name, kind in COLUMN_TYPES.items()}
    return Rows.build(typed, counts, topic_code)


def _months(day: Array) -> Array:
    """The month index of each local day, read from a table over the days' span."""
    if not len(day):
        return day
    first = int(day.min())
    span = np.arange(first, int(day.max()) + 1).astype("datetime64[D]")
    table = span.astype("datetime64[M]").astype(np.int64) + 1970 * 12
    months: Array = table[day - first]
    return months


def _topic_lists(counts: Array, codes: Array, vocabulary: tuple[str, ...]) -> tuple[Array, Array]:
    """Each record's distinct topic codes, ascending, from its topic entries' codes: how
    many per record, then the codes."""
    if not len(codes):
        return counts, codes
    size = len(vocabulary)
    keys = np.repeat(np.arange(len(counts), dtype=np.int64) * size, counts) + codes
    keys.sort(kind="stable")  # a timsort: keys arrive sorted but within records
    keys = keys[np.diff(keys, prepend=-1) != 0]
    record, distinct = np.divmod(keys, size)
    return np.bincount(record, minlength=len(counts)), distinct.astype(np.int32)


def _positions(frame: Frame, raw: pl.DataFrame, ts: Array) -> Array:
    """For each new record, how many of the frame's records come before it in history order."""
    existing = frame.everything.columns["ts"]
    first = np.searchsorted(existing, ts, "left")
    after = np.searchsorted(existing, ts, "right")
    tied = np.flatnonzero(after > first)
    if len(tied):
        first[tied] += _tied_before(frame, raw, tied, first[tied], after[tied])
    return first


def _tied_before(
    frame: Frame, raw: pl.DataFrame, tied: Array, first: Array, after: Array
) -> list[int]:
    """For the new records ``tied``, each sharing its instant with the frame's records
    ``first[i]..after[i] - 1``: how many of those sort before it or equal it."""
    columns = frame.everything.columns
    at = np.concatenate([np.arange(a, b) for a, b in zip(first, after, strict=True)])
    ids = [frame.video_ids[int(v)] if v < frame.videos else None for v in columns["vid"][at]]
    titles = frame.titles.gather(columns["row"][at]).to_list()
    existing = [_order_key(video, title) for video, title in zip(ids, titles, strict=True)]
    new_ids, new_titles = (raw[name].gather(tied).to_list() for name in ("video_id", "title"))
    counts, start = [], 0
    for video, title, stop in zip(new_ids, new_titles, np.cumsum(after - first), strict=True):
        key = _order_key(video, title)
        counts.append(sum(other <= key for other in existing[start:stop]))
        start = stop
    return counts


def _order_key(video_id: str | None, title: str) -> tuple[bool, str, str]:
    """``RAW_ORDER`` after the instant: missing video ids first, then ids, then titles."""
    return video_id is not None, video_id or "", title


@dataclass(frozen=True, slots=True)
class _Splice:
    """Where the items of two ordered sequences go in their merge: the new ones at
    ``dest``, the old ones, in order, in the other places (``old_at``; None when every new
    item comes after them)."""

    dest: Array
    old_at: Array | None

    @classmethod
    def of(cls, positions: Array, old: int) -> _Splice:
        """New items going before the old item at each of ``positions`` (nondecreasing)."""
        dest = positions + np.arange(len(positions))
        if not len(positions) or positions[0] == old:
            return cls(dest, None)
        taken = np.zeros(old + len(positions), np.bool_)
        taken[dest] = True
        return cls(dest, np.flatnonzero(~taken))

    def __call__(self, old: Array, new: Array) -> Array:
        if self.old_at is None:
            return np.concatenate((old, new))
        merged = np.empty(len(old) + len(new), old.dtype)
        merged[self.dest] = new
        merged[self.old_at] = old
        return merged

    def moved(self, index: Array) -> Array:
        """Where the old items at ``index`` are after the merge."""
        return index if self.old_at is None else self.old_at[index]


def _merge(old: Rows, new: Rows, positions: Array) -> tuple[Rows, Array]:
    """Old and new rows in one order, each new row going before the old row at its
    position (see ``_Splice.of``); and where the new rows went."""
    if not old.height:
        return new, np.arange(new.height)
    rows = _Splice.of(positions, old.height)
    entries = _Splice.of(old.topic_start[positions][new.topic_row], len(old.topic_code))
    counts = rows(np.diff(old.topic_start), np.diff(new.topic_start))
    merged = Rows(
        columns={name: rows(values, new.columns[name]) for name, values in old.columns.items()},
        topic_start=np.concatenate(([0], np.cumsum(counts))),
        topic_code=entries(old.topic_code, new.topic_code),
        topic_row=entries(rows.moved(old.topic_row), rows.dest[new.topic_row]),
        topic_channel=entries(old.topic_channel, new.topic_channel),
        topic_month=entries(old.topic_month, new.topic_month),
    )
    return merged, rows.dest


def _predecessors(positions: Array) -> Array:
    """Where the record just before each run of new records went, if there is one (the
    merge put ``j`` new records before the one before new record ``j``)."""
    first_of_run = np.ones(len(positions), np.bool_)
    first_of_run[1:] = positions[1:] != positions[:-1]
    runs = np.flatnonzero(first_of_run & (positions > 0))
    return positions[runs] - 1 + runs


def _estimate(rows: Rows, at: Array, gap_us: int) -> Array:
    """``est`` of the rows with the records at ``at`` estimated again when their duration
    is unknown: the gap to the next record when it is at most the session gap, else (also
    for the last record) the fallback of 300 s."""
    ts, est = rows.columns["ts"], rows.columns["est"].copy()
    at = at[~rows.columns["timed"][at]]
    following = np.minimum(at + 1, len(ts) - 1)
    gap = ts[following] - ts[at]
    est[at] = np.where((following > at) & (gap <= gap_us), gap, FALLBACK_US)
    return est


def _monotonic_around(rows: Rows, at: Array) -> bool:
    """Local dates do not decrease from the record before to the one after each of ``at``."""
    day = rows.columns["day"]
    before, after = at[at > 0], at[at + 1 < len(day)]
    return bool(np.all(day[before - 1] <= day[before]) and np.all(day[after] <= day[after + 1]))


def _sorted_codes(
    vocabulary: tuple[str, ...], distinct: _Distinct
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


def _video_codes(known: pl.Series, distinct: _Distinct) -> tuple[pl.Series, Array]:
    """The videos known once a batch is added (new ones get the next codes, in no
    particular order), and the code of each record (the last one for no video)."""
    code = pl.int_range(len(known), len(known) + len(distinct.values), dtype=pl.Int64)
    found = distinct.values.to_frame("video_id").with_columns(code=code)
    if len(known) and len(distinct.values):
        ids = known.to_frame("video_id").with_row_index("old", offset=0)
        ids = ids.join(found.select("video_id"), on="video_id", how="semi")
        found = found.join(ids, on="video_id", how="left", maintain_order="left")
        fresh = found["old"].is_null()
        found = found.with_columns(
            code=pl.coalesce(pl.col("old"), len(known) + fresh.cum_sum() - 1)
        )
        video_ids = _appended(known, distinct.values.filter(fresh))
    else:
        video_ids = _appended(known, distinct.values)
    lookup = np.append(found["code"].to_numpy(), len(video_ids))
    return video_ids, lookup.astype(np.int32)[distinct.index]


def _appended(strings: pl.Series, more: pl.Series) -> pl.Series:
    """``strings`` then ``more``, sharing the existing chunks; compacted into one chunk
    once appends have made too many (lookups slow down with the chunk count)."""
    joined = pl.concat([strings, more.rename(strings.name)], rechunk=False)
    return joined.rechunk() if joined.n_chunks() > _MAX_CHUNKS else joined


def _check_zone(timezone: str) -> None:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidSettings(f"timezone: {timezone!r} is not an IANA time zone name") from exc
