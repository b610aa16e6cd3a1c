"""Takeout ``watch-history.json``, streamed a few megabytes at a time straight into Polars.

Takeout writes the array in one layout: entries indented by two spaces and separated by
``"\\n},{\\n"``. No JSON string holds a raw line break, so in that layout the complete
entries read so far end at the last separator, and each run of complete entries is parsed by
``pl.read_json`` into columns, with no Python object per entry (decoding to dicts cost ~5 us
an entry, more than all the rest together), in a worker thread while the previous run is
classified (``classify.BatchMaker``, the same for every reader).

Polars is lenient where the standard library is strict (it reads a number where a string
belongs as its digits, a lone surrogate as NUL): a run holding such a value, or anything
Polars refuses, is decoded with ``json`` instead, so odd entries are read and warned about
exactly as the per-entry reader does. A file in another layout (a re-indented export) is read
entry by entry throughout (``json_stream``). A syntax error anywhere, or a layout that breaks
mid-file, restarts the per-entry reader from the start of the file, past the entries already
read, so that an error names the exact line and character. One known difference: of a key
written twice in one entry (Takeout never does), Polars keeps the first value, ``json`` the
last.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

import polars as pl

from watchcube.errors import UnreadableFile
from watchcube.ingest.classify import ENTRY_SCHEMA, BatchMaker, count_kinds
from watchcube.ingest.json_stream import MAX_ENTRY_CHARS, iter_array, kind_name, sniff

__all__ = ["fast_json_times", "head_kinds", "iter_array", "read_batches", "sniff"]

SEPARATOR: Final = b"\n},{\n"
RUN_BYTES: Final = 8 * 1024 * 1024  # JSON parsed by Polars at once (bounds the memory)
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
# What Polars makes of a number or boolean where a string belongs (a lone surrogate: NUL).
_COERCED: Final = r"^(?:-?[0-9][0-9.eE+-]*|true|false)$"
# Takeout's own time format, and the pattern that proves a time has it.
_TIME_FORMAT: Final = "%Y-%m-%dT%H:%M:%S.%3fZ"
_TIME: Final = r"^\d{4}-\d\d-\d\dT\d\d:[0-5]\d:[0-5]\d\.\d{3}Z$"

TextChunks = Callable[[], Iterator[str]]  # the whole file again, as text
Entries = tuple[pl.DataFrame, list[tuple[int, str]]]  # entries, and (entry, problem) dropped


def read_batches(
    chunks: Iterable[bytes], text: TextChunks, maker: BatchMaker, source: str
) -> Iterator[pl.DataFrame]:
    """The record batches of a Takeout JSON export; malformed entries are warned and skipped.
    ``text`` reads the file again from its start, for the per-entry reader."""
    done = 0  # entries read
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="takeout-json") as pool:
        runs = ((run, None if run is None else pool.submit(_parse, run)) for run in _runs(chunks))
        ahead = next(runs, None)
        while ahead is not None:
            run, parsing = ahead
            ahead = next(runs, None)
            entries = None
            if run is not None and parsing is not None:
                entries = _entries_of_run(run, parsing.result(), done)
            if entries is None:
                yield from _per_entry(text(), maker, source, skip=done)
                return
            done += entries[0].height + len(entries[1])
            batch = maker.make(*entries)
            if batch is not None:
                yield batch


def _runs(chunks: Iterable[bytes]) -> Iterator[bytes | None]:
    """Runs of complete entries, as JSON arrays of ``RUN_BYTES`` or more, in Takeout's
    layout; None, once, where the layout is not (or no longer) that."""
    held: list[bytes] = []  # read, not yet in a run
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
            held, size, started = [head[1:]], len(head) - 1, True
        if size < RUN_BYTES:
            continue
        buffer = b"".join(held)
        cut = buffer.rfind(SEPARATOR)
        if cut < 0:
            if size > RUN_BYTES + MAX_ENTRY_CHARS:  # an entry this large: not Takeout's
                yield None
                return
            continue
        yield b"".join((b"[", memoryview(buffer)[: cut + 2], b"]"))
        rest = buffer[cut + 3 :]
        held, size = [rest], len(rest)
    yield b"[" + b"".join(held) if started else None  # the last entry and "]"


def _parse(run: bytes) -> pl.DataFrame | None:
    """A run parsed by Polars; None if Polars cannot read it."""
    try:
        return pl.read_json(run, schema=_SCHEMA)
    except pl.exceptions.PolarsError:
        return None


def _entries_of_run(run: bytes, frame: pl.DataFrame | None, done: int) -> Entries | None:
    """A run's entries as columns; None when it is not valid JSON (the caller restarts)."""
    if frame is not None and not _coerced(frame):
        return _columns(frame, done)
    try:
        items = json.loads(run)
    except ValueError:  # JSONDecodeError, UnicodeDecodeError
        return None
    return _entry_rows(enumerate(items, done + 1))


def _first_subtitle() -> tuple[pl.Expr, pl.Expr]:
    first = pl.col("subtitles").list.first().struct
    return first.field("name"), first.field("url")


def _coerced(frame: pl.DataFrame) -> bool:
    """Whether a value may have been read leniently (see the module docstring)."""
    columns = [pl.col(name) for name in ("header", "title", "titleUrl", "time")]
    checks = [
        column.str.contains(_COERCED) | column.str.contains("\x00", literal=True)
        for column in (*columns, *_first_subtitle())
    ]
    return bool(frame.select(pl.any_horizontal(checks).any()).item())


def _columns(frame: pl.DataFrame, done: int) -> Entries:
    """Entries parsed by Polars in ``ENTRY_SCHEMA``; entries without title or time dropped."""
    name, url = _first_subtitle()
    channel = name.is_not_null() & url.is_not_null()
    entries = frame.select(
        entry=pl.int_range(done + 1, done + 1 + frame.height, dtype=pl.Int64),
        header=pl.col("header").fill_null(""),
        text=pl.col("title"),
        url=pl.col("titleUrl"),
        title=pl.lit(None, dtype=pl.String),
        channel_name=pl.when(channel).then(name),
        channel_url=pl.when(channel).then(url),
        # only ads have details ("From Google Ads", localized)
        is_ad=pl.col("details").list.len().fill_null(0) > 0,
        time=pl.col("time"),
    )
    bad = entries["text"].is_null() | entries["time"].is_null()
    if not bad.any():
        return entries, []
    problems = [
        (entry, f"entry {entry}: no title or time") for entry in entries["entry"].filter(bad)
    ]
    return entries.filter(~bad), problems


def _entry_rows(items: Iterable[tuple[int, Any]]) -> Entries:
    """Entries decoded by the standard library, in ``ENTRY_SCHEMA``."""
    rows: list[tuple[Any, ...]] = []
    problems: list[tuple[int, str]] = []
    for entry, item in items:
        row = _entry_row(entry, item)
        if isinstance(row, str):
            problems.append((entry, f"entry {entry}: {row}"))
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
    parsed = times.str.strptime(pl.Datetime("us"), _TIME_FORMAT, strict=False)
    plain = times.str.contains(_TIME)
    return pl.select(pl.when(plain).then(parsed.dt.epoch("us"))).to_series()


def head_kinds(head: str) -> Counter[str]:
    """Kinds of the complete entries at the start of a Takeout JSON text (archive sniffing)."""
    items: list[tuple[int, Any]] = []
    with contextlib.suppress(UnreadableFile):  # the head ends mid-entry: what was read will do
        for item in iter_array([head], "head"):
            items.append(item)
    return count_kinds(_entry_rows(items)[0])
