"""Hand-computed results of the ten types on a small history, and the registry's contract."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.utils.factories import at
from watchcube.engine import TYPES, check_types, compute, prepare, raw_frame_from_records
from watchcube.errors import NotFound
from watchcube.filters import Filters, parse
from watchcube.records import Record

# Monday 2024-01-01 (UTC): a session of three (gaps of 30 min exactly), one of two
# (longer in time), and a lone ad; then Saturday 2024-01-06 at 02:00, one record.
HISTORY = [
    Record(at("2024-01-01T10:00:00"), "a", "v1", "UCa", "Old A", topics=("music", "news")),
    Record(at("2024-01-01T10:30:00"), "b", "v2", "UCb", "B", topics=("music",)),
    Record(at("2024-01-01T11:00:00"), "c", "v1", "UCa", "New A"),
    Record(at("2024-01-01T11:45:00"), "ad", is_ad=True),
    Record(at("2024-01-01T14:00:00"), "d", "v3", "UCb", "B", duration_s=60.0),
    Record(at("2024-01-01T14:30:00"), "e", None, None, None),
    Record(at("2024-01-06T02:00:00"), "f", "v4", "UCc", "C", topics=("news",)),
]


@pytest.fixture(scope="module")
def data() -> dict[str, dict[str, Any]]:
    frame = prepare(raw_frame_from_records(HISTORY), timezone="UTC", session_gap_minutes=30)
    return compute(frame, Filters())


def test_kpi(data: dict[str, dict[str, Any]]) -> None:
    assert data["kpi"] == {
        "total_videos": 6,
        "unique_videos": 4,
        "unique_channels": 3,
        "active_days": 2,
        "first_watched_at": "2024-01-01T10:00:00.000Z",
        "last_watched_at": "2024-01-06T02:00:00.000Z",
        "avg_videos_per_active_day": 3.0,
        # 1800 + 1800 + 300 (the next record, an ad, is 45 min away) + 60 (known
        # duration) + 300 (next record days away) + 300 (the last record) seconds
        "est_watch_hours": round(4560 / 3600, 2),
        "longest_streak_days": 1,
        "rewatches": 1,
    }


def test_sessions(data: dict[str, dict[str, Any]]) -> None:
    assert data["session_analysis"] == {
        "sessions": 3,
        "avg_videos_per_session": 2.0,
        "median_videos_per_session": 2.0,
        "avg_session_minutes": 30.0,
        "longest_session": {
            "start": "2024-01-01T10:00:00.000Z",
            "end": "2024-01-01T11:00:00.000Z",
            "videos": 3,
        },
        "histogram": [
            {"bucket": "1", "sessions": 1},
            {"bucket": "2-3", "sessions": 2},
            {"bucket": "4-6", "sessions": 0},
            {"bucket": "7-10", "sessions": 0},
            {"bucket": "11+", "sessions": 0},
        ],
        "by_start_hour": [0, 0, 1] + [0] * 7 + [1, 0, 0, 0, 1] + [0] * 9,
    }


def test_patterns_and_heatmap(data: dict[str, dict[str, Any]]) -> None:
    patterns = data["viewing_patterns"]
    assert patterns["by_weekday"] == [5, 0, 0, 0, 0, 1, 0]
    assert patterns["weekday_avg_per_day"] == 1.0  # 5 videos over Mon..Fri
    assert patterns["weekend_avg_per_day"] == 1.0  # 1 video over Saturday only
    assert (patterns["peak_hour"], patterns["peak_weekday"]) == (10, 0)
    assert patterns["night_share"] == round(1 / 6, 4)
    assert patterns["busiest_day"] == {"date": "2024-01-01", "videos": 5}
    heatmap = data["day_time_heatmap"]
    assert heatmap["cells"][5][2] == 1 and heatmap["max"] == 2 and heatmap["total"] == 6


def test_channels_topics_and_relationships(data: dict[str, dict[str, Any]]) -> None:
    top = data["top_channels"]
    assert [c["channel_id"] for c in top["channels"]] == ["UCa", "UCb", "UCc"]  # ties by id
    assert top["channels"][0]["channel_name"] == "New A"  # the name on the latest record
    assert top["channels"][0]["share"] == round(2 / 6, 4)
    leaderboard = data["topics_leaderboard"]
    assert leaderboard["topics"] == [
        {"topic": "music", "videos": 2, "share": round(2 / 6, 4), "unique_channels": 2},
        {"topic": "news", "videos": 2, "share": round(2 / 6, 4), "unique_channels": 2},
    ]
    assert leaderboard["untagged_videos"] == 3
    edges = data["channel_relationships"]["edges"]
    assert edges == [{"source": "UCa", "target": "UCb", "sessions_together": 1, "jaccard": 0.5}]
    enhanced = data["enhanced_channel_metrics"]["channels"][0]
    assert (enhanced["loyalty"], enhanced["recent_90d"], enhanced["previous_90d"]) == (1.0, 2, 0)
    assert data["topic_evolution"] == {
        "months": ["2024-01"],
        "series": [{"topic": "music", "videos": [2]}, {"topic": "news", "videos": [2]}],
    }


def test_empty_result_gives_zeros_and_nulls() -> None:
    frame = prepare(raw_frame_from_records(HISTORY), timezone="UTC", session_gap_minutes=30)
    empty = compute(frame, parse({"year": "2019"}))
    assert empty["kpi"]["first_watched_at"] is None and empty["kpi"]["est_watch_hours"] == 0.0
    assert empty["session_analysis"]["longest_session"] is None
    assert empty["viewing_patterns"]["busiest_day"] is None
    assert empty["monthly_trend"] == {"months": []}
    assert empty["day_time_heatmap"]["max"] == 0
    json.dumps(empty)


def test_every_type_is_json_and_subsets_keep_the_requested_order() -> None:
    frame = prepare(raw_frame_from_records(HISTORY), timezone="UTC", session_gap_minutes=30)
    everything = compute(frame, Filters(include_ads=True))
    assert list(everything) == list(TYPES) and len(TYPES) == 10
    assert json.loads(json.dumps(everything)) == everything
    assert list(compute(frame, Filters(), ["topic_evolution", "kpi"])) == ["topic_evolution", "kpi"]


def test_unknown_types_are_not_found() -> None:
    with pytest.raises(NotFound, match="kpis"):
        check_types(["kpi", "kpis"])
