"""Takeout watch-history.html: real exports' exact counts, locales, zones, JSON/HTML agreement."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import watchcube.ingest
from watchcube.errors import NoWatchHistory, UnreadableFile
from watchcube.ingest.locales import (
    LOCALES,
    format_html_timestamp,
    watched_line_html,
    watched_title,
)
from watchcube.records import US_PER_SECOND, Record, format_instant

from .helpers import TAKEOUT, html_cell, json_entry, link, read, write_html, write_json

VIDEO = "https://www.youtube.com/watch?v=2DIdtwlt8_o"


@pytest.mark.parametrize(
    ("name", "records", "removed", "ads", "skipped", "zone"),
    [
        ("en-us-2024-trt.watch-history.html", 1132, 9, 1, {"survey": 2}, "TRT (+03:00)"),
        ("en-au-2021-aedt.watch-history.html", 563, 0, 0, {}, "AEDT (+11:00)"),
        ("fr-2020.watch-history.html", 53, 0, 0, {"story": 4}, "UTC (+00:00)"),
    ],
)
def test_real_exports_give_the_documented_counts(
    name: str, records: int, removed: int, ads: int, skipped: dict[str, int], zone: str
) -> None:
    report, rows = read(TAKEOUT / name)
    assert report.format == "takeout-html"
    assert (report.records, len(rows)) == (records, records)
    assert sum(row.video_id is None for row in rows) == removed
    assert report.ads == ads
    assert report.skipped == Counter(skipped)
    assert (report.warnings, report.zone) == (0, zone)


def test_real_entries() -> None:
    _, trt = read(TAKEOUT / "en-us-2024-trt.watch-history.html")
    first = trt[0]
    assert format_instant(first.watched_at_us) == "2024-01-13T13:16:16.000Z"  # 4:16:16 PM TRT
    assert (first.video_id, first.channel_id) == ("Er5X_clRDZI", "UChnvGMz7_s0OAjeoXIWF9vA")
    assert first.title == "Google Cloud Ücretsiz Deneme Nasıl Kullanılır"
    ad = next(row for row in trt if row.is_ad)
    assert (ad.video_id, ad.channel_id, ad.channel_name) == ("fRj3UM0VPr8", None, None)
    private = next(row for row in trt if row.video_id == "7Lw1rE-OYu4")
    assert private.title == "https://www.youtube.com/watch?v=7Lw1rE-OYu4"
    _, au = read(TAKEOUT / "en-au-2021-aedt.watch-history.html")
    assert au[0].title == "Yarn vs NPM - You won't believe how fast it is"  # &#39; unescaped


def test_a_reindented_file_has_no_line_breaks_in_titles() -> None:
    _, rows = read(TAKEOUT / "fr-2020.watch-history.html")
    assert rows[0].title == "Piloting AIRBUS A220 into London Gatwick | Cockpit Views"
    assert rows[1].channel_name == "Digital DJ Tips"
    assert format_instant(rows[0].watched_at_us) == "2020-04-01T16:32:09.000Z"
    assert not any("\n" in row.title or "  " in row.title for row in rows)


def test_a_search_history_is_no_watch_history() -> None:
    with pytest.raises(NoWatchHistory, match=r"search-history.html: .*found 384 searches"):
        read(TAKEOUT / "en-us-2024-trt.search-history.html")


@pytest.mark.parametrize(
    ("code", "zone", "timezone", "offset"),
    [
        ("en-US", "TRT", None, 180),
        ("en-GB", "AEDT", None, 660),
        ("fr-FR", "UTC", None, 0),
        ("de-DE", "MESZ", None, 120),
        ("es-ES", "CET", None, 60),
        ("es-419", "IDT", None, 180),
        ("nl-NL", "CEST", None, 120),
        ("pt-BR", "BRT", None, -180),
        ("pt-PT", "WET", None, 0),
        ("ja-JP", "JST", None, 540),
        ("en-US", "IST", "Asia/Kolkata", 330),
        ("en-US", "GMT+03:00", None, 180),
    ],
)
def test_html_and_json_of_one_history_give_the_same_records(
    tmp_path: Path, code: str, zone: str, timezone: str | None, offset: int
) -> None:
    """One hand-made history in both formats: same instants to the second, same fields."""
    locale = LOCALES[code]
    watches = [
        ("2024-01-13T13:16:16.123Z", "Derivative of ln(x^2) & more", VIDEO, "Math <Show>", False),
        ("2023-11-16T23:59:59.999Z", "Airfryer", "https://www.youtube.com/watch?v=fRj3UM0VPr8",
         "Philips", True),
        ("2023-06-30T22:00:00.500Z", None, None, None, False),
        ("2022-12-31T21:30:01.000Z", "Song", "https://music.youtube.com/watch?v=2tw2QDSeBQQ",
         "Dua Lipa - Topic", False),
    ]  # fmt: skip
    entries, cells = [], []
    for time, title, url, channel, ad in watches:
        if title is None:
            entries.append(json_entry(locale.removed_title, time=time))
            first = locale.removed_title
        else:
            header = "YouTube Music" if "music." in str(url) else "YouTube"
            entries.append(json_entry(watched_title(locale, title), url, time=time,
                                      channel=channel, header=header, ad=ad))  # fmt: skip
            first = watched_line_html(locale, link(str(url), title))
        instant = datetime.fromisoformat(time).astimezone(UTC)
        wall = (instant + timedelta(minutes=offset)).replace(tzinfo=None, microsecond=0)
        stamp = format_html_timestamp(locale, wall, zone)
        details = f"{locale.details_word}:" if ad else None
        header = "YouTube Music" if title == "Song" else "YouTube"
        cells.append(html_cell(first, stamp, channel=channel, header=header,
                               products=f"{locale.products_word}:", details=details))  # fmt: skip
    _, from_json = read(write_json(tmp_path, entries))
    report, from_html = read(write_html(tmp_path, cells), timezone=timezone)
    assert report.warnings == 0
    assert len(from_json) == len(from_html) == 4

    def seconds(rows: list[Record]) -> list[tuple[object, ...]]:
        return [
            (r.watched_at_us // US_PER_SECOND, r.video_id, r.title, r.channel_id,
             r.channel_name, r.product, r.is_ad, r.topics, r.identity)
            for r in rows
        ]  # fmt: skip

    assert seconds(from_html) == seconds(from_json)
    assert from_json[0].title == "Derivative of ln(x^2) & more"
    assert from_json[0].channel_name == "Math <Show>"
    assert from_json[2].title == locale.removed_title


def test_an_ambiguous_zone_without_a_time_zone_is_read_as_utc_and_said(tmp_path: Path) -> None:
    cell = html_cell(f"Watched\xa0{link(VIDEO, 'x')}", "Jan 13, 2024, 4:16:16\u202fPM IST")
    report, rows = read(write_html(tmp_path, [cell]))
    assert format_instant(rows[0].watched_at_us) == "2024-01-13T16:16:16.000Z"
    assert report.zone == "IST (+00:00)"
    assert report.warnings == 0
    assert "IST is ambiguous" in report.warning_messages[0]
    report, rows = read(write_html(tmp_path, [cell]), timezone="Asia/Kolkata")
    assert format_instant(rows[0].watched_at_us) == "2024-01-13T10:46:16.000Z"
    assert (report.zone, report.warning_messages) == ("IST (+05:30)", [])


def test_malformed_entries_are_skipped_and_named(tmp_path: Path) -> None:
    good = html_cell(f"Watched\xa0{link(VIDEO, 'x')}", "Jan 13, 2024, 4:16:16 PM UTC")
    bad_time = html_cell(f"Watched\xa0{link(VIDEO, 'y')}", "the 13th of January")
    no_body = '<div class="outer-cell mdl-cell"><p>nothing here</p></div>'
    report, rows = read(write_html(tmp_path, [good, bad_time, no_body]))
    assert [row.title for row in rows] == ["x"]
    assert report.warnings == 2
    assert report.warning_messages == [
        "watch-history.html: entry 2: unrecognized timestamp 'the 13th of January'",
        "watch-history.html: entry 3: not a Takeout activity entry",
    ]


def test_small_windows_give_the_same_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = TAKEOUT / "fr-2020.watch-history.html"
    _, whole = read(path)
    monkeypatch.setattr(watchcube.ingest, "CHUNK_BYTES", 101)  # markers straddle chunks
    _, pieces = read(path)
    assert pieces == whole


def test_an_html_page_without_entries_has_no_watch_history(tmp_path: Path) -> None:
    with pytest.raises(NoWatchHistory, match=r"watch-history.html: .*the file has no entries"):
        read(write_html(tmp_path, []))


def test_an_html_page_that_is_not_takeout_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text("<!doctype html><html><body>" + "<p>hello</p>" * 10 + "</body></html>")
    with pytest.raises(NoWatchHistory, match=r"page.html: no watch entries"):
        read(path)
    path.write_text("<?xml version='1.0'?><feed/>")
    with pytest.raises(UnreadableFile, match=r"page.html: not a Takeout export"):
        read(path)
