"""The slow, obviously-right reference: the ten aggregation types in plain Python.

Written from DESIGN.md alone (loops over records and dicts, ``zoneinfo`` for local time,
``datetime`` arithmetic) so that the fast engine can be checked against an independent
reading of the contract. Every ratio is one exact integer division rounded by ``round``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import combinations
from typing import Any
from zoneinfo import ZoneInfo

from watchcube.filters import Filters
from watchcube.records import Record, format_instant, instant_to_datetime

US = 1_000_000
BUCKETS = (("1", 1, 1), ("2-3", 2, 3), ("4-6", 4, 6), ("7-10", 7, 10), ("11+", 11, 10**9))
DEFAULT_LIMITS = {
    "top_channels": 20,
    "topics_leaderboard": 20,
    "enhanced_channel_metrics": 20,
    "channel_relationships": 50,
    "topic_evolution": 10,
}


@dataclass
class Row:
    record: Record
    local: datetime
    est_us: int

    @property
    def at(self) -> int:
        return self.record.watched_at_us

    @property
    def month(self) -> str:
        return self.local.strftime("%Y-%m")


def history_order(records: Iterable[Record]) -> list[Record]:
    """Instant, then video id (missing first), then title."""
    return sorted(
        records,
        key=lambda r: (r.watched_at_us, r.video_id is not None, r.video_id or "", r.title),
    )


def matching_rows(
    records: Iterable[Record], filters: Filters, timezone: str, gap_minutes: int
) -> list[Row]:
    """R(f) in time order, each record with its local time and estimated watch time."""
    history = history_order(records)
    zone = ZoneInfo(timezone)
    rows = []
    for index, record in enumerate(history):
        if record.duration_s is not None:
            est = round(record.duration_s * US)
        elif (
            index + 1 < len(history)
            and history[index + 1].watched_at_us - record.watched_at_us <= gap_minutes * 60 * US
        ):
            est = history[index + 1].watched_at_us - record.watched_at_us
        else:
            est = 300 * US
        local = instant_to_datetime(record.watched_at_us).astimezone(zone)
        if matches(record, local.date(), filters):
            rows.append(Row(record, local, est))
    return rows


def matches(record: Record, local_date: date, filters: Filters) -> bool:
    if record.is_ad and not filters.include_ads:
        return False
    if filters.start is not None and local_date < filters.start:
        return False
    if filters.end is not None and local_date > filters.end:
        return False
    if filters.channels and record.channel_id not in filters.channels:
        return False
    if filters.topics and not set(record.topics) & set(filters.topics):
        return False
    return not (filters.products and record.product not in filters.products)


def ratio(numerator: int, denominator: int, places: int) -> float:
    return round(numerator / denominator, places) if denominator else 0.0


def instant(us: int | None) -> str | None:
    return None if us is None else format_instant(us)


def months_between(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def all_months(rows: Sequence[Row]) -> list[str]:
    if not rows:
        return []
    return months_between(min(r.month for r in rows), max(r.month for r in rows))


def sessions_of(rows: Sequence[Row], gap_minutes: int) -> list[list[Row]]:
    sessions: list[list[Row]] = []
    for row in rows:
        if sessions and row.at - sessions[-1][-1].at <= gap_minutes * 60 * US:
            sessions[-1].append(row)
        else:
            sessions.append([row])
    return sessions


def by_count(counts: dict[str, int]) -> list[str]:
    return sorted(counts, key=lambda key: (-counts[key], key))


def latest_names(rows: Sequence[Row]) -> dict[str, str | None]:
    names: dict[str, str | None] = {}
    for row in rows:  # time order: the last assignment is the latest record
        if row.record.channel_id is not None:
            names[row.record.channel_id] = row.record.channel_name
    return names


def channel_counts(rows: Sequence[Row]) -> Counter[str]:
    return Counter(r.record.channel_id for r in rows if r.record.channel_id is not None)


def kpi(rows: Sequence[Row], filters: Filters, gap: int) -> dict[str, Any]:
    videos = [r.record.video_id for r in rows if r.record.video_id is not None]
    days = sorted({r.local.date() for r in rows})
    streak = best = 0
    for index, day in enumerate(days):
        streak = streak + 1 if index and days[index - 1] + timedelta(days=1) == day else 1
        best = max(best, streak)
    return {
        "total_videos": len(rows),
        "unique_videos": len(set(videos)),
        "unique_channels": len(channel_counts(rows)),
        "active_days": len(days),
        "first_watched_at": instant(rows[0].at if rows else None),
        "last_watched_at": instant(rows[-1].at if rows else None),
        "avg_videos_per_active_day": ratio(len(rows), len(days), 2),
        "est_watch_hours": ratio(sum(r.est_us for r in rows), 3600 * US, 2),
        "longest_streak_days": best,
        "rewatches": len(videos) - len(set(videos)),
    }


def monthly_trend(rows: Sequence[Row], filters: Filters, gap: int) -> dict[str, Any]:
    out = []
    for month in all_months(rows):
        inside = [r for r in rows if r.month == month]
        out.append(
            {
                "month": month,
                "videos": len(inside),
                "unique_channels": len(channel_counts(inside)),
                "active_days": len({r.local.date() for r in inside}),
                "est_watch_hours": ratio(sum(r.est_us for r in inside), 3600 * US, 2),
            }
        )
    return {"months": out}


def top_channels(rows: Sequence[Row], filters: Filters, gap: int) -> dict[str, Any]:
    counts = channel_counts(rows)
    names = latest_names(rows)
    out = []
    for channel in by_count(counts)[: filters.limit or DEFAULT_LIMITS["top_channels"]]:
        mine = [r.at for r in rows if r.record.channel_id == channel]
        out.append(
            {
                "channel_id": channel,
                "channel_name": names[channel],
                "videos": counts[channel],
                "share": ratio(counts[channel], len(rows), 4),
                "first_watched_at": instant(min(mine)),
                "last_watched_at": instant(max(mine)),
            }
        )
    return {"channels": out, "total_channels": len(counts)}


def day_time_heatmap(rows: Sequence[Row], filters: Filters, gap: int) -> dict[str, Any]:
    cells = [[0] * 24 for _ in range(7)]
    for row in rows:
        cells[row.local.weekday()][row.local.hour] += 1
    return {"cells": cells, "max": max(max(line) for line in cells), "total": len(rows)}


def topic_counts(rows: Sequence[Row]) -> tuple[Counter[str], dict[str, set[str]]]:
    counts: Counter[str] = Counter()
    channels: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        for topic in set(row.record.topics):
            counts[topic] += 1
            if row.record.channel_id is not None:
                channels[topic].add(row.record.channel_id)
    return counts, channels


def topics_leaderboard(rows: Sequence[Row], filters: Filters, gap: int) -> dict[str, Any]:
    counts, channels = topic_counts(rows)
    out = [
        {
            "topic": topic,
            "videos": counts[topic],
            "share": ratio(counts[topic], len(rows), 4),
            "unique_channels": len(channels[topic]),
        }
        for topic in by_count(counts)[: filters.limit or DEFAULT_LIMITS["topics_leaderboard"]]
    ]
    return {"topics": out, "untagged_videos": sum(1 for r in rows if not r.record.topics)}


def median(values: list[int]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def session_analysis(rows: Sequence[Row], filters: Filters, gap: int) -> dict[str, Any]:
    sessions = sessions_of(rows, gap)
    sizes = [len(s) for s in sessions]
    longest = None
    if sessions:
        best = max(sessions, key=lambda s: (s[-1].at - s[0].at, len(s), -s[0].at))
        longest = {"start": instant(best[0].at), "end": instant(best[-1].at), "videos": len(best)}
    by_start_hour = [0] * 24
    for session in sessions:
        by_start_hour[session[0].local.hour] += 1
    return {
        "sessions": len(sessions),
        "avg_videos_per_session": ratio(len(rows), len(sessions), 2),
        "median_videos_per_session": round(median(sizes), 2),
        "avg_session_minutes": ratio(
            sum(s[-1].at - s[0].at for s in sessions), 60 * US * len(sessions), 2
        ),
        "longest_session": longest,
        "histogram": [
            {"bucket": name, "sessions": sum(1 for n in sizes if low <= n <= high)}
            for name, low, high in BUCKETS
        ],
        "by_start_hour": by_start_hour,
    }


def viewing_patterns(rows: Sequence[Row], filters: Filters, gap: int) -> dict[str, Any]:
    by_hour, by_weekday = [0] * 24, [0] * 7
    per_day: Counter[date] = Counter()
    for row in rows:
        by_hour[row.local.hour] += 1
        by_weekday[row.local.weekday()] += 1
        per_day[row.local.date()] += 1
    weekdays = weekend = 0
    if rows:
        day = min(per_day)
        while day <= max(per_day):
            if day.weekday() < 5:
                weekdays += 1
            else:
                weekend += 1
            day += timedelta(days=1)
    busiest = None
    if per_day:
        top = min(per_day, key=lambda d: (-per_day[d], d))
        busiest = {"date": top.isoformat(), "videos": per_day[top]}
    return {
        "by_hour": by_hour,
        "by_weekday": by_weekday,
        "weekday_avg_per_day": ratio(sum(by_weekday[:5]), weekdays, 2),
        "weekend_avg_per_day": ratio(sum(by_weekday[5:]), weekend, 2),
        "peak_hour": by_hour.index(max(by_hour)) if rows else None,
        "peak_weekday": by_weekday.index(max(by_weekday)) if rows else None,
        "night_share": ratio(sum(by_hour[:5]), len(rows), 4),
        "binge_days": sum(1 for n in per_day.values() if n >= 20),
        "busiest_day": busiest,
    }


def enhanced_channel_metrics(rows: Sequence[Row], filters: Filters, gap: int) -> dict[str, Any]:
    counts = channel_counts(rows)
    names = latest_names(rows)
    spanned = len(all_months(rows))
    last = rows[-1].at if rows else 0
    out = []
    for channel in by_count(counts)[: filters.limit or DEFAULT_LIMITS["enhanced_channel_metrics"]]:
        mine = [r for r in rows if r.record.channel_id == channel]
        months = {r.month for r in mine}
        out.append(
            {
                "channel_id": channel,
                "channel_name": names[channel],
                "videos": len(mine),
                "unique_videos": len({r.record.video_id for r in mine} - {None}),
                "active_days": len({r.local.date() for r in mine}),
                "active_months": len(months),
                "first_watched_at": instant(min(r.at for r in mine)),
                "last_watched_at": instant(max(r.at for r in mine)),
                "avg_videos_per_active_month": ratio(len(mine), len(months), 2),
                "loyalty": ratio(len(months), spanned, 4),
                "recent_90d": sum(1 for r in mine if last - 90 * 86400 * US < r.at <= last),
                "previous_90d": sum(
                    1 for r in mine if last - 180 * 86400 * US < r.at <= last - 90 * 86400 * US
                ),
            }
        )
    return {"channels": out}


def channel_relationships(rows: Sequence[Row], filters: Filters, gap: int) -> dict[str, Any]:
    per_channel: Counter[str] = Counter()
    together: Counter[tuple[str, str]] = Counter()
    for session in sessions_of(rows, gap):
        present = sorted({c for r in session if (c := r.record.channel_id) is not None})
        per_channel.update(present)
        together.update(combinations(present, 2))
    pairs = sorted(together, key=lambda p: (-together[p], p[0], p[1]))
    pairs = pairs[: filters.limit or DEFAULT_LIMITS["channel_relationships"]]
    edges = [
        {
            "source": a,
            "target": b,
            "sessions_together": together[a, b],
            "jaccard": ratio(together[a, b], per_channel[a] + per_channel[b] - together[a, b], 4),
        }
        for a, b in pairs
    ]
    counts = channel_counts(rows)
    names = latest_names(rows)
    in_edges = {c for pair in pairs for c in pair}
    nodes = [
        {
            "channel_id": c,
            "channel_name": names[c],
            "videos": counts[c],
            "sessions": per_channel[c],
        }
        for c in sorted(in_edges, key=lambda c: (-counts[c], c))
    ]
    return {"nodes": nodes, "edges": edges}


def topic_evolution(rows: Sequence[Row], filters: Filters, gap: int) -> dict[str, Any]:
    months = all_months(rows)
    counts, _ = topic_counts(rows)
    topics = by_count(counts)[: filters.limit or DEFAULT_LIMITS["topic_evolution"]]
    series = []
    for topic in topics:
        per_month = Counter(r.month for r in rows if topic in r.record.topics)
        series.append({"topic": topic, "videos": [per_month[m] for m in months]})
    return {"months": months, "series": series}


REFERENCE = {
    "kpi": kpi,
    "monthly_trend": monthly_trend,
    "top_channels": top_channels,
    "day_time_heatmap": day_time_heatmap,
    "topics_leaderboard": topics_leaderboard,
    "session_analysis": session_analysis,
    "viewing_patterns": viewing_patterns,
    "enhanced_channel_metrics": enhanced_channel_metrics,
    "channel_relationships": channel_relationships,
    "topic_evolution": topic_evolution,
}


def aggregate(
    records: Iterable[Record],
    filters: Filters,
    *,
    timezone: str = "UTC",
    session_gap_minutes: int = 30,
    types: Iterable[str] = tuple(REFERENCE),
) -> dict[str, dict[str, Any]]:
    """Every requested type's ``data`` for the records matching ``filters``."""
    rows = matching_rows(records, filters, timezone, session_gap_minutes)
    return {name: REFERENCE[name](rows, filters, session_gap_minutes) for name in types}
