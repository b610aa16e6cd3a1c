"""Small hand-made Takeout files for the importer tests (the real exports live in ../shared)."""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from watchcube.errors import UnreadableFile
from watchcube.ingest import ImportReport, read_history, takeout_json
from watchcube.records import BATCH_SCHEMA, Record

TAKEOUT = Path(__file__).resolve().parents[3] / "shared" / "data" / "takeout"
CHANNEL = "https://www.youtube.com/channel/UCd2SfkpYdCcZb4BKTpMz-CQ"


def records_of(batches: Iterable[pl.DataFrame]) -> list[Record]:
    """The records of record batches, in order (batches keep to ``BATCH_SCHEMA``)."""
    records: list[Record] = []
    for batch in batches:
        assert batch.schema == BATCH_SCHEMA
        for row in batch.iter_rows(named=True):
            records.append(Record(**(row | {"topics": tuple(row["topics"])})))
    return records


def read(path: Path, **options: Any) -> tuple[ImportReport, list[Record]]:
    """Import a file to the end: the report (complete) and every record."""
    report, batches = read_history(path, **options)
    return report, records_of(batches)


def outcome(path: Path) -> tuple[object, ...]:
    """Everything an import gives: records and report, or the error."""
    try:
        report, rows = read(path)
    except UnreadableFile as exc:
        return (type(exc).__name__, str(exc))
    fields = (report.records, report.ads, report.music, report.skipped, report.warnings)
    return rows, fields, report.warning_messages


def json_entry(
    title: str,
    url: str | None = None,
    *,
    time: str = "2024-01-13T13:16:16.123Z",
    channel: str | None = None,
    header: str = "YouTube",
    ad: bool = False,
) -> dict[str, Any]:
    """One Takeout JSON entry shaped like the real ones (keys in Takeout's order)."""
    entry: dict[str, Any] = {"header": header, "title": title}
    if url:
        entry["titleUrl"] = url
    if channel:
        entry["subtitles"] = [{"name": channel, "url": CHANNEL}]
    entry["time"] = time
    entry["products"] = ["YouTube"]
    if ad:
        entry["details"] = [{"name": "From Google Ads"}]
    entry["activityControls"] = ["YouTube watch history"]
    return entry


# Ways to break a Takeout JSON export of entries "Watched 0", "Watched 1", ... (the readers
# must name the same position the per-entry reader names).
DAMAGES: list[Callable[[str], str]] = [
    lambda text: text.replace('"Watched 12"', '"Watched 12', 1),  # a string never ends
    lambda text: text.replace('"Watched 15",', '"Watched 15"', 1),  # a comma is missing
    lambda text: text[: len(text) * 2 // 3],  # truncated
    lambda text: text.replace("},{", "}{", 1),  # no comma between entries
    lambda text: text + "]",  # data after the array
]


def takeout_layout(entries: list[Any]) -> str:
    """Entries as Takeout writes them: ``[{`` ... ``},{`` ... ``}]``, two-space indent,
    "=" escaped as \\u003d (the layout the columnar reader takes)."""
    if not entries:
        return "[]"
    text = "[" + ",".join(json.dumps(entry, indent=2) for entry in entries) + "]"
    return text.replace("=", "\\u003d")


def write_json(
    folder: Path, entries: list[Any], name: str = "watch-history.json", *, reindent: bool = False
) -> Path:
    """Entries written as Takeout writes them, or ``reindent``-ed (as a user's editor might:
    another layout, read entry by entry)."""
    path = folder / name
    text = json.dumps(entries, indent=4) if reindent else takeout_layout(entries)
    path.write_text(text, encoding="utf-8")
    return path


def html_cell(
    first_line: str,
    timestamp: str,
    *,
    channel: str | None = None,
    header: str = "YouTube",
    products: str = "Products:",
    details: str | None = None,
) -> str:
    """One ``outer-cell`` as in the real exports: ``first_line`` is raw HTML (verb + link)."""
    lines = [first_line]
    if channel:
        lines.append(f'<a href="{CHANNEL}">{html.escape(channel)}</a>')
    lines.append(timestamp)
    caption = f"<b>{products}</b><br>&emsp;YouTube<br>"
    if details:
        caption += f"<b>{details}</b><br>&emsp;From Google Ads<br>"
    return (
        '<div class="outer-cell mdl-cell mdl-cell--12-col mdl-shadow--2dp"><div class="mdl-grid">'
        '<div class="header-cell mdl-cell mdl-cell--12-col"><p class="mdl-typography--title">'
        f"{header}<br></p></div>"
        '<div class="content-cell mdl-cell mdl-cell--6-col mdl-typography--body-1">'
        f"{'<br>'.join(lines)}</div>"
        '<div class="content-cell mdl-cell mdl-cell--6-col mdl-typography--body-1 '
        'mdl-typography--text-right"></div>'
        '<div class="content-cell mdl-cell mdl-cell--12-col mdl-typography--caption">'
        f"{caption}</div></div></div>"
    )


def link(url: str, title: str) -> str:
    """An escaped title link."""
    return f'<a href="{html.escape(url)}">{html.escape(title)}</a>'


def write_html(folder: Path, cells: list[str], name: str = "watch-history.html") -> Path:
    """Cells inside the page Takeout wraps them in."""
    page = (
        "<html><head><title>My Activity History</title><style>.mdl-grid{}</style></head>"
        f'<body><div class="mdl-grid">{"".join(cells)}</div></body></html>'
    )
    path = folder / name
    path.write_text(page, encoding="utf-8")
    return path


class Paths:
    """Which way each run of a file was read: parsed by Polars (``columnar``, of which
    ``decoded`` were decoded by the standard library after all), or the rest of the file
    entry by entry (``per_entry``)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.columnar = self.decoded = self.per_entry = 0
        parse, decoded, per_entry = (
            takeout_json._parse,
            takeout_json._decoded_entries,
            takeout_json._per_entry,
        )

        def counted_parse(pieces: Iterator[bytes]) -> pl.DataFrame | None:
            self.columnar += 1
            return parse(pieces)

        def counted_decoded(run: bytes) -> Any:
            self.decoded += 1
            return decoded(run)

        def counted_per_entry(*args: Any, **kwargs: Any) -> Iterator[pl.DataFrame]:
            self.per_entry += 1
            return per_entry(*args, **kwargs)

        monkeypatch.setattr(takeout_json, "_parse", counted_parse)
        monkeypatch.setattr(takeout_json, "_decoded_entries", counted_decoded)
        monkeypatch.setattr(takeout_json, "_per_entry", counted_per_entry)
