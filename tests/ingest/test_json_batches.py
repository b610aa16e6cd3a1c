"""The JSON reader's fast paths against plain references: batches made with per-import memos
(titles, channels, topics worked out once per distinct text) against the same rules applied
row by row, and runs parsed in pieces, in worker threads, against the entry-by-entry reader."""

from __future__ import annotations

import codecs
import itertools
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO
from unittest.mock import patch

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import watchcube.ingest
from watchcube.errors import UnreadableFile
from watchcube.ingest import ImportReport, takeout_json
from watchcube.ingest.classify import (
    ENTRY_SCHEMA,
    RECORD,
    BatchMaker,
    _Memo,
    classify,
    clean_text,
    strip_watched_verb,
)
from watchcube.ingest.takeout_json import iter_array
from watchcube.ingest.timestamps import parse_json_time
from watchcube.ingest.topics import Tagger

from .helpers import (
    CHANNEL,
    DAMAGES,
    TAKEOUT,
    Paths,
    json_entry,
    outcome,
    read,
    takeout_layout,
    write_json,
)

VIDEO = "https://www.youtube.com/watch?v=2DIdtwlt8_o"
CHANNEL_ID = r"/channel/([A-Za-z0-9_-]+)"
TAGGER = Tagger(
    {"music": ["song", "official video"], "code": ["c++", "rust"], "news": ["news", "song"]}
)


def _one(function: Callable[[pl.Series], pl.Series], text: str | None) -> Any:
    return function(pl.Series([text], dtype=pl.String))[0]


def reference_row(row: dict[str, Any]) -> tuple[Any, ...]:
    """One record's (title, channel_id, channel_name, topics) by the rules, row by row."""
    url, text, title = row["url"], row["text"], row["title"]
    if not url:
        shown = text
    elif title is not None:
        shown = title
    else:
        verbless = pl.select(strip_watched_verb(pl.lit(text, dtype=pl.String))).item()
        shown = verbless or text
    cleaned = _one(clean_text, shown)
    titled = cleaned if cleaned else (url or "")
    channel_id = channel_name = None
    if not row["is_ad"] and row["channel_url"]:
        found = _one(
            lambda urls: urls.str.extract(r"/channel/([A-Za-z0-9_-]+)", 1), row["channel_url"]
        )
        channel_id = found
        channel_name = _one(clean_text, row["channel_name"] or "") or None
    return titled, channel_id, channel_name, TAGGER.tag(titled, channel_name)


TEXTS = st.sampled_from(
    [
        "Watched Song of rust",
        "Watched  Song  of  rust ",
        "Watched\u3000News",
        "Watched ",
        "Watched",
        "Vous avez regardé Official Video",
        "News angesehen",
        "Watched a video that has been removed",
        "c++ news",
        " ",
        "x" * 2100,
        "Watched " + "ab " * 700,
    ]
) | st.text(max_size=12)
URLS = st.sampled_from(
    [VIDEO, "https://music.youtube.com/watch?v=2tw2QDSeBQQ", "https://youtu.be/abc", "", None]
)
ROWS = st.fixed_dictionaries(
    {
        "header": st.sampled_from(["YouTube", "YouTube Music"]),
        "text": TEXTS,
        "url": URLS,
        "title": st.none() | TEXTS,
        "channel_name": st.none() | st.sampled_from(["Song  Channel", " ", "Rust News", ""]),
        "channel_url": st.none() | st.sampled_from([CHANNEL, "", "https://x.example/channel/"]),
        "is_ad": st.booleans(),
        "time": st.sampled_from(["2024-01-13T13:16:16.123Z", "2024-01-13T13:16:16Z", "soon"]),
    }
)


@settings(max_examples=120, deadline=None)
@given(rows=st.lists(ROWS, min_size=1, max_size=30), cuts=st.lists(st.integers(0, 30)))
def test_memoized_batches_follow_the_rules_row_by_row(
    rows: list[dict[str, Any]], cuts: list[int]
) -> None:
    entries = pl.DataFrame(
        [{"entry": index, **row} for index, row in enumerate(rows, 1)], schema=ENTRY_SCHEMA
    )
    maker = BatchMaker(ImportReport("x", "takeout-json"), TAGGER, parse_json_time)
    got: list[tuple[Any, ...]] = []
    bounds = sorted({0, len(rows), *(cut for cut in cuts if cut < len(rows))})
    for start, stop in itertools.pairwise(bounds):  # texts recur across batches
        batch = maker.make(entries.slice(start, stop - start))
        if batch is not None:
            got += [
                (row["title"], row["channel_id"], row["channel_name"], tuple(row["topics"]))
                for row in batch.iter_rows(named=True)
            ]
    kinds = classify(entries)["kind"].to_list()
    expected = [
        reference_row(row)
        for row, kind in zip(entries.iter_rows(named=True), kinds, strict=True)
        if kind == RECORD and row["time"] != "soon"
    ]
    assert got == expected


def test_a_memo_keeps_its_codes_between_batches() -> None:
    maker = BatchMaker(ImportReport("x", "takeout-json"), TAGGER, parse_json_time)
    first = json_entries([("Watched Song", "A"), ("Watched Rust", "B")])
    second = json_entries([("Watched News", "C"), ("Watched Song", "B"), ("Watched Rust", "A")])
    batch = maker.make(first)
    assert batch is not None
    batch = maker.make(second)
    assert batch is not None
    assert batch.select("title", "channel_name").rows() == [
        ("News", "C"),
        ("Song", "B"),
        ("Rust", "A"),
    ]
    assert batch["topics"].to_list() == [["news"], ["music", "news"], ["code"]]


def test_threads_working_batches_out_at_once_share_the_memos() -> None:
    pairs = [(f"Watched Song {i % 50}", f"Channel {i % 7}") for i in range(400)]
    alone = BatchMaker(ImportReport("x", "takeout-json"), TAGGER, parse_json_time)
    expected = [alone.work(json_entries(pairs[start : start + 40])) for start in range(0, 400, 40)]
    shared = BatchMaker(ImportReport("x", "takeout-json"), TAGGER, parse_json_time)
    computed: list[list[str]] = [[], []]
    for memo, seen in zip((shared._verb_titles, shared._channel_names), computed, strict=True):
        memo._compute = counted(memo._compute, seen)
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(
            pool.map(
                lambda start: shared.work(json_entries(pairs[start : start + 40])),
                range(0, 400, 40),
            )
        )
    for made, reference in zip(got, expected, strict=True):
        assert made.batch is not None
        assert reference.batch is not None
        assert made.batch.equals(reference.batch)
    for seen in computed:  # each text worked out once, by one thread or the other
        assert sorted(seen) == sorted(set(seen))


def lengths(texts: pl.Series) -> pl.DataFrame:
    return texts.str.len_chars().alias("length").to_frame()


def test_threads_compute_what_they_claimed_at_once() -> None:
    """A thread computes its new strings outside the memo's lock: another thread's new
    strings are computed meanwhile, and each gets its own values."""
    other_started = threading.Event()

    def compute(texts: pl.Series) -> pl.DataFrame:
        if "first" in texts.to_list():
            assert other_started.wait(10), "the other thread waited for this computation"
        else:
            other_started.set()
        return lengths(texts)

    memo = _Memo(compute)
    first = in_thread(memo.lookup, pl.Series(["first", "xy"]))
    assert wait_until_claimed(memo, 3)  # "", "first", "xy"
    second = in_thread(memo.lookup, pl.Series(["second", "xy", None]))
    assert first()["length"].to_list() == [5, 2]
    assert second()["length"].to_list() == [6, 2, None]


def test_a_failed_computation_fails_the_threads_waiting_for_it() -> None:
    other_done = threading.Event()

    def compute(texts: pl.Series) -> pl.DataFrame:
        if "first" in texts.to_list():
            assert other_done.wait(10)
            raise ValueError("broken")
        other_done.set()
        return lengths(texts)

    memo = _Memo(compute)
    first = in_thread(memo.lookup, pl.Series(["first"]))
    assert wait_until_claimed(memo, 2)
    second = in_thread(memo.lookup, pl.Series(["second", "first"]))
    with pytest.raises(ValueError, match="broken"):
        first()
    with pytest.raises(RuntimeError, match="failed to compute"):
        second()  # not left waiting for values that never come


def in_thread(function: Callable[[pl.Series], pl.DataFrame], strings: pl.Series) -> Any:
    """Run ``function(strings)`` in a daemon thread (a test that fails by hanging still
    ends); returns a call that gives its result or raises its exception within 10 s."""
    ended: list[Any] = []  # its result or exception

    def run() -> None:
        try:
            ended.append(function(strings))
        except BaseException as exc:  # handed to the test
            ended.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def result() -> Any:
        thread.join(10)
        assert ended, "the thread did not finish in 10 s"
        if isinstance(ended[0], BaseException):
            raise ended[0]
        return ended[0]

    return result


def wait_until_claimed(memo: _Memo, codes: int) -> bool:
    for _ in range(1000):
        if memo._claimed >= codes:
            return True
        time.sleep(0.01)
    return False


def counted(
    compute: Callable[[pl.Series], pl.DataFrame], seen: list[str]
) -> Callable[[pl.Series], pl.DataFrame]:
    """``compute``, noting in ``seen`` every text it is given."""

    def compute_noted(texts: pl.Series) -> pl.DataFrame:
        seen.extend(texts)
        return compute(texts)

    return compute_noted


def json_entries(pairs: list[tuple[str, str]]) -> pl.DataFrame:
    rows = [
        (i, "YouTube", text, VIDEO, None, name, CHANNEL, False, "2024-01-13T13:16:16.123Z")
        for i, (text, name) in enumerate(pairs, 1)
    ]
    return pl.DataFrame(rows, schema=ENTRY_SCHEMA, orient="row")


# -- runs parsed in pieces ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["en-ads.watch-history.json", "en-2025-music.watch-history.json"])
@pytest.mark.parametrize(
    ("setting", "size", "run_bytes", "chunk_bytes"),
    [
        # pieces parsed apart within runs of a few pieces
        *(("PIECE_BYTES", size, 100_000, 7000) for size in (1, 3000, takeout_json.PIECE_BYTES)),
        # the last run (a whole small export) cut for the two workers, or not
        *(("SHARED_BYTES", size, 300_000, 70_000) for size in (1, 3000, takeout_json.SHARED_BYTES)),
    ],
)
@pytest.mark.usefixtures("reading")
def test_pieces_and_runs_of_any_size_give_the_same_records(
    name: str, setting: str, size: int, run_bytes: int, chunk_bytes: int
) -> None:
    path = TAKEOUT / name
    whole = outcome(path)
    with (
        patch.object(takeout_json, setting, size),
        patch.object(takeout_json, "RUN_BYTES", run_bytes),
        patch.object(watchcube.ingest, "CHUNK_BYTES", chunk_bytes),
    ):
        assert outcome(path) == whole


def spans_of(stream: BinaryIO) -> list[takeout_json.Span | None]:
    return list(takeout_json.file_runs(stream.fileno()))


@pytest.mark.parametrize("head", [b"", codecs.BOM_UTF8, b" \n", codecs.BOM_UTF8 + b"\t "])
@pytest.mark.parametrize(("run_bytes", "shared_bytes"), [(3000, 1), (30_000, 1), (3000, 10**6)])
def test_a_file_is_cut_into_an_even_number_of_runs_that_cover_its_entries(
    tmp_path: Path, head: bytes, run_bytes: int, shared_bytes: int
) -> None:
    entries = [json_entry(f"Watched {i} " + "x" * (i % 50), VIDEO) for i in range(100)]
    path = tmp_path / "watch-history.json"
    path.write_bytes(head + takeout_layout(entries).encode())
    data = path.read_bytes()
    with (
        path.open("rb") as stream,
        patch.object(takeout_json, "RUN_BYTES", run_bytes),
        patch.object(takeout_json, "SHARED_BYTES", shared_bytes),
    ):
        spans = spans_of(stream)
        decoded = [item for span in spans if span is not None for item in json.loads(span.read())]
    runs = [span for span in spans if span is not None]
    assert len(runs) == len(spans)
    body = len(data) - len(head) - 1
    if body < shared_bytes:
        assert len(runs) == 1
    else:  # an equal share for each worker, as few runs as RUN_BYTES allows
        assert len(runs) % 2 == 0
        assert len(runs) == 2 * -(-body // (2 * run_bytes))
    assert runs[0].start == len(head) + 1  # after "["
    assert runs[-1].end == len(data)
    assert [run.last for run in runs] == [False] * (len(runs) - 1) + [True]
    for run, after in itertools.pairwise(runs):
        assert data[run.end - 2 : after.start + 2] == takeout_json.SEPARATOR
    assert decoded == json.loads(data.decode("utf-8-sig"))


def test_a_file_not_in_takeout_s_layout_has_no_runs(tmp_path: Path) -> None:
    reindented = write_json(tmp_path, [json_entry("Watched 1", VIDEO)], reindent=True)
    with reindented.open("rb") as stream:
        assert spans_of(stream) == [None]
    path = tmp_path / "long.json"  # no separator within MAX_ENTRY_CHARS of a cut
    path.write_text(takeout_layout([json_entry("Watched " + "x" * 5000, VIDEO)] * 3))
    with (
        path.open("rb") as stream,
        patch.object(takeout_json, "RUN_BYTES", 100),
        patch.object(takeout_json, "SHARED_BYTES", 1),
        patch.object(takeout_json, "MAX_ENTRY_CHARS", 1000),
    ):
        spans = spans_of(stream)
    assert spans[-1] is None
    assert all(span is not None for span in spans[:-1])


@pytest.mark.parametrize("piece_bytes", [300, 2000, 50_000])
def test_a_run_in_the_file_is_parsed_in_pieces_of_about_a_piece_each(
    tmp_path: Path, piece_bytes: int
) -> None:
    entries = [json_entry(f"Watched {i} " + "x" * (i * 37 % 700), VIDEO) for i in range(60)]
    path = write_json(tmp_path, entries)
    with path.open("rb") as stream, patch.object(takeout_json, "PIECE_BYTES", piece_bytes):
        (run,) = takeout_json.file_runs(stream.fileno())
        assert run is not None
        pieces = list(run.pieces())
        whole = run.read()
    assert [item for piece in pieces for item in json.loads(piece)] == json.loads(whole)
    largest = max(len(json.dumps(entry, indent=2)) for entry in entries) + 8
    for piece in pieces[:-1]:  # as large as a piece allows (twice that for a larger entry)
        assert piece_bytes - largest < len(piece) <= max(piece_bytes, 2 * largest) + 2


def test_a_file_cut_short_while_it_is_read_is_unreadable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_json(tmp_path, [json_entry(f"Watched {i}", VIDEO) for i in range(50)])
    file_runs = takeout_json.file_runs

    def then_cut(fd: int) -> Iterator[takeout_json.Span | None]:
        runs = list(file_runs(fd))
        os.truncate(path, path.stat().st_size // 2)
        return iter(runs)

    monkeypatch.setattr(takeout_json, "file_runs", then_cut)
    monkeypatch.setattr(takeout_json, "RUN_BYTES", 1000)
    monkeypatch.setattr(takeout_json, "SHARED_BYTES", 1)
    with pytest.raises(UnreadableFile, match="cut short while it was read"):
        read(path)


@pytest.mark.parametrize(
    "damage",
    [
        *DAMAGES,
        lambda text: text[:-1] + "x",  # no end of the array
        lambda text: text + "\x0c",  # not JSON space after the array
        lambda text: text.replace("\n},{\n", "\n},\n{\n", 1),  # another layout from there
    ],
)
@pytest.mark.usefixtures("reading")
def test_damage_between_pieces_is_named_as_the_entry_reader_names_it(
    tmp_path: Path, damage: Callable[[str], str]
) -> None:
    text = damage(takeout_layout([json_entry(f"Watched {i}", VIDEO) for i in range(20)]))
    path = tmp_path / "watch-history.json"
    path.write_text(text, encoding="utf-8")
    with (
        patch.object(takeout_json, "PIECE_BYTES", 300),
        patch.object(takeout_json, "RUN_BYTES", 2000),
    ):
        try:
            expected: object = [entry for entry, _ in iter_array([text], "watch-history.json")]
        except UnreadableFile as exc:
            expected = str(exc)
        try:
            got: object = [row.title for row in read(path)[1]]
        except UnreadableFile as exc:
            got = str(exc)
    if isinstance(expected, str):
        assert got == expected
    else:
        assert got == [f"{i}" for i in range(20)]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", 25),
        ("title", True),
        ("time", 1705151776123),
        ("titleUrl", 7),
        ("header", False),
        ("subtitles", [{"name": 5, "url": CHANNEL}]),
        ("titleUrl", VIDEO + "\ud800"),  # a video link still, but not valid Unicode
        ("time", "2024-01-13T13:16:16.123Z\ud800"),
        ("title", "Watched \ud800 lone"),
    ],
)
@pytest.mark.usefixtures("reading")
def test_a_lenient_value_in_a_later_piece_is_read_as_the_entry_reader_reads_it(
    tmp_path: Path, field: str, value: Any
) -> None:
    entries: list[Any] = [json_entry(f"Watched {i}", VIDEO) for i in range(30)]
    entries[25][field] = value
    expected = outcome(write_json(tmp_path, entries, reindent=True))
    with patch.object(takeout_json, "PIECE_BYTES", 500):
        assert outcome(write_json(tmp_path, entries)) == expected


POST = "https://www.youtube.com/post/UgkxSomePost"


@pytest.mark.parametrize(
    "odd",
    [
        {**json_entry("Watched x", POST), "title": 5},  # a post: skipped, or malformed
        {**json_entry("Visited x", "https://example.com/"), "title": True},
        {**json_entry("Watched x", VIDEO, time="1990-01-01T00:00:00.000Z"), "title": 7},
        {**json_entry("Watched x", VIDEO, time="yesterday"), "title": 7},
        {**json_entry("Watched x"), "subtitles": [{"name": "Someone", "url": 3}]},  # a story?
        {**json_entry("Watched x", POST), "subtitles": [{"name": 8, "url": CHANNEL}]},
    ],
)
@pytest.mark.usefixtures("reading")
def test_a_lenient_value_of_an_entry_that_is_no_record_is_read_as_the_entry_reader_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, odd: dict[str, Any]
) -> None:
    # Records' texts are looked at as the memos work them out: these entries' are not.
    entries: list[Any] = [json_entry(f"Watched {i}", VIDEO, channel="C") for i in range(30)]
    entries[20] = odd
    expected = outcome(write_json(tmp_path, entries, reindent=True))
    paths = Paths(monkeypatch)
    assert outcome(write_json(tmp_path, entries)) == expected
    assert paths.decoded == 1


@pytest.mark.usefixtures("reading")
@pytest.mark.parametrize("value", ["164", "true", "-1.5e3"])
def test_a_text_that_reads_as_a_number_stays_on_the_columnar_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    entries: list[Any] = [json_entry(f"Watched {i}", VIDEO) for i in range(30)]
    for i in (3, 25):  # a channel named so (real ones are: "164", "6746623")
        entries[i]["subtitles"] = [{"name": value, "url": CHANNEL}]
    expected = outcome(write_json(tmp_path, entries, reindent=True))
    path = write_json(tmp_path, entries)
    paths = Paths(monkeypatch)
    with patch.object(takeout_json, "PIECE_BYTES", 500):
        assert outcome(path) == expected
    assert paths.columnar == 1
    assert paths.decoded == 0
    entries[25]["subtitles"] = [{"name": json.loads(value), "url": CHANNEL}]  # and as JSON
    path = write_json(tmp_path, entries)
    with patch.object(takeout_json, "PIECE_BYTES", 500):
        report, rows = read(path)
    assert paths.decoded == 1  # read as the entry reader reads it
    assert [row.channel_name for row in rows if row.channel_name == value] == [value]
    assert report.warnings == 0


@pytest.mark.usefixtures("reading")
def test_a_number_in_a_later_piece_is_read_as_the_entry_reader_reads_it(tmp_path: Path) -> None:
    entries: list[Any] = [json_entry(f"Watched {i}", VIDEO) for i in range(30)]
    entries[25]["title"] = 25  # Polars would read "25"
    with patch.object(takeout_json, "PIECE_BYTES", 500):
        report, rows = read(write_json(tmp_path, entries))
    assert len(rows) == 29
    assert report.warning_messages == ["watch-history.json: entry 26: no title or time"]
