"""Import speed: watchcube's Takeout parsers against google-takeout-parser, and whole imports.

Part 1 writes a synthetic Takeout JSON and HTML export of the same history
(``watchcube.synth``, en-US, timestamps in UTC) and times, in one run, best of ``--repeat``:

- watchcube ``read_history`` to the last record batch, with the shipped topic tagger and
  with an empty one, in wall-clock and in CPU time (all threads: the JSON reader parses the
  next run in a second thread, and Polars uses every core),
- google-takeout-parser 0.1.13 (``_parse_json_activity`` / ``_parse_html_activity``) on the
  same files (the HTML one only once: it is slow).

Part 2 times ``watchcube.importer.import_file`` end to end (read, classify, tag, write, one
transaction) for a synthetic history of ``--records`` records written as Takeout JSON and as
NDJSON, into a new SQLite file and into a new PostgreSQL database
(``watchcube_bench_<random>`` on ``--postgres``, dropped afterwards; ``--postgres ''`` skips).

Usage: ``python bench/ingest.py [--entries 100000] [--repeat 3] [--records 1000000]``.
Prints a table of entries/s and ratios, and one of import times.
"""

from __future__ import annotations

import argparse
import gc
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from watchcube.config import Settings
from watchcube.importer import import_file
from watchcube.ingest import read_history
from watchcube.ingest.topics import Tagger
from watchcube.store.db import Database, migrate, open_database
from watchcube.synth import generate, write

POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


def _parser_files(folder: Path, count: int) -> tuple[Path, Path]:
    history = generate(count, seed=1)
    json_path, html_path = folder / "watch-history.json", folder / "watch-history.html"
    write(history, json_path, "takeout-json")
    write(history, html_path, "takeout-html", zone_abbreviation="UTC")
    # google-takeout-parser rejects U+202F before AM/PM (every export since 2023 has it):
    # a plain space lets it read every timestamp, so both parsers do their full work.
    html_path.write_bytes(html_path.read_bytes().replace("\u202f".encode(), b" "))
    return json_path, html_path


def _best(run: Callable[[], int], repeat: int) -> tuple[float, float, int]:
    """Best wall-clock and best CPU seconds (all threads) of ``repeat`` runs, and the count.
    CPU time is what a loaded machine (CI, other jobs) cannot inflate much."""
    wall = cpu = float("inf")
    count = 0
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        count = run()
        wall = min(wall, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - started_cpu)
    return wall, cpu, count


def _ours(path: Path, tagger: Tagger) -> Callable[[], int]:
    def run() -> int:
        _, batches = read_history(path, tagger=tagger)
        return sum(batch.height for batch in batches)

    return run


def _theirs(path: Path, kind: str) -> Callable[[], int]:
    from google_takeout_parser.parse_html.activity import _parse_html_activity
    from google_takeout_parser.parse_json import _parse_json_activity

    parse = _parse_json_activity if kind == "JSON" else _parse_html_activity

    def run() -> int:
        return sum(1 for item in parse(path) if not isinstance(item, Exception))

    return run


def parsers(folder: Path, entries: int, repeat: int) -> None:
    """Entries/s of both parsers on the same files, and the ratios."""
    json_path, html_path = _parser_files(folder, entries)
    print(
        f"\n{entries:,} entries; JSON {json_path.stat().st_size / 1e6:.1f} MB, "
        f"HTML {html_path.stat().st_size / 1e6:.1f} MB; best of {repeat}\n"
    )
    print(
        "| format | watchcube tagged | untagged | google-takeout-parser | ratio wall | ratio CPU |"
    )
    print("|---|---|---|---|---|---|")
    for kind, path in (("JSON", json_path), ("HTML", html_path)):
        tagged, tagged_cpu, n = _best(_ours(path, Tagger.default()), repeat)
        bare, bare_cpu, _ = _best(_ours(path, Tagger({})), repeat)
        gtp, gtp_cpu, m = _best(_theirs(path, kind), 1 if kind == "HTML" else repeat)
        print(
            f"| {kind} | {n / tagged:,.0f}/s | {n / bare:,.0f}/s | {m / gtp:,.0f}/s |"
            f" {gtp / tagged:.1f}x tagged, {gtp / bare:.1f}x untagged |"
            f" {gtp_cpu / tagged_cpu:.1f}x tagged, {gtp_cpu / bare_cpu:.1f}x untagged |"
        )


@contextmanager
def _postgres(server: str) -> Iterator[str]:
    """A new, migrated database on ``server``, dropped afterwards."""
    name = f"watchcube_bench_{secrets.token_hex(4)}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = server.rsplit("/", 1)[0] + f"/{name}"
    try:
        database = Database(url)
        migrate(database)
        database.dispose()
        yield url
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _import(url: str, path: Path) -> tuple[float, int]:
    database = open_database(url)
    try:
        start = time.perf_counter()
        summary = import_file(database, "bench", path, Settings())
        return time.perf_counter() - start, summary.inserted
    finally:
        database.dispose()


def _history_files(folder: Path, records: int) -> dict[str, Path]:
    """The synthetic history written in both formats (its ``Record`` objects are gone when
    this returns: a million live Python objects made every full garbage collection during
    the timed imports cost ~0.3 s, which no import process has to pay)."""
    history = generate(records, seed=2)
    files = {fmt: folder / f"history.{fmt}" for fmt in ("takeout-json", "ndjson")}
    for fmt, path in files.items():
        write(history, path, fmt)
    return files


def imports(folder: Path, records: int, postgres: str) -> None:
    """Seconds to import ``records`` records end to end, per format and database."""
    files = _history_files(folder, records)
    gc.collect()
    print(f"\nimport_file, {records:,} records, one transaction, new database each\n")
    print("| file | SQLite | PostgreSQL |")
    print("|---|---|---|")
    for fmt, path in files.items():
        sqlite_file = folder / f"{fmt}.db"
        lite, inserted = _import(f"sqlite:///{sqlite_file}", path)
        sqlite_file.unlink()
        cells = [f"{lite:.1f} s ({inserted / lite:,.0f}/s)"]
        if postgres:
            with _postgres(postgres) as url:
                pg, inserted = _import(url, path)
            cells.append(f"{pg:.1f} s ({inserted / pg:,.0f}/s)")
        else:
            cells.append("skipped")
        size = path.stat().st_size / 1e6
        print(f"| {fmt} ({size:.0f} MB, {inserted:,} inserted) | {' | '.join(cells)} |")


def main() -> None:
    """Write the files, time everything, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--postgres", default=POSTGRES, help="server URL; '' skips PostgreSQL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.entries:
            parsers(Path(tmp), args.entries, args.repeat)
        if args.records:
            imports(Path(tmp), args.records, args.postgres)


if __name__ == "__main__":
    main()
