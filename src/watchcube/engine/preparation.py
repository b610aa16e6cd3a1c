"""Preparing frames: every record once, then only the records each write adds.

A frame is needed per (user, data_version, timezone, session gap), so after every write.
``prepare`` does all the per-record work a query should never redo: the time-zone
conversion, dictionary encoding, and the estimated watch time of every record over the
whole history. ``extend`` makes the next version's frame from the previous one and the
records inserted since: it does that work for the new records only and splices them into
the existing arrays. ``prepare`` is the extension of an empty frame, so both go through
one code path.

An extended frame is exactly the frame ``prepare`` makes of all its records because:
- new records go where the full sort puts them (``splicing``);
- a record's estimated watch time depends only on the next record, so apart from the new
  records only the record just before each run of them is estimated again;
- codes stay consistent as vocabularies grow (``encoding``);
- local dates stay monotonic if they were and do not decrease around each new record.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import polars as pl

from watchcube.engine import growable, splicing
from watchcube.engine.encoding import Codes, Distinct, appended
from watchcube.engine.frame import (
    COLUMN_TYPES,
    EPOCH_WEEKDAY,
    FALLBACK_US,
    HOUR_US,
    Array,
    Frame,
    Rows,
)
from watchcube.errors import InvalidSettings
from watchcube.records import US_PER_SECOND, sort_raw


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

    The result is the frame ``prepare`` makes of all the records. When the new records all
    come after the existing ones (the usual write), the cost grows with the new records,
    plus a copy of the estimated watch times when the last one's changes and of the codes
    when new channels or topics appear; records going in between cost a copy of every
    array. ``raw`` is sorted as in ``prepare``.
    """
    if not raw["watched_at"].is_sorted():
        raw = sort_raw(raw)
    if raw.is_empty():
        return frame
    batch = _Batch.read(raw, frame.timezone)
    codes = Codes.grow(frame, batch.channels, batch.topics, batch.videos)
    at = splicing.positions(frame, raw, batch.table["ts"].to_numpy())
    new = _new_rows(batch, codes, frame, at)
    changed, est = _estimated_again(frame.everything, new, at, frame.gap_us)
    old = _with_estimates(codes.translate(frame.everything), changed, est)
    everything = splicing.merge(old, new, at)
    without_ads = everything
    if everything.columns["is_ad"].any():
        without_ads = _without_ads(frame, codes, old, new, at, changed, est)
    return Frame(
        everything=everything,
        without_ads=without_ads,
        names=appended(frame.names, raw["channel_name"]),
        titles=appended(frame.titles, raw["title"]),
        video_ids=codes.video_ids,
        channel_ids=codes.channel_ids,
        topic_names=codes.topic_names,
        timezone=frame.timezone,
        session_gap_minutes=frame.session_gap_minutes,
        days_monotonic=frame.days_monotonic and _monotonic(frame.everything, new, at),
    )


@dataclass(frozen=True, slots=True)
class _Batch:
    """What Polars reads from new records, in one pass of parallel queries: the values of
    each record, and the distinct video ids, channel ids and topics (these over the topic
    entries, record after record)."""

    table: pl.DataFrame
    videos: Distinct
    channels: Distinct
    topics: Distinct

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
                    duration=(pl.col("duration_s") * US_PER_SECOND)
                    .round(0)
                    .cast(pl.Int64)
                    .fill_null(0),
                    topics=pl.col("topics").list.len().fill_null(0),
                ),
                Distinct.ranked(records.select("video_id")),
                Distinct.grouped(records.select("channel_id")),
                Distinct.grouped(
                    records.select(pl.col("topics").explode(empty_as_null=False, keep_nulls=False))
                ),
            ]
        )
        return cls(
            table,
            Distinct.from_ranks(raw["video_id"], videos.to_series()),
            Distinct.from_groups(channels, raw.height),
            Distinct.from_groups(topics, int(table["topics"].sum())),
        )


def _new_rows(batch: _Batch, codes: Codes, frame: Frame, at: Array) -> Rows:
    """The rows of the new records, in their history order, each going before the frame's
    record ``at[i]``."""
    table = batch.table
    ts, timed = table["ts"].to_numpy(), table["timed"].to_numpy()
    following, present = splicing.after(ts, frame.everything.columns["ts"], at)
    hours = np.floor_divide(table["local"].to_numpy(), HOUR_US)
    day = (hours // 24).astype(np.int32)
    hour = (hours % 24).astype(np.int16)
    first = len(frame.names)
    columns = {
        "row": np.arange(first, first + table.height),
        "ts": ts,
        "day": day,
        "month": _months(day),
        "hour": hour,
        "slot": ((day + EPOCH_WEEKDAY) % 7 * 24).astype(np.int16) + hour,
        "ch": codes.ch,
        "vid": codes.vid,
        "music": table["music"].to_numpy(),
        "is_ad": table["is_ad"].to_numpy(),
        "timed": timed,
        "est": _estimates(
            ts, following, present, timed, table["duration"].to_numpy(), frame.gap_us
        ),
    }
    counts, topic_code = _topic_lists(table["topics"].to_numpy(), codes.topic, codes.topic_names)
    typed = {name: columns[name].astype(kind, copy=False) for name, kind in COLUMN_TYPES.items()}
    return Rows.build(typed, counts, topic_code)


def _estimates(
    ts: Array, following: Array, present: Array, timed: Array, duration: Array, gap_us: int
) -> Array:
    """Estimated watch time of records at ``ts`` followed (where ``present``) by records at
    ``following``: the ``duration`` when known (``timed``); else the gap to the next
    record when it is at most the session gap; else (also for the last record) 300 s."""
    gap = following - ts
    guessed = np.where(present & (gap <= gap_us), gap, FALLBACK_US)
    result: Array = np.where(timed, duration, guessed)
    return result


def _estimated_again(old: Rows, new: Rows, at: Array, gap_us: int) -> tuple[Array, Array]:
    """The existing records whose estimated watch time changes, because the record just
    after them is now a new one, and their new estimates."""
    first_of_run = np.ones(len(at), np.bool_)
    first_of_run[1:] = at[1:] != at[:-1]
    run = np.flatnonzero(first_of_run & (at > 0))
    before = at[run] - 1
    columns = old.columns
    est = _estimates(
        columns["ts"][before],
        new.columns["ts"][run],
        np.ones(len(run), np.bool_),
        columns["timed"][before],
        columns["est"][before],  # the duration, where it is known
        gap_us,
    )
    changed = est != columns["est"][before]
    return before[changed], est[changed]


def _with_estimates(rows: Rows, index: Array, est: Array) -> Rows:
    """``rows`` with the estimated watch times of the records at ``index`` replaced."""
    if not len(index):
        return rows
    patched = growable.copy(rows.columns["est"])
    patched[index] = est
    return replace(rows, columns=rows.columns | {"est": patched})


def _without_ads(
    frame: Frame, codes: Codes, old: Rows, new: Rows, at: Array, changed: Array, est: Array
) -> Rows:
    """The records that are not ads, merged like ``everything``, with positions and
    indices counted without the frame's ads (``old``: the frame's records in the grown
    codes, re-estimated; ``changed`` and ``est``: the re-estimated ones)."""
    ads = frame.everything.columns["is_ad"]
    ad_rows = np.flatnonzero(ads)

    def skipping_ads(index: Array) -> Array:
        return index - np.searchsorted(ad_rows, index)

    previous = old  # the frame has no ads yet: all its records are kept
    if len(ad_rows):
        kept = ~ads[changed]
        previous = codes.translate(frame.without_ads)
        previous = _with_estimates(previous, skipping_ads(changed[kept]), est[kept])
    kept = ~new.columns["is_ad"]
    return splicing.merge(previous, new.subset(kept), skipping_ads(at[kept]))


def _monotonic(old: Rows, new: Rows, at: Array) -> bool:
    """Local dates do not decrease from the record before each new record to it, nor from
    it to the record after it."""
    day, old_day = new.columns["day"], old.columns["day"]
    previous, has_previous = splicing.before(day, old_day, at)
    following, has_following = splicing.after(day, old_day, at)
    return bool(
        np.all(~has_previous | (previous <= day)) and np.all(~has_following | (day <= following))
    )


def _months(day: Array) -> Array:
    """The month index of each local day, read from a table over the days' span."""
    if not len(day):
        return day
    first = int(day.min())
    span = np.arange(first, int(day.max()) + 1).astype("datetime64[D]")
    table = (span.astype("datetime64[M]").astype(np.int64) + 1970 * 12).astype(np.int32)
    months: Array = table[day - first]
    return months


def _topic_lists(counts: Array, codes: Array, vocabulary: tuple[str, ...]) -> tuple[Array, Array]:
    """Each record's distinct topic codes, ascending, from its topic entries' codes: how
    many per record, then the codes."""
    if not len(codes):
        return counts, codes
    bits = len(vocabulary).bit_length()  # keys are record << bits | code
    keys = np.repeat(np.arange(len(counts), dtype=np.int64) << bits, counts) | codes
    keys.sort(kind="stable")  # a timsort: keys arrive sorted but within records
    keys = keys[np.diff(keys, prepend=-1) != 0]
    distinct = (keys & ((1 << bits) - 1)).astype(np.int32)
    return np.bincount(keys >> bits, minlength=len(counts)), distinct


def _check_zone(timezone: str) -> None:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidSettings(f"timezone: {timezone!r} is not an IANA time zone name") from exc
