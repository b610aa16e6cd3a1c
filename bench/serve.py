"""Serving: the cached dashboard bundle against a static-bytes route in the same server, and
cold (never requested) filter changes over HTTP.

    .venv/bin/python -m bench.serve [--records 1000000] [--duration 10] [--connections 32]

Needs `wrk` (Debian package). Goals: bundle throughput >= 0.8x the static route's, p99
<= 2x; a cold ten-type filter change <= 60 ms over HTTP at 1M records.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import httpx

from bench.common import SECRET, free_port, percentile, prepare_user, start_server, stop
from watchcube.api.auth import mint_token
from watchcube.config import Settings

USER = "bench"


def wrk(url: str, token: str | None, duration: int, connections: int) -> dict[str, float]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if token:
        command[1:1] = ["-H", f"Authorization: Bearer {token}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    latency = {}
    for label in ("50%", "90%", "99%"):
        value, unit = re.search(rf"{label}\s+([\d.]+)(\w+)", output).groups()  # type: ignore[union-attr]
        latency[label] = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"{errors.group(1)} failed responses from {url}")
    return {"rps": rate, "p50": latency["50%"], "p90": latency["90%"], "p99": latency["99%"]}


def cold_filters(count: int, seed: int) -> list[dict[str, str]]:
    """Filters nobody asked before: random local date ranges of 1-200 days."""
    rng = random.Random(seed)
    first = date(2022, 11, 15)
    filters = []
    for _ in range(count):
        start = first + timedelta(days=rng.randrange(0, 1400))
        end = start + timedelta(days=rng.randrange(1, 200))
        filters.append({"start": start.isoformat(), "end": end.isoformat()})
    return filters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--cold", type=int, default=40)
    parser.add_argument("--database", type=Path, default=None)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")

    folder = Path(tempfile.mkdtemp(prefix="wc-bench-"))
    database = args.database or folder / f"serve-{args.records}.db"
    url = f"sqlite:///{database}"
    service = prepare_user(Settings(database_url=url, redis_url=None), USER, args.records)
    service.close()

    token = mint_token(SECRET, USER)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}"}
    bundle_path = "/v1/users/bench/dashboard?year=2025"
    static = folder / "bundle.json"
    env = {
        "WATCHCUBE_DATABASE_URL": url,
        "WATCHCUBE_JWT_SECRET": SECRET,
        "WATCHCUBE_BENCH_STATIC": str(static),
        "WATCHCUBE_EMBEDDED_WORKER": "false",
    }
    static.write_bytes(b"{}")
    server = start_server(env, port, "bench.serve_app:create")
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
            bundle = client.get(bundle_path)
            bundle.raise_for_status()
            static.write_bytes(bundle.content)
        stop(server)
        server = start_server(env, port, "bench.serve_app:create")
        with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
            warm = client.get(bundle_path)
            print(
                f"bundle: {len(warm.content):,} bytes, warm-up served by "
                f"{warm.headers['server-timing'].split(';')[0]}"
            )
        runs = {"static": [], "bundle": []}
        for _ in range(3):
            runs["static"].append(
                wrk(f"{base}/bench/static", None, args.duration, args.connections)
            )
            runs["bundle"].append(
                wrk(f"{base}{bundle_path}", token, args.duration, args.connections)
            )
        best = {name: max(results, key=lambda r: r["rps"]) for name, results in runs.items()}
        cold_ms: list[float] = []
        layers: set[str] = set()
        with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
            for query in cold_filters(args.cold, seed=int(time.time())):
                started = time.perf_counter()
                response = client.get("/v1/users/bench/dashboard", params=query)
                cold_ms.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
                layers.add(response.headers["server-timing"].split(";")[0])
    finally:
        stop(server)

    print(f"\n{args.records:,} records, wrk -c{args.connections} {args.duration}s x3 (best run)")
    print(f"{'route':<10}{'req/s':>10}{'p50 ms':>10}{'p90 ms':>10}{'p99 ms':>10}")
    for name, result in best.items():
        print(
            f"{name:<10}{result['rps']:>10.0f}{result['p50']:>10.2f}{result['p90']:>10.2f}"
            f"{result['p99']:>10.2f}"
        )
    ratio = best["bundle"]["rps"] / best["static"]["rps"]
    tail = best["bundle"]["p99"] / best["static"]["p99"]
    print(f"bundle/static throughput {ratio:.2f}x (goal >= 0.8), p99 {tail:.2f}x (goal <= 2)")
    print(
        f"cold ten-type filter change over HTTP ({', '.join(sorted(layers))}): "
        f"p50 {percentile(cold_ms, 50):.1f} ms, p95 {percentile(cold_ms, 95):.1f} ms "
        f"(goal <= 60 ms), n={len(cold_ms)}"
    )


if __name__ == "__main__":
    main()
