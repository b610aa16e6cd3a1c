"""Takeout zips: the watch history found by content under any names, and unsafe archives."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from watchcube.errors import NoWatchHistory, UnreadableFile, UnsafeArchive
from watchcube.ingest.takeout_zip import MemberReader, Selection

from .helpers import TAKEOUT, read

WATCH_JSON = (TAKEOUT / "en-ads.watch-history.json").read_bytes()
WATCH_HTML = (TAKEOUT / "en-us-2024-trt.watch-history.html").read_bytes()
SEARCH_HTML = (TAKEOUT / "en-us-2024-trt.search-history.html").read_bytes()
SUBSCRIPTIONS = b'[{"snippet": {"title": "Some channel"}}]'


def make_zip(folder: Path, members: dict[str, bytes], name: str = "takeout.zip") -> Path:
    path = folder / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return path


@pytest.mark.parametrize(
    ("member", "data", "fmt", "records"),
    [
        ("Takeout/YouTube and YouTube Music/history/watch-history.json", WATCH_JSON, "json", 2390),
        ("Takeout/YouTube und YouTube Music/Verlauf/Wiedergabeverlauf.json", WATCH_JSON, "json",
         2390),
        ("Takeout/YouTube y YouTube Music/historial/historial-de-reproducciones.html", WATCH_HTML,
         "html", 1132),
        ("Takeout/YouTube と YouTube Music/履歴/再生履歴.html", WATCH_HTML, "html", 1132),
    ],
)  # fmt: skip
def test_the_watch_history_is_found_by_content(
    tmp_path: Path, member: str, data: bytes, fmt: str, records: int
) -> None:
    folder = member.rsplit("/", 1)[0]
    path = make_zip(
        tmp_path,
        {
            "Takeout/archive_browser.html": b"<html><body>Takeout</body></html>",
            f"{folder}/search-history.html": SEARCH_HTML,
            "Takeout/YouTube/subscriptions/subscriptions.json": SUBSCRIPTIONS,
            member: data,
        },
    )
    report, rows = read(path)
    assert report.format == f"takeout-zip:takeout-{fmt}"
    assert report.source == f"takeout.zip:{member}"
    assert report.records == len(rows) == records


def test_json_wins_over_html_for_its_milliseconds(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path,
        {
            "Takeout/YouTube and YouTube Music/history/watch-history.html": WATCH_HTML,
            "Takeout/YouTube and YouTube Music/history/watch-history.json": WATCH_JSON,
        },
    )
    report, rows = read(path)
    assert report.format == "takeout-zip:takeout-json"
    assert any(row.watched_at_us % 1_000_000 for row in rows)


def test_a_zip_with_only_a_search_history(tmp_path: Path) -> None:
    path = make_zip(tmp_path, {"Takeout/YouTube/history/search-history.html": SEARCH_HTML})
    with pytest.raises(NoWatchHistory, match=r"takeout.zip: no watch history .*search-history"):
        read(path)


@pytest.mark.parametrize("member", ["../evil.json", "Takeout/../../evil.json", "/etc/x.json",
                                    "C:/Windows/x.json", "Takeout\\..\\..\\evil.json"])  # fmt: skip
def test_zip_slip_is_refused(tmp_path: Path, member: str) -> None:
    path = make_zip(tmp_path, {"Takeout/watch-history.json": WATCH_JSON, member: b"[]"})
    with pytest.raises(UnsafeArchive, match=r"takeout.zip: member .* points outside"):
        read(path)


def test_a_zip_bomb_is_refused(tmp_path: Path) -> None:
    path = make_zip(tmp_path, {"Takeout/watch-history.json": b"[" + b" " * 5_000_000 + b"]"})
    with pytest.raises(UnsafeArchive, match=r"expands \d+ times"):
        read(path)


def test_the_declared_size_limit(tmp_path: Path) -> None:
    path = make_zip(tmp_path, {"Takeout/watch-history.json": WATCH_JSON})
    with pytest.raises(UnsafeArchive, match=r"expands to \d+ bytes, more than the limit of 1000"):
        read(path, zip_max_bytes=1000)


def test_the_limit_holds_while_reading(tmp_path: Path) -> None:
    member = "Takeout/watch-history.json"
    path = make_zip(tmp_path, {member: WATCH_JSON})
    selection = Selection(member, "takeout-json")
    with MemberReader(path, selection, "takeout.zip", 1000) as reader:
        assert len(reader.read(600)) == 600
        with pytest.raises(UnsafeArchive, match=r"expands past 1000 bytes while reading"):
            reader.read(600)


def test_a_damaged_archive_is_unreadable(tmp_path: Path) -> None:
    path = make_zip(tmp_path, {"Takeout/watch-history.json": WATCH_JSON})
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(UnreadableFile, match=r"takeout.zip: not a readable zip archive"):
        read(path)
