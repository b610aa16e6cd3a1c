"""Records files: NDJSON (one record per line) or a JSON array of portable records.

These are machine-written (``watchcube export``, an app's backup), so a row that does not
validate means a bad file: the import stops with ``UnreadableFile`` naming the line (NDJSON)
or the entry (array), and the caller's transaction writes nothing. Records keep the topics
they carry; they are not re-tagged.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from watchcube.errors import UnreadableFile
from watchcube.ingest.takeout_json import iter_array
from watchcube.records import Record, record_from_mapping

if TYPE_CHECKING:
    from watchcube.ingest import ImportReport


def read_records(chunks: Iterable[str], report: ImportReport, *, ndjson: bool) -> Iterator[Record]:
    """Every record of the file, validated; the first invalid row raises ``UnreadableFile``."""
    rows = _lines(chunks, report.source) if ndjson else _entries(chunks, report.source)
    for where, row in rows:
        try:
            record = record_from_mapping(row)
        except ValueError as exc:
            raise UnreadableFile(f"{report.source}: {where}: {exc}") from None
        yield report.add(record)


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
