"""Every internal strategy gives the reference's answer, not only the one the data picks.

The engine chooses between equivalent ways of counting (bitmaps or sorting, bitsets or
pair enumeration, one or two candidate rounds) by cost; these tests force each choice.
"""

from __future__ import annotations

from unittest import mock

from hypothesis import given, settings

from watchcube.engine import counting, relationships
from watchcube.filters import Filters
from watchcube.records import Record

from .histories import cases
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
