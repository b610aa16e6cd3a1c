"""Takeout watch-history.json: the real exports' exact counts, entry shapes, streaming, errors."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

import watchcube.ingest
from watchcube.errors import InvalidSettings, NoWatchHistory, UnreadableFile
from watchcube.ingest.takeout_json import iter_array
from watchcube.records import format_instant

from .helpers import TAKEOUT, json_entry, read, write_json

VIDEO = "https://www.youtube.com/watch?v=2DIdtwlt8_o"


@pytest.mark.parametrize(
    ("name", "records", "removed", "music", "ads", "skipped"),
    [
        ("en-2021.watch-history.json", 8241, 108, 1, 0, {"visited": 3}),
        ("en-2025-music.watch-history.json", 2943, 0, 727, 0, {"post": 6, "playable": 3}),
        ("en-ads.watch-history.json", 2390, 119, 3, 95, {"visited": 1}),
    ],
)
def test_real_exports_give_the_documented_counts(
    name: str, records: int, removed: int, music: int, ads: int, skipped: dict[str, int]
) -> None:
    report, rows = read(TAKEOUT / name)
    assert report.format == "takeout-json"
    assert (report.records, len(rows)) == (records, records)
    assert sum(row.video_id is None for row in rows) == removed
    assert (report.music, report.ads) == (music, ads)
    assert report.skipped == Counter(skipped)
    assert report.warnings == 0
    assert all(row.channel_id is None for row in rows if row.is_ad)


def test_fields_of_a_real_entry_keep_milliseconds() -> None:
    _, rows = read(TAKEOUT / "en-2021.watch-history.json")
    first = rows[0]
    assert format_instant(first.watched_at_us) == "2021-12-30T17:18:01.492Z"
    assert (first.video_id, first.title) == ("oe01JMWrbH8", "XI")
    assert first.channel_id == "UCy3Lx1fNl4XnxleZBJK_PXw"
    assert first.channel_name == "Hiroyuki Sawano - Topic"
    assert "music" in first.topics


def test_entry_kinds(tmp_path: Path) -> None:
    entries = [
        json_entry("Watched Derivative of ln(x^2)", VIDEO, channel="The Mathmagic Show"),
        json_entry("Watched https://www.youtube.com/watch?v=7Lw1rE-OYu4",
                   "https://www.youtube.com/watch?v=7Lw1rE-OYu4"),
        json_entry("Watched a video that has been removed"),
        json_entry("Watched Ad", "https://www.youtube.com/watch?v=fRj3UM0VPr8", channel="Ads",
                   ad=True),
        json_entry("Watched Song", "https://music.youtube.com/watch?v=2tw2QDSeBQQ",
                   header="YouTube Music"),
        json_entry("Watched A short", "https://www.youtube.com/shorts/abcDEF12345"),
        json_entry("Viewed How fit are you?", "https://www.youtube.com/post/UgkxZfBqUT6Y0"),
        json_entry("Played Magic Tiles 3", "https://www.youtube.com/playables/UgkxBkQcOMC"),
        json_entry("Visited https://itunes.apple.com/app/id935754064",
                   "https://www.google.com/url?q=https://itunes.apple.com/app/id935754064"),
        json_entry("Visited YouTube Music"),
        json_entry("Searched for bu ders", "https://www.youtube.com/results?search_query=bu+ders"),
    ]  # fmt: skip
    report, rows = read(write_json(tmp_path, entries))
    assert [(row.video_id, row.title) for row in rows] == [
        ("2DIdtwlt8_o", "Derivative of ln(x^2)"),
        ("7Lw1rE-OYu4", "https://www.youtube.com/watch?v=7Lw1rE-OYu4"),
        (None, "Watched a video that has been removed"),
        ("fRj3UM0VPr8", "Ad"),
        ("2tw2QDSeBQQ", "Song"),
        ("abcDEF12345", "A short"),
    ]
    assert rows[0].channel_name == "The Mathmagic Show"
    assert (rows[3].is_ad, rows[3].channel_name) == (True, None)
    assert [row.product for row in rows].count("youtube_music") == 1
    assert report.skipped == Counter(post=1, playable=1, visited=2, search=1)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Watched Yarn vs NPM", "Yarn vs NPM"),
        ("Vous avez regardé Piloting AIRBUS A220", "Piloting AIRBUS A220"),
        # A Spanish Takeout schema note in the public code index: "Has visto <video title>"
        ("Has visto La era Exponencial - Capítulo 3", "La era Exponencial - Capítulo 3"),
        # Japanese parsers in the code index strip " を視聴しました" from JSON titles
        ("録画の確認の動画 を視聴しました", "録画の確認の動画"),
    ],
)
def test_the_verb_is_stripped_in_any_known_language(
    tmp_path: Path, title: str, expected: str
) -> None:
    _, rows = read(write_json(tmp_path, [json_entry(title, VIDEO)]))
    assert rows[0].title == expected


def test_streams_through_a_small_window(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = TAKEOUT / "en-ads.watch-history.json"
    _, whole = read(path)
    monkeypatch.setattr(watchcube.ingest, "CHUNK_BYTES", 97)  # entries straddle chunks
    _, pieces = read(path)
    assert pieces == whole


def test_entries_come_before_the_rest_of_the_file_is_read() -> None:
    pulled = 0

    def chunks() -> Iterator[str]:
        nonlocal pulled
        for part in ('[{"a": 1},', ' {"b": 2}', ", 3]"):
            pulled += 1
            yield part

    entries = iter_array(chunks(), "x.json")
    assert next(entries) == (1, {"a": 1})
    assert pulled == 1
    assert list(entries) == [(2, {"b": 2}), (3, 3)]


def test_a_malformed_entry_is_skipped_and_named(tmp_path: Path) -> None:
    entries = [json_entry("Watched One", VIDEO), {"header": "YouTube"}, 7,
               json_entry("Watched Two", VIDEO, time="yesterday")]  # fmt: skip
    report, rows = read(write_json(tmp_path, entries))
    assert [row.title for row in rows] == ["One"]
    assert report.warnings == 3
    assert report.warning_messages == [
        "watch-history.json: entry 2: no title or time",
        "watch-history.json: entry 3: a JSON number, not an object",
        "watch-history.json: entry 4: not an ISO-8601 time: 'yesterday'",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[{"header": "YouTube", "title": "Watched x", "ti', "string starting at line 1, char"),
        ('[\n  {"header": "YouTube", "title": "Watched x"}\n', "line 3"),
        ('[{"header": "YouTube"} {"header": "YouTube"}]', "after entry 1: expected ',' or ']'"),
        ('[{"header": "YouTube", "title": "x", "time": "2024-01-01T00:00:00Z"}] !', "after the"),
        ('{"a": 1}', "line 1 is an object with keys a; expected a JSON array"),
        ("[1, 2]", "entry 1 is a number"),
        ('[{"a": 1}]', "entry 1 is an object with keys a"),
        ("", "the file is empty"),
        ("   \n", "the file is empty"),
        ("hello", "it starts with 'hello'"),
    ],
)
def test_unreadable_files_name_file_and_position(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "export.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UnreadableFile) as caught:
        read(path)
    assert caught.type is UnreadableFile
    assert str(caught.value).startswith("export.json: ")
    assert message in str(caught.value)


def test_binary_garbage_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(UnreadableFile, match=r"export.json: binary data"):
        read(path)


def test_invalid_utf8_later_in_the_file_names_the_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(watchcube.ingest, "HEAD_BYTES", 64)  # the bad byte is past the head
    path = write_json(tmp_path, [json_entry("Watched One", VIDEO)])
    path.write_bytes(path.read_bytes()[:-1] + b"\xff]")
    with pytest.raises(UnreadableFile, match=r"watch-history.json: not UTF-8 .* offset \d+"):
        read(path)


@pytest.mark.parametrize(
    ("entries", "found"),
    [
        ([], "the file has no entries"),
        ([json_entry("Searched for x", "https://www.youtube.com/results?search_query=x")] * 3,
         "found 3 searches"),
    ],
)  # fmt: skip
def test_no_watch_entries(tmp_path: Path, entries: list[object], found: str) -> None:
    with pytest.raises(NoWatchHistory, match=f"watch-history.json: no watch entries; {found}"):
        read(write_json(tmp_path, entries))


def test_an_unknown_time_zone_is_refused_before_reading(tmp_path: Path) -> None:
    with pytest.raises(InvalidSettings, match="unknown time zone 'Mars/Olympus'"):
        read(write_json(tmp_path, [json_entry("Watched One", VIDEO)]), timezone="Mars/Olympus")


def test_a_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match=r"nope.json: cannot read the file"):
        read(tmp_path / "nope.json")
