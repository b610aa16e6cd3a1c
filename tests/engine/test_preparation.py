"""Extending a frame by new records gives the frame of all the records, to the last array."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.utils.factories import at, record
from watchcube.engine import Frame, compute, extend, prepare, raw_frame_from_records
from watchcube.engine.frame import COLUMN_TYPES, Rows
from watchcube.filters import Filters
from watchcube.records import Record

from .histories import filters, histories

Split = tuple[list[Record], list[Record], list[list[Record]], str, int, Filters]


@st.composite
def splits(draw: st.DrawFn, max_size: int = 60) -> Split:
    """A history, a first part of it and the batches added later, and a filter.

    Batches take records anywhere in time (between and at the instants of older ones),
    after all the older ones (the usual write), or before them (an older export).
    """
    records, timezone, gap = draw(histories(max_size))
    batches = draw(st.integers(1, 3))
    labels = draw(st.lists(st.integers(0, batches), min_size=len(records), max_size=len(records)))
    when = draw(st.sampled_from(["anywhere", "later", "earlier"]))
    if when != "anywhere":  # records come in time order: sorted labels cut it in spans
        labels.sort(reverse=when == "earlier")
    parts = [
        [r for r, label in zip(records, labels, strict=True) if label == b]
        for b in range(batches + 1)
    ]
    chosen = draw(filters(tuple(r.watched_at_us for r in records)))
    return records, parts[0], parts[1:], timezone, gap, chosen


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(splits())
def test_an_extended_frame_is_the_frame_of_all_the_records(case: Split) -> None:
    records, first, batches, timezone, gap, chosen = case
    frame = prepare(raw_frame_from_records(first), timezone=timezone, session_gap_minutes=gap)
    before = _results(frame, chosen)
    extended = frame
    for batch in batches:
        extended = extend(extended, raw_frame_from_records(batch))
    whole = prepare(raw_frame_from_records(records), timezone=timezone, session_gap_minutes=gap)
    assert _results(extended, chosen) == _results(whole, chosen)
    assert_same_frame(extended, whole)
    # The first frame is unchanged, and extending it again (its arrays' room is taken now)
    # gives the same frame once more.
    assert _results(frame, chosen) == before
    everything_later = raw_frame_from_records([r for batch in batches for r in batch])
    assert_same_frame(extend(frame, everything_later), whole)


def test_new_records_at_an_existing_instant_go_in_history_order() -> None:
    same = "2024-05-01T10:00:00"
    first = [record(same, "vB"), record(same, None, title="removed b"), record(same, "vD")]
    later = [
        record(same, None, title="removed a"),
        record(same, "vA", channel_id="UCa", topics=("news",)),
        record(same, "vC", is_ad=True),
        record(same, "vE"),
        record("2024-05-01T10:00:01", "vF", channel_id="UC0"),
    ]
    frame = prepare(raw_frame_from_records(first), timezone="UTC", session_gap_minutes=30)
    extended = extend(frame, raw_frame_from_records(later))
    whole = prepare(raw_frame_from_records(first + later), timezone="UTC", session_gap_minutes=30)
    assert_same_frame(extended, whole)
    titles = extended.titles.gather(extended.everything.columns["row"]).to_list()
    assert titles == [
        "removed a",
        "removed b",
        "title of vA",
        "title of vB",
        "title of vC",
        "title of vD",
        "title of vE",
        "title of vF",
    ]
    assert extended.channel_ids == ("UC0", "UCa", "UCchannel1")


def test_only_the_record_before_new_ones_is_estimated_again() -> None:
    minute = 60_000_000
    first = [record("2024-05-01T10:00:00", "v1"), record("2024-05-01T11:00:00", "v2")]
    frame = prepare(raw_frame_from_records(first), timezone="UTC", session_gap_minutes=30)
    assert frame.everything.columns["est"].tolist() == [300_000_000, 300_000_000]
    later = [record("2024-05-01T10:10:00", "v3"), record("2024-05-01T11:05:00", "v4")]
    extended = extend(frame, raw_frame_from_records(later))
    assert extended.everything.columns["est"].tolist() == [
        10 * minute,
        300_000_000,  # 50 minutes to v2: over the session gap
        5 * minute,
        300_000_000,  # the last record
    ]
    assert frame.everything.columns["est"].tolist() == [300_000_000, 300_000_000]


def test_extending_by_nothing_or_unsorted_records() -> None:
    first = [record("2024-05-01T10:00:00", "v1")]
    frame = prepare(raw_frame_from_records(first), timezone="UTC", session_gap_minutes=30)
    assert extend(frame, raw_frame_from_records([])) is frame
    later = [record("2024-05-03T10:00:00", "v3"), record("2024-05-02T10:00:00", "v2")]
    shuffled = raw_frame_from_records(later).reverse()
    extended = extend(frame, shuffled)
    assert extended.everything.columns["ts"].tolist() == sorted(
        at(f"2024-05-0{day}T10:00:00") for day in (1, 2, 3)
    )


def assert_same_frame(got: Frame, expected: Frame) -> None:
    """Same arrays, codes and vocabularies; records may have arrived in another order
    (``row``) and videos got their codes in another order."""
    for name in ("channel_ids", "topic_names", "videos", "timezone", "days_monotonic"):
        assert getattr(got, name) == getattr(expected, name), name
    for frame in (got, expected):
        assert frame.videos == len(set(frame.video_ids.to_list()))  # one code per video
    _same_rows(got, got.everything, expected, expected.everything)
    _same_rows(got, got.without_ads, expected, expected.without_ads)
    assert (got.without_ads is got.everything) == (expected.without_ads is expected.everything)


def _same_rows(got_frame: Frame, got: Rows, expected_frame: Frame, expected: Rows) -> None:
    for name in got.columns.keys() | expected.columns.keys():
        assert got.columns[name].dtype == expected.columns[name].dtype, name
        if name not in ("row", "vid"):
            np.testing.assert_array_equal(got.columns[name], expected.columns[name], name)
    assert set(got.columns) == {*COLUMN_TYPES, "tagged"}
    for name in ("topic_start", "topic_code", "topic_row", "topic_channel", "topic_month"):
        np.testing.assert_array_equal(getattr(got, name), getattr(expected, name), name)
    assert _strings(got_frame, got) == _strings(expected_frame, expected)


def _strings(frame: Frame, rows: Rows) -> list[tuple[Any, ...]]:
    """Each record's video id, channel name and title, in history order."""
    videos = [None, *frame.video_ids.to_list()]
    at_rows = pl.Series(rows.columns["row"])
    return list(
        zip(
            [videos[code] for code in rows.columns["vid"].tolist()],
            frame.names.gather(at_rows).to_list(),
            frame.titles.gather(at_rows).to_list(),
            strict=True,
        )
    )


def _results(frame: Frame, chosen: Filters) -> str:
    return json.dumps(compute(frame, chosen), sort_keys=True)
