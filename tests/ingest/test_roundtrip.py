"""Synthetic histories written as Takeout exports and read back: the writer and the
importers share ``ingest/locales.py``, so each checks the other.

For each language and zone: the JSON export gives back every instant to the millisecond,
the HTML export the same instants to the second (its wall times are in one fixed-offset
zone abbreviation for the whole file), both the same titles, channels, ads and YouTube
Music flags; a zip gives what its inner file gives; NDJSON gives back the records exactly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from watchcube.ingest import read_history
from watchcube.ingest.locales import LOCALES
from watchcube.records import US_PER_SECOND, Record
from watchcube.synth import generate, write
from watchcube.synth.takeout import is_removed

from .helpers import records_of

Fields = tuple[int, str, str | None, str | None, str | None, str, bool]

# (locale, IANA zone of the history, HTML zone abbreviation; None: the zone at export)
CASES = [
    ("en-US", "Europe/Berlin", None),
    ("en-US", "Europe/Istanbul", "TRT"),
    ("en-US", "Asia/Kolkata", "IST"),
    ("en-GB", "Australia/Sydney", "AEDT"),
    ("fr-FR", "Europe/Paris", "UTC"),
    ("de-DE", "Europe/Berlin", "CET"),
    ("es-ES", "America/Mexico_City", None),
    ("nl-NL", "Europe/Amsterdam", "CEST"),
    ("pt-BR", "America/Sao_Paulo", "BRT"),
    ("pt-PT", "Europe/Lisbon", "WET"),
    ("ja-JP", "Asia/Tokyo", "JST"),
]


def read(path: Path, timezone: str | None = None) -> list[Record]:
    _, batches = read_history(path, timezone=timezone)
    return records_of(batches)


def fields(record: Record, locale: str, *, seconds: bool = False) -> Fields:
    """What a Takeout export keeps of a record (no topics, no durations), oldest first.
    A removed video's title is the export language's line for it."""
    at = record.watched_at_us
    title = LOCALES[locale].removed_title if is_removed(record) else record.title
    return (
        at - at % US_PER_SECOND if seconds else at,
        title,
        record.video_id,
        record.channel_id,
        record.channel_name,
        record.product,
        record.is_ad,
    )


def ordered(records: list[Record], locale: str, *, seconds: bool = False) -> list[Fields]:
    return sorted(fields(record, locale, seconds=seconds) for record in records)


@pytest.mark.parametrize(("locale", "zone", "abbreviation"), CASES)
def test_json_and_html_exports_read_back_the_same_history(
    tmp_path: Path, locale: str, zone: str, abbreviation: str | None
) -> None:
    history = generate(1_500, seed=len(locale) + len(zone), timezone=zone, years=1.5)
    write(history, tmp_path / "h.json", "takeout-json", locale=locale)
    write(
        history,
        tmp_path / "h.html",
        "takeout-html",
        locale=locale,
        zone_abbreviation=abbreviation,
        timezone=zone,
    )
    from_json = read(tmp_path / "h.json")
    from_html = read(tmp_path / "h.html", timezone=zone)

    assert ordered(from_json, locale) == ordered(history, locale)
    assert ordered(from_html, locale) == ordered(history, locale, seconds=True)
    assert ordered(from_json, locale, seconds=True) == ordered(from_html, locale)


@pytest.mark.parametrize(
    ("locale", "inner"),
    [("de-DE", "json"), ("de-DE", "html"), ("fr-FR", "json"), ("ja-JP", "html")],
)
def test_a_zip_reads_like_its_inner_file(tmp_path: Path, locale: str, inner: str) -> None:
    history = generate(1_000, seed=3)
    write(history, tmp_path / "t.zip", "takeout-zip", locale=locale, zip_inner=inner)
    expected = ordered(history, locale, seconds=inner == "html")
    assert ordered(read(tmp_path / "t.zip"), locale) == expected


def test_ndjson_reads_back_the_records_exactly(tmp_path: Path) -> None:
    history = generate(3_000, seed=5)
    write(history, tmp_path / "h.ndjson", "ndjson")
    assert read(tmp_path / "h.ndjson") == history
