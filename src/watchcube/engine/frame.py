"""The columnar frame: raw records in, a prepared frame of small integers out.

``prepare`` runs once per (user, data_version, timezone, session gap) and does everything
a query should never redo: the time-zone conversion (the most expensive step), the
estimated watch time of every record over the whole history, and dictionary encoding of
channels, videos and topics as dense integers. Polars does this work; the result is a set
of contiguous NumPy arrays, because the aggregations are counts over bounded integer
domains, where ``bincount`` and bitmaps beat hashing by an order of magnitude.

Channel and topic codes follow the sorted order of their ids, so "ties by id ascending"
is "ties by code ascending". A missing channel or video is the code one past the last.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt
import polars as pl

from watchcube import defaults
from watchcube.errors import InvalidSettings
from watchcube.records import US_PER_SECOND, Record

RAW_SCHEMA: Final = pl.Schema(
    {
        "watched_at": pl.Datetime("us", "UTC"),
        "video_id": pl.String(),
        "title": pl.String(),
        "channel_id": pl.String(),
        "channel_name": pl.String(),
        "product": pl.String(),
        "topics": pl.List(pl.String()),
        "is_ad": pl.Boolean(),
        "duration_s": pl.Float64(),
    }
)
RAW_ORDER: Final = ("watched_at", "video_id", "title")
DAY_US: Final = 86_400 * US_PER_SECOND
HOUR_US: Final = 3_600 * US_PER_SECOND
FALLBACK_US: Final = defaults.FALLBACK_WATCH_SECONDS * US_PER_SECOND
EPOCH_WEEKDAY: Final = 3  # 1970-01-01, day 0, was a Thursday

Array = npt.NDArray[Any]


@dataclass(frozen=True, eq=False)
class Rows:
    """Some records of a history (all of them, or all but the ads), in history order.

    ``columns`` holds one array per record field: ``row`` (the record's row in the whole
    history), ``ts`` (UTC epoch microseconds), ``day`` (local days since 1970-01-01),
    ``month`` (local ``year * 12 + month - 1``), ``hour``, ``slot`` (``weekday * 24 +
    hour``, weekday 0 = Monday), ``ch`` (channel code), ``vid`` (video code), ``music``
    (product is YouTube Music), ``is_ad``, ``est`` (estimated watch microseconds) and
    ``tagged`` (has a topic). Topics are in compressed rows: the distinct topic codes of
    record ``i`` are ``topic_code[topic_start[i]:topic_start[i + 1]]``; ``topic_row``,
    ``topic_channel`` and ``topic_month`` give each entry's record (an index into these
    rows) and that record's ``ch`` and ``month``, so topic counts never gather.
    """

    columns: dict[str, Array]
    topic_start: Array
    topic_code: Array
    topic_row: Array
    topic_channel: Array
    topic_month: Array

    @classmethod
    def build(cls, columns: dict[str, Array], topic_counts: Array, topic_code: Array) -> Rows:
        topic_row = np.repeat(np.arange(len(topic_counts), dtype=np.int32), topic_counts)
        return cls(
            columns=columns | {"tagged": topic_counts > 0},
            topic_start=np.concatenate(([0], np.cumsum(topic_counts, dtype=np.int64))),
            topic_code=topic_code,
            topic_row=topic_row,
            topic_channel=columns["ch"][topic_row],
            topic_month=columns["month"][topic_row],
        )

    def subset(self, keep: Array) -> Rows:
        """The rows where ``keep`` is true, with their topics."""
        columns = {name: values[keep] for name, values in self.columns.items()}
        return Rows.build(
            columns, np.diff(self.topic_start)[keep], self.topic_code[keep[self.topic_row]]
        )

    @property
    def nbytes(self) -> int:
        arrays = [*self.columns.values(), self.topic_start, self.topic_code, self.topic_row]
        return sum(a.nbytes for a in arrays) + self.topic_channel.nbytes + self.topic_month.nbytes


@dataclass(frozen=True, eq=False)
class Frame:
    """One user's history, prepared for a time zone and a session gap.

    ``everything`` holds every record; ``without_ads`` the records that are not ads, the
    base of every filter without ``include_ads`` (the same object when there are no ads),
    so that the common filters select a contiguous slice and copy nothing.
    """

    everything: Rows
    without_ads: Rows
    names: pl.Series  # channel name on each record, read only for the few shown
    channel_ids: tuple[str, ...]
    topic_names: tuple[str, ...]
    videos: int
    timezone: str
    session_gap_minutes: int
    # Local dates never decrease along the history (false only in zones whose clocks
    # jump back across midnight), so a date filter is a contiguous row range.
    days_monotonic: bool

    @property
    def height(self) -> int:
        return len(self.everything.columns["ts"])

    @property
    def gap_us(self) -> int:
        return self.session_gap_minutes * 60 * US_PER_SECOND

    def estimated_bytes(self) -> int:
        """Memory held by the frame, for the cache's budget."""
        rows = self.everything.nbytes
        if self.without_ads is not self.everything:
            rows += self.without_ads.nbytes
        strings = sum(len(text) + 56 for text in self.channel_ids + self.topic_names)
        return rows + int(self.names.estimated_size()) + strings


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
    return frame.sort(RAW_ORDER, nulls_last=False, maintain_order=True)


def prepare(raw: pl.DataFrame, *, timezone: str, session_gap_minutes: int) -> Frame:
    """The prepared frame of a raw frame (``RAW_SCHEMA``) for one time zone and session gap.

    The raw frame is trusted to be in history order when its instants are sorted (the
    store sorts ties by video id then title); otherwise it is sorted here.
    """
    _check_zone(timezone)
    if not raw["watched_at"].is_sorted():
        raw = raw.sort(RAW_ORDER, nulls_last=False, maintain_order=True)
    channel_ids = _vocabulary(raw["channel_id"])
    topic_names = _vocabulary(raw["topics"].explode())
    video_ids = raw["video_id"].drop_nulls().unique()
    query = raw.lazy().select(
        _local_columns(timezone),
        ch=_encode(pl.col("channel_id"), channel_ids),
        vid=pl.col("video_id")
        .replace_strict(
            video_ids, pl.int_range(video_ids.len(), eager=True), default=video_ids.len()
        )
        .cast(pl.Int32),
        music=pl.col("product") == "youtube_music",
        is_ad=pl.col("is_ad"),
        est=_estimated_watch_us(session_gap_minutes * 60 * US_PER_SECOND),
        topics=pl.col("topics").list.eval(_encode(pl.element(), topic_names).unique().sort()),
    )
    table = query.unnest("local").collect()
    columns = {
        name: table[name].to_numpy()
        for name in ("ts", "day", "month", "hour", "slot", "ch", "vid", "music", "is_ad", "est")
    }
    columns["row"] = np.arange(table.height, dtype=np.int64)
    everything = Rows.build(
        columns,
        table["topics"].list.len().fill_null(0).to_numpy(),
        table["topics"].explode().drop_nulls().to_numpy(),
    )
    ads = columns["is_ad"]
    return Frame(
        everything=everything,
        without_ads=everything.subset(~ads) if ads.any() else everything,
        names=raw["channel_name"],
        channel_ids=channel_ids,
        topic_names=topic_names,
        videos=video_ids.len(),
        timezone=timezone,
        session_gap_minutes=session_gap_minutes,
        days_monotonic=bool(np.all(np.diff(columns["day"]) >= 0)),
    )


def month_text(index: int) -> str:
    """``YYYY-MM`` of a month index (``year * 12 + month - 1``)."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _local_columns(timezone: str) -> pl.Expr:
    """``ts`` and the local calendar fields, from one time-zone conversion."""
    at = pl.col("watched_at")
    local = at.dt.convert_time_zone(timezone).dt.replace_time_zone(None).dt.epoch()
    day = local.floordiv(DAY_US).cast(pl.Int32)
    date = day.cast(pl.Date)
    hour = local.floordiv(HOUR_US).mod(24).cast(pl.Int16)
    return pl.struct(
        ts=at.dt.epoch(),
        day=day,
        month=(date.dt.year() * 12 + date.dt.month() - 1).cast(pl.Int32),
        hour=hour,
        slot=day.add(EPOCH_WEEKDAY).mod(7).cast(pl.Int16) * 24 + hour,
    ).alias("local")


def _estimated_watch_us(gap_us: int) -> pl.Expr:
    """``duration_s`` if known; else the gap to the next record when it is at most the
    session gap; else (also for the last record) the fallback of 300 s."""
    ts = pl.col("watched_at").dt.epoch()
    gap = ts.shift(-1) - ts
    return (
        pl.when(pl.col("duration_s").is_not_null())
        .then((pl.col("duration_s") * US_PER_SECOND).round(0).cast(pl.Int64))
        .when(gap <= gap_us)
        .then(gap)
        .otherwise(FALLBACK_US)
    )


def _check_zone(timezone: str) -> None:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidSettings(f"timezone: {timezone!r} is not an IANA time zone name") from exc


def _vocabulary(values: pl.Series) -> tuple[str, ...]:
    return tuple(values.drop_nulls().unique().sort().to_list())


def _encode(values: pl.Expr, vocabulary: tuple[str, ...]) -> pl.Expr:
    """Codes in the sorted vocabulary's order; a missing value is ``len(vocabulary)``."""
    codes = values.cast(pl.Enum(vocabulary)).to_physical().cast(pl.Int32)
    return codes.fill_null(len(vocabulary))
