"""Hand-checkable figures on a real Takeout export, against one-line counts of the JSON."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from watchcube.engine import compute, prepare, raw_frame_from_records
from watchcube.filters import Filters, parse
from watchcube.records import Record, parse_instant


def _records(entries: list[dict[str, Any]]) -> list[Record]:
    """Minimal reading: watch entries only, video id from the URL, channel from subtitles."""
    records = []
    for entry in entries:
        if not entry["title"].startswith("Watched "):
            continue
        url = entry.get("titleUrl", "")
        channel = (entry.get("subtitles") or [{}])[0]
        records.append(
            Record(
                watched_at_us=parse_instant(entry["time"]),
                title=entry["title"].removeprefix("Watched "),
                video_id=url.split("v=", 1)[1] if "v=" in url else None,
                channel_id=channel.get("url", "").rsplit("/", 1)[-1] or None,
                channel_name=channel.get("name"),
            )
        )
    return records


@pytest.fixture(scope="module")
def export(takeout_dir: Path) -> tuple[list[dict[str, Any]], list[Record]]:
    entries = json.loads((takeout_dir / "en-2021.watch-history.json").read_text("utf-8"))
    return entries, _records(entries)


def test_real_export_figures_match_direct_counts(
    export: tuple[list[dict[str, Any]], list[Record]],
) -> None:
    entries, records = export
    watched = [e for e in entries if e["title"].startswith("Watched ")]
    frame = prepare(raw_frame_from_records(records), timezone="UTC", session_gap_minutes=30)
    data = compute(frame, Filters())
    kpi = data["kpi"]
    assert kpi["total_videos"] == len(watched) == 8241
    assert kpi["unique_videos"] == len({e["titleUrl"] for e in watched if "titleUrl" in e})
    assert kpi["first_watched_at"] == min(e["time"] for e in watched)
    assert kpi["last_watched_at"] == max(e["time"] for e in watched)
    assert kpi["active_days"] == len({e["time"][:10] for e in watched})

    per_month = Counter(e["time"][:7] for e in watched)
    trend = {row["month"]: row["videos"] for row in data["monthly_trend"]["months"]}
    assert {m: n for m, n in trend.items() if n} == dict(per_month)

    per_channel = Counter(e["subtitles"][0]["url"] for e in watched if e.get("subtitles"))
    (top_url, top_videos), *_ = sorted(per_channel.items(), key=lambda item: (-item[1], item[0]))
    top = data["top_channels"]["channels"][0]
    assert (top["channel_id"], top["videos"]) == (top_url.rsplit("/", 1)[-1], top_videos)
    assert data["top_channels"]["total_channels"] == len(per_channel)
    assert data["day_time_heatmap"]["total"] == sum(map(sum, data["day_time_heatmap"]["cells"]))


def test_real_export_in_local_time(export: tuple[list[dict[str, Any]], list[Record]]) -> None:
    _, records = export
    frame = prepare(
        raw_frame_from_records(records), timezone="Asia/Bangkok", session_gap_minutes=30
    )
    year = compute(frame, parse({"year": "2021"}), ["kpi", "viewing_patterns"])
    # Bangkok is UTC+7 all year: a 2021 local date is a UTC instant 7 hours earlier.
    low, high = parse_instant("2020-12-31T17:00:00Z"), parse_instant("2021-12-31T17:00:00Z")
    in_2021 = [r for r in records if low <= r.watched_at_us < high]
    assert year["kpi"]["total_videos"] == len(in_2021)
    assert sum(year["viewing_patterns"]["by_hour"]) == len(in_2021)
