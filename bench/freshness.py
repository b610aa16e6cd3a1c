"""Freshness: from a 1k-record write to the last affected pre-computed result refreshed.

    .venv/bin/python -m bench.freshness [--records 1000000] [--rounds 6] [--backend postgres|sqlite]

A user with ``--records`` synthetic records and the default filters pre-computed (all
time, every year and quarter); a real ``watchcube worker`` process on PostgreSQL (woken by
LISTEN/NOTIFY), or the embedded worker thread on SQLite. Each round writes 1,000 new
records in one transaction (what ``POST /records`` does) and waits until the change is
processed: the worker commits the refreshed results and the processed mark together.
Goal: <= 1 s.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import psycopg

from bench.common import ROOT, percentile, prepare_user
from watchcube.config import Settings
from watchcube.records import Record
from watchcube.refresh.worker import Worker
from watchcube.service import Service
from watchcube.store.changelog import pending_changes
from watchcube.store.db import Database, migrate

USER = "bench"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def new_records(service: Service, count: int, round_number: int, backfill: bool) -> list[Record]:
    """``count`` records after the newest one (or inside an old year, ``backfill``)."""
    with service.db.read() as conn:
        newest = conn.exec_driver_sql(
            "SELECT max(watched_at_us), min(watched_at_us) FROM watch_records WHERE user_id = ?"
            if service.db.is_sqlite
            else "SELECT max(watched_at_us), min(watched_at_us) FROM watch_records "
            "WHERE user_id = %s",
            (USER,),
        ).one()
    base = (newest[1] + 400 * 86_400 * 1_000_000) if backfill else newest[0]
    step = int(timedelta(minutes=3).total_seconds() * 1_000_000)
    return [
        Record(
            watched_at_us=base + (i + 1) * step + round_number,
            title=f"Fresh video {round_number}-{i}",
            video_id=f"fresh{round_number:02d}{i:05d}",
            channel_id=f"UCfresh{i % 40:03d}",
            channel_name=f"Fresh channel {i % 40}",
            topics=("music",) if i % 2 else ("gaming",),
        )
        for i in range(count)
    ]


def pending(service: Service) -> int:
    """Unprocessed changes of the user (one indexed count; the poll must not load the DB)."""
    with service.db.read() as conn:
        return pending_changes(conn, USER)


def run_rounds(service: Service, rounds: int, size: int) -> list[tuple[str, float]]:
    timings = []
    for number in range(rounds):
        backfill = number == rounds - 1
        records = new_records(service, size, number, backfill)
        started = time.perf_counter()
        service.add_records(USER, records)
        while pending(service):
            time.sleep(0.005)
        timings.append(("old year" if backfill else "appended", time.perf_counter() - started))
        print(f"round {number}: {timings[-1][0]:>9} {timings[-1][1] * 1000:8.1f} ms")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--backend", choices=["postgres", "sqlite"], default="postgres")
    args = parser.parse_args()

    name = f"watchcube_bench_{secrets.token_hex(4)}"
    if args.backend == "postgres":
        with psycopg.connect(PG_SERVER, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        url = PG_SERVER.rsplit("/", 1)[0] + f"/{name}"
        migrate(Database(url))
    else:
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='wc-fresh-')) / 'fresh.db'}"
    settings = Settings(database_url=url, redis_url=None)
    service = prepare_user(settings, USER, args.records)
    stop = threading.Event()
    worker_process = None
    try:
        if args.backend == "postgres":
            env = {**os.environ, "WATCHCUBE_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
            worker_process = subprocess.Popen(
                [sys.executable, "-m", "watchcube", "worker"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        else:
            thread = threading.Thread(target=Worker(service).run, args=(stop,), daemon=True)
            thread.start()
        time.sleep(2)  # let the worker connect and listen
        timings = run_rounds(service, args.rounds, args.size)
    finally:
        stop.set()
        if worker_process is not None:
            worker_process.terminate()
            worker_process.wait(timeout=30)
        service.close()
        if args.backend == "postgres":
            with psycopg.connect(PG_SERVER, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    appended = [t * 1000 for kind, t in timings if kind == "appended"]
    print(
        f"\n{args.backend}, {args.records:,} records, {args.size} new records per write: "
        f"appended p50 {percentile(appended, 50):.0f} ms, max {max(appended):.0f} ms; "
        f"old year {[round(t * 1000) for kind, t in timings if kind != 'appended']} ms "
        "(goal <= 1000 ms)"
    )


if __name__ == "__main__":
    main()
