"""Saving a history in each format watchcube imports: NDJSON, Takeout JSON, HTML and zip.

A file is written next to its destination and moved into place when complete, so a failed
or interrupted write never leaves a half-written file behind.
"""

from __future__ import annotations

import contextlib
import os
import zipfile
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Final, Literal, get_args

import orjson

from watchcube.errors import InvalidInput
from watchcube.ingest.locales import LOCALE_CODES, LOCALES, Locale
from watchcube.ingest.timestamps import format_offset, resolve_zone
from watchcube.records import US_PER_SECOND, Record
from watchcube.synth import takeout
from watchcube.synth.generator import load_zone
from watchcube.synth.takeout import Progress, Style

Format = Literal["ndjson", "takeout-json", "takeout-html", "takeout-zip"]
ZipInner = Literal["json", "html"]
FORMATS: Final[tuple[str, ...]] = get_args(Format)
ZIP_INNER_FORMATS: Final[tuple[str, ...]] = get_args(ZipInner)

# Takeout's folder and file names per export language (first subtag of the locale):
# product folder, history folder, watch history, search history (without extension).
# de, nl, es: data-donation-task's path table, checked against real 2026 exports;
# fr, pt, ja: paths quoted by Takeout tools in public repositories.
TAKEOUT_NAMES: Final[dict[str, tuple[str, str, str, str]]] = {
    "en": ("YouTube and YouTube Music", "history", "watch-history", "search-history"),
    "de": ("YouTube und YouTube Music", "Verlauf", "Wiedergabeverlauf", "Suchverlauf"),
    "nl": ("YouTube en YouTube Music", "geschiedenis", "kijkgeschiedenis", "zoekgeschiedenis"),
    "es": (
        "YouTube y YouTube Music",
        "historial",
        "historial-de-reproducciones",
        "historial-de-búsqueda",
    ),
    "fr": (
        "YouTube et YouTube Music",
        "historique",
        "historique des vidéos regardées",
        "historique des recherches",
    ),
    "pt": (
        "YouTube e YouTube Music",
        "histórico",
        "histórico-de-visualização",
        "histórico-de-pesquisa",
    ),
    "ja": ("YouTube と YouTube Music", "履歴", "再生履歴", "検索履歴"),
}


def write(
    records: Sequence[Record],
    path: Path,
    fmt: str,
    *,
    locale: str = "en-US",
    zone_abbreviation: str | None = None,
    timezone: str | None = None,
    zip_inner: str = "json",
    account: str | None = None,
    progress: Progress | None = None,
) -> None:
    """Write ``records`` to ``path`` in format ``fmt`` (one of ``FORMATS``).

    Takeout formats are written in ``locale`` (a code of ``LOCALE_CODES``, or a language
    alone when only one region has it: "fr"). HTML timestamps are wall-clock times in
    ``zone_abbreviation`` ("CET", "TRT", "UTC", ...); without one, in the abbreviation
    ``timezone`` (IANA) had when the newest record was watched (the export), else UTC.
    ``timezone`` also settles an ambiguous abbreviation such as IST. ``zip_inner`` picks
    the watch history format inside a zip; ``account`` names the archive's owner.
    ``progress`` is called with the number of records written since its last call.
    Raises ``InvalidInput`` for an unknown format, locale or zone (before writing anything)
    or a path that cannot be written.
    """
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if zip_inner not in ZIP_INNER_FORMATS:
        raise InvalidInput(f"unknown zip inner format {zip_inner!r}; choose json or html")
    newest = max((record.watched_at_us for record in records), default=0)
    style = html_style(resolve_locale(locale), zone_abbreviation, timezone, newest)
    try:
        with _replacing(path) as out:
            if fmt == "ndjson":
                _write_ndjson(records, out, progress)
            elif fmt == "takeout-json":
                takeout.write_json(records, out, style, progress)
            elif fmt == "takeout-html":
                takeout.write_html(records, out, style, progress)
            else:
                _write_zip(records, out, style, zip_inner, account, progress)
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot write the file ({exc.strerror or exc})") from None


def resolve_locale(code: str) -> Locale:
    """The locale named ``code``: exact ("pt-BR"), any case, or a language with one region."""
    if code in LOCALES:
        return LOCALES[code]
    folded = code.casefold()
    matches = [
        LOCALES[known]
        for known in LOCALE_CODES
        if known.casefold() == folded or known.casefold().split("-")[0] == folded
    ]
    if len(matches) != 1:
        raise InvalidInput(f"unknown locale {code!r}; choose one of {', '.join(LOCALE_CODES)}")
    return matches[0]


def html_style(
    locale: Locale, abbreviation: str | None, timezone: str | None, export_us: int
) -> Style:
    """The zone an HTML export writes its wall times in, with that zone's fixed offset."""
    zone = None if timezone is None else load_zone(timezone)
    if abbreviation is None and zone is None:
        return Style(locale)
    if abbreviation is None:
        assert zone is not None
        moment = datetime.fromtimestamp(export_us // US_PER_SECOND, UTC).astimezone(zone)
        offset = moment.utcoffset() or timedelta()
        minutes = int(offset.total_seconds()) // 60
        abbreviation = moment.tzname() or "UTC"
        with contextlib.suppress(ValueError):
            if resolve_zone(abbreviation, timezone).offset_minutes == minutes:
                return Style(locale, abbreviation, minutes)
        # tzdata has no letters for this zone, or letters the importers read otherwise.
        return Style(locale, f"GMT{format_offset(minutes)}", minutes)
    try:
        reading = resolve_zone(abbreviation, timezone)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    if reading.note:
        raise InvalidInput(f"{reading.note.split(';')[0]}: pass a time zone to choose")
    return Style(locale, abbreviation, reading.offset_minutes)


def takeout_names(locale: Locale) -> tuple[str, str, str, str]:
    """Product folder, history folder, watch and search file stems of an export."""
    return TAKEOUT_NAMES.get(locale.code.split("-")[0], TAKEOUT_NAMES["en"])


@contextlib.contextmanager
def _replacing(path: Path) -> Iterator[IO[bytes]]:
    """A file written beside ``path`` and moved onto it only once complete."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with temporary.open("wb") as out:
            yield out
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _write_ndjson(records: Sequence[Record], out: IO[bytes], progress: Progress | None) -> None:
    """One portable record (``Record.to_json``) per line, in the given order."""
    for start in range(0, len(records), takeout.CHUNK):
        chunk = records[start : start + takeout.CHUNK]
        out.write(b"".join(orjson.dumps(record.to_json()) + b"\n" for record in chunk))
        if progress:
            progress(len(chunk))


def _write_zip(
    records: Sequence[Record],
    out: IO[bytes],
    style: Style,
    inner: str,
    account: str | None,
    progress: Progress | None,
) -> None:
    """A Takeout archive: the archive browser page, the watch and the search history."""
    product, history, watch, search = takeout_names(style.locale)
    folder = f"Takeout/{product}/{history}/"
    newest = max((record.watched_at_us for record in records), default=0)
    stamp = datetime(1970, 1, 1) + timedelta(
        seconds=newest // US_PER_SECOND + style.offset_minutes * 60
    )
    searches = takeout.searches_for(records)
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            _member("Takeout/archive_browser.html", stamp),
            _archive_browser(
                account, product, [f"{history}/{watch}.{inner}", f"{history}/{search}.{inner}"]
            ),
        )
        with archive.open(
            _member(f"{folder}{watch}.{inner}", stamp), "w", force_zip64=True
        ) as member:
            if inner == "json":
                takeout.write_json(records, member, style, progress)
            else:
                takeout.write_html(records, member, style, progress)
        with archive.open(_member(f"{folder}{search}.{inner}", stamp), "w") as member:
            if inner == "json":
                takeout.write_search_json(searches, member)
            else:
                takeout.write_search_html(searches, member, style)


def _member(name: str, stamp: datetime) -> zipfile.ZipInfo:
    """A deflated zip entry with a fixed date and mode, so archives are reproducible."""
    stamp = max(stamp, datetime(1980, 1, 1))
    info = zipfile.ZipInfo(
        name, (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    )
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _archive_browser(account: str | None, product: str, files: list[str]) -> str:
    """The index page every Takeout archive carries (reduced to what it lists)."""
    owner = takeout.html_text(account or "you@example.com")
    items = "".join(f"<li>{takeout.html_text(name)}</li>" for name in files)
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Google Takeout</title></head>'
        f"<body><h1>Google Takeout</h1><p>Archive for {owner}</p>"
        f"<h2>{takeout.html_text(product)}</h2><ul>{items}</ul></body></html>"
    )
