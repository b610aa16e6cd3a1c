"""Records written as Google Takeout writes a watch history: JSON and "My Activity" HTML.

The shapes are copied from real exports (``shared/data/takeout``): the JSON is Gson's
pretty print (two-space indent, ``},{`` between entries, ``=``, ``&``, ``'``, ``<`` and
``>`` escaped as ``\\u003d`` and friends, other characters raw), newest entry first; the
HTML is the Material Design Lite page with one ``outer-cell`` per entry and its timestamp
written as wall-clock time in one zone abbreviation for the whole file. Every
language-dependent string comes from ``watchcube.ingest.locales``, the table the
importers read, so writing and reading a file are each other's test. Takeout carries
neither topics nor durations, so neither is written.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Final, TypeVar
from urllib.parse import quote_plus

import numpy as np
import orjson

from watchcube.ingest.locales import (
    HTML_VERB_SEPARATOR,
    Locale,
    format_html_timestamp,
    watched_line_html,
    watched_title,
)
from watchcube.records import US_PER_SECOND, Record
from watchcube.synth.generator import REMOVED_TITLE

Progress = Callable[[int], None]
_Item = TypeVar("_Item", Record, "Search")

CHUNK: Final = 20_000  # entries rendered per write (and per progress report)
WATCH_URL: Final = "https://www.youtube.com/watch?v="
MUSIC_WATCH_URL: Final = "https://music.youtube.com/watch?v="
CHANNEL_URL: Final = "https://www.youtube.com/channel/"
SEARCH_URL: Final = "https://www.youtube.com/results?search_query="
# Strings ``ingest/locales.py`` has no translations of: written in English in every language.
AD_DETAIL: Final = "From Google Ads"
SEARCHED_VERB: Final = "Searched for"
WATCH_CONTROL: Final = "YouTube watch history"
SEARCH_CONTROL: Final = "YouTube search history"
PAGE_TITLE: Final = "My Activity History"

# Gson's HTML-safe escaping, applied on top of standard JSON string escaping.
_GSON_ESCAPES: Final = tuple((c, f"\\u{ord(c):04x}") for c in "<>&='\u2028\u2029")
_NAIVE_EPOCH: Final = datetime(1970, 1, 1)
# The page's own style rules as Takeout writes them (the 140 kB Material Design Lite
# stylesheet it inlines before them is left out: it changes no content).
_HTML_HEAD: Final = (
    '<html><head><title>{title}</title><style type="text/css">'
    ".mdl-grid{{display:flex;flex-flow:row wrap;margin:0 auto;align-items:stretch;"
    "padding:8px}}.mdl-cell{{box-sizing:border-box;margin:8px}}.mdl-cell--12-col"
    "{{width:calc(100% - 16px)}}.mdl-cell--6-col{{width:calc(50% - 16px)}}"
    ".mdl-typography--text-right{{text-align:right}}\n"
    "body {{\n  padding: 5px;\n  background: #EEEEEE;\n}}\n\n"
    ".mdl-cell {{\n  background-color: #FFFFFF;\n}}\n\n"
    ".content-cell.mdl-cell {{\n  color: rgba(0, 0, 0, 0.54);\n}}\n\n"
    ".header-cell.mdl-cell {{\n  border-bottom-style: solid;\n  border-bottom-width: 1px;\n"
    "  border-bottom-color: rgba(0, 0, 0, 0.1);\n}}\n\n"
    ".image-preview {{\n  width:72px;\n  height:72px;\n}}\n\n"
    '</style></head><body><div class="mdl-grid">'
)
_HTML_TAIL: Final = "</div></body></html>"
_CELL_START: Final = (
    '<div class="outer-cell mdl-cell mdl-cell--12-col mdl-shadow--2dp"><div class="mdl-grid">'
    '<div class="header-cell mdl-cell mdl-cell--12-col"><p class="mdl-typography--title">'
)
_CELL_CONTENT: Final = (
    '<br></p></div><div class="content-cell mdl-cell mdl-cell--6-col mdl-typography--body-1">'
)
_CELL_CAPTION: Final = (
    '</div><div class="content-cell mdl-cell mdl-cell--6-col mdl-typography--body-1'
    ' mdl-typography--text-right"></div><div class="content-cell mdl-cell mdl-cell--12-col'
    ' mdl-typography--caption">'
)
_CELL_END: Final = "</div></div></div>"


@dataclass(frozen=True, slots=True)
class Style:
    """How one export is written: its language, and (HTML) the zone of its wall times."""

    locale: Locale
    abbreviation: str = "UTC"
    offset_minutes: int = 0


@dataclass(frozen=True, slots=True)
class Search:
    """One entry of a search history."""

    at_us: int
    query: str


def gson_string(text: str) -> str:
    """``text`` as a JSON string literal, escaped the way Takeout's Gson escapes it."""
    literal = orjson.dumps(text).decode()
    for character, escape in _GSON_ESCAPES:
        if character in literal:
            literal = literal.replace(character, escape)
    return literal


def html_text(text: str) -> str:
    """``text`` escaped for HTML the way Takeout does (``'`` as ``&#39;``)."""
    return html.escape(text).replace("&#x27;", "&#39;")


def iso_times(instants_us: Sequence[int]) -> list[str]:
    """UTC instants as Takeout's JSON ``time``: ISO-8601 with milliseconds and ``Z``."""
    stamps = np.datetime_as_string(np.asarray(instants_us, "datetime64[us]"), unit="ms")
    return [f"{stamp}Z" for stamp in stamps.tolist()]


def html_times(instants_us: Sequence[int], style: Style) -> list[str]:
    """UTC instants as the wall-clock timestamps of an HTML export in ``style``'s zone."""
    wall_s = np.asarray(instants_us, np.int64) // US_PER_SECOND + style.offset_minutes * 60
    return [
        format_html_timestamp(style.locale, _NAIVE_EPOCH + timedelta(seconds=s), style.abbreviation)
        for s in wall_s.tolist()
    ]


def video_url(record: Record) -> str:
    """The entry's link: YouTube Music plays sometimes link to music.youtube.com, as in
    real exports (decided by the id, so the same video always gets the same host)."""
    assert record.video_id is not None
    if record.product == "youtube_music" and ord(record.video_id[0]) % 3 == 0:
        return MUSIC_WATCH_URL + record.video_id
    return WATCH_URL + record.video_id


def is_removed(record: Record) -> bool:
    """A removed video: no id, and the title an English export gives such entries (it is
    written in the export's language)."""
    return record.video_id is None and record.title == REMOVED_TITLE


def _header(record: Record) -> str:
    return "YouTube Music" if record.product == "youtube_music" else "YouTube"


def write_json(
    records: Sequence[Record], out: IO[bytes], style: Style, progress: Progress | None
) -> None:
    """A Takeout ``watch-history.json`` of ``records`` (any order; written newest first)."""
    _write_array(
        out,
        _newest_first(records),
        lambda chunk: [
            _json_entry(record, time, style.locale)
            for record, time in zip(chunk, iso_times([r.watched_at_us for r in chunk]), strict=True)
        ],
        progress,
    )


def _json_entry(record: Record, time: str, locale: Locale) -> str:
    lines = [f'  "header": "{_header(record)}"']
    if is_removed(record):
        lines.append(f'  "title": {gson_string(locale.removed_title)}')
    else:
        lines.append(f'  "title": {gson_string(watched_title(locale, record.title))}')
        if record.video_id is not None:
            lines.append(f'  "titleUrl": {gson_string(video_url(record))}')
        if record.channel_id is not None:
            lines.append(
                f'  "subtitles": [{{\n    "name": {gson_string(record.channel_name or "")},\n'
                f'    "url": {gson_string(CHANNEL_URL + record.channel_id)}\n  }}]'
            )
    lines.append(f'  "time": "{time}"')
    lines.append('  "products": ["YouTube"]')
    if record.is_ad:
        lines.append(f'  "details": [{{\n    "name": {gson_string(AD_DETAIL)}\n  }}]')
    lines.append(f'  "activityControls": [{gson_string(WATCH_CONTROL)}]')
    return ",\n".join(lines)


def write_search_json(searches: Sequence[Search], out: IO[bytes]) -> None:
    """A Takeout ``search-history.json`` of ``searches`` (newest first)."""

    def entries(chunk: Sequence[Search]) -> list[str]:
        times = iso_times([search.at_us for search in chunk])
        return [
            f'  "header": "YouTube",\n'
            f'  "title": {gson_string(f"{SEARCHED_VERB} {search.query}")},\n'
            f'  "titleUrl": {gson_string(SEARCH_URL + quote_plus(search.query))},\n'
            f'  "time": "{time}",\n'
            f'  "products": ["YouTube"],\n'
            f'  "activityControls": [{gson_string(SEARCH_CONTROL)}]'
            for search, time in zip(chunk, times, strict=True)
        ]

    _write_array(out, sorted(searches, key=lambda s: -s.at_us), entries, None)


def _write_array(
    out: IO[bytes],
    items: Sequence[_Item],
    render: Callable[[Sequence[_Item]], list[str]],
    progress: Progress | None,
) -> None:
    """Gson's layout of an array of objects: ``[{`` ... ``},{`` ... ``}]``, no final newline."""
    if items:
        _write_chunks(out, "[{\n", items, render, "\n},{\n", "\n}]", progress)
    else:
        out.write(b"[]")


def _write_chunks(
    out: IO[bytes],
    head: str,
    items: Sequence[_Item],
    render: Callable[[Sequence[_Item]], list[str]],
    separator: str,
    tail: str,
    progress: Progress | None,
) -> None:
    """``head``, the rendered ``items`` joined by ``separator``, ``tail``: rendered and
    written ``CHUNK`` items at a time, so memory stays flat whatever the history's size."""
    out.write(head.encode())
    for start in range(0, len(items), CHUNK):
        chunk = items[start : start + CHUNK]
        out.write(((separator if start else "") + separator.join(render(chunk))).encode())
        if progress:
            progress(len(chunk))
    out.write(tail.encode())


def write_html(
    records: Sequence[Record], out: IO[bytes], style: Style, progress: Progress | None
) -> None:
    """A Takeout ``watch-history.html`` of ``records`` (written newest first)."""
    channels: dict[tuple[str, str | None], str] = {}  # channel -> its rendered link
    _write_page(
        out,
        _newest_first(records),
        lambda chunk: [
            _html_cell(record, time, style.locale, channels)
            for record, time in zip(
                chunk, html_times([r.watched_at_us for r in chunk], style), strict=True
            )
        ],
        progress,
    )


def _html_cell(
    record: Record, time: str, locale: Locale, channels: dict[tuple[str, str | None], str]
) -> str:
    if is_removed(record):
        content = locale.removed_title
    else:
        title = html_text(record.title)
        if record.video_id is not None:
            title = f'<a href="{video_url(record)}">{title}</a>'
        content = watched_line_html(locale, title)
        if record.channel_id is not None:
            key = (record.channel_id, record.channel_name)
            link = channels.get(key)
            if link is None:
                name = html_text(record.channel_name or "")
                link = channels[key] = f'<br><a href="{CHANNEL_URL}{record.channel_id}">{name}</a>'
            content += link
    details = f"<b>{locale.details_word}:</b><br>&emsp;{AD_DETAIL}<br>" if record.is_ad else ""
    return _cell(_header(record), content, time, locale, details)


def write_search_html(searches: Sequence[Search], out: IO[bytes], style: Style) -> None:
    """A Takeout ``search-history.html`` of ``searches`` (newest first)."""

    def cells(chunk: Sequence[Search]) -> list[str]:
        times = html_times([search.at_us for search in chunk], style)
        return [
            _cell(
                "YouTube",
                f'{SEARCHED_VERB}{HTML_VERB_SEPARATOR}<a href="{SEARCH_URL}'
                f'{quote_plus(search.query)}">{html_text(search.query)}</a>',
                time,
                style.locale,
            )
            for search, time in zip(chunk, times, strict=True)
        ]

    _write_page(out, sorted(searches, key=lambda s: -s.at_us), cells, None)


def _cell(header: str, content: str, time: str, locale: Locale, details: str = "") -> str:
    """One ``outer-cell``: header, content lines and timestamp, then the caption."""
    return (
        f"{_CELL_START}{header}{_CELL_CONTENT}{content}<br>{time}{_CELL_CAPTION}"
        f"<b>{locale.products_word}:</b><br>&emsp;YouTube<br>{details}{_CELL_END}"
    )


def _write_page(
    out: IO[bytes],
    items: Sequence[_Item],
    render: Callable[[Sequence[_Item]], list[str]],
    progress: Progress | None,
) -> None:
    """The "My Activity" page around the cells ``render`` makes of ``items``."""
    head = _HTML_HEAD.format(title=html_text(PAGE_TITLE))
    _write_chunks(out, head, items, render, "", _HTML_TAIL, progress)


def searches_for(records: Sequence[Record]) -> list[Search]:
    """Searches that plausibly led to ``records``: before about a third of the sessions,
    a few seconds ahead of the first video, for the first words of its title."""
    ordered = sorted(records, key=lambda r: r.watched_at_us)
    found: list[Search] = []
    previous = None
    for record in ordered:
        starts_session = previous is None or record.watched_at_us - previous > 1_800 * US_PER_SECOND
        previous = record.watched_at_us
        if (
            starts_session
            and record.video_id
            and not record.is_ad
            and ord(record.video_id[-1]) % 3 == 0
        ):
            query = " ".join(_search_words(record.title)[:3])
            if query:
                found.append(Search(record.watched_at_us - 7 * US_PER_SECOND, query))
    return found


def _search_words(title: str) -> list[str]:
    return [word for word in (w.strip("()[]#|,.:!?\"'-") for w in title.casefold().split()) if word]


def _newest_first(records: Sequence[Record]) -> list[Record]:
    return sorted(records, key=lambda r: r.watched_at_us, reverse=True)
