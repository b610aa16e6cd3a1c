"""Shared bench helpers: a database with a synthetic user, a server process, percentiles."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

from watchcube.config import Settings
from watchcube.refresh.worker import Worker
from watchcube.service import Service
from watchcube.synth import generate

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-secret-0123456789abcdef-0123456789"


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(values: Sequence[float]) -> str:
    return f"p50 {percentile(values, 50):8.2f}  p95 {percentile(values, 95):8.2f}  n={len(values)}"


def prepare_user(settings: Settings, user: str, records: int, seed: int = 1) -> Service:
    """A service whose database holds ``records`` synthetic records of ``user``, backfilled."""
    service = Service(settings)
    known = service.known_user(user)
    if known is None or service.status(user)["records"] == 0:
        started = time.perf_counter()
        history = generate(records, seed=seed, timezone="Europe/Berlin")
        service.add_records(user, history)
        service.change_settings(user, timezone="Europe/Berlin", session_gap_minutes=None)
        print(f"stored {records:,} records in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    Worker(service).refresh_user(user, force=True)
    print(f"backfilled the default filters in {time.perf_counter() - started:.1f} s")
    return service


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(env: dict[str, str], port: int, target: str) -> subprocess.Popen[bytes]:
    """granian serving ``target`` (an app factory) on ``port`` with one worker."""
    code = (
        "from granian import Granian\n"
        "from granian.constants import Interfaces\n"
        f"Granian({target!r}, factory=True, address='127.0.0.1', port={port}, workers=1,"
        " interface=Interfaces.ASGI, log_access=False).serve()\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        env={**os.environ, **env, "PYTHONPATH": os.pathsep.join(_python_path())},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start")


def _python_path() -> list[str]:
    """The bench's own import path first (a checkout being measured), then the caller's."""
    return [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def median(values: Sequence[float]) -> float:
    return statistics.median(values)
