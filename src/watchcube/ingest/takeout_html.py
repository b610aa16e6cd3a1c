"""Takeout ``watch-history.html`` in any language, streamed and read with regular expressions.

Each entry is one ``<div class="outer-cell ...">``: the file is split on that marker chunk by
chunk, and each cell is read with string searches and two small patterns instead of a DOM
(google-takeout-parser's BeautifulSoup spends ~400 us per entry; this whole importer ~20 us,
record included). Inside a cell:

    <p class="mdl-typography--title">YouTube<br></p>                        header
    ...body-1">Watched&nbsp;<a href="VIDEO">Title</a><br>                   verb and title link
    <a href="CHANNEL">Channel</a><br>Jan 13, 2024, 4:16:16 PM TRT</div>     channel, timestamp
    ...caption"><b>Products:</b><br>&emsp;YouTube<br><b>Details:</b>...     "Details" = an ad

Lines are the ``<br>``-separated parts of the body: the title link is on the first, the
channel is the first other line holding a link, the timestamp is the last one with text
(newer exports close the body with a ``<br>`` after it). The verb and the words around the
link are in the export's language (``ingest.locales``); links, not words, classify an entry.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Final, NamedTuple

import polars as pl

from watchcube.errors import UnreadableFile
from watchcube.ingest.classify import ENTRY_SCHEMA, BatchMaker, count_kinds
from watchcube.ingest.locales import LOCALES
from watchcube.ingest.timestamps import HtmlTimestamps

CELL_MARKER: Final = '<div class="outer-cell'
# A cell may not be larger than this (real ones are under 10 kB): bounds the buffered text.
MAX_CELL_CHARS: Final = 4 * 1024 * 1024
_ROWS: Final = 20_000  # entries per batch
_HEADER: Final = ('mdl-typography--title">', "<")
_BODY: Final = ('mdl-typography--body-1">', "</div>")
_CAPTION: Final = ('mdl-typography--caption">', "</div>")
_LINK = re.compile(r'<a\s+href="(?P<url>[^"]*)"[^>]*>(?P<text>.*?)</a>', re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_DETAILS = re.compile(
    r"<b>\s*(?:"
    + "|".join(sorted({re.escape(loc.details_word) for loc in LOCALES.values()}))
    + r")\s*:"
)


class Cell(NamedTuple):
    """The parts of one entry that classification needs: unescaped, whitespace as written."""

    header: str
    text: str
    url: str | None
    title: str | None
    channel_name: str | None
    channel_url: str | None
    is_ad: bool
    time: str


def iter_cells(chunks: Iterable[str], source: str) -> Iterator[str]:
    """The raw HTML of each entry cell, in file order."""
    buffer = ""
    started = False
    for chunk in chunks:
        *cells, buffer = (buffer + chunk).split(CELL_MARKER)
        if cells and not started:
            cells.pop(0)  # the page head before the first entry
            started = True
        yield from cells
        if len(buffer) > MAX_CELL_CHARS:
            raise UnreadableFile(
                f"{source}: more than {MAX_CELL_CHARS} characters without a Takeout activity"
                " entry: not a Takeout HTML export"
            )
    if started:
        yield buffer


def parse_cell(cell: str) -> Cell | None:
    """The parts of one cell, or None when it does not have the Takeout layout."""
    header, at = _between(cell, _HEADER, 0)
    body, at = _between(cell, _BODY, at)
    if header is None or body is None:
        return None
    lines = body.split("<br>")
    # Exports since about 2025 end the body with a "<br>" after the timestamp
    # ("...6:25:05 AM PDT<br></div>"): the timestamp is the last line with text.
    while len(lines) > 1 and not _TAG.sub("", lines[-1]).strip():
        lines.pop()
    if len(lines) < 2:
        return None
    first, time = lines[0], lines[-1]
    link = _LINK.search(first)
    channel = next((found for line in lines[1:-1] if (found := _LINK.search(line))), None)
    caption, _ = _between(cell, _CAPTION, at)
    return Cell(
        header=header.strip(),
        text=first if link else _unescape(_TAG.sub("", first)),
        url=_href(link),
        title=_unescape(link["text"]) if link else None,
        channel_name=_unescape(channel["text"]) if channel else None,
        channel_url=_href(channel),
        is_ad=bool(caption and _DETAILS.search(caption)),
        time=_TAG.sub("", time) if "<" in time else time,
    )


def _between(text: str, markers: tuple[str, str], start: int) -> tuple[str | None, int]:
    """The text between the two markers after ``start``, and where it ends."""
    begin = text.find(markers[0], start)
    if begin < 0:
        return None, start
    begin += len(markers[0])
    end = text.find(markers[1], begin)
    return (text[begin:end], end) if end >= 0 else (None, start)


def _href(link: re.Match[str] | None) -> str | None:
    return _unescape(link["url"]) if link else None


def _unescape(text: str) -> str:
    return html.unescape(text) if "&" in text else text


def read_batches(
    chunks: Iterable[str], maker: BatchMaker, stamps: HtmlTimestamps, source: str
) -> Iterator[pl.DataFrame]:
    """The record batches of a Takeout HTML export; malformed entries are warned and skipped.

    Cells are cut and read here, a batch of them at a time; ``maker`` classifies the batch.
    """
    rows: list[tuple[object, ...]] = []
    problems: list[tuple[int, str]] = []
    try:
        for entry, raw in enumerate(iter_cells(chunks, source), 1):
            cell = parse_cell(raw)
            if cell is None:
                problems.append((entry, "not a Takeout activity entry"))
            else:
                rows.append((entry, *cell))
            if len(rows) + len(problems) >= _ROWS:
                yield from _make(maker, rows, problems)
                rows, problems = [], []
        yield from _make(maker, rows, problems)
    finally:
        maker.report.zone = ", ".join(zone.label for zone in stamps.zones.values()) or None
        for zone in stamps.zones.values():
            if zone.note:
                maker.report.note(zone.note)


def _make(
    maker: BatchMaker, rows: list[tuple[object, ...]], problems: list[tuple[int, str]]
) -> Iterator[pl.DataFrame]:
    batch = maker.make(pl.DataFrame(rows, schema=ENTRY_SCHEMA, orient="row"), problems)
    if batch is not None:
        yield batch


def head_kinds(head: str) -> Counter[str]:
    """Kinds of the complete entries at the start of a Takeout HTML text (archive sniffing)."""
    cells = head.split(CELL_MARKER)[1:-1]  # the last one may be cut off
    rows = [(entry, *cell) for entry, raw in enumerate(cells, 1) if (cell := parse_cell(raw))]
    return count_kinds(pl.DataFrame(rows, schema=ENTRY_SCHEMA, orient="row"))
