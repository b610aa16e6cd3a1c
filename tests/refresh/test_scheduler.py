"""The scheduler's rule: which stored results a change can affect."""

from __future__ import annotations

from datetime import date

import pytest

from tests.utils.factories import at
from watchcube.filters import Filters, parse
from watchcube.refresh.scheduler import affects, instant_range, unaffected
from watchcube.store.changelog import Change

YEAR_2023 = parse({"year": "2023"})


def insert(version: int, low: str, high: str | None = None) -> Change:
    return Change(version, "insert", 1, at(low), at(high or low))


def test_instant_range_uses_local_midnights() -> None:
    low, high = instant_range(YEAR_2023, "Europe/Berlin")
    assert low == at("2022-12-31T23:00:00")
    assert high == at("2023-12-31T23:00:00")
    assert instant_range(Filters(), "UTC") == (None, None)


def test_changes_outside_the_range_do_not_affect_it() -> None:
    window = instant_range(YEAR_2023, "UTC")
    assert not affects(insert(2, "2026-05-01T12:00:00"), "kpi", window, 30)
    assert not affects(insert(2, "2022-06-01T12:00:00"), "kpi", window, 30)
    assert affects(insert(2, "2023-06-01T12:00:00"), "kpi", window, 30)
    assert affects(insert(2, "2022-06-01T00:00:00", "2026-01-01T00:00:00"), "kpi", window, 30)


def test_a_change_reaches_one_session_gap_back() -> None:
    """Estimated watch time reads the next record: a record just after the range changes the
    estimate of the range's last record when it is within one session gap."""
    window = instant_range(YEAR_2023, "UTC")
    just_after = insert(2, "2024-01-01T00:29:59")
    assert affects(just_after, "kpi", window, 30)
    assert not affects(just_after, "kpi", window, 29)
    assert not affects(insert(2, "2024-01-01T00:30:00"), "kpi", window, 30)


def test_all_time_results_see_every_change() -> None:
    assert affects(insert(2, "2030-01-01T00:00:00"), "top_channels", (None, None), 30)


def test_settings_changes_affect_everything() -> None:
    window = instant_range(YEAR_2023, "UTC")
    assert affects(Change(3, "settings", 0, None, None), "kpi", window, 30)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ([insert(2, "2026-01-01T00:00:00"), insert(3, "2026-02-01T00:00:00")], True),
        ([insert(2, "2026-01-01T00:00:00"), insert(3, "2023-02-01T00:00:00")], False),
        ([insert(3, "2026-02-01T00:00:00")], False),  # version 2 was cleaned up: unknown
    ],
)
def test_unaffected_needs_every_change_in_between(changes: list[Change], expected: bool) -> None:
    window = instant_range(YEAR_2023, "UTC")
    assert unaffected(changes, 1, 3, "kpi", window, 30) is expected


def test_quarter_filters_are_ranges() -> None:
    window = instant_range(parse({"year": "2023", "quarter": "2"}), "UTC")
    assert window == (at("2023-04-01T00:00:00"), at("2023-07-01T00:00:00"))
    assert (
        Filters(start=date(2023, 4, 1), end=date(2023, 6, 30)).filter_hash()
        == parse({"year": "2023", "quarter": "2"}).filter_hash()
    )
