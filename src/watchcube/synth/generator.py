"""A realistic, deterministic watch history of any size, built column-wise with numpy.

The shape follows what real Takeout exports show: a few channels take most of the views
(Zipf), favourite channels drift over the years, videos are watched in sessions (bursts a
few minutes apart, hours between), evenings and weekends are busiest in the user's local
time (so the history crosses DST changes like a real one), songs are replayed more than
videos are rewatched, ads sit seconds before the video they preceded, removed videos lose
their title and channel, and a few entries appear twice. Every random draw comes from one
``numpy`` generator seeded by the caller, in a fixed order, so a seed names one history.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt

from watchcube.errors import InvalidInput
from watchcube.ingest.locales import LOCALES
from watchcube.records import Record
from watchcube.synth import vocabulary

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
Objects = npt.NDArray[np.object_]

# A watched video that no longer exists is titled with the whole line Takeout writes for
# it, as the importers title it (an English export's wording).
REMOVED_TITLE: Final = LOCALES["en-US"].removed_title
# Default end of a synthetic history (the day of a pretend export) and its length.
DEFAULT_END: Final = date(2026, 10, 31)
DEFAULT_YEARS: Final = 4.0

AD_SHARE: Final = 0.03  # ads among all records (real exports: 2-4 %)
DUPLICATE_EVERY: Final = 2000  # one exact duplicate entry per this many records
MUSIC_SESSION_SHARE: Final = 0.11  # music sessions are longer: ~20 % of records
REMOVED_SHARE: Final = 0.01  # videos that were removed since they were watched
DURATION_SHARE: Final = 0.3  # records that carry a known duration
REWATCH_VIDEO: Final = 0.06  # chance a view replays a video already seen
REWATCH_MUSIC: Final = 0.26  # chance a play replays a song already heard
STICKY_CHANNEL: Final = 0.5  # chance a session's next video is from its first channel
# Channel popularity ~ 1 / (rank + offset) ** exponent.
ZIPF_EXPONENT: Final = 1.1
ZIPF_OFFSET: Final = 5.0
MUSIC_CHANNEL_SHARE: Final = 0.25  # channels that are artists (YouTube Music)
ERA_DAYS: Final = 182  # favourite channels reshuffle a little every half year

# Relative activity by local hour, Monday-Friday and Saturday-Sunday: evening peak,
# almost nothing at 3-6 am, weekends start later and fill the afternoon.
_HOURS_WEEKDAY: Final = (
    2.0, 1.0, 0.5, 0.2, 0.12, 0.15, 0.6, 1.3, 1.2, 1.0, 1.0, 1.3,
    2.0, 1.8, 1.5, 1.7, 2.3, 3.0, 3.7, 4.5, 5.4, 5.8, 5.0, 3.5,
)  # fmt: skip
_HOURS_WEEKEND: Final = (
    2.8, 1.8, 1.0, 0.4, 0.15, 0.12, 0.2, 0.4, 0.9, 1.8, 2.6, 3.0,
    3.3, 3.3, 3.2, 3.2, 3.4, 3.6, 3.9, 4.4, 5.0, 5.3, 4.8, 3.8,
)  # fmt: skip
_WEEKDAY_ACTIVITY: Final = (1.0, 0.95, 1.0, 1.0, 1.15, 1.55, 1.5)  # Monday..Sunday

_URL_SAFE: Final = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# A video id encodes 64 bits in 11 characters, so its last one takes only 16 values;
# a channel id encodes 128 bits in 22, so its last one takes 4.
_VIDEO_ID_LAST: Final = b"AEIMQUYcgkosw048"
_CHANNEL_ID_LAST: Final = b"AQgw"
_DAY_S: Final = 86_400


def generate(
    records: int,
    *,
    seed: int = 0,
    timezone: str = "Europe/Berlin",
    end: date = DEFAULT_END,
    years: float = DEFAULT_YEARS,
) -> list[Record]:
    """``records`` synthetic watch records ending on ``end`` (local date), oldest first.

    The same arguments always give the same list. Raises ``InvalidInput`` for a negative
    count, a non-positive span or an unknown time zone.
    """
    if records < 0:
        raise InvalidInput(f"records must be 0 or more, not {records}")
    if not years > 0:
        raise InvalidInput(f"years must be positive, not {years}")
    zone = load_zone(timezone)
    if records == 0:
        return []
    rng = np.random.default_rng(seed)
    days = max(1, round(years * 365.25))
    first_day = end - timedelta(days=days - 1)
    duplicates = records // DUPLICATE_EVERY
    ads = round(records * AD_SHARE)
    views = _Views(rng, records - ads - duplicates, first_day, days, zone)
    columns = views.columns(rng).concat(_ads(rng, views, ads))
    if duplicates:
        columns = columns.concat(columns.take(rng.integers(0, records - duplicates, duplicates)))
    return _records(columns.take(np.argsort(columns.at_ms, kind="stable")))


def load_zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; ``InvalidInput`` when there is none of that name."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as "Europe"
        raise InvalidInput(f"unknown time zone {name!r} (use an IANA name)") from None


@dataclass(frozen=True, slots=True)
class _Columns:
    """The records as parallel arrays (object arrays hold Python values or ``None``)."""

    at_ms: Ints
    title: Objects
    video_id: Objects
    channel_id: Objects
    channel_name: Objects
    product: Objects
    topics: Objects
    is_ad: Bools
    duration: Objects

    def take(self, index: Ints) -> _Columns:
        """The rows at ``index``, in that order."""
        return _Columns(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    def concat(self, other: _Columns) -> _Columns:
        """These rows followed by ``other``'s."""
        return _Columns(
            **{
                f.name: np.concatenate([getattr(self, f.name), getattr(other, f.name)])
                for f in fields(self)
            }
        )


class _Channels:
    """Every channel of the history: ids, names, topics, and popularity by era."""

    def __init__(self, rng: np.random.Generator, records: int, eras: int) -> None:
        total = max(4, round(12 * records**0.4))  # ~480 at 10k records, ~3,000 at 1M
        self.music_count = max(1, round(total * MUSIC_CHANNEL_SHARE))
        self.video_count = total - self.music_count
        self.ids = _object_array(_ids(rng, total, 24, _CHANNEL_ID_LAST, prefix=b"UC"))
        # The user's taste: a few topics dominate the (non-artist) channels.
        topic_count = len(vocabulary.TOPICS)
        taste = rng.dirichlet(np.full(topic_count, 0.7))
        primary = np.concatenate(
            [
                rng.choice(topic_count, self.video_count, p=taste),
                np.full(self.music_count, vocabulary.TOPICS.index("music")),
            ]
        )
        secondary = rng.integers(0, topic_count, total)
        two = (rng.random(total) < 0.3) & (np.arange(total) < self.video_count)
        self.topic = primary.astype(np.int64)
        self.topics = _object_array(
            [
                tuple(dict.fromkeys((vocabulary.TOPICS[p], vocabulary.TOPICS[s])))
                if both
                else (vocabulary.TOPICS[p],)
                for p, s, both in zip(
                    primary.tolist(), secondary.tolist(), two.tolist(), strict=True
                )
            ]
        )
        words = vocabulary.syllable_words(rng, 2 * total)
        self.names = _object_array(
            [
                vocabulary.channel_name(
                    rng, topic, (words[2 * i], words[2 * i + 1]), i >= self.video_count
                )
                for i, topic in enumerate(primary.tolist())
            ]
        )
        # Rank -> channel per era: popularity drifts (a noisy re-sort of log rank).
        self.video_eras = _drifting_ranks(rng, self.video_count, eras)
        self.music_eras = _drifting_ranks(rng, self.music_count, eras) + self.video_count

    def draw(self, rng: np.random.Generator, music: Bools, era: Ints) -> Ints:
        """One channel per draw: Zipf by rank, ranks mapped through each draw's era."""
        video_rank = rng.choice(self.video_count, len(music), p=_zipf(self.video_count))
        music_rank = rng.choice(self.music_count, len(music), p=_zipf(self.music_count))
        return np.where(
            music, self.music_eras[era, music_rank], self.video_eras[era, video_rank]
        ).astype(np.int64)


class _Views:
    """The non-ad records: sessions placed in local time, then channels and videos."""

    def __init__(
        self, rng: np.random.Generator, count: int, first_day: date, days: int, zone: ZoneInfo
    ) -> None:
        self.count = count
        lengths, music_session = _session_lengths(rng, count)
        session_day = _session_days(rng, len(lengths), first_day, days)
        session_of = np.repeat(np.arange(len(lengths)), lengths)
        self.music = music_session[session_of]
        local_ms = _local_times(rng, lengths, session_day, first_day, days, self.music)
        self.at_ms = _local_to_utc_ms(local_ms, zone)
        eras = days // ERA_DAYS + 1
        self.channels = _Channels(rng, count, eras)
        era = session_day // ERA_DAYS
        anchor = self.channels.draw(rng, music_session, era)[session_of]
        own = self.channels.draw(rng, self.music, era[session_of])
        self.channel = np.where(rng.random(count) < STICKY_CHANNEL, anchor, own)

    def columns(self, rng: np.random.Generator) -> _Columns:
        """Assign videos (new ones, or replays of the channel's earlier ones) and emit."""
        count, channel, music = self.count, self.channel, self.music
        replay = rng.random(count) < np.where(music, REWATCH_MUSIC, REWATCH_VIDEO)
        replay[np.unique(channel, return_index=True)[1]] = False  # a channel's first is new
        fresh = np.flatnonzero(~replay)
        video = np.empty(count, np.int64)
        video[fresh] = np.arange(len(fresh))
        by_channel = np.argsort(channel[fresh], kind="stable")
        per_channel = np.bincount(channel[fresh], minlength=len(self.channels.ids))
        starts = np.cumsum(per_channel) - per_channel
        replays = np.flatnonzero(replay)
        owner = channel[replays]
        # Replays favour a channel's few favourite videos (u^3 leans towards the first).
        pick = starts[owner] + (per_channel[owner] * rng.random(len(replays)) ** 3).astype(np.int64)
        video[replays] = by_channel[pick]

        videos = len(fresh)
        video_music = music[fresh]
        kinds = np.where(video_music, vocabulary.SONG_KIND, self.channels.topic[channel[fresh]])
        titles = vocabulary.titles(rng, kinds)
        ids = _ids(rng, videos, 11, _VIDEO_ID_LAST)
        median = np.where(video_music, 215.0, 540.0)
        spread = np.where(video_music, 0.25, 0.9)
        lengths = np.clip(np.rint(median * np.exp(rng.normal(0, 1, videos) * spread)), 15, 14_400)
        removed = (rng.random(videos) < REMOVED_SHARE)[video]
        known = (rng.random(count) < DURATION_SHARE) & ~removed

        return _Columns(
            at_ms=self.at_ms,
            title=_blank(titles[video], removed, REMOVED_TITLE),
            video_id=_blank(_object_array(ids)[video], removed),
            channel_id=_blank(self.channels.ids[channel], removed),
            channel_name=_blank(self.channels.names[channel], removed),
            product=_object_array(["youtube", "youtube_music"])[(music & ~removed).astype(int)],
            topics=_blank(self.channels.topics[channel], removed, empty=()),
            is_ad=np.zeros(count, np.bool_),
            duration=_blank(_object_array(lengths[video].tolist()), ~known),
        )


def _ads(rng: np.random.Generator, views: _Views, count: int) -> _Columns:
    """Ads a few seconds before the video they preceded; a small pool of ads repeats."""
    pool = max(1, count // 5)
    host = rng.integers(0, views.count, count)
    ad = (pool * rng.random(count) ** 2).astype(np.int64)
    titles = vocabulary.titles(rng, np.zeros(pool, np.int64), (vocabulary.ADS,))
    ids = _object_array(_ids(rng, pool, 11, _VIDEO_ID_LAST))
    lengths = rng.integers(6, 61, pool).astype(np.float64)
    known = rng.random(count) < DURATION_SHARE
    nothing = np.full(count, None, dtype=object)
    return _Columns(
        at_ms=views.at_ms[host] - rng.integers(2_000, 25_000, count),
        title=titles[ad],
        video_id=ids[ad],
        channel_id=nothing,
        channel_name=nothing,
        product=np.full(count, "youtube", dtype=object),
        topics=_blank(nothing, np.ones(count, np.bool_), empty=()),
        is_ad=np.ones(count, np.bool_),
        duration=_blank(_object_array(lengths[ad].tolist()), ~known),
    )


def _session_lengths(rng: np.random.Generator, total: int) -> tuple[Ints, Bools]:
    """Session sizes (1-30 videos, log-normal; music sessions twice as long) summing to
    ``total``, and which sessions are music."""
    lengths: list[Ints] = []
    music: list[Bools] = []
    drawn = 0
    while drawn < total:
        batch = (total - drawn) // 4 + 16
        is_music = rng.random(batch) < MUSIC_SESSION_SHARE
        median = np.where(is_music, 8.0, 4.0)
        size = np.clip(np.rint(median * np.exp(rng.normal(0, 0.8, batch))), 1, 30)
        lengths.append(size.astype(np.int64))
        music.append(is_music)
        drawn += int(size.sum())
    all_lengths, all_music = np.concatenate(lengths), np.concatenate(music)
    last = int(np.searchsorted(np.cumsum(all_lengths), total))
    all_lengths = all_lengths[: last + 1]
    all_lengths[-1] -= int(all_lengths.sum()) - total
    return all_lengths, all_music[: last + 1]


def _session_days(rng: np.random.Generator, sessions: int, first_day: date, days: int) -> Ints:
    """The local day (index from ``first_day``) of each session: weekends busier, winters
    busier, a slow rise over the years, day-to-day moods, and some days off entirely."""
    index = np.arange(days)
    weekday = (first_day.weekday() + index) % 7
    day_of_year = (first_day.timetuple().tm_yday - 1 + index) % 365.25
    weight = (
        np.asarray(_WEEKDAY_ACTIVITY)[weekday]
        * np.linspace(0.7, 1.3, days)
        * (1 + 0.2 * np.cos(2 * np.pi * (day_of_year - 15) / 365.25))
        * rng.gamma(2.0, 0.5, days)
        * (rng.random(days) >= 0.04)
    )
    if not weight.any():
        weight[:] = 1.0
    return rng.choice(days, sessions, p=weight / weight.sum()).astype(np.int64)


def _local_times(
    rng: np.random.Generator,
    lengths: Ints,
    session_day: Ints,
    first_day: date,
    days: int,
    music: Bools,
) -> Ints:
    """Local wall-clock instants (ms, as if UTC) of every view, session by session."""
    sessions = len(lengths)
    weekend = (first_day.weekday() + session_day) % 7 >= 5
    u = rng.random(sessions)
    hour = np.where(
        weekend,
        np.searchsorted(_cdf(_HOURS_WEEKEND), u, side="right"),
        np.searchsorted(_cdf(_HOURS_WEEKDAY), u, side="right"),
    )
    day0_s = (first_day - date(1970, 1, 1)).days * _DAY_S
    start_s = day0_s + session_day * _DAY_S + hour * 3600 + rng.integers(0, 3600, sessions)
    # Gaps between consecutive videos: about a song's length in music sessions, a few
    # minutes (skewed, mostly under 25) in video sessions.
    count = int(lengths.sum())
    median = np.where(music, 210.0, 300.0)
    spread = np.where(music, 0.3, 0.9)
    gap = np.clip(median * np.exp(rng.normal(0, 1, count) * spread), 30, 1500).astype(np.int64)
    first = np.cumsum(lengths) - lengths
    gap[first] = 0
    elapsed = np.cumsum(gap)
    offset = elapsed - np.repeat(elapsed[first], lengths)
    # Keep every session inside the span: one running past the last day moves earlier.
    last_s = day0_s + days * _DAY_S - 1
    overflow = np.maximum(0, start_s + offset[first + lengths - 1] - last_s)
    start_s = start_s - overflow
    seconds: Ints = np.repeat(start_s, lengths) + offset
    return seconds * 1000 + rng.integers(0, 1000, count)


def _local_to_utc_ms(local_ms: Ints, zone: ZoneInfo) -> Ints:
    """Wall-clock ms in ``zone`` -> UTC epoch ms, through the zone's offset transitions
    (a wall time skipped by a DST change lands an hour later, like a clock would)."""
    local_s = local_ms // 1000
    times, offsets = _transitions(
        zone, int(local_s.min()) - 2 * _DAY_S, int(local_s.max()) + 2 * _DAY_S
    )

    def offset_at(utc_s: Ints) -> Ints:
        return offsets[np.searchsorted(times, utc_s, side="right") - 1]

    guess = local_s - offset_at(local_s)
    return local_ms - 1000 * offset_at(guess)


def _transitions(zone: ZoneInfo, start_s: int, end_s: int) -> tuple[Ints, Ints]:
    """The instants (epoch s) from which ``zone``'s UTC offset holds, and the offsets:
    sampled daily, each change located to the second by bisection."""

    def offset(at_s: int) -> int:
        delta = datetime.fromtimestamp(at_s, UTC).astimezone(zone).utcoffset()
        return int(delta.total_seconds()) if delta else 0

    times, offsets = [start_s], [offset(start_s)]
    at = start_s
    while at < end_s:
        step = min(at + _DAY_S, end_s)
        if offset(step) == offsets[-1]:
            at = step
            continue
        low, high = at, step
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if offset(middle) == offsets[-1] else (low, middle)
        times.append(high)
        offsets.append(offset(high))
        at = high
    return np.asarray(times, np.int64), np.asarray(offsets, np.int64)


def _records(columns: _Columns) -> list[Record]:
    """Build the ``Record`` objects (the one per-record Python step)."""
    with _gc_paused():
        return list(
            map(
                Record,
                (columns.at_ms * 1000).tolist(),
                columns.title.tolist(),
                columns.video_id.tolist(),
                columns.channel_id.tolist(),
                columns.channel_name.tolist(),
                columns.product.tolist(),
                columns.topics.tolist(),
                columns.is_ad.tolist(),
                columns.duration.tolist(),
            )
        )


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cycle collector while allocating a million acyclic objects: its passes
    over the growing list would otherwise cost as much as the allocation itself."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _ids(
    rng: np.random.Generator, count: int, length: int, last: bytes, prefix: bytes = b""
) -> list[str]:
    """``count`` random ids of ``length`` characters: ``prefix``, url-safe base64, and a
    last character from ``last``."""
    body = length - len(prefix) - 1
    alphabet = np.frombuffer(_URL_SAFE, np.uint8)
    chars = np.empty((count, length), np.uint8)
    chars[:, : len(prefix)] = np.frombuffer(prefix, np.uint8)
    chars[:, len(prefix) : length - 1] = alphabet[rng.integers(0, 64, (count, body))]
    chars[:, -1] = np.frombuffer(last, np.uint8)[rng.integers(0, len(last), count)]
    return chars.view(f"S{length}").ravel().astype(f"U{length}").tolist()


def _zipf(count: int) -> Floats:
    weight = 1.0 / (np.arange(count, dtype=np.float64) + 1 + ZIPF_OFFSET) ** ZIPF_EXPONENT
    normalised: Floats = weight / weight.sum()
    return normalised


def _drifting_ranks(rng: np.random.Generator, count: int, eras: int) -> Ints:
    """Per era, the channel at each popularity rank: log rank plus noise, re-sorted."""
    base = np.log(np.arange(count) + 1 + ZIPF_OFFSET)
    order = [np.arange(count)]
    for _ in range(eras - 1):
        order.append(order[-1][np.argsort(base + rng.normal(0, 0.35, count), kind="stable")])
    return np.stack(order).astype(np.int64)


def _cdf(weights: tuple[float, ...]) -> Floats:
    cumulative = np.cumsum(weights)
    normalised: Floats = cumulative / cumulative[-1]
    return normalised


def _object_array(values: Sequence[object]) -> Objects:
    """A 1-D object array of ``values`` (tuples stay elements rather than becoming rows)."""
    return np.fromiter(values, dtype=object, count=len(values))


def _blank(values: Objects, where: Bools, empty: object = None) -> Objects:
    """A copy of ``values`` holding ``empty`` wherever ``where`` is set."""
    filler = np.empty(1, dtype=object)
    filler[0] = empty
    return np.where(where, filler, values)
