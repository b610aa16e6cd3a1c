"""Writes are idempotent and atomic; reads give the engine's frame; ranges delete."""

from __future__ import annotations

import itertools
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import select

from tests.utils.factories import at, record
from watchcube.errors import StorageError, UnreadableFile
from watchcube.records import Record
from watchcube.store.db import Database
from watchcube.store.records import (
    batch_from_records,
    count_records,
    delete_range,
    iter_records,
    read_frame,
    write_records,
)
from watchcube.store.schema import data_change_log
from watchcube.store.users import get_user


def _write(db: Database, records: list[Record], user: str = "alice") -> tuple[int, int, int]:
    with db.write() as conn:
        result = write_records(conn, user, records, batch_size=3)
    return result.inserted, result.duplicates, result.data_version


def _changes(
    db: Database, user: str = "alice"
) -> list[tuple[int, str, int, int | None, int | None]]:
    with db.read() as conn:
        rows = conn.execute(
            select(
                data_change_log.c.data_version,
                data_change_log.c.change_type,
                data_change_log.c.record_count,
                data_change_log.c.min_watched_at_us,
                data_change_log.c.max_watched_at_us,
            )
            .where(data_change_log.c.user_id == user)
            .order_by(data_change_log.c.data_version)
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_reimport_inserts_nothing_twice(db: Database) -> None:
    batch = [
        record("2024-01-01T10:00:00.250", "a"),
        record("2024-01-01T10:05:00", "b"),
        record("2024-01-02T08:00:00", None),  # removed video: identity by title
        record("2024-01-03T08:00:00", "c"),
    ]
    assert _write(db, batch) == (4, 0, 1)
    assert _write(db, batch) == (0, 4, 1)
    # Same second, same video, other milliseconds: the same watch.
    again = [record("2024-01-01T10:00:00.999", "a"), record("2024-01-04T00:00:00", "d")]
    assert _write(db, again) == (1, 1, 2)
    assert _changes(db) == [
        (1, "insert", 4, at("2024-01-01T10:00:00.250"), at("2024-01-03T08:00:00")),
        (2, "insert", 1, at("2024-01-04T00:00:00"), at("2024-01-04T00:00:00")),
    ]


def test_duplicates_within_one_batch_count_once(db: Database) -> None:
    twice = [record("2024-01-01T10:00:00", "a"), record("2024-01-01T10:00:00.5", "a")]
    assert _write(db, twice) == (1, 1, 1)
    with db.read() as conn:
        assert count_records(conn, "alice") == 1


def test_a_failing_stream_writes_nothing(db: Database) -> None:
    def broken() -> Iterator[Record]:
        for day in range(1, 10):
            yield record(f"2024-01-0{day}T10:00:00", f"v{day}")
        raise UnreadableFile("file.json: truncated at byte 42")

    _write(db, [record("2023-06-01T00:00:00", "old")])
    with pytest.raises(UnreadableFile), db.write() as conn:
        write_records(conn, "alice", broken(), batch_size=4)
    with db.read() as conn:
        assert count_records(conn, "alice") == 1
        user = get_user(conn, "alice")
    assert user is not None and user.data_version == 1
    assert len(_changes(db)) == 1


def test_users_are_separate(db: Database) -> None:
    _write(db, [record("2024-01-01T10:00:00", "a")], user="alice")
    assert _write(db, [record("2024-01-01T10:00:00", "a")], user="bob") == (1, 0, 1)


def test_read_frame_schema_order_and_nulls(db: Database) -> None:
    records = [
        record("2024-01-01T10:00:00", "b", topics=("music", "gaming"), duration_s=61.5),
        record("2024-01-01T10:00:00", "a"),
        record("2024-01-01T10:00:00", None, title="zz removed"),
        record("2023-12-31T23:59:59.123", "c", is_ad=True, channel_id=None, channel_name=None),
        record("2024-02-01T00:00:00", "m", product="youtube_music"),
    ]
    # Many leading NULLs must not fix a wrong column type in the columnar reader.
    records += [
        record(f"2022-01-01T00:{m:02d}:{s:02d}", None, title=f"ad {m} {s}", is_ad=True)
        for m in range(60)
        for s in range(0, 60, 2)
    ]
    _write(db, records)
    frame = read_frame(db, "alice")
    assert frame.schema == pl.Schema(
        {
            "watched_at": pl.Datetime("us", "UTC"),
            "video_id": pl.String,
            "title": pl.String,
            "channel_id": pl.String,
            "channel_name": pl.String,
            "product": pl.String,
            "topics": pl.List(pl.String),
            "is_ad": pl.Boolean,
            "duration_s": pl.Float64,
        }
    )
    tail = frame.tail(5)
    assert tail["video_id"].to_list() == ["c", None, "a", "b", "m"]
    assert tail["title"][1] == "zz removed"
    assert tail["topics"][3].to_list() == ["music", "gaming"]
    assert tail["duration_s"].to_list() == [None, None, None, 61.5, None]
    assert tail["is_ad"].to_list() == [True, False, False, False, False]
    assert tail["channel_id"].to_list() == [None, None, "UCchannel1", "UCchannel1", "UCchannel1"]
    assert tail["watched_at"][0].microsecond == 123_000
    assert frame.height == len(records)


def test_export_stream_round_trips_records(db: Database) -> None:
    records = [
        record("2024-01-01T10:00:00.123456", "a", topics=("x",), duration_s=12.0),
        record("2024-01-02T10:00:00", None, is_ad=True),
    ]
    _write(db, records)
    assert list(iter_records(db, "alice")) == records


def test_delete_range_logs_the_deleted_span(db: Database) -> None:
    _write(db, [record(f"2024-01-0{d}T12:00:00", f"v{d}") for d in range(1, 8)])
    with db.write() as conn:
        result = delete_range(conn, "alice", at("2024-01-03T00:00:00"), at("2024-01-05T00:00:00"))
    assert (result.inserted, result.data_version) == (2, 2)
    assert _changes(db)[-1] == (
        2,
        "delete",
        2,
        at("2024-01-03T12:00:00"),
        at("2024-01-04T12:00:00"),
    )
    with db.write() as conn:
        assert delete_range(conn, "alice", at("2030-01-01T00:00:00"), None).data_version == 2
        assert count_records(conn, "alice") == 5


def test_batches_and_records_are_one_write_path(db: Database) -> None:
    records = [
        record("2024-01-01T10:00:00.250", "a", topics=("music", "gaming"), duration_s=61.5),
        record("2024-01-02T10:00:00", None, title="a removed video"),
        record("2024-01-03T10:00:00", "c", is_ad=True, channel_id=None, channel_name=None),
    ]
    assert _write(db, records, user="alice") == (3, 0, 1)
    with db.write() as conn:
        result = write_records(conn, "bob", [batch_from_records(records)])
    assert (result.inserted, result.duplicates) == (3, 0)
    assert list(iter_records(db, "bob")) == list(iter_records(db, "alice")) == records
    assert read_frame(db, "bob").equals(read_frame(db, "alice"))


def test_a_mixed_stream_keeps_its_order(db: Database) -> None:
    first = record("2024-01-01T10:00:00.100", "a", title="first")
    again = record("2024-01-01T10:00:00.900", "a", title="again")  # the same watch, later
    other = record("2024-01-01T11:00:00", "b")
    stream: list[pl.DataFrame | Record] = [first, batch_from_records([again]), other]
    with db.write() as conn:
        result = write_records(conn, "alice", stream, batch_size=1)
    assert (result.inserted, result.duplicates) == (2, 1)
    assert list(iter_records(db, "alice")) == [first, other]


def test_the_change_log_spans_exactly_the_inserted_records(db: Database) -> None:
    _write(db, [record("2024-01-01T12:00:00.500", "old")])
    batch = [
        record("2024-01-01T12:00:00.100", "old"),  # already there: not part of the change
        record("2024-01-02T08:00:00.900", "a"),
        record("2024-01-02T08:00:00.100", "a"),  # a copy within the write, earlier
        record("2024-01-03T08:00:00", "b"),
    ]
    assert _write(db, batch) == (2, 2, 2)
    assert _changes(db)[-1] == (
        2,
        "insert",
        2,
        at("2024-01-02T08:00:00.900"),
        at("2024-01-03T08:00:00"),
    )


TEXTS = [
    "quotes \" and 'single'",
    "commas, semicolons; tabs\tand\nnew lines\r\n",
    "back\\slash \\N and \\. and NULL",
    "",
    "unicode: café, 日本語, emoji 🎵, RTL שלום",
    " leading and trailing ",
]


def test_any_text_survives_the_copy(db: Database) -> None:
    records = [
        record(
            f"2024-01-01T10:00:{second:02d}",
            f"v{second}",
            title=text or "untitled",
            channel_name=text or None,
            topics=(text, "plain") if text else (),
            duration_s=[None, 0.0, 1e-3, 604800.0, 12.5, 3.0][second],
        )
        for second, text in enumerate(TEXTS)
    ]
    records.append(record("2024-01-02T00:00:00", "", title="empty id: identity by title"))
    _write(db, records)
    assert list(iter_records(db, "alice")) == records


def test_a_write_that_fails_stops_its_reader(db: Database) -> None:
    """Batches are read ahead in a thread: a failing write must stop and close the reader."""
    closed = threading.Event()

    def endless() -> Iterator[pl.DataFrame]:
        try:
            for day in itertools.count():
                yield batch_from_records([record("2024-01-01T00:00:00", f"v{day}")])
        finally:
            closed.set()

    def fail(_: int) -> None:
        raise RuntimeError("the disk is full")

    with pytest.raises(RuntimeError, match="the disk is full"), db.write() as conn:
        write_records(conn, "alice", endless(), progress=fail)
    assert closed.is_set()
    with db.read() as conn:
        assert count_records(conn, "alice") == 0


def test_large_batches_are_written_a_batch_size_at_a_time(db: Database) -> None:
    batch = batch_from_records(record(f"2024-01-0{day}T10:00:00", f"v{day}") for day in range(1, 8))
    sizes: list[int] = []
    with db.write() as conn:
        result = write_records(conn, "alice", [batch], batch_size=3, progress=sizes.append)
    assert (result.inserted, sizes) == (7, [3, 3, 1])


def test_sqlite_staging_files_are_detached_and_deleted(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite stages a write in a scratch file attached to the write's connection: whether
    the write commits, fails while reading, or is rolled back after the insert, the file
    goes and the pooled connection takes the next write."""
    if not db.is_sqlite:
        pytest.skip("PostgreSQL stages in a temporary table")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))

    def attached() -> list[str]:
        with db.read() as conn:
            return [row[1] for row in conn.exec_driver_sql("PRAGMA database_list")]

    assert _write(db, [record("2024-01-01T10:00:00", "a")]) == (1, 0, 1)
    assert list(scratch.iterdir()) == [] and attached() == ["main", "temp"]

    def broken() -> Iterator[Record]:
        yield record("2024-01-02T10:00:00", "b")
        raise UnreadableFile("file.json: truncated at byte 42")

    with pytest.raises(UnreadableFile), db.write() as conn:
        write_records(conn, "alice", broken(), batch_size=1)
    assert list(scratch.iterdir()) == []

    with pytest.raises(RuntimeError, match="changed my mind"), db.write() as conn:
        write_records(conn, "alice", [record("2024-01-03T10:00:00", "c")])
        raise RuntimeError("changed my mind")
    assert list(scratch.iterdir()) == [] and attached() == ["main", "temp"]

    for _ in range(12):  # more than SQLite's limit of attached files, on any pooled connection
        _write(db, [record("2024-01-04T10:00:00", "d")])
    assert _write(db, [record("2024-01-05T10:00:00", "e")]) == (1, 0, 3)
    assert list(scratch.iterdir()) == [] and attached() == ["main", "temp"]
    with db.read() as conn:
        assert count_records(conn, "alice") == 3


def test_a_staging_failure_is_a_storage_error_and_writes_nothing(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not db.is_sqlite:
        pytest.skip("PostgreSQL stages in a temporary table")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    _write(db, [record("2024-01-01T10:00:00", "a")])
    monkeypatch.setattr("watchcube.store.records._STAGE_SQL", "(broken")
    with pytest.raises(StorageError, match="cannot stage the records"), db.write() as conn:
        write_records(conn, "alice", [record("2024-01-02T10:00:00", "b")])
    assert list(scratch.iterdir()) == []
    with db.read() as conn:
        assert count_records(conn, "alice") == 1
