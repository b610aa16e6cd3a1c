"""Records files: NDJSON (one record per line) or a JSON array of portable records.

These are machine-written (``watchcube export``, an app's backup), so a row that does not
validate means a bad file: the import stops with ``UnreadableFile`` naming the line (NDJSON)
or the entry (array), and the caller's transaction writes nothing. Records keep the topics
they carry; they are not re-tagged. Rows are validated one by one by ``record_from_mapping``,
the same rules and messages as records posted to the API, and yielded in batches.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Final

import polars as pl

from watchcube.errors import UnreadableFile
from watchcube.ingest.json_stream import iter_array
from watchcube.records import Record, record_from_mapping
from watchcube.store.records import batch_from_records

if TYPE_CHECKING:
    from watchcube.ingest import ImportReport

_ROWS: Final = 20_000  # records per batch


def read_batches(
    chunks: Iterable[str], report: ImportReport, *, ndjson: bool
) -> Iterator[pl.DataFrame]:
    """Every record of the file, validated, in batches; the first invalid row raises
    ``UnreadableFile``."""
    rows = _lines(chunks, report.source) if ndjson else _entries(chunks, report.source)
    pending: list[Record] = []
    for where, row in rows:
        try:
            pending.append(record_from_mapping(row))
        except ValueError as exc:
            raise UnreadableFile(f"{report.source}: {where}: {exc}") from None
        if len(pending) >= _ROWS:
            yield report.add_batch(batch_from_records(pending))
            pending = []
    if pending:
        yield report.add_batch(batch_from_records(pending))


def _entries(chunks: Iterable[str], source: str) -> Iterator[tuple[str, Any]]:
    for entry, value in iter_array(chunks, source):
        yield f"entry {entry}", value


def _lines(chunks: Iterable[str], source: str) -> Iterator[tuple[str, Any]]:
    number = 0
    rest = ""
    for chunk in chunks:
        *lines, rest = (rest + chunk).split("\n")
        for line in lines:
            number += 1
            if line.strip():
                yield f"line {number}", _loads(line, source, number)
    if rest.strip():
        yield f"line {number + 1}", _loads(rest, source, number + 1)


def _loads(line: str, source: str, number: int) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise UnreadableFile(
            f"{source}: line {number}: not a JSON record ({exc.msg} at column {exc.colno})"
        ) from None
