"""Import speed: watchcube's Takeout parsers against google-takeout-parser on the same files.

Writes a synthetic Takeout JSON and HTML export of the same history (``watchcube.synth``,
en-US, timestamps in UTC), then times, in one run, best of ``--repeat``:

- watchcube ``read_history`` to the last record, with the shipped topic tagger and without,
- google-takeout-parser 0.1.13 (``_parse_json_activity`` / ``_parse_html_activity``).

Usage: ``python bench/ingest.py [--entries 100000] [--repeat 3]``. Prints entries/s and ratios.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from watchcube.ingest import read_history
from watchcube.ingest.topics import Tagger
from watchcube.synth import generate, write


def _write_files(folder: Path, count: int) -> tuple[Path, Path]:
    history = generate(count, seed=1)
    json_path, html_path = folder / "watch-history.json", folder / "watch-history.html"
    write(history, json_path, "takeout-json")
    write(history, html_path, "takeout-html", zone_abbreviation="UTC")
    # google-takeout-parser rejects U+202F before AM/PM (every export since 2023 has it):
    # a plain space lets it read every timestamp, so both parsers do their full work.
    html_path.write_bytes(html_path.read_bytes().replace("\u202f".encode(), b" "))
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
