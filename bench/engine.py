"""Benchmark of the aggregation engine against DuckDB SQL and the plain-Python reference.

    .venv/bin/python bench/engine.py [--sizes 100000 1000000] [--repeats 15]

For each size: a synthetic history (``watchcube.synth``) and its frame preparation, timed
as the service runs it after every write: ``prepare`` from every record, and ``extend`` by
the 1,000 records of one write, both for newer records (a chain of writes, each extending
the frame of the one before, as the frame cache does; and the first write after a full
preparation, which moves the arrays into buffers with room to grow) and for records
scattered among the existing ones (an older export). Then the frame is prepared once (as
in production, where the frame cache holds it), and all ten types computed cold (a fresh
context, no cached result) for the full history and for never-seen filters keeping about
50% and 10% of the records (a date window and a channel set, shifted on every run). The
same ten aggregations run as DuckDB SQL over the same prepared columns, and the reference
once (at sizes above 100k it is timed on a 100k sample and scaled linearly, and says so).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.engine.reference import aggregate

from watchcube.engine import Frame, compute, extend, prepare, raw_frame_from_records
from watchcube.engine.context import day_text
from watchcube.filters import Filters
from watchcube.records import Record
from watchcube.synth import generate

TIMEZONE, GAP_MINUTES = "Europe/Berlin", 30
REFERENCE_SAMPLE = 100_000
WRITE = 1_000  # records one write adds

# One SQL statement per type over ``r`` (the records of R(f)) and ``t`` (their topics).
# Contiguous months, names and rounding are formatting, left to the client.
SESSIONS = """
  s AS (SELECT *, sum(new) OVER (ORDER BY row) AS sid FROM (
          SELECT *, CASE WHEN ts - lag(ts) OVER (ORDER BY row) <= {gap} THEN 0 ELSE 1 END AS new
          FROM r)),
  per AS (SELECT sid, count(*) AS n, min(ts) AS a, max(ts) AS b, arg_min(hour, row) AS h
          FROM s GROUP BY sid)"""
SQL: dict[str, str] = {
    "kpi": """
      WITH d AS (SELECT day FROM r GROUP BY day),
           g AS (SELECT day - row_number() OVER (ORDER BY day) AS run FROM d)
      SELECT count(*), count(DISTINCT vid), count(DISTINCT ch), (SELECT count(*) FROM d),
             min(ts), max(ts), sum(est),
             (SELECT max(c) FROM (SELECT count(*) c FROM g GROUP BY run)),
             count(vid) - count(DISTINCT vid)
      FROM r""",
    "monthly_trend": """
      SELECT month, count(*), count(DISTINCT ch), count(DISTINCT day), sum(est)
      FROM r GROUP BY month ORDER BY month""",
    "top_channels": """
      SELECT ch, count(*) AS v, min(ts), max(ts), arg_max(name, row),
             count(*) OVER () AS total_channels
      FROM r WHERE ch IS NOT NULL GROUP BY ch ORDER BY v DESC, ch LIMIT 20""",
    "day_time_heatmap": "SELECT slot, count(*) FROM r GROUP BY slot",
    "topics_leaderboard": """
      SELECT topic, count(*) AS v, count(DISTINCT ch),
             (SELECT count(*) FROM r WHERE NOT tagged) AS untagged
      FROM t GROUP BY topic ORDER BY v DESC, topic LIMIT 20""",
    "session_analysis": f"""
      WITH {SESSIONS}
      SELECT count(*), avg(n), median(n), avg(b - a), arg_max(sid, (b - a, n, -a)),
             count(*) FILTER (n = 1), count(*) FILTER (n BETWEEN 2 AND 3),
             count(*) FILTER (n BETWEEN 4 AND 6), count(*) FILTER (n BETWEEN 7 AND 10),
             count(*) FILTER (n >= 11), list(h)
      FROM per""",
    "viewing_patterns": """
      WITH d AS (SELECT day, count(*) AS n FROM r GROUP BY day)
      SELECT (SELECT list(c ORDER BY hour) FROM (SELECT hour, count(*) c FROM r GROUP BY hour)),
             (SELECT list(c ORDER BY w) FROM (SELECT slot // 24 w, count(*) c FROM r GROUP BY w)),
             (SELECT count(*) FILTER (hour < 5) FROM r), min(day), max(day),
             count(*) FILTER (n >= 20), arg_max(day, (n, -day))
      FROM d""",
    "enhanced_channel_metrics": """
      WITH top AS (SELECT ch FROM r WHERE ch IS NOT NULL GROUP BY ch
                   ORDER BY count(*) DESC, ch LIMIT 20),
           last AS (SELECT max(ts) AS l FROM r)
      SELECT ch, count(*), count(DISTINCT vid), count(DISTINCT day), count(DISTINCT month),
             min(ts), max(ts), arg_max(name, row),
             count(*) FILTER (ts > l - 90 * 86400000000),
             count(*) FILTER (ts > l - 180 * 86400000000 AND ts <= l - 90 * 86400000000)
      FROM r, last WHERE ch IN (SELECT ch FROM top) GROUP BY ch""",
    "channel_relationships": f"""
      WITH {SESSIONS},
           m AS (SELECT DISTINCT sid, ch FROM s WHERE ch IS NOT NULL),
           c AS (SELECT ch, count(*) AS k FROM m GROUP BY ch),
           e AS (SELECT x.ch AS a, y.ch AS b, count(*) AS n FROM m x JOIN m y
                 ON x.sid = y.sid AND x.ch < y.ch GROUP BY a, b ORDER BY n DESC, a, b LIMIT 50)
      SELECT a, b, n, n / (ca.k + cb.k - n) FROM e
      JOIN c ca ON ca.ch = a JOIN c cb ON cb.ch = b""",
    "topic_evolution": """
      WITH top AS (SELECT topic FROM t GROUP BY topic ORDER BY count(*) DESC, topic LIMIT 10)
      SELECT topic, month, count(*) FROM t WHERE topic IN (SELECT topic FROM top)
      GROUP BY topic, month""",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for size in args.sizes:
        bench_size(size, args.repeats, args.seed)


def bench_size(size: int, repeats: int, seed: int) -> None:
    started = time.perf_counter()
    # The history, then the newer records of `repeats + 2` writes.
    history = generate(size + (repeats + 2) * WRITE, seed=seed, timezone=TIMEZONE)
    records = history[:size]
    raw = raw_frame_from_records(records)
    print(f"\n== {size:,} records: synthesized in {time.perf_counter() - started:.1f} s")
    bench_preparation(raw, raw_frame_from_records(history[size:]), repeats, seed)
    frame = prepare(raw, timezone=TIMEZONE, session_gap_minutes=GAP_MINUTES)
    db = duckdb_tables(frame)
    scenarios = {
        "full history": lambda run: Filters(),
        "~50% (date window)": window(frame, 0.5),
        "~10% (date window)": window(frame, 0.1),
        "~10% (channel set)": channel_set(frame, 0.1),
    }
    print(
        f"{'scenario':<22}{'kept':>8}{'engine p50':>12}{'p95':>8}"
        f"{'DuckDB p50':>12}{'p95':>8}{'engine/DuckDB':>15}"
    )
    for name, make in scenarios.items():
        kept = compute(frame, make(0), ["kpi"])["kpi"]["total_videos"] / frame.height
        engine = timings(repeats, lambda run, make=make: compute(frame, make(run)))
        sql = timings(max(3, repeats // 3), lambda run, make=make: run_sql(db, make(run), frame))
        p50, p95 = percentiles(engine)
        d50, d95 = percentiles(sql)
        print(
            f"{name:<22}{kept:>8.1%}{p50:>10.1f}ms{p95:>6.1f}ms"
            f"{d50:>10.1f}ms{d95:>6.1f}ms{p50 / d50:>14.2f}x"
        )
    check_against_duckdb(db, frame)
    reference_ratio(records, frame)


def bench_preparation(raw: pl.DataFrame, newer: pl.DataFrame, repeats: int, seed: int) -> None:
    """``prepare`` from every record, and ``extend`` by one write (see the module doc)."""

    def prepared(records: pl.DataFrame) -> Frame:
        return prepare(records, timezone=TIMEZONE, session_gap_minutes=GAP_MINUTES)

    writes = [newer.slice(i * WRITE, WRITE) for i in range(repeats + 2)]
    frame = prepared(raw)
    rows = {
        "prepare (every record)": timings(repeats, lambda run: prepared(raw)),
        "extend, newer records": chained(frame, writes, repeats),
        "  first after prepare": timings(repeats, lambda run: extend(frame, writes[0])),
    }
    scattered = np.zeros(raw.height, np.bool_)
    scattered[np.random.default_rng(seed).choice(raw.height, WRITE, replace=False)] = True
    kept = prepared(raw.filter(~scattered))
    older = raw.filter(scattered)
    rows["extend, scattered records"] = timings(repeats, lambda run: extend(kept, older))
    print(f"{'preparation':<28}{'p50':>11}{'p95':>11}")
    for name, values in rows.items():
        p50, p95 = percentiles(values)
        print(f"{name:<28}{p50:>8.1f} ms{p95:>8.1f} ms")


def chained(frame: Frame, writes: list[pl.DataFrame], repeats: int) -> list[float]:
    """Milliseconds of each ``extend`` in a chain of writes (after one to warm up)."""
    frame = extend(frame, writes[0])
    result = []
    for write in writes[1 : repeats + 1]:
        started = time.perf_counter()
        frame = extend(frame, write)
        result.append((time.perf_counter() - started) * 1000)
    return result


def window(frame: Frame, share: float) -> Callable[[int], Filters]:
    """Date windows keeping about ``share`` of the records, one day later on every run."""
    days = frame.everything.columns["day"]
    first = int(days[int(len(days) * (1 - share) / 2)])
    last = int(days[int(len(days) * (1 + share) / 2) - 1])

    def make(run: int) -> Filters:
        start, end = (date.fromisoformat(day_text(d + run)) for d in (first, last))
        return Filters(start=start, end=end)

    return make


def channel_set(frame: Frame, share: float) -> Callable[[int], Filters]:
    """Channel sets holding about ``share`` of the records, a different set on every run."""
    counts = np.bincount(frame.everything.columns["ch"], minlength=len(frame.channel_ids) + 1)[:-1]
    order = np.argsort(-counts, kind="stable")

    def make(run: int) -> Filters:
        chosen, kept = [], 0
        for code in order[run + 5 :]:
            if kept >= share * frame.height or len(chosen) == 100:
                break
            chosen.append(frame.channel_ids[code])
            kept += int(counts[code])
        return Filters(channels=tuple(chosen))

    return make


def timings(repeats: int, work: Callable[[int], object]) -> list[float]:
    work(10_000)  # warm-up on a filter no measured run uses
    result = []
    for run in range(repeats):
        started = time.perf_counter()
        work(run)
        result.append((time.perf_counter() - started) * 1000)
    return result


def percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[
        min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))
    ]


def duckdb_tables(frame: Frame) -> duckdb.DuckDBPyConnection:
    """The prepared columns as native DuckDB tables (loaded once, not timed)."""
    columns = frame.everything.columns
    known = len(frame.channel_ids)
    records = pl.DataFrame(
        {
            "row": np.arange(frame.height),
            **{name: columns[name] for name in ("ts", "day", "month", "hour", "slot", "est")},
            **{name: columns[name] for name in ("is_ad", "music", "tagged")},
            "ch": pl.Series(columns["ch"]).replace(known, None),
            "vid": pl.Series(columns["vid"]).replace(0, None),
            "name": frame.names,
        }
    )
    topics = pl.DataFrame({"row": frame.everything.topic_row, "topic": frame.everything.topic_code})
    db = duckdb.connect()
    db.register("records_view", records)
    db.register("topics_view", topics)
    db.execute("CREATE TABLE rec AS SELECT * FROM records_view ORDER BY row")
    db.execute("CREATE TABLE topic_rows AS SELECT * FROM topics_view ORDER BY row")
    return db


def run_sql(db: duckdb.DuckDBPyConnection, filters: Filters, frame: Frame) -> dict[str, Any]:
    where = ["true"] if filters.include_ads else ["NOT is_ad"]
    if filters.start is not None:
        where.append(f"day >= {(filters.start - date(1970, 1, 1)).days}")
    if filters.end is not None:
        where.append(f"day <= {(filters.end - date(1970, 1, 1)).days}")
    if filters.channels:
        codes = [frame.channel_ids.index(c) for c in filters.channels]
        where.append(f"ch IN ({', '.join(map(str, codes))})")
    condition = " AND ".join(where)
    prefix = (
        f"WITH r AS (SELECT * FROM rec WHERE {condition}), "
        "t AS (SELECT topic, ch, month FROM topic_rows JOIN r USING (row)) "
    )
    results = {}
    for name, body in SQL.items():
        statement = body.format(gap=frame.gap_us).strip()
        if statement.startswith("WITH"):
            statement = prefix + ", " + statement[len("WITH") :]
        else:
            statement = prefix + statement
        results[name] = db.execute(statement).fetchall()
    return results


def check_against_duckdb(db: duckdb.DuckDBPyConnection, frame: Frame) -> None:
    """The SQL computes the same figures (spot checks on the full history)."""
    engine = compute(frame, Filters())
    sql = run_sql(db, Filters(), frame)
    kpi = sql["kpi"][0]
    assert kpi[0] == engine["kpi"]["total_videos"] and kpi[1] == engine["kpi"]["unique_videos"]
    assert kpi[7] == engine["kpi"]["longest_streak_days"]
    assert sql["session_analysis"][0][0] == engine["session_analysis"]["sessions"]
    edges = [
        (frame.channel_ids[a], frame.channel_ids[b], n)
        for a, b, n, _ in sql["channel_relationships"]
    ]
    expected = [
        (e["source"], e["target"], e["sessions_together"])
        for e in engine["channel_relationships"]["edges"]
    ]
    assert sorted(edges) == sorted(expected)
    print("DuckDB spot checks (kpi, sessions, relationship edges) agree with the engine")


def reference_ratio(records: list[Record], frame: Frame) -> None:
    sample = records[:REFERENCE_SAMPLE]
    started = time.perf_counter()
    aggregate(sample, Filters(), timezone=TIMEZONE, session_gap_minutes=GAP_MINUTES)
    seconds = (time.perf_counter() - started) * len(records) / len(sample)
    engine = statistics.median(timings(5, lambda run: compute(frame, Filters())))
    how = (
        "measured"
        if len(sample) == len(records)
        else (
            f"timed on the first {len(sample):,} records and scaled x{len(records) / len(sample):g}"
        )
    )
    print(
        f"reference (plain Python), full history: {seconds:.1f} s ({how}); "
        f"engine is {seconds * 1000 / engine:,.0f}x faster"
    )


if __name__ == "__main__":
    main()
