"""Importers: a Takeout export (zip, JSON, HTML in any language) or a records file -> records.

``read_history`` detects the format from the content (never the file name), returns an
``ImportReport`` and a lazy iterator of record batches (``pl.DataFrame`` in the store's
``BATCH_SCHEMA``, a few thousand records each). The store consumes the iterator inside one
transaction; the report fills up as it goes and is final when the iterator is exhausted.

Errors (all ``UnreadableFile`` or subclasses, each naming the file and a position): a file that
is not one of these formats, truncated or malformed JSON, an unsafe archive
(``UnsafeArchive``), or a readable file without a single watch entry (``NoWatchHistory``,
saying what it found instead). A single malformed entry of a Takeout export is skipped and
counted in ``warnings``; a single bad row of a records file rejects the file.
"""

from __future__ import annotations

import codecs
import collections
import io
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import BinaryIO, Final, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from watchcube import defaults
from watchcube.errors import InvalidSettings, NoWatchHistory, UnreadableFile
from watchcube.ingest import records_file, takeout_html, takeout_json, takeout_zip
from watchcube.ingest.classify import BatchMaker
from watchcube.ingest.timestamps import HtmlTimestamps, parse_json_time
from watchcube.ingest.topics import Tagger

__all__ = ["ImportReport", "Tagger", "read_history"]

HEAD_BYTES: Final = 256 * 1024  # read to detect the format
CHUNK_BYTES: Final = 4 * 1024 * 1024  # the streaming window
_SKIPPED_NAMES: Final = {
    "search": "searches",
    "story": "stories",
    "post": "posts",
    "playable": "playables",
    "visited": "visited links",
    "survey": "survey answers",
    "other": "other entries",
}


class ByteStream(Protocol):
    """What the importers read from: a file, or a member of a zip archive."""

    def read(self, size: int, /) -> bytes:
        """Up to ``size`` bytes; b"" at the end."""


Opener = Callable[[], AbstractContextManager[ByteStream]]


@dataclass
class ImportReport:
    """What one import found: filled while parsing, complete once the records are consumed."""

    source: str  # file name (for messages); "archive.zip:member" inside a zip
    format: str  # takeout-json | takeout-html | records-json | records-ndjson | takeout-zip:<fmt>
    records: int = 0  # watch records yielded
    ads: int = 0  # of which is_ad
    music: int = 0  # of which product == "youtube_music"
    skipped: collections.Counter[str] = field(default_factory=collections.Counter)
    warnings: int = 0  # malformed single entries skipped
    warning_messages: list[str] = field(default_factory=list)  # the first few, with positions
    zone: str | None = None  # HTML: the zone abbreviation and its offset, "TRT (+03:00)"

    def add_batch(self, batch: pl.DataFrame) -> pl.DataFrame:
        """Count the records of a batch about to be yielded."""
        self.records += batch.height
        self.ads += int(batch["is_ad"].sum())
        self.music += int((batch["product"] == "youtube_music").sum())
        return batch

    def warn(self, problem: str) -> None:
        """Count a skipped malformed entry; ``problem`` names its position."""
        self.warnings += 1
        self.note(problem)

    def note(self, message: str) -> None:
        """Keep a message for the summary (the first ``MAX_WARNING_MESSAGES`` are kept)."""
        if len(self.warning_messages) < defaults.MAX_WARNING_MESSAGES:
            self.warning_messages.append(f"{self.source}: {message}")

    def found(self) -> str:
        """What the file held instead of watch entries, for ``NoWatchHistory``."""
        parts = [f"{n} {_SKIPPED_NAMES.get(kind, kind)}" for kind, n in self.skipped.most_common()]
        if self.warnings:
            parts.append(f"{self.warnings} malformed entries")
        return f"found {', '.join(parts)}" if parts else "the file has no entries"


def read_history(
    path: Path | str,
    *,
    timezone: str | None = None,
    tagger: Tagger | None = None,
    zip_max_bytes: int = defaults.ZIP_MAX_UNCOMPRESSED_BYTES,
) -> tuple[ImportReport, Iterator[pl.DataFrame]]:
    """Detect the format by content, return the report and a lazy iterator of record batches.

    ``timezone`` (IANA) only resolves an ambiguous HTML zone abbreviation (IST, CST, ...).
    """
    path = Path(path)
    source = path.name
    if timezone is not None:
        _check_timezone(timezone)
    try:
        with path.open("rb") as stream:
            head = stream.read(HEAD_BYTES)
    except OSError as exc:
        raise UnreadableFile(f"{source}: cannot read the file ({exc.strerror})") from None
    fmt = sniff(head, source)
    opener: Opener = partial(_open_file, path)
    if fmt == "takeout-zip":
        selection = takeout_zip.select(path, source, zip_max_bytes)
        source = f"{source}:{selection.member}"
        opener = partial(takeout_zip.MemberReader, path, selection, source, zip_max_bytes)
        report = ImportReport(source, f"takeout-zip:{selection.format}")
        fmt = selection.format
    else:
        report = ImportReport(source, fmt)
    batches = _batches(opener, fmt, report, timezone, tagger or Tagger.default())
    return report, batches


def sniff(head: bytes, source: str) -> str:
    """The format of a file from its first bytes; ``UnreadableFile`` if it has none of ours."""
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "takeout-zip"
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            f"{source}: binary data, not a Takeout export or records file"
            f" (invalid UTF-8 at byte {exc.start + 1})"
        ) from None
    stripped = text.lstrip()
    if not stripped:
        raise UnreadableFile(f"{source}: the file is empty")
    if "\x00" in text:
        raise UnreadableFile(
            f"{source}: binary data (a NUL byte at character {text.index(chr(0)) + 1})"
        )
    if stripped[0] in "[{":
        return takeout_json.sniff(stripped, source)
    if stripped[0] == "<" and (
        takeout_html.CELL_MARKER in text or "<html" in stripped[:4096].lower()
    ):
        return "takeout-html"
    raise UnreadableFile(
        f"{source}: not a Takeout export (zip, JSON or HTML) or a records file;"
        f" it starts with {stripped[:40]!r}"
    )


def _batches(
    opener: Opener,
    fmt: str,
    report: ImportReport,
    timezone: str | None,
    tagger: Tagger,
) -> Iterator[pl.DataFrame]:
    try:
        with opener() as stream:
            if fmt == "takeout-json":
                maker = BatchMaker(report, tagger, parse_json_time, takeout_json.fast_json_times)
                text = partial(_reopened_text, opener, report.source)
                fd = _regular_file(stream)
                runs = (
                    takeout_json.stream_runs(_byte_chunks(stream))
                    if fd is None
                    else takeout_json.file_runs(fd)
                )
                yield from takeout_json.read_batches(runs, text, maker, report.source)
            elif fmt == "takeout-html":
                stamps = HtmlTimestamps(timezone)
                maker = BatchMaker(report, tagger, stamps.parse)
                chunks = _text_chunks(stream, report.source)
                yield from takeout_html.read_batches(chunks, maker, stamps, report.source)
            elif fmt == "records-ndjson":
                yield from records_file.read_ndjson(_byte_chunks(stream), report)
            else:
                yield from records_file.read_array(_text_chunks(stream, report.source), report)
    except OSError as exc:
        raise UnreadableFile(f"{report.source}: cannot read the file ({exc.strerror})") from None
    if report.records == 0:
        raise NoWatchHistory(f"{report.source}: no watch entries; {report.found()}")


def _byte_chunks(stream: ByteStream) -> Iterator[bytes]:
    """The stream a few megabytes at a time, without a byte order mark (UTF-8 is checked by
    whoever decodes it)."""
    data = stream.read(CHUNK_BYTES)
    yield data.removeprefix(codecs.BOM_UTF8)
    while data := stream.read(CHUNK_BYTES):
        yield data


def _regular_file(stream: ByteStream) -> int | None:
    """The descriptor of a stream that is a regular file, which can be read at any offset
    (the JSON reader's workers then read their runs themselves); None for others."""
    if not isinstance(stream, io.BufferedReader):
        return None
    fd = stream.fileno()
    return fd if stat.S_ISREG(os.fstat(fd).st_mode) else None


def _reopened_text(opener: Opener, source: str) -> Iterator[str]:
    """The whole stream again from its start, as text (a reader that must start over)."""
    with opener() as stream:
        yield from _text_chunks(stream, source)


def _text_chunks(stream: ByteStream, source: str) -> Iterator[str]:
    """The stream as UTF-8 text, a few megabytes at a time."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    offset = 0
    while True:
        data = stream.read(CHUNK_BYTES)
        try:
            text = decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise UnreadableFile(
                f"{source}: not UTF-8 text (invalid byte at offset {offset + exc.start + 1})"
            ) from None
        offset += len(data)
        if text:
            yield text
        if not data:
            return


def _open_file(path: Path) -> BinaryIO:
    return path.open("rb")


def _check_timezone(timezone: str) -> None:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidSettings(f"unknown time zone {timezone!r} (expected an IANA name)") from None
