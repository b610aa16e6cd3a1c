"""The columnar frame: raw records in, a prepared frame of small integers out.

``prepare`` runs once per (user, data_version, timezone, session gap) and does everything
a query should never redo: the time-zone conversion (the most expensive step), the
estimated watch time of every record over the whole history, and dictionary encoding of
channels, videos and topics as integers. Channel and topic codes follow the sorted order of
their ids, so "ties by id ascending" is simply "ties by code ascending".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from watchcube import defaults
from watchcube.errors import InvalidSettings
from watchcube.records import US_PER_SECOND, Record

RAW_SCHEMA: Final = pl.Schema(
    {
        "watched_at": pl.Datetime("us", "UTC"),
        "video_id": pl.String,
        "title": pl.String,
        "channel_id": pl.String,
        "channel_name": pl.String,
        "product": pl.String,
        "topics": pl.List(pl.String),
        "is_ad": pl.Boolean,
        "duration_s": pl.Float64,
    }
)
RAW_ORDER: Final = ("watched_at", "video_id", "title")
DAY_US: Final = 86_400 * US_PER_SECOND
HOUR_US: Final = 3_600 * US_PER_SECOND
FALLBACK_US: Final = defaults.FALLBACK_WATCH_SECONDS * US_PER_SECOND
EPOCH_WEEKDAY: Final = 3  # 1970-01-01, day 0, was a Thursday
_CODE: Final = pl.UInt32


@dataclass(frozen=True, eq=False)
class Frame:
    """One user's history, prepared for a time zone and a session gap.

    ``table`` has one row per record in history order: ``ts`` (UTC epoch microseconds),
    ``day`` (local days since 1970-01-01), ``month`` (local ``year * 12 + month - 1``),
    ``hour``, ``weekday`` (0 = Monday), ``slot`` (``weekday * 24 + hour``), ``ch``
    (channel code, null without channel), ``vid`` (video code), ``music`` (product is
    YouTube Music), ``is_ad``, ``est`` (estimated watch microseconds), ``topics`` (distinct
    topic codes), ``name`` (the channel name on the record) and ``row`` (its index).
    """

    table: pl.DataFrame
    channel_ids: tuple[str, ...]
    topic_names: tuple[str, ...]
    timezone: str
    session_gap_minutes: int
    # Local dates never decrease along the history (false only in zones whose clocks
    # jump back across midnight), so a date filter is a contiguous row range.
    days_monotonic: bool

    @property
    def height(self) -> int:
        return self.table.height

    @property
    def gap_us(self) -> int:
        return self.session_gap_minutes * 60 * US_PER_SECOND

    def estimated_bytes(self) -> int:
        """Memory held by the frame, for the cache's budget."""
        strings = sum(len(text) + 48 for text in self.channel_ids + self.topic_names)
        return int(self.table.estimated_size()) + strings


def raw_frame_from_records(records: Iterable[Record]) -> pl.DataFrame:
    """The store's raw frame (``RAW_SCHEMA``, history order) built from records in memory."""
    rows = list(records)
    columns = {
        "watched_at": [r.watched_at_us for r in rows],
        "video_id": [r.video_id for r in rows],
        "title": [r.title for r in rows],
        "channel_id": [r.channel_id for r in rows],
        "channel_name": [r.channel_name for r in rows],
        "product": [r.product for r in rows],
        "topics": [list(r.topics) for r in rows],
        "is_ad": [r.is_ad for r in rows],
        "duration_s": [r.duration_s for r in rows],
    }
    schema = RAW_SCHEMA | {"watched_at": pl.Int64}
    frame = pl.DataFrame(columns, schema=schema).with_columns(
        pl.col("watched_at").cast(RAW_SCHEMA["watched_at"])
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
    gap_us = session_gap_minutes * 60 * US_PER_SECOND
    channel_ids = _vocabulary(raw["channel_id"])
    topic_names = _vocabulary(raw["topics"].explode())
    local_us = (
        pl.col("watched_at").dt.convert_time_zone(timezone).dt.replace_time_zone(None).dt.epoch()
    )
    day = pl.col("local").floordiv(DAY_US)
    ts = pl.col("watched_at").dt.epoch()
    gap = ts.shift(-1) - ts
    table = (
        raw.lazy()
        .with_columns(local=local_us)
        .select(
            ts=ts.set_sorted(),
            day=day.cast(pl.Int32),
            month=_month_index(day.cast(pl.Int32).cast(pl.Date)),
            hour=pl.col("local").floordiv(HOUR_US).mod(24).cast(pl.Int8),
            weekday=day.add(EPOCH_WEEKDAY).mod(7).cast(pl.Int8),
            ch=_encode(pl.col("channel_id"), channel_ids),
            vid=_encode_dense(pl.col("video_id")),
            music=pl.col("product") == "youtube_music",
            is_ad=pl.col("is_ad"),
            est=pl.when(pl.col("duration_s").is_not_null())
            .then((pl.col("duration_s") * US_PER_SECOND).round(0).cast(pl.Int64))
            .when(gap <= gap_us)
            .then(gap)
            .otherwise(FALLBACK_US),
            topics=pl.col("topics")
            .list.eval(_encode(pl.element(), topic_names).drop_nulls().unique().sort())
            .cast(pl.List(_CODE)),
            name=pl.col("channel_name"),
            row=pl.int_range(pl.len(), dtype=pl.UInt32),
        )
        .with_columns(slot=pl.col("weekday").cast(pl.Int16) * 24 + pl.col("hour"))
        .collect()
    )
    return Frame(
        table=table,
        channel_ids=channel_ids,
        topic_names=topic_names,
        timezone=timezone,
        session_gap_minutes=session_gap_minutes,
        days_monotonic=table["day"].is_sorted(),
    )


def month_text(index: int) -> str:
    """``YYYY-MM`` of a month index (``year * 12 + month - 1``)."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _check_zone(timezone: str) -> None:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidSettings(f"timezone: {timezone!r} is not an IANA time zone name") from exc


def _vocabulary(values: pl.Series) -> tuple[str, ...]:
    return tuple(values.drop_nulls().unique().sort().to_list())


def _encode(values: pl.Expr, vocabulary: tuple[str, ...]) -> pl.Expr:
    """Codes in the sorted vocabulary's order, so code order is id order."""
    return values.cast(pl.Enum(vocabulary)).to_physical().cast(_CODE)


def _encode_dense(values: pl.Expr) -> pl.Expr:
    """Distinct integers for distinct values (order irrelevant): only counted, never shown."""
    return values.rank("dense").cast(_CODE)


def _month_index(date: pl.Expr) -> pl.Expr:
    return (date.dt.year() * 12 + date.dt.month() - 1).cast(pl.Int32)
