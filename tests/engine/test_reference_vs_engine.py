"""The engine against the slow reference on random histories: every type, every digit."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from watchcube.engine import TYPES, compute, prepare, raw_frame_from_records
from watchcube.filters import Filters
from watchcube.records import Record

from .histories import cases, histories
from .reference import aggregate

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_same(records: list[Record], chosen: Filters, timezone: str, gap: int) -> None:
    frame = prepare(raw_frame_from_records(records), timezone=timezone, session_gap_minutes=gap)
    engine = compute(frame, chosen)
    expected = aggregate(records, chosen, timezone=timezone, session_gap_minutes=gap)
    assert list(engine) == list(TYPES)
    for name in TYPES:
        assert _text(engine[name]) == _text(expected[name]), (name, chosen, timezone, gap)


def _text(data: dict[str, Any]) -> str:
    """Exact comparison including int/float distinctions (1 != 1.0 in JSON)."""
    return json.dumps(data, sort_keys=True)


@SETTINGS
@given(cases())
def test_all_types_match_the_reference(case: tuple[list[Record], str, int, Filters]) -> None:
    records, timezone, gap, chosen = case
    assert_same(records, chosen, timezone, gap)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories(max_size=60))
def test_unfiltered_histories_match_the_reference(history: tuple[list[Record], str, int]) -> None:
    records, timezone, gap = history
    assert_same(records, Filters(), timezone, gap)
    assert_same(records, Filters(include_ads=True), timezone, gap)


@settings(max_examples=60, deadline=None)
@given(cases(max_size=3))
def test_tiny_and_empty_histories_match_the_reference(
    case: tuple[list[Record], str, int, Filters],
) -> None:
    records, timezone, gap, chosen = case
    assert_same(records, chosen, timezone, gap)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 120), st.sampled_from([-1, 0, 1]))
def test_a_gap_equal_to_the_session_gap_stays_in_the_session(gap: int, nudge: int) -> None:
    first = 1_700_000_000_000_000
    records = [
        Record(first, "a", "v1", "UC1", "One"),
        Record(first + gap * 60_000_000 + nudge, "b", "v2", "UC2", "Two"),
    ]
    assert_same(records, Filters(), "UTC", gap)
    frame = prepare(raw_frame_from_records(records), timezone="UTC", session_gap_minutes=gap)
    sessions = compute(frame, Filters(), ["session_analysis"])["session_analysis"]["sessions"]
    assert sessions == (2 if nudge > 0 else 1)
