"""Records files: NDJSON (one record per line) or a JSON array of portable records.

These are machine-written (``watchcube export``, an app's backup), so a row that does not
validate means a bad file: the import stops with ``UnreadableFile`` naming the line (NDJSON)
or the entry (array), and the caller's transaction writes nothing. Records keep the topics
they carry; they are not re-tagged.

``record_from_mapping`` is the one definition of a valid record (the API uses it too). An
NDJSON file is read a run of lines at a time by ``pl.read_ndjson``; the rows already in the
form ``record_from_mapping`` would give back (what ``export`` writes) are taken as they are,
column-wise, and every other row (an empty id, topics to tidy, a value Polars may have read
leniently, an error) is decoded and validated by the standard library and
``record_from_mapping``, so the result and the first error are the same as row by row.
A JSON array is read entry by entry.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Final

import polars as pl

from watchcube.errors import UnreadableFile
from watchcube.ingest.classify import SPACE_CHARS
from watchcube.ingest.json_stream import iter_array
from watchcube.records import (
    BATCH_SCHEMA,
    MAX_TEXT,
    MAX_TOPICS,
    MAX_US,
    MIN_US,
    PRODUCTS,
    Record,
    record_from_mapping,
)
from watchcube.store.records import batch_from_records

if TYPE_CHECKING:
    from watchcube.ingest import ImportReport

ROWS: Final = 20_000  # records per batch from a JSON array
RUN_BYTES: Final = 8 * 1024 * 1024  # NDJSON parsed by Polars at once (bounds the memory)
_TEXTS: Final = ("video_id", "title", "channel_id", "channel_name")
_SCHEMA: Final = pl.Schema(
    {
        "watched_at": pl.String(),
        **{name: pl.String() for name in _TEXTS},
        "product": pl.String(),
        "topics": pl.List(pl.String()),
        "is_ad": pl.Boolean(),
        "duration_s": pl.Float64(),
    }
)
# What ``read_ndjson`` makes of a number, boolean, array or object where a string belongs
# (and of a lone surrogate: NUL).
_LENIENT: Final = r"(?s)^(?:-?[0-9][0-9.eE+-]*|true|false|\[.*\]|\{.*\})$"
# Instants as ``export`` writes them (``format_instant(exact=True)``).
_INSTANTS: Final = (
    (r"^\d{4}-\d\d-\d\dT\d\d:[0-5]\d:[0-5]\d\.\d{3}Z$", "%Y-%m-%dT%H:%M:%S.%3fZ"),
    (r"^\d{4}-\d\d-\d\dT\d\d:[0-5]\d:[0-5]\d\.\d{6}Z$", "%Y-%m-%dT%H:%M:%S.%6fZ"),
)


def read_ndjson(chunks: Iterable[bytes], report: ImportReport) -> Iterator[pl.DataFrame]:
    """Every record of an NDJSON file, validated, in batches; the first invalid row raises
    ``UnreadableFile``."""
    line, offset = 1, 0  # of the run's first line
    for run in _runs(chunks):
        yield report.add_batch(_run_batch(run, line, offset, report.source))
        line += run.count(b"\n")
        offset += len(run)


def read_array(chunks: Iterable[str], report: ImportReport) -> Iterator[pl.DataFrame]:
    """Every record of a JSON array of records, validated, in batches."""
    pending: list[Record] = []
    for entry, row in iter_array(chunks, report.source):
        pending.append(_validated(row, f"entry {entry}", report.source))
        if len(pending) >= ROWS:
            yield report.add_batch(batch_from_records(pending))
            pending = []
    if pending:
        yield report.add_batch(batch_from_records(pending))


def _runs(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Runs of whole lines (each ending with a line break) of ``RUN_BYTES`` or more."""
    held: list[bytes] = []
    size = 0
    for chunk in chunks:
        held.append(chunk)
        size += len(chunk)
        if size < RUN_BYTES:
            continue
        buffer = b"".join(held)
        cut = buffer.rfind(b"\n") + 1
        if cut:
            yield buffer[:cut]
        held, size = [buffer[cut:]], len(buffer) - cut
    rest = b"".join(held)
    if rest.strip():
        yield rest if rest.endswith(b"\n") else rest + b"\n"


def _run_batch(run: bytes, line: int, offset: int, source: str) -> pl.DataFrame:
    """The records of a run of lines starting at ``line`` (byte ``offset``), as one batch."""
    try:
        frame = pl.read_ndjson(run, schema=_SCHEMA)
    except pl.exceptions.PolarsError:
        frame = None
    if frame is None or frame.height != run.count(b"\n"):  # blank lines, or unreadable
        return batch_from_records(_line_records(run, line, offset, source))
    ready = _ready(frame)
    batch = frame.with_columns(watched_at_us=_instants(frame["watched_at"])).select(
        BATCH_SCHEMA.names()
    )
    if ready.all():
        return batch
    lines = run.split(b"\n")
    others = [
        _validated(_loads(lines[i], source, line + i), f"line {line + i}", source)
        for i in ready.not_().arg_true()
    ]
    return _merge(batch, ready, others)


def _merge(batch: pl.DataFrame, ready: pl.Series, others: list[Record]) -> pl.DataFrame:
    """The ready rows of ``batch`` and the ``others`` (in place of the rest), in file order."""
    order = pl.int_range(batch.height, dtype=pl.Int64, eager=True)
    taken = batch.with_columns(order=order).filter(ready)
    redone = batch_from_records(others).with_columns(order=order.filter(~ready))
    return pl.concat([taken, redone]).sort("order").drop("order")


def _ready(frame: pl.DataFrame) -> pl.Series:
    """The rows already in the form ``record_from_mapping`` gives back."""
    texts = [
        pl.col(name).is_null()
        | (
            (pl.col(name) != "")
            & (pl.col(name).str.len_bytes() <= MAX_TEXT)
            & ~pl.col(name).str.contains(_LENIENT)
            & ~pl.col(name).str.contains("\x00", literal=True)
        )
        for name in _TEXTS
    ]
    topic = pl.element()
    tidy_topics = (
        pl.col("topics").list.eval(
            topic.is_not_null()
            & (topic != "")
            & (topic.str.strip_chars(SPACE_CHARS) == topic)
            & ~topic.str.contains(_LENIENT)
            & ~topic.str.contains("\x00", literal=True)
        )
    ).list.all() & (pl.col("topics").list.n_unique() == pl.col("topics").list.len())
    duration = pl.col("duration_s")
    checks = [
        _instants(frame["watched_at"]).is_between(MIN_US, MAX_US, closed="left"),
        *texts,
        pl.col("title").is_not_null(),
        pl.col("product").is_in(PRODUCTS),
        pl.col("topics").list.len() <= MAX_TOPICS,
        tidy_topics,
        pl.col("is_ad").is_not_null(),
        duration.is_null() | duration.is_between(0, 7 * 86_400),
    ]
    return frame.select(pl.all_horizontal(checks).fill_null(value=False)).to_series()


def _instants(texts: pl.Series) -> pl.Series:
    """Instants written as ``export`` writes them, as epoch microseconds; null otherwise."""
    found = pl.Series(values=[None] * len(texts), dtype=pl.Int64)
    for pattern, layout in _INSTANTS:
        plain = texts.str.contains(pattern).fill_null(value=False)
        if plain.any():
            at = texts.filter(plain).str.strptime(pl.Datetime("us"), layout, strict=False)
            found = found.scatter(plain.arg_true(), at.dt.epoch("us"))
    return found


def _line_records(run: bytes, line: int, offset: int, source: str) -> list[Record]:
    """Every record of a run of lines, row by row (blank lines skipped)."""
    try:
        text = run.decode()
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            f"{source}: not UTF-8 text (invalid byte at offset {offset + exc.start + 1})"
        ) from None
    return [
        _validated(_loads(raw, source, line + index), f"line {line + index}", source)
        for index, raw in enumerate(text.split("\n")[:-1])
        if raw.strip()
    ]


def _validated(row: Any, where: str, source: str) -> Record:
    try:
        return record_from_mapping(row)
    except ValueError as exc:
        raise UnreadableFile(f"{source}: {where}: {exc}") from None


def _loads(line: str | bytes, source: str, number: int) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise UnreadableFile(
            f"{source}: line {number}: not a JSON record ({exc.msg} at column {exc.colno})"
        ) from None
