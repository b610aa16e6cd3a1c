"""``watchcube demo``, the README's first command, run as a user runs it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.utils.servers import free_port, wait_until


def test_the_demo_serves_its_dashboard_and_answers_new_filters(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "demo.log"
    env = {key: value for key, value in os.environ.items() if not key.startswith("WATCHCUBE_")}
    with log.open("wb") as out:
        demo = subprocess.Popen(
            [sys.executable, "-m", "watchcube", "demo", "--records", "5000", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}"

        def answers() -> bool:
            try:
                return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
            except httpx.TransportError:
                assert demo.poll() is None, log.read_text()
                return False

        wait_until(answers, 120, "the demo to serve")
        found = re.search(rf"{re.escape(url)}/\?token=(\S+)", log.read_text())
        assert found is not None, log.read_text()
        token = found.group(1)
        # The link's page, with the pre-computed bundle in it.
        page = httpx.get(f"{url}/?token={token}", timeout=30)
        assert page.status_code == 200
        assert 'id="watchcube-first-bundle"' in page.text
        # Filters nobody pre-computed are computed by the serving process (it once hung
        # here: served from a fork of the process that had run Polars).
        headers = {"Authorization": f"Bearer {token}"}
        for query in ("limit=1000&types=monthly_trend,top_channels", "year=2025&quarter=2"):
            answer = httpx.get(
                f"{url}/v1/users/demo/dashboard?{query}", headers=headers, timeout=30
            )
            assert answer.status_code == 200, answer.text
        # It serves from a fresh process image: the demo process became `watchcube serve`.
        command = Path(f"/proc/{demo.pid}/cmdline").read_bytes().split(b"\0")
        assert b"serve" in command and b"demo" not in command
        assert (tmp_path / "watchcube-demo.db").exists()
    finally:
        demo.send_signal(signal.SIGTERM)
        demo.wait(timeout=60)
