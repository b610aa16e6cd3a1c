"""Real processes on PostgreSQL + Redis: two workers and an API, concurrent writes, a crash."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from tests.api.conftest import SECRET
from tests.conftest import REDIS_SERVER
from tests.utils.servers import free_port, wait_until
from watchcube.api.auth import mint_token
from watchcube.config import Settings
from watchcube.refresh.validation import validate_user
from watchcube.service import Service
from watchcube.store.schema import data_change_log
from watchcube.synth import generate

pytestmark = pytest.mark.postgres


class Process:
    """A ``python -m watchcube ...`` child whose output is collected line by line."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.lines: list[str] = []
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "watchcube", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.lines.append(line.rstrip())

    def saw(self, pattern: str) -> bool:
        return any(re.search(pattern, line) for line in self.lines)

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
        code = self.popen.wait(timeout=30)
        self._reader.join(timeout=5)
        if self.popen.stdout is not None:
            self.popen.stdout.close()
        return code


@pytest.fixture
def env(empty_pg_url: str, redis_prefix: str) -> dict[str, str]:
    return {
        **os.environ,
        "WATCHCUBE_DATABASE_URL": empty_pg_url,
        "WATCHCUBE_REDIS_URL": REDIS_SERVER,
        "WATCHCUBE_REDIS_PREFIX": redis_prefix,
        "WATCHCUBE_JWT_SECRET": SECRET,
        "WATCHCUBE_WORKER_POLL_SECONDS": "2",
    }


@pytest.fixture
def service(env: dict[str, str]) -> Iterator[Service]:
    running = Service(
        Settings(
            database_url=env["WATCHCUBE_DATABASE_URL"],
            redis_url=env["WATCHCUBE_REDIS_URL"],
            redis_prefix=env["WATCHCUBE_REDIS_PREFIX"],
        )
    )
    yield running
    running.close()


def _all_processed(service: Service) -> bool:
    return int(service.status("alice")["pending_changes"]) == 0


def _refreshed_versions(processes: list[Process]) -> list[tuple[str, int]]:
    found = []
    for process in processes:
        for line in process.lines:
            match = re.search(r"RefreshReport\(user_id='(\w+)', data_version=(\d+)", line)
            if match:
                found.append((match.group(1), int(match.group(2))))
    return found


def test_two_workers_and_an_api_under_concurrent_writes(
    env: dict[str, str], service: Service, tmp_path: Path
) -> None:
    service.add_records("alice", generate(5000, seed=11, timezone="UTC"))
    port = free_port()
    api = Process(["serve", "--port", str(port)], env)
    workers = [Process(["worker"], env) for _ in range(2)]
    try:
        wait_until(lambda: api.saw("serving") or api.saw("Listening"), 30, "the API to start")
        base = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"Bearer {mint_token(SECRET, 'alice')}"}
        wait_until(lambda: _ready(base), 30, "the API to answer")
        wait_until(lambda: _all_processed(service), 60, "the first refresh")

        def write(i: int) -> int:
            row = {
                "watched_at": f"20{22 + i % 4}-0{1 + i % 9}-1{i % 10}T0{i % 10}:{i % 60:02d}:00Z",
                "video_id": f"concurrent-{i}",
                "title": f"Concurrent {i}",
                "channel_id": f"UCc{i % 5}",
                "channel_name": f"Concurrent {i % 5}",
            }
            with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
                response = client.post("/v1/users/alice/records", json=[row])
                client.get("/v1/users/alice/aggregations/kpi", params={"year": 2022 + i % 4})
                return response.status_code

        with ThreadPoolExecutor(max_workers=16) as pool:
            codes = list(pool.map(write, range(200)))
        assert codes == [200] * 200
        wait_until(lambda: _all_processed(service), 120, "every change to be processed")

        with service.db.read() as conn:
            rows = conn.execute(
                select(data_change_log).where(data_change_log.c.user_id == "alice")
            ).all()
        assert len(rows) == 201
        failures = [
            (row.data_version, row.attempts, row.last_error) for row in rows if row.attempts
        ]
        assert failures == []
        assert all(row.processed_at is not None for row in rows)
        refreshed = _refreshed_versions(workers)
        assert len(refreshed) == len(set(refreshed)), "a version was refreshed twice"
        assert {row.claimed_by for row in rows} - {None}
        report = validate_user(service, "alice")
        assert report.ok and report.checked >= 100 and report.outdated == 0
        with httpx.Client(base_url=base, headers=headers) as client:
            kpi = client.get("/v1/users/alice/aggregations/kpi").json()
        assert kpi["data_version"] == 201 and kpi["stale"] is False
    finally:
        for process in (*workers, api):
            assert process.stop() in (0, -signal.SIGTERM)


def test_a_worker_killed_mid_refresh_loses_nothing(env: dict[str, str], service: Service) -> None:
    service.add_records("alice", generate(150_000, seed=5, timezone="UTC"))
    doomed = Process(["worker"], env)
    try:
        wait_until(lambda: doomed.saw("refreshing alice"), 60, "the refresh to start")
        doomed.stop(signal.SIGKILL)
        assert not doomed.saw("refreshed RefreshReport")
        assert not _all_processed(service)
    finally:
        doomed.stop(signal.SIGKILL)
    survivor = Process(["worker"], env)
    try:
        wait_until(lambda: _all_processed(service), 120, "the survivor to take over")
        assert validate_user(service, "alice").ok
    finally:
        assert survivor.stop() in (0, -signal.SIGTERM)


def _ready(base: str) -> bool:
    try:
        return httpx.get(f"{base}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
