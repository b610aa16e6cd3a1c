"""Importing a file into a user's history: an ingest reader feeding one store write.

The reader streams record batches (columnar, a few thousand records each); the write copies
them into the database inside one transaction, so a file that turns out to be unreadable
halfway leaves the database exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from watchcube.config import Settings
from watchcube.ingest import read_history
from watchcube.ingest.topics import Tagger
from watchcube.store.db import Database
from watchcube.store.records import write_records
from watchcube.store.users import get_user


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """The outcome of one import, as printed by ``import --json`` and the imports endpoint."""

    inserted: int
    duplicates: int
    skipped: dict[str, int]
    warnings: int
    data_version: int
    format: str
    records: int
    ads: int
    music: int
    zone: str | None = None
    warning_messages: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "inserted": self.inserted,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "warnings": self.warnings,
            "data_version": self.data_version,
            "format": self.format,
            "records": self.records,
            "ads": self.ads,
            "music": self.music,
            "zone": self.zone,
            "warning_messages": self.warning_messages,
        }


def load_tagger(settings: Settings) -> Tagger:
    """The user's replacement topic map when configured, else the shipped one."""
    if settings.topics_file:
        return Tagger.from_file(Path(settings.topics_file))
    return Tagger.default()


def import_file(
    db: Database,
    user_id: str,
    path: Path,
    settings: Settings,
    *,
    timezone: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import one Takeout export or records file for ``user_id``, all or nothing.

    ``timezone`` resolves an ambiguous zone abbreviation in an HTML export; without it the
    user's own time zone setting is used (when they have one other than the default).
    """
    with db.write() as conn:
        if timezone is None:
            user = get_user(conn, user_id)
            if user is not None and user.settings.timezone != "UTC":
                timezone = user.settings.timezone
        report, batches = read_history(
            path,
            timezone=timezone,
            tagger=load_tagger(settings),
            zip_max_bytes=settings.zip_max_bytes,
        )
        result = write_records(
            conn,
            user_id,
            batches,
            batch_size=settings.import_batch_size,
            progress=progress,
        )
    return ImportSummary(
        inserted=result.inserted,
        duplicates=result.duplicates,
        skipped=dict(sorted(report.skipped.items())),
        warnings=report.warnings,
        data_version=result.data_version,
        format=report.format,
        records=report.records,
        ads=report.ads,
        music=report.music,
        zone=report.zone,
        warning_messages=list(report.warning_messages),
    )
