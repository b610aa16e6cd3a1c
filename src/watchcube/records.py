"""The watch record, its identity, and its portable (NDJSON / API) form.

Instants are held as integer microseconds since the Unix epoch (UTC): exact, cheap to sort
and compare, and what both databases and Polars store natively.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

import polars as pl

from watchcube.errors import InvalidRecords

PRODUCTS: Final = ("youtube", "youtube_music")
US_PER_SECOND: Final = 1_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Instants outside this window are typos or corrupt data, not watch history.
MIN_US: Final = int(datetime(2005, 1, 1, tzinfo=UTC).timestamp()) * US_PER_SECOND
MAX_US: Final = int(datetime(2100, 1, 1, tzinfo=UTC).timestamp()) * US_PER_SECOND
MAX_TEXT: Final = 2000  # longest title or channel name kept (longer is truncated)
MAX_TOPICS: Final = 50

# The columnar form of ``Record``: what importers yield and the store writes.
BATCH_SCHEMA: Final = pl.Schema(
    {
        "watched_at_us": pl.Int64(),
        "video_id": pl.String(),
        "title": pl.String(),
        "channel_id": pl.String(),
        "channel_name": pl.String(),
        "product": pl.String(),
        "topics": pl.List(pl.String()),
        "is_ad": pl.Boolean(),
        "duration_s": pl.Float64(),
    }
)
# The same records as the store reads them back for the engine (the "raw frame"): the
# instant as a UTC datetime, in history order.
RAW_SCHEMA: Final = pl.Schema(
    {
        "watched_at": pl.Datetime("us", "UTC"),
        **{name: dtype for name, dtype in BATCH_SCHEMA.items() if name != "watched_at_us"},
    }
)
RAW_ORDER: Final = ("watched_at", "video_id", "title")


def sort_raw(frame: pl.DataFrame) -> pl.DataFrame:
    """History order: instant, then video id (missing first), then title; stable."""
    return frame.sort(RAW_ORDER, nulls_last=False, maintain_order=True).rechunk()


@dataclass(slots=True, frozen=True)
class Record:
    """One watched video (or ad, or removed video) of one user."""

    watched_at_us: int
    title: str
    video_id: str | None = None
    channel_id: str | None = None
    channel_name: str | None = None
    product: str = "youtube"
    topics: tuple[str, ...] = field(default_factory=tuple)
    is_ad: bool = False
    duration_s: float | None = None

    @property
    def identity(self) -> tuple[int, str]:
        """The de-duplication key within a user: the second, and the video id or title."""
        return self.watched_at_us // US_PER_SECOND, identity_text(self.video_id, self.title)

    def to_json(self) -> dict[str, Any]:
        """The portable form (DESIGN.md record fields), as written by ``export``."""
        return {
            "watched_at": format_instant(self.watched_at_us, exact=True),
            "video_id": self.video_id,
            "title": self.title,
            "channel_id": self.channel_id,
            "channel_name": self.channel_name,
            "product": self.product,
            "topics": list(self.topics),
            "is_ad": self.is_ad,
            "duration_s": self.duration_s,
        }


def identity_text(video_id: str | None, title: str) -> str:
    """The textual half of a record's identity: ``v:<video id>`` or ``t:<title>``."""
    return f"v:{video_id}" if video_id else f"t:{title}"


def format_instant(us: int, *, exact: bool = False) -> str:
    """ISO-8601 UTC with milliseconds and ``Z``; ``exact`` keeps microseconds when present."""
    seconds, micro = divmod(us, US_PER_SECOND)
    base = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if exact and micro % 1000:
        return f"{base}.{micro:06d}Z"
    return f"{base}.{micro // 1000:03d}Z"


def parse_instant(text: str) -> int:
    """An ISO-8601 instant (``Z`` or an offset; naive means UTC) as epoch microseconds."""
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * US_PER_SECOND + delta.microseconds


def instant_to_datetime(us: int) -> datetime:
    """Epoch microseconds as an aware UTC datetime."""
    seconds, micro = divmod(us, US_PER_SECOND)
    return datetime.fromtimestamp(seconds, UTC).replace(microsecond=micro)


def _text(value: Any, name: str, *, required: bool = False) -> str | None:
    if value is None or value == "":
        if required:
            raise ValueError(f"{name} is required")
        return None
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string")
    if not _unicode(value):
        raise ValueError(f"{name}: not valid Unicode text (a lone surrogate)")
    return value[:MAX_TEXT]


def _unicode(text: str) -> bool:
    """Whether ``text`` can be stored (JSON's "\\ud800" decodes to a lone surrogate, which
    UTF-8, and so every database, refuses)."""
    if text.isascii():
        return True
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def record_from_mapping(row: Mapping[str, Any]) -> Record:
    """Validate one portable record (a records file line or an API row).

    Raises ``ValueError`` whose message starts with the offending field name.
    """
    if not isinstance(row, Mapping):
        raise ValueError("record: must be a JSON object")
    raw_at = row.get("watched_at")
    if not isinstance(raw_at, str):
        raise ValueError("watched_at: required, an ISO-8601 instant")
    try:
        at = parse_instant(raw_at)
    except ValueError:
        raise ValueError(f"watched_at: not an ISO-8601 instant: {raw_at!r}") from None
    if not MIN_US <= at < MAX_US:
        raise ValueError(f"watched_at: {raw_at} is outside 2005..2099")
    video_id = _text(row.get("video_id"), "video_id")
    title = _text(row.get("title"), "title") or (
        video_id and f"https://www.youtube.com/watch?v={video_id}"
    )
    if not title:
        raise ValueError("title: required when video_id is missing")
    product = row.get("product", "youtube") or "youtube"
    if product not in PRODUCTS:
        raise ValueError(f"product: must be one of {', '.join(PRODUCTS)}, not {product!r}")
    topics_raw = row.get("topics") or []
    if not isinstance(topics_raw, list) or not all(isinstance(t, str) for t in topics_raw):
        raise ValueError("topics: must be a list of strings")
    if not all(_unicode(topic) for topic in topics_raw):
        raise ValueError("topics: not valid Unicode text (a lone surrogate)")
    if len(topics_raw) > MAX_TOPICS:
        raise ValueError(f"topics: at most {MAX_TOPICS}")
    is_ad = row.get("is_ad", False)
    if not isinstance(is_ad, bool):
        raise ValueError("is_ad: must be true or false")
    duration = row.get("duration_s")
    if duration is not None:
        if isinstance(duration, bool) or not isinstance(duration, int | float):
            raise ValueError("duration_s: must be a number of seconds")
        if not math.isfinite(duration) or not 0 <= duration <= 7 * 86_400:
            raise ValueError("duration_s: must be between 0 and 604800")
        duration = float(duration)
    return Record(
        watched_at_us=at,
        title=title,
        video_id=video_id,
        channel_id=_text(row.get("channel_id"), "channel_id"),
        channel_name=_text(row.get("channel_name"), "channel_name"),
        product=product,
        topics=tuple(dict.fromkeys(t.strip() for t in topics_raw if t.strip())),
        is_ad=is_ad,
        duration_s=duration,
    )


def records_from_rows(rows: list[Any]) -> list[Record]:
    """Validate a whole batch first; any invalid row rejects the batch, naming every problem."""
    records: list[Record] = []
    problems: list[dict[str, object]] = []
    for index, row in enumerate(rows):
        try:
            records.append(record_from_mapping(row))
        except ValueError as exc:
            field_name, _, message = str(exc).partition(": ")
            problems.append({"row": index, "field": field_name, "message": message})
    if problems:
        first = problems[0]
        raise InvalidRecords(
            f"{len(problems)} invalid row(s); row {first['row']}, {first['field']}: "
            f"{first['message']}",
            problems,
        )
    return records
