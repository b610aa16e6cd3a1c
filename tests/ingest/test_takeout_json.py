"""Takeout watch-history.json: the real exports' exact counts, entry shapes, streaming, errors."""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import watchcube.ingest
from watchcube.config import Settings
from watchcube.errors import InvalidSettings, NoWatchHistory, UnreadableFile
from watchcube.importer import import_file
from watchcube.ingest import takeout_json
from watchcube.ingest.takeout_json import iter_array
from watchcube.records import format_instant
from watchcube.store.db import Database
from watchcube.store.records import count_records
from watchcube.store.users import get_user

from .helpers import (
    CHANNEL,
    DAMAGES,
    TAKEOUT,
    Paths,
    json_entry,
    outcome,
    read,
    takeout_layout,
    write_json,
)

VIDEO = "https://www.youtube.com/watch?v=2DIdtwlt8_o"


@pytest.mark.parametrize(
    ("name", "records", "removed", "music", "ads", "skipped"),
    [
        ("en-2021.watch-history.json", 8241, 108, 1, 0, {"visited": 3}),
        ("en-2025-music.watch-history.json", 2943, 0, 727, 0, {"post": 6, "playable": 3}),
        ("en-ads.watch-history.json", 2390, 119, 3, 95, {"visited": 1}),
    ],
)
@pytest.mark.usefixtures("reading")
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
    monkeypatch.setattr(watchcube.ingest, "_regular_file", lambda stream: None)  # as a zip member
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


@pytest.mark.usefixtures("reading")
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


# -- the columnar reader against the entry-by-entry reader ------------------------------------

REAL_JSON = sorted(path.name for path in TAKEOUT.glob("*.json"))


def layouts(folder: Path, entries: list[Any]) -> tuple[Path, Path]:
    """The entries in Takeout's layout and re-indented, each as watch-history.json."""
    (folder / "takeout").mkdir(exist_ok=True)
    (folder / "reindented").mkdir(exist_ok=True)
    return (
        write_json(folder / "takeout", entries),
        write_json(folder / "reindented", entries, reindent=True),
    )


@pytest.mark.parametrize("name", REAL_JSON)
@pytest.mark.usefixtures("reading")
def test_columnar_and_per_entry_readers_agree_on_real_exports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    entries = json.loads((TAKEOUT / name).read_text(encoding="utf-8"))
    takeout, reindented = layouts(tmp_path, entries)
    takeout.write_bytes((TAKEOUT / name).read_bytes())  # the very bytes Takeout wrote
    paths = Paths(monkeypatch)
    columnar = outcome(takeout)
    assert paths.columnar > 0
    assert paths.decoded == paths.per_entry == 0
    assert outcome(reindented) == columnar
    assert paths.per_entry == 1


JSON_VALUES = (
    st.none()
    | st.booleans()
    | st.integers(-5, 10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
    | st.lists(st.integers(0, 3), max_size=2)
    | st.dictionaries(st.sampled_from(["name", "url", "x"]), st.text(max_size=3), max_size=2)
)
ODD_TEXTS = st.text(max_size=25) | st.sampled_from(
    [
        "Watched Yarn vs NPM",
        "Watched  two  spaces ",
        "Watched\u3000ideographic\u3000space",
        "Watched\x1ctab\x1f",
        "Vous avez regardé une vidéo qui a été supprimée",
        "Tagesschau angesehen",
        "Een video bekeken die is verwijderd",
        "Watched a video that has been removed",
        "Watched ",
        "Visited YouTube Music",
        "Answered survey question",
        "Searched for cats",
        "[MV] Song [Live]",
        "5",
        "true",
        "\ud800 lone surrogate",
        "nul \x00 inside",
        "x" * 2100,
    ]
)
URLS = st.text(max_size=12) | st.sampled_from(
    [
        VIDEO,
        "https://www.youtube.com/watch?v=",
        "https://www.youtube.com/watch?v=abc&t=42",
        "https://www.youtube.com/watch?feature=share&v=2DIdtwlt8_o",
        "https://m.youtube.com/watch?v=é",
        "https://music.youtube.com/watch?v=2tw2QDSeBQQ",
        "https://youtube.com/shorts/abcDEF12345",
        "https://youtu.be/2DIdtwlt8_o",
        "https://www.youtube.com/post/Ugkx",
        "https://www.youtube.com/playables/Ugkx",
        "https://www.youtube.com/results?search_query=x",
        "https://www.youtube.com/feed/history",
        "https://www.google.com/url?q=https://www.youtube.com/watch?v=x",
        VIDEO + "\ud800",  # a video link still, but not valid Unicode
        "",
    ]
)
TIMES = st.sampled_from(
    [
        "2024-01-13T13:16:16.123Z",
        "2024-01-13T13:16:16Z",
        "2024-01-13T13:16:16.5Z",
        "2024-01-13T13:16:16.123456Z",
        "2024-01-13T14:16:16.123+01:00",
        "2024-01-13T13:16:16.123",
        "2024-02-30T00:00:00.000Z",
        "2024-01-13T24:00:00.000Z",
        "2024-01-13T13:16:60.000Z",
        "1999-12-31T23:59:59.999Z",
        "2100-01-01T00:00:00.000Z",
        "2024-01-13T13:16:16.123Z\ud800",
        "yesterday",
    ]
)
SUBTITLES = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "name": ODD_TEXTS | JSON_VALUES,
            "url": st.sampled_from([CHANNEL, "https://www.youtube.com/channel/", ""]) | JSON_VALUES,
        },
    ),
    max_size=2,
)
ENTRIES = st.fixed_dictionaries(
    {
        "header": st.sampled_from(["YouTube", "YouTube Music"]) | JSON_VALUES,
        "title": ODD_TEXTS | JSON_VALUES,
        "time": TIMES | JSON_VALUES,
    },
    optional={
        "titleUrl": URLS | JSON_VALUES,
        "subtitles": SUBTITLES | JSON_VALUES,
        "description": ODD_TEXTS,
        "products": st.just(["YouTube"]),
        "details": st.sampled_from([[{"name": "From Google Ads"}], [], [{}]]) | JSON_VALUES,
        "activityControls": st.just(["YouTube watch history"]),
    },
)
GOOD = json_entry("Watched Steady", VIDEO, channel="The Channel")


@settings(
    max_examples=150,
    deadline=None,
    # (the fixture only chooses how files are read: the same for every example)
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    entries=st.lists(ENTRIES | JSON_VALUES, max_size=12),
    position=st.integers(0, 12),
    run_bytes=st.sampled_from([64, 700, takeout_json.RUN_BYTES]),
    shared_bytes=st.sampled_from([1, 500, takeout_json.SHARED_BYTES]),
)
@pytest.mark.usefixtures("reading")
def test_columnar_and_per_entry_readers_agree_on_odd_entries(
    entries: list[Any], position: int, run_bytes: int, shared_bytes: int
) -> None:
    entries = [*entries[:position], GOOD, *entries[position:]]  # one record at least
    with (
        tempfile.TemporaryDirectory() as folder,
        patch.object(takeout_json, "RUN_BYTES", run_bytes),  # runs of a few entries, or all
        patch.object(takeout_json, "SHARED_BYTES", shared_bytes),  # the last run cut, or not
        patch.object(watchcube.ingest, "CHUNK_BYTES", min(run_bytes, 4096)),
    ):
        takeout, reindented = layouts(Path(folder), entries)
        assert outcome(takeout) == outcome(reindented)


@pytest.mark.usefixtures("reading")
def test_runs_of_any_size_give_the_same_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = TAKEOUT / "en-ads.watch-history.json"
    whole = outcome(path)
    monkeypatch.setattr(watchcube.ingest, "CHUNK_BYTES", 1000)
    monkeypatch.setattr(takeout_json, "RUN_BYTES", 5000)  # a few dozen entries a run
    paths = Paths(monkeypatch)
    assert outcome(path) == whole
    assert paths.columnar > 100
    assert paths.decoded == paths.per_entry == 0


@pytest.mark.parametrize("damage", DAMAGES)
@pytest.mark.parametrize("shared_bytes", [1, takeout_json.SHARED_BYTES])
@pytest.mark.usefixtures("reading")
def test_a_damaged_takeout_file_names_the_position_the_entry_reader_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: Callable[[str], str], shared_bytes: int
) -> None:
    monkeypatch.setattr(takeout_json, "RUN_BYTES", 2000)  # the damage lies in a later run
    monkeypatch.setattr(takeout_json, "SHARED_BYTES", shared_bytes)  # the last run cut, or not
    text = damage(takeout_layout([json_entry(f"Watched {i}", VIDEO) for i in range(20)]))
    path = tmp_path / "watch-history.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UnreadableFile) as expected:
        list(iter_array([text], "watch-history.json"))
    with pytest.raises(UnreadableFile) as caught:
        read(path)
    assert str(caught.value) == str(expected.value)
    assert "line" in str(caught.value)


def test_a_damaged_takeout_file_writes_nothing(tmp_path: Path, db: Database) -> None:
    entries = [json_entry(f"Watched {i}", VIDEO, time=f"2024-01-13T13:16:{i:02d}.000Z")
               for i in range(40)]  # fmt: skip
    good = write_json(tmp_path, entries[:5], "first.json")
    summary = import_file(db, "alice", good, Settings())
    assert (summary.inserted, summary.data_version) == (5, 1)
    text = takeout_layout(entries)
    bad = tmp_path / "watch-history.json"
    bad.write_text(text[: len(text) - 300], encoding="utf-8")
    with pytest.raises(UnreadableFile, match=r"watch-history.json: .* at line \d+"):
        import_file(db, "alice", bad, Settings())
    with db.read() as conn:
        assert count_records(conn, "alice") == 5
        user = get_user(conn, "alice")
    assert user is not None and user.data_version == 1
