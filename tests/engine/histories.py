"""Hypothesis strategies for random watch histories and filters that hit the edge cases.

Histories cluster around DST transitions and year ends, use gaps at and around the session
gap, duplicate instants, records without video or channel, ads, both products and small
pools of ids (so that rewatches, shared sessions and ties are common). They are
de-duplicated by record identity, as the store does.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import strategies as st

from watchcube.filters import Filters, parse
from watchcube.records import Record

US = 1_000_000
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney")
GAPS = (1, 5, 30, 90)
CHANNELS = tuple(f"UC{i:02d}" for i in range(24))
TOPICS = ("gaming", "music", "news", "science", "cooking")
# DST changes in the zones above, and a year end: local dates and hours move there.
ANCHORS = tuple(
    int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()) * US
    for text in (
        "2023-03-26T00:30:00",
        "2023-10-29T00:30:00",
        "2023-11-05T05:30:00",
        "2023-04-01T15:30:00",
        "2023-12-31T22:00:00",
        "2024-06-15T12:00:00",
    )
)


def _step(gap_minutes: int) -> st.SearchStrategy[int]:
    gap = gap_minutes * 60 * US
    return st.one_of(
        st.sampled_from([0, 1, 1000, gap - 1, gap, gap + 1, 2 * 3600 * US, 86_400 * US]),
        st.integers(0, 3 * gap),
        st.integers(0, 40 * 86_400 * US),
        st.integers(80 * 86_400 * US, 200 * 86_400 * US),
    )


@st.composite
def histories(draw: st.DrawFn, max_size: int = 40) -> tuple[list[Record], str, int]:
    """(records, timezone, session gap minutes)."""
    timezone = draw(st.sampled_from(ZONES))
    gap_minutes = draw(st.sampled_from(GAPS))
    at = draw(st.sampled_from(ANCHORS)) - draw(st.integers(0, 10 * 86_400 * US))
    channel_pool = CHANNELS[: draw(st.integers(1, len(CHANNELS)))]
    records: dict[tuple[int, str], Record] = {}
    for _ in range(draw(st.integers(0, max_size))):
        at += draw(_step(gap_minutes))
        video = draw(st.one_of(st.none(), st.sampled_from([f"vid{i}" for i in range(12)])))
        channel = draw(st.one_of(st.none(), st.sampled_from(channel_pool)))
        record = Record(
            watched_at_us=at,
            title=draw(st.sampled_from(["a", "b", "Ä", "z"])),
            video_id=video,
            channel_id=channel,
            channel_name=draw(st.sampled_from([None, "Name A", "Name B"])) if channel else None,
            product=draw(st.sampled_from(["youtube", "youtube", "youtube_music"])),
            topics=tuple(draw(st.lists(st.sampled_from(TOPICS), max_size=3, unique=True))),
            is_ad=draw(st.sampled_from([False, False, False, True])),
            duration_s=draw(st.sampled_from([None, None, None, 0.0, 12.5, 301.0, 7200.25])),
        )
        records.setdefault(record.identity, record)
    return list(records.values()), timezone, gap_minutes


@st.composite
def filters(draw: st.DrawFn, instants: tuple[int, ...] = ()) -> Filters:
    """Random valid filters: periods, ranges, lists (including unknown values), limits.

    Periods are placed around ``instants`` (a history's) so that most filters keep some
    records and cut others.
    """
    around = [datetime.fromtimestamp(us // US, UTC).date() for us in instants]
    around = around or [date(2023, 6, 1)]
    params: dict[str, str | list[str]] = {}
    period = draw(st.sampled_from(["none", "none", "year", "quarter", "month", "range", "open"]))
    pivot = draw(st.sampled_from(around))
    if period in ("year", "quarter", "month"):
        params["year"] = str(pivot.year)
    if period == "quarter":
        params["quarter"] = str(draw(st.sampled_from([(pivot.month + 2) // 3, 1, 4])))
    if period == "month":
        params["month"] = str(draw(st.sampled_from([pivot.month, 1, 12])))
    if period in ("range", "open"):
        start = pivot + timedelta(days=draw(st.integers(-3, 3)))
        params["start"] = start.isoformat()
        if period == "range":
            end = max(start, draw(st.sampled_from(around))) + timedelta(
                days=draw(st.integers(0, 2))
            )
            params["end"] = end.isoformat()
    if draw(st.integers(0, 2)) == 0:
        params["channels"] = draw(st.lists(st.sampled_from([*CHANNELS[:6], "UCnope"]), max_size=4))
    if draw(st.integers(0, 3)) == 0:
        params["topics"] = ",".join(draw(st.lists(st.sampled_from(TOPICS), min_size=1)))
    if draw(st.integers(0, 3)) == 0:
        params["products"] = draw(st.sampled_from(["youtube", "youtube_music"]))
    if draw(st.booleans()):
        params["include_ads"] = "true"
    limit = draw(st.sampled_from([None, None, 1, 2, 3, 5, 1000]))
    if limit is not None:
        params["limit"] = str(limit)
    return parse(params)


@st.composite
def cases(draw: st.DrawFn, max_size: int = 40) -> tuple[list[Record], str, int, Filters]:
    """A history and a filter placed around it: (records, timezone, gap minutes, filters)."""
    records, timezone, gap = draw(histories(max_size))
    chosen = draw(filters(tuple(r.watched_at_us for r in records)))
    return records, timezone, gap, chosen
