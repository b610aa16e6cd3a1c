"""Records files (NDJSON or a JSON array of portable records): exact round trip, strict rows."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import watchcube.ingest
from watchcube.errors import UnreadableFile
from watchcube.ingest import records_file
from watchcube.records import Record, parse_instant
from watchcube.synth import generate, write

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
        (['{"watched_at": "2024-01-13T13:16:16Z", "title": "x", "video_id": "\\ud800"}'],
         r"backup.ndjson: line 1: video_id: not valid Unicode text \(a lone surrogate\)"),
        (['{"watched_at": "2024-01-13T13:16:16Z", "title": "x", "topics": ["a\\udfff"]}'],
         r"backup.ndjson: line 1: topics: not valid Unicode text"),
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


# -- the columnar NDJSON reader against row-by-row validation ---------------------------------


def outcome(path: Path) -> tuple[object, ...]:
    """Everything an import gives: records and counts, or the error."""
    try:
        report, rows = read(path)
    except UnreadableFile as exc:
        return (type(exc).__name__, str(exc))
    return rows, report.records, report.ads, report.music


def test_an_export_is_read_column_wise(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    history = generate(3_000, seed=4)
    path = tmp_path / "h.ndjson"
    write(history, path, "ndjson")
    row_by_row = records_file._line_records
    calls: list[int] = []

    def counted(*args: Any) -> list[Record]:
        calls.append(1)
        return row_by_row(*args)

    monkeypatch.setattr(records_file, "_line_records", counted)
    monkeypatch.setattr(records_file, "RUN_BYTES", 50_000)  # several runs
    assert outcome(path) == (history, 3_000, sum(r.is_ad for r in history),
                             sum(r.product == "youtube_music" for r in history))  # fmt: skip
    assert calls == []


TEXTS = (
    st.none()
    | st.sampled_from(["", " x ", "[MV] x", "5", "true", "\ud800", "a\x00b"])
    | st.text(max_size=6)
)
ODD = st.integers(-2, 3) | st.booleans() | st.lists(st.integers(0, 2), max_size=2) | st.just({})
RECORD_ROWS = st.fixed_dictionaries(
    {
        "watched_at": st.sampled_from(
            [
                "2024-01-13T13:16:16.123Z",
                "2024-01-13T13:16:16.123456Z",
                "2024-01-13T13:16:16Z",
                "2024-01-13T14:16:16.123+01:00",
                "2024-01-13T13:16:16.123",
                "1999-01-01T00:00:00.000Z",
                "2024-02-30T00:00:00.000Z",
                "soon",
            ]
        )
        | ODD,
    },
    optional={
        "video_id": TEXTS | ODD,
        "title": TEXTS | ODD | st.just("t" * 2100),
        "channel_id": TEXTS | ODD,
        "channel_name": TEXTS | ODD,
        "product": st.sampled_from(["youtube", "youtube_music", "tv", "", None]) | ODD,
        "topics": st.lists(TEXTS | st.sampled_from(["music", " music", "music"]) | ODD, max_size=3)
        | ODD
        | st.none(),
        "is_ad": st.booleans() | st.none() | ODD,
        "duration_s": st.floats(-1, 700_000, allow_nan=False) | st.none() | ODD,
        "extra": ODD,
    },
)
VALID = {"watched_at": "2024-01-13T13:16:16.123Z", "title": "steady", "topics": ["x"]}


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(RECORD_ROWS | st.just(VALID), max_size=10),
    run_bytes=st.sampled_from([1, 300, records_file.RUN_BYTES]),
    compact=st.booleans(),
)
def test_column_wise_and_row_by_row_reading_agree(
    rows: list[dict[str, Any]], run_bytes: int, compact: bool
) -> None:
    separators = (",", ":") if compact else (", ", ": ")
    text = "".join(json.dumps(row, separators=separators) + "\n" for row in [VALID, *rows])
    with tempfile.TemporaryDirectory() as folder:
        fast, slow = Path(folder) / "a.ndjson", Path(folder) / "b.ndjson"
        fast.write_text(text, encoding="utf-8")
        slow.write_text(text + "\n\n", encoding="utf-8")  # blank lines: read row by row
        with (
            patch.object(records_file, "RUN_BYTES", run_bytes),
            patch.object(watchcube.ingest, "CHUNK_BYTES", max(run_bytes, 64)),
        ):
            columnar = outcome(fast)
        row_by_row = outcome(slow)
    if isinstance(row_by_row[0], str):  # the same error, naming the same line
        assert columnar == (row_by_row[0], str(row_by_row[1]).replace("b.ndjson", "a.ndjson"))
    else:
        assert columnar == row_by_row
