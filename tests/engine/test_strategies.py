"""Every internal strategy gives the reference's answer, not only the one the data picks.

The engine chooses between equivalent ways of counting (bitmaps or sorting, bitsets or
pair enumeration, one or two candidate rounds) by cost; these tests force each choice.
Video ids are encoded by their hashes unless two share one; a weak hash forces that.
"""

from __future__ import annotations

from unittest import mock

import polars as pl
from hypothesis import given, settings

from watchcube.engine import (
    counting,
    encoding,
    extend,
    prepare,
    raw_frame_from_records,
    relationships,
)
from watchcube.filters import Filters
from watchcube.records import Record

from .histories import cases
from .test_preparation import Split, assert_same_frame, splits
from .test_reference_vs_engine import assert_same

CASES = settings(max_examples=30, deadline=None)


@CASES
@given(cases(max_size=50))
def test_sorting_instead_of_bitmaps(case: tuple[list[Record], str, int, Filters]) -> None:
    records, timezone, gap, chosen = case
    with mock.patch.object(counting, "DENSE_CELLS", 0):
        assert_same(records, chosen, timezone, gap)


@CASES
@given(cases(max_size=50))
def test_pairs_by_bitsets(case: tuple[list[Record], str, int, Filters]) -> None:
    records, timezone, gap, chosen = case
    with mock.patch.object(relationships, "_bitsets_are_cheaper", return_value=True):
        assert_same(records, chosen, timezone, gap)


@CASES
@given(cases(max_size=50))
def test_pairs_by_enumeration(case: tuple[list[Record], str, int, Filters]) -> None:
    records, timezone, gap, chosen = case
    with mock.patch.object(relationships, "_bitsets_are_cheaper", return_value=False):
        assert_same(records, chosen, timezone, gap)


@CASES
@given(cases(max_size=60))
def test_a_second_candidate_round_within_the_pool(
    case: tuple[list[Record], str, int, Filters],
) -> None:
    records, timezone, gap, chosen = case
    with (
        mock.patch.object(relationships, "FIRST_ROUND_PER_EDGE", 0),
        mock.patch.object(relationships, "MIN_CANDIDATES", 2),
    ):
        assert_same(records, chosen, timezone, gap)


@CASES
@given(cases(max_size=60))
def test_a_second_candidate_round_beyond_the_pool(
    case: tuple[list[Record], str, int, Filters],
) -> None:
    records, timezone, gap, chosen = case
    with (
        mock.patch.object(relationships, "FIRST_ROUND_PER_EDGE", 0),
        mock.patch.object(relationships, "POOL_PER_EDGE", 0),
        mock.patch.object(relationships, "MIN_CANDIDATES", 2),
    ):
        assert_same(records, chosen, timezone, gap)


def _weak_hash(values: pl.Expr) -> pl.Expr:
    """A hash that most video ids share (the histories' ids have 4 or 5 characters)."""
    return values.str.len_bytes().cast(pl.UInt64)


@CASES
@given(cases(max_size=50))
def test_video_ids_sharing_a_hash(case: tuple[list[Record], str, int, Filters]) -> None:
    records, timezone, gap, chosen = case
    with mock.patch.object(encoding, "_hash", _weak_hash):
        assert_same(records, chosen, timezone, gap)


@CASES
@given(splits())
def test_extending_with_video_ids_sharing_a_hash(case: Split) -> None:
    records, first, batches, timezone, gap, _ = case
    whole = prepare(raw_frame_from_records(records), timezone=timezone, session_gap_minutes=gap)
    with mock.patch.object(encoding, "_hash", _weak_hash):
        frame = prepare(raw_frame_from_records(first), timezone=timezone, session_gap_minutes=gap)
        for batch in batches:
            frame = extend(frame, raw_frame_from_records(batch))
    assert_same_frame(frame, whole)
