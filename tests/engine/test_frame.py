"""The raw frame contract and the prepared frame: local time, codes, estimated watch time."""

from __future__ import annotations

import polars as pl
import pytest

from tests.utils.factories import at, record
from watchcube.engine import compute
from watchcube.engine.frame import month_text, raw_frame_from_records
from watchcube.engine.preparation import prepare
from watchcube.errors import InvalidSettings
from watchcube.filters import parse
from watchcube.records import RAW_SCHEMA, Record

MINUTE = 60_000_000


def test_raw_frame_has_the_store_schema_and_history_order() -> None:
    same = at("2024-03-01T10:00:00")
    records = [
        record("2024-03-01T11:00:00", "v9"),
        record("2024-03-01T10:00:00", "vB", title="x"),
        Record(same, "removed b"),
        Record(same, "removed a"),
        record("2024-03-01T10:00:00", "vA", title="y", topics=("music",)),
    ]
    raw = raw_frame_from_records(records)
    assert raw.schema == RAW_SCHEMA
    assert raw["video_id"].to_list() == [None, None, "vA", "vB", "v9"]
    assert raw["title"].to_list()[:2] == ["removed a", "removed b"]
    assert raw["topics"].to_list()[2] == ["music"]
    assert raw_frame_from_records([]).schema == RAW_SCHEMA


def test_local_columns_follow_daylight_saving_time() -> None:
    # Berlin leaves CET for CEST at 01:00 UTC on 2023-03-26.
    records = [record("2023-03-26T00:59:59"), record("2023-03-26T01:00:00", "v2")]
    frame = prepare(
        raw_frame_from_records(records), timezone="Europe/Berlin", session_gap_minutes=30
    )
    assert frame.everything.columns["hour"].tolist() == [1, 3]
    assert frame.everything.columns["slot"].tolist() == [6 * 24 + 1, 6 * 24 + 3]  # a Sunday
    assert [month_text(m) for m in frame.everything.columns["month"].tolist()] == [
        "2023-03",
        "2023-03",
    ]
    assert frame.days_monotonic


def test_local_dates_can_run_backwards_and_filters_still_hold() -> None:
    # Casey station went from UTC+11 to UTC+8 at 02:00 local on 2010-03-05: back to the 4th.
    records = [record("2010-03-04T14:30:00"), record("2010-03-04T15:30:00", "v2")]
    frame = prepare(
        raw_frame_from_records(records), timezone="Antarctica/Casey", session_gap_minutes=30
    )
    assert not frame.days_monotonic
    only_the_4th = compute(frame, parse({"start": "2010-03-04", "end": "2010-03-04"}), ["kpi"])
    assert only_the_4th["kpi"]["total_videos"] == 1
    assert only_the_4th["kpi"]["last_watched_at"] == "2010-03-04T15:30:00.000Z"


def test_estimated_watch_time_uses_the_whole_history() -> None:
    base = at("2024-01-01T12:00:00")
    records = [
        Record(base, "known", "v1", duration_s=42.5),
        Record(base + 10 * MINUTE, "gap", "v2"),
        Record(base + 40 * MINUTE, "ad", is_ad=True),  # an ad still ends the previous gap
        Record(base + 70 * MINUTE + 1, "long gap", "v3"),
        Record(base + 71 * MINUTE, "last", "v4"),
    ]
    frame = prepare(raw_frame_from_records(records), timezone="UTC", session_gap_minutes=30)
    assert frame.everything.columns["est"].tolist() == [
        42_500_000,
        30 * MINUTE,  # exactly the session gap: still the gap
        300_000_000,  # just over the session gap: the fallback
        MINUTE - 1,
        300_000_000,  # the last record of the history
    ]


def test_channel_and_topic_codes_follow_id_order_and_missing_videos_are_code_0() -> None:
    records = [
        record("2024-01-01T00:00:00", "v1", channel_id="UCb", topics=("news", "music")),
        record("2024-01-01T00:01:00", "v2", channel_id="UCa", topics=()),
        Record(at("2024-01-01T00:02:00"), "removed"),
    ]
    frame = prepare(raw_frame_from_records(records), timezone="UTC", session_gap_minutes=30)
    assert frame.channel_ids == ("UCa", "UCb")
    assert frame.everything.columns["ch"].tolist() == [1, 0, 2]
    assert frame.everything.columns["ch"].tolist()[2] == len(frame.channel_ids)
    assert frame.everything.columns["vid"].tolist()[2] == 0
    assert sorted(frame.everything.columns["vid"].tolist()[:2]) == [1, 2] == [1, frame.videos]
    assert frame.topic_names == ("music", "news")
    assert frame.everything.topic_code.tolist() == [0, 1]
    assert frame.everything.topic_start.tolist() == [0, 2, 2, 2]
    assert frame.everything.columns["tagged"].tolist() == [True, False, False]


def test_unsorted_raw_frames_are_sorted_and_unknown_zones_refused() -> None:
    raw = raw_frame_from_records(
        [record("2024-01-02T00:00:00"), record("2024-01-01T00:00:00", "v2")]
    )
    shuffled = raw.reverse()
    frame = prepare(shuffled, timezone="UTC", session_gap_minutes=30)
    assert frame.everything.columns["ts"].tolist() == sorted(
        frame.everything.columns["ts"].tolist()
    )
    with pytest.raises(InvalidSettings):
        prepare(raw, timezone="Mars/Olympus", session_gap_minutes=30)


def test_estimated_bytes_grows_with_the_history() -> None:
    small = prepare(
        raw_frame_from_records([record("2024-01-01T00:00:00")]),
        timezone="UTC",
        session_gap_minutes=30,
    )
    many = [record(f"2024-01-01T00:{m:02d}:00", f"v{m}") for m in range(60)]
    large = prepare(raw_frame_from_records(many), timezone="UTC", session_gap_minutes=30)
    assert 0 < small.estimated_bytes() < large.estimated_bytes()
    assert isinstance(large.names, pl.Series)
