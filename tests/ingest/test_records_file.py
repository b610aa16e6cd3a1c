"""Records files (NDJSON or a JSON array of portable records): exact round trip, strict rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from watchcube.errors import UnreadableFile
from watchcube.records import Record, parse_instant

from .helpers import read

RECORDS = [
    Record(parse_instant("2024-01-13T13:16:16.123456Z"), "Derivative of ln(x^2)", "2DIdtwlt8_o",
           "UCd2SfkpYdCcZb4BKTpMz-CQ", "The Mathmagic Show", topics=("education", "my own")),
    Record(parse_instant("2023-06-30T22:00:00Z"), "Watched a video that has been removed"),
    Record(parse_instant("2022-12-31T21:30:01.5Z"), "Song", "2tw2QDSeBQQ", product="youtube_music",
           is_ad=True, duration_s=215.0),
]  # fmt: skip


def test_ndjson_round_trips_exactly(tmp_path: Path) -> None:
    path = tmp_path / "backup.ndjson"
    lines = [json.dumps(record.to_json()) for record in RECORDS]
    path.write_text("\n".join(lines[:2]) + "\n\n" + lines[2] + "\n", encoding="utf-8")
    report, rows = read(path)
    assert report.format == "records-ndjson"
    assert rows == RECORDS  # topics kept as carried, not re-tagged
    assert (report.records, report.ads, report.music) == (3, 1, 1)


def test_a_json_array_round_trips_exactly(tmp_path: Path) -> None:
    path = tmp_path / "backup.json"
    path.write_text(json.dumps([record.to_json() for record in RECORDS], indent=1))
    report, rows = read(path)
    assert report.format == "records-json"
    assert rows == RECORDS


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (['{"watched_at": "2024-01-13T13:16:16Z", "title": "x"}', '{"watched_at": "soon"}'],
         "backup.ndjson: line 2: watched_at: not an ISO-8601 instant"),
        (['{"watched_at": "2024-01-13T13:16:16Z", "title": "x"}', "", "{oops"],
         "backup.ndjson: line 3: not a JSON record"),
        (['{"watched_at": "2024-01-13T13:16:16Z", "title": "x", "product": "tv"}'],
         "backup.ndjson: line 1: product: must be one of"),
        (['{"watched_at": "2024-01-13T13:16:16Z", "title": "x"}', "[1]"],
         "backup.ndjson: line 2: record: must be a JSON object"),
    ],
)  # fmt: skip
def test_one_bad_line_rejects_the_file(tmp_path: Path, lines: list[str], message: str) -> None:
    path = tmp_path / "backup.ndjson"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(UnreadableFile, match=message):
        read(path)


def test_one_bad_entry_rejects_an_array(tmp_path: Path) -> None:
    path = tmp_path / "backup.json"
    rows = [RECORDS[0].to_json(), {"watched_at": "2024-01-13T13:16:16Z"}]
    path.write_text(json.dumps(rows))
    with pytest.raises(UnreadableFile, match=r"backup.json: entry 2: title: required"):
        read(path)


def test_an_object_per_line_without_watched_at_is_not_a_records_file(tmp_path: Path) -> None:
    path = tmp_path / "rows.ndjson"
    path.write_text('{"title": "x"}\n{"title": "y"}\n')
    with pytest.raises(UnreadableFile, match=r"rows.ndjson: line 1 is an object with keys title;"):
        read(path)


def test_a_records_file_is_told_from_takeout_by_content(tmp_path: Path) -> None:
    path = tmp_path / "watch-history.json"  # the name says Takeout, the content says records
    path.write_text(json.dumps([RECORDS[0].to_json()]))
    report, rows = read(path)
    assert (report.format, rows) == ("records-json", RECORDS[:1])
