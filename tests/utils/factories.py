"""Small record factories for tests."""

from __future__ import annotations

from datetime import UTC, datetime

from watchcube.records import Record


def at(text: str) -> int:
    """Epoch microseconds of an ISO-8601 UTC instant written without zone."""
    moment = datetime.fromisoformat(text).replace(tzinfo=UTC)
    return int(moment.timestamp()) * 1_000_000 + moment.microsecond


def record(when: str, video: str | None = "v1", **fields: object) -> Record:
    """A record at ``when`` (UTC) with sensible defaults for everything else."""
    values: dict[str, object] = {
        "watched_at_us": at(when),
        "title": f"title of {video}" if video else "a video that has been removed",
        "video_id": video,
        "channel_id": "UCchannel1" if video else None,
        "channel_name": "Channel One" if video else None,
    }
    values.update(fields)
    return Record(**values)  # type: ignore[arg-type]
