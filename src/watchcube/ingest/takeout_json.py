"""Takeout ``watch-history.json``, read in runs of a few megabytes straight into Polars.

Takeout writes the array in one layout: entries indented by two spaces and separated by
``"\\n},{\\n"``. No JSON string holds a raw line break, so in that layout a run of complete
entries ends at a separator, and each run (a batch, at most about ``RUN_BYTES``) is parsed
by ``pl.read_json`` into columns, with no Python object per entry (decoding to dicts cost
~5 us an entry, more than all the rest together). Two worker threads each take a run and
do all of its work: parse it in pieces of ``PIECE_BYTES`` cut at separators (Polars parses
a piece that fits the CPU's caches twice as fast as a whole run), and make its batch
(``BatchMaker.work``, the same for every reader, which works out titles, channels and
topics once per distinct text of the file, in memos the threads share). The main thread
tallies the batches in the report in file order (``BatchMaker.commit``), numbering the
entries it warns about.

Runs come one of two ways. A regular file is cut into an even number of equal runs
(``file_runs``: a small window is read at each cut), and each worker reads its run itself,
a piece at a time (``Span``): the workers have equal shares to the end, and no megabytes
are copied twice. A stream (a zip member) is cut by the main thread as it is read
(``stream_runs``), the last run in two so that both workers have a share of a small export.
A run costs ~5 ms on top of its entries (a hundred Polars calls): runs are as large as the
memory bound allows.

Polars is lenient where the standard library is strict (it reads a number where a string
belongs as its digits, a lone surrogate as NUL). A run holding a text that may have been
read so (``_coerced``) is decoded with ``json`` instead, so odd entries are read and warned
about exactly as the per-entry reader does, unless each such text is in the run as a
string as often as it was read (a channel named "164"). A run Polars refuses is decoded
with ``json`` too. A file in another layout (a re-indented export) is read entry by entry
throughout (``json_stream``). A syntax error anywhere, or a layout that breaks mid-file,
restarts the per-entry reader from the start of the file, past the entries already read,
so that an error names the exact line and character. One known difference: of a key
written twice in one entry (Takeout never does), Polars keeps the first value, ``json`` the
last.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import itertools
import json
import os
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Final

import polars as pl

from watchcube.errors import UnreadableFile
from watchcube.ingest.classify import (
    ENTRY_SCHEMA,
    LENIENT,
    RECORD,
    BatchMaker,
    Made,
    count_kinds,
    lenient,
    prepare,
)
from watchcube.ingest.json_stream import MAX_ENTRY_CHARS, iter_array, kind_name, sniff

__all__ = [
    "fast_json_times",
    "file_runs",
    "head_kinds",
    "iter_array",
    "read_batches",
    "sniff",
    "stream_runs",
]

SEPARATOR: Final = b"\n},{\n"
# JSON read into one batch at most (bounds the memory; a 100k-entry file is two runs).
RUN_BYTES: Final = 32 * 1000 * 1000
# Polars parses a run in pieces this large: twice as fast as a whole run (the CPU's caches)
PIECE_BYTES: Final = 256 * 1024
SHARED_BYTES: Final = 256 * 1024  # a last run this large is shared between the workers
_JSON_SPACE: Final = b" \t\n\r"
_WORKERS: Final = 2  # runs worked out at once
_HEAD: Final = b'[{\n  "'  # how Takeout's layout starts
_ROWS: Final = 20_000  # entries per batch on the per-entry path
_SCHEMA: Final = pl.Schema(
    {
        "header": pl.String(),
        "title": pl.String(),
        "titleUrl": pl.String(),
        "subtitles": pl.List(pl.Struct({"name": pl.String, "url": pl.String})),
        "time": pl.String(),
        "details": pl.List(pl.Struct({"name": pl.String})),
    }
)
# Takeout's own time format, and the pattern that proves a time has it.
_TIME_FORMAT: Final = "%Y-%m-%dT%H:%M:%S.%3fZ"
_TIME: Final = r"^\d{4}-\d\d-\d\dT\d\d:[0-5]\d:[0-5]\d\.\d{3}Z$"


_CHANNEL_COLUMNS: Final = ("channel_name", "channel_url")
# Per-run expressions, built once (see ``classify``).
_FIRST_SUBTITLE: Final = pl.col("subtitles").list.first().struct
_CHANNEL: Final = (
    _FIRST_SUBTITLE.field("name").is_not_null() & _FIRST_SUBTITLE.field("url").is_not_null()
)
_COLUMNS: Final = [
    pl.int_range(1, 1 + pl.len(), dtype=pl.Int64).alias("entry"),
    pl.col("header").fill_null(""),
    pl.col("title").alias("text"),
    pl.col("titleUrl").alias("url"),
    pl.lit(None, dtype=pl.String).alias("title"),
    pl.when(_CHANNEL).then(_FIRST_SUBTITLE.field("name")).alias("channel_name"),
    pl.when(_CHANNEL).then(_FIRST_SUBTITLE.field("url")).alias("channel_url"),
    # only ads have details ("From Google Ads", localized)
    (pl.col("details").list.len().fill_null(0) > 0).alias("is_ad"),
    pl.col("time"),
]
# Whether any text of a run may have been read leniently: those a batch's records do not
# look up in the maker's memos (``_ROWS_LENIENT``), and those they do (``_TEXTS_LENIENT``).
_ROWS_LENIENT: Final = pl.any_horizontal(
    lenient(pl.col("header").unique()),
    lenient(pl.col("time").filter(pl.col("fast_us").is_null())),
    lenient(pl.col("url").filter(pl.col("video_id").is_null())),
    pl.col("url").str.contains("\x00", literal=True).any(),
)
_TEXTS_LENIENT: Final = pl.any_horizontal(
    lenient(pl.col("text")), *(lenient(pl.col(name).unique()) for name in _CHANNEL_COLUMNS)
)
_NUL_ANY: Final = pl.any_horizontal(
    pl.col(name).str.contains("\x00", literal=True).any()
    for name in ("header", "text", "url", "channel_name", "channel_url", "time")
)
# Each column whose texts may have been read leniently, the key they are read from, and which
# of them to look at (None: all), for ``_written_as_strings``.
_DOUBTED: Final = (
    ("header", "header", None),
    ("channel_name", "name", None),
    ("channel_url", "url", None),
    ("text", "title", None),
    ("time", "time", pl.col("fast_us").is_null()),
    ("url", "titleUrl", pl.col("video_id").is_null()),
)
_FAST_TIME: Final = pl.when(pl.col("time").str.contains(_TIME)).then(
    pl.col("time")
    .str.strptime(pl.Datetime("us"), _TIME_FORMAT, strict=False, cache=False)
    .dt.epoch("us")
)

TextChunks = Callable[[], Iterator[str]]  # the whole file again, as text
Entries = tuple[pl.DataFrame, list[tuple[int, str]]]  # entries, and (entry, problem) dropped


def read_batches(
    runs: Iterator[Run | None], text: TextChunks, maker: BatchMaker, source: str
) -> Iterator[pl.DataFrame]:
    """The record batches of a Takeout JSON export, from its runs (``file_runs`` or
    ``stream_runs``); malformed entries are warned and skipped. ``text`` reads the file again
    from its start, for the per-entry reader."""
    done = 0  # entries read
    ahead: deque[Future[Made | None] | None] = deque()
    with ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="takeout-json") as pool:

        def read_ahead() -> None:  # keep every worker busy
            for run in itertools.islice(runs, _WORKERS + 1 - len(ahead)):
                ahead.append(None if run is None else pool.submit(_work, run, maker))

        try:
            read_ahead()
            while ahead:
                working = ahead.popleft()
                read_ahead()
                made = None if working is None else working.result()
                if made is None:
                    _drop(ahead)  # read entry by entry from here on
                    yield from _per_entry(text(), maker, source, skip=done)
                    return
                batch = maker.commit(made, after=done)
                done += made.entries
                if batch is not None:
                    yield batch
        finally:
            _drop(ahead)  # an abandoned import


def _drop(ahead: deque[Future[Made | None] | None]) -> None:
    """Forget the runs read ahead, cancelling those not being worked on yet."""
    for working in ahead:
        if working is not None:
            working.cancel()
    ahead.clear()


def _work(run: Run, maker: BatchMaker) -> Made | None:
    """A run's batch, its entries numbered from 1 (in a worker thread); None when the run is
    not valid JSON (the caller restarts)."""
    parsed = _parse(run.pieces() if isinstance(run, Span) else _pieces(run))
    if parsed is not None:
        made = maker.work(*_parsed_entries(parsed))
        if not _coerced(parsed, made, maker):
            return made
    whole = run.read() if isinstance(run, Span) else run
    if parsed is None or not _written_as_strings(parsed, whole):
        # read exactly as the per-entry reader reads it, or found not to be JSON
        entries = _decoded_entries(whole)
        return None if entries is None else maker.work(*entries)
    return made


@dataclass(frozen=True)
class Span:
    """A run still in the file (``file_runs``): the entries from byte ``start`` to ``end``,
    and the array's end when ``last``. The worker reads it a piece at a time: buffers of a
    piece's size are reused by the allocator, where a run's megabytes would be fresh memory
    each time (a page fault every 4 KiB: it cost as much as the rest of the reading)."""

    fd: int
    start: int
    end: int
    last: bool

    def read(self) -> bytes:
        """The whole run as a JSON array (for the standard library's decoder)."""
        return b"".join((b"[", self._bytes(self.start, self.end), b"" if self.last else b"]"))

    def pieces(self) -> Iterator[bytes]:
        """The run as JSON arrays of about ``PIECE_BYTES``, cut at separators (``_pieces``)."""
        at, size = self.start, PIECE_BYTES
        while self.end - at > size:
            window = self._bytes(at, at + size)
            cut = window.rfind(SEPARATOR)
            if cut < 0:  # an entry larger than a piece
                size *= 2
                continue
            yield b"".join((b"[", memoryview(window)[: cut + 2], b"]"))
            at, size = at + cut + 3, PIECE_BYTES
        rest = self._bytes(at, self.end)
        yield _closed(rest) if self.last else b"".join((b"[", rest, b"]"))

    def _bytes(self, start: int, end: int) -> bytes:
        data = os.pread(self.fd, end - start, start)
        if len(data) < end - start:
            raise OSError(errno.EIO, "the file was cut short while it was read")
        return data


Run = bytes | Span


def file_runs(fd: int) -> Iterator[Span | None]:
    """The runs of a Takeout JSON file as ``Span``-s, cut at separators into an even number
    of runs of at most about ``RUN_BYTES`` (one if smaller than ``SHARED_BYTES``), so that
    the workers have equal shares throughout; None, once, where the layout is not Takeout's.
    Only the head and a window at each cut are read here: the workers read the runs."""
    size = os.fstat(fd).st_size
    head = os.pread(fd, 64, 0)
    stripped = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if not stripped.startswith(_HEAD):
        yield None
        return
    start = origin = len(head) - len(stripped) + 1  # after "["
    body = size - origin
    runs = 1 if body < SHARED_BYTES else _WORKERS * -(-body // (_WORKERS * RUN_BYTES))
    for run in range(1, runs):
        cut = _separator_after(fd, max(start, origin + body * run // runs))
        if cut is None:
            yield None
            return
        yield Span(fd, start, cut + 2, last=False)
        start = cut + 3
    yield Span(fd, start, size, last=True)


def _separator_after(fd: int, at: int) -> int | None:
    """Where the first separator at or after byte ``at`` starts; None if there is none
    within ``MAX_ENTRY_CHARS``."""
    size = 64 * 1024
    while True:
        window = os.pread(fd, size, at)
        cut = window.find(SEPARATOR)
        if cut >= 0:
            return at + cut
        if len(window) < size or size >= MAX_ENTRY_CHARS:
            return None
        size *= 4


def stream_runs(chunks: Iterable[bytes]) -> Iterator[bytes | None]:
    """The runs of a stream (a zip member): complete entries as JSON arrays of ``RUN_BYTES``
    or more, in Takeout's layout; None, once, where the layout is not (or no longer) that.
    Each byte is copied once, into its run (the cut is looked for in the newest chunk
    first)."""
    held: list[bytes | memoryview] = []  # read, not yet in a run
    size = 0
    started = False
    for chunk in chunks:
        held.append(chunk)
        size += len(chunk)
        if not started:
            head = b"".join(held).lstrip()
            if len(head) < len(_HEAD):
                continue
            if not head.startswith(_HEAD):
                yield None
                return
            held, size, started = [memoryview(head)[1:]], len(head) - 1, True
        if size < RUN_BYTES:
            continue
        newest = held[-1]
        cut = newest.rfind(SEPARATOR) if isinstance(newest, bytes) else -1
        if cut < 0:  # not in the newest chunk alone: look in all that is held
            newest = b"".join(held)
            held = []
            cut = newest.rfind(SEPARATOR)
            if cut < 0:
                if size > RUN_BYTES + MAX_ENTRY_CHARS:  # an entry this large: not Takeout's
                    yield None
                    return
                held = [newest]
                continue
        else:
            held.pop()
        yield b"".join((b"[", *held, memoryview(newest)[: cut + 2], b"]"))
        rest = memoryview(newest)[cut + 3 :]
        held, size = [rest], len(rest)
    if started:
        yield from _shared(b"".join((b"[", *held)))  # the last entries and "]"
    else:
        yield None


def _shared(run: bytes) -> Iterator[bytes]:
    """The last run (a whole small file) in ``_WORKERS`` runs cut at separators, so that
    every worker has a share of it, when it is at least ``SHARED_BYTES``."""
    view, start = memoryview(run), 0
    if len(run) >= SHARED_BYTES:
        for part in range(1, _WORKERS):
            cut = run.find(SEPARATOR, max(start, len(run) * part // _WORKERS))
            if cut < 0:
                break
            yield b"".join((b"[" if start else b"", view[start : cut + 2], b"]"))
            start = cut + 3
    yield b"".join((b"[", view[start:])) if start else run


def _parse(pieces: Iterator[bytes]) -> pl.DataFrame | None:
    """A run's entries in ``ENTRY_SCHEMA``, numbered from 1, parsed by Polars a piece at a
    time and ``prepare``-d (in a worker thread); None if Polars cannot read it or the run
    does not end as a JSON array does."""
    try:
        frame = pl.concat([pl.read_json(piece, schema=_SCHEMA) for piece in pieces])
    except (pl.exceptions.PolarsError, _NotAnArray):
        return None
    return prepare(_columns(frame), fast_json_times)


class _NotAnArray(ValueError):
    """A run's last piece does not end with "]" and JSON space."""


def _array_end(data: bytes) -> int:
    """Where the "]" that ends ``data`` is (JSON space may follow); ``_NotAnArray`` without
    one. Nothing is copied."""
    end = len(data) - 1
    while end > 0 and data[end] in _JSON_SPACE:
        end -= 1
    if end < 0 or data[end] != ord("]"):
        raise _NotAnArray
    return end


def _closed(data: bytes) -> bytes:
    """The file's last entries and its "]" as an array: ``_NotAnArray`` without the "]"."""
    _array_end(data)
    return b"".join((b"[", data))


def _pieces(run: bytes) -> Iterator[bytes]:
    """A run (a JSON array in Takeout's layout) as arrays of about ``PIECE_BYTES``, cut at
    the entry separator: all are valid JSON exactly when the run is (a separator's line
    breaks cannot be inside a string)."""
    end = _array_end(run)
    view = memoryview(run)
    start = 1  # inside "[" ... "]"
    while (cut := run.find(SEPARATOR, start + PIECE_BYTES, end)) >= 0:
        yield b"".join((b"[", view[start : cut + 2], b"]"))
        start = cut + 3
    yield b"".join((b"[", view[start:end], b"]"))


def _parsed_entries(parsed: pl.DataFrame) -> Entries:
    """Entries Polars parsed, without those lacking a title or time."""
    bad = parsed["text"].is_null() | parsed["time"].is_null()
    if not bad.any():
        return parsed, []
    problems = [(entry, "no title or time") for entry in parsed["entry"].filter(bad)]
    return parsed.filter(~bad), problems


def _decoded_entries(run: bytes) -> Entries | None:
    """A run's entries decoded by the standard library; None when it is not valid JSON."""
    try:
        items = json.loads(run)
    except ValueError:  # JSONDecodeError, UnicodeDecodeError
        return None
    return _entry_rows(enumerate(items, 1))


def _coerced(entries: pl.DataFrame, made: Made, maker: BatchMaker) -> bool:
    """Whether a value the ``prepare``-d entries keep may have been read leniently (see the
    module docstring): a number or boolean where a string belongs, or a NUL. Headers and
    channels are looked at once per distinct value, times and links only where ``prepare``
    did not prove them strings (Takeout's own time format, a video link). The texts and
    channels of records, which the maker looked at once per distinct text, only if one was
    doubted (``BatchMaker.doubted``); those of other entries here. A channel's name or link
    is kept only with the other, as the per-entry reader keeps it, and shown only with a
    record that is not an ad; ads' details only count."""
    if entries.select(_ROWS_LENIENT).item():
        return True
    if not maker.doubted:  # only the texts of entries that are not records
        others = entries["kind"].is_not_null() & (entries["kind"] != RECORD)
        if made.problems:
            others |= entries["entry"].is_in([entry for entry, _ in made.problems])
        if not others.any():
            return False
        entries = entries.filter(others)
    return bool(entries.select(_TEXTS_LENIENT).item())


def _written_as_strings(entries: pl.DataFrame, run: bytes) -> bool:
    """Whether the texts ``_coerced`` doubted are strings in the JSON after all: each such
    value (a channel named "164", say) occurs in ``run`` as a string of its key exactly as
    often as the entries hold it. False for a NUL (a lone surrogate reads as one)."""
    if entries.select(_NUL_ANY).item():
        return False
    for column, key, where in _DOUBTED:
        texts = entries[column] if where is None else entries.filter(where)[column]
        doubted = texts.filter(texts.str.contains(LENIENT))
        for value, count in doubted.value_counts().iter_rows():
            if run.count(f'"{key}": {json.dumps(value)}'.encode()) != count:
                return False
    return True


def _columns(frame: pl.DataFrame) -> pl.DataFrame:
    """Entries parsed by Polars in ``ENTRY_SCHEMA``, numbered from 1."""
    return frame.select(_COLUMNS)


def _entry_rows(items: Iterable[tuple[int, Any]]) -> Entries:
    """Entries decoded by the standard library, in ``ENTRY_SCHEMA``."""
    rows: list[tuple[Any, ...]] = []
    problems: list[tuple[int, str]] = []
    for entry, item in items:
        row = _entry_row(entry, item)
        if isinstance(row, str):
            problems.append((entry, row))
        else:
            rows.append(row)
    return pl.DataFrame(rows, schema=ENTRY_SCHEMA, orient="row"), problems


def _entry_row(entry: int, item: Any) -> tuple[Any, ...] | str:
    """One entry's ``ENTRY_SCHEMA`` row, or what is wrong with it."""
    if not isinstance(item, dict):
        return f"a JSON {kind_name(item)}, not an object"
    title, time = item.get("title"), item.get("time")
    if not isinstance(title, str) or not isinstance(time, str):
        return "no title or time"
    header, url = item.get("header"), item.get("titleUrl")
    channel_name, channel_url = _channel(item.get("subtitles"))
    row = (
        entry,
        header if isinstance(header, str) else "",
        title,
        url if isinstance(url, str) else None,
        None,
        channel_name,
        channel_url,
        bool(item.get("details")),
        time,
    )
    if not all(_encodable(value) for value in row[1:]):
        return "text that is not valid Unicode (a lone surrogate)"
    return row


def _encodable(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def _channel(subtitles: Any) -> tuple[str | None, str | None]:
    if isinstance(subtitles, list) and subtitles and isinstance(subtitles[0], dict):
        name, url = subtitles[0].get("name"), subtitles[0].get("url")
        if isinstance(url, str) and isinstance(name, str):
            return name, url
    return None, None


def _per_entry(
    chunks: Iterable[str], maker: BatchMaker, source: str, *, skip: int
) -> Iterator[pl.DataFrame]:
    """The entries after the first ``skip``, decoded one by one (exact error positions)."""
    pending: list[tuple[int, Any]] = []
    for entry, item in iter_array(chunks, source):
        if entry <= skip:
            continue
        pending.append((entry, item))
        if len(pending) >= _ROWS:
            batch = maker.make(*_entry_rows(pending))
            pending = []
            if batch is not None:
                yield batch
    if pending:
        batch = maker.make(*_entry_rows(pending))
        if batch is not None:
            yield batch


def fast_json_times(times: pl.Series) -> pl.Series:
    """Takeout's own time format (``2021-12-30T17:18:01.492Z``) read column-wise, as epoch
    microseconds; null for anything else, which ``parse_json_time`` then decides."""
    return times.to_frame("time").select(_FAST_TIME).to_series()


def head_kinds(head: str) -> Counter[str]:
    """Kinds of the complete entries at the start of a Takeout JSON text (archive sniffing)."""
    items: list[tuple[int, Any]] = []
    with contextlib.suppress(UnreadableFile):  # the head ends mid-entry: what was read will do
        for item in iter_array([head], "head"):
            items.append(item)
    return count_kinds(_entry_rows(items)[0])
