"""Watch records in SQL: idempotent atomic writes, ordered reads, range deletes.

A write takes record batches (``pl.DataFrame`` in ``BATCH_SCHEMA``, as the importers produce
them) or ``Record`` objects (API posts, tests: converted to batches by ``batch_from_records``,
so there is one write path). It copies each batch into a staging table while the next
batches are being read, inserts the rows the user does not have yet (identity: second +
video id or title) in identity order, and in the same transaction bumps the user's
``data_version`` and appends one change-log row with the range of the inserted records.
Either all of it commits or none of it does.

The staging table is, on PostgreSQL, a temporary table filled by COPY. On SQLite it is a
private scratch file, written column-wise by ADBC's SQLite driver in the read-ahead thread
(about 3x faster than binding every row through the standard library's driver, and off the
writing thread) and attached to the write's connection once complete. ADBC bundles its own
SQLite library; two libraries in one process must never open the same file (each would drop
the other's POSIX locks), and they do not: the scratch file is closed by ADBC before the
standard library's driver attaches it, and ADBC never opens the database itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from queue import Empty, Queue
from typing import Any, Final, TypeVar

import orjson
import polars as pl
from sqlalchemy import Connection, delete, func, select

from watchcube import defaults
from watchcube.errors import StorageError
from watchcube.records import BATCH_SCHEMA, RAW_SCHEMA, US_PER_SECOND, Record, sort_raw
from watchcube.store.changelog import append_change
from watchcube.store.db import AFTER_TRANSACTION, Database
from watchcube.store.schema import users, watch_records
from watchcube.store.users import ensure_user

_STAGE_COLUMNS = ("seq", "watched_sec", "ident", *BATCH_SCHEMA.names())
_RECORD_COLUMNS = _STAGE_COLUMNS[1:]
_TOPICS_KEY = '{"topics":'  # what ``struct.json_encode`` puts before the topics array
_AHEAD: Final = 2  # batches read ahead of the one being written (bounds the memory)
_Item = TypeVar("_Item")


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What one write did; ``data_version`` is the user's version after it."""

    inserted: int
    duplicates: int
    data_version: int
    min_watched_at_us: int | None = None
    max_watched_at_us: int | None = None


def storage_ident(video_id: str | None, title: str) -> str:
    """The textual identity as stored: the video id, or a fixed-length digest of the title."""
    if video_id:
        return f"v:{video_id}"
    return "t:" + hashlib.sha256(title.encode()).hexdigest()[:40]


def batch_from_records(records: Iterable[Record]) -> pl.DataFrame:
    """Records as one batch (``BATCH_SCHEMA``), in their order."""
    rows = list(records)
    columns: dict[str, list[Any]] = {
        name: [getattr(r, name) for r in rows] for name in BATCH_SCHEMA.names()
    }
    columns["topics"] = [list(r.topics) for r in rows]
    return pl.DataFrame(columns, schema=BATCH_SCHEMA)


def _batches(items: Iterable[pl.DataFrame | Record], size: int) -> Iterator[pl.DataFrame]:
    """Batches of at most ``size`` records: given batches cut (without copying), loose
    records gathered."""
    pending: list[Record] = []
    for item in items:
        if isinstance(item, Record):
            pending.append(item)
            if len(pending) >= size:
                yield batch_from_records(pending)
                pending = []
            continue
        if pending:
            yield batch_from_records(pending)
            pending = []
        for offset in range(0, item.height, size):
            yield item.slice(offset, size)
    if pending:
        yield batch_from_records(pending)


def _read_ahead(batches: Iterator[_Item]) -> Iterator[_Item]:
    """The batches, produced in a worker thread up to ``_AHEAD`` ahead: an importer reads and
    parses the next batches while this one is copied in (Polars and the database drivers
    release the GIL). The producer's error is raised here; stopping early stops it."""
    queue: Queue[tuple[_Item | None, BaseException | None]] = Queue(maxsize=_AHEAD)
    stop = threading.Event()

    def produce() -> None:
        try:
            for batch in batches:
                queue.put((batch, None))
                if stop.is_set():
                    break
            queue.put((None, None))
        except BaseException as exc:  # handed to the consumer, which raises it
            queue.put((None, exc))
        finally:
            close = getattr(batches, "close", None)
            if close is not None:
                close()

    worker = threading.Thread(target=produce, name="write-records-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            batch, error = queue.get()
            if error is not None:
                raise error
            if batch is None:
                return
            yield batch
    finally:
        stop.set()
        while worker.is_alive():  # let a producer blocked on a full queue see the stop
            with contextlib.suppress(Empty):
                queue.get(timeout=0.05)
        worker.join()


def _stage_frame(batch: pl.DataFrame, first_seq: int) -> pl.DataFrame:
    """The staging rows of a batch: order, identity, and topics as JSON text.

    Identities are computed column-wise; only the rows without a video id (removed videos,
    about 1%) are hashed one by one, polars having no SHA-256.
    """
    frame = batch.with_columns(
        seq=pl.int_range(first_seq, first_seq + batch.height, dtype=pl.Int64),
        watched_sec=pl.col("watched_at_us") // US_PER_SECOND,
        ident=pl.when(pl.col("video_id") != "").then("v:" + pl.col("video_id")),
        topics=pl.struct("topics").struct.json_encode().str.slice(len(_TOPICS_KEY)).str.head(-1),
    ).select(_STAGE_COLUMNS)
    missing = frame["ident"].is_null()
    if missing.any():
        titles = frame.filter(missing)["title"]
        hashed = pl.Series([storage_ident(None, title) for title in titles], dtype=pl.String)
        idents = frame["ident"].scatter(missing.arg_true(), hashed)
        frame = frame.with_columns(ident=idents)
    return frame


def write_records(
    conn: Connection,
    user_id: str,
    records: Iterable[pl.DataFrame | Record],
    *,
    batch_size: int = defaults.IMPORT_BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> WriteResult:
    """Insert the records the user does not have yet, inside the caller's write transaction.

    ``records`` yields record batches (``BATCH_SCHEMA``) or ``Record`` objects, and may be a
    lazy stream (an importer), consumed in a worker thread a couple of batches ahead of the
    writing; if it raises, the caller's transaction rolls back and nothing is written.
    ``progress`` is called (in the caller's thread) with each batch's size.
    """
    ensure_user(conn, user_id)
    # Lock the user row: one writer per user at a time on PostgreSQL (SQLite already
    # serializes writers), so the version we are about to use stays ours.
    current = conn.execute(
        select(users.c.data_version).where(users.c.user_id == user_id).with_for_update()
    ).scalar_one()
    version = int(current) + 1
    frames = _stage_frames(_batches(records, batch_size))
    seen = 0
    if conn.dialect.name == "sqlite":
        stage = _ScratchStage()
        try:
            # Two threads: one reads and prepares the batches, the other writes them down.
            for height in _read_ahead(stage.fill(_read_ahead(frames))):
                seen += height
                if progress is not None:
                    progress(height)
            table = stage.attach(conn)
        finally:
            stage.discard_unless_attached()
    else:
        table = _create_temporary_stage(conn)
        for frame in _read_ahead(frames):
            _copy_stage(conn, frame)
            seen += frame.height
            if progress is not None:
                progress(frame.height)
    columns = ", ".join(_RECORD_COLUMNS)
    p = _param(conn)
    # The primary key is the identity: rows the user already has conflict and are left
    # out, and among copies of one watch within the write the first in the input (lowest
    # seq) is the one inserted. In identity order the indexes grow at one end.
    inserted = conn.exec_driver_sql(
        f"INSERT INTO watch_records (user_id, {columns}, data_version) "
        f"SELECT {p}, {columns}, {p} FROM {table} WHERE true "
        "ORDER BY watched_sec, ident, seq ON CONFLICT DO NOTHING",
        (user_id, version),
    ).rowcount
    if table == _STAGE:
        conn.exec_driver_sql(f"DROP TABLE {_STAGE}")
    if inserted == 0:
        return WriteResult(0, seen, version - 1)
    low, high = conn.execute(
        select(
            func.min(watch_records.c.watched_at_us), func.max(watch_records.c.watched_at_us)
        ).where(watch_records.c.user_id == user_id, watch_records.c.data_version == version)
    ).one()
    conn.execute(users.update().where(users.c.user_id == user_id).values(data_version=version))
    append_change(conn, user_id, version, "insert", inserted, low, high)
    return WriteResult(inserted, seen - inserted, version, low, high)


def _stage_frames(batches: Iterator[pl.DataFrame]) -> Iterator[pl.DataFrame]:
    seen = 0
    for batch in batches:
        yield _stage_frame(batch, seen)
        seen += batch.height


def _param(conn: Connection) -> str:
    return "?" if conn.dialect.name == "sqlite" else "%s"


_STAGE = "wc_stage"
_STAGE_SQL = (
    "(seq BIGINT, watched_sec BIGINT, ident VARCHAR(80), watched_at_us BIGINT, "
    "video_id VARCHAR(64), title TEXT, channel_id VARCHAR(64), channel_name TEXT, "
    "product VARCHAR(16), topics TEXT, is_ad BOOLEAN, duration_s DOUBLE PRECISION)"
)


def _create_temporary_stage(conn: Connection) -> str:
    """PostgreSQL: a temporary staging table, dropped with the transaction at the latest."""
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {_STAGE}")
    conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {_STAGE} {_STAGE_SQL} ON COMMIT DROP")
    return _STAGE


def _copy_stage(conn: Connection, frame: pl.DataFrame) -> None:
    """PostgreSQL: staging rows in as CSV through COPY."""
    raw = conn.connection.driver_connection
    assert raw is not None
    # Strings quoted, nulls left empty: COPY's CSV format tells "" from NULL that way.
    data = frame.write_csv(include_header=False, quote_style="non_numeric")
    with (
        raw.cursor() as cursor,
        cursor.copy(
            f"COPY {_STAGE} ({', '.join(_STAGE_COLUMNS)}) FROM STDIN WITH (FORMAT csv)"
        ) as copy,
    ):
        copy.write(data.encode())


_SCRATCH = "wc_scratch"  # the scratch file's name on the write's connection


class _ScratchStage:
    """SQLite: the staging rows in a private scratch file (see the module's docstring).

    ``fill`` runs in the read-ahead thread and is the only user of ADBC's connection, which
    it closes when the rows run out. ``attach`` then attaches the finished file to the
    write's connection; the file is detached and deleted when that connection is returned to
    the pool, after its transaction (SQLite cannot detach a file a transaction has read).
    """

    def __init__(self) -> None:
        handle, self.path = tempfile.mkstemp(prefix="watchcube-stage-", suffix=".sqlite")
        os.close(handle)
        self.attached = False

    def fill(self, frames: Iterator[pl.DataFrame]) -> Iterator[int]:
        """Write each frame to the scratch file; yield its number of rows."""
        import adbc_driver_sqlite.dbapi as sqlite_adbc

        connection = sqlite_adbc.connect(self.path, autocommit=True)
        try:
            with connection.cursor() as cursor:
                # A scratch file: no journal, no syncing (a crash just leaves it behind).
                cursor.execute("PRAGMA journal_mode=OFF")
                cursor.execute("PRAGMA synchronous=OFF")
                cursor.execute(f"CREATE TABLE {_STAGE} {_STAGE_SQL}")
                for frame in frames:
                    cursor.adbc_ingest(_STAGE, frame.to_arrow(), mode="append")
                    yield frame.height
        except sqlite_adbc.Error as exc:  # a full disk, say: nothing is written
            raise StorageError(f"cannot stage the records in {self.path}: {exc}") from exc
        finally:
            connection.close()
            close = getattr(frames, "close", None)
            if close is not None:  # stops a reader still running ahead
                close()

    def attach(self, conn: Connection) -> str:
        raw = conn.connection.driver_connection
        assert raw is not None
        try:
            raw.execute(f"ATTACH DATABASE ? AS {_SCRATCH}", (self.path,))
        except Exception as exc:
            raise StorageError(f"cannot attach the import's staging file: {exc}") from exc
        self.attached = True
        path = self.path

        def detach(dbapi_conn: Any) -> None:
            try:
                dbapi_conn.execute(f"DETACH DATABASE {_SCRATCH}")
            finally:
                _remove(path)

        conn.connection.info.setdefault(AFTER_TRANSACTION, []).append(detach)
        return f"{_SCRATCH}.{_STAGE}"

    def discard_unless_attached(self) -> None:
        if not self.attached:
            _remove(self.path)


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)


def delete_range(
    conn: Connection, user_id: str, start_us: int | None, end_us: int | None
) -> WriteResult:
    """Delete the user's records with ``start_us <= watched_at_us < end_us`` (open ends)."""
    ensure_user(conn, user_id)
    where = [watch_records.c.user_id == user_id]
    if start_us is not None:
        where.append(watch_records.c.watched_at_us >= start_us)
    if end_us is not None:
        where.append(watch_records.c.watched_at_us < end_us)
    count, low, high = conn.execute(
        select(
            func.count(),
            func.min(watch_records.c.watched_at_us),
            func.max(watch_records.c.watched_at_us),
        ).where(*where)
    ).one()
    current = conn.execute(
        select(users.c.data_version).where(users.c.user_id == user_id).with_for_update()
    ).scalar_one()
    if not count:
        return WriteResult(0, 0, int(current))
    conn.execute(delete(watch_records).where(*where))
    version = int(current) + 1
    conn.execute(users.update().where(users.c.user_id == user_id).values(data_version=version))
    append_change(conn, user_id, version, "delete", int(count), low, high)
    return WriteResult(int(count), 0, version, low, high)


def count_records(conn: Connection, user_id: str) -> int:
    return int(
        conn.execute(
            select(func.count())
            .select_from(watch_records)
            .where(watch_records.c.user_id == user_id)
        ).scalar_one()
    )


_ORDERED = (
    watch_records.c.watched_at_us,
    watch_records.c.video_id.asc().nulls_first(),
    watch_records.c.title,
)
_READ_COLUMNS = (
    watch_records.c.watched_at_us,
    watch_records.c.video_id,
    watch_records.c.title,
    watch_records.c.channel_id,
    watch_records.c.channel_name,
    watch_records.c.product,
    watch_records.c.topics,
    watch_records.c.is_ad,
    watch_records.c.duration_s,
)


def iter_records(db: Database, user_id: str, chunk: int = 10_000) -> Iterator[Record]:
    """The user's records in time order, streamed (for export)."""
    with db.read() as conn:
        result = conn.execution_options(yield_per=chunk).execute(
            select(*_READ_COLUMNS).where(watch_records.c.user_id == user_id).order_by(*_ORDERED)
        )
        for row in result:
            yield Record(
                watched_at_us=row.watched_at_us,
                title=row.title,
                video_id=row.video_id,
                channel_id=row.channel_id,
                channel_name=row.channel_name,
                product=row.product,
                topics=tuple(orjson.loads(row.topics)),
                is_ad=bool(row.is_ad),
                duration_s=row.duration_s,
            )


_FRAME_QUERY = (
    # No NULLs and fixed types: the Arrow reader infers each column's type from the first
    # rows, and a NULL there would fix the wrong type. Empty text and -1 stand for NULL
    # (empty ids and names are never stored: validation turns them into NULL).
    "SELECT watched_at_us, COALESCE(video_id, '') AS video_id, title, "
    "COALESCE(channel_id, '') AS channel_id, COALESCE(channel_name, '') AS channel_name, "
    "product, topics, CAST(is_ad AS INTEGER) AS is_ad, "
    "COALESCE(duration_s, -1.0) AS duration_s "
    "FROM watch_records WHERE user_id = {p1} AND data_version > {p2} AND data_version <= {p3}"
)
_MAX_VERSION = 2**62
_FRAME_SCHEMA: dict[str, Any] = {
    "watched_at_us": pl.Int64,
    "video_id": pl.String,
    "title": pl.String,
    "channel_id": pl.String,
    "channel_name": pl.String,
    "product": pl.String,
    "topics": pl.String,
    "is_ad": pl.Int64,
    "duration_s": pl.Float64,
}


def read_frame(
    db: Database, user_id: str, *, after_version: int = 0, upto_version: int | None = None
) -> pl.DataFrame:
    """The user's records as the engine's raw frame, sorted by (instant, video id, title).

    ``after_version`` reads only the records inserted by later writes (a delta to append to
    a frame already loaded); ``upto_version`` leaves out records inserted after it (so a
    frame of one version can be read while new records keep arriving).

    PostgreSQL is read over ADBC as Arrow, columnar end to end: about 6x faster than rows
    through the DB-API at a million records. SQLite is read with
    the standard library's driver: a second SQLite library in one process (ADBC bundles
    its own) breaks SQLite's POSIX locks and can corrupt the file.
    """
    upto = _MAX_VERSION if upto_version is None else upto_version
    if db.is_sqlite:
        with db.read() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            query = _FRAME_QUERY.format(p1="?", p2="?", p3="?")
            rows = raw.execute(query, (user_id, after_version, upto)).fetchall()
        frame = pl.DataFrame(rows, schema=_FRAME_SCHEMA, orient="row")
    else:
        with db.arrow() as cursor:
            cursor.execute(
                _FRAME_QUERY.format(p1="$1", p2="$2", p3="$3"), (user_id, after_version, upto)
            )
            table = cursor.fetch_arrow_table()
        arrow = pl.from_arrow(table)
        assert isinstance(arrow, pl.DataFrame)
        frame = arrow
    return sort_raw(
        frame.select(
            pl.col("watched_at_us").cast(RAW_SCHEMA["watched_at"]).alias("watched_at"),
            pl.col("video_id").replace("", None),
            "title",
            pl.col("channel_id").replace("", None),
            pl.col("channel_name").replace("", None),
            "product",
            pl.col("topics").str.json_decode(pl.List(pl.String)),
            pl.col("is_ad").cast(pl.Boolean),
            pl.when(pl.col("duration_s") >= 0).then(pl.col("duration_s").cast(pl.Float64)),
        )
    )
