"""Import speed: watchcube's Takeout parsers against google-takeout-parser on the same files.

Writes a synthetic Takeout JSON and HTML export (``watchcube.synth`` when it exists, else the
small generator below), then times, in one run, best of ``--repeat``:

- watchcube ``read_history`` to the last record, with the shipped topic tagger and without,
- google-takeout-parser 0.1.13 (``_parse_json_activity`` / ``_parse_html_activity``).

Usage: ``python bench/ingest.py [--entries 100000] [--repeat 3]``. Prints entries/s and ratios.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from watchcube.ingest import read_history
from watchcube.ingest.locales import LOCALES, format_html_timestamp, watched_line_html
from watchcube.ingest.topics import Tagger

_HTML_HEAD = '<html><head><title>My Activity History</title></head><body><div class="mdl-grid">'
_HTML_CELL = (
    '<div class="outer-cell mdl-cell mdl-cell--12-col mdl-shadow--2dp"><div class="mdl-grid">'
    '<div class="header-cell mdl-cell mdl-cell--12-col"><p class="mdl-typography--title">'
    "{header}<br></p></div>"
    '<div class="content-cell mdl-cell mdl-cell--6-col mdl-typography--body-1">{body}</div>'
    '<div class="content-cell mdl-cell mdl-cell--6-col mdl-typography--body-1 '
    'mdl-typography--text-right"></div>'
    '<div class="content-cell mdl-cell mdl-cell--12-col mdl-typography--caption">'
    "<b>Products:</b><br>&emsp;YouTube<br>{details}</div></div></div>"
)
_WORDS = ("how", "to", "make", "the", "best", "python", "game", "review", "music", "news", "travel")


def _entries(count: int) -> list[dict[str, object]]:
    """``count`` Takeout-shaped JSON entries, newest first, ~2% removed, ~1% ads."""
    rng = random.Random(7)
    moment = datetime(2024, 6, 1, tzinfo=UTC)
    entries: list[dict[str, object]] = []
    for index in range(count):
        moment -= timedelta(seconds=rng.randint(20, 5000), milliseconds=rng.randint(0, 999))
        stamp = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
        entry: dict[str, object] = {"header": "YouTube", "time": stamp, "products": ["YouTube"]}
        if rng.random() < 0.02:
            entry["title"] = "Watched a video that has been removed"
        else:
            video = "".join(rng.choices("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789-_", k=11))
            entry["title"] = "Watched " + " ".join(rng.choices(_WORDS, k=6)) + f" #{index}"
            entry["titleUrl"] = f"https://www.youtube.com/watch?v={video}"
            channel = rng.randint(1, 800)
            entry["subtitles"] = [
                {
                    "name": f"Channel {channel}",
                    "url": f"https://www.youtube.com/channel/UC{channel:022d}",
                }
            ]
            if rng.random() < 0.01:
                entry["details"] = [{"name": "From Google Ads"}]
        entry["activityControls"] = ["YouTube watch history"]
        entries.append(entry)
    return entries


def _html(entries: list[dict[str, object]]) -> str:
    """The HTML export of the same entries (en-US, UTC, a plain space before AM/PM so that
    google-takeout-parser can read the timestamps too)."""
    locale = LOCALES["en-US"]
    cells = [_HTML_HEAD]
    for entry in entries:
        title = str(entry["title"]).removeprefix("Watched ")
        at = datetime.fromisoformat(str(entry["time"])).replace(tzinfo=None)
        stamp = format_html_timestamp(locale, at, "UTC").replace("\u202f", " ")
        if "titleUrl" in entry:
            link = f'<a href="{entry["titleUrl"]}">{html.escape(title)}</a>'
            lines = [watched_line_html(locale, link)]
            channel = entry["subtitles"][0]  # type: ignore[index]
            lines.append(f'<a href="{channel["url"]}">{html.escape(channel["name"])}</a>')
        else:
            lines = [str(entry["title"])]
        details = "<b>Details:</b><br>&emsp;From Google Ads<br>" if "details" in entry else ""
        body = "<br>".join([*lines, stamp])
        cells.append(_HTML_CELL.format(header="YouTube", body=body, details=details))
    cells.append("</div></body></html>")
    return "".join(cells)


def _write_files(folder: Path, count: int) -> tuple[Path, Path]:
    try:
        from watchcube import synth  # type: ignore[attr-defined]  # written by another team
    except ImportError:
        synth = None
    json_path, html_path = folder / "watch-history.json", folder / "watch-history.html"
    if synth is not None and hasattr(synth, "write_takeout_pair"):
        synth.write_takeout_pair(json_path, html_path, entries=count)
        return json_path, html_path
    entries = _entries(count)
    json_path.write_text(json.dumps(entries, indent=2).replace("=", "\\u003d"), encoding="utf-8")
    html_path.write_text(_html(entries), encoding="utf-8")
    return json_path, html_path


def _best(run: Callable[[], int], repeat: int) -> tuple[float, int]:
    best, count = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        count = run()
        best = min(best, time.perf_counter() - start)
    return best, count


def _ours(path: Path, tagger: Tagger) -> Callable[[], int]:
    def run() -> int:
        _, records = read_history(path, tagger=tagger)
        return sum(1 for _ in records)

    return run


def _theirs(path: Path, kind: str) -> Callable[[], int]:
    from google_takeout_parser.parse_html.activity import _parse_html_activity
    from google_takeout_parser.parse_json import _parse_json_activity

    parse = _parse_json_activity if kind == "JSON" else _parse_html_activity

    def run() -> int:
        return sum(1 for item in parse(path) if not isinstance(item, Exception))

    return run


def main() -> None:
    """Write the files, time both parsers on each, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        json_path, html_path = _write_files(Path(tmp), args.entries)
        print(
            f"{args.entries} entries; JSON {json_path.stat().st_size / 1e6:.1f} MB, "
            f"HTML {html_path.stat().st_size / 1e6:.1f} MB; best of {args.repeat}"
        )
        for kind, path in (("JSON", json_path), ("HTML", html_path)):
            tagged, n = _best(_ours(path, Tagger.default()), args.repeat)
            bare, _ = _best(_ours(path, Tagger({})), args.repeat)
            gtp, m = _best(_theirs(path, kind), 1 if kind == "HTML" else args.repeat)
            print(
                f"{kind}: watchcube {n / tagged:,.0f} records/s tagged, {n / bare:,.0f} untagged;"
                f" google-takeout-parser {m / gtp:,.0f} entries/s;"
                f" ratio {gtp / tagged:.1f}x tagged, {gtp / bare:.1f}x untagged"
            )


if __name__ == "__main__":
    main()
